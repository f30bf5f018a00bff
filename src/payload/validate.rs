//! The payload engine: reads payload files, checks every record against the
//! plan, and sums the outcomes into a report.
//!
//! NDJSON is streamed: a reader thread cuts the file into batches of lines
//! while the worker pool parses and checks the previous batch, so memory
//! holds a few batches whatever the file's size. Outcomes are summed in
//! input order, so the report is the same whatever the thread count.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use super::PayloadPlan as Plan;
use super::pipeline::{self, Declared, SchemaChoice};
use super::records::{self as payload, NdjsonBatches, PayloadFile, PayloadFormat, RawRecord};
use crate::engine::{Locator, Outcome, Progress, Tally};
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
    /// The records' representation, or `Auto` to tell each from its
    /// content.
    pub representation: Declared,
}

/// How every record of the run is read: its schema, and its form.
struct Reading {
    schemas: SchemaChoice,
    representation: Declared,
}

/// Validates every payload record under `options.paths` against `plan`.
pub fn validate(
    plan: &Plan,
    registry: &SchemaRegistry,
    options: &ValidateOptions,
    progress: &dyn Progress,
) -> Result<Report> {
    let files = payload::discover(&options.paths)?;
    let schemas = match &options.force_schema {
        Some(reference) => SchemaChoice::Forced(Arc::new(registry.compile(reference)?)),
        None => SchemaChoice::ByType {
            schemas: registry.compile_types()?,
            hint: "add one with --schema-dir or force one with --schema (see `cityconform schemas`)",
            untyped_hint: "use --schema to name one",
        },
    };
    let choice = Reading {
        schemas,
        representation: options.representation,
    };
    let total: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(&f.path).ok())
        .map(|m| m.len())
        .sum();
    progress.start(total);
    let locator = MemberLines::default();
    let mut tally = Tally::new(plan, &locator).with_waivers(options.waivers.as_deref());
    let mut inputs = Vec::new();
    for file in &files {
        let records = match file.format {
            PayloadFormat::Ndjson => stream_ndjson(file, plan, &choice, &mut tally, progress)?,
            PayloadFormat::Json | PayloadFormat::JsonLd => {
                let records = payload::read_document(&file.path)?;
                let count = records.len() as u64;
                check_batch(file, records, plan, &choice, &mut tally, &locator);
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
    choice: &Reading,
    tally: &mut Tally<'_, super::PayloadCheck>,
    progress: &dyn Progress,
) -> Result<u64> {
    let handle: Box<dyn std::io::Read + Send> = if super::records::is_stdin(&file.path) {
        Box::new(std::io::stdin())
    } else {
        Box::new(crate::files::open(&file.path)?)
    };
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
        // Every line is one record, so a finding's line is its record's.
        for batch in receiver {
            let (records, bytes) = batch.map_err(|e| Error::read(&file.path, e))?;
            count += records.len() as u64;
            let done = std::mem::take(&mut pending);
            let (checked, ()) = rayon::join(
                || check_records(file, records, plan, choice),
                || sum(tally, done, None),
            );
            pending = checked;
            progress.advance(bytes);
        }
        sum(tally, pending, None);
        Ok(())
    })?;
    Ok(count)
}

/// A record's location, outcomes, whether it could not be checked, and
/// its text when it comes from a JSON document.
type Checked = (Location, Vec<(usize, Outcome)>, bool, Option<Source>);

/// A record's text within its document: the document and the record's
/// bytes in it.
type Source = (Arc<str>, Range<usize>);

/// The payload family's location stage. A record of an NDJSON file is one
/// line, so its findings are on its line; a record of a JSON document may
/// span many, so a finding is placed on the line of its member, found by
/// walking the record's text once more. Only findings the report keeps
/// are placed, so records without findings never pay for it.
#[derive(Debug, Default)]
struct MemberLines {
    /// The record being summed, while it is: its text and first line.
    current: Mutex<Option<(Source, u64)>>,
}

impl MemberLines {
    fn set(&self, record: Option<(Source, u64)>) {
        if let Ok(mut current) = self.current.lock() {
            *current = record;
        }
    }
}

impl Locator for MemberLines {
    fn place(&self, subject: &Location, pointer: &str) -> Location {
        let line = self.current.lock().ok().and_then(|current| {
            let ((text, span), first) = current.as_ref()?;
            let record = text.get(span.clone())?;
            let within = crate::declaration::json_lines::line_of(record, pointer)?;
            Some(first + within as u64 - 1)
        });
        Location {
            pointer: Some(pointer.to_owned()),
            line: line.or(subject.line),
            ..subject.clone()
        }
    }
}

/// Checks a batch of records in parallel, then sums them in order.
fn check_batch(
    file: &PayloadFile,
    records: Vec<RawRecord>,
    plan: &Plan,
    choice: &Reading,
    tally: &mut Tally<'_, super::PayloadCheck>,
    locator: &MemberLines,
) {
    let checked = check_records(file, records, plan, choice);
    sum(tally, checked, Some(locator));
}

/// Checks records in parallel; the results keep the input order.
fn check_records(
    file: &PayloadFile,
    records: Vec<RawRecord>,
    plan: &Plan,
    choice: &Reading,
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
            let (outcomes, input_error) = check_record(&record, plan, choice);
            let has_findings = outcomes
                .iter()
                .any(|(_, o)| matches!(o, Outcome::Violations(_)));
            let source = has_findings
                .then(|| record.content.document_source())
                .flatten();
            (location, outcomes, input_error, source)
        })
        .collect()
}

/// Adds checked records to the tally, in order; `locator` is told which
/// record is being summed, when findings are placed within records.
fn sum(
    tally: &mut Tally<'_, super::PayloadCheck>,
    checked: Vec<Checked>,
    locator: Option<&MemberLines>,
) {
    for (location, outcomes, input_error, source) in checked {
        let placing = locator.zip(source.zip(location.line));
        if let Some((locator, record)) = placing.clone() {
            locator.set(Some(record));
        }
        tally.subject(&location, outcomes, None, input_error);
        if let Some((locator, _)) = placing {
            locator.set(None);
        }
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
/// could not be checked at all. The checks see the record's text as
/// written beside its value.
fn check_record(
    record: &RawRecord,
    plan: &Plan,
    choice: &Reading,
) -> (Vec<(usize, Outcome)>, bool) {
    match record.content.parse() {
        Ok(parsed) => {
            let checked = pipeline::check_record_with_source(
                all_checks(plan),
                parsed.value,
                Some(parsed.source),
                choice.representation,
                &choice.schemas,
                None,
            );
            (checked.outcomes, checked.input_error)
        }
        Err(reason) => (pipeline::unreadable(all_checks(plan), &reason), true),
    }
}
