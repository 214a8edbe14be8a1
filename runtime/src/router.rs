//! The route matcher behind every generated `Endpoint::route`: one algorithm, written once
//! here, walking the tables that `include_limits!` emits for each document as `const` data.
//!
//! # Matching rules
//!
//! The examples route against the repository's documents: RongCloud's static paths
//! (`/user/getToken.json`, POST only) and Easemob's parameterised ones
//! (`/{org_name}/{app_name}/push/label/{labelname}`, with GET and DELETE).
//!
//! - **Path first, then method.** The path picks one route; if it is documented but not with
//!   `method`, the answer is [`Route::MethodNotAllowed`] with the documented methods, in
//!   document order (the `Allow` header of a 405), even when another, less specific template
//!   has that method (as axum does).
//!
//!   ```
//!   # mod docs { ratespec::include_limits!("specs/"); }
//!   # use docs::{easemob_push, rongcloud};
//!   use ratespec::Route;
//!
//!   assert_eq!(
//!       rongcloud::Endpoint::route("GET", "/user/getToken.json"),
//!       Route::MethodNotAllowed { allowed: &["POST"] }
//!   );
//!   assert_eq!(
//!       easemob_push::Endpoint::route("PUT", "/o/a/push/label/vip"),
//!       Route::MethodNotAllowed { allowed: &["GET", "DELETE"] }
//!   );
//!   ```
//!
//! - **Static beats parameter**, segment by segment from the left: `/a/b` wins over `/a/{x}`,
//!   and `/a/{x}/c` over `/{y}/b/c`. When a more specific branch fails further on, the matcher
//!   backtracks to the parameter, so any documented route that matches is found. (The
//!   fixture is `tests/fixtures/priority/routes.md`.)
//!
//!   ```
//!   # mod docs { ratespec::include_limits!("tests/fixture/priority/"); }
//!   # use docs::priority::Endpoint;
//!   let get = |path| Endpoint::route("GET", path).endpoint();
//!   assert_eq!(get("/a/b"), Some(Endpoint::Static));     // GET /a/b
//!   assert_eq!(get("/a/z"), Some(Endpoint::Param));      // GET /a/{x}
//!   assert_eq!(get("/a/b/c"), Some(Endpoint::Deeper));   // GET /a/{x}/c
//!   assert_eq!(get("/a/b/d"), Some(Endpoint::Backtrack)); // GET /{y}/b/d
//!   ```
//!
//! - **Ambiguous templates are rejected at compile time**: two routes with one method whose
//!   templates differ only in parameter names are an error of the document.
//! - **Byte-exact and case-sensitive**, for the method and the path. Nothing is
//!   percent-decoded, and a captured parameter is returned as written.
//!
//!   ```
//!   # mod docs { ratespec::include_limits!("specs/"); }
//!   # use docs::{easemob_push, rongcloud};
//!   use ratespec::Route;
//!
//!   let token = |method, target| rongcloud::Endpoint::route(method, target).endpoint();
//!   assert_eq!(token("POST", "/user/gettoken.json"), None);
//!   assert_eq!(token("POST", "/user/get%54oken.json"), None);
//!   assert_eq!(
//!       rongcloud::Endpoint::route("post", "/user/getToken.json"),
//!       Route::MethodNotAllowed { allowed: &["POST"] }
//!   );
//!   let Route::Found(found) = easemob_push::Endpoint::route("GET", "/o/a/push/label/v%20ip")
//!   else {
//!       unreachable!()
//!   };
//!   assert_eq!(found.param("labelname"), Some("v%20ip"));
//!   ```
//!
//! - **No trailing slash, no `//`, no dot segments**: an empty segment is never a static
//!   segment nor a parameter, and a parameter is one non-empty segment other than `.` and
//!   `..` (there is no wildcard). Paths are not normalised.
//!
//!   ```
//!   # mod docs { ratespec::include_limits!("specs/"); }
//!   # use docs::{easemob_push, rongcloud};
//!   let token = |target| rongcloud::Endpoint::route("POST", target).endpoint();
//!   let push = |target| easemob_push::Endpoint::route("POST", target).endpoint();
//!   assert!(token("/user/getToken.json").is_some());
//!   assert_eq!(token("/user/getToken.json/"), None);
//!   assert_eq!(token("/user//getToken.json"), None);
//!   assert_eq!(token("/x/../user/getToken.json"), None);
//!   assert!(push("/o/a/push/single").is_some());
//!   assert_eq!(push("/o/a/push/single/"), None);
//!   assert_eq!(push("/o//push/single"), None);
//!   assert_eq!(push("/o/../push/single"), None);
//!   ```
//!
//! - **Targets**: a path starting with `/`, or an absolute URL `scheme://host[:port]/path`
//!   whose scheme and authority are skipped (`https://host` alone is the path `/`). Query and
//!   fragment are ignored: everything from the first `?` or `#`. Anything else (a relative
//!   path, `*`, `host/path`) is [`Route::NotFound`]. No input panics.
//!
//!   ```
//!   # mod docs { ratespec::include_limits!("specs/"); }
//!   # use docs::{easemob_push, rongcloud::Endpoint};
//!   use ratespec::Route;
//!
//!   let token = |target| Endpoint::route("POST", target).endpoint();
//!   let found = Some(Endpoint::UserGetToken);
//!   assert_eq!(token("/user/getToken.json?appKey=k&next=/x"), found);
//!   assert_eq!(token("/user/getToken.json#top"), found);
//!   assert_eq!(token("https://api.rong-cloud.cn/user/getToken.json"), found);
//!   assert_eq!(token("http://127.0.0.1:8080/user/getToken.json?x"), found);
//!   assert_eq!(token("user/getToken.json"), None);
//!   assert_eq!(token("api.rong-cloud.cn/user/getToken.json"), None);
//!   assert_eq!(token("1http://h/user/getToken.json"), None);
//!   // A parameter ends where the query starts.
//!   let Route::Found(found) = easemob_push::Endpoint::route("GET", "/o/a/push/label/v?ip")
//!   else {
//!       unreachable!()
//!   };
//!   assert_eq!(found.param("labelname"), Some("v"));
//!   ```
//!
//! # How it works
//!
//! A [`Router`] holds two kinds of [`Table`]. The document's whole static paths sit in one,
//! a hash table laid out during `const` evaluation ([`layout`]): a lookup hashes the path
//! once (a fixed cost, see the private `words` module), usually probes one slot and compares
//! the path once. That lookup of the target as it stands is all a request for a static path
//! costs, and it is inlined into the generated `Endpoint::route`, where the table's address
//! and size are constants. Only when it fails does the router look further, out of line:
//! the target as a bare path among the templates with parameters, and only when that fails
//! too, whether the target has a query, fragment or authority to cut off before looking
//! again (what a bare-path lookup finds is right: no static segment holds `?` or `#`, and
//! no parameter is read across one). A `?` or `#` is looked for only from the length of
//! the shortest documented path on: one before it would leave a path too short to match.
//!
//! Most templates with parameters are static but for their last segment once the
//! parameters every template starts with are skipped (`/{org_name}/{app_name}/…`, the
//! [`Chain`]): `push/single`, `push/label/{labelname}`. Those are found with one or two more
//! lookups: the path below the chain whole, in a table of the templates static there, then
//! its parent (what is left before its last segment) in a table of those ending in a
//! parameter. What these lookups find is the most specific match, so the rest of the
//! templates, with a parameter
//! further up (`push/label/{labelname}/user`), are only walked when it finds nothing, and
//! only for a path long enough below the chain for one of them to match. They
//! form a segment trie of [`Node`]s: the walk takes one segment at a time, tries the node's
//! static child of that text (compared in place when the node has few children, else looked
//! up in the node's own table) and, when nothing below that child matches, the parameter
//! child. Routes are grouped by path; a group's [`Methods`] gives the endpoint per
//! documented method. The code generated per document is data only, so its compile time
//! grows with the document and nothing else.

use crate::route::{Match, Route};
use crate::words;

/// The routes of one document: what generated code builds as a `static` and
/// `Endpoint::route` walks.
#[derive(Debug)]
pub struct Router {
    /// Every path without parameters.
    pub statics: Table<Methods>,
    /// The templates with parameters whose segments below their leading parameters are all
    /// static but the last: most of them, each found with one lookup.
    pub chain: Chain,
    /// The length of the shortest path a documented route matches (a parameter matches one
    /// byte).
    pub shortest: usize,
    /// The trie of the other templates with parameters (a parameter before the last segment
    /// below the chain); the root is node 0, and there are no nodes when there are no such
    /// templates.
    pub nodes: &'static [Node],
}

/// The templates with parameters, below the parameter segments they all start with
/// (`/{org_name}/{app_name}/…`, two; none when they do not all start with one), that are
/// static there but for the last segment, which may be a parameter: those all static in a
/// table by their segments below the chain, those ending in a parameter in a table by the
/// static segments before it.
///
/// The walk tries static segments before parameters, position by position, so when one of
/// these templates matches a path, it is the walk's answer: any other template that matches
/// has a parameter where this one is static, at or before the first position where the two
/// differ. The walk is left for the other templates (none when `nodes` is empty).
#[derive(Debug)]
pub struct Chain {
    /// How many parameter segments every template with parameters starts with, and is longer
    /// than.
    pub depth: usize,
    /// The templates static below the chain, by their segments there joined with `/`.
    pub tails: Table<Methods>,
    /// The templates whose last segment is their only parameter below the chain, by the
    /// static segments before it joined with `/` (`""` when there are none).
    pub tail_params: Table<Methods>,
    /// The trie node below the chain's parameters, where the walk for the other templates
    /// starts.
    pub node: u16,
    /// The length of the shortest text below the chain that a template in the trie matches
    /// (a parameter matches one byte): a shorter one is not walked.
    pub shortest_walked: usize,
}

/// Static texts (whole paths, or one segment) and what each leads to, in a hash table.
#[derive(Debug)]
pub struct Table<T: 'static> {
    /// The texts and their values, in document order.
    pub entries: &'static [Entry<T>],
    /// The hash table over `entries`, from [`layout`]: per slot, the position + 1 of the
    /// text there, 0 when there is none. Two bytes a slot keep the table small enough to stay
    /// in the L1 cache with the request's data.
    pub slots: &'static [u16],
}

/// A static text and its value. In this field order (`repr(C)`), so that the text and the
/// first method of [`Methods`], all a hit reads, share a cache line more often than not.
#[derive(Debug)]
#[repr(C)]
pub struct Entry<T> {
    /// The text: a path, or a segment without `/`.
    pub key: &'static str,
    /// What it leads to.
    pub value: T,
}

/// The documented methods of one path, and the endpoint of each.
///
/// What a request reads is in these 24 bytes, beside an [`Entry`]'s key; the rest is behind
/// [`MethodList`], so that a table of paths takes 40 bytes an entry rather than 64 and more
/// of it stays in the L1 cache.
#[derive(Debug)]
#[repr(C)]
pub struct Methods {
    /// The first method's bytes as one word, its endpoint and its length (`u8::MAX` when it
    /// is longer than a word): most paths have one method, which a request then matches
    /// without loading `list`. First, next to an [`Entry`]'s key.
    first_word: u64,
    first: u16,
    first_len: u8,
    /// Whether the first method is the only one: a wrong method is then answered without
    /// loading `list`.
    only: bool,
    list: &'static MethodList,
}

/// The methods of one path, upper case, in document order (the `Allow` header of a 405),
/// and the endpoint (its index in the generated `Endpoint::ALL`) of each.
#[derive(Debug)]
pub struct MethodList {
    /// The methods: at least one.
    pub allowed: &'static [&'static str],
    /// The endpoint per method of `allowed`.
    pub endpoints: &'static [u16],
}

/// A node of the trie of templates with parameters: where the walk stands after as many
/// segments as the node is deep.
#[derive(Debug)]
pub struct Node {
    /// The children by static segment: the index of each child node.
    pub statics: Table<u16>,
    /// The child for a `{parameter}` segment.
    pub param: Option<u16>,
    /// The route whose template ends here.
    pub route: Option<Methods>,
}

/// Up to this many static children are compared in place, one after another: cheaper than
/// finding the segment's end and hashing it.
const IN_PLACE: usize = 8;

/// The size of the hash table for `entries` texts: a power of two at least four times
/// `entries`, so that a hit almost always finds its text at the first slot and a miss an
/// empty slot, and the table (a word per slot) stays in the L1 cache.
pub const fn slots_for(entries: usize) -> usize {
    (entries * 4).next_power_of_two()
}

/// The hash table over `entries`, computed in `const` evaluation of the generated code with
/// the hash the lookup uses: open addressing, linear probing.
///
/// `SLOTS` must be [`slots_for(entries.len())`](slots_for); anything else fails to compile.
pub const fn layout<T, const SLOTS: usize>(entries: &[Entry<T>]) -> [u16; SLOTS] {
    assert!(
        SLOTS == slots_for(entries.len()),
        "SLOTS is slots_for(entries.len())"
    );
    assert!(entries.len() < u16::MAX as usize, "too many entries");
    let mut slots = [0u16; SLOTS];
    let mut position = 0;
    while position < entries.len() {
        let hash = words::hash(entries[position].key.as_bytes());
        let mut slot = words::slot(hash, SLOTS);
        while slots[slot] != 0 {
            slot = (slot + 1) & (SLOTS - 1);
        }
        slots[slot] = position as u16 + 1;
        position += 1;
    }
    slots
}

impl Router {
    /// The route of a request among `all` (the generated `Endpoint::ALL`): `method`, upper
    /// case as documented, and `target`, a path or a full URL. See the [module](self) for
    /// the rules.
    #[inline]
    pub fn route<'a, E: Copy>(&self, all: &[E], method: &str, target: &'a str) -> Route<'a, E> {
        self.find(method, target).map_endpoint(|index| all[index])
    }

    /// [`route`](Router::route) with the endpoint's index in `Endpoint::ALL`: for code that
    /// holds the routers of several documents without their types.
    #[inline(always)]
    pub fn find<'a>(&self, method: &str, target: &'a str) -> Route<'a, usize> {
        // Most targets are a documented static path: one lookup, inline (and small, so that
        // it is inlined with the table's address and size as constants); the rest is not.
        let (methods, path) = match self.statics.get(target.as_bytes()) {
            Some(methods) => (methods, target),
            // A document without templates (its emptiness is a constant here): a bare path
            // that is not one of its static paths is nothing, without the call below.
            None if self.nodes.is_empty()
                && self.chain.tails.entries.is_empty()
                && self.chain.tail_params.entries.is_empty()
                && self.is_bare_path(target) =>
            {
                return Route::NotFound;
            }
            None => match self.not_static(target) {
                Some(found) => found,
                None => return Route::NotFound,
            },
        };
        match methods.endpoint(method) {
            Some(endpoint) => Route::Found(Match::matched(usize::from(endpoint), path)),
            None => Route::MethodNotAllowed {
                allowed: methods.list.allowed,
            },
        }
    }

    /// The methods and the path of a target that is not a documented static path as it
    /// stands: a path with parameters, or a target with a query, fragment or authority.
    #[inline(never)]
    fn not_static<'a>(&self, target: &'a str) -> Option<(&'static Methods, &'a str)> {
        // Route the target as a bare path before looking for a query or an authority (the
        // scan costs about as much as the lookup). What that finds is right: no static
        // segment holds `?` or `#`, and no parameter is read across one.
        if let Some(methods) = self.parameterised(target.as_bytes()) {
            return Some((methods, target));
        }
        if self.is_bare_path(target) {
            return None;
        }
        self.with_query_or_authority(target)
    }

    /// [`not_static`](Router::not_static) for a target that is not a bare path: out of line,
    /// so that the bare paths' code stays small.
    #[cold]
    #[inline(never)]
    fn with_query_or_authority<'a>(&self, target: &'a str) -> Option<(&'static Methods, &'a str)> {
        let path = path_of(target);
        let methods = self.statics.get(path.as_bytes());
        Some((
            methods.or_else(|| self.parameterised(path.as_bytes()))?,
            path,
        ))
    }

    /// Whether `target` is a path as it stands, or as good as one: it starts with `/` and
    /// has no query or fragment from the length of the shortest documented path on (one
    /// before would leave a path too short to match), so there is nothing to cut off before
    /// looking it up.
    #[inline(always)]
    fn is_bare_path(&self, target: &str) -> bool {
        let after_shortest = target.as_bytes().get(self.shortest..).unwrap_or_default();
        target.starts_with('/') && !words::has_query(after_shortest)
    }

    /// The methods of the most specific template with parameters that matches `path`.
    #[inline(always)]
    fn parameterised(&self, path: &[u8]) -> Option<&'static Methods> {
        let (b'/', rest) = path.split_first()? else {
            return None;
        };
        let rest = self.chain.skip(rest)?;
        if let Some(found) = self.chain.find(rest) {
            return Some(found);
        }
        if rest.len() < self.chain.shortest_walked {
            return None;
        }
        let node = self.nodes.get(usize::from(self.chain.node))?;
        walk(self.nodes, node, rest)
    }
}

impl Chain {
    /// What follows the chain's parameters in `rest` (the path after its first `/`): the
    /// rest after the `/` that ends the last of them, if `rest` starts with that many
    /// parameter values.
    #[inline(always)]
    fn skip<'r>(&self, mut rest: &'r [u8]) -> Option<&'r [u8]> {
        for _ in 0..self.depth {
            let (segment, next) = split_segment(rest)?;
            if !is_param_value(segment) {
                return None;
            }
            rest = next?;
        }
        Some(rest)
    }

    /// The template below the chain that matches `rest` (what follows the chain's
    /// parameters), if one of those in the two tables does.
    #[inline(always)]
    fn find(&self, rest: &[u8]) -> Option<&'static Methods> {
        // An empty segment right after the chain (`//`) is in no template; it would read as
        // the empty key of a template whose only segment below the chain is a parameter.
        if rest.first() == Some(&b'/') {
            return None;
        }
        if let Some(methods) = self.tails.get(rest) {
            return Some(methods);
        }
        let (statics, last) = match words::last_segment_mark(rest) {
            Some(at) if rest[at] == b'/' => (&rest[..at], &rest[at + 1..]),
            // A query or fragment in the last segment: not a bare path.
            Some(_) => return None,
            None => (&[][..], rest),
        };
        if !is_param_value(last) {
            return None;
        }
        self.tail_params.get(statics)
    }
}

impl<T> Table<T> {
    /// The value of `key`.
    #[inline(always)]
    fn get(&self, key: &[u8]) -> Option<&'static T> {
        let (entries, slots) = (self.entries, self.slots);
        // Skips hashing for a document without static paths.
        if entries.is_empty() {
            return None;
        }
        let hash = words::hash(key);
        let mask = slots.len() - 1;
        let mut slot = words::slot(hash, slots.len());
        loop {
            let entry = match slots[slot] {
                0 => return None,
                position => &entries[usize::from(position) - 1],
            };
            if words::equal(entry.key.as_bytes(), key) {
                return Some(&entry.value);
            }
            slot = (slot + 1) & mask;
        }
    }

    /// The value of the segment `rest` starts with, and what follows that segment's `/`
    /// (`None` at the path's end).
    #[inline(always)]
    fn segment<'r>(&self, rest: &'r [u8]) -> Option<(&'static T, Option<&'r [u8]>)> {
        let entries = self.entries;
        if entries.len() <= IN_PLACE {
            return entries
                .iter()
                .find_map(|entry| Some((&entry.value, strip_segment(rest, entry.key)?)));
        }
        let (segment, next) = split_segment(rest)?;
        Some((self.get(segment)?, next))
    }
}

impl Methods {
    /// The methods of `list` (at least one, as many as endpoints).
    pub const fn new(list: &'static MethodList) -> Methods {
        let (allowed, endpoints) = (list.allowed, list.endpoints);
        assert!(
            !allowed.is_empty() && allowed.len() == endpoints.len(),
            "one endpoint per method"
        );
        let first = allowed[0].as_bytes();
        Methods {
            first_word: words::short(first),
            first: endpoints[0],
            first_len: if first.len() <= 8 {
                first.len() as u8
            } else {
                u8::MAX
            },
            only: allowed.len() == 1,
            list,
        }
    }

    /// The endpoint documented with `method`, compared byte for byte.
    #[inline(always)]
    fn endpoint(&self, method: &str) -> Option<u16> {
        // `short` is exact for equal lengths of up to 8 bytes.
        if method.len() == usize::from(self.first_len)
            && words::short(method.as_bytes()) == self.first_word
        {
            return Some(self.first);
        }
        // Most paths have one method: a wrong method is then known without the call.
        if self.only {
            return None;
        }
        self.other_endpoint(method)
    }

    /// [`endpoint`](Methods::endpoint) when `method` is not the first method.
    #[inline(never)]
    fn other_endpoint(&self, method: &str) -> Option<u16> {
        let list = self.list;
        list.allowed
            .iter()
            .zip(list.endpoints)
            .find(|(documented, _)| documented.as_bytes() == method.as_bytes())
            .map(|(_, &endpoint)| endpoint)
    }
}

/// The route below `node` for the rest of the path, `rest` (what follows the `/` after the
/// node's segment): the static child first, then, if nothing below it matches, the
/// parameter child.
///
/// A loop rather than a call per segment: only a node with both a static child that
/// matches and a parameter child needs a frame to come back to (the static child is tried
/// in a call of its own); everywhere else there is one way down, taken in place.
fn walk(
    nodes: &'static [Node],
    mut node: &'static Node,
    mut rest: &[u8],
) -> Option<&'static Methods> {
    loop {
        let (child, next) = match node.statics.segment(rest) {
            Some((&child, next)) if node.param.is_none() => (child, next),
            Some((&child, next)) => match below(nodes, child, next) {
                Some(found) => return Some(found),
                None => param_step(node, rest)?,
            },
            None => param_step(node, rest)?,
        };
        node = nodes.get(usize::from(child))?;
        match next {
            Some(next) => rest = next,
            None => return node.route.as_ref(),
        }
    }
}

/// The parameter child of `node` for the segment `rest` starts with, and what follows it.
#[inline(always)]
fn param_step<'r>(node: &Node, rest: &'r [u8]) -> Option<(u16, Option<&'r [u8]>)> {
    let child = node.param?;
    let (segment, next) = split_segment(rest)?;
    is_param_value(segment).then_some((child, next))
}

/// The route at `child` when the path ends there (`next` is `None`), else below it.
fn below(nodes: &'static [Node], child: u16, next: Option<&[u8]>) -> Option<&'static Methods> {
    let child = nodes.get(usize::from(child))?;
    match next {
        Some(next) => walk(nodes, child, next),
        None => child.route.as_ref(),
    }
}

/// What follows the segment `text` at the start of `rest`: `Some(None)` when `rest` is
/// `text`, `Some(Some(next))` when it is `text/next`, `None` otherwise.
#[inline(always)]
fn strip_segment<'r>(rest: &'r [u8], text: &str) -> Option<Option<&'r [u8]>> {
    let n = text.len();
    if rest.len() < n || !words::equal(&rest[..n], text.as_bytes()) {
        return None;
    }
    match rest.get(n) {
        None => Some(None),
        Some(b'/') => Some(Some(&rest[n + 1..])),
        Some(_) => None,
    }
}

/// The first segment of `rest` and what follows its `/` (`None` at the path's end); `None`
/// when a `?` or `#` ends the segment, as the path is then not a bare path.
#[inline(always)]
fn split_segment(rest: &[u8]) -> Option<(&[u8], Option<&[u8]>)> {
    match words::segment_end(rest) {
        Some(at) if rest[at] == b'/' => Some((&rest[..at], Some(&rest[at + 1..]))),
        Some(_) => None,
        None => Some((rest, None)),
    }
}

/// A parameter is one non-empty segment, and never a dot segment (`.`, `..`), which names
/// no resource and would mean another path after normalisation.
#[inline(always)]
fn is_param_value(segment: &[u8]) -> bool {
    !matches!(segment, b"" | b"." | b"..")
}

/// The path of a request target: the target itself when it starts with `/`, the part after
/// the authority of an absolute URL (`/` when there is none), without query or fragment;
/// `""`, which matches nothing, for anything else.
fn path_of(target: &str) -> &str {
    // `?` and `#` are ASCII, so the cut is a char boundary.
    let target = match words::query_start(target.as_bytes()) {
        Some(end) => &target[..end],
        None => target,
    };
    if target.starts_with('/') {
        return target;
    }
    let Some((scheme, rest)) = target.split_once("://") else {
        return "";
    };
    let mut scheme_chars = scheme.bytes();
    let is_scheme = scheme_chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme_chars.all(|c| c.is_ascii_alphanumeric() || b"+-.".contains(&c));
    if !is_scheme {
        return "";
    }
    match rest.find('/') {
        Some(start) => &rest[start..],
        None => "/",
    }
}
