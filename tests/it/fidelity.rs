//! What survives a fill. The fidelity fixture (`fixtures::fidelity_workbook`) holds every
//! feature the README promises to keep; after `fill` and `finalize`, every part of the package is
//! byte for byte the same except the patched sheet and the styles, and the patched sheet is the
//! same outside the cells written.

use std::collections::BTreeSet;
use std::path::Path;

use trustfill::cellref::col_letters;
use trustfill::xlsx::patch::HIGHLIGHT_RGB;

use crate::common::*;
use crate::fixtures::{Fidelity, fidelity_workbook};

fn a1(row: u32, col: u16) -> String {
    format!("{}{}", col_letters(u32::from(col)), row + 1)
}

/// The cells a fill or finalize wrote, from its review workbook's Answer and Comment columns.
fn written_cells(review: &Path) -> BTreeSet<String> {
    let dump = cell_dump(review);
    let mut cells = BTreeSet::new();
    for ((sheet, row, col), text) in &dump {
        if sheet != "Review" || *row == 0 || text.is_empty() {
            continue;
        }
        let at = |c: u32| {
            dump.get(&(sheet.clone(), *row, c))
                .cloned()
                .unwrap_or_default()
        };
        match *col {
            4 => {
                cells.insert(at(1));
            }
            5 => {
                cells.insert(at(15));
            }
            _ => {}
        }
    }
    cells
}

/// Checks the package at `after` against `before`: the same parts, every one byte for byte but
/// the question sheet and styles.xml; the question sheet the same outside `written`.
fn assert_only_cells_changed(before: &Path, after: &Path, written: &BTreeSet<String>) {
    let (old, new) = (package_parts(before), package_parts(after));
    assert_eq!(
        old.keys().collect::<Vec<_>>(),
        new.keys().collect::<Vec<_>>(),
        "the same parts"
    );
    for (name, bytes) in &old {
        if name != Fidelity::PART && name != "xl/styles.xml" {
            assert!(&new[name] == bytes, "{name} changed");
        }
    }
    let cells: Vec<String> = written.iter().cloned().collect();
    let old_sheet = String::from_utf8(old[Fidelity::PART].clone()).unwrap();
    let new_sheet = String::from_utf8(new[Fidelity::PART].clone()).unwrap();
    assert_eq!(
        without_cells(&old_sheet, &cells),
        without_cells(&new_sheet, &cells),
        "the question sheet changed outside the answer cells"
    );
}

fn check_fidelity(xlsm: bool) {
    let ext = if xlsm { "xlsm" } else { "xlsx" };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join(format!("fidelity.{ext}"));
    fidelity_workbook(&input, xlsm);
    // The fixture holds what it claims to.
    let parts = package_parts(&input);
    let sheet = String::from_utf8(parts[Fidelity::PART].clone()).unwrap();
    for feature in [
        "<conditionalFormatting",
        "<dataValidations",
        "x14:dataValidation ",
        "x14:sparklineGroup ",
        "<hyperlinks>",
        "<sheetProtection",
        "<legacyDrawing",
        "<extLst>",
    ] {
        assert!(sheet.contains(feature), "fixture lacks {feature}");
    }
    for part in [
        "xl/threadedComments/threadedComment1.xml",
        "xl/persons/person.xml",
        "xl/comments1.xml",
        "xl/tables/table1.xml",
    ] {
        assert!(parts.contains_key(part), "fixture lacks {part}");
    }
    assert!(String::from_utf8_lossy(&parts["xl/workbook.xml"]).contains("<definedName"));
    assert_eq!(parts.contains_key("xl/vbaProject.bin"), xlsm);

    let (_kbdir, kb) = shipped_kb_copy();
    let out = run(trustfill(&kb)
        .arg("fill")
        .arg(&input)
        .args(["--min-confidence", "0"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let filled = dir.path().join(format!("fidelity.filled.{ext}"));
    let review = dir.path().join("fidelity.review.xlsx");
    let written = written_cells(&review);
    let allowed: BTreeSet<String> = (1..=Fidelity::QUESTIONS.len() as u32)
        .flat_map(|r| [a1(r, Fidelity::ANSWER_COL), a1(r, Fidelity::COMMENT_COL)])
        .collect();
    assert!(
        written.len() >= Fidelity::QUESTIONS.len() && written.is_subset(&allowed),
        "{written:?}"
    );
    assert_only_cells_changed(&input, &filled, &written);

    // The vendor's own comment stays, without --overwrite.
    let prefilled = a1(Fidelity::PREFILLED_ROW, Fidelity::COMMENT_COL);
    assert!(!written.contains(&prefilled), "{written:?}");
    assert_eq!(
        cell_xml(&xlsx_part(&filled, Fidelity::PART), &prefilled),
        cell_xml(&sheet, &prefilled)
    );
    let values = cell_dump(&filled);
    assert_eq!(
        values
            .get(&(
                Fidelity::SHEET.to_string(),
                Fidelity::PREFILLED_ROW,
                u32::from(Fidelity::COMMENT_COL)
            ))
            .map(String::as_str),
        Some(Fidelity::PREFILLED_COMMENT)
    );
    // Every drafted cell carries the highlight; nothing else does.
    for cell in &written {
        assert_eq!(
            cell_fill_rgb(&filled, Fidelity::PART, cell).as_deref(),
            Some(HIGHLIGHT_RGB),
            "{cell} is not highlighted"
        );
    }
    assert_eq!(cell_fill_rgb(&filled, Fidelity::PART, &prefilled), None);

    // Approve every draft: the file to send has the same fidelity and no highlight.
    let rows = written.len();
    let statuses: Vec<(u32, u16, &str)> = (1..=Fidelity::QUESTIONS.len() as u32)
        .map(|r| (r, 7, "Approved"))
        .collect();
    edit_review(&review, &statuses);
    let out = run(trustfill(&kb).arg("finalize").arg(&review));
    assert!(out.status.success(), "{}", stderr(&out));
    let final_path = dir.path().join(format!("fidelity.final.{ext}"));
    assert_only_cells_changed(&input, &final_path, &written);
    for cell in &written {
        assert_eq!(cell_fill_rgb(&final_path, Fidelity::PART, cell), None);
    }
    assert_eq!(
        package_parts(&final_path)["xl/styles.xml"],
        parts["xl/styles.xml"],
        "finalize adds no style"
    );
    assert!(rows > 0);
}

#[test]
fn fill_and_finalize_keep_everything_but_the_answer_cells() {
    check_fidelity(false);
}

#[test]
fn an_xlsm_keeps_its_macros_and_its_extension() {
    check_fidelity(true);
}
