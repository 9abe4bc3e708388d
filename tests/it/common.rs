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
    std::fs::copy(
        Path::new(SHIPPED_KB).join("thesaurus.toml"),
        kb.join("thesaurus.toml"),
    )
    .unwrap();
    (dir, kb)
}

/// The `trustfill` binary with a clean environment (no TRUSTFILL_KB from the developer's shell).
pub fn trustfill(kb: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trustfill"));
    cmd.env_remove("TRUSTFILL_KB").arg("--kb").arg(kb);
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

/// An `[[answer]]` table with the given id, question, answer and audience.
pub fn entry(id: &str, question: &str, answer: &str, audience: &str) -> String {
    format!(
        "[[answer]]\nid = \"{id}\"\nquestion = \"{question}\"\nanswer = \"{answer}\"\ncomment = \"About {question}\"\ntags = [\"test\"]\naudience = \"{audience}\"\nowner = \"team@example.com\"\nreviewed = 2026-05-01\n\n"
    )
}
