//! The flow matrix: for each declared flow, whether it meets each selected
//! profile, and for each pair of profiles whether it meets both at once and
//! what stands in the way. It makes visible where regional rules diverge
//! for one concrete flow.

use serde::{Deserialize, Serialize};

use super::Location;

/// Flows by profile, and by pair of profiles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matrix {
    /// The declaration whose flows these are, as its input names it.
    pub declaration: String,
    /// The profiles, in the order asked for.
    pub profiles: Vec<String>,
    /// Where a data standard requires what a profile of the matrix
    /// forbids, both sides cited: a flow of a standard's entity cannot
    /// meet that profile and the standard at once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub standards: Vec<crate::catalog::StandardConflict>,
    /// One row per flow, in declaration order.
    pub flows: Vec<MatrixRow>,
}

/// One flow across the profiles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatrixRow {
    /// The flow's ID.
    pub flow: String,
    /// Where the flow is declared.
    pub location: Location,
    /// Whether the flow meets each profile, in profile order.
    pub met: Vec<ProfileCell>,
    /// Every pair of profiles, in profile order.
    pub pairs: Vec<PairResult>,
}

/// Whether a flow meets one profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileCell {
    /// Profile ID.
    pub profile: String,
    /// No MUST requirement failed or errored for this flow.
    pub met: bool,
    /// When the profile read the flow as if it started in its region
    /// (it starts elsewhere), what it assumed; the verdict is then
    /// hypothetical.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
}

/// Whether a flow meets two profiles at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairResult {
    /// The first profile.
    pub left: String,
    /// The second profile.
    pub right: String,
    /// The flow meets both.
    pub both: bool,
    /// What would have to change for the flow to meet both: each MUST
    /// requirement that fails under either profile, with its finding.
    pub needed: Vec<Blocker>,
}

/// One obstacle to meeting a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Blocker {
    /// The profile whose requirement fails.
    pub profile: String,
    /// The requirement.
    pub requirement: String,
    /// The finding's message.
    pub message: String,
    /// The regional clauses `profile` cites for the requirement; empty
    /// when it adds none (it then cites the requirement's own).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clauses: Vec<crate::catalog::Clause>,
    /// What `profile` assumed when the flow starts outside its region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
}
