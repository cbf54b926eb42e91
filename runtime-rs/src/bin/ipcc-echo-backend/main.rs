//! `ipcc-echo-backend`: serves the `Echo` interface of tests/vectors/vectors.ipc over stdio or
//! WebSocket, for conformance tests of any frontend runtime; with `--streams`, also the
//! streaming `StreamsTest` interface (channel `streams-test-v1`, protocol v2; behaviour in
//! tests/vectors/README.md). It is opt-in so the vectors' welcome stays exactly theirs.
//!
//! ```text
//! ipcc-echo-backend --stdio [--streams] [--token T] [--max-message-bytes N] [--max-in-flight N]
//! ipcc-echo-backend --ws 127.0.0.1:0 [--allow-any-origin] [--read-buffer N] [...]  # prints "listening on ws://ADDR/" on stderr
//! ipcc-echo-backend --raw-stdio-echo            # echoes stdin lines and binary messages (a benchmark floor)
//! ipcc-echo-backend --raw-ws-echo 127.0.0.1:0    # a plain tokio-tungstenite echo (a benchmark floor)
//! ```
//!
//! It runs on a single-threaded tokio runtime (one frontend, small handlers: no cross-thread
//! wake-ups); `--threads N` uses a multi-threaded runtime with N workers instead.

mod echo_backend;
mod raw;
#[allow(dead_code)]
mod streams_backend;
// The generator's output as it is (prettyplease's layout, not rustfmt's): see
// compiler/tests/generated_fixtures.rs.
#[allow(dead_code)]
#[rustfmt::skip]
mod streams_ipc;
#[allow(dead_code)]
#[rustfmt::skip]
mod vectors_ipc;

use std::net::SocketAddr;
use std::process::ExitCode;

use ipcc_runtime::transport::stdio;
use ipcc_runtime::{HostConfig, IpcHost, WsServer, WsServerConfig};

enum Mode {
    Stdio,
    /// Over tokio's stdin/stdout (`stdio::portable_stdio`, the transport of non-Unix platforms).
    PortableStdio,
    Ws(SocketAddr),
    RawStdioEcho,
    RawWsEcho(SocketAddr),
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("error: {problem}");
    eprintln!(
        "usage: ipcc-echo-backend (--stdio | --portable-stdio | --ws ADDR | --raw-stdio-echo | --raw-ws-echo ADDR) [--streams] [--allow-any-origin] [--read-buffer N] [--token T] [--max-message-bytes N] [--max-in-flight N] [--threads N]"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut threads = None;
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(at) = args.iter().position(|a| a == "--threads") {
        let Some(n) = args.get(at + 1).and_then(|n| n.parse::<usize>().ok()) else {
            return usage("--threads needs a number");
        };
        threads = Some(n);
        args.drain(at..at + 2);
    }
    let runtime = match threads {
        Some(workers) => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers.max(1))
            .enable_all()
            .build(),
        None => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
    };
    match runtime {
        Ok(runtime) => runtime.block_on(run(args)),
        Err(error) => {
            eprintln!("error: cannot start the runtime: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Vec<String>) -> ExitCode {
    let mut mode = None;
    let mut streams = false;
    let mut any_origin = false;
    let mut read_buffer = None;
    let mut config = HostConfig::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        let parsed: Result<(), String> = (|| {
            match arg.as_str() {
                "--stdio" => mode = Some(Mode::Stdio),
                "--portable-stdio" => mode = Some(Mode::PortableStdio),
                "--raw-stdio-echo" => mode = Some(Mode::RawStdioEcho),
                "--streams" => streams = true,
                // For the browser benchmark, whose page has its own origin.
                "--allow-any-origin" => any_origin = true,
                // The WebSocket read buffer (`WsServerConfig::read_buffer_size`), for benchmarks.
                "--read-buffer" => {
                    let n = value("--read-buffer")?;
                    read_buffer = Some(n.parse().map_err(|e| format!("bad number {n:?}: {e}"))?);
                }
                "--raw-ws-echo" => {
                    let addr = value("--raw-ws-echo")?;
                    mode = Some(Mode::RawWsEcho(
                        addr.parse()
                            .map_err(|e| format!("bad address {addr:?}: {e}"))?,
                    ));
                }
                "--ws" => {
                    let addr = value("--ws")?;
                    mode = Some(Mode::Ws(
                        addr.parse()
                            .map_err(|e| format!("bad address {addr:?}: {e}"))?,
                    ));
                }
                "--token" => config = config.clone().token(value("--token")?),
                "--max-message-bytes" => {
                    let n = value("--max-message-bytes")?;
                    config = config.clone().max_message_bytes(
                        n.parse().map_err(|e| format!("bad number {n:?}: {e}"))?,
                    );
                }
                "--max-in-flight" => {
                    let n = value("--max-in-flight")?;
                    config = config
                        .clone()
                        .max_in_flight(n.parse().map_err(|e| format!("bad number {n:?}: {e}"))?);
                }
                other => return Err(format!("unknown argument {other:?}")),
            }
            Ok(())
        })();
        if let Err(problem) = parsed {
            return usage(&problem);
        }
    }
    let Some(mode) = mode else {
        return usage(
            "choose --stdio, --portable-stdio, --ws ADDR, --raw-stdio-echo or --raw-ws-echo ADDR",
        );
    };
    let host = IpcHost::with_config(config);
    vectors_ipc::register_echo(&host, echo_backend::EchoBackend).forget();
    vectors_ipc::EchoEventsSender::all(&host);
    if streams {
        streams_ipc::register_streams_test(&host, streams_backend::StreamsBackend::default())
            .forget();
    }
    match mode {
        Mode::Stdio => {
            if let Err(error) = host.serve_stdio().await {
                eprintln!("error: cannot serve stdio: {error}");
                return ExitCode::FAILURE;
            }
        }
        Mode::PortableStdio => host.serve(stdio::portable_stdio()).await,
        Mode::Ws(addr) => {
            let mut ws_config = WsServerConfig::new().addr(addr);
            if any_origin {
                ws_config = ws_config.allow_any_origin();
            }
            if let Some(bytes) = read_buffer {
                ws_config = ws_config.read_buffer_size(bytes);
            }
            let server = match WsServer::bind(&host, ws_config).await {
                Ok(server) => server,
                Err(error) => {
                    eprintln!("error: cannot bind {addr}: {error}");
                    return ExitCode::FAILURE;
                }
            };
            eprintln!("listening on {}", server.url());
            server.run().await;
        }
        Mode::RawStdioEcho | Mode::RawWsEcho(_) => {
            let outcome = match mode {
                Mode::RawWsEcho(addr) => raw::ws_echo(addr).await,
                _ => raw::stdio_echo().await,
            };
            if let Err(error) = outcome {
                eprintln!("error: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
