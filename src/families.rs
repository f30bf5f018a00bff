//! The one table of check kinds: every kind a requirement may name, and
//! the family that builds it. The engine knows no family; the catalogue
//! is checked against this table where the suites are loaded, so a
//! requirement naming an unknown kind stops the run before anything is
//! read, with its file and line.
//!
//! To add a family: its folder, one row here, one job kind in
//! [`crate::harness`].

use crate::catalog::Catalogue;
use crate::error::{Error, FileProblem, Result};

/// A family of checks: the subjects it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Payload records (files, or the data answers of a live audit).
    Payload,
    /// A dataset's equivalence classes.
    Dataset,
    /// The flows of a data-flow declaration.
    Flows,
    /// A live platform's answers, decided by the cases in `suites/live/`.
    Live,
}

/// The family that builds check `kind`, or `None` for an unknown kind.
pub fn family_of(kind: &str) -> Option<Family> {
    if crate::payload::kinds().any(|k| k == kind) {
        Some(Family::Payload)
    } else if crate::dataset::checks::KINDS.contains(&kind) {
        Some(Family::Dataset)
    } else if crate::flows::checks::KINDS.contains(&kind) {
        Some(Family::Flows)
    } else if crate::live::KINDS.contains(&kind) {
        Some(Family::Live)
    } else {
        None
    }
}

/// Refuses a catalogue whose requirements name a check kind no family
/// builds, naming each with its file and line.
pub fn check_kinds(catalogue: &Catalogue) -> Result<()> {
    let problems: Vec<FileProblem> = catalogue
        .requirements()
        .filter(|r| family_of(&r.check.kind).is_none())
        .map(|r| {
            catalogue.problem_in(
                &format!("requirement:{}", r.id),
                "/check/kind",
                format!(
                    "requirement `{}` names unknown check `{}`",
                    r.id, r.check.kind
                ),
            )
        })
        .collect();
    Error::unless_problems(problems)
}
