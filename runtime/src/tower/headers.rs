//! The rate-limit headers and the default answer to a refused request.
//!
//! Two forms are written, so that clients of either generation understand them:
//!
//! - the widely deployed one (Kong, envoy, GitHub-style): `RateLimit-Limit`,
//!   `RateLimit-Remaining`, `RateLimit-Reset` (delta seconds), plus `Retry-After` on 429;
//! - the IETF httpapi draft's structured fields (`draft-ietf-httpapi-ratelimit-headers`):
//!   `RateLimit-Policy` lists every window of the endpoint's quota
//!   (`"hour";q=2;w=3600, "day";q=3;w=86400`) and `RateLimit` the window that refused, or
//!   the one closest to exhaustion (`"hour";r=1;t=1800`).
//!
//! A window counted per user or per channel is listed when the request had a scope key (it
//! was then charged), named by its scope (`"user-minute"`, `"channel-second"`) and with the
//! draft's `pk` (partition key) parameter: the scope key as a Byte Sequence
//! (`pk=:YWxpY2U=:` for `alice`). The tenant's windows carry the tenant's key as `pk` when
//! the backend counts tenants apart ([`Admission::tenant`], e.g. [`ByKey`](super::ByKey)).
//!
//! Seconds are rounded up, so a client that waits `Retry-After` never retries too early.

use super::admission::Admission;
use crate::endpoints::Endpoints;
use crate::meta::{Per, Scope, Window};
use crate::outcome::{Denied, ExceedsLimit, OverCap, Permit, Refusal};
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
///
/// `partition` names whose quotas were asked: the tenant's key and the scope key, for the
/// `pk` parameters (see [`ratespec::tower`](crate::tower): a window per user or channel is listed with `pk=:base64(key):`); [`Partition::default`] for none.
pub fn rate_limit_headers<E: Endpoints, A: Admission<E>>(
    admission: &A,
    ep: E,
    outcome: Result<&Permit, &Refusal>,
    partition: &Partition<'_>,
    headers: &mut HeaderMap,
) {
    RateLimitHeaders::new(admission, ep, outcome, partition).insert_into(headers);
}

/// Whose quotas a request was counted in, as the rate-limit headers name them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Partition<'a> {
    /// The tenant's key, when the backend counts tenants apart.
    pub tenant: Option<&'a str>,
    /// The user or channel the request acted on, when its per-user or per-channel windows
    /// were charged.
    pub scope: Option<&'a str>,
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
        partition: &Partition<'_>,
    ) -> Self {
        let windows = E::BUCKETS[ep.bucket()].windows();
        // The windows this request was counted in: the per-key ones only with a key.
        let counted = |w: &Window| enforced(w) || partition.scope.is_some();
        if !windows.iter().any(counted) {
            return RateLimitHeaders::default();
        }
        let (tenant_pk, scope_pk) = (partition.tenant.map(pk), partition.scope.map(pk));
        let pk_of = |w: &Window| match enforced(w) {
            true => tenant_pk.as_deref(),
            false => scope_pk.as_deref(),
        };
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
            policy: policy(windows, &counted, &pk_of, |w| {
                let n = limit_of(w);
                if length.matches(w) && w.scope == window.scope && n == window.max {
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
            match pk_of(&window) {
                None => headers.ratelimit = text.value(),
                Some(pk) => {
                    let mut long = text.as_bytes().to_vec();
                    long.put(pk.as_bytes());
                    headers.ratelimit = HeaderValue::from_bytes(&long).ok();
                }
            }
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

/// `"hour";q=2;w=3600, "day";q=3;w=86400`, `"10s";q=10;w=10`: every window `counted`,
/// with its `pk` where `pk_of` gives one.
fn policy<'p>(
    windows: &[Window],
    counted: &dyn Fn(&Window) -> bool,
    pk_of: &dyn Fn(&Window) -> Option<&'p str>,
    limit_of: impl Fn(&Window) -> Digits,
) -> Option<HeaderValue> {
    let keyed = windows.iter().any(|w| pk_of(w).is_some());
    if windows.len() <= POLICY_INLINE / POLICY_WINDOW_MAX && !keyed {
        let mut text = Text::<{ POLICY_INLINE }>::new();
        write_policy(&mut text, windows, counted, pk_of, limit_of);
        text.value()
    } else {
        let mut text = Vec::with_capacity(POLICY_WINDOW_MAX * windows.len());
        write_policy(&mut text, windows, counted, pk_of, limit_of);
        HeaderValue::from_bytes(&text).ok()
    }
}

fn write_policy<'p>(
    text: &mut impl Sink,
    windows: &[Window],
    counted: &dyn Fn(&Window) -> bool,
    pk_of: &dyn Fn(&Window) -> Option<&'p str>,
    limit_of: impl Fn(&Window) -> Digits,
) {
    for (i, w) in windows.iter().filter(|w| counted(w)).enumerate() {
        if i > 0 {
            text.put(b", ");
        }
        text.name(w);
        text.put(b";q=");
        text.put(limit_of(w).as_bytes());
        text.put(b";w=");
        text.put(Digits::new(w.seconds()).as_bytes());
        if let Some(pk) = pk_of(w) {
            text.put(pk.as_bytes());
        }
    }
}

/// `;pk=:…:`: `key` as a Structured Fields Byte Sequence (base64 between colons), the
/// draft's form of a partition key, which any bytes may take without escaping.
fn pk(key: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = key.as_bytes();
    let mut out = String::with_capacity(6 + bytes.len().div_ceil(3) * 4);
    out.push_str(";pk=:");
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out.push(':');
    out
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
/// The longest window name: `"channel-4294967295d"` (a scope, a `u32` and a suffix,
/// quoted).
const NAME_MAX: usize = 21;
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
    /// length's label otherwise (`"10s"`, `"30m"`, `"2d"`); after its scope for a window
    /// counted per user or per channel (`"user-minute"`, `"channel-10s"`).
    fn name(&mut self, w: &Window) {
        let scope: &[u8] = match w.scope {
            Scope::Tenant => b"",
            Scope::User => b"user-",
            Scope::Channel => b"channel-",
            Scope::Ip => b"ip-",
            _ => b"scoped-",
        };
        if !scope.is_empty() {
            self.put(b"\"");
            self.put(scope);
            if w.every == 1 {
                self.put(w.per.as_str().as_bytes());
            } else {
                self.put(Digits::new(u64::from(w.every)).as_bytes());
                self.put(&[w.per.suffix() as u8]);
            }
            self.put(b"\"");
        } else if w.every == 1 {
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
        HeaderValue::from_bytes(self.as_bytes()).ok()
    }

    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
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

/// The default answer to a refused request, with a small JSON body naming the endpoint and
/// why (the layer adds the rate-limit headers):
///
/// - a full window ([`Refusal::Denied`]) or units above a window's limit
///   ([`Refusal::Exceeds`]): `429 Too Many Requests`, naming the window: its limit, length,
///   basis and scope, `{"error": "...", "endpoint": "UserChannel", "window": {"max": 5,
///   "every": 1, "per": "minute", "seconds": 60, "cost": "call", "scope": "user"}}`;
/// - a request above a documented per-request cap ([`Refusal::OverCap`], `600 users/request`):
///   `400 Bad Request`, naming the cap and the request's units, `{"error": "...",
///   "endpoint": "...", "cap": {"max": 600, "cost": "user", "unit": "users"}, "units": 601}`.
///   Not 429: waiting never helps, the request must be split (the limiters' `batch_size`).
///   Not 413 either: that status is about the body's size in bytes (RFC 9110, 15.5.14), which
///   the layer answers for a body too long to read; 601 user names fit in a small body,
///   and the request is refused for what it asks, as the vendor's own API refuses it;
/// - a limiter that could not decide ([`Refusal::Unavailable`]): `503 Service Unavailable`.
pub fn default_answer<E: Endpoints>(ep: E, refused: &Refusal) -> Response<Bytes> {
    let mut body = String::from(r#"{"error":"#);
    let status = match refused {
        Refusal::Unavailable(_) => {
            json_str(&mut body, "the rate limiter is unavailable");
            StatusCode::SERVICE_UNAVAILABLE
        }
        refusal => {
            json_str(&mut body, &refusal.to_string());
            match refusal {
                Refusal::OverCap(_) => StatusCode::BAD_REQUEST,
                _ => StatusCode::TOO_MANY_REQUESTS,
            }
        }
    };
    body.push_str(r#","endpoint":"#);
    json_str(&mut body, ep.as_str());
    match refused {
        Refusal::Denied(Denied { window, .. }) | Refusal::Exceeds(ExceedsLimit { window, .. }) => {
            body.push_str(&format!(
                r#","window":{{"max":{},"every":{},"per":"{}","seconds":{},"cost":"{}","scope":"{}"}}"#,
                window.max,
                window.every,
                window.per.as_str(),
                window.seconds(),
                window.cost.as_str(),
                window.scope.as_str()
            ));
        }
        Refusal::OverCap(OverCap { units, cap }) => {
            body.push_str(&format!(
                r#","cap":{{"max":{},"cost":"{}","unit":"#,
                cap.max,
                cap.cost.as_str()
            ));
            json_str(&mut body, &cap.unit);
            body.push_str(&format!(r#"}},"units":{units}"#));
        }
        _ => {}
    }
    body.push('}');
    let mut response = Response::new(Bytes::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// `text` as a JSON string: quotes, backslashes and control characters escaped.
pub(crate) fn json_str(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
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
    use super::{Digits, Per, Sink, Text, json_str, pk, write_policy};
    use crate::meta::{Scope, Window};
    use crate::window::enforced;

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
        write_policy(&mut text, &windows, &enforced, &|_| None, |w| {
            Digits::new(w.max * 10)
        });
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
    fn windows_of_several_units_are_named_by_their_length_and_unkeyed_user_windows_left_out() {
        let windows = [
            Window::new(10, Per::Second).every(10),
            Window::new(5, Per::Minute).scoped(Scope::User),
            Window::new(1, Per::Minute).every(30),
            Window::new(3, Per::Day).every(2),
        ];
        let mut text = Text::<256>::new();
        write_policy(&mut text, &windows, &enforced, &|_| None, |w| {
            Digits::new(w.max)
        });
        assert_eq!(
            text.value().unwrap(),
            "\"10s\";q=10;w=10, \"30m\";q=1;w=1800, \"2d\";q=3;w=172800"
        );
        // With a scope key, the user's window is listed under its scope, with its `pk`.
        let alice = pk("alice");
        let mut keyed = Vec::new();
        let pk_of = |w: &Window| (!enforced(w)).then_some(alice.as_str());
        write_policy(&mut keyed, &windows[..2], &|_| true, &pk_of, |w| {
            Digits::new(w.max)
        });
        assert_eq!(
            String::from_utf8(keyed).unwrap(),
            "\"10s\";q=10;w=10, \"user-minute\";q=5;w=60;pk=:YWxpY2U=:"
        );
        let mut longest = Text::<{ super::NAME_MAX }>::new();
        longest.name(
            &Window::new(1, Per::Day)
                .every(u32::MAX)
                .scoped(Scope::Channel),
        );
        assert_eq!(longest.value().unwrap(), "\"channel-4294967295d\"");
        let mut per_address = Vec::new();
        per_address.name(&Window::new(20, Per::Second).scoped(Scope::Ip));
        assert_eq!(per_address, b"\"ip-second\"");
    }

    #[test]
    fn partition_keys_are_base64_byte_sequences_and_json_is_escaped() {
        assert_eq!(pk(""), ";pk=::");
        assert_eq!(pk("a"), ";pk=:YQ==:");
        assert_eq!(pk("ab"), ";pk=:YWI=:");
        assert_eq!(pk("acme/chat"), ";pk=:YWNtZS9jaGF0:");
        assert_eq!(pk("用户"), ";pk=:55So5oi3:");
        let mut out = String::new();
        json_str(&mut out, "a\"b\\c\n人");
        assert_eq!(out, r#""a\"b\\c\u000a人""#);
    }
}
