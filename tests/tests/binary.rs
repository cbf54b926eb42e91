//! Binary `bytes` end to end (docs/protocol.md, "Version 2: binary `bytes`"): the generated
//! `BlobsClient` of `tests/idl/streams.ipc` against `ipcc_tests::streaming::BlobsBackend`, over
//! the in-memory transport, a real WebSocket and a child process over stdio, with binary
//! granted and with it turned off on either side.
//!
//! Which form the values took is shown by the size limit: both sides accept messages up to
//! 20 MiB, which a 16 MiB value fits in attached but not as base64 (21.3 MiB).

use futures_util::stream::{self, StreamExt};
use ipcc_runtime::{
    ConnectOptions, ErrorCode, HostConfig, IpcConnection, IpcHost, WsServer, WsServerConfig,
};
use ipcc_tests::streams::{BlobsClient, Record};
use std::collections::BTreeMap;

const LIMIT: usize = 20 << 20;
const SIXTEEN_MIB: usize = 16 << 20;

/// Which side turns binary `bytes` off, if any.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Offer {
    Both,
    ClientOff,
    HostOff,
}

/// A connection to the blobs backend, and what keeps the backend alive.
struct Fixture {
    client: BlobsClient,
    conn: IpcConnection,
    _host: Option<(IpcHost, [ipcc_runtime::Registration; 2])>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Some(server) = &self.server {
            server.abort();
        }
    }
}

fn options(offer: Offer) -> ConnectOptions {
    ConnectOptions::new()
        .channels(ipcc_tests::streaming::specs())
        .max_message_bytes(LIMIT)
        .binary(offer != Offer::ClientOff)
}

fn host(offer: Offer) -> (IpcHost, [ipcc_runtime::Registration; 2]) {
    let config = HostConfig::new()
        .max_message_bytes(LIMIT)
        .binary(offer != Offer::HostOff);
    let host = IpcHost::with_config(config);
    let registrations = ipcc_tests::streaming::register(&host);
    (host, registrations)
}

fn fixture(conn: IpcConnection) -> Fixture {
    Fixture {
        client: BlobsClient::new(&conn),
        conn,
        _host: None,
        server: None,
    }
}

async fn memory(offer: Offer) -> Fixture {
    let (host, registrations) = host(offer);
    let conn = host.connect_in_memory_with(options(offer));
    let mut fixture = fixture(conn);
    fixture._host = Some((host, registrations));
    fixture
}

async fn websocket(offer: Offer) -> Fixture {
    let (host, registrations) = host(offer);
    let server = WsServer::bind(&host, WsServerConfig::new())
        .await
        .expect("bind 127.0.0.1:0");
    let url = server.url();
    let server = server.spawn();
    let conn = IpcConnection::connect_ws(&url, options(offer))
        .await
        .expect("WebSocket handshake");
    let mut fixture = fixture(conn);
    fixture._host = Some((host, registrations));
    fixture.server = Some(server);
    fixture
}

async fn stdio(offer: Offer) -> Fixture {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_ipcc-tests-backend"));
    command
        .stderr(std::process::Stdio::inherit())
        .env("IPCC_TEST_MAX_MESSAGE_BYTES", LIMIT.to_string());
    if offer == Offer::HostOff {
        command.env("IPCC_TEST_BINARY", "0");
    }
    let conn = IpcConnection::spawn_stdio(command, options(offer))
        .await
        .expect("stdio handshake with the child backend");
    fixture(conn)
}

/// `len` bytes that are not all alike, so a shifted or truncated copy does not compare equal.
fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 8) as u8)
        .collect()
}

/// The welcome grants binary exactly when both sides offer it.
async fn grants_binary_when_both_offer(f: Fixture, offer: Offer) {
    let welcome = f.conn.ready().await.expect("handshake");
    assert_eq!(welcome.binary, offer == Offer::Both, "{offer:?}");
}

/// 0 B, 1 B, 1 MiB and (within the 20 MiB limit) 16 MiB as an argument and a result,
/// bit-exact; 16 MiB fits only attached: base64 is refused as too large.
async fn arguments_round_trip_bit_exact(f: Fixture, offer: Offer) {
    for (size, seed) in [(0, 1), (1, 2), (1 << 20, 3)] {
        let data = pattern(size, seed);
        let back = f.client.echo(data.clone()).await.expect("echo");
        assert!(back == data, "{size} bytes came back different ({offer:?})");
    }
    let large = pattern(SIXTEEN_MIB, 4);
    let answer = f.client.echo(large.clone()).await;
    if offer == Offer::Both {
        assert!(answer.expect("16 MiB attached fits 20 MiB") == large);
    } else {
        let error = answer.expect_err("16 MiB as base64 is 21.3 MiB");
        assert_eq!(error.code, ErrorCode::TooLarge, "{error:?} ({offer:?})");
    }
}

/// `bytes` in a struct field and as map values.
async fn struct_fields_round_trip_bit_exact(f: Fixture, offer: Offer) {
    let record = Record {
        id: -5,
        size: u64::MAX,
        data: pattern(1 << 20, 5),
        ratio: 0.5,
        note: None,
        tags: BTreeMap::from([(0, Vec::new()), (1, vec![7]), (9, pattern(4096, 6))]),
    };
    let back = f
        .client
        .echo_record(record.clone())
        .await
        .expect("echoRecord");
    assert!(back == record, "the record came back different ({offer:?})");
}

/// Stream items both ways, each chunk of a different size (16 MiB included when attached).
async fn stream_items_round_trip_bit_exact(f: Fixture, offer: Offer) {
    let mut sizes = vec![0, 1, 1 << 20, 3];
    if offer == Offer::Both {
        sizes.push(SIXTEEN_MIB);
    }
    let chunks: Vec<Vec<u8>> = sizes
        .iter()
        .enumerate()
        .map(|(i, &size)| pattern(size, i as u8))
        .collect();
    let back: Vec<Vec<u8>> = f
        .client
        .chunks(stream::iter(chunks.clone()))
        .map(|item| item.expect("chunk"))
        .collect()
        .await;
    assert_eq!(back.len(), chunks.len());
    for (i, (got, sent)) in back.iter().zip(&chunks).enumerate() {
        assert!(
            got == sent,
            "chunk {i} ({} bytes) came back different",
            sent.len()
        );
    }
}

macro_rules! for_transports_and_offers {
    ($($scenario:ident),* $(,)?) => {
        mod memory {
            use super::*;
            $(#[tokio::test] async fn $scenario() {
                for offer in [Offer::Both, Offer::ClientOff, Offer::HostOff] {
                    super::$scenario(memory(offer).await, offer).await;
                }
            })*
        }
        mod websocket {
            use super::*;
            $(#[tokio::test] async fn $scenario() {
                for offer in [Offer::Both, Offer::ClientOff, Offer::HostOff] {
                    super::$scenario(websocket(offer).await, offer).await;
                }
            })*
        }
        mod stdio {
            use super::*;
            $(#[tokio::test] async fn $scenario() {
                for offer in [Offer::Both, Offer::ClientOff, Offer::HostOff] {
                    super::$scenario(stdio(offer).await, offer).await;
                }
            })*
        }
    };
}

for_transports_and_offers!(
    grants_binary_when_both_offer,
    arguments_round_trip_bit_exact,
    struct_fields_round_trip_bit_exact,
    stream_items_round_trip_bit_exact,
);
