//! The local short-circuit: once Redis says a bucket's window is full, refuse locally until
//! that window ends, without a round trip (as envoy's ratelimit service does).
//!
//! One `AtomicU64` per bucket, lock-free: the deadline in Unix milliseconds shifted left by
//! eight bits, with the index of the full window in the low byte. `fetch_max` keeps the
//! latest deadline (the full window that ends last, as a refusal reports), and a deadline in
//! the past is simply ignored, so nothing ever needs clearing.

use std::sync::atomic::{AtomicU64, Ordering};

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

    /// Records that `bucket`'s window `window` admits nothing more until `deadline_ms`.
    pub(crate) fn full_until(&self, bucket: usize, window: usize, deadline_ms: u64) {
        // A bucket with more than 255 windows is not short-circuited (none is documented).
        let (Some(slot), Ok(window)) = (self.deadlines.get(bucket), u8::try_from(window)) else {
            return;
        };
        let packed = (deadline_ms.min(MAX_DEADLINE) << INDEX_BITS) | u64::from(window);
        slot.fetch_max(packed, Ordering::Relaxed);
    }

    /// Forgets `bucket`'s deadline (its limits changed).
    pub(crate) fn clear(&self, bucket: usize) {
        if let Some(slot) = self.deadlines.get(bucket) {
            slot.store(0, Ordering::Relaxed);
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
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
}
