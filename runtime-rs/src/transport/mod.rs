//! The transport layer: a connection's stream of JSON text messages (and, on binary connections,
//! binary messages) as the `IpcSocket` abstraction, and its implementations (in-memory, stdio,
//! WebSocket). It knows bytes, framing and size limits; nothing of hosts or messages' meaning.

pub mod lines;
pub mod memory;
pub mod out;
pub mod stdio;
pub mod websocket;

use std::future::Future;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::futures::Notified;
use tokio::sync::Notify;

/// How many leading bytes of an oversize message are kept to find its `id` (protocol "Limits").
pub const OVERSIZE_HEAD_BYTES: usize = 256;

/// One read from a transport.
#[derive(Debug)]
pub enum Incoming {
    /// One message's JSON text.
    Text(String),
    /// A binary message (protocol v2 binary `bytes`; in protocol v1 a binary WebSocket frame,
    /// which is refused).
    Binary(Vec<u8>),
    /// A message larger than the limit, discarded; `head` holds its first bytes (to read the id).
    /// `fatal` when the transport cannot continue after it (WebSocket).
    TooLarge {
        /// Up to [`OVERSIZE_HEAD_BYTES`] leading bytes, lossily decoded.
        head: String,
        /// The connection must be closed after answering.
        fatal: bool,
    },
    /// A text message that is not valid UTF-8. `fatal` when the transport cannot continue after
    /// it (WebSocket, where RFC 6455 §8.1 requires failing the connection).
    InvalidUtf8 {
        /// The connection must be closed ([`CloseReason::InvalidUtf8`]), with no answer.
        fatal: bool,
    },
    /// The peer closed the connection, or the transport failed.
    Closed,
}

/// A connection's message stream: something that reads and writes whole JSON text messages.
///
/// Used by both ends: [`crate::IpcHost::serve`] runs a backend connection over one, and
/// [`crate::IpcConnection::open`] a frontend connection. It is split into a reader and a writer
/// so reading and writing run concurrently.
pub trait IpcSocket: Send + 'static {
    /// The reading half.
    type Reader: MessageReader;
    /// The writing half.
    type Writer: MessageWriter;
    /// Splits the socket into its halves.
    fn into_split(self) -> (Self::Reader, Self::Writer);
    /// Whether it carries binary messages ([`MessageWriter::write_binary`]); only then is
    /// binary `bytes` offered or granted in the handshake.
    fn supports_binary(&self) -> bool {
        false
    }
    /// Whether answers to a batch of messages that arrived together should be flushed partway
    /// through the batch rather than once at its end: worth it where a write is one cheap
    /// system call and the peer starts on the first answers at once (a pipe), so both ends
    /// work at the same time. Off by default (WebSocket keeps one flush per batch).
    fn flush_partway(&self) -> bool {
        false
    }
}

/// The reading half of an [`IpcSocket`].
pub trait MessageReader: Send + 'static {
    /// The next message, refusing (without buffering it) any larger than `max_bytes`.
    fn read(&mut self, max_bytes: usize) -> impl Future<Output = Incoming> + Send;
    /// The handshake granted binary `bytes`: from now on binary messages may arrive (stdio
    /// starts telling them from lines by their first byte).
    fn accept_binary(&mut self) {}
    /// The connection's outgoing queue, given by the host before the handshake, for a
    /// transport that needs to know whether the host still has something to write on this
    /// connection (Tauri: a `send` that waits for its message's answer stops waiting once the
    /// host asked for the next message with nothing left to write).
    fn watch_outgoing(&mut self, queue: OutgoingQueue) {
        let _ = queue;
    }
}

/// One connection's outgoing queue, as its transport may watch it: what the host queued and
/// the writer has not flushed yet, and a signal after each flush.
#[derive(Clone)]
pub struct OutgoingQueue {
    queued: Arc<AtomicUsize>,
    drained: Arc<Notify>,
}

impl OutgoingQueue {
    /// Over the writer's counter (bytes queued or being written, until flushed) and the signal
    /// it gives after each flush (and when it stops).
    pub(crate) fn new(queued: Arc<AtomicUsize>, drained: Arc<Notify>) -> OutgoingQueue {
        OutgoingQueue { queued, drained }
    }

    /// Bytes queued on this connection and not yet flushed to the transport.
    pub fn queued_bytes(&self) -> usize {
        self.queued.load(Ordering::Relaxed)
    }

    /// Resolves after the writer's next flush (or when it stops). Create (and `enable`) it
    /// before reading [`OutgoingQueue::queued_bytes`], so a flush in between is not missed.
    pub fn drained(&self) -> Notified<'_> {
        self.drained.notified()
    }
}

/// The writing half of an [`IpcSocket`]. Writes may be buffered until [`MessageWriter::flush`].
pub trait MessageWriter: Send + 'static {
    /// Queues one message.
    fn write(&mut self, text: String) -> impl Future<Output = io::Result<()>> + Send;
    /// Queues one binary message (only called when [`IpcSocket::supports_binary`]).
    fn write_binary(&mut self, message: Vec<u8>) -> impl Future<Output = io::Result<()>> + Send {
        let _ = message;
        std::future::ready(Err(io::Error::from(io::ErrorKind::Unsupported)))
    }
    /// Queues one binary message given in parts; by default joined and passed to
    /// [`MessageWriter::write_binary`] (a byte-stream transport writes the parts as they are).
    fn write_binary_parts(
        &mut self,
        message: out::BinaryOut,
    ) -> impl Future<Output = io::Result<()>> + Send {
        self.write_binary(message.into_vec())
    }
    /// Sends everything queued.
    fn flush(&mut self) -> impl Future<Output = io::Result<()>> + Send;
    /// Flushes and closes the connection (the peer sees end of stream).
    fn close(&mut self) -> impl Future<Output = io::Result<()>> + Send;
    /// Flushes and closes the connection because the peer broke it (WebSocket: the close code
    /// of `reason`); by default as [`MessageWriter::close`].
    fn close_for(&mut self, reason: CloseReason) -> impl Future<Output = io::Result<()>> + Send {
        let _ = reason;
        self.close()
    }
}

/// Why a connection is closed after a message the transport cannot go on from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// An oversize message that cannot be skipped (WebSocket: close code 1009).
    TooLarge,
    /// A text message that is not valid UTF-8 (WebSocket: close code 1007).
    InvalidUtf8,
}

/// The first bytes of an oversize message, cut at a character boundary.
pub(crate) fn oversize_head(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(OVERSIZE_HEAD_BYTES)];
    String::from_utf8_lossy(head).into_owned()
}
