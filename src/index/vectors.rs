//! The semantic half of the index: for one model, a vector for every phrasing of every entry
//! (its question and variants, embedded as queries) and one for its whole text (question,
//! answer and comment, embedded as a passage). Stored beside the tantivy index as
//! `vectors-<model identity>.bin`, so another model gets its own file and the same model is
//! never embedded twice over the same library.
//!
//! Computing them is the slow part of a build, so every vector is also kept in a cache keyed by
//! a hash of its text (`.trustfill-index/vectors-<model>.cache`): editing one entry embeds that
//! entry's texts again and nothing else.
//!
//! A question's similarity to an entry is the mean of its best cosine with a phrasing and its
//! cosine with the whole text (the semantic-matching study: each of the two carries something
//! the other lacks; their mean was 0.07 top-1 above either).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::encoder::{Embedder, Role, unit};
use crate::error::{Error, Result};
use crate::hash::Fnv64;
use crate::kb::{Audience, KbEntry};

const MAGIC: &[u8; 4] = b"TFV1";

/// One entry's rows in [`EntryVectors::data`].
#[derive(Debug, Clone, PartialEq)]
pub struct VectorEntry {
    pub id: String,
    pub audience: Audience,
    /// First row of its phrasings; the whole text's row follows the last phrasing.
    pub first: u32,
    pub phrasings: u32,
}

impl VectorEntry {
    fn full_row(&self) -> usize {
        (self.first + self.phrasings) as usize
    }
}

/// Every entry's vectors for one model, unit length, row after row.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryVectors {
    pub dim: usize,
    pub entries: Vec<VectorEntry>,
    pub data: Vec<f32>,
    by_id: HashMap<String, usize>,
}

/// A question's similarity to the library, for one reader.
#[derive(Debug, Clone, Default)]
pub struct SemanticScores {
    /// Similarity of every entry the reader may see, by id.
    pub by_id: HashMap<String, f32>,
    /// Their mean and standard deviation, to express one as a z-score.
    pub mean: f32,
    pub std: f32,
    /// The most similar entries the reader may see, best first.
    pub top: Vec<(String, f32)>,
}

impl SemanticScores {
    /// How many standard deviations `sim` lies above the library's mean for this question:
    /// raw cosines differ too much between questions to be compared, z-scores do not.
    pub fn z(&self, sim: f32) -> f32 {
        (sim - self.mean) / self.std.max(1e-6)
    }
}

/// The text of an entry embedded as a passage: what it asks, answers and explains.
fn full_text(e: &KbEntry) -> String {
    match &e.answer {
        Some(a) => format!("{}\n{a}\n{}", e.question, e.comment),
        None => format!("{}\n{}", e.question, e.comment),
    }
}

fn text_key(role: Role, text: &str) -> u64 {
    let mut h = Fnv64::new();
    h.write(&[role as u8]);
    h.write(text.as_bytes());
    h.finish()
}

impl EntryVectors {
    fn new(dim: usize, entries: Vec<VectorEntry>, data: Vec<f32>) -> EntryVectors {
        let by_id = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        EntryVectors {
            dim,
            entries,
            data,
            by_id,
        }
    }

    /// Embed every entry, taking what `cache` already holds; returns the vectors and the
    /// cache's new content (the texts in use). `progress(done, total)` counts texts embedded.
    pub fn compute(
        entries: &[KbEntry],
        embedder: &dyn Embedder,
        cache: &HashMap<u64, Vec<f32>>,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<(EntryVectors, HashMap<u64, Vec<f32>>)> {
        let dim = embedder.dim();
        // Every text with its role, in row order.
        let mut texts: Vec<(Role, String)> = Vec::new();
        let mut rows = Vec::with_capacity(entries.len());
        for e in entries {
            let first = texts.len() as u32;
            texts.extend(
                e.phrasings()
                    .map(|p| (Role::Query, crate::text::clean_question(p))),
            );
            let phrasings = texts.len() as u32 - first;
            texts.push((Role::Passage, full_text(e)));
            rows.push(VectorEntry {
                id: e.id.clone(),
                audience: e.audience,
                first,
                phrasings,
            });
        }
        let keys: Vec<u64> = texts.iter().map(|(r, t)| text_key(*r, t)).collect();
        let mut known: HashMap<u64, Vec<f32>> = HashMap::new();
        for k in &keys {
            if let Some(v) = cache.get(k).filter(|v| v.len() == dim) {
                known.insert(*k, v.clone());
            }
        }
        // What is missing, once per distinct text, by role.
        let mut missing: Vec<(u64, Role, &str)> = Vec::new();
        let mut queued = std::collections::HashSet::new();
        for ((role, text), k) in texts.iter().zip(&keys) {
            if !known.contains_key(k) && queued.insert(*k) {
                missing.push((*k, *role, text));
            }
        }
        let total = missing.len();
        let mut done = 0;
        for role in [Role::Query, Role::Passage] {
            let batch: Vec<&(u64, Role, &str)> =
                missing.iter().filter(|(_, r, _)| *r == role).collect();
            // Calls of 256 texts: each call's last batch leaves a core idle, so fewer calls are
            // faster (64 texts a call: 3.9 s for the shipped library; 256: 3.55 s), and
            // progress is still reported every few seconds.
            for chunk in batch.chunks(256) {
                let strs: Vec<&str> = chunk.iter().map(|(_, _, t)| *t).collect();
                let vectors = embedder.embed(&strs, role)?;
                for ((k, _, _), v) in chunk.iter().zip(vectors) {
                    known.insert(*k, unit(v));
                }
                done += chunk.len();
                progress(done, total);
            }
        }
        let mut data = Vec::with_capacity(keys.len() * dim);
        for k in &keys {
            data.extend_from_slice(&known[k]);
        }
        Ok((EntryVectors::new(dim, rows, data), known))
    }

    fn row(&self, r: usize) -> &[f32] {
        &self.data[r * self.dim..(r + 1) * self.dim]
    }

    /// Similarity of entry `i` to the unit vector `q`.
    fn similarity(&self, i: usize, q: &[f32]) -> f32 {
        let e = &self.entries[i];
        let dot = |r: usize| self.row(r).iter().zip(q).map(|(a, b)| a * b).sum::<f32>();
        let best = (e.first as usize..e.full_row())
            .map(dot)
            .fold(f32::MIN, f32::max);
        let full = dot(e.full_row());
        if e.phrasings == 0 {
            full
        } else {
            0.5 * (best + full)
        }
    }

    /// How many other entries `audience` may see are at least as similar to the vector `q` as
    /// the entry `id` is (0: it is the nearest, alone); None when `id` has no vectors or is
    /// above the audience.
    pub fn rank_of(&self, q: &[f32], audience: Audience, id: &str) -> Option<usize> {
        let &target = self.by_id.get(id)?;
        if !self.entries[target].audience.visible_to(audience) {
            return None;
        }
        let q = unit(q.to_vec());
        let sim = self.similarity(target, &q);
        Some(
            self.entries
                .iter()
                .enumerate()
                .filter(|(i, e)| {
                    *i != target
                        && e.audience.visible_to(audience)
                        && self.similarity(*i, &q) >= sim
                })
                .count(),
        )
    }

    /// How many entries `audience` may see.
    pub fn visible(&self, audience: Audience) -> usize {
        self.entries
            .iter()
            .filter(|e| e.audience.visible_to(audience))
            .count()
    }

    /// The question vector `q` against every entry `audience` may see; the `top` best kept.
    /// Entries above the reader's audience are never scored, so they never become candidates.
    pub fn scores(&self, q: &[f32], audience: Audience, top: usize) -> SemanticScores {
        let q = unit(q.to_vec());
        let mut by_id = HashMap::with_capacity(self.entries.len());
        let mut all: Vec<(usize, f32)> = Vec::with_capacity(self.entries.len());
        for (i, e) in self.entries.iter().enumerate() {
            if !e.audience.visible_to(audience) {
                continue;
            }
            let s = self.similarity(i, &q);
            all.push((i, s));
            by_id.insert(e.id.clone(), s);
        }
        let n = all.len().max(1) as f32;
        let mean = all.iter().map(|(_, s)| s).sum::<f32>() / n;
        let var = all.iter().map(|(_, s)| (s - mean).powi(2)).sum::<f32>() / n;
        let k = top.min(all.len());
        if k > 0 && k < all.len() {
            all.select_nth_unstable_by(k - 1, |a, b| b.1.total_cmp(&a.1));
            all.truncate(k);
        }
        all.sort_by(|a, b| b.1.total_cmp(&a.1));
        SemanticScores {
            by_id,
            mean,
            std: var.sqrt(),
            top: all
                .into_iter()
                .map(|(i, s)| (self.entries[i].id.clone(), s))
                .collect(),
        }
    }

    pub fn contains(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    /// Write to `path` through a temporary file and a rename.
    pub fn save(&self, path: &Path) -> Result<()> {
        let mut out = Vec::with_capacity(16 + self.data.len() * 4);
        out.extend_from_slice(MAGIC);
        for n in [
            self.dim,
            self.entries.len(),
            self.data.len() / self.dim.max(1),
        ] {
            out.extend_from_slice(&(n as u32).to_le_bytes());
        }
        for e in &self.entries {
            out.extend_from_slice(&(e.id.len() as u32).to_le_bytes());
            out.extend_from_slice(e.id.as_bytes());
            out.push(e.audience as u8);
            out.extend_from_slice(&e.first.to_le_bytes());
            out.extend_from_slice(&e.phrasings.to_le_bytes());
        }
        for x in &self.data {
            out.extend_from_slice(&x.to_le_bytes());
        }
        write_atomic(path, &out)
    }

    /// Read what [`EntryVectors::save`] wrote; None when the file is absent or damaged (it is
    /// then computed again).
    pub fn load(path: &Path) -> Option<EntryVectors> {
        let bytes = std::fs::read(path).ok()?;
        let mut r = Reader(&bytes);
        if r.take(4)? != MAGIC {
            return None;
        }
        let (dim, n_entries, n_rows) = (r.u32()? as usize, r.u32()? as usize, r.u32()? as usize);
        let mut entries = Vec::with_capacity(n_entries);
        for _ in 0..n_entries {
            let len = r.u32()? as usize;
            let id = String::from_utf8(r.take(len)?.to_vec()).ok()?;
            let audience = *Audience::ALL.get(usize::from(r.take(1)?[0]))?;
            let (first, phrasings) = (r.u32()?, r.u32()?);
            if (first + phrasings) as usize >= n_rows {
                return None;
            }
            entries.push(VectorEntry {
                id,
                audience,
                first,
                phrasings,
            });
        }
        let data: Vec<f32> = r
            .take(n_rows.checked_mul(dim)?.checked_mul(4)?)?
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        if !r.0.is_empty() {
            return None;
        }
        Some(EntryVectors::new(dim, entries, data))
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Option<u64> {
        self.take(8).map(|b| {
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            u64::from_le_bytes(a)
        })
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut tmp = crate::atomic::temp_beside(path)?;
    tmp.write_all(bytes)
        .map_err(|e| Error::io("cannot write", tmp.path().to_path_buf(), e))?;
    crate::atomic::publish(tmp, path, true)
}

/// The vectors file of `model` in the index folder `dir`.
pub fn vectors_path(dir: &Path, model: &str) -> PathBuf {
    dir.join(format!("vectors-{model}.bin"))
}

/// The text-hash cache of `model` in the cache folder.
/// The key of a questionnaire question's text embedded as a query, in the query cache.
pub fn query_key(text: &str) -> u64 {
    text_key(Role::Query, text)
}

/// Where the vectors of questionnaires' questions are kept for one model (see
/// `matcher::embed_questions`).
pub fn query_cache_path(cache: &Path, model: &str) -> PathBuf {
    cache.join(format!("queries-{model}.cache"))
}

pub fn cache_path(cache: &Path, model: &str) -> PathBuf {
    cache.join(format!("vectors-{model}.cache"))
}

/// Read a cache file: `dim`, then (hash, vector) records. Empty when absent or damaged.
pub fn load_cache(path: &Path) -> HashMap<u64, Vec<f32>> {
    let Ok(bytes) = std::fs::read(path) else {
        return HashMap::new();
    };
    let mut r = Reader(&bytes);
    let mut out = HashMap::new();
    if r.take(4) != Some(b"TFC1".as_slice()) {
        return out;
    }
    let Some(dim) = r.u32() else {
        return out;
    };
    let dim = dim as usize;
    while !r.0.is_empty() {
        let (Some(k), Some(raw)) = (r.u64(), r.take(dim * 4)) else {
            return HashMap::new();
        };
        let v = raw
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        out.insert(k, v);
    }
    out
}

/// Write a cache file (see [`load_cache`]).
pub fn save_cache(path: &Path, dim: usize, cache: &HashMap<u64, Vec<f32>>) -> Result<()> {
    let mut out = Vec::with_capacity(8 + cache.len() * (8 + dim * 4));
    out.extend_from_slice(b"TFC1");
    out.extend_from_slice(&(dim as u32).to_le_bytes());
    let mut keys: Vec<&u64> = cache.keys().collect();
    keys.sort();
    for k in keys {
        out.extend_from_slice(&k.to_le_bytes());
        for x in &cache[k] {
            out.extend_from_slice(&x.to_le_bytes());
        }
    }
    write_atomic(path, &out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, audience: Audience, first: u32, phrasings: u32) -> VectorEntry {
        VectorEntry {
            id: id.to_string(),
            audience,
            first,
            phrasings,
        }
    }

    /// Three public entries at similarity 1, 0 and 0.5 to [1, 0], and one internal entry
    /// identical to the question.
    fn library() -> EntryVectors {
        let s = 0.5f32;
        let c = (1.0 - s * s).sqrt();
        EntryVectors::new(
            2,
            vec![
                entry("a", Audience::Public, 0, 0),
                entry("b", Audience::Public, 1, 0),
                entry("c", Audience::Public, 2, 0),
                entry("secret", Audience::Internal, 3, 0),
            ],
            vec![1.0, 0.0, 0.0, 1.0, s, c, 1.0, 0.0],
        )
    }

    #[test]
    fn rank_of_counts_the_nearer_entries_the_reader_may_see() {
        let v = library();
        // "secret" is identical to [1, 0] and nearer than "c", but a public reader never sees it.
        assert_eq!(v.rank_of(&[1.0, 0.0], Audience::Public, "a"), Some(0));
        assert_eq!(v.rank_of(&[1.0, 0.0], Audience::Public, "c"), Some(1));
        assert_eq!(v.rank_of(&[1.0, 0.0], Audience::Internal, "c"), Some(2));
        assert_eq!(v.rank_of(&[1.0, 0.0], Audience::Public, "b"), Some(2));
        assert_eq!(v.rank_of(&[0.0, 1.0], Audience::Public, "b"), Some(0));
        assert_eq!(v.rank_of(&[1.0, 0.0], Audience::Public, "secret"), None);
        assert_eq!(
            v.rank_of(&[1.0, 0.0], Audience::Internal, "a"),
            Some(1),
            "a tie counts"
        );
        assert_eq!(v.rank_of(&[1.0, 0.0], Audience::Internal, "missing"), None);
        assert_eq!(v.visible(Audience::Public), 3);
        assert_eq!(v.visible(Audience::Internal), 4);
    }

    #[test]
    fn scores_rank_what_the_reader_may_see_with_the_spread_of_the_library() {
        let v = library();
        let scores = v.scores(&[2.0, 0.0], Audience::Public, 2);
        let top: Vec<&str> = scores.top.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(top, ["a", "c"]);
        assert!((scores.top[0].1 - 1.0).abs() < 1e-6);
        assert!((scores.top[1].1 - 0.5).abs() < 1e-6);
        assert!((scores.mean - 0.5).abs() < 1e-6, "{}", scores.mean);
        let std = (1.0f32 / 6.0).sqrt();
        assert!((scores.std - std).abs() < 1e-5, "{}", scores.std);
        assert_eq!(scores.by_id.len(), 3);
        assert!(!scores.by_id.contains_key("secret"));
        assert!((scores.z(1.0) - 0.5 / std).abs() < 1e-4);

        let all = v.scores(&[1.0, 0.0], Audience::Public, 10);
        let top: Vec<&str> = all.top.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(top, ["a", "c", "b"]);

        let internal = v.scores(&[1.0, 0.0], Audience::Internal, 2);
        assert_eq!(internal.by_id.len(), 4);
        assert!(internal.top.iter().any(|(id, _)| id == "secret"));
    }

    #[test]
    fn an_entry_with_phrasings_scores_the_mean_of_its_best_phrasing_and_its_whole_text() {
        // Phrasings at rows 0 (orthogonal) and 1 (identical), whole text at row 2 (0.5).
        let s = 0.5f32;
        let v = EntryVectors::new(
            2,
            vec![entry("e", Audience::Public, 0, 2)],
            vec![0.0, 1.0, 1.0, 0.0, s, (1.0 - s * s).sqrt()],
        );
        let scores = v.scores(&[1.0, 0.0], Audience::Public, 1);
        assert!((scores.by_id["e"] - 0.75).abs() < 1e-6);
    }

    #[test]
    fn saved_vectors_load_back_and_damage_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.bin");
        let v = library();
        v.save(&path).unwrap();
        assert_eq!(EntryVectors::load(&path), Some(v));
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.truncate(bytes.len() - 3);
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(EntryVectors::load(&path), None);
    }
}
