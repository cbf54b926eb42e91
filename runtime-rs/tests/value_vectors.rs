//! Replays tests/vectors/values.json: every entry decoded as its type, re-encoded, compared.

mod support;

use support::values::round_trip;

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
