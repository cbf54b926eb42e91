//! Snapshot tests of the front end: every `tests/ui/pass` input and every `idl-examples` file
//! as IR JSON, every `tests/ui/fail` input as its rendered diagnostics.
//!
//! A case is a `.ipc` file, or a directory holding a `main.ipc` (a multi-file case, checked as
//! a directory root: every `.ipc` file in it). Paths are relative to the crate, so snapshots
//! do not depend on the machine. Bless changes with `cargo insta review` (or
//! `INSTA_UPDATE=always cargo test -p ipcc --test ui`).

use std::path::{Path, PathBuf};

use ipcc::diagnostics::render;
use ipcc::{check, Checked};

/// A case's path as given to the front end: relative to the crate directory (tests run
/// there), so that paths in snapshots do not depend on the machine.
fn relative(path: &Path) -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = manifest.canonicalize().unwrap_or(manifest.to_path_buf());
    let path = path.canonicalize().unwrap_or(path.to_path_buf());
    match path.strip_prefix(&manifest) {
        Ok(relative) => relative.to_path_buf(),
        // idl-examples lives beside the crate.
        Err(_) => match manifest
            .parent()
            .and_then(|parent| path.strip_prefix(parent).ok())
        {
            Some(relative) => Path::new("..").join(relative),
            None => path,
        },
    }
}

fn checked(path: &Path) -> Checked {
    check(&[relative(path)])
}

/// The multi-file cases: directories below `dir` (relative to the crate) that hold a `main.ipc`.
fn directory_cases(dir: &str) -> Vec<PathBuf> {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&base)
        .unwrap_or_else(|e| panic!("{}: {e}", base.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.join("main.ipc").is_file())
        .collect();
    cases.sort();
    cases
}

/// Runs `snapshot` on every directory case, one snapshot each, named after the directory.
/// Passing cases are checked from their `main.ipc` (so imports show as non-roots); failing
/// ones as a directory root (so a file that is not imported is still compiled).
fn each_directory(dir: &str, kind: &str, snapshot: fn(&Path) -> String) {
    let mut failed = Vec::new();
    for case in directory_cases(dir) {
        let root = if kind == "pass_dir" {
            case.join("main.ipc")
        } else {
            case.clone()
        };
        let name = case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Every case runs even when one fails, as with `insta::glob!`.
        let outcome = std::panic::catch_unwind(|| {
            insta::with_settings!({ snapshot_suffix => name.clone(), input_file => case.join("main.ipc") }, {
                insta::assert_snapshot!(kind.to_string(), snapshot(&root));
            });
        });
        if outcome.is_err() {
            failed.push(name);
        }
    }
    assert!(failed.is_empty(), "failed directory cases: {failed:?}");
}

/// IR JSON of an input that must compile (warnings are shown above it, if any).
fn pass_snapshot(path: &Path) -> String {
    let checked = checked(path);
    let rendered = render(&checked.diagnostics, &checked.sources, false);
    let Some(ir) = &checked.ir else {
        panic!("{} should compile:\n{rendered}", path.display());
    };
    let json = serde_json::to_string_pretty(ir).expect("the IR serializes");
    if checked.diagnostics.is_empty() {
        json
    } else {
        format!("{rendered}\n{json}")
    }
}

#[test]
fn pass() {
    insta::glob!("ui/pass/*.ipc", |path| {
        insta::assert_snapshot!(pass_snapshot(path));
    });
    each_directory("tests/ui/pass", "pass_dir", pass_snapshot);
}

#[test]
fn fail() {
    insta::glob!("ui/fail/*.ipc", |path| {
        insta::assert_snapshot!(fail_snapshot(path));
    });
    each_directory("tests/ui/fail", "fail_dir", fail_snapshot);
}

fn fail_snapshot(path: &Path) -> String {
    let checked = checked(path);
    assert!(
        !checked.diagnostics.is_empty(),
        "{} should report a diagnostic",
        path.display()
    );
    // An error stops the IR; a warning-only case still compiles.
    assert_eq!(checked.ir.is_none(), checked.has_errors());
    render(&checked.diagnostics, &checked.sources, false)
}

#[test]
fn idl_examples() {
    insta::glob!("../../idl-examples", "*.ipc", |path| {
        insta::assert_snapshot!(pass_snapshot(path));
    });
}

#[test]
fn idl_example_greeter() {
    let checked = check(&[PathBuf::from("../idl-examples/greeter")]);
    let rendered = render(&checked.diagnostics, &checked.sources, false);
    let ir = checked
        .ir
        .unwrap_or_else(|| panic!("greeter should compile:\n{rendered}"));
    insta::assert_snapshot!(serde_json::to_string_pretty(&ir).expect("the IR serializes"));
}

#[test]
fn idl_example_dotted() {
    let checked = check(&[PathBuf::from("../idl-examples/dotted")]);
    let rendered = render(&checked.diagnostics, &checked.sources, false);
    let ir = checked
        .ir
        .unwrap_or_else(|| panic!("dotted should compile:\n{rendered}"));
    insta::assert_snapshot!(serde_json::to_string_pretty(&ir).expect("the IR serializes"));
}

/// The streams example (kept out of idl-examples, whose every file is generated: the generators
/// refuse streams for now) as IR: `stream` on the streaming parameters, `result_stream` on the
/// streaming results, item types in `ty` and `result`.
#[test]
fn streams_example() {
    let checked = check(&[PathBuf::from("tests/streams/files.ipc")]);
    let rendered = render(&checked.diagnostics, &checked.sources, false);
    let ir = checked
        .ir
        .unwrap_or_else(|| panic!("the streams example should check:\n{rendered}"));
    insta::assert_snapshot!(serde_json::to_string_pretty(&ir).expect("the IR serializes"));
}

/// Everything in idl-examples compiles together (`ipcc check idl-examples`): in particular,
/// no channel name is used twice across the examples.
#[test]
fn idl_examples_compile_together() {
    let checked = check(&[PathBuf::from("../idl-examples")]);
    let rendered = render(&checked.diagnostics, &checked.sources, false);
    assert!(checked.diagnostics.is_empty(), "{rendered}");
    let ir = checked.ir.expect("no errors");
    assert!(ir.files.len() >= 9, "{} files", ir.files.len());
    assert!(ir.files.iter().all(|f| f.is_root));
}
