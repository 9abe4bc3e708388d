use crate::common::*;

#[test]
fn broken_answer_file_is_reported_with_file_line_and_hint() {
    let good = entry("ok-entry", "Do you log access?", "Yes", "public");
    let bad = "[[answer]]\nid = \"bad-entry\"\nquestion = \"Q?\"\nanswer = \"Yes\"\naudience = \"public\"\nanwser = \"typo\"\n";
    let (_dir, kb) = temp_kb(&[("answers/good.toml", &good), ("answers/bad.toml", bad)]);
    let out = run(trustfill(&kb).args(["ask", "logging"]));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("answers/bad.toml:6: unknown field `anwser`"),
        "{err}"
    );
    assert!(err.contains("hint: fix the lines above"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn all_problems_are_reported_at_once() {
    let one = entry("same-id", "First?", "Yes", "public");
    let two = format!(
        "{}{}",
        entry("other", "Second?", "Yes", "everyone"),
        entry("same-id", "Third?", "Yes", "public")
    );
    let (_dir, kb) = temp_kb(&[("answers/a.toml", &one), ("answers/b.toml", &two)]);
    let out = run(trustfill(&kb).args(["kb", "index"]));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("answers/b.toml:7: unknown variant `everyone`"),
        "{err}"
    );
    // The duplicate is only detectable once b.toml parses; fix the audience and try again.
    std::fs::write(kb.join("answers/b.toml"), two.replace("everyone", "public")).unwrap();
    let out = run(trustfill(&kb).args(["kb", "index"]));
    let err = stderr(&out);
    assert!(
        err.contains(
            "answers/b.toml:11: duplicate id \"same-id\" (first defined at answers/a.toml:1)"
        ),
        "{err}"
    );
}

#[test]
fn broken_policy_front_matter_names_the_line() {
    let policy =
        "---\nid: p\ntitle: P\naudience: public\nreviewd: 2026-01-01\n---\n## Section\nText.\n";
    let (_dir, kb) = temp_kb(&[("policies/p.md", policy)]);
    let out = run(trustfill(&kb).args(["kb", "index"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("policies/p.md:5: unknown front-matter key `reviewd`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn missing_knowledge_base_says_how_to_point_at_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(trustfill(&dir.path().join("nowhere")).args(["ask", "MFA?"]));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("knowledge base not found at"), "{err}");
    assert!(
        err.contains("hint: pass --kb DIR or set TRUSTFILL_KB"),
        "{err}"
    );
}

#[test]
fn kb_env_variable_selects_the_knowledge_base() {
    let (_dir, kb) = temp_kb(&[(
        "answers/a.toml",
        &entry(
            "env-entry",
            "Is the environment variable honoured?",
            "Yes",
            "public",
        ),
    )]);
    let out = run(std::process::Command::new(env!("CARGO_BIN_EXE_trustfill"))
        .env("TRUSTFILL_KB", &kb)
        .env("TRUSTFILL_HOME", no_home())
        .env_remove("TRUSTFILL_MODEL")
        .env("TRUSTFILL_TODAY", TODAY)
        .args(["ask", "--json", "environment variable honoured"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("\"env-entry\""), "{}", stdout(&out));
}

#[test]
fn the_shipped_knowledge_base_meets_its_brief() {
    let kb = trustfill::kb::KnowledgeBase::load(std::path::Path::new(SHIPPED_KB)).unwrap();
    let answers = kb
        .entries
        .iter()
        .filter(|e| e.kind == trustfill::kb::EntryKind::Answer)
        .count();
    let policies: std::collections::HashSet<&str> = kb
        .entries
        .iter()
        .filter(|e| e.kind == trustfill::kb::EntryKind::Policy)
        .map(|e| e.source.path.as_str())
        .collect();
    assert!(answers >= 200, "{answers} answers");
    assert!(policies.len() >= 6, "{policies:?}");
    // SOC report details are NDA material.
    for id in [
        "comp-soc-auditor",
        "comp-soc2-exceptions",
        "comp-bridge-letter-content",
        "comp-soc1-cuecs",
    ] {
        assert_eq!(
            kb.get(id).map(|e| e.audience),
            Some(trustfill::kb::Audience::Nda),
            "{id}"
        );
    }
}

/// A FIFO named like an answers file hung every command (loading and the fingerprint read it);
/// it is refused at once, naming it.
#[cfg(unix)]
#[test]
fn a_fifo_among_the_answers_is_refused_not_waited_on() {
    let (_dir, kb) = temp_kb(&[(
        "answers/a.toml",
        &entry("enc", "Is data encrypted at rest?", "Yes", "public"),
    )]);
    make_fifo(&kb.join("answers/pipe.toml"));
    let out = run_within(
        trustfill(&kb).args(["ask", "Is data encrypted at rest?"]),
        20,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("pipe.toml: is not a regular file"),
        "{}",
        stderr(&out)
    );
}
