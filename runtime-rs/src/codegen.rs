//! Everything generated Rust code names, and nothing else: `::ipcc_runtime::codegen::*`.
//!
//! Generated code uses absolute paths into this module only, so a backend depends on
//! `ipcc-runtime` alone (serde and serde_with are re-exported). The contract is
//! `docs/generated-code.md`.

use std::future::Future;
use std::pin::Pin;

use serde_with::de::DeserializeAsWrap;
use serde_with::ser::SerializeAsWrap;
use serde_with::{DeserializeAs, SerializeAs};

pub use serde;
pub use serde::{Deserialize, Serialize};
pub use serde_json;
pub use serde_json::value::RawValue;
pub use serde_with;
pub use serde_with::serde_as;

pub use crate::connection::{CallOptions, ConnectOptions, IpcConnection, ListenerHandle};
pub use crate::error::{CallError, ErrorCode, HandlerError, IpcError};
pub use crate::host::{
    CallContext, ChannelSpec, ConnectionId, Dispatch, IpcHost, NotifyTarget, Registration,
};
pub use crate::wire;

/// What a dispatched call produces: the encoded result, or the error to send.
pub type Reply = Result<Box<RawValue>, IpcError>;

/// A boxed, sendable future, as returned by [`Dispatch::dispatch`].
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// The positional arguments of one call or notification, decoded one by one.
pub struct Args {
    values: std::vec::IntoIter<Box<RawValue>>,
    total: usize,
    position: usize,
}

impl Args {
    /// Arguments as received (each an encoded JSON value).
    pub fn new(values: Vec<Box<RawValue>>) -> Args {
        Args {
            total: values.len(),
            values: values.into_iter(),
            position: 0,
        }
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
        decode_as::<T, A>(raw.get()).map_err(|error| {
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

/// Decodes one JSON text through the adapter `A`.
fn decode_as<T, A>(text: &str) -> Result<T, serde_json::Error>
where
    A: for<'de> DeserializeAs<'de, T>,
{
    serde_json::from_str::<DeserializeAsWrap<T, A>>(text).map(DeserializeAsWrap::into_inner)
}

/// Encodes one value through the adapter `A` into a JSON text.
fn encode_as<T, A: SerializeAs<T>>(value: &T) -> Result<Box<RawValue>, IpcError> {
    serde_json::value::to_raw_value(&SerializeAsWrap::<T, A>::new(value))
        .map_err(|error| IpcError::internal(format!("value does not encode: {error}")))
}

/// Encodes an argument of a call or notification.
pub fn encode_arg<T, A: SerializeAs<T>>(value: &T) -> Result<Box<RawValue>, IpcError> {
    encode_as::<T, A>(value)
}

/// Encodes a handler's result.
pub fn encode_result<T, A: SerializeAs<T>>(value: &T) -> Reply {
    encode_as::<T, A>(value)
}

/// Decodes a call's result; a malformed one is `badRequest`.
// Takes the box `IpcConnection::call` returns, so generated code passes it straight through.
#[allow(clippy::boxed_local)]
pub fn decode_result<T, A>(value: Box<RawValue>) -> Result<T, IpcError>
where
    A: for<'de> DeserializeAs<'de, T>,
{
    decode_as::<T, A>(value.get())
        .map_err(|error| IpcError::bad_request(format!("result does not decode: {error}")))
}

/// Decodes one value of the wire (a conformance-vector or test helper; same rules as arguments).
pub fn decode_value<T, A>(text: &str) -> Result<T, IpcError>
where
    A: for<'de> DeserializeAs<'de, T>,
{
    decode_as::<T, A>(text).map_err(|error| IpcError::bad_request(error.to_string()))
}

/// Encodes one value for the wire (the counterpart of [`decode_value`]).
pub fn encode_value<T, A: SerializeAs<T>>(value: &T) -> Result<String, IpcError> {
    encode_as::<T, A>(value).map(|raw| raw.get().to_owned())
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
