//! Rust client → Rust host mounted on the axum route (`ipcc_runtime::axum::ipc_route` at `/ipc`
//! of an axum `Router`, `conformance-backend --ws` with `IPCC_CONFORMANCE_SERVER=axum`): the
//! scenario, the property tests, the generated streams and the host dying mid-stream, as over
//! `WsServer` in `rust_client_rust_host.rs`.

use ipcc_conformance::peers::{connect_options, connect_with, HostKind, Peer, Transport};
use ipcc_conformance::prng::seed_from_env;
use ipcc_conformance::{scenario, streams_scenario};

const HOST: HostKind = HostKind::Rust(env!("CARGO_BIN_EXE_conformance-backend"));

async fn connect_to_route() -> Peer {
    connect_with(
        HOST,
        Transport::WebSocket,
        connect_options(),
        &[("IPCC_CONFORMANCE_SERVER", "axum")],
    )
    .await
}

#[tokio::test]
async fn the_route_is_what_the_client_reached() {
    // The host prints the route's URL; a client of WsServer would have `ws://ADDR/`.
    let (url, _child) =
        ipcc_conformance::peers::start_ws_host(HOST, &[("IPCC_CONFORMANCE_SERVER", "axum")]).await;
    assert!(url.ends_with("/ipc"), "{url}");
}

#[tokio::test]
async fn scenario_over_the_axum_route() {
    let peer = connect_to_route().await;
    scenario::run_all(&peer.conn).await;
}

#[tokio::test]
async fn properties_over_the_axum_route() {
    let peer = connect_to_route().await;
    scenario::properties(&peer.conn, seed_from_env()).await;
}

#[tokio::test]
async fn streams_over_the_axum_route() {
    let peer = connect_to_route().await;
    streams_scenario::run_all(&peer.conn).await;
}

#[tokio::test]
async fn stream_properties_over_the_axum_route() {
    let peer = connect_to_route().await;
    streams_scenario::properties(&peer.conn, seed_from_env()).await;
}

#[tokio::test]
async fn host_dies_mid_stream_over_the_axum_route() {
    let peer = connect_to_route().await;
    streams_scenario::host_dies_mid_stream(&peer.conn).await;
}
