//! The payload engine: reads payload files, checks every record against the
//! plan, and sums the outcomes into a report.
//!
//! NDJSON is streamed: a reader thread cuts the file into batches of lines
//! while the worker pool parses and checks the previous batch, so memory
//! holds a few batches whatever the file's size. Outcomes are summed in
//! input order, so the report is the same whatever the thread count.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::sync_channel;

use rayon::prelude::*;
use serde_json::Value;

use super::PayloadPlan as Plan;
use super::checks::RecordView;
use super::records::{self as payload, NdjsonBatches, PayloadFile, PayloadFormat, RawRecord};
use crate::engine::{Outcome, Plain, Progress, Tally};
use crate::error::{Error, Result};
use crate::model::{Command, InputSummary, Location, Report};
use crate::schema::{CompiledSchema, SchemaRegistry};

/// Records per NDJSON batch: large enough to keep both cores busy between
/// hand-overs, small enough to keep memory flat.
const BATCH: usize = 2048;

/// What to validate, and how.
#[derive(Debug, Clone, Default)]
pub struct ValidateOptions {
    /// Files and folders.
    pub paths: Vec<PathBuf>,
    /// A schema (URI, entity type or file) forced on every record instead
    /// of the one its `type` names.
    pub force_schema: Option<String>,
    /// The report's timestamp, RFC 3339.
    pub generated_at: String,
}

/// How a record's schema is chosen.
#[derive(Debug)]
enum SchemaChoice {
    Forced(Arc<CompiledSchema>),
    ByType(BTreeMap<String, Arc<CompiledSchema>>),
}

impl SchemaChoice {
    fn for_record(&self, value: &Value) -> std::result::Result<&CompiledSchema, String> {
        match self {
            SchemaChoice::Forced(schema) => Ok(schema),
            SchemaChoice::ByType(by_type) => {
                let Some(type_value) = value.get("type") else {
                    return Err("the record has no `type` member, so its schema is unknown; use --schema to name one".to_owned());
                };
                let Some(name) = type_value.as_str() else {
                    return Err("the record's `type` is not a string".to_owned());
                };
                by_type.get(name).map(|s| s.as_ref()).ok_or_else(|| {
                    format!(
                        "no shared schema for type `{name}`; add one with --schema-dir or force one with --schema (see `cityconform schemas`)"
                    )
                })
            }
        }
    }
}

/// Validates every payload record under `options.paths` against `plan`.
pub fn validate(
    plan: &Plan,
    registry: &SchemaRegistry,
    options: &ValidateOptions,
    progress: &dyn Progress,
) -> Result<Report> {
    let files = payload::discover(&options.paths)?;
    let choice = match &options.force_schema {
        Some(reference) => SchemaChoice::Forced(Arc::new(registry.compile(reference)?)),
        None => SchemaChoice::ByType(registry.compile_types()?),
    };
    let total: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(&f.path).ok())
        .map(|m| m.len())
        .sum();
    progress.start(total);
    let mut tally = Tally::new(plan, &Plain);
    let mut inputs = Vec::new();
    for file in &files {
        let records = match file.format {
            PayloadFormat::Ndjson => stream_ndjson(file, plan, &choice, &mut tally, progress)?,
            PayloadFormat::Json | PayloadFormat::JsonLd => {
                let records = payload::read_document(&file.path)?;
                let count = records.len() as u64;
                check_batch(file, records, plan, &choice, &mut tally);
                progress.advance(std::fs::metadata(&file.path).map(|m| m.len()).unwrap_or(0));
                count
            }
        };
        inputs.push(InputSummary {
            path: file.display(),
            format: file.format.as_str().to_owned(),
            records,
        });
    }
    progress.finish();
    if inputs.iter().all(|i| i.records == 0) {
        return Err(Error::Usage(
            "the inputs hold no records; nothing was checked\n  help: an export with no records is not evidence of conformance".to_owned(),
        ));
    }
    Ok(tally.into_report(Command::Validate, options.generated_at.clone(), inputs))
}

fn stream_ndjson(
    file: &PayloadFile,
    plan: &Plan,
    choice: &SchemaChoice,
    tally: &mut Tally<'_, super::PayloadCheck>,
    progress: &dyn Progress,
) -> Result<u64> {
    let handle = std::fs::File::open(&file.path).map_err(|e| Error::read(&file.path, e))?;
    let (sender, receiver) = sync_channel(2);
    let mut count = 0;
    std::thread::scope(|scope| -> Result<()> {
        scope.spawn(move || {
            for batch in NdjsonBatches::new(handle, BATCH) {
                if sender.send(batch).is_err() {
                    break;
                }
            }
        });
        // The tally of one batch (serial) overlaps the checking of the
        // next (parallel), so neither core waits for the summing.
        let mut pending: Vec<Checked> = Vec::new();
        for batch in receiver {
            let (records, bytes) = batch.map_err(|e| Error::read(&file.path, e))?;
            count += records.len() as u64;
            let done = std::mem::take(&mut pending);
            let (checked, ()) = rayon::join(
                || check_records(file, records, plan, choice),
                || sum(tally, done),
            );
            pending = checked;
            progress.advance(bytes);
        }
        sum(tally, pending);
        Ok(())
    })?;
    Ok(count)
}

/// A record's location, outcomes, and whether it could not be checked.
type Checked = (Location, Vec<Outcome>, bool);

/// Checks a batch of records in parallel, then sums them in order.
fn check_batch(
    file: &PayloadFile,
    records: Vec<RawRecord>,
    plan: &Plan,
    choice: &SchemaChoice,
    tally: &mut Tally<'_, super::PayloadCheck>,
) {
    let checked = check_records(file, records, plan, choice);
    sum(tally, checked);
}

/// Checks records in parallel; the results keep the input order.
fn check_records(
    file: &PayloadFile,
    records: Vec<RawRecord>,
    plan: &Plan,
    choice: &SchemaChoice,
) -> Vec<Checked> {
    let display = file.display();
    records
        .into_par_iter()
        .map(|record| {
            let location = Location {
                file: Some(display.clone()),
                line: Some(record.line),
                record: Some(record.index),
                pointer: None,
            };
            let (outcomes, input_error) = check_record(record, plan, choice);
            (location, outcomes, input_error)
        })
        .collect()
}

/// Adds checked records to the tally, in order.
fn sum(tally: &mut Tally<'_, super::PayloadCheck>, checked: Vec<Checked>) {
    for (location, outcomes, input_error) in checked {
        tally.subject_all(&location, outcomes, input_error);
    }
}

/// Every plan instance's outcome on one record, and whether the record
/// could not be checked at all.
fn check_record(record: RawRecord, plan: &Plan, choice: &SchemaChoice) -> (Vec<Outcome>, bool) {
    let value = match record.content.parse() {
        Ok(value) => value,
        Err(reason) => return (unreadable(plan, &reason), true),
    };
    let schema = choice.for_record(&value);
    // A record without a schema is an input error only when the schema
    // check runs and says so; otherwise the checks that need a schema skip.
    let input_error = schema.is_err() && plan.instances.iter().any(|i| i.check.is_schema());
    let view = RecordView {
        value: &value,
        schema: schema.as_ref().map(|s| *s).map_err(String::as_str),
    };
    let outcomes = plan
        .instances
        .iter()
        .map(|instance| instance.check.run(view))
        .collect();
    (outcomes, input_error)
}

/// A record that is not JSON: the schema check reports it and every other
/// check has nothing to look at; without a schema check in the plan, every
/// check reports it, so that the input error is never silent.
fn unreadable(plan: &Plan, reason: &str) -> Vec<Outcome> {
    let schema_check_runs = plan.instances.iter().any(|i| i.check.is_schema());
    plan.instances
        .iter()
        .map(|instance| {
            if instance.check.is_schema() || !schema_check_runs {
                Outcome::Error(reason.to_owned())
            } else {
                Outcome::NotApplicable("the record could not be read".to_owned())
            }
        })
        .collect()
}
