use std::path::PathBuf;

use anyhow::Context;

use super::GlobalArgs;
use crate::cmd::ask::parse_audience;
use crate::kb::Audience;
use crate::kb::import::{ImportPlan, import_library};
use crate::output::Output;

/// Import an answer-library spreadsheet into the knowledge base
///
/// Finds the columns by header name (case-insensitive): Question, Answer (or Response), Comment
/// (or Explanation, Notes), and optionally ID, Category (or Tags), Audience, Owner, Reviewed.
/// Writes one new file answers/NAME.toml and creates the knowledge base if the folder is new.
///
/// Examples:
///   trustfill kb import answer-library.xlsx
///   trustfill kb import library.csv --kb ./our-kb --default-audience nda --owner grc@example.com
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The spreadsheet to import (.xlsx, .xlsm, .xls, .ods or .csv)
    pub library: PathBuf,

    /// Audience for rows that do not say
    #[arg(long, default_value = "public", value_parser = parse_audience)]
    pub default_audience: Audience,

    /// Owner for rows that do not say (a team mailbox)
    #[arg(long)]
    pub owner: Option<String>,

    /// Name of the new answers file, without .toml [default: the spreadsheet's name]
    #[arg(long)]
    pub name: Option<String>,
}

pub fn run(args: Args, global: &GlobalArgs, out: &Output) -> anyhow::Result<()> {
    if !args.library.is_file() {
        anyhow::bail!("{} does not exist or is not a file", args.library.display());
    }
    if let Some(name) = &args.name
        && (name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.'))
    {
        anyhow::bail!("--name {name:?} must be a plain file name without folders");
    }
    let plan = ImportPlan {
        source: args.library,
        kb: global.kb.clone(),
        default_audience: args.default_audience,
        owner: args.owner,
        name: args.name,
    };
    let report = import_library(&plan)
        .with_context(|| format!("cannot import {}", plan.source.display()))?;
    if report.created_kb {
        out.status(&format!("created knowledge base {}", plan.kb.display()));
    }
    out.status(&format!(
        "imported {} entries from sheet {:?} (header on row {}) into {}",
        report.entries,
        report.sheet,
        report.header_row,
        report.written.display()
    ));
    if !report.skipped_without_answer.is_empty() {
        let cells: Vec<String> = report
            .skipped_without_answer
            .iter()
            .take(5)
            .map(|c| c.to_string())
            .collect();
        out.warn(&format!(
            "skipped {} question(s) without an answer (first: {})",
            report.skipped_without_answer.len(),
            cells.join(", ")
        ));
    }
    if report.defaulted_audience > 0 {
        out.warn(&format!(
            "{} entries had no audience and were marked {}; review them before sending answers",
            report.defaulted_audience, plan.default_audience
        ));
    }
    Ok(())
}
