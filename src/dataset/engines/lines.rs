//! Lines a query engine cannot name. DataFusion reads a file in parallel
//! ranges and keeps no line numbers, so when its counts show a problem the
//! native scanner would have stopped at (a value that is no number in a
//! numeric column, an NDJSON line that is no JSON object), the file is
//! read again here, streamed, looking only at what the problem concerns,
//! and the error is the native scanner's own, on the same line. Only runs
//! that stop pay for this second reading. A failure of DataFusion's JSON
//! reader that the native scanner would not have had (a member of two
//! JSON types) is named here too, without the value the reader quotes.

use std::io::BufReader;
use std::path::Path;

use crate::dataset::descriptor::Descriptor;
use crate::dataset::number::Number;
use crate::dataset::scan::{NdjsonRecords, cell_text, value_at};
use crate::detect::placeholder;
use crate::error::{Error, FileProblem, Result};

/// Whether a cell's text is no number (a blank one is a missing value).
fn no_number(text: &str) -> bool {
    Number::parse(text).is_err()
}

/// The first line of the CSV file at `path` and the first of the
/// `numeric` columns (indexes into the scanner's columns, whose fields are
/// `positions`) holding no number on it.
pub(super) fn csv_non_number(
    path: &Path,
    name: &str,
    descriptor: &Descriptor,
    positions: &[usize],
    numeric: &[usize],
) -> Result<Option<(u64, usize)>> {
    let file = crate::files::open(path)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(descriptor.delimiter)
        .has_headers(true)
        .flexible(false)
        .from_reader(BufReader::with_capacity(1 << 20, file));
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return Ok(None),
            Err(_) => {
                return Err(FileProblem::new(name, "the CSV cannot be read here").into());
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        for &column in numeric {
            let Some(&position) = positions.get(column) else {
                continue;
            };
            let raw = record.get(position).unwrap_or_default();
            let text = std::str::from_utf8(raw).unwrap_or_default();
            if no_number(text) {
                return Ok(Some((line, column)));
            }
        }
    }
}

/// The first line of the NDJSON file at `path` and the first of the
/// `numeric` columns (indexes into the descriptor's columns) holding no
/// number on it; a line that is no JSON object before it is the native
/// error of that line.
pub(super) fn ndjson_non_number(
    path: &Path,
    name: &str,
    descriptor: &Descriptor,
    numeric: &[usize],
) -> Result<Option<(u64, usize)>> {
    let mut found = None;
    each_record(path, name, |line, record| {
        for &column in numeric {
            let Some(described) = descriptor.columns.get(column) else {
                continue;
            };
            if no_number(&cell_text(value_at(record, &described.path))) {
                found = Some((line, column));
                return false;
            }
        }
        true
    })?;
    Ok(found)
}

/// Calls `visit` with each record of the NDJSON file at `path` and its
/// line, until it returns `false`; the first line that is no JSON object
/// is the native scanner's error.
fn each_record(
    path: &Path,
    name: &str,
    mut visit: impl FnMut(u64, &serde_json::Value) -> bool,
) -> Result<()> {
    let mut records = NdjsonRecords::new(crate::files::open(path)?, name);
    while let Some(next) = records.next_record()? {
        if !visit(next.line, &next.record) {
            break;
        }
    }
    Ok(())
}

/// The error of a member DataFusion's JSON reader cannot hold as one
/// column (text on some lines, numbers or objects on others), named as it
/// may be shown ([`shown_member`]); the reader's own words, which quote
/// the value, are not shown.
pub(super) fn type_conflict(name: &str, member: Option<&str>) -> Error {
    let member = member.map_or_else(|| "a member".to_owned(), |m| format!("member `{m}`"));
    FileProblem::new(
        name,
        format!(
            "{member} holds values of different JSON types on different lines (text on some, numbers, booleans, arrays or objects on others), which DataFusion's JSON reader cannot read as one column"
        ),
    )
    .with_help("write the member one way on every line (numbers as numbers or as text), or audit with `--engine native`")
    .into()
}

/// A member name as a report may show it: itself, or the placeholder of
/// the identifier it holds, as the native scanner names such a column.
pub(super) fn shown_member(member: &str) -> String {
    placeholder::kinds(member)
        .first()
        .map_or_else(|| member.to_owned(), |&k| placeholder::of_kind(k))
}

/// The top-level member the reader's message names (`whilst decoding
/// field 'NAME'`).
pub(super) fn member_of(message: &str) -> Option<&str> {
    let marker = "whilst decoding field '";
    let start = message.find(marker)? + marker.len();
    let rest = message.get(start..)?;
    rest.find('\'').and_then(|end| rest.get(..end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_member_is_read_from_the_outermost_field() {
        let message = "Arrow error: Json error: whilst decoding field 'zone': whilst decoding field 'x': expected string got 1";
        assert_eq!(member_of(message), Some("zone"));
        assert_eq!(member_of("Json error: expected { got 1"), None);
    }
}
