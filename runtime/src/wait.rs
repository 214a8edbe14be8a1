//! `Limiter::acquire`: wait until admitted, first come first served (feature `tokio`).
//!
//! Each bucket has a turnstile, a one-permit tokio semaphore, whose queue is FIFO. Only the
//! waiter at the head of the queue retries the counters, sleeping until the window that
//! refused it ends; later arrivals queue behind it instead of racing it, so no waiter starves.
//! Callers of the non-waiting `try_acquire` do not queue and may take capacity first.

use crate::clock::Clock;
use crate::endpoints::Endpoints;
use crate::limiter::Limiter;
use crate::outcome::{Permit, Refusal};
use crate::units::Units;
use std::time::Duration;
use tokio::sync::Semaphore;

/// One FIFO turnstile per bucket.
#[derive(Debug)]
pub(crate) struct Turnstiles(Box<[Semaphore]>);

impl Turnstiles {
    pub(crate) fn new(buckets: usize) -> Self {
        Turnstiles((0..buckets).map(|_| Semaphore::new(1)).collect())
    }
}

impl<E: Endpoints, C: Clock> Limiter<E, C> {
    /// Waits until `units` of `ep`'s quota are admitted, then charges them.
    ///
    /// Fails only when the request can never pass: above a limit ([`Refusal::Exceeds`]) or a
    /// per-request cap ([`Refusal::OverCap`]).
    /// Cancellation-safe:
    /// charging is the last step and cannot be interrupted, so a dropped future has charged
    /// nothing, and its place in the queue is released. Sleeps use tokio's timer, so the
    /// limiter's clock should follow real time (or tokio's paused time in tests).
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
    pub async fn acquire(&self, ep: E, units: impl Into<Units>) -> Result<Permit, Refusal> {
        let units = units.into();
        let turnstile = &self.turnstiles.0[ep.bucket()];
        // The semaphore is never closed, so waiting on it cannot fail.
        let Ok(_turn) = turnstile.acquire().await else {
            unreachable!("turnstiles are never closed")
        };
        loop {
            match self.try_acquire_n(ep, units) {
                Err(Refusal::Denied(d)) => pause(d.retry_after).await,
                decided => return decided,
            }
        }
    }

    /// Waits until `units` of `ep`'s quota are admitted on behalf of the scope key `key`
    /// ([`try_acquire_scoped`](Limiter::try_acquire_scoped)), then charges them; also waits
    /// while a new key finds no room. In the bucket's queue with the other waiters, so a
    /// user whose own window is full holds up the waiters behind it until that window ends.
    pub async fn acquire_scoped(
        &self,
        ep: E,
        key: &str,
        units: impl Into<Units>,
    ) -> Result<Permit, Refusal> {
        let units = units.into();
        let turnstile = &self.turnstiles.0[ep.bucket()];
        let Ok(_turn) = turnstile.acquire().await else {
            unreachable!("turnstiles are never closed")
        };
        retrying(|| self.try_acquire_scoped(ep, key, units)).await
    }
}

/// Runs `attempt` until it decides: a refusal that names when to retry (a full window, no
/// room for a new key yet) sleeps until then and tries again; any other answer is returned.
/// For attempts that decide without I/O, see [`retrying`].
pub(crate) async fn retrying_async<F>(mut attempt: impl FnMut() -> F) -> Result<Permit, Refusal>
where
    F: std::future::Future<Output = Result<Permit, Refusal>>,
{
    loop {
        match attempt().await {
            Err(refused @ (Refusal::Denied(_) | Refusal::Unavailable(_))) => {
                let Some(after) = refused.retry_after() else {
                    return Err(refused);
                };
                pause(after).await;
            }
            decided => return decided,
        }
    }
}

/// [`retrying_async`] for an attempt that decides at once.
pub(crate) async fn retrying(
    mut attempt: impl FnMut() -> Result<Permit, Refusal>,
) -> Result<Permit, Refusal> {
    retrying_async(|| std::future::ready(attempt())).await
}

/// Sleeps until a refusal's `retry_after`, at least a millisecond, so a clock that lags
/// tokio's cannot spin.
pub(crate) async fn pause(retry_after: Duration) {
    tokio::time::sleep(retry_after.max(Duration::from_millis(1))).await
}
