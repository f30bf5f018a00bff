//! The job runners: the one place that says which kinds of job this build
//! runs. A runner turns one job into a [`Report`] over the configured
//! profiles; [`runner`] maps each job kind to its runner.
//!
//! To add a kind (say datasets): write `fn dataset(job: &Job, context:
//! &JobContext) -> Result<Report>` that matches `Job::Dataset` and calls the
//! dataset engine with `context`, then give `Job::Dataset(_)` that runner
//! in [`runner`]. Nothing else in `check` changes.

use std::path::PathBuf;

use crate::catalog::{Catalogue, Lists};
use crate::config::{Config, Job, TargetRef};
use crate::dataset::{self, AuditOptions, Descriptor};
use crate::declaration::Declaration;
use crate::engine::{Progress, Selection};
use crate::error::{Error, FileProblem, Result};
use crate::flows;
use crate::live::{self, LivePlan};
use crate::model::Report;
use crate::payload::{self, ValidateOptions};
use crate::schema::SchemaRegistry;

/// What every runner gets: the catalogue and schemas loaded once, the
/// profiles in force, the report time and a progress sink.
#[derive(Clone, Copy)]
pub struct JobContext<'a> {
    /// The catalogue, with the configured overlays.
    pub catalogue: &'a Catalogue,
    /// The schemas, with the configured folders and mappings.
    pub registry: &'a SchemaRegistry,
    /// The configured suite overlay folders (for the lists profiles name).
    pub suites: &'a [PathBuf],
    /// Profiles, in report order.
    pub profiles: &'a [String],
    /// The report time, RFC 3339.
    pub generated_at: &'a str,
    /// Progress of long runs.
    pub progress: &'a dyn Progress,
}

impl std::fmt::Debug for JobContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobContext")
            .field("profiles", &self.profiles)
            .field("generated_at", &self.generated_at)
            .finish_non_exhaustive()
    }
}

type Runner = fn(&Job, &JobContext<'_>) -> Result<Report>;

/// The runner for `job`'s kind, or `None` when this build has none.
fn runner(job: &Job) -> Option<Runner> {
    match job {
        Job::Payloads(_) => Some(payloads),
        Job::Declaration(_) => Some(declaration),
        Job::Dataset(_) => Some(dataset),
        Job::Target(_) => Some(target),
    }
}

/// Fails, naming each section and its line, when a job has no runner.
pub(super) fn refuse_unavailable(config: &Config) -> Result<()> {
    let problems: Vec<FileProblem> = config
        .jobs
        .iter()
        .filter(|job| runner(job).is_none())
        .map(|job| {
            config
                .problem(
                    job.pointer(),
                    format!(
                        "`{}` is not available in this build of cityconform {}",
                        job.section(),
                        env!("CARGO_PKG_VERSION")
                    ),
                )
                .with_help("use a build that runs it, or remove the section; a configured check is never skipped silently")
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Files(problems))
    }
}

/// Runs `job` with its kind's runner.
pub(super) fn run(job: &Job, context: &JobContext<'_>) -> Result<Report> {
    match runner(job) {
        Some(run) => run(job, context),
        None => Err(Error::Internal(format!(
            "no runner for `{}`, and it was not refused before the run",
            job.section()
        ))),
    }
}

/// `[payloads]` through the validate engine.
fn payloads(job: &Job, context: &JobContext<'_>) -> Result<Report> {
    let Job::Payloads(job) = job else {
        return Err(Error::Internal(format!(
            "the payload runner was handed `{}`",
            job.section()
        )));
    };
    let selection = Selection {
        profiles: context.profiles,
        only: &job.requirements,
    };
    let plan = payload::plan(context.catalogue, context.registry, selection, None)?;
    let options = ValidateOptions {
        paths: job.files.clone(),
        force_schema: job.schema.clone(),
        generated_at: context.generated_at.to_owned(),
    };
    payload::validate(&plan, context.registry, &options, context.progress)
}

/// `[[declarations]]`: every flow against the data-flow requirements of
/// each profile, with the lists the profiles name (overlays included).
fn declaration(job: &Job, context: &JobContext<'_>) -> Result<Report> {
    let Job::Declaration(job) = job else {
        return Err(Error::Internal(format!(
            "the declaration runner was handed `{}`",
            job.section()
        )));
    };
    let lists = Lists::load(context.suites)?;
    let plan = flows::plan(context.catalogue, &lists, context.profiles)?;
    let declaration = Declaration::load(&job.path)?;
    Ok(flows::judge(
        &plan,
        &declaration,
        context.generated_at.to_owned(),
    ))
}

/// `[[datasets]]`: one anonymity audit of the data with its descriptor.
fn dataset(job: &Job, context: &JobContext<'_>) -> Result<Report> {
    let Job::Dataset(job) = job else {
        return Err(Error::Internal(format!(
            "the dataset runner was handed `{}`",
            job.section()
        )));
    };
    let plan = dataset::plan(
        context.catalogue,
        Selection {
            profiles: context.profiles,
            only: &[],
        },
    )?;
    let descriptor = Descriptor::load(&job.descriptor)?;
    let options = AuditOptions {
        path: job.data.clone(),
        generated_at: context.generated_at.to_owned(),
    };
    dataset::audit(&plan, &descriptor, &options, context.progress)
}

/// `[target]`: the live audit of a running platform, described by a target
/// file (a bare URL names no tenants or credentials, so it cannot be
/// audited for authentication and authorization). Jobs run one after the
/// other, so this one blocks on a runtime made for it.
fn target(job: &Job, context: &JobContext<'_>) -> Result<Report> {
    let Job::Target(job) = job else {
        return Err(Error::Internal(format!(
            "the target runner was handed `{}`",
            job.section()
        )));
    };
    let path = match &job.target {
        TargetRef::File(path) => path,
        TargetRef::Url(url) => {
            return Err(Error::Usage(format!(
                "the live audit of `{url}` needs a target file (tenants, credentials, safety limits): \
                 write one (see `cityconform audit --help`) and name it with `file = ...` under [target]"
            )));
        }
    };
    let target = live::target::load(path)?;
    live::check_target_types(&target, context.registry)?;
    let cases = live::cases::load_cases(context.suites)?;
    let plan = LivePlan::new(
        context.catalogue,
        context.registry,
        cases,
        Selection {
            profiles: context.profiles,
            only: &[],
        },
    )?;
    let options = live::AuditOptions {
        generated_at: context.generated_at.to_owned(),
    };
    super::runtime()?.block_on(live::audit(&plan, &target, &options, context.progress))
}
