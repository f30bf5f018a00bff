//! Payload files: JSON (one record, or an array of records), JSON-LD (the
//! same, with `@context`), and NDJSON (one record a line, streamed so that
//! memory stays flat whatever the file's size).

use std::io::{BufRead, BufReader, Read};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use crate::error::{Error, Result};

/// How a payload file is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadFormat {
    /// One JSON document: a record or an array of records.
    Json,
    /// One JSON-LD document, read as JSON.
    JsonLd,
    /// One JSON record per line.
    Ndjson,
}

impl From<PayloadFormat> for crate::model::InputFormat {
    fn from(format: PayloadFormat) -> Self {
        match format {
            PayloadFormat::Json => crate::model::InputFormat::Json,
            PayloadFormat::JsonLd => crate::model::InputFormat::Jsonld,
            PayloadFormat::Ndjson => crate::model::InputFormat::Ndjson,
        }
    }
}

impl PayloadFormat {
    /// The format a file's extension names, if any.
    pub fn from_path(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "json" => Some(PayloadFormat::Json),
            "jsonld" => Some(PayloadFormat::JsonLd),
            "ndjson" | "jsonl" => Some(PayloadFormat::Ndjson),
            _ => None,
        }
    }

    /// `json`, `jsonld` or `ndjson`.
    pub fn as_str(self) -> &'static str {
        match self {
            PayloadFormat::Json => "json",
            PayloadFormat::JsonLd => "jsonld",
            PayloadFormat::Ndjson => "ndjson",
        }
    }
}

/// A payload file to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadFile {
    /// Where it is.
    pub path: PathBuf,
    /// How it is laid out.
    pub format: PayloadFormat,
}

impl PayloadFile {
    /// The path as shown in reports: as found, with `/` separators;
    /// [`STDIN_NAME`] for standard input.
    pub fn display(&self) -> String {
        if is_stdin(&self.path) {
            return STDIN_NAME.to_owned();
        }
        self.path.display().to_string().replace('\\', "/")
    }
}

/// How reports name records read from standard input (`validate -`).
pub const STDIN_NAME: &str = "<stdin>";

/// Whether `path` is `-`, standard input: NDJSON streamed as it comes, so
/// a pipeline (`export | cityconform validate -`) needs no temporary file.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Every payload file under `paths`: files as given (JSON unless their
/// extension says NDJSON), folders searched recursively for `.json`,
/// `.jsonld`, `.ndjson` and `.jsonl` files in name order.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PayloadFile>> {
    let mut files = Vec::new();
    for path in paths {
        if is_stdin(path) {
            if files.iter().any(|f: &PayloadFile| is_stdin(&f.path)) {
                return Err(Error::Usage(
                    "`-` (standard input) is named twice; it can be read once".to_owned(),
                ));
            }
            files.push(PayloadFile {
                path: path.clone(),
                format: PayloadFormat::Ndjson,
            });
            continue;
        }
        let meta = std::fs::metadata(path).map_err(|e| Error::read(path, e))?;
        if meta.is_file() {
            let format = PayloadFormat::from_path(path).unwrap_or(PayloadFormat::Json);
            files.push(PayloadFile {
                path: path.clone(),
                format,
            });
            continue;
        }
        let before = files.len();
        let walk = walkdir::WalkDir::new(path)
            .follow_links(true)
            .sort_by_file_name();
        for entry in walk {
            let entry = entry.map_err(|e| walk_error(path, &e))?;
            if entry.file_type().is_dir() {
                continue;
            }
            if let Some(format) = PayloadFormat::from_path(entry.path()) {
                crate::files::refuse_special(entry.path())?;
                files.push(PayloadFile {
                    path: entry.into_path(),
                    format,
                });
            }
        }
        if files.len() == before {
            return Err(Error::Usage(format!(
                "no payload files under `{}`\n  help: files must end in .json, .jsonld, .ndjson or .jsonl",
                path.display()
            )));
        }
    }
    Ok(files)
}

/// Why a folder of payloads could not be walked, naming the link at
/// fault: links are followed, so a link back to a folder above it (a loop)
/// or one that leads nowhere would otherwise hide or repeat files.
fn walk_error(root: &Path, error: &walkdir::Error) -> Error {
    let at = error.path().unwrap_or(root).display();
    if let Some(ancestor) = error.loop_ancestor() {
        return Error::Usage(format!(
            "`{at}` is a link back to `{}`, a loop: remove the link, or name the folders it joins apart",
            ancestor.display()
        ));
    }
    if error
        .io_error()
        .is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound)
    {
        return Error::Usage(format!(
            "`{at}` is a link that leads nowhere: remove it, or restore what it points to"
        ));
    }
    Error::Usage(format!("cannot walk `{}`: {error}", root.display()))
}

/// One record as read, before any check.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRecord {
    /// 1-based line where the record starts.
    pub line: u64,
    /// 1-based position in the file.
    pub index: u64,
    /// The record's text, or why it is unreadable.
    pub content: RecordContent,
}

/// The content of a record: its text as written, parsed later (in
/// parallel), so that what detection and placing read is the text itself.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordContent {
    /// An NDJSON line.
    Bytes(Vec<u8>),
    /// An element of a JSON document (or the document's one value): the
    /// document's text, shared by its records, and the element's bytes.
    Slice {
        /// The whole document.
        text: Arc<str>,
        /// Where the record is in it.
        span: Range<usize>,
    },
    /// Could not be read as JSON.
    Unreadable(String),
}

/// A record parsed, with the text it was parsed from.
#[derive(Debug)]
pub struct Parsed<'r> {
    /// The value.
    pub value: Value,
    /// Its text as written.
    pub source: &'r str,
}

impl RecordContent {
    /// The parsed value and its text, or why there is none.
    pub fn parse(&self) -> std::result::Result<Parsed<'_>, String> {
        match self {
            RecordContent::Unreadable(reason) => Err(reason.clone()),
            RecordContent::Bytes(bytes) => {
                let source = utf8_line(bytes)?;
                let value =
                    serde_json::from_str(source).map_err(|e| describe_json_error(&e, false))?;
                Ok(Parsed { value, source })
            }
            RecordContent::Slice { text, span } => {
                let source = text.get(span.clone()).unwrap_or_default();
                let value =
                    serde_json::from_str(source).map_err(|e| describe_json_error(&e, false))?;
                Ok(Parsed { value, source })
            }
        }
    }

    /// The record's text as written, when it was read from a JSON
    /// document (where a record may span several lines).
    pub fn document_source(&self) -> Option<(Arc<str>, Range<usize>)> {
        match self {
            RecordContent::Slice { text, span } => Some((Arc::clone(text), span.clone())),
            _ => None,
        }
    }
}

/// Parses one NDJSON line, telling invalid UTF-8 from invalid JSON.
pub fn parse_line(bytes: &[u8]) -> std::result::Result<Value, String> {
    serde_json::from_str(utf8_line(bytes)?).map_err(|e| describe_json_error(&e, false))
}

fn utf8_line(bytes: &[u8]) -> std::result::Result<&str, String> {
    std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "the record is not valid UTF-8 (byte {} of the line)",
            e.valid_up_to() + 1
        )
    })
}

fn describe_json_error(error: &serde_json::Error, whole_file: bool) -> String {
    let what = if whole_file { "the file" } else { "the record" };
    if error.is_eof() {
        // The location already names the line; serde_json counts the
        // column of an end of input after a newline as 0, which reads as
        // nonsense, so say only what happened.
        format!("{what} is not JSON: it ends before the value is complete (truncated?)")
    } else {
        format!("{what} is not JSON: {error}")
    }
}

/// Reads a whole JSON or JSON-LD file into records: the top-level array's
/// elements, each with the line it starts on, or the single top-level
/// value. The file's syntax is checked once without building anything;
/// each record keeps its bytes and is parsed with the others, in parallel.
pub fn read_document(path: &Path) -> Result<Vec<RawRecord>> {
    let bytes = crate::files::read(path)?;
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let bytes = e.as_bytes();
            let valid = e.utf8_error().valid_up_to();
            let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
            let reason = format!("the file is not valid UTF-8 (line {line})");
            return Ok(vec![unreadable(line, reason)]);
        }
    };
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&text) {
        let reason = describe_json_error(&e, true);
        return Ok(vec![unreadable(e.line() as u64, reason)]);
    }
    let text: Arc<str> = Arc::from(text);
    let start = text.len() - text.trim_start().len();
    if let Some(features) = feature_collection(&text, start) {
        return Ok(features);
    }
    if text.as_bytes().get(start) != Some(&b'[') {
        let line = crate::error::line_of_offset(&text, start) as u64;
        let span = start..text.trim_end().len();
        return Ok(vec![RawRecord {
            line,
            index: 1,
            content: RecordContent::Slice { text, span },
        }]);
    }
    Ok(crate::json_text::array_elements(&text)
        .into_iter()
        .enumerate()
        .map(|(i, element)| RawRecord {
            line: element.line,
            index: i as u64 + 1,
            content: RecordContent::Slice {
                text: Arc::clone(&text),
                span: element.span,
            },
        })
        .collect())
}

/// The members that tell a GeoJSON FeatureCollection (RFC 7946 §3.3).
#[derive(serde::Deserialize)]
struct Collection {
    #[serde(rename = "type")]
    kind: Option<serde::de::IgnoredAny>,
    features: Option<serde::de::IgnoredAny>,
}

/// A GeoJSON FeatureCollection's features, each one record as the audit
/// reads them (its line, its bytes), or `None` for any other document.
fn feature_collection(text: &Arc<str>, start: usize) -> Option<Vec<RawRecord>> {
    if text.as_bytes().get(start) != Some(&b'{') {
        return None;
    }
    let collection: Collection = serde_json::from_str(text).ok()?;
    collection.kind?;
    collection.features?;
    let kind = crate::json_text::member_value_start(&text[start..], "type")? + start;
    if !text[kind..].starts_with("\"FeatureCollection\"") {
        return None;
    }
    let at = crate::json_text::member_value_start(&text[start..], "features")? + start;
    if text.as_bytes().get(at) != Some(&b'[') {
        return None;
    }
    let first_line = crate::error::line_of_offset(text, at) as u64;
    Some(
        crate::json_text::array_elements(&text[at..])
            .into_iter()
            .enumerate()
            .map(|(i, element)| RawRecord {
                line: first_line + element.line - 1,
                index: i as u64 + 1,
                content: RecordContent::Slice {
                    text: Arc::clone(text),
                    span: element.span.start + at..element.span.end + at,
                },
            })
            .collect(),
    )
}

fn unreadable(line: u64, reason: String) -> RawRecord {
    RawRecord {
        line,
        index: 1,
        content: RecordContent::Unreadable(reason),
    }
}

/// Streams an NDJSON file line by line, in batches, without parsing: the
/// engine parses in parallel. Blank lines are skipped; a final line without
/// a newline is still a record (and usually a truncated one).
#[derive(Debug)]
pub struct NdjsonBatches<R> {
    reader: BufReader<R>,
    line: u64,
    index: u64,
    batch_size: usize,
    failed: bool,
}

impl<R: Read> NdjsonBatches<R> {
    /// Batches of up to `batch_size` records from `reader`.
    pub fn new(reader: R, batch_size: usize) -> Self {
        NdjsonBatches {
            reader: BufReader::with_capacity(256 * 1024, reader),
            line: 0,
            index: 0,
            batch_size,
            failed: false,
        }
    }
}

impl<R: Read> Iterator for NdjsonBatches<R> {
    type Item = std::io::Result<(Vec<RawRecord>, u64)>;

    /// The next batch and how many bytes it consumed.
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let mut batch = Vec::with_capacity(self.batch_size);
        let mut consumed = 0u64;
        while batch.len() < self.batch_size {
            let mut buf = Vec::new();
            match self.reader.read_until(b'\n', &mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    consumed += n as u64;
                    self.line += 1;
                    let content = trim_line(&buf);
                    if content.is_empty() {
                        continue;
                    }
                    self.index += 1;
                    let bytes = if content.len() == buf.len() {
                        buf
                    } else {
                        content.to_vec()
                    };
                    batch.push(RawRecord {
                        line: self.line,
                        index: self.index,
                        content: RecordContent::Bytes(bytes),
                    });
                }
                Err(e) => {
                    self.failed = true;
                    return Some(Err(e));
                }
            }
        }
        (!batch.is_empty()).then_some(Ok((batch, consumed)))
    }
}

fn trim_line(buf: &[u8]) -> &[u8] {
    let start = buf
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(buf.len());
    let end = buf
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |p| p + 1);
    &buf[start..end.max(start)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ndjson_batches_skip_blank_lines_and_count_lines() {
        let input = b"{\"a\":1}\n\n  {\"a\":2}  \r\n{\"a\":";
        let batches: Vec<_> = NdjsonBatches::new(&input[..], 2)
            .map(|b| b.expect("in memory"))
            .collect();
        assert_eq!(batches.len(), 2);
        let lines: Vec<u64> = batches
            .iter()
            .flat_map(|(b, _)| b.iter().map(|r| r.line))
            .collect();
        assert_eq!(lines, vec![1, 3, 4]);
        let last = batches[1].0[0].content.parse().expect_err("truncated");
        assert!(last.contains("truncated?"), "{last}");
        let total: u64 = batches.iter().map(|(_, n)| n).sum();
        assert_eq!(total, input.len() as u64);
    }

    #[test]
    fn a_feature_collection_is_read_feature_by_feature() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| Error::Internal(e.to_string()))?;
        let path = dir.path().join("spots.json");
        let text = "{\n  \"type\": \"FeatureCollection\",\n  \"features\": [\n    {\"type\": \"Feature\", \"geometry\": null, \"properties\": {\"a\": \"[x]\"}},\n    {\"type\": \"Feature\", \"geometry\": null, \"properties\": {}}\n  ]\n}";
        std::fs::write(&path, text).map_err(|e| Error::Internal(e.to_string()))?;
        let records = read_document(&path)?;
        assert_eq!(records.len(), 2);
        assert_eq!((records[0].line, records[1].line), (4, 5));
        let first = records[0].content.parse().map_err(Error::Internal)?;
        assert_eq!(first.value["properties"]["a"], "[x]");
        // Another object is one record, whatever members it holds.
        std::fs::write(&path, "{\"type\": \"Feature\", \"features\": [1, 2]}")
            .map_err(|e| Error::Internal(e.to_string()))?;
        assert_eq!(read_document(&path)?.len(), 1);
        Ok(())
    }

    #[test]
    fn invalid_utf8_is_named_as_such() {
        let err = parse_line(b"{\"a\": \"\xff\"}").expect_err("not utf-8");
        assert!(err.contains("UTF-8"), "{err}");
    }
}
