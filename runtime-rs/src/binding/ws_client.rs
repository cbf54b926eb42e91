//! The WebSocket client: a frontend connection to a backend's WebSocket URL.

use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::protocol::error::{ErrorCode, IpcError};
use crate::session::connection::{ConnectOptions, IpcConnection};
use crate::transport::websocket::{ws_config, WsSocket};

impl IpcConnection {
    /// Connects to a WebSocket backend (`ws://127.0.0.1:PORT/`) and waits for the welcome.
    pub async fn connect_ws(url: &str, options: ConnectOptions) -> Result<IpcConnection, IpcError> {
        let mut request = url
            .into_client_request()
            .map_err(|e| IpcError::new(ErrorCode::Disconnected, format!("bad URL {url:?}: {e}")))?;
        if let Some(origin) = &options.origin {
            let value = HeaderValue::from_str(origin)
                .map_err(|e| IpcError::bad_request(format!("bad origin {origin:?}: {e}")))?;
            request.headers_mut().insert("origin", value);
        }
        let config = ws_config(options.max_message_bytes, 8 * 1024);
        let (stream, _) = tokio_tungstenite::connect_async_with_config(request, Some(config), true)
            .await
            .map_err(|e| {
                IpcError::new(
                    ErrorCode::Disconnected,
                    format!("cannot connect to {url}: {e}"),
                )
            })?;
        let connection = IpcConnection::open(WsSocket::new(stream), options);
        connection.ready().await?;
        Ok(connection)
    }
}
