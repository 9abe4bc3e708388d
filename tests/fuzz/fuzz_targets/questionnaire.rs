//! Arbitrary bytes as a questionnaire: read, detect, match against the shipped knowledge base
//! and write the filled copy and the review sheet. The first byte picks the extension, so the
//! same bytes reach the xlsx, xls, ods and csv readers. Anything but a clean `Err` (a panic, an
//! abort, a hang, memory past libFuzzer's limit) is a finding.
#![no_main]

#[path = "common.rs"]
mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use trustfill::date::Date;
use trustfill::fill::{self, FillPlan};
use trustfill::index::KbIndex;
use trustfill::kb::Audience;

fn index() -> &'static KbIndex {
    static INDEX: OnceLock<KbIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let kb = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../knowledge-base");
        KbIndex::open(&kb).expect("the shipped knowledge base opens").0
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((_dir, input)) = common::input_file(data) else {
        return;
    };
    let (output, review) = FillPlan::default_outputs(&input, &Default::default());
    let plan = FillPlan {
        input,
        output,
        review,
        audience: Audience::Public,
        min_confidence: 70,
        overwrite: false,
        highlight: true,
        overrides: Default::default(),
        limits: common::limits(),
        jobs: 1,
        max_age_days: 365,
        today: Date::from_days(20_000),
        profile: Default::default(),
    };
    if let Ok(mut report) = fill::draft(&plan, index(), &mut |_, _| {}) {
        let _ = fill::write(&plan, &mut report);
    }
});
