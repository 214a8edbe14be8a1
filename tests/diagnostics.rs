//! Broken copies of the real documents: each problem is reported with its file, line,
//! column, offending text and fix, and nothing else is reported.

use std::path::{Path, PathBuf};

use ratespec_parser::Diagnostic;
use ratespec_tests::{copy_specs, edit, load};

fn scratch(name: &str) -> PathBuf {
    copy_specs(Path::new(env!("CARGO_TARGET_TMPDIR")), name)
}

/// The only diagnostic of loading `dir`.
fn only(dir: &Path, include_commented: bool) -> Diagnostic {
    let mut diagnostics = load(&[dir], include_commented).diagnostics;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    diagnostics.remove(0)
}

fn file_name(diagnostic: &Diagnostic) -> String {
    diagnostic
        .file
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

#[test]
fn unreadable_phrase() {
    let dir = scratch("unreadable");
    edit(
        &dir,
        "rongcloud-server.md",
        "/user/getToken.json 200 次/每秒，可调频",
        "/user/getToken.json 200 次/每周，可调频",
    );
    let d = only(&dir, false);
    assert_eq!(file_name(&d), "rongcloud-server.md");
    assert_eq!((d.at.line, d.at.column), (2, 26));
    assert_eq!(d.text, "200 次/每周");
    assert!(
        d.message.starts_with("unreadable limit phrase"),
        "{}",
        d.message
    );
    assert!(
        d.help
            .as_deref()
            .unwrap()
            .contains("[document.routes.\"/user/getToken.json\"] limit =")
    );
    let shown = d.to_string();
    assert!(shown.contains("rongcloud-server.md:2:26"), "{shown}");
    assert!(
        shown.contains("2 | 注册用户 /user/getToken.json 200 次/每周，可调频 API 调试 API 调试"),
        "{shown}"
    );
}

#[test]
fn unreadable_phrase_is_settled_in_limits_toml() {
    let dir = scratch("unreadable-settled");
    edit(
        &dir,
        "rongcloud-server.md",
        "/user/getToken.json 200 次/每秒，可调频",
        "/user/getToken.json 200 次/每周，可调频",
    );
    edit(
        &dir,
        "limits.toml",
        "include_commented = false\n",
        "include_commented = false\n\n[document.routes.\"/user/getToken.json\"]\nlimit = \"1000 次/每周\"\n",
    );
    let load = load(&[&dir], false);
    // 每周 (a week) is not a window ratespec knows: the override is unreadable too, and the
    // error now points into limits.toml.
    assert_eq!(load.diagnostics.len(), 1, "{:#?}", load.diagnostics);
    assert_eq!(file_name(&load.diagnostics[0]), "limits.toml");
    edit(
        &dir,
        "limits.toml",
        "limit = \"1000 次/每周\"",
        "limit = \"150 次/每秒\"",
    );
    let load = ratespec_tests::load(&[&dir], false);
    assert!(load.diagnostics.is_empty(), "{:#?}", load.diagnostics);
    let endpoint = &load.catalog.documents[1].endpoints[0];
    assert_eq!(endpoint.path(), "/user/getToken.json");
    assert_eq!(endpoint.limit.windows[0].max, 150);
    assert!(endpoint.limit_overridden());
}

#[test]
fn conflicting_duplicate_route() {
    let dir = scratch("conflict");
    edit(
        &dir,
        "rongcloud-server.md",
        "/message/recall.json 100 次/每秒 API",
        "/message/recall.json 50 次/每秒 API",
    );
    let d = only(&dir, false);
    assert_eq!((d.at.line, d.at.column), (77, 31));
    assert_eq!(d.text, "50 次/每秒");
    assert!(
        d.message
            .contains("`POST /message/recall.json` is documented twice with different limits"),
        "{}",
        d.message
    );
    assert!(d.message.contains("(line 63)"), "{}", d.message);
    assert!(
        d.help
            .as_deref()
            .unwrap()
            .contains("[document.routes.\"/message/recall.json\"] limit")
    );

    edit(
        &dir,
        "limits.toml",
        "include_commented = false\n",
        "include_commented = false\n\n[document.routes.\"POST /message/recall.json\"]\nlimit = \"100 次/每秒\"\n",
    );
    let load = load(&[&dir], false);
    assert!(load.diagnostics.is_empty(), "{:#?}", load.diagnostics);
    assert_eq!(load.catalog.endpoint_count(), 112);
}

#[test]
fn unresolved_shared_quota() {
    let dir = scratch("shared");
    // Without the limits.toml groups, the four 共享 chatroom attribute rows share with nobody.
    let config = std::fs::read_to_string(dir.join("limits.toml")).unwrap();
    let cut = config.find("# The 提示 note").unwrap();
    std::fs::write(dir.join("limits.toml"), &config[..cut]).unwrap();
    assert!(
        load(&[&dir], false).diagnostics.is_empty(),
        "commented rows do not count by default"
    );
    let diagnostics = load(&[&dir], true).diagnostics;
    let lines: Vec<usize> = diagnostics.iter().map(|d| d.at.line).collect();
    assert_eq!(lines, [223, 224, 225, 226], "{diagnostics:#?}");
    // The caret is under the phrase: `设置聊天室属性（KV） /chatroom/entry/set.json ` is 37 characters.
    assert_eq!(diagnostics[0].at.column, 38);
    for d in &diagnostics {
        assert!(
            d.message
                .contains("marked 共享 (shared) but shares its quota with no other route")
        );
        assert!(d.text.contains("（共享）"), "{}", d.text);
        assert!(d.help.as_deref().unwrap().contains("[[document.shared]]"));
    }
}

#[test]
fn shared_group_with_an_unknown_route() {
    let dir = scratch("shared-typo");
    edit(
        &dir,
        "limits.toml",
        "\"/chatroom/entry/batch/set.json\"",
        "\"/chatroom/entry/batch/sett.json\"",
    );
    let d = only(&dir, false);
    assert_eq!(file_name(&d), "limits.toml");
    assert_eq!(d.text, "/chatroom/entry/batch/sett.json");
    assert!(
        d.message.contains("is not in rongcloud-server.md"),
        "{}",
        d.message
    );
}

#[test]
fn variant_name_collision() {
    let dir = scratch("collision");
    edit(
        &dir,
        "rongcloud-server.md",
        "作废 Token /user/token/expire.json",
        "注册用户（旧） /user/get_token.json 100 次/每秒 API 调试 API 调试\n作废 Token /user/token/expire.json",
    );
    let d = only(&dir, false);
    assert_eq!(d.at.line, 3);
    assert!(
        d.message
            .contains("both get the variant name `UserGetToken`"),
        "{}",
        d.message
    );
    assert!(
        d.help
            .as_deref()
            .unwrap()
            .contains("[document.routes.\"/user/get_token.json\"] variant = "),
        "{:?}",
        d.help
    );

    edit(
        &dir,
        "limits.toml",
        "include_commented = false\n",
        "include_commented = false\n\n[document.routes.\"/user/get_token.json\"]\nvariant = \"UserGetTokenLegacy\"\n",
    );
    let load = load(&[&dir], false);
    assert!(load.diagnostics.is_empty(), "{:#?}", load.diagnostics);
    let names: Vec<&str> = load.catalog.documents[1].endpoints[..2]
        .iter()
        .map(|e| e.variant.as_str())
        .collect();
    assert_eq!(names, ["UserGetToken", "UserGetTokenLegacy"]);
}

#[test]
fn unknown_limits_toml_key() {
    let dir = scratch("unknown-key");
    edit(
        &dir,
        "limits.toml",
        "default_method = \"POST\"",
        "default_methd = \"POST\"",
    );
    let d = only(&dir, false);
    assert_eq!(file_name(&d), "limits.toml");
    assert!(
        d.message.contains("unknown field `default_methd`"),
        "{}",
        d.message
    );
    assert_eq!(d.text, "default_methd");
    assert_eq!(d.at.column, 1);
}

#[test]
fn missing_file() {
    let dir = scratch("missing");
    std::fs::remove_file(dir.join("easemob-push.md")).unwrap();
    let d = only(&dir, false);
    assert_eq!(file_name(&d), "limits.toml");
    assert_eq!(d.text, "easemob-push.md");
    assert!(
        d.message.ends_with("easemob-push.md does not exist"),
        "{}",
        d.message
    );
    let missing = load(&[&dir.join("nothing-here.md")], false).diagnostics;
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].at.line, 0);
}

#[test]
fn unlisted_document() {
    let dir = scratch("unlisted");
    std::fs::write(
        dir.join("agora-chat.md"),
        "| API | URL | 频率 |\n|---|---|---|\n",
    )
    .unwrap();
    let d = only(&dir, false);
    assert_eq!(file_name(&d), "agora-chat.md");
    assert!(d.message.contains("is not listed in"), "{}", d.message);
}

#[test]
fn a_file_that_is_no_document_is_not_read_and_says_so() {
    let dir = scratch("not-a-document");
    std::fs::write(dir.join("openapi.yaml"), "paths:\n  /v1/users: {}\n").unwrap();
    // Hidden files are no one's documents.
    std::fs::write(dir.join(".DS_Store"), "").unwrap();
    let d = only(&dir, false);
    assert_eq!(file_name(&d), "openapi.yaml");
    assert!(!d.is_error());
    assert!(d.message.contains("is not read"), "{}", d.message);
    assert!(
        d.help
            .as_deref()
            .unwrap()
            .contains("[[document]] file = \"openapi.yaml\"")
    );
    // Listed, it is read: its line with a path is a row, without a method.
    let config = std::fs::read_to_string(dir.join("limits.toml")).unwrap();
    std::fs::write(
        dir.join("limits.toml"),
        format!("{config}\n[[document]]\nfile = \"openapi.yaml\"\n"),
    )
    .unwrap();
    let d = only(&dir, false);
    assert_eq!((file_name(&d).as_str(), d.at.line), ("openapi.yaml", 2));
    assert!(d.message.contains("no method"), "{}", d.message);
}

#[test]
fn a_limit_column_is_found_by_its_cells_when_its_header_does_not_say() {
    let dir = scratch("limit-by-content");
    edit(
        &dir,
        "easemob-push.md",
        "| RESTful API 接口 |方法  | 接口 URL| 接口最高调用频率（默认值） |\n| :----------- | :----- | :------------------- | :------------- |\n| [创建推送标签]",
        "| RESTful API 接口 |方法  | 接口 URL| 说明 |\n| :----------- | :----- | :------------------- | :------------- |\n| [创建推送标签]",
    );
    let load = load(&[&dir], false);
    assert!(load.diagnostics.is_empty(), "{:#?}", load.diagnostics);
    assert_eq!(load.catalog.documents[0].endpoints.len(), 15);
}

#[test]
fn rows_without_a_limit_are_reported_each_at_its_line_not_guessed() {
    let dir = scratch("no-limit");
    let path = dir.join("easemob-push.md");
    let text = std::fs::read_to_string(&path).unwrap();
    // The first table's limit cells say nothing a limit could be read from.
    let text: String = text
        .lines()
        .enumerate()
        .map(|(i, line)| {
            if (10..18).contains(&i) {
                line.replace("10 次/秒/App Key", "见说明")
                    .replace("30 次/秒/App Key", "见说明")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&path, text).unwrap();
    let load = load(&[&dir], false);
    let lines: Vec<usize> = load.diagnostics.iter().map(|d| d.at.line).collect();
    assert_eq!(
        lines,
        (11..=18).collect::<Vec<_>>(),
        "{:#?}",
        load.diagnostics
    );
    assert!(load.diagnostics.iter().all(|d| d.is_error()));
    // The eight rows keep their routes (generated code names them) but are not read; the
    // seven of the other table are.
    let document = &load.catalog.documents[0];
    assert_eq!(
        document.endpoints.iter().filter(|e| e.limit_read).count(),
        7
    );
    assert_eq!(document.endpoints.len(), 15);
}

#[test]
fn row_without_method_and_no_default() {
    let dir = scratch("no-method");
    edit(&dir, "limits.toml", "default_method = \"POST\"\n", "");
    let diagnostics = load(&[&dir], false).diagnostics;
    let (rows, config): (Vec<_>, Vec<_>) = diagnostics
        .iter()
        .partition(|d| file_name(d) == "rongcloud-server.md");
    assert_eq!(rows.len(), 100, "one per published RongCloud row");
    assert!(rows.iter().all(|d| d.message.contains("no method")));
    assert!(
        rows[0]
            .help
            .as_deref()
            .unwrap()
            .contains("default_method = \"POST\"")
    );
    // The `/path` form of the four shared-bucket routes needs the default method too.
    assert_eq!(config.len(), 4, "{config:#?}");
    assert!(
        config
            .iter()
            .all(|d| file_name(d) == "limits.toml"
                && d.message.contains("`/path` or `METHOD /path`"))
    );
}

#[test]
fn calendar_day_needs_an_offset() {
    let dir = scratch("no-offset");
    let config = std::fs::read_to_string(dir.join("limits.toml")).unwrap();
    std::fs::write(
        dir.join("limits.toml"),
        config.replace("utc_offset = \"+08:00\"\n", ""),
    )
    .unwrap();
    let d = only(&dir, false);
    assert_eq!(d.at.line, 78);
    assert!(
        d.help
            .as_deref()
            .unwrap()
            .contains("utc_offset = \"+08:00\"")
    );
}

#[test]
fn every_problem_is_collected_at_once() {
    let dir = scratch("many");
    edit(
        &dir,
        "rongcloud-server.md",
        "/user/info.json 100 次/每秒",
        "/user/info.json 100 次/每年",
    );
    edit(
        &dir,
        "rongcloud-server.md",
        "/user/block.json 100 次/每秒",
        "/user/block.json 100 次/每秒，偶尔限流",
    );
    edit(
        &dir,
        "easemob-push.md",
        "| POST   | /{org_name}/{app_name}/push/label   |",
        "| POST   | {org_name}/push/label   |",
    );
    let lines: Vec<(String, usize)> = load(&[&dir], false)
        .diagnostics
        .iter()
        .map(|d| (file_name(d), d.at.line))
        .collect();
    assert_eq!(
        lines,
        [
            ("easemob-push.md".into(), 11),
            ("rongcloud-server.md".into(), 4),
            ("rongcloud-server.md".into(), 9)
        ]
    );
}

#[test]
fn scope_param_must_name_a_path_parameter_of_a_route_with_scoped_windows() {
    let dir = scratch("scope-param");
    edit(
        &dir,
        "limits.toml",
        "include_commented = false\n",
        "include_commented = false\n\n\
         [document.routes.\"/message/ultragroup/publish.json\"]\nscope_param = \"busChannel\"\n\n\
         [document.routes.\"/user/getToken.json\"]\nscope_param = \"userId\"\n",
    );
    let load = load(&[&dir], false);
    let found: Vec<(u32, &str, &str)> = load
        .diagnostics
        .iter()
        .map(|d| (d.at.line as u32, d.text.as_str(), d.message.as_str()))
        .collect();
    assert_eq!(found.len(), 2, "{:#?}", load.diagnostics);
    let toml = std::fs::read_to_string(dir.join("limits.toml")).unwrap();
    let line_of = |needle: &str| {
        toml.lines()
            .position(|l| l.contains(needle))
            .map(|i| i as u32 + 1)
            .unwrap()
    };
    // A channel window, but no path parameter: the key comes from the form (a hook).
    let ultragroup = found.iter().find(|f| f.1 == "busChannel").unwrap();
    assert_eq!(ultragroup.0, line_of("\"busChannel\""));
    assert!(
        ultragroup.2.contains("has no path parameter `busChannel`"),
        "{ultragroup:?}"
    );
    let token = found.iter().find(|f| f.1 == "userId").unwrap();
    assert_eq!(token.0, line_of("\"userId\""));
    assert!(
        token.2.contains("has no per-user or per-channel window"),
        "{token:?}"
    );
    for d in &load.diagnostics {
        assert_eq!(file_name(d), "limits.toml");
    }
}

#[test]
fn scope_param_is_picked_by_name_and_overridden_in_limits_toml() {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scope-param-im");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/easemob-im");
    for file in ["easemob-im-limits-en.md", "limits.toml"] {
        std::fs::copy(fixture.join(file), root.join(file)).unwrap();
    }
    let user_channel = |load: &ratespec_parser::Load| {
        let doc = &load.catalog.documents[0];
        let ep = doc
            .endpoints
            .iter()
            .find(|e| e.path() == "/{org_name}/{app_name}/users/{userName}/user_channel")
            .unwrap();
        (
            ep.scope_param.clone(),
            doc.endpoints
                .iter()
                .filter(|e| e.scope_param.is_some())
                .count(),
        )
    };
    let picked = load(&[&root], false);
    assert!(picked.diagnostics.is_empty(), "{:#?}", picked.diagnostics);
    // The only per-user window of the document, keyed by `{userName}`.
    assert_eq!(user_channel(&picked), (Some("userName".to_string()), 1));
    let mut toml = std::fs::read_to_string(root.join("limits.toml")).unwrap();
    toml.push_str(
        "\n[document.routes.\"DELETE /{org_name}/{app_name}/users/{userName}/user_channel\"]\n\
         scope_param = \"app_name\"\n",
    );
    std::fs::write(root.join("limits.toml"), &toml).unwrap();
    let overridden = load(&[&root], false);
    assert!(
        overridden.diagnostics.is_empty(),
        "{:#?}",
        overridden.diagnostics
    );
    assert_eq!(user_channel(&overridden).0.as_deref(), Some("app_name"));
    // A misspelt key is an error at its line.
    std::fs::write(
        root.join("limits.toml"),
        toml.replace("scope_param =", "scope_parm ="),
    )
    .unwrap();
    let d = only(&root, false);
    assert!(
        d.message.contains("unknown field `scope_parm`"),
        "{}",
        d.message
    );
    assert_eq!(d.at.line, toml.lines().count());
}

#[test]
fn unknown_vendor() {
    let dir = scratch("unknown-vendor");
    edit(
        &dir,
        "limits.toml",
        "vendor = \"rongcloud\"",
        "vendor = \"rongclod\"",
    );
    let d = only(&dir, false);
    assert_eq!(file_name(&d), "limits.toml");
    assert_eq!(d.message, "not a known vendor");
    assert_eq!(d.text, "rongclod");
    assert!(
        d.help
            .as_deref()
            .unwrap_or("")
            .contains("rongcloud, easemob, other"),
        "{d:?}"
    );
    // Read as configured, the seeds name their vendors.
    let model = load(
        &[Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../specs")
            .as_path()],
        false,
    );
    let vendors: Vec<_> = model
        .catalog
        .documents
        .iter()
        .map(|d| (d.module.as_str(), d.vendor.as_deref()))
        .collect();
    assert_eq!(
        vendors,
        [
            ("easemob_push", Some("easemob")),
            ("rongcloud", Some("rongcloud"))
        ]
    );
}
