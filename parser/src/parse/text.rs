//! Text rows: a web page's table copied as text, one row a line, cells separated by spaces.
//!
//! `注册用户 /user/getToken.json 200 次/每秒，可调频 API 调试 API 调试`: a name (which may hold
//! spaces), a path token, a limit phrase (which may hold spaces), then the page's link columns.
//! A path token makes a row only when a number follows it, so prose that mentions a path
//! (`均使用 /push.json 接口`) is not a row.

use std::ops::Range;

use super::paths;
use crate::phrase;

/// The header line's facts that the rows under it need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// How many link columns (`北极星 API 调试地址`, `Apifox 调试地址`) follow the limit.
    trailing_columns: usize,
}

/// What the cells of the page's link columns may say.
const TRAILING_CELLS: &[&str] = &[
    "API 调试",
    "API调试",
    "暂不支持",
    "调试",
    "API Debug",
    "Not supported",
    "Debug",
];

impl Header {
    /// The phrase without the trailing link cells the header announced.
    pub fn strip_trailing_cells<'t>(&self, mut rest: &'t str) -> &'t str {
        rest = rest.trim();
        for _ in 0..self.trailing_columns {
            match TRAILING_CELLS.iter().find(|cell| rest.ends_with(*cell)) {
                Some(cell) => rest = rest[..rest.len() - cell.len()].trim_end(),
                None => break,
            }
        }
        rest
    }
}

/// The byte ranges, within the line, of a text row's parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cells {
    /// The name, before the path.
    pub name: Range<usize>,
    /// The path token.
    pub path: Range<usize>,
    /// A method written in brackets after the path (`/v1/users/{id} (DELETE)`).
    pub method: Option<Range<usize>>,
    /// The limit phrase and the trailing cells.
    pub rest: Range<usize>,
}

/// What one line of text is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line {
    /// Nothing but white space.
    Blank,
    /// A column header line (`功能/文档页面 API URL 频率限制 …`).
    Header(Header),
    /// A section title (`用户黑/白名单服务`).
    Title(String),
    /// A row.
    Row(Cells),
    /// Anything else: notes and prose.
    Prose,
}

/// Classifies one line.
pub fn classify(line: &str) -> Line {
    let content = strip_block_markers(line);
    let offset = line.len() - content.len();
    let content = content.trim_end();
    if content.is_empty() {
        return Line::Blank;
    }
    let tokens = tokens(content);
    // A path and only a limit phrase after it; else, under a header that tells the
    // trailing cells, a path, maybe a separator, then a number.
    if let Some(cells) = path_then_phrase(content, &tokens) {
        let shift = |range: Range<usize>| offset + range.start..offset + range.end;
        return Line::Row(Cells {
            name: shift(cells.name),
            path: shift(cells.path),
            method: cells.method.map(shift),
            rest: shift(cells.rest),
        });
    }
    // A path, maybe a separator (`/v1/users — 100 requests per second`), then a number.
    let row = tokens.iter().enumerate().find_map(|(i, path)| {
        if !is_path_token(&content[path.clone()]) {
            return None;
        }
        let next = match tokens.get(i + 1) {
            Some(token) if is_separator(&content[token.clone()]) => tokens.get(i + 2)?,
            next => next?,
        };
        let starts_with_digit = content[next.clone()].chars().next().is_some_and(is_digit);
        starts_with_digit.then(|| (path.clone(), next.clone()))
    });
    if let Some((path, phrase)) = row {
        return Line::Row(Cells {
            name: offset..offset + path.start,
            path: offset + path.start..offset + path.end,
            method: None,
            rest: offset + phrase.start..offset + content.len(),
        });
    }
    if let Some(header) = header(content) {
        return Line::Header(header);
    }
    if is_title(content) {
        return Line::Title(content.trim().to_string());
    }
    Line::Prose
}

/// `API URL 频率限制` (or `URL … Limit`) on a line that is not a row.
fn header(content: &str) -> Option<Header> {
    let lower = content.to_ascii_lowercase();
    let limit_at = ["频率限制", "频率", "限制", "rate limit", "limit"]
        .iter()
        .find_map(|word| lower.find(word).map(|at| at + word.len()))?;
    if !lower[..limit_at].contains("url") {
        return None;
    }
    let trailing_columns =
        lower[limit_at..].matches("调试").count() + lower[limit_at..].matches("debug").count();
    Some(Header { trailing_columns })
}

/// Short, without sentence punctuation or digits' prose, and not a note label like `提示`.
fn is_title(content: &str) -> bool {
    const NOTE_LABELS: &[&str] = &[
        "提示", "注意", "说明", "注", "备注", "note", "tip", "warning",
    ];
    let text = content.trim();
    text.chars().count() <= 40
        && !text.chars().any(|c| "。，,.：:；;！!？?「」".contains(c))
        && !NOTE_LABELS.contains(&text.to_ascii_lowercase().as_str())
        && paths::paths_in(text).is_empty()
}

/// `/user/getToken.json`, `/{org_name}/push`, or a full `https://host/...` URL, also in a
/// code span (`` `/user/getToken.json` ``).
fn is_path_token(token: &str) -> bool {
    let token = token.strip_prefix('`').unwrap_or(token);
    let path = token
        .strip_prefix("https://")
        .or_else(|| token.strip_prefix("http://"))
        .and_then(|rest| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or(token);
    path.len() > 1
        && path.starts_with('/')
        && path[1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '{' || c == '_' || c == ':')
}

/// A row whose path is followed by a limit phrase and nothing else, maybe after separators
/// and notes in brackets: `创建群组 /v1/groups：每分钟 600 次`,
/// `` Delete user `/v1/users/{id}` (DELETE): 5 requests per second ``; or whose path, maybe
/// after its method, is in brackets after its name: `创建群组（/v1/groups）：每秒 50 次`,
/// `Create a group (POST /v1/groups): 50 requests per second`. The phrase need not start
/// with a number, as it must in rows under a header (`每秒 200 次`), because all of it must
/// read as one.
fn path_then_phrase(content: &str, tokens: &[Range<usize>]) -> Option<Cells> {
    tokens
        .iter()
        .find_map(|token| {
            if !is_path_token(&content[token.clone()]) {
                return None;
            }
            // The path may run into what follows it (`/v1/groups：每分钟`): it ends where the
            // path reader ends it, and a closing backtick goes with it.
            let found = paths::paths_in(&content[token.clone()]);
            let mut end = token.start + found.first()?.span.end;
            if content[end..].starts_with('`') {
                end += 1;
            }
            let (method, rest) = phrase_after(content, end)?;
            Some(Cells {
                name: 0..token.start,
                path: token.start..end,
                method,
                rest,
            })
        })
        .or_else(|| bracketed_path_then_phrase(content))
}

/// A row whose path is in brackets after its name: `名称（/v1/x）：limit`, `Name (/v1/x) limit`,
/// `Name (POST /v1/x): limit`, the path maybe in a code span.
fn bracketed_path_then_phrase(content: &str) -> Option<Cells> {
    paths::paths_in(content).into_iter().find_map(|found| {
        let (start, mut end) = (found.span.start, found.span.end);
        // A method before the path, inside the brackets (and the code span).
        let mut before = content[..start].trim_end();
        let mut method = None;
        if let Some((head, word)) = before.rsplit_once(['(', '（', ' ', '`'])
            && paths::is_method_list(word)
        {
            let at = head.len() + before[head.len()..].find(word)?;
            method = Some(at..at + word.len());
            before = content[..at].trim_end();
        }
        if before.ends_with('`') && content[end..].starts_with('`') {
            before = &before[..before.len() - 1];
            end += 1;
        }
        let opener = before
            .chars()
            .next_back()
            .filter(|c| ['(', '（'].contains(c))?;
        let close = content[end..]
            .chars()
            .next()
            .filter(|c| [')', '）'].contains(c))?;
        let name_end = before.len() - opener.len_utf8();
        if content[..name_end].trim().is_empty() {
            return None;
        }
        let (_, rest) = phrase_after(content, end + close.len_utf8())?;
        Some(Cells {
            name: 0..name_end,
            path: start..end,
            method,
            rest,
        })
    })
}

/// The method and the phrase of a row whose path ends at `end`: what follows it, past
/// separators and notes in brackets (a note that is a method list is the method), when that
/// is a limit phrase and nothing else.
fn phrase_after(content: &str, end: usize) -> Option<(Option<Range<usize>>, Range<usize>)> {
    let mut rest = end;
    let mut method = None;
    loop {
        let text = &content[rest..];
        let trimmed = text.trim_start_matches(|c: char| {
            c.is_whitespace() || SEPARATORS.contains(c) || ",，、".contains(c)
        });
        rest += text.len() - trimmed.len();
        let Some(close) = (trimmed.starts_with(['(', '（']))
            .then(|| trimmed.find([')', '）']))
            .flatten()
        else {
            break;
        };
        let close_len = trimmed[close..].chars().next().map_or(1, char::len_utf8);
        let open_len = trimmed.chars().next().map_or(1, char::len_utf8);
        let note = rest + open_len..rest + close;
        if paths::is_method_list(content[note.clone()].trim()) {
            method = Some(note);
        }
        rest += close + close_len;
    }
    let phrase = content[rest..].trim();
    (!phrase.is_empty() && phrase::parse_phrase(phrase).is_ok())
        .then_some((method, rest..content.len()))
}

/// What separates a row's path from its limit: a dash, a colon, `=` or `→`.
const SEPARATORS: &str = "-–—:：=→";

/// A token that only separates a row's path from its limit.
fn is_separator(token: &str) -> bool {
    !token.is_empty() && token.chars().all(|c| SEPARATORS.contains(c))
}

/// Half- and full-width digits.
fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// Whitespace-separated tokens (the ideographic space included), as byte ranges.
fn tokens(text: &str) -> Vec<Range<usize>> {
    let mut tokens = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                tokens.push(s..i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        tokens.push(s..text.len());
    }
    tokens
}

/// Drops list markers and block-quote markers that Markdown leaves in the raw line.
fn strip_block_markers(line: &str) -> &str {
    let mut rest = line.trim_start();
    loop {
        let next = rest
            .strip_prefix("> ")
            .or_else(|| rest.strip_prefix("- "))
            .or_else(|| rest.strip_prefix("* "))
            .or_else(|| rest.strip_prefix("+ "))
            .or_else(|| {
                let digits = rest.chars().take_while(char::is_ascii_digit).count();
                (digits > 0)
                    .then(|| rest[digits..].strip_prefix(". "))
                    .flatten()
            });
        match next {
            Some(stripped) => rest = stripped.trim_start(),
            None => return rest,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: &str) -> (String, String, String) {
        let Line::Row(cells) = classify(line) else {
            panic!("not a row: {line}")
        };
        (
            line[cells.name].trim().to_string(),
            line[cells.path].to_string(),
            line[cells.rest].trim().to_string(),
        )
    }

    #[test]
    fn rows_with_spaces_in_name_and_phrase() {
        assert_eq!(
            row("作废 Token /user/token/expire.json 100 次/每秒，可调频 API 调试 API 调试"),
            (
                "作废 Token".into(),
                "/user/token/expire.json".into(),
                "100 次/每秒，可调频 API 调试 API 调试".into()
            )
        );
    }

    #[test]
    fn header_counts_link_columns() {
        let Line::Header(header) =
            classify("功能/文档页面 API URL 频率限制 北极星 API 调试地址 Apifox 调试地址")
        else {
            panic!("not a header")
        };
        assert_eq!(header.trailing_columns, 2);
        assert_eq!(
            header.strip_trailing_cells("100 用户/每秒 暂不支持 API 调试"),
            "100 用户/每秒"
        );
        assert_eq!(header.strip_trailing_cells("100 次/每秒"), "100 次/每秒");
    }

    #[test]
    fn english_header_counts_debug_columns() {
        let Line::Header(header) = classify(
            "Feature/Documentation API URL Rate Limit Polaris API Debug URL Apifox Debug URL",
        ) else {
            panic!("not a header")
        };
        assert_eq!(header.trailing_columns, 2);
        assert_eq!(
            header.strip_trailing_cells("100 users/second Not supported API Debug"),
            "100 users/second"
        );
    }

    #[test]
    fn a_separator_between_path_and_limit() {
        for (line, name, path) in [
            (
                "- `GET /v1/list` — 2,000 requests per hour",
                "`GET",
                "/v1/list`",
            ),
            (
                "List /v1/list - 2,000 requests per hour",
                "List",
                "/v1/list",
            ),
            ("/v1/list ： 2,000 次/小时", "", "/v1/list"),
        ] {
            let (found_name, found_path, rest) = row(line);
            assert_eq!(
                (found_name.as_str(), found_path.as_str()),
                (name, path),
                "{line}"
            );
            assert!(rest.starts_with("2,000"), "{line}: {rest}");
        }
        // A word between them is no separator.
        assert_eq!(classify("/v1/list returns 2 pages"), Line::Prose);
    }

    #[test]
    fn a_path_in_brackets_after_the_name() {
        for (line, name, path, rest) in [
            (
                "创建群组（/v1/group/create）：每秒 50 次",
                "创建群组",
                "/v1/group/create",
                "每秒 50 次",
            ),
            (
                "Mute (`POST /v1/mute`): 10 requests per second",
                "Mute",
                "/v1/mute`",
                "10 requests per second",
            ),
        ] {
            assert_eq!(row(line), (name.into(), path.into(), rest.into()), "{line}");
        }
        let Line::Row(cells) = classify("Mute (`POST /v1/mute`): 10 requests per second") else {
            unreachable!()
        };
        assert_eq!(
            cells
                .method
                .map(|m| &"Mute (`POST /v1/mute`): 10 requests per second"[m]),
            Some("POST")
        );
        // Without a limit after it, or without a name before it, it is no row; nor a title.
        assert_eq!(classify("创建群组 (/v1/group/create)"), Line::Prose);
        assert_eq!(
            classify("(/v1/group/create): 10 requests per second"),
            Line::Prose
        );
    }

    #[test]
    fn prose_mentioning_a_path_is_not_a_row() {
        let note = "下表中频率限制一栏标注「共享」的项目均使用 /push.json 接口，共享该接口频率限额，即 2 次/每小时，3 次/每自然日，可调频。";
        assert_eq!(classify(note), Line::Prose);
    }

    #[test]
    fn titles_and_notes() {
        assert_eq!(
            classify("用户黑/白名单服务"),
            Line::Title("用户黑/白名单服务".into())
        );
        assert_eq!(classify("提示"), Line::Prose);
        assert_eq!(classify("   "), Line::Blank);
    }
}
