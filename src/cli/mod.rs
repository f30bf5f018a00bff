//! Command-line definitions and dispatch. Each subcommand parses its
//! arguments into library options, calls the library, prints through the
//! writers here, and returns an exit code. No checking logic lives here.

mod catalogue;
mod check;
mod dataset;
mod flows;
mod keys;
mod leading;
mod lists;
mod live;
mod output;
#[cfg(feature = "reference")]
mod reference;
mod shell;
mod validate;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use cityconform::suites::Suites;
use cityconform::{Error, ExitCode};
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Conformance harness for smart-city data exchange: shared schemas, one
/// requirement catalogue for cybersecurity, data-flow and anonymization, and
/// regional profiles layered on top.
#[derive(Debug, Parser)]
#[command(name = "cityconform", version, about, long_about = None, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

impl Cli {
    /// The process's arguments parsed, with options written before the
    /// subcommand read as the subcommand's ([`leading::hoist`]); exits
    /// with clap's message and code 2 on a usage error.
    pub fn parse_args() -> Self {
        Self::parse_from(leading::hoist(std::env::args_os()))
    }
}

/// The exit codes, and the options that may come before the command
/// ([`leading`]).
const AFTER_HELP: &str = "Exit codes:\n  0  every selected profile is met\n  1  a MUST requirement failed or could not be checked, or a waiver expired\n  2  bad input or usage (a file, record, schema, suite or argument)\n  3  internal error\n\n--suites, --format, --color and --quiet may also come before the command:\n  cityconform --format json validate FILE";

#[derive(Debug, Subcommand)]
enum Command {
    /// Start the embedded reference city platform on loopback, audit it,
    /// and print the report: the whole product in one command.
    #[cfg(feature = "reference")]
    Demo(reference::DemoArgs),
    /// Audit a running platform's data-exchange API against the live and
    /// payload requirements of each profile.
    Audit(live::AuditArgs),
    /// Run the embedded reference city platform until Ctrl-C.
    #[cfg(feature = "reference")]
    ServeReference(reference::ServeArgs),
    /// Validate payload files and folders (JSON, JSON-LD, NDJSON) against
    /// the shared schemas and the payload requirements of each profile.
    Validate(validate::ValidateArgs),
    /// Audit a dataset (CSV or NDJSON) for anonymization: direct
    /// identifiers, k-anonymity, (alpha,k), l-diversity, t-closeness,
    /// coarsening and aggregate minimums, under each profile.
    Dataset(dataset::DatasetArgs),
    /// Judge a data-flow declaration: every flow against the data-flow
    /// requirements of each profile, with a matrix of flows by profile.
    Flows(flows::FlowsArgs),
    /// List the requirement catalogue, or show one requirement.
    Requirements(catalogue::RequirementsArgs),
    /// List the profiles, or show one with its requirements and parameters.
    Profiles(catalogue::ProfilesArgs),
    /// List the named lists profiles refer to (adequacy decisions,
    /// recognised certifications), or show one with its dates, sources and
    /// carve-outs and the members in force on a date.
    Lists(lists::ListsArgs),
    /// List the shared schemas known by entity type.
    Schemas(catalogue::SchemasArgs),
    /// Run everything `cityconform.toml` names (payloads, datasets,
    /// declarations, a live target) as one report with one exit code.
    Check(check::CheckArgs),
    /// Write a commented starting `cityconform.toml`.
    Init(check::InitArgs),
    /// Generate an Ed25519 key pair for signing reports.
    Keygen(keys::KeygenArgs),
    /// Verify a signed JSON report: signature, content and the suites
    /// (catalogue, profiles, lists, live cases) and schemas it was produced
    /// with.
    Verify(keys::VerifyArgs),
    /// Print the shell completion script for bash, zsh, fish, elvish or
    /// powershell.
    Completions(shell::CompletionsArgs),
    /// Print the man page (roff) of cityconform and its subcommands.
    Manpage(shell::ManpageArgs),
}

/// Which profiles and requirements, from which suites: the selection of
/// every command that judges subjects requirement by requirement.
#[derive(Debug, Args)]
pub(crate) struct SelectionArgs {
    /// Profile to check against; repeat for a verdict per profile.
    #[arg(
        long = "profile",
        short = 'p',
        value_name = "PROFILE",
        default_value = "baseline"
    )]
    pub(crate) profiles: Vec<String>,

    /// Check only this requirement; repeatable.
    #[arg(long = "requirement", short = 'r', value_name = "ID")]
    pub(crate) only: Vec<String>,

    #[command(flatten)]
    pub(crate) suites: SuiteArgs,
}

/// Where the suites come from.
#[derive(Debug, Clone, Default, Args)]
pub(crate) struct SuiteArgs {
    /// A folder whose `catalogue/`, `profiles/`, `lists/` and `live/` TOML
    /// files overlay the embedded suites (same ID replaces). Repeatable.
    #[arg(long = "suites", value_name = "DIR")]
    suites: Vec<PathBuf>,
}

impl SuiteArgs {
    /// The suites of this run, loaded once: the command reads them all
    /// from the value returned.
    pub(crate) fn load(&self) -> Result<Suites, Error> {
        Suites::load(&self.suites)
    }

    /// The harness a command runs its job on: these suites, `schemas`,
    /// `profiles`, the report time (`SOURCE_DATE_EPOCH` or now); the
    /// findings cap is the run's (`run_job` sets it from `--keep-findings`).
    pub(crate) fn harness(
        &self,
        profiles: &[String],
        schemas: cityconform::schema::SchemaOptions,
    ) -> Result<cityconform::harness::HarnessOptions, Error> {
        Ok(cityconform::harness::HarnessOptions {
            suites: self.suites.clone(),
            schemas,
            profiles: profiles.to_vec(),
            generated_at: output::generated_at()?,
            as_of: None,
            keep_findings: None,
        })
    }
}

/// When to colour text output.
#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub(crate) enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    pub(crate) fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        }
    }
}

/// Runs the parsed command and returns its exit code. Errors are printed
/// here, once, to stderr.
pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        #[cfg(feature = "reference")]
        Command::Demo(args) => reference::demo(args),
        Command::Audit(args) => live::audit(args),
        #[cfg(feature = "reference")]
        Command::ServeReference(args) => reference::serve(args),
        Command::Validate(args) => validate::run(args),
        Command::Dataset(args) => dataset::run(args),
        Command::Flows(args) => flows::run(args),
        Command::Requirements(args) => catalogue::requirements(args),
        Command::Profiles(args) => catalogue::profiles(args),
        Command::Lists(args) => lists::lists(args),
        Command::Schemas(args) => catalogue::schemas(args),
        Command::Check(args) => check::run(args),
        Command::Init(args) => check::init(args),
        Command::Keygen(args) => keys::keygen(args),
        Command::Verify(args) => keys::verify(args),
        Command::Completions(args) => shell::completions(args),
        Command::Manpage(args) => shell::manpage(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            report_error(&error);
            error.exit_code()
        }
    }
}

fn report_error(error: &Error) {
    let text = match error {
        Error::File(problem) => output::problems(std::slice::from_ref(problem)),
        Error::Files(problems) => output::problems(problems),
        other => format!("error: {other}\n"),
    };
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
}

/// Writes a note for the person at the terminal to stderr, so that
/// stdout keeps only what `--format` asks for; a closed stderr is ignored.
pub(crate) fn note(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Writes `text` to stdout; a closed pipe (`| head`) is not an error.
pub(crate) fn print(text: &str) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Write {
            path: "standard output".to_owned(),
            source: e,
        }),
        _ => Ok(()),
    }
}
