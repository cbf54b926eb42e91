//! The binding layer: what puts a session on a real transport — the WebSocket server and
//! client and the axum route, child processes and this process's stdio, in-memory pairs.

#[cfg(feature = "axum")]
pub mod axum;
pub(crate) mod generated_support;
mod memory;
mod stdio;
mod ws_client;
pub(crate) mod ws_server;
