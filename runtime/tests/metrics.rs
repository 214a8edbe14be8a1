//! Feature `metrics`: the layers' counters (admitted, denied, shadow denials, near the
//! limit, the vendor's refusals) and the limiters' effective-limit gauge, read back from a
//! `metrics` recorder.

mod fixture;

use bytes::Bytes;
use fixture::{BEIJING_MIDNIGHT, Ep};
use http::{Request, Response, StatusCode};
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use metrics_util::{CompositeKey, MetricKind};
use ratespec::tower::{ServerLayer, Stats};
use ratespec::{Limiter, ManualClock, Per};
use std::collections::HashMap;
use std::convert::Infallible;
use std::future::{Ready, ready};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use tower::{Layer, Service};

#[derive(Clone)]
struct Ok200;

impl Service<Request<()>> for Ok200 {
    type Response = Response<Bytes>;
    type Error = Infallible;
    type Future = Ready<Result<Response<Bytes>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<()>) -> Self::Future {
        ready(Ok(Response::new(Bytes::new())))
    }
}

/// The process's recorder, installed once (the facade has one global recorder).
fn snapshotter() -> &'static Snapshotter {
    static SNAPSHOTTER: OnceLock<Snapshotter> = OnceLock::new();
    SNAPSHOTTER.get_or_init(|| {
        let recorder = DebuggingRecorder::new();
        let snapshotter = recorder.snapshotter();
        metrics::set_global_recorder(recorder).expect("the only recorder");
        snapshotter
    })
}

/// Every metric of endpoint `endpoint`, by name (and window, for gauges).
fn metrics_of(endpoint: &str) -> HashMap<String, f64> {
    let snapshot = snapshotter().snapshot().into_hashmap();
    let mut out = HashMap::new();
    for (key, (_, _, value)) in snapshot {
        let (kind, key): (MetricKind, _) = (key.kind(), CompositeKey::key(&key).clone());
        let label = |name: &str| {
            key.labels()
                .find(|l| l.key() == name)
                .map(|l| l.value().to_owned())
        };
        if label("endpoint").as_deref() != Some(endpoint) {
            continue;
        }
        assert_eq!(label("provider").as_deref(), Some("fixture"));
        let name = match label("window") {
            Some(w) => format!("{}{{window={w}}}", key.name()),
            None => key.name().to_owned(),
        };
        let value = match (kind, value) {
            (MetricKind::Counter, DebugValue::Counter(n)) => n as f64,
            (MetricKind::Gauge, DebugValue::Gauge(g)) => g.into_inner(),
            other => panic!("unexpected {other:?}"),
        };
        out.insert(name, value);
    }
    out
}

async fn five_calls(
    layer: ServerLayer<Ep, Limiter<Ep, ManualClock>>,
    path: &str,
) -> Arc<Stats<Ep>> {
    let stats = layer.stats();
    let mut service = layer.layer(Ok200);
    for _ in 0..5 {
        let request = Request::post(path).body(()).unwrap();
        let status = service.call(request).await.unwrap().status();
        assert!(status == StatusCode::OK || status == StatusCode::TOO_MANY_REQUESTS);
    }
    stats
}

#[tokio::test]
async fn the_layers_count_decisions_per_endpoint_and_the_limiters_gauge_effective_limits() {
    let _ = snapshotter();
    let clock = ManualClock::new(BEIJING_MIDNIGHT + 100);
    // `/single`: 3 per second. Near the limit at 0.5: less than 1.5 left, the 2nd and 3rd.
    let limiter = Arc::new(Limiter::<Ep, _>::with_clock(clock.clone()));
    let stats = five_calls(ServerLayer::new(limiter.clone()).near_limit(0.5), "/single").await;
    assert_eq!(stats.near_limit(Ep::Single), 2);
    let single = metrics_of("Single");
    assert_eq!(single.get("ratespec_admitted_total"), Some(&3.0));
    assert_eq!(single.get("ratespec_denied_total"), Some(&2.0));
    assert_eq!(single.get("ratespec_near_limit_total"), Some(&2.0));
    assert_eq!(single.get("ratespec_shadow_denied_total"), None);

    // Shadow mode on another endpoint (`/lengths`: 4 per 10 s): one would-be refusal.
    let shadow = Arc::new(Limiter::<Ep, _>::with_clock(clock.clone()));
    five_calls(ServerLayer::new(shadow).shadow(), "/lengths").await;
    let lengths = metrics_of("Lengths");
    assert_eq!(lengths.get("ratespec_admitted_total"), Some(&4.0));
    assert_eq!(lengths.get("ratespec_shadow_denied_total"), Some(&1.0));
    assert_eq!(lengths.get("ratespec_denied_total"), None);

    // The vendor's refusal lowers 3/second to 2: both gauges, labelled with the window.
    limiter.vendor_refused(Ep::Single, None);
    let single = metrics_of("Single");
    assert_eq!(
        single.get("ratespec_effective_limit{window=1s}"),
        Some(&2.0)
    );
    assert_eq!(
        single.get("ratespec_documented_limit{window=1s}"),
        Some(&3.0)
    );
    assert_eq!(limiter.limit(Ep::Single, Per::Second), Some(2));
}
