use std::process::ExitCode;

use clap::Parser;
use trustfill::cmd::Cli;
use trustfill::output::Output;

/// Exit code for every error; 0 means done, 1 that `kb check` found errors. See `trustfill --help`.
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
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
