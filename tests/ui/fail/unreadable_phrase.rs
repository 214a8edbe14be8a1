//! An unreadable limit phrase: the other rows still generate their variants.

ratespec_macros::include_limits!("ui/fixtures/unreadable-phrase/");

fn main() {
    let _ = api::Endpoint::UserTokenExpire;
}
