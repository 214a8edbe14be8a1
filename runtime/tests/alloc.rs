//! Zero heap allocations per call, counted by a global allocator.
//!
//! One test per binary keeps other tests' allocations out of the count; the counter is
//! also per thread, for the test harness's own threads.

mod support;

use ratespec::{KeyedLimiter, Limiter, ManualClock, Per};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::Duration;
use support::{BEIJING_MIDNIGHT, Endpoint};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: defers every operation to `System` unchanged; it only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, passed on as is.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: as for `alloc` and `dealloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn calls_allocate_nothing() {
    let clock = ManualClock::new(BEIJING_MIDNIGHT);
    let limiter = Limiter::<Endpoint, _>::with_clock(clock.clone());
    let keyed = KeyedLimiter::<String, Endpoint, _>::with_clock(4, clock.clone());
    keyed.try_acquire("app-key-1", Endpoint::Push).unwrap();

    // Constructing allocates: the sanity check that the counter counts at all.
    let before = allocations();
    let other = Limiter::<Endpoint, _>::with_clock(clock.clone());
    assert!(allocations() > before);
    drop(other);

    let before = allocations();
    let mut admitted = 0;
    for i in 0..10_000u64 {
        for ep in [
            Endpoint::UserGetToken,
            Endpoint::Push,
            Endpoint::ChatroomEntryBatchSet,
        ] {
            // Admissions, denials (the 2/hour bucket), rollbacks and an impossible cost.
            admitted += limiter.try_acquire_n(ep, 1 + i % 3).is_ok() as u64;
            let _ = limiter.remaining(ep);
            let _ = limiter.reset_at(ep);
        }
        let _ = limiter.try_acquire_n(Endpoint::UserGetToken, 1_000);
        let _ = keyed.try_acquire("app-key-1", Endpoint::UserGetToken);
        if i % 100 == 0 {
            limiter.set_limit(Endpoint::Push, Per::Day, 3 + i).unwrap();
            clock.advance(Duration::from_millis(997));
        }
    }
    assert_eq!(
        allocations(),
        before,
        "allocations during 10,000 rounds of calls"
    );
    assert!(
        admitted > 10_000,
        "the loop admitted too little to mean much: {admitted}"
    );
}
