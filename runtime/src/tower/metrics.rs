//! Per-endpoint counts of what the layers decided, and the matching `tracing` events.

use crate::endpoints::Endpoints;
use crate::outcome::Refusal;
use crate::units::Units;
use std::fmt;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counts per endpoint of admitted, denied and unavailable decisions, indexed by the
/// endpoint's discriminant (no hashing, no lock).
///
/// Every decision is also a `tracing` event with target `ratespec` and fields `provider`,
/// `endpoint`, `cost` (the request's size): admissions at `DEBUG`, refusals at `INFO` (with `retry_after_ms`),
/// an unavailable limiter at `WARN`.
pub struct Stats<E> {
    /// Three counters per endpoint: admitted, denied, unavailable.
    counts: Box<[AtomicU64]>,
    endpoints: PhantomData<fn() -> E>,
}

const ADMITTED: usize = 0;
const DENIED: usize = 1;
const UNAVAILABLE: usize = 2;

impl<E: Endpoints> Stats<E> {
    pub(crate) fn new() -> Self {
        Stats {
            counts: (0..E::ALL.len() * 3).map(|_| AtomicU64::new(0)).collect(),
            endpoints: PhantomData,
        }
    }

    fn get(&self, ep: E, which: usize) -> u64 {
        self.counts[ep.index() * 3 + which].load(Ordering::Relaxed)
    }

    fn bump(&self, ep: E, which: usize) {
        self.counts[ep.index() * 3 + which].fetch_add(1, Ordering::Relaxed);
    }

    /// Requests for `ep` that were admitted.
    pub fn admitted(&self, ep: E) -> u64 {
        self.get(ep, ADMITTED)
    }

    /// Requests for `ep` that the limits refused (a full window, or a cost that can never
    /// pass).
    pub fn denied(&self, ep: E) -> u64 {
        self.get(ep, DENIED)
    }

    /// Requests for `ep` that the limiter could not decide on.
    pub fn unavailable(&self, ep: E) -> u64 {
        self.get(ep, UNAVAILABLE)
    }

    /// Every endpoint with a non-zero count: `(endpoint, admitted, denied, unavailable)`.
    pub fn snapshot(&self) -> Vec<(E, u64, u64, u64)> {
        E::ALL
            .iter()
            .map(|&ep| (ep, self.admitted(ep), self.denied(ep), self.unavailable(ep)))
            .filter(|&(_, a, d, u)| a + d + u > 0)
            .collect()
    }

    pub(crate) fn record_admitted(&self, ep: E, units: Units) {
        self.bump(ep, ADMITTED);
        let cost = units.size();
        tracing::debug!(
            target: "ratespec",
            provider = E::PROVIDER,
            endpoint = ep.as_str(),
            cost,
            "admitted"
        );
    }

    pub(crate) fn record_refused(&self, ep: E, units: Units, refusal: &Refusal) {
        let cost = units.size();
        match refusal {
            Refusal::Denied(_) | Refusal::Exceeds(_) | Refusal::OverCap(_) => {
                self.bump(ep, DENIED);
                let retry_after_ms = refusal
                    .retry_after()
                    .map_or(u64::MAX, |d| d.as_millis() as u64);
                tracing::info!(
                    target: "ratespec",
                    provider = E::PROVIDER,
                    endpoint = ep.as_str(),
                    cost,
                    retry_after_ms,
                    "denied: {refusal}"
                );
            }
            Refusal::Unavailable(e) => {
                self.bump(ep, UNAVAILABLE);
                tracing::warn!(
                    target: "ratespec",
                    provider = E::PROVIDER,
                    endpoint = ep.as_str(),
                    cost,
                    "limiter unavailable: {e}"
                );
            }
        }
    }
}

impl<E: Endpoints> fmt::Debug for Stats<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.snapshot()).finish()
    }
}
