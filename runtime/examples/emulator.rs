//! A local stand-in for the vendors' server APIs, to test a client against: every route of
//! `specs/` (97 RongCloud, 15 Easemob push) and of Easemob's IM document
//! (`tests/fixtures/easemob-im/`, linked as `runtime/tests/fixture/easemob-im`; 173 routes), each limited as documented, answering as the
//! vendor does when a limit is exceeded.
//!
//! It counts as the vendors do: each tenant apart (RongCloud's `App-Key` header, Easemob's
//! `{org_name}/{app_name}`), per-user windows per user (`5 calls/minute/single user ID` of
//! `DELETE /{org_name}/{app_name}/users/{userName}/user_channel`), per-channel windows per
//! channel (the ultragroup's `busChannel`), every basis in its own unit (a one-to-one
//! message to 600 users is 1 call and 600 messages) and per-request caps (601 users in one
//! request: 400, nothing charged).
//!
//! Run: `cargo run -p ratespec --example emulator --features tower`
//!
//! Options: `--port N` (default 8080; always on 127.0.0.1), `--ratelimit-headers-always`
//! (admitted responses carry the `RateLimit-*` headers too; by default only 429s carry them,
//! with `Retry-After`), `--no-ratelimit-headers` (answer exactly as the vendors do: their
//! documents promise no `Retry-After` or `RateLimit-*`),
//! `--raise-limits` (one quota per document rather than per tenant, every limit at its
//! maximum, so every request passes through the whole layer: for measuring its overhead),
//! `--no-layer` (no limits at all: the baseline), and with
//! it `--constant-headers` (RongCloud's routes answer with the layer's five `RateLimit-*`
//! headers as constants: what the headers cost on their own).
//!
//! A vendor that does not keep its document, to test a client's feedback and conservative
//! modes against: `--limit-scale F` (every limit times `F`, e.g. 0.5, at least 1),
//! `--limit NAME=N` (the shortest window of endpoint `NAME`, e.g. `UserGetToken=120`, at
//! `N`; repeatable, applied after the scale), `--window-offset-ms MS` (the emulator's clock
//! runs `MS` ahead, so its windows start `MS` before the client's: `500` puts its second
//! boundaries half-way through the client's seconds). Tests use [`scale_limits`],
//! [`override_limit`] and [`OffsetClock`].
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
use http::{HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use ratespec::clock::Reading;
use ratespec::tower::{
    Admission, ByKey, FormFields, HeaderMode, JsonTargets, ServerLayer, Stats, TenantFn,
    default_answer,
};
use ratespec::window::MAX_LIMIT;
use ratespec::{
    Clock, Endpoints, KeyedLimiter, LimitError, Limiter, Refusal, Route, SystemClock, Window,
};
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

mod specs {
    ratespec::include_limits!("specs/");
}
mod fixtures {
    // Easemob's IM REST API document, an unchanged copy of the corpus's (see its limits.toml).
    ratespec::include_limits!("tests/fixture/easemob-im/");
}
pub use fixtures::easemob_im;
pub use specs::{easemob_push, rongcloud};

/// The emulator's routes and limits, and the counts of what its layers decided.
pub struct Emulator {
    /// Every documented route of the three documents.
    pub router: Router,
    /// Admitted and refused RongCloud requests per endpoint.
    pub rongcloud: Arc<Stats<rongcloud::Endpoint>>,
    /// Admitted and refused Easemob push requests per endpoint.
    pub easemob: Arc<Stats<easemob_push::Endpoint>>,
    /// Admitted and refused Easemob IM requests per endpoint.
    pub easemob_im: Arc<Stats<easemob_im::Endpoint>>,
}

/// The emulator on the given limiters (a `ManualClock` in tests): any [`Admission`], so one
/// quota for everyone (a `Limiter`) or one per tenant (see [`per_tenant`]). `headers` says
/// which responses get `Retry-After` and the `RateLimit-*` headers besides what the vendors
/// send.
///
/// RongCloud's bodies are weighed by their `toUserId`/`toGroupId`/`toChatroomId` fields (and
/// `busChannel` for the ultragroup's per-channel window), Easemob's JSON bodies by their
/// `"to"`/`"targets"` lists; per-user windows are keyed by the path's `{userName}`-like
/// parameter.
pub fn emulator<R, P, I>(
    rongcloud: Arc<R>,
    easemob: Arc<P>,
    easemob_im: Arc<I>,
    headers: HeaderMode,
) -> Emulator
where
    R: Admission<rongcloud::Endpoint>,
    P: Admission<easemob_push::Endpoint>,
    I: Admission<easemob_im::Endpoint>,
{
    let rongcloud_layer = ServerLayer::new(rongcloud)
        .weigh(FormFields::rongcloud())
        .answer(rongcloud_answer)
        .headers(headers);
    let easemob_layer = ServerLayer::new(easemob)
        .weigh(JsonTargets::easemob())
        .answer(easemob_answer)
        .headers(headers);
    let im_layer = ServerLayer::new(easemob_im)
        .weigh(JsonTargets::easemob())
        .answer(easemob_answer)
        .headers(headers);
    let stats = (
        rongcloud_layer.stats(),
        easemob_layer.stats(),
        im_layer.stats(),
    );
    // The IM document's 173 routes are answered by one service that routes with the
    // generated matcher: its templates name one segment differently from route to route
    // (`{username}`, `{userName}`, `{userId}`), which axum's router cannot hold side by side.
    let im = ::tower::Layer::layer(&im_layer, ::tower::service_fn(im_ok));
    let router = routes::<rongcloud::Endpoint>(Router::new(), rongcloud_ok)
        .layer(rongcloud_layer)
        .merge(routes::<easemob_push::Endpoint>(Router::new(), easemob_ok).layer(easemob_layer))
        .fallback_service(im);
    Emulator {
        router,
        rongcloud: stats.0,
        easemob: stats.1,
        easemob_im: stats.2,
    }
}

/// The keyed limiters of an emulator that counts each tenant apart.
pub struct Tenants<C> {
    /// RongCloud's quotas per `App-Key` header.
    pub rongcloud: Arc<KeyedLimiter<String, rongcloud::Endpoint, C>>,
    /// Easemob push quotas per `{org_name}/{app_name}`.
    pub easemob: Arc<KeyedLimiter<String, easemob_push::Endpoint, C>>,
    /// Easemob IM quotas per `{org_name}/{app_name}`.
    pub easemob_im: Arc<KeyedLimiter<String, easemob_im::Endpoint, C>>,
}

/// The emulator as the vendors count: each RongCloud App Key and each Easemob org/app has its
/// own quotas (up to `capacity` tenants with live charges per document), with per-user and
/// per-channel windows inside them.
pub fn per_tenant<C: Clock + Clone + 'static>(
    clock: C,
    capacity: usize,
    headers: HeaderMode,
) -> (Emulator, Tenants<C>) {
    let tenants = Tenants {
        rongcloud: Arc::new(KeyedLimiter::with_clock(capacity, clock.clone())),
        easemob: Arc::new(KeyedLimiter::with_clock(capacity, clock.clone())),
        easemob_im: Arc::new(KeyedLimiter::with_clock(capacity, clock)),
    };
    let by_app_key: ByKey<_, _, _, TenantFn> = ByKey::app_key(tenants.rongcloud.clone());
    let app = emulator(
        Arc::new(by_app_key),
        Arc::new(ByKey::org_app(tenants.easemob.clone())),
        Arc::new(ByKey::org_app(tenants.easemob_im.clone())),
        headers,
    );
    (app, tenants)
}

/// An IM route's answer: Easemob's success envelope, or 404/405 for what the document does
/// not have.
async fn im_ok(
    request: Request<axum::body::Body>,
) -> Result<Response<axum::body::Body>, Infallible> {
    let route = easemob_im::Endpoint::route(request.method().as_str(), request.uri().path());
    let response = match route {
        Route::Found(_) => easemob_ok(),
        Route::MethodNotAllowed { .. } => json(StatusCode::METHOD_NOT_ALLOWED, String::new()),
        Route::NotFound => json(StatusCode::NOT_FOUND, String::new()),
    };
    Ok(response.map(axum::body::Body::from))
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

/// RongCloud over a limit: 429, code 1008. A request above a per-request cap, or a limiter
/// that cannot decide, gets ratespec's own answer ([`default_answer`]: 400 naming the cap,
/// 503): the vendor's documents give no body for those.
pub fn rongcloud_answer(ep: rongcloud::Endpoint, refused: &Refusal) -> Response<Bytes> {
    match refused {
        Refusal::Unavailable(_) | Refusal::OverCap(_) => default_answer(ep, refused),
        _ => json(
            StatusCode::TOO_MANY_REQUESTS,
            r#"{"code":1008,"errorMessage":"调用频率超限"}"#.to_string(),
        ),
    }
}

/// Easemob over a limit: 429 in its error format. Above a per-request cap (`600
/// users/request`), or when the limiter cannot decide: [`default_answer`] (400 naming the
/// cap and the request's units, 503), since the error tables give no body for those.
pub fn easemob_answer<E: Endpoints>(ep: E, refused: &Refusal) -> Response<Bytes> {
    match refused {
        Refusal::Unavailable(_) | Refusal::OverCap(_) => default_answer(ep, refused),
        _ => json(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                r#"{{"error":"reach_limit","exception":"EasemobRateLimitException","timestamp":{},"duration":0,"error_description":"This request has reached api limit"}}"#,
                unix_ms()
            ),
        ),
    }
}

/// A clock `offset_ms` ahead of (or, negative, behind) another: an emulator whose windows
/// are shifted against its clients'.
#[derive(Clone, Debug)]
pub struct OffsetClock<C> {
    inner: C,
    offset_ms: i64,
}

impl<C> OffsetClock<C> {
    /// `inner`, read `offset_ms` later.
    pub fn new(inner: C, offset_ms: i64) -> Self {
        OffsetClock { inner, offset_ms }
    }

    fn shift(&self, ms: u64) -> u64 {
        ms.saturating_add_signed(self.offset_ms)
    }
}

impl<C: Clock> Clock for OffsetClock<C> {
    fn now_ms(&self) -> u64 {
        self.shift(self.inner.now_ms())
    }

    fn reading(&self) -> Reading {
        let reading = self.inner.reading();
        Reading {
            ms: self.shift(reading.ms),
            slack_ms: reading.slack_ms,
        }
    }
}

/// A limiter whose windows can be set for every endpoint: the local one, or one per tenant.
pub trait SetLimit<E> {
    /// Sets `ep`'s window `w` to `max`.
    fn set(&self, ep: E, w: &Window, max: u64) -> Result<(), LimitError>;
}

impl<E: Endpoints, C: Clock> SetLimit<E> for Limiter<E, C> {
    fn set(&self, ep: E, w: &Window, max: u64) -> Result<(), LimitError> {
        self.set_limit(ep, w, max)
    }
}

impl<K, E: Endpoints, C: Clock> SetLimit<E> for KeyedLimiter<K, E, C>
where
    K: std::hash::Hash + Eq,
{
    fn set(&self, ep: E, w: &Window, max: u64) -> Result<(), LimitError> {
        self.set_limit(ep, w, max)
    }
}

/// Every documented limit of `E` times `scale` (rounded, at least 1): a vendor enforcing
/// less (or more) than its document says. A scale that is not a positive number changes
/// nothing.
pub fn scale_limits<E: Endpoints>(
    limiter: &impl SetLimit<E>,
    scale: f64,
) -> Result<(), LimitError> {
    if !(scale.is_finite() && scale > 0.0) {
        return Ok(());
    }
    for &ep in E::ALL {
        for w in E::BUCKETS[ep.bucket()].windows.iter() {
            let max = (w.max as f64 * scale).round().clamp(1.0, MAX_LIMIT as f64) as u64;
            limiter.set(ep, w, max)?;
        }
    }
    Ok(())
}

/// Sets the shortest window of the endpoint named `name` (`UserGetToken`) to `max`; `false`
/// when `E` has no such endpoint (or it has no window).
pub fn override_limit<E: Endpoints>(
    limiter: &impl SetLimit<E>,
    name: &str,
    max: u64,
) -> Result<bool, LimitError> {
    let Some(&ep) = E::ALL.iter().find(|ep| ep.as_str() == name) else {
        return Ok(false);
    };
    let windows = &E::BUCKETS[ep.bucket()].windows;
    let Some(w) = windows.iter().min_by_key(|w| w.len_ms()) else {
        return Ok(false);
    };
    limiter.set(ep, w, max).map(|()| true)
}

/// What `--limit-scale`, `--limit` and `--window-offset-ms` ask for.
#[derive(Debug, Default)]
struct Misbehaviour {
    scale: Option<f64>,
    overrides: Vec<(String, u64)>,
    offset_ms: i64,
}

impl Misbehaviour {
    fn parse(args: &[String]) -> std::io::Result<Self> {
        let value = |i: usize, what: &str| {
            args.get(i + 1)
                .ok_or_else(|| std::io::Error::other(format!("{} takes {what}", args[i])))
        };
        let mut m = Misbehaviour::default();
        for (i, arg) in args.iter().enumerate() {
            match arg.as_str() {
                "--limit-scale" => {
                    let scale = value(i, "a positive number")?.parse::<f64>().ok();
                    let scale = scale.filter(|s| s.is_finite() && *s > 0.0);
                    m.scale = Some(scale.ok_or_else(|| {
                        std::io::Error::other("--limit-scale takes a positive number")
                    })?);
                }
                "--limit" => {
                    let spec = value(i, "NAME=N")?;
                    let parsed = spec
                        .split_once('=')
                        .and_then(|(name, n)| Some((name.to_owned(), n.parse().ok()?)));
                    m.overrides.push(parsed.ok_or_else(|| {
                        std::io::Error::other(format!("--limit takes NAME=N, not {spec}"))
                    })?);
                }
                "--window-offset-ms" => {
                    let ms = value(i, "milliseconds")?.parse().ok();
                    m.offset_ms = ms.ok_or_else(|| {
                        std::io::Error::other("--window-offset-ms takes milliseconds")
                    })?;
                }
                _ => {}
            }
        }
        Ok(m)
    }

    /// Applies the scale and the overrides to the three documents' limiters.
    fn apply<C: Clock>(&self, tenants: &Tenants<C>) -> std::io::Result<()> {
        let fail = |e: LimitError| std::io::Error::other(e.to_string());
        if let Some(scale) = self.scale {
            scale_limits(&*tenants.rongcloud, scale).map_err(fail)?;
            scale_limits(&*tenants.easemob, scale).map_err(fail)?;
            scale_limits(&*tenants.easemob_im, scale).map_err(fail)?;
        }
        for (name, max) in &self.overrides {
            let found = override_limit(&*tenants.rongcloud, name, *max).map_err(fail)?
                | override_limit(&*tenants.easemob, name, *max).map_err(fail)?
                | override_limit(&*tenants.easemob_im, name, *max).map_err(fail)?;
            if !found {
                return Err(std::io::Error::other(format!(
                    "--limit: no endpoint {name}"
                )));
            }
        }
        Ok(())
    }
}

/// Every window of every endpoint at [`MAX_LIMIT`], per-user and per-channel ones too.
fn raise_limits<E: Endpoints, C: Clock>(limiter: &Limiter<E, C>) {
    for &ep in E::ALL {
        for w in E::BUCKETS[ep.bucket()].windows.iter() {
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
                "--limit-scale",
                "--limit",
                "--window-offset-ms",
            ]
            .contains(&a.as_str())
    }) {
        return Err(std::io::Error::other(format!("unknown option {unknown}")));
    }
    let misbehaviour = Misbehaviour::parse(&args)?;

    let headers = if flag("--no-ratelimit-headers") {
        HeaderMode::Off
    } else if flag("--ratelimit-headers-always") {
        HeaderMode::All
    } else {
        HeaderMode::Refusals
    };
    let app = if flag("--raise-limits") {
        // One quota per document (no tenant lookup), every limit raised: the layer's cost.
        let clock = SystemClock::new;
        let rongcloud = Arc::new(Limiter::<rongcloud::Endpoint, _>::with_clock(clock()));
        let easemob = Arc::new(Limiter::<easemob_push::Endpoint, _>::with_clock(clock()));
        let im = Arc::new(Limiter::<easemob_im::Endpoint, _>::with_clock(clock()));
        raise_limits(&rongcloud);
        raise_limits(&easemob);
        raise_limits(&im);
        emulator(rongcloud, easemob, im, headers)
    } else {
        // As the vendors count: per App Key, per org/app, per user and per channel.
        let clock = OffsetClock::new(SystemClock::new(), misbehaviour.offset_ms);
        let (app, tenants) = per_tenant(clock, 10_000, headers);
        misbehaviour.apply(&tenants)?;
        app
    };
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
        "emulating {} RongCloud, {} Easemob push and {} Easemob IM routes on http://{}",
        rongcloud::Endpoint::ALL.len(),
        easemob_push::Endpoint::ALL.len(),
        easemob_im::Endpoint::ALL.len(),
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
    print_stats(&app.easemob_im);
    Ok(())
}
