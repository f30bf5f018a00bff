//! The one record pipeline: a record from a payload file or from a live
//! data answer goes through the same steps here.
//!
//! 1. **Representation** ([`adapt`], in `representation`): the record as
//!    it arrived (key-values, NGSI-LD normalized or concise, NGSI-v2
//!    normalized, a GeoJSON Feature) is turned into the form the shared
//!    schemas describe, every finding pointed back into the record as it
//!    arrived. A record whose form cannot be told is not checked: every
//!    check that reads it could not be checked.
//! 2. **Schema** ([`SchemaChoice`]): forced for every record, or chosen by
//!    the record's `type` (or the type its endpoint declares).
//! 3. **Checks**: every payload check of the plan on the record's view.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::checks::{PayloadCheck, RecordView};
pub use super::representation::{Adapted, Declared, Representation, Unadaptable, adapt};
use crate::outcome::Outcome;
use crate::schema::CompiledSchema;

/// How a record's schema is chosen.
#[derive(Debug)]
pub enum SchemaChoice {
    /// One schema for every record (`--schema`).
    Forced(Arc<CompiledSchema>),
    /// By the record's `type`, else the type its source declares (a live
    /// endpoint's `type`); `hint` says how to fix a record without one.
    ByType {
        /// Compiled schemas by entity type.
        schemas: BTreeMap<String, Arc<CompiledSchema>>,
        /// What to do when no schema is found for a type.
        hint: &'static str,
        /// What to do for a record that names no type.
        untyped_hint: &'static str,
    },
}

impl SchemaChoice {
    /// The schema for `value`, or why there is none.
    pub fn for_record(
        &self,
        value: &Value,
        declared_type: Option<&str>,
    ) -> Result<&CompiledSchema, String> {
        let (schemas, (hint, untyped_hint)) = match self {
            SchemaChoice::Forced(schema) => return Ok(schema),
            SchemaChoice::ByType {
                schemas,
                hint,
                untyped_hint,
            } => (schemas, (hint, untyped_hint)),
        };
        let name = match value.get("type") {
            Some(Value::String(name)) => name.as_str(),
            Some(_) => return Err("the record's `type` is not a string".to_owned()),
            None => match declared_type {
                Some(name) => name,
                None => {
                    return Err(format!(
                        "the record has no `type` member, so its schema is unknown; {untyped_hint}"
                    ));
                }
            },
        };
        schemas
            .get(name)
            .map(|s| s.as_ref())
            .ok_or_else(|| unknown_type(value, name, hint))
    }
}

/// Why a record's type has no schema. The record's own `type` is data and
/// is never repeated: the message says where the name came from; a type
/// its source declares (a live endpoint's, from the target file) is named.
fn unknown_type(value: &Value, name: &str, hint: &str) -> String {
    if value.get("type").is_some() {
        format!(
            "no shared schema for the record's `type` (its value names no known entity type); {hint}"
        )
    } else {
        format!("no shared schema for the declared type `{name}`; {hint}")
    }
}

/// What the checks said about one record, and whether the record could
/// not be checked at all (no schema where the schema check runs).
#[derive(Debug)]
pub struct Checked {
    /// Outcomes by plan instance.
    pub outcomes: Vec<(usize, Outcome)>,
    /// The record was an input error.
    pub input_error: bool,
}

/// Runs `checks` (plan instance, check) on one record, its representation
/// told from its content.
pub fn check_record<'c>(
    checks: impl Iterator<Item = (usize, &'c PayloadCheck)> + Clone,
    value: Value,
    choice: &SchemaChoice,
    declared_type: Option<&str>,
) -> Checked {
    check_record_with_source(checks, value, None, Declared::Auto, choice, declared_type)
}

/// [`check_record`] for a record whose text as written is at hand
/// (`source`): detection reads its numbers as written rather than as
/// parsed. `representation` is the form the run declares, or `Auto`.
pub fn check_record_with_source<'c>(
    checks: impl Iterator<Item = (usize, &'c PayloadCheck)> + Clone,
    value: Value,
    source: Option<&str>,
    representation: Declared,
    choice: &SchemaChoice,
    declared_type: Option<&str>,
) -> Checked {
    let adapted = match adapt(value, representation) {
        Ok(adapted) => adapted,
        Err(unadaptable) => {
            return Checked {
                outcomes: not_adapted(checks.clone(), &unadaptable),
                input_error: checks.clone().any(|(_, c)| c.is_schema()),
            };
        }
    };
    let schema = choice.for_record(&adapted.value, declared_type);
    // A record without a schema is an input error only when the schema
    // check runs and says so; otherwise the checks that need a schema skip.
    let input_error = schema.is_err() && checks.clone().any(|(_, c)| c.is_schema());
    // The text as written is the record as it arrived: its pointers and the
    // members its numbers sit under are those of the adapted record only
    // for key-values.
    let source = source.filter(|_| adapted.representation == Representation::KeyValues);
    let view = RecordView {
        value: &adapted.value,
        schema: schema.as_ref().map(|s| *s).map_err(String::as_str),
        source,
    };
    Checked {
        outcomes: checks
            .map(|(i, check)| (i, pointed_back(check.run(view), &adapted)))
            .collect(),
        input_error,
    }
}

/// Outcomes on a record whose representation could not be told: every
/// check reads its attributes, so none could be checked.
fn not_adapted<'c>(
    checks: impl Iterator<Item = (usize, &'c PayloadCheck)>,
    why: &Unadaptable,
) -> Vec<(usize, Outcome)> {
    checks
        .map(|(i, _)| (i, Outcome::Error(format!("not checked: {why}"))))
        .collect()
}

/// `outcome` with every violation's pointer into the record as it arrived.
fn pointed_back(outcome: Outcome, adapted: &Adapted) -> Outcome {
    match outcome {
        Outcome::Violations(violations) if adapted.representation != Representation::KeyValues => {
            Outcome::Violations(
                violations
                    .into_iter()
                    .map(|mut v| {
                        let original = adapted.original_pointer(&v.pointer);
                        // A message that names the member names it as
                        // the sender wrote it.
                        v.message = v
                            .message
                            .replace(&format!("`{}`", v.pointer), &format!("`{original}`"));
                        v.pointer = original;
                        v
                    })
                    .collect(),
            )
        }
        other => other,
    }
}

/// A record that could not be read: the schema check reports it and every
/// other check has nothing to look at; without a schema check, every check
/// reports it, so that the input error is never silent.
pub fn unreadable<'c>(
    checks: impl Iterator<Item = (usize, &'c PayloadCheck)> + Clone,
    reason: &str,
) -> Vec<(usize, Outcome)> {
    let schema_check_runs = checks.clone().any(|(_, c)| c.is_schema());
    checks
        .map(|(i, check)| {
            let outcome = if check.is_schema() || !schema_check_runs {
                Outcome::Error(reason.to_owned())
            } else {
                Outcome::NotApplicable("the record could not be read".to_owned())
            };
            (i, outcome)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn adapt(value: Value) -> Adapted {
        super::adapt(value, Declared::Auto).expect("adaptable")
    }

    #[test]
    fn a_feature_is_its_properties_with_its_geometry_as_location() {
        let adapted = adapt(json!({
            "type": "Feature",
            "id": "urn:x:1",
            "geometry": {"type": "Point", "coordinates": [127.0, 37.5]},
            "properties": {"type": "ParkingSpot", "status": "free"}
        }));
        assert_eq!(
            adapted.value,
            json!({
                "type": "ParkingSpot",
                "status": "free",
                "id": "urn:x:1",
                "location": {"type": "Point", "coordinates": [127.0, 37.5]}
            })
        );
        assert_eq!(
            adapted.original_pointer("/location/coordinates/1"),
            "/geometry/coordinates/1"
        );
        assert_eq!(adapted.original_pointer("/status"), "/properties/status");
        assert_eq!(adapted.original_pointer("/id"), "/id");
        assert_eq!(adapted.original_pointer(""), "");
        // `/locationName` is a member of the properties, not the geometry.
        assert_eq!(
            adapted.original_pointer("/locationName"),
            "/properties/locationName"
        );
    }

    #[test]
    fn properties_that_name_their_own_location_keep_it() {
        let adapted = adapt(json!({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [1.0, 2.0]},
            "properties": {"location": {"type": "Point", "coordinates": [3.0, 4.0]}}
        }));
        assert_eq!(adapted.value["location"]["coordinates"], json!([3.0, 4.0]));
        assert_eq!(
            adapted.original_pointer("/location"),
            "/properties/location"
        );
    }

    #[test]
    fn a_record_that_is_no_feature_passes_as_it_is() {
        for value in [
            json!({"type": "Feature", "properties": {}}),
            json!({"type": "ParkingSpot", "geometry": null, "properties": {}}),
            json!([1, 2]),
        ] {
            let adapted = adapt(value.clone());
            assert_eq!(adapted.representation, Representation::KeyValues);
            assert_eq!(adapted.value, value);
        }
    }
}
