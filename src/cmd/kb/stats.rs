use anyhow::Context;

use super::GlobalArgs;
use crate::kb::KnowledgeBase;
use crate::ops::stats::stats;
use crate::output::Output;

/// Count the knowledge base's entries by audience, tag, owner, review age and file
///
/// Examples:
///   trustfill kb stats
///   trustfill kb stats --json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Print the counts as JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args, global: &GlobalArgs, out: &Output) -> anyhow::Result<()> {
    let kb = KnowledgeBase::load(&global.kb)
        .with_context(|| format!("cannot load knowledge base {}", global.kb.display()))?;
    let s = stats(&kb, global.today());
    let text = if args.json {
        serde_json::to_string(&s).expect("plain data serializes")
    } else {
        let mut t = format!(
            "{} answers, {} policy excerpts\n",
            s.answers, s.policy_excerpts
        );
        for (title, map) in [
            ("audience", &s.by_audience),
            ("review age", &s.by_age),
            ("owner", &s.by_owner),
            ("file", &s.by_file),
            ("tag", &s.by_tag),
            ("framework (question ids referenced)", &s.by_framework),
        ] {
            if map.is_empty() {
                continue;
            }
            t.push_str(&format!("\nby {title}\n"));
            let mut rows: Vec<(&String, &usize)> = map.iter().collect();
            rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            for (k, v) in rows {
                t.push_str(&format!("  {v:>5}  {k}\n"));
            }
        }
        // The trust center follows the library: what `publish` would show today.
        let p = crate::ops::publish::publishable(
            &kb,
            crate::kb::Audience::Public,
            i64::from(
                global
                    .settings()?
                    .max_age
                    .unwrap_or(crate::matcher::DEFAULT_MAX_AGE),
            ),
            global.today(),
        );
        t.push_str(&format!(
            "\ntrust center (`trustfill publish`, public): {} and {} published; left out {} past their review age, {} never reviewed, {} awaiting approval\n",
            crate::present::counted(p.answers, "answer"),
            crate::present::counted(p.excerpts, "policy section"),
            p.stale,
            p.unreviewed,
            p.proposals
        ));
        t
    };
    crate::cmd::data_written(out.data(&text))?;
    Ok(())
}
