//! The `StreamsTest` backend of tests/vectors/streams.ipc (behaviour: tests/vectors/README.md,
//! "streams-test-v1"), on the code `ipcc` generates from it (`streams_ipc.rs`), with a probe that
//! in-process tests read: how many items its output streams yielded, and how many of its
//! streams were dropped.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use ipcc_runtime::codegen::{ItemStream, Stream, StreamExt};
use ipcc_runtime::{CallContext, HandlerError, Raised};
use tokio::sync::Notify;

use super::streams_ipc::{StreamsTest, StreamsTestError};

/// What the backend's streams did, observable by in-process tests.
#[derive(Default)]
pub struct StreamsProbe {
    /// Items the output streams yielded (each when it was polled for it).
    pub yielded: AtomicU64,
    /// Output streams handlers created.
    pub outputs_started: AtomicU64,
    /// Output streams dropped (ended, or cancelled mid-way).
    pub outputs_dropped: AtomicU64,
    /// Input streams dropped by handlers.
    pub inputs_dropped: AtomicU64,
    /// Items handlers took from input streams.
    pub taken: AtomicU64,
    /// Signalled after every change above.
    pub changed: Notify,
}

impl StreamsProbe {
    /// Waits until `ready(self)` holds, re-checking after every change.
    pub async fn wait_until(&self, ready: impl Fn(&StreamsProbe) -> bool) {
        loop {
            let changed = self.changed.notified();
            if ready(self) {
                return;
            }
            changed.await;
        }
    }

    fn bump(&self, counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::SeqCst);
        self.changed.notify_waiters();
    }
}

/// Counts a stream's drop in the probe.
struct DropGuard(Arc<StreamsProbe>, fn(&StreamsProbe) -> &AtomicU64);

impl Drop for DropGuard {
    fn drop(&mut self) {
        let probe = &self.0;
        probe.bump((self.1)(probe));
    }
}

/// Implements `StreamsTest`.
#[derive(Default, Clone)]
pub struct StreamsBackend {
    pub probe: Arc<StreamsProbe>,
}

impl StreamsBackend {
    /// An output stream of `items` that counts what it yields and when it is dropped.
    fn counted<T, E>(
        &self,
        items: impl Stream<Item = Result<T, E>> + Send + 'static,
    ) -> impl Stream<Item = Result<T, E>> + Send + 'static {
        let probe = self.probe.clone();
        probe.bump(&probe.outputs_started);
        let guard = DropGuard(self.probe.clone(), |p| &p.outputs_dropped);
        items.map(move |item| {
            let _ = &guard;
            probe.bump(&probe.yielded);
            item
        })
    }

    /// Takes up to `n` items of `items`, counting them.
    async fn take_n(&self, n: u32, items: &mut ItemStream<u32>) -> u32 {
        let mut took = 0;
        while took < n {
            if items.next().await.is_none() {
                break;
            }
            took += 1;
            self.probe.bump(&self.probe.taken);
        }
        took
    }
}

impl StreamsTest for StreamsBackend {
    fn count(
        &self,
        _ctx: CallContext,
        n: u32,
    ) -> impl Stream<Item = Result<u32, HandlerError>> + Send {
        self.counted(futures_util::stream::iter(0..n).map(Ok))
    }

    async fn sum(&self, _ctx: CallContext, values: ItemStream<u32>) -> Result<f64, HandlerError> {
        let probe = self.probe.clone();
        let total = values
            .fold(0f64, |total, value| {
                probe.bump(&probe.taken);
                std::future::ready(total + f64::from(value))
            })
            .await;
        Ok(total)
    }

    fn echo(
        &self,
        _ctx: CallContext,
        items: ItemStream<String>,
    ) -> impl Stream<Item = Result<String, HandlerError>> + Send {
        self.counted(items.map(Ok))
    }

    fn fail_after(
        &self,
        _ctx: CallContext,
        n: u32,
    ) -> impl Stream<Item = Result<u32, Raised<StreamsTestError>>> + Send {
        let failure =
            futures_util::stream::once(
                async move { Err(StreamsTestError::Failed { after: n }.into()) },
            );
        self.counted(futures_util::stream::iter(0..n).map(Ok).chain(failure))
    }

    fn hang(&self, _ctx: CallContext) -> impl Stream<Item = Result<u32, HandlerError>> + Send {
        self.counted(futures_util::stream::pending())
    }

    async fn take(
        &self,
        ctx: CallContext,
        n: u32,
        mut items: ItemStream<u32>,
    ) -> Result<u32, HandlerError> {
        let took = self.take_n(n, &mut items).await;
        drop(items);
        self.probe.bump(&self.probe.inputs_dropped);
        // Keeps running, so the backend's `stop` (not the answer) is what ends the input.
        ctx.cancelled().await;
        Ok(took)
    }

    async fn hold(
        &self,
        ctx: CallContext,
        n: u32,
        mut items: ItemStream<u32>,
    ) -> Result<u32, HandlerError> {
        let took = self.take_n(n, &mut items).await;
        // Keeps the rest unread until the call is cancelled.
        ctx.cancelled().await;
        drop(items);
        Ok(took)
    }

    async fn take_first(
        &self,
        _ctx: CallContext,
        n: u32,
        mut items: ItemStream<u32>,
    ) -> Result<Vec<u32>, HandlerError> {
        let mut got = Vec::new();
        while got.len() < n as usize {
            let Some(item) = items.next().await else {
                break;
            };
            got.push(item);
            self.probe.bump(&self.probe.taken);
        }
        // Dropped before the answer: the backend sends `stop` first.
        drop(items);
        self.probe.bump(&self.probe.inputs_dropped);
        Ok(got)
    }

    async fn ping(&self, _ctx: CallContext) -> Result<String, HandlerError> {
        Ok("pong".to_owned())
    }
}
