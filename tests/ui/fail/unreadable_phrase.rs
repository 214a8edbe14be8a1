//! An unreadable limit phrase: one error at the phrase. The other rows still generate their
//! variants, and so does the row itself (its route was read), so its uses are not errors too.

ratespec_macros::include_limits!("ui/fixtures/unreadable-phrase/");

fn main() {
    let _ = api::Endpoint::UserTokenExpire;
    let _ = api::Endpoint::UserGetToken;
    let _ = api::Endpoint::UserGetToken.windows();
}
