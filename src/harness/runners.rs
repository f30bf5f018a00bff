//! The runners: one function a job kind, each turning a [`Job`] into a
//! [`Report`] over the harness's profiles through its family's plan and
//! run. The match in [`run`] is exhaustive: a job kind without a runner
//! does not compile, so a configured check can never be skipped silently.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::Arc;

use super::{DatasetJob, DeclarationJob, Harness, Job, PayloadsJob, Roles, TargetJob, TargetRef};
use crate::dataset::{self, AuditOptions, Descriptor};
use crate::declaration::Declaration;
use crate::engine::{Progress, Selection};
use crate::error::{Error, FileProblem, Result};
use crate::flows;
use crate::live::{self, LivePlan};
use crate::model::Report;
use crate::payload::{self, ValidateOptions};
use crate::schema::SchemaRegistry;
use crate::waiver::Waivers;

/// Runs `job` under `harness`, counting the breaks `waivers` cover as
/// waived.
pub(super) fn run(
    harness: &Harness,
    job: &Job,
    progress: &dyn Progress,
    waivers: Option<&Arc<Waivers>>,
) -> Result<Report> {
    match job {
        Job::Payloads(job) => payloads(harness, job, progress, waivers),
        Job::Dataset(job) => dataset(harness, job, progress, waivers),
        Job::Declaration(job) => declaration(harness, job, waivers),
        Job::Target(job) => target(harness, job, progress, waivers),
    }
}

fn selection<'a>(harness: &'a Harness, only: &'a [String]) -> Selection<'a> {
    Selection {
        profiles: harness.profiles(),
        only,
        as_of: harness.as_of(),
    }
}

/// Payload files through the record pipeline, against a declaration when
/// the job names one.
fn payloads(
    harness: &Harness,
    job: &PayloadsJob,
    progress: &dyn Progress,
    waivers: Option<&Arc<Waivers>>,
) -> Result<Report> {
    let declaration = job
        .declaration
        .as_deref()
        .map(|path| Declaration::load(path).map(Arc::new))
        .transpose()?;
    let mut plan = payload::plan(
        harness.catalogue(),
        harness.registry(),
        selection(harness, &job.requirements),
        declaration,
    )?;
    plan.keep_findings = harness.options.keep();
    let options = ValidateOptions {
        paths: job.files.clone(),
        force_schema: job.schema.clone(),
        representation: job.representation,
        generated_at: harness.options.generated_at.clone(),
        waivers: waivers.cloned(),
    };
    payload::validate(&plan, harness.registry(), &options, progress)
}

/// Every flow against the data-flow requirements of each profile, with the
/// lists the profiles name (overlays included).
fn declaration(
    harness: &Harness,
    job: &DeclarationJob,
    waivers: Option<&Arc<Waivers>>,
) -> Result<Report> {
    let mut plan = flows::plan(harness.catalogue(), harness.profiles(), harness.as_of())?;
    plan.keep_findings = harness.options.keep();
    let declaration = Declaration::load(&job.path)?;
    Ok(flows::judge(
        &plan,
        &declaration,
        harness.options.generated_at.clone(),
        waivers.map(|w| w.as_ref()),
    ))
}

/// One anonymity audit of the data with its column roles.
fn dataset(
    harness: &Harness,
    job: &DatasetJob,
    progress: &dyn Progress,
    waivers: Option<&Arc<Waivers>>,
) -> Result<Report> {
    if !job.data.is_file() && !job.data.is_dir() {
        return Err(Error::Usage(format!(
            "dataset `{}` does not exist or is not a file",
            job.data.display()
        )));
    }
    let mut plan = dataset::plan(harness.catalogue(), selection(harness, &job.requirements))?;
    plan.keep_findings = harness.options.keep();
    let descriptor = roles(&job.data, &job.roles, harness.registry())?;
    let options = AuditOptions {
        path: job.data.clone(),
        generated_at: harness.options.generated_at.clone(),
        waivers: waivers.cloned(),
    };
    dataset::engines::audit(&plan, &descriptor, &options, &job.engine, progress)
}

/// The column roles: the descriptor, a schema's annotations, or for
/// Parquet without either, the Arrow field metadata.
fn roles(data: &Path, roles: &Roles, registry: &SchemaRegistry) -> Result<Descriptor> {
    let name = match roles {
        Roles::Descriptor(path) => return Descriptor::load(path),
        Roles::Schema(None) if dataset::is_parquet(data)? => {
            return Ok(Descriptor::parquet_metadata());
        }
        Roles::Schema(name) => name,
    };
    let reference = match name {
        Some(name) => registry
            .uri_for_type(name)
            .map_or_else(|| name.clone(), str::to_owned),
        None => first_record_type(data, registry)?,
    };
    let schema = registry.compile(&reference)?;
    Descriptor::from_schema(&schema)
}

/// The schema URI named by the `type` of the first record of an NDJSON
/// dataset.
fn first_record_type(data: &Path, registry: &SchemaRegistry) -> Result<String> {
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
    let file = crate::files::open(data)?;
    for (n, read) in BufReader::new(file).lines().enumerate() {
        let line = read.map_err(|e| Error::read(data, e))?;
        if !line.trim().is_empty() {
            let value: serde_json::Value = serde_json::from_str(&line).map_err(|e| {
                Error::from(
                    FileProblem::new(data.display().to_string(), "this line is not JSON")
                        .at_line(Some(n + 1))
                        .at_column(crate::error::char_column(line.as_bytes(), e.column())),
                )
            })?;
            let Some(name) = value.get("type").and_then(|t| t.as_str()) else {
                return Err(no_roles());
            };
            // The record's `type` is data: the message says where it is,
            // not what it says.
            return registry
                .uri_for_type(name)
                .map(str::to_owned)
                .ok_or_else(|| {
                    FileProblem::new(
                        data.display().to_string(),
                        "the first record's `type` names no shared schema",
                    )
                    .at_line(Some(n + 1))
                    .with_help("give --descriptor FILE, or --schema-dir with a schema for its type")
                    .into()
                });
        }
    }
    Err(FileProblem::new(
        data.display().to_string(),
        "the dataset has no rows; an empty extract is no evidence of anonymity",
    )
    .into())
}

/// The live audit of a running platform, described by a target file (a
/// bare URL names no tenants or credentials, so it cannot be audited for
/// authentication and authorization).
fn target(
    harness: &Harness,
    job: &TargetJob,
    progress: &dyn Progress,
    waivers: Option<&Arc<Waivers>>,
) -> Result<Report> {
    let mut target = match &job.target {
        TargetRef::File(path) => live::target::load(path)?,
        TargetRef::Url(url) => live::target::open(url, job.api)?,
    };
    if let Some(ca) = &job.ca_cert {
        target.ca_pem = Some(crate::files::read(ca)?);
    }
    live::check_target_types(&target, harness.registry())?;
    let mut plan = LivePlan::new(
        harness.catalogue(),
        harness.registry(),
        harness.suites().cases().to_vec(),
        selection(harness, &job.requirements),
    )?;
    plan.plan.keep_findings = harness.options.keep();
    plan.compile_endpoint_schemas(&target, harness.registry())?;
    let options = live::AuditOptions {
        generated_at: harness.options.generated_at.clone(),
        waivers: waivers.cloned(),
        wait: job.wait,
        record: job.record.clone(),
        record_raw: job.record_raw,
        now: job.now,
    };
    // The library's one blocking call into the live audit: a job runs to
    // completion, on a runtime made for it.
    super::runtime()?.block_on(live::audit(&plan, &target, &options, progress))
}
