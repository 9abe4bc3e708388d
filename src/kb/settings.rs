//! `trustfill.toml` at the root of a knowledge base: the team's own defaults, so that nobody
//! repeats the same flags. A flag given on the command line always wins over the file, and the
//! file over trustfill's built-in defaults.
//!
//! ```toml
//! audience = "nda"                      # fill, ask: who receives the answers
//! min_confidence = 75                   # fill: leave questions blank below this
//! max_age = 180                         # fill, ask, kb check: days before an entry is stale
//! model = "none"                        # a model folder (relative to the knowledge base), or "none"
//! owner = "security@example.com"        # kb add, kb import, kb learn: owner of new entries
//! company = "Larkspur Analytics"        # publish: the trust center's name,
//! description = "B2B SaaS for …"        #   one line about the company,
//! contact = "security@example.com"      #   who to write to,
//! request_access = "https://…/nda"      #   where to ask for NDA material (a URL or an address)
//! ```
//!
//! A file with an unknown key or a bad value is refused, with its line, like any other file
//! of the knowledge base; `kb check` reports it.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::Audience;
use crate::error::{Error, KbProblem, Result};
use crate::lines::line_of;

/// The settings file's name, at the knowledge base's root.
pub const SETTINGS_FILE: &str = "trustfill.toml";

/// What a knowledge base's `trustfill.toml` sets; `None` where it says nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    pub audience: Option<Audience>,
    pub min_confidence: Option<u8>,
    pub max_age: Option<u32>,
    /// A model folder (resolved against the knowledge base), or `none` for words only.
    pub model: Option<PathBuf>,
    pub owner: Option<String>,
    /// For `publish`: the trust center's company name, description, contact and where to
    /// request NDA material.
    pub company: Option<String>,
    pub description: Option<String>,
    pub contact: Option<String>,
    pub request_access: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    audience: Option<Audience>,
    min_confidence: Option<Spanned<i64>>,
    max_age: Option<Spanned<i64>>,
    model: Option<String>,
    owner: Option<Spanned<String>>,
    company: Option<String>,
    description: Option<String>,
    contact: Option<String>,
    request_access: Option<String>,
}

impl Settings {
    /// The settings of the knowledge base at `root`: empty when it has no `trustfill.toml`.
    pub fn load(root: &Path) -> Result<Settings> {
        let path = root.join(SETTINGS_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
            Err(e) => return Err(Error::io("cannot read", &path, e)),
        };
        Settings::parse(&text, root).map_err(Error::KbInvalid)
    }

    fn parse(text: &str, root: &Path) -> std::result::Result<Settings, Vec<KbProblem>> {
        let path = root.join(SETTINGS_FILE);
        let problem = |offset: Option<usize>, message: String| KbProblem {
            path: path.clone(),
            line: offset.map(|o| line_of(text, o)),
            message,
        };
        let raw: Raw = toml::from_str(text).map_err(|e| {
            vec![problem(
                e.span().map(|s| s.start),
                format!(
                    "{} (known settings: audience, min_confidence, max_age, model, owner, company, description, contact, request_access)",
                    e.message().trim()
                ),
            )]
        })?;
        let mut problems = Vec::new();
        let mut number =
            |value: Option<Spanned<i64>>, name: &str, range: std::ops::RangeInclusive<i64>| {
                let value = value?;
                if range.contains(value.get_ref()) {
                    Some(*value.get_ref())
                } else {
                    problems.push(problem(
                        Some(value.span().start),
                        format!(
                            "{name} = {} is out of range; use {} to {}",
                            value.get_ref(),
                            range.start(),
                            range.end()
                        ),
                    ));
                    None
                }
            };
        let min_confidence = number(raw.min_confidence, "min_confidence", 0..=100).map(|n| n as u8);
        let max_age = number(raw.max_age, "max_age", 1..=36_500).map(|n| n as u32);
        let owner = match raw.owner {
            Some(o) if o.get_ref().trim().is_empty() => {
                problems.push(problem(
                    Some(o.span().start),
                    "owner must not be empty".into(),
                ));
                None
            }
            Some(o) => Some(o.into_inner().trim().to_string()),
            None => None,
        };
        let model = raw.model.map(|m| {
            if m.eq_ignore_ascii_case("none") {
                PathBuf::from("none")
            } else {
                root.join(m)
            }
        });
        if !problems.is_empty() {
            return Err(problems);
        }
        let text = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        Ok(Settings {
            audience: raw.audience,
            min_confidence,
            max_age,
            model,
            owner,
            company: text(raw.company),
            description: text(raw.description),
            contact: text(raw.contact),
            request_access: text(raw.request_access),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> std::result::Result<Settings, Vec<String>> {
        Settings::parse(text, Path::new("kb"))
            .map_err(|ps| ps.iter().map(|p| p.to_string()).collect())
    }

    #[test]
    fn every_setting_is_read_and_the_model_is_relative_to_the_knowledge_base() {
        let s = parse("audience = \"nda\"\nmin_confidence = 75\nmax_age = 180\nmodel = \"models/minilm\"\nowner = \" grc@example.com \"\n").unwrap();
        assert_eq!(
            s,
            Settings {
                audience: Some(Audience::Nda),
                min_confidence: Some(75),
                max_age: Some(180),
                model: Some(PathBuf::from("kb/models/minilm")),
                owner: Some("grc@example.com".into()),
                ..Settings::default()
            }
        );
        assert_eq!(parse("").unwrap(), Settings::default());
        assert_eq!(
            parse("model = \"None\"").unwrap().model,
            Some(PathBuf::from("none"))
        );
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused_with_their_line() {
        let errs = parse("audience = \"nda\"\nmin_confidance = 75\n").unwrap_err();
        assert!(
            errs[0].starts_with("kb/trustfill.toml:2: unknown field `min_confidance`"),
            "{errs:?}"
        );
        let errs = parse("min_confidence = 170\nmax_age = 0\n").unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(
            errs[0].contains(":1: min_confidence = 170 is out of range; use 0 to 100"),
            "{errs:?}"
        );
        assert!(
            errs[1].contains(":2: max_age = 0 is out of range"),
            "{errs:?}"
        );
        let errs = parse("audience = \"everyone\"\n").unwrap_err();
        assert!(errs[0].contains("unknown variant `everyone`"), "{errs:?}");
    }
}
