//! This process's current limit of every window (可调频: adjustable at run time).
//!
//! The limits travel with each call (the script's arguments), so Redis stores only counts:
//! every process enforces its own limits against the shared counts, and a raised limit must
//! be set on every process of the fleet.

use crate::meta::Window;
use crate::window::{Layout, Length, MAX_LIMIT};
use std::sync::atomic::{AtomicU64, Ordering};

/// One limit per enforced window of each bucket, in [`Layout`] order.
#[derive(Debug)]
pub(crate) struct Limits {
    layout: Layout,
    max: Box<[AtomicU64]>,
}

impl Limits {
    /// The documented limits, clamped to [`MAX_LIMIT`] as the local limiter does.
    pub(crate) fn new(layout: Layout) -> Self {
        let max = layout
            .all()
            .iter()
            .map(|w| AtomicU64::new(w.max.min(MAX_LIMIT)))
            .collect();
        Limits { layout, max }
    }

    /// Bucket `b`'s enforced windows.
    #[inline]
    pub(crate) fn windows(&self, b: usize) -> &[Window] {
        self.layout.windows(b)
    }

    /// The current limit of window `i` of `bucket` (0 for a window that does not exist).
    #[inline]
    pub(crate) fn get(&self, bucket: usize, i: usize) -> u64 {
        self.max
            .get(self.layout.range(bucket).start + i)
            .map_or(0, |m| m.load(Ordering::Relaxed))
    }

    /// The current limit of `bucket`'s window of length `len`, if it has one.
    pub(crate) fn find(&self, bucket: usize, len: Length) -> Option<u64> {
        Some(self.get(bucket, self.layout.find(bucket, len)?))
    }

    /// The layout of the windows.
    pub(crate) fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Sets the limit of window `i` of `bucket`.
    pub(crate) fn set_at(&self, bucket: usize, i: usize, max: u64) {
        if let Some(slot) = self.max.get(self.layout.range(bucket).start + i) {
            slot.store(max.min(MAX_LIMIT), Ordering::Relaxed);
        }
    }

    /// Sets the limit of `bucket`'s window of length `len`; `false` if it has none.
    pub(crate) fn set(&self, bucket: usize, len: Length, max: u64) -> bool {
        let Some(i) = self.layout.find(bucket, len) else {
            return false;
        };
        let Some(slot) = self.max.get(self.layout.range(bucket).start + i) else {
            return false;
        };
        slot.store(max.min(MAX_LIMIT), Ordering::Relaxed);
        true
    }
}
