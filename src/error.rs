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

    #[error("knowledge base has {} problem{}:\n{}", .0.len(), if .0.len() == 1 { "" } else { "s" }, list(.0))]
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
        "{path} has an unsupported extension {ext:?}; expected one of .xlsx, .xlsm, .xls, .ods, .csv, .docx, .pdf"
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

    /// A path given on the command line that is missing or is not a file.
    #[error("{} {}", path.display(), if path.is_dir() { "is a folder, not a file" } else { "does not exist" })]
    NotAFile { path: PathBuf },
}

/// What to do about a Word document that cannot be read, by its cause: Word's own menus,
/// never "save a copy as .xlsx".
fn word_hint(message: &str) -> &'static str {
    if message.contains("empty (0 bytes)") {
        "the file has nothing in it, often a download or copy that did not finish: download or save it again"
    } else if message.contains("password-protected") {
        "open it with its password in Word (File > Info > Protect Document > Encrypt with Password), clear the password and save a copy; trustfill never reads encrypted files"
    } else if message.contains("although it is named") {
        "the name does not match the content: save it from the program that made it as a Word document (.docx), or give it its real extension"
    } else if message.contains("no word/document.xml") {
        "this zip file is not a Word document: check that it is the questionnaire, or open it in Word and save it as a Word document (.docx)"
    } else if message.contains("no table with text") {
        "put the questions in a table (question, answer and comment columns) or number them as paragraphs (\"1. …?\")"
    } else if message.contains("damaged") || message.contains("not a readable") {
        "open it in Word (which offers to repair it) and save a copy as a Word document (.docx); if it does not open, ask the sender for a new copy"
    } else {
        "check that the file opens in Word; save a copy as a Word document (.docx) and try that"
    }
}

/// What to do about a PDF that cannot be read, by its cause.
fn pdf_hint(message: &str) -> &'static str {
    if message.contains("password-protected") {
        "trustfill never decrypts files: ask the sender for a copy without a password, or for the questionnaire as a spreadsheet"
    } else if message.contains("found no questions") {
        "trustfill reads PDF forms, tables of questions keyed by ids (a completed CAIQ, a PCI SAQ) and numbered questions; a scanned PDF has no text to read: ask for the questionnaire as a spreadsheet or Word document"
    } else {
        "open it in a PDF viewer to check it is readable; if it is, ask the sender for the questionnaire as a spreadsheet or Word document"
    }
}

/// What to do about a spreadsheet that cannot be read, by its cause.
fn spreadsheet_hint(message: &str) -> &'static str {
    if message.contains("empty (0 bytes)") {
        "the file has nothing in it, often a download or copy that did not finish: download or save it again"
    } else if message.contains("password-protected") {
        "open it with its password in Excel (File > Info > Protect Workbook > Encrypt with Password), clear the password and save a copy; trustfill never reads encrypted files"
    } else if message.contains("although it is named") {
        "the name does not match the content: save it from the program that made it as .xlsx, or give it its real extension"
    } else if message.contains("no table with text") {
        "put the questions in a table (question, answer and comment columns) or save the questionnaire as .xlsx"
    } else if message.contains("no cells with text") {
        "the file has no text in any cell: check that this is the questionnaire, not an empty template"
    } else if message.contains("damaged")
        || message.contains("not a readable")
        || message.contains("not a valid")
    {
        "open it in a spreadsheet program and save a copy as .xlsx; if it does not open, ask the sender for a new copy"
    } else {
        "check that the file opens in a spreadsheet program; save a copy as .xlsx and try that"
    }
}

/// What to do about a path that is missing or a folder: the files beside it with the same
/// extension, when there are any.
fn not_a_file_hint(path: &std::path::Path) -> String {
    if path.is_dir() {
        return "pass the file inside it, e.g. DIR/questionnaire.xlsx".into();
    }
    let parent = match path.parent() {
        Some(p) if p.as_os_str().is_empty() => std::path::Path::new("."),
        Some(p) => p,
        None => std::path::Path::new("."),
    };
    let Ok(read) = std::fs::read_dir(parent) else {
        return format!(
            "the folder {} does not exist either: check the path",
            parent.display()
        );
    };
    let ext = path.extension().map(|e| e.to_ascii_lowercase());
    let mut near: Vec<String> = read
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .filter(|e| ext.is_none() || e.path().extension().map(|x| x.to_ascii_lowercase()) == ext)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    near.sort();
    match near.len() {
        0 => format!("check the path; {} has no such files", parent.display()),
        n => format!(
            "check the path; {} has: {}{}",
            parent.display(),
            near.iter().take(5).cloned().collect::<Vec<_>>().join(", "),
            if n > 5 { ", …" } else { "" }
        ),
    }
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
                "add answers with `trustfill kb import LIBRARY.xlsx`, or see GUIDE.md \"Knowledge-base format\"".into(),
            ),
            Error::KbInvalid(_) => Some("fix the lines above; the index is rebuilt automatically afterwards".into()),
            Error::Index { .. } => Some("run `trustfill kb index` to rebuild it from the knowledge base".into()),
            Error::UnsupportedFormat { .. } => {
                Some("save the file as .xlsx or .csv from your spreadsheet program".into())
            }
            Error::Spreadsheet { message, path }
                if path
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("docx")) =>
            {
                Some(word_hint(message).into())
            }
            Error::Spreadsheet { message, path }
                if path
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("pdf")) =>
            {
                Some(pdf_hint(message).into())
            }
            Error::Spreadsheet { message, .. } => Some(spreadsheet_hint(message).into()),
            Error::NotAFile { path } => Some(not_a_file_hint(path)),
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
