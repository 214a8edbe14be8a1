//! The services the layers wrap around an inner service.

use super::admission::{Admission, Head, scope_key};
use super::answers::{CloneRequest, Recognise, Resend, VendorAnswers, Verdict};
use super::cost::{Weigh, WeighError};
use super::headers::{Partition, RateLimitHeaders};
use super::layer::HeaderMode;
use super::layer::{ClientShared, ServerShared};
use crate::endpoints::Endpoints;
use crate::outcome::{Denied, OverCap, Permit, Refusal, Unavailable};
use crate::units::Units;
use crate::window::Length;
use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{Request, Response, StatusCode};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// The service of a [`ServerLayer`](super::ServerLayer).
pub struct Server<S, E, A, W> {
    inner: S,
    shared: Arc<ServerShared<E, A, W>>,
}

impl<S, E, A, W> Server<S, E, A, W> {
    pub(crate) fn new(inner: S, shared: Arc<ServerShared<E, A, W>>) -> Self {
        Server { inner, shared }
    }
}

impl<S: Clone, E, A, W> Clone for Server<S, E, A, W> {
    fn clone(&self) -> Self {
        Server {
            inner: self.inner.clone(),
            shared: self.shared.clone(),
        }
    }
}

impl<S: fmt::Debug, E: Endpoints, A, W> fmt::Debug for Server<S, E, A, W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("provider", &E::PROVIDER)
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<S, E, A, W, B, RB> ::tower::Service<Request<B>> for Server<S, E, A, W>
where
    S: ::tower::Service<Request<B>, Response = Response<RB>> + Clone + Send + 'static,
    S::Future: Send,
    E: Endpoints,
    A: Admission<E>,
    W: Weigh<E, B>,
    B: Send + 'static,
    RB: From<Bytes> + Send + 'static,
{
    type Response = Response<RB>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Response<RB>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let Some(ep) = E::route_request(&request).endpoint() else {
            return Box::pin(self.inner.call(request));
        };
        // The fast path: the units are known from the head and the limiter answers at once
        // (the local `Limiter`), so the request is decided here, and the service that was
        // polled ready takes it: no future of the layer's own, no clone of the inner service.
        let units = self.shared.weigh.weigh_head(ep, &request);
        if let Some(units) = units {
            let decided = {
                let head = Head::of(&request).routed(ep);
                let scope = scope_key(ep, &head);
                let shared = &*self.shared;
                shared
                    .admission
                    .try_admit_now(ep, units, scope.as_deref(), &head)
                    .map(|decided| decide(shared, ep, units, decided, &head, scope.as_deref()))
            };
            match decided {
                Some(Decision::Pass(headers)) => {
                    let response = self.inner.call(request);
                    return Box::pin(async move {
                        let mut response = response.await?;
                        if let Some(headers) = headers {
                            headers.insert_into(response.headers_mut());
                        }
                        Ok(response)
                    });
                }
                Some(Decision::Answer(response)) => {
                    let response = response.map(RB::from);
                    return Box::pin(async move { Ok(response) });
                }
                None => {}
            }
        }
        // The service that was polled ready handles this request; a clone waits for the next.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let shared = self.shared.clone();
        Box::pin(async move {
            let (request, units) = match units {
                Some(units) => (request, units),
                None => match shared.weigh.weigh(ep, request).await {
                    Ok(weighed) => weighed,
                    Err(e) => return Ok(unweighable(&e)),
                },
            };
            let decision = {
                let head = Head::of(&request).routed(ep);
                let scope = scope_key(ep, &head);
                let admitted = shared
                    .admission
                    .try_admit(ep, units, scope.as_deref(), &head)
                    .await;
                decide(&shared, ep, units, admitted, &head, scope.as_deref())
            };
            match decision {
                Decision::Pass(headers) => {
                    let mut response = inner.call(request).await?;
                    if let Some(headers) = headers {
                        headers.insert_into(response.headers_mut());
                    }
                    Ok(response)
                }
                Decision::Answer(response) => Ok(response.map(RB::from)),
            }
        })
    }
}

/// What the server does with a decided request.
enum Decision {
    /// Hand it to the inner service, adding these headers to its response.
    Pass(Option<RateLimitHeaders>),
    /// Answer it with this refusal.
    Answer(Response<Bytes>),
}

/// Records the admission's answer and turns it into what the server does: headers computed
/// at admission (inserted when the inner service answers), or the refusal's answer.
fn decide<E: Endpoints, A: Admission<E>, W>(
    shared: &ServerShared<E, A, W>,
    ep: E,
    units: Units,
    admitted: Result<Permit, Refusal>,
    head: &Head<'_>,
    scope: Option<&str>,
) -> Decision {
    let tenant = || shared.admission.tenant(head);
    match admitted {
        Ok(permit) => {
            shared.stats.record_admitted(ep, units, Some(&permit));
            let headers = (shared.headers == HeaderMode::All).then(|| {
                let tenant = tenant();
                let partition = Partition {
                    tenant: tenant.as_deref(),
                    scope,
                };
                RateLimitHeaders::new(&*shared.admission, ep, Ok(&permit), &partition)
            });
            Decision::Pass(headers)
        }
        Err(refused) if shared.shadow => {
            shared.stats.record_shadow(ep, units, &refused);
            Decision::Pass(None)
        }
        Err(refused) => {
            shared.stats.record_refused(ep, units, &refused);
            if shared.fail_open && matches!(refused, Refusal::Unavailable(_)) {
                return Decision::Pass(None);
            }
            let (mut parts, body) = (shared.answer)(ep, &refused).into_parts();
            if shared.headers != HeaderMode::Off {
                let tenant = tenant();
                let partition = Partition {
                    tenant: tenant.as_deref(),
                    scope,
                };
                RateLimitHeaders::new(&*shared.admission, ep, Err(&refused), &partition)
                    .insert_into(&mut parts.headers);
            }
            Decision::Answer(Response::from_parts(parts, body))
        }
    }
}

/// 413 for a body too long to weigh, 400 for one that could not be read or is malformed.
fn unweighable<RB: From<Bytes>>(e: &WeighError) -> Response<RB> {
    let status = match e {
        WeighError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::BAD_REQUEST,
    };
    let mut response = Response::new(RB::from(Bytes::from(e.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// The service of a [`ClientLayer`](super::ClientLayer).
pub struct Client<S, E, A, W, V = VendorAnswers, R = CloneRequest> {
    inner: S,
    shared: Arc<ClientShared<E, A, W, V, R>>,
}

impl<S, E, A, W, V, R> Client<S, E, A, W, V, R> {
    pub(crate) fn new(inner: S, shared: Arc<ClientShared<E, A, W, V, R>>) -> Self {
        Client { inner, shared }
    }
}

impl<S: Clone, E, A, W, V, R> Clone for Client<S, E, A, W, V, R> {
    fn clone(&self) -> Self {
        Client {
            inner: self.inner.clone(),
            shared: self.shared.clone(),
        }
    }
}

impl<S: fmt::Debug, E: Endpoints, A, W, V, R> fmt::Debug for Client<S, E, A, W, V, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("provider", &E::PROVIDER)
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

/// Why a [`Client`] did not send a request, or the inner service's error.
#[derive(Debug)]
#[non_exhaustive]
pub enum ClientError<E, S> {
    /// The limiter refused the request: a full window (in fail-fast mode), a cost that can
    /// never pass, a request above a per-request cap ([`Refusal::OverCap`], see
    /// [`ClientError::over_cap`]: split it), or a limiter that could not decide
    /// ([`Refusal::Unavailable`]). Nothing was sent.
    Refused {
        /// The request's endpoint.
        endpoint: E,
        /// Why, with `retry_after` for a full window.
        refusal: Refusal,
    },
    /// The vendor refused the request for its rate limit and it was not sent again: refused
    /// once more, its retry would not have come within the layer's
    /// [`retry_within`](super::ClientLayer::retry_within), or retrying is off. The refusal
    /// is [`Refusal::Denied`], its `retry_after` the vendor's (or, when it sent none, the
    /// length of the bucket's shortest window) and its window the bucket's shortest at
    /// its effective limit.
    Throttled {
        /// The request's endpoint.
        endpoint: E,
        /// The vendor's refusal.
        refusal: Refusal,
    },
    /// The request could not be weighed (its body could not be read). Nothing was sent.
    Weigh(WeighError),
    /// The inner service failed.
    Inner(S),
}

impl<E, S> ClientError<E, S> {
    /// The cap the request was above, when it was refused for carrying more than one
    /// request may (`600 users/request`): the request must be split, waiting never helps.
    pub fn over_cap(&self) -> Option<&OverCap> {
        match self {
            ClientError::Refused {
                refusal: Refusal::OverCap(over),
                ..
            } => Some(over),
            _ => None,
        }
    }

    /// How long to wait before sending the request again, when it was refused (by the
    /// limiter or by the vendor) for a full window.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ClientError::Refused { refusal, .. } | ClientError::Throttled { refusal, .. } => {
                refusal.retry_after()
            }
            _ => None,
        }
    }
}

impl<E: Endpoints, S: fmt::Display> fmt::Display for ClientError<E, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Refused { endpoint, refusal } => {
                write!(f, "{}::{}: {refusal}", E::PROVIDER, endpoint.as_str())
            }
            ClientError::Throttled { endpoint, refusal } => {
                let name = endpoint.as_str();
                write!(
                    f,
                    "{}::{name}: refused by the vendor: {refusal}",
                    E::PROVIDER
                )
            }
            ClientError::Weigh(e) => e.fmt(f),
            ClientError::Inner(e) => e.fmt(f),
        }
    }
}

impl<E: Endpoints, S: std::error::Error + 'static> std::error::Error for ClientError<E, S> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ClientError::Refused { refusal, .. } | ClientError::Throttled { refusal, .. } => {
                Some(refusal)
            }
            ClientError::Weigh(e) => Some(e),
            ClientError::Inner(e) => Some(e),
        }
    }
}

/// The vendor's refusal of a request for `ep`, as a [`Refusal`].
fn throttled<E: Endpoints, A: Admission<E>, S>(
    admission: &A,
    ep: E,
    retry_after: Option<Duration>,
) -> ClientError<E, S> {
    let shortest = E::BUCKETS
        .get(ep.bucket())
        .and_then(|b| b.windows().iter().min_by_key(|w| w.len_ms()).copied());
    let refusal = match shortest {
        Some(w) => {
            let limit = admission.limit(ep, Length::of(&w)).unwrap_or(w.max);
            let after = retry_after.unwrap_or(Duration::from_millis(w.len_ms()));
            Refusal::Denied(Denied {
                retry_after: after,
                window: w.with_max(limit),
            })
        }
        // An endpoint without windows: nothing to name but the vendor's refusal.
        None => Refusal::Unavailable(Unavailable::reply(format!(
            "refused by the vendor; retry after {retry_after:?}"
        ))),
    };
    ClientError::Throttled {
        endpoint: ep,
        refusal,
    }
}

/// Waits until `service` is ready, then sends `request`.
async fn send<S: ::tower::Service<Req>, Req>(
    service: &mut S,
    request: Req,
) -> Result<S::Response, S::Error> {
    std::future::poll_fn(|cx| service.poll_ready(cx)).await?;
    service.call(request).await
}

impl<S, E, A, W, V, R, B, RB> ::tower::Service<Request<B>> for Client<S, E, A, W, V, R>
where
    S: ::tower::Service<Request<B>, Response = Response<RB>> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Send + 'static,
    E: Endpoints,
    A: Admission<E>,
    W: Weigh<E, B>,
    V: Recognise<E, RB>,
    R: Resend<B>,
    B: Send + 'static,
    RB: Send + 'static,
{
    type Response = Response<RB>;
    type Error = ClientError<E, S::Error>;
    type Future = BoxFuture<Result<Response<RB>, ClientError<E, S::Error>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(ClientError::Inner)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let Some(ep) = E::route_request(&request).endpoint() else {
            return Box::pin(async move { inner.call(request).await.map_err(ClientError::Inner) });
        };
        let shared = self.shared.clone();
        Box::pin(async move {
            let (request, units) = shared
                .weigh
                .weigh(ep, request)
                .await
                .map_err(ClientError::Weigh)?;
            let head = Head::of(&request).routed(ep);
            admit(&shared, ep, units, head, shared.wait && !shared.shadow).await?;
            // A retry needs the request again; shadow and fail-fast modes never retry.
            let copy = match shared.wait && !shared.shadow {
                true => shared.resend.copy(&request),
                false => None,
            };
            let response = inner.call(request).await.map_err(ClientError::Inner)?;
            let retry_after = match learn(&shared, ep, response).await {
                Ok(response) => return Ok(response),
                Err((response, _)) if shared.shadow => return Ok(response),
                Err((_, retry_after)) => retry_after,
            };
            let give_up = || throttled(&*shared.admission, ep, retry_after);
            let Some(copy) = copy else {
                return Err(give_up());
            };
            if retry_after.is_some_and(|after| after > shared.retry_within) {
                return Err(give_up());
            }
            // The bucket is paused until the Retry-After: waiting for admission waits for it.
            let again = admit(&shared, ep, units, Head::of(&copy).routed(ep), true);
            match tokio::time::timeout(shared.retry_within, again).await {
                Ok(admitted) => admitted?,
                Err(_) => return Err(give_up()),
            }
            let response = send(&mut inner, copy).await.map_err(ClientError::Inner)?;
            match learn(&shared, ep, response).await {
                Ok(response) => Ok(response),
                Err((_, retry_after)) => Err(throttled(&*shared.admission, ep, retry_after)),
            }
        })
    }
}

/// Admits `request` (waiting, or not), recording the decision; in shadow mode a refusal is
/// recorded as a shadow denial and the request goes ahead.
async fn admit<E, A, W, V, R, S>(
    shared: &ClientShared<E, A, W, V, R>,
    ep: E,
    units: Units,
    head: Head<'_>,
    wait: bool,
) -> Result<(), ClientError<E, S>>
where
    E: Endpoints,
    A: Admission<E>,
{
    let admitted = {
        let scope = scope_key(ep, &head);
        let scope = scope.as_deref();
        match wait {
            true => shared.admission.admit(ep, units, scope, &head).await,
            false => shared.admission.try_admit(ep, units, scope, &head).await,
        }
    };
    match admitted {
        Ok(permit) => shared.stats.record_admitted(ep, units, Some(&permit)),
        Err(refusal) if shared.shadow => shared.stats.record_shadow(ep, units, &refusal),
        Err(refusal) => {
            shared.stats.record_refused(ep, units, &refusal);
            return Err(ClientError::Refused {
                endpoint: ep,
                refusal,
            });
        }
    }
    Ok(())
}

/// Judges the vendor's answer and reports it to the backend: the response, or, when the
/// vendor refused it for its rate limit, the response and its `Retry-After`.
async fn learn<E, A, W, V, R, RB>(
    shared: &ClientShared<E, A, W, V, R>,
    ep: E,
    response: Response<RB>,
) -> Result<Response<RB>, (Response<RB>, Option<Duration>)>
where
    E: Endpoints,
    A: Admission<E>,
    V: Recognise<E, RB>,
{
    let (response, verdict) = shared.recognise.recognise(ep, response).await;
    match verdict {
        Verdict::Admitted => {
            shared.admission.vendor_admitted(ep);
            Ok(response)
        }
        Verdict::Refused { retry_after } => {
            shared.stats.record_vendor_refused(ep, retry_after);
            shared.admission.vendor_refused(ep, retry_after);
            Err((response, retry_after))
        }
        Verdict::Other => Ok(response),
    }
}
