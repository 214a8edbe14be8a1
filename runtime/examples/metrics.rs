//! The layers' `metrics` (feature `metrics`) exported for Prometheus: a RongCloud-shaped
//! server limited by `ServerLayer`, with its counters and gauges at `GET /metrics`.
//!
//! Run: `cargo run -p ratespec --example metrics --features tower,metrics` (serves on
//! http://127.0.0.1:9100; `--port N` for another port), or with `--once` to send 250
//! registrations through the layer in-process, print the exposition and exit.
//!
//! The exporter (`metrics-exporter-prometheus`, without its own HTTP listener) only renders
//! the text; axum serves it beside the limited routes.

use axum::Router;
use axum::routing::{get, post};
use bytes::Bytes;
use http_body_util::Full;
use metrics_exporter_prometheus::PrometheusBuilder;
use ratespec::Limiter;
use ratespec::tower::{FormFields, ServerLayer};
use std::sync::Arc;
use tower::{Layer, Service};

mod specs {
    ratespec::include_limits!("specs/");
}
use specs::rongcloud;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let handle = PrometheusBuilder::new()
        .install_recorder()
        .map_err(std::io::Error::other)?;
    let limiter = Arc::new(Limiter::<rongcloud::Endpoint>::new());
    let layer = ServerLayer::new(limiter)
        .weigh(FormFields::rongcloud())
        .near_limit(0.8);

    if args.iter().any(|a| a == "--once") {
        // 250 registrations against 200/second: about 200 admitted (the last 40 near the
        // limit: less than a fifth left), about 50 denied, depending on where in its second the
        // burst starts.
        let mut service = layer.layer(tower::service_fn(|_: http::Request<Full<Bytes>>| async {
            Ok::<_, std::convert::Infallible>(http::Response::new(Bytes::new()))
        }));
        for _ in 0..250 {
            let request = http::Request::post("/user/getToken.json")
                .body(Full::new(Bytes::from_static(b"userId=u")))
                .expect("a valid request");
            std::future::poll_fn(|cx| service.poll_ready(cx)).await.ok();
            let _ = service.call(request).await;
        }
        print!("{}", handle.render());
        return Ok(());
    }

    let port: u16 = match args.iter().position(|a| a == "--port") {
        Some(i) => args
            .get(i + 1)
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| std::io::Error::other("--port takes a port number"))?,
        None => 9100,
    };
    let app = Router::new()
        .route("/user/getToken.json", post(|| async { r#"{"code":200}"# }))
        .layer(layer)
        .route("/metrics", get(move || async move { handle.render() }));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("metrics on http://{}/metrics", listener.local_addr()?);
    axum::serve(listener, app.into_make_service()).await
}
