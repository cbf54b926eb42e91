//! Everything generated Rust code names, and nothing else: `::ipcc_runtime::codegen::*`.
//!
//! Generated code uses absolute paths into this module only, so a backend depends on
//! `ipcc-runtime` alone (serde and serde_with are re-exported). The contract is
//! `docs/generated-code.md`.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use serde_with::ser::SerializeAsWrap;
use serde_with::{DeserializeAs, SerializeAs};

pub use serde;
pub use serde::{Deserialize, Serialize};
pub use serde_json;
pub use serde_json::value::RawValue;
pub use serde_with;
pub use serde_with::serde_as;

pub use futures_util::stream::{Stream, StreamExt};

pub use crate::binary::Payload;
pub use crate::connection::{
    CallOptions, CallStream, ConnectOptions, IpcConnection, ListenerHandle,
};
pub use crate::error::{CallError, ErrorCode, HandlerError, IpcError, Raised};
pub use crate::host::{
    CallContext, ChannelSpec, ConnectionId, Dispatch, IpcHost, NotifyTarget, Registration,
};
pub use crate::stream::{InputStream, ItemSource, Streams};
pub use crate::wire;

use crate::binary::Attachments;

/// What a dispatched call produces: the encoded result, or the error to send.
pub type Reply = Result<Payload, IpcError>;

/// A boxed, sendable future, as returned by [`Dispatch::dispatch`].
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// The positional arguments of one call or notification, decoded one by one.
pub struct Args {
    values: std::vec::IntoIter<Box<RawValue>>,
    /// The attachments of the binary message the arguments came in.
    attachments: Option<Arc<Attachments>>,
    total: usize,
    position: usize,
    /// The call's input stream (protocol v2), until [`Args::next_stream`] takes it.
    input: Option<InputStream>,
}

impl Args {
    /// Arguments as received (each an encoded JSON value).
    pub fn new(values: Vec<Box<RawValue>>) -> Args {
        Args {
            total: values.len(),
            values: values.into_iter(),
            attachments: None,
            position: 0,
            input: None,
        }
    }

    /// Arguments of a received message, with its attachments when it was binary.
    pub(crate) fn received(
        values: Vec<Box<RawValue>>,
        attachments: Option<Arc<Attachments>>,
    ) -> Args {
        Args {
            attachments,
            ..Args::new(values)
        }
    }

    /// Attaches the call's input stream.
    pub(crate) fn set_input(&mut self, input: InputStream) {
        self.input = Some(input);
    }

    /// Takes the streaming parameter `name` (`AsyncIterable<T>`): its slot in the arguments is
    /// `null`, its items arrive on the call's input stream, each decoded through the adapter `A`
    /// (the same adapters as [`Args::next`]). An item that does not decode ends the call with
    /// `badRequest`.
    pub fn next_stream<T, A>(&mut self, name: &str) -> Result<ItemStream<T>, IpcError>
    where
        A: for<'de> DeserializeAs<'de, T>,
    {
        self.position += 1;
        match self.values.next() {
            Some(raw) if raw.get() == "null" => {}
            Some(_) => {
                return Err(IpcError::bad_request(format!(
                    "argument `{name}` (#{}) is a stream: its slot must be null",
                    self.position
                )))
            }
            None => {
                return Err(IpcError::bad_request(format!(
                    "missing argument `{name}` (#{})",
                    self.position
                )))
            }
        }
        let Some(input) = self.input.take() else {
            return Err(IpcError::bad_request(format!(
                "argument `{name}` (#{}) is a stream, but the call has no input stream",
                self.position
            )));
        };
        Ok(ItemStream {
            input: Some(input),
            decode: Payload::decode::<T, A>,
            name: name.to_owned(),
            seq: 0,
        })
    }

    /// Decodes the next required argument; a missing or malformed one is `badRequest`.
    pub fn next<T, A>(&mut self, name: &str) -> Result<T, IpcError>
    where
        A: for<'de> DeserializeAs<'de, T>,
    {
        self.position += 1;
        let Some(raw) = self.values.next() else {
            return Err(IpcError::bad_request(format!(
                "missing argument `{name}` (#{})",
                self.position
            )));
        };
        crate::binary::decode::<T, A>(raw.get(), self.attachments.as_ref()).map_err(|error| {
            IpcError::bad_request(format!(
                "argument `{name}` (#{}) does not decode: {error}",
                self.position
            ))
        })
    }

    /// Decodes the next optional (`name?: T`) argument: missing or `null` is `None`.
    pub fn next_optional<T, A>(&mut self, name: &str) -> Result<Option<T>, IpcError>
    where
        A: for<'de> DeserializeAs<'de, T>,
    {
        match self.values.as_slice().first() {
            None => {
                self.position += 1;
                Ok(None)
            }
            Some(raw) if raw.get() == "null" => {
                self.values.next();
                self.position += 1;
                Ok(None)
            }
            Some(_) => self.next::<T, A>(name).map(Some),
        }
    }

    /// Fails with `badRequest` if arguments are left over.
    pub fn finish(self) -> Result<(), IpcError> {
        let left = self.values.len();
        if left == 0 {
            Ok(())
        } else {
            Err(IpcError::bad_request(format!(
                "too many arguments: expected {}, got {}",
                self.total - left,
                self.total
            )))
        }
    }
}

/// Decodes one JSON text through the adapter `A` (a value of a text message).
fn decode_as<T, A>(text: &str) -> Result<T, serde_json::Error>
where
    A: for<'de> DeserializeAs<'de, T>,
{
    crate::binary::decode::<T, A>(text, None)
}

/// Encodes one value through the adapter `A` for the wire (`bytes` kept apart; a value that is
/// `bytes` itself moves into the payload, uncopied).
fn encode_as<T: 'static, A: SerializeAs<T> + 'static>(value: T) -> Result<Payload, IpcError> {
    crate::binary::encode_owned::<T, A>(value)
        .map_err(|error| IpcError::internal(format!("value does not encode: {error}")))
}

/// Encodes an argument of a call or notification.
pub fn encode_arg<T: 'static, A: SerializeAs<T> + 'static>(value: T) -> Result<Payload, IpcError> {
    encode_as::<T, A>(value)
}

/// The slot of a streaming parameter in a call's arguments (`null`).
pub fn stream_slot() -> Payload {
    Payload::null()
}

/// Encodes a handler's result.
pub fn encode_result<T: 'static, A: SerializeAs<T> + 'static>(value: T) -> Reply {
    encode_as::<T, A>(value)
}

/// Decodes a call's result; a malformed one is `badRequest`.
pub fn decode_result<T, A>(value: Payload) -> Result<T, IpcError>
where
    A: for<'de> DeserializeAs<'de, T>,
{
    value
        .decode::<T, A>()
        .map_err(|error| IpcError::bad_request(format!("result does not decode: {error}")))
}

/// Decodes one value of the wire (a conformance-vector or test helper; same rules as arguments).
pub fn decode_value<T, A>(text: &str) -> Result<T, IpcError>
where
    A: for<'de> DeserializeAs<'de, T>,
{
    decode_as::<T, A>(text).map_err(|error| IpcError::bad_request(error.to_string()))
}

/// Encodes one value for the wire as a text message carries it (the counterpart of
/// [`decode_value`]; `bytes` as base64).
pub fn encode_value<T, A: SerializeAs<T>>(value: &T) -> Result<String, IpcError> {
    serde_json::to_string(&SerializeAsWrap::<T, A>::new(value))
        .map_err(|error| IpcError::internal(format!("value does not encode: {error}")))
}

/// The `declared` error for a handler's `throws` value; its message is the type's name.
pub fn declared_error<E: Serialize>(error: &E) -> IpcError {
    let full_name = std::any::type_name::<E>();
    let name = full_name.rsplit("::").next().unwrap_or(full_name);
    match serde_json::to_value(error) {
        Ok(data) => IpcError::new(ErrorCode::Declared, name).with_data(data),
        Err(encode) => {
            IpcError::internal(format!("declared error `{name}` does not encode: {encode}"))
        }
    }
}

/// A ready future failing with `unknownMethod` (the fallback arm of a dispatch table).
pub fn unknown_method(method: &str) -> BoxFuture<Reply> {
    let error = IpcError::new(
        ErrorCode::UnknownMethod,
        format!("unknown method `{method}`"),
    );
    Box::pin(std::future::ready(Err(error)))
}

/// The error a notification listener reports for a method its block does not have.
pub fn unknown_notification(method: &str) -> IpcError {
    IpcError::new(
        ErrorCode::UnknownMethod,
        format!("unknown notification `{method}`"),
    )
}

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
        *crate::host::lock(&self.slot) = Some(item);
        std::future::poll_fn(|_| {
            // Pending while the item waits: the stream hands it out and polls the body again
            // on its next poll, so no waker is needed.
            if crate::host::lock(&self.slot).is_some() {
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
        if let Some(item) = crate::host::lock(&self.slot).take() {
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
/// for [`IpcConnection::call_with_input`] / [`IpcConnection::call_stream`].
pub fn encode_items<T, A, S>(items: S) -> ItemSource
where
    A: SerializeAs<T>,
    S: Stream<Item = T> + Send + 'static,
    T: 'static,
    A: 'static,
{
    Box::pin(items.map(|value| encode_as::<T, A>(value)))
}

/// Decodes the items of a call's output stream through the adapter `A` (as
/// [`decode_result`]); an item that does not decode is a `badRequest` item, after which the
/// stream ends (and the call is cancelled).
pub fn decode_items<T, A>(stream: CallStream) -> DecodedItems<T>
where
    A: for<'de> DeserializeAs<'de, T>,
{
    DecodedItems {
        stream: Some(stream),
        decode: Payload::decode::<T, A>,
    }
}

/// A call's output stream, decoded ([`decode_items`]).
pub struct DecodedItems<T> {
    stream: Option<CallStream>,
    decode: fn(&Payload) -> Result<T, serde_json::Error>,
}

impl<T> std::fmt::Debug for DecodedItems<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecodedItems").finish_non_exhaustive()
    }
}

impl<T> Stream for DecodedItems<T> {
    type Item = Result<T, IpcError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let Some(stream) = this.stream.as_mut() else {
            return Poll::Ready(None);
        };
        match std::task::ready!(Pin::new(stream).poll_next(cx)) {
            None => {
                this.stream = None;
                Poll::Ready(None)
            }
            Some(Err(error)) => {
                this.stream = None;
                Poll::Ready(Some(Err(error)))
            }
            Some(Ok(raw)) => match (this.decode)(&raw) {
                Ok(value) => Poll::Ready(Some(Ok(value))),
                Err(error) => {
                    this.stream = None;
                    Poll::Ready(Some(Err(IpcError::bad_request(format!(
                        "stream item does not decode: {error}"
                    )))))
                }
            },
        }
    }
}
