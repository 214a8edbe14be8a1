//! Short-circuits for refusals: which window of a bucket was last found full, and until when.
//!
//! One `AtomicU64` per bucket, lock-free: the deadline in Unix milliseconds shifted left by
//! eight bits, with the index of the full window in the low byte. A deadline in the past is
//! simply ignored, so nothing ever needs clearing when windows turn.
//!
//! Two users:
//! - `RedisLimiter` trusts a deadline outright: once Redis says a window is full, refusing
//!   locally until it ends saves a round trip (as envoy's ratelimit service does);
//!   [`Shortcuts::full_until`] keeps the latest deadline, the full window that ends last.
//! - The local table treats a deadline as a hint to check against the slot itself, so a
//!   refusal reads one counter instead of working out every window of the bucket;
//!   [`Shortcuts::set`] replaces the hint with what the full check just found.

use crate::sync::{AtomicU64, Ordering};

/// Bits kept for the window index.
const INDEX_BITS: u32 = 8;
/// Deadlines are clamped to what fits above the index (year 2^56 ms ≈ 2.3 million AD).
const MAX_DEADLINE: u64 = u64::MAX >> INDEX_BITS;

/// One deadline per bucket.
#[derive(Debug)]
pub(crate) struct Shortcuts {
    deadlines: Box<[AtomicU64]>,
}

impl Shortcuts {
    pub(crate) fn new(buckets: usize) -> Self {
        Shortcuts {
            deadlines: (0..buckets).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    /// The deadline and window index if `bucket` is known to be full at `now_ms`.
    #[inline]
    pub(crate) fn full(&self, bucket: usize, now_ms: u64) -> Option<(u64, usize)> {
        let packed = self.deadlines.get(bucket)?.load(Ordering::Relaxed);
        let deadline = packed >> INDEX_BITS;
        (now_ms < deadline).then_some((deadline, (packed & 0xFF) as usize))
    }

    /// `bucket`'s atomic and the packed (deadline, window), or `None` for a bucket out of
    /// range or a window index past a byte (none is documented): such a bucket is simply
    /// never short-circuited.
    fn packed(&self, bucket: usize, window: usize, deadline_ms: u64) -> Option<(&AtomicU64, u64)> {
        let window = u8::try_from(window).ok()?;
        let packed = (deadline_ms.min(MAX_DEADLINE) << INDEX_BITS) | u64::from(window);
        Some((self.deadlines.get(bucket)?, packed))
    }

    /// Records that `bucket`'s window `window` admits nothing more until `deadline_ms`.
    #[cfg(feature = "redis")]
    pub(crate) fn full_until(&self, bucket: usize, window: usize, deadline_ms: u64) {
        if let Some((slot, packed)) = self.packed(bucket, window, deadline_ms) {
            slot.fetch_max(packed, Ordering::Relaxed);
        }
    }

    /// Replaces `bucket`'s deadline with window `window`'s end, `deadline_ms`, unless it is
    /// already recorded (a store would take the cache line from every reader).
    #[inline]
    pub(crate) fn set(&self, bucket: usize, window: usize, deadline_ms: u64) {
        if let Some((slot, packed)) = self.packed(bucket, window, deadline_ms)
            && slot.load(Ordering::Relaxed) != packed
        {
            slot.store(packed, Ordering::Relaxed);
        }
    }

    /// Forgets `bucket`'s deadline (its limits changed).
    pub(crate) fn clear(&self, bucket: usize) {
        // Read first: clearing an empty deadline must not take the line from readers.
        if let Some(slot) = self.deadlines.get(bucket)
            && slot.load(Ordering::Relaxed) != 0
        {
            slot.store(0, Ordering::Relaxed);
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    #[cfg(feature = "redis")]
    fn a_full_window_refuses_until_its_end_and_the_latest_end_wins() {
        let s = Shortcuts::new(2);
        assert_eq!(s.full(0, 1_000), None);
        s.full_until(0, 1, 5_000);
        s.full_until(0, 0, 2_000);
        assert_eq!(s.full(0, 4_999), Some((5_000, 1)));
        assert_eq!(s.full(0, 5_000), None);
        assert_eq!(s.full(1, 1_000), None);
        // Out-of-range buckets and huge deadlines are ignored or clamped, never a panic.
        s.full_until(7, 0, 1);
        assert_eq!(s.full(7, 0), None);
        s.full_until(1, 0, u64::MAX);
        assert_eq!(s.full(1, u64::MAX - 1), None);
        assert_eq!(s.full(1, 0), Some((MAX_DEADLINE, 0)));
        s.clear(1);
        assert_eq!(s.full(1, 0), None);
    }

    #[test]
    fn set_replaces_even_a_later_deadline() {
        let s = Shortcuts::new(1);
        s.set(0, 1, 5_000);
        assert_eq!(s.full(0, 4_999), Some((5_000, 1)));
        s.set(0, 0, 2_000);
        assert_eq!(s.full(0, 1_000), Some((2_000, 0)));
        assert_eq!(s.full(0, 2_000), None);
        s.set(3, 0, 2_000);
        assert_eq!(s.full(3, 0), None, "an out-of-range bucket is ignored");
        s.set(0, 256, 9_000);
        assert_eq!(
            s.full(0, 1_000),
            Some((2_000, 0)),
            "index past a byte is ignored"
        );
    }
}
