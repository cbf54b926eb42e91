//! Protocol v2 streams (docs/protocol.md, "Version 2: streams"): the credit and sequence
//! bookkeeping both sides share, and the backend's input stream handed to handlers.
//!
//! A stream's receiver keeps a [`Receiving`] (sequence check, credit it granted, the items it
//! buffered, when to grant again); its sender keeps a [`SendCredit`] (credit it holds, bounded
//! by its own `maxCredit`). The host (`session/host.rs`) and the client
//! (`session/connection.rs`) each wrap these in what their side needs.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use crate::protocol::binary::Payload;
use futures_util::Stream;
use tokio::sync::Notify;

use crate::protocol::error::{ErrorCode, IpcError};
use crate::protocol::lock;
use crate::protocol::message;
use crate::protocol::outbox::Outbox;

/// The credit window a receiver grants by default (docs/protocol.md, "Stream limits"): what a
/// slow consumer holds at most, in items. 256 rather than 64: a `credit` message per 128 items,
/// and a producer that waits for credit only when its consumer is 128 items behind.
pub const DEFAULT_STREAM_WINDOW: u64 = 256;
/// The most credit a sender holds for one stream by default (`maxCredit`).
pub const DEFAULT_MAX_CREDIT: u64 = 1024;
/// Streams open at once on one connection, by default (`maxStreams`).
pub const DEFAULT_MAX_STREAMS: usize = 256;

/// A stream of encoded items that may fail: a handler's output stream (backend), or the source
/// of a call's input stream (frontend). An `Err` ends the stream: the call fails with it.
pub type ItemSource = Pin<Box<dyn Stream<Item = Result<Payload, IpcError>> + Send + 'static>>;

/// Which streams a method has (docs/protocol.md, "Streams of a call").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Streams {
    /// One parameter is `AsyncIterable<T>`: the frontend sends its items.
    pub input: bool,
    /// The result is `AsyncIterable<T>`: the backend sends its items.
    pub output: bool,
}

impl Streams {
    /// A unary method: no stream.
    pub const NONE: Streams = Streams {
        input: false,
        output: false,
    };
    /// Only the result is a stream (`tail(path): AsyncIterable<LogLine>`).
    pub const OUTPUT: Streams = Streams {
        input: false,
        output: true,
    };
    /// Only a parameter is a stream (`upload(name, chunks: AsyncIterable<bytes>): Promise<u64>`).
    pub const INPUT: Streams = Streams {
        input: true,
        output: false,
    };
    /// Both (`chat(inbox: AsyncIterable<ChatIn>): AsyncIterable<ChatOut>`).
    pub const BOTH: Streams = Streams {
        input: true,
        output: true,
    };

    /// How many streams a call of this method opens.
    pub fn count(self) -> usize {
        usize::from(self.input) + usize::from(self.output)
    }
}

/// The `flowControl` error.
pub(crate) fn flow_control(id: u64, what: impl std::fmt::Display) -> IpcError {
    IpcError::new(
        ErrorCode::FlowControl,
        format!("stream of call {id}: {what}"),
    )
}

/// The receiving end of one stream: checks `seq` and credit, buffers at most one window.
pub(crate) struct Receiving {
    buffer: VecDeque<Payload>,
    next_seq: u64,
    /// Credit the sender holds: granted and not yet used.
    outstanding: u64,
    /// Items consumed since the last grant.
    consumed: u64,
    window: u64,
    waker: Option<Waker>,
}

impl Receiving {
    /// A stream whose first grant of `window` items is (being) sent.
    pub fn new(window: u64) -> Receiving {
        let window = window.max(1);
        Receiving {
            buffer: VecDeque::new(),
            next_seq: 0,
            outstanding: window,
            consumed: 0,
            window,
            waker: None,
        }
    }

    /// An `item` arrived. A wrong `seq` or an item beyond the credit is `flowControl`; `keep`
    /// false discards the value (the consumer is gone) after the same checks.
    pub fn push(&mut self, id: u64, seq: u64, value: Payload, keep: bool) -> Result<(), IpcError> {
        if seq != self.next_seq {
            return Err(flow_control(
                id,
                format!("item seq {seq}, expected {}", self.next_seq),
            ));
        }
        if self.outstanding == 0 {
            return Err(flow_control(
                id,
                format!("item seq {seq} beyond the credit granted"),
            ));
        }
        self.outstanding -= 1;
        self.next_seq += 1;
        if keep {
            self.buffer.push_back(value);
            if let Some(waker) = self.waker.take() {
                waker.wake();
            }
        }
        Ok(())
    }

    /// Takes the next item, and the credit to grant now (when half the window was consumed and
    /// `grant` is true), so a steady stream never waits for a round trip.
    pub fn pop(&mut self, grant: bool) -> Option<(Payload, Option<u64>)> {
        let item = self.buffer.pop_front()?;
        self.consumed += 1;
        let mut grant_now = None;
        if grant && self.consumed >= (self.window / 2).max(1) {
            // Buffer plus outstanding never pass the window.
            let n = self.consumed;
            self.outstanding += n;
            self.consumed = 0;
            grant_now = Some(n);
        }
        Some((item, grant_now))
    }

    /// Remembers who to wake on the next item.
    pub fn park(&mut self, waker: &Waker) {
        if !self.waker.as_ref().is_some_and(|w| w.will_wake(waker)) {
            self.waker = Some(waker.clone());
        }
    }

    /// Wakes the consumer (the stream ended or failed).
    pub fn wake(&mut self) {
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }

    /// Drops the buffered items (the consumer is gone).
    pub fn clear(&mut self) {
        self.buffer.clear();
    }

    /// Items buffered and not yet consumed.
    #[cfg(test)]
    pub fn buffered(&self) -> usize {
        self.buffer.len()
    }
}

/// The sending end's credit: what the receiver granted, bounded by this side's `maxCredit`.
pub(crate) struct SendCredit {
    state: Mutex<(u64, bool)>,
    max: u64,
    notify: Notify,
}

impl SendCredit {
    /// `initial` credit (a `call`'s `credit`, or 0 until the first `credit` message).
    pub fn new(initial: u64, max: u64) -> SendCredit {
        SendCredit {
            state: Mutex::new((initial, false)),
            max,
            notify: Notify::new(),
        }
    }

    /// A `credit` message granted `n`: past `maxCredit` it is `flowControl`.
    pub fn grant(&self, id: u64, n: u64) -> Result<(), IpcError> {
        let mut state = lock(&self.state);
        let total = state.0.saturating_add(n);
        if n == 0 || total > self.max {
            return Err(flow_control(
                id,
                format!(
                    "a grant of {n} takes the credit to {total}, past maxCredit {}",
                    self.max
                ),
            ));
        }
        state.0 = total;
        drop(state);
        self.notify.notify_one();
        Ok(())
    }

    /// Waits until there is credit for one item; false once closed. The credit stays
    /// outstanding (a grant is checked against it) until [`SendCredit::spend`]: the receiver's
    /// credit is "granted and not yet used" by an item sent, and the producer may take a while
    /// to make the item.
    pub async fn acquire(&self) -> bool {
        loop {
            let notified = self.notify.notified();
            {
                let state = lock(&self.state);
                if state.1 {
                    return false;
                }
                if state.0 > 0 {
                    return true;
                }
            }
            notified.await;
        }
    }

    /// An item was sent: it used one item of credit.
    pub fn spend(&self) {
        let mut state = lock(&self.state);
        state.0 = state.0.saturating_sub(1);
    }

    /// Resolves once closed.
    pub async fn closed(&self) {
        loop {
            let notified = self.notify.notified();
            if lock(&self.state).1 {
                return;
            }
            notified.await;
        }
    }

    /// Closes: waiters stop, no more items are sent.
    pub fn close(&self) {
        lock(&self.state).1 = true;
        self.notify.notify_waiters();
        self.notify.notify_one();
    }

    /// Credit currently held.
    #[cfg(test)]
    pub fn held(&self) -> u64 {
        lock(&self.state).0
    }
}

/// How a running call ends early: the error to answer with once it was cancelled or failed by
/// the host (flow control, an undecodable input item, ...), and a signal for those who wait on
/// it (the call's task, a handler's [`crate::CallContext::cancelled`]).
///
/// One allocation and no lock until something happens: most calls are answered on their first
/// poll and never stopped, and this is made for every call (a `tokio::sync::watch` channel cost
/// about a tenth of a small call's host-side instructions, its eight `Notify`s woken on drop).
pub(crate) struct CallStop {
    /// [`RUNNING`], [`STOPPED`] (the error is set) or [`OVER`].
    state: AtomicU8,
    error: Mutex<Option<IpcError>>,
    /// Wakes [`CallStop::ended`] once the state leaves [`RUNNING`].
    changed: Notify,
}

const RUNNING: u8 = 0;
const STOPPED: u8 = 1;
/// The call ended without being stopped (its [`CallOver`] guard dropped).
const OVER: u8 = 2;

impl CallStop {
    pub fn new() -> Arc<CallStop> {
        Arc::new(CallStop {
            state: AtomicU8::new(RUNNING),
            error: Mutex::new(None),
            changed: Notify::new(),
        })
    }

    /// Whether the call was stopped (cancelled, or failed by the host).
    pub fn is_stopped(&self) -> bool {
        self.state.load(Ordering::Acquire) == STOPPED
    }

    /// The error the call was stopped with, if it was.
    pub fn error(&self) -> Option<IpcError> {
        if self.is_stopped() {
            lock(&self.error).clone()
        } else {
            None
        }
    }

    /// Moves from running to stopped with `error`, or to over without one (the first change
    /// wins), and wakes the waiters.
    fn end(&self, error: Option<IpcError>) {
        let moved = match error {
            // The error is set under its lock before anyone who sees `STOPPED` can read it.
            Some(error) => {
                let mut slot = lock(&self.error);
                let moved = self.move_to(STOPPED);
                if moved {
                    *slot = Some(error);
                }
                moved
            }
            None => self.move_to(OVER),
        };
        if moved {
            self.changed.notify_waiters();
        }
    }

    fn move_to(&self, state: u8) -> bool {
        self.state
            .compare_exchange(RUNNING, state, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// Resolves once the call was stopped or is over.
    pub async fn ended(&self) {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if self.state.load(Ordering::Acquire) != RUNNING {
                return;
            }
            changed.await;
        }
    }
}

/// Marks its call over when dropped (however the call ends), so that whoever waits on the
/// call's [`CallStop`] stops waiting.
pub(crate) struct CallOver(pub Arc<CallStop>);

impl Drop for CallOver {
    fn drop(&mut self) {
        self.0.end(None);
    }
}

/// Ends a call early with `error`, unless it already ended (with another error, or over).
pub(crate) fn stop_call(stop: &CallStop, error: IpcError) {
    stop.end(Some(error));
}

/// The state of a call's input stream on the backend, shared by the connection's reader (which
/// feeds it) and the handler's [`InputStream`].
pub(crate) struct InputShared {
    id: u64,
    outbox: Outbox,
    stop: Arc<CallStop>,
    state: Mutex<InputState>,
    /// Signalled when the handler drops its stream before the end.
    pub dropped: Notify,
}

struct InputState {
    receiving: Receiving,
    /// `end` arrived.
    ended: bool,
    /// The handler dropped the stream.
    dropped: bool,
    /// The call is over (answered, cancelled): nothing more is granted.
    closed: bool,
    /// Whether the stream still counts against `maxStreams`.
    counted: bool,
}

/// What the reader should do after an input-stream message.
pub(crate) enum InputEvent {
    /// Nothing more.
    Fine,
    /// The stream stopped counting against `maxStreams`.
    Released,
}

impl InputShared {
    pub fn new(id: u64, window: u64, outbox: Outbox, stop: Arc<CallStop>) -> Arc<InputShared> {
        Arc::new(InputShared {
            id,
            outbox,
            stop,
            state: Mutex::new(InputState {
                receiving: Receiving::new(window),
                ended: false,
                dropped: false,
                closed: false,
                counted: true,
            }),
            dropped: Notify::new(),
        })
    }

    /// An `item` arrived for this call.
    pub fn item(&self, seq: u64, value: Payload) -> Result<(), IpcError> {
        let mut state = lock(&self.state);
        if state.ended {
            return Err(flow_control(self.id, "item after end"));
        }
        let keep = !state.dropped && !state.closed;
        state.receiving.push(self.id, seq, value, keep)
    }

    /// `end` arrived for this call.
    pub fn end(&self) -> Result<InputEvent, IpcError> {
        let mut state = lock(&self.state);
        if state.ended {
            return Err(flow_control(self.id, "end after end"));
        }
        state.ended = true;
        state.receiving.wake();
        Ok(release(&mut state))
    }

    /// Whether the handler dropped the stream before its end (so `stop` is due).
    pub fn wants_stop(&self) -> bool {
        let state = lock(&self.state);
        state.dropped && !state.ended && !state.closed
    }

    /// `stop` was sent: the stream no longer counts.
    pub fn stopped(&self) -> InputEvent {
        release(&mut lock(&self.state))
    }

    /// The call is over; wakes a handler still reading (its stream ends).
    pub fn close(&self) -> InputEvent {
        let mut state = lock(&self.state);
        state.closed = true;
        state.receiving.clear();
        state.receiving.wake();
        release(&mut state)
    }
}

fn release(state: &mut InputState) -> InputEvent {
    if std::mem::take(&mut state.counted) {
        InputEvent::Released
    } else {
        InputEvent::Fine
    }
}

/// A call's input stream as its handler receives it: the encoded items the frontend sends, in
/// order. The backend grants credit as items are taken, so at most one window is buffered.
/// Dropping it before the end makes the backend send `stop`; the frontend then stops sending.
///
/// Generated code wraps it in a typed [`crate::codegen::ItemStream`]
/// ([`crate::codegen::Args::next_stream`]).
pub struct InputStream {
    shared: Arc<InputShared>,
}

impl InputStream {
    pub(crate) fn new(shared: Arc<InputShared>) -> InputStream {
        InputStream { shared }
    }

    /// Ends the call with `error` (e.g. `badRequest` for an item that does not decode): the
    /// host answers with it and drops the handler.
    pub fn fail(&self, error: IpcError) {
        stop_call(&self.shared.stop, error);
    }

    /// The call's id.
    pub fn call_id(&self) -> u64 {
        self.shared.id
    }
}

impl std::fmt::Debug for InputStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InputStream")
            .field("call", &self.shared.id)
            .finish_non_exhaustive()
    }
}

impl Stream for InputStream {
    type Item = Payload;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Payload>> {
        let shared = &self.shared;
        let mut state = lock(&shared.state);
        let grant = !state.ended && !state.closed;
        if let Some((item, grant_now)) = state.receiving.pop(grant) {
            drop(state);
            if let Some(n) = grant_now {
                shared.outbox.send(message::credit_message(shared.id, n));
            }
            return Poll::Ready(Some(item));
        }
        if state.ended || state.closed {
            return Poll::Ready(None);
        }
        state.receiving.park(cx.waker());
        Poll::Pending
    }
}

impl Drop for InputStream {
    fn drop(&mut self) {
        let mut state = lock(&self.shared.state);
        state.dropped = true;
        state.receiving.clear();
        let due = !state.ended && !state.closed;
        drop(state);
        if due {
            // The call's task sends `stop`, unless the handler finished in the same poll (then
            // the answer says it all).
            self.shared.dropped.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(n: u64) -> Payload {
        serde_json::value::to_raw_value(&n).unwrap().into()
    }

    #[test]
    fn receiving_checks_seq_and_credit_and_grants_at_half_window() {
        let mut r = Receiving::new(4);
        for seq in 0..4 {
            r.push(1, seq, raw(seq), true).unwrap();
        }
        assert!(r.push(1, 4, raw(4), true).is_err(), "past credit");
        assert_eq!(r.pop(true).unwrap().1, None);
        assert_eq!(r.pop(true).unwrap().1, Some(2));
        r.push(1, 4, raw(4), true).unwrap();
        assert!(r.push(1, 9, raw(9), true).is_err(), "wrong seq");
        assert_eq!(r.buffered(), 3);
    }

    /// A call's stop signal keeps the first error; waiters return once it is stopped, or
    /// once the call is over (its guard dropped) without being stopped.
    #[tokio::test]
    async fn call_stop_keeps_the_first_error_and_releases_waiters() {
        let stop = CallStop::new();
        let waiter = tokio::spawn({
            let stop = stop.clone();
            async move { stop.ended().await }
        });
        tokio::task::yield_now().await;
        assert!(!stop.is_stopped() && stop.error().is_none());
        stop_call(&stop, IpcError::bad_request("first"));
        stop_call(&stop, IpcError::bad_request("second"));
        waiter.await.unwrap();
        assert!(stop.is_stopped());
        assert_eq!(stop.error().unwrap().message, "first");
        drop(CallOver(stop.clone()));
        assert_eq!(stop.error().unwrap().message, "first", "over after stop");

        let stop = CallStop::new();
        let over = CallOver(stop.clone());
        let waiter = tokio::spawn({
            let stop = stop.clone();
            async move { stop.ended().await }
        });
        tokio::task::yield_now().await;
        drop(over);
        waiter.await.unwrap();
        assert!(!stop.is_stopped(), "over is not stopped");
        stop_call(&stop, IpcError::bad_request("late"));
        assert!(stop.error().is_none(), "a stop after the end is ignored");
        // Already ended: returns at once.
        stop.ended().await;
    }

    #[test]
    fn send_credit_is_bounded_by_max_credit() {
        let credit = SendCredit::new(2, 3);
        credit.grant(1, 1).unwrap();
        assert!(credit.grant(1, 1).is_err());
        assert!(credit.grant(1, 0).is_err());
        assert_eq!(credit.held(), 3);
    }

    /// Credit the producer waits to use is still outstanding: a grant is checked against it.
    #[tokio::test]
    async fn acquired_credit_counts_until_an_item_is_sent() {
        let credit = SendCredit::new(3, 3);
        assert!(credit.acquire().await);
        assert!(credit.grant(1, 1).is_err(), "3 outstanding + 1 > 3");
        credit.spend();
        assert_eq!(credit.held(), 2);
        credit.grant(1, 1).unwrap();
        assert_eq!(credit.held(), 3);
    }
}
