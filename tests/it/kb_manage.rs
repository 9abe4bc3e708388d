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
