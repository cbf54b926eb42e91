//! The writing side of a connection: a queue drained by one task that writes in batches.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::{mpsc, Notify};

use crate::transport::out::OutMessage;
use crate::transport::{CloseReason, MessageWriter, OutgoingQueue};

/// What the writer task is asked to do.
enum Outgoing {
    Message(OutMessage),
    /// Close after what is queued; `reason` when the peer broke the connection.
    Close {
        reason: Option<CloseReason>,
    },
}

/// How many bytes may wait in outgoing queues: in one connection's, and in all of a host's
/// together (the second shared by every connection of the host).
#[derive(Clone)]
pub(crate) struct QueueLimits {
    pub per_connection: usize,
    pub total: usize,
    /// Bytes queued now in all the connections that share these limits.
    pub queued_total: Arc<AtomicUsize>,
}

impl QueueLimits {
    /// Limits that never stop anything (a frontend's own outbox).
    pub fn unbounded() -> QueueLimits {
        QueueLimits {
            per_connection: usize::MAX,
            total: usize::MAX,
            queued_total: Arc::new(AtomicUsize::new(0)),
        }
    }
}

/// The sending handle of a connection's writer task; cheap to clone.
#[derive(Clone)]
pub(crate) struct Outbox {
    tx: mpsc::UnboundedSender<Outgoing>,
    /// Bytes queued or in the batch being written, until the transport took them (flushed).
    queued: Arc<AtomicUsize>,
    limits: QueueLimits,
    /// Signalled after every batch the writer flushes (and when it stops).
    drained: Arc<Notify>,
}

impl Outbox {
    /// Queues a message; false when the connection's writer has stopped.
    pub fn send(&self, message: impl Into<OutMessage>) -> bool {
        let message = message.into();
        let len = message.len();
        // Counted before it is queued, so the writer never subtracts what was not added.
        self.queued.fetch_add(len, Ordering::Relaxed);
        self.limits.queued_total.fetch_add(len, Ordering::Relaxed);
        if self.tx.send(Outgoing::Message(message)).is_ok() {
            return true;
        }
        self.queued.fetch_sub(len, Ordering::Relaxed);
        self.limits.queued_total.fetch_sub(len, Ordering::Relaxed);
        false
    }

    /// Bytes queued but not yet flushed to the transport.
    pub fn queued_bytes(&self) -> usize {
        self.queued.load(Ordering::Relaxed)
    }

    /// This queue as its transport may watch it ([`crate::transport::MessageReader::watch_outgoing`]).
    pub fn watch(&self) -> OutgoingQueue {
        OutgoingQueue::new(self.queued.clone(), self.drained.clone())
    }

    /// Whether a message of `len` bytes fits: within this connection's limit, and within the
    /// host's total unless this queue is empty (a connection that keeps up always gets its
    /// next message, so peers that stopped reading cannot starve the others).
    pub fn has_room(&self, len: usize) -> bool {
        let own = self.queued_bytes();
        let total = self.limits.queued_total.load(Ordering::Relaxed);
        own.saturating_add(len) <= self.limits.per_connection
            && (own == 0 || total.saturating_add(len) <= self.limits.total)
    }

    /// Waits until this connection's queue is within its limit, and within the host's total
    /// or empty (or the writer stopped): a peer that does not read its answers stops being read
    /// from, instead of making this process grow.
    pub async fn wait_for_room(&self) {
        loop {
            let drained = self.drained.notified();
            let own = self.queued_bytes();
            let total = self.limits.queued_total.load(Ordering::Relaxed);
            let fits =
                own <= self.limits.per_connection && (own == 0 || total <= self.limits.total);
            if fits || self.tx.is_closed() {
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
    limits: QueueLimits,
) -> (Outbox, tokio::task::JoinHandle<()>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let queued = Arc::new(AtomicUsize::new(0));
    let drained = Arc::new(Notify::new());
    // However the task ends: later sends fail (and uncount themselves), what it still held is
    // uncounted (the host's total must not keep the bytes of a dead connection), and waiters
    // are woken. Every byte is uncounted exactly once: by the writer after its flush, here,
    // or by a send that failed, so the counters never wrap.
    struct Ending {
        rx: mpsc::UnboundedReceiver<Outgoing>,
        /// Bytes of the batch being written, counted until its flush.
        batch: usize,
        queued: Arc<AtomicUsize>,
        queued_total: Arc<AtomicUsize>,
        drained: Arc<Notify>,
    }
    impl Ending {
        fn uncount(&self, len: usize) {
            self.queued.fetch_sub(len, Ordering::Relaxed);
            self.queued_total.fetch_sub(len, Ordering::Relaxed);
        }
    }
    impl Drop for Ending {
        fn drop(&mut self) {
            self.rx.close();
            let mut left = std::mem::take(&mut self.batch);
            while let Ok(item) = self.rx.try_recv() {
                if let Outgoing::Message(message) = item {
                    left += message.len();
                }
            }
            self.uncount(left);
            self.drained.notify_waiters();
        }
    }
    let mut ending = Ending {
        rx,
        batch: 0,
        queued: queued.clone(),
        queued_total: limits.queued_total.clone(),
        drained: drained.clone(),
    };
    let task = tokio::spawn(async move {
        let ending = &mut ending;
        while let Some(first) = ending.rx.recv().await {
            let mut next = Some(first);
            let mut close = None;
            // A batch's bytes stay counted until the flush hands them to the transport: the
            // writer's own buffer is memory too.
            while let Some(item) = next.take() {
                match item {
                    Outgoing::Message(message) => {
                        ending.batch += message.len();
                        let written = match message {
                            OutMessage::Text(text) => writer.write(text).await,
                            OutMessage::Binary(message) => writer.write_binary_parts(message).await,
                        };
                        if written.is_err() {
                            return;
                        }
                    }
                    Outgoing::Close { reason } => {
                        close = Some(reason);
                        break;
                    }
                }
                next = ending.rx.try_recv().ok();
            }
            if writer.flush().await.is_err() {
                return;
            }
            let flushed = std::mem::take(&mut ending.batch);
            ending.uncount(flushed);
            ending.drained.notify_waiters();
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
            limits,
            drained,
        },
        task,
    )
}

/// An outbox with no writer task: what is sent waits in the [`Detached`] queue until taken. It
/// serves a connection that has no transport (the host's fixed-cost bench measures the host's
/// own work per message this way, without any I/O).
pub(crate) fn detached() -> (Outbox, Detached) {
    let (tx, rx) = mpsc::unbounded_channel();
    let limits = QueueLimits::unbounded();
    let queued = Arc::new(AtomicUsize::new(0));
    let detached = Detached {
        rx,
        queued: queued.clone(),
        queued_total: limits.queued_total.clone(),
    };
    let outbox = Outbox {
        tx,
        queued,
        limits,
        drained: Arc::new(Notify::new()),
    };
    (outbox, detached)
}

/// The receiving end of a [`detached`] outbox.
pub(crate) struct Detached {
    rx: mpsc::UnboundedReceiver<Outgoing>,
    queued: Arc<AtomicUsize>,
    queued_total: Arc<AtomicUsize>,
}

impl Detached {
    /// The next message sent, if any (a close request is skipped: there is nothing to close).
    pub fn take(&mut self) -> Option<OutMessage> {
        loop {
            match self.rx.try_recv().ok()? {
                Outgoing::Message(message) => {
                    let len = message.len();
                    self.queued.fetch_sub(len, Ordering::Relaxed);
                    self.queued_total.fetch_sub(len, Ordering::Relaxed);
                    return Some(message);
                }
                Outgoing::Close { .. } => continue,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;

    /// A transport that takes `good` messages and then fails.
    struct Failing {
        good: usize,
    }

    impl MessageWriter for Failing {
        async fn write(&mut self, _text: String) -> io::Result<()> {
            match self.good.checked_sub(1) {
                Some(left) => {
                    self.good = left;
                    Ok(())
                }
                None => Err(io::Error::other("the peer is gone")),
            }
        }
        async fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
        async fn close(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Whatever happens to the writer, the host's total comes back to zero: flushed batches,
    /// a batch cut by a failed write, messages left in the queue, sends after the end.
    #[tokio::test]
    async fn every_byte_is_uncounted_once() {
        for good in [0, 1, 5, 100] {
            let limits = QueueLimits {
                per_connection: usize::MAX,
                total: usize::MAX,
                queued_total: Arc::new(AtomicUsize::new(0)),
            };
            let (outbox, task) = spawn_writer(Failing { good }, limits.clone());
            for i in 0..10 {
                outbox.send(OutMessage::from(format!("message {i}")));
            }
            if good >= 10 {
                outbox.close(None);
            }
            task.await.unwrap();
            assert!(!outbox.send(OutMessage::from("late".to_owned())));
            assert_eq!(
                limits.queued_total.load(Ordering::Relaxed),
                0,
                "good = {good}"
            );
            assert_eq!(outbox.queued_bytes(), 0, "good = {good}");
        }
    }
}
