//! The memory pool of an embedded DataFusion session: `--memory-limit`
//! shared by the operators that can spill, each guaranteed a fair part of
//! it only when they compete.
//!
//! DataFusion's own pools each miss one side. The fair pool caps every
//! spilling operator at its equal part from the start: a plan of four
//! aggregation streams spilled once one held a quarter of the limit, while
//! the run as a whole held far less than it (10,000,000 rows: spilled at
//! 2 GiB, finished in 0.8 GiB without spilling, in under half the time).
//! The greedy pool lets the first stream take everything, and the second
//! then fails for want of its first batch rather than spilling. Here a
//! spilling operator grows while the pool has room; when it has none, one
//! below its fair part is still served, and one at or above it is refused,
//! which makes it spill and give its memory back. The limit can thus be
//! passed while streams catch up to their fair part, by at most the limit
//! again, and only until the largest stream's next request.

use std::fmt;
use std::sync::{Mutex, PoisonError};

use ::datafusion::common::{DataFusionError, Result as DfResult};
use ::datafusion::execution::memory_pool::{
    MemoryConsumer, MemoryLimit, MemoryPool, MemoryReservation,
};

/// What the pool has handed out.
#[derive(Debug, Default)]
struct Held {
    /// Operators registered that can spill.
    spilling: usize,
    /// Bytes held by operators that can spill.
    spillable: usize,
    /// Bytes held by operators that cannot.
    unspillable: usize,
}

/// A pool of `limit` bytes, greedy while there is room and fair when not.
#[derive(Debug)]
pub(super) struct SharedSpillPool {
    limit: usize,
    held: Mutex<Held>,
}

impl SharedSpillPool {
    pub(super) fn new(limit: usize) -> Self {
        SharedSpillPool {
            limit,
            held: Mutex::new(Held::default()),
        }
    }

    fn held(&self) -> std::sync::MutexGuard<'_, Held> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The error of a request the pool refuses, with the words DataFusion's
/// own pools use, so that the run's message names `--memory-limit`.
fn refused(reservation: &MemoryReservation, additional: usize, room: usize) -> DataFusionError {
    DataFusionError::ResourcesExhausted(format!(
        "Failed to allocate additional {additional} bytes for {} with {} bytes already allocated \
         for this reservation - {room} bytes remain available for the total memory pool",
        reservation.consumer().name(),
        reservation.size(),
    ))
}

impl MemoryPool for SharedSpillPool {
    fn name(&self) -> &str {
        "shared-spill"
    }

    fn register(&self, consumer: &MemoryConsumer) {
        if consumer.can_spill() {
            self.held().spilling += 1;
        }
    }

    fn unregister(&self, consumer: &MemoryConsumer) {
        if consumer.can_spill() {
            let mut held = self.held();
            held.spilling = held.spilling.saturating_sub(1);
        }
    }

    fn grow(&self, reservation: &MemoryReservation, additional: usize) {
        let mut held = self.held();
        if reservation.consumer().can_spill() {
            held.spillable += additional;
        } else {
            held.unspillable += additional;
        }
    }

    fn shrink(&self, reservation: &MemoryReservation, shrink: usize) {
        let mut held = self.held();
        if reservation.consumer().can_spill() {
            held.spillable = held.spillable.saturating_sub(shrink);
        } else {
            held.unspillable = held.unspillable.saturating_sub(shrink);
        }
    }

    fn try_grow(&self, reservation: &MemoryReservation, additional: usize) -> DfResult<()> {
        let mut held = self.held();
        let total = held.spillable + held.unspillable;
        let room = self.limit.saturating_sub(total);
        if reservation.consumer().can_spill() {
            let fair = self.limit.saturating_sub(held.unspillable) / held.spilling.max(1);
            let wanted = reservation.size() + additional;
            if additional > room && wanted > fair {
                return Err(refused(reservation, additional, room));
            }
            held.spillable += additional;
        } else {
            // What cannot spill is bounded by the limit alone: the
            // spilling operators give way at their next request.
            let room = self.limit.saturating_sub(held.unspillable);
            if additional > room {
                return Err(refused(reservation, additional, room));
            }
            held.unspillable += additional;
        }
        Ok(())
    }

    fn reserved(&self) -> usize {
        let held = self.held();
        held.spillable + held.unspillable
    }

    fn memory_limit(&self) -> MemoryLimit {
        MemoryLimit::Finite(self.limit)
    }
}

impl fmt::Display for SharedSpillPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(limit: {} bytes)", self.name(), self.limit)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn spilling(pool: &Arc<dyn MemoryPool>, name: &str) -> MemoryReservation {
        MemoryConsumer::new(name)
            .with_can_spill(true)
            .register(pool)
    }

    #[test]
    fn one_spilling_operator_alone_may_take_the_whole_limit() {
        let pool: Arc<dyn MemoryPool> = Arc::new(SharedSpillPool::new(1000));
        let first = spilling(&pool, "first");
        let _second = spilling(&pool, "second");
        // A fair pool would stop it at 500.
        assert!(first.try_grow(900).is_ok());
        assert!(first.try_grow(100).is_ok());
        assert!(first.try_grow(1).is_err(), "the limit holds");
        assert_eq!(pool.reserved(), 1000);
    }

    #[test]
    fn a_late_operator_below_its_fair_part_is_served_and_the_largest_then_spills() {
        let pool: Arc<dyn MemoryPool> = Arc::new(SharedSpillPool::new(1000));
        let first = spilling(&pool, "first");
        let second = spilling(&pool, "second");
        assert!(first.try_grow(950).is_ok());
        // The greedy pool would refuse it: it has nothing to spill.
        assert!(second.try_grow(200).is_ok());
        assert_eq!(pool.reserved(), 1150, "passed by less than the limit");
        let error = first.try_grow(10).err().map(|e| e.to_string());
        assert!(
            error.as_deref().is_some_and(|e| e.contains("first")),
            "{error:?}"
        );
        // It spills, gives its memory back, and grows again within its part.
        first.free();
        assert!(first.try_grow(300).is_ok());
        assert!(second.try_grow(300).is_ok());
        assert!(
            second.try_grow(300).is_err(),
            "beyond its part and the room"
        );
        drop(first);
        drop(second);
        assert_eq!(pool.reserved(), 0);
    }

    #[test]
    fn what_cannot_spill_is_bounded_by_the_limit_alone() {
        let pool: Arc<dyn MemoryPool> = Arc::new(SharedSpillPool::new(1000));
        let spill = spilling(&pool, "aggregate");
        let fixed = MemoryConsumer::new("buffer").register(&pool);
        assert!(spill.try_grow(1000).is_ok());
        assert!(fixed.try_grow(400).is_ok());
        assert!(spill.try_grow(1).is_err(), "the spilling one gives way");
        assert!(fixed.try_grow(601).is_err());
        assert_eq!(pool.reserved(), 1400);
    }

    #[test]
    fn a_request_beyond_both_room_and_fair_part_is_refused_at_once() {
        let pool: Arc<dyn MemoryPool> = Arc::new(SharedSpillPool::new(256));
        let first = spilling(&pool, "first");
        let _others: Vec<MemoryReservation> =
            (0..3).map(|i| spilling(&pool, &format!("s{i}"))).collect();
        assert!(first.try_grow(900).is_err());
        assert_eq!(pool.reserved(), 0);
    }
}
