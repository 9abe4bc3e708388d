//! `trustfill completions SHELL` and `trustfill man`: generated from the clap definitions, so
//! they never disagree with `--help`.

use clap::CommandFactory;

use super::{Cli, data_written};
use crate::output::Output;

/// Print the shell completion script for SHELL
///
/// Examples:
///   trustfill completions bash > ~/.local/share/bash-completion/completions/trustfill
///   trustfill completions zsh > ~/.zfunc/_trustfill        # with fpath+=~/.zfunc
///   trustfill completions fish > ~/.config/fish/completions/trustfill.fish
///   trustfill completions powershell >> $PROFILE
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Print the manual page (roff) of trustfill and its commands
///
/// Examples:
///   trustfill man > ~/.local/share/man/man1/trustfill.1 && man trustfill
///   trustfill man | man -l -
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ManArgs {}

pub fn run(args: Args, out: &Output) -> anyhow::Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "trustfill", &mut script);
    data_written(out.data(&String::from_utf8_lossy(&script)))?;
    Ok(())
}

/// The page for `trustfill` followed by one section per command, so that one `man trustfill`
/// shows every option.
pub fn man(out: &Output) -> anyhow::Result<()> {
    let command = Cli::command();
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut page)?;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        render_section(sub, "trustfill", &mut page)?;
    }
    data_written(out.data(&String::from_utf8_lossy(&page)))?;
    Ok(())
}

fn render_section(cmd: &clap::Command, parent: &str, page: &mut Vec<u8>) -> std::io::Result<()> {
    use std::io::Write;
    let name = format!("{parent} {}", cmd.get_name());
    writeln!(page, ".SH \"{}\"", name.to_uppercase())?;
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_description_section(page)?;
    man.render_options_section(page)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        render_section(sub, &name, page)?;
    }
    Ok(())
}
