//! The review workbook (`NAME.review.xlsx`): one row per question with what was drafted, from
//! which entry, how confident we are and the runner-ups, plus a Status dropdown the reviewer
//! sets (Draft, Approved, Needs answer, Rejected; Kept and Formula mark rows we did not touch).
//! A hidden `trustfill` sheet records the input file, its hash and the knowledge-base
//! fingerprint, so `finalize` can check it is applying the review to the same file.
//!
//! Also writes the values-only `.xlsx` copy used as output for .xls, .ods and .csv inputs.

use std::io::{Seek, Write};

use calamine::{Data, Reader, open_workbook_auto};
use rust_xlsxwriter::{
    Color, ConditionalFormatCell, ConditionalFormatCellRule, DataValidation, Format, FormatAlign,
    Workbook, XlsxError,
};

use crate::cellref::CellRef;
use crate::error::{Error, Result};
use crate::fill::{FillPlan, FillReport, RowStatus};
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
/// Excel's limit on characters in a cell.
const MAX_CELL_CHARS: usize = 32_767;

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
}

fn xlsx_error(path: &std::path::Path) -> impl Fn(XlsxError) -> Error + '_ {
    move |e| Error::Spreadsheet {
        path: path.to_path_buf(),
        message: format!("cannot write the workbook: {e}"),
    }
}

fn clip(text: &str) -> String {
    if text.chars().count() <= MAX_CELL_CHARS {
        text.to_string()
    } else {
        text.chars().take(MAX_CELL_CHARS - 1).collect::<String>() + "…"
    }
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
    for (col, (title, width)) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(0, col as u16, *title, &header)
            .map_err(&err)?;
        ws.set_column_width(col as u16, *width).map_err(&err)?;
    }
    ws.set_column_hidden(Col::COMMENT_CELL).map_err(&err)?;
    for (i, row) in report.rows.iter().enumerate() {
        let r = i as u32 + 1;
        let q = &row.question;
        let drafted = row.drafted();
        let cells: [(u16, String, &Format); 12] = [
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
        for (k, c) in row.runner_ups().take(3).enumerate() {
            let answer = c.entry.answer.as_deref().unwrap_or("policy excerpt");
            let text = format!("{} · {} · {}", c.entry.id, answer, c.confidence);
            ws.write_string_with_format(r, 12 + k as u16, clip(&text), &top)
                .map_err(&err)?;
        }
    }
    let last = report.rows.len().max(1) as u32;
    let statuses = DataValidation::new()
        .allow_list_strings(&STATUSES)
        .map_err(&err)?;
    ws.add_data_validation(1, Col::STATUS, last, Col::STATUS, &statuses)
        .map_err(&err)?;
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
            ConditionalFormatCellRule::GreaterThanOrEqualTo(80),
            0xC6EFCE,
        ),
    )
    .map_err(&err)?;
    ws.add_conditional_format(
        1,
        6,
        last,
        6,
        &band(ConditionalFormatCellRule::Between(50, 79), 0xFFEB9C),
    )
    .map_err(&err)?;
    ws.add_conditional_format(
        1,
        6,
        last,
        6,
        &band(ConditionalFormatCellRule::LessThan(50), 0xFFC7CE),
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
        ("min_confidence", plan.min_confidence.to_string()),
        ("created", plan.today.to_string()),
        ("trustfill", env!("CARGO_PKG_VERSION").to_string()),
    ];
    for (i, (k, v)) in pairs.iter().enumerate() {
        meta.write_string(i as u32, 0, *k).map_err(&err)?;
        meta.write_string(i as u32, 1, v).map_err(&err)?;
    }
    wb.save_to_writer(out).map_err(&err)
}

fn cell_a1(cell: &CellRef) -> String {
    format!("{}{}", crate::cellref::col_letters(cell.col), cell.row + 1)
}

/// For .xls, .ods and .csv inputs: a new .xlsx with every sheet's cell values and the answers.
pub fn write_values_copy<W: Write + Seek + Send>(
    report: &FillReport,
    highlight: bool,
    out: W,
) -> Result<()> {
    let path = &report.questionnaire.path;
    let err = xlsx_error(path);
    let sheets = crate::workbook::read(path, &crate::limits::Limits::default())?;
    let mut wb = Workbook::new();
    let marked = Format::new().set_background_color(Color::RGB(0xFFF2CC));
    let plain = Format::new();
    for grid in &sheets {
        let ws = wb.add_worksheet();
        ws.set_name(sanitize_sheet_name(&grid.name)).map_err(&err)?;
        for (r, row) in grid.rows.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                if !text.is_empty() {
                    let (r, c) = (grid.first_row + r as u32, grid.first_col + c as u32);
                    ws.write_string(r, c as u16, clip(text)).map_err(&err)?;
                }
            }
        }
        let format = if highlight { &marked } else { &plain };
        for row in report
            .rows
            .iter()
            .filter(|r| r.status == RowStatus::Draft && r.question.answer_cell.sheet == grid.name)
        {
            let cells = [
                (Some(&row.question.answer_cell), &row.answer),
                (row.question.comment_cell.as_ref(), &row.comment),
            ];
            for (cell, text) in cells {
                if let (Some(cell), Some(text)) = (cell, text) {
                    ws.write_string_with_format(cell.row, cell.col as u16, clip(text), format)
                        .map_err(&err)?;
                }
            }
        }
    }
    wb.save_to_writer(out).map_err(&err)
}

fn sanitize_sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect();
    if cleaned.trim().is_empty() {
        "Sheet1".into()
    } else {
        cleaned
    }
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
        rows.push(ReviewedRow {
            review_row: i as u32 + 1,
            question_id: get(row, 2),
            question: get(row, 3),
            comment_cell: at(&get(row, Col::COMMENT_CELL)),
            answer_cell,
            answer: get(row, Col::ANSWER),
            comment: get(row, Col::COMMENT),
            status: get(row, Col::STATUS),
            source: get(row, Col::SOURCE),
        });
    }
    Ok(Review { meta, rows })
}
