//! `cityconform audit`: the live audit of a running platform (`demo`
//! audits the embedded reference platform through [`run_audit`] too).

use std::path::{Path, PathBuf};

use cityconform::ExitCode;
use cityconform::error::Error;
use cityconform::harness::{Job, TargetJob, TargetRef};
use cityconform::live::target::ApiKind;
use cityconform::model::Report;
use cityconform::schema::SchemaOptions;
use clap::Args;

use super::SelectionArgs;
use super::output::{OutputArgs, TerminalProgress, run_job};

/// Arguments of `audit`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cityconform audit https://data.city.example/ogcapi\n  cityconform audit --target target.toml --profile kr\n  cityconform audit --target staging.toml -p kr -p eu --report json=audit.json --ca-cert staging-ca.pem"
)]
pub(crate) struct AuditArgs {
    /// A public API's base URL, audited as open data: no tenants, no
    /// credentials, no admin operation (the requirements that need them
    /// do not apply).
    #[arg(
        value_name = "URL",
        required_unless_present = "target",
        conflicts_with = "target"
    )]
    url: Option<String>,

    /// The target description (TOML; format: schemas/tool/target.schema.json).
    #[arg(long, value_name = "TARGET.toml")]
    target: Option<PathBuf>,

    /// The kind of API at URL: generic (the URL is one collection),
    /// ogcapi-features (an OGC API - Features landing page), ngsi-ld (an
    /// NGSI-LD broker's API root, above /ngsi-ld/v1), ngsi-v2 (an NGSI-v2
    /// broker's root, above /v2) or gbfs (a GBFS feed's gbfs.json);
    /// without it, found from the URL and its answer. A target file names
    /// its own.
    #[arg(long, value_name = "KIND", requires = "url", value_parser = ["generic", "ogcapi-features", "ngsi-ld", "ngsi-v2", "gbfs"])]
    api: Option<String>,

    /// The evaluation time a GBFS feed's `last_updated` and `ttl` are
    /// judged at: RFC 3339 (2019-07-04T13:33:03Z) or seconds since 1970;
    /// without it, SOURCE_DATE_EPOCH, else the clock.
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    now: Option<chrono::DateTime<chrono::Utc>>,

    #[command(flatten)]
    selection: SelectionArgs,

    /// A folder of extra schemas (files with `$schema` or `$id`), for the
    /// answers' records and an endpoint's `schema`; repeatable. A schema
    /// that replaces a bundled one is named in a warning.
    #[arg(long = "schema-dir", value_name = "DIR")]
    schema_dirs: Vec<PathBuf>,

    /// Serve a remote base URI from a local folder, as PREFIX=DIR; repeatable.
    #[arg(long = "map-uri", value_name = "PREFIX=DIR", value_parser = super::validate::parse_mapping)]
    mappings: Vec<cityconform::schema::UriMapping>,

    /// Also trust the certificate authorities in this PEM file.
    #[arg(long = "ca-cert", value_name = "PEM")]
    ca_cert: Option<PathBuf>,

    /// Wait up to this many seconds for the platform to accept connections
    /// (for a CI job that starts it just before); without it, one try, and
    /// an unreachable platform leaves every requirement unchecked.
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(0..=3600))]
    wait: Option<u64>,
    /// Write every HTTP exchange of the audit to this file as HAR 1.2,
    /// safe to attach to a ticket: credentials redacted, and every
    /// identifier value the detectors find in bodies, headers and the
    /// paths and queries of URLs (a collection ID or `next` link a server
    /// wrote) replaced by its placeholder, as in the reports.
    #[arg(long, value_name = "FILE.har")]
    record: Option<PathBuf>,

    /// Keep the --record capture as sent: bodies, headers and URLs with
    /// their identifier values (only credentials redacted). A warning on
    /// stderr says so; keep the file as you keep the platform's data.
    #[arg(long, requires = "record")]
    record_raw: bool,

    #[command(flatten)]
    output: OutputArgs,
}

pub(crate) fn audit(args: AuditArgs) -> Result<ExitCode, Error> {
    let mut job = match (&args.target, &args.url) {
        (Some(path), _) => target_job(path, args.ca_cert.clone(), &args.selection.only),
        (None, url) => url_job(
            url.clone().unwrap_or_default(),
            args.api.as_deref().and_then(ApiKind::from_name),
            args.ca_cert.clone(),
            &args.selection.only,
        ),
    };
    if let Job::Target(target) = &mut job {
        target.wait = args.wait.map(std::time::Duration::from_secs);
        target.now = args.now;
        target.record.clone_from(&args.record);
        target.record_raw = args.record_raw;
    }
    if args.record_raw {
        super::output::schema_warnings(&[RAW_RECORDING.to_owned()]);
    }
    let options = args.selection.suites.harness(
        &args.selection.profiles,
        SchemaOptions {
            dirs: args.schema_dirs.clone(),
            mappings: args.mappings.clone(),
            ..SchemaOptions::default()
        },
    )?;
    let progress = TerminalProgress::checks(args.output.quiet);
    run_job(
        &job,
        options,
        &args.output,
        &progress,
        &job.read_besides(),
        base_url,
    )
}

/// Said on stderr before an audit whose recording is raw.
const RAW_RECORDING: &str = "--record-raw: the recording keeps the identifier values the platform served (in bodies, headers and URLs); only credentials are redacted. Keep it as you keep the platform's data, and attach a recording made without --record-raw to tickets.";

/// The live job for a target file.
pub(crate) fn target_job(path: &Path, ca_cert: Option<PathBuf>, only: &[String]) -> Job {
    Job::Target(TargetJob {
        target: TargetRef::File(path.to_path_buf()),
        ca_cert,
        requirements: only.to_vec(),
        pointer: String::new(),
        wait: None,
        record: None,
        record_raw: false,
        api: None,
        now: None,
    })
}

/// The live job for a public API's URL.
fn url_job(url: String, api: Option<ApiKind>, ca_cert: Option<PathBuf>, only: &[String]) -> Job {
    Job::Target(TargetJob {
        target: TargetRef::Url(url),
        ca_cert,
        requirements: only.to_vec(),
        pointer: String::new(),
        wait: None,
        record: None,
        record_raw: false,
        api,
        now: None,
    })
}

/// `--now`: an RFC 3339 time, or whole seconds since 1970.
fn parse_now(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    if let Ok(seconds) = text.parse::<i64>() {
        return chrono::DateTime::from_timestamp(seconds, 0)
            .ok_or_else(|| format!("`{text}` seconds is out of range"));
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| {
            format!(
                "`{text}` is neither RFC 3339 (2019-07-04T13:33:03Z) nor seconds since 1970: {e}"
            )
        })
}

/// The audited platform's base URL, as the report's input names it.
pub(crate) fn base_url(report: &Report) -> Option<String> {
    report.inputs.first().map(|input| input.path.clone())
}
