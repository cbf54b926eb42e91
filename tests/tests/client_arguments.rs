//! The generated Rust client's arguments: a `string` parameter takes `impl Into<String>` and a
//! `bytes` parameter `impl Into<Vec<u8>>`, so `&str`, `String`, `&[u8]`, `Vec<u8>` and byte
//! arrays all pass as they are (docs/generated-code.md, "Client"). Calls go to the generated
//! dispatch of `ipcc_tests::streaming` over the in-memory transport.

use futures_util::stream::{self, StreamExt};
use ipcc_runtime::{ConnectOptions, IpcConnection, IpcHost, Registration};
use ipcc_tests::streams::{BlobsClient, StreamsClient};

async fn connect() -> (IpcConnection, IpcHost, [Registration; 2]) {
    let host = IpcHost::new();
    let registrations = ipcc_tests::streaming::register(&host);
    let conn =
        host.connect_in_memory_with(ConnectOptions::new().channels(ipcc_tests::streaming::specs()));
    conn.ready().await.expect("in-memory handshake");
    (conn, host, registrations)
}

/// The answers of `echo(prefix, [item])`, a streaming method with a `string` parameter.
async fn echoed(client: &StreamsClient, prefix: impl Into<String>) -> Vec<String> {
    client
        .echo(prefix, stream::iter(["item".to_string()]))
        .map(|answer| answer.expect("an answer"))
        .collect()
        .await
}

#[tokio::test]
async fn string_parameters_take_str_and_string() {
    let (conn, _host, _registrations) = connect().await;
    let client = StreamsClient::new(&conn);
    let prefix = String::from("owned: ");
    let borrowed = "borrowed: ";

    // Each form straight into the generated method, no `.into()` or `.to_string()`.
    let answers: Vec<String> = client
        .echo(borrowed, stream::iter(["a".to_string()]))
        .map(|answer| answer.expect("an answer"))
        .collect()
        .await;
    assert_eq!(answers, ["borrowed: a"]);
    let answers: Vec<String> = client
        .echo(&prefix, stream::iter(["b".to_string()]))
        .map(|answer| answer.expect("an answer"))
        .collect()
        .await;
    assert_eq!(answers, ["owned: b"]);
    let answers: Vec<String> = client
        .echo(prefix, stream::iter(["c".to_string()]))
        .map(|answer| answer.expect("an answer"))
        .collect()
        .await;
    assert_eq!(answers, ["owned: c"]);
    assert_eq!(
        echoed(&client, std::borrow::Cow::Borrowed("cow: ")).await,
        ["cow: item"]
    );
}

#[tokio::test]
async fn bytes_parameters_take_slices_vectors_and_arrays() {
    let (conn, _host, _registrations) = connect().await;
    let client = BlobsClient::new(&conn);
    let data: Vec<u8> = (0..=255).collect();

    let slice: &[u8] = &data[10..20];
    assert_eq!(client.echo(slice).await.expect("echo"), &data[10..20]);
    assert_eq!(client.echo(&data[..3]).await.expect("echo"), [0, 1, 2]);
    assert_eq!(client.echo(b"bytes").await.expect("echo"), b"bytes");
    assert_eq!(client.echo([7u8, 8, 9]).await.expect("echo"), [7, 8, 9]);
    assert_eq!(
        client.echo(Vec::new()).await.expect("echo"),
        Vec::<u8>::new()
    );
    assert_eq!(client.echo(data.clone()).await.expect("echo"), data);
}
