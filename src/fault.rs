//! Fault injection for the crash tests: named points in the write path where a debug build can
//! be told to stop the way a crash or `kill -9` would, or to fail with an error, so that the
//! tests prove what is on disk afterwards instead of hoping a kill lands at the right moment.
//!
//! `TRUSTFILL_FAULT=POINT[@N][:error]` arms one point: the N-th time the process reaches it
//! (default the first), it exits at once with [`CRASH_EXIT`], running no destructor and no
//! clean-up, as a crash does; with `:error` it returns an error instead, so the ordinary
//! failure paths run. The points are in [`crate::atomic::publish`]:
//! - `write`: half of the temporary file's bytes are on disk (the rest lost), then the crash;
//! - `rename`: the temporary file is complete, the rename into place has not happened.
//!
//! Release builds compile every point to nothing: the variable is read only with
//! `debug_assertions`, which is what `cargo test` builds.

use crate::error::Result;

/// The exit code of an injected crash.
pub const CRASH_EXIT: i32 = 86;

/// What an armed point does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Not armed, or not this time.
    None,
    /// Stop the process now ([`crash`]), after any damage the point simulates.
    Crash,
    /// Return an error from the point.
    Error,
}

/// Whether `point` fires on this visit, per `TRUSTFILL_FAULT`.
#[cfg(debug_assertions)]
pub fn check(point: &str) -> Fault {
    use std::sync::Mutex;

    static VISITS: Mutex<Vec<(String, usize)>> = Mutex::new(Vec::new());
    let Ok(spec) = std::env::var("TRUSTFILL_FAULT") else {
        return Fault::None;
    };
    let (target, mode) = match spec.split_once(':') {
        Some((t, "error")) => (t, Fault::Error),
        _ => (spec.as_str(), Fault::Crash),
    };
    let (name, nth) = match target.split_once('@') {
        Some((n, k)) => (n, k.parse().unwrap_or(1)),
        None => (target, 1),
    };
    if name != point {
        return Fault::None;
    }
    let Ok(mut visits) = VISITS.lock() else {
        return Fault::None;
    };
    let count = match visits.iter_mut().find(|(p, _)| p == point) {
        Some((_, n)) => {
            *n += 1;
            *n
        }
        None => {
            visits.push((point.to_string(), 1));
            1
        }
    };
    if count == nth { mode } else { Fault::None }
}

#[cfg(not(debug_assertions))]
#[inline(always)]
pub fn check(_point: &str) -> Fault {
    Fault::None
}

/// Stop at once, as a crash would: no destructor runs, so temporary files stay where they are.
pub fn crash(point: &str) -> ! {
    eprintln!("trustfill: injected crash at {point}");
    std::process::exit(CRASH_EXIT)
}

/// The error an armed `:error` point returns.
pub fn error(point: &str) -> crate::Error {
    crate::Error::Invalid {
        what: "fault injection",
        message: format!("injected failure at {point}"),
    }
}

/// A point that simulates no damage of its own: crash, fail or go on.
pub fn point(name: &str) -> Result<()> {
    match check(name) {
        Fault::None => Ok(()),
        Fault::Crash => crash(name),
        Fault::Error => Err(error(name)),
    }
}
