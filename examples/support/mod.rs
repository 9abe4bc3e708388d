//! What the evaluation examples share: the labeled sets, their cold versions, and the model.
//!
//! A *cold* library is a labeled set's knowledge base as a team's first library looks: every
//! answer written out as a spreadsheet row without its variants and brought in through
//! `kb import` (policies copied as they are). The labels still apply, since import keeps the
//! ID column. Cold copies are written under `target/eval/` and reused between runs while the
//! source library is unchanged, so their index and vectors are built once.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use trustfill::encoder::Embedder;
use trustfill::index::KbIndex;
use trustfill::kb::{EntryKind, KnowledgeBase};

pub struct Set {
    pub name: String,
    pub labels: PathBuf,
    pub kb: PathBuf,
    pub sources: Option<PathBuf>,
}

/// The labeled sets in the repository; the real-questionnaire set only where
/// `../shared/questionnaires` is present. With `cold`, each set's cold version follows it.
pub fn sets(cold: bool) -> Vec<Set> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/questionnaires");
    let mut warm = vec![
        Set {
            name: "shipped KB".into(),
            labels: root.join("fixtures/eval/shipped-kb-labels.csv"),
            kb: root.join("knowledge-base"),
            sources: None,
        },
        Set {
            name: "second library".into(),
            labels: root.join("fixtures/eval/company-b/labels.csv"),
            kb: root.join("fixtures/eval/company-b"),
            sources: None,
        },
    ];
    if shared.is_dir() {
        warm.push(Set {
            name: "real questionnaires".into(),
            labels: root.join("fixtures/eval/real-questionnaires.csv"),
            kb: root.join("knowledge-base"),
            sources: Some(shared),
        });
    } else {
        eprintln!(
            "note: {} is absent; leaving out the real-questionnaire set",
            shared.display()
        );
    }
    if !cold {
        return warm;
    }
    let held = held_out();
    let mut out = Vec::new();
    for set in warm {
        let cold_kb = cold_copy(&set.kb);
        let name = format!("{}, cold", set.name);
        let labels = set.labels.clone();
        let sources = set.sources.clone();
        out.push(set);
        out.push(Set {
            name,
            labels,
            kb: cold_kb,
            sources,
        });
    }
    out.extend(held);
    out
}

/// The libraries nobody tuned on (`fixtures/eval/cold/`: written blind, labeled against
/// questionnaire families the project never saw), each imported from its CSV as a first
/// library is. Report on them; never fit or tune on them. Only where the questionnaires are in
/// `../corpus` (see `fixtures/eval/cold/SOURCES.md` to rebuild it).
pub fn held_out() -> Vec<Set> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("../corpus");
    if !corpus.is_dir() {
        eprintln!(
            "note: {} is absent; leaving out the held-out cold libraries (see fixtures/eval/cold/SOURCES.md)",
            corpus.display()
        );
        return Vec::new();
    }
    [
        ("payroll", "held out: payroll"),
        ("meddevice", "held out: medical devices"),
    ]
    .into_iter()
    .map(|(dir, name)| {
        let folder = root.join("fixtures/eval/cold").join(dir);
        Set {
            name: name.into(),
            labels: folder.join("labels.csv"),
            kb: import_csv(&folder.join("library.csv"), dir),
            sources: Some(corpus.clone()),
        }
    })
    .collect()
}

/// A knowledge base imported from the library `csv` with `kb import`, under `target/eval/`,
/// reused while the CSV is unchanged.
pub fn import_csv(csv: &Path, name: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dest = root.join("target/eval").join(format!("held-out-{name}"));
    let library = std::fs::read(csv).expect("library csv");
    let stamp = dest.join("source.csv");
    if std::fs::read(&stamp).ok().as_deref() == Some(library.as_slice()) {
        return dest;
    }
    let _ = std::fs::remove_dir_all(&dest);
    std::fs::create_dir_all(&dest).unwrap();
    import_first_library(csv, &dest);
    std::fs::write(&stamp, &library).unwrap();
    dest
}

/// `kb import` of the library `csv` into `dest` as a team's first library: rows without an
/// audience public, no owner, the day the labeled sets are evaluated on.
fn import_first_library(csv: &Path, dest: &Path) {
    let plan = trustfill::ops::import::ImportPlan {
        source: csv.to_path_buf(),
        kb: dest.to_path_buf(),
        default_audience: trustfill::kb::Audience::Public,
        owner: None,
        name: Some("library".into()),
        limits: Default::default(),
        today: "2026-11-02".parse().unwrap(),
        reviewed: None,
        update: false,
        dry_run: false,
    };
    if let Err(e) = trustfill::ops::import::import_library(&plan) {
        panic!("kb import of {}: {e}", csv.display());
    }
}

/// The cold copy of the knowledge base at `kb` (see the module's documentation).
pub fn cold_copy(kb: &Path) -> PathBuf {
    copy_imported(kb, Style::Cold)
}

/// How [`copy_imported`] writes a library out.
#[derive(Clone, Copy, PartialEq)]
pub enum Style {
    /// As it is, less variants.
    Cold,
    /// Answer and comment in one cell of prose ("Yes. All customer data is encrypted …"), no
    /// tags.
    OneColumn,
    /// As `OneColumn`, and a bare "Yes" left out: the cell is the statement alone ("All
    /// customer data is encrypted …"), as many libraries put it.
    Statements,
}

/// The cold sets (`sets(true)` less the warm ones) as libraries kept in one answer column
/// (`style` [`Style::OneColumn`] or [`Style::Statements`]), imported with `kb import`, as many
/// teams' answer libraries are exported.
pub fn one_column(sets: Vec<Set>, style: Style) -> Vec<Set> {
    let label = match style {
        Style::Statements => "one column of statements",
        _ => "one column",
    };
    sets.into_iter()
        .filter(|s| s.name.ends_with(", cold") || s.name.starts_with("held out"))
        .map(|s| Set {
            name: format!("{}, {label}", s.name),
            kb: copy_imported(&s.kb, style),
            ..s
        })
        .collect()
}

/// The answers of the knowledge base at `kb` written out as a spreadsheet and imported under
/// `target/eval/<style>-<name>` (policies copied as they are), written in `style`.
fn copy_imported(kb: &Path, style: Style) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let name = kb.file_name().unwrap().to_string_lossy().into_owned();
    let prefix = match style {
        Style::Cold => "cold",
        Style::OneColumn => "one-column",
        Style::Statements => "statements",
    };
    let dest = root.join("target/eval").join(format!("{prefix}-{name}"));
    let loaded = KnowledgeBase::load(kb).expect("knowledge base");
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record([
        "ID", "Question", "Answer", "Comment", "Tags", "Audience", "Owner", "Reviewed",
    ])
    .unwrap();
    for e in loaded
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Answer)
    {
        let answer = e.answer.as_deref().unwrap_or_default();
        let (answer, comment, tags) = if style != Style::Cold {
            let bare_yes = style == Style::Statements && answer.eq_ignore_ascii_case("yes");
            let prose = match (answer.trim_end_matches('.'), e.comment.as_str()) {
                (a, "") => a.to_string(),
                (_, c) if bare_yes => c.to_string(),
                ("", c) => c.to_string(),
                (a, c) => format!("{a}. {c}"),
            };
            (prose, String::new(), String::new())
        } else {
            (answer.to_string(), e.comment.clone(), e.tags.join(", "))
        };
        csv.write_record([
            e.id.as_str(),
            &e.question,
            &answer,
            &comment,
            &tags,
            e.audience.as_str(),
            e.owner.as_deref().unwrap_or_default(),
            &e.reviewed.map(|d| d.to_string()).unwrap_or_default(),
        ])
        .unwrap();
    }
    let library = csv.into_inner().unwrap();
    let stamp = dest.join("source.csv");
    if std::fs::read(&stamp).ok().as_deref() == Some(library.as_slice()) {
        return dest;
    }
    let _ = std::fs::remove_dir_all(dest.join("answers"));
    let _ = std::fs::remove_dir_all(dest.join("policies"));
    std::fs::create_dir_all(&dest).unwrap();
    let import_from = dest.join("library.csv");
    std::fs::write(&import_from, &library).unwrap();
    import_first_library(&import_from, &dest);
    std::fs::remove_file(&import_from).unwrap();
    if kb.join("policies").is_dir() {
        std::fs::create_dir_all(dest.join("policies")).unwrap();
        for f in std::fs::read_dir(kb.join("policies")).unwrap().flatten() {
            std::fs::copy(f.path(), dest.join("policies").join(f.file_name())).unwrap();
        }
    }
    std::fs::write(&stamp, &library).unwrap();
    dest
}

/// `--model DIR` (or `TRUSTFILL_MODEL`) from the command line: the model to evaluate with.
pub fn model(args: &mut Vec<String>) -> Option<Arc<dyn Embedder>> {
    let dir = match args.iter().position(|a| a == "--model") {
        Some(i) => {
            args.remove(i);
            Some(PathBuf::from(args.remove(i)))
        }
        None => std::env::var_os("TRUSTFILL_MODEL").map(PathBuf::from),
    }?;
    #[cfg(feature = "semantic")]
    {
        let encoder = trustfill::encoder::Encoder::load(&dir).expect("the model loads");
        eprintln!("with the model in {}", dir.display());
        Some(Arc::new(encoder))
    }
    #[cfg(not(feature = "semantic"))]
    panic!(
        "--model {}: built without the semantic feature",
        dir.display()
    )
}

/// Whether `flag` is among the arguments (and take it out).
pub fn flag(args: &mut Vec<String>, flag: &str) -> bool {
    match args.iter().position(|a| a == flag) {
        Some(i) => {
            args.remove(i);
            true
        }
        None => false,
    }
}

pub fn open(kb: &Path, model: Option<&Arc<dyn Embedder>>) -> KbIndex {
    let (index, _) =
        KbIndex::open_with(kb, model.cloned(), &mut |_, _| {}).expect("knowledge base opens");
    index
}
