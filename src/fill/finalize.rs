//! `finalize`: the clean file to send. Reads a review workbook, checks that the questionnaire it
//! was made from is unchanged, and writes a copy of that questionnaire with the rows marked
//! Approved (their Answer and Comment as the reviewer left them), without highlights or review
//! sheet. Draft, Needs answer and Rejected rows stay blank; formula cells are never written.
//! An .xlsx/.xlsm is patched cell by cell; a CSV is written again as CSV; an .xls or .ods,
//! which trustfill cannot write, becomes an .xlsx of its values with the answers.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::fill::review::{ReviewedRow, read_review};
use crate::workbook::{self, Format};
use crate::xlsx::Package;
use crate::xlsx::patch::{CellWrite, SheetPatch, patch_workbook};
use crate::xlsx::sheet::SheetFacts;

#[derive(Debug, Clone)]
pub struct FinalizePlan {
    pub review: PathBuf,
    /// The questionnaire; default: the one recorded in the review workbook.
    pub input: Option<PathBuf>,
    /// Default: `NAME.final.xlsx` beside the questionnaire.
    pub output: Option<PathBuf>,
    pub force: bool,
}

#[derive(Debug, Clone, Default)]
pub struct FinalizeReport {
    pub input: PathBuf,
    pub output: PathBuf,
    pub approved: usize,
    pub unreviewed: usize,
    pub rejected: usize,
    pub needs_answer: usize,
    /// Approved rows whose cell is a formula: not written.
    pub skipped_formula: Vec<String>,
    /// What the final copy could not keep of the questionnaire, or how it differs in form
    /// (.xls/.ods written as .xlsx; a CSV's encoding).
    pub note: Option<String>,
}

pub fn finalize(plan: &FinalizePlan) -> Result<FinalizeReport> {
    let review = read_review(&plan.review)?;
    let recorded = review.meta.get("input").map(PathBuf::from);
    let input = match (&plan.input, recorded) {
        (Some(p), _) => p.clone(),
        (None, Some(p)) => p,
        (None, None) => {
            return Err(Error::Import {
                path: plan.review.clone(),
                message: "does not record which questionnaire it reviews".into(),
                hint: Some("pass the questionnaire with --input FILE".into()),
            });
        }
    };
    if !input.is_file() {
        return Err(Error::Import {
            path: input.clone(),
            message: "the questionnaire this review was made from is not there".into(),
            hint: Some("pass its new location with --input FILE".into()),
        });
    }
    let format = workbook::format_of(&input)?;
    let bytes = std::fs::read(&input).map_err(|e| Error::io("cannot read", &input, e))?;
    if let Some(expected) = review.meta.get("input_hash")
        && *expected != crate::hash::hash_bytes(&bytes)
        && !plan.force
    {
        return Err(Error::Import {
            path: input.clone(),
            message: "has changed since `fill` drafted the review; the reviewed cells may no longer be the right ones".into(),
            hint: Some("run `trustfill fill` again, or pass --force to write the reviewed answers anyway".into()),
        });
    }
    let output = plan.output.clone().unwrap_or_else(|| {
        let stem = input
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        // .xls and .ods cannot be written: their final copy is an .xlsx of their values.
        let ext = match format {
            Format::Xls | Format::Ods => "xlsx".to_string(),
            Format::Xlsx | Format::Csv | Format::Docx => input
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("xlsx")
                .to_ascii_lowercase(),
        };
        input.with_file_name(format!("{stem}.final.{ext}"))
    });
    crate::fill::check_output(&input, &output, plan.force)?;
    let mut report = FinalizeReport {
        input: input.clone(),
        output: output.clone(),
        ..FinalizeReport::default()
    };
    let approved = approved_rows(&review.rows, &mut report);
    match format {
        Format::Xlsx => finalize_xlsx(plan, &input, &output, &approved, &mut report)?,
        Format::Docx => {
            let writes: Vec<(usize, CellWrite)> = approved
                .iter()
                .flat_map(|r| writes(r))
                .filter_map(|(cell, text)| {
                    Some((
                        crate::docx::table_index(&cell.sheet)?,
                        CellWrite {
                            row: cell.row,
                            col: cell.col,
                            text,
                            highlight: false,
                        },
                    ))
                })
                .collect();
            let mut tmp = crate::atomic::temp_beside(&output)?;
            // The reviewer approved these answers: they replace whatever the cell held.
            crate::docx::patch::patch_document(
                &input,
                tmp.as_file_mut(),
                &writes,
                true,
                &crate::limits::Limits::default(),
            )?;
            crate::atomic::publish(tmp, &output, true)?;
            report.approved = approved.len();
        }
        Format::Csv => {
            let grid = workbook::read(&input, &crate::limits::Limits::default())?
                .into_iter()
                .next()
                .ok_or_else(|| Error::Spreadsheet {
                    path: input.clone(),
                    message: "has no rows".into(),
                })?;
            let mut tmp = crate::atomic::temp_beside(&output)?;
            let writes: Vec<_> = approved.iter().flat_map(|r| writes(r)).collect();
            report.approved = approved.len();
            report.note = write_csv(&input, grid, &writes, tmp.as_file_mut())?;
            crate::atomic::publish(tmp, &output, true)?;
        }
        Format::Xls | Format::Ods => {
            let writes: Vec<_> = approved.iter().flat_map(|r| writes(r)).collect();
            let cells: Vec<_> = writes.iter().map(|(c, t)| (c, t.as_str())).collect();
            let mut tmp = crate::atomic::temp_beside(&output)?;
            crate::fill::review::write_values_with(&input, &cells, false, tmp.as_file_mut())?;
            crate::atomic::publish(tmp, &output, true)?;
            report.approved = approved.len();
            report.note = Some(format!(
                "{} cannot be written as it is: the final copy is an .xlsx with its cell values and the approved answers (formatting, formulas, dropdowns and merged cells are not kept)",
                input.display()
            ));
        }
    }
    Ok(report)
}

/// The Approved rows, counting the others into `report`.
fn approved_rows<'r>(rows: &'r [ReviewedRow], report: &mut FinalizeReport) -> Vec<&'r ReviewedRow> {
    let mut approved = Vec::new();
    for row in rows {
        match row.status.to_ascii_lowercase().as_str() {
            "approved" => approved.push(row),
            "rejected" => report.rejected += 1,
            "needs answer" => report.needs_answer += 1,
            "draft" => report.unreviewed += 1,
            _ => {}
        }
    }
    approved
}

/// Writes the approved answers into a copy of an .xlsx/.xlsm questionnaire: only their cells
/// change, and never a formula cell.
fn finalize_xlsx(
    plan: &FinalizePlan,
    input: &std::path::Path,
    output: &std::path::Path,
    approved: &[&ReviewedRow],
    report: &mut FinalizeReport,
) -> Result<()> {
    let package = Package::open(input)?;
    let mut facts: HashMap<String, SheetFacts> = HashMap::new();
    let mut patches: Vec<SheetPatch> = Vec::new();
    for row in approved {
        let Some(info) = package.sheet(&row.answer_cell.sheet) else {
            return Err(Error::Import {
                path: plan.review.clone(),
                message: format!(
                    "row {}: the questionnaire has no sheet {:?}",
                    row.review_row, row.answer_cell.sheet
                ),
                hint: None,
            });
        };
        if !facts.contains_key(&info.part) {
            facts.insert(
                info.part.clone(),
                SheetFacts::parse(&package.read(&info.part)?),
            );
        }
        let sheet_facts = &facts[&info.part];
        report.approved += 1;
        for (cell, text) in writes(row) {
            if sheet_facts.formula_cells.contains(&(cell.row, cell.col)) {
                report.skipped_formula.push(cell.to_string());
                continue;
            }
            let write = CellWrite {
                row: cell.row,
                col: cell.col,
                text,
                highlight: false,
            };
            match patches.iter_mut().find(|p| p.part == info.part) {
                Some(p) => p.cells.push(write),
                None => patches.push(SheetPatch {
                    part: info.part.clone(),
                    cells: vec![write],
                }),
            }
        }
    }
    let mut tmp = crate::atomic::temp_beside(output)?;
    patch_workbook(input, tmp.as_file_mut(), &patches)?;
    crate::atomic::publish(tmp, output, true)?;
    Ok(())
}

/// A CSV questionnaire with the approved answers written in. The questionnaire's own cells are
/// written back as they were read; an answer that a spreadsheet program would take for a
/// formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`,
/// so that it opens as text. The output is UTF-8, with a byte-order mark when the input was not
/// plain UTF-8 (Latin-1 or UTF-16, which spreadsheet programs then open the same way); the
/// returned note says so.
fn write_csv(
    input: &std::path::Path,
    mut grid: workbook::Sheet,
    writes: &[(crate::cellref::CellRef, String)],
    out: &mut std::fs::File,
) -> Result<Option<String>> {
    use std::io::Write;
    for (cell, text) in writes {
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

/// The cells an approved row writes: its answer and, when it has a comment cell, its comment.
fn writes(row: &ReviewedRow) -> Vec<(crate::cellref::CellRef, String)> {
    let mut out = Vec::new();
    if !row.answer.is_empty() {
        out.push((row.answer_cell.clone(), row.answer.clone()));
    }
    if let Some(cell) = &row.comment_cell
        && !row.comment.is_empty()
    {
        out.push((cell.clone(), row.comment.clone()));
    }
    out
}
