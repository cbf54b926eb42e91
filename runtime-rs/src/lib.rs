//! Runtime for ipcc-generated Rust code: the backend host, the frontend connection, and the
//! WebSocket, stdio and in-memory transports of the ipcc wire protocol (docs/protocol.md).
//!
//! Generated code uses only [`codegen`]. Applications use [`IpcHost`] (serve interfaces, send
//! notifications) and [`IpcConnection`] (call a backend):
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use ipcc_runtime::{IpcHost, WsServer, WsServerConfig};
//! let host = IpcHost::new();
//! // let _registration = register_my_interface(&host, MyBackend);   // generated
//! let server = WsServer::bind(&host, WsServerConfig::new()).await?;
//! eprintln!("listening on {}", server.url());
//! server.run().await;
//! # Ok(()) }
//! ```

pub mod codegen;
mod connection;
mod error;
mod host;
mod message;
mod outbox;
pub mod transport;
pub mod wire;

pub use connection::{
    CallOptions, ConnectOptions, ErrorHook, IpcConnection, ListenerHandle, Welcome,
};
pub use error::{CallError, ErrorCode, HandlerError, IpcError};
pub use host::{
    CallContext, ChannelSpec, ConnectionId, Dispatch, HostConfig, IpcHost, NotifyTarget,
    Registration,
};
pub use message::{MAX_ID, PROTOCOL_VERSION};
pub use transport::websocket::{HttpRequest, HttpResponse, WsServer, WsServerConfig};
pub use transport::{IpcSocket, IpcSocketBackend};
/// The async runtime this crate runs on, so a backend can start it (`#[ipcc_runtime::tokio::main(crate = "ipcc_runtime::tokio")]`)
/// without a dependency of its own.
pub use tokio;

impl IpcHost {
    /// Serves this process's stdin/stdout (the process is the child of its frontend) until the
    /// frontend disconnects. Afterwards fd 1 writes to stderr, so stray prints cannot corrupt
    /// the protocol.
    pub async fn serve_stdio(&self) -> std::io::Result<()> {
        let socket = transport::stdio::process_stdio()?;
        self.serve(socket).await;
        Ok(())
    }
}
