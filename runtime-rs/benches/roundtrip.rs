//! Round-trip latency of a small call (Rust client → Rust host) over each transport, next to a
//! raw echo of the same message over the same transport (the floor), and 64 calls in flight.
//!
//! `cargo bench -p ipcc-runtime --bench roundtrip`

#[path = "../src/bin/ipcc-echo-backend/vectors_ipc.rs"]
#[allow(dead_code)]
#[rustfmt::skip]
mod vectors_ipc;

#[path = "../src/bin/ipcc-echo-backend/echo_backend.rs"]
mod echo_backend;

use std::process::Stdio;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use futures_util::{SinkExt, StreamExt};
use ipcc_runtime::transport::lines::LineSocket;
use ipcc_runtime::transport::{memory, Incoming, IpcSocket, MessageReader, MessageWriter};
use ipcc_runtime::{ConnectOptions, IpcConnection, IpcHost, WsServer, WsServerConfig};
use tokio::net::TcpListener;
use tokio::runtime::Runtime;
use vectors_ipc::EchoClient;

/// The text of the benchmarked call, also what the raw floors echo.
const CALL: &str =
    r#"{"type":"call","id":1,"channel":"ipcc-vectors-echo-v1","method":"add","args":[1,2]}"#;

const IN_FLIGHT: usize = 64;

/// A single-threaded runtime: on a shared machine, cross-thread wake-ups make the figures
/// depend on other load more than on this code; one thread measures the code's own cost.
/// (`IPCC_BENCH_THREADS=N` uses a multi-threaded runtime with N workers instead.)
fn runtime() -> Runtime {
    match std::env::var("IPCC_BENCH_THREADS")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        Some(workers) => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .enable_all()
            .build()
            .unwrap(),
        None => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap(),
    }
}

fn echo_host() -> IpcHost {
    let host = IpcHost::new();
    vectors_ipc::register_echo(&host, echo_backend::EchoBackend).forget();
    host
}

fn options() -> ConnectOptions {
    ConnectOptions::new().channel(vectors_ipc::ECHO_SPEC)
}

/// One call, and `IN_FLIGHT` concurrent calls, through the typed client.
fn bench_client(c: &mut Criterion, rt: &Runtime, name: &str, client: &EchoClient) {
    c.bench_function(&format!("{name}/call"), |b| {
        b.to_async(rt)
            .iter(|| async { client.add(1, 2).await.unwrap() })
    });
    c.bench_function(&format!("{name}/call x{IN_FLIGHT} in flight"), |b| {
        b.to_async(rt).iter(|| async {
            let calls = (0..IN_FLIGHT).map(|_| client.add(1, 2));
            for result in futures_util::future::join_all(calls).await {
                result.unwrap();
            }
        })
    });
}

/// The floor: the same text echoed once, and `IN_FLIGHT` texts pipelined, over a raw socket.
fn bench_raw<R: MessageReader, W: MessageWriter>(
    c: &mut Criterion,
    rt: &Runtime,
    name: &str,
    reader: R,
    writer: W,
) {
    let pair = tokio::sync::Mutex::new((reader, writer));
    c.bench_function(&format!("{name}/raw echo"), |b| {
        b.to_async(rt).iter(|| async {
            let mut guard = pair.lock().await;
            let (reader, writer) = &mut *guard;
            writer.write(CALL.to_owned()).await.unwrap();
            writer.flush().await.unwrap();
            assert!(matches!(reader.read(usize::MAX).await, Incoming::Text(_)));
        })
    });
    c.bench_function(&format!("{name}/raw echo x{IN_FLIGHT} pipelined"), |b| {
        b.to_async(rt).iter(|| async {
            let mut guard = pair.lock().await;
            let (reader, writer) = &mut *guard;
            for _ in 0..IN_FLIGHT {
                writer.write(CALL.to_owned()).await.unwrap();
            }
            writer.flush().await.unwrap();
            for _ in 0..IN_FLIGHT {
                assert!(matches!(reader.read(usize::MAX).await, Incoming::Text(_)));
            }
        })
    });
}

fn in_memory(c: &mut Criterion) {
    let rt = runtime();
    let (reader, writer) = rt.block_on(async {
        let (near, far) = memory::pair();
        tokio::spawn(async move {
            let (mut reader, mut writer) = far.into_split();
            while let Incoming::Text(text) = reader.read(usize::MAX).await {
                writer.write(text).await.unwrap();
            }
        });
        near.into_split()
    });
    bench_raw(c, &rt, "in-memory", reader, writer);
    let client = rt.block_on(async {
        let conn = echo_host().connect_in_memory_with(options());
        conn.ready().await.unwrap();
        EchoClient::new(&conn)
    });
    bench_client(c, &rt, "in-memory", &client);
}

fn websocket(c: &mut Criterion) {
    let rt = runtime();
    // Floor: a plain tokio-tungstenite echo server with the same socket settings.
    let (reader, writer) = rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            tcp.set_nodelay(true).unwrap();
            let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
            while let Some(Ok(message)) = ws.next().await {
                if message.is_text() {
                    ws.send(message).await.unwrap();
                }
            }
        });
        let (ws, _) =
            tokio_tungstenite::connect_async_with_config(format!("ws://{addr}/"), None, true)
                .await
                .unwrap();
        ipcc_runtime::transport::websocket::WsSocket::new(ws).into_split()
    });
    bench_raw(c, &rt, "websocket", reader, writer);
    let client = rt.block_on(async {
        let server = WsServer::bind(&echo_host(), WsServerConfig::new())
            .await
            .unwrap();
        let url = server.url();
        server.spawn();
        let conn = IpcConnection::connect_ws(&url, options()).await.unwrap();
        EchoClient::new(&conn)
    });
    bench_client(c, &rt, "websocket", &client);
}

fn stdio(c: &mut Criterion) {
    let rt = runtime();
    let backend = env!("CARGO_BIN_EXE_ipcc-echo-backend");
    let (reader, writer, _raw_child) = rt.block_on(async {
        let mut child = tokio::process::Command::new(backend)
            .arg("--raw-stdio-echo")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let socket = LineSocket::new(child.stdout.take().unwrap(), child.stdin.take().unwrap());
        let (reader, writer) = socket.into_split();
        (reader, writer, child)
    });
    bench_raw(c, &rt, "stdio", reader, writer);
    let client = rt.block_on(async {
        let mut command = tokio::process::Command::new(backend);
        command.arg("--stdio");
        let conn = IpcConnection::spawn_stdio(command, options())
            .await
            .unwrap();
        EchoClient::new(&conn)
    });
    bench_client(c, &rt, "stdio", &client);
}

criterion_group! {
    name = roundtrip;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = in_memory, websocket, stdio
}
criterion_main!(roundtrip);
