//! Property test: the limiter against a plain reference model (a map from window to
//! count), on random sequences of acquires, clock moves and limit changes over several
//! windows and shared buckets.

use proptest::prelude::*;
use ratespec::{
    Bucket, Cost, Denied, Endpoints, ExceedsLimit, Limiter, ManualClock, Per, Refusal, Route,
    Window,
};
use std::collections::HashMap;
use std::time::Duration;

/// Small limits, so random sequences reach them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ep {
    Single,
    SharedA,
    SharedB,
    Daily,
}

const OFFSET: i32 = 8 * 3600;

impl Endpoints for Ep {
    const PROVIDER: &'static str = "model";
    const ALL: &'static [Self] = &[Ep::Single, Ep::SharedA, Ep::SharedB, Ep::Daily];
    const BUCKETS: &'static [Bucket] = &[
        Bucket::new("single", &[Window::new(3, Per::Second)]),
        Bucket::new(
            "shared",
            &[Window::new(2, Per::Second), Window::new(4, Per::Minute)],
        ),
        Bucket::new(
            "daily",
            &[Window::new(2, Per::Hour), Window::new(3, Per::Day)],
        ),
    ];
    const UTC_OFFSET_SECS: i32 = OFFSET;
    fn index(self) -> usize {
        self as usize
    }
    fn bucket(self) -> usize {
        match self {
            Ep::Single => 0,
            Ep::SharedA | Ep::SharedB => 1,
            Ep::Daily => 2,
        }
    }
    fn as_str(self) -> &'static str {
        "model"
    }
    fn method(self) -> &'static str {
        "POST"
    }
    fn path(self) -> &'static str {
        "/"
    }
    fn params(self) -> &'static [&'static str] {
        &[]
    }
    fn cost(self) -> Cost {
        Cost::Call
    }
    /// A limits-only fixture: no documented paths to route.
    fn route<'a>(_method: &str, _target: &'a str) -> Route<'a, Self> {
        Route::NotFound
    }
}

/// The reference: counts per (bucket, window index, window number), limits per window.
struct Model {
    counts: HashMap<(usize, usize, u64), u64>,
    max: Vec<Vec<u64>>,
}

/// (window number, end in Unix ms) of the window holding `now`, the obvious way.
fn window_of(per: Per, now: u64) -> (u64, u64) {
    let shift = if per == Per::Day {
        OFFSET as u64 * 1000
    } else {
        0
    };
    let len = per.seconds() * 1000;
    let n = (now + shift) / len;
    (n, (n + 1) * len - shift)
}

/// What a call returns, in comparable form.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Admitted {
        remaining: u64,
        reset_at: u64,
        reset_after: Duration,
    },
    Refused(Refusal),
}

impl Model {
    fn new() -> Self {
        Model {
            counts: HashMap::new(),
            max: Ep::BUCKETS
                .iter()
                .map(|b| b.windows.iter().map(|w| w.max).collect())
                .collect(),
        }
    }

    fn acquire(&mut self, ep: Ep, cost: u64, now: u64) -> Outcome {
        let b = ep.bucket();
        let windows: &[Window] = &Ep::BUCKETS[b].windows;
        let state: Vec<(u64, u64, u64, u64)> = windows
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let (n, end) = window_of(w.per, now);
                let count = self.counts.get(&(b, i, n)).copied().unwrap_or(0);
                (n, end, count, self.max[b][i])
            })
            .collect();
        for (w, &(_, _, _, max)) in windows.iter().zip(&state) {
            if cost > max {
                return Outcome::Refused(Refusal::Exceeds(ExceedsLimit {
                    cost,
                    window: w.with_max(max),
                }));
            }
        }
        // The full window that ends last decides the denial; the first one on a tie.
        let mut denied: Option<Denied> = None;
        for (w, &(_, end, count, max)) in windows.iter().zip(&state) {
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
        let (mut remaining, mut reset_at) = (u64::MAX, now);
        for (i, &(n, end, count, max)) in state.iter().enumerate() {
            self.counts.insert((b, i, n), count + cost);
            let left = max - count - cost;
            if left < remaining || (left == remaining && end > reset_at) {
                (remaining, reset_at) = (left, end);
            }
        }
        Outcome::Admitted {
            remaining,
            reset_at,
            reset_after: Duration::from_millis(reset_at - now),
        }
    }

    fn remaining(&self, ep: Ep, now: u64) -> u64 {
        let b = ep.bucket();
        Ep::BUCKETS[b]
            .windows
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let (n, _) = window_of(w.per, now);
                let count = self.counts.get(&(b, i, n)).copied().unwrap_or(0);
                self.max[b][i].saturating_sub(count)
            })
            .min()
            .unwrap_or(u64::MAX)
    }
}

#[derive(Clone, Debug)]
enum Op {
    Acquire(Ep, u64),
    Advance(u64),
    SetLimit(Ep, usize, u64),
}

fn ep() -> impl Strategy<Value = Ep> {
    prop_oneof![
        Just(Ep::Single),
        Just(Ep::SharedA),
        Just(Ep::SharedB),
        Just(Ep::Daily)
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (ep(), prop_oneof![4 => Just(1u64), 1 => 0u64..6]).prop_map(|(e, c)| Op::Acquire(e, c)),
        3 => prop_oneof![
            0u64..1_500,
            55_000u64..65_000,
            3_000_000u64..4_000_000,
            80_000_000u64..90_000_000,
        ]
        .prop_map(Op::Advance),
        1 => (ep(), 0usize..2, 0u64..6).prop_map(|(e, w, m)| Op::SetLimit(e, w, m)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_limiter_matches_the_reference_model(
        // Start anywhere in a day, so calendar-day boundaries are crossed at random points.
        start in 1_709_222_400_000u64..1_709_308_800_000,
        ops in prop::collection::vec(op(), 1..120),
    ) {
        let clock = ManualClock::new(start);
        let limiter = Limiter::<Ep, _>::with_clock(clock.clone());
        let mut model = Model::new();
        let mut now = start;
        for op in ops {
            match op {
                Op::Acquire(ep, cost) => {
                    let got = match limiter.try_acquire_n(ep, cost) {
                        Ok(p) => Outcome::Admitted {
                            remaining: p.remaining(),
                            reset_at: p.reset_at_unix_ms(),
                            reset_after: p.reset_after(),
                        },
                        Err(r) => Outcome::Refused(r),
                    };
                    prop_assert_eq!(got, model.acquire(ep, cost, now), "{:?} cost {} at {}", ep, cost, now);
                }
                Op::Advance(ms) => {
                    now += ms;
                    clock.advance(Duration::from_millis(ms));
                }
                Op::SetLimit(ep, w, max) => {
                    let windows: &[Window] = &Ep::BUCKETS[ep.bucket()].windows;
                    let w = w % windows.len();
                    limiter.set_limit(ep, windows[w].per, max).unwrap();
                    model.max[ep.bucket()][w] = max;
                }
            }
            for ep in Ep::ALL {
                prop_assert_eq!(limiter.remaining(*ep), model.remaining(*ep, now));
            }
        }
    }
}
