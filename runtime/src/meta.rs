//! Limit metadata shared by generated code and the limiters: the vocabulary of
//! `ratespec-core`, re-exported so that users and generated code name one crate.

pub use ratespec_core::{
    Bucket, Cap, Cost, LimitSource, Origin, Per, Scope, SubLimit, Text, Window,
};
