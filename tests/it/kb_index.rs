use crate::common::*;

fn indexed(out: &std::process::Output) -> bool {
    stderr(out).contains("indexed ")
}

#[test]
fn index_is_built_once_and_rebuilt_when_the_knowledge_base_changes() {
    let (_dir, kb) = temp_kb(&[(
        "answers/a.toml",
        &entry("first", "Do you rotate keys?", "Yes", "public"),
    )]);
    let first = run(trustfill(&kb).args(["ask", "rotate keys"]));
    assert!(
        first.status.success() && indexed(&first),
        "{}",
        stderr(&first)
    );
    let second = run(trustfill(&kb).args(["ask", "rotate keys"]));
    assert!(
        second.status.success() && !indexed(&second),
        "an up-to-date index is reused: {}",
        stderr(&second)
    );

    // Editing a file makes the index stale; the next command rebuilds it and sees the change.
    let more = format!(
        "{}{}",
        entry("first", "Do you rotate keys?", "Yes", "public"),
        entry("second", "Do you scan for malware?", "Yes", "public")
    );
    std::fs::write(kb.join("answers/a.toml"), more).unwrap();
    let third = run(trustfill(&kb).args(["ask", "--json", "scan for malware"]));
    assert!(indexed(&third), "{}", stderr(&third));
    assert!(stdout(&third).contains("\"second\""), "{}", stdout(&third));

    // Only the current index folder is kept.
    let folders: Vec<_> = std::fs::read_dir(kb.join(".trustfill-index"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .collect();
    assert_eq!(folders.len(), 1);
    assert!(kb.join(".trustfill-index/.gitignore").is_file());
}

#[test]
fn kb_index_forces_a_rebuild() {
    let (_dir, kb) = temp_kb(&[(
        "answers/a.toml",
        &entry("only", "Do you rotate keys?", "Yes", "public"),
    )]);
    assert!(indexed(&run(trustfill(&kb).args(["kb", "index"]))));
    assert!(indexed(&run(trustfill(&kb).args(["kb", "index"]))));
}

#[test]
fn a_damaged_index_is_rebuilt_not_trusted() {
    let (_dir, kb) = temp_kb(&[(
        "answers/a.toml",
        &entry("only", "Do you rotate keys?", "Yes", "public"),
    )]);
    assert!(run(trustfill(&kb).args(["kb", "index"])).status.success());
    let folder = std::fs::read_dir(kb.join(".trustfill-index"))
        .unwrap()
        .flatten()
        .find(|e| e.path().is_dir())
        .unwrap()
        .path();
    for file in std::fs::read_dir(&folder).unwrap().flatten() {
        if file.file_name() != "READY" {
            std::fs::write(file.path(), b"garbage").unwrap();
        }
    }
    let out = run(trustfill(&kb).args(["ask", "--json", "rotate keys"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(indexed(&out), "{}", stderr(&out));
    assert!(stdout(&out).contains("\"only\""));
}

#[test]
fn concurrent_first_runs_all_succeed() {
    let (_dir, kb) = shipped_kb_copy();
    let children: Vec<_> = (0..4)
        .map(|_| {
            trustfill(&kb)
                .args(["ask", "--json", "Is MFA enforced?"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            stdout(&out).contains("iam-workforce-mfa"),
            "{}",
            stdout(&out)
        );
    }
}

/// The knowledge base's thesaurus is part of the index's stamp: adding a synonym rebuilds the
/// index, and an entry indexed under the old vocabulary is found under the new one.
#[test]
fn editing_the_thesaurus_rebuilds_the_index() {
    let (_dir, kb) = temp_kb(&[(
        "answers/a.toml",
        &entry("frob", "Do you use Frobnitz for sign-in?", "Yes", "public"),
    )]);
    let ask = || run(trustfill(&kb).args(["ask", "--json", "Quuxly"]));
    let first = ask();
    assert!(indexed(&first), "{}", stderr(&first));
    assert!(!stdout(&first).contains("\"frob\""), "{}", stdout(&first));
    assert!(!indexed(&ask()), "reused while nothing changed");

    std::fs::write(
        kb.join("thesaurus.toml"),
        "[[synonyms]]\nterms = [\"Quuxly\", \"Frobnitz\"]\n",
    )
    .unwrap();
    let after = ask();
    assert!(indexed(&after), "the thesaurus changed: {}", stderr(&after));
    assert!(stdout(&after).contains("\"frob\""), "{}", stdout(&after));
}

/// Two readers open the index again and again while a third keeps rewriting an answers file
/// (each rewrite a new fingerprint, so each build prunes the folders before it). A reader must
/// never find its folder pruned from under it: before pruning waited for readers, about one
/// open in 300 failed with "meta.json" missing or "cannot remove the damaged index".
#[test]
fn opening_the_index_never_fails_while_the_library_is_edited() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let (_dir, kb) = temp_kb(&[
        (
            "answers/a.toml",
            &entry(
                "mfa",
                "Is MFA enforced for administrators?",
                "Yes",
                "public",
            ),
        ),
        (
            "answers/b.toml",
            &entry("backup", "Do you back up customer data?", "Yes", "public"),
        ),
    ]);
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (kb, stop) = (kb.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0_u32;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let text = entry(
                    "backup",
                    &format!("Do you back up customer data (edit {n})?"),
                    "Yes",
                    "public",
                );
                trustfill::atomic::write(&kb.join("answers/b.toml"), text.as_bytes()).unwrap();
                std::thread::sleep(std::time::Duration::from_millis(3));
            }
            n
        })
    };
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let kb = kb.clone();
            std::thread::spawn(move || {
                let mut failures = Vec::new();
                for _ in 0..150 {
                    if let Err(e) = trustfill::index::KbIndex::open(&kb) {
                        failures.push(e.to_string());
                    }
                }
                failures
            })
        })
        .collect();
    let failures: Vec<String> = readers
        .into_iter()
        .flat_map(|r| r.join().unwrap())
        .collect();
    stop.store(true, Ordering::Relaxed);
    let edits = writer.join().unwrap();
    assert!(
        edits > 10,
        "the library was edited during the opens ({edits})"
    );
    assert!(
        failures.is_empty(),
        "{} of 300 opens failed: {:?}",
        failures.len(),
        &failures[..failures.len().min(3)]
    );
}
