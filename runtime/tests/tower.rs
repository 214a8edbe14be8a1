//! The tower server layer on every kind of limiter: the rate-limit headers of windows of
//! several units, and a `KeyedLimiter` keyed by the App Key a hook takes from the request.

mod fixture;

use bytes::Bytes;
use fixture::{BEIJING_MIDNIGHT, Ep};
use http::{Request, Response, StatusCode};
use ratespec::tower::{ByKey, Head, HeaderMode, ServerLayer};
use ratespec::{KeyedLimiter, Limiter, ManualClock};
use std::convert::Infallible;
use std::future::{Ready, ready};
use std::sync::Arc;
use std::task::{Context, Poll};
use tower::{Layer, Service};

#[derive(Clone)]
struct Ok200;

impl Service<Request<()>> for Ok200 {
    type Response = Response<Bytes>;
    type Error = Infallible;
    type Future = Ready<Result<Response<Bytes>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<()>) -> Self::Future {
        ready(Ok(Response::new(Bytes::from_static(b"ok"))))
    }
}

async fn call<S>(service: &mut S, path: &str, app_key: &str) -> Response<Bytes>
where
    S: Service<Request<()>, Response = Response<Bytes>, Error = Infallible>,
{
    let request = Request::post(path)
        .header("app-key", app_key)
        .body(())
        .unwrap();
    match service.call(request).await {
        Ok(response) => response,
    }
}

fn header<'a>(response: &'a Response<Bytes>, name: &str) -> Option<&'a str> {
    response.headers().get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn windows_of_several_units_are_named_and_measured_in_the_headers() {
    // 2.5 s into a 10-second window and into a half hour.
    let clock = ManualClock::new(BEIJING_MIDNIGHT + 2_500);
    let limiter = Arc::new(Limiter::<Ep, _>::with_clock(clock.clone()));
    let mut service = ServerLayer::new(limiter)
        .headers(HeaderMode::All)
        .layer(Ok200);
    let admitted = call(&mut service, "/lengths", "k").await;
    assert_eq!(admitted.status(), StatusCode::OK);
    assert_eq!(
        header(&admitted, "ratelimit-policy"),
        Some(r#""10s";q=4;w=10, "30m";q=6;w=1800"#)
    );
    // The 10-second window is the tighter (3 left), ending in 7.5 s: 8 whole seconds.
    assert_eq!(header(&admitted, "ratelimit"), Some(r#""10s";r=3;t=8"#));
    assert_eq!(header(&admitted, "ratelimit-limit"), Some("4"));
    for _ in 0..3 {
        call(&mut service, "/lengths", "k").await;
    }
    let refused = call(&mut service, "/lengths", "k").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&refused, "retry-after"), Some("8"));
    assert_eq!(header(&refused, "ratelimit"), Some(r#""10s";r=0;t=8"#));
    // A per-user window is not in the policy: it is not enforced.
    let per_user = call(&mut service, "/per_user", "k").await;
    assert_eq!(
        header(&per_user, "ratelimit-policy"),
        Some(r#""minute";q=5;w=60"#)
    );
    let two_days = call(&mut service, "/two_days", "k").await;
    assert_eq!(
        header(&two_days, "ratelimit-policy"),
        Some(r#""2d";q=3;w=172800"#)
    );
}

/// The App Key of a request: its `app-key` header, or the empty key.
fn app_key(head: &Head<'_>) -> String {
    let key = head.headers().get("app-key").and_then(|v| v.to_str().ok());
    key.unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_keyed_limiter_charges_each_app_key_its_own_quota() {
    let clock = ManualClock::new(BEIJING_MIDNIGHT + 100);
    let tenants = Arc::new(KeyedLimiter::<String, Ep, _>::with_clock(2, clock.clone()));
    let layer = ServerLayer::new(Arc::new(ByKey::new(tenants.clone(), app_key)));
    let stats = layer.stats();
    let mut service = layer.layer(Ok200);
    for _ in 0..3 {
        assert_eq!(
            call(&mut service, "/single", "a").await.status(),
            StatusCode::OK
        );
    }
    let refused = call(&mut service, "/single", "a").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&refused, "retry-after"), Some("1"));
    // Another App Key has its own 3 per second.
    assert_eq!(
        call(&mut service, "/single", "b").await.status(),
        StatusCode::OK
    );
    assert_eq!(tenants.remaining("a", Ep::Single), 0);
    assert_eq!(tenants.remaining("b", Ep::Single), 2);
    // Both places hold live charges: a third key waits for room, as 503 with Retry-After.
    let crowded = call(&mut service, "/single", "c").await;
    assert_eq!(crowded.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(header(&crowded, "retry-after"), Some("1"));
    assert_eq!(stats.unavailable(Ep::Single), 1);
    assert_eq!(stats.denied(Ep::Single), 1);
    clock.advance(std::time::Duration::from_secs(1));
    assert_eq!(
        call(&mut service, "/single", "c").await.status(),
        StatusCode::OK
    );
}
