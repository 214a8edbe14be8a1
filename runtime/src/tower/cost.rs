//! The cost hook: how many units of its endpoint's quota a request counts.

use super::admission::BoxError;
use crate::endpoints::Endpoints;
use crate::meta::Cost;
use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use std::fmt;
use std::future::{Future, ready};

/// Why a request could not be weighed. Nothing was charged.
#[derive(Debug)]
#[non_exhaustive]
pub enum WeighError {
    /// The body is longer than the weigher reads (HTTP 413).
    TooLarge {
        /// The most bytes read.
        limit: usize,
    },
    /// The body could not be read.
    Body(BoxError),
}

impl fmt::Display for WeighError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WeighError::TooLarge { limit } => {
                write!(f, "the request body is longer than {limit} bytes")
            }
            WeighError::Body(e) => write!(f, "the request body could not be read: {e}"),
        }
    }
}

impl std::error::Error for WeighError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WeighError::TooLarge { .. } => None,
            WeighError::Body(e) => Some(&**e),
        }
    }
}

/// Counts the units of `ep`'s quota that a request takes (its cost).
///
/// The request is handed over and must be handed back, so a weigher may read the body (and
/// put it back). [`PerCall`] (one unit per request) is the default; [`FormFields`] counts
/// recipients in a form body; [`weigh_fn`] wraps a closure over the request's head.
pub trait Weigh<E, B>: Send + Sync + 'static {
    /// The request, given back, and its cost.
    fn weigh(
        &self,
        ep: E,
        request: Request<B>,
    ) -> impl Future<Output = Result<(Request<B>, u64), WeighError>> + Send;

    /// The cost from the request's head alone, when this weigher needs nothing more (no
    /// body); `None` (the default) when the request must go through [`weigh`](Weigh::weigh).
    /// When it returns a cost, it must be the one `weigh` would give: the layers then decide
    /// at once, without a future of their own.
    fn weigh_head(&self, ep: E, request: &Request<B>) -> Option<u64> {
        let _ = (ep, request);
        None
    }
}

/// One unit per request: what `次` (calls) means in the documents.
#[derive(Clone, Copy, Debug, Default)]
pub struct PerCall;

impl<E, B: Send + 'static> Weigh<E, B> for PerCall {
    fn weigh(
        &self,
        _: E,
        request: Request<B>,
    ) -> impl Future<Output = Result<(Request<B>, u64), WeighError>> + Send {
        ready(Ok((request, 1)))
    }

    fn weigh_head(&self, _: E, _: &Request<B>) -> Option<u64> {
        Some(1)
    }
}

/// A cost computed from the endpoint and the request (its head, not its body): see
/// [`weigh_fn`].
#[derive(Clone, Copy, Debug)]
pub struct WeighFn<F>(F);

/// Weighs with `f(endpoint, &request)`, e.g. from a header or the query string.
///
/// ```
/// # use ratespec::tower::weigh_fn;
/// # type Endpoint = u8;
/// let by_header = weigh_fn(|_: Endpoint, request: &http::Request<()>| {
///     request
///         .headers()
///         .get("x-recipients")
///         .and_then(|v| v.to_str().ok()?.parse().ok())
///         .unwrap_or(1)
/// });
/// # let _ = by_header;
/// ```
pub fn weigh_fn<F>(f: F) -> WeighFn<F> {
    WeighFn(f)
}

impl<E, B, F> Weigh<E, B> for WeighFn<F>
where
    B: Send + 'static,
    F: Fn(E, &Request<B>) -> u64 + Send + Sync + 'static,
{
    fn weigh(
        &self,
        ep: E,
        request: Request<B>,
    ) -> impl Future<Output = Result<(Request<B>, u64), WeighError>> + Send {
        let cost = (self.0)(ep, &request);
        ready(Ok((request, cost)))
    }

    fn weigh_head(&self, ep: E, request: &Request<B>) -> Option<u64> {
        Some((self.0)(ep, request))
    }
}

/// Counts the occurrences of a form field in an `application/x-www-form-urlencoded` body
/// (and in the query string), for the endpoints whose [`Cost`] basis it is given for.
///
/// RongCloud counts a private message once per recipient (`按收件人数量计算条数`), and each
/// recipient is one `toUserId` field: [`FormFields::rongcloud`]. Endpoints of other bases
/// cost one unit and their bodies are not read. A request is charged at least one unit.
///
/// The body is read whole (up to [`max_body`](FormFields::max_body) bytes, 4 MiB by default)
/// and handed on as `B::from(bytes)`, so the body type must be buildable from [`Bytes`] (as
/// axum's `Body` and `http_body_util::Full` are).
#[derive(Clone, Debug)]
pub struct FormFields {
    fields: Vec<(Cost, &'static str)>,
    max_body: usize,
}

impl Default for FormFields {
    fn default() -> Self {
        FormFields {
            fields: Vec::new(),
            max_body: 4 << 20,
        }
    }
}

impl FormFields {
    /// No fields: every request costs one unit until [`count`](FormFields::count) adds some.
    pub fn new() -> Self {
        FormFields::default()
    }

    /// RongCloud's server API: `toUserId` per recipient, `toGroupId` per target group,
    /// `toChatroomId` per target chatroom.
    pub fn rongcloud() -> Self {
        FormFields::new()
            .count(Cost::Recipient, "toUserId")
            .count(Cost::TargetGroup, "toGroupId")
            .count(Cost::TargetChatroom, "toChatroomId")
    }

    /// Endpoints whose cost basis is `basis` cost one unit per `field` in the form.
    pub fn count(mut self, basis: Cost, field: &'static str) -> Self {
        self.fields.retain(|(b, _)| *b != basis);
        self.fields.push((basis, field));
        self
    }

    /// The longest body read, in bytes; a longer one is refused with
    /// [`WeighError::TooLarge`].
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    fn field_for(&self, basis: Cost) -> Option<&'static str> {
        self.fields
            .iter()
            .find(|(b, _)| *b == basis)
            .map(|(_, field)| *field)
    }
}

impl<E, B> Weigh<E, B> for FormFields
where
    E: Endpoints,
    B: http_body::Body + From<Bytes> + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    fn weigh(
        &self,
        ep: E,
        request: Request<B>,
    ) -> impl Future<Output = Result<(Request<B>, u64), WeighError>> + Send {
        let field = self.field_for(ep.cost());
        let max_body = self.max_body;
        async move {
            let Some(field) = field else {
                return Ok((request, 1));
            };
            let (parts, body) = request.into_parts();
            let bytes = match Limited::new(body, max_body).collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(e) if e.is::<LengthLimitError>() => {
                    return Err(WeighError::TooLarge { limit: max_body });
                }
                Err(e) => return Err(WeighError::Body(e)),
            };
            let query = parts.uri.query().unwrap_or("").as_bytes();
            let n = count_fields(&bytes, field) + count_fields(query, field);
            Ok((Request::from_parts(parts, B::from(bytes)), n.max(1)))
        }
    }

    /// One unit for the endpoints whose cost basis has no field to count (their bodies are
    /// not read).
    fn weigh_head(&self, ep: E, _: &Request<B>) -> Option<u64> {
        match self.field_for(ep.cost()) {
            None => Some(1),
            Some(_) => None,
        }
    }
}

/// The number of `name` keys in a form (`a=1&b=2&a=3`), keys compared after decoding
/// `%XX` escapes and `+` (so `to%55serId` is `toUserId`, as a form decoder reads it).
pub(crate) fn count_fields(form: &[u8], name: &str) -> u64 {
    form.split(|&b| b == b'&')
        .filter(|pair| {
            let key = pair.split(|&b| b == b'=').next().unwrap_or(&[]);
            key_is(key, name.as_bytes())
        })
        .count() as u64
}

fn key_is(mut key: &[u8], mut name: &[u8]) -> bool {
    loop {
        let (byte, rest) = match key {
            [] => return name.is_empty(),
            [b'%', hi, lo, rest @ ..] => match (hex(*hi), hex(*lo)) {
                (Some(hi), Some(lo)) => ((hi << 4) | lo, rest),
                _ => (b'%', &key[1..]),
            },
            [b'+', rest @ ..] => (b' ', rest),
            [b, rest @ ..] => (*b, rest),
        };
        match name {
            [first, tail @ ..] if *first == byte => (key, name) = (rest, tail),
            _ => return false,
        }
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::count_fields;

    #[test]
    fn form_fields_are_counted_by_decoded_key() {
        let form = b"fromUserId=a&toUserId=b&toUserId=c&objectName=RC%3ATxtMsg&to%55serId=d";
        assert_eq!(count_fields(form, "toUserId"), 3);
        assert_eq!(count_fields(form, "fromUserId"), 1);
        assert_eq!(count_fields(form, "toGroupId"), 0);
        assert_eq!(count_fields(b"", "toUserId"), 0);
        // A value that merely contains the name, a prefix, a bad escape: not the key.
        assert_eq!(count_fields(b"x=toUserId&toUserIds=1&to%5", "toUserId"), 0);
        assert_eq!(count_fields(b"toUserId&toUserId=&a+b=1", "toUserId"), 2);
        assert_eq!(count_fields(b"a+b=1&a%20b=2", "a b"), 2);
    }
}
