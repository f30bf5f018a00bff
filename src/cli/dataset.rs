//! `cityconform dataset DATA`

use std::path::PathBuf;

use cityconform::ExitCode;
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
