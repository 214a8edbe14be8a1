//! One route documented twice with different limits.

ratespec_macros::include_limits!("ui/fixtures/conflicting-duplicate/");

fn main() {
    let _ = api::Endpoint::MessageRecall;
}
