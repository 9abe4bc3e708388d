//! `finalize`: the clean file to send. Reads a review workbook, checks that the questionnaire it
//! was made from is unchanged, and writes a copy of that questionnaire with the rows marked
//! Approved (their Answer and Comment as the reviewer left them), without highlights or review
//! sheet. Draft, Needs answer and Rejected rows stay blank; formula cells are never written.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::review::{ReviewedRow, read_review};
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
    if workbook::format_of(&input)? != Format::Xlsx {
        return Err(Error::Import {
            path: input.clone(),
            message: "finalize writes into .xlsx/.xlsm questionnaires only".into(),
            hint: Some("for .csv, .xls and .ods inputs, edit NAME.filled.xlsx directly".into()),
        });
    }
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
        let ext = input
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("xlsx")
            .to_ascii_lowercase();
        input.with_file_name(format!("{stem}.final.{ext}"))
    });
    crate::fill::check_output(&input, &output, plan.force)?;

    let package = Package::open(&input)?;
    let mut facts: HashMap<String, SheetFacts> = HashMap::new();
    let mut report = FinalizeReport {
        input: input.clone(),
        output: output.clone(),
        ..FinalizeReport::default()
    };
    let mut patches: Vec<SheetPatch> = Vec::new();
    for row in &review.rows {
        match row.status.to_ascii_lowercase().as_str() {
            "approved" => {}
            "rejected" => {
                report.rejected += 1;
                continue;
            }
            "needs answer" => {
                report.needs_answer += 1;
                continue;
            }
            "draft" => {
                report.unreviewed += 1;
                continue;
            }
            _ => continue,
        }
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
    let mut tmp = crate::atomic::temp_beside(&output)?;
    patch_workbook(&input, tmp.as_file_mut(), &patches)?;
    crate::atomic::publish(tmp, &output, true)?;
    Ok(report)
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
