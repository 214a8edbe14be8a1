//! Whose limit words name: one vocabulary for a limit's subject, read wherever a phrase
//! names one: after a window (`100 次/秒/App Key`, `per user`), in parentheses
//! (`（单个 App Key）`), right before it (`每个用户最多 5 次/分钟`) and as a sub-limit's
//! subject (`单个频道限 20 条/每秒`).
//!
//! A subject is a noun, usually after a word for one of a kind (`单个`, `每`, `each`,
//! `per`). Nouns are compared in lower case without spaces, since `单 IP`, `单IP`, `App Key`
//! and `AppKey` are all written.

use ratespec_core::Scope;

/// What words name as the subject of a limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Subject {
    /// One of the subjects the runtime keeps a quota for.
    Scope(Scope),
    /// One thing of a kind that no scope counts (`单个群组`, `each group`): reading its limit
    /// as the tenant's would be a guess.
    Other,
}

/// The Chinese words for one of a kind (each, single, the same one), longest first where
/// one starts another. No space need follow them.
const ONE_ZH: &[&str] = &["同一个", "同一", "单个", "每个", "单", "每"];

/// The English words for one of a kind, longest first where one starts another; a space
/// follows them. Not the article alone: `a maximum of`, `a limit of` name no subject.
const ONE_EN: &[&str] = &["a single", "single", "each", "every", "per"];

/// The nouns of each scope, lower case without spaces; the tenant's first.
const NOUNS: &[(Scope, &[&str])] = &[
    (
        Scope::Tenant,
        &[
            "appkey",
            "appid",
            "app",
            "application",
            "应用",
            "租户",
            "tenant",
            "project",
        ],
    ),
    (
        Scope::User,
        &[
            "用户id",
            "用户",
            "userid",
            "user",
            "发送者",
            "发送方",
            "sender",
            "接收者",
            "接收方",
            "receiver",
            "recipient",
        ],
    ),
    (
        Scope::Ip,
        &[
            "ip",
            "ip地址",
            "ipaddress",
            "客户端ip",
            "clientip",
            "来源ip",
            "sourceip",
        ],
    ),
    (Scope::Channel, &["频道", "channel"]),
];

/// The tenant's identifiers, which name its scope right before a window with no word for
/// one (`AppKey 每秒 100 次`); a bare `用户` there is more often part of the API's name
/// (`注册用户 200 次/秒`).
const IDENTIFIERS: &[&str] = &["appkey", "appid"];

/// Words that may name the app itself (an account, a noun with the app in it): never
/// another subject, so a limit on one of them stays the tenant's.
const MAY_BE_THE_APP: &[&str] = &["账号", "账户", "account"];

/// `text` in lower case without whitespace.
fn compact(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The scope a noun (lower case, without spaces) names.
fn scope_of(noun: &str) -> Option<Scope> {
    NOUNS
        .iter()
        .find(|(_, nouns)| nouns.contains(&noun))
        .map(|&(scope, _)| scope)
}

/// What follows a word for one at the start of `lower` (lower case), trimmed; `None`
/// without such a word or when nothing follows it.
fn after_one(lower: &str) -> Option<&str> {
    let zh = ONE_ZH.iter().find_map(|one| lower.strip_prefix(one));
    let en = || {
        ONE_EN.iter().find_map(|one| {
            lower
                .strip_prefix(one)
                .filter(|rest| rest.starts_with(char::is_whitespace))
        })
    };
    Some(zh.or_else(en)?.trim()).filter(|rest| !rest.is_empty())
}

/// The subject that `words` name as a whole, and whether a word for one comes first:
/// `App Key` and `用户` (no), `单个 App Key`, `每个用户`, `per IP`, `单个群组` (yes).
/// `None` when they name none, or a noun that may be the app itself (`每个账号`).
pub(super) fn named(words: &str) -> Option<(bool, Subject)> {
    let lower = words.trim().to_lowercase();
    if let Some(scope) = scope_of(&compact(&lower)) {
        return Some((false, Subject::Scope(scope)));
    }
    let noun = compact(after_one(&lower)?);
    if let Some(scope) = scope_of(&noun) {
        return Some((true, Subject::Scope(scope)));
    }
    let (_, app) = NOUNS[0];
    let may_be_the_app = MAY_BE_THE_APP
        .iter()
        .chain(app)
        .any(|word| noun.contains(word));
    (!may_be_the_app).then_some((true, Subject::Other))
}

/// The scope that the end of `words` names right before a window: a word for one and a
/// scope's noun (`…每个用户`, `同一个 AppKey`, `per IP`), or the tenant's identifier alone
/// (`AppKey`).
pub(super) fn scope_at_end(words: &str) -> Option<Scope> {
    let lower = words.trim().to_lowercase();
    let starts_word = |at: usize| {
        lower[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric() || !c.is_ascii())
    };
    let with_one = lower.char_indices().find_map(|(at, c)| {
        // English words for one start a word; Chinese ones stand anywhere.
        if c.is_ascii_alphabetic() && !starts_word(at) {
            return None;
        }
        match named(&lower[at..])? {
            (true, Subject::Scope(scope)) => Some(scope),
            _ => None,
        }
    });
    let compact = compact(&lower);
    with_one.or_else(|| {
        IDENTIFIERS
            .iter()
            .any(|id| compact.ends_with(id))
            .then_some(Scope::Tenant)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(words: &str) -> Option<(bool, Subject)> {
        named(words)
    }

    #[test]
    fn a_subject_is_a_noun_after_an_optional_word_for_one() {
        let tenant = Subject::Scope(Scope::Tenant);
        let user = Subject::Scope(Scope::User);
        let ip = Subject::Scope(Scope::Ip);
        let channel = Subject::Scope(Scope::Channel);
        assert_eq!(scope("App Key"), Some((false, tenant)));
        assert_eq!(scope("appkey"), Some((false, tenant)));
        assert_eq!(scope("用户"), Some((false, user)));
        assert_eq!(scope("IP"), Some((false, ip)));
        assert_eq!(scope("每个 App Key"), Some((true, tenant)));
        assert_eq!(scope("单用户 ID"), Some((true, user)));
        assert_eq!(scope("single user ID"), Some((true, user)));
        assert_eq!(scope("a single user"), Some((true, user)));
        assert_eq!(scope("同一用户"), Some((true, user)));
        assert_eq!(scope("单 IP"), Some((true, ip)));
        assert_eq!(scope("单IP"), Some((true, ip)));
        assert_eq!(scope("每个客户端 IP"), Some((true, ip)));
        assert_eq!(scope("per IP address"), Some((true, ip)));
        assert_eq!(scope("单个频道"), Some((true, channel)));
        assert_eq!(scope("单个发送者"), Some((true, user)));
        assert_eq!(scope("each recipient"), Some((true, user)));
        assert_eq!(scope("each channel"), Some((true, channel)));
        assert_eq!(scope("every tenant"), Some((true, tenant)));
    }

    #[test]
    fn one_of_another_kind_is_another_subject_unless_it_may_be_the_app() {
        assert_eq!(scope("单个群组"), Some((true, Subject::Other)));
        assert_eq!(scope("每个聊天室"), Some((true, Subject::Other)));
        assert_eq!(scope("each group"), Some((true, Subject::Other)));
        assert_eq!(scope("a single message"), Some((true, Subject::Other)));
        assert_eq!(scope("每个账号"), None);
        assert_eq!(scope("each account"), None);
        assert_eq!(scope("每个 app 下的群组"), None);
        // No word for one, or nothing after it: no subject.
        assert_eq!(scope("群组"), None);
        assert_eq!(scope("每个"), None);
        assert_eq!(scope("each"), None);
        // An English word for one is a word: `perfect`, `apps` and `eachother` hold none.
        assert_eq!(scope("perfect user"), None);
        assert_eq!(scope("eachuser"), None);
        // The article alone is no word for one.
        assert_eq!(scope("a maximum of"), None);
        assert_eq!(scope("a user"), None);
    }

    #[test]
    fn the_scope_at_the_end_of_words_needs_a_word_for_one_or_the_apps_identifier() {
        assert_eq!(scope_at_end("每个用户"), Some(Scope::User));
        assert_eq!(scope_at_end("同一个 AppKey 下每个用户"), Some(Scope::User));
        assert_eq!(scope_at_end("单个 用户"), Some(Scope::User));
        assert_eq!(scope_at_end("limited per user"), Some(Scope::User));
        assert_eq!(scope_at_end("接口单 IP"), Some(Scope::Ip));
        assert_eq!(scope_at_end("each IP address"), Some(Scope::Ip));
        assert_eq!(scope_at_end("同一个 AppKey"), Some(Scope::Tenant));
        assert_eq!(scope_at_end("AppKey"), Some(Scope::Tenant));
        assert_eq!(scope_at_end("the App ID"), Some(Scope::Tenant));
        assert_eq!(scope_at_end("per app"), Some(Scope::Tenant));
        assert_eq!(scope_at_end("每个频道"), Some(Scope::Channel));
        // A bare noun before a window is more often the API's name.
        assert_eq!(scope_at_end("注册用户"), None);
        assert_eq!(scope_at_end("user"), None);
        assert_eq!(scope_at_end("应用"), None);
        // An English word for one starts a word.
        assert_eq!(scope_at_end("paper user"), None);
        assert_eq!(scope_at_end("单个群组"), None);
        assert_eq!(scope_at_end(""), None);
    }
}
