//! Binary `bytes` (protocol v2, docs/protocol.md "Version 2: binary `bytes`") between the Rust
//! client and both hosts (Rust `conformance-backend`, TS `node ts/build/src/backend.js`), over
//! WebSocket and stdio, with binary offered by both sides, turned off in the client, and turned
//! off in the host (`IPCC_CONFORMANCE_BINARY=0`), through the generated client: `echo_bytes`,
//! `echo_blob`, `echo_bytes_map` and `echo_scalars` (a struct with a `bytes` field).
//!
//! Which form the values took is shown by the size limit: client and host accept messages up to
//! 20 MiB, which a 16 MiB value fits attached (binary) but not as base64 (21.3 MiB). So with both
//! on, 16 MiB round-trips; with either off, the call fails with `tooLarge` and the connection
//! keeps serving. The welcome grants binary exactly when both offer it, and carries the host's
//! 20 MiB (the host read its environment).

use std::collections::BTreeMap;

use ipcc_conformance::exact::assert_same;
use ipcc_conformance::fixtures;
use ipcc_conformance::generated::{ConformanceClient, Scalars};
use ipcc_conformance::peers::{connect_options, connect_with, HostKind, Transport};
use ipcc_runtime::{ErrorCode, IpcError};

const RUST: HostKind = HostKind::Rust(env!("CARGO_BIN_EXE_conformance-backend"));
const TS: HostKind = HostKind::Ts;

const LIMIT: usize = 20 << 20;
const SIXTEEN_MIB: usize = 16 << 20;

/// Which side turns binary `bytes` off, if any.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Offer {
    Both,
    ClientOff,
    HostOff,
}

/// `n` bytes of a 32-bit LCG's high bytes (the same sequence as `pattern` in
/// `ts/src/tests/binary-pairings.test.ts`): not periodic within 16 MiB, so a shifted, truncated
/// or repeated copy does not compare equal.
fn pattern(n: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761);
    (0..n)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (x >> 24) as u8
        })
        .collect()
}

fn label(n: usize) -> String {
    if n >= 1 << 20 {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} B")
    }
}

/// The fixed sample's `Scalars` with `data` replaced.
fn scalars_with(data: Vec<u8>) -> Scalars {
    Scalars {
        data,
        ..fixtures::emitted_sample()
            .maybe_scalars
            .expect("the sample has scalars")
    }
}

/// Bit-exact: `data` byte for byte, the other fields (floats included) by their wire encoding.
#[track_caller]
fn assert_same_scalars(what: &str, sent: &Scalars, received: &Scalars) {
    assert!(received.data == sent.data, "{what}: data differs");
    let strip = |s: &Scalars| Scalars {
        data: Vec::new(),
        ..s.clone()
    };
    assert_same(what, &strip(sent), &strip(received));
}

async fn binary_pairing(host: HostKind, transport: Transport, offer: Offer) {
    let context = format!("{host:?} host over {transport:?}, {offer:?}");
    let options = connect_options()
        .max_message_bytes(LIMIT)
        .binary(offer != Offer::ClientOff);
    let limit = LIMIT.to_string();
    let mut env = vec![("IPCC_CONFORMANCE_MAX_MESSAGE_BYTES", limit.as_str())];
    if offer == Offer::HostOff {
        env.push(("IPCC_CONFORMANCE_BINARY", "0"));
    }
    let peer = connect_with(host, transport, options, &env).await;
    let welcome = peer.conn.ready().await.expect("handshake");
    assert_eq!(
        welcome.binary,
        offer == Offer::Both,
        "binary granted exactly when both offer it ({context})"
    );
    assert_eq!(
        welcome.max_message_bytes, LIMIT,
        "the host's limit ({context})"
    );
    let client = ConformanceClient::new(&peer.conn);

    // Within the limit in either form: bit-exact whatever form they took.
    let small: Vec<Vec<u8>> = [0, 1, 1 << 20]
        .into_iter()
        .zip(1..)
        .map(|(n, seed)| pattern(n, seed))
        .collect();
    for v in &small {
        let what = |method: &str| format!("{method}({}) ({context})", label(v.len()));
        let back = client.echo_bytes(v.clone()).await.expect("echoBytes");
        assert!(back == *v, "{} came back different", what("echoBytes"));
        let back = client.echo_blob(v.clone()).await.expect("echoBlob");
        assert!(back == *v, "{} came back different", what("echoBlob"));
        let scalars = scalars_with(v.clone());
        let back = client
            .echo_scalars(scalars.clone())
            .await
            .expect("echoScalars");
        assert_same_scalars(&what("echoScalars"), &scalars, &back);
    }
    let map: BTreeMap<String, Vec<u8>> =
        small.iter().map(|v| (label(v.len()), v.clone())).collect();
    let back = client
        .echo_bytes_map(map.clone())
        .await
        .expect("echoBytesMap");
    assert!(
        back == map,
        "echoBytesMap(0 B, 1 B, 1 MiB) came back different ({context})"
    );

    // 16 MiB: 16 MiB and a few bytes attached, 21.3 MiB as base64.
    let large = pattern(SIXTEEN_MIB, 4);
    let expect = |method: &str, result: Result<bool, IpcError>| match (offer, result) {
        (Offer::Both, Ok(same)) => {
            assert!(same, "{method}(16 MiB) came back different ({context})")
        }
        (Offer::Both, Err(error)) => {
            panic!("{method}(16 MiB) attached fits 20 MiB, yet: {error:?} ({context})")
        }
        (_, Ok(_)) => panic!("{method}(16 MiB) as base64 is over 20 MiB, yet it went ({context})"),
        (_, Err(error)) => assert_eq!(
            error.code,
            ErrorCode::TooLarge,
            "{method}(16 MiB) as base64: {error:?} ({context})"
        ),
    };
    let still_serving = || async {
        let back = client
            .echo_bytes(small[1].clone())
            .await
            .expect("echoBytes");
        assert_eq!(back, small[1], "the connection still serves ({context})");
    };

    let result = client.echo_bytes(large.clone()).await;
    expect("echoBytes", result.map(|back| back == large));
    still_serving().await;

    let result = client.echo_blob(large.clone()).await;
    expect("echoBlob", result.map(|back| back == large));
    still_serving().await;

    let big = BTreeMap::from([
        (String::new(), Vec::new()),
        ("large".to_string(), large.clone()),
    ]);
    let result = client.echo_bytes_map(big.clone()).await;
    expect("echoBytesMap", result.map(|back| back == big));
    still_serving().await;

    let scalars = scalars_with(large);
    match client.echo_scalars(scalars.clone()).await {
        Ok(back) if offer == Offer::Both => {
            assert_same_scalars(&format!("echoScalars(16 MiB) ({context})"), &scalars, &back)
        }
        result => expect("echoScalars", result.map(|_| true)),
    }
    still_serving().await;
}

macro_rules! pairings {
    ($($name:ident: $host:expr, $transport:expr, $offer:expr;)*) => {
        $(#[tokio::test]
        async fn $name() {
            binary_pairing($host, $transport, $offer).await;
        })*
    };
}

pairings! {
    rust_host_websocket_both_on: RUST, Transport::WebSocket, Offer::Both;
    rust_host_websocket_client_off: RUST, Transport::WebSocket, Offer::ClientOff;
    rust_host_websocket_host_off: RUST, Transport::WebSocket, Offer::HostOff;
    rust_host_stdio_both_on: RUST, Transport::Stdio, Offer::Both;
    rust_host_stdio_client_off: RUST, Transport::Stdio, Offer::ClientOff;
    rust_host_stdio_host_off: RUST, Transport::Stdio, Offer::HostOff;
    ts_host_websocket_both_on: TS, Transport::WebSocket, Offer::Both;
    ts_host_websocket_client_off: TS, Transport::WebSocket, Offer::ClientOff;
    ts_host_websocket_host_off: TS, Transport::WebSocket, Offer::HostOff;
    ts_host_stdio_both_on: TS, Transport::Stdio, Offer::Both;
    ts_host_stdio_client_off: TS, Transport::Stdio, Offer::ClientOff;
    ts_host_stdio_host_off: TS, Transport::Stdio, Offer::HostOff;
}
