//! Every field of every row of both real documents, against golden files that were checked
//! against an independent reading of the documents.

use std::path::Path;

use ratespec_parser::report;
use ratespec_tests::{load, specs_dir};
use serde_json::Value;

/// The golden rows of both documents, every row counted (commented ones included).
fn golden() -> Vec<Value> {
    ["easemob-push.jsonl", "rongcloud-server.jsonl"]
        .iter()
        .flat_map(|file| {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("golden")
                .join(file);
            std::fs::read_to_string(path)
                .expect("golden file")
                .lines()
                .map(|line| serde_json::from_str::<Value>(line).expect("golden JSON"))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The rows the parser gives, as the JSON the CLI prints, with `source` relative to the
/// repository as in the golden files.
fn actual(include_commented: bool) -> Vec<Value> {
    let specs = specs_dir();
    let load = load(&[&specs], include_commented);
    assert!(load.diagnostics.is_empty(), "{:#?}", load.diagnostics);
    report::rows(&load.catalog)
        .iter()
        .map(|row| {
            let mut value = serde_json::to_value(row).expect("row");
            let source = value["source"].as_str().expect("source").to_string();
            let relative = source.replacen(&specs.display().to_string(), "specs", 1);
            value["source"] = Value::String(relative);
            let at = value["limit_source"]["at"]
                .as_str()
                .expect("at")
                .to_string();
            value["limit_source"]["at"] =
                Value::String(at.replacen(&specs.display().to_string(), "specs", 1));
            value
        })
        .collect()
}

fn assert_rows_equal(actual: &[Value], expected: &[Value]) {
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert_eq!(a, e, "row {i} differs:\n actual   {a}\n expected {e}");
    }
    assert_eq!(actual.len(), expected.len(), "row count");
}

#[test]
fn published_rows_of_both_documents() {
    let expected: Vec<Value> = golden()
        .into_iter()
        .filter(|r| r["published"] == Value::Bool(true))
        .collect();
    let actual = actual(false);
    assert_eq!(actual.len(), 112);
    let easemob = actual
        .iter()
        .filter(|r| r["provider"] == "easemob_push")
        .count();
    assert_eq!((easemob, actual.len() - easemob), (15, 97));
    assert_rows_equal(&actual, &expected);
}

#[test]
fn every_row_with_commented_ones() {
    let actual = actual(true);
    assert_eq!(actual.len(), 218);
    assert_rows_equal(&actual, &golden());
}

#[test]
fn json_objects_have_exactly_the_documented_keys() {
    let keys = [
        "provider",
        "endpoint",
        "method",
        "path",
        "names",
        "section",
        "windows",
        "unit",
        "cost",
        "adjustable",
        "deprecated",
        "published",
        "bucket",
        "sub_limits",
        "source",
        "host",
        "caps",
        "limit_source",
    ];
    for row in actual(true) {
        let object = row.as_object().expect("object");
        let mut found: Vec<&str> = object.keys().map(String::as_str).collect();
        found.sort_unstable();
        let mut wanted = keys.to_vec();
        wanted.sort_unstable();
        assert_eq!(found, wanted);
        for window in row["windows"].as_array().expect("windows") {
            let mut keys: Vec<&str> = window
                .as_object()
                .expect("window")
                .keys()
                .map(String::as_str)
                .collect();
            keys.sort_unstable();
            assert_eq!(
                keys,
                ["cost", "every", "max", "per", "scope", "seconds"],
                "{window}"
            );
        }
    }
}

#[test]
fn merged_routes_keep_every_name_and_every_source() {
    let load = load(&[&specs_dir()], false);
    let rongcloud = &load.catalog.documents[1];
    let push = rongcloud
        .endpoints
        .iter()
        .find(|e| e.path() == "/push.json")
        .expect("/push.json");
    assert_eq!(
        push.names,
        [
            "发送全量用户不落地通知",
            "发送标签用户通知",
            "发送应用包名通知"
        ]
    );
    assert_eq!(
        push.sources.iter().map(|p| p.line).collect::<Vec<_>>(),
        [80, 81, 82]
    );
    let recall = rongcloud
        .endpoints
        .iter()
        .find(|e| e.path() == "/message/recall.json")
        .expect("recall");
    assert_eq!(
        recall.sources.iter().map(|p| p.line).collect::<Vec<_>>(),
        [63, 77]
    );
    // Line 63 says 可调频, line 77 does not: the merged endpoint is adjustable.
    assert!(recall.limit.adjustable);
}
