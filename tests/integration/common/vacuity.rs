//! Guards against vacuous properties. A quickcheck property that discards,
//! or returns early on, most generated cases still passes while testing
//! little; so each property counts the cases that reached its assertion,
//! and [`check`] fails the test when too few did.

use std::sync::atomic::{AtomicU64, Ordering};

use quickcheck::{QuickCheck, Testable};

/// The cases of one property that reached its assertion. One `static` per
/// property: the tests of the binary run in parallel.
#[derive(Debug)]
pub struct Reached(AtomicU64);

impl Reached {
    /// No case yet.
    pub const fn new() -> Self {
        Self(AtomicU64::new(0))
    }

    /// Counts one case that reached the assertion.
    pub fn hit(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    /// The cases counted so far.
    pub fn count(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The fewest cases of `tests` that must reach the assertion: a quarter,
/// and never fewer than ten.
pub fn least(tests: u64) -> u64 {
    (tests / 4).max(10)
}

/// Runs `property` until `tests` generated cases pass (at most ten times as
/// many are tried), then asserts that at least [`least`]`(tests)` of them
/// reached the assertion counted by `reached`.
pub fn check<A: Testable>(tests: u64, reached: &Reached, property: A) {
    QuickCheck::new()
        .tests(tests)
        .max_tests(tests * 10)
        .quickcheck(property);
    let count = reached.count();
    assert!(
        count >= least(tests),
        "only {count} of {tests} generated cases reached the property's assertion \
         (at least {} must): the property is close to vacuous",
        least(tests)
    );
}
