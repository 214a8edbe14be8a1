//! What the vendor answered: recognising its rate-limit refusals (a 429, RongCloud's code
//! 1008, Easemob's `reach_limit`), its `Retry-After`, and how a refused request is sent again.

use super::admission::BoxError;
use crate::endpoints::Endpoints;
use bytes::Bytes;
use http::header::RETRY_AFTER;
use http::{HeaderMap, Request, Response, StatusCode};
use http_body::Body;
use http_body_util::BodyExt;
use std::future::{Future, ready};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What a vendor's answer says about its rate limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// Admitted (a 2xx answer): the limit held.
    Admitted,
    /// Refused for its rate limit, with the vendor's `Retry-After` if it sent one.
    Refused {
        /// How long the vendor asked to wait; `None` when it did not say.
        retry_after: Option<Duration>,
    },
    /// Neither (another error, a redirect): says nothing about the limit.
    Other,
}

/// Tells a [`ClientLayer`](super::ClientLayer) whether the vendor refused a request for its
/// rate limit. The response is handed over and must be handed back, so a recogniser may read
/// the body (and put it back), as [`BodyAnswers`] does.
///
/// [`VendorAnswers`] (the default) reads the status and `Retry-After`; [`BodyAnswers`] also
/// the vendor's error codes in the body; [`recognise_fn`] wraps a closure over the response.
pub trait Recognise<E, RB>: Send + Sync + 'static {
    /// The response, given back, and what it says.
    fn recognise(
        &self,
        ep: E,
        response: Response<RB>,
    ) -> impl Future<Output = (Response<RB>, Verdict)> + Send;
}

/// The vendors whose refusals the built-in recognisers know, chosen by the document's
/// provider name (`Endpoints::PROVIDER`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Vendor {
    /// RongCloud's server API (`rongcloud`): HTTP 429, or code 1008 (调用频率超限) in its JSON
    /// envelope.
    RongCloud,
    /// Easemob's REST APIs (`easemob…`): HTTP 429, `"error": "reach_limit"` in its error body.
    Easemob,
    /// Any other: HTTP 429.
    Other,
}

impl Vendor {
    /// The vendor of `E`'s document: its `limits.toml` entry's `vendor` key
    /// ([`Endpoints::VENDOR`]), or, where it gives none, guessed from the module's name.
    pub fn of<E: Endpoints>() -> Vendor {
        match E::VENDOR {
            "rongcloud" => return Vendor::RongCloud,
            "easemob" => return Vendor::Easemob,
            "other" => return Vendor::Other,
            _ => {}
        }
        let provider = E::PROVIDER.to_ascii_lowercase();
        if provider.starts_with("rongcloud") || provider.starts_with("rong_cloud") {
            Vendor::RongCloud
        } else if provider.starts_with("easemob") || provider.starts_with("hyphenate") {
            Vendor::Easemob
        } else {
            Vendor::Other
        }
    }

    /// Whether a JSON body is this vendor's rate-limit refusal.
    fn refuses(self, body: &[u8]) -> bool {
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
            return false;
        };
        match self {
            Vendor::RongCloud => value.get("code").and_then(|c| c.as_u64()) == Some(1008),
            Vendor::Easemob => {
                value.get("error").and_then(|e| e.as_str()) == Some("reach_limit")
                    || (value.get("exception").and_then(|e| e.as_str()))
                        .is_some_and(|e| e.ends_with("RateLimitException"))
            }
            Vendor::Other => false,
        }
    }
}

/// The default recogniser: a 429 is a refusal (with its `Retry-After`: seconds or an HTTP
/// date), a 2xx an admission, anything else neither. Reads the head only, so it works with
/// any response body (hyper's `Incoming`); every vendor the documents describe answers 429
/// when it refuses. [`BodyAnswers`] reads the vendor's error codes too.
#[derive(Clone, Copy, Debug, Default)]
pub struct VendorAnswers;

/// The verdict of a response's head.
fn by_head(status: StatusCode, headers: &HeaderMap) -> Verdict {
    if status == StatusCode::TOO_MANY_REQUESTS {
        Verdict::Refused {
            retry_after: retry_after(headers),
        }
    } else if status.is_success() {
        Verdict::Admitted
    } else {
        Verdict::Other
    }
}

impl<E, RB: Send + 'static> Recognise<E, RB> for VendorAnswers {
    fn recognise(
        &self,
        _ep: E,
        response: Response<RB>,
    ) -> impl Future<Output = (Response<RB>, Verdict)> + Send {
        let verdict = by_head(response.status(), response.headers());
        ready((response, verdict))
    }
}

/// A recogniser that also reads the vendor's error code in the body, whatever the status:
/// RongCloud's `{"code": 1008}`, Easemob's `{"error": "reach_limit"}` (see [`Vendor`]).
///
/// Only bodies whose size is known and at most [`BodyAnswers::MAX_BODY`] bytes are read
/// (and handed on unchanged); others are judged by their head as [`VendorAnswers`] does. A
/// body that fails while being read is handed on empty. The body type must be buildable
/// from [`Bytes`] (`http_body_util::Full<Bytes>`, axum's `Body`).
#[derive(Clone, Copy, Debug)]
pub struct BodyAnswers {
    vendor: Vendor,
}

impl BodyAnswers {
    /// The largest body read, in bytes: the vendors' error envelopes are a few hundred.
    pub const MAX_BODY: u64 = 64 * 1024;

    /// Reads `vendor`'s error codes.
    pub fn new(vendor: Vendor) -> Self {
        BodyAnswers { vendor }
    }

    /// Reads the error codes of `E`'s vendor ([`Vendor::of`]).
    pub fn of<E: Endpoints>() -> Self {
        BodyAnswers::new(Vendor::of::<E>())
    }
}

impl<E, RB> Recognise<E, RB> for BodyAnswers
where
    E: Send + 'static,
    RB: Body + From<Bytes> + Send + 'static,
    RB::Data: Send,
    RB::Error: Into<BoxError>,
{
    async fn recognise(&self, _ep: E, response: Response<RB>) -> (Response<RB>, Verdict) {
        let verdict = by_head(response.status(), response.headers());
        let small = response
            .body()
            .size_hint()
            .upper()
            .is_some_and(|n| n <= Self::MAX_BODY);
        if matches!(verdict, Verdict::Refused { .. }) || !small {
            return (response, verdict);
        }
        let (parts, body) = response.into_parts();
        let bytes = match body.collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(_) => Bytes::new(),
        };
        let verdict = match self.vendor.refuses(&bytes) {
            true => Verdict::Refused {
                retry_after: retry_after(&parts.headers),
            },
            false => verdict,
        };
        (Response::from_parts(parts, RB::from(bytes)), verdict)
    }
}

/// A [`Recognise`] from a closure over the endpoint and the response's head and body
/// reference: `recognise_fn(|_ep, response: &Response<_>| …)`.
pub fn recognise_fn<F>(f: F) -> RecogniseFn<F> {
    RecogniseFn(f)
}

/// The recogniser of [`recognise_fn`].
#[derive(Clone, Copy, Debug)]
pub struct RecogniseFn<F>(F);

impl<E, RB, F> Recognise<E, RB> for RecogniseFn<F>
where
    RB: Send + 'static,
    F: Fn(E, &Response<RB>) -> Verdict + Send + Sync + 'static,
{
    fn recognise(
        &self,
        ep: E,
        response: Response<RB>,
    ) -> impl Future<Output = (Response<RB>, Verdict)> + Send {
        let verdict = (self.0)(ep, &response);
        ready((response, verdict))
    }
}

/// The `Retry-After` of `headers`: delay-seconds, or an HTTP date (IMF-fixdate, `Sun, 06 Nov
/// 1994 08:49:37 GMT`) from now on the system clock, zero when past. `None` when absent or
/// unreadable.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = http_date_unix_secs(value)?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?;
    Some(Duration::from_secs(at).saturating_sub(now))
}

/// Seconds since the epoch of an IMF-fixdate (RFC 9110 §5.6.7).
fn http_date_unix_secs(date: &str) -> Option<u64> {
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    let mut fields = date.split_ascii_whitespace();
    let (_weekday, day, month, year, time, zone) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    if zone != "GMT" || fields.next().is_some() {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == month)? as u64 + 1;
    let day: u64 = day.parse().ok().filter(|d| (1..=31).contains(d))?;
    let year: u64 = year.parse().ok().filter(|y| (1970..=9999).contains(y))?;
    let mut hms = time.split(':').map(|f| f.parse::<u64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    if hms.next().is_some() || h > 23 || m > 59 || s > 60 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + h * 3_600 + m * 60 + s)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm), for
/// years from 1970.
fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// How a [`ClientLayer`](super::ClientLayer) sends a request again after the vendor refused
/// it: a copy taken before the first send, or `None` to return the refusal instead.
pub trait Resend<B>: Send + Sync + 'static {
    /// A copy of `request` to send if the vendor refuses it, or `None`.
    fn copy(&self, request: &Request<B>) -> Option<Request<B>>;
}

/// Sends a clone of the request once more (the default; the body must be `Clone`, as
/// `http_body_util::Full<Bytes>` is).
#[derive(Clone, Copy, Debug, Default)]
pub struct CloneRequest;

impl<B: Clone> Resend<B> for CloneRequest {
    fn copy(&self, request: &Request<B>) -> Option<Request<B>> {
        Some(request.clone())
    }
}

/// Never sends a request again: a refusal by the vendor is returned as
/// [`ClientError::Throttled`](super::ClientError::Throttled) (for bodies that cannot be
/// cloned, such as a stream).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoResend;

impl<B> Resend<B> for NoResend {
    fn copy(&self, _request: &Request<B>) -> Option<Request<B>> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates_and_ignores_garbage() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, "2".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        headers.insert(
            RETRY_AFTER,
            "Sun, 06 Nov 1994 08:49:37 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
        assert_eq!(
            http_date_unix_secs("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(
            http_date_unix_secs("Thu, 29 Feb 2024 23:59:60 GMT"),
            Some(1_709_251_200)
        );
        for bad in [
            "-1",
            "soon",
            "Sun, 06 Nov 1994 08:49:37 PST",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1969 08:49:37 GMT",
            "",
        ] {
            headers.insert(RETRY_AFTER, bad.parse().unwrap());
            assert_eq!(retry_after(&headers), None, "{bad}");
        }
    }

    #[test]
    fn vendors_are_told_apart_by_their_bodies() {
        assert!(Vendor::RongCloud.refuses(br#"{"code":1008,"errorMessage":"x"}"#));
        assert!(!Vendor::RongCloud.refuses(br#"{"code":200}"#));
        assert!(!Vendor::RongCloud.refuses(b"not json"));
        assert!(Vendor::Easemob.refuses(br#"{"error":"reach_limit"}"#));
        assert!(Vendor::Easemob.refuses(br#"{"exception":"x.EasemobRateLimitException"}"#));
        assert!(!Vendor::Easemob.refuses(br#"{"code":1008}"#));
        assert!(!Vendor::Other.refuses(br#"{"code":1008}"#));
    }
}
