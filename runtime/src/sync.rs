//! The atomics the limiter's state is made of: std's, or loom's when the loom model runs.
//!
//! Only the slot and the manual clock go through here; they are what the model checks.

#[cfg(all(test, loom))]
pub(crate) use loom::sync::atomic::{AtomicU64, Ordering};
#[cfg(not(all(test, loom)))]
pub(crate) use std::sync::atomic::{AtomicU64, Ordering};
