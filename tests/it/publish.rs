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

/// A folder named `search.json` in --out made publish fail after it had replaced index.html and
/// the rest: half a new site. The site is now built in a temporary folder beside --out and
/// renamed into place; a folder holding anything publish does not write is refused before
/// anything is written, so replacing it never deletes what trustfill did not write.
#[test]
fn the_site_is_replaced_whole_or_not_at_all() {
    let (dir, kb) = temp_kb(&[("answers/a.toml", &answers())]);
    let site = dir.path().join("site");
    let publish = || run(trustfill(&kb).args(["publish", "--out"]).arg(&site));
    let out = publish();
    assert!(out.status.success(), "{}", stderr(&out));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&site).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o755, "a site folder others may read");
    }
    // The library changes; search.json is now a folder with something in it.
    std::fs::write(
        kb.join("answers/b.toml"),
        entry(
            "mfa",
            "Do employees use multi-factor authentication?",
            "Yes",
            "public",
        ),
    )
    .unwrap();
    std::fs::remove_file(site.join("search.json")).unwrap();
    std::fs::create_dir(site.join("search.json")).unwrap();
    std::fs::write(site.join("search.json/keep.txt"), "mine").unwrap();
    let before = listing(&site);
    let out = publish();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("holds what publish does not write: search.json (folder)")
            && err.contains("nothing was written"),
        "{err}"
    );
    assert_eq!(listing(&site), before, "the old site is untouched");
    assert_eq!(
        std::fs::read_to_string(site.join("search.json/keep.txt")).unwrap(),
        "mine"
    );
    // Without it, the new site replaces the old one whole, and nothing is left beside it.
    std::fs::remove_dir_all(site.join("search.json")).unwrap();
    let out = publish();
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(page.contains("multi-factor authentication"), "{page}");
    let names: Vec<String> = listing(&site).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "index.html",
            "search-index.js",
            "search.js",
            "search.json",
            "style.css"
        ]
    );
    let beside: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".trustfill"))
        .collect();
    assert!(beside.is_empty(), "temporary folders left: {beside:?}");
    // A file in place of the folder is refused too.
    let file = dir.path().join("file-site");
    std::fs::write(&file, "x").unwrap();
    let out = run(trustfill(&kb).args(["publish", "--out"]).arg(&file));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is a file, not a folder"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
}

/// A knowledge base started with `kb import` gets a commented trustfill.toml and is told so;
/// `publish` without a company says what to set, and titles the page "Trust center" once (it
/// read "Trust center · Trust center").
#[test]
fn a_new_knowledge_base_is_told_what_the_trust_center_needs() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("answers.csv");
    std::fs::write(
        &csv,
        "Question,Answer,Comment,Audience,Reviewed\nDo you encrypt data at rest?,Yes,AES-256.,public,2026-10-01\n",
    )
    .unwrap();
    let kb = dir.path().join("kb");
    let out = run(trustfill(&kb).args(["kb", "import"]).arg(&csv));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "trustfill.toml: every setting commented out; set company, description and contact"
        ),
        "{}",
        stderr(&out)
    );
    let starter = std::fs::read_to_string(kb.join("trustfill.toml")).unwrap();
    assert!(starter.contains("# company = "), "{starter}");
    // It changes nothing until filled in: the library checks clean of settings problems.
    let check = run(trustfill(&kb).args(["kb", "check", "--json"]));
    assert!(
        !stdout(&check).contains("\"invalid\""),
        "{}",
        stdout(&check)
    );

    let site = dir.path().join("site");
    let out = run(trustfill(&kb).args(["publish", "--out"]).arg(&site));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "does not set company, description, contact: the page is titled only \"Trust center\""
        ),
        "{}",
        stderr(&out)
    );
    let page = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(page.contains("<title>Trust center</title>"), "{page}");
    assert!(!page.contains("Trust center · Trust center"));

    std::fs::write(
        kb.join("trustfill.toml"),
        "company = \"Acme\"\ndescription = \"Widgets.\"\ncontact = \"security@acme.example\"\n",
    )
    .unwrap();
    let out = run(trustfill(&kb).args(["publish", "--out"]).arg(&site));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("does not set"), "{}", stderr(&out));
    let page = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(
        page.contains("<title>Acme · Trust center</title>"),
        "{page}"
    );
}

/// The trust center's polish: abbreviations stay capitals in headings (`pci` read "Pci") and
/// `[topics]` names them; a report the answer says there is none of ("No") offers no NDA
/// request link.
#[test]
fn headings_keep_abbreviations_and_no_report_offers_a_request_for_what_is_not_there() {
    let answers = [
        entry("pci-scope", "Are you in scope for PCI DSS?", "No", "public")
            .replace("tags = [\"test\"]", "tags = [\"pci\"]"),
        entry(
            "hr-training",
            "Do staff take security training?",
            "Yes",
            "public",
        )
        .replace("tags = [\"test\"]", "tags = [\"hr\"]"),
        entry(
            "soc2-report",
            "Do you have a SOC 2 Type II report?",
            "Yes",
            "public",
        )
        .replace("tags = [\"test\"]", "tags = [\"certifications\"]"),
        entry("iso-cert", "Are you ISO 27001 certified?", "No", "public")
            .replace("tags = [\"test\"]", "tags = [\"certifications\"]"),
    ]
    .concat();
    let (dir, kb) = temp_kb(&[
        ("answers/a.toml", &answers),
        (
            "trustfill.toml",
            "company = \"Acme\"\ndescription = \"d\"\ncontact = \"security@acme.example\"\nrequest_access = \"https://acme.example/nda\"\n\n[topics]\nhr = \"People security\"\n",
        ),
    ]);
    let site = dir.path().join("site");
    let out = run(trustfill(&kb).args(["publish", "--out"]).arg(&site));
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(page.contains(">PCI</h3>"), "{page}");
    assert!(!page.contains(">Pci<"), "{page}");
    assert!(page.contains(">People security</h3>"), "{page}");
    // One request link: under the SOC 2 report, not under "ISO 27001: No".
    assert_eq!(
        page.matches("Request access to reports shared under NDA")
            .count(),
        1,
        "{page}"
    );
    let iso = &page[page.find("Are you ISO 27001 certified?").unwrap()..];
    let iso = &iso[..iso.find("</li>").unwrap()];
    assert!(!iso.contains("Request access"), "{iso}");
}

/// The page's own search, run in node over the published index: "backups" finds "Do you back
/// up customer data?" (word forms and phrases), "encrypted" finds "encryption". Needs node
/// (`cargo test --test it trust_center_search -- --ignored`).
#[test]
#[ignore = "needs node"]
fn trust_center_search_matches_word_forms() {
    let answers = [
        entry("backups", "Do you back up customer data?", "Yes", "public"),
        entry(
            "crypto",
            "Describe your use of encryption.",
            "AES-256",
            "public",
        ),
        entry("sso", "Do you support SSO?", "Yes", "public"),
    ]
    .concat();
    let (dir, kb) = temp_kb(&[("answers/a.toml", &answers)]);
    let site = dir.path().join("site");
    let out = run(trustfill(&kb).args(["publish", "--out"]).arg(&site));
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = |q: &str| -> String {
        let script = format!(
            r#"global.window = {{ location: {{ search: "?q={q}" }} }};
require({index:?});
const els = {{}};
const input = {{ value: "", addEventListener() {{}} }};
const results = {{ textContent: "" }};
global.document = {{
  getElementById: (id) => id === "q" ? input : id === "results" ? results : (els[id] = els[id] || {{ hidden: false }}),
  querySelectorAll: () => [],
}};
window.trustfillIndex.forEach((e) => document.getElementById(e.id));
require({search:?});
console.log(Object.keys(els).filter((id) => !els[id].hidden).sort().join(","));"#,
            index = site.join("search-index.js").display().to_string(),
            search = site.join("search.js").display().to_string(),
        );
        let out = std::process::Command::new("node")
            .arg("-e")
            .arg(script)
            .output()
            .expect("node runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(shown("backups"), "faq-backups");
    assert_eq!(shown("encrypted"), "faq-crypto");
    assert_eq!(shown("backup%20customer"), "faq-backups");
}

/// Harvesting a completed questionnaire into a new folder starts the knowledge base the same
/// way: a starter trustfill.toml, and the user is told.
#[test]
fn a_harvest_into_a_new_folder_writes_the_starter_settings_too() {
    let (_kbdir, shipped) = shipped_kb_copy();
    let dir = tempfile::tempdir().unwrap();
    let input = sample_in(dir.path());
    let out = run(trustfill(&shipped).arg("fill").arg(&input));
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let filled = dir.path().join("vendor.filled.xlsx");
    let kb = dir.path().join("new-kb");
    let out = run(trustfill(&kb).args(["kb", "import"]).arg(&filled));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("new entries, 0 variants merged"),
        "a completed questionnaire, harvested: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("trustfill.toml: every setting commented out"),
        "{}",
        stderr(&out)
    );
    assert!(kb.join("trustfill.toml").is_file());
}

/// `kb stats` says what `publish` would show and leave out today, by the same rule: public,
/// approved, reviewed within the age limit. (cargo-mutants: `publishable` could return nothing
/// or count the wrong kind unnoticed.)
#[test]
fn kb_stats_counts_what_publish_would_show_and_leave_out() {
    let stale = entry("old", "Do you run a bug bounty?", "Yes", "public")
        .replace("reviewed = 2026-05-01", "reviewed = 2020-01-01");
    let never = entry("new", "Do you log admin actions?", "Yes", "public")
        .replace("reviewed = 2026-05-01\n", "");
    let proposal = entry("prop", "Do you pen test yearly?", "Yes", "public")
        .replace("reviewed = 2026-05-01\n", "proposed = true\n");
    let answers = [
        entry("enc", "Do you encrypt data at rest?", "Yes", "public"),
        entry("sso", "Do you support SSO?", "Yes", "public"),
        entry(
            "auditor",
            "Which firm audits your SOC 2?",
            "Example LLP",
            "nda",
        ),
        stale,
        never,
        proposal,
        // Reviewed exactly 365 days before the test's today (2026-11-02): not yet stale.
        entry("edge", "Do you scan for malware?", "Yes", "public")
            .replace("reviewed = 2026-05-01", "reviewed = 2025-11-02"),
    ]
    .concat();
    // A policy without a review date is published: only answers need one.
    let undated = policy(
        "backup-policy",
        "Backup policy",
        "public",
        "2026-06-01",
        "Restores",
    )
    .replace("reviewed: 2026-06-01\n", "");
    let (_dir, kb) = temp_kb(&[
        ("answers/a.toml", &answers),
        (
            "policies/access.md",
            &policy(
                "access-policy",
                "Access policy",
                "public",
                "2026-06-01",
                "Reviews",
            ),
        ),
        ("policies/backup.md", &undated),
    ]);
    let out = run(trustfill(&kb).args(["kb", "stats"]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("trust center (`trustfill publish`, public): 3 answers and 2 policy sections published; left out 1 past their review age, 1 never reviewed, 1 awaiting approval"),
        "{}",
        stdout(&out)
    );
}

/// The counts publish reports: FAQ answers apart from reports, policy sections grouped by their
/// document. (cargo-mutants: the FAQ count could add the reports instead of taking them out,
/// and sections could be grouped under the wrong document, unnoticed.)
#[test]
fn publish_counts_answers_reports_and_sections_by_document() {
    let answers = [
        entry("enc", "Do you encrypt data at rest?", "Yes", "public"),
        entry("sso", "Do you support SSO?", "Yes", "public"),
        entry(
            "soc2",
            "Do you have a SOC 2 Type II report?",
            "Yes",
            "public",
        )
        .replace("tags = [\"test\"]", "tags = [\"certifications\"]"),
    ]
    .concat();
    let two_sections = policy(
        "access-policy",
        "Access policy",
        "public",
        "2026-06-01",
        "Reviews",
    ) + "\n## Removal\n\nText of Removal.\n";
    let (dir, kb) = temp_kb(&[
        ("answers/a.toml", &answers),
        ("policies/access.md", &two_sections),
        (
            "policies/backup.md",
            &policy(
                "backup-policy",
                "Backup policy",
                "public",
                "2026-06-01",
                "Restores",
            ),
        ),
    ]);
    let site = dir.path().join("site");
    let out = run(trustfill(&kb)
        .args(["publish", "--json", "--out"])
        .arg(&site));
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        (
            &report["answers"],
            &report["reports"],
            &report["policies"],
            &report["excerpts"]
        ),
        (
            &serde_json::json!(2),
            &serde_json::json!(1),
            &serde_json::json!(2),
            &serde_json::json!(3)
        ),
        "{report}"
    );
    let page = std::fs::read_to_string(site.join("index.html")).unwrap();
    let access = &page[page.find("Access policy").unwrap()..];
    let access = &access[..access.find("Backup policy").unwrap_or(access.len())];
    assert!(
        access.contains("Removal") && access.contains("Reviews"),
        "both sections under their document"
    );
}

/// Publishing again keeps the site folder's permissions (the web server's access was set on
/// it), and a first publish makes it readable by a web server. (cargo-mutants: the mode kept
/// could be widened unnoticed.)
#[cfg(unix)]
#[test]
fn publishing_again_keeps_the_site_folders_mode() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, kb) = temp_kb(&[(
        "answers/a.toml",
        &entry("enc", "Do you encrypt data at rest?", "Yes", "public"),
    )]);
    let site = dir.path().join("site");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    assert!(
        run(trustfill(&kb).args(["publish", "--out"]).arg(&site))
            .status
            .success()
    );
    assert_eq!(mode(&site), 0o755, "a new site folder");
    std::fs::set_permissions(&site, std::fs::Permissions::from_mode(0o750)).unwrap();
    assert!(
        run(trustfill(&kb).args(["publish", "--out"]).arg(&site))
            .status
            .success()
    );
    assert_eq!(mode(&site), 0o750, "the folder's own mode is kept");
}
