//! Rust client → Rust host (`conformance-backend`), over WebSocket and over stdio: the whole
//! scenario, then the property tests (Rust → Rust → Rust).

use ipcc_conformance::peers::{connect, HostKind, Transport};
use ipcc_conformance::prng::seed_from_env;
use ipcc_conformance::scenario;

const HOST: HostKind = HostKind::Rust(env!("CARGO_BIN_EXE_conformance-backend"));

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
async fn properties_over_websocket() {
    let peer = connect(HOST, Transport::WebSocket).await;
    scenario::properties(&peer.conn, seed_from_env()).await;
}

#[tokio::test]
async fn properties_over_stdio() {
    let peer = connect(HOST, Transport::Stdio).await;
    scenario::properties(&peer.conn, seed_from_env()).await;
}
