use super::GlobalArgs;
use crate::output::Output;

/// Show which sentence-encoder model semantic matching uses, where it is and its size
///
/// Examples:
///   trustfill model status
///   trustfill model status --json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Print the status as one JSON object
    #[arg(long)]
    pub json: bool,
}

#[cfg(feature = "semantic")]
pub fn run(args: Args, global: &GlobalArgs, out: &Output) -> anyhow::Result<()> {
    use crate::encoder::Embedder;
    use crate::model::{self, Choice};
    let default_dir = model::install_dir(model::DEFAULT_REPO);
    let (state, dir, why) = match model::choose(global.model.as_deref(), global.no_model) {
        Choice::Off(why) => ("off", None, why),
        Choice::NotInstalled => ("not installed", None, "no model installed or given"),
        Choice::Use(dir, why) => ("on", Some(dir), why),
    };
    let loaded = dir.as_deref().map(crate::encoder::Encoder::load);
    let record = dir.as_deref().and_then(model::record);
    let size = dir.as_deref().map(model::size_on_disk);
    if args.json {
        let json = serde_json::json!({
            "semantic_matching": state,
            "why": why,
            "model": dir.as_ref().map(|d| d.display().to_string()),
            "bytes": size,
            "loads": loaded.as_ref().map(|l| l.is_ok()),
            "error": loaded.as_ref().and_then(|l| l.as_ref().err()).map(|e| e.to_string()),
            "identity": loaded.as_ref().and_then(|l| l.as_ref().ok()).map(|e| e.identity().to_string()),
            "dimensions": loaded.as_ref().and_then(|l| l.as_ref().ok()).map(|e| e.dim()),
            "precision": loaded.as_ref().and_then(|l| l.as_ref().ok()).map(|e| e.precision().name()),
            "source": record.as_ref().map(|r| r.source.clone()),
            "installed": record.as_ref().map(|r| r.installed.clone()),
            "default_location": default_dir.as_ref().map(|d| d.display().to_string()),
        });
        super::super::data_written(out.data(&json.to_string()))?;
        return Ok(());
    }
    let mut text = format!("semantic matching: {state} ({why})\n");
    match &dir {
        Some(d) => {
            text.push_str(&format!("model:     {}\n", d.display()));
            if let Some(bytes) = size {
                text.push_str(&format!(
                    "size:      {:.0} MB on disk\n",
                    bytes as f64 / 1e6
                ));
            }
            if let Some(r) = &record {
                text.push_str(&format!(
                    "installed: {} from {}{}\n",
                    r.installed,
                    r.source,
                    r.revision
                        .as_deref()
                        .map(|v| format!(" ({v})"))
                        .unwrap_or_default()
                ));
            }
            match loaded {
                Some(Ok(e)) => text.push_str(&format!(
                    "loads:     yes ({} dimensions, identity {}, products in {})\n",
                    e.dim(),
                    e.identity(),
                    match e.precision() {
                        crate::encoder::Precision::Bf16 => "bf16 on AMX tiles",
                        crate::encoder::Precision::F32 => "f32",
                    }
                )),
                Some(Err(e)) => text.push_str(&format!("loads:     no: {e}\n")),
                None => {}
            }
        }
        None => {
            if let Some(d) = &default_dir {
                text.push_str(&format!(
                    "`trustfill model install` would put the default model in {}\n",
                    d.display()
                ));
            }
        }
    }
    super::super::data_written(out.data(&text))?;
    Ok(())
}

#[cfg(not(feature = "semantic"))]
pub fn run(_args: Args, _global: &GlobalArgs, out: &Output) -> anyhow::Result<()> {
    super::super::data_written(
        out.data("semantic matching: not available (built with --no-default-features)"),
    )?;
    Ok(())
}
