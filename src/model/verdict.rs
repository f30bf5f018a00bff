//! Verdicts: what a check concluded about one requirement for one subject,
//! and how a requirement's verdict over many subjects is summed up.

use serde::{Deserialize, Serialize};

use crate::catalog::Level;

/// What a check concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The requirement is met.
    Pass,
    /// A MUST requirement is broken.
    Fail,
    /// A SHOULD or MAY requirement is broken.
    Warn,
    /// The requirement does not apply (the reason says why).
    Skip,
    /// The check could not run (the reason says why).
    Error,
    /// Broken, but covered by an active waiver (requirement, subject,
    /// justification, approver, expiry): shown, and not failing the run.
    Waived,
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

    /// How much a verdict weighs when many are summed into one: a definite
    /// failure outweighs a check that could not run, which outweighs a
    /// warning, which outweighs a waived break; a pass outweighs "not
    /// applicable".
    pub fn severity(self) -> u8 {
        match self {
            Verdict::Skip => 0,
            Verdict::Pass => 1,
            Verdict::Waived => 2,
            Verdict::Warn => 3,
            Verdict::Error => 4,
            Verdict::Fail => 5,
        }
    }
}
