//! A Rust frontend generated from the older `v1/app.ipc` against the backend binary built from
//! `v2/app.ipc`, over stdio (a child process) and WebSocket: calls on the changed channel fail
//! fast with `versionMismatch` naming the channel and both schema hashes, nothing is sent for
//! them, and the unchanged channel keeps working. A frontend that skips the check (a raw call
//! after announcing the old hash) is refused by the backend with the same error.

use ipcc_runtime::tokio::io::{AsyncBufReadExt, AsyncWrite, AsyncWriteExt, BufReader, Lines};
use ipcc_runtime::tokio::process::{Child, ChildStdin, ChildStdout, Command};
use ipcc_runtime::transport::lines::LineSocket;
use ipcc_runtime::{tokio, ConnectOptions, ErrorCode, IpcConnection, IpcError};
use std::pin::Pin;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use version_skew_backend::{v1, v2};

const BACKEND: &str = env!("CARGO_BIN_EXE_version-skew-backend");
const GUARD: Duration = Duration::from_secs(10);

/// The output of `future` when it is ready at its first poll, that is, "at once": it waited for
/// nothing (no answer from the backend, no timer). Panics, naming `what`, if it would wait.
fn at_once<F: std::future::Future>(what: &str, future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(std::task::Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("{what} waits for something instead of failing at once"),
    }
}

/// Every byte written to the child's stdin, kept to prove what was (not) sent.
#[derive(Clone, Default)]
struct Sent(Arc<Mutex<Vec<u8>>>);

impl Sent {
    fn messages(&self) -> Vec<serde_json::Value> {
        let bytes = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        String::from_utf8_lossy(&bytes)
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect()
    }

    /// The `call` messages sent on `channel`.
    fn calls_on(&self, channel: &str) -> usize {
        self.messages()
            .iter()
            .filter(|m| m["type"] == "call" && m["channel"] == channel)
            .count()
    }
}

/// The child's stdin, recording what passes through.
struct TappedStdin {
    inner: ChildStdin,
    sent: Sent,
}

impl AsyncWrite for TappedStdin {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = &mut *self;
        let written = Pin::new(&mut this.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = written {
            this.sent
                .0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend_from_slice(&buf[..n]);
        }
        written
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

fn v1_channels() -> ConnectOptions {
    ConnectOptions::new()
        .channel(v1::ORDERS_SPEC)
        .channel(v1::CLOCK_SPEC)
}

fn spawn_backend(args: &[&str]) -> Child {
    Command::new(BACKEND)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("the backend binary starts")
}

/// The v1 client against the v2 backend over a child's stdio, recording what is sent.
async fn connect_stdio() -> (IpcConnection, Sent, Child) {
    let mut child = spawn_backend(&["--stdio"]);
    let sent = Sent::default();
    let stdin = TappedStdin {
        inner: child.stdin.take().expect("piped stdin"),
        sent: sent.clone(),
    };
    let stdout = child.stdout.take().expect("piped stdout");
    let conn = IpcConnection::open(LineSocket::new(stdout, stdin), v1_channels());
    tokio::time::timeout(GUARD, conn.ready())
        .await
        .expect("welcome in time")
        .expect("handshake succeeds: a schema mismatch is per channel, not fatal");
    (conn, sent, child)
}

/// The v1 client against the v2 backend over a WebSocket on loopback.
async fn connect_ws() -> (IpcConnection, Child) {
    let mut child = spawn_backend(&["--ws", "127.0.0.1:0"]);
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
    let line = tokio::time::timeout(GUARD, stdout.next_line())
        .await
        .expect("the backend prints its address in time")
        .expect("stdout readable")
        .expect("a line on stdout");
    let url = line
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    let conn = tokio::time::timeout(GUARD, IpcConnection::connect_ws(&url, v1_channels()))
        .await
        .expect("connected in time")
        .expect("handshake succeeds");
    (conn, child)
}

/// The reason the backend gives for v1's `getOrder` (its first incompatible finding).
const GET_ORDER_REASON: &str =
    "the frontend sends argument #1 `id` of `getOrder` as `i32`; the backend expects `string`";

/// A `versionMismatch` that names the method `getOrder` of the orders channel, why it does not
/// work, the v1 hash (frontend) and the v2 hash (backend), in the message and in `data`.
fn assert_orders_mismatch(error: &IpcError) {
    assert_eq!(error.code, ErrorCode::VersionMismatch, "{error:?}");
    assert_ne!(
        v1::ORDERS_SCHEMA_HASH,
        v2::ORDERS_SCHEMA_HASH,
        "the change must alter the hash"
    );
    assert_eq!(
        error.message,
        format!(
            "method \"getOrder\" of channel \"{}\" does not work with this backend: {GET_ORDER_REASON}",
            v1::ORDERS_CHANNEL,
        ),
    );
    assert_eq!(
        error.data.clone().expect("data"),
        serde_json::json!({
            "channel": v1::ORDERS_CHANNEL,
            "method": "getOrder",
            "frontendHash": v1::ORDERS_SCHEMA_HASH,
            "backendHash": v2::ORDERS_SCHEMA_HASH,
            "reason": GET_ORDER_REASON,
        })
    );
}

/// What both transports must show: the changed channel fails fast, the unchanged one works.
async fn check_skew(conn: &IpcConnection) {
    let orders = v1::OrdersClient::new(conn);
    let error = at_once("getOrder", orders.get_order(7)).unwrap_err();
    assert_orders_mismatch(&error);

    let clock = v1::ClockClient::new(conn);
    assert_eq!(clock.echo("still here").await.unwrap(), "still here");
    assert_eq!(clock.add(2, 3).await.unwrap(), 5);
    // And the changed channel still fails, the same way, after the working calls.
    assert_orders_mismatch(&orders.get_order(8).await.unwrap_err());
}

#[tokio::test]
async fn over_stdio_the_changed_channel_fails_fast_and_nothing_is_sent() {
    let (conn, sent, mut child) = connect_stdio().await;
    check_skew(&conn).await;
    assert_eq!(
        sent.calls_on(v1::ORDERS_CHANNEL),
        0,
        "a mismatched call went out: {:?}",
        sent.messages()
    );
    assert_eq!(
        sent.calls_on(v1::CLOCK_CHANNEL),
        2,
        "the tap sees the working calls"
    );
    // The hello announced v1's hashes.
    let hello = sent.messages().into_iter().next().expect("a hello");
    assert_eq!(hello["type"], "hello");
    assert_eq!(
        hello["channels"][v1::ORDERS_CHANNEL],
        v1::ORDERS_SCHEMA_HASH
    );
    conn.close();
    let status = tokio::time::timeout(GUARD, child.wait())
        .await
        .expect("exit in time")
        .unwrap();
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn over_websocket_the_changed_channel_fails_fast() {
    let (conn, mut child) = connect_ws().await;
    check_skew(&conn).await;
    conn.close();
    child.kill().await.unwrap();
}

#[tokio::test]
async fn a_frontend_generated_from_v2_works_on_both_channels() {
    let mut command = Command::new(BACKEND);
    command.arg("--stdio");
    let conn = IpcConnection::spawn_stdio(
        command,
        ConnectOptions::new()
            .channel(v2::ORDERS_SPEC)
            .channel(v2::CLOCK_SPEC),
    )
    .await
    .unwrap();
    let order = v2::OrdersClient::new(&conn).get_order("A-7").await.unwrap();
    assert_eq!((order.id.as_str(), order.quantity), ("A-7", 1));
    assert_eq!(v2::ClockClient::new(&conn).add(-1, 1).await.unwrap(), 0);
}

/// The next message the backend writes on its stdout.
async fn next_message(stdout: &mut Lines<BufReader<ChildStdout>>) -> serde_json::Value {
    let line = tokio::time::timeout(GUARD, stdout.next_line())
        .await
        .expect("an answer in time")
        .expect("stdout readable")
        .expect("a line");
    serde_json::from_str(&line).expect("the backend writes JSON")
}

/// A frontend that sends its wire schemas learns the backend's verdict per method in the
/// welcome; a raw call of the unusable method is refused with the same verdict.
#[tokio::test]
async fn the_welcome_names_the_methods_an_old_frontend_cannot_use() {
    let mut child = spawn_backend(&["--stdio"]);
    let mut stdin = child.stdin.take().expect("piped stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
    let announced = v1::ORDERS_SPEC.hello_schema().expect("a wire schema");
    let schema: serde_json::Value = serde_json::from_str(&announced).unwrap();
    let hello = serde_json::json!({
        "type": "hello",
        "protocol": 1,
        "channels": { v1::ORDERS_CHANNEL: v1::ORDERS_SCHEMA_HASH },
        "schemas": { v1::ORDERS_CHANNEL: schema },
    });
    stdin
        .write_all(format!("{hello}\n").as_bytes())
        .await
        .unwrap();
    let welcome = next_message(&mut stdout).await;
    assert_eq!(
        welcome["compat"],
        serde_json::json!({ v1::ORDERS_CHANNEL: { "unusable": { "getOrder": GET_ORDER_REASON } } }),
        "{welcome}"
    );
    stdin
        .write_all(b"{\"type\":\"call\",\"id\":1,\"channel\":\"skew-orders\",\"method\":\"getOrder\",\"args\":[7]}\n")
        .await
        .unwrap();
    let error = next_message(&mut stdout).await;
    assert_eq!(error["code"], "versionMismatch", "{error}");
    assert_eq!(error["data"]["method"], "getOrder", "{error}");
    assert_eq!(error["data"]["reason"], GET_ORDER_REASON, "{error}");
    drop(stdin);
    let status = tokio::time::timeout(GUARD, child.wait())
        .await
        .expect("exit in time")
        .unwrap();
    assert!(status.success(), "{status:?}");
}

/// A frontend that does not check hashes itself, and sends no schemas: the backend cannot judge
/// it and refuses every call on the channel.
#[tokio::test]
async fn the_backend_refuses_a_raw_call_from_a_frontend_that_announced_the_old_hash() {
    let mut child = spawn_backend(&["--stdio"]);
    let mut stdin = child.stdin.take().expect("piped stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
    let hello = serde_json::json!({
        "type": "hello",
        "protocol": 1,
        "channels": { v1::ORDERS_CHANNEL: v1::ORDERS_SCHEMA_HASH, v1::CLOCK_CHANNEL: v1::CLOCK_SCHEMA_HASH },
    });
    stdin
        .write_all(format!("{hello}\n").as_bytes())
        .await
        .unwrap();
    let welcome = next_message(&mut stdout).await;
    assert_eq!(welcome["type"], "welcome", "{welcome}");
    assert_eq!(
        welcome["channels"][v2::ORDERS_CHANNEL],
        v2::ORDERS_SCHEMA_HASH
    );

    assert!(
        welcome.get("compat").is_none(),
        "nothing was judged: {welcome}"
    );
    // v1's getOrder takes an i32; the call is well-formed for v1 but the channel is mismatched.
    stdin
        .write_all(b"{\"type\":\"call\",\"id\":1,\"channel\":\"skew-orders\",\"method\":\"getOrder\",\"args\":[7]}\n")
        .await
        .unwrap();
    let error = next_message(&mut stdout).await;
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(error["id"], 1);
    assert_eq!(error["code"], "versionMismatch", "{error}");
    let message = error["message"].as_str().unwrap_or_default();
    for part in [
        v1::ORDERS_CHANNEL,
        v1::ORDERS_SCHEMA_HASH,
        v2::ORDERS_SCHEMA_HASH,
    ] {
        assert!(message.contains(part), "{message:?} does not name {part}");
    }
    assert_eq!(error["data"]["frontendHash"], v1::ORDERS_SCHEMA_HASH);
    assert_eq!(error["data"]["backendHash"], v2::ORDERS_SCHEMA_HASH);

    // The unchanged channel answers on the same connection.
    stdin
        .write_all(b"{\"type\":\"call\",\"id\":2,\"channel\":\"skew-clock-v1\",\"method\":\"add\",\"args\":[40,2]}\n")
        .await
        .unwrap();
    let result = next_message(&mut stdout).await;
    assert_eq!(
        result,
        serde_json::json!({ "type": "result", "id": 2, "value": 42 })
    );

    drop(stdin);
    let status = tokio::time::timeout(GUARD, child.wait())
        .await
        .expect("exit in time")
        .unwrap();
    assert!(status.success(), "{status:?}");
}
