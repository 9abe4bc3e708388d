use std::path::PathBuf;

use anyhow::Context;

use super::{GlobalArgs, data_written};
use crate::cmd::ask::AudienceParser;
use crate::kb::Audience;
use crate::matcher::DEFAULT_MAX_AGE;
use crate::ops::publish::{PublishPlan, publish};
use crate::output::Output;

/// Publish a trust center: a static page of the library's public answers
///
/// Writes index.html, style.css, search.js, search-index.js and search.json into --out: an
/// overview (company, description and contact from the knowledge base's trustfill.toml),
/// reports and certifications, a security FAQ by topic, and the policies, with a search box.
/// Only approved entries the audience may see and reviewed within --max-age are published;
/// nothing of any other entry reaches the folder.
///
/// Examples:
///   trustfill publish --out site
///   trustfill publish --audience nda --out portal
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The site folder: created, or replaced whole if it holds only a site publish wrote
    #[arg(long, short, value_name = "DIR", default_value = "trust-center")]
    pub out: PathBuf,

    /// Who the page is for: entries above this audience are never published
    #[arg(long, default_value = "public", value_parser = AudienceParser)]
    pub audience: Audience,

    /// Entries reviewed longer ago than this many days (or never) are left out [default: 365,
    /// or trustfill.toml]
    #[arg(long, value_name = "DAYS")]
    pub max_age: Option<u32>,

    /// Print the summary as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args, global: &GlobalArgs, out: &Output) -> anyhow::Result<()> {
    let settings = global.settings()?;
    let plan = PublishPlan {
        kb: global.kb.clone(),
        out: args.out,
        audience: args.audience,
        max_age_days: i64::from(args.max_age.or(settings.max_age).unwrap_or(DEFAULT_MAX_AGE)),
        today: global.today(),
    };
    let report = publish(&plan).with_context(|| {
        format!(
            "cannot publish the trust center into {}",
            plan.out.display()
        )
    })?;
    if args.json {
        data_written(out.data(&serde_json::to_string(&report).expect("plain data serializes")))?;
    }
    out.status(&format!(
        "wrote {} for {} readers: {} on reports and certifications, {}, {} of {}",
        plan.out.join("index.html").display(),
        plan.audience,
        crate::present::counted(report.reports, "answer"),
        crate::present::counted(report.answers, "FAQ answer"),
        crate::present::counted(report.excerpts, "policy section"),
        crate::present::counted(report.policies, "policy"),
    ));
    if !report.unset.is_empty() {
        out.warn(&format!(
            "{} does not set {}: the page {}; set {} there",
            plan.kb.join(crate::kb::settings::SETTINGS_FILE).display(),
            report.unset.join(", "),
            if report.unset.contains(&"company") {
                "is titled only \"Trust center\" and names no company"
            } else {
                "leaves them out"
            },
            if report.unset.len() == 1 {
                "it"
            } else {
                "them"
            }
        ));
    }
    let left_out = report.stale + report.unreviewed + report.proposals;
    if left_out > 0 {
        out.warn(&format!(
            "left out {}: {} reviewed more than {} days ago, {} never reviewed, {} awaiting approval (`trustfill kb check` lists them)",
            crate::present::counted(left_out, "entry"),
            report.stale,
            plan.max_age_days,
            report.unreviewed,
            report.proposals
        ));
    }
    Ok(())
}
