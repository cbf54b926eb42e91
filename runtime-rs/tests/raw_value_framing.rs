//! Caller-supplied raw JSON with line breaks (built from pretty-printed JSON) must still travel
//! as one stdio line: call arguments to a real child backend, and a host's results and
//! notifications back to a frontend over a newline-framed pipe.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ipcc_runtime::codegen::{serde_with, unknown_method, Args, BoxFuture, Dispatch, Reply};
use ipcc_runtime::transport::lines::LineSocket;
use ipcc_runtime::{CallContext, CallOptions, ChannelSpec, ConnectOptions, IpcConnection, IpcHost};
use serde_json::value::RawValue;
use serde_json::{json, Value};
use support::guarded;
use support::vectors_ipc::{EchoClient, ECHO_CHANNEL, ECHO_SPEC};

/// A raw value holding `value` pretty-printed, i.e. with newlines and indentation.
fn pretty_raw(value: &Value) -> Box<RawValue> {
    let text = serde_json::to_string_pretty(value).unwrap();
    assert!(text.contains('\n'), "the fixture must contain a newline");
    RawValue::from_string(text).unwrap()
}

/// Without the fix the call's line is split in pieces, the backend answers each piece with a
/// `badRequest` it cannot match to the call, and the call never ends: the per-call timeout and
/// the hang guard turn that into a failure.
#[tokio::test]
async fn pretty_printed_argument_over_stdio_is_answered() {
    let mut command = tokio::process::Command::new(support::echo_backend_binary());
    command.arg("--stdio");
    let conn = guarded(
        "spawn_stdio",
        // The test reads the raw result, so `bytes` must come back as base64, not attached.
        IpcConnection::spawn_stdio(
            command,
            ConnectOptions::new().channel(ECHO_SPEC).binary(false),
        ),
    )
    .await
    .expect("spawns the echo backend");
    let person = json!({
        "id": "9007199254740993",
        "name": "Ann \"the\" Lee\nsecond line",
        "age": 41,
        "tags": ["a b", "c\r\n"],
        "avatar": "aGk=",
    });
    let options = CallOptions::new().timeout(Duration::from_secs(10));
    let answer = guarded(
        "echoPerson with a pretty-printed argument",
        conn.call(
            ECHO_CHANNEL,
            "echoPerson",
            vec![pretty_raw(&person)],
            &options,
        ),
    )
    .await
    .expect("the backend answers the call");
    let answer: Value = serde_json::from_str(answer.get()).unwrap();
    assert_eq!(answer, person);
    // The connection is still in step: the next call gets its own answer.
    assert_eq!(
        guarded("add", EchoClient::new(&conn).add(2, 3))
            .await
            .unwrap(),
        5
    );
}

const PRETTY: ChannelSpec = ChannelSpec {
    channel: "pretty-v1",
    schema_hash: "pretty-hash",
    wire_schema: "",
};

/// Answers `get` with a pretty-printed raw result, after notifying `changed` with a
/// pretty-printed raw argument on the caller's connection.
struct PrettyBackend;

fn document() -> Value {
    json!({"list": [1, 2, {"deep": [true, null]}], "text": "x\ny"})
}

impl Dispatch for PrettyBackend {
    fn dispatch(&self, ctx: CallContext, method: &str, _args: Args) -> BoxFuture<Reply> {
        if method != "get" {
            return unknown_method(method);
        }
        Box::pin(async move {
            ctx.host().notify(
                Some(ctx.connection()),
                PRETTY.channel,
                "changed",
                vec![pretty_raw(&document())],
            )?;
            Ok(pretty_raw(&document()).into())
        })
    }
}

#[tokio::test]
async fn pretty_printed_results_and_notifications_over_lines() {
    let host = IpcHost::new();
    host.register(PRETTY, Arc::new(PrettyBackend)).forget();
    let (frontend_out, backend_in) = tokio::io::duplex(64 * 1024);
    let (backend_out, frontend_in) = tokio::io::duplex(64 * 1024);
    let serving = tokio::spawn({
        let host = host.clone();
        async move { host.serve(LineSocket::new(backend_in, backend_out)).await }
    });
    let conn = IpcConnection::open(
        LineSocket::new(frontend_in, frontend_out),
        ConnectOptions::new().channel(PRETTY),
    );
    let notified: Arc<Mutex<Vec<Value>>> = Arc::default();
    let _listener = conn.add_listener(PRETTY.channel, {
        let notified = notified.clone();
        move |method, mut args: Args| {
            assert_eq!(method, "changed");
            let value = args.next::<Value, serde_with::Same>("value")?;
            args.finish()?;
            notified.lock().unwrap().push(value);
            Ok(())
        }
    });
    let options = CallOptions::new().timeout(Duration::from_secs(10));
    let result = guarded(
        "get",
        conn.call(PRETTY.channel, "get", Vec::<Box<RawValue>>::new(), &options),
    )
    .await
    .expect("the host's pretty-printed result arrives");
    assert_eq!(
        serde_json::from_str::<Value>(result.get()).unwrap(),
        document()
    );
    // The notification was sent before the result on the same ordered connection.
    assert_eq!(*notified.lock().unwrap(), vec![document()]);
    conn.close();
    guarded("host connection ends", serving).await.unwrap();
}
