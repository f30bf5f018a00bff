//! Checks on exchanged payload records: schema conformance, the envelope,
//! direct identifiers (by annotation and by value), and coarsening of
//! quasi-identifying coordinates and timestamps.

use crate::engine::params;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::detect::coarsening;
use crate::detect::identifiers::{Detection, Detectors, IdentifierKind};
use crate::engine::{Outcome, ParamError, Violation};
use crate::schema::{CompiledSchema, Granularity, PrivacyRole, governance};

/// The check kinds this module implements, as named in the catalogue.
pub const KINDS: &[&str] = &[
    "payload-schema",
    "payload-envelope",
    "payload-identifier-fields",
    "payload-identifier-values",
    "payload-coordinate-precision",
    "payload-time-granularity",
];

/// A record and what is known about it before any check runs.
#[derive(Debug, Clone, Copy)]
pub struct RecordView<'a> {
    /// The record.
    pub value: &'a Value,
    /// Its schema, or why there is none.
    pub schema: Result<&'a CompiledSchema, &'a str>,
    /// Its text as written, when at hand (records of payload files):
    /// parsing keeps a number's value, not its digits, so detection reads
    /// numbers here.
    pub source: Option<&'a str>,
}

/// A payload check, built with its parameters.
#[derive(Debug)]
pub enum PayloadCheck {
    /// The record is valid against its schema.
    Schema,
    /// The record carries a valid envelope.
    Envelope {
        /// The member holding the envelope.
        member: String,
        /// The envelope schema.
        schema: Box<CompiledSchema>,
    },
    /// No field annotated with one of `roles` carries a value.
    IdentifierFields {
        /// The roles that must not be exchanged.
        roles: Vec<PrivacyRole>,
    },
    /// No string value contains a detectable identifier.
    IdentifierValues {
        /// The compiled detectors.
        detectors: Detectors,
        /// Top-level members not scanned (identifiers of the entity itself).
        ignore_fields: Vec<String>,
    },
    /// Quasi-identifying coordinates have at most `max_decimals` decimals.
    CoordinatePrecision {
        /// The profile's maximum.
        max_decimals: u32,
    },
    /// The record is covered by the declared flow its envelope names.
    DeclaredFlow(Box<crate::payload::declared_flow::DeclaredFlowCheck>),
    /// Annotated timestamps fall on their buckets.
    TimeGranularity {
        /// The profile's bucket, in addition to each field's own.
        granularity: Option<Granularity>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoParams {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnvelopeParams {
    #[serde(default = "default_envelope_member")]
    member: String,
}

fn default_envelope_member() -> String {
    "envelope".to_owned()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldParams {
    roles: Vec<PrivacyRole>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ValueParams {
    detectors: Vec<String>,
    #[serde(default)]
    ignore_fields: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PrecisionParams {
    max_decimals: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GranularityParams {
    #[serde(default)]
    granularity: Option<String>,
}

impl PayloadCheck {
    /// Builds the check `kind` with `raw` parameters. `envelope` compiles
    /// the envelope schema, asked for only by the check that needs it.
    pub fn build(
        kind: &str,
        raw: &Map<String, Value>,
        envelope: impl FnOnce() -> Result<CompiledSchema, String>,
    ) -> Result<Self, ParamError> {
        match kind {
            "payload-schema" => params::<NoParams>(kind, raw).map(|_| PayloadCheck::Schema),
            "payload-envelope" => {
                let p: EnvelopeParams = params(kind, raw)?;
                Ok(PayloadCheck::Envelope {
                    member: p.member,
                    schema: Box::new(envelope()?),
                })
            }
            "payload-identifier-fields" => {
                let p: FieldParams = params(kind, raw)?;
                Ok(PayloadCheck::IdentifierFields { roles: p.roles })
            }
            "payload-identifier-values" => {
                let p: ValueParams = params(kind, raw)?;
                let kinds = IdentifierKind::parse_all(&p.detectors)?;
                Ok(PayloadCheck::IdentifierValues {
                    detectors: Detectors::new(&kinds),
                    ignore_fields: p.ignore_fields,
                })
            }
            "payload-coordinate-precision" => {
                let p: PrecisionParams = params(kind, raw)?;
                Ok(PayloadCheck::CoordinatePrecision {
                    max_decimals: p.max_decimals,
                })
            }
            "payload-time-granularity" => {
                let p: GranularityParams = params(kind, raw)?;
                let granularity = p
                    .granularity
                    .as_deref()
                    .map(Granularity::parse)
                    .transpose()?;
                Ok(PayloadCheck::TimeGranularity { granularity })
            }
            other => Err(ParamError::new(format!("`{other}` is not a payload check"))),
        }
    }

    /// Whether this is the schema-conformance check, which alone reports
    /// records that could not be read (the others skip them).
    pub fn is_schema(&self) -> bool {
        matches!(self, PayloadCheck::Schema)
    }

    /// Runs the check on one record.
    pub fn run(&self, record: RecordView<'_>) -> Outcome {
        match self {
            PayloadCheck::Schema => match record.schema {
                Ok(schema) => schema_conformance(schema, record.value, ""),
                Err(reason) => Outcome::Error(reason.to_owned()),
            },
            PayloadCheck::Envelope { member, schema } => envelope(record.value, member, schema),
            PayloadCheck::DeclaredFlow(check) => check.run(record.value, record.schema.ok()),
            PayloadCheck::IdentifierFields { roles } => {
                with_schema(record, |s| identifier_fields(s, record.value, roles))
            }
            PayloadCheck::IdentifierValues {
                detectors,
                ignore_fields,
            } => identifier_values(record, detectors, ignore_fields),
            PayloadCheck::CoordinatePrecision { max_decimals } => with_schema(record, |s| {
                coarsening::coordinate_precision(s, record.value, *max_decimals)
            }),
            PayloadCheck::TimeGranularity { granularity } => with_schema(record, |s| {
                coarsening::time_granularity(s, record.value, *granularity)
            }),
        }
    }
}

fn with_schema(record: RecordView<'_>, check: impl FnOnce(&CompiledSchema) -> Outcome) -> Outcome {
    match record.schema {
        Ok(schema) => check(schema),
        Err(_) => Outcome::NotApplicable(
            "the record has no schema, so its annotations are unknown".to_owned(),
        ),
    }
}

/// Validation errors as violations, with pointers under `prefix`. The
/// cheap `is_valid` runs first: most records are valid.
fn schema_conformance(schema: &CompiledSchema, value: &Value, prefix: &str) -> Outcome {
    if schema.validator.is_valid(value) {
        return Outcome::Pass;
    }
    let violations = schema
        .validator
        .iter_errors(value)
        .map(|error| {
            Violation::new(
                format!("{prefix}{}", error.instance_path().as_str()),
                describe_schema_error(&error),
            )
        })
        .collect();
    Outcome::from_violations(violations)
}

/// The error in plain words, never echoing the instance value. For `anyOf`
/// and `oneOf`, the bare "not valid under any of the schemas" says nothing
/// a user can act on, so each alternative's first complaint is added.
fn describe_schema_error(error: &jsonschema::ValidationError<'_>) -> String {
    let message = error.masked().to_string();
    let branches = match error.kind() {
        jsonschema::error::ValidationErrorKind::AnyOf { context }
        | jsonschema::error::ValidationErrorKind::OneOfNotValid { context } => context,
        _ => return message,
    };
    let alternatives: Vec<String> = branches
        .iter()
        .filter_map(|branch| branch.first())
        .map(|first| first.masked().to_string())
        .collect();
    if alternatives.is_empty() {
        return message;
    }
    format!("{message}: {}", alternatives.join("; or "))
}

fn envelope(value: &Value, member: &str, schema: &CompiledSchema) -> Outcome {
    match value.get(member) {
        Some(envelope) => schema_conformance(schema, envelope, &format!("/{member}")),
        None if value.is_object() => Outcome::Violations(vec![Violation::new(
            "",
            format!("the record carries no `{member}` member"),
        )]),
        None => Outcome::NotApplicable("the record is not an object".to_owned()),
    }
}

fn identifier_fields(schema: &CompiledSchema, value: &Value, roles: &[PrivacyRole]) -> Outcome {
    let mut violations = Vec::new();
    for field in schema
        .fields
        .iter()
        .filter(|f| f.role.is_some_and(|r| roles.contains(&r)))
    {
        let role = field.role.map_or("", PrivacyRole::as_str);
        for (pointer, found) in governance::values_at(value, &field.path) {
            if !found.is_null() {
                let mut violation = Violation::new(
                    pointer.clone(),
                    format!(
                        "`{pointer}` is annotated `{role}` in the schema and must not be exchanged"
                    ),
                );
                violation.evidence = Some(json!({ "privacy_role": role }));
                violations.push(violation);
            }
        }
    }
    Outcome::from_violations(violations)
}

/// Strings are scanned in the parsed value; numbers in the record's text
/// as written when it is at hand (a number's digits beyond what an `f64`
/// holds, or its form, are not in the value), else as the value writes
/// them.
fn identifier_values(
    record: RecordView<'_>,
    detectors: &Detectors,
    ignore_fields: &[String],
) -> Outcome {
    let mut violations = Vec::new();
    let mut path = Vec::new();
    let numbers = if record.source.is_some() {
        Numbers::Skip
    } else {
        Numbers::AsParsed
    };
    match record.value {
        Value::Object(map) => {
            for (key, child) in map.iter().filter(|(key, _)| !ignore_fields.contains(key)) {
                path.push(PathStep::Key(key));
                scan_values(child, detectors, numbers, &mut path, &mut violations);
                path.pop();
            }
        }
        other => scan_values(other, detectors, numbers, &mut path, &mut violations),
    }
    if let Some(source) = record.source {
        scan_written_numbers(source, detectors, ignore_fields, &mut violations);
    }
    Outcome::from_violations(violations)
}

/// Whether the walk over the parsed value scans numbers too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Numbers {
    /// Numbers are scanned in the text as written instead.
    Skip,
    /// No text at hand: numbers as the parsed value writes them.
    AsParsed,
}

/// Every number of the record's text as written; the pointer of one is
/// only worked out when something is found in it.
fn scan_written_numbers(
    source: &str,
    detectors: &Detectors,
    ignore_fields: &[String],
    out: &mut Vec<Violation>,
) {
    crate::json_text::each_number(source, |span| {
        let Some(text) = source.get(span.clone()) else {
            return;
        };
        let detections = detectors.scan(text);
        if detections.is_empty() {
            return;
        }
        let steps = crate::json_text::path_at(source, span.start);
        let ignored = match steps.first() {
            Some(crate::json_text::Step::Key(key)) => ignore_fields.contains(key),
            _ => false,
        };
        if ignored {
            return;
        }
        let pointer = crate::json_text::pointer(&steps);
        out.extend(detections.iter().map(|d| detection_violation(&pointer, d)));
    });
}

/// A step of the path to the string being scanned, kept as borrowed parts
/// so that a JSON pointer is only built when something is found.
enum PathStep<'a> {
    Key(&'a str),
    Index(usize),
}

fn pointer_of(path: &[PathStep<'_>]) -> String {
    let mut out = String::new();
    for step in path {
        out.push('/');
        match step {
            PathStep::Key(key) => out.push_str(&key.replace('~', "~0").replace('/', "~1")),
            PathStep::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

fn scan_values<'a>(
    value: &'a Value,
    detectors: &Detectors,
    numbers: Numbers,
    path: &mut Vec<PathStep<'a>>,
    out: &mut Vec<Violation>,
) {
    match value {
        Value::String(text) => scan_text(text, detectors, path, out),
        Value::Number(number) if numbers == Numbers::AsParsed => {
            scan_text(&number.to_string(), detectors, path, out)
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(PathStep::Index(i));
                scan_values(item, detectors, numbers, path, out);
                path.pop();
            }
        }
        Value::Object(map) => {
            for (key, child) in map {
                path.push(PathStep::Key(key));
                scan_values(child, detectors, numbers, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn scan_text(text: &str, detectors: &Detectors, path: &[PathStep<'_>], out: &mut Vec<Violation>) {
    let detections = detectors.scan(text);
    if detections.is_empty() {
        return;
    }
    let pointer = pointer_of(path);
    out.extend(detections.iter().map(|d| detection_violation(&pointer, d)));
}

/// The violation for an identifier found in the value at `pointer`: what
/// was found, never the value.
fn detection_violation(pointer: &str, detection: &Detection) -> Violation {
    let mut message = format!("`{pointer}` contains {}", detection.kind.with_article());
    if detection.checksum_valid == Some(false) {
        message.push_str(
            " (its check digit does not match, which does not clear it: numbers issued since October 2020 need not match)",
        );
    }
    let mut violation = Violation::new(pointer, message);
    let mut evidence = json!({ "identifier": detection.kind.as_str() });
    if let Some(valid) = detection.checksum_valid {
        evidence["checksum_valid"] = json!(valid);
    }
    violation.evidence = Some(evidence);
    violation
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(detectors: &[&str]) -> PayloadCheck {
        let params = json!({ "detectors": detectors, "ignore_fields": ["id"] });
        let Value::Object(params) = params else {
            unreachable!("an object literal");
        };
        PayloadCheck::build("payload-identifier-values", &params, || {
            Err("no envelope".to_owned())
        })
        .expect("valid parameters")
    }

    fn pointers(check: &PayloadCheck, source: &str) -> Vec<String> {
        let value: Value = serde_json::from_str(source).expect("JSON");
        let outcome = check.run(RecordView {
            value: &value,
            schema: Err("no schema"),
            source: Some(source),
        });
        match outcome {
            Outcome::Violations(violations) => violations.into_iter().map(|v| v.pointer).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn numbers_are_scanned_as_written_outside_ignored_fields() {
        let rrn = check(&["kr-rrn"]);
        let source = r#"{"id": 9001011234568, "a": {"b": [1.5, 9001011234568]}, "c": "x"}"#;
        assert_eq!(pointers(&rrn, source), vec!["/a/b/1"]);
    }

    /// A record without its text (a live answer's) has its numbers
    /// scanned as the parsed value writes them: integers exactly.
    #[test]
    fn without_the_text_numbers_are_scanned_as_parsed() {
        let rrn = check(&["kr-rrn"]);
        let value = json!({ "id": 9_001_011_234_568u64, "n": [9_001_011_234_568u64] });
        let outcome = rrn.run(RecordView {
            value: &value,
            schema: Err("no schema"),
            source: None,
        });
        let Outcome::Violations(violations) = outcome else {
            panic!("the number is found: {outcome:?}");
        };
        let pointers: Vec<&str> = violations.iter().map(|v| v.pointer.as_str()).collect();
        assert_eq!(pointers, vec!["/n/0"]);
    }
}
