//! The formatter (`ipcc::format::format_source`) over every `.ipc` file of the repository and
//! over random files: a file with syntax errors is refused; any other comes out as a fixed point
//! (formatting it again changes nothing), with the same meaning (the front end gives the same
//! IR, or the same diagnostics) and the same comments in the same order. Also snapshots of
//! messy inputs (`tests/fmt/*.ipc`), and the bundled examples are in canonical form.
//! Deterministic (fixed seeds), so a failure reproduces.

use std::path::{Path, PathBuf};

use ipcc::diagnostics::{render, SourceId};
use ipcc::format::format_source;
use ipcc::{check_with, Checked, MemoryLoader};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

#[path = "../benches/schema/mod.rs"]
mod schema;

/// The repository's root.
fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Files compiled together, by path relative to the repository, and the roots to check.
struct Case {
    files: Vec<(PathBuf, String)>,
    roots: Vec<PathBuf>,
}

/// Every `*.ipc` file below `dir` (or `dir` itself), sorted, keyed relative to the repository.
fn ipc_files(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            let entries = std::fs::read_dir(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
            pending.extend(entries.map(|e| e.expect("directory entry").path()));
        } else if path.extension().is_some_and(|e| e == "ipc") {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
            let key = path
                .strip_prefix(repository())
                .unwrap_or(&path)
                .to_path_buf();
            found.push((key, text));
        }
    }
    found.sort();
    found
}

/// One case per file directly in `dir` (with every file below `dir` loadable, for imports) and
/// one per subdirectory (checked as a directory root).
fn cases_in(dir: &str) -> Vec<Case> {
    let dir = repository().join(dir);
    let all = ipc_files(&dir);
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir:?}: {e}"))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    let relative = |path: &Path| {
        path.strip_prefix(repository())
            .unwrap_or(path)
            .to_path_buf()
    };
    let mut cases = Vec::new();
    for entry in entries {
        if entry.is_dir() {
            let files = ipc_files(&entry);
            if !files.is_empty() {
                cases.push(Case {
                    files,
                    roots: vec![relative(&entry)],
                });
            }
        } else if entry.extension().is_some_and(|e| e == "ipc") {
            cases.push(Case {
                files: all.clone(),
                roots: vec![relative(&entry)],
            });
        }
    }
    cases
}

/// Every `.ipc` corpus of the repository.
fn corpus() -> Vec<Case> {
    [
        "idl-examples",
        "compiler/tests/ui/pass",
        "compiler/tests/ui/fail",
        "compiler/tests/fmt",
        "compiler/tests/streams",
        "tests/idl",
        "tests/vectors",
        "tests/version-skew/v1",
        "tests/version-skew/v2",
        "tests/ts/idl",
        "examples/sidecar/common",
        "examples/web-app/common",
    ]
    .into_iter()
    .flat_map(cases_in)
    .collect()
}

/// The comments and doc comments of a text in order, as the formatter promises to keep them:
/// `//` comments without trailing spaces and tabs, `/* */` comments with `\n` line breaks.
/// Written independently of the compiler's scanner, so that the two check each other.
fn comments(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && !matches!(bytes[i], b'"' | b'\n' | b'\r') {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = text[i..].find(['\n', '\r']).map_or(text.len(), |e| i + e);
                let comment = &text[i..end];
                let is_doc = comment.starts_with("///") && !comment.starts_with("////");
                found.push(if is_doc {
                    comment.to_string()
                } else {
                    comment.trim_end_matches([' ', '\t']).to_string()
                });
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..]
                    .find("*/")
                    .map_or(text.len(), |e| i + 2 + e + 2);
                found.push(text[i..end].replace("\r\n", "\n").replace('\r', "\n"));
                i = end;
            }
            _ => i += 1,
        }
    }
    found
}

fn has_syntax_errors(text: &str) -> bool {
    !ipcc::syntax::parse(SourceId(0), text).1.is_empty()
}

/// Formats `text`, which must parse, and checks what the formatter promises about one file:
/// the output is a fixed point, in canonical shape, with the same comments.
fn format_one(path: &Path, text: &str) -> String {
    let formatted = match format_source(text) {
        Ok(formatted) => formatted,
        Err(diagnostics) => panic!(
            "{} does not format: {diagnostics:#?}\n--- input\n{text}",
            path.display()
        ),
    };
    let again = format_source(&formatted).unwrap_or_else(|d| {
        panic!(
            "{}: the output does not format: {d:#?}\n{formatted}",
            path.display()
        )
    });
    assert_eq!(
        again,
        formatted,
        "{}: formatting twice differs from once\n--- input\n{text}",
        path.display()
    );
    assert_eq!(
        comments(text),
        comments(&formatted),
        "{}: the comments changed\n--- output\n{formatted}",
        path.display()
    );
    assert!(
        formatted.is_empty() || (formatted.ends_with('\n') && !formatted.ends_with("\n\n")),
        "{}: must end with exactly one line break",
        path.display()
    );
    assert!(
        !formatted.contains('\r'),
        "{}: a CR is left",
        path.display()
    );
    for line in formatted.lines() {
        assert!(
            !line.starts_with('\t') && !line.starts_with(" \t"),
            "{}: a tab indents {line:?}",
            path.display()
        );
    }
    formatted
}

fn check_all(files: &[(PathBuf, String)], roots: &[PathBuf]) -> Checked {
    let mut loader = MemoryLoader::default();
    for (path, text) in files {
        loader.files.insert(path.clone(), text.clone());
    }
    check_with(roots, &mut loader)
}

/// What the front end says, without the places (which formatting moves).
fn meaning(checked: &Checked) -> Vec<String> {
    checked
        .diagnostics
        .iter()
        .map(|d| format!("{:?} {} {}", d.severity, d.code, d.message))
        .collect()
}

/// Formats every file of `case` that parses, checks that the others are refused, and that the
/// front end says the same of the formatted files as of the originals. Returns how many files
/// were formatted and refused.
fn check_case(case: &Case) -> (usize, usize) {
    let (mut formatted_count, mut refused) = (0, 0);
    let mut formatted = Vec::new();
    for (path, text) in &case.files {
        if has_syntax_errors(text) {
            let diagnostics = format_source(text).expect_err("a syntax error is refused");
            assert!(
                diagnostics.iter().all(|d| d.code.starts_with("E00")),
                "{}: refused with {diagnostics:?}",
                path.display()
            );
            refused += 1;
            formatted.push((path.clone(), text.clone()));
        } else {
            formatted_count += 1;
            formatted.push((path.clone(), format_one(path, text)));
        }
    }
    let before = check_all(&case.files, &case.roots);
    let after = check_all(&formatted, &case.roots);
    assert!(
        before.ir == after.ir,
        "{:?}: the IR changed\n{}",
        case.roots,
        render(&after.diagnostics, &after.sources, false)
    );
    assert_eq!(meaning(&before), meaning(&after), "{:?}", case.roots);
    (formatted_count, refused)
}

#[test]
fn every_repository_file_is_formatted_losslessly_or_refused() {
    let (mut formatted, mut refused, mut compiled) = (0, 0, 0);
    for case in corpus() {
        let (f, r) = check_case(&case);
        formatted += f;
        refused += r;
        compiled += usize::from(check_all(&case.files, &case.roots).ir.is_some());
    }
    // The corpora are where they are expected: the numbers fail loudly if a folder moves.
    assert!(formatted >= 100, "only {formatted} files formatted");
    assert!(
        refused >= 25,
        "only {refused} files with syntax errors refused"
    );
    assert!(compiled >= 20, "only {compiled} cases compiled");
}

#[test]
fn the_benchmark_schema_is_formatted_losslessly() {
    let text = schema::schema(1);
    let path = PathBuf::from("bench.ipc");
    let formatted = format_one(&path, &text);
    let before = check_all(&[(path.clone(), text)], std::slice::from_ref(&path));
    let after = check_all(&[(path.clone(), formatted)], std::slice::from_ref(&path));
    assert!(before.ir.is_some());
    assert!(before.ir == after.ir, "the IR changed");
}

/// The bundled examples are what `ipcc fmt` makes of them, so that `ipcc fmt --check` passes on
/// the project's own files.
#[test]
fn the_bundled_examples_are_formatted() {
    let mut count = 0;
    for dir in [
        "idl-examples",
        "examples/sidecar/common",
        "examples/web-app/common",
    ] {
        for (path, text) in ipc_files(&repository().join(dir)) {
            let formatted = format_one(&path, &text);
            assert!(
                formatted == text,
                "{} is not formatted; run `ipcc fmt {}`",
                path.display(),
                path.display()
            );
            count += 1;
        }
    }
    assert!(count >= 10, "{count}");
}

/// Every `// before` / `// after` example of docs/formatting.md is what the formatter does.
#[test]
fn the_examples_in_the_formatting_docs_hold() {
    let docs = std::fs::read_to_string(repository().join("docs/formatting.md")).expect("docs");
    let mut examples = 0;
    for block in docs.split("```ipc\n// before\n").skip(1) {
        let block = &block[..block.find("```").expect("a closed block")];
        let (before, after) = block
            .split_once("\n// after\n")
            .expect("an `// after` part");
        let formatted = format_one(Path::new("docs/formatting.md"), before);
        assert_eq!(
            formatted, after,
            "docs/formatting.md: the example\n{before}"
        );
        examples += 1;
    }
    assert!(examples >= 5, "{examples} examples");
}

#[test]
fn messy_inputs() {
    insta::glob!("fmt/*.ipc", |path| {
        let text = std::fs::read_to_string(path).expect("readable");
        insta::assert_snapshot!(format_one(path, &text));
    });
}

/// A random valid `.ipc` file: random declarations, then random whitespace, line breaks (LF,
/// CRLF, a lone CR), tabs, blank lines and comments between every two tokens.
mod random {
    use super::*;

    /// A token of the generated file.
    enum Token {
        /// Words need whitespace between them.
        Word(String),
        Punct(&'static str),
        /// A `///` line: nothing may follow it on its line.
        Doc(String),
    }
    use Token::*;

    const PRIMITIVES: &[&str] = &[
        "bool", "boolean", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64",
        "number", "string", "bytes",
    ];
    /// Member names that are keywords: allowed, and worth a try.
    const KEYWORD_NAMES: &[&str] = &["type", "interface", "import", "map", "struct", "throws"];

    pub struct Generator {
        rng: StdRng,
        tokens: Vec<Token>,
        /// Declared types that may be referred to: (name, is an alias).
        types: Vec<(String, bool)>,
        /// Declared structs, enums and unions (what `throws` may name).
        throwable: Vec<String>,
        counter: usize,
        comments: usize,
        imported: bool,
    }

    impl Generator {
        pub fn new(seed: u64) -> Self {
            Generator {
                rng: StdRng::seed_from_u64(seed),
                tokens: Vec::new(),
                types: Vec::new(),
                throwable: Vec::new(),
                counter: 0,
                comments: 0,
                imported: false,
            }
        }

        fn fresh(&mut self, prefix: &str) -> String {
            self.counter += 1;
            format!("{prefix}{}", self.counter)
        }

        fn word(&mut self, word: impl Into<String>) {
            self.tokens.push(Word(word.into()));
        }

        fn punct(&mut self, punct: &'static str) {
            self.tokens.push(Punct(punct));
        }

        /// Docs and attributes before a declaration or member, in random order, each
        /// attribute at most once; `channel` adds `@channel("...")`.
        fn leading(&mut self, since_allowed: bool, channel: Option<String>) {
            let mut items: Vec<Vec<Token>> = Vec::new();
            for _ in 0..self.rng.gen_range(0..3) {
                let n = self.fresh("");
                let trailing = if self.rng.gen_bool(0.2) { "  " } else { "" };
                items.push(vec![Doc(format!("/// doc {n}{trailing}"))]);
            }
            if self.rng.gen_bool(0.2) {
                let mut attribute = vec![Word("@deprecated".into())];
                if self.rng.gen_bool(0.5) {
                    attribute.extend([
                        Punct("("),
                        Word("\"use \\\"other\\\"\"".into()),
                        Punct(")"),
                    ]);
                }
                items.push(attribute);
            }
            if since_allowed && self.rng.gen_bool(0.2) {
                items.push(vec![
                    Word("@since".into()),
                    Punct("("),
                    Word("\"1.2\"".into()),
                    Punct(")"),
                ]);
            }
            if let Some(channel) = channel {
                items.push(vec![
                    Word("@channel".into()),
                    Punct("("),
                    Word(format!("\"{channel}\"")),
                    Punct(")"),
                ]);
            }
            items.shuffle(&mut self.rng);
            self.tokens.extend(items.into_iter().flatten());
        }

        /// A type; `optional_end` allows a final `?`, `keys` allows only map-key types.
        fn ty(&mut self, depth: usize, optional_end: bool) {
            let choice = self.rng.gen_range(0..10);
            if choice < 2 && depth < 3 {
                self.word("map");
                self.punct("<");
                let key = ["string", "i32", "u8", "u64"][self.rng.gen_range(0..4)];
                self.word(key);
                self.punct(",");
                self.ty(depth + 1, true);
                if self.rng.gen_bool(0.2) {
                    self.punct(",");
                }
                self.punct(">");
            } else if choice < 5 && !self.types.is_empty() {
                let (name, _) = self.types[self.rng.gen_range(0..self.types.len())].clone();
                self.word(name);
            } else {
                let primitive = PRIMITIVES[self.rng.gen_range(0..PRIMITIVES.len())];
                self.word(primitive);
            }
            let suffixes: &[&[&'static str]] = if optional_end {
                &[
                    &[],
                    &["[]"],
                    &["?"],
                    &["[]", "?"],
                    &["?", "[]"],
                    &["[]", "[]"],
                ]
            } else {
                &[&[], &["[]"], &["?", "[]"], &["[]", "[]"]]
            };
            for suffix in suffixes[self.rng.gen_range(0..suffixes.len())] {
                if *suffix == "[]" {
                    self.punct("[");
                    self.punct("]");
                } else {
                    self.punct("?");
                }
            }
        }

        fn member_name(&mut self, prefix: &str, index: usize) -> String {
            if index == 0 && self.rng.gen_bool(0.2) {
                KEYWORD_NAMES[self.rng.gen_range(0..KEYWORD_NAMES.len())].to_string()
            } else {
                format!("{prefix}{index}")
            }
        }

        fn fields(&mut self) {
            for i in 0..self.rng.gen_range(0..4) {
                self.leading(true, None);
                let name = self.member_name("f", i);
                self.word(name);
                let optional = self.rng.gen_bool(0.3);
                if optional {
                    self.punct("?");
                }
                self.punct(":");
                self.ty(0, !optional);
                self.punct(";");
            }
        }

        fn params(&mut self) {
            let count = self.rng.gen_range(0..5);
            let optional_from = self.rng.gen_range(0..=count);
            for i in 0..count {
                if i > 0 {
                    self.punct(",");
                }
                let name = self.member_name("p", i);
                self.word(name);
                let optional = i >= optional_from;
                if optional {
                    self.punct("?");
                }
                self.punct(":");
                self.ty(0, !optional);
            }
            if count > 0 && self.rng.gen_bool(0.2) {
                self.punct(",");
            }
        }

        fn declaration(&mut self) {
            match self.rng.gen_range(0..8) {
                0 => {
                    self.leading(true, None);
                    self.word("const");
                    let name = self.fresh("c");
                    self.word(name);
                    self.punct("=");
                    let literals = [
                        "0",
                        "-7",
                        "42",
                        "1.5",
                        "-2.5e+3",
                        "6.02E23",
                        "true",
                        "false",
                        "\"\"",
                        "\"a \\\" \\\\ \\n \\u{1F600} é // not /* a comment\"",
                    ];
                    let literal = literals[self.rng.gen_range(0..literals.len())];
                    self.word(literal);
                    self.punct(";");
                }
                1 => {
                    self.leading(true, None);
                    self.word("struct");
                    let name = self.fresh("S");
                    self.word(name.clone());
                    self.punct("{");
                    self.fields();
                    self.punct("}");
                    self.types.push((name.clone(), false));
                    self.throwable.push(name);
                }
                2 => {
                    self.leading(true, None);
                    self.word("enum");
                    let name = self.fresh("E");
                    self.word(name.clone());
                    self.punct("{");
                    let count = self.rng.gen_range(1..5);
                    for i in 0..count {
                        if i > 0 {
                            self.punct(",");
                        }
                        self.leading(false, None);
                        let variant = self.member_name("v", i);
                        self.word(variant);
                    }
                    if self.rng.gen_bool(0.5) {
                        self.punct(",");
                    }
                    self.punct("}");
                    self.types.push((name.clone(), false));
                    self.throwable.push(name);
                }
                3 => {
                    self.leading(true, None);
                    self.word("union");
                    let name = self.fresh("U");
                    self.word(name.clone());
                    self.punct("{");
                    for i in 0..self.rng.gen_range(1..4) {
                        self.leading(false, None);
                        self.word(format!("v{i}"));
                        if self.rng.gen_bool(0.6) {
                            self.punct("{");
                            self.fields();
                            self.punct("}");
                        }
                        if self.rng.gen_bool(0.4) {
                            self.punct(",");
                        }
                    }
                    self.punct("}");
                    self.types.push((name.clone(), false));
                    self.throwable.push(name);
                }
                4 => {
                    self.leading(true, None);
                    self.word("type");
                    let name = self.fresh("A");
                    self.word(name.clone());
                    self.punct("=");
                    self.ty(0, false);
                    self.punct(";");
                    self.types.push((name, true));
                }
                5 | 6 => {
                    let notifications = self.rng.gen_bool(0.4);
                    let channel = self.fresh("channel-");
                    self.leading(true, Some(channel));
                    self.word(if notifications {
                        "notifications"
                    } else {
                        "interface"
                    });
                    let name = self.fresh("I");
                    self.word(name);
                    self.punct("{");
                    for i in 0..self.rng.gen_range(0..4) {
                        self.leading(true, None);
                        let method = self.member_name("m", i);
                        self.word(method);
                        self.punct("(");
                        self.params();
                        self.punct(")");
                        if !notifications {
                            self.punct(":");
                            self.word("Promise");
                            self.punct("<");
                            if self.rng.gen_bool(0.3) {
                                self.word("void");
                            } else {
                                self.ty(0, true);
                            }
                            self.punct(">");
                            if !self.throwable.is_empty() && self.rng.gen_bool(0.3) {
                                self.word("throws");
                                let index = self.rng.gen_range(0..self.throwable.len());
                                let thrown = self.throwable[index].clone();
                                self.word(thrown);
                            }
                        }
                        self.punct(";");
                    }
                    self.punct("}");
                }
                _ if !self.imported => {
                    self.imported = true;
                    self.word("import");
                    self.word("\"./other.ipc\"");
                    self.punct(";");
                }
                _ => {}
            }
        }

        /// Whitespace and comments for between two tokens: anything the grammar allows.
        fn trivia(&mut self, out: &mut String) {
            match self.rng.gen_range(0..10) {
                0..=2 => {}
                3 => out.push_str([" ", "\t", "  \t ", "\x0c"][self.rng.gen_range(0..4)]),
                4 | 5 => {
                    for _ in 0..self.rng.gen_range(1..4) {
                        out.push_str(["\n", "\r\n", "\r", "  \n"][self.rng.gen_range(0..4)]);
                    }
                    out.push_str(["", "  ", "\t", "      "][self.rng.gen_range(0..4)]);
                }
                6 | 7 => {
                    self.comments += 1;
                    let n = self.comments;
                    out.push_str(if self.rng.gen_bool(0.5) { " " } else { "" });
                    out.push_str(match self.rng.gen_range(0..4) {
                        0 => "/* block */",
                        1 => "/*multi\r\n   line\n*/",
                        2 => "/**/",
                        _ => "/* ** / */",
                    });
                    out.push_str(&format!("/* {n} */"));
                    self.trivia(out);
                }
                _ => {
                    self.comments += 1;
                    let n = self.comments;
                    out.push_str(if self.rng.gen_bool(0.5) { " " } else { "" });
                    out.push_str(
                        ["// line", "//", "////", "// trailing  \t"][self.rng.gen_range(0..4)],
                    );
                    out.push_str(&format!(" {n}"));
                    out.push_str(["\n", "\r\n", "\r"][self.rng.gen_range(0..3)]);
                    self.trivia(out);
                }
            }
        }

        /// A whole file: its text, and whether it imports `./other.ipc`.
        pub fn file(mut self) -> String {
            let mut blocks: Vec<Vec<Token>> = Vec::new();
            for _ in 0..self.rng.gen_range(1..10) {
                self.declaration();
                blocks.push(std::mem::take(&mut self.tokens));
            }
            // Declarations may come in any order (only `package` must be first).
            blocks.shuffle(&mut self.rng);
            if self.rng.gen_bool(0.3) {
                blocks.insert(
                    0,
                    vec![Word("package".into()), Word("pkg".into()), Punct(";")],
                );
            }
            let tokens: Vec<Token> = blocks.into_iter().flatten().collect();
            let mut out = String::new();
            if self.rng.gen_bool(0.1) {
                out.push('\u{feff}');
            }
            self.trivia(&mut out);
            let mut previous: Option<&Token> = None;
            for token in &tokens {
                if let Some(previous) = previous {
                    let before = out.len();
                    self.trivia(&mut out);
                    let nothing_between = out.len() == before;
                    match (previous, token) {
                        (Doc(_), _) => out.insert(before, '\n'),
                        (Word(_), Word(_)) if nothing_between => out.push(' '),
                        _ => {}
                    }
                }
                match token {
                    Word(text) | Doc(text) => out.push_str(text),
                    Punct(text) => out.push_str(text),
                }
                previous = Some(token);
            }
            if matches!(previous, Some(Doc(_))) {
                out.push('\n');
            }
            self.trivia(&mut out);
            out
        }
    }
}

/// The imported file of the random files.
const OTHER: &str = "/// Imported.\nstruct Other { a: i32; }\n";

#[test]
fn random_files_are_formatted_losslessly() {
    let (mut changed, mut kept_comments) = (0, 0);
    for seed in 0..400 {
        let text = random::Generator::new(seed).file();
        let path = PathBuf::from(format!("random-{seed}.ipc"));
        assert!(
            !has_syntax_errors(&text),
            "seed {seed} generated a syntax error: {:#?}\n{text}",
            ipcc::syntax::parse(SourceId(0), &text).1
        );
        let formatted = format_one(&path, &text);
        let other = (PathBuf::from("other.ipc"), OTHER.to_string());
        let roots = [path.clone()];
        let before = check_all(&[(path.clone(), text.clone()), other.clone()], &roots);
        let after = check_all(&[(path.clone(), formatted.clone()), other], &roots);
        assert!(
            before.ir.is_some(),
            "seed {seed} generated an invalid file:\n{}\n{text}",
            render(&before.diagnostics, &before.sources, false)
        );
        assert!(
            before.ir == after.ir,
            "seed {seed}: the IR changed\n--- input\n{text}\n--- output\n{formatted}"
        );
        changed += usize::from(formatted != text);
        kept_comments += comments(&text).len();
    }
    // The generator must produce mess for the formatter to clean up.
    assert!(changed >= 390, "only {changed} random files changed");
    assert!(kept_comments >= 40_000, "only {kept_comments} comments");
}
