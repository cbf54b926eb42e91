//! Strict reading of wire schemas from JSON: every object must have exactly the documented keys
//! with the documented shapes (docs/protocol.md, "Wire schemas"). A derived deserializer would
//! take more (a struct given as an array, a scalar given as `{"i64": null}`); a peer's schema
//! is untrusted, and both runtimes must refuse the same texts. Format 2 is format 1 plus the
//! stream keys (`"stream"` on a parameter, `"resultStream"` on a member), which format 1 refuses
//! as unknown keys.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::schema::{
    ChannelEntry, ChannelKind, ChannelSchema, FieldSchema, MemberSchema, ParamSchema, Primitive,
    SchemaError, SchemaSet, TypeSchema, VariantSchema, WireType, SCHEMA_FORMAT,
    STREAMS_SCHEMA_FORMAT,
};

type Read<T> = Result<T, String>;

/// Parses `text` and checks its `format` first, so that another format is told apart from a
/// schema that is not one. Gives the document and its format.
pub(crate) fn document(text: &str) -> Result<(Value, u32), SchemaError> {
    // The probe skips everything but `format` without reading it, so that a schema of another
    // format is never judged by this format's rules (its nesting, its strings). A derived struct
    // would also take an array (positionally): refused up front.
    if !text.trim_start().starts_with('{') {
        return Err(SchemaError::Invalid("not an object".into()));
    }
    let probe: FormatProbe = serde_json::from_str(text)
        .map_err(|e| SchemaError::Invalid(format!("no `format`: {e}")))?;
    let format = match probe.format.as_u64() {
        Some(format) if format == u64::from(SCHEMA_FORMAT) => SCHEMA_FORMAT,
        Some(format) if format == u64::from(STREAMS_SCHEMA_FORMAT) => STREAMS_SCHEMA_FORMAT,
        Some(format) => return Err(SchemaError::UnknownFormat(format)),
        None => return Err(SchemaError::Invalid("`format` is not a number".into())),
    };
    let value = serde_json::from_str(text).map_err(|e| SchemaError::Invalid(e.to_string()))?;
    Ok((value, format))
}

/// Only the format number, read first.
#[derive(Deserialize)]
struct FormatProbe {
    format: Value,
}

/// A channel's schema of `format`: `{"format", "kind", "members", "types"?}`.
pub(crate) fn channel(value: &Value, format: u32) -> Read<ChannelSchema> {
    let object = keys(value, "schema", &["format", "kind", "members"], &["types"])?;
    Ok(ChannelSchema {
        format,
        kind: kind(&object["kind"])?,
        members: members(&object["members"], format)?,
        types: Arc::new(match object.get("types") {
            Some(types) => array(types, "types")?
                .iter()
                .map(type_schema)
                .collect::<Read<_>>()?,
            None => Vec::new(),
        }),
    })
}

/// A set of channels of `format` over one table of types: `{"format", "types", "channels"}`.
pub(crate) fn set(value: &Value, format: u32) -> Read<SchemaSet> {
    let object = keys(value, "schema set", &["format", "types", "channels"], &[])?;
    let types = array(&object["types"], "types")?
        .iter()
        .map(type_schema)
        .collect::<Read<_>>()?;
    let channels = map(&object["channels"], "channels")?
        .iter()
        .map(|(name, entry)| {
            let entry = keys(entry, "channel", &["kind", "members"], &[])?;
            Ok((
                name.clone(),
                ChannelEntry {
                    kind: kind(&entry["kind"])?,
                    members: members(&entry["members"], format)?,
                },
            ))
        })
        .collect::<Read<_>>()?;
    Ok(SchemaSet {
        format,
        types: Arc::new(types),
        channels,
    })
}

fn kind(value: &Value) -> Read<ChannelKind> {
    match value.as_str() {
        Some("interface") => Ok(ChannelKind::Interface),
        Some("notifications") => Ok(ChannelKind::Notifications),
        _ => Err(format!(
            "`kind` {value} is not `interface` or `notifications`"
        )),
    }
}

fn members(value: &Value, format: u32) -> Read<BTreeMap<String, MemberSchema>> {
    let streams = format >= STREAMS_SCHEMA_FORMAT;
    let member_keys: &[&str] = if streams {
        &["result", "resultStream", "throws"]
    } else {
        &["result", "throws"]
    };
    map(value, "members")?
        .iter()
        .map(|(name, member)| {
            let object = keys(member, name, &["params"], member_keys)?;
            Ok((
                name.clone(),
                MemberSchema {
                    params: array(&object["params"], "params")?
                        .iter()
                        .map(|p| param(p, streams))
                        .collect::<Read<_>>()?,
                    result: optional(object, "result").map(wire_type).transpose()?,
                    result_stream: flag(object, "resultStream")?,
                    throws: optional(object, "throws").map(wire_type).transpose()?,
                },
            ))
        })
        .collect()
}

/// A boolean key that may be absent (false).
fn flag(object: &Map<String, Value>, key: &str) -> Read<bool> {
    match object.get(key) {
        None => Ok(false),
        Some(Value::Bool(value)) => Ok(*value),
        Some(other) => Err(format!("`{key}` {other} is not a boolean")),
    }
}

/// A key that may be absent or `null`.
fn optional<'v>(object: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    object.get(key).filter(|value| !value.is_null())
}

/// A parameter; `streams` when the format has streams (the `stream` key).
fn param(value: &Value, streams: bool) -> Read<ParamSchema> {
    let optional_keys: &[&str] = if streams {
        &["omittable", "stream"]
    } else {
        &["omittable"]
    };
    let object = keys(value, "parameter", &["name", "type"], optional_keys)?;
    Ok(ParamSchema {
        name: string(&object["name"], "name")?,
        ty: wire_type(&object["type"])?,
        omittable: flag(object, "omittable")?,
        stream: flag(object, "stream")?,
    })
}

fn type_schema(value: &Value) -> Read<TypeSchema> {
    let kind = value
        .as_object()
        .and_then(|o| o.get("kind"))
        .and_then(Value::as_str)
        .ok_or_else(|| format!("type {value} has no `kind`"))?;
    match kind {
        "struct" => {
            let object = keys(value, "struct", &["kind", "name", "fields"], &[])?;
            Ok(TypeSchema::Struct {
                name: string(&object["name"], "name")?,
                fields: fields(&object["fields"])?,
            })
        }
        "enum" => {
            let object = keys(value, "enum", &["kind", "name", "values"], &[])?;
            Ok(TypeSchema::Enum {
                name: string(&object["name"], "name")?,
                values: array(&object["values"], "values")?
                    .iter()
                    .map(|v| string(v, "value"))
                    .collect::<Read<_>>()?,
            })
        }
        "union" => {
            let object = keys(value, "union", &["kind", "name", "variants"], &[])?;
            Ok(TypeSchema::Union {
                name: string(&object["name"], "name")?,
                variants: array(&object["variants"], "variants")?
                    .iter()
                    .map(|variant| {
                        let object = keys(variant, "variant", &["name"], &["fields"])?;
                        Ok(VariantSchema {
                            name: string(&object["name"], "name")?,
                            fields: match object.get("fields") {
                                Some(list) => fields(list)?,
                                None => Vec::new(),
                            },
                        })
                    })
                    .collect::<Read<_>>()?,
            })
        }
        other => Err(format!(
            "type kind `{other}` is not `struct`, `enum` or `union`"
        )),
    }
}

fn fields(value: &Value) -> Read<Vec<FieldSchema>> {
    array(value, "fields")?
        .iter()
        .map(|field| {
            let object = keys(field, "field", &["name", "type"], &[])?;
            Ok(FieldSchema {
                name: string(&object["name"], "name")?,
                ty: wire_type(&object["type"])?,
            })
        })
        .collect()
}

/// A type use: a scalar's name, or an object with exactly one of `array`, `map`, `optional`,
/// `ref`.
fn wire_type(value: &Value) -> Read<WireType> {
    if let Some(name) = value.as_str() {
        return primitive(name)
            .map(WireType::Primitive)
            .ok_or_else(|| format!("`{name}` is not a type"));
    }
    let object = value
        .as_object()
        .filter(|o| o.len() == 1)
        .ok_or_else(|| format!("type {value} is not a name or a one-key object"))?;
    let (key, inner) = object.iter().next().ok_or("empty type")?;
    match key.as_str() {
        "array" => Ok(WireType::Array(Box::new(wire_type(inner)?))),
        "optional" => Ok(WireType::Optional(Box::new(wire_type(inner)?))),
        "map" => match array(inner, "map")?.as_slice() {
            [k, v] => Ok(WireType::Map(
                Box::new(wire_type(k)?),
                Box::new(wire_type(v)?),
            )),
            _ => Err("`map` is not a pair of types".into()),
        },
        "ref" => inner
            .as_u64()
            .and_then(|index| u32::try_from(index).ok())
            .map(WireType::Ref)
            .ok_or_else(|| format!("`ref` {inner} is not an index")),
        other => Err(format!(
            "type `{other}` is not `array`, `map`, `optional` or `ref`"
        )),
    }
}

fn primitive(name: &str) -> Option<Primitive> {
    Some(match name {
        "bool" => Primitive::Bool,
        "i8" => Primitive::I8,
        "i16" => Primitive::I16,
        "i32" => Primitive::I32,
        "i64" => Primitive::I64,
        "u8" => Primitive::U8,
        "u16" => Primitive::U16,
        "u32" => Primitive::U32,
        "u64" => Primitive::U64,
        "f32" => Primitive::F32,
        "f64" => Primitive::F64,
        "string" => Primitive::String,
        "bytes" => Primitive::Bytes,
        _ => return None,
    })
}

/// `value` as an object with every key of `required`, and no key outside `required` and
/// `optional`.
fn keys<'v>(
    value: &'v Value,
    what: &str,
    required: &[&str],
    optional: &[&str],
) -> Read<&'v Map<String, Value>> {
    let object = value
        .as_object()
        .ok_or_else(|| format!("{what} is not an object"))?;
    for key in required {
        if !object.contains_key(*key) {
            return Err(format!("{what} has no `{key}`"));
        }
    }
    for key in object.keys() {
        if !required.contains(&key.as_str()) && !optional.contains(&key.as_str()) {
            return Err(format!("{what} has an unknown key `{key}`"));
        }
    }
    Ok(object)
}

fn map<'v>(value: &'v Value, what: &str) -> Read<&'v Map<String, Value>> {
    value
        .as_object()
        .ok_or_else(|| format!("`{what}` is not an object"))
}

fn array<'v>(value: &'v Value, what: &str) -> Read<&'v Vec<Value>> {
    value
        .as_array()
        .ok_or_else(|| format!("`{what}` is not an array"))
}

fn string(value: &Value, what: &str) -> Read<String> {
    value
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("`{what}` is not a string"))
}
