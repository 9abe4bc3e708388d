use anyhow::Context;

use super::GlobalArgs;
use crate::cmd::ask::AudienceParser;
use crate::kb::{Audience, EntryKind, KbEntry, Source};
use crate::ops::add::{add, nearest};
use crate::output::Output;

/// Add an approved answer, after seeing the nearest existing entries
///
/// Prints the three nearest entries first. If one already asks the same question, nothing is
/// added unless --force: add your phrasing to its variants instead.
///
/// Examples:
///   trustfill kb add --question "Do you support SCIM?" --answer Yes --audience public \
///       --comment "SCIM 2.0 provisioning is available on all plans." --tags iam,sso
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The question, as customers ask it
    #[arg(long)]
    pub question: String,

    /// The short answer: Yes, No, N/A or a short value
    #[arg(long)]
    pub answer: String,

    /// The approved explanation
    #[arg(long, default_value = "")]
    pub comment: String,

    /// Who may see it; there is no default, on purpose
    #[arg(long, value_parser = AudienceParser, value_name = "public|nda|internal")]
    pub audience: Audience,

    /// Entry id [default: made from the question]
    #[arg(long)]
    pub id: Option<String>,

    /// Comma-separated tags
    #[arg(long, value_delimiter = ',')]
    pub tags: Vec<String>,

    /// Team mailbox that owns the answer [default: `owner` in the knowledge base's trustfill.toml]
    #[arg(long)]
    pub owner: Option<String>,

    /// Answers file to add to
    #[arg(long, default_value = "answers/added.toml")]
    pub file: String,

    /// Add even if an existing entry asks the same question
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: Args, global: &GlobalArgs, out: &Output) -> anyhow::Result<()> {
    let near = nearest(&global.kb, &args.question)
        .with_context(|| format!("cannot open knowledge base {}", global.kb.display()))?;
    let mut listing = String::from("nearest existing entries:\n");
    for c in &near {
        listing.push_str(&format!(
            "  {:>4} {}  {}  ({})\n",
            c.confidence.to_string(),
            c.entry.id,
            c.entry.question,
            c.entry.source
        ));
    }
    if near.is_empty() {
        listing.push_str("  (none)\n");
    }
    out.status(listing.trim_end());
    let id = match args.id {
        Some(id) => id,
        None => {
            let kb = crate::kb::KnowledgeBase::load(&global.kb)?;
            let mut taken = kb.entries.into_iter().map(|e| e.id).collect();
            crate::kb::id_from_question(&args.question, "", &mut taken)
        }
    };
    let entry = KbEntry {
        id: id.clone(),
        kind: EntryKind::Answer,
        question: args.question.trim().to_string(),
        variants: Vec::new(),
        answer: Some(args.answer.trim().to_string()),
        comment: args.comment.trim().to_string(),
        tags: args
            .tags
            .iter()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect(),
        audience: args.audience,
        owner: args.owner.or(global.settings()?.owner),
        reviewed: Some(global.today()),
        refs: Vec::new(),
        rejected: Vec::new(),
        proposed: false,
        source: Source {
            path: args.file.clone(),
            line: 0,
        },
    };
    add(&global.kb, &args.file, entry, &near, args.force).context("cannot add the entry")?;
    out.status(&format!(
        "added {id} to {}",
        global.kb.join(&args.file).display()
    ));
    Ok(())
}
