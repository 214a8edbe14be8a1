//! `Admission`: what the layers need from a limiter, local, keyed or shared.

use crate::clock::Clock;
use crate::endpoints::Endpoints;
use crate::keyed::KeyedLimiter;
use crate::limiter::Limiter;
use crate::outcome::{Permit, Refusal};
use crate::window::Length;
use http::{HeaderMap, Method, Request, Uri};
use std::fmt;
use std::future::{Future, ready};
use std::hash::Hash;
use std::sync::Arc;

/// A boxed error, as tower and hyper use them.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What an [`Admission`] may read of a request to decide whose quota it draws on: its
/// method, URI and headers (the body may not have been read yet).
#[derive(Clone, Copy, Debug)]
pub struct Head<'a> {
    method: &'a Method,
    uri: &'a Uri,
    headers: &'a HeaderMap,
}

impl<'a> Head<'a> {
    /// The head of `request`.
    pub fn of<B>(request: &'a Request<B>) -> Self {
        Head {
            method: request.method(),
            uri: request.uri(),
            headers: request.headers(),
        }
    }

    /// The request's method.
    pub fn method(&self) -> &'a Method {
        self.method
    }

    /// The request's URI.
    pub fn uri(&self) -> &'a Uri {
        self.uri
    }

    /// The request's headers.
    pub fn headers(&self) -> &'a HeaderMap {
        self.headers
    }
}

/// A limiter the layers can ask: admit `cost` units of an endpoint's quota now, or wait.
///
/// Implemented for [`Limiter`] (the answer is immediate: the futures are ready at once),
/// for `RedisLimiter` (feature `redis`), and for a [`KeyedLimiter`] through [`ByKey`],
/// which takes the key from the request. Implement it for another backend to use the layers
/// with it.
pub trait Admission<E: Endpoints>: Send + Sync + 'static {
    /// Admits `cost` units of the request's quota now, or refuses without charging anything.
    fn try_admit(
        &self,
        ep: E,
        cost: u64,
        head: &Head<'_>,
    ) -> impl Future<Output = Result<Permit, Refusal>> + Send;

    /// Waits until `cost` units are admitted; refuses only when the cost can never pass
    /// ([`Refusal::Exceeds`]) or the backend is unavailable.
    fn admit(
        &self,
        ep: E,
        cost: u64,
        head: &Head<'_>,
    ) -> impl Future<Output = Result<Permit, Refusal>> + Send;

    /// Admits or refuses `cost` units at once, when this backend can answer without waiting
    /// (as the local limiters can); `None` (the default) when the layers must ask with
    /// [`try_admit`](Admission::try_admit). A `Some` answer charges the units exactly as
    /// `try_admit` would.
    fn try_admit_now(&self, ep: E, cost: u64, head: &Head<'_>) -> Option<Result<Permit, Refusal>> {
        let _ = (ep, cost, head);
        None
    }

    /// The current limit of `ep`'s window of length `len`, for the `RateLimit-Policy`
    /// header.
    ///
    /// Defaults to the documented limit.
    fn limit(&self, ep: E, len: Length) -> Option<u64> {
        E::BUCKETS[ep.bucket()]
            .windows
            .iter()
            .find(|w| crate::window::enforced(w) && len.matches(w))
            .map(|w| w.max)
    }
}

impl<E: Endpoints, C: Clock + 'static> Admission<E> for Limiter<E, C> {
    fn try_admit(
        &self,
        ep: E,
        cost: u64,
        _head: &Head<'_>,
    ) -> impl Future<Output = Result<Permit, Refusal>> + Send {
        ready(self.try_acquire_n(ep, cost))
    }

    async fn admit(&self, ep: E, cost: u64, _head: &Head<'_>) -> Result<Permit, Refusal> {
        self.acquire(ep, cost).await
    }

    fn try_admit_now(&self, ep: E, cost: u64, _head: &Head<'_>) -> Option<Result<Permit, Refusal>> {
        Some(self.try_acquire_n(ep, cost))
    }

    fn limit(&self, ep: E, len: Length) -> Option<u64> {
        Limiter::limit(self, ep, len)
    }
}

/// The shared Redis limiter: a full window waits (without FIFO order across processes) until
/// the refusal's `retry_after`; Redis being unreachable under `FailurePolicy::Closed` is
/// [`Refusal::Unavailable`] (under `Open`, the Redis limiter admits by itself).
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
#[cfg(feature = "redis")]
impl<E: Endpoints, C: Clock + 'static> Admission<E> for crate::redis::RedisLimiter<E, C> {
    async fn try_admit(&self, ep: E, cost: u64, _head: &Head<'_>) -> Result<Permit, Refusal> {
        self.try_acquire_n(ep, cost).await
    }

    async fn admit(&self, ep: E, cost: u64, _head: &Head<'_>) -> Result<Permit, Refusal> {
        self.acquire(ep, cost).await
    }

    fn limit(&self, ep: E, len: Length) -> Option<u64> {
        crate::redis::RedisLimiter::limit(self, ep, len)
    }
}

/// A [`KeyedLimiter`] for the layers: each request is charged to the key (App Key) that
/// `key` takes from its head.
///
/// ```
/// ratespec::include_limits!("specs/"); // specs/limits.toml and its documents
/// use rongcloud::Endpoint;
/// use ratespec::KeyedLimiter;
/// use ratespec::tower::{ByKey, Head, ServerLayer};
/// use std::sync::Arc;
///
/// // RongCloud's clients send their App Key in the `App-Key` header.
/// fn app_key(head: &Head<'_>) -> String {
///     let key = head.headers().get("app-key").and_then(|v| v.to_str().ok());
///     key.unwrap_or("").to_owned()
/// }
/// let tenants = Arc::new(KeyedLimiter::<String, Endpoint>::new(10_000));
/// let layer = ServerLayer::new(Arc::new(ByKey::new(tenants, app_key)));
/// ```
///
/// The key is built for every request (an owned `K`: for `String`, one allocation). A
/// request without a key is charged to whatever key the hook returns for it (above: the
/// empty key, one quota for every anonymous request).
pub struct ByKey<K, E, C, F> {
    limiter: Arc<KeyedLimiter<K, E, C>>,
    key: F,
}

impl<K, E, C, F> ByKey<K, E, C, F> {
    /// Charges requests to `limiter` under the key `key` returns for each.
    pub fn new(limiter: Arc<KeyedLimiter<K, E, C>>, key: F) -> Self {
        ByKey { limiter, key }
    }

    /// The keyed limiter.
    pub fn limiter(&self) -> &Arc<KeyedLimiter<K, E, C>> {
        &self.limiter
    }
}

impl<K, E, C, F> fmt::Debug for ByKey<K, E, C, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ByKey").finish_non_exhaustive()
    }
}

impl<K, E, C, F> Admission<E> for ByKey<K, E, C, F>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    E: Endpoints,
    C: Clock + 'static,
    F: Fn(&Head<'_>) -> K + Send + Sync + 'static,
{
    fn try_admit(
        &self,
        ep: E,
        cost: u64,
        head: &Head<'_>,
    ) -> impl Future<Output = Result<Permit, Refusal>> + Send {
        ready(self.limiter.try_acquire_n(&(self.key)(head), ep, cost))
    }

    fn admit(
        &self,
        ep: E,
        cost: u64,
        head: &Head<'_>,
    ) -> impl Future<Output = Result<Permit, Refusal>> + Send {
        let key = (self.key)(head);
        let limiter = self.limiter.clone();
        async move { limiter.acquire(&key, ep, cost).await }
    }

    fn try_admit_now(&self, ep: E, cost: u64, head: &Head<'_>) -> Option<Result<Permit, Refusal>> {
        Some(self.limiter.try_acquire_n(&(self.key)(head), ep, cost))
    }

    fn limit(&self, ep: E, len: Length) -> Option<u64> {
        self.limiter.limit(ep, len)
    }
}
