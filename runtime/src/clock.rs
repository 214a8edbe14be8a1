//! Where the limiter reads the time: Unix milliseconds, exact at window boundaries.
//!
//! Fixed windows only care about the time at their boundaries, so a clock offers two
//! readings: an exact one ([`Clock::now_ms`]) and a cheap one with a known error bound
//! ([`Clock::reading`]). The limiter uses the cheap one unless a second boundary (and
//! therefore any window boundary) could lie inside its error bound, and then asks for the
//! exact time. Window ids are thus always those of the exact time, while most calls pay only
//! for the cheap read.

use crate::sync::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A cheap clock reading: the true time lies in `[ms, ms + slack_ms]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reading {
    /// Unix time in milliseconds, never later than the true time.
    pub ms: u64,
    /// How far the true time may be ahead of `ms`, in milliseconds.
    pub slack_ms: u64,
}

impl Reading {
    /// An exact reading (no slack).
    pub const fn exact(ms: u64) -> Self {
        Reading { ms, slack_ms: 0 }
    }
}

/// A source of Unix time for the limiters.
///
/// Implement it to drive a limiter from your own time source; [`SystemClock`] is the default
/// and [`ManualClock`] is for tests.
pub trait Clock: Send + Sync {
    /// The exact Unix time in milliseconds.
    fn now_ms(&self) -> u64;

    /// A cheap reading whose error is bounded by its `slack_ms`.
    ///
    /// The default is the exact time; override it when a cheaper time source exists.
    fn reading(&self) -> Reading {
        Reading::exact(self.now_ms())
    }
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now_ms(&self) -> u64 {
        (**self).now_ms()
    }
    fn reading(&self) -> Reading {
        (**self).reading()
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now_ms(&self) -> u64 {
        (**self).now_ms()
    }
    fn reading(&self) -> Reading {
        (**self).reading()
    }
}

/// The time of a cheap reading, exact at window boundaries: the reading itself when no second
/// boundary can lie within its slack (every window boundary is a second boundary), else the
/// exact time.
#[inline]
pub(crate) fn at_boundaries<C: Clock + ?Sized>(clock: &C, r: Reading) -> u64 {
    if r.ms / 1000 == r.ms.saturating_add(r.slack_ms) / 1000 {
        r.ms
    } else {
        clock.now_ms()
    }
}

/// The system's real-time clock (the default).
///
/// Exact readings come from [`SystemTime::now`] (a vDSO `clock_gettime`, ≈ 25–45 ns here).
/// On Linux the cheap reading is `CLOCK_REALTIME_COARSE` (≈ 14 ns here): the kernel's time as
/// of its last tick, never ahead of the true time and behind it by at most one tick (4 ms
/// here, from `clock_getres`). The slack is set to two ticks plus a millisecond to allow for a
/// late tick, so about 1% of calls (those within ~9 ms before a second boundary) pay for an
/// exact read. Elsewhere every reading is exact.
///
/// Trade-off, measured in `BENCHMARKS.md`: a value cached by a background thread reads in
/// under 1 ns but is stale by an unbounded amount whenever that thread is not scheduled
/// (common on a loaded two-core machine), which would put calls into the wrong window; the
/// coarse clock is kept by the kernel's timer interrupt, so its error stays bounded.
#[derive(Clone, Copy, Debug)]
pub struct SystemClock {
    /// Two coarse ticks plus one millisecond, or `None` where no coarse clock exists.
    coarse_slack_ms: Option<u64>,
}

impl SystemClock {
    /// A system clock, using the coarse clock where the platform has one.
    pub fn new() -> Self {
        SystemClock {
            coarse_slack_ms: coarse::slack_ms(),
        }
    }

    /// A system clock that always reads the exact time (`SystemTime::now`).
    pub const fn exact() -> Self {
        SystemClock {
            coarse_slack_ms: None,
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock::new()
    }
}

impl Clock for SystemClock {
    #[inline]
    fn now_ms(&self) -> u64 {
        // A clock set before 1970 reads as the epoch: windows stay ordered, never panic.
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64)
    }

    #[inline]
    fn reading(&self) -> Reading {
        match self.coarse_slack_ms {
            Some(slack_ms) => Reading {
                ms: coarse::now_ms(),
                slack_ms,
            },
            None => Reading::exact(self.now_ms()),
        }
    }
}

#[cfg(target_os = "linux")]
mod coarse {
    use rustix::time::{ClockId, clock_getres, clock_gettime};

    pub(super) fn slack_ms() -> Option<u64> {
        let res = clock_getres(ClockId::RealtimeCoarse);
        let res_ns = (res.tv_sec as u64)
            .saturating_mul(1_000_000_000)
            .saturating_add(res.tv_nsec as u64);
        // A resolution of a second or more would send nearly every call to the exact clock.
        (res_ns < 100_000_000).then(|| (2 * res_ns).div_ceil(1_000_000) + 1)
    }

    #[inline]
    pub(super) fn now_ms() -> u64 {
        let t = clock_gettime(ClockId::RealtimeCoarse);
        (t.tv_sec.max(0) as u64) * 1000 + (t.tv_nsec as u64) / 1_000_000
    }
}

#[cfg(not(target_os = "linux"))]
mod coarse {
    pub(super) fn slack_ms() -> Option<u64> {
        None
    }
    pub(super) fn now_ms() -> u64 {
        unreachable!("no coarse clock without a slack")
    }
}

/// A clock that moves only when told to, for tests; clones share the same time.
#[derive(Clone, Debug)]
pub struct ManualClock {
    ms: Arc<AtomicU64>,
}

impl ManualClock {
    /// A clock reading `unix_ms` milliseconds after the Unix epoch.
    pub fn new(unix_ms: u64) -> Self {
        ManualClock {
            ms: Arc::new(AtomicU64::new(unix_ms)),
        }
    }

    /// Sets the time to `unix_ms` (it may move backwards, as a wall clock can).
    pub fn set_ms(&self, unix_ms: u64) {
        self.ms.store(unix_ms, Ordering::Release);
    }

    /// Moves the time forward by `by` (whole milliseconds).
    pub fn advance(&self, by: Duration) {
        self.ms.fetch_add(by.as_millis() as u64, Ordering::AcqRel);
    }
}

impl Clock for ManualClock {
    #[inline]
    fn now_ms(&self) -> u64 {
        self.ms.load(Ordering::Acquire)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    /// A clock whose cheap reading lags by a fixed amount, as a coarse clock may.
    struct Lagging {
        exact: u64,
        lag: u64,
    }

    impl Clock for Lagging {
        fn now_ms(&self) -> u64 {
            self.exact
        }
        fn reading(&self) -> Reading {
            Reading {
                ms: self.exact - self.lag,
                slack_ms: 9,
            }
        }
    }

    #[test]
    fn a_reading_near_a_second_boundary_is_replaced_by_the_exact_time() {
        // 1_000 ms cheap reading, exact 1_003: no boundary in [1000, 1009], cheap one is used.
        let far = Lagging {
            exact: 1_003,
            lag: 3,
        };
        assert_eq!(at_boundaries(&far, far.reading()), 1_000);
        // Cheap 1_995 could be 2_004 in truth: the exact time decides the window.
        let near = Lagging {
            exact: 2_001,
            lag: 6,
        };
        assert_eq!(at_boundaries(&near, near.reading()), 2_001);
    }

    #[test]
    fn the_system_clock_cheap_reading_brackets_the_exact_time() {
        let clock = SystemClock::new();
        for _ in 0..1_000 {
            let before = clock.now_ms();
            let r = clock.reading();
            let after = clock.now_ms();
            assert!(
                r.ms <= after,
                "cheap reading {r:?} ahead of the exact {after}"
            );
            assert!(
                r.ms + r.slack_ms >= before,
                "{r:?} lags the exact {before} too much"
            );
        }
    }

    #[test]
    fn manual_clock_clones_share_their_time() {
        let a = ManualClock::new(5);
        let b = a.clone();
        a.advance(Duration::from_millis(7));
        assert_eq!(b.now_ms(), 12);
        b.set_ms(3);
        assert_eq!(a.now_ms(), 3);
    }
}
