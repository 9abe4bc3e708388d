//! `trustfill publish`: what reaches the trust center, which links it carries, and how the site
//! folder is replaced.

use std::path::Path;

use crate::common::*;

fn policy(id: &str, title: &str, audience: &str, reviewed: &str, heading: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: {title}\naudience: {audience}\nowner: grc@example.com\nreviewed: {reviewed}\n---\n# {title}\n\n## {heading}\n\nText of {heading}.\n"
    )
}

fn answers() -> String {
    entry(
        "enc",
        "Is customer data encrypted at rest?",
        "Yes",
        "public",
    )
}

/// Every file of a folder, by name (folders shown as `<folder>`).
fn listing(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(e.path()).unwrap_or_else(|_| "<folder>".into());
            (name, text)
        })
        .collect();
    files.sort();
    files
}

/// The reported case: an internal runbook and the public policy shared an id, and the page
/// showed the runbook's title and review date over the public sections. Ids are now unique
/// across policy files: every command refuses the library, naming both files, and `kb check`
/// lists it.
#[test]
fn a_policy_id_shared_by_two_files_is_refused_naming_both() {
    let (_dir, kb) = temp_kb(&[
        ("answers/a.toml", &answers()),
        (
            "policies/a-runbook.md",
            &policy(
                "access-control-policy",
                "Break-glass Runbook",
                "internal",
                "2025-01-15",
                "Emergency access",
            ),
        ),
        (
            "policies/b-access.md",
            &policy(
                "access-control-policy",
                "Access Control Policy",
                "public",
                "2026-06-01",
                "Multi-factor authentication",
            ),
        ),
    ]);
    let site = kb.parent().unwrap().join("site");
    let out = run(trustfill(&kb).args(["publish", "--out"]).arg(&site));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "policies/b-access.md:2: policy id \"access-control-policy\" is also the id of"
        ) && err.contains("policies/a-runbook.md (line 2)"),
        "{err}"
    );
    assert!(err.contains("hint:"), "{err}");
    assert!(!site.exists(), "nothing published");
    let out = run(trustfill(&kb).args(["ask", "Is data encrypted?"]));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = run(trustfill(&kb).args(["kb", "check"]));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        format!("{}{}", stdout(&out), stderr(&out)).contains("is also the id of"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );

    // With ids of their own, the public page shows the public policy, and nothing of the
    // runbook: not its title, not its review date.
    std::fs::write(
        kb.join("policies/a-runbook.md"),
        policy(
            "break-glass-runbook",
            "Break-glass Runbook",
            "internal",
            "2025-01-15",
            "Emergency access",
        ),
    )
    .unwrap();
    let out = run(trustfill(&kb).args(["publish", "--out"]).arg(&site));
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(page.contains("Access Control Policy"), "{page}");
    assert!(page.contains("Reviewed 2026-06-01"), "{page}");
    for secret in [
        "Break-glass",
        "2025-01-15",
        "Emergency",
        "break-glass-runbook",
    ] {
        assert!(!page.contains(secret), "{secret} published");
    }
}

/// `contact = "javascript://%0aalert(document.domain)"` has `://`, so the page made it a link
/// that ran in the reader's browser. Only https, http and mailto links (or an address) are
/// accepted, when the settings load, with the line.
#[test]
fn a_contact_that_is_not_a_web_or_mail_link_is_refused() {
    let (_dir, kb) = temp_kb(&[
        ("answers/a.toml", &answers()),
        (
            "trustfill.toml",
            "company = \"Larkspur\"\ncontact = \"javascript://%0aalert(document.domain)\"\n",
        ),
    ]);
    let site = kb.parent().unwrap().join("site");
    let out = run(trustfill(&kb).args(["publish", "--out"]).arg(&site));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("trustfill.toml:2: contact = \"javascript://%0aalert(document.domain)\" is a javascript: link"),
        "{err}"
    );
    assert!(!site.exists(), "nothing published");

    std::fs::write(
        kb.join("trustfill.toml"),
        "contact = \"security@example.com\"\nrequest_access = \"https://trust.example.com/nda\"\n",
    )
    .unwrap();
    let out = run(trustfill(&kb).args(["publish", "--out"]).arg(&site));
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(
        page.contains("href=\"mailto:security@example.com\""),
        "{page}"
    );
}
