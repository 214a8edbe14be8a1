//! The `ratespec` command as a user runs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ratespec_tests::{copy_specs, edit, specs_dir};
use serde_json::Value;

fn ratespec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ratespec"))
        .args(args)
        .output()
        .expect("the ratespec binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8")
}

fn specs() -> String {
    specs_dir().display().to_string()
}

fn scratch(name: &str) -> PathBuf {
    copy_specs(Path::new(env!("CARGO_TARGET_TMPDIR")), name)
}

#[test]
fn check_prints_the_table_of_both_documents() {
    let output = ratespec(&["check", &specs()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.contains("easemob_push: 15 endpoints\n"), "{out}");
    assert!(out.contains("rongcloud: 97 endpoints\n"), "{out}");
    assert!(out.ends_with("112 endpoints\n"), "{out}");
    let push = out
        .lines()
        .find(|l| l.starts_with("Push "))
        .expect("the /push.json row");
    for cell in [
        "/push.json",
        "2 次/hour + 3 次/day",
        "adjustable",
        "发送全量用户不落地通知、发送标签用户通知、发送应用包名通知",
    ] {
        assert!(push.contains(cell), "{push}");
    }
}

#[test]
fn columns_are_aligned_by_display_width() {
    let out = stdout(&ratespec(&["check", &specs()]));
    let table: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("rongcloud:"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    // The last column starts after the last run of separating spaces.
    let source_column = |line: &str| {
        let at = line.rfind("  ").expect("separated columns") + 2;
        unicode_width::UnicodeWidthStr::width(&line[..at])
    };
    assert_eq!(table.len(), 98, "a header and 97 rows");
    let header = source_column(table[0]);
    for line in &table[1..] {
        assert_eq!(source_column(line), header, "{line}");
    }
}

#[test]
fn include_commented_counts_rows_inside_html_comments() {
    let output = ratespec(&["check", "--include-commented", &specs()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.ends_with("218 endpoints\n"), "{out}");
    let line = out
        .lines()
        .find(|l| l.contains("/ultragroup/create.json"))
        .expect("a commented row");
    assert!(line.contains("unpublished"), "{line}");
}

#[test]
fn json_is_an_array_of_rows() {
    let output = ratespec(&["check", "--json", &specs()]);
    let rows: Vec<Value> = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(rows.len(), 112);
    let token = rows
        .iter()
        .find(|r| r["path"] == "/user/getToken.json")
        .expect("getToken");
    assert_eq!(
        token["windows"],
        serde_json::json!([{"max": 200, "per": "second"}])
    );
    assert_eq!(token["endpoint"], "UserGetToken");
    assert_eq!(token["adjustable"], true);
}

#[test]
fn table_prints_the_embedded_specs() {
    let output = ratespec(&["table", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let rows: Vec<Value> = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(rows.len(), 112);
}

#[test]
fn check_reports_diagnostics_and_exits_1() {
    let dir = scratch("cli-broken");
    edit(
        &dir,
        "rongcloud-server.md",
        "/user/info.json 100 次/每秒",
        "/user/info.json 100 次/每年",
    );
    let output = ratespec(&["check", &dir.display().to_string()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).is_empty());
    let err = stderr(&output);
    assert!(err.contains("rongcloud-server.md:4:24"), "{err}");
    assert!(err.contains("100 次/每年"), "{err}");
    assert!(err.contains("= help:"), "{err}");
}

#[test]
fn check_a_single_document_uses_the_limits_toml_beside_it() {
    let output = ratespec(&[
        "check",
        "--json",
        &format!("{}/rongcloud-server.md", specs()),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let rows: Vec<Value> = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(rows.len(), 97);
    assert!(
        rows.iter()
            .all(|r| r["provider"] == "rongcloud" && r["method"] == "POST")
    );
}

#[test]
fn diff_shows_what_the_vendor_changed() {
    let dir = scratch("cli-diff");
    let new = "rongcloud-server.md";
    edit(
        &dir,
        new,
        "/user/getToken.json 200 次/每秒，可调频",
        "/user/getToken.json 300 次/每秒，可调频",
    );
    edit(
        &dir,
        new,
        "作废 Token /user/token/expire.json 100 次/每秒，可调频 API 调试 API 调试\n",
        "",
    );
    edit(
        &dir,
        new,
        "用户状态 /user/checkOnline.json 100 次/每秒，可调频",
        "用户状态 /user/checkOnline.json 100 次/每秒",
    );
    edit(
        &dir,
        new,
        "获取用户标签 /user/tags/get.json",
        "删除用户标签 /user/tag/delete.json 10 次/每秒 API 调试 API 调试\n获取用户标签 /user/tags/get.json",
    );
    let output = ratespec(&[
        "diff",
        &format!("{}/{new}", specs()),
        &dir.join(new).display().to_string(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "~ POST /user/getToken.json  windows: 200/second → 300/second\n\
         ~ POST /user/checkOnline.json  adjustable: true → false\n\
         + POST /user/tag/delete.json  10 次/每秒\n\
         - POST /user/token/expire.json  100 次/每秒，可调频\n"
    );
    // An old version saved outside specs/ is read with the new version's limits.toml entry.
    let outside = Path::new(env!("CARGO_TARGET_TMPDIR")).join("old-rongcloud.md");
    std::fs::copy(dir.join(new), &outside).unwrap();
    let output = ratespec(&[
        "diff",
        &outside.display().to_string(),
        &format!("{}/{new}", specs()),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "~ POST /user/getToken.json  windows: 300/second → 200/second\n\
         + POST /user/token/expire.json  100 次/每秒，可调频\n\
         ~ POST /user/checkOnline.json  adjustable: false → true\n\
         - POST /user/tag/delete.json  10 次/每秒\n"
    );
    let same = ratespec(&[
        "diff",
        &format!("{}/{new}", specs()),
        &format!("{}/{new}", specs()),
    ]);
    assert_eq!(stdout(&same), "no changes\n");
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["frobnicate"][..],
        &["check"],
        &["check", "--jsn", "specs"],
        &["diff", "a"],
    ] {
        let output = ratespec(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).contains("usage:"));
    }
}
