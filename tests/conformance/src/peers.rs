//! Starting a host (the Rust binary or the TS backend under `node`) over WebSocket or stdio and
//! connecting a Rust client to it.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use ipcc_runtime::{ConnectOptions, IpcConnection};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::generated::{CONFORMANCE_EVENTS_SPEC, CONFORMANCE_SPEC, CONFORMANCE_STREAMS_SPEC};

/// How long a backend may take to start listening (generous for a loaded machine).
const STARTUP: Duration = Duration::from_secs(30);

/// Which host serves the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostKind {
    /// `conformance-backend` (the path is the test's `CARGO_BIN_EXE_conformance-backend`).
    Rust(&'static str),
    /// `node ts/build/src/backend.js` (built by `npm test` in `ts/`).
    Ts,
}

/// How the client reaches the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    WebSocket,
    Stdio,
}

/// A connected client; the host process is killed when this is dropped.
pub struct Peer {
    pub conn: IpcConnection,
    /// The `--ws` host process (a stdio child belongs to the connection).
    _child: Option<Child>,
}

/// The compiled TS backend script; fails with the command that builds it when it is missing.
pub fn ts_backend_script() -> PathBuf {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ts/build/src/backend.js");
    assert!(
        script.is_file(),
        "{} is missing: build the TS side first (`cd tests/conformance/ts && npm ci && npm test`), then run `cargo test -p ipcc-conformance`",
        script.display()
    );
    script
}

fn command(host: HostKind) -> Command {
    match host {
        HostKind::Rust(exe) => Command::new(exe),
        HostKind::Ts => {
            let mut command = Command::new(std::env::var("NODE").unwrap_or_else(|_| "node".into()));
            command.arg(ts_backend_script());
            command
        }
    }
}

/// The options every conformance client connects with: every channel and its hash.
pub fn connect_options() -> ConnectOptions {
    ConnectOptions::new()
        .channel(CONFORMANCE_SPEC)
        .channel(CONFORMANCE_STREAMS_SPEC)
        .channel(CONFORMANCE_EVENTS_SPEC)
}

/// Starts `host` and connects over `transport`.
pub async fn connect(host: HostKind, transport: Transport) -> Peer {
    connect_with(host, transport, connect_options(), &[]).await
}

/// [`connect`] with the client's `options` and `host_env` set in the host process's
/// environment (e.g. `IPCC_CONFORMANCE_MAX_MESSAGE_BYTES`, `IPCC_CONFORMANCE_BINARY=0`).
pub async fn connect_with(
    host: HostKind,
    transport: Transport,
    options: ConnectOptions,
    host_env: &[(&str, &str)],
) -> Peer {
    let mut command = command(host);
    command.stderr(Stdio::inherit()).kill_on_drop(true);
    command.envs(host_env.iter().copied());
    match transport {
        Transport::Stdio => {
            command.arg("--stdio");
            let conn = IpcConnection::spawn_stdio(command, options)
                .await
                .unwrap_or_else(|e| panic!("cannot start {host:?} over stdio: {e:?}"));
            Peer { conn, _child: None }
        }
        Transport::WebSocket => {
            let (url, child) = spawn_ws_host(command, host).await;
            let conn = IpcConnection::connect_ws(&url, options)
                .await
                .unwrap_or_else(|e| panic!("cannot connect to {url}: {e:?}"));
            Peer {
                conn,
                _child: Some(child),
            }
        }
    }
}

/// Starts `host` serving WebSocket on an OS-chosen loopback port, for any number of clients;
/// returns its URL and the process (killed when dropped).
pub async fn start_ws_host(host: HostKind, host_env: &[(&str, &str)]) -> (String, Child) {
    let mut command = command(host);
    command.stderr(Stdio::inherit()).kill_on_drop(true);
    command.envs(host_env.iter().copied());
    spawn_ws_host(command, host).await
}

async fn spawn_ws_host(mut command: Command, host: HostKind) -> (String, Child) {
    command
        .args(["--ws", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stdin(Stdio::null());
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {host:?}: {e}"));
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut first_line = String::new();
    let mut reader = BufReader::new(stdout);
    match tokio::time::timeout(STARTUP, reader.read_line(&mut first_line)).await {
        Ok(Ok(n)) if n > 0 => {}
        other => panic!("{host:?} printed no URL within {STARTUP:?}: {other:?}"),
    }
    let url = first_line.trim().to_owned();
    assert!(
        url.starts_with("ws://"),
        "{host:?}'s first stdout line is not a ws:// URL: {url:?}"
    );
    (url, child)
}
