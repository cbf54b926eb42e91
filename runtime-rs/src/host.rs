//! The backend side: `IpcHost` (registration, notifications, connections) and the loop that
//! serves one connection over any transport.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::future::CatchUnwind;
use futures_util::FutureExt;
use serde_json::value::RawValue;
use tokio::sync::watch;

use ipcc_wire_compat::{ChannelSchema, SchemaError};

use crate::codegen::{Args, BoxFuture, Reply};
use crate::compat::{self, ChannelMismatch};
use crate::connection::{ConnectOptions, IpcConnection};
use crate::error::{ErrorCode, IpcError};
use crate::message::{self, Envelope, PROTOCOL_VERSION};
use crate::outbox::{spawn_writer, Outbox};
use crate::transport::{memory, Incoming, IpcSocket, MessageReader};

/// Locks a mutex, ignoring poisoning: every critical section here leaves the data consistent.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

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

/// A channel, and the schema hash and wire schema the compiler emitted for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChannelSpec {
    /// The channel name, e.g. `"my-interface-v1.2"`.
    pub channel: &'static str,
    /// The schema hash of the interface or notifications block.
    pub schema_hash: &'static str,
    /// The channel's wire schema (JSON, docs/protocol.md "Wire schemas"), with which a backend
    /// tells which members of a frontend of another version still work. Empty when unknown:
    /// then any difference of hashes mismatches the whole channel.
    pub wire_schema: &'static str,
}

impl ChannelSpec {
    /// The channel's wire schema as a frontend announces it in its `hello` (only the types the
    /// channel reaches), or `None` when the spec has none this runtime can read.
    pub fn hello_schema(&self) -> Option<Arc<str>> {
        compat::hello_schema(self)
    }
}

/// Per-call context handed to handlers: which connection called, and cancellation.
#[derive(Clone)]
pub struct CallContext {
    host: IpcHost,
    connection: ConnectionId,
    cancelled: watch::Receiver<bool>,
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
        *self.cancelled.borrow()
    }

    /// Resolves when the caller cancels the call or disconnects. (The host also drops the
    /// handler's future then; this is for work the handler moved elsewhere, e.g. a spawned task.)
    pub async fn cancelled(&self) {
        let mut receiver = self.cancelled.clone();
        // An error means the call is over and the sender dropped: treat as cancelled.
        let _ = receiver.wait_for(|cancelled| *cancelled).await;
    }
}

/// A channel's closed dispatch table, as generated for each interface.
pub trait Dispatch: Send + Sync + 'static {
    /// Runs `method` with `args`; an unknown method returns [`crate::codegen::unknown_method`].
    fn dispatch(&self, ctx: CallContext, method: &str, args: Args) -> BoxFuture<Reply>;
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
}

impl Default for HostConfig {
    fn default() -> Self {
        HostConfig {
            max_message_bytes: 64 * 1024 * 1024,
            max_in_flight: 1024,
            token: None,
            max_queued_bytes: 256 * 1024 * 1024,
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

    /// Requires this token in every hello.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
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

/// A live connection, as the host sees it.
struct ConnectionEntry {
    outbox: Outbox,
    mismatched: Mismatches,
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
    channels: RwLock<HashMap<String, ChannelEntry>>,
    notifications: RwLock<BTreeMap<String, NotificationsEntry>>,
    connections: Mutex<HashMap<ConnectionId, ConnectionEntry>>,
    next_connection: AtomicU64,
    next_generation: AtomicU64,
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
                channels: RwLock::new(HashMap::new()),
                notifications: RwLock::new(BTreeMap::new()),
                connections: Mutex::new(HashMap::new()),
                next_connection: AtomicU64::new(1),
                next_generation: AtomicU64::new(1),
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
        args: Vec<Box<RawValue>>,
    ) -> Result<(), IpcError> {
        let text = message::notify_message(channel, method, &args);
        let limit = self.shared.config.max_message_bytes;
        if text.len() > limit {
            return Err(IpcError::too_large("notification", text.len(), limit));
        }
        let connections = lock(&self.shared.connections);
        let max_queued = self.shared.config.max_queued_bytes;
        match target {
            Some(id) => {
                let entry = connections.get(&id).ok_or_else(|| {
                    IpcError::new(ErrorCode::Disconnected, format!("{id} is closed"))
                })?;
                if !entry.delivers(channel, method) {
                    return Ok(());
                }
                if entry.outbox.queued_bytes() + text.len() > max_queued {
                    return Err(IpcError::new(
                        ErrorCode::TooLarge,
                        format!("the outgoing queue of {id} is full"),
                    ));
                }
                entry.outbox.send(text);
            }
            None => {
                for entry in connections.values() {
                    // A peer that stopped reading misses notifications rather than growing
                    // this process without bound.
                    if entry.delivers(channel, method)
                        && entry.outbox.queued_bytes() + text.len() <= max_queued
                    {
                        entry.outbox.send(text.clone());
                    }
                }
            }
        }
        Ok(())
    }

    /// Opens an in-memory connection to this host (frontend side), with default options.
    /// Must be called inside a tokio runtime.
    pub fn connect_in_memory(&self) -> IpcConnection {
        self.connect_in_memory_with(ConnectOptions::default())
    }

    /// Opens an in-memory connection to this host with these options.
    pub fn connect_in_memory_with(&self, options: ConnectOptions) -> IpcConnection {
        let (frontend, backend) = memory::pair();
        let host = self.clone();
        tokio::spawn(async move { host.serve(backend).await });
        IpcConnection::open(frontend, options)
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
        let (mut reader, writer) = socket.into_split();
        let (outbox, writer_task) = spawn_writer(writer);
        let max = self.shared.config.max_message_bytes;
        let Some(mismatched) = self.handshake(&mut reader, &outbox).await else {
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
        });
        lock(&self.shared.connections).insert(
            id,
            ConnectionEntry {
                outbox: outbox.clone(),
                mismatched,
            },
        );
        let max_queued = self.shared.config.max_queued_bytes;
        loop {
            outbox.wait_below(max_queued).await;
            match reader.read(max).await {
                Incoming::Text(text) => connection.handle_message(&text),
                Incoming::Binary => connection.send_error(
                    None,
                    &IpcError::bad_request("binary frames are reserved in protocol v1"),
                ),
                Incoming::InvalidUtf8 => connection
                    .send_error(None, &IpcError::bad_request("message is not valid UTF-8")),
                Incoming::TooLarge { head, fatal } => {
                    let error = IpcError::too_large("message", max + 1, max);
                    connection.send_error(message::sniff_id(&head), &error);
                    if fatal {
                        outbox.close(true);
                        break;
                    }
                }
                Incoming::Closed => break,
            }
        }
        lock(&self.shared.connections).remove(&id);
        // Cancel every running handler of this connection; their futures are dropped.
        for (_, cancel) in lock(&connection.in_flight).drain() {
            let _ = cancel.send(true);
        }
        outbox.close(false);
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
    ) -> Option<Mismatches> {
        let config = &self.shared.config;
        let refuse = |error: IpcError| {
            outbox.send(message::error_message(None, &error));
            outbox.close(false);
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
                outbox.close(false);
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
        if protocol != PROTOCOL_VERSION {
            return refuse(
                IpcError::new(
                    ErrorCode::VersionMismatch,
                    format!(
                        "the frontend speaks protocol {protocol}, the backend protocol {PROTOCOL_VERSION}"
                    ),
                )
                .with_data(serde_json::json!({
                    "backendProtocol": PROTOCOL_VERSION,
                    "frontendProtocol": protocol,
                })),
            );
        }
        if let Some(expected) = &config.token {
            let given = message::string_field(envelope.token).unwrap_or_default();
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
        ));
        Some(Arc::new(mismatched))
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

/// One connection being served.
struct ServedConnection {
    id: ConnectionId,
    host: IpcHost,
    outbox: Outbox,
    mismatched: Mismatches,
    /// Calls running, with the sender that cancels each.
    in_flight: Mutex<HashMap<u64, watch::Sender<bool>>>,
}

impl ServedConnection {
    fn send_error(&self, id: Option<u64>, error: &IpcError) {
        self.outbox.send(message::error_message(id, error));
    }

    fn handle_message(self: &Arc<Self>, text: &str) {
        let Some(envelope) = Envelope::parse(text) else {
            return self.send_error(
                None,
                &IpcError::bad_request("message is not a JSON object with distinct fields"),
            );
        };
        match envelope.kind().as_deref() {
            Some("call") => self.handle_call(&envelope),
            Some("cancel") => match envelope.id() {
                Some(id) => {
                    if let Some(cancel) = lock(&self.in_flight).get(&id) {
                        let _ = cancel.send(true);
                    }
                }
                None => self.send_error(None, &IpcError::bad_request("cancel: invalid `id`")),
            },
            Some("hello") => self.send_error(
                None,
                &IpcError::bad_request("hello was already received on this connection"),
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

    fn handle_call(self: &Arc<Self>, envelope: &Envelope<'_>) {
        let Some(id) = envelope.id() else {
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
        let (Some(channel), Some(method)) = (
            message::string_field(envelope.channel),
            message::string_field(envelope.method),
        ) else {
            return fail(IpcError::bad_request(
                "call: `channel` and `method` must be strings",
            ));
        };
        let Some(args) = envelope
            .args
            .and_then(|raw| serde_json::from_str::<Vec<Box<RawValue>>>(raw.get()).ok())
        else {
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
            match channels.get(&channel) {
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
            .get(&channel)
            .and_then(|mismatch| mismatch.call_error(&channel, &method))
        {
            return fail(error);
        }
        let (cancel_tx, cancel_rx) = watch::channel(false);
        lock(&self.in_flight).insert(id, cancel_tx);
        let ctx = CallContext {
            host: self.host.clone(),
            connection: self.id,
            cancelled: cancel_rx.clone(),
        };
        // The synchronous part of dispatch may panic too.
        let started = std::panic::catch_unwind(AssertUnwindSafe(|| {
            dispatch.dispatch(ctx, &method, Args::new(args))
        }));
        let mut handler = match started {
            Ok(future) => AssertUnwindSafe(future).catch_unwind(),
            Err(panic) => {
                lock(&self.in_flight).remove(&id);
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
            lock(&self.in_flight).remove(&id);
            return self.send_reply(
                id,
                outcome.unwrap_or_else(|panic| Err(panic_error(&*panic))),
            );
        }
        let connection = self.clone();
        tokio::spawn(async move {
            let cancel_flag = cancel_rx.clone();
            let mut reply = run_handler(handler, cancel_rx, id).await;
            // A cancel that raced with the handler's completion still gets its `cancelled`
            // answer: the frontend asked for it, and the handler may have ended *because* of it.
            if *cancel_flag.borrow() {
                reply = Err(cancelled_error(id));
            }
            lock(&connection.in_flight).remove(&id);
            connection.send_reply(id, reply);
        });
    }

    fn send_reply(&self, id: u64, reply: Reply) {
        let limit = self.host.shared.config.max_message_bytes;
        let text = match reply {
            Ok(value) => {
                let text = message::result_message(id, &value);
                if text.len() > limit {
                    message::error_message(
                        Some(id),
                        &IpcError::too_large("result", text.len(), limit),
                    )
                } else {
                    text
                }
            }
            Err(error) => {
                let text = message::error_message(Some(id), &error);
                if text.len() > limit {
                    message::error_message(
                        Some(id),
                        &IpcError::too_large("error", text.len(), limit),
                    )
                } else {
                    text
                }
            }
        };
        self.outbox.send(text);
    }
}

/// Runs a handler's future until it finishes, panics, or the call is cancelled (then the future
/// is dropped).
async fn run_handler(
    handler: CatchUnwind<AssertUnwindSafe<BoxFuture<Reply>>>,
    mut cancelled: watch::Receiver<bool>,
    id: u64,
) -> Reply {
    tokio::select! {
        biased;
        _ = cancelled.wait_for(|c| *c) => Err(cancelled_error(id)),
        outcome = handler => outcome.unwrap_or_else(|panic| Err(panic_error(&*panic))),
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
        args: Vec<Box<RawValue>>,
    ) -> Result<(), IpcError> {
        self.host.notify(self.connection, channel, method, args)
    }
}
