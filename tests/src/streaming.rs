//! The backend of `tests/idl/streams.ipc`, written against the generated trait as a user would:
//! streams built with `futures_util::stream` combinators, input streams read with `StreamExt`.

use crate::streams::{self as s, Record, StreamError};
use futures_util::stream::{self, Stream, StreamExt};
use ipcc_runtime::codegen::ItemStream;
use ipcc_runtime::{CallContext, ChannelSpec, HandlerError, IpcHost, Raised, Registration};
use tokio::sync::watch;

/// Channels a frontend of this backend declares.
pub fn specs() -> Vec<ChannelSpec> {
    vec![s::STREAMS_SPEC, s::BLOBS_SPEC]
}

/// Mounts the streaming backends on `host`; keep the registrations alive while serving.
pub fn register(host: &IpcHost) -> [Registration; 2] {
    [
        s::register_streams(host, StreamsBackend::default()),
        s::register_blobs(host, BlobsBackend),
    ]
}

/// The `Blobs` interface: every value back as it came.
pub struct BlobsBackend;

impl s::Blobs for BlobsBackend {
    async fn echo(&self, _ctx: CallContext, data: Vec<u8>) -> Result<Vec<u8>, HandlerError> {
        Ok(data)
    }

    async fn echo_record(&self, _ctx: CallContext, record: Record) -> Result<Record, HandlerError> {
        Ok(record)
    }

    fn chunks(
        &self,
        _ctx: CallContext,
        items: ItemStream<Vec<u8>>,
    ) -> impl Stream<Item = Result<Vec<u8>, HandlerError>> + Send {
        items.map(Ok)
    }
}

/// Counts the `forever` streams the backend dropped (cancelled by their frontend).
pub struct StreamsBackend {
    dropped: watch::Sender<u32>,
}

impl Default for StreamsBackend {
    fn default() -> Self {
        StreamsBackend {
            dropped: watch::Sender::new(0),
        }
    }
}

/// Lives inside a `forever` stream; counts the stream as dropped when it goes.
struct DropGuard(watch::Sender<u32>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.0.send_modify(|count| *count += 1);
    }
}

impl s::Streams for StreamsBackend {
    fn count(
        &self,
        _ctx: CallContext,
        n: u32,
    ) -> impl Stream<Item = Result<u32, HandlerError>> + Send {
        stream::iter((0..n).map(Ok))
    }

    async fn sum(&self, _ctx: CallContext, values: ItemStream<i64>) -> Result<i64, HandlerError> {
        let mut values = values;
        let mut total: i64 = 0;
        while let Some(value) = values.next().await {
            total = total
                .checked_add(value)
                .ok_or_else(|| HandlerError::new("sum overflows i64"))?;
        }
        Ok(total)
    }

    fn echo(
        &self,
        _ctx: CallContext,
        prefix: String,
        items: ItemStream<String>,
    ) -> impl Stream<Item = Result<String, HandlerError>> + Send {
        items.map(move |item| Ok(format!("{prefix}{item}")))
    }

    fn fail_after(
        &self,
        _ctx: CallContext,
        n: u32,
    ) -> impl Stream<Item = Result<u32, Raised<StreamError>>> + Send {
        stream::iter((0..n).map(Ok)).chain(stream::once(async move {
            Err(StreamError::Failed { after: n }.into())
        }))
    }

    async fn upload(
        &self,
        _ctx: CallContext,
        max: u32,
        chunks: ItemStream<Vec<u8>>,
    ) -> Result<u64, Raised<StreamError>> {
        let mut chunks = chunks;
        let mut size = 0u64;
        while let Some(chunk) = chunks.next().await {
            if chunk.len() > max as usize {
                return Err(StreamError::TooLarge {
                    size: chunk.len() as u64,
                }
                .into());
            }
            size += chunk.len() as u64;
        }
        Ok(size)
    }

    fn forever(&self, _ctx: CallContext) -> impl Stream<Item = Result<u64, HandlerError>> + Send {
        let guard = DropGuard(self.dropped.clone());
        stream::unfold((0u64, guard), |(next, guard)| async move {
            Some((Ok(next), (next + 1, guard)))
        })
    }

    async fn dropped_streams(&self, _ctx: CallContext, n: u32) -> Result<u32, HandlerError> {
        let mut dropped = self.dropped.subscribe();
        let count = dropped.wait_for(|count| *count >= n).await?;
        Ok(*count)
    }

    fn records(
        &self,
        _ctx: CallContext,
        items: ItemStream<Option<Record>>,
    ) -> impl Stream<Item = Result<Option<Record>, HandlerError>> + Send {
        items.map(Ok)
    }

    fn shadows(
        &self,
        _ctx: CallContext,
        call: s::Item,
        args: String,
        input: ItemStream<s::Result>,
    ) -> impl Stream<Item = Result<s::Option, Raised<s::Stream>>> + Send {
        input.map(move |result| {
            if result.ok {
                Ok(s::Option {
                    some: Some(call.sink.len() as i64 + args.len() as i64),
                })
            } else {
                Err(s::Stream::Next {
                    error: format!("{}{args}", call.sink),
                }
                .into())
            }
        })
    }
}
