//! Word questionnaires (`.docx`): the tables of `word/document.xml` read as grids, so that the
//! same layout detection as for spreadsheets finds the header, the question, answer and comment
//! columns and the question rows; and where each table cell sits in the XML, so that
//! [`patch`] can write an answer into its cell and change nothing else.
//!
//! Each top-level table becomes one grid named `Table N` (1-based, in document order). A cell's
//! column is its grid column: a cell spanning columns (`w:gridSpan`, a section row across the
//! table) takes the first. Its text is its paragraphs' text, one line each; deleted text of
//! tracked changes (`w:delText`) is not text, inserted text is. Nested tables are part of their
//! outer cell's XML but not of its text. Content controls' text (`w:sdtContent`) is text; a
//! text box's (`w:txbxContent`) is not, and its paragraphs are never a cell's.
//!
//! Word input obeys the [`Limits`] spreadsheets do: rows and columns per table (a spanning
//! cell to its last column, never wider than its table's `w:tblGrid`) and for the paragraph
//! questions, and the XML elements read ([`Limits::max_xml_elements`]). Of the body's
//! paragraphs only a possible question and the next one are held, so memory follows the
//! questions, not the markup. A leading byte order mark is skipped (offsets count from after
//! it), and the main namespace may have any prefix (or none): elements are matched by local
//! name, and [`Document::prefix`] tells [`patch`] how to spell what it writes.

pub mod patch;

use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::error::{Error, Result};
use crate::grid::Sheet;
use crate::limits::Limits;
use crate::xlsx::sheet::Slot;
use crate::xlsx::{attr_local, local, open_zip, read_part};

/// The main document part.
pub const DOCUMENT: &str = "word/document.xml";

/// The WordprocessingML main namespace (Transitional), which Word binds to `w:`.
pub const MAIN_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// Why `document.xml` cannot be read: its XML is damaged, or it is past one of the
/// [`Limits`] (then the flag that raises it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    Damaged(String),
    Limit { message: String, flag: &'static str },
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParseError::Damaged(m) | ParseError::Limit { message: m, .. } => f.write_str(m),
        }
    }
}

impl From<quick_xml::Error> for ParseError {
    fn from(e: quick_xml::Error) -> Self {
        ParseError::Damaged(e.to_string())
    }
}

impl ParseError {
    /// The error for the file at `path`: damaged (exit 2, a hint to re-save it), or refused at
    /// a limit (naming the flag that raises it).
    pub fn into_error(self, path: &Path) -> Error {
        match self {
            ParseError::Damaged(m) => Error::Spreadsheet {
                path: path.to_path_buf(),
                message: format!("the file is damaged: {DOCUMENT}: {m}"),
            },
            ParseError::Limit { message, flag } => Error::Limit {
                path: path.to_path_buf(),
                message,
                flag,
            },
        }
    }
}

/// The XML elements a scan may still read ([`Limits::max_xml_elements`]). Both scans of the
/// part count: memory follows what is kept, but time follows the markup, and a 351 KB zip of
/// 40 million `<w:p/>` took 20 s before this.
struct Budget {
    left: u64,
    max: u64,
}

impl Budget {
    fn new(limits: &Limits) -> Budget {
        Budget {
            left: limits.max_xml_elements,
            max: limits.max_xml_elements,
        }
    }

    /// Count `n` elements (a cell spanning `n` grid columns counts `n`: each is a slot of its
    /// row's grid).
    fn take(&mut self, n: u64) -> std::result::Result<(), ParseError> {
        match self.left.checked_sub(n) {
            Some(left) => {
                self.left = left;
                Ok(())
            }
            None => Err(ParseError::Limit {
                message: format!(
                    "{DOCUMENT} has more than {} XML elements (a paragraph or cell bomb, or a \
                     document far larger than any questionnaire)",
                    self.max
                ),
                flag: "--max-xml-elements",
            }),
        }
    }
}

/// A Word document's UTF-8 byte order mark, which quick-xml skips: offsets are taken and
/// edits made on the text after it.
pub(crate) fn without_bom(xml: &str) -> &str {
    xml.strip_prefix('\u{FEFF}').unwrap_or(xml)
}

/// The prefix the document binds the main namespace to (`w` nearly always, `ns0` from some
/// generators, "" when it is the default namespace), and that namespace. A document that
/// binds no known namespace gets its root element's prefix.
fn main_prefix(xml: &str) -> (String, String) {
    let mut reader = Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                for a in e.attributes().flatten() {
                    let key = a.key.into_inner().to_string();
                    let value = a.value.to_string();
                    if value == MAIN_NS {
                        if let Some(p) = key.strip_prefix("xmlns:") {
                            return (p.to_string(), value);
                        }
                        if key == "xmlns" {
                            return (String::new(), value);
                        }
                    }
                }
                let name = e.name().into_inner().to_string();
                let prefix = name.split_once(':').map_or("", |(p, _)| p).to_string();
                return (prefix, MAIN_NS.to_string());
            }
            Ok(Event::Eof) | Err(_) => return ("w".into(), MAIN_NS.into()),
            Ok(_) => {}
        }
    }
}

/// One table cell: where it is in the XML and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellSpan {
    /// Grid column (0-based) of the cell's first column: after the row's `w:gridBefore` and
    /// the spans of the cells before it.
    pub col: u32,
    /// Grid columns the cell covers (`w:gridSpan`, 1 without one).
    pub span: u32,
    /// Its part in a vertical merge (`w:vMerge`): a continuing cell shows nothing of its own;
    /// what is written there goes to the cell that starts the merge.
    pub merge: Merge,
    /// Byte offset of `<w:tc>` and of the end of `</w:tc>`.
    pub start: usize,
    pub end: usize,
    /// The first paragraph directly in the cell: its `<w:p …>` start tag (or the whole empty
    /// `<w:p/>`), and the offset of its `</w:p>` (None for an empty element).
    pub para_tag: (usize, usize),
    pub para_close: Option<usize>,
    /// The end of that paragraph's `</w:pPr>`, when it has properties: `--overwrite` keeps
    /// them and replaces what follows.
    pub props_end: Option<usize>,
    /// The first run's `<w:rPr>…</w:rPr>` in the cell, else the paragraph mark's, to copy.
    pub run_props: Option<(usize, usize)>,
    pub text: String,
    /// Checkboxes in the cell (`☐ Yes ☐ No`, or content-control checkboxes), in order: the
    /// cell is then a choice, and its text for detection is the ticked labels.
    pub choices: Vec<Choice>,
    /// The answer goes after a label already in the paragraph (`Response:`): a space first.
    pub after_label: bool,
    /// That label as written (`Response:`), kept when `--overwrite` replaces the answer
    /// after it.
    pub label: String,
    /// No paragraph to answer in (a question in a bare numbered list): the answer is a new
    /// paragraph written at this offset, right after the question's.
    pub insert_at: Option<usize>,
    /// A content control in the cell (a dropdown or a plain-text field) is the answer slot.
    /// Boxed: most cells have none, and a table may have a million cells.
    pub control: Option<Box<Control>>,
}

/// A cell's part in a vertical merge, as Word renders it: one cell from the `restart` down
/// through the `continue`s below it in the same grid column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Merge {
    #[default]
    None,
    Restart,
    Continue,
}

/// A content control (`w:sdt`) that holds a cell's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Control {
    /// A dropdown's or combo box's items (their display text); empty for a text field.
    pub items: Vec<String>,
    /// The text of the control's first `w:t` (its content, or the placeholder), to replace.
    pub text: Option<(usize, usize)>,
    /// `<w:showingPlcHdr/>`: the control shows its placeholder, not an answer.
    pub placeholder: Option<(usize, usize)>,
    /// What the control shows (empty while it shows its placeholder).
    pub value: String,
    /// A legacy text form field (`FORMTEXT`), not a content control.
    pub field: bool,
}

/// One checkbox of a cell and the label after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub label: String,
    pub checked: bool,
    /// The box glyph (`☐`, `☒`, `☑`, or a character reference to one) in the XML.
    pub glyph: (usize, usize),
    /// A content control's `<w14:checked …/>` element, which must agree with the glyph; for a
    /// legacy form checkbox, its `<w:checked/>` override.
    pub checked_element: Option<(usize, usize)>,
    /// A legacy form checkbox (`FORMCHECKBOX`): `glyph` is then its `<w:default …/>` element.
    pub legacy: bool,
}

/// Empty, ticked and ticked boxes (`☐`, `☒`, `☑`).
const BOXES: [char; 3] = ['\u{2610}', '\u{2612}', '\u{2611}'];

/// The text a cell with checkboxes shows to detection: the ticked labels, `; `-separated.
fn choice_text(choices: &[Choice]) -> String {
    choices
        .iter()
        .filter(|c| c.checked)
        .map(|c| c.label.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

impl CellSpan {
    /// Whether the cell covers a grid column.
    pub fn covers(&self, col: u32) -> bool {
        self.col <= col && col - self.col < self.span.max(1)
    }

    /// A lone unlabelled box (one per option column, the labels in the header above): a
    /// place for a mark, read as "X" when ticked and written by ticking it.
    pub fn is_tick(&self) -> bool {
        matches!(self.choices.as_slice(), [only] if only.label.is_empty())
    }
}

/// A top-level table: its rows of cells.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub rows: Vec<Vec<CellSpan>>,
    /// Its grid's columns (`w:gridCol` in `w:tblGrid`), 0 when it declares none: no cell
    /// spans more.
    pub grid_cols: u32,
}

impl Table {
    /// A two-column form without a header row (label left, blank right: "Company name",
    /// "Primary contact", a question or two) gets a `Question | Answer` header of its own, so
    /// detection reads it as one: its rows that read like questions are questions, its labels
    /// are not (and are never drafted). So does a table whose prompts were paired with the
    /// empty rows below them (`folded`), whatever else it holds.
    fn add_form_header(&mut self, folded: bool) {
        const HEADER_WORDS: [&str; 8] = [
            "question",
            "answer",
            "response",
            "comment",
            "control",
            "requirement",
            "yes/no",
            "notes",
        ];
        let width = self
            .rows
            .iter()
            .flat_map(|r| r.iter().map(|c| c.col + 1))
            .max()
            .unwrap_or(0);
        // A header's cells are short; a drafted answer in a form's first row is not a header,
        // whatever words it uses.
        let headed = self.rows.first().is_some_and(|r| {
            r.iter().all(|c| c.text.chars().count() <= 40)
                && r.iter().any(|c| {
                    let t = c.text.to_lowercase();
                    HEADER_WORDS.iter().any(|w| t.contains(w))
                })
        });
        if (width == 2 || folded) && !headed && !self.rows.is_empty() {
            self.rows
                .insert(0, vec![synthetic(0, "Question"), synthetic(1, "Answer")]);
        }
    }

    /// The cell Word shows at a row and grid column: the one whose span covers the column,
    /// or, in a vertical merge, the cell that starts it.
    /// A prompt in a row of its own with a row of its own below it to answer in (a
    /// DPIA template's "Describe the nature of the processing…" over a blank cell, a PIA's
    /// question over its "Click here to enter text." control) is read as a form's row: the
    /// prompt beside its answer cell. Only prompts that read like questions are paired, so a
    /// heading over a spacer row stays a heading.
    fn fold_prompts_above_answers(&mut self) -> bool {
        let single = |r: &[CellSpan]| r.len() == 1 && r[0].merge == Merge::None;
        let asks = |t: &str| t.contains('?') || crate::text::reads_like_question(t);
        let prompt = |r: &[CellSpan]| single(r) && asks(r[0].text.trim());
        // Empty, or already answered (a completed form read back): anything but a prompt.
        let blank =
            |r: &[CellSpan]| single(r) && r[0].choices.is_empty() && !asks(r[0].text.trim());
        let paired =
            (1..self.rows.len()).any(|i| prompt(&self.rows[i - 1]) && blank(&self.rows[i]));
        if !paired {
            return false;
        }
        let mut rows = std::mem::take(&mut self.rows).into_iter().peekable();
        while let Some(mut row) = rows.next() {
            if prompt(&row)
                && let Some(next) = rows.next_if(|n| blank(n))
            {
                let mut answer = next.into_iter().next().expect("one cell");
                answer.col = row[0].col + 1;
                answer.span = 1;
                row[0].span = 1;
                row.push(answer);
            }
            self.rows.push(row);
        }
        self.grid_cols = self.grid_cols.max(self.width());
        true
    }

    pub fn cell(&self, row: u32, col: u32) -> Option<&CellSpan> {
        let mut row = row as usize;
        loop {
            let cell = self.rows.get(row)?.iter().find(|c| c.covers(col))?;
            if cell.merge != Merge::Continue || row == 0 {
                return Some(cell);
            }
            row -= 1;
        }
    }

    /// The table's one cell, when that is all it has and it asks nothing: an answer box,
    /// empty or already answered.
    pub fn answer_box(&self) -> Option<&CellSpan> {
        match self.rows.as_slice() {
            [row] => match row.as_slice() {
                [cell]
                    if cell.choices.is_empty()
                        && !cell.text.contains('?')
                        && !crate::text::reads_like_question(cell.text.trim()) =>
                {
                    Some(cell)
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// Its width in grid columns: the furthest any row's cells reach.
    pub fn width(&self) -> u32 {
        self.rows
            .iter()
            .flat_map(|r| r.iter().map(|c| c.col + c.span.max(1)))
            .max()
            .unwrap_or(0)
    }

    /// How many grid positions of its rows no cell covers.
    fn gaps(&self) -> u64 {
        let width = u64::from(self.width());
        self.rows
            .iter()
            .map(|r| {
                width
                    - r.iter()
                        .map(|c| u64::from(c.span.max(1)))
                        .sum::<u64>()
                        .min(width)
            })
            .sum()
    }

    /// The rows and grid columns each cell covers, when more than one: its span across, and
    /// down through the cells that continue its vertical merge. Detection reads them as a
    /// workbook's merged ranges.
    pub fn merged(&self) -> Vec<crate::xlsx::Range> {
        let mut out = Vec::new();
        for (r, cells) in self.rows.iter().enumerate() {
            for c in cells.iter().filter(|c| c.merge != Merge::Continue) {
                let mut last_row = r;
                if c.merge == Merge::Restart {
                    while self.rows.get(last_row + 1).is_some_and(|below| {
                        below
                            .iter()
                            .any(|b| b.merge == Merge::Continue && b.col == c.col)
                    }) {
                        last_row += 1;
                    }
                }
                if c.span > 1 || last_row > r {
                    out.push(crate::xlsx::Range {
                        first_row: r as u32,
                        first_col: c.col,
                        last_row: last_row as u32,
                        last_col: c.col + c.span - 1,
                    });
                }
            }
        }
        out
    }

    /// What detection needs beyond the text: a cell of checkboxes is a choice among their
    /// labels, as a dropdown is in a workbook; in a document protected for form filling, a
    /// cell that is not a form field is locked.
    pub fn facts(&self, forms_only: bool) -> crate::xlsx::sheet::SheetFacts {
        let mut facts = crate::xlsx::sheet::SheetFacts {
            merged: self.merged(),
            width: Some(self.width()),
            ..Default::default()
        };
        // A short row (fewer cells than the grid, `w:gridAfter`, `w:gridBefore`) has nothing
        // to write into where no cell is.
        let width = self.width();
        for (r, cells) in self.rows.iter().enumerate() {
            let mut next = 0;
            for c in cells {
                facts
                    .missing_cells
                    .extend((next..c.col).map(|col| (r as u32, col)));
                next = next.max(c.col + c.span.max(1));
            }
            facts
                .missing_cells
                .extend((next..width).map(|col| (r as u32, col)));
        }
        if forms_only {
            facts.protected = true;
            for (r, cells) in self.rows.iter().enumerate() {
                for c in cells
                    .iter()
                    .filter(|c| c.control.is_none() && c.choices.is_empty())
                {
                    facts.locked_cells.insert((r as u32, c.col));
                }
            }
        }
        for (r, cells) in self.rows.iter().enumerate() {
            let dropdowns = cells.iter().filter_map(|c| {
                let items = &c.control.as_ref()?.items;
                (!items.is_empty()).then_some((c.col, items.clone()))
            });
            for (col, items) in dropdowns {
                facts.validations.push(crate::xlsx::sheet::Validation {
                    ranges: vec![crate::xlsx::Range {
                        first_row: r as u32,
                        first_col: col,
                        last_row: r as u32,
                        last_col: col,
                    }],
                    source: crate::xlsx::sheet::ListSource::Values(items),
                });
            }
            for c in cells.iter().filter(|c| c.is_tick()) {
                facts.tick_cells.insert((r as u32, c.col));
            }
            for c in cells {
                let slot = if let Some(control) = &c.control {
                    if control.field {
                        Slot::FormField
                    } else {
                        Slot::ContentControl
                    }
                } else if !c.choices.is_empty() && !c.is_tick() {
                    Slot::Checkboxes
                } else if c.insert_at.is_some() {
                    Slot::NewParagraph
                } else if c.para_tag.0 != 0 && c.start == 0 {
                    // A paragraph of the body, not a table's cell.
                    Slot::Paragraph
                } else {
                    continue;
                };
                facts.slots.insert((r as u32, c.col), slot);
            }
            for c in cells
                .iter()
                .filter(|c| !c.choices.is_empty() && !c.is_tick())
            {
                facts.validations.push(crate::xlsx::sheet::Validation {
                    ranges: vec![crate::xlsx::Range {
                        first_row: r as u32,
                        first_col: c.col,
                        last_row: r as u32,
                        last_col: c.col,
                    }],
                    source: crate::xlsx::sheet::ListSource::Values(
                        c.choices.iter().map(|ch| ch.label.clone()).collect(),
                    ),
                });
            }
        }
        facts
    }

    /// The table as a grid of cell text, for layout detection.
    pub fn grid(&self, name: String) -> Sheet {
        let rows = self
            .rows
            .iter()
            .map(|cells| {
                let width = cells.iter().map(|c| c.col as usize + 1).max().unwrap_or(0);
                let mut row = vec![String::new(); width];
                for c in cells {
                    row[c.col as usize] = c.text.clone();
                }
                row
            })
            .collect();
        Sheet {
            name,
            first_row: 0,
            first_col: 0,
            rows,
        }
    }
}

/// The name of the grid of table `i` (0-based): `Table 1` for the first.
pub fn table_name(i: usize) -> String {
    format!("Table {}", i + 1)
}

/// The grid of the questions written as paragraphs, outside tables.
pub const TEXT: &str = "Text";

/// The index `patch` addresses [`TEXT`] by.
pub const TEXT_INDEX: usize = usize::MAX;

/// A Word document's questions: its top-level tables, and its numbered paragraph questions as
/// one more table (`ID | Question | Answer`, named [`TEXT`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    pub tables: Vec<Table>,
    pub text: Option<Table>,
    /// `word/settings.xml` enforces protection for form filling: only form fields and content
    /// controls may be written.
    pub forms_only: bool,
    /// The prefix of the main namespace in this document ("" when it is the default
    /// namespace), and that namespace: what [`patch`] writes its elements with.
    pub prefix: String,
    pub namespace: String,
}

impl Document {
    /// [`Document::parse_with`] under the default [`Limits`].
    pub fn parse(xml: &str) -> std::result::Result<Document, ParseError> {
        Document::parse_with(xml, &Limits::default())
    }

    /// Read `document.xml` (a leading byte order mark is skipped: offsets count from after
    /// it), refusing tables and paragraph questions past `limits`.
    pub fn parse_with(xml: &str, limits: &Limits) -> std::result::Result<Document, ParseError> {
        let xml = without_bom(xml);
        let mut tables = scan_with(xml, limits)?;
        for t in &mut tables {
            let folded = t.fold_prompts_above_answers();
            t.add_form_header(folded);
        }
        let (prefix, namespace) = main_prefix(xml);
        let text = paragraph_questions(xml, limits, &tables)?;
        Ok(Document {
            tables,
            text,
            forms_only: false,
            prefix,
            namespace,
        })
    }

    /// The table at an index: a table's position, or [`TEXT_INDEX`].
    pub fn table(&self, index: usize) -> Option<&Table> {
        if index == TEXT_INDEX {
            self.text.as_ref()
        } else {
            self.tables.get(index)
        }
    }

    /// Every table's grid, the paragraphs' last.
    pub fn grids(&self) -> Vec<Sheet> {
        let mut grids: Vec<Sheet> = self
            .tables
            .iter()
            .enumerate()
            .map(|(i, t)| t.grid(table_name(i)))
            .collect();
        grids.extend(self.text.as_ref().map(|t| t.grid(TEXT.into())));
        grids
    }
}

/// A paragraph of the body, outside tables.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Paragraph {
    tag: (usize, usize),
    close: Option<usize>,
    /// Where the paragraph ends (after `</w:p>`, or after `<w:p/>`).
    after: usize,
    props_end: Option<usize>,
    text: String,
    /// List numbering (`w:numPr`): Word's own "1.", "a)".
    numbered: bool,
    /// A heading (a `Heading…` or `Title` style, or an outline level): never an answer.
    heading: bool,
    run_props: Option<(usize, usize)>,
}

/// Questions written as paragraphs, read in one pass over the body's paragraphs outside
/// tables. Only a paragraph that could be a question is kept until the next one is read (its
/// answer slot): a body of millions of empty paragraphs costs no memory (see [`Budget`]).
fn paragraph_questions(
    xml: &str,
    limits: &Limits,
    tables: &[Table],
) -> std::result::Result<Option<Table>, ParseError> {
    let mut reader = Reader::from_str(xml);
    let mut budget = Budget::new(limits);
    let mut questions = ParagraphQuestions::new();
    // Top-level tables passed so far, and the last paragraph with text when it asks
    // something: a table of one empty cell right after it is where it is answered (a PIA's
    // "Does the system…?" over its "Click here to enter explanation." box).
    let mut tables_seen = 0_usize;
    let mut prompt: Option<(Paragraph, String, String)> = None;
    let mut depth = 0_usize;
    let mut txbx = 0_usize;
    let mut para: Option<Paragraph> = None;
    let mut in_text = false;
    let mut props_start = None;
    loop {
        let start = reader.buffer_position() as usize;
        let event = reader.read_event()?;
        let end = reader.buffer_position() as usize;
        if matches!(event, Event::Start(_) | Event::Empty(_)) {
            budget.take(1)?;
        }
        match event {
            Event::Eof => break,
            // A text box's paragraphs (`w:txbxContent` in a drawing) are not the body's.
            Event::Start(e) if local(&e) == "txbxContent" => txbx += 1,
            Event::End(e) if end_local(&e) == "txbxContent" => txbx = txbx.saturating_sub(1),
            _ if txbx != 0 => {}
            Event::Start(e) if local(&e) == "tbl" => {
                if depth == 0 {
                    let answer = tables.get(tables_seen).and_then(Table::answer_box);
                    questions.before_table(prompt.take(), answer, limits)?;
                    tables_seen += 1;
                }
                depth += 1;
            }
            Event::End(e) if end_local(&e) == "tbl" => depth = depth.saturating_sub(1),
            _ if depth != 0 => {}
            Event::Start(ref e) | Event::Empty(ref e) if local(e) == "p" => {
                let p = Paragraph {
                    tag: (start, end),
                    close: None,
                    after: end,
                    props_end: None,
                    text: String::new(),
                    numbered: false,
                    heading: false,
                    run_props: None,
                };
                if matches!(event, Event::Empty(_)) {
                    questions.push(p, limits)?;
                } else {
                    para = Some(p);
                }
            }
            Event::End(e) if end_local(&e) == "p" => {
                if let Some(mut p) = para.take() {
                    p.close = Some(start);
                    p.after = end;
                    let text = p.text.trim();
                    if !text.is_empty() {
                        prompt = (text.contains('?') || crate::text::reads_like_question(text))
                            .then(|| {
                                let (id, question) = match NUMBER.captures(text) {
                                    Some(c) => (c[1].to_string(), c[2].trim().to_string()),
                                    None => (String::new(), text.to_string()),
                                };
                                (p.clone(), id, question)
                            });
                    }
                    questions.push(p, limits)?;
                }
            }
            Event::End(e) if end_local(&e) == "pPr" => {
                if let Some(p) = para.as_mut() {
                    p.props_end.get_or_insert(end);
                }
            }
            Event::Start(ref e) | Event::Empty(ref e) if local(e) == "numPr" => {
                if let Some(p) = para.as_mut() {
                    p.numbered = true;
                }
            }
            Event::Start(ref e) | Event::Empty(ref e)
                if matches!(local(e), "pStyle" | "outlineLvl") =>
            {
                let style = attr_local(e, "val").unwrap_or_default().to_lowercase();
                if let Some(p) = para.as_mut()
                    && (local(e) == "outlineLvl"
                        || ["heading", "title", "subtitle"]
                            .iter()
                            .any(|h| style.starts_with(h)))
                {
                    p.heading = true;
                }
            }
            Event::Start(e) if local(&e) == "rPr" => props_start = Some(start),
            Event::End(e) if end_local(&e) == "rPr" => {
                if let (Some(s), Some(p)) = (props_start.take(), para.as_mut()) {
                    p.run_props.get_or_insert((s, end));
                }
            }
            Event::Start(e) if local(&e) == "t" => in_text = true,
            Event::End(e) if end_local(&e) == "t" => in_text = false,
            Event::Text(t) if in_text => {
                if let Some(p) = para.as_mut() {
                    p.text.push_str(&t.into_inner());
                }
            }
            Event::GeneralRef(r) if in_text => {
                if let Some(p) = para.as_mut() {
                    p.text.extend(crate::xlsx::entity_char(&r));
                }
            }
            Event::Empty(e) if local(&e) == "tab" => {
                if let Some(p) = para.as_mut() {
                    p.text.push('\t');
                }
            }
            _ => {}
        }
    }
    questions.finish(limits)
}

/// Labels that open an answer line: `Response:`, `Answer:`, `Vendor response:`.
const ANSWER_LABELS: [&str; 5] = [
    "response:",
    "answer:",
    "vendor response:",
    "vendor answer:",
    "reply:",
];

/// Questions written as paragraphs: a numbered paragraph ("1.", "Q3)", "2.4", or Word's own
/// list numbering) that reads like a question, followed by the paragraph its answer goes in:
/// an empty one, an answer line (`Response:`), or the answer already written. A question
/// followed straight by the next numbered paragraph has nowhere to answer and is not taken.
/// Paragraphs arrive one by one ([`ParagraphQuestions::push`]); only the last one that could
/// be a question is held.
struct ParagraphQuestions {
    rows: Vec<Vec<CellSpan>>,
    /// The previous paragraph when it is a question: it, its id and its question.
    pending: Option<(Paragraph, String, String)>,
}

static NUMBER: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"^\s*((?:Q(?:uestion)?\s*)?\d+(?:\.\d+)*)[.):]?\s+(.*)$").expect("regex")
});

impl ParagraphQuestions {
    fn new() -> ParagraphQuestions {
        ParagraphQuestions {
            rows: vec![vec![
                synthetic(0, "ID"),
                synthetic(1, "Question"),
                synthetic(2, "Answer"),
            ]],
            pending: None,
        }
    }

    fn push(&mut self, next: Paragraph, limits: &Limits) -> std::result::Result<(), ParseError> {
        if let Some((p, id, question)) = self.pending.take()
            && let Some(answer) = answer_slot(&p, &next).or_else(|| inserted_slot(&p, &question))
        {
            self.add(id, question, answer, limits)?;
        }
        let text = next.text.trim();
        let (id, question) = match NUMBER.captures(text) {
            Some(c) => (c[1].to_string(), c[2].trim().to_string()),
            None if next.numbered => (String::new(), text.to_string()),
            None => return Ok(()),
        };
        if crate::text::reads_like_question(&question) {
            self.pending = Some((next, id, question));
        }
        Ok(())
    }

    fn add(
        &mut self,
        id: String,
        question: String,
        answer: CellSpan,
        limits: &Limits,
    ) -> std::result::Result<(), ParseError> {
        let row = self.rows.len() as u32 + 1;
        if row > limits.max_rows {
            return Err(ParseError::Limit {
                message: format!(
                    "the paragraph questions (grid {TEXT:?}) reach row {row}, past the \
                         limit of {} rows per sheet",
                    limits.max_rows
                ),
                flag: "--max-rows",
            });
        }
        if limits.max_columns < 3 {
            return Err(ParseError::Limit {
                message: format!(
                    "the paragraph questions (grid {TEXT:?}) have 3 columns, over the \
                         limit of {} columns per sheet",
                    limits.max_columns
                ),
                flag: "--max-columns",
            });
        }
        self.rows
            .push(vec![synthetic(0, &id), synthetic(1, &question), answer]);
        Ok(())
    }

    /// A top-level table starts after `prompt` (the last paragraph with text, when it asks
    /// something); `answer` is the table's one empty cell, if that is all it is. A prompt
    /// with such a table is answered in it; a numbered question still waiting for its slot
    /// gets a new paragraph when the table is no answer box.
    fn before_table(
        &mut self,
        prompt: Option<(Paragraph, String, String)>,
        answer: Option<&CellSpan>,
        limits: &Limits,
    ) -> std::result::Result<(), ParseError> {
        let pending = self.pending.take();
        match (prompt, answer) {
            (Some((_, id, question)), Some(cell)) => {
                let mut cell = cell.clone();
                cell.col = 2;
                cell.span = 1;
                self.add(id, question, cell, limits)
            }
            _ => match pending {
                Some((p, id, question)) => match inserted_slot(&p, &question) {
                    Some(answer) => self.add(id, question, answer, limits),
                    None => Ok(()),
                },
                None => Ok(()),
            },
        }
    }

    fn finish(mut self, limits: &Limits) -> std::result::Result<Option<Table>, ParseError> {
        if let Some((p, id, question)) = self.pending.take()
            && let Some(answer) = inserted_slot(&p, &question)
        {
            self.add(id, question, answer, limits)?;
        }
        // Numbered by Word's own lists, the questions carry no id in their text: no id column.
        if self.rows[1..].iter().all(|r| r[0].text.is_empty()) {
            self.rows[0][0].text.clear();
        }
        Ok((self.rows.len() > 1).then_some(Table {
            rows: self.rows,
            grid_cols: 0,
        }))
    }
}

/// The answer slot of a question paragraph with nowhere to answer (the next paragraph is the
/// next question, or there is none): a new paragraph after it, when it asks (a bare list of
/// questions; a numbered "Confirm that…" step of a form's instructions is no question).
fn inserted_slot(p: &Paragraph, question: &str) -> Option<CellSpan> {
    if !question.contains('?') {
        return None;
    }
    let mut answer = synthetic(2, "");
    answer.insert_at = Some(p.after);
    answer.run_props = p.run_props;
    Some(answer)
}

/// The answer cell of question paragraph `p` when `next` is a place to answer it.
fn answer_slot(p: &Paragraph, next: &Paragraph) -> Option<CellSpan> {
    let next_text = next.text.trim();
    let lower = next_text.to_lowercase();
    let (existing, label) = if next_text.is_empty() {
        (String::new(), None)
    } else if let Some(label) = ANSWER_LABELS.iter().find(|l| lower.starts_with(*l)) {
        // The label is ASCII, so its length in `lower` is its length in the text, except
        // after a character whose lower case is shorter: then no label is kept.
        let (written, rest) = (next_text.get(..label.len())?, next_text.get(label.len()..)?);
        (rest.trim().to_string(), Some(written.to_string()))
    } else if next.numbered || next.heading || NUMBER.is_match(next_text) {
        // The next question, a heading or a numbered one: nowhere to answer this one.
        return None;
    } else {
        // An answer already written (a completed questionnaire).
        (next_text.to_string(), None)
    };
    let mut answer = synthetic(2, &existing);
    answer.para_tag = next.tag;
    answer.para_close = next.close;
    answer.props_end = next.props_end;
    answer.run_props = next.run_props.or(p.run_props);
    answer.after_label = label.is_some();
    answer.label = label.unwrap_or_default();
    Some(answer)
}

/// A cell that is not in the document (a header row trustfill adds for detection): it has no
/// paragraph, so nothing is ever written into it.
fn synthetic(col: u32, text: &str) -> CellSpan {
    CellSpan {
        col,
        span: 1,
        merge: Merge::None,
        start: 0,
        end: 0,
        para_tag: (0, 0),
        para_close: None,
        props_end: None,
        run_props: None,
        text: text.into(),
        choices: Vec::new(),
        after_label: false,
        label: String::new(),
        insert_at: None,
        control: None,
    }
}

/// Read a .docx's main document part (with the package limits of [`crate::xlsx`]). Word
/// packages get Word's own words: a damaged zip, or a zip without `word/document.xml`.
pub fn read_document(path: &Path) -> Result<String> {
    let mut zip = open_zip(path).map_err(|_| Error::Spreadsheet {
        path: path.to_path_buf(),
        message: "the file is damaged: not a Word document (zip package)".into(),
    })?;
    if zip.by_name(DOCUMENT).is_err() {
        return Err(Error::Spreadsheet {
            path: path.to_path_buf(),
            message: format!(
                "the package has no {DOCUMENT}: it is a zip file, but not a Word document"
            ),
        });
    }
    read_part(&mut zip, path, DOCUMENT)
}

/// The questions' tables of a .docx, and whether it is protected for form filling; refused
/// past `limits`.
pub fn read_document_tables(path: &Path, limits: &Limits) -> Result<Document> {
    let xml = read_document(path)?;
    let mut doc = Document::parse_with(&xml, limits).map_err(|e| e.into_error(path))?;
    let mut zip = open_zip(path)?;
    doc.forms_only = read_part(&mut zip, path, SETTINGS)
        .map(|settings| protected_for_forms(&settings))
        .unwrap_or(false);
    Ok(doc)
}

/// The document settings part.
pub const SETTINGS: &str = "word/settings.xml";

/// Whether `settings.xml` enforces protection for form filling only: its
/// `w:documentProtection` element's attributes, however quoted or ordered.
pub fn protected_for_forms(settings: &str) -> bool {
    let mut reader = Reader::from_str(settings);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) if local(&e) == "documentProtection" => {
                return attr_local(&e, "edit").as_deref() == Some("forms")
                    && matches!(
                        attr_local(&e, "enforcement").as_deref(),
                        Some("1" | "true" | "on")
                    );
            }
            Ok(Event::Eof) | Err(_) => return false,
            Ok(_) => {}
        }
    }
}

/// [`scan_with`] under the default [`Limits`].
pub fn scan(xml: &str) -> std::result::Result<Vec<Table>, ParseError> {
    scan_with(xml, &Limits::default())
}

/// The top-level tables of `document.xml`, with their cells' offsets and text, refused past
/// `limits` (rows, columns, elements) or when a cell spans more columns than its table has.
pub fn scan_with(xml: &str, limits: &Limits) -> std::result::Result<Vec<Table>, ParseError> {
    let xml = without_bom(xml);
    let mut reader = Reader::from_str(xml);
    let mut budget = Budget::new(limits);
    let mut tables: Vec<Table> = Vec::new();
    // Nesting depth of tables; only depth 1 is read as a grid.
    let mut depth = 0_usize;
    // Inside a text box (`w:txbxContent`): its paragraphs are not the cell's.
    let mut txbx = 0_usize;
    let mut in_grid = false;
    let mut cell: Option<CellSpan> = None;
    let mut col = 0_u32;
    let mut span = 1_u32;
    // Inside a paragraph of the current cell, its properties, a run's properties, `<w:t>`.
    let mut in_para = false;
    let mut in_para_props = false;
    let mut props_start: Option<usize> = None;
    let mut in_text = false;
    // The cell's paragraph-mark and first-run properties.
    let mut mark_props: Option<(usize, usize)> = None;
    let mut run_props: Option<(usize, usize)> = None;
    // A content control checkbox's state element, until its glyph is read.
    let mut pending_checked: Option<(usize, usize)> = None;
    // The content control being read in the current cell, and how deep.
    let mut sdt: Option<Control> = None;
    let mut sdt_depth = 0_usize;
    let mut sdt_checkbox = false;
    // Where the current `<w:t>`'s text starts.
    let mut text_from = 0_usize;
    // A legacy form checkbox being read: its `w:default`, its `w:checked`, its state.
    type Legacy = (Option<(usize, usize)>, Option<(usize, usize)>, bool);
    let mut legacy: Option<Legacy> = None;
    // A legacy text field's data was read (`w:textInput`), and its result is being read.
    let mut text_field = false;
    let mut in_field_result = false;
    // Where the cell being read is, for errors: "Table 2, row 3, cell 1".
    let at = |tables: &[Table]| {
        let rows = tables.last().map_or(&[][..], |t| &t.rows[..]);
        format!(
            "{}, row {}, cell {}",
            table_name(tables.len().saturating_sub(1)),
            rows.len(),
            rows.last().map_or(0, Vec::len) + 1
        )
    };
    loop {
        let start = reader.buffer_position() as usize;
        let event = reader.read_event()?;
        let mut end = reader.buffer_position() as usize;
        if matches!(event, Event::Start(_) | Event::Empty(_)) {
            budget.take(1)?;
        }
        let is_start = matches!(event, Event::Start(_));
        match event {
            Event::Eof => break,
            Event::Start(e) if local(&e) == "txbxContent" => txbx += 1,
            Event::End(e) if end_local(&e) == "txbxContent" => txbx = txbx.saturating_sub(1),
            _ if txbx != 0 => {}
            Event::Start(e) if local(&e) == "tbl" => {
                depth += 1;
                if depth == 1 {
                    tables.push(Table::default());
                }
            }
            Event::End(e) if end_local(&e) == "tbl" => {
                // The grid positions no cell covers (a short row, `w:gridBefore`) are kept
                // as locked slots: they count against the budget as the cells would.
                if depth == 1
                    && let Some(t) = tables.last()
                {
                    budget.take(t.gaps())?;
                }
                depth = depth.saturating_sub(1);
            }
            _ if depth != 1 => {}
            Event::Start(e) if local(&e) == "tblGrid" => in_grid = true,
            Event::End(e) if end_local(&e) == "tblGrid" => in_grid = false,
            Event::Start(ref e) | Event::Empty(ref e) if in_grid && local(e) == "gridCol" => {
                if let Some(t) = tables.last_mut() {
                    t.grid_cols += 1;
                }
            }
            Event::Start(e) if local(&e) == "tr" => {
                let name = table_name(tables.len().saturating_sub(1));
                if let Some(t) = tables.last_mut() {
                    if t.rows.len() as u64 >= u64::from(limits.max_rows) {
                        return Err(ParseError::Limit {
                            message: format!(
                                "{name} row {} is past the limit of {} rows per sheet",
                                limits.max_rows as u64 + 1,
                                limits.max_rows
                            ),
                            flag: "--max-rows",
                        });
                    }
                    t.rows.push(Vec::new());
                }
                col = 0;
            }
            // A row that starts further right (`w:gridBefore` in its properties, before its
            // first cell): its first cell is in that grid column.
            Event::Start(ref e) | Event::Empty(ref e)
                if cell.is_none() && local(e) == "gridBefore" =>
            {
                let before: u32 = attr_local(e, "val")
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                let grid = tables.last().map_or(0, |t| t.grid_cols);
                col = if grid > 0 { before.min(grid) } else { before };
            }
            Event::Start(ref e) | Event::Empty(ref e) if cell.is_some() && local(e) == "vMerge" => {
                let restart = attr_local(e, "val").as_deref() == Some("restart");
                if let Some(c) = cell.as_mut() {
                    c.merge = if restart {
                        Merge::Restart
                    } else {
                        Merge::Continue
                    };
                }
            }
            Event::Start(e) if local(&e) == "tc" => {
                if col >= limits.max_columns {
                    return Err(ParseError::Limit {
                        message: format!(
                            "{} is in column {}, past the limit of {} columns per sheet",
                            at(&tables),
                            u64::from(col) + 1,
                            limits.max_columns
                        ),
                        flag: "--max-columns",
                    });
                }
                span = 1;
                mark_props = None;
                run_props = None;
                cell = Some(CellSpan {
                    col,
                    span: 1,
                    merge: Merge::None,
                    start,
                    end: start,
                    para_tag: (0, 0),
                    para_close: None,
                    props_end: None,
                    run_props: None,
                    text: String::new(),
                    choices: Vec::new(),
                    after_label: false,
                    label: String::new(),
                    insert_at: None,
                    control: None,
                });
            }
            // Content controls directly in the cell's paragraphs (not checkboxes).
            Event::Start(e) if cell.is_some() && local(&e) == "sdt" => {
                sdt_depth += 1;
                if sdt_depth == 1 {
                    sdt = Some(Control::default());
                    sdt_checkbox = false;
                }
            }
            Event::End(e) if end_local(&e) == "sdt" => {
                sdt_depth = sdt_depth.saturating_sub(1);
                if sdt_depth == 0
                    && let (Some(s), Some(c)) = (sdt.take(), cell.as_mut())
                    && !sdt_checkbox
                    && c.control.is_none()
                {
                    c.control = Some(Box::new(s));
                }
            }
            Event::Start(ref e) | Event::Empty(ref e)
                if sdt.is_some() && local(e) == "checkbox" =>
            {
                sdt_checkbox = true;
            }
            Event::Start(ref e) | Event::Empty(ref e)
                if sdt.is_some() && local(e) == "showingPlcHdr" =>
            {
                end = element_end(&mut reader, e, is_start, end)?;
                if let Some(s) = sdt.as_mut() {
                    s.placeholder = Some((start, end));
                }
            }
            Event::Start(ref e) | Event::Empty(ref e)
                if sdt.is_some() && local(e) == "listItem" =>
            {
                let item = attr_local(e, "displayText").or_else(|| attr_local(e, "value"));
                if let (Some(s), Some(item)) = (sdt.as_mut(), item) {
                    s.items.push(item);
                }
            }
            Event::Start(ref e) | Event::Empty(ref e) if local(e) == "gridSpan" => {
                span = attr_local(e, "val")
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(1)
                    .max(1);
                let grid = tables.last().map_or(0, |t| t.grid_cols);
                // A cell wider than its table's own grid is damage (Word repairs it on
                // opening); a span past the column limit is refused before it is allocated.
                if grid > 0 && span > grid {
                    return Err(ParseError::Damaged(format!(
                        "{} spans {span} columns (w:gridSpan), but the table's grid has {grid} \
                         (w:tblGrid)",
                        at(&tables)
                    )));
                }
                if u64::from(col) + u64::from(span) > u64::from(limits.max_columns) {
                    return Err(ParseError::Limit {
                        message: format!(
                            "{} spans {span} columns from column {} (w:gridSpan), past the \
                             limit of {} columns per sheet",
                            at(&tables),
                            u64::from(col) + 1,
                            limits.max_columns
                        ),
                        flag: "--max-columns",
                    });
                }
                budget.take(u64::from(span) - 1)?;
            }
            Event::End(e) if end_local(&e) == "tc" => {
                if let (Some(mut c), Some(t)) = (cell.take(), tables.last_mut()) {
                    c.end = end;
                    c.span = span;
                    c.text = c.text.trim_end_matches('\n').to_string();
                    c.run_props = run_props.or(mark_props);
                    // A control showing its placeholder ("Choose an item.") holds no answer.
                    if let Some(control) = c.control.as_mut() {
                        if control.placeholder.is_some() {
                            control.value.clear();
                        }
                        c.text = control.value.trim().to_string();
                    }
                    // Each box's label: the text after it, up to the next box.
                    if !c.choices.is_empty() {
                        let labels: Vec<String> = c
                            .text
                            .split(BOXES)
                            .skip(1)
                            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                            .collect();
                        for (choice, label) in c.choices.iter_mut().zip(labels) {
                            choice.label = label;
                        }
                        // One box with its words before it ("Yes ☐"): they are its label.
                        if let [only] = c.choices.as_mut_slice()
                            && only.label.is_empty()
                        {
                            let before = c.text.split(BOXES).next().unwrap_or_default();
                            only.label = before.split_whitespace().collect::<Vec<_>>().join(" ");
                        }
                        // A lone box with no words of its own (one per option column,
                        // the labels in the header) is a place for a mark: "X" when ticked.
                        c.text = if c.is_tick() {
                            if c.choices[0].checked { "X" } else { "" }.to_string()
                        } else {
                            choice_text(&c.choices)
                        };
                    }
                    if let Some(row) = t.rows.last_mut() {
                        row.push(c);
                    }
                }
                col = col.saturating_add(span);
            }
            Event::Start(ref e) | Event::Empty(ref e) if local(e) == "p" => {
                let empty = matches!(event, Event::Empty(_));
                if let Some(c) = cell.as_mut() {
                    if c.para_tag == (0, 0) {
                        c.para_tag = (start, end);
                    }
                    if empty {
                        c.text.push('\n');
                    }
                }
                in_para = !empty;
            }
            Event::End(e) if end_local(&e) == "p" => {
                if let Some(c) = cell.as_mut() {
                    if c.para_close.is_none() && c.para_tag.0 != 0 {
                        c.para_close = Some(start);
                    }
                    c.text.push('\n');
                }
                in_para = false;
            }
            Event::Start(e) if local(&e) == "pPr" => in_para_props = true,
            Event::End(e) if end_local(&e) == "pPr" => {
                in_para_props = false;
                // The first paragraph's properties, kept by `--overwrite`.
                if let Some(c) = cell.as_mut()
                    && c.para_close.is_none()
                    && c.para_tag.0 != 0
                {
                    c.props_end.get_or_insert(end);
                }
            }
            Event::Start(e) if in_para && local(&e) == "rPr" => props_start = Some(start),
            Event::End(e) if end_local(&e) == "rPr" => {
                if let Some(s) = props_start.take() {
                    let slot = if in_para_props {
                        &mut mark_props
                    } else {
                        &mut run_props
                    };
                    slot.get_or_insert((s, end));
                }
            }
            Event::Start(e) if in_para && local(&e) == "t" => {
                in_text = true;
                text_from = end;
            }
            Event::End(e) if end_local(&e) == "t" => {
                in_text = false;
                // A content control's first text, whole (entities included), to replace.
                if let Some(s) = sdt.as_mut() {
                    s.text.get_or_insert((text_from, start));
                }
            }
            Event::Text(t) if in_text => {
                if let Some(s) = sdt.as_mut() {
                    s.value.push_str(&t.clone().into_inner());
                }
                if let Some(c) = cell.as_mut() {
                    let text = t.into_inner();
                    for (i, ch) in text.char_indices().filter(|(_, ch)| BOXES.contains(ch)) {
                        c.choices.push(Choice {
                            label: String::new(),
                            checked: ch != BOXES[0],
                            glyph: (start + i, start + i + ch.len_utf8()),
                            checked_element: pending_checked.take(),
                            legacy: false,
                        });
                    }
                    c.text.push_str(&text);
                }
            }
            // A legacy text form field (`FORMTEXT`): its result, between the `separate` and
            // `end` field characters, is the answer slot, like a text content control.
            Event::Start(ref e) | Event::Empty(ref e)
                if cell.is_some() && local(e) == "textInput" =>
            {
                text_field = true;
            }
            Event::Start(ref e) | Event::Empty(ref e)
                if cell.is_some() && local(e) == "fldChar" =>
            {
                match attr_local(e, "fldCharType").as_deref() {
                    Some("separate") if text_field && sdt.is_none() => {
                        sdt = Some(Control {
                            field: true,
                            ..Control::default()
                        });
                        in_field_result = true;
                    }
                    Some("end") => {
                        if in_field_result
                            && let (Some(s), Some(c)) = (sdt.take(), cell.as_mut())
                            && c.control.is_none()
                        {
                            c.control = Some(Box::new(s));
                        }
                        in_field_result = false;
                        text_field = false;
                    }
                    _ => {}
                }
            }
            // A legacy form checkbox: `<w:checkBox>` in a field's `<w:ffData>`, its state in
            // `<w:default w:val>` unless a `<w:checked>` overrides it.
            Event::Start(ref e) | Event::Empty(ref e) if local(e) == "checkBox" => {
                legacy = Some((None, None, false));
                if matches!(event, Event::Empty(_)) {
                    legacy = None;
                }
            }
            Event::Start(ref e) | Event::Empty(ref e)
                if legacy.is_some() && local(e) == "default" =>
            {
                let on = matches!(attr_local(e, "val").as_deref(), Some("1" | "true" | "on"));
                end = element_end(&mut reader, e, is_start, end)?;
                if let Some(l) = legacy.as_mut() {
                    l.0 = Some((start, end));
                    if l.1.is_none() {
                        l.2 = on;
                    }
                }
            }
            Event::Start(ref e) | Event::Empty(ref e)
                if legacy.is_some() && local(e) == "checked" =>
            {
                let on = !matches!(attr_local(e, "val").as_deref(), Some("0" | "false" | "off"));
                end = element_end(&mut reader, e, is_start, end)?;
                if let Some(l) = legacy.as_mut() {
                    l.1 = Some((start, end));
                    l.2 = on;
                }
            }
            Event::End(e) if end_local(&e) == "checkBox" => {
                if let (Some((Some(default), checked, on)), Some(c)) =
                    (legacy.take(), cell.as_mut())
                {
                    c.choices.push(Choice {
                        label: String::new(),
                        checked: on,
                        glyph: default,
                        checked_element: checked,
                        legacy: true,
                    });
                    // A box in the text, so that labels split as for typed boxes.
                    c.text.push(if on { BOXES[1] } else { BOXES[0] });
                }
            }
            Event::Start(ref e) | Event::Empty(ref e) if local(e) == "checked" => {
                // `<w14:checked w14:val="1"/>` in a checkbox content control's properties.
                end = element_end(&mut reader, e, is_start, end)?;
                pending_checked = Some((start, end));
            }
            Event::GeneralRef(r) if in_text => {
                if let Some(c) = cell.as_mut() {
                    let ch = crate::xlsx::entity_char(&r);
                    if let Some(s) = sdt.as_mut() {
                        s.value.extend(ch);
                    }
                    if let Some(ch) = ch.filter(|ch| BOXES.contains(ch)) {
                        c.choices.push(Choice {
                            label: String::new(),
                            checked: ch != BOXES[0],
                            glyph: (start, end),
                            checked_element: pending_checked.take(),
                            legacy: false,
                        });
                    }
                    c.text.extend(ch);
                }
            }
            Event::Empty(e) if in_para && local(&e) == "tab" => {
                if let Some(c) = cell.as_mut() {
                    c.text.push('\t');
                }
            }
            Event::Empty(e) if in_para && matches!(local(&e), "br" | "cr") => {
                if let Some(c) = cell.as_mut() {
                    c.text.push('\n');
                }
                // A text control's answer of several lines.
                if let Some(s) = sdt.as_mut() {
                    s.value.push('\n');
                }
            }
            _ => {}
        }
    }
    Ok(tables)
}

/// Where an element this scan replaces whole (a checkbox's state, a placeholder flag) ends:
/// it may be written `<w:default …></w:default>`, and then its span runs to its end tag.
fn element_end(
    reader: &mut Reader<&[u8]>,
    e: &quick_xml::events::BytesStart<'_>,
    is_start: bool,
    end: usize,
) -> std::result::Result<usize, ParseError> {
    if is_start {
        reader.read_to_end(e.name())?;
        Ok(reader.buffer_position() as usize)
    } else {
        Ok(end)
    }
}

/// The qualified name of the element whose start tag begins `tag` (`<w:p w:rsidR="…">` →
/// `w:p`), to close or rewrite it under its own name.
pub(crate) fn element_qname(tag: &str) -> &str {
    tag.trim_start_matches('<')
        .split(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .next()
        .unwrap_or("")
}

/// The local name of an end tag (`w:tc` -> `tc`).
fn end_local<'a>(e: &'a quick_xml::events::BytesEnd<'_>) -> &'a str {
    let name = e.name().into_inner();
    match name.find(':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const DOC: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Vendor Security Questionnaire</w:t></w:r></w:p><w:tbl><w:tblPr/><w:tr><w:tc><w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Question</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Response</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>Access control</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t xml:space="preserve">Do you enforce MFA for </w:t></w:r><w:ins w:id="1" w:author="A"><w:r><w:t>all </w:t></w:r></w:ins><w:del w:id="2" w:author="A"><w:r><w:delText>some </w:delText></w:r></w:del><w:r><w:t>administrators?</w:t></w:r></w:p></w:tc><w:tc><w:p><w:pPr><w:rPr><w:sz w:val="18"/></w:rPr></w:pPr></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>Is data encrypted at rest &amp; in backups?</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>nested</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p/></w:tc><w:tc><w:p/></w:tc></w:tr></w:tbl><w:sectPr/></w:body></w:document>"#;

    #[test]
    fn tables_read_as_grids_with_spans_tracked_changes_and_nesting() {
        let tables = scan(DOC).unwrap();
        assert_eq!(tables.len(), 1, "the nested table is part of its cell");
        let grid = tables[0].grid(table_name(0));
        assert_eq!(grid.name, "Table 1");
        assert_eq!(grid.rows[0], ["Question", "Response"]);
        assert_eq!(grid.rows[1], ["Access control"], "a spanning section row");
        assert_eq!(
            grid.rows[2],
            ["Do you enforce MFA for all administrators?", ""],
            "inserted text counts, deleted text does not"
        );
        assert_eq!(
            grid.rows[3][0], "Is data encrypted at rest & in backups?",
            "entities are read; nested text is not the cell's"
        );
        let answer = tables[0].cell(2, 1).unwrap();
        assert!(DOC[answer.para_tag.0..answer.para_tag.1].starts_with("<w:p>"));
        let props = answer.run_props.unwrap();
        assert_eq!(
            &DOC[props.0..props.1],
            r#"<w:rPr><w:sz w:val="18"/></w:rPr>"#
        );
        let empty = tables[0].cell(3, 1).unwrap();
        assert_eq!(&DOC[empty.para_tag.0..empty.para_tag.1], "<w:p/>");
        assert_eq!(empty.para_close, None);
    }

    /// A table laid out as Word lays it out: a row starting one column in (`w:gridBefore`)
    /// and short of the grid (`w:gridAfter`), a cell spanning two columns, a vertical merge,
    /// a lone box per option column and a box with its label before it.
    #[test]
    fn the_grid_follows_spans_merges_and_short_rows_as_word_renders_them() {
        let tc = |props: &str, text: &str| {
            format!("<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>")
        };
        let restart = r#"<w:vMerge w:val="restart"/>"#;
        let cont = "<w:vMerge/>";
        let xml = format!(
            r#"<w:document xmlns:w="{MAIN_NS}"><w:body><w:tbl><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid><w:tr>{}{}{}</w:tr><w:tr>{}{}{}{}</w:tr><w:tr><w:trPr><w:gridBefore w:val="1"/><w:gridAfter w:val="1"/></w:trPr>{}{}</w:tr><w:tr>{}</w:tr></w:tbl></w:body></w:document>"#,
            tc(restart, "Id"),
            tc(r#"<w:gridSpan w:val="2"/>"#, "Question"),
            tc("", "Yes \u{2610}"),
            tc(cont, ""),
            tc("", "Q?"),
            tc("", "\u{2612}"),
            tc("", "\u{2610}"),
            tc("", "guidance"),
            tc("", "more"),
            tc(r#"<w:gridSpan w:val="4"/>"#, "section"),
        );
        let doc = Document::parse(&xml).unwrap();
        let t = &doc.tables[0];
        assert_eq!(t.width(), 4);
        // The gridBefore row's cells sit one column in.
        assert_eq!(t.rows[2].iter().map(|c| c.col).collect::<Vec<_>>(), [1, 2]);
        // A spanned column is the spanning cell's; a merged-down cell is the one it continues.
        assert_eq!(t.cell(0, 2).unwrap().text, "Question");
        assert_eq!(t.cell(1, 0).unwrap().text, "Id");
        assert_eq!(t.cell(1, 0).unwrap().merge, Merge::Restart);
        assert!(
            t.cell(2, 0).is_none() && t.cell(2, 3).is_none(),
            "no cell there"
        );
        // A lone unlabelled box is a tick slot ("X" when ticked); a box after words is
        // labelled by them.
        assert!(t.cell(1, 2).unwrap().is_tick());
        assert_eq!(t.cell(1, 2).unwrap().text, "X");
        assert_eq!(t.cell(1, 3).unwrap().text, "");
        assert!(!t.cell(0, 3).unwrap().is_tick());
        assert_eq!(t.cell(0, 3).unwrap().choices[0].label, "Yes");
        let merged: Vec<(u32, u32, u32, u32)> = t
            .merged()
            .iter()
            .map(|r| (r.first_row, r.first_col, r.last_row, r.last_col))
            .collect();
        assert_eq!(merged, [(0, 0, 1, 0), (0, 1, 0, 2), (3, 0, 3, 3)]);
        let facts = t.facts(false);
        assert_eq!(facts.merged.len(), 3);
        use crate::xlsx::sheet::Locked;
        assert_eq!(facts.locked(2, 0), Some(Locked::NoCell), "before the row");
        assert_eq!(facts.locked(2, 3), Some(Locked::NoCell), "after the row");
        assert_eq!(facts.locked(1, 4), Some(Locked::NoCell), "past the table");
        assert_eq!(facts.locked(1, 1), None);
        // Tick slots are no dropdown; the labelled box is.
        assert_eq!(facts.validations.len(), 1);
        let grid = t.grid("t".into());
        assert_eq!(grid.rows[2], ["", "guidance", "more"]);
        assert_eq!(grid.rows[1], ["", "Q?", "X", ""]);
    }

    pub(crate) const PARAS: &str = r#"<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>Security questions</w:t></w:r></w:p><w:p><w:r><w:t>1. Do you encrypt data at rest?</w:t></w:r></w:p><w:p/><w:p><w:r><w:t>2) Describe your incident response process.</w:t></w:r></w:p><w:p><w:r><w:rPr><w:i/></w:rPr><w:t>Response:</w:t></w:r></w:p><w:p><w:r><w:t>Q3. Is MFA required?</w:t></w:r></w:p><w:p><w:r><w:t>Yes, for all staff.</w:t></w:r></w:p><w:p><w:r><w:t>3.1 Is there a password policy?</w:t></w:r></w:p><w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>Are backups tested?</w:t></w:r></w:p><w:p></w:p><w:p><w:r><w:t>4. Company name</w:t></w:r></w:p><w:p/><w:tbl><w:tr><w:tc><w:p><w:r><w:t>5. Is this in a table?</w:t></w:r></w:p><w:p/></w:tc></w:tr></w:tbl></w:body></w:document>"#;

    #[test]
    fn numbered_paragraph_questions_with_a_place_to_answer_are_read() {
        let doc = Document::parse(PARAS).unwrap();
        let text = doc.text.as_ref().expect("paragraph questions");
        let grid = text.grid(TEXT.into());
        let rows: Vec<(&str, &str, &str)> = grid
            .rows
            .iter()
            .map(|r| (r[0].as_str(), r[1].as_str(), r[2].as_str()))
            .collect();
        assert_eq!(
            rows,
            [
                ("ID", "Question", "Answer"),
                ("1", "Do you encrypt data at rest?", ""),
                ("2", "Describe your incident response process.", ""),
                ("Q3", "Is MFA required?", "Yes, for all staff."),
                ("3.1", "Is there a password policy?", ""),
                ("", "Are backups tested?", ""),
            ],
            "'4. Company name' is not a question; table text is not a paragraph"
        );
        // 3.1 is followed straight by the next question: its answer is a new paragraph.
        let inserted = text.cell(4, 2).unwrap();
        assert_eq!(inserted.para_tag, (0, 0));
        let at = inserted.insert_at.expect("a place to insert");
        assert!(PARAS[..at].ends_with("Is there a password policy?</w:t></w:r></w:p>"));
        assert!(text.cell(2, 2).unwrap().after_label);
        assert_eq!(doc.grids().last().unwrap().name, "Text");
        assert!(doc.table(TEXT_INDEX).is_some());
    }

    fn limits() -> Limits {
        Limits::default()
    }

    /// A one-row table whose second cell spans `span` columns, with a grid of `grid` columns.
    fn spanning(grid: usize, span: &str) -> String {
        format!(
            r#"<w:document xmlns:w="{MAIN_NS}"><w:body><w:tbl><w:tblGrid>{}</w:tblGrid><w:tr><w:tc><w:p/></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>Q?</w:t></w:r></w:p></w:tc><w:tc><w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr><w:p/></w:tc></w:tr></w:tbl></w:body></w:document>"#,
            "<w:gridCol/>".repeat(grid)
        )
    }

    #[test]
    fn a_span_wider_than_its_table_or_the_column_limit_is_refused() {
        // Issue 22: `w:gridSpan w:val="4294967295"` in a 1 KB file allocated 103 GB.
        let err = Document::parse(&spanning(3, "4294967295")).unwrap_err();
        let ParseError::Damaged(message) = &err else {
            panic!("{err:?}")
        };
        assert!(
            message.contains("Table 1, row 2, cell 2 spans 4294967295 columns")
                && message.contains("grid has 3"),
            "{message}"
        );
        // Without a grid, the column limit bounds it.
        let err = Document::parse(&spanning(0, "4294967295")).unwrap_err();
        assert!(
            matches!(&err, ParseError::Limit { flag: "--max-columns", message } if message.contains("Table 1, row 2, cell 2")),
            "{err:?}"
        );
        let narrow = Limits {
            max_columns: 2,
            ..limits()
        };
        assert!(Document::parse_with(&spanning(3, "2"), &narrow).is_err());
        // A span reaching exactly the column limit is within it.
        let exact = Limits {
            max_columns: 3,
            ..limits()
        };
        assert!(Document::parse_with(&spanning(3, "2"), &exact).is_ok());
        // A span counts its extra columns against the element limit: one more here...
        let xml = spanning(3, "2");
        let mut reader = Reader::from_str(&xml);
        let mut elements = 0;
        loop {
            match reader.read_event().unwrap() {
                Event::Start(_) | Event::Empty(_) => elements += 1,
                Event::Eof => break,
                _ => {}
            }
        }
        let within = |max_xml_elements| {
            Document::parse_with(
                &xml,
                &Limits {
                    max_xml_elements,
                    ..limits()
                },
            )
            .is_ok()
        };
        // ... and so do the grid positions no cell covers: two in the first row, whose one
        // cell leaves two of the table's three columns empty.
        assert!(within(elements + 3));
        assert!(!within(elements + 2));
        let doc = Document::parse(&spanning(3, "2")).unwrap();
        // Row 1 is the header a two-column form gets.
        assert_eq!(doc.tables[0].grid("t".into()).rows[2], ["Q?", ""]);
        assert_eq!(doc.tables[0].grid_cols, 3);
        // A cell's run properties are its first run's, not its paragraph mark's (inside
        // `w:pPr`), which only stand in when the cell has no run.
        let marked = format!(
            r#"<w:document xmlns:w="{MAIN_NS}"><w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Question</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Answer</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>Q?</w:t></w:r></w:p></w:tc><w:tc><w:p><w:pPr><w:rPr><w:sz w:val="18"/></w:rPr></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>old</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>"#
        );
        let doc = Document::parse(&marked).unwrap();
        let (s, e) = doc.tables[0].cell(1, 1).unwrap().run_props.unwrap();
        assert_eq!(&marked[s..e], "<w:rPr><w:b/></w:rPr>");
        // Only `w:gridCol`s inside `w:tblGrid` count: stray ones after it do not widen it.
        let stray =
            spanning(1, "3").replacen("</w:tblGrid>", "</w:tblGrid><w:gridCol/><w:gridCol/>", 1);
        let err = Document::parse(&stray).unwrap_err();
        assert!(err.to_string().contains("grid has 1"), "{err}");
    }

    #[test]
    fn word_tables_and_paragraph_questions_obey_the_row_and_column_limits() {
        let rows = |n| Limits {
            max_rows: n,
            ..limits()
        };
        let err = Document::parse_with(DOC, &rows(3)).unwrap_err();
        assert!(
            matches!(&err, ParseError::Limit { flag: "--max-rows", message } if message.contains("Table 1 row 4")),
            "{err:?}"
        );
        assert!(Document::parse_with(DOC, &rows(4)).is_ok());
        let cols = Limits {
            max_columns: 1,
            ..limits()
        };
        let err = Document::parse_with(DOC, &cols).unwrap_err();
        assert!(
            matches!(&err, ParseError::Limit { flag: "--max-columns", message } if message.contains("Table 1, row 1, cell 2 is in column 2")),
            "{err:?}"
        );
        // The paragraph questions' grid: a header and five questions.
        let err = Document::parse_with(PARAS, &rows(5)).unwrap_err();
        assert!(
            matches!(&err, ParseError::Limit { flag: "--max-rows", message } if message.contains("\"Text\") reach row 6")),
            "{err:?}"
        );
        assert!(Document::parse_with(PARAS, &rows(6)).is_ok());
    }

    #[test]
    fn documents_past_the_element_limit_are_refused() {
        let few = Limits {
            max_xml_elements: 40,
            ..limits()
        };
        let err = Document::parse_with(DOC, &few).unwrap_err();
        assert!(
            matches!(
                &err,
                ParseError::Limit {
                    flag: "--max-xml-elements",
                    ..
                }
            ),
            "{err:?}"
        );
        // A span counts its columns: a cell spanning 60 is 60 slots of the grid.
        let wide = Limits {
            max_xml_elements: 60,
            ..limits()
        };
        assert!(Document::parse_with(&spanning(0, "3"), &wide).is_ok());
        assert!(Document::parse_with(&spanning(0, "60"), &wide).is_err());
        // Empty paragraphs between the questions are read, counted, and not kept.
        let many = PARAS.replacen("<w:p/>", &"<w:p/>".repeat(100_000), 1);
        let text = Document::parse(&many).unwrap().text.unwrap();
        assert_eq!(text.rows.len(), 6);
    }

    /// A cell whose paragraph holds a text box (a drawing with its own paragraphs), as
    /// Word writes it: `mc:AlternateContent`, a DrawingML choice and a VML fallback.
    pub(crate) const TEXT_BOX: &str = r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:wps="wps" xmlns:v="urn:schemas-microsoft-com:vml" xmlns:a="a"><w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Question</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Answer</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>Is data encrypted at rest?</w:t></w:r></w:p></w:tc><w:tc><w:p><w:pPr><w:jc w:val="left"/></w:pPr><w:r><w:t>Old answer</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><a:graphic><a:graphicData><wps:wsp><wps:txbx><w:txbxContent><w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:t>Box</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl></w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>Box</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p></w:tc></w:tr></w:tbl><w:p><w:r><w:t>1. Do you have a SOC 2 report?</w:t></w:r><w:r><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>note</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl></w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p><w:p/></w:body></w:document>"#;

    #[test]
    fn only_paragraphs_directly_in_a_cell_or_the_body_count() {
        let doc = Document::parse(TEXT_BOX).unwrap();
        assert_eq!(
            doc.tables.len(),
            1,
            "a table in a text box is not the body's"
        );
        let cell = doc.tables[0].cell(1, 1).unwrap();
        assert_eq!(
            cell.text, "Old answer",
            "the text box's text is not the cell's"
        );
        let close = cell.para_close.unwrap();
        assert!(
            TEXT_BOX[close..].starts_with("</w:p></w:tc></w:tr></w:tbl>"),
            "the cell's own paragraph ends there"
        );
        assert!(TEXT_BOX[..cell.props_end.unwrap()].ends_with(r#"<w:jc w:val="left"/></w:pPr>"#));
        let text = doc.text.unwrap();
        assert_eq!(text.rows.len(), 2, "{:?}", text.rows);
        assert_eq!(text.rows[1][1].text, "Do you have a SOC 2 report?");
    }

    #[test]
    fn a_byte_order_mark_and_another_prefix_are_read_alike() {
        let with_bom = format!("\u{FEFF}{DOC}");
        let a = Document::parse(DOC).unwrap();
        let b = Document::parse(&with_bom).unwrap();
        assert_eq!(a, b, "offsets count from after the mark");
        let ns0 = DOC.replace("w:", "ns0:").replace("xmlns:w=", "xmlns:ns0=");
        let doc = Document::parse(&ns0).unwrap();
        assert_eq!(doc.prefix, "ns0");
        assert_eq!(doc.grids(), a.grids());
        let default = DOC.replace("w:", "").replace("xmlns:w=", "xmlns=");
        let doc = Document::parse(&default).unwrap();
        assert_eq!((doc.prefix.as_str(), doc.namespace.as_str()), ("", MAIN_NS));
        assert_eq!(doc.grids(), a.grids());
    }

    #[test]
    fn form_protection_is_read_from_the_elements_attributes() {
        for settings in [
            r#"<w:settings xmlns:w="w"><w:documentProtection w:edit="forms" w:enforcement="1"/></w:settings>"#,
            r#"<w:settings xmlns:w="w"><w:documentProtection w:edit='forms' w:enforcement='true'/></w:settings>"#,
            r#"<w:settings xmlns:w="w"><w:documentProtection  w:enforcement = "on"  w:edit = "forms" ></w:documentProtection></w:settings>"#,
            r#"<ns0:settings xmlns:ns0="w"><ns0:documentProtection ns0:edit="forms" ns0:enforcement="1"/></ns0:settings>"#,
        ] {
            assert!(protected_for_forms(settings), "{settings}");
        }
        for settings in [
            r#"<w:settings xmlns:w="w"><w:documentProtection w:edit='readOnly' w:enforcement='1'/></w:settings>"#,
            r#"<w:settings xmlns:w="w"><w:documentProtection w:edit='forms' w:enforcement='0'/></w:settings>"#,
            r#"<w:settings xmlns:w="w"><!-- <w:documentProtection w:edit="forms" w:enforcement="1"/> --></w:settings>"#,
        ] {
            assert!(!protected_for_forms(settings), "{settings}");
        }
    }

    /// What the paragraph reader keeps of each paragraph (cargo-mutants found these
    /// unchecked): text only from `w:t` (a field code's `w:instrText` is not text), entities
    /// resolved, a `w:tab` as a tab (so "1.<tab>Question" is numbered), Word's own list
    /// numbering, the answer paragraph's properties and its first run's whole `w:rPr`, and an
    /// unnumbered paragraph is never a question.
    #[test]
    fn paragraph_questions_keep_text_numbering_and_properties() {
        let xml = format!(
            r#"<w:document xmlns:mc="urn:x" xmlns:w="{MAIN_NS}"><w:body><w:p><w:r><w:t>1.</w:t></w:r><w:r><w:tab/><w:t>Is Q&amp;A data encrypted?</w:t><w:instrText> FORMTEXT &amp; </w:instrText></w:r></w:p><w:p><w:pPr><w:jc w:val="left"/></w:pPr><w:r><w:rPr><w:rFonts w:ascii="Arial"></w:rFonts><w:b/></w:rPr><w:t>Response:</w:t></w:r></w:p><w:p><w:pPr><w:numPr><w:ilvl w:val="0"/></w:numPr></w:pPr><w:r><w:t xml:space="preserve">Are </w:t></w:r><w:proofErr w:type="spellStart"/><w:r><w:t>backups tested?</w:t></w:r></w:p><w:p/><w:p><w:r><w:t>Is this heading a question?</w:t></w:r></w:p><w:p/></w:body></w:document>"#
        );
        let doc = Document::parse(&xml).unwrap();
        assert_eq!(
            doc.prefix, "w",
            "the main namespace's prefix, not the first declared"
        );
        let text = doc.text.as_ref().expect("paragraph questions");
        let rows: Vec<(String, String, String)> = text
            .grid(TEXT.into())
            .rows
            .iter()
            .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
            .collect();
        let row = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
        assert_eq!(
            rows,
            [
                row("ID", "Question", "Answer"),
                row("1", "Is Q&A data encrypted?", ""),
                row("", "Are backups tested?", ""),
            ]
        );
        let answer = text.cell(1, 2).unwrap();
        assert!(answer.after_label);
        let (s, e) = answer.run_props.unwrap();
        assert_eq!(
            &xml[s..e],
            r#"<w:rPr><w:rFonts w:ascii="Arial"></w:rFonts><w:b/></w:rPr>"#
        );
        let props_end = answer.props_end.unwrap();
        assert!(xml[..props_end].ends_with("<w:jc w:val=\"left\"/></w:pPr>"));
        // Exactly three columns are within a limit of three, not of two.
        let columns = |max_columns| Limits {
            max_columns,
            ..Limits::default()
        };
        assert!(Document::parse_with(&xml, &columns(3)).is_ok());
        let err = Document::parse_with(&xml, &columns(2)).unwrap_err();
        assert!(
            err.to_string()
                .contains("have 3 columns, over the limit of 2"),
            "{err}"
        );
        assert_eq!(ParseError::Damaged("broken".into()).to_string(), "broken");
        // Paragraphs but no paragraph question: no `Text` grid at all.
        assert!(Document::parse(DOC).unwrap().text.is_none());
    }

    /// A cell's text: a `w:tab` is a tab, entities count only inside `w:t` (a field code's
    /// `w:instrText` is not text), and a legacy checkbox is found whatever child elements with
    /// end tags come before its default state (cargo-mutants found these unchecked).
    #[test]
    fn table_cells_keep_tabs_skip_field_codes_and_find_every_legacy_box() {
        let xml = format!(
            r#"<w:document xmlns:w="{MAIN_NS}"><w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Question</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Response</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>A</w:t><w:tab/><w:t>B &amp; C?</w:t></w:r><w:r><w:instrText> X &amp; Y </w:instrText></w:r></w:p></w:tc><w:tc><w:p><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:checkBox><w:size w:val="20"></w:size><w:default w:val="1"/></w:checkBox></w:ffData></w:fldChar></w:r><w:r><w:instrText> FORMCHECKBOX </w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t xml:space="preserve"> Yes</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>"#
        );
        let doc = Document::parse(&xml).unwrap();
        let table = &doc.tables[0];
        assert_eq!(table.cell(1, 0).unwrap().text, "A\tB & C?");
        // Every box of one text node has its own glyph; a cell of two paragraphs closes its
        // first at the first `</w:p>`.
        let boxes = format!(
            r#"<w:document xmlns:w="{MAIN_NS}"><w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Question</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Response</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>Q?</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>☐ Yes ☒ No</w:t></w:r></w:p><w:p><w:r><w:t>note</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>"#
        );
        let doc = Document::parse(&boxes).unwrap();
        let cell = doc.tables[0].cell(1, 1).unwrap();
        let glyphs: Vec<&str> = cell
            .choices
            .iter()
            .map(|c| &boxes[c.glyph.0..c.glyph.1])
            .collect();
        assert_eq!(glyphs, ["☐", "☒"]);
        assert!(boxes[cell.para_close.unwrap()..].starts_with("</w:p><w:p><w:r><w:t>note"));
        // Only a text form field's result is a control; another field's (a link) is text.
        let link = format!(
            r#"<w:document xmlns:w="{MAIN_NS}"><w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Question</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Response</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>Q?</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> HYPERLINK "https://example.com" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>our policy</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>"#
        );
        let doc = Document::parse(&link).unwrap();
        let cell = doc.tables[0].cell(1, 1).unwrap();
        assert!(cell.control.is_none());
        assert_eq!(cell.text, "our policy");
        let boxed = table.cell(1, 1).unwrap();
        assert_eq!(boxed.choices.len(), 1, "{boxed:?}");
        assert!(boxed.choices[0].checked && boxed.choices[0].legacy);
    }
}
