//! Limits and quotas are usable in `const` context: array sizes, statics, const items.

ratespec_macros::include_limits!("../specs/");

use rongcloud::Endpoint;

const TOKEN_PER_SECOND: u64 = Endpoint::UserGetToken.windows()[0].max;
const PUSH_BUCKET: &ratespec::Bucket = &Endpoint::BUCKETS[Endpoint::Push.bucket()];
static COUNTERS: [std::sync::atomic::AtomicU32; Endpoint::COUNT] =
    [const { std::sync::atomic::AtomicU32::new(0) }; Endpoint::COUNT];
const _: () = assert!(TOKEN_PER_SECOND == 200);
const _: () = assert!(PUSH_BUCKET.windows().len() == 2);
const _: () = assert!(matches!(PUSH_BUCKET.windows()[1].per, ratespec::Per::Day));
const _: () = assert!(Endpoint::ALL.len() == Endpoint::COUNT);

fn main() {
    COUNTERS[Endpoint::UserGetToken.index()].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}
