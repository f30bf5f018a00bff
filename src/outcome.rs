//! The checks: each decides one kind of requirement on one kind of subject.
//! A check is built once from its parameters (bad parameters fail the run
//! before any subject is read) and then run on many subjects.
//!
//! Checks know nothing of profiles or levels: they say what they saw
//! ([`Outcome`]); the engine in [`crate::engine`] turns that into verdicts.

use serde_json::Value;

/// What a check saw on one subject.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Nothing wrong.
    Pass,
    /// One or more things wrong.
    Violations(Vec<Violation>),
    /// The requirement does not apply to this subject (the reason says
    /// why: the record has no coordinates, the target declares no admin
    /// operation). Counted as `skip`.
    NotApplicable(String),
    /// The requirement applies but could not be checked on this subject
    /// (the body could not be read, the budget ran out, no answer decided
    /// it). Counted as `error`: a MUST that could not be checked fails its
    /// profile, because something selected and not checked is never met.
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
) -> Result<T, ParamError> {
    serde_json::from_value(Value::Object(raw.clone()))
        .map_err(|e| ParamError::new(format!("invalid parameters for check `{kind}`: {e}")))
}

/// Why a check could not be built from the parameters a profile gives it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParamError {
    message: String,
}

impl ParamError {
    /// A parameter error saying `message`.
    pub fn new(message: impl Into<String>) -> Self {
        ParamError {
            message: message.into(),
        }
    }
}

impl From<String> for ParamError {
    fn from(message: String) -> Self {
        ParamError::new(message)
    }
}
