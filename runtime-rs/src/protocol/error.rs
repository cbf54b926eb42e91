//! Errors as values: the wire's error codes, `IpcError`, handler failures and typed call errors.

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::Value;

/// An error code of the wire protocol (`docs/protocol.md`, "Error codes").
///
/// Codes this runtime does not know are kept verbatim in [`ErrorCode::Other`], so a newer peer
/// can add codes without breaking an older one.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// No handler is registered for the call's channel.
    UnknownChannel,
    /// The channel has no such method.
    UnknownMethod,
    /// A message or an argument does not decode.
    BadRequest,
    /// The handler returned the method's declared (`throws`) error; it is in `data`.
    Declared,
    /// The handler failed or panicked.
    Internal,
    /// The call was cancelled.
    Cancelled,
    /// The call's timeout passed (frontend side).
    Timeout,
    /// A message exceeds the size limit.
    TooLarge,
    /// The connection already has the maximum number of calls in flight.
    TooManyCalls,
    /// Protocol version or the channel's schema hash differs between the two sides.
    VersionMismatch,
    /// The backend requires a token and the hello's was missing or wrong.
    Unauthorized,
    /// The connection dropped (frontend side).
    Disconnected,
    /// The call would open more streams than the connection's `maxStreams` (protocol v2).
    TooManyStreams,
    /// A stream item out of sequence or beyond its credit, or a grant past `maxCredit`
    /// (protocol v2).
    FlowControl,
    /// A code this runtime does not know.
    Other(String),
}

impl ErrorCode {
    /// The code as written on the wire (`"unknownChannel"`, ...).
    pub fn as_str(&self) -> &str {
        match self {
            ErrorCode::UnknownChannel => "unknownChannel",
            ErrorCode::UnknownMethod => "unknownMethod",
            ErrorCode::BadRequest => "badRequest",
            ErrorCode::Declared => "declared",
            ErrorCode::Internal => "internal",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::Timeout => "timeout",
            ErrorCode::TooLarge => "tooLarge",
            ErrorCode::TooManyCalls => "tooManyCalls",
            ErrorCode::VersionMismatch => "versionMismatch",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Disconnected => "disconnected",
            ErrorCode::TooManyStreams => "tooManyStreams",
            ErrorCode::FlowControl => "flowControl",
            ErrorCode::Other(code) => code,
        }
    }

    /// The code for a wire string; unknown strings become [`ErrorCode::Other`].
    pub fn from_wire(code: &str) -> ErrorCode {
        match code {
            "unknownChannel" => ErrorCode::UnknownChannel,
            "unknownMethod" => ErrorCode::UnknownMethod,
            "badRequest" => ErrorCode::BadRequest,
            "declared" => ErrorCode::Declared,
            "internal" => ErrorCode::Internal,
            "cancelled" => ErrorCode::Cancelled,
            "timeout" => ErrorCode::Timeout,
            "tooLarge" => ErrorCode::TooLarge,
            "tooManyCalls" => ErrorCode::TooManyCalls,
            "versionMismatch" => ErrorCode::VersionMismatch,
            "unauthorized" => ErrorCode::Unauthorized,
            "disconnected" => ErrorCode::Disconnected,
            "tooManyStreams" => ErrorCode::TooManyStreams,
            "flowControl" => ErrorCode::FlowControl,
            other => ErrorCode::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error as it travels on the wire: a code, a human-readable message and optional data.
#[derive(Debug, Clone, PartialEq)]
pub struct IpcError {
    /// What went wrong, for matching.
    pub code: ErrorCode,
    /// Human-readable; not for matching.
    pub message: String,
    /// Code-specific data (the declared error's value for [`ErrorCode::Declared`]).
    pub data: Option<Value>,
}

impl IpcError {
    /// An error without data.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> IpcError {
        IpcError {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// The same error carrying `data`.
    pub fn with_data(mut self, data: Value) -> IpcError {
        self.data = Some(data);
        self
    }

    /// A `badRequest` error.
    pub fn bad_request(message: impl Into<String>) -> IpcError {
        IpcError::new(ErrorCode::BadRequest, message)
    }

    /// An `internal` error.
    pub fn internal(message: impl Into<String>) -> IpcError {
        IpcError::new(ErrorCode::Internal, message)
    }

    /// A `disconnected` error.
    pub fn disconnected() -> IpcError {
        IpcError::new(ErrorCode::Disconnected, "the connection is closed")
    }

    /// A `tooLarge` error for a message of `size` bytes against `limit`.
    pub fn too_large(what: &str, size: usize, limit: usize) -> IpcError {
        IpcError::new(
            ErrorCode::TooLarge,
            format!("{what} of {size} bytes exceeds the limit of {limit} bytes"),
        )
        .with_data(serde_json::json!({ "limit": limit }))
    }

    /// The `versionMismatch` error for a channel whose schema hashes differ.
    pub fn schema_mismatch(channel: &str, frontend_hash: &str, backend_hash: &str) -> IpcError {
        IpcError::new(
            ErrorCode::VersionMismatch,
            format!(
                "channel \"{channel}\" has schema hash {frontend_hash} in the frontend but {backend_hash} in the backend"
            ),
        )
        .with_data(serde_json::json!({
            "channel": channel,
            "frontendHash": frontend_hash,
            "backendHash": backend_hash,
        }))
    }

    /// The `versionMismatch` error for one method of a channel whose schemas were compared in
    /// the handshake and found not to agree on it (docs/protocol.md, "Compatible changes").
    pub fn member_mismatch(
        channel: &str,
        method: &str,
        frontend_hash: &str,
        backend_hash: &str,
        reason: &str,
    ) -> IpcError {
        IpcError::new(
            ErrorCode::VersionMismatch,
            format!(
                "method \"{method}\" of channel \"{channel}\" does not work with this backend: {reason}"
            ),
        )
        .with_data(serde_json::json!({
            "channel": channel,
            "method": method,
            "frontendHash": frontend_hash,
            "backendHash": backend_hash,
            "reason": reason,
        }))
    }
}

impl fmt::Display for IpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for IpcError {}

/// A handler's failure that is not a declared error; it becomes an `internal` error on the wire.
///
/// Converts from any `std::error::Error` (so `?` works in handlers) and from `&str` / `String`.
/// It deliberately does not implement `std::error::Error` itself: that is what lets one blanket
/// `From` cover all of these (the same design as `anyhow::Error`).
pub struct HandlerError {
    message: String,
}

impl HandlerError {
    /// A failure with this message.
    pub fn new(message: impl Into<String>) -> HandlerError {
        HandlerError {
            message: message.into(),
        }
    }

    /// The failure's message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The `internal` wire error for this failure.
    pub fn into_ipc_error(self) -> IpcError {
        IpcError::internal(self.message)
    }
}

impl<E> From<E> for HandlerError
where
    E: Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
{
    fn from(error: E) -> HandlerError {
        let error: Box<dyn std::error::Error + Send + Sync> = error.into();
        HandlerError {
            message: error.to_string(),
        }
    }
}

impl fmt::Debug for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("HandlerError").field(&self.message).finish()
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// What a handler of a method that declares `throws E` fails with: the declared error, which
/// reaches the caller typed (`declared`), or any other failure, which reaches it as `internal`
/// exactly as a [`HandlerError`] does.
///
/// `?` works for both in one handler. The generated code implements `From<E>` for each declared
/// error type (the [`Raised::Declared`] side), and this type converts from every
/// `std::error::Error + Send + Sync + 'static`, `&str`, `String` and [`HandlerError`] (the
/// [`Raised::Internal`] side):
///
/// ```ignore
/// async fn find_person(&self, _ctx: CallContext, id: i64) -> Result<Person, Raised<LookupError>> {
///     if id < 0 {
///         return Err(LookupError::NotFound { id }.into()); // declared
///     }
///     let text = std::fs::read_to_string(self.path(id))?; // io::Error: internal
///     Ok(Person::parse(&text)?)
/// }
/// ```
///
/// The two conversions cannot both be blanket impls (they would overlap where `E` is an
/// error), hence the generated `From<E>`; for the same reason a declared error type must not
/// implement `std::error::Error`, and `Raised` does not implement it either (like
/// `anyhow::Error`).
#[derive(Debug)]
pub enum Raised<E> {
    /// The method's declared error; the caller gets a `declared` error with it in `data`.
    Declared(E),
    /// Any other failure; the caller gets an `internal` error with its message.
    Internal(HandlerError),
}

impl<E> Raised<E> {
    /// An internal failure with this message (as [`HandlerError::new`]).
    pub fn internal(message: impl Into<String>) -> Raised<E> {
        Raised::Internal(HandlerError::new(message))
    }

    /// The declared error, if that is what this is.
    pub fn as_declared(&self) -> Option<&E> {
        match self {
            Raised::Declared(error) => Some(error),
            Raised::Internal(_) => None,
        }
    }
}

impl<E, X> From<X> for Raised<E>
where
    X: Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
{
    fn from(error: X) -> Raised<E> {
        Raised::Internal(HandlerError::from(error))
    }
}

impl<E> From<HandlerError> for Raised<E> {
    fn from(error: HandlerError) -> Raised<E> {
        Raised::Internal(error)
    }
}

impl<E: fmt::Debug> fmt::Display for Raised<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Raised::Declared(error) => write!(f, "declared error: {error:?}"),
            Raised::Internal(error) => fmt::Display::fmt(error, f),
        }
    }
}

/// The error of a call to a method that declares `throws E`: the declared error, typed, or any
/// other failure.
#[derive(Debug, Clone, PartialEq)]
pub enum CallError<E> {
    /// The handler returned its declared error.
    Declared(E),
    /// Any other failure (transport, decoding, internal, ...).
    Ipc(IpcError),
}

impl<E: DeserializeOwned> CallError<E> {
    /// Sorts a wire error: `declared` with data that decodes as `E` becomes
    /// [`CallError::Declared`]; a `declared` whose data does not decode is a `badRequest`.
    pub fn from_ipc(error: IpcError) -> CallError<E> {
        if error.code != ErrorCode::Declared {
            return CallError::Ipc(error);
        }
        let data = error.data.clone().unwrap_or(Value::Null);
        // Through the adapter of named types: `E` in its one wire shape, as every value.
        match <crate::protocol::wire::Named as serde_with::DeserializeAs<'_, E>>::deserialize_as(
            data,
        ) {
            Ok(declared) => CallError::Declared(declared),
            Err(decode) => CallError::Ipc(IpcError::bad_request(format!(
                "declared error `{}` does not decode: {decode}",
                error.message
            ))),
        }
    }
}

impl<E> From<IpcError> for CallError<E> {
    fn from(error: IpcError) -> CallError<E> {
        CallError::Ipc(error)
    }
}

impl<E: fmt::Debug> fmt::Display for CallError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Declared(e) => write!(f, "declared error: {e:?}"),
            CallError::Ipc(e) => e.fmt(f),
        }
    }
}

impl<E: fmt::Debug> std::error::Error for CallError<E> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Denied;

    // What the generator writes beside each declared error type. That this compiles next to
    // the blanket `From` is the coherence the design relies on.
    impl From<Denied> for Raised<Denied> {
        fn from(error: Denied) -> Self {
            Raised::Declared(error)
        }
    }

    fn handler(how: &str) -> Result<u32, Raised<Denied>> {
        match how {
            "denied" => Err(Denied)?,
            "into" => Err(Denied.into()),
            "message" => Err("no ledger")?,
            "handler" => Err(HandlerError::new("wrapped"))?,
            number => Ok(number.parse::<u32>()?),
        }
    }

    fn internal_message(result: Result<u32, Raised<Denied>>) -> String {
        match result {
            Err(Raised::Internal(error)) => error.into_ipc_error().message,
            other => panic!("expected an internal failure, got {other:?}"),
        }
    }

    #[test]
    fn question_mark_sorts_declared_from_internal_failures() {
        assert_eq!(handler("7").unwrap(), 7);
        assert_eq!(handler("denied").unwrap_err().as_declared(), Some(&Denied));
        assert_eq!(handler("into").unwrap_err().as_declared(), Some(&Denied));
        assert_eq!(internal_message(handler("message")), "no ledger");
        assert_eq!(internal_message(handler("handler")), "wrapped");
        let parse = "x".parse::<u32>().unwrap_err().to_string();
        assert_eq!(internal_message(handler("x")), parse);
        assert_eq!(Raised::<Denied>::internal("plain").to_string(), "plain");
        assert_eq!(
            Raised::Declared(Denied).to_string(),
            "declared error: Denied"
        );
    }
}
