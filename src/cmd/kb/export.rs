use std::path::PathBuf;

use anyhow::Context;

use super::GlobalArgs;
use crate::kb::KnowledgeBase;
use crate::ops::stats::export;
use crate::output::Output;

/// Write the knowledge base to a spreadsheet, one row per answer, for review in Excel
///
/// The columns (ID, Question, Variants, Answer, Comment, Tags, Audience, Owner, Reviewed,
/// Source) are the ones `kb import` reads, so an edited export can be imported again.
///
/// Examples:
///   trustfill kb export -o library.xlsx
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Where to write
    #[arg(long, short, default_value = "knowledge-base-export.xlsx")]
    pub output: PathBuf,

    /// Replace an existing file
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: Args, global: &GlobalArgs, out: &Output) -> anyhow::Result<()> {
    if args.output.exists() && !args.force {
        anyhow::bail!(
            "{} already exists; pass --force to replace it",
            args.output.display()
        );
    }
    let kb = KnowledgeBase::load(&global.kb)
        .with_context(|| format!("cannot load knowledge base {}", global.kb.display()))?;
    let mut tmp = crate::atomic::temp_beside(&args.output)?;
    let rows = export(&kb, tmp.as_file_mut(), &args.output)?;
    crate::atomic::publish(tmp, &args.output, true)?;
    out.status(&format!(
        "wrote {rows} entries to {}",
        args.output.display()
    ));
    Ok(())
}
