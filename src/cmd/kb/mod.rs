//! `trustfill kb …`: knowledge-base maintenance, one file per subcommand.

mod add;
mod approve;
mod check;
mod export;
mod import;
mod index;
mod learn;
mod stats;

use clap::Subcommand;

use super::{Exit, GlobalArgs};
use crate::output::Output;

#[derive(Debug, Subcommand)]
pub enum KbCommand {
    Import(import::Args),
    Index(index::Args),
    Check(check::Args),
    Learn(learn::Args),
    Stats(stats::Args),
    Export(export::Args),
    Add(add::Args),
    Approve(approve::Args),
}

pub fn run(cmd: KbCommand, global: &GlobalArgs, out: &Output) -> anyhow::Result<Exit> {
    match cmd {
        KbCommand::Import(args) => import::run(args, global, out).map(|()| Exit::Done),
        KbCommand::Index(args) => index::run(args, global, out).map(|()| Exit::Done),
        KbCommand::Check(args) => check::run(args, global, out),
        KbCommand::Learn(args) => learn::run(args, global, out).map(|()| Exit::Done),
        KbCommand::Stats(args) => stats::run(args, global, out).map(|()| Exit::Done),
        KbCommand::Export(args) => export::run(args, global, out).map(|()| Exit::Done),
        KbCommand::Add(args) => add::run(args, global, out).map(|()| Exit::Done),
        KbCommand::Approve(args) => approve::run(args, global, out).map(|()| Exit::Done),
    }
}
