//! What a limiter answers: a permit, or why not.

use crate::meta::{Cap, Window};
use crate::window::Length;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Admission: the units are charged to every window of the endpoint's bucket.
///
/// Fixed windows need nothing back, so a permit is plain data for response headers
/// (`RateLimit-Remaining`, `RateLimit-Reset`), and it names the window it reports on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Permit {
    pub(crate) remaining: u64,
    pub(crate) reset_ms: u64,
    pub(crate) now_ms: u64,
    pub(crate) window: Option<Window>,
}

impl Permit {
    /// A permit of an endpoint without enforced windows, or one admitted without counting
    /// (a shared backend that failed open): nothing is known to be left.
    #[cfg(feature = "redis")]
    pub(crate) const fn unlimited(now_ms: u64) -> Permit {
        Permit {
            remaining: u64::MAX,
            reset_ms: now_ms,
            now_ms,
            window: None,
        }
    }

    /// The permit of a call a limiter in shadow mode would have refused: nothing left in the
    /// refusing window (if one refused), until the refusal's `retry_after`. It carries no
    /// flag of its own (which would grow every permit by a word): the limiter counts it.
    pub(crate) fn shadowed(refusal: &Refusal, now_ms: u64) -> Permit {
        let window = match refusal {
            Refusal::Denied(d) => Some(d.window),
            Refusal::Exceeds(e) => Some(e.window),
            _ => None,
        };
        let after = refusal.retry_after().map_or(0, |d| d.as_millis() as u64);
        Permit {
            remaining: 0,
            reset_ms: now_ms.saturating_add(after),
            now_ms,
            window,
        }
    }

    /// Units still available now: the least over the bucket's windows
    /// (`u64::MAX` for an endpoint without documented limits).
    pub fn remaining(&self) -> u64 {
        self.remaining
    }

    /// The window that holds [`remaining`](Permit::remaining) and ends at
    /// [`reset_at`](Permit::reset_at), at the limit it had when charged; `None` when
    /// nothing was counted (no enforced window, or a backend that failed open).
    pub fn window(&self) -> Option<&Window> {
        self.window.as_ref()
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

/// Refusal for good: the request carries more than the document allows in one request
/// (`600 人/次`), whatever the windows hold. Nothing was checked against the windows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverCap {
    /// The units the request carries in the cap's basis.
    pub units: u64,
    /// The cap, as documented (a reference into the endpoint's metadata, which keeps the
    /// refusal as small as the others: it is returned on every call's path).
    pub cap: &'static Cap,
}

/// Why a call was not admitted, by any limiter ([`Limiter`](crate::Limiter),
/// [`KeyedLimiter`](crate::KeyedLimiter), `RedisLimiter`) or tower layer. Whatever the
/// reason, no window was left charged.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// A window is full; retry after [`Denied::retry_after`].
    Denied(Denied),
    /// The cost can never pass.
    Exceeds(ExceedsLimit),
    /// The request is larger than one request may be; split it (see `batch_size` on the
    /// limiters).
    OverCap(OverCap),
    /// The limiter could not decide: a shared backend did not answer, or a keyed limiter has
    /// no room for a new key. See [`Unavailable::retry_after`].
    Unavailable(Unavailable),
}

impl Refusal {
    /// How long to wait before retrying, or `None` when retrying can never succeed or no
    /// time is known (a backend that did not answer).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Refusal::Denied(d) => Some(d.retry_after),
            Refusal::Exceeds(_) | Refusal::OverCap(_) => None,
            Refusal::Unavailable(u) => u.retry_after(),
        }
    }
}

/// What made a limiter unable to decide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UnavailableKind {
    /// A [`KeyedLimiter`](crate::KeyedLimiter) holds its capacity of keys, each with live
    /// charges, so a new key has no room until the first of them expires.
    NoRoom,
    /// A shared backend gave no answer within the timeout.
    Timeout,
    /// A shared backend failed (connection, server error); [`Error::source`] is its error.
    ///
    /// [`Error::source`]: std::error::Error::source
    Backend,
    /// A shared backend answered something that contradicts its protocol.
    Reply,
}

/// Why a limiter could not decide; nothing was charged. Cheap to clone.
#[derive(Clone)]
pub struct Unavailable(Arc<Cause>);

enum Cause {
    NoRoom(Duration),
    Timeout(Duration),
    Backend(Box<dyn std::error::Error + Send + Sync>),
    Reply(String),
}

impl Unavailable {
    pub(crate) fn no_room(retry_after: Duration) -> Self {
        Unavailable(Arc::new(Cause::NoRoom(retry_after)))
    }

    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn timeout(after: Duration) -> Self {
        Unavailable(Arc::new(Cause::Timeout(after)))
    }

    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn backend(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Unavailable(Arc::new(Cause::Backend(Box::new(error))))
    }

    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn reply(what: String) -> Self {
        Unavailable(Arc::new(Cause::Reply(what)))
    }

    /// What went wrong.
    pub fn kind(&self) -> UnavailableKind {
        match &*self.0 {
            Cause::NoRoom(_) => UnavailableKind::NoRoom,
            Cause::Timeout(_) => UnavailableKind::Timeout,
            Cause::Backend(_) => UnavailableKind::Backend,
            Cause::Reply(_) => UnavailableKind::Reply,
        }
    }

    /// When retrying can succeed, if that is known: for [`UnavailableKind::NoRoom`], when
    /// the first key's charges expire.
    pub fn retry_after(&self) -> Option<Duration> {
        match &*self.0 {
            Cause::NoRoom(after) => Some(*after),
            _ => None,
        }
    }

    /// Whether a shared backend did not answer within the configured timeout.
    pub fn is_timeout(&self) -> bool {
        self.kind() == UnavailableKind::Timeout
    }
}

impl fmt::Debug for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unavailable")
            .field("kind", &self.kind())
            .field("message", &self.to_string())
            .finish()
    }
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            Cause::NoRoom(after) => write!(
                f,
                "no room for a new key; retry after {} ms",
                after.as_millis()
            ),
            Cause::Timeout(after) => {
                write!(f, "Redis gave no reply within {} ms", after.as_millis())
            }
            Cause::Backend(e) => write!(f, "Redis failed: {e}"),
            Cause::Reply(what) => write!(f, "unexpected reply from the Redis script: {what}"),
        }
    }
}

/// Equal when of the same kind with the same message (backend errors are not comparable
/// themselves).
impl PartialEq for Unavailable {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
            || (self.kind() == other.kind() && self.to_string() == other.to_string())
    }
}

impl Eq for Unavailable {}

impl std::error::Error for Unavailable {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.0 {
            Cause::Backend(e) => Some(&**e),
            _ => None,
        }
    }
}

impl fmt::Display for Denied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "rate limit of {} per {} reached; retry after {} ms",
            self.window.max,
            Length::of(&self.window),
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
            Length::of(&self.window)
        )
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Denied(d) => d.fmt(f),
            Refusal::Exceeds(e) => e.fmt(f),
            Refusal::OverCap(c) => c.fmt(f),
            Refusal::Unavailable(u) => write!(f, "the limiter is unavailable: {u}"),
        }
    }
}

impl fmt::Display for OverCap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The document's own unit (`users`, `人`) reads right for any count.
        write!(
            f,
            "{} {} in one request, above the documented {} {} per request",
            self.units, self.cap.unit, self.cap.max, self.cap.unit
        )
    }
}

impl std::error::Error for OverCap {}
impl std::error::Error for Denied {}
impl std::error::Error for ExceedsLimit {}
impl std::error::Error for Refusal {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Refusal::Unavailable(u) => Some(u),
            _ => None,
        }
    }
}

/// Why a limit could not be changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LimitError {
    /// The endpoint's bucket has no window of this length (and scope, for a
    /// [`scoped`](crate::Length::scoped) length).
    NoSuchWindow {
        /// The endpoint's variant name.
        endpoint: &'static str,
        /// The window length asked for.
        length: Length,
    },
    /// The limit is above [`MAX_LIMIT`](crate::window::MAX_LIMIT), more than a window's
    /// count holds.
    TooLarge {
        /// The limit asked for.
        max: u64,
    },
}

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LimitError::NoSuchWindow { endpoint, length } => {
                write!(f, "{endpoint} has no limit per {length}")
            }
            LimitError::TooLarge { max } => write!(
                f,
                "limit {max} is above the largest supported, {}",
                crate::window::MAX_LIMIT
            ),
        }
    }
}

impl std::error::Error for LimitError {}
