//! The real RongCloud endpoints, generated from `specs/` with the rows inside HTML comments
//! (the chatroom attribute tables, whose two set endpoints share one quota).
#![allow(dead_code)]

mod generated {
    ratespec::include_limits!("specs/", include_commented = true);
}

/// The RongCloud server API: `/user/getToken.json` 200/s, `/push.json` 2/hour + 3/calendar
/// day, the chatroom attribute endpoints sharing 100 attributes/s, ...
pub use generated::rongcloud::Endpoint;

/// 2024-03-01T00:00:00+08:00 (Beijing midnight) in Unix milliseconds.
pub const BEIJING_MIDNIGHT: u64 = 1_709_222_400_000;
/// One hour in milliseconds.
pub const HOUR: u64 = 3_600_000;
/// One day in milliseconds.
pub const DAY: u64 = 86_400_000;
