//! Arbitrary bytes as a questionnaire, read and detected only (no matching or writing): the
//! fast target, many times more runs per second than `questionnaire`, for the readers
//! (calamine, our zip and sheet-XML parsing, CSV decoding) and detection. The first byte picks
//! the extension.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use trustfill::questionnaire::Questionnaire;

fuzz_target!(|data: &[u8]| {
    let Some((_dir, input)) = common::input_file(data) else {
        return;
    };
    if let Ok(q) = Questionnaire::read(&input, &Default::default(), &common::limits()) {
        let _ = q.question_count();
    }
});
