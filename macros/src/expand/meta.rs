//! The enum's metadata as const tables indexed by discriminant, and the standard traits:
//! `FromStr`, `Display` and the runtime's `Endpoints`.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;
use ratespec_core::{Cost, SubLimit, Window};

use super::stubs::Generated;

/// `impl Endpoint { ALL, COUNT, BUCKETS, UTC_OFFSET_SECS, const fn … }`.
pub fn inherent(generated: &Generated) -> TokenStream {
    let document = generated.document;
    let endpoints = &generated.endpoints;
    let count = endpoints.len();
    let idents: Vec<&Ident> = endpoints.iter().map(|(_, ident)| ident).collect();
    let variant_names = idents.iter().map(|ident| ident.to_string());
    let methods = endpoints.iter().map(|(e, _)| &e.method);
    let paths = endpoints.iter().map(|(e, _)| e.path());
    let params = endpoints.iter().map(|(e, _)| {
        let names = e.template.params();
        quote! { &[#(#names),*] }
    });
    let names = endpoints.iter().map(|(e, _)| {
        let names = &e.names;
        quote! { &[#(#names),*] }
    });
    let sections = endpoints.iter().map(|(e, _)| match &e.section {
        Some(section) => quote! { ::core::option::Option::Some(#section) },
        None => quote! { ::core::option::Option::None },
    });
    let limits = endpoints.iter().map(|(e, _)| &e.limit.text);
    let endpoint_windows = endpoints.iter().map(|(e, _)| windows(&e.limit.windows));
    let units = endpoints.iter().map(|(e, _)| &e.limit.unit);
    let sub_limits = endpoints
        .iter()
        .map(|(e, _)| sub_limits(&e.limit.sub_limits));
    let costs = endpoints.iter().map(|(e, _)| cost(e.limit.cost));
    let adjustable = endpoints.iter().map(|(e, _)| e.limit.adjustable);
    let deprecated = endpoints.iter().map(|(e, _)| e.deprecated);
    let published = endpoints.iter().map(|(e, _)| e.published);
    let bucket_of = endpoints
        .iter()
        .map(|(e, _)| Literal::usize_unsuffixed(e.bucket));
    let sources = endpoints.iter().map(|(e, _)| generated.source(e));
    let buckets = document.buckets.iter().map(|bucket| {
        let name = &bucket.name;
        let windows = windows(&bucket.windows);
        quote! { ::ratespec::Bucket::new(#name, #windows) }
    });
    let utc_offset = document.utc_offset.unwrap_or(0);
    let index = if endpoints.is_empty() {
        quote! { match self {} }
    } else {
        quote! { self as usize }
    };
    quote! {
        // The tables name every variant, the deprecated ones included.
        #[allow(deprecated)]
        impl Endpoint {
            /// Every endpoint, in discriminant order: `ALL[e.index()] == e`.
            pub const ALL: &'static [Endpoint] = &[#(Endpoint::#idents),*];
            /// How many endpoints the document defines.
            pub const COUNT: usize = #count;
            /// Every quota, in bucket-index order; endpoints sharing a quota (共享) have the
            /// same [`bucket`](Endpoint::bucket).
            pub const BUCKETS: &'static [::ratespec::Bucket] = &[#(#buckets),*];
            /// Seconds east of UTC where calendar days (自然日) start, from `limits.toml`'s
            /// `utc_offset` (0 when it gives none).
            pub const UTC_OFFSET_SECS: i32 = #utc_offset;

            const VARIANTS: [&'static str; #count] = [#(#variant_names),*];
            const METHODS: [&'static str; #count] = [#(#methods),*];
            const PATHS: [&'static str; #count] = [#(#paths),*];
            const PARAMS: [&'static [&'static str]; #count] = [#(#params),*];
            const NAMES: [&'static [&'static str]; #count] = [#(#names),*];
            const SECTIONS: [::core::option::Option<&'static str>; #count] = [#(#sections),*];
            const LIMITS: [&'static str; #count] = [#(#limits),*];
            const WINDOWS: [&'static [::ratespec::Window]; #count] = [#(#endpoint_windows),*];
            const UNITS: [&'static str; #count] = [#(#units),*];
            const SUB_LIMITS: [&'static [::ratespec::SubLimit]; #count] = [#(#sub_limits),*];
            const COSTS: [::ratespec::Cost; #count] = [#(#costs),*];
            const ADJUSTABLE: [bool; #count] = [#(#adjustable),*];
            const DEPRECATED: [bool; #count] = [#(#deprecated),*];
            const PUBLISHED: [bool; #count] = [#(#published),*];
            const BUCKET_OF: [usize; #count] = [#(#bucket_of),*];
            const SOURCES: [&'static str; #count] = [#(#sources),*];

            /// The position in [`ALL`](Endpoint::ALL): the discriminant.
            pub const fn index(self) -> usize {
                #index
            }
            /// The variant's name, e.g. `"UserGetToken"`.
            pub const fn as_str(self) -> &'static str {
                Self::VARIANTS[self.index()]
            }
            /// The HTTP method, upper case: `"POST"`.
            pub const fn method(self) -> &'static str {
                Self::METHODS[self.index()]
            }
            /// The path template as documented: `"/{org_name}/{app_name}/push/label"`.
            pub const fn path(self) -> &'static str {
                Self::PATHS[self.index()]
            }
            /// The names of the path's `{parameters}`, in order.
            pub const fn params(self) -> &'static [&'static str] {
                Self::PARAMS[self.index()]
            }
            /// Every name the document gives the endpoint, in document order.
            pub const fn names(self) -> &'static [&'static str] {
                Self::NAMES[self.index()]
            }
            /// The title of the section the endpoint's first row is in, if any.
            pub const fn section(self) -> ::core::option::Option<&'static str> {
                Self::SECTIONS[self.index()]
            }
            /// The limit as written: `"200 次/每秒，可调频"`.
            pub const fn limit(self) -> &'static str {
                Self::LIMITS[self.index()]
            }
            /// Every window of the limit, all of which apply at once.
            pub const fn windows(self) -> &'static [::ratespec::Window] {
                Self::WINDOWS[self.index()]
            }
            /// The unit as written: `"次"`, `"条消息"`.
            pub const fn unit(self) -> &'static str {
                Self::UNITS[self.index()]
            }
            /// Narrower limits the phrase states inside the main one (`单个频道限 20 条/每秒`),
            /// which only the caller can enforce.
            pub const fn sub_limits(self) -> &'static [::ratespec::SubLimit] {
                Self::SUB_LIMITS[self.index()]
            }
            /// What one unit of the quota counts.
            pub const fn cost(self) -> ::ratespec::Cost {
                Self::COSTS[self.index()]
            }
            /// 可调频: the vendor raises the limit on request.
            pub const fn adjustable(self) -> bool {
                Self::ADJUSTABLE[self.index()]
            }
            /// 已废弃: every row of the endpoint is marked deprecated.
            pub const fn deprecated(self) -> bool {
                Self::DEPRECATED[self.index()]
            }
            /// At least one row is outside HTML comments.
            pub const fn published(self) -> bool {
                Self::PUBLISHED[self.index()]
            }
            /// The quota's position in [`BUCKETS`](Endpoint::BUCKETS).
            pub const fn bucket(self) -> usize {
                Self::BUCKET_OF[self.index()]
            }
            /// `file:line` of the endpoint's first row, relative to the calling crate.
            pub const fn source(self) -> &'static str {
                Self::SOURCES[self.index()]
            }
        }
    }
}

/// `FromStr` and `Display` by variant name, the parse error, and `ratespec::Endpoints`.
pub fn traits(generated: &Generated) -> TokenStream {
    let provider = &generated.document.module;
    let idents = generated.endpoints.iter().map(|(_, ident)| ident);
    let names = idents.clone().map(|ident| ident.to_string());
    let error = format!("not an endpoint of `{provider}`");
    quote! {
        #[allow(deprecated)]
        impl ::core::str::FromStr for Endpoint {
            type Err = ParseEndpointError;

            /// Parses a variant name, as [`Endpoint::as_str`] gives it.
            fn from_str(name: &str) -> ::core::result::Result<Self, Self::Err> {
                match name {
                    #(#names => ::core::result::Result::Ok(Endpoint::#idents),)*
                    _ => ::core::result::Result::Err(ParseEndpointError),
                }
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

        impl ::ratespec::Endpoints for Endpoint {
            const PROVIDER: &'static str = #provider;
            const ALL: &'static [Self] = Endpoint::ALL;
            const BUCKETS: &'static [::ratespec::Bucket] = Endpoint::BUCKETS;
            const UTC_OFFSET_SECS: i32 = Endpoint::UTC_OFFSET_SECS;

            fn index(self) -> usize {
                Endpoint::index(self)
            }
            fn bucket(self) -> usize {
                Endpoint::bucket(self)
            }
            fn as_str(self) -> &'static str {
                Endpoint::as_str(self)
            }
            fn method(self) -> &'static str {
                Endpoint::method(self)
            }
            fn path(self) -> &'static str {
                Endpoint::path(self)
            }
            fn params(self) -> &'static [&'static str] {
                Endpoint::params(self)
            }
            fn cost(self) -> ::ratespec::Cost {
                Endpoint::cost(self)
            }
            fn route<'a>(method: &str, target: &'a str) -> ::ratespec::Route<'a, Self> {
                Endpoint::route(method, target)
            }
        }
    }
}

/// `&[::ratespec::Window { … }, …]`.
fn windows(windows: &[Window]) -> TokenStream {
    let windows = windows.iter().map(window_value);
    quote! { &[#(#windows),*] }
}

/// A unit variant of a vocabulary enum, named as the vocabulary's `Debug` spells it, so the
/// variant names are written once, in `ratespec-core`.
fn variant(value: &impl std::fmt::Debug) -> Ident {
    Ident::new(&format!("{value:?}"), Span::call_site())
}

/// `::ratespec::Window { max, every, per, cost, scope }`.
fn window_value(window: &Window) -> TokenStream {
    let Window {
        max,
        every,
        per,
        cost,
        scope,
    } = *window;
    let (per, cost, scope) = (variant(&per), variant(&cost), variant(&scope));
    quote! {
        ::ratespec::Window {
            max: #max,
            every: #every,
            per: ::ratespec::Per::#per,
            cost: ::ratespec::Cost::#cost,
            scope: ::ratespec::Scope::#scope,
        }
    }
}

/// `&[::ratespec::SubLimit::…, …]`.
fn sub_limits(sub_limits: &[SubLimit]) -> TokenStream {
    let sub_limits = sub_limits.iter().map(|sub_limit| match sub_limit {
        SubLimit::Structured {
            scope,
            window,
            unit,
        } => {
            let window = window_value(window);
            let (scope, unit) = (scope.as_ref(), unit.as_ref());
            quote! {
                ::ratespec::SubLimit::Structured {
                    scope: ::ratespec::Text::Borrowed(#scope),
                    window: #window,
                    unit: ::ratespec::Text::Borrowed(#unit),
                }
            }
        }
        SubLimit::Text { text } => {
            let text = text.as_ref();
            quote! { ::ratespec::SubLimit::Text { text: ::ratespec::Text::Borrowed(#text) } }
        }
        // A sub-limit the generator does not know yet cannot be emitted faithfully.
        other => unreachable!("sub-limit {other:?} has no generated form"),
    });
    quote! { &[#(#sub_limits),*] }
}

/// `::ratespec::Cost::…`.
fn cost(cost: Cost) -> TokenStream {
    let variant = variant(&cost);
    quote! { ::ratespec::Cost::#variant }
}
