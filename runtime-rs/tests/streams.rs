//! Protocol v2 streams (docs/protocol.md, "Version 2: streams") through the Rust client and the
//! host, over in-memory, a real WebSocket on loopback and the echo backend as a stdio child
//! (`--streams`): each direction and both, order, flow control counted at the producer,
//! cancellation from each side, errors mid-stream, a dying backend, and raw peers breaking the
//! rules. Nothing here waits on time: every wait is on a message, a counter or a `Notify`, under
//! the hang guard.

mod support;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use futures_util::{stream, StreamExt};
use ipcc_runtime::codegen::CallError;
use ipcc_runtime::transport::memory::{self, MemoryReader, MemoryWriter};
use ipcc_runtime::transport::{Incoming, IpcSocket, MessageReader, MessageWriter};
use ipcc_runtime::{
    ConnectOptions, ErrorCode, HostConfig, IpcConnection, WsServer, WsServerConfig,
};
use serde_json::{json, Value};
use support::streams_backend::StreamsProbe;
use support::streams_ipc::{
    StreamsTestClient, StreamsTestError, STREAMS_TEST_CHANNEL, STREAMS_TEST_SCHEMA_HASH,
    STREAMS_TEST_SPEC,
};
use support::vectors_ipc::{EchoClient, ECHO_SPEC};
use support::{guarded, streams_host};
use tokio::sync::Notify;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Transport {
    InMemory,
    WebSocket,
    Stdio,
}

const ALL: [Transport; 3] = [Transport::InMemory, Transport::WebSocket, Transport::Stdio];

/// A connected client; `probe` is the backend's when it runs in this process.
struct Served {
    connection: IpcConnection,
    probe: Option<Arc<StreamsProbe>>,
    _server: Option<tokio::task::JoinHandle<()>>,
}

fn options() -> ConnectOptions {
    ConnectOptions::new().channels([ECHO_SPEC, STREAMS_TEST_SPEC])
}

async fn connect(transport: Transport, config: HostConfig, options: ConnectOptions) -> Served {
    match transport {
        Transport::InMemory => {
            let (host, probe) = streams_host(config);
            Served {
                connection: host.connect_in_memory_with(options),
                probe: Some(probe),
                _server: None,
            }
        }
        Transport::WebSocket => {
            let (host, probe) = streams_host(config);
            let server = WsServer::bind(&host, WsServerConfig::new()).await.unwrap();
            let url = server.url();
            let handle = server.spawn();
            let connection = guarded("connect_ws", IpcConnection::connect_ws(&url, options))
                .await
                .expect("connects over WebSocket");
            Served {
                connection,
                probe: Some(probe),
                _server: Some(handle),
            }
        }
        Transport::Stdio => {
            let mut command = tokio::process::Command::new(support::echo_backend_binary());
            command.args(["--stdio", "--streams"]);
            let connection = guarded("spawn_stdio", IpcConnection::spawn_stdio(command, options))
                .await
                .expect("spawns the echo backend");
            Served {
                connection,
                probe: None,
                _server: None,
            }
        }
    }
}

/// Counts what a client-side source yielded, and signals when it is dropped.
#[derive(Default)]
struct SourceProbe {
    yielded: AtomicU64,
    dropped: AtomicU64,
    changed: Notify,
}

impl SourceProbe {
    async fn wait_until(&self, ready: impl Fn(&SourceProbe) -> bool) {
        loop {
            let changed = self.changed.notified();
            if ready(self) {
                return;
            }
            changed.await;
        }
    }
}

struct SourceGuard(Arc<SourceProbe>);

impl Drop for SourceGuard {
    fn drop(&mut self) {
        self.0.dropped.fetch_add(1, Ordering::SeqCst);
        self.0.changed.notify_waiters();
    }
}

/// An endless source of `0, 1, 2, ...` that counts what it yields and its drop.
fn endless_source(probe: &Arc<SourceProbe>) -> impl futures_util::Stream<Item = u32> + Send {
    let guard = SourceGuard(probe.clone());
    let probe = probe.clone();
    stream::iter(0u32..).map(move |n| {
        let _ = &guard;
        probe.yielded.fetch_add(1, Ordering::SeqCst);
        probe.changed.notify_waiters();
        n
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_direction_and_both_over_every_transport() {
    for transport in ALL {
        let served = connect(transport, HostConfig::new(), options()).await;
        let client = StreamsTestClient::new(&served.connection);
        let ctx = format!("{transport:?}");
        let welcome = guarded(&ctx, served.connection.ready()).await.unwrap();
        assert_eq!(welcome.protocol, 2, "{ctx}");
        assert_eq!(welcome.max_streams, Some(256), "{ctx}");

        let counted: Vec<u32> = guarded(&ctx, client.count(5).map(Result::unwrap).collect()).await;
        assert_eq!(counted, vec![0, 1, 2, 3, 4], "{ctx}");
        let empty: Vec<_> = guarded(&ctx, client.count(0).collect()).await;
        assert!(empty.is_empty(), "{ctx}");

        let total = guarded(&ctx, client.sum(stream::iter(1..=100u32))).await;
        assert_eq!(total.unwrap(), 5050.0, "{ctx}");
        let nothing = guarded(&ctx, client.sum(stream::empty())).await;
        assert_eq!(nothing.unwrap(), 0.0, "{ctx}");

        let words = ["a", "", "😀 \n \"q\"", "end"].map(String::from).to_vec();
        let echoed: Vec<String> = guarded(
            &ctx,
            client
                .echo(stream::iter(words.clone()))
                .map(Result::unwrap)
                .collect(),
        )
        .await;
        assert_eq!(echoed, words, "{ctx}");

        // An input stream the handler stops reading: the answer comes, an endless source ends.
        let source = Arc::new(SourceProbe::default());
        let first = guarded(&ctx, client.take_first(3, endless_source(&source))).await;
        assert_eq!(first.unwrap(), vec![0, 1, 2], "{ctx}");
        guarded(
            &ctx,
            source.wait_until(|s| s.dropped.load(Ordering::SeqCst) == 1),
        )
        .await;
        let short = guarded(&ctx, client.take_first(5, stream::iter([7, 8]))).await;
        assert_eq!(short.unwrap(), vec![7, 8], "{ctx}");
        let none = guarded(&ctx, client.take_first(0, stream::iter([7]))).await;
        assert_eq!(none.unwrap(), Vec::<u32>::new(), "{ctx}");
        assert_eq!(guarded(&ctx, client.ping()).await.unwrap(), "pong", "{ctx}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_items_arrive_in_order_each_way() {
    for transport in ALL {
        let served = connect(transport, HostConfig::new(), options()).await;
        let client = StreamsTestClient::new(&served.connection);
        let ctx = format!("{transport:?}");
        let counted: Vec<u32> =
            guarded(&ctx, client.count(10_000).map(Result::unwrap).collect()).await;
        assert_eq!(counted, (0..10_000).collect::<Vec<_>>(), "{ctx}");

        let items: Vec<String> = (0..10_000).map(|n| n.to_string()).collect();
        let echoed: Vec<String> = guarded(
            &ctx,
            client
                .echo(stream::iter(items.clone()))
                .map(Result::unwrap)
                .collect(),
        )
        .await;
        assert!(
            echoed == items,
            "{ctx}: echo changed the items or their order"
        );

        let total = guarded(&ctx, client.sum(stream::iter(0..10_000u32))).await;
        assert_eq!(total.unwrap(), 49_995_000.0, "{ctx}");
    }
}

/// A consumer that stops reading stops the producer: the backend's stream yields at most the
/// window the client granted beyond what the client consumed, counted at the producer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_consumer_bounds_the_backend_producer() {
    const WINDOW: u64 = 8;
    for transport in [Transport::InMemory, Transport::WebSocket] {
        let served = connect(
            transport,
            HostConfig::new(),
            options().stream_window(WINDOW),
        )
        .await;
        let probe = served.probe.clone().unwrap();
        let client = StreamsTestClient::new(&served.connection);
        let echo = EchoClient::new(&served.connection);
        let ctx = format!("{transport:?}");
        let mut items = client.count(1_000_000);
        let mut consumed = 0u64;
        for _ in 0..100 {
            guarded(&ctx, items.next()).await.unwrap().unwrap();
            consumed += 1;
            let yielded = probe.yielded.load(Ordering::SeqCst);
            assert!(
                yielded <= consumed + WINDOW,
                "{ctx}: yielded {yielded} with {consumed} consumed, window {WINDOW}"
            );
        }
        // Stop reading: the producer uses up the credit it has, and then nothing more.
        guarded(
            &ctx,
            probe.wait_until(|p| p.yielded.load(Ordering::SeqCst) >= consumed + WINDOW / 2),
        )
        .await;
        for _ in 0..5 {
            // Round trips through the same host: its reader and writer have moved on.
            assert_eq!(guarded(&ctx, echo.add(1, 2)).await.unwrap(), 3);
            tokio::task::yield_now().await;
        }
        let yielded = probe.yielded.load(Ordering::SeqCst);
        assert!(
            yielded <= consumed + WINDOW,
            "{ctx}: an unread stream let the producer yield {yielded} (consumed {consumed})"
        );
        drop(items);
        guarded(
            &ctx,
            probe.wait_until(|p| p.outputs_dropped.load(Ordering::SeqCst) == 1),
        )
        .await;
    }
}

/// A handler that does not read its input stream stops the client's source: the source yields
/// at most the host's window.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_that_does_not_read_bounds_the_client_source() {
    const WINDOW: u64 = 8;
    for transport in [Transport::InMemory, Transport::WebSocket] {
        let served = connect(
            transport,
            HostConfig::new().stream_window(WINDOW),
            options(),
        )
        .await;
        let probe = served.probe.clone().unwrap();
        let client = StreamsTestClient::new(&served.connection);
        let echo = EchoClient::new(&served.connection);
        let ctx = format!("{transport:?}");
        let source = Arc::new(SourceProbe::default());
        let call = tokio::spawn({
            let client = client.clone();
            let items = endless_source(&source);
            async move { client.hold(3, items).await }
        });
        guarded(
            &ctx,
            probe.wait_until(|p| p.taken.load(Ordering::SeqCst) == 3),
        )
        .await;
        guarded(
            &ctx,
            source.wait_until(|s| s.yielded.load(Ordering::SeqCst) >= WINDOW),
        )
        .await;
        for _ in 0..5 {
            assert_eq!(guarded(&ctx, echo.add(2, 2)).await.unwrap(), 4);
            tokio::task::yield_now().await;
        }
        let yielded = source.yielded.load(Ordering::SeqCst);
        // 3 taken, fewer than half the window: no grant beyond the first window yet.
        assert!(
            yielded <= WINDOW,
            "{ctx}: the source yielded {yielded} for a handler that took 3, window {WINDOW}"
        );
        // Cancelling the call (dropping its future) drops the source.
        call.abort();
        guarded(
            &ctx,
            source.wait_until(|s| s.dropped.load(Ordering::SeqCst) == 1),
        )
        .await;
    }
}

/// Dropping the client's stream cancels the call: the handler's stream is dropped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_client_stream_drops_the_handler_stream() {
    for transport in [Transport::InMemory, Transport::WebSocket] {
        let served = connect(transport, HostConfig::new(), options()).await;
        let probe = served.probe.clone().unwrap();
        let client = StreamsTestClient::new(&served.connection);
        let ctx = format!("{transport:?}");
        // Mid-stream.
        let mut items = client.count(1_000_000);
        guarded(&ctx, items.next()).await.unwrap().unwrap();
        drop(items);
        guarded(
            &ctx,
            probe.wait_until(|p| p.outputs_dropped.load(Ordering::SeqCst) == 1),
        )
        .await;
        // A stream that never yields.
        let mut hanging = client.hang();
        let waiting = tokio::spawn(async move { hanging.next().await.is_none() });
        guarded(
            &ctx,
            probe.wait_until(|p| p.outputs_started.load(Ordering::SeqCst) == 2),
        )
        .await;
        waiting.abort();
        guarded(
            &ctx,
            probe.wait_until(|p| p.outputs_dropped.load(Ordering::SeqCst) == 2),
        )
        .await;
        // The connection still serves.
        let counted: Vec<u32> = guarded(&ctx, client.count(3).map(Result::unwrap).collect()).await;
        assert_eq!(counted, vec![0, 1, 2], "{ctx}");
    }
}

/// A handler that drops its input stream makes the backend send `stop`: the client drops its
/// source while the call is still running.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_dropping_its_input_stops_the_client_source() {
    for transport in ALL {
        let served = connect(transport, HostConfig::new(), options()).await;
        let client = StreamsTestClient::new(&served.connection);
        let ctx = format!("{transport:?}");
        let source = Arc::new(SourceProbe::default());
        let call = tokio::spawn({
            let client = client.clone();
            let items = endless_source(&source);
            async move { client.take(2, items).await }
        });
        guarded(
            &ctx,
            source.wait_until(|s| s.dropped.load(Ordering::SeqCst) == 1),
        )
        .await;
        assert!(
            !call.is_finished(),
            "{ctx}: `take` answers only when cancelled"
        );
        if let Some(probe) = &served.probe {
            assert_eq!(probe.inputs_dropped.load(Ordering::SeqCst), 1, "{ctx}");
        }
        call.abort();
        let total = guarded(&ctx, client.sum(stream::iter([1, 2, 3]))).await;
        assert_eq!(total.unwrap(), 6.0, "{ctx}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declared_error_ends_the_stream_after_its_items() {
    for transport in ALL {
        let served = connect(transport, HostConfig::new(), options()).await;
        let client = StreamsTestClient::new(&served.connection);
        let ctx = format!("{transport:?}");
        let all: Vec<_> = guarded(&ctx, client.fail_after(3).collect()).await;
        assert_eq!(all.len(), 4, "{ctx}: {all:?}");
        for (n, item) in all[..3].iter().enumerate() {
            assert_eq!(item.as_ref().unwrap(), &(n as u32), "{ctx}");
        }
        match &all[3] {
            Err(CallError::Declared(StreamsTestError::Failed { after })) => {
                assert_eq!(*after, 3, "{ctx}")
            }
            other => panic!("{ctx}: {other:?}"),
        }
    }
}

/// The backend process dies mid-stream: the stream ends with `disconnected`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backend_dying_mid_stream_ends_it_with_disconnected() {
    let served = connect(Transport::Stdio, HostConfig::new(), options()).await;
    let client = StreamsTestClient::new(&served.connection);
    let mut items = client.count(1_000_000);
    guarded("first items", items.next()).await.unwrap().unwrap();
    let pid = served.connection.child_id().expect("a child backend") as libc::pid_t;
    // SAFETY: signals our own child process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGKILL) }, 0);
    let mut last = None;
    while let Some(item) = guarded("the end", items.next()).await {
        if let Err(error) = item {
            last = Some(error);
        }
    }
    assert_eq!(last.expect("an error").code, ErrorCode::Disconnected);
    let after = guarded("after", client.count(1).collect::<Vec<_>>()).await;
    assert_eq!(after[0].as_ref().unwrap_err().code, ErrorCode::Disconnected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_and_unary_calls_interleave_on_one_connection() {
    for transport in ALL {
        let served = connect(transport, HostConfig::new(), options().stream_window(4)).await;
        let client = StreamsTestClient::new(&served.connection);
        let echo = EchoClient::new(&served.connection);
        let ctx = format!("{transport:?}");
        let mut tasks = Vec::new();
        for n in 0..8u32 {
            let client = client.clone();
            let echo = echo.clone();
            tasks.push(tokio::spawn(async move {
                let counted: Vec<u32> = client.count(200 + n).map(Result::unwrap).collect().await;
                assert_eq!(counted, (0..200 + n).collect::<Vec<_>>());
                assert_eq!(echo.add(n as i32, 1).await.unwrap(), n as i32 + 1);
                let words: Vec<String> = (0..50).map(|w| format!("{n}-{w}")).collect();
                let echoed: Vec<String> = client
                    .echo(stream::iter(words.clone()))
                    .map(Result::unwrap)
                    .collect()
                    .await;
                assert_eq!(echoed, words);
                assert_eq!(
                    client.sum(stream::iter(0..=n)).await.unwrap(),
                    f64::from(n * (n + 1) / 2)
                );
            }));
        }
        for task in tasks {
            guarded(&ctx, task).await.unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_covers_the_whole_stream_and_cancels_it() {
    let served = connect(Transport::InMemory, HostConfig::new(), options()).await;
    let probe = served.probe.clone().unwrap();
    let client = StreamsTestClient::new(&served.connection).with_options(
        ipcc_runtime::CallOptions::new().timeout(std::time::Duration::from_millis(50)),
    );
    let all: Vec<_> = guarded("hang", client.hang().collect()).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].as_ref().unwrap_err().code, ErrorCode::Timeout);
    guarded(
        "handler dropped",
        probe.wait_until(|p| p.outputs_dropped.load(Ordering::SeqCst) == 1),
    )
    .await;
}

// ---- Raw peers -------------------------------------------------------------------------------

const LIMIT: usize = 1 << 20;

/// A raw frontend on an in-memory connection to a streams host.
struct Raw {
    reader: MemoryReader,
    writer: MemoryWriter,
    probe: Arc<StreamsProbe>,
}

impl Raw {
    async fn open(config: HostConfig, hello: Value) -> (Raw, Value) {
        let (host, probe) = streams_host(config);
        let (frontend, backend) = memory::pair();
        tokio::spawn(async move { host.serve(backend).await });
        let (reader, writer) = frontend.into_split();
        let mut raw = Raw {
            reader,
            writer,
            probe,
        };
        raw.send(hello).await;
        let welcome = raw.recv().await;
        (raw, welcome)
    }

    async fn v2(config: HostConfig) -> Raw {
        let hello = json!({"type": "hello", "protocol": 1, "features": ["streams"],
                           "channels": {STREAMS_TEST_CHANNEL: STREAMS_TEST_SCHEMA_HASH}});
        let (raw, welcome) = Raw::open(config, hello).await;
        assert_eq!(welcome["protocol"], 2, "{welcome}");
        raw
    }

    async fn send(&mut self, message: Value) {
        self.writer.write(message.to_string()).await.unwrap();
        self.writer.flush().await.unwrap();
    }

    async fn recv(&mut self) -> Value {
        match guarded("a message", self.reader.read(LIMIT)).await {
            Incoming::Text(text) => serde_json::from_str(&text).unwrap(),
            other => panic!("expected a message, got {other:?}"),
        }
    }

    /// Reads until a message of `kind` arrives, returning it.
    async fn recv_kind(&mut self, kind: &str) -> Value {
        loop {
            let message = self.recv().await;
            if message["type"] == kind {
                return message;
            }
        }
    }
}

fn call(id: u64, method: &str, args: Value) -> Value {
    json!({"type": "call", "id": id, "channel": STREAMS_TEST_CHANNEL, "method": method, "args": args})
}

#[tokio::test]
async fn a_v1_hello_gets_exactly_the_v1_welcome() {
    let hello = json!({"type": "hello", "protocol": 1, "channels": {STREAMS_TEST_CHANNEL: STREAMS_TEST_SCHEMA_HASH}});
    let (_raw, welcome) = Raw::open(HostConfig::new(), hello).await;
    let keys: Vec<&str> = welcome
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "channels",
            "maxInFlight",
            "maxMessageBytes",
            "protocol",
            "type"
        ],
        "{welcome}"
    );
    assert_eq!(welcome["protocol"], 1);
}

#[tokio::test]
async fn a_v2_hello_gets_the_stream_limits() {
    for hello in [
        json!({"type": "hello", "protocol": 1, "features": ["streams"], "maxCredit": 8}),
        json!({"type": "hello", "protocol": 2}),
    ] {
        let config = HostConfig::new().max_streams(3).max_credit(7);
        let (_raw, welcome) = Raw::open(config, hello).await;
        assert!(
            support::json_matches(
                &json!({"type": "welcome", "protocol": 2, "features": ["streams"],
                        "maxStreams": 3, "maxCredit": 7}),
                &welcome
            ),
            "{welcome}"
        );
    }
}

#[tokio::test]
async fn stream_messages_on_a_protocol_1_connection_are_bad_requests() {
    let hello = json!({"type": "hello", "protocol": 1});
    let (mut raw, _) = Raw::open(HostConfig::new(), hello).await;
    for message in [
        json!({"type": "item", "id": 1, "seq": 0, "value": 1}),
        json!({"type": "credit", "id": 1, "n": 1}),
        json!({"type": "end", "id": 1}),
        json!({"type": "stop", "id": 1}),
    ] {
        raw.send(message.clone()).await;
        let answer = raw.recv().await;
        assert_eq!(answer["code"], "badRequest", "{message} → {answer}");
    }
    let mut counting = call(2, "count", json!([3]));
    counting["credit"] = json!(4);
    raw.send(counting).await;
    let answer = raw.recv().await;
    assert_eq!(
        (answer["id"].clone(), answer["code"].clone()),
        (json!(2), json!("badRequest"))
    );
    // Without stream fields, a streaming method is a bad request too (it needs `credit`).
    raw.send(call(3, "count", json!([3]))).await;
    let answer = raw.recv().await;
    assert_eq!(
        (answer["id"].clone(), answer["code"].clone()),
        (json!(3), json!("badRequest"))
    );
}

#[tokio::test]
async fn calls_whose_stream_fields_disagree_with_the_method_are_bad_requests() {
    let mut raw = Raw::v2(HostConfig::new().max_credit(16)).await;
    let cases = [
        (call(1, "count", json!([3])), "badRequest"),
        (
            {
                let mut c = call(2, "count", json!([3]));
                c["credit"] = json!(0);
                c
            },
            "badRequest",
        ),
        (
            {
                // Past maxCredit: the call's credit is its first grant (docs/protocol.md,
                // "Stream limits"), a flow-control violation as in runtime-ts.
                let mut c = call(3, "count", json!([3]));
                c["credit"] = json!(17);
                c
            },
            "flowControl",
        ),
        (
            {
                let mut c = call(4, "count", json!([3]));
                c["credit"] = json!(2);
                c["input"] = json!(true);
                c
            },
            "badRequest",
        ),
        (
            {
                let mut c = call(5, "sum", json!([null]));
                c["input"] = json!(false);
                c
            },
            "badRequest",
        ),
        (call(6, "sum", json!([null])), "badRequest"),
        (
            {
                let mut c = call(7, "nope", json!([]));
                c["credit"] = json!(2);
                c
            },
            "unknownMethod",
        ),
    ];
    for (message, code) in cases {
        raw.send(message.clone()).await;
        let answer = raw.recv().await;
        assert_eq!(answer["code"], code, "{message} → {answer}");
        assert_eq!(answer["id"], message["id"]);
    }
}

#[tokio::test]
async fn the_backend_sends_only_within_credit_and_ends_with_the_result() {
    let mut raw = Raw::v2(HostConfig::new()).await;
    let mut counting = call(1, "count", json!([5]));
    counting["credit"] = json!(2);
    raw.send(counting).await;
    for seq in 0..2 {
        assert_eq!(
            raw.recv().await,
            json!({"type": "item", "id": 1, "seq": seq, "value": seq})
        );
    }
    // Nothing more until credit: the producer yielded exactly the two items.
    guarded(
        "two",
        raw.probe
            .wait_until(|p| p.yielded.load(Ordering::SeqCst) == 2),
    )
    .await;
    raw.send(json!({"type": "credit", "id": 1, "n": 3})).await;
    for seq in 2..5 {
        assert_eq!(
            raw.recv().await,
            json!({"type": "item", "id": 1, "seq": seq, "value": seq})
        );
    }
    // The credit is used up: the producer is not polled, so its end is learnt only with more
    // credit (a runtime grants as its consumer takes items, so it never waits for this).
    raw.send(json!({"type": "credit", "id": 1, "n": 1})).await;
    assert_eq!(
        raw.recv().await,
        json!({"type": "result", "id": 1, "value": null})
    );
    assert_eq!(raw.probe.yielded.load(Ordering::SeqCst), 5);
    // Stream messages for a call that ended are ignored.
    raw.send(json!({"type": "credit", "id": 1, "n": 3})).await;
    raw.send(json!({"type": "item", "id": 1, "seq": 9, "value": 1}))
        .await;
    raw.send(json!({"type": "end", "id": 99})).await;
    let mut counting = call(2, "count", json!([1]));
    counting["credit"] = json!(1);
    raw.send(counting).await;
    assert_eq!(
        raw.recv().await["id"],
        2,
        "nothing answered the ignored messages"
    );
}

#[tokio::test]
async fn a_credit_past_max_credit_is_flow_control() {
    let mut raw = Raw::v2(HostConfig::new().max_credit(4)).await;
    let mut counting = call(1, "count", json!([100]));
    counting["credit"] = json!(4);
    raw.send(counting).await;
    for _ in 0..4 {
        assert_eq!(raw.recv().await["type"], "item");
    }
    raw.send(json!({"type": "credit", "id": 1, "n": 5})).await;
    let answer = raw.recv().await;
    assert_eq!(
        (answer["id"].clone(), answer["code"].clone()),
        (json!(1), json!("flowControl")),
        "{answer}"
    );
    guarded(
        "dropped",
        raw.probe
            .wait_until(|p| p.outputs_dropped.load(Ordering::SeqCst) == 1),
    )
    .await;
}

#[tokio::test]
async fn an_input_stream_is_granted_credit_and_ended() {
    let mut raw = Raw::v2(HostConfig::new().stream_window(4)).await;
    let mut summing = call(1, "sum", json!([null]));
    summing["input"] = json!(true);
    raw.send(summing).await;
    assert_eq!(raw.recv().await, json!({"type": "credit", "id": 1, "n": 4}));
    for seq in 0..4 {
        raw.send(json!({"type": "item", "id": 1, "seq": seq, "value": 10}))
            .await;
    }
    // Half the window consumed: more credit.
    assert_eq!(raw.recv().await["type"], "credit");
    raw.send(json!({"type": "end", "id": 1})).await;
    let answer = raw.recv_kind("result").await;
    assert!(
        support::json_equal(&answer, &json!({"type": "result", "id": 1, "value": 40})),
        "{answer}"
    );
}

#[tokio::test]
async fn a_wrong_seq_an_item_past_credit_and_an_item_after_end_are_flow_control() {
    let mut raw = Raw::v2(HostConfig::new().stream_window(2)).await;
    let input_call = |id: u64, method: &str, args: Value| {
        let mut c = call(id, method, args);
        c["input"] = json!(true);
        c
    };
    // Wrong seq.
    raw.send(input_call(1, "sum", json!([null]))).await;
    assert_eq!(raw.recv().await["type"], "credit");
    raw.send(json!({"type": "item", "id": 1, "seq": 1, "value": 1}))
        .await;
    let answer = raw.recv().await;
    assert_eq!(
        (answer["id"].clone(), answer["code"].clone()),
        (json!(1), json!("flowControl")),
        "{answer}"
    );
    // Past credit: the handler holds the stream unread.
    raw.send(input_call(2, "hold", json!([0, null]))).await;
    assert_eq!(raw.recv().await, json!({"type": "credit", "id": 2, "n": 2}));
    for seq in 0..3 {
        raw.send(json!({"type": "item", "id": 2, "seq": seq, "value": seq}))
            .await;
    }
    let answer = raw.recv().await;
    assert_eq!(
        (answer["id"].clone(), answer["code"].clone()),
        (json!(2), json!("flowControl")),
        "{answer}"
    );
    // After end.
    raw.send(input_call(3, "hold", json!([0, null]))).await;
    assert_eq!(raw.recv().await["type"], "credit");
    raw.send(json!({"type": "end", "id": 3})).await;
    raw.send(json!({"type": "item", "id": 3, "seq": 0, "value": 0}))
        .await;
    let answer = raw.recv().await;
    assert_eq!(
        (answer["id"].clone(), answer["code"].clone()),
        (json!(3), json!("flowControl")),
        "{answer}"
    );
    // An item that does not decode is a bad request of its call.
    raw.send(input_call(4, "sum", json!([null]))).await;
    assert_eq!(raw.recv().await["type"], "credit");
    raw.send(json!({"type": "item", "id": 4, "seq": 0, "value": "x"}))
        .await;
    let answer = raw.recv_kind("error").await;
    assert_eq!(
        (answer["id"].clone(), answer["code"].clone()),
        (json!(4), json!("badRequest")),
        "{answer}"
    );
}

#[tokio::test]
async fn too_many_streams_are_refused() {
    let mut raw = Raw::v2(HostConfig::new().max_streams(2)).await;
    let mut echoing = call(1, "echo", json!([null]));
    echoing["input"] = json!(true);
    echoing["credit"] = json!(1);
    raw.send(echoing).await;
    assert_eq!(raw.recv().await["type"], "credit");
    let mut hanging = call(2, "hang", json!([]));
    hanging["credit"] = json!(1);
    raw.send(hanging.clone()).await;
    let answer = raw.recv().await;
    assert_eq!(answer["code"], "tooManyStreams", "{answer}");
    assert_eq!(answer["data"], json!({"limit": 2}));
    // Once the first call ends, its streams are free again.
    raw.send(json!({"type": "cancel", "id": 1})).await;
    let answer = raw.recv().await;
    assert_eq!(
        (answer["id"].clone(), answer["code"].clone()),
        (json!(1), json!("cancelled"))
    );
    raw.send(hanging).await;
    raw.send(json!({"type": "cancel", "id": 2})).await;
    let answer = raw.recv().await;
    assert_eq!(
        (answer["id"].clone(), answer["code"].clone()),
        (json!(2), json!("cancelled")),
        "{answer}"
    );
}

#[tokio::test]
async fn a_handler_dropping_its_input_sends_stop() {
    let mut raw = Raw::v2(HostConfig::new()).await;
    let mut taking = call(1, "take", json!([1, null]));
    taking["input"] = json!(true);
    raw.send(taking).await;
    assert_eq!(raw.recv().await["type"], "credit");
    raw.send(json!({"type": "item", "id": 1, "seq": 0, "value": 7}))
        .await;
    assert_eq!(raw.recv().await, json!({"type": "stop", "id": 1}));
    // Items already under way are discarded, not answered.
    raw.send(json!({"type": "item", "id": 1, "seq": 1, "value": 8}))
        .await;
    raw.send(json!({"type": "cancel", "id": 1})).await;
    let answer = raw.recv().await;
    assert_eq!(
        (answer["id"].clone(), answer["code"].clone()),
        (json!(1), json!("cancelled")),
        "{answer}"
    );
}

/// The client side of flow control: a backend sending an item out of sequence fails that call
/// with `flowControl` (after the items before it) and the client sends `cancel`.
#[tokio::test]
async fn the_client_rejects_an_item_out_of_sequence() {
    let (frontend, peer) = memory::pair();
    let conn = IpcConnection::open(frontend, options().stream_window(2));
    let (mut reader, mut writer) = peer.into_split();
    let Incoming::Text(hello) = guarded("hello", reader.read(LIMIT)).await else {
        panic!("no hello")
    };
    let hello: Value = serde_json::from_str(&hello).unwrap();
    assert_eq!(hello["features"], json!(["streams", "binary"]));
    assert_eq!(hello["maxCredit"], 1024);
    let welcome = json!({"type": "welcome", "protocol": 2, "features": ["streams"], "channels": {},
                         "maxMessageBytes": LIMIT, "maxInFlight": 8, "maxStreams": 8, "maxCredit": 1024});
    writer.write(welcome.to_string()).await.unwrap();
    writer.flush().await.unwrap();
    let mut items = StreamsTestClient::new(&conn).count(10);
    let first = tokio::spawn(async move {
        let mut got = Vec::new();
        while let Some(item) = items.next().await {
            got.push(item);
        }
        got
    });
    let Incoming::Text(call) = guarded("call", reader.read(LIMIT)).await else {
        panic!("no call")
    };
    let call: Value = serde_json::from_str(&call).unwrap();
    assert_eq!(call["credit"], 2);
    let id = call["id"].as_u64().unwrap();
    for seq in [0, 1, 5] {
        writer
            .write(json!({"type": "item", "id": id, "seq": seq, "value": seq}).to_string())
            .await
            .unwrap();
    }
    writer.flush().await.unwrap();
    let got = guarded("items", first).await.unwrap();
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got[2].as_ref().unwrap_err().code, ErrorCode::FlowControl);
    // The client cancelled the call.
    loop {
        let Incoming::Text(text) = guarded("cancel", reader.read(LIMIT)).await else {
            panic!("closed")
        };
        let message: Value = serde_json::from_str(&text).unwrap();
        if message["type"] == "cancel" {
            assert_eq!(message["id"], id);
            break;
        }
    }
}
