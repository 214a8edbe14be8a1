//! Diagnostics → `compile_error!`s on the path literal, and warnings.

use proc_macro2::{Span, TokenStream};
use quote::quote_spanned;
use ratespec_parser::Diagnostic;

/// The diagnostic as rustc would print it: the message, `--> file:line:column`, the line with
/// the offending text underlined, and the help.
pub fn compile_error(diagnostic: &Diagnostic, span: Span) -> TokenStream {
    let shown = diagnostic.to_string();
    // rustc adds its own `error: ` in front of the message.
    let message = shown.strip_prefix("error: ").unwrap_or(&shown).trim_end();
    quote_spanned! {span=> ::core::compile_error! { #message } }
}

/// A warning that does not fail the build. Stable Rust gives proc macros no warning API, so
/// this is the use of a `#[deprecated]` item whose note is the diagnostic, spanned on the
/// path literal: rustc prints it as a warning there.
pub fn warning(diagnostic: &Diagnostic, span: Span) -> TokenStream {
    let shown = diagnostic.to_string();
    let message = shown.strip_prefix("warning: ").unwrap_or(&shown).trim_end();
    quote_spanned! {span=>
        const _: () = {
            #[deprecated(note = #message)]
            #[allow(non_camel_case_types)]
            struct ratespec_document_warning;
            let _ = ratespec_document_warning;
        };
    }
}
