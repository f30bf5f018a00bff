//! The parts of a report that make it evidence: what each waiver did, the
//! digests of everything that produced the verdicts, and the signature.
//! Rendering and checking them live elsewhere ([`crate::waiver`],
//! [`crate::attest`]); this is only their shape in the report.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What one waiver did in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaiverOutcome {
    /// The waiver's ID (as written, or `REQUIREMENT#N` by position).
    pub id: String,
    /// The requirement it covers.
    pub requirement: String,
    /// The subjects it covers (a glob over finding files); all when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Why the break is accepted.
    pub justification: String,
    /// Who accepted it.
    pub approved_by: String,
    /// The last day it is in force, `YYYY-MM-DD`.
    pub expires: String,
    /// What it did.
    pub status: WaiverStatus,
    /// Findings it covered (0 when expired or unmatched).
    pub matched: u64,
}

/// A waiver's state in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WaiverStatus {
    /// In force and covering at least one finding.
    Active,
    /// Past its expiry date: covers nothing and fails the run.
    Expired,
    /// In force but covering nothing: the break it was for is gone, or the
    /// requirement or subject pattern is wrong.
    Unmatched,
}

impl WaiverStatus {
    /// Lower-case name, as in every report.
    pub fn as_str(self) -> &'static str {
        match self {
            WaiverStatus::Active => "active",
            WaiverStatus::Expired => "expired",
            WaiverStatus::Unmatched => "unmatched",
        }
    }
}

/// Digests (`sha256:` and lower-case hex) of what produced the verdicts,
/// so that a verifier can tell whether a report came from the suites
/// (catalogue, profiles, lists, live cases) and schemas it trusts, and from
/// which inputs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// Requirement catalogue files, identifier detector definition files
    /// (`suites/detectors/`) and data standard files
    /// (`suites/standards/`) in force, by name.
    pub catalogue: BTreeMap<String, String>,
    /// Profile files of the selected profiles and their lineage, by name.
    pub profiles: BTreeMap<String, String>,
    /// List files in force (the `@<id>` lists profile parameters name), by
    /// name. Absent from reports written before lists were digested, which
    /// then fail verification rather than pass unchecked.
    #[serde(default)]
    pub lists: BTreeMap<String, String>,
    /// Live-case files in force (the requests and expectations that decide
    /// the live requirements), by name; absent from older reports, as
    /// `lists`.
    #[serde(default)]
    pub live_cases: BTreeMap<String, String>,
    /// Schemas known to the run, by file name (canonical JSON digested).
    pub schemas: BTreeMap<String, String>,
    /// Files the run read, by path as reported: the inputs, and the files
    /// that said how to read them (a dataset's descriptor, a live target,
    /// a declaration payloads were checked against).
    pub inputs: BTreeMap<String, String>,
    /// The live target, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

/// An Ed25519 signature over the report.
///
/// The signed message is the RFC 8785 canonical JSON of this object
/// without `value`: the algorithm names, the signer's key ID and the
/// digest of each top-level member of the report (each member itself in
/// canonical JSON). So every byte of content is covered, and a verifier can
/// say which member changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    /// Always `ed25519`.
    pub algorithm: String,
    /// Always `jcs` (RFC 8785).
    pub canonicalization: String,
    /// `sha256:` digest of the raw 32-byte public key.
    pub key_id: String,
    /// Digest of each signed top-level member, by member name.
    pub sections: BTreeMap<String, String>,
    /// The 64-byte signature, standard base64.
    pub value: String,
}
