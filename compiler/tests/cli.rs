//! The `ipcc` binary end to end: verbs, exit codes (0 success, 1 diagnostics, 2 usage or I/O),
//! colour, directory expansion, `gen --check` and `fmt`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ipcc(args: &[&str]) -> Output {
    ipcc_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// Runs `ipcc` with `dir` as its working directory.
fn ipcc_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ipcc"))
        .args(args)
        .current_dir(dir)
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
fn a_missing_file_is_e0101_and_an_empty_directory_e0104() {
    // The library expands and reads the paths, so the command shows what `build.rs` would.
    let dir = scratch("roots");
    std::fs::create_dir_all(dir.join("empty/nested")).unwrap();
    std::fs::write(dir.join("empty/nested/notes.txt"), "not an interface").unwrap();
    for verb in ["check", "ir", "fmt"] {
        let output = ipcc_in(&dir, &[verb, "missing.ipc"]);
        assert_eq!(code(&output), 1, "{verb}: {}", stderr(&output));
        let first =
            "error[E0101]: cannot read `missing.ipc`: No such file or directory (os error 2)\n";
        assert!(
            stderr(&output).starts_with(first),
            "{verb}: {}",
            stderr(&output)
        );

        let output = ipcc_in(&dir, &[verb, "empty"]);
        assert_eq!(code(&output), 1, "{verb}: {}", stderr(&output));
        let first = "error[E0104]: no `.ipc` file in directory `empty`\n";
        assert!(
            stderr(&output).starts_with(first),
            "{verb}: {}",
            stderr(&output)
        );
    }
    // The whole rendering, as docs/language.md shows it.
    assert_eq!(
        stderr(&ipcc_in(&dir, &["check", "missing.ipc"])),
        "error[E0101]: cannot read `missing.ipc`: No such file or directory (os error 2)\n\n\
         error: could not compile due to 1 previous error\n"
    );
    assert_eq!(
        stderr(&ipcc_in(&dir, &["check", "empty"])),
        "error[E0104]: no `.ipc` file in directory `empty`\n\n\
         error: could not compile due to 1 previous error\n"
    );
    // `gen` reports them before writing anything.
    let output = ipcc_in(&dir, &["gen", "--ts", "out", "empty", "missing.ipc"]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let text = stderr(&output);
    assert!(
        text.contains("error[E0104]: no `.ipc` file in directory `empty`"),
        "{text}"
    );
    assert!(
        text.contains("error[E0101]: cannot read `missing.ipc`"),
        "{text}"
    );
    assert!(!dir.join("out").exists());
    // No path outside a project is a usage error.
    let output = ipcc_in(&dir, &["check"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("no inputs: pass `.ipc` files or directories"),
        "{}",
        stderr(&output)
    );
    assert_eq!(code(&ipcc(&["frobnicate"])), 2);
    let _ = std::fs::remove_dir_all(&dir);
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
    // Without a target (and outside a project) there is nothing to do.
    let absolute = Path::new(env!("CARGO_MANIFEST_DIR")).join(example);
    assert_eq!(code(&ipcc_in(&out, &["gen", path_str(&absolute)])), 2);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn streams_check_print_as_ir_and_generate_for_both_targets() {
    let example = "tests/streams/files.ipc";
    let check = ipcc(&["check", example]);
    assert_eq!(code(&check), 0, "{}", stderr(&check));
    let ir = ipcc(&["ir", example]);
    assert_eq!(code(&ir), 0, "{}", stderr(&ir));
    let model: serde_json::Value = serde_json::from_slice(&ir.stdout).expect("JSON");
    assert_eq!(model["interfaces"][0]["methods"][0]["result_stream"], true);

    let out = scratch("streams");
    let dir = path_str(&out);
    let output = ipcc(&[
        "gen", "--color", "never", "--rust", dir, "--ts", dir, example,
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let rust = std::fs::read_to_string(out.join("files.rs")).expect("files.rs");
    assert!(rust.contains("fn dispatch_stream("), "{rust}");
    let module = std::fs::read_to_string(out.join("files.ts")).expect("files.ts");
    assert!(module.contains("outputStream: true,"), "{module}");
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn check_and_gen_say_what_they_did_unless_quiet() {
    let out = scratch("status");
    let example = "../idl-examples/my-interface.ipc";
    let check = ipcc(&["check", example]);
    assert_eq!(code(&check), 0);
    let text = stderr(&check);
    assert!(
        text.starts_with("checked 1 file in ") && text.ends_with(": 2 declarations, 0 warnings\n"),
        "{text}"
    );
    let ts = out.join("ts");
    let first = ipcc(&["gen", "--ts", path_str(&ts), example]);
    let text = stderr(&first);
    assert!(
        text.starts_with("generated 1 file in ") && text.ends_with(": 1 written, 0 unchanged\n"),
        "{text}"
    );
    let again = stderr(&ipcc(&["gen", "--ts", path_str(&ts), example]));
    assert!(again.ends_with(": 0 written, 1 unchanged\n"), "{again}");
    let checked = stderr(&ipcc(&["gen", "--check", "--ts", path_str(&ts), example]));
    assert!(checked.ends_with(": all up to date\n"), "{checked}");
    for args in [
        vec!["check", "-q", example],
        vec!["gen", "--quiet", "--ts", path_str(&ts), example],
    ] {
        let output = ipcc(&args);
        assert_eq!(code(&output), 0);
        assert_eq!(stderr(&output), "", "{args:?}");
    }
    let _ = std::fs::remove_dir_all(&out);
}

/// A project with `ipcc.toml` at its root and the commands run from a folder below it.
fn project(name: &str, toml: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::create_dir_all(dir.join("common")).unwrap();
    std::fs::create_dir_all(dir.join("app/src")).unwrap();
    std::fs::write(dir.join("ipcc.toml"), toml).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../idl-examples/my-interface.ipc"),
        dir.join("common/my-interface.ipc"),
    )
    .unwrap();
    dir
}

#[test]
fn inside_a_project_commands_need_no_arguments() {
    let dir = project(
        "project",
        "inputs = [\"common\"]\n[rust]\nout = \"gen/rust\"\n[ts]\nout = \"gen/ts\"\n",
    );
    let below = dir.join("app/src");
    let check = ipcc_in(&below, &["check"]);
    assert_eq!(code(&check), 0, "{}", stderr(&check));
    let generated = ipcc_in(&below, &["gen"]);
    assert_eq!(code(&generated), 0, "{}", stderr(&generated));
    assert!(dir.join("gen/rust/my-interface.rs").is_file());
    assert!(dir.join("gen/ts/my-interface.ts").is_file());
    assert_eq!(code(&ipcc_in(&below, &["gen", "--check"])), 0);
    let ir = ipcc_in(&below, &["ir"]);
    assert!(String::from_utf8_lossy(&ir.stdout).contains("my-interface-v1.2"));
    // Arguments win: an explicit output replaces the project's.
    let only_ts = ipcc_in(&below, &["gen", "--ts", "elsewhere"]);
    assert_eq!(code(&only_ts), 0, "{}", stderr(&only_ts));
    assert!(below.join("elsewhere/my-interface.ts").is_file());
    assert!(!below.join("elsewhere/my-interface.rs").exists());
    // Diagnostics name the inputs relative to the working directory.
    std::fs::write(dir.join("common/broken.ipc"), "struct A { x: i32 }\n").unwrap();
    let broken = ipcc_in(&below, &["check", "--color", "never"]);
    assert_eq!(code(&broken), 1);
    assert!(
        stderr(&broken).contains("--> ../../common/broken.ipc:1:19"),
        "{}",
        stderr(&broken)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_project_file_is_a_located_usage_error() {
    let dir = project("bad-project", "inputs = [\"common\"]\n[ts]\nout = 5\n");
    let output = ipcc_in(&dir.join("app"), &["check", "--color", "never"]);
    assert_eq!(code(&output), 2);
    let text = stderr(&output);
    assert!(
        text.contains("error[E0601]: invalid type: integer `5`, expected a string"),
        "{text}"
    );
    assert!(text.contains("--> ../ipcc.toml:3:7"), "{text}");
    // Paths on the command line do not need the project file.
    let output = ipcc_in(&dir.join("app"), &["check", "../common"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_verb_has_help() {
    for verb in ["check", "ir", "gen", "watch"] {
        let output = ipcc(&[verb, "--help"]);
        assert_eq!(code(&output), 0);
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("Usage: ipcc"), "{text}");
        assert!(text.contains("--color"), "{text}");
    }
    let output = ipcc(&["--help"]);
    let text = String::from_utf8_lossy(&output.stdout);
    for verb in ["check", "ir", "gen", "watch"] {
        assert!(text.contains(verb), "{text}");
    }
}

/// Runs `ipcc` in the crate's directory with `input` on stdin.
fn ipcc_with_stdin(args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ipcc"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("ipcc runs");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    // A usage error exits before reading: a broken pipe is then expected.
    let _ = stdin.write_all(input.as_bytes());
    drop(stdin);
    child.wait_with_output().expect("ipcc ends")
}

const MESSY: &str = "struct Point{x:f64;// across\r\n\ty : f64;}\r\n";
const TIDY: &str = "struct Point {\n  x: f64; // across\n  y: f64;\n}\n";

/// The modification time of `path`, to tell whether it was written.
fn modified(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

/// Sets `path`'s modification time far in the past, so that any write shows.
fn age(path: &Path) {
    let old = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(old).unwrap();
}

#[test]
fn fmt_check_lists_unformatted_files_and_fmt_rewrites_only_those() {
    let dir = scratch("fmt");
    std::fs::create_dir_all(dir.join("nested")).unwrap();
    let (tidy, messy, nested) = (
        dir.join("tidy.ipc"),
        dir.join("messy.ipc"),
        dir.join("nested/messy.ipc"),
    );
    std::fs::write(&tidy, TIDY).unwrap();
    std::fs::write(&messy, MESSY).unwrap();
    std::fs::write(&nested, MESSY.replace("Point", "Nested")).unwrap();
    age(&tidy);
    let before = modified(&tidy);

    let check = ipcc(&["fmt", "--check", path_str(&dir)]);
    assert_eq!(code(&check), 1, "{}", stderr(&check));
    let text = stderr(&check);
    assert!(
        text.contains(&format!("would reformat: {}\n", messy.display()))
            && text.contains(&format!("would reformat: {}\n", nested.display()))
            && !text.contains("tidy.ipc"),
        "{text}"
    );
    assert!(
        text.contains("checked 3 files in ") && text.contains(": 2 not formatted, 1 formatted"),
        "{text}"
    );
    assert!(
        text.contains("error: 2 files are not formatted; run `ipcc fmt` without `--check`"),
        "{text}"
    );
    // `--check` wrote nothing.
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), MESSY);

    #[cfg(unix)]
    std::fs::set_permissions(&messy, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let fmt = ipcc(&["fmt", path_str(&dir)]);
    assert_eq!(code(&fmt), 0, "{}", stderr(&fmt));
    let text = stderr(&fmt);
    assert!(
        text.starts_with("formatted 3 files in ") && text.ends_with(": 2 changed, 1 unchanged\n"),
        "{text}"
    );
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), TIDY);
    assert_eq!(
        std::fs::read_to_string(&nested).unwrap(),
        TIDY.replace("Point", "Nested")
    );
    // The formatted file was not touched; the rewritten one kept its permissions.
    assert_eq!(modified(&tidy), before);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&messy).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // No temporary file is left beside them.
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["messy.ipc", "nested", "tidy.ipc"]);

    let again = ipcc(&["fmt", "--check", path_str(&dir)]);
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert!(stderr(&again).ends_with(": 0 not formatted, 3 formatted\n"));
    let quiet = ipcc(&["fmt", "-q", path_str(&dir)]);
    assert_eq!(code(&quiet), 0);
    assert_eq!(stderr(&quiet), "");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fmt_leaves_a_file_with_syntax_errors_byte_for_byte_and_exits_1() {
    let dir = scratch("fmt-errors");
    let broken = dir.join("broken.ipc");
    let semantic = dir.join("unknown-type.ipc");
    let broken_text = "struct  A {\r\n  x: i32\r\n}\r\n// keep me \r\n";
    std::fs::write(&broken, broken_text).unwrap();
    std::fs::write(&semantic, "struct B{x:Nope;}").unwrap();
    age(&broken);
    let before = modified(&broken);
    let output = ipcc(&["fmt", "--color", "never", path_str(&dir)]);
    assert_eq!(code(&output), 1);
    let text = stderr(&output);
    assert!(
        text.contains("error[E0001]: expected `;`, found `}`"),
        "{text}"
    );
    assert!(text.contains("broken.ipc:2:9"), "{text}");
    assert!(
        text.contains("error: could not format `")
            && text.contains("broken.ipc` due to 1 previous error"),
        "{text}"
    );
    assert!(
        text.contains(": 1 changed, 0 unchanged, 1 with syntax errors"),
        "{text}"
    );
    assert_eq!(std::fs::read(&broken).unwrap(), broken_text.as_bytes());
    assert_eq!(modified(&broken), before);
    // Formatting is syntactic: an unknown type does not stop it.
    assert_eq!(
        std::fs::read_to_string(&semantic).unwrap(),
        "struct B {\n  x: Nope;\n}\n"
    );
    let check = ipcc(&["fmt", "--check", path_str(&broken)]);
    assert_eq!(code(&check), 1);
    assert!(
        !stderr(&check).contains("would reformat"),
        "{}",
        stderr(&check)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fmt_stdin_writes_the_formatted_text_to_stdout() {
    for args in [
        vec!["fmt", "-"],
        vec!["fmt", "--stdin"],
        vec!["-q", "fmt", "-"],
    ] {
        let output = ipcc_with_stdin(&args, MESSY);
        assert_eq!(code(&output), 0, "{args:?}: {}", stderr(&output));
        assert_eq!(String::from_utf8_lossy(&output.stdout), TIDY, "{args:?}");
        assert_eq!(stderr(&output), "", "{args:?}");
    }
    let broken = ipcc_with_stdin(&["fmt", "--color", "never", "-"], "struct A { x: i32 }");
    assert_eq!(code(&broken), 1);
    assert!(broken.stdout.is_empty());
    assert!(
        stderr(&broken).contains("--> <stdin>:1:19"),
        "{}",
        stderr(&broken)
    );

    let check = ipcc_with_stdin(&["fmt", "--check", "-"], MESSY);
    assert_eq!(code(&check), 1);
    assert!(check.stdout.is_empty());
    assert!(stderr(&check).contains("would reformat: <stdin>"));
    assert_eq!(code(&ipcc_with_stdin(&["fmt", "--check", "-"], TIDY)), 0);
    // stdin and files at once is a usage error.
    assert_eq!(
        code(&ipcc_with_stdin(
            &["fmt", "-", "../idl-examples/my-interface.ipc"],
            TIDY
        )),
        2
    );
}

#[test]
fn fmt_without_paths_formats_the_project_inputs() {
    let dir = project("fmt-project", "inputs = [\"common\"]\n");
    std::fs::write(dir.join("common/extra.ipc"), MESSY).unwrap();
    std::fs::write(dir.join("app/outside.ipc"), MESSY).unwrap();
    let below = dir.join("app/src");
    let check = ipcc_in(&below, &["fmt", "--check"]);
    assert_eq!(code(&check), 1, "{}", stderr(&check));
    assert!(
        stderr(&check).contains("would reformat: ../../common/extra.ipc\n"),
        "{}",
        stderr(&check)
    );
    let fmt = ipcc_in(&below, &["fmt"]);
    assert_eq!(code(&fmt), 0, "{}", stderr(&fmt));
    assert!(
        stderr(&fmt).ends_with(": 1 changed, 1 unchanged\n"),
        "{}",
        stderr(&fmt)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("common/extra.ipc")).unwrap(),
        TIDY
    );
    // Only the project's inputs.
    assert_eq!(
        std::fs::read_to_string(dir.join("app/outside.ipc")).unwrap(),
        MESSY
    );
    // Outside a project, no paths is a usage error.
    let nowhere = scratch("fmt-nowhere");
    assert_eq!(code(&ipcc_in(&nowhere, &["fmt"])), 2);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&nowhere);
}

#[test]
fn fmt_has_help_and_is_listed() {
    let output = ipcc(&["fmt", "--help"]);
    assert_eq!(code(&output), 0);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("Usage: ipcc fmt") && text.contains("--stdin"),
        "{text}"
    );
    let listed = String::from_utf8_lossy(&ipcc(&["--help"]).stdout).into_owned();
    assert!(listed.contains("fmt"), "{listed}");
}

/// The project's own `.ipc` examples are formatted (`ipcc fmt --check` is what CI would run).
#[test]
fn fmt_check_passes_on_the_bundled_examples() {
    let output = ipcc(&["fmt", "--check", "../idl-examples", "../examples"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
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
