//! The layers: configuration, and what each wrapped service shares.

use super::admission::Admission;
use super::cost::PerCall;
use super::headers::default_answer;
use super::metrics::Stats;
use super::service::{Client, Server};
use crate::endpoints::Endpoints;
use crate::outcome::Refusal;
use bytes::Bytes;
use http::Response;
use std::fmt;
use std::sync::Arc;

/// How a server answers a refused request: status, headers and body.
pub(crate) type Answer<E> = fn(E, &Refusal) -> Response<Bytes>;

/// Which responses of a [`ServerLayer`] carry `Retry-After` and the `RateLimit-*` headers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HeaderMode {
    /// Only refusals (429): `Retry-After` and the `RateLimit-*` headers tell the client when
    /// to come back. Admitted responses are left as the inner service made them, which costs
    /// nothing at saturation (the default).
    #[default]
    Refusals,
    /// Refusals and admitted responses, so clients can pace themselves before they are
    /// refused. Sending six more headers on every response has a price of its own at
    /// saturation (see `BENCHMARKS.md`).
    All,
    /// None: refusals carry only what the [`answer`](ServerLayer::answer) gives, as a vendor
    /// that sends no rate-limit headers does.
    Off,
}

/// What every service of one [`ServerLayer`] shares.
pub(crate) struct ServerShared<E, A, W> {
    pub(crate) admission: Arc<A>,
    pub(crate) weigh: Arc<W>,
    pub(crate) stats: Arc<Stats<E>>,
    pub(crate) answer: Answer<E>,
    pub(crate) headers: HeaderMode,
    pub(crate) fail_open: bool,
}

impl<E, A, W> Clone for ServerShared<E, A, W> {
    fn clone(&self) -> Self {
        ServerShared {
            admission: self.admission.clone(),
            weigh: self.weigh.clone(),
            stats: self.stats.clone(),
            answer: self.answer,
            headers: self.headers,
            fail_open: self.fail_open,
        }
    }
}

/// Server-side limits: requests over a documented limit are answered `429 Too Many
/// Requests` by the layer and never reach the inner service.
///
/// - The endpoint is found with the generated matcher; requests for routes the document does
///   not have (and documented paths with an undocumented method) pass through untouched.
/// - Refusals are answered with [`default_answer`] (or [`answer`](ServerLayer::answer)),
///   plus `Retry-After` and the `RateLimit-*` headers (see
///   [`rate_limit_headers`](super::rate_limit_headers)); with
///   [`headers(HeaderMode::All)`](ServerLayer::headers) admitted responses get the
///   `RateLimit-*` headers too.
/// - When the limiter cannot decide ([`Refusal::Unavailable`]), the answer is 503 unless
///   [`fail_open`](ServerLayer::fail_open).
///
/// The inner service's response body must be buildable from [`Bytes`] (axum's `Body`,
/// `http_body_util::Full<Bytes>`).
///
/// ```
/// ratespec::include_limits!("specs/"); // specs/limits.toml and its documents
/// use axum::{Router, routing::post};
/// use ratespec::Limiter;
/// use ratespec::tower::{FormFields, ServerLayer};
/// use std::sync::Arc;
///
/// let limiter = Arc::new(Limiter::<rongcloud::Endpoint>::new());
/// let app: Router = Router::new()
///     .route("/user/getToken.json", post(|| async { r#"{"code":200}"# }))
///     .route("/message/private/publish.json", post(|| async { r#"{"code":200}"# }))
///     .layer(ServerLayer::new(limiter).weigh(FormFields::rongcloud()));
/// ```
pub struct ServerLayer<E, A, W = PerCall> {
    /// The configuration, shared (one copy per wrapped service) once layered.
    shared: ServerShared<E, A, W>,
}

impl<E: Endpoints, A: Admission<E>> ServerLayer<E, A> {
    /// A layer enforcing `admission`'s limits, one unit per request.
    pub fn new(admission: Arc<A>) -> Self {
        ServerLayer {
            shared: ServerShared {
                admission,
                weigh: Arc::new(PerCall),
                stats: Arc::new(Stats::new()),
                answer: default_answer::<E>,
                headers: HeaderMode::Refusals,
                fail_open: false,
            },
        }
    }
}

impl<E: Endpoints, A: Admission<E>, W> ServerLayer<E, A, W> {
    /// Weighs requests with `weigh` (e.g. [`FormFields::rongcloud`](super::FormFields::rongcloud)
    /// to count recipients).
    pub fn weigh<W2>(self, weigh: W2) -> ServerLayer<E, A, W2> {
        let ServerShared {
            admission,
            stats,
            answer,
            headers,
            fail_open,
            ..
        } = self.shared;
        ServerLayer {
            shared: ServerShared {
                admission,
                weigh: Arc::new(weigh),
                stats,
                answer,
                headers,
                fail_open,
            },
        }
    }

    /// Answers refused requests with `answer` instead of [`default_answer`], e.g. in the
    /// shape a vendor uses. The rate-limit headers are added to it unless
    /// [`HeaderMode::Off`].
    pub fn answer(mut self, answer: fn(E, &Refusal) -> Response<Bytes>) -> Self {
        self.shared.answer = answer;
        self
    }

    /// Which responses carry `Retry-After` and the `RateLimit-*` headers (default:
    /// [`HeaderMode::Refusals`]).
    pub fn headers(mut self, mode: HeaderMode) -> Self {
        self.shared.headers = mode;
        self
    }

    /// Passes requests through when the limiter cannot decide, instead of answering 503.
    pub fn fail_open(mut self) -> Self {
        self.shared.fail_open = true;
        self
    }

    /// The counts of admitted and refused requests per endpoint, shared by every service
    /// this layer wraps.
    pub fn stats(&self) -> Arc<Stats<E>> {
        self.shared.stats.clone()
    }
}

impl<E, A, W> Clone for ServerLayer<E, A, W> {
    fn clone(&self) -> Self {
        ServerLayer {
            shared: self.shared.clone(),
        }
    }
}

impl<E: Endpoints, A, W> fmt::Debug for ServerLayer<E, A, W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerLayer")
            .field("provider", &E::PROVIDER)
            .field("headers", &self.shared.headers)
            .field("fail_open", &self.shared.fail_open)
            .finish_non_exhaustive()
    }
}

impl<S, E, A, W> ::tower::Layer<S> for ServerLayer<E, A, W> {
    type Service = Server<S, E, A, W>;

    fn layer(&self, inner: S) -> Self::Service {
        Server::new(inner, Arc::new(self.shared.clone()))
    }
}

/// What every service of one [`ClientLayer`] shares.
pub(crate) struct ClientShared<E, A, W> {
    pub(crate) admission: Arc<A>,
    pub(crate) weigh: Arc<W>,
    pub(crate) stats: Arc<Stats<E>>,
    pub(crate) wait: bool,
}

impl<E, A, W> Clone for ClientShared<E, A, W> {
    fn clone(&self) -> Self {
        ClientShared {
            admission: self.admission.clone(),
            weigh: self.weigh.clone(),
            stats: self.stats.clone(),
            wait: self.wait,
        }
    }
}

/// Client-side limits: a request to a vendor waits until its endpoint's limits admit it
/// (default), or fails fast with [`ClientError::Refused`](super::ClientError::Refused), so
/// the vendor never has to answer 429.
///
/// Requests for routes the document does not have pass through. The request's URI may be a
/// full URL (`https://api.example.com/user/getToken.json`) or a path.
pub struct ClientLayer<E, A, W = PerCall> {
    /// The configuration, shared (one copy per wrapped service) once layered.
    shared: ClientShared<E, A, W>,
}

impl<E: Endpoints, A: Admission<E>> ClientLayer<E, A> {
    /// A layer that waits for `admission` to admit each request, one unit per request.
    pub fn new(admission: Arc<A>) -> Self {
        ClientLayer {
            shared: ClientShared {
                admission,
                weigh: Arc::new(PerCall),
                stats: Arc::new(Stats::new()),
                wait: true,
            },
        }
    }
}

impl<E: Endpoints, A: Admission<E>, W> ClientLayer<E, A, W> {
    /// Weighs requests with `weigh` (e.g. [`FormFields::rongcloud`](super::FormFields::rongcloud)).
    pub fn weigh<W2>(self, weigh: W2) -> ClientLayer<E, A, W2> {
        let ClientShared {
            admission,
            stats,
            wait,
            ..
        } = self.shared;
        ClientLayer {
            shared: ClientShared {
                admission,
                weigh: Arc::new(weigh),
                stats,
                wait,
            },
        }
    }

    /// Fails at once with [`ClientError::Refused`](super::ClientError::Refused) when a
    /// window is full, instead of waiting.
    pub fn fail_fast(mut self) -> Self {
        self.shared.wait = false;
        self
    }

    /// The counts of admitted and refused requests per endpoint.
    pub fn stats(&self) -> Arc<Stats<E>> {
        self.shared.stats.clone()
    }
}

impl<E, A, W> Clone for ClientLayer<E, A, W> {
    fn clone(&self) -> Self {
        ClientLayer {
            shared: self.shared.clone(),
        }
    }
}

impl<E: Endpoints, A, W> fmt::Debug for ClientLayer<E, A, W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientLayer")
            .field("provider", &E::PROVIDER)
            .field("wait", &self.shared.wait)
            .finish_non_exhaustive()
    }
}

impl<S, E, A, W> ::tower::Layer<S> for ClientLayer<E, A, W> {
    type Service = Client<S, E, A, W>;

    fn layer(&self, inner: S) -> Self::Service {
        Client::new(inner, Arc::new(self.shared.clone()))
    }
}
