//! Two routes that derive one variant name: the first keeps it.

ratespec_macros::include_limits!("ui/fixtures/name-collision/");

fn main() {
    let _ = api::Endpoint::UserGetToken;
}
