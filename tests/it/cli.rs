//! The command line itself: shell completions, the manual page, help and refusals of paths.

use crate::common::*;

/// Completions and the manual page come from the clap definitions: every command is in them.
#[test]
fn completions_and_the_manual_page_cover_every_command() {
    let kb = std::path::Path::new("unused");
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = run(trustfill(kb).args(["completions", shell]));
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        for word in ["finalize", "inspect", "min-confidence", "approve"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    let out = run(trustfill(kb).arg("man"));
    assert!(out.status.success(), "{}", stderr(&out));
    let page = stdout(&out);
    assert!(
        page.starts_with(".ie") || page.contains(".TH trustfill 1"),
        "{page}"
    );
    for section in [
        ".SH \"TRUSTFILL FILL\"",
        ".SH \"TRUSTFILL KB LEARN\"",
        ".SH \"TRUSTFILL MODEL INSTALL\"",
    ] {
        assert!(page.contains(section), "the page lacks {section}");
    }
    assert!(page.contains("min\\-confidence"), "options are listed");
    let out = run(trustfill(kb).args(["completions", "tcsh"]));
    assert_eq!(out.status.code(), Some(2));
}

/// `inspect --help` lists its own options under Options, not under the limits' heading.
#[test]
fn help_groups_each_option_under_its_own_heading() {
    let out = run(trustfill(std::path::Path::new("unused")).args(["inspect", "--help"]));
    let help = stdout(&out);
    let limits = help.find("Limits:").expect("a Limits section");
    for option in ["--show", "--json"] {
        let at = help.find(option).unwrap();
        assert!(at < limits, "{option} is listed under Limits:\n{help}");
    }
    let out = run(trustfill(std::path::Path::new("unused")).args(["eval", "--help"]));
    let help = stdout(&out);
    assert_eq!(help.matches("[default: internal]").count(), 1, "{help}");
}

/// A missing file says so and lists what is beside it; a folder is not a file; an empty file's
/// hint is about the empty file, not passwords.
#[test]
fn refusals_give_a_hint_for_their_own_cause() {
    let (_kbdir, kb) = shipped_kb_copy();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("vendor-2026.xlsx"), b"").unwrap();
    let out = run(trustfill(&kb)
        .arg("fill")
        .arg(dir.path().join("vendor-2025.xlsx")));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("vendor-2025.xlsx does not exist"), "{err}");
    assert!(
        err.contains("hint: check the path;") && err.contains("vendor-2026.xlsx"),
        "{err}"
    );

    let out = run(trustfill(&kb).arg("fill").arg(dir.path()));
    let err = stderr(&out);
    assert!(
        err.contains("is a folder, not a file") && err.contains("hint: pass the file inside it"),
        "{err}"
    );

    let out = run(trustfill(&kb)
        .arg("fill")
        .arg(dir.path().join("vendor-2026.xlsx")));
    let err = stderr(&out);
    assert!(err.contains("the file is empty (0 bytes)"), "{err}");
    assert!(err.contains("hint: the file has nothing in it"), "{err}");
    assert!(!err.contains("password"), "{err}");
}
