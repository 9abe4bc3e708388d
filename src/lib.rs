//! trustfill drafts answers to security questionnaires from a reviewed knowledge base.
//!
//! The library owns all domain logic; `src/main.rs` only parses the command line, dispatches to
//! [`cmd`] and turns the result into an exit code. Module map (see ARCHITECTURE.md):
//!
//! - [`kb`]: the knowledge base on disk: answer files, policy documents, settings, edits, lock,
//!   fingerprint.
//! - [`ops`]: operations on the knowledge base that need the matcher, questionnaires or reviews:
//!   check, add, import and harvest, learn, stats and export.
//! - [`fill`]: drafting a questionnaire, its review workbook, and finalize.
//! - [`index`]: the tantivy index derived from the knowledge base, rebuilt when stale.
//! - [`matcher`]: question in, ranked [`matcher::Candidate`]s with a [`matcher::Confidence`] out.
//! - [`text`]: analysis shared by the index and the matcher (clean-up, terms).
//! - [`thesaurus`]: the security vocabulary that maps synonyms onto one term.
//! - [`workbook`]: reading spreadsheets (xlsx, xls, ods, csv) into plain cell grids.
//! - [`cellref`]: Excel-style cell references for messages.
//! - [`output`]: everything printed goes through one [`output::Output`].
//! - [`present`]: how candidates look in a terminal and in JSON.
//! - [`cmd`]: the command line: one file per subcommand, glue only.

pub mod atomic;
pub mod cellref;
pub mod cmd;
pub mod container;
pub mod date;
pub mod docx;
pub mod encoder;
pub mod error;
pub mod eval;
pub mod fault;
pub mod fill;
pub mod grid;
pub mod hash;
pub mod index;
pub mod kb;
pub mod limits;
pub mod lines;
pub mod matcher;
#[cfg(feature = "semantic")]
pub mod model;
pub mod ops;
pub mod output;
pub mod pdf;
pub mod present;
pub mod questionnaire;
pub mod text;
pub mod thesaurus;
pub mod workbook;
pub mod xlsx;

pub use error::{Error, Result};
