use serde_json::Value;

use crate::common::*;

fn findings(kb: &std::path::Path, extra: &[&str]) -> (Option<i32>, Vec<Value>) {
    let out = run(trustfill(kb).args(["kb", "check", "--json"]).args(extra));
    let lines = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (out.status.code(), lines)
}

fn kinds(found: &[Value]) -> Vec<String> {
    found
        .iter()
        .map(|f| {
            format!(
                "{}:{}",
                f["severity"].as_str().unwrap(),
                f["kind"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn shipped_knowledge_base_passes_kb_check() {
    let (_dir, kb) = shipped_kb_copy();
    let (code, found) = findings(&kb, &[]);
    assert_eq!(code, Some(0), "{found:?}");
    assert!(
        found.iter().all(|f| f["severity"] == "warning"),
        "{found:?}"
    );
}

#[test]
fn kb_check_reports_nda_details_marked_public_and_conflicts_as_errors() {
    let answers = [
        entry(
            "soc-auditor",
            "Which audit firm performs your SOC 2 examination?",
            "Example LLP",
            "public",
        ),
        entry(
            "mfa-yes",
            "Is multi-factor authentication enforced for all employees?",
            "Yes",
            "public",
        ),
        entry(
            "mfa-no",
            "Is multi-factor authentication enforced for all employees?",
            "No",
            "public",
        ),
    ]
    .concat();
    let (_dir, kb) = temp_kb(&[("answers/a.toml", &answers)]);
    let (code, found) = findings(&kb, &[]);
    assert_eq!(code, Some(1), "{found:?}");
    let k = kinds(&found);
    assert!(k.contains(&"error:nda-marked-public".to_string()), "{k:?}");
    assert!(k.contains(&"error:conflict".to_string()), "{k:?}");
    let conflict = found.iter().find(|f| f["kind"] == "conflict").unwrap();
    assert_eq!(conflict["ids"], serde_json::json!(["mfa-no", "mfa-yes"]));
    let nda = found
        .iter()
        .find(|f| f["kind"] == "nda-marked-public")
        .unwrap();
    assert_eq!(nda["location"], "answers/a.toml:1");
}

#[test]
fn kb_check_warns_on_stale_unowned_entries_and_errors_on_broken_policy_references() {
    let stale = "[[answer]]\nid = \"old\"\nquestion = \"Do you rotate encryption keys?\"\nanswer = \"Yes\"\ncomment = \"Yearly; see key-management-policy#rotation.\"\naudience = \"public\"\nreviewed = 2020-01-01\n";
    let (_dir, kb) = temp_kb(&[("answers/a.toml", stale)]);
    let (code, found) = findings(&kb, &[]);
    let k = kinds(&found);
    assert_eq!(code, Some(1), "{k:?}");
    for expected in [
        "error:broken-policy-reference",
        "warning:stale",
        "warning:missing-owner",
    ] {
        assert!(
            k.contains(&expected.to_string()),
            "{expected} missing from {k:?}"
        );
    }
    // With the reference fixed, only warnings remain: exit 0.
    std::fs::write(
        kb.join("answers/a.toml"),
        stale.replace("see key-management-policy#rotation", "see our policy"),
    )
    .unwrap();
    let (code, found) = findings(&kb, &["--max-age", "100000"]);
    assert_eq!(code, Some(0), "{found:?}");
    assert_eq!(kinds(&found), ["warning:missing-owner"]);
}

#[test]
fn kb_check_lists_load_problems_instead_of_failing() {
    let (_dir, kb) = temp_kb(&[(
        "answers/a.toml",
        "[[answer]]\nid = \"x\"\nquestion = \"Q?\"\nanswer = \"Yes\"\naudience = \"public\"\nowner = 1\n",
    )]);
    let out = run(trustfill(&kb).args(["kb", "check"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("error[invalid]:") && stdout(&out).contains("answers/a.toml:6"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn kb_check_reports_thesaurus_conflicts_with_their_line() {
    let thesaurus = "[[synonyms]]\nterms = [\"SSO\", \"single sign-on\"]\n\n[[synonyms]]\nterms = [\"SAML\", \"SSO\"]\n";
    let (_dir, kb) = temp_kb(&[
        (
            "answers/a.toml",
            &entry("a", "Do you support SSO?", "Yes", "public"),
        ),
        ("thesaurus.toml", thesaurus),
    ]);
    let (code, found) = findings(&kb, &[]);
    assert_eq!(code, Some(1), "{found:?}");
    assert_eq!(found[0]["kind"], "invalid");
    assert!(
        found[0]["location"]
            .as_str()
            .unwrap()
            .ends_with("thesaurus.toml:5"),
        "{found:?}"
    );
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("already in the group"),
        "{found:?}"
    );
}

/// An entry rejected for a question it is also approved for (here a variant in other words)
/// contradicts its own review history: `kb check` says so. A rejection of a question that
/// differs by a word ("privacy" for "security") is no contradiction.
#[test]
fn kb_check_reports_an_entry_approved_and_rejected_for_the_same_question() {
    let text = "[[answer]]\nid = \"training\"\nquestion = \"Is awareness training mandatory?\"\nvariants = [\"Is security awareness training mandatory?\"]\nanswer = \"Yes\"\ncomment = \"Yearly.\"\naudience = \"public\"\nowner = \"a@example.com\"\nreviewed = 2026-05-01\nrejected = [\"Is security-awareness training mandatory\", \"Is privacy awareness training mandatory?\"]\n";
    let (_dir, kb) = temp_kb(&[("answers/a.toml", text)]);
    let (_, found) = findings(&kb, &[]);
    let hits: Vec<&Value> = found
        .iter()
        .filter(|f| f["kind"] == "approved-and-rejected")
        .collect();
    assert_eq!(hits.len(), 1, "{found:?}");
    let message = hits[0]["message"].as_str().unwrap();
    assert!(
        message.contains("Is security-awareness training mandatory")
            && message.contains("Is security awareness training mandatory?"),
        "{message}"
    );
}

/// Issue 22: an answer holding U+FFFF made every Word document it was written into
/// unreadable. Such characters are dropped when writing, and `kb check` names the entry.
#[test]
fn kb_check_reports_characters_xml_forbids_naming_the_entry() {
    let answers = [
        entry("clean", "Do you encrypt backups?", "Yes", "public"),
        entry("odd", "Do you encrypt laptops?", "Yes\\uFFFF", "public"),
        entry("bell", "Do you log access\\u0007?", "Yes", "public"),
    ]
    .concat()
    .replace(
        "id = \"clean\"",
        "id = \"clean\"\nvariants = [\"Are backups encrypted\\uFFFE?\"]",
    );
    let (_dir, kb) = temp_kb(&[("answers/a.toml", &answers)]);
    let (code, found) = findings(&kb, &[]);
    assert_eq!(code, Some(1), "{found:?}");
    let bad: Vec<(String, String)> = found
        .iter()
        .filter(|f| f["kind"] == "forbidden-character")
        .map(|f| {
            (
                f["ids"][0].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(bad.len(), 3, "{found:?}");
    let about = |id: &str| &bad.iter().find(|(i, _)| i == id).unwrap().1;
    assert!(about("odd").contains("U+FFFF) in its answer"), "{bad:?}");
    assert!(about("bell").contains("U+0007) in its question"), "{bad:?}");
    assert!(
        about("clean").contains("U+FFFE) in its variants"),
        "{bad:?}"
    );
}
