//! Sentences that state limits for rows: the limit of the tables above or below them
//! (`以上两个接口的总调用频率（默认值）为 100 次/秒/App Key。`, `The total default call
//! frequency limit for the … APIs in the following two tables is 100 calls/second/App Key.`)
//! and the document's default (`Unless otherwise specified for an API, the default API call
//! frequency limit is 100 calls/second.`, `除部分 API 接口有特殊说明外，API 调用频率限制默认为
//! 100 次/秒`).
//!
//! A sentence that states a limit but neither refers to tables nor calls itself the
//! default (`After purchasing one add-on package, the limit increases to 200 calls/second`)
//! says nothing about rows and is not read.

use crate::phrase::limit_in_sentence;
use crate::source::Position;

/// A sentence read as a statement about rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// The limit phrase, as written.
    pub phrase: String,
    /// Where the phrase starts in the line, in bytes.
    pub offset: usize,
    /// What the sentence is about.
    pub kind: Kind,
    /// `total`, `总`, `共`: the rows share one quota.
    pub shared: bool,
    /// It calls its limit a default (`默认`, `default`), whatever it is about.
    pub default: bool,
}

/// What rows a sentence is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Every row of the document that states no limit.
    Default,
    /// The table(s) before it: `以上`, `above`, `preceding`.
    Above {
        /// How many tables it names (`the two tables above`), if it says.
        tables: Option<usize>,
        /// How many interfaces it names (`以上两个接口`), if it says.
        interfaces: Option<usize>,
    },
    /// Neither: the limit of the one route of its section, on a page of one section per API
    /// (`## 发送单聊消息`, `POST /v4/openim/sendmsg`, `频率限制：200 次/秒。`), when its section
    /// has exactly one such route and one such sentence; else nothing.
    Section,
    /// The table(s) after it: `下表`, `以下`, `following`, `below`.
    Below {
        /// How many tables it names (`the following two tables`), if it says.
        tables: Option<usize>,
        /// How many interfaces it names, if it says.
        interfaces: Option<usize>,
    },
}

/// A sentence about the tables after it, waiting for them.
#[derive(Clone, Debug, Default)]
pub struct Pending {
    /// The sentence and where its phrase is.
    pub statement: Option<(Statement, Position)>,
    /// How many limitless tables it is about.
    pub tables: usize,
    /// How many interfaces it names, if it says.
    pub interfaces: Option<usize>,
    /// The limitless tables met so far.
    pub taken: Vec<usize>,
}

/// Reads a line of prose; `None` when it states no limit.
pub fn read(line: &str) -> Option<Statement> {
    let (char_at, limit) = limit_in_sentence(line)?;
    let offset = line
        .char_indices()
        .nth(char_at)
        .map_or(line.len(), |(i, _)| i);
    let lower = line.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    let shared = has(&[
        "total", "combined", "together", "shared", "总", "共", "一并", "合计",
    ]);
    let before = &lower[..offset];
    let above = [
        "以上",
        "上述",
        "上面",
        "上表",
        "这些",
        "above",
        "preceding",
        "previous",
        "these",
    ];
    let below = ["以下", "下表", "下面", "下列", "following", "below", "next"];
    let default = has(&["default", "默认"]);
    let exceptions = has(&["除外", "以外", "除非", "except", "other than", "unless"]);
    // Every API, unless the sentence says which (`以上所有接口`) or says that those below
    // are the exceptions (`所有接口默认 100 次/秒，以下接口除外`).
    let all = has(&[
        "所有接口",
        "全部接口",
        "所有 api",
        "所有api",
        "全部 api",
        "all apis",
        "all endpoints",
        "all interfaces",
        "all api calls",
        "every api",
        "every endpoint",
        "each api",
        "each rest api",
        "every rest api",
        "each endpoint",
        "每个接口",
        "各接口",
    ]);
    let about_tables = above.iter().chain(&below).any(|word| lower.contains(word));
    let all = all && (exceptions || !about_tables);
    // A default says so, or is every API's limit but for the exceptions (`All endpoints are
    // limited to 100 requests per second unless noted below`).
    // `By default, … 100 times per second` is the document's, unless it is about one API.
    let one_api = has(&[
        "this api",
        "this endpoint",
        "this interface",
        "this rest api",
        "该接口",
        "此接口",
        "本接口",
    ]);
    let kind = if (all && exceptions)
        || (has(&["by default", "默认情况下"]) && !one_api && !about_tables)
        || default
            && (all
                || has(&[
                    "unless",
                    "otherwise specified",
                    "特殊说明",
                    "most interfaces",
                    "most apis",
                    "all other",
                    "大部分",
                    "大多数",
                    "其余",
                    "其他接口",
                ]))
    {
        Kind::Default
    } else {
        let tables = count_before(before, &["tables", "table", "个表", "张表", "表"]);
        let interfaces = count_before(
            before,
            &[
                "interfaces",
                "apis",
                "endpoints",
                "个接口",
                "接口",
                "个 api",
                "api",
            ],
        );
        let first = |words: &[&str]| words.iter().filter_map(|w| before.find(w)).min();
        match (first(&above), first(&below)) {
            (Some(a), Some(b)) if b < a => Kind::Below { tables, interfaces },
            (Some(_), _) => Kind::Above { tables, interfaces },
            (None, Some(_)) => Kind::Below { tables, interfaces },
            (None, None) => Kind::Section,
        }
    };
    Some(Statement {
        phrase: limit.text,
        offset,
        kind,
        shared,
        default,
    })
}

/// Reads a heading; `None` when it states no limit. Headings also write the limit in a
/// trailing parenthesised group (`## 消息接口（100 次/分钟）`, `## Messages (50 requests/second)`).
pub fn read_heading(heading: &str) -> Option<Statement> {
    if let Some(statement) = read(heading) {
        return Some(statement);
    }
    let trimmed = heading.trim_end();
    let inner = trimmed
        .strip_suffix(')')
        .or_else(|| trimmed.strip_suffix('）'))?;
    let open = inner.rfind(['(', '（'])?;
    let group_start = open + inner[open..].chars().next().map_or(1, char::len_utf8);
    let mut statement = read(&inner[group_start..])?;
    statement.offset += group_start;
    Some(statement)
}

/// The count written right before one of `nouns` (`two tables`, `两个接口`, `3 APIs`).
fn count_before(text: &str, nouns: &[&str]) -> Option<usize> {
    for noun in nouns {
        let Some(at) = text.find(noun) else { continue };
        let head = text[..at].trim_end();
        let head = head.strip_suffix('个').unwrap_or(head).trim_end();
        let word = head
            .rsplit(|c: char| c.is_whitespace() || "以上下述的表中，,".contains(c))
            .next()
            .unwrap_or("");
        if let Some(n) = number_word(word) {
            return Some(n);
        }
        // Chinese numerals are written against what precedes them: `以上两`.
        if let Some(last) = head.chars().next_back()
            && let Some(n) = number_word(&last.to_string())
        {
            return Some(n);
        }
    }
    None
}

fn number_word(word: &str) -> Option<usize> {
    const WORDS: &[(&str, usize)] = &[
        ("one", 1),
        ("two", 2),
        ("three", 3),
        ("four", 4),
        ("five", 5),
        ("six", 6),
        ("seven", 7),
        ("eight", 8),
        ("nine", 9),
        ("ten", 10),
        ("一", 1),
        ("两", 2),
        ("二", 2),
        ("三", 3),
        ("四", 4),
        ("五", 5),
        ("六", 6),
        ("七", 7),
        ("八", 8),
        ("九", 9),
        ("十", 10),
    ];
    word.parse().ok().or_else(|| {
        WORDS
            .iter()
            .find(|(w, _)| w.eq_ignore_ascii_case(word))
            .map(|&(_, n)| n)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_about_the_tables_around_them() {
        let above = read("以上两个接口的总调用频率（默认值）为 100 次/秒/App Key。").unwrap();
        assert_eq!(
            above.kind,
            Kind::Above {
                tables: None,
                interfaces: Some(2)
            }
        );
        assert!(above.shared);
        assert_eq!(above.phrase, "100 次/秒/App Key");
        let below = read("The total default call frequency limit for the user management APIs and offline push-related APIs in the following two tables is 100 calls/second/App Key. The size of each add-on package is 50 calls/second.").unwrap();
        assert_eq!(
            below.kind,
            Kind::Below {
                tables: Some(2),
                interfaces: None
            }
        );
        assert_eq!(below.phrase, "100 calls/second/App Key");
        let three = read("以上三个接口共限制，每秒 100 次。").unwrap();
        assert_eq!(
            three.kind,
            Kind::Above {
                tables: None,
                interfaces: Some(3)
            }
        );
        assert!(three.shared);
        assert_eq!(three.phrase, "每秒 100 次");
    }

    #[test]
    fn these_apis_are_the_ones_above() {
        let these = read("The total number of calls of these APIs cannot exceed 100 calls per second per App Key.").unwrap();
        assert_eq!(
            these.kind,
            Kind::Above {
                tables: None,
                interfaces: None
            }
        );
        assert!(these.shared);
        assert_eq!(these.phrase, "100 calls per second per App Key");
    }

    #[test]
    fn document_defaults() {
        for line in [
            "Unless otherwise specified for an API, the default API call frequency limit is 100 calls/second. You can view the call frequency limit for each API by module.",
            "除部分 API 接口有特殊说明外，API 调用频率限制默认为 100 次/秒",
            "- The API Interface List provides the specific rate limits for each interface. Most interfaces have a default rate limit of 100 requests per second, while some APIs are not subject to this restriction.",
            "所有接口默认频率限制为 100 次/秒，以下接口除外：",
            "By default, all APIs are limited to 100 requests per second.",
            "All endpoints default to 100 requests per second, except those listed below.",
            "All endpoints are limited to 100 requests per second unless noted below.",
            "By default, each App Key can call each REST API up to 100 times per second.",
            "默认情况下，每个应用每秒最多调用 100 次。",
        ] {
            let statement = read(line).unwrap_or_else(|| panic!("{line}"));
            assert_eq!(statement.kind, Kind::Default, "{line}");
        }
        // About one API, or all of them sharing one quota: no default.
        for line in [
            "By default, this API allows 20 requests per second.",
            "所有接口共享每分钟 600 次的调用额度，以下接口除外。",
        ] {
            let statement = read(line).unwrap_or_else(|| panic!("{line}"));
            assert!(
                statement.kind != Kind::Default || statement.shared,
                "{line}"
            );
        }
    }

    #[test]
    fn limits_that_say_nothing_about_rows() {
        // A limit about nothing named: at most its section's one route's (see `Kind::Section`).
        let example = "For example, the default call frequency limit of the file upload API is 100 calls/second/App Key, and one add-on package provides 100 calls/second.";
        assert_eq!(read(example).map(|s| s.kind), Some(Kind::Section));
        assert_eq!(
            read("频率限制：200 次/秒。").map(|s| s.kind),
            Some(Kind::Section)
        );
        // No limit at all.
        assert!(read("本页介绍即时推送 RESTful API 的调用频率限制。").is_none());
    }

    #[test]
    fn headings_state_limits_in_their_words_or_in_a_trailing_group() {
        let heading = "消息接口（100 次/分钟）";
        let statement = read_heading(heading).unwrap();
        assert_eq!(statement.phrase, "100 次/分钟");
        assert_eq!(&heading[statement.offset..], "100 次/分钟）");
        let statement = read_heading("Messages (50 requests/second, shared)").unwrap();
        assert_eq!(statement.phrase, "50 requests/second, shared");
        assert!(statement.shared);
        assert_eq!(
            read_heading("用户管理：100 次/秒").map(|s| s.phrase),
            Some("100 次/秒".to_string())
        );
        assert!(read_heading("消息接口（旧版）").is_none());
        assert!(read_heading("消息接口").is_none());
    }

    #[test]
    fn all_the_apis_of_a_table_are_no_default() {
        let above = read("以上所有接口默认共享 100 次/秒。").unwrap();
        assert!(matches!(above.kind, Kind::Above { .. }), "{above:?}");
        let below =
            read("The following table lists all APIs; by default each allows 10 calls/second.")
                .unwrap();
        assert!(matches!(below.kind, Kind::Below { .. }), "{below:?}");
    }
}
