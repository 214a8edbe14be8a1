//! `KeyedLimiter`: the same exact limits for several App Keys, in bounded memory.
//!
//! governor's keyed limiter keeps a state per key until the user calls `retain_recent`, so
//! hostile keys grow it without bound. Here the number of tenants is fixed at construction.
//! A tenant whose charges have all expired carries no information (it reads exactly as a new
//! one), so it is dropped when room is needed. When every tenant still holds live charges, a
//! new key is refused rather than evicting one: evicting live counters would reset them and
//! let that tenant exceed its vendor quota.

use crate::clock::{self, Clock, SystemClock};
use crate::endpoints::Endpoints;
use crate::outcome::{LimitError, Permit, Refusal, Unavailable};
use crate::scoped::{DEFAULT_SCOPE_CAPACITY, Scoped};
use crate::shadow::{self, Shadow};
use crate::table::Table;
use crate::units::Units;
use crate::window::Length;
use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Debug)]
struct Tenants<K, E> {
    map: HashMap<K, Table<E>>,
    /// No tenant can have expired before this time, so a full map is not swept before it:
    /// a flood of new keys costs one sweep per expiry, not one per call. A lower bound on
    /// every tenant's expiry: a sweep sets it to the first expiry among the tenants it keeps,
    /// and each new tenant lowers it to its own (a tenant's expiry only moves later).
    sweep_after_ms: u64,
}

/// Exact limits per key (e.g. per App Key) for a generated `Endpoint` enum, holding at most
/// `capacity` keys.
///
/// Known keys take a shared read lock and a hash per call, then the same lock-free counters
/// as [`Limiter`](crate::Limiter). A new key takes the write lock once. Keys are hashed with
/// std's randomly seeded SipHash, so chosen keys cannot force collisions.
///
/// The methods are [`Limiter`](crate::Limiter)'s, with the key first. A new key that finds
/// every place held by a tenant with live charges is refused with
/// [`Refusal::Unavailable`] of kind [`NoRoom`](crate::UnavailableKind::NoRoom), whose
/// `retry_after` is when the first tenant's charges expire (at the earliest).
#[derive(Debug)]
pub struct KeyedLimiter<K, E, C = SystemClock> {
    tenants: RwLock<Tenants<K, E>>,
    capacity: usize,
    /// Holds the current limits (never charged) that new tenants start from.
    limits: Table<E>,
    /// Every tenant's per-user and per-channel windows, keyed by (tenant, scope key).
    scoped: Scoped,
    /// In shadow mode, the count of calls let through that would have been refused.
    shadow: Option<Box<Shadow>>,
    clock: C,
}

impl<K: Hash + Eq, E: Endpoints> KeyedLimiter<K, E> {
    /// A keyed limiter for at most `capacity` keys at a time, on the system clock.
    pub fn new(capacity: usize) -> Self {
        KeyedLimiter::with_clock(capacity, SystemClock::new())
    }
}

impl<K: Hash + Eq, E: Endpoints, C: Clock> KeyedLimiter<K, E, C> {
    /// A keyed limiter for at most `capacity` keys at a time, reading time from `clock`.
    pub fn with_clock(capacity: usize, clock: C) -> Self {
        let now = clock.now_ms();
        KeyedLimiter {
            tenants: RwLock::new(Tenants {
                map: HashMap::with_capacity(capacity),
                sweep_after_ms: 0,
            }),
            capacity,
            limits: Table::new(now),
            scoped: Scoped::new(E::BUCKETS, E::UTC_OFFSET_SECS, DEFAULT_SCOPE_CAPACITY),
            shadow: None,
            clock,
        }
    }

    /// Admits one unit of `ep`'s quota for `key`.
    pub fn try_acquire<Q>(&self, key: &Q, ep: E) -> Result<Permit, Refusal>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        self.try_acquire_n(key, ep, 1)
    }

    /// Admits one request of `units` for `key`, in all of `ep`'s windows or in none, as
    /// [`Limiter::try_acquire_n`](crate::Limiter::try_acquire_n) does for one tenant.
    pub fn try_acquire_n<Q>(
        &self,
        key: &Q,
        ep: E,
        units: impl Into<Units>,
    ) -> Result<Permit, Refusal>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        let decided = self.decide_n(key, ep, units.into());
        shadow::through(self.shadow.as_deref(), ep, decided, || self.clock.now_ms())
    }

    fn decide_n<Q>(&self, key: &Q, ep: E, cost: Units) -> Result<Permit, Refusal>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        Table::check_caps(ep, &cost)?;
        let reading = self.clock.reading();
        let exact_ms = |r| clock::at_boundaries(&self.clock, r);
        {
            let tenants = self.tenants.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(table) = tenants.map.get(key) {
                return table.try_acquire_n(ep, cost, reading, exact_ms);
            }
        }
        let now = exact_ms(reading);
        self.charge_new(key, now, |table| {
            table.try_acquire_n(ep, cost, reading, |_| now)
        })
    }

    /// Admits one request of `units` for `key` on behalf of the scope key `scope` (a user
    /// ID, a channel): in `key`'s tenant windows of `ep` and in the windows counted per
    /// user or per channel for that tenant and scope key, all or nothing, as
    /// [`Limiter::try_acquire_scoped`](crate::Limiter::try_acquire_scoped) does for one
    /// tenant. Scope keys of every tenant share one [`scope_capacity`](KeyedLimiter::scope_capacity).
    pub fn try_acquire_scoped<Q>(
        &self,
        key: &Q,
        ep: E,
        scope: &str,
        units: impl Into<Units>,
    ) -> Result<Permit, Refusal>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        let decided = self.decide_scoped(key, ep, scope, units.into());
        shadow::through(self.shadow.as_deref(), ep, decided, || self.clock.now_ms())
    }

    fn decide_scoped<Q>(&self, key: &Q, ep: E, scope: &str, units: Units) -> Result<Permit, Refusal>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        let now = clock::at_boundaries(&self.clock, self.clock.reading());
        let h = self.scoped.hash((key, scope));
        self.scoped.with(ep.bucket(), h, now, |windows, slots| {
            let charge =
                |table: &Table<E>| table.try_acquire_with(ep, &units, now, (windows, slots));
            {
                let tenants = self.tenants.read().unwrap_or_else(PoisonError::into_inner);
                if let Some(table) = tenants.map.get(key) {
                    return charge(table);
                }
            }
            self.charge_new(key, now, charge)
        })
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
    ///     limiter.acquire(&app_key, ep, batch.len() as u64).await?;
    ///     send(batch).await?;
    /// }
    /// ```
    pub fn batches<'a, T>(&self, ep: E, items: &'a [T]) -> std::slice::Chunks<'a, T> {
        crate::units::batches(items, self.batch_size(ep))
    }

    /// The same limiter in shadow mode: every call is decided as usual, a refusal is
    /// returned as a permit (0 left until its `retry_after`; nothing charged), counted by
    /// [`shadow_denials`](KeyedLimiter::shadow_denials) over all keys; see
    /// [`Limiter::shadow`](crate::Limiter::shadow).
    pub fn shadow(mut self) -> Self {
        self.shadow = Some(Box::new(Shadow::new::<E>()));
        self
    }

    /// How many calls of `ep`, over all keys, a limiter in shadow mode let through that its
    /// limits would have refused.
    pub fn shadow_denials(&self, ep: E) -> u64 {
        self.shadow.as_ref().map_or(0, |s| s.denials(ep))
    }

    /// The number of scope keys held now, over all tenants.
    pub fn scope_keys(&self) -> usize {
        self.scoped.len()
    }

    /// The same limiter holding at most `capacity` scope keys (over all tenants) instead of
    /// [`DEFAULT_SCOPE_CAPACITY`]; see [`Limiter::scope_capacity`](crate::Limiter::scope_capacity).
    pub fn scope_capacity(mut self, capacity: usize) -> Self {
        self.scoped = self.scoped.with_capacity(capacity);
        self
    }

    /// Charges `key`'s table with `charge` under the write lock, making room for and
    /// inserting a new tenant if `key` is not held.
    fn charge_new<Q>(
        &self,
        key: &Q,
        now: u64,
        charge: impl FnOnce(&Table<E>) -> Result<Permit, Refusal>,
    ) -> Result<Permit, Refusal>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        let mut tenants = self.tenants.write().unwrap_or_else(PoisonError::into_inner);
        if !tenants.map.contains_key(key) {
            if tenants.map.len() >= self.capacity {
                self.sweep(&mut tenants, now);
                if tenants.map.len() >= self.capacity {
                    return Err(Refusal::Unavailable(Unavailable::no_room(
                        Duration::from_millis(tenants.sweep_after_ms.saturating_sub(now)),
                    )));
                }
            }
            let table = Table::new(now);
            table.copy_limits(&self.limits);
            let charged = charge(&table);
            // The new tenant may expire before every other one (or at once, if refused):
            // without this, a sweep that left the map empty (`u64::MAX`) or kept only
            // longer windows would never run again once new keys fill the map.
            let expires = table.live_until(now).unwrap_or(now);
            tenants.sweep_after_ms = tenants.sweep_after_ms.min(expires);
            tenants.map.insert(key.to_owned(), table);
            return charged;
        }
        charge(&tenants.map[key])
    }

    /// Waits until `units` of `ep`'s quota are admitted for `key` (feature `tokio`),
    /// also while a new key waits for room. Fails only when the request can never pass.
    ///
    /// Unlike [`Limiter::acquire`](crate::Limiter::acquire), waiters are not queued: each
    /// retries when the refusing window ends. Cancellation-safe: charging is the last step.
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
    #[cfg(feature = "tokio")]
    pub async fn acquire<Q>(
        &self,
        key: &Q,
        ep: E,
        units: impl Into<Units>,
    ) -> Result<Permit, Refusal>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        let cost = units.into();
        crate::wait::retrying(|| self.try_acquire_n(key, ep, cost)).await
    }

    /// Waits until `units` of `ep`'s quota are admitted for `key` on behalf of the scope
    /// key `scope` ([`try_acquire_scoped`](KeyedLimiter::try_acquire_scoped); feature
    /// `tokio`), retrying when the refusing window ends, also while a key waits for room.
    #[cfg(feature = "tokio")]
    pub async fn acquire_scoped<Q>(
        &self,
        key: &Q,
        ep: E,
        scope: &str,
        units: impl Into<Units>,
    ) -> Result<Permit, Refusal>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        let units = units.into();
        crate::wait::retrying(|| self.try_acquire_scoped(key, ep, scope, units)).await
    }

    /// Drops every tenant whose charges have all expired.
    fn sweep(&self, tenants: &mut Tenants<K, E>, now: u64) {
        if now < tenants.sweep_after_ms {
            return;
        }
        let mut first_expiry = u64::MAX;
        tenants.map.retain(|_, table| match table.live_until(now) {
            Some(until) => {
                first_expiry = first_expiry.min(until);
                true
            }
            None => false,
        });
        tenants.sweep_after_ms = first_expiry;
    }

    /// Reads `key`'s table, or the uncharged one of an unknown key.
    fn read<Q, T>(&self, key: &Q, f: impl FnOnce(&Table<E>) -> T) -> T
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let tenants = self.tenants.read().unwrap_or_else(PoisonError::into_inner);
        f(tenants.map.get(key).unwrap_or(&self.limits))
    }

    /// Units `key` could take on `ep` now (the current limit for an unknown key).
    pub fn remaining<Q>(&self, key: &Q, ep: E) -> u64
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let now = self.clock.now_ms();
        self.read(key, |table| table.remaining(ep, now))
    }

    /// Units left now in `key`'s window of length `len` of `ep`, or `None` if the bucket
    /// enforces no such window.
    pub fn remaining_in<Q>(&self, key: &Q, ep: E, len: impl Into<Length>) -> Option<u64>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let now = self.clock.now_ms();
        self.read(key, |table| table.remaining_in(ep, len.into(), now))
    }

    /// When [`remaining`](KeyedLimiter::remaining) next grows for `key`.
    pub fn reset_at<Q>(&self, key: &Q, ep: E) -> SystemTime
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let now = self.clock.now_ms();
        UNIX_EPOCH + Duration::from_millis(self.read(key, |table| table.reset_at(ep, now)))
    }

    /// Forgets `key` and its charges (e.g. an App Key that was revoked).
    pub fn remove<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let mut tenants = self.tenants.write().unwrap_or_else(PoisonError::into_inner);
        tenants.map.remove(key).is_some()
    }

    /// The number of keys held now (at most [`capacity`](KeyedLimiter::capacity)).
    pub fn len(&self) -> usize {
        let tenants = self.tenants.read().unwrap_or_else(PoisonError::into_inner);
        tenants.map.len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most keys held at once.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The clock the limiter reads.
    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// The current limit of `ep`'s window of length `len`, the same for every key, or
    /// `None` if the bucket enforces no such window.
    pub fn limit(&self, ep: E, len: impl Into<Length>) -> Option<u64> {
        let len = len.into();
        (self.limits.limit(ep, len)).or_else(|| self.scoped.limit(ep.bucket(), len))
    }

    /// Sets the limit of `ep`'s window of length `len` for every key, current and future.
    pub fn set_limit(&self, ep: E, len: impl Into<Length>, max: u64) -> Result<(), LimitError> {
        let len = len.into();
        match self.limits.set_limit(ep, len, max) {
            Err(LimitError::NoSuchWindow { .. })
                if self.scoped.set_limit(ep.bucket(), len, max) =>
            {
                return Ok(());
            }
            result => result?,
        }
        let tenants = self.tenants.read().unwrap_or_else(PoisonError::into_inner);
        for table in tenants.map.values() {
            table.set_limit(ep, len, max)?;
        }
        Ok(())
    }
}
