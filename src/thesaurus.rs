//! The security vocabulary: `knowledge-base/thesaurus.toml` groups words and phrases that mean
//! the same thing here ("MFA", "2FA", "multi-factor authentication"). Every text, entry or
//! question, is analyzed into stemmed terms and then each occurrence of a group member is replaced
//! by the group's canonical term, so both sides meet on one term. Matching works on stemmed token
//! sequences: "penetration testing" and "penetration test" are the same member.
//!
//! The file is optional and belongs to the knowledge base (it is part of the fingerprint), so a
//! team extends it in the same pull request as the entries that need it.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use tantivy::tokenizer::TextAnalyzer;
use toml::Spanned;

use crate::error::{Error, KbProblem, Result};
use crate::kb::line_of;

pub const FILE: &str = "thesaurus.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    synonyms: Vec<RawGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    terms: Vec<Spanned<String>>,
}

/// Compiled synonym groups, keyed by the first term of each member's stemmed sequence.
#[derive(Debug, Clone, Default)]
pub struct Thesaurus {
    /// first term → (member sequence, canonical term), longest sequences first.
    members: HashMap<String, Vec<(Vec<String>, String)>>,
    groups: usize,
}

impl Thesaurus {
    /// Load `<kb>/thesaurus.toml`; an absent file is an empty thesaurus.
    pub fn load(kb_root: &Path, analyzer: &mut TextAnalyzer) -> Result<Thesaurus> {
        let path = kb_root.join(FILE);
        if !path.is_file() {
            return Ok(Thesaurus::default());
        }
        let text =
            std::fs::read_to_string(&path).map_err(|e| Error::io("cannot read", &path, e))?;
        Thesaurus::parse(&text, &path, analyzer)
    }

    pub fn parse(text: &str, path: &Path, analyzer: &mut TextAnalyzer) -> Result<Thesaurus> {
        let problem = |offset: Option<usize>, message: String| KbProblem {
            path: path.to_path_buf(),
            line: offset.map(|o| line_of(text, o)),
            message,
        };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            Error::KbInvalid(vec![problem(
                e.span().map(|s| s.start),
                e.message().trim().to_string(),
            )])
        })?;
        let mut problems = Vec::new();
        let mut thesaurus = Thesaurus::default();
        let mut owner: HashMap<Vec<String>, String> = HashMap::new();
        for group in &raw.synonyms {
            let analyzed: Vec<(Vec<String>, &Spanned<String>)> = group
                .terms
                .iter()
                .map(|t| (crate::text::terms(analyzer, t.get_ref()), t))
                .collect();
            if analyzed.len() < 2 {
                let at = group.terms.first().map(|t| t.span().start);
                problems.push(problem(
                    at,
                    "a synonym group needs at least two terms".into(),
                ));
                continue;
            }
            let Some((first, _)) = analyzed.first().filter(|(seq, _)| !seq.is_empty()) else {
                let t = &group.terms[0];
                problems.push(problem(
                    Some(t.span().start),
                    format!(
                        "{:?} has no searchable words (only stop words?)",
                        t.get_ref()
                    ),
                ));
                continue;
            };
            let canonical = first.join("_");
            for (seq, term) in &analyzed {
                if seq.is_empty() {
                    problems.push(problem(
                        Some(term.span().start),
                        format!(
                            "{:?} has no searchable words (only stop words?)",
                            term.get_ref()
                        ),
                    ));
                    continue;
                }
                match owner.get(seq) {
                    Some(other) if *other != canonical => problems.push(problem(
                        Some(term.span().start),
                        format!("{:?} is already in the group of {other:?}; a term can belong to one group only", term.get_ref()),
                    )),
                    Some(_) => {}
                    None => {
                        owner.insert(seq.clone(), canonical.clone());
                        thesaurus
                            .members
                            .entry(seq[0].clone())
                            .or_default()
                            .push((seq.clone(), canonical.clone()));
                    }
                }
            }
            thesaurus.groups += 1;
        }
        if !problems.is_empty() {
            return Err(Error::KbInvalid(problems));
        }
        for list in thesaurus.members.values_mut() {
            list.sort_by_key(|(seq, _)| std::cmp::Reverse(seq.len()));
        }
        Ok(thesaurus)
    }

    pub fn groups(&self) -> usize {
        self.groups
    }

    /// Replace every member sequence in `terms` by its canonical term, longest match first.
    pub fn canonicalize(&self, terms: Vec<String>) -> Vec<String> {
        if self.members.is_empty() {
            return terms;
        }
        let mut out = Vec::with_capacity(terms.len());
        let mut i = 0;
        while i < terms.len() {
            let hit = self.members.get(&terms[i]).and_then(|candidates| {
                candidates
                    .iter()
                    .find(|(seq, _)| terms[i..].starts_with(seq))
            });
            match hit {
                Some((seq, canonical)) => {
                    out.push(canonical.clone());
                    i += seq.len();
                }
                None => {
                    out.push(terms[i].clone());
                    i += 1;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thesaurus(text: &str) -> Result<Thesaurus> {
        Thesaurus::parse(
            text,
            Path::new("kb/thesaurus.toml"),
            &mut crate::text::english(),
        )
    }

    fn canon(t: &Thesaurus, text: &str) -> Vec<String> {
        t.canonicalize(crate::text::terms(&mut crate::text::english(), text))
    }

    #[test]
    fn members_meet_on_the_canonical_term() {
        let t = thesaurus(
            "[[synonyms]]\nterms = [\"MFA\", \"multi-factor authentication\", \"2FA\"]\n\n[[synonyms]]\nterms = [\"penetration test\", \"pen test\", \"pentest\"]\n",
        )
        .unwrap();
        assert_eq!(
            canon(&t, "Do you require multi-factor authentication?"),
            ["requir", "mfa"]
        );
        assert_eq!(canon(&t, "Is 2FA required"), ["mfa", "requir"]);
        assert_eq!(
            canon(&t, "annual penetration testing"),
            ["annual", "penetr_test"]
        );
        assert_eq!(canon(&t, "pen tests yearly"), ["penetr_test", "year"]);
        assert_eq!(t.groups(), 2);
    }

    #[test]
    fn a_term_in_two_groups_is_an_error_with_its_line() {
        let err = thesaurus("[[synonyms]]\nterms = [\"sso\", \"single sign-on\"]\n[[synonyms]]\nterms = [\"saml\",\n  \"sso\"]\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("kb/thesaurus.toml:5: \"sso\" is already in the group of \"sso\""),
            "{err}"
        );
        let err = thesaurus("[[synonyms]]\nterms = [\"alone\"]\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(":2: a synonym group needs at least two terms"),
            "{err}"
        );
        let err = thesaurus("[[synonym]]\nterms = []\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains(":1: unknown field `synonym`"), "{err}");
    }
}
