//! Learning from the vendor's answers: a refusal by the vendor pauses its bucket, and lowers
//! the bucket's effective limits below the documented ones; admissions raise them again,
//! step by step.
//!
//! Documents are a promise the vendor does not always keep (another service on the same App
//! Key, a quota lowered for the account). The rule is additive increase, multiplicative
//! decrease, as TCP and AWS's adaptive retry mode use it:
//!
//! - **Refused** (a 429, RongCloud's `1008`): every window of the bucket goes to 3/4 of its
//!   effective limit (at least 1), and the bucket refuses every call, waiting ones included,
//!   until the vendor's `Retry-After` (or, without one, the end of the bucket's shortest
//!   window).
//! - **Admitted**: once a whole shortest window has passed since the last change, every
//!   window below its ceiling goes up by a twentieth of the ceiling, never above it.
//!
//! The ceiling is the documented limit, or the one last given to `set_limit` (可调频).

use crate::meta::Window;
use crate::sync::{AtomicU64, Ordering};
use crate::window::Layout;
use std::time::Duration;

/// The share of its effective limit a window keeps after a refusal by the vendor.
const DECREASE: (u64, u64) = (3, 4);
/// The share of its ceiling a window regains per shortest window without refusals.
const INCREASE_DIVISOR: u64 = 20;

/// One limit change, to log or to test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Change {
    /// The window, at its ceiling.
    pub(crate) ceiling: Window,
    /// The effective limit before and after.
    pub(crate) from: u64,
    pub(crate) to: u64,
}

/// Per bucket: the pause and the time of the next increase; per window: the ceiling.
#[derive(Debug)]
pub(crate) struct Feedback {
    layout: Layout,
    utc_offset_secs: i32,
    /// Unix ms until which the bucket refuses every call (0: not paused).
    paused_until: Box<[AtomicU64]>,
    /// The latest of them: the call path reads this one word, beside the limiter's others,
    /// instead of the bucket's in its own allocation (a nanosecond a call).
    any_until: AtomicU64,
    /// Unix ms before which the bucket's limits are not raised.
    next_increase: Box<[AtomicU64]>,
    /// Per window, in layout order.
    ceilings: Box<[AtomicU64]>,
}

impl Feedback {
    pub(crate) fn new(layout: Layout, utc_offset_secs: i32) -> Self {
        let buckets = layout.buckets();
        let atomics = |n: usize| (0..n).map(|_| AtomicU64::new(0)).collect();
        let ceilings = layout.all().iter().map(|w| AtomicU64::new(w.max)).collect();
        Feedback {
            paused_until: atomics(buckets),
            any_until: AtomicU64::new(0),
            next_increase: atomics(buckets),
            ceilings,
            layout,
            utc_offset_secs,
        }
    }

    /// Whether any bucket may be paused at `now_ms` (then ask [`Feedback::paused`]).
    #[inline]
    pub(crate) fn any_paused(&self, now_ms: u64) -> bool {
        now_ms < self.any_until.load(Ordering::Relaxed)
    }

    /// Until when bucket `b` refuses every call, if it is paused at `now_ms`.
    #[inline]
    pub(crate) fn paused(&self, b: usize, now_ms: u64) -> Option<u64> {
        let until = self.paused_until.get(b)?.load(Ordering::Relaxed);
        (now_ms < until).then_some(until)
    }

    /// The ceiling of window `i` of bucket `b`.
    pub(crate) fn ceiling(&self, b: usize, i: usize) -> Option<u64> {
        let at = self.layout.range(b).start + i;
        Some(self.ceilings.get(at)?.load(Ordering::Relaxed))
    }

    /// The user set window `i` of bucket `b` to `max`: its new ceiling.
    pub(crate) fn set_ceiling(&self, b: usize, i: usize, max: u64) {
        if let Some(c) = self.ceilings.get(self.layout.range(b).start + i) {
            c.store(max, Ordering::Relaxed);
        }
    }

    /// The vendor refused a call of bucket `b` at `now_ms`: pauses the bucket and returns the
    /// lowered limits, from `limit(i)` (the effective limit of window `i`).
    pub(crate) fn refused(
        &self,
        b: usize,
        now_ms: u64,
        retry_after: Option<Duration>,
        limit: impl Fn(usize) -> u64,
    ) -> Vec<(usize, Change)> {
        let windows = self.layout.windows(b);
        let Some(shortest) = windows.iter().map(Window::len_ms).min() else {
            return Vec::new();
        };
        let until = match retry_after {
            Some(after) => now_ms.saturating_add(after.as_millis() as u64),
            // No Retry-After: until the shortest window, on this clock, ends.
            None => windows
                .iter()
                .filter(|w| w.len_ms() == shortest)
                .map(|w| w.end_of(self.utc_offset_secs, now_ms))
                .min()
                .unwrap_or(now_ms),
        };
        let was = self.paused_until[b].fetch_max(until, Ordering::Relaxed);
        self.any_until.fetch_max(until, Ordering::Relaxed);
        self.next_increase[b].fetch_max(until.saturating_add(shortest), Ordering::Relaxed);
        // Refusals of calls sent before the pause began arrive while it lasts: one overload,
        // one decrease (as TCP halves once per window of losses), or a burst of N in flight
        // would divide the limit by (4/3)^N.
        if now_ms < was {
            return Vec::new();
        }
        (0..windows.len())
            .filter_map(|i| {
                let from = limit(i);
                let to = (from * DECREASE.0 / DECREASE.1).max(1).min(from);
                (to != from).then(|| (i, self.change(b, i, from, to)))
            })
            .collect()
    }

    /// The vendor admitted a call of bucket `b` at `now_ms`: the raised limits, if a
    /// shortest window has passed since the last change.
    pub(crate) fn admitted(
        &self,
        b: usize,
        now_ms: u64,
        limit: impl Fn(usize) -> u64,
    ) -> Vec<(usize, Change)> {
        let Some(next) = self.next_increase.get(b) else {
            return Vec::new();
        };
        let due = next.load(Ordering::Relaxed);
        if now_ms < due || due == 0 {
            return Vec::new();
        }
        let windows = self.layout.windows(b);
        let shortest = windows.iter().map(Window::len_ms).min().unwrap_or(1_000);
        // One caller per step: the one that moves the time of the next increase.
        let later = if windows
            .iter()
            .enumerate()
            .any(|(i, _)| limit(i) < self.ceiling(b, i).unwrap_or(0))
        {
            now_ms + shortest
        } else {
            0
        };
        if next
            .compare_exchange(due, later, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
        {
            return Vec::new();
        }
        (0..windows.len())
            .filter_map(|i| {
                let ceiling = self.ceiling(b, i)?;
                let from = limit(i);
                let to = (from + (ceiling / INCREASE_DIVISOR).max(1)).min(ceiling);
                (to > from).then(|| (i, self.change(b, i, from, to)))
            })
            .collect()
    }

    fn change(&self, b: usize, i: usize, from: u64, to: u64) -> Change {
        let w = self.layout.windows(b)[i];
        let ceiling = w.with_max(self.ceiling(b, i).unwrap_or(w.max));
        Change { ceiling, from, to }
    }
}

/// Logs a limit change: `documented 200/second, observed ≈ 150/second`; with feature
/// `metrics`, sets the gauges `ratespec_effective_limit` and `ratespec_documented_limit`.
#[cfg_attr(
    not(any(feature = "tracing", feature = "metrics")),
    allow(unused_variables)
)]
pub(crate) fn log(provider: &'static str, endpoint: &'static str, change: &Change) {
    #[cfg(feature = "metrics")]
    {
        let window = crate::window::Length::of(&change.ceiling).label();
        let labels = [
            ("provider", provider.to_owned()),
            ("endpoint", endpoint.to_owned()),
            ("window", window),
        ];
        metrics::gauge!("ratespec_effective_limit", &labels).set(change.to as f64);
        metrics::gauge!("ratespec_documented_limit", &labels).set(change.ceiling.max as f64);
    }
    #[cfg(feature = "tracing")]
    tracing::warn!(
        target: "ratespec",
        provider,
        endpoint,
        effective = change.to,
        "documented {}, observed ≈ {}",
        change.ceiling,
        change.ceiling.with_max(change.to)
    );
}
