//! Protocol v2 streams across the two runtimes, the other way round from
//! `ts/src/tests/streams-ts-client-rust-host.test.ts`: the Rust client's raw stream API
//! (`IpcConnection::call_stream`, `call_with_input`) against the TS conformance host's
//! hand-written `streams-test-v1` channel (`ts/src/streams-backend.ts`), over stdio and WebSocket.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures_util::stream::{self, StreamExt};
use ipcc_conformance::peers::{connect, HostKind, Transport};
use ipcc_runtime::codegen::{CallOptions, Payload, RawValue};
use ipcc_runtime::{ErrorCode, IpcConnection, IpcError, ItemSource, DEFAULT_STREAM_WINDOW};
use serde_json::value::to_raw_value;
use tokio::sync::Notify;

const STREAMS: &str = "streams-test-v1";
const HOST: HostKind = HostKind::Ts;

fn raw(value: serde_json::Value) -> Payload {
    to_raw_value(&value).expect("a JSON value encodes").into()
}

fn parse(item: &RawValue) -> serde_json::Value {
    serde_json::from_str(item.get()).expect("an item is JSON")
}

/// A source of raw items.
fn source(items: Vec<serde_json::Value>) -> ItemSource {
    Box::pin(stream::iter(items.into_iter().map(|v| Ok(raw(v)))))
}

/// What a counting source lets a test observe.
#[derive(Default)]
struct Probe {
    pulls: AtomicUsize,
    /// Notified when `pulls` reaches the watched count, and when the source is dropped.
    reached: Notify,
    watch: usize,
    dropped: Notify,
}

/// Sets off `dropped` when the source is dropped (the runtime's `stop`, answer or cancel).
struct DropGuard(Arc<Probe>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.0.dropped.notify_one();
    }
}

/// An endless source of `0, 1, 2, …` counting its pulls.
fn counting_source(watch: usize) -> (ItemSource, Arc<Probe>) {
    let probe = Arc::new(Probe {
        watch,
        ..Probe::default()
    });
    let guard = DropGuard(probe.clone());
    let source = stream::unfold((0u64, guard), |(next, guard)| async move {
        let pulls = guard.0.pulls.fetch_add(1, Ordering::SeqCst) + 1;
        if pulls == guard.0.watch {
            guard.0.reached.notify_one();
        }
        Some((Ok::<_, IpcError>(raw(next.into())), (next + 1, guard)))
    });
    (Box::pin(source), probe)
}

async fn collect(
    conn: &IpcConnection,
    method: &str,
    args: Vec<serde_json::Value>,
    input: Option<ItemSource>,
) -> (Vec<serde_json::Value>, Result<(), IpcError>) {
    let mut stream = conn.call_stream(
        STREAMS,
        method,
        args.into_iter().map(raw).collect::<Vec<_>>(),
        input,
        &CallOptions::new(),
    );
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(item) => items.push(parse(&item)),
            Err(error) => return (items, Err(error)),
        }
    }
    (items, Ok(()))
}

async fn check_streams(transport: Transport) {
    let peer = connect(HOST, transport).await;
    let conn = &peer.conn;
    let options = CallOptions::new();
    assert_eq!(conn.ready().await.expect("welcomed").protocol, 2);

    // An output stream: 2,000 items in order, then the end.
    let (items, end) = collect(conn, "count", vec![2000.into()], None).await;
    assert_eq!(end, Ok(()));
    assert_eq!(
        items,
        (0..2000).map(serde_json::Value::from).collect::<Vec<_>>()
    );

    // An input stream, summed by the TS handler.
    let total = conn
        .call_with_input(
            STREAMS,
            "sum",
            vec![raw(serde_json::Value::Null)],
            source((1..=1000).map(Into::into).collect()),
            &CallOptions::new(),
        )
        .await
        .expect("sum answers");
    assert_eq!(parse(&total).as_f64(), Some(500500.0));

    // Both ways at once.
    let sent: Vec<serde_json::Value> = (0..3000).map(|i| format!("item {i} ✓").into()).collect();
    let (items, end) = collect(
        conn,
        "echo",
        vec![serde_json::Value::Null],
        Some(source(sent.clone())),
    )
    .await;
    assert_eq!(end, Ok(()));
    assert_eq!(items, sent);

    // A declared error after its items, with its data.
    let (items, end) = collect(conn, "failAfter", vec![3.into()], None).await;
    assert_eq!(items, vec![serde_json::json!(0), 1.into(), 2.into()]);
    let error = end.expect_err("failAfter fails");
    assert_eq!(error.code, ErrorCode::Declared);
    assert_eq!(
        error.data,
        Some(serde_json::json!({"kind": "failed", "after": 3}))
    );

    // The TS host's credit bounds what the Rust source is asked for: one window while the
    // handler holds after reading 5.
    let window = DEFAULT_STREAM_WINDOW as usize;
    let (input, probe) = counting_source(window);
    let mut held = Box::pin(conn.call_with_input(
        STREAMS,
        "hold",
        vec![raw(5.into()), raw(serde_json::Value::Null)],
        input,
        &options,
    ));
    tokio::select! {
        outcome = &mut held => panic!("hold answered: {outcome:?}"),
        () = probe.reached.notified() => {}
    }
    // A round trip on the same connection while the call stays pending: any grant the host
    // sent before it has arrived.
    let (items, _) = collect(conn, "count", vec![1.into()], None).await;
    assert_eq!(items, vec![serde_json::json!(0)]);
    assert_eq!(
        probe.pulls.load(Ordering::SeqCst),
        window,
        "pulled beyond the credit the host granted"
    );
    drop(held); // drops the call's future: cancels it
    probe.dropped.notified().await;

    // The TS handler dropping its input sends `stop`: the Rust source is dropped while the call
    // goes on.
    let (input, probe) = counting_source(usize::MAX);
    let mut taken = Box::pin(conn.call_with_input(
        STREAMS,
        "take",
        vec![raw(3.into()), raw(serde_json::Value::Null)],
        input,
        &options,
    ));
    tokio::select! {
        outcome = &mut taken => panic!("take answered: {outcome:?}"),
        () = probe.dropped.notified() => {}
    }
    drop(taken);

    // Dropping a stream cancels it; the connection keeps serving.
    let mut stream = conn.call_stream(
        STREAMS,
        "count",
        vec![raw(1_000_000.into())],
        None,
        &CallOptions::new(),
    );
    for expected in 0..10 {
        assert_eq!(
            parse(&stream.next().await.expect("an item").expect("no error")),
            serde_json::json!(expected)
        );
    }
    drop(stream);
    let (items, end) = collect(conn, "count", vec![3.into()], None).await;
    assert_eq!(
        (items, end),
        (vec![serde_json::json!(0), 1.into(), 2.into()], Ok(()))
    );
}

#[tokio::test]
async fn streams_rust_client_ts_host_over_stdio() {
    check_streams(Transport::Stdio).await;
}

#[tokio::test]
async fn streams_rust_client_ts_host_over_websocket() {
    check_streams(Transport::WebSocket).await;
}
