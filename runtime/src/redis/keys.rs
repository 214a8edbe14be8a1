//! Redis key names: by provider, bucket name, window length and window id, never by an enum
//! discriminant, so reordering or adding endpoints in a document never moves a counter.
//!
//! ```text
//! ratespec:{rongcloud:push}:hour:493921              no tenant
//! ratespec:{APPKEY:rongcloud:push}:day:20580         tenant (App Key) "APPKEY"
//! ```
//!
//! The braces are a Redis Cluster hash tag: every window of one bucket lands in one slot, as a
//! script's keys must. The window id is the one `window::id` computes: seconds, minutes or
//! hours since the Unix epoch, or calendar days since 1970-01-01 in the document's offset.

use crate::meta::{Bucket, Per};
use std::fmt::Write as _;

/// Every key of a namespace begins with this.
pub(crate) const NAMESPACE: &str = "ratespec";

/// The fixed part of each bucket's keys, built once: `ratespec:{tenant:provider:bucket}:`.
#[derive(Debug)]
pub(crate) struct Keys {
    prefixes: Box<[String]>,
}

impl Keys {
    /// The keys of `provider`'s `buckets`, in bucket-index order.
    pub(crate) fn new(provider: &str, buckets: &[Bucket], tenant: Option<&str>) -> Self {
        let prefixes = buckets
            .iter()
            .map(|bucket| {
                let mut p = format!("{NAMESPACE}:{{");
                if let Some(tenant) = tenant {
                    escape_into(&mut p, tenant);
                    p.push(':');
                }
                escape_into(&mut p, provider);
                p.push(':');
                escape_into(&mut p, &bucket.name);
                p.push_str("}:");
                p
            })
            .collect();
        Keys { prefixes }
    }

    /// The key of `bucket`'s `per` window number `id`.
    pub(crate) fn key(&self, bucket: usize, per: Per, id: u64) -> String {
        let prefix = self.prefixes.get(bucket).map_or("", String::as_str);
        let mut key = String::with_capacity(prefix.len() + 20);
        key.push_str(prefix);
        key.push_str(per.as_str());
        key.push(':');
        // Writing into a String cannot fail.
        let _ = write!(key, "{id}");
        key
    }
}

/// Appends `part` with `%`, `:`, `{` and `}` percent-encoded, so that no tenant, provider or
/// bucket name can make two keys collide or break the hash tag.
fn escape_into(out: &mut String, part: &str) {
    for c in part.chars() {
        match c {
            '%' => out.push_str("%25"),
            ':' => out.push_str("%3A"),
            '{' => out.push_str("%7B"),
            '}' => out.push_str("%7D"),
            c => out.push(c),
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::borrow::Cow;

    use crate::meta::{Text, Window};

    const BUCKETS: &[Bucket] = &[Bucket {
        name: Text::Borrowed("user_get_token"),
        windows: Cow::Borrowed(&[Window::new(1, Per::Second)]),
    }];

    #[test]
    fn keys_name_the_provider_bucket_window_and_id_in_one_hash_tag() {
        let keys = Keys::new("demo", BUCKETS, None);
        assert_eq!(
            keys.key(0, Per::Second, 1_700_000_000),
            "ratespec:{demo:user_get_token}:second:1700000000"
        );
        let keys = Keys::new("demo", BUCKETS, Some("key-1"));
        assert_eq!(
            keys.key(0, Per::Day, 19_000),
            "ratespec:{key-1:demo:user_get_token}:day:19000"
        );
    }

    #[test]
    fn a_tenant_cannot_forge_another_tenants_keys_or_the_hash_tag() {
        let evil = Keys::new("demo", BUCKETS, Some("a:demo}{x%"));
        assert_eq!(
            evil.key(0, Per::Hour, 1),
            "ratespec:{a%3Ademo%7D%7Bx%25:demo:user_get_token}:hour:1"
        );
        // An unknown bucket index yields a key that belongs to no bucket, never a panic.
        assert_eq!(evil.key(9, Per::Hour, 1), "hour:1");
    }
}
