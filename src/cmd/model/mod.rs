//! `trustfill model …`: the sentence-encoder model for semantic matching.

mod install;
mod status;

use clap::Subcommand;

use super::GlobalArgs;
use crate::output::Output;

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    Install(install::Args),
    Status(status::Args),
}

pub fn run(cmd: ModelCommand, global: &GlobalArgs, out: &Output) -> anyhow::Result<()> {
    match cmd {
        ModelCommand::Install(args) => install::run(args, global, out),
        ModelCommand::Status(args) => status::run(args, global, out),
    }
}
