//! Which cells are questions? Reads a questionnaire (xlsx/xlsm, xls, ods, csv) and finds, per
//! sheet, the header row, the question, answer, comment and question-id columns, and the
//! question rows, with each answer cell's state: empty or answered, formula (never written),
//! dropdown values. Instruction, cover, analyst and hidden sheets are skipped with a reason.
//!
//! Detection lives in [`detect`]; this module owns the types and gathers the facts detection
//! needs from calamine (cell values, cached formula results) and, for xlsx, from the package
//! itself ([`crate::xlsx`]: hidden rows, formulas, dropdowns, merges, protection).

pub mod detect;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::cellref::{CellRef, col_letters};
use crate::error::{Error, Result};
use crate::limits::Limits;
use crate::workbook::{self, Format, Sheet};
use crate::xlsx::sheet::{ListSource, SheetFacts};
use crate::xlsx::{Package, Range};

pub use detect::Overrides;

/// A question found in the questionnaire.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// The cell holding the question text.
    pub cell: CellRef,
    pub id: Option<String>,
    pub text: String,
    /// Where the answer goes (top-left of a merged range).
    pub answer_cell: CellRef,
    pub comment_cell: Option<CellRef>,
    /// What the answer cell holds now ("" when empty).
    pub existing_answer: String,
    pub existing_comment: String,
    /// The answer cell is a formula: it is never written.
    pub answer_is_formula: bool,
    /// The answer cell cannot be written (a Word document protected for form filling, and the
    /// cell is not a form field): left for a person, with a note.
    pub locked: bool,
    pub comment_is_formula: bool,
    /// Allowed values of the answer cell's dropdown, when it has one we could resolve.
    pub allowed: Option<Vec<String>>,
    /// The label of the section the question sits in (the last non-question row above it with
    /// a short label), as context for questions that are not questions on their own.
    pub section: Option<String>,
}

/// A column with its letter-free index and the header text that identified it (if any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub index: u32,
    pub header: Option<String>,
}

impl Column {
    pub fn describe(&self) -> String {
        match &self.header {
            Some(h) => format!("{} ({h:?})", col_letters(self.index)),
            None => format!("{} (by content)", col_letters(self.index)),
        }
    }
}

/// How one sheet is laid out, and its questions.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetLayout {
    pub name: String,
    /// 0-based header row, if a header was found.
    pub header_row: Option<u32>,
    pub question: Column,
    pub answer: Column,
    pub comment: Option<Column>,
    pub id: Option<Column>,
    pub protected: bool,
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedSheet {
    pub name: String,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct Questionnaire {
    pub path: PathBuf,
    pub format: Format,
    pub sheets: Vec<SheetLayout>,
    pub skipped: Vec<SkippedSheet>,
    /// xlsx only: sheet name → worksheet part, for writing.
    pub parts: HashMap<String, String>,
}

impl Questionnaire {
    pub fn question_count(&self) -> usize {
        self.sheets.iter().map(|s| s.questions.len()).sum()
    }

    /// Read and detect. `overrides` fix what detection got wrong.
    pub fn read(path: &Path, overrides: &Overrides, limits: &Limits) -> Result<Questionnaire> {
        let format = workbook::format_of(path)?;
        let grids = workbook::read(path, limits)?;
        if grids
            .iter()
            .all(|s| s.rows.iter().all(|r| r.iter().all(|c| c.trim().is_empty())))
        {
            return Err(Error::Spreadsheet {
                path: path.to_path_buf(),
                message: if format == Format::Docx {
                    "the document has no table with text: trustfill reads a Word questionnaire's questions from its tables".into()
                } else {
                    "the workbook has no cells with text".into()
                },
            });
        }
        let package = match format {
            Format::Xlsx => Some(Package::open(path)?),
            _ => None,
        };
        // A Word document's tables, for what detection needs beyond their text (checkboxes).
        let docx_tables = match format {
            Format::Docx => crate::docx::read_document_tables(path, limits)?,
            _ => crate::docx::Document::default(),
        };
        if let Some(sheet) = &overrides.sheet
            && !grids.iter().any(|g| &g.name == sheet)
        {
            let names: Vec<&str> = grids.iter().map(|g| g.name.as_str()).collect();
            return Err(Error::Invalid {
                what: "--sheet",
                message: format!(
                    "{path:?} has no sheet {sheet:?}; its sheets are: {}",
                    names.join(", "),
                    path = path.display().to_string()
                ),
            });
        }
        let mut sheets = Vec::new();
        let mut skipped = Vec::new();
        let mut parts = HashMap::new();
        for grid in &grids {
            if let Some(only) = &overrides.sheet
                && &grid.name != only
            {
                skipped.push(SkippedSheet {
                    name: grid.name.clone(),
                    reason: format!("not the sheet chosen with --sheet {only:?}"),
                });
                continue;
            }
            let info = package.as_ref().and_then(|p| p.sheet(&grid.name));
            let facts = match (&package, info) {
                (Some(p), Some(info)) => SheetFacts::parse(&p.read(&info.part)?),
                _ => crate::docx::table_index(&grid.name)
                    .and_then(|i| docx_tables.table(i))
                    .map(|t| t.facts(docx_tables.forms_only))
                    .unwrap_or_default(),
            };
            if let Some(info) = info {
                parts.insert(grid.name.clone(), info.part.clone());
            }
            if format == Format::Docx {
                // A Word table is written through its name (`Table 2`), not a package part.
                parts.insert(grid.name.clone(), grid.name.clone());
            }
            let hidden = info.is_some_and(|i| i.hidden);
            let forced = overrides.sheet.is_some();
            if hidden && !forced {
                skipped.push(SkippedSheet {
                    name: grid.name.clone(),
                    reason: "hidden sheet".into(),
                });
                continue;
            }
            if !forced && let Some(reason) = detect::skip_by_name(&grid.name) {
                skipped.push(SkippedSheet {
                    name: grid.name.clone(),
                    reason,
                });
                continue;
            }
            let resolve = |source: &ListSource| resolve_list(source, &grids, package.as_ref());
            match detect::detect(grid, &facts, overrides, &resolve) {
                Ok(layout) if layout.questions.is_empty() => skipped.push(SkippedSheet {
                    name: grid.name.clone(),
                    reason: format!(
                        "no question rows below the header (question column {}, answer column {})",
                        layout.question.describe(),
                        layout.answer.describe()
                    ),
                }),
                Ok(layout) => sheets.push(layout),
                Err(reason) => skipped.push(SkippedSheet {
                    name: grid.name.clone(),
                    reason,
                }),
            }
        }
        Ok(Questionnaire {
            path: path.to_path_buf(),
            format,
            sheets,
            skipped,
            parts,
        })
    }
}

/// The values of a dropdown list: literal, a range on some sheet, or a defined name.
fn resolve_list(
    source: &ListSource,
    grids: &[Sheet],
    package: Option<&Package>,
) -> Option<Vec<String>> {
    match source {
        ListSource::Values(values) => Some(values.clone()),
        ListSource::Formula(formula) => resolve_formula(formula, grids, package, 0),
    }
}

fn resolve_formula(
    formula: &str,
    grids: &[Sheet],
    package: Option<&Package>,
    depth: u8,
) -> Option<Vec<String>> {
    let formula = formula.trim().trim_start_matches('=');
    let Some((sheet, range)) = formula.rsplit_once('!') else {
        // A defined name such as `YesNo`.
        let target = package?.defined_names.get(formula)?;
        return if depth < 3 {
            resolve_formula(target, grids, package, depth + 1)
        } else {
            None
        };
    };
    let sheet = sheet.trim_matches('\'').replace("''", "'");
    let range = Range::parse(range)?;
    let grid = grids.iter().find(|g| g.name == sheet)?;
    let mut values = Vec::new();
    for row in range.first_row..=range.last_row.min(range.first_row + 200) {
        for col in range.first_col..=range.last_col.min(range.first_col + 20) {
            let r = row.checked_sub(grid.first_row)? as usize;
            let c = col.checked_sub(grid.first_col)? as usize;
            let text = grid.cell(r, c).trim();
            if !text.is_empty() && !values.iter().any(|v| v == text) {
                values.push(text.to_string());
            }
        }
    }
    (!values.is_empty()).then_some(values)
}
