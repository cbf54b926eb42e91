//! Generic helpers that generated code calls in place of blocks it would otherwise repeat per method.
//!
//! Each helper is monomorphised once per result and error type rather than written out once per
//! method, which keeps the generated Rust short and cheap for rustc; the layers below stay as
//! they are (this module only calls them).

use std::future::Future;

use futures_util::future::FutureExt;
use futures_util::stream::Stream;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_with::{DeserializeAs, SerializeAs};

use crate::protocol::args::{declared_error, decode_result, encode_result, Reply};
use crate::protocol::binary::Payload;
use crate::protocol::error::{CallError, HandlerError, IpcError, Raised};
use crate::protocol::stream::ItemSource;
use crate::session::connection::{CallOptions, CallStream, IpcConnection};

/// A handler's failure as the error a call replies with: [`HandlerError`] is `internal`, a
/// declared error of [`Raised`] is `declared` with the value in `data`.
pub trait HandlerFailure {
    /// The error sent to the caller.
    fn into_reply_error(self) -> IpcError;
}

impl HandlerFailure for HandlerError {
    fn into_reply_error(self) -> IpcError {
        self.into_ipc_error()
    }
}

impl<E: Serialize> HandlerFailure for Raised<E> {
    fn into_reply_error(self) -> IpcError {
        match self {
            Raised::Declared(error) => declared_error(&error),
            Raised::Internal(error) => error.into_ipc_error(),
        }
    }
}

/// The reply to a call from its handler's result: the value encoded through adapter `A`, or the
/// handler's failure as an error.
pub fn reply<T: 'static, A: SerializeAs<T> + 'static, F: HandlerFailure>(
    result: Result<T, F>,
) -> Reply {
    match result {
        Ok(value) => encode_result::<T, A>(value),
        Err(error) => Err(error.into_reply_error()),
    }
}

/// The error a streamed item of a failed handler carries (see [`reply`]).
pub fn failure<F: HandlerFailure>(error: F) -> IpcError {
    error.into_reply_error()
}

/// A streamed result item as a client method of a method that `throws` yields it: a `declared`
/// error decoded as `E` (see [`CallError::from_ipc`]).
pub fn declared_item<T, E: DeserializeOwned>(item: Result<T, IpcError>) -> Result<T, CallError<E>> {
    item.map_err(CallError::from_ipc)
}

/// The call of a client method: its arguments (as `encode_arg` gave them) sent on `channel`,
/// the result decoded as `T` through adapter `A`, or the first error (the arguments' encoding,
/// the call, the result's decoding).
///
/// A client method returns this future instead of being an `async fn` of its own: the one
/// state machine ([`call_payload`]) serves every method, and what is left per result type is
/// a `map`, which rustc builds far more cheaply than a state machine per method. Nothing is
/// sent before the future is first polled; the arguments are encoded when it is made. The
/// future owns a handle of the connection and borrows nothing.
pub fn call<T, A>(
    conn: &IpcConnection,
    channel: &'static str,
    method: &'static str,
    args: impl IntoIterator<Item = Result<Payload, IpcError>>,
    options: &CallOptions,
) -> impl Future<Output = Result<T, IpcError>> + Send + 'static
where
    A: for<'de> DeserializeAs<'de, T>,
{
    let args = args.into_iter().collect::<Result<Vec<_>, _>>();
    call_payload(conn.clone(), channel, method, args, options.clone())
        .map(|value| value.and_then(decode_result::<T, A>))
}

/// [`call`] of a method that `throws E`: a `declared` error decoded as `E` (see
/// [`CallError::from_ipc`]), every other failure as [`CallError::Ipc`].
pub fn call_declared<T, A, E>(
    conn: &IpcConnection,
    channel: &'static str,
    method: &'static str,
    args: impl IntoIterator<Item = Result<Payload, IpcError>>,
    options: &CallOptions,
) -> impl Future<Output = Result<T, CallError<E>>> + Send + 'static
where
    A: for<'de> DeserializeAs<'de, T>,
    E: DeserializeOwned,
{
    let args = args.into_iter().collect::<Result<Vec<_>, _>>();
    call_payload(conn.clone(), channel, method, args, options.clone()).map(|value| {
        let value = value.map_err(CallError::from_ipc)?;
        Ok(decode_result::<T, A>(value)?)
    })
}

/// The one state machine of every client call: the call made once its arguments encoded, or
/// the encoding's error.
async fn call_payload(
    conn: IpcConnection,
    channel: &'static str,
    method: &'static str,
    args: Result<Vec<Payload>, IpcError>,
    options: CallOptions,
) -> Result<Payload, IpcError> {
    conn.call(channel, method, args?, &options).await
}

/// Starts a call whose result streams, or a stream that fails at once with the error that
/// encoding its arguments gave.
pub fn call_stream(
    conn: &IpcConnection,
    channel: &str,
    method: &str,
    args: impl IntoIterator<Item = Result<Payload, IpcError>>,
    input: Option<ItemSource>,
    options: &CallOptions,
) -> CallStream {
    match args.into_iter().collect::<Result<Vec<_>, _>>() {
        Ok(args) => conn.call_stream(channel, method, args, input, options),
        Err(error) => CallStream::failed(error),
    }
}

/// What a handler method returns: a sendable future of its result. Implemented for every such
/// future, so a handler is written `async fn` (or returns any `impl Future + Send`); the
/// generated trait names this one trait instead of spelling out the bounds.
pub trait Handled<T, E>: Future<Output = Result<T, E>> + Send {}

impl<F, T, E> Handled<T, E> for F where F: Future<Output = Result<T, E>> + Send {}

/// What a handler method whose result streams returns: a sendable stream of item results.
pub trait HandledItems<T, E>: Stream<Item = Result<T, E>> + Send {}

impl<S, T, E> HandledItems<T, E> for S where S: Stream<Item = Result<T, E>> + Send {}

/// What a client method whose result streams returns: the items as results, a stream that
/// can be moved between tasks and polled without pinning.
pub trait CallItems<T, E>: Stream<Item = Result<T, E>> + Send + Unpin + 'static {}

impl<S, T, E> CallItems<T, E> for S where S: Stream<Item = Result<T, E>> + Send + Unpin + 'static {}

/// What a client method returns: a sendable future of the call's result (see [`call`]).
pub trait Called<T, E>: Future<Output = Result<T, E>> + Send {}

impl<F, T, E> Called<T, E> for F where F: Future<Output = Result<T, E>> + Send {}
