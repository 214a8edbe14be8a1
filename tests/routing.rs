//! The generated route matcher: every documented route is found with its parameters, the
//! documented matching rules hold, and on any input it agrees with a plain reference matcher
//! written from the rules (and never panics).

use std::sync::LazyLock;

use proptest::prelude::*;
use ratespec_parser::model::route::Segment;
use ratespec_tests::{concrete_path, load, specs_dir};

mod all_rows {
    ratespec_macros::include_limits!("../specs/", include_commented = true);
}

/// Overlapping routes, for the priority rules.
mod overlapping {
    ratespec_macros::include_limits!("fixtures/priority/");
}

/// Templates below a chain of leading parameters (`/{org}/{app}/…`).
mod chained {
    ratespec_macros::include_limits!("fixtures/chain/");
}

use all_rows::{easemob_push, rongcloud};
use chained::{chain, chain_end, chain_mixed};
use overlapping::priority;

/// A route result in plain values, to compare the generated matcher with the reference.
#[derive(Debug, PartialEq)]
enum Outcome {
    Found(String, Vec<(String, String)>),
    NotFound,
    MethodNotAllowed(Vec<String>),
}

macro_rules! outcome {
    ($module:ident, $method:expr, $target:expr) => {
        match $module::Endpoint::route($method, $target) {
            $module::Route::Found(found) => Outcome::Found(
                found.endpoint.as_str().to_string(),
                found
                    .params()
                    .map(|(name, value)| (name.to_string(), value.to_string()))
                    .collect(),
            ),
            $module::Route::NotFound => Outcome::NotFound,
            $module::Route::MethodNotAllowed { allowed } => {
                Outcome::MethodNotAllowed(allowed.iter().map(|m| m.to_string()).collect())
            }
        }
    };
}

fn route(method: &str, target: &str) -> (Outcome, Outcome) {
    (
        outcome!(easemob_push, method, target),
        outcome!(rongcloud, method, target),
    )
}

/// The endpoints of the documents with commented rows, then of the overlapping fixture,
/// then of the three chain fixtures.
static DOCUMENTS: LazyLock<Vec<Vec<ratespec_parser::Endpoint>>> = LazyLock::new(|| {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/priority");
    let mut documents = Vec::new();
    let chain = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/chain");
    for (path, include_commented) in [(specs_dir(), true), (fixture, false), (chain, false)] {
        let load = load(&[&path], include_commented);
        assert!(load.diagnostics.is_empty(), "{:#?}", load.diagnostics);
        documents.extend(load.catalog.documents.into_iter().map(|d| d.endpoints));
    }
    documents
});

/// The matching rules, applied by brute force over every template.
fn reference(endpoints: &[ratespec_parser::Endpoint], method: &str, target: &str) -> Outcome {
    let target = &target[..target.find(['?', '#']).unwrap_or(target.len())];
    let path = if target.starts_with('/') {
        target.to_string()
    } else {
        match target.split_once("://") {
            Some((scheme, rest))
                if scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                    && scheme
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
            {
                rest.find('/')
                    .map_or("/".to_string(), |i| rest[i..].to_string())
            }
            _ => return Outcome::NotFound,
        }
    };
    let request: Vec<&str> = path[1..].split('/').collect();
    let matches = |e: &ratespec_parser::Endpoint| {
        e.template.segments.len() == request.len()
            && e.template
                .segments
                .iter()
                .zip(&request)
                .all(|(s, r)| match s {
                    Segment::Static(text) => text == r,
                    Segment::Param(_) => !r.is_empty() && *r != "." && *r != "..",
                })
    };
    let specificity = |e: &ratespec_parser::Endpoint| -> Vec<bool> {
        e.template
            .segments
            .iter()
            .map(|s| matches!(s, Segment::Static(_)))
            .collect()
    };
    let candidates: Vec<&ratespec_parser::Endpoint> =
        endpoints.iter().filter(|e| matches(e)).collect();
    let Some(best) = candidates.iter().map(|e| specificity(e)).max() else {
        return Outcome::NotFound;
    };
    let group: Vec<&&ratespec_parser::Endpoint> = candidates
        .iter()
        .filter(|e| specificity(e) == best)
        .collect();
    match group.iter().find(|e| e.method == method) {
        Some(e) => Outcome::Found(
            e.variant.clone(),
            e.template
                .segments
                .iter()
                .zip(&request)
                .filter_map(|(s, r)| match s {
                    Segment::Param(name) => Some((name.clone(), r.to_string())),
                    Segment::Static(_) => None,
                })
                .collect(),
        ),
        None => Outcome::MethodNotAllowed(group.iter().map(|e| e.method.clone()).collect()),
    }
}

/// A concrete request path for a template: `{name}` becomes `v-name`.
fn concrete(endpoint: &ratespec_parser::Endpoint) -> String {
    concrete_path(endpoint, |name| format!("v-{name}"))
}

#[test]
fn every_documented_route_is_found_with_its_parameters() {
    let mut routes = 0;
    for (module, endpoints) in ["easemob_push", "rongcloud"].iter().zip(&DOCUMENTS[..2]) {
        for endpoint in endpoints {
            let path = concrete(endpoint);
            let params: Vec<(String, String)> = endpoint
                .template
                .params()
                .map(|name| (name.to_string(), format!("v-{name}")))
                .collect();
            let expected = Outcome::Found(endpoint.variant.clone(), params);
            let (easemob, rongcloud) = route(&endpoint.method, &path);
            let found = if *module == "rongcloud" {
                rongcloud
            } else {
                easemob
            };
            assert_eq!(found, expected, "{} {path}", endpoint.method);
            routes += 1;
        }
    }
    assert_eq!(routes, 218);
}

#[test]
fn parameters_are_read_by_name() {
    let rongcloud::Route::Found(_) = rongcloud::Endpoint::route("POST", "/user/getToken.json")
    else {
        panic!("a static route");
    };
    let easemob_push::Route::Found(found) =
        easemob_push::Endpoint::route("GET", "/acme/chat/push/label/vip/user/alice%20b")
    else {
        panic!("a parameterised route");
    };
    assert_eq!(
        found.endpoint.as_str(),
        "GetPushLabelByLabelnameUserByUsername"
    );
    assert_eq!(found.param("org_name"), Some("acme"));
    assert_eq!(found.param("labelname"), Some("vip"));
    assert_eq!(found.param("username"), Some("alice%20b"), "no decoding");
    assert_eq!(found.param("user"), None);
    assert_eq!(
        easemob_push::Endpoint::ALL
            .iter()
            .map(|e| e.params().len())
            .max(),
        Some(4)
    );
}

#[test]
fn a_wrong_method_lists_the_documented_ones() {
    let (easemob, rongcloud) = route("GET", "/user/getToken.json");
    assert_eq!(easemob, Outcome::NotFound);
    assert_eq!(rongcloud, Outcome::MethodNotAllowed(vec!["POST".into()]));
    let (easemob, _) = route("PUT", "/o/a/push/label/l/user");
    assert_eq!(
        easemob,
        Outcome::MethodNotAllowed(vec!["POST".into(), "GET".into(), "DELETE".into()])
    );
}

#[test]
fn documented_matching_rules() {
    let found = |target: &str| rongcloud::Endpoint::route("POST", target).endpoint();
    let token = Some(rongcloud::Endpoint::UserGetToken);
    assert_eq!(found("/user/getToken.json"), token);
    assert_eq!(
        found("/user/getToken.json?a=1&b=/x"),
        token,
        "query ignored"
    );
    assert_eq!(found("/user/getToken.json#top"), token, "fragment ignored");
    assert_eq!(found("https://api.rong-cloud.cn/user/getToken.json"), token);
    assert_eq!(found("http://127.0.0.1:8080/user/getToken.json?x"), token);
    assert_eq!(found("/user/getToken.json/"), None, "trailing slash");
    assert_eq!(found("//user/getToken.json"), None, "`//`");
    assert_eq!(found("/user//getToken.json"), None, "`//`");
    assert_eq!(found("/user/gettoken.json"), None, "case-sensitive");
    assert_eq!(found("/user/get%54oken.json"), None, "no percent-decoding");
    assert_eq!(found("user/getToken.json"), None, "relative path");
    assert_eq!(
        found("api.rong-cloud.cn/user/getToken.json"),
        None,
        "no scheme"
    );
    assert_eq!(found("1http://h/user/getToken.json"), None, "not a scheme");
    assert_eq!(found("/x/../user/getToken.json"), None, "no normalisation");
    assert_eq!(
        rongcloud::Endpoint::route("post", "/user/getToken.json"),
        rongcloud::Route::MethodNotAllowed { allowed: &["POST"] },
        "methods are case-sensitive"
    );

    let push = |target: &str| easemob_push::Endpoint::route("POST", target).endpoint();
    assert!(push("/o/a/push/single").is_some());
    assert_eq!(push("/o//push/single"), None, "empty parameter");
    assert_eq!(push("/o/../push/single"), None, "dot segment parameter");
    assert_eq!(push("/o/./push/single"), None, "dot segment parameter");
    assert_eq!(push("/o/a/push/single/"), None, "trailing slash");
}

#[test]
fn static_beats_parameter_with_backtracking_and_path_before_method() {
    use priority::Endpoint;
    let get = |target: &str| Endpoint::route("GET", target).endpoint();
    assert_eq!(get("/a/b"), Some(Endpoint::Static));
    assert_eq!(get("/a/z"), Some(Endpoint::Param));
    assert_eq!(get("/a/b/c"), Some(Endpoint::Deeper));
    // `/a/{x}/d` does not exist: back to `{y}`.
    assert_eq!(get("/a/b/d"), Some(Endpoint::Backtrack));
    assert_eq!(get("/z/b/d"), Some(Endpoint::Backtrack));
    // The path `/a/{x}/c` is more specific than `/{y}/b/c`, and has no POST.
    assert_eq!(
        Endpoint::route("POST", "/a/b/c"),
        priority::Route::MethodNotAllowed { allowed: &["GET"] }
    );
    assert_eq!(
        Endpoint::route("POST", "/z/b/c").endpoint(),
        Some(Endpoint::OtherMethod)
    );
}

/// Pieces of request targets: documented segments, hostile ones and separators.
fn target() -> impl Strategy<Value = String> {
    let mut pieces: Vec<String> = DOCUMENTS
        .iter()
        .flat_map(|endpoints| endpoints.iter())
        .flat_map(|e| e.template.segments.iter())
        .filter_map(|s| match s {
            Segment::Static(text) => Some(text.clone()),
            Segment::Param(_) => None,
        })
        .collect();
    pieces.sort();
    pieces.dedup();
    pieces.extend(
        [
            "x", "", ".", "..", "%2F", "\0", "é", "?", "#", "z", "a", "b", "c", "d",
        ]
        .map(String::from),
    );
    pieces.push("a".repeat(5000));
    let templates: Vec<Vec<Segment>> = DOCUMENTS
        .iter()
        .flat_map(|endpoints| endpoints.iter())
        .map(|e| e.template.segments.clone())
        .collect();
    let prefix = || {
        prop::sample::select(vec![
            "",
            "https://api.example.com",
            "http://h:8080",
            "h",
            "1x://h",
            "x://",
            "/",
        ])
    };
    let suffix = || prop::sample::select(vec!["", "", "", "/", "?q=1", "#f", "?a#b", "//"]);
    let parameterised: Vec<Vec<Segment>> = templates
        .iter()
        .filter(|t| t.iter().any(|s| matches!(s, Segment::Param(_))))
        .cloned()
        .collect();
    let any_path =
        prop::collection::vec(prop::sample::select(pieces), 0..10).prop_map(|path| path.join("/"));
    // Values holding `?` or `#` end the path inside a parameter: the bare-path lookup must
    // not read a parameter across them.
    let value = prop::sample::select(vec![
        "v-1",
        "v-2",
        "",
        ".",
        "..",
        "%2F",
        "\0",
        "é",
        "a",
        "b",
        "c",
        "d",
        "label",
        "user",
        "v?1",
        "v#1",
        "?",
        "a-value-longer-than-two-words",
    ]);
    // A documented template with each parameter replaced by a value (often a hit).
    let documented = (
        prop_oneof![
            prop::sample::select(templates),
            prop::sample::select(parameterised)
        ],
        prop::collection::vec(value, 4),
    )
        .prop_map(|(template, values)| {
            let mut values = values.into_iter().cycle();
            let segments: Vec<String> = template
                .iter()
                .map(|s| match s {
                    Segment::Static(text) => text.clone(),
                    Segment::Param(_) => values.next().unwrap_or_default().to_string(),
                })
                .collect();
            segments.join("/")
        });
    prop_oneof![
        3 => (prefix(), documented, suffix())
            .prop_map(|(prefix, path, suffix)| format!("{prefix}/{path}{suffix}")),
        2 => (prefix(), any_path, suffix())
            .prop_map(|(prefix, path, suffix)| format!("{prefix}/{path}{suffix}")),
        1 => any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn agrees_with_the_reference_matcher(
        method in prop::sample::select(vec!["GET", "POST", "DELETE", "PUT", "post", ""]),
        target in target(),
    ) {
        let (easemob, rongcloud) = route(method, &target);
        prop_assert_eq!(easemob, reference(&DOCUMENTS[0], method, &target));
        prop_assert_eq!(rongcloud, reference(&DOCUMENTS[1], method, &target));
        let overlapping = outcome!(priority, method, &target);
        prop_assert_eq!(overlapping, reference(&DOCUMENTS[2], method, &target));
        prop_assert_eq!(outcome!(chain, method, &target), reference(&DOCUMENTS[3], method, &target));
        prop_assert_eq!(
            outcome!(chain_mixed, method, &target),
            reference(&DOCUMENTS[4], method, &target)
        );
        prop_assert_eq!(
            outcome!(chain_end, method, &target),
            reference(&DOCUMENTS[5], method, &target)
        );
    }
}

/// Code above one document routes through the trait; with the `http` feature, straight from
/// an `http::Request` (its method and its URI's path; the authority and query play no part).
#[test]
fn generic_code_routes_any_module_and_http_requests() {
    use ratespec::{Endpoints, Route};

    fn endpoint_of<E: Endpoints>(request: &http::Request<()>) -> Option<&'static str> {
        E::route_request(request).endpoint().map(E::as_str)
    }

    let request = |method: &str, uri: &str| {
        http::Request::builder()
            .method(method)
            .uri(uri)
            .body(())
            .expect("a valid request")
    };
    let token = request(
        "POST",
        "https://api.rong-cloud.cn/user/getToken.json?appKey=k",
    );
    assert_eq!(
        endpoint_of::<rongcloud::Endpoint>(&token),
        Some("UserGetToken")
    );
    assert_eq!(endpoint_of::<easemob_push::Endpoint>(&token), None);

    let label = request("DELETE", "/acme/chat/push/label/vip");
    let Route::Found(found) = easemob_push::Endpoint::route_request(&label) else {
        panic!("a documented Easemob route");
    };
    assert_eq!(found.endpoint.as_str(), "DeletePushLabelByLabelname");
    assert_eq!(found.param("labelname"), Some("vip"));
    assert_eq!(found.path(), "/acme/chat/push/label/vip");

    assert_eq!(
        rongcloud::Endpoint::route_request(&request("GET", "/user/getToken.json")),
        Route::MethodNotAllowed { allowed: &["POST"] }
    );
    assert_eq!(
        rongcloud::Endpoint::route_request(&request("POST", "/user/%67etToken.json")),
        Route::NotFound
    );
}
