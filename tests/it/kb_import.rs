use rust_xlsxwriter::Workbook;
use serde_json::Value;

use crate::common::*;

const LIBRARY_CSV: &str = "Acme answer library,,,,\n,,,,\nCategory,QUESTION,Answer,Explanation,Audience\nEncryption,Do you encrypt laptops?,Yes,FileVault and BitLocker are enforced.,public\nAudit,Who audits your SOC 2?,Example LLP,Under NDA only.,NDA\nAccess,Do you review access quarterly?,,Not answered yet,\nAccess,Is SSO available for customers?,Yes,SAML 2.0 and OIDC.,\n";

#[test]
fn import_csv_creates_a_knowledge_base_that_answers() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("Acme Library.csv");
    std::fs::write(&csv, LIBRARY_CSV).unwrap();
    let kb = dir.path().join("new-kb");
    let out = run(trustfill(&kb).args(["kb", "import"]).arg(&csv));
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("created knowledge base"), "{err}");
    assert!(
        err.contains("imported 3 entries from sheet \"Acme Library\" (header on row 3)"),
        "{err}"
    );
    assert!(
        err.contains("skipped 1 question without an answer (first: 'Acme Library'!C6)"),
        "{err}"
    );
    assert!(
        err.contains("1 entry had no audience and was marked public"),
        "{err}"
    );

    let written = std::fs::read_to_string(kb.join("answers/acme-library.toml")).unwrap();
    assert!(written.contains("id = \"encrypt-laptops\""), "{written}");
    // The file says where its entries came from, column by column.
    assert!(
        written.contains("columns question=B answer=C comment=D tags=A audience=E"),
        "{written}"
    );
    assert!(written.contains("tags = [\"encryption\"]"), "{written}");

    let loaded = trustfill::kb::KnowledgeBase::load(&kb).unwrap();
    assert_eq!(loaded.entries.len(), 3);
    assert_eq!(
        loaded.get("who-audits-soc-2").map(|e| e.audience),
        Some(trustfill::kb::Audience::Nda)
    );

    let out = run(trustfill(&kb).args(["ask", "--json", "Is SSO available for customers?"]));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["matches"][0]["answer"], "Yes");
    assert_eq!(doc["matches"][0]["source"], "answers/acme-library.toml");
}

#[test]
fn import_xlsx_finds_columns_by_header_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("library.xlsx");
    let mut workbook = Workbook::new();
    let notes = workbook.add_worksheet().set_name("Notes").unwrap();
    notes
        .write(0, 0, "This workbook holds our approved answers.")
        .unwrap();
    let sheet = workbook.add_worksheet().set_name("Answer Library").unwrap();
    for (col, header) in ["ID", "Response", "Question", "Comments", "Tags"]
        .iter()
        .enumerate()
    {
        sheet.write(1, col as u16, *header).unwrap();
    }
    let rows = [
        [
            "hr-bg",
            "Yes",
            "Do you run background checks?",
            "For all hires.",
            "hr, screening",
        ],
        [
            "bcp-rto",
            "4 hours",
            "What is your RTO?",
            "Tested yearly.",
            "bcdr",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            sheet.write(2 + r as u32, c as u16, *value).unwrap();
        }
    }
    workbook.save(&path).unwrap();

    let (_kbdir, kb) = temp_kb(&[(
        "answers/existing.toml",
        &entry("existing", "Do you log access?", "Yes", "public"),
    )]);
    let out = run(trustfill(&kb)
        .args([
            "kb",
            "import",
            "--owner",
            "grc@example.com",
            "--name",
            "legacy",
        ])
        .arg(&path));
    assert!(out.status.success(), "{}", stderr(&out));
    let loaded = trustfill::kb::KnowledgeBase::load(&kb).unwrap();
    assert_eq!(loaded.entries.len(), 3);
    let rto = loaded.get("bcp-rto").unwrap();
    assert_eq!(rto.answer.as_deref(), Some("4 hours"));
    assert_eq!(rto.question, "What is your RTO?");
    assert_eq!(rto.owner.as_deref(), Some("grc@example.com"));
    assert_eq!(loaded.get("hr-bg").unwrap().tags, ["hr", "screening"]);
    assert_eq!(rto.source.path, "answers/legacy.toml");

    // The same spreadsheet again: its rows are entries already, and the way to update them is
    // named (the file is never overwritten).
    let written = std::fs::read(kb.join("answers/legacy.toml")).unwrap();
    let again = run(trustfill(&kb)
        .args(["kb", "import", "--name", "legacy"])
        .arg(&path));
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("\"hr-bg\" is already an entry")
            && stderr(&again).contains("--update"),
        "{}",
        stderr(&again)
    );
    // New rows under a name already taken: never overwritten either.
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "Question,Answer\nDo you run a bug bounty?,No\n").unwrap();
    let again = run(trustfill(&kb)
        .args(["kb", "import", "--name", "legacy"])
        .arg(&other));
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("hint: choose another file name with --name NAME"),
        "{}",
        stderr(&again)
    );
    assert_eq!(
        std::fs::read(kb.join("answers/legacy.toml")).unwrap(),
        written
    );
}

#[test]
fn import_refuses_bad_cells_and_unknown_layouts_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    let kb = dir.path().join("kb");
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "Question,Answer,Audience\nDo you encrypt?,Yes,public\nDo you log?,Yes,everyone\n",
    )
    .unwrap();
    let out = run(trustfill(&kb).args(["kb", "import"]).arg(&bad));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("bad!C3: unknown audience \"everyone\""),
        "{err}"
    );
    assert!(!kb.join("answers/bad.toml").exists());

    let shapeless = dir.path().join("shapeless.csv");
    std::fs::write(&shapeless, "Name,Value\nfoo,bar\n").unwrap();
    let out = run(trustfill(&kb).args(["kb", "import"]).arg(&shapeless));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("no sheet has a header row with both a question and an answer column"),
        "{err}"
    );
    assert!(err.contains("sheet \"shapeless\": Name | Value"), "{err}");
    assert!(
        err.contains("hint: name the columns Question and Answer"),
        "{err}"
    );

    let wrong = dir.path().join("library.pages");
    std::fs::write(&wrong, "not a library").unwrap();
    let out = run(trustfill(&kb).args(["kb", "import"]).arg(&wrong));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unsupported extension \".pages\""),
        "{}",
        stderr(&out)
    );
    // A PDF is read (issue 25); a cut one is damaged, and said so with a PDF hint.
    let cut = dir.path().join("library.pdf");
    std::fs::write(&cut, "%PDF-1.4").unwrap();
    let out = run(trustfill(&kb).args(["kb", "import"]).arg(&cut));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a readable PDF") && stderr(&out).contains("PDF viewer"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn import_refuses_a_corrupt_workbook_with_the_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("library.xlsx");
    std::fs::write(&fake, "this is not a zip file").unwrap();
    let out = run(trustfill(&dir.path().join("kb"))
        .args(["kb", "import"])
        .arg(&fake));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("library.xlsx"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn import_of_a_completed_questionnaire_creates_merges_and_reports_conflicts() {
    let answers = [
        entry(
            "enc",
            "Is customer data encrypted at rest?",
            "Yes",
            "public",
        ),
        entry("mfa", "Is MFA enforced for all staff?", "Yes", "public"),
    ]
    .concat();
    let (_kbdir, kb) = temp_kb(&[("answers/base.toml", &answers)]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Completed 2025.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Answers").unwrap();
    ws.write(0, 0, "Acme vendor assessment (completed)")
        .unwrap();
    for (c, h) in ["Ref", "Question", "Vendor Answer", "Additional Information"]
        .iter()
        .enumerate()
    {
        ws.write(2, c as u16, *h).unwrap();
    }
    let rows: [(&str, &str, &str, &str); 6] = [
        (
            "Q-01",
            "Is customer data encrypted at rest",
            "Yes",
            "AES-256.",
        ),
        (
            "Q-02",
            "Is customer data encrypted at rest by the vendor?",
            "Yes",
            "All stores.",
        ),
        (
            "Q-03",
            "Is MFA enforced for all staff?",
            "No",
            "Only admins.",
        ),
        (
            "Q-04",
            "Do you run a public bug bounty programme?",
            "Yes",
            "Through a bounty platform.",
        ),
        ("Q-05", "Is the product hosted in the EU?", "", ""),
        ("Q-06", "Vendor name (copied from the cover sheet)", "", ""),
    ];
    for (i, (id, q, a, c)) in rows.iter().enumerate() {
        let r = 3 + i as u32;
        ws.write(r, 0, *id).unwrap();
        ws.write(r, 1, *q).unwrap();
        if !a.is_empty() {
            ws.write(r, 2, *a).unwrap();
        }
        if !c.is_empty() {
            ws.write(r, 3, *c).unwrap();
        }
    }
    ws.write_formula(
        8,
        2,
        rust_xlsxwriter::Formula::new("=\"Acme\"").set_result("Acme"),
    )
    .unwrap();
    wb.save(&path).unwrap();

    let dry = run(trustfill(&kb)
        .args(["kb", "import", "--dry-run"])
        .arg(&path));
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(stderr(&dry).contains("1 new entry, 1 variant merged, 1 conflict, 1 already known; skipped 1 unanswered, 1 formula"), "{}", stderr(&dry));
    assert!(
        !kb.join("answers/completed-2025.toml").exists(),
        "--dry-run writes nothing"
    );

    let out = run(trustfill(&kb).args(["kb", "import"]).arg(&path));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("conflict at Answers!C6: \"Is MFA enforced for all staff?\" was answered \"No\", but mfa says \"Yes\"; not imported"), "{text}");
    assert!(
        text.contains(
            "added variant to enc: \"Is customer data encrypted at rest by the vendor?\""
        ),
        "{text}"
    );
    let written = std::fs::read_to_string(kb.join("answers/completed-2025.toml")).unwrap();
    assert!(
        written.contains("# from Completed 2025.xlsx, Answers!C7 (Q-04)"),
        "{written}"
    );
    let loaded = trustfill::kb::KnowledgeBase::load(&kb).unwrap();
    let bounty = loaded
        .entries
        .iter()
        .find(|e| e.source.path == "answers/completed-2025.toml")
        .unwrap();
    assert_eq!(
        (bounty.answer.as_deref(), bounty.comment.as_str()),
        (Some("Yes"), "Through a bounty platform.")
    );
    assert_eq!(
        loaded.get("enc").unwrap().variants,
        ["Is customer data encrypted at rest by the vendor?"]
    );
    assert_eq!(
        loaded.get("mfa").unwrap().answer.as_deref(),
        Some("Yes"),
        "a conflict never changes the library"
    );
}

/// The README's round trip: `kb export`, edit the spreadsheet, `kb import --update` into the
/// same knowledge base. Without --update the clash is refused with the way out; --dry-run
/// prints the diff and writes nothing; --update changes the edited entry in place (its file's
/// comments and the other entries untouched), adds the new row, and keeps what the
/// spreadsheet lacks.
#[test]
fn export_edit_and_import_update_round_trips() {
    let (_kbdir, kb) = temp_kb(&[(
        "answers/soc.toml",
        &format!(
            "# our SOC answers, keep this comment\n{}{}",
            entry(
                "soc2-report",
                "Do you have a SOC 2 report?",
                "Yes",
                "public"
            ),
            entry(
                "pen-test",
                "Do you run annual penetration tests?",
                "Yes",
                "public"
            ),
        ),
    )]);
    let dir = tempfile::tempdir().unwrap();
    let exported = dir.path().join("library.xlsx");
    let out = run(trustfill(&kb).args(["kb", "export", "-o"]).arg(&exported));
    assert!(out.status.success(), "{}", stderr(&out));
    // Edit as a person would: a new answer for one entry, one new row, one row deleted.
    let sheet = trustfill::workbook::read(&exported, &Default::default())
        .unwrap()
        .remove(0);
    let header = &sheet.rows[0];
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut rows: Vec<Vec<String>> = sheet.rows.clone();
    let soc = rows
        .iter()
        .position(|r| r[col("ID")] == "soc2-report")
        .unwrap();
    rows[soc][col("Answer")] = "Yes (Type II)".into();
    rows.retain(|r| r[col("ID")] != "pen-test");
    let mut new_row = vec![String::new(); header.len()];
    new_row[col("ID")] = "bug-bounty".into();
    new_row[col("Question")] = "Do you run a bug bounty?".into();
    new_row[col("Answer")] = "No".into();
    new_row[col("Audience")] = "public".into();
    rows.push(new_row);
    let edited = dir.path().join("library-edited.csv");
    let mut w = csv::Writer::from_path(&edited).unwrap();
    for r in &rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
    let before = std::fs::read_to_string(kb.join("answers/soc.toml")).unwrap();

    let out = run(trustfill(&kb).args(["kb", "import"]).arg(&edited));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("\"soc2-report\" is already an entry")
            && stderr(&out).contains("--update"),
        "{}",
        stderr(&out)
    );

    let out = run(trustfill(&kb)
        .args(["kb", "import", "--update", "--dry-run"])
        .arg(&edited));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("update soc2-report (answers/soc.toml:")
            && stdout(&out).contains("answer: \"Yes\" -> \"Yes (Type II)\""),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("would import 1 new entry"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("1 not in the spreadsheet (kept)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(kb.join("answers/soc.toml")).unwrap(),
        before,
        "--dry-run writes nothing"
    );
    assert!(!kb.join("answers/library-edited.toml").exists());

    let out = run(trustfill(&kb)
        .args(["kb", "import", "--update"])
        .arg(&edited));
    assert!(out.status.success(), "{}", stderr(&out));
    let after = std::fs::read_to_string(kb.join("answers/soc.toml")).unwrap();
    assert!(
        after.starts_with("# our SOC answers, keep this comment\n"),
        "{after}"
    );
    assert!(after.contains("answer = \"Yes (Type II)\""), "{after}");
    assert_eq!(
        after.replace("Yes (Type II)", "Yes"),
        before,
        "only the edited value changed"
    );
    let loaded = trustfill::kb::KnowledgeBase::load(&kb).unwrap();
    assert!(
        loaded.get("pen-test").is_some(),
        "kept though not in the spreadsheet"
    );
    assert_eq!(
        loaded.get("bug-bounty").and_then(|e| e.answer.as_deref()),
        Some("No")
    );
    // Again: nothing left to change.
    let out = run(trustfill(&kb)
        .args(["kb", "import", "--update"])
        .arg(&edited));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("imported 0 new entries")
            && stderr(&out).contains("0 entries updated, 2 unchanged"),
        "{}",
        stderr(&out)
    );
}

/// An import that both updates an entry and appends to the same answers file, then fails (a
/// comment over the length limit makes the library fail to load): the file comes back byte for
/// byte. Before the transaction, the rollback restored the file's snapshots in the order taken,
/// the updated one last, so the change stayed though the command failed.
#[test]
fn a_failed_import_update_leaves_the_library_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("library.csv");
    std::fs::write(
        &csv,
        "ID,Question,Answer,Comment,Audience\nsoc2-report,Do you have a SOC 2 report?,Yes,Type II.,public\npen-test,Do you run penetration tests?,Yes,Yearly.,public\n",
    )
    .unwrap();
    let kb = dir.path().join("kb");
    let out = run(trustfill(&kb).args(["kb", "import"]).arg(&csv));
    assert!(out.status.success(), "{}", stderr(&out));
    let file = kb.join("answers/library.toml");
    let before = std::fs::read(&file).unwrap();

    let long = "x".repeat(21_000);
    std::fs::write(
        &csv,
        format!("ID,Question,Answer,Comment,Audience\nsoc2-report,Do you have a SOC 2 report?,No,Type II.,public\npen-test,Do you run penetration tests?,Yes,Yearly.,public\nbug-bounty,Do you run a bug bounty?,Yes,{long},public\n"),
    )
    .unwrap();
    let out = run(trustfill(&kb).args(["kb", "import", "--update"]).arg(&csv));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(&file).unwrap(),
        before,
        "the failed import left the answers file as it was"
    );
    let leftovers: Vec<_> = std::fs::read_dir(kb.join("answers"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

/// A library without an ID column, imported again with one comment edited: the rows are the
/// entries they were imported as (matched by their question), so the edit updates its entry
/// and nothing is doubled. Before, every row became a new entry (`iso-27001-certified-2`).
#[test]
fn reimporting_a_library_without_ids_updates_its_entries_by_question() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("answers.csv");
    let library = |comment: &str| {
        format!(
            "Question,Answer,Comment\nAre you ISO 27001 certified?,Yes,{comment}\nDo you encrypt data at rest?,Yes,AES-256.\n"
        )
    };
    std::fs::write(&csv, library("Certified since 2021.")).unwrap();
    let kb = dir.path().join("kb");
    let out = run(trustfill(&kb).args(["kb", "import"]).arg(&csv));
    assert!(out.status.success(), "{}", stderr(&out));

    std::fs::write(
        &csv,
        library("Certified since 2021; surveillance audit passed."),
    )
    .unwrap();
    let out = run(trustfill(&kb).args(["kb", "import"]).arg(&csv));
    assert_eq!(
        out.status.code(),
        Some(2),
        "without --update the clash is refused"
    );
    assert!(
        stderr(&out).contains("the question is already the entry \"iso-27001-certified\"'s")
            && stderr(&out).contains("--update"),
        "{}",
        stderr(&out)
    );
    let out = run(trustfill(&kb).args(["kb", "import", "--update"]).arg(&csv));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("imported 0 new entries")
            && stderr(&out).contains("1 entry updated, 1 unchanged"),
        "{}",
        stderr(&out)
    );
    let loaded = trustfill::kb::KnowledgeBase::load(&kb).unwrap();
    assert_eq!(loaded.entries.len(), 2, "nothing doubled");
    assert_eq!(
        loaded
            .get("iso-27001-certified")
            .map(|e| e.comment.as_str()),
        Some("Certified since 2021; surveillance audit passed.")
    );
}

/// No import creates an entry for a question the library already has, whatever its id; nor
/// two entries for one question asked twice in the spreadsheet.
#[test]
fn import_never_creates_a_second_entry_for_a_question() {
    let (_kbdir, kb) = temp_kb(&[(
        "answers/soc.toml",
        &entry(
            "soc2-report",
            "Do you have a SOC 2 report?",
            "Yes",
            "public",
        ),
    )]);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("more.csv");
    std::fs::write(
        &csv,
        "ID,Question,Answer\nsoc-two,Do you have a SOC 2 report?,Yes\n",
    )
    .unwrap();
    let out = run(trustfill(&kb).args(["kb", "import", "--update"]).arg(&csv));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("\"soc-two\" asks the same question as the entry \"soc2-report\""),
        "{}",
        stderr(&out)
    );
    std::fs::write(
        &csv,
        "Question,Answer\nDo you run a bug bounty?,Yes\nDo you run a bug bounty?,No\n",
    )
    .unwrap();
    let out = run(trustfill(&kb).args(["kb", "import"]).arg(&csv));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("more!A3: the same question as more!A2"),
        "{}",
        stderr(&out)
    );
}

/// A Reviewed column dates the new entries, and a row asking an entry's variant stands for that
/// entry. (cargo-mutants: the date column and the variants' question keys could be dropped
/// unnoticed.)
#[test]
fn import_reads_review_dates_and_matches_rows_by_variant() {
    let (_kbdir, kb) = temp_kb(&[(
        "answers/crypto.toml",
        &entry("laptops", "Do you encrypt laptops?", "Yes", "public").replace(
            "question = \"Do you encrypt laptops?\"",
            "question = \"Do you encrypt laptops?\"\nvariants = [\"Is full-disk encryption enforced on laptops?\"]",
        ),
    )]);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("more.csv");
    std::fs::write(
        &csv,
        "Question,Answer,Reviewed\nDo you run a bug bounty?,No,2026-03-15\nIs full-disk encryption enforced on laptops?,No,\n",
    )
    .unwrap();
    let out = run(trustfill(&kb).args(["kb", "import"]).arg(&csv));
    assert_eq!(
        out.status.code(),
        Some(2),
        "the variant's row would change its entry"
    );
    assert!(
        stderr(&out).contains("the question is already the entry \"laptops\"'s"),
        "{}",
        stderr(&out)
    );
    std::fs::write(
        &csv,
        "Question,Answer,Reviewed\nDo you run a bug bounty?,No,2026-03-15\nIs full-disk encryption enforced on laptops?,Yes,\n",
    )
    .unwrap();
    let out = run(trustfill(&kb).args(["kb", "import"]).arg(&csv));
    assert!(out.status.success(), "{}", stderr(&out));
    let loaded = trustfill::kb::KnowledgeBase::load(&kb).unwrap();
    assert_eq!(
        loaded.entries.len(),
        2,
        "the variant's row is its entry, unchanged"
    );
    let bounty = loaded
        .entries
        .iter()
        .find(|e| e.question == "Do you run a bug bounty?")
        .unwrap();
    assert_eq!(bounty.reviewed, Some("2026-03-15".parse().unwrap()));
}

/// A library keyed by a framework's ids ("A&A-01.1") gets ids of its own and keeps the
/// framework's as references; a Variants cell gives one phrasing a line. (cargo-mutants: a
/// foreign id taken for ours, and the variants dropped, went unnoticed.)
#[test]
fn import_keeps_foreign_ids_as_references_and_reads_variants_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("caiq.csv");
    let mut w = csv::Writer::from_path(&csv).unwrap();
    w.write_record(["ID", "Question", "Answer", "Variants"])
        .unwrap();
    w.write_record([
        "A&A-01.1",
        "Are audit and assurance policies established?",
        "Yes",
        "Do you have an audit policy?\n\nIs assurance documented?",
    ])
    .unwrap();
    w.flush().unwrap();
    let kb = dir.path().join("kb");
    let out = run(trustfill(&kb).args(["kb", "import"]).arg(&csv));
    assert!(out.status.success(), "{}", stderr(&out));
    let loaded = trustfill::kb::KnowledgeBase::load(&kb).unwrap();
    let e = &loaded.entries[0];
    assert_ne!(e.id, "A&A-01.1");
    assert_eq!(e.refs, ["A&A-01.1"]);
    assert_eq!(
        e.variants,
        ["Do you have an audit policy?", "Is assurance documented?"]
    );

    // Again with --update: nothing changes (the reference is not added twice)...
    let out = run(trustfill(&kb).args(["kb", "import", "--update"]).arg(&csv));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("0 entries updated, 1 unchanged"),
        "{}",
        stderr(&out)
    );
    // ...another edition's id for the same question joins the references...
    let mut w = csv::Writer::from_path(&csv).unwrap();
    w.write_record(["ID", "Question", "Answer"]).unwrap();
    w.write_record([
        "A&A-01.2",
        "Are audit and assurance policies established?",
        "Yes",
    ])
    .unwrap();
    w.flush().unwrap();
    let out = run(trustfill(&kb).args(["kb", "import", "--update"]).arg(&csv));
    assert!(out.status.success(), "{}", stderr(&out));
    let loaded = trustfill::kb::KnowledgeBase::load(&kb).unwrap();
    assert_eq!(loaded.entries[0].refs, ["A&A-01.1", "A&A-01.2"]);
    // ...and an entry the spreadsheet does not have is counted as kept.
    let mut w = csv::Writer::from_path(&csv).unwrap();
    w.write_record(["Question", "Answer"]).unwrap();
    w.write_record(["Do you run a bug bounty?", "No"]).unwrap();
    w.flush().unwrap();
    let out = run(trustfill(&kb).args(["kb", "import", "--update"]).arg(&csv));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("1 not in the spreadsheet (kept)"),
        "{}",
        stderr(&out)
    );
}

/// A plain import adds a file other `kb` commands may be editing beside: it takes the library's
/// lock like they do (before, only --update took it), and says so when another command holds it.
#[test]
fn import_refuses_while_another_command_changes_the_library() {
    let (_kbdir, kb) = temp_kb(&[(
        "answers/soc.toml",
        &entry(
            "soc2-report",
            "Do you have a SOC 2 report?",
            "Yes",
            "public",
        ),
    )]);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("more.csv");
    std::fs::write(&csv, "Question,Answer\nDo you run a bug bounty?,No\n").unwrap();
    let held = trustfill::kb::edit::KbLock::acquire(&kb).unwrap();
    let out = run(trustfill(&kb).args(["kb", "import"]).arg(&csv));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("another trustfill command is changing this knowledge base"),
        "{}",
        stderr(&out)
    );
    assert!(!kb.join("answers/more.toml").exists());
    drop(held);
    let out = run(trustfill(&kb).args(["kb", "import"]).arg(&csv));
    assert!(out.status.success(), "{}", stderr(&out));
}
