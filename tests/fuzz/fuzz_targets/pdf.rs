//! Arbitrary bytes as a PDF: opened under the limits, its words and form fields read, its
//! table recovered. Nothing may panic through (lopdf and the text walk run under
//! `catch_unwind`) or overflow the stack.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("q.pdf");
    std::fs::write(&input, data).expect("write input");
    let Ok(pdf) = trustfill::pdf::Pdf::open(&input, &common::limits()) else {
        return;
    };
    let _ = pdf.fields();
    if let Ok((words, _)) = pdf.words_and_rules(&input) {
        let all: Vec<&trustfill::pdf::Word> = words.iter().collect();
        let starts = trustfill::pdf::table::starts(&all);
        let _ = trustfill::pdf::table::rows(&all, &starts, &[], |t| t.contains('-'));
    }
});
