//! Coarsening of quasi-identifiers: how many decimals a coordinate keeps,
//! and which time bucket a timestamp falls on. Messages never repeat the
//! coordinate or the time: both are quasi-identifiers.

use chrono::DateTime;
use serde_json::Value;

use crate::outcome::{Outcome, Violation};
use crate::schema::{AnnotatedField, CompiledSchema, Granularity, PrivacyRole, governance};

/// Coordinates of quasi-identifying fields (by role, or by an annotated
/// maximum) keep at most the lower of the annotation and `max_decimals`.
pub(crate) fn coordinate_precision(
    schema: &CompiledSchema,
    record: &Value,
    max_decimals: u32,
) -> Outcome {
    let fields: Vec<&AnnotatedField> = schema
        .fields
        .iter()
        .filter(|f| {
            f.role == Some(PrivacyRole::QuasiIdentifier) || f.max_coordinate_decimals.is_some()
        })
        .collect();
    if fields.is_empty() {
        return Outcome::NotApplicable(
            "the schema annotates no quasi-identifying coordinates".to_owned(),
        );
    }
    let mut violations = Vec::new();
    let mut saw_coordinates = false;
    let mut unreadable = Vec::new();
    for field in fields {
        let limit = field
            .max_coordinate_decimals
            .map_or(max_decimals, |own| own.min(max_decimals));
        for (pointer, value) in governance::values_at(record, &field.path) {
            let Some(finest) = finest_coordinate(value) else {
                if should_hold_coordinates(field, value) {
                    unreadable.push(pointer);
                }
                continue;
            };
            saw_coordinates = true;
            if finest > limit {
                violations.push(Violation::new(
                    pointer.clone(),
                    format!(
                        "coordinates in `{pointer}` have {finest} decimal places; at most {limit} allowed ({})",
                        ground_distance(limit)
                    ),
                ));
            }
        }
    }
    if violations.is_empty() && !unreadable.is_empty() {
        return not_located(&unreadable, "coordinates");
    }
    if !saw_coordinates && violations.is_empty() {
        return Outcome::NotApplicable(
            "the record carries no quasi-identifying coordinates".to_owned(),
        );
    }
    Outcome::from_violations(violations)
}

/// Whether a value without coordinates at `field` means the check could
/// not read it: the field is annotated with a coordinate precision, or the
/// value is an attribute object wrapping another value. A quasi-identifier
/// that is no place (a token, a time) holds no coordinates by nature.
fn should_hold_coordinates(field: &AnnotatedField, value: &Value) -> bool {
    let wrapped = value
        .as_object()
        .is_some_and(|o| o.contains_key("value") || o.contains_key("@value"));
    !value.is_null() && (field.max_coordinate_decimals.is_some() || wrapped)
}

/// An annotated field is there but holds no `what` the check can read (a
/// record in a form its adapter did not unwrap, or a wrong value): the
/// requirement could not be checked, which is never "does not apply".
fn not_located(pointers: &[String], what: &str) -> Outcome {
    Outcome::Error(format!(
        "not checked: the annotated field(s) at `{}` hold no {what} the check can read; give the record in key-values form or declare its representation with --representation",
        pointers.join("`, `")
    ))
}

/// The most decimals among the numbers of a GeoJSON geometry's
/// `coordinates`, or of a bare coordinate array; `None` when the value
/// holds no coordinates.
pub(crate) fn finest_coordinate(value: &Value) -> Option<u32> {
    let coordinates = match value {
        Value::Object(map) if !map.contains_key("coordinates") => return gps_point(map),
        Value::Object(map) => map.get("coordinates")?,
        Value::Array(_) => value,
        _ => return None,
    };
    let mut finest = None;
    visit_numbers(coordinates, &mut |n| {
        finest = Some(finest.map_or(n, |f: u32| f.max(n)))
    });
    finest
}

/// The finer of a GPS point's `lat` and `lng` (the point of MDS and of
/// other mobility feeds), when both are numbers.
fn gps_point(map: &serde_json::Map<String, Value>) -> Option<u32> {
    let lat = map.get("lat")?.as_number()?;
    let lng = map.get("lng")?.as_number()?;
    Some(decimals(lat).max(decimals(lng)))
}

fn visit_numbers(value: &Value, visit: &mut impl FnMut(u32)) {
    match value {
        Value::Number(number) => visit(decimals(number)),
        Value::Array(items) => items.iter().for_each(|item| visit_numbers(item, visit)),
        _ => {}
    }
}

/// Decimal places of a JSON number as written. serde_json keeps floats as
/// `f64`, whose shortest round-trip form is what a producer wrote for any
/// coordinate with up to 15 significant digits.
pub(crate) fn decimals(number: &serde_json::Number) -> u32 {
    if number.is_i64() || number.is_u64() {
        return 0;
    }
    let Some(float) = number.as_f64() else {
        return 0;
    };
    let text = format!("{float}");
    text.split_once('.')
        .map_or(0, |(_, frac)| frac.len() as u32)
}

fn ground_distance(decimals: u32) -> &'static str {
    match decimals {
        0 => "about 111 km",
        1 => "about 11 km",
        2 => "about 1.1 km",
        3 => "about 110 m",
        4 => "about 11 m",
        5 => "about 1.1 m",
        _ => "under a metre",
    }
}

/// Timestamps of fields annotated with a granularity fall on it, and on
/// `profile` when the profile sets one.
pub(crate) fn time_granularity(
    schema: &CompiledSchema,
    record: &Value,
    profile: Option<Granularity>,
) -> Outcome {
    let fields: Vec<(&AnnotatedField, Granularity)> = schema
        .fields
        .iter()
        .filter_map(|f| f.time_granularity.map(|g| (f, g)))
        .collect();
    if fields.is_empty() {
        return Outcome::NotApplicable("the schema annotates no time granularity".to_owned());
    }
    let mut violations = Vec::new();
    let mut saw_time = false;
    let mut unreadable = Vec::new();
    for (field, own) in fields {
        let buckets: Vec<Granularity> = std::iter::once(own)
            .chain(profile.filter(|p| *p != own))
            .collect();
        for (pointer, value) in governance::values_at(record, &field.path) {
            let Some(text) = value.as_str() else {
                if !value.is_null() {
                    unreadable.push(pointer);
                }
                continue;
            };
            saw_time = true;
            if let Some(message) = off_bucket(text, &buckets) {
                violations.push(Violation::new(
                    pointer.clone(),
                    format!("`{pointer}` {message}"),
                ));
            }
        }
    }
    if violations.is_empty() && !unreadable.is_empty() {
        return not_located(&unreadable, "timestamp");
    }
    if !saw_time {
        return Outcome::NotApplicable("the record carries no annotated timestamps".to_owned());
    }
    Outcome::from_violations(violations)
}

/// Why `text` is not on every bucket, or `None` when it is.
pub(crate) fn off_bucket(text: &str, buckets: &[Granularity]) -> Option<String> {
    let Ok(time) = DateTime::parse_from_rfc3339(text) else {
        return Some("is not an RFC 3339 date-time, so its granularity cannot be shown".to_owned());
    };
    // Buckets are counted in the timestamp's own offset, so that "P1D"
    // means local midnight.
    let local_seconds = time.naive_local().and_utc().timestamp();
    let has_fraction = time.timestamp_subsec_nanos() != 0;
    buckets
        .iter()
        .find(|bucket| has_fraction || local_seconds.rem_euclid(bucket.seconds as i64) != 0)
        .map(|bucket| format!("is not on a {} boundary", bucket.to_iso()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decimals_count_what_was_written() {
        let cases = [
            ("126.978", 3),
            ("37.5665", 4),
            ("127", 0),
            ("-0.1", 1),
            ("126.9780123", 7),
            ("1e-7", 7),
        ];
        for (text, expected) in cases {
            let value: Value = serde_json::from_str(text).expect("number");
            let Value::Number(number) = value else {
                panic!("{text} is a number")
            };
            assert_eq!(decimals(&number), expected, "{text}");
        }
    }

    #[test]
    fn finest_coordinate_reads_geojson_and_bare_arrays() {
        assert_eq!(
            finest_coordinate(&json!({"type": "Point", "coordinates": [126.978, 37.5665]})),
            Some(4)
        );
        assert_eq!(
            finest_coordinate(&json!([[1.5, 2.25], [3.125, 4.0]])),
            Some(3)
        );
        assert_eq!(finest_coordinate(&json!("37.5665,126.978")), None);
        assert_eq!(
            finest_coordinate(&json!({"lat": 37.566535, "lng": 126.9779692})),
            Some(7)
        );
        assert_eq!(
            finest_coordinate(&json!({"lat": "37.5", "lng": 126.9})),
            None
        );
    }

    #[test]
    fn buckets_are_counted_in_local_time() {
        let quarter = Granularity::parse("PT15M").expect("valid");
        let day = Granularity::parse("P1D").expect("valid");
        assert_eq!(off_bucket("2025-03-04T08:15:00+09:00", &[quarter]), None);
        assert_eq!(off_bucket("2025-03-04T00:00:00+09:00", &[day]), None);
        assert!(off_bucket("2025-03-04T08:07:31+09:00", &[quarter]).is_some());
        assert!(off_bucket("2025-03-04T08:15:00.5Z", &[quarter]).is_some());
        assert!(off_bucket("yesterday", &[quarter]).is_some());
    }
}
