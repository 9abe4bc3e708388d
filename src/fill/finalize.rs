//! `finalize`: the clean file to send. Reads a review workbook, checks that the questionnaire it
//! was made from is unchanged, and writes a copy of that questionnaire with the rows marked
//! Approved (their Answer and Comment as the reviewer left them), without highlights or review
//! sheet. Draft, Needs answer and Rejected rows stay blank; formula cells are never written.
//! An .xlsx/.xlsm is patched cell by cell; a CSV is written again as CSV; an .xls or .ods,
//! which trustfill cannot write, becomes an .xlsx of its values with the answers.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::container::{Container, Edit, Purpose};
use crate::error::{Error, Result};
use crate::fill::review::{ReviewedRow, read_review};
use crate::workbook;
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
    workbook::format_of(&input)?;
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
    let container = Container::open(&input, &crate::limits::Limits::default())?;
    let format = container.format;
    let output = plan.output.clone().unwrap_or_else(|| {
        let stem = input
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if format == workbook::Format::Pdf {
            // A flat PDF is never written: its answers go to a workbook to paste from.
            return input.with_file_name(format!("{stem}.answers.xlsx"));
        }
        let ext = format.copy_extension(&input, Purpose::Final);
        input.with_file_name(format!("{stem}.final.{ext}"))
    });
    crate::fill::check_output(&input, &output, plan.force)?;
    let mut report = FinalizeReport {
        input: input.clone(),
        output: output.clone(),
        ..FinalizeReport::default()
    };
    let approved = approved_rows(&review.rows, &mut report);
    if format == workbook::Format::Pdf {
        // A flat PDF: the approved answers, listed to paste from; the PDF is not written.
        let rows: Vec<[String; 5]> = approved
            .iter()
            .map(|row| {
                [
                    container
                        .page_of(row.answer_cell.row)
                        .map_or_else(String::new, |p| p.to_string()),
                    row.question_id.clone(),
                    row.question.clone(),
                    row.answer.clone(),
                    row.comment.clone(),
                ]
            })
            .collect();
        report.approved = rows.len();
        let mut tmp = crate::atomic::temp_beside(&output)?;
        crate::container::write_answers(&output, &rows, tmp.as_file_mut())?;
        crate::atomic::publish(tmp, &output, true)?;
        report.note = Some(format!(
            "{} is flat (it has no form fields) and was not changed: {} lists each approved answer with its page, question id and question, to paste from",
            input.display(),
            output.display()
        ));
        return Ok(report);
    }
    let mut facts: HashMap<&str, SheetFacts> = HashMap::new();
    let mut edits: Vec<Edit> = Vec::new();
    for row in approved {
        let name = row.answer_cell.sheet.as_str();
        let Some(grid) = container.grid(name) else {
            return Err(Error::Import {
                path: plan.review.clone(),
                message: format!(
                    "row {}: the questionnaire has no sheet {:?}",
                    row.review_row, row.answer_cell.sheet
                ),
                hint: None,
            });
        };
        if !facts.contains_key(name) {
            facts.insert(name, container.facts(grid)?);
        }
        let sheet_facts = &facts[name];
        report.approved += 1;
        for (cell, text) in writes(row, &grid.sheet).map_err(|message| Error::Import {
            path: plan.review.clone(),
            message: format!("row {}: {message}", row.review_row),
            hint: Some(
                "set the Answer to one of the options, or leave the row Draft and answer it in the questionnaire".into(),
            ),
        })? {
            if sheet_facts.formula_cells.contains(&(cell.row, cell.col)) {
                report.skipped_formula.push(cell.to_string());
                continue;
            }
            edits.push(Edit {
                cell,
                text,
                highlight: false,
                style_like: None,
            });
        }
    }
    // The headers of the columns `fill` added to a bare question list, on the sheets written.
    let added = crate::fill::review::added_headers(&review.meta);
    let headers = crate::fill::header_edits(
        added
            .iter()
            .filter(|(cell, _)| edits.iter().any(|e| e.cell.sheet == cell.sheet)),
    );
    edits.extend(headers);
    let mut tmp = crate::atomic::temp_beside(&output)?;
    report.note = container.write(&edits, Purpose::Final, tmp.as_file_mut())?;
    crate::atomic::publish(tmp, &output, true)?;
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

/// The cells an approved row writes: its answer and, when it has a comment cell, its comment.
/// A question answered by a mark in one of several columns gets the mark in the column of its
/// answer, and every other mark on the row (in `sheet`, the questionnaire as it is) removed;
/// an answer that is none of the options is refused, saying which they are.
fn writes(
    row: &ReviewedRow,
    sheet: &crate::grid::Sheet,
) -> std::result::Result<Vec<(crate::cellref::CellRef, String)>, String> {
    let mut out = Vec::new();
    if !row.answer.is_empty() {
        match &row.choices {
            Some(choices) => {
                // Which options hold a mark in the questionnaire as it is.
                let marked = |o: &crate::questionnaire::Choice| {
                    let at = o.cell.row.checked_sub(sheet.first_row);
                    at.zip(o.cell.col.checked_sub(sheet.first_col))
                        .is_some_and(|(r, c)| !sheet.cell(r as usize, c as usize).trim().is_empty())
                };
                out.extend(choices.marking(&row.answer, marked).ok_or_else(|| {
                    format!(
                        "the answer {:?} is none of the options ({}) this question is answered with",
                        row.answer,
                        choices.labels()
                    )
                })?);
            }
            None => out.push((row.answer_cell.clone(), row.answer.clone())),
        }
    }
    if let Some(cell) = &row.comment_cell
        && !row.comment.is_empty()
    {
        out.push((cell.clone(), row.comment.clone()));
    }
    Ok(out)
}
