//! The vectors both runtimes replay: how a reader takes each schema of
//! `tests/vectors/wire-schemas.json`, and the handshake's verdicts of `tests/vectors/compat.json`.

use std::path::Path;

use ipcc_wire_compat::{judge, ChannelSchema, SchemaError, DEFAULT_BUDGET};
use serde_json::Value;

fn vectors(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/vectors")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("JSON")
}

#[test]
fn every_schema_is_read_as_the_vectors_say() {
    let file = vectors("wire-schemas.json");
    let cases = file["cases"].as_array().expect("cases");
    assert!(!cases.is_empty());
    let mut wrong = Vec::new();
    for case in cases {
        let text = case["schema"].as_str().expect("schema text");
        let outcome = match ChannelSchema::from_json(text) {
            Ok(_) => "valid",
            Err(SchemaError::UnknownFormat(_)) => "unknownFormat",
            Err(SchemaError::Invalid(_)) => "invalid",
        };
        if outcome != case["outcome"] {
            wrong.push(format!(
                "{}: read as {outcome}, expected {}",
                case["name"], case["outcome"]
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_verdict_is_the_vectors() {
    let file = vectors("compat.json");
    let cases = file["cases"].as_array().expect("cases");
    assert!(cases.len() >= 100, "{} cases", cases.len());
    for case in cases {
        let read = |key: &str| ChannelSchema::from_json(&case[key].to_string()).expect(key);
        let judgement = judge(&read("frontend"), &read("backend"), DEFAULT_BUDGET).expect("judged");
        let unusable: serde_json::Map<String, Value> = judgement
            .members
            .iter()
            .filter_map(|(m, v)| Some((m.clone(), Value::String(v.unusable.clone()?))))
            .collect();
        assert_eq!(
            Value::Object(unusable),
            case["unusable"],
            "{}",
            case["name"]
        );
        assert_eq!(
            serde_json::to_value(&judgement.backend_only).unwrap(),
            case["backendOnly"],
            "{}",
            case["name"]
        );
    }
}

#[test]
fn every_channel_of_a_set_writes_the_text_a_hello_carries() {
    let file = vectors("wire-schema-sets.json");
    for case in file["cases"].as_array().expect("cases") {
        let set = ipcc_wire_compat::SchemaSet::from_json(case["set"].as_str().unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", case["name"]));
        let channels = case["channels"].as_object().expect("channels");
        assert_eq!(set.channels.len(), channels.len(), "{}", case["name"]);
        for (channel, text) in channels {
            let schema = set.channel(channel).expect("in the set");
            assert_eq!(
                schema.to_json(),
                text.as_str().unwrap(),
                "{} {channel}",
                case["name"]
            );
        }
    }
}
