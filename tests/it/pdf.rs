//! PDF questionnaires (issue 25, started): a completed questionnaire exported to PDF, as a
//! generated file with the layout of a workbook printed to PDF (a header row, rows bordered by
//! drawn rules, ids vertically centred beside questions of several lines), is harvested by
//! `kb import`; encrypted PDFs and PDFs without such a table are refused with a PDF hint.

use std::path::{Path, PathBuf};

use lopdf::content::{Content, Operation};
use lopdf::{Object, Stream, dictionary};

use crate::common::*;

/// (id, question lines, answer, description lines) of the generated table.
const ROWS: [(&str, &[&str], &str, &[&str]); 3] = [
    (
        "AAA-01.1",
        &[
            "Is customer data encrypted at rest",
            "with keys managed in a KMS?",
        ],
        "Yes",
        &["AES-256 on every volume and", "backup; keys rotate yearly."],
    ),
    (
        "AAA-01.2",
        &["Is multi-factor authentication required?"],
        "No",
        &["Planned for next quarter."],
    ),
    (
        "BBB-02.1",
        &["Do you process cardholder data?"],
        "NA",
        &["We never handle card data."],
    ),
];

/// A one-page PDF drawing the table: text in Helvetica 8, rows 12 points a line, every row
/// and column bordered by thin filled rectangles. `encrypt` adds an Encrypt dictionary.
fn table_pdf(path: &Path, rows: &[(&str, &[&str], &str, &[&str])], encrypt: bool) -> PathBuf {
    let mut doc = lopdf::Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let cols = [40.0_f64, 110.0, 330.0, 380.0, 560.0];
    let mut ops: Vec<Operation> = Vec::new();
    let text = |ops: &mut Vec<Operation>, x: f64, y_top: f64, s: &str| {
        // y_top counts down from the page's top (792 high).
        ops.push(Operation::new("BT", vec![]));
        ops.push(Operation::new("Tf", vec!["F1".into(), 8.into()]));
        ops.push(Operation::new(
            "Tm",
            vec![
                1.into(),
                0.into(),
                0.into(),
                1.into(),
                x.into(),
                (792.0 - y_top).into(),
            ],
        ));
        ops.push(Operation::new("Tj", vec![Object::string_literal(s)]));
        ops.push(Operation::new("ET", vec![]));
    };
    let hline = |ops: &mut Vec<Operation>, y_top: f64| {
        ops.push(Operation::new(
            "re",
            vec![
                cols[0].into(),
                (792.0 - y_top).into(),
                (cols[4] - cols[0]).into(),
                0.5.into(),
            ],
        ));
        ops.push(Operation::new("f", vec![]));
    };
    // Header.
    let mut y = 60.0;
    hline(&mut ops, y);
    for (x, h) in cols
        .iter()
        .zip(["Question ID", "Question", "Answer", "Comments"])
    {
        text(&mut ops, x + 3.0, y + 10.0, h);
    }
    y += 14.0;
    hline(&mut ops, y);
    for (id, question, answer, description) in rows {
        let lines = question.len().max(description.len()) as f64;
        let height = lines * 12.0 + 4.0;
        // The id centred vertically, the other cells from the top.
        text(&mut ops, cols[0] + 3.0, y + height / 2.0 + 3.0, id);
        for (i, q) in question.iter().enumerate() {
            text(&mut ops, cols[1] + 3.0, y + 10.0 + 12.0 * i as f64, q);
        }
        text(&mut ops, cols[2] + 3.0, y + 10.0, answer);
        for (i, d) in description.iter().enumerate() {
            text(&mut ops, cols[3] + 3.0, y + 10.0 + 12.0 * i as f64, d);
        }
        y += height;
        hline(&mut ops, y);
    }
    // Column borders from the header's top to the last row's bottom.
    for x in cols {
        ops.push(Operation::new(
            "re",
            vec![x.into(), (792.0 - y).into(), 0.5.into(), (y - 60.0).into()],
        ));
        ops.push(Operation::new("f", vec![]));
    }
    let content = doc.add_object(Stream::new(
        dictionary! {},
        Content { operations: ops }.encode().unwrap(),
    ));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content,
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    if encrypt {
        let enc = doc.add_object(dictionary! { "Filter" => "Standard", "V" => 1 });
        doc.trailer.set("Encrypt", enc);
    }
    doc.save(path).unwrap();
    path.to_path_buf()
}

#[test]
fn a_completed_questionnaire_in_pdf_is_harvested_row_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let input = table_pdf(&dir.path().join("acme-caiq.pdf"), &ROWS, false);
    let before = file_hash(&input);
    let kb = dir.path().join("kb");
    let out = run(trustfill(&kb).arg("inspect").arg(&input));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("question    B (\"Question\")")
            && text.contains("answer      C (\"Answer\")")
            && text.contains("comment     D (\"Comments\")")
            && text.contains("id          A (\"Question ID\")")
            && text.contains("3 questions"),
        "{text}"
    );
    let out = run(trustfill(&kb).args(["kb", "import"]).arg(&input));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(file_hash(&input), before, "the input is never modified");
    let loaded = trustfill::kb::KnowledgeBase::load(&kb).unwrap();
    let mut got: Vec<(String, String, String, String, String)> = loaded
        .entries
        .iter()
        .map(|e| {
            (
                e.refs.join(","),
                e.question.clone(),
                e.answer.clone().unwrap_or_default(),
                e.comment.clone(),
                e.audience.as_str().to_string(),
            )
        })
        .collect();
    got.sort();
    let want: Vec<(String, String, String, String, String)> = ROWS
        .iter()
        .map(|(id, q, a, d)| {
            (
                format!("CAIQ {id}"),
                q.join(" "),
                a.to_string(),
                d.join(" "),
                "public".to_string(),
            )
        })
        .collect();
    assert_eq!(got, want);
}

#[test]
fn encrypted_pdfs_and_pdfs_without_a_table_are_refused_with_a_pdf_hint() {
    let dir = tempfile::tempdir().unwrap();
    let kb = dir.path().join("kb");
    let locked = table_pdf(&dir.path().join("locked.pdf"), &ROWS, true);
    let out = run(trustfill(&kb).args(["kb", "import"]).arg(&locked));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("password-protected") && stderr(&out).contains("never decrypts"),
        "{}",
        stderr(&out)
    );
    let empty = table_pdf(&dir.path().join("empty.pdf"), &[], false);
    let out = run(trustfill(&kb).arg("inspect").arg(&empty));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("found no table of questions")
            && stderr(&out).contains("hint: trustfill reads PDFs"),
        "{}",
        stderr(&out)
    );
    let fake = dir.path().join("fake.pdf");
    std::fs::write(&fake, "not a pdf at all").unwrap();
    let out = run(trustfill(&kb).arg("inspect").arg(&fake));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no %PDF header"), "{}", stderr(&out));
    assert!(!kb.exists(), "nothing was written");
}
