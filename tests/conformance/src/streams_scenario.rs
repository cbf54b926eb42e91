//! What a Rust client checks of `ConformanceStreams` (`streams.ipc`) through the generated
//! `ConformanceStreamsClient`, against either host: every stream direction with 10,000 items,
//! declared errors mid-stream, cancellation both ways observed by the other side, interleaving
//! with unary calls, flow control measured from counters, a host dying mid-stream, and the
//! property tests of stream items. Nothing waits on a clock: every wait is on an event.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures_util::stream::{self, Stream, StreamExt};
use ipcc_runtime::{CallError, ErrorCode, IpcConnection, IpcError, DEFAULT_STREAM_WINDOW};
use tokio::sync::Notify;

use crate::exact::{assert_same, assert_same_f32s, assert_same_f64s};
use crate::generated::{ConformanceClient, ConformanceStreamsClient, StreamFailure};
use crate::prng::Prng;
use crate::scenario::{batch_for, BATCH_FIELDS, CALLS_PER_TYPE};

/// Items of the long streams.
const MANY: u32 = 10_000;

/// The window both runtimes grant by default (docs/protocol.md, "Stream limits").
const WINDOW: usize = DEFAULT_STREAM_WINDOW as usize;

/// Everything below on one connection, in order.
pub async fn run_all(conn: &IpcConnection) {
    assert_eq!(conn.ready().await.expect("welcomed").protocol, 2);
    many_items_in_order(conn).await;
    declared_errors_mid_stream(conn).await;
    client_cancellation_reaches_the_host(conn).await;
    host_cancellation_reaches_the_source(conn).await;
    interleaved_with_unary_calls(conn).await;
    flow_control_bounds_the_producer(conn).await;
}

/// What a test sees of an input source: how often it was pulled, and when it was dropped.
#[derive(Default)]
pub struct SourceProbe {
    pub pulls: AtomicUsize,
    /// Notified once `pulls` reaches `watch`.
    pub reached: Notify,
    watch: usize,
    /// Notified when the source is dropped (the runtime's `stop`, the call's answer or cancel).
    pub dropped: Notify,
}

struct DropSignal(Arc<SourceProbe>);

impl Drop for DropSignal {
    fn drop(&mut self) {
        self.0.dropped.notify_one();
    }
}

/// An endless source of `0, 1, 2, …` counting its pulls; `reached` fires at the `watch`th.
pub fn endless_source(
    watch: usize,
) -> (impl Stream<Item = u32> + Send + 'static, Arc<SourceProbe>) {
    let probe = Arc::new(SourceProbe {
        watch,
        ..SourceProbe::default()
    });
    let signal = DropSignal(probe.clone());
    let source = stream::unfold((0u32, signal), |(next, signal)| async move {
        let pulls = signal.0.pulls.fetch_add(1, Ordering::SeqCst) + 1;
        if pulls == signal.0.watch {
            signal.0.reached.notify_one();
        }
        Some((next, (next + 1, signal)))
    });
    (source, probe)
}

/// Every stream direction carries 10,000 items in order.
async fn many_items_in_order(conn: &IpcConnection) {
    let client = ConformanceStreamsClient::new(conn);
    let expected: Vec<u32> = (0..MANY).collect();

    let items: Vec<u32> = client
        .count(MANY, None)
        .map(|item| item.expect("count: no error"))
        .collect()
        .await;
    assert_eq!(items, expected, "output stream");

    // The host checks the order (`outOfOrder` otherwise) and counts.
    let counted = client.consume(None, stream::iter(0..MANY)).await;
    assert_eq!(counted, Ok(MANY), "input stream");
    let disordered = client.consume(None, stream::iter([0, 1, 5])).await;
    assert_eq!(
        disordered,
        Err(CallError::Declared(StreamFailure::OutOfOrder {
            expected: 2,
            got: 5
        })),
        "the host sees the input's order"
    );

    let echoed: Vec<u32> = client
        .echo(None, stream::iter(0..MANY))
        .map(|item| item.expect("echo: no error"))
        .collect()
        .await;
    assert_eq!(echoed, expected, "both ways");
}

/// A declared error mid-stream arrives typed, after the items before it, and ends the stream.
async fn declared_errors_mid_stream(conn: &IpcConnection) {
    let client = ConformanceStreamsClient::new(conn);
    let failed = || Err(CallError::Declared(StreamFailure::Failed { at: 40 }));

    let mut items = client.count(100, Some(40));
    for expected in 0..40 {
        assert_eq!(items.next().await, Some(Ok(expected)));
    }
    assert_eq!(items.next().await, Some(failed()), "output stream");
    assert_eq!(items.next().await, None, "nothing after the error");

    let answer = client.consume(Some(40), stream::iter(0..100)).await;
    assert_eq!(answer, failed(), "input stream");

    let mut echoed = client.echo(Some(40), stream::iter(0..100));
    for expected in 0..40 {
        assert_eq!(echoed.next().await, Some(Ok(expected)));
    }
    assert_eq!(echoed.next().await, Some(failed()), "both ways");
    assert_eq!(echoed.next().await, None);
}

/// Dropping a stream (or the call's future) cancels the call; the host's count of cancelled
/// handlers shows it arrived.
async fn client_cancellation_reaches_the_host(conn: &IpcConnection) {
    let client = ConformanceStreamsClient::new(conn);
    let base = client.cancellations(0).await.expect("cancellations");

    // Output: drop the stream after 10 of a million items.
    let mut items = client.count(1_000_000, None);
    for expected in 0..10 {
        assert_eq!(items.next().await, Some(Ok(expected)));
    }
    drop(items);
    assert!(client.cancellations(base + 1).await.expect("observed") > base);

    // Output without end.
    let mut items = client.forever();
    for expected in 0..5 {
        assert_eq!(items.next().await, Some(Ok(expected)));
    }
    drop(items);
    assert!(client.cancellations(base + 2).await.expect("observed") > base + 1);

    // Input: drop the call's future once the host has taken 100 items.
    let (source, probe) = endless_source(100);
    let mut call = Box::pin(client.consume(None, source));
    tokio::select! {
        answer = &mut call => panic!("consume of an endless input answered: {answer:?}"),
        () = probe.reached.notified() => {}
    }
    drop(call);
    probe.dropped.notified().await;
    assert!(client.cancellations(base + 3).await.expect("observed") > base + 2);

    // Both ways: drop the output after 5 answers.
    let (source, probe) = endless_source(usize::MAX);
    let mut echoed = client.echo(None, source);
    for expected in 0..5 {
        assert_eq!(echoed.next().await, Some(Ok(expected)));
    }
    drop(echoed);
    probe.dropped.notified().await;
    assert!(client.cancellations(base + 4).await.expect("observed") > base + 3);

    // The connection still serves.
    let items: Vec<_> = client.count(3, None).collect().await;
    assert_eq!(items, vec![Ok(0), Ok(1), Ok(2)]);
}

/// A handler dropping its input makes the host send `stop`: the client's source is dropped while
/// the call goes on (it answers only after `release`).
async fn host_cancellation_reaches_the_source(conn: &IpcConnection) {
    let client = ConformanceStreamsClient::new(conn);

    let (source, probe) = endless_source(usize::MAX);
    let (taken, released) = tokio::join!(client.take(5, source), async {
        probe.dropped.notified().await;
        client.release(1).await
    });
    assert_eq!(taken, Ok(5), "input stream");
    assert_eq!(released, Ok(1));
    assert!(probe.pulls.load(Ordering::SeqCst) >= 5);

    let (source, probe) = endless_source(usize::MAX);
    let mut echoed = client.echo_take(3, source);
    for expected in 0..3 {
        assert_eq!(echoed.next().await, Some(Ok(expected)));
    }
    let (end, released) = tokio::join!(echoed.next(), async {
        probe.dropped.notified().await;
        client.release(1).await
    });
    assert_eq!(end, None, "both ways: the output ends after the release");
    assert_eq!(released, Ok(1));
}

/// Streams in every direction and unary calls at once on one connection.
async fn interleaved_with_unary_calls(conn: &IpcConnection) {
    let client = ConformanceStreamsClient::new(conn);
    let unary = ConformanceClient::new(conn);
    let expected: Vec<u32> = (0..MANY).collect();
    let (counted, consumed, echoed, answers) = tokio::join!(
        client
            .count(MANY, None)
            .map(|item| item.expect("count"))
            .collect::<Vec<_>>(),
        client.consume(None, stream::iter(0..MANY)),
        client
            .echo(None, stream::iter(0..MANY))
            .map(|item| item.expect("echo"))
            .collect::<Vec<_>>(),
        futures_util::future::join_all((0..200).map(|i| {
            let unary = unary.clone();
            async move { unary.echo_string(format!("call {i}")).await }
        })),
    );
    assert_eq!(counted, expected);
    assert_eq!(consumed, Ok(MANY));
    assert_eq!(echoed, expected);
    for (i, answer) in answers.into_iter().enumerate() {
        assert_eq!(answer, Ok(format!("call {i}")));
    }
}

/// A slow consumer holds the producer to one window: measured from the host's count of items
/// produced (output) and from the client source's count of pulls (input).
async fn flow_control_bounds_the_producer(conn: &IpcConnection) {
    let client = ConformanceStreamsClient::new(conn);

    // Output: read 5 items, then nothing. The host fills the window and stops there.
    let base = client.produced(0).await.expect("produced") as usize;
    let mut items = client.forever();
    let mut consumed = 0;
    for expected in 0..5 {
        assert_eq!(items.next().await, Some(Ok(expected)));
        consumed += 1;
    }
    let filled = client
        .produced((base + WINDOW) as u32)
        .await
        .expect("the host fills the window") as usize;
    // Two more round trips: any item the host could still produce has been counted.
    client.cancellations(0).await.expect("round trip");
    let now = client.produced(0).await.expect("produced") as usize;
    assert!(filled <= now);
    assert!(
        now - base - consumed <= WINDOW,
        "the host produced {} items of which the client consumed {consumed}: more than one window ({WINDOW}) ahead",
        now - base
    );
    // Consume more: the client grants again, the bound holds.
    for expected in 5..300 {
        assert_eq!(items.next().await, Some(Ok(expected)));
        consumed += 1;
    }
    client.cancellations(0).await.expect("round trip");
    let now = client.produced(0).await.expect("produced") as usize;
    assert!(now - base >= consumed);
    assert!(
        now - base - consumed <= WINDOW,
        "{} produced, {consumed} consumed",
        now - base
    );
    drop(items);

    // Input: the host reads 5 items and holds; the source is pulled one window and no more.
    let (source, probe) = endless_source(WINDOW);
    let (held, released) = tokio::join!(client.hold(5, source), async {
        probe.reached.notified().await;
        // A round trip: a grant the host sent before its answer has arrived.
        client.cancellations(0).await.expect("round trip");
        let pulls = probe.pulls.load(Ordering::SeqCst);
        assert!(
            pulls - 5 <= WINDOW,
            "the source was pulled {pulls} times while the host read 5: more than one window ({WINDOW}) ahead"
        );
        client.release(1).await
    });
    assert_eq!(held, Ok(5));
    assert_eq!(released, Ok(1));
}

/// The host process dies while streams of every direction are open: each ends with
/// `disconnected` (after the items already received), and so does every pending call.
pub async fn host_dies_mid_stream(conn: &IpcConnection) {
    let client = ConformanceStreamsClient::new(conn);
    let mut output = client.count(1_000_000, None);
    for expected in 0..3 {
        assert_eq!(output.next().await, Some(Ok(expected)));
    }
    let (source, _echo_probe) = endless_source(usize::MAX);
    let mut both = client.echo(None, source);
    for expected in 0..3 {
        assert_eq!(both.next().await, Some(Ok(expected)));
    }
    let (source, input_probe) = endless_source(10);
    let input = tokio::spawn({
        let client = client.clone();
        async move { client.consume(None, source).await }
    });
    input_probe.reached.notified().await;

    let died = client.die().await;
    assert_disconnected("die", died.map_err(CallError::Ipc));
    assert_ends_disconnected("count", output).await;
    assert_ends_disconnected("echo", both).await;
    assert_disconnected("consume", input.await.expect("the task ran"));
    // Calls after it fail at once.
    let after: Vec<_> = client.count(1, None).collect().await;
    assert_eq!(after.len(), 1);
    assert_disconnected("a call after the death", after.into_iter().next().unwrap());
}

fn assert_disconnected<T: std::fmt::Debug>(
    what: &str,
    answer: Result<T, CallError<StreamFailure>>,
) {
    match answer {
        Err(CallError::Ipc(IpcError {
            code: ErrorCode::Disconnected,
            ..
        })) => {}
        other => panic!("{what}: expected `disconnected`, got {other:?}"),
    }
}

/// Reads `stream` to its end: items (already under way), then `disconnected`, then nothing.
async fn assert_ends_disconnected(
    what: &str,
    mut stream: impl Stream<Item = Result<u32, CallError<StreamFailure>>> + Unpin,
) {
    loop {
        match stream.next().await {
            Some(Ok(_)) => continue,
            Some(error) => {
                assert_disconnected(what, error);
                break;
            }
            None => panic!("{what}: ended without an error"),
        }
    }
    assert!(
        stream.next().await.is_none(),
        "{what}: nothing after the error"
    );
}

/// Property tests of stream items: for each field of `Batch`, a stream of `CALLS_PER_TYPE` generated
/// batches (1,000 values of that type, edge values first) goes out and comes back exactly.
pub async fn properties(conn: &IpcConnection, seed: u64) {
    let client = ConformanceStreamsClient::new(conn);
    for (n, field) in BATCH_FIELDS.iter().enumerate() {
        let mut rng = Prng::new(seed ^ (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let sent: Vec<_> = (0..CALLS_PER_TYPE)
            .map(|call| batch_for(field, call, &mut rng))
            .collect();
        let back: Vec<_> = client
            .echo_batches(stream::iter(sent.clone()))
            .collect()
            .await;
        let what = format!("echoBatches.{field} (CONFORMANCE_SEED={seed})");
        assert_eq!(back.len(), sent.len(), "{what}: items");
        for (i, (sent, back)) in sent.iter().zip(back).enumerate() {
            let back = back.unwrap_or_else(|e| panic!("{what} item {i}: {e:?}"));
            let what = format!("{what} item {i}");
            assert_same_f32s(&what, &sent.f32s, &back.f32s);
            assert_same_f64s(&what, &sent.f64s, &back.f64s);
            assert_same_f64s(&what, &sent.numbers, &back.numbers);
            assert_same(&what, sent, &back);
        }
    }
}
