//! The repository's `specs/` as `include_limits!` generated it into this binary: what
//! `table` prints and `route` resolves against, so both show what users' generated code says.

use ratespec::{Endpoints, Route};
use ratespec_parser::report::EndpointRow;

/// The published rows only (as `limits.toml` says).
mod published {
    ratespec::include_limits!("../specs/");
}

/// With the rows inside HTML comments.
mod all {
    ratespec::include_limits!("../specs/", include_commented = true);
}

/// Every generated endpoint as a table row, in document order.
pub fn rows(include_commented: bool) -> Vec<EndpointRow> {
    let mut rows = Vec::new();
    if include_commented {
        module_rows::<all::easemob_push::Endpoint>(&mut rows);
        module_rows::<all::rongcloud::Endpoint>(&mut rows);
    } else {
        module_rows::<published::easemob_push::Endpoint>(&mut rows);
        module_rows::<published::rongcloud::Endpoint>(&mut rows);
    }
    rows
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
    let routes = if include_commented {
        [
            summarise::<all::easemob_push::Endpoint>(method, target),
            summarise::<all::rongcloud::Endpoint>(method, target),
        ]
    } else {
        [
            summarise::<published::easemob_push::Endpoint>(method, target),
            summarise::<published::rongcloud::Endpoint>(method, target),
        ]
    };
    let mut allowed: Vec<&'static str> = Vec::new();
    for route in routes {
        match route {
            found @ Resolved::Found { .. } => return found,
            Resolved::MethodNotAllowed(methods) => {
                for method in methods {
                    if !allowed.contains(&method) {
                        allowed.push(method);
                    }
                }
            }
            Resolved::NotFound => {}
        }
    }
    if allowed.is_empty() {
        Resolved::NotFound
    } else {
        Resolved::MethodNotAllowed(allowed)
    }
}

/// One module's answer, without its type.
fn summarise<'a, E: Endpoints>(method: &str, target: &'a str) -> Resolved<'a> {
    match E::route(method, target) {
        Route::Found(found) => Resolved::Found {
            provider: E::PROVIDER,
            endpoint: found.endpoint.as_str(),
            path: found.endpoint.path(),
            params: found.params().collect(),
        },
        Route::NotFound => Resolved::NotFound,
        Route::MethodNotAllowed { allowed } => Resolved::MethodNotAllowed(allowed.to_vec()),
    }
}

/// The metadata a generated module offers per endpoint, beyond the [`Endpoints`] trait.
trait Metadata: Endpoints {
    fn names(self) -> &'static [&'static str];
    fn section(self) -> Option<&'static str>;
    fn windows(self) -> &'static [ratespec::Window];
    fn unit(self) -> &'static str;
    fn adjustable(self) -> bool;
    fn deprecated(self) -> bool;
    fn published(self) -> bool;
    fn sub_limits(self) -> &'static [ratespec::SubLimit];
    fn source(self) -> &'static str;
}

/// Implements [`Metadata`] with the module's inherent const fns.
macro_rules! metadata {
    ($($module:path),*) => {$(
        impl Metadata for $module {
            fn names(self) -> &'static [&'static str] { self.names() }
            fn section(self) -> Option<&'static str> { self.section() }
            fn windows(self) -> &'static [ratespec::Window] { self.windows() }
            fn unit(self) -> &'static str { self.unit() }
            fn adjustable(self) -> bool { self.adjustable() }
            fn deprecated(self) -> bool { self.deprecated() }
            fn published(self) -> bool { self.published() }
            fn sub_limits(self) -> &'static [ratespec::SubLimit] { self.sub_limits() }
            fn source(self) -> &'static str { self.source() }
        }
    )*};
}

metadata!(
    published::easemob_push::Endpoint,
    published::rongcloud::Endpoint,
    all::easemob_push::Endpoint,
    all::rongcloud::Endpoint
);

fn module_rows<E: Metadata>(rows: &mut Vec<EndpointRow>) {
    for &endpoint in E::ALL {
        rows.push(EndpointRow {
            provider: E::PROVIDER.to_string(),
            endpoint: endpoint.as_str().to_string(),
            method: endpoint.method().to_string(),
            path: endpoint.path().to_string(),
            names: endpoint.names().iter().map(|n| n.to_string()).collect(),
            section: endpoint.section().map(str::to_string),
            windows: endpoint.windows().to_vec(),
            unit: endpoint.unit().to_string(),
            cost: endpoint.cost(),
            adjustable: endpoint.adjustable(),
            deprecated: endpoint.deprecated(),
            published: endpoint.published(),
            bucket: E::BUCKETS[endpoint.bucket()].name.to_string(),
            sub_limits: endpoint.sub_limits().to_vec(),
            source: shown(endpoint.source()),
            caps: Vec::new(),
            host: None,
            limit_source: row_source(endpoint.source()),
        });
    }
}

/// The generated code does not carry where its limit was read yet: the row itself.
fn row_source(source: &str) -> ratespec::LimitSource {
    let shown = shown(source);
    let (file, line) = shown.rsplit_once(':').unwrap_or((&shown, "0"));
    ratespec::LimitSource {
        origin: ratespec::Origin::Row,
        file: file.to_string().into(),
        line: line.parse().unwrap_or(0),
    }
}

/// Generated sources are relative to this crate (`../specs/…`); shown, like `check specs/`
/// run at the repository's root shows them, relative to the root.
fn shown(source: &str) -> String {
    source.strip_prefix("../").unwrap_or(source).to_string()
}
