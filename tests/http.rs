//! The tower layers over real HTTP on loopback: the vendor emulator example (axum, every
//! route of `specs/`) with limiters on a `ManualClock`, so each test runs inside one window
//! of its choosing and counts exactly; and the client layer against the emulator on the
//! system clock.

use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use ratespec::tower::{ClientError, ClientLayer, FormFields, HeaderMode};
use ratespec::{Limiter, ManualClock, Per, Refusal, SystemClock};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tower::{Layer, Service};

#[allow(dead_code)]
#[path = "../runtime/examples/emulator.rs"]
mod emulator;

use emulator::{Emulator, Tenants, easemob_im, easemob_push, rongcloud};

/// 2023-11-14 22:13:20.500 UTC (06:13:20.500 on the 15th in Beijing): half a second into a
/// second, 39.5 s before a minute ends, 46 min 39.5 s before an hour ends.
const T0: u64 = 1_700_000_000_500;

type Http = HttpClient<HttpConnector, Full<Bytes>>;

struct Running {
    addr: SocketAddr,
    clock: ManualClock,
    rongcloud: Arc<Limiter<rongcloud::Endpoint, ManualClock>>,
    app: Emulator,
}

/// Serves `router` on 127.0.0.1 (a free port) for the rest of the test.
async fn serve(router: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

/// The emulator at `T0` on a manual clock, with the rate-limit headers on every response.
async fn emulator_at_t0() -> Running {
    let clock = ManualClock::new(T0);
    let rongcloud = Arc::new(Limiter::with_clock(clock.clone()));
    let easemob = Arc::new(Limiter::with_clock(clock.clone()));
    let im = Arc::new(Limiter::with_clock(clock.clone()));
    let app = emulator::emulator(rongcloud.clone(), easemob, im, HeaderMode::All);
    let addr = serve(app.router.clone()).await;
    Running {
        addr,
        clock,
        rongcloud,
        app,
    }
}

fn http() -> Http {
    HttpClient::builder(TokioExecutor::new()).build_http()
}

fn request(method: Method, addr: SocketAddr, path: &str, body: String) -> Request<Full<Bytes>> {
    Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from(body)))
        .unwrap()
}

/// Status, headers and body of one request.
async fn send(
    client: &Http,
    method: Method,
    addr: SocketAddr,
    path: &str,
    body: String,
) -> (StatusCode, HeaderMap, String) {
    let response = client
        .request(request(method, addr, path, body))
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    (
        parts.status,
        parts.headers,
        String::from_utf8(body.to_vec()).unwrap(),
    )
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v| v.to_str().unwrap())
}

const RATE_LIMIT_HEADERS: [&str; 6] = [
    "retry-after",
    "ratelimit-limit",
    "ratelimit-remaining",
    "ratelimit-reset",
    "ratelimit-policy",
    "ratelimit",
];

fn recipients(n: usize) -> String {
    let mut form = String::from("fromUserId=sender&objectName=RC%3ATxtMsg&content=hi");
    for i in 0..n {
        form.push_str(&format!("&toUserId=u{i}"));
    }
    form
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_250_registrations_admits_exactly_200() {
    let run = emulator_at_t0().await;
    let client = http();
    let tasks: Vec<_> = (0..250)
        .map(|_| {
            let client = client.clone();
            let addr = run.addr;
            tokio::spawn(async move {
                send(
                    &client,
                    Method::POST,
                    addr,
                    "/user/getToken.json",
                    "userId=u1".into(),
                )
                .await
            })
        })
        .collect();
    let mut remaining = Vec::new();
    let mut refused = 0;
    for task in tasks {
        let (status, headers, body) = task.await.unwrap();
        let h = |name| header(&headers, name);
        assert_eq!(h("ratelimit-limit"), Some("200"));
        assert_eq!(h("ratelimit-reset"), Some("1"), "0.5 s rounded up");
        assert_eq!(h("ratelimit-policy"), Some(r#""second";q=200;w=1"#));
        match status {
            StatusCode::OK => {
                assert_eq!(body, r#"{"code":200}"#);
                assert_eq!(h("retry-after"), None);
                let left: u64 = h("ratelimit-remaining").unwrap().parse().unwrap();
                assert_eq!(
                    h("ratelimit"),
                    Some(format!(r#""second";r={left};t=1"#).as_str())
                );
                remaining.push(left);
            }
            StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(body, r#"{"code":1008,"errorMessage":"调用频率超限"}"#);
                assert_eq!(h("retry-after"), Some("1"));
                assert_eq!(h("ratelimit-remaining"), Some("0"));
                assert_eq!(h("ratelimit"), Some(r#""second";r=0;t=1"#));
                refused += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    // Each admitted request saw a different count: 199 left after the first, 0 after the last.
    remaining.sort_unstable();
    assert_eq!(remaining, (0..200).collect::<Vec<u64>>());
    assert_eq!(refused, 50);
    let token = rongcloud::Endpoint::UserGetToken;
    assert_eq!(run.app.rongcloud.admitted(token), 200);
    assert_eq!(run.app.rongcloud.denied(token), 50);

    // The next second is a new window.
    run.clock.advance(Duration::from_millis(500));
    let (status, headers, _) = send(
        &client,
        Method::POST,
        run.addr,
        "/user/getToken.json",
        String::new(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "ratelimit-remaining"), Some("199"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_message_costs_one_unit_per_recipient() {
    let run = emulator_at_t0().await;
    let client = http();
    let publish = "/message/private/publish.json";
    let post = |n| send(&client, Method::POST, run.addr, publish, recipients(n));

    let (status, headers, _) = post(4000).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "ratelimit-limit"), Some("6000"));
    assert_eq!(header(&headers, "ratelimit-remaining"), Some("2000"));
    assert_eq!(header(&headers, "ratelimit-reset"), Some("40"), "39.5 s");
    assert_eq!(
        header(&headers, "ratelimit-policy"),
        Some(r#""minute";q=6000;w=60"#)
    );

    // More recipients than are left: refused whole, nothing charged.
    let (status, headers, body) = post(2001).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body, r#"{"code":1008,"errorMessage":"调用频率超限"}"#);
    assert_eq!(header(&headers, "retry-after"), Some("40"));
    assert_eq!(header(&headers, "ratelimit"), Some(r#""minute";r=0;t=40"#));

    let (status, headers, _) = post(2000).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "ratelimit-remaining"), Some("0"));
    let (status, _, _) = post(1).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);

    // More recipients than a whole window: it can never pass, so no Retry-After.
    run.clock.advance(Duration::from_secs(60));
    let (status, headers, _) = post(6001).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&headers, "retry-after"), None);
    assert_eq!(header(&headers, "ratelimit-limit"), Some("6000"));
    // A message without recipients still counts as one call.
    let (status, headers, _) = post(0).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "ratelimit-remaining"), Some("5999"));

    let ep = rongcloud::Endpoint::MessagePrivatePublish;
    assert_eq!(run.app.rongcloud.admitted(ep), 3);
    assert_eq!(run.app.rongcloud.denied(ep), 3);
    assert_eq!(run.rongcloud.remaining(ep), 5999);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_push_quota_is_2_per_hour_and_3_per_beijing_day() {
    let run = emulator_at_t0().await;
    let client = http();
    let push = rongcloud::Endpoint::Push;
    // 发送全量用户不落地通知, 发送标签用户通知, 发送应用包名通知: one route, one quota.
    assert_eq!(push.names().len(), 3);
    assert_eq!(push.path(), "/push.json");
    let post = || send(&client, Method::POST, run.addr, "/push.json", String::new());
    let policy = r#""hour";q=2;w=3600, "day";q=3;w=86400"#;

    for left in ["1", "0"] {
        let (status, headers, _) = post().await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(header(&headers, "ratelimit-remaining"), Some(left));
        assert_eq!(header(&headers, "ratelimit-limit"), Some("2"), "the hour");
        assert_eq!(header(&headers, "ratelimit-policy"), Some(policy));
    }
    // The hour is full until 23:00 UTC: 46 min 39.5 s.
    let (status, headers, _) = post().await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&headers, "retry-after"), Some("2800"));
    assert_eq!(header(&headers, "ratelimit"), Some(r#""hour";r=0;t=2800"#));

    // The next hour admits the day's third, and then the day is what runs out.
    run.clock.advance(Duration::from_secs(3600));
    let (status, headers, _) = post().await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "ratelimit-limit"), Some("3"), "the day");
    assert_eq!(header(&headers, "ratelimit-remaining"), Some("0"));
    // Until midnight in Beijing, 16:00 UTC: 16 h 46 min 39.5 s.
    assert_eq!(header(&headers, "ratelimit-reset"), Some("60400"));
    run.clock.advance(Duration::from_secs(3600));
    let (status, headers, _) = post().await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&headers, "retry-after"), Some("56800"));
    assert_eq!(header(&headers, "ratelimit"), Some(r#""day";r=0;t=56800"#));

    // Beijing midnight: a new day (and a new hour).
    run.clock.set_ms(1_700_064_000_000);
    let (status, _, _) = post().await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(run.app.rongcloud.admitted(push), 4);
    assert_eq!(run.app.rongcloud.denied(push), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn easemob_answers_in_its_own_error_format() {
    let run = emulator_at_t0().await;
    let client = http();
    let path = "/acme/chat/push/sync/alice";
    let (status, headers, body) = send(&client, Method::POST, run.addr, path, String::new()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.starts_with(r#"{"timestamp":"#), "{body}");
    assert_eq!(header(&headers, "ratelimit-limit"), Some("1"));
    let (status, headers, body) = send(&client, Method::POST, run.addr, path, String::new()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(body.contains(r#""error":"reach_limit""#), "{body}");
    assert!(body.contains(r#""error_description":"#), "{body}");
    assert_eq!(header(&headers, "retry-after"), Some("1"));
    // Another org's request shares nothing with alice's path but the endpoint's quota.
    let (status, _, _) = send(
        &client,
        Method::POST,
        run.addr,
        "/other/app/push/sync/bob",
        String::new(),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let sync = easemob_push::Endpoint::ALL
        .iter()
        .copied()
        .find(|e| e.path() == "/{org_name}/{app_name}/push/sync/{target}")
        .unwrap();
    assert_eq!(run.app.easemob.admitted(sync), 1);
    assert_eq!(run.app.easemob.denied(sync), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_for_other_routes_pass_through_untouched() {
    let run = emulator_at_t0().await;
    let client = http();
    for (method, path, expected) in [
        (Method::POST, "/nothing.json", StatusCode::NOT_FOUND),
        (
            Method::POST,
            "/user/../user/getToken.json",
            StatusCode::NOT_FOUND,
        ),
        (Method::POST, "/user/getToken.json/", StatusCode::NOT_FOUND),
        (Method::POST, "//user/getToken.json", StatusCode::NOT_FOUND),
        (
            Method::GET,
            "/user/getToken.json",
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            Method::PUT,
            "/acme/chat/push/label",
            StatusCode::METHOD_NOT_ALLOWED,
        ),
    ] {
        for _ in 0..300 {
            let (status, headers, _) =
                send(&client, method.clone(), run.addr, path, String::new()).await;
            assert_eq!(status, expected, "{method} {path}");
            for name in RATE_LIMIT_HEADERS {
                assert_eq!(header(&headers, name), None, "{method} {path}: {name}");
            }
            if expected == StatusCode::METHOD_NOT_ALLOWED {
                break;
            }
        }
    }
    assert!(run.app.rongcloud.snapshot().is_empty());
    assert!(run.app.easemob.snapshot().is_empty());
    assert_eq!(
        run.rongcloud.remaining(rongcloud::Endpoint::UserGetToken),
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_vendors_own_answer_has_no_rate_limit_headers() {
    let clock = ManualClock::new(T0);
    let app = emulator::emulator(
        Arc::new(Limiter::with_clock(clock.clone())),
        Arc::new(Limiter::with_clock(clock.clone())),
        Arc::new(Limiter::with_clock(clock)),
        HeaderMode::Off,
    );
    let addr = serve(app.router).await;
    let client = http();
    for expected in [StatusCode::OK, StatusCode::TOO_MANY_REQUESTS] {
        let (status, headers, _) = send(
            &client,
            Method::POST,
            addr,
            "/acme/chat/push/task",
            String::new(),
        )
        .await;
        assert_eq!(status, expected);
        for name in RATE_LIMIT_HEADERS {
            assert_eq!(header(&headers, name), None, "{name}");
        }
    }
}

/// Calls a tower service once it is ready.
async fn call<S, R>(service: &mut S, request: R) -> Result<S::Response, S::Error>
where
    S: Service<R>,
{
    std::future::poll_fn(|cx| service.poll_ready(cx)).await?;
    service.call(request).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fail_fast_client_stops_at_the_limit_without_sending() {
    let run = emulator_at_t0().await;
    let limiter = Arc::new(Limiter::<rongcloud::Endpoint, _>::with_clock(
        run.clock.clone(),
    ));
    let layer = ClientLayer::new(limiter)
        .weigh(FormFields::rongcloud())
        .fail_fast();
    let stats = layer.stats();
    let mut client = layer.layer(http());
    let publish = "/message/private/publish.json";
    let response = call(
        &mut client,
        request(Method::POST, run.addr, publish, recipients(5000)),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let refused = call(
        &mut client,
        request(Method::POST, run.addr, publish, recipients(1001)),
    )
    .await
    .unwrap_err();
    let ClientError::Refused {
        endpoint,
        refusal: Refusal::Denied(denied),
    } = refused
    else {
        panic!("{refused}");
    };
    assert_eq!(endpoint, rongcloud::Endpoint::MessagePrivatePublish);
    assert_eq!(denied.retry_after, Duration::from_millis(39_500));
    // Never sent: the emulator saw one request.
    let ep = rongcloud::Endpoint::MessagePrivatePublish;
    assert_eq!(
        run.app.rongcloud.admitted(ep) + run.app.rongcloud.denied(ep),
        1
    );
    assert_eq!((stats.admitted(ep), stats.denied(ep)), (1, 1));
    // A route the document does not have goes straight to the server.
    let response = call(
        &mut client,
        request(Method::POST, run.addr, "/nothing", String::new()),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_client_keeps_a_burst_under_the_limit() {
    // Both sides on the system clock, as in production: the emulator counts by arrival.
    let emulator_limiter = Arc::new(Limiter::with_clock(SystemClock::new()));
    let app = emulator::emulator(
        emulator_limiter,
        Arc::new(Limiter::with_clock(SystemClock::new())),
        Arc::new(Limiter::with_clock(SystemClock::new())),
        HeaderMode::Refusals,
    );
    let addr = serve(app.router.clone()).await;
    let layer = ClientLayer::new(Arc::new(Limiter::<rongcloud::Endpoint>::new()));
    let stats = layer.stats();
    let client = layer.layer(http());

    // Start 50 ms into a second: each second's 200 requests are admitted at its start and
    // have 950 ms to arrive within it (loopback takes well under that), so the emulator's
    // windows see what the client's did.
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    tokio::time::sleep(Duration::from_millis(1050 - ms % 1000)).await;
    let tasks: Vec<_> = (0..450)
        .map(|_| {
            let mut client = client.clone();
            tokio::spawn(async move {
                let request = request(Method::POST, addr, "/user/getToken.json", "userId=u".into());
                call(&mut client, request).await.map(|r| r.status())
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap(), StatusCode::OK);
    }
    let token = rongcloud::Endpoint::UserGetToken;
    assert_eq!(app.rongcloud.admitted(token), 450);
    assert_eq!(app.rongcloud.denied(token), 0);
    assert_eq!((stats.admitted(token), stats.denied(token)), (450, 0));
}

/// The pattern the README gives reqwest users, with hyper's client in reqwest's place: route
/// the request's method and full URL, wait for the limiter, then send.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_documented_pattern_for_other_clients_waits_on_full_urls() {
    let app = emulator::emulator(
        Arc::new(Limiter::with_clock(SystemClock::new())),
        Arc::new(Limiter::with_clock(SystemClock::new())),
        Arc::new(Limiter::with_clock(SystemClock::new())),
        HeaderMode::Refusals,
    );
    let addr = serve(app.router.clone()).await;
    let limiter = Arc::new(Limiter::<rongcloud::Endpoint>::new());
    let client = http();
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    tokio::time::sleep(Duration::from_millis(1050 - ms % 1000)).await;
    let tasks: Vec<_> = (0..260)
        .map(|i| {
            let (limiter, client) = (limiter.clone(), client.clone());
            tokio::spawn(async move {
                let url = format!("http://{addr}/user/getToken.json?attempt={i}");
                let request = request(Method::POST, addr, "/", format!("userId=u{i}"));
                let (mut parts, body) = request.into_parts();
                parts.uri = url.parse().unwrap();
                // What a reqwest user writes with `request.method()` and `request.url()`:
                let ep = rongcloud::Endpoint::route(parts.method.as_str(), &url).endpoint();
                if let Some(ep) = ep {
                    limiter.acquire(ep, 1).await.unwrap();
                }
                let response = client.request(Request::from_parts(parts, body)).await;
                response.unwrap().status()
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), StatusCode::OK);
    }
    // 260 registrations against 200 per second: two windows, never a 429.
    let ep = rongcloud::Endpoint::UserGetToken;
    assert_eq!(app.rongcloud.admitted(ep), 260);
    assert_eq!(app.rongcloud.denied(ep), 0);
}

/// The local limiter behind a backend that only answers through futures (as a shared one
/// does): no `try_admit_now`, so the layer takes its async path.
struct Awaited(Arc<Limiter<rongcloud::Endpoint, ManualClock>>);

impl ratespec::tower::Admission<rongcloud::Endpoint> for Awaited {
    async fn try_admit(
        &self,
        ep: rongcloud::Endpoint,
        units: ratespec::Units,
        scope: Option<&str>,
        head: &ratespec::tower::Head<'_>,
    ) -> Result<ratespec::Permit, Refusal> {
        self.0.try_admit(ep, units, scope, head).await
    }

    async fn admit(
        &self,
        ep: rongcloud::Endpoint,
        units: ratespec::Units,
        scope: Option<&str>,
        head: &ratespec::tower::Head<'_>,
    ) -> Result<ratespec::Permit, Refusal> {
        ratespec::tower::Admission::admit(&*self.0, ep, units, scope, head).await
    }

    fn limit(&self, ep: rongcloud::Endpoint, len: ratespec::Length) -> Option<u64> {
        self.0.limit(ep, len)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backend_that_answers_through_futures_gets_the_same_answers() {
    use ratespec::tower::ServerLayer;
    let clock = ManualClock::new(T0);
    let immediate = Arc::new(Limiter::<rongcloud::Endpoint, _>::with_clock(clock.clone()));
    let awaited = Awaited(Arc::new(Limiter::with_clock(clock.clone())));
    let router = || {
        axum::Router::new().route(
            "/push.json",
            axum::routing::post(|| async { r#"{"code":200}"# }),
        )
    };
    let fast = serve(router().layer(ServerLayer::new(immediate).headers(HeaderMode::All))).await;
    let slow =
        serve(router().layer(ServerLayer::new(Arc::new(awaited)).headers(HeaderMode::All))).await;
    let client = http();
    let mut statuses = Vec::new();
    // Two admitted and one refused in the hour, then (47 min later, the next hour) the day's
    // third admitted and a fourth refused by the day.
    for step in 0..5 {
        if step == 3 {
            clock.advance(Duration::from_secs(47 * 60));
        }
        let (status, mut headers, body) =
            send(&client, Method::POST, fast, "/push.json", String::new()).await;
        let (slow_status, mut slow_headers, slow_body) =
            send(&client, Method::POST, slow, "/push.json", String::new()).await;
        headers.remove("date");
        slow_headers.remove("date");
        assert_eq!(
            (status, &headers, &body),
            (slow_status, &slow_headers, &slow_body)
        );
        assert!(headers.contains_key("ratelimit-policy"), "step {step}");
        statuses.push(status.as_u16());
    }
    assert_eq!(statuses, [200, 200, 429, 200, 429]);
}

/// The default `HeaderMode::Refusals`: admitted responses are left as the handler made them,
/// refusals carry `Retry-After` and every `RateLimit-*` header.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn by_default_only_refusals_carry_rate_limit_headers() {
    let clock = ManualClock::new(T0);
    let app = emulator::emulator(
        Arc::new(Limiter::with_clock(clock.clone())),
        Arc::new(Limiter::with_clock(clock.clone())),
        Arc::new(Limiter::with_clock(clock)),
        HeaderMode::Refusals,
    );
    let addr = serve(app.router).await;
    let client = http();
    let names = [
        "retry-after",
        "ratelimit-limit",
        "ratelimit-remaining",
        "ratelimit-reset",
        "ratelimit-policy",
        "ratelimit",
    ];
    for _ in 0..2 {
        let (status, headers, _) =
            send(&client, Method::POST, addr, "/push.json", String::new()).await;
        assert_eq!(status, StatusCode::OK);
        for name in names {
            assert_eq!(header(&headers, name), None, "admitted: {name}");
        }
    }
    let (status, headers, _) = send(&client, Method::POST, addr, "/push.json", String::new()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    for name in names {
        assert!(header(&headers, name).is_some(), "refused: {name}");
    }
    assert_eq!(header(&headers, "ratelimit-remaining"), Some("0"));
}

/// The emulator as the vendors count (each App Key and org/app apart, per user, per channel)
/// at `T0` on a manual clock, with the rate-limit headers on every response.
async fn per_tenant_at_t0() -> (SocketAddr, ManualClock, Emulator, Tenants<ManualClock>) {
    let clock = ManualClock::new(T0);
    let (app, tenants) = emulator::per_tenant(clock.clone(), 100, HeaderMode::All);
    let addr = serve(app.router.clone()).await;
    (addr, clock, app, tenants)
}

/// Status, headers and body of one request with `headers` and `body`.
async fn send_with(
    client: &Http,
    method: Method,
    url: String,
    headers: &[(&str, &str)],
    body: String,
) -> (StatusCode, HeaderMap, String) {
    let mut request = Request::builder().method(method).uri(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = client
        .request(request.body(Full::new(Bytes::from(body))).unwrap())
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    (
        parts.status,
        parts.headers,
        String::from_utf8(body.to_vec()).unwrap(),
    )
}

/// Easemob's one-to-one message body (its REST "send a one-to-one message" shape) to `n`
/// users.
fn easemob_message(n: usize) -> String {
    let to: Vec<String> = (0..n).map(|i| format!(r#""user{i}""#)).collect();
    format!(
        r#"{{"from":"admin","to":[{}],"type":"txt","body":{{"msg":"hello"}},"sync_device":true}}"#,
        to.join(",")
    )
}

/// `:base64:` of `key`, as the `pk` parameter writes it (computed independently of the layer).
fn pk(key: &str) -> String {
    // A tiny reference encoder for the handful of keys the tests use.
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::from(":");
    for chunk in key.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            out.push(match i <= chunk.len() {
                true => A[(n >> (18 - 6 * i) & 63) as usize] as char,
                false => '=',
            });
        }
    }
    out.push(':');
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn easemob_600_recipients_are_1_call_and_600_messages_and_601_are_refused_uncharged() {
    let (addr, _clock, app, tenants) = per_tenant_at_t0().await;
    let client = http();
    let url = format!("http://{addr}/acme/chat/messages/users");
    let json = [("content-type", "application/json")];
    let ep = easemob_im::Endpoint::PostMessagesUsers;
    assert_eq!(ep.caps()[0].max, 600);
    let left = |per| {
        tenants
            .easemob_im
            .remaining_in("acme/chat", ep, per)
            .unwrap()
    };

    let (status, headers, body) = send_with(
        &client,
        Method::POST,
        url.clone(),
        &json,
        easemob_message(600),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // One call of the 100 per second, 600 of the 6000 messages per minute.
    assert_eq!((left(Per::Second), left(Per::Minute)), (99, 5400));
    let tenant = pk("acme/chat");
    assert_eq!(
        header(&headers, "ratelimit-policy"),
        Some(
            format!(r#""second";q=100;w=1;pk={tenant}, "minute";q=6000;w=60;pk={tenant}"#).as_str()
        )
    );

    // 601 users in one request: above the cap, 400 naming it, nothing charged anywhere.
    let (status, headers, body) = send_with(
        &client,
        Method::POST,
        url.clone(),
        &json,
        easemob_message(601),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body.contains(r#""cap":{"max":600,"cost":"user","unit":"users"},"units":601"#),
        "{body}"
    );
    assert!(body.contains(r#""endpoint":"PostMessagesUsers""#), "{body}");
    assert_eq!(
        header(&headers, "retry-after"),
        None,
        "retrying cannot help"
    );
    assert_eq!((left(Per::Second), left(Per::Minute)), (99, 5400));

    // A body that is not JSON is refused before any charge, never a panic.
    for bad in [r#"{"to":["u1""#, r#"{"to":7}"#, "[]"] {
        let (status, _, _) = send_with(&client, Method::POST, url.clone(), &json, bad.into()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
    assert_eq!((left(Per::Second), left(Per::Minute)), (99, 5400));

    // Nine more of 600 fill the minute's messages; the next is refused by that window.
    for _ in 0..9 {
        let (status, _, _) = send_with(
            &client,
            Method::POST,
            url.clone(),
            &json,
            easemob_message(600),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, headers, body) = send_with(
        &client,
        Method::POST,
        url.clone(),
        &json,
        easemob_message(1),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(body.contains(r#""error":"reach_limit""#), "{body}");
    assert_eq!(
        header(&headers, "ratelimit"),
        Some(format!(r#""minute";r=0;t=40;pk={tenant}"#).as_str())
    );
    assert_eq!(header(&headers, "retry-after"), Some("40"));
    assert_eq!(app.easemob_im.admitted(ep), 10);
    assert_eq!(app.easemob_im.denied(ep), 2, "the cap and the full minute");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_per_user_window_is_kept_per_user_and_per_tenant_and_named_in_the_headers() {
    let (addr, _clock, app, tenants) = per_tenant_at_t0().await;
    let client = http();
    let ep = easemob_im::Endpoint::DeleteUsersByUserNameUserChannel;
    assert_eq!(ep.scope_param(), Some("userName"));
    let delete = |tenant: &str, user: &str| {
        let url = format!("http://{addr}/{tenant}/users/{user}/user_channel");
        send_with(&client, Method::DELETE, url, &[], String::new())
    };
    // 5 calls/minute/single user ID.
    for _ in 0..5 {
        assert_eq!(delete("acme/chat", "alice").await.0, StatusCode::OK);
    }
    let (status, headers, _) = delete("acme/chat", "alice").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let (alice, acme) = (pk("alice"), pk("acme/chat"));
    assert_eq!(
        header(&headers, "ratelimit"),
        Some(format!(r#""user-minute";r=0;t=40;pk={alice}"#).as_str())
    );
    assert_eq!(
        header(&headers, "ratelimit-policy"),
        Some(
            format!(r#""user-minute";q=5;w=60;pk={alice}, "second";q=100;w=1;pk={acme}"#).as_str()
        )
    );
    assert_eq!(header(&headers, "retry-after"), Some("40"));
    // The same user, escaped: still alice (the path parameter is decoded).
    assert_eq!(
        delete("acme/chat", "al%69ce").await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another user of the same app, and alice of another app, have their own windows.
    assert_eq!(delete("acme/chat", "bob").await.0, StatusCode::OK);
    assert_eq!(delete("other/app2", "alice").await.0, StatusCode::OK);
    // The app's 100 per second still binds every user together: 6 so far, 94 more.
    for i in 0..94 {
        assert_eq!(
            delete("acme/chat", &format!("u{i}")).await.0,
            StatusCode::OK
        );
    }
    let (status, headers, _) = delete("acme/chat", "carol").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        header(&headers, "ratelimit"),
        Some(format!(r#""second";r=0;t=1;pk={acme}"#).as_str())
    );
    assert_eq!(
        tenants
            .easemob_im
            .remaining_in("acme/chat", ep, Per::Second),
        Some(0)
    );
    assert_eq!(
        tenants
            .easemob_im
            .remaining_in("other/app2", ep, Per::Second),
        Some(99)
    );
    assert_eq!(
        (app.easemob_im.admitted(ep), app.easemob_im.denied(ep)),
        (101, 3)
    );
    // A hostile user name of 16 KiB (a long URI) is taken, cut to a bounded key.
    let huge = "x".repeat(16 << 10);
    let (status, _, _) = delete("big/app", &huge).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_are_counted_apart() {
    let (addr, _clock, app, _tenants) = per_tenant_at_t0().await;
    let client = http();
    // Easemob: 10 per second for each org/app.
    let label = |tenant: &str| {
        let url = format!("http://{addr}/{tenant}/push/label");
        send_with(&client, Method::POST, url, &[], String::new())
    };
    for _ in 0..10 {
        assert_eq!(label("acme/chat").await.0, StatusCode::OK);
    }
    let (status, headers, _) = label("acme/chat").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        header(&headers, "ratelimit"),
        Some(format!(r#""second";r=0;t=1;pk={}"#, pk("acme/chat")).as_str())
    );
    // Once /acme/chat is full, another org's app is still admitted.
    assert_eq!(label("other/app2").await.0, StatusCode::OK);
    // RongCloud: 2 pushes per hour for each App Key.
    let push = |headers: &'static [(&'static str, &'static str)]| {
        let url = format!("http://{addr}/push.json");
        send_with(&client, Method::POST, url, headers, String::new())
    };
    const A: &[(&str, &str)] = &[("app-key", "key-a")];
    const B: &[(&str, &str)] = &[("app-key", "key-b")];
    assert_eq!(push(A).await.0, StatusCode::OK);
    assert_eq!(push(A).await.0, StatusCode::OK);
    assert_eq!(push(A).await.0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(push(B).await.0, StatusCode::OK);
    assert_eq!(app.rongcloud.admitted(rongcloud::Endpoint::Push), 3);
}

const FORM_WITH_APP_KEY: &[(&str, &str)] = &[
    ("app-key", "k"),
    ("content-type", "application/x-www-form-urlencoded"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ultragroup_channel_is_read_from_the_form_and_limited_per_channel() {
    let (addr, _clock, _app, tenants) = per_tenant_at_t0().await;
    let client = http();
    let ep = rongcloud::Endpoint::MessageUltragroupPublish;
    assert_eq!(ep.scope_param(), None, "the channel is a form field");
    let publish = |channel: &str, groups: usize| {
        let mut form =
            format!("fromUserId=admin&objectName=RC%3ATxtMsg&content=hi&busChannel={channel}");
        for i in 0..groups {
            form.push_str(&format!("&toGroupId=g{i}"));
        }
        let url = format!("http://{addr}/message/ultragroup/publish.json");
        send_with(&client, Method::POST, url, FORM_WITH_APP_KEY, form)
    };
    // 单个频道限 20 条/每秒, counted in target groups: 2 requests of 10 groups fill ch1.
    for _ in 0..2 {
        assert_eq!(publish("ch1", 10).await.0, StatusCode::OK);
    }
    let (status, headers, body) = publish("ch1", 1).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body, r#"{"code":1008,"errorMessage":"调用频率超限"}"#);
    assert_eq!(
        header(&headers, "ratelimit"),
        Some(format!(r#""channel-second";r=0;t=1;pk={}"#, pk("ch1")).as_str())
    );
    // Another channel has its own 20, inside the App Key's 100 groups per second.
    assert_eq!(publish("ch2", 20).await.0, StatusCode::OK);
    assert_eq!(
        tenants.rongcloud.remaining_in("k", ep, Per::Second),
        Some(60)
    );
}

/// A recogniser that hears nothing: a client without feedback from the vendor's answers.
struct Deaf;

impl<E, RB: Send + 'static> ratespec::tower::Recognise<E, RB> for Deaf {
    fn recognise(
        &self,
        _: E,
        response: http::Response<RB>,
    ) -> impl std::future::Future<Output = (http::Response<RB>, ratespec::tower::Verdict)> + Send
    {
        std::future::ready((response, ratespec::tower::Verdict::Other))
    }
}

/// Waits until `offset_ms` into a second of the system clock (at least 100 ms from now).
async fn until_ms_of_second(offset_ms: u64) {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let wait = (1000 + offset_ms - ms % 1000) % 1000;
    let wait = if wait < 100 { wait + 1000 } else { wait };
    tokio::time::sleep(Duration::from_millis(wait)).await;
}

/// Sends `n` registrations through `client` at once, each again until the vendor answers
/// 2xx (a 429 handed back, or the layer's `Throttled` after its own retry); returns how many
/// times a request came back refused.
async fn burst<S, RB, X>(client: S, addr: SocketAddr, n: usize) -> usize
where
    RB: Send + 'static,
    X: std::fmt::Display + Send + 'static,
    S: Service<
            Request<Full<Bytes>>,
            Response = http::Response<RB>,
            Error = ClientError<rongcloud::Endpoint, X>,
        > + Clone
        + Send
        + 'static,
    S::Future: Send,
{
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let mut client = client.clone();
            tokio::spawn(async move {
                let mut refused = 0;
                for _ in 0..50 {
                    let body = format!("userId=u{i}");
                    let request = request(Method::POST, addr, "/user/getToken.json", body);
                    match call(&mut client, request).await {
                        Ok(response) if response.status().is_success() => return refused,
                        Ok(response) => {
                            assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
                            refused += 1;
                        }
                        Err(ClientError::Throttled { .. }) => refused += 1,
                        Err(e) => panic!("{e}"),
                    }
                }
                panic!("request {i}: 50 refusals");
            })
        })
        .collect();
    let mut refused = 0;
    for task in tasks {
        refused += task.await.unwrap();
    }
    refused
}

/// The emulator on the system clock (RongCloud's windows on `clock`), with `UserGetToken`
/// at `limit` per second.
async fn emulator_enforcing<C: ratespec::Clock + 'static>(
    clock: C,
    limit: u64,
) -> (SocketAddr, Emulator) {
    let rongcloud = Limiter::<rongcloud::Endpoint, _>::with_clock(clock);
    assert!(emulator::override_limit(&rongcloud, "UserGetToken", limit).unwrap());
    let app = emulator::emulator(
        Arc::new(rongcloud),
        Arc::new(Limiter::with_clock(SystemClock::new())),
        Arc::new(Limiter::with_clock(SystemClock::new())),
        HeaderMode::Refusals,
    );
    (serve(app.router.clone()).await, app)
}

/// The client believes 600 registrations a second (its documented limit, as set); the
/// emulator enforces 300. With the vendor's answers the client finds 300 and meets far fewer
/// 429s than one that ignores them; both bursts run side by side against two emulators.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedback_finds_a_lower_limit_than_documented_over_http() {
    const BELIEVED: u64 = 600;
    const REAL: u64 = 300;
    let token = rongcloud::Endpoint::UserGetToken;
    let (deaf_addr, deaf_app) = emulator_enforcing(SystemClock::new(), REAL).await;
    let (addr, app) = emulator_enforcing(SystemClock::new(), REAL).await;
    let client_limiter = |_| {
        let limiter = Arc::new(Limiter::<rongcloud::Endpoint>::new());
        limiter.set_limit(token, Per::Second, BELIEVED).unwrap();
        limiter
    };
    let deaf = ClientLayer::new(client_limiter(()))
        .recognise(Deaf)
        .layer(http());
    let limiter = client_limiter(());
    let layer = ClientLayer::new(limiter.clone());
    let stats = layer.stats();
    let learning = layer.layer(http());

    // One after the other: side by side, two HTTP stacks on two cores spread each burst's
    // arrivals over more than a second.
    until_ms_of_second(50).await;
    let started = std::time::Instant::now();
    let deaf_refused = burst(deaf, deaf_addr, 1000).await;
    until_ms_of_second(50).await;
    let refused = burst(learning, addr, 1000).await;
    let effective = limiter.limit(token, Per::Second).unwrap();
    println!(
        "1,000 registrations, documented {BELIEVED}/s, enforced {REAL}/s, in {:?}: \
         without feedback {} 429s; with feedback {} 429s ({refused} handed back after the \
         retry), effective limit {effective}/s (documented {:?})",
        started.elapsed(),
        deaf_app.rongcloud.denied(token),
        app.rongcloud.denied(token),
        limiter.documented_limit(token, Per::Second),
    );
    assert_eq!(deaf_refused as u64, deaf_app.rongcloud.denied(token));
    assert_eq!(deaf_app.rongcloud.admitted(token), 1000);
    assert_eq!(app.rongcloud.admitted(token), 1000);
    assert_eq!(stats.vendor_refused(token), app.rongcloud.denied(token));
    assert!(
        app.rongcloud.denied(token) < deaf_app.rongcloud.denied(token),
        "{} vs {}",
        app.rongcloud.denied(token),
        deaf_app.rongcloud.denied(token)
    );
    let off = effective.abs_diff(REAL) as f64 / REAL as f64;
    assert!(off <= 0.25, "effective {effective}/s against {REAL}/s");
}

/// A vendor that refuses the first request with `Retry-After: 2`: no request reaches it
/// before the two seconds have passed, the refused one (retried) nor the two that were
/// waiting for the client's window (1 per second) when the 429 came.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_of_two_seconds_pauses_every_waiter() {
    use std::sync::Mutex;
    // Arrival times, and when the 429 was answered.
    let seen: Arc<Mutex<(Vec<u64>, Option<u64>)>> = Arc::default();
    let now_ms = || {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64
    };
    let handler = {
        let seen = seen.clone();
        move || async move {
            let mut seen = seen.lock().unwrap();
            seen.0.push(now_ms());
            if seen.1.is_none() {
                seen.1 = Some(now_ms());
                let body = r#"{"code":1008,"errorMessage":"调用频率超限"}"#;
                return (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "2")], body);
            }
            (StatusCode::OK, [("x-ok", "1")], r#"{"code":200}"#)
        }
    };
    let addr =
        serve(axum::Router::new().route("/user/getToken.json", axum::routing::post(handler))).await;
    let token = rongcloud::Endpoint::UserGetToken;
    let limiter = Arc::new(Limiter::<rongcloud::Endpoint>::new());
    limiter.set_limit(token, Per::Second, 1).unwrap();
    let layer = ClientLayer::new(limiter.clone());
    let stats = layer.stats();
    let client = layer.layer(http());
    until_ms_of_second(50).await;
    let refused = burst(client, addr, 3).await;
    let (arrivals, answered) = seen.lock().unwrap().clone();
    let answered = answered.unwrap();
    let after: Vec<u64> = arrivals[1..].iter().map(|t| t - answered).collect();
    println!("429 with Retry-After: 2; the other requests arrived {after:?} ms after it");
    assert_eq!(refused, 0, "the refused request was retried");
    assert_eq!(arrivals.len(), 4);
    assert!(after.iter().all(|&ms| ms >= 2000), "{after:?}");
    assert_eq!(stats.vendor_refused(token), 1);
}

/// An emulator whose seconds start 500 ms before the client's: a burst starting 750 ms into
/// the client's second puts the client's last 500 of one second and first 500 of the next
/// into one of the emulator's. Conservative mode never sends more than the limit within any
/// second, so it meets no 429; fixed windows do (their count is printed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conservative_mode_meets_no_429_against_windows_shifted_by_500_ms() {
    const LIMIT: u64 = 500;
    let token = rongcloud::Endpoint::UserGetToken;
    let shifted = || emulator::OffsetClock::new(SystemClock::new(), 500);
    let (fixed_addr, fixed_app) = emulator_enforcing(shifted(), LIMIT).await;
    let (addr, app) = emulator_enforcing(shifted(), LIMIT).await;
    let fixed = Arc::new(Limiter::<rongcloud::Endpoint>::new());
    fixed.set_limit(token, Per::Second, LIMIT).unwrap();
    let conservative = Arc::new(Limiter::<rongcloud::Endpoint>::new().conservative());
    conservative.set_limit(token, Per::Second, LIMIT).unwrap();
    let fixed_client = ClientLayer::new(fixed).layer(http());
    let client = ClientLayer::new(conservative).layer(http());

    // One after the other (see `feedback_finds_a_lower_limit_than_documented_over_http`).
    until_ms_of_second(750).await;
    let started = std::time::Instant::now();
    burst(client, addr, 2000).await;
    until_ms_of_second(750).await;
    burst(fixed_client, fixed_addr, 2000).await;
    println!(
        "2,000 registrations at {LIMIT}/s against windows shifted by 500 ms, in {:?}: \
         conservative {} 429s, fixed {} 429s",
        started.elapsed(),
        app.rongcloud.denied(token),
        fixed_app.rongcloud.denied(token)
    );
    assert_eq!(app.rongcloud.admitted(token), 2000);
    assert_eq!(app.rongcloud.denied(token), 0);
    assert_eq!(fixed_app.rongcloud.admitted(token), 2000);
}
