//! A `call` message read in one scan: the host's common case, without serde's general parse of
//! [`Envelope`](crate::protocol::message::Envelope) (23 optional raw fields, every value scanned
//! through serde's `IgnoredAny`/`RawValue` machinery).
//!
//! The scanner decides nothing on its own: it answers only when the message is certainly one
//! the general parse accepts as a `call`, with the same field texts, and leaves every other
//! message to that parse (which words the errors). It therefore accepts a subset of what serde
//! accepts: a JSON object (JSON whitespace around it), every key without escapes, no known field
//! twice, `type` exactly `"call"`, every value valid JSON (nested at most 128 deep here; deeper
//! values are left to serde, whose skipping of raw values has no depth limit). Anything else —
//! an escaped key, a duplicate, bad JSON, another type — returns `None` and the message takes
//! the general path, so no message is judged differently from before.

use crate::protocol::message::Envelope;

/// The fields of a `call` the host reads, each the raw JSON text of its value (as serde's
/// `RawValue` would hold it: from the value's first byte to its last, no whitespace).
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub(crate) struct CallFields<'a> {
    pub id: Option<&'a str>,
    pub channel: Option<&'a str>,
    pub method: Option<&'a str>,
    pub args: Option<&'a str>,
    pub input: Option<&'a str>,
    pub credit: Option<&'a str>,
}

impl<'a> Envelope<'a> {
    /// The fields a `call` uses, from the general parse.
    pub(crate) fn call_fields(&self) -> CallFields<'a> {
        CallFields {
            id: self.id.map(|raw| raw.get()),
            channel: self.channel.map(|raw| raw.get()),
            method: self.method.map(|raw| raw.get()),
            args: self.args.map(|raw| raw.get()),
            input: self.input.map(|raw| raw.get()),
            credit: self.credit.map(|raw| raw.get()),
        }
    }
}

/// The field names [`Envelope`] knows, numbered: a second occurrence of any of them fails
/// serde's parse, so it sends the message to the general path here too. Keep in step with
/// `Envelope`.
fn known(key: &[u8]) -> Option<u32> {
    Some(match key {
        b"type" => TYPE,
        b"id" => ID,
        b"channel" => CHANNEL,
        b"method" => METHOD,
        b"args" => ARGS,
        b"input" => INPUT,
        b"credit" => CREDIT,
        b"protocol" => 7,
        b"token" => 8,
        b"channels" => 9,
        b"schemas" => 10,
        b"compat" => 11,
        b"value" => 12,
        b"code" => 13,
        b"message" => 14,
        b"data" => 15,
        b"maxMessageBytes" => 16,
        b"maxInFlight" => 17,
        b"features" => 18,
        b"maxStreams" => 19,
        b"maxCredit" => 20,
        b"seq" => 21,
        b"n" => 22,
        _ => return None,
    })
}

const TYPE: u32 = 0;
const ID: u32 = 1;
const CHANNEL: u32 = 2;
const METHOD: u32 = 3;
const ARGS: u32 = 4;
const INPUT: u32 = 5;
const CREDIT: u32 = 6;

/// Reads a `call` message in one scan; `None` when the message is anything else, or anything
/// the general parse ([`Envelope::parse`]) should judge (see the module's docs).
pub(crate) fn read_call(text: &str) -> Option<CallFields<'_>> {
    let mut scan = Scan {
        bytes: text.as_bytes(),
        at: 0,
    };
    let mut fields = CallFields::default();
    let mut seen = 0u32;
    let mut is_call = false;
    scan.whitespace();
    scan.eat(b'{')?;
    scan.whitespace();
    if scan.peek()? == b'}' {
        // `{}`: not a call.
        return None;
    }
    // The keys in the order both runtimes write a call's, each with its quotes and colon: at
    // each key the next of these is tried first (one comparison instead of a scan).
    const USUAL: [(&[u8], u32); 5] = [
        (b"\"type\":", TYPE),
        (b"\"id\":", ID),
        (b"\"channel\":", CHANNEL),
        (b"\"method\":", METHOD),
        (b"\"args\":", ARGS),
    ];
    let mut usual = 0;
    loop {
        let index = match USUAL.get(usual) {
            Some(&(key, index)) if scan.bytes[scan.at..].starts_with(key) => {
                scan.at += key.len();
                usual += 1;
                Some(index)
            }
            _ => {
                scan.eat(b'"')?;
                let key_start = scan.at;
                if scan.string()? {
                    // An escaped key: serde compares its unescaped text.
                    return None;
                }
                let key = &scan.bytes[key_start..scan.at - 1];
                scan.whitespace();
                scan.eat(b':')?;
                known(key)
            }
        };
        scan.whitespace();
        let value_start = scan.at;
        scan.value()?;
        // serde reads `null` into these `Option`s as absent (`value`, whose `null` is present,
        // is not among the fields kept here), yet counts the field as seen.
        let value = Some(&text[value_start..scan.at]).filter(|value| *value != "null");
        if let Some(index) = index {
            let bit = 1u32 << index;
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            match index {
                TYPE => {
                    if value != Some("\"call\"") {
                        // Another type (or `call` spelt with escapes): the general path.
                        return None;
                    }
                    is_call = true;
                }
                ID => fields.id = value,
                CHANNEL => fields.channel = value,
                METHOD => fields.method = value,
                ARGS => fields.args = value,
                INPUT => fields.input = value,
                CREDIT => fields.credit = value,
                _ => {}
            }
        }
        scan.whitespace();
        match scan.next()? {
            b',' => scan.whitespace(),
            b'}' => break,
            _ => return None,
        }
    }
    scan.whitespace();
    (is_call && scan.at == scan.bytes.len()).then_some(fields)
}

/// A cursor over a message's bytes. Every method returns `None` where serde_json would fail (or
/// where this reader leaves the judgement to it).
struct Scan<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Scan<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.next()? == byte).then_some(())
    }

    /// Skips JSON's insignificant whitespace (serde_json's four bytes).
    fn whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// The rest of a string whose opening quote was read; `Some(true)` when it held an escape.
    /// serde_json's rules: no control character, escapes `\" \\ \/ \b \f \n \r \t \uXXXX`
    /// (any four hex digits; surrogates are judged only where a string is decoded).
    fn string(&mut self) -> Option<bool> {
        let mut escaped = false;
        loop {
            self.skip_plain();
            match self.next()? {
                b'"' => return Some(escaped),
                b'\\' => {
                    escaped = true;
                    match self.next()? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                        b'u' => {
                            let hex = self.bytes.get(self.at..self.at + 4)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return None;
                            }
                            self.at += 4;
                        }
                        _ => return None,
                    }
                }
                // A control character.
                _ => return None,
            }
        }
    }

    /// Moves to the next `"`, `\` or control character (or the end), eight bytes at a time.
    fn skip_plain(&mut self) {
        while let Some(chunk) = self.bytes.get(self.at..self.at + 8) {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            let found = special(u64::from_le_bytes(word));
            if found != 0 {
                // The lowest flagged byte is always a real one (see `special`).
                self.at += (found.trailing_zeros() / 8) as usize;
                return;
            }
            self.at += 8;
        }
        while self
            .peek()
            .is_some_and(|byte| byte != b'"' && byte != b'\\' && byte >= 0x20)
        {
            self.at += 1;
        }
    }

    /// A number, by serde_json's grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.next()? {
            b'0' => {}
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.some_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            self.some_digits()?;
        }
        // A digit right after the number (`01`) is no separator: invalid wherever it stands.
        (!self.peek().is_some_and(|byte| byte.is_ascii_digit())).then_some(())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|byte| byte.is_ascii_digit()) {
            self.at += 1;
        }
    }

    fn some_digits(&mut self) -> Option<()> {
        let start = self.at;
        self.digits();
        (self.at > start).then_some(())
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word).then(|| self.at = end)
    }

    /// One JSON value, however nested (up to 128 arrays and objects here: the nesting is kept
    /// in a bit set, one bit per level, `1` for an object; deeper values go to serde).
    fn value(&mut self) -> Option<()> {
        match self.peek()? {
            b'{' | b'[' => self.nested(),
            _ => self.scalar(),
        }
    }

    /// A string, number or literal.
    fn scalar(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => {
                self.at += 1;
                self.string().map(drop)
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => self.number(),
        }
    }

    /// An array or object and everything in it.
    fn nested(&mut self) -> Option<()> {
        let mut stack = 0u128;
        let mut depth = 0u32;
        loop {
            // A value starts here.
            let opened = match self.peek()? {
                b'{' => Some(true),
                b'[' => Some(false),
                _ => self.scalar().map(|()| None)?,
            };
            if let Some(object) = opened {
                if depth == 128 {
                    return None;
                }
                self.at += 1;
                stack = (stack << 1) | u128::from(object);
                depth += 1;
                self.whitespace();
                let close = if object { b'}' } else { b']' };
                if self.peek()? == close {
                    // Empty: closed below like any other.
                } else {
                    if object {
                        self.key()?;
                    }
                    continue;
                }
            }
            // A value ended (or a container was just opened empty): close what ends here.
            loop {
                if depth == 0 {
                    return Some(());
                }
                self.whitespace();
                let object = stack & 1 == 1;
                match self.next()? {
                    b',' => {
                        self.whitespace();
                        if object {
                            self.key()?;
                        }
                        break;
                    }
                    b'}' if object => {}
                    b']' if !object => {}
                    _ => return None,
                }
                stack >>= 1;
                depth -= 1;
            }
        }
    }

    /// An object's key and its colon, up to the value.
    fn key(&mut self) -> Option<()> {
        self.eat(b'"')?;
        self.string()?;
        self.whitespace();
        self.eat(b':')?;
        self.whitespace();
        Some(())
    }
}

/// The high bit of each byte of `word` that is `"`, `\` or below 0x20, and perhaps of bytes
/// above such a byte (the classic "has a zero byte" test, as serde_json does it): the lowest
/// flagged byte is always one of the three, since a false flag needs a borrow from below.
fn special(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below = |v: u64, n: u64| v.wrapping_sub(ONES * n) & !v & HIGH;
    below(word ^ (ONES * u64::from(b'"')), 1)
        | below(word ^ (ONES * u64::from(b'\\')), 1)
        | below(word, 0x20)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the general path makes of a message: the call's fields when it reads a `call`.
    fn general(text: &str) -> Option<CallFields<'_>> {
        let envelope = Envelope::parse(text)?;
        (envelope.kind().as_deref() == Some("call")).then(|| envelope.call_fields())
    }

    #[test]
    fn ordinary_calls_are_read_in_one_scan() {
        let text = r#"{"type":"call","id":12,"channel":"c-v1","method":"add","args":[1,{"a":[true,null,-0.5e+3]},"x\"y"]}"#;
        assert_eq!(
            read_call(text),
            Some(CallFields {
                id: Some("12"),
                channel: Some(r#""c-v1""#),
                method: Some(r#""add""#),
                args: Some(r#"[1,{"a":[true,null,-0.5e+3]},"x\"y"]"#),
                input: None,
                credit: None,
            })
        );
        // Whitespace anywhere JSON allows it, any order, unknown fields (twice, too), streams.
        let text = " \r\n{ \"args\" : [ ] , \"x\":{\"y\":[1,2]},\"x\":0, \"method\":\"m\",\"input\":true,\"credit\":64,\"type\" :\t\"call\",\"id\":1,\"channel\":\"c\" }\n ";
        assert_eq!(
            read_call(text),
            Some(CallFields {
                id: Some("1"),
                channel: Some(r#""c""#),
                method: Some(r#""m""#),
                args: Some("[ ]"),
                input: Some("true"),
                credit: Some("64"),
            })
        );
        // Fields of the wrong type are the host's to judge, as from the general parse.
        let text = r#"{"type":"call","id":"1","channel":2,"method":null,"args":{}}"#;
        assert_eq!(read_call(text), general(text));
        assert!(read_call(text).is_some());
        // `null` is an absent field (as serde reads an `Option`), but a second one is a duplicate.
        let text = r#"{"type":"call","id":1,"channel":"c","method":"m","args":[],"input":null,"credit":null}"#;
        assert_eq!(read_call(text), general(text));
        assert_eq!(
            read_call(text).map(|call| (call.input, call.credit)),
            Some((None, None))
        );
        let text = r#"{"type":"call","id":1,"channel":"c","method":null,"method":"m","args":[]}"#;
        assert_eq!((read_call(text), general(text)), (None, None));
        // A lone surrogate escape is skipped, as serde skips it in a raw value.
        let text =
            r#"{"type":"call","id":1,"channel":"c","method":"m","args":["\ud800 \/\b\f\n\r\t\\"]}"#;
        assert_eq!(read_call(text), general(text));
        assert!(read_call(text).is_some());
    }

    /// Everything the scanner does not read as a call goes to the general parse, which judges
    /// it as before.
    #[test]
    fn the_rest_is_left_to_the_general_parse() {
        let call =
            |rest: &str| format!(r#"{{"type":"call","id":1,"channel":"c","method":"m",{rest}}}"#);
        let left = [
            // Not calls.
            r#"{"type":"cancel","id":1}"#.to_owned(),
            r#"{"id":1,"type":"item","seq":0,"value":null}"#.to_owned(),
            "{}".to_owned(),
            "[1]".to_owned(),
            r#""call""#.to_owned(),
            String::new(),
            r#"{"id":1,"channel":"c","method":"m","args":[]}"#.to_owned(),
            r#"{"type":"Call","id":1,"args":[]}"#.to_owned(),
            // `call` spelt with an escape; an escaped key (serde matches its unescaped text).
            r#"{"type":"\u0063all","id":1,"channel":"c","method":"m","args":[]}"#.to_owned(),
            call(r#""\u0061rgs":[]"#),
            // A known field twice (serde refuses the message), even one a call does not use.
            call(r#""args":[],"args":[]"#),
            call(r#""args":[],"seq":1,"seq":2"#),
            r#"{"type":"call","type":"call","id":1,"channel":"c","method":"m","args":[]}"#
                .to_owned(),
            // Bad JSON anywhere, in fields a call does not read too.
            call(r#""args":[1,]"#),
            call(r#""args":[1],"#),
            call(r#""args":[01]"#),
            call(r#""args":[1.]"#),
            call(r#""args":[.5]"#),
            call(r#""args":[-]"#),
            call(r#""args":[+1]"#),
            call(r#""args":[1e]"#),
            call(r#""args":[1e+]"#),
            call(r#""args":[tru]"#),
            call(r#""args":[nul]"#),
            call(r#""args":[truex]"#),
            call(r#""args":[1 2]"#),
            call(r#""args":[{"a" 1}]"#),
            call(r#""args":[{1:2}]"#),
            call(r#""args":[{"a":1,}]"#),
            call(r#""args":[{"a":1]}"#),
            call(r#""args":["\x"]"#),
            call(r#""args":["\u12"]"#),
            call(r#""args":["\u12G4"]"#),
            call("\"args\":[\"a\tb\"]"),
            call(r#""args":[],"other":[}"#),
            call(r#""args":["#),
            call(r#""args""#),
            r#"{"type":"call","id":1,"channel":"c","method":"m","args":[]}x"#.to_owned(),
            r#"{"type":"call","id":1,"channel":"c","method":"m","args":[]}{}"#.to_owned(),
            r#"{"type":"call","id":1,"channel":"c","method":"m","args":[]"#.to_owned(),
            r#"{"type":"call","id":1,"channel":"c","method":"m","args":[],}"#.to_owned(),
            "\u{a0}{\"type\":\"call\",\"id\":1,\"channel\":\"c\",\"method\":\"m\",\"args\":[]}"
                .to_owned(),
            // Deeper than this scanner follows (serde's raw values have no depth limit).
            call(&format!(
                r#""args":[{}{}]"#,
                "[".repeat(128),
                "]".repeat(128)
            )),
        ];
        for text in &left {
            assert_eq!(read_call(text), None, "{text}");
        }
        // As deep as it follows: 128 levels in one field's value.
        let deep = call(&format!(
            r#""args":[{}{}]"#,
            "[".repeat(127),
            "]".repeat(127)
        ));
        assert!(read_call(&deep).is_some());
        assert_eq!(read_call(&deep), general(&deep));
    }

    /// The scanner and the general parse agree on every message, valid or mutated: whatever the
    /// scanner reads is a call the general parse reads with the same fields, and every call the
    /// general parse reads without an escape in it the scanner reads too.
    #[test]
    fn agrees_with_the_general_parse_on_mutated_messages() {
        let seeds = [
            r#"{"type":"call","id":1,"channel":"ipcc-vectors-echo-v1","method":"add","args":[1,2]}"#,
            r#"{"type":"call","id":7,"channel":"c","method":"echoPerson","args":[{"id":"42","name":"Ann","age":31,"tags":["a","b"],"avatar":"AAEC/w=="}]}"#,
            r#"{ "id" : 9007199254740991 , "type" : "call" , "args" : [ -1.5e-3 , true , false , null , { } , [ ] ] , "channel" : "c" , "method" : "m" , "credit" : 8 , "input" : true }"#,
            r#"{"type":"call","id":3,"channel":"c","method":"m","args":["a\"b\\c\u00e9\n", "é☕"],"value":null,"seq":0}"#,
            r#"{"type":"call","id":null,"channel":null,"method":"m","args":null,"input":null,"credit":null}"#,
        ];
        let alphabet = b"{}[]\",: \t\r\n\\/0123456789-+.eEtrufalsn\"x\x01";
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut random = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let (mut fast, mut checked) = (0, 0);
        for _ in 0..40_000 {
            let mut bytes = seeds[random(seeds.len())].as_bytes().to_vec();
            for _ in 0..1 + random(3) {
                let at = random(bytes.len() + 1);
                let byte = alphabet[random(alphabet.len())];
                match random(3) {
                    0 if at < bytes.len() => bytes[at] = byte,
                    1 if at < bytes.len() => {
                        bytes.remove(at);
                    }
                    _ => bytes.insert(at, byte),
                }
            }
            let Ok(text) = String::from_utf8(bytes) else {
                continue;
            };
            checked += 1;
            let scanned = read_call(&text);
            let general = general(&text);
            if scanned.is_some() {
                fast += 1;
                assert_eq!(scanned, general, "{text}");
            } else if !text.contains('\\') {
                assert_eq!(general, None, "{text}");
            }
        }
        // The mutations reach both sides.
        assert!(
            fast > checked / 10 && fast < checked * 9 / 10,
            "{fast} of {checked}"
        );
    }

    #[test]
    fn special_bytes_are_found_in_any_lane() {
        for lane in 0..8 {
            for byte in [b'"', b'\\', 0x00, 0x1f] {
                for fill in [b'a', 0x20, 0x7f, 0x80, 0xff] {
                    let mut word = [fill; 8];
                    word[lane] = byte;
                    let found = special(u64::from_le_bytes(word));
                    assert_eq!(found.trailing_zeros() / 8, lane as u32, "{byte} at {lane}");
                }
            }
            let mut word = [b'a'; 8];
            word[lane] = 0x20;
            assert_eq!(special(u64::from_le_bytes(word)), 0);
        }
        // Strings across the eight-byte steps, each special byte at every offset.
        for len in 0..20 {
            for (byte, ok) in [
                ("\\\"", true),
                ("\\u00e9", true),
                ("\u{1}", false),
                ("\\q", false),
            ] {
                for at in 0..=len {
                    let mut inner = "x".repeat(len);
                    inner.insert_str(at, byte);
                    let text = format!(
                        r#"{{"type":"call","id":1,"channel":"c","method":"m","args":["{inner}"]}}"#
                    );
                    assert_eq!(read_call(&text).is_some(), ok, "{text}");
                    assert_eq!(read_call(&text), general(&text), "{text}");
                }
            }
        }
    }
}
