//! The in-memory transport: messages over in-process channels, so every path is the wire's.

use std::io;

use tokio::sync::mpsc;

use super::{oversize_head, Incoming, IpcSocket, MessageReader, MessageWriter};
use crate::transport::out::OutMessage;

/// How many messages may wait in one direction before the writer waits (backpressure).
const CHANNEL_CAPACITY: usize = 256;

/// One end of an in-memory connection.
pub struct MemorySocket {
    tx: mpsc::Sender<OutMessage>,
    rx: mpsc::Receiver<OutMessage>,
}

/// Two connected ends: what one writes, the other reads.
pub fn pair() -> (MemorySocket, MemorySocket) {
    let (a_tx, a_rx) = mpsc::channel(CHANNEL_CAPACITY);
    let (b_tx, b_rx) = mpsc::channel(CHANNEL_CAPACITY);
    (
        MemorySocket { tx: a_tx, rx: b_rx },
        MemorySocket { tx: b_tx, rx: a_rx },
    )
}

/// Reading half of a [`MemorySocket`].
pub struct MemoryReader(mpsc::Receiver<OutMessage>);

/// Writing half of a [`MemorySocket`]; closing drops the sender so the peer reads `Closed`.
pub struct MemoryWriter(Option<mpsc::Sender<OutMessage>>);

impl IpcSocket for MemorySocket {
    type Reader = MemoryReader;
    type Writer = MemoryWriter;

    fn into_split(self) -> (MemoryReader, MemoryWriter) {
        (MemoryReader(self.rx), MemoryWriter(Some(self.tx)))
    }

    fn supports_binary(&self) -> bool {
        true
    }
}

impl MessageReader for MemoryReader {
    async fn read(&mut self, max_bytes: usize) -> Incoming {
        match self.0.recv().await {
            Some(OutMessage::Text(text)) if text.len() > max_bytes => Incoming::TooLarge {
                head: oversize_head(text.as_bytes()),
                fatal: false,
            },
            Some(OutMessage::Binary(message)) if message.len() > max_bytes => Incoming::TooLarge {
                head: oversize_head(message.head().get(4..).unwrap_or_default()),
                fatal: false,
            },
            Some(OutMessage::Text(text)) => Incoming::Text(text),
            Some(OutMessage::Binary(message)) => Incoming::Binary(message.into_vec()),
            None => Incoming::Closed,
        }
    }
}

impl MemoryWriter {
    async fn send(&mut self, message: OutMessage) -> io::Result<()> {
        let tx = self.0.as_ref().ok_or(io::ErrorKind::NotConnected)?;
        tx.send(message)
            .await
            .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))
    }
}

impl MessageWriter for MemoryWriter {
    async fn write(&mut self, text: String) -> io::Result<()> {
        self.send(OutMessage::Text(text)).await
    }

    async fn write_binary(&mut self, message: Vec<u8>) -> io::Result<()> {
        self.send(OutMessage::Binary(message.into())).await
    }

    async fn write_binary_parts(
        &mut self,
        message: crate::transport::out::BinaryOut,
    ) -> io::Result<()> {
        self.send(OutMessage::Binary(message)).await
    }

    async fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }

    async fn close(&mut self) -> io::Result<()> {
        self.0 = None;
        Ok(())
    }
}
