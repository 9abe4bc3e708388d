//! All printing goes through [`Output`]: data on stdout, progress, summaries and warnings on
//! stderr, `--quiet` honoured here and nowhere else. Library code below `cmd` never prints.

use std::io::{self, Write};

#[derive(Debug, Clone, Copy, Default)]
pub struct Output {
    quiet: bool,
}

impl Output {
    pub fn new(quiet: bool) -> Output {
        Output { quiet }
    }

    /// Data the user asked for (answers, JSON). Always printed, even with `--quiet`.
    pub fn data(&self, text: &str) -> io::Result<()> {
        let mut out = io::stdout().lock();
        out.write_all(text.as_bytes())?;
        if !text.ends_with('\n') {
            out.write_all(b"\n")?;
        }
        out.flush()
    }

    /// Status and summaries: stderr, silenced by `--quiet`.
    pub fn status(&self, text: &str) {
        if !self.quiet {
            eprintln!("{text}");
        }
    }

    /// A progress line on long work, redrawn in place: only on a terminal, never with `--quiet`,
    /// and only every 250 steps. `done == total` clears it.
    pub fn progress(&self, what: &str, done: usize, total: usize) {
        use std::io::IsTerminal;
        if self.quiet || total < 1000 || !io::stderr().is_terminal() {
            return;
        }
        if done == total {
            eprint!("\r\x1b[2K");
        } else if done.is_multiple_of(250) {
            eprint!("\r{what} {done}/{total} ({}%)", done * 100 / total);
        }
    }

    /// A progress bar for work done in a few large steps (embedding the library): redrawn in
    /// place on every call, only on a terminal and never with `--quiet`; `done == total` clears
    /// it.
    pub fn bar(&self, what: &str, done: usize, total: usize) {
        use std::io::IsTerminal;
        if self.quiet || total == 0 || !io::stderr().is_terminal() {
            return;
        }
        if done >= total {
            eprint!("\r\x1b[2K");
            return;
        }
        let width = 30;
        let filled = done * width / total;
        eprint!(
            "\r{what} [{}{}] {done}/{total}",
            "#".repeat(filled),
            ".".repeat(width - filled)
        );
    }

    /// Notes: stderr, silenced by `--quiet`.
    pub fn note(&self, text: &str) {
        if !self.quiet {
            eprintln!("note: {text}");
        }
    }

    /// Warnings: stderr, silenced by `--quiet`.
    pub fn warn(&self, text: &str) {
        if !self.quiet {
            eprintln!("warning: {text}");
        }
    }

    /// The one place an error is printed: the chain of causes, then a hint when one is known.
    pub fn error(&self, err: &anyhow::Error) {
        let mut text = format!("error: {err}");
        for cause in err.chain().skip(1) {
            text.push_str(&format!("\n  caused by: {cause}"));
        }
        if let Some(hint) = err
            .chain()
            .find_map(|e| e.downcast_ref::<crate::Error>())
            .and_then(crate::Error::hint)
        {
            text.push_str(&format!("\nhint: {hint}"));
        }
        eprintln!("{text}");
    }
}
