//! The sizes trustfill refuses to go past, so that a hostile or mistaken file fails fast with
//! a clear message instead of exhausting memory. Every limit has a flag that raises it; the
//! GUIDE.md's "Security and data handling" section lists them.

/// Limits on the spreadsheets and Word documents trustfill reads (`fill`, `inspect`, `kb import`, `kb learn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest input file on disk, in bytes (`--max-file-size`, in MB).
    pub max_file_bytes: u64,
    /// Largest total size of an .xlsx package once unzipped, in bytes: a few KB of zip can
    /// inflate to gigabytes of XML (`--max-expanded-size`, in MB).
    pub max_expanded_bytes: u64,
    /// Most rows a sheet may use (`--max-rows`).
    pub max_rows: u32,
    /// Most columns a sheet may use (`--max-columns`).
    pub max_columns: u32,
    /// Most XML elements in a Word document's main part (`--max-xml-elements`). A few hundred
    /// KB of zip can hold tens of millions of empty paragraphs or cells, well under the
    /// unzipped-size limit; counting elements stops such a file before it is read whole.
    pub max_xml_elements: u64,
}

pub const MB: u64 = 1024 * 1024;

impl Default for Limits {
    /// Far above any real questionnaire (the largest public ones have about 2,000 rows and 40
    /// columns and weigh under 2 MB), far below what exhausts a laptop.
    fn default() -> Self {
        Limits {
            max_file_bytes: 100 * MB,
            max_expanded_bytes: 1024 * MB,
            max_rows: 25_000,
            max_columns: 1_000,
            // A 2,000-question Word questionnaire with heavy formatting has a few hundred
            // thousand elements; at 2 million, the cells kept stay under ~300 MB.
            max_xml_elements: 2_000_000,
        }
    }
}

/// The flags that set [`Limits`]; flattened into every command that reads spreadsheets.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Limits")]
pub struct LimitArgs {
    /// Largest input file, in MB
    #[arg(long, value_name = "MB", default_value_t = Limits::default().max_file_bytes / MB)]
    pub max_file_size: u64,

    /// Largest unzipped size of an .xlsx or .ods, in MB (guards against decompression bombs)
    #[arg(long, value_name = "MB", default_value_t = Limits::default().max_expanded_bytes / MB)]
    pub max_expanded_size: u64,

    /// Most rows a sheet may use
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_rows)]
    pub max_rows: u32,

    /// Most columns a sheet may use
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_columns)]
    pub max_columns: u32,

    /// Most XML elements in a Word document's text (guards against paragraph and cell bombs)
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_xml_elements)]
    pub max_xml_elements: u64,
}

impl LimitArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            max_file_bytes: self.max_file_size.saturating_mul(MB),
            max_expanded_bytes: self.max_expanded_size.saturating_mul(MB),
            max_rows: self.max_rows,
            max_columns: self.max_columns,
            max_xml_elements: self.max_xml_elements,
        }
    }
}
