//! Changing knowledge-base files without making them worse to read: variants are added to an
//! entry in place with `toml_edit` (comments, key order and formatting survive), new entries are
//! appended as rendered text, every write goes through a temporary file and a rename, and all
//! edits happen under an exclusive lock so two `kb` commands cannot interleave.

use std::fs::File;
use std::path::{Path, PathBuf};

use toml_edit::{Array, DocumentMut, Item, Value};

use super::{KbEntry, render};
use crate::error::{Error, Result};

/// Inside the index cache folder, which git already ignores.
pub const LOCK_FILE: &str = ".trustfill-index/kb.lock";

/// An exclusive lock on a knowledge base, held until dropped.
pub struct KbLock {
    _file: File,
}

impl KbLock {
    /// Take the lock, or fail at once if another trustfill command holds it.
    pub fn acquire(root: &Path) -> Result<KbLock> {
        let path = root.join(LOCK_FILE);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
        }
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io("cannot create", &path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(KbLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::Import {
                path,
                message: "another trustfill command is changing this knowledge base".into(),
                hint: Some("wait for it to finish, then run the command again".into()),
            }),
            Err(std::fs::TryLockError::Error(e)) => Err(Error::io("cannot lock", path, e)),
        }
    }
}

fn normalized(text: &str) -> String {
    crate::text::normalize_label(text)
}

/// Add `variants` to the entry `id` in the answers file `file`, keeping the file's formatting.
/// Phrasings the entry already has (ignoring case and punctuation) are skipped. Returns the
/// variants actually added. Nothing is written when none is new.
pub fn add_variants(file: &Path, id: &str, variants: &[String]) -> Result<Vec<String>> {
    add_to_list(file, id, "variants", &["question"], variants)
}

/// Remember on the entry `id` that a reviewer rejected it for `questions`: it is never drafted
/// for them, or a near-identical phrasing, again. Returns the questions newly remembered.
pub fn add_rejections(file: &Path, id: &str, questions: &[String]) -> Result<Vec<String>> {
    add_to_list(file, id, "rejected", &[], questions)
}

/// Add `references` (framework or questionnaire ids) to the entry `id`.
pub fn add_refs(file: &Path, id: &str, references: &[String]) -> Result<Vec<String>> {
    add_to_list(file, id, "refs", &[], references)
}

/// An answers file parsed with `toml_edit`, for edits that keep its comments and formatting.
fn read_answers_file(file: &Path) -> Result<DocumentMut> {
    let text = std::fs::read_to_string(file).map_err(|e| Error::io("cannot read", file, e))?;
    text.parse()
        .map_err(|e: toml_edit::TomlError| Error::Import {
            path: file.to_path_buf(),
            message: e.message().to_string(),
            hint: None,
        })
}

/// The `[[answer]]` tables of a parsed answers file.
fn answer_tables<'d>(
    doc: &'d mut DocumentMut,
    file: &Path,
) -> Result<&'d mut toml_edit::ArrayOfTables> {
    doc.get_mut("answer")
        .and_then(Item::as_array_of_tables_mut)
        .ok_or_else(|| Error::Import {
            path: file.to_path_buf(),
            message: "has no [[answer]] tables".into(),
            hint: None,
        })
}

/// Edit one entry of an answers file in place with `toml_edit`, so comments, key order and
/// formatting survive, and write it back atomically.
fn edit_entry<T>(
    file: &Path,
    id: &str,
    edit: impl FnOnce(&mut toml_edit::Table) -> Option<T>,
) -> Result<Option<T>> {
    let mut doc = read_answers_file(file)?;
    let tables = answer_tables(&mut doc, file)?;
    let Some(table) = tables
        .iter_mut()
        .find(|t| t.get("id").and_then(Item::as_str) == Some(id))
    else {
        return Err(Error::Import {
            path: file.to_path_buf(),
            message: format!("has no entry {id:?}"),
            hint: None,
        });
    };
    let Some(result) = edit(table) else {
        return Ok(None);
    };
    replace_file(file, &doc.to_string())?;
    Ok(Some(result))
}

/// Add `values` to the string array `key` of the entry `id`, skipping those it already has
/// there or under the keys `also_known` (ignoring case and punctuation).
fn add_to_list(
    file: &Path,
    id: &str,
    key: &str,
    also_known: &[&str],
    values: &[String],
) -> Result<Vec<String>> {
    let added = edit_entry(file, id, |table| {
        let mut known: Vec<String> = Vec::new();
        for k in also_known {
            if let Some(q) = table.get(k).and_then(Item::as_str) {
                known.push(normalized(q));
            }
        }
        if let Some(arr) = table.get(key).and_then(Item::as_array) {
            known.extend(arr.iter().filter_map(|v| v.as_str()).map(normalized));
        }
        let mut added = Vec::new();
        for v in values {
            let v = v.split_whitespace().collect::<Vec<_>>().join(" ");
            if v.is_empty() || known.contains(&normalized(&v)) {
                continue;
            }
            known.push(normalized(&v));
            added.push(v);
        }
        if added.is_empty() {
            return None;
        }
        match table.get_mut(key).and_then(Item::as_array_mut) {
            Some(arr) => push_like_siblings(arr, &added),
            None => {
                let mut arr = Array::new();
                for v in &added {
                    arr.push_formatted(Value::from(v.as_str()).decorated("\n  ", ""));
                }
                arr.set_trailing_comma(true);
                arr.set_trailing("\n");
                // Insert after `question` is not possible with the table API; toml_edit
                // appends, which is still valid and readable.
                table.insert(key, Item::Value(Value::Array(arr)));
            }
        }
        Some(added)
    })?;
    Ok(added.unwrap_or_default())
}

/// Approve the proposals `ids` (every proposal when None), under the lock: each loses its
/// `proposed` mark and gets `reviewed = today`. An id that is no proposal is an error naming
/// the proposals there are. Returns the ids approved.
pub fn approve_proposals(
    root: &Path,
    ids: Option<&[String]>,
    today: crate::date::Date,
) -> Result<Vec<String>> {
    let _lock = KbLock::acquire(root)?;
    let kb = super::KnowledgeBase::load(root)?;
    let waiting: Vec<&KbEntry> = kb.entries.iter().filter(|e| e.proposed).collect();
    let chosen: Vec<&KbEntry> = match ids {
        None => waiting.clone(),
        Some(ids) => {
            let mut chosen = Vec::new();
            for id in ids {
                match waiting.iter().find(|e| &e.id == id) {
                    Some(e) => chosen.push(*e),
                    None => {
                        let names: Vec<&str> = waiting.iter().map(|e| e.id.as_str()).collect();
                        return Err(Error::Invalid {
                            what: "proposal",
                            message: format!(
                                "{id:?} is not a proposal waiting for approval; waiting: {}",
                                if names.is_empty() {
                                    "none".to_string()
                                } else {
                                    names.join(", ")
                                }
                            ),
                        });
                    }
                }
            }
            chosen
        }
    };
    // All or nothing: a failure half-way puts every approved file back.
    let mut tx = crate::atomic::Transaction::new();
    let mut approved = Vec::new();
    for e in chosen {
        let file = root.join(&e.source.path);
        tx.keep(&file)?;
        if approve(&file, &e.id, today)? {
            approved.push(e.id.clone());
        }
    }
    super::KnowledgeBase::load(root)?;
    tx.commit();
    Ok(approved)
}

/// Approve a proposal: drop its `proposed` mark and set `reviewed` to `today`. False when the
/// entry was no proposal.
fn approve(file: &Path, id: &str, today: crate::date::Date) -> Result<bool> {
    let done = edit_entry(file, id, |table| {
        table.remove("proposed")?;
        let date: toml_edit::Datetime = today.to_string().parse().ok()?;
        table.insert("reviewed", toml_edit::value(date));
        Some(())
    })?;
    Ok(done.is_some())
}

/// Add each `(entry id, answers file, phrasing)`; on a dry run nothing is written and every
/// phrasing counts as added (callers skip phrasings the entry already has). Returns the
/// `(id, phrasing)` pairs added and how many were already known.
pub fn apply_variants(
    variants: Vec<(String, PathBuf, String)>,
    dry_run: bool,
    tx: &mut crate::atomic::Transaction,
) -> Result<(Vec<(String, String)>, usize)> {
    let mut added_all = Vec::new();
    let mut known = 0;
    for (id, file, phrasing) in variants {
        let added = if dry_run {
            vec![phrasing.clone()]
        } else {
            tx.keep(&file)?;
            add_variants(&file, &id, std::slice::from_ref(&phrasing))?
        };
        if added.is_empty() {
            known += 1;
        } else {
            added_all.push((id, phrasing));
        }
    }
    Ok((added_all, known))
}

/// Push values formatted like the array's existing ones (one per line when it is multi-line).
fn push_like_siblings(arr: &mut Array, values: &[String]) {
    let prefix = arr
        .iter()
        .last()
        .and_then(|v| v.decor().prefix())
        .and_then(|p| p.as_str())
        .map(str::to_string);
    for v in values {
        match &prefix {
            Some(p) if p.contains('\n') => {
                arr.push_formatted(Value::from(v.as_str()).decorated(p.as_str(), ""))
            }
            _ => arr.push(v.as_str()),
        }
    }
}

/// The keys to set on one entry: `(id, [(key, value)])`.
pub type EntryEdit = (String, Vec<(&'static str, NewValue)>);

/// A new value for one key of an entry, as `kb import --update` sets it.
#[derive(Debug, Clone, PartialEq)]
pub enum NewValue {
    Text(String),
    List(Vec<String>),
    /// A TOML date (`reviewed`).
    Date(crate::date::Date),
}

/// Set keys of several entries of one answers file in one pass with `toml_edit` (comments,
/// key order and the other entries' formatting survive), and write it back atomically. Every
/// id must be in the file.
pub fn update_entries(file: &Path, updates: &[EntryEdit]) -> Result<()> {
    let mut doc = read_answers_file(file)?;
    let tables = answer_tables(&mut doc, file)?;
    let mut by_id: std::collections::HashMap<String, &mut toml_edit::Table> = tables
        .iter_mut()
        .filter_map(|t| Some((t.get("id")?.as_str()?.to_string(), t)))
        .collect();
    for (id, keys) in updates {
        let Some(table) = by_id.get_mut(id) else {
            return Err(Error::Import {
                path: file.to_path_buf(),
                message: format!("has no entry {id:?}"),
                hint: None,
            });
        };
        for (key, value) in keys {
            let item = match value {
                NewValue::Text(t) => toml_edit::value(t.as_str()),
                NewValue::List(items) => {
                    let mut arr = Array::new();
                    for i in items {
                        arr.push(i.as_str());
                    }
                    toml_edit::value(arr)
                }
                NewValue::Date(d) => toml_edit::value(
                    d.to_string()
                        .parse::<toml_edit::Datetime>()
                        .expect("a Date prints as a TOML date"),
                ),
            };
            // Keep the key's place and its trailing comment; a new key goes last.
            match table.get_mut(key).and_then(Item::as_value_mut) {
                Some(old) => {
                    let decor = old.decor().clone();
                    if let Ok(mut v) = item.into_value() {
                        *v.decor_mut() = decor;
                        *old = v;
                    }
                }
                None => {
                    table.insert(key, item);
                }
            }
        }
    }
    replace_file(file, &doc.to_string())
}

/// Append entries to an answers file (created with `header` when new).
pub fn append_entries(file: &Path, header: &str, entries: &[KbEntry]) -> Result<()> {
    let mut text = if file.exists() {
        std::fs::read_to_string(file).map_err(|e| Error::io("cannot read", file, e))?
    } else {
        render::file(header, &[])
    };
    if !text.ends_with("\n\n") {
        text.push('\n');
    }
    for e in entries {
        text.push_str(&render::entry(e));
    }
    replace_file(file, &text)
}

/// Write `text` to `file` through a temporary file and a rename.
pub fn replace_file(file: &Path, text: &str) -> Result<()> {
    crate::atomic::write(file, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# Crypto answers: keep this comment\n\n[[answer]]\nid = \"a\"\nquestion = \"Is data encrypted at rest?\"\nvariants = [\n  \"Encryption at rest\",\n]\nanswer = \"Yes\" # approved 2026\naudience = \"public\"\n\n[[answer]]\nid = \"b\"\nquestion = \"Are backups encrypted?\"\nanswer = \"Yes\"\naudience = \"public\"\n";

    #[test]
    fn variants_are_added_in_place_keeping_comments() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crypto.toml");
        std::fs::write(&path, FILE).unwrap();
        let added = add_variants(
            &path,
            "a",
            &[
                "Do you encrypt stored data?".into(),
                "encryption at REST".into(),
            ],
        )
        .unwrap();
        assert_eq!(
            added,
            ["Do you encrypt stored data?"],
            "known phrasings are skipped"
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("# Crypto answers: keep this comment\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "variants = [\n  \"Encryption at rest\",\n  \"Do you encrypt stored data?\",\n]"
            ),
            "{text}"
        );
        assert!(text.contains("answer = \"Yes\" # approved 2026"), "{text}");
        let added = add_variants(&path, "b", &["Backup encryption".into()]).unwrap();
        assert_eq!(added.len(), 1);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"Backup encryption\""), "{text}");
        // The file still loads.
        let entries = crate::kb::answers::parse(&text, "answers/crypto.toml", &path).unwrap();
        assert_eq!(entries[1].variants, ["Backup encryption"]);
    }

    #[test]
    fn a_variant_added_to_a_one_line_list_stays_on_that_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crypto.toml");
        let one_line = FILE.replace(
            "variants = [\n  \"Encryption at rest\",\n]",
            "variants = [\"Encryption at rest\"]",
        );
        std::fs::write(&path, one_line).unwrap();
        add_variants(&path, "a", &["Stored data encryption".into()]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("variants = [\"Encryption at rest\", \"Stored data encryption\"]\n"),
            "{text}"
        );
    }

    #[test]
    fn a_second_lock_fails_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let first = KbLock::acquire(dir.path()).unwrap();
        let err = KbLock::acquire(dir.path()).err().unwrap().to_string();
        assert!(
            err.contains("another trustfill command is changing this knowledge base"),
            "{err}"
        );
        drop(first);
        assert!(KbLock::acquire(dir.path()).is_ok());
    }
}
