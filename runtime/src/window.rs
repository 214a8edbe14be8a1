//! Which fixed window a moment falls in, and when that window ends.

use crate::meta::Per;

/// Milliseconds in one window.
#[inline]
pub(crate) const fn len_ms(per: Per) -> u64 {
    per.seconds() * 1000
}

/// The shift that aligns a window to the document's midnight: only calendar days move.
#[inline]
const fn offset_ms(per: Per, utc_offset_secs: i32) -> i64 {
    match per {
        Per::Day => utc_offset_secs as i64 * 1000,
        _ => 0,
    }
}

/// The id of the window holding `now_ms`: seconds, minutes and hours since the Unix epoch,
/// or calendar days since 1970-01-01 in the document's UTC offset.
#[inline]
pub(crate) fn id(per: Per, utc_offset_secs: i32, now_ms: u64) -> u64 {
    // `match` with literal divisors lets the compiler divide by multiplication.
    let local = local_ms(per, utc_offset_secs, now_ms);
    match per {
        Per::Second => local / 1_000,
        Per::Minute => local / 60_000,
        Per::Hour => local / 3_600_000,
        Per::Day => local / 86_400_000,
    }
}

/// The Unix time in milliseconds at which window `id` ends (and the next one starts).
#[inline]
pub(crate) fn end_ms(per: Per, utc_offset_secs: i32, id: u64) -> u64 {
    let end_local = (id + 1) * len_ms(per);
    (end_local as i64 - offset_ms(per, utc_offset_secs)).max(0) as u64
}

#[inline]
fn local_ms(per: Per, utc_offset_secs: i32, now_ms: u64) -> u64 {
    // Before the first local midnight after the epoch, count from day 0.
    (now_ms as i64 + offset_ms(per, utc_offset_secs)).max(0) as u64
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    const BEIJING: i32 = 8 * 3600;
    /// 2024-03-01T15:59:59.999Z = 2024-03-01T23:59:59.999+08:00.
    const BEFORE_BEIJING_MIDNIGHT: u64 = 1_709_308_799_999;

    #[test]
    fn seconds_minutes_and_hours_are_aligned_to_the_unix_epoch() {
        assert_eq!(id(Per::Second, BEIJING, 1_999), 1);
        assert_eq!(id(Per::Second, BEIJING, 2_000), 2);
        assert_eq!(end_ms(Per::Second, BEIJING, 1), 2_000);
        assert_eq!(id(Per::Minute, BEIJING, 59_999), 0);
        assert_eq!(id(Per::Minute, BEIJING, 60_000), 1);
        assert_eq!(id(Per::Hour, BEIJING, 3_600_000), 1);
        assert_eq!(end_ms(Per::Hour, BEIJING, 0), 3_600_000);
    }

    #[test]
    fn a_calendar_day_turns_at_the_documents_midnight_to_the_millisecond() {
        let before = id(Per::Day, BEIJING, BEFORE_BEIJING_MIDNIGHT);
        let after = id(Per::Day, BEIJING, BEFORE_BEIJING_MIDNIGHT + 1);
        assert_eq!(after, before + 1);
        assert_eq!(
            end_ms(Per::Day, BEIJING, before),
            BEFORE_BEIJING_MIDNIGHT + 1
        );
        // In UTC the same instant is mid-afternoon: no turn.
        assert_eq!(
            id(Per::Day, 0, BEFORE_BEIJING_MIDNIGHT),
            id(Per::Day, 0, BEFORE_BEIJING_MIDNIGHT + 1)
        );
    }

    #[test]
    fn negative_offsets_turn_at_their_own_midnight() {
        let new_york = -5 * 3600;
        // 1970-01-02T05:00:00Z is midnight in UTC-5.
        let midnight = 86_400_000 + 5 * 3_600_000;
        assert_eq!(
            id(Per::Day, new_york, midnight - 1) + 1,
            id(Per::Day, new_york, midnight)
        );
        assert_eq!(
            end_ms(Per::Day, new_york, id(Per::Day, new_york, midnight - 1)),
            midnight
        );
    }
}
