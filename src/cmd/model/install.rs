use std::path::PathBuf;

use super::GlobalArgs;
use crate::output::Output;

/// Install the sentence-encoder model that semantic matching uses
///
/// Downloads sentence-transformers/all-MiniLM-L6-v2 (90 MB) from the Hugging Face hub into
/// trustfill's data folder and checks every file against the checksums trustfill knows. After
/// this, nothing leaves the machine: questions are embedded in this process. With --from, copies
/// a model folder you already have (any sentence-transformers BERT model: all-MiniLM-L6-v2,
/// bge-small-en-v1.5, e5-small-v2 …) instead; a folder whose files match the default model's
/// checksums becomes the default, whatever it is called. Another model is installed beside it
/// (models/OWNER--NAME for --repo) and used with --model DIR. HF_ENDPOINT (or --endpoint) points
/// at a mirror; HTTPS_PROXY is honoured.
///
/// Examples:
///   trustfill model install
///   trustfill model install --from ~/models/all-MiniLM-L6-v2
///   trustfill model install --from ~/models/e5-small-v2 --query-prefix "query: " --passage-prefix "passage: "
///   HF_ENDPOINT=https://hf-mirror.example.com trustfill model install
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Install this local model folder instead of downloading
    #[arg(long, value_name = "DIR")]
    pub from: Option<PathBuf>,

    /// The hub repository to download [default: sentence-transformers/all-MiniLM-L6-v2]
    #[arg(long, value_name = "OWNER/NAME", conflicts_with = "from")]
    pub repo: Option<String>,

    /// The repository revision (branch, tag or commit)
    #[arg(long, default_value = "main", conflicts_with = "from")]
    pub revision: String,

    /// The hub to download from [default: $HF_ENDPOINT, else https://huggingface.co]
    #[arg(long, value_name = "URL", conflicts_with = "from")]
    pub endpoint: Option<String>,

    /// Prefix for questions, for models trained with one (e5: "query: ")
    #[arg(long, value_name = "TEXT")]
    pub query_prefix: Option<String>,

    /// Prefix for answers, for models trained with one (e5: "passage: ")
    #[arg(long, value_name = "TEXT")]
    pub passage_prefix: Option<String>,
}

#[cfg(feature = "semantic")]
pub fn run(args: Args, global: &GlobalArgs, out: &Output) -> anyhow::Result<()> {
    use anyhow::Context;

    use crate::model::{self, HubSource};
    let mut source = HubSource::default_model();
    if let Some(repo) = &args.repo {
        source.repo = repo.clone();
    }
    if let Some(endpoint) = &args.endpoint {
        source.endpoint = endpoint.clone();
    }
    source.revision = args.revision.clone();
    // Checked before anything is downloaded or written: the id names the install folder.
    model::validate_repo(&source.repo)?;
    let models = model::models_dir().context(
        "cannot tell where to install: set TRUSTFILL_HOME (or HOME) to a folder trustfill may write",
    )?;
    let prefixes = model::Prefixes {
        query: args.query_prefix.clone(),
        passage: args.passage_prefix.clone(),
    };
    let today = global.today().to_string();
    let installed = match &args.from {
        Some(dir) => model::install_from_dir(dir, &models, &today, &prefixes)
            .with_context(|| format!("cannot install the model folder {}", dir.display()))?,
        None => {
            out.status(&format!(
                "downloading {} ({}) from {}",
                source.repo, source.revision, source.endpoint
            ));
            model::install_from_hub(&source, &models, &today, &prefixes, &mut |done, total| {
                out.bar("downloading", done as usize, total as usize)
            })
            .with_context(|| format!("cannot install {}", source.repo))?
        }
    };
    let record = &installed.record;
    let bytes: u64 = record.files.iter().map(|f| f.1).sum();
    let files = crate::present::counted(record.files.len(), "file");
    let dest = installed.dest.display();
    let checked = match (installed.default, args.from.is_some()) {
        (true, _) if record.files.len() == 1 => format!("{files} matches the pinned checksums"),
        (true, _) => format!("{files} match the pinned checksums"),
        (false, true) => format!(
            "{files} copied; not the default model: use --model {dest} or set TRUSTFILL_MODEL"
        ),
        (false, false) => format!("{files} checked against the hub's listing"),
    };
    out.status(&format!(
        "installed {} ({:.0} MB, {checked}) in {dest}",
        record.source,
        bytes as f64 / 1e6,
    ));
    if installed.default && args.from.is_some() {
        out.status(&format!(
            "recognised as {} by its checksums: semantic matching now uses it",
            model::DEFAULT_REPO
        ));
    } else if !installed.default && args.from.is_none() {
        out.note(&format!(
            "trustfill uses the default model ({}) unless told otherwise: pass --model {dest} or set TRUSTFILL_MODEL to use this one",
            model::DEFAULT_REPO
        ));
    }
    Ok(())
}

#[cfg(not(feature = "semantic"))]
pub fn run(_args: Args, _global: &GlobalArgs, _out: &Output) -> anyhow::Result<()> {
    anyhow::bail!(
        "this trustfill was built without semantic matching (--no-default-features); build it with the default features to install a model"
    )
}
