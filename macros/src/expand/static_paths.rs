//! Static paths in a hash table laid out at compile time (open addressing, linear probing,
//! at most a quarter full, one `u64` per slot): a lookup hashes the path once, compares the
//! stored part of the hash, and compares the path itself only on a match.
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
    // A quarter full: a hit almost always finds its path at the first slot, and the whole
    // table of words stays a few KiB, in the L1 cache.
    let size = (paths.len() * 4).next_power_of_two();
    // Positions + 1 fit in the low 16 bits of a table word for any real document; the
    // split moves for the absurd rest.
    let index_mask: u64 = if paths.len() < 0xffff {
        0xffff
    } else {
        0xffff_ffff
    };
    let mut table = vec![0u64; size];
    for (index, path) in paths.iter().enumerate() {
        let hash = words::hash(path.path.as_bytes());
        let mut slot = hash as usize & (size - 1);
        while table[slot] != 0 {
            slot = (slot + 1) & (size - 1);
        }
        table[slot] = (hash & !index_mask) | (index as u64 + 1);
    }
    let entries = paths.iter().map(|path| {
        let text = path.path;
        let methods = path.methods.iter().map(|(m, _)| m);
        let variants = path.methods.iter().map(|(_, v)| v);
        let allowed = path.methods.iter().map(|(m, _)| m);
        let (first_method, first) = path.methods[0];
        // Methods are short: the first is matched by its length and its bytes as one word
        // (`words::short` is exact up to 8 bytes); a longer one never takes this shortcut.
        let first_len = if first_method.len() <= 8 {
            let len = first_method.len();
            quote! { #len }
        } else {
            quote! { usize::MAX }
        };
        let first_word = words::short(first_method.as_bytes());
        quote! {
            StaticPath {
                path: #text,
                first_len: #first_len,
                first_word: #first_word,
                first: Endpoint::#first,
                endpoints: &[#((#methods, Endpoint::#variants)),*],
                allowed: &[#(#allowed),*],
            }
        }
    });
    let count = paths.len();
    quote! {
        /// A documented static path and its endpoints, one per method; the first inline.
        struct StaticPath {
            path: &'static str,
            first_len: usize,
            first_word: u64,
            first: Endpoint,
            endpoints: &'static [(&'static str, Endpoint)],
            allowed: &'static [&'static str],
        }

        /// Every static path, in document order.
        #[allow(deprecated)]
        static STATIC_PATHS: [StaticPath; #count] = [#(#entries),*];

        /// Open addressing over [`STATIC_PATHS`]: at the slot a path's hash picks (or the next
        /// free one after it), the path's position + 1 in the low bits and the upper bits of
        /// its hash; 0 is a free slot.
        static STATIC_TABLE: [u64; #size] = [#(#table),*];

        /// The endpoint when `path` is a documented static path and `method` one of its
        /// methods, `Err(allowed)` when only the method is wrong, `None` for any other path.
        #[inline(always)]
        fn static_route(
            method: &str,
            path: &str,
        ) -> ::core::option::Option<::core::result::Result<Endpoint, &'static [&'static str]>> {
            const INDEX: u64 = #index_mask;
            let hash = words::hash(path.as_bytes());
            let mut slot = hash as usize & (#size - 1);
            loop {
                let word = STATIC_TABLE[slot];
                if word == 0 {
                    return ::core::option::Option::None;
                }
                if (word ^ hash) & !INDEX == 0 {
                    let entry = &STATIC_PATHS[(word & INDEX) as usize - 1];
                    if words::equal(entry.path.as_bytes(), path.as_bytes()) {
                        if method.len() == entry.first_len
                            && words::short(method.as_bytes()) == entry.first_word
                        {
                            return ::core::option::Option::Some(::core::result::Result::Ok(entry.first));
                        }
                        for &(documented, endpoint) in entry.endpoints {
                            if words::equal(documented.as_bytes(), method.as_bytes()) {
                                return ::core::option::Option::Some(::core::result::Result::Ok(endpoint));
                            }
                        }
                        return ::core::option::Option::Some(::core::result::Result::Err(entry.allowed));
                    }
                }
                slot = (slot + 1) & (#size - 1);
            }
        }
    }
}
