//! Runtime for ipcc-generated Rust code: the backend host, the frontend connection, and the
//! WebSocket, stdio and in-memory transports of the ipcc wire protocol (docs/protocol.md).
//!
//! Generated code uses only [`codegen`] (see docs/generated-code.md). Applications use:
//!
//! - [`IpcHost`]: mounts generated `register_*` handlers (a closed dispatch table per channel),
//!   sends notifications to one connection or all, and serves connections over any transport:
//!   [`IpcHost::serve_stdio`] (this process is the child of its frontend),
//!   [`WsServer`] (loopback by default, `Origin` allow-list, optional token, an HTTP fallback to
//!   serve the app's page on the same port), a route of your own axum `Router` (feature `axum`:
//!   `ipcc_runtime::axum::ipc_route`, the same checks), [`IpcHost::connect_in_memory`], or
//!   [`IpcHost::serve`] over any [`IpcSocket`]. Limits and the token are a [`HostConfig`].
//! - [`IpcConnection`]: the frontend side ([`IpcConnection::connect_ws`],
//!   [`IpcConnection::spawn_stdio`]), used by generated clients and listeners; calls may be many
//!   in flight, time out ([`CallOptions`]), and are cancelled when their future is dropped.
//!
//! Every call ends: with its result, a typed [`IpcError`] (its [`ErrorCode`] is one of the
//! protocol's codes), a timeout, a cancellation, or `disconnected`. A failing or panicking
//! handler becomes `internal` and the host keeps serving.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use ipcc_runtime::{HostConfig, IpcHost, WsServer, WsServerConfig};
//! let host = IpcHost::with_config(HostConfig::new().token("s3cret"));
//! // let _registration = register_my_interface(&host, MyBackend);   // generated
//! if std::env::args().any(|a| a == "--stdio") {
//!     host.serve_stdio().await?;
//! } else {
//!     let server = WsServer::bind(&host, WsServerConfig::new().static_dir("dist")).await?;
//!     eprintln!("listening on {}", server.url());
//!     server.run().await;
//! }
//! # Ok(()) }
//! ```

mod binding;
pub mod codegen;
mod protocol;
mod session;
pub mod transport;

#[cfg(feature = "axum")]
pub use binding::axum;
pub use binding::ws_server::{HttpHandler, HttpRequest, HttpResponse, WsServer, WsServerConfig};
pub use protocol::binary::{Payload, BINARY_FEATURE};
pub use protocol::channel::ChannelSpec;
pub use protocol::error::{CallError, ErrorCode, HandlerError, IpcError, Raised};
pub use protocol::message::{MAX_ID, PROTOCOL_VERSION, STREAMS_FEATURE, STREAMS_PROTOCOL_VERSION};
pub use protocol::stream::{
    InputStream, ItemSource, Streams, DEFAULT_MAX_CREDIT, DEFAULT_MAX_STREAMS,
    DEFAULT_STREAM_WINDOW,
};
pub use protocol::wire;
pub use session::connection::{
    CallOptions, CallStream, ConnectOptions, ErrorHook, IpcConnection, ListenerHandle, Welcome,
};
pub use session::host::{
    CallContext, ConnectionId, DetachedConnection, Dispatch, HostConfig, IpcHost, NotifyTarget,
    Registration,
};
/// The async runtime this crate runs on, so a backend can start it (`#[ipcc_runtime::tokio::main(crate = "ipcc_runtime::tokio")]`)
/// without a dependency of its own.
pub use tokio;
pub use transport::out::OutMessage;
pub use transport::IpcSocket;
