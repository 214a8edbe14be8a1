//! Windows counted per scope key under load: many threads over a few users admit exactly
//! each user's limit, and a flood of distinct hostile keys neither grows the memory past the
//! scope capacity nor keeps a legitimate new key out for longer than a window.

mod fixture;

use fixture::{BEIJING_MIDNIGHT, Ep};
use ratespec::{
    KeyedLimiter, Length, Limiter, ManualClock, Per, Refusal, Scope, UnavailableKind,
    window::MAX_LIMIT,
};
use std::collections::HashMap;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

const TASKS: usize = 64;
const USERS: usize = 8;
/// Each user's limit per minute, raised from the document's 1 so that it is reached by
/// several tasks at once.
const PER_USER: u64 = 3;

/// The per-user minute of `Ep::PerUser`, and its App Key minute raised out of the way.
fn user_minute() -> Length {
    Length::from(Per::Minute).scoped(Scope::User)
}

/// Runs `TASKS` threads, task `t` acting for user `t % USERS`, each trying 10 times at once
/// through `acquire`; returns the admissions per user.
fn hammer(acquire: impl Fn(&str) -> bool + Send + Sync + 'static) -> HashMap<String, u64> {
    let acquire = Arc::new(acquire);
    let barrier = Arc::new(Barrier::new(TASKS));
    let handles: Vec<_> = (0..TASKS)
        .map(|t| {
            let (acquire, barrier) = (acquire.clone(), barrier.clone());
            thread::spawn(move || {
                let user = format!("user{}", t % USERS);
                barrier.wait();
                let admitted = (0..10).filter(|_| acquire(&user)).count() as u64;
                (user, admitted)
            })
        })
        .collect();
    let mut per_user = HashMap::new();
    for h in handles {
        let (user, admitted) = h.join().unwrap();
        *per_user.entry(user).or_default() += admitted;
    }
    per_user
}

fn assert_exact(per_user: &HashMap<String, u64>) {
    assert_eq!(per_user.len(), USERS);
    for (user, admitted) in per_user {
        assert_eq!(*admitted, PER_USER, "{user}");
    }
}

#[test]
fn sixty_four_threads_over_eight_users_admit_exactly_each_users_limit() {
    let limiter = Limiter::<Ep, _>::with_clock(ManualClock::new(BEIJING_MIDNIGHT));
    limiter.set_limit(Ep::PerUser, Per::Minute, 1_000).unwrap();
    limiter
        .set_limit(Ep::PerUser, user_minute(), PER_USER)
        .unwrap();
    assert_eq!(limiter.limit(Ep::PerUser, Per::Minute), Some(1_000));
    assert_eq!(limiter.limit(Ep::PerUser, user_minute()), Some(PER_USER));
    let limiter = Arc::new(limiter);
    let l = limiter.clone();
    let per_user = hammer(move |user| l.try_acquire_scoped(Ep::PerUser, user, 1).is_ok());
    assert_exact(&per_user);
    assert_eq!(
        limiter.remaining(Ep::PerUser),
        1_000 - USERS as u64 * PER_USER
    );
    assert_eq!(limiter.scope_keys(), USERS);
}

#[test]
fn the_keyed_limiter_counts_each_users_window_within_its_tenant() {
    let limiter = KeyedLimiter::<String, Ep, _>::with_clock(4, ManualClock::new(BEIJING_MIDNIGHT));
    limiter.set_limit(Ep::PerUser, Per::Minute, 1_000).unwrap();
    limiter
        .set_limit(Ep::PerUser, user_minute(), PER_USER)
        .unwrap();
    let limiter = Arc::new(limiter);
    let l = limiter.clone();
    let per_user = hammer(move |user| l.try_acquire_scoped("app", Ep::PerUser, user, 1).is_ok());
    assert_exact(&per_user);
    // Another App Key's users are other users.
    assert!(
        limiter
            .try_acquire_scoped("other-app", Ep::PerUser, "user0", 1)
            .is_ok()
    );
    assert!(
        limiter
            .try_acquire_scoped("app", Ep::PerUser, "user0", 1)
            .is_err()
    );
}

#[test]
fn a_million_hostile_keys_stay_within_the_capacity_and_lock_no_one_out_past_a_window() {
    const CAPACITY: usize = 1_000;
    let clock = ManualClock::new(BEIJING_MIDNIGHT);
    let limiter = Limiter::<Ep, _>::with_clock(clock.clone()).scope_capacity(CAPACITY);
    // The worst case: the App Key's own window does not bound the keys admitted.
    limiter
        .set_limit(Ep::PerUser, Per::Minute, MAX_LIMIT)
        .unwrap();
    let mut no_room = 0;
    let mut key = String::new();
    for i in 0..1_000_000u32 {
        key.clear();
        key.push_str("hostile-");
        key.push_str(&i.to_string());
        match limiter.try_acquire_scoped(Ep::PerUser, &key, 1) {
            Ok(_) => {}
            Err(Refusal::Unavailable(u)) if u.kind() == UnavailableKind::NoRoom => {
                // Never longer than the per-user window (one minute) from now.
                let retry = u.retry_after().unwrap();
                assert!(retry <= Duration::from_secs(60), "{retry:?}");
                no_room += 1;
            }
            Err(other) => panic!("{other:?}"),
        }
        assert!(limiter.scope_keys() <= CAPACITY);
        if i % 100_000 == 99_999 {
            // Time passes during the flood: each minute's keys expire with it.
            clock.advance(Duration::from_secs(20));
        }
    }
    assert_eq!(limiter.scope_keys(), CAPACITY);
    assert!(no_room > 990_000, "{no_room}");
    // A legitimate new key now: refused for want of room at most until the held keys'
    // minute ends, then admitted.
    let legit = limiter.try_acquire_scoped(Ep::PerUser, "alice", 1);
    if let Err(refused) = legit {
        let retry = refused.retry_after().expect("no room has a retry time");
        assert!(retry <= Duration::from_secs(60));
        clock.advance(retry);
        limiter
            .try_acquire_scoped(Ep::PerUser, "alice", 1)
            .expect("admitted once the first window of the flood has ended");
    }
}
