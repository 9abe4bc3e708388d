//! `kb check`: is the knowledge base fit to answer from? Finds what a reviewer should fix before
//! the library is used: files that do not load, NDA material marked public, broken policy
//! references, conflicting answers to the same question, characters XML 1.0 forbids (which a
//! written questionnaire cannot hold) (errors: `kb check` exits 1), and
//! near-duplicate questions, entries past their review date or never reviewed, missing owners
//! and comments (warnings).

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::date::Date;
use crate::error::{Error, Result};
use crate::index::KbIndex;
use crate::kb::{Audience, EntryKind, KbEntry, KnowledgeBase};
use crate::matcher::Matcher;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// Stable kind, for scripts: `invalid`, `nda-marked-public`, `broken-policy-reference`,
    /// `conflict`, `forbidden-character`, `near-duplicate`, `stale`, `never-reviewed`,
    /// `missing-owner`, `missing-comment`, `proposal`, `approved-and-rejected`.
    pub kind: &'static str,
    /// `answers/crypto.toml:12`, when the finding is about one place.
    pub location: Option<String>,
    pub ids: Vec<String>,
    pub message: String,
}

#[derive(Debug, Clone, Copy)]
pub struct CheckOptions {
    /// Entries reviewed longer ago than this are stale.
    pub max_age_days: i64,
    pub today: Date,
}

/// Coverage, both ways and IDF-weighted (see `matcher`), at which another entry is
/// taken to answer the same question. Confidence is no use here: the entry's own question
/// always ranks itself first, so every other entry gets a negative margin.
const SAME_QUESTION: f32 = 0.8;

/// A question about a SOC / ISO / pen-test report...
static REPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(soc\b|soc ?[123]|soc reports?|service auditor|attestation|iso(/iec)? ?27001|penetration test|pen ?test|pentest|bridge letter)").expect("regex")
});
/// ...that asks for its details, which are shared only under NDA.
static DETAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b((which|what|name of( the| your)?|who is( the| your)?) (audit|cpa|accounting) firm|(which|what) firm (audits|performs|examines|conducts)|who (is|are) your auditors?|auditor'?s? name|name of (the |your )?auditor|exceptions?|deviations?|qualified opinion|unqualified|cuecs?|complementary user entity|statement of applicability|open (critical |high )?findings|critical or high findings|bridge letter (state|say|contain)|what does .{0,40}bridge letter)").expect("regex")
});
/// A policy reference in an answer's comment: `access-control-policy#access-reviews`.
static POLICY_REF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b([a-z0-9][a-z0-9-]*-(?:policy|plan|standard|procedure)[a-z0-9-]*)#([a-z0-9-]+)")
        .expect("regex")
});

/// The first field of an entry holding a character XML 1.0 forbids (U+FFFE, U+FFFF, control
/// characters other than tab and line ends), and that character.
fn forbidden_character(e: &KbEntry) -> Option<(&'static str, char)> {
    let fields = [("question", e.question.as_str())]
        .into_iter()
        .chain(e.variants.iter().map(|v| ("variants", v.as_str())))
        .chain(e.answer.as_deref().map(|a| ("answer", a)))
        .chain(std::iter::once(("comment", e.comment.as_str())));
    fields
        .into_iter()
        .find_map(|(field, text)| Some((field, text.chars().find(|&c| !crate::xlsx::xml_char(c))?)))
}

/// Check a knowledge base. A knowledge base that does not load is reported as `invalid`
/// findings rather than as an error, so `kb check` can list every problem at once.
pub fn check(root: &std::path::Path, opts: &CheckOptions) -> Result<Vec<Finding>> {
    let invalid = |problems: Vec<crate::error::KbProblem>| -> Vec<Finding> {
        problems
            .into_iter()
            .map(|p| Finding {
                severity: Severity::Error,
                kind: "invalid",
                location: Some(format!(
                    "{}{}",
                    p.path.display(),
                    p.line.map(|l| format!(":{l}")).unwrap_or_default()
                )),
                ids: Vec::new(),
                message: p.message,
            })
            .collect()
    };
    // The thesaurus is part of the knowledge base: a term in two groups is an error like any other.
    match crate::thesaurus::Thesaurus::load(root, &mut crate::text::english()) {
        Err(Error::KbInvalid(problems)) => return Ok(invalid(problems)),
        Err(e) => return Err(e),
        Ok(_) => {}
    }
    // The settings file is checked beside the rest; its problems are errors like a broken
    // answers file, listed with whatever else is wrong.
    let settings_problems = match crate::kb::settings::Settings::load(root) {
        Err(Error::KbInvalid(problems)) => invalid(problems),
        Err(e) => return Err(e),
        Ok(_) => Vec::new(),
    };
    let kb = match KnowledgeBase::load(root) {
        Ok(kb) => kb,
        Err(Error::KbInvalid(problems)) => {
            let mut all = settings_problems;
            all.extend(invalid(problems));
            return Ok(all);
        }
        Err(e) => return Err(e),
    };
    let (index, _) = KbIndex::open(root)?;
    let mut findings = settings_problems;
    let answers: Vec<&KbEntry> = kb
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Answer)
        .collect();
    let policy_ids: HashSet<&str> = kb
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Policy)
        .map(|e| e.id.as_str())
        .collect();
    // A finding about one entry, located at its table.
    let about = |e: &KbEntry, severity, kind, message| Finding {
        severity,
        kind,
        location: Some(e.source.to_string()),
        ids: vec![e.id.clone()],
        message,
    };
    for e in &kb.entries {
        if let Some((field, c)) = forbidden_character(e) {
            findings.push(about(
                e,
                Severity::Error,
                "forbidden-character",
                format!(
                    "{:?} has a character XML 1.0 forbids (U+{:04X}) in its {field}: a Word or Excel file holding it would not open, so trustfill drops it when writing; delete it here",
                    e.id, c as u32
                ),
            ));
        }
    }
    for e in &answers {
        if e.audience == Audience::Public
            && e.phrasings()
                .any(|p| REPORT.is_match(p) && DETAIL.is_match(p))
        {
            findings.push(about(e, Severity::Error, "nda-marked-public", format!("{:?} asks for SOC/ISO/pen-test report details, which are shared under NDA, but is marked public; set audience = \"nda\"", e.id)));
        }
        for r in POLICY_REF.captures_iter(&e.comment) {
            let cited = format!("{}#{}", &r[1], &r[2]);
            if !policy_ids.contains(cited.as_str()) {
                findings.push(about(
                    e,
                    Severity::Error,
                    "broken-policy-reference",
                    format!(
                        "{:?} cites {cited}, which is not a policy excerpt in policies/",
                        e.id
                    ),
                ));
            }
        }
        if e.proposed {
            // A revision proposed from an edited answer names the entry it revises.
            let revises =
                e.id.strip_suffix("-revised")
                    .or_else(|| e.id.rsplit_once("-revised-").map(|(base, _)| base))
                    .and_then(|base| answers.iter().find(|o| o.id == base));
            let differs = revises.filter(|o| o.answer != e.answer || o.comment != e.comment);
            findings.push(about(
                e,
                Severity::Warning,
                "proposal",
                match differs {
                    Some(o) => format!(
                        "{:?} is a proposal waiting for approval; it revises {:?} ({:?} there, {:?} here): merge the two, or `trustfill kb approve {}`",
                        e.id,
                        o.id,
                        o.answer.as_deref().unwrap_or_default(),
                        e.answer.as_deref().unwrap_or_default(),
                        e.id
                    ),
                    None => format!(
                        "{:?} is a proposal waiting for approval: `trustfill kb approve {}`",
                        e.id, e.id
                    ),
                },
            ));
        }
        match e.reviewed {
            None => findings.push(about(
                e,
                Severity::Warning,
                "never-reviewed",
                format!("{:?} has no reviewed date", e.id),
            )),
            Some(d) if opts.today.to_days() - d.to_days() > opts.max_age_days => {
                findings.push(about(
                    e,
                    Severity::Warning,
                    "stale",
                    format!(
                        "{:?} was last reviewed on {d}, more than {} days ago",
                        e.id, opts.max_age_days
                    ),
                ))
            }
            _ => {}
        }
        if e.owner.is_none() {
            findings.push(about(
                e,
                Severity::Warning,
                "missing-owner",
                format!("{:?} has no owner", e.id),
            ));
        }
        if e.comment.is_empty() {
            findings.push(about(
                e,
                Severity::Warning,
                "missing-comment",
                format!("{:?} has no comment (the approved explanation)", e.id),
            ));
        }
    }
    // An entry rejected for a question it is also approved for (its own question or a variant,
    // in other words at most): the approval wins when matching, but the review history
    // contradicts itself and a reviewer should settle it.
    let mut matcher = Matcher::new(&index);
    for e in answers.iter().filter(|e| !e.rejected.is_empty()) {
        for approved in e.phrasings() {
            let key = crate::text::exact_key(approved);
            let terms = matcher.question_terms(approved);
            for r in e
                .rejected
                .iter()
                .filter(|r| matcher.same_question(r, &key, &terms))
            {
                findings.push(about(
                    e,
                    Severity::Warning,
                    "approved-and-rejected",
                    format!(
                        "{:?} was rejected for {r:?} but is approved for {approved:?}, the same question: the approval wins; remove one of the two",
                        e.id
                    ),
                ));
            }
        }
    }
    // Two entries answering the same question: each entry's own question is asked, and another
    // answer whose phrasing is alike both ways (`Signals::alike`) is a near-duplicate (a conflict when their Yes/No
    // answers differ). Each pair is reported once.
    let by_id: std::collections::HashMap<&str, &KbEntry> =
        answers.iter().map(|e| (e.id.as_str(), *e)).collect();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    for pair in matcher.same_questions(SAME_QUESTION, jobs)? {
        let (Some(e), alike) = (by_id.get(pair.asked.id.as_str()), pair.alike) else {
            continue;
        };
        let c = &pair.other;
        let pair_ids = if e.id < c.id {
            (e.id.clone(), c.id.clone())
        } else {
            (c.id.clone(), e.id.clone())
        };
        if !seen.insert(pair_ids.clone()) {
            continue;
        }
        let (a, b) = (
            e.answer.as_deref().and_then(crate::text::class),
            c.answer.as_deref().and_then(crate::text::class),
        );
        let conflict = matches!((a, b), (Some(x), Some(y)) if x != y);
        findings.push(Finding {
            severity: if conflict { Severity::Error } else { Severity::Warning },
            kind: if conflict { "conflict" } else { "near-duplicate" },
            location: Some(e.source.to_string()),
            ids: vec![pair_ids.0, pair_ids.1],
            message: if conflict {
                format!("{:?} ({}) and {:?} ({}) answer the same question differently ({:.0}% alike); reconcile them", e.id, e.answer.as_deref().unwrap_or(""), c.id, c.answer.as_deref().unwrap_or(""), alike * 100.0)
            } else {
                format!("{:?} and {:?} look like the same question ({:.0}% alike); merge one into the other's variants", e.id, c.id, alike * 100.0)
            },
        });
    }
    findings.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then(a.kind.cmp(b.kind))
            .then(a.location.cmp(&b.location))
    });
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nda_detail_questions_are_recognised() {
        let asks = |q: &str| REPORT.is_match(q) && DETAIL.is_match(q);
        assert!(asks("Which audit firm performs your SOC examinations?"));
        assert!(asks("Did your latest SOC 2 report contain exceptions?"));
        assert!(asks("What does your bridge letter state?"));
        assert!(asks(
            "Are there open critical findings from your last penetration test?"
        ));
        assert!(!asks("Do you have a SOC 2 Type II report?"));
        assert!(!asks(
            "Has an independent CPA firm issued a SOC 2 report on your service?"
        ));
        assert!(!asks(
            "Is there a service auditor's report on controls relevant to user entities?"
        ));
        assert!(!asks(
            "Do you provide bridge letters between SOC report periods?"
        ));
        assert!(!asks(
            "Will you share the results of your latest penetration test?"
        ));
    }

    #[test]
    fn policy_references_are_found_in_comments() {
        let caps: Vec<String> = POLICY_REF
            .captures_iter(
                "See access-control-policy#access-reviews and incident-response-plan#roles.",
            )
            .map(|c| format!("{}#{}", &c[1], &c[2]))
            .collect();
        assert_eq!(
            caps,
            [
                "access-control-policy#access-reviews",
                "incident-response-plan#roles"
            ]
        );
    }
}
