//! The Tauri transport: one ipcc connection as an [`IpcSocket`] whose incoming messages are the
//! webview's `send` invokes (put back in their order) and whose outgoing ones go in the answer
//! of the `send` being handled when the host wrote them, or else to the webview's
//! `tauri::ipc::Channel`, numbered so the page merges the two in the host's order.

use std::collections::BTreeMap;
use std::future::Future;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ipcc_runtime::transport::out::BinaryOut;
use ipcc_runtime::transport::{
    Incoming, MessageReader, MessageWriter, OutgoingQueue, OVERSIZE_HEAD_BYTES,
};
use ipcc_runtime::IpcSocket;
use tauri::ipc::{Channel, InvokeResponseBody};
use tokio::sync::{mpsc, Mutex, Notify};

/// How many received messages may wait for the host to read them before `send` invokes wait
/// (and, through the page's cap on unanswered sends, the page stops sending).
const INBOX_CAPACITY: usize = 64;

/// How far ahead of the next expected sequence number a message may arrive. The page has at
/// most [`crate::MAX_UNANSWERED_SENDS`] sends unanswered, so an honest page stays within it;
/// a page beyond it is refused (the held messages are bounded by this window).
pub const REORDER_WINDOW: u64 = 256;

/// How long a `send` waits at most for the host to handle its message and write what it answers
/// at once, to carry it in the send's own answer. Only a fallback: the send answers as soon as
/// the host's writer flushed an answer, or the host asked for its next message with nothing
/// left to write.
const REPLY_WAIT: Duration = Duration::from_millis(2);

/// How many messages one `send` answer carries at most (the page holds at most
/// [`crate::MAX_UNANSWERED_SENDS`] answers' worth while it waits for an earlier message).
pub const MAX_REPLY_MESSAGES: usize = 64;

/// How many bytes of text one `send` answer carries at most, past its first message.
const MAX_REPLY_BYTES: usize = 1 << 20;

/// One message from the page, as its `send` invoke carried it.
#[derive(Debug)]
pub enum Frame {
    /// A text message's bytes (UTF-8 not yet checked).
    Text(Vec<u8>),
    /// A binary message (protocol v2 binary `bytes`).
    Binary(Vec<u8>),
}

impl Frame {
    /// The message's size in bytes.
    pub fn len(&self) -> usize {
        match self {
            Frame::Text(bytes) | Frame::Binary(bytes) => bytes.len(),
        }
    }

    /// Whether the message is empty (never a valid one).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
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

/// What the two halves of a connection share with the plugin's `send` invokes.
struct Shared {
    out: std::sync::Mutex<Outbound>,
    /// How many of the page's messages the host has handled: it asked for the next one after
    /// them, so whatever it answered to them at once is in its outgoing queue.
    handled: AtomicU64,
    /// Signalled when `handled` grows, the writer flushes, or the connection closes.
    changed: Notify,
    /// This connection's outgoing queue in the host (given when the host starts serving it):
    /// whether anything is still to be written, and a signal after each flush. Only this
    /// connection's: another window's backlog does not hold this one's sends.
    outgoing: std::sync::OnceLock<OutgoingQueue>,
    /// [`REPLY_WAIT`] (longer in tests that must not depend on how fast the machine is).
    reply_wait: Duration,
}

/// The host → page half's numbering: every message goes either on the channel (Tauri numbers
/// those) or in a `send` answer (numbered here); markers on the channel tell the page how many
/// answer-carried messages come before the channel messages after them.
struct Outbound {
    /// Messages (markers included) sent on the channel so far: the index of the next one.
    channel_sent: u64,
    /// Messages carried in `send` answers so far.
    replied: u64,
    /// `replied` as the channel's last marker announced it.
    announced: u64,
    /// The answer a `send` is filling, while one is.
    batch: Option<Replies>,
    /// The writer closed: nothing more will be written.
    closed: bool,
}

/// Messages one `send` answer carries: they come right after channel message `index - 1` and
/// before channel message `index`, and are numbered from `first` among answer-carried ones.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Replies {
    /// How many channel messages come before them.
    pub index: u64,
    /// The number of the first among the messages carried in answers.
    pub first: u64,
    /// The messages' text, in order.
    pub messages: Vec<String>,
    bytes: usize,
    /// No more may join (the writer flushed them, wrote a message on the channel after them,
    /// or the answer is full).
    full: bool,
}

impl Replies {
    /// The answer's body: `null` when it carries nothing, else
    /// `{"index":…,"seq":…,"messages":["…",…]}` (docs/tauri.md, "How it travels").
    pub fn to_json(&self) -> String {
        if self.messages.is_empty() {
            return "null".to_owned();
        }
        let mut json = String::with_capacity(self.bytes + 16 * self.messages.len() + 48);
        json.push_str("{\"index\":");
        json.push_str(&self.index.to_string());
        json.push_str(",\"seq\":");
        json.push_str(&self.first.to_string());
        json.push_str(",\"messages\":[");
        for (i, message) in self.messages.iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            json.push_str(&serde_json_string(message));
        }
        json.push_str("]}");
        json
    }
}

fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// The page → host half of one connection, shared by the plugin's `send` invokes: Tauri may run
/// two invokes of one page in either order, so each message carries its sequence number and is
/// handed to the host only after all the earlier ones.
#[derive(Clone)]
pub struct Inbox {
    inbound: Arc<Mutex<Inbound>>,
    shared: Arc<Shared>,
}

/// How a delivered message was taken.
#[derive(Debug, PartialEq, Eq)]
pub enum Delivered {
    /// It (and every earlier one) is in the host's queue.
    Queued,
    /// It came early and is held until the earlier ones come.
    Held,
}

impl Inbox {
    /// Takes message `seq`; resolves once it and every earlier one were handed to the host
    /// (or were held, when an earlier one is still missing).
    pub async fn deliver(&self, seq: u64, frame: Frame) -> Result<Delivered, SendError> {
        let mut inbound = self.inbound.lock().await;
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
            return Ok(Delivered::Held);
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
                None => return Ok(Delivered::Queued),
            }
        }
    }

    /// Delivers message `seq` as [`Inbox::deliver`] does and, when no other `send` of this
    /// connection is doing it, collects what the host writes meanwhile for this send's answer:
    /// until the host flushed what it wrote, or handled the message with nothing left to write
    /// (at most [`REPLY_WAIT`]). Messages not collected go on the channel.
    pub async fn deliver_and_collect(
        &self,
        seq: u64,
        frame: Frame,
    ) -> Result<Option<Replies>, SendError> {
        // Opened before the message reaches the host, so an answer written at once lands in it.
        let collecting = {
            let mut out = lock(&self.shared.out);
            let free = out.batch.is_none() && !out.closed;
            if free {
                out.batch = Some(Replies::default());
            }
            free
        };
        let delivered = self.deliver(seq, frame).await;
        if !collecting {
            return delivered.map(|_| None);
        }
        if delivered == Ok(Delivered::Queued) {
            self.wait_for_replies(seq).await;
        }
        // Whatever joined the batch is numbered: it goes with this answer even if the host has
        // not handled the message (then its answer goes on the channel).
        let replies = lock(&self.shared.out).batch.take();
        delivered.map(|_| replies.filter(|r| !r.messages.is_empty()))
    }

    async fn wait_for_replies(&self, seq: u64) {
        let deadline = tokio::time::Instant::now() + self.shared.reply_wait;
        let outgoing = self.shared.outgoing.get();
        loop {
            let changed = self.shared.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            // The writer's flush, after which what it wrote (an answer that went on the
            // channel) no longer counts as queued.
            let drained = outgoing.map(OutgoingQueue::drained);
            tokio::pin!(drained);
            if let Some(drained) = drained.as_mut().as_pin_mut() {
                drained.enable();
            }
            {
                let out = lock(&self.shared.out);
                let full = out.batch.as_ref().is_none_or(|b| b.full);
                if out.closed || full {
                    return;
                }
            }
            if self.shared.handled.load(Ordering::Acquire) > seq
                && outgoing.is_none_or(|queue| queue.queued_bytes() == 0)
            {
                return;
            }
            let woken = std::future::poll_fn(|cx| {
                let flushed = drained
                    .as_mut()
                    .as_pin_mut()
                    .is_some_and(|drained| drained.poll(cx).is_ready());
                if flushed || changed.as_mut().poll(cx).is_ready() {
                    std::task::Poll::Ready(())
                } else {
                    std::task::Poll::Pending
                }
            });
            if tokio::time::timeout_at(deadline, woken).await.is_err() {
                return;
            }
        }
    }

    /// Closes the page → host half: the host reads end of stream once it has read what was
    /// delivered, and ends the connection (cancelling its calls).
    pub async fn close(&self) {
        let mut inbound = self.inbound.lock().await;
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
    shared: Arc<Shared>,
    on_close: Box<dyn FnOnce() + Send>,
}

/// A connection's two ends: the socket the host serves, and the inbox the plugin feeds.
/// `on_close` runs once when the host closes the connection (the plugin forgets it).
pub fn socket(
    channel: Channel<InvokeResponseBody>,
    on_close: impl FnOnce() + Send + 'static,
) -> (TauriSocket, Inbox) {
    socket_waiting(channel, on_close, REPLY_WAIT)
}

/// [`socket`] whose sends wait at most `reply_wait` for the host's answers.
fn socket_waiting(
    channel: Channel<InvokeResponseBody>,
    on_close: impl FnOnce() + Send + 'static,
    reply_wait: Duration,
) -> (TauriSocket, Inbox) {
    let (tx, rx) = mpsc::channel(INBOX_CAPACITY);
    let shared = Arc::new(Shared {
        out: std::sync::Mutex::new(Outbound {
            channel_sent: 0,
            replied: 0,
            announced: 0,
            batch: None,
            closed: false,
        }),
        handled: AtomicU64::new(0),
        changed: Notify::new(),
        outgoing: std::sync::OnceLock::new(),
        reply_wait,
    });
    let inbox = Inbox {
        inbound: Arc::new(Mutex::new(Inbound {
            next: 0,
            early: BTreeMap::new(),
            tx: Some(tx),
        })),
        shared: shared.clone(),
    };
    let socket = TauriSocket {
        rx,
        channel,
        shared,
        on_close: Box::new(on_close),
    };
    (socket, inbox)
}

/// Reading half of a [`TauriSocket`].
pub struct TauriReader {
    rx: mpsc::Receiver<Frame>,
    shared: Arc<Shared>,
    /// Messages handed to the host so far.
    read: u64,
}

/// Writing half of a [`TauriSocket`]: dropping its channel tells the page the connection ended
/// (Tauri sends the channel's `end` when the last handle goes).
pub struct TauriWriter {
    channel: Option<Channel<InvokeResponseBody>>,
    shared: Arc<Shared>,
    on_close: Option<Box<dyn FnOnce() + Send>>,
}

impl IpcSocket for TauriSocket {
    type Reader = TauriReader;
    type Writer = TauriWriter;

    fn into_split(self) -> (TauriReader, TauriWriter) {
        (
            TauriReader {
                rx: self.rx,
                shared: self.shared.clone(),
                read: 0,
            },
            TauriWriter {
                channel: Some(self.channel),
                shared: self.shared,
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
        // The host asks for the next message once it handled the last one.
        if self.shared.handled.load(Ordering::Relaxed) != self.read {
            self.shared.handled.store(self.read, Ordering::Release);
            self.shared.changed.notify_waiters();
        }
        let frame = self.rx.recv().await;
        if frame.is_some() {
            self.read += 1;
        }
        match frame {
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

    fn watch_outgoing(&mut self, queue: OutgoingQueue) {
        let _ = self.shared.outgoing.set(queue);
    }
}

impl TauriWriter {
    /// Sends `body` on the channel, after a marker if answers carried messages since the last.
    fn send(&mut self, out: &mut Outbound, body: InvokeResponseBody) -> io::Result<()> {
        let channel = self.channel.as_ref().ok_or(io::ErrorKind::NotConnected)?;
        let failed = |e: tauri::Error| io::Error::new(io::ErrorKind::BrokenPipe, e.to_string());
        if out.replied != out.announced {
            channel
                .send(InvokeResponseBody::Json(out.replied.to_string()))
                .map_err(failed)?;
            out.channel_sent += 1;
            out.announced = out.replied;
        }
        // Messages in an answer after this one would not be contiguous: that answer is done.
        if let Some(batch) = out.batch.as_mut().filter(|b| !b.messages.is_empty()) {
            batch.full = true;
        }
        channel.send(body).map_err(failed)?;
        out.channel_sent += 1;
        Ok(())
    }

    /// The channel's last marker before it ends, so the page waits for every answer-carried
    /// message before it sees the end.
    fn end(&mut self) {
        let mut out = lock(&self.shared.out);
        if let Some(channel) = self.channel.take() {
            if out.replied != out.announced {
                let _ = channel.send(InvokeResponseBody::Json(out.replied.to_string()));
                out.announced = out.replied;
            }
        }
        out.closed = true;
        drop(out);
        self.shared.changed.notify_waiters();
        if let Some(on_close) = self.on_close.take() {
            on_close();
        }
    }
}

impl MessageWriter for TauriWriter {
    async fn write(&mut self, text: String) -> io::Result<()> {
        let shared = self.shared.clone();
        let mut out = lock(&shared.out);
        let (index, first) = (out.channel_sent, out.replied);
        if let Some(batch) = out.batch.as_mut().filter(|b| !b.full) {
            if batch.messages.is_empty() {
                batch.index = index;
                batch.first = first;
            } else if batch.bytes + text.len() > MAX_REPLY_BYTES {
                batch.full = true;
            }
            if !batch.full {
                batch.bytes += text.len();
                batch.messages.push(text);
                batch.full = batch.messages.len() >= MAX_REPLY_MESSAGES;
                out.replied += 1;
                return Ok(());
            }
        }
        // A JSON string literal: Tauri evaluates a small one in the page, and a large one
        // arrives through `fetch` and `JSON.parse`; either way the page gets the message text
        // as a string, with no second parse of the message itself.
        let literal = serde_json_string(&text);
        self.send(&mut out, InvokeResponseBody::Json(literal))
    }

    async fn write_binary(&mut self, message: Vec<u8>) -> io::Result<()> {
        // Raw: fetched by the page as an ArrayBuffer (Tauri evals one under 1 KiB as a literal).
        let shared = self.shared.clone();
        let mut out = lock(&shared.out);
        self.send(&mut out, InvokeResponseBody::Raw(message))
    }

    async fn write_binary_parts(&mut self, message: BinaryOut) -> io::Result<()> {
        self.write_binary(message.into_vec()).await
    }

    async fn flush(&mut self) -> io::Result<()> {
        // What an answer collected is complete: the `send` filling it may answer now.
        let flushed = {
            let mut out = lock(&self.shared.out);
            match out.batch.as_mut().filter(|b| !b.messages.is_empty()) {
                Some(batch) => {
                    batch.full = true;
                    true
                }
                None => false,
            }
        };
        if flushed {
            self.shared.changed.notify_waiters();
        }
        Ok(())
    }

    async fn close(&mut self) -> io::Result<()> {
        self.end();
        Ok(())
    }
}

impl Drop for TauriWriter {
    fn drop(&mut self) {
        if self.channel.is_some() || self.on_close.is_some() {
            self.end();
        }
    }
}

/// `text` as a JSON string literal.
fn serde_json_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string always serializes")
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc as std_mpsc;

    use super::*;

    /// An inbox whose host end is read by the test itself.
    fn inbox() -> (Inbox, mpsc::Receiver<Frame>) {
        let channel = Channel::new(|_| Ok(()));
        let (socket, inbox) = socket(channel, || {});
        (inbox, socket.rx)
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

    /// What the page receives on the channel, in order.
    fn recorded() -> (Channel<InvokeResponseBody>, std_mpsc::Receiver<String>) {
        let (tx, rx) = std_mpsc::channel();
        let tx = std::sync::Mutex::new(tx);
        let channel = Channel::new(move |body| {
            let text = match body {
                InvokeResponseBody::Json(json) => json,
                InvokeResponseBody::Raw(bytes) => format!("raw {}", bytes.len()),
            };
            let _ = lock(&tx).send(text);
            Ok(())
        });
        (channel, rx)
    }

    /// A host stand-in over the socket's halves: answers every message it reads with `reply`
    /// (written and flushed at once) unless it is "quiet".
    fn echo_host(socket: TauriSocket) -> tokio::task::JoinHandle<()> {
        let (mut reader, mut writer) = socket.into_split();
        tokio::spawn(async move {
            loop {
                match reader.read(1 << 20).await {
                    Incoming::Text(text) if text == "quiet" => {}
                    Incoming::Text(text) => {
                        writer.write(format!("re {text}")).await.unwrap();
                        writer.flush().await.unwrap();
                    }
                    Incoming::Binary(bytes) => {
                        writer.write_binary(bytes).await.unwrap();
                        writer.flush().await.unwrap();
                    }
                    _ => break,
                }
            }
            writer.close().await.unwrap();
        })
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_send_carries_the_answer_written_at_once_and_the_channel_numbers_around_it() {
        let (channel, page) = recorded();
        // Only the early ends are tested here: a wait that runs out would be a slow machine.
        let (socket, inbox) = socket_waiting(channel, || {}, Duration::from_secs(60));
        let host = echo_host(socket);

        let replies = inbox
            .deliver_and_collect(0, Frame::Text(b"a".to_vec()))
            .await
            .unwrap()
            .expect("the answer to `a` came with the send");
        assert_eq!((replies.index, replies.first), (0, 0));
        assert_eq!(replies.messages, ["re a"]);
        assert_eq!(
            replies.to_json(),
            r#"{"index":0,"seq":0,"messages":["re a"]}"#
        );

        // A message the host does not answer: the send answers with nothing once it was handled.
        let quiet = inbox
            .deliver_and_collect(1, Frame::Text(b"quiet".to_vec()))
            .await
            .unwrap();
        assert_eq!(quiet, None);

        // A binary answer goes on the channel, after a marker: one answer-carried message
        // comes before it.
        inbox
            .deliver_and_collect(2, Frame::Binary(vec![1, 2, 3]))
            .await
            .unwrap();
        assert_eq!(page.recv().unwrap(), "1");
        assert_eq!(page.recv().unwrap(), "raw 3");

        let replies = inbox
            .deliver_and_collect(3, Frame::Text(b"b".to_vec()))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((replies.index, replies.first), (2, 1));

        inbox.close().await;
        host.await.unwrap();
        // The end is announced after the last answer-carried message.
        assert_eq!(page.recv().unwrap(), "2");
        assert!(page.try_recv().is_err());
    }

    #[tokio::test]
    async fn only_one_send_collects_at_a_time_and_an_answer_has_a_size_limit() {
        let (channel, page) = recorded();
        let (socket, inbox) = socket(channel, || {});
        let (_reader, mut writer) = socket.into_split();
        lock(&inbox.shared.out).batch = Some(Replies::default());
        for i in 0..MAX_REPLY_MESSAGES + 1 {
            writer.write(format!("m{i}")).await.unwrap();
        }
        let batch = lock(&inbox.shared.out).batch.take().unwrap();
        assert_eq!(batch.messages.len(), MAX_REPLY_MESSAGES);
        assert!(batch.full);
        assert_eq!(page.recv().unwrap(), MAX_REPLY_MESSAGES.to_string());
        assert_eq!(page.recv().unwrap(), format!("\"m{MAX_REPLY_MESSAGES}\""));
    }

    #[tokio::test]
    async fn a_send_that_finds_the_host_gone_answers_within_the_wait() {
        let (inbox, rx) = inbox();
        drop(rx);
        assert_eq!(
            inbox
                .deliver_and_collect(0, Frame::Text(b"a".to_vec()))
                .await,
            Err(SendError::Closed)
        );
        // Delivered but never read: the send gives up after the wait, with nothing.
        let (inbox, _rx) = self::inbox();
        assert_eq!(
            inbox
                .deliver_and_collect(0, Frame::Text(b"a".to_vec()))
                .await,
            Ok(None)
        );
        assert!(lock(&inbox.shared.out).batch.is_none());
    }
}
