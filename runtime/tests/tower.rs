//! The tower server layer on every kind of limiter: the rate-limit headers of windows of
//! several units, and a `KeyedLimiter` keyed by the App Key a hook takes from the request;
//! and both layers on Easemob's IM document (`tests/fixtures/easemob-im/`): per-request caps
//! answered 400 and surfaced typed, per-user windows, the default answer's JSON body.

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

mod im {
    ratespec::include_limits!("tests/fixture/easemob-im/");
}
use http_body_util::{BodyExt, Full};
use im::easemob_im::Endpoint as Im;
use ratespec::tower::{ClientLayer, JsonTargets, ScopeKey};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Answers 200 and counts what reached it.
#[derive(Clone, Default)]
struct Counting(Arc<AtomicUsize>);

impl Service<Request<Full<Bytes>>> for Counting {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Ready<Result<Response<Full<Bytes>>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<Full<Bytes>>) -> Self::Future {
        self.0.fetch_add(1, Ordering::Relaxed);
        ready(Ok(Response::new(Full::new(Bytes::from_static(b"ok")))))
    }
}

/// Easemob's one-to-one message to `n` users.
fn message(n: usize) -> Request<Full<Bytes>> {
    let to: Vec<String> = (0..n).map(|i| format!(r#""u{i}""#)).collect();
    let body = format!(
        r#"{{"from":"admin","to":[{}],"type":"txt","body":{{"msg":"hi"}}}}"#,
        to.join(",")
    );
    Request::post("/acme/chat/messages/users")
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .unwrap()
}

async fn body_of(response: Response<Full<Bytes>>) -> String {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[tokio::test]
async fn a_request_above_a_cap_is_answered_400_naming_the_cap_with_nothing_charged() {
    let clock = ManualClock::new(BEIJING_MIDNIGHT + 100);
    let limiter = Arc::new(Limiter::<Im, _>::with_clock(clock));
    let reached = Counting::default();
    let mut service = ServerLayer::new(limiter.clone())
        .weigh(JsonTargets::easemob())
        .layer(reached.clone());
    let ep = Im::PostMessagesUsers;
    let over = service.call(message(601)).await.unwrap();
    assert_eq!(over.status(), StatusCode::BAD_REQUEST);
    assert_eq!(over.headers().get("retry-after"), None);
    assert_eq!(
        body_of(over).await,
        r#"{"error":"601 users in one request, above the documented 600 users per request","endpoint":"PostMessagesUsers","cap":{"max":600,"cost":"user","unit":"users"},"units":601}"#
    );
    assert_eq!(limiter.remaining_in(ep, ratespec::Per::Second), Some(100));
    assert_eq!(reached.0.load(Ordering::Relaxed), 0);
    let ok = service.call(message(600)).await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(limiter.remaining_in(ep, ratespec::Per::Minute), Some(5400));
    // A body longer than the weigher reads is 413, before any charge.
    let mut small = ServerLayer::new(limiter.clone())
        .weigh(JsonTargets::easemob().max_body(64))
        .layer(reached.clone());
    assert_eq!(
        small.call(message(50)).await.unwrap().status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(limiter.remaining_in(ep, ratespec::Per::Minute), Some(5400));
}

#[tokio::test]
async fn a_client_surfaces_the_cap_typed_and_sends_nothing() {
    let clock = ManualClock::new(BEIJING_MIDNIGHT + 100);
    let limiter = Arc::new(Limiter::<Im, _>::with_clock(clock));
    let sent = Counting::default();
    let mut client = ClientLayer::new(limiter)
        .weigh(JsonTargets::easemob())
        .fail_fast()
        .layer(sent.clone());
    let refused = client.call(message(601)).await.unwrap_err();
    let cap = refused.over_cap().expect("an OverCap refusal");
    assert_eq!(
        (cap.units, cap.cap.max, cap.cap.unit.as_ref()),
        (601, 600, "users")
    );
    assert_eq!(sent.0.load(Ordering::Relaxed), 0);
    assert!(client.call(message(600)).await.is_ok());
    assert_eq!(sent.0.load(Ordering::Relaxed), 1);
}

#[tokio::test]
async fn the_default_429_names_the_per_user_window_and_a_scope_key_extension_overrides_the_path() {
    let clock = ManualClock::new(BEIJING_MIDNIGHT + 100);
    let limiter = Arc::new(Limiter::<Im, _>::with_clock(clock));
    let mut service = ServerLayer::new(limiter.clone()).layer(Counting::default());
    let delete = |user: &str, key: Option<&str>| {
        let mut request = Request::delete(format!("/acme/chat/users/{user}/user_channel"))
            .body(Full::new(Bytes::new()))
            .unwrap();
        if let Some(key) = key {
            request.extensions_mut().insert(ScopeKey(key.to_owned()));
        }
        request
    };
    for _ in 0..5 {
        let response = service.call(delete("alice", None)).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    let refused = service.call(delete("alice", None)).await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let h = |name| {
        refused
            .headers()
            .get(name)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned()
    };
    // What README.md shows for this request.
    assert_eq!(h("retry-after"), "60");
    assert_eq!(h("ratelimit"), r#""user-minute";r=0;t=60;pk=:YWxpY2U=:"#);
    assert_eq!(
        h("ratelimit-policy"),
        r#""user-minute";q=5;w=60;pk=:YWxpY2U=:, "second";q=100;w=1"#
    );
    assert_eq!(
        body_of(refused).await,
        r#"{"error":"rate limit of 5 per minute reached; retry after 59900 ms","endpoint":"DeleteUsersByUserNameUserChannel","window":{"max":5,"every":1,"per":"minute","seconds":60,"cost":"call","scope":"user"}}"#
    );
    // The extension names the user: bob's path, alice's key, refused; alice's path, bob's key.
    let refused = service.call(delete("bob", Some("alice"))).await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let admitted = service.call(delete("alice", Some("bob"))).await.unwrap();
    assert_eq!(admitted.status(), StatusCode::OK);
    // The refusals charged nothing: 6 of the app's 100 per second are taken.
    assert_eq!(
        limiter.remaining_in(Im::DeleteUsersByUserNameUserChannel, ratespec::Per::Second),
        Some(94)
    );
}

#[tokio::test]
async fn a_shadow_server_passes_every_request_and_counts_what_it_would_refuse() {
    let clock = ManualClock::new(BEIJING_MIDNIGHT + 100);
    let limiter = Arc::new(Limiter::<Ep, _>::with_clock(clock));
    let layer = ServerLayer::new(limiter.clone()).shadow();
    let stats = layer.stats();
    let mut service = layer.layer(Ok200);
    // `/single` is 3 per second: the fourth and fifth would be refused.
    for _ in 0..5 {
        let response = call(&mut service, "/single", "k").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(header(&response, "retry-after"), None);
    }
    assert_eq!(
        (
            stats.admitted(Ep::Single),
            stats.shadow_denied(Ep::Single),
            stats.denied(Ep::Single)
        ),
        (3, 2, 0)
    );
    // The shadow refusals charged nothing beyond the three admitted.
    assert_eq!(limiter.remaining(Ep::Single), 0);
}

/// Answers each request with the next status of a script (then 200), with a `Retry-After`,
/// and counts the requests.
#[derive(Clone)]
struct Vendor {
    script: Arc<std::sync::Mutex<Vec<u16>>>,
    retry_after: &'static str,
    seen: Arc<AtomicUsize>,
}

impl Vendor {
    fn new(script: &[u16], retry_after: &'static str) -> Self {
        let mut script = script.to_vec();
        script.reverse();
        Vendor {
            script: Arc::new(std::sync::Mutex::new(script)),
            retry_after,
            seen: Arc::default(),
        }
    }
}

impl Service<Request<()>> for Vendor {
    type Response = Response<Bytes>;
    type Error = Infallible;
    type Future = Ready<Result<Response<Bytes>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<()>) -> Self::Future {
        self.seen.fetch_add(1, Ordering::Relaxed);
        let status = self.script.lock().unwrap().pop().unwrap_or(200);
        let response = Response::builder()
            .status(status)
            .header("retry-after", self.retry_after)
            .body(Bytes::from_static(b"{}"))
            .unwrap();
        ready(Ok(response))
    }
}

fn single() -> Request<()> {
    Request::post("/single").body(()).unwrap()
}

#[tokio::test]
async fn a_shadow_client_sends_every_request_and_counts_what_it_would_refuse() {
    let clock = ManualClock::new(BEIJING_MIDNIGHT + 100);
    let limiter = Arc::new(Limiter::<Ep, _>::with_clock(clock));
    let vendor = Vendor::new(&[200, 200, 200, 200, 429], "1");
    let layer = ClientLayer::new(limiter.clone()).shadow();
    let stats = layer.stats();
    let mut client = layer.layer(vendor.clone());
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(client.call(single()).await.unwrap().status().as_u16());
    }
    // Nothing waited, nothing was retried: the vendor's 429 is handed back as it came.
    assert_eq!(statuses, [200, 200, 200, 200, 429]);
    assert_eq!(vendor.seen.load(Ordering::Relaxed), 5);
    assert_eq!(
        (
            stats.admitted(Ep::Single),
            stats.shadow_denied(Ep::Single),
            stats.denied(Ep::Single),
            stats.vendor_refused(Ep::Single)
        ),
        (3, 2, 0, 1)
    );
    // The vendor's refusal still taught the limiter: 3 per second became 2.
    assert_eq!(limiter.limit(Ep::Single, ratespec::Per::Second), Some(2));
}

#[tokio::test]
async fn a_client_retries_a_request_the_vendor_refused_once_then_returns_it_typed() {
    use ratespec::tower::ClientError;
    // Retry-After: 0, so the pause is over at once and the test needs no time.
    let limiter = Arc::new(Limiter::<Ep>::new());
    let vendor = Vendor::new(&[429], "0");
    let layer = ClientLayer::new(limiter.clone());
    let stats = layer.stats();
    let mut client = layer.clone().layer(vendor.clone());
    let response = client.call(single()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(vendor.seen.load(Ordering::Relaxed), 2);
    assert_eq!(stats.vendor_refused(Ep::Single), 1);
    assert_eq!(limiter.limit(Ep::Single, ratespec::Per::Second), Some(2));
    assert_eq!(
        limiter.documented_limit(Ep::Single, ratespec::Per::Second),
        Some(3)
    );

    // Refused twice: the typed error, after two sends.
    let limiter = Arc::new(Limiter::<Ep>::new());
    let vendor = Vendor::new(&[429, 429], "0");
    let mut client = ClientLayer::new(limiter).layer(vendor.clone());
    let refused = client.call(single()).await.unwrap_err();
    assert!(
        matches!(
            refused,
            ClientError::Throttled {
                endpoint: Ep::Single,
                ..
            }
        ),
        "{refused}"
    );
    assert_eq!(refused.retry_after(), Some(std::time::Duration::ZERO));
    assert_eq!(vendor.seen.load(Ordering::Relaxed), 2);

    // A Retry-After beyond the budget: returned at once, and the bucket stays paused.
    let limiter = Arc::new(Limiter::<Ep>::new());
    let vendor = Vendor::new(&[429], "100");
    let mut client = ClientLayer::new(limiter.clone())
        .retry_within(std::time::Duration::from_secs(1))
        .layer(vendor.clone());
    let refused = client.call(single()).await.unwrap_err();
    assert_eq!(
        refused.retry_after(),
        Some(std::time::Duration::from_secs(100))
    );
    assert_eq!(vendor.seen.load(Ordering::Relaxed), 1);
    let paused = limiter.try_acquire(Ep::Single).unwrap_err();
    assert!(paused.retry_after().unwrap() > std::time::Duration::from_secs(98));

    // Without retries, the first refusal is the answer.
    let limiter = Arc::new(Limiter::<Ep>::new());
    let vendor = Vendor::new(&[429], "0");
    let mut client = ClientLayer::new(limiter).no_retry().layer(vendor.clone());
    assert!(client.call(single()).await.is_err());
    assert_eq!(vendor.seen.load(Ordering::Relaxed), 1);
}

mod seeds {
    ratespec::include_limits!("specs/");
}

#[test]
fn the_vendor_whose_refusals_a_client_reads_comes_from_limits_toml() {
    use ratespec::tower::Vendor;
    assert_eq!(
        <seeds::rongcloud::Endpoint as ratespec::Endpoints>::VENDOR,
        "rongcloud"
    );
    assert_eq!(
        Vendor::of::<seeds::rongcloud::Endpoint>(),
        Vendor::RongCloud
    );
    assert_eq!(
        Vendor::of::<seeds::easemob_push::Endpoint>(),
        Vendor::Easemob
    );
    assert_eq!(Vendor::of::<Im>(), Vendor::Easemob);
    // A hand-written set of endpoints that names no vendor: by its name, else any 429.
    assert_eq!(<Ep as ratespec::Endpoints>::VENDOR, "");
    assert_eq!(Vendor::of::<Ep>(), Vendor::Other);
}
