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

use std::path::PathBuf;

use crate::catalog::Catalogue;
use crate::config::{Config, Job, TargetRef};
use crate::engine::Progress;
use crate::error::{Error, Result};
use crate::model::{Command, Report};
use crate::schema::{SchemaOptions, SchemaRegistry};
use crate::suites::Suites;

pub use jobs::JobContext;

/// Runs everything `config` names; `generated_at` is the report time.
pub fn run(config: &Config, generated_at: &str, progress: &dyn Progress) -> Result<Report> {
    let suites = Suites::load(&config.suites)?;
    check_references(config, suites.catalogue())?;
    jobs::refuse_unavailable(config)?;
    let registry = SchemaRegistry::load(&SchemaOptions {
        dirs: config.schema_dirs.clone(),
        mappings: config.mappings.clone(),
        allow_fetch: false,
        strict_formats: config.strict_formats,
    })?;
    let context = JobContext {
        suites: &suites,
        registry: &registry,
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
    report.provenance = Some(suites.provenance(
        &config.profiles,
        &registry,
        &report.inputs,
        &read_besides_inputs(config),
        target_of(config),
    )?);
    Ok(report)
}

/// The files the jobs read besides their inputs, to know how to read
/// them: each dataset's descriptor and the target file. A report signed
/// without them could not tell which column roles or which platform
/// description its verdicts rest on.
fn read_besides_inputs(config: &Config) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for job in &config.jobs {
        match job {
            Job::Dataset(job) => files.push(job.descriptor.clone()),
            Job::Target(job) => {
                if let TargetRef::File(path) = &job.target {
                    files.push(path.clone());
                }
            }
            Job::Payloads(_) | Job::Declaration(_) => {}
        }
    }
    files.sort();
    files.dedup();
    files
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

fn target_of(config: &Config) -> Option<String> {
    config.jobs.iter().find_map(|job| match job {
        Job::Target(target) => Some(match &target.target {
            TargetRef::Url(url) => url.clone(),
            TargetRef::File(path) => path.display().to_string(),
        }),
        _ => None,
    })
}
