//! Static paths in a hash table laid out at compile time (open addressing, linear probing,
//! at most half full): a lookup hashes the path once, compares stored hashes, and compares
//! the path itself only on a hash match.
//!
//! A `match` over ~200 string literals compares them one after another, and a decision tree
//! over lengths and bytes mispredicts a jump at every level; this costs one hash, usually one
//! probe and one `memcmp`.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::words;

/// One static path: its text, the endpoint per documented method, in document order.
pub struct StaticPath<'a> {
    /// The path.
    pub path: &'a str,
    /// `(method, variant)` pairs.
    pub methods: Vec<(&'a str, &'a Ident)>,
}

/// `fn static_route` and its table (the generated module holds `mod words`).
pub fn static_route(paths: &[StaticPath]) -> TokenStream {
    let size = (paths.len() * 2).next_power_of_two();
    let mut slots: Vec<Option<(u64, &StaticPath)>> = (0..size).map(|_| None).collect();
    for path in paths {
        let hash = words::hash(path.path.as_bytes());
        let mut slot = hash as usize & (size - 1);
        while slots[slot].is_some() {
            slot = (slot + 1) & (size - 1);
        }
        slots[slot] = Some((hash, path));
    }
    let slots = slots.iter().map(|slot| match slot {
        Some((hash, path)) => {
            let text = path.path;
            let methods = path.methods.iter().map(|(m, _)| m);
            let variants = path.methods.iter().map(|(_, v)| v);
            let allowed = path.methods.iter().map(|(m, _)| m);
            quote! {
                StaticSlot {
                    hash: #hash,
                    path: #text,
                    endpoints: &[#((#methods, Endpoint::#variants)),*],
                    allowed: &[#(#allowed),*],
                }
            }
        }
        None => quote! { StaticSlot { hash: 0, path: "", endpoints: &[], allowed: &[] } },
    });
    quote! {
        /// A slot of [`STATIC_PATHS`]; empty when `allowed` is.
        struct StaticSlot {
            hash: u64,
            path: &'static str,
            endpoints: &'static [(&'static str, Endpoint)],
            allowed: &'static [&'static str],
        }

        /// Every static path, at the slot its hash picks or the next free one after it.
        #[allow(deprecated)]
        static STATIC_PATHS: [StaticSlot; #size] = [#(#slots),*];

        /// The endpoint when `path` is a documented static path and `method` one of its
        /// methods, `Err(allowed)` when only the method is wrong, `None` for any other path.
        #[inline(always)]
        fn static_route(
            method: &str,
            path: &str,
        ) -> ::core::option::Option<::core::result::Result<Endpoint, &'static [&'static str]>> {
            let hash = words::hash(path.as_bytes());
            let mut slot = hash as usize & (#size - 1);
            loop {
                let entry = &STATIC_PATHS[slot];
                if entry.allowed.is_empty() {
                    return ::core::option::Option::None;
                }
                if entry.hash == hash && words::equal(entry.path.as_bytes(), path.as_bytes()) {
                    for &(documented, endpoint) in entry.endpoints {
                        if words::equal(documented.as_bytes(), method.as_bytes()) {
                            return ::core::option::Option::Some(::core::result::Result::Ok(endpoint));
                        }
                    }
                    return ::core::option::Option::Some(::core::result::Result::Err(entry.allowed));
                }
                slot = (slot + 1) & (#size - 1);
            }
        }
    }
}
