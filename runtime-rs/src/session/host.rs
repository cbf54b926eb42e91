//! The backend side: `IpcHost` (registration, notifications, connections) and the loop that
//! serves one connection over any transport.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::{FutureExt, StreamExt};

use ipcc_wire_compat::{ChannelSchema, SchemaError};

use crate::protocol::args::{Args, BoxFuture, Reply};
use crate::protocol::binary::{Attachments, BinaryMessage, Payload, BINARY_FEATURE};
use crate::protocol::call_scan::{self, CallFields};
use crate::protocol::channel::ChannelSpec;
use crate::protocol::compat::{self, ChannelMismatch};
use crate::protocol::error::{ErrorCode, IpcError};
use crate::protocol::lock;
use crate::protocol::message::{self, Envelope, PROTOCOL_VERSION, STREAMS_PROTOCOL_VERSION};
use crate::protocol::outbox::{self, spawn_writer, Detached, Outbox, QueueLimits};
use crate::protocol::stream::{
    self, CallOver, CallStop, InputEvent, InputShared, InputStream, ItemSource, SendCredit, Streams,
};
use crate::transport::out::OutMessage;
use crate::transport::{CloseReason, Incoming, IpcSocket, MessageReader};

/// How long a new connection may take to send its hello before the host closes it, so
/// connections that never speak cannot pile up.
const HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Identifies one connection of a host (unique for the host's lifetime).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionId(pub u64);

impl fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "connection {}", self.0)
    }
}

/// Per-call context handed to handlers: which connection called, and cancellation.
#[derive(Clone)]
pub struct CallContext {
    host: IpcHost,
    connection: ConnectionId,
    /// `Some` once the call was cancelled, or ended by the host (flow control, ...).
    cancelled: Arc<CallStop>,
}

impl CallContext {
    /// The connection that made the call (to notify it alone, for instance).
    pub fn connection(&self) -> ConnectionId {
        self.connection
    }

    /// The host serving the call.
    pub fn host(&self) -> &IpcHost {
        &self.host
    }

    /// Whether the caller cancelled the call or disconnected.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.is_stopped()
    }

    /// Resolves when the caller cancels the call or disconnects. (The host also drops the
    /// handler's future then; this is for work the handler moved elsewhere, e.g. a spawned task.)
    pub async fn cancelled(&self) {
        // A call that is over (answered) counts as cancelled too: nothing waits for its work.
        self.cancelled.ended().await;
    }
}

/// A channel's closed dispatch table, as generated for each interface.
///
/// Unary methods go through [`Dispatch::dispatch`] only. A table with streaming methods
/// (protocol v2) also describes each method's streams in [`Dispatch::streams`]; a method with
/// an input stream is still run by `dispatch` (its [`Args`] carry the stream, taken with
/// [`Args::next_stream`](crate::codegen::Args::next_stream)), and a method whose result is a
/// stream by [`Dispatch::dispatch_stream`]. Tables written before streams need neither.
pub trait Dispatch: Send + Sync + 'static {
    /// Runs `method` with `args`; an unknown method returns [`crate::codegen::unknown_method`].
    fn dispatch(&self, ctx: CallContext, method: &str, args: Args) -> BoxFuture<Reply>;

    /// The streams of `method`: `Some(Streams::NONE)` for a unary method, `None` for a method
    /// the table does not have. The default (`None` for all) is a table without streaming
    /// methods: its unary calls work as always, and a call carrying stream fields is answered
    /// `unknownMethod`.
    fn streams(&self, method: &str) -> Option<Streams> {
        let _ = method;
        None
    }

    /// Runs a method whose result is a stream (`streams(method)` has `output`): the returned
    /// stream's items are sent as the call's `item`s, polled only while the frontend's credit
    /// lasts; its end is the call's `result` (`null`), an `Err` item the call's `error`.
    /// Generated code builds it with [`crate::codegen::item_stream`].
    fn dispatch_stream(&self, ctx: CallContext, method: &str, args: Args) -> ItemSource {
        let _ = (ctx, args);
        let error = IpcError::new(
            ErrorCode::UnknownMethod,
            format!("method `{method}` has no output stream"),
        );
        Box::pin(futures_util::stream::once(std::future::ready(Err(error))))
    }
}

/// Limits and authentication of a host.
#[derive(Debug, Clone)]
pub struct HostConfig {
    /// The largest message accepted or sent (default 64 MiB).
    pub max_message_bytes: usize,
    /// Calls of one connection running at once (default 1024).
    pub max_in_flight: usize,
    /// The token the hello must carry, if any.
    pub token: Option<String>,
    /// Bytes that may wait in one connection's outgoing queue (default 256 MiB): past it,
    /// notifications to the connection fail and its messages are not read until the queue
    /// drains, so a peer that stops reading cannot make the host grow without bound.
    pub max_queued_bytes: usize,
    /// Bytes that may wait in the outgoing queues of all connections together (default
    /// 1 GiB): past it, a connection whose queue is not empty is not read from and gets no
    /// notification until queues drain, so many peers that stop reading cannot add up to
    /// more. A connection whose queue is empty still gets its next message.
    pub max_queued_bytes_total: usize,
    /// Streams open at once on one connection (protocol v2 `maxStreams`, default 256).
    pub max_streams: usize,
    /// The most credit the host holds for one output stream, and the most a `call`'s `credit`
    /// may grant (protocol v2 `maxCredit`, default 1024).
    pub max_credit: u64,
    /// The credit window the host grants an input stream (default 256; at most the frontend's
    /// `maxCredit`): how many items of one input stream it buffers at most.
    pub stream_window: u64,
    /// Whether to grant binary `bytes` to a frontend that offers it (default: yes, on
    /// transports that carry binary messages). Off, `bytes` travel as base64.
    pub binary: bool,
}

impl Default for HostConfig {
    fn default() -> Self {
        HostConfig {
            max_message_bytes: message::DEFAULT_MAX_MESSAGE_BYTES,
            max_in_flight: message::DEFAULT_MAX_IN_FLIGHT,
            token: None,
            max_queued_bytes: 256 * 1024 * 1024,
            max_queued_bytes_total: 1024 * 1024 * 1024,
            max_streams: stream::DEFAULT_MAX_STREAMS,
            max_credit: stream::DEFAULT_MAX_CREDIT,
            stream_window: stream::DEFAULT_STREAM_WINDOW,
            binary: true,
        }
    }
}

impl HostConfig {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the largest message accepted or sent.
    pub fn max_message_bytes(mut self, bytes: usize) -> Self {
        self.max_message_bytes = bytes;
        self
    }

    /// Sets how many calls of one connection may run at once.
    pub fn max_in_flight(mut self, calls: usize) -> Self {
        self.max_in_flight = calls;
        self
    }

    /// Sets how many bytes may wait in one connection's outgoing queue.
    pub fn max_queued_bytes(mut self, bytes: usize) -> Self {
        self.max_queued_bytes = bytes;
        self
    }

    /// Sets how many bytes may wait in the outgoing queues of all connections together.
    pub fn max_queued_bytes_total(mut self, bytes: usize) -> Self {
        self.max_queued_bytes_total = bytes;
        self
    }

    /// Requires this token in every hello.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Sets how many streams may be open at once on one connection.
    ///
    /// ```
    /// let config = ipcc_runtime::HostConfig::new().max_streams(16).stream_window(8);
    /// assert_eq!((config.max_streams, config.stream_window), (16, 8));
    /// ```
    pub fn max_streams(mut self, streams: usize) -> Self {
        self.max_streams = streams;
        self
    }

    /// Sets the most credit the host holds for one output stream (at least 1).
    pub fn max_credit(mut self, credit: u64) -> Self {
        self.max_credit = credit.max(1);
        self
    }

    /// Sets the credit window granted to input streams (at least 1).
    pub fn stream_window(mut self, items: u64) -> Self {
        self.stream_window = items.max(1);
        self
    }

    /// Whether to grant binary `bytes` (see [`HostConfig::binary`]).
    pub fn binary(mut self, grant: bool) -> Self {
        self.binary = grant;
        self
    }
}

/// A registered channel.
struct ChannelEntry {
    hash: &'static str,
    schema: Option<Arc<ChannelSchema>>,
    dispatch: Arc<dyn Dispatch>,
    generation: u64,
}

/// A declared notifications channel.
struct NotificationsEntry {
    hash: &'static str,
    schema: Option<Arc<ChannelSchema>>,
}

/// Channels of one connection whose hashes differed in the hello, with the verdict on each.
type Mismatches = Arc<HashMap<String, ChannelMismatch>>;

/// FNV-1a, for the table of registered channels that every call looks its channel up in: it
/// holds only the names this process registered (a peer's name is only looked up, so it cannot
/// crowd the table), where SipHash's resistance to chosen keys buys nothing and cost about 3 %
/// of a small call's instructions.
struct ChannelNameHasher(u64);

impl Default for ChannelNameHasher {
    fn default() -> Self {
        ChannelNameHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for ChannelNameHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A live connection, as the host sees it.
struct ConnectionEntry {
    outbox: Outbox,
    mismatched: Mismatches,
    /// Binary `bytes` granted.
    binary: bool,
}

impl ConnectionEntry {
    /// Whether notification `channel`.`method` may be sent to this connection.
    fn delivers(&self, channel: &str, method: &str) -> bool {
        self.mismatched
            .get(channel)
            .is_none_or(|mismatch| mismatch.delivers(method))
    }
}

struct HostShared {
    config: HostConfig,
    channels: RwLock<HashMap<String, ChannelEntry, BuildHasherDefault<ChannelNameHasher>>>,
    notifications: RwLock<BTreeMap<String, NotificationsEntry>>,
    connections: Mutex<HashMap<ConnectionId, ConnectionEntry>>,
    next_connection: AtomicU64,
    next_generation: AtomicU64,
    /// Bytes queued in all connections' outboxes (against `max_queued_bytes_total`).
    queued_total: Arc<std::sync::atomic::AtomicUsize>,
}

/// The backend: serves registered interfaces to any number of connections and sends
/// notifications. Cheap to clone (a handle).
#[derive(Clone)]
pub struct IpcHost {
    shared: Arc<HostShared>,
}

impl Default for IpcHost {
    fn default() -> Self {
        IpcHost::new()
    }
}

impl fmt::Debug for IpcHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IpcHost")
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

impl IpcHost {
    /// A host with the default limits and no token.
    pub fn new() -> IpcHost {
        IpcHost::with_config(HostConfig::default())
    }

    /// A host with these limits and token.
    pub fn with_config(config: HostConfig) -> IpcHost {
        IpcHost {
            shared: Arc::new(HostShared {
                config,
                channels: RwLock::new(HashMap::default()),
                notifications: RwLock::new(BTreeMap::new()),
                connections: Mutex::new(HashMap::new()),
                next_connection: AtomicU64::new(1),
                next_generation: AtomicU64::new(1),
                queued_total: Arc::default(),
            }),
        }
    }

    /// The host's configuration.
    pub fn config(&self) -> &HostConfig {
        &self.shared.config
    }

    /// Serves `spec.channel` with `dispatch` until the returned registration is dropped.
    /// Registering a channel again replaces the earlier handler (whose registration then does
    /// nothing).
    pub fn register(&self, spec: ChannelSpec, dispatch: Arc<dyn Dispatch>) -> Registration {
        let generation = self.shared.next_generation.fetch_add(1, Ordering::Relaxed);
        let mut channels = self
            .shared
            .channels
            .write()
            .unwrap_or_else(|p| p.into_inner());
        channels.insert(
            spec.channel.to_owned(),
            ChannelEntry {
                hash: spec.schema_hash,
                schema: compat::own_schema(&spec).map(Arc::new),
                dispatch,
                generation,
            },
        );
        Registration {
            host: Some(self.clone()),
            channel: spec.channel,
            generation,
        }
    }

    /// Declares a notifications channel so the welcome lists its schema hash. Idempotent.
    pub fn declare_notifications(&self, spec: ChannelSpec) {
        let mut notifications = self
            .shared
            .notifications
            .write()
            .unwrap_or_else(|p| p.into_inner());
        if notifications
            .get(spec.channel)
            .is_some_and(|entry| entry.hash == spec.schema_hash)
        {
            // Senders declare on every construction: keep the schema read the first time.
            return;
        }
        notifications.insert(
            spec.channel.to_owned(),
            NotificationsEntry {
                hash: spec.schema_hash,
                schema: compat::own_schema(&spec).map(Arc::new),
            },
        );
    }

    /// True while at least one connection is open.
    pub fn is_valid(&self) -> bool {
        !lock(&self.shared.connections).is_empty()
    }

    /// Bytes waiting in the outgoing queues of all connections (bounded by
    /// [`HostConfig::max_queued_bytes_total`]).
    pub fn queued_bytes(&self) -> usize {
        self.shared
            .queued_total
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The open connections.
    pub fn connections(&self) -> Vec<ConnectionId> {
        let mut ids: Vec<_> = lock(&self.shared.connections).keys().copied().collect();
        ids.sort();
        ids
    }

    /// Sends a notification to one connection or to all (see [`NotifyTarget`]).
    pub fn notify(
        &self,
        target: Option<ConnectionId>,
        channel: &str,
        method: &str,
        args: impl IntoIterator<Item = impl Into<Payload>>,
    ) -> Result<(), IpcError> {
        let args: Vec<Payload> = args.into_iter().map(Into::into).collect();
        let limit = self.shared.config.max_message_bytes;
        // Each form is written once, when a connection first needs it: text (base64) for
        // connections without binary `bytes`, binary for the others.
        let mut forms: [Option<OutMessage>; 2] = [None, None];
        let mut form = |binary: bool| -> Result<OutMessage, IpcError> {
            let slot = &mut forms[usize::from(binary)];
            let message =
                slot.get_or_insert_with(|| message::notify_message(channel, method, &args, binary));
            if message.len() > limit {
                return Err(IpcError::too_large("notification", message.len(), limit));
            }
            Ok(message.clone())
        };
        let connections = lock(&self.shared.connections);
        let targets: Vec<&ConnectionEntry> = match target {
            Some(id) => {
                let entry = connections.get(&id).ok_or_else(|| {
                    IpcError::new(ErrorCode::Disconnected, format!("{id} is closed"))
                })?;
                vec![entry]
            }
            None => connections.values().collect(),
        };
        let targets: Vec<&ConnectionEntry> = targets
            .into_iter()
            .filter(|entry| entry.delivers(channel, method))
            .collect();
        // Every form a target needs is written and checked before anything is sent, so an
        // oversize notification fails whoever it is for; with no target, the text form says.
        if targets.is_empty() {
            form(false)?;
        }
        for entry in &targets {
            form(entry.binary)?;
        }
        for entry in targets {
            let message = form(entry.binary)?;
            let room = entry.outbox.has_room(message.len());
            match target {
                // A peer that stopped reading misses broadcasts rather than growing this
                // process without bound; a send to one connection says so.
                None if !room => {}
                Some(id) if !room => {
                    return Err(IpcError::new(
                        ErrorCode::TooLarge,
                        format!("the outgoing queue of {id} is full"),
                    ));
                }
                _ => {
                    entry.outbox.send(message);
                }
            }
        }
        Ok(())
    }

    /// The welcome's channel map: served interfaces and declared notifications.
    fn channel_hashes(&self) -> BTreeMap<String, String> {
        let mut map: BTreeMap<String, String> = self
            .shared
            .notifications
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(channel, entry)| (channel.clone(), entry.hash.to_owned()))
            .collect();
        for (channel, entry) in self
            .shared
            .channels
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
        {
            map.insert(channel.clone(), entry.hash.to_owned());
        }
        map
    }

    /// Serves one connection over `socket` until it closes.
    pub async fn serve<S: IpcSocket>(&self, socket: S) {
        let can_binary = socket.supports_binary() && self.shared.config.binary;
        let flush_partway = socket.flush_partway();
        let (mut reader, writer) = socket.into_split();
        let (outbox, writer_task) = spawn_writer(
            writer,
            QueueLimits {
                per_connection: self.shared.config.max_queued_bytes,
                total: self.shared.config.max_queued_bytes_total,
                queued_total: self.shared.queued_total.clone(),
            },
        );
        reader.watch_outgoing(outbox.watch());
        let max = self.shared.config.max_message_bytes;
        let handshake = self.handshake(&mut reader, &outbox, can_binary).await;
        let Some((mismatched, streams)) = handshake else {
            let _ = writer_task.await;
            return;
        };
        let id = ConnectionId(self.shared.next_connection.fetch_add(1, Ordering::Relaxed));
        let connection = Arc::new(ServedConnection {
            id,
            host: self.clone(),
            outbox: outbox.clone(),
            mismatched: mismatched.clone(),
            in_flight: Mutex::new(HashMap::new()),
            streams,
            open_streams: AtomicUsize::new(0),
        });
        lock(&self.shared.connections).insert(
            id,
            ConnectionEntry {
                outbox: outbox.clone(),
                mismatched,
                binary: connection.binary(),
            },
        );
        if connection.binary() {
            reader.accept_binary();
        }
        // On a transport that asks for it (stdio), answers to messages the reader finds
        // already buffered (a pipelined batch) leave in flushes after the 1st, 2nd, 4th, 8th,
        // ... message: the first answers reach the peer while the rest are still being
        // handled, so the two processes work at once, and a batch of n still costs about
        // log2(n) writes. (Otherwise the writer task runs once the reader has to wait, after
        // the whole batch: one write, and the peer idle until then.)
        let mut handled: usize = 0;
        let mut flush_at: usize = 1;
        loop {
            if flush_partway && handled == flush_at {
                flush_at = flush_at.saturating_mul(2);
                if outbox.queued_bytes() > 0 {
                    // Lets the writer task run (on a current-thread runtime it would not before
                    // this task waits).
                    tokio::task::yield_now().await;
                }
            }
            outbox.wait_for_room().await;
            let read = reader.read(max);
            tokio::pin!(read);
            let incoming =
                match std::future::poll_fn(|cx| Poll::Ready(read.as_mut().poll(cx))).await {
                    Poll::Ready(incoming) => incoming,
                    Poll::Pending => {
                        // Nothing buffered: a new batch starts with the next message.
                        handled = 0;
                        flush_at = 1;
                        read.await
                    }
                };
            handled += 1;
            match incoming {
                Incoming::Text(text) => connection.handle_message(&text, None),
                Incoming::Binary(bytes) if connection.binary() => {
                    match BinaryMessage::parse(bytes) {
                        Ok(binary) => connection.handle_message(binary.text(), Some(&binary)),
                        Err(problem) => connection.send_error(
                            None,
                            &IpcError::bad_request(format!("malformed binary message: {problem}")),
                        ),
                    }
                }
                Incoming::Binary(_) => connection.send_error(
                    None,
                    &IpcError::bad_request(
                        "binary messages need binary `bytes`, which this connection did not negotiate",
                    ),
                ),
                Incoming::InvalidUtf8 { fatal: false } => connection
                    .send_error(None, &IpcError::bad_request("message is not valid UTF-8")),
                Incoming::InvalidUtf8 { fatal: true } => {
                    outbox.close(Some(CloseReason::InvalidUtf8));
                    break;
                }
                Incoming::TooLarge { head, fatal } => {
                    let error = IpcError::too_large("message", max + 1, max);
                    let id = message::sniff_id(&head);
                    // An oversize `item` of a running call fails that call (its one answer).
                    let running = id.and_then(|id| {
                        lock(&connection.in_flight)
                            .get(&id)
                            .map(|entry| entry.stop.clone())
                    });
                    match running {
                        Some(stop) => stream::stop_call(&stop, error),
                        None => connection.send_error(id, &error),
                    }
                    if fatal {
                        outbox.close(Some(CloseReason::TooLarge));
                        break;
                    }
                }
                Incoming::Closed => break,
            }
        }
        lock(&self.shared.connections).remove(&id);
        // Cancel every running handler of this connection; their futures are dropped, with
        // their streams.
        for (id, entry) in lock(&connection.in_flight).drain() {
            stream::stop_call(&entry.stop, cancelled_error(id));
            entry.close();
        }
        outbox.close(None);
        drop(connection);
        drop(outbox);
        let _ = writer_task.await;
    }

    /// Reads and checks the hello; sends welcome, or the error and closes. Returns the channels
    /// whose hashes differ with the verdict on each, or `None` when the connection was refused.
    async fn handshake<R: MessageReader>(
        &self,
        reader: &mut R,
        outbox: &Outbox,
        can_binary: bool,
    ) -> Option<(Mismatches, Option<StreamTerms>)> {
        let config = &self.shared.config;
        let refuse = |error: IpcError| {
            outbox.send(message::error_message(None, &error));
            outbox.close(None);
            None
        };
        let hello_limit = config.max_message_bytes.max(message::HELLO_MAX_BYTES);
        let first = tokio::time::timeout(HANDSHAKE_TIMEOUT, reader.read(hello_limit));
        let Ok(first) = first.await else {
            return refuse(IpcError::bad_request(format!(
                "no hello within {HANDSHAKE_TIMEOUT:?}"
            )));
        };
        let text = match first {
            Incoming::Text(text) => text,
            Incoming::Closed => {
                outbox.close(None);
                return None;
            }
            Incoming::TooLarge { .. } => {
                return refuse(IpcError::too_large("hello", hello_limit + 1, hello_limit))
            }
            _ => return refuse(IpcError::bad_request("the first message must be a hello")),
        };
        let Some(envelope) = Envelope::parse(&text) else {
            return refuse(IpcError::bad_request("the first message must be a hello"));
        };
        if envelope.kind().as_deref() != Some("hello") {
            return refuse(IpcError::bad_request("the first message must be a hello"));
        }
        let Some(protocol) = envelope
            .protocol
            .and_then(|raw| serde_json::from_str::<u64>(raw.get()).ok())
        else {
            return refuse(IpcError::bad_request(
                "hello: `protocol` must be a non-negative integer",
            ));
        };
        if protocol != PROTOCOL_VERSION && protocol != STREAMS_PROTOCOL_VERSION {
            return refuse(
                IpcError::new(
                    ErrorCode::VersionMismatch,
                    format!(
                        "the frontend speaks protocol {protocol}, the backend protocols {PROTOCOL_VERSION} and {STREAMS_PROTOCOL_VERSION}"
                    ),
                )
                .with_data(serde_json::json!({
                    "backendProtocol": STREAMS_PROTOCOL_VERSION,
                    "frontendProtocol": protocol,
                })),
            );
        }
        // Protocol 2 means the same as 1 with the `streams` feature.
        let streams = if protocol == STREAMS_PROTOCOL_VERSION
            || envelope.has_feature(message::STREAMS_FEATURE)
        {
            let peer_max_credit = match envelope.max_credit {
                None => stream::DEFAULT_MAX_CREDIT,
                Some(raw) => match message::integer_field(Some(raw)) {
                    Some(n) if n >= 1 => n,
                    _ => {
                        return refuse(IpcError::bad_request(
                            "hello: `maxCredit` must be a positive integer",
                        ))
                    }
                },
            };
            Some(StreamTerms {
                input_window: config.stream_window.clamp(1, peer_max_credit),
                binary: can_binary && envelope.has_feature(BINARY_FEATURE),
            })
        } else {
            None
        };
        let given = match envelope.token {
            None => None,
            Some(raw) if raw.get() == "null" => None,
            Some(raw) => match message::string_field(Some(raw)) {
                Some(token) => Some(token),
                None => return refuse(IpcError::bad_request("hello: `token` must be a string")),
            },
        };
        if let Some(expected) = &config.token {
            let given = given.unwrap_or_default();
            if !constant_time_eq(given.as_bytes(), expected.as_bytes()) {
                return refuse(IpcError::new(
                    ErrorCode::Unauthorized,
                    "missing or wrong token",
                ));
            }
        }
        let Ok(frontend_channels) = message::channel_map(envelope.channels) else {
            return refuse(IpcError::bad_request(
                "hello: `channels` must map channel names to schema hashes",
            ));
        };
        let Ok(raw_schemas) = message::schema_map(envelope.schemas) else {
            return refuse(IpcError::bad_request(
                "hello: `schemas` must map channel names to wire schemas",
            ));
        };
        // Read every schema first: an invalid one refuses the connection even on a channel
        // whose hash matches (the frontend is broken), one of another format is left unjudged.
        let mut frontend_schemas: HashMap<String, ChannelSchema> = HashMap::new();
        for (channel, raw) in raw_schemas {
            match ChannelSchema::from_json(raw.get()) {
                Ok(schema) => {
                    frontend_schemas.insert(channel, schema);
                }
                Err(SchemaError::UnknownFormat(_)) => {}
                Err(error) => {
                    return refuse(IpcError::bad_request(format!(
                        "hello: schema of channel {channel:?}: {error}"
                    )))
                }
            }
        }
        let backend_channels = self.channel_hashes();
        // Channels on both sides with different hashes, each judged when both schemas are known.
        let mut mismatched: HashMap<String, ChannelMismatch> = HashMap::new();
        for (channel, frontend_hash) in frontend_channels {
            let Some(backend_hash) = backend_channels.get(&channel) else {
                continue;
            };
            if *backend_hash == frontend_hash {
                continue;
            }
            let own = self.own_schema(&channel);
            let mismatch = ChannelMismatch::judged(
                &frontend_hash,
                backend_hash,
                frontend_schemas.get(&channel),
                own.as_deref(),
            );
            mismatched.insert(channel, mismatch);
        }
        let compat: BTreeMap<String, BTreeMap<String, String>> = mismatched
            .iter()
            .filter_map(|(channel, m)| Some((channel.clone(), m.welcome_entry()?.clone())))
            .collect();
        outbox.send(message::welcome_message(
            &backend_channels,
            config.max_message_bytes,
            config.max_in_flight,
            &compat,
            streams.as_ref().map(|terms| message::WelcomeStreams {
                max_streams: config.max_streams,
                max_credit: config.max_credit,
                binary: terms.binary,
            }),
        ));
        Some((Arc::new(mismatched), streams))
    }

    /// This backend's wire schema of `channel` (served or declared), when it has one.
    fn own_schema(&self, channel: &str) -> Option<Arc<ChannelSchema>> {
        let served = self
            .shared
            .channels
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(channel)
            .map(|entry| entry.schema.clone());
        match served {
            Some(schema) => schema,
            None => self
                .shared
                .notifications
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .get(channel)
                .and_then(|entry| entry.schema.clone()),
        }
    }
}

/// Compares two byte strings in time independent of where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What a connection negotiated for streams (protocol 2).
struct StreamTerms {
    /// The credit window granted to each input stream: the host's `stream_window`, at most
    /// the frontend's `maxCredit`.
    input_window: u64,
    /// Binary `bytes` granted.
    binary: bool,
}

/// A call running on a connection.
struct CallEntry {
    /// Ends the call early (cancel, flow control, disconnect).
    stop: Arc<CallStop>,
    /// Its input stream, fed by the reader.
    input: Option<Arc<InputShared>>,
    /// The credit of its output stream.
    output: Option<Arc<SendCredit>>,
}

impl CallEntry {
    /// The call is over: its streams close. Returns how many stopped counting against
    /// `maxStreams`.
    fn close(&self) -> usize {
        let mut released = 0;
        if let Some(input) = &self.input {
            if matches!(input.close(), InputEvent::Released) {
                released += 1;
            }
        }
        if let Some(output) = &self.output {
            output.close();
            released += 1;
        }
        released
    }
}

/// One connection being served.
struct ServedConnection {
    id: ConnectionId,
    host: IpcHost,
    outbox: Outbox,
    mismatched: Mismatches,
    /// Calls running.
    in_flight: Mutex<HashMap<u64, CallEntry>>,
    /// `Some` on a protocol-2 connection.
    streams: Option<StreamTerms>,
    /// Streams open (input and output together), against `maxStreams`.
    open_streams: AtomicUsize,
}

impl ServedConnection {
    /// Whether binary `bytes` were granted.
    fn binary(&self) -> bool {
        self.streams.as_ref().is_some_and(|terms| terms.binary)
    }

    fn send_error(&self, id: Option<u64>, error: &IpcError) {
        self.outbox.send(message::error_message(id, error));
    }

    fn handle_message(self: &Arc<Self>, text: &str, binary: Option<&BinaryMessage>) {
        let attachments = binary.map(|message| &message.attachments);
        // The common case, a well-formed `call`, read in one scan; every other message, and
        // any call that scan leaves to it, through the general parse (call_scan.rs).
        if let Some(call) = call_scan::read_call(text) {
            return self.handle_call(&call, attachments);
        }
        let Some(envelope) = Envelope::parse(text) else {
            return self.send_error(
                None,
                &IpcError::bad_request("message is not a JSON object with distinct fields"),
            );
        };
        let kind = envelope.kind();
        match kind.as_deref() {
            Some("call") => self.handle_call(&envelope.call_fields(), attachments),
            Some("cancel") => match envelope.id() {
                Some(id) => {
                    if let Some(entry) = lock(&self.in_flight).get(&id) {
                        stream::stop_call(&entry.stop, cancelled_error(id));
                    }
                }
                None => self.send_error(None, &IpcError::bad_request("cancel: invalid `id`")),
            },
            Some("hello") => self.send_error(
                None,
                &IpcError::bad_request("hello was already received on this connection"),
            ),
            Some(kind @ ("item" | "credit" | "end")) if self.streams.is_some() => {
                self.handle_stream_message(kind, &envelope, attachments)
            }
            Some("stop") if self.streams.is_some() => self.send_error(
                None,
                &IpcError::bad_request("`stop` is sent by the backend only"),
            ),
            Some(other) => self.send_error(
                envelope.id(),
                &IpcError::bad_request(format!(
                    "unexpected message type {:?}",
                    other.chars().take(64).collect::<String>()
                )),
            ),
            None => self.send_error(
                envelope.id(),
                &IpcError::bad_request("message has no string `type`"),
            ),
        }
    }

    /// `item`, `credit` or `end` on a protocol-2 connection. Messages for calls that are not
    /// running are ignored; a violation fails its call (one answer, from the call's task).
    fn handle_stream_message(
        &self,
        kind: &str,
        envelope: &Envelope<'_>,
        attachments: Option<&Arc<Attachments>>,
    ) {
        let Some(id) = envelope.id() else {
            return self.send_error(
                None,
                &IpcError::bad_request(format!("{kind}: `id` must be an integer in 1..=2^53-1")),
            );
        };
        let in_flight = lock(&self.in_flight);
        let Some(entry) = in_flight.get(&id) else {
            return;
        };
        let outcome = match kind {
            "item" => match (
                &entry.input,
                message::integer_field(envelope.seq),
                envelope.value,
            ) {
                (None, _, _) => Err(stream::flow_control(
                    id,
                    "item for a call without input stream",
                )),
                (Some(_), None, _) | (Some(_), _, None) => Err(IpcError::bad_request(
                    "item: `seq` must be a non-negative integer and `value` present",
                )),
                (Some(input), Some(seq), Some(value)) => {
                    input.item(seq, Payload::received(value, attachments))
                }
            },
            "credit" => match (&entry.output, message::integer_field(envelope.n)) {
                (None, _) => Err(stream::flow_control(
                    id,
                    "credit for a call without output stream",
                )),
                (Some(_), None) => Err(IpcError::bad_request(
                    "credit: `n` must be a positive integer",
                )),
                (Some(output), Some(n)) => output.grant(id, n),
            },
            _ => match &entry.input {
                None => Err(stream::flow_control(
                    id,
                    "end for a call without input stream",
                )),
                Some(input) => input.end().map(|event| {
                    if matches!(event, InputEvent::Released) {
                        self.open_streams.fetch_sub(1, Ordering::Relaxed);
                    }
                }),
            },
        };
        if let Err(error) = outcome {
            stream::stop_call(&entry.stop, error);
        }
    }

    fn handle_call(
        self: &Arc<Self>,
        call: &CallFields<'_>,
        attachments: Option<&Arc<Attachments>>,
    ) {
        let Some(id) = message::id_field(call.id) else {
            return self.send_error(
                None,
                &IpcError::bad_request("call: `id` must be an integer in 1..=2^53-1"),
            );
        };
        let fail = |error: IpcError| self.send_error(Some(id), &error);
        if lock(&self.in_flight).contains_key(&id) {
            return fail(IpcError::bad_request(format!(
                "call id {id} is already in flight"
            )));
        }
        let asks_input = call.input.is_some();
        let asks_output = call.credit.is_some();
        if (asks_input || asks_output) && self.streams.is_none() {
            return fail(IpcError::bad_request(
                "call: `input` and `credit` need protocol 2 (streams), which this connection did not negotiate",
            ));
        }
        let (Some(channel), Some(method)) = (
            message::str_text(call.channel),
            message::str_text(call.method),
        ) else {
            return fail(IpcError::bad_request(
                "call: `channel` and `method` must be strings",
            ));
        };
        // The arguments are decoded straight from the array's text (the message parsed whole,
        // so it is valid JSON): only its kind is checked here.
        let Some(args) = call.args.filter(|raw| raw.starts_with('[')) else {
            return fail(IpcError::bad_request("call: `args` must be an array"));
        };
        let config = &self.host.shared.config;
        if lock(&self.in_flight).len() >= config.max_in_flight {
            return fail(
                IpcError::new(
                    ErrorCode::TooManyCalls,
                    format!(
                        "{} calls are already in flight on this connection",
                        config.max_in_flight
                    ),
                )
                .with_data(serde_json::json!({ "limit": config.max_in_flight })),
            );
        }
        let dispatch = {
            let channels = self
                .host
                .shared
                .channels
                .read()
                .unwrap_or_else(|p| p.into_inner());
            match channels.get(&*channel) {
                Some(entry) => entry.dispatch.clone(),
                None => {
                    return fail(IpcError::new(
                        ErrorCode::UnknownChannel,
                        format!("no handler is registered for channel {channel:?}"),
                    ))
                }
            }
        };
        if let Some(error) = self
            .mismatched
            .get(&*channel)
            .and_then(|mismatch| mismatch.call_error(&channel, &method))
        {
            return fail(error);
        }
        let shape = match std::panic::catch_unwind(AssertUnwindSafe(|| dispatch.streams(&method))) {
            Ok(shape) => shape,
            Err(panic) => return fail(panic_error(&*panic)),
        };
        let streams = match self.check_streams(id, &method, shape, call) {
            Ok(streams) => streams,
            Err(error) => return fail(error),
        };
        let stop = CallStop::new();
        // However this call ends, whoever waits on its stop signal is released then.
        let over = CallOver(stop.clone());
        let input = streams.input.then(|| {
            let window = self.streams.as_ref().map_or(1, |terms| terms.input_window);
            InputShared::new(id, window, self.outbox.clone(), stop.clone())
        });
        let output = streams.output.then(|| {
            let credit = message::integer_text(call.credit).unwrap_or(0);
            Arc::new(SendCredit::new(credit, config.max_credit))
        });
        self.open_streams
            .fetch_add(streams.count(), Ordering::Relaxed);
        let entry = CallEntry {
            stop: stop.clone(),
            input: input.clone(),
            output: output.clone(),
        };
        // A call without streams is entered among those in flight only if its handler does not
        // finish on its first poll (below): until then nothing else runs on this connection's
        // reader, so no `cancel` can look for it, and most small calls never need the entry.
        let mut unary = None;
        if input.is_none() && output.is_none() {
            unary = Some(entry);
        } else {
            lock(&self.in_flight).insert(id, entry);
        }
        let ctx = CallContext {
            host: self.host.clone(),
            connection: self.id,
            cancelled: stop.clone(),
        };
        let mut args = Args::received_array(args, attachments.cloned());
        if let Some(input) = &input {
            args.set_input(InputStream::new(input.clone()));
        }
        if let Some(output) = output {
            // An output stream: its own task, which polls it only while credit remains.
            let started = std::panic::catch_unwind(AssertUnwindSafe(|| {
                dispatch.dispatch_stream(ctx, &method, args)
            }));
            let source = match started {
                Ok(source) => source,
                Err(panic) => {
                    self.end_call(id);
                    return self.send_reply(id, Err(panic_error(&*panic)));
                }
            };
            if input.is_some() {
                // The call is accepted: the frontend may send its input's items now.
                self.grant_input(id);
            }
            let connection = self.clone();
            tokio::spawn(async move {
                let over = over;
                let mut reply = connection
                    .run_output(id, source, output, &over.0, &input)
                    .await;
                connection.end_call(id);
                if let Some(error) = over.0.error() {
                    reply = Err(error);
                }
                connection.send_reply(id, reply);
            });
            return;
        }
        // The synchronous part of dispatch may panic too.
        let started =
            std::panic::catch_unwind(AssertUnwindSafe(|| dispatch.dispatch(ctx, &method, args)));
        let mut handler = match started {
            Ok(future) => AssertUnwindSafe(future).catch_unwind(),
            Err(panic) => {
                self.end_call(id);
                return self.send_reply(id, Err(panic_error(&*panic)));
            }
        };
        // Most handlers of small calls finish without waiting on anything: poll once here and
        // answer at once, saving a task spawn and a wake-up per call. (So the first poll of a
        // handler runs on the connection's reader; long synchronous work belongs in
        // `spawn_blocking`.) A handler that is not ready moves to its own task, where it can be
        // cancelled.
        let waker = futures_util::task::noop_waker();
        if let Poll::Ready(outcome) = Pin::new(&mut handler).poll(&mut Context::from_waker(&waker))
        {
            // (A call without streams has nothing to close.)
            if unary.is_none() {
                self.end_call(id);
            }
            return self.send_reply(
                id,
                outcome.unwrap_or_else(|panic| Err(panic_error(&*panic))),
            );
        }
        if let Some(entry) = unary {
            lock(&self.in_flight).insert(id, entry);
        }
        if input.is_some() && !stop.is_stopped() {
            // The call is accepted and its handler runs: the frontend may send items now.
            self.grant_input(id);
        }
        let connection = self.clone();
        tokio::spawn(async move {
            let over = over;
            let mut stop_sent = false;
            let mut reply = connection
                .watch_call(id, &over.0, &input, &mut stop_sent, handler)
                .await
                .and_then(|outcome| outcome.unwrap_or_else(|panic| Err(panic_error(&*panic))));
            connection.end_call(id);
            // A cancel that raced with the handler's completion still gets its `cancelled`
            // answer: the frontend asked for it, and the handler may have ended *because* of it.
            if let Some(error) = over.0.error() {
                reply = Err(error);
            }
            connection.send_reply(id, reply);
        });
    }

    /// Checks a call's `input` and `credit` against the method's streams
    /// (docs/protocol.md, "Streams of a call") and the connection's `maxStreams`.
    fn check_streams(
        &self,
        id: u64,
        method: &str,
        shape: Option<Streams>,
        call: &CallFields<'_>,
    ) -> Result<Streams, IpcError> {
        let asks_input = call.input.is_some();
        let asks_output = call.credit.is_some();
        let Some(shape) = shape else {
            if asks_input || asks_output {
                return Err(IpcError::new(
                    ErrorCode::UnknownMethod,
                    format!("unknown method `{method}` (no method with streams has this name)"),
                ));
            }
            return Ok(Streams::NONE);
        };
        let expected =
            |what: &str| IpcError::bad_request(format!("call {id}: method `{method}` {what}"));
        if shape.output && !asks_output {
            return Err(expected("returns a stream: the call needs `credit`"));
        }
        if !shape.output && asks_output {
            return Err(expected(
                "does not return a stream: the call must not carry `credit`",
            ));
        }
        if shape.input && !asks_input {
            return Err(expected(
                "has a streaming parameter: the call needs `input: true`",
            ));
        }
        if !shape.input && asks_input {
            return Err(expected(
                "has no streaming parameter: the call must not carry `input`",
            ));
        }
        if asks_input && call.input != Some("true") {
            return Err(expected("needs `input: true`"));
        }
        let max_credit = self.host.shared.config.max_credit;
        let credit = message::integer_text(call.credit);
        if asks_output && credit.is_none_or(|n| n < 1) {
            return Err(expected(&format!(
                "needs `credit` as an integer in 1..={max_credit}"
            )));
        }
        // The call's credit is its first grant: past maxCredit it is a flow-control violation
        // (docs/protocol.md, "Stream limits"), as a `credit` message past it would be.
        if let Some(n) = credit.filter(|&n| asks_output && n > max_credit) {
            return Err(stream::flow_control(
                id,
                format!("the call's credit {n} is past maxCredit {max_credit}"),
            ));
        }
        let limit = self.host.shared.config.max_streams;
        if self.open_streams.load(Ordering::Relaxed) + shape.count() > limit {
            return Err(IpcError::new(
                ErrorCode::TooManyStreams,
                format!("{limit} streams are already open on this connection"),
            )
            .with_data(serde_json::json!({ "limit": limit })));
        }
        Ok(shape)
    }

    /// Sends the first credit of a call's input stream: one window.
    fn grant_input(&self, id: u64) {
        let window = self.streams.as_ref().map_or(1, |terms| terms.input_window);
        self.outbox.send(message::credit_message(id, window));
    }

    /// Forgets a call that ended, closing its streams.
    fn end_call(&self, id: u64) {
        let entry = lock(&self.in_flight).remove(&id);
        if let Some(entry) = entry {
            let released = entry.close();
            self.open_streams.fetch_sub(released, Ordering::Relaxed);
        }
    }

    /// Sends `stop` for a call whose handler dropped its input stream before the end.
    fn send_stop(&self, id: u64, input: &Option<Arc<InputShared>>) {
        if let Some(input) = input {
            if input.wants_stop() {
                self.outbox.send(message::stop_message(id));
                if matches!(input.stopped(), InputEvent::Released) {
                    self.open_streams.fetch_sub(1, Ordering::Relaxed);
                }
            }
        }
    }

    /// Awaits `work` while watching the call: it ends early with the call's stop error
    /// (cancel, flow control, disconnect), and a handler that drops its input stream makes this
    /// send `stop`.
    async fn watch_call<F: Future>(
        &self,
        id: u64,
        stop: &CallStop,
        input: &Option<Arc<InputShared>>,
        stop_sent: &mut bool,
        work: F,
    ) -> Result<F::Output, IpcError> {
        tokio::pin!(work);
        loop {
            tokio::select! {
                biased;
                () = stop.ended() => {
                    return Err(stop.error().unwrap_or_else(|| cancelled_error(id)));
                }
                output = &mut work => return Ok(output),
                _ = input_dropped(input), if !*stop_sent => {
                    self.send_stop(id, input);
                    *stop_sent = true;
                }
            }
        }
    }

    /// Sends an output stream's items while the frontend's credit lasts; the call's answer is
    /// what ends it.
    async fn run_output(
        &self,
        id: u64,
        source: ItemSource,
        credit: Arc<SendCredit>,
        stop: &CallStop,
        input: &Option<Arc<InputShared>>,
    ) -> Reply {
        let limit = self.host.shared.config.max_message_bytes;
        let mut source = AssertUnwindSafe(source).catch_unwind();
        let mut stop_sent = false;
        let mut seq: u64 = 0;
        loop {
            // The producer is polled only while credit remains.
            if !self
                .watch_call(id, stop, input, &mut stop_sent, credit.acquire())
                .await?
            {
                return Err(cancelled_error(id));
            }
            let next = self
                .watch_call(id, stop, input, &mut stop_sent, source.next())
                .await?;
            match next {
                None => return Ok(Payload::null()),
                Some(Err(panic)) => return Err(panic_error(&*panic)),
                Some(Ok(Err(error))) => return Err(error),
                Some(Ok(Ok(value))) => {
                    let text = message::item_message(id, seq, value, self.binary());
                    if text.len() > limit {
                        return Err(IpcError::too_large("stream item", text.len(), limit));
                    }
                    self.outbox.send(text);
                    credit.spend();
                    seq += 1;
                }
            }
        }
    }

    fn send_reply(&self, id: u64, reply: Reply) {
        let limit = self.host.shared.config.max_message_bytes;
        let text = match reply {
            Ok(value) => {
                let text = message::result_message(id, value, self.binary());
                if text.len() > limit {
                    OutMessage::Text(message::error_message(
                        Some(id),
                        &IpcError::too_large("result", text.len(), limit),
                    ))
                } else {
                    text
                }
            }
            Err(error) => {
                let text = message::error_message(Some(id), &error);
                OutMessage::Text(if text.len() > limit {
                    message::error_message(
                        Some(id),
                        &IpcError::too_large("error", text.len(), limit),
                    )
                } else {
                    text
                })
            }
        };
        self.outbox.send(text);
    }
}

/// Resolves when the handler dropped its input stream before the end (never without one).
async fn input_dropped(input: &Option<Arc<InputShared>>) {
    match input {
        Some(input) => loop {
            input.dropped.notified().await;
            if input.wants_stop() {
                return;
            }
        },
        None => std::future::pending().await,
    }
}

fn cancelled_error(id: u64) -> IpcError {
    IpcError::new(ErrorCode::Cancelled, format!("call {id} was cancelled"))
}

/// The `internal` error for a handler panic, with the panic's message when it has one.
fn panic_error(panic: &(dyn std::any::Any + Send)) -> IpcError {
    let detail = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-string payload".to_owned());
    IpcError::internal(format!("the handler panicked: {detail}"))
}

/// A connection of a host with no transport under it: message texts in, the messages the host
/// sends out. It exists to measure the host's own cost per message (envelope, arguments,
/// dispatch, result, the reply's text) without any I/O or task hand-off
/// (`runtime-rs/benches/fixed_cost.rs`); it is not a transport. The handshake is taken as done
/// (protocol 1, every registered channel's hash agreed); a handler that does not finish on its
/// first poll runs on a task of the current tokio runtime, as on a served connection.
#[doc(hidden)]
pub struct DetachedConnection {
    connection: Arc<ServedConnection>,
    sent: Detached,
}

impl IpcHost {
    /// A [`DetachedConnection`] of this host (for benchmarks).
    #[doc(hidden)]
    pub fn detached_connection(&self) -> DetachedConnection {
        let (outbox, sent) = outbox::detached();
        let id = ConnectionId(self.shared.next_connection.fetch_add(1, Ordering::Relaxed));
        DetachedConnection {
            connection: Arc::new(ServedConnection {
                id,
                host: self.clone(),
                outbox,
                mismatched: Mismatches::default(),
                in_flight: Mutex::new(HashMap::new()),
                streams: None,
                open_streams: AtomicUsize::new(0),
            }),
            sent,
        }
    }
}

impl DetachedConnection {
    /// Handles one text message as the connection's reader would.
    pub fn handle_text(&self, text: &str) {
        self.connection.handle_message(text, None);
    }

    /// The next message the host sent on this connection, if any.
    pub fn take_sent(&mut self) -> Option<OutMessage> {
        self.sent.take()
    }
}

/// Keeps a channel registered; dropping it (or [`Registration::unregister`]) removes the channel.
#[must_use = "dropping the registration unregisters the handler at once"]
pub struct Registration {
    host: Option<IpcHost>,
    channel: &'static str,
    generation: u64,
}

impl Registration {
    /// Removes the channel now.
    pub fn unregister(mut self) {
        self.remove();
    }

    /// Keeps the channel registered for the host's lifetime.
    pub fn forget(mut self) {
        self.host = None;
    }

    /// The registered channel.
    pub fn channel(&self) -> &'static str {
        self.channel
    }

    fn remove(&mut self) {
        if let Some(host) = self.host.take() {
            let mut channels = host
                .shared
                .channels
                .write()
                .unwrap_or_else(|p| p.into_inner());
            if channels
                .get(self.channel)
                .is_some_and(|entry| entry.generation == self.generation)
            {
                channels.remove(self.channel);
            }
        }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.remove();
    }
}

/// Where a notification goes: every connection of a host, or one.
#[derive(Clone)]
pub struct NotifyTarget {
    host: IpcHost,
    connection: Option<ConnectionId>,
}

impl NotifyTarget {
    /// Every open connection of `host` (connections that mismatched the channel are skipped).
    pub fn all(host: &IpcHost) -> NotifyTarget {
        NotifyTarget {
            host: host.clone(),
            connection: None,
        }
    }

    /// One connection of `host`.
    pub fn connection(host: &IpcHost, connection: ConnectionId) -> NotifyTarget {
        NotifyTarget {
            host: host.clone(),
            connection: Some(connection),
        }
    }

    /// Sends `channel`.`method(args)`. Fails with `tooLarge` for an oversize notification and
    /// with `disconnected` when the one target connection is closed.
    pub fn notify(
        &self,
        channel: &str,
        method: &str,
        args: impl IntoIterator<Item = impl Into<Payload>>,
    ) -> Result<(), IpcError> {
        self.host.notify(self.connection, channel, method, args)
    }
}
