//! Arbitrary text as a Word document's `word/document.xml`: read its tables and paragraph
//! questions, write an answer holding "x" into every answer slot found (with markup, line
//! breaks and characters XML 1.0 forbids in some), and read the result again. Reading and
//! writing may refuse (a clean `Err`); a panic, a hang, a written document that is not
//! well-formed XML, or that no longer reads, or reads back something else, is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trustfill::docx::patch::{check_well_formed, rewrite_xml};
use trustfill::docx::{Document, TEXT_INDEX};
use trustfill::xlsx::patch::CellWrite;

/// Each holds `x`; the others markup, line breaks and characters XML 1.0 forbids.
const ANSWERS: [&str; 3] = [
    "x",
    "x\u{FFFE}<&>\n]]>\u{FFFF}\"'",
    "\r\nx\t\u{C}\u{1}\n\u{10FFFF}",
];

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(doc) = Document::parse(xml) else {
        return;
    };
    let mut writes = Vec::new();
    let tables = doc
        .tables
        .iter()
        .enumerate()
        .chain(doc.text.iter().map(|t| (TEXT_INDEX, t)));
    for (index, table) in tables {
        // The first row is the header (or a form's first label), never a slot.
        for (r, row) in table.rows.iter().enumerate().skip(1) {
            for cell in row.iter().filter(|c| c.para_tag != (0, 0) && c.choices.is_empty()) {
                writes.push((
                    index,
                    CellWrite {
                        row: r as u32,
                        col: cell.col,
                        text: ANSWERS[writes.len() % ANSWERS.len()].into(),
                        highlight: true,
                        style_like: None,
                    },
                ));
            }
        }
    }
    if let Ok(out) = rewrite_xml(xml, &writes, true) {
        if let Err(e) = check_well_formed(&out) {
            panic!("a written document is not well-formed: {e}");
        }
        let again = Document::parse(&out).expect("a written document reads again");
        for (index, w) in &writes {
            let table = again.table(*index).expect("the table is still there");
            if let Some(cell) = table.cell(w.row, w.col) {
                assert!(cell.text.contains('x'), "{cell:?}");
            }
        }
    }
});
