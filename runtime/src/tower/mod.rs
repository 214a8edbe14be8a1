//! Rate-limit layers for tower clients and servers (feature `tower`).
//!
//! Each request is mapped to its generated `Endpoint` with [`Endpoints::route_request`]
//! (method and path), weighed into [`Units`](crate::Units) (one unit, or the recipients of a
//! message, by basis: [`Weigh`], [`FormFields`], [`JsonTargets`]), and admitted by an
//! [`Admission`] backend: the local [`Limiter`](crate::Limiter), the `RedisLimiter`, a
//! [`KeyedLimiter`](crate::KeyedLimiter) counting each tenant apart through [`ByKey`]
//! (`App-Key` header, Easemob's `{org_name}/{app_name}`, or a hook), or any other limiter
//! implementing the trait. An endpoint with windows per user or per channel is charged on
//! behalf of the request's scope key: the path parameter its
//! [`EndpointMeta::scope_param`](crate::EndpointMeta::scope_param) names, or a [`ScopeKey`]
//! a weigher read from the body. Refusals are the limiters' [`Refusal`](crate::Refusal).
//!
//! - [`ServerLayer`] answers a refused request itself (429 with `Retry-After` and the
//!   `RateLimit-*` headers naming the refusing window, 400 for a request above a
//!   per-request cap, or your own vendor-shaped answer), and adds the headers to admitted
//!   responses. Requests for routes the document does not have pass through untouched.
//! - [`ClientLayer`] sits in front of an HTTP client's service: it waits until the request is
//!   admitted (default) or fails fast, with the typed [`ClientError`]; it tells the backend
//!   what the vendor answered ([`Recognise`]: a 429, RongCloud's code 1008), so the bucket
//!   pauses until the `Retry-After` and its effective limit adapts, and retries a refused
//!   request once.
//!
//! Both count admissions and refusals per endpoint in [`Stats`] and report each as a
//! `tracing` event (target `ratespec`) and, with feature `metrics`, as `metrics` counters;
//! both have a shadow mode that decides and counts but lets everything through.
//!
//! [`Endpoints::route_request`]: crate::Endpoints::route_request

mod admission;
mod answers;
mod cost;
mod headers;
mod layer;
mod metrics;
mod service;

pub use admission::{Admission, BoxError, ByKey, Head, MAX_KEY_LEN, ScopeKey, TenantFn};
pub use answers::{
    BodyAnswers, CloneRequest, NoResend, Recognise, RecogniseFn, Resend, Vendor, VendorAnswers,
    Verdict, recognise_fn, retry_after,
};
pub use cost::{FormFields, JsonTargets, PerCall, Weigh, WeighError, WeighFn, weigh_fn};
pub use headers::{Partition, default_answer, rate_limit_headers};
pub use layer::{ClientLayer, DEFAULT_RETRY_WITHIN, HeaderMode, ServerLayer};
pub use metrics::{DEFAULT_NEAR_LIMIT_RATIO, Stats};
pub use service::{Client, ClientError, Server};
