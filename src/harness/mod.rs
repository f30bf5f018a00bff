//! The harness: loads the suites and schemas once and runs [`Job`]s. Every
//! command goes through it: `validate`, `dataset`, `flows`, `audit` and
//! `demo` run one job made from their flags; `check` runs the jobs of
//! `cityconform.toml` and merges their reports into one, with its waivers
//! and provenance. The CLI maps arguments to jobs and never orchestrates.
//!
//! The exit rule, in one place: a run that could not start (a bad
//! argument, configuration, suite, schema, target, descriptor or
//! declaration) is an error and writes nothing; a run that started yields
//! a whole report, in which an input that could not be read counts as an
//! input error (exit 2) and a platform that could not be reached leaves
//! its requirements `error` (exit 1).

mod job;
mod merge;
mod runners;

use std::path::PathBuf;
use std::sync::Arc;

use crate::catalog::Catalogue;
use crate::config::Config;
use crate::dates::Day;
use crate::engine::Progress;
use crate::error::{Error, Result};
use crate::model::{Command, Provenance, Report};
use crate::schema::{SchemaOptions, SchemaRegistry};
use crate::suites::Suites;
use crate::waiver::Waivers;

pub use job::{DatasetJob, DeclarationJob, Job, PayloadsJob, Roles, TargetJob, TargetRef};

/// What a harness is loaded with.
#[derive(Debug, Clone, Default)]
pub struct HarnessOptions {
    /// Suite overlay folders, over the embedded suites.
    pub suites: Vec<PathBuf>,
    /// Schema folders, mappings and fetching.
    pub schemas: SchemaOptions,
    /// Profiles, in report order.
    pub profiles: Vec<String>,
    /// The report time, RFC 3339.
    pub generated_at: String,
    /// The evaluation date (`--as-of`): the day dated law is read on;
    /// `None` for the day of `generated_at`.
    pub as_of: Option<Day>,
    /// Findings listed per (profile, requirement), the rest counted;
    /// `None` for [`crate::engine::plan::DEFAULT_KEEP_FINDINGS`].
    pub keep_findings: Option<usize>,
}

impl HarnessOptions {
    /// Findings listed per (profile, requirement).
    pub fn keep(&self) -> usize {
        self.keep_findings
            .unwrap_or(crate::engine::plan::DEFAULT_KEEP_FINDINGS)
    }
}

/// Suites and schemas loaded once, and the run's profiles and time.
#[derive(Debug)]
pub struct Harness {
    suites: Suites,
    registry: SchemaRegistry,
    options: HarnessOptions,
    as_of: Day,
}

impl Harness {
    /// Loads the suites (refusing unknown check kinds and profiles) and
    /// the schemas. Fails before any subject is read.
    pub fn load(options: HarnessOptions) -> Result<Self> {
        let as_of = match options.as_of {
            Some(day) => day,
            None => Day::of_time(&options.generated_at).map_err(Error::Internal)?,
        };
        let suites = Suites::load(&options.suites)?;
        let registry = SchemaRegistry::load(&options.schemas)?;
        let mut options = options;
        options.profiles = canonical_profiles(suites.catalogue(), &options.profiles);
        Ok(Harness {
            suites,
            registry,
            options,
            as_of,
        })
    }

    /// The evaluation date: `--as-of`, or the day of the report time.
    pub fn as_of(&self) -> Day {
        self.as_of
    }

    /// The suites in force: catalogue, profiles, lists and live cases.
    pub fn suites(&self) -> &Suites {
        &self.suites
    }

    /// The catalogue in force.
    pub fn catalogue(&self) -> &Catalogue {
        self.suites.catalogue()
    }

    /// The schemas in force.
    pub fn registry(&self) -> &SchemaRegistry {
        &self.registry
    }

    /// The profiles, in report order.
    pub fn profiles(&self) -> &[String] {
        &self.options.profiles
    }

    /// Runs one job into its report.
    pub fn run(&self, job: &Job, progress: &dyn Progress) -> Result<Report> {
        runners::run(self, job, progress, None)
    }

    /// Runs every job of `config` into one report: the jobs' reports
    /// merged (every dataset summary and matrix kept), waivers applied,
    /// provenance recorded.
    pub fn run_config(&self, config: &Config, progress: &dyn Progress) -> Result<Report> {
        check_config_references(config, self.catalogue(), &self.options.generated_at)?;
        let waivers = Arc::new(Waivers::new(
            config.waivers.clone(),
            &self.options.generated_at,
        )?);
        let mut reports = Vec::with_capacity(config.jobs.len());
        for job in &config.jobs {
            reports.push(runners::run(self, job, progress, Some(&waivers))?);
        }
        let report = merge::merge(
            reports,
            Command::Check,
            &self.options.generated_at,
            self.options.keep(),
        )?;
        let besides: Vec<PathBuf> = config.jobs.iter().flat_map(Job::read_besides).collect();
        let mut report = report;
        report.provenance = Some(self.provenance(&report, &besides, target_of(&config.jobs))?);
        Ok(report)
    }

    /// Digests of what produced `report`'s verdicts: the suites and
    /// schemas in force, the inputs, and `besides`, the files read to know
    /// how to read them (a descriptor, a declaration, a target); `target`
    /// names the live platform, if one was audited.
    pub fn provenance(
        &self,
        report: &Report,
        besides: &[PathBuf],
        target: Option<String>,
    ) -> Result<Provenance> {
        self.suites.provenance(
            &self.options.profiles,
            &self.registry,
            &report.inputs,
            besides,
            target,
        )
    }
}

/// The tokio runtime a live audit (and the reference platform) runs on,
/// built where a synchronous caller needs one: the harness for a target
/// job, and the `cityconform` binary. The rest of the library builds none,
/// so an application with its own runtime awaits [`crate::live::audit`]
/// on it. Two workers: the audit waits on the network far more than it
/// computes.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))
}

/// The profiles as the catalogue spells them (`KR` is `kr`), so that every
/// report, digest and comparison names them one way. An unknown name is
/// kept as typed: refusing it is for the step that knows where it was
/// written (a configuration's line).
fn canonical_profiles(catalogue: &Catalogue, names: &[String]) -> Vec<String> {
    names
        .iter()
        .map(|name| catalogue.profile_id(name).unwrap_or(name).to_owned())
        .collect()
}

/// The live platform a run's jobs name, for provenance.
pub fn target_of(jobs: &[Job]) -> Option<String> {
    jobs.iter().find_map(|job| match job {
        Job::Target(target) => Some(match &target.target {
            TargetRef::Url(url) => url.clone(),
            TargetRef::File(path) => path.display().to_string(),
        }),
        _ => None,
    })
}

/// Profiles and waived requirements must exist: a typo in either would
/// otherwise check less than intended, or waive nothing. A waiver must
/// also end within the longest any selected profile allows, counted from
/// the day of the report time `generated_at`.
pub fn check_config_references(
    config: &Config,
    catalogue: &Catalogue,
    generated_at: &str,
) -> Result<()> {
    let mut problems = Vec::new();
    for (i, id) in config.profiles.iter().enumerate() {
        if catalogue.profile(id).is_err() {
            problems.push(
                config
                    .problem(&format!("/profiles/{i}"), format!("unknown profile `{id}`"))
                    .with_help(format!(
                        "{}known profiles: {}",
                        crate::suggest::did_you_mean(
                            id,
                            catalogue.profiles().map(|p| p.id.as_str())
                        ),
                        catalogue.profile_names()
                    )),
            );
        }
    }
    Error::unless_problems(problems)?;
    check_waivers(config, catalogue)?;
    check_waiver_durations(config, catalogue, generated_at)
}

/// Refuses a waiver that runs past the longest a selected profile allows
/// (`max_waiver`), naming the profile, its limit and the last day it
/// would accept.
fn check_waiver_durations(
    config: &Config,
    catalogue: &Catalogue,
    generated_at: &str,
) -> Result<()> {
    let today = crate::dates::Day::of_time(generated_at).map_err(Error::Usage)?;
    let mut limits = Vec::new();
    for id in &config.profiles {
        let profile = catalogue.resolve(id)?;
        if let Some(text) = profile.max_waiver {
            let days = crate::dates::duration_seconds(&text).map_or(0, |s| s / 86_400);
            limits.push((profile.id, text, days));
        }
    }
    let mut problems = Vec::new();
    for (i, waiver) in config.waivers.iter().enumerate() {
        let Ok(expires) = crate::dates::Day::parse(&waiver.expires.to_string()) else {
            continue;
        };
        let runs = expires.days_since(today);
        let Some((profile, text, days)) = limits
            .iter()
            .filter(|(_, _, days)| runs > *days as i64)
            .min_by_key(|(_, _, days)| *days)
        else {
            continue;
        };
        problems.push(
            config
                .problem(
                    &format!("/waivers/{i}/expires"),
                    format!(
                        "waiver `{}` runs {runs} days, until {expires}: longer than profile `{profile}` allows (max_waiver {text}, {days} days from {today})",
                        waiver.id
                    ),
                )
                .with_help("shorten it, and renew it with a fresh approval when it runs out"),
        );
    }
    Error::unless_problems(problems)
}

fn check_waivers(config: &Config, catalogue: &Catalogue) -> Result<()> {
    let mut problems = Vec::new();
    for (i, waiver) in config.waivers.iter().enumerate() {
        if catalogue.requirement(&waiver.requirement).is_err() {
            problems.push(
                config
                    .problem(
                        &format!("/waivers/{i}/requirement"),
                        format!("waiver names unknown requirement `{}`", waiver.requirement),
                    )
                    .with_help(format!(
                        "{}check the ID against `cityconform requirements list`",
                        crate::suggest::did_you_mean(
                            &waiver.requirement,
                            catalogue.requirements().map(|r| r.id.as_str())
                        )
                    )),
            );
        }
    }
    Error::unless_problems(problems)
}
