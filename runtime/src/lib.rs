//! ratespec: typed endpoints and an exact limiter generated from API vendors' rate-limit
//! documents.
//!
//! # The limiter
//!
//! [`Limiter`] enforces every documented window of a generated `Endpoint` enum:
//!
//! - **Fixed windows** aligned to the Unix epoch for seconds, minutes and hours, and to
//!   midnight in the document's UTC offset for calendar days (自然日), exact to the
//!   millisecond: that is how vendors count, so a window's full limit is usable.
//! - **All or nothing**: a call is charged to every window of its bucket or to none, and no
//!   window ever admits more than its limit, even under contention.
//! - **Shared quotas** (共享): endpoints of one bucket draw on the same counters.
//! - **Adjustable limits** (可调频) at run time with [`Limiter::set_limit`].
//! - **Costs**: [`Limiter::try_acquire_n`] charges several units (recipients, groups), and a
//!   cost above a limit is refused as [`Refusal::Exceeds`], distinct from a full window.
//!
//! [`KeyedLimiter`] does the same for several App Keys in bounded memory, and with the
//! `tokio` feature `Limiter::acquire` waits, first come first served, until admitted.
//!
//! # Generated code
//!
//! Each document's module holds its metadata as one table of [`EndpointMeta`] records
//! (`Endpoint::META`, reachable from generic code as [`Endpoints::meta`]) and its routes as
//! data walked by the one matcher in [`router`], whose rules are documented there. The
//! call's `PROVIDERS` lists every document as a [`Provider`], without its type.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod clock;
mod endpoints;
mod keyed;
mod limiter;
mod meta;
mod outcome;
#[cfg(feature = "redis")]
pub mod redis;
mod route;
pub mod router;
mod shortcut;
mod slot;
mod sync;
mod table;
#[cfg(feature = "tower")]
pub mod tower;
#[cfg(feature = "tokio")]
mod wait;
mod window;
mod words;
#[cfg(test)]
mod words_tests;

#[cfg(all(test, loom))]
mod loom;

pub use clock::{Clock, ManualClock, Reading, SystemClock};
pub use endpoints::{EndpointMeta, Endpoints, Provider};
pub use keyed::{KeyedLimiter, KeyedRefusal};
pub use limiter::Limiter;
pub use meta::{Bucket, Cap, Cost, LimitSource, Origin, Per, Scope, SubLimit, Text, Window};
pub use outcome::{Denied, ExceedsLimit, LimitError, Permit, Refusal};
/// Generates one module per vendor document in a specs folder: see the crate README.
pub use ratespec_macros::include_limits;
pub use route::{Match, Route};
pub use slot::MAX_LIMIT;
