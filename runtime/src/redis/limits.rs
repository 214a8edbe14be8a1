//! This process's current limit of every window (可调频: adjustable at run time).
//!
//! The limits travel with each call (the script's arguments), so Redis stores only counts:
//! every process enforces its own limits against the shared counts, and a raised limit must
//! be set on every process of the fleet.

use crate::meta::{Bucket, Per};
use crate::slot::MAX_LIMIT;
use std::sync::atomic::{AtomicU64, Ordering};

/// One limit per window of each bucket, buckets one after another.
#[derive(Debug)]
pub(crate) struct Limits {
    max: Box<[AtomicU64]>,
    first: Box<[usize]>,
}

impl Limits {
    /// The documented limits, clamped to [`MAX_LIMIT`] as the local limiter does.
    pub(crate) fn new(buckets: &[Bucket]) -> Self {
        let mut first = Vec::with_capacity(buckets.len());
        let mut max = Vec::new();
        for bucket in buckets {
            first.push(max.len());
            max.extend(
                bucket
                    .windows
                    .iter()
                    .map(|w| AtomicU64::new(w.max.min(MAX_LIMIT))),
            );
        }
        Limits {
            max: max.into_boxed_slice(),
            first: first.into_boxed_slice(),
        }
    }

    /// The current limit of window `i` of `bucket` (0 for a window that does not exist).
    #[inline]
    pub(crate) fn get(&self, bucket: usize, i: usize) -> u64 {
        self.first
            .get(bucket)
            .and_then(|first| self.max.get(first + i))
            .map_or(0, |m| m.load(Ordering::Relaxed))
    }

    /// Sets the limit of `bucket`'s `per` window; `false` if the bucket has no such window.
    pub(crate) fn set(&self, bucket: &Bucket, b: usize, per: Per, max: u64) -> bool {
        let Some(i) = bucket.windows.iter().position(|w| w.per == per) else {
            return false;
        };
        let Some(slot) = self.first.get(b).and_then(|first| self.max.get(first + i)) else {
            return false;
        };
        slot.store(max.min(MAX_LIMIT), Ordering::Relaxed);
        true
    }
}
