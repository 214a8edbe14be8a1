//! A local stand-in for the vendors' server APIs, to test a client against: every route of
//! `specs/` (97 RongCloud, 15 Easemob push), each limited as documented, answering as the
//! vendor does when a limit is exceeded.
//!
//! Run: `cargo run -p ratespec --example emulator --features tower`
//!
//! Options: `--port N` (default 8080; always on 127.0.0.1), `--ratelimit-headers-always`
//! (admitted responses carry the `RateLimit-*` headers too; by default only 429s carry them,
//! with `Retry-After`), `--no-ratelimit-headers` (answer exactly as the vendors do: their
//! documents promise no `Retry-After` or `RateLimit-*`),
//! `--raise-limits` (every limit at its maximum, so every request passes through the whole
//! layer: for measuring its overhead), `--no-layer` (no limits at all: the baseline), and with
//! it `--constant-headers` (RongCloud's routes answer with the layer's five `RateLimit-*`
//! headers as constants: what the headers cost on their own).
//!
//! What the vendors answer over a limit:
//!
//! - RongCloud: HTTP 429 and its JSON envelope with code 1008, "调用频率超限" (the code and
//!   message of RongCloud's server SDKs' response tables).
//! - Easemob: HTTP 429 ("请求接口超过调用频率限制，即接口被限流", its REST error table) in its
//!   error format: `error`, `exception`, `timestamp`, `duration`, `error_description`. The
//!   `error` and `error_description` values are the ones Easemob's per-API error tables give
//!   for rate limiting, written here from those tables, not captured from a live answer.

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::routing::{MethodFilter, MethodRouter, on};
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, Response, StatusCode};
use ratespec::Refusal;
use ratespec::tower::{FormFields, HeaderMode, ServerLayer, Stats, default_answer};
use ratespec::window::MAX_LIMIT;
use ratespec::{Clock, Endpoints, Limiter, Scope, SystemClock};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

mod specs {
    ratespec::include_limits!("specs/");
}
pub use specs::{easemob_push, rongcloud};

/// The emulator's routes and limits, and the counts of what its layers decided.
pub struct Emulator {
    /// Every documented route of both documents.
    pub router: Router,
    /// Admitted and refused RongCloud requests per endpoint.
    pub rongcloud: Arc<Stats<rongcloud::Endpoint>>,
    /// Admitted and refused Easemob requests per endpoint.
    pub easemob: Arc<Stats<easemob_push::Endpoint>>,
}

/// The emulator on the given limiters (a `ManualClock` in tests); `headers` says which
/// responses get `Retry-After` and the `RateLimit-*` headers besides what the vendors send.
pub fn emulator<C: Clock + 'static>(
    rongcloud: Arc<Limiter<rongcloud::Endpoint, C>>,
    easemob: Arc<Limiter<easemob_push::Endpoint, C>>,
    headers: HeaderMode,
) -> Emulator {
    let rongcloud_layer = ServerLayer::new(rongcloud)
        .weigh(FormFields::rongcloud())
        .answer(rongcloud_answer)
        .headers(headers);
    let easemob_layer = ServerLayer::new(easemob)
        .answer(easemob_answer)
        .headers(headers);
    let (rongcloud, easemob) = (rongcloud_layer.stats(), easemob_layer.stats());
    let router = routes::<rongcloud::Endpoint>(Router::new(), rongcloud_ok)
        .layer(rongcloud_layer)
        .merge(routes::<easemob_push::Endpoint>(Router::new(), easemob_ok).layer(easemob_layer));
    Emulator {
        router,
        rongcloud,
        easemob,
    }
}

/// Every route of `E`'s document, answered by `ok`; methods of one path share a route.
fn routes<E: Endpoints>(router: Router, ok: fn() -> Response<String>) -> Router {
    let mut paths: BTreeMap<&str, MethodRouter> = BTreeMap::new();
    for &ep in E::ALL {
        let method = Method::from_bytes(ep.method().as_bytes()).expect("a documented method");
        let filter = MethodFilter::try_from(method).expect("a routable method");
        let handler = move || async move { ok() };
        let route = match paths.remove(ep.path()) {
            Some(route) => route.on(filter, handler),
            None => on(filter, handler),
        };
        paths.insert(ep.path(), route);
    }
    // The templates are axum's own syntax: `/{org_name}/{app_name}/push/label`.
    paths
        .into_iter()
        .fold(router, |router, (path, route)| router.route(path, route))
}

fn json<B: From<String>>(status: StatusCode, body: String) -> Response<B> {
    let mut response = Response::new(B::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

fn unix_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

/// RongCloud's success envelope.
fn rongcloud_ok() -> Response<String> {
    json(StatusCode::OK, r#"{"code":200}"#.to_string())
}

/// RongCloud's success envelope with the five `RateLimit-*` headers the layer adds to an
/// admitted request at raised limits, as constants (`--no-layer --constant-headers`): the same
/// bytes on the wire and the same header map without computing anything, the floor of what
/// sending those headers costs.
fn rongcloud_ok_constant_headers() -> Response<String> {
    // Constants: names and values are built at compile time, as the layer's names are.
    const HEADERS: [(HeaderName, HeaderValue); 5] = [
        (
            HeaderName::from_static("ratelimit-limit"),
            HeaderValue::from_static("4294967295"),
        ),
        (
            HeaderName::from_static("ratelimit-remaining"),
            HeaderValue::from_static("4294967294"),
        ),
        (
            HeaderName::from_static("ratelimit-reset"),
            HeaderValue::from_static("1"),
        ),
        (
            HeaderName::from_static("ratelimit"),
            HeaderValue::from_static(r#""second";r=4294967294;t=1"#),
        ),
        (
            HeaderName::from_static("ratelimit-policy"),
            HeaderValue::from_static(r#""second";q=4294967295;w=1"#),
        ),
    ];
    let mut response = rongcloud_ok();
    let headers = response.headers_mut();
    headers.reserve(HEADERS.len());
    for (name, value) in HEADERS {
        headers.insert(name, value);
    }
    response
}

/// Easemob's success envelope.
fn easemob_ok() -> Response<String> {
    let body = format!(r#"{{"timestamp":{},"duration":0,"data":{{}}}}"#, unix_ms());
    json(StatusCode::OK, body)
}

/// RongCloud over a limit: 429, code 1008.
pub fn rongcloud_answer(ep: rongcloud::Endpoint, refused: &Refusal) -> Response<Bytes> {
    match refused {
        Refusal::Unavailable(_) => default_answer(ep, refused),
        _ => json(
            StatusCode::TOO_MANY_REQUESTS,
            r#"{"code":1008,"errorMessage":"调用频率超限"}"#.to_string(),
        ),
    }
}

/// Easemob over a limit: 429 in its error format.
pub fn easemob_answer(ep: easemob_push::Endpoint, refused: &Refusal) -> Response<Bytes> {
    match refused {
        Refusal::Unavailable(_) => default_answer(ep, refused),
        _ => json(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                r#"{{"error":"reach_limit","exception":"EasemobRateLimitException","timestamp":{},"duration":0,"error_description":"This request has reached api limit"}}"#,
                unix_ms()
            ),
        ),
    }
}

/// Every enforced window of every endpoint at [`MAX_LIMIT`] (per-user windows are not
/// enforced, so they have no limit to raise).
fn raise_limits<E: Endpoints, C: Clock>(limiter: &Limiter<E, C>) {
    for &ep in E::ALL {
        let windows = E::BUCKETS[ep.bucket()].windows.iter();
        for w in windows.filter(|w| w.scope != Scope::User) {
            limiter
                .set_limit(ep, w, MAX_LIMIT)
                .expect("a documented window");
        }
    }
}

fn print_stats<E: Endpoints>(stats: &Stats<E>) {
    for (ep, admitted, denied, unavailable) in stats.snapshot() {
        println!(
            "{:>14} {:<40} admitted {admitted:>8}  denied {denied:>8}  unavailable {unavailable}",
            E::PROVIDER,
            ep.as_str()
        );
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.iter().any(|a| a == name);
    let port: u16 = match args.iter().position(|a| a == "--port") {
        Some(i) => args
            .get(i + 1)
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| std::io::Error::other("--port takes a port number"))?,
        None => 8080,
    };
    if let Some(unknown) = args.iter().find(|a| {
        a.starts_with("--")
            && ![
                "--port",
                "--no-ratelimit-headers",
                "--ratelimit-headers-always",
                "--raise-limits",
                "--no-layer",
                "--constant-headers",
            ]
            .contains(&a.as_str())
    }) {
        return Err(std::io::Error::other(format!("unknown option {unknown}")));
    }

    let rongcloud = Arc::new(Limiter::<rongcloud::Endpoint, _>::with_clock(
        SystemClock::new(),
    ));
    let easemob = Arc::new(Limiter::<easemob_push::Endpoint, _>::with_clock(
        SystemClock::new(),
    ));
    if flag("--raise-limits") {
        raise_limits(&rongcloud);
        raise_limits(&easemob);
    }
    let headers = if flag("--no-ratelimit-headers") {
        HeaderMode::Off
    } else if flag("--ratelimit-headers-always") {
        HeaderMode::All
    } else {
        HeaderMode::Refusals
    };
    let app = emulator(rongcloud, easemob, headers);
    let router = if flag("--no-layer") {
        let ok = if flag("--constant-headers") {
            rongcloud_ok_constant_headers
        } else {
            rongcloud_ok
        };
        routes::<rongcloud::Endpoint>(Router::new(), ok)
            .merge(routes::<easemob_push::Endpoint>(Router::new(), easemob_ok))
    } else {
        app.router
    };

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!(
        "emulating {} RongCloud and {} Easemob push routes on http://{}",
        rongcloud::Endpoint::ALL.len(),
        easemob_push::Endpoint::ALL.len(),
        listener.local_addr()?
    );
    println!("try: curl -i -X POST http://127.0.0.1:{port}/user/getToken.json");
    axum::serve(listener, router.into_make_service())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    print_stats(&app.rongcloud);
    print_stats(&app.easemob);
    Ok(())
}
