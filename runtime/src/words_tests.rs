//! `words` against the plain operations it replaces, at every length class.

use super::words::{equal, has_query, last_segment_mark, query_start, segment_end, short};

/// Bytes `0..n` of a path-like text.
fn text(n: usize) -> Vec<u8> {
    (0..n).map(|i| b'a' + (i % 26) as u8).collect()
}

#[test]
fn equal_is_slice_equality_at_every_length_and_position() {
    for n in 0..80 {
        let a = text(n);
        assert!(equal(&a, &a.clone()), "length {n}");
        for at in 0..n {
            let mut b = a.clone();
            b[at] = b'/';
            assert!(!equal(&a, &b), "length {n}, difference at {at}");
        }
        assert!(!equal(&a, &text(n + 1)), "lengths {n} and {}", n + 1);
    }
}

/// `find` returns the position of the first of `marks`, at every length and position, with a
/// later mark after it.
fn finds_the_first(find: fn(&[u8]) -> Option<usize>, marks: &[u8]) {
    for n in 0..40 {
        assert_eq!(find(&text(n)), None, "length {n}");
        for at in 0..n {
            for &mark in marks {
                let mut bytes = text(n);
                bytes[at] = mark;
                if at + 1 < n {
                    bytes[n - 1] = marks[0];
                }
                assert_eq!(find(&bytes), Some(at), "length {n}, {mark} at {at}");
            }
        }
    }
}

#[test]
fn query_start_finds_the_first_question_mark_or_hash() {
    finds_the_first(query_start, b"?#");
}

#[test]
fn segment_end_finds_the_first_slash_question_mark_or_hash() {
    finds_the_first(segment_end, b"/?#");
}

#[test]
fn has_query_is_whether_there_is_a_question_mark_or_hash() {
    for n in 0..80 {
        assert!(!has_query(&text(n)), "length {n}");
        for at in 0..n {
            for mark in *b"?#" {
                let mut bytes = text(n);
                bytes[at] = mark;
                assert!(has_query(&bytes), "length {n}, {mark} at {at}");
            }
        }
    }
}

#[test]
fn last_segment_mark_finds_the_last_slash_question_mark_or_hash() {
    for n in 0..80 {
        assert_eq!(last_segment_mark(&text(n)), None, "length {n}");
        for at in 0..n {
            for mark in *b"/?#" {
                let mut bytes = text(n);
                bytes[at] = mark;
                if at > 0 {
                    bytes[0] = b'/';
                }
                // A byte that flags falsely with a borrowing search: one above the mark.
                if at + 1 < n {
                    bytes[at + 1] = mark ^ 1;
                }
                assert_eq!(
                    last_segment_mark(&bytes),
                    Some(at),
                    "length {n}, {mark} at {at}"
                );
            }
        }
    }
}

#[test]
fn short_words_tell_equal_length_texts_apart_up_to_8_bytes() {
    for n in 0..=8 {
        let a = text(n);
        for at in 0..n {
            let mut b = a.clone();
            b[at] = b'/';
            assert_ne!(short(&a), short(&b), "length {n}, difference at {at}");
        }
    }
}

/// Texts that differ only in a few bytes (`area0` … `area199`, the shape of a generated
/// document, the same below the chain, and texts that differ only in length) spread over the
/// table: no run of occupied slots gets long. (Texts that differ only between their first
/// and last 8 bytes, and not in length, share a hash: static paths rarely do.)
#[test]
fn similar_texts_spread_over_the_table() {
    let sets: [Vec<String>; 4] = [
        (0..200).map(|i| format!("area{i}")).collect(),
        (0..200).map(|i| format!("area{i}/items")).collect(),
        (0..200).map(|i| format!("area{i}/items/list")).collect(),
        (0..200).map(|i| format!("/{}/x", "a".repeat(i))).collect(),
    ];
    for keys in &sets {
        let longest = longest_probe(keys, 1024);
        assert!(longest <= 8, "{}…: a key probed {longest} slots", keys[0]);
    }
}

/// Texts of every length from 8 to 47 bytes that differ in two bytes, at any position the
/// hash reads (the first or the last 8 bytes), spread over the table.
#[test]
fn texts_that_differ_where_the_hash_reads_spread_over_the_table() {
    for n in 8..48 {
        for at in (0..n - 1).filter(|&at| at + 2 <= 8 || at >= n - 8) {
            let keys: Vec<String> = (0..100)
                .map(|i| {
                    let mut text = format!("/{}", "x".repeat(n - 1));
                    text.replace_range(at..at + 2, &format!("{i:02}"));
                    text
                })
                .collect();
            let longest = longest_probe(&keys, 512);
            assert!(
                longest <= 8,
                "length {n}, at {at}: a key probed {longest} slots"
            );
        }
    }
}

/// The most slots past its own that a key of `keys` takes, laid out in that order in a table
/// of `size` slots.
fn longest_probe(keys: &[String], size: usize) -> usize {
    let mut slots = vec![false; size];
    let mut longest = 0;
    for key in keys {
        let mut slot = super::words::slot(super::words::hash(key.as_bytes()), size);
        let mut probes = 0;
        while slots[slot] {
            slot = (slot + 1) & (size - 1);
            probes += 1;
        }
        slots[slot] = true;
        longest = longest.max(probes);
    }
    longest
}
