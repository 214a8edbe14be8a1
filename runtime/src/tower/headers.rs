//! The rate-limit headers and the default answer to a refused request.
//!
//! Two forms are written, so that clients of either generation understand them:
//!
//! - the widely deployed one (Kong, envoy, GitHub-style): `RateLimit-Limit`,
//!   `RateLimit-Remaining`, `RateLimit-Reset` (delta seconds), plus `Retry-After` on 429;
//! - the IETF httpapi draft's structured fields: `RateLimit-Policy` lists every window of the
//!   endpoint's quota (`"hour";q=2;w=3600, "day";q=3;w=86400`) and `RateLimit` the window
//!   that is closest to exhaustion (`"hour";r=1;t=1800`).
//!
//! Seconds are rounded up, so a client that waits `Retry-After` never retries too early.

use super::admission::Admission;
use crate::endpoints::Endpoints;
use crate::meta::{Per, Window};
use crate::outcome::{Permit, Refusal};
use crate::window::{Length, enforced};
use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use http::{Response, StatusCode};
use std::time::Duration;

const LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
const REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
const RESET: HeaderName = HeaderName::from_static("ratelimit-reset");
const POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
const RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");

/// Writes the rate-limit headers for `ep` after `outcome` into `headers`.
///
/// For a permit: `RateLimit-Limit`, `-Remaining`, `-Reset`, `RateLimit` and
/// `RateLimit-Policy`. For a full window ([`Refusal::Denied`]): the same with 0 remaining, and
/// `Retry-After`. For a cost that can never pass ([`Refusal::Exceeds`]): only the limit and
/// the policy (no retry can succeed). An endpoint without documented limits gets none.
///
/// The values are written into stack buffers without `fmt` (one small allocation each;
/// none for a number of seconds under 100), and the map grows at most once.
pub fn rate_limit_headers<E: Endpoints, A: Admission<E>>(
    admission: &A,
    ep: E,
    outcome: Result<&Permit, &Refusal>,
    headers: &mut HeaderMap,
) {
    RateLimitHeaders::new(admission, ep, outcome).insert_into(headers);
}

/// The rate-limit header values of one response, computed when the request is decided and
/// inserted into the response when it is ready.
#[derive(Default)]
pub(crate) struct RateLimitHeaders {
    limit: Option<HeaderValue>,
    remaining: Option<HeaderValue>,
    reset: Option<HeaderValue>,
    retry_after: Option<HeaderValue>,
    ratelimit: Option<HeaderValue>,
    policy: Option<HeaderValue>,
}

impl RateLimitHeaders {
    /// The headers for `ep` after `outcome` (see [`rate_limit_headers`]).
    pub(crate) fn new<E: Endpoints, A: Admission<E>>(
        admission: &A,
        ep: E,
        outcome: Result<&Permit, &Refusal>,
    ) -> Self {
        let windows = E::BUCKETS[ep.bucket()].windows();
        if !windows.iter().any(enforced) {
            return RateLimitHeaders::default();
        }
        let limit_of = |w: &Window| admission.limit(ep, Length::of(w)).unwrap_or(w.max);
        // The window each header reports on: the one the limiter names (the permit's
        // tightest window, the refusing one); its `max` is the limit it applied.
        let (window, state) = match outcome {
            Ok(permit) => match permit.window() {
                Some(w) => (
                    *w,
                    Some((permit.remaining(), secs_up(permit.reset_after()))),
                ),
                None => return RateLimitHeaders::default(),
            },
            Err(Refusal::Denied(denied)) => (denied.window, Some((0, secs_up(denied.retry_after)))),
            Err(Refusal::Exceeds(exceeds)) => (exceeds.window, None),
            Err(refusal) => {
                // Unavailable: no window is known, only when to come back, if that is known.
                let retry_after = refusal
                    .retry_after()
                    .map(|d| Digits::new(secs_up(d)).value());
                return RateLimitHeaders {
                    retry_after,
                    ..RateLimitHeaders::default()
                };
            }
        };
        let length = Length::of(&window);
        // Each number is formatted once, and copied into every value that shows it.
        let limit_digits = Digits::new(window.max);
        let mut headers = RateLimitHeaders {
            limit: Some(limit_digits.value()),
            policy: policy(windows, |w| {
                let n = limit_of(w);
                if length.matches(w) && n == window.max {
                    limit_digits
                } else {
                    Digits::new(n)
                }
            }),
            ..RateLimitHeaders::default()
        };
        if let Some((remaining, reset)) = state {
            let (remaining, reset) = (Digits::new(remaining), Digits::new(reset));
            headers.remaining = Some(remaining.value());
            headers.reset = Some(reset.value());
            if matches!(outcome, Err(Refusal::Denied(_))) {
                headers.retry_after = headers.reset.clone();
            }
            // `"hour";r=1;t=1800`.
            let mut text = Text::<{ RATELIMIT_MAX }>::new();
            text.name(&window);
            text.put(b";r=");
            text.put(remaining.as_bytes());
            text.put(b";t=");
            text.put(reset.as_bytes());
            headers.ratelimit = text.value();
        }
        headers
    }

    /// Inserts the headers (replacing any of the same names), growing the map at most once.
    pub(crate) fn insert_into(self, headers: &mut HeaderMap) {
        let n = [
            &self.limit,
            &self.remaining,
            &self.reset,
            &self.retry_after,
            &self.ratelimit,
            &self.policy,
        ]
        .iter()
        .filter(|value| value.is_some())
        .count();
        if n == 0 {
            return;
        }
        headers.reserve(n);
        if let Some(value) = self.limit {
            headers.insert(LIMIT, value);
        }
        if let Some(value) = self.remaining {
            headers.insert(REMAINING, value);
        }
        if let Some(value) = self.reset {
            headers.insert(RESET, value);
        }
        if let Some(value) = self.retry_after {
            headers.insert(RETRY_AFTER, value);
        }
        if let Some(value) = self.ratelimit {
            headers.insert(RATELIMIT, value);
        }
        if let Some(value) = self.policy {
            headers.insert(POLICY, value);
        }
    }
}

/// `"hour";q=2;w=3600, "day";q=3;w=86400`, `"10s";q=10;w=10`: every enforced window.
fn policy(windows: &[Window], limit_of: impl Fn(&Window) -> Digits) -> Option<HeaderValue> {
    if windows.len() <= POLICY_INLINE / POLICY_WINDOW_MAX {
        let mut text = Text::<{ POLICY_INLINE }>::new();
        write_policy(&mut text, windows, limit_of);
        text.value()
    } else {
        let mut text = Vec::with_capacity(POLICY_WINDOW_MAX * windows.len());
        write_policy(&mut text, windows, limit_of);
        HeaderValue::from_bytes(&text).ok()
    }
}

fn write_policy(text: &mut impl Sink, windows: &[Window], limit_of: impl Fn(&Window) -> Digits) {
    for (i, w) in windows.iter().filter(|w| enforced(w)).enumerate() {
        if i > 0 {
            text.put(b", ");
        }
        text.name(w);
        text.put(b";q=");
        text.put(limit_of(w).as_bytes());
        text.put(b";w=");
        text.put(Digits::new(w.seconds()).as_bytes());
    }
}

/// The decimal digits of a `u64`, written two at a time from a table (as `itoa` does).
#[derive(Clone, Copy)]
struct Digits {
    buf: [u8; U64_MAX_DIGITS],
    start: usize,
    n: u64,
}

impl Digits {
    fn new(n: u64) -> Self {
        let mut buf = [b'0'; U64_MAX_DIGITS];
        let mut start = buf.len();
        let mut rest = n;
        while rest >= 100 {
            let pair = 2 * (rest % 100) as usize;
            rest /= 100;
            start -= 2;
            buf[start] = PAIRS[pair];
            buf[start + 1] = PAIRS[pair + 1];
        }
        if rest >= 10 {
            start -= 2;
            buf[start] = PAIRS[2 * rest as usize];
            buf[start + 1] = PAIRS[2 * rest as usize + 1];
        } else {
            start -= 1;
            buf[start] = b'0' + rest as u8;
        }
        Digits { buf, start, n }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    /// The number as a header value: below 100 from the static table (no allocation),
    /// otherwise copied (one allocation of its length).
    fn value(&self) -> HeaderValue {
        if self.n < 100 {
            let i = 2 * self.n as usize;
            let digits = if self.n < 10 {
                &PAIRS[i + 1..i + 2]
            } else {
                &PAIRS[i..i + 2]
            };
            if let Ok(digits) = std::str::from_utf8(digits) {
                return HeaderValue::from_static(digits);
            }
        }
        // Valid: digits only. (`HeaderValue::from(u64)` allocates twice: a spare buffer, then
        // the shared counter of a `Bytes` shorter than it.)
        HeaderValue::from_bytes(self.as_bytes()).unwrap_or_else(|_| HeaderValue::from(self.n))
    }
}

/// `00` to `99`: the digits of every number below 100, two bytes each.
static PAIRS: [u8; 200] = {
    let mut table = [0; 200];
    let mut i = 0;
    while i < 100 {
        table[2 * i] = b'0' + (i / 10) as u8;
        table[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    table
};

/// The longest `u64`.
const U64_MAX_DIGITS: usize = 20;
/// The longest window name: `"4294967295d"` (a `u32` and a suffix, quoted).
const NAME_MAX: usize = 13;
/// The longest `RateLimit` value: a name, `;r=` (3), a `u64` (20), `;t=` (3), a `u64` (20).
const RATELIMIT_MAX: usize = NAME_MAX + 46;
/// The longest window in `RateLimit-Policy`: `, ` (2), a name, `;q=` (3), a `u64` (20),
/// `;w=` (3), a `u64` (20).
const POLICY_WINDOW_MAX: usize = NAME_MAX + 48;
/// The stack buffer for `RateLimit-Policy`: six windows.
const POLICY_INLINE: usize = 6 * POLICY_WINDOW_MAX;

/// Where header text is written, without `fmt`.
trait Sink {
    fn put(&mut self, bytes: &[u8]);

    /// The window's name, quoted: the unit for one-unit windows (`"second"`, `"day"`), the
    /// length's label otherwise (`"10s"`, `"30m"`, `"2d"`).
    fn name(&mut self, w: &Window) {
        if w.every == 1 {
            self.put(match w.per {
                Per::Second => b"\"second\"",
                Per::Minute => b"\"minute\"",
                Per::Hour => b"\"hour\"",
                Per::Day => b"\"day\"",
            });
        } else {
            self.put(b"\"");
            self.put(Digits::new(u64::from(w.every)).as_bytes());
            self.put(&[w.per.suffix() as u8, b'"']);
        }
    }
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// A stack buffer, written from the start; its callers size it for the most they write.
struct Text<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> Text<N> {
    fn new() -> Self {
        Text {
            buf: [0; N],
            len: 0,
        }
    }

    /// The text as a header value (one allocation of its length).
    fn value(&self) -> Option<HeaderValue> {
        HeaderValue::from_bytes(&self.buf[..self.len]).ok()
    }
}

impl<const N: usize> Sink for Text<N> {
    // A byte loop: these copies are a few bytes long, shorter than a call to `memcpy`.
    fn put(&mut self, bytes: &[u8]) {
        let end = self.len + bytes.len();
        for (to, from) in self.buf[self.len..end].iter_mut().zip(bytes) {
            *to = *from;
        }
        self.len = end;
    }
}

/// The default answer to a refused request: `429 Too Many Requests` (or `503 Service
/// Unavailable` when the limiter could not decide) with a small JSON body,
/// `{"error": "...", "endpoint": "UserGetToken"}`. The layer adds the rate-limit headers.
pub fn default_answer<E: Endpoints>(ep: E, refused: &Refusal) -> Response<Bytes> {
    let (status, error) = match refused {
        Refusal::Unavailable(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the rate limiter is unavailable".to_string(),
        ),
        refusal => (StatusCode::TOO_MANY_REQUESTS, refusal.to_string()),
    };
    // Both strings are ASCII without quotes or backslashes (limits, units, variant names).
    let body = format!(r#"{{"error":"{error}","endpoint":"{}"}}"#, ep.as_str());
    let mut response = Response::new(Bytes::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Whole seconds, rounded up.
fn secs_up(d: Duration) -> u64 {
    duration_ms(d).div_ceil(1000)
}

#[cfg(test)]
mod tests {
    use super::{Digits, Per, Sink, Text, write_policy};
    use crate::meta::{Scope, Window};

    #[test]
    fn numbers_are_written_in_decimal() {
        for n in [
            0,
            7,
            9,
            10,
            42,
            99,
            100,
            101,
            999,
            1000,
            12_345,
            4_294_967_295,
            u64::MAX,
        ] {
            let digits = Digits::new(n);
            assert_eq!(digits.as_bytes(), n.to_string().as_bytes());
            assert_eq!(digits.value(), n.to_string().as_str());
        }
    }

    #[test]
    fn policies_name_each_window_and_its_length() {
        let windows: Vec<Window> = [Per::Second, Per::Minute, Per::Hour, Per::Day]
            .into_iter()
            .zip(1..)
            .map(|(per, max)| Window::new(max, per))
            .collect();
        let mut text = Text::<256>::new();
        write_policy(&mut text, &windows, |w| Digits::new(w.max * 10));
        let expected: Vec<String> = windows
            .iter()
            .map(|w| {
                format!(
                    "\"{}\";q={};w={}",
                    w.per.as_str(),
                    w.max * 10,
                    w.per.seconds()
                )
            })
            .collect();
        assert_eq!(text.value().unwrap(), expected.join(", ").as_str());
        let mut heap = Vec::new();
        heap.name(&Window::new(1, Per::Day));
        assert_eq!(heap, b"\"day\"");
    }

    #[test]
    fn windows_of_several_units_are_named_by_their_length_and_user_windows_left_out() {
        let windows = [
            Window::new(10, Per::Second).every(10),
            Window::new(5, Per::Minute).scoped(Scope::User),
            Window::new(1, Per::Minute).every(30),
            Window::new(3, Per::Day).every(2),
        ];
        let mut text = Text::<256>::new();
        write_policy(&mut text, &windows, |w| Digits::new(w.max));
        assert_eq!(
            text.value().unwrap(),
            "\"10s\";q=10;w=10, \"30m\";q=1;w=1800, \"2d\";q=3;w=172800"
        );
        let mut longest = Text::<{ super::NAME_MAX }>::new();
        longest.name(&Window::new(1, Per::Day).every(u32::MAX));
        assert_eq!(longest.value().unwrap(), "\"4294967295d\"");
    }
}
