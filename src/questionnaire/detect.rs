//! Layout detection for one sheet: header row, columns and question rows, from header words
//! and cell contents. Pure functions over a cell grid and the sheet's facts, unit-tested on
//! small grids that mimic the real layouts (CAIQ, HECVAT 3 and 4, plain customer sheets).

use super::{Choice, Choices, Column, Question, SheetLayout};
use crate::cellref::CellRef;
use crate::grid::Sheet;
use crate::text::normalize_label as normalize;
use crate::xlsx::sheet::{ListSource, SheetFacts};

/// Corrections for when detection is wrong (`fill --sheet … --answer-col …`). 0-based.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    pub sheet: Option<String>,
    pub header_row: Option<u32>,
    pub question_col: Option<u32>,
    pub answer_col: Option<u32>,
    pub comment_col: Option<u32>,
}

/// How far down a header row is looked for.
const HEADER_SEARCH_ROWS: u32 = 60;

pub use crate::text::looks_like_id;

/// Sheets that hold instructions or are for the customer's analysts, by name.
pub fn skip_by_name(name: &str) -> Option<String> {
    const WORDS: [&str; 19] = [
        "instruction",
        "introduction",
        "readme",
        "read me",
        "cover",
        "analyst",
        "evaluation",
        "crosswalk",
        "report",
        "reference",
        "summary",
        "changelog",
        "change log",
        "acknowledg",
        "glossary",
        "definition",
        "scoring",
        "lookup",
        "what is",
    ];
    let lower = name.to_lowercase();
    WORDS.iter().find(|w| lower.contains(*w)).map(|w| {
        format!(
            "instructions or analyst sheet (name contains {w:?}); use --sheet to fill it anyway"
        )
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Question,
    Answer,
    Comment,
    Id,
    /// What kind of answer a row wants ("Question Type": "Yes,No,N/A"): never the answer.
    Options,
}

/// What a header cell names, if anything.
fn header_role(text: &str) -> Option<Role> {
    let raw = text.trim();
    if raw.is_empty() || raw.len() > 80 {
        return None;
    }
    if matches!(raw, "#" | "No." | "Q#" | "Ref." | "Ref #") {
        return Some(Role::Id);
    }
    let h = normalize(raw);
    let has = |w: &str| h.contains(w);
    let not_ours = [
        "analyst",
        "guidance",
        "institution",
        "csc ",
        "customer responsib",
        "specification",
        "control title",
        "domain",
        "scoring",
        "weight",
        // A PCI SAQ's "Applicability Notes" row under a requirement: guidance, no column.
        "applicability",
    ];
    if not_ours.iter().any(|w| h.contains(w)) || h.starts_with("csc") {
        return None;
    }
    if matches!(
        h.as_str(),
        "question type"
            | "answer type"
            | "response type"
            | "type of answer"
            | "type of response"
            | "answer format"
            | "response format"
            | "answer options"
            | "response options"
            | "allowed answers"
            | "allowed responses"
    ) {
        return Some(Role::Options);
    }
    match h.as_str() {
        "id" | "question id" | "question number" | "question no" | "qid" | "q" | "no"
        | "number" | "ref" | "reference" | "control id" | "item id" | "identifier" | "req id" => {
            return Some(Role::Id);
        }
        "question"
        | "questions"
        | "question text"
        | "control question"
        | "requirement"
        | "requirements"
        | "query"
        | "item"
        | "security question"
        | "assessment question"
        | "control" => return Some(Role::Question),
        "answer" | "answers" | "response" | "responses" | "vendor answer" | "vendor answers"
        | "vendor response" | "yes no" | "yes no n a" | "yes no na" | "compliant"
        | "compliance" | "status" | "reply" | "your answer" | "your response" => {
            return Some(Role::Answer);
        }
        _ => {}
    }
    if has("question") && (has(" id") || has("number") || h.ends_with(" no")) {
        return Some(Role::Id);
    }
    if has("answer") || has("response") {
        if has("additional") || has("comment") || has("explanation") || has("description") {
            return Some(Role::Comment);
        }
        return Some(Role::Answer);
    }
    if has("question") {
        return Some(Role::Question);
    }
    let comment_words = [
        "additional information",
        "comment",
        "explanation",
        "notes",
        "details",
        "description",
        "evidence",
        "justification",
        "remarks",
        "elaborat",
        "clarif",
    ];
    comment_words
        .iter()
        .any(|w| h.contains(w))
        .then_some(Role::Comment)
}

/// The sheet as absolute coordinates.
struct View<'a> {
    grid: &'a Sheet,
    facts: &'a SheetFacts,
}

impl View<'_> {
    fn cell(&self, row: u32, col: u32) -> &str {
        let (Some(r), Some(c)) = (
            row.checked_sub(self.grid.first_row),
            col.checked_sub(self.grid.first_col),
        ) else {
            return "";
        };
        self.grid.cell(r as usize, c as usize).trim()
    }

    fn last_row(&self) -> u32 {
        self.grid.first_row + self.grid.rows.len() as u32
    }

    fn last_col(&self) -> u32 {
        self.grid.first_col + self.grid.rows.iter().map(Vec::len).max().unwrap_or(0) as u32
    }

    fn visible_rows(&self, from: u32) -> impl Iterator<Item = u32> + '_ {
        (from..self.last_row()).filter(|r| !self.facts.hidden_rows.contains(r))
    }

    fn roles(&self, row: u32) -> Vec<(u32, Role, String)> {
        (0..self.last_col())
            .filter(|&c| !self.facts.is_col_hidden(c))
            .filter_map(|c| {
                let text = self.cell(row, c);
                header_role(text).map(|role| (c, role, text.to_string()))
            })
            .collect()
    }
}

pub fn detect(
    grid: &Sheet,
    facts: &SheetFacts,
    ov: &Overrides,
    resolve: &dyn Fn(&ListSource) -> Option<Vec<String>>,
) -> Result<SheetLayout, String> {
    let v = View { grid, facts };
    let header_row = match ov.header_row {
        Some(r) => Some(r),
        None => find_header(&v),
    };
    let mut roles = header_row.map(|r| v.roles(r)).unwrap_or_default();
    if ov.header_row.is_none()
        && let Some(h) = header_row
    {
        header_block(&v, h, &mut roles);
    }
    let data_from = header_row.map_or(0, |r| r + 1);
    let first = |role: Role| {
        roles
            .iter()
            .find(|(_, r, _)| *r == role)
            .map(|(c, _, t)| Column {
                index: *c,
                header: Some(t.clone()),
            })
    };
    // Of several id columns (CAIQ v3 names "Control ID" and "Question ID"), the one with an id
    // on the most rows: a control's id sits only on its first question's row.
    let mut id = roles
        .iter()
        .filter(|(_, r, _)| *r == Role::Id)
        .max_by_key(|(c, _, _)| {
            let ids = v
                .visible_rows(data_from)
                .filter(|&r| looks_like_id(v.cell(r, *c)))
                .count();
            (ids, std::cmp::Reverse(*c))
        })
        .map(|(c, _, t)| Column {
            index: *c,
            header: Some(t.clone()),
        });
    let mut question = ov
        .question_col
        .map(|c| Column {
            index: c,
            header: header_text(&v, header_row, c),
        })
        .or_else(|| first(Role::Question));
    // HECVAT 4 heads its id column "Required Questions": a "question" column holding mostly ids
    // is the id column, and the question text is found by content.
    if id.is_none()
        && ov.question_col.is_none()
        && let Some(q) = question.as_ref().filter(|q| mostly_ids(&v, q.index))
    {
        id = Some(q.clone());
        question = None;
    }
    if id.is_none() {
        id = infer_id_column(&v, question.as_ref().map(|q| q.index));
    }
    if question.is_none() {
        question = infer_question_column(
            &v,
            data_from,
            id.as_ref().map(|c| c.index),
            ov.answer_col.or(first(Role::Answer).map(|a| a.index)),
        );
    }
    // Columns trustfill adds to a bare question list: (column, header to write).
    let mut added: Vec<(u32, String)> = Vec::new();
    let Some(question) = question else {
        return Err("no question column: no header names one and no column holds question-like text; use --question-col".into());
    };
    let answer = match ov.answer_col {
        Some(c) => Some(Column {
            index: c,
            header: header_text(&v, header_row, c),
        }),
        None => first(Role::Answer)
            .filter(|a| a.index != question.index)
            .or_else(|| {
                // A bare question list (a header row naming no answer column, and a column
                // right of the question that is something else: a type, a domain): the answer
                // gets a column of its own after the last one used.
                let h = header_row?;
                let right = question.index + 1;
                let taken = !v.cell(h, right).is_empty()
                    || roles
                        .iter()
                        .any(|(c, r, _)| *r == Role::Options && *c == right);
                let last = (0..v.last_col())
                    .rev()
                    .find(|&c| !v.cell(h, c).is_empty())?;
                taken.then(|| {
                    added.push((last + 1, "Answer".to_string()));
                    Column {
                        index: last + 1,
                        header: Some("Answer".into()),
                    }
                })
            })
            .or_else(|| {
                // No answer header (HECVAT 4 "START HERE"): with a question-id column, the answer
                // goes in the first column right of the question.
                id.as_ref().map(|_| Column {
                    index: question.index + 1,
                    header: None,
                })
            }),
    };
    let Some(answer) = answer else {
        return Err(format!(
            "no answer column: question column is {}, but no header names an answer or response column; use --answer-col",
            question.describe()
        ));
    };
    let mut comment = match ov.comment_col {
        Some(c) => Some(Column {
            index: c,
            header: header_text(&v, header_row, c),
        }),
        None => roles
            .iter()
            .filter(|(c, r, _)| *r == Role::Comment && *c != answer.index && *c != question.index)
            .min_by_key(|(c, _, _)| {
                if *c > answer.index {
                    c - answer.index
                } else {
                    1000 + c
                }
            })
            .map(|(c, _, t)| Column {
                index: *c,
                header: Some(t.clone()),
            }),
    };
    if let Some(i) = &id
        && (i.index == question.index || i.index == answer.index)
    {
        id = None;
    }
    // An added answer column gets an added comment column beside it, unless one is named.
    if !added.is_empty() && comment.is_none() {
        added.push((answer.index + 1, "Comment".to_string()));
        comment = Some(Column {
            index: answer.index + 1,
            header: Some("Comment".into()),
        });
    }
    let type_column = roles
        .iter()
        .find(|(_, r, _)| *r == Role::Options)
        .map(|(c, _, _)| *c);

    // Options under the answer header, one column each (CAIQ v3: "Consensus Assessment
    // Answers" merged over F:H, "Yes | No | Not Applicable" two rows below).
    let options = match (ov.answer_col, header_row) {
        (None, Some(h)) => choice_columns(&v, h, answer.index, question.index),
        _ => Vec::new(),
    };
    let header_labels: Vec<String> = header_row
        .map(|r| {
            (0..v.last_col())
                .map(|c| normalize(v.cell(r, c)))
                .filter(|t| !t.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let mut questions = Vec::new();
    // With an id column, every row carrying an id is a question, above the header too (HECVAT
    // 3.x puts its GNRL and DATE fields before the first header row). Without one, only rows
    // below the header whose text reads like a question.
    let start = if id.is_some() { 0 } else { data_from };
    // The section a question sits in: the short label of the last row above it that is not a
    // question (HECVAT's section rows, a merged "Access Control" over A:B).
    let mut section: Option<String> = None;
    let label_of = |row: u32| -> Option<String> {
        (0..=question.index)
            .map(|c| v.cell(row, c).trim())
            .find(|t| !t.is_empty())
            .filter(|t| {
                t.chars().count() <= 80
                    && t.chars().any(char::is_alphabetic)
                    && !header_labels.contains(&normalize(t))
                    && !looks_like_id(t)
            })
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    for row in v.visible_rows(start) {
        if Some(row) == header_row {
            section = label_of(row).or(section);
            continue;
        }
        let mut text = v.cell(row, question.index);
        // A Word table whose rows split their columns differently puts a row's question one
        // grid column over: with the question column empty (or an id), the first other text
        // left of the answer is the question.
        if (text.is_empty() || looks_like_id(text))
            && v.facts.width.is_some()
            && let Some(t) = (question.index + 1..answer.index)
                .map(|c| v.cell(row, c))
                .find(|t| !t.is_empty() && !looks_like_id(t))
        {
            text = t;
        }
        if text.is_empty()
            || !text.chars().any(char::is_alphabetic)
            || header_labels.contains(&normalize(text))
        {
            section = label_of(row).or(section);
            continue;
        }
        // A row whose one cell spans the question and the answer columns is a heading (a
        // Word form's "AC-2 What is the solution…" over its parts), not a question.
        if v.facts
            .merged_at(row, question.index)
            .is_some_and(|m| m.contains(row, answer.index))
        {
            section = label_of(row).or(section);
            continue;
        }
        // A row whose answer cell continues one merged down from the row above belongs to the
        // question above (a PCI SAQ's applicability notes under a requirement whose boxes span
        // them): one question, one answer. Its words complete the question only when the
        // question above breaks off ("…meets the following:").
        if let Some(m) = v
            .facts
            .merged_at(row, answer.index)
            .filter(|m| m.first_row < row)
        {
            if let Some(prev) = questions
                .last_mut()
                .filter(|p: &&mut Question| p.answer_cell.row == m.first_row && p.cell.row < row)
                && !prev.text.ends_with(['.', '?', '!', ')'])
            {
                let more = text.split_whitespace().collect::<Vec<_>>().join(" ");
                prev.text = format!("{} {more}", prev.text);
            }
            continue;
        }
        let qid = id.as_ref().map(|c| v.cell(row, c.index).to_string());
        match &qid {
            Some(q) if !looks_like_id(q) || q == text => {
                section = label_of(row).or(section);
                continue;
            }
            None if !crate::text::reads_like_question(text) => {
                section = label_of(row).or(section);
                continue;
            }
            _ => {}
        }
        let mut q = question_at(
            &v,
            row,
            &question,
            &answer,
            comment.as_ref(),
            qid,
            text,
            resolve,
        );
        q.section = section.clone();
        if q.allowed.is_none()
            && let Some(c) = type_column
        {
            q.allowed = allowed_from_type(v.cell(row, c));
        }
        if !options.is_empty() {
            choose(&v, &mut q, &options);
        }
        questions.push(q);
    }
    set_mark(&v, &mut questions);
    Ok(SheetLayout {
        name: grid.name.clone(),
        header_row,
        question,
        answer,
        comment,
        id,
        protected: facts.protected,
        questions,
        added: added
            .into_iter()
            .filter_map(|(c, h)| Some((CellRef::new(grid.name.clone(), header_row?, c), h)))
            .collect(),
    })
}

#[allow(clippy::too_many_arguments)]
fn question_at(
    v: &View<'_>,
    row: u32,
    question: &Column,
    answer: &Column,
    comment: Option<&Column>,
    qid: Option<String>,
    text: &str,
    resolve: &dyn Fn(&ListSource) -> Option<Vec<String>>,
) -> Question {
    let sheet = &v.grid.name;
    // A merged answer area (GNRL fields merged C:E) is written at its top-left cell.
    let anchor = |col: u32| match v.facts.merged_at(row, col) {
        Some(r) if r.first_row == row => (r.first_row, r.first_col),
        _ => (row, col),
    };
    let (ar, ac) = anchor(answer.index);
    let comment_cell = comment.map(|c| anchor(c.index));
    let allowed = v
        .facts
        .validation_at(ar, ac)
        .and_then(|dv| resolve(&dv.source));
    Question {
        cell: CellRef::new(sheet.clone(), row, question.index),
        id: qid.filter(|q| !q.is_empty()),
        text: text.split_whitespace().collect::<Vec<_>>().join(" "),
        answer_cell: CellRef::new(sheet.clone(), ar, ac),
        comment_cell: comment_cell.map(|(r, c)| CellRef::new(sheet.clone(), r, c)),
        // A blank template's placeholder ("Vendor Name", "mm/dd/yyyy", "See Instructions tab")
        // is no answer: the cell is as good as empty.
        existing_answer: Some(v.cell(ar, ac))
            .filter(|a| !crate::kb::profile::is_placeholder(a, text))
            .unwrap_or_default()
            .to_string(),
        existing_comment: comment_cell
            .map(|(r, c)| v.cell(r, c))
            .filter(|c| !crate::kb::profile::is_placeholder(c, text))
            .unwrap_or_default()
            .to_string(),
        answer_is_formula: v.facts.formula_cells.contains(&(ar, ac)),
        locked: v.facts.locked(ar, ac),
        // A locked comment cell is never written either, as a formula's is not.
        comment_is_formula: comment_cell.is_some_and(|rc| {
            v.facts.formula_cells.contains(&rc) || v.facts.locked(rc.0, rc.1).is_some()
        }),
        slot: v
            .facts
            .slots
            .get(&(ar, ac))
            .copied()
            .unwrap_or(if allowed.is_some() {
                crate::xlsx::sheet::Slot::Dropdown
            } else {
                crate::xlsx::sheet::Slot::Cell
            }),
        allowed,
        section: None,
        choices: None,
    }
}

/// The answers a type column allows on its row: "Yes,No,N/A" or "Yes / No" give their
/// options; "Free text", "Date" or one word give none.
fn allowed_from_type(text: &str) -> Option<Vec<String>> {
    let options: Vec<String> = text
        .split([',', ';', '/', '|'])
        .map(|o| o.trim().to_string())
        .filter(|o| !o.is_empty())
        .collect();
    (options.len() >= 2 && options.iter().all(|o| o.chars().count() <= 20)).then_some(options)
}

/// Whether a header cell names one option of a check-one-of answer: Yes, No, N/A, or a PCI
/// SAQ's In Place / In Place with CCW / Not in Place / Not Tested.
fn option_label(text: &str) -> bool {
    let h = normalize(text);
    !h.is_empty()
        && h.len() <= 40
        && (crate::text::class(text).is_some()
            || matches!(
                h.as_str(),
                "in place"
                    | "in place with ccw"
                    | "in place with remediation"
                    | "not in place"
                    | "not tested"
                    | "partial"
                    | "partially"
                    | "unsure"
                    | "don t know"
            ))
}

/// The option columns of an answer column: in one of the few rows below the header (before
/// any question), the answer column and the columns right of it each hold an option label,
/// two at least, while the header row above them is empty beside the answer's own header (or
/// one cell merged over them).
fn choice_columns(v: &View<'_>, header: u32, answer: u32, question: u32) -> Vec<(u32, String)> {
    for row in v.visible_rows(header + 1).take(3) {
        if !v.cell(row, question).is_empty() {
            break;
        }
        let mut options = Vec::new();
        let mut col = answer;
        while col < v.last_col() && option_label(v.cell(row, col)) {
            let above_free = col == answer
                || v.cell(header, col).is_empty()
                || v.facts
                    .merged_at(header, col)
                    .is_some_and(|m| m.first_col == answer);
            if !above_free {
                break;
            }
            options.push((col, v.cell(row, col).to_string()));
            // An option label merged over several columns (a Word cell spanning them) is one
            // option: the next starts after it.
            col = v
                .facts
                .merged_at(row, col)
                .map_or(col + 1, |m| m.last_col.max(col) + 1);
        }
        if options.len() >= 2 {
            return options;
        }
    }
    Vec::new()
}

/// Make `q` a question answered by marking one of `options`' columns on its row.
fn choose(v: &View<'_>, q: &mut Question, options: &[(u32, String)]) {
    let row = q.answer_cell.row;
    let sheet = &v.grid.name;
    let choices: Vec<Choice> = options
        .iter()
        .map(|(col, label)| Choice {
            // "In Place\nwith CCW" as a header cell wraps it: one line, one space.
            label: label.split_whitespace().collect::<Vec<_>>().join(" "),
            cell: CellRef::new(sheet.clone(), row, *col),
            marked: !v.cell(row, *col).is_empty(),
        })
        .collect();
    let cells = || options.iter().map(|(c, _)| (row, *c));
    q.answer_cell = CellRef::new(sheet.clone(), row, options[0].0);
    q.answer_is_formula = cells().any(|rc| v.facts.formula_cells.contains(&rc));
    // Marking an option's box is what a choice does.
    q.locked = cells()
        .filter_map(|(r, c)| v.facts.locked(r, c))
        .find(|l| *l != crate::xlsx::sheet::Locked::OneBox);
    q.existing_answer = choices
        .iter()
        .filter(|c| c.marked)
        .map(|c| c.label.as_str())
        .collect::<Vec<_>>()
        .join(" / ");
    q.allowed = Some(choices.iter().map(|c| c.label.clone()).collect());
    q.slot = crate::xlsx::sheet::Slot::ChoiceColumns;
    q.choices = Some(Choices {
        options: choices,
        mark: String::new(),
    });
}

/// The mark of a sheet's choice questions: the most common text of the marks already made
/// (a completed CAIQ's "X" or "x"), else "X".
fn set_mark(v: &View<'_>, questions: &mut [Question]) {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for q in questions.iter() {
        for c in q
            .choices
            .iter()
            .flat_map(|c| &c.options)
            .filter(|c| c.marked)
        {
            let text = v.cell(c.cell.row, c.cell.col);
            match counts.iter_mut().find(|(t, _)| t == text) {
                Some((_, n)) => *n += 1,
                None => counts.push((text.to_string(), 1)),
            }
        }
    }
    let mark = counts
        .into_iter()
        .filter(|(t, _)| t.chars().count() <= 3)
        .max_by_key(|(_, n)| *n)
        .map_or_else(|| "X".to_string(), |(t, _)| t);
    for q in questions {
        if let Some(c) = &mut q.choices {
            c.mark = mark.clone();
        }
    }
}

/// A sheet that repeats its header row before each section may name a column only in a later
/// repeat: HECVAT 4.1.4's Product sheet heads row 17 "Answer | Guidance | Analyst Notes" and
/// row 19 "Answer | Additional Information | Guidance | Analyst Notes". The header is the
/// block of those rows: a role the header row lacks is taken from the first repeat (a row with
/// the same answer header) that names it in a column no other role holds.
fn header_block(v: &View<'_>, header_row: u32, roles: &mut Vec<(u32, Role, String)>) {
    let Some((answer_col, answer_text)) = roles
        .iter()
        .find(|(_, r, _)| *r == Role::Answer)
        .map(|(c, _, t)| (*c, t.clone()))
    else {
        return;
    };
    for row in v.visible_rows(header_row + 1) {
        if v.cell(row, answer_col) != answer_text {
            continue;
        }
        for (col, role, text) in v.roles(row) {
            if !roles.iter().any(|(c, r, _)| *r == role || *c == col) {
                roles.push((col, role, text));
            }
        }
    }
}

fn header_text(v: &View<'_>, header_row: Option<u32>, col: u32) -> Option<String> {
    header_row
        .map(|r| v.cell(r, col).to_string())
        .filter(|t| !t.is_empty())
}

/// The first row (within the first rows) that names an answer column together with a
/// question, id or comment column; failing that, the first row naming an answer column.
fn find_header(v: &View<'_>) -> Option<u32> {
    let end = (v.grid.first_row + HEADER_SEARCH_ROWS).min(v.last_row());
    let mut weak = None;
    for row in v.visible_rows(v.grid.first_row).take_while(|&r| r < end) {
        let roles = v.roles(row);
        let has = |role: Role| roles.iter().any(|(_, r, _)| *r == role);
        if has(Role::Answer) && (has(Role::Question) || has(Role::Id) || has(Role::Comment)) {
            return Some(row);
        }
        if has(Role::Question) && has(Role::Id) {
            return Some(row);
        }
        // A row naming only an answer column is a weaker sign; a title in column A such as
        // "HECVAT Solution Provider Response" is not a header at all.
        if weak.is_none() && roles.iter().any(|(c, r, _)| *r == Role::Answer && *c > 0) {
            weak = Some(row);
        }
    }
    weak
}

/// Whether a column is a question-id column: at least three ids, at least a third of its
/// non-empty cells (title and instruction rows dilute short sheets), and mostly distinct (a
/// formula column caching "0" on every row is not an id column).
fn mostly_ids(v: &View<'_>, col: u32) -> bool {
    let mut filled = 0;
    let mut ids = std::collections::HashSet::new();
    let mut total_ids = 0;
    // A section row's one cell merged across the table (a Word form's "6.3 Security
    // vulnerabilities are identified…") is no entry of any column.
    let wide = v.last_col().max(2) / 2;
    for row in v.visible_rows(v.grid.first_row) {
        let text = v.cell(row, col);
        let section = v
            .facts
            .merged_at(row, col)
            .is_some_and(|m| m.last_col - m.first_col + 1 > wide);
        if !text.is_empty() && !section {
            filled += 1;
            if looks_like_id(text) {
                total_ids += 1;
                ids.insert(text);
            }
        }
    }
    // Two ids make an id column only when they are most of what it holds (a short Word table
    // of two requirements under their section rows).
    (total_ids >= 3 && total_ids * 3 >= filled || total_ids == 2 && total_ids * 3 >= filled * 2)
        && ids.len() * 5 >= total_ids * 4
}

/// The column (among the first eight) that is most clearly a question-id column.
fn infer_id_column(v: &View<'_>, question: Option<u32>) -> Option<Column> {
    let cols = v.last_col().min(8);
    (0..cols)
        .filter(|&c| Some(c) != question && !v.facts.is_col_hidden(c) && mostly_ids(v, c))
        .max_by_key(|&c| {
            v.visible_rows(v.grid.first_row)
                .filter(|&r| looks_like_id(v.cell(r, c)))
                .count()
        })
        .map(|c| Column {
            index: c,
            header: None,
        })
}

/// The column (left of the answer column, not the id column) with the most question-like text.
/// With an id column, the text on rows that carry an id counts whatever its form (HECVAT's
/// fill-in fields read "Solution Provider Name", not like questions).
fn infer_question_column(
    v: &View<'_>,
    from: u32,
    id: Option<u32>,
    answer: Option<u32>,
) -> Option<Column> {
    let limit = answer.unwrap_or_else(|| v.last_col().min(10));
    let first = id.map_or(0, |i| i + 1);
    (first..limit)
        .filter(|&c| Some(c) != id && !v.facts.is_col_hidden(c))
        .map(|c| {
            let score: usize = match id {
                Some(i) => v
                    .visible_rows(v.grid.first_row)
                    .filter(|&r| looks_like_id(v.cell(r, i)))
                    .map(|r| v.cell(r, c))
                    .filter(|t| t.chars().any(char::is_alphabetic))
                    .map(|t| t.len().min(300))
                    .sum(),
                None => v
                    .visible_rows(from)
                    .map(|r| v.cell(r, c))
                    .filter(|t| crate::text::reads_like_question(t))
                    .map(|t| t.len().min(300))
                    .sum(),
            };
            (c, score)
        })
        .filter(|&(_, score)| score > 0)
        .max_by_key(|&(c, score)| (score, std::cmp::Reverse(c)))
        .map(|(c, _)| Column {
            index: c,
            header: None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xlsx::Range;

    fn grid(name: &str, rows: &[&[&str]]) -> Sheet {
        Sheet {
            name: name.into(),
            first_row: 0,
            first_col: 0,
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect(),
        }
    }

    fn no_lists(_: &ListSource) -> Option<Vec<String>> {
        None
    }

    fn literal(source: &ListSource) -> Option<Vec<String>> {
        match source {
            ListSource::Values(v) => Some(v.clone()),
            ListSource::Formula(_) => None,
        }
    }

    #[test]
    fn caiq_layout_title_row_then_header_with_ids() {
        let g = grid(
            "CAIQv4.0.3",
            &[
                &["v4.0.3", "CONSENSUS ASSESSMENTS INITIATIVE QUESTIONNAIRE"],
                &[
                    "Question ID",
                    "Question",
                    "CSP CAIQ Answer",
                    "SSRM Control Ownership",
                    "CSP Implementation Description (Optional/Recommended)",
                    "CSC Responsibilities (Optional/Recommended)",
                    "",
                    "",
                    "CCM Control ID",
                    "CCM Control Specification",
                ],
                &[
                    "A&A-01.1",
                    "Are audit policies established and maintained?",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "A&A-01",
                    "Establish audit policies...",
                ],
                &["A&A-01.2", "Are audit policies reviewed at least annually?"],
                &["End of Standard"],
                &["© Copyright 2024 Example - All rights reserved."],
            ],
        );
        let mut facts = SheetFacts::default();
        facts.validations.push(crate::xlsx::sheet::Validation {
            ranges: vec![Range::parse("C3:C4").unwrap()],
            source: ListSource::Values(vec!["Yes".into(), "No".into(), "NA".into()]),
        });
        let layout = detect(&g, &facts, &Overrides::default(), &literal).unwrap();
        assert_eq!(layout.header_row, Some(1));
        assert_eq!((layout.question.index, layout.answer.index), (1, 2));
        assert_eq!(layout.id.as_ref().map(|c| c.index), Some(0));
        assert_eq!(
            layout.comment.as_ref().map(|c| c.index),
            Some(4),
            "the implementation description, not the CSC column"
        );
        assert_eq!(layout.questions.len(), 2);
        let q = &layout.questions[0];
        assert_eq!(q.id.as_deref(), Some("A&A-01.1"));
        assert_eq!(q.answer_cell.to_string(), "'CAIQv4.0.3'!C3");
        assert_eq!(
            q.allowed.as_deref(),
            Some(&["Yes".to_string(), "No".into(), "NA".into()][..])
        );
    }

    #[test]
    fn hecvat3_sections_repeat_headers_and_fields_sit_above_the_first_header() {
        let g = grid(
            "HECVAT - Full | Vendor Response",
            &[
                &[
                    "HECVAT - Full | Vendor Response",
                    "",
                    "",
                    "",
                    "Version 3.04",
                ],
                &["DATE-01", "Date", ""],
                &["General Information"],
                &["GNRL-01 through GNRL-08; populate these fields."],
                &["GNRL-01", "Vendor Name", ""],
                &[
                    "Company Overview",
                    "",
                    "Vendor Answers",
                    "Additional Information",
                    "Guidance",
                    "Analyst Notes",
                ],
                &[
                    "COMP-01",
                    "Describe your organization's business background.",
                    "",
                    "",
                    "N/A",
                ],
                &[
                    "COMP-02",
                    "Have you had an unplanned disruption in the last 3 years?",
                    "No",
                    "",
                    "Describe",
                ],
                &[
                    "Documentation",
                    "",
                    "Vendor Answers",
                    "Additional Information",
                    "Guidance",
                    "Analyst Notes",
                ],
                &["DOCU-01", "Have you undergone a SSAE 18 audit?", "", "", ""],
            ],
        );
        let mut facts = SheetFacts::default();
        facts.formula_cells.insert((9, 4));
        let layout = detect(&g, &facts, &Overrides::default(), &no_lists).unwrap();
        assert_eq!(layout.header_row, Some(5));
        assert_eq!((layout.question.index, layout.answer.index), (1, 2));
        assert_eq!(layout.comment.as_ref().map(|c| c.index), Some(3));
        let ids: Vec<&str> = layout
            .questions
            .iter()
            .filter_map(|q| q.id.as_deref())
            .collect();
        assert_eq!(ids, ["DATE-01", "GNRL-01", "COMP-01", "COMP-02", "DOCU-01"]);
        assert_eq!(layout.questions[3].existing_answer, "No");
    }

    #[test]
    fn a_column_named_only_in_a_later_repeat_of_the_header_is_found() {
        // HECVAT 4.1.4's Product sheet: the first header row lacks "Additional Information",
        // the repeat two rows below has it.
        let g = grid(
            "Product",
            &[
                &[
                    "Required Questions",
                    "",
                    "Answer",
                    "Guidance",
                    "Analyst Notes",
                ],
                &[
                    "REQU-01",
                    "Are you offering a cloud-based product?",
                    "",
                    "",
                    "",
                ],
                &[
                    "Application Security",
                    "",
                    "Answer",
                    "Additional Information",
                    "Guidance",
                    "Analyst Notes",
                ],
                &[
                    "APPL-01",
                    "Do you have a secure development lifecycle?",
                    "",
                    "",
                    "",
                ],
                &["APPL-02", "Do you perform code reviews?", "", "", ""],
            ],
        );
        let layout = detect(&g, &SheetFacts::default(), &Overrides::default(), &no_lists).unwrap();
        assert_eq!(layout.header_row, Some(0));
        assert_eq!(layout.answer.index, 2);
        assert_eq!(layout.comment.as_ref().map(|c| c.index), Some(3));
        assert!(
            layout
                .questions
                .iter()
                .all(|q| q.comment_cell.as_ref().map(|c| c.col) == Some(3)),
            "{:?}",
            layout.questions
        );
    }

    /// PCI SAQ for service providers: under each requirement, an "Applicability Notes" row
    /// beside a "Describe results … Requirement Responses" row. Neither is the header: the
    /// header is the first row, and its options the second.
    #[test]
    fn applicability_notes_under_a_requirement_are_no_header() {
        let g = grid(
            "Table 19",
            &[
                &["PCI DSS Requirement", "", "Response"],
                &["", "", "In Place", "Not Applicable", "Not in Place"],
                &[
                    "1.2.2",
                    "All changes to network connections are approved.",
                    "",
                    "",
                    "",
                ],
                &[
                    "",
                    "Applicability Notes",
                    "Describe results as instructed in Requirement Responses",
                ],
                &[
                    "1.2.3",
                    "An accurate network diagram is maintained.",
                    "",
                    "",
                    "",
                ],
                &[
                    "",
                    "Applicability Notes",
                    "Describe results as instructed in Requirement Responses",
                ],
                &[
                    "1.2.4",
                    "An accurate data-flow diagram is maintained.",
                    "",
                    "",
                    "",
                ],
            ],
        );
        assert_eq!(header_role("Applicability Notes"), None);
        let layout = detect(&g, &SheetFacts::default(), &Overrides::default(), &no_lists).unwrap();
        assert_eq!(layout.header_row, Some(0));
        let q = &layout.questions[0];
        assert_eq!(
            q.choices.as_ref().unwrap().labels(),
            "In Place, Not Applicable, Not in Place"
        );
    }

    #[test]
    fn hecvat4_start_here_has_no_answer_header() {
        let g = grid(
            "START HERE",
            &[
                &[
                    "HECVAT Solution Provider Response",
                    "",
                    "",
                    "",
                    "",
                    "Version 4.1.4",
                ],
                &["Instructions for Solution Providers"],
                &["1. Complete the Start Here tab."],
                &[" General Information"],
                &["GNRL-01", "Solution Provider Name", ""],
                &["GNRL-02", "Solution Name", ""],
                &["GNRL-03", "Solution Description", ""],
                &["#REF!"],
            ],
        );
        let mut facts = SheetFacts::default();
        facts.hidden_rows.insert(7);
        let layout = detect(&g, &facts, &Overrides::default(), &no_lists).unwrap();
        assert_eq!(layout.header_row, None);
        assert_eq!(
            (
                layout.id.as_ref().unwrap().index,
                layout.question.index,
                layout.answer.index
            ),
            (0, 1, 2)
        );
        assert_eq!(layout.questions.len(), 3);
    }

    #[test]
    fn plain_customer_sheet_without_ids() {
        let g = grid(
            "Security",
            &[
                &["Acme Corp vendor security review"],
                &[""],
                &["Category", "Question", "Response", "Comments"],
                &["Access", "Do you enforce MFA for administrators?", "", ""],
                &["Access", "Describe how access is reviewed", "", ""],
                &["Encryption", "", "", ""],
                &["Encryption", "Question", "Response", "Comments"],
                &["Encryption", "Is data encrypted at rest?", "", ""],
            ],
        );
        let layout = detect(&g, &SheetFacts::default(), &Overrides::default(), &no_lists).unwrap();
        assert_eq!(layout.header_row, Some(2));
        assert_eq!((layout.question.index, layout.answer.index), (1, 2));
        let texts: Vec<&str> = layout.questions.iter().map(|q| q.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Do you enforce MFA for administrators?",
                "Describe how access is reviewed",
                "Is data encrypted at rest?"
            ]
        );
    }

    #[test]
    fn overrides_win_and_missing_answer_column_is_explained() {
        let g = grid(
            "Sheet1",
            &[
                &["Topic", "Ask"],
                &["Crypto", "Is data encrypted at rest?"],
                &["Crypto", "Is TLS 1.2 required?"],
            ],
        );
        let err = detect(&g, &SheetFacts::default(), &Overrides::default(), &no_lists).unwrap_err();
        assert!(
            err.contains("no answer column") && err.contains("--answer-col"),
            "{err}"
        );
        let ov = Overrides {
            answer_col: Some(2),
            ..Overrides::default()
        };
        let layout = detect(&g, &SheetFacts::default(), &ov, &no_lists).unwrap();
        assert_eq!(layout.questions.len(), 2);
        assert_eq!(layout.questions[1].answer_cell.to_string(), "Sheet1!C3");
    }

    #[test]
    fn ids_and_sheet_names() {
        for id in [
            "A&A-01.1", "GNRL-01", "HLAP-03", "IAM-02", "Q12", "1.2.3", "DATE-01", "4",
        ] {
            assert!(looks_like_id(id), "{id}");
        }
        for not in [
            "#REF!",
            "Company Overview",
            "GNRL-01 through GNRL-08; populate",
            "End of Standard",
            "",
        ] {
            assert!(!looks_like_id(not), "{not}");
        }
        assert!(skip_by_name("Analyst Reference").is_some());
        assert!(skip_by_name("Institution Evaluation").is_some());
        assert!(skip_by_name("HECVAT - Full | Vendor Response").is_none());
        assert!(skip_by_name("CAIQv4.0.3").is_none());
    }
}
