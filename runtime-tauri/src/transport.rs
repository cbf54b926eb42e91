//! The Tauri transport: one ipcc connection as an [`IpcSocket`] whose incoming messages are the
//! webview's `send` invokes (put back in their order) and whose outgoing ones go to the
//! webview's `tauri::ipc::Channel`.

use std::collections::BTreeMap;
use std::io;
use std::sync::Arc;

use ipcc_runtime::transport::out::BinaryOut;
use ipcc_runtime::transport::{Incoming, MessageReader, MessageWriter, OVERSIZE_HEAD_BYTES};
use ipcc_runtime::IpcSocket;
use tauri::ipc::{Channel, InvokeResponseBody};
use tokio::sync::{mpsc, Mutex};

/// How many received messages may wait for the host to read them before `send` invokes wait
/// (and, through the page's cap on unanswered sends, the page stops sending).
const INBOX_CAPACITY: usize = 64;

/// How far ahead of the next expected sequence number a message may arrive. The page has at
/// most [`crate::MAX_UNANSWERED_SENDS`] sends unanswered, so an honest page stays within it;
/// a page beyond it is refused (the held messages are bounded by this window).
pub const REORDER_WINDOW: u64 = 256;

/// One message from the page, as its `send` invoke carried it.
#[derive(Debug)]
pub enum Frame {
    /// A text message's bytes (UTF-8 not yet checked).
    Text(Vec<u8>),
    /// A binary message (protocol v2 binary `bytes`).
    Binary(Vec<u8>),
}

/// Why a `send` was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum SendError {
    /// The connection is closed (or never existed).
    Closed,
    /// A sequence number already delivered, or too far ahead: the page is broken; the
    /// connection is closed.
    BadSequence,
}

/// The receiving end's state: the next sequence number and the messages that came early.
struct Inbound {
    next: u64,
    early: BTreeMap<u64, Frame>,
    tx: Option<mpsc::Sender<Frame>>,
}

/// The page → host half of one connection, shared by the plugin's `send` invokes: Tauri may run
/// two invokes of one page in either order, so each message carries its sequence number and is
/// handed to the host only after all the earlier ones.
#[derive(Clone)]
pub struct Inbox(Arc<Mutex<Inbound>>);

impl Inbox {
    /// Takes message `seq`; resolves once it and every earlier one were handed to the host
    /// (or were held, when an earlier one is still missing).
    pub async fn deliver(&self, seq: u64, frame: Frame) -> Result<(), SendError> {
        let mut inbound = self.0.lock().await;
        let Some(tx) = inbound.tx.clone() else {
            return Err(SendError::Closed);
        };
        if seq < inbound.next
            || seq >= inbound.next + REORDER_WINDOW
            || inbound.early.contains_key(&seq)
        {
            inbound.tx = None;
            inbound.early.clear();
            return Err(SendError::BadSequence);
        }
        if seq != inbound.next {
            inbound.early.insert(seq, frame);
            return Ok(());
        }
        let mut frame = frame;
        loop {
            // The lock is held while the host's queue is full: later sends wait behind this one.
            if tx.send(frame).await.is_err() {
                inbound.tx = None;
                inbound.early.clear();
                return Err(SendError::Closed);
            }
            inbound.next += 1;
            let next = inbound.next;
            match inbound.early.remove(&next) {
                Some(early) => frame = early,
                None => return Ok(()),
            }
        }
    }

    /// Closes the page → host half: the host reads end of stream once it has read what was
    /// delivered, and ends the connection (cancelling its calls).
    pub async fn close(&self) {
        let mut inbound = self.0.lock().await;
        inbound.tx = None;
        inbound.early.clear();
    }

    /// Closes without waiting (for window events, which run on the event loop's thread).
    pub fn close_now(&self) {
        let inbox = self.clone();
        tauri::async_runtime::spawn(async move { inbox.close().await });
    }
}

/// One connection of a webview, as the host sees it.
pub struct TauriSocket {
    rx: mpsc::Receiver<Frame>,
    channel: Channel<InvokeResponseBody>,
    on_close: Box<dyn FnOnce() + Send>,
}

/// A connection's two ends: the socket the host serves, and the inbox the plugin feeds.
/// `on_close` runs once when the host closes the connection (the plugin forgets it).
pub fn socket(
    channel: Channel<InvokeResponseBody>,
    on_close: impl FnOnce() + Send + 'static,
) -> (TauriSocket, Inbox) {
    let (tx, rx) = mpsc::channel(INBOX_CAPACITY);
    let inbox = Inbox(Arc::new(Mutex::new(Inbound {
        next: 0,
        early: BTreeMap::new(),
        tx: Some(tx),
    })));
    let socket = TauriSocket {
        rx,
        channel,
        on_close: Box::new(on_close),
    };
    (socket, inbox)
}

/// Reading half of a [`TauriSocket`].
pub struct TauriReader(mpsc::Receiver<Frame>);

/// Writing half of a [`TauriSocket`]: dropping its channel tells the page the connection ended
/// (Tauri sends the channel's `end` when the last handle goes).
pub struct TauriWriter {
    channel: Option<Channel<InvokeResponseBody>>,
    on_close: Option<Box<dyn FnOnce() + Send>>,
}

impl IpcSocket for TauriSocket {
    type Reader = TauriReader;
    type Writer = TauriWriter;

    fn into_split(self) -> (TauriReader, TauriWriter) {
        (
            TauriReader(self.rx),
            TauriWriter {
                channel: Some(self.channel),
                on_close: Some(self.on_close),
            },
        )
    }

    fn supports_binary(&self) -> bool {
        true
    }
}

fn oversize(bytes: &[u8]) -> Incoming {
    let head = &bytes[..bytes.len().min(OVERSIZE_HEAD_BYTES)];
    Incoming::TooLarge {
        head: String::from_utf8_lossy(head).into_owned(),
        fatal: false,
    }
}

impl MessageReader for TauriReader {
    async fn read(&mut self, max_bytes: usize) -> Incoming {
        match self.0.recv().await {
            Some(Frame::Text(bytes)) if bytes.len() > max_bytes => oversize(&bytes),
            Some(Frame::Binary(bytes)) if bytes.len() > max_bytes => {
                oversize(bytes.get(4..).unwrap_or_default())
            }
            Some(Frame::Text(bytes)) => match String::from_utf8(bytes) {
                Ok(text) => Incoming::Text(text),
                Err(_) => Incoming::InvalidUtf8 { fatal: false },
            },
            Some(Frame::Binary(bytes)) => Incoming::Binary(bytes),
            None => Incoming::Closed,
        }
    }
}

impl TauriWriter {
    fn send(&mut self, body: InvokeResponseBody) -> io::Result<()> {
        let channel = self.channel.as_ref().ok_or(io::ErrorKind::NotConnected)?;
        channel
            .send(body)
            .map_err(|e| io::Error::new(io::ErrorKind::BrokenPipe, e.to_string()))
    }
}

impl MessageWriter for TauriWriter {
    async fn write(&mut self, text: String) -> io::Result<()> {
        // A JSON string literal: Tauri evaluates a small one in the page, and a large one
        // arrives through `fetch` and `JSON.parse`; either way the page gets the message text
        // as a string, with no second parse of the message itself.
        let literal = serde_json_string(&text);
        self.send(InvokeResponseBody::Json(literal))
    }

    async fn write_binary(&mut self, message: Vec<u8>) -> io::Result<()> {
        // Raw: fetched by the page as an ArrayBuffer (Tauri evals one under 1 KiB as a literal).
        self.send(InvokeResponseBody::Raw(message))
    }

    async fn write_binary_parts(&mut self, message: BinaryOut) -> io::Result<()> {
        self.write_binary(message.into_vec()).await
    }

    async fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }

    async fn close(&mut self) -> io::Result<()> {
        self.channel = None;
        if let Some(on_close) = self.on_close.take() {
            on_close();
        }
        Ok(())
    }
}

impl Drop for TauriWriter {
    fn drop(&mut self) {
        if let Some(on_close) = self.on_close.take() {
            on_close();
        }
    }
}

/// `text` as a JSON string literal.
fn serde_json_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string always serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inbox() -> (Inbox, mpsc::Receiver<Frame>) {
        let (tx, rx) = mpsc::channel(INBOX_CAPACITY);
        let inbox = Inbox(Arc::new(Mutex::new(Inbound {
            next: 0,
            early: BTreeMap::new(),
            tx: Some(tx),
        })));
        (inbox, rx)
    }

    fn text(frame: Frame) -> String {
        match frame {
            Frame::Text(bytes) => String::from_utf8(bytes).unwrap(),
            Frame::Binary(_) => panic!("binary"),
        }
    }

    #[tokio::test]
    async fn messages_reach_the_host_in_sequence_order() {
        let (inbox, mut rx) = inbox();
        for seq in [2u64, 0, 3, 1] {
            inbox
                .deliver(seq, Frame::Text(seq.to_string().into_bytes()))
                .await
                .unwrap();
        }
        for want in ["0", "1", "2", "3"] {
            assert_eq!(text(rx.recv().await.unwrap()), want);
        }
    }

    #[tokio::test]
    async fn a_repeated_or_far_sequence_number_closes_the_connection() {
        let (inbox, mut rx) = inbox();
        inbox.deliver(0, Frame::Text(b"a".to_vec())).await.unwrap();
        assert_eq!(
            inbox.deliver(0, Frame::Text(b"a".to_vec())).await,
            Err(SendError::BadSequence)
        );
        assert_eq!(text(rx.recv().await.unwrap()), "a");
        assert!(rx.recv().await.is_none());
        assert_eq!(
            inbox.deliver(1, Frame::Text(b"b".to_vec())).await,
            Err(SendError::Closed)
        );

        let (inbox, _rx) = self::inbox();
        assert_eq!(
            inbox.deliver(REORDER_WINDOW, Frame::Text(Vec::new())).await,
            Err(SendError::BadSequence)
        );
    }
}
