//! `cityconform completions SHELL` and `cityconform manpage`: generated
//! from the same command definitions clap parses, so they cannot drift
//! from the options the binary accepts.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use cityconform::ExitCode;
use cityconform::error::Error;

use super::Cli;

/// Arguments of `completions`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cityconform completions bash > ~/.local/share/bash-completion/completions/cityconform\n  cityconform completions zsh > \"${fpath[1]}/_cityconform\"\n  cityconform completions fish > ~/.config/fish/completions/cityconform.fish"
)]
pub(crate) struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_name = "SHELL")]
    shell: Shell,
}

/// Prints the completion script for the shell asked for.
pub(crate) fn completions(args: CompletionsArgs) -> Result<ExitCode, Error> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "cityconform", &mut script);
    super::print(&String::from_utf8_lossy(&script))?;
    Ok(ExitCode::Met)
}

/// Arguments of `manpage`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cityconform manpage > cityconform.1 && man ./cityconform.1\n  cityconform manpage validate > cityconform-validate.1"
)]
pub(crate) struct ManpageArgs {
    /// A subcommand whose page to print instead of the tool's.
    #[arg(value_name = "COMMAND")]
    command: Option<String>,
}

/// Prints the man page (roff) of the tool, or of one subcommand as
/// `cityconform-COMMAND(1)`.
pub(crate) fn manpage(args: ManpageArgs) -> Result<ExitCode, Error> {
    let tool = Cli::command();
    let command = match &args.command {
        None => tool,
        Some(name) => {
            let Some(sub) = tool.find_subcommand(name) else {
                let known: Vec<&str> = tool
                    .get_subcommands()
                    .map(clap::Command::get_name)
                    .collect();
                return Err(Error::Usage(format!(
                    "no subcommand `{name}`; the subcommands are: {}",
                    known.join(", ")
                )));
            };
            sub.clone().display_name(format!("cityconform-{name}"))
        }
    };
    let mut page = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut page)
        .map_err(|e| Error::Internal(format!("rendering the man page failed: {e}")))?;
    super::print(&String::from_utf8_lossy(&page))?;
    Ok(ExitCode::Met)
}
