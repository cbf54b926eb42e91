//! Identifier casing and target-keyword escaping, shared by validation (collision checks) and codegen.

/// `sayHello` / `SayHello` / `say_hello` → `say_hello`.
///
/// A run of underscores between two words becomes one (`a__b` → `a_b`: rustc's
/// `non_snake_case` lint rejects `__` inside a name); leading and trailing ones stay
/// (`__proto__`, `_0`, `type_`).
pub fn snake_case(name: &str) -> String {
    let out = snake_case_words(name);
    let start = out.len() - out.trim_start_matches('_').len();
    let end = out.trim_end_matches('_').len();
    if start >= end || !out[start..end].contains("__") {
        return out;
    }
    let mut collapsed = String::with_capacity(out.len());
    collapsed.push_str(&out[..start]);
    for word in out[start..end].split('_').filter(|w| !w.is_empty()) {
        if collapsed.len() > start {
            collapsed.push('_');
        }
        collapsed.push_str(word);
    }
    collapsed.push_str(&out[end..]);
    collapsed
}

/// [`snake_case`] before runs of underscores are collapsed.
fn snake_case_words(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = if i > 0 { Some(chars[i - 1]) } else { None };
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                Some('_') => false,
                Some(p) if p.is_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_uppercase() => next.is_some_and(|n| n.is_lowercase()),
                _ => false,
            };
            if boundary {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `myChannel` → `MY_CHANNEL`.
pub fn shouty_snake_case(name: &str) -> String {
    snake_case(name).to_uppercase()
}

/// `sayHello` / `SayHello` → `say-hello`.
pub fn kebab_case(name: &str) -> String {
    snake_case(name).replace('_', "-")
}

/// `say_hello` / `sayHello` → `SayHello`.
///
/// Underscores go, except where the result would not be an identifier: a name of underscores
/// only keeps one (`_`, `__` → `_`), and one whose first letter is a digit keeps the `_` before
/// it (`_0` → `_0`, not `0`).
pub fn pascal_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 1);
    let mut upper = true;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// `SayHello` / `say_hello` → `sayHello`.
pub fn camel_case(name: &str) -> String {
    let pascal = pascal_case(name);
    let mut chars = pascal.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Rust keywords (all editions, strict and reserved).
pub const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Rust keywords that cannot be raw identifiers (`r#self` is invalid), and `_`, which is no
/// identifier at all; escaped with a `_` suffix.
const RUST_NON_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

/// The Rust module path of a package: one snake_case, escaped segment per dotted segment
/// (`acme.HttpApi.type` → `["acme", "http_api", "r#type"]`).
pub fn rust_module_path(package: &str) -> Vec<String> {
    package
        .split('.')
        .map(|segment| rust_ident(&snake_case(segment)))
        .collect()
}

/// Escapes a Rust identifier: `type` → `r#type`, `self` → `self_`, `_` → `__`.
pub fn rust_ident(name: &str) -> String {
    if RUST_NON_RAW.contains(&name) {
        format!("{name}_")
    } else if RUST_KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_string()
    }
}

/// TypeScript/JavaScript reserved words that cannot name a binding (variable, parameter,
/// function, class, interface, type). Property names need no escaping.
pub const TS_RESERVED: &[&str] = &[
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "import",
    "in",
    "instanceof",
    "new",
    "null",
    "return",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "implements",
    "interface",
    "let",
    "package",
    "private",
    "protected",
    "public",
    "static",
    "yield",
    "await",
    "arguments",
    "eval",
    "any",
    "boolean",
    "number",
    "string",
    "symbol",
    "bigint",
    "object",
    "never",
    "unknown",
    "undefined",
];

/// Escapes a TS binding name: `delete` → `delete_`.
pub fn ts_ident(name: &str) -> String {
    if TS_RESERVED.contains(&name) {
        format!("{name}_")
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casing() {
        assert_eq!(snake_case("sayHello"), "say_hello");
        assert_eq!(snake_case("HTTPServer"), "http_server");
        assert_eq!(snake_case("getV2Data"), "get_v2_data");
        assert_eq!(shouty_snake_case("myChannel"), "MY_CHANNEL");
        assert_eq!(pascal_case("say_hello"), "SayHello");
        assert_eq!(pascal_case("sayHello"), "SayHello");
        assert_eq!(camel_case("SayHello"), "sayHello");
        assert_eq!(kebab_case("HTTPServer"), "http-server");
        // Names of underscores, and underscores before a digit, stay identifiers.
        assert_eq!(pascal_case("_"), "_");
        assert_eq!(pascal_case("__"), "_");
        assert_eq!(pascal_case("_0"), "_0");
        assert_eq!(pascal_case("__1a_b"), "_1aB");
        assert_eq!(camel_case("_0"), "_0");
        assert_eq!(rust_ident(&pascal_case("_")), "__");
        // Runs of underscores inside a name collapse; at its ends they stay.
        assert_eq!(snake_case("a__b"), "a_b");
        assert_eq!(snake_case("__proto__"), "__proto__");
        assert_eq!(snake_case("_x__yZ__"), "_x_y_z__");
        assert_eq!(snake_case("__"), "__");
        assert_eq!(shouty_snake_case("a__b"), "A_B");
        assert_eq!(rust_ident("type"), "r#type");
        assert_eq!(rust_ident("self"), "self_");
        assert_eq!(ts_ident("delete"), "delete_");
        assert_eq!(rust_ident("_"), "__");
    }

    #[test]
    fn module_paths() {
        assert_eq!(rust_module_path("people"), ["people"]);
        assert_eq!(
            rust_module_path("acme.HttpApi.type"),
            ["acme", "http_api", "r#type"]
        );
        assert_eq!(rust_module_path("com.self._"), ["com", "self_", "__"]);
    }
}
