//! The measurements behind a confidence: how well an entry's phrasings, answer, comment and tags cover
//! the question, and how the rankings placed it (see the module documentation of [`super`]).

use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;

use super::termset::TermSet;
use super::{GENERIC_WEIGHT, POLICY_RANK_FACTOR, Prepared, WORDS_WEIGHT};
use crate::kb::EntryKind;
use crate::text;

/// The measurements behind a confidence, kept for calibration and for explaining a score.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Signals {
    pub bm25: f32,
    pub bm25_ratio: f32,
    /// BM25 of the plain-words ranking (one field, no stemming, stop words or thesaurus) over
    /// its best score for the query; 0 when that ranking does not have the entry in its top.
    pub words_ratio: f32,
    pub query_coverage: f32,
    pub entry_coverage: f32,
    pub comment_coverage: f32,
    pub quality: f32,
    pub rank: f32,
    pub margin: f32,
    /// 1 when the question asks for a value or a name and the entry answers only Yes/No.
    pub answer_mismatch: f32,
    /// 1 when the question asks for a yes or no ("Is … encrypted?") and the entry's answer is a
    /// value ("AES-256"): usually an entry about a detail of the topic.
    pub value_for_yes_no: f32,
    /// Share (IDF-weighted) of the question's terms the entry does not use anywhere (question,
    /// variants, answer, comment, tags): near misses ask for a specific the entry does not mention
    /// ("click rate", "certification body").
    pub uncovered: f32,
    /// `words_ratio` minus the best other candidate's: how clearly the plain-words ranking
    /// agrees that this candidate is the one.
    pub words_margin: f32,
    /// With a model: the question's similarity to the entry (the mean of its best cosine with a
    /// phrasing and its cosine with the whole entry); 0 without one.
    pub semantic: f32,
    /// That similarity as a z-score over every entry the reader may see: how far this entry
    /// stands out for this question.
    pub semantic_z: f32,
    /// `semantic` minus the best other candidate's.
    pub semantic_margin: f32,
}

impl Signals {
    /// How alike the question and the entry's best phrasing are, both ways: the lower of the two
    /// coverages. A one-word question is trivially covered by many entries, so one direction is
    /// not enough. Used to decide "the same question" (kb check, kb add, harvest), never for
    /// ranking.
    pub fn alike(&self) -> f32 {
        self.query_coverage.min(self.entry_coverage)
    }
}

/// [`GENERIC_WEIGHT`] for a generic questionnaire term, 1 for any other.
pub(super) fn term_weight(term: &str) -> f32 {
    if text::is_generic(term) {
        GENERIC_WEIGHT
    } else {
        1.0
    }
}

pub(super) fn signals(
    terms: &[String],
    idf: &HashMap<&str, f32>,
    prepared: &Prepared,
    bm25_ratio: f32,
    bm25: f32,
    words_ratio: f32,
) -> (String, Signals) {
    let entry = &prepared.entry;
    let total: f32 = terms.iter().map(|t| idf[t.as_str()]).sum();
    let weight_of = |set: &TermSet| -> f32 {
        terms
            .iter()
            .filter(|t| set.contains(t.as_str()))
            .map(|t| idf[t.as_str()])
            .sum()
    };
    let union_coverage = weight_of(&prepared.union) / total;
    let mut best = (0.0_f32, 0.0_f32, 0.0_f32, 0_usize);
    for (i, own) in prepared.phrasings.iter().enumerate() {
        if own.is_empty() {
            continue;
        }
        // Variants are phrasings of one question: words from any of them are evidence, so
        // the union counts half; how precisely one phrasing fits counts the other half.
        let query_coverage = 0.5 * (weight_of(own) / total) + 0.5 * union_coverage;
        // The entry's own terms are weighted by the query's IDF where known; terms the
        // query lacks count with a neutral weight of 1.
        let own_total: f32 = own
            .iter()
            .map(|t| idf.get(t).copied().unwrap_or_else(|| term_weight(t)))
            .sum();
        let entry_coverage = weight_of(own) / own_total.max(f32::EPSILON);
        let quality = query_coverage.powf(0.65) * entry_coverage.powf(0.35);
        if quality > best.0 {
            best = (quality, query_coverage, entry_coverage, i);
        }
    }
    let comment_coverage = weight_of(&prepared.context) / total;
    let uncovered = terms
        .iter()
        .filter(|t| !prepared.union.contains(t.as_str()) && !prepared.context.contains(t.as_str()))
        .map(|t| idf[t.as_str()])
        .sum::<f32>()
        / total;
    let (quality, query_coverage, entry_coverage, best_phrasing) = best;
    let matched = std::iter::once(&entry.question)
        .chain(&entry.variants)
        .nth(best_phrasing)
        .unwrap_or(&entry.question)
        .clone();
    let mut rank =
        0.45 * quality + 0.35 * bm25_ratio + 0.20 * comment_coverage + WORDS_WEIGHT * words_ratio;
    if entry.kind == EntryKind::Policy {
        rank *= POLICY_RANK_FACTOR;
    }
    let signals = Signals {
        bm25,
        bm25_ratio,
        words_ratio,
        query_coverage,
        entry_coverage,
        comment_coverage,
        quality,
        rank,
        margin: 0.0,
        answer_mismatch: 0.0,
        value_for_yes_no: 0.0,
        uncovered,
        ..Signals::default()
    };
    (matched, signals)
}
