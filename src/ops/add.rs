//! `kb add`: one new entry from the command line, after showing the nearest existing entries so
//! nobody adds a duplicate by accident. The entry is appended to an answers file under the
//! knowledge-base lock, and the knowledge base must still load afterwards.

use std::path::Path;

use crate::error::{Error, Result};
use crate::index::KbIndex;
use crate::kb::edit::{KbLock, append_entries};
use crate::kb::{Audience, EntryKind};
use crate::kb::{KbEntry, KnowledgeBase, answers::is_valid_id};
use crate::matcher::{Candidate, MatchOptions, Matcher};

/// Coverage, both ways, above which the new question is taken to be an existing one.
const SAME_QUESTION: f32 = 0.8;

/// The entries nearest to `question`, best first (any audience: this is the team's own view).
pub fn nearest(root: &Path, question: &str) -> Result<Vec<Candidate>> {
    let (index, _) = KbIndex::open(root)?;
    let mut matcher = Matcher::new(&index);
    let found = matcher.find(
        question,
        &MatchOptions {
            audience: Audience::Internal,
            top: 3,
            review_age: None,
        },
    )?;
    Ok(found
        .into_iter()
        .filter(|c| c.entry.kind == EntryKind::Answer)
        .collect())
}

/// Append `entry` to `file` (relative to the root). Refuses an id in use, and, unless `force`,
/// a question an existing entry already asks.
pub fn add(root: &Path, file: &str, entry: KbEntry, near: &[Candidate], force: bool) -> Result<()> {
    let _lock = KbLock::acquire(root)?;
    let kb = KnowledgeBase::load(root)?;
    let fail = |message: String, hint: Option<String>| Error::Import {
        path: root.join(file),
        message,
        hint,
    };
    if !is_valid_id(&entry.id) {
        return Err(fail(
            format!(
                "invalid id {:?}: use lowercase letters, digits and '-'",
                entry.id
            ),
            None,
        ));
    }
    if let Some(existing) = kb.get(&entry.id) {
        return Err(fail(
            format!("id {:?} is already used at {}", entry.id, existing.source),
            Some("choose another --id".into()),
        ));
    }
    if let Some(same) = near.iter().find(|c| c.signals.alike() >= SAME_QUESTION)
        && !force
    {
        return Err(fail(
            format!(
                "{:?} already asks this question ({}: {:?})",
                same.entry.id, same.entry.source, same.entry.question
            ),
            Some(format!(
                "add your phrasing to the variants of {} instead, or pass --force to add a separate entry",
                same.entry.id
            )),
        ));
    }
    if !file.starts_with("answers/") || !file.ends_with(".toml") || file.contains("..") {
        return Err(fail("--file must be answers/NAME.toml".into(), None));
    }
    append_entries(
        &root.join(file),
        "Entries added with `trustfill kb add`.",
        std::slice::from_ref(&entry),
    )?;
    KnowledgeBase::load(root).map(|_| ())
}
