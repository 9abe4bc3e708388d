//! A grid of cell text: what every format's reader produces (a worksheet, a Word table, a Word
//! document's question paragraphs) and what questionnaire detection reads.

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
