//! Killed mid-edit: `kb add` rewrites a large answers file through a temporary file and a
//! rename. Killing it at every moment of its run (spread over the time one complete run takes)
//! must leave the file either exactly as it was or exactly as a complete run writes it, the
//! knowledge base loadable, and the lock free for the next command.

use std::path::Path;
use std::process::Stdio;
use std::time::Instant;

use crate::common::*;

/// An answers file of `n` entries (about 300 bytes each).
fn big_answers(n: usize) -> String {
    let mut text = String::from("# A large library, to make the rewrite take a while.\n\n");
    for i in 0..n {
        text.push_str(&format!(
            "[[answer]]\nid = \"control-{i}\"\nquestion = \"Is control number {i} of the baseline implemented and monitored?\"\nanswer = \"Yes\"\ncomment = \"Control {i} is implemented across production and checked by automated monitoring every day.\"\naudience = \"public\"\n\n"
        ));
    }
    text
}

fn kb_add(kb: &Path) -> std::process::Command {
    let mut cmd = trustfill(kb);
    cmd.args([
        "kb",
        "add",
        "--question",
        "Do you support SCIM provisioning?",
        "--answer",
        "Yes",
        "--audience",
        "public",
        "--file",
        "answers/big.toml",
    ]);
    cmd
}

#[test]
fn killing_kb_add_at_any_moment_leaves_the_old_or_the_new_library() {
    let before = big_answers(400);
    let (_dir, kb) = temp_kb(&[("answers/big.toml", &before)]);
    let file = kb.join("answers/big.toml");

    // One complete run: what the file becomes, and how long the command takes.
    let start = Instant::now();
    let out = run(&mut kb_add(&kb));
    let full = start.elapsed();
    assert!(out.status.success(), "{}", stderr(&out));
    let after = std::fs::read_to_string(&file).unwrap();
    assert_ne!(after, before);

    let steps = 16;
    let (mut old, mut new) = (0, 0);
    for k in 0..steps {
        std::fs::write(&file, &before).unwrap();
        let mut child = kb_add(&kb)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(full.mul_f64(f64::from(k) / f64::from(steps)));
        let _ = child.kill(); // SIGKILL: no destructor, no cleanup runs
        let _ = child.wait();
        let now = std::fs::read_to_string(&file).unwrap();
        if now == before {
            old += 1;
        } else {
            assert_eq!(
                now, after,
                "killed after {k}/{steps} of a run: a half-written file"
            );
            new += 1;
        }
        trustfill::kb::KnowledgeBase::load(&kb).expect("the library still loads");
    }
    assert!(
        old > 0,
        "some kills land before the rename ({old} old, {new} new)"
    );

    // Nothing stays locked or broken: the next edit and the next question just work.
    std::fs::write(&file, &before).unwrap();
    let out = run(&mut kb_add(&kb));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), after);
    let out = run(trustfill(&kb).args(["ask", "Do you support SCIM provisioning?"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Yes"), "{}", stdout(&out));
}

/// Every file under `dir` but the index cache and our own temporary files (`.trustfill-*.tmp`,
/// which no loader reads), by path relative to `dir`.
fn snapshot(dir: &Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for item in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = item.path();
            let name = item.file_name().to_string_lossy().into_owned();
            if name == ".trustfill-index"
                || (name.starts_with(".trustfill-") && name.ends_with(".tmp"))
            {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().to_path_buf();
                files.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// Runs `cmd` with a crash injected at `point` and checks that it died there.
fn crash_at(cmd: &mut std::process::Command, point: &str) {
    let out = run(cmd.env("TRUSTFILL_FAULT", point));
    let err = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(trustfill::fault::CRASH_EXIT),
        "{point}: the command ran past the fault point: {err}"
    );
    assert!(
        err.contains(&format!(
            "injected crash at {}",
            point.split('@').next().unwrap()
        )),
        "{err}"
    );
}

/// A crash while a knowledge-base file is written (half of it on disk) or just before it is
/// renamed into place leaves every file of the library as it was, the library loadable and the
/// lock free: for `kb add`, `kb learn` (variants edited in place and a new learned.toml) and
/// `kb import` (a library and a completed questionnaire).
#[test]
fn a_crash_while_writing_the_knowledge_base_leaves_it_as_it_was() {
    let work = tempfile::tempdir().unwrap();
    let input = sample_in(work.path());
    let library = work.path().join("library.csv");
    std::fs::write(
        &library,
        "Question,Answer,Audience\nDo you support SCIM provisioning?,Yes,public\n",
    )
    .unwrap();
    for point in ["write", "rename"] {
        let (_dir, kb) = shipped_kb_copy();
        // A reviewed questionnaire that teaches a variant and a hand-written answer.
        let out = run(trustfill(&kb).arg("fill").arg(&input).arg("--force"));
        assert!(out.status.success(), "{}", stderr(&out));
        let review = work.path().join("vendor.review.xlsx");
        // The filled copy doubles as a completed questionnaire: harvesting it adds variants and
        // new entries.
        let filled = work.path().join("vendor.filled.xlsx");
        edit_review(
            &review,
            &[
                (1, 7, "Approved"),
                (13, 4, "No"),
                (13, 5, "We do not support mainframes."),
                (13, 7, "Approved"),
            ],
        );
        let before = snapshot(&kb);
        let commands: Vec<(&str, Vec<&std::ffi::OsStr>)> = vec![
            (
                "kb add",
                [
                    "kb",
                    "add",
                    "--question",
                    "Do you support SCIM provisioning?",
                    "--answer",
                    "Yes",
                    "--audience",
                    "public",
                    "--file",
                    "answers/access.toml",
                ]
                .iter()
                .map(std::ffi::OsStr::new)
                .collect(),
            ),
            (
                "kb learn",
                vec!["kb".as_ref(), "learn".as_ref(), review.as_os_str()],
            ),
            (
                "kb import (library)",
                vec!["kb".as_ref(), "import".as_ref(), library.as_os_str()],
            ),
            (
                "kb import (completed)",
                vec!["kb".as_ref(), "import".as_ref(), filled.as_os_str()],
            ),
        ];
        for (what, args) in &commands {
            crash_at(trustfill(&kb).args(args), point);
            assert!(
                snapshot(&kb) == before,
                "{what}, crash at {point}: the knowledge base changed"
            );
            trustfill::kb::KnowledgeBase::load(&kb).expect("the library still loads");
        }
        // The lock went with the process: the same commands now succeed and change the library.
        for (what, args) in &commands[..2] {
            let out = run(trustfill(&kb).args(args));
            assert!(out.status.success(), "{what}: {}", stderr(&out));
        }
        assert!(snapshot(&kb) != before);
    }
}

/// A crash while `fill` or `finalize` writes leaves no output, or the earlier output intact when
/// it was being replaced; nothing half-written takes an output's name.
#[test]
fn a_crash_while_writing_outputs_leaves_no_half_written_file() {
    let (_dir, kb) = shipped_kb_copy();
    let work = tempfile::tempdir().unwrap();
    let input = sample_in(work.path());
    for point in ["write", "rename"] {
        crash_at(trustfill(&kb).arg("fill").arg(&input), point);
        assert_eq!(
            snapshot(work.path()).keys().collect::<Vec<_>>(),
            [Path::new("vendor.xlsx")],
            "crash at {point}: an output appeared"
        );
    }
    assert!(run(trustfill(&kb).arg("fill").arg(&input)).status.success());
    let review = work.path().join("vendor.review.xlsx");
    edit_review(&review, &[(1, 7, "Approved")]);
    assert!(
        run(trustfill(&kb).arg("finalize").arg(&review))
            .status
            .success()
    );
    let before = snapshot(work.path());
    for point in ["write", "rename", "rename@2", "rename@3"] {
        crash_at(trustfill(&kb).arg("fill").arg(&input).arg("--force"), point);
        let after = snapshot(work.path());
        // Files renamed before the crash are complete new ones; the rest are the old ones.
        for (name, bytes) in &before {
            if &after[name] == bytes {
                continue;
            }
            let path = work.path().join(name);
            match name.extension().and_then(|e| e.to_str()) {
                Some("xlsx") if name != Path::new("vendor.final.xlsx") => {
                    assert!(!cell_dump(&path).is_empty(), "{}", name.display())
                }
                Some("jsonl") => {
                    for line in std::fs::read_to_string(&path).unwrap().lines() {
                        serde_json::from_str::<serde_json::Value>(line).unwrap();
                    }
                }
                _ => panic!("fill, crash at {point}: {} changed", name.display()),
            }
        }
        crash_at(
            trustfill(&kb).arg("finalize").arg(&review).arg("--force"),
            point.split('@').next().unwrap(),
        );
        assert!(
            snapshot(work.path())[Path::new("vendor.final.xlsx")]
                == before[Path::new("vendor.final.xlsx")],
            "finalize, crash at {point}: the file to send changed"
        );
    }
}

/// A `fill` that fails while writing (here an injected error at each step) leaves nothing at
/// all behind: no output, no temporary file.
#[test]
fn a_failed_fill_leaves_nothing_behind() {
    let (_dir, kb) = shipped_kb_copy();
    let work = tempfile::tempdir().unwrap();
    let input = sample_in(work.path());
    for point in ["write", "rename", "rename@2", "rename@3"] {
        let out = run(trustfill(&kb)
            .arg("fill")
            .arg(&input)
            .env("TRUSTFILL_FAULT", format!("{point}:error")));
        assert_eq!(out.status.code(), Some(2), "{point}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("injected failure"),
            "{}",
            stderr(&out)
        );
        let left: Vec<String> = std::fs::read_dir(work.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, ["vendor.xlsx"], "{point}:error left files behind");
    }
}

/// The `write` fault leaves what a crash mid-write leaves: a temporary file holding part of
/// the new content, more than nothing and less than all of it (the crash tests rely on it to
/// show that loaders never read such a file).
#[test]
fn a_crash_mid_write_leaves_part_of_a_temporary_file() {
    let (_dir, kb) = temp_kb(&[("answers/access.toml", &big_answers(40))]);
    let (_dir2, whole) = temp_kb(&[("answers/access.toml", &big_answers(40))]);
    let out = run(&mut kb_add(&whole));
    assert!(out.status.success(), "{}", stderr(&out));
    let full = std::fs::metadata(whole.join("answers/access.toml"))
        .unwrap()
        .len();
    crash_at(&mut kb_add(&kb), "write");
    let leftovers: Vec<u64> = std::fs::read_dir(kb.join("answers"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".trustfill-"))
        .map(|e| e.metadata().unwrap().len())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    assert!(
        leftovers[0] > 1 && leftovers[0] < full,
        "a part of {full} bytes: {leftovers:?}"
    );
}
