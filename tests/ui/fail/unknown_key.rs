//! A misspelt limits.toml key.

ratespec_macros::include_limits!("ui/fixtures/unknown-key/");

fn main() {}
