//! The payload family: records exchanged between platforms (JSON, NDJSON,
//! JSON-LD files, and the data answers of a live audit), checked against
//! the shared schemas and the payload requirements.
//!
//! - [`records`]: payload files cut into records with their lines.
//! - [`checks`]: the payload checks, one per kind.
//! - [`declared_flow`]: the check of records against a data-flow
//!   declaration.
//! - [`representation`]: the forms a record arrives in (key-values,
//!   NGSI-LD normalized and concise, NGSI-v2 normalized, GeoJSON Feature)
//!   and their adapters, with pointers back into the record as it arrived.
//! - [`pipeline`]: the one record pipeline (representation, schema,
//!   checks) that records from files and from live answers go through.
//! - `validate`: payload files through the pipeline into the report.

pub mod checks;
pub mod declared_flow;
pub mod pipeline;
pub mod records;
pub mod representation;
#[cfg(test)]
mod same_verdicts;
mod validate;

use crate::detect::definitions::Definitions;
use std::sync::Arc;

use crate::catalog::Catalogue;
use crate::declaration::Declaration;
use crate::engine::{ParamError, Plan, Selection};
use crate::error::{Error, Result};
use crate::schema::{ENVELOPE_URI, SchemaRegistry};

pub use checks::{PayloadCheck, RecordView};
pub use validate::{ValidateOptions, validate};

/// The check kinds this family builds.
pub fn kinds() -> impl Iterator<Item = &'static str> {
    checks::KINDS
        .iter()
        .copied()
        .chain(std::iter::once(declared_flow::KIND))
}

/// The plan of a payload run.
pub type PayloadPlan = Plan<PayloadCheck>;

/// Builds the payload plan for `selection`. Requirements checking records
/// against a data-flow declaration are planned only when `declaration` is
/// given; asking for one by ID without it is a usage error.
pub fn plan(
    catalogue: &Catalogue,
    registry: &SchemaRegistry,
    selection: Selection<'_>,
    declaration: Option<Arc<Declaration>>,
) -> Result<PayloadPlan> {
    for id in selection.only {
        let requirement = catalogue.requirement(id)?;
        if requirement.check.kind == declared_flow::KIND && declaration.is_none() {
            return Err(Error::Usage(format!(
                "`{id}` checks records against a data-flow declaration; name one with --declaration"
            )));
        }
    }
    let definitions = Definitions::from_catalogue(catalogue)?;
    Plan::build(catalogue, selection, "payload", None, |kind, params| {
        build(kind, params, registry, declaration.as_ref(), &definitions)
    })
}

/// One payload check, or `None` for a kind another family decides (and
/// for a declared-flow check without a declaration).
pub(crate) fn build(
    kind: &str,
    params: &serde_json::Map<String, serde_json::Value>,
    registry: &SchemaRegistry,
    declaration: Option<&Arc<Declaration>>,
    definitions: &Definitions,
) -> Option<std::result::Result<PayloadCheck, ParamError>> {
    if kind == declared_flow::KIND {
        let declaration = declaration?;
        return Some(
            declared_flow::DeclaredFlowCheck::build(params, Arc::clone(declaration))
                .map(|check| PayloadCheck::DeclaredFlow(Box::new(check))),
        );
    }
    if !checks::KINDS.contains(&kind) {
        return None;
    }
    Some(PayloadCheck::build(
        kind,
        params,
        || registry.compile(ENVELOPE_URI).map_err(|e| e.to_string()),
        definitions,
    ))
}
