use crate::cellref::col_letters;
use crate::questionnaire::Overrides;

/// Overrides for when layout detection is wrong, shared by `fill` and `inspect`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DetectionArgs {
    /// Only this sheet (also one that would be skipped as instructions)
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,

    /// The header row, 1-based as in Excel
    #[arg(long, value_name = "ROW")]
    pub header_row: Option<u32>,

    /// The question column, as a letter (B)
    #[arg(long, value_name = "COL")]
    pub question_col: Option<String>,

    /// The answer column, as a letter (C)
    #[arg(long, value_name = "COL")]
    pub answer_col: Option<String>,

    /// The comment / explanation column, as a letter (E)
    #[arg(long, value_name = "COL")]
    pub comment_col: Option<String>,
}

impl DetectionArgs {
    pub fn overrides(&self) -> anyhow::Result<Overrides> {
        let col = |flag: &str, value: &Option<String>| -> anyhow::Result<Option<u32>> {
            value
                .as_deref()
                .map(|v| {
                    column_index(v).ok_or_else(|| {
                        anyhow::anyhow!("{flag} {v:?} is not a column letter such as C or AB")
                    })
                })
                .transpose()
        };
        let header_row = match self.header_row {
            Some(0) => anyhow::bail!("--header-row counts from 1, as Excel does"),
            other => other.map(|r| r - 1),
        };
        Ok(Overrides {
            sheet: self.sheet.clone(),
            header_row,
            question_col: col("--question-col", &self.question_col)?,
            answer_col: col("--answer-col", &self.answer_col)?,
            comment_col: col("--comment-col", &self.comment_col)?,
        })
    }
}

/// `C` → 2, `AB` → 27; None for anything but 1–3 letters.
fn column_index(letters: &str) -> Option<u32> {
    let letters = letters.trim();
    if letters.is_empty() || letters.len() > 3 || !letters.chars().all(|c| c.is_ascii_alphabetic())
    {
        return None;
    }
    let n = letters.chars().fold(0u32, |n, c| {
        n * 26 + (c.to_ascii_uppercase() as u32 - 'A' as u32 + 1)
    });
    debug_assert_eq!(col_letters(n - 1), letters.to_ascii_uppercase());
    Some(n - 1)
}
