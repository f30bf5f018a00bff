//! Profiles: a jurisdiction's selection of requirements and their
//! parameters, layered on a parent (`baseline` is the common core).
//!
//! A profile file says only what differs from its parent: requirements it
//! adds, parameters and levels it changes, clauses it cites in addition, and
//! requirements it drops. [`ResolvedProfile`] is the flattened result that a
//! run uses.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::requirement::{Clause, Level};

/// A profile as written in `suites/profiles/<id>.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Stable ID: `baseline`, `kr`, `eu`, ...
    pub id: String,
    /// One line.
    pub title: String,
    /// What the profile is a reading of.
    pub description: String,
    /// The profile this one layers on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// Its own ID, when it replaces a profile of that ID defined before it
    /// (bundled, or in an earlier overlay): a replacement must say so,
    /// because it changes what a familiar profile name means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
    /// ISO 3166 codes the profile speaks for.
    #[serde(default)]
    pub jurisdictions: Vec<String>,
    /// Requirements selected or changed, by ID.
    #[serde(default)]
    pub requirements: BTreeMap<String, ProfileEntry>,
    /// Requirements of the parent that this profile drops.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// How long after its `as_of` a list this profile uses may still be
    /// relied on (an ISO 8601 duration such as P1Y): an older list gives
    /// the report a warning. Inherited along the lineage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<String>,
    /// The longest a waiver may run under this profile, counted from the
    /// day of the report to its expiry (an ISO 8601 duration such as P6M):
    /// an exception approved for longer is refused with the limit named.
    /// Inherited along the lineage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_waiver: Option<String>,
}

/// What a profile says about one requirement.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileEntry {
    /// A different level than the requirement's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// Parameters that override the requirement's defaults, key by key.
    #[serde(default)]
    pub params: Map<String, Value>,
    /// Regional clauses cited in addition to the requirement's own.
    #[serde(default)]
    pub clauses: Vec<Clause>,
}

/// A profile with its parents folded in: exactly what a run checks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolvedProfile {
    /// The profile's ID.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The IDs from the root (`baseline`) down to this profile.
    pub lineage: Vec<String>,
    /// Every selected requirement, in ID order.
    pub requirements: Vec<Selection>,
    /// How old a list may be before the report warns (the nearest
    /// `max_age` on the lineage).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_age: Option<String>,
    /// How long a waiver may run (the nearest `max_waiver` on the lineage).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_waiver: Option<String>,
}

/// One requirement as a resolved profile selects it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Selection {
    /// The requirement ID.
    pub id: String,
    /// The level in force under this profile.
    pub level: Level,
    /// The parameters in force: the requirement's defaults overridden by
    /// every profile on the lineage, nearest last.
    pub params: Map<String, Value>,
    /// Regional clauses added along the lineage.
    pub clauses: Vec<Clause>,
    /// The profile that last set this requirement's parameters or level;
    /// `None` when the catalogue's defaults are in force.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set_by: Option<String>,
}

impl ResolvedProfile {
    /// The IDs of the requirements this profile or `other` selects, in ID
    /// order, each once: what two profiles are compared over.
    pub fn ids_with<'p>(&'p self, other: &'p ResolvedProfile) -> Vec<&'p str> {
        let mut ids: Vec<&str> = self
            .requirements
            .iter()
            .chain(&other.requirements)
            .map(|s| s.id.as_str())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The selection of requirement `id`, if this profile selects it.
    pub fn selection(&self, id: &str) -> Option<&Selection> {
        self.requirements.iter().find(|s| s.id == id)
    }
}
