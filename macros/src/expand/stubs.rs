//! What of a document can be generated, even when it has errors: the stub that stops one bad
//! row from cascading into an error at every use of the enum.
//!
//! Rows that could not be read are not in the model at all; what remains is filtered here so
//! that the generated code always compiles: the module needs a valid name, and each variant a
//! valid, unique identifier (the diagnostics already name the rows left out).

use proc_macro2::Ident;
use ratespec_parser::{Document, Endpoint};

/// One document's generable part.
pub struct Generated<'a> {
    /// The document.
    pub document: &'a Document,
    /// The module's identifier.
    pub module: Ident,
    /// The endpoints that become variants, in discriminant order, with their identifiers.
    pub endpoints: Vec<(&'a Endpoint, Ident)>,
}

impl<'a> Generated<'a> {
    /// The generable part of `document`, or `None` when its module name is not an identifier.
    pub fn new(document: &'a Document) -> Option<Self> {
        let module = syn::parse_str::<Ident>(&document.module).ok()?;
        let mut endpoints: Vec<(&Endpoint, Ident)> = Vec::new();
        for endpoint in &document.endpoints {
            let Ok(variant) = syn::parse_str::<Ident>(&endpoint.variant) else {
                continue;
            };
            if endpoints.iter().any(|(_, taken)| *taken == variant) {
                continue;
            }
            endpoints.push((endpoint, variant));
        }
        Some(Generated {
            document,
            module,
            endpoints,
        })
    }

    /// The document's path and the line of the endpoint's first row: `specs/a.md:12`.
    pub fn source(&self, endpoint: &Endpoint) -> String {
        format!(
            "{}:{}",
            self.document.file.display(),
            endpoint.sources[0].line
        )
    }
}
