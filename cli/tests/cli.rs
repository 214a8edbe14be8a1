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
    assert!(
        out.ends_with(
            "112 endpoints\n115 rows with a path: 115 read, 0 diagnosed; 0 errors, 0 warnings\n"
        ),
        "{out}"
    );
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
    // In these rows SOURCE is the last column written (LIMIT FROM is empty: every limit is
    // the row's own), so it starts after the last run of separating spaces.
    let source_column = |line: &str| {
        let at = line.rfind("  ").expect("separated columns") + 2;
        unicode_width::UnicodeWidthStr::width(&line[..at])
    };
    assert_eq!(table.len(), 98, "a header and 97 rows");
    let header_at = table[0].find("SOURCE").expect("the SOURCE header");
    let header = unicode_width::UnicodeWidthStr::width(&table[0][..header_at]);
    for line in &table[1..] {
        assert_eq!(source_column(line), header, "{line}");
    }
}

#[test]
fn include_commented_counts_rows_inside_html_comments() {
    let output = ratespec(&["check", "--include-commented", &specs()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.contains("\n218 endpoints\n"), "{out}");
    assert!(
        out.ends_with("221 rows with a path: 221 read, 0 diagnosed; 0 errors, 0 warnings\n"),
        "{out}"
    );
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
        serde_json::json!([{"max": 200, "every": 1, "per": "second", "seconds": 1,
                            "cost": "call", "scope": "tenant"}])
    );
    assert_eq!(token["endpoint"], "UserGetToken");
    assert_eq!(token["adjustable"], true);
}

/// `ratespec ARGS` run at the repository's root, as a user would (so sources read `specs/…`).
fn ratespec_at_root(args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ratespec"))
        .args(args)
        .current_dir(specs_dir().join(".."))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the ratespec binary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("ratespec ends")
}

#[test]
fn table_from_generated_code_is_the_parsers_table_row_for_row() {
    for (flags, count) in [(&[][..], 112), (&["--include-commented"][..], 218)] {
        for json in [true, false] {
            let mut table = vec!["table"];
            let mut check = vec!["check"];
            table.extend(flags);
            check.extend(flags);
            if json {
                table.push("--json");
                check.push("--json");
            }
            check.push("specs/");
            let generated = ratespec_at_root(&table, "");
            let parsed = ratespec_at_root(&check, "");
            assert!(generated.status.success(), "{}", stderr(&generated));
            assert!(parsed.status.success(), "{}", stderr(&parsed));
            if json {
                let generated: Vec<Value> =
                    serde_json::from_slice(&generated.stdout).expect("JSON");
                let parsed: Vec<Value> = serde_json::from_slice(&parsed.stdout).expect("JSON");
                assert_eq!(generated.len(), count);
                for (generated, parsed) in generated.iter().zip(&parsed) {
                    assert_eq!(generated, parsed);
                }
                assert_eq!(generated.len(), parsed.len());
            } else {
                let (generated, parsed) = (stdout(&generated), stdout(&parsed));
                // `check` ends with its summary of rows read and diagnosed.
                let parsed = parsed
                    .rsplit_once("endpoints\n")
                    .map(|(table, _)| format!("{table}endpoints\n"))
                    .expect("an endpoint count");
                for (generated, parsed) in generated.lines().zip(parsed.lines()) {
                    assert_eq!(generated, parsed);
                }
                assert!(generated.ends_with(&format!("\n{count} endpoints\n")));
                assert_eq!(generated, parsed);
            }
        }
    }
}

#[test]
fn route_answers_one_request_with_its_endpoint_and_parameters() {
    let output = ratespec_at_root(
        &[
            "route",
            "GET",
            "https://a1.easemob.com/acme/chat/push/label/vip?x=1",
        ],
        "",
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let answer: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(
        answer,
        serde_json::json!({
            "provider": "easemob_push",
            "endpoint": "GetPushLabelByLabelname",
            "path": "/{org_name}/{app_name}/push/label/{labelname}",
            "params": {"org_name": "acme", "app_name": "chat", "labelname": "vip"},
        })
    );
    // Keys in the documented order, parameters in path order.
    assert!(stdout(&output).starts_with(r#"{"provider":"easemob_push","endpoint":"#));
    assert!(
        stdout(&output)
            .contains(r#""params":{"org_name":"acme","app_name":"chat","labelname":"vip"}"#)
    );

    let missing = ratespec_at_root(&["route", "POST", "/user/getToken.json/"], "");
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(stdout(&missing), "{\"error\":\"not_found\"}\n");
    let wrong = ratespec_at_root(&["route", "GET", "/user/getToken.json"], "");
    assert_eq!(wrong.status.code(), Some(1));
    assert_eq!(
        stdout(&wrong),
        "{\"error\":\"method_not_allowed\",\"allowed\":[\"POST\"]}\n"
    );
}

#[test]
fn route_reads_stdin_and_answers_every_line_in_order() {
    let requests = "POST /user/getToken.json\n\
                    POST https://api.rong-cloud.cn/push.json?appKey=k\n\
                    \n\
                    PUT /o/a/push/label/l/user\n\
                    POST /chatroom/entry/set.json\n\
                    POST /../user/getToken.json\n\
                    just-one-word\n";
    for (flags, chatroom) in [
        (&["route"][..], serde_json::json!({"error": "not_found"})),
        (
            &["route", "--include-commented"][..],
            serde_json::json!({
                "provider": "rongcloud",
                "endpoint": "ChatroomEntrySet",
                "path": "/chatroom/entry/set.json",
                "params": {},
            }),
        ),
    ] {
        let output = ratespec_at_root(flags, requests);
        assert!(output.status.success(), "{}", stderr(&output));
        let answers: Vec<Value> = stdout(&output)
            .lines()
            .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
            .collect();
        let found = |endpoint: &str, path: &str| serde_json::json!({"provider": "rongcloud", "endpoint": endpoint, "path": path, "params": {}});
        let malformed =
            serde_json::json!({"error": "malformed", "message": "expected `METHOD TARGET`"});
        assert_eq!(
            answers,
            vec![
                found("UserGetToken", "/user/getToken.json"),
                found("Push", "/push.json"),
                malformed.clone(),
                serde_json::json!({"error": "method_not_allowed", "allowed": ["POST", "GET", "DELETE"]}),
                chatroom,
                serde_json::json!({"error": "not_found"}),
                malformed,
            ]
        );
    }
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
    // Every row that could be read is printed, then the diagnostics, then the summary.
    let out = stdout(&output);
    assert!(out.contains("\n111 endpoints\n"), "{out}");
    assert!(!out.contains("/user/info.json"), "{out}");
    assert!(
        out.ends_with("115 rows with a path: 114 read, 1 diagnosed; 1 error, 0 warnings\n"),
        "{out}"
    );
    let err = stderr(&output);
    assert!(err.contains("rongcloud-server.md:4:24"), "{err}");
    assert!(err.contains("100 次/每年"), "{err}");
    // The help proposes the document's own number.
    assert!(err.contains("limit = \"100 次/每秒\""), "{err}");
    let json = ratespec(&["check", "--json", &dir.display().to_string()]);
    assert_eq!(json.status.code(), Some(1));
    let rows: Vec<Value> = serde_json::from_slice(&json.stdout).expect("rows as JSON");
    assert_eq!(rows.len(), 111);
    let diagnostics: Vec<Value> = stderr(&json)
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object a line"))
        .collect();
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0]["line"], 4);
    assert_eq!(diagnostics[0]["column"], 24);
    assert_eq!(diagnostics[0]["severity"], "error");
    assert!(
        diagnostics[0]["file"]
            .as_str()
            .unwrap()
            .ends_with("rongcloud-server.md")
    );
    assert!(
        diagnostics[0]["help"]
            .as_str()
            .unwrap()
            .contains("[document.routes.\"/user/info.json\"]")
    );
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
fn diff_works_when_the_new_version_has_problems() {
    let dir = scratch("cli-diff-broken");
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
        "/user/info.json 100 次/每秒",
        "/user/info.json 100 次/每年",
    );
    let output = ratespec(&[
        "diff",
        &format!("{}/{new}", specs()),
        &dir.join(new).display().to_string(),
    ]);
    // What changed among the rows it read (the unreadable row is not reported as a change),
    // then the problem, and exit status 1.
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        "~ POST /user/getToken.json  windows: 200/second → 300/second\n"
    );
    let err = stderr(&output);
    assert!(err.contains("rongcloud-server.md:4:24"), "{err}");
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
