//! The route matcher as data: `Endpoint::route` hands the request to `ratespec::router::Router`,
//! the one matcher written in the runtime, over a `static ROUTER` built here.
//!
//! What is emitted per document is tables only (static paths, the templates with parameters
//! by the parent of their last segment, a segment trie of the others, the methods of each
//! path), so the compile time of the generated code
//! grows linearly with the document. The matching rules are documented, with doc tests, on
//! `ratespec::router`.

use std::collections::HashMap;

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use ratespec_parser::Endpoint;
use ratespec_parser::model::route::Segment;

use super::stubs::Generated;

/// The routes that match the same requests: one path shape, one endpoint per method.
struct PathGroup<'a> {
    /// `(endpoint, its index in ALL)`, in document order.
    members: Vec<(&'a Endpoint, usize)>,
}

impl PathGroup<'_> {
    fn is_static(&self) -> bool {
        self.members[0].0.template.params().next().is_none()
    }

    /// `Methods::new(&MethodList { allowed, endpoints })`.
    fn methods(&self, krate: &TokenStream) -> TokenStream {
        let allowed = self.members.iter().map(|(e, _)| e.method.as_str());
        let endpoints = self
            .members
            .iter()
            .map(|&(_, index)| Literal::u16_unsuffixed(index as u16));
        quote! {
            #krate::router::Methods::new(&#krate::router::MethodList {
                allowed: &[#(#allowed),*],
                endpoints: &[#(#endpoints),*],
            })
        }
    }
}

/// Groups endpoints by path shape, in document order. Two routes with one method and one
/// shape are already an error; the first is kept.
fn path_groups<'a>(generated: &'a Generated) -> Vec<PathGroup<'a>> {
    let mut groups: Vec<PathGroup> = Vec::new();
    let mut by_shape: HashMap<String, usize> = HashMap::new();
    for (index, (endpoint, _)) in generated.endpoints.iter().enumerate() {
        let next = groups.len();
        let at = *by_shape.entry(endpoint.template.shape()).or_insert(next);
        if at == next {
            groups.push(PathGroup {
                members: Vec::new(),
            });
        }
        let group = &mut groups[at];
        if group
            .members
            .iter()
            .all(|(e, _)| e.method != endpoint.method)
        {
            group.members.push((endpoint, index));
        }
    }
    groups
}

/// A node of the segment trie while it is built: children by index into the node list.
#[derive(Default)]
struct Node<'g, 'a> {
    statics: Vec<(&'a str, usize)>,
    param: Option<usize>,
    route: Option<&'g PathGroup<'a>>,
}

/// The trie of the templates with parameters that the chain does not hold, root first.
fn trie<'g, 'a>(groups: &[&'g PathGroup<'a>]) -> Vec<Node<'g, 'a>> {
    let mut nodes = vec![Node::default()];
    for &group in groups {
        let mut at = 0;
        for segment in &group.members[0].0.template.segments {
            let next = nodes.len();
            let child = match segment {
                Segment::Static(text) => match nodes[at].statics.iter().find(|(s, _)| s == text) {
                    Some(&(_, child)) => child,
                    None => {
                        nodes[at].statics.push((text, next));
                        next
                    }
                },
                Segment::Param(_) => *nodes[at].param.get_or_insert(next),
            };
            if child == next {
                nodes.push(Node::default());
            }
            at = child;
        }
        nodes[at].route = Some(group);
    }
    nodes
}

/// How many parameter segments every template with parameters starts with and is longer
/// than: the depth of the router's `Chain`.
fn chain_depth(parameterised: &[&PathGroup]) -> usize {
    parameterised
        .iter()
        .map(|group| {
            let segments = &group.members[0].0.template.segments;
            let leading = segments
                .iter()
                .take_while(|segment| matches!(segment, Segment::Param(_)))
                .count();
            // A template of parameters only keeps its last one below the chain.
            leading.min(segments.len().saturating_sub(1))
        })
        .min()
        .unwrap_or(0)
}

/// The template's last segment below the chain and the static segments before it joined
/// with `/` (its parent), when all of those are static.
fn tail<'a>(group: &PathGroup<'a>, depth: usize) -> Option<(String, &'a Segment)> {
    let (last, parent) = group.members[0].0.template.segments[depth..].split_last()?;
    let parent = parent
        .iter()
        .map(|segment| match segment {
            Segment::Static(text) => Some(text.as_str()),
            Segment::Param(_) => None,
        })
        .collect::<Option<Vec<&str>>>()?;
    Some((parent.join("/"), last))
}

/// The router's `Chain` over the templates with parameters (the `const` items its tables
/// need, and the expression), and the templates it does not hold, for the trie.
fn chain<'g, 'a>(
    krate: &TokenStream,
    parameterised: &[&'g PathGroup<'a>],
) -> (TokenStream, TokenStream, Vec<&'g PathGroup<'a>>) {
    let depth = chain_depth(parameterised);
    let mut tails = Vec::new();
    let mut tail_params = Vec::new();
    let mut others = Vec::new();
    for &group in parameterised {
        let entry = |key: String| {
            let methods = group.methods(krate);
            quote! { #krate::router::Entry { key: #key, value: #methods } }
        };
        match tail(group, depth) {
            Some((parent, Segment::Static(last))) if parent.is_empty() => {
                tails.push(entry(last.clone()))
            }
            Some((parent, Segment::Static(last))) => tails.push(entry(format!("{parent}/{last}"))),
            Some((parent, Segment::Param(_))) => tail_params.push(entry(parent)),
            None => others.push(group),
        }
    }
    let methods = quote! { #krate::router::Methods };
    let (mut items, tails) = table(krate, "TAILS", tails.into_iter(), methods.clone());
    let (params_items, tail_params) = table(krate, "TAIL_PARAMS", tail_params.into_iter(), methods);
    items.extend(params_items);
    // The walk starts below the chain: the trie's nodes 0 to `depth` are its parameters.
    let node = Literal::u16_unsuffixed(depth as u16);
    let shortest_walked = others
        .iter()
        .map(|group| shortest_text(&group.members[0].0.template.segments[depth..]))
        .min()
        .unwrap_or(0);
    let chain = quote! {
        #krate::router::Chain {
            depth: #depth,
            tails: #tails,
            tail_params: #tail_params,
            node: #node,
            shortest_walked: #shortest_walked,
        }
    };
    (items, chain, others)
}

/// The length of the shortest text that `segments` match, joined with `/` (a parameter
/// matches one byte).
fn shortest_text(segments: &[Segment]) -> usize {
    let texts: usize = segments
        .iter()
        .map(|segment| match segment {
            Segment::Static(text) => text.len(),
            Segment::Param(_) => 1,
        })
        .sum();
    texts + segments.len().saturating_sub(1)
}

/// `Some(tokens)` or `None`, as tokens.
fn option(tokens: Option<TokenStream>) -> TokenStream {
    match tokens {
        Some(tokens) => quote! { ::core::option::Option::Some(#tokens) },
        None => quote! { ::core::option::Option::None },
    }
}

/// A `Table` of `entries` (`Entry { key, value }` tokens) for the router's initialiser: the
/// `const` items that hold it, named with `name`, and the expression.
fn table(
    krate: &TokenStream,
    name: &str,
    entries: impl Iterator<Item = TokenStream>,
    value: TokenStream,
) -> (TokenStream, TokenStream) {
    let entries_name = format_ident!("{name}");
    let slots_name = format_ident!("{name}_SLOTS");
    let items = quote! {
        const #entries_name: &[#krate::router::Entry<#value>] = &[#(#entries),*];
        const #slots_name: [u16; #krate::router::slots_for(#entries_name.len())] =
            #krate::router::layout(#entries_name);
    };
    let table = quote! {
        #krate::router::Table { entries: #entries_name, slots: &#slots_name }
    };
    (items, table)
}

/// The route type aliases, `impl Endpoint { fn route }` and the module's `static ROUTER`.
pub fn matcher(generated: &Generated, krate: &TokenStream) -> TokenStream {
    let groups = path_groups(generated);
    let statics = groups.iter().filter(|g| g.is_static()).map(|group| {
        let path = group.members[0].0.path();
        let methods = group.methods(krate);
        quote! { #krate::router::Entry { key: #path, value: #methods } }
    });
    let (mut items, statics) = table(
        krate,
        "STATICS",
        statics,
        quote! { #krate::router::Methods },
    );
    let parameterised: Vec<&PathGroup> = groups.iter().filter(|g| !g.is_static()).collect();
    let (chain_items, chain, others) = chain(krate, &parameterised);
    items.extend(chain_items);
    let nodes = if others.is_empty() {
        Vec::new()
    } else {
        trie(&others)
    };
    let nodes: Vec<TokenStream> = nodes
        .iter()
        .enumerate()
        .map(|(index, node)| {
            let children = node.statics.iter().map(|&(text, child)| {
                let child = Literal::u16_unsuffixed(child as u16);
                quote! { #krate::router::Entry { key: #text, value: #child } }
            });
            let (children_items, children) =
                table(krate, &format!("NODE_{index}"), children, quote! { u16 });
            items.extend(children_items);
            let param = option(node.param.map(|child| {
                let child = Literal::u16_unsuffixed(child as u16);
                quote! { #child }
            }));
            let route = option(node.route.map(|group| group.methods(krate)));
            quote! {
                #krate::router::Node { statics: #children, param: #param, route: #route }
            }
        })
        .collect();
    // A path is `/` and the text of its segments.
    let shortest = groups
        .iter()
        .map(|group| 1 + shortest_text(&group.members[0].0.template.segments))
        .min()
        .unwrap_or(0);
    let krate_name = super::path_name(krate);
    let doc = format!(
        "The endpoint for a request: `method` (upper case, as documented) and `target`, a path \
         or a full URL. Byte-exact, static segments before parameters, no percent-decoding; \
         query and fragment are ignored. The rules, with examples: [`{krate_name}::router`]."
    );
    let route_doc = format!(
        "What [`Endpoint::route`] finds for a request: [`{krate_name}::Route`] for this module."
    );
    let match_doc =
        format!("A matched request of this module: [`{krate_name}::Match`] for this module.");
    quote! {
        #[doc = #route_doc]
        pub type Route<'a> = #krate::Route<'a, Endpoint>;

        #[doc = #match_doc]
        pub type Match<'a> = #krate::Match<'a, Endpoint>;

        impl Endpoint {
            #[doc = #doc]
            #[inline]
            pub fn route<'a>(method: &str, target: &'a str) -> Route<'a> {
                ROUTER.route(Endpoint::ALL, method, target)
            }
        }

        /// Every documented route of this module, for `ratespec::router::Router`: the
        /// static paths in a hash table laid out in `const` evaluation, the templates with
        /// parameters by the parent of their last segment, or in a segment trie.
        static ROUTER: #krate::router::Router = {
            #items
            #krate::router::Router {
                statics: #statics,
                chain: #chain,
                shortest: #shortest,
                nodes: &[#(#nodes),*],
            }
        };
    }
}
