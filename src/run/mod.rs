//! Running checks: the plan (what the selected profiles ask for, compiled
//! once) and the engines that run a plan over subjects and sum the outcomes
//! into a [`crate::model::Report`].

pub(crate) mod plan;
pub(crate) mod tally;
mod validate;

pub use plan::{Entry, Instance, Plan, ProfilePlan};
pub use validate::{ValidateOptions, validate};

/// Progress of a long run, for a progress bar. The library calls it; the
/// CLI decides whether anything is shown.
pub trait Progress: Sync {
    /// Work of `total` units (bytes) is about to start.
    fn start(&self, total: u64);
    /// `done` more units are finished.
    fn advance(&self, done: u64);
    /// The work is over.
    fn finish(&self);
}

/// Progress that shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _total: u64) {}
    fn advance(&self, _done: u64) {}
    fn finish(&self) {}
}
