//! Reading spreadsheets into plain grids of text: .xlsx, .xlsm, .xls, .ods through calamine and
//! .csv through the csv crate. Formula cells are read by their cached values. This module knows
//! nothing of questions or answers; it only turns a file into [`Sheet`]s and names the file in
//! every error (calamine's own errors carry no path). It also owns the checks every input
//! passes before a reader sees it ([`check_file`]: extension, size, what the bytes are,
//! decompression bombs, damaged compound files), Word documents included; reading those is
//! `docx`'s, and choosing the reader is `container`'s.

use std::path::Path;

use calamine::{Data, Reader, Sheets, open_workbook_auto};

use crate::error::{Error, Result};
pub use crate::grid::Sheet;
use crate::limits::{Limits, MB};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Xls,
    Ods,
    Csv,
    /// A Word document: its tables are read as grids (see [`crate::docx`]).
    Docx,
    /// A flat PDF: the table of questions its pages draw, recovered from word positions (see
    /// [`crate::pdf`]); never written: answers go to a new .xlsx.
    Pdf,
    /// A PDF form (AcroForm): its fields are the answer slots, written in place as an
    /// incremental update. A file's extension says `Pdf`; reading it finds the form.
    PdfForm,
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
        "docx" => Ok(Format::Docx),
        "pdf" => Ok(Format::Pdf),
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

/// The format of the file at `path`, once it passed every check a file gets before a reader
/// sees it: a supported extension, not empty, within `limits`' size, bytes that are what the
/// extension says (a zip package, a compound file), not password-protected where that can be
/// told, and not a decompression bomb.
pub fn check_file(path: &Path, limits: &Limits) -> Result<Format> {
    let format = format_of(path)?;
    let meta = std::fs::metadata(path).map_err(|e| Error::io("cannot read", path, e))?;
    if meta.len() == 0 {
        return Err(Error::Spreadsheet {
            path: path.to_path_buf(),
            message: "the file is empty (0 bytes)".into(),
        });
    }
    if meta.len() > limits.max_file_bytes {
        return Err(Error::Limit {
            path: path.to_path_buf(),
            message: format!(
                "the file is {} MB, over the limit of {} MB",
                meta.len().div_ceil(MB),
                limits.max_file_bytes / MB
            ),
            flag: "--max-file-size",
        });
    }
    let zipped = match format {
        Format::Xlsx | Format::Docx => sniff_xlsx(path)?,
        Format::Ods => true,
        Format::Xls | Format::Csv => false,
        // `pdf::Pdf::open` checks the header, encryption and the object count.
        Format::Pdf | Format::PdfForm => return Ok(format),
    };
    if format == Format::Docx && !zipped {
        // A Word document saved with a password is an OLE container around the encrypted
        // package.
        return Err(Error::Spreadsheet {
            path: path.to_path_buf(),
            message:
                "the document is password-protected (encrypted); save an unprotected copy first"
                    .into(),
        });
    }
    if zipped {
        check_expanded_size(path, limits)?;
    } else if format != Format::Csv {
        check_compound_file(path)?;
    }
    Ok(format)
}

/// Every sheet of the spreadsheet at `path` (checked by [`check_file`] first). A Word
/// document is refused: `container::read_grids` reads any format.
pub fn read(path: &Path, limits: &Limits) -> Result<Vec<Sheet>> {
    let format = check_file(path, limits)?;
    read_sheets(path, format, limits)
}

/// Every sheet of a spreadsheet that passed [`check_file`] as `format`, or the one table of a
/// CSV file (named after the file).
pub fn read_sheets(path: &Path, format: Format, limits: &Limits) -> Result<Vec<Sheet>> {
    match format {
        Format::Csv => read_csv(path, limits).map(|s| vec![s]),
        Format::Docx => Err(Error::Spreadsheet {
            path: path.to_path_buf(),
            message: "is a Word document, not a spreadsheet".into(),
        }),
        Format::Pdf | Format::PdfForm => Err(Error::Spreadsheet {
            path: path.to_path_buf(),
            message: "is a PDF, not a spreadsheet".into(),
        }),
        Format::Xlsx | Format::Xls | Format::Ods => {
            contain_panics(path, || read_workbook(path, limits))
        }
    }
}

/// The sector-chain checks calamine's compound-file (OLE) reader lacks, run on .xls files and
/// on encrypted .xlsx containers before calamine sees them. Fuzzing found a 5 KB .xls whose
/// file allocation table loops: calamine follows the chain for ever, growing a buffer until
/// memory runs out. Here every chain of the FAT and of the mini FAT must end.
fn check_compound_file(path: &Path) -> Result<()> {
    const SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    let bytes = std::fs::read(path).map_err(|e| Error::io("cannot read", path, e))?;
    if !bytes.starts_with(&SIGNATURE) {
        // Not a compound file: calamine says what it is.
        return Ok(());
    }
    let damaged = |what: &str| Error::Spreadsheet {
        path: path.to_path_buf(),
        message: format!("the file is damaged: {what}"),
    };
    let u16_at = |at: usize| {
        bytes
            .get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let u32_at = |at: usize| {
        bytes
            .get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let shift = u16_at(30).ok_or_else(|| damaged("its header is cut short"))?;
    let size: usize = match shift {
        9 => 512,
        12 => 4096,
        _ => return Err(damaged("its sector size is invalid")),
    };
    let sector = |id: u32| -> Option<&[u8]> {
        let start = (id as usize).checked_add(1)?.checked_mul(size)?;
        bytes.get(start..start.checked_add(size)?)
    };
    let words = |data: &[u8]| -> Vec<u32> {
        data.chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    };
    // Special values (free, end of chain, FAT and DIFAT sectors) end a chain.
    const LAST_SECTOR: u32 = 0xFFFF_FFFA;
    let sectors = bytes.len() / size;
    // The FAT's sectors: 109 in the header, then a chain of DIFAT sectors.
    let mut fat_sectors: Vec<u32> = words(bytes.get(76..512).unwrap_or_default());
    let mut difat = u32_at(68).unwrap_or(u32::MAX);
    let mut hops = 0;
    while difat < LAST_SECTOR {
        hops += 1;
        let data = sector(difat).ok_or_else(|| damaged("a DIFAT sector lies past its end"))?;
        if hops > sectors {
            return Err(damaged("its DIFAT chain loops"));
        }
        let mut ids = words(data);
        difat = ids.pop().unwrap_or(u32::MAX);
        fat_sectors.extend(ids);
    }
    let mut fat = Vec::new();
    for id in fat_sectors.into_iter().filter(|&id| id < LAST_SECTOR) {
        fat.extend(words(
            sector(id).ok_or_else(|| damaged("a FAT sector lies past its end"))?,
        ));
    }
    if let Some(at) = first_loop(&fat) {
        return Err(damaged(&format!(
            "the sector chain through sector {at} loops"
        )));
    }
    // The mini FAT is read through the FAT (now known to end), then checked the same way.
    let mut mini = Vec::new();
    let mut id = u32_at(60).unwrap_or(u32::MAX);
    while id < LAST_SECTOR {
        let Some(data) = sector(id) else { break };
        mini.extend(words(data));
        id = fat.get(id as usize).copied().unwrap_or(u32::MAX);
    }
    if let Some(at) = first_loop(&mini) {
        return Err(damaged(&format!(
            "the mini-sector chain through sector {at} loops"
        )));
    }
    Ok(())
}

/// The first entry of `next` (a table of "next sector" links) from which following the links
/// never ends, or None when every chain ends in a special value or a link out of the table.
fn first_loop(next: &[u32]) -> Option<usize> {
    // 0: not seen, 1: on the path being walked, 2: known to end.
    let mut state = vec![0u8; next.len()];
    let mut path = Vec::new();
    for start in 0..next.len() {
        let mut at = start;
        while at < next.len() && state[at] == 0 {
            state[at] = 1;
            path.push(at);
            at = next[at] as usize;
        }
        if at < next.len() && state[at] == 1 {
            return Some(start);
        }
        for p in path.drain(..) {
            state[p] = 2;
        }
    }
    None
}

thread_local! {
    /// Set while a spreadsheet parser runs under [`contain_panics`]: its panics are ours to
    /// report, not the default hook's to print.
    static CONTAINED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `parse` catching a panic, with the panic hook silent meanwhile on this thread (the
/// default hook's backtrace, and a fuzzer's abort-on-panic hook, are for panics nobody
/// contains). For third-party parsers of untrusted files: calamine here, lopdf and
/// pdf-extract in `pdf`.
pub(crate) fn contained<T>(parse: impl FnOnce() -> T) -> std::thread::Result<T> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !CONTAINED.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    CONTAINED.with(|c| c.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(parse));
    CONTAINED.with(|c| c.set(false));
    result
}

/// Runs a third-party parser so that a panic on a malformed file becomes an ordinary error
/// naming the file. Fuzzing found calamine panicking on a damaged .xls ("slice index starts at
/// 4096 but ends at 4092" in its compound-file reader); a user must see "the file is damaged",
/// not a backtrace. The panic hook is wrapped once to stay silent on this thread meanwhile.
fn contain_panics<T>(path: &Path, parse: impl FnOnce() -> Result<T>) -> Result<T> {
    contained(parse).unwrap_or_else(|_| {
        Err(Error::Spreadsheet {
            path: path.to_path_buf(),
            message: "the file is damaged: its spreadsheet structure cannot be read".into(),
        })
    })
}

/// Inflates every part of the zip package (.xlsx, .ods), counting bytes and keeping none, and
/// stops as soon as the total passes the limit. The sizes a zip declares can lie; the bytes
/// cannot.
fn check_expanded_size(path: &Path, limits: &Limits) -> Result<()> {
    use std::io::Read;
    let fail = |message: String| Error::Spreadsheet {
        path: path.to_path_buf(),
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| Error::io("cannot read", path, e))?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| {
        fail(if format_of(path).ok() == Some(Format::Docx) {
            format!("the file is damaged: not a readable Word document ({e})")
        } else {
            format!("not a readable spreadsheet ({e})")
        })
    })?;
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..archive.len() {
        let mut entry = match archive.by_index(i) {
            Ok(entry) => entry,
            // Encrypted or unsupported entries are calamine's to report.
            Err(_) => continue,
        };
        loop {
            let n = match entry.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(_) => break,
            };
            total += n as u64;
            if total > limits.max_expanded_bytes {
                return Err(Error::Limit {
                    path: path.to_path_buf(),
                    message: format!(
                        "it unzips to more than {} MB (a decompression bomb, or a workbook far \
                         larger than any questionnaire)",
                        limits.max_expanded_bytes / MB
                    ),
                    flag: "--max-expanded-size",
                });
            }
        }
    }
    Ok(())
}

/// An .xlsx is a zip package (`PK`, returns true); an encrypted one is an OLE container
/// (false). Anything else named .xlsx is said for what it is instead of as a zip error.
fn sniff_xlsx(path: &Path) -> Result<bool> {
    use std::io::Read;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("xlsx")
        .to_ascii_lowercase();
    let mut head = [0u8; 8];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| Error::io("cannot read", path, e))?;
    let head = &head[..n];
    let what = if head.starts_with(b"PK") {
        return Ok(true);
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Ok(false);
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
        message: format!(
            "this is {what}, not {}, although it is named .{}",
            if ext == "docx" {
                "a Word document"
            } else {
                "an Excel workbook"
            },
            ext
        ),
    })
}

fn read_workbook(path: &Path, limits: &Limits) -> Result<Vec<Sheet>> {
    let fail = |message: String| Error::Spreadsheet {
        path: path.to_path_buf(),
        message,
    };
    let mut workbook =
        open_workbook_auto(path).map_err(|e| fail(describe_calamine(&e.to_string())))?;
    let names = workbook.sheet_names().to_vec();
    let mut sheets = Vec::with_capacity(names.len());
    for name in names {
        let sheet_error = |e: &dyn std::fmt::Display| {
            fail(format!(
                "sheet {name:?}: {}",
                describe_calamine(&e.to_string())
            ))
        };
        let mut grid = Grid::new(path, &name, limits);
        if let Sheets::Xlsx(xlsx) = &mut workbook {
            // Streamed cell by cell, so a sheet past the limits stops at its first cell
            // beyond them instead of being read whole.
            match xlsx.worksheet_cells_reader(&name) {
                Ok(mut cells) => {
                    while let Some(cell) = cells.next_cell().map_err(|e| sheet_error(&e))? {
                        let (row, col) = cell.get_position();
                        grid.push(row, col, &Data::from(cell.get_value().clone()))?;
                    }
                }
                Err(calamine::XlsxError::NotAWorksheet(_)) => {}
                Err(e) => return Err(sheet_error(&e)),
            }
        } else {
            let range = workbook
                .worksheet_range(&name)
                .map_err(|e| sheet_error(&e))?;
            let (first_row, first_col) = range.start().unwrap_or((0, 0));
            for (r, row) in range.rows().enumerate() {
                for (c, value) in row.iter().enumerate() {
                    grid.push(first_row + r as u32, first_col + c as u32, value)?;
                }
            }
        }
        sheets.push(grid.finish(name.clone()));
    }
    Ok(sheets)
}

/// Collects one sheet's non-empty cells, checking each against the row and column limits.
struct Grid<'a> {
    path: &'a Path,
    sheet: &'a str,
    limits: &'a Limits,
    cells: Vec<(u32, u32, String)>,
}

impl<'a> Grid<'a> {
    fn new(path: &'a Path, sheet: &'a str, limits: &'a Limits) -> Grid<'a> {
        Grid {
            path,
            sheet,
            limits,
            cells: Vec::new(),
        }
    }

    fn push(&mut self, row: u32, col: u32, value: &Data) -> Result<()> {
        let text = cell_text(value);
        if text.is_empty() {
            return Ok(());
        }
        let at = crate::cellref::CellRef::new(self.sheet, row, col);
        if row >= self.limits.max_rows {
            return Err(Error::Limit {
                path: self.path.to_path_buf(),
                message: format!(
                    "{at} is past the limit of {} rows per sheet",
                    self.limits.max_rows
                ),
                flag: "--max-rows",
            });
        }
        if col >= self.limits.max_columns {
            return Err(Error::Limit {
                path: self.path.to_path_buf(),
                message: format!(
                    "{at} is past the limit of {} columns per sheet",
                    self.limits.max_columns
                ),
                flag: "--max-columns",
            });
        }
        self.cells.push((row, col, text));
        Ok(())
    }

    /// Rows from the first used row, each as long as its last used cell.
    fn finish(mut self, name: String) -> Sheet {
        let first_row = self.cells.iter().map(|c| c.0).min().unwrap_or(0);
        let first_col = self.cells.iter().map(|c| c.1).min().unwrap_or(0);
        let last_row = self.cells.iter().map(|c| c.0).max().unwrap_or(0);
        let mut rows: Vec<Vec<String>> = if self.cells.is_empty() {
            Vec::new()
        } else {
            vec![Vec::new(); (last_row - first_row + 1) as usize]
        };
        self.cells.sort_by_key(|c| (c.0, c.1));
        for (row, col, text) in self.cells {
            let cells = &mut rows[(row - first_row) as usize];
            let col = (col - first_col) as usize;
            if cells.len() <= col {
                cells.resize(col + 1, String::new());
            }
            cells[col] = text;
        }
        Sheet {
            name,
            first_row,
            first_col,
            rows,
        }
    }
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

fn read_csv(path: &Path, limits: &Limits) -> Result<Sheet> {
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
        if i as u64 >= u64::from(limits.max_rows) {
            return Err(Error::Limit {
                path: path.to_path_buf(),
                message: format!(
                    "line {} is past the limit of {} rows",
                    i + 1,
                    limits.max_rows
                ),
                flag: "--max-rows",
            });
        }
        if record.len() as u64 > u64::from(limits.max_columns) {
            return Err(Error::Limit {
                path: path.to_path_buf(),
                message: format!(
                    "line {} has {} columns, over the limit of {}",
                    i + 1,
                    record.len(),
                    limits.max_columns
                ),
                flag: "--max-columns",
            });
        }
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
    fn sector_chains_that_loop_are_found() {
        const END: u32 = 0xFFFF_FFFE;
        assert_eq!(first_loop(&[1, 2, END, END]), None);
        assert_eq!(
            first_loop(&[1, 2, 99]),
            None,
            "a link out of the table ends"
        );
        assert_eq!(first_loop(&[END, 2, 3, 1]), Some(1));
        assert_eq!(first_loop(&[0]), Some(0), "a sector that is its own next");
        // Chains that merge are not loops.
        assert_eq!(first_loop(&[2, 2, END]), None);
    }

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
        let err = format_of(Path::new("q.pages")).unwrap_err().to_string();
        assert!(err.contains("\".pages\"") && err.contains(".pdf"), "{err}");
        assert!(format_of(Path::new("Q.XLSX")).is_ok());
        assert_eq!(format_of(Path::new("caiq.PDF")).unwrap(), Format::Pdf);
    }
}
