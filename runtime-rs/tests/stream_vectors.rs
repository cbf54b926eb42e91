//! Replays tests/vectors/messages-streams.json (protocol v2 streams) against the host serving the
//! `streams-test-v1` channel, over in-memory, WebSocket and the echo backend (`--streams`) as a
//! child process over stdio. runtime-ts replays the same file (`test/vectors-messages.test.ts`).

mod support;

use std::process::Stdio;

use ipcc_runtime::transport::lines::LineSocket;
use ipcc_runtime::transport::websocket::WsSocket;
use ipcc_runtime::transport::{memory, Incoming, IpcSocket, MessageReader, MessageWriter};
use ipcc_runtime::{HostConfig, WsServer, WsServerConfig};
use serde_json::Value;

fn load() -> Value {
    let text = std::fs::read_to_string(support::vectors_dir().join("messages-streams.json"))
        .expect("tests/vectors/messages-streams.json is readable");
    serde_json::from_str(&text).expect("messages-streams.json is JSON")
}

/// The cases to run: all, or the one named by `IPCC_VECTOR_CASE` (to debug it alone).
fn cases(file: &Value) -> impl Iterator<Item = &Value> {
    let only = std::env::var("IPCC_VECTOR_CASE").ok();
    file["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(move |case| only.as_ref().is_none_or(|name| case["name"] == **name))
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
            writer
                .write(value.to_string())
                .await
                .map_err(|e| format!("step {index}: send failed: {e}"))?;
            writer
                .flush()
                .await
                .map_err(|e| format!("step {index}: flush failed: {e}"))?;
        } else if let Some(pattern) = step.get("expect") {
            let what = format!("{}: step {index}: expected {pattern}", case["name"]);
            let text = match support::guarded(&what, reader.read(usize::MAX)).await {
                Incoming::Text(text) => text,
                other => return Err(format!("step {index}: expected {pattern}, got {other:?}")),
            };
            let message: Value = serde_json::from_str(&text)
                .map_err(|e| format!("step {index}: backend sent bad JSON {text}: {e}"))?;
            if !support::json_matches(pattern, &message) {
                return Err(format!("step {index}: expected {pattern}, got {text}"));
            }
            for field in step["absent"].as_array().into_iter().flatten() {
                let field = field.as_str().unwrap();
                if message.get(field).is_some() {
                    return Err(format!(
                        "step {index}: `{field}` should be absent from {text}"
                    ));
                }
            }
        } else {
            return Err(format!("step {index}: unknown step {step}"));
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_vectors_in_memory() {
    let file = load();
    let mut failures = Vec::new();
    for case in cases(&file) {
        let (host, _probe) = support::streams_host(HostConfig::new());
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
async fn stream_vectors_websocket() {
    let file = load();
    let mut failures = Vec::new();
    for case in cases(&file) {
        let (host, _probe) = support::streams_host(HostConfig::new());
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
async fn stream_vectors_stdio_child() {
    let file = load();
    let mut failures = Vec::new();
    for case in cases(&file) {
        let mut command = tokio::process::Command::new(support::echo_backend_binary());
        command
            .args(["--stdio", "--streams"])
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
