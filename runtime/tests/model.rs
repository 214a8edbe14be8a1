//! Property tests: the limiters against a plain reference model (a map from window to
//! count), on random sequences of acquires, clock moves and limit changes over windows of
//! one and several units, shared buckets, a weighted endpoint with a call window, requests
//! naming counts by basis, per-request caps, and per-user and per-channel windows charged
//! for calls that name a scope key (with the scope capacity rule); and the keyed limiter,
//! with keys arriving and expiring, against one model per key and the capacity rule.

mod fixture;

use fixture::{Ep, OFFSET};
use proptest::prelude::*;
use ratespec::{
    Cost, Denied, Endpoints, ExceedsLimit, KeyedLimiter, Length, Limiter, ManualClock, OverCap,
    Permit, Refusal, Scope, UnavailableKind, Units, Window,
};
use std::collections::HashMap;
use std::time::Duration;

/// The windows counted per tenant: every window but the per-user and per-channel ones.
fn enforced(b: usize) -> Vec<Window> {
    Ep::BUCKETS[b]
        .windows
        .iter()
        .filter(|w| w.scope == Scope::Tenant)
        .copied()
        .collect()
}

/// The windows counted per scope key.
fn scoped(b: usize) -> Vec<Window> {
    Ep::BUCKETS[b]
        .windows
        .iter()
        .filter(|w| w.scope != Scope::Tenant)
        .copied()
        .collect()
}

/// A request: its size, the counts it names by basis, and the scope key it names.
#[derive(Clone, Debug)]
struct Request {
    size: u64,
    named: Vec<(Cost, u64)>,
    scope: Option<u8>,
}

impl Request {
    fn units(&self) -> Units {
        self.named
            .iter()
            .fold(Units::new(self.size), |u, &(basis, n)| u.and(basis, n))
    }
}

/// (window number, end in Unix ms) of the window of `w` holding `now`, the obvious way.
fn window_of(w: &Window, now: u64) -> (u64, u64) {
    let shift = if w.per == ratespec::Per::Day {
        OFFSET as u64 * 1000
    } else {
        0
    };
    let len = u64::from(w.every) * w.per.seconds() * 1000;
    let n = (now + shift) / len;
    (n, (n + 1) * len - shift)
}

/// Units `r` charges to a window or cap counting `basis`: the count it names (the last one,
/// if named twice), else one per call of an endpoint counting something else, else its size.
fn units(basis: Cost, ep: Ep, r: &Request) -> u64 {
    if let Some(&(_, n)) = r.named.iter().rev().find(|(b, _)| *b == basis) {
        n
    } else if basis == Cost::Call && ep.cost() != Cost::Call {
        1
    } else {
        r.size
    }
}

/// What a call returns, in comparable form.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Admitted {
        remaining: u64,
        reset_at: u64,
        reset_after: Duration,
        window: Option<Window>,
    },
    Refused(Refusal),
    /// A new scope key found every place held by a key with live charges.
    NoRoom,
}

impl From<Result<Permit, Refusal>> for Outcome {
    fn from(r: Result<Permit, Refusal>) -> Self {
        match r {
            Ok(p) => Outcome::Admitted {
                remaining: p.remaining(),
                reset_at: p.reset_at_unix_ms(),
                reset_after: p.reset_after(),
                window: p.window().copied(),
            },
            Err(Refusal::Unavailable(u)) if u.kind() == UnavailableKind::NoRoom => Outcome::NoRoom,
            Err(r) => Outcome::Refused(r),
        }
    }
}

/// The reference: counts per (bucket, window index, scope key, window number), where the
/// index counts the tenant's windows and then the scoped ones and the key is `None` for
/// the tenant's; limits per window in the same order.
#[derive(Clone)]
struct Model {
    counts: HashMap<(usize, usize, Option<u8>, u64), u64>,
    max: Vec<Vec<u64>>,
    /// The scope capacity and the (bucket, key) entries held.
    scope_capacity: usize,
    held: Vec<(usize, u8)>,
}

impl Model {
    fn new() -> Self {
        Model {
            counts: HashMap::new(),
            max: (0..Ep::BUCKETS.len())
                .map(|b| {
                    let all = enforced(b).into_iter().chain(scoped(b));
                    all.map(|w| w.max).collect()
                })
                .collect(),
            scope_capacity: usize::MAX,
            held: Vec::new(),
        }
    }

    /// When the charges of `key`'s entry in bucket `b` expire, if any is held now.
    fn entry_live_until(&self, b: usize, key: u8, now: u64) -> Option<u64> {
        let own = enforced(b).len();
        scoped(b)
            .iter()
            .enumerate()
            .filter_map(|(i, w)| {
                let (id, end) = window_of(w, now);
                let count = self
                    .counts
                    .get(&(b, own + i, Some(key), id))
                    .copied()
                    .unwrap_or(0);
                (count > 0).then_some(end)
            })
            .max()
    }

    fn acquire(&mut self, ep: Ep, n: u64, now: u64) -> Outcome {
        let r = Request {
            size: n,
            named: Vec::new(),
            scope: None,
        };
        self.request(ep, &r, now)
    }

    fn request(&mut self, ep: Ep, r: &Request, now: u64) -> Outcome {
        let b = ep.bucket();
        let own = enforced(b).len();
        // The entry of a new scope key needs room: expired entries are dropped first.
        let key = r.scope.filter(|_| !scoped(b).is_empty());
        if let Some(k) = key
            && !self.held.contains(&(b, k))
            && self.held.len() >= self.scope_capacity
        {
            let held = std::mem::take(&mut self.held);
            self.held = held
                .into_iter()
                .filter(|&(hb, hk)| self.entry_live_until(hb, hk, now).is_some())
                .collect();
            if self.held.len() >= self.scope_capacity {
                return Outcome::NoRoom;
            }
        }
        for cap in ep.caps() {
            let n = units(cap.cost, ep, r);
            if n > cap.max {
                return Outcome::Refused(Refusal::OverCap(OverCap { units: n, cap }));
            }
        }
        // The tenant's windows, then the scope key's (when the request names one).
        let windows: Vec<(usize, Window, Option<u8>)> = enforced(b)
            .into_iter()
            .enumerate()
            .map(|(i, w)| (i, w, None))
            .chain(key.into_iter().flat_map(|k| {
                scoped(b)
                    .into_iter()
                    .enumerate()
                    .map(move |(i, w)| (own + i, w, Some(k)))
            }))
            .collect();
        let state: Vec<(u64, u64, u64, u64, u64)> = windows
            .iter()
            .map(|&(i, w, k)| {
                let (id, end) = window_of(&w, now);
                let count = self.counts.get(&(b, i, k, id)).copied().unwrap_or(0);
                (id, end, count, self.max[b][i], units(w.cost, ep, r))
            })
            .collect();
        let windows: Vec<Window> = windows.iter().map(|&(_, w, _)| w).collect();
        let slots: Vec<(usize, Option<u8>)> = enforced(b)
            .into_iter()
            .enumerate()
            .map(|(i, _)| (i, None))
            .chain(
                key.into_iter()
                    .flat_map(|k| (0..scoped(b).len()).map(move |i| (own + i, Some(k)))),
            )
            .collect();
        for (w, &(_, _, _, max, cost)) in windows.iter().zip(&state) {
            if cost > max {
                return Outcome::Refused(Refusal::Exceeds(ExceedsLimit {
                    cost,
                    window: w.with_max(max),
                }));
            }
        }
        // The full window that ends last decides the denial; the first one on a tie.
        let mut denied: Option<Denied> = None;
        for (w, &(_, end, count, max, cost)) in windows.iter().zip(&state) {
            if count + cost > max {
                let retry_after = Duration::from_millis(end - now);
                if denied.is_none_or(|d| d.retry_after < retry_after) {
                    denied = Some(Denied {
                        retry_after,
                        window: w.with_max(max),
                    });
                }
            }
        }
        if let Some(d) = denied {
            return Outcome::Refused(Refusal::Denied(d));
        }
        // The tightest window: fewest left, then the latest end, then the first.
        let (mut remaining, mut reset_at, mut window) = (u64::MAX, now, None);
        for ((w, &(id, end, count, max, cost)), &(i, k)) in windows.iter().zip(&state).zip(&slots) {
            self.counts.insert((b, i, k, id), count + cost);
            let left = max - count - cost;
            if left < remaining || (left == remaining && end > reset_at) {
                (remaining, reset_at, window) = (left, end, Some(w.with_max(max)));
            }
        }
        if let Some(k) = key
            && !self.held.contains(&(b, k))
        {
            self.held.push((b, k));
        }
        Outcome::Admitted {
            remaining,
            reset_at,
            reset_after: Duration::from_millis(reset_at - now),
            window,
        }
    }

    fn remaining(&self, ep: Ep, now: u64) -> u64 {
        let b = ep.bucket();
        enforced(b)
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let (id, _) = window_of(w, now);
                let count = self.counts.get(&(b, i, None, id)).copied().unwrap_or(0);
                self.max[b][i].saturating_sub(count)
            })
            .min()
            .unwrap_or(u64::MAX)
    }

    /// When the last charge held now expires, or `None` if nothing is charged now.
    fn live_until(&self, now: u64) -> Option<u64> {
        (0..Ep::BUCKETS.len())
            .flat_map(|b| {
                enforced(b)
                    .into_iter()
                    .enumerate()
                    .filter_map(move |(i, w)| {
                        let (id, end) = window_of(&w, now);
                        let count = self.counts.get(&(b, i, None, id)).copied().unwrap_or(0);
                        (count > 0).then_some(end)
                    })
            })
            .max()
    }
}

#[derive(Clone, Debug)]
enum Op {
    Acquire(Ep, u64),
    Request(Ep, Request),
    Advance(u64),
    SetLimit(Ep, usize, u64),
}

fn ep() -> impl Strategy<Value = Ep> {
    prop::sample::select(Ep::ALL)
}

/// A request of any shape: sizes near the message endpoint's cap and window limits too,
/// counts named by basis, and one of three scope keys (or none).
fn request() -> impl Strategy<Value = Request> {
    let basis = prop::sample::select(Cost::ALL.to_vec());
    (
        prop_oneof![3 => 0u64..12, 1 => 590u64..610, 1 => 0u64..30],
        prop::collection::vec((basis, prop_oneof![0u64..12, 590u64..610]), 0..3),
        prop::option::weighted(0.8, 0u8..3),
    )
        .prop_map(|(size, named, scope)| Request { size, named, scope })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (ep(), prop_oneof![4 => Just(1u64), 1 => 0u64..12]).prop_map(|(e, c)| Op::Acquire(e, c)),
        4 => (ep(), request()).prop_map(|(e, r)| Op::Request(e, r)),
        3 => prop_oneof![
            0u64..1_500,
            5_000u64..12_000,
            55_000u64..65_000,
            1_700_000u64..1_900_000,
            3_000_000u64..4_000_000,
            80_000_000u64..90_000_000,
        ]
        .prop_map(Op::Advance),
        1 => (ep(), 0usize..2, 0u64..6).prop_map(|(e, w, m)| Op::SetLimit(e, w, m)),
    ]
}

/// Start anywhere in two days, so day and 2-day boundaries are crossed at random points.
fn start() -> impl Strategy<Value = u64> {
    fixture::BEIJING_MIDNIGHT..fixture::BEIJING_MIDNIGHT + 2 * fixture::DAY
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_limiter_matches_the_reference_model(
        start in start(),
        scope_capacity in 1usize..4,
        ops in prop::collection::vec(op(), 1..120),
    ) {
        let clock = ManualClock::new(start);
        let limiter = Limiter::<Ep, _>::with_clock(clock.clone()).scope_capacity(scope_capacity);
        let mut model = Model::new();
        model.scope_capacity = scope_capacity;
        let mut now = start;
        for op in ops {
            match op {
                Op::Acquire(ep, cost) => {
                    let got = Outcome::from(limiter.try_acquire_n(ep, cost));
                    prop_assert_eq!(got, model.acquire(ep, cost, now), "{:?} cost {} at {}", ep, cost, now);
                }
                Op::Request(ep, r) => {
                    let got = match r.scope {
                        Some(k) => limiter.try_acquire_scoped(ep, &format!("user{k}"), r.units()),
                        None => limiter.try_acquire_n(ep, r.units()),
                    };
                    prop_assert_eq!(Outcome::from(got), model.request(ep, &r, now), "{:?} {:?} at {}", ep, r, now);
                }
                Op::Advance(ms) => {
                    now += ms;
                    clock.advance(Duration::from_millis(ms));
                }
                Op::SetLimit(ep, w, max) => {
                    let windows = enforced(ep.bucket());
                    let w = w % windows.len();
                    limiter.set_limit(ep, Length::of(&windows[w]), max).unwrap();
                    model.max[ep.bucket()][w] = max;
                }
            }
            for ep in Ep::ALL {
                prop_assert_eq!(limiter.remaining(*ep), model.remaining(*ep, now));
            }
        }
    }

    #[test]
    fn the_keyed_limiter_matches_one_model_per_key_and_the_capacity_rule(
        start in start(),
        capacity in 1usize..4,
        ops in prop::collection::vec((0u8..6, op()), 1..150),
    ) {
        let clock = ManualClock::new(start);
        let limiter = KeyedLimiter::<u8, Ep, _>::with_clock(capacity, clock.clone());
        let mut models: HashMap<u8, Model> = HashMap::new();
        // The keys the limiter holds, simulated: a new key finding the map full evicts the
        // keys whose charges have all expired, and is refused if none has.
        let mut held: Vec<u8> = Vec::new();
        let mut limits = Model::new().max;
        let mut now = start;
        for (key, op) in ops {
            match op {
                Op::Acquire(ep, cost) => {
                    let got = limiter.try_acquire_n(&key, ep, cost);
                    if !held.contains(&key) && held.len() >= capacity {
                        held.retain(|k| models[k].live_until(now).is_some());
                    }
                    if !held.contains(&key) && held.len() >= capacity {
                        let first = held.iter().filter_map(|k| models[k].live_until(now)).min().unwrap();
                        match &got {
                            Err(Refusal::Unavailable(u)) if u.kind() == UnavailableKind::NoRoom => {
                                // The watermark is a lower bound: never later than the first
                                // expiry, never now.
                                let retry = u.retry_after().unwrap();
                                prop_assert!(retry > Duration::ZERO && retry <= Duration::from_millis(first - now), "{:?} vs {}", retry, first - now);
                            }
                            other => prop_assert!(false, "key {} expected no room, got {:?}", key, other),
                        }
                        continue;
                    }
                    if !held.contains(&key) {
                        held.push(key);
                    }
                    let model = models.entry(key).or_insert_with(|| Model { max: limits.clone(), ..Model::new() });
                    prop_assert_eq!(Outcome::from(got), model.acquire(ep, cost, now), "key {} {:?} cost {} at {}", key, ep, cost, now);
                }
                // Requests by basis and scope are the single limiter's property above.
                Op::Request(..) => {}
                Op::Advance(ms) => {
                    now += ms;
                    clock.advance(Duration::from_millis(ms));
                }
                Op::SetLimit(ep, w, max) => {
                    let windows = enforced(ep.bucket());
                    let w = w % windows.len();
                    limiter.set_limit(ep, Length::of(&windows[w]), max).unwrap();
                    limits[ep.bucket()][w] = max;
                    for model in models.values_mut() {
                        model.max[ep.bucket()][w] = max;
                    }
                }
            }
            prop_assert_eq!(limiter.len(), held.len());
            for (key, model) in &models {
                for ep in Ep::ALL {
                    prop_assert_eq!(limiter.remaining(key, *ep), model.remaining(*ep, now));
                }
            }
        }
    }
}
