//! Deeply nested input, far past the protocol's depth limit (docs/protocol.md, "Limits": a value
//! nests at most 127 arrays and objects). The boundary itself is in the shared vectors; here,
//! inputs nested 100,000 deep reach every decoder of both sides without exhausting the stack:
//! values are refused, unknown fields of a message are skipped, and the connection serves on.

mod support;

use ipcc_runtime::codegen::{decode_result, decode_value, wire};
use ipcc_runtime::transport::{memory, Incoming, IpcSocket, MessageReader, MessageWriter};
use ipcc_runtime::{CallOptions, ConnectOptions, ErrorCode, HostConfig, IpcConnection};
use serde_json::Value;
use support::guarded;
use support::vectors_ipc::{
    self, EchoEventsListener, Person, Tree, ECHO_CHANNEL, ECHO_EVENTS_SPEC, ECHO_SPEC,
};

/// A `tick` listener, so that notifications are decoded.
struct Ticks;

impl EchoEventsListener for Ticks {
    fn tick(&self, _n: u32) {}
}

const DEEP: usize = 100_000;

fn arrays(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

fn tree(nodes: usize) -> String {
    let mut text = String::with_capacity(nodes * 30 + 30);
    for _ in 0..nodes {
        text.push_str(r#"{"kind":"node","children":["#);
    }
    text.push_str(r#"{"kind":"leaf","value":"1"}"#);
    for _ in 0..nodes {
        text.push_str("]}");
    }
    text
}

fn person_with(extra: &str) -> String {
    format!(r#"{{"id":"1","name":"Ann","tags":[],"avatar":"","extra":{extra}}}"#)
}

#[test]
fn values_nested_past_the_limit_do_not_decode() {
    let error = decode_value::<Tree, wire::Named>(&tree(DEEP)).unwrap_err();
    assert_eq!(error.code, ErrorCode::BadRequest);
    // In an unknown field of a struct, which serde_json would skip without counting.
    let error = decode_value::<Person, wire::Named>(&person_with(&arrays(DEEP))).unwrap_err();
    assert_eq!(error.code, ErrorCode::BadRequest);
    let objects = format!("{}{{}}{}", r#"{"a":"#.repeat(DEEP), "}".repeat(DEEP));
    let error = decode_value::<Person, wire::Named>(&person_with(&objects)).unwrap_err();
    assert_eq!(error.code, ErrorCode::BadRequest);
    // An unknown field of a union inside a struct counts from the value's root (1 + 1 + 125).
    let holder = |extra: usize| {
        format!(
            r#"{{"shape":{{"kind":"empty"}},"moods":{{}},"weights":{{}},"maybe":{{"kind":"circle","radius":1,"x":{}}}}}"#,
            arrays(extra)
        )
    };
    assert!(decode_value::<vectors_ipc::Holder, wire::Named>(&holder(125)).is_ok());
    assert!(decode_value::<vectors_ipc::Holder, wire::Named>(&holder(126)).is_err());
}

/// Reads the next message as JSON.
async fn next(reader: &mut memory::MemoryReader) -> Value {
    match guarded("message", reader.read(usize::MAX)).await {
        Incoming::Text(text) => serde_json::from_str(&text).unwrap(),
        other => panic!("expected a message, got {other:?}"),
    }
}

async fn send(writer: &mut memory::MemoryWriter, text: String) {
    writer.write(text).await.unwrap();
    writer.flush().await.unwrap();
}

#[tokio::test]
async fn a_host_refuses_deep_values_and_skips_deep_unknown_fields() {
    let host = support::echo_host(HostConfig::new());
    let (frontend, backend) = memory::pair();
    tokio::spawn(async move { host.serve(backend).await });
    let (mut reader, mut writer) = frontend.into_split();
    send(&mut writer, r#"{"type":"hello","protocol":1}"#.to_owned()).await;
    assert_eq!(next(&mut reader).await["type"], "welcome");
    let call = |id: u32, method: &str, args: &str, extra: &str| {
        format!(
            r#"{{"type":"call","id":{id},"channel":"{ECHO_CHANNEL}","method":"{method}","args":[{args}]{extra}}}"#
        )
    };
    send(
        &mut writer,
        call(1, "echoPerson", &person_with(&arrays(DEEP)), ""),
    )
    .await;
    let answer = next(&mut reader).await;
    assert_eq!(
        (&answer["id"], &answer["code"]),
        (&1.into(), &"badRequest".into()),
        "{answer}"
    );
    let extra = format!(r#","extra":{}"#, arrays(DEEP));
    send(&mut writer, call(2, "add", "1,2", &extra)).await;
    let answer = next(&mut reader).await;
    assert_eq!(
        (&answer["id"], &answer["value"]),
        (&2.into(), &3.into()),
        "{answer}"
    );
    let text = format!(r#"{{"type":{},"id":3}}"#, arrays(DEEP));
    send(&mut writer, text).await;
    let answer = next(&mut reader).await;
    assert_eq!(
        (&answer["id"], &answer["code"]),
        (&3.into(), &"badRequest".into()),
        "{answer}"
    );
    send(&mut writer, call(4, "add", "20,22", "")).await;
    assert_eq!(next(&mut reader).await["value"], 42);
}

#[tokio::test]
async fn a_frontend_refuses_deep_values_and_skips_deep_unknown_fields() {
    let (frontend, backend) = memory::pair();
    let reported = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let hook = reported.clone();
    let conn = IpcConnection::open(
        frontend,
        ConnectOptions::new()
            .channel(ECHO_SPEC)
            .channel(ECHO_EVENTS_SPEC)
            .on_error(move |error| hook.lock().unwrap().push(error)),
    );
    let _listener = vectors_ipc::listen_echo_events(&conn, Ticks);
    let (mut reader, mut writer) = backend.into_split();
    assert_eq!(next(&mut reader).await["type"], "hello");
    let welcome = format!(
        r#"{{"type":"welcome","protocol":1,"channels":{{}},"extra":{}}}"#,
        arrays(DEEP)
    );
    send(&mut writer, welcome).await;
    let call = |method: &'static str, args: &'static str| {
        let conn = conn.clone();
        tokio::spawn(async move {
            let args = vec![serde_json::value::RawValue::from_string(args.to_owned()).unwrap()];
            conn.call(ECHO_CHANNEL, method, args, &CallOptions::new())
                .await
        })
    };
    // A result nested past the limit: the envelope is read, the typed decode refuses the value.
    let deep_result = call(
        "echoPerson",
        r#"{"id":"1","name":"Ann","tags":[],"avatar":""}"#,
    );
    let id = next(&mut reader).await["id"].as_u64().unwrap();
    let text = format!(r#"{{"type":"result","id":{id},"value":{}}}"#, tree(DEEP));
    send(&mut writer, text).await;
    let payload = guarded("the result", deep_result).await.unwrap().unwrap();
    let error = decode_result::<Tree, wire::Named>(payload).unwrap_err();
    assert_eq!(error.code, ErrorCode::BadRequest);
    // An error whose data nests past the limit arrives without it.
    let failing = call("fail", r#""x""#);
    let id = next(&mut reader).await["id"].as_u64().unwrap();
    let text = format!(
        r#"{{"type":"error","id":{id},"code":"internal","message":"deep","data":{}}}"#,
        arrays(DEEP)
    );
    send(&mut writer, text).await;
    let error = guarded("the error", failing).await.unwrap().unwrap_err();
    assert_eq!((error.code, error.data), (ErrorCode::Internal, None));
    // A notification with a deep argument is reported; a message of a deep type too.
    let text = format!(
        r#"{{"type":"notify","channel":"ipcc-vectors-events-v1","method":"tick","args":[{}]}}"#,
        arrays(DEEP)
    );
    send(&mut writer, text).await;
    send(&mut writer, format!(r#"{{"type":{}}}"#, arrays(DEEP))).await;
    let check = call("echoString", r#""ok""#);
    let id = next(&mut reader).await["id"].as_u64().unwrap();
    send(
        &mut writer,
        format!(r#"{{"type":"result","id":{id},"value":"ok"}}"#),
    )
    .await;
    let value = guarded("the check", check).await.unwrap().unwrap();
    assert_eq!(value.json().get(), r#""ok""#);
    let reported = reported.lock().unwrap();
    assert_eq!(reported.len(), 2, "{reported:?}");
    assert!(
        reported.iter().all(|e| e.code == ErrorCode::BadRequest),
        "{reported:?}"
    );
}

#[tokio::test]
async fn a_welcome_with_a_deep_protocol_is_a_version_mismatch() {
    let (frontend, backend) = memory::pair();
    let conn = IpcConnection::open(frontend, ConnectOptions::new().channel(ECHO_SPEC));
    let (mut reader, mut writer) = backend.into_split();
    assert_eq!(next(&mut reader).await["type"], "hello");
    let welcome = format!(r#"{{"type":"welcome","protocol":{}}}"#, arrays(DEEP));
    send(&mut writer, welcome).await;
    let error = guarded("the handshake", conn.ready()).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::VersionMismatch);
    let data = error.data.unwrap();
    assert_eq!(data["backendProtocol"], Value::Null, "{data}");
}
