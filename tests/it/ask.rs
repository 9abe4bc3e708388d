use serde_json::Value;

use crate::common::*;

#[test]
fn ask_json_has_the_documented_shape() {
    let (_dir, kb) = shipped_kb_copy();
    let out = run(trustfill(&kb).args([
        "ask",
        "--json",
        "--top",
        "2",
        "Do you encrypt data at rest?",
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "one line per question: {text}");
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["question"], "Do you encrypt data at rest?");
    let matches = doc["matches"].as_array().unwrap();
    assert_eq!(matches.len(), 2);
    let first = &matches[0];
    assert_eq!(first["id"], "crypto-at-rest");
    // The confidence is the one the text output shows for the same question.
    let text = stdout(&run(trustfill(&kb).args([
        "ask",
        "--top",
        "1",
        "Do you encrypt data at rest?",
    ])));
    let shown = format!("{}% ", first["confidence"].as_u64().unwrap());
    assert!(
        text.lines()
            .nth(1)
            .is_some_and(|l| l.contains(&shown) && l.contains("crypto-at-rest")),
        "{shown:?} in {text}"
    );
    assert_eq!(first["answer"], "Yes");
    assert!(
        first["comment"].as_str().unwrap().contains("AES")
            || first["comment"].as_str().unwrap().contains("encrypt")
    );
    assert_eq!(first["source"], "answers/crypto.toml");
    assert_eq!(first["audience"], "public");
    assert!(matches[0]["confidence"].as_u64() >= matches[1]["confidence"].as_u64());
}

#[test]
fn ask_reads_questions_from_stdin_one_json_line_each() {
    let (_dir, kb) = shipped_kb_copy();
    let input = "Do you have a SOC 2 Type II report?\n\nWhat is your RTO?\n";
    let out = run_with_stdin(trustfill(&kb).args(["ask", "--json"]), input);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "blank lines are skipped");
    assert_eq!(lines[0]["matches"][0]["id"], "comp-soc2-type2-report");
    assert_eq!(lines[1]["question"], "What is your RTO?");
    assert_eq!(lines[1]["matches"][0]["id"], "bcdr-rto");
}

#[test]
fn ask_text_shows_confidence_answer_and_source() {
    let (_dir, kb) = shipped_kb_copy();
    let out = run(trustfill(&kb).args(["ask", "What is your recovery point objective?"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("What is your recovery point objective?\n"),
        "{text}"
    );
    assert!(text.contains("1. ") && text.contains("bcdr-rpo"), "{text}");
    assert!(text.contains("answers/resilience.toml:"), "{text}");
    assert!(!text.contains("not covered"), "{text}");
}

#[test]
fn off_topic_question_scores_low_and_says_not_covered() {
    let (_dir, kb) = shipped_kb_copy();
    for question in [
        "What is your favourite colour?",
        "How many moons does Jupiter have?",
    ] {
        let out = run(trustfill(&kb).args(["ask", "--json", question]));
        let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
        let best = doc["matches"]
            .as_array()
            .unwrap()
            .first()
            .map_or(0, |m| m["confidence"].as_u64().unwrap());
        assert!(best < 20, "{question}: {best}");
        let out = run(trustfill(&kb).args(["ask", question]));
        assert!(stdout(&out).contains("not covered"), "{}", stdout(&out));
    }
}

#[test]
fn audience_filter_never_leaks_nda_or_internal_content() {
    let answers = [
        soc_answers("soc2-exists"),
        entry(
            "soc2-internal",
            "Who internally owns the SOC 2 report?",
            "GRC lead",
            "internal",
        ),
    ]
    .concat();
    let policy = "---\nid: secret-plan\ntitle: Secret Plan\naudience: internal\n---\n## SOC 2 report handling\nThe SOC 2 report is kept in the vault.\n";
    let (_dir, kb) = temp_kb(&[
        ("answers/soc.toml", &answers),
        ("policies/secret-plan.md", policy),
    ]);
    let ids_at = |audience: &str| -> Vec<String> {
        let out = run(trustfill(&kb).args([
            "ask",
            "--json",
            "--top",
            "10",
            "--audience",
            audience,
            "SOC 2 report auditor firm owner",
        ]));
        assert!(out.status.success(), "{}", stderr(&out));
        let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
        doc["matches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_string())
            .collect()
    };
    let public = ids_at("public");
    assert_eq!(public, ["soc2-exists"]);
    let mut nda = ids_at("nda");
    nda.sort();
    assert_eq!(nda, ["soc2-auditor", "soc2-exists"]);
    let internal = ids_at("internal");
    assert_eq!(internal.len(), 4, "{internal:?}");
    assert!(internal.contains(&"secret-plan#soc-2-report-handling".to_string()));

    // The default audience is public, also in text output.
    let out =
        run(trustfill(&kb).args(["ask", "--top", "10", "Which firm audits your SOC 2 report?"]));
    let text = stdout(&out);
    assert!(
        !text.contains("Example LLP") && !text.contains("soc2-auditor"),
        "{text}"
    );
}

#[test]
fn bad_arguments_exit_2_with_a_message() {
    let (_dir, kb) = shipped_kb_copy();
    let out = run(trustfill(&kb).args(["ask", "--top", "0", "MFA?"]));
    assert_eq!(out.status.code(), Some(2));
    let out = run(trustfill(&kb).args(["ask", "--audience", "secret", "MFA?"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("public, nda, internal"),
        "{}",
        stderr(&out)
    );
}

/// `--explain` adds the signals behind each confidence; without it they are not shown.
#[test]
fn ask_explain_shows_the_signals_behind_the_confidence() {
    let (_dir, kb) = shipped_kb_copy();
    let question = "Do you encrypt data at rest?";
    let plain = stdout(&run(trustfill(&kb).args(["ask", "--top", "2", question])));
    let explained = stdout(&run(trustfill(&kb).args([
        "ask",
        "--top",
        "2",
        "--explain",
        question,
    ])));
    assert!(!plain.contains("why:"), "{plain}");
    let why: Vec<&str> = explained
        .lines()
        .filter(|l| l.trim_start().starts_with("why: "))
        .collect();
    assert_eq!(why.len(), 2, "one explanation per match: {explained}");
    for part in [
        "matched \"",
        "quality ",
        "question covered ",
        "comment ",
        "bm25 ",
        "margin ",
    ] {
        assert!(why[0].contains(part), "{part:?} in {}", why[0]);
    }
    // Everything the plain output says is still there.
    for line in plain.lines() {
        assert!(explained.contains(line), "{line:?} missing from --explain");
    }
}

/// `--quiet` keeps data on stdout and silences status lines; errors are still reported.
#[test]
fn quiet_silences_status_but_not_data_or_errors() {
    let (_dir, kb) = shipped_kb_copy();
    // The first run builds the index, which is reported on stderr unless --quiet.
    let out = run(trustfill(&kb).args(["--quiet", "ask", "--json", "What is your RTO?"]));
    assert!(out.status.success());
    assert_eq!(stderr(&out), "", "nothing on stderr");
    assert!(stdout(&out).contains("bcdr-rto"), "{}", stdout(&out));
    let out = run(trustfill(&kb).args(["kb", "index"]));
    assert!(stderr(&out).contains("indexed "), "{}", stderr(&out));
    let out = run(trustfill(&kb).args(["kb", "index", "-q"]));
    assert_eq!(stderr(&out), "");

    let dir = tempfile::tempdir().unwrap();
    let input = sample_in(dir.path());
    let out = run(trustfill(&kb).arg("fill").arg(&input).arg("-q"));
    assert!(out.status.success());
    assert_eq!(stderr(&out), "", "fill -q prints nothing");
    assert!(dir.path().join("vendor.filled.xlsx").is_file());
    let loud = run(trustfill(&kb).arg("fill").arg(&input).arg("--force"));
    assert!(stderr(&loud).contains("wrote "), "{}", stderr(&loud));

    let out = run(trustfill(&kb).arg("fill").arg(&input).arg("-q"));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
}

/// Policy excerpts have no short answer (`answer` is null), and `owner`/`reviewed` are the
/// entry's own or null, never an empty string.
#[test]
fn ask_json_says_null_for_what_an_entry_does_not_have() {
    let policy = "---\nid: backup-policy\ntitle: Backup Policy\naudience: public\nowner: ops@example.com\nreviewed: 2026-06-01\n---\n## Backup encryption\n\nEvery backup is encrypted before it leaves the host.\n";
    let bare = "[[answer]]\nid = \"bare\"\nquestion = \"Are backups tested by restoring them?\"\nanswer = \"Yes\"\naudience = \"public\"\n";
    let (_dir, kb) = temp_kb(&[
        ("policies/backup-policy.md", policy),
        ("answers/a.toml", bare),
    ]);
    let out = run(trustfill(&kb).args([
        "ask",
        "--json",
        "--top",
        "5",
        "backups encrypted restoring tested",
    ]));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let matches = doc["matches"].as_array().unwrap();
    let policy = matches.iter().find(|m| m["kind"] == "policy").unwrap();
    assert!(policy["answer"].is_null(), "{policy}");
    assert_eq!(policy["owner"], "ops@example.com");
    assert_eq!(policy["reviewed"], "2026-06-01");
    let bare = matches.iter().find(|m| m["id"] == "bare").unwrap();
    assert_eq!(bare["answer"], "Yes");
    assert!(
        bare["owner"].is_null() && bare["reviewed"].is_null(),
        "{bare}"
    );
}

/// A form field's label ("Vendor Name") is never answered Yes or No, however well an entry's
/// comment matches its words: the candidate is capped like a polarity clash and says why. (A
/// harvested CAIQ once drafted "Yes" for HECVAT's "Vendor Name" at 93% because a password
/// policy's comment mentions a user name.)
#[test]
fn a_form_field_is_never_answered_yes() {
    let (_dir, kb) = temp_kb(&[(
        "answers/iam.toml",
        &entry(
            "iam-policy",
            "Are identity and access management policies established?",
            "Yes",
            "public",
        )
        .replace(
            "comment = \"About Are identity and access management policies established?\"",
            "comment = \"Each vendor account has a unique name; passwords may not contain the user name.\"",
        ),
    )]);
    let out = run(trustfill(&kb).args(["ask", "--json", "Vendor Name"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let best = &doc["matches"][0];
    assert_eq!(best["id"], "iam-policy");
    assert!(best["confidence"].as_u64().unwrap() <= 40, "{best}");
    assert!(
        best["incomplete"]
            .as_str()
            .unwrap()
            .contains("form field that asks for a value"),
        "{best}"
    );
    // A real question with the same words is not capped by this rule.
    let out = run(trustfill(&kb).args([
        "ask",
        "--json",
        "Does each vendor account have a unique name?",
    ]));
    let doc: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert!(
        doc["matches"][0]["incomplete"].is_null(),
        "{}",
        doc["matches"][0]
    );
}
