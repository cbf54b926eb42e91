//! Replays tests/vectors/values.json: every entry decoded as its type, re-encoded, compared.

mod support;

use std::collections::BTreeMap;

use ipcc_runtime::codegen::{decode_value, encode_value, serde_with::Same, wire, IpcError};
use support::vectors_ipc::{Holder, Mood, Person, Shape, Tree};

/// Decodes `text` as `T` through `A` and encodes the value again.
fn round<T, A>(text: &str) -> Result<String, IpcError>
where
    A: for<'de> serde_with::DeserializeAs<'de, T> + serde_with::SerializeAs<T>,
{
    let value = decode_value::<T, A>(text)?;
    encode_value::<T, A>(&value)
}

/// The vectors' type expressions, each mapped by hand to its Rust type and adapter.
fn round_trip(type_expr: &str, text: &str) -> Result<String, IpcError> {
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

#[test]
fn value_vectors() {
    let text = std::fs::read_to_string(support::vectors_dir().join("values.json"))
        .expect("tests/vectors/values.json is readable");
    let file: serde_json::Value = serde_json::from_str(&text).expect("values.json is JSON");
    let cases = file["cases"].as_array().expect("values.json has cases");
    assert!(cases.len() > 150, "expected the full vector set");
    let mut failures = Vec::new();
    for case in cases {
        let type_expr = case["type"].as_str().unwrap();
        let wire_text = case["wire"].as_str().unwrap();
        let valid = case["valid"].as_bool().unwrap();
        let outcome = round_trip(type_expr, wire_text);
        match (valid, outcome) {
            (true, Ok(encoded)) => {
                let expected_text = case["canonical"].as_str().unwrap_or(wire_text);
                let expected: serde_json::Value = serde_json::from_str(expected_text).unwrap();
                let got: serde_json::Value = serde_json::from_str(&encoded).unwrap();
                if !support::json_equal(&expected, &got) {
                    failures.push(format!(
                        "{type_expr} {wire_text}: re-encoded as {encoded}, expected {expected_text}"
                    ));
                }
            }
            (true, Err(error)) => failures.push(format!(
                "{type_expr} {wire_text}: should decode, got {error}"
            )),
            (false, Ok(encoded)) => failures.push(format!(
                "{type_expr} {wire_text}: should be rejected, decoded and re-encoded as {encoded}"
            )),
            (false, Err(error)) => {
                assert_eq!(error.code, ipcc_runtime::ErrorCode::BadRequest);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} vector(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
