//! `Admission`: what the layers need from a limiter, local, keyed or shared.

use crate::clock::Clock;
use crate::endpoints::{EndpointMeta, Endpoints};
use crate::keyed::KeyedLimiter;
use crate::limiter::Limiter;
use crate::outcome::{Permit, Refusal};
use crate::units::Units;
use crate::window::Length;
use http::{Extensions, HeaderMap, Method, Request, Uri};
use std::borrow::Cow;
use std::fmt;
use std::future::{Future, ready};
use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

/// A boxed error, as tower and hyper use them.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What an [`Admission`] may read of a request to decide whose quota it draws on: its
/// method, URI, headers and extensions (the body may not have been read yet), and, once the
/// layer has routed it, its endpoint's path parameters ([`param`](Head::param)).
#[derive(Clone, Copy, Debug)]
pub struct Head<'a> {
    method: &'a Method,
    uri: &'a Uri,
    headers: &'a HeaderMap,
    extensions: &'a Extensions,
    meta: Option<&'static EndpointMeta>,
}

impl<'a> Head<'a> {
    /// The head of `request`, not routed: [`param`](Head::param) finds nothing until
    /// [`routed`](Head::routed) names the endpoint.
    pub fn of<B>(request: &'a Request<B>) -> Self {
        Head {
            method: request.method(),
            uri: request.uri(),
            headers: request.headers(),
            extensions: request.extensions(),
            meta: None,
        }
    }

    /// The same head, routed to `ep` (whose template the URI's path matched), so that
    /// [`param`](Head::param) reads its path parameters. The layers pass routed heads.
    pub fn routed<E: Endpoints>(mut self, ep: E) -> Self {
        self.meta = E::META.get(ep.index());
        self
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

    /// The request's extensions (where a weigher leaves a [`ScopeKey`]).
    pub fn extensions(&self) -> &'a Extensions {
        self.extensions
    }

    /// The value of the path parameter `name` (`"org_name"`) of the routed endpoint's
    /// template, percent-decoded as a server framework decodes it (so `al%69ce` and `alice`
    /// are one user); `None` when the head is not routed or the template has no such
    /// parameter.
    pub fn param(&self, name: &str) -> Option<Cow<'a, str>> {
        let meta = self.meta?;
        let (_, value) = meta.captures(self.uri.path()).find(|(n, _)| *n == name)?;
        Some(percent_decode(value))
    }
}

/// The user or channel a request acts on, when it is not in its path: the scope key of the
/// endpoint's per-user or per-channel windows. A weigher that reads it from the body
/// ([`FormFields::scope_field`](super::FormFields::scope_field)) or a middleware in front of
/// the layer puts it in the request's extensions; it takes precedence over the path
/// parameter that [`EndpointMeta::scope_param`] names.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ScopeKey(pub String);

/// The longest scope or tenant key the layers take from a request, in bytes; longer keys are
/// cut (at a character boundary). Keys are hashed or stored per tenant, so this bounds what
/// one hostile request can make a limiter hold; real IDs (App Keys, user names of at most
/// 64 characters) are far shorter.
pub const MAX_KEY_LEN: usize = 256;

/// `key`, cut to at most [`MAX_KEY_LEN`] bytes.
pub(crate) fn bounded(key: &str) -> &str {
    if key.len() <= MAX_KEY_LEN {
        return key;
    }
    let mut end = MAX_KEY_LEN;
    while !key.is_char_boundary(end) {
        end -= 1;
    }
    &key[..end]
}

/// `%XX` escapes decoded (invalid UTF-8 replaced); a malformed escape stays as written.
fn percent_decode(value: &str) -> Cow<'_, str> {
    if !value.contains('%') {
        return Cow::Borrowed(value);
    }
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push(hi << 4 | lo);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// The scope key of a request for `ep`: a [`ScopeKey`] extension, else the path parameter
/// [`EndpointMeta::scope_param`] names; `None` when `ep` has no per-user or per-channel
/// window (nothing to key) or the request names no key.
pub(crate) fn scope_key<'a, E: Endpoints>(ep: E, head: &Head<'a>) -> Option<Cow<'a, str>> {
    if !has_scoped_windows(ep) {
        return None;
    }
    let key = match head.extensions.get::<ScopeKey>() {
        Some(ScopeKey(key)) => Cow::Borrowed(key.as_str()),
        None => head.param(ep.scope_param()?)?,
    };
    Some(match key {
        Cow::Borrowed(key) => Cow::Borrowed(bounded(key)),
        Cow::Owned(key) => Cow::Owned(bounded(&key).to_owned()),
    })
}

/// Whether `ep`'s bucket has a window counted per user or per channel.
pub(crate) fn has_scoped_windows<E: Endpoints>(ep: E) -> bool {
    E::BUCKETS
        .get(ep.bucket())
        .is_some_and(|b| b.windows().iter().any(crate::window::scoped))
}

/// A limiter the layers can ask: admit a request of `units` of an endpoint's quota now, or
/// wait; on behalf of `scope`, the user or channel it acts on, when the endpoint has windows
/// counted per user or per channel (see [`EndpointMeta::scope_param`] and [`ScopeKey`]).
///
/// Implemented for [`Limiter`] (the answer is immediate: the futures are ready at once),
/// for `RedisLimiter` (feature `redis`), and for a [`KeyedLimiter`] through [`ByKey`],
/// which takes the tenant's key from the request. Implement it for another backend to use
/// the layers with it. A request with a scope key goes to the limiters'
/// `try_acquire_scoped`; one without (or for an endpoint without scoped windows) to
/// `try_acquire_n`, which leaves the per-key windows out.
pub trait Admission<E: Endpoints>: Send + Sync + 'static {
    /// Admits `units` of the request's quota now, or refuses without charging anything.
    fn try_admit(
        &self,
        ep: E,
        units: Units,
        scope: Option<&str>,
        head: &Head<'_>,
    ) -> impl Future<Output = Result<Permit, Refusal>> + Send;

    /// Waits until `units` are admitted; refuses only when the request can never pass
    /// ([`Refusal::Exceeds`], [`Refusal::OverCap`]) or the backend is unavailable.
    fn admit(
        &self,
        ep: E,
        units: Units,
        scope: Option<&str>,
        head: &Head<'_>,
    ) -> impl Future<Output = Result<Permit, Refusal>> + Send;

    /// Admits or refuses `units` at once, when this backend can answer without waiting
    /// (as the local limiters can); `None` (the default) when the layers must ask with
    /// [`try_admit`](Admission::try_admit). A `Some` answer charges the units exactly as
    /// `try_admit` would.
    fn try_admit_now(
        &self,
        ep: E,
        units: Units,
        scope: Option<&str>,
        head: &Head<'_>,
    ) -> Option<Result<Permit, Refusal>> {
        let _ = (ep, units, scope, head);
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
            .find(|w| len.matches(w))
            .map(|w| w.max)
    }

    /// The tenant whose quota `head`'s request draws on, for the `pk` (partition key)
    /// parameter of the tenant's windows in the `RateLimit` headers; `None` (the default)
    /// when the backend has one quota for every request.
    fn tenant(&self, head: &Head<'_>) -> Option<String> {
        let _ = head;
        None
    }

    /// The vendor refused a request for `ep` for its rate limit (a 429, RongCloud's code
    /// 1008), with its `Retry-After` if it sent one: the [`ClientLayer`](super::ClientLayer)
    /// calls it on every such answer. The local and Redis limiters pause the bucket (every
    /// waiting request too) and lower its effective limits (`Limiter::vendor_refused`); the
    /// default does nothing (a `ByKey` does not learn per tenant).
    fn vendor_refused(&self, ep: E, retry_after: Option<Duration>) {
        let _ = (ep, retry_after);
    }

    /// The vendor admitted a request for `ep`: limits lowered by
    /// [`vendor_refused`](Admission::vendor_refused) recover step by step
    /// (`Limiter::vendor_admitted`). The default does nothing.
    fn vendor_admitted(&self, ep: E) {
        let _ = ep;
    }
}

impl<E: Endpoints, C: Clock + 'static> Admission<E> for Limiter<E, C> {
    fn try_admit(
        &self,
        ep: E,
        units: Units,
        scope: Option<&str>,
        _head: &Head<'_>,
    ) -> impl Future<Output = Result<Permit, Refusal>> + Send {
        ready(self.now(ep, units, scope))
    }

    async fn admit(
        &self,
        ep: E,
        units: Units,
        scope: Option<&str>,
        _head: &Head<'_>,
    ) -> Result<Permit, Refusal> {
        match scope {
            // The FIFO queue of `acquire` is per tenant bucket; a scoped request retries.
            Some(key) => crate::wait::retrying(|| self.try_acquire_scoped(ep, key, units)).await,
            None => self.acquire(ep, units).await,
        }
    }

    fn try_admit_now(
        &self,
        ep: E,
        units: Units,
        scope: Option<&str>,
        _head: &Head<'_>,
    ) -> Option<Result<Permit, Refusal>> {
        Some(self.now(ep, units, scope))
    }

    fn limit(&self, ep: E, len: Length) -> Option<u64> {
        Limiter::limit(self, ep, len)
    }

    fn vendor_refused(&self, ep: E, retry_after: Option<Duration>) {
        Limiter::vendor_refused(self, ep, retry_after)
    }

    fn vendor_admitted(&self, ep: E) {
        Limiter::vendor_admitted(self, ep)
    }
}

impl<E: Endpoints, C: Clock> Limiter<E, C> {
    fn now(&self, ep: E, units: Units, scope: Option<&str>) -> Result<Permit, Refusal> {
        match scope {
            Some(key) => self.try_acquire_scoped(ep, key, units),
            None => self.try_acquire_n(ep, units),
        }
    }
}

/// The shared Redis limiter: a full window waits (without FIFO order across processes) until
/// the refusal's `retry_after`; Redis being unreachable under `FailurePolicy::Closed` is
/// [`Refusal::Unavailable`] (under `Open`, the Redis limiter admits by itself).
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
#[cfg(feature = "redis")]
impl<E: Endpoints, C: Clock + 'static> Admission<E> for crate::redis::RedisLimiter<E, C> {
    async fn try_admit(
        &self,
        ep: E,
        units: Units,
        scope: Option<&str>,
        _head: &Head<'_>,
    ) -> Result<Permit, Refusal> {
        match scope {
            Some(key) => self.try_acquire_scoped(ep, key, units).await,
            None => self.try_acquire_n(ep, units).await,
        }
    }

    async fn admit(
        &self,
        ep: E,
        units: Units,
        scope: Option<&str>,
        _head: &Head<'_>,
    ) -> Result<Permit, Refusal> {
        let Some(key) = scope else {
            return self.acquire(ep, units).await;
        };
        loop {
            match self.try_acquire_scoped(ep, key, units).await {
                Err(Refusal::Denied(d)) => crate::wait::pause(d.retry_after).await,
                decided => return decided,
            }
        }
    }

    fn limit(&self, ep: E, len: Length) -> Option<u64> {
        crate::redis::RedisLimiter::limit(self, ep, len)
    }

    fn vendor_refused(&self, ep: E, retry_after: Option<Duration>) {
        crate::redis::RedisLimiter::vendor_refused(self, ep, retry_after)
    }

    fn vendor_admitted(&self, ep: E) {
        crate::redis::RedisLimiter::vendor_admitted(self, ep)
    }
}

/// A [`KeyedLimiter`] for the layers: each request is charged to the tenant (App Key, org
/// and app) that `key` takes from its head, so tenants are counted apart.
///
/// [`ByKey::app_key`] reads RongCloud's `App-Key` header, [`ByKey::org_app`] Easemob's
/// `{org_name}/{app_name}` path parameters; [`ByKey::new`] takes any other hook.
///
/// ```
/// ratespec::include_limits!("specs/"); // specs/limits.toml and its documents
/// use ratespec::KeyedLimiter;
/// use ratespec::tower::{ByKey, FormFields, Head, ServerLayer};
/// use std::sync::Arc;
///
/// // RongCloud's clients send their App Key in the `App-Key` header.
/// let tenants = Arc::new(KeyedLimiter::<String, rongcloud::Endpoint>::new(10_000));
/// let rongcloud = ServerLayer::new(Arc::new(ByKey::app_key(tenants)))
///     .weigh(FormFields::rongcloud());
/// // Easemob's name theirs in the path: `/{org_name}/{app_name}/...`.
/// let tenants = Arc::new(KeyedLimiter::<String, easemob_push::Endpoint>::new(10_000));
/// let easemob = ServerLayer::new(Arc::new(ByKey::org_app(tenants)));
/// // Any other rule: a hook over the request's head.
/// fn bearer(head: &Head<'_>) -> String {
///     let auth = head.headers().get("authorization").and_then(|v| v.to_str().ok());
///     auth.unwrap_or("").to_owned()
/// }
/// let tenants = Arc::new(KeyedLimiter::<String, rongcloud::Endpoint>::new(10_000));
/// let custom = ServerLayer::new(Arc::new(ByKey::new(tenants, bearer)));
/// # let _ = (rongcloud, easemob, custom);
/// ```
///
/// The key is built for every request (an owned `K`: for `String`, one allocation). A
/// request without a key is charged to whatever key the hook returns for it (the built-in
/// hooks: the empty key, one quota for every anonymous request). The built-in hooks cut keys
/// to [`MAX_KEY_LEN`] bytes, so a hostile request cannot make the limiter store a huge key.
pub struct ByKey<K, E, C, F> {
    limiter: Arc<KeyedLimiter<K, E, C>>,
    key: F,
}

/// A tenant hook of [`ByKey`]'s built-in rules.
pub type TenantFn = fn(&Head<'_>) -> String;

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

impl<E, C> ByKey<String, E, C, TenantFn> {
    /// Tenants by the `App-Key` header (RongCloud's server API authenticates with it).
    pub fn app_key(limiter: Arc<KeyedLimiter<String, E, C>>) -> Self {
        ByKey::new(limiter, app_key_header)
    }

    /// Tenants by the `{org_name}` (or `{org}`) and `{app_name}` path parameters, as
    /// `org/app` (Easemob's REST API names the app in every path), decoded. A route without
    /// them is the empty tenant.
    pub fn org_app(limiter: Arc<KeyedLimiter<String, E, C>>) -> Self {
        ByKey::new(limiter, org_app_params)
    }
}

/// The `App-Key` header, or the empty key.
fn app_key_header(head: &Head<'_>) -> String {
    let key = head.headers().get("app-key").and_then(|v| v.to_str().ok());
    bounded(key.unwrap_or_default()).to_owned()
}

/// `org/app` from the path parameters, or the empty key.
fn org_app_params(head: &Head<'_>) -> String {
    // One row of Easemob's IM document spells the org `{org}`.
    let org = head.param("org_name").or_else(|| head.param("org"));
    match (org, head.param("app_name")) {
        (Some(org), Some(app)) => {
            // `/` cannot be in a decoded-segment pair without ambiguity: `a/b` + `c` vs `a` +
            // `b/c`; escape it in the org so the pair is unambiguous.
            let org = org.replace('%', "%25").replace('/', "%2F");
            bounded(&format!("{org}/{app}")).to_owned()
        }
        _ => String::new(),
    }
}

impl<K, E, C, F> fmt::Debug for ByKey<K, E, C, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ByKey").finish_non_exhaustive()
    }
}

impl<K, E, C, F> ByKey<K, E, C, F>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    E: Endpoints,
    C: Clock + 'static,
{
    fn now(&self, key: &K, ep: E, units: Units, scope: Option<&str>) -> Result<Permit, Refusal> {
        match scope {
            Some(scope) => self.limiter.try_acquire_scoped(key, ep, scope, units),
            None => self.limiter.try_acquire_n(key, ep, units),
        }
    }
}

/// The tenant key appears in the `pk` parameter of the rate-limit headers, hence `Display`.
impl<K, E, C, F> Admission<E> for ByKey<K, E, C, F>
where
    K: Hash + Eq + Clone + fmt::Display + Send + Sync + 'static,
    E: Endpoints,
    C: Clock + 'static,
    F: Fn(&Head<'_>) -> K + Send + Sync + 'static,
{
    fn try_admit(
        &self,
        ep: E,
        units: Units,
        scope: Option<&str>,
        head: &Head<'_>,
    ) -> impl Future<Output = Result<Permit, Refusal>> + Send {
        ready(self.now(&(self.key)(head), ep, units, scope))
    }

    fn admit(
        &self,
        ep: E,
        units: Units,
        scope: Option<&str>,
        head: &Head<'_>,
    ) -> impl Future<Output = Result<Permit, Refusal>> + Send {
        let key = (self.key)(head);
        let limiter = self.limiter.clone();
        let scope = scope.map(str::to_owned);
        async move {
            match scope {
                Some(scope) => limiter.acquire_scoped(&key, ep, &scope, units).await,
                None => limiter.acquire(&key, ep, units).await,
            }
        }
    }

    fn try_admit_now(
        &self,
        ep: E,
        units: Units,
        scope: Option<&str>,
        head: &Head<'_>,
    ) -> Option<Result<Permit, Refusal>> {
        Some(self.now(&(self.key)(head), ep, units, scope))
    }

    fn limit(&self, ep: E, len: Length) -> Option<u64> {
        self.limiter.limit(ep, len)
    }

    fn tenant(&self, head: &Head<'_>) -> Option<String> {
        Some((self.key)(head).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_KEY_LEN, bounded, percent_decode};

    #[test]
    fn path_parameters_are_decoded_and_keys_bounded() {
        assert_eq!(percent_decode("al%69ce"), "alice");
        assert_eq!(percent_decode("a%2Fb"), "a/b");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%ff"), "\u{fffd}");
        let long = "é".repeat(MAX_KEY_LEN);
        assert!(bounded(&long).len() <= MAX_KEY_LEN);
        assert_eq!(bounded("alice"), "alice");
    }
}
