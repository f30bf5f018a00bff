//! `check`: everything a platform repository's `cityconform.toml` names,
//! in one pass, as one report with one exit code.
//!
//! The configuration lists jobs (payloads, datasets, declarations, a live
//! target); each job's runner produces a [`Report`] with the same
//! profiles, the reports are merged, the waivers applied and the
//! provenance recorded. Which job kinds this build can run is decided in
//! one place, `check/jobs.rs`: a job without a runner stops the check before
//! anything runs, naming its section and line, because silently skipping
//! configured checks would let a build pass that should not.

mod jobs;
mod merge;

use crate::attest;
use crate::catalog::Catalogue;
use crate::config::{Config, Job, TargetRef};
use crate::engine::Progress;
use crate::error::{Error, Result};
use crate::model::{Command, Report};
use crate::schema::{SchemaOptions, SchemaRegistry};

pub use jobs::JobContext;

/// Runs everything `config` names; `generated_at` is the report time.
/// Blocks until done, on a runtime of its own for a `[target]` job (see
/// [`runtime`]), so it must not be called from inside an async runtime.
pub fn run(config: &Config, generated_at: &str, progress: &dyn Progress) -> Result<Report> {
    let catalogue = Catalogue::load(&config.suites)?;
    crate::families::check_kinds(&catalogue)?;
    check_references(config, &catalogue)?;
    jobs::refuse_unavailable(config)?;
    let registry = SchemaRegistry::load(&SchemaOptions {
        dirs: config.schema_dirs.clone(),
        mappings: config.mappings.clone(),
        allow_fetch: false,
        strict_formats: config.strict_formats,
    })?;
    let context = JobContext {
        catalogue: &catalogue,
        registry: &registry,
        suites: &config.suites,
        profiles: &config.profiles,
        generated_at,
        progress,
    };
    let mut reports = Vec::with_capacity(config.jobs.len());
    for job in &config.jobs {
        reports.push(jobs::run(job, &context)?);
    }
    let mut report = merge::merge(reports, Command::Check, generated_at)?;
    crate::waiver::apply(&mut report, &config.waivers)?;
    report.provenance = Some(attest::provenance(
        &catalogue,
        &config.profiles,
        &registry,
        &report.inputs,
        target_of(config),
    )?);
    Ok(report)
}

/// Profiles and waived requirements must exist: a typo in either would
/// otherwise check less than intended, or waive nothing.
fn check_references(config: &Config, catalogue: &Catalogue) -> Result<()> {
    let mut problems = Vec::new();
    for (i, id) in config.profiles.iter().enumerate() {
        if catalogue.profile(id).is_err() {
            problems.push(
                config
                    .problem(&format!("/profiles/{i}"), format!("unknown profile `{id}`"))
                    .with_help(format!("known profiles: {}", catalogue.profile_names())),
            );
        }
    }
    for (i, waiver) in config.waivers.iter().enumerate() {
        if catalogue.requirement(&waiver.requirement).is_err() {
            problems.push(
                config
                    .problem(
                        &format!("/waivers/{i}/requirement"),
                        format!("waiver names unknown requirement `{}`", waiver.requirement),
                    )
                    .with_help("check the ID against `cityconform requirements list`"),
            );
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Files(problems))
    }
}

/// The tokio runtime a live audit (and the reference platform) runs on,
/// built where a synchronous caller needs one: the `[target]` job here, and
/// the `cityconform` binary. The rest of the library builds none, so an
/// application with its own runtime awaits [`crate::live::audit`] on it.
/// Two workers: the audit waits on the network far more than it computes.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))
}

fn target_of(config: &Config) -> Option<String> {
    config.jobs.iter().find_map(|job| match job {
        Job::Target(target) => Some(match &target.target {
            TargetRef::Url(url) => url.clone(),
            TargetRef::File(path) => path.display().to_string(),
        }),
        _ => None,
    })
}
