//! The wire schemas that tests/vectors/messages-compat.json gives its Echo backend are the
//! compiler's own for tests/vectors/vectors.ipc, so the vectors exercise what generated code sends.

use std::path::Path;

use ipcc::ir::wire_schema::{interface_schema, notifications_schema};

#[test]
fn message_vectors_carry_the_compilers_wire_schemas() {
    let vectors = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let checked = ipcc::check(&[vectors.join("vectors.ipc")]);
    let ir = checked
        .ir
        .unwrap_or_else(|| panic!("vectors.ipc does not check: {:#?}", checked.diagnostics));
    let text = std::fs::read_to_string(vectors.join("messages-compat.json")).expect("readable");
    let file: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let mut expected = serde_json::Map::new();
    for interface in &ir.interfaces {
        let schema = interface_schema(&ir, interface).schema.to_json();
        expected.insert(
            interface.channel.clone(),
            serde_json::from_str(&schema).unwrap(),
        );
    }
    for block in &ir.notifications {
        let schema = notifications_schema(&ir, block).schema.to_json();
        expected.insert(
            block.channel.clone(),
            serde_json::from_str(&schema).unwrap(),
        );
    }
    assert_eq!(file["wireSchemas"], serde_json::Value::Object(expected));
}
