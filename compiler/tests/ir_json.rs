//! `ipcc ir` end to end: the output of every example validates against the committed JSON
//! Schema (`docs/ir.schema.json`), and it does not depend on the machine (no absolute path,
//! the same model however the inputs are named).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn workspace_dir() -> PathBuf {
    crate_dir()
        .parent()
        .expect("the crate sits in the workspace")
        .to_path_buf()
}

fn ipcc_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ipcc"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("ipcc runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The model `ipcc ir ARGS` prints in `dir`.
fn ir_in(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["ir"];
    all.extend_from_slice(args);
    let output = ipcc_in(dir, &all);
    assert_eq!(
        output.status.code(),
        Some(0),
        "ipcc ir {args:?} in {}: {}",
        dir.display(),
        stderr(&output)
    );
    serde_json::from_slice(&output.stdout).expect("ipcc ir prints JSON")
}

/// The committed schema, made strict for this test: an object may hold only the properties
/// the schema names, so the output cannot carry a field the schema does not describe.
fn strict_schema() -> Value {
    let path = workspace_dir().join("docs/ir.schema.json");
    let text = std::fs::read_to_string(&path).expect("docs/ir.schema.json exists");
    let mut schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    fn close(value: &mut Value) {
        match value {
            Value::Object(object) => {
                if object.contains_key("properties") {
                    object.insert("additionalProperties".into(), Value::Bool(false));
                }
                object.values_mut().for_each(close);
            }
            Value::Array(items) => items.iter_mut().for_each(close),
            _ => {}
        }
    }
    close(&mut schema);
    schema
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&strict_schema()).expect("the schema is a valid JSON Schema")
}

fn violations(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect()
}

/// Every `.ipc` file below `dir`, sorted.
fn ipc_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            ipc_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "ipc") {
            found.push(path);
        }
    }
}

/// Every example: each file of `idl-examples`, `compiler/tests/ui/pass` and `tests/idl` on its
/// own, and each of those folders (and each multi-file case) as one directory root.
fn examples() -> Vec<String> {
    let workspace = workspace_dir();
    let folders = [
        workspace.join("idl-examples"),
        crate_dir().join("tests/ui/pass"),
        workspace.join("tests/idl"),
    ];
    let mut inputs: Vec<PathBuf> = Vec::new();
    for folder in &folders {
        ipc_files(folder, &mut inputs);
        inputs.push(folder.clone());
    }
    inputs.push(workspace.join("idl-examples/greeter"));
    inputs.push(crate_dir().join("tests/ui/pass/imports"));
    inputs.push(crate_dir().join("tests/streams/files.ipc"));
    inputs
        .iter()
        .map(|path| {
            path.strip_prefix(&workspace)
                .expect("inside the workspace")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

#[test]
fn the_model_of_every_example_validates_against_the_committed_schema() {
    let validator = validator();
    let workspace = workspace_dir();
    let examples = examples();
    assert!(examples.len() >= 15, "{examples:?}");
    let mut failures = Vec::new();
    for example in &examples {
        let model = ir_in(&workspace, &[example]);
        let problems = violations(&validator, &model);
        if !problems.is_empty() {
            failures.push(format!("{example}:\n  {}", problems.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_schema_rejects_what_the_model_never_holds() {
    let validator = validator();
    let model = ir_in(&workspace_dir(), &["idl-examples/my-interface.ipc"]);
    assert!(violations(&validator, &model).is_empty());
    let mut wrong_version = model.clone();
    wrong_version["version"] = Value::from(2);
    let mut unknown_field = model.clone();
    unknown_field["files"][0]["absolute_path"] = Value::from("/home/me/x.ipc");
    let mut missing_field = model.clone();
    if let Some(method) = missing_field["interfaces"][0]["methods"][0].as_object_mut() {
        method.remove("throws");
    }
    let mut bad_type = model.clone();
    bad_type["interfaces"][0]["methods"][0]["result"] =
        serde_json::json!({ "kind": "primitive", "primitive": "int" });
    for (what, broken) in [
        ("version 2", wrong_version),
        ("an unknown field", unknown_field),
        ("a missing field", missing_field),
        ("an unknown primitive", bad_type),
    ] {
        assert!(
            !violations(&validator, &broken).is_empty(),
            "the schema accepts {what}"
        );
    }
}

/// Every `path` of a model's files.
fn file_paths(model: &Value) -> Vec<String> {
    model["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|file| file["path"].as_str().expect("a path").to_string())
        .collect()
}

#[test]
fn the_model_does_not_depend_on_how_or_where_the_inputs_are_named() {
    let workspace = workspace_dir();
    let absolute = workspace.join("idl-examples/greeter");
    let absolute = absolute.to_str().expect("a UTF-8 path");
    let elsewhere = std::env::temp_dir().join(format!("ipcc-ir-{}", std::process::id()));
    std::fs::create_dir_all(&elsewhere).unwrap();

    // From the workspace: paths relative to it, however the input is given.
    let relative = ir_in(&workspace, &["idl-examples/greeter"]);
    assert_eq!(
        file_paths(&relative),
        [
            "idl-examples/greeter/people.ipc",
            "idl-examples/greeter/greeter.ipc"
        ]
    );
    assert_eq!(ir_in(&workspace, &[absolute]), relative);
    assert_eq!(
        ir_in(&workspace, &["./idl-examples/../idl-examples/greeter/"]),
        relative
    );

    // From below the workspace or from an unrelated folder: the inputs are outside the
    // working directory, so paths start from the roots' directory.
    let below = ir_in(&crate_dir(), &["../idl-examples/greeter"]);
    assert_eq!(file_paths(&below), ["people.ipc", "greeter.ipc"]);
    assert_eq!(ir_in(&crate_dir(), &[absolute]), below);
    assert_eq!(ir_in(&elsewhere, &[absolute]), below);
    // Apart from the paths, the model is the same wherever it is printed from.
    let mut renamed = relative.clone();
    for (file, path) in renamed["files"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .zip(file_paths(&below))
    {
        file["path"] = Value::from(path);
    }
    assert_eq!(renamed, below);

    // No output holds an absolute path.
    for model in [&relative, &below] {
        let text = model.to_string();
        assert!(!text.contains(workspace.to_str().unwrap()), "{text}");
        assert!(!text.contains(elsewhere.to_str().unwrap()), "{text}");
        for path in file_paths(model) {
            assert!(!path.starts_with('/') && !path.contains('\\'), "{path}");
        }
    }
    let _ = std::fs::remove_dir_all(&elsewhere);
}

#[test]
fn diagnostics_show_paths_as_they_were_given() {
    let dir = std::env::temp_dir().join(format!("ipcc-ir-diag-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("broken.ipc"), "struct A { x: i32 }\n").unwrap();
    let absolute = dir.join("broken.ipc");
    let absolute = absolute.to_str().unwrap();
    let output = ipcc_in(&crate_dir(), &["ir", "--color", "never", absolute]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(&format!("--> {absolute}:1:19")),
        "{}",
        stderr(&output)
    );
    let output = ipcc_in(&dir, &["ir", "--color", "never", "broken.ipc"]);
    assert!(
        stderr(&output).contains("--> broken.ipc:1:19"),
        "{}",
        stderr(&output)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
