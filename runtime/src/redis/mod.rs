//! [`RedisLimiter`]: the limits of [`Limiter`](crate::Limiter), shared by every process that
//! uses one Redis (feature `redis`), for fleets of servers calling the vendor with one App Key.
//!
//! # Semantics
//!
//! The same as the local limiter, with the same methods (async where they need Redis):
//! fixed windows of any length aligned to the Unix epoch, calendar days in the document's
//! UTC offset ([`Endpoints::UTC_OFFSET_SECS`]), every window of a bucket charged
//! all-or-nothing, weighted costs (a window counting calls is charged one per request),
//! shared buckets, per-user and per-channel windows for calls that name the key
//! ([`RedisLimiter::try_acquire_scoped`]), per-request caps, `retry_after` for the full window that
//! ends last, and [`Refusal::Exceeds`] when a cost is above a limit (decided locally,
//! without a round trip). One acquire is **one round trip**: a Lua script run by EVALSHA
//! reads every window's counter and increments them all only if each has room. After a
//! `SCRIPT FLUSH` or a Redis restart the script is loaded again and re-run within the same
//! call.
//!
//! # Clocks
//!
//! The client, not Redis, decides which window is current: it computes the window ids and
//! ends from its own clock and passes them to the script (keys and arguments), so the script
//! is deterministic and the window arithmetic is the local limiter's. Each window id admits
//! at most its limit in total, across every process, whatever their clocks. But a process
//! whose clock is `d` ahead opens the next window `d` early: around a boundary, the vendor's
//! window can receive up to the limit plus what the early process admitted in that `d`
//! (at most twice the limit, for a skew as long as the window). Keep the fleet on NTP: a few
//! milliseconds of skew matter only for per-second windows, and only at their boundaries.
//! A process whose clock lags keeps charging the older window's counter (its key lives
//! [`KEY_TTL_MARGIN`] past the window's end), so it cannot reopen a window the others
//! already filled.
//!
//! # Keys
//!
//! `ratespec:{<tenant>:<provider>:<bucket>}:<length>:<window id>`, for instance
//! `ratespec:{rongcloud:push}:1d:20580` or, with the tenant (App Key) `k1`,
//! `ratespec:{k1:rongcloud:push}:1h:493921`; a `10 次/10 秒` window is `10s` and its id
//! counts 10-second windows since the epoch. The bucket is named by
//! [`Bucket::name`](crate::Bucket::name), the window by its length
//! ([`Length::label`](crate::Length::label)), never by an enum discriminant, so editing a
//! document never moves a counter. `%`, `:`, `{` and `}` in a
//! tenant are percent-encoded. A window counted per user or per channel has a key per
//! scope key, after the bucket's braces: `ratespec:{k1:easemob:DeleteUserChannel}:user=alice:1m:28928`
//! (the key percent-encoded as a tenant is; one longer than 128 bytes is named by its
//! 64-bit FNV-1a hash, `user=#5f2a…`). Keys expire [`KEY_TTL_MARGIN`] after their window ends (by
//! the charging client's clock). The braces keep a bucket's keys in one Redis Cluster slot.
//!
//! # Failures
//!
//! When Redis is down, slow (no answer within the timeout, [`DEFAULT_TIMEOUT`] by default)
//! or answers nonsense, the [`FailurePolicy`] applies: [`Open`](FailurePolicy::Open) (the
//! default) admits and logs at `error!` through `tracing`, at most one line every ten
//! seconds; [`Closed`](FailurePolicy::Closed) refuses with [`Refusal::Unavailable`].
//! Nothing panics. A call that times out may still run on the server later: its units stay
//! charged (a conservative error, never an over-admission under `Closed`).
//!
//! # Redis Cluster
//!
//! With feature `redis-cluster`, [`RedisLimiter::builder_cluster`] builds the same limiter
//! over a Redis Cluster. A bucket's keys share one hash tag, so an acquire is still one
//! EVALSHA in one slot, run by that slot's master (and `SCRIPT LOAD` after a NOSCRIPT is sent
//! there too); buckets and tenants spread over the masters. When a master dies, calls for its
//! slots apply the failure policy until the cluster promotes its replica (the node timeout
//! and about a second more), then count on the new master. Replication is asynchronous:
//! counts the master had not yet sent to its replica are lost with it, so the window can
//! admit that many calls more than its limit. While the client refreshes its slot map,
//! calls for other masters' slots can time out too.
//!
//! # Short-circuit
//!
//! Once a reply shows a window full (count at its limit), the limiter refuses calls of that
//! bucket locally until the window ends by its clock, without a round trip (on by default,
//! [`RedisLimiterBuilder::short_circuit`]). The refusal is the one Redis would give, with the
//! same `retry_after`; only a limit raised elsewhere for that window would be missed.

mod conn;
mod keys;
mod limits;
mod policy;
mod script;

#[cfg(feature = "redis-cluster")]
pub use ::redis::cluster::{ClusterClient, ClusterClientBuilder};
pub use ::redis::{Client, RedisError};
pub use policy::FailurePolicy;

use crate::clock::{self, Clock, SystemClock};
use crate::endpoints::Endpoints;
use crate::feedback::Feedback;
use crate::meta::Window;
use crate::outcome::{Denied, ExceedsLimit, LimitError, OverCap, Permit, Refusal, Unavailable};
use crate::shadow::{self, Shadow};
use crate::shortcut::Shortcuts;
use crate::table::Tightest;
use crate::units::Units;
use crate::window::{self, Layout, Length, MAX_LIMIT};
use conn::{Backend, Conn};
use keys::Keys;
use limits::Limits;
use policy::FailureLog;
use script::{ChargeScript, Reply};
use std::fmt;
use std::marker::PhantomData;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long a window's counter key outlives the window's end.
pub const KEY_TTL_MARGIN: Duration = Duration::from_secs(60);

/// The default time one acquire may wait for Redis before the failure policy applies.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(100);

/// The documented limits of a generated `Endpoint` enum, counted in Redis and shared by every
/// process that uses the same Redis and tenant. See the [module documentation](self).
///
/// Build it with [`RedisLimiter::builder`] inside a Tokio runtime with timers enabled.
///
/// ```no_run
/// ratespec::include_limits!("specs/"); // specs/limits.toml and its documents
/// use rongcloud::Endpoint;
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use ratespec::Refusal;
/// use ratespec::redis::{Client, FailurePolicy, RedisLimiter};
/// use std::time::Duration;
///
/// let limiter = RedisLimiter::<Endpoint>::builder(Client::open("redis://10.0.0.5:6379/")?)
///     .tenant("my-app-key")
///     .timeout(Duration::from_millis(50))
///     .failure_policy(FailurePolicy::Open)
///     .build()?;
/// match limiter.try_acquire(Endpoint::UserGetToken).await {
///     Ok(permit) => { /* call the vendor; permit.remaining(), permit.reset_at() */ }
///     Err(Refusal::Unavailable(e)) => { /* FailurePolicy::Closed and Redis is down */ }
///     Err(refusal) => { /* 429, Retry-After: refusal.retry_after() */ }
/// }
/// # Ok(())
/// # }
/// ```
pub struct RedisLimiter<E, C = SystemClock> {
    conn: Conn,
    keys: Keys,
    limits: Limits,
    /// The limits of the windows counted per scope key (user, channel).
    scoped_limits: Limits,
    script: ChargeScript,
    shortcuts: Option<Shortcuts>,
    /// What this process learnt from the vendor's answers (see `vendor_refused`).
    feedback: Feedback,
    /// In shadow mode, the count of calls let through that would have been refused.
    shadow: Option<Box<Shadow>>,
    policy: FailurePolicy,
    timeout: Duration,
    tenant: Option<String>,
    log: FailureLog,
    clock: C,
    _endpoints: PhantomData<fn() -> E>,
}

/// Configures a [`RedisLimiter`]: tenant, timeout, failure policy, short-circuit, clock.
#[derive(Debug)]
pub struct RedisLimiterBuilder<E, C = SystemClock> {
    backend: Backend,
    tenant: Option<String>,
    timeout: Duration,
    policy: FailurePolicy,
    short_circuit: bool,
    shadow: bool,
    clock: C,
    _endpoints: PhantomData<fn() -> E>,
}

impl<E: Endpoints> RedisLimiter<E> {
    /// A builder on `client` (`Client::open("redis://host:6379/")`), with no tenant,
    /// [`DEFAULT_TIMEOUT`], [`FailurePolicy::Open`], the short-circuit on and the system clock.
    pub fn builder(client: Client) -> RedisLimiterBuilder<E> {
        Self::builder_on(Backend::Single(client))
    }

    /// A builder on a Redis Cluster (feature `redis-cluster`), with the defaults of
    /// [`builder`](RedisLimiter::builder): `ClusterClient::builder(["redis://10.0.0.5:7000/",
    /// "redis://10.0.0.6:7000/"])`, some reachable nodes (the others are discovered), with
    /// credentials or TLS if needed. Every acquire runs on the master of its bucket's slot
    /// (see [Redis Cluster](self#redis-cluster)). The limiter sets the connection timeout,
    /// the response timeout and the waits between retries from its own
    /// [`timeout`](RedisLimiterBuilder::timeout), as it does for one Redis.
    #[cfg(feature = "redis-cluster")]
    pub fn builder_cluster(nodes: ClusterClientBuilder) -> RedisLimiterBuilder<E> {
        Self::builder_on(Backend::Cluster(Box::new(nodes)))
    }

    fn builder_on(backend: Backend) -> RedisLimiterBuilder<E> {
        RedisLimiterBuilder {
            backend,
            tenant: None,
            timeout: DEFAULT_TIMEOUT,
            policy: FailurePolicy::default(),
            short_circuit: true,
            shadow: false,
            clock: SystemClock::new(),
            _endpoints: PhantomData,
        }
    }
}

impl<E: Endpoints, C: Clock> RedisLimiterBuilder<E, C> {
    /// Prefixes every key with this tenant (the App Key), so several applications can share
    /// one Redis with separate quotas. Processes share a quota when their tenants are equal.
    pub fn tenant(mut self, tenant: impl Into<String>) -> Self {
        self.tenant = Some(tenant.into());
        self
    }

    /// How long one acquire waits for Redis (including reconnecting) before the failure
    /// policy applies.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// What to do when Redis cannot answer (default [`FailurePolicy::Open`]).
    pub fn failure_policy(mut self, policy: FailurePolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Whether to refuse locally, without a round trip, while a window Redis reported full
    /// has not ended (default on).
    pub fn short_circuit(mut self, on: bool) -> Self {
        self.short_circuit = on;
        self
    }

    /// Shadow mode: every call is decided as usual (and charged in Redis when admitted), a
    /// refusal is returned as a permit (0 left until its `retry_after`; nothing charged),
    /// counted by [`RedisLimiter::shadow_denials`]; see
    /// [`Limiter::shadow`](crate::Limiter::shadow). Default off.
    pub fn shadow(mut self, on: bool) -> Self {
        self.shadow = on;
        self
    }

    /// Reads time from `clock` instead of the system clock (e.g. a
    /// [`ManualClock`](crate::ManualClock) in tests).
    pub fn clock<C2: Clock>(self, clock: C2) -> RedisLimiterBuilder<E, C2> {
        RedisLimiterBuilder {
            backend: self.backend,
            tenant: self.tenant,
            timeout: self.timeout,
            policy: self.policy,
            short_circuit: self.short_circuit,
            shadow: self.shadow,
            clock,
            _endpoints: PhantomData,
        }
    }

    /// The limiter. It connects lazily, so this does not wait for Redis and does not fail
    /// because Redis is down; it fails only outside a Tokio runtime.
    pub fn build(self) -> Result<RedisLimiter<E, C>, RedisError> {
        Ok(RedisLimiter {
            conn: Conn::new(self.backend, self.timeout)?,
            keys: Keys::new(E::PROVIDER, E::BUCKETS, self.tenant.as_deref()),
            limits: Limits::new(Layout::new(E::BUCKETS)),
            scoped_limits: Limits::new(Layout::scoped(E::BUCKETS)),
            script: ChargeScript::new(),
            shortcuts: self.short_circuit.then(|| Shortcuts::new(E::BUCKETS.len())),
            feedback: Feedback::new(Layout::new(E::BUCKETS), E::UTC_OFFSET_SECS),
            shadow: self.shadow.then(|| Box::new(Shadow::new::<E>())),
            policy: self.policy,
            timeout: self.timeout,
            tenant: self.tenant,
            log: FailureLog::new(),
            clock: self.clock,
            _endpoints: PhantomData,
        })
    }
}

impl<E: Endpoints, C: Clock> RedisLimiter<E, C> {
    /// Admits one unit of `ep`'s quota now, or refuses without charging anything.
    pub async fn try_acquire(&self, ep: E) -> Result<Permit, Refusal> {
        self.try_acquire_n(ep, 1).await
    }

    /// Admits one request of `units` now, in every window of `ep`'s bucket (each in its own
    /// basis) or in none, in one round trip to Redis.
    ///
    /// Refuses as [`Limiter::try_acquire_n`](crate::Limiter::try_acquire_n) would, and
    /// with [`Refusal::Unavailable`] when Redis cannot answer and the policy is
    /// [`FailurePolicy::Closed`]. Under [`FailurePolicy::Open`] such a call is
    /// admitted with a permit whose `remaining()` is `u64::MAX` (unknown). Cancellation
    /// (dropping the future) before the reply may leave the units charged, never more.
    pub async fn try_acquire_n(&self, ep: E, units: impl Into<Units>) -> Result<Permit, Refusal> {
        let decided = self.charge(ep, units.into(), None).await;
        shadow::through(self.shadow.as_deref(), ep, decided, || self.clock.now_ms())
    }

    /// Admits one request of `units` on behalf of the scope key `scope` (a user ID, a
    /// channel): in `ep`'s tenant windows and in `scope`'s windows counted per user or per
    /// channel, all or nothing, in the same one round trip, as
    /// [`Limiter::try_acquire_scoped`](crate::Limiter::try_acquire_scoped) does locally.
    /// The per-key counters are Redis keys of their own (see [Keys](self#keys)), which
    /// expire with their windows: Redis holds no key for a scope that was not admitted.
    pub async fn try_acquire_scoped(
        &self,
        ep: E,
        scope: &str,
        units: impl Into<Units>,
    ) -> Result<Permit, Refusal> {
        let decided = self.charge(ep, units.into(), Some(scope)).await;
        shadow::through(self.shadow.as_deref(), ep, decided, || self.clock.now_ms())
    }

    async fn charge(&self, ep: E, units: Units, scope: Option<&str>) -> Result<Permit, Refusal> {
        let basis = ep.cost();
        if let Some((cap, n)) = units.over(ep.caps(), basis) {
            return Err(Refusal::OverCap(OverCap { units: n, cap }));
        }
        let now = clock::at_boundaries(&self.clock, self.clock.reading());
        let b = ep.bucket();
        let Some(bucket) = E::BUCKETS.get(b) else {
            return Ok(Permit::unlimited(now));
        };
        if let Some(until) = self.feedback.paused(b, now)
            && let Some((i, w)) = self
                .limits
                .windows(b)
                .iter()
                .enumerate()
                .min_by_key(|(_, w)| w.len_ms())
        {
            return Err(denied(w.with_max(self.limits.get(b, i)), until, now));
        }
        let own = self.limits.windows(b);
        let scoped = match scope {
            Some(_) => self.scoped_limits.windows(b),
            None => &[],
        };
        if own.is_empty() && scoped.is_empty() {
            return Ok(Permit::unlimited(now));
        }
        // The tenant's windows, then the scope key's: (window, its current limit, its key).
        let windows = || {
            let own = own
                .iter()
                .enumerate()
                .map(|(i, w)| (w, self.limits.get(b, i)));
            let scoped = scoped
                .iter()
                .enumerate()
                .map(|(i, w)| (w, self.scoped_limits.get(b, i)));
            own.chain(scoped)
        };
        for (w, max) in windows() {
            let cost = units.of(w.cost, basis);
            if cost > max {
                return Err(Refusal::Exceeds(ExceedsLimit {
                    cost,
                    window: w.with_max(max),
                }));
            }
        }
        // A full window refuses any call that charges it at least one unit.
        if let Some((deadline, i)) = self.shortcuts.as_ref().and_then(|s| s.full(b, now))
            && let Some(w) = own.get(i)
            && units.of(w.cost, basis) > 0
        {
            return Err(denied(w.with_max(self.limits.get(b, i)), deadline, now));
        }

        let n = own.len() + scoped.len();
        let mut keys = Vec::with_capacity(n);
        let mut args = Vec::with_capacity(3 * n);
        let mut sent = Vec::with_capacity(n);
        for (i, (w, max)) in windows().enumerate() {
            let id = window::id(w, E::UTC_OFFSET_SECS, now);
            let end = window::end_ms(w, E::UTC_OFFSET_SECS, id);
            let cost = units.of(w.cost, basis);
            keys.push(match scope {
                Some(scope) if i >= own.len() => self.keys.scoped_key(b, scope, w, id),
                _ => self.keys.key(b, w, id),
            });
            args.push(cost);
            args.push(max);
            args.push(end.saturating_sub(now) + KEY_TTL_MARGIN.as_millis() as u64);
            sent.push(Sent {
                window: w.with_max(max),
                end,
                cost,
            });
        }

        let mut con = self.conn.get();
        let answer =
            tokio::time::timeout(self.timeout, self.script.eval(&mut con, &keys, &args)).await;
        let reply = match answer {
            Ok(Ok(values)) => {
                self.conn.answered();
                Reply::decode(values, n).map_err(Unavailable::reply)
            }
            Ok(Err(e)) => Err(Unavailable::backend(e)),
            Err(_elapsed) => {
                self.conn.timed_out();
                Err(Unavailable::timeout(self.timeout))
            }
        };
        match reply.and_then(|reply| self.judge(b, &sent, own.len(), now, reply)) {
            Ok(verdict) => {
                self.log.succeeded();
                verdict
            }
            Err(unavailable) => {
                self.log
                    .failed(self.policy, E::PROVIDER, &bucket.name, &unavailable);
                match self.policy {
                    FailurePolicy::Open => Ok(Permit::unlimited(now)),
                    FailurePolicy::Closed => Err(Refusal::Unavailable(unavailable)),
                }
            }
        }
    }

    /// Turns the script's counts into a permit or a refusal, and notes full windows of the
    /// tenant (the first `own` sent) for the short-circuit. An inner `Err` is a reply that
    /// contradicts the script (unavailable).
    #[allow(clippy::type_complexity)]
    fn judge(
        &self,
        b: usize,
        sent: &[Sent],
        own: usize,
        now: u64,
        reply: Reply,
    ) -> Result<Result<Permit, Refusal>, Unavailable> {
        let mut tightest = Tightest::none(now);
        let mut full: Option<&Sent> = None;
        for (i, (w, &count)) in sent.iter().zip(&reply.counts).enumerate() {
            if count >= w.window.max
                && i < own
                && let Some(s) = &self.shortcuts
            {
                s.full_until(b, i, w.end);
            }
            if reply.admitted {
                tightest = tightest.tighter(Tightest {
                    remaining: w.window.max.saturating_sub(count),
                    reset_ms: w.end,
                    window: Some(w.window),
                });
            } else if count.saturating_add(w.cost) > w.window.max
                && full.is_none_or(|f| w.end > f.end)
            {
                // The full window that ends last: no retry passes before it ends.
                full = Some(w);
            }
        }
        if reply.admitted {
            return Ok(Ok(tightest.permit(now)));
        }
        match full {
            Some(w) => Ok(Err(denied(w.window, w.end, now))),
            None => Err(Unavailable::reply(format!(
                "refused with counts {:?} that leave room for {:?}",
                reply.counts,
                sent.iter().map(|s| s.cost).collect::<Vec<_>>()
            ))),
        }
    }

    /// Waits until `units` of `ep`'s quota are admitted, retrying when the refusing
    /// window ends (without FIFO order across processes). Fails when the request can never
    /// pass, or when Redis cannot answer under [`FailurePolicy::Closed`].
    pub async fn acquire(&self, ep: E, units: impl Into<Units>) -> Result<Permit, Refusal> {
        let units = units.into();
        crate::wait::retrying_async(|| self.try_acquire_n(ep, units)).await
    }

    /// Waits until `units` of `ep`'s quota are admitted on behalf of the scope key `scope`
    /// ([`try_acquire_scoped`](RedisLimiter::try_acquire_scoped)), retrying when the refusing
    /// window ends.
    pub async fn acquire_scoped(
        &self,
        ep: E,
        scope: &str,
        units: impl Into<Units>,
    ) -> Result<Permit, Refusal> {
        let units = units.into();
        crate::wait::retrying_async(|| self.try_acquire_scoped(ep, scope, units)).await
    }

    /// The counts of `ep`'s current windows, read in one round trip (`MGET`), with the
    /// windows at their current limits and their ends.
    async fn read(&self, ep: E) -> Result<(u64, Vec<(Sent, u64)>), Unavailable> {
        let now = self.clock.now_ms();
        let b = ep.bucket();
        let windows = self.limits.windows(b);
        let mut keys = Vec::with_capacity(windows.len());
        let mut sent = Vec::with_capacity(windows.len());
        for (i, w) in windows.iter().enumerate() {
            let id = window::id(w, E::UTC_OFFSET_SECS, now);
            keys.push(self.keys.key(b, w, id));
            sent.push(Sent {
                window: w.with_max(self.limits.get(b, i)),
                end: window::end_ms(w, E::UTC_OFFSET_SECS, id),
                cost: 0,
            });
        }
        if keys.is_empty() {
            return Ok((now, Vec::new()));
        }
        let mut con = self.conn.get();
        let mut mget = ::redis::cmd("MGET");
        mget.arg(&keys);
        let counts: Vec<Option<u64>> =
            match tokio::time::timeout(self.timeout, mget.query_async(&mut con)).await {
                Ok(Ok(counts)) => counts,
                Ok(Err(e)) => return Err(Unavailable::backend(e)),
                Err(_elapsed) => return Err(Unavailable::timeout(self.timeout)),
            };
        if counts.len() != sent.len() {
            return Err(Unavailable::reply(format!("MGET gave {counts:?}")));
        }
        let counts = counts.into_iter().map(Option::unwrap_or_default);
        Ok((now, sent.into_iter().zip(counts).collect()))
    }

    /// The tightest of `ep`'s windows now, from Redis.
    async fn tightest(&self, ep: E) -> Result<Tightest, Unavailable> {
        let (now, windows) = self.read(ep).await?;
        Ok(windows
            .into_iter()
            .map(|(w, count)| Tightest {
                remaining: w.window.max.saturating_sub(count),
                reset_ms: w.end,
                window: Some(w.window),
            })
            .fold(Tightest::none(now), Tightest::tighter))
    }

    /// Units `ep` could take now across the fleet: the least over its bucket's windows
    /// (`u64::MAX` for an endpoint without limits). One round trip; an error when Redis
    /// cannot answer, whatever the failure policy.
    pub async fn remaining(&self, ep: E) -> Result<u64, Unavailable> {
        Ok(self.tightest(ep).await?.remaining)
    }

    /// Units left now in `ep`'s window of length `len`, or `None` if its bucket enforces no
    /// such window. One round trip.
    pub async fn remaining_in(
        &self,
        ep: E,
        len: impl Into<Length>,
    ) -> Result<Option<u64>, Unavailable> {
        let len = len.into();
        let (_, windows) = self.read(ep).await?;
        Ok(windows
            .into_iter()
            .find(|(w, _)| len.matches(&w.window))
            .map(|(w, count)| w.window.max.saturating_sub(count)))
    }

    /// When [`remaining`](RedisLimiter::remaining) next grows: the end of the window holding
    /// it. One round trip.
    pub async fn reset_at(&self, ep: E) -> Result<SystemTime, Unavailable> {
        let reset_ms = self.tightest(ep).await?.reset_ms;
        Ok(UNIX_EPOCH + Duration::from_millis(reset_ms))
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

    /// The current limit of `ep`'s window of length `len` in this process, or `None` if its
    /// bucket enforces no such window.
    pub fn limit(&self, ep: E, len: impl Into<Length>) -> Option<u64> {
        let (b, len) = (ep.bucket(), len.into());
        (self.limits.find(b, len)).or_else(|| self.scoped_limits.find(b, len))
    }

    /// Sets this process's limit of `ep`'s window of length `len`, for every endpoint of its
    /// bucket, effective at once (可调频: the vendor raised the quota).
    ///
    /// Redis stores counts, not limits: each call sends its process's limits, so set the
    /// same limit on every process of the fleet. Units already counted in the current window
    /// still count. A short-circuit in force for the bucket is lifted.
    pub fn set_limit(&self, ep: E, len: impl Into<Length>, max: u64) -> Result<(), LimitError> {
        let len = len.into();
        if max > MAX_LIMIT {
            return Err(LimitError::TooLarge { max });
        }
        let b = ep.bucket();
        if let Some(i) = self.limits.layout().find(b, len) {
            self.feedback.set_ceiling(b, i, max);
        }
        if !self.limits.set(b, len, max) && !self.scoped_limits.set(b, len, max) {
            return Err(LimitError::NoSuchWindow {
                endpoint: ep.as_str(),
                length: len,
            });
        }
        if let Some(s) = &self.shortcuts {
            s.clear(b);
        }
        Ok(())
    }

    /// Tells this process that the vendor refused a call of `ep`, as
    /// [`Limiter::vendor_refused`](crate::Limiter::vendor_refused) does: this process
    /// pauses the bucket until the `Retry-After` and lowers its own limits (each process of
    /// the fleet learns from its own answers; the counts in Redis are unchanged).
    pub fn vendor_refused(&self, ep: E, retry_after: Option<Duration>) {
        let b = ep.bucket();
        let now = self.clock.now_ms();
        let changes = (self.feedback).refused(b, now, retry_after, |i| self.limits.get(b, i));
        self.apply(ep, changes);
    }

    /// Tells this process that the vendor admitted a call of `ep`, as
    /// [`Limiter::vendor_admitted`](crate::Limiter::vendor_admitted) does.
    pub fn vendor_admitted(&self, ep: E) {
        let b = ep.bucket();
        let now = self.clock.now_ms();
        let changes = (self.feedback).admitted(b, now, |i| self.limits.get(b, i));
        self.apply(ep, changes);
    }

    /// How many calls of `ep` this process, in shadow mode, let through that the limits
    /// would have refused (0 when not in shadow mode).
    pub fn shadow_denials(&self, ep: E) -> u64 {
        self.shadow.as_ref().map_or(0, |s| s.denials(ep))
    }

    /// The limit `ep`'s window of length `len` recovers to after the vendor's refusals (the
    /// documented one, or the last given to [`set_limit`](RedisLimiter::set_limit)).
    pub fn documented_limit(&self, ep: E, len: impl Into<Length>) -> Option<u64> {
        let b = ep.bucket();
        let i = self.limits.layout().find(b, len.into())?;
        self.feedback.ceiling(b, i)
    }

    fn apply(&self, ep: E, changes: Vec<(usize, crate::feedback::Change)>) {
        for (i, change) in changes {
            self.limits.set_at(ep.bucket(), i, change.to);
            crate::feedback::log(E::PROVIDER, ep.as_str(), &change);
        }
        if let Some(s) = &self.shortcuts {
            s.clear(ep.bucket());
        }
    }

    /// The clock the limiter reads.
    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// The policy applied when Redis cannot answer.
    pub fn failure_policy(&self) -> FailurePolicy {
        self.policy
    }

    /// The tenant prefixing the keys, if any.
    pub fn tenant(&self) -> Option<&str> {
        self.tenant.as_deref()
    }

    /// The SHA-1 of the Lua script, as EVALSHA names it (for monitoring and benchmarks).
    pub fn script_sha(&self) -> &str {
        self.script.sha()
    }
}

/// What one call sent for one window: the window at its current limit, its end, and the
/// units charged to it.
struct Sent {
    window: Window,
    end: u64,
    cost: u64,
}

/// A denial by `window`, which ends at `end_ms`.
fn denied(window: Window, end_ms: u64, now_ms: u64) -> Refusal {
    Refusal::Denied(Denied {
        retry_after: Duration::from_millis(end_ms.saturating_sub(now_ms)),
        window,
    })
}

impl<E: Endpoints, C: fmt::Debug> fmt::Debug for RedisLimiter<E, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisLimiter")
            .field("provider", &E::PROVIDER)
            .field("tenant", &self.tenant)
            .field("policy", &self.policy)
            .field("timeout", &self.timeout)
            .field("short_circuit", &self.shortcuts.is_some())
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}
