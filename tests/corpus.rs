//! Real vendor documents beyond the seeds (`tests/corpus/`, byte for byte as published; see
//! `tests/corpus/SOURCES.md`), each read with the `limits.toml` a user would write.
//!
//! Every row with a path is read right or diagnosed at its line. The expected Easemob rows
//! (`easemob-im-limits-en.expected.jsonl`) were written by `tests/corpus/expected_easemob.py`,
//! which splits the document's table lines on `|` and reads each of its 15 distinct limit cells
//! by hand; its output was checked by eye against the document. Nothing here was recorded from
//! the parser.

use std::fs;
use std::path::{Path, PathBuf};

use ratespec_parser::report::{self, Summary};
use ratespec_parser::{Diagnostic, Load};
use ratespec_tests::load;
use serde_json::Value;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// A scratch folder (one per test: they run in parallel) holding one corpus document and
/// the `limits.toml` written for it.
fn folder(test: &str, document: &str, config: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("corpus")
        .join(test);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    fs::copy(corpus().join(document), dir.join(document)).unwrap();
    fs::write(
        dir.join("limits.toml"),
        format!("[[document]]\nfile = \"{document}\"\n{config}"),
    )
    .unwrap();
    dir
}

/// A scratch folder (one per test) holding one document and no `limits.toml`.
fn page_folder_without_config(test: &str, file: &str, text: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("corpus")
        .join(test);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join(file), text).unwrap();
    dir
}

/// A scratch folder (one per test) holding a document written for the test, `text` as
/// `file`, and its `limits.toml` entry (`config`, after the `file` key).
fn page(test: &str, file: &str, text: &str, config: &str) -> PathBuf {
    let dir = page_folder_without_config(test, file, text);
    fs::write(
        dir.join("limits.toml"),
        format!("[[document]]\nfile = \"{file}\"\n{config}"),
    )
    .unwrap();
    dir
}

/// The rows as `check --json` prints them, with file paths relative to the folder.
fn rows(load: &Load, dir: &Path) -> Vec<Value> {
    let prefix = format!("{}/", dir.display());
    report::rows(&load.catalog)
        .iter()
        .map(|row| {
            let text = serde_json::to_string(row).unwrap().replace(&prefix, "");
            serde_json::from_str(&text).unwrap()
        })
        .collect()
}

/// Each row's path, first window's `max` and its length in seconds, as text.
fn paths_max_seconds(load: &Load, dir: &Path) -> Vec<(String, String, String)> {
    rows(load, dir)
        .iter()
        .map(|r| {
            let w = &r["windows"][0];
            (
                r["path"].as_str().unwrap().to_string(),
                w["max"].to_string(),
                w["seconds"].to_string(),
            )
        })
        .collect()
}

/// Each row's `METHOD /path`, first window's `max` and length in seconds, and where its
/// limit was read, as text.
fn routes_max_seconds_sources(load: &Load, dir: &Path) -> Vec<(String, String, String, String)> {
    rows(load, dir)
        .iter()
        .map(|r| {
            let w = &r["windows"][0];
            (
                format!(
                    "{} {}",
                    r["method"].as_str().unwrap(),
                    r["path"].as_str().unwrap()
                ),
                w["max"].to_string(),
                w["seconds"].to_string(),
                r["limit_source"]["at"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// One expected row of [`routes_max_seconds_sources`]: `METHOD path`, its window's `max` and
/// length in seconds, and `file:line`.
fn route_row(route: &str, max: &str, seconds: &str, at: &str) -> (String, String, String, String) {
    (route.into(), max.into(), seconds.into(), at.into())
}

/// (line, severity, a part of the message) of every diagnostic.
fn diagnostics(load: &Load) -> Vec<(usize, &'static str, &str)> {
    load.diagnostics
        .iter()
        .map(|d: &Diagnostic| (d.at.line, d.severity.as_str(), d.message.as_str()))
        .collect()
}

#[test]
fn easemob_im_every_published_row_is_read_right_or_diagnosed_at_its_line() {
    // The document says its day windows run on UTC.
    let dir = folder(
        "easemob-published",
        "easemob-im-limits-en.md",
        "module = \"easemob_im\"\nutc_offset = \"+00:00\"\n",
    );
    let load = load(&[&dir], false);
    let expected: Vec<Value> =
        fs::read_to_string(corpus().join("easemob-im-limits-en.expected.jsonl"))
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
    let actual = rows(&load, &dir);
    for (a, e) in actual.iter().zip(&expected) {
        assert_eq!(a, e, "\n actual   {a}\n expected {e}");
    }
    assert_eq!(actual.len(), expected.len());

    let found = diagnostics(&load);
    let expect: &[(usize, &str, &str)] = &[
        // `{usernames}` beside `{username}`: the same requests, two rows.
        (104, "error", "matches the same requests as"),
        (117, "error", "matches the same requests as"),
        // The batch allowlist row repeats the blocklist row's URL.
        (120, "warning", "documented twice in one table"),
        (153, "warning", "documented twice in one table"),
        (171, "error", "matches the same requests as"),
        (179, "error", "matches the same requests as"),
        // Four cells under a header of three.
        (213, "error", "this row has 4 cells but its table's header"),
    ];
    assert_eq!(found.len(), expect.len(), "{:#?}", load.diagnostics);
    for (f, e) in found.iter().zip(expect) {
        assert_eq!((f.0, f.1), (e.0, e.1), "{f:?}");
        assert!(f.2.contains(e.2), "{f:?}");
    }
    // 182 published lines carry a path (one of them two paths); 7 are diagnosed.
    let summary = Summary::of(&load);
    assert_eq!((summary.rows, summary.diagnosed), (182, 7));
}

#[test]
fn easemob_im_rows_inside_comments_count_when_asked() {
    let dir = folder(
        "easemob-commented",
        "easemob-im-limits-en.md",
        "module = \"easemob_im\"\nutc_offset = \"+00:00\"\ninclude_commented = true\n",
    );
    let load = load(&[&dir], false);
    assert_eq!(Summary::of(&load).rows, 195);
    let commented: Vec<Value> = rows(&load, &dir)
        .into_iter()
        .filter(|r| r["published"] == false)
        .collect();
    assert_eq!(commented.len(), 13);
    let keyword = commented
        .iter()
        .find(|r| r["endpoint"] == "DeleteModerationTextListByListIdWord")
        .expect("(list_id) is a parameter");
    assert_eq!(
        keyword["path"],
        "/{org_name}/{app_name}/moderation/text/list/{list_id}/word"
    );
}

/// A document without one API path reads to no endpoint and says so, quoting the lines
/// that state limits it could not attach to a route.
fn no_path(document: &str, quoted: &[usize]) {
    let dir = folder(document, document, "utc_offset = \"+08:00\"\n");
    let load = load(&[&dir], false);
    assert_eq!(load.catalog.endpoint_count(), 0);
    assert_eq!(load.diagnostics.len(), 1, "{:#?}", load.diagnostics);
    let d = &load.diagnostics[0];
    assert!(!d.is_error());
    assert!(
        d.message
            .contains("no line of this document carries an API path"),
        "{}",
        d.message
    );
    let help = d.help.as_deref().unwrap();
    for line in quoted {
        assert!(help.contains(&format!("line {line} `")), "{help}");
    }
}

#[test]
fn agora_rtm_sdk_methods_are_not_routes() {
    // A table of SDK methods: their links to the documentation are not API paths.
    no_path("agora-rtm-limits-zh.md", &[18, 20, 22]);
}

#[test]
fn hyphenate_feature_groups_have_no_path() {
    no_path("hyphenate-limits-en.md", &[23, 30]);
}

#[test]
fn rongcloud_english_prose_page_has_no_path() {
    no_path("rongcloud-limits-en.txt", &[3]);
}

#[test]
fn easemob_im_settled_in_limits_toml_as_the_readme_shows() {
    let dir = folder(
        "easemob-settled",
        "easemob-im-limits-en.md",
        "module = \"easemob_im\"\nutc_offset = \"+00:00\"\n\
         # The batch forms are a comma list in the same segment as the single forms.\n\
         skip_lines = [104, 117, 171, 179]\n\
         [document.routes.\"DELETE /{org_name}/{app_name}/users\"]\n\
         limit = \"30 calls/second/App Key\"\n\
         # Modifying a chat room and transferring its ownership are one API.\n\
         [document.routes.\"PUT /{org_name}/{app_name}/chatrooms/{chatroom_id}\"]\n\
         variant = \"PutChatroom\"\n",
    );
    let load = load(&[&dir], false);
    let errors: Vec<&Diagnostic> = load.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The warning of the route named in limits.toml is settled; the other stays.
    assert_eq!(load.diagnostics.len(), 1, "{:#?}", load.diagnostics);
    assert_eq!(load.diagnostics[0].at.line, 120);
    let rows = rows(&load, &dir);
    let delete_users = rows
        .iter()
        .find(|r| r["method"] == "DELETE" && r["path"] == "/{org_name}/{app_name}/users")
        .expect("the shifted row's route, its limit from limits.toml");
    assert_eq!(delete_users["windows"][0]["max"], 30);
    assert_eq!(delete_users["limit_source"]["origin"], "config");
    assert_eq!(delete_users["limit_source"]["at"], "limits.toml:7");
    // It is outside the sentence's shared quota: its own bucket.
    assert_eq!(delete_users["bucket"], "DeleteUsers");
    assert_eq!(rows.len(), 177 - 4 + 1);
}

/// (variant, method, path, host, windows as (max, every, per), adjustable, bucket, where the
/// limit came from as `origin:line`).
type Expected = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static [(u64, u64, &'static str)],
    bool,
    &'static str,
    &'static str,
);

/// The shapes the vendors' other pages take, in one document written for this test, with the
/// rows a reader expects written down by hand.
#[test]
fn shapes_of_other_vendor_pages_read_as_a_reader_expects() {
    let document = "\
# 服务端 API 频率限制

除部分 API 接口有特殊说明外，API 调用频率限制默认为 100 次/秒。

## 用户

| 接口 | 请求地址 | 调用频率上限 | 是否可调 |
| --- | --- | --- | --- |
| 创建用户 | `POST https://api.example.im/nimserver/user/create.action` | 每 2 秒 5 次 | 是 |
| 更新用户 | POST https://api.example.im/nimserver/user/update.action |  | 否 |

## 群组

| 接口 | 方法 | URL |
| --- | --- | --- |
| 创建群 | POST | /v1/team/create |
| 解散群 | POST | /v1/team/remove |

以上两个接口的总调用频率（默认值）为 50 次/秒/App Key。

<table>
  <tr><th>Interface</th><th>Path</th><th>Community Edition</th><th>Enterprise Edition</th></tr>
  <tr><td>Send</td><td>POST /v1/msg/send</td><td>10 times/s</td><td>30 times/s</td></tr>
  <tr><td>Recall</td><td>POST /v1/msg/recall/:{msgId}</td><td>5 times/s</td><td>15 times/s</td></tr>
</table>

## 消息

| 接口 | 方法 | 请求 URL | 频率 |
| --- | --- | --- | --- |
| 单发消息 | POST | v4/openim/sendmsg | 单用户 5 次/分钟，200 次/秒 |
";
    let dir = page("shapes", "im.md", document, "plan = \"Enterprise\"\n");
    let load = load(&[&dir], false);
    assert!(load.diagnostics.is_empty(), "{:#?}", load.diagnostics);
    let rows = rows(&load, &dir);
    // (variant, method, path, host, windows as (max, every, per), adjustable, bucket,
    // limit origin and line), read off the document above by hand; variants follow the
    // naming rules of the README (the last segment's extension, `.action`, is dropped).
    let expected: &[Expected] = &[
        (
            "PostNimserverUserCreate",
            "POST",
            "/nimserver/user/create.action",
            Some("api.example.im"),
            &[(5, 2, "second")],
            true,
            "PostNimserverUserCreate",
            "row:9",
        ),
        (
            "PostNimserverUserUpdate",
            "POST",
            "/nimserver/user/update.action",
            Some("api.example.im"),
            &[(100, 1, "second")],
            false,
            "PostNimserverUserUpdate",
            "default:3",
        ),
        (
            "PostV1TeamCreate",
            "POST",
            "/v1/team/create",
            None,
            &[(50, 1, "second")],
            false,
            "PostV1TeamCreateGroup",
            "prose:19",
        ),
        (
            "PostV1TeamRemove",
            "POST",
            "/v1/team/remove",
            None,
            &[(50, 1, "second")],
            false,
            "PostV1TeamCreateGroup",
            "prose:19",
        ),
        (
            "PostV1MsgSend",
            "POST",
            "/v1/msg/send",
            None,
            &[(30, 1, "second")],
            false,
            "PostV1MsgSend",
            "row:23",
        ),
        (
            "PostV1MsgRecallByMsgId",
            "POST",
            "/v1/msg/recall/{msgId}",
            None,
            &[(15, 1, "second")],
            false,
            "PostV1MsgRecallByMsgId",
            "row:24",
        ),
        (
            "PostV4OpenimSendmsg",
            "POST",
            "/v4/openim/sendmsg",
            None,
            &[(5, 1, "minute"), (200, 1, "second")],
            false,
            "PostV4OpenimSendmsg",
            "row:31",
        ),
    ];
    assert_eq!(rows.len(), expected.len(), "{rows:#?}");
    for (row, e) in rows.iter().zip(expected) {
        let windows: Vec<(u64, u64, String)> = row["windows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                (
                    w["max"].as_u64().unwrap(),
                    w["every"].as_u64().unwrap(),
                    w["per"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let want: Vec<(u64, u64, String)> =
            e.4.iter().map(|&(m, n, p)| (m, n, p.to_string())).collect();
        let source = format!(
            "{}:{}",
            row["limit_source"]["origin"].as_str().unwrap(),
            row["limit_source"]["at"]
                .as_str()
                .unwrap()
                .rsplit(':')
                .next()
                .unwrap()
        );
        assert_eq!(
            (
                row["endpoint"].as_str().unwrap(),
                row["method"].as_str().unwrap(),
                row["path"].as_str().unwrap(),
                row["host"].as_str(),
                windows,
                row["adjustable"].as_bool().unwrap(),
                row["bucket"].as_str().unwrap(),
                source.as_str()
            ),
            (e.0, e.1, e.2, e.3, want, e.5, e.6, e.7),
            "{row}"
        );
    }
    // `单用户` before the first window: it is kept per user.
    let scopes: Vec<&str> = rows[6]["windows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["scope"].as_str().unwrap())
        .collect();
    assert_eq!(scopes, ["user", "tenant"]);
}

/// A web page copied as text, without the header line RongCloud's has: rows whose rest is a
/// limit phrase read, routes without a limit take the document's default, and a line with
/// more than a phrase after its path is reported, not guessed. Rows written by hand.
#[test]
fn a_text_page_without_a_header_line() {
    let document = "\
Server API rate limits
Unless otherwise specified, the default limit is 20 calls/second.
POST /v1/users 100 requests per second
GET /v1/users/{id} 50 次/秒
DELETE /v1/users/{id} 不限
- GET /v1/files/{id} Download a file
Export /v1/export 1 call/minute, see the export guide for batch sizes
The /v1/users API is the one most clients call first.
";
    let dir = page("text-page", "api.txt", document, "");
    let load = load(&[&dir], false);
    let read: Vec<(String, String, String, String)> = rows(&load, &dir)
        .iter()
        .map(|r| {
            let windows: Vec<String> = r["windows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|w| format!("{}/{}", w["max"], w["per"].as_str().unwrap()))
                .collect();
            (
                r["method"].as_str().unwrap().to_string(),
                r["path"].as_str().unwrap().to_string(),
                windows.join(" + "),
                r["limit_source"]["origin"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let row = |m: &str, p: &str, w: &str, o: &str| (m.into(), p.into(), w.into(), o.into());
    assert_eq!(
        read,
        vec![
            row("POST", "/v1/users", "100/second", "row"),
            row("GET", "/v1/users/{id}", "50/second", "row"),
            // 不限: the document says there is no limit.
            row("DELETE", "/v1/users/{id}", "", "row"),
            row("GET", "/v1/files/{id}", "20/second", "default"),
        ]
    );
    let diagnosed: Vec<usize> = load.diagnostics.iter().map(|d| d.at.line).collect();
    assert_eq!(diagnosed, [7], "{:#?}", load.diagnostics);
}

/// A bulleted list of interfaces in the shapes vendors write (NetEase-style): each line's
/// path followed by its limit, after a colon, a note in brackets or a code span that holds
/// the method too, is a row; a line with a path and a number that no reader takes is a
/// warning at its line (it could be a row whose limit would go unenforced), and lines that
/// only mention a path are not reported. Written for this test; expected rows and lines
/// written down by hand.
#[test]
fn a_list_of_interfaces_reads_row_by_row_and_reports_what_it_cannot_read() {
    let document = "\
## 接口频控说明

服务端接口按照 AppKey 维度进行频率控制，调用 /user/create.action 前请先申请 AppKey。

- 创建账号 POST /user/create.action 100 次/秒
- 发送普通消息 `/msg/sendMsg.action`：每秒 200 次
- 发送广播消息 /msg/broadcastMsg.action：每小时 60 次，每天 10 次
- 查询用户 POST /user/getUinfos.action 50 次/秒
- 更新 token `POST /user/updateToken.action` 20 次/秒
- 撤回消息 /msg/recall.action（撤回）：100 次/秒
- 删除好友 `/friend/delete.action` (DELETE) — 30 次/秒
- 批量查询 /user/batchQuery.action, 10 requests per second
- 更新资料 PUT, PATCH /user/update.action 30 次/秒
- 查询历史 /history/query.action 的频率见第 3 节
调用 /user/getUinfos.action 时每次最多传 200 个账号。
";
    let config = "default_method = \"GET\"\nutc_offset = \"+08:00\"\n";
    let dir = page("unread-lines", "api.md", document, config);
    let load = load(&[&dir], false);
    let read: Vec<(String, String, String, Vec<String>)> = rows(&load, &dir)
        .iter()
        .map(|r| {
            let windows = r["windows"].as_array().unwrap().iter();
            (
                r["source"].as_str().unwrap().to_string(),
                r["method"].as_str().unwrap().to_string(),
                r["path"].as_str().unwrap().to_string(),
                windows
                    .map(|w| format!("{}/{}", w["max"], w["per"].as_str().unwrap()))
                    .collect(),
            )
        })
        .collect();
    let row = |line: usize, method: &str, path: &str, windows: &[&str]| {
        let windows = windows.iter().map(|w| w.to_string()).collect();
        (
            format!("api.md:{line}"),
            method.to_string(),
            path.to_string(),
            windows,
        )
    };
    assert_eq!(
        read,
        [
            row(5, "POST", "/user/create.action", &["100/second"]),
            // After a full-width colon, the unit before the number.
            row(6, "GET", "/msg/sendMsg.action", &["200/second"]),
            row(7, "GET", "/msg/broadcastMsg.action", &["60/hour", "10/day"]),
            row(8, "POST", "/user/getUinfos.action", &["50/second"]),
            // A method and its path in one code span.
            row(9, "POST", "/user/updateToken.action", &["20/second"]),
            // A note in brackets between the path and its limit.
            row(10, "GET", "/msg/recall.action", &["100/second"]),
            // The method in brackets after the path, then a dash.
            row(11, "DELETE", "/friend/delete.action", &["30/second"]),
            // The sentence's comma is not part of the path.
            row(12, "GET", "/user/batchQuery.action", &["10/second"]),
            // A list of methods before the path: one endpoint each.
            row(13, "PUT", "/user/update.action", &["30/second"]),
            row(13, "PATCH", "/user/update.action", &["30/second"]),
        ],
        "{:#?}",
        load.diagnostics
    );
    let reported: Vec<(usize, bool, &str)> = (load.diagnostics.iter())
        .map(|d| (d.at.line, d.is_error(), d.line_text.trim()))
        .collect();
    // No reader takes line 14 (what follows its path is no limit phrase): a warning. Line 15
    // is about a route that was read, and line 3 has no number.
    assert_eq!(
        reported,
        [(
            14,
            false,
            "- 查询历史 /history/query.action 的频率见第 3 节"
        )],
        "{:#?}",
        load.diagnostics
    );
}

/// An English API reference's tables: the method written in the path's cell (`POST
/// /v1/users`, `PUT, PATCH /v1/users/{id}`: one endpoint per method), a code span holding
/// both, limits as bare numbers under a header that names the unit, or as phrases in the
/// shapes such pages use (`100/s`, `1000 per day`, `2 requests per 10 seconds`). Written
/// for this test; expected rows written down by hand.
#[test]
fn an_english_reference_with_methods_in_the_path_cell() {
    let document = "\
# API rate limits

| API | Endpoint | Rate limit (requests per second) |
| --- | --- | --- |
| Create user | POST /v1/users | 100 |
| Update user | PUT, PATCH /v1/users/{id} | 50 |
| Get user | GET /v1/users/{id} | 1,000 |

| Endpoint | Limit |
| --- | --- |
| `GET /v2/channels` | 100/s |
| `POST /v2/channels/{channel_id}/messages` | 5 requests/second per user |
| `DELETE /v2/channels/{channel_id}` | 1000 per day |
| `POST /v2/exports` | 10 req/min |
| `POST /v2/imports` | 2 requests per 10 seconds |
";
    let dir = page(
        "english-reference",
        "api.md",
        document,
        "utc_offset = \"+00:00\"\n",
    );
    let load = load(&[&dir], false);
    assert!(load.diagnostics.is_empty(), "{:#?}", load.diagnostics);
    let read: Vec<[String; 4]> = rows(&load, &dir)
        .iter()
        .map(|r| {
            let windows = r["windows"].as_array().unwrap().iter();
            let windows = windows.map(|w| {
                format!(
                    "{}/{} {} {}",
                    w["max"],
                    w["every"],
                    w["per"].as_str().unwrap(),
                    w["scope"].as_str().unwrap()
                )
            });
            [
                r["source"].as_str().unwrap().to_string(),
                r["method"].as_str().unwrap().to_string(),
                r["path"].as_str().unwrap().to_string(),
                windows.collect::<Vec<_>>().join(" + "),
            ]
        })
        .collect();
    let row = |line: usize, method: &str, path: &str, window: &str| {
        [
            format!("api.md:{line}"),
            method.into(),
            path.into(),
            window.into(),
        ]
    };
    assert_eq!(
        read,
        [
            row(5, "POST", "/v1/users", "100/1 second tenant"),
            row(6, "PUT", "/v1/users/{id}", "50/1 second tenant"),
            row(6, "PATCH", "/v1/users/{id}", "50/1 second tenant"),
            row(7, "GET", "/v1/users/{id}", "1000/1 second tenant"),
            row(11, "GET", "/v2/channels", "100/1 second tenant"),
            row(
                12,
                "POST",
                "/v2/channels/{channel_id}/messages",
                "5/1 second user"
            ),
            row(
                13,
                "DELETE",
                "/v2/channels/{channel_id}",
                "1000/1 day tenant"
            ),
            row(14, "POST", "/v2/exports", "10/1 minute tenant"),
            row(15, "POST", "/v2/imports", "2/10 second tenant"),
        ]
    );
}

/// An HTML table whose cells span rows (`rowspan`), as documentation sites render grouped
/// rows: the spanning cell (a group's name, a shared limit) stands in each row it spans,
/// and a Markdown row too short to reach the URL column is reported at its line rather
/// than dropped. Written for this test in the shape of a Tencent-style page; expected rows
/// written down by hand.
#[test]
fn an_html_table_with_cells_spanning_rows() {
    let document = "\
# 频率限制

<table>
<thead><tr><th>业务</th><th>接口</th><th>频率限制</th></tr></thead>
<tbody>
<tr><td rowspan=\"2\">账号管理</td><td>/v4/account/import</td><td>100 次/秒</td></tr>
<tr><td>/v4/account/multi_import</td><td>100 次/秒</td></tr>
<tr><td>单聊消息</td><td>/v4/openim/sendmsg</td><td>200 次/秒</td></tr>
<tr><td rowspan=\"3\">群组</td><td>/v4/group/create</td><td rowspan=\"2\">50 次/秒</td></tr>
<tr><td>/v4/group/destroy</td></tr>
<tr><td>/v4/group/info</td><td>20 次/秒</td></tr>
</tbody>
</table>

| 业务 | 接口 | 频率限制 |
| --- | --- | --- |
| /v4/profile/get |
| 资料 | /v4/profile/set | 100 次/秒 |
";
    let dir = page("rowspan", "im.md", document, "default_method = \"POST\"\n");
    let load = load(&[&dir], false);
    let read: Vec<[String; 4]> = rows(&load, &dir)
        .iter()
        .map(|r| {
            let names = r["names"].as_array().unwrap().iter();
            [
                r["source"].as_str().unwrap().to_string(),
                r["path"].as_str().unwrap().to_string(),
                names
                    .map(|n| n.as_str().unwrap())
                    .collect::<Vec<_>>()
                    .join(","),
                r["windows"][0]["max"].to_string(),
            ]
        })
        .collect();
    let row = |line: usize, path: &str, name: &str, max: u64| {
        [
            format!("im.md:{line}"),
            path.into(),
            name.into(),
            max.to_string(),
        ]
    };
    assert_eq!(
        read,
        [
            row(6, "/v4/account/import", "账号管理", 100),
            row(7, "/v4/account/multi_import", "账号管理", 100),
            row(8, "/v4/openim/sendmsg", "单聊消息", 200),
            row(9, "/v4/group/create", "群组", 50),
            // Its name and its limit both span from the row above.
            row(10, "/v4/group/destroy", "群组", 50),
            row(11, "/v4/group/info", "群组", 20),
            row(18, "/v4/profile/set", "资料", 100),
        ]
    );
    let reported: Vec<(usize, &str)> = (load.diagnostics.iter())
        .map(|d| (d.at.line, d.message.as_str()))
        .collect();
    assert_eq!(
        reported,
        [(
            17,
            "this row has 1 cell but its table's header (line 15) has 3: which cell is which is a guess, so the row is not read"
        )]
    );
}

/// A page of one section per API, as API references are written (Tencent-style): the
/// section's route on a line of its own (in a one-line code block, a code span, or after a
/// label such as `接口：`) and a sentence that states its limit. A section with one route
/// and one such sentence pairs them; a section with two routes and one sentence pairs
/// nothing (which limit is whose would be a guess), and its routes are reported at their
/// lines. Written for this test; expected rows written down by hand.
#[test]
fn a_page_of_one_section_per_api() {
    let document = "\
# 服务端 API

## 发送单聊消息

请求地址：

```
POST https://console.tim.qq.com/v4/openim/sendmsg
```

频率限制：200 次/秒。

## 批量发单聊消息

`POST /v4/openim/batchsendmsg`

该接口的调用频率上限为 100 次/秒。

## 撤回消息

接口：POST /v4/openim/admin_msgwithdraw

默认频率限制为 50 次/秒。

## 两个接口

POST /v4/a

POST /v4/b

频率限制：10 次/秒。

## 示例

```
POST /v4/example
```

说明：/v4/example 仅为示例
";
    let dir = page("sections", "api.md", document, "");
    let load = load(&[&dir], false);
    let read: Vec<[String; 5]> = rows(&load, &dir)
        .iter()
        .map(|r| {
            [
                r["source"].as_str().unwrap().to_string(),
                r["path"].as_str().unwrap().to_string(),
                r["names"][0].as_str().unwrap().to_string(),
                r["windows"][0]["max"].to_string(),
                r["limit_source"]["origin"].as_str().unwrap().to_string()
                    + " "
                    + r["limit_source"]["at"].as_str().unwrap(),
            ]
        })
        .collect();
    let row = |line: usize, path: &str, name: &str, max: u64, limit_line: usize| {
        [
            format!("api.md:{line}"),
            path.into(),
            name.into(),
            max.to_string(),
            format!("prose api.md:{limit_line}"),
        ]
    };
    assert_eq!(
        read,
        [
            row(8, "/v4/openim/sendmsg", "发送单聊消息", 200, 11),
            row(15, "/v4/openim/batchsendmsg", "批量发单聊消息", 100, 17),
            row(21, "/v4/openim/admin_msgwithdraw", "撤回消息", 50, 23),
        ],
        "{:#?}",
        load.diagnostics
    );
    // The two routes of one section: reported, not paired. The route alone in a code block
    // that no sentence gives a limit, and no row names, is a route without a limit:
    // reported too. A label before a path with more text after it (`说明：/v4/example
    // 仅为示例`) is prose, not a route line.
    let reported: Vec<usize> = load.diagnostics.iter().map(|d| d.at.line).collect();
    assert_eq!(reported, [27, 29, 36], "{:#?}", load.diagnostics);
}

/// An English API reference whose sections are headed by their route (`### POST
/// /v1/channels`) or name it on a line of their own, with a sentence for the limit; a route
/// heading without one is a heading, not a row (the table in its section reads as usual).
/// Written for this test; expected rows written down by hand.
#[test]
fn an_english_reference_with_a_section_per_route() {
    let document = "\
# REST API

## Send a message

`POST /v1/messages`

Rate limit: 100 requests per second.

## Get a user

GET https://api.example.com/v1/users/{user_id}

**Rate limit**: 20 calls/second/App Key

### POST /v1/channels

Create a channel.

Rate limit: 10 requests per second per app.

### `DELETE /v1/channels/{id}`

- Rate limit: 5 requests per minute

### GET /v1/other

Returns other things.

| API | Method | URL | Limit |
| --- | --- | --- | --- |
| Export | POST | /v1/exports | 2 requests/second |
";
    let dir = page("route-headings", "api.md", document, "");
    let load = load(&[&dir], false);
    // The route heading whose section states no limit is a route without one: reported.
    let reported: Vec<(usize, &str)> = (load.diagnostics.iter())
        .map(|d| (d.at.line, d.text.as_str()))
        .collect();
    assert_eq!(reported, [(25, "/v1/other")], "{:#?}", load.diagnostics);
    let read: Vec<[String; 4]> = rows(&load, &dir)
        .iter()
        .map(|r| {
            let window = &r["windows"][0];
            [
                r["source"].as_str().unwrap().to_string(),
                format!(
                    "{} {}",
                    r["method"].as_str().unwrap(),
                    r["path"].as_str().unwrap()
                ),
                format!("{}/{}", window["max"], window["per"].as_str().unwrap()),
                r["limit_source"]["at"].as_str().unwrap().to_string(),
            ]
        })
        .collect();
    let row = |line: usize, route: &str, window: &str, limit_line: usize| {
        [
            format!("api.md:{line}"),
            route.into(),
            window.into(),
            format!("api.md:{limit_line}"),
        ]
    };
    assert_eq!(
        read,
        [
            row(5, "POST /v1/messages", "100/second", 7),
            row(11, "GET /v1/users/{user_id}", "20/second", 13),
            row(15, "POST /v1/channels", "10/second", 19),
            row(21, "DELETE /v1/channels/{id}", "5/minute", 23),
            row(31, "POST /v1/exports", "2/second", 31),
        ]
    );
}

/// A limit cell that says "the same as above" (`同上`, `〃`, `ditto`) takes the phrase of the
/// row above it in its table; at the top of a table there is nothing above, and it is
/// reported. Written for this test; expected rows written down by hand.
#[test]
fn a_limit_cell_that_says_the_same_as_above() {
    let document = "\
# 频率

| 功能 | URL | 频率限制 |
| --- | --- | --- |
| 创建 | /v1/a | 100 次/秒 |
| 删除 | /v1/b | 同上 |
| 查询 | /v1/c | 〃 |
| 修改 | /v1/d | 20 次/分钟 |
| 导出 | /v1/e | ditto |

| 功能 | URL | 频率限制 |
| --- | --- | --- |
| 导入 | /v1/f | 同上。 |
";
    let dir = page("ditto", "api.md", document, "default_method = \"POST\"\n");
    let load = load(&[&dir], false);
    let read: Vec<(String, String)> = rows(&load, &dir)
        .iter()
        .map(|r| {
            let window = &r["windows"][0];
            let limit = format!("{}/{}", window["max"], window["per"].as_str().unwrap());
            (r["path"].as_str().unwrap().to_string(), limit)
        })
        .collect();
    let row = |path: &str, limit: &str| (path.to_string(), limit.to_string());
    assert_eq!(
        read,
        [
            row("/v1/a", "100/second"),
            row("/v1/b", "100/second"),
            row("/v1/c", "100/second"),
            row("/v1/d", "20/minute"),
            row("/v1/e", "20/minute"),
        ]
    );
    let reported: Vec<usize> = load.diagnostics.iter().map(|d| d.at.line).collect();
    assert_eq!(reported, [13], "{:#?}", load.diagnostics);
}

/// A table whose path column is headed `接口` (a word for the API's name) and holds paths
/// without their leading `/`, as some vendors write them: the column is the URL column
/// because nearly all its cells are such paths. Rows written by hand.
#[test]
fn a_column_of_paths_without_their_leading_slash() {
    let document = "\
| 功能 | 接口 | 频率限制 |
|------|------|----------|
| 导入单个帐号 | v4/im_open_login_svc/account_import | 100次/秒 |
| 单发单聊消息 | v4/openim/sendmsg | 200 次/秒 |
| 全员推送 | v4/all_member_push/im_push | 1 次/30 秒 |
";
    let dir = page(
        "relative-paths",
        "im.md",
        document,
        "default_method = \"POST\"\n",
    );
    let load = load(&[&dir], false);
    assert!(load.diagnostics.is_empty(), "{:#?}", load.diagnostics);
    let read = paths_max_seconds(&load, &dir);
    let row = |p: &str, m: &str, s: &str| (p.to_string(), m.to_string(), s.to_string());
    assert_eq!(
        read,
        [
            row("/v4/im_open_login_svc/account_import", "100", "1"),
            row("/v4/openim/sendmsg", "200", "1"),
            row("/v4/all_member_push/im_push", "1", "30"),
        ]
    );
}

#[test]
fn a_column_of_relative_paths_with_one_full_url() {
    let document = "\
| 功能 | 接口 | 默认频率限制 |
| --- | --- | --- |
| 单发单聊消息 | v4/openim/sendmsg | 1,200 次/秒 |
| 批量发单聊消息 | v4/openim/batchsendmsg | 200次/秒 |
| 拉取运营数据 | https://console.tim.qq.com/v4/openconfigsvr/getappinfo | 10 次/分钟 |
";
    let dir = page(
        "relative-and-full",
        "im.md",
        document,
        "default_method = \"POST\"\n",
    );
    let load = load(&[&dir], false);
    assert!(load.diagnostics.is_empty(), "{:#?}", load.diagnostics);
    let row = |p: &str, m: &str, s: &str| (p.to_string(), m.to_string(), s.to_string());
    assert_eq!(
        paths_max_seconds(&load, &dir),
        [
            row("/v4/openim/sendmsg", "1200", "1"),
            row("/v4/openim/batchsendmsg", "200", "1"),
            row("/v4/openconfigsvr/getappinfo", "10", "60"),
        ]
    );
}

/// Lists of routes, each with its name and its limit after it, or nothing: counts in a word
/// (`once per minute`), whose quota between the count and the period (`per user per 5
/// minutes`), an item that is only a code span, and a default for every endpoint but the
/// ones listed. Rows written by hand.
#[test]
fn lists_of_routes_with_names_and_limits_in_words() {
    let document = "\
# API rate limits

All endpoints are limited to 100 requests per second per application unless noted below.

- `POST /v1/messages` — 10 req/s
- `GET /v1/messages/{id}`
- `DELETE /v1/messages/{id}` is limited to 5 requests every 2 seconds.
- `GET /v1/channels`: once per minute
- `PUT /v1/channels/{id}` — Update a channel: 1 request per user per 5 minutes

## 消息

- /msg/sendMsg.action：发送普通消息，120 次/秒
- /msg/sendBatchMsg.action 批量发送点对点普通消息 每分钟 120 次
";
    let dir = page(
        "route-lists",
        "api.md",
        document,
        "default_method = \"POST\"\n",
    );
    let load = load(&[&dir], false);
    assert!(load.diagnostics.is_empty(), "{:#?}", load.diagnostics);
    assert_eq!(
        routes_max_seconds_sources(&load, &dir),
        [
            route_row("POST /v1/messages", "10", "1", "api.md:5"),
            route_row("GET /v1/messages/{id}", "100", "1", "api.md:3"),
            route_row("DELETE /v1/messages/{id}", "5", "2", "api.md:7"),
            route_row("GET /v1/channels", "1", "60", "api.md:8"),
            route_row("PUT /v1/channels/{id}", "1", "300", "api.md:9"),
            route_row("POST /msg/sendMsg.action", "120", "1", "api.md:13"),
            route_row("POST /msg/sendBatchMsg.action", "120", "60", "api.md:14"),
        ]
    );
    let rows = rows(&load, &dir);
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["names"][0].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        names,
        [
            "",
            "",
            "",
            "",
            "Update a channel",
            "发送普通消息",
            "批量发送点对点普通消息"
        ]
    );
    // The user's window of the PUT route.
    assert_eq!(rows[4]["windows"][0]["scope"], "user");
}

/// An API reference whose route and limit stand in sibling subsections of the API's section
/// (`### HTTP request` / `### Rate limit`, `### 请求 URL` / `### 最高调用频率`), or whose
/// limit is a table of labels and values; an API section without a limit takes the
/// document's default; a code block of a route a table names is an example of that row; a
/// route heading under a heading that states a limit takes it. Rows written by hand.
#[test]
fn an_api_reference_with_its_limits_in_subsections() {
    let document = "\
# Messages

Unless otherwise specified, the default limit is 100 calls per second.

## Send a message

### HTTP request

```
POST https://{host}/{org_name}/{app_name}/messages
```

### Rate limit

20 calls per second per App Key.

## Recall a message

### HTTP request

```
POST https://{host}/{org_name}/{app_name}/messages/recall
```

### Request body

| Parameter | Type | Description |
| --- | --- | --- |
| msg_id | String | The message ID. |

## Get a message

### HTTP request

`GET https://{host}/{org_name}/{app_name}/messages/{msg_id}`

| Rate limit | Value |
| --- | --- |
| Requests per second | 10 |

## 单发单聊消息

### 请求 URL 示例

```
https://console.tim.qq.com/v4/openim/sendmsg?sdkappid=88888888&identifier=admin
```

### 最高调用频率

200次/秒。

## Export

| API | Method | URL | Limit |
| --- | --- | --- | --- |
| Export | POST | /v1/exports | 2 requests/second |

```
POST /v1/exports
```

## Channels（30 次/分钟）

### POST /v1/channels

Create a channel.
";
    let dir = page(
        "api-reference",
        "api.md",
        document,
        "default_method = \"POST\"\n",
    );
    let load = load(&[&dir], false);
    assert!(load.diagnostics.is_empty(), "{:#?}", load.diagnostics);
    assert_eq!(
        routes_max_seconds_sources(&load, &dir),
        [
            route_row(
                "POST /{org_name}/{app_name}/messages",
                "20",
                "1",
                "api.md:15"
            ),
            route_row(
                "POST /{org_name}/{app_name}/messages/recall",
                "100",
                "1",
                "api.md:3"
            ),
            route_row(
                "GET /{org_name}/{app_name}/messages/{msg_id}",
                "10",
                "1",
                "api.md:39"
            ),
            route_row("POST /v4/openim/sendmsg", "200", "1", "api.md:51"),
            route_row("POST /v1/exports", "2", "1", "api.md:57"),
            route_row("POST /v1/channels", "30", "60", "api.md:63"),
        ]
    );
    let names: Vec<String> = rows(&load, &dir)
        .iter()
        .map(|r| r["names"][0].as_str().unwrap_or("").to_string())
        .collect();
    // The API's section names its one row, not the subsection it stands in.
    assert_eq!(
        names,
        [
            "Send a message",
            "Recall a message",
            "Get a message",
            "单发单聊消息",
            "Export",
            "Channels"
        ]
    );
}

/// A method line in one subsection of an API's section is the method of the route in
/// another (`### HTTP method` / `### URL`).
#[test]
fn a_method_line_in_a_sibling_subsection() {
    let document = "\
## Send

### HTTP method

**Method**: PUT

### URL

`/v1/send`

### Rate limit

10 requests per second.
";
    let dir = page("sibling-method", "api.md", document, "");
    let load = load(&[&dir], false);
    assert!(load.diagnostics.is_empty(), "{:#?}", load.diagnostics);
    assert_eq!(
        routes_max_seconds_sources(&load, &dir),
        [(
            "PUT /v1/send".into(),
            "10".into(),
            "1".into(),
            "api.md:13".into()
        )]
    );
}

/// Tables that spread a limit over columns: QPS numbers, one column per window, whose quota
/// in a column of its own, the window in a column of its own; a burst column is no window,
/// and a window column's cell that does not read is reported. Rows written by hand.
#[test]
fn limits_spread_over_columns() {
    let document = "\
# 接口限频

| 接口名称 | 请求方式 | 接口地址 | QPS |
| --- | --- | --- | --- |
| 发送消息 | POST | /v1/messages | 100 |

| 接口 | 每秒上限 | 每日上限 | Burst (per second) |
| --- | --- | --- | --- |
| POST /v2/push | 100 | 100000 | 200 |
| POST /v2/push/batch | 10 | - | 20 |
| POST /v2/push/tags | 10 | 很多 | 20 |

| API | Limit | Scope |
| --- | --- | --- |
| POST /v4/a | 100/min | per user |
| POST /v4/b | 1000/min | per app |

| API | Requests | Window |
| --- | --- | --- |
| POST /v5/a | 100 | 1 minute |
| POST /v5/b | 10 | 10 seconds |
";
    let dir = page(
        "spread-columns",
        "api.md",
        document,
        "utc_offset = \"+08:00\"\n",
    );
    let load = load(&[&dir], false);
    assert_eq!(load.diagnostics.len(), 1, "{:#?}", load.diagnostics);
    let d = &load.diagnostics[0];
    assert_eq!((d.at.line, d.text.as_str()), (11, "很多"));
    assert!(
        d.message
            .starts_with("unreadable limit phrase under `每日上限`"),
        "{}",
        d.message
    );
    let rows = rows(&load, &dir);
    /// A window's `max`, length in seconds and scope.
    type Window = (u64, u64, String);
    let windows: Vec<(String, Vec<Window>)> = rows
        .iter()
        .map(|r| {
            let windows = r["windows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|w| {
                    (
                        w["max"].as_u64().unwrap(),
                        w["seconds"].as_u64().unwrap(),
                        w["scope"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            (r["path"].as_str().unwrap().to_string(), windows)
        })
        .collect();
    let w = |max: u64, seconds: u64, scope: &str| (max, seconds, scope.to_string());
    assert_eq!(
        windows,
        [
            ("/v1/messages".into(), vec![w(100, 1, "tenant")]),
            (
                "/v2/push".into(),
                vec![w(100, 1, "tenant"), w(100_000, 86_400, "tenant")]
            ),
            ("/v2/push/batch".into(), vec![w(10, 1, "tenant")]),
            ("/v4/a".into(), vec![w(100, 60, "user")]),
            ("/v4/b".into(), vec![w(1000, 60, "tenant")]),
            ("/v5/a".into(), vec![w(100, 60, "tenant")]),
            ("/v5/b".into(), vec![w(10, 10, "tenant")]),
        ]
    );
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["names"][0].as_str().unwrap_or(""))
        .collect();
    assert_eq!(names, ["发送消息", "", "", "", "", "", ""]);
}

/// Beside rows, a table that states limits without a path is noted at its header (its rows
/// may be APIs whose paths the document does not give); `skip_lines` acknowledges it.
#[test]
fn a_table_of_limits_without_paths_beside_rows_is_noted() {
    let document = "\
| API | URL | Limit |
| --- | --- | --- |
| Send | /v1/messages | 100/s |

| SDK method | Limit |
| --- | --- |
| login | 2 次/秒 |
| sendMessage | 10 次/秒 |
";
    let dir = page(
        "pathless-table",
        "api.md",
        document,
        "default_method = \"POST\"\n",
    );
    let read = load(&[&dir], false);
    assert_eq!(read.diagnostics.len(), 1, "{:#?}", read.diagnostics);
    let d = &read.diagnostics[0];
    assert!(!d.is_error());
    assert_eq!((d.at.line, d.text.as_str()), (5, "| SDK method | Limit |"));
    assert_eq!(paths_max_seconds(&read, &dir).len(), 1);
    let dir = page(
        "pathless-table-skipped",
        "api.md",
        document,
        "default_method = \"POST\"\nskip_lines = [5]\n",
    );
    assert!(load(&[&dir], false).diagnostics.is_empty());
}

/// A code block whose lines are routes and their limits lists limits: each line is read,
/// and one that does not read is reported. A request example is no such block. Rows written
/// by hand.
#[test]
fn a_code_block_that_lists_limits() {
    let document = "\
# Limits

```
POST /v1/messages      100/s
GET  /v1/messages/{id} 1,000 requests per minute
DELETE /v1/messages/{id}   20 requests per second for paid plans
```

Example request:

```http
POST /v1/messages HTTP/1.1
Host: api.example.com
Content-Length: 120
```

    PUT /v1/channels/{id}  5/s
    GET /v1/channels       10/s
";
    let dir = page("code-block-lists", "api.md", document, "");
    let load = load(&[&dir], false);
    assert_eq!(load.diagnostics.len(), 1, "{:#?}", load.diagnostics);
    assert_eq!(load.diagnostics[0].at.line, 6);
    assert_eq!(
        routes_max_seconds_sources(&load, &dir),
        [
            route_row("POST /v1/messages", "100", "1", "api.md:4"),
            route_row("GET /v1/messages/{id}", "1000", "60", "api.md:5"),
            route_row("PUT /v1/channels/{id}", "5", "1", "api.md:17"),
            route_row("GET /v1/channels", "10", "1", "api.md:18"),
        ]
    );
    let summary = Summary::of(&load);
    assert_eq!((summary.rows, summary.diagnosed), (5, 1));
}

/// Ordered, quoted and nested lists of routes, one of them bold, under a default that says
/// "by default": the markup and a note's label are no names. Rows written by hand.
#[test]
fn ordered_quoted_and_nested_lists_of_routes() {
    let document = "# Rate limits\n\
\n\
By default, each App Key can call each REST API up to 100 times per second.\n\
\n\
The following APIs have their own limits:\n\
\n\
1. `POST /v1/messages/broadcast`: 1 call per minute\n\
2. `POST /v1/users/batch` — 20 calls per second\n\
3. **`DELETE /v1/users/{id}`**: 50 calls per second\n\
\n\
> Note: `GET /v1/stats` may be called 10 times per hour.\n\
\n\
* Message APIs\n\
\x20 * `POST /v1/messages` 200 calls/second\n\
\x20 * `GET /v1/messages/{id}` 500 calls/second\n\
\n\
- `GET /v1/limitless`\n\
";
    let dir = page("list-shapes", "api.md", document, "");
    let load = load(&[&dir], false);
    assert!(load.diagnostics.is_empty(), "{:#?}", load.diagnostics);
    assert_eq!(
        routes_max_seconds_sources(&load, &dir),
        [
            route_row("POST /v1/messages/broadcast", "1", "60", "api.md:7"),
            route_row("POST /v1/users/batch", "20", "1", "api.md:8"),
            route_row("DELETE /v1/users/{id}", "50", "1", "api.md:9"),
            route_row("GET /v1/stats", "10", "3600", "api.md:11"),
            route_row("POST /v1/messages", "200", "1", "api.md:14"),
            route_row("GET /v1/messages/{id}", "500", "1", "api.md:15"),
            route_row("GET /v1/limitless", "100", "1", "api.md:3"),
        ]
    );
    let rows = rows(&load, &dir);
    assert!(
        rows.iter()
            .all(|r| r["names"].as_array().unwrap().is_empty() || r["names"][0] == ""),
        "{rows:#?}"
    );
    assert_eq!(rows[6]["limit_source"]["origin"], "default");
}

/// A page copied as text with its table's cells separated by tabs, under an introduction
/// whose sentence states the APIs' default; a cell that states nothing takes it. A default
/// that names an API after another sentence is no default. Rows written by hand.
#[test]
fn a_text_copy_with_tabs_and_the_default_in_its_introduction() {
    let document = "服务端 API 频控\n\n云信服务端接口默认频控为每秒 100 次。\n\n接口\t说明\t频控\n\
/user/create.action\t创建账号\t100次/秒\n\
/msg/sendBatchMsg.action\t批量发送点对点消息\t每分钟 120 次\n\
/team/create.action\t创建群\t-\n";
    let dir = page(
        "text-tabs",
        "a.txt",
        document,
        "default_method = \"POST\"\n",
    );
    let read = load(&[&dir], false);
    assert!(read.diagnostics.is_empty(), "{:#?}", read.diagnostics);
    assert_eq!(
        routes_max_seconds_sources(&read, &dir),
        [
            route_row("POST /user/create.action", "100", "1", "a.txt:6"),
            route_row("POST /msg/sendBatchMsg.action", "120", "60", "a.txt:7"),
            route_row("POST /team/create.action", "100", "1", "a.txt:3"),
        ]
    );
    let rows = rows(&read, &dir);
    assert_eq!(rows[2]["names"][0], "创建群");
    assert_eq!(rows[2]["limit_source"]["origin"], "default");
    // After a sentence about something else, `default` about a named API is no default.
    let document = "Known issues. Send Group Message has a default limit of 20 messages per second.\n\n- POST /v1/x\n- POST /v1/y\n";
    let dir = page("text-default-named", "b.md", document, "");
    let load = load(&[&dir], false);
    assert_eq!(load.diagnostics.len(), 2, "{:#?}", load.diagnostics);
    assert!(
        (load.diagnostics.iter()).all(|d| d.message.contains("states no limit")),
        "{:#?}",
        load.diagnostics
    );
}

/// What such lists say that is not read is reported at its line and counted: a quota all
/// the APIs share, a name with a number before the limit (it may hold a cap), a limit with
/// words after it.
#[test]
fn lists_of_routes_report_what_they_do_not_read() {
    let document = "\
# 频率限制

所有接口共享每分钟 600 次的调用额度，以下接口除外。

- GET /v1/a — List 2 things: 10 requests per second
- GET /v1/b: 10 requests per second for paid plans
- GET /v1/c 查询 每秒 10 次
";
    let dir = page("route-lists-reported", "api.md", document, "");
    let load = load(&[&dir], false);
    let at: Vec<(usize, &str)> = load
        .diagnostics
        .iter()
        .map(|d| (d.at.line, d.message.as_str()))
        .collect();
    assert_eq!(at.len(), 3, "{:#?}", load.diagnostics);
    assert_eq!(at[0].0, 3);
    assert!(
        at[0]
            .1
            .starts_with("a quota that all the APIs share is not read")
    );
    assert_eq!(at[1].0, 5);
    assert!(
        at[1].1.starts_with("unreadable limit phrase"),
        "{}",
        at[1].1
    );
    assert_eq!(
        load.diagnostics[1].text,
        "— List 2 things: 10 requests per second"
    );
    assert_eq!(at[2].0, 6);
    assert!(at[2].1.starts_with("a row-like line"), "{}", at[2].1);
    let summary = Summary::of(&load);
    assert_eq!((summary.rows, summary.diagnosed), (3, 2));
    assert_eq!(
        paths_max_seconds(&load, &dir),
        [("/v1/c".to_string(), "10".to_string(), "1".to_string())]
    );
}

/// The Chinese forms of the Easemob page's shapes (written for this test after the English
/// page of the corpus): `<br/>` lists with a cap and an example sentence, period-first
/// windows, notes on raising a limit, per-user scopes, and the sentence about two tables
/// without a limit column that also states an add-on size. Rows written by hand.
#[test]
fn chinese_forms_of_the_easemob_shapes() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/easemob-zh/im.md");
    let text = fs::read_to_string(fixture).unwrap();
    let dir = page("easemob-zh", "im.md", &text, "utc_offset = \"+08:00\"\n");
    let load = load(&[&dir], false);
    assert!(load.diagnostics.is_empty(), "{:#?}", load.diagnostics);
    let summary: Vec<(String, String, String, bool, String)> = rows(&load, &dir)
        .iter()
        .map(|r| {
            let mut limit: Vec<String> = r["windows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|w| {
                    format!(
                        "{} {}/{}{} {}",
                        w["max"],
                        w["cost"].as_str().unwrap(),
                        w["every"],
                        w["per"].as_str().unwrap(),
                        w["scope"].as_str().unwrap()
                    )
                })
                .collect();
            for cap in r["caps"].as_array().unwrap() {
                limit.push(format!(
                    "{} {} per request",
                    cap["max"],
                    cap["cost"].as_str().unwrap()
                ));
            }
            (
                r["endpoint"].as_str().unwrap().to_string(),
                limit.join(", "),
                r["cost"].as_str().unwrap().to_string(),
                r["adjustable"].as_bool().unwrap(),
                r["bucket"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let row = |e: &str, l: &str, c: &str, a: bool, b: &str| {
        (
            e.to_string(),
            l.to_string(),
            c.to_string(),
            a,
            b.to_string(),
        )
    };
    assert_eq!(
        summary,
        vec![
            row(
                "PostMessagesUsers",
                "100 call/1second tenant, 6000 message/1minute tenant, 600 user per request",
                "message",
                false,
                "PostMessagesUsers"
            ),
            row(
                "PostMessagesChatgroups",
                "20 message/1second tenant, 20 call/1second tenant, 3 target_group per request",
                "message",
                false,
                "PostMessagesChatgroups"
            ),
            row(
                "PostMessagesBroadcast",
                "1 call/30minute tenant, 3 call/1day tenant",
                "call",
                true,
                "PostMessagesBroadcast"
            ),
            row(
                "PostMessagesUsersBroadcast",
                "1 call/1minute tenant, 50 call/1day tenant",
                "call",
                false,
                "PostMessagesUsersBroadcast"
            ),
            row(
                "DeleteUsersByUserNameUserChannel",
                "5 call/1minute user, 100 call/1second tenant",
                "call",
                false,
                "DeleteUsersByUserNameUserChannel"
            ),
            row(
                "PostChatfiles",
                "100 call/1second tenant",
                "call",
                false,
                "PostChatfiles"
            ),
            row(
                "PostUsers",
                "100 call/1second tenant",
                "call",
                false,
                "PostUsersGroup"
            ),
            row(
                "GetUsersByUsername",
                "100 call/1second tenant",
                "call",
                false,
                "PostUsersGroup"
            ),
            row(
                "PutUsersByUserIdPushBinding",
                "100 call/1second tenant",
                "call",
                false,
                "PostUsersGroup"
            ),
        ]
    );
}

/// A limit column whose header names the unit and whose cells write only the number, and
/// scopes written in parentheses or as `/每个 App Key`. Rows written by hand.
#[test]
fn numbers_under_a_header_that_names_the_unit() {
    let document = "\
| 接口 | 方法 | URL | 调用频率（次/秒） |
| --- | --- | --- | --- |
| 创建 | POST | /v1/a | 50 |
| 查询 | GET | /v1/a | 6,000 |
| 删除 | DELETE | /v1/a | 10 次/分钟（单个用户） |
";
    let dir = page("header-unit", "api.md", document, "");
    let load = load(&[&dir], false);
    assert!(load.diagnostics.is_empty(), "{:#?}", load.diagnostics);
    let read: Vec<(String, u64, String, String)> = rows(&load, &dir)
        .iter()
        .map(|r| {
            let w = &r["windows"][0];
            (
                r["method"].as_str().unwrap().to_string(),
                w["max"].as_u64().unwrap(),
                w["per"].as_str().unwrap().to_string(),
                w["scope"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let row = |m: &str, max: u64, per: &str, scope: &str| (m.into(), max, per.into(), scope.into());
    assert_eq!(
        read,
        vec![
            row("POST", 50, "second", "tenant"),
            row("GET", 6000, "second", "tenant"),
            row("DELETE", 10, "minute", "user"),
        ]
    );
}

/// RongCloud's server API page in English, copied as text like the Chinese seed: the English
/// header line and link cells, English bases, `natural day`, a shared quota. Rows by hand.
#[test]
fn rongcloud_english_text_rows() {
    let document = "\
User
Feature/Documentation API URL Rate Limit Polaris API Debug URL Apifox Debug URL
Register User /user/getToken.json 200 requests/second, adjustable API Debug API Debug
Deactivate User /user/deactivate.json 100 users/second Not supported API Debug
Send One-to-One Message /message/private/publish.json 6000 messages/minute, counted by the number of recipients, adjustable API Debug API Debug
Send Group Message /message/group/publish.json 20 messages/second, counted by number of target groups, adjustable API Debug API Debug
Broadcast Push /push.json 2 requests/hour, 3 requests/natural day (shared), adjustable API Debug API Debug
Tag Push /push.json 2 requests/hour, 3 requests/natural day (shared), adjustable API Debug API Debug
";
    let dir = page(
        "rongcloud-en-rows",
        "rc.txt",
        document,
        "default_method = \"POST\"\nutc_offset = \"+08:00\"\n",
    );
    let load = load(&[&dir], false);
    assert!(load.diagnostics.is_empty(), "{:#?}", load.diagnostics);
    let read: Vec<(String, String, String, bool, usize)> = rows(&load, &dir)
        .iter()
        .map(|r| {
            let windows: Vec<String> = r["windows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|w| format!("{}/{}", w["max"], w["per"].as_str().unwrap()))
                .collect();
            (
                r["path"].as_str().unwrap().to_string(),
                windows.join(" + "),
                r["cost"].as_str().unwrap().to_string(),
                r["adjustable"].as_bool().unwrap(),
                r["names"].as_array().unwrap().len(),
            )
        })
        .collect();
    let row = |p: &str, w: &str, c: &str, a: bool, n: usize| (p.into(), w.into(), c.into(), a, n);
    assert_eq!(
        read,
        vec![
            row("/user/getToken.json", "200/second", "call", true, 1),
            row("/user/deactivate.json", "100/second", "user", false, 1),
            row(
                "/message/private/publish.json",
                "6000/minute",
                "recipient",
                true,
                1
            ),
            row(
                "/message/group/publish.json",
                "20/second",
                "target_group",
                true,
                1
            ),
            // One endpoint, two documented names, marked shared.
            row("/push.json", "2/hour + 3/day", "call", true, 2),
        ]
    );
}

/// Limits written in the words vendors use, in a list and in a table, with the rows written
/// down by hand: a route inside a sentence, labels, numerals, the request first, per
/// address; and a window of one group, which is no tenant window and is reported alone.
#[test]
fn limits_in_the_words_vendors_write() {
    let document = "\
# Limits

- The `GET /v1/users` endpoint allows 50 requests per second.

| API | Method | URL | Limit |
| --- | --- | --- | --- |
| A | POST | /v1/a | Requests per second: 20 |
| B | POST | /v1/b | 每秒两次 |
| C | POST | /v1/c | 20 次/秒/IP |
| D | POST | /v1/d | 频率限制：100 次/分钟；单次最多 100 个用户 |
| E | POST | /v1/e | 单个群组最多 20 条/秒 |
";
    let dir = page("vendor-words", "api.md", document, "");
    let load = load(&[&dir], false);
    let read: Vec<(String, String, String)> = rows(&load, &dir)
        .iter()
        .map(|r| {
            let w = &r["windows"][0];
            let limit = format!("{}/{}", w["max"], w["per"].as_str().unwrap());
            let scope = w["scope"].as_str().unwrap().to_string();
            (r["path"].as_str().unwrap().to_string(), limit, scope)
        })
        .collect();
    let row = |path: &str, limit: &str, scope: &str| {
        (path.to_string(), limit.to_string(), scope.to_string())
    };
    assert_eq!(
        read,
        [
            row("/v1/users", "50/second", "tenant"),
            row("/v1/a", "20/second", "tenant"),
            row("/v1/b", "2/second", "tenant"),
            row("/v1/c", "20/second", "ip"),
            row("/v1/d", "100/minute", "tenant"),
        ]
    );
    let d = rows(&load, &dir)
        .into_iter()
        .find(|r| r["path"] == "/v1/d")
        .unwrap();
    assert_eq!(d["caps"][0]["max"], 100, "{d:#}");
    // `The` before the route names no API.
    let users = rows(&load, &dir)
        .into_iter()
        .find(|r| r["path"] == "/v1/users")
        .unwrap();
    assert_eq!(users["names"], serde_json::json!([]), "{users:#}");
    let reported: Vec<usize> = load.diagnostics.iter().map(|d| d.at.line).collect();
    assert_eq!(reported, [11], "{:#?}", load.diagnostics);
}

/// Tables whose limit column's header names the window, cells holding only numbers; rows
/// written by hand.
#[test]
fn limit_columns_headed_by_their_window() {
    let document = "\
| Endpoint | Calls per minute |
| --- | --- |
| POST /v2/c | 600 |

| 接口 | 每秒调用上限 |
| --- | --- |
| POST /v2/d | 100 |

| 接口 | 每 10 秒请求数 |
| --- | --- |
| POST /v2/e | 30 |
";
    let dir = page("header-windows", "api.md", document, "");
    let load = load(&[&dir], false);
    assert!(load.diagnostics.is_empty(), "{:#?}", load.diagnostics);
    let read = paths_max_seconds(&load, &dir);
    let row = |path: &str, max: &str, seconds: &str| {
        (path.to_string(), max.to_string(), seconds.to_string())
    };
    assert_eq!(
        read,
        [
            row("/v2/c", "600", "60"),
            row("/v2/d", "100", "1"),
            row("/v2/e", "30", "10"),
        ]
    );
}

/// Limits stated in headings and a default stated for every API but those below: which
/// rows take which, written by hand.
#[test]
fn limits_in_headings_and_a_default_with_exceptions() {
    let document = "\
# 频率限制

所有接口默认频率限制为 100 次/秒，以下接口除外：

## 消息接口（600 次/分钟）

| 接口 | 方法 |
| --- | --- |
| /msg/send | POST |

| 接口 | 方法 | 频率 |
| --- | --- | --- |
| /msg/recall | POST | 10 次/秒 |

### 广播

- POST /msg/broadcast

## Groups: 20 requests/second

| Endpoint | Method |
| --- | --- |
| /groups/create | POST |

以上接口共享 50 次/秒。

## 其他

| 接口 | 方法 |
| --- | --- |
| /other | POST |
";
    let dir = page("heading-limits", "api.md", document, "");
    let load = load(&[&dir], false);
    assert!(load.diagnostics.is_empty(), "{:#?}", load.diagnostics);
    let read = routes_max_seconds_sources(&load, &dir);
    assert_eq!(
        read,
        [
            // The heading's limit, for a table without a limit column under it.
            route_row("POST /msg/send", "600", "60", "api.md:5"),
            // A row's own limit beats the heading's.
            route_row("POST /msg/recall", "10", "1", "api.md:13"),
            // A route line under a sub-heading takes the heading above it.
            route_row("POST /msg/broadcast", "600", "60", "api.md:5"),
            // A sentence about the table beats the heading.
            route_row("POST /groups/create", "50", "1", "api.md:25"),
            // After the heading's section, the document's default.
            route_row("POST /other", "100", "1", "api.md:3"),
        ]
    );
}

/// Day windows whose phrase names the time zone their days run in, with and without
/// `utc_offset` in limits.toml.
#[test]
fn the_time_zone_of_day_windows_as_the_document_states_it() {
    let document = "\
| Endpoint | Limit |
| --- | --- |
| POST /v1/a | 1000 calls per day (UTC) |
| POST /v1/b | 100 calls/second, 5000 calls/day, calculated in UTC |
";
    // The document says where its days start: no utc_offset is needed.
    let dir = page("day-zone-stated", "api.md", document, "");
    let stated = load(&[&dir], false);
    assert!(stated.diagnostics.is_empty(), "{:#?}", stated.diagnostics);
    assert_eq!(stated.catalog.documents[0].utc_offset, Some(0));
    // limits.toml contradicts it: an error at each row.
    let dir = page(
        "day-zone-contradicted",
        "api.md",
        document,
        "utc_offset = \"+08:00\"\n",
    );
    let contradicted = load(&[&dir], false);
    assert_eq!(
        diagnostics(&contradicted),
        [
            (
                3,
                "error",
                "the limit says its days start at UTC+00:00, but limits.toml sets utc_offset = \"+08:00\""
            ),
            (
                4,
                "error",
                "the limit says its days start at UTC+00:00, but limits.toml sets utc_offset = \"+08:00\""
            ),
        ]
    );
    // One row says nothing: its days are not known.
    let document = "\
| Endpoint | Limit |
| --- | --- |
| POST /v1/a | 1000 次/天（北京时间） |
| POST /v1/b | 5000 次/天 |
| POST /v1/c | 5000 calls/day (UTC) |
";
    let dir = page("day-zone-partly", "api.md", document, "");
    let partly = load(&[&dir], false);
    assert_eq!(
        diagnostics(&partly),
        [(
            4,
            "error",
            "a calendar-day limit, but the document's UTC offset is not set"
        )]
    );
    assert!(
        partly.diagnostics[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("line 3 says its days start at UTC+08:00")),
        "{:?}",
        partly.diagnostics[0].help
    );
}

/// Methods dressed in brackets, bold or code, a limit column headed by whose quota it is,
/// and numbers under a header that names what they count: every row written by hand.
#[test]
fn methods_dressed_and_headers_that_name_scope_or_unit() {
    let document = "\
| Path | Rate Limit (per user) |
| --- | --- |
| [POST] /v1/a | 10/min |
| POST: /v1/b | 10/min |
| **GET** /v1/c | 10/min |
| `DELETE` `/v1/d` | 10/min |
| `/v1/e` (PUT) | 10/min |

| Method | Path | Requests/min |
| --- | --- | --- |
| GET | /v1/f | 100 |
| POST | https://api.example.com/v1/g | 200 |
";
    let dir = page("dressed-methods", "api.md", document, "");
    let load = load(&[&dir], false);
    assert!(load.diagnostics.is_empty(), "{:#?}", load.diagnostics);
    let read: Vec<(String, String, String, String, String)> = rows(&load, &dir)
        .iter()
        .map(|r| {
            let w = &r["windows"][0];
            (
                r["method"].as_str().unwrap().to_string(),
                r["path"].as_str().unwrap().to_string(),
                w["max"].to_string(),
                w["seconds"].to_string(),
                w["scope"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let row = |method: &str, path: &str, max: &str, seconds: &str, scope: &str| {
        (
            method.into(),
            path.into(),
            max.into(),
            seconds.into(),
            scope.into(),
        )
    };
    assert_eq!(
        read,
        [
            row("POST", "/v1/a", "10", "60", "user"),
            row("POST", "/v1/b", "10", "60", "user"),
            row("GET", "/v1/c", "10", "60", "user"),
            row("DELETE", "/v1/d", "10", "60", "user"),
            row("PUT", "/v1/e", "10", "60", "user"),
            row("GET", "/v1/f", "100", "60", "tenant"),
            row("POST", "/v1/g", "200", "60", "tenant"),
        ]
    );
}

/// Rows that name the APIs they share a quota with, by name or by route: the buckets and
/// the errors written by hand.
#[test]
fn quotas_shared_with_named_apis() {
    let document = "\
| 接口名称 | 请求地址 | 频率限制 |
| --- | --- | --- |
| 创建用户 | POST /v1/users | 100 次/秒 |
| 删除用户 | DELETE /v1/users/{id} | 与创建用户共享 100 次/秒 |
| 查询用户 | GET /v1/users/{id} | 20 次/秒 |
| 批量查询 | POST /v1/users/query | 20 次/秒（与 GET /v1/users/{id} 共享） |
| 导出用户 | POST /v1/users/export | 5 次/秒，与导入用户共享 |
| 禁用用户 | POST /v1/users/ban | 10 次/秒（与 /v1/users 共享） |
";
    let dir = page("shared-with", "api.md", document, "");
    let load = load(&[&dir], false);
    let buckets: Vec<(String, String)> = rows(&load, &dir)
        .iter()
        .map(|r| {
            (
                format!(
                    "{} {}",
                    r["method"].as_str().unwrap(),
                    r["path"].as_str().unwrap()
                ),
                r["bucket"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let row = |route: &str, bucket: &str| (route.to_string(), bucket.to_string());
    assert_eq!(
        buckets,
        [
            row("POST /v1/users", "PostV1UsersGroup"),
            row("DELETE /v1/users/{id}", "PostV1UsersGroup"),
            row("GET /v1/users/{id}", "GetV1UsersByIdGroup"),
            row("POST /v1/users/query", "GetV1UsersByIdGroup"),
            row("POST /v1/users/export", "PostV1UsersExport"),
            row("POST /v1/users/ban", "PostV1UsersBan"),
        ]
    );
    assert_eq!(
        diagnostics(&load),
        [
            (
                7,
                "error",
                "`POST /v1/users/export` shares its quota with `导入用户`, but no route or row of api.md is named so"
            ),
            (
                8,
                "error",
                "`POST /v1/users/ban` shares its quota with `POST /v1/users`, but their limits differ: `10 次/秒（与 /v1/users 共享）` and `100 次/秒`"
            ),
        ]
    );
}

/// A web page saved as HTML, and a Markdown page whose HTML block holds two tables and
/// text after them: every line with a path is read or reported, written by hand.
/// A docs site's page saved as HTML: a table whose paths are written without their `/` in
/// `<code>`, list items that start with such a path in `<code>`, and the scripts, styles and
/// navigation around them. Rows written by hand.
#[test]
fn a_docs_site_page_with_relative_paths_in_code() {
    let document = "<!DOCTYPE html>\n\
<html lang=\"zh-CN\">\n\
<head>\n\
<meta charset=\"utf-8\">\n\
<title>REST API 频率限制 - 即时通信 IM</title>\n\
<script>window.__data = {\"path\": \"/v4/openim/sendmsg\", \"qps\": 200};</script>\n\
<style>.x { width: 100px; }</style>\n\
</head>\n\
<body>\n\
<nav><ul><li><a href=\"/document/product/269\">即时通信 IM</a></li></ul></nav>\n\
<div class=\"content\">\n\
<h1>REST API 频率限制</h1>\n\
<p>即时通信 IM 的 REST API 默认频率限制如下，如需提高请<a href=\"/ticket\">提交工单</a>。</p>\n\
<table>\n\
<thead><tr><th>功能</th><th>接口</th><th>默认频率限制</th></tr></thead>\n\
<tbody>\n\
<tr><td>导入单个账号</td><td><code>v4/im_open_login_svc/account_import</code></td><td>100次/秒</td></tr>\n\
<tr><td>单发单聊消息</td><td><code>v4/openim/sendmsg</code></td><td>1,200 次/秒</td></tr>\n\
<tr>\n\
  <td>全员推送</td>\n\
  <td><code>v4/all_member_push/im_push</code></td>\n\
  <td>1 次/30 秒</td>\n\
</tr>\n\
</tbody>\n\
</table>\n\
<h2>群组</h2>\n\
<ul>\n\
<li><code>v4/group_open_http_svc/create_group</code>：创建群组，200 次/秒</li>\n\
<li><code>/v4/group_open_http_svc/destroy_group</code>：解散群组，200 次/秒</li>\n\
</ul>\n\
</div>\n\
<footer>© 2013-2026 Tencent Cloud. /about/privacy 123</footer>\n\
</body>\n\
</html>\n\
";
    let dir = page(
        "docs-site",
        "page.html",
        document,
        "default_method = \"POST\"\n",
    );
    let load = load(&[&dir], false);
    // The footer's `/about/privacy 123` looks like a row and is reported.
    let reported: Vec<usize> = load.diagnostics.iter().map(|d| d.at.line).collect();
    assert_eq!(reported, [32], "{:#?}", load.diagnostics);
    assert_eq!(
        paths_max_seconds(&load, &dir),
        [
            (
                "/v4/im_open_login_svc/account_import".into(),
                "100".into(),
                "1".into()
            ),
            ("/v4/openim/sendmsg".into(), "1200".into(), "1".into()),
            (
                "/v4/all_member_push/im_push".into(),
                "1".into(),
                "30".into()
            ),
            (
                "/v4/group_open_http_svc/create_group".into(),
                "200".into(),
                "1".into()
            ),
            (
                "/v4/group_open_http_svc/destroy_group".into(),
                "200".into(),
                "1".into()
            ),
        ]
    );
}

#[test]
fn html_pages_and_html_blocks_are_read_line_by_line() {
    let html = "\
<!DOCTYPE html>
<html>
<head>
<title>Rate limits</title>
<style>
td { padding: 2px; }
</style>
</head>
<body>
<h1>Rate limits</h1>
<p>Unless otherwise specified, the default limit is 100 requests/second.</p>
<h2>Users</h2>
<table>
<tr><th>API</th><th>Limit</th></tr>
<tr><td>POST /v1/users</td><td>10/s</td></tr>
<tr><td>GET /v1/users/{id}</td><td></td></tr>
</table>
<h2>Messages (50 requests/second)</h2>
<ul>
<li>POST /v1/messages</li>
</ul>
<p>The <code>DELETE /v1/messages/{id}</code> endpoint allows 5 requests per second.</p>
<p>See <code>GET /v1/help</code> for details.</p>
</body>
</html>
";
    let dir = page_folder_without_config("html-page", "limits.html", html);
    let html_load = load(&[&dir], false);
    let read = routes_max_seconds_sources(&html_load, &dir);
    assert_eq!(
        read,
        [
            route_row("POST /v1/users", "10", "1", "limits.html:15"),
            route_row("GET /v1/users/{id}", "100", "1", "limits.html:11"),
            route_row("POST /v1/messages", "50", "1", "limits.html:18"),
            route_row("DELETE /v1/messages/{id}", "5", "1", "limits.html:22"),
        ]
    );
    // A sentence that mentions a route without a number is a mention, as in Markdown.
    assert!(
        html_load.diagnostics.is_empty(),
        "{:#?}",
        html_load.diagnostics
    );

    let document = "\
# Limits

<table>
<tr><th>API</th><th>Limit</th></tr>
<tr><td>POST /v2/a</td><td>10/s</td></tr>
</table>
<table>
<tr><th>API</th><th>Limit</th></tr>
<tr><td>POST /v2/b</td><td>20/s</td></tr>
</table>
<ul><li>POST /v2/c 30 requests/second</li></ul>
";
    let dir = page("html-blocks", "api.md", document, "");
    let load = load(&[&dir], false);
    assert!(load.diagnostics.is_empty(), "{:#?}", load.diagnostics);
    assert_eq!(
        paths_max_seconds(&load, &dir),
        [
            ("/v2/a".to_string(), "10".to_string(), "1".to_string()),
            ("/v2/b".to_string(), "20".to_string(), "1".to_string()),
            ("/v2/c".to_string(), "30".to_string(), "1".to_string()),
        ]
    );
}

/// A page of one section per API whose method, URL and limit are labelled lines: every row
/// written by hand.
#[test]
fn sections_with_labelled_method_url_and_limit_lines() {
    let document = "\
# 用户管理

### 创建用户

- 请求地址：`POST /v1/users`
- 频率限制：100 次/秒

### 删除用户

**请求方式**：DELETE

**请求 URL**：`https://api.example.com/v1/users/{id}`

**调用频率**：20 次/秒/App Key

### 查询用户

接口：GET /v1/users/{id}，调用频率上限 50 次/秒。

### Update a user

- URL: `https://api.example.com/v1/users/{id}`
- Method: PATCH
- Rate limit: 10 requests per second
";
    let dir = page("labelled-sections", "api.md", document, "");
    let load = load(&[&dir], false);
    assert!(load.diagnostics.is_empty(), "{:#?}", load.diagnostics);
    let read = routes_max_seconds_sources(&load, &dir);
    assert_eq!(
        read,
        [
            route_row("POST /v1/users", "100", "1", "api.md:6"),
            route_row("DELETE /v1/users/{id}", "20", "1", "api.md:14"),
            route_row("GET /v1/users/{id}", "50", "1", "api.md:18"),
            route_row("PATCH /v1/users/{id}", "10", "1", "api.md:24"),
        ]
    );
    let names: Vec<String> = rows(&load, &dir)
        .iter()
        .map(|r| r["names"][0].as_str().unwrap_or("").to_string())
        .collect();
    // The one route of a section without a name of its own takes the section's title
    // (`接口：` names no API).
    assert_eq!(names, ["创建用户", "删除用户", "查询用户", "Update a user"]);
}

/// A list whose items name the API first and give its path in brackets, ASCII or
/// full-width, maybe with its method or in a code span, then its limit. A line that holds a
/// path in brackets is never a section title, so one that does not read is reported. Rows
/// written by hand.
#[test]
fn routes_whose_path_is_in_brackets_after_their_name() {
    let document = "# 服务端 API 调用频率\n\
\n\
1. 创建群组（/v1/group/create）：每秒 50 次\n\
2. 解散群组 (/v1/group/dismiss) 每分钟 20 次\n\
3. 查询群组（`GET /v1/group/{id}`）：每秒 100 次\n\
- Mute a member (POST /v1/group/mute): 10 requests per second\n\
\n\
修改群组 (/v1/group/update) 每秒最多 30 次，超过后返回 429\n\
转让群组 (/v1/group/transfer) 的频率见第 3 节\n\
";
    let dir = page(
        "bracketed-paths",
        "api.md",
        document,
        "default_method = \"POST\"\n",
    );
    let load = load(&[&dir], false);
    assert_eq!(
        routes_max_seconds_sources(&load, &dir),
        [
            route_row("POST /v1/group/create", "50", "1", "api.md:3"),
            route_row("POST /v1/group/dismiss", "20", "60", "api.md:4"),
            route_row("GET /v1/group/{id}", "100", "1", "api.md:5"),
            route_row("POST /v1/group/mute", "10", "1", "api.md:6"),
            route_row("POST /v1/group/update", "30", "1", "api.md:8"),
        ]
    );
    let rows = rows(&load, &dir);
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["names"][0].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "创建群组",
            "解散群组",
            "查询群组",
            "Mute a member",
            "修改群组"
        ]
    );
    // A line with a path in brackets and no limit is reported at its path, not taken for a
    // section title.
    assert_eq!(
        diagnostics(&load),
        [(
            9,
            "warning",
            "this line holds an API path but is not read as a row: its limit, if it states one, is not enforced"
        )]
    );
    assert_eq!(load.diagnostics[0].at.column, 7);
}

/// A table without a limit column whose description cells state some rows' limits in a
/// sentence: each reads as that row's limit (a scope before its window included); a row
/// whose cells state none takes the document's default. In a limit column, a sentence is
/// reported, and the help's example is the limit the sentence states. Rows written by hand.
#[test]
fn limits_stated_in_a_description_cell() {
    let document = "# 服务端接口\n\
\n\
除特殊说明外，接口默认调用频率为 50 次/秒。\n\
\n\
| 接口 | 功能 | 说明 |\n\
| --- | --- | --- |\n\
| /v1/a | 发送消息 | 发送单聊消息，调用频率：100 次/秒 |\n\
| /v1/b | 撤回消息 | 仅可撤回 2 分钟内的消息。频率限制为每分钟 60 次。 |\n\
| /v1/c | 创建群组 | 每个用户每天最多 10 次 |\n\
| /v1/d | 删除消息 | 删除后不可恢复 |\n\
\n\
| 接口 | 频率限制 |\n\
| --- | --- |\n\
| /v2/a | 10 次/秒 |\n\
| /v2/b | 仅可撤回 2 分钟内的消息。频率限制为每分钟 60 次。 |\n\
";
    let dir = page(
        "description-cells",
        "api.md",
        document,
        "default_method = \"POST\"\nutc_offset = \"+08:00\"\n",
    );
    let load = load(&[&dir], false);
    assert_eq!(
        routes_max_seconds_sources(&load, &dir),
        [
            route_row("POST /v1/a", "100", "1", "api.md:7"),
            route_row("POST /v1/b", "60", "60", "api.md:8"),
            route_row("POST /v1/c", "10", "86400", "api.md:9"),
            route_row("POST /v1/d", "50", "1", "api.md:3"),
            route_row("POST /v2/a", "10", "1", "api.md:14"),
        ]
    );
    let rows = rows(&load, &dir);
    assert_eq!(rows[2]["windows"][0]["scope"], "user", "{:#?}", rows[2]);
    assert_eq!(rows[0]["windows"][0]["scope"], "tenant");
    assert_eq!(rows[3]["limit_source"]["origin"], "default");
    assert_eq!(diagnostics(&load).len(), 1, "{:#?}", load.diagnostics);
    let unread = &load.diagnostics[0];
    assert_eq!(unread.at.line, 15);
    let help = unread.help.as_deref().unwrap_or_default();
    assert!(help.contains("limit = \"每分钟 60 次\""), "{help}");
}

/// A table whose headers each name a window and whose quota it is (`Requests / 15-min
/// window (per app)`, `(per user)`), with numbers under them: each number is a window of
/// its column's length and scope; an empty cell states none. `window` in such a header does
/// not make it a column of periods. Rows written by hand.
#[test]
fn columns_headed_by_a_window_and_its_scope() {
    let document = "# Rate limits\n\
\n\
| Endpoint | Requests / 15-min window (per app) | Requests / 15-min window (per user) |\n\
| --- | --- | --- |\n\
| GET /2/tweets | 300 | 900 |\n\
| POST /2/tweets | | 200 |\n\
| DELETE /2/tweets/:id | 50 | 50 |\n\
";
    let dir = page("window-headers", "api.md", document, "");
    let load = load(&[&dir], false);
    assert!(load.diagnostics.is_empty(), "{:#?}", load.diagnostics);
    // (max, seconds, scope) of each window.
    type Windows = Vec<(u64, u64, String)>;
    let windows: Vec<(String, Windows)> = rows(&load, &dir)
        .iter()
        .map(|r| {
            let route = format!(
                "{} {}",
                r["method"].as_str().unwrap(),
                r["path"].as_str().unwrap()
            );
            let windows = (r["windows"].as_array().unwrap().iter())
                .map(|w| {
                    (
                        w["max"].as_u64().unwrap(),
                        w["seconds"].as_u64().unwrap(),
                        w["scope"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            (route, windows)
        })
        .collect();
    let w = |max: u64, scope: &str| (max, 900, scope.to_string());
    assert_eq!(
        windows,
        [
            (
                "GET /2/tweets".to_string(),
                vec![w(300, "tenant"), w(900, "user")]
            ),
            ("POST /2/tweets".to_string(), vec![w(200, "user")]),
            (
                "DELETE /2/tweets/{id}".to_string(),
                vec![w(50, "tenant"), w(50, "user")]
            ),
        ]
    );
}
