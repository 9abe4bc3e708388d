//! `kb learn`: the library learns from every reviewed questionnaire. Reads a review workbook
//! that `fill` wrote and a person reviewed:
//! - an Approved row whose answer is the source entry's (as drafted) adds the questionnaire's
//!   phrasing to that entry's variants, so the same question matches with high confidence next
//!   time. A reviewer who preferred a runner-up sets Status to `Runner-up N` (or puts its id
//!   in the Source column): the phrasing then goes to that entry;
//! - an Approved row whose answer or comment the reviewer changed becomes a proposed entry (a
//!   revision of its source) in `answers/learned.toml`, where `kb check` shows any conflict
//!   with the original until someone reconciles them;
//! - an Approved row answered by hand where nothing matched becomes a new entry there too;
//! - Rejected rows are reported.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::fill::review::{ReviewedRow, read_review};
use crate::kb::edit::{KbLock, append_entries, apply_variants};
use crate::kb::unique_id as unique;
use crate::kb::{Audience, EntryKind, KbEntry, KnowledgeBase, Source};
use crate::text::{class, normalize_label};

pub const LEARNED_FILE: &str = "answers/learned.toml";

#[derive(Debug, Clone, Default)]
pub struct LearnReport {
    /// (entry id, phrasing) added as variants.
    pub variants: Vec<(String, String)>,
    /// New entries proposed, with why.
    pub proposed: Vec<(String, String)>,
    /// (review row, question) rejected by the reviewer.
    pub rejected: Vec<(u32, String)>,
    /// (entry id, question) rejections remembered on the entry: it is not drafted for that
    /// question again.
    pub remembered: Vec<(String, String)>,
    /// (entry id, reference) question ids of approved rows recorded on their entry.
    pub references: Vec<(String, String)>,
    /// Approved rows that taught nothing new (the phrasing was known already).
    pub known: usize,
    /// Rows not reviewed (still Draft, Needs answer, Kept, Formula).
    pub unreviewed: usize,
    /// Problems with single rows (unknown source id…), by review row.
    pub problems: Vec<(u32, String)>,
}

pub fn learn(kb_root: &Path, review_path: &Path, dry_run: bool) -> Result<LearnReport> {
    let mut review = read_review(review_path)?;
    // Required-field markers ("…in the last 12 months?*") are not part of the question.
    for row in &mut review.rows {
        row.question = row
            .question
            .trim_end_matches(['*', '\u{2020}', ' ', '\u{a0}'])
            .to_string();
    }
    let _lock = if dry_run {
        None
    } else {
        Some(KbLock::acquire(kb_root)?)
    };
    let kb = KnowledgeBase::load(kb_root)?;
    // Every file this run changes, put back unless the whole change lands.
    let mut tx = crate::atomic::Transaction::new();
    let default_owner = crate::kb::settings::Settings::load(kb_root)?.owner;
    let audience: Audience = review
        .meta
        .get("audience")
        .and_then(|a| a.parse().ok())
        .unwrap_or(Audience::Public);
    let mut report = LearnReport::default();
    let mut taken: HashSet<String> = kb.entries.iter().map(|e| e.id.clone()).collect();
    let mut new_entries: Vec<KbEntry> = Vec::new();
    let mut variants: Vec<(String, PathBuf, String)> = Vec::new();
    let mut rejections: Vec<(String, PathBuf, String)> = Vec::new();
    let mut refs: Vec<(String, PathBuf, String)> = Vec::new();
    let input = review.meta.get("input").map(std::path::PathBuf::from);
    let questionnaire = input
        .as_deref()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // What the questionnaire calls itself, when the file fill read is still there.
    let title = input
        .as_deref()
        .filter(|p| p.is_file())
        .and_then(|p| crate::container::read_grids(p, &crate::limits::Limits::default()).ok())
        .and_then(|sheets| super::harvest::title_in_cells(&sheets));
    for row in &review.rows {
        match row.status.to_ascii_lowercase().as_str() {
            "approved" => {}
            "rejected" => {
                report.rejected.push((row.review_row, row.question.clone()));
                if let Some(entry) = kb.get(&row.source).filter(|e| e.kind == EntryKind::Answer)
                    && !row.question.is_empty()
                {
                    rejections.push((
                        entry.id.clone(),
                        kb_root.join(&entry.source.path),
                        row.question.clone(),
                    ));
                }
                continue;
            }
            _ => {
                report.unreviewed += 1;
                continue;
            }
        }
        // Nothing to learn from a form field the company profile answered: its answer lives
        // in trustfill.toml, not in an entry.
        if row.question.is_empty() || row.source.starts_with("[profile]") {
            continue;
        }
        let source = kb.get(&row.source).filter(|e| e.kind == EntryKind::Answer);
        // The row's question id, as a reference the entry answers from now on.
        let reference = (!row.question_id.trim().is_empty()).then(|| {
            format!(
                "{} {}",
                super::harvest::framework_label(
                    &row.answer_cell.sheet,
                    &questionnaire,
                    title.as_deref()
                ),
                row.question_id.trim()
            )
        });
        if let (Some(entry), Some(r)) = (source, &reference)
            && same_answer(&row.answer, &row.comment, entry)
            && !entry
                .refs
                .iter()
                .any(|known| crate::text::ref_id(known) == crate::text::ref_id(r))
        {
            refs.push((
                entry.id.clone(),
                kb_root.join(&entry.source.path),
                r.clone(),
            ));
        }
        match source {
            Some(entry)
                if same_answer(&row.answer, &row.comment, entry)
                    && super::harvest::has_phrasing(entry, &row.question) =>
            {
                report.known += 1;
            }
            Some(entry) if same_answer(&row.answer, &row.comment, entry) => {
                variants.push((
                    entry.id.clone(),
                    kb_root.join(&entry.source.path),
                    row.question.clone(),
                ));
            }
            Some(entry) => {
                let id = unique(&format!("{}-revised", entry.id), &mut taken);
                report.proposed.push((
                    id.clone(),
                    format!("revision of {} from a reviewed answer", entry.id),
                ));
                let mut learned = learned_entry(id, row, entry.audience, Some(entry));
                learned.refs.extend(reference);
                new_entries.push(learned);
            }
            None if !row.source.is_empty() && kb.get(&row.source).is_none() => {
                report.problems.push((
                    row.review_row,
                    format!(
                        "Source {:?} is not an entry in the knowledge base",
                        row.source
                    ),
                ));
            }
            None if !row.answer.is_empty() => {
                let id = crate::kb::id_from_question(&row.question, "learned-", &mut taken);
                report.proposed.push((
                    id.clone(),
                    "answered by hand where the knowledge base had nothing".into(),
                ));
                let mut learned = learned_entry(id, row, audience, None);
                learned.refs.extend(reference);
                // The team's default owner (trustfill.toml), so the new answer is not orphaned.
                learned.owner = learned.owner.or_else(|| default_owner.clone());
                new_entries.push(learned);
            }
            None => report
                .problems
                .push((row.review_row, "approved without an answer".into())),
        }
    }
    for (id, file, question) in rejections {
        let added = if dry_run {
            vec![question.clone()]
        } else {
            tx.keep(&file)?;
            crate::kb::edit::add_rejections(&file, &id, std::slice::from_ref(&question))?
        };
        if !added.is_empty() {
            report.remembered.push((id, question));
        }
    }
    for (id, file, reference) in refs {
        let added = if dry_run {
            vec![reference.clone()]
        } else {
            tx.keep(&file)?;
            crate::kb::edit::add_refs(&file, &id, std::slice::from_ref(&reference))?
        };
        if !added.is_empty() {
            report.references.push((id, reference));
        }
    }
    let (added, known) = apply_variants(variants, dry_run, &mut tx)?;
    report.variants = added;
    report.known += known;
    if !new_entries.is_empty() && !dry_run {
        let header = "Entries learned from reviewed questionnaires by `trustfill kb learn`.\nReview each one: merge it into the entry it revises, or keep it with an owner.";
        let learned = kb_root.join(LEARNED_FILE);
        tx.keep(&learned)?;
        append_entries(&learned, header, &new_entries)?;
    }
    if !dry_run {
        // Never leave a library that does not load: every file goes back otherwise.
        KnowledgeBase::load(kb_root)?;
    }
    tx.commit();
    Ok(report)
}

/// Whether the reviewer kept the entry's answer: the same text, the same Yes/No/N/A, or the
/// "answer — comment" form fill writes into a single answer column; and an unchanged comment.
fn same_answer(answer: &str, comment: &str, entry: &KbEntry) -> bool {
    let short = entry.answer.as_deref().unwrap_or_default();
    let n = normalize_label;
    let answer_same = answer.is_empty()
        || n(answer) == n(short)
        || matches!((class(answer), class(short)), (Some(a), Some(b)) if a == b)
        || n(answer) == n(&format!("{short} {}", entry.comment));
    let comment_same = comment.is_empty()
        || n(comment) == n(&entry.comment)
        || n(comment) == n(&format!("{short} {}", entry.comment));
    answer_same && comment_same
}

fn learned_entry(
    id: String,
    row: &ReviewedRow,
    audience: Audience,
    from: Option<&KbEntry>,
) -> KbEntry {
    let (answer, comment) = if row.answer.is_empty() {
        // A value answer under a dropdown was drafted into the comment as "answer — comment".
        match row.comment.split_once(" — ") {
            Some((a, c)) => (a.to_string(), c.to_string()),
            None => (row.comment.clone(), String::new()),
        }
    } else {
        (row.answer.clone(), row.comment.clone())
    };
    KbEntry {
        id,
        kind: EntryKind::Answer,
        question: row.question.clone(),
        variants: Vec::new(),
        answer: Some(answer),
        comment,
        tags: from.map(|e| e.tags.clone()).unwrap_or_default(),
        audience: from.map_or(audience, |e| e.audience),
        owner: from.and_then(|e| e.owner.clone()),
        // Nobody has reviewed it as a library entry yet: `kb approve` dates it.
        reviewed: None,
        refs: Vec::new(),
        rejected: Vec::new(),
        proposed: true,
        source: Source {
            path: LEARNED_FILE.into(),
            line: 0,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_ids_count_up_from_two() {
        let mut taken: HashSet<String> = ["x".to_string()].into();
        assert_eq!(unique("x", &mut taken), "x-2");
        assert_eq!(unique("x", &mut taken), "x-3");
        assert_eq!(unique("x", &mut taken), "x-4");
        assert_eq!(unique("y", &mut taken), "y");
        assert!(taken.contains("x-4") && taken.contains("y"));
    }
}
