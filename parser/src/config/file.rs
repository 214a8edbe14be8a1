//! `limits.toml`: what the documents cannot say. Unknown keys are errors.
//!
//! ```toml
//! [[document]]
//! file = "rongcloud-server.md"   # required: the document, relative to limits.toml
//! module = "rongcloud"           # the generated module (default: the file stem in snake_case)
//! default_method = "POST"        # for rows that give no method
//! utc_offset = "+08:00"          # where calendar days (自然日) start; required for day windows
//! include_commented = false      # count rows inside HTML comments
//! skip_lines = [12]              # lines not to read (a table's header line skips the table)
//! plan = "Enterprise"            # the plan column to read where a table has one per plan
//!
//! [[document.shared]]            # a quota several routes draw on (共享)
//! bucket = "chatroom_entry_set"
//! routes = ["/chatroom/entry/set.json", "/chatroom/entry/batch/set.json"]
//!
//! [document.routes."/message/recall.json"]   # or "POST /message/recall.json"
//! variant = "MessageRecall"      # the enum variant's name
//! limit = "100 次/每秒"          # the limit phrase, replacing what the rows say
//! scope_param = "userName"       # the path parameter naming the user or channel of its
//!                                # per-user / per-channel windows (default: see
//!                                # `model::scope_param`)
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::Diagnostic;
use crate::source::Source;

/// The whole of `limits.toml`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// One entry per document, in the order modules are generated.
    #[serde(default)]
    pub document: Vec<DocumentConfig>,
}

/// The values of a document's `vendor` key.
pub const VENDORS: &[&str] = &["rongcloud", "easemob", "other"];

/// What `limits.toml` says about one document.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentConfig {
    /// The document's file name, relative to `limits.toml`.
    pub file: Spanned<String>,
    /// The generated module's name.
    pub module: Option<Spanned<String>>,
    /// The method of rows that give none.
    pub default_method: Option<Spanned<String>>,
    /// `+08:00`: where calendar days start.
    pub utc_offset: Option<Spanned<String>>,
    /// Whose API the document describes, so that clients recognise its refusals (RongCloud's
    /// `{"code": 1008}`, Easemob's `reach_limit`): one of [`VENDORS`].
    pub vendor: Option<Spanned<String>>,
    /// Whether rows inside HTML comments count.
    #[serde(default)]
    pub include_commented: bool,
    /// Lines not to read.
    #[serde(default)]
    pub skip_lines: Vec<usize>,
    /// The plan or edition whose column to read in tables with one limit column per plan
    /// (`plan = "Enterprise"` reads `Enterprise Edition`); matched ignoring case, as a word
    /// of the column's header.
    pub plan: Option<Spanned<String>>,
    /// Quotas shared by several routes.
    #[serde(default)]
    pub shared: Vec<SharedConfig>,
    /// Per-route settings, keyed by `"/path"` or `"METHOD /path"`.
    #[serde(default)]
    pub routes: BTreeMap<Spanned<String>, RouteConfig>,
}

/// A quota several routes draw on.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedConfig {
    /// The bucket's name (used for Redis keys and logs): letters, digits, `_` and `-`.
    pub bucket: Spanned<String>,
    /// The routes, as `"/path"` or `"METHOD /path"`.
    pub routes: Vec<Spanned<String>>,
}

/// Settings for one route.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    /// The enum variant's name, replacing the derived one.
    pub variant: Option<Spanned<String>>,
    /// The limit phrase, replacing what the document's rows say.
    pub limit: Option<Spanned<String>>,
    /// The path parameter whose value is the scope key (user or channel) of the route's
    /// per-user or per-channel windows, replacing the one the naming rule picks.
    pub scope_param: Option<Spanned<String>>,
}

impl Config {
    /// Parses `limits.toml`; a syntax error or an unknown key becomes a diagnostic.
    pub fn parse(source: &Source) -> Result<Config, Box<Diagnostic>> {
        toml::from_str(source.text()).map_err(|error| {
            let span = error.span().unwrap_or(0..0);
            let text = source.text().get(span.clone()).unwrap_or("").to_string();
            let message = error.message().trim().to_string();
            let help = if message.starts_with("unknown field") {
                "see the limits.toml reference in README.md for the keys each table takes"
            } else {
                "fix the TOML syntax"
            };
            Box::new(
                Diagnostic::new(source, source.position(span.start), message, text).with_help(help),
            )
        })
    }

    /// The entry for the document named `file`, if any.
    pub fn document(&self, file: &str) -> Option<&DocumentConfig> {
        self.document.iter().find(|d| d.file.get_ref() == file)
    }
}

/// Reads `+08:00`, `-05:30`, `Z` or `+00:00` as seconds east of UTC.
pub fn parse_utc_offset(text: &str) -> Option<i32> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("z") || text.eq_ignore_ascii_case("utc") {
        return Some(0);
    }
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (hours, minutes) = text[1..].split_once(':')?;
    if hours.len() != 2 || minutes.len() != 2 {
        return None;
    }
    let hours: i32 = hours.parse().ok()?;
    let minutes: i32 = minutes.parse().ok()?;
    (hours <= 14 && minutes < 60).then_some(sign * (hours * 3600 + minutes * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_offsets() {
        assert_eq!(parse_utc_offset("+08:00"), Some(8 * 3600));
        assert_eq!(parse_utc_offset("-05:30"), Some(-(5 * 3600 + 30 * 60)));
        assert_eq!(parse_utc_offset("Z"), Some(0));
        assert_eq!(parse_utc_offset("8"), None);
        assert_eq!(parse_utc_offset("+8:00"), None);
        assert_eq!(parse_utc_offset("+25:00"), None);
    }

    #[test]
    fn unknown_keys_are_errors_with_a_position() {
        let source = Source::new(
            "limits.toml",
            "[[document]]\nfile = \"a.md\"\ndefault_methd = \"POST\"\n",
        );
        let error = Config::parse(&source).unwrap_err();
        assert!(
            error.message.contains("unknown field `default_methd`"),
            "{error}"
        );
        assert_eq!(error.at.line, 3);
        assert_eq!(error.text, "default_methd");
    }
}
