//! The layers: configuration, and what each wrapped service shares.

use super::admission::Admission;
use super::answers::{BodyAnswers, CloneRequest, NoResend, VendorAnswers};
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
use std::time::Duration;

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
    pub(crate) shadow: bool,
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
            shadow: self.shadow,
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
                shadow: false,
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
            shadow,
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
                shadow,
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

    /// Shadow mode: requests are decided, counted and logged as usual, but every one is
    /// passed to the inner service; a refusal is counted as a shadow denial
    /// ([`Stats::shadow_denied`]), not a denial, and charges nothing. For trying limits on
    /// live traffic before enforcing them.
    pub fn shadow(mut self) -> Self {
        self.shared.shadow = true;
        self
    }

    /// Counts an admission as near the limit when it leaves less than `1 − ratio` of its
    /// window's limit (default [`DEFAULT_NEAR_LIMIT_RATIO`](super::DEFAULT_NEAR_LIMIT_RATIO),
    /// 0.9: less than a tenth left); see [`Stats::near_limit`].
    pub fn near_limit(self, ratio: f64) -> Self {
        self.shared.stats.set_near_limit_ratio(ratio);
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
            .field("shadow", &self.shared.shadow)
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
pub(crate) struct ClientShared<E, A, W, V, R> {
    pub(crate) admission: Arc<A>,
    pub(crate) weigh: Arc<W>,
    pub(crate) recognise: Arc<V>,
    pub(crate) resend: Arc<R>,
    pub(crate) stats: Arc<Stats<E>>,
    pub(crate) wait: bool,
    pub(crate) shadow: bool,
    pub(crate) retry_within: Duration,
}

impl<E, A, W, V, R> Clone for ClientShared<E, A, W, V, R> {
    fn clone(&self) -> Self {
        ClientShared {
            admission: self.admission.clone(),
            weigh: self.weigh.clone(),
            recognise: self.recognise.clone(),
            resend: self.resend.clone(),
            stats: self.stats.clone(),
            wait: self.wait,
            shadow: self.shadow,
            retry_within: self.retry_within,
        }
    }
}

/// How long a request refused by the vendor may wait for its one retry by default.
pub const DEFAULT_RETRY_WITHIN: Duration = Duration::from_secs(30);

/// Client-side limits: a request to a vendor waits until its endpoint's limits admit it
/// (default), or fails fast with [`ClientError::Refused`](super::ClientError::Refused), so
/// the vendor should not have to answer 429; and when it does anyway, the layer learns.
///
/// - Every response is judged by a [`Recognise`](super::Recognise)r ([`VendorAnswers`] by default: a 429 and
///   its `Retry-After`; [`recognise_bodies`](ClientLayer::recognise_bodies) reads the
///   vendor's codes, RongCloud's 1008, Easemob's `reach_limit`; or your own through
///   [`recognise`](ClientLayer::recognise)) and reported to the backend:
///   [`Admission::vendor_admitted`], [`Admission::vendor_refused`]. The local and Redis
///   limiters then pause the bucket until the `Retry-After` (or the window's end), every
///   waiting request with it, and lower its effective limit.
/// - A refused request is sent once more, when the pause and its turn come within
///   [`retry_within`](ClientLayer::retry_within) (30 s by default), and otherwise, or if
///   refused again, returned as [`ClientError::Throttled`](super::ClientError::Throttled).
///   Retrying sends a clone ([`CloneRequest`]: the body must be `Clone`);
///   [`no_retry`](ClientLayer::no_retry) never retries, for bodies that cannot be cloned.
///
/// Requests for routes the document does not have pass through. The request's URI may be a
/// full URL (`https://api.example.com/user/getToken.json`) or a path.
pub struct ClientLayer<E, A, W = PerCall, V = VendorAnswers, R = CloneRequest> {
    /// The configuration, shared (one copy per wrapped service) once layered.
    shared: ClientShared<E, A, W, V, R>,
}

impl<E: Endpoints, A: Admission<E>> ClientLayer<E, A> {
    /// A layer that waits for `admission` to admit each request, one unit per request.
    pub fn new(admission: Arc<A>) -> Self {
        ClientLayer {
            shared: ClientShared {
                admission,
                weigh: Arc::new(PerCall),
                recognise: Arc::new(VendorAnswers),
                resend: Arc::new(CloneRequest),
                stats: Arc::new(Stats::new()),
                wait: true,
                shadow: false,
                retry_within: DEFAULT_RETRY_WITHIN,
            },
        }
    }
}

impl<E: Endpoints, A: Admission<E>, W, V, R> ClientLayer<E, A, W, V, R> {
    /// Weighs requests with `weigh` (e.g. [`FormFields::rongcloud`](super::FormFields::rongcloud)).
    pub fn weigh<W2>(self, weigh: W2) -> ClientLayer<E, A, W2, V, R> {
        self.map(|s| ClientShared {
            admission: s.admission,
            weigh: Arc::new(weigh),
            recognise: s.recognise,
            resend: s.resend,
            stats: s.stats,
            wait: s.wait,
            shadow: s.shadow,
            retry_within: s.retry_within,
        })
    }

    /// Judges the vendor's answers with `recognise` instead of [`VendorAnswers`].
    pub fn recognise<V2>(self, recognise: V2) -> ClientLayer<E, A, W, V2, R> {
        self.map(|s| ClientShared {
            admission: s.admission,
            weigh: s.weigh,
            recognise: Arc::new(recognise),
            resend: s.resend,
            stats: s.stats,
            wait: s.wait,
            shadow: s.shadow,
            retry_within: s.retry_within,
        })
    }

    /// Judges the vendor's answers by their bodies too, in the shape of `E`'s vendor
    /// ([`BodyAnswers::of`]: RongCloud's `{"code": 1008}`, Easemob's `reach_limit`). The
    /// response body must be buildable from `Bytes`.
    pub fn recognise_bodies(self) -> ClientLayer<E, A, W, BodyAnswers, R> {
        self.recognise(BodyAnswers::of::<E>())
    }

    /// Never sends a request again after the vendor refused it: the refusal is returned as
    /// [`ClientError::Throttled`](super::ClientError::Throttled). For request bodies that
    /// cannot be cloned.
    pub fn no_retry(self) -> ClientLayer<E, A, W, V, NoResend> {
        self.resend(NoResend)
    }

    /// Sends requests again with `resend` instead of [`CloneRequest`].
    pub fn resend<R2>(self, resend: R2) -> ClientLayer<E, A, W, V, R2> {
        self.map(|s| ClientShared {
            admission: s.admission,
            weigh: s.weigh,
            recognise: s.recognise,
            resend: Arc::new(resend),
            stats: s.stats,
            wait: s.wait,
            shadow: s.shadow,
            retry_within: s.retry_within,
        })
    }

    /// How long a request the vendor refused may wait for its one retry (the vendor's
    /// `Retry-After`, then its turn); past it, the refusal is returned (default
    /// [`DEFAULT_RETRY_WITHIN`], 30 s).
    pub fn retry_within(mut self, budget: Duration) -> Self {
        self.shared.retry_within = budget;
        self
    }

    /// Fails at once with [`ClientError::Refused`](super::ClientError::Refused) when a
    /// window is full, instead of waiting; a request the vendor refuses is not retried.
    pub fn fail_fast(mut self) -> Self {
        self.shared.wait = false;
        self
    }

    /// Shadow mode: requests are decided, counted and logged as usual (without waiting), but
    /// every one is sent; a refusal is counted as a shadow denial ([`Stats::shadow_denied`])
    /// and charges nothing. The vendor's answers are still reported to the backend, and a
    /// refused request is handed back as the vendor answered it, not retried.
    pub fn shadow(mut self) -> Self {
        self.shared.shadow = true;
        self
    }

    /// Counts an admission as near the limit when it leaves less than `1 − ratio` of its
    /// window's limit (default 0.9); see [`Stats::near_limit`].
    pub fn near_limit(self, ratio: f64) -> Self {
        self.shared.stats.set_near_limit_ratio(ratio);
        self
    }

    /// The counts of admitted and refused requests per endpoint, and of the vendor's
    /// refusals.
    pub fn stats(&self) -> Arc<Stats<E>> {
        self.shared.stats.clone()
    }

    fn map<W2, V2, R2>(
        self,
        f: impl FnOnce(ClientShared<E, A, W, V, R>) -> ClientShared<E, A, W2, V2, R2>,
    ) -> ClientLayer<E, A, W2, V2, R2> {
        ClientLayer {
            shared: f(self.shared),
        }
    }
}

impl<E, A, W, V, R> Clone for ClientLayer<E, A, W, V, R> {
    fn clone(&self) -> Self {
        ClientLayer {
            shared: self.shared.clone(),
        }
    }
}

impl<E: Endpoints, A, W, V, R> fmt::Debug for ClientLayer<E, A, W, V, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientLayer")
            .field("provider", &E::PROVIDER)
            .field("wait", &self.shared.wait)
            .field("shadow", &self.shared.shadow)
            .field("retry_within", &self.shared.retry_within)
            .finish_non_exhaustive()
    }
}

impl<S, E, A, W, V, R> ::tower::Layer<S> for ClientLayer<E, A, W, V, R> {
    type Service = Client<S, E, A, W, V, R>;

    fn layer(&self, inner: S) -> Self::Service {
        Client::new(inner, Arc::new(self.shared.clone()))
    }
}
