//! Questions answered by a mark in one of several columns (CAIQ v3.x: "Consensus Assessment
//! Answers" merged over Yes | No | Not Applicable, one "X" per row): detected, filled with the
//! sheet's own mark in the right column, finalized from the reviewer's answer, and read back
//! as answers when a completed copy is imported.

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook};

use crate::common::*;

/// A CAIQ-v3-shaped workbook: a title row, a header naming both a control id and a question
/// id, the answer header merged over three option columns whose labels sit two rows below,
/// questions under one control id with their own ids, and one row already marked "x" (No).
fn caiq3_like(path: &Path) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("CAIQ").unwrap();
    let bold = Format::new().set_bold();
    ws.write(
        0,
        2,
        "CONSENSUS ASSESSMENTS INITIATIVE QUESTIONNAIRE (ours)",
    )
    .unwrap();
    for (c, h) in [
        "Control Domain",
        "Control ID",
        "Question ID",
        "Control Specification",
        "Consensus Assessment Questions",
    ]
    .iter()
    .enumerate()
    {
        ws.write_with_format(1, c as u16, *h, &bold).unwrap();
    }
    ws.merge_range(1, 5, 1, 7, "Consensus Assessment Answers", &bold)
        .unwrap();
    ws.write_with_format(1, 8, "Notes", &bold).unwrap();
    ws.write(2, 9, "Mapping (ours)").unwrap();
    for (c, label) in ["Yes", "No", "Not Applicable"].iter().enumerate() {
        ws.write_with_format(3, 5 + c as u16, *label, &bold)
            .unwrap();
    }
    let rows = [
        ("DSI-01", "DSI-01.1", "Is customer data encrypted at rest?"),
        ("", "DSI-01.2", "Do you allow shared or generic accounts?"),
        ("", "DSI-01.3", "Do you store cardholder data?"),
        (
            "",
            "DSI-01.4",
            "Is multi-factor authentication required for all employees?",
        ),
    ];
    for (i, (control, id, q)) in rows.iter().enumerate() {
        let r = 4 + i as u32;
        if !control.is_empty() {
            ws.write(r, 0, "Data Security").unwrap();
            ws.write(r, 1, *control).unwrap();
            ws.write(r, 3, "The organization protects data (ours).")
                .unwrap();
        }
        ws.write(r, 2, *id).unwrap();
        ws.write(r, 4, *q).unwrap();
    }
    ws.write(7, 6, "x").unwrap();
    wb.save(path).unwrap();
}

fn marks(path: &Path) -> Vec<(u32, u32, String)> {
    cell_dump(path)
        .into_iter()
        .filter(|((_, r, c), _)| *r >= 4 && (5..=7).contains(c))
        .map(|((_, r, c), t)| (r, c, t))
        .collect()
}

#[test]
fn check_one_of_n_columns_are_filled_finalized_and_imported_as_answers() {
    let answers = [
        entry(
            "enc",
            "Is customer data encrypted at rest?",
            "Yes",
            "public",
        ),
        entry(
            "shared",
            "Do you allow shared or generic accounts?",
            "No",
            "public",
        ),
        entry("pan", "Do you store cardholder data?", "N/A", "public"),
    ]
    .concat();
    let (_kbdir, kb) = temp_kb(&[("answers/a.toml", &answers)]);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("caiq.xlsx");
    caiq3_like(&input);

    let out = run(trustfill(&kb).arg("inspect").arg(&input));
    let text = stdout(&out);
    assert!(text.contains("4 questions"), "{text}");
    assert!(text.contains("id          C (\"Question ID\")"), "{text}");
    assert!(
        text.contains("choices     F:H (a mark \"x\" in one of: Yes, No, Not Applicable)"),
        "{text}"
    );
    assert!(text.contains("1 already answered"), "{text}");

    // Each answer's mark in its own column, in the sheet's own spelling; the marked row kept.
    let out = run(trustfill(&kb).arg("fill").arg(&input));
    assert!(out.status.success(), "{}", stderr(&out));
    let filled = dir.path().join("caiq.filled.xlsx");
    assert_eq!(
        marks(&filled),
        [
            (4, 5, "x".to_string()),
            (5, 6, "x".to_string()),
            (6, 7, "x".to_string()),
            (7, 6, "x".to_string()),
        ]
    );
    let review = dir.path().join("caiq.review.xlsx");
    let rows = cell_dump(&review);
    assert_eq!(rows[&("Review".to_string(), 1, 4)], "Yes", "{rows:?}");
    assert_eq!(rows[&("Review".to_string(), 3, 4)], "Not Applicable");

    // The reviewer changes the first answer to No: the mark moves; an answer that is none of
    // the options is refused, naming the row and the options, and nothing is written.
    let status = 7;
    edit_review(
        &review,
        &[
            (1, 4, "No"),
            (1, status, "Approved"),
            (2, status, "Approved"),
            (3, 4, "Sometimes"),
            (3, status, "Approved"),
        ],
    );
    let out = run(trustfill(&kb).arg("finalize").arg(&review));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "row 4: the answer \"Sometimes\" is none of the options (Yes, No, Not Applicable)"
        ),
        "{}",
        stderr(&out)
    );
    let final_copy = dir.path().join("caiq.final.xlsx");
    assert!(!final_copy.exists());
    edit_review(&review, &[(3, 4, "not applicable")]);
    let out = run(trustfill(&kb).arg("finalize").arg(&review));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        marks(&final_copy),
        [
            (4, 6, "x".to_string()),
            (5, 6, "x".to_string()),
            (6, 7, "x".to_string()),
            (7, 6, "x".to_string()),
        ]
    );

    // Last year's copy read back: the marked column's label is the answer.
    let (_kbdir2, fresh) = temp_kb(&[]);
    let out = run(trustfill(&fresh).args(["kb", "import"]).arg(&final_copy));
    assert!(out.status.success(), "{}", stderr(&out));
    let loaded = trustfill::kb::KnowledgeBase::load(&fresh).unwrap();
    let answer_of = |q: &str| {
        loaded
            .entries
            .iter()
            .find(|e| e.question == q)
            .and_then(|e| e.answer.clone())
    };
    assert_eq!(
        answer_of("Is customer data encrypted at rest?").as_deref(),
        Some("No")
    );
    assert_eq!(
        answer_of("Do you store cardholder data?").as_deref(),
        Some("Not Applicable")
    );
    assert_eq!(
        answer_of("Is multi-factor authentication required for all employees?").as_deref(),
        Some("No")
    );
}
