//! The route matcher: `Endpoint::route(method, target)`.
//!
//! Shape: a hash table of whole static paths (see [`static_paths`]), then, for
//! parameterised routes only, the path split once into segments and a
//! decision tree over them, static children before the parameter child. The path is chosen
//! first and the method second, as axum (over matchit) does.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;
use ratespec_spec::Endpoint;
use ratespec_spec::model::route::Segment;

use super::static_paths::{self, StaticPath};
use super::stubs::Generated;

/// The routes that match the same requests: one path shape, one endpoint per method.
struct PathGroup<'a> {
    members: Vec<(&'a Endpoint, &'a Ident)>,
}

impl PathGroup<'_> {
    fn is_static(&self) -> bool {
        self.members[0].0.template.params().next().is_none()
    }

    /// `match method { "GET" => <found>, …, _ => <not allowed> }`, where `not_allowed` gets
    /// the documented methods as a `&[…]` expression.
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
            let method = &endpoint.method;
            let found = found(endpoint, ident);
            quote! { #method => #found, }
        });
        let not_allowed = not_allowed(quote! { &[#(#methods),*] });
        quote! {
            match method {
                #(#arms)*
                _ => #not_allowed,
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

    /// Code that returns the route when the segments from `depth` on match below this node,
    /// and falls through otherwise (so the caller tries its next alternative: backtracking).
    fn code(&self, depth: usize, max_params: usize) -> TokenStream {
        let terminal = self.terminal.map(|group| {
            let dispatch = group.dispatch(
                |endpoint, ident| {
                    let values = captures(endpoint, max_params);
                    quote! { Route::Found(Match { endpoint: Endpoint::#ident, values: [#(#values),*] }) }
                },
                |allowed| quote! { Route::MethodNotAllowed { allowed: #allowed } },
            );
            quote! {
                if segments.len() == #depth {
                    return #dispatch;
                }
            }
        });
        let next = depth + 1;
        let statics = (!self.statics.is_empty()).then(|| {
            let arms = self.statics.iter().map(|(text, child)| {
                let child = child.code(next, max_params);
                quote! { #text => { #child } }
            });
            quote! {
                match segment {
                    #(#arms)*
                    _ => {}
                }
            }
        });
        let param = self.param.as_ref().map(|child| {
            let child = child.code(next, max_params);
            quote! {
                if is_param_value(segment) {
                    #child
                }
            }
        });
        let children = (statics.is_some() || param.is_some()).then(|| {
            quote! {
                if let ::core::option::Option::Some(&segment) = segments.get(#depth) {
                    #statics
                    #param
                }
            }
        });
        quote! { #terminal #children }
    }
}

/// The values array of a match: the segments at the parameters' positions, then `""` up to
/// `max_params`.
fn captures(endpoint: &Endpoint, max_params: usize) -> Vec<TokenStream> {
    let mut values: Vec<TokenStream> = endpoint
        .template
        .segments
        .iter()
        .enumerate()
        .filter(|(_, segment)| matches!(segment, Segment::Param(_)))
        .map(|(position, _)| quote! { segments[#position] })
        .collect();
    values.resize(max_params, quote! { "" });
    values
}

/// The route types, the path helpers and `impl Endpoint { fn route }`.
pub fn matcher(generated: &Generated) -> TokenStream {
    let groups = path_groups(generated);
    let max_params = generated
        .endpoints
        .iter()
        .map(|(e, _)| e.template.params().count())
        .max()
        .unwrap_or(0);
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
            Some(route_params(&parameterised, max_params)),
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
                let result = match static_route(method, target) {
                    ::core::option::Option::Some(result) => result,
                    ::core::option::Option::None => {
                        let path = path_of(target);
                        // `path_of` gives a part of the target: the same length is the same path.
                        let retried = if path.len() == target.len() {
                            ::core::option::Option::None
                        } else {
                            static_route(method, path)
                        };
                        match retried {
                            ::core::option::Option::Some(result) => result,
                            ::core::option::Option::None => return #not_static,
                        }
                    }
                };
                match result {
                    ::core::result::Result::Ok(endpoint) => {
                        Route::Found(Match { endpoint, values: [""; MAX_PARAMS] })
                    }
                    ::core::result::Result::Err(allowed) => Route::MethodNotAllowed { allowed },
                }
            },
            Some(static_paths::static_route(&static_paths)),
        )
    };
    let max_params_literal = Literal::usize_unsuffixed(max_params);
    let rules = include_str!("matching-rules.md");
    let words: TokenStream = include_str!("words.rs").parse().expect("words.rs is Rust");
    quote! {
        /// The most parameters any path of this module captures.
        pub const MAX_PARAMS: usize = #max_params_literal;

        /// What [`Endpoint::route`] finds for a request.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Route<'a> {
            /// The endpoint, with the parameters captured from the path.
            Found(Match<'a>),
            /// No path of the document matches.
            NotFound,
            /// The path is documented, but not with this method (HTTP 405; `allowed` is the
            /// `Allow` header, in document order).
            MethodNotAllowed {
                /// The methods the path is documented with.
                allowed: &'static [&'static str],
            },
        }

        impl Route<'_> {
            /// The endpoint, when one was found.
            pub const fn endpoint(&self) -> ::core::option::Option<Endpoint> {
                match self {
                    Route::Found(found) => ::core::option::Option::Some(found.endpoint),
                    _ => ::core::option::Option::None,
                }
            }
        }

        /// A matched request: the endpoint and its path parameters, borrowed from the target
        /// (no allocation).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct Match<'a> {
            /// The endpoint the request is for.
            pub endpoint: Endpoint,
            values: [&'a str; MAX_PARAMS],
        }

        impl<'a> Match<'a> {
            /// The value of the path parameter `name` (as the template spells it), undecoded.
            pub fn param(&self, name: &str) -> ::core::option::Option<&'a str> {
                let position = self.endpoint.params().iter().position(|param| *param == name)?;
                ::core::option::Option::Some(self.values[position])
            }

            /// Every `(name, value)` pair, in path order.
            pub fn params(self) -> impl ::core::iter::Iterator<Item = (&'static str, &'a str)> {
                self.endpoint.params().iter().copied().zip(self.values)
            }
        }

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

/// `fn route_params`: the path split once, then the decision tree.
fn route_params(groups: &[&PathGroup], max_params: usize) -> TokenStream {
    let mut root = Node::default();
    for group in groups {
        root.insert(&group.members[0].0.template.segments, group);
    }
    let max_segments = groups
        .iter()
        .map(|g| g.members[0].0.template.segments.len())
        .max()
        .unwrap_or(0);
    let tree = root.code(0, max_params);
    quote! {
        /// Routes a path that is not one of the static paths.
        fn route_params<'a>(method: &str, path: &'a str) -> Route<'a> {
            const MAX_SEGMENTS: usize = #max_segments;
            let ::core::option::Option::Some(rest) = path.strip_prefix('/') else {
                return Route::NotFound;
            };
            // Split at `/` by bytes (ASCII, so every cut is a char boundary).
            let mut buffer = [""; MAX_SEGMENTS];
            let mut count = 0;
            let mut start = 0;
            for (at, &byte) in rest.as_bytes().iter().enumerate() {
                if byte == b'/' {
                    if count == MAX_SEGMENTS - 1 {
                        return Route::NotFound;
                    }
                    buffer[count] = &rest[start..at];
                    count += 1;
                    start = at + 1;
                }
            }
            buffer[count] = &rest[start..];
            count += 1;
            let segments = &buffer[..count];
            #tree
            Route::NotFound
        }

        /// A parameter is one non-empty segment, and never a dot segment (`.`, `..`), which
        /// names no resource and would mean another path after normalisation.
        fn is_param_value(segment: &str) -> bool {
            !segment.is_empty() && segment != "." && segment != ".."
        }
    }
}
