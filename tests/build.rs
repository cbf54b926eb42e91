//! Compiles every example in `idl-examples/` and the generator corner cases in `tests/idl/`
//! through the real `ipcc::Builder`, and writes an index (`examples.rs`) that `src/lib.rs`
//! includes: one module per root file.
//!
//! Roots: every `*.ipc` directly in those folders, and for each subdirectory `d/` the file
//! `d/d.ipc` when it exists (the others there are its imports), else every `*.ipc` in it.

use std::path::{Path, PathBuf};

fn main() {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let repo = manifest_dir.join("..");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut roots = Vec::new();
    for (folder, label) in [
        (repo.join("idl-examples"), "idl-examples"),
        (manifest_dir.join("idl"), "tests/idl"),
    ] {
        println!("cargo:rerun-if-changed={}", folder.display());
        for root in roots_in(&folder) {
            let relative = root
                .strip_prefix(&folder)
                .unwrap_or(&root)
                .display()
                .to_string();
            roots.push((root, format!("{label}/{relative}")));
        }
    }

    let mut index = String::new();
    for (root, relative) in &roots {
        let stem = root
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let module = stem.replace('-', "_");
        let dir = out_dir.join("examples").join(&module);
        // One builder call per root: each is a separate program with its own channels.
        ipcc::Builder::new().out_dir(&dir).compile(&[root]);
        index.push_str(&format!(
            "/// Generated from `{relative}`.\npub mod {module} {{\n    include!(concat!(env!(\"OUT_DIR\"), \"/examples/{module}/{stem}.rs\"));\n}}\n"
        ));
    }
    // The conformance vectors' interface, for the replay of the wire fuzz targets' kept inputs
    // (tests/fuzz_regressions.rs, which includes fuzz/harness/wire.rs).
    let vectors = repo.join("tests/vectors/vectors.ipc");
    ipcc::Builder::new()
        .out_dir(out_dir.join("fuzz"))
        .compile(&[vectors]);

    // A frontend-only build with attributes from the build script (tests/builder_options.rs).
    // guide:start builder-options
    ipcc::Builder::new()
        .out_dir(out_dir.join("builder_options"))
        .build_server(false)
        .type_attribute("people.Person", "#[derive(PartialOrd)]")
        .type_attribute("people.LookupError", "#[derive(PartialOrd)]")
        .compile(&[repo.join("idl-examples/greeter/greeter.ipc")]);
    // guide:end builder-options

    let index_path = out_dir.join("examples.rs");
    if std::fs::read_to_string(&index_path).ok().as_deref() != Some(index.as_str()) {
        std::fs::write(&index_path, index).expect("write examples.rs");
    }
}

/// The root files of one folder (see the module docs).
fn roots_in(folder: &Path) -> Vec<PathBuf> {
    let mut roots = Vec::new();
    for entry in sorted_entries(folder) {
        if entry.is_dir() {
            println!("cargo:rerun-if-changed={}", entry.display());
            let name = entry
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            let main = entry.join(format!("{name}.ipc"));
            if main.is_file() {
                roots.push(main);
            } else {
                roots.extend(sorted_entries(&entry).into_iter().filter(|p| is_ipc(p)));
            }
        } else if is_ipc(&entry) {
            roots.push(entry);
        }
    }
    roots
}

fn is_ipc(path: &Path) -> bool {
    path.is_file() && path.extension().is_some_and(|e| e == "ipc")
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    entries
}
