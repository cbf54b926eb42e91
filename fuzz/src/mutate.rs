//! The grammar-aware mutator of `compile_grammar`: it mutates `.ipc` text token by token
//! (replace, insert, delete, duplicate, swap), drawing from the language's keywords, built-in
//! types, punctuation, attributes, doc comments, whole declarations and the names the file
//! already uses, so most mutants of a valid schema stay near-valid and reach resolution,
//! validation and the generators. libFuzzer's own byte mutations still run one time in four.

/// A small deterministic generator (xorshift64*), seeded by libFuzzer.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const KEYWORDS: &[&str] = &[
    "package",
    "import",
    "const",
    "struct",
    "enum",
    "union",
    "type",
    "interface",
    "notifications",
    "throws",
    "map",
];

const BUILTINS: &[&str] = &[
    "bool",
    "i8",
    "i16",
    "i32",
    "i64",
    "u8",
    "u16",
    "u32",
    "u64",
    "f32",
    "f64",
    "string",
    "bytes",
    "void",
    "Promise<void>",
    "Promise<string>",
    "AsyncIterable<u32>",
    "AsyncIterable<string>",
    "map<string, i64>",
    "map<u32, bytes>",
    "map<i64, f64?>",
    "string[]",
    "i64?",
    "u8[][]",
];

/// Names that are keywords or prelude names in Rust or TypeScript, or collide after casing.
const TRICKY_NAMES: &[&str] = &[
    "self",
    "Self",
    "crate",
    "super",
    "fn",
    "async",
    "await",
    "dyn",
    "gen",
    "r#type",
    "Result",
    "Option",
    "Vec",
    "String",
    "Box",
    "Send",
    "Error",
    "constructor",
    "__proto__",
    "toString",
    "then",
    "default",
    "delete",
    "new",
    "_",
    "__",
    "a_b",
    "aB",
    "AB",
    "A_B",
    "value",
    "kind",
    "id",
    "ctx",
    "IpccHandler",
    "any",
    "never",
    "unknown",
    "Record",
    "Array",
];

const PUNCTUATION: &[&str] = &[
    "{", "}", "(", ")", "<", ">", "[]", "[", "]", "?", ";", ":", ",", "=", ".", "@",
];

const LITERALS: &[&str] = &[
    "0",
    "-1",
    "1.5",
    "1e308",
    "-0",
    "9223372036854775807",
    "18446744073709551616",
    "0x10",
    "1_000",
    "true",
    "false",
    "\"\"",
    "\"a-b.v1\"",
    "\"\\u{10FFFF}\"",
    "\"*/\"",
    "\"\\\"\"",
    "\"é😀\"",
];

const ATTRIBUTES: &[&str] = &[
    "@channel(\"fuzz-v1\")",
    "@channel(\"fuzz-v2\")",
    "@channel(\"\")",
    "@channel(CHANNEL)",
    "@deprecated",
    "@deprecated(\"use `other`\")",
    "@since(\"1.0\")",
    "@unknown",
    "/// a doc comment with `code` and */ inside\n",
    "/// \n",
    "// a comment\n",
    "/* a block */",
];

/// Whole declarations, spliced in between declarations; `$` is replaced by a name.
const DECLARATIONS: &[&str] = &[
    "struct $ { a: i64; b?: string; c: $[]; }\n",
    "struct $ { inner: $?; }\n",
    "enum $ { one, two, three }\n",
    "union $ { circle { radius: f64; } empty }\n",
    "union $ { node { children: $[]; } leaf }\n",
    "type $ = map<string, $>;\n",
    "type $ = $;\n",
    "const $ = \"fuzz-const-v1\";\n",
    "const $ = 42;\n",
    "@channel(\"fuzz-$-v1\")\ninterface $ { m(a: $, b?: u64): Promise<$>; n(): Promise<void> throws $; }\n",
    "@channel(\"fuzz-$-s1\")\ninterface $ { s(items: AsyncIterable<$>): AsyncIterable<$>; }\n",
    "@channel(\"fuzz-$-n1\")\nnotifications $ { tick(n: u32); changed(value: $); }\n",
    "package fuzz.$;\n",
    "import \"other.ipc\";\n",
];

/// A token of the text, as a byte range.
#[derive(Clone, Copy)]
struct Token {
    start: usize,
    end: usize,
    ident: bool,
}

/// Splits text into identifiers, numbers, strings, comments and single characters (whitespace
/// is skipped). Works on any text: it only has to find places to cut.
fn tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let mut ident = false;
        if b.is_ascii_alphabetic() || b == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            ident = true;
        } else if b.is_ascii_digit() {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                i += 1;
            }
        } else if b == b'"' {
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(bytes.len());
        } else if bytes[i..].starts_with(b"//") {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
        } else {
            i += 1;
            while i < bytes.len() && !text.is_char_boundary(i) {
                i += 1;
            }
        }
        out.push(Token {
            start,
            end: i.min(bytes.len()),
            ident,
        });
    }
    out
}

/// A name for a new declaration or reference: mostly one the file already uses.
fn name(rng: &mut Rng, text: &str, toks: &[Token]) -> String {
    let idents: Vec<&Token> = toks.iter().filter(|t| t.ident).collect();
    match rng.below(4) {
        0 | 1 if !idents.is_empty() => {
            let t = idents[rng.below(idents.len())];
            text[t.start..t.end].to_string()
        }
        2 => rng.pick(TRICKY_NAMES).to_string(),
        _ => format!("Fz{}", rng.below(8)),
    }
}

/// Something to put at a token's place.
fn fragment(rng: &mut Rng, text: &str, toks: &[Token]) -> String {
    match rng.below(7) {
        0 => rng.pick(KEYWORDS).to_string(),
        1 => rng.pick(BUILTINS).to_string(),
        2 => rng.pick(PUNCTUATION).to_string(),
        3 => rng.pick(LITERALS).to_string(),
        4 => rng.pick(ATTRIBUTES).to_string(),
        _ => name(rng, text, toks),
    }
}

/// One grammar-aware mutation of `text`.
pub fn mutate_text(text: &str, rng: &mut Rng) -> String {
    let toks = tokens(text);
    if toks.is_empty() || rng.below(10) == 0 {
        let name = name(rng, text, &toks);
        let decl = rng.pick(DECLARATIONS).replace('$', &name);
        let at = if toks.is_empty() {
            text.len()
        } else {
            toks[rng.below(toks.len())].start
        };
        return format!("{}{}{}", &text[..at], decl, &text[at..]);
    }
    let a = toks[rng.below(toks.len())];
    match rng.below(8) {
        // Replace a token.
        0 | 1 => {
            let with = fragment(rng, text, &toks);
            format!("{}{}{}", &text[..a.start], with, &text[a.end..])
        }
        // Insert before a token.
        2 | 3 => {
            let with = fragment(rng, text, &toks);
            format!("{}{} {}", &text[..a.start], with, &text[a.start..])
        }
        // Delete a run of tokens.
        4 => {
            let last = toks[(toks.iter().position(|t| t.start == a.start).unwrap_or(0)
                + rng.below(3))
            .min(toks.len() - 1)];
            format!("{}{}", &text[..a.start], &text[last.end.max(a.end)..])
        }
        // Duplicate a run of tokens after itself (a field, a method, a suffix).
        5 => {
            let b = toks[rng.below(toks.len())];
            let (from, to) = if a.start <= b.start { (a, b) } else { (b, a) };
            let run = &text[from.start..to.end];
            if run.len() > 4096 {
                return text.to_string();
            }
            format!("{}{}{}", &text[..to.end], run, &text[to.end..])
        }
        // Put one identifier where another was (a reference to another declaration).
        6 => {
            let idents: Vec<&Token> = toks.iter().filter(|t| t.ident).collect();
            if idents.len() < 2 {
                return text.to_string();
            }
            let (x, y) = (
                idents[rng.below(idents.len())],
                idents[rng.below(idents.len())],
            );
            format!(
                "{}{}{}",
                &text[..x.start],
                &text[y.start..y.end],
                &text[x.end..]
            )
        }
        // Wrap a type-like token in a suffix or a generic.
        _ => {
            let wrapped = match rng.below(5) {
                0 => format!("{}[]", &text[a.start..a.end]),
                1 => format!("{}?", &text[a.start..a.end]),
                2 => format!("map<string, {}>", &text[a.start..a.end]),
                3 => format!("Promise<{}>", &text[a.start..a.end]),
                _ => format!("AsyncIterable<{}>", &text[a.start..a.end]),
            };
            format!("{}{}{}", &text[..a.start], wrapped, &text[a.end..])
        }
    }
}
