//! No input makes the parser panic, and whatever it reads points back at the text it came
//! from: arbitrary text, and the real documents mutated at random.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use ratespec_parser::parse::parse_document;
use ratespec_parser::phrase::parse_phrase;
use ratespec_parser::source::Source;
use ratespec_tests::spec_text;

/// Pieces the documents are made of, so that mutations produce near-misses, not just noise.
const PIECES: &[&str] = &[
    "<!--",
    "-->",
    "|",
    "| --- |",
    "\n",
    " ",
    "/",
    "/{id}",
    "{",
    "}",
    "次/每秒",
    "，可调频",
    "（共享）",
    "每自然日",
    "API 调试",
    "功能/文档页面 API URL 频率限制",
    "200",
    "0",
    "99999999999999999999999",
    "## ",
    "`",
    "[x](y)",
    "\u{3000}",
    "１２",
    "已废弃",
    "/push.json ",
    "\r\n",
    "\t",
    "é",
    "\u{200b}",
    // The shapes of the corpus documents: HTML tables, `<br/>` lists, prose limits, URLs.
    "<table>",
    "<tr>",
    "<th>Interface</th>",
    "<td>",
    "</td>",
    "</table>",
    "<br/>",
    " - ",
    "<li>",
    "Unless otherwise specified, the default limit is 100 calls/second.",
    "以上两个接口的总调用频率为 100 次/秒。",
    "The limit for the APIs in the following two tables is 100 calls/second/App Key.",
    "calls/second/App Key",
    "/single user ID",
    "Every 30 minutes, 1 call is allowed.",
    "每 5 秒 10 次",
    "600 users/request",
    "| RESTful API |Method  | API URL|",
    "| Maximum API call frequency (default) | Single add-on package size |",
    "?a={b}&c=1",
    "${x}",
    "(x)",
    "https://api.example.com",
    "POST ",
    "Community Edition",
    // Headings, web pages, shared quotas, time zones, labelled lines.
    "<h2>",
    "</h2>",
    "<p>",
    "<style>",
    "</style>",
    "&nbsp;",
    "<!--",
    "-->",
    "## 消息接口（100 次/分钟）",
    "所有接口默认频率限制为 100 次/秒，以下接口除外：",
    "与创建用户共享 ",
    "(shared with ",
    "(UTC)",
    "（北京时间）",
    "UTC+8",
    "**请求方式**：DELETE",
    "接口：",
    "burst of 20",
    " 且 ",
    "5 次/用户/分钟",
    // Route lists, words for counts, code blocks.
    "```\n",
    "    ",
    "- `GET /v1/x`",
    "：发送普通消息，",
    "once per minute",
    "twice a day",
    " per user per 5 minutes",
    " unless noted below",
    "所有接口共享每分钟 600 次",
    "v4/openim/sendmsg",
];

fn check(text: &str) {
    let source = Source::new("doc.md", text);
    let parsed = parse_document(&source, Default::default());
    let lines = text.split('\n').count();
    for row in &parsed.rows {
        // A row's path (or URL, which its path normalises) is where the row says it is.
        let line = source.line_text(row.path_at.line);
        let found: String = line.chars().skip(row.path_at.column - 1).collect();
        // (A URL column may write a path without its leading `/`.)
        let found = found.trim_start_matches('`');
        assert!(
            found.starts_with('/')
                || found.to_ascii_lowercase().starts_with("http")
                || found.starts_with(row.path[1..].split('/').next().unwrap_or_default()),
            "{row:?} not at {line:?}"
        );
        assert!(row.path.starts_with('/'), "{row:?}");
        assert!(row.at.line >= 1 && row.at.line <= lines);
    }
    for diagnostic in &parsed.diagnostics {
        assert!(diagnostic.at.line <= lines, "{diagnostic:?}");
        let _ = diagnostic.to_string();
    }
}

fn corpus_text(file: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(file);
    std::fs::read_to_string(path).expect("tests/corpus/ is part of the repository")
}

fn mutate(text: &str, edits: &[(usize, usize, usize)]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for &(at, cut, piece) in edits {
        let at = at % (chars.len() + 1);
        let end = (at + cut % 8).min(chars.len());
        let piece: Vec<char> = PIECES[piece % PIECES.len()].chars().collect();
        chars.splice(at..end, piece);
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_text(text in any::<String>()) {
        check(&text);
    }

    #[test]
    fn arbitrary_phrases(phrase in any::<String>()) {
        let _ = parse_phrase(&phrase);
    }

    #[test]
    fn phrases_built_from_pieces(pieces in proptest::collection::vec(0..PIECES.len(), 0..12)) {
        let phrase: String = pieces.iter().map(|&i| PIECES[i]).collect();
        if let Ok(limit) = parse_phrase(&phrase) {
            // Only a phrase that says there is no limit (`不限`) reads to no window.
            prop_assert!(!limit.windows.is_empty() || !limit.notes.is_empty());
            prop_assert!(limit.windows.iter().all(|w| w.max > 0));
        }
    }

    #[test]
    fn mutated_rongcloud(edits in proptest::collection::vec((any::<usize>(), any::<usize>(), any::<usize>()), 1..20)) {
        check(&mutate(&spec_text("rongcloud-server.md"), &edits));
    }

    #[test]
    fn mutated_easemob_im_corpus(edits in proptest::collection::vec((any::<usize>(), any::<usize>(), any::<usize>()), 1..20)) {
        check(&mutate(&corpus_text("easemob-im-limits-en.md"), &edits));
    }

    #[test]
    fn mutated_html_table_corpus(edits in proptest::collection::vec((any::<usize>(), any::<usize>(), any::<usize>()), 1..20)) {
        check(&mutate(&corpus_text("hyphenate-limits-en.md"), &edits));
    }

    #[test]
    fn mutated_easemob(edits in proptest::collection::vec((any::<usize>(), any::<usize>(), any::<usize>()), 1..20)) {
        check(&mutate(&spec_text("easemob-push.md"), &edits));
    }
}

#[test]
fn whole_pipeline_on_mutated_copies() {
    // The model stage too (merging, naming, buckets) on documents broken in many places.
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("mutated");
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy =
        proptest::collection::vec((any::<usize>(), any::<usize>(), any::<usize>()), 1..30);
    for _ in 0..60 {
        let edits = strategy.new_tree(&mut runner).expect("edits").current();
        let dir = ratespec_tests::copy_specs(&dir, "copy");
        for file in ["rongcloud-server.md", "easemob-push.md"] {
            std::fs::write(dir.join(file), mutate(&spec_text(file), &edits)).expect("write");
        }
        let load = ratespec_tests::load(&[&dir], true);
        for diagnostic in &load.diagnostics {
            assert!(!diagnostic.message.is_empty());
        }
    }
}
