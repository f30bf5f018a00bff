//! Verdicts: what a check concluded about one requirement for one subject,
//! and how a requirement's verdict over many subjects is summed up.

use serde::{Deserialize, Serialize};

use crate::catalog::Level;

/// What a check concluded. The variants are declared in severity order,
/// so the derived order is the order in which many verdicts sum into one
/// ([`Verdict::severity`]): a definite failure outweighs a check that could
/// not run, which outweighs a warning, which outweighs a waived break; a
/// pass outweighs "not applicable".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The requirement does not apply (the reason says why).
    Skip,
    /// The requirement is met.
    Pass,
    /// Broken, but covered by an active waiver (requirement, subject,
    /// justification, approver, expiry): shown, and not failing the run.
    Waived,
    /// A SHOULD or MAY requirement is broken.
    Warn,
    /// The requirement applies but could not be checked (the reason says
    /// why); on a MUST it fails the profile.
    Error,
    /// A MUST requirement is broken.
    Fail,
}

impl Verdict {
    /// Whether this verdict, on a requirement at `level`, leaves a profile
    /// not met: a MUST that failed or could not be checked.
    pub fn fails_profile(self, level: Level) -> bool {
        level == Level::Must && matches!(self, Verdict::Fail | Verdict::Error)
    }

    /// What breaking a requirement of `level` means.
    pub fn for_violation(level: Level) -> Verdict {
        match level {
            Level::Must => Verdict::Fail,
            Level::Should | Level::May => Verdict::Warn,
        }
    }

    /// Lower-case name, as in every report.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Warn => "warn",
            Verdict::Skip => "skip",
            Verdict::Error => "error",
            Verdict::Waived => "waived",
        }
    }

    /// How much a verdict weighs when many are summed into one: its
    /// position in the declaration.
    pub fn severity(self) -> u8 {
        self as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_follows_the_declaration_order() {
        let order = [
            Verdict::Skip,
            Verdict::Pass,
            Verdict::Waived,
            Verdict::Warn,
            Verdict::Error,
            Verdict::Fail,
        ];
        for pair in order.windows(2) {
            assert!(pair[0] < pair[1]);
            assert!(pair[0].severity() < pair[1].severity());
        }
    }
}
