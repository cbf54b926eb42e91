//! Snapshots of the generated Rust for every example (read them when they change: they are
//! what users include), and proof that `ipcc::Builder` wrote exactly that into `OUT_DIR`.

use std::path::{Path, PathBuf};

/// The same roots as `build.rs`, in `idl-examples/` and `tests/idl/`.
fn roots() -> Vec<PathBuf> {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut roots = roots_in(&manifest_dir.join("../idl-examples"));
    roots.extend(roots_in(&manifest_dir.join("idl")));
    roots
}

/// Top-level files, and `d/d.ipc` (else every file) per folder.
fn roots_in(folder: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let mut roots = Vec::new();
    for entry in entries {
        if entry.is_dir() {
            let name = entry.file_name().unwrap().to_string_lossy().to_string();
            let main = entry.join(format!("{name}.ipc"));
            if main.is_file() {
                roots.push(main);
            } else {
                let mut inner: Vec<PathBuf> = std::fs::read_dir(&entry)
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .filter(|p| p.extension().is_some_and(|e| e == "ipc"))
                    .collect();
                inner.sort();
                roots.extend(inner);
            }
        } else if entry.extension().is_some_and(|e| e == "ipc") {
            roots.push(entry);
        }
    }
    roots
}

fn generate(root: &Path) -> ipcc::GeneratedFile {
    let checked = ipcc::check(&[root.to_path_buf()]);
    let ir = checked
        .ir
        .unwrap_or_else(|| panic!("{} has errors: {:?}", root.display(), checked.diagnostics));
    let mut files = ipcc::codegen::rust::try_generate(&ir).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(files.len(), 1, "one Rust file per root");
    files.remove(0)
}

#[test]
fn generated_rust_of_every_example() {
    let roots = roots();
    assert!(roots.len() >= 8, "examples missing: {roots:?}");
    for root in roots {
        let file = generate(&root);
        let stem = root.file_stem().unwrap().to_string_lossy().to_string();
        assert_eq!(file.path, format!("{stem}.rs"));
        // `large-shapes` (thousands of members) is there to be compiled, not read: about
        // 300 KB of Rust that no one reviews as a snapshot.
        if stem != "large-shapes" {
            insta::assert_snapshot!(stem.clone(), file.contents);
        }

        // Deterministic: the same input gives the same bytes.
        assert_eq!(generate(&root).contents, file.contents);

        // The build script's Builder wrote exactly this.
        let module = stem.replace('-', "_");
        let built = Path::new(env!("OUT_DIR"))
            .join("examples")
            .join(&module)
            .join(&file.path);
        let built =
            std::fs::read_to_string(&built).unwrap_or_else(|e| panic!("{}: {e}", built.display()));
        assert_eq!(built, file.contents, "OUT_DIR copy of {stem} differs");
    }
}
