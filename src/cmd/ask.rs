use std::io::BufRead;

use anyhow::Context;

use super::{GlobalArgs, data_written};
use crate::kb::Audience;
use crate::matcher::{MatchOptions, Matcher};
use crate::output::Output;
use crate::present;

/// Find the knowledge-base entries that answer a question
///
/// Prints the best matches with their confidence (the estimated chance, in percent, that the
/// entry answers the question), short answer, comment and source. Without a question, reads one
/// question per line from standard input.
///
/// Examples:
///   trustfill ask "Do you encrypt data at rest?"
///   trustfill ask --audience nda --top 5 "Can we see your SOC 2 Type II report?"
///   trustfill ask --json < questions.txt
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The question; omit to read questions from standard input, one per line
    pub question: Option<String>,

    /// How many matches to show per question
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=50))]
    pub top: u16,

    /// Who will read the answers: entries above this audience are never shown
    #[arg(long, default_value = "public", value_parser = parse_audience)]
    pub audience: Audience,

    /// One JSON object per question per line: {"question", "matches": [{"id", "confidence", ...}]}
    #[arg(long)]
    pub json: bool,

    /// Show the signals behind each confidence (coverage, BM25, margin)
    #[arg(long)]
    pub explain: bool,
}

pub(crate) fn parse_audience(s: &str) -> Result<Audience, String> {
    s.parse()
}

pub fn run(args: Args, global: &GlobalArgs, out: &Output) -> anyhow::Result<()> {
    let index = global.open_index(out)?;
    let opts = MatchOptions {
        audience: args.audience,
        top: usize::from(args.top),
    };
    let mut matcher = Matcher::new(&index);
    let mut answer = |question: &str| -> anyhow::Result<bool> {
        let candidates = matcher.find(question, &opts)?;
        let text = if args.json {
            present::ask_json(question, &candidates)
        } else {
            present::ask_text(question, &candidates, args.explain)
        };
        data_written(out.data(&text))
    };
    match &args.question {
        Some(q) => {
            answer(q)?;
        }
        None => {
            for line in std::io::stdin().lock().lines() {
                let line = line.context("cannot read questions from standard input")?;
                if !line.trim().is_empty() && !answer(line.trim())? {
                    break;
                }
            }
        }
    }
    Ok(())
}
