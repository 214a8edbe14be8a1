//! The trait that every generated `Endpoint` enum implements.

use crate::meta::Bucket;

/// A set of endpoints with documented limits: what `include_limits!` generates for one document.
///
/// Limiters are generic over this trait and index their counters directly by
/// [`bucket`](Endpoints::bucket), so no hashing happens on the hot path.
pub trait Endpoints: Copy + Eq + core::fmt::Debug + Send + Sync + 'static {
    /// The provider (module) name, e.g. `"rongcloud"`.
    const PROVIDER: &'static str;
    /// Every endpoint, in discriminant order: `ALL[e.index()] == e`.
    const ALL: &'static [Self];
    /// Every quota bucket; endpoints sharing a quota have the same bucket index.
    const BUCKETS: &'static [Bucket];
    /// The document's UTC offset in seconds, which aligns calendar-day ([`Per::Day`](crate::Per::Day)) windows.
    const UTC_OFFSET_SECS: i32;

    /// The endpoint's position in [`ALL`](Endpoints::ALL) (its discriminant).
    fn index(self) -> usize;
    /// The endpoint's position in [`BUCKETS`](Endpoints::BUCKETS).
    fn bucket(self) -> usize;
    /// The endpoint's variant name, e.g. `"UserGetToken"`.
    fn as_str(self) -> &'static str;
}
