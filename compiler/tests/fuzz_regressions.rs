//! Replays the compile fuzz targets' kept inputs (`fuzz/regressions/compile_bytes/` and
//! `fuzz/regressions/compile_grammar/`: every crasher found, and a few seeds) through the very
//! function the targets run, `fuzz/harness/compile.rs`, so a fixed crash stays fixed without
//! building the fuzz crate (which needs libFuzzer; see fuzz/README.md).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

#[path = "../../fuzz/harness/compile.rs"]
mod compile;

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

/// Runs every input of `target`, naming each one that fails.
fn replay(target: &str) {
    let mut failures = Vec::new();
    for path in inputs(target) {
        let data = std::fs::read(&path).expect("a regression input is readable");
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            compile::compile_text(&String::from_utf8_lossy(&data))
        }));
        if outcome.is_err() {
            failures.push(path.display().to_string());
        }
    }
    assert!(failures.is_empty(), "failing inputs: {failures:#?}");
}

#[test]
fn compile_bytes_regressions() {
    replay("compile_bytes");
}

#[test]
fn compile_grammar_regressions() {
    replay("compile_grammar");
}
