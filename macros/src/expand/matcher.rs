//! The route matcher: `Endpoint::route(method, target)`.
//!
//! Shape: a hash table of whole static paths (see [`static_paths`]), then, for
//! parameterised routes only, the path split once into segments and a
//! decision tree over them, static children before the parameter child. The path is chosen
//! first and the method second, as axum (over matchit) does.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use ratespec_parser::Endpoint;
use ratespec_parser::model::route::Segment;

use super::static_paths::{self, StaticPath};
use super::stubs::Generated;
use super::words;

/// The routes that match the same requests: one path shape, one endpoint per method.
struct PathGroup<'a> {
    members: Vec<(&'a Endpoint, &'a Ident)>,
}

impl PathGroup<'_> {
    fn is_static(&self) -> bool {
        self.members[0].0.template.params().next().is_none()
    }

    /// `if method == "GET" { <found> } else if … else { <not allowed> }`, where
    /// `not_allowed` gets the documented methods as a `&[…]` expression. A method of up to 8
    /// bytes is compared as its length and one word (see `words::short`), not by `memcmp`.
    fn dispatch(
        &self,
        found: impl Fn(&Endpoint, &Ident) -> TokenStream,
        not_allowed: impl Fn(TokenStream) -> TokenStream,
    ) -> TokenStream {
        let methods: Vec<&str> = self
            .members
            .iter()
            .map(|(e, _)| e.method.as_str())
            .collect();
        let arms = self.members.iter().map(|(endpoint, ident)| {
            let method = endpoint.method.as_str();
            let found = found(endpoint, ident);
            let test = if method.len() <= 8 {
                let len = method.len();
                let word = words::short(method.as_bytes());
                quote! { method.len() == #len && words::short(method.as_bytes()) == #word }
            } else {
                quote! { method == #method }
            };
            quote! { if #test { return #found; } }
        });
        let not_allowed = not_allowed(quote! { &[#(#methods),*] });
        quote! {
            {
                #(#arms)*
                return #not_allowed;
            }
        }
    }
}

/// Groups endpoints by path shape, in document order. Two routes with one method and one
/// shape are already an error; the first is kept.
fn path_groups<'a>(generated: &'a Generated) -> Vec<PathGroup<'a>> {
    let mut groups: Vec<(String, PathGroup)> = Vec::new();
    for (endpoint, ident) in &generated.endpoints {
        let shape = endpoint.template.shape();
        match groups.iter_mut().find(|(s, _)| *s == shape) {
            Some((_, group)) => {
                if group
                    .members
                    .iter()
                    .all(|(e, _)| e.method != endpoint.method)
                {
                    group.members.push((endpoint, ident));
                }
            }
            None => groups.push((
                shape,
                PathGroup {
                    members: vec![(endpoint, ident)],
                },
            )),
        }
    }
    groups.into_iter().map(|(_, group)| group).collect()
}

/// A node of the decision tree over segments.
#[derive(Default)]
struct Node<'g, 'a> {
    /// The group whose last segment this is.
    terminal: Option<&'g PathGroup<'a>>,
    /// Children by static segment, in document order.
    statics: Vec<(&'a str, Node<'g, 'a>)>,
    /// The child of a `{param}` segment.
    param: Option<Box<Node<'g, 'a>>>,
}

impl<'g, 'a> Node<'g, 'a> {
    fn insert(&mut self, segments: &'a [Segment], group: &'g PathGroup<'a>) {
        let Some((first, rest)) = segments.split_first() else {
            self.terminal = Some(group);
            return;
        };
        let child = match first {
            Segment::Static(text) => {
                let position = match self.statics.iter().position(|(s, _)| s == text) {
                    Some(position) => position,
                    None => {
                        self.statics.push((text, Node::default()));
                        self.statics.len() - 1
                    }
                };
                &mut self.statics[position].1
            }
            Segment::Param(_) => self.param.get_or_insert_with(Box::default),
        };
        child.insert(rest, group);
    }

    /// Code that returns the route when the rest of the path, `rest_<depth>` (`None` once
    /// the path has ended), matches below this node, and falls through otherwise (so the
    /// caller tries its next alternative: backtracking).
    fn code(&self, depth: usize) -> TokenStream {
        let rest = format_ident!("rest_{depth}");
        let terminal = self.terminal.map(|group| {
            let dispatch = group.dispatch(
                |_, ident| {
                    quote! { Route::Found(::ratespec::Match::matched(Endpoint::#ident, path)) }
                },
                |allowed| quote! { Route::MethodNotAllowed { allowed: #allowed } },
            );
            quote! {
                if #rest.is_none() {
                    #dispatch
                }
            }
        });
        let next = format_ident!("rest_{}", depth + 1);
        // A static segment is compared in place (its length is known, so the comparison is a
        // word or two); only a parameter's extent is searched for.
        let statics = self.statics.iter().map(|(text, child)| {
            let child = child.code(depth + 1);
            quote! {
                if let ::core::option::Option::Some(#next) = strip_segment(tail, #text) {
                    #child
                }
            }
        });
        let param = self.param.as_ref().map(|child| {
            let child = child.code(depth + 1);
            quote! {
                let (segment, #next) = split_segment(tail);
                if is_param_value(segment) {
                    #child
                }
            }
        });
        let children = (!self.statics.is_empty() || param.is_some()).then(|| {
            quote! {
                if let ::core::option::Option::Some(tail) = #rest {
                    #(#statics)*
                    #param
                }
            }
        });
        quote! { #terminal #children }
    }
}

/// The route type aliases, the path helpers and `impl Endpoint { fn route }`.
pub fn matcher(generated: &Generated) -> TokenStream {
    let groups = path_groups(generated);
    let static_paths: Vec<StaticPath> = groups
        .iter()
        .filter(|g| g.is_static())
        .map(|group| StaticPath {
            path: group.members[0].0.path(),
            methods: group
                .members
                .iter()
                .map(|(e, ident)| (e.method.as_str(), *ident))
                .collect(),
        })
        .collect();
    let parameterised: Vec<&PathGroup> = groups.iter().filter(|g| !g.is_static()).collect();
    let (not_static, route_params) = if parameterised.is_empty() {
        (quote! { Route::NotFound }, None)
    } else {
        (
            quote! { route_params(method, path) },
            Some(route_params(&parameterised)),
        )
    };
    let (body, static_route) = if static_paths.is_empty() {
        (
            quote! {
                let path = path_of(target);
                #not_static
            },
            None,
        )
    } else {
        (
            quote! {
                // Most targets are a bare static path: try that before looking for a query or
                // a URL's authority (the scan costs more than the lookup).
                let (result, path) = match static_route(method, target) {
                    ::core::option::Option::Some(result) => (result, target),
                    ::core::option::Option::None => {
                        let path = path_of(target);
                        // `path_of` gives a part of the target: the same length is the same path.
                        let retried = if path.len() == target.len() {
                            ::core::option::Option::None
                        } else {
                            static_route(method, path)
                        };
                        match retried {
                            ::core::option::Option::Some(result) => (result, path),
                            ::core::option::Option::None => return #not_static,
                        }
                    }
                };
                match result {
                    ::core::result::Result::Ok(endpoint) => {
                        Route::Found(::ratespec::Match::matched(endpoint, path))
                    }
                    ::core::result::Result::Err(allowed) => Route::MethodNotAllowed { allowed },
                }
            },
            Some(static_paths::static_route(&static_paths)),
        )
    };
    let rules = include_str!("matching-rules.md");
    let words: TokenStream = include_str!("words.rs").parse().expect("words.rs is Rust");
    quote! {
        /// What [`Endpoint::route`] finds for a request: [`ratespec::Route`] for this module.
        pub type Route<'a> = ::ratespec::Route<'a, Endpoint>;

        /// A matched request of this module: [`ratespec::Match`] for this module.
        pub type Match<'a> = ::ratespec::Match<'a, Endpoint>;

        #[allow(deprecated)]
        impl Endpoint {
            /// The endpoint for a request: `method` (upper case, as documented) and `target`,
            /// a path or a full URL.
            ///
            #[doc = #rules]
            pub fn route<'a>(method: &str, target: &'a str) -> Route<'a> {
                #body
            }
        }

        /// The path of a request target: the target itself when it starts with `/`, the part
        /// after the authority of an absolute URL (`/` when there is none), without query or
        /// fragment; `""`, which matches nothing, for anything else.
        fn path_of(target: &str) -> &str {
            // `?` and `#` are ASCII, so the cut is a char boundary.
            let target = match words::query_start(target.as_bytes()) {
                ::core::option::Option::Some(end) => &target[..end],
                ::core::option::Option::None => target,
            };
            if target.starts_with('/') {
                return target;
            }
            let ::core::option::Option::Some((scheme, rest)) = target.split_once("://") else {
                return "";
            };
            let mut scheme_chars = scheme.bytes();
            let is_scheme = scheme_chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                && scheme_chars.all(|c| c.is_ascii_alphanumeric() || b"+-.".contains(&c));
            if !is_scheme {
                return "";
            }
            match rest.find('/') {
                ::core::option::Option::Some(start) => &rest[start..],
                ::core::option::Option::None => "/",
            }
        }

        /// Paths read a word at a time: hashing, comparing, finding the query (the same code
        /// `include_limits!` laid the static-path table out with).
        mod words {
            #words
        }

        #static_route
        #route_params
    }
}

/// `fn route_params`: a decision tree that takes the path's segments one at a time.
fn route_params(groups: &[&PathGroup]) -> TokenStream {
    let mut root = Node::default();
    for group in groups {
        root.insert(&group.members[0].0.template.segments, group);
    }
    let tree = root.code(0);
    quote! {
        /// Routes a path that is not one of the static paths.
        #[allow(deprecated)]
        fn route_params<'a>(method: &str, path: &'a str) -> Route<'a> {
            let rest_0 = path.strip_prefix('/');
            if rest_0.is_none() {
                return Route::NotFound;
            }
            #tree
            Route::NotFound
        }

        /// What follows the segment `text` at the start of `tail`: `Some(None)` when `tail` is
        /// `text`, `Some(Some(rest))` when it is `text/rest`, `None` otherwise.
        #[inline(always)]
        fn strip_segment<'a>(
            tail: &'a str,
            text: &str,
        ) -> ::core::option::Option<::core::option::Option<&'a str>> {
            let (bytes, n) = (tail.as_bytes(), text.len());
            if bytes.len() < n || !words::equal(&bytes[..n], text.as_bytes()) {
                return ::core::option::Option::None;
            }
            match bytes.get(n) {
                ::core::option::Option::None => {
                    ::core::option::Option::Some(::core::option::Option::None)
                }
                // `/` is ASCII, so the cut after it is a char boundary.
                ::core::option::Option::Some(b'/') => {
                    ::core::option::Option::Some(::core::option::Option::Some(&tail[n + 1..]))
                }
                ::core::option::Option::Some(_) => ::core::option::Option::None,
            }
        }

        /// The first segment of `tail` and what follows its `/`, `None` at the path's end.
        /// `/` is ASCII, so every cut is a char boundary.
        #[inline(always)]
        fn split_segment(tail: &str) -> (&str, ::core::option::Option<&str>) {
            match words::slash(tail.as_bytes()) {
                ::core::option::Option::Some(at) => {
                    (&tail[..at], ::core::option::Option::Some(&tail[at + 1..]))
                }
                ::core::option::Option::None => (tail, ::core::option::Option::None),
            }
        }

        /// A parameter is one non-empty segment, and never a dot segment (`.`, `..`), which
        /// names no resource and would mean another path after normalisation.
        #[inline(always)]
        fn is_param_value(segment: &str) -> bool {
            !segment.is_empty() && segment != "." && segment != ".."
        }
    }
}
