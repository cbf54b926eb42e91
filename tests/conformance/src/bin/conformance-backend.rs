//! The Rust host of the conformance interface:
//!
//! ```text
//! conformance-backend --stdio               # this process is the child; stdout is protocol only
//! conformance-backend --ws 127.0.0.1:0      # first stdout line: the ws:// URL
//! ```
//!
//! With `IPCC_CONFORMANCE_SERVER=axum`, `--ws` serves the host on the axum route
//! (`ipcc_runtime::axum::ipc_route` at `/ipc` of an axum `Router`) instead of `WsServer`.

use ipcc_conformance::backend::ConformanceBackend;
use ipcc_conformance::generated::{register_conformance, register_conformance_streams};
use ipcc_conformance::streams_backend::StreamsBackend;
use ipcc_runtime::axum::{ipc_route, WsRouteConfig};
use ipcc_runtime::{HostConfig, IpcHost, WsServer, WsServerConfig};

const USAGE: &str = "usage: conformance-backend (--stdio | --ws ADDR)";

enum Mode {
    Stdio,
    Ws(std::net::SocketAddr),
}

fn parse_args() -> Result<Mode, String> {
    let mut args = std::env::args().skip(1);
    let mode = match args.next().as_deref() {
        Some("--stdio") => Mode::Stdio,
        Some("--ws") => {
            let addr = args
                .next()
                .ok_or("--ws needs an address, e.g. 127.0.0.1:0")?;
            Mode::Ws(
                addr.parse()
                    .map_err(|e| format!("bad address {addr:?}: {e}"))?,
            )
        }
        _ => return Err(USAGE.into()),
    };
    match args.next() {
        Some(extra) => Err(format!("unexpected argument {extra:?}\n{USAGE}")),
        None => Ok(mode),
    }
}

/// The defaults, except what the binary `bytes` pairings set (`tests/binary_pairings.rs`):
/// `IPCC_CONFORMANCE_MAX_MESSAGE_BYTES=<n>` and `IPCC_CONFORMANCE_BINARY=0` (grant no binary).
fn host_config() -> HostConfig {
    let mut config = HostConfig::new();
    if let Ok(limit) = std::env::var("IPCC_CONFORMANCE_MAX_MESSAGE_BYTES") {
        config = config.max_message_bytes(limit.parse().expect("a byte count"));
    }
    config.binary(!std::env::var("IPCC_CONFORMANCE_BINARY").is_ok_and(|v| v == "0"))
}

#[ipcc_runtime::tokio::main(crate = "ipcc_runtime::tokio")]
async fn main() -> std::process::ExitCode {
    let mode = match parse_args() {
        Ok(mode) => mode,
        Err(message) => {
            eprintln!("{message}");
            return std::process::ExitCode::from(2);
        }
    };
    let host = IpcHost::with_config(host_config());
    let _registration = register_conformance(&host, ConformanceBackend::default());
    let _streams = register_conformance_streams(&host, StreamsBackend::default());
    let served = match mode {
        Mode::Stdio => host.serve_stdio().await,
        Mode::Ws(addr) if std::env::var("IPCC_CONFORMANCE_SERVER").is_ok_and(|v| v == "axum") => {
            serve_axum_route(&host, addr).await
        }
        Mode::Ws(addr) => match WsServer::bind(&host, WsServerConfig::new().addr(addr)).await {
            Ok(server) => {
                // The first stdout line is the URL (the tests read it); the rest goes to stderr.
                println!("{}", server.url());
                server.run().await;
                Ok(())
            }
            Err(error) => Err(error),
        },
    };
    match served {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("conformance-backend: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// The host on the axum route, as an application with an axum backend mounts it.
async fn serve_axum_route(host: &IpcHost, addr: std::net::SocketAddr) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    let listener = ipcc_runtime::tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let app = axum::Router::new().route(
        "/ipc",
        ipc_route(host, WsRouteConfig::new().allow_own_origins(local)),
    );
    // The first stdout line is the URL (the tests read it); the rest goes to stderr.
    println!("ws://{local}/ipc");
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app).await
}
