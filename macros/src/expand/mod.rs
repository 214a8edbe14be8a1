//! The checked model → tokens: pure generation, no file access and no parsing.
//!
//! One concern per file: [`stubs`] decides what of a document can be generated (so errors do
//! not cascade), [`enum_`] the `Endpoint` enum, [`meta`] its const metadata and trait impls,
//! [`matcher`] the routing tables (walked by `ratespec::router`), [`module`] puts one
//! document's items together, and [`diagnostics`] and [`tracking`] the `compile_error!`s and
//! rebuild tracking.

mod diagnostics;
mod enum_;
mod matcher;
mod meta;
mod module;
mod stubs;
mod tracking;

use std::collections::HashSet;

use proc_macro2::{Span, TokenStream};
use quote::quote;
use ratespec_parser::Load;

/// Everything one `include_limits!` call expands to: an error or a warning per diagnostic
/// (spanned on `span`, the path literal), the rebuild tracking, and a module per document;
/// `krate` is the runtime crate's path (`::ratespec`).
pub fn expand(load: &Load, span: Span, krate: &TokenStream) -> TokenStream {
    let errors = load.diagnostics.iter().map(|diagnostic| {
        if diagnostic.is_error() {
            diagnostics::compile_error(diagnostic, span)
        } else {
            diagnostics::warning(diagnostic, span)
        }
    });
    let tracked = tracking::track(&load.files);
    // Two documents with one module name are already an error; the first keeps the name.
    let mut modules_seen = HashSet::new();
    let generated: Vec<stubs::Generated> = load
        .catalog
        .documents
        .iter()
        .filter(|document| modules_seen.insert(document.module.as_str()))
        .filter_map(stubs::Generated::new)
        .collect();
    let modules = generated
        .iter()
        .map(|generated| module::module(generated, span, krate));
    let names = generated.iter().map(|generated| &generated.module);
    let providers_doc = format!(
        "Every document of this `include_limits!` call, in `limits.toml` order, without its \
         `Endpoint` type: [`{}::Provider`].",
        path_name(krate)
    );
    quote! {
        #(#errors)*
        #tracked
        #(#modules)*
        #[doc = #providers_doc]
        pub const PROVIDERS: &[#krate::Provider] = &[#(#names::PROVIDER),*];
    }
}

/// A path as written in rustdoc links, `::ratespec` → `ratespec`.
fn path_name(krate: &TokenStream) -> String {
    krate
        .to_string()
        .replace(' ', "")
        .trim_start_matches("::")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `crate = path` reaches every item: the expansion names the runtime only through it.
    ///
    /// The document is written here (a static route, and a parameterised one with a calendar-day
    /// window), so the test needs nothing outside this crate's package.
    #[test]
    fn generated_code_names_the_runtime_through_the_crate_path() {
        let specs = std::env::temp_dir().join(format!("ratespec-macros-{}", std::process::id()));
        std::fs::create_dir_all(&specs).unwrap();
        std::fs::write(
            specs.join("limits.toml"),
            "[[document]]\nfile = \"demo.md\"\nutc_offset = \"+08:00\"\n",
        )
        .unwrap();
        std::fs::write(
            specs.join("demo.md"),
            "| 接口 | 方法 | URL | 频率 |\n| --- | --- | --- | --- |\n\
             | 注册 | POST | /user/getToken.json | 200 次/每秒 |\n\
             | 标签 | GET | /{org}/label/{name} | 10 次/秒，3 次/每自然日 |\n",
        )
        .unwrap();
        let load = ratespec_parser::load(
            std::slice::from_ref(&specs),
            &ratespec_parser::Options::default(),
        );
        std::fs::remove_dir_all(&specs).unwrap();
        assert!(load.diagnostics.is_empty(), "{:?}", load.diagnostics);
        assert_eq!(load.catalog.endpoint_count(), 2);
        let renamed = expand(&load, Span::call_site(), &quote! { ::limits }).to_string();
        assert!(renamed.contains(":: limits :: router :: Router"));
        assert!(renamed.contains(":: limits :: EndpointMeta"));
        assert!(!renamed.contains("ratespec ::"), "a path ignores `crate =`");
        let default = expand(&load, Span::call_site(), &quote! { ::ratespec }).to_string();
        assert!(default.contains(":: ratespec :: EndpointMeta"));
    }
}
