//! What happens when Redis cannot answer: the failure policy, the refusal types and the
//! rate-limited log of outages.

use crate::outcome::Refusal;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What [`RedisLimiter`](super::RedisLimiter) does when Redis is down, slow (no reply within
/// the timeout) or answers nonsense.
///
/// The default is [`FailurePolicy::Open`]: the vendor enforces its limits anyway (the worst
/// case is its 429), whereas refusing every call would turn a Redis outage into an outage of
/// every API the fleet calls. Choose [`Closed`](FailurePolicy::Closed) when going over a
/// quota costs more than not calling at all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FailurePolicy {
    /// Admit the call, unlimited, and log the outage at `error!` (at most every 10 s).
    #[default]
    Open,
    /// Refuse the call with [`RedisRefusal::Unavailable`], and log as for `Open`.
    Closed,
}

/// Why Redis gave no usable answer.
#[derive(Debug)]
pub struct RedisUnavailable {
    cause: Cause,
}

#[derive(Debug)]
enum Cause {
    /// No reply within the per-call timeout.
    Timeout(Duration),
    /// The connection or the server failed.
    Redis(::redis::RedisError),
    /// The script's reply did not have the expected shape.
    Reply(String),
}

impl RedisUnavailable {
    pub(crate) fn timeout(after: Duration) -> Self {
        RedisUnavailable {
            cause: Cause::Timeout(after),
        }
    }

    pub(crate) fn redis(error: ::redis::RedisError) -> Self {
        RedisUnavailable {
            cause: Cause::Redis(error),
        }
    }

    pub(crate) fn reply(what: String) -> Self {
        RedisUnavailable {
            cause: Cause::Reply(what),
        }
    }

    /// Whether Redis did not answer within the configured timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self.cause, Cause::Timeout(_))
    }

    /// The Redis client's error, if that is what failed.
    pub fn redis_error(&self) -> Option<&::redis::RedisError> {
        match &self.cause {
            Cause::Redis(e) => Some(e),
            _ => None,
        }
    }
}

impl fmt::Display for RedisUnavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cause {
            Cause::Timeout(after) => {
                write!(f, "Redis gave no reply within {} ms", after.as_millis())
            }
            Cause::Redis(e) => write!(f, "Redis failed: {e}"),
            Cause::Reply(what) => write!(f, "unexpected reply from the Redis script: {what}"),
        }
    }
}

impl std::error::Error for RedisUnavailable {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.cause {
            Cause::Redis(e) => Some(e),
            _ => None,
        }
    }
}

/// Why [`RedisLimiter`](super::RedisLimiter) did not admit a call.
#[derive(Debug)]
pub enum RedisRefusal {
    /// The shared quota refuses it, exactly as [`Limiter`](crate::Limiter) would: a window
    /// is full ([`Refusal::Denied`]) or the cost is above a limit ([`Refusal::Exceeds`]).
    Limit(Refusal),
    /// Redis could not answer and the policy is [`FailurePolicy::Closed`].
    Unavailable(RedisUnavailable),
}

impl RedisRefusal {
    /// How long to wait before retrying: the end of the full window for a denial, `None`
    /// when the cost can never pass or when Redis is unavailable (no window is known).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            RedisRefusal::Limit(r) => r.retry_after(),
            RedisRefusal::Unavailable(_) => None,
        }
    }
}

impl fmt::Display for RedisRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedisRefusal::Limit(r) => r.fmt(f),
            RedisRefusal::Unavailable(u) => write!(f, "refused because {u}"),
        }
    }
}

impl std::error::Error for RedisRefusal {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RedisRefusal::Limit(r) => Some(r),
            RedisRefusal::Unavailable(u) => Some(u),
        }
    }
}

impl From<Refusal> for RedisRefusal {
    fn from(r: Refusal) -> Self {
        RedisRefusal::Limit(r)
    }
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
        error: &RedisUnavailable,
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
