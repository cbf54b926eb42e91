//! Typed stream items: a handler's input stream decoded, a handler's output stream and a
//! client's input stream encoded.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures_util::stream::{Stream, StreamExt};
use serde_with::SerializeAs;

use crate::protocol::args::{encode_as, BoxFuture};
use crate::protocol::binary::Payload;
use crate::protocol::error::IpcError;
use crate::protocol::lock;
use crate::protocol::stream::{InputStream, ItemSource};

/// A streaming parameter as a handler receives it: the items the frontend sends, decoded.
///
/// Credit is granted as items are taken, so a handler that reads slowly slows the frontend
/// down; dropping the stream before its end tells the frontend to stop (`stop`). An item that
/// does not decode ends the stream and the call (`badRequest`).
pub struct ItemStream<T> {
    input: Option<InputStream>,
    decode: fn(&Payload) -> Result<T, serde_json::Error>,
    name: String,
    seq: u64,
}

impl<T> ItemStream<T> {
    /// The parameter `name`'s items, arriving on `input`, each decoded with `decode`.
    pub(crate) fn new(
        input: InputStream,
        name: &str,
        decode: fn(&Payload) -> Result<T, serde_json::Error>,
    ) -> ItemStream<T> {
        ItemStream {
            input: Some(input),
            decode,
            name: name.to_owned(),
            seq: 0,
        }
    }
}

impl<T> std::fmt::Debug for ItemStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ItemStream")
            .field("name", &self.name)
            .field("seq", &self.seq)
            .finish_non_exhaustive()
    }
}

impl<T> Stream for ItemStream<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = self.get_mut();
        let Some(input) = this.input.as_mut() else {
            return Poll::Ready(None);
        };
        let Some(raw) = std::task::ready!(Pin::new(&mut *input).poll_next(cx)) else {
            this.input = None;
            return Poll::Ready(None);
        };
        let seq = this.seq;
        this.seq += 1;
        match (this.decode)(&raw) {
            Ok(value) => Poll::Ready(Some(value)),
            Err(error) => {
                input.fail(IpcError::bad_request(format!(
                    "item #{seq} of `{}` does not decode: {error}",
                    this.name
                )));
                this.input = None;
                Poll::Ready(None)
            }
        }
    }
}

/// Builds a method's output stream from an async body that sends items through an
/// [`ItemSink`]; what the body returns ends the stream (`Ok`: the call's `result`, `Err`: its
/// `error`). The body runs only while the stream is polled, and each [`ItemSink::send`] waits
/// until its item was taken, so the host polls the handler's stream only while the frontend's
/// credit lasts. The body may borrow what it owns (the handler), which a returned
/// `impl Stream` borrowing `&self` needs:
///
/// ```ignore
/// "tail" => ::ipcc_runtime::codegen::item_stream(move |mut sink| async move {
///     let mut args = args;
///     let path: String = args.next::<String, Same>("path")?;
///     args.finish()?;
///     sink.forward::<LogLine, Same, _, _>(handler.tail(ctx, path), |e| declared_error(&e)).await
/// }),
/// ```
pub fn item_stream<F, Fut>(body: F) -> ItemSource
where
    F: FnOnce(ItemSink) -> Fut,
    Fut: Future<Output = Result<(), IpcError>> + Send + 'static,
{
    let slot = Arc::new(Mutex::new(None));
    let body = body(ItemSink { slot: slot.clone() });
    Box::pin(SinkStream {
        slot,
        body: Some(Box::pin(body)),
        outcome: None,
    })
}

/// Where an [`item_stream`] body sends its items.
pub struct ItemSink {
    slot: Arc<Mutex<Option<Payload>>>,
}

impl std::fmt::Debug for ItemSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ItemSink").finish_non_exhaustive()
    }
}

impl ItemSink {
    /// Sends one encoded item; resolves once the stream's consumer took it.
    pub async fn send_raw(&mut self, item: Payload) {
        *lock(&self.slot) = Some(item);
        std::future::poll_fn(|_| {
            // Pending while the item waits: the stream hands it out and polls the body again
            // on its next poll, so no waker is needed.
            if lock(&self.slot).is_some() {
                Poll::Pending
            } else {
                Poll::Ready(())
            }
        })
        .await
    }

    /// Encodes `value` through the adapter `A` (as [`encode_result`]) and sends it.
    pub async fn send<T: 'static, A: SerializeAs<T> + 'static>(
        &mut self,
        value: T,
    ) -> Result<(), IpcError> {
        let item = encode_as::<T, A>(value)?;
        self.send_raw(item).await;
        Ok(())
    }

    /// Sends every item of a handler's stream, encoded through `A`; its first `Err` ends the
    /// stream with `error(e)` (e.g. [`declared_error`], or `HandlerError::into_ipc_error`).
    pub async fn forward<T, A, E, S>(
        &mut self,
        items: S,
        mut error: impl FnMut(E) -> IpcError,
    ) -> Result<(), IpcError>
    where
        T: 'static,
        A: SerializeAs<T> + 'static,
        S: Stream<Item = Result<T, E>>,
    {
        let mut items = std::pin::pin!(items);
        while let Some(item) = items.next().await {
            match item {
                Ok(value) => self.send::<T, A>(value).await?,
                Err(failure) => return Err(error(failure)),
            }
        }
        Ok(())
    }
}

/// The stream of an [`item_stream`].
struct SinkStream {
    slot: Arc<Mutex<Option<Payload>>>,
    body: Option<BoxFuture<Result<(), IpcError>>>,
    /// How the body ended, kept while an item it sent last is handed out.
    outcome: Option<Result<(), IpcError>>,
}

impl Stream for SinkStream {
    type Item = Result<Payload, IpcError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some(body) = self.body.as_mut() {
            if let Poll::Ready(outcome) = body.as_mut().poll(cx) {
                self.body = None;
                self.outcome = Some(outcome);
            }
        }
        if let Some(item) = lock(&self.slot).take() {
            return Poll::Ready(Some(Ok(item)));
        }
        if self.body.is_some() {
            return Poll::Pending;
        }
        match self.outcome.take() {
            Some(Err(error)) => Poll::Ready(Some(Err(error))),
            _ => Poll::Ready(None),
        }
    }
}

/// Encodes a client's input stream: each item through the adapter `A` (as [`encode_arg`]),
/// for [`crate::IpcConnection::call_with_input`] / [`crate::IpcConnection::call_stream`].
pub fn encode_items<T, A, S>(items: S) -> ItemSource
where
    A: SerializeAs<T>,
    S: Stream<Item = T> + Send + 'static,
    T: 'static,
    A: 'static,
{
    Box::pin(items.map(|value| encode_as::<T, A>(value)))
}
