//! `cityconform audit`: the live audit of a running platform (`demo`
//! audits the embedded reference platform through [`run_audit`] too).

use std::io::IsTerminal;
use std::path::PathBuf;

use cityconform::ExitCode;
use cityconform::engine::Progress;
use cityconform::error::Error;
use cityconform::live::{self, AuditOptions, LivePlan, cases, target};
use cityconform::model::Report;
use cityconform::schema::{SchemaOptions, SchemaRegistry};
use clap::Args;
use ed25519_dalek::SigningKey;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::runtime::Runtime;

use super::output::{OutputArgs, generated_at, sign};
use super::{SelectionArgs, SuiteArgs};

/// Arguments of `audit`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cityconform audit --target target.toml --profile kr\n  cityconform audit --target staging.toml -p kr -p eu --report json=audit.json --ca-cert staging-ca.pem"
)]
pub(crate) struct AuditArgs {
    /// The target description (TOML; format: schemas/tool/target.schema.json).
    #[arg(long, value_name = "TARGET.toml")]
    target: PathBuf,

    #[command(flatten)]
    selection: SelectionArgs,

    /// Also trust the certificate authorities in this PEM file.
    #[arg(long = "ca-cert", value_name = "PEM")]
    ca_cert: Option<PathBuf>,

    #[command(flatten)]
    output: OutputArgs,
}

pub(crate) fn audit(args: AuditArgs) -> Result<ExitCode, Error> {
    args.output
        .check_paths(std::slice::from_ref(&args.target))?;
    let mut target = target::load(&args.target)?;
    if let Some(ca) = &args.ca_cert {
        target.ca_pem = Some(std::fs::read(ca).map_err(|e| Error::read(ca, e))?);
    }
    let key = args.output.signing_key()?;
    let runtime = cityconform::project::runtime()?;
    let report = run_audit(
        &runtime,
        &target,
        &args.selection.profiles,
        &args.selection.only,
        &args.selection.suites,
        args.output.quiet,
        key.as_ref(),
    )?;
    args.output.emit(&report)?;
    Ok(report.exit_code())
}

/// Audits `target` on `runtime`, and signs the report when `key` is given.
pub(crate) fn run_audit(
    runtime: &Runtime,
    target: &target::Target,
    profiles: &[String],
    only: &[String],
    suites: &SuiteArgs,
    quiet: bool,
    key: Option<&SigningKey>,
) -> Result<Report, Error> {
    let catalogue = suites.load()?;
    let registry = SchemaRegistry::load(&SchemaOptions::default())?;
    live::check_target_types(target, &registry)?;
    let cases = cases::load_cases(suites.dirs())?;
    let selection = cityconform::engine::Selection { profiles, only };
    let plan = LivePlan::new(&catalogue, &registry, cases, selection)?;
    let options = AuditOptions {
        generated_at: generated_at()?,
    };
    let progress = CaseProgress::new(quiet);
    let mut report = runtime.block_on(live::audit(&plan, target, &options, &progress))?;
    sign(&mut report, key, |report| {
        cityconform::attest::provenance(
            &catalogue,
            profiles,
            &registry,
            &report.inputs,
            Some(target.base_url.clone()),
        )
    })?;
    Ok(report)
}

/// Cases done of all, on stderr, only on a terminal.
struct CaseProgress {
    bar: Option<ProgressBar>,
}

impl CaseProgress {
    fn new(quiet: bool) -> Self {
        let show = !quiet && std::io::stderr().is_terminal();
        CaseProgress {
            bar: show.then(|| ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())),
        }
    }
}

impl Progress for CaseProgress {
    fn start(&self, total: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(total);
            if let Ok(style) =
                ProgressStyle::with_template("{spinner} {pos}/{len} checks {wide_bar} {elapsed}")
            {
                bar.set_style(style);
            }
        }
    }

    fn advance(&self, done: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(done);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
