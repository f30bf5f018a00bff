//! `cityconform dataset DATA`

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use cityconform::ExitCode;
use cityconform::dataset::{self, AuditOptions, Descriptor};
use cityconform::error::{Error, FileProblem};
use cityconform::schema::{SchemaOptions, SchemaRegistry};
use clap::Args;

use super::SelectionArgs;
use super::output::{OutputArgs, TerminalProgress, generated_at, sign};

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
    let mut inputs = vec![args.data.clone()];
    inputs.extend(args.descriptor.clone());
    args.output.check_paths(&inputs)?;
    if !args.data.is_file() {
        return Err(Error::Usage(format!(
            "dataset `{}` does not exist or is not a file",
            args.data.display()
        )));
    }
    let key = args.output.signing_key()?;
    let catalogue = args.selection.suites.load()?;
    let plan = dataset::plan(&catalogue, args.selection.selection())?;
    let descriptor = descriptor(&args)?;
    let options = AuditOptions {
        path: args.data.clone(),
        generated_at: generated_at()?,
    };
    let progress = TerminalProgress::new(args.output.quiet);
    let mut report = cityconform::dataset::audit(&plan, &descriptor, &options, &progress)?;
    sign(&mut report, key.as_ref(), |report| {
        let registry = SchemaRegistry::load(&SchemaOptions {
            dirs: args.schema_dirs.clone(),
            ..SchemaOptions::default()
        })?;
        cityconform::attest::provenance(
            &catalogue,
            &args.selection.profiles,
            &registry,
            &report.inputs,
            None,
        )
    })?;
    args.output.emit(&report)?;
    Ok(report.exit_code())
}

/// The column roles: the descriptor, or a schema's annotations.
fn descriptor(args: &DatasetArgs) -> Result<Descriptor, Error> {
    if let Some(path) = &args.descriptor {
        return Descriptor::load(path);
    }
    let registry = SchemaRegistry::load(&SchemaOptions {
        dirs: args.schema_dirs.clone(),
        ..SchemaOptions::default()
    })?;
    let reference = match &args.schema {
        Some(name) => registry
            .uri_for_type(name)
            .map_or_else(|| name.clone(), str::to_owned),
        None => first_record_type(&args.data, &registry)?,
    };
    let schema = registry.compile(&reference)?;
    Descriptor::from_schema(&schema)
}

/// The schema URI named by the `type` of the first record of an NDJSON
/// dataset.
fn first_record_type(data: &Path, registry: &SchemaRegistry) -> Result<String, Error> {
    let no_roles = || {
        Error::Usage(format!(
            "no column roles for `{}`: give --descriptor FILE, or --schema TYPE for records of a shared-schema type",
            data.display()
        ))
    };
    let is_ndjson = data
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "ndjson" | "jsonl"));
    if !is_ndjson {
        return Err(no_roles());
    }
    let file = std::fs::File::open(data).map_err(|e| Error::read(data, e))?;
    for (n, read) in BufReader::new(file).lines().enumerate() {
        let line = read.map_err(|e| Error::read(data, e))?;
        if !line.trim().is_empty() {
            let value: serde_json::Value = serde_json::from_str(&line).map_err(|e| {
                Error::from(
                    FileProblem::new(data.display().to_string(), "this line is not JSON")
                        .at_line(Some(n + 1))
                        .at_column(cityconform::error::char_column(line.as_bytes(), e.column())),
                )
            })?;
            let Some(name) = value.get("type").and_then(|t| t.as_str()) else {
                return Err(no_roles());
            };
            return registry.uri_for_type(name).map(str::to_owned).ok_or_else(|| {
                Error::Usage(format!(
                    "no shared schema for entity type `{name}`; give --descriptor FILE, or --schema-dir with a schema for it"
                ))
            });
        }
    }
    Err(FileProblem::new(
        data.display().to_string(),
        "the dataset has no rows; an empty extract is no evidence of anonymity",
    )
    .into())
}
