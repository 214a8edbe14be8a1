//! The macro's input: `"specs/"`, optionally followed by `include_commented = true` and
//! `crate = path`.

use proc_macro2::TokenStream;
use proc_macro2::TokenTree;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitBool, LitStr, Token};

/// What the caller wrote.
pub struct Args {
    /// The folder or document, as written (its span carries every error).
    pub path: LitStr,
    /// Count rows inside HTML comments in every document.
    pub include_commented: bool,
    /// The path of the runtime crate in generated code: `::ratespec` unless renamed.
    pub krate: TokenStream,
}

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let path: LitStr = input.parse()?;
        let mut include_commented = false;
        let mut krate = quote! { ::ratespec };
        while input.parse::<Option<Token![,]>>()?.is_some() && !input.is_empty() {
            if input.parse::<Option<Token![crate]>>()?.is_some() {
                input.parse::<Token![=]>()?;
                krate = crate_path(input)?;
                continue;
            }
            let key: Ident = input.parse()?;
            if key != "include_commented" {
                return Err(syn::Error::new(
                    key.span(),
                    "unknown argument; the arguments are `include_commented = true` and \
                     `crate = path`",
                ));
            }
            input.parse::<Token![=]>()?;
            include_commented = input.parse::<LitBool>()?.value;
        }
        if !input.is_empty() {
            return Err(
                input.error("expected `, include_commented = true`, `, crate = path` or the end")
            );
        }
        Ok(Args {
            path,
            include_commented,
            krate,
        })
    }
}

/// The tokens of a path up to the next `,` (a crate path has no commas; syn's `Path` needs a
/// feature this crate does without).
fn crate_path(input: ParseStream) -> syn::Result<TokenStream> {
    let mut path = TokenStream::new();
    while !input.is_empty() && !input.peek(Token![,]) {
        path.extend([input.parse::<TokenTree>()?]);
    }
    if path.is_empty() {
        return Err(input.error("expected the runtime crate's path, e.g. `crate = ::ratespec`"));
    }
    Ok(path)
}
