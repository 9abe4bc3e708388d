//! The command line: one file per subcommand, each a clap `Args` struct and one `run`. Command
//! files are glue: they turn arguments into a validated plan and call one library function.
//!
//! Exit codes: 0 done; 1 `kb check` found errors; 2 error (bad arguments, unreadable input,
//! invalid knowledge base).

mod ask;
mod completions;
mod eval;
mod fill;
mod finalize;
mod inspect;
mod kb;
mod model;
mod publish;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::encoder::Embedder;
use crate::index::KbIndex;
use crate::output::Output;

/// Drafts answers to security questionnaires from your team's reviewed knowledge base.
///
/// Exit codes: 0 done, 1 `kb check` found errors, 2 error.
#[derive(Debug, Parser)]
#[command(name = "trustfill", version, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// Knowledge-base folder (answers/*.toml, policies/*.md)
    #[arg(
        long,
        global = true,
        env = "TRUSTFILL_KB",
        default_value = "knowledge-base",
        value_name = "DIR"
    )]
    pub kb: PathBuf,

    /// Print only data (answers, JSON); no status lines or warnings on stderr
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// Sentence-encoder model folder for semantic matching (`none`: words only) [default: the
    /// installed model]
    #[arg(long, global = true, env = "TRUSTFILL_MODEL", value_name = "DIR")]
    pub model: Option<PathBuf>,

    /// Match by words only, even with a model installed or given
    #[arg(long, global = true)]
    pub no_model: bool,

    /// This day instead of the system clock (review ages, the dates written into new entries,
    /// logs and review workbooks), from the environment variable `TRUSTFILL_TODAY=YYYY-MM-DD`:
    /// tests pin it so that no result depends on when they run. Not a flag, so that completion
    /// scripts and help never offer it (clap's completion generators list hidden flags).
    #[arg(skip)]
    pub today: Option<crate::date::Date>,
}

impl GlobalArgs {
    /// The model the flags choose, loaded; None for words only. Without a model and without
    /// `--no-model`, says once how to turn semantic matching on.
    pub fn model(&self, out: &Output) -> anyhow::Result<Option<Arc<dyn Embedder>>> {
        model_for(self, out)
    }

    /// Open the knowledge base's index with the chosen model, embedding what the library needs
    /// (with a progress bar) and saying what was built.
    pub fn open_index(&self, out: &Output) -> anyhow::Result<KbIndex> {
        let model = self.model(out)?;
        let (index, freshness) = KbIndex::open_with(&self.kb, model, &mut |done, total| {
            out.bar("embedding the library", done, total)
        })
        .with_context(|| format!("cannot open knowledge base {}", self.kb.display()))?;
        crate::present::freshness(out, &index, freshness);
        Ok(index)
    }

    /// The knowledge base's own defaults (`trustfill.toml`); flags win over them.
    pub fn settings(&self) -> anyhow::Result<crate::kb::settings::Settings> {
        crate::kb::settings::Settings::load(&self.kb).with_context(|| {
            format!(
                "cannot read the settings of knowledge base {}",
                self.kb.display()
            )
        })
    }

    /// Today: `TRUSTFILL_TODAY` when set, else the system clock. The one place a command reads it.
    pub fn today(&self) -> crate::date::Date {
        self.today.unwrap_or_else(crate::date::Date::today)
    }
}

/// The environment variable that pins today (see [`GlobalArgs::today`]).
pub const TODAY_VAR: &str = "TRUSTFILL_TODAY";

#[derive(Debug, Subcommand)]
pub enum Command {
    Fill(fill::Args),
    Finalize(finalize::Args),
    Ask(ask::Args),
    Inspect(inspect::Args),
    Eval(eval::Args),
    /// Maintain the knowledge base
    #[command(subcommand)]
    Kb(kb::KbCommand),
    /// Install the sentence-encoder model for semantic matching, or see which one is used
    #[command(subcommand)]
    Model(model::ModelCommand),
    Publish(publish::Args),
    Completions(completions::Args),
    Man(completions::ManArgs),
}

#[cfg(feature = "semantic")]
fn model_for(global: &GlobalArgs, out: &Output) -> anyhow::Result<Option<Arc<dyn Embedder>>> {
    use crate::model::{Choice, choose};
    // --model or TRUSTFILL_MODEL, else the knowledge base's trustfill.toml, else the installed one.
    let from_settings = match &global.model {
        Some(_) => None,
        None => global.settings()?.model,
    };
    match choose(
        global.model.as_deref().or(from_settings.as_deref()),
        global.no_model,
    ) {
        Choice::Off(_) => Ok(None),
        Choice::NotInstalled => {
            out.note("semantic matching is off: no model is installed. `trustfill model install` downloads one (90 MB, once; nothing leaves the machine afterwards); --no-model silences this note");
            Ok(None)
        }
        Choice::Use(dir, _) => {
            let encoder = crate::encoder::Encoder::load(&dir)?;
            Ok(Some(Arc::new(encoder)))
        }
    }
}

#[cfg(not(feature = "semantic"))]
fn model_for(global: &GlobalArgs, _out: &Output) -> anyhow::Result<Option<Arc<dyn Embedder>>> {
    if global.model.is_some() {
        anyhow::bail!(
            "this trustfill was built without semantic matching (--no-default-features); --model needs the default `semantic` feature"
        );
    }
    Ok(None)
}

/// How a command that did not fail ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Exit code 0.
    Done,
    /// Exit code 1: the command ran and found problems (`kb check`).
    Findings,
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Done => 0,
            Exit::Findings => 1,
        }
    }
}

impl Cli {
    /// Run the parsed command. Errors carry their context; `main` prints them once.
    pub fn run(mut self, out: &Output) -> anyhow::Result<Exit> {
        if let Some(day) = std::env::var_os(TODAY_VAR) {
            let day = day.to_string_lossy();
            self.global.today = Some(
                day.parse()
                    .map_err(|e| anyhow::anyhow!("{TODAY_VAR}={day:?}: {e}"))?,
            );
        }
        let done = |r: anyhow::Result<()>| r.map(|()| Exit::Done);
        match self.command {
            Command::Fill(args) => done(fill::run(args, &self.global, out)),
            Command::Finalize(args) => done(finalize::run(args, &self.global, out)),
            Command::Ask(args) => done(ask::run(args, &self.global, out)),
            Command::Inspect(args) => done(inspect::run(args, &self.global, out)),
            Command::Eval(args) => done(eval::run(args, &self.global, out)),
            Command::Kb(cmd) => kb::run(cmd, &self.global, out),
            Command::Model(cmd) => done(model::run(cmd, &self.global, out)),
            Command::Publish(args) => done(publish::run(args, &self.global, out)),
            Command::Completions(args) => done(completions::run(args, out)),
            Command::Man(_) => done(completions::man(out)),
        }
    }
}

/// A write to stdout failed: a closed pipe (`trustfill ask … | head`) is a normal end, not an error.
pub(crate) fn data_written(result: std::io::Result<()>) -> anyhow::Result<bool> {
    match result {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(anyhow::Error::new(e).context("cannot write to standard output")),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
