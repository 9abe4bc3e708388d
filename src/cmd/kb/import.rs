use std::path::PathBuf;

use anyhow::Context;

use super::GlobalArgs;
use crate::cmd::ask::AudienceParser;
use crate::kb::Audience;
use crate::ops::harvest::harvest;
use crate::ops::import::{ImportPlan, import_library, is_library};
use crate::output::Output;
use crate::present;

/// Import an answer library, or harvest a questionnaire you completed before
///
/// An answer library has a header row naming Question and Answer (or Response) columns, and
/// optionally Comment (Explanation, Notes), ID, Category (Tags), Audience, Owner, Reviewed.
/// Anything else is read as a completed questionnaire, in any layout `fill` understands: each
/// answered question becomes an entry; one the knowledge base already asks with the same answer
/// becomes a variant instead; one with a different answer is reported as a conflict. New entries
/// go to one new file answers/NAME.toml; the knowledge base is created if the folder is new.
///
/// Examples:
///   trustfill kb import answer-library.xlsx
///   trustfill kb import last-year-caiq-completed.xlsx --dry-run
///   trustfill kb import library.csv --kb ./our-kb --default-audience nda --owner grc@example.com
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The spreadsheet or Word document to import (.xlsx, .xlsm, .xls, .ods, .csv or .docx)
    pub library: PathBuf,

    /// Audience for rows that do not say
    #[arg(long, default_value = "public", value_parser = AudienceParser)]
    pub default_audience: Audience,

    /// Owner for rows that do not say (a team mailbox)
    #[arg(long)]
    pub owner: Option<String>,

    /// Name of the new answers file, without .toml [default: the spreadsheet's name]
    #[arg(long)]
    pub name: Option<String>,

    /// Show what would be created, updated, merged and in conflict; write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// For a library: a row whose id is already an entry updates that entry in place (the
    /// fields the spreadsheet fills in; an empty cell changes nothing), new ids become new
    /// entries, and entries the spreadsheet lacks are kept. The round trip of `kb export`
    #[arg(long)]
    pub update: bool,

    /// For a completed questionnaire: the day its answers were approved (YYYY-MM-DD), recorded
    /// as each new entry's `reviewed` [default: the workbook's last-modified date]
    #[arg(long, value_name = "DATE")]
    pub reviewed: Option<crate::date::Date>,

    #[command(flatten)]
    pub limits: crate::limits::LimitArgs,
}

pub fn run(args: Args, global: &GlobalArgs, out: &Output) -> anyhow::Result<()> {
    if !args.library.is_file() {
        return Err(crate::error::Error::NotAFile {
            path: args.library.clone(),
        }
        .into());
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
        owner: args.owner.or(global.settings()?.owner),
        name: args.name,
        limits: args.limits.limits(),
        today: global.today(),
        reviewed: args.reviewed,
        update: args.update,
        dry_run: args.dry_run,
    };
    let library = is_library(&plan.source, &plan.limits)?;
    if args.update && !library {
        anyhow::bail!(
            "--update applies to answer libraries (a header row naming question and answer columns); {} reads as a completed questionnaire, whose answers are merged without it",
            plan.source.display()
        );
    }
    if !library {
        let report = harvest(&plan, args.dry_run)
            .with_context(|| format!("cannot import {}", plan.source.display()))?;
        let text = present::harvest_text(&report, args.dry_run);
        if !text.is_empty() {
            crate::cmd::data_written(out.data(&text))?;
        }
        out.status(&present::harvest_summary(&plan, &report, args.dry_run));
        if let Some(settings) = &report.settings_created {
            out.status(&starter_note(settings));
        }
        return Ok(());
    }
    let report = import_library(&plan)
        .with_context(|| format!("cannot import {}", plan.source.display()))?;
    let diff = present::import_diff(&report);
    if !diff.is_empty() {
        crate::cmd::data_written(out.data(&diff))?;
    }
    if report.created_kb && !report.dry_run {
        out.status(&format!("created knowledge base {}", plan.kb.display()));
    }
    if let Some(settings) = &report.settings_created {
        out.status(&starter_note(settings));
    }
    out.status(&format!(
        "{} {} from sheet {:?} (header on row {}) into {}{}",
        if report.dry_run {
            "would import"
        } else {
            "imported"
        },
        crate::present::counted(
            report.entries,
            if plan.update { "new entry" } else { "entry" }
        ),
        report.sheet,
        report.header_row,
        report.written.display(),
        if plan.update {
            format!(
                "; {} {}, {} unchanged, {} not in the spreadsheet (kept)",
                crate::present::counted(report.updated.len(), "entry"),
                if report.dry_run {
                    "would change"
                } else {
                    "updated"
                },
                report.unchanged,
                report.not_in_sheet
            )
        } else {
            String::new()
        }
    ));
    if report.dry_run {
        out.status("dry run: nothing written");
    }
    if !report.skipped_without_answer.is_empty() {
        let cells: Vec<String> = report
            .skipped_without_answer
            .iter()
            .take(5)
            .map(|c| c.to_string())
            .collect();
        out.warn(&format!(
            "skipped {} without an answer (first: {})",
            crate::present::counted(report.skipped_without_answer.len(), "question"),
            cells.join(", ")
        ));
    }
    if !report.renamed.is_empty() {
        let shown: Vec<String> = report
            .renamed
            .iter()
            .take(5)
            .map(|(theirs, ours)| format!("{theirs} → {ours}"))
            .collect();
        out.status(&format!(
            "{} not entry ids; each entry got one from its question and keeps the library's as a reference (refs): {}{}",
            match report.renamed.len() {
                1 => "1 id was".to_string(),
                n => format!("{n} ids were"),
            },
            shown.join(", "),
            if report.renamed.len() > 5 { ", …" } else { "" }
        ));
    }
    if report.defaulted_audience > 0 {
        out.warn(&format!(
            "{} no audience and {} marked {}; review {} before sending answers",
            match report.defaulted_audience {
                1 => "1 entry had".to_string(),
                n => format!("{n} entries had"),
            },
            if report.defaulted_audience == 1 {
                "was"
            } else {
                "were"
            },
            plan.default_audience,
            if report.defaulted_audience == 1 {
                "it"
            } else {
                "them"
            }
        ));
    }
    Ok(())
}

/// What the user is told when a new knowledge base gets its starter `trustfill.toml`.
fn starter_note(settings: &std::path::Path) -> String {
    format!(
        "wrote {}: every setting commented out; set company, description and contact there before `trustfill publish`, and owner for new entries",
        settings.display()
    )
}
