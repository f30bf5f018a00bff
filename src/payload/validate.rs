//! The payload engine: reads payload files, checks every record against the
//! plan, and sums the outcomes into a report.
//!
//! NDJSON is streamed: a reader thread cuts the file into batches of lines
//! while the worker pool parses and checks the previous batch, so memory
//! holds a few batches whatever the file's size. Outcomes are summed in
//! input order, so the report is the same whatever the thread count.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::sync_channel;

use rayon::prelude::*;

use super::PayloadPlan as Plan;
use super::pipeline::{self, SchemaChoice};
use super::records::{self as payload, NdjsonBatches, PayloadFile, PayloadFormat, RawRecord};
use crate::engine::{Outcome, Plain, Progress, Tally};
use crate::error::{Error, Result};
use crate::model::{Command, InputSummary, Location, Report};
use crate::schema::SchemaRegistry;

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
    /// The run's waivers, applied while counting.
    pub waivers: Option<std::sync::Arc<crate::waiver::Waivers>>,
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
        None => SchemaChoice::ByType {
            schemas: registry.compile_types()?,
            hint: "add one with --schema-dir or force one with --schema (see `cityconform schemas`)",
            untyped_hint: "use --schema to name one",
        },
    };
    let total: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(&f.path).ok())
        .map(|m| m.len())
        .sum();
    progress.start(total);
    let mut tally = Tally::new(plan, &Plain).with_waivers(options.waivers.as_deref());
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
            format: file.format.into(),
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
type Checked = (Location, Vec<(usize, Outcome)>, bool);

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
        tally.subject(&location, outcomes, None, input_error);
    }
}

/// The plan's checks, by instance.
fn all_checks(plan: &Plan) -> impl Iterator<Item = (usize, &super::PayloadCheck)> + Clone {
    plan.instances
        .iter()
        .enumerate()
        .map(|(i, instance)| (i, &instance.check))
}

/// Every plan instance's outcome on one record, and whether the record
/// could not be checked at all.
fn check_record(
    record: RawRecord,
    plan: &Plan,
    choice: &SchemaChoice,
) -> (Vec<(usize, Outcome)>, bool) {
    match record.content.parse() {
        Ok(value) => {
            let checked = pipeline::check_record(all_checks(plan), value, choice, None);
            (checked.outcomes, checked.input_error)
        }
        Err(reason) => (pipeline::unreadable(all_checks(plan), &reason), true),
    }
}
