use crate::cellref::col_letters;
use crate::questionnaire::Overrides;

/// Overrides for when layout detection is wrong, shared by `fill` and `inspect`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DetectionArgs {
    /// Only this sheet (also one that would be skipped as instructions)
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,

    /// The header row, 1-based as in Excel
    #[arg(long, value_name = "ROW")]
    pub header_row: Option<u32>,

    /// The question column, as a letter (B)
    #[arg(long, value_name = "COL")]
    pub question_col: Option<String>,

    /// The answer column, as a letter (C)
    #[arg(long, value_name = "COL")]
    pub answer_col: Option<String>,

    /// The comment / explanation column, as a letter (E)
    #[arg(long, value_name = "COL")]
    pub comment_col: Option<String>,
}

impl DetectionArgs {
    pub fn overrides(&self) -> anyhow::Result<Overrides> {
        let col = |flag: &str, value: &Option<String>| -> anyhow::Result<Option<u32>> {
            value
                .as_deref()
                .map(|v| {
                    column_index(v).ok_or_else(|| {
                        anyhow::anyhow!("{flag} {v:?} is not a column letter such as C or AB")
                    })
                })
                .transpose()
        };
        let header_row = match self.header_row {
            Some(0) => anyhow::bail!("--header-row counts from 1, as Excel does"),
            other => other.map(|r| r - 1),
        };
        Ok(Overrides {
            sheet: self.sheet.clone(),
            header_row,
            question_col: col("--question-col", &self.question_col)?,
            answer_col: col("--answer-col", &self.answer_col)?,
            comment_col: col("--comment-col", &self.comment_col)?,
        })
    }
}

/// `C` → 2, `AB` → 27; None for anything but 1–3 letters.
fn column_index(letters: &str) -> Option<u32> {
    let letters = letters.trim();
    if letters.is_empty() || letters.len() > 3 || !letters.chars().all(|c| c.is_ascii_alphabetic())
    {
        return None;
    }
    let n = letters.chars().fold(0u32, |n, c| {
        n * 26 + (c.to_ascii_uppercase() as u32 - 'A' as u32 + 1)
    });
    debug_assert_eq!(col_letters(n - 1), letters.to_ascii_uppercase());
    Some(n - 1)
}

use std::path::PathBuf;

use anyhow::Context;

use super::GlobalArgs;
use crate::cmd::ask::AudienceParser;
use crate::fill::{self, AudienceFrom, FillPlan};
use crate::kb::Audience;
use crate::matcher::{DEFAULT_MAX_AGE, DEFAULT_MIN_CONFIDENCE};
use crate::output::Output;
use crate::present;

/// Draft answers into a questionnaire workbook and produce a review sheet
///
/// Writes NAME.filled.xlsx (the vendor's workbook with drafted answers in the answer cells,
/// highlighted) and NAME.review.xlsx (one row per question: draft, confidence, source, runner-ups
/// and a Status to set) beside the input, or beside the -o file. The input is never modified. Questions the knowledge
/// base does not answer with at least --min-confidence are left blank and marked "Needs answer".
///
/// Examples:
///   trustfill fill vendor-questionnaire.xlsx
///   trustfill fill caiq.xlsx --audience nda -o caiq-acme.xlsx
///   trustfill fill survey.xlsx --sheet "Security" --answer-col D --comment-col E
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The questionnaire (.xlsx, .xlsm, .xls, .ods, .csv or .docx)
    pub file: PathBuf,

    /// Where to write the filled workbook [default: NAME.filled.xlsx beside the input]
    #[arg(long, short)]
    pub output: Option<PathBuf>,

    /// Where to write the review workbook [default: NAME.review.xlsx beside the filled workbook]
    #[arg(long)]
    pub review: Option<PathBuf>,

    /// Who will receive the answers: entries above this audience are never used [default:
    /// public, or the knowledge base's trustfill.toml]
    #[arg(long, value_parser = AudienceParser)]
    pub audience: Option<Audience>,

    /// Leave questions blank below this confidence, 0-100 [default: 70, or trustfill.toml]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=100))]
    pub min_confidence: Option<u8>,

    /// Replace answers already in the questionnaire
    #[arg(long)]
    pub overwrite: bool,

    /// Entries reviewed longer ago than this many days are stale: lower confidence, flagged
    /// [default: 365, or trustfill.toml]
    #[arg(long, value_name = "DAYS")]
    pub max_age: Option<u32>,

    /// Do not highlight drafted cells
    #[arg(long)]
    pub no_highlight: bool,

    /// Replace existing output files
    #[arg(long)]
    pub force: bool,

    /// Print the summary as JSON on stdout
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub detection: DetectionArgs,

    /// Threads matching questions [default: one per CPU core]
    #[arg(long, short, value_name = "N")]
    pub jobs: Option<usize>,

    #[command(flatten)]
    pub limits: crate::limits::LimitArgs,
}

pub fn run(args: Args, global: &GlobalArgs, out: &Output) -> anyhow::Result<()> {
    if !args.file.is_file() {
        return Err(crate::error::Error::NotAFile {
            path: args.file.clone(),
        }
        .into());
    }
    crate::workbook::format_of(&args.file)?;
    let (default_output, default_review) =
        FillPlan::default_outputs(&args.file, &args.limits.limits());
    let settings = global.settings()?;
    let (audience, audience_from) = AudienceFrom::choose(args.audience, settings.audience);
    // The review goes with the filled copy: beside -o when it is given, else beside the input.
    let review = match (args.review, &args.output) {
        (Some(review), _) => review,
        (None, Some(output)) => FillPlan::review_beside(output),
        (None, None) => default_review,
    };
    let plan = FillPlan {
        output: args.output.unwrap_or(default_output),
        review,
        input: args.file,
        audience,
        audience_from,
        min_confidence: args
            .min_confidence
            .or(settings.min_confidence)
            .unwrap_or(DEFAULT_MIN_CONFIDENCE),
        overwrite: args.overwrite,
        highlight: !args.no_highlight,
        overrides: args.detection.overrides()?,
        limits: args.limits.limits(),
        jobs: args
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .max(1),
        max_age_days: i64::from(args.max_age.or(settings.max_age).unwrap_or(DEFAULT_MAX_AGE)),
        today: global.today(),
        profile: settings.profile.clone(),
    };
    plan.check_outputs(args.force)?;
    let index = global.open_index(out)?;
    let mut report = fill::draft(&plan, &index, &mut |done, total| {
        out.progress("matching questions", done, total)
    })
    .with_context(|| format!("cannot fill {}", plan.input.display()))?;
    fill::write(&plan, &mut report)
        .with_context(|| format!("cannot write the output of {}", plan.input.display()))?;
    if args.json {
        super::data_written(out.data(&present::fill_json(&plan, &report)))?;
    }
    out.status(&present::fill_summary(&plan, &report));
    Ok(())
}
