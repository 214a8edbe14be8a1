//! Compile-time behaviour of `include_limits!`: what compiles (`tests/ui/pass`), and one
//! error per diagnostic class, spanned on the path literal (`tests/ui/fail`, `.stderr`
//! snapshots; refresh with `TRYBUILD=overwrite`, then read them).

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/fail/*.rs");
}
