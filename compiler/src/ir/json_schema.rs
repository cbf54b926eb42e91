//! The JSON Schema of the IR that `ipcc ir` prints (`docs/ir.schema.json`), derived from the
//! model's types and their `///` docs. The committed file must equal the derivation, so a
//! change of the model that the schema does not describe fails here.

use super::model::{Ir, IR_VERSION};
use serde_json::Value;
use std::path::PathBuf;

/// Where the schema is committed.
fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/ir.schema.json")
}

/// The schema of [`Ir`]'s JSON (draft 2020-12), its `$id` naming [`IR_VERSION`].
fn schema() -> Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let mut schema = generator.into_root_schema_for::<Ir>().to_value();
    tidy(&mut schema);
    if let Value::Object(root) = &mut schema {
        root.insert("$id".into(), format!("urn:ipcc:ir:v{IR_VERSION}").into());
        root.insert("title".into(), "ipcc IR".into());
        // `version` is always this IR_VERSION; a reader checks it before anything else.
        if let Some(Value::Object(version)) = root
            .get_mut("properties")
            .and_then(|properties| properties.get_mut("version"))
        {
            version.remove("minimum");
            version.remove("format");
            version.insert("const".into(), IR_VERSION.into());
        }
    }
    schema
}

/// What the derivation leaves to be said: `ipcc ir` prints every field of every object
/// (`null` for an absent optional value), so every property is required; descriptions are
/// the `///` docs without rustdoc's link brackets.
fn tidy(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if let Some(Value::Object(properties)) = object.get("properties") {
                let mut names: Vec<&String> = properties.keys().collect();
                names.sort();
                let names = names.into_iter().cloned().map(Value::from).collect();
                object.insert("required".into(), Value::Array(names));
            }
            if let Some(Value::String(description)) = object.get_mut("description") {
                *description = description.replace("[`", "`").replace("`]", "`");
            }
            object.values_mut().for_each(tidy);
        }
        Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}

/// Set to update `docs/ir.schema.json` instead of failing when it is out of date.
const UPDATE_VARIABLE: &str = "IPCC_UPDATE_IR_SCHEMA";

#[test]
fn the_committed_schema_describes_the_model() {
    let derived = schema();
    let path = committed_path();
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    // Compared as JSON values: object key order is the serializer's business.
    if serde_json::from_str::<Value>(&committed).ok().as_ref() == Some(&derived) {
        return;
    }
    if std::env::var_os(UPDATE_VARIABLE).is_some() {
        let text = serde_json::to_string_pretty(&derived).expect("a schema serializes");
        std::fs::write(&path, format!("{text}\n")).expect("docs/ir.schema.json is writable");
        return;
    }
    panic!(
        "docs/ir.schema.json does not describe the model in compiler/src/ir/model.rs.\n\
         If the change is incompatible for readers of `ipcc ir`, bump IR_VERSION first; then \
         run `{UPDATE_VARIABLE}=1 cargo test -p ipcc --lib json_schema`, and describe the \
         change in docs/ir.md."
    );
}
