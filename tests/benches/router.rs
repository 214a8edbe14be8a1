//! The generated route matcher against matchit (the router inside axum), over all 218 routes
//! of both documents with commented rows, and over 600 generated parameterised routes
//! (`tests/fixtures/routes600/`, from `tests/scripts/routes.sh 600`): matchit keyed by path,
//! a method table as value.
//!
//! `cargo bench -p ratespec-tests --bench router`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ratespec_tests::concrete_path;

mod all_rows {
    ratespec_macros::include_limits!("../specs/", include_commented = true);
}

/// 600 parameterised routes, a third with three parameters.
mod generated_routes {
    ratespec_macros::include_limits!("fixtures/routes600/");
}

use all_rows::{easemob_push, rongcloud};
use generated_routes::routes600;

/// One request: the document it belongs to, the method and a concrete path.
#[derive(Clone)]
struct Request {
    /// Easemob's document (or, in the 600-route set, that document).
    easemob: bool,
    method: &'static str,
    path: String,
}

/// The anchor: per document, a matchit router from path to (method, endpoint index) pairs.
struct Anchor {
    routers: [matchit::Router<Vec<(&'static str, usize)>>; 2],
}

impl Anchor {
    fn route(&self, easemob: bool, method: &str, path: &str) -> Option<usize> {
        let found = self.routers[usize::from(!easemob)].at(path).ok()?;
        found
            .value
            .iter()
            .find(|(m, _)| *m == method)
            .map(|&(_, index)| index)
    }
}

/// The requests and the anchor for the documents in `folder` (one or two of them).
fn setup(folder: &str) -> (Vec<Request>, Anchor) {
    let specs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let load = ratespec_parser::load(
        &[specs],
        &ratespec_parser::Options {
            include_commented: true,
        },
    );
    assert!(load.diagnostics.is_empty());
    let mut requests = Vec::new();
    let mut routers = [matchit::Router::new(), matchit::Router::new()];
    for (document, router) in load.catalog.documents.iter().zip(&mut routers) {
        let mut by_path: Vec<(String, Vec<(&'static str, usize)>)> = Vec::new();
        for (index, endpoint) in document.endpoints.iter().enumerate() {
            let method: &'static str = endpoint.method.clone().leak();
            // matchit's syntax for parameters is the template's own: `/{name}`.
            let path = endpoint.path().to_string();
            match by_path.iter_mut().find(|(p, _)| *p == path) {
                Some((_, methods)) => methods.push((method, index)),
                None => by_path.push((path, vec![(method, index)])),
            }
            requests.push(Request {
                easemob: document.module != "rongcloud",
                method,
                path: concrete_path(endpoint, |_| "demo-value".to_string()),
            });
        }
        for (path, methods) in by_path {
            router.insert(path, methods).expect("no conflicting routes");
        }
    }
    (requests, Anchor { routers })
}

/// The generated matchers of the seed documents.
fn seeds(easemob: bool, method: &str, path: &str) -> Option<usize> {
    if easemob {
        easemob_push::Endpoint::route(method, path)
            .endpoint()
            .map(|e| e.index())
    } else {
        rongcloud::Endpoint::route(method, path)
            .endpoint()
            .map(|e| e.index())
    }
}

/// The generated matcher of the 600 routes.
fn routes600(_: bool, method: &str, path: &str) -> Option<usize> {
    routes600::Endpoint::route(method, path)
        .endpoint()
        .map(|e| e.index())
}

fn bench(c: &mut Criterion) {
    let (requests, anchor) = setup("../specs");
    assert_eq!(requests.len(), 218);
    compare(c, "", &requests, &anchor, seeds);
    let (requests, anchor) = setup("fixtures/routes600");
    assert_eq!(requests.len(), 600);
    compare(c, "600_", &requests, &anchor, routes600);
}

/// Hits, misses and wrong methods of `requests`, with `generated` and with matchit, in
/// benchmark groups named with `prefix`.
fn compare(
    c: &mut Criterion,
    prefix: &str,
    requests: &[Request],
    anchor: &Anchor,
    generated: impl Fn(bool, &str, &str) -> Option<usize>,
) {
    for request in requests {
        let expected = anchor.route(request.easemob, request.method, &request.path);
        assert!(expected.is_some());
        assert_eq!(
            generated(request.easemob, request.method, &request.path),
            expected
        );
    }
    let misses: Vec<Request> = requests
        .iter()
        .map(|r| Request {
            easemob: r.easemob,
            method: r.method,
            path: format!("{}x", r.path),
        })
        .collect();
    let wrong_methods: Vec<Request> = requests
        .iter()
        .map(|r| Request {
            easemob: r.easemob,
            method: "PATCH",
            path: r.path.clone(),
        })
        .collect();
    let by_document = |set: &[Request]| -> (Vec<Request>, Vec<Request>) {
        set.iter().cloned().partition(|r| r.easemob)
    };
    let (easemob_hits, rongcloud_hits) = by_document(requests);
    let (easemob_misses, rongcloud_misses) = by_document(&misses);
    let mut sets = vec![
        ("hits", requests),
        ("misses", &misses[..]),
        ("wrong_methods", &wrong_methods[..]),
    ];
    // The seeds again, per document: RongCloud's paths are all static, Easemob's all
    // parameterised.
    if !rongcloud_hits.is_empty() {
        sets.push(("hits_rongcloud_static", &rongcloud_hits[..]));
        sets.push(("hits_easemob_parameterised", &easemob_hits[..]));
        sets.push(("misses_rongcloud_static", &rongcloud_misses[..]));
        sets.push(("misses_easemob_parameterised", &easemob_misses[..]));
    }
    for (name, set) in sets {
        let mut group = c.benchmark_group(format!("{prefix}{name}"));
        group.bench_function("generated", |b| {
            b.iter(|| {
                for r in set {
                    black_box(generated(
                        r.easemob,
                        black_box(r.method),
                        black_box(&r.path),
                    ));
                }
            })
        });
        group.bench_function("matchit", |b| {
            b.iter(|| {
                for r in set {
                    black_box(anchor.route(r.easemob, black_box(r.method), black_box(&r.path)));
                }
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
