use std::process::ExitCode;

use clap::Parser;
use trustfill::cmd::Cli;
use trustfill::output::Output;

/// Exit code for every error; 0 means done, 1 that `kb check` found errors. See `trustfill --help`.
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    // The sentence encoder embeds one batch per core (`encoder::Encoder::encode`); candle's
    // matrix products then run best on one thread each. candle reads this variable on every
    // product; a user's own setting wins.
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        // SAFETY: nothing else runs yet: no thread has been started that could read the
        // environment while it changes.
        unsafe { std::env::set_var("RAYON_NUM_THREADS", "1") };
    }
    let cli = Cli::parse();
    let out = Output::new(cli.global.quiet);
    match cli.run(&out) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(err) => {
            out.error(&err);
            ExitCode::from(EXIT_ERROR)
        }
    }
}
