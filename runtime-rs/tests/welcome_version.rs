//! A frontend facing a backend that welcomes it with another protocol version: the connection
//! fails, and so does every call, with `versionMismatch` (docs/protocol.md, `welcome`); the
//! limits a welcome without them means; and a call the frontend refuses to send. The rest of
//! what a frontend makes of what a backend sends is in tests/vectors/messages-frontend.json
//! (`frontend_vectors.rs`).
//!
//! The backend here is a raw peer on the other end of an in-memory socket, so the test controls
//! the exact welcome text.

mod support;

use std::future::{poll_fn, Future};
use std::task::Poll;

use ipcc_runtime::transport::memory::{self, MemoryReader, MemoryWriter};
use ipcc_runtime::transport::{Incoming, IpcSocket, MessageReader, MessageWriter};
use ipcc_runtime::{
    CallOptions, ConnectOptions, ErrorCode, IpcConnection, IpcError, PROTOCOL_VERSION,
};
use serde_json::value::RawValue;
use serde_json::{json, Value};
use support::guarded;
use support::vectors_ipc::{ECHO_CHANNEL, ECHO_SPEC};

const LIMIT: usize = 1024 * 1024;

/// Opens a frontend on one end of an in-memory pair; the other end is the raw peer.
fn open() -> (IpcConnection, MemoryReader, MemoryWriter) {
    let (frontend, peer) = memory::pair();
    let conn = IpcConnection::open(frontend, ConnectOptions::new().channel(ECHO_SPEC));
    let (reader, writer) = peer.into_split();
    (conn, reader, writer)
}

/// Reads the frontend's hello and checks it.
async fn expect_hello(reader: &mut MemoryReader) {
    match guarded("hello", reader.read(LIMIT)).await {
        Incoming::Text(text) => {
            let hello: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(hello["type"], "hello");
            assert_eq!(hello["protocol"], PROTOCOL_VERSION);
        }
        other => panic!("expected the hello, got {other:?}"),
    }
}

/// Sends a welcome with this `protocol` field (`None`: no such field).
async fn welcome(writer: &mut MemoryWriter, protocol: Option<Value>) {
    let mut welcome = json!({
        "type": "welcome",
        "channels": {ECHO_CHANNEL: "1eb0a847cb7cf59c"},
        "maxMessageBytes": LIMIT,
        "maxInFlight": 16,
    });
    if let Some(protocol) = protocol {
        welcome["protocol"] = protocol;
    }
    writer.write(welcome.to_string()).await.unwrap();
    writer.flush().await.unwrap();
}

/// `add(1, 1)` on the echo channel.
async fn call(conn: &IpcConnection) -> Result<ipcc_runtime::Payload, IpcError> {
    let one = serde_json::value::to_raw_value(&1).unwrap();
    conn.call(
        ECHO_CHANNEL,
        "add",
        vec![one.clone(), one],
        &CallOptions::new(),
    )
    .await
}

#[tokio::test]
async fn a_welcome_with_another_protocol_fails_the_connection_and_its_calls() {
    let (conn, mut reader, mut writer) = open();
    // A call made before the welcome waits for it.
    let early = call(&conn);
    tokio::pin!(early);
    let pending = poll_fn(|cx| Poll::Ready(early.as_mut().poll(cx).is_pending())).await;
    assert!(pending);
    expect_hello(&mut reader).await;
    // Protocol 2 is welcome since this frontend offers streams; 3 is not.
    welcome(&mut writer, Some(json!(3))).await;

    let error = guarded("early call", early).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::VersionMismatch, "{error}");
    assert_eq!(
        error.data,
        Some(json!({"backendProtocol": 3, "frontendProtocol": PROTOCOL_VERSION}))
    );
    let ready = guarded("ready", conn.ready()).await.unwrap_err();
    assert_eq!(ready.code, ErrorCode::VersionMismatch);
    let later = guarded("later call", call(&conn)).await.unwrap_err();
    assert_eq!(later.code, ErrorCode::VersionMismatch);

    // The frontend closed the connection: nothing but the end arrives, and no call was sent.
    guarded("closed", conn.closed()).await;
    assert!(!conn.is_connected());
    match guarded("end", reader.read(LIMIT)).await {
        Incoming::Closed => {}
        other => panic!("expected the connection to close, got {other:?}"),
    }
}

#[tokio::test]
async fn a_welcome_without_a_usable_protocol_is_a_version_mismatch() {
    for protocol in [None, Some(json!("1")), Some(json!(1.5)), Some(json!(-1))] {
        let (conn, mut reader, mut writer) = open();
        expect_hello(&mut reader).await;
        welcome(&mut writer, protocol.clone()).await;
        let error = guarded("ready", conn.ready()).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::VersionMismatch, "{protocol:?}");
        assert_eq!(
            error.data.as_ref().unwrap()["backendProtocol"],
            protocol.unwrap_or(Value::Null)
        );
        let call_error = guarded("call", call(&conn)).await.unwrap_err();
        assert_eq!(call_error.code, ErrorCode::VersionMismatch);
    }
}

/// The matching protocol still works against the same raw peer (the test's own control).
#[tokio::test]
async fn a_welcome_with_protocol_1_opens_the_connection() {
    let (conn, mut reader, mut writer) = open();
    expect_hello(&mut reader).await;
    welcome(&mut writer, Some(json!(PROTOCOL_VERSION))).await;
    let welcome = guarded("ready", conn.ready()).await.unwrap();
    assert_eq!(welcome.max_in_flight, 16);
    let answering = tokio::spawn(async move {
        let Incoming::Text(text) = reader.read(LIMIT).await else {
            panic!("expected the call");
        };
        let call: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(call["method"], "add");
        let id = call["id"].as_u64().unwrap();
        writer
            .write(format!(r#"{{"type":"result","id":{id},"value":2}}"#))
            .await
            .unwrap();
        writer.flush().await.unwrap();
        (reader, writer)
    });
    let value = guarded("call", call(&conn)).await.unwrap();
    assert_eq!(value.get(), "2");
    guarded("peer", answering).await.unwrap();
}

/// Against a backend that answers protocol 1 (it ignored the offered `streams`), a call with a
/// stream fails at once, locally, with the documented `versionMismatch`; unary calls work.
#[tokio::test]
async fn a_protocol_1_welcome_fails_stream_calls_locally_and_unary_calls_work() {
    use futures_util::StreamExt;
    let (conn, mut reader, mut writer) = open();
    match guarded("hello", reader.read(LIMIT)).await {
        Incoming::Text(text) => {
            let hello: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(hello["features"], json!(["streams", "binary"]));
        }
        other => panic!("expected the hello, got {other:?}"),
    }
    welcome(&mut writer, Some(json!(1))).await;
    let welcome = guarded("ready", conn.ready()).await.unwrap();
    assert_eq!((welcome.protocol, welcome.max_streams), (1, None));

    let mut items = conn.call_stream(
        ECHO_CHANNEL,
        "tail",
        Vec::<Box<RawValue>>::new(),
        None,
        &CallOptions::new(),
    );
    let error = guarded("stream", items.next()).await.unwrap().unwrap_err();
    assert_eq!(error.code, ErrorCode::VersionMismatch);
    assert_eq!(
        error.message,
        format!("method \"tail\" of channel \"{ECHO_CHANNEL}\" uses streams, which need protocol 2; the backend speaks protocol 1")
    );
    assert_eq!(
        error.data,
        Some(json!({"channel": ECHO_CHANNEL, "method": "tail", "backendProtocol": 1}))
    );
    assert!(guarded("end", items.next()).await.is_none());
    let source = Box::pin(futures_util::stream::empty());
    let error = guarded(
        "input",
        conn.call_with_input(
            ECHO_CHANNEL,
            "upload",
            Vec::<Box<RawValue>>::new(),
            source,
            &CallOptions::new(),
        ),
    )
    .await
    .unwrap_err();
    assert_eq!(error.code, ErrorCode::VersionMismatch);

    // Nothing was sent for those; the unary call is the next message.
    let answering = tokio::spawn(async move {
        let Incoming::Text(text) = reader.read(LIMIT).await else {
            panic!("expected the call");
        };
        let call: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(call["method"], "add");
        let id = call["id"].as_u64().unwrap();
        writer
            .write(format!(r#"{{"type":"result","id":{id},"value":2}}"#))
            .await
            .unwrap();
        writer.flush().await.unwrap();
        (reader, writer)
    });
    assert_eq!(guarded("call", call(&conn)).await.unwrap().get(), "2");
    guarded("peer", answering).await.unwrap();
}

/// Opens a frontend and completes the handshake with a welcome of the given fields.
async fn open_welcomed(welcome_fields: Value) -> (IpcConnection, MemoryReader, MemoryWriter) {
    let (conn, mut reader, mut writer) = open();
    expect_hello(&mut reader).await;
    send(&mut writer, welcome_fields).await;
    guarded("ready", conn.ready()).await.unwrap();
    (conn, reader, writer)
}

async fn send(writer: &mut MemoryWriter, message: Value) {
    writer.write(message.to_string()).await.unwrap();
    writer.flush().await.unwrap();
}

/// A welcome that leaves the limits out means the protocol's defaults (64 MiB, 1024), as in
/// the TS runtime.
#[tokio::test]
async fn a_welcome_without_limits_means_the_defaults() {
    let (conn, _reader, _writer) = open_welcomed(json!({
        "type": "welcome", "protocol": 1, "channels": {ECHO_CHANNEL: "1eb0a847cb7cf59c"},
    }))
    .await;
    let welcome = conn.ready().await.unwrap();
    assert_eq!(welcome.max_message_bytes, 64 * 1024 * 1024);
    assert_eq!(welcome.max_in_flight, 1024);
}

/// A call larger than the backend's `maxMessageBytes` (from the welcome) fails locally with
/// `tooLarge` and is never sent: the next message the backend reads is the call after it.
#[tokio::test]
async fn a_call_past_the_backends_limit_is_refused_locally_and_not_sent() {
    let (conn, mut reader, mut writer) = open_welcomed(json!({
        "type": "welcome", "protocol": 1, "channels": {ECHO_CHANNEL: "1eb0a847cb7cf59c"},
        "maxMessageBytes": 1000,
    }))
    .await;
    let big = serde_json::value::to_raw_value(&"x".repeat(2000)).unwrap();
    let error = guarded(
        "big call",
        conn.call(ECHO_CHANNEL, "echoString", vec![big], &CallOptions::new()),
    )
    .await
    .unwrap_err();
    assert_eq!(error.code, ErrorCode::TooLarge);
    let calling =
        tokio::spawn(async move { call(&conn).await.map(|value| value.get().to_owned()) });
    match guarded("next message", reader.read(LIMIT)).await {
        Incoming::Text(text) => {
            let message: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(message["method"], "add", "the big call was sent: {text}");
            let id = message["id"].as_u64().unwrap();
            send(&mut writer, json!({"type": "result", "id": id, "value": 2})).await;
        }
        other => panic!("expected the small call, got {other:?}"),
    }
    assert_eq!(guarded("call", calling).await.unwrap().unwrap(), "2");
}
