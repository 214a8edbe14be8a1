//! A 共享 (shared) quota that names no other route.

ratespec_macros::include_limits!("ui/fixtures/unresolved-shared/");

fn main() {
    let _ = api::Endpoint::ChatroomEntrySet;
}
