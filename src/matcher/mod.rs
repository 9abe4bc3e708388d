//! Question in, ranked [`Candidate`]s out, each with a [`Confidence`].
//!
//! Retrieval is BM25 over the index (question and variants weighted above the comment and tags),
//! restricted to the entries the reader's [`Audience`] may see, plus a second, differently built
//! BM25 ranking over the entries' surface words (no stemming, thesaurus or clean-up; see
//! [`text::words_tokenizer`]). The hits of both are then re-ranked by how well one of the
//! entry's phrasings covers the question and how far the two rankings agree, and every candidate gets a
//! confidence: the estimated chance, in percent, that it really answers the question. `ask` and
//! `fill` both go through [`Matcher::find`], so they always agree.
//!
//! ## Signals (all in 0..=1, IDF-weighted so rare terms count more than common ones)
//! Generic questionnaire words ([`text::GENERIC_WORDS`]: "established", "appropriate",
//! "ensure") count [`GENERIC_WEIGHT`] of their IDF, in the signals and in the BM25 query.
//! - `query_coverage`: share of the question's terms found in the entry's best phrasing, averaged
//!   with the share found in all its phrasings together;
//! - `entry_coverage`: share of that phrasing's terms found in the question (an entry about
//!   something more specific than what was asked scores lower);
//! - `comment_coverage`: share of the question's terms found in the comment or tags;
//! - `bm25_ratio`: the candidate's BM25 score over the best BM25 score for the query;
//! - `margin`: the candidate's rank score minus the best other candidate's, clamped to ±0.3;
//! - `words_ratio`: the surface-words ranking's BM25 over its best score (0 outside its top 20);
//! - `words_margin`: `words_ratio` minus the best other candidate's.
//!
//! - `answer_mismatch`: the question asks for a value or a name, the entry answers Yes/No;
//! - `uncovered`: share of the question's terms the entry never uses (phrasings, comment, tags);
//! - `value_for_yes_no`: the question asks yes or no, the entry answers with a value.
//!
//! Candidates are returned best first by confidence (the rank breaks ties); a candidate whose
//! question seems asked the other way round has its confidence halved and capped at 40.
//!
//! ## Ranking (hand-set) and confidence (fitted)
//! `quality = query_coverage^0.65 · entry_coverage^0.35`
//! `rank = 0.45·quality + 0.35·bm25_ratio + 0.20·comment_coverage + 0.3·words_ratio`
//! (× 0.85 for policy excerpts)
//! `confidence = 100 · σ(WEIGHTS · [1, features])`, a logistic model fitted on labeled questions
//! (see [`WEIGHTS`] for where and how to re-fit). A question whose terms no entry uses gets no
//! candidates at all.

use std::sync::{Arc, OnceLock};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use tantivy::Searcher;
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, Term};

mod caveat;
mod confidence;
mod query;
mod signals;
mod termset;

use caveat::stale;
pub use caveat::{Caveat, EXACT_CONFIDENCE, POLARITY_CAP, QUALIFIER_CAP, Reuse, STALE_PENALTY};
pub use confidence::{
    Confidence, FEATURES, N_FEATURES, WEIGHTS, WEIGHTS_SEMANTIC, confidence, confidence_with,
    features, settle,
};
pub use signals::Signals;
use signals::{signals, term_weight};
use termset::TermSet;

use crate::encoder::Role;
use crate::error::{Error, Result};
use crate::index::vectors::SemanticScores;
use crate::index::{CACHE_DIR, KbIndex, StoredEntry};
use crate::kb::{Audience, EntryKind};
use crate::text;

/// Field boosts for retrieval: the question and its variants matter most.
/// Equal to the comment's: on the tuning halves of both labeled sets, top-1 was 0.714/0.845 at
/// 1.0 against 0.696/0.825 at 3.0 (the question's weight shows in the re-rank instead).
const BOOST_QUESTION: f32 = 1.0;
const BOOST_COMMENT: f32 = 1.0;
const BOOST_TAGS: f32 = 0.5;
/// Below this confidence an answer is not drafted: the question is reported as not covered.
/// Chosen on the tuning halves (even rows) of the three labeled sets, 371 questions pooled
/// (`cargo run --release --example eval_report -- even`): precision is 0.83 at 70 with 25% of
/// questions drafted, 0.79 at 60 (35%), 0.84 at 80 (13%); 70 keeps a quarter of questions
/// drafted where precision stops rising. Held out (odd rows, 370 questions): 0.87 precision at
/// 25% coverage.
pub const DEFAULT_MIN_CONFIDENCE: u8 = 70;
/// Days after its review date an entry is stale, unless `--max-age` or the knowledge base's
/// `trustfill.toml` says otherwise.
pub const DEFAULT_MAX_AGE: u32 = 365;

/// Where the `high` band starts.
pub const HIGH_CONFIDENCE: u8 = 80;
/// Weight of the plain-words ranking in the rank. Two rankings built differently (stemmed,
/// cleaned, thesaurus-mapped terms over separate fields; plain words over one field) err on
/// different questions. Chosen on the tuning halves (even rows) of the three labeled sets:
/// top-1 of rank alone against rank + 0.3 × words_ratio (see the closing note of issue 7).
const WORDS_WEIGHT: f32 = 0.3;
/// Policy excerpts carry no short answer: at equal match quality an approved answer ranks first.
const POLICY_RANK_FACTOR: f32 = 0.85;
/// Weight of a generic questionnaire term (see [`text::GENERIC_WORDS`]) against a topical one.
/// Set before measuring; on the tuning halves top-1 by rank was flat from 0.6 down to 0.1
/// (real questions 0.667–0.691 against 0.654 at 1.0; the other two sets within one question).
pub const GENERIC_WEIGHT: f32 = 0.35;
/// How many BM25 hits are re-ranked, at least.
const RERANK_DEPTH: usize = 20;

/// One knowledge-base entry proposed as the answer to a question.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Shared with the matcher's cache: cloning a candidate copies no text.
    pub entry: Arc<StoredEntry>,
    /// The phrasing (question or variant) that matched best.
    pub matched: String,
    /// What the reviewer sees and fill drafts by: [`Candidate::model`] settled by the
    /// [`Candidate::caveats`] ([`confidence::settle`]).
    pub confidence: Confidence,
    /// The model's confidence from the signals alone.
    pub model: Confidence,
    pub signals: Signals,
    /// Everything the confidence must say beyond the signals (see [`Caveat`]), in the order
    /// found; [`Candidate::polarity`] and its siblings read them.
    pub caveats: Vec<Caveat>,
}

/// How many entries alike one entry's question [`Matcher::same_questions`] reports.
pub const SAME_QUESTION_PAIRS: usize = 3;

/// Two answers that ask the same question ([`Matcher::same_questions`]).
#[derive(Debug, Clone)]
pub struct SamePair {
    /// The entry whose question was asked.
    pub asked: Arc<StoredEntry>,
    /// The entry one of whose phrasings is alike it.
    pub other: Arc<StoredEntry>,
    pub alike: f32,
}

/// A questionnaire row as the matcher reads it: the text to match (for a follow-up, with the
/// question it follows), the row's own text and its question id, for exact reuse.
#[derive(Debug, Clone, Copy)]
pub struct Row<'q> {
    pub text: &'q str,
    pub own_text: &'q str,
    pub id: Option<&'q str>,
}

impl<'q> Row<'q> {
    /// A question on its own, without an id (`ask`).
    pub fn question(text: &'q str) -> Row<'q> {
        Row {
            text,
            own_text: text,
            id: None,
        }
    }
}

/// Entries that answered the question before: by its exact text, and by its id.
#[derive(Debug, Clone, Default)]
struct Previously {
    by_text: Vec<DocAddress>,
    by_ref: Vec<DocAddress>,
}

#[derive(Debug, Clone, Copy)]
pub struct MatchOptions {
    /// Highest audience the answer may go to; entries above it are never returned.
    pub audience: Audience,
    /// How many candidates to return.
    pub top: usize,
    /// When set, an entry last reviewed longer ago than this is stale: its confidence drops by
    /// [`STALE_PENALTY`] and the candidate says why. An entry with no review date is not stale
    /// (it is shown as unreviewed, not penalised).
    pub review_age: Option<ReviewAge>,
}

/// What counts as stale: reviewed more than `max_days` before `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewAge {
    pub today: crate::date::Date,
    pub max_days: i64,
}

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions {
            audience: Audience::Public,
            top: 3,
            review_age: None,
        }
    }
}

/// A question analysed once: its terms with their weighted IDF, and what it asks for.
struct Asked {
    question: String,
    /// Its vector, with a model.
    vector: Option<Vec<f32>>,
    /// It is a follow-up that needs the question before it.
    incomplete: bool,
    terms: Vec<String>,
    idf: Vec<(String, f32)>,
    asks_value: bool,
    /// A form field's label ("Vendor Name"): a Yes or No never fills it.
    value_field: bool,
    asks_yes_no: bool,
    negations: Vec<String>,
    /// The row is an open prompt for anything else to add ([`text::is_open_prompt`]).
    open_prompt: bool,
    /// The sides of each scope the question speaks of ([`text::scope_sides`]).
    scope: Vec<(usize, usize)>,
    /// The values of a kind it names: severities, SOC reports, editions ([`text::alternatives`]).
    alternatives: Vec<(&'static str, String)>,
    /// It asks about the respondent's suppliers ([`text::asks_about_suppliers`]).
    suppliers: bool,
    /// The topical terms whose absence from an entry means it does not answer the question as
    /// asked, each with the question's own word for it, in the question's order.
    salient: Vec<(String, String)>,
}

/// Share of a question's weight (IDF, generic words discounted) that one topical term must
/// carry for an entry that never mentions it to be taken as not answering the question as
/// asked ([`Caveat::Uncovered`]). Chosen on the tuning sets, words only: at 0.2 the real
/// questions' precision at 70 rose from 0.75 to 0.92 but the second library (paraphrases
/// written by its team) lost a third of its drafts; 0.25 kept most of them (0.88 at 12%).
/// Closeness in meaning does not excuse a missing word: "privacy awareness training" is as
/// close to an entry on security awareness training as "data in transit" is to one on TLS
/// versions, and only the first is a different question; an exemption from a similarity of
/// 0.7 won one or two drafts a set and drafted exactly those one-word neighbours. The missing
/// word on its own is another matter ([`Matcher::covered_by_meaning`]).
const SALIENT_SHARE: f32 = 0.25;

/// With a model, the same for a term no entry of the library uses at all: the library knows
/// nothing of it, so a smaller share of the question suffices ("Is privacy awareness training
/// mandatory?" against a library that never says "privacy"). Similarity in meaning carries
/// such a question to the entry next door ("security awareness training") with a confidence the
/// words alone never give it. Chosen on the cold tuning sets with the model: precision at 70
/// rose on all three (0.88 → 0.92, 0.87 → 0.89, 0.85 → 0.89) for a third of their drafts; at
/// 0.1 it fell again on two of them. By words only it cost the second library a third of its
/// drafts at lower precision, so words only keep [`SALIENT_SHARE`].
const UNKNOWN_SHARE: f32 = 0.15;

/// What [`Caveat::Meaning`] tells the reviewer: the words, and how near to the entry they lie
/// (`rank`: how many other entries the farthest of them is nearer to).
fn meaning_note(words: &[String], rank: usize) -> String {
    let (which, subject) = match words {
        [word] => (format!("word \"{word}\""), "on its own, the word is"),
        _ => (
            format!("words \"{}\"", words.join(" ")),
            "on their own, each word is",
        ),
    };
    let how_near = match rank {
        0 => "nearer to this entry than to any other".to_string(),
        1 => "nearer to only one other entry".to_string(),
        n if words.len() == 1 => format!("nearer to only {n} other entries"),
        n => format!("nearer to at most {n} other entries"),
    };
    format!("does not use the {which}, read as covered by meaning: {subject} {how_near}")
}

/// A word the entry never mentions is covered by meaning when, embedded on its own, fewer than
/// this many of the library's entries are nearer to it than the entry is
/// ([`Matcher::covered_by_meaning`]). Chosen on the cold tuning halves with the model: drafts it
/// added were right at every rank up to 20 once measures were left out (a rank of 0 added one
/// right draft, 6 added six, 12 seven); 6 is the smallest that adds the six. At 8 the labeled
/// sets were the same, and by hand a real HECVAT's "unplanned disruption" (7 entries nearer
/// to "unplanned") drafted the uptime-history entry, which does not say.
const MEANING_RANK: usize = 6;

/// ... and never more than one in this many of the entries the reader may see, so a small
/// library's "nearest few" stays a small share of it.
const MEANING_SHARE: usize = 25;

/// What retrieval found: `(score, entry)` best first, from each ranking.
#[derive(Clone)]
struct Hits {
    bm25: Vec<(f32, DocAddress)>,
    words: Vec<(f32, DocAddress)>,
    /// With a model: the nearest entries by meaning, and every visible entry's similarity.
    semantic: Vec<(f32, DocAddress)>,
    scores: Option<SemanticScores>,
}

/// Matches questions against one open index. Cheap to create; holds a searcher snapshot.
pub struct Matcher<'a> {
    index: &'a KbIndex,
    searcher: Searcher,
    analyzer: text::Analyzer,
    /// The `words` field's analysis, for the plain-words ranking.
    words: tantivy::tokenizer::TextAnalyzer,
    num_docs: f32,
    /// Entries already read back, by address in this matcher's searcher snapshot; shared by
    /// the threads matching one questionnaire, so each entry is read and prepared once.
    cache: SharedEntries,
    /// [`text::exact_key`] of the entries' phrasings met so far (regex work, asked of every
    /// candidate of every question).
    exact_keys: HashMap<String, Arc<str>>,
}

/// Prepared entries by address, shared by the matchers of one snapshot.
type SharedEntries = Arc<std::sync::RwLock<HashMap<DocAddress, Arc<Prepared>>>>;

/// Most entries a matcher keeps prepared; past it the cache starts over (a 100k-entry library
/// matched against a long questionnaire would otherwise hold much of it in memory).
const CACHE_ENTRIES: usize = 20_000;

/// An entry read back from the index with its term sets built once: the questions of one
/// questionnaire meet the same few hundred entries again and again, and reading the stored
/// fields and splitting the terms was half the time per question.
struct Prepared {
    entry: Arc<StoredEntry>,
    /// Each phrasing's distinct terms, question first.
    phrasings: Vec<TermSet>,
    /// All phrasings' terms together.
    union: TermSet,
    /// The answer's, comment's and tags' terms.
    context: TermSet,
    /// Whether the entry answers Yes or No ([`text::answers_yes_no`]).
    yes_no: bool,
    /// What the entry speaks of that a question may clash with, found the first time a
    /// question that names a scope or an alternative needs it (most never do).
    sides: OnceLock<Sides>,
}

/// The scopes and alternatives an entry names, over its phrasings, answer and comment.
struct Sides {
    /// The sides of each scope ([`text::scope_sides`]).
    scope: Vec<(usize, usize)>,
    /// The values of a kind ([`text::alternatives`]).
    alternatives: Vec<(&'static str, String)>,
    /// Whether it speaks of suppliers at all ([`text::speaks_of_suppliers`]).
    suppliers: bool,
}

impl Prepared {
    fn new(entry: StoredEntry) -> Prepared {
        let phrasings: Vec<TermSet> = entry
            .terms
            .phrasings
            .iter()
            .map(|p| TermSet::of_words([p.as_str()]))
            .collect();
        let union = TermSet::of_words(entry.terms.phrasings.iter().map(String::as_str));
        let context = TermSet::of_words(
            std::iter::once(entry.terms.comment.as_str())
                .chain(entry.terms.tags.iter().map(String::as_str)),
        );
        let yes_no = entry
            .answer
            .as_deref()
            .is_some_and(|a| text::answers_yes_no(&entry.question, a, &entry.comment));
        Prepared {
            entry: Arc::new(entry),
            phrasings,
            union,
            context,
            yes_no,
            sides: OnceLock::new(),
        }
    }

    fn sides(&self) -> &Sides {
        self.sides.get_or_init(|| {
            let e = &self.entry;
            // The answer answers the entry's own question: where that question (or the answer)
            // names values of a kind, those are what the entry speaks of, whatever else its
            // variants and comment mention ("We do not produce a SOC 3 report. Our SOC 2 Type
            // II report … serves that purpose" is an entry about SOC 3). Elsewhere the variants
            // and comment say it.
            let own = format!("{} {}", e.question, e.answer.as_deref().unwrap_or_default());
            let rest = format!("{} {}", e.variants.join(" "), e.comment);
            let mut alternatives = text::alternatives(&own);
            let named: Vec<&str> = alternatives.iter().map(|(k, _)| *k).collect();
            let more: Vec<_> = text::alternatives(&rest)
                .into_iter()
                .filter(|(k, _)| !named.contains(k))
                .collect();
            alternatives.extend(more);
            let whole = format!("{own} {rest}");
            Sides {
                scope: text::scope_sides(&whole),
                alternatives,
                suppliers: text::speaks_of_suppliers(&whole),
            }
        })
    }
}

impl<'a> Matcher<'a> {
    pub fn new(index: &'a KbIndex) -> Matcher<'a> {
        Matcher::with_searcher(index, index.searcher())
    }

    /// A matcher over a given searcher snapshot: threads matching one questionnaire share one
    /// snapshot, so they all see the same index.
    pub fn with_searcher(index: &'a KbIndex, searcher: Searcher) -> Matcher<'a> {
        Matcher::sharing(index, searcher, SharedEntries::default())
    }

    /// A matcher over `searcher` whose prepared entries are `cache`, shared with others over
    /// the same snapshot.
    fn sharing(index: &'a KbIndex, searcher: Searcher, cache: SharedEntries) -> Matcher<'a> {
        let num_docs = searcher.num_docs() as f32;
        Matcher {
            index,
            searcher,
            analyzer: index.analyzer(),
            words: text::words_tokenizer(),
            num_docs,
            cache,
            exact_keys: HashMap::default(),
        }
    }

    /// [`text::exact_key`] of an entry's phrasing, computed once per matcher.
    pub(crate) fn exact_key_of(&mut self, phrasing: &str) -> Arc<str> {
        if let Some(k) = self.exact_keys.get(phrasing) {
            return k.clone();
        }
        if self.exact_keys.len() >= CACHE_ENTRIES * 4 {
            self.exact_keys.clear();
        }
        let k: Arc<str> = text::exact_key(phrasing).into();
        self.exact_keys.insert(phrasing.to_string(), k.clone());
        k
    }

    /// The candidates for `question`, best first, at most `opts.top`. With a model, the
    /// question is embedded here; [`Matcher::find_embedded`] takes a vector computed before
    /// (`fill` embeds a questionnaire's questions in batches).
    pub fn find(&mut self, question: &str, opts: &MatchOptions) -> Result<Vec<Candidate>> {
        let vector = embed_questions(self.index, &[question])?.and_then(|mut v| v.pop());
        self.find_embedded(question, vector, opts)
    }

    /// [`Matcher::find`] with the question's vector given (from [`embed_questions`]; None:
    /// words only).
    pub fn find_embedded(
        &mut self,
        question: &str,
        vector: Option<Vec<f32>>,
        opts: &MatchOptions,
    ) -> Result<Vec<Candidate>> {
        self.find_row(Row::question(question), vector, opts)
    }

    /// Every pair of answers that ask the same question: for each answer's question, the other
    /// answers whose phrasings are [`Signals::alike`] it by at least `min_alike`, as
    /// `(asked, other, alike)` in index order of the asked entry, at most
    /// [`SAME_QUESTION_PAIRS`] per asked entry, the most alike. Each entry's question is
    /// compared with every other entry that could reach `min_alike`, not only with the few a
    /// search ranks first, and without a search: an entry alike by `min_alike` holds at least
    /// that share of the question's weight among its phrasings (a phrasing's query coverage
    /// is at most its entry's), so it holds one of the question's heaviest terms that together
    /// outweigh the rest; only entries holding one of those are compared. Linear in the
    /// library for libraries of varied questions (`kb check` on 50,000 entries).
    pub fn same_questions(&mut self, min_alike: f32, jobs: usize) -> Result<Vec<SamePair>> {
        let mut all: Vec<Arc<Prepared>> = Vec::new();
        for (ord, segment) in self.searcher.segment_readers().iter().enumerate() {
            for doc in segment.doc_ids_alive() {
                let addr = DocAddress::new(ord as u32, doc);
                let entry = self.index.stored(&self.searcher, addr)?;
                if entry.kind == EntryKind::Answer {
                    all.push(Arc::new(Prepared::new(entry)));
                }
            }
        }
        // Which answers use each term, in any phrasing.
        let mut holders: HashMap<&str, Vec<u32>> = HashMap::default();
        for (i, p) in all.iter().enumerate() {
            for term in p.union.iter() {
                holders.entry(term).or_default().push(i as u32);
            }
        }
        // Entries are split into one contiguous share per thread, each with its own matcher
        // (the analyzer is per matcher); results come back in entry order.
        let jobs = jobs.clamp(1, all.len().max(1));
        let share = all.len().div_ceil(jobs).max(1);
        let (index, searcher) = (self.index, &self.searcher);
        let (all, holders) = (&all, &holders);
        let shares: Vec<Result<Vec<SamePair>>> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..all.len())
                .step_by(share)
                .map(|start| {
                    scope.spawn(move || {
                        let mut m = Matcher::with_searcher(index, searcher.clone());
                        let mut pairs = Vec::new();
                        for i in start..(start + share).min(all.len()) {
                            m.alike_to(i, all, holders, min_alike, &mut pairs)?;
                        }
                        Ok(pairs)
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        let mut pairs = Vec::new();
        for share in shares {
            pairs.extend(share?);
        }
        Ok(pairs)
    }

    /// [`Matcher::same_questions`] for entry `i` of `all`: appends its pairs to `pairs`.
    fn alike_to(
        &mut self,
        i: usize,
        all: &[Arc<Prepared>],
        holders: &HashMap<&str, Vec<u32>>,
        min_alike: f32,
        pairs: &mut Vec<SamePair>,
    ) -> Result<()> {
        let asked_entry = &all[i];
        let Some(asked) = self.ask(&asked_entry.entry.question)? else {
            return Ok(());
        };
        let idf: HashMap<&str, f32> = asked.idf.iter().map(|(t, w)| (t.as_str(), *w)).collect();
        let total: f32 = asked.terms.iter().map(|t| idf[t.as_str()]).sum();
        let mut heaviest: Vec<(&str, f32)> =
            asked.idf.iter().map(|(t, w)| (t.as_str(), *w)).collect();
        heaviest.sort_by(|a, b| b.1.total_cmp(&a.1));
        let mut compared: HashSet<u32> = HashSet::default();
        let mut weight = 0.0;
        for (term, w) in &heaviest {
            if let Some(list) = holders.get(term) {
                compared.extend(list.iter().filter(|&&j| j as usize != i));
            }
            weight += w;
            if weight > (1.0 - min_alike) * total {
                break;
            }
        }
        let mut found: Vec<(u32, f32)> = compared
            .into_iter()
            .filter(|&j| {
                // The bound again, on the whole question: cheaper than the signals, and
                // most of the compared entries fail it.
                let held: f32 = heaviest
                    .iter()
                    .filter(|(t, _)| all[j as usize].union.contains(t))
                    .map(|(_, w)| w)
                    .sum();
                held >= min_alike * total
            })
            .filter_map(|j| {
                let (_, s) = signals(&asked.terms, &idf, &all[j as usize], 0.0, 0.0, 0.0);
                (s.alike() >= min_alike).then_some((j, s.alike()))
            })
            .collect();
        // The most alike first, and a few: a question asked five times is five warnings,
        // not ten.
        found.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        for &(j, alike) in found.iter().take(SAME_QUESTION_PAIRS) {
            pairs.push(SamePair {
                asked: asked_entry.entry.clone(),
                other: all[j as usize].entry.clone(),
                alike,
            });
        }
        Ok(())
    }

    /// When nothing the reader may see answers a row, whether an answer restricted to a wider
    /// audience would: its audience and confidence (see [`restricted_best`]). Costs one more
    /// match; call it for rows left unanswered only.
    pub fn restricted_match(
        &mut self,
        row: Row<'_>,
        vector: Option<Vec<f32>>,
        opts: &MatchOptions,
        min_confidence: u8,
    ) -> Result<Option<(Audience, Confidence)>> {
        if opts.audience == Audience::Internal {
            return Ok(None);
        }
        let wide = MatchOptions {
            audience: Audience::Internal,
            ..*opts
        };
        let candidates = self.find_row(row, vector, &wide)?;
        Ok(restricted_best(&candidates, opts.audience, min_confidence))
    }

    /// The candidates for a questionnaire row: matched by [`Row::text`], and first of all the
    /// entries that answered the row before ([`Reuse`]), by its id and its own text.
    pub fn find_row(
        &mut self,
        row: Row<'_>,
        vector: Option<Vec<f32>>,
        opts: &MatchOptions,
    ) -> Result<Vec<Candidate>> {
        if opts.top == 0 {
            return Ok(Vec::new());
        }
        let before = self.previously(&row, opts.audience)?;
        let Some(mut asked) = self.ask(row.text)? else {
            return self.exact_only(&row, &before, opts);
        };
        asked.incomplete = text::needs_context(&text::clean_question(row.text));
        // A follow-up read with its section ("Incident Response: A brief description:") is
        // a question about that section, not a form field.
        asked.value_field &= !text::needs_context(&text::clean_question(row.own_text));
        asked.open_prompt = text::is_open_prompt(row.own_text);
        asked.vector = vector.filter(|_| self.index.semantic().is_some());
        let mut hits = self.retrieve(&asked, opts.audience, opts.top.max(RERANK_DEPTH))?;
        for addr in before.by_text.iter().chain(&before.by_ref) {
            if !hits.bm25.iter().any(|(_, a)| a == addr) {
                hits.bm25.push((0.0, *addr));
            }
        }
        let mut candidates = self.rank(&asked, hits, opts, usize::MAX)?;
        self.mark_reuse(&row, &before, &mut candidates)?;
        self.mark_withheld(&row, &mut candidates);
        sort_best_first(&mut candidates);
        candidates.truncate(opts.top);
        Ok(candidates)
    }

    /// The entries the reader may see whose phrasing is the row's own text word for word, and
    /// those whose references carry the row's id.
    fn previously(&mut self, row: &Row<'_>, audience: Audience) -> Result<Previously> {
        let f = self.index.fields;
        let lookup = |field: Field, value: String| -> Result<Vec<DocAddress>> {
            if value.is_empty() {
                return Ok(Vec::new());
            }
            let query = self.restricted(
                Box::new(TermQuery::new(
                    Term::from_field_text(field, &value),
                    IndexRecordOption::Basic,
                )),
                audience,
            );
            Ok(self
                .searcher
                .search(&query, &TopDocs::with_limit(50).order_by_score())
                .map_err(|source| self.index_error(source))?
                .into_iter()
                .map(|(_, addr)| addr)
                .collect())
        };
        Ok(Previously {
            by_text: lookup(f.exact, text::exact_key(row.own_text))?,
            by_ref: match row.id {
                Some(id) => lookup(f.ref_ids, id.trim().to_lowercase())?,
                None => Vec::new(),
            },
        })
    }

    /// A row with no words to match ("Comments:") can still be one answered before.
    fn exact_only(
        &mut self,
        row: &Row<'_>,
        before: &Previously,
        opts: &MatchOptions,
    ) -> Result<Vec<Candidate>> {
        let mut candidates = Vec::new();
        for addr in before.by_text.iter().chain(&before.by_ref) {
            let prepared = self.prepared(*addr)?;
            if !prepared.entry.audience.visible_to(opts.audience)
                || candidates
                    .iter()
                    .any(|c: &Candidate| c.entry.id == prepared.entry.id)
            {
                continue;
            }
            let stale = opts
                .review_age
                .and_then(|age| stale(&prepared.entry, &age))
                .map(Caveat::Stale);
            candidates.push(Candidate::new(
                prepared.entry.clone(),
                prepared.entry.question.clone(),
                Confidence::new(0),
                Signals::default(),
                stale.into_iter().collect(),
            ));
        }
        self.mark_reuse(row, before, &mut candidates)?;
        candidates.retain(|c| c.reuse().is_some());
        self.mark_withheld(row, &mut candidates);
        sort_best_first(&mut candidates);
        candidates.truncate(opts.top);
        Ok(candidates)
    }

    /// The question analysed once for retrieval and ranking; None when it has no terms.
    fn ask(&mut self, question: &str) -> Result<Option<Asked>> {
        let cleaned = text::clean_question(question);
        let terms = self.analyzer.unique_terms(&cleaned);
        if terms.is_empty() {
            return Ok(None);
        }
        let f = self.index.fields;
        let idf = terms
            .iter()
            .map(|t| {
                Ok((
                    t.clone(),
                    self.idf(&[f.question_terms, f.comment_terms], t)? * term_weight(t),
                ))
            })
            .collect::<Result<_>>()?;
        Ok(Some(Asked {
            question: question.to_string(),
            vector: None,
            incomplete: false,
            asks_value: text::asks_for_value(&cleaned),
            value_field: text::is_value_field(&cleaned.to_lowercase()),
            asks_yes_no: text::asks_yes_no(&cleaned),
            negations: text::negations(&cleaned),
            open_prompt: text::is_open_prompt(question),
            scope: text::question_scope_sides(&cleaned),
            alternatives: text::alternatives(&cleaned),
            suppliers: text::asks_about_suppliers(&cleaned),
            salient: self.salient_terms(&cleaned, &terms),
            terms,
            idf,
        }))
    }

    /// The first layer of audience control: each ranking's top `depth` hits, from queries that
    /// match only entries the `audience` may see (the semantic ranking scores only those).
    fn retrieve(&mut self, asked: &Asked, audience: Audience, depth: usize) -> Result<Hits> {
        let query = self.query(&asked.terms, audience);
        let bm25 = self
            .searcher
            .search(&query, &TopDocs::with_limit(depth).order_by_score())
            .map_err(|source| self.index_error(source))?;
        let words = match self.words_query(&asked.question, audience) {
            Some(q) => self
                .searcher
                .search(&q, &TopDocs::with_limit(depth).order_by_score())
                .map_err(|source| self.index_error(source))?,
            None => Vec::new(),
        };
        let (mut semantic, mut scores) = (Vec::new(), None);
        if let (Some(q), Some(s)) = (&asked.vector, self.index.semantic()) {
            let found = s.vectors.scores(q, audience, depth);
            for (id, sim) in &found.top {
                if let Some(addr) = self.index.address_of(&self.searcher, id)? {
                    semantic.push((*sim, addr));
                }
            }
            scores = Some(found);
        }
        Ok(Hits {
            bm25,
            words,
            semantic,
            scores,
        })
    }

    /// Re-rank the hits into candidates with a confidence. The second layer of audience control:
    /// every hit is checked against `opts.audience` again, whatever the queries matched.
    fn rank(
        &mut self,
        asked: &Asked,
        hits: Hits,
        opts: &MatchOptions,
        keep: usize,
    ) -> Result<Vec<Candidate>> {
        let Hits {
            bm25: mut hits,
            words: word_hits,
            semantic: semantic_hits,
            scores,
        } = hits;
        let idf: HashMap<&str, f32> = asked.idf.iter().map(|(t, w)| (t.as_str(), *w)).collect();
        let best_bm25 = hits.first().map_or(1.0, |h| h.0.max(f32::EPSILON));
        // The second ranking: the question's plain words against the entries' plain words.
        // Entries it finds that the first missed join the candidates.
        let best_words = word_hits.first().map_or(1.0, |h| h.0.max(f32::EPSILON));
        let words_ratio: HashMap<DocAddress, f32> = word_hits
            .iter()
            .map(|(score, addr)| (*addr, score / best_words))
            .collect();
        // Entries the words ranking or the model found that BM25 missed join the candidates.
        for (_, addr) in word_hits.iter().chain(&semantic_hits) {
            if !hits.iter().any(|(_, a)| a == addr) {
                hits.push((0.0, *addr));
            }
        }

        // The weight of a term no entry uses at all (its IDF at document frequency 0).
        let unknown_idf = 0.999 * (1.0 + (self.num_docs + 0.5) / 0.5).ln();
        let mut candidates = Vec::with_capacity(hits.len());
        for (score, addr) in hits {
            let prepared = self.prepared(addr)?;
            let entry = prepared.entry.clone();
            // Defence in depth: the query already filters by audience.
            if !entry.audience.visible_to(opts.audience) {
                continue;
            }
            let words = words_ratio.get(&addr).copied().unwrap_or(0.0);
            let (matched, mut signals) = signals(
                &asked.terms,
                &idf,
                &prepared,
                score / best_bm25,
                score,
                words,
            );
            if let Some(s) = &scores {
                signals.semantic = s.by_id.get(&entry.id).copied().unwrap_or(s.mean);
                signals.semantic_z = s.z(signals.semantic);
            }
            let yes_no = prepared.yes_no;
            signals.answer_mismatch = f32::from(u8::from(asked.asks_value && yes_no));
            signals.value_for_yes_no = f32::from(u8::from(
                asked.asks_yes_no && entry.answer.is_some() && !yes_no,
            ));
            // Direction matters only for a Yes/No answer: "TLS 1.2 and 1.3" reads right whichever
            // way the question is put, and so does a statement.
            let polarity = entry
                .answer
                .as_deref()
                .and_then(text::class)
                .and_then(|_| text::polarity_clash_with(&asked.negations, &matched));
            let mut caveats: Vec<Caveat> = polarity.map(Caveat::Polarity).into_iter().collect();
            if asked.incomplete {
                caveats.push(Caveat::Incomplete("is not a question on its own: it follows the question before it, which decides what it asks".to_string()));
            } else if asked.value_field && yes_no {
                // Capped like a polarity clash: "Vendor Name" answered "Yes" is never right.
                caveats.push(Caveat::Incomplete(
                    "answers Yes or No, but this is a form field that asks for a value".to_string(),
                ));
            }
            if asked.open_prompt {
                caveats.push(Caveat::NotAQuestion(
                    "is on the topic, but the row is an open prompt for anything else to add, not a question".to_string(),
                ));
            }
            let clash = if asked.scope.is_empty()
                && asked.alternatives.is_empty()
                && !asked.suppliers
            {
                None
            } else {
                let sides = prepared.sides();
                text::scope_clash(&asked.scope, &sides.scope)
                    .or_else(|| text::alternative_clash(&asked.alternatives, &sides.alternatives))
                    .or_else(|| {
                        (asked.suppliers && !sides.suppliers).then(|| {
                            "speaks of the company's own practice only, but the question is about its suppliers".to_string()
                        })
                    })
            };
            if let Some(why) = clash {
                caveats.push(Caveat::Scope(why));
            }
            let total: f32 = idf.values().sum();
            let salient: Vec<&(String, String)> = asked
                .salient
                .iter()
                .filter(|(_, t)| {
                    let weight = idf[t.as_str()];
                    let share = if scores.is_some() && weight >= unknown_idf {
                        UNKNOWN_SHARE
                    } else {
                        SALIENT_SHARE
                    };
                    weight >= share * total
                        && !prepared.union.contains(t.as_str())
                        && !prepared.context.contains(t.as_str())
                })
                .collect();
            if !salient.is_empty() {
                caveats.push(Caveat::uncovered(
                    salient.iter().map(|(w, _)| w.clone()).collect(),
                ));
            }
            candidates.push(Candidate::new(
                entry,
                matched,
                Confidence::new(0),
                signals,
                caveats,
            ));
        }
        candidates.sort_by(|a, b| b.signals.rank.total_cmp(&a.signals.rank));
        let ranks: Vec<(f32, f32, f32)> = candidates
            .iter()
            .map(|c| (c.signals.rank, c.signals.words_ratio, c.signals.semantic))
            .collect();
        let weights = if scores.is_some() {
            &WEIGHTS_SEMANTIC
        } else {
            &WEIGHTS
        };
        for (i, c) in candidates.iter_mut().enumerate() {
            let (best_rank, best_words, best_sim) =
                ranks.iter().enumerate().filter(|(j, _)| *j != i).fold(
                    (0.0_f32, 0.0_f32, f32::MIN),
                    |(r, w, m), (_, (r2, w2, m2))| (r.max(*r2), w.max(*w2), m.max(*m2)),
                );
            c.signals.margin = (c.signals.rank - best_rank).clamp(-0.3, 0.3);
            c.signals.words_margin = c.signals.words_ratio - best_words;
            if scores.is_some() && best_sim > f32::MIN {
                c.signals.semantic_margin = c.signals.semantic - best_sim;
            }
            c.model = confidence_with(weights, &c.signals, false);
            if let Some(why) = opts.review_age.and_then(|age| stale(&c.entry, &age)) {
                c.caveats.push(Caveat::Stale(why));
            }
            c.settle();
        }
        if scores.is_some() {
            self.covered_by_meaning(&mut candidates, opts.audience)?;
        }
        sort_best_first(&mut candidates);
        candidates.truncate(keep);
        Ok(candidates)
    }

    /// With a model, lift the [`Caveat::Uncovered`] of a candidate that would be drafted without
    /// it when each word it names is one the entry covers by meaning: the word on its own is
    /// nearer to this entry than to all but a few of the library's entries ([`MEANING_RANK`]).
    /// "Do you send fake phishing emails to staff?" asks nothing an entry on simulated phishing
    /// campaigns leaves out; "fake" alone is nearest to that very entry. A word about something
    /// else ("ownership" of assets, "software" engineers) lies nearer to other entries. A
    /// measure the question asks for ([`text::is_measure`]) is never lifted: the entry must
    /// state it. Only candidates whose model confidence reaches the threshold are checked:
    /// below it the caveat changes nothing, and each word costs one pass of the model.
    fn covered_by_meaning(&self, candidates: &mut [Candidate], audience: Audience) -> Result<()> {
        let Some(semantic) = self.index.semantic() else {
            return Ok(());
        };
        // The uncovered words of a candidate whose only narrowing caveat they are.
        fn liftable(c: &Candidate) -> Option<&[String]> {
            if c.model.percent() <= QUALIFIER_CAP {
                return None;
            }
            let mut found = None;
            for k in c.caveats.iter().filter(|k| k.narrows()) {
                match k {
                    Caveat::Uncovered { words, .. } => found = Some(words.as_slice()),
                    _ => return None,
                }
            }
            found.filter(|words| !words.iter().any(|w| text::is_measure(w)))
        }
        let mut words: Vec<&str> = candidates
            .iter()
            .filter_map(liftable)
            .flatten()
            .map(String::as_str)
            .collect();
        words.sort_unstable();
        words.dedup();
        if words.is_empty() {
            return Ok(());
        }
        let vectors = semantic.embedder.embed(&words, Role::Query)?;
        let nearest = MEANING_RANK.min(semantic.vectors.visible(audience) / MEANING_SHARE);
        let lifted: Vec<(usize, String)> = candidates
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let asked = liftable(c)?;
                // The farthest any of the words puts the entry, when every one is near enough.
                let farthest = asked.iter().try_fold(0, |far: usize, w| {
                    let v = words.binary_search(&w.as_str()).map(|i| &vectors[i]).ok()?;
                    let rank = semantic.vectors.rank_of(v, audience, &c.entry.id)?;
                    (rank < nearest).then_some(far.max(rank))
                })?;
                Some((i, meaning_note(asked, farthest)))
            })
            .collect();
        for (i, note) in lifted {
            let c = &mut candidates[i];
            c.caveats.retain(|k| !matches!(k, Caveat::Uncovered { .. }));
            c.add(Caveat::Meaning(note));
        }
        Ok(())
    }

    /// The question's topical terms with the word it uses for each (the first), in order:
    /// every term of `terms` that is not a modifier ([`text::is_modifier`]). A vocabulary
    /// phrase counts as one term, its group's canonical one ("pen tested" is covered by an entry
    /// on "penetration testing"), shown with the question's words for it.
    fn salient_terms(&mut self, question: &str, terms: &[String]) -> Vec<(String, String)> {
        let words: Vec<&str> = question
            .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\''))
            .filter(|w| !w.is_empty())
            .collect();
        let phrases = self.analyzer.phrases_in(&words);
        let mut out: Vec<(String, String)> = Vec::new();
        let mut i = 0;
        while i < words.len() {
            if let Some((span, canonical)) = phrases.iter().find(|(span, _)| span.start == i) {
                if terms.contains(canonical) && !out.iter().any(|(_, t)| t == canonical) {
                    out.push((words[span.clone()].join(" "), canonical.clone()));
                }
                i = span.end;
                continue;
            }
            let word = words[i];
            for term in self.analyzer.unique_terms(word) {
                if terms.contains(&term)
                    && !text::is_modifier(word, &term)
                    && !out.iter().any(|(_, t)| *t == term)
                {
                    out.push((word.to_string(), term));
                }
            }
            i += 1;
        }
        out
    }

    /// The entry at `addr`, read back and prepared once per matcher.
    fn prepared(&mut self, addr: DocAddress) -> Result<Arc<Prepared>> {
        if let Some(p) = self.cache.read().ok().and_then(|c| c.get(&addr).cloned()) {
            return Ok(p);
        }
        let p = Arc::new(Prepared::new(self.index.stored(&self.searcher, addr)?));
        if let Ok(mut cache) = self.cache.write() {
            if cache.len() >= CACHE_ENTRIES {
                cache.clear();
            }
            // Another thread may have prepared it meanwhile: the first one stays.
            return Ok(cache.entry(addr).or_insert(p).clone());
        }
        Ok(p)
    }

    fn index_error(&self, source: tantivy::TantivyError) -> Error {
        Error::Index {
            path: self.index.root.join(CACHE_DIR),
            source,
        }
    }
}

/// Best first by the calibrated confidence, which also weighs what the rank does not
/// (answer-type mismatch, polarity, uncovered terms); the rank breaks ties.
fn sort_best_first(candidates: &mut [Candidate]) {
    candidates.sort_by(|a, b| {
        b.confidence
            .cmp(&a.confidence)
            .then(b.signals.rank.total_cmp(&a.signals.rank))
    });
}

/// Questions at least this many are a questionnaire's: their vectors are cached on disk.
const CACHED_BATCH: usize = 8;
/// The most question vectors the cache keeps (about 1.5 KB each for a 384-wide model): past
/// it, only the last questionnaire's.
const CACHED_MAX: usize = 20_000;

/// With a model, the vectors of `questions` as the matcher embeds them (cleaned of ids,
/// numbering and framework boilerplate, as the words rankings see them), in order; None
/// without a model.
///
/// A questionnaire is filled several times while a team reviews it: a batch of questions
/// takes the vectors of texts embedded before from the index's query cache
/// (`.trustfill-index/queries-<model>.cache`, keyed by the cleaned text) and embeds only the
/// others, once each. The cache is best effort: one that cannot be read or written is none.
pub fn embed_questions(index: &KbIndex, questions: &[&str]) -> Result<Option<Vec<Vec<f32>>>> {
    let Some(s) = index.semantic() else {
        return Ok(None);
    };
    let cleaned: Vec<String> = questions.iter().map(|q| text::clean_question(q)).collect();
    let texts: Vec<&str> = cleaned.iter().map(String::as_str).collect();
    if texts.len() < CACHED_BATCH {
        return s.embedder.embed(&texts, Role::Query).map(Some);
    }
    let dim = s.embedder.dim();
    let path = crate::index::vectors::query_cache_path(
        &index.root.join(crate::index::CACHE_DIR),
        s.embedder.identity(),
    );
    let mut cache = crate::index::vectors::load_cache(&path);
    cache.retain(|_, v| v.len() == dim);
    let keys: Vec<u64> = texts
        .iter()
        .map(|t| crate::index::vectors::query_key(t))
        .collect();
    let mut missing: Vec<(u64, &str)> = Vec::new();
    let mut queued = std::collections::HashSet::new();
    for (k, t) in keys.iter().zip(&texts) {
        if !cache.contains_key(k) && queued.insert(*k) {
            missing.push((*k, t));
        }
    }
    if !missing.is_empty() {
        let strs: Vec<&str> = missing.iter().map(|(_, t)| *t).collect();
        let vectors = s.embedder.embed(&strs, Role::Query)?;
        for ((k, _), v) in missing.iter().zip(vectors) {
            cache.insert(*k, v);
        }
        if cache.len() > CACHED_MAX {
            let wanted: std::collections::HashSet<u64> = keys.iter().copied().collect();
            cache.retain(|k, _| wanted.contains(k));
        }
        let _ = crate::index::vectors::save_cache(&path, dim, &cache);
    }
    Ok(Some(keys.iter().map(|k| cache[k].clone()).collect()))
}

/// Among candidates matched for every audience, the answers `reader` may not see that reach
/// `min_confidence`: the narrowest audience among them and the best confidence at it. Only
/// those two leave here, never the entry, so a caller can name the flag that shows it without
/// showing anything of it.
pub fn restricted_best(
    candidates: &[Candidate],
    reader: Audience,
    min_confidence: u8,
) -> Option<(Audience, Confidence)> {
    let hidden = candidates.iter().filter(|c| {
        c.entry.kind == EntryKind::Answer
            && c.withheld().is_none()
            && !c.entry.audience.visible_to(reader)
            && c.confidence.percent() >= min_confidence
    });
    let audience = hidden.clone().map(|c| c.entry.audience).min()?;
    let confidence = hidden
        .filter(|c| c.entry.audience == audience)
        .map(|c| c.confidence)
        .max()?;
    Some((audience, confidence))
}

/// The line `ask` and the review note give when an answer exists for a wider audience only.
pub fn restricted_note(audience: Audience, confidence: Confidence) -> String {
    format!(
        "an answer restricted to {audience} readers matches at {confidence}; `--audience {audience}` shows it, if the questionnaire may see {audience} content"
    )
}

/// Questions per unit of work a thread takes at a time: small enough to balance two cores on a
/// short questionnaire, large enough that taking work costs nothing next to matching it.
const CHUNK: usize = 16;

/// The candidates of every question, in order, matched on `jobs` threads over one searcher
/// snapshot. Threads take chunks of [`CHUNK`] questions from a shared counter and say over a
/// channel when one is done; this thread reports progress.
pub fn match_all(
    index: &KbIndex,
    questions: &[Row<'_>],
    opts: &MatchOptions,
    jobs: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<Vec<Candidate>>> {
    // With a model, every question is embedded up front in batches: one at a time costs about
    // three times as much per question.
    let texts: Vec<&str> = questions.iter().map(|r| r.text).collect();
    let vectors = embed_questions(index, &texts)?
        .map(|v| v.into_iter().map(Some).collect::<Vec<_>>())
        .unwrap_or_else(|| vec![None; questions.len()]);
    match_all_embedded(index, questions, vectors, opts, jobs, progress)
}

/// [`match_all`] with each question's vector given (None: by words).
pub fn match_all_embedded(
    index: &KbIndex,
    questions: &[Row<'_>],
    mut vectors: Vec<Option<Vec<f32>>>,
    opts: &MatchOptions,
    jobs: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<Vec<Candidate>>> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;

    let total = questions.len();
    let jobs = jobs.clamp(1, total.div_ceil(CHUNK).max(1));
    let searcher = index.searcher();
    if jobs == 1 {
        let mut matcher = Matcher::with_searcher(index, searcher);
        let mut out = Vec::with_capacity(total);
        for (q, v) in questions.iter().zip(vectors.iter_mut()) {
            out.push(matcher.find_row(*q, v.take(), opts)?);
            progress(out.len(), total);
        }
        return Ok(out);
    }
    let vectors = &vectors;
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Vec<Candidate>>>> = Mutex::new(vec![None; total]);
    let failure: Mutex<Option<Error>> = Mutex::new(None);
    let (tx, rx) = mpsc::channel::<usize>();
    let shared = SharedEntries::default();
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let searcher = searcher.clone();
            let tx = tx.clone();
            let shared = shared.clone();
            let (next, results, failure) = (&next, &results, &failure);
            scope.spawn(move || {
                let mut matcher = Matcher::sharing(index, searcher, shared);
                loop {
                    let start = next.fetch_add(CHUNK, Ordering::Relaxed);
                    if start >= total || failure.lock().is_ok_and(|f| f.is_some()) {
                        break;
                    }
                    let end = (start + CHUNK).min(total);
                    let mut chunk = Vec::with_capacity(end - start);
                    for (q, v) in questions[start..end].iter().zip(&vectors[start..end]) {
                        match matcher.find_row(*q, v.clone(), opts) {
                            Ok(c) => chunk.push(Some(c)),
                            Err(e) => {
                                if let Ok(mut f) = failure.lock() {
                                    f.get_or_insert(e);
                                }
                                return;
                            }
                        }
                    }
                    if let Ok(mut all) = results.lock() {
                        for (slot, c) in all[start..end].iter_mut().zip(chunk) {
                            *slot = c;
                        }
                    }
                    let _ = tx.send(end - start);
                }
            });
        }
        // The loop ends when every worker has finished and dropped its sender.
        drop(tx);
        let mut done = 0;
        for n in rx {
            done += n;
            progress(done, total);
        }
    });
    if let Some(e) = failure.into_inner().ok().flatten() {
        return Err(e);
    }
    let results = results.into_inner().unwrap_or_default();
    Ok(results.into_iter().map(Option::unwrap_or_default).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering;

    /// Three entries per audience on one topic, so every entry matches every question below;
    /// the audience each id was written with is in its name.
    fn audience_kb() -> (tempfile::TempDir, KbIndex) {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::new();
        for audience in ["public", "nda", "internal"] {
            for k in 0..3 {
                text.push_str(&format!(
                    "[[answer]]\nid = \"{audience}-{k}\"\nquestion = \"Are backups encrypted and audited (set {k})?\"\nanswer = \"Yes\"\ncomment = \"Backups are encrypted; access to them is audited.\"\naudience = \"{audience}\"\n\n"
                ));
            }
        }
        std::fs::create_dir_all(dir.path().join("answers")).unwrap();
        std::fs::write(dir.path().join("answers/a.toml"), text).unwrap();
        let (index, _) =
            KbIndex::open_with(dir.path(), Some(Arc::new(Words)), &mut |_, _| {}).unwrap();
        (dir, index)
    }

    /// A stand-in model: a text's vector counts its words in 16 buckets by length.
    struct Words;

    /// [`Words`], counting the texts it is asked to embed.
    struct Counting(std::sync::Arc<std::sync::atomic::AtomicUsize>);

    impl crate::encoder::Embedder for Counting {
        fn embed(&self, texts: &[&str], role: Role) -> Result<Vec<Vec<f32>>> {
            self.0.fetch_add(texts.len(), Ordering::Relaxed);
            Words.embed(texts, role)
        }
        fn identity(&self) -> &str {
            "words"
        }
        fn dim(&self) -> usize {
            16
        }
    }

    /// A questionnaire filled again embeds none of its questions: their vectors come from
    /// the query cache, equal to those embedded the first time; a new question is embedded,
    /// once even when asked twice; a lone question is never cached.
    #[test]
    fn a_questionnaire_filled_again_takes_its_question_vectors_from_the_cache() {
        let (dir, _) = audience_kb();
        let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (index, _) = KbIndex::open_with(
            dir.path(),
            Some(Arc::new(Counting(count.clone()))),
            &mut |_, _| {},
        )
        .unwrap();
        let questions: Vec<String> = (0..10)
            .map(|i| format!("Is backup set {i} encrypted?"))
            .collect();
        let refs: Vec<&str> = questions.iter().map(String::as_str).collect();
        count.store(0, Ordering::Relaxed);
        let first = embed_questions(&index, &refs).unwrap().unwrap();
        assert_eq!(count.load(Ordering::Relaxed), 10);
        let again = embed_questions(&index, &refs).unwrap().unwrap();
        assert_eq!(count.load(Ordering::Relaxed), 10, "nothing embedded again");
        assert_eq!(first, again);
        let mut more = refs.clone();
        more.push("Who reviews the backup logs?");
        more.push("Who reviews the backup logs?");
        embed_questions(&index, &more).unwrap().unwrap();
        assert_eq!(
            count.load(Ordering::Relaxed),
            11,
            "one new text, embedded once"
        );
        embed_questions(&index, &["Is backup set 1 encrypted?"]).unwrap();
        assert_eq!(
            count.load(Ordering::Relaxed),
            12,
            "a lone question is embedded"
        );
    }

    impl crate::encoder::Embedder for Words {
        fn embed(&self, texts: &[&str], _role: Role) -> Result<Vec<Vec<f32>>> {
            Ok(texts
                .iter()
                .map(|t| {
                    let mut v = vec![0.0; 16];
                    for w in t.split_whitespace() {
                        v[w.len() % 16] += 1.0;
                    }
                    v
                })
                .collect())
        }
        fn identity(&self) -> &str {
            "words"
        }
        fn dim(&self) -> usize {
            16
        }
    }

    /// The question asked in the audience tests, with its vector.
    fn asked(m: &mut Matcher, index: &KbIndex) -> Asked {
        let question = "Are backups encrypted and audited?";
        let mut asked = m.ask(question).unwrap().unwrap();
        asked.vector = embed_questions(index, &[question]).unwrap().unwrap().pop();
        asked
    }

    /// What each reader may see, written out here rather than derived from `visible_to`.
    const MAY_SEE: [(Audience, &[&str]); 3] = [
        (Audience::Public, &["public"]),
        (Audience::Nda, &["public", "nda"]),
        (Audience::Internal, &["public", "nda", "internal"]),
    ];

    /// The audience an entry was written with, read from its id.
    fn written_audience(id: &str) -> String {
        id.split('-').next().unwrap().to_string()
    }

    fn audiences(ids: impl Iterator<Item = String>) -> std::collections::BTreeSet<String> {
        ids.map(|id| written_audience(&id)).collect()
    }

    /// Layer one on its own: both retrieval queries match exactly the entries the reader may see.
    #[test]
    fn retrieval_matches_only_what_the_reader_may_see() {
        let (_dir, index) = audience_kb();
        let mut m = Matcher::new(&index);
        let asked = asked(&mut m, &index);
        for (reader, allowed) in MAY_SEE {
            let hits = m.retrieve(&asked, reader, 50).unwrap();
            let scored: Vec<String> = hits
                .scores
                .as_ref()
                .unwrap()
                .by_id
                .keys()
                .cloned()
                .collect();
            assert_eq!(
                scored.len(),
                3 * allowed.len(),
                "scored by meaning for {reader}"
            );
            assert_eq!(
                audiences(scored.into_iter()),
                allowed.iter().map(|a| a.to_string()).collect(),
                "scored by meaning for {reader}"
            );
            for (ranking, found) in [
                ("bm25", &hits.bm25),
                ("words", &hits.words),
                ("meaning", &hits.semantic),
            ] {
                let ids: Vec<String> = found
                    .iter()
                    .map(|(_, addr)| m.prepared(*addr).unwrap().entry.id.clone())
                    .collect();
                assert_eq!(
                    ids.len(),
                    3 * allowed.len(),
                    "{ranking} for {reader}: {ids:?}"
                );
                assert_eq!(
                    audiences(ids.into_iter()),
                    allowed.iter().map(|a| a.to_string()).collect(),
                    "{ranking} for {reader}"
                );
            }
        }
    }

    /// Layer two on its own: handed every entry, whatever the queries matched, ranking keeps
    /// only those the reader may see.
    #[test]
    fn ranking_drops_every_entry_above_the_reader() {
        let (_dir, index) = audience_kb();
        let mut m = Matcher::new(&index);
        let asked = asked(&mut m, &index);
        let everything = m.retrieve(&asked, Audience::Internal, 50).unwrap();
        assert_eq!(everything.bm25.len(), 9);
        assert_eq!(everything.semantic.len(), 9);
        for (reader, allowed) in MAY_SEE {
            let found = m
                .rank(
                    &asked,
                    everything.clone(),
                    &MatchOptions {
                        audience: reader,
                        top: 50,
                        review_age: None,
                    },
                    50,
                )
                .unwrap();
            assert_eq!(found.len(), 3 * allowed.len(), "{reader}");
            assert_eq!(
                audiences(found.iter().map(|c| c.entry.id.clone())),
                allowed.iter().map(|a| a.to_string()).collect(),
                "{reader}"
            );
        }
    }

    /// A top candidate's signals: its BM25 ratio is 1 by definition, the plain-words ranking
    /// agrees as far as the words match (quality) and by the same margin, and what neither the
    /// phrasings nor the comment cover is left uncovered.
    fn signals(quality: f32, margin: f32, comment: f32) -> Signals {
        Signals {
            quality,
            margin,
            comment_coverage: comment,
            bm25_ratio: 1.0,
            words_ratio: quality,
            words_margin: margin,
            uncovered: 1.0 - quality.max(comment),
            ..Signals::default()
        }
    }

    #[test]
    fn confidence_rises_with_quality_and_margin() {
        let perfect = confidence(&signals(1.0, 0.2, 0.8));
        let partial = confidence(&signals(0.6, 0.05, 0.4));
        let tied = confidence(&signals(0.6, 0.0, 0.4));
        let nothing = confidence(&signals(0.0, 0.0, 0.0));
        let mismatched = confidence(&Signals {
            answer_mismatch: 1.0,
            ..signals(1.0, 0.2, 0.8)
        });
        assert!(perfect.percent() >= 80, "{perfect}");
        assert!(
            partial < perfect && tied < partial,
            "{tied} {partial} {perfect}"
        );
        assert!(
            mismatched < perfect,
            "a Yes/No entry for a which-question: {mismatched} vs {perfect}"
        );
        assert!(
            nothing.percent() < DEFAULT_MIN_CONFIDENCE / 2,
            "far below the drafting threshold: {nothing}"
        );
    }

    /// Every entry's question is asked, in whichever thread's share it falls: with two
    /// threads, the first entry of the library finds its duplicate as the asker too (each
    /// pair is reported from both sides before `kb check` keeps one).
    #[test]
    fn same_questions_asks_every_entry_on_every_thread() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::new();
        for (id, q) in [
            ("a", "Are backups encrypted at rest?"),
            ("b", "Are the backups encrypted at rest?"),
            ("c", "Do you run annual penetration tests?"),
            ("d", "Is there a documented incident response plan?"),
        ] {
            text.push_str(&format!(
                "[[answer]]\nid = \"{id}\"\nquestion = \"{q}\"\nanswer = \"Yes\"\naudience = \"public\"\n\n"
            ));
        }
        std::fs::create_dir_all(dir.path().join("answers")).unwrap();
        std::fs::write(dir.path().join("answers/a.toml"), text).unwrap();
        let (index, _) = KbIndex::open(dir.path()).unwrap();
        for jobs in [1, 2, 4] {
            let pairs: Vec<(String, String)> = Matcher::new(&index)
                .same_questions(0.8, jobs)
                .unwrap()
                .into_iter()
                .map(|p| (p.asked.id.clone(), p.other.id.clone()))
                .collect();
            assert_eq!(
                pairs,
                [("a".to_string(), "b".to_string()), ("b".into(), "a".into())],
                "jobs {jobs}"
            );
        }
    }

    #[test]
    fn a_candidates_band_is_exact_for_an_exact_reuse_else_its_confidences() {
        let (_dir, index) = audience_kb();
        let mut m = Matcher::new(&index);
        let opts = MatchOptions {
            audience: Audience::Internal,
            top: 1,
            review_age: None,
        };
        let mut c = m
            .find("Are backups encrypted and audited?", &opts)
            .unwrap()
            .remove(0);
        assert_eq!(c.band(), c.confidence.band());
        assert!(!c.band().is_empty());
        c.add(Caveat::Reuse(Reuse::Exact { reference: None }));
        assert_eq!(c.band(), "exact");
    }

    /// The caveats settle the confidence in one documented order, whatever order they were
    /// found in: exact reuse, caps, staleness, withholding.
    #[test]
    fn caveats_settle_the_confidence_in_their_documented_order() {
        let why = || "why".to_string();
        let exact = || Caveat::Reuse(Reuse::Exact { reference: None });
        let at =
            |model: u8, caveats: Vec<Caveat>| settle(Confidence::new(model), &caveats).percent();
        assert_eq!(at(90, vec![]), 90);
        assert_eq!(at(90, vec![Caveat::Polarity(why())]), 40, "halved, capped");
        assert_eq!(at(60, vec![Caveat::Incomplete(why())]), 30);
        assert_eq!(at(90, vec![Caveat::Stale(why())]), 75);
        assert_eq!(
            at(60, vec![Caveat::Stale(why()), Caveat::Polarity(why())]),
            15,
            "cap, then stale"
        );
        assert_eq!(at(20, vec![exact()]), EXACT_CONFIDENCE);
        assert_eq!(
            at(20, vec![Caveat::Stale(why()), exact()]),
            EXACT_CONFIDENCE - STALE_PENALTY
        );
        assert_eq!(
            at(20, vec![exact(), Caveat::Polarity(why())]),
            EXACT_CONFIDENCE,
            "an exact reuse is not capped"
        );
        assert_eq!(
            at(90, vec![Caveat::Withheld(why()), exact()]),
            40,
            "withheld last"
        );
        assert_eq!(at(60, vec![Caveat::Withheld(why())]), 30);
        let same_id = Caveat::Reuse(Reuse::SameId {
            reference: "A-1".into(),
        });
        assert_eq!(
            at(20, vec![same_id]),
            20,
            "another edition changes nothing by itself"
        );
    }

    /// A stand-in model that knows three topics: a word of a topic adds to its dimension, any
    /// other word to one of 29 others by its length and first letter.
    struct Topics;

    impl crate::encoder::Embedder for Topics {
        fn embed(&self, texts: &[&str], _role: Role) -> Result<Vec<Vec<f32>>> {
            const TOPICS: [&[&str]; 3] = [
                &["phishing", "simulated", "fake", "percentage"],
                &["backup", "backups", "tape"],
                &["inventory", "ownership", "owner", "assets"],
            ];
            Ok(texts
                .iter()
                .map(|t| {
                    let mut v = vec![0.0; 32];
                    for w in t
                        .split(|c: char| !c.is_alphanumeric())
                        .filter(|w| !w.is_empty())
                    {
                        let w = w.to_lowercase();
                        let d = TOPICS
                            .iter()
                            .position(|t| t.contains(&w.as_str()))
                            .unwrap_or(3 + (w.len() * 7 + usize::from(w.as_bytes()[0])) % 29);
                        v[d] += 1.0;
                    }
                    v
                })
                .collect())
        }
        fn identity(&self) -> &str {
            "topics"
        }
        fn dim(&self) -> usize {
            32
        }
    }

    /// A word the entry never uses is covered by meaning when, alone, it is nearest that entry:
    /// the caveat gives way to a note naming the word, and the model's confidence stands. A
    /// word nearer another entry, a measure, a candidate below the threshold or one with
    /// another narrowing caveat keep theirs.
    #[test]
    fn a_word_nearest_the_entry_on_its_own_is_covered_by_meaning() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from(
            "[[answer]]\nid = \"phish\"\nquestion = \"Do you run simulated phishing campaigns for staff?\"\nanswer = \"Yes\"\naudience = \"public\"\n\n\
             [[answer]]\nid = \"assets\"\nquestion = \"Do you keep an inventory of assets with an owner for each?\"\nanswer = \"Yes\"\naudience = \"public\"\n\n",
        );
        // Enough other entries that "nearest few" means something.
        for k in 0..60 {
            text.push_str(&format!(
                "[[answer]]\nid = \"other-{k}\"\nquestion = \"Is control {k} {} in place?\"\nanswer = \"Yes\"\naudience = \"public\"\n\n",
                ["reviewed", "logged", "tested", "approved", "documented", "monitored"][k % 6]
            ));
        }
        std::fs::create_dir_all(dir.path().join("answers")).unwrap();
        std::fs::write(dir.path().join("answers/a.toml"), text).unwrap();
        let (index, _) =
            KbIndex::open_with(dir.path(), Some(Arc::new(Topics)), &mut |_, _| {}).unwrap();
        let mut m = Matcher::new(&index);
        let searcher = index.searcher();
        let phish = Arc::new(
            index
                .stored(
                    &searcher,
                    index.address_of(&searcher, "phish").unwrap().unwrap(),
                )
                .unwrap(),
        );
        let candidate = |word: &str, model: u8, extra: Option<Caveat>| {
            let mut caveats = vec![Caveat::uncovered(vec![word.to_string()])];
            caveats.extend(extra);
            Candidate::new(
                phish.clone(),
                phish.question.clone(),
                Confidence::new(model),
                Signals::default(),
                caveats,
            )
        };
        let check = |m: &mut Matcher, mut c: Candidate| -> Candidate {
            m.covered_by_meaning(std::slice::from_mut(&mut c), Audience::Internal)
                .unwrap();
            c
        };

        let fake = check(&mut m, candidate("fake", 85, None));
        assert_eq!(fake.confidence.percent(), 85);
        assert!(fake.caution().is_none(), "{:?}", fake.caveats);
        assert_eq!(
            fake.meaning(),
            Some(
                "does not use the word \"fake\", read as covered by meaning: on its own, the word is nearer to this entry than to any other"
            )
        );

        let ownership = check(&mut m, candidate("ownership", 85, None));
        assert_eq!(
            ownership.confidence.percent(),
            QUALIFIER_CAP,
            "nearer the asset entry"
        );
        assert!(ownership.meaning().is_none());
        let measure = check(&mut m, candidate("percentage", 85, None));
        assert_eq!(
            measure.confidence.percent(),
            QUALIFIER_CAP,
            "a measure must be stated"
        );
        let below = check(&mut m, candidate("fake", 60, None));
        assert!(below.caution().is_some() && below.meaning().is_none());
        let scoped = check(
            &mut m,
            candidate("fake", 85, Some(Caveat::Scope("scope".into()))),
        );
        assert_eq!(scoped.confidence.percent(), QUALIFIER_CAP);
        assert!(
            scoped
                .caveats
                .iter()
                .any(|k| matches!(k, Caveat::Uncovered { .. }))
        );
    }

    #[test]
    fn the_meaning_note_says_how_near_the_words_lie() {
        let one = vec!["fake".to_string()];
        let two = vec!["quicker".to_string(), "dismissals".to_string()];
        assert!(
            meaning_note(&one, 0).ends_with("the word is nearer to this entry than to any other")
        );
        assert!(meaning_note(&one, 1).ends_with("the word is nearer to only one other entry"));
        assert!(meaning_note(&one, 5).ends_with("the word is nearer to only 5 other entries"));
        assert_eq!(
            meaning_note(&two, 3),
            "does not use the words \"quicker dismissals\", read as covered by meaning: on their own, each word is nearer to at most 3 other entries"
        );
    }

    #[test]
    fn bands_name_the_ranges() {
        assert_eq!(Confidence::new(80).band(), "high");
        assert_eq!(Confidence::new(79).band(), "medium");
        assert_eq!(Confidence::new(70).band(), "medium");
        assert_eq!(Confidence::new(69).band(), "low");
        assert_eq!(Confidence::new(250).percent(), 100);
    }
}
