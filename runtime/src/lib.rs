//! ratespec: typed endpoints and an exact limiter generated from API vendors' rate-limit
//! documents.
//!
//! # The limiter
//!
//! [`Limiter`] enforces every documented window of a generated `Endpoint` enum:
//!
//! - **Fixed windows of any length** (`200 次/每秒`, `10 次/10 秒`, `1 call / 30 minutes`,
//!   `3 次/2 天`), aligned to the Unix epoch, and windows counted in days to midnight in the
//!   document's UTC offset (自然日), exact to the millisecond: that is how vendors count, so
//!   a window's full limit is usable.
//! - **All or nothing**: a call is charged to every window of its bucket or to none, and no
//!   window ever admits more than its limit, even under contention.
//! - **Shared quotas** (共享): endpoints of one bucket draw on the same counters.
//! - **Adjustable limits** (可调频) at run time with [`Limiter::set_limit`], naming the
//!   window by its [`Length`] (a [`Per`] is the one-unit window).
//! - **Costs by basis**: [`Limiter::try_acquire_n`] charges one request of [`Units`] (a
//!   size such as 600 recipients, and counts by basis where the request names them), each
//!   window in its own basis: a message to 600 users is 1 call and 600 messages. A cost above
//!   a limit is refused as [`Refusal::Exceeds`], distinct from a full window.
//! - **Per-request caps** (`600 人/次`): a larger request is refused as [`Refusal::OverCap`]
//!   before anything is charged; [`Limiter::batches`] splits a list into requests that fit.
//! - **Per-user and per-channel windows** ([`Scope::User`], `5 次/分钟/单用户 ID`;
//!   [`Scope::Channel`], `单个频道限 20 条/每秒`) are counted per scope key by
//!   [`Limiter::try_acquire_scoped`], all or nothing with the App Key's windows, in bounded
//!   memory.
//!
//! [`KeyedLimiter`] does the same for several App Keys in bounded memory, and `RedisLimiter`
//! (feature `redis`) for a fleet sharing one Redis; all three have the same methods and
//! refuse with one [`Refusal`]. With the `tokio` feature `acquire(..).await` waits until
//! admitted.
//!
//! # Generated code
//!
//! Each document's module holds its metadata as one table of [`EndpointMeta`] records
//! (`Endpoint::META`, reachable from generic code as [`Endpoints::meta`]) and its routes as
//! data walked by the one matcher in [`router`], whose rules are documented there. The
//! call's `PROVIDERS` lists every document as a [`Provider`], without its type.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod clock;
mod endpoints;
mod feedback;
mod keyed;
mod limiter;
mod meta;
mod outcome;
#[cfg(feature = "redis")]
pub mod redis;
mod route;
pub mod router;
mod scoped;
mod shortcut;
mod sliding;
mod slot;
mod sync;
mod table;
#[cfg(feature = "tower")]
pub mod tower;
mod units;
#[cfg(feature = "tokio")]
mod wait;
pub mod window;
mod words;
#[cfg(test)]
mod words_tests;

#[cfg(all(test, loom))]
mod loom;

pub use clock::{Clock, ManualClock, SystemClock};
pub use endpoints::{EndpointMeta, Endpoints, Provider};
pub use keyed::KeyedLimiter;
pub use limiter::Limiter;
pub use meta::{Bucket, Cap, Cost, LimitSource, Origin, Per, Scope, SubLimit, Text, Window};
pub use outcome::{
    Denied, ExceedsLimit, LimitError, OverCap, Permit, Refusal, Unavailable, UnavailableKind,
};
/// Generates one module per vendor document in a specs folder: see the crate README.
pub use ratespec_macros::include_limits;
pub use route::{Match, Route};
pub use scoped::DEFAULT_SCOPE_CAPACITY;
pub use sliding::SUBWINDOWS;
pub use units::Units;
pub use window::Length;
