use anyhow::Context;

use super::GlobalArgs;
use crate::output::Output;

/// Approve proposals of `kb learn` so that they may be drafted
///
/// `kb learn` turns hand-written and edited answers from a reviewed questionnaire into proposed
/// entries (`proposed = true` in answers/learned.toml). They are shown as candidates but never
/// drafted until a person approves them, here or by deleting the line in a pull request.
/// Approving sets `reviewed` to today. `kb check` lists the proposals still waiting.
///
/// Examples:
///   trustfill kb approve learned-hotline ops-bug-bounty-revised
///   trustfill kb approve --all
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The ids of the proposals to approve
    #[arg(required_unless_present = "all")]
    pub ids: Vec<String>,

    /// Approve every proposal waiting
    #[arg(long, conflicts_with = "ids")]
    pub all: bool,
}

pub fn run(args: Args, global: &GlobalArgs, out: &Output) -> anyhow::Result<()> {
    let approved = crate::kb::edit::approve_proposals(
        &global.kb,
        (!args.all).then_some(args.ids.as_slice()),
        global.today(),
    )
    .with_context(|| format!("cannot approve in {}", global.kb.display()))?;
    let text: String = approved
        .iter()
        .map(|id| format!("approved {id}\n"))
        .collect();
    if !text.is_empty() {
        crate::cmd::data_written(out.data(&text))?;
    }
    out.status(&format!(
        "{} approved",
        crate::present::counted(approved.len(), "proposal")
    ));
    Ok(())
}
