//! The checks: each decides one kind of requirement on one kind of subject.
//! A check is built once from its parameters (bad parameters fail the run
//! before any subject is read) and then run on many subjects.
//!
//! Checks know nothing of profiles or levels: they say what they saw
//! ([`Outcome`]); the engine in [`crate::run`] turns that into verdicts.

pub(crate) mod coarsening;
pub mod dataset;
pub mod identifiers;
pub mod payload;

use serde_json::Value;

/// What a check saw on one subject.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Nothing wrong.
    Pass,
    /// One or more things wrong.
    Violations(Vec<Violation>),
    /// The requirement does not apply to this subject.
    NotApplicable(String),
    /// The check could not run on this subject.
    Error(String),
}

/// One thing wrong with a subject.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// JSON pointer of the field, empty for the whole subject.
    pub pointer: String,
    /// Plain words; never the value of a detected identifier.
    pub message: String,
    /// Structured detail, if any.
    pub evidence: Option<Value>,
}

impl Violation {
    /// A violation at `pointer`.
    pub fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Violation {
            pointer: pointer.into(),
            message: message.into(),
            evidence: None,
        }
    }
}

impl Outcome {
    /// `Pass` when `violations` is empty.
    pub fn from_violations(violations: Vec<Violation>) -> Self {
        if violations.is_empty() {
            Outcome::Pass
        } else {
            Outcome::Violations(violations)
        }
    }
}

/// A check's parameters as its typed form; a wrong or unknown member is
/// named with the check's kind (every params struct denies unknown fields).
pub(crate) fn params<T: serde::de::DeserializeOwned>(
    kind: &str,
    raw: &serde_json::Map<String, Value>,
) -> Result<T, String> {
    serde_json::from_value(Value::Object(raw.clone()))
        .map_err(|e| format!("invalid parameters for check `{kind}`: {e}"))
}

/// Whether any check family knows the check `kind`.
pub fn is_known_kind(kind: &str) -> bool {
    payload::KINDS.contains(&kind)
        || dataset::KINDS.contains(&kind)
        || crate::flows::checks::KINDS.contains(&kind)
        || kind == crate::flows::payload::KIND
        || crate::live::KINDS.contains(&kind)
}
