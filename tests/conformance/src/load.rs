//! Load: many connections to one host, many concurrent calls on each, random payloads and
//! random cancellations. Every call that is not cancelled must come back with exactly what it
//! sent (nothing lost, nothing misrouted: each payload names its connection, round and call).

use std::time::Instant;

use futures_util::future::join_all;
use ipcc_runtime::IpcConnection;

use crate::generated::ConformanceClient;
use crate::peers::connect_options;
use crate::prng::Prng;

/// How much load one run puts on the host.
#[derive(Debug, Clone)]
pub struct LoadShape {
    pub connections: usize,
    /// Calls in flight at once on each connection, in every round.
    pub calls: usize,
    /// Rounds per connection (each waits for its calls before the next).
    pub rounds: usize,
    /// Payloads are 0 to this many bytes beyond their label.
    pub max_payload: usize,
    /// One call in this many is cancelled by its caller before it ends.
    pub cancel_one_in: u64,
}

impl LoadShape {
    /// The shape the test command runs, overridden by `IPCC_LOAD_CONNECTIONS`, `IPCC_LOAD_CALLS`,
    /// `IPCC_LOAD_ROUNDS` and `IPCC_LOAD_MAX_PAYLOAD` (the full run, `scripts/load.sh`).
    pub fn from_env() -> LoadShape {
        let var = |name: &str, default: usize| {
            std::env::var(name)
                .ok()
                .map(|v| {
                    v.parse()
                        .unwrap_or_else(|_| panic!("{name}={v:?} is not a number"))
                })
                .unwrap_or(default)
        };
        LoadShape {
            connections: var("IPCC_LOAD_CONNECTIONS", 8),
            calls: var("IPCC_LOAD_CALLS", 32),
            rounds: var("IPCC_LOAD_ROUNDS", 10),
            max_payload: var("IPCC_LOAD_MAX_PAYLOAD", 16 * 1024),
            cancel_one_in: 10,
        }
    }
}

/// What one run did.
#[derive(Debug, Default, Clone)]
pub struct LoadReport {
    pub completed: u64,
    pub cancelled: u64,
    /// Payload bytes sent by calls that completed (each came back too).
    pub bytes: u64,
    pub seconds: f64,
}

enum Outcome {
    Echoed,
    Cancelled,
}

/// Yields to the scheduler `n` times: a cancellation point that depends on no clock.
async fn yields(n: u64) {
    for _ in 0..n {
        tokio::task::yield_now().await;
    }
}

/// One call: `echoString` or `echoBytes` of a labelled random payload, cancelled (dropped) by
/// the caller after a few scheduler turns when `cancel` says so. Panics on a lost or misrouted
/// answer.
async fn one_call(
    client: &ConformanceClient,
    label: String,
    rng: &mut Prng,
    shape: &LoadShape,
) -> (Outcome, u64) {
    let filler = rng.below(shape.max_payload as u64 + 1) as usize;
    let cancel_after = (rng.below(shape.cancel_one_in) == 0).then(|| rng.below(8));
    let as_bytes = rng.below(2) == 0;
    let mut text = label;
    text.extend((0..filler).map(|i| (b'a' + (i % 26) as u8) as char));
    let size = text.len() as u64;
    let call = async {
        if as_bytes {
            let sent = text.clone().into_bytes();
            let back = client.echo_bytes(sent.clone()).await;
            match back {
                Ok(back) => assert!(
                    back == sent,
                    "misrouted: sent {} bytes labelled {:?}, got {:?}",
                    sent.len(),
                    &text[..text.find('|').unwrap_or(0)],
                    String::from_utf8_lossy(&back[..back.len().min(40)])
                ),
                Err(error) => panic!(
                    "lost: {:?} failed with {error}",
                    &text[..text.find('|').unwrap_or(0)]
                ),
            }
        } else {
            match client.echo_string(text.clone()).await {
                Ok(back) => assert!(
                    back == text,
                    "misrouted: sent {:?}, got {:?}",
                    &text[..text.find('|').unwrap_or(0)],
                    &back[..back.len().min(40)]
                ),
                Err(error) => panic!(
                    "lost: {:?} failed with {error}",
                    &text[..text.find('|').unwrap_or(0)]
                ),
            }
        }
    };
    match cancel_after {
        None => {
            call.await;
            (Outcome::Echoed, size)
        }
        Some(turns) => {
            tokio::select! {
                () = call => (Outcome::Echoed, size),
                () = yields(turns) => (Outcome::Cancelled, 0),
            }
        }
    }
}

/// Runs `shape` against the WebSocket host at `url`; every connection is closed at the end.
pub async fn run(url: &str, shape: &LoadShape, seed: u64) -> LoadReport {
    let began = Instant::now();
    let tasks = (0..shape.connections).map(|c| {
        let url = url.to_owned();
        let shape = shape.clone();
        tokio::spawn(async move {
            let conn = IpcConnection::connect_ws(&url, connect_options())
                .await
                .unwrap_or_else(|e| panic!("connection {c}: {e:?}"));
            let client = ConformanceClient::new(&conn);
            let mut report = LoadReport::default();
            for round in 0..shape.rounds {
                let calls =
                    (0..shape.calls).map(|i| {
                        let mut rng = Prng::new(
                            seed ^ ((c as u64) << 40) ^ ((round as u64) << 20) ^ i as u64,
                        );
                        let client = &client;
                        let shape = &shape;
                        async move {
                            one_call(client, format!("{c}/{round}/{i}|"), &mut rng, shape).await
                        }
                    });
                for (outcome, bytes) in join_all(calls).await {
                    match outcome {
                        Outcome::Echoed => report.completed += 1,
                        Outcome::Cancelled => report.cancelled += 1,
                    }
                    report.bytes += bytes;
                }
            }
            conn.close();
            report
        })
    });
    let mut total = LoadReport::default();
    for report in join_all(tasks).await {
        let report = report.expect("a connection's task panicked");
        total.completed += report.completed;
        total.cancelled += report.cancelled;
        total.bytes += report.bytes;
    }
    total.seconds = began.elapsed().as_secs_f64();
    total
}

/// The resident memory of a process in KiB (`VmRSS`), where `/proc` has it.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
