//! `Limiter`: exact fixed-window limits for one application, indexed by endpoint.

use crate::clock::{self, Clock, SystemClock};
use crate::endpoints::Endpoints;
use crate::outcome::{LimitError, Permit, Refusal};
use crate::table::Table;
use crate::window::Length;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Exact fixed-window rate limits for a generated `Endpoint` enum.
///
/// One counter per window of each quota bucket, each alone on its cache lines and updated
/// with a compare-and-swap: no locks, no hashing, no allocation per call. Endpoints that
/// share a quota draw on the same counters. See the crate documentation for the semantics.
///
/// ```
/// ratespec::include_limits!("specs/"); // specs/limits.toml and its documents
/// use rongcloud::Endpoint;
/// use ratespec::{Limiter, ManualClock};
/// use std::time::Duration;
///
/// // 2024-03-01 09:00 in Beijing, where RongCloud's calendar days turn.
/// let clock = ManualClock::new(1_709_254_800_000);
/// let limiter = Limiter::<Endpoint, _>::with_clock(clock.clone());
/// // `/push.json`: 2 per hour and 3 per calendar day, all-or-nothing.
/// assert_eq!(limiter.try_acquire(Endpoint::Push).unwrap().remaining(), 1);
/// assert!(limiter.try_acquire(Endpoint::Push).is_ok());
/// let refused = limiter.try_acquire(Endpoint::Push).unwrap_err();
/// assert_eq!(refused.retry_after(), Some(Duration::from_secs(3600)));
/// ```
#[derive(Debug)]
pub struct Limiter<E, C = SystemClock> {
    table: Table<E>,
    clock: C,
    #[cfg(feature = "tokio")]
    pub(crate) turnstiles: crate::wait::Turnstiles,
}

impl<E: Endpoints> Limiter<E> {
    /// A limiter at the documented limits, on the system clock.
    pub fn new() -> Self {
        Limiter::with_clock(SystemClock::new())
    }
}

impl<E: Endpoints> Default for Limiter<E> {
    fn default() -> Self {
        Limiter::new()
    }
}

impl<E: Endpoints, C: Clock> Limiter<E, C> {
    /// A limiter at the documented limits, reading time from `clock`.
    pub fn with_clock(clock: C) -> Self {
        Limiter {
            table: Table::new(clock.now_ms()),
            clock,
            #[cfg(feature = "tokio")]
            turnstiles: crate::wait::Turnstiles::new(E::BUCKETS.len()),
        }
    }

    /// The clock the limiter reads.
    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// Admits one unit of `ep`'s quota now, or refuses without charging anything.
    #[inline(always)]
    pub fn try_acquire(&self, ep: E) -> Result<Permit, Refusal> {
        self.try_acquire_n(ep, 1)
    }

    /// Admits `cost` units (recipients, groups, ... as the endpoint's
    /// [`cost`](Endpoints::cost) basis counts them) now, in every window of `ep`'s bucket or
    /// in none. A window counting calls of an endpoint that counts something else is charged
    /// one per request; per-user windows are not enforced (see the crate documentation).
    ///
    /// Refuses with [`Refusal::Denied`] when a window is too full now, and with
    /// [`Refusal::Exceeds`] when `cost` is above a window's limit and can never pass.
    #[inline(always)]
    pub fn try_acquire_n(&self, ep: E, cost: u64) -> Result<Permit, Refusal> {
        self.table
            .try_acquire_n(ep, cost, self.clock.reading(), |r| {
                clock::at_boundaries(&self.clock, r)
            })
    }

    /// Units `ep` could take now: the least over its bucket's windows
    /// (`u64::MAX` for an endpoint without limits).
    pub fn remaining(&self, ep: E) -> u64 {
        self.table.remaining(ep, self.clock.now_ms())
    }

    /// Units left now in `ep`'s window of length `len` (a [`Length`], or a [`Per`](crate::Per)
    /// for one unit), or `None` if its bucket enforces no such window.
    pub fn remaining_in(&self, ep: E, len: impl Into<Length>) -> Option<u64> {
        self.table.remaining_in(ep, len.into(), self.clock.now_ms())
    }

    /// When [`remaining`](Limiter::remaining) next grows: the end of the window holding it.
    pub fn reset_at(&self, ep: E) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.table.reset_at(ep, self.clock.now_ms()))
    }

    /// The current limit of `ep`'s window of length `len` (a [`Length`], or a
    /// [`Per`](crate::Per) for one unit), or `None` if its bucket enforces no such window.
    pub fn limit(&self, ep: E, len: impl Into<Length>) -> Option<u64> {
        self.table.limit(ep, len.into())
    }

    /// Sets the limit of `ep`'s window of length `len`, for every endpoint sharing its
    /// bucket, effective at once (可调频: the vendor raised the quota). Units already
    /// admitted in the current window still count; lowering the limit below them refuses
    /// until the window ends.
    pub fn set_limit(&self, ep: E, len: impl Into<Length>, max: u64) -> Result<(), LimitError> {
        self.table.set_limit(ep, len.into(), max)
    }
}
