//! Facts about one worksheet that calamine does not give: hidden rows and columns, formula
//! cells (whose values we must never overwrite), list validations (dropdowns, including the x14
//! ones Excel keeps in `<extLst>`), merged ranges and sheet protection.

use std::collections::HashSet;

use quick_xml::Reader;
use quick_xml::events::Event;

use super::{Range, attr, local, parse_a1};

/// Where a dropdown's allowed values come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListSource {
    /// A literal list: `"Yes,No,NA"`.
    Values(Vec<String>),
    /// A reference or defined name: `'Auto Responses'!$J$3:$J$4`, `YesNo`.
    Formula(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validation {
    pub ranges: Vec<Range>,
    pub source: ListSource,
}

#[derive(Debug, Clone, Default)]
pub struct SheetFacts {
    pub hidden_rows: HashSet<u32>,
    /// Hidden column spans, 0-based inclusive.
    pub hidden_cols: Vec<(u32, u32)>,
    pub formula_cells: HashSet<(u32, u32)>,
    pub validations: Vec<Validation>,
    pub merged: Vec<Range>,
    pub protected: bool,
    /// Cells a respondent cannot write (a Word document protected for form filling: every
    /// cell that is not a form field or content control).
    pub locked_cells: HashSet<(u32, u32)>,
    /// Grid positions with no cell to write into (a Word table's short rows).
    pub missing_cells: HashSet<(u32, u32)>,
    /// Cells holding one unlabelled checkbox: a mark for one option, not an answer's text.
    pub tick_cells: HashSet<(u32, u32)>,
    /// The kind of answer slot of cells that are not plain cells (a Word document's
    /// controls, fields, boxes and paragraphs).
    pub slots: std::collections::HashMap<(u32, u32), Slot>,
    /// A grid with nothing past this column (a Word table's width): a cell there cannot be
    /// written.
    pub width: Option<u32>,
}

/// What kind of place an answer goes in, as `inspect` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// A plain cell (a worksheet's, or a Word table's).
    Cell,
    /// A cell with a list of values (data validation).
    Dropdown,
    /// A mark in one of several option columns (CAIQ v3's X, a PCI SAQ's box per column).
    ChoiceColumns,
    /// Labelled checkboxes in the cell (`☐ Yes ☐ No`, form checkboxes).
    Checkboxes,
    /// A Word content control (text or dropdown).
    ContentControl,
    /// A legacy Word text form field (`FORMTEXT`).
    FormField,
    /// The paragraph after a question paragraph.
    Paragraph,
    /// A new paragraph trustfill writes after a question paragraph.
    NewParagraph,
}

impl Slot {
    pub fn name(self) -> &'static str {
        match self {
            Slot::Cell => "cell",
            Slot::Dropdown => "dropdown",
            Slot::ChoiceColumns => "option-column mark",
            Slot::Checkboxes => "checkbox cell",
            Slot::ContentControl => "content control",
            Slot::FormField => "form field",
            Slot::Paragraph => "paragraph",
            Slot::NewParagraph => "new paragraph",
        }
    }
}

/// Why a cell cannot be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locked {
    /// A Word document protected for form filling, and the cell is not a form field.
    FormProtected,
    /// No cell is there: a Word table's short row, or past its last column.
    NoCell,
    /// The cell is one option's checkbox (a Word form's box under "In Place"), and the
    /// question was not read as a choice among its row's boxes.
    OneBox,
}

impl SheetFacts {
    pub fn parse(xml: &str) -> SheetFacts {
        let mut facts = SheetFacts::default();
        let mut reader = Reader::from_str(xml);
        let mut row: u32 = 0;
        let mut next_row: u32 = 0;
        let mut col: u32 = 0;
        let mut next_col: u32 = 0;
        // Data validation being read: (sqref, formula1, is list).
        let mut dv: Option<(String, String, bool)> = None;
        let mut in_formula1 = false;
        let mut in_sqref = false;
        loop {
            let event = match reader.read_event() {
                Ok(Event::Eof) | Err(_) => break,
                Ok(event) => event,
            };
            match event {
                Event::Start(e) | Event::Empty(e) => match local(&e) {
                    "row" => {
                        row = attr(&e, "r")
                            .and_then(|r| r.parse::<u32>().ok())
                            .map_or(next_row, |r| r.saturating_sub(1));
                        next_row = row + 1;
                        next_col = 0;
                        if matches!(attr(&e, "hidden").as_deref(), Some("1" | "true")) {
                            facts.hidden_rows.insert(row);
                        }
                    }
                    "c" => {
                        col = attr(&e, "r")
                            .and_then(|r| parse_a1(&r))
                            .map_or(next_col, |(_, c)| c);
                        next_col = col + 1;
                    }
                    "f" if dv.is_none() => {
                        facts.formula_cells.insert((row, col));
                    }
                    "col" => {
                        let min = attr(&e, "min").and_then(|v| v.parse::<u32>().ok());
                        let max = attr(&e, "max").and_then(|v| v.parse::<u32>().ok());
                        if let (Some(min), Some(max), Some("1" | "true")) =
                            (min, max, attr(&e, "hidden").as_deref())
                        {
                            facts
                                .hidden_cols
                                .push((min.saturating_sub(1), max.saturating_sub(1)));
                        }
                    }
                    "mergeCell" => {
                        if let Some(r) = attr(&e, "ref").and_then(|r| Range::parse(&r)) {
                            facts.merged.push(r);
                        }
                    }
                    "sheetProtection" => {
                        facts.protected =
                            !matches!(attr(&e, "sheet").as_deref(), Some("0" | "false"));
                    }
                    "dataValidation" => {
                        let is_list = attr(&e, "type").as_deref() == Some("list");
                        dv = Some((
                            attr(&e, "sqref").unwrap_or_default(),
                            String::new(),
                            is_list,
                        ));
                    }
                    "formula1" => in_formula1 = true,
                    "sqref" => in_sqref = true,
                    _ => {}
                },
                Event::Text(t) => {
                    if let Some((sqref, formula, _)) = dv.as_mut() {
                        let text = t.into_inner().into_owned();
                        let text = super::unescape(&text);
                        if in_sqref {
                            sqref.push_str(&text);
                        } else if in_formula1 {
                            formula.push_str(&text);
                        }
                    }
                }
                Event::GeneralRef(r) => {
                    if let Some((sqref, formula, _)) = dv.as_mut() {
                        let ch = super::entity_char(&r);
                        if in_sqref {
                            sqref.extend(ch);
                        } else if in_formula1 {
                            formula.extend(ch);
                        }
                    }
                }
                Event::End(e) => match e.local_name().into_inner() {
                    "formula1" => in_formula1 = false,
                    "sqref" => in_sqref = false,
                    "dataValidation" => {
                        if let Some((sqref, formula, true)) = dv.take() {
                            let ranges: Vec<Range> =
                                sqref.split_whitespace().filter_map(Range::parse).collect();
                            if !ranges.is_empty() && !formula.trim().is_empty() {
                                facts.validations.push(Validation {
                                    ranges,
                                    source: list_source(formula.trim()),
                                });
                            }
                        }
                        dv = None;
                    }
                    _ => {}
                },
                _ => {}
            }
        }
        facts
    }

    pub fn is_col_hidden(&self, col: u32) -> bool {
        self.hidden_cols
            .iter()
            .any(|&(a, b)| (a..=b).contains(&col))
    }

    /// The list validation covering a cell, if any.
    pub fn validation_at(&self, row: u32, col: u32) -> Option<&Validation> {
        self.validations
            .iter()
            .find(|v| v.ranges.iter().any(|r| r.contains(row, col)))
    }

    /// The merged range a cell belongs to, if any.
    /// Why a respondent cannot write the cell, if they cannot.
    pub fn locked(&self, row: u32, col: u32) -> Option<Locked> {
        if self.missing_cells.contains(&(row, col)) || self.width.is_some_and(|w| col >= w) {
            Some(Locked::NoCell)
        } else if self.locked_cells.contains(&(row, col)) {
            Some(Locked::FormProtected)
        } else if self.tick_cells.contains(&(row, col)) {
            Some(Locked::OneBox)
        } else {
            None
        }
    }

    pub fn merged_at(&self, row: u32, col: u32) -> Option<&Range> {
        self.merged.iter().find(|r| r.contains(row, col))
    }
}

fn list_source(formula: &str) -> ListSource {
    match formula.strip_prefix('"').and_then(|f| f.strip_suffix('"')) {
        Some(list) => ListSource::Values(
            list.split(',')
                .map(|v| v.trim().replace("\"\"", "\""))
                .filter(|v| !v.is_empty())
                .collect(),
        ),
        None => ListSource::Formula(formula.trim_start_matches('=').to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:x14="x" xmlns:xm="m">
<cols><col min="8" max="16384" hidden="1" width="0"/></cols>
<sheetData>
<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2"><f>VLOOKUP(A2,Questions!A:B,2,0)</f><v>Q</v></c></row>
<row r="3" hidden="1"><c r="C3"/></row>
<row><c><v>1</v></c><c><f>1+1</f><v>2</v></c></row>
</sheetData>
<sheetProtection sheet="1" password="CC1A"/>
<mergeCells count="1"><mergeCell ref="A1:D1"/></mergeCells>
<dataValidations count="1"><dataValidation type="list" allowBlank="1" sqref="C3:C263 E5"><formula1>"Yes,No,NA"</formula1></dataValidation></dataValidations>
<extLst><ext><x14:dataValidations><x14:dataValidation type="list"><x14:formula1><xm:f>'Auto Responses'!$J$3:$J$4</xm:f></x14:formula1><xm:sqref>F22:F28</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>
</worksheet>"#;

    #[test]
    fn entity_references_in_a_list_are_kept() {
        let facts = SheetFacts::parse(
            r#"<worksheet><sheetData/><dataValidations count="1"><dataValidation type="list" sqref="B2"><formula1>"Yes &amp; No,N/A"</formula1></dataValidation></dataValidations></worksheet>"#,
        );
        assert_eq!(
            facts.validation_at(1, 1).map(|v| v.source.clone()),
            Some(ListSource::Values(vec!["Yes & No".into(), "N/A".into()]))
        );
    }

    #[test]
    fn reads_hidden_rows_formulas_merges_protection_and_dropdowns() {
        let f = SheetFacts::parse(XML);
        assert!(f.hidden_rows.contains(&2) && f.hidden_rows.len() == 1);
        assert!(f.formula_cells.contains(&(1, 1)), "{:?}", f.formula_cells);
        // Row and cell without `r` continue from the previous ones: row 4, column B.
        assert!(f.formula_cells.contains(&(3, 1)), "{:?}", f.formula_cells);
        assert!(f.is_col_hidden(7) && !f.is_col_hidden(6));
        assert!(f.protected);
        assert_eq!(f.merged_at(0, 3), Some(&Range::parse("A1:D1").unwrap()));
        let dv = f.validation_at(10, 2).unwrap();
        assert_eq!(
            dv.source,
            ListSource::Values(vec!["Yes".into(), "No".into(), "NA".into()])
        );
        assert!(f.validation_at(4, 4).is_some());
        let x14 = f.validation_at(23, 5).unwrap();
        assert_eq!(
            x14.source,
            ListSource::Formula("'Auto Responses'!$J$3:$J$4".into())
        );
    }
}
