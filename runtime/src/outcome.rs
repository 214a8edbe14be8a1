//! What a limiter answers: a permit, or why not.

use crate::meta::{Per, Window};
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Admission: the units are charged to every window of the endpoint's bucket.
///
/// Fixed windows need nothing back, so a permit is plain data for response headers
/// (`RateLimit-Remaining`, `RateLimit-Reset`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Permit {
    pub(crate) remaining: u64,
    pub(crate) reset_ms: u64,
    pub(crate) now_ms: u64,
}

impl Permit {
    /// Units still available now: the least over the bucket's windows
    /// (`u64::MAX` for an endpoint without documented limits).
    pub fn remaining(&self) -> u64 {
        self.remaining
    }

    /// When [`remaining`](Permit::remaining) next grows: the end of the window that holds it.
    pub fn reset_at(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.reset_ms)
    }

    /// [`reset_at`](Permit::reset_at) as Unix milliseconds.
    pub fn reset_at_unix_ms(&self) -> u64 {
        self.reset_ms
    }

    /// How long until [`reset_at`](Permit::reset_at), from the time of admission.
    pub fn reset_after(&self) -> Duration {
        Duration::from_millis(self.reset_ms.saturating_sub(self.now_ms))
    }
}

/// Refusal for now: a window is full; no window was charged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Denied {
    /// How long until every full window has ended: no earlier retry can pass.
    pub retry_after: Duration,
    /// The full window that ends last, with its current limit.
    pub window: Window,
}

/// Refusal for good: the cost is more than a window's limit, so it can never pass
/// (unless the limit is raised with [`Limiter::set_limit`](crate::Limiter::set_limit)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExceedsLimit {
    /// The units asked for.
    pub cost: u64,
    /// The window whose limit is below the cost.
    pub window: Window,
}

/// Why a call was not admitted. Either way, no window was left charged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A window is full; retry after [`Denied::retry_after`].
    Denied(Denied),
    /// The cost can never pass.
    Exceeds(ExceedsLimit),
}

impl Refusal {
    /// How long to wait before retrying, or `None` when retrying can never succeed.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Refusal::Denied(d) => Some(d.retry_after),
            Refusal::Exceeds(_) => None,
        }
    }
}

impl fmt::Display for Denied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "rate limit of {} per {} reached; retry after {} ms",
            self.window.max,
            self.window.per.as_str(),
            self.retry_after.as_millis()
        )
    }
}

impl fmt::Display for ExceedsLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cost {} exceeds the limit of {} per {}; it can never pass",
            self.cost,
            self.window.max,
            self.window.per.as_str()
        )
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Denied(d) => d.fmt(f),
            Refusal::Exceeds(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Denied {}
impl std::error::Error for ExceedsLimit {}
impl std::error::Error for Refusal {}

/// Why a limit could not be changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitError {
    /// The endpoint's bucket has no window of this length.
    NoSuchWindow {
        /// The endpoint's variant name.
        endpoint: &'static str,
        /// The window length asked for.
        per: Per,
    },
    /// The limit is above [`MAX_LIMIT`](crate::MAX_LIMIT), more than a window's count holds.
    TooLarge {
        /// The limit asked for.
        max: u64,
    },
}

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LimitError::NoSuchWindow { endpoint, per } => {
                write!(f, "{endpoint} has no per-{} limit", per.as_str())
            }
            LimitError::TooLarge { max } => write!(
                f,
                "limit {max} is above the largest supported, {}",
                crate::MAX_LIMIT
            ),
        }
    }
}

impl std::error::Error for LimitError {}
