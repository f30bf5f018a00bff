//! `cityconform dataset DATA`

use std::path::PathBuf;

use cityconform::ExitCode;
use cityconform::dataset::Engine;
use cityconform::dataset::engines::{
    DEFAULT_CLUSTER_TIMEOUT, DEFAULT_MEMORY_LIMIT, EngineName, parse_size,
};
use cityconform::error::Error;
use cityconform::harness::{DatasetJob, Job, Roles};
use cityconform::schema::SchemaOptions;
use clap::Args;

use super::SelectionArgs;
use super::output::{OutputArgs, TerminalProgress, run_job};

/// Arguments of `dataset`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cityconform dataset trips.csv --descriptor trips.toml --profile kr\n  cityconform dataset trips.ndjson --schema MobilityTrip -p kr -p eu --report json=audit.json\n  cityconform dataset trips.ndjson            # roles from the schema of the records' `type`"
)]
pub(crate) struct DatasetArgs {
    /// The dataset: CSV with a header row, or NDJSON (one object a line).
    #[arg(value_name = "DATA")]
    data: PathBuf,

    /// The descriptor (TOML) naming each column's privacy role and type.
    #[arg(long, short = 'd', value_name = "FILE", conflicts_with = "schema")]
    descriptor: Option<PathBuf>,

    /// Take the roles from this shared schema's governance annotations
    /// (entity type, URI or file) instead of a descriptor. Without either,
    /// an NDJSON dataset's first record's `type` names the schema.
    #[arg(long, value_name = "SCHEMA")]
    schema: Option<String>,

    /// A folder of extra schemas (files with `$schema` or `$id`); repeatable.
    #[arg(long = "schema-dir", value_name = "DIR")]
    schema_dirs: Vec<PathBuf>,

    /// Where the summary is computed: `native` (this process, the
    /// default), `datafusion` (embedded Apache DataFusion, spilling to
    /// disk past --memory-limit), or `ballista://HOST:PORT` (a running
    /// Ballista cluster of `cityconform-scheduler` and
    /// `cityconform-executor`; only grouped counts come back). The last
    /// two need a build with `--features datafusion` or `ballista`.
    #[arg(long, value_name = "ENGINE", default_value = "native")]
    engine: EngineName,

    /// Memory the DataFusion engine holds before it spills to disk, in
    /// bytes or with K, M, G or T (default 2G).
    #[arg(long = "memory-limit", value_name = "SIZE", value_parser = parse_size)]
    memory_limit: Option<u64>,

    /// Seconds to wait for a Ballista cluster's answer before the run
    /// counts every requirement as an error (default 21600).
    #[arg(long = "cluster-timeout", value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    cluster_timeout: Option<u64>,

    #[command(flatten)]
    selection: SelectionArgs,

    #[command(flatten)]
    output: OutputArgs,
}

pub(crate) fn run(args: DatasetArgs) -> Result<ExitCode, Error> {
    let roles = match &args.descriptor {
        Some(path) => Roles::Descriptor(path.clone()),
        None => Roles::Schema(args.schema.clone()),
    };
    let job = Job::Dataset(DatasetJob {
        data: args.data.clone(),
        roles,
        requirements: args.selection.only.clone(),
        pointer: String::new(),
        engine: engine(&args)?,
    });
    let schemas = SchemaOptions {
        dirs: args.schema_dirs.clone(),
        ..SchemaOptions::default()
    };
    let options = args
        .selection
        .suites
        .harness(&args.selection.profiles, schemas)?;
    let progress = TerminalProgress::new(args.output.quiet);
    run_job(
        &job,
        options,
        &args.output,
        &progress,
        &job.read_besides(),
        |_| None,
    )
}

/// The engine `--engine` names, with the settings given for it; a
/// setting for another engine is a mistake worth saying.
fn engine(args: &DatasetArgs) -> Result<Engine, Error> {
    let misplaced = |option: &str, engine: &str| {
        Error::Usage(format!(
            "{option} applies to `--engine {engine}` only; leave it out or choose that engine"
        ))
    };
    match &args.engine {
        EngineName::Native | EngineName::Ballista(_) if args.memory_limit.is_some() => {
            return Err(misplaced("--memory-limit", "datafusion"));
        }
        EngineName::Native | EngineName::DataFusion if args.cluster_timeout.is_some() => {
            return Err(misplaced("--cluster-timeout", "ballista://HOST:PORT"));
        }
        _ => {}
    }
    Ok(match &args.engine {
        EngineName::Native => Engine::Native,
        EngineName::DataFusion => Engine::DataFusion {
            memory_limit: args.memory_limit.unwrap_or(DEFAULT_MEMORY_LIMIT),
        },
        EngineName::Ballista(address) => Engine::Ballista {
            address: address.clone(),
            timeout: args
                .cluster_timeout
                .map_or(DEFAULT_CLUSTER_TIMEOUT, std::time::Duration::from_secs),
        },
    })
}
