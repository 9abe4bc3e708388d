//! Answer once, reuse exactly: references on entries, exact reuse by id and text, harvested
//! entries dated and referenced, and a harvest-then-fill round trip.

use std::path::Path;

use crate::common::*;

/// An entry with references.
fn with_refs(id: &str, question: &str, answer: &str, refs: &[&str]) -> String {
    let refs: Vec<String> = refs.iter().map(|r| format!("{r:?}")).collect();
    entry(id, question, answer, "public").replace(
        "[[answer]]\n",
        &format!("[[answer]]\nrefs = [{}]\n", refs.join(", ")),
    )
}

/// Fill a CSV questionnaire of `(id, question)` rows; the review rows back.
fn fill_rows(kb: &Path, rows: &[(&str, &str)]) -> Vec<serde_json::Map<String, serde_json::Value>> {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("q.csv");
    let mut text = String::from("ID,Question,Answer,Comment\n");
    for (id, q) in rows {
        text.push_str(&format!("{id},\"{q}\",,\n"));
    }
    std::fs::write(&csv, text).unwrap();
    let out = run(trustfill(kb).arg("fill").arg(&csv).arg("--json"));
    assert!(out.status.success(), "{}", stderr(&out));
    let dump = cell_dump(&dir.path().join("q.review.xlsx"));
    let log = std::fs::read_to_string(dir.path().join("q.filled.answers.jsonl")).unwrap();
    let logged: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (1..=rows.len() as u32)
        .map(|r| {
            let cell = |c: u32| {
                serde_json::Value::String(
                    dump.get(&("Review".to_string(), r, c))
                        .cloned()
                        .unwrap_or_default(),
                )
            };
            let mut m = serde_json::Map::new();
            let cell_a1 = dump
                .get(&("Review".to_string(), r, 1))
                .cloned()
                .unwrap_or_default();
            let line = logged
                .iter()
                .find(|l| {
                    l["cell"]
                        .as_str()
                        .is_some_and(|c| c.ends_with(&format!("!{cell_a1}")))
                })
                .cloned()
                .unwrap_or_default();
            m.insert("log".into(), line);
            for (name, col) in [
                ("id", 2),
                ("answer", 4),
                ("confidence", 6),
                ("status", 7),
                ("source", 8),
                ("note", 11),
            ] {
                m.insert(name.into(), cell(col));
            }
            m
        })
        .collect()
}

#[test]
fn a_row_whose_id_and_text_an_entry_answered_before_is_an_exact_reuse() {
    let answers = [
        with_refs(
            "enc",
            "Is customer data encrypted at rest?",
            "Yes",
            &["Acme SQ 2025 Q-01"],
        ),
        entry("bk", "Are backups encrypted?", "Yes", "public"),
        entry("bk2", "Are backups encrypted?", "No", "public"),
    ]
    .concat();
    let (_dir, kb) = temp_kb(&[("answers/a.toml", &answers)]);
    let rows = fill_rows(
        &kb,
        &[
            ("Q-01", "Is customer data encrypted at rest?"),
            ("Q-02", "Is customer data encrypted at rest?"),
            ("Q-01", "Is stored data encrypted with customer keys?"),
            ("Q-03", "Are backups encrypted?"),
        ],
    );
    // By id and text: exact, naming the reference.
    assert_eq!(rows[0]["status"], "Draft");
    assert_eq!(rows[0]["confidence"], "99");
    assert!(
        rows[0]["note"]
            .as_str()
            .unwrap()
            .starts_with("exact: enc answered Acme SQ 2025 Q-01 before"),
        "{:?}",
        rows[0]
    );
    // The answer log says what was reused, from which entry, under which reference.
    assert_eq!(rows[0]["log"]["reuse"], "exact");
    assert_eq!(rows[0]["log"]["reference"], "Acme SQ 2025 Q-01");
    assert_eq!(rows[0]["log"]["entry"], "enc");
    // The same text under another id: exact by text (one entry has it).
    assert_eq!(rows[1]["confidence"], "99");
    assert!(
        rows[1]["note"].as_str().unwrap().contains("word for word"),
        "{:?}",
        rows[1]
    );
    // The same id with another text: another edition, not exact.
    assert_ne!(rows[2]["confidence"], "99", "{:?}", rows[2]);
    // Two entries with the same text and no id to tell them apart: not exact.
    assert_ne!(rows[3]["confidence"], "99", "{:?}", rows[3]);
    assert!(
        !rows[3]["note"].as_str().unwrap().contains("exact"),
        "{:?}",
        rows[3]
    );
}

/// CAIQ's "policies and procedures" questions share one text and differ by the domain their id
/// names: each row gets the answer given to its own id.
#[test]
fn questions_that_share_a_text_are_told_apart_by_their_id() {
    let text = "Are policies and procedures established, documented, approved, communicated, applied, evaluated and maintained?";
    let answers = [
        with_refs("gen-a", text, "Yes", &["CAIQ v4.0.3 A&A-01.1"]),
        with_refs("gen-b", text, "No", &["CAIQ v4.0.3 AIS-01.1"]),
    ]
    .concat();
    let (_dir, kb) = temp_kb(&[("answers/a.toml", &answers)]);
    let rows = fill_rows(&kb, &[("AIS-01.1", text), ("A&A-01.1", text)]);
    assert_eq!(
        (rows[0]["source"].as_str(), rows[0]["answer"].as_str()),
        (Some("gen-b"), Some("No"))
    );
    assert_eq!(rows[1]["source"], "gen-a");
    assert_eq!(rows[0]["confidence"], "99");
    assert_eq!(rows[1]["confidence"], "99");
}

/// A completed questionnaire of our own making: an id, question and answer column, with the
/// workbook's own date.
fn completed(path: &Path) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let when = rust_xlsxwriter::ExcelDateTime::from_ymd(2025, 3, 14).unwrap();
    book.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&when));
    let ws = book.add_worksheet().set_name("Acme SQ v2.1").unwrap();
    // Headed as questionnaires are ("Vendor Answers"), not as an answer library.
    for (c, h) in ["ID", "Question", "Vendor Answers", "Additional Information"]
        .iter()
        .enumerate()
    {
        ws.write(0, c as u16, *h).unwrap();
    }
    let rows = [
        (
            "SQ-01",
            "Is customer data encrypted at rest?",
            "Yes",
            "AES-256 with AWS KMS.",
        ),
        (
            "SQ-02",
            "Do you have a SOC 2 Type II report?",
            "Yes",
            "Available under NDA.",
        ),
        ("SQ-03", "Are policies reviewed annually?", "Yes", ""),
        (
            "SQ-04",
            "Are policies reviewed annually?",
            "No",
            "Only the security policy.",
        ),
        (
            "SQ-05",
            "Describe your incident response process.",
            "We triage, contain and notify within 72 hours.",
            "",
        ),
    ];
    for (r, (id, q, a, c)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write(r, 0, *id).unwrap();
        ws.write(r, 1, *q).unwrap();
        ws.write(r, 2, *a).unwrap();
        ws.write(r, 3, *c).unwrap();
    }
    book.save(path).unwrap();
}

#[test]
fn harvested_entries_are_dated_referenced_and_reused_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let done = dir.path().join("acme-completed.xlsx");
    completed(&done);
    let kb = dir.path().join("kb");
    let out = run(trustfill(&kb).args(["kb", "import"]).arg(&done));
    assert!(out.status.success(), "{}", stderr(&out));
    let loaded = trustfill::kb::KnowledgeBase::load(&kb).unwrap();
    assert_eq!(
        loaded.entries.len(),
        5,
        "the same text under two ids is two entries"
    );
    for e in &loaded.entries {
        assert_eq!(
            e.reviewed.map(|d| d.to_string()).as_deref(),
            Some("2025-03-14"),
            "{}",
            e.id
        );
        assert_eq!(e.refs.len(), 1, "{}", e.id);
        assert!(e.refs[0].starts_with("Acme SQ v2.1 SQ-0"), "{:?}", e.refs);
    }
    let long = loaded
        .entries
        .iter()
        .find(|e| e.refs[0].ends_with("SQ-05"))
        .unwrap();
    assert_eq!(
        long.answer.as_deref(),
        Some("We triage, contain and notify within 72 hours."),
        "a free-text answer stays the answer"
    );
    // --reviewed says when the answers were approved.
    let kb2 = dir.path().join("kb2");
    let out = run(trustfill(&kb2)
        .args(["kb", "import", "--reviewed", "2025-06-30"])
        .arg(&done));
    assert!(out.status.success(), "{}", stderr(&out));
    let dated = trustfill::kb::KnowledgeBase::load(&kb2).unwrap();
    assert!(
        dated
            .entries
            .iter()
            .all(|e| e.reviewed.map(|d| d.to_string()).as_deref() == Some("2025-06-30"))
    );

    // Filled again, blank, the questionnaire comes back exact with the vendor's own answers.
    let blank = dir.path().join("acme-blank.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet().set_name("Acme SQ v2.1").unwrap();
    for (c, h) in ["ID", "Question", "Answer", "Comments"].iter().enumerate() {
        ws.write(0, c as u16, *h).unwrap();
    }
    for (r, (id, q)) in [
        ("SQ-01", "Is customer data encrypted at rest?"),
        ("SQ-02", "Do you have a SOC 2 Type II report?"),
        ("SQ-03", "Are policies reviewed annually?"),
        ("SQ-04", "Are policies reviewed annually?"),
        ("SQ-05", "Describe your incident response process."),
    ]
    .iter()
    .enumerate()
    {
        ws.write(r as u32 + 1, 0, *id).unwrap();
        ws.write(r as u32 + 1, 1, *q).unwrap();
    }
    book.save(&blank).unwrap();
    let out = run(trustfill_on(&kb, "2025-09-01").arg("fill").arg(&blank));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("drafted 5 (5 exact,"),
        "{}",
        stderr(&out)
    );
    let filled = cell_dump(&dir.path().join("acme-blank.filled.xlsx"));
    let at = |r: u32, c: u32| {
        filled
            .get(&("Acme SQ v2.1".to_string(), r, c))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(
        (at(1, 2), at(3, 2), at(4, 2), at(5, 2)),
        (
            "Yes".to_string(),
            "Yes".to_string(),
            "No".to_string(),
            "We triage, contain and notify within 72 hours.".to_string()
        )
    );
    assert_eq!(at(4, 3), "Only the security policy.");
}

/// A library keyed by a framework's ids ("A&A-01.1", "DATE-01") imports: each entry gets an id
/// of ours and keeps the library's as its reference, which exact reuse then finds.
#[test]
fn a_library_keyed_by_foreign_ids_imports_and_keeps_them_as_references() {
    let dir = tempfile::tempdir().unwrap();
    let library = dir.path().join("library.csv");
    std::fs::write(
        &library,
        "ID,Question,Answer,Comment\nA&A-01.1,Is customer data encrypted at rest?,Yes,AES-256.\nDATE-01,Date questionnaire completed,2025-01-31,\n",
    )
    .unwrap();
    let kb = dir.path().join("kb");
    let out = run(trustfill(&kb).args(["kb", "import"]).arg(&library));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("A&A-01.1 → "), "{}", stderr(&out));
    let loaded = trustfill::kb::KnowledgeBase::load(&kb).unwrap();
    let refs: Vec<&str> = loaded
        .entries
        .iter()
        .flat_map(|e| e.refs.iter().map(String::as_str))
        .collect();
    assert_eq!(refs, ["A&A-01.1", "DATE-01"]);
    let rows = fill_rows(&kb, &[("A&A-01.1", "Is customer data encrypted at rest?")]);
    assert_eq!(rows[0]["confidence"], "99");
    assert!(
        rows[0]["note"]
            .as_str()
            .unwrap()
            .contains("answered A&A-01.1 before"),
        "{:?}",
        rows[0]
    );
}

/// `kb learn` records the question ids of approved rows on their entry, and `kb stats` counts
/// the references by framework.
#[test]
fn learned_rows_leave_their_question_id_as_a_reference() {
    let (_kbdir, kb) = shipped_kb_copy();
    let dir = tempfile::tempdir().unwrap();
    let input = sample_in(dir.path());
    assert!(run(trustfill(&kb).arg("fill").arg(&input)).status.success());
    let review = dir.path().join("vendor.review.xlsx");
    edit_review(&review, &[(1, 7, "Approved")]);
    let out = run(trustfill(&kb).args(["kb", "learn"]).arg(&review));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("added reference to iam-workforce-mfa: \"vendor ACC-01\""),
        "{}",
        stdout(&out)
    );
    let mfa = trustfill::kb::KnowledgeBase::load(&kb)
        .unwrap()
        .get("iam-workforce-mfa")
        .unwrap()
        .clone();
    assert_eq!(mfa.refs, ["vendor ACC-01"]);
    let stats = run(trustfill(&kb).args(["kb", "stats", "--json"]));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&stats)).unwrap();
    assert_eq!(doc["by_framework"]["vendor"], 1);
    // The next fill of the same questionnaire reuses it exactly.
    let again = dir.path().join("again");
    std::fs::create_dir(&again).unwrap();
    let input2 = sample_in(&again);
    assert!(
        run(trustfill(&kb).arg("fill").arg(&input2))
            .status
            .success()
    );
    let dump = cell_dump(&again.join("vendor.review.xlsx"));
    let note = (1..20)
        .find(|r| {
            dump.get(&("Review".to_string(), *r, 2))
                .is_some_and(|v| v == "ACC-01")
        })
        .and_then(|r| dump.get(&("Review".to_string(), r, 11)).cloned())
        .unwrap_or_default();
    assert!(
        note.starts_with("exact: iam-workforce-mfa answered vendor ACC-01 before"),
        "{note}"
    );
}

/// The questions of a made-up higher-education questionnaire in the HECVAT 4 layout, by sheet:
/// (id, question). Phrased as the shipped library's entries, so a first fill drafts them.
const HE_SHEETS: [(&str, &[(&str, &str)]); 2] = [
    (
        "Product",
        &[
            ("REQU-01", "Is every user assigned a unique user ID?"),
            (
                "AAAI-01",
                "Do you maintain a documented access control policy?",
            ),
            (
                "AAAI-02",
                "Is multi-factor authentication required for all employees and contractors?",
            ),
            ("AAAI-03", "Are shared or generic user accounts permitted?"),
        ],
    ),
    (
        "Infrastructure",
        &[
            (
                "APPL-01",
                "Does the application provide role-based access control?",
            ),
            (
                "APPL-02",
                "Do application sessions time out after a period of inactivity?",
            ),
            (
                "APPL-03",
                "Are accounts locked after repeated failed login attempts?",
            ),
        ],
    ),
];

/// A workbook in the HECVAT 4 layout: on each sheet a "Date Completed" line, a section row
/// " Required Questions | | Answer" (which names a question and an answer column, as an
/// answer library's header would), section rows between groups, ids in A, questions in B (the
/// first as a formula with its cached text), answers in C (a Yes/No dropdown) and Additional
/// Information in D. `answers` gives each question's answer and comment by id.
fn he_workbook(path: &Path, answers: &dyn Fn(&str) -> Option<(&'static str, &'static str)>) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let yes_no = rust_xlsxwriter::DataValidation::new()
        .allow_list_strings(&["Yes", "No"])
        .unwrap();
    for (sheet, questions) in HE_SHEETS {
        let ws = book.add_worksheet().set_name(sheet).unwrap();
        ws.write(0, 0, "Date Completed").unwrap();
        ws.write(2, 0, " Required Questions").unwrap();
        ws.write(2, 2, "Answer").unwrap();
        let mut r = 3;
        for (i, (id, question)) in questions.iter().enumerate() {
            if i == 1 {
                ws.write(
                    r,
                    0,
                    " Authentication, Authorization, and Account Management",
                )
                .unwrap();
                ws.write(r, 2, "Answer").unwrap();
                ws.write(r, 3, "Additional Information").unwrap();
                r += 1;
            }
            ws.write(r, 0, *id).unwrap();
            if i == 0 {
                let formula =
                    rust_xlsxwriter::Formula::new(format!("=\"{question}\"")).set_result(*question);
                ws.write_formula(r, 1, formula).unwrap();
            } else {
                ws.write(r, 1, *question).unwrap();
            }
            ws.add_data_validation(r, 2, r, 2, &yes_no).unwrap();
            if let Some((answer, comment)) = answers(id) {
                ws.write(r, 2, answer).unwrap();
                ws.write(r, 3, comment).unwrap();
            }
            r += 1;
        }
    }
    book.save(path).unwrap();
}

/// Issue 24: a completed questionnaire whose one sheet happens to have a header naming a
/// question and an answer column is still a questionnaire: every answer sheet is harvested,
/// each entry's question is the question text (a formula's cached value), never the id or a
/// header word; a real answer library is still imported as one.
#[test]
fn a_completed_questionnaire_is_told_from_a_library_by_all_its_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let done = dir.path().join("he-completed.xlsx");
    he_workbook(&done, &|id| {
        Some(if id == "AAAI-03" {
            ("No", "Every account belongs to one person.")
        } else {
            ("Yes", "")
        })
    });
    let kb = dir.path().join("kb");
    let out = run(trustfill(&kb).args(["kb", "import"]).arg(&done));
    assert!(out.status.success(), "{}", stderr(&out));
    let loaded = trustfill::kb::KnowledgeBase::load(&kb).unwrap();
    let mut got: Vec<(String, String)> = loaded
        .entries
        .iter()
        .map(|e| (e.question.clone(), e.answer.clone().unwrap_or_default()))
        .collect();
    got.sort();
    let mut want: Vec<(String, String)> = HE_SHEETS
        .iter()
        .flat_map(|(_, qs)| qs.iter())
        .map(|(id, q)| {
            let a = if *id == "AAAI-03" { "No" } else { "Yes" };
            (q.to_string(), a.to_string())
        })
        .collect();
    want.sort();
    assert_eq!(got, want, "{}", stderr(&out));
    // --update is for libraries: said, not ignored.
    let out = run(trustfill(&kb).args(["kb", "import", "--update"]).arg(&done));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("reads as a completed questionnaire"),
        "{}",
        stderr(&out)
    );

    // An answer library: one sheet, a Question | Answer | Comment header, every row answered.
    let library = dir.path().join("library.xlsx");
    write_rows(
        &library,
        "Answers",
        &[
            &["Question", "Answer", "Comment"],
            &["Do you encrypt data at rest?", "Yes", "AES-256."],
            &["Do you have a SOC 2 report?", "Yes", ""],
        ],
    );
    let kb2 = dir.path().join("kb2");
    let out = run(trustfill(&kb2).args(["kb", "import"]).arg(&library));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("imported 2 entries from sheet \"Answers\""),
        "{}",
        stderr(&out)
    );
}

/// Issue 24's round trip: fill a blank questionnaire, approve, finalize, import the final copy
/// into a new library, fill the blank again: every answered row comes back as an exact reuse
/// with the same answer, the reviewer's change included.
#[test]
fn a_finalized_questionnaire_harvested_answers_its_blank_exactly() {
    let (_kbdir, shipped) = shipped_kb_copy();
    let dir = tempfile::tempdir().unwrap();
    let blank = dir.path().join("he-blank.xlsx");
    he_workbook(&blank, &|_| None);
    let out = run(trustfill_on(&shipped, "2026-12-07")
        .args(["fill", "--no-model"])
        .arg(&blank));
    assert!(out.status.success(), "{}", stderr(&out));
    let review = dir.path().join("he-blank.review.xlsx");
    let rows = review_rows_of(&review);
    let drafted: Vec<u32> = rows
        .iter()
        .filter(|r| r.status == "Draft")
        // `edit_review` counts rows from the first below the header.
        .map(|r| r.review_row - 1)
        .collect();
    assert!(drafted.len() >= 5, "{rows:?}");
    // Approve every draft; the reviewer turns one answer around.
    let mut edits: Vec<(u32, u16, &str)> = drafted.iter().map(|&r| (r, 7, "Approved")).collect();
    edits.push((drafted[0], 4, "No"));
    edit_review(&review, &edits);
    let out = run(trustfill_on(&shipped, "2026-12-07")
        .arg("finalize")
        .arg(&review));
    assert!(out.status.success(), "{}", stderr(&out));
    let last = dir.path().join("he-blank.final.xlsx");
    let sent = cell_dump(&last);

    let next = dir.path().join("next-kb");
    let out = run(trustfill_on(&next, "2026-12-07")
        .args(["kb", "import"])
        .arg(&last));
    assert!(out.status.success(), "{}", stderr(&out));
    let again = dir.path().join("again");
    std::fs::create_dir(&again).unwrap();
    let blank2 = again.join("he-blank.xlsx");
    std::fs::copy(&blank, &blank2).unwrap();
    let out = run(trustfill_on(&next, "2027-01-15")
        .args(["fill", "--no-model"])
        .arg(&blank2));
    assert!(out.status.success(), "{}", stderr(&out));
    let n = drafted.len();
    assert!(
        stderr(&out).contains(&format!("drafted {n} ({n} exact,")),
        "{}",
        stderr(&out)
    );
    let refilled = cell_dump(&again.join("he-blank.filled.xlsx"));
    let answers = |cells: &std::collections::BTreeMap<(String, u32, u32), String>| {
        cells
            .iter()
            .filter(|((_, _, c), v)| {
                (*c == 2 || *c == 3) && !v.is_empty() && v.as_str() != "Answer"
            })
            .filter(|((_, _, c), v)| *c == 2 || !v.starts_with("Additional"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        answers(&refilled),
        answers(&sent),
        "the same answers in the same cells"
    );
    assert!(
        answers(&sent).iter().any(|(_, v)| v == "No"),
        "the reviewer's change is among them"
    );
}
