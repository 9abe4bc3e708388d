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

/// The operations drawing `s` in Helvetica (resource F1) of `size` at `x`, `top` points down
/// from the top of a 792-point page.
fn show(ops: &mut Vec<Operation>, size: i64, x: f64, top: f64, s: &str) {
    ops.push(Operation::new("BT", vec![]));
    ops.push(Operation::new("Tf", vec!["F1".into(), size.into()]));
    ops.push(Operation::new(
        "Tm",
        vec![
            1.into(),
            0.into(),
            0.into(),
            1.into(),
            x.into(),
            (792.0 - top).into(),
        ],
    ));
    ops.push(Operation::new("Tj", vec![Object::string_literal(s)]));
    ops.push(Operation::new("ET", vec![]));
}

/// Make `page` the one page (612 × 792) of `doc` under `pages_id`, and the catalog its root,
/// with `catalog` added to it.
fn one_page(
    doc: &mut lopdf::Document,
    pages_id: lopdf::ObjectId,
    page: lopdf::ObjectId,
    catalog: lopdf::Dictionary,
) {
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        }),
    );
    let mut root = dictionary! { "Type" => "Catalog", "Pages" => pages_id };
    root.extend(&catalog);
    let root = doc.add_object(root);
    doc.trailer.set("Root", root);
}

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
    let text = |ops: &mut Vec<Operation>, x: f64, y_top: f64, s: &str| show(ops, 8, x, y_top, s);
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
    one_page(&mut doc, pages_id, page, dictionary! {});
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
        stderr(&out).contains("found no questions in the PDF")
            && stderr(&out).contains("hint: trustfill reads PDF forms"),
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

/// A one-page PDF form: four numbered questions in Helvetica 10, each with its answer slot on
/// its line: a text field (1), two check boxes labelled "Yes" and "No" whose on-states are
/// both "On" (2), one check box with on-state "Yes" (3), a text field (4). Widgets are their
/// fields (merged), listed in the page's /Annots; the AcroForm is its own object.
fn form_pdf(path: &Path) -> PathBuf {
    let mut doc = lopdf::Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let page_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let lines = [
        (100.0, "1. Is customer data encrypted at rest?"),
        (
            130.0,
            "2. Is multi-factor authentication enforced for all staff?",
        ),
        (160.0, "3. Do you have a SOC 2 Type II report?"),
        (
            190.0,
            "4. What is the airspeed velocity of an unladen swallow?",
        ),
    ];
    let mut ops = Vec::new();
    let mut text = |x: f64, top: f64, s: &str| show(&mut ops, 10, x, top, s);
    for (top, line) in lines {
        text(40.0, top, line);
    }
    text(414.0, 130.0, "Yes");
    text(464.0, 130.0, "No");
    let content = doc.add_object(Stream::new(
        dictionary! {},
        Content { operations: ops }.encode().unwrap(),
    ));
    let rect = |x0: f64, top: f64, x1: f64, bottom: f64| -> Object {
        vec![
            x0.into(),
            (792.0 - bottom).into(),
            x1.into(),
            (792.0 - top).into(),
        ]
        .into()
    };
    let appearance = doc.add_object(Stream::new(dictionary! {}, Vec::new()));
    let text_field = |name: &str, r: Object| {
        dictionary! {
            "FT" => "Tx", "T" => Object::string_literal(name), "Type" => "Annot",
            "Subtype" => "Widget", "P" => page_id, "Rect" => r, "F" => 4,
        }
    };
    let check = |name: &str, on: &str, r: Object| {
        dictionary! {
            "FT" => "Btn", "T" => Object::string_literal(name), "V" => "Off", "AS" => "Off",
            "Type" => "Annot", "Subtype" => "Widget", "P" => page_id, "Rect" => r, "F" => 4,
            "AP" => dictionary! { "N" => dictionary! { on => appearance, "Off" => appearance } },
        }
    };
    let fields = [
        doc.add_object(text_field("q1", rect(330.0, 90.0, 570.0, 104.0))),
        doc.add_object(check("q2yes", "On", rect(400.0, 121.0, 410.0, 131.0))),
        doc.add_object(check("q2no", "On", rect(450.0, 121.0, 460.0, 131.0))),
        doc.add_object(check("q3", "Yes", rect(400.0, 151.0, 410.0, 161.0))),
        doc.add_object(text_field("q4", rect(330.0, 180.0, 570.0, 194.0))),
    ];
    let refs: Vec<Object> = fields.iter().map(|&id| id.into()).collect();
    let form = doc.add_object(dictionary! { "Fields" => refs.clone() });
    doc.objects.insert(
        page_id,
        Object::Dictionary(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content, "Annots" => refs,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
        }),
    );
    one_page(
        &mut doc,
        pages_id,
        page_id,
        dictionary! { "AcroForm" => form },
    );
    doc.save(path).unwrap();
    path.to_path_buf()
}

/// The form's fields read back: name → value.
fn field_values(path: &Path) -> std::collections::BTreeMap<String, String> {
    let pdf = trustfill::pdf::Pdf::open(path, &Default::default()).unwrap();
    pdf.fields()
        .into_iter()
        .map(|f| (f.name, f.value))
        .collect()
}

fn page_words(path: &Path) -> Vec<(String, i32, i32)> {
    let pdf = trustfill::pdf::Pdf::open(path, &Default::default()).unwrap();
    pdf.words(path)
        .unwrap()
        .into_iter()
        .map(|w| (w.text, w.x0.round() as i32, w.y.round() as i32))
        .collect()
}

#[test]
fn a_pdf_form_is_filled_in_place_and_finalized_from_the_review() {
    let dir = tempfile::tempdir().unwrap();
    let input = form_pdf(&dir.path().join("vendor.pdf"));
    let original = std::fs::read(&input).unwrap();
    let (_kbdir, kb) = temp_kb(&[(
        "answers/security.toml",
        &[
            entry(
                "encryption-at-rest",
                "Is customer data encrypted at rest?",
                "Yes",
                "public",
            ),
            entry(
                "mfa",
                "Is multi-factor authentication enforced for all staff?",
                "Yes",
                "public",
            ),
            entry(
                "soc2-type2",
                "Do you have a SOC 2 Type II report?",
                "Yes",
                "public",
            ),
        ]
        .concat(),
    )]);
    let out = run(trustfill(&kb).arg("inspect").arg(&input));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("4 questions"), "{}", stdout(&out));

    let out = run(trustfill(&kb).arg("fill").arg(&input));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(&input).unwrap(),
        original,
        "the input is never modified"
    );
    let filled = dir.path().join("vendor.filled.pdf");
    let bytes = std::fs::read(&filled).unwrap();
    assert!(
        bytes.starts_with(&original) && bytes.len() > original.len(),
        "an incremental update: the original bytes, then the changes"
    );
    let values = field_values(&filled);
    assert!(values["q1"].starts_with("Yes"), "{values:?}");
    assert_eq!(values["q2yes"], "On", "the box labelled Yes is checked");
    assert_eq!(values["q2no"], "Off");
    assert_eq!(values["q3"], "Yes");
    assert_eq!(values["q4"], "", "nothing answers it: left empty");
    assert_eq!(
        page_words(&filled),
        page_words(&input),
        "the page's text is unchanged"
    );
    let doc = lopdf::Document::load(&filled).unwrap();
    let form = doc
        .catalog()
        .unwrap()
        .get(b"AcroForm")
        .and_then(Object::as_reference)
        .and_then(|id| doc.get_dictionary(id))
        .unwrap();
    assert_eq!(
        form.get(b"NeedAppearances").unwrap(),
        &Object::Boolean(true)
    );

    // The review lists the drafts and the unanswered question; approving them writes the
    // final copy, with the values and without the drafts' tint.
    let review = dir.path().join("vendor.review.xlsx");
    let rows = review_rows_of(&review);
    assert_eq!(rows.len(), 4);
    assert!(rows[3].answer.is_empty(), "{:?}", rows[3]);
    let status = 7;
    edit_review(
        &review,
        &[
            (1, status, "Approved"),
            (2, 4, "No"),
            (2, status, "Approved"),
            (3, status, "Approved"),
        ],
    );
    let out = run(trustfill(&kb).arg("finalize").arg(&review));
    assert!(out.status.success(), "{}", stderr(&out));
    let final_copy = dir.path().join("vendor.final.pdf");
    assert!(std::fs::read(&final_copy).unwrap().starts_with(&original));
    let values = field_values(&final_copy);
    assert!(values["q1"].starts_with("Yes"), "{values:?}");
    assert_eq!(
        (values["q2yes"].as_str(), values["q2no"].as_str()),
        ("Off", "On")
    );
    assert_eq!(values["q3"], "Yes");
    assert_eq!(values["q4"], "");
    let doc = lopdf::Document::load(&final_copy).unwrap();
    let tinted = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .any(|d| d.get(b"MK").is_ok());
    assert!(!tinted, "a final copy marks no drafts");
}

#[test]
fn a_flat_pdf_is_handed_back_as_answers_to_paste_from() {
    let dir = tempfile::tempdir().unwrap();
    let input = table_pdf(&dir.path().join("flat.pdf"), &ROWS, false);
    let before = file_hash(&input);
    // Blank the answers the generated table carries: an unanswered flat questionnaire.
    let blank: Vec<(&str, &[&str], &str, &[&str])> = ROWS
        .iter()
        .map(|(id, q, _, _)| (*id, *q, "", &[][..]))
        .collect();
    let input = table_pdf(&input, &blank, false);
    let before_blank = file_hash(&input);
    assert_ne!(before, before_blank);
    let (_kbdir, kb) = temp_kb(&[(
        "answers/security.toml",
        &entry(
            "encryption-at-rest",
            "Is customer data encrypted at rest with keys managed in a KMS?",
            "Yes",
            "public",
        ),
    )]);
    let out = run(trustfill(&kb).arg("fill").arg(&input));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the PDF itself is not changed"),
        "{}",
        stderr(&out)
    );
    assert_eq!(file_hash(&input), before_blank);
    let review = dir.path().join("flat.review.xlsx");
    let rows = review_rows_of(&review);
    let drafted = rows
        .iter()
        .position(|r| r.answer == "Yes")
        .expect("a draft");
    edit_review(&review, &[(drafted as u32 + 1, 7, "Approved")]);
    let out = run(trustfill(&kb).arg("finalize").arg(&review));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("was not changed") || stderr(&out).contains("was not changed"));
    assert!(!dir.path().join("flat.final.pdf").exists());
    let answers = cell_dump(&dir.path().join("flat.answers.xlsx"));
    let cell = |r: u32, c: u32| {
        answers
            .get(&("Answers".to_string(), r, c))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(
        (0..5).map(|c| cell(0, c)).collect::<Vec<_>>(),
        ["Page", "Question ID", "Question", "Answer", "Comment"]
    );
    assert_eq!(cell(1, 0), "1");
    assert_eq!(cell(1, 1), "AAA-01.1");
    assert!(
        cell(1, 2).starts_with("Is customer data encrypted at rest"),
        "{answers:?}"
    );
    assert_eq!(cell(1, 3), "Yes");
    assert_eq!(file_hash(&input), before_blank, "the PDF is never written");
}

#[test]
fn a_pdf_whose_streams_inflate_past_the_limit_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc = lopdf::Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    // 20 MB of spaces: a valid page content of a few KB once compressed.
    let content = doc.add_object(Stream::new(dictionary! {}, vec![b' '; 20 << 20]));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content,
    });
    one_page(&mut doc, pages_id, page, dictionary! {});
    doc.compress();
    let path = dir.path().join("bomb.pdf");
    doc.save(&path).unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() < 100_000);
    let kb = dir.path().join("kb");
    let out = run(trustfill(&kb)
        .args(["inspect", "--max-expanded-size", "10"])
        .arg(&path));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("expand to over 10 MB")
            && stderr(&out).contains("--max-expanded-size"),
        "{}",
        stderr(&out)
    );
    // Under the default limit it is read (and found to ask nothing).
    let out = run(trustfill(&kb).arg("inspect").arg(&path));
    assert!(
        stderr(&out).contains("found no questions in the PDF"),
        "{}",
        stderr(&out)
    );
}

/// Arrays nested 100,000 deep in 200 KB: lopdf's recursive parser would overflow the stack
/// (an abort no panic guard catches); the file is refused as damaged before it is parsed.
#[test]
fn a_pdf_nesting_objects_absurdly_deep_is_refused_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let deep = [vec![b'['; 100_000], vec![b']'; 100_000]].concat();
    let mut body = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R /X ".to_vec();
    body.extend(deep);
    body.extend(b" >>\nendobj\n");
    let pages = body.len();
    body.extend(b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n");
    let xref = body.len();
    body.extend(
        format!(
            "xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n{pages:010} 00000 n \n\
             trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
        )
        .as_bytes(),
    );
    let path = dir.path().join("deep.pdf");
    std::fs::write(&path, body).unwrap();
    assert_refused(&path, &[], &["nest more than 256 deep"]);
}
