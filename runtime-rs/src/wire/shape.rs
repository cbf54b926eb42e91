//! The adapter that holds structs, unions and enums to the one JSON shape the wire gives them.
//!
//! serde's derive is more lenient than the protocol: it decodes a struct from an array of its
//! fields in order, an internally tagged union from an array whose first element is the kind,
//! and a unit enum from `{"member": null}`. The TS runtime refuses all three, and docs/protocol.md
//! says decoders are strict. The adapter wraps the deserializer it is given so that the derived
//! `Deserialize` can only ask for the wire's shape; nested values get their own adapter from
//! their own `#[serde_as]` attribute, so no wrapping has to reach past one level.

use std::fmt;

use serde::de::{self, IntoDeserializer, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_with::{DeserializeAs, SerializeAs};

/// A value of a named type in the one JSON shape the wire gives it: a struct or a union as an
/// object, an enum as a string.
pub struct Named;

impl<T: Serialize> SerializeAs<T> for Named {
    fn serialize_as<S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>> DeserializeAs<'de, T> for Named {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
        T::deserialize(WireShape(deserializer))
    }
}

/// A deserializer that answers the derive's request for a struct, a tagged union (which asks
/// for "any") or an enum with the one shape the wire allows, and passes every other request on
/// unchanged. Only the named type's own derive sees it: its fields are read through the inner
/// deserializer.
struct WireShape<D>(D);

macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
                self.0.$method($($arg,)* visitor)
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for WireShape<D> {
    type Error = D::Error;

    /// An internally tagged union reads its content through `deserialize_any`.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_str(UnitVariant(visitor))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }

    forward! {
        deserialize_bool(), deserialize_i8(), deserialize_i16(), deserialize_i32(),
        deserialize_i64(), deserialize_i128(), deserialize_u8(), deserialize_u16(),
        deserialize_u32(), deserialize_u64(), deserialize_u128(), deserialize_f32(),
        deserialize_f64(), deserialize_char(), deserialize_str(), deserialize_string(),
        deserialize_bytes(), deserialize_byte_buf(), deserialize_option(), deserialize_unit(),
        deserialize_unit_struct(name: &'static str),
        deserialize_newtype_struct(name: &'static str), deserialize_seq(),
        deserialize_tuple(len: usize), deserialize_tuple_struct(name: &'static str, len: usize),
        deserialize_map(), deserialize_identifier(), deserialize_ignored_any(),
    }
}

/// Reads a string and hands it to an enum's visitor as its unit member.
struct UnitVariant<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for UnitVariant<V> {
    type Value = V::Value;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        self.0.expecting(formatter)
    }

    fn visit_str<E: de::Error>(self, member: &str) -> Result<V::Value, E> {
        self.0.visit_enum(member.into_deserializer())
    }
}
