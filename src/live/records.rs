//! The records of a data answer, read one at a time.
//!
//! A body is at most `safety.max_body_bytes`, but as a tree of JSON values
//! it can take twenty times that (`[0,0,…]` is two bytes a record in the
//! body and a 32-byte value each once parsed). So a body is first read
//! without building anything (its syntax, and its number of records), and
//! then its records are built and handed on one by one: an answer never
//! exists as a whole tree, and the audit's memory stays bounded by the
//! bodies it holds.
//!
//! A GeoJSON FeatureCollection (RFC 7946 §3.3) holds its records in
//! `features`: each feature is a record, so a page of features is counted
//! by its features, never as one record.

use std::fmt;

use serde::Deserializer as _;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// How a body holds its records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A JSON array: each element is a record.
    Array(usize),
    /// A JSON object: the one record.
    Object,
    /// A GeoJSON FeatureCollection: each feature is a record.
    Features(usize),
}

impl Shape {
    /// How many records the body holds.
    pub(crate) fn count(self) -> usize {
        match self {
            Shape::Array(count) | Shape::Features(count) => count,
            Shape::Object => 1,
        }
    }
}

/// The shape of `body`, read without building its values; or why it holds
/// no records.
pub(crate) fn shape(body: &[u8]) -> Result<Shape, String> {
    let not_json = |e: serde_json::Error| format!("the body is not JSON: {e}");
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => {
            let mut reader = serde_json::Deserializer::from_slice(body);
            let count = reader.deserialize_seq(Counter).map_err(not_json)?;
            reader.end().map_err(not_json)?;
            Ok(Shape::Array(count))
        }
        Some(b'{') => {
            let mut reader = serde_json::Deserializer::from_slice(body);
            let collection = reader.deserialize_map(CollectionShape).map_err(not_json)?;
            reader.end().map_err(not_json)?;
            Ok(match collection {
                Some(count) => Shape::Features(count),
                None => Shape::Object,
            })
        }
        _ => {
            serde_json::from_slice::<IgnoredAny>(body).map_err(not_json)?;
            Err("the body is JSON but neither an object nor an array".to_owned())
        }
    }
}

/// Hands every record of `body` to `each`, in order, one at a time, and
/// answers the body's shape; when the body holds no records, nothing is
/// handed on and the reason is answered.
pub(crate) fn each_record(body: &[u8], each: impl FnMut(Value)) -> Result<Shape, String> {
    let shape = shape(body)?;
    let not_json = |e: serde_json::Error| format!("the body is not JSON: {e}");
    match shape {
        Shape::Object => {
            let mut each = each;
            each(serde_json::from_slice(body).map_err(not_json)?);
        }
        Shape::Array(_) => {
            serde_json::Deserializer::from_slice(body)
                .deserialize_seq(Each(each))
                .map_err(not_json)?;
        }
        Shape::Features(_) => {
            serde_json::Deserializer::from_slice(body)
                .deserialize_map(Features(each))
                .map_err(not_json)?;
        }
    }
    Ok(shape)
}

/// Reads an object without building it: `Some(features)` when it is a
/// GeoJSON FeatureCollection (`type` is `FeatureCollection` and
/// `features` an array), else `None`.
struct CollectionShape;

impl<'de> Visitor<'de> for CollectionShape {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<usize>, A::Error> {
        let mut collection = false;
        let mut features = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "type" => {
                    let value: Value = map.next_value()?;
                    collection = value.as_str() == Some("FeatureCollection");
                }
                "features" => features = map.next_value_seed(OptionalCount)?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(features.filter(|_| collection))
    }
}

/// The length of an array value without building it; `None` for any
/// other value.
struct OptionalCount;

impl<'de> DeserializeSeed<'de> for OptionalCount {
    type Value = Option<usize>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(OptionalCountVisitor)
    }
}

struct OptionalCountVisitor;

impl<'de> Visitor<'de> for OptionalCountVisitor {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Option<usize>, A::Error> {
        Counter.visit_seq(seq).map(Some)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<usize>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Option<usize>, E> {
        Ok(None)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Option<usize>, E> {
        Ok(None)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Option<usize>, E> {
        Ok(None)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Option<usize>, E> {
        Ok(None)
    }

    fn visit_str<E>(self, _: &str) -> Result<Option<usize>, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Option<usize>, E> {
        Ok(None)
    }
}

/// Hands on each feature of a FeatureCollection (its shape already read),
/// one at a time.
struct Features<F>(F);

impl<'de, F: FnMut(Value)> Visitor<'de> for Features<F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a GeoJSON FeatureCollection")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == "features" {
                map.next_value_seed(EachSeed(&mut self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// [`Each`] as a seed, for an array inside an object.
struct EachSeed<'f, F>(&'f mut F);

impl<'de, F: FnMut(Value)> DeserializeSeed<'de> for EachSeed<'_, F> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(Each(self.0))
    }
}

/// Counts the elements of an array without building them.
struct Counter;

impl<'de> Visitor<'de> for Counter {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
        let mut count = 0;
        while seq.next_element::<IgnoredAny>()?.is_some() {
            count += 1;
        }
        Ok(count)
    }
}

/// Builds the elements of an array one at a time and hands each on.
struct Each<F>(F);

impl<'de, F: FnMut(Value)> Visitor<'de> for Each<F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while let Some(record) = seq.next_element::<Value>()? {
            (self.0)(record);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quickcheck::quickcheck;

    fn collected(body: &str) -> Result<(Shape, Vec<Value>), String> {
        let mut records = Vec::new();
        let shape = each_record(body.as_bytes(), |r| records.push(r))?;
        Ok((shape, records))
    }

    #[test]
    fn an_array_hands_on_each_element_in_order() {
        let (shape, records) = collected(" [1, {\"a\": 2}, [3]] ").expect("records");
        assert_eq!(shape, Shape::Array(3));
        assert_eq!(
            records,
            vec![
                serde_json::json!(1),
                serde_json::json!({"a": 2}),
                serde_json::json!([3])
            ]
        );
    }

    #[test]
    fn an_object_is_the_one_record() {
        let (shape, records) = collected("{\"type\": \"X\"}\n").expect("records");
        assert_eq!(shape, Shape::Object);
        assert_eq!(records, vec![serde_json::json!({"type": "X"})]);
    }

    #[test]
    fn a_broken_body_hands_on_nothing() {
        for body in ["[1, 2", "[1, 2] x", "{\"a\": }", "", "  ", "[1,]"] {
            let mut handed = 0;
            let result = each_record(body.as_bytes(), |_| handed += 1);
            assert!(
                result
                    .as_ref()
                    .is_err_and(|e| e.starts_with("the body is not JSON")),
                "{body:?}: {result:?}"
            );
            assert_eq!(handed, 0, "{body:?}");
        }
    }

    #[test]
    fn a_scalar_holds_no_records() {
        for body in ["0", "\"x\"", "null", "true"] {
            assert_eq!(
                shape(body.as_bytes()),
                Err("the body is JSON but neither an object nor an array".to_owned()),
                "{body}"
            );
        }
    }

    #[test]
    fn a_feature_collection_hands_on_each_feature() {
        let body = r#"{"features": [{"type": "Feature", "id": 1}, {"type": "Feature", "id": 2}], "numberReturned": 2, "type": "FeatureCollection"}"#;
        let (shape, records) = collected(body).expect("records");
        assert_eq!(shape, Shape::Features(2));
        assert_eq!(records[1], serde_json::json!({"type": "Feature", "id": 2}));
    }

    #[test]
    fn an_object_that_is_no_feature_collection_is_one_record() {
        for body in [
            r#"{"type": "Feature", "features": [1, 2]}"#,
            r#"{"type": "FeatureCollection", "features": {"a": 1}}"#,
            r#"{"type": "FeatureCollection"}"#,
            r#"{"features": [1, 2, 3]}"#,
        ] {
            let (shape, records) = collected(body).expect("records");
            assert_eq!(shape, Shape::Object, "{body}");
            assert_eq!(records.len(), 1, "{body}");
        }
    }

    quickcheck! {
        /// A FeatureCollection's features are its records, in order,
        /// counted as they are handed on.
        fn streamed_features_are_the_parsed_features(ids: Vec<u32>) -> bool {
            let features: Vec<Value> = ids
                .iter()
                .map(|id| serde_json::json!({"type": "Feature", "id": id, "geometry": null, "properties": {}}))
                .collect();
            let body = serde_json::json!({"type": "FeatureCollection", "features": features}).to_string();
            let mut streamed = Vec::new();
            let Ok(shape) = each_record(body.as_bytes(), |r| streamed.push(r)) else {
                return false;
            };
            shape == Shape::Features(ids.len()) && streamed == features
        }

        /// Read one at a time or as a whole, a body gives the same records
        /// and the same count.
        fn streamed_records_are_the_parsed_records(values: Vec<u32>, object: bool) -> bool {
            let whole = if object {
                serde_json::json!({ "values": values })
            } else {
                serde_json::json!(values.iter().map(|v| serde_json::json!({ "v": v })).collect::<Vec<_>>())
            };
            let body = serde_json::to_vec(&whole).unwrap_or_default();
            let mut streamed = Vec::new();
            let Ok(shape) = each_record(&body, |r| streamed.push(r)) else {
                return false;
            };
            let expected = match whole {
                Value::Array(items) => items,
                object => vec![object],
            };
            shape.count() == expected.len() && streamed == expected
        }
    }
}
