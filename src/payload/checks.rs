//! Checks on exchanged payload records: schema conformance, the envelope,
//! direct identifiers (by annotation and by value), and coarsening of
//! quasi-identifying coordinates and timestamps.

use crate::engine::params;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::detect::coarsening;
use crate::detect::definitions::Definitions;
use crate::detect::identifiers::{Confidence, Detection, Detectors};
use crate::detect::placeholder;
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
        /// The profile says its platforms adopted the envelope, so a live
        /// audit holds every platform to it (a target may say so itself).
        adopted: bool,
    },
    /// No field annotated with one of `roles` carries a value.
    IdentifierFields {
        /// The roles that must not be exchanged.
        roles: Vec<PrivacyRole>,
    },
    /// No string value contains a detectable identifier.
    IdentifierValues {
        /// The compiled detectors (boxed: they are large, and a check is
        /// moved about in plans).
        detectors: Box<Detectors>,
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
    #[serde(default)]
    adopted: bool,
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
    /// The least confidence that counts as a finding (`low`, `medium`,
    /// `high`); a profile lowers it to be told of bare 8-digit values and
    /// letter-and-seven-digit codes too.
    #[serde(default)]
    min_confidence: Confidence,
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
        definitions: &Definitions,
    ) -> Result<Self, ParamError> {
        match kind {
            "payload-schema" => params::<NoParams>(kind, raw).map(|_| PayloadCheck::Schema),
            "payload-envelope" => {
                let p: EnvelopeParams = params(kind, raw)?;
                Ok(PayloadCheck::Envelope {
                    member: p.member,
                    schema: Box::new(envelope()?),
                    adopted: p.adopted,
                })
            }
            "payload-identifier-fields" => {
                let p: FieldParams = params(kind, raw)?;
                Ok(PayloadCheck::IdentifierFields { roles: p.roles })
            }
            "payload-identifier-values" => {
                let p: ValueParams = params(kind, raw)?;
                let kinds = definitions.kinds_named(&p.detectors)?;
                Ok(PayloadCheck::IdentifierValues {
                    detectors: Box::new(
                        Detectors::from_definitions(definitions, &kinds, p.min_confidence)
                            .map_err(|e| ParamError::new(e.to_string()))?,
                    ),
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

    /// For the envelope check, whether its profile says the platform
    /// adopted the envelope; `None` for every other check.
    pub fn envelope_adopted(&self) -> Option<bool> {
        match self {
            PayloadCheck::Envelope { adopted, .. } => Some(*adopted),
            _ => None,
        }
    }

    /// Runs the check on one record.
    pub fn run(&self, record: RecordView<'_>) -> Outcome {
        match self {
            PayloadCheck::Schema => match record.schema {
                Ok(schema) => schema_conformance(schema, record.value, ""),
                Err(reason) => Outcome::Error(reason.to_owned()),
            },
            PayloadCheck::Envelope { member, schema, .. } => envelope(record.value, member, schema),
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
pub fn schema_conformance(schema: &CompiledSchema, value: &Value, prefix: &str) -> Outcome {
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
///
/// Member names are data too: the unexpected names an `additionalProperties`
/// or `unevaluatedProperties` error lists are shown through
/// [`placeholder::shown`], and a `propertyNames` error is the masked error
/// about the name, which never names it.
fn describe_schema_error(error: &jsonschema::ValidationError<'_>) -> String {
    use jsonschema::error::ValidationErrorKind;
    let message = error.masked().to_string();
    let branches = match error.kind() {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            context
        }
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            return hide_names(message, unexpected);
        }
        ValidationErrorKind::PropertyNames { error } => {
            return format!("a member name is not allowed: {}", error.masked());
        }
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

/// `message` with each of `names` that holds an identifier, quoted as
/// the validator quotes it, replaced by its placeholder.
fn hide_names(message: String, names: &[String]) -> String {
    names.iter().fold(message, |message, name| {
        match placeholder::placeholder(name) {
            Some(shown) => message.replace(&format!("'{name}'"), &format!("'{shown}'")),
            None => message,
        }
    })
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
                scan_member_name(key, detectors, &path, &mut violations);
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
    let mut paths = crate::json_text::PathWalker::new(source);
    crate::json_text::each_number(source, |span| {
        let Some(text) = source.get(span.clone()) else {
            return;
        };
        // The member a number sits under is context for the detectors, and
        // its path is only worked out for a number that may hold one.
        if !detectors.may_match(text) {
            return;
        }
        let steps = paths.path_to(span.start);
        let ignored = match steps.first() {
            Some(crate::json_text::Step::Key(key)) => ignore_fields.contains(key),
            _ => false,
        };
        if ignored {
            return;
        }
        let member = steps.iter().rev().find_map(|step| match step {
            crate::json_text::Step::Key(key) => Some(key.as_str()),
            _ => None,
        });
        let detections = detectors.scan_in(member, text);
        if detections.is_empty() {
            return;
        }
        let pointer = crate::json_text::pointer(&steps);
        out.extend(
            detections
                .iter()
                .map(|d| detection_violation(&pointer, d, detectors)),
        );
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

/// The member a scanned string sits under (the last key of its path, past
/// any array indexes), which the detectors read as context.
fn member_of<'a>(path: &[PathStep<'a>]) -> Option<&'a str> {
    path.iter().rev().find_map(|step| match step {
        PathStep::Key(key) => Some(*key),
        PathStep::Index(_) => None,
    })
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
                scan_member_name(key, detectors, path, out);
                scan_values(child, detectors, numbers, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// A member name is scanned as a value is: a contact list keyed by phone
/// number exchanges the numbers as surely as one listing them. The
/// finding is placed at the member (whose pointer the report shows with
/// the name replaced by its placeholder).
fn scan_member_name(
    name: &str,
    detectors: &Detectors,
    path: &[PathStep<'_>],
    out: &mut Vec<Violation>,
) {
    for detection in detectors.scan(name) {
        let pointer = pointer_of(path);
        let message = format!(
            "the member name of `{pointer}` contains {}",
            detectors.with_article(detection.kind)
        );
        let mut violation = Violation::new(pointer, message);
        violation.evidence = Some(json!({
            "identifier": detection.kind.as_str(),
            "in": "member name",
        }));
        out.push(violation);
    }
}

fn scan_text(text: &str, detectors: &Detectors, path: &[PathStep<'_>], out: &mut Vec<Violation>) {
    let detections = detectors.scan_in(member_of(path), text);
    if detections.is_empty() {
        return;
    }
    let pointer = pointer_of(path);
    out.extend(
        detections
            .iter()
            .map(|d| detection_violation(&pointer, d, detectors)),
    );
}

/// The violation for an identifier found in the value at `pointer`: what
/// was found, never the value.
fn detection_violation(pointer: &str, detection: &Detection, detectors: &Detectors) -> Violation {
    let mut message = format!(
        "`{pointer}` contains {}",
        detectors.with_article(detection.kind)
    );
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

    /// A record as parsed, without its text (as a live answer's is).
    fn parsed(value: &Value) -> RecordView<'_> {
        RecordView {
            value,
            schema: Err("no schema"),
            source: None,
        }
    }

    fn first_error(schema: Value, instance: &Value) -> String {
        let validator = jsonschema::validator_for(&schema).expect("a valid test schema");
        let error = validator
            .iter_errors(instance)
            .next()
            .expect("the instance breaks the schema");
        describe_schema_error(&error)
    }

    #[test]
    fn unexpected_member_names_holding_identifiers_are_shown_as_their_kind() {
        let message = first_error(
            json!({ "additionalProperties": false, "properties": { "name": {} } }),
            &json!({ "name": 1, "kim@example.org": 2, "other": 3 }),
        );
        assert!(!message.contains("kim@example.org"), "{message}");
        assert!(message.contains("'[email]'"), "{message}");
        assert!(message.contains("'other'"), "{message}");
    }

    #[test]
    fn a_member_name_refused_by_property_names_is_not_repeated() {
        let message = first_error(
            json!({ "propertyNames": { "maxLength": 3 } }),
            &json!({ "010-2345-6789": true }),
        );
        assert!(!message.contains("010-2345-6789"), "{message}");
        assert!(
            message.starts_with("a member name is not allowed"),
            "{message}"
        );
    }

    #[test]
    fn member_names_are_scanned_like_values() {
        let detectors = Detectors::new(&Definitions::embedded().kinds());
        let record = json!({ "contacts": { "010-2345-6789": "seen" } });
        let Outcome::Violations(found) = identifier_values(parsed(&record), &detectors, &[]) else {
            panic!("the key is a finding");
        };
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].pointer, "/contacts/010-2345-6789");
        assert_eq!(
            found[0].evidence,
            Some(json!({ "identifier": "phone-kr", "in": "member name" }))
        );
    }

    fn no_envelope() -> Result<CompiledSchema, String> {
        Err("not asked for".to_owned())
    }

    fn identifier_check(params: Value) -> (Detectors, Vec<String>) {
        let Value::Object(raw) = params else {
            panic!("parameters are an object");
        };
        match PayloadCheck::build(
            "payload-identifier-values",
            &raw,
            no_envelope,
            Definitions::embedded(),
        ) {
            Ok(PayloadCheck::IdentifierValues {
                detectors,
                ignore_fields,
            }) => (*detectors, ignore_fields),
            other => panic!("not an identifier check: {other:?}"),
        }
    }

    fn pointers(outcome: Outcome) -> Vec<String> {
        match outcome {
            Outcome::Violations(found) => found.into_iter().map(|v| v.pointer).collect(),
            _ => Vec::new(),
        }
    }

    fn check(detectors: &[&str]) -> PayloadCheck {
        let params = json!({ "detectors": detectors, "ignore_fields": ["id"] });
        let Value::Object(params) = params else {
            unreachable!("an object literal");
        };
        PayloadCheck::build(
            "payload-identifier-values",
            &params,
            no_envelope,
            Definitions::embedded(),
        )
        .expect("valid parameters")
    }

    fn source_pointers(check: &PayloadCheck, source: &str) -> Vec<String> {
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

    /// Member names are context: a bare 8-digit value under `telephone` is
    /// a phone, under `amountPaid` an amount.
    #[test]
    fn member_names_decide_bare_values() {
        let (detectors, ignore) = identifier_check(json!({ "detectors": ["phone-sg"] }));
        let record = json!({ "telephone": "91234567", "amountPaid": "91234567", "items": [{ "mobile": "81234567" }] });
        assert_eq!(
            pointers(identifier_values(parsed(&record), &detectors, &ignore)),
            vec!["/items/0/mobile", "/telephone"]
        );
    }

    /// The profile sets which confidence fails: `low` adds the bare value
    /// no member speaks for.
    #[test]
    fn min_confidence_is_a_parameter() {
        let record = json!({ "reading": "91234567" });
        let (medium, ignore) = identifier_check(json!({ "detectors": ["phone-sg"] }));
        assert!(pointers(identifier_values(parsed(&record), &medium, &ignore)).is_empty());
        let (low, ignore) =
            identifier_check(json!({ "detectors": ["phone-sg"], "min_confidence": "low" }));
        assert_eq!(
            pointers(identifier_values(parsed(&record), &low, &ignore)),
            vec!["/reading"]
        );
        let Value::Object(raw) = json!({ "detectors": ["phone-sg"], "min_confidence": "certain" })
        else {
            panic!("object");
        };
        assert!(
            PayloadCheck::build(
                "payload-identifier-values",
                &raw,
                no_envelope,
                Definitions::embedded()
            )
            .is_err()
        );
    }

    #[test]
    fn numbers_are_scanned_as_written_outside_ignored_fields() {
        let rrn = check(&["kr-rrn"]);
        let source = r#"{"id": 9001011234568, "a": {"b": [1.5, 9001011234568]}, "c": "x"}"#;
        assert_eq!(source_pointers(&rrn, source), vec!["/a/b/1"]);
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
