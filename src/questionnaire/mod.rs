//! Which cells are questions? Reads a questionnaire (xlsx/xlsm, xls, ods, csv) and finds, per
//! sheet, the header row, the question, answer, comment and question-id columns, and the
//! question rows, with each answer cell's state: empty or answered, formula (never written),
//! dropdown values. Instruction, cover, analyst and hidden sheets are skipped with a reason.
//!
//! Detection lives in [`detect`]; this module owns the types and gathers, through
//! [`crate::container`], the grids and the facts detection needs (cell values, cached formula
//! results; hidden rows, formulas, dropdowns, merges, protection; a Word table's boxes).

pub mod detect;

use std::path::{Path, PathBuf};

use crate::cellref::{CellRef, col_letters};
use crate::container::Container;
use crate::error::{Error, Result};
use crate::limits::Limits;
use crate::workbook::Format;
use crate::xlsx::sheet::ListSource;

pub use crate::xlsx::sheet::{Locked, Slot};
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
    /// Why the answer cell cannot be written, if it cannot (a Word document protected for form
    /// filling, and the cell is not a form field; a short row with no cell there): left for a
    /// person, with a note.
    pub locked: Option<Locked>,
    /// What kind of place the answer goes in (`inspect` names it).
    pub slot: Slot,
    pub comment_is_formula: bool,
    /// Allowed values of the answer cell's dropdown, when it has one we could resolve.
    pub allowed: Option<Vec<String>>,
    /// The label of the section the question sits in (the last non-question row above it with
    /// a short label), as context for questions that are not questions on their own.
    pub section: Option<String>,
    /// When the question is answered by a mark in one of several columns (CAIQ v3's Yes / No /
    /// Not Applicable under one merged header): the options. `answer_cell` is then the first
    /// option's cell, `allowed` the labels and `existing_answer` the marked label.
    pub choices: Option<Choices>,
}

/// The options of a question answered by marking one of several columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choices {
    pub options: Vec<Choice>,
    /// What a mark is on this sheet: the most common text of the marks already made, else
    /// "X".
    pub mark: String,
}

/// One option: its label (from the header), its cell on the question's row, and whether that
/// cell holds anything now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub label: String,
    pub cell: CellRef,
    pub marked: bool,
}

impl Choices {
    /// The option an answer names: its label, compared without case or surrounding space.
    pub fn option(&self, answer: &str) -> Option<&Choice> {
        let answer = answer.trim();
        self.options
            .iter()
            .find(|o| o.label.eq_ignore_ascii_case(answer))
    }

    /// The cells that mark `answer`: the mark in its option's cell, and nothing in every other
    /// option's cell that `is_marked` says holds a mark now. None when `answer` is no option.
    pub fn marking(
        &self,
        answer: &str,
        is_marked: impl Fn(&Choice) -> bool,
    ) -> Option<Vec<(CellRef, String)>> {
        let chosen = self.option(answer)?;
        let mut out = vec![(chosen.cell.clone(), self.mark.clone())];
        out.extend(
            self.options
                .iter()
                .filter(|o| o.cell != chosen.cell && is_marked(o))
                .map(|o| (o.cell.clone(), String::new())),
        );
        Some(out)
    }

    /// The labels, for messages: "Yes, No, Not Applicable".
    pub fn labels(&self) -> String {
        self.options
            .iter()
            .map(|o| o.label.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
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
    /// Header cells trustfill adds to a bare question list (its Answer and Comment columns,
    /// after the last column used), with their text: written with the first answer.
    pub added: Vec<(CellRef, String)>,
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
    /// The file as read: its grids, and what writes a copy with answers.
    pub container: Container,
}

impl Questionnaire {
    pub fn question_count(&self) -> usize {
        self.sheets.iter().map(|s| s.questions.len()).sum()
    }

    /// Read and detect. `overrides` fix what detection got wrong.
    pub fn read(path: &Path, overrides: &Overrides, limits: &Limits) -> Result<Questionnaire> {
        let container = Container::open(path, limits)?;
        if container.is_blank() {
            return Err(Error::Spreadsheet {
                path: path.to_path_buf(),
                message: container.blank_message().into(),
            });
        }
        let grids = container.grids();
        if let Some(sheet) = &overrides.sheet
            && !grids.iter().any(|g| &g.sheet.name == sheet)
        {
            let names: Vec<&str> = grids.iter().map(|g| g.sheet.name.as_str()).collect();
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
        for g in grids {
            let grid = &g.sheet;
            if let Some(only) = &overrides.sheet
                && &grid.name != only
            {
                skipped.push(SkippedSheet {
                    name: grid.name.clone(),
                    reason: format!("not the sheet chosen with --sheet {only:?}"),
                });
                continue;
            }
            let facts = container.facts(g)?;
            let forced = overrides.sheet.is_some();
            if g.hidden && !forced {
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
            let resolve = |source: &ListSource| container.resolve_list(source);
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
            format: container.format,
            sheets,
            skipped,
            container,
        })
    }
}
