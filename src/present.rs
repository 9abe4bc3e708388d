//! How answers look: the terminal text and the stable JSON shape of `ask`, and the status line
//! about the index. Pure functions returning strings; printing is [`crate::output`]'s job.

use serde::Serialize;

use crate::fill::RowStatus;
use crate::index::{Freshness, KbIndex};
use crate::kb::Audience;
use crate::matcher::{Candidate, Confidence, DEFAULT_MIN_CONFIDENCE, HIGH_CONFIDENCE};
use crate::output::Output;
use crate::questionnaire::Questionnaire;

const WIDTH: usize = 96;
const POLICY_EXCERPT_CHARS: usize = 320;

pub fn freshness(out: &Output, index: &KbIndex, freshness: Freshness) {
    if let Freshness::Built { entries, took } = freshness {
        out.status(&format!(
            "indexed {entries} entries from {} in {:.2} s",
            index.root.display(),
            took.as_secs_f64()
        ));
    }
    if let Some((texts, took)) = index.embedded {
        out.status(&format!(
            "embedded {} of the library with the model in {:.2} s",
            counted(texts, "new text"),
            took.as_secs_f64()
        ));
    }
}

#[derive(Serialize)]
struct AskJson<'a> {
    question: &'a str,
    matches: Vec<MatchJson<'a>>,
    /// When nothing the reader may see answers the question but an answer for a wider
    /// audience would: that audience and the confidence, nothing of the entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    restricted: Option<RestrictedJson>,
}

#[derive(Serialize)]
struct RestrictedJson {
    audience: &'static str,
    confidence: Confidence,
}

/// One match in `ask --json`. The first six fields are the documented stable shape; the others
/// were added after it and are only ever added to.
#[derive(Serialize)]
struct MatchJson<'a> {
    id: &'a str,
    confidence: Confidence,
    answer: Option<&'a str>,
    comment: &'a str,
    source: &'a str,
    audience: &'a str,
    kind: &'a str,
    line: usize,
    question: &'a str,
    matched: &'a str,
    /// Who owns the entry, and when it was last reviewed (null when the entry does not say).
    owner: Option<&'a str>,
    reviewed: Option<&'a str>,
    /// Why the confidence was capped, when the question may be asked the other way round.
    polarity: Option<&'a str>,
    /// Why the confidence was capped, when the question is not a question on its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    incomplete: Option<&'a str>,
    /// Why the confidence was lowered, when the entry is past its review date.
    #[serde(skip_serializing_if = "Option::is_none")]
    stale: Option<&'a str>,
    /// Why the entry is shown but never drafted (rejected for this question, or an unapproved
    /// proposal).
    #[serde(skip_serializing_if = "Option::is_none")]
    withheld: Option<&'a str>,
    /// The question's words the entry never uses but covers by meaning, for the reviewer to
    /// check.
    #[serde(skip_serializing_if = "Option::is_none")]
    covered_by_meaning: Option<&'a str>,
    /// Why the entry does not answer the question as asked, when it does not: the words it
    /// never mentions, a scope that differs, an open prompt.
    #[serde(skip_serializing_if = "Option::is_none")]
    not_covered: Option<String>,
}

/// `{"question": …, "matches": [{"id", "confidence", "answer", "comment", "source", "audience", …}]}`
pub fn ask_json(
    question: &str,
    candidates: &[Candidate],
    restricted: Option<(Audience, Confidence)>,
) -> String {
    let doc = AskJson {
        question,
        restricted: restricted.map(|(a, confidence)| RestrictedJson {
            audience: a.as_str(),
            confidence,
        }),
        matches: candidates
            .iter()
            .map(|c| MatchJson {
                id: &c.entry.id,
                confidence: c.confidence,
                answer: c.entry.answer.as_deref(),
                comment: &c.entry.comment,
                source: &c.entry.source,
                audience: c.entry.audience.as_str(),
                kind: c.entry.kind.as_str(),
                line: c.entry.line,
                question: &c.entry.question,
                matched: &c.matched,
                owner: c.entry.owner.as_deref(),
                reviewed: c.entry.reviewed.as_deref(),
                polarity: c.polarity(),
                incomplete: c.incomplete(),
                stale: c.stale(),
                withheld: c.withheld(),
                covered_by_meaning: c.meaning(),
                not_covered: c
                    .caveats
                    .iter()
                    .filter_map(crate::matcher::Caveat::narrowing)
                    .map(str::to_string)
                    .reduce(|a, b| format!("{a}; {b}")),
            })
            .collect(),
    };
    serde_json::to_string(&doc).expect("plain data serializes")
}

/// `kb import --update`'s diff, one block per changed entry, on stdout.
pub fn import_diff(r: &crate::ops::import::ImportReport) -> String {
    let mut out = String::new();
    for u in &r.updated {
        out.push_str(&format!("update {} ({})\n", u.id, u.location));
        for c in &u.changes {
            out.push_str(&format!(
                "  {}: {:?} -> {:?}\n",
                c.field,
                crate::text::truncate(&c.before, 200),
                crate::text::truncate(&c.after, 200)
            ));
        }
    }
    out
}

/// `1 entry`, `2 entries`, `0 sheets`: a count with the noun (its last word) in the number the
/// count needs.
pub fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        return format!("1 {noun}");
    }
    let plural = if let Some(stem) = noun
        .strip_suffix('y')
        .filter(|s| !s.ends_with(['a', 'e', 'i', 'o', 'u']))
    {
        format!("{stem}ies")
    } else if noun.ends_with(['s', 'x']) || noun.ends_with("ch") || noun.ends_with("sh") {
        format!("{noun}es")
    } else {
        format!("{noun}s")
    };
    format!("{n} {plural}")
}

/// Readable terminal output for one question.
pub fn ask_text(
    question: &str,
    candidates: &[Candidate],
    explain: bool,
    restricted: Option<(Audience, Confidence)>,
) -> String {
    let mut out = format!("{question}\n");
    let best = candidates
        .first()
        .map_or(Confidence::new(0), |c| c.confidence);
    if best.percent() < DEFAULT_MIN_CONFIDENCE {
        out.push_str(&format!(
            "  not covered: no entry answers this with confidence (best match {best})\n"
        ));
        if let Some((audience, confidence)) = restricted {
            out.push_str(&format!(
                "  {}\n",
                crate::matcher::restricted_note(audience, confidence)
            ));
        }
    }
    for (i, c) in candidates.iter().enumerate() {
        let answer = c.entry.answer.as_deref().unwrap_or("(policy excerpt)");
        out.push_str(&format!(
            "  {}. {:>4} {:<6} {}  {}\n",
            i + 1,
            c.confidence.to_string(),
            c.band(),
            c.entry.id,
            answer
        ));
        out.push_str(&wrap(&c.entry.question, "     "));
        let comment = if c.entry.answer.is_none() {
            crate::text::truncate(&c.entry.comment, POLICY_EXCERPT_CHARS)
        } else {
            c.entry.comment.clone()
        };
        if !comment.is_empty() {
            out.push_str(&wrap(&comment, "     │ "));
        }
        out.push_str(&format!(
            "     {}:{} · {}\n",
            c.entry.source, c.entry.line, c.entry.audience
        ));
        if let Some(why) = c.caution() {
            out.push_str(&wrap(&format!("caution: {why}"), "     ! "));
        }
        if let Some(why) = c.stale() {
            out.push_str(&wrap(why, "     ! "));
        }
        if let Some(why) = c.meaning() {
            out.push_str(&wrap(&format!("check: {why}"), "     ~ "));
        }
        if explain {
            let s = &c.signals;
            out.push_str(&format!(
                "     why: matched {:?}; quality {:.2} (question covered {:.2}, entry covered {:.2}), comment {:.2}, bm25 {:.1} ({:.2} of best), margin {:+.2}\n",
                c.matched, s.quality, s.query_coverage, s.entry_coverage, s.comment_coverage, s.bm25, s.bm25_ratio, s.margin
            ));
            if s.semantic != 0.0 || s.semantic_z != 0.0 {
                out.push_str(&format!(
                    "     meaning: similarity {:.2} ({:+.1} standard deviations from the library's mean), margin {:+.2}\n",
                    s.semantic, s.semantic_z, s.semantic_margin
                ));
            }
        }
    }
    out
}

/// `inspect`: per sheet, the detected header and columns, the question count and the first
/// questions; then the skipped sheets and why.
pub fn inspect_text(q: &Questionnaire, show: usize) -> String {
    let mut out = format!(
        "{}: {} in {}\n",
        q.path.display(),
        counted(q.question_count(), "question"),
        counted(q.sheets.len(), "sheet")
    );
    for s in &q.sheets {
        out.push_str(&format!(
            "\nsheet {:?}{}\n",
            s.name,
            if s.protected { " (protected)" } else { "" }
        ));
        out.push_str(&format!(
            "  header row  {}\n",
            s.header_row
                .map_or("none (columns found by content)".to_string(), |r| (r + 1)
                    .to_string())
        ));
        out.push_str(&format!("  question    {}\n", s.question.describe()));
        let added = |col: u32| {
            if s.added.iter().any(|(cell, _)| cell.col == col) {
                " (added: the sheet has no such column)"
            } else {
                ""
            }
        };
        out.push_str(&format!(
            "  answer      {}{}\n",
            s.answer.describe(),
            added(s.answer.index)
        ));
        if let Some(c) = s.questions.iter().find_map(|q| q.choices.as_ref()) {
            let first = c.options.first().map(|o| o.cell.col).unwrap_or_default();
            let last = c.options.last().map(|o| o.cell.col).unwrap_or_default();
            out.push_str(&format!(
                "  choices     {}:{} (a mark {:?} in one of: {})\n",
                crate::cellref::col_letters(first),
                crate::cellref::col_letters(last),
                c.mark,
                c.labels()
            ));
        }
        out.push_str(&format!(
            "  comment     {}{}\n",
            s.comment.as_ref().map_or("none".into(), |c| c.describe()),
            s.comment.as_ref().map_or("", |c| added(c.index))
        ));
        out.push_str(&format!(
            "  id          {}\n",
            s.id.as_ref().map_or("none".into(), |c| c.describe())
        ));
        let answered = s
            .questions
            .iter()
            .filter(|q| !q.existing_answer.is_empty())
            .count();
        let formulas = s.questions.iter().filter(|q| q.answer_is_formula).count();
        let dropdowns = s
            .questions
            .iter()
            .filter(|q| q.allowed.is_some() && q.choices.is_none())
            .count();
        out.push_str(&format!(
            "  questions   {} ({answered} already answered, {formulas} answer formulas kept, {dropdowns} with a dropdown)\n",
            s.questions.len()
        ));
        // Where the answers go, by kind, most common first: "12 cells, 3 content controls".
        let mut slots: Vec<(crate::questionnaire::Slot, usize)> = Vec::new();
        for q in &s.questions {
            match slots.iter_mut().find(|(k, _)| *k == q.slot) {
                Some((_, n)) => *n += 1,
                None => slots.push((q.slot, 1)),
            }
        }
        slots.sort_by_key(|s| std::cmp::Reverse(s.1));
        if !slots.is_empty() {
            out.push_str(&format!(
                "  slots       {}\n",
                slots
                    .iter()
                    .map(|(k, n)| counted(*n, k.name()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        for question in s.questions.iter().take(show) {
            let id = question
                .id
                .as_deref()
                .map(|i| format!("{i} "))
                .unwrap_or_default();
            out.push_str(&format!(
                "    {} {id}{}\n",
                question.answer_cell,
                crate::text::truncate(&question.text, 80)
            ));
        }
        if s.questions.len() > show {
            out.push_str(&format!("    … {} more\n", s.questions.len() - show));
        }
    }
    if !q.skipped.is_empty() {
        out.push_str("\nskipped\n");
        for s in &q.skipped {
            out.push_str(&format!("  {:?}: {}\n", s.name, s.reason));
        }
    }
    out
}

#[derive(Serialize)]
struct InspectJson<'a> {
    file: String,
    questions: usize,
    sheets: Vec<SheetJson<'a>>,
    skipped: Vec<SkippedJson<'a>>,
}

#[derive(Serialize)]
struct SheetJson<'a> {
    name: &'a str,
    header_row: Option<u32>,
    question_col: String,
    answer_col: String,
    comment_col: Option<String>,
    id_col: Option<String>,
    protected: bool,
    questions: Vec<QuestionJson<'a>>,
}

#[derive(Serialize)]
struct QuestionJson<'a> {
    row: u32,
    id: Option<&'a str>,
    text: &'a str,
    answer_cell: String,
    existing_answer: &'a str,
    answer_is_formula: bool,
    allowed: Option<&'a [String]>,
    slot: &'static str,
}

#[derive(Serialize)]
struct SkippedJson<'a> {
    name: &'a str,
    reason: &'a str,
}

pub fn inspect_json(q: &Questionnaire) -> String {
    use crate::cellref::col_letters;
    let doc = InspectJson {
        file: q.path.display().to_string(),
        questions: q.question_count(),
        sheets: q
            .sheets
            .iter()
            .map(|s| SheetJson {
                name: &s.name,
                header_row: s.header_row.map(|r| r + 1),
                question_col: col_letters(s.question.index),
                answer_col: col_letters(s.answer.index),
                comment_col: s.comment.as_ref().map(|c| col_letters(c.index)),
                id_col: s.id.as_ref().map(|c| col_letters(c.index)),
                protected: s.protected,
                questions: s
                    .questions
                    .iter()
                    .map(|q| QuestionJson {
                        row: q.cell.row + 1,
                        id: q.id.as_deref(),
                        text: &q.text,
                        answer_cell: q.answer_cell.to_string(),
                        existing_answer: &q.existing_answer,
                        answer_is_formula: q.answer_is_formula,
                        allowed: q.allowed.as_deref(),
                        slot: q.slot.name(),
                    })
                    .collect(),
            })
            .collect(),
        skipped: q
            .skipped
            .iter()
            .map(|s| SkippedJson {
                name: &s.name,
                reason: &s.reason,
            })
            .collect(),
    };
    serde_json::to_string(&doc).expect("plain data serializes")
}

/// `kb check`'s readable report: errors first, each with its location.
pub fn check_text(findings: &[crate::ops::check::Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let level = match f.severity {
            crate::ops::check::Severity::Error => "error",
            crate::ops::check::Severity::Warning => "warning",
        };
        let at = f
            .location
            .as_deref()
            .map(|l| format!("{l}: "))
            .unwrap_or_default();
        out.push_str(&format!("{level}[{}]: {at}{}\n", f.kind, f.message));
    }
    out
}

/// `kb import` of a completed questionnaire: what was (or would be) created, merged, refused.
pub fn harvest_text(r: &crate::ops::harvest::HarvestReport, dry_run: bool) -> String {
    let would = |done: &str, planned: &str| {
        if dry_run {
            planned.to_string()
        } else {
            done.to_string()
        }
    };
    let mut out = String::new();
    for (id, cell) in &r.created {
        out.push_str(&format!(
            "{} {id} from {cell}\n",
            would("created", "would create")
        ));
    }
    for (id, phrasing) in &r.variants {
        out.push_str(&format!(
            "{} variant to {id}: {phrasing:?}\n",
            would("added", "would add")
        ));
    }
    for (cell, question, theirs, id, ours) in &r.conflicts {
        out.push_str(&format!(
            "conflict at {cell}: {question:?} was answered {theirs:?}, but {id} says {ours:?}; not imported\n"
        ));
    }
    out
}

pub fn harvest_summary(
    plan: &crate::ops::import::ImportPlan,
    r: &crate::ops::harvest::HarvestReport,
    dry_run: bool,
) -> String {
    let mut out = format!(
        "{}: {}, {} merged, {}, {} already known; skipped {} unanswered, {} formula, {} repeated",
        plan.source.display(),
        counted(r.created.len(), "new entry"),
        counted(r.variants.len(), "variant"),
        counted(r.conflicts.len(), "conflict"),
        r.known,
        r.unanswered,
        r.formula,
        r.repeated
    );
    match (&r.written, dry_run) {
        (_, true) => out.push_str("\ndry run: nothing written"),
        (Some(path), _) => out.push_str(&format!(
            "\nwrote {} (audience {}; review each entry and set owner, tags and reviewed)",
            path.display(),
            plan.default_audience
        )),
        (None, _) => {}
    }
    out
}

/// How many drafts reuse an answer given before to the same question.
fn drafted_exact(r: &crate::fill::FillReport) -> usize {
    r.rows
        .iter()
        .filter(|row| row.status == RowStatus::Draft)
        .filter_map(|row| row.drafted())
        .filter(|c| matches!(c.reuse(), Some(crate::matcher::Reuse::Exact { .. })))
        .count()
}

/// The summary `fill` prints on stderr.
pub fn fill_summary(plan: &crate::fill::FillPlan, r: &crate::fill::FillReport) -> String {
    let drafted = drafted_confidences(r);
    let exact = drafted_exact(r);
    let high = drafted.iter().filter(|&&c| c >= HIGH_CONFIDENCE).count() - exact;
    let mut out = format!(
        "{}: {} in {}\n",
        plan.input.display(),
        counted(r.rows.len(), "question"),
        counted(r.questionnaire.sheets.len(), "sheet")
    );
    if let Some(notice) = crate::fill::audience_notice(plan.audience, plan.audience_from) {
        out.push_str(&notice);
        out.push('\n');
    }
    for s in &r.questionnaire.sheets {
        out.push_str(&format!(
            "  {:?}: {}\n",
            s.name,
            counted(s.questions.len(), "question")
        ));
    }
    out.push_str(&format!(
        "drafted {} ({}{high} high, {} medium confidence) · needs answer {} · already answered {}{} · formula cells {}\n",
        drafted.len(),
        if exact > 0 {
            format!("{exact} exact, ")
        } else {
            String::new()
        },
        drafted.len() - high - exact,
        r.count(RowStatus::NeedsAnswer),
        r.count(RowStatus::Kept) + r.count(RowStatus::Conflict),
        match r.count(RowStatus::Conflict) {
            0 => String::new(),
            n => format!(" ({n} contradicted by the knowledge base: Status Conflict)"),
        },
        r.count(RowStatus::Formula)
    ));
    out.push_str(&format!(
        "took {:.2} s (read {:.2} s, match {:.2} s, write {:.2} s)\n",
        (r.timings.read + r.timings.matching + r.timings.write).as_secs_f64(),
        r.timings.read.as_secs_f64(),
        r.timings.matching.as_secs_f64(),
        r.timings.write.as_secs_f64()
    ));
    if let Some(lost) = &r.lost {
        out.push_str(&format!("note: {lost}\n"));
    }
    out.push_str(&format!(
        "wrote {}{}\nwrote {} (what was told, from which entry)\n",
        plan.output.display(),
        if plan.highlight && !drafted.is_empty() {
            " (drafted cells highlighted)"
        } else {
            ""
        },
        plan.answer_log().display(),
    ));
    if drafted.is_empty() {
        out.push_str(&format!(
            "wrote {}: nothing was drafted; it lists each question's closest entries (runner-ups) to answer from by hand",
            plan.review.display()
        ));
    } else {
        out.push_str(&format!(
            "wrote {}: set each row's Status, then run `trustfill finalize {}`",
            plan.review.display(),
            plan.review.display()
        ));
    }
    out
}

fn drafted_confidences(r: &crate::fill::FillReport) -> Vec<u8> {
    r.rows
        .iter()
        .filter(|x| x.status == RowStatus::Draft)
        .filter_map(|x| x.drafted())
        .map(|c| c.confidence.percent())
        .collect()
}

/// `fill --json`: the same summary for machines.
pub fn fill_json(plan: &crate::fill::FillPlan, r: &crate::fill::FillReport) -> String {
    let drafted = drafted_confidences(r);
    let sheets: Vec<serde_json::Value> = r
        .questionnaire
        .sheets
        .iter()
        .map(|s| serde_json::json!({"name": s.name, "questions": s.questions.len()}))
        .collect();
    let skipped: Vec<serde_json::Value> = r
        .questionnaire
        .skipped
        .iter()
        .map(|s| serde_json::json!({"name": s.name, "reason": s.reason}))
        .collect();
    serde_json::json!({
        "input": plan.input.display().to_string(),
        "output": plan.output.display().to_string(),
        "review": plan.review.display().to_string(),
        "questions": r.rows.len(),
        "sheets": sheets,
        "skipped_sheets": skipped,
        "drafted": drafted.len(),
        "drafted_high": drafted.iter().filter(|&&c| c >= HIGH_CONFIDENCE).count() - drafted_exact(r),
        "drafted_exact": drafted_exact(r),
        "needs_answer": r.count(RowStatus::NeedsAnswer),
        "kept": r.count(RowStatus::Kept),
        "conflicts": r.count(RowStatus::Conflict),
        "formula": r.count(RowStatus::Formula),
        "timings_ms": {
            "read": r.timings.read.as_millis() as u64,
            "match": r.timings.matching.as_millis() as u64,
            "write": r.timings.write.as_millis() as u64,
        },
    })
    .to_string()
}

/// `eval`'s readable report: the method beside the plain BM25 reference, then the threshold
/// table of the method.
pub fn eval_text(r: &crate::eval::Report, bm25: &crate::eval::Report) -> String {
    let mut out = format!(
        "{} questions, {} answerable, {} NONE\n\n{:<28} {:>8} {:>8}\n",
        r.questions,
        r.answerable,
        r.questions - r.answerable,
        "",
        "trustfill",
        "BM25"
    );
    let rows: [(&str, f64, f64); 6] = [
        ("top-1 accuracy", r.top1, bm25.top1),
        ("recall@3", r.recall_at_3, bm25.recall_at_3),
        (
            "coverage at 90% precision",
            r.coverage_at_90.0,
            bm25.coverage_at_90.0,
        ),
        (
            "coverage at 95% precision",
            r.coverage_at_95.0,
            bm25.coverage_at_95.0,
        ),
        ("ECE (10 bins)", r.ece, bm25.ece),
        ("AUROC", r.auroc, bm25.auroc),
    ];
    for (name, a, b) in rows {
        out.push_str(&format!("{name:<28} {a:>8.3} {b:>8.3}\n"));
    }
    out.push_str(&format!(
        "\nA perfectly calibrated confidence would show an ECE of about {:.3} on {} questions by\nchance alone; an ECE near that cannot be told from calibrated on this set.\n",
        r.ece_floor, r.questions
    ));
    out.push_str(&format!(
        "\nthresholds giving the coverage above: 90% at {}, 95% at {}\n\nthreshold  drafted  coverage  precision\n",
        r.coverage_at_90.1, r.coverage_at_95.1
    ));
    for t in &r.thresholds {
        out.push_str(&format!(
            "{:>9}  {:>7}  {:>8.3}  {:>9.3}\n",
            t.threshold, t.drafted, t.coverage, t.precision
        ));
    }
    out
}

/// Word-wrap `text` to [`WIDTH`] columns, each line starting with `prefix`.
fn wrap(text: &str, prefix: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty()
            && prefix.chars().count() + line.chars().count() + 1 + word.chars().count() > WIDTH
        {
            out.push_str(&format!("{prefix}{line}\n"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(&format!("{prefix}{line}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_the_noun_in_the_right_number() {
        assert_eq!(counted(1, "new entry"), "1 new entry");
        assert_eq!(counted(2, "new entry"), "2 new entries");
        assert_eq!(counted(0, "sheet"), "0 sheets");
        assert_eq!(counted(3, "key"), "3 keys");
        assert_eq!(counted(2, "match"), "2 matches");
        assert_eq!(counted(1, "question"), "1 question");
    }

    #[test]
    fn wrapping_keeps_words_and_prefix() {
        let text = "word ".repeat(50);
        let wrapped = wrap(&text, "  > ");
        assert!(
            wrapped
                .lines()
                .all(|l| l.starts_with("  > ") && l.chars().count() <= WIDTH)
        );
        assert_eq!(
            wrapped.split_whitespace().filter(|w| *w == "word").count(),
            50
        );
    }

    #[test]
    fn long_excerpts_are_cut_at_a_word() {
        assert_eq!(
            crate::text::truncate("alpha beta gamma", 100),
            "alpha beta gamma"
        );
        assert_eq!(
            crate::text::truncate("alpha beta gamma", 12),
            "alpha beta …"
        );
    }
}
