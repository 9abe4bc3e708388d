//! The model folder and its BERT: loading, settings, identity and the forward pass (the
//! `semantic` feature).

use std::path::{Path, PathBuf};

use candle_core::DType;
use candle_nn::VarBuilder;
use serde::Deserialize;

use super::{BATCH_TOKENS, Embedder, Role, bert, unit};
use crate::error::{Error, Result};
use crate::hash::Fnv64;

pub use super::bert::Config as BertConfig;

/// How token vectors become one sentence vector (`1_Pooling/config.json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pooling {
    Mean,
    Cls,
    Max,
    MeanSqrtLen,
}

/// What a model folder says about how to use the model.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSettings {
    pub pooling: Pooling,
    pub normalize: bool,
    /// Tokens per text, at most (longer texts are cut).
    pub max_tokens: usize,
    pub query_prefix: String,
    pub passage_prefix: String,
    /// The precision the folder's `trustfill.toml` asks for; `None`: [`Precision::fastest`].
    pub precision: Option<Precision>,
}

/// The precision of the dense layers' products (the attention and the rest stay `f32`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// Full precision, on every CPU.
    F32,
    /// Inputs rounded to bfloat16, products on Intel AMX tiles with `f32` sums: 2.4 times as
    /// fast to embed a library, vectors within 0.0013 of `f32`'s per component (cosine to them
    /// ≥ 0.99997 over the shipped library). Only where the CPU has AMX; elsewhere `f32` runs.
    Bf16,
}

impl Precision {
    /// `bf16` where this CPU has AMX (and Linux lets the process use it), else `f32`.
    pub fn fastest() -> Precision {
        if amx_available() {
            Precision::Bf16
        } else {
            Precision::F32
        }
    }

    /// What runs when `self` is asked for on this CPU.
    fn effective(self) -> Precision {
        match self {
            Precision::Bf16 if !amx_available() => Precision::F32,
            p => p,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Precision::F32 => "f32",
            Precision::Bf16 => "bf16",
        }
    }
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
fn amx_available() -> bool {
    super::amx::available()
}

#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
fn amx_available() -> bool {
    false
}

/// Our own settings file in a model folder, for what sentence-transformers' files do not say.
pub const SETTINGS_FILE: &str = "trustfill.toml";

/// Vectors of some batches, by batch number.
type Batched = Vec<(usize, Vec<Vec<f32>>)>;

/// A loaded model, ready to embed.
pub struct Encoder {
    dir: PathBuf,
    bert: bert::Bert,
    tokenizer: tokenizers::Tokenizer,
    settings: ModelSettings,
    dim: usize,
    identity: String,
    precision: Precision,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder")
            .field("dir", &self.dir)
            .field("settings", &self.settings)
            .field("dim", &self.dim)
            .field("identity", &self.identity)
            .field("precision", &self.precision)
            .finish()
    }
}

fn model_error(path: &Path, message: impl Into<String>, hint: Option<&str>) -> Error {
    Error::Model {
        path: path.to_path_buf(),
        message: message.into(),
        hint: hint.map(str::to_string),
    }
}

const REINSTALL: &str = "install the model again with `trustfill model install` (or `--from DIR` for a folder you have)";

/// Read and parse a JSON file of the folder; `None` when it is absent and optional.
fn read_json<T: serde::de::DeserializeOwned>(dir: &Path, name: &str) -> Result<Option<T>> {
    let path = dir.join(name);
    if !path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io("cannot read", &path, e))?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| model_error(&path, format!("is not valid: {e}"), Some(REINSTALL)))
}

fn required(dir: &Path, name: &str) -> Result<PathBuf> {
    let path = dir.join(name);
    if path.is_file() {
        Ok(path)
    } else {
        Err(model_error(
            &path,
            "is missing: a model folder needs config.json, tokenizer.json and model.safetensors",
            Some(REINSTALL),
        ))
    }
}

#[derive(Deserialize)]
struct PoolingFile {
    #[serde(default)]
    pooling_mode_cls_token: bool,
    #[serde(default)]
    pooling_mode_mean_tokens: bool,
    #[serde(default)]
    pooling_mode_max_tokens: bool,
    #[serde(default)]
    pooling_mode_mean_sqrt_len_tokens: bool,
}

#[derive(Deserialize)]
struct ModuleEntry {
    #[serde(default)]
    path: String,
    #[serde(rename = "type", default)]
    kind: String,
}

#[derive(Deserialize)]
struct SentenceBertConfig {
    max_seq_length: Option<usize>,
}

#[derive(Deserialize, Default)]
struct SentenceTransformersConfig {
    #[serde(default)]
    prompts: std::collections::HashMap<String, String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct OwnSettings {
    query_prefix: Option<String>,
    passage_prefix: Option<String>,
    precision: Option<Precision>,
}

/// Refuse a path of `modules.json` that leaves the model folder (`"path": "../../etc"`, an
/// absolute path, or a link that resolves outside): a model folder is read as a whole, and
/// nothing it says may make trustfill read files elsewhere. `file` is the file read there.
fn inside(dir: &Path, path: &str, file: &str) -> Result<()> {
    use std::path::Component;
    let modules = dir.join("modules.json");
    let refuse = |why: &str| {
        Err(model_error(
            &modules,
            format!(
                "names the folder {path:?}, which {why}; a module's folder must be inside the model folder"
            ),
            Some(REINSTALL),
        ))
    };
    if !Path::new(path)
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return refuse("leaves the model folder");
    }
    let target = dir.join(file);
    if std::fs::symlink_metadata(&target).is_ok() {
        let (Ok(root), Ok(real)) = (dir.canonicalize(), target.canonicalize()) else {
            return refuse("cannot be resolved");
        };
        if !real.starts_with(&root) {
            return refuse(&format!("resolves to {}, outside it", real.display()));
        }
    }
    Ok(())
}

/// The settings a folder declares (files other than the weights and the tokenizer).
pub fn read_settings(dir: &Path, config: &BertConfig) -> Result<ModelSettings> {
    let modules: Vec<ModuleEntry> = read_json(dir, "modules.json")?.unwrap_or_default();
    let pooling_dir = modules
        .iter()
        .find(|m| m.kind.ends_with("Pooling"))
        .map_or("1_Pooling", |m| m.path.as_str());
    inside(dir, pooling_dir, &format!("{pooling_dir}/config.json"))?;
    let pooling = match read_json::<PoolingFile>(dir, &format!("{pooling_dir}/config.json"))? {
        None => Pooling::Mean,
        Some(p) if p.pooling_mode_mean_tokens => Pooling::Mean,
        Some(p) if p.pooling_mode_cls_token => Pooling::Cls,
        Some(p) if p.pooling_mode_max_tokens => Pooling::Max,
        Some(p) if p.pooling_mode_mean_sqrt_len_tokens => Pooling::MeanSqrtLen,
        Some(_) => {
            return Err(model_error(
                &dir.join(pooling_dir).join("config.json"),
                "names no pooling mode trustfill knows (mean, cls, max, mean_sqrt_len)",
                None,
            ));
        }
    };
    let normalize = modules.iter().any(|m| m.kind.ends_with("Normalize"));
    let max_tokens = read_json::<SentenceBertConfig>(dir, "sentence_bert_config.json")?
        .and_then(|c| c.max_seq_length)
        .unwrap_or(config.max_position_embeddings)
        .min(config.max_position_embeddings);
    let prompts =
        read_json::<SentenceTransformersConfig>(dir, "config_sentence_transformers.json")?
            .unwrap_or_default()
            .prompts;
    let own_path = dir.join(SETTINGS_FILE);
    // Read only from a regular file: a FIFO here would block every command that loads the model.
    let own: OwnSettings = match crate::kb::settings::read_regular(&own_path) {
        Ok(Some(text)) => toml::from_str(&text).map_err(|e| {
            model_error(
                &own_path,
                format!("is not valid: {}", e.message()),
                Some("it may hold query_prefix and passage_prefix, both strings, and precision, \"f32\" or \"bf16\""),
            )
        })?,
        Ok(None) => OwnSettings::default(),
        Err(e) => {
            return Err(model_error(
                &own_path,
                e.describe(),
                Some(
                    "replace it with a file holding query_prefix and passage_prefix, or remove it",
                ),
            ));
        }
    };
    let prompt = |keys: &[&str]| keys.iter().find_map(|k| prompts.get(*k).cloned());
    Ok(ModelSettings {
        pooling,
        normalize,
        max_tokens,
        query_prefix: own
            .query_prefix
            .or_else(|| prompt(&["query"]))
            .unwrap_or_default(),
        passage_prefix: own
            .passage_prefix
            .or_else(|| prompt(&["passage", "document"]))
            .unwrap_or_default(),
        precision: own.precision,
    })
}

/// A stable identity of a model folder, cheap to compute on every command: FNV-1a over the
/// configuration files, the tokenizer, the weight file's length and header (tensor names,
/// shapes, offsets) and 16 slices of its bytes spread over the file. Any other model, or the
/// same model re-trained, gets another identity, and the embeddings of the library are computed
/// again.
pub fn identity(dir: &Path) -> Result<String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut hash = Fnv64::new();
    for name in [
        "config.json",
        "tokenizer.json",
        "modules.json",
        "1_Pooling/config.json",
        "sentence_bert_config.json",
        "config_sentence_transformers.json",
        SETTINGS_FILE,
    ] {
        let path = dir.join(name);
        // Only regular files: reading a FIFO would block (`load` refuses one as settings).
        if !path.is_file() {
            continue;
        }
        if let Ok(bytes) = std::fs::read(&path) {
            hash.write(name.as_bytes());
            hash.write(&(bytes.len() as u64).to_le_bytes());
            hash.write(&bytes);
        }
    }
    let weights = required(dir, "model.safetensors")?;
    let mut file =
        std::fs::File::open(&weights).map_err(|e| Error::io("cannot read", &weights, e))?;
    let len = file
        .metadata()
        .map_err(|e| Error::io("cannot read", &weights, e))?
        .len();
    hash.write(&len.to_le_bytes());
    let mut slice = vec![0u8; 4096];
    for k in 0..16u64 {
        let at = (len.saturating_sub(slice.len() as u64)) * k / 15;
        file.seek(SeekFrom::Start(at))
            .and_then(|_| file.read(&mut slice))
            .map(|n| hash.write(&slice[..n]))
            .map_err(|e| Error::io("cannot read", &weights, e))?;
    }
    Ok(hash.hex())
}

impl Encoder {
    /// Load the model in `dir`. Every problem names the file it is in.
    pub fn load(dir: &Path) -> Result<Encoder> {
        Encoder::load_with(dir, None)
    }

    /// [`Encoder::load`] in the given precision, whatever the folder asks for (`bf16` runs
    /// only where the CPU has AMX).
    pub fn load_with(dir: &Path, precision: Option<Precision>) -> Result<Encoder> {
        if !dir.is_dir() {
            return Err(model_error(
                dir,
                "is not a model folder (it does not exist)",
                Some(
                    "install the default model with `trustfill model install`, or pass --no-model to match by words only",
                ),
            ));
        }
        let config_path = required(dir, "config.json")?;
        let tokenizer_path = required(dir, "tokenizer.json")?;
        let weights_path = required(dir, "model.safetensors")?;
        let config: BertConfig = read_json(dir, "config.json")?.expect("checked above");
        if let Some(kind) = &config.model_type
            && kind != "bert"
        {
            return Err(model_error(
                &config_path,
                format!(
                    "describes a {kind:?} model; trustfill runs BERT models (model_type \"bert\")"
                ),
                Some("all-MiniLM-L6-v2, bge-small-en-v1.5 and e5-small-v2 are BERT models"),
            ));
        }
        if config.num_attention_heads == 0
            || !config
                .hidden_size
                .is_multiple_of(config.num_attention_heads)
        {
            return Err(model_error(
                &config_path,
                "has a hidden_size that num_attention_heads does not divide",
                Some(REINSTALL),
            ));
        }
        let settings = read_settings(dir, &config)?;
        let mut tokenizer = tokenizers::Tokenizer::from_file(&tokenizer_path).map_err(|e| {
            model_error(
                &tokenizer_path,
                format!("cannot be read: {e}"),
                Some(REINSTALL),
            )
        })?;
        // Padding is ours to do per batch; the file's own (all-MiniLM-L6-v2 pads every text to
        // 128 tokens) would cost several times the work.
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(tokenizers::TruncationParams {
                max_length: settings.max_tokens,
                ..Default::default()
            }))
            .map_err(|e| model_error(&tokenizer_path, format!("cannot be set up: {e}"), None))?;
        let bytes =
            std::fs::read(&weights_path).map_err(|e| Error::io("cannot read", &weights_path, e))?;
        let weights_error = |e: candle_core::Error| {
            model_error(
                &weights_path,
                format!("does not hold the weights config.json describes: {e}"),
                Some(REINSTALL),
            )
        };
        let vb = VarBuilder::from_buffered_safetensors(bytes, DType::F32, &bert::device())
            .map_err(weights_error)?;
        let precision = precision
            .or(settings.precision)
            .map_or_else(Precision::fastest, Precision::effective);
        let bert =
            bert::Bert::load(vb, &config, precision == Precision::Bf16).map_err(weights_error)?;
        // Vectors of another precision are other vectors: never mixed in one cache.
        let identity = match (identity(dir)?, precision) {
            (base, Precision::F32) => base,
            (base, Precision::Bf16) => format!("{base}-bf16"),
        };
        Ok(Encoder {
            dir: dir.to_path_buf(),
            bert,
            tokenizer,
            settings,
            dim: config.hidden_size,
            identity,
            precision,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The precision the products run in.
    pub fn precision(&self) -> Precision {
        self.precision
    }

    pub fn settings(&self) -> &ModelSettings {
        &self.settings
    }

    /// One vector per text, in order. Texts are tokenized, sorted by length (so that batches
    /// hold like texts and end evenly) and run in batches of about [`BATCH_TOKENS`] tokens.
    pub fn encode(&self, texts: &[&str], role: Role) -> Result<Vec<Vec<f32>>> {
        let prefix = match role {
            Role::Query => &self.settings.query_prefix,
            Role::Passage => &self.settings.passage_prefix,
        };
        let mut tokens: Vec<(usize, Vec<u32>)> = Vec::with_capacity(texts.len());
        for (i, text) in texts.iter().enumerate() {
            let input = format!("{prefix}{text}");
            let encoding = self
                .tokenizer
                .encode_fast(input.as_str(), true)
                .map_err(|e| self.error(format!("cannot tokenize a text: {e}")))?;
            tokens.push((i, encoding.get_ids().to_vec()));
        }
        tokens.sort_by_key(|(_, ids)| ids.len());
        let mut out = vec![Vec::new(); texts.len()];
        let mut batches: Vec<&[(usize, Vec<u32>)]> = Vec::new();
        let (mut first, mut size) = (0, 0);
        for (i, (_, t)) in tokens.iter().enumerate() {
            size += t.len();
            if size >= BATCH_TOKENS || i + 1 == tokens.len() {
                batches.push(&tokens[first..=i]);
                (first, size) = (i + 1, 0);
            }
        }
        // One batch per core at a time: matrix products of a batch this size scale poorly over
        // cores (7.0 ms a question on 2 cores against 8.9 on one, measured with candle), so
        // `bert.rs` runs each on one thread and the cores work on separate batches.
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(batches.len().max(1));
        let next = std::sync::atomic::AtomicUsize::new(0);
        let work = || -> candle_core::Result<Batched> {
            let mut done = Vec::new();
            loop {
                let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(batch) = batches.get(k) else {
                    return Ok(done);
                };
                done.push((k, self.forward(batch)?));
            }
        };
        let results: Vec<candle_core::Result<Batched>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers).map(|_| scope.spawn(work)).collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(candle_core::Error::Msg("the encoder stopped".into()))
                    })
                })
                .collect()
        });
        for r in results {
            for (k, vectors) in r.map_err(|e| self.error(e.to_string()))? {
                for ((i, _), v) in batches[k].iter().zip(vectors) {
                    out[*i] = v;
                }
            }
        }
        Ok(out)
    }

    fn forward(&self, batch: &[(usize, Vec<u32>)]) -> candle_core::Result<Vec<Vec<f32>>> {
        let texts: Vec<&[u32]> = batch.iter().map(|(_, t)| t.as_slice()).collect();
        let rows = self.bert.forward(&texts)?;
        let hidden = self.bert.hidden();
        let mut start = 0;
        let mut out = Vec::with_capacity(texts.len());
        for text in &texts {
            let own = &rows[start * hidden..(start + text.len()) * hidden];
            start += text.len();
            let v = pool(own, hidden, self.settings.pooling);
            out.push(if self.settings.normalize { unit(v) } else { v });
        }
        Ok(out)
    }

    fn error(&self, message: String) -> Error {
        model_error(&self.dir, message, None)
    }
}

/// A text's token rows (`hidden` numbers each) → one vector.
fn pool(rows: &[f32], hidden: usize, pooling: Pooling) -> Vec<f32> {
    let tokens = rows.chunks_exact(hidden);
    let count = tokens.len().max(1) as f32;
    match pooling {
        Pooling::Cls => rows[..hidden.min(rows.len())].to_vec(),
        Pooling::Mean | Pooling::MeanSqrtLen => {
            let mut sum = vec![0.0f32; hidden];
            for row in tokens {
                sum.iter_mut().zip(row).for_each(|(s, x)| *s += x);
            }
            let divisor = if pooling == Pooling::Mean {
                count
            } else {
                count.sqrt()
            };
            sum.iter_mut().for_each(|s| *s /= divisor);
            sum
        }
        Pooling::Max => {
            let mut max = vec![f32::MIN; hidden];
            for row in tokens {
                max.iter_mut().zip(row).for_each(|(m, &x)| *m = m.max(x));
            }
            max
        }
    }
}

impl Embedder for Encoder {
    fn embed(&self, texts: &[&str], role: Role) -> Result<Vec<Vec<f32>>> {
        self.encode(texts, role)
    }

    fn identity(&self) -> &str {
        &self.identity
    }

    fn dim(&self) -> usize {
        self.dim
    }
}
