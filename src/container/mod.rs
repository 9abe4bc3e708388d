//! One interface over the formats a questionnaire comes in. A [`Container`] is a file opened
//! for questions: it lists its grids (worksheets, Word tables, a Word document's question
//! paragraphs), says where each lives ([`Place`]), gives the facts detection needs beyond a
//! grid's text ([`Container::facts`]: hidden rows, formulas, dropdowns, merges, protection,
//! checkboxes), resolves dropdown sources, and writes a set of cell [`Edit`]s into a copy of
//! the file ([`Container::write`]).
//!
//! This is the one place that chooses by format: above it, `questionnaire/`, `fill/` and
//! `ops/` handle a workbook, a CSV file and a Word document alike, and find a grid by its name
//! (the name a user sees in the review), never by parsing the name.

mod values;

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::cellref::CellRef;
use crate::docx::{self, Document};
use crate::error::{Error, Result};
use crate::grid::Sheet;
use crate::limits::Limits;
use crate::workbook::{self, Format};
use crate::xlsx::Package;
use crate::xlsx::patch::{CellWrite, SheetPatch, patch_workbook};
use crate::xlsx::sheet::{ListSource, SheetFacts};

pub use values::{clip, sanitize_sheet_name, write_answers, write_values, xlsx_error};

/// Where a grid lives in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A worksheet of an .xlsx/.xlsm package, by its part (`xl/worksheets/sheet1.xml`).
    Worksheet { part: String },
    /// The n-th (0-based) top-level table of a Word document.
    WordTable(usize),
    /// The questions a Word document writes as numbered paragraphs, outside tables.
    WordParagraphs,
    /// A sheet of a file read for its values only (.xls, .ods, .csv; an .xlsx sheet the
    /// package does not list; a flat PDF's table): written into a new .xlsx of values.
    Values,
    /// A PDF form's questions: row 1 a header, then a question a row, its answer in column B
    /// (the field or boxes `pdf::form` tied to it).
    PdfForm,
}

/// One grid of a container.
#[derive(Debug, Clone)]
pub struct Grid {
    pub sheet: Sheet,
    pub place: Place,
    /// A worksheet the workbook hides.
    pub hidden: bool,
}

/// What a format keeps of what the reader was sent, beside the text.
#[derive(Debug, Clone)]
enum Kind {
    Xlsx(Package),
    Word(Document),
    Values,
    /// A flat PDF's table, and the page each of its rows is on.
    PdfTable {
        pages: Vec<u32>,
    },
    PdfForm(Box<PdfForm>),
}

/// A PDF form as read: its bytes (a filled copy starts with them), objects, fields and the
/// questions tied to them, in the grid's row order (row 2 on).
#[derive(Clone)]
struct PdfForm {
    bytes: Vec<u8>,
    doc: lopdf::Document,
    fields: Vec<crate::pdf::Field>,
    questions: Vec<crate::pdf::form::Question>,
}

impl std::fmt::Debug for PdfForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PdfForm")
            .field("fields", &self.fields.len())
            .field("questions", &self.questions)
            .finish()
    }
}

/// A questionnaire file opened for reading its grids and writing a copy.
#[derive(Debug, Clone)]
pub struct Container {
    pub path: PathBuf,
    pub format: Format,
    grids: Vec<Grid>,
    kind: Kind,
    limits: Limits,
}

/// One cell to write: its text, and whether to mark it as a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub cell: CellRef,
    pub text: String,
    pub highlight: bool,
    /// Styled like this column's cell on the same row (a worksheet's added header looks like
    /// the header beside it); the cell's own style otherwise.
    pub style_like: Option<u32>,
}

/// What a copy is for: it decides how a format that cannot be written as it is comes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// `fill`'s copy for review: a CSV file becomes an .xlsx, where drafts can be marked, and
    /// a Word cell with text is written over only with `overwrite`.
    Draft { overwrite: bool },
    /// `finalize`'s copy: a CSV file stays a CSV file; approved answers replace what a cell
    /// held.
    Final,
}

impl Format {
    /// The extension of a copy of `input` in this format: .xls and .ods cannot be written,
    /// so their copies are .xlsx; the others keep the input's.
    pub fn copy_extension(self, input: &Path, purpose: Purpose) -> String {
        let own = || {
            input
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("xlsx")
                .to_ascii_lowercase()
        };
        match (self, purpose) {
            (Format::Xls | Format::Ods | Format::Pdf, _) | (Format::Csv, Purpose::Draft { .. }) => {
                "xlsx".into()
            }
            (Format::PdfForm, _) => "pdf".into(),
            _ => own(),
        }
    }

    /// What a filled copy loses against the input, when it is not the input's own format.
    pub fn draft_loses(self) -> Option<&'static str> {
        match self {
            Format::Xlsx | Format::Docx | Format::PdfForm => None,
            Format::Xls | Format::Ods => Some(
                "the output is a new .xlsx with the input's cell values: formatting, formulas, dropdowns and merged cells of the .xls/.ods input are not kept",
            ),
            Format::Csv => {
                Some("the output is an .xlsx copy of the CSV's cells with the answers added")
            }
            Format::Pdf => Some(
                "the PDF itself is not changed: the output is a new .xlsx of the table read from it, with the answers added",
            ),
        }
    }
}

impl Container {
    /// Check the file at `path` and read its grids, refusing anything past `limits`.
    pub fn open(path: &Path, limits: &Limits) -> Result<Container> {
        let format = workbook::check_file(path, limits)?;
        let (grids, kind) = match format {
            Format::Docx => {
                let doc = docx::read_document_tables(path, limits)?;
                let mut grids: Vec<Grid> = doc
                    .tables
                    .iter()
                    .enumerate()
                    .map(|(i, t)| Grid {
                        sheet: t.grid(docx::table_name(i)),
                        place: Place::WordTable(i),
                        hidden: false,
                    })
                    .collect();
                grids.extend(doc.text.as_ref().map(|t| Grid {
                    sheet: t.grid(docx::TEXT.into()),
                    place: Place::WordParagraphs,
                    hidden: false,
                }));
                (grids, Kind::Word(doc))
            }
            Format::Xlsx => {
                let sheets = workbook::read_sheets(path, format, limits)?;
                let package = Package::open(path)?;
                let grids = sheets
                    .into_iter()
                    .map(|sheet| {
                        let info = package.sheet(&sheet.name);
                        Grid {
                            place: info.map_or(Place::Values, |i| Place::Worksheet {
                                part: i.part.clone(),
                            }),
                            hidden: info.is_some_and(|i| i.hidden),
                            sheet,
                        }
                    })
                    .collect();
                (grids, Kind::Xlsx(package))
            }
            Format::Pdf | Format::PdfForm => return pdf_container(path, limits),
            Format::Xls | Format::Ods | Format::Csv => {
                let sheets = workbook::read_sheets(path, format, limits)?;
                let grids = sheets
                    .into_iter()
                    .map(|sheet| Grid {
                        sheet,
                        place: Place::Values,
                        hidden: false,
                    })
                    .collect();
                (grids, Kind::Values)
            }
        };
        Ok(Container {
            path: path.to_path_buf(),
            format,
            grids,
            kind,
            limits: *limits,
        })
    }

    pub fn grids(&self) -> &[Grid] {
        &self.grids
    }

    /// The grid a user knows by `name` (a sheet's name, `Table 2`, `Text`).
    pub fn grid(&self, name: &str) -> Option<&Grid> {
        self.grids.iter().find(|g| g.sheet.name == name)
    }

    /// The page a flat PDF's grid row is printed on (none for other formats).
    pub fn page_of(&self, row: u32) -> Option<u32> {
        match &self.kind {
            Kind::PdfTable { pages } => pages.get(row as usize).copied(),
            Kind::PdfForm(form) => (row as usize)
                .checked_sub(1)
                .and_then(|i| form.questions.get(i))
                .map(|q| q.page),
            _ => None,
        }
    }

    /// The grids' text, in order.
    pub fn into_sheets(self) -> Vec<Sheet> {
        self.grids.into_iter().map(|g| g.sheet).collect()
    }

    /// Whether no grid holds any text.
    pub fn is_blank(&self) -> bool {
        self.grids.iter().all(|g| {
            g.sheet
                .rows
                .iter()
                .all(|r| r.iter().all(|c| c.trim().is_empty()))
        })
    }

    /// Why a blank file has nothing to read, in the format's words.
    pub fn blank_message(&self) -> &'static str {
        if self.format == Format::Docx {
            "the document has no table with text: trustfill reads a Word questionnaire's questions from its tables"
        } else {
            "the workbook has no cells with text"
        }
    }

    /// What detection needs of `grid` beyond its text: a worksheet's package facts, a Word
    /// table's checkboxes, controls and protection; nothing for a file of values.
    pub fn facts(&self, grid: &Grid) -> Result<SheetFacts> {
        Ok(match (&self.kind, &grid.place) {
            (Kind::Xlsx(package), Place::Worksheet { part }) => {
                SheetFacts::parse(&package.read(part)?)
            }
            (Kind::Word(doc), Place::WordTable(i)) => doc
                .tables
                .get(*i)
                .map(|t| t.facts(doc.forms_only))
                .unwrap_or_default(),
            (Kind::Word(doc), Place::WordParagraphs) => doc
                .text
                .as_ref()
                .map(|t| t.facts(doc.forms_only))
                .unwrap_or_default(),
            (Kind::PdfForm(form), Place::PdfForm) => {
                let mut facts = SheetFacts::default();
                for (i, q) in form.questions.iter().enumerate() {
                    let row = i as u32 + 1;
                    let slot = match q.answer.options() {
                        Some(options) => {
                            facts.validations.push(crate::xlsx::sheet::Validation {
                                ranges: vec![crate::xlsx::Range {
                                    first_row: row,
                                    first_col: 1,
                                    last_row: row,
                                    last_col: 1,
                                }],
                                source: ListSource::Values(options),
                            });
                            crate::xlsx::sheet::Slot::Dropdown
                        }
                        None => crate::xlsx::sheet::Slot::FormField,
                    };
                    facts.slots.insert((row, 1), slot);
                }
                facts.width = Some(2);
                facts
            }
            _ => SheetFacts::default(),
        })
    }

    /// The values of a dropdown list: literal, a range on some sheet, or a defined name.
    pub fn resolve_list(&self, source: &ListSource) -> Option<Vec<String>> {
        match source {
            ListSource::Values(values) => Some(values.clone()),
            ListSource::Formula(formula) => self.resolve_formula(formula, 0),
        }
    }

    fn resolve_formula(&self, formula: &str, depth: u8) -> Option<Vec<String>> {
        let formula = formula.trim().trim_start_matches('=');
        let Some((sheet, range)) = formula.rsplit_once('!') else {
            // A defined name such as `YesNo`.
            let Kind::Xlsx(package) = &self.kind else {
                return None;
            };
            let target = package.defined_names.get(formula)?;
            return if depth < 3 {
                self.resolve_formula(target, depth + 1)
            } else {
                None
            };
        };
        let sheet = sheet.trim_matches('\'').replace("''", "'");
        let range = crate::xlsx::Range::parse(range)?;
        let grid = &self.grid(&sheet)?.sheet;
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

    /// Write a copy of the file with `edits` into `out`; only their cells change where the
    /// format can be written as it is (.xlsx/.xlsm, .docx, a final .csv), otherwise the copy is
    /// a new .xlsx of the cells' values. An edit on a grid the file does not have is dropped.
    /// Returns a note for the user about the copy, if any.
    pub fn write(
        &self,
        edits: &[Edit],
        purpose: Purpose,
        out: &mut File,
    ) -> Result<Option<String>> {
        let place = |e: &Edit| self.grid(&e.cell.sheet).map(|g| &g.place);
        let write = |e: &Edit| CellWrite {
            row: e.cell.row,
            col: e.cell.col,
            text: e.text.clone(),
            highlight: e.highlight,
            style_like: e.style_like,
        };
        match (&self.kind, purpose) {
            (Kind::Xlsx(_), _) => {
                let mut patches: Vec<SheetPatch> = Vec::new();
                for e in edits {
                    let Some(Place::Worksheet { part }) = place(e) else {
                        continue;
                    };
                    match patches.iter_mut().find(|p| &p.part == part) {
                        Some(p) => p.cells.push(write(e)),
                        None => patches.push(SheetPatch {
                            part: part.clone(),
                            cells: vec![write(e)],
                        }),
                    }
                }
                patch_workbook(&self.path, out, &patches)?;
                Ok(None)
            }
            (Kind::Word(_), _) => {
                let writes: Vec<(usize, CellWrite)> = edits
                    .iter()
                    .filter_map(|e| match place(e)? {
                        Place::WordTable(i) => Some((*i, write(e))),
                        Place::WordParagraphs => Some((docx::TEXT_INDEX, write(e))),
                        _ => None,
                    })
                    .collect();
                let overwrite = match purpose {
                    Purpose::Draft { overwrite } => overwrite,
                    Purpose::Final => true,
                };
                docx::patch::patch_document(&self.path, out, &writes, overwrite, &self.limits)?;
                Ok(None)
            }
            (Kind::PdfForm(form), _) => {
                let mut values = Vec::new();
                let mut unfit = Vec::new();
                for e in edits {
                    if !matches!(place(e), Some(Place::PdfForm)) || e.cell.col != 1 {
                        continue;
                    }
                    let Some(q) = (e.cell.row as usize)
                        .checked_sub(1)
                        .and_then(|i| form.questions.get(i))
                    else {
                        continue;
                    };
                    match crate::pdf::form::values_for(q, &e.text, e.highlight) {
                        Some(v) => values.extend(v),
                        None => unfit.push(format!("row {} ({:?})", e.cell.row + 1, e.text)),
                    }
                }
                crate::pdf::form::write(&form.bytes, &form.doc, &form.fields, &values, out)
                    .map_err(|e| Error::io("cannot write", &self.path, e))?;
                Ok((!unfit.is_empty()).then(|| {
                    format!(
                        "{} answers fit none of their field's options and were not written: {}",
                        unfit.len(),
                        unfit.join(", ")
                    )
                }))
            }
            (Kind::Values, Purpose::Final) if self.format == Format::Csv => {
                values::write_csv(&self.path, self.grids.first(), edits, out)
            }
            (Kind::Values | Kind::PdfTable { .. }, purpose) => {
                let sheets: Vec<&Sheet> = self.grids.iter().map(|g| &g.sheet).collect();
                values::write_values(&self.path, &sheets, edits, out)?;
                Ok(match purpose {
                    Purpose::Final => Some(format!(
                        "{} cannot be written as it is: the final copy is an .xlsx with its cell values and the approved answers (formatting, formulas, dropdowns and merged cells are not kept)",
                        self.path.display()
                    )),
                    Purpose::Draft { .. } => None,
                })
            }
        }
    }
}

/// The grids of the file at `path` in any supported format, for what reads cells without
/// detecting questions (a title, an answer library, labeled questions by cell).
pub fn read_grids(path: &Path, limits: &Limits) -> Result<Vec<Sheet>> {
    Container::open(path, limits).map(Container::into_sheets)
}

/// A PDF opened as a container. Reading a PDF's text takes about a second per hundred pages,
/// and one command may open its input several times (`kb import` asks whether it is a library,
/// then harvests it, then reads its title): the last PDF read is kept for the process, and
/// reused while the file's length and modification time are the same.
fn pdf_container(path: &Path, limits: &Limits) -> Result<Container> {
    type Key = (PathBuf, u64, Option<std::time::SystemTime>, Limits);
    static LAST: std::sync::Mutex<Option<(Key, Container)>> = std::sync::Mutex::new(None);
    let meta = std::fs::metadata(path).map_err(|e| Error::io("cannot read", path, e))?;
    let key: Key = (
        path.canonicalize().unwrap_or_else(|_| path.to_path_buf()),
        meta.len(),
        meta.modified().ok(),
        *limits,
    );
    if let Ok(last) = LAST.lock()
        && let Some((k, container)) = last.as_ref()
        && *k == key
    {
        let mut container = container.clone();
        container.path = path.to_path_buf();
        return Ok(container);
    }
    let (grids, kind) = pdf_grids(path, limits)?;
    let format = if matches!(kind, Kind::PdfForm(_)) {
        Format::PdfForm
    } else {
        Format::Pdf
    };
    let container = Container {
        path: path.to_path_buf(),
        format,
        grids,
        kind,
        limits: *limits,
    };
    if let Ok(mut last) = LAST.lock() {
        *last = Some((key, container.clone()));
    }
    Ok(container)
}

/// The questions of a PDF: a form's fields tied to the text printed beside them (one grid,
/// `Question | Answer`), else the table its pages draw, recovered from word positions
/// (`pdf::table`: one grid of the rows keyed by question ids, page after page). Named after
/// the file. Without either, its numbered questions outside tables (`pdf::paragraphs`: one
/// grid, `ID | Question | Answer`). A PDF with none of them is refused.
fn pdf_grids(path: &Path, limits: &Limits) -> Result<(Vec<Grid>, Kind)> {
    let pdf = crate::pdf::Pdf::open(path, limits)?;
    let (words, rules) = pdf.words_and_rules(path)?;
    let name = path
        .file_stem()
        .map_or_else(|| "PDF".to_string(), |s| s.to_string_lossy().into_owned());
    let fields = pdf.fields();
    let questions = crate::pdf::form::questions(&words, &fields);
    if !questions.is_empty() {
        let mut rows = vec![vec!["Question".to_string(), "Answer".to_string()]];
        rows.extend(
            questions
                .iter()
                .map(|q| vec![q.text.clone(), q.answer.current(&fields)]),
        );
        let bytes = std::fs::read(path).map_err(|e| Error::io("cannot read", path, e))?;
        let grid = Grid {
            sheet: Sheet {
                name,
                first_row: 0,
                first_col: 0,
                rows,
            },
            place: Place::PdfForm,
            hidden: false,
        };
        let form = PdfForm {
            bytes,
            doc: pdf.doc,
            fields,
            questions,
        };
        return Ok((vec![grid], Kind::PdfForm(Box::new(form))));
    }
    let (rows, pages) = crate::pdf::table::questionnaire(
        &words,
        &rules,
        crate::text::looks_like_id,
        limits.max_rows,
    )
    .map_err(|max| Error::Limit {
        path: path.to_path_buf(),
        message: format!("its table has more than {max} rows, the limit per sheet"),
        flag: "--max-rows",
    })?;
    // The questions it writes as numbered paragraphs, as a grid of their own, when there is
    // no table, or when they are more than twice its rows (a table recovered from section
    // headings that a contents page lists).
    let numbered = crate::pdf::paragraphs::questions(&words);
    let table_rows = rows.len().saturating_sub(1);
    let (rows, pages) = if numbered.len() > 2 * table_rows {
        let mut rows = vec![vec!["ID".to_string(), "Question".into(), "Answer".into()]];
        let mut pages = vec![numbered.first().map_or(1, |q| q.page)];
        for q in numbered {
            rows.push(vec![q.id, q.text, String::new()]);
            pages.push(q.page);
        }
        if rows.len() > 1 {
            (rows, pages)
        } else {
            (Vec::new(), Vec::new())
        }
    } else {
        (rows, pages)
    };
    let last = words.iter().map(|w| w.page).max().unwrap_or(0);
    if rows.is_empty() {
        return Err(Error::Spreadsheet {
            path: path.to_path_buf(),
            message: format!(
                "found no questions in the PDF's text ({} words on {last} pages): trustfill reads a PDF \
                 form's fields, a table whose rows start with a question id, or numbered questions",
                words.len()
            ),
        });
    }
    let name = path
        .file_stem()
        .map_or_else(|| "PDF".to_string(), |s| s.to_string_lossy().into_owned());
    Ok((
        vec![Grid {
            sheet: Sheet {
                name,
                first_row: 0,
                first_col: 0,
                rows,
            },
            place: Place::Values,
            hidden: false,
        }],
        Kind::PdfTable { pages },
    ))
}
