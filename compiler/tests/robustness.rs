//! Robustness of the whole front end and the formatter: random bytes and random mutations of
//! every example go through `ipcc::check_with` and `ipcc::format::format_source`; nothing may
//! panic, every reported span must lie inside its source, and the formatter either refuses a
//! file for its syntax errors or formats it to a fixed point. Deterministic (fixed seeds), so a
//! failure reproduces.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use ipcc::diagnostics::render;
use ipcc::format::format_source;
use ipcc::{check_with, Checked, MemoryLoader};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// One compilation input: files by path, and the roots to check.
#[derive(Clone)]
struct Case {
    files: Vec<(PathBuf, String)>,
    roots: Vec<PathBuf>,
}

/// Every example of the repository and every passing UI input, as cases.
fn corpus() -> Vec<Case> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cases = Vec::new();
    for dir in [
        manifest.join("../idl-examples"),
        manifest.join("tests/ui/pass"),
    ] {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            let mut files = Vec::new();
            collect_ipc(&entry, &entry, &mut files);
            if files.is_empty() {
                continue;
            }
            // A directory case is checked as a directory root (every file in it).
            let root = if entry.is_dir() {
                PathBuf::from("case")
            } else {
                files[0].0.clone()
            };
            cases.push(Case {
                files,
                roots: vec![root],
            });
        }
    }
    assert!(cases.len() >= 10, "corpus too small: {}", cases.len());
    cases
}

/// `.ipc` files below `path`, keyed `case/<relative path>` (or the file name for a file).
fn collect_ipc(base: &Path, path: &Path, out: &mut Vec<(PathBuf, String)>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        entries.sort();
        for entry in entries {
            collect_ipc(base, &entry, out);
        }
    } else if path.extension().is_some_and(|e| e == "ipc") {
        let text = std::fs::read_to_string(path).expect("example is readable");
        let key = if base.is_dir() {
            Path::new("case").join(path.strip_prefix(base).unwrap_or(path))
        } else {
            PathBuf::from(path.file_name().unwrap_or_default())
        };
        out.push((key, text));
    }
}

/// Runs the front end and checks what it promises about any input.
fn check_case(case: &Case) -> Checked {
    let mut loader = MemoryLoader::default();
    for (path, text) in &case.files {
        loader.files.insert(path.clone(), text.clone());
    }
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let checked = check_with(&case.roots, &mut loader);
        // Rendering must not panic either, whatever the spans.
        let _ = render(&checked.diagnostics, &checked.sources, false);
        if let Some(ir) = &checked.ir {
            serde_json::to_string(ir).expect("the IR serializes");
        }
        checked
    }));
    let checked = match outcome {
        Ok(checked) => checked,
        Err(_) => {
            let kept = keep_failure(case);
            panic!(
                "the front end panicked on (kept in {kept}):\n{}",
                describe(case)
            )
        }
    };
    for diagnostic in &checked.diagnostics {
        let spans = diagnostic
            .span
            .iter()
            .chain(diagnostic.secondary.iter().map(|(s, _)| s));
        for span in spans {
            let text = checked.sources.text(span.source);
            assert!(
                span.start <= span.end && span.end as usize <= text.len(),
                "span {span:?} of {:?} outside its source ({} bytes) for:\n{}",
                diagnostic.message,
                text.len(),
                describe(case)
            );
            assert!(
                text.is_char_boundary(span.start as usize)
                    && text.is_char_boundary(span.end as usize),
                "span {span:?} of {:?} splits a character for:\n{}",
                diagnostic.message,
                describe(case)
            );
        }
    }
    assert_eq!(checked.ir.is_none(), checked.has_errors());
    checked
}

/// Formats one text and checks what the formatter promises about any input: no panic; syntax
/// errors (and nothing else) refuse it; otherwise the output formats to itself. Returns whether
/// it was formatted.
fn format_text(text: &str) -> bool {
    let case = || Case {
        files: vec![(PathBuf::from("format.ipc"), text.to_string())],
        roots: vec![PathBuf::from("format.ipc")],
    };
    let outcome = catch_unwind(|| format_source(text));
    let Ok(result) = outcome else {
        let kept = keep_failure(&case());
        panic!(
            "the formatter panicked on (kept in {kept}):\n{}",
            describe(&case())
        )
    };
    match result {
        Ok(formatted) => {
            let again = catch_unwind(|| format_source(&formatted));
            assert!(
                matches!(&again, Ok(Ok(same)) if *same == formatted),
                "formatting twice differs from once ({again:?}) for:\n{}\n--- once\n{formatted}",
                describe(&case())
            );
            true
        }
        Err(diagnostics) => {
            assert!(
                diagnostics.iter().all(|d| d.code.starts_with("E00")),
                "refused with {diagnostics:?} for:\n{}",
                describe(&case())
            );
            assert!(!diagnostics.is_empty());
            false
        }
    }
}

/// Writes a failing case's files to a temporary directory, to reproduce with `ipcc check`.
fn keep_failure(case: &Case) -> String {
    let dir = std::env::temp_dir().join("ipcc-robustness-failure");
    for (path, text) in &case.files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::write(&target, text);
    }
    dir.display().to_string()
}

fn describe(case: &Case) -> String {
    case.files
        .iter()
        .map(|(path, text)| format!("--- {}\n{text:?}", path.display()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Fragments that steer mutations toward the grammar's corners.
const FRAGMENTS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "<",
    ">",
    "[]",
    "?",
    ";",
    ":",
    ",",
    ".",
    "@",
    "\"",
    "///",
    "//",
    "/*",
    "*/",
    "map<",
    "Promise<",
    "void",
    "struct ",
    "union ",
    "enum ",
    "interface ",
    "type ",
    "const ",
    "import \"./nope.ipc\";",
    "import \"./case/greeter.ipc\";",
    "package p;",
    "package a.b.c;",
    "acme.people.",
    " a.b.C ",
    "..",
    "@channel(",
    "@channel(\"dup\")",
    "@deprecated",
    "@since(\"1\")",
    "throws ",
    "notifications ",
    " A ",
    " a: A; ",
    "9223372036854775808",
    "1e999",
    "-0",
    "\\u{0}",
    "é",
    "\u{feff}",
    "\t",
    "\r\n",
];

fn mutate(text: &str, rng: &mut StdRng) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let rounds = rng.gen_range(1..=4);
    for _ in 0..rounds {
        let len = bytes.len();
        match rng.gen_range(0..7) {
            // Flip one byte.
            0 if len > 0 => {
                let at = rng.gen_range(0..len);
                bytes[at] ^= 1 << rng.gen_range(0..8);
            }
            // Delete a range.
            1 if len > 0 => {
                let start = rng.gen_range(0..len);
                let end = (start + rng.gen_range(1..=16)).min(len);
                bytes.drain(start..end);
            }
            // Insert a fragment of the language.
            2 => {
                let at = rng.gen_range(0..=len);
                let fragment = FRAGMENTS[rng.gen_range(0..FRAGMENTS.len())];
                bytes.splice(at..at, fragment.bytes());
            }
            // Insert random bytes.
            3 => {
                let at = rng.gen_range(0..=len);
                let noise: Vec<u8> = (0..rng.gen_range(1..8)).map(|_| rng.gen()).collect();
                bytes.splice(at..at, noise);
            }
            // Duplicate, remove or swap whole lines.
            _ => {
                let mut lines: Vec<Vec<u8>> =
                    bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
                if lines.is_empty() {
                    continue;
                }
                let a = rng.gen_range(0..lines.len());
                let b = rng.gen_range(0..lines.len());
                match rng.gen_range(0..3) {
                    0 => {
                        let copy = lines[a].clone();
                        lines.insert(b, copy);
                    }
                    1 => {
                        lines.remove(a);
                    }
                    _ => lines.swap(a, b),
                }
                bytes = lines.join(&b'\n');
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn mutated_examples_never_panic() {
    let corpus = corpus();
    let mut rng = StdRng::seed_from_u64(0x1dc_2026);
    let (mut with_errors, mut formatted) = (0, 0);
    let per_case = 8_000 / corpus.len() + 1;
    for case in &corpus {
        // Unchanged, every example compiles.
        let checked = check_case(case);
        assert!(!checked.has_errors(), "{}", describe(case));
        for _ in 0..per_case {
            let mut mutated = case.clone();
            let which = rng.gen_range(0..mutated.files.len());
            mutated.files[which].1 = mutate(&mutated.files[which].1, &mut rng);
            if check_case(&mutated).has_errors() {
                with_errors += 1;
            }
            if format_text(&mutated.files[which].1) {
                formatted += 1;
            }
        }
    }
    // The mutations must actually exercise the error paths, and leave enough files valid for
    // the formatter to format.
    assert!(
        with_errors > 4_000,
        "only {with_errors} mutated inputs had errors"
    );
    assert!(
        formatted > 1_500,
        "only {formatted} mutated inputs formatted"
    );
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = StdRng::seed_from_u64(7);
    for round in 0..3_000 {
        let len = rng.gen_range(0..400);
        let bytes: Vec<u8> = if round % 2 == 0 {
            (0..len).map(|_| rng.gen()).collect()
        } else {
            // Printable ASCII and line breaks: more of it gets past the first token.
            (0..len)
                .map(|_| match rng.gen_range(0..20) {
                    0 => b'\n',
                    _ => rng.gen_range(b' '..=b'~'),
                })
                .collect()
        };
        let case = Case {
            files: vec![(
                PathBuf::from("random.ipc"),
                String::from_utf8_lossy(&bytes).into_owned(),
            )],
            roots: vec![PathBuf::from("random.ipc")],
        };
        check_case(&case);
        format_text(&case.files[0].1);
    }
}

#[test]
fn pathological_inputs_are_rejected_or_accepted_without_panic() {
    let deep_suffixes = format!("struct A {{ x: string{}; }}", "[]?".repeat(50_000));
    let deep_generics = format!(
        "struct A {{ x: {}string{}; }}",
        "map<string, ".repeat(5_000),
        ">".repeat(5_000)
    );
    let deep_alias_chain: String = (0..5_000)
        .map(|i| format!("type T{i} = T{};\n", i + 1))
        .collect::<String>()
        + "type T5000 = T0;\n";
    let many_errors = "struct A { x: Nope; }\n".repeat(5_000);
    let long_path = format!("struct A {{ x: {}X; }}", "a.".repeat(50_000));
    let long_package = format!("package {}p;\nstruct A {{}}", "a.".repeat(50_000));
    let missing_root = Case {
        files: Vec::new(),
        roots: vec![PathBuf::from("missing.ipc")],
    };
    check_case(&missing_root);
    let self_import = Case {
        files: vec![(PathBuf::from("a.ipc"), "import \"./a.ipc\";".to_string())],
        roots: vec![PathBuf::from("a.ipc")],
    };
    assert!(check_case(&self_import).has_errors());
    for text in [
        &deep_suffixes,
        &deep_generics,
        &deep_alias_chain,
        &many_errors,
        &long_path,
        &long_package,
    ] {
        format_text(text);
    }
    // Each pathological input gets the error that names its problem, not just no panic.
    let many_syntax_errors = "struct A { x: ; }\n".repeat(5_000);
    for (text, expected) in [
        (deep_suffixes, Some("E0009")),
        (deep_generics, Some("E0009")),
        (deep_alias_chain, Some("E0208")),
        (many_syntax_errors, Some("E0012")),
        (many_errors, None),
        (long_path, None),
        (long_package, None),
    ] {
        let case = Case {
            files: vec![(PathBuf::from("p.ipc"), text)],
            roots: vec![PathBuf::from("p.ipc")],
        };
        let checked = check_case(&case);
        if let Some(code) = expected {
            let codes: Vec<&str> = checked.diagnostics.iter().map(|d| d.code).collect();
            assert!(
                codes.contains(&code),
                "expected {code} for {}…, got {:?}",
                &case.files[0].1[..60.min(case.files[0].1.len())],
                &codes[..codes.len().min(10)]
            );
        }
    }
}
