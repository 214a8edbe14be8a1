//! Which fixed window a moment falls in, and when that window ends: the arithmetic lives
//! on [`Window`](crate::Window) in `ratespec-core`; these are the runtime's short names.

use crate::meta::Window;

/// The id of the window of `w` holding `now_ms`.
#[inline]
pub(crate) fn id(w: &Window, utc_offset_secs: i32, now_ms: u64) -> u64 {
    w.id(utc_offset_secs, now_ms)
}

/// The Unix time in milliseconds at which window `id` of `w` ends.
#[inline]
pub(crate) fn end_ms(w: &Window, utc_offset_secs: i32, id: u64) -> u64 {
    w.end_ms(utc_offset_secs, id)
}
