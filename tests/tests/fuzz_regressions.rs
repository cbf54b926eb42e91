//! Replays the wire fuzz targets' kept inputs (`fuzz/regressions/wire_decode/`,
//! `frontend_decode/` and `value_decode/`: every crasher found, and a few seeds) through the very
//! functions the targets run, `fuzz/harness/wire.rs`, on the same generated code (this
//! crate's build script compiles tests/vectors/vectors.ipc for it), so a fixed crash stays
//! fixed without building the fuzz crate (which needs libFuzzer; see fuzz/README.md).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// The Rust `ipcc` generates for tests/vectors/vectors.ipc.
#[allow(dead_code)]
mod vectors {
    include!(concat!(env!("OUT_DIR"), "/fuzz/vectors.rs"));
}

#[path = "../../fuzz/harness/echo.rs"]
mod echo;

#[path = "../../fuzz/harness/wire.rs"]
mod wire;

/// The files of one target's regression folder, sorted.
fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/regressions")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no input", dir.display());
    files
}

/// Runs every input of `target` through `run`, naming each one that fails.
fn replay(target: &str, run: fn(&[u8])) {
    let mut failures = Vec::new();
    for path in inputs(target) {
        let data = std::fs::read(&path).expect("a regression input is readable");
        if catch_unwind(AssertUnwindSafe(|| run(&data))).is_err() {
            failures.push(path.display().to_string());
        }
    }
    assert!(failures.is_empty(), "failing inputs: {failures:#?}");
}

#[test]
fn wire_decode_regressions() {
    replay("wire_decode", wire::serve_bytes);
}

#[test]
fn frontend_decode_regressions() {
    replay("frontend_decode", wire::serve_frontend);
}

#[test]
fn value_decode_regressions() {
    replay("value_decode", wire::decode_values);
}
