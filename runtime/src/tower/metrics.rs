//! Per-endpoint counts of what the layers decided and the vendor answered, and the matching
//! `tracing` events and `metrics` counters.

use crate::endpoints::Endpoints;
use crate::outcome::{Permit, Refusal};
use crate::units::Units;
use std::fmt;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Counts per endpoint of what the layers decided and what the vendor answered, indexed by
/// the endpoint's discriminant (no hashing, no lock): admitted, denied and unavailable
/// decisions; shadow denials (refusals a layer in [shadow mode](super::ServerLayer::shadow)
/// let through); admissions near the limit (the permit's window less than `1 − ratio` of its
/// limit left, see [`near_limit_ratio`](Stats::near_limit_ratio)); and the vendor's refusals
/// a [`ClientLayer`](super::ClientLayer) recognised.
///
/// Every decision is also a `tracing` event with target `ratespec` and fields `provider`,
/// `endpoint`, `cost` (the request's size): admissions at `DEBUG`, refusals at `INFO` (with
/// `retry_after_ms`), shadow denials at `INFO`, the vendor's refusals and an unavailable
/// limiter at `WARN`. With feature `metrics`, each is also a counter of the `metrics` facade
/// labelled `provider` and `endpoint`: `ratespec_admitted_total`, `ratespec_denied_total`,
/// `ratespec_unavailable_total`, `ratespec_shadow_denied_total`,
/// `ratespec_near_limit_total`, `ratespec_vendor_refused_total` (and the limiters set the
/// gauges `ratespec_effective_limit` and `ratespec_documented_limit`, labelled `window` too,
/// whenever the vendor's answers change a limit).
pub struct Stats<E> {
    /// [`KINDS`] counters per endpoint.
    counts: Box<[AtomicU64]>,
    /// The near-limit ratio, as `f64` bits.
    near_limit: AtomicU64,
    endpoints: PhantomData<fn() -> E>,
}

const ADMITTED: usize = 0;
const DENIED: usize = 1;
const UNAVAILABLE: usize = 2;
const SHADOW_DENIED: usize = 3;
const NEAR_LIMIT: usize = 4;
const VENDOR_REFUSED: usize = 5;
const KINDS: usize = 6;

/// The default [`near_limit_ratio`](Stats::near_limit_ratio): an admission with less than a
/// tenth of its window left is near the limit.
pub const DEFAULT_NEAR_LIMIT_RATIO: f64 = 0.9;

/// Bumps a counter of the `metrics` facade labelled with the endpoint (feature `metrics`).
macro_rules! count {
    ($name:literal, $ep:expr) => {
        #[cfg(feature = "metrics")]
        ::metrics::counter!($name, "provider" => E::PROVIDER, "endpoint" => $ep.as_str())
            .increment(1);
    };
}

impl<E: Endpoints> Stats<E> {
    pub(crate) fn new() -> Self {
        Stats {
            counts: (0..E::ALL.len() * KINDS)
                .map(|_| AtomicU64::new(0))
                .collect(),
            near_limit: AtomicU64::new(DEFAULT_NEAR_LIMIT_RATIO.to_bits()),
            endpoints: PhantomData,
        }
    }

    fn get(&self, ep: E, which: usize) -> u64 {
        self.counts
            .get(ep.index() * KINDS + which)
            .map_or(0, |c| c.load(Ordering::Relaxed))
    }

    fn bump(&self, ep: E, which: usize) {
        if let Some(c) = self.counts.get(ep.index() * KINDS + which) {
            c.fetch_add(1, Ordering::Relaxed);
        }
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

    /// Requests for `ep` that the limits would have refused, let through in shadow mode
    /// (counted here, not in [`denied`](Stats::denied)).
    pub fn shadow_denied(&self, ep: E) -> u64 {
        self.get(ep, SHADOW_DENIED)
    }

    /// Admissions of `ep` that left less than `1 − ratio` of their window's limit (see
    /// [`near_limit_ratio`](Stats::near_limit_ratio)).
    pub fn near_limit(&self, ep: E) -> u64 {
        self.get(ep, NEAR_LIMIT)
    }

    /// Responses of the vendor to requests for `ep` that refused them for its rate limit
    /// (a client layer's count: a 429, RongCloud's code 1008).
    pub fn vendor_refused(&self, ep: E) -> u64 {
        self.get(ep, VENDOR_REFUSED)
    }

    /// The share of a window's limit above which an admission counts as near the limit:
    /// [`DEFAULT_NEAR_LIMIT_RATIO`] unless set.
    pub fn near_limit_ratio(&self) -> f64 {
        f64::from_bits(self.near_limit.load(Ordering::Relaxed))
    }

    /// Sets [`near_limit_ratio`](Stats::near_limit_ratio) (clamped to 0..=1; not a number
    /// leaves it unchanged).
    pub fn set_near_limit_ratio(&self, ratio: f64) {
        if !ratio.is_nan() {
            let ratio = ratio.clamp(0.0, 1.0);
            self.near_limit.store(ratio.to_bits(), Ordering::Relaxed);
        }
    }

    /// Every endpoint with a non-zero count of decisions: `(endpoint, admitted, denied,
    /// unavailable)`.
    pub fn snapshot(&self) -> Vec<(E, u64, u64, u64)> {
        E::ALL
            .iter()
            .map(|&ep| (ep, self.admitted(ep), self.denied(ep), self.unavailable(ep)))
            .filter(|&(_, a, d, u)| a + d + u > 0)
            .collect()
    }

    pub(crate) fn record_admitted(&self, ep: E, units: Units, permit: Option<&Permit>) {
        self.bump(ep, ADMITTED);
        count!("ratespec_admitted_total", ep);
        let cost = units.size();
        tracing::debug!(
            target: "ratespec",
            provider = E::PROVIDER,
            endpoint = ep.as_str(),
            cost,
            "admitted"
        );
        let near = permit.and_then(|p| Some((p.remaining(), p.window()?.max)));
        if let Some((remaining, max)) = near
            && (remaining as f64) < (1.0 - self.near_limit_ratio()) * max as f64
        {
            self.bump(ep, NEAR_LIMIT);
            count!("ratespec_near_limit_total", ep);
        }
    }

    /// A refusal a layer in shadow mode let through.
    pub(crate) fn record_shadow(&self, ep: E, units: Units, refusal: &Refusal) {
        self.bump(ep, SHADOW_DENIED);
        count!("ratespec_shadow_denied_total", ep);
        let cost = units.size();
        tracing::info!(
            target: "ratespec",
            provider = E::PROVIDER,
            endpoint = ep.as_str(),
            cost,
            "shadow: would have refused: {refusal}"
        );
    }

    /// The vendor refused a request for its rate limit.
    pub(crate) fn record_vendor_refused(&self, ep: E, retry_after: Option<Duration>) {
        self.bump(ep, VENDOR_REFUSED);
        count!("ratespec_vendor_refused_total", ep);
        let retry_after_ms = retry_after.map_or(u64::MAX, |d| d.as_millis() as u64);
        tracing::warn!(
            target: "ratespec",
            provider = E::PROVIDER,
            endpoint = ep.as_str(),
            retry_after_ms,
            "refused by the vendor"
        );
    }

    pub(crate) fn record_refused(&self, ep: E, units: Units, refusal: &Refusal) {
        let cost = units.size();
        match refusal {
            Refusal::Denied(_) | Refusal::Exceeds(_) | Refusal::OverCap(_) => {
                self.bump(ep, DENIED);
                count!("ratespec_denied_total", ep);
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
                count!("ratespec_unavailable_total", ep);
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
