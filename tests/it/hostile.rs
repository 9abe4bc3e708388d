//! Files past the documented limits, and decompression bombs: each is refused with exit code 2,
//! a message naming the file (and the cell where there is one) and the flag that raises the
//! limit, and leaves the input untouched and no output behind.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::common::*;

/// A questionnaire of `rows` questions, with one extra cell at `far_col` (0-based) if given.
fn questionnaire(dir: &Path, name: &str, rows: u32, far_col: Option<u16>) -> PathBuf {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write(0, 0, "Question").unwrap();
    ws.write(0, 1, "Answer").unwrap();
    for r in 1..=rows {
        ws.write(
            r,
            0,
            format!("Is customer data encrypted at rest in region {r}?"),
        )
        .unwrap();
    }
    if let Some(col) = far_col {
        ws.write(2, col, "stray note").unwrap();
    }
    let path = dir.join(name);
    book.save(&path).unwrap();
    path
}

#[test]
fn a_sheet_past_the_row_limit_is_refused_naming_the_cell_and_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let input = questionnaire(dir.path(), "long.xlsx", 120, None);
    assert_refused(
        &input,
        &["--max-rows", "100"],
        &["Sheet1!A101", "past the limit of 100 rows", "--max-rows"],
    );
}

#[test]
fn raising_the_row_limit_lets_a_long_sheet_through() {
    let dir = tempfile::tempdir().unwrap();
    let input = questionnaire(dir.path(), "long.xlsx", 120, None);
    let (_kbdir, kb) = shipped_kb_copy();
    let out = run(trustfill(&kb)
        .arg("fill")
        .arg(&input)
        .args(["--max-rows", "200"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("long.filled.xlsx").is_file());
}

#[test]
fn a_sheet_past_the_column_limit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = questionnaire(dir.path(), "wide.xlsx", 5, Some(60));
    assert_refused(
        &input,
        &["--max-columns", "50"],
        &[
            "Sheet1!BI3",
            "past the limit of 50 columns",
            "--max-columns",
        ],
    );
}

#[test]
fn a_csv_past_the_row_limit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("long.csv");
    let mut text = String::from("Question,Answer\n");
    for r in 0..60 {
        text.push_str(&format!("Do you encrypt backups in site {r}?,\n"));
    }
    std::fs::write(&input, text).unwrap();
    assert_refused(
        &input,
        &["--max-rows", "50"],
        &["line 51 is past the limit of 50 rows", "--max-rows"],
    );
}

#[test]
fn a_file_past_the_size_limit_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("big.csv");
    let mut text = String::from("Question,Answer\nDo you encrypt data at rest?,\n");
    text.push_str(&format!("\"{}\",\n", "padding ".repeat(200_000)));
    std::fs::write(&input, text).unwrap();
    assert_refused(
        &input,
        &["--max-file-size", "1"],
        &[
            "the file is 2 MB, over the limit of 1 MB",
            "--max-file-size",
        ],
    );
}

/// A tiny zip whose sheet inflates to `mb` megabytes: a real questionnaire's package with one
/// sheet padded by whitespace, which deflate shrinks about a thousandfold.
fn bomb(dir: &Path, mb: usize) -> PathBuf {
    let plain = questionnaire(dir, "plain.xlsx", 3, None);
    let mut source = zip::ZipArchive::new(std::fs::File::open(&plain).unwrap()).unwrap();
    let path = dir.join("bomb.xlsx");
    let mut out = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..source.len() {
        let mut entry = source.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        out.start_file(name.as_str(), options).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            let text = String::from_utf8(bytes).unwrap();
            let at = text.find("<sheetData>").unwrap() + "<sheetData>".len();
            out.write_all(&text.as_bytes()[..at]).unwrap();
            let padding = vec![b' '; 1024 * 1024];
            for _ in 0..mb {
                out.write_all(&padding).unwrap();
            }
            out.write_all(&text.as_bytes()[at..]).unwrap();
        } else {
            out.write_all(&bytes).unwrap();
        }
    }
    out.finish().unwrap();
    std::fs::remove_file(plain).unwrap();
    path
}

#[test]
fn a_decompression_bomb_is_refused_by_its_expanded_size() {
    let dir = tempfile::tempdir().unwrap();
    let input = bomb(dir.path(), 40);
    let size = std::fs::metadata(&input).unwrap().len();
    assert!(size < 200 * 1024, "the bomb is small on disk: {size} bytes");
    assert_refused(
        &input,
        &["--max-expanded-size", "16"],
        &["unzips to more than 16 MB", "--max-expanded-size"],
    );
}

/// Every prefix a spreadsheet program may take for a formula, in knowledge-base answers and
/// comments, in the questionnaire's own cells, in the review sheet and in `kb export`: written
/// as text, exactly as given.
#[test]
fn text_starting_like_a_formula_is_never_written_as_one() {
    let prefixes = ["=", "+", "-", "@", "\t=", "\r="];
    let mut answers = String::new();
    let mut questions = String::from("Question,Answer,Comment\n");
    for (i, p) in prefixes.iter().enumerate() {
        let topic = [
            "backups", "laptops", "tokens", "invoices", "printers", "badges",
        ][i];
        answers.push_str(&format!(
            "[[answer]]\nid = \"evil-{i}\"\nquestion = \"Are {topic} encrypted?\"\nanswer = {answer:?}\ncomment = {comment:?}\naudience = \"public\"\n\n",
            answer = format!("{p}SUM(1+1)"),
            comment = format!("{p}HYPERLINK(\"http://example.invalid\",\"{topic}\")"),
        ));
        questions.push_str(&format!(
            "\"{}Are {topic} encrypted?\",,\n",
            p.replace('"', "\"\"")
        ));
    }
    let (_kbdir, kb) = temp_kb(&[("answers/evil.toml", &answers)]);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("q.csv");
    std::fs::write(&input, questions).unwrap();
    let out = run(trustfill(&kb)
        .arg("fill")
        .arg(&input)
        .args(["--min-confidence", "0"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let export = dir.path().join("export.xlsx");
    let out = run(trustfill(&kb).args(["kb", "export", "-o"]).arg(&export));
    assert!(out.status.success(), "{}", stderr(&out));
    for file in ["q.filled.xlsx", "q.review.xlsx", "export.xlsx"] {
        let path = dir.path().join(file);
        let sheet = xlsx_part(&path, "xl/worksheets/sheet1.xml");
        assert!(!sheet.contains("<f>"), "{file}: a formula was written");
        let values: Vec<String> = cell_dump(&path).into_values().collect();
        for p in prefixes {
            // The knowledge base trims fields, so a leading tab or CR goes; the `=` stays text.
            let answer = format!("{}SUM(1+1)", p.trim_start());
            assert!(
                values.iter().any(|v| v.starts_with(&answer)),
                "{file}: {p:?} answer kept as text: {values:?}"
            );
        }
    }
}

/// Every command that reads a questionnaire or a review workbook, succeeding or failing, leaves
/// the bytes and the modification time of what it read exactly as they were.
#[test]
fn no_command_ever_modifies_what_it_reads() {
    let (_kbdir, kb) = shipped_kb_copy();
    let (_bad_dir, bad_kb) = temp_kb(&[("answers/a.toml", "[[answer]]\nid = \"x\"\n")]);
    let dir = tempfile::tempdir().unwrap();
    let input = sample_in(dir.path());
    let stamp = |p: &Path| {
        (
            file_hash(p),
            std::fs::metadata(p).unwrap().modified().unwrap(),
        )
    };
    let original = stamp(&input);
    let review = dir.path().join("vendor.review.xlsx");
    // (arguments, whether the command succeeds)
    let steps: Vec<(Vec<&str>, &Path, bool)> = vec![
        (vec!["inspect"], &kb, true),
        (vec!["fill"], &kb, true),
        (vec!["fill"], &kb, false), // outputs exist, no --force
        (vec!["fill", "--force", "--max-rows", "3"], &kb, false),
        (vec!["fill", "--force"], &bad_kb, false),
        (vec!["kb", "import", "--dry-run"], &kb, true),
    ];
    for (args, kb, ok) in &steps {
        let out = run(trustfill(kb).args(args).arg(&input));
        assert_eq!(out.status.success(), *ok, "{args:?}: {}", stderr(&out));
        assert_eq!(
            stamp(&input),
            original,
            "{args:?} changed the questionnaire"
        );
    }
    // A completed questionnaire harvested for real (it adds entries and variants).
    let filled = dir.path().join("vendor.filled.xlsx");
    let harvested = stamp(&filled);
    let kb_before = std::fs::read_dir(kb.join("answers")).unwrap().count();
    let out = run(trustfill(&kb).args(["kb", "import"]).arg(&filled));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::read_dir(kb.join("answers")).unwrap().count() > kb_before,
        "the import wrote: {}",
        stderr(&out)
    );
    assert_eq!(stamp(&filled), harvested, "kb import changed what it read");

    edit_review(&review, &[(1, 7, "Approved")]);
    let reviewed = stamp(&review);
    let final_out = dir.path().join("final.xlsx");
    for args in [
        vec!["kb", "learn", "--dry-run"],
        vec!["kb", "learn"],
        vec!["finalize", "-o", final_out.to_str().unwrap()],
        vec!["finalize", "-o", final_out.to_str().unwrap()], // exists: refused
    ] {
        let out = run(trustfill(&kb).args(&args).arg(&review));
        assert_eq!(stamp(&review), reviewed, "{args:?} changed the review");
        assert_eq!(
            stamp(&input),
            original,
            "{args:?} changed the questionnaire"
        );
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    }
}

/// Inputs the fuzzers found crashing a reader, kept in fixtures/fuzz-regressions/: each is
/// refused cleanly.
#[test]
fn inputs_found_by_fuzzing_are_refused_cleanly() {
    let found = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fuzz-regressions");
    let mut seen = 0;
    for entry in std::fs::read_dir(found).unwrap().flatten() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join(entry.file_name());
        std::fs::copy(entry.path(), &input).unwrap();
        assert_refused(&input, &[], &["damaged"]);
        seen += 1;
    }
    assert!(seen > 0);
}

#[test]
fn damaged_locked_empty_and_questionless_workbooks_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    // Half of a real package: the zip directory at its end is gone.
    let sample = sample_in(dir.path());
    let bytes = std::fs::read(&sample).unwrap();
    std::fs::remove_file(&sample).unwrap();
    let truncated = dir.path().join("truncated.xlsx");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    assert_refused(&truncated, &[], &["not a readable spreadsheet"]);
    std::fs::remove_file(&truncated).unwrap();

    // Excel's "Encrypt with password" (fixtures/legacy/make_encrypted.py).
    let locked = dir.path().join("locked.xlsx");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/legacy/encrypted.xlsx"),
        &locked,
    )
    .unwrap();
    assert_refused(&locked, &[], &["password-protected", "unprotected copy"]);
    std::fs::remove_file(&locked).unwrap();

    // A workbook whose only sheet is empty.
    let empty = dir.path().join("empty.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet();
    book.save(&empty).unwrap();
    assert_refused(&empty, &[], &["no cells with text"]);
    std::fs::remove_file(&empty).unwrap();

    // Text, but nothing that reads as a question column.
    let prices = dir.path().join("prices.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (r, (item, price)) in [("Item", "Price"), ("Widget", "4"), ("Gadget", "7")]
        .iter()
        .enumerate()
    {
        ws.write(r as u32, 0, *item).unwrap();
        ws.write(r as u32, 1, *price).unwrap();
    }
    book.save(&prices).unwrap();
    assert_refused(&prices, &[], &["found no questions"]);
}

/// The same promise through the path that patches the vendor's own workbook: `fill` into an
/// `.xlsx`, then `finalize` of answers a reviewer typed (leading tab and CR included): every
/// written cell is an inline string, never a `<f>`, and reads back as the text given.
#[test]
fn formula_prefixes_stay_text_through_the_xlsx_patch_and_finalize() {
    let prefixes = ["=", "+", "-", "@", "\t=", "\r="];
    let topics = [
        "backups", "laptops", "tokens", "invoices", "printers", "badges",
    ];
    let mut answers = String::new();
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in ["Question", "Answer", "Comment"].iter().enumerate() {
        ws.write(0, c as u16, *h).unwrap();
    }
    for (i, (p, topic)) in prefixes.iter().zip(topics).enumerate() {
        answers.push_str(&format!(
            "[[answer]]\nid = \"evil-{i}\"\nquestion = \"Are {topic} encrypted?\"\nanswer = {answer:?}\ncomment = {comment:?}\naudience = \"public\"\n\n",
            answer = format!("{p}SUM(1+1)"),
            comment = format!("{p}HYPERLINK(\"http://example.invalid\",\"{topic}\")"),
        ));
        ws.write(i as u32 + 1, 0, format!("Are {topic} encrypted?"))
            .unwrap();
    }
    let (_kbdir, kb) = temp_kb(&[("answers/evil.toml", &answers)]);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("q.xlsx");
    book.save(&input).unwrap();
    let out = run(trustfill(&kb)
        .arg("fill")
        .arg(&input)
        .args(["--min-confidence", "0"]));
    assert!(out.status.success(), "{}", stderr(&out));

    let check = |path: &Path, expected: &[String]| {
        let sheet = xlsx_part(path, "xl/worksheets/sheet1.xml");
        assert!(
            !sheet.contains("<f>"),
            "{}: a formula was written",
            path.display()
        );
        let values = cell_dump(path);
        for (r, text) in expected.iter().enumerate() {
            let a1 = format!("B{}", r + 2);
            let cell = cell_xml(&sheet, &a1).unwrap_or_default();
            assert!(cell.contains("t=\"inlineStr\""), "{a1}: {cell}");
            let value = values
                .get(&("Sheet1".to_string(), r as u32 + 1, 1))
                .cloned()
                .unwrap_or_default();
            // XML readers fold a CR into a line feed; the text after it is what matters.
            assert_eq!(
                value.trim_start(),
                text.trim_start(),
                "{}: {a1}",
                path.display()
            );
        }
    };
    // The knowledge base trims its fields, so the tab and CR prefixes arrive as "=".
    let drafted: Vec<String> = prefixes
        .iter()
        .map(|p| format!("{}SUM(1+1)", p.trim_start()))
        .collect();
    check(&dir.path().join("q.filled.xlsx"), &drafted);

    // A reviewer types hostile answers, prefixes as they are, and approves every row.
    let typed: Vec<String> = prefixes
        .iter()
        .map(|p| format!("{p}cmd|' /C calc'!A0"))
        .collect();
    let review = dir.path().join("q.review.xlsx");
    let mut edits: Vec<(u32, u16, &str)> = Vec::new();
    for (i, text) in typed.iter().enumerate() {
        edits.push((i as u32 + 1, 4, text.as_str()));
        edits.push((i as u32 + 1, 7, "Approved"));
    }
    edit_review(&review, &edits);
    let out = run(trustfill(&kb).arg("finalize").arg(&review));
    assert!(out.status.success(), "{}", stderr(&out));
    check(&dir.path().join("q.final.xlsx"), &typed);
}

/// `cmd` run by a shell under `umask 077`, as a careful user's session would be.
#[cfg(unix)]
fn under_umask_077(cmd: &std::process::Command) -> std::process::Command {
    let mut shell = std::process::Command::new("sh");
    shell
        .arg("-c")
        .arg("umask 077; exec \"$@\"")
        .arg("sh")
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(v) => shell.env(key, v),
            None => shell.env_remove(key),
        };
    }
    shell
}

/// The filled questionnaire, the review workbook and the answer log hold confidential answers:
/// under `umask 077` nobody else may read them (they were 0644 whatever the umask).
#[cfg(unix)]
#[test]
fn fill_outputs_follow_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let input = sample_in(dir.path());
    let (_kbdir, kb) = shipped_kb_copy();
    let mut fill = trustfill(&kb);
    fill.arg("fill").arg(&input);
    let out = run(&mut under_umask_077(&fill));
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let mut written = 0;
    for item in std::fs::read_dir(dir.path()).unwrap().flatten() {
        let path = item.path();
        if path == input {
            continue;
        }
        written += 1;
        let mode = item.metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{} is {mode:o}", path.display());
    }
    assert!(written >= 3, "the filled copy, the review and the log");
}

/// `kb import --update` rewrites answers files in place: a file the team made private stays so.
#[cfg(unix)]
#[test]
fn an_updated_answers_file_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let (_kbdir, kb) = temp_kb(&[(
        "answers/soc.toml",
        &entry(
            "soc2-report",
            "Do you have a SOC 2 report?",
            "Yes",
            "public",
        ),
    )]);
    let file = kb.join("answers/soc.toml");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("edit.csv");
    std::fs::write(
        &csv,
        "ID,Question,Answer\nsoc2-report,Do you have a SOC 2 report?,Yes (Type II)\n",
    )
    .unwrap();
    let out = run(trustfill(&kb).args(["kb", "import", "--update"]).arg(&csv));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::read_to_string(&file).unwrap().contains("Type II"));
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}
