//! The wire schema of one channel: its members and the structure of every type they carry,
//! as the JSON text that generated code embeds and a frontend sends in its `hello`.
//!
//! Only what decides whether a message decodes is here: member names, parameter positions and
//! names (names tell a reordering from a rename), omittable parameters, and the structure of
//! types. Type names are kept for messages only; aliases are already resolved away; docs,
//! attributes and packages are absent.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

/// Version of the schema format. A peer that meets another format cannot judge the channel and
/// falls back to comparing schema hashes (any difference is a mismatch of the whole channel).
pub const SCHEMA_FORMAT: u32 = 1;

/// One channel as it looks on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelSchema {
    /// Always [`SCHEMA_FORMAT`].
    pub format: u32,
    pub kind: ChannelKind,
    /// Methods of an interface, or notifications of a notifications block, by wire name.
    pub members: BTreeMap<String, MemberSchema>,
    /// The named types the members reach, referred to by index (`{"ref": 0}`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<TypeSchema>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ChannelKind {
    Interface,
    Notifications,
}

/// A method (the frontend calls, the backend answers) or a notification (the backend sends).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberSchema {
    /// Positional parameters.
    pub params: Vec<ParamSchema>,
    /// A method's result; absent for `Promise<void>` (the wire value `null`) and notifications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<WireType>,
    /// A method's declared error (`throws`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throws: Option<WireType>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamSchema {
    /// Not on the wire (arguments are positional), but tells a reordering from a rename.
    pub name: String,
    #[serde(rename = "type")]
    pub ty: WireType,
    /// `name?: T`: callers may leave it out (only trailing parameters). Its type is then
    /// `optional`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub omittable: bool,
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// A named type's structure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
pub enum TypeSchema {
    Struct {
        name: String,
        fields: Vec<FieldSchema>,
    },
    Enum {
        name: String,
        values: Vec<String>,
    },
    Union {
        name: String,
        variants: Vec<VariantSchema>,
    },
}

impl TypeSchema {
    /// The IDL name (qualified when the type lives in a package); for messages only.
    pub fn name(&self) -> &str {
        match self {
            TypeSchema::Struct { name, .. }
            | TypeSchema::Enum { name, .. }
            | TypeSchema::Union { name, .. } => name,
        }
    }

    /// What kind of type it is, as messages name it.
    pub fn shape(&self) -> TypeShape {
        match self {
            TypeSchema::Struct { .. } => TypeShape::Struct,
            TypeSchema::Enum { .. } => TypeShape::Enum,
            TypeSchema::Union { .. } => TypeShape::Union,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeShape {
    Struct,
    Enum,
    Union,
}

impl fmt::Display for TypeShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TypeShape::Struct => "struct",
            TypeShape::Enum => "enum",
            TypeShape::Union => "union",
        })
    }
}

/// A struct field, or a field of a union variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSchema {
    pub name: String,
    /// `optional` for a field that may be absent (`name?: T` and `name: T?` alike).
    #[serde(rename = "type")]
    pub ty: WireType,
}

/// A union variant: `{"kind": name, ...fields}` on the wire. A unit variant has no fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantSchema {
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldSchema>,
}

/// The scalars of the language, spelled as in the IDL (`number` is `f64`, `boolean` is `bool`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Primitive {
    Bool,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F32,
    F64,
    String,
    Bytes,
}

impl Primitive {
    pub fn name(self) -> &'static str {
        match self {
            Primitive::Bool => "bool",
            Primitive::I8 => "i8",
            Primitive::I16 => "i16",
            Primitive::I32 => "i32",
            Primitive::I64 => "i64",
            Primitive::U8 => "u8",
            Primitive::U16 => "u16",
            Primitive::U32 => "u32",
            Primitive::U64 => "u64",
            Primitive::F32 => "f32",
            Primitive::F64 => "f64",
            Primitive::String => "string",
            Primitive::Bytes => "bytes",
        }
    }

    /// The range of an integer type, for widening; `None` for every other primitive.
    pub(crate) fn integer_range(self) -> Option<(i128, i128)> {
        Some(match self {
            Primitive::I8 => (i8::MIN.into(), i8::MAX.into()),
            Primitive::I16 => (i16::MIN.into(), i16::MAX.into()),
            Primitive::I32 => (i32::MIN.into(), i32::MAX.into()),
            Primitive::I64 => (i64::MIN.into(), i64::MAX.into()),
            Primitive::U8 => (0, u8::MAX.into()),
            Primitive::U16 => (0, u16::MAX.into()),
            Primitive::U32 => (0, u32::MAX.into()),
            Primitive::U64 => (0, u64::MAX.into()),
            _ => return None,
        })
    }

    /// Integers that travel as JSON numbers (`i64`/`u64` travel as strings).
    pub(crate) fn is_number_integer(self) -> bool {
        self.integer_range().is_some() && !matches!(self, Primitive::I64 | Primitive::U64)
    }
}

/// A use of a type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "WireTypeRepr", into = "WireTypeRepr")]
pub enum WireType {
    Primitive(Primitive),
    Array(Box<WireType>),
    Map(Box<WireType>, Box<WireType>),
    /// `null` (or, as a field, absent) or the inner type.
    Optional(Box<WireType>),
    /// Index into [`ChannelSchema::types`].
    Ref(u32),
}

/// JSON form of [`WireType`]: a primitive is its name (`"i64"`), anything else an object
/// with one key (`{"array": "string"}`, `{"map": ["string", "f64"]}`, `{"optional": ...}`,
/// `{"ref": 3}`).
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum WireTypeRepr {
    Primitive(Primitive),
    Composite(Composite),
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
enum Composite {
    Array(Box<WireType>),
    Map(Box<WireType>, Box<WireType>),
    Optional(Box<WireType>),
    Ref(u32),
}

impl From<WireTypeRepr> for WireType {
    fn from(repr: WireTypeRepr) -> Self {
        match repr {
            WireTypeRepr::Primitive(p) => WireType::Primitive(p),
            WireTypeRepr::Composite(Composite::Array(e)) => WireType::Array(e),
            WireTypeRepr::Composite(Composite::Map(k, v)) => WireType::Map(k, v),
            WireTypeRepr::Composite(Composite::Optional(i)) => WireType::Optional(i),
            WireTypeRepr::Composite(Composite::Ref(r)) => WireType::Ref(r),
        }
    }
}

impl From<WireType> for WireTypeRepr {
    fn from(ty: WireType) -> Self {
        match ty {
            WireType::Primitive(p) => WireTypeRepr::Primitive(p),
            WireType::Array(e) => WireTypeRepr::Composite(Composite::Array(e)),
            WireType::Map(k, v) => WireTypeRepr::Composite(Composite::Map(k, v)),
            WireType::Optional(i) => WireTypeRepr::Composite(Composite::Optional(i)),
            WireType::Ref(r) => WireTypeRepr::Composite(Composite::Ref(r)),
        }
    }
}

/// Why a schema text cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaError {
    /// Another format version: not an error of the peer, but nothing this side can judge.
    UnknownFormat(u64),
    /// Not a schema of this format.
    Invalid(String),
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemaError::UnknownFormat(format) => {
                write!(
                    f,
                    "schema format {format} is not known (this side reads format {SCHEMA_FORMAT})"
                )
            }
            SchemaError::Invalid(why) => write!(f, "invalid channel schema: {why}"),
        }
    }
}

impl std::error::Error for SchemaError {}

/// Only the format number, read first so that another format is told apart from a bad schema.
#[derive(Deserialize)]
struct FormatProbe {
    format: serde_json::Value,
}

impl ChannelSchema {
    /// Reads and checks a schema (from a peer: nothing is trusted). The size of the text is
    /// the caller's to bound; nesting is bounded by the JSON parser's recursion limit.
    pub fn from_json(text: &str) -> Result<ChannelSchema, SchemaError> {
        let probe: FormatProbe = serde_json::from_str(text)
            .map_err(|e| SchemaError::Invalid(format!("no `format`: {e}")))?;
        match probe.format.as_u64() {
            Some(format) if format == u64::from(SCHEMA_FORMAT) => {}
            Some(format) => return Err(SchemaError::UnknownFormat(format)),
            None => return Err(SchemaError::Invalid("`format` is not a number".into())),
        }
        let schema: ChannelSchema =
            serde_json::from_str(text).map_err(|e| SchemaError::Invalid(e.to_string()))?;
        schema.validate()?;
        Ok(schema)
    }

    /// The JSON text (compact, deterministic: members and types in a fixed order).
    pub fn to_json(&self) -> String {
        // Plain data with string keys: serialization cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Checks what serde cannot: references in range, names unique where the wire needs them
    /// to be, parameters' omittable ones last.
    fn validate(&self) -> Result<(), SchemaError> {
        let invalid = |why: String| Err(SchemaError::Invalid(why));
        for (name, member) in &self.members {
            let mut seen_omittable = false;
            for param in &member.params {
                if seen_omittable && !param.omittable {
                    return invalid(format!(
                        "`{name}`: required parameter `{}` after an omittable one",
                        param.name
                    ));
                }
                seen_omittable |= param.omittable;
                if param.omittable && !matches!(param.ty, WireType::Optional(_)) {
                    return invalid(format!(
                        "`{name}`: omittable parameter `{}` is not optional",
                        param.name
                    ));
                }
                self.check_type(&param.ty)?;
            }
            unique(member.params.iter().map(|p| p.name.as_str()), name)?;
            if self.kind == ChannelKind::Notifications
                && (member.result.is_some() || member.throws.is_some())
            {
                return invalid(format!("notification `{name}` has a result or `throws`"));
            }
            for ty in member.result.iter().chain(&member.throws) {
                self.check_type(ty)?;
            }
        }
        for ty in &self.types {
            match ty {
                TypeSchema::Struct { name, fields } => self.check_fields(name, fields)?,
                TypeSchema::Enum { name, values } => {
                    unique(values.iter().map(String::as_str), name)?;
                }
                TypeSchema::Union { name, variants } => {
                    unique(variants.iter().map(|v| v.name.as_str()), name)?;
                    for variant in variants {
                        self.check_fields(name, &variant.fields)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn check_fields(&self, owner: &str, fields: &[FieldSchema]) -> Result<(), SchemaError> {
        unique(fields.iter().map(|f| f.name.as_str()), owner)?;
        fields.iter().try_for_each(|f| self.check_type(&f.ty))
    }

    fn check_type(&self, ty: &WireType) -> Result<(), SchemaError> {
        match ty {
            WireType::Primitive(_) => Ok(()),
            WireType::Array(inner) => self.check_type(inner),
            WireType::Optional(inner) => match **inner {
                WireType::Optional(_) => Err(SchemaError::Invalid("optional of optional".into())),
                _ => self.check_type(inner),
            },
            WireType::Map(key, value) => {
                match **key {
                    WireType::Primitive(p)
                        if p == Primitive::String || p.integer_range().is_some() => {}
                    _ => {
                        return Err(SchemaError::Invalid(
                            "map key is not a string or an integer".into(),
                        ))
                    }
                }
                self.check_type(value)
            }
            WireType::Ref(index) if (*index as usize) < self.types.len() => Ok(()),
            WireType::Ref(index) => Err(SchemaError::Invalid(format!(
                "reference {index} out of range ({} types)",
                self.types.len()
            ))),
        }
    }
}

fn unique<'a>(names: impl Iterator<Item = &'a str>, owner: &str) -> Result<(), SchemaError> {
    let mut seen = BTreeSet::new();
    for name in names {
        if !seen.insert(name) {
            return Err(SchemaError::Invalid(format!("`{name}` twice in `{owner}`")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PERSON: &str = r#"{"format":1,"kind":"interface","members":{"find":{"params":[{"name":"id","type":"i64"},{"name":"hint","type":{"optional":"string"},"omittable":true}],"result":{"optional":{"ref":0}},"throws":{"ref":1}}},"types":[{"kind":"struct","name":"Person","fields":[{"name":"id","type":"i64"},{"name":"tags","type":{"array":"string"}},{"name":"scores","type":{"map":["u32","f64"]}}]},{"kind":"union","name":"LookupError","variants":[{"name":"notFound","fields":[{"name":"id","type":"i64"}]},{"name":"forbidden"}]}]}"#;

    #[test]
    fn the_json_form_round_trips() {
        let schema = ChannelSchema::from_json(PERSON).unwrap();
        assert_eq!(schema.to_json(), PERSON);
        assert_eq!(schema.types[1].name(), "LookupError");
    }

    #[test]
    fn another_format_is_told_apart_from_a_bad_schema() {
        let newer = PERSON.replace("\"format\":1", "\"format\":2");
        assert_eq!(
            ChannelSchema::from_json(&newer),
            Err(SchemaError::UnknownFormat(2))
        );
        for bad in [
            "[]",
            "{}",
            r#"{"format":"1"}"#,
            &PERSON.replace("{\"ref\":1}", "{\"ref\":7}"),
            &PERSON.replace("\"i64\"},{\"name\":\"tags\"", "\"i64\"},{\"name\":\"id\""),
            &PERSON
                .replace("\"omittable\":true", "\"omittable\":false")
                .replace(
                    "{\"name\":\"id\",\"type\":\"i64\"},{\"name\":\"hint\"",
                    "{\"name\":\"id\",\"type\":\"i64\",\"omittable\":true},{\"name\":\"hint\"",
                ),
            &PERSON.replace("\"u32\"", "\"f64\""),
            &PERSON.replace("\"array\"", "\"list\""),
            &PERSON.replace(
                "\"kind\":\"interface\"",
                "\"kind\":\"interface\",\"extra\":1",
            ),
        ] {
            assert!(
                matches!(ChannelSchema::from_json(bad), Err(SchemaError::Invalid(_))),
                "{bad}"
            );
        }
    }
}
