//! The code both runtimes' tests replay the vectors through is what `ipcc` generates from
//! tests/vectors/vectors.ipc, byte for byte: `runtime-rs/src/bin/ipcc-echo-backend/vectors_ipc.rs`
//! (the echo backend and runtime-rs's tests) and `runtime-ts/test/generated/vectors.ts` (whose
//! one import names the runtime's source, `../../src/common/index.js`, instead of the package
//! `ipcc-runtime`, so that runtime-ts tests itself and not its build). So is the TypeScript of
//! runtime-ts's `IpcApp` tests, `runtime-ts/test/generated/my-interface.ts` from the `.ipc`
//! beside it. And every message vector file of vectors.ipc names the schema hashes that code
//! carries. `IPCC_BLESS=1` rewrites the code files from the generator.

use std::path::{Path, PathBuf};

/// The import the generated TypeScript makes, and what the runtime's own tests import instead.
const PACKAGE_IMPORT: &str = r#"import * as $rt from "ipcc-runtime";"#;
const SOURCE_IMPORT: &str = r#"import * as $rt from "../../src/common/index.js";"#;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn checked_ir(path: &str) -> ipcc::ir::Ir {
    let checked = ipcc::check(&[repo().join(path)]);
    checked
        .ir
        .unwrap_or_else(|| panic!("{path} does not check: {:#?}", checked.diagnostics))
}

fn checked_vectors_ir() -> ipcc::ir::Ir {
    checked_ir("tests/vectors/vectors.ipc")
}

/// The one TypeScript file generated from `ir`, importing the runtime's source.
fn runtime_test_ts(ir: &ipcc::ir::Ir) -> String {
    let generated = ipcc::generate(
        ir,
        &ipcc::GenOptions {
            rust: false,
            ts: true,
        },
    );
    let [ts] = generated.ts.as_slice() else {
        panic!(
            "one TS file: {:?}",
            generated.ts.iter().map(|f| &f.path).collect::<Vec<_>>()
        );
    };
    assert_eq!(
        ts.contents.matches(PACKAGE_IMPORT).count(),
        1,
        "the generated TS imports the runtime once, as `{PACKAGE_IMPORT}`"
    );
    ts.contents.replacen(PACKAGE_IMPORT, SOURCE_IMPORT, 1)
}

/// Compares `committed` with `generated`, or rewrites it under `IPCC_BLESS`.
fn same_or_bless(committed: &Path, generated: &str) {
    if std::env::var_os("IPCC_BLESS").is_some() {
        std::fs::write(committed, generated).expect("writable");
        return;
    }
    let text = std::fs::read_to_string(committed).expect("readable");
    if text != generated {
        let line = text
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .map_or_else(|| "the length".to_owned(), |i| format!("line {}", i + 1));
        panic!(
            "{} is not the generator's output (first difference: {line}): run `IPCC_BLESS=1 cargo test -p ipcc --test generated_fixtures`",
            committed.display()
        );
    }
}

#[test]
fn the_runtimes_replay_the_vectors_through_generated_code() {
    let ir = checked_vectors_ir();
    let generated = ipcc::generate(
        &ir,
        &ipcc::GenOptions {
            rust: true,
            ts: false,
        },
    );
    let [rust] = generated.rust.as_slice() else {
        panic!(
            "one Rust file: {:?}",
            generated.rust.iter().map(|f| &f.path).collect::<Vec<_>>()
        );
    };
    same_or_bless(
        &repo().join("runtime-rs/src/bin/ipcc-echo-backend/vectors_ipc.rs"),
        &rust.contents,
    );
    same_or_bless(
        &repo().join("runtime-ts/test/generated/vectors.ts"),
        &runtime_test_ts(&ir),
    );
}

#[test]
fn the_app_tests_run_generated_code() {
    let ir = checked_ir("runtime-ts/test/generated/my-interface.ipc");
    same_or_bless(
        &repo().join("runtime-ts/test/generated/my-interface.ts"),
        &runtime_test_ts(&ir),
    );
}

#[test]
fn the_message_vectors_name_the_generated_schema_hashes() {
    let ir = checked_vectors_ir();
    let mut hashes = serde_json::Map::new();
    for interface in &ir.interfaces {
        hashes.insert(
            interface.channel.clone(),
            interface.schema_hash.clone().into(),
        );
    }
    for block in &ir.notifications {
        hashes.insert(block.channel.clone(), block.schema_hash.clone().into());
    }
    let mut files = 0;
    for entry in std::fs::read_dir(repo().join("tests/vectors")).expect("the vectors folder") {
        let path = entry.expect("an entry").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("messages") || !name.ends_with(".json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable");
        let file: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let idl = file["idl"].as_str().unwrap_or("");
        if !idl.starts_with("vectors.ipc") {
            continue;
        }
        files += 1;
        assert_eq!(
            file["schemaHashes"],
            serde_json::Value::Object(hashes.clone()),
            "{name}: its schemaHashes are not those of the generated code"
        );
    }
    assert!(
        files >= 4,
        "only {files} message vector files of vectors.ipc"
    );
}
