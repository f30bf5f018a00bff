//! The Parquet producer: a Parquet file, or a folder of them (each file a
//! partition, their summaries merged), read into the same [`Summary`] the
//! native scanner yields, so that the verdicts are the same.
//!
//! Only the columns with a role are read (a projection): those the
//! descriptor names and those whose Arrow field metadata gives a role
//! ([`ROLE_KEY`]). A descriptor column names a top-level field, or a field
//! of a struct by its dotted path (`place.zone`). Every value becomes the
//! text a CSV file would hold: strings as they are, numbers in their
//! shortest form, booleans as `true`/`false`, dates and times in ISO 8601,
//! a null (or a null enclosing struct) as the empty cell. A batch is
//! read column by column: a dictionary column's values are turned into
//! text, interned and counted once per batch for all the rows holding
//! each, and per row only the value id is gathered for the class table.
//!
//! Like the scanner, an error names the file and the column, never a
//! value.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch, StructArray};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{DataType, Field, Fields};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use rayon::prelude::*;

use super::descriptor::{Column, Descriptor, Format, Missing, Role, ValueType};
use super::scan::{ColumnScan, KEPT_IDS_AT_MOST, Pass};
use super::summary::Summary;
use super::table::KeptRows;
use crate::detect::identifiers::Detectors;
use crate::engine::Progress;
use crate::error::{Error, FileProblem, Result};
use crate::schema::PathSegment;

/// The first (and last) four bytes of every Parquet file.
const MAGIC: &[u8; 4] = b"PAR1";

/// Arrow field metadata giving a column's role when the descriptor does
/// not name it: `direct-identifier`, `quasi-identifier`, `sensitive`,
/// `insensitive` or `count`, as in a descriptor.
pub const ROLE_KEY: &str = "cityconform:role";
/// Arrow field metadata giving the type of a column with [`ROLE_KEY`]:
/// `categorical` (the default), `numeric`, `datetime` or `coordinate`.
pub const TYPE_KEY: &str = "cityconform:type";
/// Arrow field metadata saying what a missing sensitive value stands for:
/// `unknown` (the default) or `value`.
pub const MISSING_KEY: &str = "cityconform:missing";

/// Rows per Arrow batch.
const BATCH_ROWS: usize = 8192;

/// Whether `path` starts with the Parquet magic bytes.
pub(super) fn is_parquet(path: &Path) -> Result<bool> {
    use std::io::Read;
    let mut file = crate::files::open(path)?;
    let mut head = [0u8; 4];
    let mut filled = 0;
    while filled < head.len() {
        match file.read(&mut head[filled..]) {
            Ok(0) => return Ok(false),
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::read(path, e)),
        }
    }
    Ok(&head == MAGIC)
}

/// Summarises a Parquet file, or every Parquet file of a folder (in
/// parallel, merged in name order).
pub(super) fn summarise(
    path: &Path,
    descriptor: &Descriptor,
    detectors: &Detectors,
    progress: &dyn Progress,
) -> Result<Summary> {
    let files = if path.is_dir() {
        folder_files(path)?
    } else {
        vec![path.to_path_buf()]
    };
    let total = files
        .iter()
        .map(|f| f.metadata().map_or(0, |m| m.len()))
        .sum();
    progress.start(total);
    let summaries: Vec<Result<Summary>> = files
        .par_iter()
        .map(|file| summarise_file(file, descriptor, detectors))
        .collect();
    let mut merged: Option<Summary> = None;
    for (file, summary) in files.iter().zip(summaries) {
        let summary = summary?;
        progress.advance(file.metadata().map_or(0, |m| m.len()));
        match &mut merged {
            Some(whole) => whole.merge(summary)?,
            None => merged = Some(summary),
        }
    }
    progress.finish();
    let mut whole = merged.ok_or_else(|| empty_folder(path))?;
    whole.rename(path.display().to_string());
    Ok(whole)
}

/// The Parquet files of a folder, by name: those named `.parquet` or
/// `.parq`, and any other regular file that starts with the magic bytes
/// (a writer's `part-0000` without extension). Markers such as
/// `_SUCCESS` and hidden files are skipped.
fn folder_files(folder: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(folder).map_err(|e| Error::read(folder, e))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Error::read(folder, e))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with(['.', '_']) || !path.is_file() {
            continue;
        }
        let named = matches!(Format::from_path(&path), Some(Format::Parquet));
        if named || is_parquet(&path)? {
            files.push(path);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(empty_folder(folder));
    }
    Ok(files)
}

fn empty_folder(folder: &Path) -> Error {
    FileProblem::new(
        folder.display().to_string(),
        "the folder holds no Parquet file",
    )
    .with_help("name a folder of `.parquet` files, or a CSV, NDJSON or Parquet file")
    .into()
}

/// The problem of a file the Parquet reader refuses (bad magic, a
/// truncated file, a footer or page that does not decode).
fn unreadable(name: &str, error: &parquet::errors::ParquetError) -> Error {
    FileProblem::new(
        name,
        format!("the file is not readable as Parquet ({error})"),
    )
    .with_help(
        "check that the file was written completely; a Parquet file starts and ends with `PAR1`",
    )
    .into()
}

/// One file into a summary: the columns with a role resolved against its
/// schema, only those read. The row groups are split into contiguous
/// ranges read in parallel, each into a summary of its own, merged in
/// file order (exact, as any split of the rows is): the rows of a file
/// are decoded on every core, not one.
fn summarise_file(path: &Path, descriptor: &Descriptor, detectors: &Detectors) -> Result<Summary> {
    let name = path.display().to_string();
    let file = crate::files::open(path)?;
    let metadata = ArrowReaderMetadata::load(&file, ArrowReaderOptions::new())
        .map_err(|e| unreadable(&name, &e))?;
    let metadata = dictionary_hint(metadata.metadata(), metadata.schema()).unwrap_or(metadata);
    let columns = resolve(&name, descriptor, metadata.schema().fields())?;
    let leaves: Vec<usize> = metadata
        .parquet_schema()
        .columns()
        .iter()
        .enumerate()
        .filter(|(_, leaf)| {
            let parts = leaf.path().parts();
            columns.iter().any(|c| parts.starts_with(&c.path))
        })
        .map(|(i, _)| i)
        .collect();
    let mask = ProjectionMask::leaves(metadata.parquet_schema(), leaves);
    let group_rows: Vec<u64> = metadata
        .metadata()
        .row_groups()
        .iter()
        .map(|g| u64::try_from(g.num_rows()).unwrap_or(0))
        .collect();
    let ranges = row_group_ranges(&group_rows, rayon::current_num_threads());
    let read = |range: &GroupRange| -> Result<(Summary, KeptRows)> {
        // A handle of its own: a cloned handle shares the file position,
        // which readers on other threads move.
        let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(
            crate::files::open(path)?,
            metadata.clone(),
        )
        .with_projection(mask.clone())
        .with_row_groups(range.groups.clone())
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| unreadable(&name, &e))?;
        let mut pass = pass_over(name.clone(), &columns, detectors);
        pass.defer_classes(kept_ids_per_range(ranges.len()));
        pass.expect_rows(range.groups.iter().filter_map(|&g| group_rows.get(g)).sum());
        let mut ids = Vec::new();
        for batch in reader {
            let batch = batch.map_err(|e| {
                Error::from(
                    FileProblem::new(&name, format!("a row group is not readable ({e})"))
                        .with_help("check that the file was written completely"),
                )
            })?;
            take_batch(
                &mut pass,
                &name,
                &columns,
                &batch,
                range.first_row,
                &mut ids,
            )?;
        }
        Ok(pass.into_kept(Format::Parquet))
    };
    // In file order, so that a problem is the one the first bad row gives.
    let parts: Vec<Result<(Summary, KeptRows)>> = ranges.par_iter().map(read).collect();
    // In file order, so that a problem is the one the first bad row gives.
    let parts = parts.into_iter().collect::<Result<Vec<_>>>()?;
    let whole = Summary::of_kept_rows(parts, rayon::current_num_threads())?;
    // `row_group_ranges` gives at least one range, so there is a summary.
    match whole {
        Some(whole) => Ok(whole),
        None => Ok(read(&GroupRange::default())?.0),
    }
}

/// The most ids each of `ranges` ranges of one file keeps unclassed: a
/// share of 2^23 (32 MiB) for the file, and never more than a pass keeps
/// ([`KEPT_IDS_AT_MOST`]), so that what a file keeps does not grow with the
/// cores: 16 MiB a range on one or two cores, 512 KiB on 64.
fn kept_ids_per_range(ranges: usize) -> usize {
    (2 * KEPT_IDS_AT_MOST / ranges.max(1)).min(KEPT_IDS_AT_MOST)
}

/// Contiguous row groups read together, and the number of rows before
/// them in the file (line numbers in messages count from the file's
/// first row).
#[derive(Debug, Default, PartialEq)]
struct GroupRange {
    groups: Vec<usize>,
    first_row: u64,
}

/// Splits row groups of `rows` rows each into at most `parts` contiguous
/// ranges of about equal rows. A file without row groups gives one empty
/// range, so that it still yields its (empty) summary.
fn row_group_ranges(rows: &[u64], parts: usize) -> Vec<GroupRange> {
    let total: u64 = rows.iter().sum();
    let parts = parts.clamp(1, rows.len().max(1)) as u64;
    let mut ranges: Vec<GroupRange> = Vec::new();
    let mut current: Option<usize> = None;
    let mut before = 0u64;
    for (group, &n) in rows.iter().enumerate() {
        // The range a group falls in: by the share of rows before its middle.
        let middle = before + n / 2;
        let part = if total == 0 {
            0
        } else {
            // An empty last group sits at `total`: it joins the last range.
            (u128::from(middle) * u128::from(parts) / u128::from(total)).min(u128::from(parts - 1))
                as usize
        };
        if current != Some(part) {
            current = Some(part);
            ranges.push(GroupRange {
                groups: Vec::new(),
                first_row: before,
            });
        }
        if let Some(range) = ranges.last_mut() {
            range.groups.push(group);
        }
        before += n;
    }
    if ranges.is_empty() {
        ranges.push(GroupRange::default());
    }
    ranges
}

/// The reader's metadata with every string column read as a dictionary:
/// a dictionary-encoded column chunk then comes as its dictionary and
/// keys, never as one string per row. `None` when nothing changes or the
/// reader refuses the hint.
fn dictionary_hint(
    metadata: &Arc<parquet::file::metadata::ParquetMetaData>,
    schema: &arrow_schema::SchemaRef,
) -> Option<ArrowReaderMetadata> {
    let fields: Vec<Arc<Field>> = schema.fields().iter().map(as_dictionary).collect();
    if fields.iter().zip(schema.fields()).all(|(a, b)| a == b) {
        return None;
    }
    let hinted = Arc::new(arrow_schema::Schema::new_with_metadata(
        fields,
        schema.metadata().clone(),
    ));
    ArrowReaderMetadata::try_new(
        metadata.clone(),
        ArrowReaderOptions::new().with_schema(hinted),
    )
    .ok()
}

/// `field` with its strings, and those of the structs within it, read as
/// dictionaries.
fn as_dictionary(field: &Arc<Field>) -> Arc<Field> {
    let data_type = match field.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 => DataType::Dictionary(
            Box::new(DataType::Int32),
            Box::new(field.data_type().clone()),
        ),
        DataType::Struct(children) => DataType::Struct(
            children
                .iter()
                .map(as_dictionary)
                .collect::<Vec<_>>()
                .into(),
        ),
        _ => return field.clone(),
    };
    Arc::new(field.as_ref().clone().with_data_type(data_type))
}

/// A column to read: its role and type, and the field path to it.
#[derive(Debug, PartialEq)]
pub(super) struct Wanted {
    pub(super) column: Column,
    pub(super) described: bool,
    pub(super) path: Vec<String>,
}

/// A pass over the file `name` counting the resolved `columns`.
fn pass_over<'a>(name: String, columns: &[Wanted], detectors: &'a Detectors) -> Pass<'a> {
    let scans = columns
        .iter()
        .map(|c| ColumnScan::new(c.column.clone(), c.described))
        .collect();
    Pass::new(name, scans, detectors)
}

/// The columns to read, described ones in descriptor order, then those
/// with a role in their field metadata in schema order.
fn resolve(name: &str, descriptor: &Descriptor, fields: &Fields) -> Result<Vec<Wanted>> {
    let mut wanted = Vec::new();
    let mut missing = Vec::new();
    for column in &descriptor.columns {
        match field_path(column, fields) {
            Some((path, field)) => {
                readable(name, &column.name, field.data_type())?;
                wanted.push(Wanted {
                    column: column.clone(),
                    described: true,
                    path,
                });
            }
            None => missing.push(column.name.as_str()),
        }
    }
    if !missing.is_empty() {
        return Err(missing_columns(name, descriptor, fields, &missing));
    }
    for field in fields {
        if wanted.iter().any(|w| w.path.first() == Some(field.name())) {
            continue;
        }
        if let Some(column) = from_metadata(name, field)? {
            readable(name, field.name(), field.data_type())?;
            wanted.push(Wanted {
                path: vec![field.name().clone()],
                column,
                described: false,
            });
        }
    }
    Ok(wanted)
}

/// The field a descriptor column names: a top-level field of that name,
/// else the dotted path through structs (or the JSON pointer's keys).
fn field_path<'f>(column: &Column, fields: &'f Fields) -> Option<(Vec<String>, &'f Field)> {
    if let Some((_, field)) = fields.find(&column.name) {
        return Some((vec![column.name.clone()], field));
    }
    let parts: Vec<String> = if column.name.starts_with('/') {
        column
            .path
            .iter()
            .map(|s| match s {
                PathSegment::Key(k) => Some(k.clone()),
                PathSegment::AnyIndex => None,
            })
            .collect::<Option<Vec<_>>>()?
    } else {
        column.name.split('.').map(str::to_owned).collect()
    };
    let mut level = fields;
    let mut found: Option<&Field> = None;
    for part in &parts {
        if let Some(field) = found {
            let DataType::Struct(children) = field.data_type() else {
                return None;
            };
            level = children;
        }
        found = Some(level.find(part)?.1.as_ref());
    }
    found.map(|f| (parts, f))
}

/// A column with a role in its field metadata.
fn from_metadata(name: &str, field: &Field) -> Result<Option<Column>> {
    let metadata = field.metadata();
    let Some(role) = metadata.get(ROLE_KEY) else {
        return Ok(None);
    };
    let bad = |key: &str, allowed: &str| -> Error {
        FileProblem::new(
            name,
            format!(
                "field `{}` has metadata `{key}` with a value cityconform does not know",
                crate::detect::placeholder::shown(field.name())
            ),
        )
        .with_help(format!(
            "`{key}` is one of {allowed}; or name the column in a descriptor"
        ))
        .into()
    };
    let role = [
        Role::DirectIdentifier,
        Role::QuasiIdentifier,
        Role::Sensitive,
        Role::Insensitive,
        Role::Count,
    ]
    .into_iter()
    .find(|r| r.as_str() == role)
    .ok_or_else(|| {
        bad(
            ROLE_KEY,
            "direct-identifier, quasi-identifier, sensitive, insensitive, count",
        )
    })?;
    let value_type = match metadata.get(TYPE_KEY).map(String::as_str) {
        None | Some("categorical") => ValueType::Categorical,
        Some("numeric") => ValueType::Numeric,
        Some("datetime") => ValueType::Datetime,
        Some("coordinate") => ValueType::Coordinate,
        Some(_) => return Err(bad(TYPE_KEY, "categorical, numeric, datetime, coordinate")),
    };
    let missing = match metadata.get(MISSING_KEY).map(String::as_str) {
        None | Some("unknown") => Missing::Unknown,
        Some("value") => Missing::Value,
        Some(_) => return Err(bad(MISSING_KEY, "unknown, value")),
    };
    Ok(Some(Column {
        name: field.name().clone(),
        role,
        value_type,
        max_decimals: None,
        granularity: None,
        missing,
        path: vec![PathSegment::Key(field.name().clone())],
    }))
}

/// Whether values of `data_type` have one text a CSV cell would hold.
fn text_like(data_type: &DataType) -> bool {
    use DataType::*;
    match data_type {
        Dictionary(_, values) => text_like(values),
        Null | Boolean | Int8 | Int16 | Int32 | Int64 | UInt8 | UInt16 | UInt32 | UInt64
        | Float16 | Float32 | Float64 | Decimal32(..) | Decimal64(..) | Decimal128(..)
        | Decimal256(..) | Date32 | Date64 | Time32(_) | Time64(_) | Timestamp(..) | Utf8
        | LargeUtf8 | Utf8View => true,
        _ => false,
    }
}

fn readable(name: &str, column: &str, data_type: &DataType) -> Result<()> {
    if text_like(data_type) {
        return Ok(());
    }
    let help = if matches!(data_type, DataType::Struct(_)) {
        format!("name a field of it by its dotted path (`{column}.FIELD`)")
    } else {
        "a column to audit holds text, numbers, booleans, dates or times; leave this one out of the descriptor".to_owned()
    };
    Err(FileProblem::new(
        name,
        format!(
            "column `{}` is of type {data_type}, which cannot be read as text",
            crate::detect::placeholder::shown(column)
        ),
    )
    .with_help(help)
    .into())
}

/// The problem of described columns the file's schema lacks.
fn missing_columns(
    name: &str,
    descriptor: &Descriptor,
    fields: &Fields,
    missing: &[&str],
) -> Error {
    let names =
        crate::detect::placeholder::bounded_list(fields.iter().map(|f| f.name().as_str()), 20);
    let (shown, more) = crate::detect::placeholder::bounded(missing.iter().copied(), 20);
    let more = if more > 0 {
        format!(", and {more} more")
    } else {
        String::new()
    };
    FileProblem::new(
        name,
        format!(
            "the file lacks the described column{} `{}`{more}",
            if missing.len() == 1 { "" } else { "s" },
            shown.join("`, `")
        ),
    )
    .with_help(format!(
        "its top-level fields are: {names}; a struct's field is named by its dotted path; fix the descriptor `{}` or the file",
        descriptor.source
    ))
    .into()
}

/// The cells of one column of one batch, as text.
enum Cells<'a> {
    /// A string column, read in place.
    Text(&'a dyn Array, StringKind),
    /// A dictionary column: each row's key, and the dictionary's values,
    /// each turned into text only if a row holds it.
    Dictionary {
        keys: Vec<usize>,
        values: &'a dyn Array,
        formatter: ArrayFormatter<'a>,
    },
    /// Any other readable type, formatted cell by cell.
    Formatted(ArrayFormatter<'a>),
}

#[derive(Clone, Copy)]
enum StringKind {
    Utf8,
    Large,
    View,
}

/// A column's cells, and the arrays whose nulls make a cell missing (the
/// column and every struct enclosing it).
struct Source<'a> {
    cells: Cells<'a>,
    nulls: Vec<&'a dyn Array>,
}

impl<'a> Source<'a> {
    fn is_null(&self, row: usize) -> bool {
        self.nulls.iter().any(|a| a.is_null(row))
    }

    /// The text of `row` as the scanner sees it (a null as the empty
    /// text).
    fn text(&self, row: usize) -> Cow<'_, str> {
        if self.is_null(row) {
            return Cow::Borrowed("");
        }
        match &self.cells {
            Cells::Text(array, kind) => Cow::Borrowed(string_at(*array, *kind, row)),
            Cells::Dictionary {
                keys,
                values,
                formatter,
            } => {
                let key = keys.get(row).copied().unwrap_or(usize::MAX);
                entry_text(*values, formatter, key)
            }
            Cells::Formatted(formatter) => Cow::Owned(formatter.value(row).to_string()),
        }
    }

    /// Counts the column's cells of the batch's `rows` rows into column
    /// `column` of the pass, filling `ids` with each row's value id (for
    /// an interned column). `Err` with the first row whose value is not a
    /// number in a numeric column.
    fn take(
        &self,
        pass: &mut Pass<'_>,
        column: usize,
        rows: usize,
        ids: &mut Vec<u32>,
    ) -> std::result::Result<(), usize> {
        ids.clear();
        // A dictionary larger than the batch (a column of nearly distinct
        // values) would cost a pass over every entry per batch: its cells
        // are read one by one instead, as plain ones are.
        if let Cells::Dictionary {
            keys,
            values,
            formatter,
        } = &self.cells
            && values.len() <= rows
        {
            return self.take_dictionary(pass, column, rows, ids, (keys, *values, formatter));
        }
        for row in 0..rows {
            match pass.take_text(column, &self.text(row)) {
                Ok(Some(id)) => ids.push(id),
                Ok(None) => {}
                Err(()) => return Err(row),
            }
        }
        Ok(())
    }

    /// [`Source::take`] of a dictionary column: the rows holding each
    /// dictionary value are counted first, then each value a row holds is
    /// read once (interned or scanned) and counted once for all of them;
    /// per row, only its value id is gathered. A value no row holds is
    /// never read.
    fn take_dictionary(
        &self,
        pass: &mut Pass<'_>,
        column: usize,
        rows: usize,
        ids: &mut Vec<u32>,
        (keys, values, formatter): (&[usize], &dyn Array, &ArrayFormatter<'_>),
    ) -> std::result::Result<(), usize> {
        // One slot per dictionary value, and a last one for the rows
        // whose cell is missing (or whose key points nowhere).
        let missing = values.len();
        let slots: Vec<usize> = (0..rows)
            .map(|row| match keys.get(row) {
                Some(&key) if key < missing && !self.is_null(row) => key,
                _ => missing,
            })
            .collect();
        let mut records = vec![0u64; missing + 1];
        for &slot in &slots {
            records[slot] += 1;
        }
        let mut slot_ids = vec![0u32; missing + 1];
        let mut not_numbers = vec![false; missing + 1];
        for (slot, &n) in records.iter().enumerate().filter(|(_, n)| **n > 0) {
            let text = entry_text(values, formatter, slot);
            let prepared = pass.prepare(column, &text);
            match pass.take_prepared_n(column, &prepared, n) {
                Ok(id) => slot_ids[slot] = id.unwrap_or(0),
                Err(()) => not_numbers[slot] = true,
            }
        }
        if let Some(row) = slots.iter().position(|&slot| not_numbers[slot]) {
            return Err(row);
        }
        if pass.is_interned(column) {
            ids.extend(slots.iter().map(|&slot| slot_ids[slot]));
        }
        Ok(())
    }
}

/// The text of dictionary value `key` (a null value, or a key beyond the
/// dictionary, as the empty text): a string borrowed in place, any other
/// type formatted.
fn entry_text<'v>(
    values: &'v dyn Array,
    formatter: &ArrayFormatter<'_>,
    key: usize,
) -> Cow<'v, str> {
    if key >= values.len() || values.is_null(key) {
        return Cow::Borrowed("");
    }
    match values.data_type() {
        DataType::Utf8 => Cow::Borrowed(string_at(values, StringKind::Utf8, key)),
        DataType::LargeUtf8 => Cow::Borrowed(string_at(values, StringKind::Large, key)),
        DataType::Utf8View => Cow::Borrowed(string_at(values, StringKind::View, key)),
        _ => Cow::Owned(formatter.value(key).to_string()),
    }
}

/// The string at `row` of a string array of `kind`.
fn string_at(array: &dyn Array, kind: StringKind, row: usize) -> &str {
    match kind {
        StringKind::Utf8 => array.as_string::<i32>().value(row),
        StringKind::Large => array.as_string::<i64>().value(row),
        StringKind::View => array.as_string_view().value(row),
    }
}

const OPTIONS: FormatOptions<'static> = FormatOptions::new().with_null("");

/// Reads the batch's columns as text into the pass, column by column,
/// then adds its rows to the class table. A value that is not a number
/// in a numeric column stops the pass at the first row holding one (the
/// leftmost column of that row), as a row-by-row reading would.
fn take_batch(
    pass: &mut Pass<'_>,
    name: &str,
    columns: &[Wanted],
    batch: &RecordBatch,
    first_row: u64,
    ids: &mut Vec<Vec<u32>>,
) -> Result<()> {
    let sources = columns
        .iter()
        .map(|c| source(name, &c.column.name, &c.path, batch))
        .collect::<Result<Vec<_>>>()?;
    let rows = batch.num_rows();
    ids.resize_with(sources.len(), Vec::new);
    let mut bad: Option<(usize, usize)> = None;
    for (i, (source, ids)) in sources.iter().zip(ids.iter_mut()).enumerate() {
        if let Err(row) = source.take(pass, i, rows, ids)
            && bad.is_none_or(|(first, _)| row < first)
        {
            bad = Some((row, i));
        }
    }
    if let Some((row, column)) = bad {
        let line = first_row + pass.rows + row as u64 + 1;
        return Err(pass.not_a_number(line, column));
    }
    pass.add_classes(ids, rows);
    Ok(())
}

/// The cells of the column at `path` in `batch`.
fn source<'a>(
    name: &str,
    column: &str,
    path: &[String],
    batch: &'a RecordBatch,
) -> Result<Source<'a>> {
    let absent = || absent_column(name, column);
    let (first, rest) = path.split_first().ok_or_else(absent)?;
    let array: &'a ArrayRef = batch.column_by_name(first).ok_or_else(absent)?;
    source_in(name, column, array, rest)
}

/// The problem of a column a row group lacks.
fn absent_column(name: &str, column: &str) -> Error {
    FileProblem::new(
        name,
        format!(
            "column `{}` is not in this row group",
            crate::detect::placeholder::shown(column)
        ),
    )
    .with_help("give every row group of the file the same schema")
    .into()
}

/// The cells of the field at `rest` within `array` (a top-level column).
fn source_in<'a>(
    name: &str,
    column: &str,
    mut array: &'a ArrayRef,
    rest: &[String],
) -> Result<Source<'a>> {
    let absent = || absent_column(name, column);
    let mut nulls: Vec<&'a dyn Array> = Vec::new();
    for part in rest {
        let parent: &'a StructArray = array.as_struct_opt().ok_or_else(absent)?;
        nulls.push(parent);
        array = parent.column_by_name(part).ok_or_else(absent)?;
    }
    nulls.push(array.as_ref());
    Ok(Source {
        cells: cells(name, column, array.as_ref())?,
        nulls,
    })
}

fn cells<'a>(name: &str, column: &str, array: &'a dyn Array) -> Result<Cells<'a>> {
    let format_error = |e: arrow_schema::ArrowError| -> Error {
        FileProblem::new(
            name,
            format!(
                "column `{}` cannot be read as text ({e})",
                crate::detect::placeholder::shown(column)
            ),
        )
        .into()
    };
    Ok(match array.data_type() {
        DataType::Utf8 => Cells::Text(array, StringKind::Utf8),
        DataType::LargeUtf8 => Cells::Text(array, StringKind::Large),
        DataType::Utf8View => Cells::Text(array, StringKind::View),
        DataType::Dictionary(..) => {
            let Some(dictionary) = array.as_any_dictionary_opt() else {
                return Err(format_error(
                    arrow_schema::ArrowError::InvalidArgumentError("not a dictionary".into()),
                ));
            };
            let values: &Arc<dyn Array> = dictionary.values();
            let formatter =
                ArrayFormatter::try_new(values.as_ref(), &OPTIONS).map_err(format_error)?;
            Cells::Dictionary {
                keys: dictionary.normalized_keys(),
                values: values.as_ref(),
                formatter,
            }
        }
        _ => Cells::Formatted(ArrayFormatter::try_new(array, &OPTIONS).map_err(format_error)?),
    })
}

#[cfg(feature = "datafusion")]
/// Every cell of the field at `rest` within `array` as the text the
/// scanner would see (a null, or a null enclosing struct, as the empty
/// text): what a query engine groups and scans, so that its counts are
/// the native producer's. A top-level text column without nulls (every
/// CSV column whose cells are all filled) is already that text and is
/// passed on as it is, uncopied; any other is written once into one
/// buffer, without a string of its own per cell.
pub(super) fn texts(
    name: &str,
    column: &str,
    array: &ArrayRef,
    rest: &[String],
) -> Result<ArrayRef> {
    if rest.is_empty() && array.data_type() == &DataType::Utf8 && array.null_count() == 0 {
        return Ok(array.clone());
    }
    let source = source_in(name, column, array, rest)?;
    let mut texts = arrow_array::builder::StringBuilder::with_capacity(array.len(), 0);
    for row in 0..array.len() {
        texts.append_value(source.text(row));
    }
    Ok(Arc::new(texts.finish()))
}

#[cfg(feature = "datafusion")]
/// The Parquet files at `path` and the columns to read from them, for a
/// query engine: each file's columns are resolved as the Parquet producer
/// resolves them, and must agree.
pub(super) fn wanted_columns(
    path: &Path,
    descriptor: &Descriptor,
) -> Result<(Vec<PathBuf>, Vec<Wanted>)> {
    let files = if path.is_dir() {
        folder_files(path)?
    } else {
        vec![path.to_path_buf()]
    };
    let mut first: Option<Vec<Wanted>> = None;
    for file in &files {
        let name = file.display().to_string();
        let builder = ParquetRecordBatchReaderBuilder::try_new(crate::files::open(file)?)
            .map_err(|e| unreadable(&name, &e))?;
        let columns = resolve(&name, descriptor, builder.schema().fields())?;
        match &first {
            None => first = Some(columns),
            Some(same) if *same == columns => {}
            Some(_) => {
                return Err(FileProblem::new(
                    &name,
                    format!(
                        "its columns with a role (or their types) differ from those of `{}`",
                        files[0].display()
                    ),
                )
                .with_help("give every part of a dataset the same column roles (the descriptor, or the same field metadata)")
                .into());
            }
        }
    }
    let columns = first.ok_or_else(|| empty_folder(path))?;
    Ok((files, columns))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::scan::summarise_reader;
    use arrow_array::types::Int32Type;
    use arrow_array::{DictionaryArray, Int32Array, StringArray};

    fn groups(ranges: &[GroupRange]) -> Vec<(Vec<usize>, u64)> {
        ranges
            .iter()
            .map(|r| (r.groups.clone(), r.first_row))
            .collect()
    }

    #[test]
    fn row_groups_split_into_contiguous_ranges_of_about_equal_rows() {
        let even = row_group_ranges(&[100, 100, 100, 100], 2);
        assert_eq!(groups(&even), vec![(vec![0, 1], 0), (vec![2, 3], 200)]);
        let last_short = row_group_ranges(&[700, 700, 700, 700, 200], 2);
        assert_eq!(
            groups(&last_short),
            vec![(vec![0, 1], 0), (vec![2, 3, 4], 1400)]
        );
        let more_parts_than_groups = row_group_ranges(&[10, 10], 8);
        assert_eq!(
            groups(&more_parts_than_groups),
            vec![(vec![0], 0), (vec![1], 10)]
        );
    }

    #[test]
    fn every_group_is_read_once_in_order_whatever_the_split() {
        for parts in 1..6 {
            let rows = [5, 0, 300, 1, 1, 90, 0];
            let ranges = row_group_ranges(&rows, parts);
            assert!(ranges.len() <= parts);
            let read: Vec<usize> = ranges.iter().flat_map(|r| r.groups.clone()).collect();
            assert_eq!(read, (0..rows.len()).collect::<Vec<_>>());
            for range in &ranges {
                let first = range.groups.first().copied().unwrap_or(0);
                assert_eq!(range.first_row, rows[..first].iter().sum::<u64>());
            }
        }
    }

    #[test]
    fn what_a_file_keeps_is_shared_among_its_ranges() {
        assert_eq!(kept_ids_per_range(1), KEPT_IDS_AT_MOST);
        assert_eq!(kept_ids_per_range(2), KEPT_IDS_AT_MOST);
        assert_eq!(kept_ids_per_range(64), KEPT_IDS_AT_MOST / 32);
        for ranges in 1..200 {
            assert!(kept_ids_per_range(ranges) * ranges <= 2 * KEPT_IDS_AT_MOST);
        }
    }

    #[test]
    fn a_file_without_row_groups_is_one_empty_range() {
        assert_eq!(row_group_ranges(&[], 4), vec![GroupRange::default()]);
    }

    const DESCRIPTOR: &str = r#"
[[column]]
name = "zone"
role = "quasi-identifier"
type = "categorical"
[[column]]
name = "age"
role = "quasi-identifier"
type = "numeric"
[[column]]
name = "purpose"
role = "sensitive"
[[column]]
name = "contact"
role = "insensitive"
"#;

    fn detectors() -> Detectors {
        let catalogue =
            crate::catalog::Catalogue::embedded().expect("the embedded catalogue loads");
        let profiles = ["kr".to_owned()];
        let as_of = crate::dates::Day::parse("2026-01-01").expect("a day");
        let plan = crate::dataset::audit::plan(
            &catalogue,
            crate::engine::Selection {
                profiles: &profiles,
                only: &[],
                as_of,
            },
        )
        .expect("the plan builds");
        crate::dataset::audit::detectors(&plan).expect("detectors build")
    }

    /// A dictionary column: `values` (a `None` is a null value), and per
    /// row the key (`None` a null row).
    fn dictionary(values: &[Option<&str>], keys: &[Option<i32>]) -> ArrayRef {
        let keys = Int32Array::from(keys.to_vec());
        let values = StringArray::from(values.to_vec());
        Arc::new(
            DictionaryArray::<Int32Type>::try_new(keys, Arc::new(values))
                .expect("the keys are in range"),
        )
    }

    /// The class table, and per column the rows with a value, the
    /// detections and the texts as written with their rows.
    fn counts(summary: Summary) -> (String, String) {
        let scan = summary.finish().expect("rows were read");
        let columns: Vec<String> = scan
            .columns
            .iter()
            .map(|c| {
                let mut texts = c.written_texts();
                texts.sort_unstable();
                format!(
                    "{} {} {:?} {texts:?}",
                    c.column.name, c.present, c.detections
                )
            })
            .collect();
        // Value ids are the order values were met in; the texts are what
        // the report reads.
        let texts = |q: usize, id: u32| -> String {
            let name = &scan.table.quasi_identifiers[q];
            scan.columns
                .iter()
                .find(|c| &c.column.name == name)
                .and_then(|c| c.values.as_ref())
                .and_then(|v| v.texts.get(id as usize))
                .map_or_else(String::new, |t| t.to_string())
        };
        let classes: Vec<String> = scan
            .table
            .classes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let key: Vec<String> = scan
                    .table
                    .key(i)
                    .iter()
                    .enumerate()
                    .map(|(q, &id)| texts(q, id))
                    .collect();
                format!("{key:?} {} {:?}", c.size, c.sensitive)
            })
            .collect();
        let table = format!(
            "{:?} {:?} {}",
            scan.table.sensitive, classes, scan.table.rows
        );
        (table, columns.join("\n"))
    }

    /// Dictionary values no row of the batch holds are neither interned
    /// nor scanned (not a number, an e-mail address), a null row or a null
    /// dictionary value is the empty cell, and a numeric value written
    /// otherwise than its number is kept as written: the counts are those
    /// of the CSV of the same rows.
    #[test]
    fn a_dictionary_batch_counts_as_the_csv_of_its_rows() {
        dictionary_batch_counts_as_the_csv(&[]);
    }

    /// A dictionary with more entries than the batch has rows is read cell
    /// by cell, and counts the same.
    #[test]
    fn a_dictionary_larger_than_its_batch_counts_as_the_csv_of_its_rows() {
        dictionary_batch_counts_as_the_csv(&["never held either"; 8]);
    }

    /// The batch of six rows whose zone dictionary also holds `unused`
    /// entries, read as the CSV of the same rows is.
    fn dictionary_batch_counts_as_the_csv(unused: &[&str]) {
        let detectors = detectors();
        let descriptor = Descriptor::parse("d.toml", DESCRIPTOR).expect("the descriptor parses");
        let mut zones = vec![Some("Z1"), Some("never held"), Some("Z2"), None];
        zones.extend(unused.iter().map(|&u| Some(u)));
        let zone = dictionary(&zones, &[Some(0), Some(2), None, Some(0), Some(3), Some(2)]);
        let age = dictionary(
            &[
                Some("30"),
                Some("n/a"),
                Some("030"),
                Some("30.0"),
                Some("41"),
            ],
            &[Some(0), Some(2), Some(3), None, Some(4), Some(0)],
        );
        let purpose = dictionary(
            &[Some("work"), Some("care"), None],
            &[Some(1), None, Some(1), Some(2), Some(0), Some(1)],
        );
        let contact = dictionary(
            &[Some("kim@example.org"), Some("none"), Some("010-1234-5678")],
            &[Some(1), Some(2), None, Some(1), Some(2), Some(1)],
        );
        let batch = RecordBatch::try_from_iter([
            ("zone", zone),
            ("age", age),
            ("purpose", purpose),
            ("contact", contact),
        ])
        .expect("the batch is consistent");
        let csv = "zone,age,purpose,contact\nZ1,30,care,none\nZ2,030,,010-1234-5678\n,30.0,care,\nZ1,,,none\n,41,work,010-1234-5678\nZ2,30,care,none\n";
        let columns = resolve("t.parquet", &descriptor, batch.schema().fields())
            .expect("the columns resolve");
        let mut pass = pass_over("t".into(), &columns, &detectors);
        let mut ids = Vec::new();
        take_batch(&mut pass, "t.parquet", &columns, &batch, 0, &mut ids).expect("the batch reads");
        let from_csv = summarise_reader(
            csv.as_bytes(),
            "t",
            Format::Csv,
            &descriptor,
            &detectors,
            &crate::engine::NoProgress,
        )
        .expect("the CSV reads");
        let (table, columns) = counts(pass.into_summary(Format::Parquet));
        let (csv_table, csv_columns) = counts(from_csv);
        assert_eq!(columns, csv_columns);
        assert_eq!(table, csv_table);
        assert!(!columns.contains("never held") && !columns.contains("email"));
        assert!(columns.contains("phone-kr"), "the phone numbers are found");
    }

    /// A value that is not a number, held by a row of a dictionary column,
    /// stops the batch at the first row holding one, the leftmost column
    /// of that row, whichever column is read first.
    #[test]
    fn the_first_row_holding_a_non_number_is_named() {
        let detectors = detectors();
        let descriptor = Descriptor::parse(
            "d.toml",
            "[[column]]\nname = \"a\"\nrole = \"sensitive\"\ntype = \"numeric\"\n[[column]]\nname = \"b\"\nrole = \"quasi-identifier\"\ntype = \"numeric\"\n",
        )
        .expect("the descriptor parses");
        let a = dictionary(
            &[Some("1"), Some("x")],
            &[Some(0), Some(0), Some(1), Some(1)],
        );
        let b = Arc::new(StringArray::from(vec!["1", "y", "2", "z"])) as ArrayRef;
        let batch = RecordBatch::try_from_iter([("a", a), ("b", b)]).expect("consistent");
        let columns = resolve("t.parquet", &descriptor, batch.schema().fields())
            .expect("the columns resolve");
        let mut pass = pass_over("t".into(), &columns, &detectors);
        let error = take_batch(
            &mut pass,
            "t.parquet",
            &columns,
            &batch,
            10,
            &mut Vec::new(),
        )
        .expect_err("a non-number is refused")
        .to_string();
        assert!(error.contains("`b`") && error.contains("12"), "{error}");
    }
}
