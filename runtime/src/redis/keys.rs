//! Redis key names: by provider, bucket name, window length and window id, never by an enum
//! discriminant, so reordering or adding endpoints in a document never moves a counter.
//!
//! ```text
//! ratespec:{rongcloud:push}:1h:493921                no tenant
//! ratespec:{APPKEY:rongcloud:push}:1d:20580          tenant (App Key) "APPKEY"
//! ratespec:{demo:batch}:10s:170930880                a 10-second window
//! ```
//!
//! The braces are a Redis Cluster hash tag: every window of one bucket lands in one slot, as a
//! script's keys must. The window is named by its length ([`Length::label`]: `1s`, `10s`,
//! `30m`, `2d`), its identity in a bucket; the id is the one [`Window::id`] computes: windows
//! of that length since the Unix epoch, or since 1970-01-01 midnight in the document's offset
//! for day windows.
//!
//! [`Length::label`]: crate::Length::label

use crate::meta::{Bucket, Window};
use std::fmt::Write as _;

/// The longest scope key written into a Redis key as it is; longer ones are hashed.
pub(crate) const MAX_SCOPE_LEN: usize = 128;

/// FNV-1a, 64 bits: stable across processes and versions, as a name shared by a fleet must
/// be (std's hashers are not). Not collision-resistant against chosen keys: two hostile
/// keys that collide share one quota, which only refuses them earlier.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

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

    /// The key of window number `id` of `bucket`'s window `w` (named by its length).
    pub(crate) fn key(&self, bucket: usize, w: &Window, id: u64) -> String {
        let prefix = self.prefixes.get(bucket).map_or("", String::as_str);
        let mut key = String::with_capacity(prefix.len() + 24);
        key.push_str(prefix);
        // Writing into a String cannot fail.
        let _ = write!(key, "{}{}:{id}", w.every, w.per.suffix());
        key
    }

    /// The key of window number `id` of `bucket`'s window `w` counted per scope key, for
    /// the key `scope` (a user ID, a channel): `…}:user=alice:1m:28928`. A scope longer
    /// than [`MAX_SCOPE_LEN`] bytes is named by a hash of it, so keys stay short.
    pub(crate) fn scoped_key(&self, bucket: usize, scope: &str, w: &Window, id: u64) -> String {
        let prefix = self.prefixes.get(bucket).map_or("", String::as_str);
        let mut key = String::with_capacity(prefix.len() + scope.len().min(MAX_SCOPE_LEN) + 40);
        key.push_str(prefix);
        key.push_str(w.scope.as_str());
        key.push('=');
        if scope.len() > MAX_SCOPE_LEN {
            let _ = write!(key, "#{:016x}", fnv1a(scope.as_bytes()));
        } else {
            escape_into(&mut key, scope);
        }
        let _ = write!(key, ":{}{}:{id}", w.every, w.per.suffix());
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

    use crate::meta::{Per, Text};

    const BUCKETS: &[Bucket] = &[Bucket {
        name: Text::Borrowed("user_get_token"),
        windows: Cow::Borrowed(&[Window::new(1, Per::Second)]),
    }];

    #[test]
    fn keys_name_the_provider_bucket_window_and_id_in_one_hash_tag() {
        let keys = Keys::new("demo", BUCKETS, None);
        assert_eq!(
            keys.key(0, &Window::new(1, Per::Second), 1_700_000_000),
            "ratespec:{demo:user_get_token}:1s:1700000000"
        );
        assert_eq!(
            keys.key(0, &Window::new(10, Per::Second).every(10), 170_000_000),
            "ratespec:{demo:user_get_token}:10s:170000000"
        );
        let keys = Keys::new("demo", BUCKETS, Some("key-1"));
        assert_eq!(
            keys.key(0, &Window::new(3, Per::Day).every(2), 9_500),
            "ratespec:{key-1:demo:user_get_token}:2d:9500"
        );
    }

    #[test]
    fn a_tenant_cannot_forge_another_tenants_keys_or_the_hash_tag() {
        let evil = Keys::new("demo", BUCKETS, Some("a:demo}{x%"));
        assert_eq!(
            evil.key(0, &Window::new(1, Per::Hour), 1),
            "ratespec:{a%3Ademo%7D%7Bx%25:demo:user_get_token}:1h:1"
        );
        // An unknown bucket index yields a key that belongs to no bucket, never a panic.
        assert_eq!(evil.key(9, &Window::new(1, Per::Hour), 1), "1h:1");
    }
}
