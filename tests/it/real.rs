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

/// The local corpus of real files nobody here wrote (`../corpus`, or `TRUSTFILL_CORPUS`):
/// official Word forms in `word/`, last year's completed HECVAT. Not in the repository
/// (their licences), so ignored by default:
///
///     cargo test --test it corpus -- --ignored --nocapture
fn corpus() -> PathBuf {
    let dir = std::env::var_os("TRUSTFILL_CORPUS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus"),
        PathBuf::from,
    );
    assert!(dir.is_dir(), "these checks need {}", dir.display());
    dir
}

/// Word documents in the corpus that ask nothing (a plan, an SSP, a risk-analysis form):
/// refused with "found no questions", never a crash.
const NOT_QUESTIONNAIRES: [&str; 3] = [
    "fedramp-SSP-A03-E-Authentication-Plan-Template.docx",
    "kfcain-CMMC-L2-SSP-Template.docx",
    "nelsonbrett55-PCI-DSS-12.3.1-Risk-Analysis-Template.docx",
];

/// Issue 24: every real Word questionnaire fills (drafts forced into every answer slot it
/// finds, so every writer path runs), writes a document that reads back, never touches its
/// input; a PCI SAQ's requirement rows (four response boxes, not the Part 2g summary by
/// requirement number) are found as choices, 80% of them at least.
#[test]
#[ignore = "needs the local corpus (../corpus/word)"]
fn corpus_word_forms_fill_and_find_their_questions() {
    let dir = corpus().join("word");
    let work = tempfile::tempdir().unwrap();
    let (_kbdir, kb) = shipped_kb_copy();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".docx"))
        .collect();
    names.sort();
    assert!(names.len() >= 10, "{names:?}");
    for name in names {
        let input = work.path().join(&name);
        std::fs::copy(dir.join(&name), &input).unwrap();
        let hash = file_hash(&input);
        let out = run(trustfill(&kb)
            .args(["fill", "--no-model", "--min-confidence", "1", "--json"])
            .arg(&input));
        assert_eq!(file_hash(&input), hash, "{name}: input modified");
        if NOT_QUESTIONNAIRES.contains(&name.as_str()) {
            assert_eq!(out.status.code(), Some(2), "{name}");
            assert!(stderr(&out).contains("found no questions"), "{name}");
            continue;
        }
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let s: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        let filled = work.path().join(name.replace(".docx", ".filled.docx"));
        let limits = trustfill::limits::Limits::default();
        let again = trustfill::docx::read_document_tables(&filled, &limits)
            .unwrap_or_else(|e| panic!("{name}: the filled copy does not read: {e}"));
        // Requirement rows of a PCI SAQ: four or more lone boxes, an id with a dot.
        let original = trustfill::docx::read_document_tables(&input, &limits).unwrap();
        let requirements: usize = original
            .tables
            .iter()
            .flat_map(|t| &t.rows)
            .filter(|r| r.iter().filter(|c| c.is_tick()).count() >= 4)
            .filter(|r| r.first().is_some_and(|c| c.text.contains('.')))
            .count();
        let q = Questionnaire::read(&input, &Overrides::default(), &limits).unwrap();
        let choices = q
            .sheets
            .iter()
            .flat_map(|s| &s.questions)
            .filter(|q| q.choices.is_some() && q.id.as_deref().is_some_and(|i| i.contains('.')))
            .count();
        println!(
            "{name:<62} questions {:>4} drafted {:>4} requirement rows {requirements:>4} found as choices {choices:>4}",
            s["questions"], s["drafted"]
        );
        if requirements > 0 {
            assert!(
                choices * 5 >= requirements * 4,
                "{name}: {choices} of {requirements} requirement rows found"
            );
        }
        drop(again);
    }
}

/// Issue 24: last year's completed HECVAT 4.1.2, harvested, re-answers this year's blank
/// 4.1.4 (from ../shared) with its own answers: at least 320 of 331 exact reuses, none
/// different from what 4.1.2 said for the same id (an option renumbered, "4) AWS" to "AWS",
/// is the same answer).
#[test]
#[ignore = "needs the local corpus and ../shared/questionnaires"]
fn corpus_last_years_hecvat_answers_this_years_exactly() {
    let done =
        corpus().join("vectorsolutions-TargetSolutions-HECVAT-4.1.2-completed-2026-02-26.xlsx");
    let blank = shared().join("educause-HECVAT414-blank.xlsx");
    let work = tempfile::tempdir().unwrap();
    let kb = work.path().join("kb");
    let out = run(trustfill(&kb).args(["kb", "import"]).arg(&done));
    assert!(out.status.success(), "{}", stderr(&out));
    let loaded = trustfill::kb::KnowledgeBase::load(&kb).unwrap();
    assert!(
        loaded.entries.len() >= 320,
        "{} entries",
        loaded.entries.len()
    );
    assert!(
        loaded
            .entries
            .iter()
            .all(|e| !ID.is_match(&e.question) && e.answer.as_deref() != Some("Answer")),
        "a question is an id or an answer a header word"
    );
    let input = work.path().join("hecvat414.xlsx");
    std::fs::copy(&blank, &input).unwrap();
    let out = run(trustfill(&kb).args(["fill", "--no-model"]).arg(&input));
    assert!(out.status.success(), "{}", stderr(&out));
    // What 4.1.2 answered, by id (column A id, column C answer, on every sheet).
    let before: std::collections::HashMap<String, Vec<String>> =
        trustfill::container::read_grids(&done, &trustfill::limits::Limits::default())
            .unwrap()
            .iter()
            .flat_map(|g| g.rows.iter())
            .filter(|r| r.len() > 2 && ID.is_match(r[0].trim()))
            .fold(Default::default(), |mut m, r| {
                m.entry(r[0].trim().to_string())
                    .or_default()
                    .push(r[2].trim().to_string());
                m
            });
    let unnumbered = |s: &str| {
        let t = s.trim_start_matches(|c: char| c.is_ascii_digit());
        t.strip_prefix(')').map_or(s, str::trim).to_string()
    };
    let log = std::fs::read_to_string(work.path().join("hecvat414.filled.answers.jsonl")).unwrap();
    let mut exact = 0;
    for line in log.lines() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = row["question_id"].as_str().unwrap_or_default();
        let answer = row["answer"].as_str().unwrap_or_default();
        let said = before.get(id).map(Vec::as_slice).unwrap_or_default();
        assert!(
            said.iter().any(|a| a == answer || unnumbered(a) == answer),
            "{id}: drafted {answer:?}, 4.1.2 said {said:?}"
        );
        if row["reuse"] == "exact" {
            exact += 1;
        }
    }
    println!("{exact} exact reuses");
    assert!(exact >= 320, "{exact} exact reuses");
}

/// Issue 25: completed CAIQ v4.0.2 PDFs harvest into one entry per question id, each with its
/// question, a Yes/No/NA answer, its implementation description and its CAIQ id as a
/// reference: Google Cloud's (printed from Excel) into at least 250, AWS's two editions (made
/// in Word and printed to PDF: narrow columns break the ids over two lines, rows run over
/// pages) into at least 230. The answers agree on at least 98% with the PDF's own: the
/// Yes/No/NA words printed under the answer column's heading, read in page order, by
/// position alone.
#[test]
#[ignore = "needs the local corpus (../corpus/pdf)"]
fn corpus_completed_caiq_pdf_harvests() {
    for (file, least) in [
        ("google-cloud-CAIQ-completed.pdf", 250),
        ("aws-CAIQ-completed-2024.pdf", 230),
        ("aws-CAIQ-v4.0.2-completed-2022.pdf", 230),
    ] {
        let done = corpus().join("pdf").join(file);
        let work = tempfile::tempdir().unwrap();
        let kb = work.path().join("kb");
        let out = run(trustfill(&kb).args(["kb", "import"]).arg(&done));
        assert!(out.status.success(), "{file}: {}", stderr(&out));
        let loaded = trustfill::kb::KnowledgeBase::load(&kb).unwrap();
        let entries = &loaded.entries;
        let mut ids = BTreeSet::new();
        for e in entries {
            let id = e
                .refs
                .first()
                .and_then(|r| r.strip_prefix("CAIQ "))
                .and_then(|r| r.rsplit(' ').next())
                .unwrap_or_default();
            assert!(ID.is_match(id), "{file} {}: ref {:?}", e.id, e.refs);
            assert!(ids.insert(id.to_string()), "{file}: {id} twice");
            assert!(
                matches!(e.answer.as_deref(), Some("Yes" | "No" | "NA")),
                "{file} {id}: {:?}",
                e.answer
            );
            assert!(e.question.contains('?'), "{file} {id}: {:?}", e.question);
        }
        // A vendor leaves the description empty where the customer owns the control (AWS:
        // 36 rows, their text under "CSC Responsibilities").
        let described = entries.iter().filter(|e| !e.comment.is_empty()).count();
        assert!(
            described * 100 >= entries.len() * 85,
            "{file}: {described} described"
        );
        // The PDF's own answers: the words under the heading "Answer" (within 5 points of its
        // left edge), in page and line order.
        let pdf = trustfill::pdf::Pdf::open(&done, &Default::default()).unwrap();
        let words = pdf.words(&done).unwrap();
        // The table's heading "CSP CAIQ Answer" (prose before the table says "answer" too).
        let heading = words
            .windows(2)
            .find(|w| w[0].text == "CAIQ" && w[1].text == "Answer" && w[1].size < 10.0)
            .map(|w| &w[1])
            .unwrap();
        let column = words
            .iter()
            .filter(|w| w.page == heading.page && (w.y - heading.y).abs() < 15.0)
            .filter(|w| w.x0 < heading.x1 && w.x1 > heading.x0 && heading.x0 - w.x0 < 10.0)
            .map(|w| w.x0)
            .fold(heading.x0, f32::min);
        let mut own: Vec<(u32, f32, &str)> = words
            .iter()
            .filter(|w| matches!(w.text.as_str(), "Yes" | "No" | "NA"))
            .filter(|w| (w.x0 - column).abs() < 5.0)
            .map(|w| (w.page, w.y, w.text.as_str()))
            .collect();
        own.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let harvested: Vec<&str> = entries.iter().filter_map(|e| e.answer.as_deref()).collect();
        let agree = own
            .iter()
            .zip(&harvested)
            .filter(|((_, _, a), b)| a == *b)
            .count();
        println!(
            "{file}: {} entries, {described} described; the PDF prints {} answers; {agree} agree in order",
            entries.len(),
            own.len()
        );
        assert!(entries.len() >= least, "{file}: {} entries", entries.len());
        assert_eq!(own.len(), entries.len(), "{file}");
        assert!(agree * 100 >= entries.len() * 98, "{file}: {agree} agree");
    }
}

/// Issue 25: a flat PCI DSS SAQ A PDF (no form fields; the response boxes are drawn) is not
/// refused: at least 23 of its 29 requirements are found, each answered by marking one of
/// its response columns, in the edition of December 2022 and the original of April 2022.
#[test]
#[ignore = "needs the local corpus (../corpus/pdf)"]
fn corpus_flat_saq_a_pdf_finds_its_requirements() {
    for file in [
        "pcissc-PCI-DSS-v4.0-SAQ-A-r1.pdf",
        "pcissc-PCI-DSS-v4.0-SAQ-A-original-2022-04.pdf",
    ] {
        let path = corpus().join("pdf").join(file);
        let work = tempfile::tempdir().unwrap();
        let out = run(trustfill(&work.path().join("kb")).arg("inspect").arg(&path));
        assert!(out.status.success(), "{file}: {}", stderr(&out));
        let text = stdout(&out);
        let found: usize = text
            .split(" questions in ")
            .next()
            .and_then(|s| s.rsplit(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        println!("{file}: {found} requirements");
        assert!((23..=29).contains(&found), "{file}: {text}");
        assert!(
            text.contains("a mark \"X\" in one of: In Place, In Place with CCW"),
            "{file}: {text}"
        );
    }
}

/// Issue 25: a flat PDF writing its questions as numbered paragraphs (CISA's ICT SCRM vendor
/// template: "1.1. Have you previously provided…?", sections over 47 pages, a contents page
/// and running headers) is read question by question, ids and text whole.
#[test]
#[ignore = "needs the local corpus (../corpus/pdf)"]
fn corpus_numbered_pdf_questions_are_read() {
    let path = corpus().join("pdf/cisa-ICT-SCRM-Vendor-SCRM-Template-questionnaire.pdf");
    let work = tempfile::tempdir().unwrap();
    let input = work.path().join("cisa.pdf");
    std::fs::copy(&path, &input).unwrap();
    let (_kbdir, kb) = shipped_kb_copy();
    let out = run(trustfill(&kb).args(["fill", "--no-model"]).arg(&input));
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = review_rows_of(&work.path().join("cisa.review.xlsx"));
    println!("{} numbered questions", rows.len());
    assert!(rows.len() >= 200, "{}", rows.len());
    let first = &rows[0];
    assert_eq!(first.question_id, "1.1");
    assert_eq!(
        first.question,
        "Have you previously provided supply chain risk management information to this organization?"
    );
    assert!(
        rows.iter().all(|r| !r.question.contains("....")),
        "no contents lines"
    );
    assert!(
        rows.iter().all(|r| !r
            .question
            .contains("CYBERSECURITY AND INFRASTRUCTURE SECURITY AGENCY")),
        "no running headers"
    );
}
