//! The grammar of limit phrases, in Chinese and English.
//!
//! A phrase is a list of clauses separated by `，` `；` `、` (or their ASCII forms):
//!
//! ```text
//! phrase  = window { sep clause }
//! clause  = window | flag | basis | sublimit | "(" flag ")"
//! window  = number unit? ("/" | "per") "每"? period ("/" scope)? ("(" flag ")")?
//! period  = 秒 | 秒钟 | 分 | 分钟 | 时 | 小时 | 天 | 日 | 自然日 | second | minute | hour | day | ...
//! flag    = 可调频 | 共享 | 已废弃 | adjustable | shared | deprecated
//! basis   = 按 <noun> 数量计算条数          (收件人 | 目标群组 | 目标聊天室 | 用户 | 属性)
//! sublimit= <scope> 限 window | 其中 <scope> 最多 number unit (period)?
//! ```
//!
//! Full-width punctuation, digits and letters are read as their ASCII forms. Anything the
//! grammar does not know is an error naming the clause: the parser never guesses.

use std::ops::Range;

use crate::model::limit::{Cost, Limit, Per, Scope, SubLimit, Window};

/// Why a phrase could not be read, and which characters of it are at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhraseError {
    /// What is wrong.
    pub message: String,
    /// The offending characters, as a range of char indices into the phrase.
    pub chars: Range<usize>,
}

/// Reads one limit phrase.
pub fn parse_phrase(phrase: &str) -> Result<Limit, PhraseError> {
    let chars: Vec<char> = phrase.chars().map(normalize).collect();
    let mut limit = Limit {
        text: phrase.to_string(),
        windows: Vec::new(),
        unit: String::new(),
        cost: Cost::Call,
        adjustable: false,
        shared: false,
        deprecated: false,
        caps: Vec::new(),
        sub_limits: Vec::new(),
        notes: Vec::new(),
    };
    let mut basis = None;
    let mut units: Vec<String> = Vec::new();
    let clauses = split_clauses(&chars);
    if clauses.is_empty() {
        return Err(PhraseError {
            message: "empty limit phrase".into(),
            chars: 0..chars.len(),
        });
    }
    for (index, range) in clauses.into_iter().enumerate() {
        let clause = Clause::new(&chars, range.clone());
        // The first clause is a window (checked below), so later clauses can inherit its length.
        let first_per = limit.windows.first().map_or(Per::Second, |w| w.per);
        let error = |message: &str| PhraseError {
            message: message.to_string(),
            chars: range.clone(),
        };
        // Trailing parenthesised flags, e.g. `3 次/每自然日（共享）`.
        let (body, flags) = clause.split_trailing_flags().ok_or_else(|| {
            error("unknown note in parentheses (known: 共享, 可调频, 已废弃, 默认值)")
        })?;
        for flag in flags {
            apply_flag(&mut limit, flag);
        }
        let window = parse_window(&body);
        if index == 0 && window.is_none() {
            return Err(error(
                "a limit phrase must start with a window such as `100 次/每秒` or `10 calls/second`",
            ));
        }
        if body.is_empty() {
            continue;
        }
        if let Some(flag) = as_flag(&body) {
            apply_flag(&mut limit, flag);
        } else if let Some(window) = window {
            if limit.windows.iter().any(|w| w.same_length(&window.window)) {
                return Err(error("two windows of the same length in one phrase"));
            }
            limit.windows.push(window.window);
            units.push(window.unit);
        } else if let Some(cost) = parse_basis(&body) {
            basis = Some(cost);
        } else if let Some(sub) = parse_sub_limit(&body, first_per) {
            limit.sub_limits.push(sub);
        } else if looks_like_sub_limit(&body) {
            limit.sub_limits.push(SubLimit::Text { text: body.into() });
        } else {
            return Err(error("unreadable clause in a limit phrase"));
        }
    }
    if limit.windows.is_empty() {
        return Err(PhraseError {
            message: "a limit phrase must contain a window such as `100 次/每秒`".into(),
            chars: 0..chars.len(),
        });
    }
    if units.iter().any(|unit| unit != &units[0]) {
        return Err(PhraseError {
            message: format!(
                "the windows count different units ({}): which one is the quota?",
                units.join(", ")
            ),
            chars: 0..chars.len(),
        });
    }
    limit.unit = units.swap_remove(0);
    limit.cost = basis.unwrap_or_else(|| cost_of_unit(&limit.unit));
    for window in &mut limit.windows {
        window.cost = limit.cost;
    }
    Ok(limit)
}

/// Reads full-width forms as ASCII (`，` → `,`, `１` → `1`, `　` → ` `).
fn normalize(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '、' => ',',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Splits on `,` and `;` outside parentheses, except a thousands separator (`6,000`).
fn split_clauses(chars: &[char]) -> Vec<Range<usize>> {
    let mut clauses = Vec::new();
    let mut start = 0;
    let mut depth = 0usize;
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if is_thousands_separator(chars, i) => {}
            ',' | ';' if depth == 0 => {
                clauses.push(start..i);
                start = i + 1;
            }
            _ => {}
        }
    }
    clauses.push(start..chars.len());
    clauses
        .into_iter()
        .map(|range| trim_range(chars, range))
        .filter(|range| !range.is_empty())
        .collect()
}

fn is_thousands_separator(chars: &[char], i: usize) -> bool {
    i > 0
        && chars[i - 1].is_ascii_digit()
        && chars.len() >= i + 4
        && chars[i + 1..i + 4].iter().all(char::is_ascii_digit)
        && chars.get(i + 4).is_none_or(|c| !c.is_ascii_digit())
}

fn trim_range(chars: &[char], mut range: Range<usize>) -> Range<usize> {
    let is_trim = |c: char| c.is_whitespace() || c == '.' || c == '。';
    while range.start < range.end && is_trim(chars[range.start]) {
        range.start += 1;
    }
    while range.end > range.start && is_trim(chars[range.end - 1]) {
        range.end -= 1;
    }
    range
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flag {
    Adjustable,
    Shared,
    Deprecated,
    /// `默认值` / `default`: says the number is the default quota; nothing to record.
    Default,
}

fn apply_flag(limit: &mut Limit, flag: Flag) {
    match flag {
        Flag::Adjustable => limit.adjustable = true,
        Flag::Shared => limit.shared = true,
        Flag::Deprecated => limit.deprecated = true,
        Flag::Default => {}
    }
}

fn as_flag(text: &str) -> Option<Flag> {
    match text.to_ascii_lowercase().as_str() {
        "可调频" | "可调整" | "adjustable" => Some(Flag::Adjustable),
        "共享" | "shared" => Some(Flag::Shared),
        "已废弃" | "deprecated" => Some(Flag::Deprecated),
        "默认值" | "default" => Some(Flag::Default),
        _ => None,
    }
}

struct Clause<'a> {
    chars: &'a [char],
}

impl<'a> Clause<'a> {
    fn new(chars: &'a [char], range: Range<usize>) -> Self {
        Clause {
            chars: &chars[range],
        }
    }

    /// The clause without its trailing `(...)` groups, and the flags they hold; `None` when a
    /// group holds something that is not a flag.
    fn split_trailing_flags(&self) -> Option<(String, Vec<Flag>)> {
        let mut end = self.chars.len();
        let mut flags = Vec::new();
        while end > 0 && self.chars[end - 1] == ')' {
            let open = self.chars[..end].iter().rposition(|&c| c == '(')?;
            let inner: String = self.chars[open + 1..end - 1].iter().collect();
            flags.push(as_flag(inner.trim())?);
            end = open;
            while end > 0 && self.chars[end - 1].is_whitespace() {
                end -= 1;
            }
        }
        let body: String = self.chars[..end].iter().collect();
        Some((body.trim().to_string(), flags))
    }
}

struct ParsedWindow {
    window: Window,
    unit: String,
}

/// `100 次/每秒`, `10 次/秒/App Key`, `100 个属性每秒`, `10 calls/second`, `100 requests per minute`,
/// `50 QPS`.
fn parse_window(text: &str) -> Option<ParsedWindow> {
    let (max, rest) = parse_number(text)?;
    let rest = rest.trim_start();
    if strip_prefix_ignore_case(rest, "qps").is_some_and(|after| after.trim().is_empty()) {
        return Some(ParsedWindow {
            window: Window::new(max, Per::Second),
            unit: "QPS".into(),
        });
    }
    let (unit, rest) = split_unit(rest)?;
    let (per, rest) = parse_period(rest)?;
    let scope = parse_scope(rest)?;
    Some(ParsedWindow {
        window: Window::new(max, per).scoped(scope.unwrap_or(Scope::Tenant)),
        unit,
    })
}

/// A positive whole number, allowing `6,000`.
fn parse_number(text: &str) -> Option<(u64, &str)> {
    let text = text.trim_start();
    let chars: Vec<char> = text.chars().collect();
    let end = text
        .char_indices()
        .enumerate()
        .find(|&(n, (_, c))| {
            !(c.is_ascii_digit() || (c == ',' && is_thousands_separator(&chars, n)))
        })
        .map_or(text.len(), |(_, (i, _))| i);
    if end == 0 {
        return None;
    }
    let digits: String = text[..end].chars().filter(char::is_ascii_digit).collect();
    let value: u64 = digits.parse().ok()?;
    (value > 0).then_some((value, &text[end..]))
}

/// Splits `次/每秒` into `次` and what follows the separator (`/`, `per`, or a bare `每`).
fn split_unit(text: &str) -> Option<(String, &str)> {
    let lower = text.to_ascii_lowercase();
    let slash = text.find('/');
    let per_word = lower.find(" per ").map(|i| (i, i + 5));
    let mei = text.find('每');
    let (unit_end, rest_start) = [slash.map(|i| (i, i + 1)), per_word, mei.map(|i| (i, i))]
        .into_iter()
        .flatten()
        .min_by_key(|&(i, _)| i)?;
    let unit = text[..unit_end].trim();
    if unit
        .chars()
        .any(|c| c.is_ascii_digit() || "/,;()".contains(c))
    {
        return None;
    }
    Some((unit.to_string(), &text[rest_start..]))
}

/// Reads the period after the separator, with an optional `每` or `1`.
fn parse_period(text: &str) -> Option<(Per, &str)> {
    let text = text.trim_start();
    let text = text.strip_prefix('每').unwrap_or(text).trim_start();
    const WORDS: &[(&str, Per)] = &[
        ("自然日", Per::Day),
        ("小时", Per::Hour),
        ("分钟", Per::Minute),
        ("秒钟", Per::Second),
        ("秒", Per::Second),
        ("分", Per::Minute),
        ("时", Per::Hour),
        ("天", Per::Day),
        ("日", Per::Day),
        ("calendar day", Per::Day),
        ("seconds", Per::Second),
        ("second", Per::Second),
        ("secs", Per::Second),
        ("sec", Per::Second),
        ("minutes", Per::Minute),
        ("minute", Per::Minute),
        ("mins", Per::Minute),
        ("min", Per::Minute),
        ("hours", Per::Hour),
        ("hour", Per::Hour),
        ("hr", Per::Hour),
        ("days", Per::Day),
        ("day", Per::Day),
        ("s", Per::Second),
        ("m", Per::Minute),
        ("h", Per::Hour),
        ("d", Per::Day),
    ];
    for &(word, per) in WORDS {
        if let Some(rest) = strip_prefix_ignore_case(text, word) {
            let ascii_word = word.is_ascii();
            if ascii_word
                && rest
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric())
            {
                continue;
            }
            return Some((per, rest));
        }
    }
    None
}

/// What may follow the period: nothing, or `/App Key`, `/App ID`, `per App Key`.
fn parse_scope(text: &str) -> Option<Option<Scope>> {
    let text = text.trim();
    if text.is_empty() {
        return Some(None);
    }
    let name = text
        .strip_prefix('/')
        .or_else(|| strip_prefix_ignore_case(text, "per "))?;
    let compact: String = name
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    match compact.as_str() {
        "appkey" | "appid" => Some(Some(Scope::Tenant)),
        _ => None,
    }
}

/// `按收件人数量计算条数` → recipient; English `counted per recipient`.
fn parse_basis(text: &str) -> Option<Cost> {
    let noun = if let Some(rest) = text.strip_prefix('按') {
        let end = rest.find("数量").or_else(|| rest.find("数"))?;
        rest[..end].trim().to_string()
    } else {
        let lower = text.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("counted per ")
            .or_else(|| lower.strip_prefix("counted by "))
            .or_else(|| lower.strip_prefix("per "))?;
        rest.trim().trim_end_matches('s').to_string()
    };
    match noun.as_str() {
        "收件人" | "recipient" => Some(Cost::Recipient),
        "目标群组" | "群组" | "target group" | "group" => Some(Cost::TargetGroup),
        "目标聊天室" | "聊天室" | "target chatroom" | "chatroom" => {
            Some(Cost::TargetChatroom)
        }
        "用户" | "user" => Some(Cost::User),
        "属性" | "attribute" => Some(Cost::Attribute),
        _ => None,
    }
}

/// `单个频道限 20 条/每秒` or `其中群聊消息扩展最多 20 次`.
fn parse_sub_limit(text: &str, inherited: Per) -> Option<SubLimit> {
    if let Some(rest) = text.strip_prefix("其中") {
        let (scope, amount) = rest.split_once("最多")?;
        let (max, after) = parse_number(amount)?;
        let after = after.trim();
        let (unit, per) = match split_unit(after) {
            Some((unit, period)) => {
                let (per, tail) = parse_period(period)?;
                tail.trim().is_empty().then_some((unit, per))?
            }
            None => (after.to_string(), inherited),
        };
        if unit.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        return Some(SubLimit::Structured {
            scope: scope.trim().to_string().into(),
            window: Window::new(max, per),
            unit: unit.into(),
        });
    }
    let (scope, window) = text.split_once('限')?;
    let scope = scope.trim();
    if scope.is_empty() || scope.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let parsed = parse_window(window)?;
    Some(SubLimit::Structured {
        scope: scope.to_string().into(),
        window: parsed.window,
        unit: parsed.unit.into(),
    })
}

/// A clause that speaks of a narrower limit with a number, though not in a known shape.
fn looks_like_sub_limit(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit())
        && ["其中", "单个", "每个", "最多", "限"]
            .iter()
            .any(|word| text.contains(word))
}

/// The cost basis a unit implies when no `按…计算` clause says otherwise.
fn cost_of_unit(unit: &str) -> Cost {
    let lower = unit.to_ascii_lowercase();
    if unit.contains("用户") || lower.starts_with("user") {
        Cost::User
    } else if unit.contains("属性") || lower.starts_with("attribute") {
        Cost::Attribute
    } else if unit.contains("收件人") || lower.starts_with("recipient") {
        Cost::Recipient
    } else {
        Cost::Call
    }
}

fn strip_prefix_ignore_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn windows(phrase: &str) -> Vec<(u64, Per)> {
        parse_phrase(phrase)
            .unwrap_or_else(|e| panic!("{phrase}: {e:?}"))
            .windows
            .iter()
            .map(|w| (w.max, w.per))
            .collect()
    }

    #[test]
    fn every_period_word() {
        for (phrase, per) in [
            ("5 次/秒", Per::Second),
            ("5 次/每秒", Per::Second),
            ("5 次/分钟", Per::Minute),
            ("5 次/每分钟", Per::Minute),
            ("5 次/小时", Per::Hour),
            ("5 次/每小时", Per::Hour),
            ("5 次/天", Per::Day),
            ("5 次/日", Per::Day),
            ("5 次/每天", Per::Day),
            ("5 次/每自然日", Per::Day),
            ("5 calls/second", Per::Second),
            ("5 requests per minute", Per::Minute),
            ("5 requests per hour", Per::Hour),
            ("5 calls/day", Per::Day),
            ("5 req/s", Per::Second),
            ("5 QPS", Per::Second),
        ] {
            assert_eq!(windows(phrase), vec![(5, per)], "{phrase}");
        }
    }

    #[test]
    fn full_width_forms_read_as_ascii() {
        let limit = parse_phrase("１００ 次／每秒（共享），可调频").unwrap();
        assert_eq!(limit.windows, vec![Window::new(100, Per::Second)]);
        assert!(limit.shared && limit.adjustable);
        assert_eq!(limit.text, "１００ 次／每秒（共享），可调频");
    }

    #[test]
    fn scope_suffixes() {
        let limit = parse_phrase("10 次/秒/App Key").unwrap();
        assert_eq!(limit.windows[0].scope, Scope::Tenant);
        assert_eq!(limit.unit, "次");
        let limit = parse_phrase("10 calls/second/App ID").unwrap();
        assert_eq!(limit.windows[0].scope, Scope::Tenant);
        assert_eq!(limit.unit, "calls");
        assert_eq!(limit.cost, Cost::Call);
    }

    #[test]
    fn cost_basis_from_clause_or_unit() {
        let cases = [
            (
                "6000 条消息/每分钟，按收件人数量计算条数，可调频",
                Cost::Recipient,
            ),
            (
                "20 条/每秒，按目标群组数量计算条数，可调频",
                Cost::TargetGroup,
            ),
            (
                "100 条/每秒，按目标聊天室数量计算条数，可调频",
                Cost::TargetChatroom,
            ),
            ("100 用户/每秒", Cost::User),
            ("100 个属性/每秒（共享），可调频", Cost::Attribute),
            ("100 次/每秒", Cost::Call),
            (
                "100 messages/minute, counted per recipient",
                Cost::Recipient,
            ),
        ];
        for (phrase, cost) in cases {
            assert_eq!(parse_phrase(phrase).unwrap().cost, cost, "{phrase}");
        }
    }

    #[test]
    fn two_windows_and_shared() {
        let limit = parse_phrase("2 次/每小时，3 次/每自然日（共享），可调频").unwrap();
        assert_eq!(
            limit.windows,
            vec![Window::new(2, Per::Hour), Window::new(3, Per::Day)]
        );
        assert!(limit.shared && limit.adjustable && !limit.deprecated);
    }

    #[test]
    fn structured_sub_limits() {
        let limit =
            parse_phrase("100 条/每秒，按目标群组数量计算条数；单个频道限 20 条/每秒，可调频")
                .unwrap();
        assert_eq!(
            limit.sub_limits,
            vec![SubLimit::Structured {
                scope: "单个频道".into(),
                window: Window::new(20, Per::Second),
                unit: "条".into()
            }]
        );
        let limit = parse_phrase("100 次/每秒，其中群聊消息扩展最多 20 次，可调频").unwrap();
        assert_eq!(
            limit.sub_limits,
            vec![SubLimit::Structured {
                scope: "群聊消息扩展".into(),
                window: Window::new(20, Per::Second),
                unit: "次".into()
            }]
        );
    }

    #[test]
    fn unknown_sub_limit_kept_as_text() {
        let limit = parse_phrase("100 次/每秒，每个群最多约 20 左右").unwrap();
        assert_eq!(
            limit.sub_limits,
            vec![SubLimit::Text {
                text: "每个群最多约 20 左右".into()
            }]
        );
    }

    #[test]
    fn unreadable_phrases_name_the_clause() {
        let error = parse_phrase("100 次/每秒，偶尔限流").unwrap_err();
        assert_eq!(error.chars, 9..13); // `偶尔限流`, after `100 次/每秒，`
        assert!(parse_phrase("不限").is_err());
        assert!(parse_phrase("100 次").is_err());
        assert!(parse_phrase("0 次/秒").is_err());
        assert!(parse_phrase("100 次/每周").is_err());
        assert!(parse_phrase("100 次/秒（仅限测试）").is_err());
        assert!(parse_phrase("100 次/秒，50 次/秒").is_err());
        assert!(parse_phrase("100 次/秒，50 条/分钟").is_err());
        assert!(parse_phrase("99999999999999999999999 次/秒").is_err());
        assert!(parse_phrase("").is_err());
        // A flag first, then something that needs the first window: found by proptest.
        assert!(parse_phrase("可调频，可调频/").is_err());
        assert!(parse_phrase("（共享），100 次/秒").is_err());
    }

    #[test]
    fn thousands_separator() {
        assert_eq!(windows("6,000 条/每分钟"), vec![(6000, Per::Minute)]);
        assert_eq!(windows("6，000 条/每分钟"), vec![(6000, Per::Minute)]);
    }
}
