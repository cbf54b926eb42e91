//! The hand-written generated code of tests/vectors/vectors.ipc driven through the typed client
//! and the host over in-memory, a real WebSocket on loopback and a real child process over
//! stdio; every error path of docs/protocol.md.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ipcc_runtime::codegen::{CallContext, CallError, HandlerError, Payload, Raised};
use ipcc_runtime::{
    CallOptions, ChannelSpec, ConnectOptions, ErrorCode, HostConfig, IpcConnection, IpcHost,
    WsServer, WsServerConfig,
};
use support::vectors_ipc::{
    self, EchoClient, EchoError, EchoEventsListener, Person, ECHO_CHANNEL, ECHO_EVENTS_SPEC,
    ECHO_SPEC,
};
use support::{echo_host, guarded};
use tokio::sync::mpsc;

fn options() -> ConnectOptions {
    ConnectOptions::new().channels([ECHO_SPEC, ECHO_EVENTS_SPEC])
}

/// The three transports, each giving a connected client for a host with `config`.
#[derive(Clone, Copy, Debug)]
enum Transport {
    InMemory,
    WebSocket,
    Stdio,
}

/// Keeps whatever serves a connection alive for the test's duration.
struct Served {
    connection: IpcConnection,
    _server: Option<tokio::task::JoinHandle<()>>,
}

async fn connect(transport: Transport, config: HostConfig, options: ConnectOptions) -> Served {
    match transport {
        Transport::InMemory => Served {
            connection: echo_host(config).connect_in_memory_with(options),
            _server: None,
        },
        Transport::WebSocket => {
            let host = echo_host(config);
            let server = WsServer::bind(&host, WsServerConfig::new()).await.unwrap();
            let url = server.url();
            let handle = server.spawn();
            let connection = guarded("connect_ws", IpcConnection::connect_ws(&url, options))
                .await
                .expect("connects over WebSocket");
            Served {
                connection,
                _server: Some(handle),
            }
        }
        Transport::Stdio => {
            let mut command = tokio::process::Command::new(support::echo_backend_binary());
            command.arg("--stdio");
            if let Some(token) = &config.token {
                command.args(["--token", token]);
            }
            command.args(["--max-message-bytes", &config.max_message_bytes.to_string()]);
            command.args(["--max-in-flight", &config.max_in_flight.to_string()]);
            let connection = guarded("spawn_stdio", IpcConnection::spawn_stdio(command, options))
                .await
                .expect("spawns the echo backend");
            Served {
                connection,
                _server: None,
            }
        }
    }
}

const ALL: [Transport; 3] = [Transport::InMemory, Transport::WebSocket, Transport::Stdio];

fn sample_person() -> Person {
    Person {
        id: i64::MIN,
        name: "héllo 😀 \u{0} \"quoted\"\n".to_owned(),
        age: Some(u32::MAX),
        tags: vec![String::new(), "日本".to_owned()],
        avatar: (0..=255).collect(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_round_trip_over_every_transport() {
    for transport in ALL {
        let served = connect(transport, HostConfig::new(), options()).await;
        let client = EchoClient::new(&served.connection);
        let ctx = format!("{transport:?}");
        for value in [i64::MIN, -1, 0, 1, i64::MAX] {
            assert_eq!(guarded(&ctx, client.echo_i64(value)).await.unwrap(), value);
        }
        for value in [
            0.0,
            1.5,
            -2.25,
            1e300,
            5e-324,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            assert_eq!(guarded(&ctx, client.echo_f64(value)).await.unwrap(), value);
        }
        let nan = guarded(&ctx, client.echo_f64(f64::NAN)).await.unwrap();
        assert!(nan.is_nan());
        let negative_zero = guarded(&ctx, client.echo_f64(-0.0)).await.unwrap();
        assert!(negative_zero == 0.0 && negative_zero.is_sign_negative());
        for text in ["", "ascii", "😀 astral", "\u{0}\u{1f}\u{7f}"] {
            let echoed = guarded(&ctx, client.echo_string(text.to_owned())).await;
            assert_eq!(echoed.unwrap(), text);
        }
        for bytes in [Vec::new(), vec![0u8], (0..=255).collect::<Vec<u8>>()] {
            let echoed = guarded(&ctx, client.echo_bytes(bytes.clone())).await;
            assert_eq!(echoed.unwrap(), bytes);
        }
        let person = sample_person();
        let echoed = guarded(&ctx, client.echo_person(person.clone())).await;
        assert_eq!(echoed.unwrap(), person);
        let absent = Person {
            age: None,
            ..sample_person()
        };
        let echoed = guarded(&ctx, client.echo_person(absent.clone())).await;
        assert_eq!(echoed.unwrap(), absent);
        assert_eq!(
            guarded(&ctx, client.echo_optional(None)).await.unwrap(),
            None
        );
        assert_eq!(
            guarded(&ctx, client.echo_optional(Some("v".into())))
                .await
                .unwrap(),
            Some("v".to_owned())
        );
        // A 16 MiB payload travels (bytes as base64, never an array of numbers).
        let big: Vec<u8> = (0..16 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
        let echoed = guarded(&ctx, client.echo_bytes(big.clone())).await.unwrap();
        assert!(echoed == big, "{ctx}: 16 MiB bytes came back different");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_calls_in_flight_complete() {
    for transport in ALL {
        let served = connect(transport, HostConfig::new(), options()).await;
        let client = EchoClient::new(&served.connection);
        let calls = (0..200).map(|i| {
            let client = client.clone();
            async move { client.add(i, i).await }
        });
        let results = guarded("200 calls", futures_util::future::join_all(calls)).await;
        for (i, result) in results.into_iter().enumerate() {
            assert_eq!(result.unwrap(), 2 * i as i32, "{transport:?}");
        }
    }
}

#[derive(Clone, Default)]
struct Ticks(Arc<Mutex<Vec<u32>>>);

impl EchoEventsListener for Ticks {
    fn tick(&self, n: u32) {
        self.0.lock().unwrap().push(n);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_arrive_in_order_and_listeners_detach() {
    for transport in ALL {
        let served = connect(transport, HostConfig::new(), options()).await;
        let ticks = Ticks::default();
        let listener = vectors_ipc::listen_echo_events(&served.connection, ticks.clone());
        let client = EchoClient::new(&served.connection);
        guarded("notifyMe", client.notify_me(50)).await.unwrap();
        // Notifications are sent before the result, on the same ordered connection.
        assert_eq!(*ticks.0.lock().unwrap(), (1..=50).collect::<Vec<_>>());
        drop(listener);
        guarded("notifyMe", client.notify_me(3)).await.unwrap();
        assert_eq!(ticks.0.lock().unwrap().len(), 50, "{transport:?}");
    }
}

#[tokio::test]
async fn notify_all_reaches_every_connection_and_is_valid_tracks_them() {
    let host = echo_host(HostConfig::new());
    assert!(!host.is_valid());
    let a = host.connect_in_memory_with(options());
    let b = host.connect_in_memory_with(options());
    guarded("ready", a.ready()).await.unwrap();
    guarded("ready", b.ready()).await.unwrap();
    let (ta, tb) = (Ticks::default(), Ticks::default());
    let _la = vectors_ipc::listen_echo_events(&a, ta.clone());
    let _lb = vectors_ipc::listen_echo_events(&b, tb.clone());
    assert!(host.is_valid());
    assert_eq!(host.connections().len(), 2);
    vectors_ipc::EchoEventsSender::all(&host).tick(7).unwrap();
    // A call after the broadcast proves each connection has read it (ordered transport).
    guarded("add", EchoClient::new(&a).add(1, 1)).await.unwrap();
    guarded("add", EchoClient::new(&b).add(1, 1)).await.unwrap();
    assert_eq!(*ta.0.lock().unwrap(), vec![7]);
    assert_eq!(*tb.0.lock().unwrap(), vec![7]);
    a.close();
    b.close();
    guarded("hosts sees closes", async {
        while host.is_valid() {
            tokio::task::yield_now().await;
        }
    })
    .await;
    let gone = vectors_ipc::EchoEventsSender::to(&host, ipcc_runtime::ConnectionId(1)).tick(1);
    assert_eq!(gone.unwrap_err().code, ErrorCode::Disconnected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declared_internal_and_panic_errors() {
    for transport in ALL {
        let served = connect(transport, HostConfig::new(), options()).await;
        let client = EchoClient::new(&served.connection);
        match guarded("fail", client.fail("declared")).await {
            Err(CallError::Declared(EchoError::Failed { reason })) => assert_eq!(reason, "asked"),
            other => panic!("{transport:?}: expected declared failed, got {other:?}"),
        }
        match guarded("fail", client.fail("denied")).await {
            Err(CallError::Declared(EchoError::Denied)) => {}
            other => panic!("{transport:?}: expected declared denied, got {other:?}"),
        }
        let overflow = guarded("add", client.add(i32::MAX, 1)).await.unwrap_err();
        assert_eq!(overflow.code, ErrorCode::Internal);
        assert!(overflow.message.contains("overflows"), "{overflow}");
        match guarded("fail", client.fail("panic")).await {
            Err(CallError::Ipc(error)) => {
                assert_eq!(error.code, ErrorCode::Internal);
                assert!(error.message.contains("asked to panic"), "{error}");
            }
            other => panic!("{transport:?}: expected internal, got {other:?}"),
        }
        // The host keeps serving after a failure and a panic.
        assert_eq!(guarded("add", client.add(2, 3)).await.unwrap(), 5);
    }
}

#[tokio::test]
async fn unknown_channel_method_and_bad_arguments() {
    let host = echo_host(HostConfig::new());
    let conn = host.connect_in_memory();
    let none = CallOptions::new();
    let arg = |v: serde_json::Value| serde_json::value::to_raw_value(&v).unwrap();
    let error = guarded(
        "call",
        conn.call("nope", "echoString", Vec::<Payload>::new(), &none),
    )
    .await
    .unwrap_err();
    assert_eq!(error.code, ErrorCode::UnknownChannel);
    let error = guarded(
        "call",
        conn.call(ECHO_CHANNEL, "nope", Vec::<Payload>::new(), &none),
    )
    .await
    .unwrap_err();
    assert_eq!(error.code, ErrorCode::UnknownMethod);
    for (method, args) in [
        ("add", vec![arg(1.into())]),
        ("add", vec![arg(1.into()), arg(2.into()), arg(3.into())]),
        ("add", vec![arg("1".into()), arg(2.into())]),
        ("add", vec![arg(1.5.into()), arg(2.into())]),
        ("echoI64", vec![arg(5.into())]),
        ("echoBytes", vec![arg("not base64!".into())]),
        ("echoPerson", vec![arg(serde_json::json!({"id": "1"}))]),
    ] {
        let error = guarded("call", conn.call(ECHO_CHANNEL, method, args, &none))
            .await
            .unwrap_err();
        assert_eq!(error.code, ErrorCode::BadRequest, "{method}: {error}");
    }
}

/// An `Echo` whose `wait` reports when it starts and when its future is dropped.
struct Probe {
    started: mpsc::UnboundedSender<()>,
    dropped: mpsc::UnboundedSender<()>,
}

struct DropSignal(mpsc::UnboundedSender<()>);

impl Drop for DropSignal {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}

macro_rules! echo_passthrough {
    () => {
        async fn echo_string(&self, _: CallContext, v: String) -> Result<String, HandlerError> {
            Ok(v)
        }
        async fn echo_i64(&self, _: CallContext, v: i64) -> Result<i64, HandlerError> {
            Ok(v)
        }
        async fn echo_f64(&self, _: CallContext, v: f64) -> Result<f64, HandlerError> {
            Ok(v)
        }
        async fn echo_bytes(&self, _: CallContext, v: Vec<u8>) -> Result<Vec<u8>, HandlerError> {
            Ok(v)
        }
        async fn echo_person(&self, _: CallContext, v: Person) -> Result<Person, HandlerError> {
            Ok(v)
        }
        async fn echo_optional(
            &self,
            _: CallContext,
            v: Option<String>,
        ) -> Result<Option<String>, HandlerError> {
            Ok(v)
        }
        async fn add(&self, _: CallContext, a: i32, b: i32) -> Result<i32, HandlerError> {
            Ok(a + b)
        }
        async fn fail(&self, _: CallContext, _: String) -> Result<(), Raised<EchoError>> {
            Ok(())
        }
        async fn notify_me(&self, _: CallContext, _: u32) -> Result<(), HandlerError> {
            Ok(())
        }
        async fn big(&self, _: CallContext, n: u32) -> Result<String, HandlerError> {
            Ok("x".repeat(n as usize))
        }
    };
}

impl vectors_ipc::Echo for Probe {
    echo_passthrough!();

    async fn wait(&self, _ctx: CallContext) -> Result<(), HandlerError> {
        let _signal = DropSignal(self.dropped.clone());
        let _ = self.started.send(());
        std::future::pending::<()>().await;
        Ok(())
    }
}

fn probe_host(
    config: HostConfig,
) -> (
    IpcHost,
    mpsc::UnboundedReceiver<()>,
    mpsc::UnboundedReceiver<()>,
) {
    let host = IpcHost::with_config(config);
    let (started, started_rx) = mpsc::unbounded_channel();
    let (dropped, dropped_rx) = mpsc::unbounded_channel();
    vectors_ipc::register_echo(&host, Probe { started, dropped }).forget();
    (host, started_rx, dropped_rx)
}

#[tokio::test]
async fn dropping_a_call_cancels_the_handler() {
    let (host, mut started, mut dropped) = probe_host(HostConfig::new());
    let client = EchoClient::new(&host.connect_in_memory());
    let call = client.wait();
    tokio::select! {
        _ = call => panic!("wait never completes"),
        _ = guarded("handler start", started.recv()) => {}
    }
    // The call future is dropped here: a cancel goes out, the host drops the handler.
    guarded("handler dropped", dropped.recv()).await.unwrap();
    assert_eq!(guarded("still serving", client.add(1, 2)).await.unwrap(), 3);
}

#[tokio::test]
async fn timeout_rejects_and_cancels() {
    let (host, mut started, mut dropped) = probe_host(HostConfig::new());
    let conn = host.connect_in_memory();
    let client =
        EchoClient::new(&conn).with_options(CallOptions::new().timeout(Duration::from_millis(50)));
    let error = guarded("timeout", client.wait()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Timeout);
    guarded("handler start", started.recv()).await.unwrap();
    guarded("handler dropped", dropped.recv()).await.unwrap();
}

#[tokio::test]
async fn too_many_calls_in_flight() {
    let (host, mut started, _dropped) = probe_host(HostConfig::new().max_in_flight(2));
    let client = EchoClient::new(&host.connect_in_memory());
    let first = tokio::spawn({
        let client = client.clone();
        async move { client.wait().await }
    });
    let second = tokio::spawn({
        let client = client.clone();
        async move { client.wait().await }
    });
    guarded("first start", started.recv()).await.unwrap();
    guarded("second start", started.recv()).await.unwrap();
    let error = guarded("third", client.add(1, 1)).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::TooManyCalls);
    first.abort();
    second.abort();
}

#[tokio::test]
async fn too_large_both_directions() {
    // Outgoing: the call is refused locally, nothing is sent.
    let host = echo_host(HostConfig::new());
    let small = host.connect_in_memory_with(options().max_message_bytes(1000));
    let error = guarded(
        "big call",
        EchoClient::new(&small).echo_string("x".repeat(2000)),
    )
    .await
    .unwrap_err();
    assert_eq!(error.code, ErrorCode::TooLarge);
    // The backend's limit (from the welcome) applies as well.
    let host = echo_host(HostConfig::new().max_message_bytes(1000));
    let conn = host.connect_in_memory_with(options());
    let client = EchoClient::new(&conn);
    let error = guarded("big call", client.echo_string("x".repeat(2000)))
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::TooLarge);
    // Incoming at the host: the result is replaced by tooLarge.
    let error = guarded("big result", client.big(5000)).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::TooLarge);
    assert_eq!(guarded("small result", client.big(3)).await.unwrap(), "xxx");
    // Incoming at the client: the result exceeds the client's own limit.
    let host = echo_host(HostConfig::new());
    let conn = host.connect_in_memory_with(options().max_message_bytes(1000));
    let error = guarded("big result", EchoClient::new(&conn).big(5000))
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::TooLarge);
    assert_eq!(
        guarded("after", EchoClient::new(&conn).add(1, 1))
            .await
            .unwrap(),
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_mismatch_fails_fast_on_that_channel_only() {
    for transport in ALL {
        let stale = ChannelSpec {
            channel: ECHO_CHANNEL,
            schema_hash: "stale-hash",
            wire_schema: "",
        };
        let served = connect(
            transport,
            HostConfig::new(),
            ConnectOptions::new().channel(stale),
        )
        .await;
        let error = guarded("mismatch", EchoClient::new(&served.connection).add(1, 1))
            .await
            .unwrap_err();
        assert_eq!(error.code, ErrorCode::VersionMismatch, "{transport:?}");
        assert_eq!(
            error.data.unwrap(),
            serde_json::json!({"channel": ECHO_CHANNEL, "frontendHash": "stale-hash", "backendHash": "1eb0a847cb7cf59c"})
        );
    }
    // Mismatched notifications are not delivered; the other channel keeps working.
    let host = echo_host(HostConfig::new());
    let stale_events = ChannelSpec {
        channel: vectors_ipc::ECHO_EVENTS_CHANNEL,
        schema_hash: "stale",
        wire_schema: "",
    };
    let conn =
        host.connect_in_memory_with(ConnectOptions::new().channels([ECHO_SPEC, stale_events]));
    let ticks = Ticks::default();
    let _listener = vectors_ipc::listen_echo_events(&conn, ticks.clone());
    guarded("notifyMe", EchoClient::new(&conn).notify_me(3))
        .await
        .unwrap();
    assert!(ticks.0.lock().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_is_checked() {
    for transport in ALL {
        let config = HostConfig::new().token("s3cret");
        let host_refuses = match transport {
            Transport::InMemory => {
                let conn = echo_host(config.clone()).connect_in_memory_with(options());
                guarded("ready", conn.ready()).await.unwrap_err()
            }
            Transport::WebSocket => {
                let host = echo_host(config.clone());
                let server = WsServer::bind(&host, WsServerConfig::new()).await.unwrap();
                let url = server.url();
                let _handle = server.spawn();
                guarded(
                    "connect",
                    IpcConnection::connect_ws(&url, options().token("wrong")),
                )
                .await
                .unwrap_err()
            }
            Transport::Stdio => {
                let mut command = tokio::process::Command::new(support::echo_backend_binary());
                command.args(["--stdio", "--token", "s3cret"]);
                guarded("spawn", IpcConnection::spawn_stdio(command, options()))
                    .await
                    .unwrap_err()
            }
        };
        assert_eq!(host_refuses.code, ErrorCode::Unauthorized, "{transport:?}");
        let served = connect(transport, config, options().token("s3cret")).await;
        assert_eq!(
            guarded("add", EchoClient::new(&served.connection).add(1, 1))
                .await
                .unwrap(),
            2
        );
    }
}

#[tokio::test]
async fn calls_after_a_refused_handshake_fail_with_its_error() {
    let conn = echo_host(HostConfig::new().token("t")).connect_in_memory_with(options());
    let error = guarded("add", EchoClient::new(&conn).add(1, 1))
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::Unauthorized);
}

#[tokio::test]
async fn websocket_origin_allow_list() {
    for kind in support::WS_SERVERS {
        let host = echo_host(HostConfig::new());
        let served = support::serve_ws(&host, kind, &["http://app.example"]).await;
        let url = served.url.clone();
        let port = served.addr.port();
        let refused = guarded(
            "evil origin",
            IpcConnection::connect_ws(&url, options().origin("http://evil.example")),
        )
        .await
        .unwrap_err();
        assert_eq!(refused.code, ErrorCode::Disconnected, "{kind:?}");
        assert!(refused.message.contains("403"), "{kind:?}: {refused}");
        for origin in [
            "http://app.example".to_owned(),
            format!("http://localhost:{port}"),
        ] {
            let conn = guarded(
                "allowed origin",
                IpcConnection::connect_ws(&url, options().origin(origin)),
            )
            .await
            .unwrap();
            assert_eq!(
                guarded("add", EchoClient::new(&conn).add(2, 2))
                    .await
                    .unwrap(),
                4
            );
        }
    }
}

#[tokio::test]
async fn websocket_token_is_checked_on_both_servers() {
    for kind in support::WS_SERVERS {
        let host = echo_host(HostConfig::new().token("s3cret"));
        let served = support::serve_ws(&host, kind, &[]).await;
        for token in [None, Some("wrong")] {
            let mut with = options();
            if let Some(token) = token {
                with = with.token(token);
            }
            let refused = guarded("connect", IpcConnection::connect_ws(&served.url, with))
                .await
                .unwrap_err();
            assert_eq!(refused.code, ErrorCode::Unauthorized, "{kind:?} {token:?}");
        }
        let conn = guarded(
            "connect",
            IpcConnection::connect_ws(&served.url, options().token("s3cret")),
        )
        .await
        .unwrap();
        assert_eq!(
            guarded("add", EchoClient::new(&conn).add(3, 4))
                .await
                .unwrap(),
            7,
            "{kind:?}"
        );
    }
}

#[tokio::test]
async fn websocket_server_serves_a_page_on_the_same_port() {
    let host = echo_host(HostConfig::new());
    let mut files = std::collections::HashMap::new();
    files.insert(
        "/".to_owned(),
        (
            "text/html; charset=utf-8".to_owned(),
            b"<h1>app</h1>".to_vec(),
        ),
    );
    let server = WsServer::bind(&host, WsServerConfig::new().static_files(files))
        .await
        .unwrap();
    let addr = server.local_addr();
    let url = server.url();
    let _handle = server.spawn();
    let page = guarded("GET /", http_get(addr, "/")).await;
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.ends_with("<h1>app</h1>"), "{page}");
    let missing = guarded("GET /nope", http_get(addr, "/nope")).await;
    assert!(missing.starts_with("HTTP/1.1 404"), "{missing}");
    let conn = guarded("ws", IpcConnection::connect_ws(&url, options()))
        .await
        .unwrap();
    assert_eq!(
        guarded("add", EchoClient::new(&conn).add(2, 5))
            .await
            .unwrap(),
        7
    );
}

async fn http_get(addr: std::net::SocketAddr, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response
}

#[tokio::test]
async fn pending_calls_reject_disconnected_when_the_child_dies() {
    let mut command = tokio::process::Command::new(support::echo_backend_binary());
    command.arg("--stdio");
    let conn = guarded("spawn", IpcConnection::spawn_stdio(command, options()))
        .await
        .unwrap();
    let client = EchoClient::new(&conn);
    let pending = tokio::spawn({
        let client = client.clone();
        async move { client.wait().await }
    });
    // A completed call after `wait` was sent proves the backend has it in flight.
    assert_eq!(guarded("add", client.add(1, 1)).await.unwrap(), 2);
    let pid = conn.child_id().expect("the child runs") as i32;
    // SAFETY: sending SIGKILL to the child this test spawned.
    assert_eq!(unsafe { libc_kill(pid) }, 0);
    let error = guarded("pending call", pending).await.unwrap().unwrap_err();
    assert_eq!(error.code, ErrorCode::Disconnected);
    guarded("closed", conn.closed()).await;
    assert!(!conn.is_connected());
    let after = guarded("after", client.add(1, 1)).await.unwrap_err();
    assert_eq!(after.code, ErrorCode::Disconnected);
}

/// `kill(pid, SIGKILL)` without a libc dependency in the tests.
unsafe fn libc_kill(pid: i32) -> i32 {
    extern "C" {
        fn kill(pid: i32, sig: i32) -> i32;
    }
    kill(pid, 9)
}

#[tokio::test]
async fn closing_a_websocket_rejects_pending_calls_and_drops_handlers() {
    let (host, mut started, mut dropped) = probe_host(HostConfig::new());
    let server = WsServer::bind(&host, WsServerConfig::new()).await.unwrap();
    let url = server.url();
    let handle = server.spawn();
    let conn = guarded(
        "connect",
        IpcConnection::connect_ws(&url, ConnectOptions::new()),
    )
    .await
    .unwrap();
    let pending = tokio::spawn({
        let client = EchoClient::new(&conn);
        async move { client.wait().await }
    });
    guarded("start", started.recv()).await.unwrap();
    handle.abort();
    conn.close();
    let error = guarded("pending", pending).await.unwrap().unwrap_err();
    assert_eq!(error.code, ErrorCode::Disconnected);
    // The host sees the close and drops the running handler.
    guarded("handler dropped", dropped.recv()).await.unwrap();
}

#[tokio::test]
async fn registration_unregisters_on_drop_and_replacement_is_safe() {
    let host = IpcHost::new();
    let conn = host.connect_in_memory();
    let client = EchoClient::new(&conn);
    let registration = vectors_ipc::register_echo(&host, support::echo_backend::EchoBackend);
    assert_eq!(guarded("add", client.add(1, 1)).await.unwrap(), 2);
    drop(registration);
    let error = guarded("add", client.add(1, 1)).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::UnknownChannel);
    // A replaced registration dropping later does not remove its replacement.
    let old = vectors_ipc::register_echo(&host, support::echo_backend::EchoBackend);
    let new = vectors_ipc::register_echo(&host, support::echo_backend::EchoBackend);
    drop(old);
    assert_eq!(guarded("add", client.add(2, 2)).await.unwrap(), 4);
    new.unregister();
    let error = guarded("add", client.add(1, 1)).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::UnknownChannel);
}

#[test]
fn unknown_error_codes_are_kept() {
    let code = ErrorCode::from_wire("somethingNew");
    assert_eq!(code, ErrorCode::Other("somethingNew".to_owned()));
    assert_eq!(code.as_str(), "somethingNew");
}
