//! `trustfill publish`: a static trust center from the library. One HTML page (overview,
//! reports and certifications, a security FAQ grouped by topic, policies), one stylesheet, a
//! search script and its index, written to a folder: plain files that open from disk or any
//! static host, with no CDN, font or script from elsewhere. The page works without JavaScript
//! (everything is shown; search filters it when scripts run).
//!
//! What reaches the folder is decided once, by [`published`]: approved entries the audience may
//! see ([`Audience::visible_to`], the rule `fill` and `ask` obey), reviewed within `max_age`.
//! Entries above the audience contribute nothing: not their text, not their ids, not a count.
//! NDA reports appear as "available under NDA" only through public entries that say so.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::date::Date;
use crate::error::{Error, Result};
use crate::kb::settings::{Settings, link_href};
use crate::kb::{Audience, EntryKind, KbEntry, KnowledgeBase};

const PAGE: &str = include_str!("publish/page.html");
const STYLE: &str = include_str!("publish/style.css");
const SCRIPT: &str = include_str!("publish/search.js");

/// Tags that put an entry among the reports and certifications rather than in the FAQ.
const REPORT_TAGS: [&str; 3] = ["certifications", "audit-reports", "penetration-testing"];

#[derive(Debug, Clone)]
pub struct PublishPlan {
    pub kb: PathBuf,
    pub out: PathBuf,
    pub audience: Audience,
    /// Entries reviewed longer ago than this many days are left out.
    pub max_age_days: i64,
    pub today: Date,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PublishReport {
    pub answers: usize,
    pub reports: usize,
    pub policies: usize,
    pub excerpts: usize,
    /// Entries left out because their review is older than `max_age`, or missing.
    pub stale: usize,
    pub unreviewed: usize,
    /// Proposals nobody approved yet.
    pub proposals: usize,
    pub files: Vec<PathBuf>,
    /// The page's settings `trustfill.toml` does not set (`company`, `description`, `contact`).
    pub unset: Vec<&'static str>,
}

#[derive(Serialize)]
struct Item<'a> {
    id: String,
    question: &'a str,
    answer: Option<&'a str>,
    comment: &'a str,
    reviewed: Option<String>,
    /// A report one may ask for: not one the answer says there is none of ("No", "N/A").
    requestable: bool,
}

#[derive(Serialize)]
struct Group<'a> {
    id: String,
    title: String,
    items: Vec<Item<'a>>,
}

#[derive(Serialize)]
struct Policy<'a> {
    id: String,
    title: String,
    reviewed: Option<String>,
    sections: Vec<Item<'a>>,
}

/// One searchable item of the page: the element's id and its words.
#[derive(Serialize)]
struct IndexEntry {
    id: String,
    text: String,
}

/// Which answers and policy excerpts may be published for `plan`, and why others may not.
fn published<'k>(
    kb: &'k KnowledgeBase,
    plan: &PublishPlan,
    report: &mut PublishReport,
) -> Vec<&'k KbEntry> {
    kb.entries
        .iter()
        .filter(|e| e.audience.visible_to(plan.audience))
        .filter(|e| {
            if e.proposed {
                report.proposals += 1;
                return false;
            }
            match e.reviewed {
                None if e.kind == EntryKind::Answer => {
                    report.unreviewed += 1;
                    false
                }
                Some(d) if plan.today.to_days() - d.to_days() > plan.max_age_days => {
                    report.stale += 1;
                    false
                }
                _ => true,
            }
        })
        .collect()
}

/// What `publish` at `audience` would put on the page and leave out, without writing it: the
/// counts `kb stats` shows so a team sees the trust center drift from the library.
pub fn publishable(
    kb: &KnowledgeBase,
    audience: Audience,
    max_age_days: i64,
    today: Date,
) -> PublishReport {
    let plan = PublishPlan {
        kb: PathBuf::new(),
        out: PathBuf::new(),
        audience,
        max_age_days,
        today,
    };
    let mut report = PublishReport::default();
    let entries = published(kb, &plan, &mut report);
    report.answers = entries
        .iter()
        .filter(|e| e.kind == EntryKind::Answer)
        .count();
    report.excerpts = entries
        .iter()
        .filter(|e| e.kind == EntryKind::Policy)
        .count();
    report
}

/// The first tag that names a topic (not a trust services criterion like `soc2:security`).
fn topic(e: &KbEntry) -> String {
    e.tags
        .iter()
        .find(|t| !t.contains(':'))
        .cloned()
        .unwrap_or_else(|| "general".into())
}

/// Abbreviations a topic tag is shown in capitals ("pci" → "PCI", "soc1" → "SOC 1").
const ACRONYMS: [(&str, &str); 33] = [
    ("sdlc", "SDLC"),
    ("hr", "HR"),
    ("soc", "SOC"),
    ("soc1", "SOC 1"),
    ("soc2", "SOC 2"),
    ("pci", "PCI"),
    ("dss", "DSS"),
    ("iso", "ISO"),
    ("gdpr", "GDPR"),
    ("ccpa", "CCPA"),
    ("hipaa", "HIPAA"),
    ("iam", "IAM"),
    ("mfa", "MFA"),
    ("sso", "SSO"),
    ("bcdr", "BCDR"),
    ("bcp", "BCP"),
    ("dr", "DR"),
    ("it", "IT"),
    ("ot", "OT"),
    ("api", "API"),
    ("aws", "AWS"),
    ("gcp", "GCP"),
    ("vpn", "VPN"),
    ("dlp", "DLP"),
    ("siem", "SIEM"),
    ("edr", "EDR"),
    ("nist", "NIST"),
    ("owasp", "OWASP"),
    ("sbom", "SBOM"),
    ("tls", "TLS"),
    ("pii", "PII"),
    ("phi", "PHI"),
    ("ai", "AI"),
];

/// A topic tag as a heading: the name `trustfill.toml` gives it under `[topics]`, else its words
/// with the first capitalised and abbreviations in capitals ("pci" → "PCI", "incident-response"
/// → "Incident response").
fn title_case(tag: &str, names: &std::collections::BTreeMap<String, String>) -> String {
    if let Some(name) = names.get(tag) {
        return name.clone();
    }
    tag.split(['-', '_'])
        .filter(|w| !w.is_empty())
        .enumerate()
        .map(|(i, w)| {
            let w = match ACRONYMS.iter().find(|(a, _)| *a == w) {
                Some((_, shown)) => shown.to_string(),
                None => w.to_string(),
            };
            if i == 0 {
                let mut c = w.chars();
                c.next()
                    .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A page's searchable words for an item: its text, lower-cased, and each pair of neighbouring
/// words run together ("back up" also as "backup"), so that the page's search, which strips
/// plural and verb endings from what is typed ("backups" → "backup"), finds a phrase written
/// in two words.
fn search_text(parts: &[&str]) -> String {
    let text = parts.join(" ").to_lowercase();
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let joined: Vec<String> = words
        .windows(2)
        .map(|w| format!("{}{}", w[0], w[1]))
        .collect();
    format!("{text} {}", joined.join(" "))
}

/// An HTML id from an entry id (`crypto-at-rest`, `access-control-policy#mfa`).
fn anchor(prefix: &str, id: &str) -> String {
    let slug: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("{prefix}-{slug}")
}

fn item<'a>(prefix: &str, e: &'a KbEntry) -> Item<'a> {
    Item {
        id: anchor(prefix, &e.id),
        question: &e.question,
        answer: e.answer.as_deref(),
        comment: &e.comment,
        reviewed: e.reviewed.map(|d| d.to_string()),
        requestable: !matches!(
            e.answer.as_deref().and_then(crate::text::class),
            Some(crate::text::Class::No | crate::text::Class::NotApplicable)
        ),
    }
}

/// Write the trust center into `plan.out`: built whole in a temporary folder beside it and
/// renamed into place, so the old site is replaced only by a complete new one.
pub fn publish(plan: &PublishPlan) -> Result<PublishReport> {
    let kb = KnowledgeBase::load(&plan.kb)?;
    let mut settings = Settings::load(&plan.kb)?;
    // The company profile fills what the page's own keys leave unset (a contact only when it
    // is a link or an address the page may show as one).
    {
        use crate::kb::profile::Field;
        let profile = &settings.profile;
        let from = |f: Field| profile.get(f).map(str::to_string);
        let company = from(Field::Company);
        let description = from(Field::ProductDescription);
        let contact = from(Field::ContactEmail).filter(|c| link_href(c).is_ok());
        settings.company = settings.company.take().or(company);
        settings.description = settings.description.take().or(description);
        settings.contact = settings.contact.take().or(contact);
    }
    let mut report = PublishReport::default();
    let entries = published(&kb, plan, &mut report);
    report.unset = [
        ("company", settings.company.is_none()),
        ("description", settings.description.is_none()),
        ("contact", settings.contact.is_none()),
    ]
    .into_iter()
    .filter_map(|(key, unset)| unset.then_some(key))
    .collect();

    // Reports and certifications, then the FAQ by topic, in the library's order.
    let is_report = |e: &KbEntry| e.tags.iter().any(|t| REPORT_TAGS.contains(&t.as_str()));
    let answers: Vec<&KbEntry> = entries
        .iter()
        .copied()
        .filter(|e| e.kind == EntryKind::Answer)
        .collect();
    let reports: Vec<Item> = answers
        .iter()
        .filter(|e| is_report(e))
        .map(|e| item("report", e))
        .collect();
    let mut groups: Vec<Group> = Vec::new();
    for e in answers.iter().filter(|e| !is_report(e)) {
        let t = topic(e);
        let at = match groups.iter().position(|g| g.id == anchor("topic", &t)) {
            Some(i) => i,
            None => {
                groups.push(Group {
                    id: anchor("topic", &t),
                    title: title_case(&t, &settings.topics),
                    items: Vec::new(),
                });
                groups.len() - 1
            }
        };
        groups[at].items.push(item("faq", e));
    }
    // Policies: the published sections, by document. A document's title and review date come
    // from its published sections only; a document with none is not mentioned at all (its
    // title is the document's text too). Policy ids are unique across files (`kb::load`), so
    // one document is one file, with one audience and one review date.
    let mut policies: Vec<Policy> = Vec::new();
    for e in entries
        .iter()
        .copied()
        .filter(|e| e.kind == EntryKind::Policy)
    {
        let doc = e.id.split('#').next().unwrap_or(&e.id).to_string();
        let at = match policies.iter().position(|p| p.id == anchor("policy", &doc)) {
            Some(i) => i,
            None => {
                policies.push(Policy {
                    id: anchor("policy", &doc),
                    title: e.tags.first().cloned().unwrap_or_else(|| doc.clone()),
                    reviewed: e.reviewed.map(|d| d.to_string()),
                    sections: Vec::new(),
                });
                policies.len() - 1
            }
        };
        policies[at].sections.push(item("section", e));
    }
    report.answers = answers.len() - reports.len();
    report.reports = reports.len();
    report.policies = policies.len();
    report.excerpts = policies.iter().map(|p| p.sections.len()).sum();

    let index: Vec<IndexEntry> = reports
        .iter()
        .chain(groups.iter().flat_map(|g| g.items.iter()))
        .chain(policies.iter().flat_map(|p| p.sections.iter()))
        .map(|i| IndexEntry {
            id: i.id.clone(),
            text: search_text(&[i.question, i.answer.unwrap_or_default(), i.comment]),
        })
        .collect();
    let index_json = serde_json::to_string(&index).expect("plain data serializes");

    let mut env = minijinja::Environment::new();
    env.add_template("page.html", PAGE)
        .map_err(|e| template_error(plan, e))?;
    let page = env
        .get_template("page.html")
        .and_then(|t| {
            t.render(minijinja::context! {
                company => settings.company.clone(),
                description => settings.description.clone(),
                contact => settings.contact.clone(),
                // Checked when the settings load (https, http, mailto or an address); a value
                // that is not a link of those kinds is never written as one.
                contact_href => settings.contact.as_deref().and_then(|c| link_href(c).ok()),
                request_access => settings.request_access.as_deref().and_then(|r| link_href(r).ok()),
                audience => plan.audience.as_str(),
                today => plan.today.to_string(),
                max_age => plan.max_age_days,
                reports => reports,
                groups => groups,
                policies => policies,
            })
        })
        .map_err(|e| template_error(plan, e))?;

    let files: [(&str, String); 5] = [
        ("index.html", page),
        ("style.css", STYLE.to_string()),
        ("search.js", SCRIPT.to_string()),
        (
            "search-index.js",
            format!("window.trustfillIndex = {index_json};\n"),
        ),
        ("search.json", index_json),
    ];
    let out = write_site(&plan.out, &files)?;
    report.files = files.iter().map(|(name, _)| out.join(name)).collect();
    Ok(report)
}

/// The files `publish` writes: a folder holding anything else is not replaced.
const SITE_FILES: [&str; 5] = [
    "index.html",
    "style.css",
    "search.js",
    "search-index.js",
    "search.json",
];

fn site_error(out: &Path, message: String, hint: &str) -> Error {
    Error::Import {
        path: out.to_path_buf(),
        message,
        hint: Some(hint.into()),
    }
}

/// Write `files` as the site folder `out`, as the index build does: into a temporary folder
/// beside it, then renamed into place; an existing site is moved aside and removed only once
/// the new one is there. The folder is trustfill's: one that holds anything but the site's
/// own files (a folder named `search.json`, a `CNAME`, the knowledge base) is refused before
/// anything is written, so replacing it never deletes what trustfill did not write. Returns
/// the folder written.
fn write_site(out: &Path, files: &[(&str, String)]) -> Result<PathBuf> {
    use std::path::Component;
    // `--out .` or `--out ..` name a folder by a path that cannot be renamed: use its real path.
    let out = match out.components().next_back() {
        Some(Component::Normal(_)) => out.to_path_buf(),
        _ => out
            .canonicalize()
            .map_err(|e| Error::io("cannot find", out, e))?,
    };
    let existing = match std::fs::symlink_metadata(&out) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io("cannot read", &out, e)),
    };
    if let Some(meta) = &existing {
        if meta.file_type().is_symlink() {
            return Err(site_error(
                &out,
                "is a symbolic link; the site folder is replaced as a whole, so it must be a folder".into(),
                "pass the folder the link points to as --out",
            ));
        }
        if !meta.is_dir() {
            return Err(site_error(
                &out,
                "is a file, not a folder".into(),
                "pass a new or empty folder as --out",
            ));
        }
        let listing = std::fs::read_dir(&out).map_err(|e| Error::io("cannot list", &out, e))?;
        let mut foreign = Vec::new();
        for item in listing {
            let item = item.map_err(|e| Error::io("cannot list", &out, e))?;
            let name = item.file_name().to_string_lossy().into_owned();
            let ours =
                SITE_FILES.contains(&name.as_str()) && item.file_type().is_ok_and(|t| t.is_file());
            if !ours {
                let kind = if item.file_type().is_ok_and(|t| t.is_dir()) {
                    "folder"
                } else {
                    "file"
                };
                foreign.push(format!("{name} ({kind})"));
            }
        }
        if !foreign.is_empty() {
            foreign.sort();
            let shown = foreign
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            return Err(site_error(
                &out,
                format!(
                    "holds what publish does not write: {shown}{}; the site folder is replaced as a whole, so nothing was written",
                    if foreign.len() > 5 { ", …" } else { "" }
                ),
                "publish into a new or empty folder (--out DIR), or move those out of it",
            ));
        }
    }
    let parent = crate::atomic::folder_of(&out);
    std::fs::create_dir_all(&parent).map_err(|e| Error::io("cannot create", &parent, e))?;
    let tmp = tempfile::Builder::new()
        .prefix(".trustfill-site-")
        .tempdir_in(&parent)
        .map_err(|e| Error::io("cannot create a temporary folder in", &parent, e))?;
    for (name, text) in files {
        use std::io::Write;
        let path = tmp.path().join(name);
        let mut file =
            std::fs::File::create(&path).map_err(|e| Error::io("cannot write", &path, e))?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| Error::io("cannot write", &path, e))?;
    }
    // A temporary folder is private (0700); a site folder is read by a web server.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = existing
            .as_ref()
            .map_or(0o755, |m| m.permissions().mode() & 0o7777);
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(mode))
            .map_err(|e| Error::io("cannot set permissions of", tmp.path(), e))?;
    }
    // The old site goes into a temporary folder of its own, removed (with it) at the end.
    let aside = match existing {
        Some(_) => {
            let aside = tempfile::Builder::new()
                .prefix(".trustfill-old-site-")
                .tempdir_in(&parent)
                .map_err(|e| Error::io("cannot create a temporary folder in", &parent, e))?;
            let old = aside.path().join("site");
            std::fs::rename(&out, &old).map_err(|e| Error::io("cannot move aside", &out, e))?;
            Some((aside, old))
        }
        None => None,
    };
    if let Err(e) = std::fs::rename(tmp.path(), &out) {
        if let Some((_, old)) = &aside {
            let _ = std::fs::rename(old, &out);
        }
        return Err(Error::io("cannot move the new site into", &out, e));
    }
    // Renamed away: nothing left for the TempDir to remove.
    let _ = tmp.keep();
    drop(aside);
    Ok(out)
}

fn template_error(plan: &PublishPlan, e: minijinja::Error) -> Error {
    Error::Import {
        path: plan.out.clone(),
        message: format!("cannot render the trust center: {e}"),
        hint: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_headings_keep_abbreviations_and_take_the_teams_names() {
        let none = std::collections::BTreeMap::new();
        assert_eq!(title_case("pci", &none), "PCI");
        assert_eq!(title_case("incident-response", &none), "Incident response");
        assert_eq!(title_case("soc2-reports", &none), "SOC 2 reports");
        assert_eq!(title_case("data-privacy-gdpr", &none), "Data privacy GDPR");
        let names = std::collections::BTreeMap::from([("pci".to_string(), "PCI DSS".to_string())]);
        assert_eq!(title_case("pci", &names), "PCI DSS");
    }

    #[test]
    fn the_search_index_holds_phrases_run_together() {
        let text = search_text(&["Do you back up customer data?", "Yes", "Nightly."]);
        assert!(text.contains("do you back up customer data?"), "{text}");
        assert!(text.contains(" backup "), "{text}");
    }
}
