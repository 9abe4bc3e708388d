use std::path::PathBuf;

use anyhow::Context;

use super::{GlobalArgs, data_written};
use crate::output::Output;
use crate::present;
use crate::questionnaire::Questionnaire;

/// Show which cells trustfill takes for questions and answers
///
/// Prints, per sheet, the header row, the question, answer, comment and id columns (by letter
/// and header text), how many questions were found and the first few, and the sheets skipped
/// and why. Use it before `fill` on a new layout, and to choose overrides when detection is
/// wrong.
///
/// Examples:
///   trustfill inspect vendor-questionnaire.xlsx
///   trustfill inspect --json questionnaire.xlsx
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The questionnaire (.xlsx, .xlsm, .xls, .ods, .csv or .docx)
    pub file: PathBuf,

    /// How many questions to list per sheet
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub show: usize,

    /// Print the detected layout as JSON, with every question
    #[arg(long)]
    pub json: bool,

    // Flattened groups come last: each sets the help heading for what follows it.
    #[command(flatten)]
    pub detection: super::fill::DetectionArgs,

    #[command(flatten)]
    pub limits: crate::limits::LimitArgs,
}

pub fn run(args: Args, _global: &GlobalArgs, out: &Output) -> anyhow::Result<()> {
    let overrides = args.detection.overrides()?;
    let questionnaire = Questionnaire::read(&args.file, &overrides, &args.limits.limits())
        .with_context(|| format!("cannot read questionnaire {}", args.file.display()))?;
    let text = if args.json {
        present::inspect_json(&questionnaire)
    } else {
        present::inspect_text(&questionnaire, args.show)
    };
    data_written(out.data(&text))?;
    Ok(())
}
