//! Parsing `answers/*.toml`: `[[answer]]` tables into [`KbEntry`]s. Unknown keys, missing keys,
//! bad values and malformed ids are reported with the file and line, all of them at once.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::{Audience, EntryKind, KbEntry, Source};
use crate::date::Date;
use crate::error::KbProblem;
use crate::lines::Lines;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    answer: Vec<Spanned<RawAnswer>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnswer {
    id: Spanned<String>,
    question: Spanned<String>,
    #[serde(default)]
    variants: Vec<Spanned<String>>,
    answer: Spanned<String>,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    tags: Vec<String>,
    audience: Audience,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    reviewed: Option<Spanned<toml::value::Datetime>>,
    #[serde(default)]
    refs: Vec<String>,
    #[serde(default)]
    rejected: Vec<String>,
    #[serde(default)]
    proposed: bool,
}

/// Largest field we accept; anything longer is almost certainly a paste accident.
const MAX_FIELD_CHARS: usize = 20_000;

pub(super) fn parse(text: &str, rel: &str, display: &Path) -> Result<Vec<KbEntry>, Vec<KbProblem>> {
    let lines = Lines::new(text);
    let problem = |offset: Option<usize>, message: String| KbProblem {
        path: display.to_path_buf(),
        line: offset.map(|o| lines.line(o)),
        message,
    };
    let mut problems = Vec::new();
    let mut entries = Vec::new();
    let mut entry = |table: Spanned<RawAnswer>, base: usize, problems: &mut Vec<KbProblem>| {
        let line = lines.line(base + table.span().start);
        let raw = table.into_inner();
        let id = raw.id.get_ref().trim().to_string();
        if !is_valid_id(&id) {
            problems.push(problem(
            Some(base + raw.id.span().start),
            format!(
                "invalid id {id:?}: use lowercase letters, digits and '-', '_' or '.', starting with a letter or digit"
            ),
        ));
        }
        for (name, field) in [("question", &raw.question), ("answer", &raw.answer)] {
            if field.get_ref().trim().is_empty() {
                problems.push(problem(
                    Some(base + field.span().start),
                    format!("{name} must not be empty"),
                ));
            }
        }
        for variant in &raw.variants {
            if variant.get_ref().trim().is_empty() {
                problems.push(problem(
                    Some(base + variant.span().start),
                    "empty variant".into(),
                ));
            }
        }
        let longest = [
            raw.question.get_ref().len(),
            raw.comment.len(),
            raw.answer.get_ref().len(),
        ];
        if longest.iter().any(|&n| n > MAX_FIELD_CHARS) {
            problems.push(problem(
                Some(base + raw.id.span().start),
                format!("entry {id:?} has a field over {MAX_FIELD_CHARS} characters"),
            ));
        }
        let reviewed = match raw.reviewed {
            None => None,
            Some(dt) => match to_date(dt.get_ref()) {
                Some(d) => Some(d),
                None => {
                    problems.push(problem(
                        Some(base + dt.span().start),
                        format!(
                            "reviewed = {} is not a date; write it like 2026-06-15 (no quotes)",
                            dt.get_ref()
                        ),
                    ));
                    None
                }
            },
        };
        entries.push(KbEntry {
            id,
            kind: EntryKind::Answer,
            question: clean(raw.question.get_ref()),
            variants: raw
                .variants
                .iter()
                .map(|v| clean(v.get_ref()))
                .filter(|v| !v.is_empty())
                .collect(),
            answer: Some(raw.answer.get_ref().trim().to_string()),
            comment: raw.comment.trim().to_string(),
            tags: raw
                .tags
                .iter()
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect(),
            audience: raw.audience,
            owner: raw
                .owner
                .map(|o| o.trim().to_string())
                .filter(|o| !o.is_empty()),
            reviewed,
            refs: raw
                .refs
                .iter()
                .map(|r| r.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|r| !r.is_empty())
                .collect(),
            rejected: raw
                .rejected
                .iter()
                .map(|r| r.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|r| !r.is_empty())
                .collect(),
            proposed: raw.proposed,
            source: Source {
                path: rel.to_string(),
                line,
            },
        });
    };
    match toml::from_str::<RawFile>(text) {
        Ok(raw) => {
            for table in raw.answer {
                entry(table, 0, &mut problems);
            }
        }
        Err(whole) => {
            // The parser stops at the first error. So that one typo does not hide the next,
            // each `[[answer]]` table is parsed again on its own and every table's errors
            // are reported; if that finds none (the error spans tables), the first one is.
            for (base, part) in tables(text) {
                match toml::from_str::<RawFile>(part) {
                    Ok(raw) => {
                        for table in raw.answer {
                            entry(table, base, &mut problems);
                        }
                    }
                    Err(err) => problems.push(problem(
                        err.span().map(|s| base + s.start),
                        err.message().trim().to_string(),
                    )),
                }
            }
            if problems.is_empty() {
                problems.push(problem(
                    whole.span().map(|s| s.start),
                    whole.message().trim().to_string(),
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(entries)
    } else {
        Err(problems)
    }
}

/// The file cut before each line that opens an `[[answer]]` table, with each piece's offset.
fn tables(text: &str) -> Vec<(usize, &str)> {
    let mut starts = vec![0];
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if offset > 0 && line.trim() == "[[answer]]" {
            starts.push(offset);
        }
        offset += line.len();
    }
    starts.push(text.len());
    starts
        .windows(2)
        .map(|w| (w[0], &text[w[0]..w[1]]))
        .collect()
}

fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn to_date(dt: &toml::value::Datetime) -> Option<Date> {
    if dt.time.is_some() || dt.offset.is_some() {
        return None;
    }
    let d = dt.date?;
    Date::new(i32::from(d.year), d.month, d.day)
}

pub(crate) fn is_valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
        && id.len() <= 120
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Vec<KbEntry>, Vec<String>> {
        parse(text, "answers/t.toml", Path::new("kb/answers/t.toml"))
            .map_err(|ps| ps.into_iter().map(|p| p.to_string()).collect())
    }

    const GOOD: &str = r#"
# crypto answers
[[answer]]
id = "crypto-at-rest"
question = "Is data encrypted at rest?"
variants = ["Do you encrypt stored data?"]
answer = "Yes"
comment = "AES-256."
tags = ["encryption"]
audience = "public"
owner = "security@example.com"
reviewed = 2026-06-15
"#;

    #[test]
    fn good_entry_loads_with_its_line() {
        let entries = parse_str(GOOD).unwrap();
        assert_eq!(entries.len(), 1);
        let e = &entries[0];
        assert_eq!(e.id, "crypto-at-rest");
        assert_eq!(e.variants, vec!["Do you encrypt stored data?"]);
        assert_eq!(e.answer.as_deref(), Some("Yes"));
        assert_eq!(e.reviewed, Some(Date::new(2026, 6, 15).unwrap()));
        assert_eq!(e.source.to_string(), "answers/t.toml:3");
    }

    #[test]
    fn unknown_key_names_file_and_line() {
        let text = GOOD.replace("comment =", "coment =");
        let errs = parse_str(&text).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert!(
            errs[0].starts_with("kb/answers/t.toml:8: unknown field `coment`"),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn bad_audience_is_reported_with_the_choices() {
        let text = GOOD.replace("\"public\"", "\"secret\"");
        let errs = parse_str(&text).unwrap_err();
        assert!(errs[0].starts_with("kb/answers/t.toml:10:"), "{}", errs[0]);
        assert!(errs[0].contains("unknown variant `secret`"), "{}", errs[0]);
        assert!(errs[0].contains("public"), "{}", errs[0]);
    }

    #[test]
    fn missing_answer_and_bad_id_are_errors() {
        let text = GOOD.replace("answer = \"Yes\"\n", "");
        let errs = parse_str(&text).unwrap_err();
        assert!(errs[0].contains("missing field `answer`"), "{}", errs[0]);
        let text = GOOD.replace("crypto-at-rest", "Crypto At Rest");
        let errs = parse_str(&text).unwrap_err();
        assert!(
            errs[0].contains(":4: invalid id \"Crypto At Rest\""),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn every_broken_table_is_reported_not_only_the_first() {
        // Three entries: a syntax error in the first, an unknown key in the third, a bad id
        // in the second, which parses. All three are reported, each at its own line.
        let second = GOOD.replace("crypto-at-rest", "Second Entry");
        let text = format!(
            "{}{}{}",
            GOOD.replace("answer = \"Yes\"", "answer = \"Yes"),
            second,
            GOOD.replace("crypto-at-rest", "third")
                .replace("comment =", "coment =")
        );
        let errs = parse_str(&text).unwrap_err();
        assert_eq!(errs.len(), 3, "{errs:#?}");
        assert!(errs[0].starts_with("kb/answers/t.toml:7:"), "{}", errs[0]);
        assert!(
            errs[1].contains(":16: invalid id \"Second Entry\""),
            "{}",
            errs[1]
        );
        assert!(
            errs[2].starts_with("kb/answers/t.toml:32: unknown field `coment`"),
            "{}",
            errs[2]
        );
    }

    #[test]
    fn review_date_must_be_a_date() {
        let text = GOOD.replace("2026-06-15", "\"last week\"");
        assert!(parse_str(&text).is_err());
        let text = GOOD.replace("2026-06-15", "2026-06-15T10:00:00Z");
        let errs = parse_str(&text).unwrap_err();
        assert!(
            errs[0].contains(":12: reviewed = 2026-06-15T10:00:00Z is not a date"),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn ids_are_slugs() {
        assert!(is_valid_id("soc2-type2"));
        assert!(is_valid_id("a.b_c-1"));
        assert!(!is_valid_id("-a"));
        assert!(!is_valid_id("A"));
        assert!(!is_valid_id("a b"));
        assert!(!is_valid_id(""));
    }
}
