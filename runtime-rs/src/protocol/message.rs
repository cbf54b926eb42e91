//! The protocol's messages: parsing what arrives and writing what is sent (docs/protocol.md).

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::protocol::binary::{MessageBuilder, Payload, BINARY_FEATURE};
use crate::protocol::error::{ErrorCode, IpcError};
use crate::transport::out::OutMessage;

/// The base protocol version: what a `hello` announces (a v2 frontend too, so that a v1 backend
/// accepts it; it offers streams in `features`) and what a `welcome` to a v1 frontend says.
pub const PROTOCOL_VERSION: u64 = 1;

/// The highest protocol version this runtime speaks: version 2 adds streams
/// (docs/protocol.md, "Version 2: streams").
pub const STREAMS_PROTOCOL_VERSION: u64 = 2;

/// The `features` entry that offers (hello) or grants (welcome) streams.
pub const STREAMS_FEATURE: &str = "streams";

/// The size of `hello` every backend accepts, whatever its `maxMessageBytes` (a hello carries
/// the frontend's wire schemas). A frontend whose hello would be larger leaves the schemas out.
pub const HELLO_MAX_BYTES: usize = 1 << 20;

/// `maxMessageBytes` when not configured, and when a welcome leaves it out (64 MiB).
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// `maxInFlight` when not configured, and when a welcome leaves it out.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 1024;

/// A field that is there, whatever its JSON value: serde reads `null` into an `Option` as
/// `None`, which would make `"value": null` look absent.
fn present<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<&'de RawValue>, D::Error> {
    <&'de RawValue as Deserialize<'de>>::deserialize(deserializer).map(Some)
}

/// The largest valid call id: 2^53 - 1, so TypeScript numbers hold every id exactly.
pub const MAX_ID: u64 = (1 << 53) - 1;

/// Every field any message may have, each kept raw until the message's type says what it means.
/// Unknown fields are ignored; a duplicated field fails the parse.
#[derive(Deserialize, Default)]
pub(crate) struct Envelope<'a> {
    #[serde(rename = "type", borrow, default)]
    pub kind: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub channel: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub method: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub args: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub protocol: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub token: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub channels: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub schemas: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub compat: Option<&'a RawValue>,
    /// `None` only when absent: `"value": null` is a value (a `T?` item may be `null`).
    #[serde(borrow, default, deserialize_with = "present")]
    pub value: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub code: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub message: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub data: Option<&'a RawValue>,
    #[serde(rename = "maxMessageBytes", borrow, default)]
    pub max_message_bytes: Option<&'a RawValue>,
    #[serde(rename = "maxInFlight", borrow, default)]
    pub max_in_flight: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub features: Option<&'a RawValue>,
    #[serde(rename = "maxStreams", borrow, default)]
    pub max_streams: Option<&'a RawValue>,
    #[serde(rename = "maxCredit", borrow, default)]
    pub max_credit: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub input: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub credit: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub seq: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub n: Option<&'a RawValue>,
}

impl<'a> Envelope<'a> {
    /// Parses a message's text; `None` when it is not a JSON object with distinct field names.
    pub fn parse(text: &'a str) -> Option<Envelope<'a>> {
        // A derived struct would also accept a JSON array (positionally): refuse it up front.
        if !text.trim_start().starts_with('{') {
            return None;
        }
        serde_json::from_str(text).ok()
    }

    /// The `type` field, when it is a string.
    pub fn kind(&self) -> Option<Cow<'a, str>> {
        str_field(self.kind)
    }

    /// The `id` field, when it is a valid call id.
    pub fn id(&self) -> Option<u64> {
        id_field(self.id.map(RawValue::get))
    }
}

/// An `id` field's value (its raw JSON text, from a message parsed whole), when it is a valid
/// call id.
pub(crate) fn id_field(text: Option<&str>) -> Option<u64> {
    let text = text?;
    // The common case, read without a second JSON parse: the message was valid JSON, so
    // a run of digits is an integer without leading zeros, and 16 of them fit in a u64.
    let id = if (1..=16).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) {
        text.bytes()
            .fold(0, |id: u64, digit| id * 10 + u64::from(digit - b'0'))
    } else {
        serde_json::from_str(text).ok()?
    };
    (1..=MAX_ID).contains(&id).then_some(id)
}

impl Envelope<'_> {
    /// Whether `features` is an array with the string `feature` among its entries. Entries that
    /// are not strings offer nothing, and so does a `features` that is not an array (as a v1
    /// peer ignores the field); the entries are skipped as raw JSON, however deep.
    pub fn has_feature(&self, feature: &str) -> bool {
        self.features
            .and_then(|raw| serde_json::from_str::<Vec<&RawValue>>(raw.get()).ok())
            .is_some_and(|entries| {
                entries.iter().any(|entry| {
                    entry.get().starts_with('"')
                        && serde_json::from_str::<std::borrow::Cow<'_, str>>(entry.get())
                            .is_ok_and(|name| name == feature)
                })
            })
    }
}

/// A non-negative integer field (`seq`, `n`, `credit`, limits).
pub(crate) fn integer_field(raw: Option<&RawValue>) -> Option<u64> {
    integer_text(raw.map(RawValue::get))
}

/// A non-negative integer field, from its raw JSON text.
pub(crate) fn integer_text(text: Option<&str>) -> Option<u64> {
    serde_json::from_str::<u64>(text?).ok()
}

/// A string field's value.
pub(crate) fn string_field(raw: Option<&RawValue>) -> Option<String> {
    serde_json::from_str::<String>(raw?.get()).ok()
}

/// A string field's value, borrowed from the message when it has no escapes (the common case:
/// `type`, `channel` and `method` of every call are read without a copy).
pub(crate) fn str_field(raw: Option<&RawValue>) -> Option<Cow<'_, str>> {
    str_text(raw.map(RawValue::get))
}

/// A string field's value, from its raw JSON text (borrowed when it has no escapes).
pub(crate) fn str_text(text: Option<&str>) -> Option<Cow<'_, str>> {
    let text = text?;
    if let Some(inner) = text
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    {
        if !inner
            .bytes()
            .any(|byte| byte == b'\\' || byte == b'"' || byte < 0x20)
        {
            return Some(Cow::Borrowed(inner));
        }
    }
    serde_json::from_str::<String>(text).ok().map(Cow::Owned)
}

/// A `channels` map (channel → schema hash).
pub(crate) fn channel_map(raw: Option<&RawValue>) -> Result<BTreeMap<String, String>, ()> {
    match raw {
        None => Ok(BTreeMap::new()),
        Some(raw) if raw.get() == "null" => Ok(BTreeMap::new()),
        Some(raw) => serde_json::from_str(raw.get()).map_err(|_| ()),
    }
}

/// Finds `"id":<digits>` in the first bytes of an oversize message.
pub(crate) fn sniff_id(head: &str) -> Option<u64> {
    let at = head.find("\"id\"")?;
    let rest = head[at + 4..].trim_start().strip_prefix(':')?.trim_start();
    let digits: &str = &rest[..rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len())];
    if digits.is_empty() || digits.len() == rest.len() {
        // No digits, or the number may continue past the head.
        return None;
    }
    let id: u64 = digits.parse().ok()?;
    (1..=MAX_ID).contains(&id).then_some(id)
}

/// JSON text of a string.
pub(crate) fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

/// `{"type":"error",...}`.
pub(crate) fn error_message(id: Option<u64>, error: &IpcError) -> String {
    let id = id.map_or_else(|| "null".to_owned(), |id| id.to_string());
    let mut text = format!(
        r#"{{"type":"error","id":{id},"code":{},"message":{}"#,
        json_string(error.code.as_str()),
        json_string(&error.message)
    );
    if let Some(data) = &error.data {
        text.push_str(r#","data":"#);
        text.push_str(&serde_json::to_string(data).unwrap_or_else(|_| "null".to_owned()));
    }
    text.push('}');
    text
}

/// `{"type":"result",...}`; binary (on a `binary` connection) when the value keeps `bytes`
/// apart.
pub(crate) fn result_message(id: u64, value: Payload, binary: bool) -> OutMessage {
    let mut buffer = [0; 64];
    let head = result_head(id, &mut buffer);
    // A value encoded here without `bytes` (most results): the message is written around it,
    // in its own buffer.
    let value = match value.into_message(head, "}") {
        Ok(text) => return OutMessage::Text(text),
        Err(value) => value,
    };
    let mut message = MessageBuilder::new(head.len() + 1 + value.text_len(), binary);
    message.text.push_str(head);
    message.push_owned(value);
    message.text.push('}');
    message.finish()
}

/// `{"type":"result","id":<id>,"value":`, written in `buffer` (no allocation).
fn result_head(id: u64, buffer: &mut [u8; 64]) -> &str {
    const START: &[u8] = br#"{"type":"result","id":"#;
    const END: &[u8] = br#","value":"#;
    let mut digits = [0u8; 20];
    let digits = u64_digits(id, &mut digits);
    let mut len = 0;
    for part in [START, digits, END] {
        buffer[len..len + part.len()].copy_from_slice(part);
        len += part.len();
    }
    // Only ASCII was written.
    std::str::from_utf8(&buffer[..len]).unwrap_or_default()
}

/// The decimal digits of `n`, written at the end of `digits`.
fn u64_digits(n: u64, digits: &mut [u8; 20]) -> &[u8] {
    let mut at = digits.len();
    let mut rest = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    &digits[at..]
}

/// Appends an encoded value to a message being written, without line breaks.
///
/// Values reach this runtime as caller-supplied `RawValue`s (call arguments, handler results,
/// notification arguments), which keep their text verbatim, so one built from pretty-printed
/// JSON carries newlines. On stdio a message is one line: a raw newline would split it into
/// malformed lines, and the call would never be answered. Inside a valid JSON text a `\n` or
/// `\r` byte can only be insignificant whitespace (strings must escape them), so when one is
/// present the value's insignificant whitespace is dropped; every token, and so the value
/// (big numbers, key order, duplicate keys), is kept exactly. The common, already compact case
/// costs two `memchr` scans.
pub(crate) fn push_raw_json(out: &mut String, json: &str) {
    let bytes = json.as_bytes();
    if !bytes.contains(&b'\n') && !bytes.contains(&b'\r') {
        out.push_str(json);
        return;
    }
    out.reserve(json.len());
    let mut in_string = false;
    let mut escaped = false;
    // Copies the runs between whitespace bytes; every cut is at an ASCII byte, so each run is
    // valid UTF-8.
    let mut run_start = 0;
    for (at, &byte) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
        } else if byte == b'"' {
            in_string = true;
        } else if matches!(byte, b' ' | b'\t' | b'\n' | b'\r') {
            out.push_str(&json[run_start..at]);
            run_start = at + 1;
        }
    }
    out.push_str(&json[run_start..]);
}

/// Writes positional arguments as a JSON array.
fn push_args<'a>(message: &mut MessageBuilder<'a>, args: &'a [Payload]) {
    message.text.push('[');
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            message.text.push(',');
        }
        message.push_value(arg);
    }
    message.text.push(']');
}

/// The size a message's JSON text starts with, for `args`.
fn args_capacity(args: &[Payload]) -> usize {
    64 + args.iter().map(|a| a.get().len() + 1).sum::<usize>()
}

/// `{"type":"call",...}`; with `input`, the frontend sends an input stream; with `credit` (the
/// first grant), the result is a stream.
pub(crate) fn call_message(
    id: u64,
    channel: &str,
    method: &str,
    args: Vec<Payload>,
    streams: CallStreams,
    binary: bool,
) -> OutMessage {
    let mut message = MessageBuilder::new(args_capacity(&args), binary);
    message.text.push_str(&format!(
        r#"{{"type":"call","id":{id},"channel":{},"method":{},"args":"#,
        json_string(channel),
        json_string(method),
    ));
    message.text.push('[');
    for (i, arg) in args.into_iter().enumerate() {
        if i > 0 {
            message.text.push(',');
        }
        message.push_owned(arg);
    }
    message.text.push(']');
    if streams.input {
        message.text.push_str(r#","input":true"#);
    }
    if let Some(credit) = streams.credit {
        message.text.push_str(&format!(r#","credit":{credit}"#));
    }
    message.text.push('}');
    message.finish()
}

/// The stream fields of a `call` (protocol v2).
#[derive(Clone, Copy, Default)]
pub(crate) struct CallStreams {
    /// The frontend sends the items of the streaming parameter.
    pub input: bool,
    /// The result is a stream: the first credit granted.
    pub credit: Option<u64>,
}

/// `{"type":"item",...}`.
pub(crate) fn item_message(id: u64, seq: u64, value: Payload, binary: bool) -> OutMessage {
    let mut message = MessageBuilder::new(48 + value.get().len(), binary);
    message.text.push_str(r#"{"type":"item","id":"#);
    message.text.push_str(&id.to_string());
    message.text.push_str(r#","seq":"#);
    message.text.push_str(&seq.to_string());
    message.text.push_str(r#","value":"#);
    message.push_owned(value);
    message.text.push('}');
    message.finish()
}

/// `{"type":"credit",...}`.
pub(crate) fn credit_message(id: u64, n: u64) -> String {
    format!(r#"{{"type":"credit","id":{id},"n":{n}}}"#)
}

/// `{"type":"end",...}`.
pub(crate) fn end_message(id: u64) -> String {
    format!(r#"{{"type":"end","id":{id}}}"#)
}

/// `{"type":"stop",...}`.
pub(crate) fn stop_message(id: u64) -> String {
    format!(r#"{{"type":"stop","id":{id}}}"#)
}

/// `{"type":"notify",...}`.
pub(crate) fn notify_message(
    channel: &str,
    method: &str,
    args: &[Payload],
    binary: bool,
) -> OutMessage {
    let mut message = MessageBuilder::new(args_capacity(args), binary);
    message.text.push_str(&format!(
        r#"{{"type":"notify","channel":{},"method":{},"args":"#,
        json_string(channel),
        json_string(method),
    ));
    push_args(&mut message, args);
    message.text.push('}');
    message.finish()
}

/// `{"type":"cancel",...}`.
pub(crate) fn cancel_message(id: u64) -> String {
    format!(r#"{{"type":"cancel","id":{id}}}"#)
}

/// `{"type":"hello",...}`.
pub(crate) fn hello_message(
    token: Option<&str>,
    channels: &BTreeMap<String, String>,
    schemas: &BTreeMap<String, std::sync::Arc<str>>,
    max_credit: u64,
    binary: bool,
) -> String {
    let features: &[&str] = if binary {
        &[STREAMS_FEATURE, BINARY_FEATURE]
    } else {
        &[STREAMS_FEATURE]
    };
    let mut value = serde_json::json!({
        "type": "hello",
        "protocol": PROTOCOL_VERSION,
        "features": features,
        "maxCredit": max_credit,
        "channels": channels,
    });
    if let Some(token) = token {
        value["token"] = Value::String(token.to_owned());
    }
    let mut text = value.to_string();
    let schemas_len: usize = schemas.iter().map(|(c, s)| c.len() + s.len() + 8).sum();
    // Without schemas the backend compares hashes only: safe, just less forgiving.
    if !schemas.is_empty() && text.len() + schemas_len + 16 <= HELLO_MAX_BYTES {
        // The schemas are JSON texts already: spliced in, not parsed and printed again.
        text.pop();
        text.push_str(r#","schemas":{"#);
        for (index, (channel, schema)) in schemas.iter().enumerate() {
            if index > 0 {
                text.push(',');
            }
            text.push_str(&json_string(channel));
            text.push(':');
            text.push_str(schema);
        }
        text.push_str("}}");
    }
    text
}

/// The stream limits a v2 `welcome` announces.
pub(crate) struct WelcomeStreams {
    pub max_streams: usize,
    pub max_credit: u64,
    /// Binary `bytes` granted.
    pub binary: bool,
}

/// `{"type":"welcome",...}`; `compat` holds, per judged channel, the frontend's members that do
/// not work with their reasons. With `streams`, a protocol-2 welcome; else exactly v1's.
pub(crate) fn welcome_message(
    channels: &BTreeMap<String, String>,
    max_message_bytes: usize,
    max_in_flight: usize,
    compat: &BTreeMap<String, BTreeMap<String, String>>,
    streams: Option<WelcomeStreams>,
) -> String {
    let mut value = serde_json::json!({
        "type": "welcome",
        "protocol": PROTOCOL_VERSION,
        "channels": channels,
        "maxMessageBytes": max_message_bytes,
        "maxInFlight": max_in_flight,
    });
    if let Some(streams) = streams {
        value["protocol"] = STREAMS_PROTOCOL_VERSION.into();
        value["features"] = if streams.binary {
            serde_json::json!([STREAMS_FEATURE, BINARY_FEATURE])
        } else {
            serde_json::json!([STREAMS_FEATURE])
        };
        value["maxStreams"] = streams.max_streams.into();
        value["maxCredit"] = streams.max_credit.into();
    }
    if !compat.is_empty() {
        let judged: serde_json::Map<String, Value> = compat
            .iter()
            .map(|(channel, unusable)| {
                (channel.clone(), serde_json::json!({ "unusable": unusable }))
            })
            .collect();
        value["compat"] = Value::Object(judged);
    }
    value.to_string()
}

/// A `schemas` map (channel → wire schema), kept raw until each is read.
pub(crate) fn schema_map(raw: Option<&RawValue>) -> Result<BTreeMap<String, &RawValue>, ()> {
    match raw {
        None => Ok(BTreeMap::new()),
        Some(raw) => serde_json::from_str(raw.get()).map_err(|_| ()),
    }
}

/// A welcome's `compat` map (channel → unusable member → reason); an unreadable one is empty,
/// so every mismatched channel is treated as a whole (the safe reading).
pub(crate) fn compat_map(raw: Option<&RawValue>) -> BTreeMap<String, BTreeMap<String, String>> {
    #[derive(Deserialize)]
    struct Judged {
        unusable: BTreeMap<String, String>,
    }
    raw.and_then(|raw| serde_json::from_str::<BTreeMap<String, Judged>>(raw.get()).ok())
        .map(|map| map.into_iter().map(|(k, v)| (k, v.unusable)).collect())
        .unwrap_or_default()
}

/// Reads an `error` message's code, message and data.
pub(crate) fn parse_error(envelope: &Envelope<'_>) -> IpcError {
    let code = string_field(envelope.code).unwrap_or_else(|| "internal".to_owned());
    let message = string_field(envelope.message).unwrap_or_default();
    let mut error = IpcError::new(ErrorCode::from_wire(&code), message);
    if let Some(data) = envelope.data {
        if let Ok(value) = serde_json::from_str::<Value>(data.get()) {
            error.data = Some(value);
        }
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_fields_borrow_only_without_escapes() {
        let field = |json: &str| {
            let raw: Box<RawValue> = serde_json::from_str(json).unwrap();
            str_field(Some(&raw)).map(|text| (text.to_string(), matches!(text, Cow::Borrowed(_))))
        };
        assert_eq!(field(r#""add""#), Some(("add".to_owned(), true)));
        assert_eq!(field(r#""""#), Some((String::new(), true)));
        assert_eq!(field(r#""a\"b""#), Some(("a\"b".to_owned(), false)));
        assert_eq!(field(r#""\u0061dd""#), Some(("add".to_owned(), false)));
        assert_eq!(
            field(r#""caf\u00e9 ☕""#),
            Some(("café ☕".to_owned(), false))
        );
        assert_eq!(field("12"), None);
        assert_eq!(field("null"), None);
        assert_eq!(str_field(None), None);
    }

    #[test]
    fn u64_digits_and_result_heads() {
        for n in [0, 1, 9, 10, 42, 1 << 53, u64::MAX] {
            let mut digits = [0; 20];
            assert_eq!(super::u64_digits(n, &mut digits), n.to_string().as_bytes());
            let mut buffer = [0; 64];
            assert_eq!(
                result_head(n, &mut buffer),
                format!(r#"{{"type":"result","id":{n},"value":"#)
            );
        }
    }

    #[test]
    fn sniffs_ids_from_heads() {
        assert_eq!(sniff_id(r#"{"type":"call","id":12,"channel":"x"#), Some(12));
        assert_eq!(sniff_id(r#"{"type":"call", "id" : 7 ,"#), Some(7));
        assert_eq!(sniff_id(r#"{"type":"call","id":12"#), None);
        assert_eq!(sniff_id(r#"{"type":"call","id":"12","#), None);
        assert_eq!(sniff_id(r#"{"type":"call","channel":"aaaa"#), None);
    }

    /// A `null` item or result is a value, not a missing field.
    #[test]
    fn a_null_value_is_present() {
        let null: Envelope<'_> =
            serde_json::from_str(r#"{"type":"item","id":1,"seq":0,"value":null}"#).unwrap();
        assert_eq!(null.value.map(RawValue::get), Some("null"));
        let absent: Envelope<'_> =
            serde_json::from_str(r#"{"type":"item","id":1,"seq":0}"#).unwrap();
        assert!(absent.value.is_none());
    }

    fn raw(text: &str) -> Payload {
        Payload::from(RawValue::from_string(text.to_owned()).unwrap())
    }

    fn text(message: OutMessage) -> String {
        match message {
            OutMessage::Text(text) => text,
            OutMessage::Binary(_) => panic!("a value without bytes made a binary message"),
        }
    }

    /// A pretty-printed value loses its line breaks and nothing else: strings (escapes, spaces,
    /// non-ASCII), big numbers, key order and duplicate keys are kept as written.
    #[test]
    fn raw_values_with_line_breaks_are_written_on_one_line() {
        let pretty = "{\r\n  \"b\": \"a \\\" \\\\ \\n é\",\n\t\"a\": [\n    123456789012345678901234567890,\n    -1.5e-300\n  ],\n  \"a\": \" x \",\n  \"z\": \"\\\\\" ,\n  \"y\": [ ]\n}";
        let compact = r#"{"b":"a \" \\ \n é","a":[123456789012345678901234567890,-1.5e-300],"a":" x ","z":"\\","y":[]}"#;
        let args = vec![raw(pretty), raw("[ 1, 2 ]")];
        let call = text(call_message(
            3,
            "c",
            "m",
            args,
            CallStreams::default(),
            true,
        ));
        assert_eq!(
            call,
            format!(
                r#"{{"type":"call","id":3,"channel":"c","method":"m","args":[{compact},[ 1, 2 ]]}}"#
            )
        );
        let notify = text(notify_message("c", "m", &[raw(pretty)], true));
        assert_eq!(
            notify,
            format!(r#"{{"type":"notify","channel":"c","method":"m","args":[{compact}]}}"#)
        );
        let result = text(result_message(9, raw(pretty), false));
        assert_eq!(
            result,
            format!(r#"{{"type":"result","id":9,"value":{compact}}}"#)
        );
        for text in [call, notify, result] {
            assert!(!text.contains(['\n', '\r']), "{text}");
            assert!(Envelope::parse(&text).is_some(), "{text}");
        }
        // Already compact values are copied unchanged (spaces included).
        assert_eq!(
            text(result_message(1, raw(r#"{"k": "v w"}"#), false)),
            r#"{"type":"result","id":1,"value":{"k": "v w"}}"#
        );
    }

    #[test]
    fn envelopes_refuse_non_objects_and_duplicates() {
        assert!(Envelope::parse("[1,2]").is_none());
        assert!(Envelope::parse(r#"{"id":1,"id":2}"#).is_none());
        assert_eq!(Envelope::parse(r#"{"id":3}"#).unwrap().id(), Some(3));
        assert_eq!(Envelope::parse(r#"{"id":0}"#).unwrap().id(), None);
        assert_eq!(
            Envelope::parse(r#"{"id":9007199254740992}"#).unwrap().id(),
            None
        );
    }
}
