//! Property: the same entity gives the same verdict per requirement in
//! every representation. Generated MobilityTrips, passing and failing
//! (schema, identifier fields and values, coordinate precision, time
//! buckets), are checked in key-values, NGSI-LD normalized and concise,
//! NGSI-v2 normalized and GeoJSON Feature form under the `kr` and
//! `baseline` profiles.

use std::sync::OnceLock;

use quickcheck::{Arbitrary, Gen};
use serde_json::{Map, Value, json};

use super::pipeline::{self, SchemaChoice};
use super::{PayloadPlan, plan};
use crate::catalog::Catalogue;
use crate::engine::Selection;
use crate::outcome::Outcome;
use crate::schema::{SchemaOptions, SchemaRegistry};
use crate::vacuity::{Reached, check};

/// A MobilityTrip in key-values form, with the knobs that decide its
/// verdicts.
#[derive(Debug, Clone)]
struct Trip(Value);

impl Arbitrary for Trip {
    fn arbitrary(g: &mut Gen) -> Self {
        // One case in four is built to pass every requirement, so that
        // passing entities are compared in every run, not by luck: with
        // every knob drawn freely about one case in twenty passes.
        let clean = *g.choose(&[true, false, false, false]).unwrap_or(&false);
        let pick = |g: &mut Gen, passing: u32, all: &[u32]| {
            if clean {
                passing
            } else {
                *g.choose(all).unwrap_or(&passing)
            }
        };
        let decimals = pick(g, 3, &[2, 3, 4, 6]);
        let coordinate = |base: f64, step: u32| {
            let scale = 10f64.powi(decimals as i32);
            // A last digit that is never zero keeps every decimal written;
            // going through the decimal text keeps binary rounding from
            // writing more decimals than drawn.
            let value = (base * scale).trunc() / scale + f64::from(step % 9 + 1) / scale;
            format!("{value:.*}", decimals as usize)
                .parse::<f64>()
                .unwrap_or(base)
        };
        let minute = pick(g, 15, &[0, 15, 30, 7, 45]);
        let second = pick(g, 0, &[0, 0, 31]);
        let modes = ["metro", "bus", "teleport"];
        let mode = modes[pick(g, 0, &[0, 1, 2]) as usize];
        let tokens = ["pseud-w10-7f3a9c", "traveller@example.org"];
        let token = tokens[pick(g, 0, &[0, 1]) as usize];
        let step = u32::arbitrary(g);
        let mut trip = json!({
            "id": "urn:ngsi-ld:MobilityTrip:generated",
            "type": "MobilityTrip",
            "startTime": format!("2025-03-04T08:{minute:02}:{second:02}+09:00"),
            "endTime": "2025-03-04T08:45:00+09:00",
            "startLocation": {"type": "Point", "coordinates": [coordinate(126.97, step), coordinate(37.56, step / 9)]},
            "endLocation": {"type": "Point", "coordinates": [127.028, 37.498]},
            "travellerToken": token,
            "transportMode": mode,
            "distance": 11800,
            "envelope": envelope(),
        });
        if bool::arbitrary(g) && bool::arbitrary(g) {
            trip["cardNumber"] = json!("9999-0000-1111-2222");
        }
        if bool::arbitrary(g) && bool::arbitrary(g) {
            trip["distance"] = json!("far");
        }
        Trip(trip)
    }
}

/// The envelope of the valid MobilityTrip fixture.
fn envelope() -> Value {
    json!({
        "envelopeVersion": "1.0",
        "provenance": {
            "sourcePlatform": "seoul-urban-data-platform",
            "producer": "example-seoul-mobility-panel",
            "collectedAt": "2025-03-05T02:00:00+09:00"
        },
        "purpose": ["dpv:ServiceOptimisation", "dpv:NonCommercialResearch"],
        "legalBasis": "kr-pipa:A15-1-1",
        "consent": {
            "reference": "urn:ngsi-ld:ConsentRecord:seoul-mobility-panel-2025",
            "mechanism": "opt-in"
        },
        "jurisdiction": {"origin": "KR-11"},
        "retention": {"period": "P90D"}
    })
}

/// Every attribute of `record` wrapped by `wrap(name, value)`.
fn wrapped(record: &Value, wrap: impl Fn(&str, &Value) -> Value) -> Value {
    let mut out = Map::new();
    for (name, value) in record.as_object().into_iter().flatten() {
        let kept = matches!(name.as_str(), "id" | "type");
        out.insert(
            name.clone(),
            if kept {
                value.clone()
            } else {
                wrap(name, value)
            },
        );
    }
    Value::Object(out)
}

fn ngsi_ld_normalized(record: &Value) -> Value {
    wrapped(record, |name, value| match value {
        Value::Object(o) if o.contains_key("coordinates") => {
            json!({"type": "GeoProperty", "value": value})
        }
        Value::String(_) if name.ends_with("Time") => json!({
            "type": "Property",
            "value": {"@type": "DateTime", "@value": value},
            "observedAt": "2025-03-05T02:00:00Z"
        }),
        _ => json!({"type": "Property", "value": value}),
    })
}

/// NGSI-LD concise: bare values, but numbers as `value` objects with a
/// unit, and an `@context` that says the record is NGSI-LD.
fn ngsi_ld_concise(record: &Value) -> Value {
    let mut concise = wrapped(record, |_, value| match value {
        Value::Number(_) => json!({"value": value, "unitCode": "MTR"}),
        _ => value.clone(),
    });
    if let Some(map) = concise.as_object_mut() {
        map.insert(
            "@context".to_owned(),
            json!("https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"),
        );
    }
    concise
}

fn ngsi_v2_normalized(record: &Value) -> Value {
    wrapped(record, |name, value| {
        let kind = match value {
            Value::Object(o) if o.contains_key("coordinates") => "geo:json",
            Value::String(_) if name.ends_with("Time") => "DateTime",
            Value::Number(_) => "Number",
            Value::Object(_) => "StructuredValue",
            _ => "Text",
        };
        json!({"type": kind, "value": value, "metadata": {}})
    })
}

/// A GeoJSON Feature: the attributes as `properties` (the entity's `type`
/// among them, as the Feature's own `type` is `Feature`), the `id` beside
/// them, and no geometry (RFC 7946 §3.2 allows a null one): a trip has no
/// `location` for the adapter to take the geometry as.
fn geojson_feature(record: &Value) -> Value {
    let mut properties = record.as_object().cloned().unwrap_or_default();
    let id = properties.remove("id").unwrap_or(Value::Null);
    json!({"type": "Feature", "id": id, "geometry": null, "properties": properties})
}

/// The verdict an outcome counts as, and its number of findings.
fn verdict(outcome: &Outcome) -> (&'static str, usize) {
    match outcome {
        Outcome::Pass => ("pass", 0),
        Outcome::Violations(v) => ("fail", v.len()),
        Outcome::NotApplicable(_) => ("skip", 0),
        Outcome::Error(_) => ("error", 0),
    }
}

/// Each requirement's verdict on `record`.
fn verdicts(
    plan: &PayloadPlan,
    choice: &SchemaChoice,
    record: Value,
) -> Vec<(String, (&'static str, usize))> {
    let checks = plan
        .instances
        .iter()
        .enumerate()
        .map(|(i, x)| (i, &x.check));
    let checked = pipeline::check_record(checks, record, choice, None);
    checked
        .outcomes
        .iter()
        .map(|(i, outcome)| (plan.instances[*i].requirement.clone(), verdict(outcome)))
        .collect()
}

/// The plans of `kr` and `baseline`, and the bundled schemas by type:
/// built once, read by every generated case.
fn context() -> &'static (Vec<PayloadPlan>, SchemaChoice) {
    static CONTEXT: OnceLock<(Vec<PayloadPlan>, SchemaChoice)> = OnceLock::new();
    CONTEXT.get_or_init(|| {
        let registry = SchemaRegistry::load(&SchemaOptions::default()).expect("bundled schemas");
        let catalogue = Catalogue::embedded().expect("bundled catalogue");
        let choice = SchemaChoice::ByType {
            schemas: registry.compile_types().expect("bundled schemas compile"),
            hint: "",
            untyped_hint: "",
        };
        let plans = ["kr", "baseline"]
            .into_iter()
            .map(|profile| {
                let profiles = [profile.to_owned()];
                let selection = Selection {
                    profiles: &profiles,
                    only: &[],
                    // The generated entities' verdicts do not depend on
                    // dated lists; any fixed day keeps the plans equal.
                    as_of: crate::dates::Day::parse("2026-01-01").expect("a calendar day"),
                };
                plan(&catalogue, &registry, selection, None).expect("bundled profile plans")
            })
            .collect();
        (plans, choice)
    })
}

static REACHED: Reached = Reached::new();
static PASSING: Reached = Reached::new();
static FAILING: Reached = Reached::new();

fn same_verdicts(trip: Trip) -> bool {
    let (plans, choice) = context();
    for plan in plans {
        let key_values = verdicts(plan, choice, trip.0.clone());
        let ld = verdicts(plan, choice, ngsi_ld_normalized(&trip.0));
        let concise = verdicts(plan, choice, ngsi_ld_concise(&trip.0));
        let v2 = verdicts(plan, choice, ngsi_v2_normalized(&trip.0));
        let feature = verdicts(plan, choice, geojson_feature(&trip.0));
        if ld != key_values || concise != key_values || v2 != key_values || feature != key_values {
            return false;
        }
        REACHED.hit();
        if key_values.iter().all(|(_, (v, _))| *v == "pass") {
            PASSING.hit();
        } else {
            FAILING.hit();
        }
    }
    true
}

#[test]
fn every_representation_of_an_entity_gets_the_same_verdicts() {
    check(100, &REACHED, same_verdicts as fn(Trip) -> bool);
    assert!(
        PASSING.count() > 0,
        "no generated entity passed every requirement"
    );
    assert!(
        FAILING.count() > 0,
        "no generated entity failed a requirement"
    );
}
