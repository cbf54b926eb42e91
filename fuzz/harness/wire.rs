//! What the wire fuzz targets run on one input, and the regression tests on every kept input:
//! bytes a frontend sends, through a Rust host's stdio framing, message decoding, dispatch into
//! the code `ipcc` generates for tests/vectors/vectors.ipc and the encoding of its answers; and
//! values through the generated codecs. Shared by `fuzz/src/lib.rs` and
//! `tests/tests/fuzz_regressions.rs` (`#[path]`); `super::vectors` is the generated code.

use std::collections::BTreeMap;
use std::time::Duration;

use ipcc_runtime::codegen::{decode_value, encode_value, serde_with::Same, wire};
use ipcc_runtime::transport::lines::LineSocket;
use ipcc_runtime::{HostConfig, IpcHost};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::echo::FuzzEcho;
use super::vectors;

/// How long a host may take to end after its input ended. Far above what any input needs (a
/// few milliseconds); libFuzzer's own `-timeout` is the tighter guard while fuzzing.
const HANG_GUARD: Duration = Duration::from_secs(20);

/// The fixed test hashes of tests/vectors/messages*.json, replaced in the input by the real
/// hashes of the generated code, so that the vectors' hellos (the corpus' seeds) match.
fn with_real_hashes(data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    for (placeholder, hash) in [
        (&b"echo-hash-1"[..], vectors::ECHO_SCHEMA_HASH),
        (&b"events-hash-1"[..], vectors::ECHO_EVENTS_SCHEMA_HASH),
    ] {
        let mut replaced = Vec::with_capacity(out.len());
        let mut rest = &out[..];
        while let Some(at) = rest
            .windows(placeholder.len())
            .position(|window| window == placeholder)
        {
            replaced.extend_from_slice(&rest[..at]);
            replaced.extend_from_slice(hash.as_bytes());
            rest = &rest[at + placeholder.len()..];
        }
        replaced.extend_from_slice(rest);
        out = replaced;
    }
    out
}

/// `data` as everything a frontend writes to a backend's stdin (JSON lines; `0x00`, a u32
/// length and a binary message once binary is granted), then end of input. A host serving the
/// vectors' `Echo` (and declaring `EchoEvents`) must read it all, answer with well-formed
/// messages only, and end once its input has ended (every call ends: the pending ones are
/// cancelled); it must not panic, hang or grow without bound.
pub fn serve_bytes(data: &[u8]) {
    let input = with_real_hashes(data);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let output = runtime.block_on(async move {
        // A smaller message limit than the default 64 MiB keeps each input's memory small;
        // the limits' code paths are the same.
        let host = IpcHost::with_config(HostConfig::new().max_message_bytes(1 << 20));
        vectors::register_echo(&host, FuzzEcho).forget();
        vectors::EchoEventsSender::all(&host);
        let (frontend, backend) = tokio::io::duplex(64 * 1024);
        let (backend_read, backend_write) = tokio::io::split(backend);
        let (mut frontend_read, mut frontend_write) = tokio::io::split(frontend);
        let served = tokio::spawn(async move {
            host.serve(LineSocket::new(backend_read, backend_write))
                .await
        });
        let writing = tokio::spawn(async move {
            // The host may stop reading (closed after a fatal message): then writing fails.
            let _ = frontend_write.write_all(&input).await;
            let _ = frontend_write.shutdown().await;
            frontend_write
        });
        let mut output = Vec::new();
        let everything = async {
            let _ = frontend_read.read_to_end(&mut output).await;
            served.await.expect("the host's task does not panic");
            let _kept_open = writing.await.expect("the writer does not panic");
        };
        if tokio::time::timeout(HANG_GUARD, everything).await.is_err() {
            panic!("the host did not end within {HANG_GUARD:?} after its input ended");
        }
        output
    });
    check_output(&output);
}

/// `data` as everything a backend writes to a frontend's stdin, then end of input, read by an
/// `IpcConnection` declaring the vectors' channels, with three calls through the generated
/// `EchoClient` and a generated `EchoEvents` listener: every call must end (a value, or an
/// error once the input has ended) within the hang guard, and nothing may panic.
pub fn serve_frontend(data: &[u8]) {
    let input = with_real_hashes(data);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async move {
        let (frontend, backend) = tokio::io::duplex(64 * 1024);
        let (frontend_read, frontend_write) = tokio::io::split(frontend);
        let (mut backend_read, mut backend_write) = tokio::io::split(backend);
        let options = ipcc_runtime::ConnectOptions::new()
            .channel(vectors::ECHO_SPEC)
            .channel(vectors::ECHO_EVENTS_SPEC)
            .max_message_bytes(1 << 20);
        let conn = ipcc_runtime::IpcConnection::open(
            LineSocket::new(frontend_read, frontend_write),
            options,
        );
        let _listener = vectors::listen_echo_events(&conn, Ticks);
        let client = vectors::EchoClient::new(&conn);
        let draining = tokio::spawn(async move {
            let mut sink = Vec::new();
            let _ = backend_read.read_to_end(&mut sink).await;
        });
        let writing = tokio::spawn(async move {
            let _ = backend_write.write_all(&input).await;
            let _ = backend_write.shutdown().await;
            backend_write
        });
        let person = vectors::Person {
            id: 7,
            name: "Ann".to_owned(),
            age: None,
            tags: Vec::new(),
            avatar: vec![0, 255],
        };
        let calls = async {
            let _ = tokio::join!(
                client.add(1, 2),
                client.echo_person(person),
                client.echo_bytes(vec![1, 2, 3]),
            );
        };
        if tokio::time::timeout(HANG_GUARD, calls).await.is_err() {
            panic!("a call did not end within {HANG_GUARD:?} after the backend's output ended");
        }
        conn.close();
        if tokio::time::timeout(HANG_GUARD, conn.closed())
            .await
            .is_err()
        {
            panic!("the connection did not close within {HANG_GUARD:?}");
        }
        drop(conn);
        let _kept_open = writing.await.expect("the writer does not panic");
        draining.abort();
    });
}

/// A listener of the vectors' `EchoEvents` that does nothing (decoding is the point).
struct Ticks;

impl vectors::EchoEventsListener for Ticks {}

/// Everything a host writes is framed messages: JSON objects with a `type`, one per line, or
/// binary messages whose JSON part is such an object.
fn check_output(mut output: &[u8]) {
    while !output.is_empty() {
        let (json, rest) = if output[0] == 0 {
            assert!(output.len() >= 5, "a binary message cut short");
            let length = u32::from_be_bytes(output[1..5].try_into().unwrap()) as usize;
            let message = &output[5..5 + length];
            let json_length = u32::from_be_bytes(message[..4].try_into().unwrap()) as usize;
            (&message[4..4 + json_length], &output[5 + length..])
        } else {
            let end = output
                .iter()
                .position(|&b| b == b'\n')
                .expect("every line the host writes ends with a newline");
            (&output[..end], &output[end + 1..])
        };
        output = rest;
        let message: serde_json::Value = serde_json::from_slice(json).unwrap_or_else(|error| {
            panic!(
                "the host wrote a message that is not JSON ({error}): {}",
                String::from_utf8_lossy(json)
            )
        });
        assert!(
            message.get("type").is_some_and(|t| t.is_string()),
            "the host wrote a message without a type: {message}"
        );
    }
}

/// How deep the JSON text `text` nests arrays and objects (strings skipped).
fn json_depth(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for byte in text.bytes() {
        match (in_string, byte) {
            (true, _) if escaped => escaped = false,
            (true, b'\\') => escaped = true,
            (true, b'"') => in_string = false,
            (true, _) => {}
            (false, b'"') => in_string = true,
            (false, b'[' | b'{') => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            (false, b']' | b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Decodes `text` as `T` through adapter `A`; when that works, the text nests at most 127
/// arrays and objects (docs/protocol.md, "Limits"), the value must encode, the encoding must
/// decode again, and encoding that gives the same text (a fixed point).
fn round_trip<T, A>(text: &str)
where
    A: for<'de> ipcc_runtime::codegen::serde_with::DeserializeAs<'de, T>
        + ipcc_runtime::codegen::serde_with::SerializeAs<T>,
{
    let Ok(value) = decode_value::<T, A>(text) else {
        return;
    };
    let depth = json_depth(text);
    assert!(
        depth <= 127,
        "`{text}` decoded, but it nests {depth} deep, past the 127 a value may"
    );
    let once = encode_value::<T, A>(&value).expect("a decoded value encodes");
    let again = decode_value::<T, A>(&once)
        .unwrap_or_else(|error| panic!("`{text}` decoded, but its encoding `{once}` not: {error}"));
    let twice = encode_value::<T, A>(&again).expect("a decoded value encodes");
    assert_eq!(once, twice, "encoding is not a fixed point for `{text}`");
}

/// `data` is a type expression of tests/vectors/values.json, a newline, and wire text (read
/// as UTF-8, lossily). The text is decoded as that type through the generated codecs, and
/// what decodes must round-trip (see [`round_trip`]).
pub fn decode_values(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Some((type_expr, text)) = text.split_once('\n') else {
        return;
    };
    use vectors::{Holder, Mood, Person, Shape, Tree};
    match type_expr {
        "bool" => round_trip::<bool, Same>(text),
        "i8" => round_trip::<i8, Same>(text),
        "i16" => round_trip::<i16, Same>(text),
        "i32" => round_trip::<i32, Same>(text),
        "u8" => round_trip::<u8, Same>(text),
        "u16" => round_trip::<u16, Same>(text),
        "u32" => round_trip::<u32, Same>(text),
        "i64" => round_trip::<i64, wire::Int>(text),
        "u64" => round_trip::<u64, wire::Int>(text),
        "f32" => round_trip::<f32, wire::Float>(text),
        "f64" => round_trip::<f64, wire::Float>(text),
        "string" => round_trip::<String, Same>(text),
        "bytes" => round_trip::<Vec<u8>, wire::Base64>(text),
        "void" => round_trip::<(), Same>(text),
        "i64[]" => round_trip::<Vec<i64>, Vec<wire::Int>>(text),
        "u8[]" => round_trip::<Vec<u8>, Same>(text),
        "f64?[]" => round_trip::<Vec<Option<f64>>, Vec<Option<wire::Float>>>(text),
        "string[][]" => round_trip::<Vec<Vec<String>>, Same>(text),
        "string?" => round_trip::<Option<String>, Option<Same>>(text),
        "i64?" => round_trip::<Option<i64>, Option<wire::Int>>(text),
        "map<string, i64>" => round_trip::<BTreeMap<String, i64>, BTreeMap<Same, wire::Int>>(text),
        "map<u32, bytes>" => {
            round_trip::<BTreeMap<u32, Vec<u8>>, BTreeMap<wire::IntKey, wire::Base64>>(text)
        }
        "map<i64, string>" => {
            round_trip::<BTreeMap<i64, String>, BTreeMap<wire::IntKey, Same>>(text)
        }
        "Mood" => round_trip::<Mood, wire::Named>(text),
        "Person" => round_trip::<Person, wire::Named>(text),
        "Shape" => round_trip::<Shape, wire::Named>(text),
        "Tree" => round_trip::<Tree, wire::Named>(text),
        "Holder" => round_trip::<Holder, wire::Named>(text),
        "Shape[]" => round_trip::<Vec<Shape>, Vec<wire::Named>>(text),
        _ => {}
    }
}
