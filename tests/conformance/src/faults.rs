//! Faults every pairing survives, through the generated clients, against either host (the
//! `hang` and `hanging` probes of `streams.ipc`): a handler that never ends and the caller's
//! timeout, a slow call beside fast ones, a frontend that disconnects mid-call, and a host that
//! dies mid-call. Nothing waits on a clock: every wait is on an event the host reports.

use std::time::{Duration, Instant};

use ipcc_runtime::{CallOptions, ErrorCode, IpcConnection, IpcError};

use crate::generated::{ConformanceClient, ConformanceStreamsClient};
use crate::peers::{connect, connect_options, start_ws_host, HostKind, Transport};

/// The caller's timeout on a call that never answers: it only has to fire.
const TIMEOUT: Duration = Duration::from_millis(50);

/// How many calls a fault catches at once.
const PENDING: u32 = 3;

/// How long a wait on the host's report may take before the test fails instead of hanging: a
/// bound on a broken host, not a figure (every wait ends at once when the host does its part).
const STUCK: Duration = Duration::from_secs(60);

/// `future`, or a failure naming `what` the host never reported.
async fn reported<T>(what: &str, future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(STUCK, future)
        .await
        .unwrap_or_else(|_| panic!("the host never reported {what}"))
}

/// Every fault below against a fresh `host` over `transport` (a frontend disconnecting needs a
/// second connection: WebSocket only, since a stdio host serves the one connection it was
/// started for). Returns how long the pending calls took to fail once the host died.
pub async fn run_all(host: HostKind, transport: Transport) -> Duration {
    match transport {
        Transport::WebSocket => {
            let (url, _process) = start_ws_host(host, &[]).await;
            let conn = IpcConnection::connect_ws(&url, connect_options())
                .await
                .expect("connected");
            timeout_and_slow_beside_fast(&conn).await;
            frontend_disconnects_mid_call(&conn, &url).await;
            host_dies_mid_call(&conn).await
        }
        Transport::Stdio => {
            let peer = connect(host, transport).await;
            timeout_and_slow_beside_fast(&peer.conn).await;
            host_dies_mid_call(&peer.conn).await
        }
    }
}

fn expect_code<T: std::fmt::Debug>(what: &str, answer: Result<T, IpcError>, code: ErrorCode) {
    match answer {
        Err(IpcError { code: got, .. }) if got == code => {}
        other => panic!("{what}: expected `{code:?}`, got {other:?}"),
    }
}

/// Starts `PENDING` `hang` calls on `client` and waits until the host runs them all.
async fn start_hangs(
    client: &ConformanceStreamsClient,
    observer: &ConformanceStreamsClient,
) -> Vec<tokio::task::JoinHandle<Result<(), IpcError>>> {
    let calls = (0..PENDING)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.hang().await })
        })
        .collect();
    assert_eq!(
        reported("the hang calls running", observer.hanging(PENDING)).await,
        Ok(PENDING)
    );
    calls
}

/// On one connection: a handler that never ends meets the caller's timeout, then a slow call
/// runs beside fast ones and is cancelled by dropping it.
pub async fn timeout_and_slow_beside_fast(conn: &IpcConnection) {
    let streams = ConformanceStreamsClient::new(conn);
    let base = streams.cancellations(0).await.expect("the probe answers");

    // The caller's timeout fails the call with `timeout`, and the host drops the handler: it
    // counts as cancelled and no longer runs.
    let timed = streams
        .with_options(CallOptions::new().timeout(TIMEOUT))
        .hang()
        .await;
    expect_code("hang with a timeout", timed, ErrorCode::Timeout);
    assert_eq!(
        reported(
            "the timed-out call cancelled",
            streams.cancellations(base + 1)
        )
        .await,
        Ok(base + 1)
    );
    assert_eq!(
        streams.hanging(0).await,
        Ok(0),
        "the timed-out handler runs on"
    );

    // A slow call does not hold up the calls after it on the same connection.
    let slow = tokio::spawn({
        let streams = streams.clone();
        async move { streams.hang().await }
    });
    assert_eq!(
        reported("the slow call running", streams.hanging(1)).await,
        Ok(1)
    );
    let echo = ConformanceClient::new(conn);
    for i in 0..100 {
        let text = format!("fast call {i}");
        assert_eq!(echo.echo_string(text.clone()).await, Ok(text));
    }
    assert!(!slow.is_finished(), "the slow call ended on its own");
    // Dropping the call (here: aborting its task) cancels it on the host.
    slow.abort();
    assert_eq!(
        reported(
            "the dropped call cancelled",
            streams.cancellations(base + 2)
        )
        .await,
        Ok(base + 2)
    );
    assert_eq!(
        streams.hanging(0).await,
        Ok(0),
        "the dropped handler runs on"
    );
}

/// A second frontend of the WebSocket host at `url` disconnects with calls running: each of
/// its calls fails `disconnected` on its side, and the host drops every handler (all count as
/// cancelled, none runs on) while it serves `observer` on.
pub async fn frontend_disconnects_mid_call(observer: &IpcConnection, url: &str) {
    let probes = ConformanceStreamsClient::new(observer);
    let base = probes.cancellations(0).await.expect("the probe answers");
    let leaving = IpcConnection::connect_ws(url, connect_options())
        .await
        .expect("a second connection");
    let calls = start_hangs(&ConformanceStreamsClient::new(&leaving), &probes).await;
    leaving.close();
    for call in calls {
        let answer = reported(
            "nothing: a call of the closed connection stays pending",
            call,
        )
        .await
        .expect("the call's task ran");
        expect_code(
            "a call of the closed connection",
            answer,
            ErrorCode::Disconnected,
        );
    }
    assert_eq!(
        reported(
            "the closed connection's calls cancelled",
            probes.cancellations(base + PENDING)
        )
        .await,
        Ok(base + PENDING)
    );
    assert_eq!(
        probes.hanging(0).await,
        Ok(0),
        "handlers of the closed connection run on"
    );
}

/// The host dies with calls pending: every one fails `disconnected`, and so does every call
/// after. Returns how long after the host was told to die the last pending call failed.
pub async fn host_dies_mid_call(conn: &IpcConnection) -> Duration {
    let streams = ConformanceStreamsClient::new(conn);
    let calls = start_hangs(&streams, &streams).await;
    let died = Instant::now();
    expect_code("die", streams.die().await, ErrorCode::Disconnected);
    for call in calls {
        let answer = reported("nothing: a call pending at its death stays pending", call)
            .await
            .expect("the call's task ran");
        expect_code(
            "a call pending at the death",
            answer,
            ErrorCode::Disconnected,
        );
    }
    let elapsed = died.elapsed();
    expect_code(
        "a call after the death",
        streams.hanging(0).await,
        ErrorCode::Disconnected,
    );
    elapsed
}
