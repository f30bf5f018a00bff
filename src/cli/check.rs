//! `cityconform check` and `cityconform init`.

use std::path::{Path, PathBuf};

use cityconform::ExitCode;
use cityconform::config::{Config, DEFAULT_FILE, Job};
use cityconform::error::Error;
use cityconform::harness::Harness;
use clap::Args;

use super::output::{OutputArgs, TerminalProgress, generated_at, sign};

/// Arguments of `check`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cityconform check\n  cityconform check --config platform/cityconform.toml --format markdown\n  cityconform check --sign-key release.key --report json=signed-report.json"
)]
pub(crate) struct CheckArgs {
    /// The configuration file [default: $CITYCONFORM_CONFIG, else the
    /// nearest cityconform.toml here or in a folder above, up to the
    /// repository's root].
    #[arg(long, short = 'c', value_name = "FILE")]
    config: Option<PathBuf>,

    /// Check only these files, where the configuration names them (a
    /// pre-commit hook passes the staged files): payload files under
    /// `[payloads]`, and the datasets and declarations whose files are
    /// listed; any other file is ignored, and the live target is not run.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    files: Vec<PathBuf>,

    #[command(flatten)]
    output: OutputArgs,
}

pub(crate) fn run(mut args: CheckArgs) -> Result<ExitCode, Error> {
    let path = args
        .config
        .clone()
        .unwrap_or_else(|| Config::discover(Path::new("")));
    let mut config = Config::load(&path)?;
    if !args.files.is_empty() && config.narrow_to_files(&args.files) == 0 {
        if !args.output.quiet {
            super::note(&format!(
                "cityconform: none of the {} file{} given is named by {}; nothing to check\n",
                args.files.len(),
                if args.files.len() == 1 { "" } else { "s" },
                path.display()
            ));
        }
        return Ok(ExitCode::Met);
    }
    args.output.add_reports(&config.reports);
    let mut inputs = vec![config.path.clone()];
    inputs.extend(config.jobs.iter().flat_map(Job::inputs));
    args.output.check_paths(&inputs)?;
    let key = args.output.signing_key()?;
    let mut options = config.harness_options(&generated_at()?);
    args.output.apply(&mut options);
    let harness = Harness::load(options)?;
    super::output::schema_warnings(harness.registry().warnings());
    let progress = TerminalProgress::new(args.output.quiet);
    let mut report = harness.run_config(&config, &progress)?;
    sign(&mut report, key.as_ref(), |_| {
        Err(Error::Internal("check records its provenance".to_owned()))
    })?;
    args.output.emit(&report)?;
    Ok(args.output.exit_code(&report))
}

/// Arguments of `init`.
#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Where to write the configuration.
    #[arg(value_name = "FILE", default_value = DEFAULT_FILE)]
    path: PathBuf,
}

pub(crate) fn init(args: InitArgs) -> Result<ExitCode, Error> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&args.path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => Error::Usage(format!(
                "`{}` already exists; edit it, or move it away to start again",
                args.path.display()
            )),
            _ => Error::Write {
                path: args.path.display().to_string(),
                source: e,
            },
        })?;
    let folder = match args.path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let (text, payloads) = cityconform::config::for_folder(&folder);
    if let Err(source) = file.write_all(text.as_bytes()) {
        drop(file);
        let _ = std::fs::remove_file(&args.path);
        return Err(Error::Write {
            path: args.path.display().to_string(),
            source,
        });
    }
    let found = if payloads.is_empty() {
        "no payload files found: name yours under [payloads] (or add datasets, declarations or a target)".to_owned()
    } else {
        // File names are the user's, but may hold anything: no control
        // character reaches the terminal.
        let shown: Vec<String> = payloads
            .iter()
            .map(|p| cityconform::engine::tally::escape_controls(p, false))
            .collect();
        format!("payloads: {}", shown.join(", "))
    };
    super::print(&format!(
        "wrote {}\n  {found}\nreview the profiles and reports, then run `cityconform check`\n",
        args.path.display()
    ))?;
    Ok(ExitCode::Met)
}
