//! A requirement: one testable statement with a stable ID, an RFC 2119
//! level, an area, the clauses it is read from, and the check that decides
//! it. Requirements are data (`suites/catalogue/*.toml`), never code.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// RFC 2119 level. The level decides what a violation means: a failed MUST
/// fails the profile, a failed SHOULD or MAY is a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    /// An absolute requirement.
    Must,
    /// A recommendation: deviating needs a reason.
    Should,
    /// Truly optional.
    May,
}

impl Level {
    /// `MUST`, `SHOULD` or `MAY`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::May => "MAY",
        }
    }
}

/// The concern a requirement belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Area {
    /// Transport security, authentication, authorization, hardening.
    Cybersecurity,
    /// Where personal data goes, for what, on what basis.
    DataFlow,
    /// Identifiers, quasi-identifiers, coarsening, k-anonymity and kin.
    Anonymization,
    /// Conformance to the shared schemas and exchange formats.
    Interoperability,
}

impl Area {
    /// The kebab-case name used in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Cybersecurity => "cybersecurity",
            Area::DataFlow => "data-flow",
            Area::Anonymization => "anonymization",
            Area::Interoperability => "interoperability",
        }
    }
}

/// A clause of a public text that a requirement (or a profile's use of it)
/// is read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    /// The text: "GDPR", "PIPA", "OWASP API Security Top 10 2023", ...
    pub source: String,
    /// The clause within it: "Art. 24-2", "API3:2023", ...
    pub clause: String,
    /// Why the clause applies, when it is not obvious.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The check that decides a requirement, and its default parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSpec {
    /// Which check: for example `payload-schema`.
    pub kind: String,
    /// Default parameters; a profile may override each.
    #[serde(default)]
    pub params: Map<String, Value>,
}

/// One requirement of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// Stable ID, such as `ANON-ID-VALUE-01`. Never reused for another meaning.
    pub id: String,
    /// One line.
    pub title: String,
    /// The testable statement.
    pub statement: String,
    /// The default level; a profile may raise or lower it.
    pub level: Level,
    /// The concern.
    pub area: Area,
    /// The clauses it is read from.
    pub clauses: Vec<Clause>,
    /// How it is decided.
    pub check: CheckSpec,
}
