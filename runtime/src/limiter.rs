//! `Limiter`: exact fixed-window limits for one application, indexed by endpoint.

use crate::clock::{self, Clock, SystemClock};
use crate::endpoints::Endpoints;
use crate::outcome::{LimitError, Permit, Refusal};
use crate::scoped::{DEFAULT_SCOPE_CAPACITY, Scoped};
use crate::table::Table;
use crate::units::Units;
use crate::window::Length;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Exact fixed-window rate limits for a generated `Endpoint` enum.
///
/// One counter per window of each quota bucket, each alone on its cache lines and updated
/// with a compare-and-swap: no locks, no hashing, no allocation per call. Endpoints that
/// share a quota draw on the same counters. See the crate documentation for the semantics.
///
/// ```
/// # mod docs { ratespec::include_limits!("../specs/"); }
/// use docs::rongcloud::Endpoint;
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
    scoped: Scoped,
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
            scoped: Scoped::new(E::BUCKETS, E::UTC_OFFSET_SECS, DEFAULT_SCOPE_CAPACITY),
            clock,
            #[cfg(feature = "tokio")]
            turnstiles: crate::wait::Turnstiles::new(E::BUCKETS.len()),
        }
    }

    /// The same limiter holding at most `capacity` scope keys (users, channels) at a time
    /// instead of [`DEFAULT_SCOPE_CAPACITY`]; keys already held are forgotten.
    ///
    /// Each key held takes about 48 bytes plus 128 per window counted per key of its
    /// endpoint's bucket. A new key is refused only while every place holds a key with live
    /// charges, until the first of them expires (see
    /// [`try_acquire_scoped`](Limiter::try_acquire_scoped)).
    pub fn scope_capacity(mut self, capacity: usize) -> Self {
        self.scoped = self.scoped.with_capacity(capacity);
        self
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

    /// Admits one request of `units` (a size such as `600` recipients, or [`Units`] by
    /// basis) now, in every window of `ep`'s bucket, each in its own basis, or in none.
    /// A window counting calls of an endpoint that counts something else is charged one per
    /// request; windows counted per user or per channel are left out (they need the key:
    /// [`try_acquire_scoped`](Limiter::try_acquire_scoped)).
    ///
    /// Refuses with [`Refusal::OverCap`] when the request is above a documented per-request
    /// cap (before looking at any window), with [`Refusal::Denied`] when a window is too full
    /// now, and with [`Refusal::Exceeds`] when the units are above a window's limit and can
    /// never pass.
    #[inline(always)]
    pub fn try_acquire_n(&self, ep: E, units: impl Into<Units>) -> Result<Permit, Refusal> {
        self.table
            .try_acquire_n(ep, units.into(), self.clock.reading(), |r| {
                clock::at_boundaries(&self.clock, r)
            })
    }

    /// Admits one request of `units` on behalf of the scope key `key` (the user ID or the
    /// channel the request acts on): in `ep`'s tenant windows and in `key`'s windows counted
    /// per user or per channel ([`Scope`](crate::Scope)), all or nothing.
    ///
    /// Refuses as [`try_acquire_n`](Limiter::try_acquire_n) does, and with
    /// [`Refusal::Unavailable`] of kind [`NoRoom`](crate::UnavailableKind::NoRoom) when `key`
    /// is new and every place of the [`scope_capacity`](Limiter::scope_capacity) holds a
    /// key with live charges (until the first of them expires, at most one window). Keys
    /// take room only once admitted, so keys refused by the tenant windows never fill it.
    /// For an endpoint without per-key windows this is `try_acquire_n`.
    ///
    /// ```
    /// use ratespec::{Bucket, Endpoints, Limiter, ManualClock, Per, Route, Scope, Window};
    /// # #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    /// # struct DeleteConversation;
    /// # impl Endpoints for DeleteConversation {
    /// #     const PROVIDER: &'static str = "demo";
    /// #     const ALL: &'static [Self] = &[DeleteConversation];
    /// #     const BUCKETS: &'static [Bucket] = &[Bucket::new("delete", &[
    /// #         Window::new(5, Per::Minute).scoped(Scope::User),
    /// #         Window::new(100, Per::Second),
    /// #     ])];
    /// #     const UTC_OFFSET_SECS: i32 = 0;
    /// #     fn index(self) -> usize { 0 }
    /// #     fn bucket(self) -> usize { 0 }
    /// #     fn cost(self) -> ratespec::Cost { ratespec::Cost::Call }
    /// #     fn as_str(self) -> &'static str { "DeleteConversation" }
    /// #     fn route<'a>(_: &str, _: &'a str) -> Route<'a, Self> { Route::NotFound }
    /// # }
    /// // `5 calls/minute/single user ID` and 100 calls/second for the App Key.
    /// let limiter = Limiter::<DeleteConversation, _>::with_clock(ManualClock::new(0));
    /// for _ in 0..5 {
    ///     limiter.try_acquire_scoped(DeleteConversation, "alice", 1).unwrap();
    /// }
    /// assert!(limiter.try_acquire_scoped(DeleteConversation, "alice", 1).is_err());
    /// assert!(limiter.try_acquire_scoped(DeleteConversation, "bob", 1).is_ok());
    /// ```
    pub fn try_acquire_scoped(
        &self,
        ep: E,
        key: &str,
        units: impl Into<Units>,
    ) -> Result<Permit, Refusal> {
        let units = units.into();
        let now = clock::at_boundaries(&self.clock, self.clock.reading());
        let h = self.scoped.hash(key);
        self.scoped.with(ep.bucket(), h, now, |windows, slots| {
            self.table
                .try_acquire_with(ep, &units, now, (windows, slots))
        })
    }

    /// The number of scope keys held now.
    pub fn scope_keys(&self) -> usize {
        self.scoped.len()
    }

    /// The largest request `ep` admits: the least of its per-request caps and of the current
    /// limits of the windows charged by the request's size (at least 1; `u64::MAX` when
    /// nothing bounds it). A request of this size can pass once its windows have room.
    pub fn batch_size(&self, ep: E) -> u64 {
        crate::units::batch_size(ep, |w| {
            let len = Length::of(w);
            let limit = match crate::window::enforced(w) {
                true => self.table.limit(ep, len),
                false => self.scoped.limit(ep.bucket(), len),
            };
            limit.unwrap_or(w.max)
        })
    }

    /// `items` (recipients, groups, ...) in batches of at most [`batch_size`](Self::batch_size),
    /// each a request that fits every cap and window of `ep`:
    ///
    /// ```ignore
    /// for batch in limiter.batches(ep, &recipients) {
    ///     limiter.acquire(ep, batch.len() as u64).await?;
    ///     send(batch).await?;
    /// }
    /// ```
    pub fn batches<'a, T>(&self, ep: E, items: &'a [T]) -> std::slice::Chunks<'a, T> {
        crate::units::batches(items, self.batch_size(ep))
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
        let len = len.into();
        (self.table.limit(ep, len)).or_else(|| self.scoped.limit(ep.bucket(), len))
    }

    /// Sets the limit of `ep`'s window of length `len` (the tenant's, or a per-key window's,
    /// for every key, where the tenant has none of that length or `len` is
    /// [`scoped`](Length::scoped)), for every endpoint sharing its bucket, effective at once (可调频: the vendor raised the quota). Units already
    /// admitted in the current window still count; lowering the limit below them refuses
    /// until the window ends.
    pub fn set_limit(&self, ep: E, len: impl Into<Length>, max: u64) -> Result<(), LimitError> {
        let len = len.into();
        match self.table.set_limit(ep, len, max) {
            Err(LimitError::NoSuchWindow { .. })
                if self.scoped.set_limit(ep.bucket(), len, max) =>
            {
                Ok(())
            }
            result => result,
        }
    }
}
