//! What a generated route matcher answers: `Endpoints::route(method, target)`.
//!
//! The types are generic over the endpoint enum so that code above one document (a tower
//! layer, a CLI resolving across documents) handles every generated module alike.

use crate::endpoints::Endpoints;

/// What [`Endpoints::route`] finds for a request.
///
/// Exhaustive on purpose, so that a `match` can handle every answer of HTTP routing (200,
/// 404, 405) without a catch-all: a route is found, or its path is not documented, or its
/// method is not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Route<'a, E> {
    /// The endpoint, with the path its parameters are read from.
    Found(Match<'a, E>),
    /// No path of the document matches.
    NotFound,
    /// The path is documented, but not with this method (HTTP 405).
    MethodNotAllowed {
        /// The methods the path is documented with, in document order (the `Allow` header).
        allowed: &'static [&'static str],
    },
}

impl<'a, E: Copy> Route<'a, E> {
    /// The endpoint, when one was found.
    pub const fn endpoint(&self) -> Option<E> {
        match self {
            Route::Found(found) => Some(found.endpoint),
            _ => None,
        }
    }

    /// The same answer with the endpoint `f(endpoint)`: the router finds an index, which
    /// callers turn into their endpoint type.
    #[inline]
    pub(crate) fn map_endpoint<F>(self, f: impl FnOnce(E) -> F) -> Route<'a, F> {
        match self {
            Route::Found(found) => Route::Found(Match::matched(f(found.endpoint), found.path)),
            Route::NotFound => Route::NotFound,
            Route::MethodNotAllowed { allowed } => Route::MethodNotAllowed { allowed },
        }
    }
}

/// A matched request: the endpoint, and the request's path, which its parameters are read
/// from on demand (nothing is copied or allocated while routing).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Match<'a, E> {
    /// The endpoint the request is for.
    pub endpoint: E,
    path: &'a str,
}

impl<'a, E> Match<'a, E> {
    /// For generated matchers: `path` is the request's path (no query), and matches the
    /// endpoint's template segment for segment.
    #[doc(hidden)]
    #[inline(always)]
    pub const fn matched(endpoint: E, path: &'a str) -> Self {
        Match { endpoint, path }
    }

    /// The request's path, without scheme, authority, query or fragment, as written.
    pub const fn path(&self) -> &'a str {
        self.path
    }
}

impl<'a, E: Endpoints> Match<'a, E> {
    /// The value of the path parameter `name` (as the template spells it, without braces),
    /// undecoded.
    ///
    /// ```
    /// ratespec::include_limits!("specs/"); // specs/limits.toml and its documents
    /// use easemob_push::Endpoint;
    /// use ratespec::Route;
    ///
    /// let Route::Found(found) = Endpoint::route("GET", "/acme/chat/push/label/vip") else {
    ///     unreachable!()
    /// };
    /// assert_eq!(found.param("org_name"), Some("acme"));
    /// assert_eq!(found.param("labelname"), Some("vip"));
    /// assert_eq!(found.param("nothing"), None);
    /// ```
    pub fn param(&self, name: &str) -> Option<&'a str> {
        self.params()
            .find(|(param, _)| *param == name)
            .map(|(_, value)| value)
    }

    /// Every `(name, value)` pair, in path order.
    pub fn params(&self) -> impl Iterator<Item = (&'static str, &'a str)> + use<'a, E> {
        self.endpoint.meta().captures(self.path)
    }
}
