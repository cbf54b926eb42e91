//! Error paths that need a particular host or connection set-up: schema-hash mismatch, size
//! and in-flight limits, tokens, unregistering, disconnection (also of a child process).

use ipcc_runtime::{
    CallOptions, ChannelSpec, ConnectOptions, ErrorCode, HostConfig, IpcConnection, IpcHost,
    WsServer, WsServerConfig,
};
use ipcc_tests::errors::BankClient;
use ipcc_tests::my_interface::{register_my_interface, MyInterfaceClient, MY_INTERFACE_CHANNEL};
use ipcc_tests::primitives_and_containers::{EchoClient, ECHO_SPEC};
use ipcc_tests::{backends, connect_options};
use std::time::Duration;

fn served(config: HostConfig) -> (IpcHost, Vec<ipcc_runtime::Registration>) {
    let host = IpcHost::with_config(config);
    let registrations = backends::register_all(&host);
    (host, registrations)
}

#[tokio::test]
async fn mismatched_schema_hash_fails_fast_with_version_mismatch() {
    let (host, _registrations) = served(HostConfig::new());
    let stale = ChannelSpec {
        channel: MY_INTERFACE_CHANNEL,
        schema_hash: "0000000000000000",
        wire_schema: "",
    };
    let conn = host.connect_in_memory_with(ConnectOptions::new().channel(stale).channel(ECHO_SPEC));
    let error = MyInterfaceClient::new(&conn)
        .say_hello("abc", 10.0, true)
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::VersionMismatch, "{error:?}");
    assert!(error.message.contains(MY_INTERFACE_CHANNEL), "{error:?}");
    assert!(error.message.contains("0000000000000000"), "{error:?}");
    assert!(
        error
            .message
            .contains(ipcc_tests::my_interface::MY_INTERFACE_SCHEMA_HASH),
        "{error:?}"
    );
    // Other channels keep working.
    assert_eq!(EchoClient::new(&conn).sum(vec![1], None).await.unwrap(), 1);
}

#[tokio::test]
async fn oversize_call_is_too_large() {
    let (host, _registrations) = served(HostConfig::new().max_message_bytes(4096));
    let conn = host.connect_in_memory_with(connect_options());
    let client = MyInterfaceClient::new(&conn);
    let error = client
        .say_hello("x".repeat(10_000), 1.0, true)
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::TooLarge, "{error:?}");
    assert_eq!(
        client.say_hello("small", 1.0, true).await.unwrap(),
        "hello: small 1 true"
    );
}

#[tokio::test]
async fn too_many_calls_in_flight() {
    let (host, _registrations) = served(HostConfig::new().max_in_flight(2));
    let conn = host.connect_in_memory_with(connect_options());
    let bank = BankClient::new(&conn);
    conn.ready().await.unwrap();
    // Both slow calls go out before the third, on the same connection: the host reads them
    // first, so when it reads the third, two calls are running.
    let first = ipcc_tests::sent(bank.balance("slow")).await;
    let second = ipcc_tests::sent(bank.balance("slow")).await;
    let error = bank.balance("x").await.unwrap_err();
    assert_eq!(error.code, ErrorCode::TooManyCalls, "{error:?}");
    drop((first, second));
}

#[tokio::test]
async fn token_is_checked_in_the_handshake() {
    let (host, _registrations) = served(HostConfig::new().token("s3cret"));
    let server = WsServer::bind(&host, WsServerConfig::new()).await.unwrap();
    let url = server.url();
    let _server = server.spawn();
    for options in [connect_options(), connect_options().token("wrong")] {
        let error = IpcConnection::connect_ws(&url, options).await.unwrap_err();
        assert_eq!(error.code, ErrorCode::Unauthorized, "{error:?}");
    }
    let conn = IpcConnection::connect_ws(&url, connect_options().token("s3cret"))
        .await
        .unwrap();
    assert_eq!(
        MyInterfaceClient::new(&conn)
            .say_hello("a", 2.0, false)
            .await
            .unwrap(),
        "hello: a 2 false"
    );
}

#[tokio::test]
async fn dropped_registration_unregisters_the_channel() {
    let host = IpcHost::new();
    let registration = register_my_interface(&host, backends::Reference);
    let conn = host.connect_in_memory_with(connect_options());
    let client = MyInterfaceClient::new(&conn);
    assert!(client.say_hello("a", 1.0, true).await.is_ok());
    drop(registration);
    let error = client.say_hello("a", 1.0, true).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::UnknownChannel, "{error:?}");
    // `unregister` does the same, explicitly.
    let registration = register_my_interface(&host, backends::Reference);
    assert!(client.say_hello("a", 1.0, true).await.is_ok());
    registration.unregister();
    let error = client.say_hello("a", 1.0, true).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::UnknownChannel, "{error:?}");
}

#[tokio::test]
async fn closing_the_connection_fails_pending_calls_with_disconnected() {
    let (host, _registrations) = served(HostConfig::new());
    let conn = host.connect_in_memory_with(connect_options());
    let bank = BankClient::new(&conn);
    conn.ready().await.unwrap();
    let pending = ipcc_tests::sent(bank.balance("slow")).await;
    assert!(host.is_valid());
    conn.close();
    let error = pending.await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Disconnected, "{error:?}");
    assert!(!conn.is_valid());
}

#[tokio::test]
async fn child_backend_dying_mid_call_fails_the_call_with_disconnected() {
    let conn = ipcc_tests::connect_stdio(env!("CARGO_BIN_EXE_ipcc-tests-backend")).await;
    let bank = BankClient::new(&conn.conn)
        .with_options(CallOptions::new().timeout(Duration::from_secs(20)));
    conn.conn.ready().await.unwrap();
    // The slow call goes out first; the backend then dies while running it.
    let slow = ipcc_tests::sent(bank.balance("slow")).await;
    let error = bank.balance("exit").await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Disconnected, "{error:?}");
    let error = slow.await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Disconnected, "{error:?}");
    assert!(!conn.conn.is_valid());
}
