//! End-to-end tests of generated Rust: every example in `idl-examples/` compiled through the
//! real `ipcc::Builder` (see `build.rs`), backends implementing each generated trait, and the
//! scenarios that the transport tests run over in-memory, WebSocket and stdio connections.

include!(concat!(env!("OUT_DIR"), "/examples.rs"));

pub mod backends;
pub mod scenarios;
pub mod streaming;

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use ipcc_runtime::{
    ConnectOptions, IpcConnection, IpcHost, Registration, WsServer, WsServerConfig,
};

/// Polls a call's future once, which sends the call when the connection is ready (call
/// `ready()` first), and hands the still-pending future back: calls sent this way reach the
/// backend in program order, with no sleep to wait for them.
pub async fn sent<F: Future>(future: F) -> Pin<Box<F>> {
    let mut future = Box::pin(future);
    let pending =
        std::future::poll_fn(|cx| Poll::Ready(future.as_mut().poll(cx).is_pending())).await;
    assert!(pending, "the call finished at once");
    future
}

/// A frontend connection plus whatever keeps its backend alive (host, registrations, server).
pub struct Fixture {
    pub conn: IpcConnection,
    /// The in-process host, when there is one (not for a child process).
    pub host: Option<IpcHost>,
    _registrations: Vec<Registration>,
    _server: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Some(server) = &self._server {
            server.abort();
        }
    }
}

/// Options declaring every example channel with its schema hash.
pub fn connect_options() -> ConnectOptions {
    ConnectOptions::new().channels(backends::all_specs())
}

/// A host serving every example backend, reached through the in-memory transport.
pub async fn connect_memory() -> Fixture {
    let host = IpcHost::new();
    let registrations = backends::register_all(&host);
    let conn = host.connect_in_memory_with(connect_options());
    conn.ready().await.expect("in-memory handshake");
    Fixture {
        conn,
        host: Some(host),
        _registrations: registrations,
        _server: None,
    }
}

/// A host serving every example backend on a real WebSocket on `127.0.0.1:0`.
pub async fn connect_ws() -> Fixture {
    let host = IpcHost::new();
    let registrations = backends::register_all(&host);
    let server = WsServer::bind(&host, WsServerConfig::new())
        .await
        .expect("bind 127.0.0.1:0");
    let url = server.url();
    let server = server.spawn();
    let conn = IpcConnection::connect_ws(&url, connect_options())
        .await
        .expect("WebSocket handshake");
    Fixture {
        conn,
        host: Some(host),
        _registrations: registrations,
        _server: Some(server),
    }
}

/// A child process (`ipcc-tests-backend`, at `binary`) serving every example backend over its
/// stdin/stdout.
pub async fn connect_stdio(binary: &str) -> Fixture {
    let mut command = tokio::process::Command::new(binary);
    command.stderr(std::process::Stdio::inherit());
    let conn = IpcConnection::spawn_stdio(command, connect_options())
        .await
        .expect("stdio handshake with the child backend");
    Fixture {
        conn,
        host: None,
        _registrations: Vec::new(),
        _server: None,
    }
}
