//! The security vocabulary: groups of words and phrases that mean the same thing in
//! questionnaires ("MFA", "2FA", "multi-factor authentication"). Every text, entry or question,
//! is analyzed into stemmed terms and then each occurrence of a group member is replaced by the
//! group's canonical term, so both sides meet on one term. Matching works on stemmed token
//! sequences: "penetration testing" and "penetration test" are the same member.
//!
//! Two sources, merged: the built-in vocabulary ([`BUILTIN`], `src/vocabulary.toml`, compiled
//! in), which every knowledge base gets, and the knowledge base's own `thesaurus.toml`, which
//! extends it. A group of the knowledge base's that shares a member with a built-in group joins
//! that group; any other starts a group of its own; `builtin = false` at the top of the file
//! turns the built-in vocabulary off. Both are part of the index's fingerprint, so the index is
//! rebuilt when either changes, and a team extends its file in the same pull request as the
//! entries that need it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tantivy::tokenizer::TextAnalyzer;
use toml::Spanned;

use crate::error::{Error, KbProblem, Result};
use crate::lines::line_of;

pub const FILE: &str = "thesaurus.toml";

/// The built-in security vocabulary, applied to every knowledge base.
pub const BUILTIN: &str = include_str!("vocabulary.toml");

/// How problems in [`BUILTIN`] are located (they are bugs: a test loads it).
const BUILTIN_PATH: &str = "<built-in vocabulary>/src/vocabulary.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    /// Whether the built-in vocabulary applies too (only meaningful in a knowledge base's file).
    #[serde(default = "yes")]
    builtin: bool,
    #[serde(default)]
    synonyms: Vec<RawGroup>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    terms: Vec<Spanned<String>>,
}

/// One group's members as stemmed sequences, canonical (first) member first, each with the
/// byte offset of its text in the file.
type Group = Vec<(Vec<String>, usize)>;

/// Compiled synonym groups, keyed by the first term of each member's stemmed sequence.
#[derive(Debug, Clone, Default)]
pub struct Thesaurus {
    /// first term → (member sequence, canonical term), longest sequences first.
    members: HashMap<String, Vec<(Vec<String>, String)>>,
    groups: usize,
}

impl Thesaurus {
    /// The vocabulary for the knowledge base at `kb_root`: the built-in groups extended by
    /// `<kb>/thesaurus.toml` when there is one.
    pub fn load(kb_root: &Path, analyzer: &mut TextAnalyzer) -> Result<Thesaurus> {
        let path = kb_root.join(FILE);
        if !path.is_file() {
            return Thesaurus::build(analyzer, None);
        }
        let text =
            std::fs::read_to_string(&path).map_err(|e| Error::io("cannot read", &path, e))?;
        Thesaurus::build(analyzer, Some((&text, &path)))
    }

    /// The built-in vocabulary alone.
    pub fn builtin(analyzer: &mut TextAnalyzer) -> Result<Thesaurus> {
        Thesaurus::build(analyzer, None)
    }

    /// A knowledge base's thesaurus file `text` (read from `path`) merged into the built-in
    /// vocabulary, unless the file says `builtin = false`.
    pub fn parse(text: &str, path: &Path, analyzer: &mut TextAnalyzer) -> Result<Thesaurus> {
        Thesaurus::build(analyzer, Some((text, path)))
    }

    fn build(analyzer: &mut TextAnalyzer, own: Option<(&str, &Path)>) -> Result<Thesaurus> {
        let (own_groups, with_builtin) = match own {
            Some((text, path)) => parse_groups(text, path, analyzer)?,
            None => (Vec::new(), true),
        };
        let mut groups: Vec<Group> = if with_builtin {
            parse_groups(BUILTIN, Path::new(BUILTIN_PATH), analyzer)?.0
        } else {
            Vec::new()
        };
        let mut owner: HashMap<Vec<String>, usize> = HashMap::new();
        for (i, group) in groups.iter().enumerate() {
            for (seq, _) in group {
                owner.insert(seq.clone(), i);
            }
        }
        let mut problems = Vec::new();
        for group in own_groups {
            let mut joins: Vec<usize> = group
                .iter()
                .filter_map(|(seq, _)| owner.get(seq).copied())
                .collect();
            joins.sort_unstable();
            joins.dedup();
            match joins[..] {
                [] => {
                    for (seq, _) in &group {
                        owner.insert(seq.clone(), groups.len());
                    }
                    groups.push(group);
                }
                [target] => {
                    for (seq, offset) in group {
                        if let std::collections::hash_map::Entry::Vacant(slot) = owner.entry(seq) {
                            groups[target].push((slot.key().clone(), offset));
                            slot.insert(target);
                        }
                    }
                }
                [a, b, ..] => {
                    let (text, path) = own.expect("groups of one's own come from a file");
                    let offset = group.first().map(|(_, o)| *o);
                    problems.push(KbProblem {
                        path: path.to_path_buf(),
                        line: offset.map(|o| line_of(text, o)),
                        message: format!(
                            "this group shares terms with two built-in groups, {:?} and {:?}; \
                             a group can extend one built-in group only",
                            groups[a][0].0.join(" "),
                            groups[b][0].0.join(" ")
                        ),
                    });
                }
            }
        }
        if !problems.is_empty() {
            return Err(Error::KbInvalid(problems));
        }
        let mut thesaurus = Thesaurus {
            groups: groups.len(),
            ..Thesaurus::default()
        };
        for group in &groups {
            let canonical = group[0].0.join("_");
            for (seq, _) in group {
                thesaurus
                    .members
                    .entry(seq[0].clone())
                    .or_default()
                    .push((seq.clone(), canonical.clone()));
            }
        }
        for list in thesaurus.members.values_mut() {
            list.sort_by_key(|(seq, _)| std::cmp::Reverse(seq.len()));
        }
        Ok(thesaurus)
    }

    pub fn groups(&self) -> usize {
        self.groups
    }

    /// The longest member starting at `terms[i]`, with its group's canonical term.
    fn member_at(&self, terms: &[String], i: usize) -> Option<&(Vec<String>, String)> {
        self.members.get(&terms[i]).and_then(|candidates| {
            candidates
                .iter()
                .find(|(seq, _)| terms[i..].starts_with(seq))
        })
    }

    /// The multi-word members in `terms` (analysed, not yet rewritten), found as
    /// [`Thesaurus::canonicalize`] finds them: each with the range of terms it spans and its
    /// group's canonical term.
    pub fn phrases(&self, terms: &[String]) -> Vec<(std::ops::Range<usize>, &str)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < terms.len() {
            let len = match self.member_at(terms, i) {
                Some((seq, canonical)) => {
                    if seq.len() > 1 {
                        out.push((i..i + seq.len(), canonical.as_str()));
                    }
                    seq.len()
                }
                None => 1,
            };
            i += len;
        }
        out
    }

    /// Rewrite every member sequence in `terms` to its group's canonical term, longest match
    /// first: a one-word member is replaced by it, a phrase is kept and followed by it.
    pub fn canonicalize(&self, mut terms: Vec<String>) -> Vec<String> {
        if self.members.is_empty() {
            return terms;
        }
        let mut out = Vec::with_capacity(terms.len());
        let mut i = 0;
        while i < terms.len() {
            // The terms are moved, not copied: analysis runs over every text of a library.
            match self.member_at(&terms, i) {
                Some((seq, canonical)) => {
                    // A phrase keeps its own words: "reviews of user access" still meets
                    // "user access review" word by word, and the canonical term on top
                    // meets "access recertification".
                    let len = seq.len();
                    if len > 1 {
                        out.extend(terms[i..i + len].iter_mut().map(std::mem::take));
                    }
                    out.push(canonical.clone());
                    i += len;
                }
                None => {
                    out.push(std::mem::take(&mut terms[i]));
                    i += 1;
                }
            }
        }
        out
    }
}

/// The groups of one vocabulary file, each checked on its own: at least two terms, each with
/// searchable words, no term in two groups. Returns them with the file's `builtin` setting.
fn parse_groups(
    text: &str,
    path: &Path,
    analyzer: &mut TextAnalyzer,
) -> Result<(Vec<Group>, bool)> {
    let problem = |offset: Option<usize>, message: String| KbProblem {
        path: PathBuf::from(path),
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
    let mut groups = Vec::new();
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
        // An empty first term is reported by the loop below, with the file then refused.
        let canonical = analyzed[0].0.join("_");
        let mut members: Group = Vec::new();
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
                    format!(
                        "{:?} is already in the group of {other:?}; a term can belong to one group only",
                        term.get_ref()
                    ),
                )),
                Some(_) => {}
                None => {
                    owner.insert(seq.clone(), canonical.clone());
                    members.push((seq.clone(), term.span().start));
                }
            }
        }
        groups.push(members);
    }
    if !problems.is_empty() {
        return Err(Error::KbInvalid(problems));
    }
    Ok((groups, raw.builtin))
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
            "builtin = false\n[[synonyms]]\nterms = [\"MFA\", \"multi-factor authentication\", \"2FA\"]\n\n[[synonyms]]\nterms = [\"penetration test\", \"pen test\", \"pentest\"]\n",
        )
        .unwrap();
        // A one-word member is replaced; a phrase keeps its words and gains the group's term.
        assert_eq!(canon(&t, "Is 2FA required"), ["mfa", "requir"]);
        assert_eq!(
            canon(&t, "Do you require multi-factor authentication?"),
            ["requir", "multi", "factor", "authent", "mfa"]
        );
        assert_eq!(
            canon(&t, "annual penetration testing"),
            ["annual", "penetr", "test", "penetr_test"]
        );
        assert_eq!(canon(&t, "pentests yearly"), ["penetr_test", "year"]);
        assert_eq!(t.groups(), 2);
    }

    #[test]
    fn phrases_are_found_where_canonicalize_finds_them() {
        let t = thesaurus(
            "builtin = false\n[[synonyms]]\nterms = [\"MFA\", \"multi-factor authentication\", \"2FA\"]\n\n[[synonyms]]\nterms = [\"penetration test\", \"pen test\", \"pentest\"]\n",
        )
        .unwrap();
        let terms = crate::text::terms(
            &mut crate::text::english(),
            "pen tested yearly, 2FA and multi-factor authentication",
        );
        // One-word members are not phrases; each phrase spans its own terms.
        assert_eq!(
            t.phrases(&terms),
            [(0..2, "penetr_test"), (4..7, "mfa")],
            "{terms:?}"
        );
        let mut analyzer = crate::text::Analyzer::new(std::sync::Arc::new(t));
        // By words: "multi-factor" is one word of two terms.
        let words = [
            "Is",
            "the",
            "app",
            "pen",
            "tested",
            "with",
            "multi-factor",
            "authentication",
        ];
        assert_eq!(
            analyzer.phrases_in(&words),
            [(3..5, "penetr_test".to_string()), (6..8, "mfa".to_string())]
        );
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
        let err = thesaurus("[[synonyms]]\nterms = [\"the\", \"MFA\"]\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains(":2: \"the\" has no searchable words"), "{err}");
    }

    #[test]
    fn the_builtin_vocabulary_loads_and_applies_without_a_file() {
        let t = Thesaurus::builtin(&mut crate::text::english()).unwrap();
        assert_eq!(t.groups(), BUILTIN.matches("[[synonyms]]").count());
        assert!(canon(&t, "multi-factor authentication").ends_with(&canon(&t, "2FA")));
        assert!(canon(&t, "SOC II").ends_with(&["soc_2".to_string()]));
        assert!(canon(&t, "a SOC 2 report").contains(&"soc_2".to_string()));
    }

    #[test]
    fn a_knowledge_base_group_extends_the_builtin_one_it_shares_a_term_with() {
        let t = thesaurus("[[synonyms]]\nterms = [\"2FA\", \"Duo Push\"]\n\n[[synonyms]]\nterms = [\"Quillfeather\", \"QF\"]\n").unwrap();
        let builtin = Thesaurus::builtin(&mut crate::text::english()).unwrap();
        // The new member meets the built-in group's canonical term, under that group's name.
        assert_eq!(canon(&t, "Duo Push"), ["duo", "push", "mfa"]);
        assert_eq!(canon(&builtin, "MFA"), ["mfa"]);
        assert_eq!(canon(&builtin, "Duo Push"), ["duo", "push"]);
        assert_eq!(canon(&t, "QF"), ["quillfeath"]);
        // One group joined a built-in one, the other is new.
        assert_eq!(t.groups(), builtin.groups() + 1);
        // Without the built-in vocabulary, only the file's groups apply.
        let own =
            thesaurus("builtin = false\n[[synonyms]]\nterms = [\"2FA\", \"Duo Push\"]\n").unwrap();
        assert_eq!(own.groups(), 1);
        assert_eq!(
            canon(&own, "multi-factor authentication"),
            ["multi", "factor", "authent"]
        );
    }

    #[test]
    fn a_group_joining_two_builtin_groups_is_an_error_with_its_line() {
        let err = thesaurus("\n[[synonyms]]\nterms = [\"MFA\", \"SSO\"]\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("kb/thesaurus.toml:3: this group shares terms with two built-in groups"),
            "{err}"
        );
    }
}
