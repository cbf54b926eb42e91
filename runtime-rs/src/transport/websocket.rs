//! The WebSocket transport: a WebSocket as an `IpcSocket` (one message per text frame), for
//! both ends. The server that accepts WebSockets for a host is `binding/ws_server.rs`.

use std::io;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite::error::CapacityError;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;

use super::{CloseReason, Incoming, IpcSocket, MessageReader, MessageWriter};

/// The read buffer of one WebSocket connection. tungstenite's default (128 KiB, allocated
/// eagerly) would make an idle connection cost hundreds of kilobytes.
pub(crate) const DEFAULT_READ_BUFFER: usize = 8 * 1024;

/// The tungstenite configuration for a connection limited to `max_message_bytes`.
pub(crate) fn ws_config(max_message_bytes: usize, read_buffer: usize) -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(read_buffer)
        // Frames collect until this size or the writer's flush (once per batch), so a burst
        // of messages becomes one write.
        .write_buffer_size(64 * 1024)
        .max_message_size(Some(max_message_bytes))
        .max_frame_size(Some(max_message_bytes))
}

/// A WebSocket as an [`IpcSocket`].
pub struct WsSocket<S> {
    stream: WebSocketStream<S>,
}

impl<S> WsSocket<S> {
    /// Wraps an established WebSocket.
    pub fn new(stream: WebSocketStream<S>) -> Self {
        WsSocket { stream }
    }
}

impl<S> IpcSocket for WsSocket<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Reader = WsReader<S>;
    type Writer = WsWriter<S>;

    fn into_split(self) -> (WsReader<S>, WsWriter<S>) {
        let (sink, stream) = self.stream.split();
        (WsReader(stream), WsWriter(sink))
    }

    fn supports_binary(&self) -> bool {
        true
    }
}

/// Reading half of a [`WsSocket`].
pub struct WsReader<S>(SplitStream<WebSocketStream<S>>);

/// Writing half of a [`WsSocket`].
pub struct WsWriter<S>(SplitSink<WebSocketStream<S>, Message>);

impl<S> MessageReader for WsReader<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    async fn read(&mut self, max_bytes: usize) -> Incoming {
        // tungstenite's `max_message_size`, set when the socket was made, bounds what is
        // buffered; `max_bytes` may be lower (a backend reads its hello with a larger limit
        // than later messages), and a text frame over it is refused the same way.
        loop {
            return match self.0.next().await {
                Some(Ok(Message::Text(text))) if text.len() > max_bytes => Incoming::TooLarge {
                    head: String::new(),
                    fatal: true,
                },
                Some(Ok(Message::Text(text))) => Incoming::Text(text.as_str().to_owned()),
                Some(Ok(Message::Binary(message))) if message.len() > max_bytes => {
                    Incoming::TooLarge {
                        head: String::new(),
                        fatal: true,
                    }
                }
                Some(Ok(Message::Binary(message))) => Incoming::Binary(Vec::from(message)),
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
                Some(Ok(Message::Close(_))) | None => Incoming::Closed,
                Some(Err(WsError::Capacity(
                    CapacityError::MessageTooLong { .. } | CapacityError::TooManyHeaders,
                ))) => Incoming::TooLarge {
                    head: String::new(),
                    fatal: true,
                },
                Some(Err(WsError::Utf8(_))) => Incoming::InvalidUtf8 { fatal: true },
                Some(Err(_)) => Incoming::Closed,
            };
        }
    }
}

impl<S> MessageWriter for WsWriter<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    async fn write(&mut self, text: String) -> io::Result<()> {
        self.0
            .feed(Message::text(text))
            .await
            .map_err(io::Error::other)
    }

    async fn write_binary(&mut self, message: Vec<u8>) -> io::Result<()> {
        self.0
            .feed(Message::binary(message))
            .await
            .map_err(io::Error::other)
    }

    async fn flush(&mut self) -> io::Result<()> {
        self.0.flush().await.map_err(io::Error::other)
    }

    async fn close(&mut self) -> io::Result<()> {
        self.0.close().await.map_err(io::Error::other)
    }

    async fn close_for(&mut self, reason: CloseReason) -> io::Result<()> {
        let frame = match reason {
            CloseReason::TooLarge => CloseFrame {
                code: CloseCode::Size,
                reason: "message too big".into(),
            },
            CloseReason::InvalidUtf8 => CloseFrame {
                code: CloseCode::Invalid,
                reason: "text message is not valid UTF-8".into(),
            },
        };
        self.0
            .send(Message::Close(Some(frame)))
            .await
            .map_err(io::Error::other)
    }
}
