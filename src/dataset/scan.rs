//! The one pass over a dataset: CSV (through the `csv` crate) or NDJSON,
//! streamed. Each row updates the equivalence-class table, the distinct
//! values (with counts) of the quasi-identifier, sensitive and count
//! columns, and the identifier detections of the other columns. Nothing
//! else of a row is kept.
//!
//! Bad input stops the pass with an error naming the file, line and column,
//! never the value: a value from a small class is exactly what an audit
//! must not print.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use rustc_hash::FxHashMap;
use serde_json::Value;

use super::descriptor::{Column, Descriptor, Format, Missing, Role, ValueType};
use super::number::{NotANumber, Number};
use super::summary::Summary;
use super::table::{ClassTable, KeptRows, RowSource, TableBuilder, UNRANKED};
use crate::detect::identifiers::{Detectors, IdentifierKind};
use crate::detect::placeholder;
use crate::engine::Progress;
use crate::error::{Error, FileProblem, Result};
use crate::schema::PathSegment;

/// Rows between progress updates.
const PROGRESS_EVERY: u64 = 16_384;

/// The distinct values of one column, with the records holding each.
#[derive(Debug, Default)]
pub struct Values {
    by_text: FxHashMap<Box<str>, u32>,
    by_number: FxHashMap<Number, u32>,
    /// Each distinct value, in canonical text (numbers normalised).
    pub texts: Vec<Box<str>>,
    /// For numeric columns, each value as an exact number (`None` when
    /// missing).
    pub numbers: Vec<Option<Number>>,
    /// Records per value.
    pub counts: Vec<u64>,
    /// The id of the missing value (an empty cell, or a blank one in a
    /// numeric column), once a record lacks a value.
    pub missing: Option<u32>,
    numeric: bool,
    last: Option<u32>,
}

impl Values {
    /// Adds the values of `other` (the same column of another partition),
    /// returning for each of its ids the id here. Values meet by canonical
    /// text, which is one per value: a number's normal form, or the text
    /// itself, the missing value being the empty text in either.
    fn merge(&mut self, other: Values) -> Vec<u32> {
        let index: FxHashMap<Box<str>, u32> = self
            .texts
            .iter()
            .enumerate()
            .map(|(id, text)| (text.clone(), id as u32))
            .collect();
        let Values {
            by_text,
            texts,
            numbers,
            counts,
            ..
        } = other;
        let mut remap = Vec::with_capacity(texts.len());
        for ((text, number), count) in texts.into_iter().zip(numbers).zip(counts) {
            let id = match index.get(&text) {
                Some(&id) => id,
                None => self.adopt(text, number),
            };
            self.counts[id as usize] += count;
            remap.push(id);
        }
        for (text, id) in by_text {
            if let Some(&mapped) = remap.get(id as usize) {
                self.by_text.entry(text).or_insert(mapped);
            }
        }
        remap
    }

    /// A value first met in another partition.
    fn adopt(&mut self, text: Box<str>, number: Option<Number>) -> u32 {
        if text.is_empty() {
            return self.new_missing();
        }
        let id = self.push(text, number.clone());
        if let Some(number) = number {
            self.by_number.insert(number, id);
        }
        id
    }
}

impl Values {
    fn new(numeric: bool) -> Self {
        Values {
            numeric,
            ..Values::default()
        }
    }

    /// The id of `text`, interning it on first sight. Numeric columns
    /// intern by exact value (`30` and `30.0` are one value, `2^53` and
    /// `2^53 + 1` two); an empty text is a missing value.
    fn intern(&mut self, text: &str) -> Result<u32, NotANumber> {
        let id = self.id_of(text)?;
        self.count(id);
        Ok(id)
    }

    /// Counts one more record of value `id`, the current row's.
    fn count(&mut self, id: u32) {
        if let Some(count) = self.counts.get_mut(id as usize) {
            *count += 1;
        }
        self.last = Some(id);
    }

    /// The id of `text` ([`Values::intern`] without counting a record).
    fn id_of(&mut self, text: &str) -> Result<u32, NotANumber> {
        if let Some(&id) = self.by_text.get(text) {
            return Ok(id);
        }
        let id = if self.numeric {
            match Number::parse(text)? {
                Some(number) => match self.by_number.get(&number) {
                    Some(&id) => id,
                    None => {
                        let id =
                            self.push(number.to_string().into_boxed_str(), Some(number.clone()));
                        self.by_number.insert(number, id);
                        id
                    }
                },
                None => match self.missing {
                    Some(id) => id,
                    None => self.new_missing(),
                },
            }
        } else if text.is_empty() {
            self.new_missing()
        } else {
            self.push(text.into(), None)
        };
        self.by_text.insert(text.into(), id);
        Ok(id)
    }

    fn new_missing(&mut self) -> u32 {
        let id = self.push("".into(), None);
        self.missing = Some(id);
        id
    }

    fn push(&mut self, text: Box<str>, number: Option<Number>) -> u32 {
        self.texts.push(text);
        self.numbers.push(number);
        self.counts.push(0);
        (self.texts.len() - 1) as u32
    }

    /// Distinct values.
    pub fn len(&self) -> usize {
        self.texts.len()
    }

    /// Whether no value was seen.
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    /// Rank of each id in sorted order, as `numpy.unique` orders values:
    /// numbers ascending with a missing value last (where numpy puts NaN),
    /// text by code point (the empty text first). The id `unranked` (the
    /// missing value, when it is no sensitive value) gets [`UNRANKED`] and
    /// the others close up, so that the ranks stay `0..n`.
    pub(super) fn ranks(&self, unranked: Option<u32>) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.len() as u32)
            .filter(|&id| Some(id) != unranked)
            .collect();
        if self.numeric {
            order.sort_by(
                |&a, &b| match (&self.numbers[a as usize], &self.numbers[b as usize]) {
                    (Some(x), Some(y)) => x.cmp(y),
                    (x, y) => x.is_none().cmp(&y.is_none()),
                },
            );
        } else {
            order.sort_by(|&a, &b| self.texts[a as usize].cmp(&self.texts[b as usize]));
        }
        let mut ranks = vec![UNRANKED; self.len()];
        for (rank, id) in order.into_iter().enumerate() {
            ranks[id as usize] = rank as u32;
        }
        ranks
    }
}

/// The cells of a numeric column written otherwise than the text they
/// are interned as (`0511304123456` is the number `511304123456`, `30.0`
/// is `30`), each with its id and the rows holding it. Detection reads
/// what was written: a leading zero is part of a phone or resident number.
/// Only such cells are kept, so a column written in canonical form costs
/// a comparison a row.
#[derive(Debug, Default)]
pub struct Written {
    by_text: FxHashMap<Box<str>, (u32, u64)>,
}

impl Written {
    /// Adds another partition's cells, its ids mapped by `remap`.
    fn merge(&mut self, other: Written, remap: &[u32]) {
        for (text, (id, rows)) in other.by_text {
            let id = remap.get(id as usize).copied().unwrap_or(id);
            self.by_text.entry(text).or_insert((id, 0)).1 += rows;
        }
    }

    fn add(&mut self, text: &str, id: u32) {
        self.add_n(text, id, 1);
    }

    fn add_n(&mut self, text: &str, id: u32, records: u64) {
        match self.by_text.get_mut(text) {
            Some((_, rows)) => *rows += records,
            None => {
                self.by_text.insert(text.into(), (id, records));
            }
        }
    }
}

/// What the pass learned about one column.
#[derive(Debug)]
pub struct ColumnScan {
    /// The column as described (undescribed columns are insensitive).
    pub column: Column,
    /// Whether the descriptor named it (rather than the data alone).
    pub described: bool,
    /// Rows with a non-empty value.
    pub present: u64,
    /// Distinct values with counts, for quasi-identifier, sensitive and
    /// count columns.
    pub values: Option<Values>,
    /// Rows whose value holds each identifier kind, for the columns whose
    /// cells are scanned as they pass (direct-identifier and insensitive).
    pub detections: BTreeMap<IdentifierKind, u64>,
    /// The kinds of identifier the column's name held (a CSV header cell,
    /// an NDJSON member name). Such a name is never kept: `column.name`
    /// is then the placeholder of the first kind (`[email]`).
    pub name_holds: Vec<IdentifierKind>,
    /// For interned numeric columns, the cells written otherwise than
    /// their interned text.
    written: Written,
    /// Whether a query engine interned the column's values as per-run
    /// codes, not texts: its detections are then counted by the engine,
    /// in `detections`, since no text is here to scan.
    pub(super) coded: bool,
}

impl ColumnScan {
    /// The column as the pass keeps it, its name replaced by its
    /// placeholder when it holds an identifier.
    pub(super) fn new(mut column: Column, described: bool) -> Self {
        let name_holds = placeholder::kinds(&column.name);
        if let Some(&kind) = name_holds.first() {
            column.name = placeholder::of_kind(kind);
        }
        let interned = matches!(
            column.role,
            Role::QuasiIdentifier | Role::Sensitive | Role::Count
        );
        let numeric = column.value_type == ValueType::Numeric;
        ColumnScan {
            column,
            described,
            present: 0,
            values: interned.then(|| Values::new(numeric)),
            detections: BTreeMap::new(),
            name_holds,
            written: Written::default(),
            coded: false,
        }
    }

    /// Adds what another partition learned about the same column; for an
    /// interned column, returns where each of its value ids went.
    pub(super) fn merge(&mut self, other: ColumnScan) -> Option<Vec<u32>> {
        self.present += other.present;
        self.described |= other.described;
        self.coded |= other.coded;
        for (kind, rows) in other.detections {
            *self.detections.entry(kind).or_insert(0) += rows;
        }
        for kind in other.name_holds {
            if !self.name_holds.contains(&kind) {
                self.name_holds.push(kind);
            }
        }
        let remap = match (&mut self.values, other.values) {
            (Some(mine), Some(theirs)) => mine.merge(theirs),
            _ => return None,
        };
        self.written.merge(other.written, &remap);
        Some(remap)
    }

    /// For interned columns, every distinct text as written in the cells,
    /// with the rows holding it: what detection reads.
    pub fn written_texts(&self) -> Vec<(&str, u64)> {
        let Some(values) = &self.values else {
            return Vec::new();
        };
        let mut rows = values.counts.clone();
        let mut texts = Vec::with_capacity(values.len() + self.written.by_text.len());
        for (text, &(id, count)) in &self.written.by_text {
            if let Some(left) = rows.get_mut(id as usize) {
                *left = left.saturating_sub(count);
            }
            texts.push((text.as_ref(), count));
        }
        for (text, &left) in values.texts.iter().zip(&rows) {
            if left > 0 {
                texts.push((text.as_ref(), left));
            }
        }
        texts
    }

    /// Counts `records` rows holding the prepared cell, exactly as taking
    /// its text that many times would; `false` when it is not a number in
    /// a numeric column.
    fn take_prepared_n(&mut self, prepared: &Prepared, records: u64) -> bool {
        if prepared.present {
            self.present += records;
        }
        match &mut self.values {
            Some(values) => {
                let Some(id) = prepared.id else {
                    return false;
                };
                if let Some(count) = values.counts.get_mut(id as usize) {
                    *count += records;
                }
                if let Some(text) = &prepared.written {
                    self.written.add_n(text, id, records);
                }
            }
            None => {
                for &kind in &prepared.kinds {
                    *self.detections.entry(kind).or_insert(0) += records;
                }
            }
        }
        true
    }

    /// Keeps the current row's cell as written when it differs from the
    /// text its number is interned as.
    fn keep_written(&mut self, text: &str) {
        let Some(values) = &self.values else {
            return;
        };
        if !values.numeric {
            return;
        }
        let Some(id) = values.last else {
            return;
        };
        if values
            .texts
            .get(id as usize)
            .is_some_and(|t| t.as_ref() != text)
        {
            self.written.add(text, id);
        }
    }
}

/// Everything one pass over a dataset yields.
#[derive(Debug)]
pub struct Scan {
    /// The file, as the user named it.
    pub path: String,
    /// Its format.
    pub format: Format,
    /// Rows read.
    pub rows: u64,
    /// Every column: the described ones in descriptor order, then the
    /// undescribed ones in the order they were met.
    pub columns: Vec<ColumnScan>,
    /// The equivalence classes.
    pub table: ClassTable,
}

impl Scan {
    /// The columns with `role`.
    pub fn with_role(&self, role: Role) -> impl Iterator<Item = &ColumnScan> {
        self.columns.iter().filter(move |c| c.column.role == role)
    }
}

/// A cell read once for many rows (a dictionary value of a Parquet
/// column, met once per batch): interned or scanned once, then counted for
/// each row that holds it, exactly as if its text were taken each time.
#[derive(Debug, Default)]
pub(super) struct Prepared {
    present: bool,
    /// For an interned column, the value's id (`None`: not a number in a
    /// numeric column).
    id: Option<u32>,
    /// The text as written, when a numeric column interns it otherwise.
    written: Option<Box<str>>,
    /// The kind of each identifier found, for a scanned column.
    kinds: Vec<IdentifierKind>,
}

/// The state of a pass.
pub(super) struct Pass<'a> {
    name: String,
    detectors: &'a Detectors,
    pub(super) columns: Vec<ColumnScan>,
    /// Indexes into `columns`.
    quasi: Vec<usize>,
    sensitive: Vec<usize>,
    builder: TableBuilder,
    /// Rows kept rather than classed ([`Pass::defer_classes`]), and the
    /// most ids kept.
    kept: Option<KeptRows>,
    kept_at_most: usize,
    key: Vec<u32>,
    sensitive_ids: Vec<u32>,
    pub(super) rows: u64,
}

impl<'a> Pass<'a> {
    pub(super) fn new(name: String, columns: Vec<ColumnScan>, detectors: &'a Detectors) -> Self {
        let of_role = |role: Role| -> Vec<usize> {
            columns
                .iter()
                .enumerate()
                .filter(|(_, c)| c.column.role == role)
                .map(|(i, _)| i)
                .collect()
        };
        let quasi = of_role(Role::QuasiIdentifier);
        let sensitive = of_role(Role::Sensitive);
        Pass {
            name,
            detectors,
            builder: TableBuilder::new(quasi.len(), sensitive.len()),
            kept: None,
            kept_at_most: 0,
            key: Vec::with_capacity(quasi.len()),
            sensitive_ids: Vec::with_capacity(sensitive.len()),
            quasi,
            sensitive,
            columns,
            rows: 0,
        }
    }

    /// Makes room for the classes of `rows` rows coming, when the producer
    /// knows their number before reading them (a Parquet file does), or,
    /// while the pass keeps rows ([`Pass::defer_classes`]), for their ids
    /// (up to the bound on kept ids).
    pub(super) fn expect_rows(&mut self, rows: u64) {
        match &mut self.kept {
            Some(kept) => {
                let ids = usize::try_from(rows)
                    .unwrap_or(usize::MAX)
                    .saturating_mul(self.quasi.len() + self.sensitive.len())
                    .min(self.kept_at_most);
                kept.ids.reserve(ids);
            }
            None => self.builder.reserve(rows),
        }
    }

    /// Keeps the class ids of the rows taken from now on instead of
    /// classing them (a query engine's grouped counts excepted): for
    /// partitions read at once, whose classes are then counted together
    /// ([`Pass::into_kept`], `Summary::of_kept_rows`), on every core and
    /// without merging class tables.
    ///
    /// At most `at_most` ids are kept: past them, the rows kept are
    /// classed and the rest classed as they come, so that memory still
    /// grows with the classes, not the rows. Rows with few classes
    /// ([`Pass::worth_keeping`]) are not kept past the first
    /// [`KEEP_PROBE_ROWS`].
    pub(super) fn defer_classes(&mut self, at_most: usize) {
        self.kept = Some(KeptRows::default());
        self.kept_at_most = at_most;
    }

    /// Reads the text of a cell of column `column` once, for
    /// [`Pass::take_prepared_n`]: its id interned (no record counted yet), the
    /// identifiers in it found.
    pub(super) fn prepare(&mut self, column: usize, text: &str) -> Prepared {
        let detectors = self.detectors;
        let Some(scan) = self.columns.get_mut(column) else {
            return Prepared::default();
        };
        let present = !text.is_empty();
        match &mut scan.values {
            Some(values) => {
                let id = values.id_of(text).ok();
                let written = id
                    .filter(|_| values.numeric)
                    .filter(|&id| {
                        values
                            .texts
                            .get(id as usize)
                            .is_some_and(|t| t.as_ref() != text)
                    })
                    .map(|_| text.into());
                Prepared {
                    present,
                    id,
                    written,
                    kinds: Vec::new(),
                }
            }
            None => Prepared {
                present,
                id: None,
                written: None,
                kinds: if present {
                    let member = Some(scan.column.name.as_str());
                    detectors
                        .scan_in(member, text)
                        .iter()
                        .map(|d| d.kind)
                        .collect()
                } else {
                    Vec::new()
                },
            },
        }
    }

    /// Counts `records` rows of column `column` holding the prepared cell
    /// (one value of a batch's dictionary, counted once for all the rows
    /// that hold it); for an interned column, its value id. `Err` when it
    /// is not a number in a numeric column. The rows join the class table
    /// through [`Pass::add_classes`].
    pub(super) fn take_prepared_n(
        &mut self,
        column: usize,
        prepared: &Prepared,
        records: u64,
    ) -> Result<Option<u32>, ()> {
        let counted = self
            .columns
            .get_mut(column)
            .is_none_or(|c| c.take_prepared_n(prepared, records));
        if counted { Ok(prepared.id) } else { Err(()) }
    }

    /// Whether column `column` keeps its values (a quasi-identifier,
    /// sensitive or count column) rather than scanning them.
    pub(super) fn is_interned(&self, column: usize) -> bool {
        self.columns.get(column).is_some_and(|c| c.values.is_some())
    }

    /// Counts one cell of column `column` from its text; for an interned
    /// column, its value id. `Err` when it is not a number in a numeric
    /// column. The row joins the class table through
    /// [`Pass::add_classes`].
    pub(super) fn take_text(&mut self, column: usize, text: &str) -> Result<Option<u32>, ()> {
        let detectors = self.detectors;
        let Some(column) = self.columns.get_mut(column) else {
            return Ok(None);
        };
        if !text.is_empty() {
            column.present += 1;
        }
        match &mut column.values {
            Some(values) => {
                let id = values.intern(text).map_err(|_| ())?;
                column.keep_written(text);
                Ok(Some(id))
            }
            None => {
                if !text.is_empty() {
                    let member = Some(column.column.name.as_str());
                    for detection in detectors.scan_in(member, text) {
                        *column.detections.entry(detection.kind).or_insert(0) += 1;
                    }
                }
                Ok(None)
            }
        }
    }

    /// Adds `rows` rows, whose cells were counted column by column, to the
    /// class table: `ids[column][row]` is the value id of each row in an
    /// interned column.
    pub(super) fn add_classes(&mut self, ids: &[Vec<u32>], rows: usize) {
        let id = |column: usize, row: usize| -> u32 {
            ids.get(column)
                .and_then(|c| c.get(row))
                .copied()
                .unwrap_or(0)
        };
        for row in 0..rows {
            self.key.clear();
            self.sensitive_ids.clear();
            self.key.extend(self.quasi.iter().map(|&i| id(i, row)));
            self.sensitive_ids
                .extend(self.sensitive.iter().map(|&i| id(i, row)));
            self.class_current();
        }
        self.rows += rows as u64;
    }

    /// Takes one row: `cell(i)` is column `i`'s text ("" when missing).
    pub(super) fn add_row<'c>(
        &mut self,
        line: u64,
        mut cell: impl FnMut(usize) -> Cow<'c, str>,
    ) -> Result<()> {
        for i in 0..self.columns.len() {
            if self.take_text(i, &cell(i)).is_err() {
                return Err(self.not_a_number(line, i));
            }
        }
        self.key.clear();
        self.sensitive_ids.clear();
        for &i in &self.quasi {
            self.key.push(last_id(&self.columns[i]));
        }
        for &i in &self.sensitive {
            self.sensitive_ids.push(last_id(&self.columns[i]));
        }
        self.class_current();
        self.rows += 1;
        Ok(())
    }

    /// Counts the record in `key` and `sensitive_ids` in its class, or
    /// keeps its ids for later ([`Pass::defer_classes`]).
    fn class_current(&mut self) {
        if let Some(kept) = &mut self.kept {
            if kept.ids.len() + self.key.len() + self.sensitive_ids.len() <= self.kept_at_most {
                kept.ids.extend_from_slice(&self.key);
                kept.ids.extend_from_slice(&self.sensitive_ids);
                kept.rows += 1;
                if kept.rows == KEEP_PROBE_ROWS && !self.worth_keeping() {
                    self.class_kept();
                }
                return;
            }
            self.class_kept();
        }
        self.builder.add(&self.key, &self.sensitive_ids);
    }

    /// Whether the rows kept so far hold classes enough for keeping rows
    /// to pay: at least one for four rows. With fewer, a pass's class
    /// table stays small and merging it costs little, while keeping costs
    /// memory and a second reading of every row.
    fn worth_keeping(&self) -> bool {
        let Some(kept) = &self.kept else {
            return false;
        };
        let width = self.quasi.len();
        let per_row = width + self.sensitive.len();
        if width == 0 {
            return false;
        }
        let keys: rustc_hash::FxHashSet<&[u32]> = kept
            .ids
            .chunks_exact(per_row)
            .map(|row| &row[..width])
            .collect();
        keys.len() as u64 * 4 >= kept.rows
    }

    /// Classes the rows kept so far, and keeps no more.
    fn class_kept(&mut self) {
        if let Some(kept) = self.kept.take() {
            RowSource::own(&kept).add_all(&mut self.builder);
        }
    }

    #[cfg(feature = "datafusion")]
    /// Adds `records` rows holding the texts `cells` (column index, text
    /// as written) in interned columns: a grouped count from a query
    /// engine, counted exactly as the rows one by one. With `classes`, the
    /// cells are the quasi-identifier and sensitive ones of the rows, which
    /// are added to the class table and the row count. A text that is no
    /// number in a numeric column is `Err` with that column's index: the
    /// caller finds the line to name.
    pub(super) fn add_group(
        &mut self,
        cells: &[(usize, &str)],
        records: u64,
        classes: bool,
    ) -> std::result::Result<(), usize> {
        for &(i, text) in cells {
            let Some(column) = self.columns.get_mut(i) else {
                continue;
            };
            if !text.is_empty() {
                column.present += records;
            }
            let Some(values) = &mut column.values else {
                continue;
            };
            let Ok(id) = values.id_of(text) else {
                return Err(i);
            };
            if let Some(count) = values.counts.get_mut(id as usize) {
                *count += records;
            }
            values.last = Some(id);
            let written = values.numeric
                && values
                    .texts
                    .get(id as usize)
                    .is_some_and(|t| t.as_ref() != text);
            if written {
                column.written.add_n(text, id, records);
            }
        }
        if classes {
            self.key.clear();
            self.sensitive_ids.clear();
            for &i in &self.quasi {
                self.key.push(last_id(&self.columns[i]));
            }
            for &i in &self.sensitive {
                self.sensitive_ids.push(last_id(&self.columns[i]));
            }
            self.builder.add_n(&self.key, &self.sensitive_ids, records);
            self.rows += records;
        }
        Ok(())
    }

    #[cfg(feature = "datafusion")]
    /// Adds what a query engine counted in a scanned or coded column: per
    /// identifier kind the detections and, for a scanned column, the rows
    /// with a value (an interned column counted those with its groups).
    pub(super) fn add_detections(
        &mut self,
        column: usize,
        present: u64,
        detections: &[(IdentifierKind, u64)],
    ) {
        let Some(column) = self.columns.get_mut(column) else {
            return;
        };
        if column.values.is_none() {
            column.present += present;
        }
        for &(kind, count) in detections.iter().filter(|(_, n)| *n > 0) {
            *column.detections.entry(kind).or_insert(0) += count;
        }
    }

    #[cfg(feature = "datafusion")]
    /// The indexes of the interned columns: quasi-identifiers, then
    /// sensitive attributes, then count columns.
    pub(super) fn interned(&self) -> (Vec<usize>, Vec<usize>) {
        let classes = self.quasi.iter().chain(&self.sensitive).copied().collect();
        let counts = self
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.column.role == Role::Count)
            .map(|(i, _)| i)
            .collect();
        (classes, counts)
    }

    #[cfg(feature = "datafusion")]
    /// The error of a value that is no number in numeric column `column`,
    /// when no line can be named (a Parquet input on a query engine).
    pub(super) fn not_a_number_group(&self, column: usize) -> Error {
        FileProblem::new(
            &self.name,
            format!(
                "column `{}` is declared numeric but a row holds a value that is not a number",
                self.columns[column].column.name,
            ),
        )
        .with_help("declare the column `categorical` in the descriptor, or fix the values (an empty cell counts as missing); the native engine names the first such row")
        .into()
    }

    /// The error of the value on `line` that is no number in numeric
    /// column `column`: the same words whichever producer found it.
    pub(super) fn not_a_number(&self, line: u64, column: usize) -> Error {
        FileProblem::new(
            &self.name,
            format!(
                "column `{}` is declared numeric but this row's value is not a number",
                self.columns[column].column.name
            ),
        )
        .at_line(Some(line as usize))
        .with_help("declare the column `categorical` in the descriptor, or fix the value (an empty cell counts as missing)")
        .into()
    }

    /// What the pass learned, and the rows it kept unclassed
    /// ([`Pass::defer_classes`]; empty when it did not).
    pub(super) fn into_kept(mut self, format: Format) -> (Summary, KeptRows) {
        let kept = self.kept.take().unwrap_or_default();
        (self.into_summary(format), kept)
    }

    /// What the pass learned, to merge with other partitions' or judge.
    pub(super) fn into_summary(self, format: Format) -> Summary {
        Summary {
            name: self.name,
            format,
            columns: self.columns,
            quasi: self.quasi,
            sensitive: self.sensitive,
            builder: self.builder,
            rows: self.rows,
        }
    }
}

/// The most ids a pass keeps unclassed ([`Pass::defer_classes`]): 16 MiB,
/// the rows of about 700,000 records of five quasi-identifiers and a
/// sensitive attribute.
pub(super) const KEPT_IDS_AT_MOST: usize = 1 << 22;

/// The rows a pass keeps before it judges whether keeping them pays
/// ([`Pass::worth_keeping`]).
const KEEP_PROBE_ROWS: u64 = 1 << 14;

/// The id the column interned last (the current row's).
fn last_id(column: &ColumnScan) -> u32 {
    column.values.as_ref().and_then(|v| v.last).unwrap_or(0)
}

/// Reads `path` once and returns what the checks need.
pub fn scan(
    path: &Path,
    descriptor: &Descriptor,
    detectors: &Detectors,
    progress: &dyn Progress,
) -> Result<Scan> {
    summarise(path, descriptor, detectors, progress)?.finish()
}

/// Reads `path` once into its [`Summary`]: a CSV or NDJSON file through
/// the native scanner, a Parquet file (told by its magic bytes) or a
/// folder of them through the Parquet producer.
pub fn summarise(
    path: &Path,
    descriptor: &Descriptor,
    detectors: &Detectors,
    progress: &dyn Progress,
) -> Result<Summary> {
    let declared = descriptor.format.or_else(|| Format::from_path(path));
    if path.is_dir() || declared == Some(Format::Parquet) || super::parquet::is_parquet(path)? {
        return super::parquet::summarise(path, descriptor, detectors, progress);
    }
    let format = descriptor
        .format
        .or_else(|| Format::from_path(path))
        .ok_or_else(|| {
            Error::Usage(format!(
                "cannot tell the format of `{}` from its extension; set `format = \"csv\"` or `\"ndjson\"` in the descriptor (Parquet is told by its first bytes)",
                path.display()
            ))
        })?;
    let file = crate::files::open(path)?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    progress.start(total);
    let result = summarise_reader(
        file,
        &path.display().to_string(),
        format,
        descriptor,
        detectors,
        progress,
    );
    progress.finish();
    result
}

/// Reads a dataset of `format` from `reader` (named `name` in messages)
/// once; [`scan`] without the file.
pub fn scan_reader(
    reader: impl Read,
    name: &str,
    format: Format,
    descriptor: &Descriptor,
    detectors: &Detectors,
    progress: &dyn Progress,
) -> Result<Scan> {
    summarise_reader(reader, name, format, descriptor, detectors, progress)?.finish()
}

/// Reads a CSV or NDJSON dataset from `reader` (named `name` in messages)
/// into its [`Summary`]: one partition of a dataset, or all of it.
pub fn summarise_reader(
    reader: impl Read,
    name: &str,
    format: Format,
    descriptor: &Descriptor,
    detectors: &Detectors,
    progress: &dyn Progress,
) -> Result<Summary> {
    let pass = match format {
        Format::Csv => read_csv(reader, name, descriptor, detectors, progress, None)?,
        Format::Ndjson => read_ndjson(reader, name, descriptor, detectors, progress)?,
        Format::Parquet => {
            return Err(Error::Usage(format!(
                "`{name}` is Parquet, which is read from a file, not a stream"
            )));
        }
    };
    Ok(pass.into_summary(format))
}

/// A CSV partition's summary and its rows' ids, kept unclassed up to
/// `kept_at_most` ids: what `Summary::of_kept_rows` takes.
#[cfg(test)]
pub(super) fn kept_rows_of_csv(
    reader: impl Read,
    name: &str,
    descriptor: &Descriptor,
    detectors: &Detectors,
    kept_at_most: usize,
) -> Result<(Summary, KeptRows)> {
    let pass = read_csv(
        reader,
        name,
        descriptor,
        detectors,
        &crate::engine::NoProgress,
        Some(kept_at_most),
    )?;
    Ok(pass.into_kept(Format::Csv))
}

/// Reads a CSV dataset into a pass, which keeps up to `keep_ids` ids of
/// its rows unclassed ([`Pass::defer_classes`]).
fn read_csv<'d>(
    file: impl Read,
    name: &str,
    descriptor: &Descriptor,
    detectors: &'d Detectors,
    progress: &dyn Progress,
    keep_ids: Option<usize>,
) -> Result<Pass<'d>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(descriptor.delimiter)
        .has_headers(true)
        .flexible(false)
        .from_reader(BufReader::with_capacity(1 << 20, file));
    let (columns, positions) = csv_columns(&mut reader, name, descriptor)?;
    let mut pass = Pass::new(name.to_owned(), columns, detectors);
    if let Some(at_most) = keep_ids {
        pass.defer_classes(at_most);
    }
    let mut record = csv::ByteRecord::new();
    let mut reported = 0u64;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_problem(name, e)),
        }
        let line = record.position().map_or(0, |p| p.line());
        let mut bad_column = None;
        pass.add_row(line, |i| {
            let raw = record.get(positions[i]).unwrap_or_default();
            match std::str::from_utf8(raw) {
                Ok(text) => Cow::Borrowed(text),
                Err(_) => {
                    bad_column.get_or_insert(i);
                    Cow::Borrowed("")
                }
            }
        })?;
        if let Some(i) = bad_column {
            return Err(FileProblem::new(
                name,
                format!(
                    "column `{}` (field {}) is not valid UTF-8 in this row",
                    pass.columns[i].column.name,
                    positions[i] + 1
                ),
            )
            .at_line(Some(line as usize))
            .with_help("save the file as UTF-8")
            .into());
        }
        if pass.rows.is_multiple_of(PROGRESS_EVERY) {
            let at = reader.position().byte();
            progress.advance(at - reported);
            reported = at;
        }
    }
    progress.advance(reader.position().byte().saturating_sub(reported));
    Ok(pass)
}

/// The columns of a CSV file from its header row, matched to the
/// descriptor (described ones first, then the others as insensitive), and
/// each one's field position. Shared with the query-engine producers,
/// which read the header the same way.
pub(super) fn csv_columns<R: Read>(
    reader: &mut csv::Reader<R>,
    name: &str,
    descriptor: &Descriptor,
) -> Result<(Vec<ColumnScan>, Vec<usize>)> {
    let header = reader
        .byte_headers()
        .map_err(|e| csv_problem(name, e))?
        .clone();
    if header.is_empty() || (header.len() == 1 && header[0].is_empty()) {
        return Err(FileProblem::new(name, "the file is empty: no header row")
            .at_line(Some(1))
            .with_help("a CSV dataset starts with a header row naming its columns")
            .into());
    }
    let mut names = Vec::with_capacity(header.len());
    // Header names are the file's to choose: a hasher that resists chosen
    // collisions (SipHash) keeps the check linear whatever they are.
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(header.len());
    for (i, raw) in header.iter().enumerate() {
        let text = std::str::from_utf8(raw).map_err(|_| {
            Error::from(
                FileProblem::new(name, format!("header field {} is not valid UTF-8", i + 1))
                    .at_line(Some(1)),
            )
        })?;
        let text = if i == 0 {
            text.trim_start_matches('\u{feff}')
        } else {
            text
        };
        if let Some(first) = seen.insert(text, i) {
            return Err(duplicate_header(name, first, i, text));
        }
        names.push(text);
    }
    match_columns(name, descriptor, &names)
}

/// Names listed in a message about a header, at most: a header may have
/// a hundred thousand columns, and a message is read by a person.
const NAMES_SHOWN: usize = 20;

/// The problem of a header naming one column twice, by the fields'
/// positions (1-based). The name is shown only when it holds no
/// identifier: a file without its header row has data in its place.
fn duplicate_header(file: &str, first: usize, again: usize, text: &str) -> Error {
    let what = match placeholder::kinds(text).first() {
        Some(kind) => format!(
            "a name holding {}, not shown",
            placeholder::with_article(*kind)
        ),
        None => format!("`{text}`"),
    };
    FileProblem::new(
        file,
        format!(
            "header fields {} and {} have the same name ({what})",
            first + 1,
            again + 1
        ),
    )
    .at_line(Some(1))
    .with_help(headerless_hint(&[text]).unwrap_or("give each column a distinct name"))
    .into()
}

/// When names of a header hold identifiers, the first row is most likely
/// data: the help says so instead of asking for better names.
fn headerless_hint(header: &[&str]) -> Option<&'static str> {
    header
        .iter()
        .any(|h| !placeholder::kinds(h).is_empty())
        .then_some(
            "the header row holds identifiers, so the file probably lacks its header: add a row naming the columns",
        )
}

/// The scanned columns and, for each, its position in the header:
/// described ones first, then the rest as insensitive. Linear in the
/// header's and the descriptor's lengths.
fn match_columns(
    name: &str,
    descriptor: &Descriptor,
    header: &[&str],
) -> Result<(Vec<ColumnScan>, Vec<usize>)> {
    let mut position: HashMap<&str, usize> = HashMap::with_capacity(header.len());
    for (i, h) in header.iter().enumerate() {
        position.entry(h).or_insert(i);
    }
    let missing: Vec<&str> = descriptor
        .columns
        .iter()
        .filter(|c| !position.contains_key(c.name.as_str()))
        .map(|c| c.name.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(missing_columns(name, descriptor, header, &missing));
    }
    let described: HashSet<&str> = descriptor.columns.iter().map(|c| c.name.as_str()).collect();
    let mut columns = Vec::new();
    let mut positions = Vec::new();
    for column in &descriptor.columns {
        positions.push(position.get(column.name.as_str()).copied().unwrap_or(0));
        columns.push(ColumnScan::new(column.clone(), true));
    }
    for (i, h) in header.iter().enumerate() {
        if !described.contains(h) {
            positions.push(i);
            columns.push(ColumnScan::new(insensitive(h), false));
        }
    }
    Ok((columns, positions))
}

/// The problem of described columns missing from the header: both lists
/// bounded, and every name shown only when it holds no identifier.
fn missing_columns(
    name: &str,
    descriptor: &Descriptor,
    header: &[&str],
    missing: &[&str],
) -> Error {
    // A first row that holds identifiers is data: none of it is shown,
    // not even the cells the detectors pass (a person's name, say).
    let help = match headerless_hint(header) {
        Some(hint) => format!(
            "{hint}; its {} {} not shown",
            header.len(),
            if header.len() == 1 {
                "field is"
            } else {
                "fields are"
            },
        ),
        None => format!(
            "the header has: {}; fix the descriptor `{}` or the file",
            placeholder::bounded_list(header.iter().copied(), NAMES_SHOWN),
            descriptor.source
        ),
    };
    let (shown, more) = placeholder::bounded(missing.iter().copied(), NAMES_SHOWN);
    let more = if more > 0 {
        format!(", and {more} more")
    } else {
        String::new()
    };
    FileProblem::new(
        name,
        format!(
            "the header lacks the described column{} `{}`{more}",
            if missing.len() == 1 { "" } else { "s" },
            shown.join("`, `")
        ),
    )
    .at_line(Some(1))
    .with_help(help)
    .into()
}

pub(super) fn insensitive(name: &str) -> Column {
    Column {
        name: name.to_owned(),
        role: Role::Insensitive,
        value_type: ValueType::Categorical,
        max_decimals: None,
        granularity: None,
        missing: Missing::default(),
        path: vec![PathSegment::Key(name.to_owned())],
    }
}

fn csv_problem(name: &str, error: csv::Error) -> Error {
    let line = error.position().map(|p| p.line() as usize);
    match error.into_kind() {
        csv::ErrorKind::Io(e) => Error::Read {
            path: name.to_owned(),
            source: e,
        },
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => FileProblem::new(
            name,
            format!(
                "this row has {len} field{}; the header has {expected_len}",
                if len == 1 { "" } else { "s" }
            ),
        )
        .at_line(line)
        .with_help("quote fields that contain the delimiter, or fix the row")
        .into(),
        csv::ErrorKind::Utf8 { .. } => FileProblem::new(name, "this row is not valid UTF-8")
            .at_line(line)
            .with_help("save the file as UTF-8")
            .into(),
        _ => FileProblem::new(name, "the CSV cannot be read here")
            .at_line(line)
            .into(),
    }
}

fn read_ndjson<'d>(
    file: impl Read,
    name: &str,
    descriptor: &Descriptor,
    detectors: &'d Detectors,
    progress: &dyn Progress,
) -> Result<Pass<'d>> {
    let columns = descriptor
        .columns
        .iter()
        .map(|c| ColumnScan::new(c.clone(), true))
        .collect();
    let mut pass = Pass::new(name.to_owned(), columns, detectors);
    let described_roots: HashSet<String> = descriptor
        .columns
        .iter()
        .filter_map(|c| match c.path.first() {
            Some(PathSegment::Key(k)) => Some(k.clone()),
            _ => None,
        })
        .collect();
    let mut extra: BTreeMap<String, Extra> = BTreeMap::new();
    let mut records = NdjsonRecords::new(file, name);
    while let Some(next) = records.next_record()? {
        progress.advance(next.bytes_read);
        let (line, buffer, record) = (next.line, next.text, &next.record);
        let Value::Object(members) = record else {
            continue;
        };
        let cells: Vec<Cow<'_, str>> = descriptor
            .columns
            .iter()
            .map(|c| cell_text(value_at(record, &c.path)))
            .collect();
        pass.add_row(line, |i| cells[i].clone())?;
        let in_numbers = std::str::from_utf8(buffer)
            .map(|text| number_detections(text, detectors))
            .unwrap_or_default();
        for (key, value) in members {
            if described_roots.contains(key) {
                continue;
            }
            let mut kinds: Vec<IdentifierKind> = in_numbers
                .iter()
                .filter(|(member, _)| member == key)
                .map(|&(_, kind)| kind)
                .collect();
            kinds.sort_unstable();
            kinds.dedup();
            let mut present = !kinds.is_empty();
            visit_strings(value, &mut |text, is_name| {
                present |= !is_name && !text.is_empty();
                for detection in detectors.scan_in(Some(key), text) {
                    if !kinds.contains(&detection.kind) {
                        kinds.push(detection.kind);
                    }
                }
            });
            let column = extra_column(&mut extra, key);
            if let Some(column) = extra.get_mut(column.as_ref()) {
                column.take(line, present, &kinds);
            }
        }
    }
    for (key, taken) in extra {
        let mut column = ColumnScan::new(insensitive(&key), false);
        column.present = taken.present;
        column.detections = taken.detections;
        column.name_holds = taken.name_holds;
        pass.columns.push(column);
    }
    Ok(pass)
}

/// The records of an NDJSON file with their lines, read one line at a
/// time; shared by the native scanner and the query engines' passes that
/// name a line, so both count lines and skip blank ones alike.
pub(super) struct NdjsonRecords<R> {
    reader: BufReader<R>,
    buffer: Vec<u8>,
    line: u64,
    name: String,
    /// The longest line read, in bytes: what one record may hold in memory.
    limit: u64,
}

/// The longest NDJSON line a dataset may have: a record is one row, and a
/// file that is one enormous line (a JSON array, a dump without line
/// breaks) would otherwise be held whole in memory.
const NDJSON_LINE_LIMIT: u64 = 64 << 20;

/// One record of [`NdjsonRecords`].
pub(super) struct NdjsonRecord<'b> {
    /// Its line in the file, from 1.
    pub(super) line: u64,
    /// The bytes read for it, blank lines before it included (progress).
    pub(super) bytes_read: u64,
    /// The line as written.
    pub(super) text: &'b [u8],
    /// The line's JSON object.
    pub(super) record: Value,
}

impl<R: Read> NdjsonRecords<R> {
    /// Records of `file`, named `name` in errors.
    pub(super) fn new(file: R, name: &str) -> Self {
        Self::with_limit(file, name, NDJSON_LINE_LIMIT)
    }

    fn with_limit(file: R, name: &str, limit: u64) -> Self {
        NdjsonRecords {
            reader: BufReader::with_capacity(1 << 20, file),
            buffer: Vec::new(),
            line: 0,
            name: name.to_owned(),
            limit,
        }
    }

    /// The error for a line longer than the limit, naming the line.
    fn too_long(&self) -> Error {
        FileProblem::new(
            &self.name,
            format!(
                "this line is longer than {} MiB, the most one record may hold",
                self.limit >> 20
            ),
        )
        .at_line(Some(self.line as usize))
        .with_help("each line of an NDJSON dataset is one JSON object: write one record per line")
        .into()
    }

    /// The next record, `None` at the end of the file, or the error naming
    /// the line that is no JSON object.
    pub(super) fn next_record(&mut self) -> Result<Option<NdjsonRecord<'_>>> {
        let mut bytes_read = 0u64;
        loop {
            self.buffer.clear();
            let read = (&mut self.reader)
                .take(self.limit + 1)
                .read_until(b'\n', &mut self.buffer)
                .map_err(|e| Error::Read {
                    path: self.name.clone(),
                    source: e,
                })?;
            if read == 0 {
                return Ok(None);
            }
            self.line += 1;
            if read as u64 > self.limit && self.buffer.last() != Some(&b'\n') {
                return Err(self.too_long());
            }
            bytes_read += read as u64;
            if let Some(record) = ndjson_record(&self.buffer, &self.name, self.line)? {
                return Ok(Some(NdjsonRecord {
                    line: self.line,
                    bytes_read,
                    text: &self.buffer,
                    record,
                }));
            }
        }
    }
}

/// The record on `line` of an NDJSON file (`None` for a blank line), or
/// the error naming the line and column where it stops being a JSON
/// object; shared with the query engines, which name the same line.
fn ndjson_record(buffer: &[u8], name: &str, line: u64) -> Result<Option<Value>> {
    if buffer.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let record: Value = serde_json::from_slice(buffer).map_err(|e| {
        let what = if e.is_eof() {
            "is truncated JSON"
        } else if std::str::from_utf8(buffer).is_err() {
            "is not valid UTF-8"
        } else {
            "is not JSON"
        };
        Error::from(
            FileProblem::new(name, format!("this line {what}"))
                .at_line(Some(line as usize))
                .at_column(crate::error::char_column(buffer, e.column()))
                .with_help("each line of an NDJSON dataset is one JSON object"),
        )
    })?;
    if !record.is_object() {
        return Err(FileProblem::new(name, "this line is not a JSON object")
            .at_line(Some(line as usize))
            .with_help("each line of an NDJSON dataset is one JSON object")
            .into());
    }
    Ok(Some(record))
}

/// What the pass learns about a member no descriptor names, which the
/// report lists as a column.
#[derive(Debug, Default)]
struct Extra {
    present: u64,
    detections: BTreeMap<IdentifierKind, u64>,
    name_holds: Vec<IdentifierKind>,
    /// The line last counted, and what it counted: several members whose
    /// names hold the same kind of identifier are one column (`[email]`),
    /// counted once a row.
    line: u64,
    line_present: bool,
    line_kinds: Vec<IdentifierKind>,
}

impl Extra {
    fn take(&mut self, line: u64, present: bool, kinds: &[IdentifierKind]) {
        if self.line != line {
            self.line = line;
            self.line_present = false;
            self.line_kinds.clear();
        }
        if present && !self.line_present {
            self.line_present = true;
            self.present += 1;
        }
        for &kind in kinds {
            if !self.line_kinds.contains(&kind) {
                self.line_kinds.push(kind);
                *self.detections.entry(kind).or_insert(0) += 1;
            }
        }
    }
}

/// The name of the column a member named `key` is counted in, created if
/// new: its own, or, when the name holds an identifier, the placeholder of
/// its kind, so that the report lists `[email]` and never the address. A
/// name is scanned until it has a column of its own (then it holds none).
fn extra_column<'k>(extra: &mut BTreeMap<String, Extra>, key: &'k str) -> Cow<'k, str> {
    if extra.contains_key(key) {
        return Cow::Borrowed(key);
    }
    let kinds = placeholder::kinds(key);
    let name = kinds
        .first()
        .map_or_else(|| key.to_owned(), |&kind| placeholder::of_kind(kind));
    let column = extra.entry(name.clone()).or_default();
    for kind in kinds {
        if !column.name_holds.contains(&kind) {
            column.name_holds.push(kind);
        }
    }
    Cow::Owned(name)
}

pub(super) fn value_at<'v>(record: &'v Value, path: &[PathSegment]) -> Option<&'v Value> {
    let mut at = record;
    for segment in path {
        match (segment, at) {
            (PathSegment::Key(k), Value::Object(map)) => at = map.get(k)?,
            _ => return None,
        }
    }
    Some(at)
}

/// A JSON value as a cell: strings as they are, numbers and booleans as
/// written, objects and arrays as compact JSON, null or absent as missing.
pub(super) fn cell_text(value: Option<&Value>) -> Cow<'_, str> {
    match value {
        None | Some(Value::Null) => Cow::Borrowed(""),
        Some(Value::String(s)) => Cow::Borrowed(s),
        Some(Value::Number(n)) => Cow::Owned(n.to_string()),
        Some(Value::Bool(b)) => Cow::Borrowed(if *b { "true" } else { "false" }),
        Some(other) => Cow::Owned(other.to_string()),
    }
}

/// The identifier kinds found in the numbers of an NDJSON line, as
/// written there (parsing keeps a number's value, not its digits), with
/// the top-level member holding each.
fn number_detections(line: &str, detectors: &Detectors) -> Vec<(String, IdentifierKind)> {
    let mut found = Vec::new();
    let mut paths = crate::json_text::PathWalker::new(line);
    crate::json_text::each_number(line, |span| {
        let Some(text) = line.get(span.clone()) else {
            return;
        };
        if !detectors.may_match(text) {
            return;
        }
        let steps = paths.path_to(span.start);
        let Some(crate::json_text::Step::Key(top)) = steps.first() else {
            return;
        };
        // The innermost member is the number's context, as a column name
        // is a cell's.
        let member = steps.iter().rev().find_map(|step| match step {
            crate::json_text::Step::Key(key) => Some(key.as_str()),
            _ => None,
        });
        let detections = detectors.scan_in(member, text);
        found.extend(detections.iter().map(|d| (top.clone(), d.kind)));
    });
    found
}

/// Every string of `value` and every member name within it (`true` for a
/// name): names are scanned as values are.
pub(super) fn visit_strings(value: &Value, visit: &mut impl FnMut(&str, bool)) {
    match value {
        Value::String(s) => visit(s, false),
        Value::Array(items) => items.iter().for_each(|v| visit_strings(v, visit)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            visit(k, true);
            visit_strings(v, visit);
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CSV of `rows` rows whose quasi-identifiers take `classes`
    /// combinations, read with its rows kept: the rows kept.
    fn kept_of(rows: u64, classes: u64) -> u64 {
        let descriptor = Descriptor::parse(
            "d.toml",
            r#"
[[column]]
name = "zone"
role = "quasi-identifier"
type = "categorical"
[[column]]
name = "hour"
role = "quasi-identifier"
type = "numeric"
[[column]]
name = "purpose"
role = "sensitive"
"#,
        )
        .expect("the descriptor parses");
        let mut text = String::from("zone,hour,purpose\n");
        for row in 0..rows {
            let class = row % classes;
            text.push_str(&format!("Z{},{},p{}\n", class / 24, class % 24, row % 3));
        }
        let detectors = Detectors::new(&[]);
        let (summary, kept) = kept_rows_of_csv(
            text.as_bytes(),
            "d.csv",
            &descriptor,
            &detectors,
            KEPT_IDS_AT_MOST,
        )
        .expect("the CSV reads");
        assert_eq!(summary.rows(), rows);
        kept.rows
    }

    /// Rows are kept while they hold a class for every four rows or
    /// more; with fewer, a pass stops keeping them once it has seen
    /// enough to judge, and classes them as it goes.
    #[test]
    fn rows_of_few_classes_are_classed_and_rows_of_many_are_kept() {
        let past_the_probe = KEEP_PROBE_ROWS + 100;
        assert_eq!(kept_of(past_the_probe, 12), 0, "a dozen classes");
        assert_eq!(
            kept_of(past_the_probe, KEEP_PROBE_ROWS / 4 - 1),
            0,
            "just under one class in four rows"
        );
        assert_eq!(
            kept_of(past_the_probe, KEEP_PROBE_ROWS / 4),
            past_the_probe,
            "one class in four rows"
        );
        assert_eq!(kept_of(past_the_probe, past_the_probe), past_the_probe);
        assert_eq!(
            kept_of(KEEP_PROBE_ROWS - 1, 12),
            KEEP_PROBE_ROWS - 1,
            "before the probe"
        );
    }

    /// The lines of `text` read with a `limit`, as (line, record) or the
    /// error's text.
    fn records_within(text: &str, limit: u64) -> std::result::Result<Vec<(u64, Value)>, String> {
        let mut records = NdjsonRecords::with_limit(text.as_bytes(), "d.ndjson", limit);
        let mut out = Vec::new();
        loop {
            match records.next_record() {
                Ok(Some(r)) => out.push((r.line, r.record)),
                Ok(None) => return Ok(out),
                Err(e) => return Err(format!("{e:?}")),
            }
        }
    }

    #[test]
    fn ndjson_lines_up_to_the_limit_are_read_and_a_longer_one_is_refused_by_its_line() {
        // `{"a":12345}` is 11 bytes.
        let read = records_within("{\"a\":12345}\n\n{\"a\":12345}", 11).expect("within the limit");
        assert_eq!(
            read.iter().map(|(line, _)| *line).collect::<Vec<_>>(),
            [1, 3],
            "a blank line is counted, not read"
        );
        let refused = records_within("{\"a\":1}\n{\"a\":123456}\n", 11).expect_err("too long");
        assert!(refused.contains("longer than"), "{refused}");
        assert!(refused.contains("line: Some(2)"), "{refused}");
        assert!(!refused.contains("123456"), "no value is shown: {refused}");
    }

    #[test]
    fn numbers_intern_by_value_and_rank_numerically() {
        let mut values = Values::new(true);
        let a = values.intern("30").expect("number");
        let b = values.intern("30.0").expect("number");
        let c = values.intern("4").expect("number");
        let missing = values.intern("").expect("missing is allowed");
        assert_eq!(a, b);
        assert_eq!(values.intern(" ").expect("blank is missing"), missing);
        assert_eq!(values.missing, Some(missing));
        assert_eq!(values.counts[a as usize], 2);
        assert!(values.intern("thirty").is_err());
        assert!(values.intern("NaN").is_err());
        let ranks = values.ranks(None);
        assert_eq!(
            ranks[missing as usize], 2,
            "missing last, as numpy puts NaN"
        );
        assert!(ranks[c as usize] < ranks[a as usize]);
        let ranks = values.ranks(Some(missing));
        assert_eq!(ranks[missing as usize], UNRANKED);
        assert_eq!((ranks[c as usize], ranks[a as usize]), (0, 1));
    }

    #[test]
    fn integers_beyond_two_to_the_53_stay_apart() {
        let mut values = Values::new(true);
        let a = values.intern("9007199254740992").expect("number");
        let b = values.intern("9007199254740993").expect("number");
        let c = values.intern("9007199254740993.0").expect("number");
        assert_ne!(a, b, "2^53 and 2^53 + 1 share a float, not a value");
        assert_eq!(b, c);
        assert_eq!(&*values.texts[b as usize], "9007199254740993");
        let ranks = values.ranks(None);
        assert!(ranks[a as usize] < ranks[b as usize]);
    }

    #[test]
    fn text_ranks_by_code_point() {
        let mut values = Values::new(false);
        let b = values.intern("b").expect("text");
        let a = values.intern("a").expect("text");
        let upper = values.intern("Z").expect("text");
        let ranks = values.ranks(None);
        assert_eq!(
            (ranks[upper as usize], ranks[a as usize], ranks[b as usize]),
            (0, 1, 2)
        );
    }
}
