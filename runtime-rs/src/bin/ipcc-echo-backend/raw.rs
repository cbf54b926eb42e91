//! The raw floors of the benchmarks: the same bytes echoed over stdio or a plain
//! tokio-tungstenite WebSocket, with no protocol, and pre-serialised frames pushed on request.
//!
//! A text message that starts with `!push N ` (no JSON message starts with `!`) is not echoed:
//! the rest of it is sent back `N` times, flushed once, as the floor of a backend pushing `N`
//! notifications or stream items it has already serialised.

use futures_util::{SinkExt, StreamExt};
use ipcc_runtime::transport::{stdio, Incoming, IpcSocket, MessageReader, MessageWriter};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

/// The frame and count of a `!push N FRAME` request, if `text` is one.
fn push_request(text: &str) -> Option<(usize, &str)> {
    let rest = text.strip_prefix("!push ")?;
    let (count, frame) = rest.split_once(' ')?;
    Some((count.parse().ok()?, frame))
}

/// Echoes stdin's lines and binary messages on stdout through the runtime's stdio framing.
pub async fn stdio_echo() -> Result<(), String> {
    let socket = stdio::process_stdio().map_err(|e| format!("cannot open stdio: {e}"))?;
    let (mut reader, mut writer) = socket.into_split();
    // Binary messages too (stdio's `0x00` framing), for the `bytes` benchmark's floor.
    reader.accept_binary();
    loop {
        let written = match reader.read(usize::MAX).await {
            Incoming::Text(line) => match push_request(&line) {
                Some((count, frame)) => {
                    let mut sent = Ok(());
                    for _ in 0..count {
                        sent = writer.write(frame.to_owned()).await;
                        if sent.is_err() {
                            break;
                        }
                    }
                    sent
                }
                None => writer.write(line).await,
            },
            Incoming::Binary(message) => writer.write_binary(message).await,
            _ => break,
        };
        if written.is_err() || writer.flush().await.is_err() {
            break;
        }
    }
    Ok(())
}

/// Serves a plain tokio-tungstenite echo on `addr`, one connection at a time, each message
/// sent back with its own flush (`send`); prints `listening on ws://ADDR/` on stderr.
pub async fn ws_echo(addr: std::net::SocketAddr) -> Result<(), String> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot bind {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    eprintln!("listening on ws://{local}/");
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let _ = tcp.set_nodelay(true);
        tokio::spawn(async move {
            let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
                return;
            };
            while let Some(Ok(message)) = ws.next().await {
                let sent = match message {
                    Message::Text(text) => match push_request(text.as_str()) {
                        Some((count, frame)) => {
                            let frame = Message::text(frame);
                            let mut sent = Ok(());
                            for _ in 0..count {
                                sent = ws.feed(frame.clone()).await;
                                if sent.is_err() {
                                    break;
                                }
                            }
                            match sent {
                                Ok(()) => ws.flush().await,
                                error => error,
                            }
                        }
                        None => ws.send(Message::Text(text)).await,
                    },
                    Message::Binary(bytes) => ws.send(Message::Binary(bytes)).await,
                    Message::Close(_) => break,
                    _ => Ok(()),
                };
                if sent.is_err() {
                    break;
                }
            }
        });
    }
}
