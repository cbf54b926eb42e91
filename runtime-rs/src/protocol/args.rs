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
    values: Values,
    /// The attachments of the binary message the arguments came in.
    attachments: Option<Arc<Attachments>>,
    position: usize,
    /// The call's input stream (protocol v2), until [`Args::next_stream`] takes it.
    input: Option<InputStream>,
}

/// Where the arguments' JSON is.
enum Values {
    /// Each argument's JSON apart.
    List {
        values: std::vec::IntoIter<Box<RawValue>>,
        total: usize,
    },
    /// A received call's `args` array, whole, read from `at` on: each argument is decoded
    /// straight from it (one copy of the array's text per call, instead of splitting it into
    /// one allocation per argument first, which scanned the arguments once more).
    Array {
        /// Valid JSON text of an array (the message it came from was parsed whole).
        text: Box<str>,
        /// Where the next argument starts, or the closing `]`.
        at: usize,
    },
}

impl Values {
    /// The JSON text that starts with the next argument (`None` when none is left).
    fn rest(&self) -> Option<&str> {
        match self {
            Values::List { values, .. } => values.as_slice().first().map(|raw| raw.get()),
            Values::Array { text, at } => {
                let rest = &text[*at..];
                (!rest.starts_with(']')).then_some(rest)
            }
        }
    }

    /// Moves past the next argument, `len` bytes long.
    fn advance(&mut self, len: usize) {
        match self {
            Values::List { values, .. } => {
                values.next();
            }
            Values::Array { text, at } => {
                *at = skip_separator(text, *at + len);
            }
        }
    }

    /// How many arguments are left.
    fn left(&self) -> usize {
        match self {
            Values::List { values, .. } => values.len(),
            Values::Array { text, at } => {
                if text[*at..].starts_with(']') {
                    return 0;
                }
                // Only to word an error: the rest, read as an array of its own.
                serde_json::from_str::<Vec<serde::de::IgnoredAny>>(&format!("[{}", &text[*at..]))
                    .map_or(1, |rest| rest.len())
            }
        }
    }
}

/// The index past JSON whitespace from `at`, then past a `,` and the whitespace after it.
fn skip_separator(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    let skip = |mut at: usize| {
        while bytes
            .get(at)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            at += 1;
        }
        at
    };
    let at = skip(at);
    if bytes.get(at) == Some(&b',') {
        skip(at + 1)
    } else {
        at
    }
}

impl Args {
    /// Arguments as received (each an encoded JSON value).
    pub fn new(values: Vec<Box<RawValue>>) -> Args {
        Args {
            values: Values::List {
                total: values.len(),
                values: values.into_iter(),
            },
            attachments: None,
            position: 0,
            input: None,
        }
    }

    /// The arguments of a received call: `args`, the JSON text of an array as the message
    /// carried it (the message was parsed whole, so it is valid JSON).
    pub(crate) fn received_array(args: &str, attachments: Option<Arc<Attachments>>) -> Args {
        debug_assert!(args.starts_with('['));
        Args {
            values: Values::Array {
                text: args.into(),
                at: skip_separator(args, 1),
            },
            attachments,
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
        match self.values.rest() {
            Some(rest) if is_null(rest) => self.values.advance(4),
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
        let Some(rest) = self.values.rest() else {
            return Err(IpcError::bad_request(format!(
                "missing argument `{name}` (#{})",
                self.position
            )));
        };
        let (value, len) =
            crate::protocol::binary::decode_first::<T, A>(rest, self.attachments.as_ref())
                .map_err(|error| {
                    IpcError::bad_request(format!(
                        "argument `{name}` (#{}) does not decode: {error}",
                        self.position
                    ))
                })?;
        self.values.advance(len);
        Ok(value)
    }

    /// Decodes the next optional (`name?: T`) argument: missing or `null` is `None`.
    pub fn next_optional<T, A>(&mut self, name: &str) -> Result<Option<T>, IpcError>
    where
        A: for<'de> DeserializeAs<'de, T>,
    {
        match self.values.rest() {
            None => {
                self.position += 1;
                Ok(None)
            }
            Some(rest) if is_null(rest) => {
                self.values.advance(4);
                self.position += 1;
                Ok(None)
            }
            Some(_) => self.next::<T, A>(name).map(Some),
        }
    }

    /// Fails with `badRequest` if arguments are left over.
    pub fn finish(self) -> Result<(), IpcError> {
        if self.values.rest().is_none() {
            return Ok(());
        }
        let left = self.values.left();
        let total = match &self.values {
            Values::List { total, .. } => *total,
            Values::Array { .. } => self.position + left,
        };
        Err(IpcError::bad_request(format!(
            "too many arguments: expected {}, got {}",
            total - left,
            total
        )))
    }
}

/// Whether the JSON text that starts with an argument starts with `null` (in valid JSON, no
/// other value starts with `n`).
fn is_null(rest: &str) -> bool {
    rest.starts_with("null")
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

#[cfg(test)]
mod tests {
    use serde_with::Same;

    use super::*;

    /// A received array is read in place: whitespace anywhere, `null` slots, optional
    /// arguments left out, and the same errors as arguments given one by one.
    #[test]
    fn arguments_decode_from_the_array_text() {
        let mut args =
            Args::received_array(" [ 1 ,\t\"two\" , null,[3, 4] ,{\"a\":[]} ] ".trim(), None);
        assert_eq!(args.next::<i32, Same>("a").unwrap(), 1);
        assert_eq!(args.next::<String, Same>("b").unwrap(), "two");
        assert_eq!(args.next_optional::<i32, Same>("c").unwrap(), None);
        assert_eq!(args.next::<Vec<u8>, Same>("d").unwrap(), [3, 4]);
        let error = args.finish().unwrap_err();
        assert_eq!(error.message, "too many arguments: expected 4, got 5");

        let mut args = Args::received_array("[1]", None);
        assert_eq!(args.next::<i32, Same>("a").unwrap(), 1);
        assert_eq!(args.next_optional::<i32, Same>("b").unwrap(), None);
        args.finish().unwrap();
        let error = args_error(Args::received_array("[]", None).next::<i32, Same>("a"));
        assert_eq!(error, "missing argument `a` (#1)");
        let error = args_error(Args::received_array("[true, 2]", None).next::<i32, Same>("a"));
        assert!(
            error.starts_with("argument `a` (#1) does not decode: invalid type: boolean"),
            "{error}"
        );
        let error = args_error(Args::received_array("[12345678901]", None).next::<i32, Same>("a"));
        assert!(
            error.starts_with("argument `a` (#1) does not decode"),
            "{error}"
        );

        // The same through arguments given one by one.
        let values = ["1", "null"].map(|text| RawValue::from_string(text.to_owned()).unwrap());
        let mut args = Args::new(values.to_vec());
        assert_eq!(args.next::<i32, Same>("a").unwrap(), 1);
        assert_eq!(args.next_optional::<i32, Same>("b").unwrap(), None);
        args.finish().unwrap();
    }

    fn args_error<T>(result: Result<T, IpcError>) -> String {
        match result {
            Ok(_) => panic!("expected an error"),
            Err(error) => error.message,
        }
    }
}
