//! Every schema of the corpus was compiled (by this crate's build), and each generated type
//! carries a sample wire value through decode and encode unchanged.

use ipcc_random_schemas::corpus::SAMPLES;
use ipcc_random_schemas::random_schema::{self, SCHEMA_COUNT};
use std::collections::BTreeSet;

#[test]
fn every_schema_is_compiled_and_has_samples() {
    let schemas: BTreeSet<&str> = SAMPLES.iter().map(|s| s.schema).collect();
    assert_eq!(
        schemas.len(),
        SCHEMA_COUNT,
        "schemas with samples: {schemas:?}"
    );
    assert!(
        SAMPLES.len() >= SCHEMA_COUNT * 10,
        "{} samples",
        SAMPLES.len()
    );
}

#[test]
fn samples_round_trip_through_the_generated_types() {
    let mut failures = Vec::new();
    for sample in SAMPLES {
        let expected: serde_json::Value = serde_json::from_str(sample.json).expect("valid JSON");
        match (sample.round_trip)(sample.json) {
            Ok(actual) if actual == expected => {}
            Ok(actual) => failures.push(format!(
                "{} `{}`:\n  sent     {expected}\n  returned {actual}",
                sample.schema, sample.idl_name
            )),
            Err(e) => failures.push(format!(
                "{} `{}`: {e}\n  sent {expected}",
                sample.schema, sample.idl_name
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_corpus_is_deterministic_and_valid() {
    let once = random_schema::corpus();
    let twice = random_schema::corpus();
    assert_eq!(once.len(), SCHEMA_COUNT);
    for (a, b) in once.iter().zip(&twice) {
        assert_eq!(a.files, b.files, "{}", a.name);
        random_schema::check(a).unwrap_or_else(|e| panic!("{e}"));
    }
}
