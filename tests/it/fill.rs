use std::collections::BTreeMap;
use std::path::Path;

use trustfill::xlsx::patch::{CellWrite, SheetPatch, patch_workbook};

use crate::common::*;
use crate::fixtures::{SHEET, SampleLayout, sample_question_count};

/// Review rows as (status, answer cell, comment cell, answer, comment, question id).
fn review_rows(path: &Path) -> Vec<BTreeMap<&'static str, String>> {
    let dump = cell_dump(path);
    let last = dump
        .keys()
        .filter(|(s, _, _)| s == "Review")
        .map(|(_, r, _)| *r)
        .max()
        .unwrap_or(0);
    let names = [
        (0, "sheet"),
        (1, "cell"),
        (2, "id"),
        (4, "answer"),
        (5, "comment"),
        (6, "confidence"),
        (7, "status"),
        (8, "source"),
        (11, "note"),
        (15, "comment_cell"),
    ];
    (1..=last)
        .map(|r| {
            names
                .iter()
                .map(|(c, n)| {
                    (
                        *n,
                        dump.get(&("Review".to_string(), r, *c))
                            .cloned()
                            .unwrap_or_default(),
                    )
                })
                .collect()
        })
        .collect()
}

fn fill(kb: &Path, input: &Path, extra: &[&str]) -> std::process::Output {
    run(trustfill(kb).arg("fill").arg(input).args(extra))
}

#[test]
fn fill_writes_only_answer_and_comment_cells() {
    let dir = tempfile::tempdir().unwrap();
    let (_kbdir, kb) = shipped_kb_copy();
    let input = sample_in(dir.path());
    let out = fill(&kb, &input, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let filled = dir.path().join("vendor.filled.xlsx");
    let review = dir.path().join("vendor.review.xlsx");
    assert!(filled.is_file() && review.is_file());

    let rows = review_rows(&review);
    assert_eq!(
        rows.len(),
        sample_question_count(),
        "one review row per visible question"
    );
    let mut written = std::collections::BTreeSet::new();
    for row in rows.iter().filter(|r| r["status"] == "Draft") {
        let (r, c) = trustfill::xlsx::parse_a1(&row["cell"]).unwrap();
        if !row["answer"].is_empty() {
            written.insert((SHEET.to_string(), r, c));
        }
        if !row["comment"].is_empty() {
            let (r, c) = trustfill::xlsx::parse_a1(&row["comment_cell"]).unwrap();
            written.insert((SHEET.to_string(), r, c));
        }
    }
    assert!(written.len() >= 8, "drafted cells: {written:?}");
    let before = cell_dump(&input);
    let after = cell_dump(&filled);
    for (key, value) in &after {
        if !written.contains(key) {
            assert_eq!(before.get(key), Some(value), "cell {key:?} changed");
        }
    }
    for key in before.keys() {
        assert!(after.contains_key(key), "cell {key:?} lost");
    }
    for key in &written {
        assert!(
            after.contains_key(key),
            "drafted cell {key:?} is empty in the output"
        );
    }
}

#[test]
fn fill_drafts_from_dropdown_values_and_explains_what_it_left() {
    let dir = tempfile::tempdir().unwrap();
    let (_kbdir, kb) = shipped_kb_copy();
    let input = sample_in(dir.path());
    assert!(fill(&kb, &input, &[]).status.success());
    let rows = review_rows(&dir.path().join("vendor.review.xlsx"));
    let by_id = |id: &str| {
        rows.iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("no row {id}"))
            .clone()
    };

    let mfa = by_id("ACC-01");
    assert_eq!(
        (
            mfa["status"].as_str(),
            mfa["answer"].as_str(),
            mfa["source"].as_str()
        ),
        ("Draft", "Yes", "iam-workforce-mfa")
    );
    assert!(mfa["confidence"].parse::<u8>().unwrap() >= 80);
    // A value answer under a Yes/No dropdown: the dropdown stays blank, the answer is in the comment.
    let leaver = by_id("ACC-03");
    assert_eq!(leaver["status"], "Draft");
    assert_eq!(leaver["answer"], "");
    assert!(leaver["comment"].contains("24 hours"), "{leaver:?}");
    assert!(leaver["note"].contains("dropdown left blank"), "{leaver:?}");
    // Not covered by the knowledge base: blank and flagged.
    let mainframe = by_id("ASR-05");
    assert_eq!(mainframe["status"], "Needs answer");
    assert_eq!(mainframe["answer"], "");
    assert!(mainframe["note"].contains("not covered"), "{mainframe:?}");
    // The hidden row is not a question.
    assert!(!rows.iter().any(|r| r["id"] == SampleLayout::HIDDEN_ROW_ID));
}

#[test]
fn fill_skips_formula_answer_cells_and_keeps_existing_answers() {
    let dir = tempfile::tempdir().unwrap();
    let (_kbdir, kb) = shipped_kb_copy();
    let input = sample_in(dir.path());
    assert!(fill(&kb, &input, &["--overwrite"]).status.success());
    let rows = review_rows(&dir.path().join("vendor.review.xlsx"));
    let formula = rows
        .iter()
        .find(|r| r["id"] == SampleLayout::FORMULA_ANSWER_ID)
        .unwrap();
    assert_eq!(formula["status"], "Formula");
    let filled = dir.path().join("vendor.filled.xlsx");
    let sheet_xml = xlsx_part(&filled, "xl/worksheets/sheet3.xml");
    let original_xml = xlsx_part(&input, "xl/worksheets/sheet3.xml");
    let cell = formula["cell"].clone();
    assert_eq!(
        cell_xml(&sheet_xml, &cell),
        cell_xml(&original_xml, &cell),
        "formula cell {cell} untouched"
    );
    assert!(cell_xml(&sheet_xml, &cell).unwrap().contains("<f>"));

    // Without --overwrite an answered row is kept; with it, it is drafted again.
    let answered = rows
        .iter()
        .find(|r| r["id"] == SampleLayout::ANSWERED_ID)
        .unwrap();
    assert_eq!(
        answered["status"], "Draft",
        "--overwrite redrafts: {answered:?}"
    );
    let dir2 = tempfile::tempdir().unwrap();
    let input2 = sample_in(dir2.path());
    assert!(fill(&kb, &input2, &[]).status.success());
    let rows2 = review_rows(&dir2.path().join("vendor.review.xlsx"));
    let kept = rows2
        .iter()
        .find(|r| r["id"] == SampleLayout::ANSWERED_ID)
        .unwrap();
    // The sample's "Are you ISO 27001 certified?" already says No; the library says Yes: the
    // answer is kept, and the row is flagged as a conflict with the library's answer beside it.
    assert_eq!(
        (kept["status"].as_str(), kept["answer"].as_str()),
        ("Conflict", SampleLayout::ANSWERED_VALUE)
    );
    assert!(
        kept["note"].contains("the questionnaire says \"No\", but comp-iso27001-certified says \"Yes (ISO/IEC 27001:2022)\""),
        "{kept:?}"
    );
    let after = cell_dump(&dir2.path().join("vendor.filled.xlsx"));
    let (r, c) = trustfill::xlsx::parse_a1(&kept["cell"]).unwrap();
    assert_eq!(
        after.get(&(SHEET.to_string(), r, c)).map(String::as_str),
        Some(SampleLayout::ANSWERED_VALUE)
    );
}

/// What the reviewer sees in the review sheet: the Status dropdown offers what a reviewer
/// decides (never Kept or Formula) and only on rows they decide; a formula row names no
/// source or runner-up; an empty Confidence cell ("Needs answer") is not coloured red; the
/// colour limits are the band limits.
#[test]
fn the_review_sheet_offers_only_what_a_reviewer_decides() {
    let dir = tempfile::tempdir().unwrap();
    let (_kbdir, kb) = shipped_kb_copy();
    let input = sample_in(dir.path());
    assert!(fill(&kb, &input, &[]).status.success());
    let review = dir.path().join("vendor.review.xlsx");
    let rows = review_rows(&review);
    let formula = rows
        .iter()
        .position(|r| r["id"] == SampleLayout::FORMULA_ANSWER_ID)
        .unwrap();
    assert_eq!(rows[formula]["status"], "Formula");
    assert_eq!(rows[formula]["source"], "");
    let dump = cell_dump(&review);
    let review_row = formula as u32 + 1;
    for col in 12..15 {
        assert!(
            !dump.contains_key(&("Review".to_string(), review_row, col)),
            "a formula row lists no runner-up: {:?}",
            dump.get(&("Review".to_string(), review_row, col))
        );
    }

    let sheet = xlsx_part(&review, "xl/worksheets/sheet1.xml");
    let validations: Vec<&str> = sheet
        .split("<dataValidation ")
        .skip(1)
        .map(|v| v.split("</dataValidation>").next().unwrap())
        .collect();
    assert!(!validations.is_empty());
    for v in &validations {
        assert!(
            v.contains("Runner-up 1")
                && v.contains("Approved")
                && !v.contains("Kept")
                && !v.contains("Formula"),
            "{v}"
        );
    }
    // The formula row's Status cell is outside every dropdown range; the rows around it are in one.
    let status_cell = format!("H{}", review_row + 1);
    let covered = |cell: &str| {
        let (r, _) = trustfill::xlsx::parse_a1(cell).unwrap();
        validations.iter().any(|v| {
            let sqref = v
                .split("sqref=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            sqref.split(' ').any(|range| {
                let (a, b) = range.split_once(':').unwrap_or((range, range));
                let (ra, _) = trustfill::xlsx::parse_a1(a).unwrap();
                let (rb, _) = trustfill::xlsx::parse_a1(b).unwrap();
                (ra..=rb).contains(&r)
            })
        })
    };
    assert!(!covered(&status_cell), "{validations:?}");
    let needs = rows
        .iter()
        .position(|r| r["status"] == "Needs answer")
        .expect("the sample has a question the library does not answer");
    assert!(covered(&format!("H{}", needs + 2)), "{validations:?}");
    assert_eq!(rows[needs]["confidence"], "");

    // Colours: green from 80, yellow 70-79, red below 70 only where there is a number.
    assert!(sheet.contains("<formula>80</formula>"), "{sheet}");
    assert!(
        sheet.contains("<formula>70</formula><formula>79</formula>"),
        "{sheet}"
    );
    assert!(
        sheet.contains("<formula>AND(ISNUMBER(G2),G2&lt;70)</formula>"),
        "{sheet}"
    );
}

#[test]
fn fill_keeps_protection_validations_merges_and_marks_drafts() {
    let dir = tempfile::tempdir().unwrap();
    let (_kbdir, kb) = shipped_kb_copy();
    let input = sample_in(dir.path());
    assert!(fill(&kb, &input, &[]).status.success());
    let filled = dir.path().join("vendor.filled.xlsx");
    let before = xlsx_part(&input, "xl/worksheets/sheet3.xml");
    let after = xlsx_part(&filled, "xl/worksheets/sheet3.xml");
    for feature in [
        "<sheetProtection",
        "<dataValidations",
        "<mergeCells",
        "<pane ",
        "hidden=\"1\"",
    ] {
        assert_eq!(
            before.matches(feature).count(),
            after.matches(feature).count(),
            "{feature}"
        );
    }
    // Drafted cells carry a style with the highlight fill; styles.xml gained it.
    let styles = xlsx_part(&filled, "xl/styles.xml");
    assert!(styles.contains(trustfill::xlsx::patch::HIGHLIGHT_RGB));
    // Parts other than the sheet and styles are byte for byte the same.
    let names = |p: &Path| {
        let zip = zip::ZipArchive::new(std::fs::File::open(p).unwrap()).unwrap();
        zip.file_names()
            .map(|n| n.unwrap().to_string())
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert_eq!(names(&input), names(&filled));
    for part in names(&input) {
        if part != "xl/worksheets/sheet3.xml" && part != "xl/styles.xml" && !part.ends_with(".rels")
        {
            assert_eq!(
                xlsx_part(&input, &part),
                xlsx_part(&filled, &part),
                "{part}"
            );
        }
    }

    let dir2 = tempfile::tempdir().unwrap();
    let input2 = sample_in(dir2.path());
    assert!(fill(&kb, &input2, &["--no-highlight"]).status.success());
    assert!(
        !xlsx_part(&dir2.path().join("vendor.filled.xlsx"), "xl/styles.xml")
            .contains(trustfill::xlsx::patch::HIGHLIGHT_RGB)
    );
}

#[test]
fn fill_never_modifies_input_and_leaves_no_partial_output() {
    let dir = tempfile::tempdir().unwrap();
    let (_kbdir, kb) = shipped_kb_copy();
    let input = sample_in(dir.path());
    let hash = file_hash(&input);

    // Writing over the input is refused, whichever output is aimed at it, --force or not; so
    // are two outputs aimed at one file.
    let same = input.to_str().unwrap();
    let other = dir.path().join("out.xlsx");
    let other = other.to_str().unwrap();
    let log_named = dir.path().join("out.answers.jsonl");
    for (args, expected) in [
        (vec!["-o", same], "is the input file"),
        (vec!["-o", same, "--force"], "is the input file"),
        (vec!["--review", same, "--force"], "is the input file"),
        (vec!["-o", other, "--review", other], "would be both"),
        (
            vec!["-o", other, "--review", log_named.to_str().unwrap()],
            "would be both the review workbook (--review) and the answer log",
        ),
    ] {
        let out = fill(&kb, &input, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains(expected),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(file_hash(&input), hash, "{args:?} modified the input");
    }

    // A broken knowledge base fails before anything is written.
    let (_bad_dir, bad_kb) = temp_kb(&[("answers/a.toml", "[[answer]]\nid = \"x\"\n")]);
    let out = fill(&bad_kb, &input, &[]);
    assert_eq!(out.status.code(), Some(2));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        leftovers,
        [std::ffi::OsString::from("vendor.xlsx")],
        "no output, no temporary files"
    );

    // A second run does not clobber review work without --force.
    assert!(fill(&kb, &input, &[]).status.success());
    let again = fill(&kb, &input, &[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    assert!(fill(&kb, &input, &["--force"]).status.success());
    assert_eq!(file_hash(&input), hash, "the input is never modified");
}

/// With -o in another folder, the review workbook and the answer log go there too, named after
/// the filled copy: a questionnaire in a shared or read-only folder gets nothing written beside
/// it.
#[test]
fn fill_with_output_elsewhere_writes_nothing_beside_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let (_kbdir, kb) = shipped_kb_copy();
    let input = sample_in(dir.path());
    let filled = out_dir.path().join("acme.xlsx");
    let out = fill(&kb, &input, &["-o", filled.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let beside_input: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(beside_input, [std::ffi::OsString::from("vendor.xlsx")]);
    let mut written: Vec<String> = std::fs::read_dir(out_dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(
        written,
        ["acme.answers.jsonl", "acme.review.xlsx", "acme.xlsx"]
    );
    assert!(
        stdout(&out).contains("acme.review.xlsx") || stderr(&out).contains("acme.review.xlsx"),
        "the summary names the review: {}",
        stderr(&out)
    );
}

#[test]
fn fill_writes_hostile_text_as_text_never_as_a_formula() {
    let hostile = "[[answer]]\nid = \"evil\"\nquestion = \"Do you encrypt data at rest?\"\nanswer = \"=HYPERLINK(\\\"http://example.invalid\\\",\\\"click\\\")\"\ncomment = \"+cmd|' /C calc'!A0 and @SUM(1+1)\"\naudience = \"public\"\n";
    let (_kbdir, kb) = temp_kb(&[("answers/evil.toml", hostile)]);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("q.csv");
    std::fs::write(
        &csv,
        "Question,Answer,Comment\n=HYPERLINK(\"http://x\") Do you encrypt data at rest?,,\n",
    )
    .unwrap();
    let out = fill(&kb, &csv, &["--min-confidence", "0"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let filled = dir.path().join("q.filled.xlsx");
    let sheet = xlsx_part(&filled, "xl/worksheets/sheet1.xml");
    assert!(!sheet.contains("<f>"), "no formula in the output: {sheet}");
    let dump = cell_dump(&filled);
    assert!(
        dump.values()
            .any(|v| v.starts_with("=HYPERLINK(\"http://example.invalid\"")),
        "{dump:?}"
    );
    assert!(dump.values().any(|v| v.starts_with("+cmd|")), "{dump:?}");
    let review = xlsx_part(
        &dir.path().join("q.review.xlsx"),
        "xl/worksheets/sheet1.xml",
    );
    assert!(!review.contains("<f>"), "no formula in the review sheet");
}

#[test]
fn fill_uses_only_entries_the_audience_may_see() {
    let answers = soc_answers("soc2-public");
    let (_kbdir, kb) = temp_kb(&[("answers/soc.toml", &answers)]);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("q.csv");
    std::fs::write(
        &csv,
        "Question,Answer\nWhich firm audits your SOC 2 report?,\n",
    )
    .unwrap();
    assert!(fill(&kb, &csv, &[]).status.success());
    let public = cell_dump(&dir.path().join("q.filled.xlsx"));
    assert!(
        !public.values().any(|v| v.contains("Example LLP")),
        "{public:?}"
    );
    let review = cell_dump(&dir.path().join("q.review.xlsx"));
    assert!(
        !review
            .values()
            .any(|v| v.contains("Example LLP") || v.contains("soc2-auditor")),
        "{review:?}"
    );
    assert!(
        fill(&kb, &csv, &["--audience", "nda", "--force"])
            .status
            .success()
    );
    let nda = cell_dump(&dir.path().join("q.filled.xlsx"));
    assert!(nda.values().any(|v| v.contains("Example LLP")), "{nda:?}");
}

#[test]
fn fill_json_summary_and_csv_values_copy() {
    let (_kbdir, kb) = shipped_kb_copy();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("q.csv");
    std::fs::write(&csv, "ID,Question,Response,Comments\n1,Is customer data encrypted at rest?,,\n2,What is your favourite colour?,,\n").unwrap();
    let out = fill(&kb, &csv, &["--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(summary["questions"], 2);
    assert_eq!(summary["drafted"], 1);
    assert_eq!(summary["needs_answer"], 1);
    assert!(
        stderr(&out).contains("note: the output is an .xlsx copy of the CSV"),
        "{}",
        stderr(&out)
    );
    let dump = cell_dump(&dir.path().join("q.filled.xlsx"));
    assert_eq!(
        dump.get(&("q".to_string(), 1, 2)).map(String::as_str),
        Some("Yes")
    );
    assert_eq!(
        dump.get(&("q".to_string(), 2, 2)),
        None,
        "the uncovered question stays blank"
    );
}

#[test]
fn finalize_writes_approved_rows_into_a_clean_copy() {
    let dir = tempfile::tempdir().unwrap();
    let (_kbdir, kb) = shipped_kb_copy();
    let input = sample_in(dir.path());
    assert!(fill(&kb, &input, &[]).status.success());
    let review = dir.path().join("vendor.review.xlsx");
    let rows = review_rows(&review);
    let drafts: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r["status"] == "Draft" && !r["answer"].is_empty())
        .map(|(i, _)| i)
        .collect();
    assert!(drafts.len() >= 3);
    // The reviewer approves two drafts (editing the second), rejects a third.
    let status_cell = |i: usize, text: &str| CellWrite {
        row: i as u32 + 1,
        col: 7,
        text: text.into(),
        highlight: false,
        style_like: None,
    };
    let edits = vec![
        status_cell(drafts[0], "Approved"),
        status_cell(drafts[1], "Approved"),
        CellWrite {
            row: drafts[1] as u32 + 1,
            col: 4,
            text: "No".into(),
            highlight: false,
            style_like: None,
        },
        status_cell(drafts[2], "Rejected"),
    ];
    let reviewed = dir.path().join("reviewed.xlsx");
    patch_workbook(
        &review,
        std::fs::File::create(&reviewed).unwrap(),
        &[SheetPatch {
            part: "xl/worksheets/sheet1.xml".into(),
            cells: edits,
        }],
    )
    .unwrap();
    std::fs::rename(&reviewed, &review).unwrap();

    let out = run(trustfill(&kb).arg("finalize").arg(&review));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("with 2 approved answers;"),
        "{}",
        stderr(&out)
    );
    let final_path = dir.path().join("vendor.final.xlsx");
    let before = cell_dump(&input);
    let after = cell_dump(&final_path);
    let at = |i: usize| {
        let (r, c) = trustfill::xlsx::parse_a1(&rows[i]["cell"]).unwrap();
        (SHEET.to_string(), r, c)
    };
    assert_eq!(after.get(&at(drafts[0])), Some(&rows[drafts[0]]["answer"]));
    assert_eq!(
        after.get(&at(drafts[1])).map(String::as_str),
        Some("No"),
        "the reviewer's edit wins"
    );
    assert_eq!(
        after.get(&at(drafts[2])),
        before.get(&at(drafts[2])),
        "rejected rows stay as they were"
    );
    assert!(
        !xlsx_part(&final_path, "xl/styles.xml").contains(trustfill::xlsx::patch::HIGHLIGHT_RGB),
        "no highlight in the file to send"
    );
    let changed = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .count();
    assert!(
        changed <= 4,
        "only the approved rows' answer and comment cells change: {changed}"
    );
}

#[test]
fn inspect_shows_the_detected_layout_and_skipped_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let input = sample_in(dir.path());
    let out = run(trustfill(dir.path()).arg("inspect").arg(&input));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for expected in [
        "15 questions in 1 sheet\n",
        "sheet \"Security Questionnaire\" (protected)",
        "header row  5",
        "answer      C (\"Response\")",
        "comment     D (\"Comments\")",
        "id          A (by content)",
        "\"Instructions\": instructions or analyst sheet",
        "\"Lists\": hidden sheet",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn committed_sample_matches_its_generator() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = sample_in(dir.path());
    let committed =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sample-questionnaire.xlsx");
    assert_eq!(
        cell_dump(&committed),
        cell_dump(&fresh),
        "regenerate with `cargo run --example make_fixtures`"
    );
}

#[test]
fn fill_refuses_bad_files_with_the_file_name_and_no_output() {
    let (_kbdir, kb) = shipped_kb_copy();
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[u8], &str); 4] = [
        ("empty.xlsx", b"", "the file is empty (0 bytes)"),
        (
            "report.xlsx",
            b"%PDF-1.7 not a workbook",
            "this is a PDF document, not an Excel workbook",
        ),
        (
            "notes.xlsx",
            b"just some text\n",
            "this is a text file, not an Excel workbook",
        ),
        ("q.pages", b"PK\x03\x04", "unsupported extension \".pages\""),
    ];
    for (name, bytes, message) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = fill(&kb, &path, &[]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = stderr(&out);
        assert!(err.contains(name) && err.contains(message), "{name}: {err}");
        assert!(err.contains("hint:"), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
    assert_eq!(
        files.len(),
        cases.len(),
        "no output or temporary files left"
    );
}

#[test]
fn fill_never_drafts_a_yes_no_answer_to_a_question_asked_the_other_way_round() {
    let answers = entry(
        "shared-accounts",
        "Are shared or generic user accounts permitted?",
        "No",
        "public",
    );
    let (_kbdir, kb) = temp_kb(&[("answers/iam.toml", &answers)]);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("q.csv");
    std::fs::write(&csv, "Question,Answer\nAre shared or generic user accounts prohibited?,\nAre shared or generic user accounts permitted?,\n").unwrap();
    assert!(fill(&kb, &csv, &[]).status.success());
    let rows = review_rows(&dir.path().join("q.review.xlsx"));
    assert_eq!(rows[0]["status"], "Needs answer", "{:?}", rows[0]);
    assert!(
        rows[0]["note"].contains("other way round") && rows[0]["note"].contains("prohibited"),
        "{:?}",
        rows[0]
    );
    assert_eq!(
        rows[1]["status"], "Draft",
        "the same question asked the entry's way is drafted"
    );
    assert!(rows[1]["answer"].starts_with("No — "), "{:?}", rows[1]);
}

#[test]
fn fill_marks_stale_entries_and_lowers_their_confidence() {
    let fresh = entry(
        "enc-rest",
        "Is customer data encrypted at rest?",
        "Yes",
        "public",
    );
    let stale = fresh.replace("reviewed = 2026-05-01", "reviewed = 2020-01-01");
    let confidence_with = |answers: &str| {
        let (_kbdir, kb) = temp_kb(&[("answers/a.toml", answers)]);
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("q.csv");
        std::fs::write(
            &csv,
            "Question,Answer,Comment\nIs customer data encrypted at rest?,,\n",
        )
        .unwrap();
        assert!(fill(&kb, &csv, &["--min-confidence", "0"]).status.success());
        let row = review_rows(&dir.path().join("q.review.xlsx")).remove(0);
        (
            row["confidence"].parse::<i32>().unwrap(),
            row["note"].clone(),
        )
    };
    let (fresh_conf, fresh_note) = confidence_with(&fresh);
    let (stale_conf, stale_note) = confidence_with(&stale);
    assert_eq!(
        fresh_conf - stale_conf,
        15,
        "the documented penalty: {fresh_conf} vs {stale_conf}"
    );
    assert!(!fresh_note.contains("stale"), "{fresh_note}");
    assert!(
        stale_note.contains("stale: enc-rest was last reviewed 2020-01-01"),
        "{stale_note}"
    );
}

#[test]
fn fill_writes_an_answer_log_of_what_was_told() {
    let dir = tempfile::tempdir().unwrap();
    let (_kbdir, kb) = shipped_kb_copy();
    let input = sample_in(dir.path());
    assert!(fill(&kb, &input, &["--audience", "nda"]).status.success());
    let log = std::fs::read_to_string(dir.path().join("vendor.filled.answers.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let rows = review_rows(&dir.path().join("vendor.review.xlsx"));
    let count = |status: &str| rows.iter().filter(|r| r["status"] == status).count();
    let logged = |status: &str| lines.iter().filter(|l| l["status"] == status).count();
    assert_eq!(
        logged("draft"),
        count("Draft"),
        "one line per drafted answer"
    );
    assert_eq!(
        logged("conflict"),
        count("Conflict"),
        "and one per conflict"
    );
    assert_eq!(lines.len(), count("Draft") + count("Conflict"));
    let conflict = lines.iter().find(|l| l["status"] == "conflict").unwrap();
    assert_eq!(conflict["questionnaire_answer"], "No");
    assert_eq!(conflict["entry"], "comp-iso27001-certified");
    let mfa = lines.iter().find(|l| l["question_id"] == "ACC-01").unwrap();
    assert_eq!(mfa["entry"], "iam-workforce-mfa");
    assert_eq!(mfa["audience"], "nda");
    assert_eq!(mfa["questionnaire"], "vendor.xlsx");
    assert_eq!(mfa["kb_fingerprint"].as_str().unwrap().len(), 16);
    assert!(mfa["confidence"].as_u64().unwrap() >= 70);
    // Every logged entry was visible to the audience.
    assert!(
        lines.iter().all(|l| l["entry_audience"] != "internal"),
        "{log}"
    );
}

#[test]
fn fill_reads_csv_in_the_encodings_spreadsheet_programs_write() {
    let (_kbdir, kb) = shipped_kb_copy();
    // "rést" folds to "rest" only when the é was decoded right, so the match itself checks the
    // decoding (an unknown word such as "café" would also lower the confidence).
    let text = "Question,Answer,Comment\r\nIs customer data encrypted at rést?,,\r\n";
    let latin1: Vec<u8> = text.chars().map(|c| c as u32 as u8).collect();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let mut utf8_bom = vec![0xEF, 0xBB, 0xBF];
    utf8_bom.extend(text.as_bytes());
    for (name, bytes) in [("latin1", latin1), ("utf16", utf16), ("utf8bom", utf8_bom)] {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join(format!("{name}.csv"));
        std::fs::write(&csv, bytes).unwrap();
        let out = fill(&kb, &csv, &[]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let rows = review_rows(&dir.path().join(format!("{name}.review.xlsx")));
        assert_eq!(rows.len(), 1, "{name}: the header is found, CRLF handled");
        assert!(rows[0]["id"].is_empty());
        let question = cell_dump(&dir.path().join(format!("{name}.filled.xlsx")));
        assert!(
            question
                .values()
                .any(|v| v == "Is customer data encrypted at rést?"),
            "{name}: {question:?}"
        );
        assert_eq!(
            (rows[0]["status"].as_str(), rows[0]["source"].as_str()),
            ("Draft", "crypto-at-rest"),
            "{name}"
        );
    }
}

#[test]
fn matching_on_several_threads_gives_the_same_workbook_as_on_one() {
    let (_kbdir, kb) = shipped_kb_copy();
    let dir = tempfile::tempdir().unwrap();
    // Enough questions that several threads take chunks of work: the labeled set's 180.
    let labels = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/eval/shipped-kb-labels.csv");
    let mut text = String::from("Question,Answer,Comment\n");
    for record in csv::Reader::from_path(labels).unwrap().records() {
        text.push_str(&format!(
            "\"{}\",,\n",
            record.unwrap()[0].replace('"', "\"\"")
        ));
    }
    let input = dir.path().join("many.csv");
    std::fs::write(&input, &text).unwrap();
    let mut dumps = Vec::new();
    for jobs in ["1", "3"] {
        let out = fill(&kb, &input, &["--jobs", jobs, "--force"]);
        assert!(out.status.success(), "{}", stderr(&out));
        dumps.push((
            cell_dump(&dir.path().join("many.filled.xlsx")),
            cell_dump(&dir.path().join("many.review.xlsx")),
        ));
    }
    assert!(
        dumps[0].0.len() > 200,
        "a questionnaire of several chunks: {}",
        dumps[0].0.len()
    );
    assert_eq!(dumps[0], dumps[1]);
}

/// Time passes: the same library, filled on a day more than `--max-age` after its reviews,
/// drafts with 15 points less and says why; the review dates decide, not the machine's clock.
#[test]
fn review_dates_go_stale_as_the_days_pass() {
    let (_kbdir, kb) = shipped_kb_copy();
    let mfa_on = |today: &str| {
        let dir = tempfile::tempdir().unwrap();
        let input = sample_in(dir.path());
        let out = run(trustfill_on(&kb, today).arg("fill").arg(&input));
        assert!(out.status.success(), "{}", stderr(&out));
        let row = review_rows(&dir.path().join("vendor.review.xlsx"))
            .into_iter()
            .find(|r| r["id"] == "ACC-01")
            .unwrap();
        (
            row["confidence"].parse::<i32>().unwrap(),
            row["note"].clone(),
        )
    };
    let (now, now_note) = mfa_on(TODAY);
    let (later, later_note) = mfa_on("2028-03-01");
    assert_eq!(now - later, 15, "{now} then {later}");
    assert!(!now_note.contains("stale"), "{now_note}");
    assert!(
        later_note.contains("stale: iam-workforce-mfa was last reviewed 2026-"),
        "{later_note}"
    );
}

/// Two sheets of questions; the real answer column of "Vendor" is E (its C and D are the
/// customer's own scoring columns), which detection cannot know.
fn two_sheet_workbook(path: &Path) {
    let mut book = rust_xlsxwriter::Workbook::new();
    for name in ["Vendor", "Other"] {
        let ws = book.add_worksheet().set_name(name).unwrap();
        ws.write(0, 0, "Vendor security review 2026").unwrap();
        for (c, h) in [
            "#",
            "Question",
            "Response",
            "Comments",
            "Vendor answer",
            "Vendor notes",
        ]
        .iter()
        .enumerate()
        {
            ws.write(1, c as u16, *h).unwrap();
        }
        for (r, q) in [
            "Is customer data encrypted at rest?",
            "Are backups encrypted?",
            "Do you have a documented incident response plan?",
        ]
        .iter()
        .enumerate()
        {
            ws.write(r as u32 + 2, 0, format!("{}", r + 1)).unwrap();
            ws.write(r as u32 + 2, 1, *q).unwrap();
        }
    }
    book.save(path).unwrap();
}

#[test]
fn inspect_json_lists_every_question_with_its_cells() {
    let dir = tempfile::tempdir().unwrap();
    let input = sample_in(dir.path());
    let out = run(trustfill(dir.path())
        .args(["inspect", "--json"])
        .arg(&input));
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["questions"], sample_question_count());
    let sheet = &doc["sheets"][0];
    assert_eq!(sheet["name"], SHEET);
    assert_eq!(
        (
            sheet["header_row"].as_u64(),
            sheet["question_col"].as_str(),
            sheet["answer_col"].as_str(),
            sheet["comment_col"].as_str(),
            sheet["id_col"].as_str()
        ),
        (Some(5), Some("B"), Some("C"), Some("D"), Some("A"))
    );
    let questions = sheet["questions"].as_array().unwrap();
    assert_eq!(questions.len(), sample_question_count());
    let mfa = &questions[0];
    assert_eq!(mfa["id"], "ACC-01");
    assert_eq!(mfa["answer_cell"], "'Security Questionnaire'!C6");
    assert_eq!(mfa["allowed"], serde_json::json!(["Yes", "No", "N/A"]));
    let formula = questions
        .iter()
        .find(|q| q["id"] == SampleLayout::FORMULA_ANSWER_ID)
        .unwrap();
    assert_eq!(formula["answer_is_formula"], true);
    let answered = questions
        .iter()
        .find(|q| q["id"] == SampleLayout::ANSWERED_ID)
        .unwrap();
    assert_eq!(answered["existing_answer"], SampleLayout::ANSWERED_VALUE);
}

#[test]
fn layout_overrides_choose_the_sheet_header_and_columns() {
    let (_kbdir, kb) = shipped_kb_copy();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("two.xlsx");
    two_sheet_workbook(&input);
    let inspect = |extra: &[&str]| -> serde_json::Value {
        let out = run(trustfill(&kb)
            .args(["inspect", "--json"])
            .arg(&input)
            .args(extra));
        assert!(out.status.success(), "{extra:?}: {}", stderr(&out));
        serde_json::from_str(&stdout(&out)).unwrap()
    };
    let detected = inspect(&[]);
    assert_eq!(detected["questions"], 6, "both sheets: {detected}");
    assert_eq!(detected["sheets"][0]["answer_col"], "C");

    let overrides = [
        "--sheet",
        "Vendor",
        "--header-row",
        "2",
        "--question-col",
        "B",
        "--answer-col",
        "E",
        "--comment-col",
        "f",
    ];
    let chosen = inspect(&overrides);
    assert_eq!(chosen["questions"], 3);
    let sheet = &chosen["sheets"][0];
    assert_eq!(
        (
            sheet["name"].as_str(),
            sheet["header_row"].as_u64(),
            sheet["question_col"].as_str(),
            sheet["answer_col"].as_str(),
            sheet["comment_col"].as_str()
        ),
        (Some("Vendor"), Some(2), Some("B"), Some("E"), Some("F"))
    );

    // fill takes the same overrides: answers land in E and F, nothing in C, D or on "Other".
    let out = fill(&kb, &input, &overrides);
    assert!(out.status.success(), "{}", stderr(&out));
    let before = cell_dump(&input);
    let after = cell_dump(&dir.path().join("two.filled.xlsx"));
    let added: Vec<(String, u32, u32)> = after
        .keys()
        .filter(|k| !before.contains_key(*k))
        .cloned()
        .collect();
    assert!(!added.is_empty());
    for (sheet, row, col) in &added {
        assert_eq!(sheet, "Vendor");
        assert!((2..=4).contains(row), "row {row}");
        assert!(*col == 4 || *col == 5, "column {col}");
    }
}

#[test]
fn bad_layout_overrides_are_refused_before_anything_is_read() {
    let (_kbdir, kb) = shipped_kb_copy();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("two.xlsx");
    two_sheet_workbook(&input);
    for (args, expected) in [
        (vec!["--question-col", "3"], "not a column letter"),
        (vec!["--answer-col", "ABCD"], "not a column letter"),
        (vec!["--header-row", "0"], "counts from 1"),
        (vec!["--sheet", "Nope"], "Nope"),
    ] {
        let out = fill(&kb, &input, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains(expected),
            "{args:?}: {}",
            stderr(&out)
        );
        let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(files.len(), 1, "{args:?} wrote something");
    }
}

/// A policy excerpt that says exactly what is asked is shown to the reviewer, never drafted:
/// excerpts have no approved short answer, even at --min-confidence 0.
#[test]
fn policy_excerpts_are_runner_ups_never_drafts() {
    let policy = "---\nid: backup-policy\ntitle: Backup Policy\naudience: public\nowner: ops@example.com\nreviewed: 2026-06-01\n---\n# Backup Policy\n\n## Are backups encrypted\n\nAre backups encrypted? Every backup is encrypted with AES-256 before it leaves the host.\n";
    let answers = entry(
        "office-hours",
        "What are your office hours?",
        "9 to 5",
        "public",
    );
    let (_kbdir, kb) = temp_kb(&[
        ("policies/backup-policy.md", policy),
        ("answers/a.toml", &answers),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("q.csv");
    std::fs::write(&csv, "Question,Answer,Comment\nAre backups encrypted?,,\n").unwrap();
    let out = run(trustfill(&kb).args(["ask", "--json", "Are backups encrypted?"]));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["matches"][0]["kind"], "policy", "{doc}");
    assert!(
        doc["matches"][0]["confidence"].as_u64().unwrap() >= 50,
        "{doc}"
    );

    assert!(fill(&kb, &csv, &["--min-confidence", "0"]).status.success());
    let row = review_rows(&dir.path().join("q.review.xlsx")).remove(0);
    assert_eq!(row["status"], "Needs answer", "{row:?}");
    assert_eq!((row["answer"].as_str(), row["comment"].as_str()), ("", ""));
    let dump = cell_dump(&dir.path().join("q.review.xlsx"));
    assert!(
        dump.get(&("Review".to_string(), 1, 12))
            .is_some_and(|r| r.starts_with("backup-policy#are-backups-encrypted · ")
                && r.lines().nth(1) == Some("(policy excerpt)")),
        "the excerpt is runner-up 1: {dump:?}"
    );
    let filled = cell_dump(&dir.path().join("q.filled.xlsx"));
    assert!(
        !filled.values().any(|v| v.contains("AES-256")),
        "{filled:?}"
    );
}

/// The review records the questionnaire's hash: if the questionnaire changed after `fill`, the
/// reviewed cells may be the wrong ones, and finalize refuses unless --force.
#[test]
fn finalize_refuses_a_questionnaire_changed_since_fill() {
    let (_kbdir, kb) = shipped_kb_copy();
    let dir = tempfile::tempdir().unwrap();
    let input = sample_in(dir.path());
    assert!(fill(&kb, &input, &[]).status.success());
    let review = dir.path().join("vendor.review.xlsx");
    edit_review(&review, &[(1, 7, "Approved")]);
    // The customer sends a corrected questionnaire under the same name.
    let changed = dir.path().join("changed.xlsx");
    trustfill::xlsx::patch::patch_workbook(
        &input,
        std::fs::File::create(&changed).unwrap(),
        &[trustfill::xlsx::patch::SheetPatch {
            part: "xl/worksheets/sheet3.xml".into(),
            cells: vec![trustfill::xlsx::patch::CellWrite {
                row: 1,
                col: 0,
                text: "Corrected: please answer every question.".into(),
                highlight: false,
                style_like: None,
            }],
        }],
    )
    .unwrap();
    std::fs::rename(&changed, &input).unwrap();
    let out = run(trustfill(&kb).arg("finalize").arg(&review));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("has changed since `fill`") && stderr(&out).contains("--force"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("vendor.final.xlsx").exists());
    let out = run(trustfill(&kb).arg("finalize").arg(&review).arg("--force"));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("vendor.final.xlsx").is_file());
}

/// A follow-up ("If so, please describe") is read with the question above it: drafted with the
/// comment of the entry that answers the question above, and only when that entry also covers
/// what the follow-up adds ("the traffic"); alone, as `ask` sees it, it is never drafted.
#[test]
fn follow_ups_are_answered_from_the_question_above_or_not_at_all() {
    let (_kbdir, kb) = shipped_kb_copy();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("q.csv");
    std::fs::write(
        &csv,
        "ID,Question,Answer\n\
         Q1,Is customer data encrypted at rest?,\n\
         Q2,\"If so, please describe\",\n\
         Q3,Do you have a documented incident response plan?,\n\
         Q4,Describe how the traffic is protected:,\n\
         Q5,Will the product run on our on-premises mainframe?,\n\
         Q6,A brief description:,\n\
         ,Incident Response,\n\
         Q7,A brief description:,\n",
    )
    .unwrap();
    let out = fill(&kb, &csv, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = review_rows(&dir.path().join("q.review.xlsx"));
    let by_id = |id: &str| rows.iter().find(|r| r["id"] == id).unwrap().clone();
    let (q1, q2) = (by_id("Q1"), by_id("Q2"));
    assert_eq!(
        (q1["status"].as_str(), q2["status"].as_str()),
        ("Draft", "Draft")
    );
    assert_eq!(
        q2["source"], q1["source"],
        "the entry that answers the row above"
    );
    let comment = trustfill::kb::KnowledgeBase::load(&kb)
        .unwrap()
        .get(&q1["source"])
        .unwrap()
        .comment
        .clone();
    assert_eq!(
        q2["answer"], comment,
        "a follow-up asks for the description"
    );
    assert!(q2["note"].starts_with("follow-up"), "{q2:?}");
    let q4 = by_id("Q4");
    assert_eq!(q4["status"], "Needs answer", "{q4:?}");
    assert!(q4["note"].contains("traffic"), "{q4:?}");
    let q6 = by_id("Q6");
    assert_eq!(q6["status"], "Needs answer", "{q6:?}");
    // Opening a section, a follow-up is read with the section's label.
    let q7 = by_id("Q7");
    assert!(
        q7["note"].contains("ops-incident-response-plan")
            || q7["source"] == "ops-incident-response-plan",
        "{q7:?}"
    );

    let out = run(trustfill(&kb).args(["ask", "--json", "A brief description:"]));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let best = &doc["matches"][0];
    assert!(best["confidence"].as_u64().unwrap() <= 40, "{doc}");
    assert!(
        best["incomplete"]
            .as_str()
            .unwrap()
            .contains("not a question on its own"),
        "{doc}"
    );
}

/// The review sheet: text longer than a cell may hold (Excel's 32,767 characters, here a CSV
/// question of 40,000) is cut to exactly that with an ellipsis, and the autofilter covers every
/// visible column (A to O; the hidden comment-cell column P is left out).
#[test]
fn review_cells_fit_excel_and_the_filter_covers_the_visible_columns() {
    let (_kbdir, kb) = shipped_kb_copy();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("q.csv");
    let long = format!(
        "Is customer data encrypted at rest? {}",
        "Explain. ".repeat(4_000)
    );
    std::fs::write(
        &csv,
        format!("Question,Answer\n\"{long}\",\nAre backups encrypted?,\n"),
    )
    .unwrap();
    let out = fill(&kb, &csv, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let review = dir.path().join("q.review.xlsx");
    let dump = cell_dump(&review);
    let question = &dump[&("Review".to_string(), 1, 3)];
    assert_eq!(question.chars().count(), 32_767);
    assert!(question.ends_with('…'));
    let sheet = xlsx_part(&review, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains("<autoFilter ref=\"A1:O3\""),
        "{}",
        &sheet[sheet.find("<autoFilter").unwrap_or(0)..][..60]
    );
}

/// One confidence, computed in one place: `ask` and `fill` agree for a fresh, a stale and an
/// undated entry. An entry without a review date is shown as unreviewed but not penalised
/// (a library imported from a spreadsheet has no dates); only a date past --max-age costs 15.
#[test]
fn ask_and_fill_agree_and_undated_entries_are_not_stale() {
    let fresh = entry(
        "enc-rest",
        "Is customer data encrypted at rest?",
        "Yes",
        "public",
    );
    for (answers, note) in [
        (fresh.clone(), None),
        (
            fresh.replace("reviewed = 2026-05-01", "reviewed = 2020-01-01"),
            Some("stale: enc-rest was last reviewed 2020-01-01"),
        ),
        (
            fresh.replace("reviewed = 2026-05-01\n", ""),
            Some("unreviewed: enc-rest has no review date"),
        ),
    ] {
        let (_kbdir, kb) = temp_kb(&[("answers/a.toml", &answers)]);
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("q.csv");
        // Not the entry's words exactly, so that matching (not exact reuse) decides.
        let question = "Is the customer data encrypted at rest?";
        std::fs::write(&csv, format!("Question,Answer,Comment\n{question},,\n")).unwrap();
        assert!(fill(&kb, &csv, &["--min-confidence", "0"]).status.success());
        let row = review_rows(&dir.path().join("q.review.xlsx")).remove(0);
        let out = run(trustfill(&kb).args(["ask", "--json", question]));
        let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        let asked = &doc["matches"][0];
        assert_eq!(
            row["confidence"].parse::<u64>().unwrap(),
            asked["confidence"].as_u64().unwrap(),
            "{note:?}: fill and ask disagree"
        );
        match note {
            Some(n) => assert!(row["note"].contains(n), "{:?}", row["note"]),
            None => assert!(row["note"].is_empty(), "{:?}", row["note"]),
        }
        assert_eq!(
            asked["stale"].is_string(),
            note.is_some_and(|n| n.starts_with("stale"))
        );
    }
}

/// `fill --json` counts every status as the review sheet shows it.
#[test]
fn fill_json_counts_each_status_as_the_review_shows_it() {
    let (_kbdir, kb) = shipped_kb_copy();
    let dir = tempfile::tempdir().unwrap();
    let input = sample_in(dir.path());
    let out = fill(&kb, &input, &["--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let rows = review_rows(&dir.path().join("vendor.review.xlsx"));
    let count = |status: &str| rows.iter().filter(|r| r["status"] == status).count();
    assert_eq!(summary["questions"], rows.len());
    assert_eq!(summary["drafted"], count("Draft"));
    assert_eq!(summary["needs_answer"], count("Needs answer"));
    assert_eq!(summary["kept"], count("Kept"));
    assert_eq!(summary["conflicts"], count("Conflict"));
    assert_eq!(summary["formula"], count("Formula"));
    assert_eq!(
        (count("Kept"), count("Conflict"), count("Formula")),
        (0, 1, 1),
        "the sample: no plain kept row, one conflict, one formula"
    );
}

/// What decides a follow-up's draft, case by case on a small library: the words it adds may be
/// in the entry's comment alone; an entry other than the one answering the row above never
/// describes it, even when it fits the words better.
#[test]
fn a_follow_up_is_described_only_by_the_entry_of_the_row_above() {
    let answers = [
        entry(
            "ir-plan",
            "Is there a documented incident response plan?",
            "Yes",
            "public",
        )
        .replace(
            "comment = \"About Is there a documented incident response plan?\"",
            "comment = \"The plan defines severity levels and escalation contacts.\"",
        ),
        entry("backup-enc", "Do you encrypt backups?", "Yes", "public"),
        entry(
            "backup-schedule",
            "Describe your backup schedule.",
            "Daily",
            "public",
        )
        .replace(
            "comment = \"About Describe your backup schedule.\"",
            "comment = \"Backups run on a daily schedule at 02:00 UTC.\"",
        ),
    ]
    .concat();
    let (_kbdir, kb) = temp_kb(&[("answers/a.toml", &answers)]);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("q.csv");
    std::fs::write(
        &csv,
        "ID,Question,Answer\n\
         Q1,Is there a documented incident response plan?,\n\
         Q2,Describe the severity levels:,\n\
         Q3,Do you encrypt backups?,\n\
         Q4,\"If so, please describe the schedule:\",\n",
    )
    .unwrap();
    assert!(fill(&kb, &csv, &["--min-confidence", "0"]).status.success());
    let rows = review_rows(&dir.path().join("q.review.xlsx"));
    // "severity levels" is in the plan's comment only: still the plan's to describe.
    assert_eq!(
        (rows[1]["status"].as_str(), rows[1]["source"].as_str()),
        ("Draft", "ir-plan"),
        "{:?}",
        rows[1]
    );
    assert_eq!(
        rows[1]["answer"],
        "The plan defines severity levels and escalation contacts."
    );
    // The schedule entry fits "schedule" better, but the row above is about encryption.
    assert_eq!(rows[3]["status"], "Needs answer", "{:?}", rows[3]);
    assert!(rows[3]["note"].contains("follow-up"), "{:?}", rows[3]);
}

/// A dropdown whose list is a defined name (HECVAT's `YesNo`), on a sheet among others, is
/// resolved through the workbook's defined names to its values.
#[test]
fn dropdowns_listed_by_a_defined_name_resolve_to_their_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("named.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet().set_name("Vendor").unwrap();
    for (c, h) in ["ID", "Question", "Answer"].iter().enumerate() {
        ws.write(0, c as u16, *h).unwrap();
    }
    ws.write(1, 0, "Q-1").unwrap();
    ws.write(1, 1, "Is customer data encrypted at rest?")
        .unwrap();
    ws.add_data_validation(
        1,
        2,
        1,
        2,
        &rust_xlsxwriter::DataValidation::new()
            .allow_list_formula(rust_xlsxwriter::Formula::new("=YesNo")),
    )
    .unwrap();
    // A sheet name with an `&`: the defined name's formula has an entity reference in the XML
    // (`'R&amp;D lists'!…`), which the reader must not cut the formula at.
    let lists = book.add_worksheet().set_name("R&D lists").unwrap();
    lists.write(0, 0, "Yes").unwrap();
    lists.write(1, 0, "No").unwrap();
    lists.set_hidden(true);
    book.define_name("YesNo", "='R&D lists'!$A$1:$A$2").unwrap();
    book.save(&path).unwrap();
    let out = run(trustfill(dir.path()).args(["inspect", "--json"]).arg(&path));
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["sheets"].as_array().unwrap().len(), 1, "{doc}");
    assert_eq!(doc["sheets"][0]["name"], "Vendor");
    assert_eq!(
        doc["sheets"][0]["questions"][0]["allowed"],
        serde_json::json!(["Yes", "No"])
    );
}

/// With nothing drafted, `fill` does not speak of highlighted drafts or ask for a review of
/// drafts; it says nothing was drafted and what the review sheet holds instead. Counts are
/// written in the number they need.
#[test]
fn fill_with_nothing_drafted_says_so() {
    let (_kbdir, kb) = shipped_kb_copy();
    let dir = tempfile::tempdir().unwrap();
    let q = dir.path().join("one.csv");
    std::fs::write(&q, "Question,Answer\nIs the cafeteria menu vegetarian?,\n").unwrap();
    let out = fill(&kb, &q, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("1 question in 1 sheet\n"), "{err}");
    assert!(!err.contains("highlighted"), "{err}");
    assert!(!err.contains("set each row's Status"), "{err}");
    assert!(err.contains("nothing was drafted"), "{err}");
}

/// Filling again without --force is refused naming the review workbook, the file that may hold
/// a person's work (it named the filled copy), and a one-question table is "1 question".
#[test]
fn a_second_fill_names_the_review_it_would_replace_and_counts_in_the_right_number() {
    let (_kbdir, kb) = shipped_kb_copy();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("one.csv");
    std::fs::write(&input, "Question,Answer\nDo you encrypt data at rest?,\n").unwrap();
    let out = run(trustfill(&kb).arg("fill").arg(&input));
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("\"one\": 1 question\n"),
        "{}",
        stderr(&out)
    );
    let out = run(trustfill(&kb).arg("fill").arg(&input));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("one.review.xlsx: already exists: the review workbook of an earlier fill, which may hold review work"),
        "{err}"
    );
    assert!(!err.contains("one.filled.xlsx"), "{err}");
}

/// A blank template's placeholders are not answers: the field's label repeated, a date or
/// phone mask, a pointer to the instructions. Their rows are left for an answer, never
/// counted as already answered, and a real answer beside them still is.
#[test]
fn template_placeholders_are_not_already_answered() {
    let (_kbdir, kb) = temp_kb(&[(
        "answers/a.toml",
        &entry(
            "enc",
            "Is customer data encrypted at rest?",
            "Yes",
            "public",
        ),
    )]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blank.xlsx");
    write_rows(
        &path,
        "Sheet1",
        &[
            &["ID", "Question", "Answer"],
            &["GNRL-01", "Vendor Name", "Vendor Name"],
            &["GNRL-02", "Date completed", "mm/dd/yyyy"],
            &["GNRL-03", "Contact Phone Number", "555-555-5555"],
            &[
                "GNRL-04",
                "Solution Description",
                "See Instructions tab for guidance",
            ],
            &["GNRL-05", "Contact Email", "security@example.com"],
            &["DATA-01", "Is customer data encrypted at rest?", "[Select]"],
        ],
    );
    let out = run(trustfill(&kb).arg("inspect").arg(&path));
    assert!(
        stdout(&out).contains("questions   6 (1 already answered"),
        "{}",
        stdout(&out)
    );
    let out = run(trustfill(&kb).arg("fill").arg(&path));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("drafted 1 (") && stderr(&out).contains("already answered 1"),
        "{}",
        stderr(&out)
    );
    let cells = cell_dump(&dir.path().join("blank.filled.xlsx"));
    assert_eq!(
        cells[&("Sheet1".to_string(), 6, 2)],
        "Yes — About Is customer data encrypted at rest?"
    );
}

/// The company profile in trustfill.toml answers the vendor-profile form fields every
/// questionnaire opens with, as exact answers whose source is the file and its line; a field
/// the profile does not give is left for a person, a placeholder in a field is replaced, and
/// learning from the review leaves the profile's rows alone.
#[test]
fn the_company_profile_answers_the_form_fields() {
    let settings = "owner = \"sec@example.com\"\n\n[profile]\ncompany = \"Larkspur Analytics\"\nproduct = \"Larkspur Cloud\"\ncontact_email = \"security@larkspur.example\"\n";
    let (_kbdir, kb) = temp_kb(&[
        (
            "answers/a.toml",
            &entry(
                "enc",
                "Is customer data encrypted at rest?",
                "Yes",
                "public",
            ),
        ),
        ("trustfill.toml", settings),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hecvat.xlsx");
    write_rows(
        &path,
        "Sheet1",
        &[
            &["ID", "Question", "Answer"],
            &["GNRL-01", "Solution Provider Name", "Vendor Name"],
            &["GNRL-02", "Solution Name"],
            &["GNRL-03", "Solution Provider Contact Email"],
            &[
                "GNRL-04",
                "Solution Provider Contact Phone Number",
                "555-555-5555",
            ],
            &["DATA-01", "Is customer data encrypted at rest?"],
        ],
    );
    let out = run(trustfill(&kb).arg("fill").arg(&path));
    assert!(out.status.success(), "{}", stderr(&out));
    let cells = cell_dump(&dir.path().join("hecvat.filled.xlsx"));
    let at = |r: u32| cells.get(&("Sheet1".to_string(), r, 2)).cloned();
    assert_eq!(at(1).as_deref(), Some("Larkspur Analytics"));
    assert_eq!(at(2).as_deref(), Some("Larkspur Cloud"));
    assert_eq!(at(3).as_deref(), Some("security@larkspur.example"));
    assert_eq!(
        at(4).as_deref(),
        Some("555-555-5555"),
        "no phone in the profile"
    );
    let review = dir.path().join("hecvat.review.xlsx");
    let rows = cell_dump(&review);
    let cell = |r: u32, c: u32| rows.get(&("Review".to_string(), r, c)).cloned();
    assert_eq!(cell(1, 8).as_deref(), Some("[profile] company"));
    assert_eq!(cell(1, 9).as_deref(), Some("trustfill.toml:4"));
    assert_eq!(cell(1, 6).as_deref(), Some("99"));
    assert!(
        cell(1, 11).is_some_and(|n| n.contains("from the company profile")),
        "{rows:?}"
    );
    assert_eq!(cell(3, 9).as_deref(), Some("trustfill.toml:6"));
    assert_eq!(cell(4, 7).as_deref(), Some("Needs answer"));

    edit_review(
        &review,
        &[(1, 7, "Approved"), (3, 7, "Approved"), (5, 7, "Approved")],
    );
    let out = run(trustfill(&kb).args(["kb", "learn"]).arg(&review));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&out).contains("not an entry"), "{}", stdout(&out));
    assert!(!stderr(&out).contains("not an entry"), "{}", stderr(&out));
}

/// A bare question list (`ID | Domain | Question Text | Question Type`, no answer column) gets
/// an Answer and a Comment column after its last one; the type column gives each row's
/// allowed answers and is never taken for the answer; finalize writes the headers too.
#[test]
fn a_bare_question_list_gets_answer_and_comment_columns() {
    let answers = [
        entry(
            "enc",
            "Is customer data encrypted at rest?",
            "Yes",
            "public",
        ),
        entry(
            "ret",
            "How long is customer data retained after the contract ends?",
            "30 days",
            "public",
        ),
    ]
    .concat();
    let (_kbdir, kb) = temp_kb(&[("answers/a.toml", &answers)]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("list.xlsx");
    // The header row in the list's own style (bold on a fill), which the added headers take.
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet().set_name("Questions").unwrap();
    let bold = rust_xlsxwriter::Format::new()
        .set_bold()
        .set_background_color(rust_xlsxwriter::Color::RGB(0x1F4E79));
    for (c, h) in ["ID", "Domain", "Question Text", "Question Type"]
        .iter()
        .enumerate()
    {
        ws.write_with_format(0, c as u16, *h, &bold).unwrap();
    }
    for (r, row) in [
        [
            "DP-1",
            "Data",
            "Is customer data encrypted at rest?",
            "Y/N/NA",
        ],
        [
            "DP-2",
            "Data",
            "How long is customer data retained after the contract ends?",
            "Free text",
        ],
    ]
    .iter()
    .enumerate()
    {
        for (c, v) in row.iter().enumerate() {
            ws.write(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    book.save(&path).unwrap();
    let header_style = |file: &Path, a1: &str| {
        let xml = xlsx_part(file, "xl/worksheets/sheet1.xml");
        let cell = cell_xml(&xml, a1).unwrap_or_else(|| panic!("no {a1}"));
        let s = cell.find(" s=\"").map(|i| &cell[i + 4..]).unwrap_or("0\"");
        s[..s.find('"').unwrap()].to_string()
    };
    let original = header_style(&path, "D1");
    assert_ne!(original, "0");
    let out = run(trustfill(&kb).arg("inspect").arg(&path));
    let text = stdout(&out);
    assert!(
        text.contains("answer      E (\"Answer\") (added: the sheet has no such column)"),
        "{text}"
    );
    assert!(
        text.contains("comment     F (\"Comment\") (added: the sheet has no such column)"),
        "{text}"
    );
    assert!(text.contains("0 already answered"), "{text}");

    let out = run(trustfill(&kb).arg("fill").arg(&path));
    assert!(out.status.success(), "{}", stderr(&out));
    let cells = cell_dump(&dir.path().join("list.filled.xlsx"));
    let at = |r: u32, c: u32| cells.get(&("Questions".to_string(), r, c)).cloned();
    assert_eq!(at(0, 4).as_deref(), Some("Answer"));
    assert_eq!(at(0, 5).as_deref(), Some("Comment"));
    let filled = dir.path().join("list.filled.xlsx");
    assert_eq!(
        header_style(&filled, "E1"),
        original,
        "styled like the header"
    );
    assert_eq!(header_style(&filled, "F1"), original);
    assert_eq!(
        at(1, 4).as_deref(),
        Some("Y"),
        "the type column's own option"
    );
    assert_eq!(at(2, 4).as_deref(), Some("30 days"));
    assert_eq!(
        at(1, 3).as_deref(),
        Some("Y/N/NA"),
        "the type column is left alone"
    );

    let review = dir.path().join("list.review.xlsx");
    edit_review(&review, &[(1, 7, "Approved"), (2, 7, "Approved")]);
    let out = run(trustfill(&kb).arg("finalize").arg(&review));
    assert!(out.status.success(), "{}", stderr(&out));
    let cells = cell_dump(&dir.path().join("list.final.xlsx"));
    let at = |r: u32, c: u32| cells.get(&("Questions".to_string(), r, c)).cloned();
    assert_eq!(at(0, 4).as_deref(), Some("Answer"));
    assert_eq!(at(0, 5).as_deref(), Some("Comment"));
    let last = dir.path().join("list.final.xlsx");
    assert_eq!(header_style(&last, "E1"), original);
    assert_eq!(header_style(&last, "F1"), original);
    assert_eq!(at(1, 4).as_deref(), Some("Y"));
}
