//! The code both runtimes' tests replay the vectors through is what `ipcc` generates from
//! tests/vectors/vectors.ipc and tests/vectors/streams.ipc (the `streams-test-v1` channel of
//! messages-streams.json), byte for byte: `runtime-rs/src/bin/ipcc-echo-backend/vectors_ipc.rs`
//! and `streams_ipc.rs` (the echo backend and runtime-rs's tests) and
//! `runtime-ts/test/generated/vectors.ts` and `streams.ts` (whose one import names the
//! runtime's source, `../../src/common/index.js`, instead of the package `ipcc-runtime`, so that
//! runtime-ts tests itself and not its build). So is the TypeScript of runtime-ts's `IpcApp`
//! tests, `runtime-ts/test/generated/my-interface.ts` from the `.ipc` beside it. And every
//! message vector file names the schema hashes of the code it is replayed through.
//! `IPCC_BLESS=1` rewrites the code files from the generator.

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

/// The `.ipc` of the stream vectors' `streams-test-v1` channel.
const STREAMS_IPC: &str = "tests/vectors/streams.ipc";

fn checked_vectors_ir() -> ipcc::ir::Ir {
    checked_ir("tests/vectors/vectors.ipc")
}

/// Every channel's schema hash in `ir`, as a message vector file's `schemaHashes`.
fn schema_hashes(ir: &ipcc::ir::Ir) -> serde_json::Map<String, serde_json::Value> {
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
    hashes
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

/// The one Rust file generated from `ir`.
fn runtime_test_rust(ir: &ipcc::ir::Ir) -> String {
    let generated = ipcc::generate(
        ir,
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
    rust.contents.clone()
}

#[test]
fn the_runtimes_replay_the_vectors_through_generated_code() {
    let ir = checked_vectors_ir();
    same_or_bless(
        &repo().join("runtime-rs/src/bin/ipcc-echo-backend/vectors_ipc.rs"),
        &runtime_test_rust(&ir),
    );
    same_or_bless(
        &repo().join("runtime-ts/test/generated/vectors.ts"),
        &runtime_test_ts(&ir),
    );
}

#[test]
fn the_runtimes_replay_the_stream_vectors_through_generated_code() {
    let ir = checked_ir(STREAMS_IPC);
    same_or_bless(
        &repo().join("runtime-rs/src/bin/ipcc-echo-backend/streams_ipc.rs"),
        &runtime_test_rust(&ir),
    );
    same_or_bless(
        &repo().join("runtime-ts/test/generated/streams.ts"),
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
    // Each message vector file names the `.ipc` (in tests/vectors) of the code it is replayed
    // through first in its `idl`.
    let idls = [
        ("vectors.ipc", schema_hashes(&checked_vectors_ir())),
        ("streams.ipc", schema_hashes(&checked_ir(STREAMS_IPC))),
    ];
    let mut files = [0; 2];
    for entry in std::fs::read_dir(repo().join("tests/vectors")).expect("the vectors folder") {
        let path = entry.expect("an entry").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("messages") || !name.ends_with(".json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable");
        let file: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let idl = file["idl"].as_str().unwrap_or("");
        let Some(at) = idls.iter().position(|(ipc, _)| idl.starts_with(ipc)) else {
            panic!(
                "{name}: its `idl` ({idl:?}) names none of {idls:?}",
                idls = idls.map(|(ipc, _)| ipc)
            );
        };
        files[at] += 1;
        assert_eq!(
            file["schemaHashes"],
            serde_json::Value::Object(idls[at].1.clone()),
            "{name}: its schemaHashes are not those of the code generated from {}",
            idls[at].0
        );
    }
    assert!(
        files[0] >= 4,
        "only {} message vector files of vectors.ipc",
        files[0]
    );
    assert!(
        files[1] >= 1,
        "no message vector file of streams.ipc (messages-streams.json)"
    );
}
