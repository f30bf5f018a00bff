//! The reference platform's data: for each tenant, a fixed number of
//! records of every shared data model, made from one conformant template a
//! model. Faults that concern the data (identifiers, precision, envelope,
//! extra members) are applied when a record is served, so the store itself
//! stays conformant.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::Fault;

/// Records a tenant holds of each type: more than the page-size cap, so an
/// uncapped page is visible.
pub(crate) const RECORDS_PER_TYPE: usize = 120;

/// The two tenants.
pub(crate) const TENANTS: [&str; 2] = ["tenant-a", "tenant-b"];

const TEMPLATES: &str = include_str!("records.json");

/// Every tenant's records, by type.
#[derive(Debug)]
pub(crate) struct Store {
    /// (tenant, type) → records in ID order.
    by_owner: BTreeMap<(String, String), Vec<Value>>,
}

impl Store {
    /// The store every reference platform starts with.
    pub(crate) fn new() -> Result<Self, String> {
        let templates: Vec<Value> = serde_json::from_str(TEMPLATES)
            .map_err(|e| format!("embedded reference records are not JSON: {e}"))?;
        let mut by_owner = BTreeMap::new();
        for template in &templates {
            let Some(entity_type) = template.get("type").and_then(Value::as_str) else {
                return Err("an embedded reference record has no type".to_owned());
            };
            for tenant in TENANTS {
                let records = (1..=RECORDS_PER_TYPE)
                    .map(|n| {
                        let mut record = template.clone();
                        record["id"] = json!(entity_id(entity_type, tenant, n));
                        record
                    })
                    .collect();
                by_owner.insert((tenant.to_owned(), entity_type.to_owned()), records);
            }
        }
        Ok(Store { by_owner })
    }

    /// The entity types held.
    pub(crate) fn types(&self) -> Vec<String> {
        let types: std::collections::BTreeSet<&String> =
            self.by_owner.keys().map(|(_, t)| t).collect();
        types.into_iter().cloned().collect()
    }

    /// `tenant`'s records of `entity_type`, or `None` for an unknown type.
    pub(crate) fn list(&self, tenant: &str, entity_type: &str) -> Option<&[Value]> {
        self.by_owner
            .get(&(tenant.to_owned(), entity_type.to_owned()))
            .map(Vec::as_slice)
    }

    /// The record with `id`, and its owner.
    pub(crate) fn find(&self, id: &str) -> Option<(&str, &Value)> {
        self.by_owner.iter().find_map(|((tenant, _), records)| {
            records
                .iter()
                .find(|r| r.get("id").and_then(Value::as_str) == Some(id))
                .map(|r| (tenant.as_str(), r))
        })
    }
}

/// The ID of `tenant`'s `n`th record of `entity_type`.
pub(crate) fn entity_id(entity_type: &str, tenant: &str, n: usize) -> String {
    format!("urn:ngsi-ld:{entity_type}:{tenant}-{n:03}")
}

/// A record as served under `faults`.
pub(crate) fn served(record: &Value, owner: &str, faults: &[Fault]) -> Value {
    let mut record = record.clone();
    let Some(map) = record.as_object_mut() else {
        return record;
    };
    if faults.contains(&Fault::MissingEnvelope) {
        map.remove("envelope");
    }
    if faults.contains(&Fault::ExtraProperties) {
        map.insert("ownerTenant".to_owned(), json!(owner));
        map.insert("internalRowVersion".to_owned(), json!(7));
    }
    if faults.contains(&Fault::Identifiers) {
        map.insert(
            "description".to_owned(),
            json!("Reported by citizen.kim@example.org"),
        );
    }
    if faults.contains(&Fault::FineCoordinates) {
        let personal = matches!(
            map.get("type").and_then(Value::as_str),
            Some("MobilityTrip" | "EnergyMeterReading")
        );
        for member in ["startLocation", "endLocation", "location"] {
            if let Some(point) = map.get_mut(member).filter(|_| personal) {
                refine_point(point);
            }
        }
    }
    record
}

/// A key-values record as an NGSI-LD broker writes it normalized (ETSI GS
/// CIM 009): a GeoJSON geometry as a `GeoProperty`, a `ref...` member
/// naming one entity as a `Relationship`, every other attribute as a
/// `Property`; `id` and `type` as they are.
pub(crate) fn normalized(record: &Value) -> Value {
    let Some(map) = record.as_object() else {
        return record.clone();
    };
    let attributes = map.iter().map(|(name, value)| {
        let attribute = match name.as_str() {
            "id" | "type" => value.clone(),
            _ if is_geometry(value) => json!({ "type": "GeoProperty", "value": value }),
            _ if name.starts_with("ref") && value.is_string() => {
                json!({ "type": "Relationship", "object": value })
            }
            _ => json!({ "type": "Property", "value": value }),
        };
        (name.clone(), attribute)
    });
    Value::Object(attributes.collect())
}

/// A GeoJSON geometry (RFC 7946 §3.1): a `type` and `coordinates`.
fn is_geometry(value: &Value) -> bool {
    value.get("type").and_then(Value::as_str).is_some() && value.get("coordinates").is_some()
}

/// Gives a Point six decimals, as a raw GPS fix would have.
fn refine_point(point: &mut Value) {
    if point.get("type").and_then(Value::as_str) != Some("Point") {
        return;
    }
    if let Some(coordinates) = point.get_mut("coordinates").and_then(Value::as_array_mut) {
        for c in coordinates.iter_mut() {
            if let Some(x) = c.as_f64() {
                *c = json!(((x + 0.000_123) * 1e6).round() / 1e6);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tenant_holds_every_type() {
        let store = Store::new().expect("embedded records load");
        assert_eq!(store.types().len(), 6);
        for tenant in TENANTS {
            for t in store.types() {
                assert_eq!(store.list(tenant, &t).map(<[Value]>::len), Some(120));
            }
        }
        let id = entity_id("ParkingSpot", "tenant-b", 1);
        assert_eq!(store.find(&id).map(|(owner, _)| owner), Some("tenant-b"));
    }

    #[test]
    fn a_normalized_record_adapts_back_to_its_key_values_form() {
        let store = Store::new().expect("embedded records load");
        for t in store.types() {
            for record in store.list("tenant-a", &t).into_iter().flatten().take(1) {
                let mut record = record.clone();
                if let Some(map) = record.as_object_mut() {
                    map.remove("envelope");
                }
                let adapted = crate::payload::pipeline::adapt(
                    normalized(&record),
                    crate::payload::pipeline::Declared::Auto,
                )
                .expect("a normalized record adapts");
                assert_eq!(
                    adapted.representation,
                    crate::payload::pipeline::Representation::NgsiLdNormalized,
                    "{t}"
                );
                assert_eq!(adapted.value, record, "{t}");
            }
        }
    }
}
