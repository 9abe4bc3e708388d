//! Sentence embeddings from a sentence-transformers model folder, run in this process on the CPU.
//!
//! A folder holds `config.json` (a BERT configuration), `tokenizer.json`, `model.safetensors`,
//! and optionally `1_Pooling/config.json` (how token vectors become one vector: mean, CLS, max
//! or mean/√len; mean when absent), `modules.json` (normalised to unit length when it lists a
//! `Normalize` module), `sentence_bert_config.json` (`max_seq_length`) and prompts for queries
//! and passages, from `config_sentence_transformers.json` or our own `trustfill.toml`
//! (e5 models want `query: ` and `passage: `). [`Encoder::load`] reads it all and says what is
//! wrong with a folder, by file, when it cannot.
//!
//! This module knows nothing of knowledge bases, indexes or questionnaires: texts in, vectors
//! out. Where models come from is [`crate::model`]; the library's vectors are kept by
//! [`crate::index::vectors`] and used by [`crate::matcher`].

#[cfg(all(feature = "semantic", target_arch = "x86_64", target_os = "linux"))]
mod amx;
#[cfg(feature = "semantic")]
mod bert;
#[cfg(feature = "semantic")]
mod folder;

#[cfg(feature = "semantic")]
pub use folder::*;

use crate::error::Result;

/// Tokens per forward pass, about: texts are not padded, so a batch costs its tokens; 256–512
/// were fastest on the shipped library (3.55 s to embed it, against 3.75 s at 128 and 1024).
pub const BATCH_TOKENS: usize = 512;

/// What a text is, for models that prefix queries and passages differently (e5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A question: what is asked, and the phrasings of the library's questions.
    Query,
    /// A passage that may answer: an entry's answer and comment.
    Passage,
}

/// Anything that turns texts into vectors of one length: the [`Encoder`] of a model folder
/// (with the `semantic` feature), or a stand-in in tests.
pub trait Embedder: Send + Sync {
    /// One vector per text, in order.
    fn embed(&self, texts: &[&str], role: Role) -> Result<Vec<Vec<f32>>>;
    /// A stable identity: another model, or the same model changed, has another.
    fn identity(&self) -> &str;
    /// Length of every vector.
    fn dim(&self) -> usize;
}

/// `v` scaled to unit length (a zero vector stays zero).
pub fn unit(mut v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    v.iter_mut().for_each(|x| *x /= norm);
    v
}

/// Cosine similarity of two vectors (their dot product when both are unit length).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (mut dot, mut na, mut nb) = (0.0f32, 0.0f32, 0.0f32);
    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    dot / (na.sqrt() * nb.sqrt()).max(1e-12)
}
