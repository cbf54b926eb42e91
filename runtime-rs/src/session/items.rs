//! A call's output stream, decoded for a generated client.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::stream::Stream;
use serde_with::DeserializeAs;

use crate::protocol::binary::Payload;
use crate::protocol::error::IpcError;
use crate::session::connection::CallStream;

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
