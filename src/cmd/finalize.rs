use std::path::PathBuf;

use anyhow::Context;

use super::GlobalArgs;
use crate::fill::finalize::{FinalizePlan, finalize};
use crate::output::Output;

/// Write the clean questionnaire to send, from a reviewed NAME.review.xlsx
///
/// Takes the rows whose Status is Approved (with the Answer and Comment as the reviewer left
/// them) and writes them into a fresh copy of the original questionnaire: no highlights, no
/// review sheet. Draft, Needs answer and Rejected rows stay blank.
///
/// Examples:
///   trustfill finalize vendor-questionnaire.review.xlsx
///   trustfill finalize q.review.xlsx --input moved/q.xlsx -o q-final.xlsx
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The review workbook written by `trustfill fill`
    pub review: PathBuf,

    /// The questionnaire [default: the one recorded in the review workbook]
    #[arg(long)]
    pub input: Option<PathBuf>,

    /// Where to write [default: NAME.final.xlsx beside the questionnaire]
    #[arg(long, short)]
    pub output: Option<PathBuf>,

    /// Replace an existing output; write even if the questionnaire changed since `fill`
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: Args, _global: &GlobalArgs, out: &Output) -> anyhow::Result<()> {
    if !args.review.is_file() {
        return Err(crate::error::Error::NotAFile {
            path: args.review.clone(),
        }
        .into());
    }
    let plan = FinalizePlan {
        review: args.review,
        input: args.input,
        output: args.output,
        force: args.force,
    };
    let report =
        finalize(&plan).with_context(|| format!("cannot finalize {}", plan.review.display()))?;
    out.status(&format!(
        "wrote {} with {}; left blank: {} not approved, {} needing an answer, {} rejected",
        report.output.display(),
        crate::present::counted(report.approved, "approved answer"),
        crate::present::counted(report.unreviewed, "draft"),
        report.needs_answer,
        report.rejected
    ));
    if let Some(note) = &report.note {
        out.status(&format!("note: {note}"));
    }
    if !report.skipped_formula.is_empty() {
        out.warn(&format!(
            "not written, the cells hold formulas: {}",
            report.skipped_formula.join(", ")
        ));
    }
    Ok(())
}
