//! Where a dataset is summarised. The native producers (the one-pass
//! scanner, the Parquet reader) run in the process and are the default.
//! With the `datafusion` cargo feature the same summary can come from
//! grouped aggregations on Apache DataFusion, embedded, for data larger
//! than memory (the aggregations spill to disk); with the `ballista`
//! feature, from the same plans on a Ballista cluster, where only the
//! grouped counts come back. Whichever engine produced it, the summary is
//! judged here, by [`super::judge`], so the verdicts are the same.
//!
//! A build without a feature still knows the engine's name, so that
//! asking for it says how to build with it rather than "unknown value".

#[cfg(feature = "ballista")]
pub mod ballista;
#[cfg(feature = "datafusion")]
mod codes;
#[cfg(feature = "datafusion")]
mod fusion;
#[cfg(feature = "datafusion")]
mod input;
#[cfg(feature = "datafusion")]
mod json;
#[cfg(feature = "datafusion")]
mod lines;
#[cfg(feature = "datafusion")]
mod pool;
#[cfg(feature = "datafusion")]
pub mod udf;

use std::time::Duration;

use super::audit::{AuditOptions, DatasetPlan};
use super::descriptor::Descriptor;
use crate::engine::{Outcome, Plain, Progress, Tally};
use crate::error::Result;
use crate::model::{Command, InputSummary, Location, Report};

/// The default memory the DataFusion engine may hold before it spills
/// its aggregations to disk.
pub const DEFAULT_MEMORY_LIMIT: u64 = 2 << 30;

/// How long a run waits for a Ballista cluster's answer by default: a
/// national extract takes hours, a cluster that stopped answering should
/// not hold a run for ever.
pub const DEFAULT_CLUSTER_TIMEOUT: Duration = Duration::from_secs(6 * 3600);

/// The engine a dataset is summarised on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Engine {
    /// The native producers, in this process.
    #[default]
    Native,
    /// Apache DataFusion, in this process, spilling past `memory_limit`
    /// bytes.
    DataFusion {
        /// Bytes the aggregations may hold in memory.
        memory_limit: u64,
    },
    /// A running Ballista cluster.
    Ballista {
        /// The scheduler, `HOST:PORT`.
        address: String,
        /// How long to wait for the answer.
        timeout: Duration,
    },
}

/// What `--engine` names, before the settings that go with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineName {
    /// `native`
    Native,
    /// `datafusion`
    DataFusion,
    /// `ballista://HOST:PORT`
    Ballista(String),
}

impl std::str::FromStr for EngineName {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        match text {
            "native" => return Ok(EngineName::Native),
            "datafusion" => return Ok(EngineName::DataFusion),
            _ => {}
        }
        let Some(address) = text.strip_prefix("ballista://") else {
            return Err(
                "the engine is `native`, `datafusion` or `ballista://HOST:PORT` (a Ballista scheduler)"
                    .to_owned(),
            );
        };
        let address = address.trim_end_matches('/');
        let port = address
            .rsplit_once(':')
            .map(|(host, port)| (host, port.parse::<u16>()));
        match port {
            Some((host, Ok(port))) if !host.is_empty() && port > 0 => {
                Ok(EngineName::Ballista(address.to_owned()))
            }
            _ => Err(format!(
                "`{text}` is no Ballista scheduler address; write `ballista://HOST:PORT`, such as `ballista://127.0.0.1:50050`"
            )),
        }
    }
}

/// Parses a memory size: bytes, or a number with `K`, `M`, `G` or `T`
/// (powers of 1024, an optional `B` or `iB` after them).
pub fn parse_size(text: &str) -> std::result::Result<u64, String> {
    let bad = || {
        format!(
            "`{text}` is no memory size; write bytes or a number with K, M, G or T (`512M`, `4G`)"
        )
    };
    let upper = text.trim().to_ascii_uppercase();
    let unit_at = upper
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(upper.len());
    let (number, unit) = upper.split_at(unit_at);
    let number: u64 = number.parse().map_err(|_| bad())?;
    let shift = match unit.trim_end_matches("IB").trim_end_matches('B') {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return Err(bad()),
    };
    number
        .checked_mul(1 << shift)
        .filter(|&n| n > 0)
        .ok_or_else(bad)
}

/// The engine a build was made without, and how to build with it.
#[cfg(any(not(feature = "datafusion"), not(feature = "ballista")))]
fn not_built(engine: &str, feature: &str) -> crate::error::Error {
    crate::error::Error::Usage(format!(
        "this cityconform was built without the {engine} engine; build it with `cargo build --release --features {feature}`, or audit with `--engine native`"
    ))
}

/// Audits a dataset on `engine`: the summary from the engine, judged
/// here. A Ballista cluster that fails once the run has started gives a
/// report whose every requirement is an `error` (never a partial "met");
/// input that cannot be read is an error of the run (exit 2).
pub fn audit(
    plan: &DatasetPlan,
    descriptor: &Descriptor,
    options: &AuditOptions,
    engine: &Engine,
    progress: &dyn Progress,
) -> Result<Report> {
    match engine {
        Engine::Native => super::audit(plan, descriptor, options, progress),
        Engine::DataFusion { memory_limit } => {
            datafusion_audit(plan, descriptor, options, *memory_limit)
        }
        Engine::Ballista { address, timeout } => {
            ballista_audit(plan, descriptor, options, address, *timeout)
        }
    }
}

#[cfg(feature = "datafusion")]
fn datafusion_audit(
    plan: &DatasetPlan,
    descriptor: &Descriptor,
    options: &AuditOptions,
    memory_limit: u64,
) -> Result<Report> {
    let summary = fusion::summarise_local(plan, descriptor, &options.path, memory_limit)?;
    super::judge(plan, descriptor, summary, options)
}

#[cfg(not(feature = "datafusion"))]
fn datafusion_audit(_: &DatasetPlan, _: &Descriptor, _: &AuditOptions, _: u64) -> Result<Report> {
    Err(not_built("DataFusion", "datafusion"))
}

#[cfg(feature = "ballista")]
fn ballista_audit(
    plan: &DatasetPlan,
    descriptor: &Descriptor,
    options: &AuditOptions,
    address: &str,
    timeout: Duration,
) -> Result<Report> {
    match ballista::summarise(plan, descriptor, &options.path, address, timeout)? {
        Ok(summary) => super::judge(plan, descriptor, summary, options),
        Err(failure) => Ok(failed(plan, options, &failure)),
    }
}

#[cfg(not(feature = "ballista"))]
fn ballista_audit(
    _: &DatasetPlan,
    _: &Descriptor,
    _: &AuditOptions,
    _: &str,
    _: Duration,
) -> Result<Report> {
    Err(not_built("Ballista", "ballista"))
}

/// The report of a run whose engine failed after it started: every
/// requirement of the plan an `error` with `reason`, so that the run is
/// not met (exit 1) and no verdict rests on part of the data.
pub fn failed(plan: &DatasetPlan, options: &AuditOptions, reason: &str) -> Report {
    let file = options.path.display().to_string();
    let location = Location {
        file: Some(file.clone()),
        ..Location::default()
    };
    let outcomes: Vec<(usize, Outcome)> = (0..plan.instances.len())
        .map(|i| (i, Outcome::Error(reason.to_owned())))
        .collect();
    let mut tally = Tally::new(plan, &Plain).with_waivers(options.waivers.as_deref());
    tally.subject(&location, outcomes, None, false);
    tally.into_report(
        Command::Dataset,
        options.generated_at.clone(),
        vec![InputSummary {
            path: file,
            format: format_of(&options.path).into(),
            records: 0,
        }],
    )
}

/// The format a path is read as, for a report's input line.
fn format_of(path: &std::path::Path) -> super::descriptor::Format {
    use super::descriptor::Format;
    if super::is_parquet(path).unwrap_or(false) {
        Format::Parquet
    } else {
        Format::from_path(path).unwrap_or(Format::Csv)
    }
}
