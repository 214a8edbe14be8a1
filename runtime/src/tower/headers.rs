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

use super::admission::{Admission, Refused};
use crate::endpoints::Endpoints;
use crate::meta::{Per, Window};
use crate::outcome::{Permit, Refusal};
use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use http::{Response, StatusCode};
use std::fmt::Write;
use std::time::Duration;

const LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
const REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
const RESET: HeaderName = HeaderName::from_static("ratelimit-reset");
const POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
const RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");

/// Writes the rate-limit headers for `ep` after `outcome` into `headers`.
///
/// For a permit: `RateLimit-Limit`, `-Remaining`, `-Reset`, `RateLimit-Policy` and
/// `RateLimit`. For a full window ([`Refusal::Denied`]): the same with 0 remaining, and
/// `Retry-After`. For a cost that can never pass ([`Refusal::Exceeds`]): only the limit and
/// the policy (no retry can succeed). An endpoint without documented limits gets none.
pub fn rate_limit_headers<E: Endpoints, A: Admission<E>>(
    admission: &A,
    ep: E,
    outcome: Result<&Permit, &Refusal>,
    headers: &mut HeaderMap,
) {
    let windows = E::BUCKETS[ep.bucket()].windows;
    if windows.is_empty() {
        return;
    }
    let limit_of = |w: &Window| admission.limit(ep, w.per).unwrap_or(w.max);
    // Up to six headers: one reservation instead of a rehash per growth step.
    headers.reserve(6);
    match outcome {
        Ok(permit) => {
            let reset_ms = permit.reset_at_unix_ms();
            let now_ms = reset_ms.saturating_sub(duration_ms(permit.reset_after()));
            // The window holding `remaining` is one that ends at `reset_at`; when several end
            // then (an hour boundary is a second boundary too), the smallest limit is the
            // tighter one.
            let window = windows
                .iter()
                .filter(|w| window_end(w.per, E::UTC_OFFSET_SECS, now_ms) == reset_ms)
                .min_by_key(|w| limit_of(w))
                .unwrap_or(&windows[0]);
            let reset = secs_up(permit.reset_after());
            let remaining = permit.remaining();
            headers.insert(LIMIT, limit_of(window).into());
            headers.insert(REMAINING, remaining.into());
            headers.insert(RESET, reset.into());
            insert_ratelimit(headers, window.per, remaining, reset);
        }
        Err(Refusal::Denied(denied)) => {
            let reset = secs_up(denied.retry_after);
            headers.insert(LIMIT, denied.window.max.into());
            headers.insert(REMAINING, 0u64.into());
            headers.insert(RESET, reset.into());
            headers.insert(RETRY_AFTER, reset.into());
            insert_ratelimit(headers, denied.window.per, 0, reset);
        }
        Err(Refusal::Exceeds(exceeds)) => {
            headers.insert(LIMIT, exceeds.window.max.into());
        }
    }
    let mut policy = String::with_capacity(24 * windows.len());
    for (i, w) in windows.iter().enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        let _ = write!(
            policy,
            "{sep}\"{}\";q={};w={}",
            w.per.as_str(),
            limit_of(w),
            w.per.seconds()
        );
    }
    if let Ok(value) = HeaderValue::try_from(policy) {
        headers.insert(POLICY, value);
    }
}

fn insert_ratelimit(headers: &mut HeaderMap, per: Per, remaining: u64, reset: u64) {
    let value = format!("\"{}\";r={remaining};t={reset}", per.as_str());
    if let Ok(value) = HeaderValue::try_from(value) {
        headers.insert(RATELIMIT, value);
    }
}

/// The default answer to a refused request: `429 Too Many Requests` (or `503 Service
/// Unavailable` when the limiter could not decide) with a small JSON body,
/// `{"error": "...", "endpoint": "UserGetToken"}`. The layer adds the rate-limit headers.
pub fn default_answer<E: Endpoints>(ep: E, refused: &Refused) -> Response<Bytes> {
    let (status, error) = match refused {
        Refused::Limit(refusal) => (StatusCode::TOO_MANY_REQUESTS, refusal.to_string()),
        Refused::Unavailable(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the rate limiter is unavailable".to_string(),
        ),
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

/// The end (Unix ms) of the `per` window holding `now_ms`; days end at midnight in the
/// document's UTC offset.
fn window_end(per: Per, utc_offset_secs: i32, now_ms: u64) -> u64 {
    let len = per.seconds() * 1000;
    let offset = match per {
        Per::Day => i64::from(utc_offset_secs) * 1000,
        _ => 0,
    };
    let local = i128::from(now_ms) + i128::from(offset);
    let end = (local.div_euclid(i128::from(len)) + 1) * i128::from(len) - i128::from(offset);
    u64::try_from(end).unwrap_or(0)
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
    use super::{Per, window_end};

    #[test]
    fn windows_end_at_their_boundaries() {
        let t = 1_700_000_000_500; // 2023-11-14 22:13:20.500 UTC
        assert_eq!(window_end(Per::Second, 0, t), 1_700_000_001_000);
        assert_eq!(window_end(Per::Minute, 0, t), 1_700_000_040_000);
        assert_eq!(window_end(Per::Hour, 0, t), 1_700_002_800_000);
        // 06:13 on the 15th in Beijing: the day ends at 16:00 UTC on the 15th.
        assert_eq!(window_end(Per::Day, 8 * 3600, t), 1_700_064_000_000);
        assert_eq!(window_end(Per::Day, 0, t), 1_700_006_400_000);
        // Exactly on a boundary, the window that starts there.
        assert_eq!(window_end(Per::Second, 0, 1_000), 2_000);
    }
}
