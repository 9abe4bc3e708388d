//! Arbitrary bytes as a knowledge-base file: loaded as an answers file, a policy document or
//! the thesaurus (the first byte picks which). Loading must end in `Ok` or in problems named by
//! file and line, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trustfill::kb::KnowledgeBase;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("answers")).expect("mkdir");
    std::fs::create_dir_all(root.join("policies")).expect("mkdir");
    let file = match pick % 3 {
        0 => root.join("answers/fuzz.toml"),
        1 => root.join("policies/fuzz.md"),
        _ => root.join("thesaurus.toml"),
    };
    std::fs::write(&file, bytes).expect("write");
    if let Ok(kb) = KnowledgeBase::load(root) {
        for entry in &kb.entries {
            let _ = entry.phrasings().count();
        }
    }
    let mut analyzer = trustfill::text::english();
    if let Ok(thesaurus) = trustfill::thesaurus::Thesaurus::load(root, &mut analyzer) {
        let mut analyzer = trustfill::text::Analyzer::new(std::sync::Arc::new(thesaurus));
        let _ = analyzer.unique_terms("Do you enforce MFA and SSO for all staff?");
    }
});
