//! Checks that generated code compiles in a crate that depends on `ipcc-runtime` alone.

use std::path::{Path, PathBuf};
use std::process::Command;

fn copy(from: &Path, to: &Path) {
    std::fs::copy(from, to).unwrap_or_else(|e| panic!("copy {from:?} → {to:?}: {e}"));
}

#[test]
fn generated_code_needs_only_ipcc_runtime() {
    let runtime = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let fixture = runtime.join("tests/codegen-only");
    let scratch = std::env::temp_dir().join(format!("ipcc-codegen-only-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(scratch.join("src")).unwrap();
    let manifest = std::fs::read_to_string(fixture.join("Cargo.toml.in"))
        .unwrap()
        .replace("@RUNTIME@", runtime.to_str().unwrap());
    std::fs::write(scratch.join("Cargo.toml"), manifest).unwrap();
    copy(&fixture.join("src/lib.rs"), &scratch.join("src/lib.rs"));
    copy(
        &runtime.join("src/bin/ipcc-echo-backend/vectors_ipc.rs"),
        &scratch.join("src/vectors_ipc.rs"),
    );
    // The workspace's lock file pins the same versions, so no registry access is needed.
    copy(&runtime.join("../Cargo.lock"), &scratch.join("Cargo.lock"));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| runtime.join("../target"))
        .join("codegen-only");
    let output = Command::new(env!("CARGO"))
        .args(["check", "--offline", "--quiet", "--manifest-path"])
        .arg(scratch.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("cargo runs");
    let _ = std::fs::remove_dir_all(&scratch);
    assert!(
        output.status.success(),
        "generated code does not compile with ipcc-runtime alone:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
