//! The command line: one file per subcommand, each a clap `Args` struct and one `run`. Command
//! files are glue: they turn arguments into a validated plan and call one library function.
//!
//! Exit codes: 0 done; 1 `kb check` found errors; 2 error (bad arguments, unreadable input,
//! invalid knowledge base).

mod ask;
mod eval;
mod fill;
mod finalize;
mod inspect;
mod kb;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::output::Output;

/// Drafts answers to security questionnaires from your team's reviewed knowledge base.
///
/// Exit codes: 0 done, 1 `kb check` found errors, 2 error.
#[derive(Debug, Parser)]
#[command(name = "trustfill", version, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// Knowledge-base folder (answers/*.toml, policies/*.md)
    #[arg(
        long,
        global = true,
        env = "TRUSTFILL_KB",
        default_value = "knowledge-base",
        value_name = "DIR"
    )]
    pub kb: PathBuf,

    /// Print only data (answers, JSON); no status lines or warnings on stderr
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// Take this day (YYYY-MM-DD) as today instead of the system clock: review ages, the dates
    /// written into new entries, logs and review workbooks. Hidden: tests pin it so that no
    /// result depends on when they run.
    #[arg(long, global = true, hide = true, value_name = "DATE")]
    pub today: Option<crate::date::Date>,
}

impl GlobalArgs {
    /// Today: `--today` when given, else the system clock. The one place a command reads it.
    pub fn today(&self) -> crate::date::Date {
        self.today.unwrap_or_else(crate::date::Date::today)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Fill(fill::Args),
    Finalize(finalize::Args),
    Ask(ask::Args),
    Inspect(inspect::Args),
    Eval(eval::Args),
    /// Maintain the knowledge base
    #[command(subcommand)]
    Kb(kb::KbCommand),
}

/// How a command that did not fail ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Exit code 0.
    Done,
    /// Exit code 1: the command ran and found problems (`kb check`).
    Findings,
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Done => 0,
            Exit::Findings => 1,
        }
    }
}

impl Cli {
    /// Run the parsed command. Errors carry their context; `main` prints them once.
    pub fn run(self, out: &Output) -> anyhow::Result<Exit> {
        let done = |r: anyhow::Result<()>| r.map(|()| Exit::Done);
        match self.command {
            Command::Fill(args) => done(fill::run(args, &self.global, out)),
            Command::Finalize(args) => done(finalize::run(args, &self.global, out)),
            Command::Ask(args) => done(ask::run(args, &self.global, out)),
            Command::Inspect(args) => done(inspect::run(args, &self.global, out)),
            Command::Eval(args) => done(eval::run(args, &self.global, out)),
            Command::Kb(cmd) => kb::run(cmd, &self.global, out),
        }
    }
}

/// A write to stdout failed: a closed pipe (`trustfill ask … | head`) is a normal end, not an error.
pub(crate) fn data_written(result: std::io::Result<()>) -> anyhow::Result<bool> {
    match result {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(anyhow::Error::new(e).context("cannot write to standard output")),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
