//! `kb import`: bring an existing answer-library spreadsheet (CSV or workbook) into a knowledge
//! base. Columns are found by header name, case-insensitive: question, answer (or response),
//! comment / explanation / notes, and optionally id, category / tags, audience, owner, reviewed.
//! The entries are written as one new `answers/<name>.toml`, atomically, and the knowledge base is
//! validated with the new file before the command reports success.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::atomic::Transaction;
use crate::cellref::{CellRef, col_letters};
use crate::date::Date;
use crate::error::{Error, Result};
use crate::kb::edit::{EntryEdit, NewValue};
use crate::kb::{
    Audience, EntryKind, KbEntry, KnowledgeBase, Source, answers::is_valid_id, render, slugify,
};
use crate::limits::Limits;
use crate::text::normalize_label as normalize;
use crate::workbook::Sheet;

/// What to import, validated by the command before anything is read.
#[derive(Debug, Clone)]
pub struct ImportPlan {
    pub source: PathBuf,
    pub kb: PathBuf,
    /// Audience for rows without an audience column or value.
    pub default_audience: Audience,
    /// Owner for rows without an owner column or value.
    pub owner: Option<String>,
    /// File name (without `.toml`) for the new answers file; default: the source's file name.
    pub name: Option<String>,
    /// Limits on the spreadsheet read.
    pub limits: Limits,
    /// The day the import is recorded under.
    pub today: Date,
    /// For a completed questionnaire: when its answers were given (`--reviewed`); default: the
    /// workbook's own last-modified date.
    pub reviewed: Option<Date>,
    /// For a library: rows whose id is already an entry update that entry (`--update`),
    /// instead of being refused.
    pub update: bool,
    /// Report what would change; write nothing.
    pub dry_run: bool,
}

/// One field of an entry that an update changes, as text for the dry run's diff.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

/// An existing entry that `kb import --update` changes.
#[derive(Debug, Clone)]
pub struct EntryUpdate {
    pub id: String,
    /// Where the entry is: `answers/crypto.toml:19`.
    pub location: String,
    pub changes: Vec<FieldChange>,
}

#[derive(Debug, Clone)]
pub struct ImportReport {
    pub written: PathBuf,
    pub created_kb: bool,
    /// The starter `trustfill.toml` written into a new knowledge base.
    pub settings_created: Option<PathBuf>,
    pub sheet: String,
    pub header_row: u32,
    pub entries: usize,
    /// Rows with a question but no answer, skipped.
    pub skipped_without_answer: Vec<CellRef>,
    /// Entries that took the default audience.
    pub defaulted_audience: usize,
    /// (the library's id, the entry's id) where the library's was not a valid entry id: kept as
    /// the entry's reference.
    pub renamed: Vec<(String, String)>,
    /// With `--update`: the entries changed, field by field.
    pub updated: Vec<EntryUpdate>,
    /// With `--update`: rows whose entry already says the same.
    pub unchanged: usize,
    /// With `--update`: entries of the knowledge base the spreadsheet does not have (kept).
    pub not_in_sheet: usize,
    /// Nothing was written (`--dry-run`), or `written` is the file that would have been.
    pub dry_run: bool,
}

#[derive(Debug, Default, Clone, Copy)]
struct Columns {
    question: Option<usize>,
    answer: Option<usize>,
    comment: Option<usize>,
    id: Option<usize>,
    tags: Option<usize>,
    audience: Option<usize>,
    owner: Option<usize>,
    reviewed: Option<usize>,
    variants: Option<usize>,
}

fn detect_columns(row: &[String]) -> Columns {
    let mut cols = Columns::default();
    for (i, cell) in row.iter().enumerate() {
        let h = normalize(cell);
        let slot = match h.as_str() {
            "question" | "questions" | "question text" | "prompt" => &mut cols.question,
            "answer" | "answers" | "response" | "short answer" | "answer yes no" | "yes no" => {
                &mut cols.answer
            }
            "comment"
            | "comments"
            | "explanation"
            | "notes"
            | "details"
            | "long answer"
            | "additional information"
            | "answer detail"
            | "answer details"
            | "justification" => &mut cols.comment,
            "id" | "entry id" | "answer id" | "key" => &mut cols.id,
            "tags" | "tag" | "category" | "categories" | "topic" | "section" => &mut cols.tags,
            "audience" | "visibility" | "classification" | "sharing" => &mut cols.audience,
            "owner" | "answer owner" => &mut cols.owner,
            "reviewed" | "last reviewed" | "review date" | "reviewed on" => &mut cols.reviewed,
            "variants" | "variant" | "other phrasings" | "alternative questions" => {
                &mut cols.variants
            }
            _ if cols.question.is_none() && h.contains("question") && !h.contains("id") => {
                &mut cols.question
            }
            _ if cols.comment.is_none() && (h.contains("comment") || h.contains("explanation")) => {
                &mut cols.comment
            }
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(i);
        }
    }
    cols
}

/// The first sheet with a row (among its first 20) holding both a question and an answer header.
fn find_table(sheets: &[Sheet]) -> Option<(&Sheet, usize, Columns)> {
    sheets.iter().find_map(|sheet| {
        sheet.rows.iter().take(20).enumerate().find_map(|(i, row)| {
            let cols = detect_columns(row);
            (cols.question.is_some() && cols.answer.is_some()).then_some((sheet, i, cols))
        })
    })
}

/// The error for a file with no question/answer table: it lists the first row of each sheet so
/// the user sees what to rename.
pub(crate) fn no_table_error(path: &Path, sheets: &[Sheet]) -> Error {
    let seen: Vec<String> = sheets
        .iter()
        .map(|s| {
            let first = s
                .rows
                .iter()
                .find(|r| r.iter().any(|c| !c.trim().is_empty()));
            let headers: Vec<&str> = first
                .map(|r| {
                    r.iter()
                        .map(|c| c.trim())
                        .filter(|c| !c.is_empty())
                        .take(8)
                        .collect()
                })
                .unwrap_or_default();
            format!(
                "sheet {:?}: {}",
                s.name,
                if headers.is_empty() {
                    "(empty)".into()
                } else {
                    headers.join(" | ")
                }
            )
        })
        .collect();
    Error::Import {
        path: path.to_path_buf(),
        message: format!(
            "no sheet has a header row with both a question and an answer column; found:\n  {}",
            seen.join("\n  ")
        ),
        hint: Some(
            "name the columns Question and Answer (optionally Comment, Category, Audience, ID)"
                .into(),
        ),
    }
}

impl ImportPlan {
    /// The new answers file, `answers/NAME.toml` (relative path and full path): `--name`, else
    /// the source's file name, else `fallback`. Import never overwrites an answers file.
    pub fn new_file(&self, fallback: &str) -> Result<(String, PathBuf)> {
        self.answers_file(fallback, !self.update)
    }

    /// `answers/NAME.toml` as [`ImportPlan::new_file`] names it; refused when it exists and
    /// `must_be_new`.
    fn answers_file(&self, fallback: &str, must_be_new: bool) -> Result<(String, PathBuf)> {
        let name = match &self.name {
            Some(n) => n.clone(),
            None => slugify(
                &self
                    .source
                    .file_stem()
                    .unwrap_or_default()
                    .to_string_lossy(),
            ),
        };
        let name = if name.is_empty() {
            fallback.to_string()
        } else {
            name
        };
        let rel = format!("{}/{name}.toml", crate::kb::ANSWERS_DIR);
        let target = self.kb.join(&rel);
        if must_be_new && target.exists() {
            return Err(Error::Import {
                path: target,
                message: "already exists; import never overwrites an answers file".into(),
                hint: Some("choose another file name with --name NAME".into()),
            });
        }
        Ok((rel, target))
    }
}

/// Whether `path` is an answer library rather than a completed questionnaire, by the
/// evidence of all its sheets: a header row naming both a question and an answer column, and
/// either a column only a library has (ids, tags, audience, owner, reviewed, variants) or at
/// least half of the file's answered questions under that header. A completed HECVAT whose
/// one sheet of 44 answers happens to have a "Question | Answer" header, beside seven sheets
/// of 287 more, is a questionnaire.
pub fn is_library(path: &Path, limits: &Limits) -> Result<bool> {
    let sheets = crate::container::read_grids(path, limits)?;
    let Some((sheet, header, cols)) = find_table(&sheets) else {
        return Ok(false);
    };
    if [
        cols.id,
        cols.tags,
        cols.audience,
        cols.owner,
        cols.reviewed,
        cols.variants,
    ]
    .iter()
    .any(Option::is_some)
    {
        return Ok(true);
    }
    let (Some(question), Some(answer)) = (cols.question, cols.answer) else {
        return Ok(false);
    };
    let filled = |row: &Vec<String>, col: usize| row.get(col).is_some_and(|c| !c.trim().is_empty());
    let rows: Vec<&Vec<String>> = sheet.rows[header + 1..]
        .iter()
        .filter(|r| filled(r, question) && filled(r, answer))
        .collect();
    // A questionnaire's section header (" Required Questions | | Answer") names a column of
    // ids, not of questions.
    let ids = rows
        .iter()
        .filter(|r| crate::questionnaire::detect::looks_like_id(&r[question]))
        .count();
    if ids * 2 > rows.len() {
        return Ok(false);
    }
    // Most rows carry a questionnaire's question id (A&A-01.1, 1.2.3) in a column of their
    // own: a completed questionnaire, whose ids are its references (a library's own ids are
    // slugs).
    let width = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let id_column = (0..width).filter(|&c| Some(c) != cols.id).any(|c| {
        rows.iter()
            .filter(|r| r.get(c).is_some_and(|t| crate::text::looks_like_id(t)))
            .count()
            * 2
            > rows.len()
    });
    if id_column {
        return Ok(false);
    }
    let rows = rows.len();
    let questionnaire = crate::questionnaire::Questionnaire::read(
        path,
        &crate::questionnaire::Overrides::default(),
        limits,
    );
    let answered = questionnaire.map_or(0, |q| {
        q.sheets
            .iter()
            .flat_map(|s| &s.questions)
            .filter(|q| !q.existing_answer.trim().is_empty())
            .count()
    });
    Ok(rows * 2 >= answered)
}

pub fn import_library(plan: &ImportPlan) -> Result<ImportReport> {
    let sheets = crate::container::read_grids(&plan.source, &plan.limits)?;
    let Some((sheet, header, cols)) = find_table(&sheets) else {
        return Err(no_table_error(&plan.source, &sheets));
    };

    let created_kb = !plan.kb.exists();
    let existing = if has_entries(&plan.kb)? {
        KnowledgeBase::load(&plan.kb)?.entries
    } else {
        Vec::new()
    };
    let by_id: std::collections::HashMap<&str, &KbEntry> =
        existing.iter().map(|e| (e.id.as_str(), e)).collect();
    // Each answer's question and variants, as the question key `kb import` matches rows by.
    let mut by_question: std::collections::HashMap<String, &KbEntry> =
        std::collections::HashMap::new();
    for e in existing.iter().filter(|e| e.kind == EntryKind::Answer) {
        by_question.insert(normalize(&e.question), e);
    }
    for e in existing.iter().filter(|e| e.kind == EntryKind::Answer) {
        for v in &e.variants {
            by_question.entry(normalize(v)).or_insert(e);
        }
    }
    let mut new_questions: std::collections::HashMap<String, CellRef> =
        std::collections::HashMap::new();
    let mut taken: HashSet<String> = existing.iter().map(|e| e.id.clone()).collect();
    let mut renamed: Vec<(String, String)> = Vec::new();
    // Checked after the rows, so that a row that is already an entry says so (with the way
    // to update it) rather than the file name being taken.
    let (rel, target) = plan.answers_file("imported", false)?;

    let cell = |row: usize, col: usize| {
        CellRef::new(
            sheet.name.clone(),
            sheet.first_row + row as u32,
            sheet.first_col + col as u32,
        )
    };
    let get = |row: &[String], col: Option<usize>| -> String {
        col.and_then(|c| row.get(c))
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let mut entries = Vec::new();
    let mut skipped = Vec::new();
    let mut defaulted = 0;
    let mut updated: Vec<EntryUpdate> = Vec::new();
    // (file, (id, keys)): the entries to change, by the file that holds them.
    let mut edits: Vec<(PathBuf, EntryEdit)> = Vec::new();
    let mut unchanged = 0;
    let mut seen: HashSet<String> = HashSet::new();
    for (r, row) in sheet.rows.iter().enumerate().skip(header + 1) {
        let question = get(row, cols.question);
        if question.is_empty() {
            continue;
        }
        let answer = get(row, cols.answer);
        if answer.is_empty() {
            skipped.push(cell(r, cols.answer.expect("detected")));
            continue;
        }
        let bad = |col: usize, message: String, hint: Option<String>| Error::Import {
            path: plan.source.clone(),
            message: format!("{}: {message}", cell(r, col)),
            hint,
        };
        let said_audience: Option<Audience> = match get(row, cols.audience) {
            a if a.is_empty() => None,
            a => Some(
                a.parse()
                    .map_err(|e| bad(cols.audience.expect("has value"), e, None))?,
            ),
        };
        let reviewed = match get(row, cols.reviewed) {
            d if d.is_empty() => None,
            d => Some(
                d.parse::<Date>()
                    .map_err(|e| bad(cols.reviewed.expect("has value"), e, None))?,
            ),
        };
        let tags: Vec<String> = get(row, cols.tags)
            .split([',', ';', '|', '/'])
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty())
            .collect();
        let variants: Vec<String> = get(row, cols.variants)
            .lines()
            .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|v| !v.is_empty())
            .collect();
        let question = question.split_whitespace().collect::<Vec<_>>().join(" ");
        let comment = get(row, cols.comment);
        let owner = Some(get(row, cols.owner)).filter(|o| !o.is_empty());
        // The entry this row is about: the one with its id, or (a row without an id of ours:
        // none, or a framework's "A&A-01.1") the one that already asks its question. A library
        // without an ID column, imported again with --update, updates its entries instead of
        // doubling them; no import creates a second entry for a question one already asks.
        let given = get(row, cols.id);
        let ours_given = !given.is_empty() && is_valid_id(&given);
        let id_col = cols.id.unwrap_or(cols.question.expect("detected"));
        let question_col = cols.question.expect("detected");
        let same_question = by_question.get(&normalize(&question)).copied();
        if ours_given {
            if !seen.insert(given.clone()) {
                return Err(bad(
                    id_col,
                    format!("duplicate id {given:?} in the spreadsheet"),
                    None,
                ));
            }
            if let Some(other) = same_question.filter(|o| o.id != given) {
                return Err(bad(
                    question_col,
                    format!(
                        "{given:?} asks the same question as the entry {:?} ({})",
                        other.id, other.source
                    ),
                    Some(format!(
                        "give this row the id {:?} to update that entry, or change its question",
                        other.id
                    )),
                ));
            }
        }
        let old = if ours_given {
            by_id.get(given.as_str()).copied()
        } else {
            same_question
        };
        if let Some(old) = old {
            if !ours_given && !seen.insert(old.id.clone()) {
                return Err(bad(
                    question_col,
                    format!(
                        "the same question as an earlier row, which already stands for the entry {:?}",
                        old.id
                    ),
                    Some(
                        "keep one row per question (put other phrasings in a Variants column)"
                            .into(),
                    ),
                ));
            }
            let id = old.id.clone();
            let update_hint = || {
                Some(format!(
                    "to update the knowledge base's entries from this spreadsheet, run `trustfill kb import {} --update` (add --dry-run to see the changes first)",
                    plan.source.display()
                ))
            };
            if !plan.update && ours_given {
                return Err(bad(
                    id_col,
                    format!("{id:?} is already an entry ({})", old.source),
                    update_hint(),
                ));
            }
            // The row updates that entry: each field the spreadsheet says something
            // about (an empty cell says nothing and changes nothing).
            let mut changes = Vec::new();
            let mut keys: Vec<(&'static str, NewValue)> = Vec::new();
            let mut text = |field: &'static str, before: &str, after: &str| {
                if !after.is_empty() && before != after {
                    changes.push(FieldChange {
                        field,
                        before: before.to_string(),
                        after: after.to_string(),
                    });
                    keys.push((field, NewValue::Text(after.to_string())));
                }
            };
            // A row found by its question asks one of the entry's phrasings already: only a row
            // found by its id can rename the entry's question.
            if ours_given {
                text("question", &old.question, &question);
            }
            text("answer", old.answer.as_deref().unwrap_or_default(), &answer);
            text("comment", &old.comment, &comment);
            text(
                "audience",
                old.audience.as_str(),
                said_audience.map_or("", |a| a.as_str()),
            );
            text(
                "owner",
                old.owner.as_deref().unwrap_or_default(),
                owner.as_deref().unwrap_or_default(),
            );
            // A framework's id the entry does not list yet becomes one of its references.
            let refs = if !given.is_empty() && !ours_given && !old.refs.contains(&given) {
                let mut refs = old.refs.clone();
                refs.push(given.clone());
                refs
            } else {
                Vec::new()
            };
            for (field, before, after) in [
                ("tags", &old.tags, &tags),
                ("variants", &old.variants, &variants),
                ("refs", &old.refs, &refs),
            ] {
                if !after.is_empty() && before != after {
                    changes.push(FieldChange {
                        field,
                        before: before.join(" | "),
                        after: after.join(" | "),
                    });
                    keys.push((field, NewValue::List(after.clone())));
                }
            }
            if let Some(d) = reviewed.filter(|d| old.reviewed != Some(*d)) {
                changes.push(FieldChange {
                    field: "reviewed",
                    before: old.reviewed.map(|d| d.to_string()).unwrap_or_default(),
                    after: d.to_string(),
                });
                keys.push(("reviewed", NewValue::Date(d)));
            }
            if changes.is_empty() {
                // A row without an id that says what its entry says: nothing to do.
                unchanged += 1;
            } else if !plan.update {
                return Err(bad(
                    question_col,
                    format!(
                        "the question is already the entry {id:?}'s ({}), which this row would change ({})",
                        old.source,
                        changes
                            .iter()
                            .map(|c| c.field)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    update_hint(),
                ));
            } else {
                edits.push((plan.kb.join(&old.source.path), (id.clone(), keys)));
                updated.push(EntryUpdate {
                    id,
                    location: old.source.to_string(),
                    changes,
                });
            }
            continue;
        }
        // A new entry: never one whose question an earlier row of this spreadsheet asks.
        if let Some(first) = new_questions.get(&normalize(&question)) {
            return Err(bad(
                question_col,
                format!("the same question as {first}"),
                Some("keep one row per question (put other phrasings in a Variants column)".into()),
            ));
        }
        new_questions.insert(normalize(&question), cell(r, question_col));
        // An id that is not ours ("A&A-01.1", "DATE-01": a framework's or a customer's) is kept
        // as a reference, and the entry gets an id derived from its question.
        let mut refs = Vec::new();
        let id = if given.is_empty() {
            crate::kb::id_from_question(&question, "", &mut taken)
        } else if !ours_given {
            let ours = crate::kb::id_from_question(&question, "", &mut taken);
            renamed.push((given.clone(), ours.clone()));
            refs.push(given);
            ours
        } else {
            if !taken.insert(given.clone()) {
                return Err(bad(id_col, format!("duplicate id {given:?}"), None));
            }
            given
        };
        let audience = said_audience.unwrap_or_else(|| {
            defaulted += 1;
            plan.default_audience
        });
        entries.push(KbEntry {
            id,
            kind: EntryKind::Answer,
            question,
            variants,
            answer: Some(answer),
            comment,
            tags,
            audience,
            owner: owner.or_else(|| plan.owner.clone()),
            reviewed,
            refs,
            rejected: Vec::new(),
            proposed: false,
            source: Source {
                path: rel.clone(),
                line: 0,
            },
        });
    }
    let not_in_sheet = if plan.update {
        existing
            .iter()
            .filter(|e| e.kind == EntryKind::Answer && !seen.contains(&e.id))
            .count()
    } else {
        0
    };
    let report =
        |written: PathBuf, entries: usize, settings_created: Option<PathBuf>| ImportReport {
            written,
            created_kb,
            settings_created,
            sheet: sheet.name.clone(),
            header_row: sheet.first_row + header as u32 + 1,
            entries,
            skipped_without_answer: skipped.clone(),
            defaulted_audience: defaulted,
            renamed: renamed.clone(),
            updated: updated.clone(),
            unchanged,
            not_in_sheet,
            dry_run: plan.dry_run,
        };
    if entries.is_empty() && (updated.is_empty() && unchanged == 0) {
        return Err(Error::Import {
            path: plan.source.clone(),
            message: format!(
                "sheet {:?} has a header on row {} but no row with both a question and an answer",
                sheet.name,
                sheet.first_row as usize + header + 1
            ),
            hint: None,
        });
    }
    if !entries.is_empty() {
        // Import never overwrites an answers file (with --update, it appends to its own).
        plan.new_file("imported")?;
    }
    if plan.dry_run {
        return Ok(report(target, entries.len(), None));
    }
    // An import edits or adds files the other `kb` commands edit too.
    let _lock = if plan.kb.exists() {
        Some(crate::kb::edit::KbLock::acquire(&plan.kb)?)
    } else {
        None
    };
    // Updates, grouped by file, then the new entries, as one transaction: on any failure
    // (a write, or the library no longer loading) every file is put back byte for byte.
    let mut tx = Transaction::new();
    let mut files: Vec<&PathBuf> = edits.iter().map(|(f, _)| f).collect();
    files.sort();
    files.dedup();
    for file in files {
        tx.keep(file)?;
        let mine: Vec<EntryEdit> = edits
            .iter()
            .filter(|(f, _)| f == file)
            .map(|(_, edit)| edit.clone())
            .collect();
        crate::kb::edit::update_entries(file, &mine)?;
    }
    if !entries.is_empty() {
        let source_name = plan
            .source
            .file_name()
            .unwrap_or_default()
            .to_string_lossy();
        let header_text = format!(
            "Imported by `trustfill kb import` from {source_name} (sheet {:?}, columns {}) on {}.\nReview each entry: set owner and reviewed, and check the audience.",
            sheet.name,
            describe_columns(&cols),
            plan.today
        );
        // With --update, new entries join the file an earlier import of this spreadsheet
        // wrote (which the updates above may have changed too: the transaction keeps the
        // bytes from before the first write).
        tx.keep(&target)?;
        if target.exists() {
            crate::kb::edit::append_entries(&target, &header_text, &entries)?;
        } else {
            write_new_file(&target, &render::file(&header_text, &entries))?;
        }
    }
    // A new knowledge base starts with a commented trustfill.toml that says what to set.
    let settings_created = if created_kb {
        tx.keep(&plan.kb.join(crate::kb::settings::SETTINGS_FILE))?;
        crate::kb::settings::write_starter(&plan.kb)?
    } else {
        None
    };
    // Never leave a library that does not load.
    KnowledgeBase::load(&plan.kb)?;
    crate::kb::settings::Settings::load(&plan.kb)?;
    tx.commit();
    Ok(report(target, entries.len(), settings_created))
}

fn describe_columns(cols: &Columns) -> String {
    let named = [
        ("question", cols.question),
        ("answer", cols.answer),
        ("comment", cols.comment),
        ("id", cols.id),
        ("tags", cols.tags),
        ("audience", cols.audience),
        ("owner", cols.owner),
        ("reviewed", cols.reviewed),
    ];
    named
        .iter()
        .filter_map(|(name, col)| col.map(|c| format!("{name}={}", col_letters(c as u32))))
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) fn has_entries(kb: &Path) -> Result<bool> {
    Ok(kb.is_dir() && !crate::kb::kb_files(kb)?.is_empty())
}

/// Write `contents` to `target` through a temporary file in the same folder, never replacing
/// an existing file.
fn write_new_file(target: &Path, contents: &str) -> Result<()> {
    use std::io::Write;
    let dir = crate::atomic::folder_of(target);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("cannot create", &dir, e))?;
    let mut tmp = crate::atomic::temp_beside(target)?;
    tmp.write_all(contents.as_bytes())
        .map_err(|e| Error::io("cannot write", tmp.path().to_path_buf(), e))?;
    crate::atomic::publish(tmp, target, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn headers_are_found_by_name_in_any_case() {
        let cols = detect_columns(&row(&[
            "ID",
            "Category",
            "QUESTION",
            "Answer",
            "Explanation",
            "Audience",
        ]));
        assert_eq!(cols.id, Some(0));
        assert_eq!(cols.tags, Some(1));
        assert_eq!(cols.question, Some(2));
        assert_eq!(cols.answer, Some(3));
        assert_eq!(cols.comment, Some(4));
        assert_eq!(cols.audience, Some(5));
        let cols = detect_columns(&row(&[
            "Question ID",
            "Security Question",
            "Response",
            "Comments",
        ]));
        assert_eq!(
            (cols.question, cols.answer, cols.comment, cols.id),
            (Some(1), Some(2), Some(3), None)
        );
    }

    /// Every header name the README lists finds its column (cargo-mutants: most aliases could
    /// be deleted unnoticed), and the fallbacks by word only take what they should.
    #[test]
    fn every_documented_header_name_finds_its_column() {
        type Field = fn(&Columns) -> Option<usize>;
        let fields: [(&str, Field, &[&str]); 9] = [
            (
                "question",
                |c| c.question,
                &["Question", "Questions", "Question Text", "Prompt"],
            ),
            (
                "answer",
                |c| c.answer,
                &[
                    "Answer",
                    "Answers",
                    "Response",
                    "Short Answer",
                    "Answer (Yes/No)",
                    "Yes/No",
                ],
            ),
            (
                "comment",
                |c| c.comment,
                &[
                    "Comment",
                    "Comments",
                    "Explanation",
                    "Notes",
                    "Details",
                    "Long Answer",
                    "Additional Information",
                    "Answer Detail",
                    "Answer Details",
                    "Justification",
                ],
            ),
            ("id", |c| c.id, &["ID", "Entry ID", "Answer ID", "Key"]),
            (
                "tags",
                |c| c.tags,
                &["Tags", "Tag", "Category", "Categories", "Topic", "Section"],
            ),
            (
                "audience",
                |c| c.audience,
                &["Audience", "Visibility", "Classification", "Sharing"],
            ),
            ("owner", |c| c.owner, &["Owner", "Answer Owner"]),
            (
                "reviewed",
                |c| c.reviewed,
                &["Reviewed", "Last Reviewed", "Review Date", "Reviewed On"],
            ),
            (
                "variants",
                |c| c.variants,
                &[
                    "Variants",
                    "Variant",
                    "Other Phrasings",
                    "Alternative Questions",
                ],
            ),
        ];
        for (name, field, aliases) in fields {
            for alias in aliases {
                // Beside a column no rule takes, so the alias alone decides.
                let cols = detect_columns(&row(&["Unrelated", alias]));
                assert_eq!(field(&cols), Some(1), "{alias:?} is the {name} column");
            }
        }
        // By word: a question header that names an id is not the question; the first of two
        // question-ish headers is; a comment by word is found too.
        let cols = detect_columns(&row(&[
            "Question ID",
            "Security Question",
            "Vendor Comments",
        ]));
        assert_eq!((cols.question, cols.comment), (Some(1), Some(2)));
        let cols = detect_columns(&row(&["Security Question", "Follow-up Question"]));
        assert_eq!(cols.question, Some(0));
        let cols = detect_columns(&row(&["Unrelated", "Other explanation"]));
        assert_eq!(cols.comment, Some(1));
        let cols = detect_columns(&row(&["Remarks", "Status"]));
        assert_eq!((cols.question, cols.comment), (None, None));
    }

    #[test]
    fn generated_ids_are_unique_slugs() {
        use crate::kb::id_from_question;
        let mut taken = HashSet::new();
        let q = "Do you encrypt data at rest?";
        assert_eq!(id_from_question(q, "", &mut taken), "encrypt-data-at-rest");
        assert_eq!(
            id_from_question(q, "", &mut taken),
            "encrypt-data-at-rest-2"
        );
        assert_eq!(
            id_from_question(q, "learned-", &mut taken),
            "learned-encrypt-data-at-rest"
        );
        assert_eq!(id_from_question("???", "", &mut taken), "entry");
        assert!(taken.iter().all(|id| is_valid_id(id)));
    }
}
