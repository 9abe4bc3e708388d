//! `fill`: answer a questionnaire from the knowledge base and hand it back for review.
//!
//! Reads the questionnaire ([`crate::questionnaire`]), matches every question through the same
//! [`Matcher`] as `ask`, decides per row what to draft ([`RowStatus`]) and in which shape
//! ([`shape`]), then writes two files, each through a temporary file renamed into place only when
//! both are complete: the vendor's workbook with the drafted answers (patched, see
//! [`crate::xlsx::patch`]) and the review workbook ([`review`]).

pub mod finalize;
pub mod review;
pub mod shape;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::atomic;
use crate::cellref::CellRef;
use crate::container::{Edit, Purpose};
use crate::date::Date;
use crate::error::{Error, Result};
use crate::index::KbIndex;
use crate::kb::profile::Profile;
use crate::kb::{Audience, EntryKind};
use crate::matcher::{
    Candidate, Caveat, EXACT_CONFIDENCE, MatchOptions, Reuse, Row, embed_questions,
    match_all_embedded, restricted_best,
};
use crate::questionnaire::{Locked, Overrides, Question, Questionnaire};

/// How many candidates each question keeps (the draft and its runner-ups).
const CANDIDATES: usize = 4;

/// A validated fill: paths checked, thresholds in range. Built by the command from its flags.
#[derive(Debug, Clone)]
pub struct FillPlan {
    pub input: PathBuf,
    pub output: PathBuf,
    pub review: PathBuf,
    pub audience: Audience,
    /// Where the audience was set: said in the summary and the review whenever it is not
    /// public, so nobody sends NDA answers to a customer without knowing.
    pub audience_from: AudienceFrom,
    pub min_confidence: u8,
    pub overwrite: bool,
    pub highlight: bool,
    pub overrides: Overrides,
    /// Limits on the questionnaire read.
    pub limits: crate::limits::Limits,
    /// Threads matching questions (at least 1).
    pub jobs: usize,
    /// An answer from an entry reviewed longer ago than this is stale: its confidence drops
    /// by [`crate::matcher::STALE_PENALTY`] and the review sheet says so.
    pub max_age_days: i64,
    pub today: Date,
    /// The company profile (`[profile]` in `trustfill.toml`): the form fields it answers are
    /// drafted from it, as exact answers.
    pub profile: Profile,
}

/// Where a command's audience came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudienceFrom {
    /// `--audience`.
    Flag,
    /// The knowledge base's `trustfill.toml`.
    Settings,
    /// Neither: public.
    Default,
}

impl AudienceFrom {
    /// The audience a command uses: the flag, else the settings, else public; and whence.
    pub fn choose(flag: Option<Audience>, settings: Option<Audience>) -> (Audience, AudienceFrom) {
        match (flag, settings) {
            (Some(a), _) => (a, AudienceFrom::Flag),
            (None, Some(a)) => (a, AudienceFrom::Settings),
            (None, None) => (Audience::Public, AudienceFrom::Default),
        }
    }

    /// How a message names the source: `--audience`, `trustfill.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            AudienceFrom::Flag => "--audience",
            AudienceFrom::Settings => "trustfill.toml",
            AudienceFrom::Default => "the default",
        }
    }
}

/// The line every command that chooses answers prints when its audience is not public: which
/// audience, set where, and what it means for the copy.
pub fn audience_notice(audience: Audience, from: AudienceFrom) -> Option<String> {
    let reach = match audience {
        Audience::Public => return None,
        Audience::Nda => {
            "answers shared only under NDA may be used: send the result only to readers under NDA"
        }
        Audience::Internal => "internal answers may be used: the result must not leave the company",
    };
    Some(format!(
        "audience: {audience} (set by {}): {reach}",
        from.as_str()
    ))
}

/// A file's name without its last extension (`q.filled` of `q.filled.xlsx`).
fn stem(path: &Path) -> String {
    path.file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

impl FillPlan {
    /// The answer log beside the filled workbook: `NAME.filled.answers.jsonl`.
    pub fn answer_log(&self) -> PathBuf {
        let name = stem(&self.output);
        self.output.with_file_name(format!("{name}.answers.jsonl"))
    }

    /// Refuse before anything is read or written: an output that is the input, two outputs that
    /// are one file, and (without `force`) an output that exists already.
    pub fn check_outputs(&self, force: bool) -> Result<()> {
        let log = self.answer_log();
        let outputs: [(&str, &Path); 3] = [
            ("the filled workbook (-o)", &self.output),
            ("the review workbook (--review)", &self.review),
            ("the answer log", &log),
        ];
        // The review first: it is the one that may hold a person's work, and the refusal
        // should name it rather than the filled copy beside it.
        check_existing(
            &self.input,
            &self.review,
            force,
            "already exists: the review workbook of an earlier fill, which may hold review work",
        )?;
        for (what, path) in [outputs[0], outputs[2]] {
            check_existing(
                &self.input,
                path,
                force,
                &format!("already exists: {what} of an earlier fill"),
            )?;
        }
        for (i, (first, a)) in outputs.iter().enumerate() {
            for (second, b) in &outputs[i + 1..] {
                if same_file(a, b) {
                    return Err(Error::Import {
                        path: a.to_path_buf(),
                        message: format!("would be both {first} and {second}"),
                        hint: Some("give -o and --review different names".into()),
                    });
                }
            }
        }
        Ok(())
    }

    /// The review workbook that goes with the filled workbook `output` when only `-o` is
    /// given: beside it, named after it without `.filled` (`out/acme.xlsx` →
    /// `out/acme.review.xlsx`, `out/q.filled.xlsx` → `out/q.review.xlsx`), so that a fill
    /// into another folder writes nothing beside the input.
    pub fn review_beside(output: &Path) -> PathBuf {
        let name = stem(output);
        let name = name.strip_suffix(".filled").unwrap_or(&name);
        output.with_file_name(format!("{name}.review.xlsx"))
    }

    /// `NAME.filled.xlsx` (`.xlsm`, `.docx` and a PDF form's `.pdf` kept) and
    /// `NAME.review.xlsx` beside the input.
    pub fn default_outputs(input: &Path, limits: &crate::limits::Limits) -> (PathBuf, PathBuf) {
        let stem = stem(input);
        let ext = match input
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("xlsm") => "xlsm",
            Some("docx") => "docx",
            // A PDF form is filled in place; a flat PDF's table goes to a new workbook. The
            // container decides (and keeps the PDF it read for the fill that follows).
            Some("pdf")
                if crate::container::Container::open(input, limits)
                    .is_ok_and(|c| c.format == crate::workbook::Format::PdfForm) =>
            {
                "pdf"
            }
            _ => "xlsx",
        };
        let dir = input.parent().unwrap_or(Path::new("."));
        (
            dir.join(format!("{stem}.filled.{ext}")),
            dir.join(format!("{stem}.review.xlsx")),
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowStatus {
    /// An answer was drafted into the workbook; a person must review it.
    Draft,
    /// Nothing in the knowledge base answers it confidently: left blank for a person.
    NeedsAnswer,
    /// The answer cell already had an answer, kept as it was.
    Kept,
    /// The answer cell is a formula, never written.
    Formula,
    /// The answer cell already holds an answer the knowledge base contradicts (Yes against No,
    /// or another value for a question answered before): kept, and flagged for a person.
    Conflict,
}

impl RowStatus {
    pub fn label(self) -> &'static str {
        match self {
            RowStatus::Draft => "Draft",
            RowStatus::NeedsAnswer => "Needs answer",
            RowStatus::Kept => "Kept",
            RowStatus::Conflict => "Conflict",
            RowStatus::Formula => "Formula",
        }
    }
}

/// The outcome for one question.
#[derive(Debug, Clone)]
pub struct FillRow {
    pub question: Question,
    /// Best first; the drafted one is `candidates[chosen]`.
    pub candidates: Vec<Candidate>,
    pub chosen: Option<usize>,
    pub status: RowStatus,
    /// What was written into the answer and comment cells.
    pub answer: Option<String>,
    pub comment: Option<String>,
    pub note: String,
}

impl FillRow {
    pub fn drafted(&self) -> Option<&Candidate> {
        self.chosen.and_then(|i| self.candidates.get(i))
    }

    /// The candidates other than the drafted one, best first.
    pub fn runner_ups(&self) -> impl Iterator<Item = &Candidate> {
        self.candidates
            .iter()
            .enumerate()
            .filter(move |(i, _)| Some(*i) != self.chosen)
            .map(|(_, c)| c)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Timings {
    pub read: Duration,
    pub matching: Duration,
    pub write: Duration,
}

#[derive(Debug)]
pub struct FillReport {
    pub questionnaire: Questionnaire,
    pub rows: Vec<FillRow>,
    pub timings: Timings,
    pub kb_fingerprint: String,
    /// What the output could not keep (for .xls, .ods and .csv inputs).
    pub lost: Option<String>,
}

impl FillReport {
    pub fn count(&self, status: RowStatus) -> usize {
        self.rows.iter().filter(|r| r.status == status).count()
    }
}

/// Read, match and decide; nothing is written. `fill` and tests use it; [`write`] writes.
/// `progress(done, total)` is called as questions are matched.
pub fn draft(
    plan: &FillPlan,
    index: &KbIndex,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<FillReport> {
    let start = Instant::now();
    let questionnaire = Questionnaire::read(&plan.input, &plan.overrides, &plan.limits)?;
    if questionnaire.question_count() == 0 {
        let skipped: Vec<String> = questionnaire
            .skipped
            .iter()
            .map(|s| format!("{:?}: {}", s.name, s.reason))
            .collect();
        return Err(Error::Import {
            path: plan.input.clone(),
            message: format!(
                "found no questions; sheets skipped:\n  {}",
                skipped.join("\n  ")
            ),
            hint: Some(
                if questionnaire.container.format == crate::workbook::Format::Docx {
                    "trustfill reads a Word document's questions from its tables (a question column beside an answer column, a prompt over an empty row, a question over a one-cell box) and from numbered paragraphs that ask (\"1. …?\"); run `trustfill inspect FILE` to see each table, and point fill at one with --sheet \"Table N\", --header-row, --question-col and --answer-col".into()
                } else {
                    "run `trustfill inspect FILE`, then point fill at the right cells with --sheet, --header-row, --question-col and --answer-col".into()
                },
            ),
        });
    }
    let read = start.elapsed();
    let start = Instant::now();
    let opts = MatchOptions {
        audience: plan.audience,
        top: CANDIDATES,
        review_age: Some(crate::matcher::ReviewAge {
            today: plan.today,
            max_days: plan.max_age_days,
        }),
    };
    let questions: Vec<&Question> = questionnaire
        .sheets
        .iter()
        .flat_map(|s| &s.questions)
        .collect();
    // A follow-up ("If so, please describe") is matched together with the question it follows
    // in the same section, or with the section's label when it opens the section.
    let mut follows: Vec<FollowUp> = vec![FollowUp::No; questions.len()];
    let mut texts: Vec<String> = Vec::with_capacity(questions.len());
    for (i, q) in questions.iter().enumerate() {
        if !crate::text::needs_context(&q.text) {
            texts.push(q.text.clone());
            continue;
        }
        let before = i.checked_sub(1).filter(|&j| {
            questions[j].cell.sheet == q.cell.sheet && questions[j].section == q.section
        });
        match (before, &q.section) {
            (Some(j), _) => {
                follows[i] = FollowUp::After(j);
                texts.push(format!("{} {}", texts[j], q.text));
            }
            // The first question of its section: the section names the topic.
            (None, Some(section)) => {
                follows[i] = FollowUp::InSection;
                texts.push(format!("{section}: {}", q.text));
            }
            // Nothing to read it with: matched alone, it never reaches the threshold.
            (None, None) => texts.push(q.text.clone()),
        }
    }
    let rows_in: Vec<Row<'_>> = questions
        .iter()
        .zip(&texts)
        .map(|(q, text)| Row {
            text,
            own_text: &q.text,
            id: q.id.as_deref(),
        })
        .collect();
    let texts_in: Vec<&str> = rows_in.iter().map(|r| r.text).collect();
    let vectors: Vec<Option<Vec<f32>>> = embed_questions(index, &texts_in)?
        .map(|v| v.into_iter().map(Some).collect())
        .unwrap_or_else(|| vec![None; rows_in.len()]);
    let matched = match_all_embedded(index, &rows_in, vectors.clone(), &opts, plan.jobs, progress)?;
    // The topical words a follow-up adds of its own ("traffic" in "Describe how the traffic is
    // protected:"): the entry above must use every one of them to describe it.
    let mut analyzer = index.analyzer();
    let own_terms: Vec<Vec<String>> = questions
        .iter()
        .zip(&follows)
        .map(|(q, f)| match f {
            FollowUp::After(_) | FollowUp::InSection => analyzer
                .unique_terms(&crate::text::clean_question(&q.text))
                .into_iter()
                .filter(|t| !crate::text::is_generic(t))
                .collect(),
            FollowUp::No => Vec::new(),
        })
        .collect();
    let mut rows: Vec<FillRow> = Vec::with_capacity(questions.len());
    for (i, (q, candidates)) in questions.into_iter().zip(matched).enumerate() {
        // What the question above is about: its draft, else its best approved answer; for a
        // follow-up that opens its section, the entry its section and words point to.
        let best_answer = |row: &[Candidate]| {
            row.iter()
                .find(|c| c.entry.kind == EntryKind::Answer)
                .map(|c| c.entry.id.clone())
        };
        let parent = match follows[i] {
            FollowUp::No => None,
            FollowUp::After(j) => Some(
                rows[j]
                    .drafted()
                    .map(|c| c.entry.id.clone())
                    .or_else(|| best_answer(&rows[j].candidates)),
            ),
            FollowUp::InSection => Some(best_answer(&candidates)),
        };
        let mut candidates = candidates;
        if let Some(c) = profile_candidate(&plan.profile, q) {
            candidates.insert(0, c);
        }
        let mut row = decide(q.clone(), candidates, plan, parent, &own_terms[i]);
        let (before, after) = match row.drafted() {
            Some(c) => (reuse_note(c), stale_note(c)),
            None => (None, None),
        };
        let mut notes: Vec<String> = before.into_iter().collect();
        notes.extend(Some(std::mem::take(&mut row.note)).filter(|n| !n.is_empty()));
        notes.extend(after);
        row.note = notes.join("; ");
        rows.push(row);
    }
    // A row left unanswered that an answer for a wider audience would answer says so, and
    // which flag shows it; nothing of that answer reaches the review.
    let open: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].status == RowStatus::NeedsAnswer)
        .collect();
    if plan.audience < Audience::Internal && !open.is_empty() {
        let wide = MatchOptions {
            audience: Audience::Internal,
            ..opts
        };
        let again: Vec<Row<'_>> = open.iter().map(|&i| rows_in[i]).collect();
        let again_vectors = open.iter().map(|&i| vectors[i].clone()).collect();
        let found = match_all_embedded(
            index,
            &again,
            again_vectors,
            &wide,
            plan.jobs,
            &mut |_, _| {},
        )?;
        for (&i, candidates) in open.iter().zip(found) {
            if let Some((audience, confidence)) =
                restricted_best(&candidates, plan.audience, plan.min_confidence)
            {
                let note = crate::matcher::restricted_note(audience, confidence);
                let row = &mut rows[i];
                row.note = if row.note.is_empty() {
                    note
                } else {
                    format!("{}; {note}", row.note)
                };
            }
        }
    }
    Ok(FillReport {
        lost: questionnaire.format.draft_loses().map(String::from),
        questionnaire,
        rows,
        timings: Timings {
            read,
            matching: start.elapsed(),
            write: Duration::ZERO,
        },
        kb_fingerprint: index.fingerprint.clone(),
    })
}

/// The library's answer when it contradicts the answer already in the questionnaire: a Yes/No/N/A
/// of another class from an entry confident enough to draft, or another value from an entry
/// that answered this very question before. Different words for the same value are no conflict.
fn contradicts(existing: &str, c: &Candidate, min_confidence: u8) -> Option<String> {
    let ours = c.entry.answer.as_deref()?;
    let exact = matches!(c.reuse(), Some(Reuse::Exact { .. }));
    if c.confidence.percent() < min_confidence && !exact {
        return None;
    }
    let differ = match (crate::text::class(existing), crate::text::class(ours)) {
        (Some(a), Some(b)) => a != b,
        (None, None) => {
            exact && crate::text::normalize_label(existing) != crate::text::normalize_label(ours)
        }
        _ => false,
    };
    differ.then(|| ours.to_string())
}

/// What the review says of a draft that answered the row before.
/// The id a profile answer's candidate goes by: never an entry's (ids have no spaces).
const PROFILE_SOURCE: &str = "[profile]";

/// A form field the company profile answers ("Vendor Name" → `[profile] company`), as a
/// candidate answered exactly from `trustfill.toml`; None for any other question, or when
/// the profile does not give that field.
fn profile_candidate(profile: &Profile, q: &Question) -> Option<Candidate> {
    let (field, value, line) = profile.answer(&q.text)?;
    let entry = crate::index::StoredEntry {
        id: format!("{PROFILE_SOURCE} {}", field.key()),
        kind: EntryKind::Answer,
        audience: Audience::Public,
        question: q.text.clone(),
        variants: Vec::new(),
        answer: Some(value.to_string()),
        comment: String::new(),
        tags: Vec::new(),
        owner: None,
        reviewed: None,
        source: crate::kb::settings::SETTINGS_FILE.to_string(),
        line,
        refs: Vec::new(),
        rejected: Vec::new(),
        proposed: false,
        terms: Default::default(),
    };
    Some(Candidate::new(
        std::sync::Arc::new(entry),
        q.text.clone(),
        crate::matcher::Confidence::new(EXACT_CONFIDENCE),
        Default::default(),
        vec![Caveat::Reuse(Reuse::Exact { reference: None })],
    ))
}

/// Whether a candidate is the company profile's answer, not an entry's.
pub fn from_profile(c: &Candidate) -> bool {
    c.entry.id.starts_with(PROFILE_SOURCE)
}

fn reuse_note(c: &Candidate) -> Option<String> {
    if from_profile(c) {
        return Some(format!(
            "from the company profile: {} in {}",
            c.entry.id,
            crate::kb::settings::SETTINGS_FILE
        ));
    }
    match c.reuse() {
        Some(Reuse::Exact { reference: Some(r) }) => {
            Some(format!("exact: {} answered {r} before", c.entry.id))
        }
        Some(Reuse::Exact { reference: None }) => Some(format!(
            "exact: {} answered this question word for word before",
            c.entry.id
        )),
        Some(Reuse::SameId { reference }) => Some(format!(
            "{} answered {reference} before, asked differently: check it still fits",
            c.entry.id
        )),
        None => None,
    }
}

/// What the review says of a draft's review date: stale, or never reviewed.
fn stale_note(c: &Candidate) -> Option<String> {
    c.stale().map(str::to_string).or_else(|| {
        c.entry
            .reviewed
            .is_none()
            .then(|| format!("unreviewed: {} has no review date", c.entry.id))
    })
}

/// How a question that is not a question on its own is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FollowUp {
    /// It is a question on its own.
    No,
    /// With the question at this index, above it in the same section.
    After(usize),
    /// With the label of the section it opens.
    InSection,
}

/// What to do with one question, given its candidates. `parent` is set for a follow-up ("If
/// so, please describe"): `Some(entry)` when the question above is answered by that entry,
/// `Some(None)` when nothing answers it.
fn decide(
    question: Question,
    candidates: Vec<Candidate>,
    plan: &FillPlan,
    parent: Option<Option<String>>,
    own_terms: &[String],
) -> FillRow {
    let mut row = FillRow {
        question,
        candidates,
        chosen: None,
        status: RowStatus::NeedsAnswer,
        answer: None,
        comment: None,
        note: String::new(),
    };
    // Policy excerpts support an answer; only an approved answer is ever drafted, and never one
    // withheld (rejected for this question, or a proposal nobody approved).
    let best = row
        .candidates
        .iter()
        .position(|c| c.entry.kind == EntryKind::Answer && c.withheld().is_none());
    let skipped: Vec<String> = row
        .candidates
        .iter()
        .take_while(|c| best.is_none_or(|b| !std::ptr::eq(*c, &row.candidates[b])))
        .filter_map(|c| {
            c.withheld()
                .map(|why| format!("skipped {}: it {why}", c.entry.id))
        })
        .collect();
    if row.question.answer_is_formula {
        row.status = RowStatus::Formula;
        row.note = "the answer cell holds a formula; it is never written".into();
        // Nothing is written here, so a match is only noise for the reviewer.
        row.candidates.clear();
        return row;
    }
    if let Some(locked) = row.question.locked {
        // The best match stays visible as runner-up 1, for the person who answers in Word.
        row.note = match locked {
            Locked::FormProtected => "the document is protected for form filling and this answer cell is not a form field: answer it in Word",
            Locked::NoCell => "the table has no cell in the answer column on this row: answer it in Word",
            Locked::OneBox => "the answer cell is one option's checkbox, and the row's options were not recognised: tick the right box in Word",
        }
        .into();
        return row;
    }
    if !row.question.existing_answer.is_empty() && !plan.overwrite {
        row.status = RowStatus::Kept;
        row.note = "already answered; kept (use --overwrite to replace)".into();
        // The entry that would have answered it, when it would have been drafted: the reviewer
        // sees whether the library agrees. A weaker match is noise here.
        row.chosen =
            best.filter(|&i| row.candidates[i].confidence.percent() >= plan.min_confidence);
        if let Some(c) = best.map(|i| &row.candidates[i])
            && let Some(ours) = contradicts(&row.question.existing_answer, c, plan.min_confidence)
        {
            row.status = RowStatus::Conflict;
            row.note = format!(
                "conflict: the questionnaire says {:?}, but {} says {ours:?} ({}); kept as it is",
                row.question.existing_answer.trim(),
                c.entry.id,
                c.confidence
            );
        }
        return row;
    }
    let Some(i) = best else {
        row.note = match skipped.first() {
            Some(why) => why.clone(),
            None => "no entry in the knowledge base matches".into(),
        };
        return row;
    };
    let c = &row.candidates[i];
    if c.confidence.percent() < plan.min_confidence {
        if let Some(why) = skipped.first() {
            row.note = why.clone();
            return row;
        }
        // The main reason first: a caveat is named only when it decided, that is when the
        // words alone would have drafted the entry.
        row.note = match c.caution() {
            Some(why) if c.model.percent() >= plan.min_confidence => format!(
                "not drafted: best match {} ({} by its words) {why}",
                c.entry.id, c.model
            ),
            _ => {
                let mut note = format!(
                    "not covered: best match {} at {} is below --min-confidence {}",
                    c.entry.id, c.confidence, plan.min_confidence
                );
                // What the entry does not cover is worth knowing whatever decided.
                if let Some(why) = c.caveats.iter().find_map(crate::matcher::Caveat::narrowing) {
                    note.push_str(&format!("; it {why}"));
                }
                note
            }
        };
        return row;
    }
    if let Some(parent) = parent {
        // A follow-up asks for free text about the row above: only the entry that answers the
        // row above may describe it, with its approved comment.
        let uses = |t: &String| {
            let terms = &c.entry.terms;
            let has = |text: &str| text.split_whitespace().any(|w| w == t);
            terms.phrasings.iter().any(|p| has(p))
                || has(&terms.comment)
                || terms.tags.iter().any(|g| has(g))
        };
        let missing: Vec<&String> = own_terms.iter().filter(|t| !uses(t)).collect();
        if parent.as_deref() != Some(c.entry.id.as_str())
            || c.entry.comment.is_empty()
            || row.question.allowed.is_some()
            || !missing.is_empty()
        {
            row.note = match parent {
                Some(_) if row.question.allowed.is_some() => {
                    "follow-up to the question above with a dropdown: choose its value by hand"
                        .into()
                }
                Some(p) if !missing.is_empty() && p == c.entry.id => format!(
                    "follow-up to the question above (answered by {p}), but it asks about {} that {p} does not describe; write it by hand",
                    missing
                        .iter()
                        .map(|t| t.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Some(p) => format!(
                    "follow-up to the question above (answered by {p}): best match {} answers something else; write the description by hand",
                    c.entry.id
                ),
                None => "follow-up to the question above, which the knowledge base does not answer"
                    .into(),
            };
            return row;
        }
        row.chosen = Some(i);
        row.status = RowStatus::Draft;
        row.answer = Some(c.entry.comment.clone());
        row.note = format!(
            "follow-up: the comment of {}, which answers the question above",
            c.entry.id
        );
        return row;
    }
    let has_comment_cell = row.question.comment_cell.is_some() && !row.question.comment_is_formula;
    // Last year's answer to this very question (same questionnaire family and id) is written
    // as it was, even where this year's dropdown would not offer it.
    let reused = match c.reuse() {
        Some(Reuse::Exact { reference: Some(r) }) => Some(r),
        _ => None,
    };
    let shaped = shape::shape_reused(
        c.entry.answer.as_deref().unwrap_or_default(),
        &c.entry.comment,
        row.question.allowed.as_deref(),
        has_comment_cell,
        reused.map(String::as_str),
    );
    row.chosen = Some(i);
    // Words the entry never uses, read as covered by meaning: the reviewer checks those.
    let meaning = c
        .meaning()
        .map(|why| format!("check: {} {why}", c.entry.id));
    row.note = shaped
        .note
        .into_iter()
        .chain(meaning)
        .chain(skipped)
        .collect::<Vec<_>>()
        .join("; ");
    // An existing comment is kept unless --overwrite.
    let comment = shaped
        .comment
        .filter(|_| plan.overwrite || row.question.existing_comment.is_empty());
    if shaped.answer.is_some() || comment.is_some() {
        row.status = RowStatus::Draft;
        row.answer = shaped.answer;
        row.comment = comment;
    }
    row
}

/// Write the filled workbook and the review workbook. Both are built in temporary files beside
/// their targets and renamed only when both are complete: a failure leaves neither behind.
pub fn write(plan: &FillPlan, report: &mut FillReport) -> Result<()> {
    let start = Instant::now();
    let mut filled = atomic::temp_beside(&plan.output)?;
    report.questionnaire.container.write(
        &edits(report, plan.highlight),
        Purpose::Draft {
            overwrite: plan.overwrite,
        },
        filled.as_file_mut(),
    )?;
    let mut reviewed = atomic::temp_beside(&plan.review)?;
    review::write_review(plan, report, reviewed.as_file_mut())?;
    let log_path = plan.answer_log();
    let mut log = atomic::temp_beside(&log_path)?;
    {
        use std::io::Write;
        let text = answer_log(plan, report);
        log.write_all(text.as_bytes())
            .map_err(|e| Error::io("cannot write", log.path().to_path_buf(), e))?;
    }
    atomic::publish(filled, &plan.output, true)?;
    for (tmp, path) in [(reviewed, &plan.review), (log, &log_path)] {
        if let Err(e) = atomic::publish(tmp, path, true) {
            let _ = std::fs::remove_file(&plan.output);
            let _ = std::fs::remove_file(&plan.review);
            return Err(e);
        }
    }
    report.timings.write = start.elapsed();
    Ok(())
}

/// Whether two paths name the same file (their folders resolved, so `./a` and `dir/../a` agree),
/// whether or not it exists yet.
fn same_file(a: &Path, b: &Path) -> bool {
    let canonical = |p: &Path| -> PathBuf {
        let dir = atomic::folder_of(p);
        let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
        dir.join(p.file_name().unwrap_or_default())
    };
    canonical(a) == canonical(b)
}

/// Refuse to write over the input, and over an existing output unless `force`.
pub fn check_output(input: &Path, output: &Path, force: bool) -> Result<()> {
    check_existing(input, output, force, "already exists")
}

/// [`check_output`], saying `existing` of an output that exists.
fn check_existing(input: &Path, output: &Path, force: bool, existing: &str) -> Result<()> {
    if same_file(input, output) {
        return Err(Error::Import {
            path: output.to_path_buf(),
            message: "is the input file; trustfill never writes over its input".into(),
            hint: Some("choose another output with -o FILE".into()),
        });
    }
    if output.exists() && !force {
        return Err(Error::Import {
            path: output.to_path_buf(),
            message: existing.into(),
            hint: Some("pass --force to replace it, or choose another name with -o FILE".into()),
        });
    }
    if !atomic::folder_of(output).is_dir() {
        return Err(Error::Import {
            path: output.to_path_buf(),
            message: "its folder does not exist".into(),
            hint: None,
        });
    }
    Ok(())
}

/// One JSON line per drafted answer: what was told, from which entry of which knowledge-base
/// version, to which audience, how sure we were. Kept so a team can later say what it told
/// which customer.
pub fn answer_log(plan: &FillPlan, report: &FillReport) -> String {
    let mut out = String::new();
    for row in report
        .rows
        .iter()
        .filter(|r| matches!(r.status, RowStatus::Draft | RowStatus::Conflict))
    {
        let Some(c) = row.drafted() else { continue };
        let (reuse, reference) = match c.reuse() {
            Some(Reuse::Exact { reference }) => (Some("exact"), reference.clone()),
            Some(Reuse::SameId { reference }) => (Some("same id"), Some(reference.clone())),
            None => (None, None),
        };
        let line = serde_json::json!({
            "status": if row.status == RowStatus::Conflict { "conflict" } else { "draft" },
            "reuse": reuse,
            "reference": reference,
            "questionnaire_answer": (row.status == RowStatus::Conflict)
                .then(|| row.question.existing_answer.clone()),
            "date": plan.today.to_string(),
            "questionnaire": plan.input.file_name().map(|n| n.to_string_lossy().into_owned()),
            "sheet": row.question.answer_cell.sheet,
            "cell": row.question.answer_cell.to_string(),
            "question_id": row.question.id,
            "question": row.question.text,
            "entry": c.entry.id,
            "entry_audience": c.entry.audience.as_str(),
            "audience": plan.audience.as_str(),
            "answer": row.answer,
            "comment": row.comment,
            "confidence": c.confidence.percent(),
            "kb_fingerprint": report.kb_fingerprint,
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    out
}

/// The cells the drafts write: each draft's answer and, where it has a comment cell, its
/// comment. A question answered by marking one of several columns gets the sheet's mark in
/// its answer's column (and, with `--overwrite`, the other marks removed).
pub fn edits(report: &FillReport, highlight: bool) -> Vec<Edit> {
    let mut out = Vec::new();
    let mut push = |cell: &CellRef, text: &str| {
        out.push(Edit {
            cell: cell.clone(),
            text: text.to_string(),
            highlight,
            style_like: None,
        })
    };
    for row in report.rows.iter().filter(|r| r.status == RowStatus::Draft) {
        if let Some(answer) = &row.answer {
            match &row.question.choices {
                Some(choices) => {
                    for (cell, text) in choices.marking(answer, |o| o.marked).unwrap_or_default() {
                        push(&cell, &text);
                    }
                }
                None => push(&row.question.answer_cell, answer),
            }
        }
        if let (Some(comment), Some(cell)) = (&row.comment, &row.question.comment_cell) {
            push(cell, comment);
        }
    }
    out.extend(added_headers(&report.questionnaire.sheets, &out));
    out
}

/// The headers of the columns trustfill adds to a bare question list ("Answer", "Comment"),
/// for each sheet that `edits` write into.
pub fn added_headers(sheets: &[crate::questionnaire::SheetLayout], edits: &[Edit]) -> Vec<Edit> {
    header_edits(
        sheets
            .iter()
            .filter(|s| edits.iter().any(|e| e.cell.sheet == s.name))
            .flat_map(|s| &s.added),
    )
}

/// The edits writing added headers (`(cell, header)`), each styled like the last header cell
/// its sheet had: the one left of the sheet's first added column. Fill and finalize both.
pub fn header_edits<'a>(added: impl IntoIterator<Item = &'a (CellRef, String)>) -> Vec<Edit> {
    let added: Vec<&(CellRef, String)> = added.into_iter().collect();
    let like = |sheet: &str| {
        added
            .iter()
            .filter(|(c, _)| c.sheet == sheet)
            .map(|(c, _)| c.col)
            .min()
            .and_then(|c| c.checked_sub(1))
    };
    added
        .iter()
        .map(|(cell, header)| Edit {
            cell: cell.clone(),
            text: header.clone(),
            highlight: false,
            style_like: like(&cell.sheet),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(dir: &Path, input: &str, output: &str, review: &str) -> FillPlan {
        FillPlan {
            input: dir.join(input),
            output: dir.join(output),
            review: dir.join(review),
            audience: Audience::Public,
            audience_from: AudienceFrom::Default,
            min_confidence: 70,
            overwrite: false,
            highlight: true,
            overrides: Overrides::default(),
            limits: crate::limits::Limits::default(),
            jobs: 1,
            max_age_days: 365,
            today: Date::new(2026, 11, 1).unwrap(),
            profile: Profile::default(),
        }
    }

    fn candidate(id: &str, comment: &str) -> Candidate {
        let entry = crate::index::StoredEntry {
            id: id.into(),
            kind: EntryKind::Answer,
            audience: Audience::Public,
            question: format!("Question of {id}"),
            variants: Vec::new(),
            answer: Some("Yes".into()),
            comment: comment.into(),
            tags: Vec::new(),
            owner: None,
            reviewed: Some("2026-10-01".into()),
            source: "answers/a.toml".into(),
            line: 1,
            refs: Vec::new(),
            rejected: Vec::new(),
            proposed: false,
            terms: Default::default(),
        };
        Candidate {
            entry: std::sync::Arc::new(entry),
            matched: String::new(),
            confidence: crate::matcher::Confidence::new(90),
            model: crate::matcher::Confidence::new(90),
            signals: Default::default(),
            caveats: Vec::new(),
        }
    }

    #[test]
    fn the_review_goes_beside_the_filled_workbook_named_after_it() {
        let at = |o: &str| FillPlan::review_beside(Path::new(o));
        assert_eq!(at("out/acme.xlsx"), Path::new("out/acme.review.xlsx"));
        assert_eq!(at("out/q.filled.xlsx"), Path::new("out/q.review.xlsx"));
        assert_eq!(at("form.filled.docx"), Path::new("form.review.xlsx"));
        assert_eq!(at("/tmp/x/caiq.xlsm"), Path::new("/tmp/x/caiq.review.xlsx"));
    }

    /// What counts as the library contradicting a pre-filled answer: another Yes/No class from
    /// an entry confident enough to draft (not from a weak match), or another value from an
    /// exact reuse (not the same value in other words).
    #[test]
    fn a_conflict_needs_a_confident_or_exact_entry_that_says_otherwise() {
        let yes = candidate("a", "");
        assert_eq!(contradicts("No", &yes, 70), Some("Yes".into()));
        assert_eq!(contradicts("Yes, always", &yes, 70), None, "the same class");
        let mut weak = candidate("a", "");
        weak.confidence = crate::matcher::Confidence::new(55);
        assert_eq!(
            contradicts("No", &weak, 70),
            None,
            "a weak match decides nothing"
        );
        weak.confidence = crate::matcher::Confidence::new(70);
        assert_eq!(
            contradicts("No", &weak, 70),
            Some("Yes".into()),
            "at the threshold it does"
        );

        let mut value = candidate("v", "");
        std::sync::Arc::get_mut(&mut value.entry).unwrap().answer = Some("Within 72 hours".into());
        assert_eq!(
            contradicts("Within 24 hours", &value, 70),
            None,
            "a value only by exact reuse"
        );
        value.add(crate::matcher::Caveat::Reuse(Reuse::Exact {
            reference: None,
        }));
        assert_eq!(
            contradicts("Within 24 hours", &value, 70),
            Some("Within 72 hours".into())
        );
        assert_eq!(
            contradicts("within 72 hours.", &value, 70),
            None,
            "the same value"
        );
    }

    fn follow_up() -> Question {
        let cell = CellRef::new("S".to_string(), 3, 1);
        Question {
            cell: cell.clone(),
            id: Some("Q2".into()),
            text: "If so, please describe".into(),
            answer_cell: CellRef::new("S".to_string(), 3, 2),
            comment_cell: None,
            existing_answer: String::new(),
            existing_comment: String::new(),
            answer_is_formula: false,
            locked: None,
            slot: crate::questionnaire::Slot::Cell,
            comment_is_formula: false,
            allowed: None,
            section: None,
            choices: None,
        }
    }

    /// The note names the main reason a row is left: a weak match is "not covered … below
    /// --min-confidence" even with a polarity doubt (it read "may be asked the other way
    /// round" for a 10% match); a caveat is named first only when it decided, that is when the
    /// words alone reached the threshold.
    #[test]
    fn the_note_names_the_reason_that_decided() {
        let d = tempfile::tempdir().unwrap();
        let p = plan(d.path(), "q.csv", "o.xlsx", "r.xlsx");
        let mut question = follow_up();
        question.text = "Are shared accounts prohibited?".into();
        let with = |model: u8| {
            let mut c = candidate("shared-accounts", "Shared accounts are not allowed.");
            c.model = crate::matcher::Confidence::new(model);
            c.add(crate::matcher::Caveat::Polarity(
                "may be asked the other way round".into(),
            ));
            c
        };
        let weak = decide(question.clone(), vec![with(10)], &p, None, &[]);
        assert_eq!(weak.status, RowStatus::NeedsAnswer);
        assert!(
            weak.note.starts_with(
                "not covered: best match shared-accounts at 5% is below --min-confidence 70"
            ),
            "{}",
            weak.note
        );
        assert!(!weak.note.contains("other way round"), "{}", weak.note);
        let strong = decide(question, vec![with(90)], &p, None, &[]);
        assert_eq!(
            strong.note,
            "not drafted: best match shared-accounts (90% by its words) may be asked the other way round"
        );
    }

    /// A follow-up is drafted with the comment of the entry that answers the row above, and
    /// with nothing else: not another entry, not an entry without a comment, not into a
    /// dropdown.
    #[test]
    fn a_follow_up_takes_the_comment_of_the_entry_above_or_nothing() {
        let d = tempfile::tempdir().unwrap();
        let p = plan(d.path(), "q.csv", "o.xlsx", "r.xlsx");
        let above = Some(Some("a".to_string()));
        let row = decide(
            follow_up(),
            vec![candidate("a", "How a works.")],
            &p,
            above.clone(),
            &[],
        );
        assert_eq!(
            (row.status, row.answer.as_deref()),
            (RowStatus::Draft, Some("How a works."))
        );
        let row = decide(
            follow_up(),
            vec![candidate("b", "How b works.")],
            &p,
            above.clone(),
            &[],
        );
        assert_eq!(
            row.status,
            RowStatus::NeedsAnswer,
            "another entry: {}",
            row.note
        );
        let row = decide(
            follow_up(),
            vec![candidate("a", "")],
            &p,
            above.clone(),
            &[],
        );
        assert_eq!(
            row.status,
            RowStatus::NeedsAnswer,
            "no comment: {}",
            row.note
        );
        let mut dropdown = follow_up();
        dropdown.allowed = Some(vec!["Yes".into(), "No".into()]);
        let row = decide(
            dropdown,
            vec![candidate("a", "How a works.")],
            &p,
            above,
            &[],
        );
        assert_eq!(
            row.status,
            RowStatus::NeedsAnswer,
            "a dropdown: {}",
            row.note
        );
        assert!(
            row.note.contains("choose its value by hand"),
            "{}",
            row.note
        );
        let row = decide(
            follow_up(),
            vec![candidate("a", "How a works.")],
            &p,
            Some(None),
            &[],
        );
        assert_eq!(
            row.status,
            RowStatus::NeedsAnswer,
            "nothing above: {}",
            row.note
        );
    }

    /// Every output is checked against the input and against each other, the answer log too
    /// (its name is derived from -o, so only a plan can aim it at the input).
    #[test]
    fn no_output_may_be_the_input_or_another_output() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("q.answers.jsonl"), "").unwrap();
        let refused = |p: FillPlan, why: &str| {
            let err = p.check_outputs(true).unwrap_err().to_string();
            assert!(err.contains(why), "{err}");
        };
        assert!(
            plan(d, "q.csv", "q.filled.xlsx", "q.review.xlsx")
                .check_outputs(true)
                .is_ok()
        );
        refused(plan(d, "q.csv", "q.csv", "r.xlsx"), "is the input file");
        refused(plan(d, "q.csv", "o.xlsx", "q.csv"), "is the input file");
        refused(
            plan(d, "q.answers.jsonl", "q.xlsx", "r.xlsx"),
            "is the input file",
        );
        refused(plan(d, "q.csv", "o.xlsx", "o.xlsx"), "would be both");
        refused(
            plan(d, "q.csv", "o.xlsx", "o.answers.jsonl"),
            "would be both the review workbook (--review) and the answer log",
        );
        // Through another spelling of the same folder.
        let sub = d.join("sub");
        std::fs::create_dir(&sub).unwrap();
        refused(
            plan(d, "q.csv", "sub/../q.csv", "r.xlsx"),
            "is the input file",
        );
    }
}
