//! The repository's `specs/` as `include_limits!` generated it into this binary: what
//! `table` prints and `route` resolves against, so both show what users' generated code says.

use ratespec::{EndpointMeta, Provider, Route};
use ratespec_parser::report::EndpointRow;

/// The published rows only (as `limits.toml` says).
mod published {
    ratespec::include_limits!("../specs/");
}

/// With the rows inside HTML comments.
mod all {
    ratespec::include_limits!("../specs/", include_commented = true);
}

/// The documents of one of the two expansions.
fn providers(include_commented: bool) -> &'static [Provider] {
    if include_commented {
        all::PROVIDERS
    } else {
        published::PROVIDERS
    }
}

/// Every generated endpoint as a table row, in document order.
pub fn rows(include_commented: bool) -> Vec<EndpointRow> {
    providers(include_commented)
        .iter()
        .flat_map(|provider| provider.endpoints.iter().map(|meta| row(provider, meta)))
        .collect()
}

/// What `route` answers for one request.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved<'a> {
    /// The first document, in `limits.toml` order, that documents the route.
    Found {
        /// The module name.
        provider: &'static str,
        /// The variant name.
        endpoint: &'static str,
        /// The path template.
        path: &'static str,
        /// The captured parameters, in path order.
        params: Vec<(&'static str, &'a str)>,
    },
    /// No document has the path.
    NotFound,
    /// Documents have the path, but not with this method: every documented method.
    MethodNotAllowed(Vec<&'static str>),
}

/// Resolves `method target` across every document.
pub fn resolve<'a>(method: &str, target: &'a str, include_commented: bool) -> Resolved<'a> {
    let mut allowed: Vec<&'static str> = Vec::new();
    for provider in providers(include_commented) {
        match provider.route(method, target) {
            Route::Found(found) => {
                return Resolved::Found {
                    provider: provider.name,
                    endpoint: found.endpoint.variant,
                    path: found.endpoint.path,
                    params: found.endpoint.captures(found.path()).collect(),
                };
            }
            Route::MethodNotAllowed { allowed: methods } => {
                for method in methods {
                    if !allowed.contains(method) {
                        allowed.push(method);
                    }
                }
            }
            Route::NotFound => {}
        }
    }
    if allowed.is_empty() {
        Resolved::NotFound
    } else {
        Resolved::MethodNotAllowed(allowed)
    }
}

/// One endpoint's table row.
fn row(provider: &Provider, meta: &EndpointMeta) -> EndpointRow {
    EndpointRow {
        provider: provider.name.to_string(),
        endpoint: meta.variant.to_string(),
        method: meta.method.to_string(),
        path: meta.path.to_string(),
        names: meta.names.iter().map(|n| n.to_string()).collect(),
        section: meta.section.map(str::to_string),
        windows: meta.windows.to_vec(),
        unit: meta.unit.to_string(),
        cost: meta.cost,
        adjustable: meta.adjustable,
        deprecated: meta.deprecated,
        published: meta.published,
        bucket: provider.buckets[meta.bucket].name.to_string(),
        sub_limits: meta.sub_limits.to_vec(),
        source: shown(meta.source),
        host: meta.host.map(str::to_string),
        caps: meta.caps.to_vec(),
        limit_source: ratespec::LimitSource {
            file: shown(&meta.limit_source.file).into(),
            ..meta.limit_source.clone()
        },
    }
}

/// Generated sources are relative to this crate (`../specs/…`); shown, like `check specs/`
/// run at the repository's root shows them, relative to the root.
fn shown(source: &str) -> String {
    source.strip_prefix("../").unwrap_or(source).to_string()
}
