//! The Rust runtime against `ipcc compat`: both versions of every pair of the change corpus,
//! compiled through `ipcc::Builder` with glue generated from their IR (see `build/`), served
//! and called over the runtime's transports, with everything each side saw recorded.
//!
//! The harness here knows no version: a [`Version`] is a table of its glue's functions. A
//! frontend of one version meets a backend of another through [`connect_memory`],
//! [`connect_ws`] or [`connect_stdio`], with one kind of [`Sample`] values on both sides and
//! a [`Hello`] that lets the handshake judge or not; [`Fixture::observe`] then calls every
//! method, has every notification sent, and returns what happened on both sides
//! ([`Observed`]). Judging that against `ipcc compat`'s verdicts is the tests' business
//! (`tests/support`).

include!(concat!(env!("OUT_DIR"), "/cases.rs"));

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use ipcc_runtime::codegen::{Args, BoxFuture, Reply};
use ipcc_runtime::transport::{memory, CloseReason, IpcSocket, MessageWriter};
use ipcc_runtime::{
    CallContext, CallError, CallOptions, ChannelSpec, ConnectOptions, ConnectionId, Dispatch,
    ErrorCode, IpcConnection, IpcError, IpcHost, ListenerHandle, Registration, WsServer,
    WsServerConfig,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One pair of the corpus.
pub struct Case {
    /// The case's folder name (`07-param-added-optional`).
    pub name: &'static str,
    pub old: Version,
    pub new: Version,
}

/// One version of a pair (or an example): its channels and its glue, generated from its IR.
#[derive(Clone, Copy)]
pub struct Version {
    /// The root file compiled, relative to the repository
    /// (`compiler/tests/compat/07-param-added-optional/old.ipc`).
    pub source: &'static str,
    /// Every channel of the version, as its frontend declares them in the hello.
    pub specs: &'static [ChannelSpec],
    /// Mounts a sample backend for every interface and declares every notifications block.
    pub serve: fn(&IpcHost, &BackendLog, Sample) -> Vec<Registration>,
    /// Calls every method once through the generated clients.
    pub call_all: fn(IpcConnection, Sample) -> BoxFuture<Vec<Outcome>>,
    /// Attaches a recording listener for every notifications block.
    pub listen: fn(&IpcConnection, &Arrivals) -> Vec<ListenerHandle>,
    /// Sends every notification once to one connection.
    pub notify: fn(&IpcHost, ConnectionId, &BackendLog, Sample),
}

/// Which sample values both sides of a meeting send: the glue builds each from the IR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sample {
    /// Every field, `Some(..)`, one element per array and map, an enum's first value, a
    /// union's first variant.
    Full,
    /// The smallest values: no optional value, empty arrays and maps (what shows a reader that
    /// needs what a writer may leave out).
    Least,
    /// The other end: an enum's last value, a union's last variant, integers at their maximum,
    /// NaN, `null` elements (what shows a reader that cannot hold all a writer may send).
    Edge,
}

impl Sample {
    pub const ALL: [Sample; 3] = [Sample::Full, Sample::Least, Sample::Edge];

    pub fn name(self) -> &'static str {
        match self {
            Sample::Full => "full",
            Sample::Least => "least",
            Sample::Edge => "edge",
        }
    }

    pub fn parse(name: &str) -> Option<Sample> {
        Sample::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// What the frontend's hello declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hello {
    /// Its channels, hashes and wire schemas, as generated code does: the backend judges
    /// the channels whose hashes differ.
    Declared,
    /// No channels: nothing is judged and every call is sent and decoded for real, which
    /// shows whether what the handshake would refuse really breaks.
    Bare,
}

/// An example of `idl-examples/` or `tests/idl/`, with glue like a version of a pair.
pub struct Example {
    /// The root file's stem (`keywords`).
    pub name: &'static str,
    pub version: Version,
}

impl Example {
    /// The example as a pair of two equal versions.
    pub fn as_case(&self) -> Case {
        Case {
            name: self.name,
            old: self.version,
            new: self.version,
        }
    }
}

/// The pair named `name`.
pub fn case(name: &str) -> &'static Case {
    CASES
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no pair `{name}` in the corpus"))
}

impl Case {
    /// The version called `old` or `new`.
    pub fn version(&self, which: &str) -> &Version {
        match which {
            "old" => &self.old,
            "new" => &self.new,
            other => panic!("a version is `old` or `new`, not `{other}`"),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking test thread must not hide what was recorded before it.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

// ----- what the glue records -----

/// Encoded values with the names of the parameters they are for.
pub type NamedArgs = Vec<(String, Value)>;

/// How one frontend method call ended.
#[derive(Debug)]
pub struct Outcome {
    pub channel: &'static str,
    pub method: &'static str,
    /// The arguments the frontend passed, encoded by the frontend.
    pub sent: NamedArgs,
    /// The result as the frontend decoded it, encoded again by the frontend's own encoder (so
    /// it can be compared with what the backend sent), or the call's error.
    pub result: Result<Value, IpcError>,
}

impl Outcome {
    /// The outcome of a generated client's call; `encode` is the wire encoder of the result's
    /// type in the frontend's version.
    pub fn new<T, E: CallFailure>(
        channel: &'static str,
        method: &'static str,
        sent: Vec<(&str, Value)>,
        result: Result<T, E>,
        encode: fn(&T) -> Result<String, IpcError>,
    ) -> Outcome {
        let result = result
            .map_err(CallFailure::into_ipc_error)
            .map(|value| encoded(encode(&value)));
        Outcome {
            channel,
            method,
            sent: named(sent),
            result,
        }
    }
}

/// The error of a generated client's call, whether the method declares `throws` or not.
pub trait CallFailure {
    fn into_ipc_error(self) -> IpcError;
}

impl CallFailure for IpcError {
    fn into_ipc_error(self) -> IpcError {
        self
    }
}

impl<E: std::fmt::Debug> CallFailure for CallError<E> {
    fn into_ipc_error(self) -> IpcError {
        match self {
            CallError::Ipc(error) => error,
            // The sample backends never fail; should one, the error keeps its code.
            CallError::Declared(declared) => {
                IpcError::new(ErrorCode::Declared, format!("{declared:?}"))
            }
        }
    }
}

/// A value the glue encoded, as JSON; one that does not encode becomes a marker that compares
/// equal to nothing a peer sends.
pub fn encoded(text: Result<String, IpcError>) -> Value {
    match text.map(|text| serde_json::from_str::<Value>(&text)) {
        Ok(Ok(value)) => value,
        Ok(Err(error)) => serde_json::json!({ "notJson": error.to_string() }),
        Err(error) => serde_json::json!({ "doesNotEncode": error.message }),
    }
}

fn named(args: Vec<(&str, Value)>) -> NamedArgs {
    args.into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
}

/// A call that reached a sample backend: the arguments it decoded and the result it answered
/// (encoded by the backend).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reached {
    pub channel: String,
    pub method: String,
    pub args: NamedArgs,
    pub result: Value,
}

/// A notification a backend sent, with its arguments (encoded) and the sender's error if any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sent {
    pub channel: String,
    pub method: String,
    pub args: NamedArgs,
    pub error: Option<String>,
}

/// What a backend did, as its control channel reports it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BackendRecord {
    pub calls: Vec<Reached>,
    pub notifications: Vec<Sent>,
}

/// Where a backend's glue records what it did. Cheap to clone (shared).
#[derive(Debug, Clone, Default)]
pub struct BackendLog(Arc<Mutex<BackendRecord>>);

impl BackendLog {
    /// A call of `channel`.`method` with `args` reached its handler, which answers `result`.
    pub fn reached(&self, channel: &str, method: &str, args: Vec<(&str, Value)>, result: Value) {
        lock(&self.0).calls.push(Reached {
            channel: channel.to_owned(),
            method: method.to_owned(),
            args: named(args),
            result,
        });
    }

    /// Notification `channel`.`method` was sent with `args`.
    pub fn sent(
        &self,
        channel: &str,
        method: &str,
        args: Vec<(&str, Value)>,
        sent: Result<(), IpcError>,
    ) {
        lock(&self.0).notifications.push(Sent {
            channel: channel.to_owned(),
            method: method.to_owned(),
            args: named(args),
            error: sent.err().map(|e| e.to_string()),
        });
    }

    pub fn record(&self) -> BackendRecord {
        lock(&self.0).clone()
    }
}

/// A notification that reached a frontend's listener, its arguments encoded again by the
/// frontend's encoders.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrival {
    pub channel: String,
    pub method: String,
    pub args: NamedArgs,
}

/// Where a frontend's listeners record what arrives. Cheap to clone (shared).
#[derive(Debug, Clone, Default)]
pub struct Arrivals(Arc<Mutex<Vec<Arrival>>>);

impl Arrivals {
    pub fn arrived(&self, channel: &str, method: &str, args: Vec<(&str, Value)>) {
        lock(&self.0).push(Arrival {
            channel: channel.to_owned(),
            method: method.to_owned(),
            args: named(args),
        });
    }

    pub fn all(&self) -> Vec<Arrival> {
        lock(&self.0).clone()
    }
}

// ----- the backend side -----

/// The channel through which a test drives a backend it may not share a process with (stdio):
/// `notify` sends every notification of the backend's version to the calling connection and
/// answers after them, `log` answers the [`BackendRecord`]. Frontends do not declare it, so
/// the handshake never judges it.
pub const CONTROL_CHANNEL: &str = "ipcc-compat-runtime-control";

/// The control channel's dispatch table (written by hand: it is the test's own channel).
struct Control {
    log: BackendLog,
    notify: fn(&IpcHost, ConnectionId, &BackendLog, Sample),
    sample: Sample,
}

impl Dispatch for Control {
    fn dispatch(&self, ctx: CallContext, method: &str, args: Args) -> BoxFuture<Reply> {
        let reply = match method {
            "notify" => {
                // Queued before this call's answer on the same connection, so they arrive
                // before it: the answer tells the frontend that every notification is in.
                (self.notify)(ctx.host(), ctx.connection(), &self.log, self.sample);
                serde_json::value::to_raw_value(&Value::Null)
            }
            "log" => serde_json::value::to_raw_value(&self.log.record()),
            _ => return ipcc_runtime::codegen::unknown_method(method),
        };
        drop(args);
        Box::pin(std::future::ready(
            reply
                .map(Into::into)
                .map_err(|e| IpcError::internal(e.to_string())),
        ))
    }
}

/// A backend of one version on a host: its registrations, and the log its glue writes.
pub struct Backend {
    pub log: BackendLog,
    _registrations: Vec<Registration>,
}

/// Mounts `version`'s backends, answering and notifying `sample` values, and the control
/// channel on `host`.
pub fn serve(host: &IpcHost, version: &Version, sample: Sample) -> Backend {
    let log = BackendLog::default();
    let mut registrations = (version.serve)(host, &log, sample);
    let control = ChannelSpec {
        channel: CONTROL_CHANNEL,
        schema_hash: "control",
        wire_schema: "",
    };
    registrations.push(host.register(
        control,
        Arc::new(Control {
            log: log.clone(),
            notify: version.notify,
            sample,
        }),
    ));
    Backend {
        log,
        _registrations: registrations,
    }
}

// ----- the frontend side -----

/// Every message a frontend wrote, in order (in-memory only: it wraps the socket).
#[derive(Debug, Clone, Default)]
pub struct Written(Arc<Mutex<Vec<String>>>);

impl Written {
    /// The `call` messages written, as `(channel, method)`.
    pub fn calls(&self) -> Vec<(String, String)> {
        lock(&self.0)
            .iter()
            .filter_map(|text| serde_json::from_str::<Value>(text).ok())
            .filter(|message| message["type"] == "call")
            .map(|message| {
                let field = |name: &str| message[name].as_str().unwrap_or_default().to_owned();
                (field("channel"), field("method"))
            })
            .collect()
    }
}

/// A transport socket whose writes are recorded, so a test sees what really left the frontend.
struct Recorded<S> {
    socket: S,
    written: Written,
}

impl<S: IpcSocket> IpcSocket for Recorded<S> {
    type Reader = S::Reader;
    type Writer = RecordingWriter<S::Writer>;

    fn into_split(self) -> (S::Reader, RecordingWriter<S::Writer>) {
        let (reader, writer) = self.socket.into_split();
        (
            reader,
            RecordingWriter {
                writer,
                written: self.written,
            },
        )
    }
}

struct RecordingWriter<W> {
    writer: W,
    written: Written,
}

impl<W: MessageWriter> MessageWriter for RecordingWriter<W> {
    async fn write(&mut self, text: String) -> std::io::Result<()> {
        lock(&self.written.0).push(text.clone());
        self.writer.write(text).await
    }

    async fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush().await
    }

    async fn close(&mut self) -> std::io::Result<()> {
        self.writer.close().await
    }

    async fn close_for(&mut self, reason: CloseReason) -> std::io::Result<()> {
        self.writer.close_for(reason).await
    }
}

/// A frontend connected to a backend of another (or the same) version.
pub struct Fixture {
    pub conn: IpcConnection,
    /// Errors the connection reported through its error hook (they belong to no call).
    pub hook: Arc<Mutex<Vec<IpcError>>>,
    /// What the frontend wrote, when the transport lets the test see it.
    pub written: Option<Written>,
    /// The in-process backend, if any (kept alive while the fixture is).
    pub backend: Option<(IpcHost, Backend)>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Some(server) = &self.server {
            server.abort();
        }
    }
}

/// Options for a frontend of `frontend` saying `hello`, with a hook that collects stray errors.
fn options(frontend: &Version, hello: Hello) -> (ConnectOptions, Arc<Mutex<Vec<IpcError>>>) {
    let hook = Arc::new(Mutex::new(Vec::new()));
    let collected = hook.clone();
    let mut options = ConnectOptions::new().on_error(move |error| lock(&collected).push(error));
    if hello == Hello::Declared {
        options = options.channels(frontend.specs.iter().copied());
    }
    (options, hook)
}

/// A frontend of `frontend` against a host serving `backend`, over the in-memory transport,
/// recording every message the frontend writes.
pub fn connect_memory(
    frontend: &Version,
    backend: &Version,
    sample: Sample,
    hello: Hello,
) -> Fixture {
    let host = IpcHost::new();
    let served = serve(&host, backend, sample);
    let (front, back) = memory::pair();
    let serving = host.clone();
    tokio::spawn(async move { serving.serve(back).await });
    let written = Written::default();
    let (options, hook) = options(frontend, hello);
    let conn = IpcConnection::open(
        Recorded {
            socket: front,
            written: written.clone(),
        },
        options,
    );
    Fixture {
        conn,
        hook,
        written: Some(written),
        backend: Some((host, served)),
        server: None,
    }
}

/// A frontend of `frontend` against a host serving `backend` on a real WebSocket on
/// `127.0.0.1`.
pub async fn connect_ws(frontend: &Version, backend: &Version, sample: Sample) -> Fixture {
    let host = IpcHost::new();
    let served = serve(&host, backend, sample);
    let server = WsServer::bind(&host, WsServerConfig::new())
        .await
        .expect("bind 127.0.0.1:0");
    let url = server.url();
    let server = server.spawn();
    let (options, hook) = options(frontend, Hello::Declared);
    let conn = IpcConnection::connect_ws(&url, options)
        .await
        .expect("WebSocket handshake");
    Fixture {
        conn,
        hook,
        written: None,
        backend: Some((host, served)),
        server: Some(server),
    }
}

/// A frontend of `frontend` against a child process (the crate's `ipcc-compat-backend`, at
/// `binary`) serving version `which` of pair `case` over its stdin/stdout.
pub async fn connect_stdio(
    binary: &str,
    case: &str,
    which: &str,
    frontend: &Version,
    sample: Sample,
) -> Fixture {
    let mut command = tokio::process::Command::new(binary);
    command
        .args([case, which, sample.name()])
        .stderr(std::process::Stdio::inherit());
    let (options, hook) = options(frontend, Hello::Declared);
    let conn = IpcConnection::spawn_stdio(command, options)
        .await
        .expect("stdio handshake with the child backend");
    Fixture {
        conn,
        hook,
        written: None,
        backend: None,
        server: None,
    }
}

/// Everything one meeting of a frontend and a backend showed.
#[derive(Debug)]
pub struct Observed {
    /// Every frontend method, called once, in the frontend's order.
    pub outcomes: Vec<Outcome>,
    /// The notifications the frontend's listeners received.
    pub arrivals: Vec<Arrival>,
    /// What the backend did: the calls that reached it, the notifications it sent.
    pub backend: BackendRecord,
    /// Errors the frontend reported through its error hook.
    pub hook: Vec<IpcError>,
    /// The calls the frontend wrote on the transport, when the test could see them.
    pub written_calls: Option<Vec<(String, String)>>,
}

/// How long one meeting may take before the test fails as hung (a guard, not a wait).
const GUARD: Duration = Duration::from_secs(60);

impl Fixture {
    /// Listens to every notifications block, calls every method of `frontend` (the version
    /// this fixture's frontend was built from) with `sample` arguments, has the backend send
    /// every notification, and collects what both sides saw.
    pub async fn observe(&self, frontend: &Version, sample: Sample) -> Observed {
        tokio::time::timeout(GUARD, self.observe_unguarded(frontend, sample))
            .await
            .expect("the meeting did not end within the guard's time")
    }

    async fn observe_unguarded(&self, frontend: &Version, sample: Sample) -> Observed {
        let arrivals = Arrivals::default();
        let listeners = (frontend.listen)(&self.conn, &arrivals);
        let outcomes = (frontend.call_all)(self.conn.clone(), sample).await;
        let control = |method: &'static str| {
            let conn = self.conn.clone();
            async move {
                conn.call(
                    CONTROL_CHANNEL,
                    method,
                    Vec::<ipcc_runtime::Payload>::new(),
                    &CallOptions::new(),
                )
                .await
                .unwrap_or_else(|e| panic!("control `{method}`: {e}"))
            }
        };
        control("notify").await;
        let record = control("log").await;
        let backend: BackendRecord =
            serde_json::from_str(record.get()).expect("the control channel's log");
        drop(listeners);
        Observed {
            outcomes,
            arrivals: arrivals.all(),
            backend,
            hook: lock(&self.hook).clone(),
            written_calls: self.written.as_ref().map(Written::calls),
        }
    }
}
