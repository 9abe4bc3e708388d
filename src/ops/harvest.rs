//! `kb import` of a questionnaire the team completed in the past: any layout `fill` reads.
//! Each answered question becomes an entry with its provenance (file, cell, question id) in a
//! comment line above it; a question an entry already asks (coverage both ways ≥ 0.8) with the
//! same answer becomes a variant of that entry instead; one with a different answer is a
//! conflict, reported and not added. Formula answers (copies) and repeated questions are
//! skipped.

use std::collections::HashSet;
use std::path::PathBuf;

use super::import::{ImportPlan, has_entries};
use crate::error::{Error, Result};
use crate::index::KbIndex;
use crate::kb::Audience;
use crate::kb::edit::{KbLock, apply_variants, replace_file};
use crate::kb::{EntryKind, KbEntry, KnowledgeBase, Source, id_from_question, render};
use crate::matcher::{MatchOptions, Matcher};
use crate::questionnaire::{Overrides, Questionnaire};
use crate::text::class;
use crate::text::normalize_label;

/// Coverage, both ways, above which a harvested question is one the knowledge base asks.
/// Stricter than `kb check`'s 0.8: a wrong merge is silent, a missed one is flagged by check
/// ("Vendor Contact Phone Number" is not "Vendor Accessibility Contact Phone Number").
const SAME_QUESTION: f32 = 0.9;
/// What earlier versions wrote as the answer of a long harvested answer, with the text in the
/// comment; still understood when comparing answers.
const SEE_COMMENT: &str = "See comment";

#[derive(Debug, Clone, Default)]
pub struct HarvestReport {
    /// The new answers file (none on a dry run or when nothing is new).
    pub written: Option<PathBuf>,
    /// (new id, cell) per new entry.
    pub created: Vec<(String, String)>,
    /// (entry id, phrasing) merged as variants.
    pub variants: Vec<(String, String)>,
    /// (cell, question, their answer, entry id, our answer).
    pub conflicts: Vec<(String, String, String, String, String)>,
    /// Same question and answer, phrasing already known.
    pub known: usize,
    pub unanswered: usize,
    pub formula: usize,
    pub repeated: usize,
    /// The starter `trustfill.toml` written into a new knowledge base.
    pub settings_created: Option<PathBuf>,
}

/// Whether the entry already has this phrasing (ignoring case and punctuation).
pub(crate) fn has_phrasing(entry: &KbEntry, phrasing: &str) -> bool {
    let p = normalize_label(phrasing);
    entry.phrasings().any(|q| normalize_label(q) == p)
}

enum Agreement {
    Same,
    Different,
    Incomparable,
}

/// Whether a harvested answer agrees with an entry's. Only the answers are compared: two
/// explanations of the same Yes in different words are no conflict. Yes/No against a value
/// ("Annually") means the two ask different things.
fn compare(theirs: &str, entry: &KbEntry) -> Agreement {
    let ours = entry.answer.as_deref().unwrap_or_default();
    // A long answer was harvested as "See comment" with the text in the comment.
    let ours = if ours == SEE_COMMENT {
        entry.comment.split("\n\n").next().unwrap_or_default()
    } else {
        ours
    };
    match (class(theirs), class(ours)) {
        (Some(a), Some(b)) if a == b => Agreement::Same,
        (Some(_), Some(_)) => Agreement::Different,
        (None, None) if normalize_label(theirs) == normalize_label(ours) => Agreement::Same,
        (None, None) => Agreement::Different,
        _ => Agreement::Incomparable,
    }
}

/// The framework a sheet's question ids belong to, for references: a sheet named like a
/// framework and version ("CAIQv4.0.3" → "CAIQ v4.0.3"), the part of the name before a `|`
/// ("HECVAT - Full | Vendor Response" → "HECVAT - Full"), else the file's name.
///
/// What the questionnaire calls itself in its first rows (`title`, from [`title_in_cells`]) is
/// preferred to its file's name.
pub(crate) fn framework_label(sheet: &str, file_name: &str, title: Option<&str>) -> String {
    static VERSIONED: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^([A-Za-z][A-Za-z0-9\- ]*?)\s*[vV]?(\d+(?:\.\d+)+)$").unwrap()
    });
    let sheet = sheet.trim();
    if let Some(c) = VERSIONED.captures(sheet) {
        return format!("{} v{}", c[1].trim(), &c[2]);
    }
    if let Some((name, _)) = sheet.split_once('|') {
        return name.trim().to_string();
    }
    if let Some(title) = title {
        return title.to_string();
    }
    std::path::Path::new(file_name).file_stem().map_or_else(
        || sheet.to_string(),
        |s| questionnaire_name(&s.to_string_lossy()),
    )
}

/// The questionnaire a workbook names in its first rows: a known family and a version in one
/// row ("Higher Education Community Vendor Assessment Tool (HECVAT) - Full | Version 3.00" →
/// "HECVAT Full 3.00"), looked for in the first four rows of the first three sheets. None when
/// no row names both.
pub(crate) fn title_in_cells(sheets: &[crate::workbook::Sheet]) -> Option<String> {
    static VERSION: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)\b(?:version\s*|v)(\d+(?:\.\d+)+|\d+)\b").expect("regex")
    });
    const FAMILIES: [&str; 9] = [
        "HECVAT", "CAIQ", "SIG", "VSAQ", "K-12CVAT", "K12CVAT", "SAQ", "CCM", "VSA",
    ];
    sheets.iter().take(3).find_map(|sheet| {
        sheet.rows.iter().take(4).find_map(|row| {
            let text = row.join(" | ");
            let version = VERSION.captures(&text)?;
            // questionnaire_name gives the family first, or the text itself when it names none.
            let named = questionnaire_name(&text);
            let words: Vec<&str> = named
                .split(' ')
                .take_while(|w| !w.starts_with(|c: char| c.is_ascii_digit()))
                .collect();
            FAMILIES
                .contains(words.first()?)
                .then(|| format!("{} {}", words.join(" "), &version[1]))
        })
    })
}

/// The questionnaire a file's stem names: a known family and its edition when the stem says
/// them ("educause-HECVAT414-blank" → "HECVAT 4.1.4", "acme-SIG-Lite-2024" → "SIG Lite 2024"),
/// else the stem without the words that say what state the copy is in ("blank", "completed",
/// "filled", "final", …): a reference outlives the file it was learned from.
fn questionnaire_name(stem: &str) -> String {
    static FAMILY: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)(?:^|[^a-z])(HECVAT|CAIQ|SIG|VSAQ|K-?12\s?CVAT|SAQ|CCM|VSA)(?:[\s_()-]*(Lite|Full|Core|Triage|On-?Prem))?(?:[\s_-]*v?(\d+(?:\.\d+)*))?(?:[^a-z0-9]|$)",
        )
        .expect("regex")
    });
    if let Some(c) = FAMILY.captures(stem) {
        let mut name = c[1].to_uppercase();
        if let Some(kind) = c.get(2) {
            let kind = kind.as_str();
            name.push(' ');
            name.push_str(&kind[..1].to_uppercase());
            name.push_str(&kind[1..].to_lowercase());
        }
        if let Some(version) = c.get(3) {
            let v = version.as_str();
            // "414" is HECVAT 4.1.4: an edition written without its dots (up to three digits).
            let v = if !v.contains('.') && (2..=3).contains(&v.len()) && name.starts_with("HECVAT")
            {
                v.chars().map(String::from).collect::<Vec<_>>().join(".")
            } else {
                v.to_string()
            };
            name.push(' ');
            name.push_str(&v);
        }
        return name;
    }
    const STATE_WORDS: [&str; 10] = [
        "blank",
        "completed",
        "complete",
        "filled",
        "final",
        "copy",
        "draft",
        "template",
        "empty",
        "answered",
    ];
    let words: Vec<&str> = stem
        .split(['-', '_', ' ', '.'])
        .filter(|w| !w.is_empty() && !STATE_WORDS.contains(&w.to_lowercase().as_str()))
        .collect();
    if words.is_empty() {
        stem.to_string()
    } else {
        words.join(" ")
    }
}

/// The last-modified date an `.xlsx` records for itself (`docProps/core.xml`), if any.
fn workbook_date(path: &std::path::Path) -> Option<crate::date::Date> {
    let core = crate::xlsx::Package::open(path)
        .ok()?
        .read("docProps/core.xml")
        .ok()?;
    ["dcterms:modified", "dcterms:created"]
        .iter()
        .find_map(|tag| {
            let start = core.find(&format!("<{tag}"))?;
            let text = &core[start..];
            let value = &text[text.find('>')? + 1..];
            value.get(..10)?.parse().ok()
        })
}

pub fn harvest(plan: &ImportPlan, dry_run: bool) -> Result<HarvestReport> {
    let created_kb = !plan.kb.exists();
    let q = Questionnaire::read(&plan.source, &Overrides::default(), &plan.limits)?;
    // What the questionnaire calls itself, for the references of its questions.
    let title = crate::container::read_grids(&plan.source, &plan.limits)
        .ok()
        .and_then(|sheets| title_in_cells(&sheets));
    if q.question_count() == 0 {
        // Neither a library nor a questionnaire: show the headers the user could rename.
        return Err(super::import::no_table_error(
            &plan.source,
            &crate::container::read_grids(&plan.source, &plan.limits)?,
        ));
    }
    if !dry_run {
        std::fs::create_dir_all(&plan.kb).map_err(|e| Error::io("cannot create", &plan.kb, e))?;
    }
    let _lock = if dry_run {
        None
    } else {
        Some(KbLock::acquire(&plan.kb)?)
    };
    let existing = if has_entries(&plan.kb)? {
        Some(KnowledgeBase::load(&plan.kb)?)
    } else {
        None
    };
    let index = match &existing {
        Some(_) => Some(KbIndex::open(&plan.kb)?.0),
        None => None,
    };
    let mut matcher = index.as_ref().map(Matcher::new);
    let mut taken: HashSet<String> = existing
        .iter()
        .flat_map(|kb| kb.entries.iter().map(|e| e.id.clone()))
        .collect();
    let (rel, target) = plan.new_file("harvested")?;
    let file_name = plan
        .source
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    // A completed questionnaire is what the team sent: its answers were reviewed then.
    let answered_on = plan.reviewed.or_else(|| workbook_date(&plan.source));
    let mut report = HarvestReport::default();
    let mut seen: HashSet<String> = HashSet::new();
    let mut new_text = String::new();
    let mut variants: Vec<(String, PathBuf, String)> = Vec::new();
    for question in q.sheets.iter().flat_map(|s| &s.questions) {
        if question.answer_is_formula {
            report.formula += 1;
            continue;
        }
        let answer = question.existing_answer.trim();
        if answer.is_empty() {
            report.unanswered += 1;
            continue;
        }
        // The same text under two ids is two questions (CAIQ's "policies and procedures"
        // questions differ only by the domain their id names).
        if !seen.insert(format!(
            "{}\u{0}{}",
            normalize_label(&question.text),
            question.id.as_deref().unwrap_or_default()
        )) {
            report.repeated += 1;
            continue;
        }
        let comment = question.existing_comment.trim();
        let cell = question.answer_cell.to_string();
        if let (Some(m), Some(kb)) = (matcher.as_mut(), existing.as_ref()) {
            let same = m
                .find(
                    &question.text,
                    &MatchOptions {
                        audience: Audience::Internal,
                        top: 3,
                        review_age: None,
                    },
                )?
                .into_iter()
                .find(|c| c.entry.kind == EntryKind::Answer && c.signals.alike() >= SAME_QUESTION);
            if let Some(c) = same
                && let Some(entry) = kb.get(&c.entry.id)
            {
                match compare(answer, entry) {
                    Agreement::Same if has_phrasing(entry, &question.text) => {
                        report.known += 1;
                        continue;
                    }
                    Agreement::Same => {
                        variants.push((
                            entry.id.clone(),
                            plan.kb.join(&entry.source.path),
                            question.text.clone(),
                        ));
                        continue;
                    }
                    Agreement::Different => {
                        report.conflicts.push((
                            cell,
                            question.text.clone(),
                            answer.to_string(),
                            entry.id.clone(),
                            entry.answer.clone().unwrap_or_default(),
                        ));
                        continue;
                    }
                    // "Yes" against "Annually": not the same question after all.
                    Agreement::Incomparable => {}
                }
            }
        }
        // A long free-text answer stays the answer: it is what the vendor wrote in the answer
        // cell, and exact reuse must write it back there.
        let (short, explanation) = (answer.to_string(), comment.to_string());
        let id = id_from_question(&question.text, "", &mut taken);
        let entry = KbEntry {
            id: id.clone(),
            kind: EntryKind::Answer,
            question: question.text.clone(),
            variants: Vec::new(),
            answer: Some(short),
            comment: explanation,
            tags: Vec::new(),
            audience: plan.default_audience,
            owner: plan.owner.clone(),
            reviewed: answered_on,
            refs: question
                .id
                .iter()
                .map(|qid| {
                    format!(
                        "{} {qid}",
                        framework_label(&question.cell.sheet, &file_name, title.as_deref())
                    )
                })
                .collect(),
            rejected: Vec::new(),
            proposed: false,
            source: Source {
                path: rel.clone(),
                line: 0,
            },
        };
        let provenance = match &question.id {
            Some(qid) => format!("# from {file_name}, {cell} ({qid})\n"),
            None => format!("# from {file_name}, {cell}\n"),
        };
        new_text.push_str(&provenance);
        new_text.push_str(&render::entry(&entry));
        report.created.push((id, cell));
    }
    // Variants on existing entries and the new file, all or nothing.
    let mut tx = crate::atomic::Transaction::new();
    let (added, known) = apply_variants(variants, dry_run, &mut tx)?;
    report.variants = added;
    report.known += known;
    if !new_text.is_empty() && !dry_run {
        let header = format!(
            "Harvested by `trustfill kb import` from the completed questionnaire {file_name}.\nEach entry names the cell it came from. Review each one: set owner, tags and reviewed, and\ncheck the audience ({}) before answering from it.",
            plan.default_audience
        );
        tx.keep(&target)?;
        replace_file(&target, &(render::file(&header, &[]) + &new_text))?;
        report.written = Some(target.clone());
        // A new knowledge base starts with a commented trustfill.toml, as `kb import` of a
        // library gives it.
        if created_kb {
            tx.keep(&plan.kb.join(crate::kb::settings::SETTINGS_FILE))?;
            report.settings_created = crate::kb::settings::write_starter(&plan.kb)?;
        }
    }
    if !dry_run && (report.written.is_some() || !report.variants.is_empty()) {
        // Never leave a library that does not load: every file goes back otherwise.
        KnowledgeBase::load(&plan.kb)?;
    }
    tx.commit();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_name_the_questionnaire_not_the_file() {
        let label = |sheet: &str, file: &str| framework_label(sheet, file, None);
        assert_eq!(
            label("Questions", "educause-HECVAT414-blank.xlsx"),
            "HECVAT 4.1.4"
        );
        assert_eq!(
            label("Sheet1", "HECVAT_Lite_3.06_completed.xlsx"),
            "HECVAT Lite 3.06"
        );
        assert_eq!(label("Sheet1", "acme-SIG-Lite-2024.xlsx"), "SIG Lite 2024");
        assert_eq!(
            label("CAIQv4.0.3", "whatever.xlsx"),
            "CAIQ v4.0.3",
            "a sheet that names it wins"
        );
        assert_eq!(
            label("Security", "vendor-questionnaire-blank.xlsx"),
            "vendor questionnaire"
        );
        assert_eq!(label("Security", "vendor.xlsx"), "vendor");
        // A family's letters inside another word are not the family.
        assert_eq!(label("Security", "design-review.xlsx"), "design review");
    }

    #[test]
    fn a_workbook_names_itself_in_its_first_rows() {
        let sheet = |rows: &[&[&str]]| crate::workbook::Sheet {
            name: "Intro".into(),
            first_row: 0,
            first_col: 0,
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect(),
        };
        let hecvat = sheet(&[
            &[
                "Higher Education Community Vendor Assessment Tool (HECVAT) - Full",
                "Version 3.00",
            ],
            &["DATE-01", "Date"],
        ]);
        assert_eq!(
            title_in_cells(&[hecvat]).as_deref(),
            Some("HECVAT Full 3.00")
        );
        let no_version = sheet(&[&["HECVAT Solution Provider Response - Start Here"]]);
        assert_eq!(title_in_cells(&[no_version]), None);
        let other = sheet(&[&["Acme onboarding form", "Version 2.1"]]);
        assert_eq!(title_in_cells(&[other]), None, "no known family");
        assert_eq!(
            framework_label("Questions", "copy-of-form.xlsx", Some("HECVAT Full 3.00")),
            "HECVAT Full 3.00"
        );
        assert_eq!(
            framework_label("CAIQv4.0.3", "x.xlsx", Some("HECVAT Full 3.00")),
            "CAIQ v4.0.3",
            "a sheet that names it still wins"
        );
    }
}
