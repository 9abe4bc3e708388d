//! Checks against the real public questionnaires in `../shared/questionnaires/` (see its
//! SOURCES.md). Their licences forbid copying them into this repository, so these tests are
//! ignored by default and need that folder beside the clone:
//!
//!     cargo test --test it real -- --ignored --nocapture
//!
//! Ground truth comes from SOURCES.md, independently of the detector: the vendor-response
//! sheets of each file, and that a question row is one whose column A holds a question id.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Instant;

use regex::Regex;
use trustfill::questionnaire::{Overrides, Questionnaire};

use crate::common::*;

static ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-Z&]{2,6}-\d{2}(\.\d+)?$").unwrap());

/// (file, its vendor-response sheets) from SOURCES.md.
const FILES: [(&str, &[&str]); 8] = [
    (
        "csa-CAIQv4.0.3_STAR-Security-Questionnaire_Generated-at_2024-06-03.xlsx",
        &["CAIQv4.0.3"],
    ),
    ("instructure-CAIQv4.0.3-completed.xlsx", &["CAIQv4.0.3"]),
    (
        "whitepact-CAIQv4.0.3_WhitePact_completed.xlsx",
        &["CAIQv4.0.3"],
    ),
    (
        "educause-HECVAT414-blank.xlsx",
        &[
            "START HERE",
            "Organization",
            "Product",
            "Infrastructure",
            "IT Accessibility",
            "Case-Specific",
            "AI",
            "Privacy",
        ],
    ),
    (
        "instructure-canvas-lms-HECVAT-Full-completed.xlsx",
        &["HECVAT - Full | Vendor Response"],
    ),
    (
        "instructure-canvas-catalog-HECVAT-Lite-completed.xlsx",
        &["HECVAT - Lite | Vendor Response"],
    ),
    (
        "instructure-portfolium-HECVAT-v2.11-completed.xlsx",
        &["HECVAT - Full"],
    ),
    (
        "instructure-canvas-lms-CoSN-K-12CVAT-Lite-completed.xlsx",
        &["CoSN K-12CVAT"],
    ),
];

fn shared() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/questionnaires");
    assert!(
        dir.is_dir(),
        "these checks need {} (see SOURCES.md there)",
        dir.display()
    );
    dir
}

#[test]
#[ignore = "needs ../shared/questionnaires"]
fn real_questionnaires_detect_their_question_rows() {
    let dir = shared();
    let mut files: Vec<(String, Vec<&str>)> = FILES
        .iter()
        .map(|(f, s)| (f.to_string(), s.to_vec()))
        .collect();
    files.push((
        "opendsa-HECVAT3-Full-completed_20220830.xlsx".into(),
        vec!["HECVAT - Full"],
    ));
    println!(
        "{:<58} {:>8} {:>8} {:>7} {:>9}",
        "file", "expected", "detected", "recall", "precision"
    );
    for (file, sheets) in files {
        let path = dir.join(&file);
        let mut expected = BTreeSet::new();
        for sheet in trustfill::workbook::read(&path, &Default::default()).unwrap() {
            if !sheets.contains(&sheet.name.as_str()) {
                continue;
            }
            for (r, row) in sheet.rows.iter().enumerate() {
                if row.first().is_some_and(|a| ID.is_match(a.trim())) {
                    expected.insert((sheet.name.clone(), sheet.first_row + r as u32));
                }
            }
        }
        let q = Questionnaire::read(&path, &Overrides::default(), &Default::default()).unwrap();
        let detected: BTreeSet<(String, u32)> = q
            .sheets
            .iter()
            .flat_map(|s| {
                s.questions
                    .iter()
                    .map(|q| (q.cell.sheet.clone(), q.cell.row))
            })
            .collect();
        let hits = expected.intersection(&detected).count();
        let recall = hits as f64 / expected.len() as f64;
        let precision = hits as f64 / detected.len().max(1) as f64;
        println!(
            "{file:<58} {:>8} {:>8} {recall:>7.3} {precision:>9.3}",
            expected.len(),
            detected.len()
        );
        let extra: Vec<_> = detected.difference(&expected).take(5).collect();
        // The README claims recall and precision 1.000 on every file.
        assert_eq!(
            hits,
            expected.len(),
            "{file}: recall {recall:.3}; missed {:?}",
            expected.difference(&detected).take(5).collect::<Vec<_>>()
        );
        assert!(
            extra.is_empty(),
            "{file}: rows taken for questions that are not: {extra:?}"
        );
    }
}

#[test]
#[ignore = "needs ../shared/questionnaires"]
fn real_questionnaires_fill_without_touching_the_input() {
    let dir = shared();
    let work = tempfile::tempdir().unwrap();
    // A copy, so the test never writes an index into the repository's knowledge-base/.
    let (_kbdir, kb) = shipped_kb_copy();
    println!(
        "{:<58} {:>9} {:>7} {:>7} {:>5} {:>7} {:>7}",
        "file", "questions", "drafted", "needs", "kept", "formula", "seconds"
    );
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".xlsx"))
        .collect();
    names.sort();
    for name in names {
        let input = work.path().join(&name);
        std::fs::copy(dir.join(&name), &input).unwrap();
        let hash = file_hash(&input);
        let start = Instant::now();
        let out = run(trustfill(&kb).args(["fill", "--json"]).arg(&input));
        let took = start.elapsed().as_secs_f64();
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        assert_eq!(file_hash(&input), hash, "{name}: input modified");
        let s: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        println!(
            "{name:<58} {:>9} {:>7} {:>7} {:>5} {:>7} {took:>7.2}",
            s["questions"], s["drafted"], s["needs_answer"], s["kept"], s["formula"]
        );
        // The filled copy still reads, with the same sheets.
        let before: Vec<String> = trustfill::workbook::read(&input, &Default::default())
            .unwrap()
            .into_iter()
            .map(|s| s.name)
            .collect();
        let filled = work.path().join(name.replace(".xlsx", ".filled.xlsx"));
        let after: Vec<String> = trustfill::workbook::read(&filled, &Default::default())
            .unwrap()
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(before, after, "{name}");
    }
}
