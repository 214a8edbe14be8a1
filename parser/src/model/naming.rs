//! Variant names derived from method and path.
//!
//! The rule, applied to `METHOD /path` alone (so adding or removing other rows never renames
//! an endpoint):
//!
//! 1. The method in UpperCamelCase (`Get`, `Post`, `Delete`) comes first, unless it is the
//!    document's `default_method`.
//! 2. Leading `{param}` segments (tenant prefixes such as `{org_name}/{app_name}`) are dropped;
//!    later ones become `By` + the parameter name (`{labelname}` → `ByLabelname`).
//! 3. The last segment's extension (`.json`) is dropped.
//! 4. Each segment is split into words at `_`, `-`, `.` and lower-to-upper case changes, and each
//!    word is capitalised (`getToken` → `GetToken`, `publish_template` → `PublishTemplate`).
//! 5. Non-ASCII characters are dropped; an empty result is `Root`; a leading digit gets `N`.
//!
//! `POST /user/getToken.json` (default `POST`) → `UserGetToken`;
//! `GET /{org_name}/{app_name}/push/label/{labelname}` → `GetPushLabelByLabelname`.

use crate::model::route::{Segment, Template};

/// The variant name for `method` and `template` under the rule above.
pub fn derive(method: &str, template: &Template, default_method: Option<&str>) -> String {
    let mut name = String::new();
    if default_method.is_none_or(|default| !default.eq_ignore_ascii_case(method)) {
        push_words(&mut name, &method.to_ascii_lowercase());
    }
    let mut seen_static = false;
    let last = template.segments.len().saturating_sub(1);
    for (i, segment) in template.segments.iter().enumerate() {
        match segment {
            Segment::Param(param) if seen_static => {
                name.push_str("By");
                push_words(&mut name, param);
            }
            Segment::Param(_) => {}
            Segment::Static(text) => {
                seen_static = true;
                let text = if i == last {
                    text.rsplit_once('.')
                        .map_or(text.as_str(), |(stem, _)| stem)
                } else {
                    text
                };
                push_words(&mut name, text);
            }
        }
    }
    if name.is_empty() || name == method_word(method) {
        name.push_str("Root");
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'N');
    }
    name
}

/// Whether `name` can be a variant: ASCII, UpperCamelCase, not a keyword.
pub fn is_valid_variant(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric())
        && name != "Self"
}

fn method_word(method: &str) -> String {
    let mut word = String::new();
    push_words(&mut word, &method.to_ascii_lowercase());
    word
}

/// Appends `text` split into capitalised words.
fn push_words(out: &mut String, text: &str) {
    let mut start_word = true;
    let mut previous_lower = false;
    for c in text.chars() {
        if !c.is_ascii_alphanumeric() {
            start_word = true;
            previous_lower = false;
            continue;
        }
        if start_word || (previous_lower && c.is_ascii_uppercase()) {
            out.push(c.to_ascii_uppercase());
        } else {
            out.push(c);
        }
        start_word = false;
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(method: &str, path: &str, default: Option<&str>) -> String {
        derive(method, &Template::parse(path).unwrap(), default)
    }

    #[test]
    fn the_rule() {
        assert_eq!(
            name("POST", "/user/getToken.json", Some("POST")),
            "UserGetToken"
        );
        assert_eq!(name("POST", "/push.json", Some("POST")), "Push");
        assert_eq!(
            name(
                "POST",
                "/message/private/publish_template.json",
                Some("POST")
            ),
            "MessagePrivatePublishTemplate"
        );
        assert_eq!(
            name("GET", "/stat/getDayPushData", Some("POST")),
            "GetStatGetDayPushData"
        );
        assert_eq!(
            name("GET", "/{org_name}/{app_name}/push/label/{labelname}", None),
            "GetPushLabelByLabelname"
        );
        assert_eq!(
            name(
                "POST",
                "/{org_name}/{app_name}/push/message/{messageId}",
                None
            ),
            "PostPushMessageByMessageId"
        );
        assert_eq!(name("GET", "/", None), "GetRoot");
        assert_eq!(name("POST", "/", Some("POST")), "Root");
        assert_eq!(name("POST", "/2fa.json", Some("POST")), "N2fa");
        assert_eq!(name("POST", "/用户.json", Some("POST")), "Root");
    }

    #[test]
    fn validity() {
        assert!(is_valid_variant("UserGetToken"));
        assert!(!is_valid_variant("userGetToken"));
        assert!(!is_valid_variant("User_Get"));
        assert!(!is_valid_variant("Self"));
        assert!(!is_valid_variant(""));
    }
}
