//! What puts an `IpcHost` on a listening socket: the standalone WebSocket server and the axum
//! route, which share one implementation of the WebSocket upgrade and its checks.

#[cfg(feature = "axum")]
pub mod axum;
pub mod ws_server;
