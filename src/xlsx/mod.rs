//! The xlsx package itself (zip + XML), for what calamine does not expose and for writing.
//!
//! Reading: which sheets exist, where their parts are, which are hidden, defined names
//! ([`Package`]), and per sheet the hidden rows, formula cells, dropdown validations (plain and
//! x14), merged ranges and protection ([`sheet::SheetFacts`]). Writing: [`patch`] copies every
//! part of the input byte for byte and rewrites only the `<c>` elements of the answer cells (and
//! `styles.xml` when drafted cells are highlighted), so the vendor's workbook comes back intact.

pub mod patch;
pub mod sheet;

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::error::{Error, Result};

/// Largest XML part we read into memory: a guard against decompression bombs (a tiny zip that
/// expands to gigabytes). Real questionnaire sheets are a few MB.
pub const MAX_PART_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetInfo {
    pub name: String,
    /// Zip path of the worksheet part, e.g. `xl/worksheets/sheet1.xml`.
    pub part: String,
    pub hidden: bool,
}

/// The workbook's sheet list and defined names, read from `xl/workbook.xml` and its rels.
#[derive(Debug, Clone)]
pub struct Package {
    pub path: PathBuf,
    pub sheets: Vec<SheetInfo>,
    /// Defined names (global and sheet-local, by name) → formula text, e.g. `Values!$A$1:$A$2`.
    pub defined_names: HashMap<String, String>,
}

impl Package {
    pub fn open(path: &Path) -> Result<Package> {
        let mut zip = open_zip(path)?;
        let workbook = read_part(&mut zip, path, "xl/workbook.xml")?;
        let rels = read_part(&mut zip, path, "xl/_rels/workbook.xml.rels")?;
        let targets = relationship_targets(&rels);
        let mut sheets = Vec::new();
        let mut defined_names = HashMap::new();
        let mut reader = Reader::from_str(&workbook);
        let mut current_name: Option<String> = None;
        loop {
            match reader.read_event() {
                Ok(Event::Start(e)) | Ok(Event::Empty(e)) if local(&e) == "sheet" => {
                    let name = attr(&e, "name").unwrap_or_default();
                    let hidden =
                        matches!(attr(&e, "state").as_deref(), Some("hidden" | "veryHidden"));
                    let part = attr_local(&e, "id")
                        .and_then(|id| targets.get(&id).cloned())
                        .map(|t| resolve_target(&t))
                        .unwrap_or_default();
                    sheets.push(SheetInfo { name, part, hidden });
                }
                Ok(Event::Start(e)) if local(&e) == "definedName" => {
                    current_name = attr(&e, "name");
                }
                // A name's formula may be split by entity references (`'R&amp;D'!$A$1`),
                // which quick-xml reports as events of their own.
                Ok(Event::Text(t)) => {
                    if let Some(name) = &current_name {
                        let text = t.into_inner().into_owned();
                        defined_names
                            .entry(name.clone())
                            .or_insert_with(String::new)
                            .push_str(&unescape(&text));
                    }
                }
                Ok(Event::GeneralRef(r)) => {
                    if let Some(name) = &current_name {
                        defined_names
                            .entry(name.clone())
                            .or_insert_with(String::new)
                            .extend(entity_char(&r));
                    }
                }
                Ok(Event::End(_)) => current_name = None,
                Ok(Event::Eof) => break,
                Err(e) => {
                    return Err(Error::Spreadsheet {
                        path: path.to_path_buf(),
                        message: format!("xl/workbook.xml is not valid XML: {e}"),
                    });
                }
                _ => {}
            }
        }
        Ok(Package {
            path: path.to_path_buf(),
            sheets,
            defined_names,
        })
    }

    pub fn sheet(&self, name: &str) -> Option<&SheetInfo> {
        self.sheets.iter().find(|s| s.name == name)
    }

    /// Read one part as text.
    pub fn read(&self, part: &str) -> Result<String> {
        let mut zip = open_zip(&self.path)?;
        read_part(&mut zip, &self.path, part)
    }
}

pub(crate) fn open_zip(path: &Path) -> Result<zip::ZipArchive<std::fs::File>> {
    let file = std::fs::File::open(path).map_err(|e| Error::io("cannot open", path, e))?;
    zip::ZipArchive::new(file).map_err(|e| Error::Spreadsheet {
        path: path.to_path_buf(),
        message: format!("not a valid xlsx package (zip): {e}"),
    })
}

pub(crate) fn read_part(
    zip: &mut zip::ZipArchive<std::fs::File>,
    path: &Path,
    part: &str,
) -> Result<String> {
    let fail = |message: String| Error::Spreadsheet {
        path: path.to_path_buf(),
        message,
    };
    let entry = zip
        .by_name(part)
        .map_err(|_| fail(format!("the package has no part {part}")))?;
    if entry.size() > MAX_PART_BYTES {
        return Err(fail(format!(
            "part {part} expands to {} MB, over the {} MB limit",
            entry.size() / 1_048_576,
            MAX_PART_BYTES / 1_048_576
        )));
    }
    let mut text = String::with_capacity(entry.size() as usize);
    entry
        .take(MAX_PART_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| fail(format!("cannot read part {part}: {e}")))?;
    if text.len() as u64 > MAX_PART_BYTES {
        return Err(fail(format!(
            "part {part} is over the {} MB limit",
            MAX_PART_BYTES / 1_048_576
        )));
    }
    Ok(text)
}

fn relationship_targets(rels: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut reader = Reader::from_str(rels);
    while let Ok(event) = reader.read_event() {
        match event {
            Event::Start(e) | Event::Empty(e) if local(&e) == "Relationship" => {
                if let (Some(id), Some(target)) = (attr(&e, "Id"), attr(&e, "Target")) {
                    out.insert(id, target);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// Relationship targets are relative to `xl/` unless absolute (`/xl/worksheets/sheet1.xml`).
fn resolve_target(target: &str) -> String {
    match target.strip_prefix('/') {
        Some(abs) => abs.to_string(),
        None => format!("xl/{}", target.trim_start_matches("./")),
    }
}

/// Local name of an element (without a namespace prefix such as `x14:`).
pub(crate) fn local<'a>(e: &'a BytesStart<'_>) -> &'a str {
    let name = e.name().into_inner();
    match name.find(':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// Whether XML 1.0 allows `c` in a document (`Char`: tab, newline, carriage return, and
/// everything from space up but U+FFFE and U+FFFF; Rust's `char` has no surrogates). Text
/// trustfill writes drops the others, which would make the part unreadable (Excel and Word
/// refuse the whole file), and `kb check` reports them.
pub fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

/// Attribute value by exact (qualified) name, unescaped.
pub(crate) fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.into_inner() == name)
        .map(|a| unescape(&a.value))
}

/// Attribute value by local name (`r:id` matches `id`).
pub(crate) fn attr_local(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().into_inner() == name)
        .map(|a| unescape(&a.value))
}

/// The character an entity reference stands for (`&amp;`, `&#9744;`): quick-xml reports
/// references apart from the text around them.
pub(crate) fn entity_char(r: &quick_xml::events::BytesRef<'_>) -> Option<char> {
    match r.resolve_char_ref() {
        Ok(Some(ch)) => Some(ch),
        _ => match &*r.clone().into_inner() {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => None,
        },
    }
}

pub(crate) fn unescape(s: &str) -> String {
    quick_xml::escape::unescape(s)
        .map(|c| c.into_owned())
        .unwrap_or_else(|_| s.to_string())
}

/// A rectangular cell range, 0-based and inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub first_row: u32,
    pub first_col: u32,
    pub last_row: u32,
    pub last_col: u32,
}

impl Range {
    pub fn contains(&self, row: u32, col: u32) -> bool {
        (self.first_row..=self.last_row).contains(&row)
            && (self.first_col..=self.last_col).contains(&col)
    }

    /// Parse `C3`, `C3:C263` or `$J$3:$J$4` (a sheet prefix must be removed first).
    pub fn parse(text: &str) -> Option<Range> {
        let (a, b) = match text.split_once(':') {
            Some((a, b)) => (a, b),
            None => (text, text),
        };
        let (r1, c1) = parse_a1(a)?;
        let (r2, c2) = parse_a1(b)?;
        Some(Range {
            first_row: r1.min(r2),
            first_col: c1.min(c2),
            last_row: r1.max(r2),
            last_col: c1.max(c2),
        })
    }
}

/// `C14` → (13, 2); `$AA$1` → (0, 26).
pub fn parse_a1(text: &str) -> Option<(u32, u32)> {
    let text = text.trim().replace('$', "");
    let split = text.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = text.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.chars().all(|c| c.is_ascii_alphabetic())
    {
        return None;
    }
    let mut col: u32 = 0;
    for c in letters.chars() {
        col = col * 26 + (c.to_ascii_uppercase() as u32 - 'A' as u32 + 1);
    }
    let row: u32 = digits.parse().ok()?;
    if row == 0 {
        return None;
    }
    Some((row - 1, col - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_references_parse() {
        assert_eq!(parse_a1("A1"), Some((0, 0)));
        assert_eq!(parse_a1("C14"), Some((13, 2)));
        assert_eq!(parse_a1("$AA$1"), Some((0, 26)));
        assert_eq!(parse_a1("XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(parse_a1("14"), None);
        assert_eq!(parse_a1("C0"), None);
        assert_eq!(parse_a1("ABCD1"), None, "at most three letters");
        assert_eq!(parse_a1("A-1"), None, "letters only before the row");
        let r = Range::parse("$J$3:$J$4").unwrap();
        assert!(r.contains(2, 9) && r.contains(3, 9) && !r.contains(4, 9));
    }

    #[test]
    fn relationship_targets_resolve_under_xl() {
        assert_eq!(
            resolve_target("worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve_target("/xl/worksheets/sheet2.xml"),
            "xl/worksheets/sheet2.xml"
        );
    }
}
