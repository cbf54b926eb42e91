//! The runtime's layers (ARCHITECTURE.md, "Runtime layers"): imports run one way, transport →
//! protocol → session → binding, and the crate root and `codegen` only re-export.
//!
//! Every file under `src/` (but `src/bin/`, the echo backend, which uses the public API) belongs
//! to the layer of its folder. Each path a file names that starts at `crate::` or climbs out of
//! its folder with `super::` is resolved to the layer it lands in; a path into a higher layer, or
//! into the crate root's re-exports (which would hide the layer), fails the test with the file,
//! the line and the path. Comments and string literals are skipped, macro bodies are not.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

/// The layers, lowest first.
const LAYERS: [&str; 4] = ["transport", "protocol", "session", "binding"];

/// Where a path lands: a layer (index into [`LAYERS`]) or the crate root's re-exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Place {
    Layer(usize),
    /// `lib.rs`, `codegen.rs` and anything reached through them: above every layer.
    Facade,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Layer(i) => write!(f, "{}", LAYERS[*i]),
            Place::Facade => write!(f, "the crate root (lib.rs / codegen.rs)"),
        }
    }
}

fn place_of(first: &str) -> Place {
    match LAYERS.iter().position(|layer| *layer == first) {
        Some(i) => Place::Layer(i),
        None => Place::Facade,
    }
}

#[derive(Debug, PartialEq, Eq)]
struct Violation {
    file: String,
    line: usize,
    path: String,
    from: Place,
    to: Place,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "src/{}:{}: `{}` reaches {} from {}, a lower layer",
            self.file, self.line, self.path, self.to, self.from
        )
    }
}

/// A token of Rust source, as far as this check needs: identifiers, `::`, braces and `;`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Ident(String),
    PathSep,
    Open,
    Close,
    Other(char),
}

/// Tokens with their line numbers; comments, strings and character literals are dropped.
fn tokens(source: &str) -> Vec<(usize, Token)> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let skip_to = |i: &mut usize, line: &mut usize, end: usize| {
        for c in &chars[*i..end.min(chars.len())] {
            if *c == '\n' {
                *line += 1;
            }
        }
        *i = end;
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            let mut j = i;
            while j < chars.len() {
                if chars[j] == '/' && chars.get(j + 1) == Some(&'*') {
                    depth += 1;
                    j += 2;
                } else if chars[j] == '*' && chars.get(j + 1) == Some(&'/') {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            skip_to(&mut i, &mut line, j);
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && {
            let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
            chars.get(i + 1 + hashes) == Some(&'"')
        } {
            // A raw string: r"…", r#"…"#, …
            let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
            let mut j = i + 2 + hashes;
            while j < chars.len() {
                if chars[j] == '"'
                    && chars[j + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|c| **c == '#')
                        .count()
                        == hashes
                {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            skip_to(&mut i, &mut line, j);
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            skip_to(&mut i, &mut line, j + 1);
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if next == Some('\\') {
                let mut j = i + 2;
                while j < chars.len() && chars[j] != '\'' {
                    j += 1;
                }
                skip_to(&mut i, &mut line, j + 1);
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push((line, Token::Ident(chars[start..i].iter().collect())));
        } else if c == ':' && next == Some(':') {
            out.push((line, Token::PathSep));
            i += 2;
        } else {
            out.push((
                line,
                match c {
                    '{' => Token::Open,
                    '}' => Token::Close,
                    other => Token::Other(other),
                },
            ));
            i += 1;
        }
    }
    out
}

/// The module path of a file below `src/` (`transport/stdio/fd.rs` → transport, stdio, fd).
fn module_path(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file.split('/').map(str::to_owned).collect();
    let last = parts.pop().unwrap_or_default();
    if last != "mod.rs" && last != "lib.rs" {
        parts.push(last.trim_end_matches(".rs").to_owned());
    }
    parts
}

/// The layer a file belongs to, or `None` for a file that belongs to none.
fn file_place(file: &str) -> Option<Place> {
    match file {
        "lib.rs" | "codegen.rs" => Some(Place::Facade),
        _ => {
            let first = file.split('/').next()?;
            LAYERS
                .iter()
                .position(|layer| *layer == first && file.contains('/'))
                .map(Place::Layer)
        }
    }
}

/// Every path of `source` (the file `file`, relative to `src/`) that reaches a higher layer.
fn check_source(file: &str, source: &str) -> Vec<Violation> {
    let Some(from) = file_place(file) else {
        return vec![Violation {
            file: file.to_owned(),
            line: 1,
            path: "(file)".to_owned(),
            from: Place::Facade,
            to: Place::Facade,
        }];
    };
    let tokens = tokens(source);
    let mut module = module_path(file);
    // Inline modules (`mod tests { … }`) open at this brace depth.
    let mut inline: Vec<usize> = Vec::new();
    let mut depth = 0;
    let mut violations = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let (line, token) = &tokens[i];
        let ident = |k: usize| match tokens.get(k) {
            Some((_, Token::Ident(name))) => Some(name.as_str()),
            _ => None,
        };
        let is_sep = |k: usize| matches!(tokens.get(k), Some((_, Token::PathSep)));
        // A path segment follows a `::` only when it does not start the path.
        let starts_path = i == 0 || !is_sep(i - 1);
        match token {
            Token::Open => depth += 1,
            Token::Close => {
                depth -= 1;
                if inline.last() == Some(&depth) {
                    inline.pop();
                    module.pop();
                }
            }
            Token::Ident(word)
                if word == "mod" && tokens.get(i + 2).map(|t| &t.1) == Some(&Token::Open) =>
            {
                if let Some(name) = ident(i + 1) {
                    module.push(name.to_owned());
                    inline.push(depth);
                }
            }
            Token::Ident(word) if word == "crate" && starts_path && is_sep(i + 1) => {
                if let Some(first) = ident(i + 2) {
                    let to = place_of(first);
                    if to > from {
                        violations.push(Violation {
                            file: file.to_owned(),
                            line: *line,
                            path: format!("crate::{first}"),
                            from,
                            to,
                        });
                    }
                }
            }
            Token::Ident(word) if word == "super" && starts_path && is_sep(i + 1) => {
                let mut supers = 1;
                while ident(i + 2 * supers) == Some("super") && is_sep(i + 2 * supers + 1) {
                    supers += 1;
                }
                let base = module.len().saturating_sub(supers);
                let landing = if base > 0 {
                    Some(module[0].clone())
                } else {
                    ident(i + 2 * supers).map(str::to_owned)
                };
                let to = landing.as_deref().map_or(Place::Facade, place_of);
                if to > from {
                    violations.push(Violation {
                        file: file.to_owned(),
                        line: *line,
                        path: format!(
                            "{}{}",
                            "super::".repeat(supers),
                            ident(i + 2 * supers).unwrap_or("*")
                        ),
                        from,
                        to,
                    });
                }
                i += 2 * supers;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    violations
}

/// The facade's files hold nothing but module declarations and re-exports.
fn check_facade(file: &str, source: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let tokens = tokens(source);
    let mut statement: Vec<(usize, &Token)> = Vec::new();
    let mut depth = 0;
    for (line, token) in &tokens {
        match token {
            Token::Open => depth += 1,
            Token::Close => depth -= 1,
            _ => {}
        }
        statement.push((*line, token));
        if depth == 0 && matches!(token, Token::Other(';') | Token::Close) {
            // The `;` after a `use` group's `}` ends an empty statement.
            if !statement.iter().any(|(_, t)| matches!(t, Token::Ident(_))) {
                statement.clear();
                continue;
            }
            // Attributes (`#[…]`) come before the item's keyword, so look for the keyword.
            let words: Vec<&str> = statement
                .iter()
                .filter_map(|(_, t)| match t {
                    Token::Ident(name) => Some(name.as_str()),
                    _ => None,
                })
                .collect();
            const KEYWORDS: [&str; 11] = [
                "use",
                "mod",
                "fn",
                "impl",
                "struct",
                "enum",
                "trait",
                "type",
                "const",
                "static",
                "macro_rules",
            ];
            let item = words.iter().copied().find(|w| KEYWORDS.contains(w));
            // A module with a body (`mod x { … }`) would be logic in the facade too.
            let inline_module = item == Some("mod") && matches!(token, Token::Close);
            if !matches!(item, Some("use") | Some("mod")) || inline_module {
                problems.push(format!(
                    "src/{file}:{}: the crate root and `codegen` only declare modules and re-export; move this item ({}) to its layer",
                    statement[0].0,
                    item.unwrap_or("?")
                ));
            }
            statement.clear();
        }
    }
    problems
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn imports_run_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut problems = Vec::new();
    let mut checked = 0;
    for path in files {
        let file = path
            .strip_prefix(&src)
            .expect("below src")
            .to_string_lossy()
            .replace('\\', "/");
        if file.starts_with("bin/") {
            continue;
        }
        let source = fs::read_to_string(&path).expect("readable source");
        if file_place(&file).is_none() {
            problems.push(format!(
                "src/{file}: in no layer; put it under src/transport, src/protocol, src/session or src/binding"
            ));
            continue;
        }
        checked += 1;
        problems.extend(
            check_source(&file, &source)
                .iter()
                .map(Violation::to_string),
        );
        if file_place(&file) == Some(Place::Facade) {
            problems.extend(check_facade(&file, &source));
        }
    }
    assert!(
        checked > 20,
        "only {checked} files checked: is src/ where it was?"
    );
    assert!(
        problems.is_empty(),
        "imports against the layers (ARCHITECTURE.md, \"Runtime layers\"):\n{}",
        problems.join("\n")
    );
}

#[test]
fn an_import_against_the_grain_is_named() {
    let source = "//! A transport.\n\nuse super::Incoming;\n// crate::session in a comment\nconst S: &str = \"crate::session\";\nuse crate::session::host::IpcHost;\n";
    let violations = check_source("transport/websocket.rs", source);
    assert_eq!(
        violations.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["src/transport/websocket.rs:6: `crate::session` reaches session from transport, a lower layer"]
    );
}

#[test]
fn super_paths_out_of_a_folder_and_the_facade_are_checked() {
    // Three `super::` from transport/stdio/fd.rs land at the root, two in transport; `super::`
    // inside an inline module stays in the file.
    let source = "use super::super::super::binding::x;\nuse super::super::lines::LineSocket;\nmod tests {\n    use super::*;\n}\nfn f() { let _ = crate::IpcHost::new(); }\n";
    let violations = check_source("transport/stdio/fd.rs", source);
    let found: Vec<_> = violations.iter().map(|v| (v.line, v.to)).collect();
    assert_eq!(found, [(1, Place::Layer(3)), (6, Place::Facade)]);
    // A lower layer from a higher one is the grain.
    assert!(check_source(
        "binding/memory.rs",
        "use crate::transport::memory;\nuse crate::session::host::IpcHost;"
    )
    .is_empty());
}

#[test]
fn the_facade_only_re_exports() {
    let source = "//! Facade.\n#[doc(hidden)]\npub use crate::protocol::args::Args;\nmod x;\n/// An item.\npub fn helper() {}\npub mod y { }\n";
    let problems = check_facade("codegen.rs", source);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].starts_with("src/codegen.rs:6:"), "{problems:?}");
    assert!(problems[1].starts_with("src/codegen.rs:7:"), "{problems:?}");
}

#[test]
fn a_file_outside_the_layers_is_refused() {
    assert_eq!(file_place("util.rs"), None);
    assert_eq!(file_place("transport.rs"), None);
    assert_eq!(file_place("transport/stdio/fd.rs"), Some(Place::Layer(0)));
}
