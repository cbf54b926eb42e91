//! The host's fixed cost per call, with no I/O: a `call` message's text in, the generated
//! dispatch of a real interface, the `result` message's text out; next to its floor, a bare
//! serde_json round trip of the same values (the same request parsed into the same Rust values,
//! the same reply serialized).
//!
//! `cargo bench -p ipcc-runtime --bench fixed_cost`

#[path = "../src/bin/ipcc-echo-backend/vectors_ipc.rs"]
#[allow(dead_code)]
#[rustfmt::skip]
mod vectors_ipc;

#[path = "../src/bin/ipcc-echo-backend/echo_backend.rs"]
mod echo_backend;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use ipcc_runtime::{DetachedConnection, IpcHost, OutMessage};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use vectors_ipc::Person;

const ADD: &str =
    r#"{"type":"call","id":1,"channel":"ipcc-vectors-echo-v1","method":"add","args":[1,2]}"#;
const ADD_REPLY: &str = r#"{"type":"result","id":1,"value":3}"#;

const ECHO_PERSON: &str = r#"{"type":"call","id":1,"channel":"ipcc-vectors-echo-v1","method":"echoPerson","args":[{"id":"42","name":"Ann","age":31,"tags":["a","b","c"],"avatar":"AAEC/w=="}]}"#;
const ECHO_PERSON_REPLY: &str = r#"{"type":"result","id":1,"value":{"id":"42","name":"Ann","age":31,"tags":["a","b","c"],"avatar":"AAEC/w=="}}"#;

/// The floor's request: every field the runtime reads, into plain Rust values.
#[derive(Deserialize)]
struct Call<A> {
    #[serde(rename = "type")]
    kind: String,
    id: u64,
    channel: String,
    method: String,
    args: A,
}

/// The floor's reply.
#[derive(Serialize)]
struct Result<T> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: u64,
    value: T,
}

/// The floor: parse the request, take the values out, serialize the reply.
fn floor<A: DeserializeOwned, T: Serialize>(text: &str, answer: impl Fn(A) -> T) -> String {
    let call: Call<A> = serde_json::from_str(text).unwrap();
    black_box((&call.kind, &call.channel, &call.method));
    serde_json::to_string(&Result {
        kind: "result",
        id: call.id,
        value: answer(call.args),
    })
    .unwrap()
}

/// One call through the host: the request handled, the reply taken.
fn call(connection: &mut DetachedConnection, text: &str) -> String {
    connection.handle_text(text);
    match connection.take_sent() {
        Some(OutMessage::Text(reply)) => reply,
        other => panic!("expected one text reply, got {other:?}"),
    }
}

fn fixed_cost(c: &mut Criterion) {
    // Dispatch needs no runtime for handlers that finish on their first poll, but the host's
    // types are built for one: keep one entered, as on a served connection.
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let _guard = rt.enter();
    let host = IpcHost::new();
    vectors_ipc::register_echo(&host, echo_backend::EchoBackend).forget();
    let mut connection = host.detached_connection();

    // Both sides answer exactly the expected text (the bench measures correct work).
    assert_eq!(call(&mut connection, ADD), ADD_REPLY);
    assert_eq!(call(&mut connection, ECHO_PERSON), ECHO_PERSON_REPLY);
    let add = |(a, b): (i32, i32)| a + b;
    let echo = |(person,): (Person,)| person;
    assert_eq!(floor(ADD, add), ADD_REPLY);
    assert_eq!(floor(ECHO_PERSON, echo), ECHO_PERSON_REPLY);

    let mut group = c.benchmark_group("fixed_cost");
    group.bench_function("add/ipcc", |b| {
        b.iter(|| call(&mut connection, black_box(ADD)))
    });
    group.bench_function("add/serde_json", |b| b.iter(|| floor(black_box(ADD), add)));
    group.bench_function("echoPerson/ipcc", |b| {
        b.iter(|| call(&mut connection, black_box(ECHO_PERSON)))
    });
    group.bench_function("echoPerson/serde_json", |b| {
        b.iter(|| floor(black_box(ECHO_PERSON), echo))
    });
    group.finish();
}

criterion_group!(benches, fixed_cost);
criterion_main!(benches);
