//! Excel-style cell references (`'Vendor Security'!C14`) for every message that points at a cell.
//! Rows and columns are 0-based inside the program and 1-based / lettered when shown.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellRef {
    pub sheet: String,
    pub row: u32,
    pub col: u32,
}

impl CellRef {
    pub fn new(sheet: impl Into<String>, row: u32, col: u32) -> CellRef {
        CellRef {
            sheet: sheet.into(),
            row,
            col,
        }
    }
}

/// Column letters for a 0-based column index: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn col_letters(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        out.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

/// Sheet name as Excel writes it in a formula: quoted when it holds anything but letters,
/// digits and underscores, with embedded quotes doubled.
pub fn quote_sheet(name: &str) -> String {
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "''"))
    }
}

impl fmt::Display for CellRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}!{}{}",
            quote_sheet(&self.sheet),
            col_letters(self.col),
            self.row + 1
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!(col_letters(0), "A");
        assert_eq!(col_letters(25), "Z");
        assert_eq!(col_letters(26), "AA");
        assert_eq!(col_letters(701), "ZZ");
        assert_eq!(col_letters(702), "AAA");
        assert_eq!(col_letters(16_383), "XFD");
    }

    #[test]
    fn sheet_names_are_quoted_when_excel_would() {
        assert_eq!(CellRef::new("Sheet1", 13, 2).to_string(), "Sheet1!C14");
        assert_eq!(
            CellRef::new("Vendor Security", 13, 2).to_string(),
            "'Vendor Security'!C14"
        );
        assert_eq!(CellRef::new("Bob's", 0, 0).to_string(), "'Bob''s'!A1");
    }
}
