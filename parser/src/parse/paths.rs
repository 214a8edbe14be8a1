//! API paths as vendors write them in a cell or a line: full URLs, placeholders in several
//! notations, query strings, several paths in one cell, a method written before the URL.
//!
//! | written | read as |
//! | --- | --- |
//! | `https://api.example.com/v1/users` | path `/v1/users`, host `api.example.com` |
//! | `POST https://host/path`, `/path (POST)` | method `POST`, path `/path` |
//! | `{x}`, `${x}`, `:{x}`, `:x`, `(x)` as a segment | `{x}` |
//! | `/users?limit={N}&cursor={c}`, `/a#b` | `/users`, `/a` (query and fragment dropped) |
//! | `{member1}(,{member2},…)` | `{member1}` (one parameter holding a list) |
//! | `` `/path` `` | `/path` |
//! | `/msg/recall.action（撤回）`, `/users/{用户ID}` | `/msg/recall.action` (outside ASCII ends a path), `/users/{用户ID}` |
//! | `不分页：/a<br>分页：/b?page=1`, `<br/> - /a <br/> - /b` | two paths, `/a` and `/b` |

use std::ops::Range;

/// One path found in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathRef {
    /// The path template, normalised (see the module docs).
    pub path: String,
    /// The host, when a full URL was written.
    pub host: Option<String>,
    /// The method written right before it (`POST https://…`), upper case.
    pub method: Option<String>,
    /// Where the path (or URL) is written, in bytes from the start of the text.
    pub span: Range<usize>,
}

/// HTTP methods, as vendors write them before a URL or in a method column.
pub const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// Whether `text` is an HTTP method or a list of them (`GET`, `get`, `GET/POST`).
pub fn is_method_list(text: &str) -> bool {
    let mut parts = methods_of(text).peekable();
    parts.peek().is_some() && parts.all(|p| METHODS.contains(&p.to_ascii_uppercase().as_str()))
}

/// `text` as a list of methods, upper case and joined with `/` (`get, post` → `GET/POST`),
/// if it is one.
pub fn method_list(text: &str) -> Option<String> {
    is_method_list(text).then(|| {
        methods_of(text)
            .map(str::to_ascii_uppercase)
            .collect::<Vec<_>>()
            .join("/")
    })
}

/// The words of a list of methods, however it is separated (`GET/POST`, `PUT, PATCH`,
/// `GET、POST`).
fn methods_of(text: &str) -> impl Iterator<Item = &str> {
    text.split(['/', ',', '、', '，', ' ', '|'])
        .filter(|p| !p.is_empty())
}

/// Every path in `text`, in order.
pub fn paths_in(text: &str) -> Vec<PathRef> {
    let mut found = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let Some(start) = next_start(text, at) else {
            break;
        };
        let end = token_end(text, start);
        // A sentence's punctuation after the path (`/v1/batch, 10 requests per second`).
        let end = start
            + text[start..end]
                .trim_end_matches([',', '.', ';', ':', '!'])
                .len();
        let token = &text[start..end];
        let (host, path) = split_url(token);
        if path.len() > 1 && !is_link_target(&text[..start]) && !is_page(path) {
            found.push(PathRef {
                path: normalize(path),
                host: host.map(str::to_string),
                method: method_before(&text[..start]).or_else(|| method_after(&text[end..])),
                span: start..end,
            });
        }
        at = end.max(start + 1);
    }
    found
}

/// Where the path or URL starting at `start` ends: at white space, a quote, a tag, a cell
/// separator, the end of a link's text (`]`), a `)` that closes nothing the path opened
/// (so `(list_id)` stays inside, and `[x](/path)` ends before its `)`), or a character
/// outside ASCII that is not inside a placeholder (`/msg/recall.action（撤回）`: a path is
/// written in ASCII, but `{用户ID}` names a parameter).
fn token_end(text: &str, start: usize) -> usize {
    let (mut depth, mut braces) = (0usize, 0usize);
    for (i, c) in text[start..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return start + i,
            ')' => depth -= 1,
            '{' => braces += 1,
            '}' => braces = braces.saturating_sub(1),
            ']' => return start + i,
            c if c.is_whitespace() || "`<\"'，；。|".contains(c) => return start + i,
            c if !c.is_ascii() && braces == 0 => return start + i,
            _ => {}
        }
    }
    text.len()
}

/// Where the next path or URL starts at or after `from`: `http://`, `https://`, or a `/`
/// at the start of a word (after white space, a colon, a quote or an opening bracket,
/// full-width ones included) followed by a character a path segment starts with.
fn next_start(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        let rest = &text[i..];
        let after_boundary = i == 0
            || text[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_whitespace() || "：:`>(（【\"'-　=[".contains(c));
        if after_boundary {
            let lower = rest.get(..8).unwrap_or(rest).to_ascii_lowercase();
            if lower.starts_with("https://") || lower.starts_with("http://") {
                return Some(i);
            }
            if rest.starts_with('/')
                && rest[1..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || "{$(:_".contains(c))
            {
                return Some(i);
            }
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// A Markdown link's target (`[text](…)`) or an HTML `href`/`src`: a link to a page of
/// the documentation, not an API.
fn is_link_target(before: &str) -> bool {
    let before = before.trim_end_matches(['"', '\'']);
    before.ends_with("](") || before.ends_with("href=") || before.ends_with("src=")
}

/// A documentation page or a picture rather than an API path.
fn is_page(path: &str) -> bool {
    let path = &path[..path.find(['?', '#']).unwrap_or(path.len())];
    let lower = path.to_ascii_lowercase();
    [
        ".html", ".htm", ".md", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".pdf",
    ]
    .iter()
    .any(|ext| lower.ends_with(ext))
}

/// `https://host/path` → (`host`, `/path`); a bare path is its own path.
fn split_url(token: &str) -> (Option<&str>, &str) {
    let lower = token.get(..8).unwrap_or(token).to_ascii_lowercase();
    let scheme = if lower.starts_with("https://") {
        8
    } else if lower.starts_with("http://") {
        7
    } else {
        return (None, token);
    };
    let rest = &token[scheme..];
    match rest.find('/') {
        Some(i) => (Some(&rest[..i]), &rest[i..]),
        None => (Some(rest), ""),
    }
}

/// The methods written as the last words before a path, if any: `POST`, `PUT, PATCH`,
/// `` `GET `` (a code span that holds the path too).
/// The methods written in parentheses right after a path (`` `/v3/users` (GET) ``,
/// `/v3/users（GET、POST）`), upper case and joined with `/`.
fn method_after(after: &str) -> Option<String> {
    let after = after.trim_start_matches(['`', '*']).trim_start();
    let inner = after
        .strip_prefix('(')
        .or_else(|| after.strip_prefix('（'))?;
    let (list, _) = inner.split_once([')', '）'])?;
    method_list(list)
}

fn method_before(before: &str) -> Option<String> {
    methods_before(before).map(|(_, methods)| methods)
}

/// The methods written as the last words of `before` (the run of words at its end that are
/// methods or lists of them: `PUT, PATCH`, `GET/POST`), upper case and joined with `/`, and
/// where they start.
pub fn methods_before(before: &str) -> Option<(usize, String)> {
    let mut start = None;
    let mut methods = Vec::new();
    // The code span the path opens (`` `POST` `/v1/x` ``) is no word.
    let mut rest = before.trim_end().trim_end_matches('`').trim_end();
    loop {
        // `POST: /v1/x`: the colon after the method; `接口：GET /v1/x`: a label before it.
        let words = rest.trim_end_matches([':', '：']).trim_end();
        let (head, word) = words
            .rsplit_once(|c: char| c.is_whitespace() || c == ':' || c == '：')
            .unwrap_or(("", words));
        if word.is_empty() {
            break;
        }
        // Methods as vendors dress them: `**GET**`, `[POST]`, `` `POST` ``.
        let bare = word
            .trim_start_matches(['`', '*', '(', '['])
            .trim_end_matches([',', '，', '、', '/', '|', '`', '*', ']']);
        if !is_method_list(bare) {
            break;
        }
        // `word` ends `words`, a start of `before`, whatever white space (`　` too) stood
        // before it.
        let word_start = words.len() - word.len();
        start = Some(word_start + word.len() - word.trim_start_matches(['`', '*', '(', '[']).len());
        methods.push(bare.to_ascii_uppercase());
        rest = head.trim_end();
    }
    methods.reverse();
    Some((start?, methods.join("/")))
}

/// A path written without its leading `/` in a cell that a table's header calls the URL
/// (`v4/openim/sendmsg`, `user/create.action`): ASCII segments joined by `/`, nothing else.
pub fn relative_path(cell: &str) -> Option<PathRef> {
    let token = cell.trim().trim_matches('`');
    let path_char = |c: char| c.is_ascii_alphanumeric() || "_-.{}$():".contains(c);
    let valid = token.contains('/')
        && token
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && token.split(['?', '#']).next().is_some_and(|path| {
            path.split('/')
                .all(|segment| !segment.is_empty() && segment.chars().all(path_char))
        });
    valid.then(|| PathRef {
        path: normalize(&format!("/{token}")),
        host: None,
        method: None,
        span: 0..token.len(),
    })
}

/// Drops the query and fragment and writes every placeholder as `{name}`.
pub fn normalize(path: &str) -> String {
    let path = path.trim_matches('`');
    let path = &path[..path.find(['?', '#']).unwrap_or(path.len())];
    let segments: Vec<String> = path.split('/').map(segment).collect();
    segments.join("/")
}

fn segment(segment: &str) -> String {
    // `{member1}(,{member2},…)`: a list in one parameter.
    let segment = match (segment.find('}'), segment.find("(,")) {
        (Some(close), Some(open)) if segment.starts_with('{') && open == close + 1 => {
            &segment[..=close]
        }
        _ => segment,
    };
    let name = segment
        .strip_prefix("${")
        .and_then(|s| s.strip_suffix('}'))
        .or_else(|| segment.strip_prefix(":{").and_then(|s| s.strip_suffix('}')))
        .or_else(|| segment.strip_prefix('(').and_then(|s| s.strip_suffix(')')))
        .or_else(|| {
            segment.strip_prefix(':').filter(|s| {
                !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            })
        });
    match name {
        Some(name) => format!("{{{name}}}"),
        None => segment.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(text: &str) -> Vec<(Option<String>, String, Option<String>)> {
        paths_in(text)
            .into_iter()
            .map(|p| (p.method, p.path, p.host))
            .collect()
    }

    #[test]
    fn placeholders_in_every_notation() {
        for (written, read) in [
            (
                "/{org_name}/{app_name}/chatmessages/${time}",
                "/{org_name}/{app_name}/chatmessages/{time}",
            ),
            ("/a/:{id}/b", "/a/{id}/b"),
            ("/a/:id/b", "/a/{id}/b"),
            (
                "/text/list/(list_id)/word?wordId={word_id}",
                "/text/list/{list_id}/word",
            ),
            (
                "/chatrooms/{chatroom_id}/mute/{member1}(,{member2},…)",
                "/chatrooms/{chatroom_id}/mute/{member1}",
            ),
            ("/chatgroups?limit={N}&cursor={cursor}", "/chatgroups"),
            ("`/user/getToken.json`", "/user/getToken.json"),
            // Outside ASCII ends a path, but not inside a placeholder.
            ("/msg/recall.action（撤回）：100", "/msg/recall.action"),
            ("/users/{用户ID}/tags", "/users/{用户ID}/tags"),
        ] {
            assert_eq!(
                paths(written),
                vec![(None, read.to_string(), None)],
                "{written}"
            );
        }
    }

    #[test]
    fn methods_dressed_as_vendors_dress_them() {
        for written in [
            "[POST] /v3/users",
            "POST: /v3/users",
            "**POST** /v3/users",
            "`POST` `/v3/users`",
            "`POST /v3/users`",
            "接口：POST /v3/users",
            "Endpoint: POST /v3/users",
        ] {
            assert_eq!(
                paths(written),
                vec![(Some("POST".into()), "/v3/users".into(), None)],
                "{written}"
            );
        }
    }

    #[test]
    fn methods_in_parentheses_after_the_path() {
        for (written, method) in [
            ("`/v3/users` (GET)", "GET"),
            ("/v3/users（GET、POST）", "GET/POST"),
            ("/v3/users (get, post)", "GET/POST"),
        ] {
            assert_eq!(
                paths(written),
                vec![(Some(method.into()), "/v3/users".into(), None)],
                "{written}"
            );
        }
        // Other words in parentheses are no method.
        assert_eq!(
            paths("/v3/users (deprecated)"),
            vec![(None, "/v3/users".into(), None)]
        );
        // A method before the path wins.
        assert_eq!(
            paths("PUT /v3/users (GET)"),
            vec![(Some("PUT".into()), "/v3/users".into(), None)]
        );
    }

    #[test]
    fn urls_methods_and_several_paths_in_one_cell() {
        assert_eq!(
            paths("POST https://api.rong-cloud.cn/user/getToken.json"),
            vec![(
                Some("POST".into()),
                "/user/getToken.json".into(),
                Some("api.rong-cloud.cn".into())
            )]
        );
        assert_eq!(
            paths(
                "<br/> - /{org_name}/{app_name}/metadata/user/{username} <br/> - /{org_name}/{app_name}/metadata/user/capacity"
            ),
            vec![
                (
                    None,
                    "/{org_name}/{app_name}/metadata/user/{username}".into(),
                    None
                ),
                (
                    None,
                    "/{org_name}/{app_name}/metadata/user/capacity".into(),
                    None
                )
            ]
        );
        assert_eq!(
            paths("不分页：/v1/groups<br>分页：/v1/groups?pagenum=1"),
            vec![
                (None, "/v1/groups".into(), None),
                (None, "/v1/groups".into(), None)
            ]
        );
        // Prose slashes and fractions are not paths.
        assert!(paths("用户黑/白名单服务，100 次/秒").is_empty());
        assert!(paths("a / b").is_empty());
        // A path written as a link's text is the path; the link's target is documentation.
        assert_eq!(
            paths("[/user/getToken.json](/platform-chat-api/user/register)"),
            vec![(None, "/user/getToken.json".into(), None)]
        );
        assert_eq!(
            paths("(see /v1/users)"),
            vec![(None, "/v1/users".into(), None)]
        );
        // Links to the documentation are not APIs.
        assert!(
            paths("[loginByToken](https://docs.agora.io/cn/RTM/AgoraRtmKit.html#//api/name/x)")
                .is_empty()
        );
        assert!(paths("<a href=\"/server/server_chat_log.html\"> Download </a>").is_empty());
        assert!(paths("[创建推送标签](/push_by_tag.html#创建推送标签)").is_empty());
    }

    #[test]
    fn relative_paths_in_a_url_column() {
        assert_eq!(
            relative_path("v4/openim/sendmsg").map(|p| p.path),
            Some("/v4/openim/sendmsg".to_string())
        );
        assert_eq!(
            relative_path("`user/create.action?x=1`").map(|p| p.path),
            Some("/user/create.action".to_string())
        );
        assert!(relative_path("见下文").is_none());
        assert!(relative_path("黑/白名单").is_none());
        assert!(relative_path("a / b").is_none());
        assert!(relative_path("100 calls/second").is_none());
    }

    #[test]
    fn methods_before_a_path() {
        assert_eq!(
            methods_before("Update user PUT, PATCH "),
            Some((12, "PUT/PATCH".into()))
        );
        assert_eq!(methods_before("`GET"), Some((1, "GET".into())));
        assert_eq!(methods_before("创建用户 POST "), Some((13, "POST".into())));
        assert_eq!(methods_before("get/post"), Some((0, "GET/POST".into())));
        // An ideographic space is three bytes.
        assert_eq!(methods_before("创建用户　POST"), Some((15, "POST".into())));
        assert_eq!(methods_before("Get user"), None);
        assert_eq!(methods_before(""), None);
    }

    #[test]
    fn method_lists() {
        assert!(is_method_list("GET"));
        assert!(is_method_list("get/post"));
        assert!(!is_method_list("loginByToken"));
        assert!(!is_method_list(""));
    }
}
