//! Paths read a word (8 bytes) or a chunk (16) at a time, for the [router](crate::router): the
//! hash that lays out (in `const` evaluation) and looks up its tables, the equality check
//! after a hash match, and the searches for the bytes that end a segment or a path (`/`, `?`,
//! `#`). One function hashes for both layout and lookup, so they cannot disagree.
//!
//! The router spends its time here, so these functions avoid what costs on short texts:
//! loops whose trip count varies with the length (a mispredicted exit per text), `memcmp`
//! calls, and bounds checks inside loops.

/// The little-endian word at `at`.
#[inline(always)]
const fn word(bytes: &[u8], at: usize) -> u64 {
    match bytes.split_at(at).1.first_chunk::<8>() {
        Some(chunk) => u64::from_le_bytes(*chunk),
        None => panic!("a word past the end"),
    }
}

/// The little-endian half word (4 bytes) at `at`.
#[inline(always)]
const fn half(bytes: &[u8], at: usize) -> u64 {
    match bytes.split_at(at).1.first_chunk::<4>() {
        Some(chunk) => u32::from_le_bytes(*chunk) as u64,
        None => panic!("a half word past the end"),
    }
}

/// A text of 4 to 8 bytes as one word: its first four bytes, then its last four (which
/// overlap them below 8 bytes; byte `offset` of the word is byte `offset + n - 8` of the text
/// from offset 4 on).
#[inline(always)]
const fn halves(bytes: &[u8]) -> u64 {
    half(bytes, 0) | (half(bytes, bytes.len() - 4) << 32)
}

/// The bytes of a text shorter than a word, as one word: overlapping loads rather than a
/// loop, so methods (`GET`, `POST`, `DELETE`) cost no mispredicted branch. Equal-length
/// inputs of up to 8 bytes are equal exactly when their words are.
#[inline(always)]
pub const fn short(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    if n >= 4 {
        halves(bytes)
    } else if n > 0 {
        // Bytes 0, n / 2 and n - 1 are every byte of a text of 1 to 3 bytes.
        bytes[0] as u64 | ((bytes[n / 2] as u64) << 8) | ((bytes[n - 1] as u64) << 16)
    } else {
        0
    }
}

/// A hash of the length, the first word and the last word: a fixed cost with no loop; texts
/// that share all three only probe a slot further. One multiply (Fibonacci hashing) carries
/// every input bit into the top bits, which pick the slot ([`slot`]); the length and the last
/// word are folded in before it, beside the first word's load, so that a lookup waits for one
/// multiply only.
#[inline(always)]
pub const fn hash(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    let (first, last) = if n < 8 {
        (short(bytes), 0)
    } else {
        (word(bytes, 0), word(bytes, n - 8))
    };
    // The last word turned by a number of bits that is no whole number of bytes: below 16
    // bytes it overlaps the first, and turned by whole bytes (by 4 at 12 bytes), a byte of
    // both words could meet itself and cancel out. The length goes in the top byte.
    (first ^ last.rotate_left(29) ^ ((n as u64) << 56)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// The slot of `hash` in a table of `slots` slots: the hash's top bits (a power of two
/// `slots` keeps `log2(slots)` of them).
#[inline(always)]
pub const fn slot(hash: u64, slots: usize) -> usize {
    ((hash as u128 * slots as u128) >> 64) as usize
}

/// The 16 bytes at `at`.
#[inline(always)]
fn chunk(bytes: &[u8], at: usize) -> [u8; 16] {
    match bytes.split_at(at).1.first_chunk::<16>() {
        Some(chunk) => *chunk,
        None => panic!("a chunk past the end"),
    }
}

/// Three chunks of 16 bytes that cover a text of 16 to 48 bytes: at 0, 16 (or the last
/// chunk, for texts up to 32 bytes) and the last chunk. Fixed offsets rather than a loop,
/// so no branch depends on the length, and the compiler turns byte-wise work on the chunks
/// into vector instructions.
#[inline(always)]
fn chunks(bytes: &[u8]) -> [[u8; 16]; 3] {
    let last = bytes.len() - 16;
    [
        chunk(bytes, 0),
        chunk(bytes, last.min(16)),
        chunk(bytes, last),
    ]
}

/// `a == b`, inline and without a loop up to 48 bytes (nearly every path): cheaper than a
/// `memcmp` call for short texts.
#[inline(always)]
pub fn equal(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        short(a) == short(b)
    } else if n < 16 {
        (word(a, 0) ^ word(b, 0)) | (word(a, n - 8) ^ word(b, n - 8)) == 0
    } else if n <= 48 {
        // Chunk by chunk: each compare is one vector compare (the arrays at once would be a
        // `memcmp` call).
        let ([a0, a1, a2], [b0, b1, b2]) = (chunks(a), chunks(b));
        (a0 == b0) & (a1 == b1) & (a2 == b2)
    } else {
        a == b
    }
}

/// Flags (high bit) the bytes of `word` equal to `byte`. The lowest flagged byte of
/// `(v - ONES) & !v & HIGHS` is exactly the first zero byte of `v = word ^ byte…`, and a word
/// has a flag exactly when it holds the byte (only bytes above a zero byte can be flagged
/// falsely), which is all the forward searches below use.
#[inline(always)]
const fn flags(word: u64, byte: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let v = word ^ (ONES * byte as u64);
    v.wrapping_sub(ONES) & !v & HIGHS
}

/// Flags the `/`, `?` and `#` of `word`, as [`flags`] does. `/` (0x2f) and `?` (0x3f) differ
/// in one bit: setting it in every byte finds both with one search.
#[inline(always)]
const fn segment_ends(word: u64) -> u64 {
    flags(word | 0x1010_1010_1010_1010, b'?') | flags(word, b'#')
}

/// Flags the `?` and `#` of `word`, as [`flags`] does.
#[inline(always)]
const fn query_marks(word: u64) -> u64 {
    flags(word, b'?') | flags(word, b'#')
}

/// The byte of the lowest flag in `flags` (from [`flags`]), if any.
#[inline(always)]
fn first_flagged(flags: u64) -> Option<usize> {
    (flags != 0).then(|| flags.trailing_zeros() as usize / 8)
}

/// The position of the first byte of `bytes` that `marks` flags, a word at a time.
#[inline(always)]
fn first_marked(bytes: &[u8], marks: impl Fn(u64) -> u64) -> Option<usize> {
    let first = |word: u64| first_flagged(marks(word));
    let n = bytes.len();
    if n < 4 {
        // A zero byte is no mark, so each byte can be searched as a word of its own.
        return bytes.iter().position(|&b| marks(u64::from(b)) != 0);
    }
    if n < 8 {
        return first(halves(bytes)).map(|offset| if offset < 4 { offset } else { offset + n - 8 });
    }
    // Most segments end within two words: those before the loop.
    if let Some(offset) = first(word(bytes, 0)) {
        return Some(offset);
    }
    if n < 16 {
        // The last word overlaps bytes already found clean, so its first flag is the first
        // mark.
        return first(word(bytes, n - 8)).map(|offset| n - 8 + offset);
    }
    if let Some(offset) = first(word(bytes, 8)) {
        return Some(8 + offset);
    }
    if n == 16 {
        return None;
    }
    first_marked_after_16(bytes, marks)
}

/// [`first_marked`] beyond the first 16 bytes, which hold the end of most segments: out of
/// line, so that the loop's registers and stack are not set up in the router's functions on
/// every call.
#[cold]
#[inline(never)]
fn first_marked_after_16(bytes: &[u8], marks: impl Fn(u64) -> u64) -> Option<usize> {
    let first = |word: u64| first_flagged(marks(word));
    let n = bytes.len();
    let mut words = bytes.chunks_exact(8);
    for (index, chunk) in words.by_ref().enumerate().skip(2) {
        if let Some(offset) = first(u64::from_le_bytes(chunk.try_into().unwrap())) {
            return Some(index * 8 + offset);
        }
    }
    if words.remainder().is_empty() {
        return None;
    }
    // The last word overlaps bytes already found clean, so its first flag is the first mark.
    first(word(bytes, n - 8)).map(|offset| n - 8 + offset)
}

/// The position of the first `/`, `?` or `#`: where a segment ends, and whether the path
/// ends there too.
#[inline(always)]
pub fn segment_end(bytes: &[u8]) -> Option<usize> {
    first_marked(bytes, segment_ends)
}

/// The position of the first `?` or `#`, where a target's query or fragment starts.
#[inline(always)]
pub fn query_start(bytes: &[u8]) -> Option<usize> {
    first_marked(bytes, query_marks)
}

/// Whether `bytes` hold a `?` or `#`: what every target pays that is not a documented bare
/// path. No loop up to 48 bytes. Not inlined: compiled on its own, the chunks' byte-wise
/// work becomes vector instructions, and inlined into the router it did not.
#[inline(never)]
pub fn has_query(bytes: &[u8]) -> bool {
    let n = bytes.len();
    if n < 4 {
        bytes.iter().any(|&b| b == b'?' || b == b'#')
    } else if n < 8 {
        query_marks(halves(bytes)) != 0
    } else if n < 16 {
        query_marks(word(bytes, 0)) | query_marks(word(bytes, n - 8)) != 0
    } else if n <= 48 {
        // A byte is a mark exactly when it is zero xor-ed with `?` or with `#`: the smallest
        // of those six values per byte position (byte-wise minimums, as vector instructions
        // do them), then the smallest of the 16 positions, is zero exactly when a byte is.
        let [c0, c1, c2] = chunks(bytes);
        let mut least = [0u8; 16];
        for (at, least) in least.iter_mut().enumerate() {
            let marks = |chunk: [u8; 16]| (chunk[at] ^ b'?').min(chunk[at] ^ b'#');
            *least = marks(c0).min(marks(c1)).min(marks(c2));
        }
        least.iter().fold(u8::MAX, |a, &b| a.min(b)) == 0
    } else {
        has_query_long(bytes)
    }
}

/// [`has_query`] above 48 bytes: out of line, so that the loop's registers are not saved on
/// every call.
#[cold]
#[inline(never)]
fn has_query_long(bytes: &[u8]) -> bool {
    query_start(bytes).is_some()
}

/// The position of the last `/`, `?` or `#`, a word at a time from the end: where the last
/// segment starts, unless a query or fragment does.
#[inline(always)]
pub fn last_segment_mark(bytes: &[u8]) -> Option<usize> {
    // Exact flags, each byte on its own (no borrow runs between bytes), as a search from the
    // end needs: the high bit of every byte that is zero in `v`.
    const LOWS: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let zeros = |v: u64| !(((v & LOWS) + LOWS) | v | LOWS);
    let marks = |word: u64| {
        zeros((word | 0x1010_1010_1010_1010) ^ (0x0101_0101_0101_0101 * u64::from(b'?')))
            | zeros(word ^ (0x0101_0101_0101_0101 * u64::from(b'#')))
    };
    let last = |flags: u64| (flags != 0).then(|| 7 - flags.leading_zeros() as usize / 8);
    let n = bytes.len();
    if n < 4 {
        return bytes.iter().rposition(|&b| marks(u64::from(b)) != 0);
    }
    if n < 8 {
        // The upper half's last flag is the last mark; without one the lower half's is.
        return last(marks(halves(bytes)))
            .map(|offset| if offset < 4 { offset } else { offset + n - 8 });
    }
    let mut at = n - 8;
    loop {
        if let Some(offset) = last(marks(word(bytes, at))) {
            return Some(at + offset);
        }
        if at == 0 {
            return None;
        }
        // The first word overlaps bytes already found clean, so its last flag is the last mark.
        at = at.saturating_sub(8);
    }
}
