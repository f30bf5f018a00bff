//! Where two profiles diverge: requirements one selects and the other does
//! not, levels that differ, and parameters that differ or contradict. The
//! point is to make non-interoperable rules visible so that regions can
//! align them; a diff of a profile with itself is empty, and the diff of Q
//! with P is the diff of P with Q with its sides swapped.

use serde::Serialize;
use serde_json::Value;

use super::{Catalogue, Clause, Level, Selection, StandardConflict};
use crate::error::Result;

/// The differences between two resolved profiles.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileDiff {
    /// The left profile's ID.
    pub left: String,
    /// The right profile's ID.
    pub right: String,
    /// One entry per difference, by requirement then parameter.
    pub entries: Vec<DiffEntry>,
    /// For each requirement that differs, the regional clauses each side
    /// adds to the catalogue's own: why each region reads it as it does.
    pub citations: Vec<Citation>,
    /// Standards versus profiles: where a bundled data standard requires
    /// what either profile forbids, by standard, requirement, then profile
    /// ID (so that swapping the sides changes nothing).
    pub standards: Vec<StandardConflict>,
    /// The day dated lists were read on (`YYYY-MM-DD`): a list's members
    /// are those in force that day, so a diff says what differs then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
}

/// The regional clauses each profile cites for one requirement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Citation {
    /// The requirement.
    pub requirement: String,
    /// Clauses the left profile's lineage adds.
    pub left: Vec<Clause>,
    /// Clauses the right profile's lineage adds.
    pub right: Vec<Clause>,
    /// The sides (profile IDs, in ID order) that select the requirement
    /// but add no clause of their own: they rest on the requirement's own
    /// clauses, which their entry above holds, so that no side cites
    /// nothing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requirement_clauses_for: Vec<String>,
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffEntry {
    /// The requirement it concerns.
    pub requirement: String,
    /// What differs.
    #[serde(flatten)]
    pub kind: DiffKind,
}

/// What differs about a requirement.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum DiffKind {
    /// Only the left profile selects it, at this level.
    OnlyLeft {
        /// Its level there.
        level: Level,
    },
    /// Only the right profile selects it, at this level.
    OnlyRight {
        /// Its level there.
        level: Level,
    },
    /// Both select it, at different levels.
    Level {
        /// Left level.
        left: Level,
        /// Right level.
        right: Level,
    },
    /// A parameter differs.
    Param {
        /// The parameter.
        key: String,
        /// Its value on the left (lists expanded), if set.
        left: Option<Value>,
        /// Its value on the right (lists expanded), if set.
        right: Option<Value>,
        /// For lists: members only the left has.
        only_left: Vec<Value>,
        /// For lists: members only the right has.
        only_right: Vec<Value>,
        /// No single setting satisfies both: two different switches or
        /// words, or two lists with no member in common (no one choice,
        /// such as a legal basis or a mechanism, is in both). A stricter
        /// and a looser number, or two lists that share a member, merely
        /// differ: lists are compared by what their members stand for (a
        /// law's name for a concept is the concept), so two laws' names
        /// for one requirement do not make a contradiction.
        contradicts: bool,
    },
}

impl DiffKind {
    /// The same difference seen from the other side.
    #[must_use]
    pub fn swapped(self) -> Self {
        match self {
            DiffKind::OnlyLeft { level } => DiffKind::OnlyRight { level },
            DiffKind::OnlyRight { level } => DiffKind::OnlyLeft { level },
            DiffKind::Level { left, right } => DiffKind::Level {
                left: right,
                right: left,
            },
            DiffKind::Param {
                key,
                left,
                right,
                only_left,
                only_right,
                contradicts,
            } => DiffKind::Param {
                key,
                left: right,
                right: left,
                only_left: only_right,
                only_right: only_left,
                contradicts,
            },
        }
    }
}

impl ProfileDiff {
    /// Differences between profiles `left` and `right` of `catalogue`.
    /// `expand` turns a parameter value into what it stands for (named
    /// lists replaced by their members), so that two profiles naming equal
    /// lists differently do not differ.
    pub fn between(
        catalogue: &Catalogue,
        left: &str,
        right: &str,
        expand: &dyn Fn(&Value) -> Value,
    ) -> Result<Self> {
        let l = catalogue.resolve(left)?;
        let r = catalogue.resolve(right)?;
        let ids = l.ids_with(&r);
        let mut entries = Vec::new();
        let mut citations = Vec::new();
        for id in ids {
            let (a, b) = (l.selection(id), r.selection(id));
            let kinds = match (a, b) {
                (Some(a), None) => vec![DiffKind::OnlyLeft { level: a.level }],
                (None, Some(b)) => vec![DiffKind::OnlyRight { level: b.level }],
                (Some(a), Some(b)) => selection_diff(a, b, expand),
                (None, None) => Vec::new(),
            };
            if !kinds.is_empty() {
                let own = &catalogue.requirement(id)?.clauses;
                let mut citation = Citation {
                    requirement: id.to_owned(),
                    left: a.map(|s| s.clauses.clone()).unwrap_or_default(),
                    right: b.map(|s| s.clauses.clone()).unwrap_or_default(),
                    requirement_clauses_for: Vec::new(),
                };
                for (selection, clauses, side) in [
                    (a, &mut citation.left, &l.id),
                    (b, &mut citation.right, &r.id),
                ] {
                    if selection.is_some() && clauses.is_empty() && !own.is_empty() {
                        clauses.clone_from(own);
                        citation.requirement_clauses_for.push(side.clone());
                    }
                }
                // In ID order, so that swapping the sides changes nothing.
                citation.requirement_clauses_for.sort();
                citations.push(citation);
            }
            entries.extend(kinds.into_iter().map(|kind| DiffEntry {
                requirement: id.to_owned(),
                kind,
            }));
        }
        let mut standards = catalogue.standard_conflicts(&l.id)?;
        if r.id != l.id {
            standards.extend(catalogue.standard_conflicts(&r.id)?);
        }
        standards.sort_by(|a, b| {
            (&a.standard, &a.requirement, &a.param, &a.profile).cmp(&(
                &b.standard,
                &b.requirement,
                &b.param,
                &b.profile,
            ))
        });
        Ok(ProfileDiff {
            left: l.id,
            right: r.id,
            entries,
            citations,
            standards,
            as_of: None,
        })
    }

    /// The same diff with its sides swapped.
    #[must_use]
    pub fn swapped(self) -> Self {
        ProfileDiff {
            left: self.right,
            right: self.left,
            entries: self
                .entries
                .into_iter()
                .map(|e| DiffEntry {
                    requirement: e.requirement,
                    kind: e.kind.swapped(),
                })
                .collect(),
            citations: self
                .citations
                .into_iter()
                .map(|c| Citation {
                    requirement: c.requirement,
                    left: c.right,
                    right: c.left,
                    requirement_clauses_for: c.requirement_clauses_for,
                })
                .collect(),
            standards: self.standards,
            as_of: self.as_of,
        }
    }
}

fn selection_diff(a: &Selection, b: &Selection, expand: &dyn Fn(&Value) -> Value) -> Vec<DiffKind> {
    let mut out = Vec::new();
    if a.level != b.level {
        out.push(DiffKind::Level {
            left: a.level,
            right: b.level,
        });
    }
    let mut keys: Vec<&String> = a.params.keys().chain(b.params.keys()).collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        let left = a.params.get(key).map(expand);
        let right = b.params.get(key).map(expand);
        if left == right {
            continue;
        }
        let (only_left, only_right) = match (&left, &right) {
            (Some(Value::Array(x)), Some(Value::Array(y))) => (
                x.iter().filter(|v| !y.contains(v)).cloned().collect(),
                y.iter().filter(|v| !x.contains(v)).cloned().collect(),
            ),
            _ => (Vec::new(), Vec::new()),
        };
        let contradicts = match (&left, &right) {
            (Some(Value::Array(x)), Some(Value::Array(y))) => {
                !x.is_empty() && !y.is_empty() && !x.iter().any(|v| y.contains(v))
            }
            (Some(Value::Bool(_)), Some(Value::Bool(_)))
            | (Some(Value::String(_)), Some(Value::String(_))) => true,
            _ => false,
        };
        out.push(DiffKind::Param {
            key: key.clone(),
            left,
            right,
            only_left,
            only_right,
            contradicts,
        });
    }
    out
}
