//! ratespec: typed endpoints and an exact limiter generated from API vendors' rate-limit
//! documents.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod endpoints;
mod meta;

pub use endpoints::Endpoints;
pub use meta::{Bucket, Cost, Per, Window};
