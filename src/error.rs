//! Typed errors of the library. Each error says where (file, line, sheet, cell) and, through
//! [`Error::hint`], what to do about it. Commands add context with `anyhow` at the edges; `main`
//! prints the chain once, followed by the hint of the first typed error it finds.

use std::fmt;
use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One problem found in a knowledge-base file, located by path and 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KbProblem {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for KbProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path.display(), line, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{action} {path}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("knowledge base not found at {path}")]
    KbNotFound { path: PathBuf },

    #[error("knowledge base at {path} has no entries (no answers/*.toml or policies/*.md)")]
    KbEmpty { path: PathBuf },

    #[error("knowledge base has {} problem(s):\n{}", .0.len(), list(.0))]
    KbInvalid(Vec<KbProblem>),

    #[error("search index at {path}: {source}")]
    Index {
        path: PathBuf,
        #[source]
        source: tantivy::TantivyError,
    },

    #[error("cannot read {path}: {message}")]
    Spreadsheet { path: PathBuf, message: String },

    /// A file past one of the documented [`crate::limits::Limits`].
    #[error("refusing {path}: {message}")]
    Limit {
        path: PathBuf,
        message: String,
        /// The flag that raises the limit, e.g. `--max-rows`.
        flag: &'static str,
    },

    #[error(
        "{path} has an unsupported extension {ext:?}; expected one of .xlsx, .xlsm, .xls, .ods, .csv"
    )]
    UnsupportedFormat { path: PathBuf, ext: String },

    #[error("{path}: {message}")]
    Import {
        path: PathBuf,
        message: String,
        hint: Option<String>,
    },

    /// A sentence-encoder model folder, or its download, that cannot be used.
    #[error("model {path}: {message}")]
    Model {
        path: PathBuf,
        message: String,
        hint: Option<String>,
    },

    #[error("invalid value for {what}: {message}")]
    Invalid { what: &'static str, message: String },
}

fn list(problems: &[KbProblem]) -> String {
    let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
    lines.join("\n")
}

impl Error {
    /// A line telling the user what to do, printed after the error as `hint: ...`.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::KbNotFound { .. } => Some(
                "pass --kb DIR or set TRUSTFILL_KB; start a new one with `trustfill kb import LIBRARY.xlsx --kb DIR`"
                    .into(),
            ),
            Error::KbEmpty { .. } => Some(
                "add answers with `trustfill kb import LIBRARY.xlsx`, or see README.md \"Knowledge-base format\"".into(),
            ),
            Error::KbInvalid(_) => Some("fix the lines above; the index is rebuilt automatically afterwards".into()),
            Error::Index { .. } => Some("run `trustfill kb index` to rebuild it from the knowledge base".into()),
            Error::UnsupportedFormat { .. } => {
                Some("save the file as .xlsx or .csv from your spreadsheet program".into())
            }
            Error::Spreadsheet { .. } => Some(
                "check that the file opens in a spreadsheet program and is not password-protected; re-save it as .xlsx"
                    .into(),
            ),
            Error::Import { hint, .. } | Error::Model { hint, .. } => hint.clone(),
            Error::Limit { flag, .. } => Some(format!(
                "if the file is genuine, raise the limit with {flag} (see `trustfill fill --help`)"
            )),
            _ => None,
        }
    }

    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
