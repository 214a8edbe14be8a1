//! The trait that every generated `Endpoint` enum implements.

use crate::meta::{Bucket, Cost};
use crate::route::Route;

/// A set of endpoints with documented limits: what `include_limits!` generates for one document.
///
/// Limiters are generic over this trait and index their counters directly by
/// [`bucket`](Endpoints::bucket), so no hashing happens on the hot path.
pub trait Endpoints: Copy + Eq + core::fmt::Debug + Send + Sync + 'static {
    /// The provider (module) name, e.g. `"rongcloud"`.
    const PROVIDER: &'static str;
    /// Every endpoint, in discriminant order: `ALL[e.index()] == e`.
    const ALL: &'static [Self];
    /// Every quota bucket; endpoints sharing a quota have the same bucket index.
    const BUCKETS: &'static [Bucket];
    /// The document's UTC offset in seconds, which aligns calendar-day ([`Per::Day`](crate::Per::Day)) windows.
    const UTC_OFFSET_SECS: i32;

    /// The endpoint's position in [`ALL`](Endpoints::ALL) (its discriminant).
    fn index(self) -> usize;
    /// The endpoint's position in [`BUCKETS`](Endpoints::BUCKETS).
    fn bucket(self) -> usize;
    /// The endpoint's variant name, e.g. `"UserGetToken"`.
    fn as_str(self) -> &'static str;
    /// The documented HTTP method, upper case, e.g. `"POST"`.
    fn method(self) -> &'static str;
    /// The documented path template, parameters in braces, e.g. `"/{org_name}/{app_name}/push/label"`.
    fn path(self) -> &'static str;
    /// The template's parameter names, in path order, without braces.
    fn params(self) -> &'static [&'static str];
    /// What one unit of the endpoint's quota counts (calls, recipients, ...).
    fn cost(self) -> Cost;

    /// The endpoint for a request: `method` (upper case, byte-exact) and `target`, a path or
    /// a full URL (scheme, authority, query and fragment are ignored). See the generated
    /// `Endpoint::route` for the matching rules.
    fn route<'a>(method: &str, target: &'a str) -> Route<'a, Self>;

    /// [`route`](Endpoints::route) for an [`http::Request`]: its method and its URI's path.
    #[cfg(feature = "http")]
    fn route_request<B>(request: &::http::Request<B>) -> Route<'_, Self> {
        Self::route(request.method().as_str(), request.uri().path())
    }
}
