//! A 16 MiB `bytes` round trip (Rust client → Rust host, `echoBytes`) over WebSocket and stdio:
//! attached in a binary message, as base64 in a text message (binary turned off), and a raw
//! echo of one 16 MiB binary message over the same transport (the floor). Then stream
//! throughput: 10,000 small items of one output stream against 10,000 unary calls, one at a
//! time and 64 in flight, over the same connection.
//!
//! `cargo bench -p ipcc-runtime --bench bytes`

#[path = "../src/bin/ipcc-echo-backend/vectors_ipc.rs"]
#[allow(dead_code)]
#[rustfmt::skip]
mod vectors_ipc;

#[path = "../src/bin/ipcc-echo-backend/streams_ipc.rs"]
#[allow(dead_code)]
#[rustfmt::skip]
mod streams_ipc;

#[path = "../src/bin/ipcc-echo-backend/echo_backend.rs"]
mod echo_backend;

#[path = "../src/bin/ipcc-echo-backend/streams_backend.rs"]
#[allow(dead_code)]
mod streams_backend;

use std::process::Stdio;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use futures_util::{SinkExt, StreamExt};
use ipcc_runtime::transport::lines::LineSocket;
use ipcc_runtime::transport::websocket::WsSocket;
use ipcc_runtime::transport::{Incoming, IpcSocket, MessageReader, MessageWriter};
use ipcc_runtime::{ConnectOptions, IpcConnection, IpcHost, WsServer, WsServerConfig};
use tokio::net::TcpListener;
use tokio::runtime::Runtime;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use vectors_ipc::EchoClient;

const SIZE: usize = 16 << 20;
const ITEMS: u32 = 10_000;
const IN_FLIGHT: usize = 64;

/// One thread, as the round-trip bench: the figures measure the code, not cross-thread wakes.
fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn payload() -> Vec<u8> {
    (0..SIZE).map(|i| (i * 31 + (i >> 8)) as u8).collect()
}

fn host() -> IpcHost {
    let host = IpcHost::new();
    vectors_ipc::register_echo(&host, echo_backend::EchoBackend).forget();
    streams_ipc::register_streams_test(&host, streams_backend::StreamsBackend::default()).forget();
    host
}

fn options(binary: bool) -> ConnectOptions {
    ConnectOptions::new()
        .channel(vectors_ipc::ECHO_SPEC)
        .channel(streams_ipc::STREAMS_TEST_SPEC)
        .binary(binary)
}

/// The floor: the same bytes as one binary message, echoed by a raw peer.
fn bench_raw<R: MessageReader, W: MessageWriter>(
    c: &mut Criterion,
    rt: &Runtime,
    name: &str,
    reader: R,
    writer: W,
) {
    let pair = tokio::sync::Mutex::new((reader, writer));
    let data = payload();
    c.bench_function(&format!("{name}/16 MiB raw echo"), |b| {
        b.to_async(rt).iter(|| async {
            let mut guard = pair.lock().await;
            let (reader, writer) = &mut *guard;
            writer.write_binary(data.clone()).await.unwrap();
            writer.flush().await.unwrap();
            match reader.read(usize::MAX).await {
                Incoming::Binary(back) => assert_eq!(back.len(), SIZE),
                other => panic!("{other:?}"),
            }
        })
    });
}

/// `echoBytes` of 16 MiB, attached and as base64, and stream throughput.
fn bench_ipcc(c: &mut Criterion, rt: &Runtime, name: &str, binary: &EchoClient, text: &EchoClient) {
    let data = payload();
    for (form, client) in [("binary", binary), ("base64", text)] {
        c.bench_function(&format!("{name}/16 MiB echoBytes, {form}"), |b| {
            b.to_async(rt).iter(|| async {
                let back = client.echo_bytes(data.clone()).await.unwrap();
                assert_eq!(back.len(), SIZE);
            })
        });
    }
}

fn bench_streams(c: &mut Criterion, rt: &Runtime, name: &str, conn: &IpcConnection) {
    let streams = streams_ipc::StreamsTestClient::new(conn);
    let echo = EchoClient::new(conn);
    c.bench_function(&format!("{name}/{ITEMS} stream items"), |b| {
        b.to_async(rt).iter(|| async {
            let items = streams.count(ITEMS).count().await;
            assert_eq!(items, ITEMS as usize);
        })
    });
    c.bench_function(&format!("{name}/{ITEMS} unary calls, one at a time"), |b| {
        b.to_async(rt).iter(|| async {
            for i in 0..ITEMS {
                echo.add(i as i32, 1).await.unwrap();
            }
        })
    });
    c.bench_function(
        &format!("{name}/{ITEMS} unary calls, {IN_FLIGHT} in flight"),
        |b| {
            b.to_async(rt).iter(|| async {
                futures_util::stream::iter(0..ITEMS)
                    .map(|i| echo.add(i as i32, 1))
                    .buffer_unordered(IN_FLIGHT)
                    .for_each(|result| async move {
                        result.unwrap();
                    })
                    .await
            })
        },
    );
}

/// The floor's WebSocket settings: those of ipcc's own sockets (64 KiB write batching, 8 KiB
/// reads), with room for the 16 MiB message in one frame.
fn ws_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(8 * 1024)
        .write_buffer_size(64 * 1024)
        .max_message_size(Some(64 << 20))
        .max_frame_size(Some(64 << 20))
}

fn websocket(c: &mut Criterion) {
    let rt = runtime();
    let (reader, writer) = rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            tcp.set_nodelay(true).unwrap();
            let mut ws = tokio_tungstenite::accept_async_with_config(tcp, Some(ws_config()))
                .await
                .unwrap();
            while let Some(Ok(message)) = ws.next().await {
                if message.is_binary() {
                    ws.send(message).await.unwrap();
                }
            }
        });
        let (ws, _) = tokio_tungstenite::connect_async_with_config(
            format!("ws://{addr}/"),
            Some(ws_config()),
            true,
        )
        .await
        .unwrap();
        WsSocket::new(ws).into_split()
    });
    bench_raw(c, &rt, "websocket", reader, writer);
    // The host in this process, as the floor's echo server (the round-trip bench does the same).
    let (binary, text) = rt.block_on(async {
        let server = WsServer::bind(&host(), WsServerConfig::new())
            .await
            .unwrap();
        let url = server.url();
        server.spawn();
        let binary = IpcConnection::connect_ws(&url, options(true))
            .await
            .unwrap();
        let text = IpcConnection::connect_ws(&url, options(false))
            .await
            .unwrap();
        (binary, text)
    });
    bench_ipcc(
        c,
        &rt,
        "websocket",
        &EchoClient::new(&binary),
        &EchoClient::new(&text),
    );
    bench_streams(c, &rt, "websocket", &binary);
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
        let (mut reader, writer) = socket.into_split();
        reader.accept_binary();
        (reader, writer, child)
    });
    bench_raw(c, &rt, "stdio", reader, writer);
    let (binary, text) = rt.block_on(async {
        let connect = async |binary: bool| {
            let mut command = tokio::process::Command::new(backend);
            command.args(["--stdio", "--streams"]);
            IpcConnection::spawn_stdio(command, options(binary))
                .await
                .unwrap()
        };
        (connect(true).await, connect(false).await)
    });
    bench_ipcc(
        c,
        &rt,
        "stdio",
        &EchoClient::new(&binary),
        &EchoClient::new(&text),
    );
    bench_streams(c, &rt, "stdio", &binary);
}

criterion_group! {
    name = bytes;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(4));
    targets = websocket, stdio
}
criterion_main!(bytes);
