//! What the questionnaire targets share: the input file and the limits.

use std::path::PathBuf;

use trustfill::limits::{Limits, MB};

/// `data` written to a file in a fresh temporary folder. The first byte picks the extension,
/// so the same bytes reach the xlsx, csv, xls, ods, docx and pdf readers. None for empty input.
pub fn input_file(data: &[u8]) -> Option<(tempfile::TempDir, PathBuf)> {
    let (&pick, bytes) = data.split_first()?;
    let ext = ["xlsx", "csv", "xls", "ods", "docx", "pdf"][usize::from(pick % 6)];
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join(format!("q.{ext}"));
    std::fs::write(&input, bytes).expect("write input");
    Some((dir, input))
}

/// Small limits, so a run stays within libFuzzer's memory and time budget.
pub fn limits() -> Limits {
    Limits {
        max_file_bytes: 8 * MB,
        max_expanded_bytes: 64 * MB,
        max_rows: 5_000,
        max_columns: 200,
        max_xml_elements: 200_000,
    }
}
