//! Drives the built backend binary the way a frontend does: over stdio as its parent, and over
//! WebSocket with and without the token, through the generated Rust client.

// The client half alone (`build_server(false)` in build.rs), all of it used here.
mod my_interface {
    include!(concat!(env!("OUT_DIR"), "/client/my-interface.rs"));
}

use ipcc_runtime::tokio;
use ipcc_runtime::tokio::io::AsyncBufReadExt;
use ipcc_runtime::{ConnectOptions, ErrorCode, IpcConnection};
use my_interface::{MyInterfaceClient, MY_INTERFACE_SPEC};
use std::process::Stdio;

const BINARY: &str = env!("CARGO_BIN_EXE_my-interface-backend");

fn options() -> ConnectOptions {
    ConnectOptions::new().channel(MY_INTERFACE_SPEC)
}

#[tokio::test(crate = "ipcc_runtime::tokio")]
async fn says_hello_over_stdio() {
    let mut command = tokio::process::Command::new(BINARY);
    command.arg("--stdio").stderr(Stdio::inherit());
    let conn = IpcConnection::spawn_stdio(command, options())
        .await
        .unwrap();
    let client = MyInterfaceClient::new(&conn);
    let s = client.say_hello("abc", 10.0, true).await.unwrap();
    assert_eq!(s, "hello: abc 10 true");
}

/// Starts `--ws 127.0.0.1:0` (plus `extra` arguments) and returns the child and its URL, read
/// from the first line of its stdout.
async fn start_ws(extra: &[&str]) -> (tokio::process::Child, String) {
    let mut child = tokio::process::Command::new(BINARY)
        .args(["--ws", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    tokio::io::BufReader::new(stdout)
        .read_line(&mut line)
        .await
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    (child, url)
}

#[tokio::test(crate = "ipcc_runtime::tokio")]
async fn says_hello_over_websocket() {
    let (_child, url) = start_ws(&[]).await;
    assert!(url.starts_with("ws://127.0.0.1:"), "{url}");
    let conn = IpcConnection::connect_ws(&url, options()).await.unwrap();
    let s = MyInterfaceClient::new(&conn)
        .say_hello("abc", 10.0, true)
        .await
        .unwrap();
    assert_eq!(s, "hello: abc 10 true");
}

#[tokio::test(crate = "ipcc_runtime::tokio")]
async fn websocket_token_is_required_when_set() {
    let (_child, url) = start_ws(&["--token", "s3cret"]).await;
    let refused = IpcConnection::connect_ws(&url, options().token("wrong")).await;
    assert_eq!(refused.unwrap_err().code, ErrorCode::Unauthorized);
    let conn = IpcConnection::connect_ws(&url, options().token("s3cret"))
        .await
        .unwrap();
    let s = MyInterfaceClient::new(&conn)
        .say_hello("x", 0.25, false)
        .await
        .unwrap();
    assert_eq!(s, "hello: x 0.25 false");
}

#[tokio::test(crate = "ipcc_runtime::tokio")]
async fn bad_arguments_exit_with_usage() {
    let output = tokio::process::Command::new(BINARY)
        .arg("--nope")
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("usage:"));
}
