//! The enum's metadata as one const table of `ratespec::EndpointMeta` records indexed by
//! discriminant, and the standard traits: `FromStr`, `Display` and the runtime's `Endpoints`.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;
use ratespec_core::{Cost, SubLimit, Window};
use ratespec_parser::Endpoint;

use super::stubs::Generated;

/// One `EndpointMeta { … }` record.
fn record(
    generated: &Generated,
    endpoint: &Endpoint,
    ident: &Ident,
    krate: &TokenStream,
) -> TokenStream {
    let variant = ident.to_string();
    let method = &endpoint.method;
    let path = endpoint.path();
    let params = endpoint.template.params();
    let names = &endpoint.names;
    let section = match &endpoint.section {
        Some(section) => quote! { ::core::option::Option::Some(#section) },
        None => quote! { ::core::option::Option::None },
    };
    let limit = &endpoint.limit.text;
    let windows = windows(&endpoint.limit.windows, krate);
    let unit = &endpoint.limit.unit;
    let cost = cost(endpoint.limit.cost, krate);
    let sub_limits = sub_limits(&endpoint.limit.sub_limits, krate);
    let (adjustable, deprecated, published) = (
        endpoint.limit.adjustable,
        endpoint.deprecated,
        endpoint.published,
    );
    let bucket = Literal::usize_unsuffixed(endpoint.bucket);
    let source = generated.source(endpoint);
    let caps = endpoint.limit.caps.iter().map(|cap| {
        let (max, cost, unit) = (cap.max, self::cost(cap.cost, krate), cap.unit.as_ref());
        quote! { #krate::Cap { max: #max, cost: #cost, unit: #krate::Text::Borrowed(#unit) } }
    });
    let scope_param = match &endpoint.scope_param {
        Some(param) => quote! { ::core::option::Option::Some(#param) },
        None => quote! { ::core::option::Option::None },
    };
    let host = match &endpoint.host {
        Some(host) => quote! { ::core::option::Option::Some(#host) },
        None => quote! { ::core::option::Option::None },
    };
    let origin = self::variant(&endpoint.limit_source.origin);
    let file = endpoint.limit_source.file.as_ref();
    let line = endpoint.limit_source.line;
    quote! {
        #krate::EndpointMeta {
            variant: #variant,
            method: #method,
            path: #path,
            params: &[#(#params),*],
            names: &[#(#names),*],
            section: #section,
            limit: #limit,
            windows: #windows,
            unit: #unit,
            cost: #cost,
            caps: &[#(#caps),*],
            scope_param: #scope_param,
            sub_limits: #sub_limits,
            adjustable: #adjustable,
            deprecated: #deprecated,
            published: #published,
            bucket: #bucket,
            source: #source,
            host: #host,
            limit_source: #krate::LimitSource {
                origin: #krate::Origin::#origin,
                file: #krate::Text::Borrowed(#file),
                line: #line,
            },
        }
    }
}

/// `impl Endpoint { ALL, COUNT, META, BUCKETS, UTC_OFFSET_SECS, const fn … }`: one table of
/// records, which every `const fn` reads.
pub fn inherent(generated: &Generated, krate: &TokenStream) -> TokenStream {
    let document = generated.document;
    let endpoints = &generated.endpoints;
    let count = endpoints.len();
    let idents = endpoints.iter().map(|(_, ident)| ident);
    let records = endpoints
        .iter()
        .map(|(endpoint, ident)| record(generated, endpoint, ident, krate));
    let buckets = document.buckets.iter().map(|bucket| {
        let name = &bucket.name;
        let windows = windows(&bucket.windows, krate);
        quote! { #krate::Bucket::new(#name, #windows) }
    });
    let utc_offset = document.utc_offset.unwrap_or(0);
    let index = if endpoints.is_empty() {
        quote! { match self {} }
    } else {
        quote! { self as usize }
    };
    let meta_doc = format!(
        "Every endpoint's metadata, in discriminant order: `META[e.index()]` describes `e` \
         (see [`{}::EndpointMeta`]).",
        super::path_name(krate)
    );
    quote! {
        // The table names every variant, the deprecated ones included.
        #[allow(deprecated)]
        impl Endpoint {
            /// Every endpoint, in discriminant order: `ALL[e.index()] == e`.
            pub const ALL: &'static [Endpoint] = &[#(Endpoint::#idents),*];
            /// How many endpoints the document defines.
            pub const COUNT: usize = #count;
            #[doc = #meta_doc]
            pub const META: &'static [#krate::EndpointMeta] = &[#(#records),*];
            /// Every quota, in bucket-index order; endpoints sharing a quota (共享) have the
            /// same [`bucket`](Endpoint::bucket).
            pub const BUCKETS: &'static [#krate::Bucket] = &[#(#buckets),*];
            /// Seconds east of UTC where calendar days (自然日) start, from `limits.toml`'s
            /// `utc_offset` (0 when it gives none).
            pub const UTC_OFFSET_SECS: i32 = #utc_offset;

            /// The position in [`ALL`](Endpoint::ALL): the discriminant.
            pub const fn index(self) -> usize {
                #index
            }
            /// The endpoint's record in [`META`](Endpoint::META).
            pub const fn meta(self) -> &'static #krate::EndpointMeta {
                &Self::META[self.index()]
            }
            /// The variant's name, e.g. `"UserGetToken"`.
            pub const fn as_str(self) -> &'static str {
                self.meta().variant
            }
            /// The HTTP method, upper case: `"POST"`.
            pub const fn method(self) -> &'static str {
                self.meta().method
            }
            /// The path template as documented: `"/{org_name}/{app_name}/push/label"`.
            pub const fn path(self) -> &'static str {
                self.meta().path
            }
            /// The names of the path's `{parameters}`, in order.
            pub const fn params(self) -> &'static [&'static str] {
                self.meta().params
            }
            /// Every name the document gives the endpoint, in document order.
            pub const fn names(self) -> &'static [&'static str] {
                self.meta().names
            }
            /// The title of the section the endpoint's first row is in, if any.
            pub const fn section(self) -> ::core::option::Option<&'static str> {
                self.meta().section
            }
            /// The limit as written: `"200 次/每秒，可调频"`.
            pub const fn limit(self) -> &'static str {
                self.meta().limit
            }
            /// Every window of the limit, all of which apply at once.
            pub const fn windows(self) -> &'static [#krate::Window] {
                self.meta().windows
            }
            /// The unit as written: `"次"`, `"条消息"`.
            pub const fn unit(self) -> &'static str {
                self.meta().unit
            }
            /// Narrower limits the phrase states inside the main one (`单个频道限 20 条/每秒`),
            /// which only the caller can enforce.
            pub const fn sub_limits(self) -> &'static [#krate::SubLimit] {
                self.meta().sub_limits
            }
            /// What one unit of the quota counts.
            pub const fn cost(self) -> #krate::Cost {
                self.meta().cost
            }
            /// The most units one request may carry (empty when the document states none).
            pub const fn caps(self) -> &'static [#krate::Cap] {
                self.meta().caps
            }
            /// The path parameter naming the user or channel of the endpoint's per-user or
            /// per-channel windows, if any.
            pub const fn scope_param(self) -> ::core::option::Option<&'static str> {
                self.meta().scope_param
            }
            /// 可调频: the vendor raises the limit on request.
            pub const fn adjustable(self) -> bool {
                self.meta().adjustable
            }
            /// 已废弃: every row of the endpoint is marked deprecated.
            pub const fn deprecated(self) -> bool {
                self.meta().deprecated
            }
            /// At least one row is outside HTML comments.
            pub const fn published(self) -> bool {
                self.meta().published
            }
            /// The quota's position in [`BUCKETS`](Endpoint::BUCKETS).
            pub const fn bucket(self) -> usize {
                self.meta().bucket
            }
            /// `file:line` of the endpoint's first row, relative to the calling crate.
            pub const fn source(self) -> &'static str {
                self.meta().source
            }
        }
    }
}

/// `FromStr` and `Display` by variant name, the parse error, `ratespec::Endpoints`, and the
/// module's `PROVIDER`.
pub fn traits(generated: &Generated, krate: &TokenStream) -> TokenStream {
    let provider = &generated.document.module;
    let vendor = generated.document.vendor.as_deref().unwrap_or("");
    let error = format!("not an endpoint of `{provider}`");
    let provider_doc = format!(
        "This document without its `Endpoint` type, for code that handles every document \
         alike: [`{}::Provider`].",
        super::path_name(krate)
    );
    quote! {
        impl ::core::str::FromStr for Endpoint {
            type Err = ParseEndpointError;

            /// Parses a variant name, as [`Endpoint::as_str`] gives it.
            fn from_str(name: &str) -> ::core::result::Result<Self, Self::Err> {
                Endpoint::ALL
                    .iter()
                    .find(|endpoint| endpoint.as_str() == name)
                    .copied()
                    .ok_or(ParseEndpointError)
            }
        }

        /// Writes the variant name.
        impl ::core::fmt::Display for Endpoint {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// The name given to [`Endpoint::from_str`](::core::str::FromStr::from_str) is not a
        /// variant of this module.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct ParseEndpointError;

        impl ::core::fmt::Display for ParseEndpointError {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(#error)
            }
        }

        impl ::core::error::Error for ParseEndpointError {}

        impl #krate::Endpoints for Endpoint {
            const PROVIDER: &'static str = #provider;
            const ALL: &'static [Self] = Endpoint::ALL;
            const META: &'static [#krate::EndpointMeta] = Endpoint::META;
            const BUCKETS: &'static [#krate::Bucket] = Endpoint::BUCKETS;
            const UTC_OFFSET_SECS: i32 = Endpoint::UTC_OFFSET_SECS;
            const VENDOR: &'static str = #vendor;

            fn index(self) -> usize {
                Endpoint::index(self)
            }
            fn route<'a>(method: &str, target: &'a str) -> #krate::Route<'a, Self> {
                Endpoint::route(method, target)
            }
        }

        #[doc = #provider_doc]
        pub const PROVIDER: #krate::Provider = #krate::Provider {
            name: #provider,
            endpoints: Endpoint::META,
            buckets: Endpoint::BUCKETS,
            utc_offset_secs: Endpoint::UTC_OFFSET_SECS,
            router: &ROUTER,
        };
    }
}

/// `&[#krate::Window { … }, …]`.
fn windows(windows: &[Window], krate: &TokenStream) -> TokenStream {
    let windows = windows.iter().map(|window| window_value(window, krate));
    quote! { &[#(#windows),*] }
}

/// A unit variant of a vocabulary enum, named as the vocabulary's `Debug` spells it, so the
/// variant names are written once, in `ratespec-core`.
fn variant(value: &impl std::fmt::Debug) -> Ident {
    Ident::new(&format!("{value:?}"), Span::call_site())
}

/// `#krate::Window { max, every, per, cost, scope }`.
fn window_value(window: &Window, krate: &TokenStream) -> TokenStream {
    let Window {
        max,
        every,
        per,
        cost,
        scope,
    } = *window;
    let (per, cost, scope) = (variant(&per), variant(&cost), variant(&scope));
    quote! {
        #krate::Window {
            max: #max,
            every: #every,
            per: #krate::Per::#per,
            cost: #krate::Cost::#cost,
            scope: #krate::Scope::#scope,
        }
    }
}

/// `&[#krate::SubLimit::…, …]`.
fn sub_limits(sub_limits: &[SubLimit], krate: &TokenStream) -> TokenStream {
    let sub_limits = sub_limits.iter().map(|sub_limit| match sub_limit {
        SubLimit::Structured {
            scope,
            window,
            unit,
        } => {
            let window = window_value(window, krate);
            let (scope, unit) = (scope.as_ref(), unit.as_ref());
            quote! {
                #krate::SubLimit::Structured {
                    scope: #krate::Text::Borrowed(#scope),
                    window: #window,
                    unit: #krate::Text::Borrowed(#unit),
                }
            }
        }
        SubLimit::Text { text } => {
            let text = text.as_ref();
            quote! { #krate::SubLimit::Text { text: #krate::Text::Borrowed(#text) } }
        }
        // A sub-limit the generator does not know yet cannot be emitted faithfully.
        other => unreachable!("sub-limit {other:?} has no generated form"),
    });
    quote! { &[#(#sub_limits),*] }
}

/// `#krate::Cost::…`.
fn cost(cost: Cost, krate: &TokenStream) -> TokenStream {
    let variant = variant(&cost);
    quote! { #krate::Cost::#variant }
}
