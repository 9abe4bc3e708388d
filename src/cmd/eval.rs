use std::path::PathBuf;

use anyhow::Context;

use super::{GlobalArgs, data_written};
use crate::cmd::ask::AudienceParser;
use crate::eval::{evaluate, evaluate_bm25, read_labels};
use crate::kb::Audience;
use crate::kb::KnowledgeBase;
use crate::output::Output;
use crate::present;

/// Measure answer quality on a labeled set of questions
///
/// LABELS.csv has columns question,expected: the id of the entry that answers the question
/// (several separated by |), or NONE when the knowledge base does not answer it. Instead of a
/// question column it may have file,sheet,cell columns naming the cell that holds the question
/// in a questionnaire under --sources, so real questionnaires can be labeled without copying
/// their text. Reports top-1
/// accuracy, recall@3, precision and coverage at each confidence threshold, coverage at 90% and
/// 95% precision, calibration error and AUROC.
///
/// Examples:
///   trustfill eval fixtures/eval/shipped-kb-labels.csv
///   trustfill eval labels.csv --kb ./our-kb --json
///   trustfill eval fixtures/eval/real-questionnaires.csv --sources ../shared/questionnaires
///   trustfill eval labels.csv --plot calibration.svg
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The labeled questions (CSV: question,expected)
    pub labels: PathBuf,

    /// Audience to match at (internal by default, so that every entry can be found)
    #[arg(long, default_value = "internal", value_parser = AudienceParser)]
    pub audience: Audience,

    /// Which rows to evaluate: all, or the even (tuning) or odd (held-out) half
    #[arg(long, default_value = "all", value_parser = ["all", "even", "odd"])]
    pub rows: String,

    /// Folder of the questionnaires that file,sheet,cell labels point into [default: the
    /// labels file's folder]
    #[arg(long, value_name = "DIR")]
    pub sources: Option<PathBuf>,

    /// Print the report as JSON, with every question's outcome
    #[arg(long)]
    pub json: bool,

    /// Also draw the reliability diagram and the precision/coverage curve into this SVG file,
    /// to see where to set the threshold
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
}

pub fn run(args: Args, global: &GlobalArgs, out: &Output) -> anyhow::Result<()> {
    let labels = read_labels(&args.labels, args.sources.as_deref())
        .with_context(|| format!("cannot read labels {}", args.labels.display()))?;
    let labels = crate::eval::rows(labels, &args.rows);
    let index = global.open_index(out)?;
    let report = evaluate(&index, &labels, args.audience)?;
    let kb = KnowledgeBase::load(&global.kb)?;
    let reference = evaluate_bm25(&kb, &labels, args.audience)?;
    let text = if args.json {
        serde_json::json!({ "method": report, "bm25_reference": reference }).to_string()
    } else {
        present::eval_text(&report, &reference)
    };
    data_written(out.data(&text))?;
    if let Some(path) = &args.plot {
        let title = format!(
            "trustfill eval {} ({} rows)",
            args.labels
                .file_name()
                .unwrap_or_default()
                .to_string_lossy(),
            args.rows
        );
        let svg = crate::eval::plot::svg(&report, &title)
            .map_err(|e| anyhow::anyhow!("cannot draw {}: {e}", path.display()))?;
        crate::atomic::write(path, svg.as_bytes())?;
        out.status(&format!(
            "wrote {} (reliability diagram, precision and coverage by threshold)",
            path.display()
        ));
    }
    Ok(())
}
