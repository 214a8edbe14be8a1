//! The `Endpoint` enum: one variant per endpoint, documented from the rows it came from.

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use ratespec_parser::Endpoint;

use super::stubs::Generated;

/// The enum, `#[repr(u16)]` with discriminants `0..COUNT` so that limiters index their counters
/// by it.
pub fn endpoint_enum(generated: &Generated) -> TokenStream {
    let variants = generated
        .endpoints
        .iter()
        .enumerate()
        .map(|(index, (endpoint, ident))| {
            let docs = variant_docs(generated, endpoint);
            let deprecated = endpoint.deprecated.then(|| {
                quote! { #[deprecated = "the vendor's document marks this endpoint 已废弃 (deprecated)"] }
            });
            let discriminant = Literal::usize_unsuffixed(index);
            quote! {
                #(#[doc = #docs])*
                #deprecated
                #ident = #discriminant,
            }
        });
    // A zero-variant enum cannot have a `repr`: a document whose rows are all commented out
    // (or unreadable) still gets its module.
    let repr = (!generated.endpoints.is_empty()).then(|| quote! { #[repr(u16)] });
    let doc = format!(
        "An endpoint of `{}`, with its documented limit (see the const fns on the type).",
        generated.document.file.display()
    );
    quote! {
        #[doc = #doc]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #repr
        pub enum Endpoint {
            #(#variants)*
        }
    }
}

/// The documented names, `METHOD /path`, the limit as written, the section and the source.
fn variant_docs(generated: &Generated, endpoint: &Endpoint) -> Vec<String> {
    let mut docs = Vec::new();
    if !endpoint.names.is_empty() {
        docs.push(endpoint.names.join(" / "));
        docs.push(String::new());
    }
    docs.push(format!("`{}`: {}", endpoint.route(), endpoint.limit.text));
    // Where the limit was read, when it is not the row itself.
    let from = &endpoint.limit_source;
    let origin = match from.origin {
        ratespec_core::Origin::Prose => Some("a sentence of the document"),
        ratespec_core::Origin::Heading => Some("a heading of the document"),
        ratespec_core::Origin::Default => Some("the document's default"),
        ratespec_core::Origin::Config => Some("limits.toml"),
        _ => None,
    };
    if let Some(origin) = origin {
        docs.push(String::new());
        docs.push(format!(
            "Limit from {origin}: `{}:{}`",
            from.file, from.line
        ));
    }
    if let Some(section) = &endpoint.section {
        docs.push(String::new());
        docs.push(format!("Section: {section}"));
    }
    docs.push(String::new());
    let mut source = format!("Source: `{}`", generated.source(endpoint));
    if endpoint.sources.len() > 1 {
        let more: Vec<String> = endpoint.sources[1..]
            .iter()
            .map(|at| at.line.to_string())
            .collect();
        source.push_str(&format!(", and lines {}", more.join(", ")));
    }
    docs.push(source);
    if !endpoint.published {
        docs.push(String::new());
        docs.push("Inside an HTML comment of the document (not published).".to_string());
    }
    docs
}
