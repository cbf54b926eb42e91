//! Replays tests/vectors/messages-binary.json (protocol v2 binary `bytes`) against the `Echo`
//! host, over in-memory, WebSocket and the echo backend as a child process over stdio.
//! runtime-ts replays the same file (`test/vectors-messages.test.ts`).

mod support;

use std::process::Stdio;

use ipcc_runtime::transport::lines::LineSocket;
use ipcc_runtime::transport::websocket::WsSocket;
use ipcc_runtime::transport::{memory, Incoming, IpcSocket, MessageReader, MessageWriter};
use ipcc_runtime::{HostConfig, WsServer, WsServerConfig};
use serde_json::Value;

fn load() -> Value {
    let text = std::fs::read_to_string(support::vectors_dir().join("messages-binary.json"))
        .expect("tests/vectors/messages-binary.json is readable");
    serde_json::from_str(&text).expect("messages-binary.json is JSON")
}

/// The cases for `transport`: those without a `transports` list, or naming it.
fn cases<'a>(file: &'a Value, transport: &'a str) -> impl Iterator<Item = &'a Value> {
    let only = std::env::var("IPCC_VECTOR_CASE").ok();
    file["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(move |case| {
            only.as_ref().is_none_or(|name| case["name"] == **name)
                && case["transports"]
                    .as_array()
                    .is_none_or(|list| list.iter().any(|t| t == transport))
        })
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

/// A binary message from its JSON and its attachments (hex).
fn layout(step: &Value) -> Vec<u8> {
    let json = step["json"].to_string();
    let mut message = (json.len() as u32).to_be_bytes().to_vec();
    message.extend_from_slice(json.as_bytes());
    for attachment in step["attachments"].as_array().unwrap() {
        let bytes = unhex(attachment.as_str().unwrap());
        message.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        message.extend_from_slice(&bytes);
    }
    message
}

/// Splits a received binary message into its JSON and its attachments (hex).
fn split(message: &[u8]) -> Result<(Value, Vec<String>), String> {
    let length = |at: usize| -> Result<usize, String> {
        let bytes = message.get(at..at + 4).ok_or("a truncated length")?;
        Ok(u32::from_be_bytes(bytes.try_into().unwrap()) as usize)
    };
    let json_end = 4 + length(0)?;
    let json = serde_json::from_slice(message.get(4..json_end).ok_or("JSON past the end")?)
        .map_err(|e| format!("JSON: {e}"))?;
    let mut attachments = Vec::new();
    let mut at = json_end;
    while at < message.len() {
        let end = at + 4 + length(at)?;
        let bytes = message
            .get(at + 4..end)
            .ok_or("an attachment past the end")?;
        attachments.push(bytes.iter().map(|b| format!("{b:02x}")).collect());
        at = end;
    }
    Ok((json, attachments))
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
        let sent = if let Some(value) = step.get("send") {
            writer.write(value.to_string()).await
        } else if let Some(binary) = step.get("sendBinary") {
            writer.write_binary(layout(binary)).await
        } else if let Some(raw) = step.get("sendBinaryRaw") {
            writer.write_binary(unhex(raw.as_str().unwrap())).await
        } else {
            let what = format!("{}: step {index}: {step}", case["name"]);
            let incoming = support::guarded(&what, reader.read(usize::MAX)).await;
            let (message, attachments) = match incoming {
                Incoming::Text(text) => (
                    serde_json::from_str::<Value>(&text).map_err(|e| format!("{text}: {e}"))?,
                    None,
                ),
                Incoming::Binary(bytes) => {
                    let (json, attachments) = split(&bytes)?;
                    (json, Some(attachments))
                }
                other => return Err(format!("step {index}: got {other:?}")),
            };
            let (pattern, expected) = match (step.get("expect"), step.get("expectBinary")) {
                (Some(pattern), _) => (pattern, None),
                (_, Some(binary)) => (&binary["json"], Some(&binary["attachments"])),
                _ => return Err(format!("step {index}: unknown step {step}")),
            };
            if !support::json_matches(pattern, &message) {
                return Err(format!("step {index}: expected {pattern}, got {message}"));
            }
            match (expected, attachments) {
                (None, None) => {}
                (Some(expected), Some(got)) if *expected == serde_json::json!(got) => {}
                (expected, got) => {
                    return Err(format!(
                        "step {index}: expected attachments {expected:?}, got {got:?} ({message})"
                    ))
                }
            }
            for field in step["absent"].as_array().into_iter().flatten() {
                let field = field.as_str().unwrap();
                if message.get(field).is_some() {
                    return Err(format!("step {index}: `{field}` should be absent"));
                }
            }
            // The welcome granted binary: stdio's framing reads binary messages from now on.
            if message["type"] == "welcome"
                && message["features"]
                    .as_array()
                    .is_some_and(|f| f.iter().any(|f| f == "binary"))
            {
                reader.accept_binary();
            }
            continue;
        };
        sent.map_err(|e| format!("step {index}: send failed: {e}"))?;
        writer
            .flush()
            .await
            .map_err(|e| format!("step {index}: flush failed: {e}"))?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_vectors_in_memory() {
    let file = load();
    let mut failures = Vec::new();
    for case in cases(&file, "in-memory") {
        let host = support::echo_host(HostConfig::new());
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
async fn binary_vectors_websocket() {
    let file = load();
    let mut failures = Vec::new();
    for case in cases(&file, "websocket") {
        let host = support::echo_host(HostConfig::new());
        let server = WsServer::bind(&host, WsServerConfig::new()).await.unwrap();
        let url = server.url();
        let running = server.spawn();
        let (stream, _) = tokio_tungstenite::connect_async(url.as_str())
            .await
            .unwrap();
        if let Err(problem) = run_case(&file, case, WsSocket::new(stream)).await {
            failures.push(format!("{}: {problem}", case["name"]));
        }
        running.abort();
    }
    assert!(failures.is_empty(), "websocket:\n{}", failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_vectors_stdio_child() {
    let file = load();
    let mut failures = Vec::new();
    for case in cases(&file, "stdio") {
        let mut command = tokio::process::Command::new(support::echo_backend_binary());
        command
            .arg("--stdio")
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
