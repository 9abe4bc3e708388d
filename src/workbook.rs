//! Reading spreadsheets into plain grids of text: .xlsx, .xlsm, .xls, .ods through calamine and
//! .csv through the csv crate. Formula cells are read by their cached values. This module knows
//! nothing of questions or answers; it only turns a file into [`Sheet`]s and names the file in
//! every error (calamine's own errors carry no path).

use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};

use crate::error::{Error, Result};

/// One sheet as rows of cell text ("" for empty cells). Rows may differ in length.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    /// 0-based index of the first row in `rows` within the real sheet.
    pub first_row: u32,
    /// 0-based index of the first column within the real sheet.
    pub first_col: u32,
    pub rows: Vec<Vec<String>>,
}

impl Sheet {
    pub fn cell(&self, row: usize, col: usize) -> &str {
        self.rows
            .get(row)
            .and_then(|r| r.get(col))
            .map_or("", String::as_str)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Xls,
    Ods,
    Csv,
}

/// The format a path's extension promises, or an error listing the supported ones.
pub fn format_of(path: &Path) -> Result<Format> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "xlsx" | "xlsm" => Ok(Format::Xlsx),
        "xls" => Ok(Format::Xls),
        "ods" => Ok(Format::Ods),
        "csv" => Ok(Format::Csv),
        _ => Err(Error::UnsupportedFormat {
            path: path.to_path_buf(),
            ext: if ext.is_empty() {
                "(none)".into()
            } else {
                format!(".{ext}")
            },
        }),
    }
}

/// Read every sheet of a workbook, or the one table of a CSV file (named after the file).
pub fn read(path: &Path) -> Result<Vec<Sheet>> {
    let format = format_of(path)?;
    let meta = std::fs::metadata(path).map_err(|e| Error::io("cannot read", path, e))?;
    if meta.len() == 0 {
        return Err(Error::Spreadsheet {
            path: path.to_path_buf(),
            message: "the file is empty (0 bytes)".into(),
        });
    }
    if format == Format::Xlsx {
        sniff_xlsx(path)?;
    }
    match format {
        Format::Csv => read_csv(path).map(|s| vec![s]),
        _ => read_workbook(path),
    }
}

/// An .xlsx is a zip package (`PK`); an encrypted one is an OLE container. Anything else named
/// .xlsx is said for what it is instead of as a zip error.
fn sniff_xlsx(path: &Path) -> Result<()> {
    use std::io::Read;
    let mut head = [0u8; 8];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| Error::io("cannot read", path, e))?;
    let head = &head[..n];
    let what = if head.starts_with(b"PK") || head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Ok(());
    } else if head.starts_with(b"%PDF") {
        "a PDF document"
    } else if head.starts_with(b"<") {
        "an HTML or XML file"
    } else if head
        .iter()
        .all(|b| b.is_ascii() && (!b.is_ascii_control() || b.is_ascii_whitespace()))
    {
        "a text file"
    } else {
        "not a zip package"
    };
    Err(Error::Spreadsheet {
        path: path.to_path_buf(),
        message: format!("this is {what}, not an Excel workbook, although it is named .xlsx"),
    })
}

fn read_workbook(path: &Path) -> Result<Vec<Sheet>> {
    let fail = |message: String| Error::Spreadsheet {
        path: path.to_path_buf(),
        message,
    };
    let mut workbook =
        open_workbook_auto(path).map_err(|e| fail(describe_calamine(&e.to_string())))?;
    let names = workbook.sheet_names().to_vec();
    let mut sheets = Vec::with_capacity(names.len());
    for name in names {
        let range = workbook.worksheet_range(&name).map_err(|e| {
            fail(format!(
                "sheet {name:?}: {}",
                describe_calamine(&e.to_string())
            ))
        })?;
        let (first_row, first_col) = range.start().unwrap_or((0, 0));
        let rows = range
            .rows()
            .map(|row| row.iter().map(cell_text).collect())
            .collect();
        sheets.push(Sheet {
            name,
            first_row,
            first_col,
            rows,
        });
    }
    Ok(sheets)
}

fn describe_calamine(message: &str) -> String {
    let lower = message.to_ascii_lowercase();
    if lower.contains("password") || lower.contains("encrypt") {
        "the workbook is password-protected (encrypted); save an unprotected copy first".into()
    } else if lower.contains("zip") || lower.contains("invalid") {
        format!("not a readable spreadsheet ({message})")
    } else {
        message.to_string()
    }
}

/// Cell text as a person sees it: integers without `.0`, booleans as TRUE/FALSE, errors empty.
pub fn cell_text(data: &Data) -> String {
    match data {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        // Excel serial days count from 1899-12-30; 25,569 of them reach 1970-01-01.
        Data::DateTime(dt) => {
            crate::date::Date::from_days(dt.as_f64().floor() as i64 - 25_569).to_string()
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
    }
}

fn read_csv(path: &Path) -> Result<Sheet> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("cannot read", path, e))?;
    let text = decode_text(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| Error::Spreadsheet {
            path: path.to_path_buf(),
            message: format!("line {}: {e}", i + 1),
        })?;
        rows.push(record.iter().map(str::to_string).collect());
    }
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "csv".into());
    Ok(Sheet {
        name,
        first_row: 0,
        first_col: 0,
        rows,
    })
}

/// UTF-8 (with or without BOM), UTF-16 with a BOM, else Latin-1: what spreadsheet programs
/// write when they "Save as CSV".
fn decode_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    let utf16 = |rest: &[u8], le: bool| {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, false);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_what_spreadsheet_programs_write() {
        assert_eq!(decode_text(b"\xEF\xBB\xBFa,b"), "a,b");
        assert_eq!(decode_text(b"caf\xE9"), "café");
        assert_eq!(decode_text(&[0xFF, 0xFE, b'h', 0, b'i', 0]), "hi");
        assert_eq!(decode_text("naïve".as_bytes()), "naïve");
    }

    #[test]
    fn numbers_read_as_people_see_them() {
        assert_eq!(cell_text(&Data::Float(72.0)), "72");
        assert_eq!(cell_text(&Data::Float(99.9)), "99.9");
        assert_eq!(cell_text(&Data::Bool(true)), "TRUE");
    }

    #[test]
    fn unknown_extensions_are_refused_with_the_list() {
        let err = format_of(Path::new("q.pdf")).unwrap_err().to_string();
        assert!(err.contains("\".pdf\"") && err.contains(".xlsx"), "{err}");
        assert!(format_of(Path::new("Q.XLSX")).is_ok());
    }
}
