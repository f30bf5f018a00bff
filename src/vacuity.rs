//! Test support: guards against vacuous properties. A quickcheck property
//! that discards, or returns early on, most generated cases still passes
//! while testing little; so each property counts the cases that reached
//! its assertion, and [`check`] fails the test when too few did.

use std::sync::atomic::{AtomicU64, Ordering};

use quickcheck::{QuickCheck, Testable};

/// The cases of one property that reached its assertion. One `static` per
/// property: tests run in parallel.
#[derive(Debug)]
pub(crate) struct Reached(AtomicU64);

impl Reached {
    /// No case yet.
    pub(crate) const fn new() -> Self {
        Self(AtomicU64::new(0))
    }

    /// Counts one case that reached the assertion.
    pub(crate) fn hit(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    /// The cases counted so far: a property whose cases must include more
    /// than one kind counts each kind with its own `Reached`.
    pub(crate) fn count(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Runs `property` until `tests` generated cases pass (at most ten times as
/// many are tried), then asserts that a quarter of them, and at least ten,
/// reached the assertion counted by `reached`.
pub(crate) fn check<A: Testable>(tests: u64, reached: &Reached, property: A) {
    check_at_least(tests, (tests / 4).max(10), reached, property);
}

/// [`check`] with its own floor, for a property whose generator is written
/// to miss most of the time (near misses of a form) and whose counter keeps
/// only the cases that still hit. The floor must sit well below the share
/// such a property reaches, since cases are drawn at random on every run.
pub(crate) fn check_at_least<A: Testable>(tests: u64, least: u64, reached: &Reached, property: A) {
    QuickCheck::new()
        .tests(tests)
        .max_tests(tests * 10)
        .quickcheck(property);
    let count = reached.0.load(Ordering::Relaxed);
    assert!(
        count >= least,
        "only {count} of {tests} generated cases reached the property's assertion \
         (at least {least} must): the property is close to vacuous"
    );
}
