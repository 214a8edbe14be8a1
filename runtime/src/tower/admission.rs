//! `Admission`: what the layers need from a limiter, local or shared.

use crate::clock::Clock;
use crate::endpoints::Endpoints;
use crate::limiter::Limiter;
use crate::meta::Per;
use crate::outcome::{Permit, Refusal};
use std::fmt;
use std::future::{Future, ready};

/// A boxed error, as tower and hyper use them.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Why a request was not admitted.
#[derive(Debug)]
pub enum Refused {
    /// The limits refuse it: a window is full, or the cost can never pass.
    Limit(Refusal),
    /// The limiter could not decide (a shared backend is unreachable); nothing was charged.
    Unavailable(BoxError),
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::Limit(refusal) => refusal.fmt(f),
            Refused::Unavailable(e) => write!(f, "the limiter is unavailable: {e}"),
        }
    }
}

impl std::error::Error for Refused {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Refused::Limit(refusal) => Some(refusal),
            Refused::Unavailable(e) => Some(&**e),
        }
    }
}

/// A limiter the layers can ask: admit `cost` units of an endpoint's quota now, or wait.
///
/// Implemented for [`Limiter`] (the answer is immediate: the futures are ready at once).
/// Implement it for another backend (a shared store, a limiter per tenant) to use the
/// layers with it.
pub trait Admission<E: Endpoints>: Send + Sync + 'static {
    /// Admits `cost` units now, or refuses without charging anything.
    fn try_admit(&self, ep: E, cost: u64) -> impl Future<Output = Result<Permit, Refused>> + Send;

    /// Waits until `cost` units are admitted; refuses only when the cost can never pass
    /// ([`Refusal::Exceeds`]) or the backend is unavailable.
    fn admit(&self, ep: E, cost: u64) -> impl Future<Output = Result<Permit, Refused>> + Send;

    /// Admits or refuses `cost` units at once, when this backend can answer without waiting
    /// (as the local [`Limiter`] can); `None` (the default) when the layers must ask with
    /// [`try_admit`](Admission::try_admit). A `Some` answer charges the units exactly as
    /// `try_admit` would.
    fn try_admit_now(&self, ep: E, cost: u64) -> Option<Result<Permit, Refused>> {
        let _ = (ep, cost);
        None
    }

    /// The current limit of `ep`'s `per` window, for the `RateLimit-*` headers.
    ///
    /// Defaults to the documented limit.
    fn limit(&self, ep: E, per: Per) -> Option<u64> {
        E::BUCKETS[ep.bucket()]
            .windows
            .iter()
            .find(|w| w.per == per)
            .map(|w| w.max)
    }
}

impl<E: Endpoints, C: Clock + 'static> Admission<E> for Limiter<E, C> {
    fn try_admit(&self, ep: E, cost: u64) -> impl Future<Output = Result<Permit, Refused>> + Send {
        ready(self.try_acquire_n(ep, cost).map_err(Refused::Limit))
    }

    async fn admit(&self, ep: E, cost: u64) -> Result<Permit, Refused> {
        self.acquire(ep, cost)
            .await
            .map_err(|e| Refused::Limit(Refusal::Exceeds(e)))
    }

    fn try_admit_now(&self, ep: E, cost: u64) -> Option<Result<Permit, Refused>> {
        Some(self.try_acquire_n(ep, cost).map_err(Refused::Limit))
    }

    fn limit(&self, ep: E, per: Per) -> Option<u64> {
        Limiter::limit(self, ep, per)
    }
}

/// The shared Redis limiter: a full window waits (without FIFO order across processes) until
/// the refusal's `retry_after`; Redis being unreachable under `FailurePolicy::Closed` is
/// [`Refused::Unavailable`] (under `Open`, the Redis limiter admits by itself).
#[cfg(feature = "redis")]
impl<E: Endpoints, C: Clock + 'static> Admission<E> for crate::redis::RedisLimiter<E, C> {
    async fn try_admit(&self, ep: E, cost: u64) -> Result<Permit, Refused> {
        self.try_acquire_n(ep, cost).await.map_err(from_redis)
    }

    async fn admit(&self, ep: E, cost: u64) -> Result<Permit, Refused> {
        loop {
            match self.try_acquire_n(ep, cost).await.map_err(from_redis) {
                // At least a millisecond, so a clock that lags tokio's cannot spin.
                Err(Refused::Limit(Refusal::Denied(d))) => {
                    tokio::time::sleep(d.retry_after.max(std::time::Duration::from_millis(1))).await
                }
                decided => return decided,
            }
        }
    }

    fn limit(&self, ep: E, per: Per) -> Option<u64> {
        crate::redis::RedisLimiter::limit(self, ep, per)
    }
}

#[cfg(feature = "redis")]
fn from_redis(refusal: crate::redis::RedisRefusal) -> Refused {
    match refusal {
        crate::redis::RedisRefusal::Limit(refusal) => Refused::Limit(refusal),
        crate::redis::RedisRefusal::Unavailable(e) => Refused::Unavailable(Box::new(e)),
    }
}
