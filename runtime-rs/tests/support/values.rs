//! The type expressions of tests/vectors/values.json, each mapped by hand to its Rust type and
//! adapter: decoding wire text as one of them, as generated code decodes a value.

use std::collections::BTreeMap;

use ipcc_runtime::codegen::{decode_value, encode_value, serde_with::Same, wire, IpcError};

use super::vectors_ipc::{Holder, Mood, Person, Shape, Tree};

/// Decodes `text` as `T` through `A` and encodes the value again.
fn round<T, A>(text: &str) -> Result<String, IpcError>
where
    A: for<'de> serde_with::DeserializeAs<'de, T> + serde_with::SerializeAs<T>,
{
    let value = decode_value::<T, A>(text)?;
    encode_value::<T, A>(&value)
}

/// The vectors' type expressions, each mapped by hand to its Rust type and adapter.
pub fn round_trip(type_expr: &str, text: &str) -> Result<String, IpcError> {
    match type_expr {
        "bool" => round::<bool, Same>(text),
        "i8" => round::<i8, Same>(text),
        "i16" => round::<i16, Same>(text),
        "i32" => round::<i32, Same>(text),
        "u8" => round::<u8, Same>(text),
        "u16" => round::<u16, Same>(text),
        "u32" => round::<u32, Same>(text),
        "i64" => round::<i64, wire::Int>(text),
        "u64" => round::<u64, wire::Int>(text),
        "f32" => round::<f32, wire::Float>(text),
        "f64" => round::<f64, wire::Float>(text),
        "string" => round::<String, Same>(text),
        "bytes" => round::<Vec<u8>, wire::Base64>(text),
        "void" => round::<(), Same>(text),
        "i64[]" => round::<Vec<i64>, Vec<wire::Int>>(text),
        "u8[]" => round::<Vec<u8>, Same>(text),
        "f64?[]" => round::<Vec<Option<f64>>, Vec<Option<wire::Float>>>(text),
        "string[][]" => round::<Vec<Vec<String>>, Same>(text),
        "string?" => round::<Option<String>, Option<Same>>(text),
        "i64?" => round::<Option<i64>, Option<wire::Int>>(text),
        "map<string, i64>" => round::<BTreeMap<String, i64>, BTreeMap<Same, wire::Int>>(text),
        "map<u32, bytes>" => {
            round::<BTreeMap<u32, Vec<u8>>, BTreeMap<wire::IntKey, wire::Base64>>(text)
        }
        "map<i64, string>" => round::<BTreeMap<i64, String>, BTreeMap<wire::IntKey, Same>>(text),
        "Mood" => round::<Mood, wire::Named>(text),
        "Person" => round::<Person, wire::Named>(text),
        "Shape" => round::<Shape, wire::Named>(text),
        "Tree" => round::<Tree, wire::Named>(text),
        "Holder" => round::<Holder, wire::Named>(text),
        "Shape[]" => round::<Vec<Shape>, Vec<wire::Named>>(text),
        other => panic!("value vector uses a type expression this test does not map: {other}"),
    }
}
