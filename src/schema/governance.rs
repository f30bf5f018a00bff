//! Governance annotations: the `x-governance` keyword that a shared schema
//! puts on a field to say what the field is to privacy (its role) and how
//! fine it may be (coordinate decimals, time granularity).
//!
//! One schema drives both the structural check and the anonymization
//! checks: this module walks a schema once, following `$ref`s, and returns
//! the annotated fields as paths into an instance.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::retrieve::Documents;

/// The keyword carrying the annotation.
pub const KEYWORD: &str = "x-governance";

/// What a field is to privacy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrivacyRole {
    /// Identifies a person on its own (name, card number, phone).
    DirectIdentifier,
    /// Identifies a person in combination (location, time, device).
    QuasiIdentifier,
    /// Reveals something sensitive about a person.
    Sensitive,
    /// Says nothing about a person.
    None,
}

impl PrivacyRole {
    /// The kebab-case name used in schemas and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            PrivacyRole::DirectIdentifier => "direct-identifier",
            PrivacyRole::QuasiIdentifier => "quasi-identifier",
            PrivacyRole::Sensitive => "sensitive",
            PrivacyRole::None => "none",
        }
    }
}

/// The annotation as written in a schema.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Annotation {
    privacy_role: Option<PrivacyRole>,
    max_coordinate_decimals: Option<u32>,
    time_granularity: Option<String>,
}

/// One step of a path into an instance.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathSegment {
    /// An object member.
    Key(String),
    /// Every element of an array.
    AnyIndex,
}

/// A field that carries an annotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnotatedField {
    /// Where the field sits in an instance.
    pub path: Vec<PathSegment>,
    /// Its privacy role, if annotated.
    pub role: Option<PrivacyRole>,
    /// The most decimals its coordinates may have, if annotated.
    pub max_coordinate_decimals: Option<u32>,
    /// The bucket its timestamps must fall on, in seconds, if annotated.
    pub time_granularity: Option<Granularity>,
}

/// A time bucket, parsed from an ISO 8601 duration such as `PT15M`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Granularity {
    /// The bucket length in seconds; never zero.
    pub seconds: u64,
}

impl Granularity {
    /// Parses the day-time subset of ISO 8601 durations (`P1D`, `PT1H`,
    /// `PT15M`, `PT30S`, `P1DT12H`): months and years have no fixed length
    /// and make no sense as a bucket.
    pub fn parse(text: &str) -> Result<Self, String> {
        let err =
            || format!("`{text}` is not an ISO 8601 day-time duration such as PT15M, PT1H or P1D");
        let rest = text.strip_prefix('P').ok_or_else(err)?;
        let (days, time) = match rest.split_once('T') {
            Some((days, time)) => (days, Some(time)),
            None => (rest, None),
        };
        let mut seconds = 0u64;
        if !days.is_empty() {
            let n: u64 = days
                .strip_suffix('D')
                .and_then(|d| d.parse().ok())
                .ok_or_else(err)?;
            seconds = n.checked_mul(86_400).ok_or_else(err)?;
        }
        if let Some(time) = time {
            if time.is_empty() {
                return Err(err());
            }
            seconds = seconds
                .checked_add(parse_time_part(time).ok_or_else(err)?)
                .ok_or_else(err)?;
        }
        if seconds == 0 {
            return Err(err());
        }
        Ok(Granularity { seconds })
    }

    /// The duration written back in ISO 8601, for messages.
    pub fn to_iso(self) -> String {
        let (d, rem) = (self.seconds / 86_400, self.seconds % 86_400);
        let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
        let mut out = String::from("P");
        if d > 0 {
            out.push_str(&format!("{d}D"));
        }
        if rem > 0 {
            out.push('T');
            for (n, unit) in [(h, 'H'), (m, 'M'), (s, 'S')] {
                if n > 0 {
                    out.push_str(&format!("{n}{unit}"));
                }
            }
        }
        out
    }
}

fn parse_time_part(time: &str) -> Option<u64> {
    let mut total = 0u64;
    let mut number = String::new();
    let mut last_unit = 0u8;
    for c in time.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let (rank, factor) = match c {
            'H' => (1, 3600),
            'M' => (2, 60),
            'S' => (3, 1),
            _ => return None,
        };
        if number.is_empty() || rank <= last_unit {
            return None;
        }
        total = total.checked_add(number.parse::<u64>().ok()?.checked_mul(factor)?)?;
        number.clear();
        last_unit = rank;
    }
    number.is_empty().then_some(total)
}

/// How deep the walk follows `$ref`s and nesting before it stops: far past
/// any real model, short of a recursive schema's endless loop.
const MAX_DEPTH: usize = 24;

/// Every annotated field of `schema` (found at `base_uri`), following
/// `$ref`s through `documents`. Errors name the bad annotation.
pub(crate) fn annotated_fields(
    schema: &Value,
    base_uri: &str,
    documents: &Documents,
) -> Result<Vec<AnnotatedField>, String> {
    let mut out = Vec::new();
    walk(schema, base_uri, &mut Vec::new(), documents, 0, &mut out)?;
    Ok(out)
}

fn walk(
    schema: &Value,
    base_uri: &str,
    path: &mut Vec<PathSegment>,
    documents: &Documents,
    depth: usize,
    out: &mut Vec<AnnotatedField>,
) -> Result<(), String> {
    let Some(object) = schema.as_object() else {
        return Ok(());
    };
    if depth > MAX_DEPTH {
        return Ok(());
    }
    if let Some(annotation) = object.get(KEYWORD) {
        record(annotation, path, out)?;
    }
    if let Some(reference) = object.get("$ref").and_then(Value::as_str)
        && let Some((target, target_base)) = resolve(reference, base_uri, documents)
    {
        walk(&target, &target_base, path, documents, depth + 1, out)?;
    }
    for combinator in ["allOf", "anyOf", "oneOf"] {
        for sub in object
            .get(combinator)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            walk(sub, base_uri, path, documents, depth + 1, out)?;
        }
    }
    if let Some(properties) = object.get("properties").and_then(Value::as_object) {
        for (name, sub) in properties {
            path.push(PathSegment::Key(name.clone()));
            walk(sub, base_uri, path, documents, depth + 1, out)?;
            path.pop();
        }
    }
    if let Some(items) = object.get("items").filter(|items| items.is_object()) {
        path.push(PathSegment::AnyIndex);
        walk(items, base_uri, path, documents, depth + 1, out)?;
        path.pop();
    }
    Ok(())
}

fn record(
    annotation: &Value,
    path: &[PathSegment],
    out: &mut Vec<AnnotatedField>,
) -> Result<(), String> {
    let where_ = pointer_pattern(path);
    let parsed: Annotation = serde_json::from_value(annotation.clone())
        .map_err(|e| format!("invalid `{KEYWORD}` annotation on `{where_}`: {e}"))?;
    let time_granularity = parsed
        .time_granularity
        .as_deref()
        .map(Granularity::parse)
        .transpose()
        .map_err(|e| format!("invalid `{KEYWORD}.timeGranularity` on `{where_}`: {e}"))?;
    // A field annotated in several places (on the property and on the
    // definition it refers to) gets one entry; the nearest annotation wins.
    let Some(field) = out.iter_mut().find(|f| f.path == path) else {
        out.push(AnnotatedField {
            path: path.to_vec(),
            role: parsed.privacy_role,
            max_coordinate_decimals: parsed.max_coordinate_decimals,
            time_granularity,
        });
        return Ok(());
    };
    field.role = field.role.or(parsed.privacy_role);
    field.max_coordinate_decimals = field
        .max_coordinate_decimals
        .or(parsed.max_coordinate_decimals);
    field.time_granularity = field.time_granularity.or(time_granularity);
    Ok(())
}

/// The member names `schema` declares at its top level (in `properties`,
/// directly or through `$ref`, `allOf`, `anyOf` and `oneOf`): what a record
/// of it may carry without exposing undeclared data.
pub(crate) fn declared_properties(
    schema: &Value,
    base_uri: &str,
    documents: &Documents,
) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    collect_declared(schema, base_uri, documents, 0, &mut out);
    out
}

fn collect_declared(
    schema: &Value,
    base_uri: &str,
    documents: &Documents,
    depth: usize,
    out: &mut std::collections::BTreeSet<String>,
) {
    let Some(object) = schema.as_object().filter(|_| depth <= MAX_DEPTH) else {
        return;
    };
    if let Some(properties) = object.get("properties").and_then(Value::as_object) {
        out.extend(properties.keys().cloned());
    }
    if let Some(reference) = object.get("$ref").and_then(Value::as_str)
        && let Some((target, target_base)) = resolve(reference, base_uri, documents)
    {
        collect_declared(&target, &target_base, documents, depth + 1, out);
    }
    for combinator in ["allOf", "anyOf", "oneOf"] {
        for sub in object
            .get(combinator)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            collect_declared(sub, base_uri, documents, depth + 1, out);
        }
    }
}

/// The schema a `$ref` points at, with the base URI to resolve its own refs.
fn resolve(reference: &str, base_uri: &str, documents: &Documents) -> Option<(Value, String)> {
    let (uri, fragment) = reference.split_once('#').unwrap_or((reference, ""));
    let document_uri = if uri.is_empty() {
        base_uri.to_owned()
    } else if uri.contains("://") {
        uri.to_owned()
    } else {
        let dir = base_uri.rsplit_once('/').map_or("", |(dir, _)| dir);
        format!("{dir}/{uri}")
    };
    let document = documents.get(&document_uri).ok()?;
    let target = if fragment.is_empty() {
        document
    } else {
        document.pointer(fragment)?.clone()
    };
    Some((target, document_uri))
}

/// A path written as a JSON pointer, with `*` for "every element".
pub fn pointer_pattern(path: &[PathSegment]) -> String {
    let mut out = String::new();
    for segment in path {
        out.push('/');
        match segment {
            PathSegment::Key(key) => out.push_str(&key.replace('~', "~0").replace('/', "~1")),
            PathSegment::AnyIndex => out.push('*'),
        }
    }
    out
}

/// Every value of `instance` at `path`, with its concrete JSON pointer.
pub fn values_at<'v>(instance: &'v Value, path: &[PathSegment]) -> Vec<(String, &'v Value)> {
    let mut out = Vec::new();
    collect_values(instance, path, String::new(), &mut out);
    out
}

fn collect_values<'v>(
    value: &'v Value,
    path: &[PathSegment],
    pointer: String,
    out: &mut Vec<(String, &'v Value)>,
) {
    let Some((first, rest)) = path.split_first() else {
        out.push((pointer, value));
        return;
    };
    match (first, value) {
        (PathSegment::Key(key), Value::Object(map)) => {
            if let Some(child) = map.get(key) {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                collect_values(child, rest, format!("{pointer}/{escaped}"), out);
            }
        }
        (PathSegment::AnyIndex, Value::Array(items)) => {
            for (i, child) in items.iter().enumerate() {
                collect_values(child, rest, format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::HashMap;

    #[test]
    fn durations_parse_in_seconds_and_print_back() {
        for (text, seconds) in [
            ("PT15M", 900),
            ("PT1H", 3600),
            ("P1D", 86_400),
            ("P1DT1H30M", 91_800),
            ("PT30S", 30),
        ] {
            let parsed = Granularity::parse(text).expect(text);
            assert_eq!(parsed.seconds, seconds, "{text}");
            assert_eq!(parsed.to_iso(), text);
        }
        for bad in [
            "", "P", "PT", "15M", "P1M", "PT0M", "PT1M1H", "PT1.5H", "P1W",
        ] {
            assert!(Granularity::parse(bad).is_err(), "{bad} must be rejected");
        }
    }

    #[test]
    fn annotations_are_found_through_refs_and_arrays() {
        let common = json!({"$defs": {"Point": {"type": "object", "x-governance": {"maxCoordinateDecimals": 5}}}});
        let documents = Documents::new(
            HashMap::from([("https://e.org/common".to_owned(), common)]),
            Vec::new(),
            false,
        );
        let schema = json!({
            "properties": {
                "start": {"$ref": "https://e.org/common#/$defs/Point", "x-governance": {"privacyRole": "quasi-identifier"}},
                "riders": {"items": {"properties": {"card": {"x-governance": {"privacyRole": "direct-identifier"}}}}}
            }
        });
        let fields = annotated_fields(&schema, "https://e.org/model", &documents)
            .expect("valid annotations");
        let patterns: Vec<_> = fields
            .iter()
            .map(|f| (pointer_pattern(&f.path), f.role, f.max_coordinate_decimals))
            .collect();
        assert_eq!(
            patterns,
            vec![
                (
                    "/riders/*/card".to_owned(),
                    Some(PrivacyRole::DirectIdentifier),
                    None
                ),
                (
                    "/start".to_owned(),
                    Some(PrivacyRole::QuasiIdentifier),
                    Some(5)
                ),
            ]
        );
        let instance = json!({"riders": [{"card": 1}, {"name": 2}, {"card": 3}]});
        let found: Vec<_> = values_at(&instance, &fields[0].path)
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(found, vec!["/riders/0/card", "/riders/2/card"]);
    }

    #[test]
    fn a_bad_annotation_is_named() {
        let documents = Documents::new(HashMap::new(), Vec::new(), false);
        let schema =
            json!({"properties": {"t": {"x-governance": {"timeGranularity": "15 minutes"}}}});
        let err =
            annotated_fields(&schema, "https://e.org/m", &documents).expect_err("bad duration");
        assert!(err.contains("/t") && err.contains("15 minutes"), "{err}");
    }
}
