//! The checked model → tokens: pure generation, no file access and no parsing.
//!
//! One concern per file: [`stubs`] decides what of a document can be generated (so errors do
//! not cascade), [`enum_`] the `Endpoint` enum, [`meta`] its const metadata and trait impls,
//! [`matcher`] the route matcher (with [`static_paths`] and [`words`]), [`module`] puts one document's items together, and
//! [`diagnostics`] and [`tracking`] the `compile_error!`s and rebuild tracking.

mod diagnostics;
mod enum_;
mod matcher;
mod meta;
mod module;
mod static_paths;
mod stubs;
mod tracking;
// `equal` and `query_start` run only in the generated code, where this file is pasted.
#[allow(dead_code)]
mod words;
#[cfg(test)]
mod words_tests;

use std::collections::HashSet;

use proc_macro2::{Span, TokenStream};
use quote::quote;
use ratespec_parser::Load;

/// Everything one `include_limits!` call expands to: an error or a warning per diagnostic
/// (spanned on `span`, the path literal), the rebuild tracking, and a module per document.
pub fn expand(load: &Load, span: Span) -> TokenStream {
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
    let modules = load
        .catalog
        .documents
        .iter()
        .filter(|document| modules_seen.insert(document.module.as_str()))
        .filter_map(stubs::Generated::new)
        .map(|generated| module::module(&generated, span));
    quote! {
        #(#errors)*
        #tracked
        #(#modules)*
    }
}
