//! The knowledge base on disk: reviewed text a person can diff in a pull request.
//!
//! `answers/*.toml` hold approved answers (`[[answer]]` tables), `policies/*.md` hold policy
//! documents split into citable excerpts at headings. This module loads and validates them into
//! [`KbEntry`]s and computes the [`fingerprint`] that stamps the derived search index. It knows
//! nothing about tantivy (see [`crate::index`]) or about questionnaires.

pub(crate) mod answers;
pub mod edit;
mod policy;
pub mod profile;
pub mod render;
pub mod settings;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::error::{Error, KbProblem, Result};

pub use policy::slugify;

pub const ANSWERS_DIR: &str = "answers";
pub const POLICIES_DIR: &str = "policies";

/// Who may see an entry. Ordered: a questionnaire at audience `nda` may receive `public` and
/// `nda` content, never `internal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    Public,
    Nda,
    Internal,
}

impl Audience {
    pub const ALL: [Audience; 3] = [Audience::Public, Audience::Nda, Audience::Internal];

    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::Nda => "nda",
            Audience::Internal => "internal",
        }
    }

    /// Whether content marked `self` may be shown to a reader at `reader`.
    pub fn visible_to(self, reader: Audience) -> bool {
        self <= reader
    }
}

impl fmt::Display for Audience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Audience {
    type Err = String;

    fn from_str(s: &str) -> Result<Audience, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "public" => Ok(Audience::Public),
            "nda" => Ok(Audience::Nda),
            "internal" => Ok(Audience::Internal),
            other => Err(format!(
                "unknown audience {other:?}; expected one of public, nda, internal"
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// An approved answer from `answers/*.toml`.
    Answer,
    /// An excerpt of a policy document, cited as `policy-id#heading-slug`.
    Policy,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Answer => "answer",
            EntryKind::Policy => "policy",
        }
    }
}

/// Where an entry lives: path relative to the knowledge-base root (with `/` separators) and the
/// 1-based line of its table or heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub path: String,
    pub line: usize,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.path, self.line)
    }
}

/// One citable unit of the knowledge base: an approved answer or a policy excerpt.
#[derive(Debug, Clone, PartialEq)]
pub struct KbEntry {
    pub id: String,
    pub kind: EntryKind,
    /// Canonical phrasing (for a policy excerpt: "document title: heading").
    pub question: String,
    pub variants: Vec<String>,
    /// Short answer (`Yes`, `No`, `N/A`, `72 hours`); policy excerpts have none.
    pub answer: Option<String>,
    /// Approved explanation (for a policy excerpt: the section text).
    pub comment: String,
    pub tags: Vec<String>,
    pub audience: Audience,
    pub owner: Option<String>,
    pub reviewed: Option<Date>,
    /// The framework or questionnaire ids the entry answers (`"CAIQ v4.0.3 A&A-01.1"`,
    /// `"SOC 2 CC6.1"`, a customer's own `"Q-17"`): the last word is the id a questionnaire row
    /// carries; what comes before names the framework.
    pub refs: Vec<String>,
    /// Questions a reviewer rejected this entry for (`kb learn`): never drafted for them, or a
    /// near-identical phrasing, again.
    pub rejected: Vec<String>,
    /// A proposal of `kb learn` (a hand-written or edited answer) that a person has not approved
    /// yet (`kb approve`): shown, never drafted.
    pub proposed: bool,
    pub source: Source,
}

impl KbEntry {
    /// The question followed by its variants: every phrasing the entry answers.
    pub fn phrasings(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.question.as_str()).chain(self.variants.iter().map(String::as_str))
    }
}

/// A loaded, validated knowledge base.
#[derive(Debug, Clone)]
pub struct KnowledgeBase {
    pub root: PathBuf,
    pub entries: Vec<KbEntry>,
}

impl KnowledgeBase {
    /// Load every answer file and policy document under `root`, reporting all problems at once.
    pub fn load(root: &Path) -> Result<KnowledgeBase> {
        let files = kb_files(root)?;
        let mut entries = Vec::new();
        let mut problems = Vec::new();
        // Policy document id -> the file (and line) that declares it.
        let mut policy_ids: std::collections::HashMap<String, (String, usize)> =
            std::collections::HashMap::new();
        for file in &files {
            let text = std::fs::read_to_string(&file.path)
                .map_err(|e| Error::io("cannot read", &file.path, e))?;
            let display = root.join(&file.rel);
            let result = match file.kind {
                EntryKind::Answer => answers::parse(&text, &file.rel, &display),
                EntryKind::Policy => policy::parse(&text, &file.rel, &display),
            };
            if let (Ok(parsed), EntryKind::Policy) = (&result, file.kind)
                && let Some(first) = parsed.first()
            {
                // Two documents with one id would be one document to everything that groups
                // sections by id (the trust center took one's title and review date for the
                // other's sections), so ids are unique across files, whatever the headings.
                let doc = first.id.split('#').next().unwrap_or(&first.id).to_string();
                let line = policy::id_line(&text);
                match policy_ids.get(&doc) {
                    Some((other, other_line)) => problems.push(KbProblem {
                        path: display.clone(),
                        line: Some(line),
                        message: format!(
                            "policy id {doc:?} is also the id of {} (line {other_line}); give each policy document its own id",
                            root.join(other).display()
                        ),
                    }),
                    None => {
                        policy_ids.insert(doc, (file.rel.clone(), line));
                    }
                }
            }
            match result {
                Ok(mut parsed) => entries.append(&mut parsed),
                Err(mut found) => problems.append(&mut found),
            }
        }
        check_unique_ids(root, &entries, &mut problems);
        if !problems.is_empty() {
            return Err(Error::KbInvalid(problems));
        }
        if entries.is_empty() {
            return Err(Error::KbEmpty {
                path: root.to_path_buf(),
            });
        }
        Ok(KnowledgeBase {
            root: root.to_path_buf(),
            entries,
        })
    }

    pub fn get(&self, id: &str) -> Option<&KbEntry> {
        self.entries.iter().find(|e| e.id == id)
    }
}

fn check_unique_ids(root: &Path, entries: &[KbEntry], problems: &mut Vec<KbProblem>) {
    let mut seen: std::collections::HashMap<&str, &Source> = std::collections::HashMap::new();
    for entry in entries {
        if let Some(first) = seen.get(entry.id.as_str()) {
            problems.push(KbProblem {
                path: root.join(&entry.source.path),
                line: Some(entry.source.line),
                message: format!("duplicate id {:?} (first defined at {first})", entry.id),
            });
        } else {
            seen.insert(&entry.id, &entry.source);
        }
    }
}

/// A knowledge-base file: absolute path, path relative to the root, and what it holds.
#[derive(Debug, Clone)]
pub struct KbFile {
    pub path: PathBuf,
    pub rel: String,
    pub kind: EntryKind,
}

/// The knowledge-base files under `root`, in a stable order (sorted by relative path).
pub fn kb_files(root: &Path) -> Result<Vec<KbFile>> {
    if !root.is_dir() {
        return Err(Error::KbNotFound {
            path: root.to_path_buf(),
        });
    }
    let mut files = Vec::new();
    for (dir, ext, kind) in [
        (ANSWERS_DIR, "toml", EntryKind::Answer),
        (POLICIES_DIR, "md", EntryKind::Policy),
    ] {
        let path = root.join(dir);
        if !path.is_dir() {
            continue;
        }
        let listing = std::fs::read_dir(&path).map_err(|e| Error::io("cannot list", &path, e))?;
        for item in listing {
            let item = item.map_err(|e| Error::io("cannot list", &path, e))?;
            let file = item.path();
            let name = item.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || file.extension().and_then(|e| e.to_str()) != Some(ext) {
                continue;
            }
            // Only regular files (or links to them): a FIFO named like an answers file would
            // block every command that loads the library or computes its fingerprint.
            let meta = std::fs::metadata(&file).map_err(|e| Error::io("cannot read", &file, e))?;
            if !meta.is_file() {
                return Err(Error::Import {
                    path: file,
                    message: "is not a regular file (a folder, a FIFO or a device); trustfill reads only files here".into(),
                    hint: Some(format!("remove it from {dir}/ or rename it so it does not end in .{ext}")),
                });
            }
            files.push(KbFile {
                path: file,
                rel: format!("{dir}/{name}"),
                kind,
            });
        }
    }
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(files)
}

/// A stable fingerprint of the knowledge base's content: FNV-1a over every file's relative path
/// and bytes, in sorted order, and the thesaurus. Cheap enough to compute on every command (no parsing), stable across
/// Rust versions (unlike `DefaultHasher`), and it changes whenever any entry does.
pub fn fingerprint(root: &Path) -> Result<String> {
    let mut hash = crate::hash::Fnv64::new();
    for file in kb_files(root)? {
        let bytes =
            std::fs::read(&file.path).map_err(|e| Error::io("cannot read", &file.path, e))?;
        hash.write(file.rel.as_bytes());
        hash.write(&[0]);
        hash.write(&(bytes.len() as u64).to_le_bytes());
        hash.write(&bytes);
    }
    // The built-in vocabulary changes with the binary: an index built by another version of it
    // must not be reused.
    hash.write(crate::thesaurus::BUILTIN.as_bytes());
    hash.write(&[0]);
    let thesaurus = root.join(crate::thesaurus::FILE);
    if thesaurus.is_file() {
        let bytes =
            std::fs::read(&thesaurus).map_err(|e| Error::io("cannot read", &thesaurus, e))?;
        hash.write(crate::thesaurus::FILE.as_bytes());
        hash.write(&[0]);
        hash.write(&bytes);
    }
    Ok(format!("{:016x}", hash.finish()))
}

/// An id from the question's first meaningful words (`prefix` first, e.g. `learned-`), made
/// unique against `taken`, which it extends. Used by import, learn and add.
pub fn id_from_question(
    question: &str,
    prefix: &str,
    taken: &mut std::collections::HashSet<String>,
) -> String {
    const SKIP: &[&str] = &[
        "do", "does", "you", "your", "is", "are", "the", "a", "an", "of", "to", "we", "our",
        "have", "has",
    ];
    let words: Vec<String> = slugify(question)
        .split('-')
        .filter(|w| !w.is_empty() && !SKIP.contains(w) && w.is_ascii())
        .take(6)
        .map(str::to_string)
        .collect();
    let base = if words.is_empty() {
        format!("{prefix}entry")
    } else {
        format!("{prefix}{}", words.join("-"))
    };
    unique_id(&base, taken)
}

/// `base`, or `base-2`, `base-3`, … : the first that `taken` does not hold, which is then taken.
pub(crate) fn unique_id(base: &str, taken: &mut std::collections::HashSet<String>) -> String {
    let mut id = base.to_string();
    let mut n = 2;
    while !taken.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audiences_nest() {
        assert!(Audience::Public.visible_to(Audience::Public));
        assert!(Audience::Public.visible_to(Audience::Internal));
        assert!(Audience::Nda.visible_to(Audience::Nda));
        assert!(!Audience::Nda.visible_to(Audience::Public));
        assert!(!Audience::Internal.visible_to(Audience::Nda));
        assert_eq!("NDA".parse::<Audience>(), Ok(Audience::Nda));
        assert!(
            "secret"
                .parse::<Audience>()
                .unwrap_err()
                .contains("public, nda, internal")
        );
    }
}
