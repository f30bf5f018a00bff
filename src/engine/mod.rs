//! The engine every family runs on: the [`plan`] (what the selected
//! profiles ask for, each check built once) and the [`tally`] that turns
//! what checks report ([`crate::outcome`]) into
//! the one [`crate::model::Report`]. It knows no family: families hand it
//! their checks and their subjects' outcomes.

pub mod plan;
pub mod tally;

pub(crate) use crate::outcome::params;
pub use crate::outcome::{Outcome, ParamError, Violation};
pub use plan::{Entry, Instance, Plan, ProfilePlan, Selection};
pub use tally::{Locator, Plain, Tally};

/// Progress of a long run, for a progress bar. The library calls it; the
/// CLI decides whether anything is shown.
pub trait Progress: Sync {
    /// Work of `total` units (bytes) is about to start.
    fn start(&self, total: u64);
    /// `done` more units are finished.
    fn advance(&self, done: u64);
    /// The work is over.
    fn finish(&self);
    /// A line the user should read beside the report, such as the kind
    /// of API an audit chose for a URL; shown by default nowhere.
    fn note(&self, _text: &str) {}
}

/// Progress that shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _total: u64) {}
    fn advance(&self, _done: u64) {}
    fn finish(&self) {}
}
