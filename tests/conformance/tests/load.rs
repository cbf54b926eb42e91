//! Load against both hosts over WebSocket (tests/conformance/src/load.rs): many connections,
//! many concurrent calls each, random payloads and cancellations. Nothing lost or misrouted,
//! and the host's memory after a second run grown by less than that run's payload volume (which
//! a leak of the payloads would add at least twice over). The test command runs a modest shape;
//! `scripts/load.sh` runs the full one and prints the figures docs/reliability.md reports.

use ipcc_conformance::load::{rss_kib, run, LoadShape};
use ipcc_conformance::peers::{start_ws_host, HostKind};
use ipcc_conformance::prng::seed_from_env;

async fn check(host: HostKind) {
    let shape = LoadShape::from_env();
    let (url, child) = start_ws_host(host, &[]).await;
    let pid = child.id().expect("the host runs");
    let seed = seed_from_env();
    let warm_up = run(&url, &shape, seed).await;
    let baseline = rss_kib(pid);
    let measured = run(&url, &shape, seed.wrapping_add(1)).await;
    let after = rss_kib(pid);
    println!(
        "{host:?} {shape:?}: warm-up {warm_up:?}; run {measured:?}; {:.0} calls/s; host RSS {baseline:?} → {after:?} KiB",
        (measured.completed + measured.cancelled) as f64 / measured.seconds
    );
    let calls = (shape.connections * shape.calls * shape.rounds) as u64;
    assert_eq!(
        measured.completed + measured.cancelled,
        calls,
        "every call ended once"
    );
    assert!(measured.cancelled > 0, "the run cancelled some calls");
    if let (Some(baseline), Some(after)) = (baseline, after) {
        // Keeping what the run sent would add at least its payload volume (twice: the requests
        // read and the answers written). A garbage collector's or allocator's slack stays
        // under it (the TS host's heap grows by a few MB between collections).
        let volume = measured.bytes / 1024;
        assert!(
            after <= baseline + volume,
            "host RSS grew from {baseline} to {after} KiB over a run of {volume} KiB of payloads"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_against_the_rust_host() {
    check(HostKind::Rust(env!("CARGO_BIN_EXE_conformance-backend"))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_against_the_ts_host() {
    check(HostKind::Ts).await;
}
