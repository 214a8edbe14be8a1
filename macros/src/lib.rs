//! `include_limits!`: API vendors' rate-limit documents turned into typed Rust at compile time.
//!
//! This is the procedural macro of [ratespec](https://docs.rs/ratespec). Its generated code
//! names the `ratespec` crate, so depend on `ratespec`, which re-exports it as
//! `ratespec::include_limits!`, rather than on this crate. The macro reads a specs folder
//! (its `limits.toml` and the documents it lists) or single documents with
//! [`ratespec_parser`], and emits one module per document; every argument, the path
//! resolution, the `limits.toml` keys and the generated items are documented on
//! [`include_limits!`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod args;
mod expand;
mod resolve;

use proc_macro::TokenStream;
use ratespec_parser::{Options, load};

use args::Args;

/// Reads vendors' rate-limit documents at compile time and expands to one module per
/// document: a typed `Endpoint` enum with `const` limit metadata, the `ratespec::Endpoints`
/// impl and a route matcher.
///
/// ```text
/// include_limits!("specs/");
/// include_limits!("specs/", include_commented = true);
/// include_limits!("specs/rongcloud-server.md", crate = ::my_sdk::ratespec);
/// ```
///
/// The generated code names the runtime crate, so call the macro as
/// `ratespec::include_limits!`, whose documentation opens with an example that compiles and
/// runs. The generated items are plain items of your crate, documented by rustdoc like your
/// own.
///
/// # Arguments
///
/// - **The path** (a string literal, required): a specs folder, or one document.
///   - A folder is read with its `limits.toml`, which must list every document in the
///     folder (an unlisted document is an error, so a new page is never silently ignored).
///     A folder without `limits.toml` reads its `.md`, `.markdown` and `.txt` files, in
///     file-name order, with the default settings.
///   - A document is read with its entry in the `limits.toml` beside it, if that lists it.
/// - **`include_commented = true`** (default `false`): also count the rows inside HTML
///   comments (unpublished rows) of every document, whatever `limits.toml` says. The
///   `include_commented` key of a `[[document]]` switches it for that document alone.
/// - **`crate = path`** (default `::ratespec`): where the runtime crate is, for a crate that
///   depends on it under another name (`limits = { package = "ratespec", … }`, then
///   `crate = ::limits`) or reaches it through a re-export (`crate = ::my_sdk::ratespec` or
///   `crate = crate::sdk::ratespec`). The path is used inside the generated modules, so it
///   must be absolute: `::name…` or `crate::…`.
///
/// Arguments are separated by commas; an unknown argument is a compile error that lists the
/// known ones.
///
/// # Where the path points
///
/// A relative path is resolved against the root of the crate that calls the macro: the
/// nearest folder holding a `Cargo.toml`, going up from the file that contains the call. For
/// code in `src/`, `tests/`, `examples/` or `benches/` that is `CARGO_MANIFEST_DIR`, so
/// `include_limits!("specs/")` reads `specs/` beside your `Cargo.toml` wherever the call is;
/// for trybuild tests, which cargo compiles from a scratch project under `target/`, it is
/// still the crate the test file lives in. When the compiler cannot name the calling file,
/// `CARGO_MANIFEST_DIR` is used. An absolute path is used as written. Files named in
/// errors and in the generated rustdoc are shown relative to the crate root.
///
/// A published crate must contain its specs folder: keep it inside the package (cargo
/// packages `specs/` beside `Cargo.toml` unless `include`/`exclude` leave it out).
///
/// # `limits.toml`
///
/// What the documents cannot say, beside them in the specs folder. The documents stay
/// exactly as published; every correction lives here. Unknown keys are errors.
///
/// ```toml
/// [[document]]
/// file = "rongcloud-server.md"   # required: the document, relative to limits.toml
/// module = "rongcloud"           # the generated module and the `provider` name
///                                # (default: the file stem in snake_case)
/// default_method = "POST"        # the method of rows that give none
/// utc_offset = "+08:00"          # where calendar days (自然日) start: "+08:00", "-05:30",
///                                # "Z"; required when a limit is per day
/// vendor = "rongcloud"           # whose refusals the document's clients read: "rongcloud"
///                                # ({"code": 1008}), "easemob" (reach_limit) or "other" (a 429)
/// include_commented = false      # count rows inside HTML comments (default false)
/// skip_lines = [12]              # lines not to read; a table's header line skips the table
/// plan = "Enterprise"            # where a table has one limit column per plan or edition:
///                                # the one to read (a word of the column's header)
///
/// [[document.shared]]            # a quota several routes draw on (共享)
/// bucket = "chatroom_entry_set"  # its name (Redis keys, logs): letters, digits, `_`, `-`
/// routes = ["/chatroom/entry/set.json", "/chatroom/entry/batch/set.json"]
///
/// [document.routes."/message/recall.json"]   # "/path" (default method) or "METHOD /path"
/// variant = "MessageRecall"      # the enum variant's name, replacing the derived one
/// limit = "100 次/每秒"          # the limit phrase, replacing what the document's rows say
/// ```
///
/// A `routes` or `shared` entry for a route the document does not have is an error (a
/// typo); one for a row inside an uncounted comment is accepted and has no effect. The
/// phrases the parser reads (`200 次/每秒`, `10 calls/second/App Key`, `2 次/每小时，3
/// 次/每自然日`, `600 人/次`, ...) and the rules for variant names are in the
/// [ratespec README](https://github.com/ratespec/ratespec#limit-phrases).
///
/// # What it generates
///
/// For each document, `pub mod <module>` holding:
///
/// - `enum Endpoint` (`#[repr(u16)]`, `Copy`, `Eq`, `Ord`, `Hash`, `Debug`): one variant per
///   (method, path template), named from the method and path alone (`UserGetToken`,
///   `GetPushLabelByLabelname`), so editing other rows never renames it. Each variant's
///   rustdoc gives its documented names, route, the limit as written and `file:line`; a row
///   marked 已废弃 is `#[deprecated]`.
/// - Constants on `Endpoint`: `ALL` (every variant, in discriminant order), `COUNT`, `META`
///   (one `ratespec::EndpointMeta` record per variant: everything the document says),
///   `BUCKETS` (the quotas; shared routes share one) and `UTC_OFFSET_SECS`.
/// - `const fn`s that read `META`, usable in `const` context: `index`, `meta`, `as_str`,
///   `method`, `path`, `params`, `names`, `section`, `limit`, `windows`, `unit`, `cost`,
///   `caps`, `sub_limits`, `adjustable`, `deprecated`, `published`, `bucket`, `source`.
/// - `Endpoint::route(method, target) -> Route<'_>`: the route matcher (`target` is a path or
///   a full URL; query and fragment are ignored), with `type Route<'a> =
///   ratespec::Route<'a, Endpoint>` and `type Match<'a> = ratespec::Match<'a, Endpoint>`.
///   The rules are documented on `ratespec::router`.
/// - `impl ratespec::Endpoints for Endpoint` (what the limiters and layers are generic
///   over), `Display` and `FromStr` (the variant name; `ParseEndpointError` otherwise).
/// - `PROVIDER: ratespec::Provider`: the document without its type (name, records, buckets,
///   UTC offset, router).
///
/// Beside the modules, the call emits `PROVIDERS: &[ratespec::Provider]`, every document in
/// `limits.toml` order (for code that handles all documents alike), so two calls go in two
/// different modules.
///
/// # Errors and warnings
///
/// Every problem in the documents or in `limits.toml` becomes a `compile_error!` on the path
/// literal, with `file:line:column`, the offending line and the fix. The modules are still
/// emitted from every row that could be read, so one bad row gives one error, not one per
/// use of the enum. A warning (a route documented twice in one table, a document without
/// any API path) becomes a rustc warning at the call (through a `#[deprecated]` item whose
/// note is the diagnostic, as stable Rust gives procedural macros no warnings of their own),
/// and the build goes on. The `ratespec` command (`ratespec check specs/`) prints the same
/// diagnostics without a build.
///
/// # Rebuilding when the documents change
///
/// Every file read (documents and `limits.toml`) is tracked, so editing one recompiles the
/// calling crate. A *new* document is picked up once it is listed in `limits.toml` (an edit
/// of a tracked file). Without a `limits.toml`, add a `build.rs` so that cargo also watches
/// the folder itself:
///
/// ```ignore
/// fn main() {
///     println!("cargo::rerun-if-changed=specs");
/// }
/// ```
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
