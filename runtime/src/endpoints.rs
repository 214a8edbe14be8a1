//! The trait that every generated `Endpoint` enum implements, the one table of metadata each
//! generated module holds ([`EndpointMeta`]), and the list of a specs folder's documents
//! ([`Provider`]).

use crate::meta::{Bucket, Cap, Cost, LimitSource, SubLimit, Window};
use crate::route::Route;
use crate::router::Router;

/// A set of endpoints with documented limits: what `include_limits!` generates for one document.
///
/// Limiters are generic over this trait and index their counters directly by
/// [`bucket`](Endpoints::bucket), so no hashing happens on the hot path. Everything the
/// document says about an endpoint is in its [`meta`](Endpoints::meta) record.
pub trait Endpoints: Copy + Eq + core::fmt::Debug + Send + Sync + 'static {
    /// The provider (module) name, e.g. `"rongcloud"`.
    const PROVIDER: &'static str;
    /// Every endpoint, in discriminant order: `ALL[e.index()] == e`.
    const ALL: &'static [Self];
    /// Every endpoint's metadata, in discriminant order: `META[e.index()]` describes `e`.
    ///
    /// Generated code always fills it. A hand-written impl (a test fixture of limits only)
    /// may leave it empty and implement [`bucket`](Endpoints::bucket), [`as_str`](Endpoints::as_str),
    /// [`method`](Endpoints::method), [`path`](Endpoints::path), [`params`](Endpoints::params)
    /// and [`cost`](Endpoints::cost) itself, which otherwise read it.
    const META: &'static [EndpointMeta] = &[];
    /// Every quota bucket; endpoints sharing a quota have the same bucket index.
    const BUCKETS: &'static [Bucket];
    /// The document's UTC offset in seconds, which aligns calendar-day ([`Per::Day`](crate::Per::Day)) windows.
    const UTC_OFFSET_SECS: i32;
    /// Whose API the document describes, from its `limits.toml` entry (`vendor =
    /// "rongcloud"`, `"easemob"`, `"other"`), or `""` when it does not say: clients read the
    /// vendor's refusals by it (`ratespec::tower::Vendor::of`).
    const VENDOR: &'static str = "";

    /// The endpoint's position in [`ALL`](Endpoints::ALL) (its discriminant).
    fn index(self) -> usize;

    /// What the document says about the endpoint. Panics when [`META`](Endpoints::META) has
    /// no record for it (only a hand-written impl can leave it out).
    fn meta(self) -> &'static EndpointMeta {
        &Self::META[self.index()]
    }
    /// The endpoint's position in [`BUCKETS`](Endpoints::BUCKETS).
    fn bucket(self) -> usize {
        self.meta().bucket
    }
    /// The endpoint's variant name, e.g. `"UserGetToken"`.
    fn as_str(self) -> &'static str {
        self.meta().variant
    }
    /// The documented HTTP method, upper case, e.g. `"POST"`.
    fn method(self) -> &'static str {
        self.meta().method
    }
    /// The documented path template, parameters in braces, e.g. `"/{org_name}/{app_name}/push/label"`.
    fn path(self) -> &'static str {
        self.meta().path
    }
    /// The template's parameter names, in path order, without braces.
    fn params(self) -> &'static [&'static str] {
        self.meta().params
    }
    /// What one unit of the endpoint's quota counts (calls, recipients, ...).
    fn cost(self) -> Cost {
        self.meta().cost
    }
    /// The most units one request may carry (`600 人/次`), none for a hand-written impl
    /// without [`META`](Endpoints::META).
    fn caps(self) -> &'static [Cap] {
        Self::META.get(self.index()).map_or(&[], |m| m.caps)
    }
    /// The path parameter naming the scope key of the endpoint's per-user or per-channel
    /// windows ([`EndpointMeta::scope_param`]); `None` for a hand-written impl without
    /// [`META`](Endpoints::META).
    fn scope_param(self) -> Option<&'static str> {
        Self::META.get(self.index()).and_then(|m| m.scope_param)
    }

    /// The endpoint for a request: `method` (upper case, byte-exact) and `target`, a path or
    /// a full URL (scheme, authority, query and fragment are ignored). See
    /// [`router`](crate::router) for the matching rules.
    fn route<'a>(method: &str, target: &'a str) -> Route<'a, Self>;

    /// [`route`](Endpoints::route) for an [`http::Request`]: its method and its URI's path.
    #[cfg_attr(docsrs, doc(cfg(feature = "http")))]
    #[cfg(feature = "http")]
    fn route_request<B>(request: &::http::Request<B>) -> Route<'_, Self> {
        Self::route(request.method().as_str(), request.uri().path())
    }
}

/// Everything a document says about one endpoint: a record of the generated module's
/// `Endpoint::META` table, which the generated `const fn`s (`windows()`, `method()`, …) read.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EndpointMeta {
    /// The variant's name, e.g. `"UserGetToken"`.
    pub variant: &'static str,
    /// The HTTP method, upper case: `"POST"`.
    pub method: &'static str,
    /// The path template as documented: `"/{org_name}/{app_name}/push/label"`.
    pub path: &'static str,
    /// The names of the path's `{parameters}`, in order, without braces.
    pub params: &'static [&'static str],
    /// Every name the document gives the endpoint, in document order.
    pub names: &'static [&'static str],
    /// The title of the section the endpoint's first row is in, if any.
    pub section: Option<&'static str>,
    /// The limit as written: `"200 次/每秒，可调频"`.
    pub limit: &'static str,
    /// Every window of the limit, all of which apply at once.
    pub windows: &'static [Window],
    /// The unit as written: `"次"`, `"条消息"`.
    pub unit: &'static str,
    /// What one unit of the quota counts.
    pub cost: Cost,
    /// The most units one request may carry (`600 人/次`); empty when the document states
    /// no cap.
    pub caps: &'static [Cap],
    /// The path parameter whose value is the scope key (the user or channel) of the
    /// endpoint's per-user or per-channel windows, e.g. `Some("userName")` for
    /// `/{org_name}/{app_name}/users/{userName}/user_channel`: what the tower layers pass to
    /// `try_acquire_scoped`. Chosen by the parser's naming rule (the last parameter named
    /// like `username`, `userId`, `uid`, `channelId`, ...) or by `scope_param` in
    /// `limits.toml`; `None` when the endpoint has no such window or no such parameter (the
    /// key then comes from the request some other way, e.g. a form field).
    pub scope_param: Option<&'static str>,
    /// Narrower limits the phrase states inside the main one (`单个频道限 20 条/每秒`), which
    /// only the caller can enforce.
    pub sub_limits: &'static [SubLimit],
    /// 可调频: the vendor raises the limit on request.
    pub adjustable: bool,
    /// 已废弃: every row of the endpoint is marked deprecated.
    pub deprecated: bool,
    /// At least one row is outside HTML comments.
    pub published: bool,
    /// The quota's position in the module's `Endpoint::BUCKETS`.
    pub bucket: usize,
    /// `file:line` of the endpoint's first row, the file relative to the calling crate.
    pub source: &'static str,
    /// The host, when the document writes full URLs (`api.example.com`).
    pub host: Option<&'static str>,
    /// Where the limit was read: what kind of text, in which file, at which line.
    pub limit_source: LimitSource,
}

impl EndpointMeta {
    /// Every `(name, value)` pair of the path parameters in `path`, a path this endpoint's
    /// template matched (as [`Match::path`](crate::Match::path) gives it), in path order and undecoded.
    pub fn captures<'a>(
        &self,
        path: &'a str,
    ) -> impl Iterator<Item = (&'static str, &'a str)> + use<'a> {
        // The path matched the template segment for segment (no wildcards, no empty
        // segments), so the n-th segment of one is the n-th of the other.
        let template: &'static str = self.path;
        template
            .split('/')
            .zip(path.split('/'))
            .filter_map(|(segment, value)| {
                let name = segment.strip_prefix('{')?.strip_suffix('}')?;
                Some((name, value))
            })
    }
}

/// One document of an `include_limits!` call, without its `Endpoint` type: what code that
/// handles every document alike (a CLI, an admin page) walks. The call's `PROVIDERS` lists
/// them all, in `limits.toml` order.
#[derive(Debug)]
pub struct Provider {
    /// The module name, e.g. `"rongcloud"`.
    pub name: &'static str,
    /// Every endpoint's metadata, in discriminant order.
    pub endpoints: &'static [EndpointMeta],
    /// Every quota bucket ([`EndpointMeta::bucket`] indexes it).
    pub buckets: &'static [Bucket],
    /// The document's UTC offset in seconds.
    pub utc_offset_secs: i32,
    /// The module's routes.
    pub router: &'static Router,
}

impl Provider {
    /// The endpoint for a request, as the module's `Endpoint::route` finds it, as its
    /// metadata.
    pub fn route<'a>(&self, method: &str, target: &'a str) -> Route<'a, &'static EndpointMeta> {
        let endpoints: &'static [EndpointMeta] = self.endpoints;
        self.router
            .find(method, target)
            .map_endpoint(|index| &endpoints[index])
    }
}
