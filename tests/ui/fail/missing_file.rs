//! limits.toml lists a document that is not there.

ratespec_macros::include_limits!("ui/fixtures/missing-file/");

fn main() {}
