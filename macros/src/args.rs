//! The macro's input: `"specs/"`, optionally followed by `include_commented = true`.

use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitBool, LitStr, Token};

/// What the caller wrote.
pub struct Args {
    /// The folder or document, as written (its span carries every error).
    pub path: LitStr,
    /// Count rows inside HTML comments in every document.
    pub include_commented: bool,
}

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let path: LitStr = input.parse()?;
        let mut include_commented = false;
        while input.parse::<Option<Token![,]>>()?.is_some() && !input.is_empty() {
            let key: Ident = input.parse()?;
            if key != "include_commented" {
                return Err(syn::Error::new(
                    key.span(),
                    "unknown argument; the only one is `include_commented = true`",
                ));
            }
            input.parse::<Token![=]>()?;
            include_commented = input.parse::<LitBool>()?.value;
        }
        if !input.is_empty() {
            return Err(input.error("expected `, include_commented = true` or the end"));
        }
        Ok(Args {
            path,
            include_commented,
        })
    }
}
