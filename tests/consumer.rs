//! A crate using `include_limits!` on the real documents: the generated metadata says exactly
//! what the model says, in `const` context too, with and without the commented rows.

use std::str::FromStr;

use ratespec::{Cost, Endpoints, Per, Window};
use ratespec_parser::report::{EndpointRow, rows};
use ratespec_tests::{load, specs_dir};

mod published {
    ratespec_macros::include_limits!("../specs/");
}
mod all_rows {
    ratespec_macros::include_limits!("../specs/", include_commented = true);
}

use published::{easemob_push, rongcloud};

/// What generated code and the model both say about one endpoint.
#[derive(Debug, PartialEq)]
struct Row {
    provider: String,
    variant: String,
    method: String,
    path: String,
    names: Vec<String>,
    section: Option<String>,
    limit: String,
    windows: Vec<(u64, String)>,
    unit: String,
    cost: String,
    adjustable: bool,
    deprecated: bool,
    published: bool,
    bucket: String,
    source: String,
}

impl Row {
    fn expected(row: &EndpointRow, limit: &str) -> Row {
        let (file, line) = row.source.rsplit_once(':').unwrap();
        let file = std::path::Path::new(file)
            .file_name()
            .unwrap()
            .to_string_lossy();
        Row {
            provider: row.provider.clone(),
            variant: row.endpoint.clone(),
            method: row.method.clone(),
            path: row.path.clone(),
            names: row.names.clone(),
            section: row.section.clone(),
            limit: limit.to_string(),
            windows: row
                .windows
                .iter()
                .map(|w| (w.max, w.per.as_str().to_string()))
                .collect(),
            unit: row.unit.clone(),
            cost: row.cost.as_str().to_string(),
            adjustable: row.adjustable,
            deprecated: row.deprecated,
            published: row.published,
            bucket: row.bucket.clone(),
            // Generated sources are relative to the calling crate (tests/).
            source: format!("../specs/{file}:{line}"),
        }
    }
}

/// The rows of one generated module, from its const fns.
macro_rules! generated_rows {
    ($module:path) => {{
        use $module as m;
        m::Endpoint::ALL
            .iter()
            .map(|&e| Row {
                provider: <m::Endpoint as Endpoints>::PROVIDER.to_string(),
                variant: e.as_str().to_string(),
                method: e.method().to_string(),
                path: e.path().to_string(),
                names: e.names().iter().map(|n| n.to_string()).collect(),
                section: e.section().map(str::to_string),
                limit: e.limit().to_string(),
                windows: e
                    .windows()
                    .iter()
                    .map(|w| (w.max, w.per.as_str().to_string()))
                    .collect(),
                unit: e.unit().to_string(),
                cost: e.cost().as_str().to_string(),
                adjustable: e.adjustable(),
                deprecated: e.deprecated(),
                published: e.published(),
                bucket: m::Endpoint::BUCKETS[e.bucket()].name.to_string(),
                source: e.source().to_string(),
            })
            .collect::<Vec<Row>>()
    }};
}

fn expected_rows(include_commented: bool) -> Vec<Row> {
    let load = load(&[&specs_dir()], include_commented);
    assert!(load.diagnostics.is_empty(), "{:#?}", load.diagnostics);
    let limits: Vec<String> = load
        .catalog
        .documents
        .iter()
        .flat_map(|d| d.endpoints.iter().map(|e| e.limit.text.clone()))
        .collect();
    rows(&load.catalog)
        .iter()
        .zip(&limits)
        .map(|(row, limit)| Row::expected(row, limit))
        .collect()
}

#[test]
fn published_rows_are_the_models_rows() {
    let mut generated = generated_rows!(published::easemob_push);
    generated.extend(generated_rows!(published::rongcloud));
    assert_eq!(generated.len(), 112);
    let expected = expected_rows(false);
    for (generated, expected) in generated.iter().zip(&expected) {
        assert_eq!(generated, expected);
    }
    assert_eq!(generated.len(), expected.len());
}

#[test]
fn all_rows_are_the_models_rows() {
    let mut generated = generated_rows!(all_rows::easemob_push);
    generated.extend(generated_rows!(all_rows::rongcloud));
    assert_eq!(generated.len(), 218);
    let expected = expected_rows(true);
    for (generated, expected) in generated.iter().zip(&expected) {
        assert_eq!(generated, expected);
    }
    assert_eq!(generated.len(), expected.len());
}

#[test]
fn metadata_is_usable_in_const_context() {
    const TOKEN: rongcloud::Endpoint = rongcloud::Endpoint::UserGetToken;
    const PER_SECOND: u64 = TOKEN.windows()[0].max;
    const COST: Cost = rongcloud::Endpoint::MessagePrivatePublish.cost();
    const COUNTERS: [u32; rongcloud::Endpoint::COUNT] = [0; rongcloud::Endpoint::COUNT];
    assert_eq!(PER_SECOND, 200);
    assert_eq!(COST, Cost::Recipient);
    assert_eq!(COUNTERS.len(), 97);
    assert!(TOKEN.adjustable());
    assert_eq!(TOKEN.unit(), "次");
    assert_eq!(TOKEN.method(), "POST");
    assert_eq!(TOKEN.path(), "/user/getToken.json");
    assert_eq!(TOKEN.limit(), "200 次/每秒，可调频");
}

#[test]
fn discriminants_index_all_and_names_round_trip() {
    for (i, &e) in rongcloud::Endpoint::ALL.iter().enumerate() {
        assert_eq!(e.index(), i);
        assert_eq!(e as u16 as usize, i);
        assert_eq!(rongcloud::Endpoint::from_str(e.as_str()), Ok(e));
        assert_eq!(e.to_string(), e.as_str());
    }
    assert_eq!(
        "UserGettoken".parse::<rongcloud::Endpoint>(),
        Err(rongcloud::ParseEndpointError)
    );
    assert_eq!(
        rongcloud::ParseEndpointError.to_string(),
        "not an endpoint of `rongcloud`"
    );
}

#[test]
fn the_runtime_trait_is_implemented() {
    fn provider<E: Endpoints>() -> (&'static str, usize, usize, i32) {
        (
            E::PROVIDER,
            E::ALL.len(),
            E::BUCKETS.len(),
            E::UTC_OFFSET_SECS,
        )
    }
    assert_eq!(
        provider::<rongcloud::Endpoint>(),
        ("rongcloud", 97, 97, 8 * 3600)
    );
    assert_eq!(
        provider::<easemob_push::Endpoint>(),
        ("easemob_push", 15, 15, 8 * 3600)
    );
    let push = rongcloud::Endpoint::Push;
    assert_eq!(Endpoints::index(push), push.index());
    assert_eq!(Endpoints::as_str(push), "Push");
    assert_eq!(
        *rongcloud::Endpoint::BUCKETS[Endpoints::bucket(push)].windows,
        [Window::new(2, Per::Hour), Window::new(3, Per::Day)]
    );
}

#[test]
fn shared_quotas_map_to_one_bucket() {
    use all_rows::rongcloud::Endpoint;
    let set: Endpoint = "ChatroomEntrySet".parse().unwrap();
    let batch_set: Endpoint = "ChatroomEntryBatchSet".parse().unwrap();
    let remove: Endpoint = "ChatroomEntryRemove".parse().unwrap();
    assert_eq!(set.bucket(), batch_set.bucket());
    assert_ne!(set.bucket(), remove.bucket());
    assert_eq!(Endpoint::BUCKETS[set.bucket()].name, "chatroom_entry_set");
    assert_eq!(set.cost(), Cost::Attribute);
    // Every other endpoint has a quota of its own.
    assert_eq!(Endpoint::BUCKETS.len(), Endpoint::COUNT - 2);
}

#[test]
fn deprecated_rows_are_marked() {
    let deprecated: Vec<&str> = all_rows::rongcloud::Endpoint::ALL
        .iter()
        .filter(|e| e.deprecated())
        .map(|e| e.as_str())
        .collect();
    assert_eq!(deprecated, ["ChatroomCreate", "ChatroomQuery"]);
    assert!(
        !published::rongcloud::Endpoint::ALL
            .iter()
            .any(|e| e.deprecated())
    );
}

/// Generic code reads every field from the one table, through the trait.
#[test]
fn generic_code_reads_the_metadata_table_through_the_trait() {
    fn describe<E: Endpoints>(endpoint: E) -> (&'static str, &'static str, usize, String) {
        let meta = endpoint.meta();
        assert_eq!(meta, &E::META[endpoint.index()]);
        (
            meta.variant,
            meta.limit,
            meta.windows.len(),
            meta.limit_source.to_string(),
        )
    }
    let token = rongcloud::Endpoint::UserGetToken;
    let (variant, limit, windows, source) = describe(token);
    assert_eq!(
        (variant, limit, windows),
        ("UserGetToken", "200 次/每秒，可调频", 1)
    );
    let line = token.source().rsplit_once(':').unwrap().1;
    assert_eq!(source, format!("../specs/rongcloud-server.md:{line} (row)"));
    assert_eq!(token.meta().limit_source.origin, ratespec::Origin::Row);
    assert!(token.caps().is_empty(), "the parser reads no caps yet");
    assert_eq!(rongcloud::Endpoint::META.len(), rongcloud::Endpoint::COUNT);
    const METHOD: &str = rongcloud::Endpoint::META[0].method;
    assert_eq!(METHOD, "POST");
}

/// The call's `PROVIDERS` lists every document, and each routes and describes its endpoints
/// as the typed module does.
#[test]
fn providers_list_every_document_without_its_type() {
    use ratespec::Route;
    let names: Vec<&str> = published::PROVIDERS.iter().map(|p| p.name).collect();
    assert_eq!(names, ["easemob_push", "rongcloud"]);
    let rongcloud = &published::PROVIDERS[1];
    assert_eq!(rongcloud.endpoints, rongcloud::Endpoint::META);
    assert_eq!(rongcloud.utc_offset_secs, 8 * 3600);
    let Route::Found(found) = rongcloud.route("POST", "/user/getToken.json?x=1") else {
        panic!("a documented route");
    };
    assert_eq!(found.endpoint.variant, "UserGetToken");
    let easemob = &all_rows::PROVIDERS[0];
    let Route::Found(found) = easemob.route("GET", "/acme/chat/push/label/vip") else {
        panic!("a documented route");
    };
    let params: Vec<_> = found.endpoint.captures(found.path()).collect();
    assert_eq!(
        params,
        [
            ("org_name", "acme"),
            ("app_name", "chat"),
            ("labelname", "vip")
        ]
    );
    assert_eq!(
        easemob.route("PUT", "/acme/chat/push/label/vip"),
        Route::MethodNotAllowed {
            allowed: &["GET", "DELETE"]
        }
    );
}

/// The runtime re-exported under another path, as an SDK crate would.
mod sdk {
    pub use ratespec as limits;
}

/// A crate that reaches the runtime by another path says so with `crate = path`.
#[test]
fn the_runtime_crate_can_be_named_by_another_path() {
    mod renamed {
        ratespec_macros::include_limits!("../specs/", crate = crate::sdk::limits);
    }
    assert_eq!(
        renamed::rongcloud::Endpoint::route("POST", "/user/getToken.json").endpoint(),
        Some(renamed::rongcloud::Endpoint::UserGetToken)
    );
    assert_eq!(renamed::PROVIDERS.len(), 2);
}

mod shapes_doc {
    ratespec_macros::include_limits!("fixtures/shapes/");
}

/// What the parser reads beyond the seeds reaches generated code: a window per basis and
/// scope, the per-request cap, the host, and where a limit came from.
#[test]
fn generated_metadata_carries_caps_hosts_scopes_and_limit_sources() {
    use ratespec::{Cap, Cost, Origin, Per, Scope, Text, Window};
    use shapes_doc::shapes::Endpoint;

    let send = Endpoint::PostV1MsgSend.meta();
    assert_eq!(
        send.windows,
        &[
            Window::new(100, Per::Second),
            Window::new(6000, Per::Minute).counting(Cost::Message)
        ]
    );
    assert_eq!(
        send.caps,
        &[Cap {
            max: 600,
            cost: Cost::User,
            unit: Text::Borrowed("users")
        }]
    );
    assert_eq!(send.host, Some("api.example.im"));
    assert_eq!(send.limit_source.origin, Origin::Row);
    assert_eq!(send.limit_source.line, 7);

    let session = Endpoint::DeleteV1UsersByUserIdSession.meta();
    assert_eq!(session.windows[0].scope, Scope::User);
    assert_eq!(session.windows[1].scope, Scope::Tenant);

    // The row states no limit: the document's default, line 3.
    let user = Endpoint::GetV1UsersByUserId.meta();
    assert_eq!(user.windows, &[Window::new(100, Per::Second)]);
    assert_eq!(user.limit_source.origin, Origin::Default);
    assert_eq!(user.limit_source.line, 3);
    assert_eq!(user.limit_source.file.as_ref(), "fixtures/shapes/im.md");
    // Full URLs route by their path.
    assert_eq!(
        Endpoint::route("GET", "https://api.example.im/v1/users/u1").endpoint(),
        Some(Endpoint::GetV1UsersByUserId)
    );
}
