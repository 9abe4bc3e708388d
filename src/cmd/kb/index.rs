use anyhow::Context;

use super::GlobalArgs;
use crate::index::KbIndex;
use crate::output::Output;
use crate::present;

/// Rebuild the search index from the knowledge base
///
/// Every command rebuilds a stale index by itself; this forces a rebuild, for example after
/// upgrading trustfill or to check that the knowledge base loads.
///
/// Examples:
///   trustfill kb index
///   trustfill kb index --kb ./our-kb
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {}

pub fn run(_args: Args, global: &GlobalArgs, out: &Output) -> anyhow::Result<()> {
    let model = global.model(out)?;
    let (index, freshness) = KbIndex::rebuild(&global.kb, model, &mut |done, total| {
        out.bar("embedding the library", done, total)
    })
    .with_context(|| format!("cannot index knowledge base {}", global.kb.display()))?;
    present::freshness(out, &index, freshness);
    Ok(())
}
