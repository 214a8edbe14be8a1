//! Diagnostics → `compile_error!`s on the path literal.

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
