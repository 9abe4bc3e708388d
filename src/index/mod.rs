//! The search index: a tantivy index derived from the knowledge base, never trusted blindly.
//!
//! It lives in `<kb>/.trustfill-index/v<SCHEMA>-<fingerprint>/`, a git-ignored cache. The folder
//! name *is* the stamp: schema version plus the knowledge base's content [`fingerprint`]. Opening
//! recomputes the fingerprint (a hash of the files, no parsing); if no folder matches, the
//! knowledge base is loaded, validated and indexed into a temporary folder that is renamed into
//! place only when complete, so a crash or a concurrent run never leaves a half-built index that
//! looks valid. A folder that fails to open is deleted and rebuilt. Old folders are removed.
//!
//! This module owns the schema and the stored fields; ranking and confidence live in
//! [`crate::matcher`].

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TantivyDocument, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Searcher};

pub mod vectors;

use crate::encoder::Embedder;
use crate::error::{Error, Result};
use crate::kb::{self, Audience, EntryKind, KbEntry, KnowledgeBase};
use crate::text::{self, Analyzer};
use crate::thesaurus::Thesaurus;
use std::sync::Arc;

/// Bump when the schema or the analysis changes: every existing index is then rebuilt.
pub const SCHEMA_VERSION: u32 = 9;
/// Cache folder inside the knowledge base.
pub const CACHE_DIR: &str = ".trustfill-index";
const READY_FILE: &str = "READY";

/// Handles to the schema's fields. `*_terms` fields are indexed (pre-analyzed text, see
/// [`text::Analyzer`]); the others are stored for display.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub id: Field,
    pub kind: Field,
    pub audience: Field,
    /// Question and variants, one value each; the first value is the canonical question.
    pub question: Field,
    pub question_terms: Field,
    pub answer: Field,
    pub comment: Field,
    /// The answer's and the comment's analyzed terms: what the entry says, wherever the library
    /// keeps it (an imported library often has one column of prose and no comment).
    pub comment_terms: Field,
    pub tags: Field,
    pub tags_terms: Field,
    /// The phrasings, the answer and the comment as surface words ([`text::words_tokenizer`]: no stemming,
    /// no thesaurus, no clean-up): a second, differently built ranking whose agreement with the
    /// first is evidence (see [`crate::matcher`]).
    pub words: Field,
    pub owner: Field,
    pub reviewed: Field,
    pub source: Field,
    pub line: Field,
    /// The entry's references as written (stored), their ids ([`text::ref_id`], indexed) and
    /// its phrasings' [`text::exact_key`]s (indexed): exact reuse looks these up.
    pub refs: Field,
    pub ref_ids: Field,
    pub exact: Field,
    /// Questions the entry was rejected for, and whether it is an unapproved proposal.
    pub rejected: Field,
    pub proposed: Field,
}

impl Fields {
    fn schema() -> (Schema, Fields) {
        let mut b = Schema::builder();
        // Stored too: re-ranking reads the analyzed terms back instead of re-analyzing every
        // candidate (stemming was most of the time per question before this).
        let terms = TextOptions::default()
            .set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(text::TERMS_TOKENIZER)
                    .set_index_option(IndexRecordOption::WithFreqs),
            )
            .set_stored();
        let fields = Fields {
            id: b.add_text_field("id", STRING | STORED),
            kind: b.add_text_field("kind", STRING | STORED),
            audience: b.add_text_field("audience", STRING | STORED),
            question: b.add_text_field("question", STORED),
            question_terms: b.add_text_field("question_terms", terms.clone()),
            answer: b.add_text_field("answer", STORED),
            comment: b.add_text_field("comment", STORED),
            comment_terms: b.add_text_field("comment_terms", terms.clone()),
            tags: b.add_text_field("tags", STORED),
            tags_terms: b.add_text_field("tags_terms", terms),
            words: b.add_text_field(
                "words",
                TextOptions::default().set_indexing_options(
                    TextFieldIndexing::default()
                        .set_tokenizer(text::WORDS_TOKENIZER)
                        .set_index_option(IndexRecordOption::WithFreqs),
                ),
            ),
            owner: b.add_text_field("owner", STORED),
            reviewed: b.add_text_field("reviewed", STORED),
            source: b.add_text_field("source", STORED),
            line: b.add_u64_field("line", STORED),
            refs: b.add_text_field("refs", STORED),
            ref_ids: b.add_text_field("ref_ids", STRING),
            exact: b.add_text_field("exact", STRING),
            rejected: b.add_text_field("rejected", STORED),
            proposed: b.add_text_field("proposed", STRING | STORED),
        };
        (b.build(), fields)
    }
}

/// How the index was obtained, for the status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// An up-to-date index was opened as it was.
    Reused,
    /// The index was (re)built; `entries` were indexed in `took`.
    Built { entries: usize, took: Duration },
}

/// Decompressed blocks of stored entries a reader keeps (tantivy's default is 100). A
/// questionnaire reads back most of a large library's entries in no order, and with 100
/// blocks a 10,000-entry library's were decompressed again and again: matching 1,000
/// questions took 0.55 s, 0.42 s with 1,000 blocks (8 MB more at peak). A block holds
/// about 16 KB, so the cache stays below 16 MB whatever the library's size.
const DOC_STORE_BLOCKS: usize = 1_000;

/// An open index over one knowledge base.
pub struct KbIndex {
    pub root: PathBuf,
    pub fingerprint: String,
    pub fields: Fields,
    /// The folder of this version of the index.
    dir: PathBuf,
    thesaurus: Arc<Thesaurus>,
    reader: IndexReader,
    /// With a model: the model and the library's vectors.
    semantic: Option<Semantic>,
    /// Texts embedded while opening (not taken from the cache), and how long that took.
    pub embedded: Option<(usize, Duration)>,
}

/// The semantic half of an open index: the model, to embed questions, and the library's vectors.
pub struct Semantic {
    pub embedder: Arc<dyn Embedder>,
    pub vectors: vectors::EntryVectors,
}

/// A stored entry as read back from the index (what `ask` shows; no parsing of the files).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEntry {
    pub id: String,
    pub kind: EntryKind,
    pub audience: Audience,
    pub question: String,
    pub variants: Vec<String>,
    pub answer: Option<String>,
    pub comment: String,
    pub tags: Vec<String>,
    pub owner: Option<String>,
    pub reviewed: Option<String>,
    pub source: String,
    pub line: usize,
    pub refs: Vec<String>,
    pub rejected: Vec<String>,
    pub proposed: bool,
    /// The analyzed terms, as indexed: one string per phrasing (question first), the answer's
    /// and comment's together, and the tags'.
    pub terms: StoredTerms,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct StoredTerms {
    pub phrasings: Vec<String>,
    pub comment: String,
    pub tags: Vec<String>,
}

impl KbIndex {
    /// Open the index of the knowledge base at `root`, building it first when missing or stale.
    /// Words only: see [`KbIndex::open_with`] for semantic matching.
    pub fn open(root: &Path) -> Result<(KbIndex, Freshness)> {
        Self::open_with(root, None, &mut |_, _| {})
    }

    /// [`KbIndex::open`], and with a model its vectors of the library: read from the index
    /// folder, or computed (texts already embedded are taken from the cache) with
    /// `progress(done, total)` counting texts embedded.
    pub fn open_with(
        root: &Path,
        model: Option<Arc<dyn Embedder>>,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<(KbIndex, Freshness)> {
        let fingerprint = kb::fingerprint(root)?;
        let dir = index_dir(root, &fingerprint);
        if dir.join(READY_FILE).is_file() {
            // Held while the folder is opened and its vectors read, so that no other process
            // prunes it meanwhile (pruning needs the lock exclusively; see [`remove_stale`]).
            let reading = BuildLock::shared(&root.join(CACHE_DIR)).ok();
            let thesaurus = Arc::new(Thesaurus::load(root, &mut text::english())?);
            match Self::open_dir(root, &dir, &fingerprint, thesaurus) {
                Ok(mut index) => {
                    if let Some(model) = model {
                        index.attach(model, None, progress)?;
                    }
                    return Ok((index, Freshness::Reused));
                }
                // A damaged cache is not the user's problem: drop it and rebuild below.
                Err(_) => {
                    drop(reading);
                    remove_dir(&dir)?;
                }
            }
        }
        let (mut index, freshness, kb) = Self::build(root, &fingerprint)?;
        if let Some(model) = model {
            index.attach(model, kb, progress)?;
        }
        Ok((index, freshness))
    }

    /// Rebuild the index from scratch, whatever state it is in (the vectors too, though texts
    /// already embedded come from the cache).
    pub fn rebuild(
        root: &Path,
        model: Option<Arc<dyn Embedder>>,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<(KbIndex, Freshness)> {
        let fingerprint = kb::fingerprint(root)?;
        let dir = index_dir(root, &fingerprint);
        if dir.exists() {
            remove_dir(&dir)?;
        }
        let (mut index, freshness, kb) = Self::build(root, &fingerprint)?;
        if let Some(model) = model {
            index.attach(model, kb, progress)?;
        }
        Ok((index, freshness))
    }

    /// Read or compute the library's vectors for `model`.
    fn attach(
        &mut self,
        model: Arc<dyn Embedder>,
        kb: Option<KnowledgeBase>,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<()> {
        let path = vectors::vectors_path(&self.dir, model.identity());
        let vectors = match vectors::EntryVectors::load(&path) {
            Some(v) if v.dim == model.dim() => v,
            _ => {
                let start = Instant::now();
                let kb = match kb {
                    Some(kb) => kb,
                    None => KnowledgeBase::load(&self.root)?,
                };
                let cache_path = vectors::cache_path(&self.root.join(CACHE_DIR), model.identity());
                let cache = vectors::load_cache(&cache_path);
                let mut embedded = 0;
                let (v, used) = vectors::EntryVectors::compute(
                    &kb.entries,
                    model.as_ref(),
                    &cache,
                    &mut |d, t| {
                        embedded = t;
                        progress(d, t)
                    },
                )?;
                // Best effort: another process may have replaced this index folder meanwhile;
                // the vectors are good for this run either way.
                let _ = v.save(&path);
                let _ = vectors::save_cache(&cache_path, v.dim, &used);
                self.embedded = Some((embedded, start.elapsed()));
                v
            }
        };
        self.semantic = Some(Semantic {
            embedder: model,
            vectors,
        });
        Ok(())
    }

    /// The model and the library's vectors, when opened with a model.
    pub fn semantic(&self) -> Option<&Semantic> {
        self.semantic.as_ref()
    }

    fn build(
        root: &Path,
        fingerprint: &str,
    ) -> Result<(KbIndex, Freshness, Option<KnowledgeBase>)> {
        let start = Instant::now();
        let kb = KnowledgeBase::load(root)?;
        let thesaurus = Arc::new(Thesaurus::load(root, &mut text::english())?);
        let cache = root.join(CACHE_DIR);
        std::fs::create_dir_all(&cache).map_err(|e| Error::io("cannot create", &cache, e))?;
        // The cache ignores itself, so a knowledge base in any git repository stays clean.
        let ignore = cache.join(".gitignore");
        if !ignore.exists() {
            std::fs::write(&ignore, "*\n").map_err(|e| Error::io("cannot write", &ignore, e))?;
        }
        // Held for the whole build, so no other process takes our folder for abandoned.
        let building = BuildLock::shared(&cache)?;
        let tmp = tempfile::Builder::new()
            .prefix("building-")
            .tempdir_in(&cache)
            .map_err(|e| Error::io("cannot create a temporary folder in", &cache, e))?;
        write_index(
            tmp.path(),
            &kb.entries,
            &mut Analyzer::new(thesaurus.clone()),
        )?;
        std::fs::write(tmp.path().join(READY_FILE), fingerprint)
            .map_err(|e| Error::io("cannot write", tmp.path().join(READY_FILE), e))?;
        let dir = index_dir(root, fingerprint);
        let tmp_path = tmp.keep();
        if let Err(e) = std::fs::rename(&tmp_path, &dir) {
            // Another process finished the same build first: use theirs, drop ours.
            let _ = std::fs::remove_dir_all(&tmp_path);
            if !dir.join(READY_FILE).is_file() {
                return Err(Error::io("cannot move the new index into", &dir, e));
            }
        }
        // Opened before the hold is let go: another process's pruning waits for it.
        let index = Self::open_dir(root, &dir, fingerprint, thesaurus)?;
        drop(building);
        remove_stale(&cache, &dir);
        let freshness = Freshness::Built {
            entries: kb.entries.len(),
            took: start.elapsed(),
        };
        Ok((index, freshness, Some(kb)))
    }

    fn open_dir(
        root: &Path,
        dir: &Path,
        fingerprint: &str,
        thesaurus: Arc<Thesaurus>,
    ) -> Result<KbIndex> {
        let err = |source| Error::Index {
            path: dir.to_path_buf(),
            source,
        };
        let index = Index::open_in_dir(dir).map_err(err)?;
        register_tokenizers(&index);
        let (expected, fields) = Fields::schema();
        if index.schema() != expected {
            return Err(err(tantivy::TantivyError::SchemaError(
                "index schema differs from this version of trustfill".into(),
            )));
        }
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .doc_store_cache_num_blocks(DOC_STORE_BLOCKS)
            .try_into()
            .map_err(err)?;
        Ok(KbIndex {
            root: root.to_path_buf(),
            fingerprint: fingerprint.to_string(),
            fields,
            dir: dir.to_path_buf(),
            thesaurus,
            reader,
            semantic: None,
            embedded: None,
        })
    }

    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// A fresh analyzer identical to the one the index was built with.
    pub fn analyzer(&self) -> Analyzer {
        Analyzer::new(self.thesaurus.clone())
    }

    /// Read an entry's stored fields back.
    pub fn stored(&self, searcher: &Searcher, addr: DocAddress) -> Result<StoredEntry> {
        let doc: TantivyDocument = searcher.doc(addr).map_err(|source| Error::Index {
            path: self.root.join(CACHE_DIR),
            source,
        })?;
        let f = &self.fields;
        let first = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let all = |field| {
            doc.get_all(field)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect::<Vec<_>>()
        };
        let mut phrasings = all(f.question);
        let question = if phrasings.is_empty() {
            String::new()
        } else {
            phrasings.remove(0)
        };
        let kind = if first(f.kind) == "policy" {
            EntryKind::Policy
        } else {
            EntryKind::Answer
        };
        Ok(StoredEntry {
            id: first(f.id),
            kind,
            audience: first(f.audience).parse().unwrap_or(Audience::Internal),
            question,
            variants: phrasings,
            answer: Some(first(f.answer)).filter(|a| kind == EntryKind::Answer && !a.is_empty()),
            comment: first(f.comment),
            tags: all(f.tags),
            owner: Some(first(f.owner)).filter(|o| !o.is_empty()),
            reviewed: Some(first(f.reviewed)).filter(|r| !r.is_empty()),
            source: first(f.source),
            line: doc.get_first(f.line).and_then(|v| v.as_u64()).unwrap_or(0) as usize,
            refs: all(f.refs),
            rejected: all(f.rejected),
            proposed: first(f.proposed) == "yes",
            terms: StoredTerms {
                phrasings: all(f.question_terms),
                comment: first(f.comment_terms),
                tags: all(f.tags_terms),
            },
        })
    }

    /// Where the entry `id` is in `searcher`'s snapshot.
    pub fn address_of(&self, searcher: &Searcher, id: &str) -> Result<Option<DocAddress>> {
        use tantivy::collector::TopDocs;
        use tantivy::query::TermQuery;
        let query = TermQuery::new(
            tantivy::Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let hits = searcher
            .search(&query, &TopDocs::with_limit(1).order_by_score())
            .map_err(|source| Error::Index {
                path: self.dir.clone(),
                source,
            })?;
        Ok(hits.first().map(|(_, addr)| *addr))
    }
}

fn write_index(dir: &Path, entries: &[KbEntry], analyzer: &mut Analyzer) -> Result<()> {
    let err = |source| Error::Index {
        path: dir.to_path_buf(),
        source,
    };
    let (schema, f) = Fields::schema();
    let index = Index::create_in_dir(dir, schema).map_err(err)?;
    register_tokenizers(&index);
    let mut writer = index
        .writer_with_num_threads::<TantivyDocument>(1, 50_000_000)
        .map_err(err)?;
    for e in entries {
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, &e.id);
        doc.add_text(f.kind, e.kind.as_str());
        doc.add_text(f.audience, e.audience.as_str());
        for phrasing in e.phrasings() {
            doc.add_text(f.question, phrasing);
            doc.add_text(f.question_terms, analyzer.index_text(phrasing));
        }
        doc.add_text(f.answer, e.answer.as_deref().unwrap_or(""));
        doc.add_text(f.comment, &e.comment);
        let said = match e.answer.as_deref() {
            Some(a) => format!("{a}\n{}", e.comment),
            None => e.comment.clone(),
        };
        doc.add_text(f.comment_terms, analyzer.index_text(&said));
        for text in e.phrasings().chain(std::iter::once(said.as_str())) {
            doc.add_text(f.words, text);
        }
        for tag in &e.tags {
            doc.add_text(f.tags, tag);
            doc.add_text(f.tags_terms, analyzer.index_text(tag));
        }
        doc.add_text(f.owner, e.owner.as_deref().unwrap_or(""));
        doc.add_text(
            f.reviewed,
            e.reviewed.map(|d| d.to_string()).unwrap_or_default(),
        );
        doc.add_text(f.source, &e.source.path);
        doc.add_u64(f.line, e.source.line as u64);
        for r in &e.refs {
            doc.add_text(f.refs, r);
            doc.add_text(f.ref_ids, text::ref_id(r));
        }
        for phrasing in e.phrasings() {
            doc.add_text(f.exact, text::exact_key(phrasing));
        }
        for r in &e.rejected {
            doc.add_text(f.rejected, r);
        }
        doc.add_text(f.proposed, if e.proposed { "yes" } else { "no" });
        writer.add_document(doc).map_err(err)?;
    }
    writer.commit().map_err(err)?;
    writer.wait_merging_threads().map_err(err)?;
    Ok(())
}

fn index_dir(root: &Path, fingerprint: &str) -> PathBuf {
    root.join(CACHE_DIR)
        .join(format!("v{SCHEMA_VERSION}-{fingerprint}"))
}

/// Remove a damaged index folder; one already gone (another process removed it) is no error.
fn remove_dir(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(Error::io("cannot remove the damaged index", dir, e))
        }
        _ => Ok(()),
    }
}

/// Every build holds this lock shared from before it creates its `building-*` folder until the
/// new index is open, and every reader while it opens an index folder. Whoever takes it
/// exclusively therefore knows that no build or open is in progress: any `building-*` folder it
/// finds was left by a process that died, and no folder it removes is being read.
/// Liveness is told by the lock, which the system releases when a process ends however it ends,
/// never by a folder's age: file times come from the file system's clock, which need not agree
/// with ours (a knowledge base on a shared drive, a clock that jumped).
struct BuildLock {
    _file: std::fs::File,
}

const BUILD_LOCK_FILE: &str = "build.lock";

impl BuildLock {
    fn open(cache: &Path) -> Result<std::fs::File> {
        let path = cache.join(BUILD_LOCK_FILE);
        std::fs::File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io("cannot create", path, e))
    }

    /// Wait for a shared hold (only a cleanup holds it exclusively, and briefly).
    fn shared(cache: &Path) -> Result<BuildLock> {
        let file = Self::open(cache)?;
        file.lock_shared()
            .map_err(|e| Error::io("cannot lock", cache.join(BUILD_LOCK_FILE), e))?;
        Ok(BuildLock { _file: file })
    }

    /// The exclusive hold, only when no build is in progress.
    fn exclusive_if_idle(cache: &Path) -> Option<BuildLock> {
        let file = Self::open(cache).ok()?;
        file.try_lock().ok()?;
        Some(BuildLock { _file: file })
    }
}

/// Best effort, and only when no other process builds or opens an index of this knowledge
/// base (the [`BuildLock`] is free to take exclusively): remove index folders of older
/// fingerprints and the `building-*` folders of builds that died. A busy cache is left to a
/// later run: pruning a folder another process is opening made its `ask` fail ("meta.json"
/// missing) about one run in 300 while answers were being edited.
fn remove_stale(cache: &Path, keep: &Path) {
    let Some(_idle) = BuildLock::exclusive_if_idle(cache) else {
        return;
    };
    let Ok(listing) = std::fs::read_dir(cache) else {
        return;
    };
    for item in listing.flatten() {
        let path = item.path();
        if path == keep || !path.is_dir() {
            continue;
        }
        let name = item.file_name().to_string_lossy().into_owned();
        if name.starts_with('v') || name.starts_with("building-") {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// The two tokenizers the schema names; tantivy needs them to index and to query.
fn register_tokenizers(index: &Index) {
    let tokenizers = index.tokenizers();
    tokenizers.register(text::TERMS_TOKENIZER, text::terms_tokenizer());
    tokenizers.register(text::WORDS_TOKENIZER, text::words_tokenizer());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A build in progress keeps its folder whatever the folder's age says: here its time is
    /// set to 1970, as a clock disagreement between machine and file system would make it look.
    /// Once the build's lock is gone (its process died), the folder is cleaned up.
    #[test]
    fn a_build_in_progress_is_told_by_its_lock_not_by_its_age() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path();
        let keep = cache.join("v1-current");
        std::fs::create_dir(&keep).unwrap();
        let old = cache.join("v1-older");
        std::fs::create_dir(&old).unwrap();

        let building = BuildLock::shared(cache).unwrap();
        let folder = cache.join("building-in-progress");
        std::fs::create_dir(&folder).unwrap();
        std::fs::File::open(&folder)
            .unwrap()
            .set_modified(std::time::UNIX_EPOCH)
            .unwrap();
        remove_stale(cache, &keep);
        assert!(folder.is_dir(), "a live build's folder was removed");
        // Nor is anything else pruned while another process builds or opens an index: it
        // may be opening the older folder.
        assert!(
            old.is_dir(),
            "an older index was pruned while the cache was busy"
        );
        assert!(keep.is_dir());

        drop(building);
        remove_stale(cache, &keep);
        assert!(!folder.exists(), "an abandoned build's folder stays");
        assert!(!old.exists(), "an older index stays once the cache is idle");
        assert!(keep.is_dir());
    }
}
