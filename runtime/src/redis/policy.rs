//! What happens when Redis cannot answer: the failure policy, the refusal types and the
//! rate-limited log of outages.

use crate::outcome::Unavailable;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

/// What [`RedisLimiter`](super::RedisLimiter) does when Redis is down, slow (no reply within
/// the timeout) or answers nonsense.
///
/// The default is [`FailurePolicy::Open`]: the vendor enforces its limits anyway (the worst
/// case is its 429), whereas refusing every call would turn a Redis outage into an outage of
/// every API the fleet calls. Choose [`Closed`](FailurePolicy::Closed) when going over a
/// quota costs more than not calling at all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailurePolicy {
    /// Admit the call, unlimited, and log the outage at `error!` (at most every 10 s).
    #[default]
    Open,
    /// Refuse the call with [`Refusal::Unavailable`](crate::Refusal::Unavailable), and log
    /// as for `Open`.
    Closed,
}

/// At most one outage log line per this many milliseconds (per limiter).
const LOG_EVERY_MS: u64 = 10_000;

/// Rate-limited logging of failures: the first failure of an outage is logged at once, later
/// ones at most every [`LOG_EVERY_MS`] with the number left unlogged, and the recovery once.
/// Lock-free: a compare-and-swap elects the one caller that logs.
#[derive(Debug)]
pub(crate) struct FailureLog {
    start: Instant,
    /// Milliseconds since `start` of the last line logged, plus one (0 = never).
    last_ms: AtomicU64,
    unlogged: AtomicU64,
    failing: AtomicBool,
}

impl FailureLog {
    pub(crate) fn new() -> Self {
        FailureLog {
            start: Instant::now(),
            last_ms: AtomicU64::new(0),
            unlogged: AtomicU64::new(0),
            failing: AtomicBool::new(false),
        }
    }

    pub(crate) fn failed(
        &self,
        policy: FailurePolicy,
        provider: &str,
        bucket: &str,
        error: &Unavailable,
    ) {
        self.failing.store(true, Ordering::Relaxed);
        let now = self.start.elapsed().as_millis() as u64 + 1;
        let last = self.last_ms.load(Ordering::Relaxed);
        let due = last == 0 || now.saturating_sub(last) >= LOG_EVERY_MS;
        if !due
            || self
                .last_ms
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            self.unlogged.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let unlogged = self.unlogged.swap(0, Ordering::Relaxed);
        match policy {
            FailurePolicy::Open => tracing::error!(
                provider,
                bucket,
                unlogged,
                "ratespec: {error}; admitting calls without the shared limit (fail open)"
            ),
            FailurePolicy::Closed => tracing::error!(
                provider,
                bucket,
                unlogged,
                "ratespec: {error}; refusing calls (fail closed)"
            ),
        }
    }

    pub(crate) fn succeeded(&self) {
        if self.failing.load(Ordering::Relaxed) && self.failing.swap(false, Ordering::Relaxed) {
            let unlogged = self.unlogged.swap(0, Ordering::Relaxed);
            self.last_ms.store(0, Ordering::Relaxed);
            tracing::warn!(
                unlogged,
                "ratespec: Redis answers again; shared limits apply again"
            );
        }
    }
}
