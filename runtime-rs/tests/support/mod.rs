//! Shared by this crate's integration tests: the code `ipcc` generates from
//! tests/vectors/vectors.ipc and tests/vectors/streams.ipc (kept equal to the generator's output
//! by `compiler/tests/generated_fixtures.rs`), their backends, and helpers to start hosts and
//! peers.

#![allow(dead_code)]

#[path = "../../src/bin/ipcc-echo-backend/vectors_ipc.rs"]
#[rustfmt::skip]
pub mod vectors_ipc;

#[path = "../../src/bin/ipcc-echo-backend/echo_backend.rs"]
pub mod echo_backend;

#[path = "../../src/bin/ipcc-echo-backend/streams_ipc.rs"]
#[rustfmt::skip]
pub mod streams_ipc;

#[path = "../../src/bin/ipcc-echo-backend/streams_backend.rs"]
pub mod streams_backend;

pub mod values;

use std::path::PathBuf;
use std::time::Duration;

use ipcc_runtime::axum::{ipc_route, WsRouteConfig};
use ipcc_runtime::{HostConfig, IpcHost, WsServer, WsServerConfig};

/// Hang guard for anything awaited in a test: generous, never a timing assertion.
pub const HANG_GUARD: Duration = Duration::from_secs(20);

/// Awaits `future`, failing the test (instead of hanging) after [`HANG_GUARD`].
pub async fn guarded<F: std::future::Future>(what: &str, future: F) -> F::Output {
    match tokio::time::timeout(HANG_GUARD, future).await {
        Ok(output) => output,
        Err(_) => panic!("hang guard: {what} did not finish within {HANG_GUARD:?}"),
    }
}

/// A host serving the vectors' `Echo` interface and declaring `EchoEvents`.
pub fn echo_host(config: HostConfig) -> IpcHost {
    let host = IpcHost::with_config(config);
    vectors_ipc::register_echo(&host, echo_backend::EchoBackend).forget();
    vectors_ipc::EchoEventsSender::all(&host);
    host
}

/// A host serving `Echo` and `StreamsTest`, and the probe of its streams.
pub fn streams_host(
    config: HostConfig,
) -> (IpcHost, std::sync::Arc<streams_backend::StreamsProbe>) {
    let host = echo_host(config);
    let backend = streams_backend::StreamsBackend::default();
    let probe = backend.probe.clone();
    streams_ipc::register_streams_test(&host, backend).forget();
    (host, probe)
}

/// The two ways a host is served over WebSocket, whose upgrade checks are one implementation:
/// `WsServer`, and `ipc_route` at `/ipc` of an axum `Router` served by `axum::serve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WsServerKind {
    Standalone,
    AxumRoute,
}

/// Both [`WsServerKind`]s, for tests that run over each.
pub const WS_SERVERS: [WsServerKind; 2] = [WsServerKind::Standalone, WsServerKind::AxumRoute];

/// A host served over WebSocket on a loopback port; the server stops when this is dropped.
pub struct ServedWs {
    /// The WebSocket URL (`ws://127.0.0.1:PORT/` or `…/ipc`).
    pub url: String,
    /// The server's address.
    pub addr: std::net::SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ServedWs {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `host` with `kind`, accepting pages of the server's own origin and of `origins`.
pub async fn serve_ws(host: &IpcHost, kind: WsServerKind, origins: &[&str]) -> ServedWs {
    match kind {
        WsServerKind::Standalone => {
            let mut config = WsServerConfig::new();
            for origin in origins {
                config = config.allow_origin(*origin);
            }
            let server = WsServer::bind(host, config).await.unwrap();
            let (url, addr) = (server.url(), server.local_addr());
            ServedWs {
                url,
                addr,
                task: server.spawn(),
            }
        }
        WsServerKind::AxumRoute => {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let mut config = WsRouteConfig::new().allow_own_origins(addr);
            for origin in origins {
                config = config.allow_origin(*origin);
            }
            let app = axum::Router::new().route("/ipc", ipc_route(host, config));
            let task = tokio::spawn(async move {
                axum::serve(listener, app).await.unwrap();
            });
            ServedWs {
                url: format!("ws://{addr}/ipc"),
                addr,
                task,
            }
        }
    }
}

/// The echo backend binary of this package.
pub fn echo_backend_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ipcc-echo-backend"))
}

/// The repository's `tests/vectors` folder.
pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

/// Compares two JSON values, numbers by numeric value (`5` equals `5.0`).
pub fn json_equal(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_equal(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

/// Whether `message` has every field of `pattern` with an equal value.
pub fn json_matches(pattern: &serde_json::Value, message: &serde_json::Value) -> bool {
    match (pattern, message) {
        (serde_json::Value::Object(p), serde_json::Value::Object(m)) => p
            .iter()
            .all(|(k, v)| m.get(k).is_some_and(|w| json_equal(v, w))),
        _ => json_equal(pattern, message),
    }
}
