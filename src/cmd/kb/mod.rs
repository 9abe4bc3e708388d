//! `trustfill kb …`: knowledge-base maintenance, one file per subcommand.

mod import;
mod index;

use clap::Subcommand;

use super::GlobalArgs;
use crate::output::Output;

#[derive(Debug, Subcommand)]
pub enum KbCommand {
    Import(import::Args),
    Index(index::Args),
}

pub fn run(cmd: KbCommand, global: &GlobalArgs, out: &Output) -> anyhow::Result<()> {
    match cmd {
        KbCommand::Import(args) => import::run(args, global, out),
        KbCommand::Index(args) => index::run(args, global, out),
    }
}
