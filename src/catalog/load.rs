//! Loading the suites: the embedded defaults, then any folders the user adds
//! on top. Each file is checked against its format schema in
//! `schemas/tool/` before it is read, so a mistake is reported with its file,
//! line and field rather than as a serde message.

use std::path::Path;

use jsonschema::error::ValidationErrorKind;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::toml_source::TomlSource;
use crate::embedded;
use crate::error::{Error, FileProblem, Result};

/// A suite file's text and the name to show for it.
#[derive(Debug)]
pub(crate) struct SuiteText {
    pub name: String,
    pub text: String,
}

/// The embedded suite files under `suites/<sub>/`, as `suites/<sub>/<file>`.
pub(crate) fn embedded_files(sub: &str) -> Vec<SuiteText> {
    embedded::files_with_suffix(&embedded::SUITES, ".toml")
        .into_iter()
        .filter(|(path, _)| path.starts_with(&format!("{sub}/")))
        .map(|(path, text)| SuiteText {
            name: format!("suites/{path}"),
            text: text.to_owned(),
        })
        .collect()
}

/// The `*.toml` files directly under `dir/<sub>/`, sorted by name. A missing
/// sub-folder is not an error: an overlay may bring only profiles.
pub(crate) fn dir_files(dir: &Path, sub: &str) -> Result<Vec<SuiteText>> {
    let folder = dir.join(sub);
    if !folder.is_dir() {
        return Ok(Vec::new());
    }
    let entries = std::fs::read_dir(&folder).map_err(|e| Error::read(&folder, e))?;
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Error::read(&folder, e))?.path();
        if path.extension().is_some_and(|ext| ext == "toml") {
            paths.push(path);
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = crate::files::read_to_string(&path)?;
            Ok(SuiteText {
                name: path.display().to_string(),
                text,
            })
        })
        .collect()
}

/// Parses `file`, checks it against the format schema `format_schema`, and
/// deserializes it. Every schema violation is reported, each with its line.
pub(crate) fn parse_checked<T: DeserializeOwned>(
    file: &SuiteText,
    format_schema: &jsonschema::Validator,
) -> Result<(T, TomlSource)> {
    parse_checked_with(file, format_schema, plain_pattern)
}

/// The pattern the tool's formats write a calendar day with.
const DATE_PATTERN: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
/// The pattern the tool's formats write a duration of days to years with.
const DURATION_PATTERN: &str = "^P([0-9]+Y)?([0-9]+M)?([0-9]+W)?([0-9]+D)?$";

/// A value that misses a date or duration pattern, said plainly rather
/// than as the pattern: what the value should look like.
pub(crate) fn plain_pattern(
    error: &jsonschema::ValidationError<'_>,
    problem: FileProblem,
) -> FileProblem {
    let expected = match error.kind() {
        ValidationErrorKind::Pattern { pattern } if pattern == DATE_PATTERN => {
            "an ISO 8601 date such as 2026-01-31"
        }
        ValidationErrorKind::Pattern { pattern } if pattern == DURATION_PATTERN => {
            "an ISO 8601 duration such as P1Y or P18M"
        }
        _ => return problem,
    };
    let value = error.instance();
    FileProblem {
        message: format!("{value} is not {expected}"),
        ..problem
    }
}

/// As [`parse_checked`], with `refine` handed each schema violation and the
/// problem made of it: a file format that knows what one of its schema's
/// keywords means says so, deciding on the violation's kind and place, not
/// on the validator's wording.
pub(crate) fn parse_checked_with<T: DeserializeOwned>(
    file: &SuiteText,
    format_schema: &jsonschema::Validator,
    refine: impl Fn(&jsonschema::ValidationError<'_>, FileProblem) -> FileProblem,
) -> Result<(T, TomlSource)> {
    let source = TomlSource::parse(&file.name, &file.text)?;
    let problems = format_problems(&source, format_schema, refine);
    if !problems.is_empty() {
        return Err(Error::Files(problems));
    }
    let parsed = serde_json::from_value(source.value.clone())
        .map_err(|e| FileProblem::new(&file.name, format!("unexpected content: {e}")))?;
    Ok((parsed, source))
}

fn format_problems(
    source: &TomlSource,
    format_schema: &jsonschema::Validator,
    refine: impl Fn(&jsonschema::ValidationError<'_>, FileProblem) -> FileProblem,
) -> Vec<FileProblem> {
    format_schema
        .iter_errors(&source.value)
        .map(|error| {
            let pointer = error_pointer(&error);
            let problem = source
                .problem(&pointer, error.masked().to_string())
                .with_help("see schemas/tool/ for the file format, and `cityconform requirements show ID` for examples");
            refine(&error, problem)
        })
        .collect()
}

/// Where a format-schema error points: the field it was raised on, or, for
/// a key the format does not allow, that key itself (so that the caret
/// lands under it rather than under its table).
pub(crate) fn error_pointer(error: &jsonschema::ValidationError<'_>) -> String {
    let pointer = error.instance_path().as_str();
    match error.kind() {
        jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } => {
            match unexpected.first() {
                Some(key) => format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1")),
                None => pointer.to_owned(),
            }
        }
        _ => pointer.to_owned(),
    }
}

/// Compiles one of the tool's own format schemas (embedded, trusted).
pub(crate) fn tool_schema(name: &str) -> Result<jsonschema::Validator> {
    let path = format!("tool/{name}");
    let text = embedded::SCHEMAS
        .get_file(&path)
        .and_then(|f| f.contents_utf8())
        .ok_or_else(|| Error::Internal(format!("embedded schema `schemas/{path}` is missing")))?;
    let schema: Value = serde_json::from_str(text).map_err(|e| {
        Error::Internal(format!("embedded schema `schemas/{path}` is not JSON: {e}"))
    })?;
    jsonschema::options().offline().build(&schema).map_err(|e| {
        Error::Internal(format!(
            "embedded schema `schemas/{path}` does not compile: {e}"
        ))
    })
}
