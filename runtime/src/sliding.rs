//! Conservative windows: no interval of a window's length, at any alignment, admits more than
//! the window's limit.
//!
//! A fixed window is aligned to the epoch on the client's clock, the vendor's on its own: a
//! client that admits 200 at the end of one of its seconds and 200 at the start of the next
//! sends 400 within one of the vendor's seconds. Here each window of length `T` is counted in
//! [`SUBWINDOWS`] sub-windows of `T / SUBWINDOWS`, and a call in sub-window `j` is admitted only
//! if sub-windows `j - SUBWINDOWS ..= j` hold at most the limit with it. Any interval of length
//! `T` lies within `SUBWINDOWS + 1` consecutive sub-windows ending at the sub-window of its
//! last admission, which was checked against exactly those: so no such interval, wherever it
//! starts, holds more than the limit.
//!
//! The price is throughput at the edges: a full burst waits `T` plus up to one sub-window
//! before the next admission, so steady demand is admitted at no less than
//! `SUBWINDOWS / (SUBWINDOWS + 1)` of the limit (10/11). Each bucket's windows are checked and
//! charged under one mutex: a client calling a vendor over the network does not feel the
//! tens of nanoseconds, and the all-or-nothing rule across windows stays trivially true.

use crate::endpoints::Endpoints;
use crate::meta::{Cost, Per, Window};
use crate::outcome::{Denied, ExceedsLimit, LimitError, Permit, Refusal};
use crate::table::Tightest;
use crate::units::Units;
use crate::window::{Layout, Length, MAX_LIMIT};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// Sub-windows per window.
pub const SUBWINDOWS: u64 = 10;

/// One cell per sub-window of the last `SUBWINDOWS + 1`.
const CELLS: usize = SUBWINDOWS as usize + 1;

/// One window's sub-window counts.
#[derive(Debug, Clone)]
struct Ring {
    window: Window,
    max: u64,
    /// The length of one sub-window, in milliseconds.
    sub_ms: u64,
    /// Added to Unix time to align sub-windows: the document's offset for day windows.
    offset_ms: i64,
    /// `(sub-window id, units)`, at index `id % CELLS`.
    cells: [(u64, u64); CELLS],
}

impl Ring {
    fn new(window: Window, utc_offset_secs: i32) -> Self {
        let offset_ms = match window.per {
            Per::Day => i64::from(utc_offset_secs) * 1000,
            _ => 0,
        };
        Ring {
            window,
            max: window.max.min(MAX_LIMIT),
            sub_ms: window.len_ms() / SUBWINDOWS,
            offset_ms,
            cells: [(u64::MAX, 0); CELLS],
        }
    }

    /// The sub-window holding `now_ms`.
    fn sub(&self, now_ms: u64) -> u64 {
        let local = (now_ms as i128 + self.offset_ms as i128).max(0) as u64;
        local / self.sub_ms
    }

    /// When sub-window `id` starts, in Unix milliseconds.
    fn start_ms(&self, id: u64) -> u64 {
        (id.saturating_mul(self.sub_ms) as i128 - self.offset_ms as i128).max(0) as u64
    }

    /// The units held by sub-window `id` (0 if its cell has moved on).
    fn count(&self, id: u64) -> u64 {
        let (cell_id, count) = self.cells[(id % CELLS as u64) as usize];
        if cell_id == id { count } else { 0 }
    }

    /// The sub-windows a call in sub-window `j` is checked against, oldest first.
    fn span(j: u64) -> impl Iterator<Item = u64> {
        j.saturating_sub(SUBWINDOWS)..=j
    }

    /// Units held by the sub-windows a call in `j` is checked against.
    fn held(&self, j: u64) -> u64 {
        Ring::span(j).map(|id| self.count(id)).sum()
    }

    /// When at least `need` of the units held for a call in `j` have left its span: the
    /// oldest sub-windows leave first, sub-window `id` when `id + SUBWINDOWS + 1` starts.
    fn freed_at(&self, j: u64, need: u64) -> u64 {
        let mut freed = 0;
        for id in Ring::span(j) {
            freed += self.count(id);
            if freed >= need.max(1) {
                return self.start_ms(id + SUBWINDOWS + 1);
            }
        }
        // Nothing held: the count cannot grow, report the next sub-window.
        self.start_ms(j + 1)
    }

    fn charge(&mut self, j: u64, cost: u64) {
        let cell = &mut self.cells[(j % CELLS as u64) as usize];
        if cell.0 != j {
            *cell = (j, 0);
        }
        cell.1 += cost;
    }

    /// What a permit reports on this window after a charge in `j`.
    fn tightest(&self, j: u64) -> Tightest {
        let held = self.held(j);
        Tightest {
            remaining: self.max.saturating_sub(held),
            reset_ms: self.freed_at(j, 1),
            window: Some(self.window.with_max(self.max)),
        }
    }
}

/// The conservative counters of every bucket's tenant windows.
#[derive(Debug)]
pub(crate) struct Sliding {
    layout: Layout,
    buckets: Box<[Mutex<Box<[Ring]>>]>,
}

impl Sliding {
    pub(crate) fn new<E: Endpoints>() -> Self {
        let layout = Layout::new(E::BUCKETS);
        let buckets = (0..E::BUCKETS.len())
            .map(|b| {
                let rings = layout.windows(b).iter();
                Mutex::new(rings.map(|w| Ring::new(*w, E::UTC_OFFSET_SECS)).collect())
            })
            .collect();
        Sliding { layout, buckets }
    }

    fn rings(&self, b: usize) -> Option<std::sync::MutexGuard<'_, Box<[Ring]>>> {
        let bucket = self.buckets.get(b)?;
        Some(bucket.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Charges `units` to every window of `ep`'s bucket or to none, after its caps (checked
    /// by the caller), and `then` (the per-key windows) under the same lock, all or nothing.
    pub(crate) fn try_acquire<E: Endpoints>(
        &self,
        ep: E,
        units: &Units,
        now_ms: u64,
        then: impl FnOnce() -> Result<Tightest, Refusal>,
    ) -> Result<Permit, Refusal> {
        let basis: Cost = ep.cost();
        let Some(mut rings) = self.rings(ep.bucket()) else {
            return then().map(|t| t.permit(now_ms));
        };
        let mut denied: Option<(u64, Window)> = None;
        for ring in rings.iter() {
            let cost = units.of(ring.window.cost, basis);
            if cost > ring.max {
                return Err(Refusal::Exceeds(ExceedsLimit {
                    cost,
                    window: ring.window.with_max(ring.max),
                }));
            }
            let j = ring.sub(now_ms);
            let held = ring.held(j);
            if held + cost > ring.max {
                let at = ring.freed_at(j, held + cost - ring.max);
                // The window whose units free up last: no retry passes before then.
                if denied.is_none_or(|(d, _)| at > d) {
                    denied = Some((at, ring.window.with_max(ring.max)));
                }
            }
        }
        if let Some((at, window)) = denied {
            return Err(Refusal::Denied(Denied {
                retry_after: Duration::from_millis(at.saturating_sub(now_ms)),
                window,
            }));
        }
        let others = then()?;
        let mut tightest = Tightest::none(now_ms);
        for ring in rings.iter_mut() {
            let j = ring.sub(now_ms);
            ring.charge(j, units.of(ring.window.cost, basis));
            tightest = tightest.tighter(ring.tightest(j));
        }
        Ok(tightest.tighter(others).permit(now_ms))
    }

    /// What [`Limiter::remaining`](crate::Limiter::remaining) and `reset_at` report: the
    /// least units left over the bucket's windows and when they next grow.
    pub(crate) fn tightest<E: Endpoints>(&self, ep: E, now_ms: u64) -> (u64, u64) {
        let Some(rings) = self.rings(ep.bucket()) else {
            return (u64::MAX, now_ms);
        };
        let t = rings
            .iter()
            .map(|ring| ring.tightest(ring.sub(now_ms)))
            .fold(Tightest::none(now_ms), Tightest::tighter);
        (t.remaining, t.reset_ms)
    }

    /// Units left now in `ep`'s window of length `len`.
    pub(crate) fn remaining_in<E: Endpoints>(
        &self,
        ep: E,
        len: Length,
        now_ms: u64,
    ) -> Option<u64> {
        let i = self.layout.find(ep.bucket(), len)?;
        let rings = self.rings(ep.bucket())?;
        let ring = &rings[i];
        Some(ring.max.saturating_sub(ring.held(ring.sub(now_ms))))
    }

    /// The current limit of `ep`'s window of length `len`.
    pub(crate) fn limit<E: Endpoints>(&self, ep: E, len: Length) -> Option<u64> {
        let i = self.layout.find(ep.bucket(), len)?;
        Some(self.rings(ep.bucket())?[i].max)
    }

    /// The current limit of window `i` of bucket `b` (0 if there is none).
    pub(crate) fn limit_at(&self, b: usize, i: usize) -> u64 {
        self.rings(b)
            .and_then(|r| r.get(i).map(|r| r.max))
            .unwrap_or(0)
    }

    /// Sets the limit of window `i` of bucket `b`.
    pub(crate) fn set_limit_at(&self, b: usize, i: usize, max: u64) {
        if let Some(ring) = self.rings(b).as_mut().and_then(|r| r.get_mut(i)) {
            ring.max = max.min(MAX_LIMIT);
        }
    }

    /// Sets the limit of `ep`'s window of length `len`.
    pub(crate) fn set_limit<E: Endpoints>(
        &self,
        ep: E,
        len: Length,
        max: u64,
    ) -> Result<(), LimitError> {
        if max > MAX_LIMIT {
            return Err(LimitError::TooLarge { max });
        }
        let no_such = LimitError::NoSuchWindow {
            endpoint: ep.as_str(),
            length: len,
        };
        let b = ep.bucket();
        let i = self.layout.find(b, len).ok_or(no_such)?;
        self.set_limit_at(b, i, max);
        Ok(())
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn second(max: u64) -> Ring {
        Ring::new(Window::new(max, Per::Second), 0)
    }

    #[test]
    fn a_burst_at_the_end_of_a_second_blocks_the_start_of_the_next() {
        let mut r = second(200);
        let j = r.sub(999);
        r.charge(j, 200);
        // 1 ms later, a new fixed second: the fixed window would admit 200 more.
        assert_eq!(r.held(r.sub(1_000)), 200);
        assert_eq!(r.held(r.sub(1_999)), 200);
        // Sub-window 9 (900..1000 ms) leaves the span when sub-window 20 starts.
        assert_eq!(r.freed_at(r.sub(1_000), 1), 2_000);
        assert_eq!(r.held(r.sub(2_000)), 0);
    }

    #[test]
    fn old_cells_read_as_empty_and_units_leave_oldest_first() {
        let mut r = second(10);
        r.charge(r.sub(50), 3); // sub-window 0
        r.charge(r.sub(450), 4); // sub-window 4
        assert_eq!(r.held(r.sub(990)), 7);
        // Three units need sub-window 0 to leave (at 1.1 s); five need sub-window 4 (1.5 s).
        assert_eq!(r.freed_at(r.sub(990), 3), 1_100);
        assert_eq!(r.freed_at(r.sub(990), 5), 1_500);
        // Eleven sub-windows later the cell of sub-window 0 is reused.
        r.charge(r.sub(1_100), 1);
        assert_eq!(r.count(0), 0);
        assert_eq!(r.held(r.sub(1_100)), 5);
    }

    #[test]
    fn day_windows_count_sub_windows_from_local_midnight() {
        let r = Ring::new(Window::new(3, Per::Day), 8 * 3600);
        // 16:00 UTC is a Beijing midnight: the start of a sub-window of 2.4 hours.
        let midnight = 16 * 3_600_000;
        assert_eq!(r.start_ms(r.sub(midnight)), midnight);
        assert_eq!(r.sub_ms, 8_640_000);
    }
}
