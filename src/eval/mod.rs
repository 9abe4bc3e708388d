//! `eval`: how good are the answers, measured. Reads a labeled set (`question,expected`, where
//! expected is one or more entry ids separated by `|`, or `NONE`; or `file,sheet,cell,expected`
//! pointing at questions in real questionnaires) and reports the figures that
//! decide whether trustfill can be trusted: top-1 accuracy and recall@3 on answerable
//! questions; for each confidence threshold the share of all questions that would be drafted
//! and the precision among them (a draft for a NONE question is wrong); coverage at 90% and 95%
//! precision; expected calibration error; AUROC of confidence for right versus wrong drafts.
//!
//! A question is "drafted" exactly as `fill` drafts it: the best approved answer (never a policy
//! excerpt) at or above the threshold.

pub mod plot;

use std::path::Path;

use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::index::KbIndex;
use crate::kb::{Audience, EntryKind, KnowledgeBase};
use crate::limits::Limits;
use crate::matcher::{MatchOptions, Matcher};
use crate::workbook;
use crate::xlsx::parse_a1;

#[derive(Debug, Clone, PartialEq)]
pub struct Labeled {
    pub question: String,
    /// Empty for NONE.
    pub expected: Vec<String>,
}

/// One question's outcome: the best approved answer, its confidence, whether it is right, and
/// whether any of the top three is right.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub question: String,
    pub expected: Vec<String>,
    pub top: Option<String>,
    pub confidence: u8,
    pub correct: bool,
    pub in_top3: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThresholdRow {
    pub threshold: u8,
    /// Share of all questions drafted.
    pub coverage: f64,
    /// Share of drafted questions drafted right (1.0 when nothing is drafted).
    pub precision: f64,
    pub drafted: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub questions: usize,
    pub answerable: usize,
    pub top1: f64,
    pub recall_at_3: f64,
    pub thresholds: Vec<ThresholdRow>,
    /// Largest coverage with precision ≥ 0.90 / 0.95, and the lowest threshold giving it.
    pub coverage_at_90: (f64, u8),
    pub coverage_at_95: (f64, u8),
    /// Expected calibration error over 10 confidence bins.
    pub ece: f64,
    /// The ECE a perfectly calibrated confidence would show on average with these confidences
    /// and this many questions ([`ece_floor`]): below it, a set cannot tell calibration apart
    /// from chance.
    pub ece_floor: f64,
    pub auroc: f64,
    pub outcomes: Vec<Outcome>,
}

/// The labels of one half: `even` rows (0, 2, 4, …) tune, `odd` rows are held out; anything
/// else keeps them all.
pub fn rows(labels: Vec<Labeled>, half: &str) -> Vec<Labeled> {
    match half {
        "even" => labels.into_iter().step_by(2).collect(),
        "odd" => labels.into_iter().skip(1).step_by(2).collect(),
        _ => labels,
    }
}

/// Read a labels file: a header row naming an `expected` column and either a `question` column
/// (the question's text) or `file`, `sheet` and `cell` columns pointing at the question in a
/// questionnaire under `sources` (default: the labels file's folder). The second form labels
/// real questionnaires without copying their text.
pub fn read_labels(path: &Path, sources: Option<&Path>) -> Result<Vec<Labeled>> {
    let fail = |message: String| Error::Import {
        path: path.to_path_buf(),
        message,
        hint: Some(
            "the file needs columns question,expected or file,sheet,cell,expected (ids \
             separated by | or NONE)"
                .into(),
        ),
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| fail(e.to_string()))?;
    let headers = reader.headers().map_err(|e| fail(e.to_string()))?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let Some(e) = col("expected") else {
        return Err(fail(format!(
            "no expected column in the header {:?}",
            headers.iter().collect::<Vec<_>>()
        )));
    };
    let source = match (col("question"), col("file"), col("sheet"), col("cell")) {
        (Some(q), ..) => Column::Text(q),
        (None, Some(f), Some(s), Some(c)) => Column::Cell(f, s, c),
        _ => {
            return Err(fail(format!(
                "no question column (or file, sheet and cell columns) in the header {:?}",
                headers.iter().collect::<Vec<_>>()
            )));
        }
    };
    let base = sources
        .map(Path::to_path_buf)
        .unwrap_or_else(|| path.parent().unwrap_or(Path::new(".")).to_path_buf());
    let mut books: HashMap<String, Vec<workbook::Sheet>> = HashMap::default();
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|err| fail(format!("line {line}: {err}")))?;
        let field = |c: usize| record.get(c).unwrap_or_default().trim();
        let question = match source {
            Column::Text(q) => field(q).to_string(),
            Column::Cell(f, s, c) => {
                let file = field(f);
                if !books.contains_key(file) {
                    let sheets =
                        crate::container::read_grids(&base.join(file), &Limits::default())?;
                    books.insert(file.to_string(), sheets);
                }
                let sheet = books[file]
                    .iter()
                    .find(|sh| sh.name == field(s))
                    .ok_or_else(|| {
                        fail(format!("line {line}: {file} has no sheet {:?}", field(s)))
                    })?;
                let (row, col) = parse_a1(field(c))
                    .ok_or_else(|| fail(format!("line {line}: {:?} is not a cell", field(c))))?;
                let text = sheet.cell(
                    row.saturating_sub(sheet.first_row) as usize,
                    col.saturating_sub(sheet.first_col) as usize,
                );
                if text.trim().is_empty() {
                    return Err(fail(format!(
                        "line {line}: {file} {}!{} is empty",
                        field(s),
                        field(c)
                    )));
                }
                text.trim().to_string()
            }
        };
        if question.is_empty() {
            continue;
        }
        let expected = field(e);
        let expected = if expected.eq_ignore_ascii_case("none") || expected.is_empty() {
            Vec::new()
        } else {
            expected
                .split('|')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        };
        out.push(Labeled { question, expected });
    }
    Ok(out)
}

/// Where a labels file keeps its questions: the column of the text, or the columns of the file,
/// sheet and cell that hold it.
#[derive(Clone, Copy)]
enum Column {
    Text(usize),
    Cell(usize, usize, usize),
}

/// The plain BM25 reference the method is compared with: one field holding each answer's
/// question, variants and comment, tantivy's default tokenizer (split and lower-case: no
/// stemming, no stop words, no clean-up, no thesaurus), ranked by BM25 alone. BM25 scores are
/// not probabilities, so its "confidence" is the top score over the largest top score in the
/// set, in percent: enough to draw the same threshold and calibration figures.
pub fn evaluate_bm25(kb: &KnowledgeBase, labels: &[Labeled], audience: Audience) -> Result<Report> {
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
    use tantivy::schema::{
        IndexRecordOption, STORED, STRING, Schema, TEXT, TantivyDocument, Value,
    };
    use tantivy::{Index, Term};

    let fail = |source| Error::Index {
        path: kb.root.clone(),
        source,
    };
    let mut builder = Schema::builder();
    let id = builder.add_text_field("id", STRING | STORED);
    let text = builder.add_text_field("text", TEXT);
    let index = Index::create_in_ram(builder.build());
    let mut writer = index
        .writer_with_num_threads::<TantivyDocument>(1, 20_000_000)
        .map_err(fail)?;
    for e in kb
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Answer && e.audience.visible_to(audience))
    {
        let mut doc = TantivyDocument::default();
        doc.add_text(id, &e.id);
        let all: Vec<&str> = e
            .phrasings()
            .chain(std::iter::once(e.comment.as_str()))
            .collect();
        doc.add_text(text, all.join(" \n "));
        writer.add_document(doc).map_err(fail)?;
    }
    writer.commit().map_err(fail)?;
    let searcher = index.reader().map_err(fail)?.searcher();
    let mut tokenizer = index
        .tokenizers()
        .get("default")
        .expect("tantivy registers a default tokenizer");
    let mut scored: Vec<(Labeled, Vec<(f32, String)>)> = Vec::with_capacity(labels.len());
    for l in labels {
        let mut stream = tokenizer.token_stream(&l.question);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        while let Some(token) = stream.next() {
            let term = Term::from_field_text(text, &token.text);
            clauses.push((
                Occur::Should,
                Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
            ));
        }
        let hits = if clauses.is_empty() {
            Vec::new()
        } else {
            let found = searcher
                .search(
                    &BooleanQuery::new(clauses),
                    &TopDocs::with_limit(3).order_by_score(),
                )
                .map_err(fail)?;
            let mut hits = Vec::new();
            for (score, addr) in found {
                let doc: TantivyDocument = searcher.doc(addr).map_err(fail)?;
                let entry = doc
                    .get_first(id)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string();
                hits.push((score, entry));
            }
            hits
        };
        scored.push((l.clone(), hits));
    }
    let best = scored
        .iter()
        .filter_map(|(_, h)| h.first().map(|x| x.0))
        .fold(f32::EPSILON, f32::max);
    let outcomes = scored
        .into_iter()
        .map(|(l, hits)| {
            let top = hits.first().map(|h| h.1.clone());
            Outcome {
                confidence: hits
                    .first()
                    .map_or(0, |h| (h.0 / best * 100.0).round() as u8),
                correct: top.as_ref().is_some_and(|t| l.expected.contains(t)),
                in_top3: hits.iter().any(|h| l.expected.contains(&h.1)),
                top,
                expected: l.expected,
                question: l.question,
            }
        })
        .collect();
    Ok(report(outcomes))
}

pub fn evaluate(index: &KbIndex, labels: &[Labeled], audience: Audience) -> Result<Report> {
    let mut matcher = Matcher::new(index);
    // Matching quality only: staleness is a policy of `fill` and `ask`, and a measurement must
    // not change with the day it is taken.
    let opts = MatchOptions {
        audience,
        top: 6,
        review_age: None,
    };
    let mut outcomes = Vec::with_capacity(labels.len());
    let questions: Vec<&str> = labels.iter().map(|l| l.question.as_str()).collect();
    let mut vectors = crate::matcher::embed_questions(index, &questions)?.unwrap_or_default();
    vectors.resize(labels.len(), Vec::new());
    for (l, v) in labels.iter().zip(vectors) {
        let found = matcher.find_embedded(&l.question, Some(v).filter(|v| !v.is_empty()), &opts)?;
        let answers: Vec<_> = found
            .iter()
            .filter(|c| c.entry.kind == EntryKind::Answer)
            .collect();
        let best = answers.first();
        outcomes.push(Outcome {
            question: l.question.clone(),
            expected: l.expected.clone(),
            top: best.map(|c| c.entry.id.clone()),
            confidence: best.map_or(0, |c| c.confidence.percent()),
            correct: best.is_some_and(|c| l.expected.contains(&c.entry.id)),
            in_top3: answers
                .iter()
                .take(3)
                .any(|c| l.expected.contains(&c.entry.id)),
        });
    }
    Ok(report(outcomes))
}

pub fn report(outcomes: Vec<Outcome>) -> Report {
    let n = outcomes.len();
    let answerable: Vec<&Outcome> = outcomes.iter().filter(|o| !o.expected.is_empty()).collect();
    let share = |k: usize, of: usize| if of == 0 { 0.0 } else { k as f64 / of as f64 };
    let top1 = share(
        answerable.iter().filter(|o| o.correct).count(),
        answerable.len(),
    );
    let recall_at_3 = share(
        answerable.iter().filter(|o| o.in_top3).count(),
        answerable.len(),
    );
    let thresholds: Vec<ThresholdRow> = (0..=100u8)
        .step_by(5)
        .map(|t| {
            let drafted: Vec<&Outcome> = outcomes
                .iter()
                .filter(|o| o.top.is_some() && o.confidence >= t)
                .collect();
            let right = drafted.iter().filter(|o| o.correct).count();
            ThresholdRow {
                threshold: t,
                coverage: share(drafted.len(), n),
                precision: if drafted.is_empty() {
                    1.0
                } else {
                    share(right, drafted.len())
                },
                drafted: drafted.len(),
            }
        })
        .collect();
    let coverage_at = |target: f64| {
        thresholds
            .iter()
            .filter(|r| r.precision >= target && r.drafted > 0)
            .map(|r| (r.coverage, r.threshold))
            .fold((0.0, 100), |best, x| if x.0 > best.0 { x } else { best })
    };
    Report {
        questions: n,
        answerable: answerable.len(),
        top1,
        recall_at_3,
        coverage_at_90: coverage_at(0.90),
        coverage_at_95: coverage_at(0.95),
        ece: ece(&outcomes),
        ece_floor: ece_floor(&outcomes.iter().map(|o| o.confidence).collect::<Vec<_>>()),
        auroc: auroc(&outcomes),
        thresholds,
        outcomes,
    }
}

/// One of the 10 equal-width confidence bins of a reliability diagram.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bin {
    /// The bin's lowest confidence (0, 10, …, 90; the last holds 90–100).
    pub from: u8,
    pub count: usize,
    /// Mean confidence of its questions' best answers, 0..=1.
    pub confidence: f64,
    /// Share of them right, 0..=1.
    pub right: f64,
}

/// The reliability diagram's bins: each question's best answer by its confidence, against
/// the share of them that are right. Empty bins are left out.
pub fn reliability(outcomes: &[Outcome]) -> Vec<Bin> {
    let mut bins = [(0usize, 0.0f64, 0usize); 10];
    for o in outcomes {
        let b = (usize::from(o.confidence) / 10).min(9);
        bins[b].0 += 1;
        bins[b].1 += f64::from(o.confidence) / 100.0;
        bins[b].2 += usize::from(o.correct);
    }
    bins.iter()
        .enumerate()
        .filter(|(_, b)| b.0 > 0)
        .map(|(i, &(count, conf, right))| Bin {
            from: i as u8 * 10,
            count,
            confidence: conf / count as f64,
            right: right as f64 / count as f64,
        })
        .collect()
}

/// Expected calibration error: confidence vs. accuracy in 10 equal-width bins, weighted by size.
fn ece(outcomes: &[Outcome]) -> f64 {
    let n = outcomes.len().max(1) as f64;
    reliability(outcomes)
        .iter()
        .map(|b| (b.count as f64 / n) * (b.confidence - b.right).abs())
        .sum()
}

/// The expected ECE of a perfectly calibrated confidence: if each question with confidence
/// p were right with chance p, each bin's share right would still stray from its mean
/// confidence by chance, by about √(2/π)·√(Σ p(1−p))/n in the bin (the normal approximation
/// of the mean absolute deviation). Weighted by bin size like [`Report::ece`].
pub fn ece_floor(confidences: &[u8]) -> f64 {
    let mut bins = [(0usize, 0.0f64); 10];
    for &c in confidences {
        let p = f64::from(c.min(100)) / 100.0;
        let b = (usize::from(c) / 10).min(9);
        bins[b].0 += 1;
        bins[b].1 += p * (1.0 - p);
    }
    let n = confidences.len().max(1) as f64;
    let k = (2.0 / std::f64::consts::PI).sqrt();
    bins.iter()
        .filter(|b| b.0 > 0)
        .map(|&(count, var)| (count as f64 / n) * k * var.sqrt() / count as f64)
        .sum()
}

/// Probability that a right draft has a higher confidence than a wrong one (ties count half).
fn auroc(outcomes: &[Outcome]) -> f64 {
    let right: Vec<u8> = outcomes
        .iter()
        .filter(|o| o.correct)
        .map(|o| o.confidence)
        .collect();
    let wrong: Vec<u8> = outcomes
        .iter()
        .filter(|o| !o.correct)
        .map(|o| o.confidence)
        .collect();
    if right.is_empty() || wrong.is_empty() {
        return 0.5;
    }
    let mut score = 0.0;
    for r in &right {
        for w in &wrong {
            score += if r > w {
                1.0
            } else if r == w {
                0.5
            } else {
                0.0
            };
        }
    }
    score / (right.len() * wrong.len()) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(expected: &[&str], top: &str, confidence: u8, correct: bool) -> Outcome {
        Outcome {
            question: String::new(),
            expected: expected.iter().map(|s| s.to_string()).collect(),
            top: Some(top.into()),
            confidence,
            correct,
            in_top3: correct,
        }
    }

    #[test]
    fn metrics_on_a_small_known_case() {
        let r = report(vec![
            outcome(&["a"], "a", 90, true),
            outcome(&["b"], "x", 60, false),
            outcome(&[], "y", 30, false),
            outcome(&["c"], "c", 70, true),
        ]);
        assert_eq!(r.answerable, 3);
        assert!((r.top1 - 2.0 / 3.0).abs() < 1e-9);
        let at = |t: u8| {
            r.thresholds
                .iter()
                .find(|x| x.threshold == t)
                .unwrap()
                .clone()
        };
        assert_eq!((at(65).drafted, at(65).precision), (2, 1.0));
        assert_eq!(at(0).drafted, 4);
        assert!((at(0).precision - 0.5).abs() < 1e-9);
        assert_eq!(r.coverage_at_95, (0.5, 65));
        // Right drafts (90, 70) all above wrong ones (60, 30): perfect ranking.
        assert!((r.auroc - 1.0).abs() < 1e-9);
        // Bins: 0.9→right, 0.6→wrong, 0.3→wrong, 0.7→right: |0.9-1|+|0.6-0|+|0.3-0|+|0.7-1| over 4.
        assert!((r.ece - (0.1 + 0.6 + 0.3 + 0.3) / 4.0).abs() < 1e-9);
    }

    /// The chance-alone ECE: nothing at certainty, √(2/π)·√(n·p(1−p))/n in one bin, and
    /// smaller on more questions.
    #[test]
    fn the_ece_floor_is_what_chance_alone_gives() {
        assert_eq!(ece_floor(&[0, 100, 100, 0]), 0.0);
        let k = (2.0 / std::f64::consts::PI).sqrt();
        let hundred = ece_floor(&[50; 100]);
        assert!((hundred - k * 5.0 / 100.0).abs() < 1e-9, "{hundred}");
        assert!(ece_floor(&[50; 400]) < hundred / 1.9);
        // Two bins of 50 each weigh half: each is √(2/π)·√(50·0.25)/50.
        let two = ece_floor(&[[20u8; 50], [80u8; 50]].concat());
        assert!(
            (two - k * (50.0f64 * 0.16).sqrt() / 50.0).abs() < 1e-9,
            "{two}"
        );
        assert_eq!(ece_floor(&[]), 0.0);
    }
}
