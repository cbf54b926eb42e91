//! Rust client → TS host (`node ts/build/src/backend.js`, built by `npm test` in `ts/`), over
//! WebSocket and over stdio: the whole scenario, then the property tests Rust → TS → Rust.
//! Then the generated streams (`streams_scenario`): every direction, cancellation both ways,
//! flow control, the host dying mid-stream, and stream items of generated values.
//! And the faults (`faults`): a timeout on a handler that never ends, a slow call beside fast
//! ones, a frontend disconnecting mid-call, the host dying mid-call.

use ipcc_conformance::peers::{connect, HostKind, Transport};
use ipcc_conformance::prng::seed_from_env;
use ipcc_conformance::{faults, scenario, streams_scenario};

const HOST: HostKind = HostKind::Ts;

#[tokio::test]
async fn scenario_over_websocket() {
    let peer = connect(HOST, Transport::WebSocket).await;
    scenario::run_all(&peer.conn).await;
}

#[tokio::test]
async fn scenario_over_stdio() {
    let peer = connect(HOST, Transport::Stdio).await;
    scenario::run_all(&peer.conn).await;
}

#[tokio::test]
async fn properties_rust_to_ts_to_rust_over_websocket() {
    let peer = connect(HOST, Transport::WebSocket).await;
    scenario::properties(&peer.conn, seed_from_env()).await;
}

#[tokio::test]
async fn properties_rust_to_ts_to_rust_over_stdio() {
    let peer = connect(HOST, Transport::Stdio).await;
    scenario::properties(&peer.conn, seed_from_env()).await;
}

#[tokio::test]
async fn streams_over_websocket() {
    let peer = connect(HOST, Transport::WebSocket).await;
    streams_scenario::run_all(&peer.conn).await;
}

#[tokio::test]
async fn streams_over_stdio() {
    let peer = connect(HOST, Transport::Stdio).await;
    streams_scenario::run_all(&peer.conn).await;
}

#[tokio::test]
async fn stream_properties_over_websocket() {
    let peer = connect(HOST, Transport::WebSocket).await;
    streams_scenario::properties(&peer.conn, seed_from_env()).await;
}

#[tokio::test]
async fn stream_properties_over_stdio() {
    let peer = connect(HOST, Transport::Stdio).await;
    streams_scenario::properties(&peer.conn, seed_from_env()).await;
}

#[tokio::test]
async fn host_dies_mid_stream_over_websocket() {
    let peer = connect(HOST, Transport::WebSocket).await;
    streams_scenario::host_dies_mid_stream(&peer.conn).await;
}

#[tokio::test]
async fn host_dies_mid_stream_over_stdio() {
    let peer = connect(HOST, Transport::Stdio).await;
    streams_scenario::host_dies_mid_stream(&peer.conn).await;
}

#[tokio::test]
async fn faults_over_websocket() {
    let elapsed = faults::run_all(HOST, Transport::WebSocket).await;
    eprintln!("TS host over WebSocket: pending calls failed {elapsed:?} after `die`");
}

#[tokio::test]
async fn faults_over_stdio() {
    let elapsed = faults::run_all(HOST, Transport::Stdio).await;
    eprintln!("TS host over stdio: pending calls failed {elapsed:?} after `die`");
}
