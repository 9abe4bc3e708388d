//! The review workbook (`NAME.review.xlsx`): one row per question with what was drafted, from
//! which entry, how confident we are and the runner-ups, plus a Status dropdown the reviewer
//! sets (Draft, Approved, Needs answer, Rejected, or Runner-up N to approve a runner-up
//! instead of the draft; Conflict, Kept and Formula mark rows `fill` did not write).
//! A hidden `trustfill` sheet records the input file, its hash and the knowledge-base
//! fingerprint, so `finalize` can check it is applying the review to the same file.
//!
//! Also writes the values-only `.xlsx` copy used as output for .xls, .ods and .csv inputs.

use std::io::{Seek, Write};

use calamine::{Data, Reader, open_workbook_auto};
use rust_xlsxwriter::{
    Color, ConditionalFormatCell, ConditionalFormatCellRule, ConditionalFormatFormula,
    DataValidation, Format, FormatAlign, Workbook,
};

use crate::cellref::CellRef;
use crate::container::{clip, xlsx_error};
use crate::error::{Error, Result};
use crate::fill::{FillPlan, FillReport, RowStatus};
use crate::matcher::{DEFAULT_MIN_CONFIDENCE, HIGH_CONFIDENCE};
use crate::questionnaire::{Choice, Choices};
use crate::workbook::cell_text;

pub const REVIEW_SHEET: &str = "Review";
pub const META_SHEET: &str = "trustfill";
pub const STATUSES: [&str; 7] = [
    "Draft",
    "Approved",
    "Needs answer",
    "Rejected",
    "Conflict",
    "Kept",
    "Formula",
];
/// What the Status dropdown offers: what a reviewer decides. `Runner-up N` approves that
/// runner-up's answer and comment instead of the draft (finalize writes them, `kb learn`
/// credits that entry). Conflict, Kept and Formula are set by `fill` only.
pub const REVIEWER_STATUSES: [&str; 7] = [
    "Draft",
    "Approved",
    "Needs answer",
    "Rejected",
    "Runner-up 1",
    "Runner-up 2",
    "Runner-up 3",
];
/// How many runner-ups the review shows.
const RUNNER_UPS: u16 = 3;
/// Characters of a runner-up's comment shown in its visible cell (the whole comment is in the
/// hidden columns and is what `Runner-up N` approves).
const RUNNER_UP_COMMENT_CHARS: usize = 400;

/// Review columns, in order. Changing them changes what `finalize` reads: keep [`Col`] in step.
const HEADERS: [(&str, f64); 16] = [
    ("Sheet", 18.0),
    ("Cell", 8.0),
    ("Question ID", 11.0),
    ("Question", 60.0),
    ("Answer", 14.0),
    ("Comment", 60.0),
    ("Confidence", 11.0),
    ("Status", 13.0),
    ("Source", 28.0),
    ("Source file", 26.0),
    ("Audience", 9.0),
    ("Note", 40.0),
    ("Runner-up 1", 30.0),
    ("Runner-up 2", 30.0),
    ("Runner-up 3", 30.0),
    ("Comment cell", 10.0),
];

/// Column indexes of [`HEADERS`].
pub struct Col;
impl Col {
    pub const SHEET: u16 = 0;
    pub const CELL: u16 = 1;
    pub const ANSWER: u16 = 4;
    pub const COMMENT: u16 = 5;
    pub const STATUS: u16 = 7;
    pub const SOURCE: u16 = 8;
    pub const COMMENT_CELL: u16 = 15;
    /// Runner-up `k` (0-based) as approved: hidden id, answer and comment columns.
    pub const fn runner_up(k: u16) -> [u16; 3] {
        let first = Col::COMMENT_CELL + 1 + 3 * k;
        [first, first + 1, first + 2]
    }
    /// Hidden: a question answered by a mark in one of several columns, as JSON
    /// (`{"mark": "X", "options": [["Yes", "F5"], …]}`), so that `finalize` puts the mark in
    /// the column of the answer the reviewer left.
    pub const CHOICES: u16 = Col::runner_up(RUNNER_UPS)[0];
}

pub fn write_review<W: Write + Seek + Send>(
    plan: &FillPlan,
    report: &FillReport,
    out: W,
) -> Result<()> {
    let err = xlsx_error(&plan.review);
    let mut wb = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let top = Format::new().set_align(FormatAlign::Top);
    let ws = wb.add_worksheet();
    ws.set_name(REVIEW_SHEET).map_err(&err)?;
    // Whenever the answers may hold more than public content, the Answer column's header says
    // for whom they were chosen (and the sheet's printed header repeats it).
    let notice = crate::fill::audience_notice(plan.audience, plan.audience_from);
    for (col, (title, width)) in HEADERS.iter().enumerate() {
        let title = match (&notice, col as u16) {
            (Some(_), Col::ANSWER) => format!(
                "{title} (for {} readers, set by {})",
                plan.audience.as_str().to_uppercase(),
                plan.audience_from.as_str()
            ),
            _ => title.to_string(),
        };
        ws.write_string_with_format(0, col as u16, &title, &header)
            .map_err(&err)?;
        ws.set_column_width(col as u16, *width).map_err(&err)?;
    }
    if let Some(notice) = &notice {
        ws.set_header(format!("&L{}", notice.replace('&', "&&")));
    }
    ws.set_column_hidden(Col::COMMENT_CELL).map_err(&err)?;
    ws.write_string_with_format(0, Col::CHOICES, "Choices", &header)
        .map_err(&err)?;
    ws.set_column_hidden(Col::CHOICES).map_err(&err)?;
    for k in 0..RUNNER_UPS {
        for (col, name) in Col::runner_up(k)
            .into_iter()
            .zip(["id", "answer", "comment"])
        {
            ws.write_string_with_format(0, col, format!("Runner-up {} {name}", k + 1), &header)
                .map_err(&err)?;
            ws.set_column_hidden(col).map_err(&err)?;
        }
    }
    for (i, row) in report.rows.iter().enumerate() {
        let r = i as u32 + 1;
        let q = &row.question;
        let drafted = row.drafted();
        let cells: [(u16, String, &Format); 13] = [
            (Col::SHEET, q.answer_cell.sheet.clone(), &top),
            (Col::CELL, cell_a1(&q.answer_cell), &top),
            (2, q.id.clone().unwrap_or_default(), &top),
            (3, q.text.clone(), &wrap),
            (
                Col::ANSWER,
                row.answer.clone().unwrap_or_else(|| {
                    if row.status == RowStatus::Draft {
                        String::new()
                    } else {
                        q.existing_answer.clone()
                    }
                }),
                &wrap,
            ),
            (Col::COMMENT, row.comment.clone().unwrap_or_default(), &wrap),
            (Col::STATUS, row.status.label().to_string(), &top),
            (
                Col::SOURCE,
                drafted.map(|c| c.entry.id.clone()).unwrap_or_default(),
                &top,
            ),
            (
                9,
                drafted
                    .map(|c| format!("{}:{}", c.entry.source, c.entry.line))
                    .unwrap_or_default(),
                &top,
            ),
            (
                10,
                drafted
                    .map(|c| c.entry.audience.to_string())
                    .unwrap_or_default(),
                &top,
            ),
            (11, row.note.clone(), &wrap),
            (
                Col::COMMENT_CELL,
                q.comment_cell.as_ref().map(cell_a1).unwrap_or_default(),
                &top,
            ),
            (
                Col::CHOICES,
                q.choices.as_ref().map(choices_json).unwrap_or_default(),
                &top,
            ),
        ];
        for (col, text, format) in cells {
            if !text.is_empty() {
                ws.write_string_with_format(r, col, clip(&text), format)
                    .map_err(&err)?;
            }
        }
        if let Some(c) = drafted {
            ws.write_number_with_format(r, 6, f64::from(c.confidence.percent()), &top)
                .map_err(&err)?;
        }
        for (k, c) in row.runner_ups().take(RUNNER_UPS as usize).enumerate() {
            let k = k as u16;
            // Visible: what the reviewer needs to pick it, copyable. Hidden: what
            // `Runner-up N` approves.
            let answer = c.entry.answer.as_deref().unwrap_or("(policy excerpt)");
            let mut text = format!("{} · {}\n{answer}", c.entry.id, c.confidence);
            if !c.entry.comment.is_empty() {
                text.push('\n');
                text.push_str(&crate::text::truncate(
                    &c.entry.comment,
                    RUNNER_UP_COMMENT_CHARS,
                ));
            }
            ws.write_string_with_format(r, 12 + k, clip(&text), &wrap)
                .map_err(&err)?;
            let hidden = [
                c.entry.id.as_str(),
                c.entry.answer.as_deref().unwrap_or_default(),
                c.entry.comment.as_str(),
            ];
            for (col, text) in Col::runner_up(k).into_iter().zip(hidden) {
                if !text.is_empty() {
                    ws.write_string_with_format(r, col, clip(text), &top)
                        .map_err(&err)?;
                }
            }
        }
    }
    let last = report.rows.len().max(1) as u32;
    let statuses = DataValidation::new()
        .allow_list_strings(&REVIEWER_STATUSES)
        .map_err(&err)?;
    // The dropdown goes on the rows a reviewer decides; Kept and Formula rows (trustfill
    // wrote nothing there) get none. Consecutive rows share one validation range.
    let decided =
        |row: &crate::fill::FillRow| !matches!(row.status, RowStatus::Kept | RowStatus::Formula);
    let mut i = 0;
    while i < report.rows.len() {
        if !decided(&report.rows[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < report.rows.len() && decided(&report.rows[i]) {
            i += 1;
        }
        ws.add_data_validation(
            start as u32 + 1,
            Col::STATUS,
            i as u32,
            Col::STATUS,
            &statuses,
        )
        .map_err(&err)?;
    }
    let band = |rule, rgb| {
        ConditionalFormatCell::new()
            .set_rule(rule)
            .set_format(Format::new().set_background_color(Color::RGB(rgb)))
    };
    ws.add_conditional_format(
        1,
        6,
        last,
        6,
        &band(
            ConditionalFormatCellRule::GreaterThanOrEqualTo(HIGH_CONFIDENCE),
            0xC6EFCE,
        ),
    )
    .map_err(&err)?;
    ws.add_conditional_format(
        1,
        6,
        last,
        6,
        &band(
            ConditionalFormatCellRule::Between(DEFAULT_MIN_CONFIDENCE, HIGH_CONFIDENCE - 1),
            0xFFEB9C,
        ),
    )
    .map_err(&err)?;
    // Below the default threshold: red, but only where there is a number (a "Needs answer"
    // row has no confidence, and an empty cell counts as 0 for a cell-value rule).
    ws.add_conditional_format(
        1,
        6,
        last,
        6,
        &ConditionalFormatFormula::new()
            .set_rule(format!("=AND(ISNUMBER(G2),G2<{DEFAULT_MIN_CONFIDENCE})").as_str())
            .set_format(Format::new().set_background_color(Color::RGB(0xFFC7CE))),
    )
    .map_err(&err)?;
    ws.autofilter(0, 0, last, HEADERS.len() as u16 - 2)
        .map_err(&err)?;
    ws.set_freeze_panes(1, 0).map_err(&err)?;

    let meta = wb.add_worksheet();
    meta.set_name(META_SHEET).map_err(&err)?;
    meta.set_hidden(true);
    let input = std::fs::canonicalize(&plan.input).unwrap_or_else(|_| plan.input.clone());
    let bytes = std::fs::read(&plan.input).map_err(|e| Error::io("cannot read", &plan.input, e))?;
    let pairs = [
        ("format", "trustfill review 1".to_string()),
        ("input", input.display().to_string()),
        ("input_hash", crate::hash::hash_bytes(&bytes)),
        ("kb_fingerprint", report.kb_fingerprint.clone()),
        ("audience", plan.audience.to_string()),
        ("audience_from", plan.audience_from.as_str().to_string()),
        ("min_confidence", plan.min_confidence.to_string()),
        ("created", plan.today.to_string()),
        ("trustfill", env!("CARGO_PKG_VERSION").to_string()),
        // The header cells of the columns added to a bare question list, for `finalize`.
        (
            "added_headers",
            added_headers_json(&report.questionnaire.sheets),
        ),
    ];
    for (i, (k, v)) in pairs.iter().enumerate() {
        meta.write_string(i as u32, 0, *k).map_err(&err)?;
        meta.write_string(i as u32, 1, v).map_err(&err)?;
    }
    wb.save_to_writer(out).map_err(&err)
}

/// `Runner-up 2` (or `use runner-up 2`, any case) → `Some(1)`.
fn runner_up_status(status: &str) -> Option<u16> {
    let lower = status.trim().to_ascii_lowercase();
    let n: u16 = lower
        .strip_prefix("use ")
        .unwrap_or(&lower)
        .strip_prefix("runner-up")?
        .trim()
        .parse()
        .ok()?;
    (1..=RUNNER_UPS).contains(&n).then(|| n - 1)
}

/// The `added_headers` meta value: `[[sheet, "A1", "Answer"], …]`.
fn added_headers_json(sheets: &[crate::questionnaire::SheetLayout]) -> String {
    let cells: Vec<(&str, String, &str)> = sheets
        .iter()
        .flat_map(|s| &s.added)
        .map(|(cell, text)| (cell.sheet.as_str(), cell_a1(cell), text.as_str()))
        .collect();
    serde_json::json!(cells).to_string()
}

/// The `added_headers` meta value read back (none when absent or not what it wrote).
pub fn added_headers(meta: &std::collections::HashMap<String, String>) -> Vec<(CellRef, String)> {
    let Some(v) = meta
        .get("added_headers")
        .and_then(|t| serde_json::from_str::<Vec<(String, String, String)>>(t).ok())
    else {
        return Vec::new();
    };
    v.into_iter()
        .filter_map(|(sheet, a1, text)| {
            let (r, c) = crate::xlsx::parse_a1(&a1)?;
            Some((CellRef::new(sheet, r, c), text))
        })
        .collect()
}

/// The hidden [`Col::CHOICES`] text of a question's options.
fn choices_json(choices: &Choices) -> String {
    let options: Vec<(&str, String)> = choices
        .options
        .iter()
        .map(|o| (o.label.as_str(), cell_a1(&o.cell)))
        .collect();
    serde_json::json!({"mark": choices.mark, "options": options}).to_string()
}

/// [`choices_json`] read back on `sheet`; None when the text is not what it wrote.
fn choices_from(text: &str, sheet: &str) -> Option<Choices> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    let mark = v.get("mark")?.as_str()?.to_string();
    let options = v
        .get("options")?
        .as_array()?
        .iter()
        .map(|o| {
            let label = o.get(0)?.as_str()?.to_string();
            let (r, c) = crate::xlsx::parse_a1(o.get(1)?.as_str()?)?;
            Some(Choice {
                label,
                cell: CellRef::new(sheet.to_string(), r, c),
                marked: false,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    (!options.is_empty()).then_some(Choices { options, mark })
}

fn cell_a1(cell: &CellRef) -> String {
    format!("{}{}", crate::cellref::col_letters(cell.col), cell.row + 1)
}

/// A reviewed row, as `finalize` reads it back.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewedRow {
    pub review_row: u32,
    pub question_id: String,
    pub question: String,
    pub answer_cell: CellRef,
    pub comment_cell: Option<CellRef>,
    pub answer: String,
    pub comment: String,
    pub status: String,
    pub source: String,
    /// The question is answered by a mark in one of these columns.
    pub choices: Option<Choices>,
}

/// A review workbook read back: metadata and rows.
#[derive(Debug, Clone)]
pub struct Review {
    pub meta: std::collections::HashMap<String, String>,
    pub rows: Vec<ReviewedRow>,
}

pub fn read_review(path: &std::path::Path) -> Result<Review> {
    let fail = |message: String| Error::Import {
        path: path.to_path_buf(),
        message,
        hint: Some("pass the NAME.review.xlsx that `trustfill fill` wrote".into()),
    };
    let mut wb = open_workbook_auto(path).map_err(|e| Error::Spreadsheet {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let meta_range = wb.worksheet_range(META_SHEET).map_err(|_| {
        fail(format!(
            "has no {META_SHEET:?} sheet: not a trustfill review workbook"
        ))
    })?;
    let meta = meta_range
        .rows()
        .filter_map(|r| Some((cell_text(r.first()?), cell_text(r.get(1)?))))
        .collect::<std::collections::HashMap<_, _>>();
    let range = wb
        .worksheet_range(REVIEW_SHEET)
        .map_err(|_| fail(format!("has no {REVIEW_SHEET:?} sheet")))?;
    let get = |row: &[Data], col: u16| {
        row.get(col as usize)
            .map(cell_text)
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate().skip(1) {
        let sheet = get(row, Col::SHEET);
        let cell = get(row, Col::CELL);
        if sheet.is_empty() && cell.is_empty() {
            continue;
        }
        let at =
            |a1: &str| crate::xlsx::parse_a1(a1).map(|(r, c)| CellRef::new(sheet.clone(), r, c));
        let Some(answer_cell) = at(&cell) else {
            return Err(fail(format!(
                "'{REVIEW_SHEET}'!B{}: {cell:?} is not a cell reference",
                i + 1
            )));
        };
        let mut reviewed = ReviewedRow {
            review_row: i as u32 + 1,
            question_id: get(row, 2),
            question: get(row, 3),
            comment_cell: at(&get(row, Col::COMMENT_CELL)),
            answer_cell,
            answer: get(row, Col::ANSWER),
            comment: get(row, Col::COMMENT),
            status: get(row, Col::STATUS),
            source: get(row, Col::SOURCE),
            choices: None,
        };
        let choices = get(row, Col::CHOICES);
        if !choices.is_empty() {
            reviewed.choices = Some(choices_from(&choices, &sheet).ok_or_else(|| {
                fail(format!(
                    "'{REVIEW_SHEET}'!{}{}: the hidden choices column is damaged",
                    crate::cellref::col_letters(u32::from(Col::CHOICES)),
                    i + 1
                ))
            })?);
        }
        if let Some(k) = runner_up_status(&reviewed.status) {
            // `Runner-up N`: the reviewer approved that runner-up instead of the draft.
            let [id, answer, comment] = Col::runner_up(k).map(|c| get(row, c));
            if id.is_empty() || answer.is_empty() {
                return Err(Error::Import {
                    path: path.to_path_buf(),
                    message: format!(
                        "'{REVIEW_SHEET}'!H{}: Status {:?}, but {}",
                        i + 1,
                        reviewed.status,
                        if id.is_empty() {
                            format!("the row has no runner-up {}", k + 1)
                        } else {
                            format!("runner-up {} ({id}) is a policy excerpt, not an answer", k + 1)
                        }
                    ),
                    hint: Some("write the answer in the Answer column and set Status to Approved, or pick another runner-up".into()),
                });
            }
            reviewed.status = "Approved".into();
            reviewed.answer = answer;
            reviewed.comment = comment;
            reviewed.source = id;
        }
        rows.push(reviewed);
    }
    Ok(Review { meta, rows })
}
