//! The checked model: documents of endpoints, each with its limit, names and quota bucket.

pub mod build;
pub mod check;
pub mod diff;
pub mod naming;
pub mod route;

use std::path::PathBuf;

use crate::phrase::Limit;
pub use build::build_document;
pub use check::check_document;
use ratespec_core::LimitSource;
use ratespec_core::Window;
use route::Template;

use crate::source::Position;

/// Every document of a specs folder, checked.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    /// One per document, in `limits.toml` order.
    pub documents: Vec<Document>,
}

impl Catalog {
    /// How many endpoints all documents hold.
    pub fn endpoint_count(&self) -> usize {
        self.documents.iter().map(|d| d.endpoints.len()).sum()
    }
}

/// One vendor document, checked: what becomes one generated module.
#[derive(Clone, Debug)]
pub struct Document {
    /// The module name (`rongcloud`).
    pub module: String,
    /// The document's path, as given.
    pub file: PathBuf,
    /// Seconds east of UTC where calendar days start, when configured.
    pub utc_offset: Option<i32>,
    /// Whose API the document describes (`rongcloud`, `easemob`, `other`), when configured.
    pub vendor: Option<String>,
    /// The method of rows that give none.
    pub default_method: Option<String>,
    /// Whether rows inside HTML comments were counted.
    pub include_commented: bool,
    /// The endpoints, in the order the document first lists them.
    pub endpoints: Vec<Endpoint>,
    /// The lines of the rows that carry a path and count (outside comments, or with
    /// `include_commented`): what `check`'s summary counts.
    pub row_lines: Vec<usize>,
    /// The quotas; every endpoint draws on exactly one.
    pub buckets: Vec<Bucket>,
}

/// One route with its limit: rows with the same method and path, merged.
#[derive(Clone, Debug)]
pub struct Endpoint {
    /// The enum variant's name.
    pub variant: String,
    /// The HTTP method, upper case.
    pub method: String,
    /// The path template.
    pub template: Template,
    /// Every documented name, in document order, without repeats.
    pub names: Vec<String>,
    /// The section of the first row.
    pub section: Option<String>,
    /// The limit (identical on every row, or settled in `limits.toml`); `adjustable` and
    /// `shared` hold when any row says so.
    pub limit: Limit,
    /// Where the limit was read: the row, a sentence, the document's default or
    /// `limits.toml`.
    pub limit_source: LimitSource,
    /// Whether the limit could be read; an endpoint whose limit could not be read keeps its
    /// route (so generated code names it) beside the diagnostic, with no windows.
    pub limit_read: bool,
    /// The host, when the document writes full URLs.
    pub host: Option<String>,
    /// The tables its rows are in, for the check of routes documented twice in one table.
    pub tables: Vec<Option<usize>>,
    /// The quota a sentence of the document says its table shares (the sentence's line).
    pub shared_group: Option<usize>,
    /// Every row is marked 已废弃.
    pub deprecated: bool,
    /// At least one row is outside HTML comments.
    pub published: bool,
    /// The index of the bucket in [`Document::buckets`].
    pub bucket: usize,
    /// The path parameter whose value is the scope key of the endpoint's per-user or
    /// per-channel windows: `limits.toml`'s `scope_param`, else the one [`scope_param`]
    /// picks; `None` without such windows or without such a parameter.
    pub scope_param: Option<String>,
    /// Where each row is, in document order.
    pub sources: Vec<Position>,
    /// Where the first row's path is written (what diagnostics about the endpoint point at).
    pub path_at: Position,
    /// Where the first row's limit phrase is written.
    pub phrase_at: Position,
}

/// The path parameter that names the user or channel of a route's windows of `scope`, by
/// the naming rule: the last parameter whose name, lower case and without `_` or `-`, is
/// `username`, `userid`, `uid` or `user` (for [`Scope::User`](ratespec_core::Scope::User)),
/// or `channelid`, `channel`, `channelname` or `buschannel` (for
/// [`Scope::Channel`](ratespec_core::Scope::Channel)). The last, because a path that names a
/// user names them after their group or app (`/chatgroups/{group_id}/users/{username}`).
/// `None` for the tenant scope, or when no parameter has such a name: the caller then
/// supplies the key (a form field, a hook).
pub fn scope_param<'a>(
    params: impl IntoIterator<Item = &'a str>,
    scope: ratespec_core::Scope,
) -> Option<&'a str> {
    use ratespec_core::Scope;
    let names: &[&str] = match scope {
        Scope::User => &["username", "userid", "uid", "user"],
        Scope::Channel => &["channelid", "channel", "channelname", "buschannel"],
        _ => &[],
    };
    params
        .into_iter()
        .filter(|param| {
            let folded: String = param
                .chars()
                .filter(|c| !matches!(c, '_' | '-'))
                .map(|c| c.to_ascii_lowercase())
                .collect();
            names.contains(&folded.as_str())
        })
        .last()
}

impl Endpoint {
    /// The path template as written.
    pub fn path(&self) -> &str {
        &self.template.text
    }

    /// Whether `limits.toml` replaced the document's phrase.
    pub fn limit_overridden(&self) -> bool {
        self.limit_source.origin == ratespec_core::Origin::Config
    }

    /// `METHOD /path`.
    pub fn route(&self) -> String {
        format!("{} {}", self.method, self.template.text)
    }
}

/// A quota that one or more endpoints draw on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bucket {
    /// The name: the variant for a quota of its own, the `limits.toml` name for a shared one.
    pub name: String,
    /// The windows, all of which apply.
    pub windows: Vec<Window>,
    /// The endpoints drawing on it, as indices into [`Document::endpoints`].
    pub members: Vec<usize>,
}

#[cfg(test)]
mod scope_param_tests {
    use super::scope_param;
    use ratespec_core::Scope;

    #[test]
    fn the_last_parameter_named_like_a_user_or_channel_is_the_scope_key() {
        let user = ["org_name", "app_name", "userName"];
        assert_eq!(scope_param(user, Scope::User), Some("userName"));
        let member = ["org_name", "app_name", "group_id", "username"];
        assert_eq!(scope_param(member, Scope::User), Some("username"));
        let owner = ["org_name", "app_name", "owner_username", "blocked_username"];
        assert_eq!(
            scope_param(owner, Scope::User),
            None,
            "neither is `username`"
        );
        assert_eq!(scope_param(["user_id", "uid"], Scope::User), Some("uid"));
        assert_eq!(
            scope_param(["channelId"], Scope::Channel),
            Some("channelId")
        );
        assert_eq!(scope_param(["channelId"], Scope::User), None);
        assert_eq!(scope_param(["userName"], Scope::Tenant), None);
        assert_eq!(scope_param([], Scope::User), None);
    }
}
