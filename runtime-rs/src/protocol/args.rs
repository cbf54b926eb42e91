//! Argument encoding: the positional arguments a call carries, and the encoders and decoders
//! generated code runs on arguments, results and declared errors.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::Serialize;
use serde_json::value::RawValue;
use serde_with::ser::SerializeAsWrap;
use serde_with::{DeserializeAs, SerializeAs};

use crate::protocol::binary::{Attachments, Payload};
use crate::protocol::error::{ErrorCode, IpcError};
use crate::protocol::items::ItemStream;
use crate::protocol::stream::InputStream;

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
        Ok(ItemStream::new(input, name, Payload::decode::<T, A>))
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
        crate::protocol::binary::decode::<T, A>(raw.get(), self.attachments.as_ref()).map_err(
            |error| {
                IpcError::bad_request(format!(
                    "argument `{name}` (#{}) does not decode: {error}",
                    self.position
                ))
            },
        )
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
pub(crate) fn decode_as<T, A>(text: &str) -> Result<T, serde_json::Error>
where
    A: for<'de> DeserializeAs<'de, T>,
{
    crate::protocol::binary::decode::<T, A>(text, None)
}

/// Encodes one value through the adapter `A` for the wire (`bytes` kept apart; a value that is
/// `bytes` itself moves into the payload, uncopied).
pub(crate) fn encode_as<T: 'static, A: SerializeAs<T> + 'static>(
    value: T,
) -> Result<Payload, IpcError> {
    crate::protocol::binary::encode_owned::<T, A>(value)
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
