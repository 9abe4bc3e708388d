//! Arbitrary bytes as a questionnaire, read and detected only (no matching or writing): the
//! fast target, a hundred times more runs per second than `questionnaire`, for the readers
//! (calamine, our zip and sheet-XML parsing, CSV decoding) and detection. The first byte picks
//! the extension.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trustfill::limits::{Limits, MB};
use trustfill::questionnaire::Questionnaire;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let ext = ["xlsx", "csv", "xls", "ods"][usize::from(pick % 4)];
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join(format!("q.{ext}"));
    std::fs::write(&input, bytes).expect("write input");
    let limits = Limits {
        max_file_bytes: 8 * MB,
        max_expanded_bytes: 64 * MB,
        max_rows: 5_000,
        max_columns: 200,
    };
    if let Ok(q) = Questionnaire::read(&input, &Default::default(), &limits) {
        let _ = q.question_count();
    }
});
