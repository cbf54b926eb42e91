//! Memory cost of idle WebSocket connections on the host: starts the echo backend with `--ws`,
//! opens many connections (handshake done, then idle) and reads the backend's resident memory.
//!
//! `cargo bench -p ipcc-runtime --bench idle_memory`

use std::process::Stdio;

use ipcc_runtime::{ConnectOptions, IpcConnection};
use tokio::io::{AsyncBufReadExt, BufReader};

const CONNECTIONS: usize = 1000;

/// Resident set size of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_ipcc-echo-backend"))
        .args(["--ws", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the echo backend starts");
    let pid = child.id().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = loop {
        let line = stderr.next_line().await.unwrap().expect("a listening line");
        if let Some(url) = line.strip_prefix("listening on ") {
            break url.to_owned();
        }
    };
    // Warm up: one connection, so the runtime's own allocations are counted in the baseline.
    let warm = IpcConnection::connect_ws(&url, ConnectOptions::new())
        .await
        .unwrap();
    let before = rss_kib(pid);
    let mut connections = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        connections.push(
            IpcConnection::connect_ws(&url, ConnectOptions::new())
                .await
                .unwrap(),
        );
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let after = rss_kib(pid);
    println!(
        "idle WebSocket connections: {CONNECTIONS}, backend RSS {before} KiB → {after} KiB, {:.1} KiB per connection",
        (after.saturating_sub(before)) as f64 / CONNECTIONS as f64
    );
    drop(connections);
    drop(warm);
}
