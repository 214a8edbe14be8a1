//! Rate-limit layers for tower clients and servers (feature `tower`).
//!
//! Each request is mapped to its generated `Endpoint` with [`Endpoints::route_request`]
//! (method and path), weighed (one unit, or the recipients of a message: [`Weigh`]), and
//! admitted by an [`Admission`] backend: the local [`Limiter`](crate::Limiter), the
//! `RedisLimiter`, a [`KeyedLimiter`](crate::KeyedLimiter) keyed by App Key through
//! [`ByKey`], or any other limiter implementing the trait. Refusals are the limiters'
//! [`Refusal`](crate::Refusal).
//!
//! - [`ServerLayer`] answers a refused request itself (429 with `Retry-After` and the
//!   `RateLimit-*` headers, or your own vendor-shaped answer), and adds the headers to admitted
//!   responses. Requests for routes the document does not have pass through untouched.
//! - [`ClientLayer`] sits in front of an HTTP client's service: it waits until the request is
//!   admitted (default) or fails fast, with the typed [`ClientError`].
//!
//! Both count admissions and refusals per endpoint in [`Stats`] and report each as a
//! `tracing` event (target `ratespec`).
//!
//! [`Endpoints::route_request`]: crate::Endpoints::route_request

mod admission;
mod cost;
mod headers;
mod layer;
mod metrics;
mod service;

pub use admission::{Admission, BoxError, ByKey, Head};
pub use cost::{FormFields, PerCall, Weigh, WeighError, WeighFn, weigh_fn};
pub use headers::{default_answer, rate_limit_headers};
pub use layer::{ClientLayer, HeaderMode, ServerLayer};
pub use metrics::Stats;
pub use service::{Client, ClientError, Server};
