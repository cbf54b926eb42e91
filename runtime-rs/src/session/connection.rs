//! The frontend side: `IpcConnection` (calls, cancellation, timeouts, listeners) over any
//! transport, plus the WebSocket client and spawning a child backend over stdio.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use serde_json::value::RawValue;
use tokio::process::Child;
use tokio::sync::{oneshot, watch};

use crate::protocol::args::{Args, BoxFuture};
use crate::protocol::binary::{Attachments, BinaryMessage, Payload, BINARY_FEATURE};
use crate::protocol::channel::ChannelSpec;
use crate::protocol::compat::{self, ChannelMismatch, Verdict};
use crate::protocol::error::{ErrorCode, IpcError};
use crate::protocol::lock;
use crate::protocol::message::{
    self, CallStreams, Envelope, PROTOCOL_VERSION, STREAMS_PROTOCOL_VERSION,
};
use crate::protocol::outbox::{spawn_writer, Outbox, QueueLimits};
use crate::protocol::stream::{self, ItemSource, Receiving, SendCredit};
use crate::transport::{CloseReason, Incoming, IpcSocket, MessageReader};

/// Reports errors that belong to no call (an undecodable notification, an `error` with
/// `id: null`).
pub type ErrorHook = Arc<dyn Fn(IpcError) + Send + Sync>;

/// How a connection introduces itself and what it accepts.
#[derive(Clone)]
pub struct ConnectOptions {
    channels: Vec<ChannelSpec>,
    token: Option<String>,
    pub(crate) max_message_bytes: usize,
    pub(crate) origin: Option<String>,
    on_error: Option<ErrorHook>,
    max_credit: u64,
    stream_window: u64,
    binary: bool,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            channels: Vec::new(),
            token: None,
            max_message_bytes: message::DEFAULT_MAX_MESSAGE_BYTES,
            origin: None,
            on_error: None,
            max_credit: stream::DEFAULT_MAX_CREDIT,
            stream_window: stream::DEFAULT_STREAM_WINDOW,
            binary: true,
        }
    }
}

impl fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectOptions")
            .field("channels", &self.channels)
            .field("token", &self.token.as_ref().map(|_| "…"))
            .field("max_message_bytes", &self.max_message_bytes)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl ConnectOptions {
    /// No channels declared, no token, 64 MiB messages.
    pub fn new() -> Self {
        Self::default()
    }

    /// Declares a channel (with its schema hash) in the hello, e.g. a generated `*_SPEC`.
    pub fn channel(mut self, spec: ChannelSpec) -> Self {
        self.channels.push(spec);
        self
    }

    /// Declares several channels.
    pub fn channels(mut self, specs: impl IntoIterator<Item = ChannelSpec>) -> Self {
        self.channels.extend(specs);
        self
    }

    /// The token the backend requires.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The largest message accepted or sent (default 64 MiB).
    pub fn max_message_bytes(mut self, bytes: usize) -> Self {
        self.max_message_bytes = bytes;
        self
    }

    /// The `Origin` header of a WebSocket upgrade (what a browser page would send).
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }

    /// Where errors that belong to no call are reported (default: dropped).
    pub fn on_error(mut self, hook: impl Fn(IpcError) + Send + Sync + 'static) -> Self {
        self.on_error = Some(Arc::new(hook));
        self
    }

    /// The most credit this frontend holds for one input stream it sends (the hello's
    /// `maxCredit`, default 1024, at least 1): a backend granting more is a `flowControl`
    /// error of that call.
    pub fn max_credit(mut self, credit: u64) -> Self {
        self.max_credit = credit.max(1);
        self
    }

    /// The credit window granted to each output stream (default 256, at least 1; at most the
    /// backend's `maxCredit`): how many items of one stream this frontend buffers at most.
    ///
    /// ```
    /// let options = ipcc_runtime::ConnectOptions::new().stream_window(16);
    /// # let _ = options;
    /// ```
    pub fn stream_window(mut self, items: u64) -> Self {
        self.stream_window = items.max(1);
        self
    }

    /// Whether to offer binary `bytes` in the hello (default: yes, on transports that carry
    /// binary messages). Off, every `bytes` value travels as base64, as with a v1 backend.
    pub fn binary(mut self, offer: bool) -> Self {
        self.binary = offer;
        self
    }
}

/// Per-call options.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    /// Give up after this long with `timeout` (and send `cancel`). Default: wait forever.
    pub timeout: Option<Duration>,
}

impl CallOptions {
    /// No timeout.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
}

/// What the backend said in its welcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Welcome {
    /// The backend's channels and their schema hashes.
    pub channels: BTreeMap<String, String>,
    /// The largest message the backend accepts.
    pub max_message_bytes: usize,
    /// How many calls of this connection it runs at once.
    pub max_in_flight: usize,
    /// The protocol in force: 1, or 2 when the backend speaks streams.
    pub protocol: u64,
    /// Streams the backend runs at once on this connection (protocol 2), else `None`.
    pub max_streams: Option<usize>,
    /// The most credit the backend holds for one output stream (protocol 2; 1024 when it did
    /// not say).
    pub max_credit: u64,
    /// Binary `bytes` granted: values with `bytes` travel in binary messages.
    pub binary: bool,
}

/// The connection's state as the reader task sees it.
#[derive(Clone)]
enum State {
    Handshaking,
    Ready(Arc<Welcome>),
    Closed(IpcError),
}

/// Completes one pending call.
type ReplySender = oneshot::Sender<Result<Payload, IpcError>>;

/// A call waiting for its answer, with its streams.
struct Pending {
    reply: ReplySender,
    /// The output stream's items as they arrive.
    output: Option<Arc<Mutex<Receiving>>>,
    /// The credit of the input stream this frontend sends.
    input: Option<Arc<SendCredit>>,
}

impl Pending {
    fn unary(reply: ReplySender) -> Pending {
        Pending {
            reply,
            output: None,
            input: None,
        }
    }

    /// Ends the call: its input stops, its consumer wakes to the answer.
    fn finish(self, answer: Result<Payload, IpcError>) {
        self.close();
        let _ = self.reply.send(answer);
    }

    /// Stops the input pump (it drops its source) and wakes the output's consumer.
    fn close(&self) {
        if let Some(input) = &self.input {
            input.close();
        }
        if let Some(output) = &self.output {
            lock(output).wake();
        }
    }
}

type Listener = Arc<dyn Fn(&str, Args) -> Result<(), IpcError> + Send + Sync>;

struct ConnectionShared {
    outbox: Outbox,
    state: watch::Sender<State>,
    pending: Mutex<HashMap<u64, Pending>>,
    listeners: Mutex<HashMap<String, Vec<(u64, Listener)>>>,
    next_id: AtomicU64,
    next_listener: AtomicU64,
    declared: BTreeMap<String, String>,
    max_message_bytes: usize,
    on_error: Option<ErrorHook>,
    /// Channels whose hashes differ, with the backend's verdict on each.
    mismatched: Mutex<HashMap<String, ChannelMismatch>>,
    child: Mutex<Option<Child>>,
    max_credit: u64,
    stream_window: u64,
    /// The hello offered binary `bytes`.
    offered_binary: bool,
}

impl ConnectionShared {
    /// Whether the welcome granted binary `bytes`.
    fn binary(&self) -> bool {
        matches!(&*self.state.borrow(), State::Ready(welcome) if welcome.binary)
    }

    fn report(&self, error: IpcError) {
        if let Some(hook) = &self.on_error {
            hook(error);
        }
    }

    /// Fails a pending call locally with `error` and tells the backend with `cancel`.
    fn fail_call(&self, id: u64, error: IpcError) {
        let pending = lock(&self.pending).remove(&id);
        if let Some(pending) = pending {
            self.outbox.send(message::cancel_message(id));
            pending.finish(Err(error));
        }
    }

    /// Waits for the welcome; fails with the handshake's error or `disconnected`.
    async fn ready(&self) -> Result<Arc<Welcome>, IpcError> {
        let mut state = self.state.subscribe();
        let state = state
            .wait_for(|s| !matches!(s, State::Handshaking))
            .await
            .map_err(|_| IpcError::disconnected())?
            .clone();
        match state {
            State::Ready(welcome) => Ok(welcome),
            State::Closed(error) => Err(error),
            State::Handshaking => Err(IpcError::disconnected()),
        }
    }

    /// Marks the connection closed and fails every pending call with `disconnected`.
    fn shut(&self, reason: IpcError) {
        self.state.send_if_modified(|state| {
            if matches!(state, State::Closed(_)) {
                false
            } else {
                *state = State::Closed(reason);
                true
            }
        });
        let pending: Vec<_> = lock(&self.pending).drain().collect();
        for (_, pending) in pending {
            pending.finish(Err(IpcError::disconnected()));
        }
        self.outbox.close(None);
        if let Some(child) = lock(&self.child).as_mut() {
            let _ = child.start_kill();
        }
    }
}

/// Closes the connection when the last `IpcConnection` handle is dropped.
struct CloseOnDrop(Arc<ConnectionShared>);

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        self.0.shut(IpcError::disconnected());
    }
}

/// A frontend's connection to one backend: calls, notifications. Cheap to clone; the connection
/// closes when the last clone is dropped or [`IpcConnection::close`] is called.
#[derive(Clone)]
pub struct IpcConnection {
    shared: Arc<ConnectionShared>,
    _closer: Arc<CloseOnDrop>,
}

impl fmt::Debug for IpcConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IpcConnection")
            .field("connected", &self.is_connected())
            .finish_non_exhaustive()
    }
}

impl IpcConnection {
    /// Opens a connection over `socket`: sends the hello at once; calls wait for the welcome.
    /// Must be called inside a tokio runtime.
    pub fn open<S: IpcSocket>(socket: S, options: ConnectOptions) -> IpcConnection {
        let offer_binary = options.binary && socket.supports_binary();
        let (reader, writer) = socket.into_split();
        let (outbox, _writer_task) = spawn_writer(writer, QueueLimits::unbounded());
        let declared: BTreeMap<String, String> = options
            .channels
            .iter()
            .map(|spec| (spec.channel.to_owned(), spec.schema_hash.to_owned()))
            .collect();
        let schemas: BTreeMap<String, Arc<str>> = options
            .channels
            .iter()
            .filter_map(|spec| Some((spec.channel.to_owned(), compat::hello_schema(spec)?)))
            .collect();
        outbox.send(message::hello_message(
            options.token.as_deref(),
            &declared,
            &schemas,
            options.max_credit,
            offer_binary,
        ));
        let shared = Arc::new(ConnectionShared {
            outbox,
            state: watch::channel(State::Handshaking).0,
            pending: Mutex::new(HashMap::new()),
            listeners: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            next_listener: AtomicU64::new(1),
            declared,
            max_message_bytes: options.max_message_bytes,
            on_error: options.on_error.clone(),
            mismatched: Mutex::new(HashMap::new()),
            child: Mutex::new(None),
            max_credit: options.max_credit,
            stream_window: options.stream_window,
            offered_binary: offer_binary,
        });
        tokio::spawn(read_loop(
            reader,
            Arc::downgrade(&shared),
            options.max_message_bytes,
        ));
        IpcConnection {
            _closer: Arc::new(CloseOnDrop(shared.clone())),
            shared,
        }
    }

    /// Makes the connection own its backend process: disconnected when it exits, killed when
    /// the connection closes (the binding's `spawn_stdio`).
    pub(crate) fn own_child(&self, child: Child) {
        *lock(&self.shared.child) = Some(child);
    }

    /// Waits for the welcome; fails with the handshake's error or `disconnected`.
    pub async fn ready(&self) -> Result<Welcome, IpcError> {
        self.shared.ready().await.map(|welcome| (*welcome).clone())
    }

    /// The process id of a backend started with [`IpcConnection::spawn_stdio`].
    pub fn child_id(&self) -> Option<u32> {
        lock(&self.shared.child).as_ref().and_then(Child::id)
    }

    /// True until the connection closed.
    pub fn is_connected(&self) -> bool {
        !matches!(*self.shared.state.borrow(), State::Closed(_))
    }

    /// Alias of [`IpcConnection::is_connected`], after the reference design's `isValid`.
    pub fn is_valid(&self) -> bool {
        self.is_connected()
    }

    /// Closes the connection: pending calls fail with `disconnected`, a child backend is killed.
    pub fn close(&self) {
        self.shared.shut(IpcError::disconnected());
    }

    /// Resolves once the connection is closed (by either side).
    pub async fn closed(&self) {
        let mut state = self.shared.state.subscribe();
        let _ = state.wait_for(|s| matches!(s, State::Closed(_))).await;
    }

    /// Calls `channel`.`method` with encoded positional `args`; returns the encoded result.
    ///
    /// On a binary connection a result holding `bytes` arrives with them attached: decode it
    /// through its [`Payload::decode`]; its JSON alone has attachment indexes where the bytes
    /// were. A caller that reads results as plain JSON turns binary off
    /// ([`ConnectOptions::binary`]).
    ///
    /// Dropping the returned future before it completes cancels the call (a `cancel` is sent).
    pub async fn call(
        &self,
        channel: &str,
        method: &str,
        args: impl IntoIterator<Item = impl Into<Payload>>,
        options: &CallOptions,
    ) -> Result<Payload, IpcError> {
        let args: Vec<Payload> = args.into_iter().map(Into::into).collect();
        let welcome = self.ready().await?;
        if let Some(error) = lock(&self.shared.mismatched)
            .get(channel)
            .and_then(|mismatch| mismatch.call_error(channel, method))
        {
            return Err(error);
        }
        let id = self.shared.next_id.fetch_add(1, Ordering::Relaxed);
        let text = message::call_message(
            id,
            channel,
            method,
            args,
            CallStreams::default(),
            welcome.binary,
        );
        let limit = self.shared.max_message_bytes.min(welcome.max_message_bytes);
        if text.len() > limit {
            return Err(IpcError::too_large("call", text.len(), limit));
        }
        let (reply_tx, reply_rx) = oneshot::channel();
        lock(&self.shared.pending).insert(id, Pending::unary(reply_tx));
        let guard = PendingCall {
            shared: &self.shared,
            id,
        };
        if !self.shared.outbox.send(text) {
            return Err(IpcError::disconnected());
        }
        let reply = match options.timeout {
            Some(limit) => match tokio::time::timeout(limit, reply_rx).await {
                Ok(reply) => reply,
                Err(_) => {
                    drop(guard);
                    return Err(IpcError::new(
                        ErrorCode::Timeout,
                        format!("{channel}.{method} did not answer within {limit:?}"),
                    ));
                }
            },
            None => reply_rx.await,
        };
        drop(guard);
        reply.unwrap_or_else(|_| Err(IpcError::disconnected()))
    }

    /// Calls a method whose result is a stream (protocol v2): the returned stream yields the
    /// encoded items as the backend sends them, then ends (`None`) at the call's `result`; a
    /// failure (a declared error mid-stream, `disconnected`, `timeout`, `flowControl`, ...) is
    /// its last item, an `Err`.
    ///
    /// With `input`, the method also has a streaming parameter: put `null` in its slot of
    /// `args`; its items are pulled from `input` and sent within the credit the backend grants
    /// (see [`IpcConnection::call_with_input`]).
    ///
    /// The call is sent when the stream is first polled. The stream grants the backend credit
    /// as its items are taken ([`ConnectOptions::stream_window`] at most are buffered), so a
    /// consumer that stops reading stops the producer. Dropping it before its end cancels the
    /// call (`cancel` is sent). `options.timeout` covers the whole call, from the first poll to
    /// the last item. On a protocol-1 connection it fails at once with `versionMismatch`.
    pub fn call_stream(
        &self,
        channel: &str,
        method: &str,
        args: impl IntoIterator<Item = impl Into<Payload>>,
        input: Option<ItemSource>,
        options: &CallOptions,
    ) -> CallStream {
        let start = start_streaming(
            self.shared.clone(),
            channel.to_owned(),
            method.to_owned(),
            args.into_iter().map(Into::into).collect(),
            input,
            true,
        );
        CallStream {
            state: CallStreamState::Starting(Box::pin(start)),
            timeout: options.timeout,
            deadline: None,
            what: format!("{channel}.{method}"),
        }
    }

    /// Calls a method with a streaming parameter (protocol v2) whose result is a value: put
    /// `null` in that parameter's slot of `args`; the items of `input` are sent within the
    /// credit the backend grants (`input` is polled only while credit remains), then `end`.
    ///
    /// `input` is dropped, and no longer polled, when the backend sends `stop`, when the call is
    /// answered, cancelled or times out, or when the connection drops. An `Err` item of `input`,
    /// or an item larger than the backend's `maxMessageBytes`, fails the call with that error
    /// locally and cancels it. Dropping the returned future cancels the call. On a protocol-1
    /// connection it fails at once with `versionMismatch`.
    pub async fn call_with_input(
        &self,
        channel: &str,
        method: &str,
        args: impl IntoIterator<Item = impl Into<Payload>>,
        input: ItemSource,
        options: &CallOptions,
    ) -> Result<Payload, IpcError> {
        let started = start_streaming(
            self.shared.clone(),
            channel.to_owned(),
            method.to_owned(),
            args.into_iter().map(Into::into).collect(),
            Some(input),
            false,
        );
        let work = async {
            let mut started = started.await?;
            let reply = (&mut started.reply).await;
            started.done = true;
            reply.unwrap_or_else(|_| Err(IpcError::disconnected()))
        };
        match options.timeout {
            Some(limit) => tokio::time::timeout(limit, work).await.unwrap_or_else(|_| {
                Err(IpcError::new(
                    ErrorCode::Timeout,
                    format!("{channel}.{method} did not answer within {limit:?}"),
                ))
            }),
            None => work.await,
        }
    }

    /// Calls `listener(method, args)` for every notification on `channel`, in order, on the
    /// connection's reader task (keep it quick). An `Err` is reported through the error hook.
    /// The listener is removed when the handle is dropped.
    pub fn add_listener(
        &self,
        channel: &str,
        listener: impl Fn(&str, Args) -> Result<(), IpcError> + Send + Sync + 'static,
    ) -> ListenerHandle {
        let id = self.shared.next_listener.fetch_add(1, Ordering::Relaxed);
        lock(&self.shared.listeners)
            .entry(channel.to_owned())
            .or_default()
            .push((id, Arc::new(listener)));
        ListenerHandle {
            shared: Some(Arc::downgrade(&self.shared)),
            channel: channel.to_owned(),
            id,
        }
    }
}

/// Removes a pending call when its future ends early (dropped or timed out) and tells the
/// backend with `cancel`.
struct PendingCall<'a> {
    shared: &'a ConnectionShared,
    id: u64,
}

impl Drop for PendingCall<'_> {
    fn drop(&mut self) {
        let pending = lock(&self.shared.pending).remove(&self.id);
        if let Some(pending) = pending {
            pending.close();
            self.shared.outbox.send(message::cancel_message(self.id));
        }
    }
}

/// Keeps a notification listener installed; dropping it removes exactly that listener.
#[must_use = "dropping the handle removes the listener at once"]
pub struct ListenerHandle {
    shared: Option<Weak<ConnectionShared>>,
    channel: String,
    id: u64,
}

impl ListenerHandle {
    /// Removes the listener now.
    pub fn remove(mut self) {
        self.detach();
    }

    /// Keeps the listener for the connection's lifetime.
    pub fn forget(mut self) {
        self.shared = None;
    }

    fn detach(&mut self) {
        if let Some(shared) = self.shared.take().and_then(|weak| weak.upgrade()) {
            let mut listeners = lock(&shared.listeners);
            if let Some(list) = listeners.get_mut(&self.channel) {
                list.retain(|(id, _)| *id != self.id);
                if list.is_empty() {
                    listeners.remove(&self.channel);
                }
            }
        }
    }
}

impl Drop for ListenerHandle {
    fn drop(&mut self) {
        self.detach();
    }
}

/// Reads the backend's messages until the connection closes.
async fn read_loop<R: MessageReader>(mut reader: R, shared: Weak<ConnectionShared>, max: usize) {
    let mut binary = false;
    loop {
        let incoming = reader.read(max).await;
        let Some(shared) = shared.upgrade() else {
            return;
        };
        match incoming {
            Incoming::Text(text) => {
                handle_message(&shared, &text, None);
                if !binary && shared.binary() {
                    // The welcome granted binary `bytes`: binary messages may follow.
                    binary = true;
                    reader.accept_binary();
                }
            }
            Incoming::Binary(bytes) if binary => match BinaryMessage::parse(bytes) {
                Ok(message) => handle_message(&shared, message.text(), Some(&message)),
                Err(problem) => shared.report(IpcError::bad_request(format!(
                    "the backend sent a malformed binary message: {problem}"
                ))),
            },
            Incoming::Closed => {
                shared.shut(IpcError::disconnected());
                return;
            }
            Incoming::TooLarge { head, fatal } => {
                let error = IpcError::too_large("message from the backend", max + 1, max);
                let pending = message::sniff_id(&head).and_then(|id| {
                    let pending = lock(&shared.pending).remove(&id);
                    pending.map(|pending| (id, pending))
                });
                match pending {
                    Some((id, pending)) => {
                        shared.outbox.send(message::cancel_message(id));
                        pending.finish(Err(error));
                    }
                    None => shared.report(error),
                }
                if fatal {
                    shared.shut(IpcError::disconnected());
                    return;
                }
            }
            Incoming::InvalidUtf8 { fatal: true } => {
                // RFC 6455 §8.1: a WebSocket peer that sends invalid UTF-8 is failed.
                shared.report(IpcError::bad_request("the backend sent invalid UTF-8"));
                shared.outbox.close(Some(CloseReason::InvalidUtf8));
                shared.shut(IpcError::disconnected());
                return;
            }
            Incoming::Binary(_) | Incoming::InvalidUtf8 { fatal: false } => {
                shared.report(IpcError::bad_request("the backend sent a non-text message"))
            }
        }
    }
}

fn handle_message(shared: &ConnectionShared, text: &str, binary: Option<&BinaryMessage>) {
    let attachments = binary.map(|message| &message.attachments);
    let Some(envelope) = Envelope::parse(text) else {
        return shared.report(IpcError::bad_request("the backend sent malformed JSON"));
    };
    match envelope.kind().as_deref() {
        Some("welcome") => handle_welcome(shared, &envelope),
        Some("result") => {
            let Some(id) = envelope.id() else {
                return shared.report(IpcError::bad_request("result without a valid id"));
            };
            let value = envelope
                .value
                .map_or_else(Payload::null, |raw| Payload::received(raw, attachments));
            let pending = lock(&shared.pending).remove(&id);
            if let Some(pending) = pending {
                pending.finish(Ok(value));
            }
        }
        Some("error") => {
            // `id` is a call's id or `null` (which serde reads as absent); anything else (a
            // string, out of range) makes the message malformed, as the TS runtime reads it: it
            // answers no call and does not end the handshake.
            if envelope.id.is_some() && envelope.id().is_none() {
                return shared.report(IpcError::bad_request(
                    "the backend sent an error with an invalid id",
                ));
            }
            let error = message::parse_error(&envelope);
            match envelope.id() {
                Some(id) => {
                    let pending = lock(&shared.pending).remove(&id);
                    if let Some(pending) = pending {
                        pending.finish(Err(error));
                    }
                }
                None if matches!(*shared.state.borrow(), State::Handshaking) => {
                    // The backend refused the hello; it closes the connection next.
                    shared.shut(error);
                }
                None => shared.report(error),
            }
        }
        Some("notify") => handle_notify(shared, &envelope, attachments),
        Some(kind @ ("item" | "credit" | "stop")) => {
            handle_stream_message(shared, kind, &envelope, attachments)
        }
        _ => shared.report(IpcError::bad_request(
            "the backend sent an unknown message type",
        )),
    }
}

fn handle_welcome(shared: &ConnectionShared, envelope: &Envelope<'_>) {
    // Only the first welcome counts: a later one changes nothing, whatever it says.
    if !matches!(*shared.state.borrow(), State::Handshaking) {
        return;
    }
    // Any `protocol` other than 1 (missing or not a number included) is a backend this
    // frontend cannot talk to: the connection closes, and every call waiting for the welcome
    // (and every later one) fails with `versionMismatch`.
    let protocol = envelope
        .protocol
        .and_then(|raw| serde_json::from_str::<serde_json::Value>(raw.get()).ok())
        .unwrap_or(serde_json::Value::Null);
    // This frontend offered streams, so protocol 2 is as welcome as 1.
    let version = protocol
        .as_u64()
        .filter(|v| *v == PROTOCOL_VERSION || *v == STREAMS_PROTOCOL_VERSION);
    let Some(version) = version else {
        return shared.shut(
            IpcError::new(
                ErrorCode::VersionMismatch,
                format!(
                    "the backend speaks protocol {protocol}, the frontend protocol {PROTOCOL_VERSION}"
                ),
            )
            .with_data(serde_json::json!({
                "backendProtocol": protocol,
                "frontendProtocol": PROTOCOL_VERSION,
            })),
        );
    };
    let channels = message::channel_map(envelope.channels).unwrap_or_default();
    let number = |raw: Option<&RawValue>, default: usize| {
        raw.and_then(|raw| serde_json::from_str::<usize>(raw.get()).ok())
            .unwrap_or(default)
    };
    let streams = version == STREAMS_PROTOCOL_VERSION;
    let welcome = Welcome {
        // A welcome that leaves a limit out means the protocol's default, as TS reads it.
        max_message_bytes: number(
            envelope.max_message_bytes,
            message::DEFAULT_MAX_MESSAGE_BYTES,
        ),
        max_in_flight: number(envelope.max_in_flight, message::DEFAULT_MAX_IN_FLIGHT),
        channels,
        protocol: version,
        max_streams: streams.then(|| number(envelope.max_streams, stream::DEFAULT_MAX_STREAMS)),
        max_credit: message::integer_field(envelope.max_credit)
            .filter(|n| *n >= 1)
            .unwrap_or(stream::DEFAULT_MAX_CREDIT),
        // Granted only to a hello that offered it, and only in a protocol-2 welcome.
        binary: streams && shared.offered_binary && envelope.has_feature(BINARY_FEATURE),
    };
    // A channel the backend judged has a verdict per member; any other channel whose hashes
    // differ is mismatched as a whole.
    let mut judged = message::compat_map(envelope.compat);
    let mut mismatched = HashMap::new();
    {
        for (channel, frontend) in &shared.declared {
            if let Some(backend) = welcome.channels.get(channel) {
                if backend != frontend {
                    let verdict = match judged.remove(channel) {
                        Some(unusable) => Verdict::Members {
                            unusable,
                            deliverable: None,
                        },
                        None => Verdict::Whole,
                    };
                    let mismatch = ChannelMismatch {
                        frontend_hash: frontend.clone(),
                        backend_hash: backend.clone(),
                        verdict,
                    };
                    mismatched.insert(channel.clone(), mismatch);
                }
            }
        }
    }
    shared.state.send_if_modified(|state| {
        if matches!(state, State::Handshaking) {
            // Only the first welcome counts: a later one changes nothing.
            *lock(&shared.mismatched) = mismatched;
            *state = State::Ready(Arc::new(welcome));
            true
        } else {
            false
        }
    });
}

fn handle_notify(
    shared: &ConnectionShared,
    envelope: &Envelope<'_>,
    attachments: Option<&Arc<Attachments>>,
) {
    let (Some(channel), Some(method)) = (
        message::string_field(envelope.channel),
        message::string_field(envelope.method),
    ) else {
        return shared.report(IpcError::bad_request("notify without channel or method"));
    };
    if lock(&shared.mismatched)
        .get(&channel)
        .is_some_and(|mismatch| !mismatch.delivers(&method))
    {
        return;
    }
    let Some(args) = envelope
        .args
        .and_then(|raw| serde_json::from_str::<Vec<Box<RawValue>>>(raw.get()).ok())
    else {
        return shared.report(IpcError::bad_request(format!(
            "notification {channel}.{method}: `args` is not an array"
        )));
    };
    // Clone the listeners out so a listener may add or remove listeners.
    let listeners: Vec<Listener> = lock(&shared.listeners)
        .get(&channel)
        .map(|list| list.iter().map(|(_, l)| l.clone()).collect())
        .unwrap_or_default();
    for listener in listeners {
        if let Err(error) = listener(&method, Args::received(args.clone(), attachments.cloned())) {
            shared.report(IpcError::new(
                error.code.clone(),
                format!("notification {channel}.{method}: {}", error.message),
            ));
        }
    }
}

/// `item`, `credit` or `stop` from the backend. Messages for calls no longer tracked are
/// ignored; a violation fails its call locally with `flowControl` and cancels it.
fn handle_stream_message(
    shared: &ConnectionShared,
    kind: &str,
    envelope: &Envelope<'_>,
    attachments: Option<&Arc<Attachments>>,
) {
    let Some(id) = envelope.id() else {
        return shared.report(IpcError::bad_request(format!("{kind} without a valid id")));
    };
    let outcome = {
        let pending = lock(&shared.pending);
        let Some(call) = pending.get(&id) else {
            return;
        };
        match kind {
            "item" => match (
                &call.output,
                message::integer_field(envelope.seq),
                envelope.value,
            ) {
                (None, _, _) => Err(stream::flow_control(
                    id,
                    "item for a call without output stream",
                )),
                (Some(_), None, _) | (Some(_), _, None) => Err(IpcError::bad_request(
                    "item: `seq` must be a non-negative integer and `value` present",
                )),
                (Some(output), Some(seq), Some(value)) => {
                    lock(output).push(id, seq, Payload::received(value, attachments), true)
                }
            },
            "credit" => match (&call.input, message::integer_field(envelope.n)) {
                (None, _) => Err(stream::flow_control(
                    id,
                    "credit for a call without input stream",
                )),
                (Some(_), None) => Err(IpcError::bad_request(
                    "credit: `n` must be a positive integer",
                )),
                (Some(input), Some(n)) => input.grant(id, n),
            },
            _ => {
                // `stop`: the handler no longer reads; the pump drops the source.
                if let Some(input) = &call.input {
                    input.close();
                }
                Ok(())
            }
        }
    };
    if let Err(error) = outcome {
        shared.fail_call(id, error);
    }
}

/// A streaming call that was sent.
struct Started {
    shared: Arc<ConnectionShared>,
    id: u64,
    reply: oneshot::Receiver<Result<Payload, IpcError>>,
    output: Option<Arc<Mutex<Receiving>>>,
    /// The call ended (its answer was taken): nothing to cancel.
    done: bool,
}

impl Drop for Started {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let pending = lock(&self.shared.pending).remove(&self.id);
        if let Some(pending) = pending {
            pending.close();
            self.shared.outbox.send(message::cancel_message(self.id));
        }
    }
}

/// Waits for the welcome, checks the method may be called, and sends a call with streams.
async fn start_streaming(
    shared: Arc<ConnectionShared>,
    channel: String,
    method: String,
    args: Vec<Payload>,
    input: Option<ItemSource>,
    output: bool,
) -> Result<Started, IpcError> {
    let welcome = shared.ready().await?;
    if let Some(error) = lock(&shared.mismatched)
        .get(&channel)
        .and_then(|mismatch| mismatch.call_error(&channel, &method))
    {
        return Err(error);
    }
    if welcome.protocol < STREAMS_PROTOCOL_VERSION {
        return Err(IpcError::new(
            ErrorCode::VersionMismatch,
            format!(
                "method \"{method}\" of channel \"{channel}\" uses streams, which need protocol 2; the backend speaks protocol {}",
                welcome.protocol
            ),
        )
        .with_data(serde_json::json!({
            "channel": channel,
            "method": method,
            "backendProtocol": welcome.protocol,
        })));
    }
    let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
    let window = shared.stream_window.clamp(1, welcome.max_credit.max(1));
    let streams = CallStreams {
        input: input.is_some(),
        credit: output.then_some(window),
    };
    let text = message::call_message(id, &channel, &method, args, streams, welcome.binary);
    let limit = shared.max_message_bytes.min(welcome.max_message_bytes);
    if text.len() > limit {
        return Err(IpcError::too_large("call", text.len(), limit));
    }
    let (reply_tx, reply_rx) = oneshot::channel();
    let receiving = output.then(|| Arc::new(Mutex::new(Receiving::new(window))));
    let credit = input
        .is_some()
        .then(|| Arc::new(SendCredit::new(0, shared.max_credit)));
    lock(&shared.pending).insert(
        id,
        Pending {
            reply: reply_tx,
            output: receiving.clone(),
            input: credit.clone(),
        },
    );
    let started = Started {
        shared: shared.clone(),
        id,
        reply: reply_rx,
        output: receiving,
        done: false,
    };
    if !shared.outbox.send(text) {
        return Err(IpcError::disconnected());
    }
    if let (Some(source), Some(credit)) = (input, credit) {
        tokio::spawn(pump_input(
            Arc::downgrade(&shared),
            id,
            credit,
            source,
            limit,
            welcome.binary,
        ));
    }
    Ok(started)
}

/// Sends an input stream's items within the backend's credit, then `end`. Stops (dropping the
/// source) when the credit is closed: `stop`, the call's answer, cancellation, disconnect.
async fn pump_input(
    shared: Weak<ConnectionShared>,
    id: u64,
    credit: Arc<SendCredit>,
    source: ItemSource,
    limit: usize,
    binary: bool,
) {
    let mut source = AssertUnwindSafe(source).catch_unwind();
    let mut seq: u64 = 0;
    loop {
        if !credit.acquire().await {
            return;
        }
        let next = tokio::select! {
            biased;
            _ = credit.closed() => return,
            next = source.next() => next,
        };
        let Some(shared) = shared.upgrade() else {
            return;
        };
        match next {
            None => {
                if lock(&shared.pending).contains_key(&id) {
                    shared.outbox.send(message::end_message(id));
                }
                return;
            }
            Some(Ok(Ok(value))) => {
                let text = message::item_message(id, seq, value, binary);
                if text.len() > limit {
                    return shared
                        .fail_call(id, IpcError::too_large("stream item", text.len(), limit));
                }
                if !lock(&shared.pending).contains_key(&id) {
                    return;
                }
                shared.outbox.send(text);
                credit.spend();
                seq += 1;
            }
            Some(Ok(Err(error))) => return shared.fail_call(id, error),
            Some(Err(_panic)) => {
                return shared
                    .fail_call(id, IpcError::internal("the input stream's source panicked"))
            }
        }
    }
}

/// The output stream of a call ([`IpcConnection::call_stream`]): the encoded items, then the
/// end at the call's `result`, or its error as the last item. Dropping it early cancels the
/// call.
pub struct CallStream {
    state: CallStreamState,
    timeout: Option<Duration>,
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    what: String,
}

enum CallStreamState {
    Starting(BoxFuture<Result<Started, IpcError>>),
    Running {
        started: Started,
        /// The answer, once read, kept while items that came before it are handed out.
        answer: Option<Result<(), IpcError>>,
    },
    Done,
}

impl fmt::Debug for CallStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallStream")
            .field("call", &self.what)
            .finish_non_exhaustive()
    }
}

impl CallStream {
    /// A stream whose only item is `error` (for a call that fails before it is sent, e.g. an
    /// argument that does not encode).
    pub fn failed(error: IpcError) -> CallStream {
        CallStream {
            state: CallStreamState::Starting(Box::pin(std::future::ready(Err(error)))),
            timeout: None,
            deadline: None,
            what: String::new(),
        }
    }

    /// The call's id once it was sent.
    pub fn call_id(&self) -> Option<u64> {
        match &self.state {
            CallStreamState::Running { started, .. } => Some(started.id),
            _ => None,
        }
    }
}

impl Stream for CallStream {
    type Item = Result<Payload, IpcError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if matches!(this.state, CallStreamState::Done) {
            return Poll::Ready(None);
        }
        if this.deadline.is_none() {
            if let Some(limit) = this.timeout {
                this.deadline = Some(Box::pin(tokio::time::sleep(limit)));
            }
        }
        if let Some(deadline) = this.deadline.as_mut() {
            if deadline.as_mut().poll(cx).is_ready() {
                // Dropping the started call sends `cancel`.
                this.state = CallStreamState::Done;
                return Poll::Ready(Some(Err(IpcError::new(
                    ErrorCode::Timeout,
                    format!(
                        "{} did not end within {:?}",
                        this.what,
                        this.timeout.unwrap_or_default()
                    ),
                ))));
            }
        }
        if let CallStreamState::Starting(start) = &mut this.state {
            match start.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(error)) => {
                    this.state = CallStreamState::Done;
                    return Poll::Ready(Some(Err(error)));
                }
                Poll::Ready(Ok(started)) => {
                    this.state = CallStreamState::Running {
                        started,
                        answer: None,
                    };
                }
            }
        }
        let CallStreamState::Running { started, answer } = &mut this.state else {
            return Poll::Ready(None);
        };
        let Some(output) = started.output.clone() else {
            return Poll::Ready(None);
        };
        // An item first; then the answer, which arrives after every item sent before it.
        let take = |started: &Started, answer: &Option<Result<(), IpcError>>| {
            let mut receiving = lock(&output);
            let (item, grant) = receiving.pop(answer.is_none())?;
            drop(receiving);
            if let Some(n) = grant {
                started
                    .shared
                    .outbox
                    .send(message::credit_message(started.id, n));
            }
            Some(item)
        };
        if let Some(item) = take(started, answer) {
            return Poll::Ready(Some(Ok(item)));
        }
        lock(&output).park(cx.waker());
        if answer.is_none() {
            if let Poll::Ready(reply) = Pin::new(&mut started.reply).poll(cx) {
                started.done = true;
                *answer = Some(match reply {
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err(error)) => Err(error),
                    Err(_) => Err(IpcError::disconnected()),
                });
            }
        }
        if let Some(item) = take(started, answer) {
            return Poll::Ready(Some(Ok(item)));
        }
        match answer.take() {
            None => Poll::Pending,
            Some(end) => {
                this.state = CallStreamState::Done;
                match end {
                    Ok(()) => Poll::Ready(None),
                    Err(error) => Poll::Ready(Some(Err(error))),
                }
            }
        }
    }
}
