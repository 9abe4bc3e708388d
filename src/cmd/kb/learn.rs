use std::path::PathBuf;

use anyhow::Context;

use super::GlobalArgs;
use crate::ops::learn::{LEARNED_FILE, learn};
use crate::output::Output;

/// Teach the knowledge base from a reviewed NAME.review.xlsx
///
/// Approved rows add the questionnaire's phrasing as a variant of their source entry (put a
/// runner-up's id in the Source column to credit that entry instead). Approved rows whose answer
/// was edited, and rows answered by hand, become proposed entries in answers/learned.toml.
/// Rejected rows are reported.
///
/// Examples:
///   trustfill kb learn vendor-questionnaire.review.xlsx
///   trustfill kb learn q.review.xlsx --dry-run
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The review workbook written by `trustfill fill` and reviewed by a person
    pub review: PathBuf,

    /// Show what would change without changing anything
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(args: Args, global: &GlobalArgs, out: &Output) -> anyhow::Result<()> {
    if !args.review.is_file() {
        return Err(crate::error::Error::NotAFile {
            path: args.review.clone(),
        }
        .into());
    }
    let report = learn(&global.kb, &args.review, args.dry_run)
        .with_context(|| format!("cannot learn from {}", args.review.display()))?;
    let verb = if args.dry_run { "would add" } else { "added" };
    let mut text = String::new();
    for (id, phrasing) in &report.variants {
        text.push_str(&format!("{verb} variant to {id}: {phrasing:?}\n"));
    }
    for (id, why) in &report.proposed {
        text.push_str(&format!(
            "{} entry {id} in {LEARNED_FILE}: {why}\n",
            if args.dry_run {
                "would propose"
            } else {
                "proposed"
            }
        ));
    }
    for (row, question) in &report.rejected {
        text.push_str(&format!("rejected (review row {row}): {question:?}\n"));
    }
    for (id, reference) in &report.references {
        text.push_str(&format!("{verb} reference to {id}: {reference:?}\n"));
    }
    for (id, question) in &report.remembered {
        text.push_str(&format!(
            "{} {id} is not drafted again for {question:?}\n",
            if args.dry_run {
                "would remember:"
            } else {
                "remembered:"
            }
        ));
    }
    for (id, _) in &report.proposed {
        text.push_str(&format!(
            "{id} waits for approval before it is drafted: `trustfill kb approve {id}`\n"
        ));
    }
    for (row, problem) in &report.problems {
        text.push_str(&format!("skipped review row {row}: {problem}\n"));
    }
    if !text.is_empty() {
        crate::cmd::data_written(out.data(&text))?;
    }
    out.status(&format!(
        "{}, {}, {} rejected, {} already known, {} not reviewed{}",
        crate::present::counted(report.variants.len(), "variant"),
        crate::present::counted(report.proposed.len(), "proposed entry"),
        report.rejected.len(),
        report.known,
        report.unreviewed,
        if args.dry_run {
            " (dry run: nothing written)"
        } else {
            ""
        }
    ));
    Ok(())
}
