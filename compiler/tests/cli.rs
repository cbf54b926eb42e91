//! The `ipcc` binary end to end: verbs, exit codes (0 success, 1 diagnostics, 2 usage or I/O),
//! colour, directory expansion and `gen --check`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ipcc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ipcc"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .output()
        .expect("ipcc runs")
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited normally")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ipcc-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn check_accepts_the_examples_directory() {
    let output = ipcc(&["check", "../idl-examples"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

#[test]
fn check_reports_syntax_errors_with_exit_1_and_no_colour_unless_asked() {
    let file = "tests/ui/fail/syntax-missing-semicolon.ipc";
    let output = ipcc(&["check", "--color", "never", file]);
    assert_eq!(code(&output), 1);
    let text = stderr(&output);
    assert!(
        text.contains("error[E0001]: expected `;`, found `age`"),
        "{text}"
    );
    assert!(
        text.contains("--> tests/ui/fail/syntax-missing-semicolon.ipc:2:15"),
        "{text}"
    );
    assert!(!text.contains('\x1b'), "{text}");
    // Not a terminal: `auto` means no colour; `always` forces it.
    assert!(!stderr(&ipcc(&["check", file])).contains('\x1b'));
    assert!(stderr(&ipcc(&["check", "--color=always", file])).contains("\x1b[1;31m"));
}

#[test]
fn unreadable_paths_are_usage_errors() {
    let output = ipcc(&["check", "no/such/file.ipc"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).starts_with("error: cannot read `no/such/file.ipc`: "),
        "{}",
        stderr(&output)
    );
    let empty = scratch("empty");
    let output = ipcc(&["check", path_str(&empty)]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("no `.ipc` files found"),
        "{}",
        stderr(&output)
    );
    // A missing argument is a usage error too.
    assert_eq!(code(&ipcc(&["check"])), 2);
    assert_eq!(code(&ipcc(&["frobnicate"])), 2);
}

#[test]
fn a_directory_means_every_ipc_file_below_it() {
    let dir = scratch("tree");
    std::fs::create_dir_all(dir.join("nested")).unwrap();
    std::fs::write(dir.join("a.ipc"), "struct A { x: i32; }\n").unwrap();
    std::fs::write(dir.join("nested/b.ipc"), "struct B { y: i32 }\n").unwrap();
    std::fs::write(dir.join("notes.txt"), "not an ipc file {").unwrap();
    let output = ipcc(&["check", "--color", "never", path_str(&dir)]);
    assert_eq!(code(&output), 1);
    let text = stderr(&output);
    assert!(text.contains("b.ipc:1:19"), "{text}");
    assert!(!text.contains("notes.txt"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ir_prints_the_versioned_model_as_json() {
    let output = ipcc(&["ir", "../idl-examples/my-interface.ipc"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["version"], 1);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("sayHello") && text.contains("my-interface-v1.2"));
    let output = ipcc(&["ir", "tests/ui/fail/syntax-unclosed-brace.ipc"]);
    assert_eq!(code(&output), 1);
    assert!(output.stdout.is_empty());
}

#[test]
fn gen_writes_only_changes_and_check_mode_lists_stale_files() {
    let out = scratch("gen");
    let ts = out.join("ts");
    let example = "../idl-examples/my-interface.ipc";
    let output = ipcc(&["gen", "--ts", path_str(&ts), example]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let generated = ts.join("my-interface.ts");
    assert!(generated.is_file());
    let check = ipcc(&["gen", "--check", "--ts", path_str(&ts), example]);
    assert_eq!(code(&check), 0, "{}", stderr(&check));
    std::fs::write(&generated, "// edited\n").unwrap();
    let check = ipcc(&["gen", "--check", "--ts", path_str(&ts), example]);
    assert_eq!(code(&check), 1);
    assert!(
        stderr(&check).contains("my-interface.ts"),
        "{}",
        stderr(&check)
    );
    // `--check` wrote nothing.
    assert_eq!(std::fs::read_to_string(&generated).unwrap(), "// edited\n");
    // Without a target there is nothing to do.
    assert_eq!(code(&ipcc(&["gen", example])), 2);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn every_verb_has_help() {
    for verb in ["check", "ir", "gen"] {
        let output = ipcc(&[verb, "--help"]);
        assert_eq!(code(&output), 0);
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("Usage: ipcc"), "{text}");
        assert!(text.contains("--color"), "{text}");
    }
    let output = ipcc(&["--help"]);
    let text = String::from_utf8_lossy(&output.stdout);
    for verb in ["check", "ir", "gen"] {
        assert!(text.contains(verb), "{text}");
    }
}

#[path = "../benches/schema/mod.rs"]
mod schema;

/// Runs `ipcc` on one core only (`taskset -c 0`: the process's affinity mask is what the
/// compiler counts its threads from).
fn ipcc_on_one_core(args: &[&str]) -> Output {
    Command::new("taskset")
        .args(["-c", "0", env!("CARGO_BIN_EXE_ipcc")])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .output()
        .expect("taskset (util-linux) runs")
}

/// Large inputs are parsed, lowered and hashed on several threads (docs/benchmarks.md); the
/// result must be the one-thread result, diagnostics included.
#[test]
fn large_inputs_give_the_same_model_and_diagnostics_on_one_core_as_on_all() {
    let dir = scratch("threads");
    let valid = dir.join("valid.ipc");
    let text = schema::schema(1);
    std::fs::write(&valid, &text).unwrap();
    // Errors spread over the whole file, so that every thread's part has some: duplicate
    // fields (found while lowering) and unknown types (found while resolving).
    let mut broken = String::with_capacity(text.len() + 10_000);
    for (index, piece) in text.split_inclusive("  name: string;\n").enumerate() {
        broken.push_str(piece);
        if index % 250 == 1 {
            broken.push_str("  name: i32;\n  extra: Missing;\n");
        }
    }
    let invalid = dir.join("invalid.ipc");
    std::fs::write(&invalid, &broken).unwrap();

    let all = ipcc(&["ir", path_str(&valid)]);
    let one = ipcc_on_one_core(&["ir", path_str(&valid)]);
    assert_eq!(code(&all), 0, "{}", stderr(&all));
    assert_eq!(code(&one), 0, "{}", stderr(&one));
    assert!(all.stdout.len() > 1_000_000);
    assert!(
        all.stdout == one.stdout,
        "the model differs between one and all cores"
    );

    let all = ipcc(&["check", "--color", "never", path_str(&invalid)]);
    let one = ipcc_on_one_core(&["check", "--color", "never", path_str(&invalid)]);
    assert_eq!(code(&all), 1);
    let shown = stderr(&all);
    assert!(shown.matches("error[").count() >= 40, "{shown}");
    assert_eq!(shown, stderr(&one));
    let _ = std::fs::remove_dir_all(&dir);
}
