//! Regenerates the committed fixtures: `cargo run --example make_fixtures`.
//! The generator lives with the tests, which check the committed file still matches it.

#[path = "../tests/it/fixtures.rs"]
mod fixtures;

fn main() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sample-questionnaire.xlsx");
    fixtures::sample_questionnaire(&path);
    println!("wrote {}", path.display());
}
