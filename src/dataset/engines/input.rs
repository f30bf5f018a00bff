//! What the DataFusion producer's plans read: the dataset's files as the
//! engine's workers open them, its format, the columns as the native
//! scanner keeps them and, per column, the expression of its text.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ::datafusion::logical_expr::{Expr, ScalarUDF};
use ::datafusion::prelude::{col, ident, lit};

use super::json;
use crate::dataset::descriptor::{Descriptor, Format};
use crate::dataset::scan::{ColumnScan, csv_columns};
use crate::error::{Error, Result};

/// What the plans read: the files, their format, the columns as the
/// scanner keeps them and, per column, the expression of its text.
pub(super) struct Input {
    pub(super) name: String,
    /// The path as the user named it, to read again for a line to name.
    pub(super) path: PathBuf,
    pub(super) files: Vec<String>,
    pub(super) format: Format,
    pub(super) delimiter: u8,
    /// For CSV, the number of fields of the header.
    pub(super) width: usize,
    /// For CSV, each column's field.
    pub(super) positions: Vec<usize>,
    pub(super) columns: Vec<ColumnScan>,
    /// For NDJSON, set once the reader has told the members.
    pub(super) texts: Vec<Expr>,
    /// For NDJSON, the columns of the members no descriptor names.
    pub(super) extras: Vec<json::Extra>,
}

/// The files, columns and text expressions of the dataset at `path`.
pub(super) fn input(
    path: &Path,
    descriptor: &Descriptor,
    text_fn: &Arc<ScalarUDF>,
) -> Result<Input> {
    let name = path.display().to_string();
    let declared = descriptor.format.or_else(|| Format::from_path(path));
    if path.is_dir() || declared == Some(Format::Parquet) || crate::dataset::is_parquet(path)? {
        return parquet_input(path, name, descriptor, text_fn);
    }
    match declared {
        Some(Format::Csv) => csv_input(path, name, descriptor, text_fn),
        Some(Format::Ndjson) => ndjson_input(path, name, descriptor),
        _ => Err(Error::Usage(format!(
            "cannot tell the format of `{name}` from its extension; set `format = \"csv\"` or `\"ndjson\"` in the descriptor (Parquet is told by its first bytes)"
        ))),
    }
}

/// A path as the engine's workers open it: absolute, since they may run
/// elsewhere than the auditor's working folder.
fn absolute(path: &Path) -> Result<String> {
    let path: PathBuf = std::fs::canonicalize(path).map_err(|e| Error::read(path, e))?;
    Ok(path.display().to_string())
}

fn csv_input(
    path: &Path,
    name: String,
    descriptor: &Descriptor,
    text_fn: &Arc<ScalarUDF>,
) -> Result<Input> {
    let file = crate::files::open(path)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(descriptor.delimiter)
        .has_headers(true)
        .flexible(false)
        .from_reader(std::io::BufReader::new(file));
    let (columns, positions) = csv_columns(&mut reader, &name, descriptor)?;
    let width = reader.byte_headers().map(|h| h.len()).unwrap_or(0);
    let texts = positions
        .iter()
        .map(|&p| text_fn.call(vec![col(field_name(p))]))
        .collect();
    Ok(Input {
        files: vec![absolute(path)?],
        path: path.to_path_buf(),
        name,
        format: Format::Csv,
        delimiter: descriptor.delimiter,
        width,
        positions,
        columns,
        texts,
        extras: Vec::new(),
    })
}

/// An NDJSON file: the described columns, in descriptor order as the
/// scanner keeps them; their texts wait for the members the reader finds.
fn ndjson_input(path: &Path, name: String, descriptor: &Descriptor) -> Result<Input> {
    crate::files::open(path)?;
    Ok(Input {
        files: vec![absolute(path)?],
        path: path.to_path_buf(),
        name,
        format: Format::Ndjson,
        delimiter: b',',
        width: 0,
        positions: Vec::new(),
        columns: descriptor
            .columns
            .iter()
            .map(|c| ColumnScan::new(c.clone(), true))
            .collect(),
        texts: Vec::new(),
        extras: Vec::new(),
    })
}

/// The engine's name for the CSV field at `position`: the header's own
/// names may repeat a name or hold an identifier, positions never do.
pub(super) fn field_name(position: usize) -> String {
    format!("c{position}")
}

fn parquet_input(
    path: &Path,
    name: String,
    descriptor: &Descriptor,
    text_fn: &Arc<ScalarUDF>,
) -> Result<Input> {
    let (files, wanted) = crate::dataset::parquet::wanted_columns(path, descriptor)?;
    let mut columns = Vec::with_capacity(wanted.len());
    let mut texts = Vec::with_capacity(wanted.len());
    for wanted in wanted {
        let mut args: Vec<Expr> = Vec::with_capacity(wanted.path.len());
        for (i, part) in wanted.path.into_iter().enumerate() {
            args.push(if i == 0 { ident(part) } else { lit(part) });
        }
        texts.push(text_fn.call(args));
        columns.push(ColumnScan::new(wanted.column, wanted.described));
    }
    Ok(Input {
        files: files
            .iter()
            .map(|f| absolute(f))
            .collect::<Result<Vec<_>>>()?,
        path: path.to_path_buf(),
        name,
        format: Format::Parquet,
        delimiter: b',',
        width: 0,
        positions: Vec::new(),
        columns,
        texts,
        extras: Vec::new(),
    })
}
