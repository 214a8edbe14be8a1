//! `include_limits!`: API vendors' rate-limit documents turned into typed Rust at compile time.
//!
//! ```ignore
//! ratespec_macros::include_limits!("specs/");
//!
//! let limit = rongcloud::Endpoint::UserGetToken.windows()[0].max; // 200, usable in `const`
//! match rongcloud::Endpoint::route("POST", "https://api.rong-cloud.cn/user/getToken.json?x=1") {
//!     rongcloud::Route::Found(found) => assert_eq!(found.endpoint, rongcloud::Endpoint::UserGetToken),
//!     other => panic!("{other:?}"),
//! }
//! ```
//!
//! The macro reads a specs folder (its `limits.toml` and the documents it lists) or single
//! documents with [`ratespec_parser`], and emits one module per document (named by
//! `limits.toml`'s `module`). What each module holds is documented on the generated items; see
//! `ratespec::router` for the rules the route matcher follows (the generated code is its
//! tables).
//!
//! Beside the modules, the call emits `PROVIDERS: &[ratespec::Provider]`, every document in
//! `limits.toml` order without its type (for code that handles all documents alike), so two
//! calls go in two different modules.
//!
//! # Where the path points
//!
//! A relative path is resolved against the root of the crate that calls the macro: the nearest
//! folder holding a `Cargo.toml`, going up from the file that contains the call. For code in
//! `src/`, `tests/` or `benches/` that is `CARGO_MANIFEST_DIR`; for trybuild tests, which cargo
//! compiles from a scratch project under `target/`, it is still the crate the test file lives
//! in. When the compiler cannot name the calling file, `CARGO_MANIFEST_DIR` is used.
//!
//! # Arguments
//!
//! `include_limits!("specs/", include_commented = true)` also counts rows inside HTML comments
//! in every document, whatever `limits.toml` says (the `include_commented` key of a
//! `[[document]]` switches it for one document).
//!
//! Generated code names the runtime crate as `::ratespec`. A crate that depends on it under
//! another name (`limits = { package = "ratespec", … }`) or re-exports it says where it is:
//! `include_limits!("specs/", crate = ::limits)`. The path is used inside the generated
//! modules, so it is absolute: `::name` or `crate::…` (e.g. `crate = ::my_sdk::ratespec`).
//!
//! # Errors
//!
//! Every problem in the documents or in `limits.toml` becomes a `compile_error!` on the path
//! literal, with `file:line:column`, the offending line and the fix. The modules are still
//! emitted from every row that could be read, so one bad row gives one error, not one per use
//! of the enum.
//!
//! # Rebuilding when the documents change
//!
//! Every file read (documents and `limits.toml`) is tracked, so editing one recompiles the
//! calling crate. A *new* document is picked up once it is listed in `limits.toml` (an edit of
//! a tracked file). Without a `limits.toml`, add a `build.rs` so that cargo also watches the
//! folder itself:
//!
//! ```ignore
//! fn main() {
//!     println!("cargo::rerun-if-changed=specs");
//! }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod args;
mod expand;
mod resolve;

use proc_macro::TokenStream;
use ratespec_parser::{Options, load};

use args::Args;

/// Reads the rate-limit documents at a path and expands to one module per document: a typed
/// `Endpoint` enum with const limit metadata, the `ratespec::Endpoints` impl and a route
/// matcher. See the crate documentation.
#[proc_macro]
pub fn include_limits(input: TokenStream) -> TokenStream {
    let args = syn::parse_macro_input!(input as Args);
    let root = resolve::crate_root(proc_macro::Span::call_site());
    let path = root.join(args.path.value());
    let mut loaded = load(
        std::slice::from_ref(&path),
        &Options {
            include_commented: args.include_commented,
        },
    );
    // Shown paths (errors, rustdoc) are relative to the crate, so they read the same on every
    // machine; tracked paths stay absolute, as `include_bytes!` needs.
    for document in &mut loaded.catalog.documents {
        document.file = resolve::shown(&root, &document.file);
        for endpoint in &mut document.endpoints {
            let file = std::path::Path::new(endpoint.limit_source.file.as_ref());
            endpoint.limit_source.file = resolve::shown(&root, file).display().to_string().into();
        }
    }
    for diagnostic in &mut loaded.diagnostics {
        diagnostic.file = resolve::shown(&root, &diagnostic.file);
        diagnostic.message = resolve::shown_in(&root, &diagnostic.message);
    }
    expand::expand(&loaded, args.path.span(), &args.krate).into()
}
