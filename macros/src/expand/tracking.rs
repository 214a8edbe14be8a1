//! Rebuild tracking: cargo recompiles the calling crate when a file the macro read changes.

use std::path::PathBuf;

use proc_macro2::TokenStream;
use quote::quote;

/// `const _: &[u8] = include_bytes!("…");` per file: rustc records each in the crate's
/// dep-info, which is what cargo checks for changes (proc macros have no stable way to).
pub fn track(files: &[PathBuf]) -> TokenStream {
    let files = files.iter().map(|file| file.to_string_lossy().into_owned());
    quote! {
        #(const _: &[u8] = include_bytes!(#files);)*
    }
}
