//! The DataFusion producer: the dataset's summary as grouped
//! aggregations, on an embedded DataFusion session or on a Ballista
//! cluster (the same plans; [`summarise_on`] does not know which, but
//! is told whether categorical quasi-identifiers travel as codes).
//!
//! Every column is read as text ([`super::udf`]'s `cityconform_text`),
//! so that a value groups as the native scanner interns it; the groups
//! come back as (texts, rows) and are counted into the scanner's own
//! `Pass` with their weights, which normalises numbers, keeps the cells
//! written otherwise than their number, and builds the class table as
//! one pass would. Three kinds of query, each a full scan of the columns
//! it needs:
//!
//! 1. rows per (quasi-identifier values, sensitive texts): the classes,
//!    with their sensitive counts and the distinct values of those
//!    columns; on a cluster a categorical quasi-identifier's values are
//!    its per-run codes ([`super::codes`]), elsewhere their texts;
//! 2. per count column, rows per text;
//! 3. over the other columns and the coded ones, the sum of what the
//!    detection function found per kind, and the cells with a value.
//!
//! Only these grouped counts leave the engine, never a row.

use std::path::Path;
use std::sync::Arc;

use ::datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use ::datafusion::arrow::compute::cast;
use ::datafusion::arrow::datatypes::{DataType, Field, Schema};
use ::datafusion::common::DataFusionError;
use ::datafusion::execution::runtime_env::RuntimeEnvBuilder;
use ::datafusion::functions::core::expr_fn::get_field;
use ::datafusion::functions_aggregate::count::count_all;
use ::datafusion::functions_aggregate::expr_fn::sum;
use ::datafusion::logical_expr::{Expr, ScalarUDF};
use ::datafusion::prelude::{
    CsvReadOptions, DataFrame, JsonReadOptions, ParquetReadOptions, SessionConfig, SessionContext,
    col, lit,
};

use super::input::{Input, field_name, input};
use super::pool::SharedSpillPool;
use super::{codes, json, lines, udf};
use crate::dataset::audit::{self, DatasetPlan};
use crate::dataset::descriptor::{Descriptor, Format, ValueType};
use crate::dataset::scan::{ColumnScan, Pass, insensitive};
use crate::dataset::summary::Summary;
use crate::detect::identifiers::{Detectors, IdentifierKind};
use crate::error::{Error, FileProblem, Result};
use crate::schema::PathSegment;

/// Why a summary could not be made: input the run cannot start with, or
/// the engine failing once it ran (a message without any value).
#[derive(Debug)]
pub(super) enum Failure {
    /// The input is wrong (exit 2).
    Input(Error),
    /// The engine failed while running the plans.
    Engine(String),
    /// DataFusion's JSON reader failed, on the member named if any (as it
    /// may be shown): the file is read again for the native error.
    Json(Option<String>),
}

impl Failure {
    /// What the engine said, for a failure of the run.
    pub(super) fn message(&self) -> String {
        match self {
            Failure::Input(error) => error.to_string(),
            Failure::Engine(message) => message.clone(),
            Failure::Json(_) => "its JSON reader failed".to_owned(),
        }
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Input(error)
    }
}

/// Summarises the dataset at `path` for `plan` on an embedded DataFusion
/// session whose aggregations spill to disk past `memory_limit` bytes.
/// Its values travel nowhere (the auditor's process reads the rows), so
/// they stay texts: codes would cost a scan and protect nothing.
pub(super) fn summarise_local(
    plan: &DatasetPlan,
    descriptor: &Descriptor,
    path: &Path,
    memory_limit: u64,
) -> Result<Summary> {
    summarise_embedded(plan, descriptor, path, memory_limit, Coding::Texts)
}

/// [`summarise_local`], with the quasi-identifiers' `coding` chosen.
fn summarise_embedded(
    plan: &DatasetPlan,
    descriptor: &Descriptor,
    path: &Path,
    memory_limit: u64,
    coding: Coding,
) -> Result<Summary> {
    let functions = udf::functions(audit::definitions(plan));
    let ctx = local_context(memory_limit, &functions)?;
    let runtime = runtime()?;
    let name = path.display().to_string();
    match runtime.block_on(summarise_on(
        &ctx, &functions, plan, descriptor, path, coding,
    )) {
        Ok(summary) => Ok(summary),
        Err(Failure::Input(error)) => Err(error),
        Err(failure) => Err(FileProblem::new(
            &name,
            format!("DataFusion could not summarise the dataset: {}", failure.message()),
        )
        .with_help("check that the file is complete and well-formed; if memory ran out, raise --memory-limit or free disk space for spilling")
        .into()),
    }
}

/// A runtime for the engine's asynchronous work.
pub(super) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the engine's runtime: {e}")))
}

/// An embedded session: a memory pool of `memory_limit` bytes shared by
/// the operators that can spill ([`SharedSpillPool`]: an aggregation that
/// cannot grow within it spills to the temporary folder) and the
/// project's functions.
fn local_context(memory_limit: u64, functions: &[Arc<ScalarUDF>]) -> Result<SessionContext> {
    let limit = usize::try_from(memory_limit).unwrap_or(usize::MAX);
    let runtime = RuntimeEnvBuilder::new()
        .with_memory_pool(Arc::new(SharedSpillPool::new(limit)))
        .build_arc()
        .map_err(|e| Error::Internal(format!("cannot set up DataFusion: {e}")))?;
    let ctx = SessionContext::new_with_config_rt(SessionConfig::new(), runtime);
    for function in functions {
        ctx.register_udf(function.as_ref().clone());
    }
    Ok(ctx)
}

/// What the class query returns for a categorical quasi-identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Coding {
    /// Its texts: where the grouped counts do not leave the process.
    Texts,
    /// Its per-run codes ([`super::codes`]): where they cross a network.
    Codes,
}

/// Summarises the dataset at `path` with the plans run on `ctx`.
pub(super) async fn summarise_on(
    ctx: &SessionContext,
    functions: &[Arc<ScalarUDF>],
    plan: &DatasetPlan,
    descriptor: &Descriptor,
    path: &Path,
    coding: Coding,
) -> std::result::Result<Summary, Failure> {
    let [text_fn, detect_fn, json_text_fn, json_detect_fn, code_fn] = functions else {
        return Err(Failure::Input(Error::Internal(
            "the engine's functions are missing".into(),
        )));
    };
    let mut input = input(path, descriptor, text_fn)?;
    let detectors: Detectors = audit::detectors(plan)?;
    let kinds = audit::identifier_kinds(plan);
    let detecting = Detecting {
        names: kind_names(&kinds),
        definitions: udf::definitions_literal(&audit::definitions(plan))?,
        kinds: &kinds,
    };
    let read = async {
        let frame = texts(
            ctx,
            &mut input,
            descriptor,
            json_text_fn,
            json_detect_fn,
            &detecting,
        )
        .await?;
        let columns = std::mem::take(&mut input.columns);
        let mut pass = Pass::new(input.name.clone(), columns, &detectors);
        let (classes, counts) = pass.interned();
        let coded: &[usize] = match coding {
            Coding::Codes => &classes,
            Coding::Texts => &[],
        };
        let codes = Codes::for_classes(&mut pass, coded, code_fn)?;
        // Detection runs where the texts are: on the columns that are not
        // interned, and on the coded ones.
        let detected: Vec<usize> = (0..pass.columns.len())
            .filter(|i| (!classes.contains(i) && !counts.contains(i)) || codes.covers(*i))
            .collect();
        let groups = grouped(&frame, &classes, &codes).await?;
        add_groups(&mut pass, &input, descriptor, &classes, &groups, true)?;
        for &column in &counts {
            let groups = grouped(&frame, &[column], &codes).await?;
            add_groups(&mut pass, &input, descriptor, &[column], &groups, false)?;
        }
        if !detected.is_empty() {
            detect(&mut pass, &frame, detect_fn, &detected, &detecting).await?;
        }
        if !input.extras.is_empty() {
            json_extras(&mut pass, &frame, &input.extras, detecting.kinds).await?;
        }
        Ok(pass.into_summary(input.format))
    };
    match read.await {
        Err(Failure::Json(member)) if input.format == Format::Ndjson => {
            let columns = descriptor
                .columns
                .iter()
                .map(|c| ColumnScan::new(c.clone(), true))
                .collect();
            let pass = Pass::new(input.name.clone(), columns, &detectors);
            Err(Failure::Input(json_failure(
                &pass,
                &input,
                descriptor,
                member.as_deref(),
            )))
        }
        Err(Failure::Json(_)) => Err(Failure::Engine("the JSON reader failed".to_owned())),
        other => other,
    }
}

/// What a failure of DataFusion's JSON reader means for the user: the
/// native scanner's error where it would have stopped (a line that is no
/// JSON object, a value that is no number in a numeric column), else a
/// member the reader cannot hold as one column.
fn json_failure(
    pass: &Pass<'_>,
    input: &Input,
    descriptor: &Descriptor,
    member: Option<&str>,
) -> Error {
    let numeric = numeric_columns(pass);
    match lines::ndjson_non_number(&input.path, &input.name, descriptor, &numeric) {
        Ok(Some((line, column))) => pass.not_a_number(line, column),
        Ok(None) => lines::type_conflict(&input.name, member),
        Err(error) => error,
    }
}

/// The interned numeric columns of `pass`, whose values must be numbers.
fn numeric_columns(pass: &Pass<'_>) -> Vec<usize> {
    (0..pass.columns.len())
        .filter(|&i| {
            let scan = &pass.columns[i];
            scan.values.is_some() && scan.column.value_type == ValueType::Numeric
        })
        .collect()
}

/// The engine's message, as a failure of the run. DataFusion names files,
/// lines and columns in its messages, not values, since every column is
/// read as text; identifiers are masked all the same. Its JSON reader
/// quotes values, so of its messages only the member named is kept.
fn engine_failure(error: DataFusionError) -> Failure {
    let message = error.to_string();
    if message.contains("Json error") {
        return Failure::Json(lines::member_of(&message).map(lines::shown_member));
    }
    let shown = crate::detect::placeholder::shown(&message).into_owned();
    Failure::Engine(shown)
}

/// The dataset as one text column per scanned column (`t0`, `t1`, …)
/// and, for NDJSON, one detection per column of undescribed members
/// (`x0`, `x1`, …).
async fn texts(
    ctx: &SessionContext,
    input: &mut Input,
    descriptor: &Descriptor,
    json_text_fn: &ScalarUDF,
    json_detect_fn: &ScalarUDF,
    detecting: &Detecting<'_>,
) -> std::result::Result<DataFrame, Failure> {
    let frame = match input.format {
        Format::Parquet => {
            let options = ParquetReadOptions {
                file_extension: "",
                ..ParquetReadOptions::default()
            };
            ctx.read_parquet(input.files.clone(), options).await
        }
        Format::Ndjson => {
            let options = JsonReadOptions {
                // Every line, so that no member met late is left out.
                schema_infer_max_records: usize::MAX,
                file_extension: "",
                ..JsonReadOptions::default()
            };
            ctx.read_json(input.files.clone(), options).await
        }
        _ => {
            let schema = Schema::new(
                (0..input.width)
                    .map(|p| Field::new(field_name(p), DataType::Utf8, true))
                    .collect::<Vec<_>>(),
            );
            let options = CsvReadOptions {
                has_header: true,
                delimiter: input.delimiter,
                newlines_in_values: true,
                schema: Some(&schema),
                file_extension: "",
                ..CsvReadOptions::default()
            };
            ctx.read_csv(input.files.clone(), options).await
        }
    }
    .map_err(engine_failure)?;
    let mut extra_detections = Vec::new();
    if input.format == Format::Ndjson {
        let schema = frame.schema();
        input.texts = descriptor
            .columns
            .iter()
            .map(|c| json::text_expr(schema, &c.path, json_text_fn))
            .collect();
        let roots: Vec<&str> = descriptor
            .columns
            .iter()
            .filter_map(|c| match c.path.first() {
                Some(PathSegment::Key(k)) => Some(k.as_str()),
                _ => None,
            })
            .collect();
        input.extras = json::extras(schema, &roots);
        extra_detections = input
            .extras
            .iter()
            .enumerate()
            .map(|(i, extra)| {
                json::detect_expr(
                    extra,
                    &detecting.names,
                    &detecting.definitions,
                    json_detect_fn,
                )
                .alias(format!("x{i}"))
            })
            .collect();
    }
    let texts = input
        .texts
        .iter()
        .enumerate()
        .map(|(i, e)| e.clone().alias(text_name(i)))
        .chain(extra_detections)
        .collect::<Vec<_>>();
    frame.select(texts).map_err(engine_failure)
}

/// What the detection functions are called with: the kinds scanned for,
/// and their two literal arguments.
struct Detecting<'a> {
    kinds: &'a [IdentifierKind],
    /// The kinds, comma-separated.
    names: String,
    /// The run's definitions (`udf::definitions_literal`), so that a
    /// cluster detects with the run's overlays too.
    definitions: String,
}

/// The kinds as the detection functions take them: comma-separated.
fn kind_names(kinds: &[IdentifierKind]) -> String {
    kinds
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn text_name(column: usize) -> String {
    format!("t{column}")
}

/// The coded columns of a run, each with its key, and the function
/// coding them.
struct Codes<'f> {
    keys: Vec<(usize, String)>,
    function: &'f ScalarUDF,
}

impl<'f> Codes<'f> {
    /// Draws a key for each categorical quasi-identifier among `classes`
    /// and marks the column coded in `pass`.
    fn for_classes(
        pass: &mut Pass<'_>,
        classes: &[usize],
        function: &'f ScalarUDF,
    ) -> std::result::Result<Self, Failure> {
        let mut keys = Vec::new();
        for &c in classes {
            if let Some(column) = pass.columns.get_mut(c)
                && codes::is_coded(&column.column)
            {
                column.coded = true;
                keys.push((c, codes::new_key()?));
            }
        }
        Ok(Codes { keys, function })
    }

    fn covers(&self, column: usize) -> bool {
        self.keys.iter().any(|(c, _)| *c == column)
    }

    /// What the class query groups `column` by: its code, or its text.
    fn key_expr(&self, column: usize) -> Expr {
        let text = col(text_name(column));
        match self.keys.iter().find(|(c, _)| *c == column) {
            Some((_, key)) => self
                .function
                .call(vec![text, lit(key.clone())])
                .alias(text_name(column)),
            None => text,
        }
    }
}

/// Rows per distinct tuple of the values of `columns` (codes for the
/// coded ones, texts for the others), collected.
async fn grouped(
    frame: &DataFrame,
    columns: &[usize],
    codes: &Codes<'_>,
) -> std::result::Result<Vec<RecordBatch>, Failure> {
    let keys: Vec<Expr> = columns.iter().map(|&c| codes.key_expr(c)).collect();
    frame
        .clone()
        .aggregate(keys, vec![count_all().alias("rows")])
        .map_err(engine_failure)?
        .collect()
        .await
        .map_err(engine_failure)
}

/// A column of a result as counts.
fn counts_of(array: &dyn Array) -> std::result::Result<Vec<u64>, Failure> {
    let counts = cast(array, &DataType::UInt64).map_err(|e| engine_failure(e.into()))?;
    let counts = counts.as_primitive::<::datafusion::arrow::datatypes::UInt64Type>();
    Ok((0..counts.len())
        .map(|i| {
            if counts.is_null(i) {
                0
            } else {
                counts.value(i)
            }
        })
        .collect())
}

/// A result column's cells as the pass interns them: texts, or the codes
/// written out ([`codes::code_texts`]).
enum Cells {
    Texts(ArrayRef),
    Codes(Vec<String>),
}

impl Cells {
    fn of(array: &ArrayRef) -> std::result::Result<Cells, Failure> {
        if let Some(codes) = codes::code_texts(array.as_ref()) {
            return Ok(Cells::Codes(codes));
        }
        cast(array, &DataType::Utf8)
            .map(Cells::Texts)
            .map_err(|e| engine_failure(e.into()))
    }

    /// Row `row`'s cell; the empty text for a null.
    fn get(&self, row: usize) -> &str {
        match self {
            Cells::Texts(array) => {
                let texts = array.as_string::<i32>();
                if texts.is_null(row) {
                    ""
                } else {
                    texts.value(row)
                }
            }
            Cells::Codes(codes) => codes.get(row).map_or("", String::as_str),
        }
    }
}

/// Counts each group (the values of `columns`, then its rows) into `pass`.
/// A text that is no number in a numeric column stops the run with the
/// native scanner's error, naming the first such line.
fn add_groups(
    pass: &mut Pass<'_>,
    input: &Input,
    descriptor: &Descriptor,
    columns: &[usize],
    batches: &[RecordBatch],
    classes: bool,
) -> std::result::Result<(), Failure> {
    for batch in batches {
        let cells_of = (0..columns.len())
            .map(|i| Cells::of(batch.column(i)))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let rows = counts_of(batch.column(columns.len()))?;
        let mut cells: Vec<(usize, &str)> = Vec::with_capacity(columns.len());
        for (row, &records) in rows.iter().enumerate() {
            if records == 0 {
                continue;
            }
            cells.clear();
            for (&column, values) in columns.iter().zip(&cells_of) {
                cells.push((column, values.get(row)));
            }
            if let Err(column) = pass.add_group(&cells, records, classes) {
                return Err(Failure::Input(not_a_number(
                    pass, input, descriptor, column,
                )));
            }
        }
    }
    Ok(())
}

/// The detections and filled cells of the `scanned` columns (those not
/// interned, and the coded ones), as sums of the detection function's
/// counts.
async fn detect(
    pass: &mut Pass<'_>,
    frame: &DataFrame,
    detect_fn: &Arc<ScalarUDF>,
    scanned: &[usize],
    detecting: &Detecting<'_>,
) -> std::result::Result<(), Failure> {
    let kinds = detecting.kinds;
    let detections: Vec<Expr> = scanned
        .iter()
        .map(|&c| {
            let member = pass.columns[c].column.name.clone();
            detect_fn
                .call(vec![
                    col(text_name(c)),
                    lit(member),
                    lit(detecting.names.clone()),
                    lit(detecting.definitions.clone()),
                ])
                .alias(format!("d{c}"))
        })
        .collect();
    let fields: Vec<String> = std::iter::once(udf::PRESENT.to_owned())
        .chain((0..kinds.len()).map(udf::kind_field))
        .collect();
    let sums: Vec<Expr> = scanned
        .iter()
        .flat_map(|&c| {
            fields.iter().enumerate().map(move |(f, field)| {
                sum(get_field(col(format!("d{c}")), field.as_str())).alias(format!("s{c}_{f}"))
            })
        })
        .collect();
    let batches = frame
        .clone()
        .select(detections)
        .map_err(engine_failure)?
        .aggregate(vec![], sums)
        .map_err(engine_failure)?
        .collect()
        .await
        .map_err(engine_failure)?;
    let mut totals = vec![0u64; scanned.len() * fields.len()];
    for batch in &batches {
        for (i, total) in totals.iter_mut().enumerate() {
            if let Some(column) = batch.columns().get(i) {
                *total += counts_of(column.as_ref())?.iter().sum::<u64>();
            }
        }
    }
    for (s, &column) in scanned.iter().enumerate() {
        let at = s * fields.len();
        let present = totals.get(at).copied().unwrap_or(0);
        let found: Vec<(IdentifierKind, u64)> = kinds
            .iter()
            .enumerate()
            .map(|(k, &kind)| (kind, totals.get(at + 1 + k).copied().unwrap_or(0)))
            .collect();
        pass.add_detections(column, present, &found);
    }
    Ok(())
}

/// The error of a value that is no number in numeric column `column`:
/// the native scanner's, on the first line of the file holding one in any
/// numeric column (the file read again, only those cells looked at).
fn not_a_number(pass: &Pass<'_>, input: &Input, descriptor: &Descriptor, column: usize) -> Error {
    let numeric = numeric_columns(pass);
    let found = match input.format {
        Format::Csv => lines::csv_non_number(
            &input.path,
            &input.name,
            descriptor,
            &input.positions,
            &numeric,
        ),
        Format::Ndjson => lines::ndjson_non_number(&input.path, &input.name, descriptor, &numeric),
        Format::Parquet => Ok(None),
    };
    match found {
        Ok(Some((line, column))) => pass.not_a_number(line, column),
        Ok(None) => pass.not_a_number_group(column),
        Err(error) => error,
    }
}

/// The detections of the columns of undescribed members, as sums of the
/// NDJSON detection function's counts (each 0 or 1 a row).
async fn json_extras(
    pass: &mut Pass<'_>,
    frame: &DataFrame,
    extras: &[json::Extra],
    kinds: &[IdentifierKind],
) -> std::result::Result<(), Failure> {
    let fields: Vec<String> = std::iter::once(udf::PRESENT.to_owned())
        .chain((0..kinds.len()).map(udf::kind_field))
        .collect();
    let sums: Vec<Expr> = (0..extras.len())
        .flat_map(|x| {
            fields.iter().enumerate().map(move |(f, field)| {
                sum(get_field(col(format!("x{x}")), field.as_str())).alias(format!("e{x}_{f}"))
            })
        })
        .collect();
    let batches = frame
        .clone()
        .aggregate(vec![], sums)
        .map_err(engine_failure)?
        .collect()
        .await
        .map_err(engine_failure)?;
    let mut totals = vec![0u64; extras.len() * fields.len()];
    for batch in &batches {
        for (i, total) in totals.iter_mut().enumerate() {
            if let Some(column) = batch.columns().get(i) {
                *total += counts_of(column.as_ref())?.iter().sum::<u64>();
            }
        }
    }
    for (x, extra) in extras.iter().enumerate() {
        let at = x * fields.len();
        let mut column = ColumnScan::new(insensitive(&extra.name), false);
        column.present = totals.get(at).copied().unwrap_or(0);
        for (k, &kind) in kinds.iter().enumerate() {
            let found = totals.get(at + 1 + k).copied().unwrap_or(0);
            if found > 0 {
                column.detections.insert(kind, found);
            }
        }
        column.name_holds = extra.name_holds.clone();
        pass.columns.push(column);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::scan::summarise;
    use crate::dataset::summary::tests::{audit_plan, report};
    use crate::engine::NoProgress;

    /// A categorical quasi-identifier holding addresses and phone numbers
    /// in some rows, a numeric one, and a sensitive attribute.
    const DESCRIPTOR: &str = "[[column]]\nname = \"zone\"\nrole = \"quasi-identifier\"\ntype = \"categorical\"\n[[column]]\nname = \"age\"\nrole = \"quasi-identifier\"\ntype = \"numeric\"\n[[column]]\nname = \"purpose\"\nrole = \"sensitive\"\n";
    const ZONES: [&str; 5] = ["north", "south", "kim@example.org", "010-1234-5678", ""];

    fn data() -> String {
        let mut text = String::from("zone,age,purpose\n");
        for row in 0..200 {
            let zone = ZONES[row % ZONES.len()];
            let age = 20 + 10 * (row % 3);
            let purpose = ["work", "care", ""][row % 7 % 3];
            text.push_str(&format!("{zone},{age},{purpose}\n"));
        }
        text
    }

    fn zone(summary: &Summary) -> &ColumnScan {
        summary
            .columns
            .iter()
            .find(|c| c.column.name == "zone")
            .expect("the zone column is summarised")
    }

    fn texts(column: &ColumnScan) -> Vec<String> {
        let values = column.values.as_ref().expect("zone is interned");
        let mut texts: Vec<String> = values.texts.iter().map(|t| t.to_string()).collect();
        texts.sort();
        texts
    }

    #[test]
    fn categorical_quasi_identifiers_come_back_as_codes_and_judge_as_their_texts() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("data.csv");
        std::fs::write(&path, data()).expect("the CSV is written");
        let plan = audit_plan();
        let descriptor = Descriptor::parse("data.toml", DESCRIPTOR).expect("descriptor parses");
        let run = || {
            summarise_embedded(&plan, &descriptor, &path, 64 << 20, Coding::Codes)
                .expect("summarised")
        };
        let (first, second) = (run(), run());
        let local = summarise_local(&plan, &descriptor, &path, 64 << 20).expect("summarised");
        assert!(!zone(&local).coded, "an embedded session keeps the texts");

        for summary in [&first, &second] {
            let zone = zone(summary);
            assert!(zone.coded);
            let texts = texts(zone);
            assert_eq!(
                texts.len(),
                ZONES.len(),
                "one code a value, missing included"
            );
            for text in &texts {
                assert!(!ZONES[..4].contains(&text.as_str()), "{text} came back");
                assert!(
                    text.is_empty()
                        || (text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit())),
                    "{text} is no code"
                );
            }
        }
        assert_ne!(
            texts(zone(&first)),
            texts(zone(&second)),
            "codes are per run"
        );

        let detectors = audit::detectors(&plan).expect("detectors build");
        let native = summarise(&path, &descriptor, &detectors, &NoProgress).expect("native");
        assert!(!zone(&native).coded);
        assert_eq!(
            texts(zone(&native)),
            ["", "010-1234-5678", "kim@example.org", "north", "south"]
        );
        assert_eq!(texts(zone(&local)), texts(zone(&native)));
        let native = report(native, &plan, &descriptor);
        let text = native.to_string();
        assert!(
            text.contains("column `zone` holds an e-mail address in 40 rows"),
            "{text}"
        );
        assert_eq!(report(first, &plan, &descriptor), native);
        assert_eq!(report(second, &plan, &descriptor), native);
        assert_eq!(report(local, &plan, &descriptor), native);
    }
}
