//! Legacy and open formats: .xls (BIFF8, the committed fixture from
//! fixtures/legacy/make_xls.py) and .ods (generated here) are read, matched and written back as
//! a new .xlsx; an encrypted .ods and an .ods bomb are refused.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::common::*;

fn legacy_xls(dir: &Path) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/legacy/questionnaire.xls");
    let path = dir.join("legacy.xls");
    std::fs::copy(src, &path).unwrap();
    path
}

/// A minimal OpenDocument spreadsheet: `rows` of cells on one sheet named `sheet`. With
/// `encrypted`, the manifest declares the content encrypted, as LibreOffice does for a
/// password-protected file.
fn ods(dir: &Path, name: &str, sheet: &str, rows: &[&[&str]], encrypted: bool) -> PathBuf {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut table = String::new();
    for row in rows {
        table.push_str("<table:table-row>");
        for cell in *row {
            if cell.is_empty() {
                table.push_str("<table:table-cell/>");
            } else {
                table.push_str(&format!(
                    "<table:table-cell office:value-type=\"string\"><text:p>{}</text:p></table:table-cell>",
                    esc(cell)
                ));
            }
        }
        table.push_str("</table:table-row>");
    }
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3"><office:body><office:spreadsheet><table:table table:name="{}">{table}</table:table></office:spreadsheet></office:body></office:document-content>"#,
        esc(sheet)
    );
    let encryption = if encrypted {
        r#"<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="AAAA"><manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="AAAA"/><manifest:key-derivation manifest:key-derivation-name="PBKDF2" manifest:iteration-count="1024" manifest:salt="AAAA"/></manifest:encryption-data>"#
    } else {
        ""
    };
    let manifest = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">{encryption}</manifest:file-entry></manifest:manifest>"#
    );
    let path = dir.join(name);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    zip.start_file("META-INF/manifest.xml", deflated).unwrap();
    zip.write_all(manifest.as_bytes()).unwrap();
    zip.start_file("content.xml", deflated).unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    zip.finish().unwrap();
    path
}

/// Cell text of the filled workbook's sheet `sheet` at (row, col), 0-based.
fn filled_cell(path: &Path, sheet: &str, row: u32, col: u32) -> String {
    cell_dump(path)
        .get(&(sheet.to_string(), row, col))
        .cloned()
        .unwrap_or_default()
}

#[test]
fn an_xls_questionnaire_is_filled_into_a_new_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let (_kbdir, kb) = shipped_kb_copy();
    let input = legacy_xls(dir.path());
    let before = file_hash(&input);
    let out = run(trustfill(&kb).arg("fill").arg(&input));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("formatting, formulas, dropdowns and merged cells"),
        "says what the .xlsx copy does not keep: {}",
        stderr(&out)
    );
    assert_eq!(file_hash(&input), before, "the input is never modified");
    let filled = dir.path().join("legacy.filled.xlsx");
    let sheet = "Security Questions";
    // Questions and section headers are where they were; answers go in column C.
    assert_eq!(
        filled_cell(&filled, sheet, 4, 1),
        "Is multi-factor authentication required for all employee access to production?"
    );
    assert_eq!(filled_cell(&filled, sheet, 3, 0), "Access control");
    assert!(
        filled_cell(&filled, sheet, 7, 2).starts_with("Yes"),
        "encryption at rest is drafted: {:?}",
        filled_cell(&filled, sheet, 7, 2)
    );
    // A question the library does not answer stays blank.
    assert_eq!(filled_cell(&filled, sheet, 11, 2), "");
    assert!(dir.path().join("legacy.review.xlsx").is_file());
}

#[test]
fn an_ods_questionnaire_is_read_and_filled() {
    let dir = tempfile::tempdir().unwrap();
    let (_kbdir, kb) = shipped_kb_copy();
    let input = ods(
        dir.path(),
        "customer.ods",
        "Vendor review",
        &[
            &["Supplier security review", "", ""],
            &["", "", ""],
            &["Question", "Answer", "Notes"],
            &["Is customer data encrypted at rest?", "", ""],
            &["Do you enforce MFA for administrators?", "", ""],
            &["What colour is the office carpet?", "", ""],
        ],
        false,
    );
    let inspect = run(trustfill(&kb).arg("inspect").arg(&input));
    assert!(inspect.status.success(), "{}", stderr(&inspect));
    assert!(
        stdout(&inspect).contains("3 questions"),
        "{}",
        stdout(&inspect)
    );
    let before = file_hash(&input);
    let out = run(trustfill(&kb).arg("fill").arg(&input));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(file_hash(&input), before);
    let filled = dir.path().join("customer.filled.xlsx");
    assert!(filled_cell(&filled, "Vendor review", 3, 1).starts_with("Yes"));
    assert_eq!(filled_cell(&filled, "Vendor review", 5, 1), "");
}

#[test]
fn an_encrypted_ods_is_refused_as_password_protected() {
    let dir = tempfile::tempdir().unwrap();
    let input = ods(
        dir.path(),
        "locked.ods",
        "Sheet1",
        &[&["Question", "Answer"], &["Is data encrypted?", ""]],
        true,
    );
    assert_refused(&input, &[], &["password-protected"]);
}

#[test]
fn an_ods_bomb_is_refused_by_its_expanded_size() {
    let dir = tempfile::tempdir().unwrap();
    let padding = " ".repeat(24 * 1024 * 1024);
    let input = ods(
        dir.path(),
        "bomb.ods",
        "Sheet1",
        &[&["Question", "Answer"], &[&padding, ""]],
        false,
    );
    assert!(std::fs::metadata(&input).unwrap().len() < 200 * 1024);
    assert_refused(
        &input,
        &["--max-expanded-size", "8"],
        &["--max-expanded-size"],
    );
}

/// A CSV questionnaire goes through the whole loop: fill, review, finalize into a CSV again
/// (only the approved answers added; an answer that reads like a formula opens as text).
#[test]
fn a_csv_questionnaire_finalizes_to_csv() {
    let dir = tempfile::tempdir().unwrap();
    let (_kbdir, kb) = shipped_kb_copy();
    let input = dir.path().join("mini.csv");
    std::fs::write(
        &input,
        "ID,Question,Answer,Comment\r\nQ1,Is customer data encrypted at rest?,,\r\nQ2,\"Do you enforce MFA, for administrators?\",,\r\nQ3,What colour is the office carpet?,,\r\n",
    )
    .unwrap();
    let out = run(trustfill(&kb).arg("fill").arg(&input));
    assert!(out.status.success(), "{}", stderr(&out));
    let review = dir.path().join("mini.review.xlsx");
    // Row 1 approved as drafted, row 2 approved with a hostile answer typed in, row 3 left.
    edit_review(
        &review,
        &[
            (1, trustfill::fill::review::Col::STATUS, "Approved"),
            (
                2,
                trustfill::fill::review::Col::ANSWER,
                "=HYPERLINK(\"http://x\")",
            ),
            (2, trustfill::fill::review::Col::STATUS, "Approved"),
        ],
    );
    let before = file_hash(&input);
    let out = run(trustfill(&kb).arg("finalize").arg(&review));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(file_hash(&input), before);
    let final_csv = std::fs::read_to_string(dir.path().join("mini.final.csv")).unwrap();
    let lines: Vec<&str> = final_csv.split("\r\n").collect();
    assert_eq!(lines[0], "ID,Question,Answer,Comment");
    assert!(
        lines[1].starts_with("Q1,Is customer data encrypted at rest?,Yes"),
        "{final_csv}"
    );
    assert!(
        lines[2].starts_with(
            "Q2,\"Do you enforce MFA, for administrators?\",\"'=HYPERLINK(\"\"http://x\"\")\""
        ),
        "{final_csv}"
    );
    assert_eq!(lines[3], "Q3,What colour is the office carpet?,,");
    assert!(stderr(&out).contains("mini.final.csv"), "{}", stderr(&out));
}

/// An .xls questionnaire, which trustfill cannot write, finalizes to an .xlsx of its values
/// with the approved answers, and says so.
#[test]
fn an_xls_questionnaire_finalizes_to_xlsx_and_says_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let (_kbdir, kb) = shipped_kb_copy();
    let input = legacy_xls(dir.path());
    assert!(run(trustfill(&kb).arg("fill").arg(&input)).status.success());
    let review = dir.path().join("legacy.review.xlsx");
    let rows = trustfill::fill::review::read_review(&review).unwrap().rows;
    let drafted = rows
        .iter()
        .position(|r| r.status == "Draft")
        .expect("a draft") as u32
        + 1;
    edit_review(
        &review,
        &[(drafted, trustfill::fill::review::Col::STATUS, "Approved")],
    );
    let out = run(trustfill(&kb).arg("finalize").arg(&review));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the final copy is an .xlsx"),
        "{}",
        stderr(&out)
    );
    let row = &rows[drafted as usize - 1];
    let final_xlsx = dir.path().join("legacy.final.xlsx");
    assert_eq!(
        filled_cell(
            &final_xlsx,
            &row.answer_cell.sheet,
            row.answer_cell.row,
            row.answer_cell.col
        ),
        row.answer
    );
    assert_eq!(
        filled_cell(&final_xlsx, "Security Questions", 3, 0),
        "Access control"
    );
}
