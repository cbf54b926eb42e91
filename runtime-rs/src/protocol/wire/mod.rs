//! `serde_with` adapters for the IDL types whose JSON encoding is not serde's own (protocol "Values").
//!
//! Generated code names them in `#[serde_as(as = "...")]` attributes; containers compose them
//! (`Vec<Int>`, `Option<Float>`, `BTreeMap<IntKey, Base64>`).

mod shape;

use std::fmt;
use std::marker::PhantomData;

use base64::Engine as _;
use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};
use serde_with::{DeserializeAs, SerializeAs};

pub use shape::Named;

/// `i64` / `u64` as a decimal string (`"-9223372036854775808"`): exactly `-?(0|[1-9][0-9]*)`,
/// in range. JSON numbers lose precision past 2^53, so 64-bit integers never travel as numbers.
pub struct Int;

/// An integer map key (any integer type) as a decimal string with the same strict rules as [`Int`].
///
/// serde_json alone would accept `"+1"` or `"01"` as keys; this adapter keeps the one spelling.
pub struct IntKey;

/// `f32` / `f64` as a JSON number, except NaN, ±Infinity and negative zero, which travel as the
/// strings `"NaN"`, `"Infinity"`, `"-Infinity"`, `"-0"`. Decoding also accepts the number `-0`.
pub struct Float;

/// `Vec<u8>` as standard base64 with padding (RFC 4648 §4); anything else is a decode error,
/// except an attachment index in a binary message (crate::protocol::binary).
pub struct Base64;

/// Parses a strict decimal integer: `-?(0|[1-9][0-9]*)`, no sign on zero, fitting in `i128`.
fn parse_strict_integer(text: &str) -> Option<i128> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let negative = digits.len() != text.len();
    let bytes = digits.as_bytes();
    if bytes.is_empty() || bytes.len() > 20 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if bytes[0] == b'0' && (bytes.len() > 1 || negative) {
        return None;
    }
    let magnitude: i128 = digits.parse().ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

/// Visits a string and parses it as a strict decimal integer of type `T`.
struct StrictIntegerVisitor<T>(PhantomData<T>);

impl<T: TryFrom<i128>> Visitor<'_> for StrictIntegerVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "a decimal string holding a {}",
            std::any::type_name::<T>()
        )
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        parse_strict_integer(text)
            .and_then(|value| T::try_from(value).ok())
            .ok_or_else(|| {
                E::custom(format_args!(
                    "invalid {} string {text:?}: expected -?(0|[1-9][0-9]*) in range",
                    std::any::type_name::<T>()
                ))
            })
    }
}

macro_rules! int_adapters {
    ($adapter:ty: $($t:ty),*) => {$(
        impl SerializeAs<$t> for $adapter {
            fn serialize_as<S: Serializer>(value: &$t, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(value)
            }
        }
        impl<'de> DeserializeAs<'de, $t> for $adapter {
            fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<$t, D::Error> {
                deserializer.deserialize_str(StrictIntegerVisitor::<$t>(PhantomData))
            }
        }
    )*};
}

int_adapters!(Int: i64, u64);
int_adapters!(IntKey: i8, i16, i32, i64, u8, u16, u32, u64);

/// Visits a JSON number or one of the special strings and yields an `f64`.
struct FloatVisitor;

impl Visitor<'_> for FloatVisitor {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number or one of \"NaN\", \"Infinity\", \"-Infinity\", \"-0\"")
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<f64, E> {
        Ok(value)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<f64, E> {
        Ok(value as f64)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<f64, E> {
        Ok(value as f64)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<f64, E> {
        match text {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            "-0" => Ok(-0.0),
            other => Err(E::custom(format_args!(
                "invalid float string {other:?}: expected \"NaN\", \"Infinity\", \"-Infinity\" or \"-0\""
            ))),
        }
    }
}

/// The string a float travels as when a JSON number cannot carry it, if any.
fn special_float(value: f64) -> Option<&'static str> {
    if value.is_nan() {
        Some("NaN")
    } else if value == f64::INFINITY {
        Some("Infinity")
    } else if value == f64::NEG_INFINITY {
        Some("-Infinity")
    } else if value == 0.0 && value.is_sign_negative() {
        Some("-0")
    } else {
        None
    }
}

impl SerializeAs<f64> for Float {
    fn serialize_as<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
        match special_float(*value) {
            Some(text) => serializer.serialize_str(text),
            None => serializer.serialize_f64(*value),
        }
    }
}

impl<'de> DeserializeAs<'de, f64> for Float {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
        deserializer.deserialize_any(FloatVisitor)
    }
}

impl SerializeAs<f32> for Float {
    fn serialize_as<S: Serializer>(value: &f32, serializer: S) -> Result<S::Ok, S::Error> {
        // Written as the f64 it widens to (0.1f32 → 0.10000000149011612), which is what a
        // JavaScript peer holds and writes, so both runtimes put the same number on the wire.
        let wide = f64::from(*value);
        match special_float(wide) {
            Some(text) => serializer.serialize_str(text),
            None => serializer.serialize_f64(wide),
        }
    }
}

impl<'de> DeserializeAs<'de, f32> for Float {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<f32, D::Error> {
        // Rounds to the nearest f32, like `Math.fround` on the TypeScript side.
        deserializer
            .deserialize_any(FloatVisitor)
            .map(|value| value as f32)
    }
}

impl SerializeAs<Vec<u8>> for Base64 {
    fn serialize_as<S: Serializer>(value: &Vec<u8>, serializer: S) -> Result<S::Ok, S::Error> {
        // Encoding for the wire keeps the bytes apart: the message writer puts in base64 or
        // an attachment index (crate::protocol::binary).
        match crate::protocol::binary::keep_apart(value) {
            Some(placeholder) => serde::Serialize::serialize(placeholder, serializer),
            None => {
                serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(value))
            }
        }
    }
}

/// Visits a string and decodes it as standard, padded base64; in a binary message, an integer
/// names an attachment of the message instead.
struct Base64Visitor;

impl Visitor<'_> for Base64Visitor {
    type Value = Vec<u8>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a standard base64 string with padding")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Vec<u8>, E> {
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|error| E::custom(format_args!("invalid base64: {error}")))
    }

    fn visit_u64<E: de::Error>(self, index: u64) -> Result<Vec<u8>, E> {
        crate::protocol::binary::take_attachment(index).map_err(E::custom)
    }
}

impl<'de> DeserializeAs<'de, Vec<u8>> for Base64 {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        deserializer.deserialize_any(Base64Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_strict_integer;

    #[test]
    fn strict_integers() {
        assert_eq!(parse_strict_integer("0"), Some(0));
        assert_eq!(parse_strict_integer("-12"), Some(-12));
        assert_eq!(
            parse_strict_integer("18446744073709551615"),
            Some(u64::MAX as i128)
        );
        for bad in ["", "-", "-0", "01", "+1", " 1", "1 ", "1e3", "0x1", "1.0"] {
            assert_eq!(parse_strict_integer(bad), None, "{bad:?}");
        }
    }
}
