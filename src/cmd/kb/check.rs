use anyhow::Context;

use super::GlobalArgs;
use crate::cmd::{Exit, data_written};
use crate::ops::check::{CheckOptions, Severity, check};
use crate::output::Output;
use crate::present;

/// Check the knowledge base for problems a reviewer should fix
///
/// Errors (exit code 1): files that do not load, SOC/ISO/pen-test report details marked public,
/// policy references to excerpts that do not exist, two entries answering the same question
/// with different Yes/No answers. Warnings (exit code 0): near-duplicate questions, entries not
/// reviewed within --max-age or never reviewed, missing owner or comment.
///
/// Examples:
///   trustfill kb check
///   trustfill kb check --max-age 180 --json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Entries reviewed longer ago than this many days are stale [default: 365, or the
    /// knowledge base's trustfill.toml]
    #[arg(long, value_name = "DAYS")]
    pub max_age: Option<u32>,

    /// One JSON object per finding per line
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args, global: &GlobalArgs, out: &Output) -> anyhow::Result<Exit> {
    // A broken settings file is one of check's findings (see ops::check), not a refusal.
    let settings = crate::kb::settings::Settings::load(&global.kb).unwrap_or_default();
    let opts = CheckOptions {
        max_age_days: i64::from(
            args.max_age
                .or(settings.max_age)
                .unwrap_or(crate::matcher::DEFAULT_MAX_AGE),
        ),
        today: global.today(),
    };
    let findings = check(&global.kb, &opts)
        .with_context(|| format!("cannot check knowledge base {}", global.kb.display()))?;
    let text = if args.json {
        findings
            .iter()
            .map(|f| serde_json::to_string(f).expect("plain data serializes"))
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        present::check_text(&findings)
    };
    if !text.is_empty() {
        data_written(out.data(&text))?;
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    out.status(&format!(
        "{}, {} in {}",
        crate::present::counted(errors, "error"),
        crate::present::counted(findings.len() - errors, "warning"),
        global.kb.display()
    ));
    Ok(if errors > 0 {
        Exit::Findings
    } else {
        Exit::Done
    })
}
