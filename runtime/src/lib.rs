//! ratespec: API vendors' rate-limit documents, exactly as published, turned into typed
//! endpoints and an exact limiter at compile time.
//!
//! IM and push vendors (RongCloud, Easemob, ...) publish their server-API limits only as
//! documentation tables (`注册用户 /user/getToken.json 200 次/每秒，可调频`); go over one and the
//! vendor answers 429. [`include_limits!`] reads those documents while your crate compiles
//! and generates one module per document: an `Endpoint` enum with the limits as `const` data
//! and a route matcher. A [`Limiter`] then keeps your calls under every documented window. A
//! document the parser cannot read is a compile error that names the line and the fix.
//!
//! # From zero to a limited client
//!
//! 1. `cargo add ratespec`, with `--features tower` for step 4 (see [Features](#features)).
//! 2. Save the vendor's pages, as published, in a `specs/` folder beside your `Cargo.toml`,
//!    and say in `specs/limits.toml` what the pages cannot (every key is on
//!    [`include_limits!`](macro@include_limits#limitstoml)):
//!
//!    ```toml
//!    [[document]]
//!    file = "rongcloud-server.md"   # RongCloud's server API page
//!    module = "rongcloud"           # the generated module
//!    default_method = "POST"        # the page's table has no method column
//!    utc_offset = "+08:00"          # its calendar days (自然日) are Beijing days
//!    ```
//!
//! 3. Generate the endpoints and limit your calls:
//!
//!    ```
//!    ratespec::include_limits!("specs/"); // `mod rongcloud`, checked at compile time
//!
//!    use ratespec::{Limiter, Refusal};
//!    use rongcloud::Endpoint;
//!
//!    // The document's row as data: `/user/getToken.json 200 次/每秒，可调频`.
//!    const PER_SECOND: u64 = Endpoint::UserGetToken.windows()[0].max;
//!    assert_eq!(PER_SECOND, 200);
//!    let url = "https://api.rong-cloud.cn/user/getToken.json";
//!    assert_eq!(Endpoint::route("POST", url).endpoint(), Some(Endpoint::UserGetToken));
//!
//!    let limiter = Limiter::<Endpoint>::new(); // every documented window, system clock
//!    match limiter.try_acquire(Endpoint::UserGetToken) {
//!        Ok(permit) => assert_eq!(permit.remaining(), 199), // send the request
//!        Err(Refusal::Denied(denied)) => println!("retry in {:?}", denied.retry_after),
//!        Err(other) => println!("{other}"), // e.g. a cost that can never pass
//!    }
//!    ```
//!
//! 4. Or put the limits in front of your HTTP client as a tower layer (feature `tower`): a
//!    request waits until its endpoint's windows admit it or, with `fail_fast`, is refused
//!    before it is sent, so the vendor never has to answer 429.
//!
#![cfg_attr(feature = "tower", doc = "   ```")]
#![cfg_attr(not(feature = "tower"), doc = "   ```ignore")]
//!    ratespec::include_limits!("specs/");
//!
//!    use ratespec::deps::tower::{Layer, Service};
//!    use ratespec::tower::{ClientError, ClientLayer};
//!    use ratespec::{Limiter, ManualClock};
//!    use rongcloud::Endpoint;
//!    use std::sync::Arc;
//!
//!    #[tokio::main(flavor = "current_thread")]
//!    async fn main() {
//!        // Your HTTP client: hyper-util's, or any tower `Service<http::Request<_>>`. Here an
//!        // in-process stand-in for RongCloud that answers every request.
//!        let vendor = axum::Router::new().fallback(|| async { r#"{"code":200}"# });
//!        // A manual clock keeps this example's hour from turning; yours is `Limiter::new()`.
//!        let limiter = Limiter::<Endpoint, _>::with_clock(ManualClock::new(1_709_254_800_000));
//!        let mut client = ClientLayer::new(Arc::new(limiter)).fail_fast().layer(vendor);
//!
//!        // `/push.json`: `2 次/每小时，3 次/每自然日`.
//!        let push = || {
//!            let url = "https://api.rong-cloud.cn/push.json";
//!            ratespec::deps::http::Request::post(url).body(String::new()).unwrap()
//!        };
//!        assert!(client.call(push()).await.is_ok());
//!        assert!(client.call(push()).await.is_ok());
//!        let Err(ClientError::Refused { endpoint, refusal }) = client.call(push()).await else {
//!            panic!("a third push within the hour was sent");
//!        };
//!        assert_eq!(endpoint, Endpoint::Push);
//!        assert_eq!(refusal.retry_after(), Some(std::time::Duration::from_secs(3600)));
//!    }
//!    ```
//!
//! The same endpoints work with [`KeyedLimiter`] (one quota per App Key), `RedisLimiter`
//! (feature `redis`: one quota for a fleet, counted in Redis) and the server-side
//! `tower::ServerLayer`, which answers 429 itself. The crate's README walks through the same
//! steps in a new crate, and describes the limiters' semantics, clock and memory.
//!
//! # Features
//!
//! None is on by default: the plain limiter depends on ratespec's own crates alone (and, on
//! Linux, rustix for the kernel's coarse clock).
//!
//! | feature | adds | brings in |
//! | --- | --- | --- |
//! | `tokio` | `acquire(ep, cost).await` on every limiter: waits until admitted, fair and cancellation-safe | tokio 1 (`sync`, `time`) |
//! | `http` | `Endpoints::route_request` for an `http::Request`, and `deps::http` | http 1 |
//! | `tower` | `ratespec::tower`: server and client layers, `RateLimit-*` headers, per-recipient costs, stats; implies `http`, `tokio` and `tracing` | tower 0.5 (the traits only), bytes 1, http-body 1, http-body-util 0.1, serde_json 1, tracing 0.1 |
//! | `redis` | `ratespec::redis`: `RedisLimiter`, one quota shared by every process through Redis; implies `tokio` and `tracing` | redis 1.8 (Tokio, connection manager, scripts), tracing 0.1 |
//! | `redis-cluster` | `RedisLimiter::builder_cluster`: the same over a Redis Cluster; implies `redis` | redis 1.8's `cluster-async` |
//! | `tracing` | logs (target `ratespec`) when the vendor's answers move a limit | tracing 0.1 |
//!
//! Third-party types that appear in ratespec's API are re-exported in [`deps`] (and the
//! Redis client in `ratespec::redis`), so you can name the versions ratespec was built with.
//!
//! # The limiter
//!
//! [`Limiter`] enforces every documented window of a generated `Endpoint` enum:
//!
//! - **Fixed windows of any length** (`200 次/每秒`, `10 次/10 秒`, `1 call / 30 minutes`,
//!   `3 次/2 天`), aligned to the Unix epoch, and windows counted in days to midnight in the
//!   document's UTC offset (自然日), exact to the millisecond: that is how vendors count, so
//!   a window's full limit is usable.
//! - **All or nothing**: a call is charged to every window of its bucket or to none, and no
//!   window ever admits more than its limit, even under contention.
//! - **Shared quotas** (共享): endpoints of one bucket draw on the same counters.
//! - **Adjustable limits** (可调频) at run time with [`Limiter::set_limit`], naming the
//!   window by its [`Length`] (a [`Per`] is the one-unit window).
//! - **Costs by basis**: [`Limiter::try_acquire_n`] charges one request of [`Units`] (a
//!   size such as 600 recipients, and counts by basis where the request names them), each
//!   window in its own basis: a message to 600 users is 1 call and 600 messages. A cost above
//!   a limit is refused as [`Refusal::Exceeds`], distinct from a full window.
//! - **Per-request caps** (`600 人/次`): a larger request is refused as [`Refusal::OverCap`]
//!   before anything is charged; [`Limiter::batches`] splits a list into requests that fit.
//! - **Per-user and per-channel windows** ([`Scope::User`], `5 次/分钟/单用户 ID`;
//!   [`Scope::Channel`], `单个频道限 20 条/每秒`) are counted per scope key by
//!   [`Limiter::try_acquire_scoped`], all or nothing with the App Key's windows, in bounded
//!   memory.
//!
//! [`KeyedLimiter`] does the same for several App Keys in bounded memory, and `RedisLimiter`
//! (feature `redis`) for a fleet sharing one Redis; all three have the same methods and
//! refuse with one [`Refusal`]. With the `tokio` feature `acquire(..).await` waits until
//! admitted.
//!
//! # Generated code
//!
//! Each document's module holds its metadata as one table of [`EndpointMeta`] records
//! (`Endpoint::META`, reachable from generic code as [`Endpoints::meta`]) and its routes as
//! data walked by the one matcher in [`router`], whose rules are documented there. The
//! call's `PROVIDERS` lists every document as a [`Provider`], without its type. Every
//! generated item is listed on [`include_limits!`].
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod clock;
mod endpoints;
mod feedback;
mod keyed;
mod limiter;
mod meta;
mod outcome;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub mod redis;
mod route;
pub mod router;
mod scoped;
mod shadow;
mod shortcut;
mod sliding;
mod slot;
mod sync;
mod table;
#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub mod tower;
mod units;
#[cfg(feature = "tokio")]
mod wait;
pub mod window;
mod words;
#[cfg(test)]
mod words_tests;

#[cfg(all(test, loom))]
mod loom;

pub use clock::{Clock, ManualClock, SystemClock};
pub use endpoints::{EndpointMeta, Endpoints, Provider};
pub use keyed::KeyedLimiter;
pub use limiter::Limiter;
pub use meta::{Bucket, Cap, Cost, LimitSource, Origin, Per, Scope, SubLimit, Text, Window};
pub use outcome::{
    Denied, ExceedsLimit, LimitError, OverCap, Permit, Refusal, Unavailable, UnavailableKind,
};
pub use route::{Match, Route};
pub use scoped::DEFAULT_SCOPE_CAPACITY;
pub use sliding::SUBWINDOWS;
pub use units::Units;
pub use window::Length;

/// Generates one module per vendor document of a specs folder: the `Endpoint` enum, its
/// `const` limits and its route matcher, checked while your crate compiles.
///
/// Put the vendor's pages and a `limits.toml` listing them in `specs/` beside your
/// `Cargo.toml`, and call the macro once, at the level where the modules should live (here
/// the crate root):
///
/// ```
/// ratespec::include_limits!("specs/"); // specs/limits.toml lists rongcloud-server.md and
///                                      // easemob-push.md, as modules rongcloud, easemob_push
/// use ratespec::{Endpoints, Route};
/// use rongcloud::Endpoint;
///
/// // Metadata is `const`: `/push.json  2 次/每小时，3 次/每自然日`.
/// const PUSH_PER_HOUR: u64 = Endpoint::Push.windows()[0].max;
/// assert_eq!(PUSH_PER_HOUR, 2);
/// assert_eq!((Endpoint::Push.method(), Endpoint::Push.path()), ("POST", "/push.json"));
/// assert_eq!(Endpoint::Push.to_string(), "Push");
/// assert_eq!("Push".parse(), Ok(Endpoint::Push));
///
/// // The route matcher: a path or a full URL, parameters read on demand.
/// let target = "https://a1.easemob.com/acme/chat/push/label/vip";
/// let Route::Found(found) = easemob_push::Endpoint::route("GET", target) else {
///     panic!("not a documented route")
/// };
/// assert_eq!(found.param("labelname"), Some("vip"));
/// assert_eq!(
///     Endpoint::route("GET", "/push.json"),
///     Route::MethodNotAllowed { allowed: &["POST"] }
/// );
///
/// // Every document of the call, without its type.
/// let names: Vec<&str> = PROVIDERS.iter().map(|provider| provider.name).collect();
/// assert_eq!(names, ["easemob_push", "rongcloud"]);
/// assert_eq!(<Endpoint as Endpoints>::PROVIDER, "rongcloud");
/// ```
///
/// The macro itself is defined in the `ratespec-macros` crate; its reference follows.
pub use ratespec_macros::include_limits;

/// The third-party crates whose types appear in ratespec's API, re-exported so that your code
/// can name the very versions ratespec was built with (and need not depend on them itself).
///
/// Each is here only with the feature that uses it. They are part of ratespec's API: a new
/// major version of one of them is a breaking release of ratespec, named in its changelog.
/// The Redis client is re-exported where it is used, as `ratespec::redis::Client` and
/// `ratespec::redis::RedisError` (feature `redis`: the `redis` crate, version 1).
pub mod deps {
    /// The `http` crate, version 1 (features `http`, `tower`): the request type of
    /// [`Endpoints::route_request`](crate::Endpoints::route_request) and of the tower
    /// layers, the de facto standard of tower, hyper, axum and reqwest.
    #[cfg(feature = "http")]
    #[cfg_attr(docsrs, doc(cfg(feature = "http")))]
    pub use ::http;

    /// The `tower` crate, version 0.5, without default features (feature `tower`): the
    /// `Layer` and `Service` traits that [`crate::tower`]'s layers and services implement.
    #[cfg(feature = "tower")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
    pub use ::tower;

    /// The `bytes` crate, version 1 (feature `tower`): the body of the server layer's own
    /// answers, [`Response<Bytes>`](crate::tower::default_answer).
    #[cfg(feature = "tower")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
    pub use ::bytes;

    /// The `http-body` crate, version 1 (feature `tower`): the `Body` trait that a request
    /// body must implement for [`FormFields`](crate::tower::FormFields) to read it.
    #[cfg(feature = "tower")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
    pub use ::http_body;
}
