//! Streaming methods end to end: the generated `StreamsClient` of `tests/idl/streams.ipc`
//! against the generated dispatch of `ipcc_tests::streaming::StreamsBackend`, over the
//! in-memory transport, a real WebSocket and a child process over stdio.

use futures_util::stream::{self, StreamExt};
use ipcc_runtime::{CallError, ConnectOptions, IpcConnection, IpcHost, WsServer, WsServerConfig};
use ipcc_tests::streams::{self as s, Record, StreamError, StreamsClient};
use std::collections::BTreeMap;

/// A connection to the streaming backend, and what keeps the backend alive.
struct Fixture {
    client: StreamsClient,
    _conn: IpcConnection,
    _host: Option<(IpcHost, [ipcc_runtime::Registration; 2])>,
    _server: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Some(server) = &self._server {
            server.abort();
        }
    }
}

fn options() -> ConnectOptions {
    ConnectOptions::new().channels(ipcc_tests::streaming::specs())
}

fn fixture(
    conn: IpcConnection,
    host: Option<(IpcHost, [ipcc_runtime::Registration; 2])>,
) -> Fixture {
    Fixture {
        client: StreamsClient::new(&conn),
        _conn: conn,
        _host: host,
        _server: None,
    }
}

async fn memory() -> Fixture {
    let host = IpcHost::new();
    let registration = ipcc_tests::streaming::register(&host);
    let conn = host.connect_in_memory_with(options());
    conn.ready().await.expect("in-memory handshake");
    fixture(conn, Some((host, registration)))
}

async fn websocket() -> Fixture {
    let host = IpcHost::new();
    let registration = ipcc_tests::streaming::register(&host);
    let server = WsServer::bind(&host, WsServerConfig::new())
        .await
        .expect("bind 127.0.0.1:0");
    let url = server.url();
    let server = server.spawn();
    let conn = IpcConnection::connect_ws(&url, options())
        .await
        .expect("WebSocket handshake");
    let mut fixture = fixture(conn, Some((host, registration)));
    fixture._server = Some(server);
    fixture
}

async fn stdio() -> Fixture {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_ipcc-tests-backend"));
    command.stderr(std::process::Stdio::inherit());
    let conn = IpcConnection::spawn_stdio(command, options())
        .await
        .expect("stdio handshake with the child backend");
    fixture(conn, None)
}

/// An output stream: 100 items in order, then the end (and nothing after it).
async fn output_stream_sends_every_item_in_order_then_ends(f: Fixture) {
    let mut items = f.client.count(100);
    for expected in 0..100u32 {
        assert_eq!(
            items.next().await.expect("an item").expect("not an error"),
            expected
        );
    }
    assert!(
        items.next().await.is_none(),
        "the stream ends after 100 items"
    );
    assert!(items.next().await.is_none(), "and stays ended");
    let none: Vec<_> = f.client.count(0).collect().await;
    assert!(none.is_empty(), "{none:?}");
}

/// An input stream: the backend adds up what the frontend sends (i64 items, exact).
async fn input_stream_is_summed(f: Fixture) {
    let total = f.client.sum(stream::iter(1..=100i64)).await.expect("sum");
    assert_eq!(total, 5050);
    let exact = f
        .client
        .sum(stream::iter([i64::MAX, i64::MIN, 9_007_199_254_740_993, 0]))
        .await
        .expect("sum");
    assert_eq!(exact, 9_007_199_254_740_992, "past 2^53, exactly");
    assert_eq!(f.client.sum(stream::empty()).await.expect("sum"), 0);
    let overflow = f.client.sum(stream::iter([i64::MAX, 1])).await;
    assert!(matches!(overflow, Err(e) if e.code == ipcc_runtime::ErrorCode::Internal));
}

/// Both ways at once: each item is answered before the next one is sent.
async fn both_ways_answer_each_item_as_it_comes(f: Fixture) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let input = stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|s| (s, rx)) });
    let mut answers = f.client.echo("> ".to_string(), input);
    for i in 0..20 {
        tx.send(format!("line {i}")).expect("the input is open");
        let answer = answers
            .next()
            .await
            .expect("an answer")
            .expect("not an error");
        assert_eq!(answer, format!("> line {i}"));
    }
    drop(tx);
    assert!(
        answers.next().await.is_none(),
        "the input ended, so does the output"
    );
}

/// A declared error after some items reaches the client typed, and ends the stream.
async fn declared_error_ends_the_stream_typed(f: Fixture) {
    let items: Vec<_> = f.client.fail_after(3).collect().await;
    assert_eq!(items.len(), 4, "{items:?}");
    for (i, item) in items[..3].iter().enumerate() {
        assert_eq!(item.as_ref().ok(), Some(&(i as u32)));
    }
    assert_eq!(
        items[3],
        Err(CallError::Declared(StreamError::Failed { after: 3 }))
    );
    // On an input stream too: the answer is the declared error.
    let refused = f
        .client
        .upload(4, stream::iter([vec![1, 2], vec![0; 10], vec![3]]))
        .await;
    assert_eq!(
        refused,
        Err(CallError::Declared(StreamError::TooLarge { size: 10 }))
    );
    let stored = f
        .client
        .upload(4, stream::iter([vec![1, 2], vec![0, 255, 7], vec![]]))
        .await;
    assert_eq!(stored, Ok(5));
}

/// Dropping the client's stream cancels the handler: the backend drops its stream.
async fn dropping_the_client_stream_cancels_the_handler(f: Fixture) {
    for round in 1..=2u32 {
        let mut items = f.client.forever();
        for expected in 0..5u64 {
            assert_eq!(items.next().await.expect("an item").expect("ok"), expected);
        }
        drop(items);
        // Resolves only once the backend's `forever` stream (and its drop guard) is gone.
        assert_eq!(
            f.client.dropped_streams(round).await.expect("dropped"),
            round
        );
    }
}

fn record(id: i64) -> Record {
    Record {
        id,
        size: u64::MAX,
        data: vec![0, 1, 254, 255],
        ratio: -0.0,
        note: None,
        tags: BTreeMap::from([(0, vec![]), (u32::MAX, b"hi".to_vec())]),
    }
}

/// Items keep their exact encodings both ways: i64/u64 past 2^53, bytes, -0.0, infinities,
/// absent and present optionals, null items.
async fn items_round_trip_exactly(f: Fixture) {
    let sent = vec![
        Some(record(i64::MIN)),
        None,
        Some(Record {
            ratio: f64::INFINITY,
            note: Some("ünïcode \u{1F600}".to_string()),
            ..record(i64::MAX)
        }),
        Some(Record {
            ratio: f64::NEG_INFINITY,
            data: vec![],
            tags: BTreeMap::new(),
            ..record(9_007_199_254_740_993)
        }),
    ];
    let back: Vec<Option<Record>> = f
        .client
        .records(stream::iter(sent.clone()))
        .map(|item| item.expect("not an error"))
        .collect()
        .await;
    assert_eq!(back, sent);
    let first = back[0].as_ref().expect("a record");
    assert!(first.ratio.is_sign_negative(), "-0.0 keeps its sign");
}

/// User types named `Item`, `Result`, `Option`, `Stream` and parameters named like the
/// generated code's locals work through the generated client and dispatch.
async fn names_are_not_captured(f: Fixture) {
    let input = stream::iter([s::Result { ok: true }, s::Result { ok: false }]);
    let items: Vec<_> = f
        .client
        .shadows(s::Item { sink: "ab".into() }, "cde", input)
        .collect()
        .await;
    assert_eq!(
        items,
        vec![
            Ok(s::Option { some: Some(5) }),
            Err(CallError::Declared(s::Stream::Next {
                error: "abcde".into()
            })),
        ]
    );
}

macro_rules! streaming_tests {
    ($transport:ident: $($scenario:ident),* $(,)?) => {
        mod $transport {
            $(
                #[tokio::test]
                async fn $scenario() {
                    super::$scenario(super::$transport().await).await;
                }
            )*
        }
    };
}

macro_rules! every_transport {
    ($($transport:ident),*) => {
        $(streaming_tests!($transport:
            output_stream_sends_every_item_in_order_then_ends,
            input_stream_is_summed,
            both_ways_answer_each_item_as_it_comes,
            declared_error_ends_the_stream_typed,
            dropping_the_client_stream_cancels_the_handler,
            items_round_trip_exactly,
            names_are_not_captured,
        );)*
    };
}

every_transport!(memory, websocket, stdio);
