//! `cityconform check` and `cityconform init`.

use std::path::PathBuf;

use cityconform::ExitCode;
use cityconform::config::{Config, DEFAULT_FILE, Job, TEMPLATE};
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
    /// The configuration file.
    #[arg(long, short = 'c', value_name = "FILE", default_value = DEFAULT_FILE)]
    config: PathBuf,

    #[command(flatten)]
    output: OutputArgs,
}

pub(crate) fn run(mut args: CheckArgs) -> Result<ExitCode, Error> {
    let config = Config::load(&args.config)?;
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
    Ok(report.exit_code())
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
    if let Err(source) = file.write_all(TEMPLATE.as_bytes()) {
        drop(file);
        let _ = std::fs::remove_file(&args.path);
        return Err(Error::Write {
            path: args.path.display().to_string(),
            source,
        });
    }
    super::print(&format!(
        "wrote {}: edit the payload paths, profiles and reports, then run `cityconform check`\n",
        args.path.display()
    ))?;
    Ok(ExitCode::Met)
}
