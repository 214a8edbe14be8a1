//! The cost hook: how many units of its endpoint's quota a request counts.

use super::admission::{BoxError, ScopeKey, has_scoped_windows};
use crate::endpoints::Endpoints;
use crate::meta::Cost;
use crate::units::Units;
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
    /// The body is not what the endpoint takes (JSON that does not parse, a recipient list
    /// that is not a list): HTTP 400.
    Malformed {
        /// What is wrong, for the answer's body.
        reason: String,
    },
}

impl fmt::Display for WeighError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WeighError::TooLarge { limit } => {
                write!(f, "the request body is longer than {limit} bytes")
            }
            WeighError::Body(e) => write!(f, "the request body could not be read: {e}"),
            WeighError::Malformed { reason } => write!(f, "malformed request body: {reason}"),
        }
    }
}

impl std::error::Error for WeighError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WeighError::TooLarge { .. } | WeighError::Malformed { .. } => None,
            WeighError::Body(e) => Some(&**e),
        }
    }
}

/// Counts the [`Units`] of `ep`'s quota that a request takes: its size, and the counts of
/// the bases it names (recipients, groups, ...).
///
/// The request is handed over and must be handed back, so a weigher may read the body (and
/// put it back). [`PerCall`] (one unit per request) is the default; [`FormFields`] counts
/// targets in a form body, [`JsonTargets`] in a JSON body; [`weigh_fn`] wraps a closure over
/// the request's head. A weigher may also leave a [`ScopeKey`](super::ScopeKey) in the
/// request's extensions, for endpoints whose user or channel is not in the path.
pub trait Weigh<E, B>: Send + Sync + 'static {
    /// The request, given back, and its units.
    fn weigh(
        &self,
        ep: E,
        request: Request<B>,
    ) -> impl Future<Output = Result<(Request<B>, Units), WeighError>> + Send;

    /// The units from the request's head alone, when this weigher needs nothing more (no
    /// body); `None` (the default) when the request must go through [`weigh`](Weigh::weigh).
    /// When it returns units, they must be the ones `weigh` would give: the layers then
    /// decide at once, without a future of their own.
    fn weigh_head(&self, ep: E, request: &Request<B>) -> Option<Units> {
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
    ) -> impl Future<Output = Result<(Request<B>, Units), WeighError>> + Send {
        ready(Ok((request, Units::new(1))))
    }

    fn weigh_head(&self, _: E, _: &Request<B>) -> Option<Units> {
        Some(Units::new(1))
    }
}

/// Units computed from the endpoint and the request (its head, not its body): see
/// [`weigh_fn`].
#[derive(Clone, Copy, Debug)]
pub struct WeighFn<F>(F);

/// Weighs with `f(endpoint, &request)`, e.g. from a header or the query string; `f` returns
/// [`Units`] or a bare size.
///
/// ```
/// # use ratespec::tower::weigh_fn;
/// # type Endpoint = u8;
/// let by_header = weigh_fn(|_: Endpoint, request: &http::Request<()>| {
///     request
///         .headers()
///         .get("x-recipients")
///         .and_then(|v| v.to_str().ok()?.parse().ok())
///         .unwrap_or(1u64)
/// });
/// # let _ = by_header;
/// ```
pub fn weigh_fn<F>(f: F) -> WeighFn<F> {
    WeighFn(f)
}

impl<E, B, F, U> Weigh<E, B> for WeighFn<F>
where
    B: Send + 'static,
    F: Fn(E, &Request<B>) -> U + Send + Sync + 'static,
    U: Into<Units>,
{
    fn weigh(
        &self,
        ep: E,
        request: Request<B>,
    ) -> impl Future<Output = Result<(Request<B>, Units), WeighError>> + Send {
        let units = (self.0)(ep, &request).into();
        ready(Ok((request, units)))
    }

    fn weigh_head(&self, ep: E, request: &Request<B>) -> Option<Units> {
        Some((self.0)(ep, request).into())
    }
}

/// Reads a body whole, up to `max_body` bytes.
async fn read_body<B>(body: B, max_body: usize) -> Result<Bytes, WeighError>
where
    B: http_body::Body + Send,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    match Limited::new(body, max_body).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<LengthLimitError>() => Err(WeighError::TooLarge { limit: max_body }),
        Err(e) => Err(WeighError::Body(e)),
    }
}

/// The default longest body a weigher reads: 4 MiB.
const MAX_BODY: usize = 4 << 20;

/// Counts the occurrences of form fields in an `application/x-www-form-urlencoded` body
/// (and in the query string), each field the count of one [`Cost`] basis.
///
/// RongCloud counts a private message once per recipient (`按收件人数量计算条数`), and each
/// recipient is one `toUserId` field: [`FormFields::rongcloud`]. One pass over the form
/// counts every configured field; the request's size is the count of the endpoint's own
/// basis (at least 1), and every configured basis present in the form is named with its
/// count ([`Units::and`]). Endpoints whose basis has no field, and without a
/// [`scope_field`](FormFields::scope_field) to read, cost one unit and their bodies are not
/// read.
///
/// The body is read whole (up to [`max_body`](FormFields::max_body) bytes, 4 MiB by default)
/// and handed on as `B::from(bytes)`, so the body type must be buildable from [`Bytes`] (as
/// axum's `Body` and `http_body_util::Full` are).
#[derive(Clone, Debug)]
pub struct FormFields {
    fields: Vec<(Cost, &'static str)>,
    scope_field: Option<&'static str>,
    max_body: usize,
}

impl Default for FormFields {
    fn default() -> Self {
        FormFields {
            fields: Vec::new(),
            scope_field: None,
            max_body: MAX_BODY,
        }
    }
}

impl FormFields {
    /// No fields: every request costs one unit until [`count`](FormFields::count) adds some.
    pub fn new() -> Self {
        FormFields::default()
    }

    /// RongCloud's server API: `toUserId` per recipient, `toGroupId` per target group,
    /// `toChatroomId` per target chatroom; the ultragroup channel (`busChannel`) is the
    /// scope key of the per-channel windows (`单个频道限 20 条/每秒`).
    pub fn rongcloud() -> Self {
        FormFields::new()
            .count(Cost::Recipient, "toUserId")
            .count(Cost::TargetGroup, "toGroupId")
            .count(Cost::TargetChatroom, "toChatroomId")
            .scope_field("busChannel")
    }

    /// Each `field` in the form is one unit of `basis`.
    pub fn count(mut self, basis: Cost, field: &'static str) -> Self {
        self.fields.retain(|(b, _)| *b != basis);
        self.fields.push((basis, field));
        self
    }

    /// The form field whose (first) value names the user or channel of the endpoint's
    /// per-user or per-channel windows, for endpoints that have such windows and no path
    /// parameter for them ([`EndpointMeta::scope_param`](crate::EndpointMeta::scope_param)):
    /// left in the request's extensions as a [`ScopeKey`](super::ScopeKey).
    pub fn scope_field(mut self, field: &'static str) -> Self {
        self.scope_field = Some(field);
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

    /// The scope field to read for `ep`, if it has scoped windows and no path parameter.
    fn scope_field_for<E: Endpoints>(&self, ep: E) -> Option<&'static str> {
        let field = self.scope_field?;
        (has_scoped_windows(ep) && ep.scope_param().is_none()).then_some(field)
    }

    /// The units of a form, and its scope field's first value: one pass over both parts.
    fn units(
        &self,
        basis: Cost,
        parts: [&[u8]; 2],
        scope: Option<&str>,
    ) -> (Units, Option<String>) {
        let mut counts = [0u64; Cost::ALL.len()];
        let mut key = None;
        for pair in parts.iter().flat_map(|form| form.split(|&b| b == b'&')) {
            let mut halves = pair.splitn(2, |&b| b == b'=');
            let name = halves.next().unwrap_or(&[]);
            if let Some((basis, _)) = self.fields.iter().find(|(_, f)| key_is(name, f.as_bytes())) {
                counts[basis.index()] += 1;
            } else if key.is_none() && scope.is_some_and(|f| key_is(name, f.as_bytes())) {
                key = Some(decode_value(halves.next().unwrap_or(&[])));
            }
        }
        let size = self
            .field_for(basis)
            .map_or(1, |_| counts[basis.index()].max(1));
        let units = self
            .fields
            .iter()
            .filter(|(b, _)| counts[b.index()] > 0)
            .fold(Units::new(size), |units, (b, _)| {
                units.and(*b, counts[b.index()])
            });
        (units, key)
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
    ) -> impl Future<Output = Result<(Request<B>, Units), WeighError>> + Send {
        let read = self.field_for(ep.cost()).is_some() || self.scope_field_for(ep).is_some();
        let this = self.clone();
        async move {
            if !read {
                return Ok((request, Units::new(1)));
            }
            let (mut parts, body) = request.into_parts();
            let bytes = read_body(body, this.max_body).await?;
            let query = parts.uri.query().unwrap_or("").as_bytes();
            let (units, key) = this.units(ep.cost(), [&bytes, query], this.scope_field_for(ep));
            if let Some(key) = key {
                parts.extensions.insert(ScopeKey(key));
            }
            Ok((Request::from_parts(parts, B::from(bytes)), units))
        }
    }

    /// One unit for the endpoints with nothing to read (their bodies are not read).
    fn weigh_head(&self, ep: E, _: &Request<B>) -> Option<Units> {
        match self.field_for(ep.cost()).is_some() || self.scope_field_for(ep).is_some() {
            false => Some(Units::new(1)),
            true => None,
        }
    }
}

/// Counts the targets of a JSON body: the length of its `"to"` array (Easemob's messages:
/// `{"from": "admin", "to": ["u1", "u2"], "type": "txt", ...}`), or of its `"targets"` array
/// (Easemob's push: `{"targets": ["u1"], "pushMessage": {...}}`); a single string is one
/// target. The count is the request's size: Easemob's one-to-one message to 600 users is
/// 1 call, 600 messages, and 600 users against the `600 users/request` cap.
///
/// Only the bodies of endpoints that count something other than calls, or have a
/// per-request cap, are read (up to [`max_body`](JsonTargets::max_body) bytes, 4 MiB by
/// default) and handed on unchanged; other endpoints cost one unit. A body that is not a
/// JSON object, or whose `to` is neither a string nor an array, is
/// [`WeighError::Malformed`] (answered 400), never a panic; an empty body, or one without
/// either key, costs one unit.
#[derive(Clone, Debug)]
pub struct JsonTargets {
    keys: Vec<&'static str>,
    max_body: usize,
}

impl Default for JsonTargets {
    fn default() -> Self {
        JsonTargets {
            keys: vec!["to", "targets"],
            max_body: MAX_BODY,
        }
    }
}

impl JsonTargets {
    /// Easemob's bodies: `"to"`, else `"targets"`.
    pub fn easemob() -> Self {
        JsonTargets::default()
    }

    /// The keys whose array is counted, the first present one winning.
    pub fn keys(mut self, keys: &[&'static str]) -> Self {
        self.keys = keys.to_vec();
        self
    }

    /// The longest body read, in bytes; a longer one is refused with
    /// [`WeighError::TooLarge`].
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    fn reads<E: Endpoints>(ep: E) -> bool {
        ep.cost() != Cost::Call || !ep.caps().is_empty()
    }

    /// The number of targets `body` names (at least 1).
    fn count(&self, body: &[u8]) -> Result<u64, WeighError> {
        // No body names no target: one unit, as a body without the keys is.
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(1);
        }
        let malformed = |reason: String| WeighError::Malformed { reason };
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| malformed(format!("not JSON: {e}")))?;
        let serde_json::Value::Object(object) = value else {
            return Err(malformed("the body is not a JSON object".to_string()));
        };
        let Some((key, targets)) = self.keys.iter().find_map(|k| Some((*k, object.get(*k)?)))
        else {
            return Ok(1);
        };
        let n = match targets {
            serde_json::Value::Array(targets) => targets.len() as u64,
            serde_json::Value::String(_) => 1,
            _ => return Err(malformed(format!("`{key}` is neither a list nor a string"))),
        };
        Ok(n.max(1))
    }
}

impl<E, B> Weigh<E, B> for JsonTargets
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
    ) -> impl Future<Output = Result<(Request<B>, Units), WeighError>> + Send {
        let this = self.clone();
        async move {
            if !Self::reads(ep) {
                return Ok((request, Units::new(1)));
            }
            let (parts, body) = request.into_parts();
            let bytes = read_body(body, this.max_body).await?;
            let n = this.count(&bytes)?;
            Ok((Request::from_parts(parts, B::from(bytes)), Units::new(n)))
        }
    }

    fn weigh_head(&self, ep: E, _: &Request<B>) -> Option<Units> {
        (!Self::reads(ep)).then_some(Units::new(1))
    }
}

/// A form value, `%XX` and `+` decoded (invalid UTF-8 replaced), cut to
/// [`MAX_KEY_LEN`](super::MAX_KEY_LEN) bytes.
fn decode_value(value: &[u8]) -> String {
    let mut out = Vec::with_capacity(value.len().min(super::MAX_KEY_LEN * 3));
    let mut rest = value;
    while out.len() < super::MAX_KEY_LEN * 4 {
        let (byte, tail) = match rest {
            [] => break,
            [b'%', hi, lo, tail @ ..] => match (hex(*hi), hex(*lo)) {
                (Some(hi), Some(lo)) => ((hi << 4) | lo, tail),
                _ => (b'%', &rest[1..]),
            },
            [b'+', tail @ ..] => (b' ', tail),
            [b, tail @ ..] => (*b, tail),
        };
        out.push(byte);
        rest = tail;
    }
    super::admission::bounded(&String::from_utf8_lossy(&out)).to_owned()
}

/// The number of `name` keys in a form (`a=1&b=2&a=3`), keys compared after decoding
/// `%XX` escapes and `+` (so `to%55serId` is `toUserId`, as a form decoder reads it).
#[cfg(test)]
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
    use super::{FormFields, JsonTargets, WeighError, count_fields, decode_value};
    use crate::meta::Cost;
    use crate::units::Units;

    #[test]
    fn one_pass_names_every_basis_present_and_the_scope_field() {
        let form = FormFields::rongcloud();
        let body = b"fromUserId=a&toGroupId=g1&toGroupId=g2&busChannel=ch%201&toUserId=u";
        let (units, key) = form.units(Cost::TargetGroup, [body, b""], Some("busChannel"));
        assert_eq!(units.size(), 2);
        assert_eq!(units.named(Cost::TargetGroup), Some(2));
        assert_eq!(units.named(Cost::Recipient), Some(1));
        assert_eq!(units.named(Cost::TargetChatroom), None);
        assert_eq!(key.as_deref(), Some("ch 1"));
        // No target: one unit, nothing named; the query string counts too.
        let (units, key) = form.units(Cost::Recipient, [b"content=hi", b"toUserId=q"], None);
        assert_eq!(units, Units::new(1).and(Cost::Recipient, 1));
        assert_eq!(key, None);
        let (units, _) = form.units(Cost::Recipient, [b"", b""], None);
        assert_eq!(units, Units::new(1));
    }

    #[test]
    fn json_targets_count_the_list_and_refuse_what_is_not_json() {
        let json = JsonTargets::easemob();
        let body = br#"{"from":"admin","to":["u1","u2","u3"],"type":"txt","body":{"msg":"hi"}}"#;
        assert_eq!(json.count(body).unwrap(), 3);
        assert_eq!(
            json.count(br#"{"targets":["u1"],"strategy":2}"#).unwrap(),
            1
        );
        assert_eq!(json.count(br#"{"to":"u1"}"#).unwrap(), 1);
        assert_eq!(json.count(br#"{"to":[]}"#).unwrap(), 1);
        assert_eq!(json.count(br#"{"type":"txt"}"#).unwrap(), 1);
        assert_eq!(json.count(b" \n").unwrap(), 1);
        for bad in [&b"{"[..], b"[1,2]", b"null", br#"{"to":3}"#, &[0xff, 0xfe]] {
            assert!(
                matches!(json.count(bad), Err(WeighError::Malformed { .. })),
                "{bad:?}"
            );
        }
        // Nesting deeper than the parser's recursion limit is an error, not a stack overflow.
        let deep = format!(r#"{{"to":{}{}}}"#, "[".repeat(100_000), "]".repeat(100_000));
        assert!(json.count(deep.as_bytes()).is_err());
    }

    #[test]
    fn form_values_are_decoded_and_bounded() {
        assert_eq!(decode_value(b"a+b%21"), "a b!");
        assert_eq!(decode_value(b"%zz"), "%zz");
        let huge = vec![b'x'; 1 << 20];
        assert_eq!(decode_value(&huge).len(), super::super::MAX_KEY_LEN);
    }

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
