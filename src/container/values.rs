//! Copies of files that cannot be written as they are: a new .xlsx of their cell values (an
//! .xls or .ods, a CSV file's draft), and a CSV file written again with its answers.

use std::io::Write;
use std::path::Path;

use rust_xlsxwriter::{Color, Format, Workbook, XlsxError};

use super::Edit;
use crate::error::{Error, Result};
use crate::grid::Sheet;

/// Most characters Excel keeps in a cell.
pub const MAX_CELL_CHARS: usize = 32_767;

/// An error of rust_xlsxwriter as one naming the workbook at `path`.
pub fn xlsx_error(path: &Path) -> impl Fn(XlsxError) -> Error + '_ {
    move |e| Error::Spreadsheet {
        path: path.to_path_buf(),
        message: format!("cannot write the workbook: {e}"),
    }
}

/// `text` cut to what a cell holds, with an ellipsis when it was cut.
pub fn clip(text: &str) -> String {
    if text.chars().count() <= MAX_CELL_CHARS {
        text.to_string()
    } else {
        text.chars().take(MAX_CELL_CHARS - 1).collect::<String>() + "…"
    }
}

/// A sheet name Excel accepts: none of `[]:*?/\`, at most 31 characters, not blank.
pub fn sanitize_sheet_name(name: &str) -> String {
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

/// A new .xlsx of `path`'s `sheets` (their cell values), with `edits` written over them
/// (marked where an edit asks for it).
pub fn write_values<W: Write + std::io::Seek + Send>(
    path: &Path,
    sheets: &[&Sheet],
    edits: &[Edit],
    out: W,
) -> Result<()> {
    let err = xlsx_error(path);
    let mut wb = Workbook::new();
    let marked = Format::new().set_background_color(Color::RGB(0xFFF2CC));
    let plain = Format::new();
    for grid in sheets {
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
        for e in edits.iter().filter(|e| e.cell.sheet == grid.name) {
            let format = if e.highlight { &marked } else { &plain };
            ws.write_string_with_format(e.cell.row, e.cell.col as u16, clip(&e.text), format)
                .map_err(&err)?;
        }
    }
    wb.save_to_writer(out).map_err(&err)
}

/// A flat PDF's answers as a workbook to paste from: a header row, then one row per answered
/// question (page, question id, question, answer, comment), text wrapped in wide columns.
pub fn write_answers<W: Write + std::io::Seek + Send>(
    path: &Path,
    rows: &[[String; 5]],
    out: W,
) -> Result<()> {
    let err = xlsx_error(path);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Answers").map_err(&err)?;
    let bold = Format::new().set_bold();
    let wrap = Format::new()
        .set_text_wrap()
        .set_align(rust_xlsxwriter::FormatAlign::Top);
    for (c, (name, width)) in [
        ("Page", 6.0),
        ("Question ID", 14.0),
        ("Question", 60.0),
        ("Answer", 24.0),
        ("Comment", 60.0),
    ]
    .into_iter()
    .enumerate()
    {
        ws.write_string_with_format(0, c as u16, name, &bold)
            .map_err(&err)?;
        ws.set_column_width(c as u16, width).map_err(&err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                ws.write_string_with_format(r as u32 + 1, c as u16, clip(text), &wrap)
                    .map_err(&err)?;
            }
        }
    }
    ws.set_freeze_panes(1, 0).map_err(&err)?;
    wb.save_to_writer(out).map_err(&err)
}

/// A CSV questionnaire with the approved answers written in. The questionnaire's own cells are
/// written back as they were read; an answer that a spreadsheet program would take for a
/// formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`,
/// so that it opens as text. The output is UTF-8, with a byte-order mark when the input was not
/// plain UTF-8 (Latin-1 or UTF-16, which spreadsheet programs then open the same way); the
/// returned note says so.
pub fn write_csv(
    input: &Path,
    grid: Option<&super::Grid>,
    edits: &[Edit],
    out: &mut std::fs::File,
) -> Result<Option<String>> {
    let mut grid = grid
        .map(|g| g.sheet.clone())
        .ok_or_else(|| Error::Spreadsheet {
            path: input.to_path_buf(),
            message: "has no rows".into(),
        })?;
    for Edit { cell, text, .. } in edits {
        let (r, c) = (cell.row as usize, cell.col as usize);
        if grid.rows.len() <= r {
            grid.rows.resize(r + 1, Vec::new());
        }
        let row = &mut grid.rows[r];
        if row.len() <= c {
            row.resize(c + 1, String::new());
        }
        row[c] = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{text}")
        } else {
            text.clone()
        };
    }
    let bytes = std::fs::read(input).map_err(|e| Error::io("cannot read", input, e))?;
    let bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
    let plain_utf8 = !bom && std::str::from_utf8(&bytes).is_ok();
    let crlf = bytes.windows(2).any(|w| w == b"\r\n");
    let fail = |e: &dyn std::fmt::Display| Error::Spreadsheet {
        path: input.to_path_buf(),
        message: format!("cannot write the final copy: {e}"),
    };
    let mut buffer = Vec::new();
    if !plain_utf8 {
        buffer.extend_from_slice(&[0xEF, 0xBB, 0xBF]);
    }
    {
        let mut writer = csv::WriterBuilder::new()
            .flexible(true)
            .terminator(if crlf {
                csv::Terminator::CRLF
            } else {
                csv::Terminator::Any(b'\n')
            })
            .from_writer(&mut buffer);
        for row in &grid.rows {
            writer.write_record(row).map_err(|e| fail(&e))?;
        }
        writer.flush().map_err(|e| fail(&e))?;
    }
    out.write_all(&buffer).map_err(|e| fail(&e))?;
    Ok((!plain_utf8 && !bom).then(|| {
        "the final copy is written as UTF-8 with a byte-order mark (the questionnaire was Latin-1 or UTF-16)".to_string()
    }))
}
