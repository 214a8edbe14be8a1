//! The services the layers wrap around an inner service.

use super::admission::{Admission, Head, scope_key};
use super::cost::{Weigh, WeighError};
use super::headers::{Partition, RateLimitHeaders};
use super::layer::HeaderMode;
use super::layer::{ClientShared, ServerShared};
use crate::endpoints::Endpoints;
use crate::outcome::{OverCap, Permit, Refusal};
use crate::units::Units;
use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{Request, Response, StatusCode};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

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
            shared.stats.record_admitted(ep, units);
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
pub struct Client<S, E, A, W> {
    inner: S,
    shared: Arc<ClientShared<E, A, W>>,
}

impl<S, E, A, W> Client<S, E, A, W> {
    pub(crate) fn new(inner: S, shared: Arc<ClientShared<E, A, W>>) -> Self {
        Client { inner, shared }
    }
}

impl<S: Clone, E, A, W> Clone for Client<S, E, A, W> {
    fn clone(&self) -> Self {
        Client {
            inner: self.inner.clone(),
            shared: self.shared.clone(),
        }
    }
}

impl<S: fmt::Debug, E: Endpoints, A, W> fmt::Debug for Client<S, E, A, W> {
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
}

impl<E: Endpoints, S: fmt::Display> fmt::Display for ClientError<E, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Refused { endpoint, refusal } => {
                write!(f, "{}::{}: {refusal}", E::PROVIDER, endpoint.as_str())
            }
            ClientError::Weigh(e) => e.fmt(f),
            ClientError::Inner(e) => e.fmt(f),
        }
    }
}

impl<E: Endpoints, S: std::error::Error + 'static> std::error::Error for ClientError<E, S> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ClientError::Refused { refusal, .. } => Some(refusal),
            ClientError::Weigh(e) => Some(e),
            ClientError::Inner(e) => Some(e),
        }
    }
}

impl<S, E, A, W, B> ::tower::Service<Request<B>> for Client<S, E, A, W>
where
    S: ::tower::Service<Request<B>> + Clone + Send + 'static,
    S::Future: Send,
    S::Response: Send + 'static,
    S::Error: Send + 'static,
    E: Endpoints,
    A: Admission<E>,
    W: Weigh<E, B>,
    B: Send + 'static,
{
    type Response = S::Response;
    type Error = ClientError<E, S::Error>;
    type Future = BoxFuture<Result<S::Response, ClientError<E, S::Error>>>;

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
            let admitted = {
                let head = Head::of(&request).routed(ep);
                let scope = scope_key(ep, &head);
                let scope = scope.as_deref();
                if shared.wait {
                    shared.admission.admit(ep, units, scope, &head).await
                } else {
                    shared.admission.try_admit(ep, units, scope, &head).await
                }
            };
            match admitted {
                Ok(_) => shared.stats.record_admitted(ep, units),
                Err(refusal) => {
                    shared.stats.record_refused(ep, units, &refusal);
                    return Err(ClientError::Refused {
                        endpoint: ep,
                        refusal,
                    });
                }
            }
            inner.call(request).await.map_err(ClientError::Inner)
        })
    }
}
