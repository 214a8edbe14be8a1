//! One counter: a window's (id, count) packed into one `AtomicU64`, and its adjustable max.
//!
//! Layout: the high 32 bits hold the window id modulo 2^32 (a tag), the low 32 bits the
//! units admitted in that window. A slot whose tag is older than the caller's window reads as
//! an empty window, so windows reset lazily by the first call after a boundary, with no
//! timer and no sweep. Ids of second windows fit 32 bits until 2106.

use crate::sync::{AtomicU64, Ordering};
use crate::window::MAX_LIMIT;

/// A window's counter and its limit, alone on its cache lines.
///
/// 128-byte alignment because x86's adjacent-line prefetcher pulls lines in pairs, so two
/// slots 64 bytes apart would still contend (the same choice as crossbeam's `CachePadded`).
/// The max sits next to the state: every call reads both, and it is written only when a
/// limit is adjusted.
#[repr(align(128))]
#[derive(Debug)]
pub(crate) struct Slot {
    state: AtomicU64,
    max: AtomicU64,
}

/// The outcome of charging one slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Charge {
    /// Charged: the tag charged and the count after the charge.
    Done { tag: u32, count: u64, max: u64 },
    /// Refused: the window in force is too full for the cost.
    Full { tag: u32, count: u64, max: u64 },
    /// Refused: the cost exceeds the limit itself, so it can never pass.
    Exceeds { max: u64 },
}

/// A slot's state as seen from window `tag`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct View {
    /// The window in force: the caller's, or a later one another caller already opened.
    pub(crate) tag: u32,
    /// Units admitted in that window.
    pub(crate) count: u64,
    /// The current limit.
    pub(crate) max: u64,
}

#[inline]
const fn pack(tag: u32, count: u64) -> u64 {
    ((tag as u64) << 32) | count
}

#[inline]
const fn unpack(state: u64) -> (u32, u64) {
    ((state >> 32) as u32, state & 0xFFFF_FFFF)
}

/// Whether tag `a` is a later window than `b`, allowing for wrap-around of the 32-bit tag.
#[inline]
pub(crate) const fn is_later(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) > 0
}

/// The window in force and its count, for a caller in window `tag` finding `state`.
///
/// A slot already in a later window stays there: a caller with a slightly older clock
/// is counted in the later window rather than moving the slot back (which would forget
/// the later window's charges and over-admit).
#[inline]
fn in_force(state: u64, tag: u32) -> (u32, u64) {
    let (t, count) = unpack(state);
    if t == tag || is_later(t, tag) {
        (t, count)
    } else {
        (tag, 0)
    }
}

impl Slot {
    /// An empty slot for window `tag` (the current one) admitting at most `max` units per
    /// window (clamped to [`MAX_LIMIT`]).
    ///
    /// Starting at the current window rather than at tag 0 keeps the wrap-around comparison
    /// of tags meaningful: tag 0 would look later than any tag from 2038 on.
    pub(crate) fn new(max: u64, tag: u32) -> Self {
        Slot {
            state: AtomicU64::new(pack(tag, 0)),
            max: AtomicU64::new(max.min(MAX_LIMIT)),
        }
    }

    /// The current limit.
    #[inline]
    pub(crate) fn max(&self) -> u64 {
        self.max.load(Ordering::Relaxed)
    }

    /// Changes the limit; takes effect for the window in force.
    pub(crate) fn set_max(&self, max: u64) {
        self.max.store(max.min(MAX_LIMIT), Ordering::Relaxed);
    }

    /// The slot as seen from window `tag`, without changing it.
    #[inline]
    pub(crate) fn view(&self, tag: u32) -> View {
        let (tag, count) = in_force(self.state.load(Ordering::Acquire), tag);
        View {
            tag,
            count,
            max: self.max(),
        }
    }

    /// The units admitted in the latest window the slot has opened: the window in force for
    /// any caller whose own window is not later (one known not to have ended yet).
    #[inline]
    pub(crate) fn latest_count(&self) -> u64 {
        unpack(self.state.load(Ordering::Acquire)).1
    }

    /// Adds `cost` to the window in force if the count stays within the limit.
    ///
    /// One compare-and-swap on success without contention; the loop retries only when
    /// another caller changed the slot in between.
    #[inline]
    pub(crate) fn charge(&self, tag: u32, cost: u64) -> Charge {
        let max = self.max();
        if cost > max {
            return Charge::Exceeds { max };
        }
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            let (tag, count) = in_force(state, tag);
            // `count` may exceed `max` after the limit was lowered; compare without overflow.
            if count + cost > max {
                return Charge::Full { tag, count, max };
            }
            match self.state.compare_exchange_weak(
                state,
                pack(tag, count + cost),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    return Charge::Done {
                        tag,
                        count: count + cost,
                        max,
                    };
                }
                Err(now) => state = now,
            }
        }
    }

    /// Takes back `cost` charged to window `tag`, unless that window has already ended:
    /// a later window's count is never touched, so a refund cannot undo its reset.
    #[inline]
    pub(crate) fn refund(&self, tag: u32, cost: u64) {
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            let (t, count) = unpack(state);
            if t != tag {
                return;
            }
            // The charge being refunded is still part of `count`, so this cannot underflow.
            debug_assert!(count >= cost);
            match self.state.compare_exchange_weak(
                state,
                pack(t, count - cost),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return,
                Err(now) => state = now,
            }
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn charges_up_to_the_limit_then_refuses() {
        let s = Slot::new(3, 7);
        assert_eq!(
            s.charge(7, 2),
            Charge::Done {
                tag: 7,
                count: 2,
                max: 3
            }
        );
        assert_eq!(
            s.charge(7, 2),
            Charge::Full {
                tag: 7,
                count: 2,
                max: 3
            }
        );
        assert_eq!(s.charge(7, 4), Charge::Exceeds { max: 3 });
        assert!(matches!(s.charge(7, 1), Charge::Done { count: 3, .. }));
    }

    #[test]
    fn a_later_window_starts_empty_and_an_earlier_caller_joins_it() {
        let s = Slot::new(2, 7);
        s.charge(7, 2);
        assert!(matches!(
            s.charge(8, 1),
            Charge::Done {
                tag: 8,
                count: 1,
                ..
            }
        ));
        // A caller whose clock still says window 7 is counted in window 8.
        assert!(matches!(
            s.charge(7, 1),
            Charge::Done {
                tag: 8,
                count: 2,
                ..
            }
        ));
        assert!(matches!(s.charge(7, 1), Charge::Full { tag: 8, .. }));
    }

    #[test]
    fn a_refund_never_touches_a_later_window() {
        let s = Slot::new(5, 7);
        s.charge(7, 3);
        s.refund(7, 1);
        assert_eq!(s.view(7).count, 2);
        s.charge(8, 1);
        s.refund(7, 2);
        assert_eq!(
            s.view(8),
            View {
                tag: 8,
                count: 1,
                max: 5
            }
        );
    }

    #[test]
    fn a_fresh_slot_is_empty_for_callers_after_2038() {
        let tag = (1u64 << 31) as u32 + 5;
        let s = Slot::new(1, tag);
        assert!(matches!(
            s.charge(tag + 1, 1),
            Charge::Done { count: 1, .. }
        ));
        assert!(matches!(
            s.charge(tag + 2, 1),
            Charge::Done { count: 1, .. }
        ));
    }

    #[test]
    fn tags_compare_across_the_wrap_around() {
        assert!(is_later(0, u32::MAX));
        assert!(!is_later(u32::MAX, 0));
        assert!(!is_later(5, 5));
    }

    #[test]
    fn a_lowered_limit_refuses_without_overflow_and_limits_are_clamped() {
        let s = Slot::new(10, 1);
        s.charge(1, 8);
        s.set_max(5);
        assert!(matches!(
            s.charge(1, 1),
            Charge::Full {
                count: 8,
                max: 5,
                ..
            }
        ));
        s.set_max(u64::MAX);
        assert_eq!(s.max(), MAX_LIMIT);
    }

    #[test]
    fn a_slot_fills_its_own_cache_lines() {
        assert_eq!(std::mem::size_of::<Slot>(), 128);
        assert_eq!(std::mem::align_of::<Slot>(), 128);
    }
}
