//! Limit phrases → [`Limit`]s: the grammar of limit phrases, in Chinese and English, used by
//! the parser for the documents' phrases and by the settings for `limits.toml`'s.
//!
//! A phrase is a list of clauses. Clauses are separated by `，` `；` `、` (or `,` `;`),
//! `<br/>`, ` + `, ` and `, `且` before another window, and sentence ends (`。`, `. `); list
//! bullets (`- `) and connectives (`而且`, `并且`) before a clause are dropped:
//!
//! ```text
//! clause   = window | cap | flag | basis | sublimit | shared | zone | burst | note
//!          | "(" scope | flag | basis | cap | shared | zone | burst | note ")"
//! window   = number unit? ("/" | "per") "每"? number? period ("/" scope)?    200 次/每秒, 1 次/30 分钟
//!          | number unit "/" scope "/" period                              5 次/用户/分钟
//!          | "每"? number? period (最多)? (verb)? number unit              每 5 秒 10 次, 1 分钟 60 次
//!          | "every" number? period "," number unit ("is allowed")?        Every 30 minutes, 1 call is allowed
//!          | number "QPS" | label ":" number                              50 QPS, Requests per second: 20
//!          | words-without-digits window ("is allowed")?                   Single APP call limited to 10 times/s
//! cap      = number unit "/" (次 | request | call) | request-words number unit
//!                                                                          600 人/次, 单次最多 100 个用户
//! scope    = (word-for-one)? noun, see `subject`                           App Key, 单用户 ID, per IP, 每个频道
//! flag     = 可调频 | 共享 | 已废弃 | adjustable | shared | deprecated | 默认值 | default
//! basis    = 按 <noun> 数量计算条数          (收件人 | 目标群组 | 目标聊天室 | 用户 | 属性 | 消息)
//! sublimit = <scope> 限 window | 其中 <scope> 最多 number unit (period)?
//! shared   = 与 <name> 共享 window? | shared with <name>                     与创建用户共享 100 次/秒
//! zone     = UTC | UTC±h[:mm] | 北京时间, with words that say days count in it
//! burst    = burst (of)? number unit?                                      burst of 20 (a note)
//! note     = a clause without digits that is a sentence, a list introduction (`…:`) or an
//!            instruction (`Contact the … business manager`, `如需提升…`)
//! ```
//!
//! Each window counts its own basis, from its unit (`calls` → calls, `messages` →
//! messages, `users` → users, `chat groups` → target groups, …) or from a basis clause,
//! which applies to every window that does not count calls. Full-width punctuation, digits
//! and letters are read as their ASCII forms. Anything the grammar does not know is an error
//! naming the clause: the parser never guesses.

use std::ops::Range;

use ratespec_core::{Cap, Cost, Per, Scope, SubLimit, Window};

use subject::Subject;

mod subject;

/// The meaning of one limit phrase, e.g. `2 次/每小时，3 次/每自然日（共享），可调频`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Limit {
    /// The phrase as written in the document.
    pub text: String,
    /// Every window, all of which apply at once, each with its own basis and scope.
    pub windows: Vec<Window>,
    /// The unit of the first window as written (`次`, `条消息`, `个属性`, `calls`).
    pub unit: String,
    /// What the caller's count measures: the basis of the windows that do not count calls,
    /// else [`Cost::Call`].
    pub cost: Cost,
    /// Per-request caps (`600 users/request`).
    pub caps: Vec<Cap>,
    /// `可调频`: the vendor raises the limit on request.
    pub adjustable: bool,
    /// `共享`: the quota is shared with other endpoints.
    pub shared: bool,
    /// The other APIs it is shared with, as the phrase names them (`与创建用户共享`,
    /// `shared with PUT /v3/s`): a route, or a row's name, for the model to resolve.
    pub shared_with: Vec<String>,
    /// `已废弃` in the phrase.
    pub deprecated: bool,
    /// Narrower limits inside this one.
    pub sub_limits: Vec<SubLimit>,
    /// Clauses kept as text: notes that state no number to enforce (`（说明：…）`,
    /// `Contact the … business manager`).
    pub notes: Vec<String>,
    /// Where the phrase says its calendar days start, as an offset from UTC in seconds:
    /// `(UTC)` is 0, `（北京时间）` and `UTC+8` are 8 hours. The note is kept in `notes` too.
    pub day_offset: Option<i32>,
}

impl Limit {
    /// A limit of no window, as `text` writes it: what `不限` reads to, and what an endpoint
    /// whose phrase could not be read keeps.
    pub fn none(text: &str) -> Limit {
        Limit {
            text: text.to_string(),
            windows: Vec::new(),
            unit: String::new(),
            cost: Cost::Call,
            caps: Vec::new(),
            adjustable: false,
            shared: false,
            deprecated: false,
            sub_limits: Vec::new(),
            notes: Vec::new(),
            day_offset: None,
            shared_with: Vec::new(),
        }
    }
}

/// Why a phrase could not be read, and which characters of it are at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhraseError {
    /// What is wrong.
    pub message: String,
    /// The offending characters, as a range of char indices into the phrase.
    pub chars: Range<usize>,
}

/// Words that say an endpoint has no limit at all (`不限`, `unlimited`).
const UNLIMITED: &[&str] = &[
    "不限",
    "无限制",
    "不限制",
    "无限",
    "不做限制",
    "无频率限制",
    "unlimited",
    "no limit",
    "no limits",
    "no rate limit",
    "not limited",
    "not rate limited",
    "none",
];

/// Reads one limit phrase. A phrase that says there is no limit (`不限`, `unlimited`) reads
/// as a limit without windows, which admits everything.
pub fn parse_phrase(phrase: &str) -> Result<Limit, PhraseError> {
    let chars: Vec<char> = phrase.chars().map(normalize).collect();
    let bare: String = chars
        .iter()
        .collect::<String>()
        .trim()
        .trim_end_matches(['.', '。'])
        .to_lowercase();
    if UNLIMITED.contains(&bare.as_str()) {
        let mut limit = Limit::none(phrase);
        limit.notes.push(phrase.trim().to_string());
        return Ok(limit);
    }
    let mut limit = Limit::none(phrase);
    let mut basis = None;
    let mut units: Vec<String> = Vec::new();
    let clauses = split_clauses(&chars);
    if clauses.is_empty() {
        return Err(PhraseError {
            message: "empty limit phrase".into(),
            chars: 0..chars.len(),
        });
    }
    // `一次给 600 人发消息，算 600 条消息`: the clause before an explanation is its premise,
    // an example rather than a limit.
    let texts: Vec<String> = clauses
        .iter()
        .map(|range| chars[range.clone()].iter().collect())
        .collect();
    let premise: Vec<bool> = (0..texts.len())
        .map(|i| {
            // The clause as read below: without its `(...)` groups.
            texts.get(i + 1).is_some_and(|next| is_explanation(next))
                && parse_limit_clause(&split_trailing_groups(&texts[i]).0).is_none()
        })
        .collect();
    // `Every 30 minutes, 1 call is allowed`: a period alone waits for its count.
    let mut pending_period: Option<(u32, Per)> = None;
    for (index, range) in clauses.into_iter().enumerate() {
        if premise[index] {
            limit.notes.push(texts[index].clone());
            continue;
        }
        let error = |message: &str| PhraseError {
            message: message.to_string(),
            chars: range.clone(),
        };
        let clause: String = chars[range.clone()].iter().collect();
        let (body, groups) = split_trailing_groups(&clause);
        let body = strip_connective(&body);
        // `与创建用户共享 100 次/秒`: whom the quota is shared with, then the rest.
        let body = match shared_with(&body) {
            Some((others, rest)) => {
                limit.shared = true;
                limit.shared_with.extend(others);
                rest
            }
            None => body,
        };
        let before_any_window = limit.windows.is_empty() && limit.caps.is_empty();
        let mut group_scope = None;
        for group in groups {
            if let Some(scope) = scope_named(&group) {
                group_scope = Some(scope);
                continue;
            }
            match as_flag(&group) {
                Some(_) if before_any_window && body.is_empty() => {
                    return Err(error(
                        "a limit phrase must start with a window such as `100 次/每秒` or `10 calls/second`",
                    ));
                }
                Some(flag) => apply_flag(&mut limit, flag),
                // `30 requests/second (shared with PUT /v3/s)`.
                None if let Some((others, rest)) = shared_with(&group)
                    && rest.is_empty() =>
                {
                    limit.shared = true;
                    limit.shared_with.extend(others);
                }
                // `100 条/秒（按消息条数计算）`: what the windows count.
                None if let Some(cost) = parse_basis(&group) => basis = Some(cost),
                // `50 次/秒（每次最多查询 100 个用户）`: a per-request cap.
                None if let Some(Found::Cap(cap)) = request_first(&group) => limit.caps.push(cap),
                None if let Some(offset) = time_zone(&group) => {
                    limit.day_offset = Some(offset);
                    limit.notes.push(group);
                }
                // `5 requests/second (burst 10)`: an allowance above the window, which
                // enforcing the window alone never exceeds.
                None if is_burst(&group) => limit.notes.push(group),
                None if is_note(&group) => {
                    apply_note(&mut limit, &group);
                    limit.notes.push(group);
                }
                None => {
                    return Err(error(
                        "unknown note in parentheses (known: 共享, 可调频, 已废弃, 默认值, 说明：…)",
                    ));
                }
            }
        }
        if body.is_empty() {
            continue;
        }
        if let Some(period) = pending_period.take() {
            if let Some((max, unit)) = count_allowed(&body) {
                let window = Window::new(max, period.1).every(period.0);
                push_window(&mut limit, &mut units, window, unit, &error)?;
                continue;
            }
            return Err(error(
                "a period without a count: write `Every 30 minutes, 1 call`",
            ));
        }
        if let Some(flag) = as_flag(&body) {
            if before_any_window {
                return Err(error(
                    "a limit phrase must start with a window such as `100 次/每秒` or `10 calls/second`",
                ));
            }
            apply_flag(&mut limit, flag);
        } else if let Some(period) = every_period(&body) {
            pending_period = Some(period);
        } else if !before_any_window && is_burst(&body) {
            limit.notes.push(body);
        } else if !before_any_window && let Some(offset) = time_zone(&body) {
            // `1000 calls/day, calculated in UTC`.
            limit.day_offset = Some(offset);
            limit.notes.push(body);
        } else if let Some(sub) = parse_sub_limit(&body, limit.windows.first()) {
            match keyed_window(&sub) {
                // `单个频道限 20 条/每秒`: a window of its own, counted per channel.
                Some((window, unit)) => push_window(&mut limit, &mut units, window, unit, &error)?,
                None => limit.sub_limits.push(sub),
            }
        } else if let Some(cost) = parse_basis(&body) {
            basis = Some(cost);
        } else if let Some(found) = parse_limit_clause(&body) {
            match found {
                Found::Window(window, unit) => {
                    // `100 次/秒（单个 App Key）`: the parentheses say whose quota it is.
                    let window = group_scope.map_or(window, |scope| window.scoped(scope));
                    push_window(&mut limit, &mut units, window, unit, &error)?
                }
                Found::Cap(cap) => limit.caps.push(cap),
            }
        } else if is_explanation(&body) {
            limit.notes.push(body);
        } else if looks_like_sub_limit(&body) {
            limit.sub_limits.push(SubLimit::Text { text: body.into() });
        } else if is_note(&body) {
            apply_note(&mut limit, &body);
            limit.notes.push(body);
        } else if before_any_window {
            return Err(error(
                "a limit phrase must start with a window such as `100 次/每秒` or `10 calls/second`",
            ));
        } else {
            return Err(error("unreadable clause in a limit phrase"));
        }
    }
    if pending_period.is_some() {
        return Err(PhraseError {
            message: "a period without a count: write `Every 30 minutes, 1 call`".into(),
            chars: 0..chars.len(),
        });
    }
    if limit.windows.is_empty() {
        return Err(PhraseError {
            message: "a limit phrase must contain a window such as `100 次/每秒`".into(),
            chars: 0..chars.len(),
        });
    }
    if let Some(basis) = basis {
        let all_calls = limit.windows.iter().all(|w| w.cost == Cost::Call);
        for window in &mut limit.windows {
            if all_calls || window.cost != Cost::Call {
                window.cost = basis;
            }
        }
    }
    let mut counted = limit
        .windows
        .iter()
        .map(|w| w.cost)
        .filter(|&c| c != Cost::Call);
    limit.cost = counted.next().unwrap_or(Cost::Call);
    if let Some(other) = counted.find(|&c| c != limit.cost) {
        return Err(PhraseError {
            message: format!(
                "the windows count two different things ({} and {}): which one does a request's count measure?",
                limit.cost, other
            ),
            chars: 0..chars.len(),
        });
    }
    limit.unit = units.swap_remove(0);
    Ok(limit)
}

/// Finds the limit stated inside a sentence of prose (`The total … limit … is 100
/// calls/second/App Key.`, `…总调用频率（默认值）为 100 次/秒/App Key。`): from the first
/// number that starts a window, as many clauses as read as a phrase. Gives the char index
/// where the phrase starts, and the limit, whose text is the phrase as written.
pub fn limit_in_sentence(sentence: &str) -> Option<(usize, Limit)> {
    let original: Vec<char> = sentence.chars().collect();
    let chars: Vec<char> = original.iter().copied().map(normalize).collect();
    let clauses = split_clauses(&chars);
    for (index, range) in clauses.iter().enumerate() {
        let clause: String = chars[range.clone()].iter().collect();
        // The window starts at the clause, at a `每` that starts one (`批量发送消息 每分钟 120
        // 次`), or at its first number, whichever comes first.
        let period = clause
            .chars()
            .enumerate()
            .filter(|&(_, c)| c == '每')
            .map(|(skip, _)| skip)
            .find(|&skip| period_first(&clause.chars().skip(skip).collect::<String>()).is_some());
        let number = match embedded_window(&clause) {
            Some((skip, Found::Window(..))) => Some(skip),
            _ => None,
        };
        let at_start = period_first(&clause).map(|_| 0);
        let Some(skip) = [at_start, period, number].into_iter().flatten().min() else {
            continue;
        };
        // A scope before the window belongs to it (`每个用户每天最多 10 次`): the phrase starts
        // at an earlier `每` when the clause reads as one from there.
        let skip = (clause.chars().enumerate().take(skip))
            .filter(|&(_, c)| c == '每')
            .map(|(at, _)| at)
            .find(|&at| {
                parse_phrase(
                    &original[range.start + at..range.end]
                        .iter()
                        .collect::<String>(),
                )
                .is_ok()
            })
            .unwrap_or(skip);
        let from = range.start + skip;
        // Clause by clause, as far as each one adds to the limit (a window, a cap, a flag, a
        // sub-limit): the sentences after it are about something else.
        let weight = |l: &Limit| {
            (
                l.windows.len() + l.caps.len() + l.sub_limits.len(),
                l.adjustable,
                l.shared,
            )
        };
        let mut best: Option<Limit> = None;
        for end in clauses[index..].iter().map(|r| r.end) {
            let candidate: String = original[from..end].iter().collect();
            match parse_phrase(&candidate) {
                Ok(limit) if best.as_ref().is_none_or(|b| weight(&limit) != weight(b)) => {
                    best = Some(limit)
                }
                Ok(_) => {}
                Err(_) if best.is_some() => break,
                Err(_) => {}
            }
        }
        if let Some(limit) = best {
            return Some((from, limit));
        }
    }
    None
}

/// Reads full-width forms as ASCII (`，` → `,`, `１` → `1`, `　` → ` `, `／` → `/`).
fn normalize(c: char) -> char {
    match c {
        '\u{3000}' | '\u{a0}' => ' ',
        '、' => ',',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Splits into clauses outside parentheses: at `,` and `;` (except a thousands separator),
/// `<br>` tags, ` + `, ` and `, a ` / ` between windows, before ` unless ` and ` except `, and
/// at sentence ends.
fn split_clauses(chars: &[char]) -> Vec<Range<usize>> {
    let mut clauses = Vec::new();
    let mut start = 0;
    let mut depth = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let between_windows = c == '/' && depth == 0 && is_window_separator(chars, start, i);
        let mut cut = |from: usize, to: usize, clauses: &mut Vec<Range<usize>>| {
            clauses.push(start..from);
            start = to;
        };
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if is_thousands_separator(chars, i) => {}
            ',' | ';' | '。' if depth == 0 => cut(i, i + 1, &mut clauses),
            '.' if depth == 0 && chars.get(i + 1).is_none_or(|c| c.is_whitespace()) => {
                cut(i, i + 1, &mut clauses)
            }
            '<' => {
                if let Some(len) = br_tag(&chars[i..]) {
                    cut(i, i + len, &mut clauses);
                    i += len;
                    continue;
                }
            }
            '+' if depth == 0 => cut(i, i + 1, &mut clauses),
            // `每分钟 10 次 / 每小时 100 次`: a ` / ` after a whole window, before another.
            '/' if between_windows => cut(i, i + 1, &mut clauses),
            // `100 次/秒 且 1000 次/分钟`, `100 次/秒并且每分钟 1000 次`: another window.
            '且' if depth == 0
                && chars[i + 1..]
                    .iter()
                    .find(|c| !c.is_whitespace())
                    .is_some_and(|&c| c.is_ascii_digit() || c == '每') =>
            {
                let from = if i > 0 && matches!(chars[i - 1], '并' | '而') {
                    i - 1
                } else {
                    i
                };
                cut(from, i + 1, &mut clauses)
            }
            // `100 requests per second unless noted below`: what the limit is not about.
            ' ' if depth == 0
                && (word_at(chars, i + 1, "unless ") || word_at(chars, i + 1, "except ")) =>
            {
                cut(i, i + 1, &mut clauses)
            }
            ' ' if depth == 0 && word_at(chars, i + 1, "and ") => {
                cut(i, i + 5, &mut clauses);
                i += 5;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    clauses.push(start..chars.len());
    clauses
        .into_iter()
        .map(|range| trim_range(chars, range))
        .filter(|range| !range.is_empty())
        .collect()
}

/// Whether the `/` at `i` separates two windows (`每分钟 10 次 / 每小时 100 次`,
/// `10 次/秒 / 1000 次/天`) rather than a count from its period (`100 次 / 秒`, `200 次/每秒`,
/// `100 requests / 10 seconds`): it has spaces around it, a number or `每` after it, and a
/// number and a unit of time in the clause before it.
fn is_window_separator(chars: &[char], start: usize, i: usize) -> bool {
    let spaced = i > 0
        && chars[i - 1].is_whitespace()
        && chars.get(i + 1).is_some_and(|c| c.is_whitespace());
    let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
    if !spaced || !next.is_some_and(|&c| c.is_ascii_digit() || c == '每') {
        return false;
    }
    let before: String = chars[start..i].iter().collect::<String>().to_lowercase();
    before.chars().any(|c| c.is_ascii_digit())
        && ["秒", "分", "时", "天", "日", "sec", "min", "hour", "day"]
            .iter()
            .any(|unit| before.contains(unit))
}

/// The length of a `<br>`, `<br/>` or `<br />` tag at the start of `chars`.
fn br_tag(chars: &[char]) -> Option<usize> {
    let text: String = chars
        .iter()
        .take(6)
        .collect::<String>()
        .to_ascii_lowercase();
    ["<br />", "<br/>", "<br>"]
        .iter()
        .find(|tag| text.starts_with(*tag))
        .map(|tag| tag.chars().count())
}

fn word_at(chars: &[char], i: usize, word: &str) -> bool {
    let text: String = chars.iter().skip(i).take(word.len()).collect();
    text.eq_ignore_ascii_case(word)
}

fn is_thousands_separator(chars: &[char], i: usize) -> bool {
    i > 0
        && chars[i - 1].is_ascii_digit()
        && chars.len() >= i + 4
        && chars[i + 1..i + 4].iter().all(char::is_ascii_digit)
        && chars.get(i + 4).is_none_or(|c| !c.is_ascii_digit())
}

fn trim_range(chars: &[char], mut range: Range<usize>) -> Range<usize> {
    let is_trim = |c: char| c.is_whitespace() || c == '.' || c == '。' || c == '-' || c == '*';
    while range.start < range.end && is_trim(chars[range.start]) {
        range.start += 1;
    }
    while range.end > range.start && is_trim(chars[range.end - 1]) {
        range.end -= 1;
    }
    range
}

/// Words that join a clause to the one before it and say nothing of their own.
/// The APIs a clause says the quota is shared with, and what follows (`与创建用户共享 100 次/秒`
/// → [`创建用户`], `100 次/秒`; `shared with PUT /v3/s` → [`PUT /v3/s`], ``).
fn shared_with(text: &str) -> Option<(Vec<String>, String)> {
    const WITH: &[&str] = &["与", "和", "同", "跟"];
    const SHARE: &[&str] = &["共享", "共用", "合用"];
    const QUOTA: &[&str] = &[
        "同一个",
        "同一",
        "一个",
        "的",
        "调用频率",
        "频率限制",
        "频率",
        "配额",
        "额度",
        "限制",
        ":",
        "：",
        ",",
        "，",
    ];
    let text = text.trim();
    let (others, rest) = if let Some(after) = WITH.iter().find_map(|w| text.strip_prefix(w)) {
        let (at, word) = SHARE
            .iter()
            .filter_map(|word| Some((after.find(word)?, word)))
            .min()?;
        let rest = strip_leading_words(&after[at + word.len()..], QUOTA);
        (&after[..at], rest.trim().to_string())
    } else {
        let english = [
            "shared with ",
            "shares its quota with ",
            "shares the quota of ",
            "shares its limit with ",
            "shares the limit of ",
            "counted together with ",
        ];
        let others = english
            .iter()
            .find_map(|word| strip_prefix_ignore_case(text, word))?;
        (others, String::new())
    };
    let others: Vec<String> = others
        .split(['、', ',', '，'])
        .map(|other| {
            let other = other
                .trim()
                .trim_matches(['`', '"', '\'', '“', '”', '「', '」', '《', '》']);
            let other = strip_prefix_ignore_case(other, "the ").unwrap_or(other);
            let other = ["接口", " api", " endpoint", " endpoints"]
                .iter()
                .find_map(|suffix| {
                    let at = other.len().checked_sub(suffix.len())?;
                    let tail = other.get(at..)?;
                    tail.eq_ignore_ascii_case(suffix).then(|| &other[..at])
                })
                .unwrap_or(other);
            other.trim().trim_matches('`').to_string()
        })
        .filter(|other| !other.is_empty())
        .collect();
    (!others.is_empty()).then_some((others, rest))
}

fn strip_connective(text: &str) -> String {
    let mut text = text.trim();
    for word in ["而且", "并且", "同时", "以及", "且", "and ", "also "] {
        if let Some(rest) = strip_prefix_ignore_case(text, word) {
            text = rest.trim_start();
        }
    }
    text.to_string()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flag {
    Adjustable,
    Shared,
    Deprecated,
    /// `默认值` / `default`: says the number is the default quota; nothing to record.
    Default,
}

/// The offset from UTC, in seconds, of the time zone that `text` says days are counted in
/// (`UTC`, `UTC+8`, `GMT+08:00`, `北京时间`, `按 UTC 时间计算`, `calculated in UTC`), when it
/// says nothing else.
fn time_zone(text: &str) -> Option<i32> {
    const FILLERS: &[&str] = &[
        "按",
        "以",
        "计算",
        "时间",
        "时区",
        "为准",
        "的",
        "自然日",
        "calculated",
        "counted",
        "based",
        "in",
        "on",
        "the",
        "time",
        "timezone",
        "zone",
        "days",
        "day",
        "standard",
        "resets",
        "reset",
        "at",
        "midnight",
        "重置",
        "零点",
    ];
    const BEIJING: &[&str] = &["北京时间", "beijing time", "china standard time"];
    let lower = text.trim().to_lowercase();
    let (offset, rest) = match BEIJING.iter().find(|name| lower.contains(*name)) {
        Some(name) => (8 * 3600, lower.replacen(name, " ", 1)),
        None => {
            let at = lower.find("utc").or_else(|| lower.find("gmt"))?;
            let (offset, len) = offset_after_zone(&lower[at + 3..])?;
            let end = at + 3 + len;
            (offset, format!("{} {}", &lower[..at], &lower[end..]))
        }
    };
    // Nothing but the zone and words that say days are counted in it.
    let only_fillers = rest
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '(' | ')'))
        .all(|word| strip_leading_words(word, FILLERS).is_empty());
    only_fillers.then_some(offset)
}

/// The offset written right after `UTC` or `GMT` (`+8`, `-05:30`, nothing for UTC itself), in
/// seconds, and its length in bytes.
fn offset_after_zone(after: &str) -> Option<(i32, usize)> {
    let sign = match after.as_bytes().first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Some((0, 0)),
    };
    let digits = &after[1..];
    let hours_len = digits.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&hours_len) {
        return None;
    }
    let hours: i32 = digits[..hours_len].parse().ok()?;
    let (minutes, minutes_len) = match digits[hours_len..].strip_prefix(':') {
        Some(m) if m.len() >= 2 && m.as_bytes()[..2].iter().all(u8::is_ascii_digit) => {
            (m[..2].parse().ok()?, 3)
        }
        _ => (0, 0),
    };
    (hours <= 14 && minutes < 60).then_some((
        sign * (hours * 3600 + minutes * 60),
        1 + hours_len + minutes_len,
    ))
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
    match text.trim().to_ascii_lowercase().as_str() {
        "可调频" | "可调整" | "可调" | "adjustable" => Some(Flag::Adjustable),
        "共享" | "shared" | "一并计算" => Some(Flag::Shared),
        "已废弃" | "废弃" | "deprecated" => Some(Flag::Deprecated),
        "默认值" | "默认" | "default" => Some(Flag::Default),
        _ => None,
    }
}

/// A clause without digits that is a note rather than a limit: a sentence, a list
/// introduction, an instruction, or a labelled remark.
fn is_note(text: &str) -> bool {
    let text = text.trim();
    if text.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    const LABELS: &[&str] = &["说明", "注意", "注", "备注", "提示", "note", "tip"];
    const OPENINGS: &[&str] = &[
        "如需",
        "如有",
        "请联系",
        "联系",
        "可联系",
        "可申请",
        "不可",
        "不支持",
        "无法",
        "contact",
        "to request",
        "please",
        "if ",
        "this limit",
        "this rest api",
        "for a single",
        "for each",
    ];
    let lower = text.to_ascii_lowercase();
    text.ends_with(':')
        || says_adjustable(&lower).is_some()
        || LABELS
            .iter()
            .any(|label| lower.starts_with(label) && lower[label.len()..].starts_with(':'))
        || OPENINGS.iter().any(|opening| lower.starts_with(opening))
        || text.split_whitespace().count() >= 4 && text.is_ascii() && !says_how_it_counts(&lower)
}

/// A sentence that explains how units are counted (`Sending a message to 600 users in one
/// request counts as 600 messages`): kept as a note, since the windows' units say it.
fn is_explanation(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let explains = [
        " counts as ",
        " count as ",
        " is counted as ",
        "计为",
        "算作",
        "计算为",
        "视为",
        "相当于",
        "记为",
    ];
    // What an add-on package adds, or costs, is not the limit.
    let about_add_ons = ["加量包", "扩展包", "add-on", "package", "元/月", "/month"];
    lower.starts_with('算')
        || explains.iter().any(|w| lower.contains(w))
        || about_add_ons.iter().any(|w| lower.contains(w))
        || answers_over_the_limit(&lower)
}

/// What the vendor answers over the limit (`超过将返回 429`, `exceeding it returns HTTP 429`):
/// the number is a status or error code, not a limit.
fn answers_over_the_limit(lower: &str) -> bool {
    let over = [
        "超过",
        "超出",
        "超限",
        "否则",
        "exceed",
        "over the limit",
        "otherwise",
        "beyond",
    ];
    let answer = [
        "返回",
        "报错",
        "错误码",
        "return",
        "respond",
        "error",
        "status",
    ];
    let text = lower.trim_start();
    over.iter().any(|w| text.starts_with(w)) && answer.iter().any(|w| text.contains(w))
}

/// An English sentence that speaks of how the limit counts, is shared, raised or retired: not
/// a note to pass over, but a clause the grammar must read or report.
fn says_how_it_counts(lower: &str) -> bool {
    [
        "count", "calculat", "based on", "per ", "shared", "share ", "total", "combined", "adjust",
        "deprecat",
    ]
    .iter()
    .any(|word| lower.contains(word))
}

/// What a note says about the limit: whether the vendor raises it on request.
fn apply_note(limit: &mut Limit, note: &str) {
    if let Some(adjustable) = says_adjustable(&note.to_ascii_lowercase()) {
        limit.adjustable = adjustable;
    }
}

/// Whether a note (ASCII lower case) says the limit can be raised (`adjustable on request`,
/// `可申请提高`) or cannot (`cannot be increased`, `不可调`); `None` when it says neither.
fn says_adjustable(lower: &str) -> Option<bool> {
    let fixed = [
        "cannot be increased",
        "cannot be adjusted",
        "cannot be raised",
        "not adjustable",
        "non-adjustable",
        "不可调",
        "不支持调整",
        "无法调整",
    ];
    let raised = [
        "higher limit",
        "increase the limit",
        "can be raised",
        "can be increased",
        "can be adjusted",
        "提升",
        "提高",
        "调整上限",
        "可申请",
        "调整",
        "adjust",
    ];
    if fixed.iter().any(|w| lower.contains(w)) {
        Some(false)
    } else if raised.iter().any(|w| lower.contains(w)) {
        Some(true)
    } else {
        None
    }
}

/// The clause without its trailing `(...)` groups, and the groups' contents (innermost
/// last), e.g. `3 次/每自然日（共享）` → (`3 次/每自然日`, [`共享`]).
fn split_trailing_groups(clause: &str) -> (String, Vec<String>) {
    let chars: Vec<char> = clause.chars().collect();
    let mut end = chars.len();
    let mut groups = Vec::new();
    while end > 0 && chars[end - 1] == ')' {
        let Some(open) = chars[..end].iter().rposition(|&c| c == '(') else {
            break;
        };
        let inner: String = chars[open + 1..end - 1].iter().collect();
        groups.push(inner.trim().to_string());
        end = open;
        while end > 0 && chars[end - 1].is_whitespace() {
            end -= 1;
        }
    }
    let body: String = chars[..end].iter().collect();
    (body.trim().to_string(), groups)
}

fn push_window(
    limit: &mut Limit,
    units: &mut Vec<String>,
    window: Window,
    unit: String,
    error: &dyn Fn(&str) -> PhraseError,
) -> Result<(), PhraseError> {
    if limit
        .windows
        .iter()
        .any(|w| w.same_length(&window) && w.cost == window.cost && w.scope == window.scope)
    {
        return Err(error("two windows of the same length count the same thing"));
    }
    limit.windows.push(window);
    units.push(unit);
    Ok(())
}

/// What one clause states.
enum Found {
    /// A window, with its unit as written.
    Window(Window, String),
    /// A per-request cap.
    Cap(Cap),
}

/// A window or a cap at the start of the clause, or after words that introduce a limit
/// (`Single APP call limited to 10 times/s`, `Messages can be sent to up to 1000
/// users/second`): a sentence that merely mentions a number (`The size of each add-on
/// package is 50 calls/second`) is not a limit.
fn parse_limit_clause(text: &str) -> Option<Found> {
    let found = period_first(text)
        .or_else(|| labelled(text))
        .or_else(|| request_first(text));
    if let Some(found) = found {
        return Some(found);
    }
    // Words, then a period-first window: `同一个 AppKey 每秒最多 100 次`, `每个用户每分钟最多 5 次`,
    // `单个 App Key 的 QPS 为 100`.
    let lower = text.to_ascii_lowercase();
    for (at, _) in text
        .char_indices()
        .filter(|&(at, c)| c == '每' || lower[at..].starts_with("qps"))
        .skip_while(|&(at, _)| at == 0)
    {
        if let Some(found) = period_first(&text[at..]) {
            return introduced(&text[..at], found);
        }
    }
    let (skip, found) = embedded_window(text)?;
    if skip == 0 {
        return Some(found);
    }
    let before: String = text.chars().take(skip).collect();
    introduced(&before, found)
}

/// A window or cap after words `before` that either introduce a limit or say whose it is;
/// `None` when the words say something else.
fn introduced(before: &str, found: Found) -> Option<Found> {
    const INTRODUCERS: &[&str] = &[
        "limit",
        "limited to",
        "limit of",
        "limit is",
        "up to",
        "at most",
        "allows",
        "allow",
        "allowed",
        "can make",
        "may make",
        "make",
        // `can be called twice a day`, `may be invoked 10 times per minute`.
        "called",
        "invoked",
        "可调用",
        "可以调用",
        "允许",
        "no more than",
        "exceed",
        "maximum",
        "maximum of",
        "max",
        "default",
        "by default",
        "最多",
        "至多",
        "不超过",
        "不能超过",
        "不得超过",
        "上限",
        "上限为",
        "限",
        "限制为",
        "限额为",
        "频率为",
        "频率",
        "调用频率",
        "频率限制",
        "限制",
        "限流",
        "限频",
        "最高",
        "最大",
        "rate limit",
        "rate",
        "频率是",
        "默认",
        "默认为",
        "默认值",
        "≤",
        "⩽",
        "<=",
    ];
    let lower = before.to_lowercase();
    let trim = |text: &'_ str| -> String {
        // `单个 App Key 的 QPS`: the possessive says whose, as the words before it do.
        let text = text
            .trim_end()
            .trim_end_matches([':', '：', ',', '，', '的', '下']);
        text.trim_end().to_string()
    };
    let bare = trim(&lower);
    // Whose limit the words say, right before the window or before a word that introduces it
    // (`每个用户最多 5 次/分钟`, `per IP up to 100 requests/minute`).
    let owners = || {
        INTRODUCERS
            .iter()
            .filter_map(|word| bare.strip_suffix(word))
            .map(trim)
            .chain([bare.clone()])
    };
    let scope = match found {
        Found::Window(..) => owners().find_map(|words| subject::scope_at_end(&words)),
        Found::Cap(_) => subject::scope_at_end(&bare),
    };
    // `单个群组最多 20 条/秒`: one group's window, which no scope counts; reading it as the
    // tenant's would be a guess.
    if scope.is_none()
        && matches!(found, Found::Window(..))
        && owners().any(|words| names_other_subject(&words))
    {
        return None;
    }
    match (scope, found) {
        (Some(scope), Found::Window(window, unit)) => {
            Some(Found::Window(window.scoped(scope), unit))
        }
        (Some(_), Found::Cap(_)) => None,
        (None, found) => (bare.is_empty() || INTRODUCERS.iter().any(|word| bare.ends_with(word)))
            .then_some(found),
    }
}

/// Whether `words` name one thing of a kind that no scope counts (`单个群组`, `每个群`,
/// `each group`): neither a user, an address, a channel nor the app.
fn names_other_subject(words: &str) -> bool {
    matches!(subject::named(words), Some((true, Subject::Other)))
}

/// The first window or cap in `text` that runs to the clause's end, with the number of
/// chars before it; the words before it hold no digit. A clause without digits may write
/// its number in Chinese numerals (`两次/秒`): the first numeral a window starts at.
fn embedded_window(text: &str) -> Option<(usize, Found)> {
    let chars: Vec<char> = text.chars().collect();
    let at = |start: usize| {
        let rest: String = chars[start..].iter().collect();
        // `A maximum of 20 requests per minute is allowed.`
        let found = window_at(&rest).or_else(|| {
            let bare = without_allowed_tail(rest.trim_end_matches('.'));
            window_at(bare).filter(|_| bare.len() < rest.len())
        })?;
        Some((start, found))
    };
    // A count in a word (`twice a day`, `once every 5 minutes`) before any digit.
    let count_word = |start: usize| {
        "oOtT".contains(chars[start])
            && (start == 0 || !chars[start - 1].is_alphanumeric())
            && times_in_a_word(&chars[start..].iter().collect::<String>()).is_some()
    };
    let first_digit = chars.iter().position(char::is_ascii_digit);
    let words = (0..first_digit.unwrap_or(chars.len())).filter(|&start| count_word(start));
    match first_digit {
        Some(first_digit) => words.clone().find_map(at).or_else(|| at(first_digit)),
        None => (0..chars.len())
            .filter(|&start| is_chinese_numeral(chars[start]))
            .chain(words)
            .find_map(at),
    }
}

/// A digit or a unit of a number written in Chinese (`两`, `十`, `万`).
fn is_chinese_numeral(c: char) -> bool {
    "零一二两三四五六七八九十百千万亿".contains(c)
}

/// A number written in Chinese numerals at the start of `text` (`两` 2, `十五` 15, `二十` 20,
/// `一百` 100, `三千` 3000, `一万五千` 15000), and the text after it.
fn chinese_number(text: &str) -> Option<(u64, &str)> {
    let end = text
        .char_indices()
        .find(|&(_, c)| !is_chinese_numeral(c))
        .map_or(text.len(), |(i, _)| i);
    // `total` holds what the 万 and 亿 already scaled, `section` the hundreds and tens below
    // them, `digit` the digit waiting for its unit.
    let (mut total, mut section, mut digit) = (0u64, 0u64, None::<u64>);
    for c in text[..end].chars() {
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1_000,
            '万' | '亿' => {
                let scale = if c == '万' { 10_000 } else { 100_000_000 };
                let whole = total
                    .checked_add(section)?
                    .checked_add(digit.take().unwrap_or(0))?;
                total = whole.checked_mul(scale)?;
                section = 0;
                continue;
            }
            _ => {
                // Two digits in a row (`一二`) are no number.
                if digit.is_some() {
                    return None;
                }
                let value = match c {
                    '两' => 2,
                    _ => "零一二三四五六七八九".chars().position(|d| d == c)? as u64,
                };
                digit = Some(value);
                continue;
            }
        };
        // `十` alone is ten; `百` and `千` need their digit.
        let times = match digit.take() {
            Some(d) => d,
            None if unit == 10 => 1,
            None => return None,
        };
        section = section.checked_add(times * unit)?;
    }
    let value = total
        .checked_add(section)?
        .checked_add(digit.unwrap_or(0))?;
    (value > 0).then_some((value, &text[end..]))
}

/// `100 次/每秒`, `10 次/秒/App Key`, `1 次/30 分钟`, `100 个属性每秒`, `10 calls/second`,
/// `100 requests per minute`, `200/sec`, `50 QPS`, `600 人/次`, `3 calls/day`.
fn window_at(text: &str) -> Option<Found> {
    let (max, rest) = parse_number(text).or_else(|| times_in_a_word(text))?;
    let rest = rest.trim_start();
    // `50 QPS`, `100 rps`, `60 rpm`: requests (queries) per second or per minute.
    for (word, per) in [
        ("qps", Per::Second),
        ("rps", Per::Second),
        ("tps", Per::Second),
        ("qpm", Per::Minute),
        ("rpm", Per::Minute),
    ] {
        // Then nothing, or whose quota it is (`20 QPS per App Key`, `50 QPS/单用户 ID`).
        if let Some(scope) = strip_prefix_ignore_case(rest, word).and_then(parse_scope) {
            let unit = word.to_ascii_uppercase();
            return Some(Found::Window(Window::new(max, per).scoped(scope), unit));
        }
    }
    let (unit, rest) = split_unit(rest)?;
    let cost = cost_of_unit(&unit);
    if let Some(after) = per_request(rest) {
        if after.trim().is_empty() && cost != Cost::Call {
            return Some(Found::Cap(Cap {
                max,
                cost,
                unit: unit.into(),
            }));
        }
        return None;
    }
    let (every, per, scope) = match parse_period(rest) {
        Some((every, per, rest)) => (every, per, parse_scope(rest)?),
        // `5 次/用户/分钟`, `1 request per user per 5 minutes`: whose quota it is, then the
        // period.
        None => {
            let per = rest.to_ascii_lowercase().find(" per ");
            let (whose, period) = rest
                .split_once('/')
                .or_else(|| per.map(|i| (&rest[..i], &rest[i + " per ".len()..])))?;
            let scope = scope_named(whose.trim())?;
            let (every, per, rest) = parse_period(period)?;
            rest.trim().is_empty().then_some((every, per, scope))?
        }
    };
    let window = Window::new(max, per)
        .every(every)
        .counting(cost)
        .scoped(scope);
    Some(Found::Window(window, unit))
}

/// `once`, `twice`, `thrice` (`once per minute`, `twice a day`): a count in a word, and what
/// follows it.
fn times_in_a_word(text: &str) -> Option<(u64, &str)> {
    let text = text.trim_start();
    [("once", 1), ("twice", 2), ("thrice", 3)]
        .into_iter()
        .find_map(|(word, count)| {
            let rest = strip_prefix_ignore_case(text, word)?;
            (!rest.starts_with(|c: char| c.is_ascii_alphanumeric())).then_some((count, rest))
        })
}

/// `次`, `request`, `call` after the separator: a count per request.
fn per_request(text: &str) -> Option<&str> {
    let text = text.trim_start();
    ["次", "request", "call", "each request", "time"]
        .iter()
        .find_map(|word| {
            let rest = strip_prefix_ignore_case(text, word)?;
            (!word.is_ascii() || !rest.starts_with(|c: char| c.is_ascii_alphabetic()))
                .then_some(rest)
        })
}

/// A per-request cap with the request first: `单次最多 100 个用户`, `每次请求最多 20 条消息`,
/// `Each request: up to 100 users`.
fn request_first(text: &str) -> Option<Found> {
    const REQUEST: &[&str] = &[
        "单次请求",
        "每次请求",
        "单次调用",
        "每次调用",
        "单次",
        "每次",
        "each request",
        "per request",
        "a single request",
        "one request",
    ];
    const FILLERS: &[&str] = &[
        ":",
        "：",
        ",",
        "，",
        "可",
        "最多",
        "至多",
        "不超过",
        "支持",
        // What the request does with what it counts: `每次最多查询 100 个用户`.
        "查询",
        "获取",
        "发送",
        "添加",
        "删除",
        "传入",
        "操作",
        "up to",
        "at most",
        "can",
        "may",
        "include",
        "contain",
        "carry",
        "add",
        "remove",
        "delete",
        "query",
        "fetch",
        "send",
        "specify",
    ];
    let rest = REQUEST
        .iter()
        .find_map(|word| strip_prefix_ignore_case(text.trim(), word))?;
    let (max, unit) = parse_number(strip_leading_words(rest, FILLERS))?;
    let unit = unit.trim();
    let cost = cost_of_unit(unit);
    // A count of something a request carries (users, messages): a count of calls is none.
    (!unit.is_empty() && cost != Cost::Call && !unit.contains(['/', '每'])).then(|| {
        Found::Cap(Cap {
            max,
            cost,
            unit: unit.to_string().into(),
        })
    })
}

/// A label that names what is counted and the window, then the number: `Requests per
/// second: 20`, `Calls per minute = 100`, `每秒请求数：20`, `每分钟调用次数: 100`.
fn labelled(text: &str) -> Option<Found> {
    let (label, value) = text.split_once([':', '：', '='])?;
    let (max, tail) = parse_number(value)?;
    if !tail.trim().is_empty() {
        return None;
    }
    let label = label.trim();
    let (noun, every, per) = match label.strip_prefix('每') {
        Some(rest) => {
            let (every, per, noun) = parse_period(rest)?;
            (noun.trim(), every, per)
        }
        None => {
            let at = label.to_ascii_lowercase().rfind(" per ")?;
            let (every, per, rest) = parse_period(&label[at + " per ".len()..])?;
            if !rest.trim().is_empty() {
                return None;
            }
            (label[..at].trim(), every, per)
        }
    };
    // Only a count of requests or messages, or the limit itself (`每秒上限`, `Max per
    // minute`), is a limit (`Timeout per request: 30` is none).
    const COUNTED: &[&str] = &[
        "request", "call", "message", "quer", "limit", "max", "请求", "调用", "次数", "消息",
        "条数", "上限", "限额",
    ];
    let lower = noun.to_lowercase();
    if !COUNTED.iter().any(|word| lower.contains(word)) {
        return None;
    }
    let window = Window::new(max, per)
        .every(every)
        .counting(cost_of_unit(noun));
    Some(Found::Window(window, noun.to_string()))
}

/// `每 5 秒 10 次`, `每分钟最多可发 10 次`, `每天最多可发 100 次广播消息`; `QPS: 100`.
fn period_first(text: &str) -> Option<Found> {
    if let Some(rest) = strip_prefix_ignore_case(text.trim(), "qps") {
        // `QPS: 50`, `QPS 上限 100`, `QPS 为 100`, `QPS limit is 100`.
        let words = [
            ":",
            "=",
            "：",
            "上限为",
            "上限",
            "限制为",
            "限制",
            "限额",
            "最大为",
            "最大",
            "最高",
            "为",
            "是",
            "limit",
            "is",
            "of",
        ];
        let (max, tail) = parse_number(strip_leading_words(rest, &words))?;
        return tail
            .trim()
            .is_empty()
            .then(|| Found::Window(Window::new(max, Per::Second), "QPS".into()));
    }
    // `每 5 秒 10 次`, `单日上限 1000 次`, or the period's length without 每: `1 分钟 60 次`,
    // `10 秒内最多 5 次`; a day alone: `日调用上限 100000 次`.
    let text = text.trim();
    let rest = match text.strip_prefix('每').or_else(|| text.strip_prefix('单')) {
        Some(rest) => rest,
        None if text.starts_with(|c: char| c.is_ascii_digit() || c == '日') => text,
        None => return None,
    };
    let (every, per, rest) = parse_period(rest)?;
    const FILLERS: &[&str] = &[
        "内",
        "最多",
        "至多",
        "不超过",
        "不得超过",
        "不能超过",
        "不可超过",
        "上限为",
        "上限",
        "可以",
        "可",
        "调用",
        "发送",
        // What is done that many times: `每天最多创建 100 个群`.
        "创建",
        "添加",
        "查询",
        "获取",
        "删除",
        "修改",
        "更新",
        "请求",
        "推送",
        "上传",
        "发",
        "限制",
        "限额",
        "限",
        "最高",
        "最大",
    ];
    let (max, unit) = parse_number(strip_leading_words(rest, FILLERS))?;
    let unit = unit.trim();
    if unit.is_empty()
        || unit
            .chars()
            .any(|c| c.is_ascii_digit() || "/,;()".contains(c))
    {
        return None;
    }
    let window = Window::new(max, per)
        .every(every)
        .counting(cost_of_unit(unit));
    Some(Found::Window(window, unit.to_string()))
}

/// `Every 30 minutes`, `every minute`, `每 30 分钟` alone in a clause: a period whose count
/// follows in the next clause.
fn every_period(text: &str) -> Option<(u32, Per)> {
    let rest = strip_prefix_ignore_case(text.trim(), "every ")?;
    let (every, per, rest) = parse_period(rest)?;
    rest.trim().is_empty().then_some((every, per))
}

/// A token bucket's burst beside a window (`burst 10`, `burst of 20`, `bursts up to 20`,
/// `突发 20 次`, `峰值 20`): more than the window allows at once, never less.
fn is_burst(text: &str) -> bool {
    let lower = text.trim().to_lowercase();
    let rest = ["bursts", "burst", "突发", "峰值"]
        .iter()
        .find_map(|word| lower.strip_prefix(word));
    rest.is_some_and(|rest| {
        let rest = strip_leading_words(rest, &["of", "up to", "at most", ":", "：", "为", "可达"]);
        parse_number(rest).is_some_and(|(_, unit)| {
            !unit.contains(['/', '每']) && !unit.to_ascii_lowercase().contains(" per ")
        })
    })
}

/// `text` without a trailing `is allowed` (`are allowed`, `allowed`, `can be made`,
/// `is permitted`), which says no more than the window before it.
fn without_allowed_tail(text: &str) -> &str {
    const TAILS: &[&str] = &[
        " is allowed",
        " are allowed",
        " allowed",
        " can be made",
        " is permitted",
        " are permitted",
    ];
    TAILS
        .iter()
        .find_map(|tail| {
            let at = text.len().checked_sub(tail.len()).filter(|&at| at > 0)?;
            text.get(at..)?
                .eq_ignore_ascii_case(tail)
                .then(|| text[..at].trim_end())
        })
        .unwrap_or(text)
}

/// `1 call is allowed`, `1 call`, `up to 10 calls`: the count after a period clause.
fn count_allowed(text: &str) -> Option<(u64, String)> {
    let mut text = text.trim();
    for filler in ["up to ", "at most ", "only "] {
        if let Some(rest) = strip_prefix_ignore_case(text, filler) {
            text = rest;
        }
    }
    let (max, rest) = parse_number(text)?;
    let unit = without_allowed_tail(rest.trim());
    (!unit.is_empty()
        && !unit
            .chars()
            .any(|c| c.is_ascii_digit() || "/,;()".contains(c)))
    .then(|| (max, unit.to_string()))
}

/// A positive whole number, allowing `6,000` and a multiplier after it: `10 万` (10,000),
/// `1.5 万`, `3 千`, `1 亿`, `10k`, `2M`. A fraction without a multiplier, or one that leaves
/// a fraction of a unit (`1.00005 万`), is no number: reading `1.5 次/秒` as 1 would be a
/// guess.
fn parse_number(text: &str) -> Option<(u64, &str)> {
    let text = text.trim_start();
    if text.starts_with(is_chinese_numeral) {
        return chinese_number(text);
    }
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
    let mut rest = &text[end..];
    // `1.5 万`: the fraction's digits, kept apart until the multiplier is known.
    let mut fraction = "";
    if let Some(after) = rest.strip_prefix('.') {
        let n = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if n > 0 {
            fraction = &after[..n];
            rest = &after[n..];
        }
    }
    let (scale, rest) = match multiplier(rest) {
        Some((scale, after)) => (scale, after),
        None if fraction.is_empty() => (1, rest),
        None => return None,
    };
    let whole: u64 = digits.parse().ok()?;
    let mut value = whole.checked_mul(scale)?;
    if !fraction.is_empty() {
        let denominator = 10u64.checked_pow(u32::try_from(fraction.len()).ok()?)?;
        let part = fraction.parse::<u64>().ok()?.checked_mul(scale)?;
        if part % denominator != 0 {
            return None;
        }
        value = value.checked_add(part / denominator)?;
    }
    (value > 0).then_some((value, rest))
}

/// A multiplier right after a number (a space between them allowed), and what follows it.
fn multiplier(text: &str) -> Option<(u64, &str)> {
    let trimmed = text.trim_start();
    for (word, scale) in [("万", 10_000), ("千", 1_000), ("亿", 100_000_000)] {
        if let Some(rest) = trimmed.strip_prefix(word) {
            return Some((scale, rest));
        }
    }
    // `10k requests`, `2M calls`, `10 K calls`: a letter on its own, not the start of a word
    // (`5 min`, `5 Kbps`).
    let mut chars = trimmed.chars();
    let scale = match chars.next()? {
        'k' | 'K' => 1_000,
        'M' => 1_000_000,
        _ => return None,
    };
    let rest = chars.as_str();
    (!rest.starts_with(|c: char| c.is_ascii_alphanumeric())).then_some((scale, rest))
}

/// Splits `次/每秒` into `次` and what follows the separator (`/`, `per`, `every`, a bare `每`,
/// or an article right before the period).
fn split_unit(text: &str) -> Option<(String, &str)> {
    let lower = text.to_ascii_lowercase();
    let slash = text.find('/');
    // `1000 per day`: no unit word before `per`. `1 request every 2 seconds`.
    let per_word = ["per ", "every "]
        .into_iter()
        .find(|word| lower.starts_with(word))
        .map(|word| (0, word.len()))
        .or_else(|| lower.find(" per ").map(|i| (i, i + 5)))
        .or_else(|| lower.find(" every ").map(|i| (i, i + 7)));
    let mei = text.find('每');
    // `100 requests a minute`, `twice an hour`: the article as `per`, only right before a
    // period and only where no other separator is written.
    let article = || {
        ["a ", "an "].into_iter().find_map(|article| {
            let at = match lower.starts_with(article) {
                true => 0,
                false => lower.find(&format!(" {article}"))? + 1,
            };
            let rest_start = at + article.len();
            parse_period(&text[rest_start..]).map(|_| (at, rest_start))
        })
    };
    let (unit_end, rest_start) = [slash.map(|i| (i, i + 1)), per_word, mei.map(|i| (i, i))]
        .into_iter()
        .flatten()
        .min_by_key(|&(i, _)| i)
        .or_else(article)?;
    let unit = text[..unit_end].trim();
    if unit
        .chars()
        .any(|c| c.is_ascii_digit() || "/,;()".contains(c))
    {
        return None;
    }
    Some((unit.to_string(), &text[rest_start..]))
}

/// Reads the period after the separator: an optional `每`, an optional count (`10 秒`,
/// `30 minutes`), and the unit of time.
fn parse_period(text: &str) -> Option<(u32, Per, &str)> {
    let text = text.trim_start();
    let text = text.strip_prefix('每').unwrap_or(text).trim_start();
    // `15 minutes`, `15-minute`.
    let (every, text) = match parse_number(text) {
        Some((n, rest)) => (
            u32::try_from(n).ok()?,
            rest.strip_prefix('-').unwrap_or(rest).trim_start(),
        ),
        None => (1, text),
    };
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
        ("natural day", Per::Day),
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
            if word.is_ascii()
                && rest
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric())
            {
                continue;
            }
            // `per 15-minute window`: the word names what the period is.
            let rest = match strip_prefix_ignore_case(rest.trim_start(), "window") {
                Some(after) if !after.starts_with(|c: char| c.is_ascii_alphanumeric()) => after,
                _ => rest,
            };
            return Some((every, per, rest));
        }
    }
    None
}

/// What may follow the period: nothing, or `/App Key`, `/App ID`, `per App Key` (the
/// tenant), `/单用户 ID`, `/single user ID`, `per user` (each user), `/IP`, `per IP` (each
/// client address).
fn parse_scope(text: &str) -> Option<Scope> {
    let text = text.trim();
    if text.is_empty() {
        return Some(Scope::Tenant);
    }
    let name = text
        .strip_prefix('/')
        .or_else(|| strip_prefix_ignore_case(text, "per "))?;
    scope_named(name)
}

/// Whose quota a name says (`App Key`, `每个 App Key`, `单用户 ID`, `single user ID`, `单 IP`,
/// `频道`), if it names one.
pub(crate) fn scope_named(name: &str) -> Option<Scope> {
    match subject::named(name)? {
        (_, Subject::Scope(scope)) => Some(scope),
        (_, Subject::Other) => None,
    }
}

/// `按收件人数量计算条数` → recipient; English `counted per recipient`.
fn parse_basis(text: &str) -> Option<Cost> {
    let noun = if let Some(rest) = text.strip_prefix('按') {
        let end = rest.find("数量").or_else(|| rest.find("数"))?;
        rest[..end].trim().to_string()
    } else {
        // `counted per recipient`, `counted by the number of recipients`, `based on the number
        // of target groups`, `calculated per user`.
        let lower = text.to_ascii_lowercase();
        let mut rest = [
            "counted",
            "calculated",
            "charged",
            "billed",
            "based on",
            "measured",
        ]
        .iter()
        .find_map(|verb| lower.strip_prefix(verb))
        .map(str::trim_start)
        .or_else(|| lower.strip_prefix("per "))?;
        for word in ["per ", "by ", "on ", "the ", "number of ", "count of "] {
            rest = rest.strip_prefix(word).unwrap_or(rest);
        }
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
        "消息" | "消息条" | "条消息" | "message" => Some(Cost::Message),
        _ => None,
    }
}

/// `单个频道限 20 条/每秒` or `其中群聊消息扩展最多 20 次`.
fn parse_sub_limit(text: &str, main: Option<&Window>) -> Option<SubLimit> {
    let inherited = main.map_or(Window::new(1, Per::Second), |w| {
        Window::new(1, w.per).every(w.every)
    });
    if let Some(rest) = text.strip_prefix("其中") {
        let (scope, amount) = rest.split_once("最多")?;
        let (max, after) = parse_number(amount)?;
        let after = after.trim();
        let (unit, window) = match split_unit(after) {
            Some((unit, period)) => {
                let (every, per, tail) = parse_period(period)?;
                tail.trim()
                    .is_empty()
                    .then(|| (unit, Window::new(max, per).every(every)))?
            }
            None => (after.to_string(), inherited.with_max(max)),
        };
        if unit.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        return Some(SubLimit::Structured {
            scope: scope.trim().to_string().into(),
            window,
            unit: unit.into(),
        });
    }
    // The 限 of `X 限 N`, not of 上限 (a cap, `上限 200 次/秒`), 限制, 限额 or 限频.
    let at = text.char_indices().find_map(|(at, c)| {
        let (before, after) = (&text[..at], &text[at + c.len_utf8()..]);
        (c == '限' && !before.ends_with('上') && !after.starts_with(['制', '额', '频']))
            .then_some(at)
    })?;
    let (scope, window) = (&text[..at], &text[at + '限'.len_utf8()..]);
    let scope = scope.trim();
    if scope.is_empty() || scope.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let Found::Window(window, unit) = window_at(window.trim())? else {
        return None;
    };
    Some(SubLimit::Structured {
        scope: scope.to_string().into(),
        window,
        unit: unit.into(),
    })
}

/// The window of a sub-limit whose subject is one user or one channel (`单个频道`,
/// `每个用户`, `per channel`): the runtime counts it per scope key, so it is a window of the
/// endpoint's own, not a note for the caller.
fn keyed_window(sub: &SubLimit) -> Option<(Window, String)> {
    let SubLimit::Structured {
        scope,
        window,
        unit,
    } = sub
    else {
        return None;
    };
    // The tenant's window is the endpoint's own already; a sub-limit on the app is a note.
    let scope = match subject::named(scope)? {
        (true, Subject::Scope(scope)) if scope != Scope::Tenant => scope,
        _ => return None,
    };
    Some((window.scoped(scope), unit.to_string()))
}

/// A clause that speaks of a narrower limit with a number, though not in a known shape.
fn looks_like_sub_limit(text: &str) -> bool {
    let lower = text.to_lowercase();
    text.chars().any(|c| c.is_ascii_digit())
        && ["其中", "单个", "每个", "最多", "限", "each ", "single "]
            .iter()
            .any(|word| lower.contains(word))
}

/// The cost basis a unit implies when no `按…计算` clause says otherwise.
fn cost_of_unit(unit: &str) -> Cost {
    let lower = unit.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    if has(&["收件人", "recipient"]) {
        Cost::Recipient
    } else if has(&["用户", "人", "user", "member"]) {
        Cost::User
    } else if has(&["属性", "attribute"]) {
        Cost::Attribute
    } else if has(&["聊天室", "chat room", "chatroom"]) {
        Cost::TargetChatroom
    } else if has(&["群", "group"]) {
        Cost::TargetGroup
    } else if has(&["条", "消息", "message"]) {
        Cost::Message
    } else {
        Cost::Call
    }
}

/// `text` without the `words` (any of them, in any order, ASCII case ignored) and spaces it
/// starts with.
fn strip_leading_words<'t>(text: &'t str, words: &[&str]) -> &'t str {
    let mut rest = text.trim_start();
    while let Some(after) = words
        .iter()
        .find_map(|word| strip_prefix_ignore_case(rest, word))
    {
        rest = after.trim_start();
    }
    rest
}

fn strip_prefix_ignore_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn windows(phrase: &str) -> Vec<Window> {
        parse_phrase(phrase)
            .unwrap_or_else(|e| panic!("{phrase}: {e:?}"))
            .windows
    }

    #[test]
    fn a_window_of_one_thing_no_scope_counts_is_no_tenant_window() {
        // Alone, it is reported; after the main window, it is a sub-limit for the caller.
        for phrase in [
            "单个群组最多 20 条/秒",
            "每个群最多 20 条/秒",
            "Each group up to 20 messages/second",
        ] {
            assert!(parse_phrase(phrase).is_err(), "{phrase}");
        }
        let limit = parse_phrase("100 次/秒，单个群组最多 20 条/秒").unwrap();
        assert_eq!(limit.windows, vec![Window::new(100, Per::Second)]);
        assert_eq!(limit.sub_limits.len(), 1);
        // The app is the tenant: its window is read.
        assert_eq!(
            windows("Single APP call limited to 10 times/s"),
            vec![Window::new(10, Per::Second)]
        );
        // 上限 introduces a window; it is no subject before a 限.
        assert_eq!(
            windows("上限 200 次/秒"),
            vec![Window::new(200, Per::Second)]
        );
        assert_eq!(
            windows("单个应用每分钟不超过 600 次"),
            vec![Window::new(600, Per::Minute)]
        );
    }

    #[test]
    fn what_the_vendor_answers_over_the_limit_is_a_note() {
        for phrase in [
            "100 次/秒/App Key，超过将返回 429",
            "100 requests/second; exceeding it returns HTTP 429",
            "100 次/秒，超出后报错 1001",
            "100 次/秒（共享），超过将返回 429",
            "10 calls/second (per user); exceeding returns 429",
        ] {
            let limit = parse_phrase(phrase).unwrap_or_else(|e| panic!("{phrase}: {e:?}"));
            assert_eq!(limit.windows.len(), 1, "{phrase}");
            assert_eq!(limit.notes.len(), 1, "{phrase}");
        }
        // A narrower limit after `超过` is no answer: it is still reported.
        assert!(parse_phrase("100 次/秒，超过 20 次/秒时排队").is_err());
    }

    #[test]
    fn words_that_introduce_a_window() {
        for (phrase, window) in [
            ("频率限制：100 次/分钟", Window::new(100, Per::Minute)),
            ("限流 100 次/秒", Window::new(100, Per::Second)),
            ("最高 100 次/秒", Window::new(100, Per::Second)),
            (
                "endpoint allows 50 requests per second",
                Window::new(50, Per::Second),
            ),
            ("允许每秒 10 次", Window::new(10, Per::Second)),
            ("QPS 上限 100", Window::new(100, Per::Second)),
            ("QPS limit is 100", Window::new(100, Per::Second)),
            ("单个 App Key 的 QPS 为 100", Window::new(100, Per::Second)),
            (
                "单用户的 QPS 为 5",
                Window::new(5, Per::Second).scoped(Scope::User),
            ),
        ] {
            assert_eq!(windows(phrase), vec![window], "{phrase}");
        }
    }

    #[test]
    fn a_cap_with_the_request_first() {
        let limit = parse_phrase("20 次/秒；单次最多 100 个用户").unwrap();
        assert_eq!(limit.windows, vec![Window::new(20, Per::Second)]);
        assert_eq!(
            limit.caps,
            vec![Cap {
                max: 100,
                cost: Cost::User,
                unit: "个用户".into()
            }]
        );
        for phrase in [
            "10 calls/second, each request: up to 20 messages",
            "10 calls/second. Each request may contain up to 20 messages.",
        ] {
            let limit = parse_phrase(phrase).unwrap_or_else(|e| panic!("{phrase}: {e:?}"));
            assert_eq!(limit.caps.len(), 1, "{phrase}");
            assert_eq!((limit.caps[0].max, limit.caps[0].cost), (20, Cost::Message));
        }
        // With what the request does, and in parentheses.
        for phrase in [
            "50 次/秒（每次最多查询 100 个用户）",
            "50 calls/second (each request can add up to 100 users)",
        ] {
            let limit = parse_phrase(phrase).unwrap_or_else(|e| panic!("{phrase}: {e:?}"));
            assert_eq!(
                limit.windows,
                vec![Window::new(50, Per::Second)],
                "{phrase}"
            );
            assert_eq!(
                limit
                    .caps
                    .iter()
                    .map(|c| (c.max, c.cost))
                    .collect::<Vec<_>>(),
                [(100, Cost::User)],
                "{phrase}"
            );
        }
        // Notes in parentheses say whether the vendor raises the limit.
        assert!(
            parse_phrase("10 calls/second (can be raised on request)")
                .unwrap()
                .adjustable
        );
    }

    #[test]
    fn a_label_naming_the_window_then_its_number() {
        for (phrase, window) in [
            ("Requests per second: 20", Window::new(20, Per::Second)),
            ("Calls per minute = 100", Window::new(100, Per::Minute)),
            (
                "Max API calls per 10 seconds: 50",
                Window::new(50, Per::Second).every(10),
            ),
            (
                "Messages per day: 10,000",
                Window::new(10_000, Per::Day).counting(Cost::Message),
            ),
            ("每秒请求数：20", Window::new(20, Per::Second)),
            ("每分钟调用次数: 100", Window::new(100, Per::Minute)),
        ] {
            assert_eq!(windows(phrase), vec![window], "{phrase}");
        }
        // A label of something else, or a number with more after it, is no window.
        for phrase in [
            "Timeout per request: 30",
            "Users per group: 500",
            "Requests per second: 20 or more",
        ] {
            assert!(parse_phrase(phrase).is_err(), "{phrase}");
        }
    }

    #[test]
    fn numbers_in_chinese_numerals() {
        for (phrase, window) in [
            ("两次/秒", Window::new(2, Per::Second)),
            ("每秒两次", Window::new(2, Per::Second)),
            ("每分钟最多十次", Window::new(10, Per::Minute)),
            ("十五次/分钟", Window::new(15, Per::Minute)),
            ("二十次/分钟", Window::new(20, Per::Minute)),
            ("一百次/秒", Window::new(100, Per::Second)),
            ("三千次/天", Window::new(3_000, Per::Day)),
            ("一万五千次/天", Window::new(15_000, Per::Day)),
            (
                "同一个用户每秒最多两次",
                Window::new(2, Per::Second).scoped(Scope::User),
            ),
        ] {
            assert_eq!(windows(phrase), vec![window], "{phrase}");
        }
        // Not a number: two digits in a row, a 百 without its digit, nothing at all.
        for phrase in ["一二次/秒", "百次/秒", "零次/秒"] {
            assert!(parse_phrase(phrase).is_err(), "{phrase}");
        }
        // A numeral in prose is no window.
        assert!(parse_phrase("支持一次发送多条消息").is_err());
    }

    #[test]
    fn limits_per_client_address() {
        let ip = |max, per| Window::new(max, per).scoped(Scope::Ip);
        for (phrase, window) in [
            ("20 次/秒/IP", ip(20, Per::Second)),
            ("20 次/秒/单 IP", ip(20, Per::Second)),
            ("单IP 100 次/分钟", ip(100, Per::Minute)),
            ("每个 IP 最多 100 次/分钟", ip(100, Per::Minute)),
            ("100 requests/minute per IP", ip(100, Per::Minute)),
            ("per IP: 10 calls/second", ip(10, Per::Second)),
            ("10/s (per IP address)", ip(10, Per::Second)),
        ] {
            assert_eq!(windows(phrase), vec![window], "{phrase}");
        }
        // A main window, and a narrower one counted per address.
        assert_eq!(
            windows("1000 次/秒，单个 IP 限 20 次/秒"),
            vec![Window::new(1000, Per::Second), ip(20, Per::Second)]
        );
        // Whose limit it is, before the word that introduces it.
        assert_eq!(
            windows("每个用户最多 5 次/分钟"),
            vec![Window::new(5, Per::Minute).scoped(Scope::User)]
        );
    }

    #[test]
    fn english_shorthands_and_comparators() {
        for (phrase, window) in [
            ("100 rps", Window::new(100, Per::Second)),
            ("60 rpm", Window::new(60, Per::Minute)),
            ("60 QPM", Window::new(60, Per::Minute)),
            ("20 QPS per App Key", Window::new(20, Per::Second)),
            (
                "50 QPS/单用户 ID",
                Window::new(50, Per::Second).scoped(Scope::User),
            ),
            (
                "1 request every 2 seconds",
                Window::new(1, Per::Second).every(2),
            ),
            ("≤ 100 次/秒", Window::new(100, Per::Second)),
            ("<= 100 requests/second", Window::new(100, Per::Second)),
            (
                "10/s (per user)",
                Window::new(10, Per::Second).scoped(Scope::User),
            ),
            ("10/s (per App Key)", Window::new(10, Per::Second)),
        ] {
            assert_eq!(windows(phrase), vec![window], "{phrase}");
        }
        // `<` is not "at most": reading it as one would be a guess.
        assert!(parse_phrase("< 100 次/秒").is_err());
    }

    #[test]
    fn numbers_with_a_multiplier() {
        for (phrase, max, per) in [
            ("每天 10 万次", 100_000, Per::Day),
            ("100万次/天", 1_000_000, Per::Day),
            ("1.5 万次/小时", 15_000, Per::Hour),
            ("3 千次/分钟", 3_000, Per::Minute),
            ("1 亿次/天", 100_000_000, Per::Day),
            ("1k requests/minute", 1_000, Per::Minute),
            ("10K calls per second", 10_000, Per::Second),
            ("2M requests per day", 2_000_000, Per::Day),
            ("0.5k requests/minute", 500, Per::Minute),
            ("10 K calls/second", 10_000, Per::Second),
        ] {
            assert_eq!(windows(phrase), vec![Window::new(max, per)], "{phrase}");
        }
        // A fraction with no multiplier, or that leaves part of a unit, is no number.
        for phrase in ["1.5 次/秒", "0.5 requests/second", "1.00005 万次/天"] {
            assert!(parse_phrase(phrase).is_err(), "{phrase}");
        }
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
            ("5 per hour", Per::Hour),
            ("5 per second", Per::Second),
            ("5 calls/day", Per::Day),
            ("5 req/s", Per::Second),
            ("5 times/sec", Per::Second),
            ("5 QPS", Per::Second),
        ] {
            assert_eq!(windows(phrase), vec![Window::new(5, per)], "{phrase}");
        }
    }

    #[test]
    fn windows_of_several_units() {
        let ten_seconds = Window::new(10, Per::Second).every(10);
        assert_eq!(windows("10 次/10 秒"), vec![ten_seconds]);
        assert_eq!(windows("每 10 秒 10 次"), vec![ten_seconds]);
        assert_eq!(
            windows("每 2 秒 5 次"),
            vec![Window::new(5, Per::Second).every(2)]
        );
        assert_eq!(
            windows("1 次/30 分钟"),
            vec![Window::new(1, Per::Minute).every(30)]
        );
        assert_eq!(
            windows("3 次/2 天"),
            vec![Window::new(3, Per::Day).every(2)]
        );
        assert_eq!(
            windows("Every 30 minutes, 1 call is allowed. This limit cannot be increased."),
            vec![Window::new(1, Per::Minute).every(30)]
        );
        let fifteen_minutes = Window::new(300, Per::Minute).every(15);
        for phrase in [
            "300 requests per 15-minute window",
            "300 requests / 15-min window",
            "300 requests per 15 min window",
        ] {
            assert_eq!(windows(phrase), vec![fifteen_minutes], "{phrase}");
        }
        assert!(parse_phrase("1-2 requests per minute").is_err());
    }

    #[test]
    fn chinese_lists_with_caps_examples_and_notes() {
        let limit = parse_phrase(
            "单个应用该接口有以下三个限制：<br/> - 100 次/秒/App Key <br/> - 6000 条/分钟 <br/> - 600 人/次。一次给 600 人发消息，算 600 条消息。",
        )
        .unwrap();
        assert_eq!(
            limit.windows,
            vec![
                Window::new(100, Per::Second),
                Window::new(6000, Per::Minute).counting(Cost::Message)
            ]
        );
        assert_eq!(limit.caps[0].max, 600);
        assert_eq!(limit.caps[0].cost, Cost::User);
        let limit = parse_phrase(
            "<br/> - 每 30 分钟 1 次，不可调整。<br/> - 每天 3 次，如需提高请联系商务经理。",
        )
        .unwrap();
        assert_eq!(
            limit.windows,
            vec![
                Window::new(1, Per::Minute).every(30),
                Window::new(3, Per::Day)
            ]
        );
        assert!(limit.adjustable, "the last note says it can be raised");
        // What an add-on adds is a note, not a narrower limit.
        let (_, limit) =
            limit_in_sentence("总调用频率上限为 100 次/秒/App Key，每个加量包的大小为 50 次/秒。")
                .unwrap();
        assert!(limit.sub_limits.is_empty(), "{limit:?}");
        assert_eq!(limit.text, "100 次/秒/App Key");
    }

    #[test]
    fn scopes_and_introductions_before_a_window() {
        assert_eq!(
            windows("100 calls per second per App Key"),
            vec![Window::new(100, Per::Second)]
        );
        assert_eq!(
            windows("同一个 AppKey 每秒最多 100 次"),
            vec![Window::new(100, Per::Second)]
        );
        assert_eq!(
            windows("每个用户每分钟最多 5 次"),
            vec![Window::new(5, Per::Minute).scoped(Scope::User)]
        );
        assert_eq!(
            windows("cannot exceed 100 calls/second"),
            vec![Window::new(100, Per::Second)]
        );
        assert!(parse_phrase("100 次/秒，广告每秒 5 次").is_err());
    }

    #[test]
    fn scopes_in_every_place_vendors_write_them() {
        assert_eq!(
            windows("10 次/秒/每个 App Key"),
            vec![Window::new(10, Per::Second)]
        );
        assert_eq!(
            windows("100 次/秒（单个 App Key）"),
            vec![Window::new(100, Per::Second)]
        );
        assert_eq!(
            windows("5 次/分钟（单个用户）"),
            vec![Window::new(5, Per::Minute).scoped(Scope::User)]
        );
        assert_eq!(
            windows("5 calls/minute/user"),
            vec![Window::new(5, Per::Minute).scoped(Scope::User)]
        );
        assert!(parse_phrase("100 次/秒/每个群").is_err());
    }

    #[test]
    fn one_vocabulary_of_subjects_in_every_place() {
        // The same words for one and the same nouns after a window, in parentheses, before
        // it and as a sub-limit's subject.
        let channel = |max, per| vec![Window::new(max, per).scoped(Scope::Channel)];
        assert_eq!(windows("20 次/秒/频道"), channel(20, Per::Second));
        assert_eq!(windows("20 次/秒（每个频道）"), channel(20, Per::Second));
        assert_eq!(windows("每个频道最多 20 次/秒"), channel(20, Per::Second));
        assert_eq!(windows("单个频道限 20 次/秒"), channel(20, Per::Second));
        let user = |max, per| vec![Window::new(max, per).scoped(Scope::User)];
        assert_eq!(windows("同一用户最多 5 次/分钟"), user(5, Per::Minute));
        assert_eq!(windows("单个 用户 5 次/分钟"), user(5, Per::Minute));
        assert_eq!(windows("5 次/分钟/同一用户"), user(5, Per::Minute));
        assert_eq!(
            windows("every user up to 5 calls/minute"),
            user(5, Per::Minute)
        );
        assert_eq!(windows("同一用户限 5 次/分钟"), user(5, Per::Minute));
        assert_eq!(
            windows("每个客户端 IP 最多 100 次/分钟"),
            vec![Window::new(100, Per::Minute).scoped(Scope::Ip)]
        );
        // An account may be the app's: its limit stays the tenant's, as the app's does.
        assert_eq!(
            windows("每个账号最多 5 次/秒"),
            vec![Window::new(5, Per::Second)]
        );
        assert_eq!(
            windows("every tenant up to 50 calls/second"),
            vec![Window::new(50, Per::Second)]
        );
        // Another kind of thing is reported, whatever the word for one.
        assert!(parse_phrase("同一群组最多 20 条/秒").is_err());
        assert!(parse_phrase("every chat room up to 20 messages/second").is_err());
    }

    #[test]
    fn english_bases_and_natural_days() {
        let limit =
            parse_phrase("6000 messages/minute, counted by the number of recipients, adjustable")
                .unwrap();
        assert_eq!(limit.cost, Cost::Recipient);
        assert!(limit.adjustable);
        let limit =
            parse_phrase("20 messages/second, based on the number of target groups").unwrap();
        assert_eq!(limit.cost, Cost::TargetGroup);
        let limit = parse_phrase("2 requests/hour, 3 requests/natural day (shared)").unwrap();
        assert_eq!(
            limit.windows,
            vec![Window::new(2, Per::Hour), Window::new(3, Per::Day)]
        );
        assert!(limit.shared);
        // A sentence about counting that the grammar does not know is reported, not skipped.
        assert!(parse_phrase("100 calls/second, counted twice for batch calls").is_err());
    }

    #[test]
    fn chinese_orders_of_count_period_and_scope() {
        for (phrase, expected) in [
            (
                "100 次/秒 且 1000 次/分钟",
                vec![
                    Window::new(100, Per::Second),
                    Window::new(1000, Per::Minute),
                ],
            ),
            (
                "100次/秒并且每分钟1000次",
                vec![
                    Window::new(100, Per::Second),
                    Window::new(1000, Per::Minute),
                ],
            ),
            (
                "单个 AppKey 下 100 次/秒",
                vec![Window::new(100, Per::Second)],
            ),
            (
                "5 次/用户/分钟",
                vec![Window::new(5, Per::Minute).scoped(Scope::User)],
            ),
            ("1 分钟 60 次", vec![Window::new(60, Per::Minute)]),
            (
                "每分钟 10 次 / 每小时 100 次",
                vec![Window::new(10, Per::Minute), Window::new(100, Per::Hour)],
            ),
            (
                "10 requests per second / 1000 requests per hour",
                vec![Window::new(10, Per::Second), Window::new(1000, Per::Hour)],
            ),
            // A ` / ` before the period, not after a whole window, separates nothing.
            ("100 次 / 秒", vec![Window::new(100, Per::Second)]),
            ("100 次 / 每秒", vec![Window::new(100, Per::Second)]),
            (
                "100 requests / 10 seconds",
                vec![Window::new(100, Per::Second).every(10)],
            ),
            (
                "10 秒内最多 5 次",
                vec![Window::new(5, Per::Second).every(10)],
            ),
        ] {
            assert_eq!(windows(phrase), expected, "{phrase}");
        }
        // What is done that many times, and a sender as whose quota.
        assert_eq!(
            windows("每个用户每天最多创建 100 个群"),
            vec![
                Window::new(100, Per::Day)
                    .counting(Cost::TargetGroup)
                    .scoped(Scope::User)
            ]
        );
        assert_eq!(
            windows("120 次/分钟/单个发送者"),
            vec![Window::new(120, Per::Minute).scoped(Scope::User)]
        );
        // A basis in parentheses; a note that the vendor adjusts the limit.
        let limit = parse_phrase("100 条/秒（按消息条数计算）").unwrap();
        assert_eq!(limit.cost, Cost::Message);
        assert!(
            parse_phrase("默认 100 次/秒，可联系商务调整")
                .unwrap()
                .adjustable
        );
        assert!(!parse_phrase("100 次/秒（不可调整）").unwrap().adjustable);
        // 且 before something other than a window is no separator.
        assert!(parse_phrase("100 次/秒且不可调整").is_err());
        // A period and a count with something else between them stay unread.
        assert!(parse_phrase("1 分钟 60 次/秒").is_err());
    }

    #[test]
    fn a_burst_beside_a_window_is_a_note() {
        for phrase in [
            "5 requests/second (burst 10)",
            "10 requests per second, burst of 20",
            "100 次/秒（突发 200 次）",
        ] {
            let limit = parse_phrase(phrase).unwrap_or_else(|e| panic!("{phrase}: {e:?}"));
            assert_eq!(limit.windows.len(), 1, "{phrase}");
            assert_eq!(limit.notes.len(), 1, "{phrase}");
        }
        // A burst is no window: alone, or with a period, it is not read as one.
        assert!(parse_phrase("burst 10").is_err());
        assert!(parse_phrase("10 requests per second, burst 20 per minute").is_err());
    }

    #[test]
    fn english_sentences_around_a_window() {
        for (phrase, window) in [
            (
                "A maximum of 20 requests per minute is allowed.",
                Window::new(20, Per::Minute),
            ),
            (
                "Each app can make 100 API calls per second.",
                Window::new(100, Per::Second),
            ),
            (
                "Up to 5 calls per second are permitted",
                Window::new(5, Per::Second),
            ),
        ] {
            assert_eq!(windows(phrase), vec![window], "{phrase}");
        }
        // Words after the window that say more than that it is allowed stay unread.
        assert!(parse_phrase("20 requests per minute is allowed for paid plans").is_err());
    }

    #[test]
    fn counts_in_a_word_articles_as_per_and_whose_quota_between_count_and_period() {
        let user = |window: Window| window.scoped(Scope::User);
        for (phrase, window) in [
            ("once per minute", Window::new(1, Per::Minute)),
            ("Once per second", Window::new(1, Per::Second)),
            ("twice a day", Window::new(2, Per::Day)),
            ("thrice an hour", Window::new(3, Per::Hour)),
            ("once every 5 minutes", Window::new(1, Per::Minute).every(5)),
            ("100 requests a minute", Window::new(100, Per::Minute)),
            (
                "1 request per user per 5 minutes",
                user(Window::new(1, Per::Minute).every(5)),
            ),
            (
                "Once every 10 seconds per user",
                user(Window::new(1, Per::Second).every(10)),
            ),
            (
                "20 requests per IP per minute",
                Window::new(20, Per::Minute).scoped(Scope::Ip),
            ),
            (
                "100 requests per application per second",
                Window::new(100, Per::Second),
            ),
            (
                "600,000 requests per minute per project",
                Window::new(600_000, Per::Minute),
            ),
            (
                "This endpoint can be called twice a day.",
                Window::new(2, Per::Day),
            ),
            (
                "It may be invoked 10 times per minute",
                Window::new(10, Per::Minute),
            ),
            (
                "每个用户可调用 5 次/分钟",
                user(Window::new(5, Per::Minute)),
            ),
        ] {
            assert_eq!(windows(phrase), vec![window], "{phrase}");
        }
        // No period after the word, a period no window has, a word that only starts with one.
        for phrase in [
            "twice",
            "once a week",
            "oncer per minute",
            "100 requests a user",
        ] {
            assert!(parse_phrase(phrase).is_err(), "{phrase}");
        }
    }

    #[test]
    fn a_period_first_after_single_or_alone_and_limit_words_after_it() {
        for (phrase, window) in [
            ("每天限 1000 次", Window::new(1000, Per::Day)),
            ("日调用上限 100000 次", Window::new(100_000, Per::Day)),
            ("单日上限 1000 次", Window::new(1000, Per::Day)),
            ("每秒调用上限 100 次", Window::new(100, Per::Second)),
            ("每分钟可调用 60 次", Window::new(60, Per::Minute)),
            ("QPS 限制：100", Window::new(100, Per::Second)),
        ] {
            assert_eq!(windows(phrase), vec![window], "{phrase}");
        }
        // `单次` is one request, `日志` no day.
        for phrase in ["单次 100 个", "日志 100 条/秒"] {
            assert!(parse_phrase(phrase).is_err(), "{phrase}");
        }
    }

    #[test]
    fn notes_in_parentheses_on_raising_the_limit() {
        for (phrase, adjustable) in [
            ("50 calls/second (adjustable on request)", true),
            ("50 calls/second (can be increased on request)", true),
            ("50 calls/second (not adjustable)", false),
            ("100 次/秒（可申请提高）", true),
            ("100 次/秒（不可调整）", false),
        ] {
            let limit = parse_phrase(phrase).unwrap_or_else(|e| panic!("{phrase}: {e:?}"));
            assert_eq!(limit.adjustable, adjustable, "{phrase}");
            assert_eq!(limit.windows.len(), 1, "{phrase}");
        }
    }

    #[test]
    fn a_window_inside_a_sentence_after_words_or_before_an_exception() {
        let (at, limit) =
            limit_in_sentence("/msg/sendBatchMsg.action 批量发送点对点普通消息 每分钟 120 次")
                .unwrap();
        assert_eq!(limit.windows, vec![Window::new(120, Per::Minute)]);
        assert_eq!(limit.text, "每分钟 120 次");
        assert_eq!(at, 37);
        let (_, limit) = limit_in_sentence(
            "All endpoints are limited to 100 requests per second unless noted below.",
        )
        .unwrap();
        assert_eq!(limit.windows, vec![Window::new(100, Per::Second)]);
        assert_eq!(limit.text, "100 requests per second");
        let (_, limit) =
            limit_in_sentence("Each endpoint allows 10 calls per second except exports.").unwrap();
        assert_eq!(limit.text, "10 calls per second");
        // A scope before the window belongs to it.
        let (_, limit) = limit_in_sentence("创建群组时，每个用户每天最多 10 次").unwrap();
        assert_eq!(limit.text, "每个用户每天最多 10 次");
        assert_eq!(
            limit.windows,
            vec![Window::new(10, Per::Day).scoped(Scope::User)]
        );
    }

    #[test]
    fn a_quota_shared_with_other_apis_names_them() {
        for (phrase, others, max) in [
            ("与创建用户共享 100 次/秒", vec!["创建用户"], 100),
            ("100 次/秒，与创建用户接口共享", vec!["创建用户"], 100),
            ("和「发送消息」共用同一配额：50 次/秒", vec!["发送消息"], 50),
            (
                "30 requests per second (shared with `PUT /v3/s`)",
                vec!["PUT /v3/s"],
                30,
            ),
            (
                "30 requests per second, shared with the Send Message API",
                vec!["Send Message"],
                30,
            ),
            (
                "20 次/秒（与 /v1/a、/v1/b 共享）",
                vec!["/v1/a", "/v1/b"],
                20,
            ),
        ] {
            let limit = parse_phrase(phrase).unwrap_or_else(|e| panic!("{phrase}: {e:?}"));
            assert_eq!(limit.shared_with, others, "{phrase}");
            assert!(limit.shared, "{phrase}");
            assert_eq!(
                limit.windows,
                vec![Window::new(max, Per::Second)],
                "{phrase}"
            );
        }
        // Sharing without naming with whom is the flag alone.
        let limit = parse_phrase("100 次/秒（共享）").unwrap();
        assert!(limit.shared && limit.shared_with.is_empty());
        // A 与 that says nothing of sharing is not read as it.
        assert!(parse_phrase("与创建用户相同").is_err());
    }

    #[test]
    fn the_time_zone_of_calendar_days() {
        for (phrase, offset) in [
            ("1000 calls per day (UTC)", 0),
            ("1000 次/天（北京时间）", 8 * 3600),
            ("1000 次/自然日（按 UTC 时间计算）", 0),
            ("1000 calls/day, calculated in UTC", 0),
            ("1000 calls/day (UTC+8)", 8 * 3600),
            ("1000 calls/day (GMT-05:30)", -(5 * 3600 + 30 * 60)),
            ("1000 calls/day (resets at midnight UTC)", 0),
        ] {
            let limit = parse_phrase(phrase).unwrap_or_else(|e| panic!("{phrase}: {e:?}"));
            assert_eq!(limit.day_offset, Some(offset), "{phrase}");
            assert_eq!(limit.windows, vec![Window::new(1000, Per::Day)], "{phrase}");
            assert_eq!(limit.notes.len(), 1, "{phrase}");
        }
        assert_eq!(parse_phrase("100 次/秒").unwrap().day_offset, None);
        // A zone with other words, or an offset out of range, is no note the grammar knows.
        for phrase in ["1000 calls/day (UTC 0 点重置)", "1000 calls/day (UTC+25)"] {
            assert!(parse_phrase(phrase).is_err(), "{phrase}");
        }
    }

    #[test]
    fn no_limit_and_qps_first() {
        let limit = parse_phrase("不限").unwrap();
        assert!(limit.windows.is_empty());
        assert!(parse_phrase("Unlimited.").unwrap().windows.is_empty());
        for phrase in ["Not limited", "No rate limit.", "不做限制"] {
            let limit = parse_phrase(phrase).unwrap_or_else(|e| panic!("{phrase}: {e:?}"));
            assert!(limit.windows.is_empty(), "{phrase}");
        }
        assert_eq!(windows("10 TPS"), vec![Window::new(10, Per::Second)]);
        assert_eq!(windows("QPS: 100"), vec![Window::new(100, Per::Second)]);
        assert_eq!(windows("QPS 20"), vec![Window::new(20, Per::Second)]);
        assert!(parse_phrase("不限于此").is_err());
    }

    #[test]
    fn words_before_a_window() {
        assert_eq!(windows("200/sec"), vec![Window::new(200, Per::Second)]);
        assert_eq!(
            windows("默认 100 次/秒"),
            vec![Window::new(100, Per::Second)]
        );
        assert_eq!(
            windows("调用频率为 50 次/秒"),
            vec![Window::new(50, Per::Second)]
        );
        assert_eq!(
            windows("单用户 5 次/分钟，100 次/秒"),
            vec![
                Window::new(5, Per::Minute).scoped(Scope::User),
                Window::new(100, Per::Second)
            ]
        );
        assert_eq!(
            windows("per user: 5 calls/minute"),
            vec![Window::new(5, Per::Minute).scoped(Scope::User)]
        );
        let limit = parse_phrase("100 次/秒（已废弃）").unwrap();
        assert!(limit.deprecated);
        // Words that do not introduce a limit leave the clause unread.
        assert!(parse_phrase("100 次/秒，广告位 50 次/秒").is_err());
    }

    #[test]
    fn full_width_forms_read_as_ascii() {
        let limit = parse_phrase("１００ 次／每秒（共享），可调频").unwrap();
        assert_eq!(limit.windows, vec![Window::new(100, Per::Second)]);
        assert!(limit.shared && limit.adjustable);
        assert_eq!(limit.text, "１００ 次／每秒（共享），可调频");
        assert_eq!(windows("2 次／秒"), vec![Window::new(2, Per::Second)]);
    }

    #[test]
    fn scopes_per_window() {
        let limit = parse_phrase("10 次/秒/App Key").unwrap();
        assert_eq!(limit.windows[0].scope, Scope::Tenant);
        assert_eq!(limit.unit, "次");
        let limit = parse_phrase("10 calls/second/App ID").unwrap();
        assert_eq!(limit.windows[0].scope, Scope::Tenant);
        assert_eq!(limit.cost, Cost::Call);
        assert_eq!(
            windows("5 calls/minute/single user ID, 100 calls/second/App Key"),
            vec![
                Window::new(5, Per::Minute).scoped(Scope::User),
                Window::new(100, Per::Second)
            ]
        );
        assert_eq!(
            windows("5 次/分钟/单用户 ID"),
            vec![Window::new(5, Per::Minute).scoped(Scope::User)]
        );
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
            ("100 messages/second/App Key", Cost::Message),
            (
                "100 messages/minute, counted per recipient",
                Cost::Recipient,
            ),
        ];
        for (phrase, cost) in cases {
            let limit = parse_phrase(phrase).unwrap();
            assert_eq!(limit.cost, cost, "{phrase}");
            assert!(limit.windows.iter().all(|w| w.cost == cost), "{phrase}");
        }
    }

    #[test]
    fn each_window_counts_its_own_basis() {
        let limit = parse_phrase("100 次/秒 + 6000 条/分钟").unwrap();
        assert_eq!(
            limit.windows,
            vec![
                Window::new(100, Per::Second),
                Window::new(6000, Per::Minute).counting(Cost::Message)
            ]
        );
        assert_eq!(limit.cost, Cost::Message);
        assert_eq!(limit.unit, "次");
    }

    #[test]
    fn br_lists_with_caps_and_notes() {
        let limit = parse_phrase(
            "For a single app, this REST API has the following three limits:<br/> - 100 calls/second/App Key <br/> - 6000 messages/minute  <br/> - 600 users/request. Sending a message to 600 users in one request counts as 600 messages. ",
        )
        .unwrap();
        assert_eq!(
            limit.windows,
            vec![
                Window::new(100, Per::Second),
                Window::new(6000, Per::Minute).counting(Cost::Message)
            ]
        );
        assert_eq!(
            limit.caps,
            vec![Cap {
                max: 600,
                cost: Cost::User,
                unit: "users".into()
            }]
        );
        assert_eq!(
            limit.notes,
            [
                "For a single app",
                "this REST API has the following three limits:",
                "Sending a message to 600 users in one request counts as 600 messages"
            ]
        );
        let limit = parse_phrase("600 人/次").unwrap_err();
        assert!(limit.message.contains("window"), "{limit:?}");
        let limit = parse_phrase("100 条/秒，3 个群/次").unwrap();
        assert_eq!(limit.caps[0].max, 3);
        assert_eq!(limit.caps[0].cost, Cost::TargetGroup);
    }

    #[test]
    fn sentences_and_and_lists() {
        assert_eq!(
            windows(
                "1 call/minute and 50 calls/day. Contact the EasyIM business manager to request a higher limit."
            ),
            vec![Window::new(1, Per::Minute), Window::new(50, Per::Day)]
        );
        let limit =
            parse_phrase("每分钟最多可发 10 次，而且每天最多可发 100 次广播消息。").unwrap();
        assert_eq!(
            limit.windows,
            vec![
                Window::new(10, Per::Minute),
                Window::new(100, Per::Day).counting(Cost::Message)
            ]
        );
        assert_eq!(
            windows("Single APP call is limited to 10 times/s"),
            vec![Window::new(10, Per::Second)]
        );
        let limit = parse_phrase(
            "<br/> - Every 30 minutes, 1 call is allowed. This limit cannot be increased.<br/> - 3 calls/day. Contact the EasyIM business manager to request a higher limit.<br/> - Messages can be sent to up to 1000 users/second. This limit cannot be increased.",
        )
        .unwrap();
        assert_eq!(
            limit.windows,
            vec![
                Window::new(1, Per::Minute).every(30),
                Window::new(3, Per::Day),
                Window::new(1000, Per::Second).counting(Cost::User)
            ]
        );
        assert_eq!(
            windows("100 calls/second/App Key."),
            vec![Window::new(100, Per::Second)]
        );
    }

    #[test]
    fn limits_inside_prose() {
        let (_, limit) = limit_in_sentence(
            "The total default call frequency limit for the user management APIs and offline push-related APIs in the following two tables is 100 calls/second/App Key. The size of each add-on package is 50 calls/second.",
        )
        .unwrap();
        assert_eq!(limit.windows, vec![Window::new(100, Per::Second)]);
        assert_eq!(limit.text, "100 calls/second/App Key");
        let (at, limit) =
            limit_in_sentence("以上两个接口的总调用频率（默认值）为 100 次／秒/App Key。").unwrap();
        assert_eq!(limit.windows, vec![Window::new(100, Per::Second)]);
        assert_eq!(limit.text, "100 次／秒/App Key");
        assert_eq!(at, 19); // after `以上两个接口的总调用频率（默认值）为 `
        assert!(limit_in_sentence("本页介绍调用频率限制。").is_none());
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
        // One channel's limit is a window counted per channel, not a note.
        assert!(limit.sub_limits.is_empty(), "{limit:?}");
        assert_eq!(
            limit.windows,
            vec![
                Window::new(100, Per::Second).counting(Cost::TargetGroup),
                // `条` are counted by target group in both windows, as the basis says.
                Window::new(20, Per::Second)
                    .counting(Cost::TargetGroup)
                    .scoped(Scope::Channel)
            ]
        );
        let limit = parse_phrase("100 次/每秒；每个用户限 5 次/每分钟").unwrap();
        assert_eq!(
            limit.windows[1],
            Window::new(5, Per::Minute).scoped(Scope::User)
        );
        // A subject that is not one user or one channel stays a sub-limit.
        let limit = parse_phrase("100 次/每秒；单个群组限 20 条/每秒").unwrap();
        assert_eq!(limit.windows.len(), 1);
        assert_eq!(limit.sub_limits.len(), 1);
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
        assert!(parse_phrase("不限速率").is_err());
        assert!(parse_phrase("100 次").is_err());
        assert!(parse_phrase("0 次/秒").is_err());
        assert!(parse_phrase("100 次/每周").is_err());
        assert!(parse_phrase("100 次/秒（仅限测试）").is_err());
        assert!(parse_phrase("100 次/秒，50 次/秒").is_err());
        assert!(parse_phrase("99999999999999999999999 次/秒").is_err());
        assert!(parse_phrase("").is_err());
        assert!(parse_phrase("Every 30 minutes").is_err());
        assert!(parse_phrase("100 条/秒，3 次/次").is_err());
        assert!(parse_phrase("100 条/秒, 50 用户/秒, 3 个群/分钟").is_err());
        // A flag first, then something that needs the first window: found by proptest.
        assert!(parse_phrase("可调频，可调频/").is_err());
        assert!(parse_phrase("（共享），100 次/秒").is_err());
    }

    #[test]
    fn thousands_separator() {
        assert_eq!(
            windows("6,000 次/每分钟"),
            vec![Window::new(6000, Per::Minute)]
        );
        assert_eq!(
            windows("6，000 次/每分钟"),
            vec![Window::new(6000, Per::Minute)]
        );
    }
}
