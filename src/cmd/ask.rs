use std::io::{BufRead, IsTerminal};

use anyhow::Context;

use super::{GlobalArgs, data_written};
use crate::kb::Audience;
use crate::matcher::{
    DEFAULT_MAX_AGE, DEFAULT_MIN_CONFIDENCE, MatchOptions, Matcher, ReviewAge, Row, embed_questions,
};
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

    /// Who will read the answers: entries above this audience are never shown [default:
    /// public, or the knowledge base's trustfill.toml]
    #[arg(long, value_parser = AudienceParser)]
    pub audience: Option<Audience>,

    /// One JSON object per question per line: {"question", "matches": [{"id", "confidence", ...}]}
    #[arg(long)]
    pub json: bool,

    /// Show the signals behind each confidence (coverage, BM25, margin)
    #[arg(long)]
    pub explain: bool,

    /// Entries reviewed longer ago than this many days are stale: lower confidence, flagged
    /// (as in `fill`) [default: 365, or trustfill.toml]
    #[arg(long, value_name = "DAYS")]
    pub max_age: Option<u32>,
}

/// `--audience`: one of `public`, `nda`, `internal` (any case), which help, errors and the
/// completion scripts list.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AudienceParser;

impl clap::builder::TypedValueParser for AudienceParser {
    type Value = Audience;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Audience, clap::Error> {
        let text = value.to_string_lossy();
        text.parse().map_err(|_| {
            let mut err = clap::Error::new(clap::error::ErrorKind::InvalidValue).with_cmd(cmd);
            use clap::error::{ContextKind, ContextValue};
            if let Some(arg) = arg {
                err.insert(
                    ContextKind::InvalidArg,
                    ContextValue::String(arg.to_string()),
                );
            }
            err.insert(
                ContextKind::InvalidValue,
                ContextValue::String(text.into_owned()),
            );
            err.insert(
                ContextKind::ValidValue,
                ContextValue::Strings(Audience::ALL.iter().map(|a| a.as_str().into()).collect()),
            );
            err
        })
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            Audience::ALL
                .into_iter()
                .map(|a| clap::builder::PossibleValue::new(a.as_str())),
        ))
    }
}

pub fn run(args: Args, global: &GlobalArgs, out: &Output) -> anyhow::Result<()> {
    let settings = global.settings()?;
    let index = global.open_index(out)?;
    let (audience, audience_from) =
        crate::fill::AudienceFrom::choose(args.audience, settings.audience);
    if let Some(notice) = crate::fill::audience_notice(audience, audience_from) {
        out.status(&notice);
    }
    let opts = MatchOptions {
        audience,
        top: usize::from(args.top),
        review_age: Some(ReviewAge {
            today: global.today(),
            max_days: i64::from(args.max_age.or(settings.max_age).unwrap_or(DEFAULT_MAX_AGE)),
        }),
    };
    let mut matcher = Matcher::new(&index);
    let mut answer = |question: &str, vector: Option<Vec<f32>>| -> anyhow::Result<bool> {
        let candidates = matcher.find_embedded(question, vector.clone(), &opts)?;
        let covered = candidates
            .first()
            .is_some_and(|c| c.confidence.percent() >= DEFAULT_MIN_CONFIDENCE);
        let restricted = if covered {
            None
        } else {
            matcher.restricted_match(
                Row::question(question),
                vector,
                &opts,
                DEFAULT_MIN_CONFIDENCE,
            )?
        };
        let text = if args.json {
            present::ask_json(question, &candidates, restricted)
        } else {
            present::ask_text(question, &candidates, args.explain, restricted)
        };
        data_written(out.data(&text))
    };
    let questions: Vec<String> = match &args.question {
        Some(q) => vec![q.clone()],
        None if std::io::stdin().is_terminal() => {
            // Typed one at a time: answer each as it comes.
            for line in std::io::stdin().lock().lines() {
                let line = line.context("cannot read questions from standard input")?;
                let q = line.trim();
                if !q.is_empty() {
                    let vector = embed_questions(&index, &[q])?.and_then(|mut v| v.pop());
                    if !answer(q, vector)? {
                        break;
                    }
                }
            }
            return Ok(());
        }
        // A file of questions: embedded in batches, which is several times faster per question.
        None => std::io::stdin()
            .lock()
            .lines()
            .map(|l| l.map(|l| l.trim().to_string()))
            .filter(|l| !l.as_ref().is_ok_and(String::is_empty))
            .collect::<Result<_, _>>()
            .context("cannot read questions from standard input")?,
    };
    let texts: Vec<&str> = questions.iter().map(String::as_str).collect();
    let vectors = embed_questions(&index, &texts)?;
    for (i, q) in questions.iter().enumerate() {
        let vector = vectors.as_ref().map(|v| v[i].clone());
        if !answer(q, vector)? {
            break;
        }
    }
    Ok(())
}
