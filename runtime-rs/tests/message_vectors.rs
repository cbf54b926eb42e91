//! Replays tests/vectors/messages.json against the host over in-memory, WebSocket (`WsServer`
//! and the axum route) and a real child process over stdio.

mod support;

use std::process::Stdio;

use ipcc_runtime::transport::lines::LineSocket;
use ipcc_runtime::transport::websocket::WsSocket;
use ipcc_runtime::transport::{memory, Incoming, IpcSocket, MessageReader, MessageWriter};
use ipcc_runtime::HostConfig;
use serde_json::Value;
use support::{serve_ws, WS_SERVERS};

fn load() -> Value {
    let text = std::fs::read_to_string(support::vectors_dir().join("messages.json"))
        .expect("tests/vectors/messages.json is readable");
    serde_json::from_str(&text).expect("messages.json is JSON")
}

fn host_config(case: &Value) -> HostConfig {
    let mut config = HostConfig::new();
    if let Some(token) = case["host"]["token"].as_str() {
        config = config.token(token);
    }
    if let Some(n) = case["host"]["maxMessageBytes"].as_u64() {
        config = config.max_message_bytes(n as usize);
    }
    if let Some(n) = case["host"]["maxInFlight"].as_u64() {
        config = config.max_in_flight(n as usize);
    }
    config
}

fn applies(case: &Value, transport: &str) -> bool {
    match case["transports"].as_array() {
        Some(list) => list.iter().any(|t| t == transport),
        None => true,
    }
}

/// Runs one case's steps over an open raw socket; returns a description of the first mismatch.
async fn run_case<S: IpcSocket>(file: &Value, case: &Value, socket: S) -> Result<(), String> {
    let (mut reader, mut writer) = socket.into_split();
    let mut steps: Vec<Value> = Vec::new();
    if case["handshake"].as_bool() == Some(true) {
        steps.push(serde_json::json!({ "send": file["hello"] }));
        steps.push(serde_json::json!({ "expect": file["welcome"] }));
    }
    steps.extend(case["steps"].as_array().unwrap().iter().cloned());
    for (index, step) in steps.iter().enumerate() {
        if let Some(value) = step.get("send") {
            send(&mut writer, value.to_string()).await?;
        } else if let Some(text) = step.get("sendText") {
            send(&mut writer, text.as_str().unwrap().to_owned()).await?;
        } else if let Some(pattern) = step.get("expect") {
            let pattern = adjust_welcome(pattern, case);
            match support::guarded("expected message", reader.read(usize::MAX)).await {
                Incoming::Text(text) => {
                    let message: Value = serde_json::from_str(&text)
                        .map_err(|e| format!("step {index}: backend sent bad JSON {text}: {e}"))?;
                    if !support::json_matches(&pattern, &message) {
                        return Err(format!("step {index}: expected {pattern}, got {text}"));
                    }
                }
                other => return Err(format!("step {index}: expected {pattern}, got {other:?}")),
            }
        } else if step.get("expectClosed").is_some() {
            match support::guarded("close", reader.read(usize::MAX)).await {
                Incoming::Closed => {}
                other => return Err(format!("step {index}: expected close, got {other:?}")),
            }
        } else {
            return Err(format!("step {index}: unknown step {step}"));
        }
    }
    Ok(())
}

/// The file's standard welcome carries the default limits; a case's `host` changes them.
fn adjust_welcome(pattern: &Value, case: &Value) -> Value {
    let mut pattern = pattern.clone();
    if pattern["type"] == "welcome" {
        for key in ["maxMessageBytes", "maxInFlight"] {
            if let Some(n) = case["host"].get(key) {
                pattern[key] = n.clone();
            }
        }
    }
    pattern
}

async fn send<W: MessageWriter>(writer: &mut W, text: String) -> Result<(), String> {
    writer
        .write(text)
        .await
        .map_err(|e| format!("send failed: {e}"))?;
    writer
        .flush()
        .await
        .map_err(|e| format!("flush failed: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_vectors_in_memory() {
    let file = load();
    let mut failures = Vec::new();
    for case in file["cases"].as_array().unwrap() {
        if !applies(case, "in-memory") {
            continue;
        }
        let host = support::echo_host(host_config(case));
        let (frontend, backend) = memory::pair();
        let served = tokio::spawn(async move { host.serve(backend).await });
        if let Err(problem) = run_case(&file, case, frontend).await {
            failures.push(format!("{}: {problem}", case["name"]));
        }
        served.abort();
    }
    assert!(failures.is_empty(), "in-memory:\n{}", failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_vectors_websocket() {
    let file = load();
    let mut failures = Vec::new();
    for kind in WS_SERVERS {
        for case in file["cases"].as_array().unwrap() {
            if !applies(case, "websocket") {
                continue;
            }
            let host = support::echo_host(host_config(case));
            let served = serve_ws(&host, kind, &[]).await;
            let (stream, _) = tokio_tungstenite::connect_async(served.url.as_str())
                .await
                .unwrap();
            if let Err(problem) = run_case(&file, case, WsSocket::new(stream)).await {
                failures.push(format!("{kind:?}: {}: {problem}", case["name"]));
            }
        }
    }
    assert!(failures.is_empty(), "websocket:\n{}", failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_vectors_stdio_child() {
    let file = load();
    let mut failures = Vec::new();
    for case in file["cases"].as_array().unwrap() {
        if !applies(case, "stdio") {
            continue;
        }
        let mut command = tokio::process::Command::new(support::echo_backend_binary());
        command.arg("--stdio");
        if let Some(token) = case["host"]["token"].as_str() {
            command.args(["--token", token]);
        }
        if let Some(n) = case["host"]["maxMessageBytes"].as_u64() {
            command.args(["--max-message-bytes", &n.to_string()]);
        }
        if let Some(n) = case["host"]["maxInFlight"].as_u64() {
            command.args(["--max-in-flight", &n.to_string()]);
        }
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        let mut child = command.spawn().expect("the echo backend starts");
        let socket = LineSocket::new(child.stdout.take().unwrap(), child.stdin.take().unwrap());
        if let Err(problem) = run_case(&file, case, socket).await {
            failures.push(format!("{}: {problem}", case["name"]));
        }
        let _ = child.kill().await;
    }
    assert!(failures.is_empty(), "stdio:\n{}", failures.join("\n"));
}

/// WebSocket cannot skip an oversize frame: the host answers tooLarge (id null) and closes
/// with 1009 (docs/protocol.md, refinement 1).
#[tokio::test]
async fn websocket_oversize_message_closes_the_connection() {
    let file = load();
    for kind in WS_SERVERS {
        let host = support::echo_host(HostConfig::new().max_message_bytes(256));
        let served = serve_ws(&host, kind, &[]).await;
        let (stream, _) = tokio_tungstenite::connect_async(served.url.as_str())
            .await
            .unwrap();
        let case = serde_json::json!({
            "handshake": true,
            "host": {"maxMessageBytes": 256},
            "steps": [
                {"sendText": format!(
                    r#"{{"type":"call","id":1,"channel":"ipcc-vectors-echo-v1","method":"echoString","args":["{}"]}}"#,
                    "x".repeat(300)
                )},
                {"expect": {"type": "error", "id": null, "code": "tooLarge"}},
                {"expectClosed": true}
            ]
        });
        run_case(&file, &case, WsSocket::new(stream))
            .await
            .unwrap_or_else(|problem| panic!("{kind:?}: {problem}"));
    }
}

/// A raw WebSocket to `url` past a protocol-v1 handshake (the welcome checked).
async fn welcomed_v1(
    url: &str,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    ws.send(Message::text(r#"{"type":"hello","protocol":1}"#))
        .await
        .unwrap();
    let welcome = support::guarded("welcome", ws.next())
        .await
        .unwrap()
        .unwrap();
    assert!(welcome.to_text().unwrap().contains("welcome"));
    ws
}

/// Binary frames are reserved in v1: answered badRequest, connection open.
#[tokio::test]
async fn websocket_binary_frame_is_a_bad_request() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    for kind in WS_SERVERS {
        let host = support::echo_host(HostConfig::new());
        let served = serve_ws(&host, kind, &[]).await;
        let mut ws = welcomed_v1(&served.url).await;
        ws.send(Message::binary(vec![1u8, 2, 3])).await.unwrap();
        let reply = support::guarded("reply", ws.next()).await.unwrap().unwrap();
        let reply: Value = serde_json::from_str(reply.to_text().unwrap()).unwrap();
        assert_eq!(reply["code"], "badRequest");
        assert_eq!(reply["id"], Value::Null);
        ws.send(Message::text(
        r#"{"type":"call","id":1,"channel":"ipcc-vectors-echo-v1","method":"add","args":[2,2]}"#,
    ))
    .await
    .unwrap();
        let result = support::guarded("result", ws.next())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            result.to_text().unwrap(),
            r#"{"type":"result","id":1,"value":4}"#
        );
    }
}

/// A text frame that is not UTF-8 fails the WebSocket connection (RFC 6455 §8.1): close code
/// 1007, and no `error` message before it (docs/protocol.md, "Transports and framing").
#[tokio::test]
async fn websocket_invalid_utf8_closes_with_1007() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
    use tokio_tungstenite::tungstenite::protocol::frame::Frame;
    use tokio_tungstenite::tungstenite::Message;
    for kind in WS_SERVERS {
        let host = support::echo_host(HostConfig::new());
        let served = serve_ws(&host, kind, &[]).await;
        let mut ws = welcomed_v1(&served.url).await;
        let invalid = Frame::message(
            b"{\"type\":\"\xff\"}".to_vec(),
            OpCode::Data(Data::Text),
            true,
        );
        ws.send(Message::Frame(invalid)).await.unwrap();
        let reply = support::guarded("close", ws.next()).await.unwrap().unwrap();
        match reply {
            Message::Close(Some(frame)) => assert_eq!(frame.code, CloseCode::Invalid),
            other => panic!("{kind:?}: expected a close frame with code 1007, got {other:?}"),
        }
    }
}

/// A `hello` with `"protocol": 2` means protocol 1 plus streams (docs/protocol.md, "Version 2:
/// streams"): it is welcomed with protocol 2 and the stream limits.
#[tokio::test]
async fn a_protocol_2_hello_is_welcomed_with_streams() {
    let file = load();
    let case = serde_json::json!({
        "steps": [
            {"send": {"type": "hello", "protocol": 2, "channels": file["schemaHashes"]}},
            {"expect": {"type": "welcome", "protocol": 2, "features": ["streams"],
                        "maxStreams": 256, "maxCredit": 1024}},
        ]
    });
    let host = support::echo_host(HostConfig::new());
    let (frontend, backend) = memory::pair();
    let _served = tokio::spawn(async move { host.serve(backend).await });
    run_case(&file, &case, frontend).await.unwrap();
}
