//! Paths read a word (8 bytes) at a time, for the [router](crate::router): the hash that lays
//! out (in `const` evaluation) and looks up the static-path table, the equality check after a
//! hash match, and the searches for `/`, `?` and `#`. One function hashes for both layout and
//! lookup, so they cannot disagree.

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

/// The bytes of a path shorter than a word, as one word: overlapping loads rather than
/// a loop, so methods (`GET`, `POST`, `DELETE`) cost no mispredicted branch. Equal-length
/// inputs of up to 8 bytes are equal exactly when their words are.
#[inline(always)]
pub const fn short(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    if n >= 4 {
        half(bytes, 0) | (half(bytes, n - 4) << 32)
    } else if n > 0 {
        // Bytes 0, n / 2 and n - 1 are every byte of a text of 1 to 3 bytes.
        bytes[0] as u64 | ((bytes[n / 2] as u64) << 8) | ((bytes[n - 1] as u64) << 16)
    } else {
        0
    }
}

/// A hash of the length, the first word and the last word: a fixed cost with no loop (whose
/// varying trip count would mispredict); texts that share both words only probe a slot
/// further.
///
/// Each step is a folded multiply (foldhash's and wyhash's: both halves of the 128-bit
/// product, xored), so every bit of the input reaches the low bits that pick the slot. A
/// plain multiply does not carry high input bits down, and segments that differ only at
/// their end (`area17`, `area18`) then all probe from one slot.
#[inline(always)]
pub const fn hash(bytes: &[u8]) -> u64 {
    const fn mix(hash: u64, word: u64) -> u64 {
        let product = ((hash ^ word) as u128) * 0xf135_7aea_2e62_a9c5;
        product as u64 ^ (product >> 64) as u64
    }
    if bytes.len() < 8 {
        mix(bytes.len() as u64, short(bytes))
    } else {
        mix(
            mix(bytes.len() as u64, word(bytes, 0)),
            word(bytes, bytes.len() - 8),
        )
    }
}

/// `a == b`, a word at a time and inline: cheaper than a `memcmp` call for short paths. Up
/// to 32 bytes (most paths) the words overlap instead of looping, so the only branch is on
/// the length class.
#[inline(always)]
pub fn equal(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let differs = |at: usize| word(a, at) ^ word(b, at);
    if n < 8 {
        short(a) == short(b)
    } else if n <= 16 {
        differs(0) | differs(n - 8) == 0
    } else if n <= 32 {
        differs(0) | differs(8) | differs(n - 16) | differs(n - 8) == 0
    } else {
        let mut at = 0;
        while at + 8 < n {
            if differs(at) != 0 {
                return false;
            }
            at += 8;
        }
        differs(n - 8) == 0
    }
}

/// Flags (high bit) every byte of `word` equal to `byte`. The lowest flagged byte of
/// `(v - ONES) & !v & HIGHS` is exactly the first zero byte of `v = word ^ byte…` (only bytes
/// above a zero byte can be flagged falsely), which is all the searches below use.
#[inline(always)]
fn flags(word: u64, byte: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let v = word ^ (ONES * u64::from(byte));
    v.wrapping_sub(ONES) & !v & HIGHS
}

/// The position of the first byte whose word flags `flagged` marks (see [`flags`]), a word at
/// a time; `is` decides the bytes of a text shorter than a word.
#[inline(always)]
fn first_byte(
    bytes: &[u8],
    flagged: impl Fn(u64) -> u64,
    is: impl Fn(u8) -> bool,
) -> Option<usize> {
    let first = |word: u64| {
        let flags = flagged(word);
        (flags != 0).then(|| flags.trailing_zeros() as usize / 8)
    };
    let n = bytes.len();
    if n < 4 {
        return bytes.iter().position(|&b| is(b));
    }
    if n < 8 {
        // Two overlapping halves cover every byte; the lowest flag is a true one, and in the
        // upper half its byte is at `offset + n - 8`.
        let word = half(bytes, 0) | (half(bytes, n - 4) << 32);
        return first(word).map(|offset| if offset < 4 { offset } else { offset + n - 8 });
    }
    let mut at = 0;
    while at + 8 < bytes.len() {
        if let Some(offset) = first(word(bytes, at)) {
            return Some(at + offset);
        }
        at += 8;
    }
    // The last word overlaps bytes already found clean, so its first hit is the first one.
    let last = bytes.len() - 8;
    first(word(bytes, last)).map(|offset| last + offset)
}

/// The position of the first `?` or `#` (where a target's query or fragment starts), a word
/// at a time: the scan every target that is not a bare static path pays.
#[inline(always)]
pub fn query_start(bytes: &[u8]) -> Option<usize> {
    first_byte(
        bytes,
        |word| flags(word, b'?') | flags(word, b'#'),
        |b| b == b'?' || b == b'#',
    )
}

/// The position of the first `/`, a word at a time: where a parameter's segment ends.
#[inline(always)]
pub fn slash(bytes: &[u8]) -> Option<usize> {
    first_byte(bytes, |word| flags(word, b'/'), |b| b == b'/')
}
