//! The tower ServerLayer's own cost per request, in process (no sockets): the inner service
//! answers at once, the limiter admits every request (limits raised to the maximum), and each
//! call's future is polled once. The anchor is the inner service alone, in the same run.
//!
//!     cargo bench -p ratespec --all-features --bench tower

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{Method, Request, Response};
use ratespec::Limiter;
use ratespec::tower::{HeaderMode, ServerLayer};
use ratespec::window::MAX_LIMIT;
use std::convert::Infallible;
use std::future::{Future, Ready, ready};
use std::hint::black_box;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use tower::{Layer, Service};

mod specs {
    ratespec::include_limits!("specs/");
}
use specs::rongcloud::Endpoint;

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
        // Like a real handler's answer (axum's `Json`, the emulator's): one header already.
        let mut response = Response::new(Bytes::from_static(br#"{"code":200}"#));
        response.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        ready(Ok(response))
    }
}

fn once<S: Service<Request<()>>>(service: &mut S, path: &'static str) -> S::Response {
    let mut cx = Context::from_waker(Waker::noop());
    let request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .body(())
        .unwrap();
    let mut future = pin!(service.call(request));
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(Ok(response)) => response,
        _ => unreachable!("every future here is ready at once"),
    }
}

fn layer(c: &mut Criterion) {
    let limiter = Arc::new(Limiter::<Endpoint>::new());
    for &ep in Endpoint::ALL {
        for w in Endpoint::BUCKETS[ep.bucket()].windows.iter() {
            limiter.set_limit(ep, w, MAX_LIMIT).unwrap();
        }
    }
    let mut group = c.benchmark_group("tower layer");
    let mut bare = Ok200;
    group.bench_function("inner service alone", |b| {
        b.iter(|| black_box(once(&mut bare, "/user/getToken.json")))
    });
    let mut with = ServerLayer::new(limiter.clone())
        .headers(HeaderMode::All)
        .layer(Ok200);
    group.bench_function("layer, admitted, headers on all responses", |b| {
        b.iter(|| black_box(once(&mut with, "/user/getToken.json")))
    });
    let mut without = ServerLayer::new(limiter.clone()).layer(Ok200);
    group.bench_function("layer, admitted, no headers (default)", |b| {
        b.iter(|| black_box(once(&mut without, "/user/getToken.json")))
    });
    group.bench_function("layer, unknown route", |b| {
        b.iter(|| black_box(once(&mut with, "/not/documented.json")))
    });
    group.finish();
}

criterion_group!(benches, layer);
criterion_main!(benches);
