//! An [`IpcHost`] as a WebSocket route of your own axum `Router` (feature `axum`), with the
//! upgrade checks of [`WsServer`](crate::WsServer).
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use ipcc_runtime::axum::{ipc_route, WsRouteConfig};
//! use ipcc_runtime::{HostConfig, IpcHost};
//!
//! let host = IpcHost::with_config(HostConfig::new().token("s3cret"));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! let config = WsRouteConfig::new().allow_own_origins(listener.local_addr()?);
//! let app: axum::Router = axum::Router::new().route("/ipc", ipc_route(&host, config));
//! // then `axum::serve(listener, app).await` (axum's `tokio` and `http1` features)
//! # Ok(()) }
//! ```

use std::net::SocketAddr;
use std::sync::Arc;

use ::axum::extract::Request;
use ::axum::routing::{get, MethodRouter};

use super::ws_server::{accept_upgrade, own_origins, Upgrades};
use crate::session::host::IpcHost;

/// Configuration of [`ipc_route`]: which pages may open the WebSocket, and its read buffer.
///
/// Requests without an `Origin` header (non-browser clients) always pass the origin check; the
/// host's token is what stops them. Unlike [`WsServer`](crate::WsServer), the route does not
/// know the address it is served on, so no page is allowed until named
/// ([`WsRouteConfig::allow_own_origins`], [`WsRouteConfig::allow_origin`]).
#[derive(Clone, Debug, Default)]
pub struct WsRouteConfig {
    upgrades: Upgrades,
}

impl WsRouteConfig {
    /// Only non-browser clients (no `Origin` header); an 8 KiB read buffer per connection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also accept upgrades from a page of this origin (e.g. `"http://localhost:5173"`).
    pub fn allow_origin(mut self, origin: impl Into<String>) -> Self {
        self.upgrades.allowed_origins.push(origin.into());
        self
    }

    /// Accept the pages a server listening on `local` serves itself: `http://LOCAL`, and
    /// `http://localhost:PORT`, `http://127.0.0.1:PORT`, `http://[::1]:PORT` on its port (what
    /// `WsServer` always accepts).
    pub fn allow_own_origins(mut self, local: SocketAddr) -> Self {
        self.upgrades.allowed_origins.extend(own_origins(local));
        self
    }

    /// Accept upgrades from any origin (disables the check; rely on the token).
    pub fn allow_any_origin(mut self) -> Self {
        self.upgrades.any_origin = true;
        self
    }

    /// The read buffer per connection (default 8 KiB).
    pub fn read_buffer_size(mut self, bytes: usize) -> Self {
        self.upgrades.read_buffer_size = bytes;
        self
    }
}

/// A `GET` route that upgrades to a WebSocket and serves `host` on it, for
/// `Router::route("/ipc", ipc_route(&host, config))`.
///
/// The checks are [`WsServer`](crate::WsServer)'s, by the same code: `400` for a request that
/// is not a valid WebSocket upgrade, `403` for an `Origin` not allowed, then the host's
/// handshake (token, limits). The router must be served over HTTP/1 with upgrades, as
/// `axum::serve` does. The HTTP limits before the upgrade (request head size and time) are your
/// server's.
pub fn ipc_route<S>(host: &IpcHost, config: WsRouteConfig) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    let host = host.clone();
    let upgrades = Arc::new(config.upgrades);
    get(move |request: Request| async move { accept_upgrade(&host, &upgrades, request) })
}
