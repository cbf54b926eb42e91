//! The writing side of a connection: a queue drained by one task that writes in batches.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::{mpsc, Notify};

use crate::binary::OutMessage;
use crate::transport::{CloseReason, MessageWriter};

/// What the writer task is asked to do.
enum Outgoing {
    Message(OutMessage),
    /// Close after what is queued; `reason` when the peer broke the connection.
    Close {
        reason: Option<CloseReason>,
    },
}

/// The sending handle of a connection's writer task; cheap to clone.
#[derive(Clone)]
pub(crate) struct Outbox {
    tx: mpsc::UnboundedSender<Outgoing>,
    queued: Arc<AtomicUsize>,
    /// Signalled after every batch the writer flushes (and when it stops).
    drained: Arc<Notify>,
}

impl Outbox {
    /// Queues a message; false when the connection's writer has stopped.
    pub fn send(&self, message: impl Into<OutMessage>) -> bool {
        let message = message.into();
        self.queued.fetch_add(message.len(), Ordering::Relaxed);
        self.tx.send(Outgoing::Message(message)).is_ok()
    }

    /// Bytes queued but not yet written (for backpressure on notifications).
    pub fn queued_bytes(&self) -> usize {
        self.queued.load(Ordering::Relaxed)
    }

    /// Waits until at most `limit` bytes are queued (or the writer stopped): a peer that does
    /// not read its answers stops being read from, instead of making this process grow.
    pub async fn wait_below(&self, limit: usize) {
        loop {
            let drained = self.drained.notified();
            if self.queued_bytes() <= limit || self.tx.is_closed() {
                return;
            }
            drained.await;
        }
    }

    /// Asks the writer to flush what is queued, then close the transport.
    pub fn close(&self, reason: Option<CloseReason>) {
        let _ = self.tx.send(Outgoing::Close { reason });
    }
}

/// Starts the writer task of a connection.
///
/// It writes every message already queued before flushing once, so a burst of results or
/// notifications becomes one transport write. It ends after a close request, when every
/// `Outbox` is dropped, or when the transport fails.
pub(crate) fn spawn_writer<W: MessageWriter>(
    mut writer: W,
) -> (Outbox, tokio::task::JoinHandle<()>) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let queued = Arc::new(AtomicUsize::new(0));
    let counter = queued.clone();
    let drained = Arc::new(Notify::new());
    let signal = drained.clone();
    let task = tokio::spawn(async move {
        // Wakes anyone waiting in `wait_below` however this task ends.
        struct Wake(Arc<Notify>);
        impl Drop for Wake {
            fn drop(&mut self) {
                self.0.notify_waiters();
            }
        }
        let wake = Wake(signal);
        while let Some(first) = rx.recv().await {
            let mut next = Some(first);
            let mut close = None;
            while let Some(item) = next.take() {
                match item {
                    Outgoing::Message(message) => {
                        let len = message.len();
                        let written = match message {
                            OutMessage::Text(text) => writer.write(text).await,
                            OutMessage::Binary(message) => writer.write_binary_parts(message).await,
                        };
                        counter.fetch_sub(len, Ordering::Relaxed);
                        if written.is_err() {
                            return;
                        }
                    }
                    Outgoing::Close { reason } => {
                        close = Some(reason);
                        break;
                    }
                }
                next = rx.try_recv().ok();
            }
            if writer.flush().await.is_err() {
                return;
            }
            wake.0.notify_waiters();
            if let Some(reason) = close {
                let _ = match reason {
                    Some(reason) => writer.close_for(reason).await,
                    None => writer.close().await,
                };
                return;
            }
        }
        let _ = writer.close().await;
    });
    (
        Outbox {
            tx,
            queued,
            drained,
        },
        task,
    )
}
