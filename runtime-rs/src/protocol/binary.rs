//! Binary `bytes` (protocol v2, docs/protocol.md "Version 2: binary `bytes`"): encoded values
//! that carry their `bytes` beside the JSON, and the binary message layout.
//!
//! Encoding cannot know which form a value will travel in: a notification goes to binary and
//! text connections alike. So an encoded value ([`Payload`]) keeps each `bytes` value apart, with
//! a placeholder in its JSON, and the message writer puts in either a base64 string (text
//! message) or an attachment index (binary message). The placeholder is the JSON string `"\/b"`,
//! which serde_json never writes for a string of its own (it does not escape `/`), so the n-th
//! placeholder in the text is the n-th value kept apart.
//!
//! Decoding, the `bytes` adapter ([`crate::protocol::wire::Base64`]) reads an attachment index from the
//! message the value came in; both directions reach the adapter through a thread-local context
//! set for exactly one synchronous serde call.

use std::any::{Any, TypeId};
use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use base64::Engine as _;
use serde_json::value::RawValue;
use serde_with::de::DeserializeAsWrap;
use serde_with::ser::SerializeAsWrap;
use serde_with::{DeserializeAs, SerializeAs};

use crate::transport::out::{BinaryOut, OutMessage};

/// The `features` entry that offers (hello) or grants (welcome) binary `bytes`.
pub const BINARY_FEATURE: &str = "binary";

/// What stands in an encoded value's JSON for one `bytes` value kept apart.
const PLACEHOLDER: &str = r#""\/b""#;

/// One encoded value as the runtime carries it: its JSON text, and the `bytes` values it holds
/// beside it (kept apart when encoded here, or the attachments of the message it came in).
///
/// Dereferences to its JSON ([`RawValue`]); a value built from plain JSON has no bytes apart.
/// A value received in a binary message decodes only with that message's attachments: its
/// JSON, sent on as it is, would carry attachment indexes, not the bytes.
pub struct Payload {
    json: Json,
    blobs: Blobs,
}

/// An encoded value's JSON text.
enum Json {
    Raw(Box<RawValue>),
    /// serde_json's own output for a value encoded here, kept as it was written (valid JSON by
    /// construction, never with a raw line break): no copy into a `RawValue` (and no shrinking
    /// of serde_json's buffer) unless one is asked for, and a message written around it
    /// reuses its buffer ([`Payload::into_message`]).
    Written {
        text: String,
        raw: OnceLock<Box<RawValue>>,
    },
}

impl Json {
    fn get(&self) -> &str {
        match self {
            Json::Raw(raw) => raw.get(),
            Json::Written { text, .. } => text,
        }
    }

    fn raw(&self) -> &RawValue {
        match self {
            Json::Raw(raw) => raw,
            Json::Written { text, raw } => raw.get_or_init(|| {
                RawValue::from_string(text.clone()).expect("serde_json writes valid JSON")
            }),
        }
    }
}

impl Clone for Json {
    fn clone(&self) -> Json {
        match self {
            Json::Raw(raw) => Json::Raw(raw.clone()),
            Json::Written { text, .. } => Json::Written {
                text: text.clone(),
                raw: OnceLock::new(),
            },
        }
    }
}

enum Blobs {
    None,
    /// Encoded here: the n-th placeholder of the JSON stands for the n-th.
    Encoded(Vec<Vec<u8>>),
    /// Received in a binary message: its JSON's indexes refer to these.
    Received(Arc<Attachments>),
}

impl Payload {
    /// The JSON `null` (a `void` result, a stream parameter's slot).
    pub fn null() -> Payload {
        Payload::from(RawValue::NULL.to_owned())
    }

    /// The value's JSON text (with placeholders or indexes where `bytes` are kept apart).
    pub fn json(&self) -> &RawValue {
        self.json.raw()
    }

    /// The value's JSON text (what [`RawValue::get`] of [`Payload::json`] returns, without
    /// making a `RawValue` of a value encoded here).
    pub fn get(&self) -> &str {
        self.json.get()
    }

    /// At least the length of the value's text in a text message (its JSON, each `bytes` kept
    /// apart as its base64 string): what a message around it reserves, so that it is written
    /// without growing.
    pub(crate) fn text_len(&self) -> usize {
        let base64: usize = match &self.blobs {
            Blobs::Encoded(blobs) => blobs
                .iter()
                .map(|blob| 4 * blob.len().div_ceil(3) + 2)
                .sum(),
            _ => 0,
        };
        self.get().len() + base64
    }

    /// A message whose text is `prefix`, this value's JSON and `suffix`, written in this
    /// value's own buffer when it has one and no `bytes` apart (a reply to a call: no second
    /// buffer, no copy of the value); `None` otherwise, the value given back.
    pub(crate) fn into_message(self, prefix: &str, suffix: &str) -> Result<String, Payload> {
        match self {
            Payload {
                json: Json::Written { mut text, .. },
                blobs: Blobs::None,
            } => {
                text.reserve(prefix.len() + suffix.len());
                text.insert_str(0, prefix);
                text.push_str(suffix);
                Ok(text)
            }
            other => Err(other),
        }
    }

    /// A value of a received message: a copy of its JSON, sharing the message's attachments.
    pub(crate) fn received(json: &RawValue, attachments: Option<&Arc<Attachments>>) -> Payload {
        Payload {
            json: Json::Raw(json.to_owned()),
            blobs: match attachments {
                Some(attachments) => Blobs::Received(attachments.clone()),
                None => Blobs::None,
            },
        }
    }

    /// The attachments a received value's indexes refer to.
    pub(crate) fn attachments(&self) -> Option<&Arc<Attachments>> {
        match &self.blobs {
            Blobs::Received(attachments) => Some(attachments),
            _ => None,
        }
    }

    /// Decodes the value through the adapter `A`.
    pub fn decode<T, A>(&self) -> Result<T, serde_json::Error>
    where
        A: for<'de> DeserializeAs<'de, T>,
    {
        decode::<T, A>(self.get(), self.attachments())
    }
}

impl From<Box<RawValue>> for Payload {
    fn from(json: Box<RawValue>) -> Payload {
        Payload {
            json: Json::Raw(json),
            blobs: Blobs::None,
        }
    }
}

impl std::ops::Deref for Payload {
    type Target = RawValue;

    fn deref(&self) -> &RawValue {
        self.json.raw()
    }
}

impl Clone for Payload {
    fn clone(&self) -> Payload {
        Payload {
            json: self.json.clone(),
            blobs: match &self.blobs {
                Blobs::None => Blobs::None,
                Blobs::Encoded(blobs) => Blobs::Encoded(blobs.clone()),
                Blobs::Received(attachments) => Blobs::Received(attachments.clone()),
            },
        }
    }
}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let blobs = match &self.blobs {
            Blobs::None => 0,
            Blobs::Encoded(blobs) => blobs.len(),
            Blobs::Received(attachments) => attachments.len(),
        };
        f.debug_struct("Payload")
            .field("json", &self.get())
            .field("blobs", &blobs)
            .finish()
    }
}

thread_local! {
    /// While a value is encoded for the wire: the `bytes` values kept apart so far.
    static KEPT_APART: RefCell<Option<Vec<Vec<u8>>>> = const { RefCell::new(None) };
    /// While a received value is decoded: the attachments of its message.
    static ATTACHED: RefCell<Option<Arc<Attachments>>> = const { RefCell::new(None) };
}

/// Encodes an owned `value` through the adapter `A`, keeping its `bytes` values apart.
///
/// A `bytes` value on its own (a parameter, result or stream item of type `bytes` or `bytes?`)
/// moves into the payload as it is; `bytes` inside a struct, list, map or union are copied once
/// ([`encode`]): serde lends the adapter only a borrow of them.
pub(crate) fn encode_owned<T: 'static, A: SerializeAs<T> + 'static>(
    value: T,
) -> Result<Payload, serde_json::Error> {
    let mut slot = Some(value);
    let adapter = TypeId::of::<A>();
    if adapter == TypeId::of::<crate::protocol::wire::Base64>()
        || adapter == TypeId::of::<Option<crate::protocol::wire::Base64>>()
    {
        if let Some(payload) = take_bytes(&mut slot) {
            return Ok(payload);
        }
    }
    let value = slot.expect("`take_bytes` takes the value only when it returns its payload");
    encode::<T, A>(&value)
}

/// The payload of a value of type `Vec<u8>` or `Option<Vec<u8>>`, moved out of `slot`; `None`
/// (and `slot` untouched) for any other type.
fn take_bytes(slot: &mut dyn Any) -> Option<Payload> {
    let bytes = if let Some(bytes) = slot.downcast_mut::<Option<Vec<u8>>>() {
        bytes.take()?
    } else {
        match slot.downcast_mut::<Option<Option<Vec<u8>>>>()?.take()? {
            Some(bytes) => bytes,
            None => return Some(Payload::null()),
        }
    };
    Some(Payload {
        json: Json::Raw(placeholder().to_owned()),
        blobs: Blobs::Encoded(vec![bytes]),
    })
}

/// Encodes `value` through the adapter `A`, keeping its `bytes` values apart (copied).
pub(crate) fn encode<T, A: SerializeAs<T>>(value: &T) -> Result<Payload, serde_json::Error> {
    let outer = KEPT_APART.with(|kept| kept.borrow_mut().replace(Vec::new()));
    let json = serde_json::to_string(&SerializeAsWrap::<T, A>::new(value));
    let blobs = KEPT_APART.with(|kept| std::mem::replace(&mut *kept.borrow_mut(), outer));
    Ok(Payload {
        json: Json::Written {
            text: json?,
            raw: OnceLock::new(),
        },
        blobs: match blobs {
            Some(blobs) if !blobs.is_empty() => Blobs::Encoded(blobs),
            _ => Blobs::None,
        },
    })
}

/// Decodes a JSON text through the adapter `A`; `bytes` indexes refer to `attachments`.
pub(crate) fn decode<T, A>(
    json: &str,
    attachments: Option<&Arc<Attachments>>,
) -> Result<T, serde_json::Error>
where
    A: for<'de> DeserializeAs<'de, T>,
{
    let outer = ATTACHED.with(|attached| attached.replace(attachments.cloned()));
    let value =
        serde_json::from_str::<DeserializeAsWrap<T, A>>(json).map(DeserializeAsWrap::into_inner);
    ATTACHED.with(|attached| attached.replace(outer));
    value
}

/// Decodes the JSON value `json` starts with (more may follow it: the rest of a call's `args`
/// array) through the adapter `A`, with `attachments` as [`decode`]; returns the value and the
/// length of its text.
pub(crate) fn decode_first<T, A>(
    json: &str,
    attachments: Option<&Arc<Attachments>>,
) -> Result<(T, usize), serde_json::Error>
where
    A: for<'de> DeserializeAs<'de, T>,
{
    let outer = ATTACHED.with(|attached| attached.replace(attachments.cloned()));
    let mut values =
        serde_json::Deserializer::from_str(json).into_iter::<DeserializeAsWrap<T, A>>();
    let value = values.next();
    let len = values.byte_offset();
    ATTACHED.with(|attached| attached.replace(outer));
    match value {
        Some(value) => value.map(|value| (value.into_inner(), len)),
        None => Err(<serde_json::Error as serde::de::Error>::custom("no value")),
    }
}

/// Called by the `bytes` adapter: keeps `value` apart when a wire encoding is under way and
/// returns the placeholder to write in its place.
pub(crate) fn keep_apart(value: &[u8]) -> Option<&'static RawValue> {
    KEPT_APART.with(|kept| {
        let mut kept = kept.borrow_mut();
        let kept = kept.as_mut()?;
        kept.push(value.to_vec());
        Some(placeholder())
    })
}

fn placeholder() -> &'static RawValue {
    static PLACEHOLDER_VALUE: std::sync::OnceLock<Box<RawValue>> = std::sync::OnceLock::new();
    PLACEHOLDER_VALUE
        .get_or_init(|| RawValue::from_string(PLACEHOLDER.to_owned()).expect("valid JSON"))
}

/// Called by the `bytes` adapter for an integer: the attachment it names, taken out of the
/// message being decoded.
pub(crate) fn take_attachment(index: u64) -> Result<Vec<u8>, String> {
    ATTACHED.with(|attached| {
        let attached = attached.borrow();
        let Some(attachments) = attached.as_ref() else {
            return Err(format!(
                "an attachment index ({index}) for `bytes` in a text message, where only base64 is valid"
            ));
        };
        attachments.take(index)
    })
}

/// The attachments of one received binary message, each taken out (moved) by the one value
/// that refers to it.
pub struct Attachments {
    parts: Mutex<Vec<Option<Vec<u8>>>>,
}

impl Attachments {
    fn take(&self, index: u64) -> Result<Vec<u8>, String> {
        let mut parts = crate::protocol::lock(&self.parts);
        let count = parts.len();
        let slot = usize::try_from(index)
            .ok()
            .and_then(|i| parts.get_mut(i))
            .ok_or_else(|| {
                format!(
                    "attachment index {index} out of range: the message has {count} attachments"
                )
            })?;
        slot.take()
            .ok_or_else(|| format!("attachment {index} is referenced twice"))
    }

    fn len(&self) -> usize {
        crate::protocol::lock(&self.parts).len()
    }
}

/// A received binary message, split: its JSON text and its attachments.
pub(crate) struct BinaryMessage {
    pub attachments: Arc<Attachments>,
    text: String,
}

impl BinaryMessage {
    /// Splits a binary message; `Err` names what is wrong with its layout.
    ///
    /// The last attachment keeps the message's own buffer (its bytes moved to the front in
    /// place), so a message with one large value is not copied into a new allocation; the
    /// others are copied out, and the JSON text too.
    pub fn parse(mut message: Vec<u8>) -> Result<BinaryMessage, String> {
        let read_length = |message: &[u8], at: usize| -> Option<usize> {
            let bytes = message.get(at..at.checked_add(4)?)?;
            Some(u32::from_be_bytes(bytes.try_into().ok()?) as usize)
        };
        let Some(json_length) = read_length(&message, 0) else {
            return Err("a binary message shorter than its 4-byte header".to_owned());
        };
        let json = 4..4usize.saturating_add(json_length);
        if json.end > message.len() {
            return Err(format!(
                "a binary message's JSON length ({json_length}) runs past its end"
            ));
        }
        let Ok(text) = std::str::from_utf8(&message[json.clone()]) else {
            return Err("a binary message's JSON text is not valid UTF-8".to_owned());
        };
        let text = text.to_owned();
        let mut ranges = Vec::new();
        let mut at = json.end;
        while at < message.len() {
            let Some(length) = read_length(&message, at) else {
                return Err("a binary message ends inside an attachment's length".to_owned());
            };
            let start = at + 4;
            let end = start.saturating_add(length);
            if end > message.len() {
                return Err(format!(
                    "attachment {} of a binary message ({length} bytes) runs past its end",
                    ranges.len()
                ));
            }
            ranges.push(start..end);
            at = end;
        }
        let mut parts: Vec<Option<Vec<u8>>> = Vec::with_capacity(ranges.len());
        if let Some((last, others)) = ranges.split_last() {
            parts.extend(
                others
                    .iter()
                    .map(|range| Some(message[range.clone()].to_vec())),
            );
            message.truncate(last.end);
            message.drain(..last.start);
            parts.push(Some(message));
        }
        Ok(BinaryMessage {
            attachments: Arc::new(Attachments {
                parts: Mutex::new(parts),
            }),
            text,
        })
    }

    /// The message's JSON text.
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// A message being written: its JSON text, and (binary connections) the attachments its
/// values keep apart: borrowed from a value written more than once (a broadcast), moved out of
/// one that is written once.
pub(crate) struct MessageBuilder<'a> {
    pub text: String,
    /// `Some` when the message may go binary.
    attachments: Option<Vec<Cow<'a, [u8]>>>,
}

impl<'a> MessageBuilder<'a> {
    pub fn new(capacity: usize, binary: bool) -> MessageBuilder<'a> {
        MessageBuilder {
            text: String::with_capacity(capacity),
            attachments: binary.then(Vec::new),
        }
    }

    /// Appends a value: each `bytes` kept apart becomes an attachment index (binary) or its
    /// base64 string (text).
    pub fn push_value(&mut self, value: &'a Payload) {
        match &value.blobs {
            Blobs::Encoded(blobs) if !blobs.is_empty() => self.splice(
                value.get(),
                blobs.iter().map(|blob| Cow::Borrowed(blob.as_slice())),
            ),
            _ => crate::protocol::message::push_raw_json(&mut self.text, value.get()),
        }
    }

    /// Appends a value written only here: its kept-apart `bytes` become the message's
    /// attachments without a copy.
    pub fn push_owned(&mut self, value: Payload) {
        match value.blobs {
            Blobs::Encoded(blobs) if !blobs.is_empty() => {
                self.splice(value.json.get(), blobs.into_iter().map(Cow::Owned))
            }
            _ => crate::protocol::message::push_raw_json(&mut self.text, value.get()),
        }
    }

    /// Writes `json`, putting each of `blobs` where its placeholder is.
    fn splice(&mut self, json: &str, blobs: impl Iterator<Item = Cow<'a, [u8]>>) {
        let mut rest = json;
        for blob in blobs {
            let Some(at) = rest.find(PLACEHOLDER) else {
                break;
            };
            self.text.push_str(&rest[..at]);
            rest = &rest[at + PLACEHOLDER.len()..];
            match &mut self.attachments {
                Some(attachments) => {
                    self.text.push_str(&attachments.len().to_string());
                    attachments.push(blob);
                }
                None => {
                    self.text.push('"');
                    base64::engine::general_purpose::STANDARD.encode_string(&blob, &mut self.text);
                    self.text.push('"');
                }
            }
        }
        self.text.push_str(rest);
    }

    /// The finished message: binary when a value kept `bytes` apart, text otherwise.
    pub fn finish(self) -> OutMessage {
        match self.attachments {
            Some(attachments) if !attachments.is_empty() => {
                let mut head = Vec::with_capacity(4 + self.text.len());
                head.extend_from_slice(&(self.text.len() as u32).to_be_bytes());
                head.extend_from_slice(self.text.as_bytes());
                OutMessage::Binary(BinaryOut::from_parts(
                    head,
                    attachments.into_iter().map(Cow::into_owned).collect(),
                ))
            }
            _ => OutMessage::Text(self.text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::wire::Base64;
    use serde_with::Same;

    fn encode_bytes(value: &Vec<Vec<u8>>) -> Payload {
        encode::<Vec<Vec<u8>>, Vec<Base64>>(value).unwrap()
    }

    #[test]
    fn text_messages_carry_base64_and_binary_ones_indexes() {
        let value = encode_bytes(&vec![vec![0, 1, 2, 255], vec![], b"hi".to_vec()]);
        assert_eq!(value.json().get(), r#"["\/b","\/b","\/b"]"#);
        let mut text = MessageBuilder::new(0, false);
        text.push_value(&value);
        match text.finish() {
            OutMessage::Text(text) => assert_eq!(text, r#"["AAEC/w==","","aGk="]"#),
            other => panic!("{other:?}"),
        }
        let mut binary = MessageBuilder::new(0, true);
        binary.push_value(&value);
        let OutMessage::Binary(message) = binary.finish() else {
            panic!("expected a binary message")
        };
        let parsed = BinaryMessage::parse(message.into_vec()).unwrap();
        assert_eq!(parsed.text(), "[0,1,2]");
        let back: Vec<Vec<u8>> =
            decode::<_, Vec<Base64>>(parsed.text(), Some(&parsed.attachments)).unwrap();
        assert_eq!(back, vec![vec![0, 1, 2, 255], vec![], b"hi".to_vec()]);
    }

    /// The text form of an encoded value (base64 in place of its placeholders).
    fn text_of(value: &Payload) -> String {
        let mut text = MessageBuilder::new(0, false);
        text.push_value(value);
        match text.finish() {
            OutMessage::Text(text) => text,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bytes_on_their_own_move_and_nested_bytes_are_copied() {
        let bytes = vec![1u8, 2, 3];
        let address = bytes.as_ptr();
        let moved = encode_owned::<Vec<u8>, Base64>(bytes).unwrap();
        let Blobs::Encoded(blobs) = &moved.blobs else {
            panic!("expected bytes kept apart")
        };
        assert_eq!(blobs[0].as_ptr(), address, "the value's own buffer");
        assert_eq!(text_of(&moved), r#""AQID""#);

        let some = encode_owned::<Option<Vec<u8>>, Option<Base64>>(Some(vec![9])).unwrap();
        assert_eq!(some.json().get(), r#""\/b""#);
        assert_eq!(text_of(&some), r#""CQ==""#);
        let none = encode_owned::<Option<Vec<u8>>, Option<Base64>>(None).unwrap();
        assert_eq!(none.json().get(), "null");

        let nested = vec![vec![4u8], vec![]];
        let copied = encode_owned::<Vec<Vec<u8>>, Vec<Base64>>(nested).unwrap();
        assert_eq!(text_of(&copied), r#"["BA==",""]"#);
        let plain = encode_owned::<String, Same>("hi".to_owned()).unwrap();
        assert_eq!(plain.json().get(), r#""hi""#);
    }

    /// A value encoded here keeps serde_json's text: a `RawValue` is made only when asked for,
    /// and a message written around it uses its buffer unless it keeps `bytes` apart.
    #[test]
    fn written_values_become_messages_in_their_own_buffer() {
        let value = encode::<Vec<String>, Same>(&vec!["a\nb".to_owned()]).unwrap();
        assert_eq!(value.get(), r#"["a\nb"]"#);
        assert_eq!(value.json().get(), value.get());
        assert_eq!(value.clone().get(), value.get());
        assert_eq!(
            value.into_message("<", ">").ok().as_deref(),
            Some(r#"<["a\nb"]>"#)
        );
        let with_bytes = encode_bytes(&vec![vec![1, 2, 3]]);
        assert!(with_bytes.text_len() >= r#"["AQID"]"#.len());
        assert!(with_bytes.into_message("<", ">").is_err());
        let received = Payload::from(RawValue::from_string("[1]".to_owned()).unwrap());
        assert!(received.into_message("<", ">").is_err());
    }

    #[test]
    fn strings_that_look_like_placeholders_stay_strings() {
        // A user's string "\/b" is written by serde_json as "/b": never the placeholder.
        let value = encode::<(String, Vec<u8>), (Same, Base64)>(&("\\/b".into(), vec![7])).unwrap();
        let mut text = MessageBuilder::new(0, false);
        text.push_value(&value);
        let OutMessage::Text(text) = text.finish() else {
            panic!()
        };
        assert_eq!(text, r#"["\\/b","Bw=="]"#);
    }

    #[test]
    fn indexes_are_checked() {
        let mut message = Vec::new();
        message.extend_from_slice(&5u32.to_be_bytes());
        message.extend_from_slice(b"[0,0]");
        message.extend_from_slice(&1u32.to_be_bytes());
        message.push(9);
        let parsed = BinaryMessage::parse(message).unwrap();
        let twice = decode::<Vec<Vec<u8>>, Vec<Base64>>(parsed.text(), Some(&parsed.attachments));
        assert!(twice.unwrap_err().to_string().contains("referenced twice"));
        let out_of_range = decode::<Vec<u8>, Base64>("1", Some(&parsed.attachments));
        assert!(out_of_range
            .unwrap_err()
            .to_string()
            .contains("out of range"));
        let in_text = decode::<Vec<u8>, Base64>("0", None);
        assert!(in_text.unwrap_err().to_string().contains("text message"));
    }

    #[test]
    fn malformed_layouts_are_refused() {
        let cases: [&[u8]; 4] = [
            &[0, 0],
            &[0, 0, 0, 9, b'{', b'}'],
            &[0, 0, 0, 2, b'{', b'}', 0, 0],
            &[0, 0, 0, 2, b'{', b'}', 0, 0, 0, 5, 1],
        ];
        for case in cases {
            assert!(BinaryMessage::parse(case.to_vec()).is_err(), "{case:?}");
        }
        let bad_utf8 = vec![0, 0, 0, 1, 0xff];
        assert!(BinaryMessage::parse(bad_utf8).is_err());
    }
}
