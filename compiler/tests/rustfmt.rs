//! The generated Rust is formatted as rustfmt formats it: every example, the test IDL and a
//! schema of very long names go through `rustfmt --check`.
//!
//! The generator writes its layout itself (no formatting pass), so this is what holds the
//! templates and `codegen/rust/layout.rs` to rustfmt's output. It needs `rustfmt` on the
//! `PATH` (`rustup component add rustfmt`), and fails without it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Every root the tests crate builds (one run each, as its build script runs them), and the
/// long-names schema.
fn roots() -> Vec<PathBuf> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut roots = Vec::new();
    for folder in ["idl-examples", "tests/idl"] {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(repo.join(folder))
            .unwrap_or_else(|e| panic!("{folder}: {e}"))
            .map(|entry| entry.unwrap_or_else(|e| panic!("{folder}: {e}")).path())
            .collect();
        entries.sort();
        roots.extend(entries);
    }
    roots.push(repo.join("compiler/tests/rustfmt/long-names.ipc"));
    roots
}

fn generate(root: &Path) -> Vec<ipcc::GeneratedFile> {
    let checked = ipcc::check(&[root.to_path_buf()]);
    let ir = checked.ir.unwrap_or_else(|| {
        panic!(
            "{} does not check: {:?}",
            root.display(),
            checked.diagnostics
        )
    });
    ipcc::codegen::rust::try_generate(&ir).unwrap_or_else(|e| panic!("{}: {e}", root.display()))
}

#[test]
fn generated_rust_is_formatted_as_rustfmt_formats_it() {
    let out = std::env::temp_dir().join(format!("ipcc-rustfmt-{}", std::process::id()));
    let mut failures = Vec::new();
    let mut checked = 0;
    for root in roots() {
        let name = root
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let dir = out.join(&name);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for file in generate(&root) {
            let path = dir.join(&file.path);
            std::fs::write(&path, &file.contents).unwrap_or_else(|e| panic!("{e}"));
            let output = Command::new("rustfmt")
                .args(["--edition", "2021", "--check"])
                .arg(&path)
                .output()
                .unwrap_or_else(|e| {
                    panic!("rustfmt does not run ({e}): rustup component add rustfmt")
                });
            checked += 1;
            if !output.status.success() {
                failures.push(format!(
                    "{} ({}):\n{}{}",
                    file.path,
                    root.display(),
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&out);
    assert!(checked >= 15, "only {checked} files generated");
    assert!(
        failures.is_empty(),
        "rustfmt disagrees:\n{}",
        failures.join("\n")
    );
}
