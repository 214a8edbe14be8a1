//! `Limiter`: exact fixed-window limits for one application, indexed by endpoint.

use crate::clock::{self, Clock, SystemClock};
use crate::endpoints::Endpoints;
use crate::feedback::{self, Feedback};
use crate::outcome::{LimitError, Permit, Refusal};
use crate::scoped::{DEFAULT_SCOPE_CAPACITY, Scoped};
use crate::shadow::{self, Shadow};
use crate::sliding::Sliding;
use crate::table::{Table, Tightest};
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
    scoped: Scoped,
    /// The tenant windows' counters in conservative mode, which then replace `table`'s.
    sliding: Option<Box<Sliding>>,
    /// What the vendor's answers taught: pauses and effective limits.
    feedback: Feedback,
    /// In shadow mode, the count of calls let through that would have been refused.
    shadow: Option<Box<Shadow>>,
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
        let table = Table::new(clock.now_ms());
        Limiter {
            feedback: Feedback::new(table.layout().clone(), E::UTC_OFFSET_SECS),
            table,
            scoped: Scoped::new(E::BUCKETS, E::UTC_OFFSET_SECS, DEFAULT_SCOPE_CAPACITY),
            sliding: None,
            shadow: None,
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

    /// The same limiter in conservative mode, for clients whose windows need not line up
    /// with the vendor's: no interval of a window's length, wherever it starts, admits more
    /// than the window's limit (a fixed window admits up to twice its limit across its
    /// boundary: 200 at the end of one second and 200 at the start of the next).
    ///
    /// Each of the App Key's windows is counted in [`SUBWINDOWS`](crate::SUBWINDOWS)
    /// sub-windows and a call is checked against the last `SUBWINDOWS + 1` of them: after a
    /// full burst the next call waits a window plus up to a tenth of it, so steady demand is
    /// admitted at no less than 10/11 of the limit. The clock is read exactly on every call,
    /// and each bucket's windows are checked under one mutex (tens of nanoseconds, which a
    /// client calling over the network does not feel; `cargo bench -p ratespec --bench
    /// limiter` compares it with the fixed windows). Windows counted per user or per channel
    /// stay fixed windows. Limits set before carry over.
    ///
    /// ```
    /// ratespec::include_limits!("specs/"); // specs/limits.toml and its documents
    /// use rongcloud::Endpoint;
    /// use ratespec::{Limiter, ManualClock};
    /// use std::time::Duration;
    ///
    /// let clock = ManualClock::new(1_709_254_800_999); // the last millisecond of a second
    /// let limiter = Limiter::<Endpoint, _>::with_clock(clock.clone()).conservative();
    /// for _ in 0..200 {
    ///     limiter.try_acquire(Endpoint::UserGetToken).unwrap();
    /// }
    /// // A fixed window would admit 200 more a millisecond later; this one waits until the
    /// // burst's sub-window is a whole second old.
    /// clock.advance(Duration::from_millis(1));
    /// let refused = limiter.try_acquire(Endpoint::UserGetToken).unwrap_err();
    /// assert_eq!(refused.retry_after(), Some(Duration::from_millis(1_000)));
    /// ```
    pub fn conservative(mut self) -> Self {
        let sliding = Sliding::new::<E>();
        let layout = self.table.layout();
        for b in 0..layout.buckets() {
            for i in 0..layout.windows(b).len() {
                sliding.set_limit_at(b, i, self.table.limit_at(b, i));
            }
        }
        self.sliding = Some(Box::new(sliding));
        self
    }

    /// The same limiter in shadow mode, for trying limits on live traffic before enforcing
    /// them: every call is decided as usual, but a refusal is returned as a permit (0 left in
    /// the refusing window until its `retry_after`; nothing charged for it), counted by
    /// [`shadow_denials`](Limiter::shadow_denials) and logged at `info!` (feature `tracing`).
    ///
    /// ```
    /// ratespec::include_limits!("specs/"); // specs/limits.toml and its documents
    /// use ratespec::{Limiter, ManualClock};
    /// use rongcloud::Endpoint;
    ///
    /// let limiter = Limiter::<Endpoint, _>::with_clock(ManualClock::new(1_709_254_800_000)).shadow();
    /// for _ in 0..5 {
    ///     // `/push.json` allows 2 per hour: all five pass, three would have been refused.
    ///     limiter.try_acquire(Endpoint::Push).unwrap();
    /// }
    /// assert_eq!(limiter.shadow_denials(Endpoint::Push), 3);
    /// assert_eq!(limiter.try_acquire(Endpoint::Push).unwrap().remaining(), 0);
    /// assert_eq!(limiter.shadow_denials(Endpoint::Push), 4);
    /// ```
    pub fn shadow(mut self) -> Self {
        self.shadow = Some(Box::new(Shadow::new::<E>()));
        self
    }

    /// How many calls of `ep` a limiter in [`shadow`](Limiter::shadow) mode let through
    /// that its limits would have refused (0 when not in shadow mode).
    pub fn shadow_denials(&self, ep: E) -> u64 {
        self.shadow.as_ref().map_or(0, |s| s.denials(ep))
    }

    /// Whether the limiter is in [`conservative`](Limiter::conservative) mode.
    pub fn is_conservative(&self) -> bool {
        self.sliding.is_some()
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
        // Shadow mode is tested first and handled out of line: passing every answer through
        // the test afterwards copied it around the stack (6 ns of a 14 ns refusal).
        if let Some(shadow) = self.shadow.as_deref() {
            return self.shadowed_n(shadow, ep, units.into());
        }
        self.decide_n(ep, units.into())
    }

    #[cold]
    #[inline(never)]
    fn shadowed_n(&self, shadow: &Shadow, ep: E, units: Units) -> Result<Permit, Refusal> {
        let decided = self.decide_n(ep, units);
        shadow::through(Some(shadow), ep, decided, || self.clock.now_ms())
    }

    #[inline(always)]
    fn decide_n(&self, ep: E, units: Units) -> Result<Permit, Refusal> {
        let reading = self.clock.reading();
        // One test for the rare cases, whose answers are built out of line: an early return
        // of a refusal built here made every answer go through the stack (10 ns a call).
        if self.sliding.is_some() || !ep.caps().is_empty() || self.feedback.any_paused(reading.ms) {
            return self.decide_rare(ep, units, reading);
        }
        self.table
            .try_acquire_n(ep, units, reading, |r| clock::at_boundaries(&self.clock, r))
    }

    /// A call in conservative mode, of an endpoint with per-request caps, or while the
    /// vendor's refusal pauses the bucket.
    #[cold]
    #[inline(never)]
    fn decide_rare(&self, ep: E, units: Units, reading: clock::Reading) -> Result<Permit, Refusal> {
        Table::check_caps(ep, &units)?;
        if let Some(until) = self.feedback.paused(ep.bucket(), reading.ms) {
            return Err(self.paused(ep, until, reading.ms));
        }
        match &self.sliding {
            Some(sliding) => {
                self.conservative_acquire(sliding, ep, &units, || Ok(Tightest::none(0)))
            }
            None => self
                .table
                .try_acquire_n(ep, units, reading, |r| clock::at_boundaries(&self.clock, r)),
        }
    }

    /// The refusal of a call of `ep` while the vendor's refusal pauses its bucket.
    #[cold]
    fn paused(&self, ep: E, until_ms: u64, now_ms: u64) -> Refusal {
        let b = ep.bucket();
        let windows = self.table.layout().windows(b);
        // The pause names the bucket's shortest window, at its effective limit.
        let (i, w) = (windows.iter().enumerate())
            .min_by_key(|(_, w)| w.len_ms())
            .expect("a paused bucket has windows");
        Refusal::Denied(crate::outcome::Denied {
            retry_after: Duration::from_millis(until_ms.saturating_sub(now_ms)),
            window: w.with_max(self.limit_at(b, i)),
        })
    }

    fn limit_at(&self, b: usize, i: usize) -> u64 {
        match &self.sliding {
            Some(sliding) => sliding.limit_at(b, i),
            None => self.table.limit_at(b, i),
        }
    }

    fn apply(&self, ep: E, changes: Vec<(usize, feedback::Change)>) {
        for (i, change) in changes {
            match &self.sliding {
                Some(sliding) => sliding.set_limit_at(ep.bucket(), i, change.to),
                None => self.table.set_limit_at(ep.bucket(), i, change.to),
            }
            feedback::log(E::PROVIDER, ep.as_str(), &change);
        }
    }

    /// Tells the limiter that the vendor refused a call of `ep` (HTTP 429, RongCloud's
    /// `{"code": 1008}`), with its `Retry-After` if it sent one.
    ///
    /// Every call of `ep`'s bucket is refused until then (without one: until the bucket's
    /// shortest window ends), waiting ones included, and every window's effective limit goes
    /// to 3/4 (at least 1), logged at `warn!` with feature `tracing` (`documented
    /// 200/second, observed ≈ 150/second`). [`vendor_admitted`](Limiter::vendor_admitted)
    /// raises them again.
    ///
    /// ```
    /// ratespec::include_limits!("specs/"); // specs/limits.toml and its documents
    /// use rongcloud::Endpoint;
    /// use ratespec::{Limiter, ManualClock, Per};
    /// use std::time::Duration;
    ///
    /// let clock = ManualClock::new(1_709_254_800_000);
    /// let limiter = Limiter::<Endpoint, _>::with_clock(clock.clone());
    /// limiter.vendor_refused(Endpoint::UserGetToken, Some(Duration::from_secs(2)));
    /// assert_eq!(limiter.limit(Endpoint::UserGetToken, Per::Second), Some(150));
    /// assert_eq!(limiter.documented_limit(Endpoint::UserGetToken, Per::Second), Some(200));
    /// let paused = limiter.try_acquire(Endpoint::UserGetToken).unwrap_err();
    /// assert_eq!(paused.retry_after(), Some(Duration::from_secs(2)));
    /// // Once the pause and one more second have passed, each admission by the vendor
    /// // gives back a twentieth of the documented limit, a second at a time.
    /// clock.advance(Duration::from_secs(3));
    /// limiter.try_acquire(Endpoint::UserGetToken).unwrap();
    /// limiter.vendor_admitted(Endpoint::UserGetToken);
    /// assert_eq!(limiter.limit(Endpoint::UserGetToken, Per::Second), Some(160));
    /// ```
    pub fn vendor_refused(&self, ep: E, retry_after: Option<Duration>) {
        let b = ep.bucket();
        let changes = self
            .feedback
            .refused(b, self.clock.now_ms(), retry_after, |i| self.limit_at(b, i));
        self.apply(ep, changes);
    }

    /// Tells the limiter that the vendor admitted a call of `ep`: once a whole shortest
    /// window has passed since the last change, effective limits lowered by
    /// [`vendor_refused`](Limiter::vendor_refused) go up by a twentieth of their ceiling.
    pub fn vendor_admitted(&self, ep: E) {
        let b = ep.bucket();
        let changes = (self.feedback).admitted(b, self.clock.now_ms(), |i| self.limit_at(b, i));
        self.apply(ep, changes);
    }

    /// The limit `ep`'s window of length `len` recovers to after the vendor's refusals: the
    /// documented one, or the last given to [`set_limit`](Limiter::set_limit).
    /// [`limit`](Limiter::limit) is the effective one.
    pub fn documented_limit(&self, ep: E, len: impl Into<Length>) -> Option<u64> {
        let b = ep.bucket();
        let i = self.table.layout().find(b, len.into())?;
        self.feedback.ceiling(b, i)
    }

    /// A conservative acquire: the caps, then the sliding windows and `then` together.
    #[cold]
    fn conservative_acquire(
        &self,
        sliding: &Sliding,
        ep: E,
        units: &Units,
        then: impl FnOnce() -> Result<Tightest, Refusal>,
    ) -> Result<Permit, Refusal> {
        Table::check_caps(ep, units)?;
        sliding.try_acquire(ep, units, self.clock.now_ms(), then)
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
        let decided = self.decide_scoped(ep, key, units.into());
        shadow::through(self.shadow.as_deref(), ep, decided, || self.clock.now_ms())
    }

    fn decide_scoped(&self, ep: E, key: &str, units: Units) -> Result<Permit, Refusal> {
        let reading = self.clock.reading();
        // The vendor's pause holds the scoped calls of the bucket too.
        if let Some(until) = self.feedback.paused(ep.bucket(), reading.ms) {
            return Err(self.paused(ep, until, reading.ms));
        }
        let now = clock::at_boundaries(&self.clock, reading);
        let h = self.scoped.hash(key);
        self.scoped
            .with(ep.bucket(), h, now, |windows, slots| match &self.sliding {
                Some(sliding) => self.conservative_acquire(sliding, ep, &units, || {
                    Table::<E>::charge_part((windows, slots), ep.cost(), &units, now)
                }),
                None => self
                    .table
                    .try_acquire_with(ep, &units, now, (windows, slots)),
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
        // Each window at its current limit, named with its scope (a per-user minute is
        // not the App Key's).
        crate::units::batch_size(ep, |w| {
            self.limit(ep, Length::of(w).scoped(w.scope))
                .unwrap_or(w.max)
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
        match &self.sliding {
            Some(sliding) => sliding.tightest(ep, self.clock.now_ms()).0,
            None => self.table.remaining(ep, self.clock.now_ms()),
        }
    }

    /// Units left now in `ep`'s window of length `len` (a [`Length`], or a [`Per`](crate::Per)
    /// for one unit), or `None` if its bucket enforces no such window.
    pub fn remaining_in(&self, ep: E, len: impl Into<Length>) -> Option<u64> {
        let (len, now) = (len.into(), self.clock.now_ms());
        match &self.sliding {
            Some(sliding) => sliding.remaining_in(ep, len, now),
            None => self.table.remaining_in(ep, len, now),
        }
    }

    /// When [`remaining`](Limiter::remaining) next grows: the end of the window holding it.
    pub fn reset_at(&self, ep: E) -> SystemTime {
        let now = self.clock.now_ms();
        let reset_ms = match &self.sliding {
            Some(sliding) => sliding.tightest(ep, now).1,
            None => self.table.reset_at(ep, now),
        };
        UNIX_EPOCH + Duration::from_millis(reset_ms)
    }

    /// The current limit of `ep`'s window of length `len` (a [`Length`], or a
    /// [`Per`](crate::Per) for one unit), or `None` if its bucket enforces no such window.
    pub fn limit(&self, ep: E, len: impl Into<Length>) -> Option<u64> {
        let len = len.into();
        let tenant = match &self.sliding {
            Some(sliding) => sliding.limit(ep, len),
            None => self.table.limit(ep, len),
        };
        tenant.or_else(|| self.scoped.limit(ep.bucket(), len))
    }

    /// Sets the limit of `ep`'s window of length `len` (the tenant's, or a per-key window's,
    /// for every key, where the tenant has none of that length or `len` is
    /// [`scoped`](Length::scoped)), for every endpoint sharing its bucket, effective at once (可调频: the vendor raised the quota). Units already
    /// admitted in the current window still count; lowering the limit below them refuses
    /// until the window ends.
    pub fn set_limit(&self, ep: E, len: impl Into<Length>, max: u64) -> Result<(), LimitError> {
        let len = len.into();
        let tenant = match &self.sliding {
            Some(sliding) => sliding.set_limit(ep, len, max),
            None => self.table.set_limit(ep, len, max),
        };
        if tenant.is_ok()
            && let Some(i) = self.table.layout().find(ep.bucket(), len)
        {
            self.feedback.set_ceiling(ep.bucket(), i, max);
        }
        match tenant {
            Err(LimitError::NoSuchWindow { .. })
                if self.scoped.set_limit(ep.bucket(), len, max) =>
            {
                Ok(())
            }
            result => result,
        }
    }
}
