//! The wire schema of one channel: its members and the structure of every type they carry,
//! as the JSON text that generated code embeds and a frontend sends in its `hello`.
//!
//! Only what decides whether a message decodes is here: member names, parameter positions and
//! names (names tell a reordering from a rename), omittable parameters, and the structure of
//! types. Type names are kept for messages only; aliases are already resolved away; docs,
//! attributes and packages are absent.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

/// Version of the schema format of a channel without streams. A peer that meets a format it
/// does not read cannot judge the channel and falls back to comparing schema hashes (any
/// difference is a mismatch of the whole channel).
pub const SCHEMA_FORMAT: u32 = 1;

/// Version of the schema format of a channel with a streaming member (a parameter with
/// `"stream": true`, a member with `"resultStream": true`). Written only when needed, so every
/// channel without streams keeps its format-1 text, which readers of format 1 still judge;
/// they compare a format-2 channel by hash.
pub const STREAMS_SCHEMA_FORMAT: u32 = 2;

/// The format a channel with these members is written in: [`STREAMS_SCHEMA_FORMAT`] when one
/// of them streams, else [`SCHEMA_FORMAT`].
pub fn format_of<'m>(members: impl IntoIterator<Item = &'m MemberSchema>) -> u32 {
    if members.into_iter().any(MemberSchema::streams) {
        STREAMS_SCHEMA_FORMAT
    } else {
        SCHEMA_FORMAT
    }
}

/// One channel as it looks on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelSchema {
    /// [`format_of`] the members: [`SCHEMA_FORMAT`], or [`STREAMS_SCHEMA_FORMAT`] when a
    /// member streams.
    pub format: u32,
    pub kind: ChannelKind,
    /// Methods of an interface, or notifications of a notifications block, by wire name.
    pub members: BTreeMap<String, MemberSchema>,
    /// The named types the members reach, referred to by index (`{"ref": 0}`). Shared: the
    /// channels of one generated file use one table ([`SchemaSet`]), and a channel's JSON holds
    /// only the types it reaches ([`ChannelSchema::to_json`]).
    #[serde(skip_serializing_if = "types_empty")]
    pub types: Arc<Vec<TypeSchema>>,
}

fn types_empty(types: &Arc<Vec<TypeSchema>>) -> bool {
    types.is_empty()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ChannelKind {
    Interface,
    Notifications,
}

/// A method (the frontend calls, the backend answers) or a notification (the backend sends).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MemberSchema {
    /// Positional parameters.
    pub params: Vec<ParamSchema>,
    /// A method's result; absent for `Promise<void>` (the wire value `null`) and notifications.
    /// The type of the items when `result_stream` is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<WireType>,
    /// `AsyncIterable<T>` as the result: the backend sends items of type `result`, then
    /// answers the call (format 2 only; never for a notification, and never without `result`).
    #[serde(rename = "resultStream", default, skip_serializing_if = "is_false")]
    pub result_stream: bool,
    /// A method's declared error (`throws`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throws: Option<WireType>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    /// `name: AsyncIterable<T>`: the frontend sends items of type `ty` (its argument is `null`).
    /// Format 2 only; at most one per member, never omittable, never in a notification.
    #[serde(default, skip_serializing_if = "is_false")]
    pub stream: bool,
}

impl MemberSchema {
    /// Whether the member has a streaming parameter or a streaming result.
    pub fn streams(&self) -> bool {
        self.result_stream || self.params.iter().any(|p| p.stream)
    }
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// A named type's structure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSchema {
    pub name: String,
    /// `optional` for a field that may be absent (`name?: T` and `name: T?` alike).
    #[serde(rename = "type")]
    pub ty: WireType,
}

/// A union variant: `{"kind": name, ...fields}` on the wire. A unit variant has no fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VariantSchema {
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldSchema>,
}

/// The scalars of the language, spelled as in the IDL (`number` is `f64`, `boolean` is `bool`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "WireTypeRepr")]
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
#[derive(Serialize)]
#[serde(untagged)]
enum WireTypeRepr {
    Primitive(Primitive),
    Composite(Composite),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
enum Composite {
    Array(Box<WireType>),
    Map(Box<WireType>, Box<WireType>),
    Optional(Box<WireType>),
    Ref(u32),
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
                    "schema format {format} is not known (this side reads formats {SCHEMA_FORMAT} and {STREAMS_SCHEMA_FORMAT})"
                )
            }
            SchemaError::Invalid(why) => write!(f, "invalid channel schema: {why}"),
        }
    }
}

impl std::error::Error for SchemaError {}

impl ChannelSchema {
    /// Reads and checks a schema (from a peer: nothing is trusted). Strict: every object has
    /// exactly the documented keys and shapes (docs/protocol.md, "Wire schemas"). The size of
    /// the text is the caller's to bound; nesting is bounded by the JSON parser's recursion limit.
    pub fn from_json(text: &str) -> Result<ChannelSchema, SchemaError> {
        let (value, format) = crate::read::document(text)?;
        let schema = crate::read::channel(&value, format).map_err(SchemaError::Invalid)?;
        schema.validate()?;
        Ok(schema)
    }

    /// The JSON text a peer reads: only the types the members reach, numbered in the order a
    /// walk of the members (by name) meets them, so it is the same text whether this schema
    /// shares a larger table or not.
    pub fn to_json(&self) -> String {
        // Plain data with string keys: serialization cannot fail.
        serde_json::to_string(&self.self_contained()).unwrap_or_default()
    }

    /// This schema with a table of exactly the types its members reach, renumbered in the
    /// order of first use (members by name; in each, parameters, result, `throws`; then each
    /// type's fields in order, breadth first).
    pub fn self_contained(&self) -> ChannelSchema {
        let mut renumber = Renumber {
            from: &self.types,
            index: HashMap::new(),
            order: Vec::new(),
        };
        let members: BTreeMap<String, MemberSchema> = self
            .members
            .iter()
            .map(|(name, member)| {
                let params = member
                    .params
                    .iter()
                    .map(|p| ParamSchema {
                        name: p.name.clone(),
                        ty: renumber.ty(&p.ty),
                        omittable: p.omittable,
                        stream: p.stream,
                    })
                    .collect();
                let result = member.result.as_ref().map(|t| renumber.ty(t));
                let throws = member.throws.as_ref().map(|t| renumber.ty(t));
                (
                    name.clone(),
                    MemberSchema {
                        params,
                        result,
                        result_stream: member.result_stream,
                        throws,
                    },
                )
            })
            .collect();
        let mut types = Vec::new();
        let mut next = 0;
        while next < renumber.order.len() {
            let old = renumber.order[next] as usize;
            let renamed = match &self.types[old] {
                TypeSchema::Struct { name, fields } => TypeSchema::Struct {
                    name: name.clone(),
                    fields: renumber.fields(fields),
                },
                TypeSchema::Enum { name, values } => TypeSchema::Enum {
                    name: name.clone(),
                    values: values.clone(),
                },
                TypeSchema::Union { name, variants } => TypeSchema::Union {
                    name: name.clone(),
                    variants: variants
                        .iter()
                        .map(|v| VariantSchema {
                            name: v.name.clone(),
                            fields: renumber.fields(&v.fields),
                        })
                        .collect(),
                },
            };
            types.push(renamed);
            next += 1;
        }
        ChannelSchema {
            format: self.format,
            kind: self.kind,
            members,
            types: Arc::new(types),
        }
    }

    /// Checks what the shapes alone do not: references in range, names unique where the wire
    /// needs them to be, omittable parameters last, streams only where a method can have them.
    pub(crate) fn validate(&self) -> Result<(), SchemaError> {
        validate_types(&self.types)?;
        validate_members(self.kind, &self.members, self.types.len())
    }
}

fn validate_members(
    kind: ChannelKind,
    members: &BTreeMap<String, MemberSchema>,
    types: usize,
) -> Result<(), SchemaError> {
    let invalid = |why: String| Err(SchemaError::Invalid(why));
    for (name, member) in members {
        if kind == ChannelKind::Notifications && member.streams() {
            return invalid(format!("notification `{name}` has a stream"));
        }
        if member.params.iter().filter(|p| p.stream).count() > 1 {
            return invalid(format!("`{name}` has more than one streaming parameter"));
        }
        if member.result_stream && member.result.is_none() {
            return invalid(format!("`{name}`: a streaming result without an item type"));
        }
        let mut seen_omittable = false;
        for param in &member.params {
            if param.stream && param.omittable {
                return invalid(format!(
                    "`{name}`: streaming parameter `{}` is omittable",
                    param.name
                ));
            }
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
            check_type(&param.ty, types)?;
        }
        unique(member.params.iter().map(|p| p.name.as_str()), name)?;
        if kind == ChannelKind::Notifications
            && (member.result.is_some() || member.throws.is_some())
        {
            return invalid(format!("notification `{name}` has a result or `throws`"));
        }
        for ty in member.result.iter().chain(&member.throws) {
            check_type(ty, types)?;
        }
    }
    Ok(())
}

fn validate_types(types: &[TypeSchema]) -> Result<(), SchemaError> {
    let check_fields = |owner: &str, fields: &[FieldSchema]| {
        unique(fields.iter().map(|f| f.name.as_str()), owner)?;
        fields
            .iter()
            .try_for_each(|f| check_type(&f.ty, types.len()))
    };
    for ty in types {
        match ty {
            TypeSchema::Struct { name, fields } => check_fields(name, fields)?,
            TypeSchema::Enum { name, values } => {
                unique(values.iter().map(String::as_str), name)?;
            }
            TypeSchema::Union { name, variants } => {
                unique(variants.iter().map(|v| v.name.as_str()), name)?;
                for variant in variants {
                    check_fields(name, &variant.fields)?;
                }
            }
        }
    }
    Ok(())
}

/// Checks a type use: references below `types`, no optional of an optional, scalar map keys.
fn check_type(ty: &WireType, types: usize) -> Result<(), SchemaError> {
    match ty {
        WireType::Primitive(_) => Ok(()),
        WireType::Array(inner) => check_type(inner, types),
        WireType::Optional(inner) => match **inner {
            WireType::Optional(_) => Err(SchemaError::Invalid("optional of optional".into())),
            _ => check_type(inner, types),
        },
        WireType::Map(key, value) => {
            match **key {
                WireType::Primitive(p) if p == Primitive::String || p.integer_range().is_some() => {
                }
                _ => {
                    return Err(SchemaError::Invalid(
                        "map key is not a string or an integer".into(),
                    ))
                }
            }
            check_type(value, types)
        }
        WireType::Ref(index) if (*index as usize) < types => Ok(()),
        WireType::Ref(index) => Err(SchemaError::Invalid(format!(
            "reference {index} out of range ({types} types)"
        ))),
    }
}

/// Gives the types of a shared table new indices in the order they are first used.
struct Renumber<'t> {
    from: &'t [TypeSchema],
    /// Old index → new index.
    index: HashMap<u32, u32>,
    /// New index → old index.
    order: Vec<u32>,
}

impl Renumber<'_> {
    fn ty(&mut self, ty: &WireType) -> WireType {
        match ty {
            WireType::Primitive(p) => WireType::Primitive(*p),
            WireType::Array(inner) => WireType::Array(Box::new(self.ty(inner))),
            WireType::Optional(inner) => WireType::Optional(Box::new(self.ty(inner))),
            WireType::Map(k, v) => WireType::Map(Box::new(self.ty(k)), Box::new(self.ty(v))),
            WireType::Ref(old) => {
                debug_assert!((*old as usize) < self.from.len());
                let next = self.order.len() as u32;
                let new = *self.index.entry(*old).or_insert(next);
                if new == next {
                    self.order.push(*old);
                }
                WireType::Ref(new)
            }
        }
    }

    fn fields(&mut self, fields: &[FieldSchema]) -> Vec<FieldSchema> {
        fields
            .iter()
            .map(|f| FieldSchema {
                name: f.name.clone(),
                ty: self.ty(&f.ty),
            })
            .collect()
    }
}

/// The wire schemas of several channels (those of one generated file) over one table of types,
/// so that a type many channels reach is written once. Generated code embeds this JSON; a
/// runtime reads it once and takes each channel's [`ChannelSchema`] from it (which shares the
/// table), and sends each channel's own [`ChannelSchema::to_json`] in its `hello`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaSet {
    /// [`format_of`] every member of every channel: [`STREAMS_SCHEMA_FORMAT`] when one of
    /// them streams. Each channel taken out of the set gets the format of its own members.
    pub format: u32,
    pub types: Arc<Vec<TypeSchema>>,
    /// Each channel's kind and members, by channel name.
    pub channels: BTreeMap<String, ChannelEntry>,
}

/// One channel of a [`SchemaSet`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChannelEntry {
    pub kind: ChannelKind,
    pub members: BTreeMap<String, MemberSchema>,
}

impl SchemaSet {
    /// Reads and checks a set (the text generated code embeds), as strictly as a peer's schema.
    pub fn from_json(text: &str) -> Result<SchemaSet, SchemaError> {
        let (value, format) = crate::read::document(text)?;
        let set = crate::read::set(&value, format).map_err(SchemaError::Invalid)?;
        validate_types(&set.types)?;
        for entry in set.channels.values() {
            validate_members(entry.kind, &entry.members, set.types.len())?;
        }
        Ok(set)
    }

    /// The JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The schema of one channel, sharing this set's table of types.
    pub fn channel(&self, name: &str) -> Option<ChannelSchema> {
        let entry = self.channels.get(name)?;
        Some(ChannelSchema {
            format: format_of(entry.members.values()),
            kind: entry.kind,
            members: entry.members.clone(),
            types: self.types.clone(),
        })
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
    fn a_set_shares_its_types_and_gives_each_channel_its_own_json() {
        let set = SchemaSet::from_json(
            r#"{"format":1,"types":[{"kind":"enum","name":"Mood","values":["a"]},{"kind":"struct","name":"P","fields":[{"name":"m","type":{"ref":0}}]}],"channels":{"one":{"kind":"interface","members":{"get":{"params":[],"result":{"ref":1}}}},"two":{"kind":"notifications","members":{"mood":{"params":[{"name":"m","type":{"ref":0}}]}}}}}"#,
        )
        .unwrap();
        let one = set.channel("one").unwrap();
        let two = set.channel("two").unwrap();
        assert!(Arc::ptr_eq(&one.types, &two.types));
        // Each channel's text holds the types it reaches, renumbered from its members.
        assert_eq!(
            one.to_json(),
            r#"{"format":1,"kind":"interface","members":{"get":{"params":[],"result":{"ref":0}}},"types":[{"kind":"struct","name":"P","fields":[{"name":"m","type":{"ref":1}}]},{"kind":"enum","name":"Mood","values":["a"]}]}"#
        );
        assert_eq!(
            two.to_json(),
            r#"{"format":1,"kind":"notifications","members":{"mood":{"params":[{"name":"m","type":{"ref":0}}]}},"types":[{"kind":"enum","name":"Mood","values":["a"]}]}"#
        );
        assert_eq!(
            ChannelSchema::from_json(&one.to_json()).unwrap().to_json(),
            one.to_json()
        );
        assert!(set.channel("three").is_none());
        let dangling = r#"{"format":1,"types":[],"channels":{"x":{"kind":"interface","members":{"m":{"params":[{"name":"a","type":{"ref":0}}]}}}}}"#;
        assert!(SchemaSet::from_json(dangling).is_err());
    }

    const STREAMS: &str = r#"{"format":2,"kind":"interface","members":{"chat":{"params":[{"name":"room","type":"string"},{"name":"inbox","type":{"ref":0},"stream":true}],"result":{"optional":"string"},"resultStream":true,"throws":{"ref":1}},"stat":{"params":[{"name":"path","type":"string"}],"result":"u64"}},"types":[{"kind":"struct","name":"ChatIn","fields":[{"name":"text","type":"string"}]},{"kind":"enum","name":"ChatError","values":["closed"]}]}"#;

    #[test]
    fn format_2_carries_streams_and_round_trips() {
        let schema = ChannelSchema::from_json(STREAMS).unwrap();
        assert_eq!(schema.format, STREAMS_SCHEMA_FORMAT);
        assert_eq!(schema.to_json(), STREAMS);
        let chat = &schema.members["chat"];
        assert!(chat.result_stream && chat.params[1].stream && !chat.params[0].stream);
        assert!(chat.streams() && !schema.members["stat"].streams());
        // The format follows the members: without the streaming member, format 1.
        let mut unary = schema.clone();
        unary.members.remove("chat");
        assert_eq!(format_of(unary.members.values()), SCHEMA_FORMAT);
        assert_eq!(format_of(schema.members.values()), STREAMS_SCHEMA_FORMAT);
        // A set takes the format of its most demanding channel; each channel keeps its own.
        let set = SchemaSet::from_json(
            r#"{"format":2,"types":[],"channels":{"plain":{"kind":"interface","members":{"get":{"params":[],"result":"u8"}}},"streams":{"kind":"interface","members":{"tail":{"params":[],"result":"u8","resultStream":true}}}}}"#,
        )
        .unwrap();
        assert_eq!(
            set.channel("plain").unwrap().to_json(),
            r#"{"format":1,"kind":"interface","members":{"get":{"params":[],"result":"u8"}}}"#
        );
        assert_eq!(
            set.channel("streams").unwrap().to_json(),
            r#"{"format":2,"kind":"interface","members":{"tail":{"params":[],"result":"u8","resultStream":true}}}"#
        );
    }

    #[test]
    fn streams_are_refused_where_they_cannot_be() {
        for bad in [
            // Stream keys in format 1, as in a set of format 1.
            STREAMS.replace("\"format\":2", "\"format\":1"),
            r#"{"format":1,"types":[],"channels":{"s":{"kind":"interface","members":{"tail":{"params":[],"result":"u8","resultStream":true}}}}}"#.to_string(),
            // Two streaming parameters; an omittable one.
            STREAMS.replace(
                r#"{"name":"room","type":"string"}"#,
                r#"{"name":"room","type":"string","stream":true}"#,
            ),
            STREAMS.replace(
                r#""type":{"ref":0},"stream":true"#,
                r#""type":{"optional":{"ref":0}},"stream":true,"omittable":true"#,
            ),
            // A streaming result without items; flags that are not booleans.
            STREAMS.replace(r#""result":{"optional":"string"},"#, ""),
            STREAMS.replace(r#""stream":true"#, r#""stream":1"#),
            STREAMS.replace(r#""resultStream":true"#, r#""resultStream":"true""#),
            // A notification with a stream.
            r#"{"format":2,"kind":"notifications","members":{"n":{"params":[{"name":"a","type":"u8","stream":true}]}}}"#.to_string(),
        ] {
            let read = if bad.contains("\"channels\"") {
                SchemaSet::from_json(&bad).map(|_| ())
            } else {
                ChannelSchema::from_json(&bad).map(|_| ())
            };
            assert!(matches!(read, Err(SchemaError::Invalid(_))), "{bad}");
        }
    }

    #[test]
    fn another_format_is_told_apart_from_a_bad_schema() {
        let newer = PERSON.replace("\"format\":1", "\"format\":3");
        assert_eq!(
            ChannelSchema::from_json(&newer),
            Err(SchemaError::UnknownFormat(3))
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
            // What a derived deserializer would take: a parameter as an array, a scalar as a
            // one-key object, an index as a string or a fraction, a flag as a number, a type
            // use with two keys.
            &PERSON.replace(
                r#"{"name":"id","type":"i64"},{"name":"hint""#,
                r#"["id","i64"],{"name":"hint""#,
            ),
            &PERSON.replace(
                r#"{"name":"id","type":"i64"},{"name":"hint""#,
                r#"{"name":"id","type":{"i64":null}},{"name":"hint""#,
            ),
            &PERSON.replace(r#"{"ref":1}"#, r#"{"ref":"1"}"#),
            &PERSON.replace(r#"{"ref":1}"#, r#"{"ref":1.5}"#),
            &PERSON.replace(r#""omittable":true"#, r#""omittable":1"#),
            &PERSON.replace(
                r#"{"optional":"string"}"#,
                r#"{"optional":"string","array":"string"}"#,
            ),
        ] {
            assert!(
                matches!(ChannelSchema::from_json(bad), Err(SchemaError::Invalid(_))),
                "{bad}"
            );
        }
    }
}
