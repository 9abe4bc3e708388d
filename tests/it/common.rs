//! Shared helpers: a temporary knowledge base, a copy of the shipped one, and running the binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const SHIPPED_KB: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/knowledge-base");

/// A knowledge base in a temporary folder, from `(relative path, contents)` pairs.
pub fn temp_kb(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let kb = dir.path().join("kb");
    for (rel, text) in files {
        let path = kb.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    (dir, kb)
}

/// A private copy of the shipped knowledge base, so tests never share an index folder.
pub fn shipped_kb_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let kb = dir.path().join("kb");
    for sub in ["answers", "policies"] {
        std::fs::create_dir_all(kb.join(sub)).unwrap();
        for item in std::fs::read_dir(Path::new(SHIPPED_KB).join(sub)).unwrap() {
            let item = item.unwrap();
            if item.path().is_file() {
                std::fs::copy(item.path(), kb.join(sub).join(item.file_name())).unwrap();
            }
        }
    }
    let thesaurus = Path::new(SHIPPED_KB).join("thesaurus.toml");
    if thesaurus.is_file() {
        std::fs::copy(thesaurus, kb.join("thesaurus.toml")).unwrap();
    }
    (dir, kb)
}

/// The day every test runs on (`TRUSTFILL_TODAY`): after the shipped knowledge base's last review and
/// within a year of its first, so no result depends on the machine's clock. Tests about
/// staleness pass a later day of their own.
pub const TODAY: &str = "2026-11-02";

/// A data folder that holds nothing (and is never created): no installed model.
pub fn no_home() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-trustfill-home")
}

/// The `trustfill` binary with a clean environment (no TRUSTFILL_KB or TRUSTFILL_MODEL from the
/// developer's shell, no installed model, no fault injection) and today pinned to [`TODAY`].
pub fn trustfill(kb: &Path) -> Command {
    trustfill_on(kb, TODAY)
}

/// [`trustfill`] on another day.
pub fn trustfill_on(kb: &Path, today: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trustfill"));
    cmd.env_remove("TRUSTFILL_KB")
        .env_remove("TRUSTFILL_FAULT")
        .env_remove("TRUSTFILL_MODEL")
        .env_remove("HF_ENDPOINT")
        // An empty data folder: a model the developer installed never changes a result.
        .env("TRUSTFILL_HOME", no_home())
        .arg("--kb")
        .arg(kb)
        .env("TRUSTFILL_TODAY", today);
    cmd
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().expect("trustfill runs")
}

pub fn run_with_stdin(cmd: &mut Command, input: &str) -> Output {
    use std::io::Write;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("trustfill runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A public entry and an NDA entry on the same topic, for audience tests.
pub fn soc_answers(public_id: &str) -> String {
    [
        entry(public_id, "Do you have a SOC 2 report?", "Yes", "public"),
        entry(
            "soc2-auditor",
            "Which firm audits your SOC 2 report?",
            "Example LLP",
            "nda",
        ),
    ]
    .concat()
}

/// An `[[answer]]` table with the given id, question, answer and audience.
pub fn entry(id: &str, question: &str, answer: &str, audience: &str) -> String {
    format!(
        "[[answer]]\nid = \"{id}\"\nquestion = \"{question}\"\nanswer = \"{answer}\"\ncomment = \"About {question}\"\ntags = [\"test\"]\naudience = \"{audience}\"\nowner = \"team@example.com\"\nreviewed = 2026-05-01\n\n"
    )
}

/// The entry of the tests' standard near miss: "Do you maintain an inventory of IoT devices?"
/// is on its topic but asks about something it never mentions.
pub fn asset_inventory() -> String {
    entry(
        "asset-inventory",
        "Do you maintain an inventory of hardware and software assets?",
        "Yes",
        "public",
    )
}

/// Every non-empty cell of every sheet, as `(sheet, row, col) → text`, read with calamine.
pub fn cell_dump(path: &Path) -> std::collections::BTreeMap<(String, u32, u32), String> {
    let mut out = std::collections::BTreeMap::new();
    for sheet in trustfill::workbook::read(path, &Default::default()).unwrap() {
        for (r, row) in sheet.rows.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                if !text.is_empty() {
                    out.insert(
                        (
                            sheet.name.clone(),
                            sheet.first_row + r as u32,
                            sheet.first_col + c as u32,
                        ),
                        text.clone(),
                    );
                }
            }
        }
    }
    out
}

/// One part of an xlsx package as text.
pub fn xlsx_part(path: &Path, part: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name(part)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// The `<c>` element of a cell (`C25`) in a sheet part's XML, if present.
pub fn cell_xml(sheet_xml: &str, a1: &str) -> Option<String> {
    let start = sheet_xml.find(&format!("<c r=\"{a1}\""))?;
    let rest = &sheet_xml[start..];
    let self_closing = rest.find("/>").unwrap_or(usize::MAX);
    let closing = rest.find("</c>").map_or(usize::MAX, |i| i + 4);
    let open_end = rest.find('>').unwrap_or(0);
    let end = if self_closing < open_end + 1 {
        self_closing + 2
    } else {
        closing
    };
    Some(rest[..end].to_string())
}

/// Copy the generated sample questionnaire into `dir`.
pub fn sample_in(dir: &Path) -> PathBuf {
    let path = dir.join("vendor.xlsx");
    crate::fixtures::sample_questionnaire(&path);
    path
}

pub fn file_hash(path: &Path) -> String {
    trustfill::hash::hash_bytes(&std::fs::read(path).unwrap())
}

/// Runs `fill` on `input` and checks the refusal: exit 2, every `expect` in the error, a hint,
/// no panic, the input unchanged and nothing else written beside it.
pub fn assert_refused(input: &Path, extra: &[&str], expect: &[&str]) {
    let (_kbdir, kb) = shipped_kb_copy();
    let before = file_hash(input);
    let listing = |dir: &Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let dir = input.parent().unwrap();
    let files_before = listing(dir);
    let out = run(trustfill(&kb).arg("fill").arg(input).args(extra));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for e in expect {
        assert!(err.contains(e), "expected {e:?} in: {err}");
    }
    let name = input.file_name().unwrap().to_string_lossy();
    assert!(err.contains(name.as_ref()), "the file is named: {err}");
    assert!(err.contains("hint:"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(file_hash(input), before, "the input is never modified");
    assert_eq!(listing(dir), files_before, "no output or temporary file");
}

/// Every part of a zip package, by name, as bytes.
pub fn package_parts(path: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut parts = std::collections::BTreeMap::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        parts.insert(entry.name().unwrap().to_string(), bytes);
    }
    parts
}

/// A sheet part's XML with the `<c>` elements of `cells` (`"C2"`) taken out, so that two
/// versions can be compared everywhere else.
pub fn without_cells(sheet_xml: &str, cells: &[String]) -> String {
    let mut out = sheet_xml.to_string();
    for a1 in cells {
        if let Some(cell) = cell_xml(&out, a1) {
            out = out.replacen(&cell, "", 1);
        }
    }
    out
}

/// The attribute `name` of the first element in `xml` (an element's own text).
fn attribute(element: &str, name: &str) -> Option<String> {
    let start = element.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = element[start..].find('"')?;
    Some(element[start..start + end].to_string())
}

/// The direct children named `child` of the first `<parent>` element of `xml`, as text.
fn children(xml: &str, parent: &str, child: &str) -> Vec<String> {
    let Some(start) = xml.find(&format!("<{parent}")) else {
        return Vec::new();
    };
    let end = xml[start..]
        .find(&format!("</{parent}>"))
        .map_or(xml.len(), |e| start + e);
    let body = &xml[start..end];
    let open = format!("<{child}");
    let mut out = Vec::new();
    let mut rest = body[1..].find(&open).map(|i| &body[i + 1..]);
    while let Some(text) = rest {
        let tail = &text[open.len()..];
        let self_closing = tail.find("/>").filter(|&i| !tail[..i].contains('>'));
        let len = match self_closing {
            Some(i) => open.len() + i + 2,
            None => text
                .find(&format!("</{child}>"))
                .map_or(text.len(), |i| i + child.len() + 3),
        };
        out.push(text[..len].to_string());
        rest = text[len..].find(&open).map(|i| &text[len + i..]);
    }
    out
}

/// The RGB of the solid fill a cell's style uses, if any: the cell's `s` → `cellXfs` → `fills`.
pub fn cell_fill_rgb(xlsx: &Path, part: &str, a1: &str) -> Option<String> {
    let sheet = xlsx_part(xlsx, part);
    let cell = cell_xml(&sheet, a1)?;
    let open = &cell[..cell.find('>')?];
    let style: usize = attribute(open, "s").map_or(0, |s| s.parse().unwrap());
    let styles = xlsx_part(xlsx, "xl/styles.xml");
    let xf = children(&styles, "cellXfs", "xf").into_iter().nth(style)?;
    let fill_id: usize = attribute(&xf, "fillId")?.parse().ok()?;
    let fill = children(&styles, "fills", "fill")
        .into_iter()
        .nth(fill_id)?;
    attribute(&fill, "rgb")
}

/// Edit a review workbook as a reviewer would: `(row, column, text)` on the Review sheet, rows
/// 1-based below the header, columns 0-based (see `trustfill::fill::review::Col`).
pub fn edit_review(review: &Path, edits: &[(u32, u16, &str)]) {
    let cells = edits
        .iter()
        .map(|(row, col, text)| trustfill::xlsx::patch::CellWrite {
            row: *row,
            col: u32::from(*col),
            text: text.to_string(),
            highlight: false,
            style_like: None,
        })
        .collect();
    let tmp = review.with_extension("tmp.xlsx");
    trustfill::xlsx::patch::patch_workbook(
        review,
        std::fs::File::create(&tmp).unwrap(),
        &[trustfill::xlsx::patch::SheetPatch {
            part: "xl/worksheets/sheet1.xml".into(),
            cells,
        }],
    )
    .unwrap();
    std::fs::rename(tmp, review).unwrap();
}

/// Make a FIFO at `path` (unix `mkfifo`).
#[cfg(unix)]
pub fn make_fifo(path: &Path) {
    assert!(
        Command::new("mkfifo")
            .arg(path)
            .status()
            .expect("mkfifo runs")
            .success()
    );
}

/// Run `cmd`, failing the test if it has not finished within `secs` seconds (a command that
/// opens a FIFO for reading waits forever; the test must say so rather than hang).
pub fn run_within(cmd: &mut Command, secs: u64) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("trustfill runs");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("still running after {secs} s: it waited on something it should refuse");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// A one-sheet workbook at `path` whose sheet is `sheet`, each row's non-empty cells written
/// as text.
pub fn write_rows(path: &Path, sheet: &str, rows: &[&[&str]]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name(sheet).unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate().filter(|(_, t)| !t.is_empty()) {
            ws.write(r as u32, c as u16, *text).unwrap();
        }
    }
    wb.save(path).unwrap();
}

/// The rows of a review workbook, read as finalize reads them.
pub fn review_rows_of(review: &Path) -> Vec<trustfill::fill::review::ReviewedRow> {
    trustfill::fill::review::read_review(review).unwrap().rows
}
