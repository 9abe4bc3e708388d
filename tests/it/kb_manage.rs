//! kb add, kb stats and kb export.

use crate::common::*;

#[test]
fn kb_add_shows_nearest_entries_and_refuses_a_duplicate_question() {
    let (_dir, kb) = shipped_kb_copy();
    let dup = run(trustfill(&kb).args([
        "kb",
        "add",
        "--question",
        "Is customer data encrypted at rest?",
        "--answer",
        "Yes",
        "--audience",
        "public",
    ]));
    assert_eq!(dup.status.code(), Some(2));
    let err = stderr(&dup);
    assert!(
        err.contains("nearest existing entries:") && err.contains("crypto-at-rest"),
        "{err}"
    );
    assert!(
        err.contains("\"crypto-at-rest\" already asks this question"),
        "{err}"
    );
    assert!(
        err.contains("hint: add your phrasing to the variants of crypto-at-rest"),
        "{err}"
    );

    let ok = run(trustfill(&kb).args([
        "kb",
        "add",
        "--question",
        "Do you offer a customer-facing status API?",
        "--answer",
        "No",
        "--audience",
        "public",
        "--comment",
        "Status is published on status.larkspur.example.",
        "--tags",
        "availability,product",
        "--owner",
        "sre@larkspur.example",
    ]));
    assert!(ok.status.success(), "{}", stderr(&ok));
    let loaded = trustfill::kb::KnowledgeBase::load(&kb).unwrap();
    let added = loaded
        .entries
        .iter()
        .find(|e| e.source.path == "answers/added.toml")
        .unwrap();
    assert_eq!(added.id, "offer-customer-facing-status-api");
    assert_eq!(added.tags, ["availability", "product"]);
    assert!(added.reviewed.is_some());
    // The audience is a required, conscious choice.
    let no_audience =
        run(trustfill(&kb).args(["kb", "add", "--question", "Q?", "--answer", "Yes"]));
    assert_eq!(no_audience.status.code(), Some(2));
}

#[test]
fn kb_export_round_trips_through_kb_import_and_stats_count_it() {
    let (_dir, kb) = shipped_kb_copy();
    let work = tempfile::tempdir().unwrap();
    let xlsx = work.path().join("library.xlsx");
    let out = run(trustfill(&kb).args(["kb", "export", "-o"]).arg(&xlsx));
    assert!(out.status.success(), "{}", stderr(&out));
    let fresh = work.path().join("fresh-kb");
    assert!(
        run(trustfill(&fresh).args(["kb", "import"]).arg(&xlsx))
            .status
            .success()
    );
    let original = trustfill::kb::KnowledgeBase::load(&kb).unwrap();
    let imported = trustfill::kb::KnowledgeBase::load(&fresh).unwrap();
    let answers = original
        .entries
        .iter()
        .filter(|e| e.kind == trustfill::kb::EntryKind::Answer)
        .count();
    assert_eq!(imported.entries.len(), answers);
    let a = original.get("comp-soc-auditor").unwrap();
    let b = imported.get("comp-soc-auditor").unwrap();
    assert_eq!(
        (&a.question, &a.answer, &a.comment, a.audience, &a.tags),
        (&b.question, &b.answer, &b.comment, b.audience, &b.tags)
    );

    let stats = run(trustfill(&kb).args(["kb", "stats", "--json"]));
    let s: serde_json::Value = serde_json::from_str(&stdout(&stats)).unwrap();
    assert_eq!(s["answers"].as_u64().unwrap() as usize, answers);
    assert!(s["by_audience"]["nda"].as_u64().unwrap() > 0);
}

/// A knowledge base's `trustfill.toml` sets the team's defaults; flags win over it; `kb check`
/// reports a broken one with its line, and other commands refuse it naming the file.
#[test]
fn the_knowledge_base_settings_file_sets_defaults_that_flags_override() {
    let (_dir, kb) = temp_kb(&[
        ("answers/soc.toml", &soc_answers("soc2-report")),
        (
            "trustfill.toml",
            "audience = \"nda\"\nmin_confidence = 95\nmax_age = 30\nowner = \"grc@example.com\"\nmodel = \"none\"\n",
        ),
    ]);
    let question = "Which firm audits your SOC 2 report?";
    // The file's audience applies; a flag narrows it again.
    let nda = stdout(&run(trustfill(&kb).args(["ask", question])));
    assert!(nda.contains("soc2-auditor"), "{nda}");
    let public = stdout(&run(trustfill(&kb).args([
        "ask",
        "--audience",
        "public",
        question,
    ])));
    assert!(!public.contains("soc2-auditor"), "{public}");
    // fill records what it used: the file's values, or the flag's.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("q.csv");
    std::fs::write(&csv, format!("Question,Answer\n{question},\n")).unwrap();
    let out = run(trustfill(&kb).arg("fill").arg(&csv));
    assert!(out.status.success(), "{}", stderr(&out));
    let meta = trustfill::fill::review::read_review(&dir.path().join("q.review.xlsx"))
        .unwrap()
        .meta;
    assert_eq!(
        (meta["audience"].as_str(), meta["min_confidence"].as_str()),
        ("nda", "95")
    );
    let out = run(trustfill(&kb)
        .arg("fill")
        .arg(&csv)
        .args(["--force", "--min-confidence", "60"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let meta = trustfill::fill::review::read_review(&dir.path().join("q.review.xlsx"))
        .unwrap()
        .meta;
    assert_eq!(meta["min_confidence"], "60");
    // max_age = 30: entries reviewed 2026-05-01 are stale on the pinned day.
    let check = stdout(&run(trustfill(&kb).args(["kb", "check"])));
    assert!(check.contains("more than 30 days ago"), "{check}");
    // New entries get the file's owner.
    let out = run(trustfill(&kb).args([
        "kb",
        "add",
        "--question",
        "Do you have a bug bounty?",
        "--answer",
        "Yes",
        "--audience",
        "public",
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    let added = std::fs::read_to_string(kb.join("answers/added.toml")).unwrap();
    assert!(added.contains("owner = \"grc@example.com\""), "{added}");

    // A typo in the file: kb check lists it with its line; ask refuses naming the file.
    std::fs::write(
        kb.join("trustfill.toml"),
        "audience = \"nda\"\nmin_confidance = 95\n",
    )
    .unwrap();
    let out = run(trustfill(&kb).args(["kb", "check"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("trustfill.toml:2: unknown field `min_confidance`"),
        "{}",
        stdout(&out)
    );
    let out = run(trustfill(&kb).args(["ask", question]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("trustfill.toml:2"),
        "{}",
        stderr(&out)
    );
}
