//! The Rust host of `ConformanceStreams` (`streams.ipc`): streams in every direction, and the
//! probes a client reads to see what the host observed (the behaviour `ts/src/streams-host.ts`
//! has too).

use std::sync::Arc;

use futures_util::stream::{self, Stream, StreamExt};
use ipcc_runtime::codegen::ItemStream;
use ipcc_runtime::{CallContext, HandlerError, Raised};
use tokio::sync::{watch, Notify};

use crate::generated::{Batch, ConformanceStreams, StreamFailure};

/// Serves `ConformanceStreams`; one per host, shared by its connections.
#[derive(Clone, Default)]
pub struct StreamsBackend {
    probes: Arc<Probes>,
}

/// What the host observed, readable by the `cancellations`, `produced` and `hanging` calls.
#[derive(Default)]
struct Probes {
    /// Calls of `count`, `consume`, `echo`, `forever` and `hang` dropped before they finished.
    cancellations: watch::Sender<u32>,
    /// Items `forever` produced, in all its calls.
    produced: watch::Sender<u32>,
    /// How many `take`, `echoTake` and `hold` calls wait at the gate.
    waiting: watch::Sender<u32>,
    /// Opened by `release`.
    gate: Notify,
    /// `hang` calls running now.
    hanging: watch::Sender<u32>,
}

impl Probes {
    /// Waits at the gate until `release` opens it.
    async fn wait_for_release(&self) {
        // Registered before it is counted, so a `release` that sees it counted wakes it.
        let released = self.gate.notified();
        self.waiting.send_modify(|n| *n += 1);
        released.await;
    }
}

/// Counts its call as cancelled when dropped before `finish`: the host drops a handler (its
/// future or its stream) when the frontend cancels the call.
struct CancelProbe {
    probes: Arc<Probes>,
    finished: bool,
}

impl CancelProbe {
    fn new(probes: &Arc<Probes>) -> CancelProbe {
        CancelProbe {
            probes: probes.clone(),
            finished: false,
        }
    }

    /// The call ended on its own (its end or its error): dropping it is no cancellation.
    fn finish(mut self) {
        self.finished = true;
    }
}

impl Drop for CancelProbe {
    fn drop(&mut self) {
        if !self.finished {
            self.probes.cancellations.send_modify(|n| *n += 1);
        }
    }
}

/// Counts a `hang` call as running while it lives; dropped (the host drops the handler when its
/// frontend gives up), it stops counting it and then counts the cancellation, so a client that
/// saw the cancellation reads the running count without it.
struct HangProbe {
    probes: Arc<Probes>,
}

impl HangProbe {
    fn new(probes: &Arc<Probes>) -> HangProbe {
        probes.hanging.send_modify(|n| *n += 1);
        HangProbe {
            probes: probes.clone(),
        }
    }
}

impl Drop for HangProbe {
    fn drop(&mut self) {
        self.probes.hanging.send_modify(|n| *n -= 1);
        self.probes.cancellations.send_modify(|n| *n += 1);
    }
}

/// Waits until `sender`'s value is at least `at_least`, and answers it.
async fn at_least(sender: &watch::Sender<u32>, at_least: u32) -> Result<u32, HandlerError> {
    let mut receiver = sender.subscribe();
    let value = receiver
        .wait_for(|value| *value >= at_least)
        .await
        .map_err(|_| "the probe is gone")?;
    Ok(*value)
}

type Answer<T> = Result<T, HandlerError>;

/// Item `index` of the input, checked against the sequence and `fail_at`.
fn check_item(index: u32, item: u32, fail_at: Option<u32>) -> Result<u32, StreamFailure> {
    if fail_at == Some(index) {
        return Err(StreamFailure::Failed { at: index });
    }
    if item != index {
        return Err(StreamFailure::OutOfOrder {
            expected: index,
            got: item,
        });
    }
    Ok(item)
}

impl ConformanceStreams for StreamsBackend {
    fn count(
        &self,
        _: CallContext,
        n: u32,
        fail_at: Option<u32>,
    ) -> impl Stream<Item = Result<u32, Raised<StreamFailure>>> + Send {
        let probe = CancelProbe::new(&self.probes);
        stream::unfold((0u32, probe), move |(next, mut probe)| async move {
            if probe.finished {
                return None;
            }
            if fail_at == Some(next) {
                probe.finished = true;
                return Some((
                    Err(StreamFailure::Failed { at: next }.into()),
                    (next, probe),
                ));
            }
            if next == n {
                probe.finish();
                return None;
            }
            Some((Ok(next), (next + 1, probe)))
        })
    }

    async fn consume(
        &self,
        _: CallContext,
        fail_at: Option<u32>,
        mut items: ItemStream<u32>,
    ) -> Result<u32, Raised<StreamFailure>> {
        let mut probe = CancelProbe::new(&self.probes);
        let mut index = 0;
        while let Some(item) = items.next().await {
            if let Err(failure) = check_item(index, item, fail_at) {
                probe.finished = true;
                return Err(failure.into());
            }
            index += 1;
        }
        probe.finished = true;
        Ok(index)
    }

    fn echo(
        &self,
        _: CallContext,
        fail_at: Option<u32>,
        items: ItemStream<u32>,
    ) -> impl Stream<Item = Result<u32, Raised<StreamFailure>>> + Send {
        let probe = CancelProbe::new(&self.probes);
        stream::unfold(
            (items, 0u32, probe),
            move |(mut items, index, mut probe)| async move {
                if probe.finished {
                    return None;
                }
                let Some(item) = items.next().await else {
                    probe.finish();
                    return None;
                };
                let checked = check_item(index, item, fail_at);
                probe.finished = checked.is_err();
                Some((checked.map_err(Raised::Declared), (items, index + 1, probe)))
            },
        )
    }

    fn forever(&self, _: CallContext) -> impl Stream<Item = Answer<u32>> + Send {
        let probe = CancelProbe::new(&self.probes);
        stream::unfold((0u32, probe), |(next, probe)| async move {
            probe.probes.produced.send_modify(|n| *n += 1);
            Some((Ok(next), (next.wrapping_add(1), probe)))
        })
    }

    async fn cancellations(&self, _: CallContext, at_least_: u32) -> Answer<u32> {
        at_least(&self.probes.cancellations, at_least_).await
    }

    async fn produced(&self, _: CallContext, at_least_: u32) -> Answer<u32> {
        at_least(&self.probes.produced, at_least_).await
    }

    async fn take(&self, _: CallContext, n: u32, mut items: ItemStream<u32>) -> Answer<u32> {
        for _ in 0..n {
            items.next().await.ok_or("the input ended early")?;
        }
        drop(items); // the host sends `stop`
        self.probes.wait_for_release().await;
        Ok(n)
    }

    fn echo_take(
        &self,
        _: CallContext,
        n: u32,
        items: ItemStream<u32>,
    ) -> impl Stream<Item = Answer<u32>> + Send {
        let probes = self.probes.clone();
        stream::unfold(
            (Some(items), 0u32, probes),
            move |(items, index, probes)| async move {
                let mut items = items?;
                if index < n {
                    let item = items.next().await?;
                    return Some((Ok(item), (Some(items), index + 1, probes)));
                }
                drop(items); // the host sends `stop`
                probes.wait_for_release().await;
                None
            },
        )
    }

    async fn hold(&self, _: CallContext, n: u32, mut items: ItemStream<u32>) -> Answer<u32> {
        for _ in 0..n {
            items.next().await.ok_or("the input ended early")?;
        }
        // The rest stays unread (and the input open) until `release`.
        self.probes.wait_for_release().await;
        drop(items);
        Ok(n)
    }

    async fn release(&self, _: CallContext, waiting: u32) -> Answer<u32> {
        at_least(&self.probes.waiting, waiting).await?;
        let mut released = 0;
        self.probes
            .waiting
            .send_modify(|n| released = std::mem::take(n));
        self.probes.gate.notify_waiters();
        Ok(released)
    }

    fn echo_batches(
        &self,
        _: CallContext,
        items: ItemStream<Batch>,
    ) -> impl Stream<Item = Answer<Batch>> + Send {
        items.map(Ok)
    }

    async fn die(&self, _: CallContext) -> Answer<()> {
        std::process::exit(0)
    }

    async fn hang(&self, _: CallContext) -> Answer<()> {
        let _running = HangProbe::new(&self.probes);
        std::future::pending().await
    }

    async fn hanging(&self, _: CallContext, at_least_: u32) -> Answer<u32> {
        at_least(&self.probes.hanging, at_least_).await
    }
}
