//! `cityconform validate PATH...`

use std::path::PathBuf;

use cityconform::ExitCode;
use cityconform::error::Error;
use cityconform::harness::{Job, PayloadsJob};
use cityconform::payload::pipeline::Declared;
use cityconform::schema::{SchemaOptions, UriMapping};
use clap::Args;

use super::SelectionArgs;
use super::output::{OutputArgs, TerminalProgress, run_job};

/// Arguments of `validate`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cityconform validate fixtures/payloads/valid\n  cityconform validate trips.ndjson --profile kr --profile eu --report junit=results.xml\n  cityconform validate examples/ --schema-dir models/ \\\n      --map-uri https://smart-data-models.github.io/data-models/=vendor/data-models/"
)]
pub(crate) struct ValidateArgs {
    /// Payload files or folders (searched recursively for .json, .jsonld,
    /// .ndjson and .jsonl); `-` reads NDJSON from standard input.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Use this schema (URI, entity type, or file) for every record instead
    /// of the one its `type` names.
    #[arg(long, value_name = "SCHEMA")]
    schema: Option<String>,

    /// A folder of extra schemas (files with `$schema` or `$id`); repeatable.
    #[arg(long = "schema-dir", value_name = "DIR")]
    schema_dirs: Vec<PathBuf>,

    /// Serve a remote base URI from a local folder, as PREFIX=DIR; repeatable.
    #[arg(long = "map-uri", value_name = "PREFIX=DIR", value_parser = parse_mapping)]
    mappings: Vec<UriMapping>,

    /// Fetch referenced schemas that nothing local provides (off by default:
    /// verdicts should not depend on a web server).
    #[arg(long)]
    allow_fetch: bool,

    /// Assert `format` keywords (date-time, email, uri, ...) instead of
    /// treating them as annotations.
    #[arg(long)]
    strict_formats: bool,

    /// The data-flow declaration the records are exchanged under: each
    /// record's envelope must name a declared flow, purpose, recipient,
    /// destination and categories (FLOW-PAYLOAD-01).
    #[arg(long, value_name = "DECLARATION")]
    declaration: Option<PathBuf>,

    // The help is the one text every place that names representations
    // shows (`Declared::HELP`).
    #[arg(long, value_name = "FORM", default_value = "auto", help = Declared::HELP)]
    representation: Declared,

    #[command(flatten)]
    selection: SelectionArgs,

    #[command(flatten)]
    output: OutputArgs,
}

pub(crate) fn parse_mapping(text: &str) -> Result<UriMapping, String> {
    let (prefix, dir) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not PREFIX=DIR"))?;
    if !prefix.contains("://") {
        return Err(format!(
            "`{prefix}` is not an absolute URI prefix such as https://example.org/schemas/"
        ));
    }
    Ok(UriMapping {
        prefix: prefix.to_owned(),
        dir: PathBuf::from(dir),
    })
}

pub(crate) fn run(args: ValidateArgs) -> Result<ExitCode, Error> {
    if args.output.signs()
        && args
            .paths
            .iter()
            .any(|p| cityconform::payload::records::is_stdin(p))
    {
        return Err(Error::Usage(
            "a signed report digests every input, and standard input cannot be read twice: write the records to a file and validate that".to_owned(),
        ));
    }
    let job = Job::Payloads(PayloadsJob {
        files: args.paths.clone(),
        schema: args.schema.clone(),
        requirements: args.selection.only.clone(),
        declaration: args.declaration.clone(),
        representation: args.representation,
        pointer: String::new(),
    });
    let schemas = SchemaOptions {
        dirs: args.schema_dirs.clone(),
        mappings: args.mappings.clone(),
        allow_fetch: args.allow_fetch,
        strict_formats: args.strict_formats,
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
