//! Records against the declaration they are exchanged under: a record's
//! envelope names its flow (`flow`), and may name its recipient
//! (`recipient`), destination country (`destination`) and personal-data
//! categories (`dataCategories`). Each must be one the declared flow
//! covers, as must every purpose; a record whose schema marks a
//! quasi-identifying location that holds a value carries location data,
//! whether or not its envelope says so.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::declaration::{Declaration, Flow, LOCATION_CATEGORIES};
use crate::engine::{Outcome, ParamError, Violation, params};
use crate::schema::governance::values_at;
use crate::schema::{CompiledSchema, PrivacyRole};

/// The check kind, as named in the catalogue.
pub const KIND: &str = "payload-declared-flow";

/// A record is covered by the declaration's flow it names.
#[derive(Debug, Clone)]
pub struct DeclaredFlowCheck {
    declaration: Arc<Declaration>,
    member: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    #[serde(default = "default_member")]
    member: String,
}

fn default_member() -> String {
    "envelope".to_owned()
}

impl DeclaredFlowCheck {
    /// Builds the check against `declaration` with `raw` parameters.
    pub fn build(
        raw: &Map<String, Value>,
        declaration: Arc<Declaration>,
    ) -> Result<Self, ParamError> {
        let p: Params = params(KIND, raw)?;
        Ok(DeclaredFlowCheck {
            declaration,
            member: p.member,
        })
    }

    /// Judges one record, with its schema when it has one.
    pub fn run(&self, record: &Value, schema: Option<&CompiledSchema>) -> Outcome {
        let Some(envelope) = record.get(&self.member).and_then(Value::as_object) else {
            return Outcome::NotApplicable(format!(
                "the record has no `{}` object to match against the declaration",
                self.member
            ));
        };
        let at = format!("/{}", self.member.replace('~', "~0").replace('/', "~1"));
        let flow = match self.flow_of(record, envelope, &at) {
            Ok(flow) => flow,
            Err(violation) => return Outcome::Violations(vec![violation]),
        };
        let mut violations = Vec::new();
        purposes(flow, envelope, &at, &mut violations);
        recipient(flow, envelope, &at, &mut violations);
        categories(
            flow,
            envelope,
            &at,
            carries_location(record, schema),
            &mut violations,
        );
        Outcome::from_violations(violations)
    }

    /// The flow the record names, or the only one declared for its type.
    fn flow_of<'d>(
        &'d self,
        record: &Value,
        envelope: &Map<String, Value>,
        at: &str,
    ) -> Result<&'d Flow, Violation> {
        if let Some(named) = envelope.get("flow") {
            let id = named.as_str().unwrap_or_default();
            return self.declaration.flow(id).ok_or_else(|| {
                Violation::new(
                    format!("{at}/flow"),
                    format!(
                        "the envelope names flow `{id}`, which `{}` does not declare",
                        self.declaration.file
                    ),
                )
            });
        }
        let entity = record
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let mut candidates = self
            .declaration
            .flows
            .iter()
            .filter(|f| f.entity_types.iter().any(|t| t == entity));
        match (candidates.next(), candidates.next()) {
            (Some(flow), None) => Ok(flow),
            (Some(_), Some(_)) => Err(Violation::new(
                at.to_owned(),
                format!("several declared flows carry `{entity}` records; name the flow in `flow`"),
            )),
            (None, _) => Err(Violation::new(
                at.to_owned(),
                format!(
                    "no flow of `{}` carries `{entity}` records; name a declared flow in `flow`",
                    self.declaration.file
                ),
            )),
        }
    }
}

fn purposes(flow: &Flow, envelope: &Map<String, Value>, at: &str, out: &mut Vec<Violation>) {
    let listed = envelope.get("purpose").and_then(Value::as_array);
    for (i, purpose) in listed.into_iter().flatten().enumerate() {
        let purpose = purpose.as_str().unwrap_or_default();
        if !flow.purposes.iter().any(|p| p == purpose) {
            out.push(Violation::new(
                format!("{at}/purpose/{i}"),
                format!("purpose `{purpose}` is not declared for flow `{}`", flow.id),
            ));
        }
    }
}

fn recipient(flow: &Flow, envelope: &Map<String, Value>, at: &str, out: &mut Vec<Violation>) {
    let named = envelope
        .get("recipient")
        .map(|r| r.as_str().unwrap_or_default());
    let recipients: Vec<_> = match named {
        Some(id) => {
            let found: Vec<_> = flow.recipients.iter().filter(|r| r.id == id).collect();
            if found.is_empty() {
                out.push(Violation::new(
                    format!("{at}/recipient"),
                    format!("recipient `{id}` is not declared for flow `{}`", flow.id),
                ));
                return;
            }
            found
        }
        None => flow.recipients.iter().collect(),
    };
    if let Some(destination) = envelope.get("destination") {
        let destination = destination.as_str().unwrap_or_default();
        let covered = recipients
            .iter()
            .any(|r| r.destinations.iter().any(|d| d == destination || d == "*"));
        if !covered {
            out.push(
                Violation::new(
                    format!("{at}/destination"),
                    format!(
                        "destination {destination} is not declared for {} of flow `{}`",
                        named.map_or("any recipient".to_owned(), |id| format!("recipient `{id}`")),
                        flow.id
                    ),
                )
                .tap_evidence(json!({ "destination": destination })),
            );
        }
    }
}

fn categories(
    flow: &Flow,
    envelope: &Map<String, Value>,
    at: &str,
    carries_location: bool,
    out: &mut Vec<Violation>,
) {
    let listed = envelope.get("dataCategories").and_then(Value::as_array);
    for (i, category) in listed.into_iter().flatten().enumerate() {
        let category = category.as_str().unwrap_or_default();
        if !flow.data_categories.iter().any(|c| c == category) {
            out.push(Violation::new(
                format!("{at}/dataCategories/{i}"),
                format!(
                    "category `{category}` is not declared for flow `{}`",
                    flow.id
                ),
            ));
        }
    }
    let declares_location = flow
        .data_categories
        .iter()
        .any(|c| LOCATION_CATEGORIES.contains(&c.as_str()));
    if carries_location && !declares_location {
        out.push(Violation::new(
            at.to_owned(),
            format!(
                "the record carries a quasi-identifying location, but flow `{}` declares no location category",
                flow.id
            ),
        ));
    }
}

/// Whether a field the schema marks as a quasi-identifying location holds
/// a value in `record`.
fn carries_location(record: &Value, schema: Option<&CompiledSchema>) -> bool {
    schema.is_some_and(|schema| {
        schema
            .fields
            .iter()
            .filter(|f| {
                f.role == Some(PrivacyRole::QuasiIdentifier) && f.max_coordinate_decimals.is_some()
            })
            .any(|f| values_at(record, &f.path).iter().any(|(_, v)| !v.is_null()))
    })
}

trait TapEvidence {
    fn tap_evidence(self, evidence: Value) -> Self;
}

impl TapEvidence for Violation {
    fn tap_evidence(mut self, evidence: Value) -> Self {
        self.evidence = Some(evidence);
        self
    }
}
