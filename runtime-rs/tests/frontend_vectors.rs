//! Replays tests/vectors/messages-frontend.json: a scripted backend (the raw end of an
//! in-memory pair) sends each case's messages to a real frontend connection, and the runner
//! checks what the frontend makes of them: the outcome of its calls, the errors it reports,
//! the notifications it delivers, and whether it closes the connection.

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ipcc_runtime::transport::memory::{self, MemoryReader, MemoryWriter};
use ipcc_runtime::transport::{Incoming, IpcSocket, MessageReader, MessageWriter};
use ipcc_runtime::{CallOptions, ConnectOptions, IpcConnection, IpcError};
use serde_json::value::RawValue;
use serde_json::Value;
use support::values::round_trip;
use support::vectors_ipc::{self, EchoEventsListener, ECHO_EVENTS_SPEC, ECHO_SPEC};
use support::{guarded, json_equal, json_matches};

/// Records the `tick` notifications the frontend delivers.
#[derive(Clone, Default)]
struct Ticks(Arc<Mutex<Vec<u32>>>);

impl EchoEventsListener for Ticks {
    fn tick(&self, n: u32) {
        self.0.lock().unwrap().push(n);
    }
}

/// A call the script started, and the id it went out with (once the backend read it).
struct Started {
    outcome: tokio::task::JoinHandle<Result<Value, IpcError>>,
    id: Option<u64>,
}

struct Runner {
    conn: IpcConnection,
    reader: MemoryReader,
    writer: MemoryWriter,
    reported: Arc<Mutex<Vec<IpcError>>>,
    ticks: Ticks,
    calls: HashMap<String, Started>,
    _listener: ipcc_runtime::codegen::ListenerHandle,
}

impl Runner {
    fn new() -> Runner {
        let (frontend, backend) = memory::pair();
        let reported = Arc::new(Mutex::new(Vec::new()));
        let hook = reported.clone();
        let conn = IpcConnection::open(
            frontend,
            ConnectOptions::new()
                .channel(ECHO_SPEC)
                .channel(ECHO_EVENTS_SPEC)
                .on_error(move |error| hook.lock().unwrap().push(error)),
        );
        let ticks = Ticks::default();
        let listener = vectors_ipc::listen_echo_events(&conn, ticks.clone());
        let (reader, writer) = backend.into_split();
        Runner {
            conn,
            reader,
            writer,
            reported,
            ticks,
            calls: HashMap::new(),
            _listener: listener,
        }
    }

    async fn send_text(&mut self, text: String) {
        self.writer.write(text).await.unwrap();
        self.writer.flush().await.unwrap();
    }

    /// The frontend's next message, parsed; `Err` when the connection ended instead.
    async fn next_message(&mut self) -> Result<Value, String> {
        match guarded("the frontend's next message", self.reader.read(usize::MAX)).await {
            Incoming::Text(text) => serde_json::from_str(&text).map_err(|e| format!("{e}: {text}")),
            other => Err(format!("{other:?}")),
        }
    }

    async fn step(&mut self, step: &Value) -> Result<(), String> {
        let (kind, arg) = step
            .as_object()
            .and_then(|o| o.iter().next())
            .ok_or("a step is an object with one field")?;
        match kind.as_str() {
            "expectHello" | "expectMessage" => {
                let message = self.next_message().await?;
                if !json_matches(arg, &message) {
                    return Err(format!("expected {arg}, the frontend sent {message}"));
                }
            }
            "send" => self.send_text(arg.to_string()).await,
            "sendText" => {
                self.send_text(arg.as_str().ok_or("sendText")?.to_owned())
                    .await
            }
            "call" => {
                let name = arg["ref"].as_str().ok_or("call.ref")?.to_owned();
                let channel = arg["channel"].as_str().ok_or("call.channel")?.to_owned();
                let method = arg["method"].as_str().ok_or("call.method")?.to_owned();
                let args: Vec<Box<RawValue>> = arg["args"]
                    .as_array()
                    .ok_or("call.args")?
                    .iter()
                    .map(|a| serde_json::value::to_raw_value(a).unwrap())
                    .collect();
                // With `decode`, the result is decoded as that type, as generated code does.
                let decode = arg["decode"].as_str().map(str::to_owned);
                let conn = self.conn.clone();
                let outcome = tokio::spawn(async move {
                    let value = conn
                        .call(&channel, &method, args, &CallOptions::new())
                        .await?;
                    let text = match decode {
                        Some(type_expr) => round_trip(&type_expr, value.json().get())?,
                        None => value.json().get().to_owned(),
                    };
                    Ok(serde_json::from_str(&text).unwrap())
                });
                self.calls.insert(name, Started { outcome, id: None });
            }
            "expectCall" => {
                let name = arg["ref"].as_str().ok_or("expectCall.ref")?;
                let message = self.next_message().await?;
                if !json_matches(&arg["message"], &message) {
                    return Err(format!(
                        "expected call {}, the frontend sent {message}",
                        arg["message"]
                    ));
                }
                let id = message["id"]
                    .as_u64()
                    .ok_or("a call without an integer id")?;
                self.calls.get_mut(name).ok_or("unknown call ref")?.id = Some(id);
            }
            "answer" => {
                let name = arg["ref"].as_str().ok_or("answer.ref")?;
                let id = self
                    .calls
                    .get(name)
                    .and_then(|c| c.id)
                    .ok_or("answer before expectCall")?;
                // `text`: a message too deep for this file's parser, given as text; the id goes
                // in first.
                let text = match arg["text"].as_str() {
                    Some(text) => format!(
                        "{{\"id\":{id},{}",
                        text.strip_prefix('{').ok_or("answer.text is an object")?
                    ),
                    None => {
                        let mut message = arg["message"].clone();
                        message["id"] = id.into();
                        message.to_string()
                    }
                };
                self.send_text(text).await;
            }
            "expectOutcome" => {
                let name = arg["ref"].as_str().ok_or("expectOutcome.ref")?;
                let started = self.calls.remove(name).ok_or("unknown call ref")?;
                let outcome = guarded("the call's outcome", started.outcome)
                    .await
                    .unwrap();
                // `absent: ["data"]`: the error has no `data`.
                let no_data = arg["absent"]
                    .as_array()
                    .is_some_and(|absent| absent.iter().any(|field| field == "data"));
                match (outcome, arg.get("result"), arg.get("error")) {
                    (Ok(value), Some(expected), None) if json_equal(&value, expected) => {}
                    (Err(error), None, Some(expected))
                        if error_matches(expected, &error)
                            && !(no_data && error.data.is_some()) => {}
                    (outcome, _, _) => {
                        return Err(format!("call {name}: expected {arg}, got {outcome:?}"))
                    }
                }
            }
            "expectReported" => {
                let expected = arg.as_array().ok_or("expectReported is a list")?;
                let reported = self.reported.lock().unwrap();
                let matches = reported.len() == expected.len()
                    && expected
                        .iter()
                        .zip(reported.iter())
                        .all(|(e, r)| error_matches(e, r));
                if !matches {
                    return Err(format!("expected reports {arg}, got {reported:?}"));
                }
            }
            "expectTicks" => {
                let expected: Vec<u32> =
                    serde_json::from_value(arg.clone()).map_err(|e| e.to_string())?;
                let ticks = self.ticks.0.lock().unwrap().clone();
                if ticks != expected {
                    return Err(format!("expected ticks {expected:?}, got {ticks:?}"));
                }
            }
            "expectClosed" => match self.next_message().await {
                Err(ended) if ended == "Closed" => {}
                other => return Err(format!("expected the frontend to close, got {other:?}")),
            },
            other => return Err(format!("unknown step {other}")),
        }
        Ok(())
    }
}

/// Whether `error` has the pattern's `code`, `message` and `data` (each only when given).
fn error_matches(pattern: &Value, error: &IpcError) -> bool {
    pattern
        .get("code")
        .is_none_or(|code| code == error.code.as_str())
        && pattern
            .get("message")
            .is_none_or(|m| m == error.message.as_str())
        && pattern
            .get("data")
            .is_none_or(|d| error.data.as_ref().is_some_and(|data| json_equal(d, data)))
}

#[tokio::test]
async fn frontend_vectors_in_memory() {
    let text = std::fs::read_to_string(support::vectors_dir().join("messages-frontend.json"))
        .expect("tests/vectors/messages-frontend.json is readable");
    let file: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        file["schemaHashes"][ECHO_SPEC.channel],
        ECHO_SPEC.schema_hash
    );
    assert_eq!(
        file["schemaHashes"][ECHO_EVENTS_SPEC.channel],
        ECHO_EVENTS_SPEC.schema_hash
    );
    let mut failures = Vec::new();
    for case in file["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let mut runner = Runner::new();
        for (index, step) in case["steps"].as_array().unwrap().iter().enumerate() {
            if let Err(problem) = runner.step(step).await {
                failures.push(format!("{name}, step {index} {step}: {problem}"));
                break;
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
