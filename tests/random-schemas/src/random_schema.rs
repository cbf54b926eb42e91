//! A seeded generator of valid `.ipc` schemas mixing every construct of the language, for the
//! generated-code corpus (see this crate's README).
//!
//! Shared by the crate's build script (which compiles every schema to Rust), its library, and
//! the `write-random-schemas` binary (which writes them for the TypeScript side): one source, so
//! both languages compile the same family. Output depends on the seed only (`StdRng`, no clock,
//! no hash-map iteration order).

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

/// How many schemas the corpus holds, and the seed of the first (schema `i` has seed
/// `FIRST_SEED + i`). Modest: their Rust is about 40,000 lines, a few minutes of CPU.
pub const SCHEMA_COUNT: usize = 12;
/// The seed of schema 0.
pub const FIRST_SEED: u64 = 0x1bcc_0000;

/// The root file of every schema; it imports [`DEP_FILE`].
pub const ROOT_FILE: &str = "main.ipc";
/// The imported file, always with a package of its own.
pub const DEP_FILE: &str = "dep.ipc";

/// One generated schema: two files and a sample wire value of each of its named types.
pub struct Schema {
    /// `schema_00`, `schema_01`, ...: a Rust module name and a directory name.
    pub name: String,
    pub seed: u64,
    /// `(file name, text)`: [`ROOT_FILE`] and [`DEP_FILE`].
    pub files: Vec<(String, String)>,
    /// One value per struct, enum and union of both files.
    pub samples: Vec<Sample>,
}

/// A value of one generated type, as JSON on the wire.
pub struct Sample {
    /// The IDL name, qualified when the type is in the imported file (`std.Result`).
    pub idl_name: String,
    /// The type's path in the root's generated Rust file (`std::Result`, `r#async::Vec`).
    pub rust_path: String,
    /// The JSON text of the value, as the wire carries it.
    pub json: String,
}

/// Every schema of the corpus, in order.
pub fn corpus() -> Vec<Schema> {
    (0..SCHEMA_COUNT)
        .map(|i| generate(i, FIRST_SEED + i as u64))
        .collect()
}

/// Checks a schema with the compiler's front end, reading its files from memory. Any
/// diagnostic, warning included, is a failure: the generator only writes what compiles clean.
pub fn check(schema: &Schema) -> Result<(), String> {
    let mut loader = ipcc::MemoryLoader::default();
    for (file, text) in &schema.files {
        loader = loader.with(format!("{}/{file}", schema.name), text.clone());
    }
    let root = PathBuf::from(format!("{}/{ROOT_FILE}", schema.name));
    let checked = ipcc::check_with(&[root], &mut loader);
    if checked.diagnostics.is_empty() && checked.ir.is_some() {
        Ok(())
    } else {
        Err(format!(
            "schema `{}` (seed {:#x}) is not accepted cleanly:\n{}",
            schema.name,
            schema.seed,
            ipcc::diagnostics::render(&checked.diagnostics, &checked.sources, false)
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// Names

/// Declaration names that shadow what generated code uses: Rust's prelude and std, the runtime's
/// items, serde, TypeScript's globals and type keywords. None is an IDL keyword or built-in.
const TYPE_NAMES: &[&str] = &[
    "Result",
    "Option",
    "Box",
    "String",
    "Vec",
    "HashMap",
    "BTreeMap",
    "Some",
    "None",
    "Ok",
    "Err",
    "Self",
    "self",
    "Sized",
    "Send",
    "Sync",
    "Clone",
    "Debug",
    "Default",
    "Serialize",
    "Deserialize",
    "Future",
    "Stream",
    "Pin",
    "Arc",
    "Iterator",
    "Into",
    "From",
    "Fn",
    "Drop",
    "Copy",
    "PartialEq",
    "Eq",
    "Hash",
    "Ord",
    "IpcError",
    "CallContext",
    "IpcHost",
    "IpcConnection",
    "ItemStream",
    "Registration",
    "ChannelSpec",
    "Codec",
    "DeclaredError",
    "IpcHandler",
    "Map",
    "Array",
    "Uint8Array",
    "Error",
    "Object",
    "Symbol",
    "Record",
    "Partial",
    "Readonly",
    "BigInt",
    "Number",
    "Boolean",
    "Date",
    "JSON",
    "Math",
    "Iterable",
    "AsyncIterator",
    "PromiseLike",
    "undefined",
    "any",
    "unknown",
    "never",
    "object",
    "symbol",
    "bigint",
    "std",
    "core",
    "alloc",
    "serde",
    "ipcc_runtime",
    "rt",
    "crate",
    "super",
    "fn",
    "match",
    "async",
    "await",
    "loop",
    "dyn",
    "impl",
    "delete",
    "new",
    "class",
    "function",
    "constructor",
    "__proto__",
    "toString",
    "prototype",
    "H",
    "L",
    "T",
    "E",
    "Item",
    "_",
    "IpccHandler",
    "IpccListener",
    "Person",
    "Shape",
    "Node",
    "Event",
    "Payload",
    "Config",
];

/// Member names (fields, parameters, methods, events, variants): keywords of both languages
/// and names generated code uses for its own locals and members.
const MEMBER_NAMES: &[&str] = &[
    "type",
    "match",
    "fn",
    "async",
    "await",
    "loop",
    "self",
    "Self",
    "super",
    "crate",
    "move",
    "ref",
    "mut",
    "dyn",
    "impl",
    "where",
    "unsafe",
    "use",
    "mod",
    "pub",
    "static",
    "struct",
    "enum",
    "trait",
    "let",
    "if",
    "else",
    "for",
    "while",
    "in",
    "return",
    "break",
    "continue",
    "as",
    "extern",
    "true",
    "false",
    "const",
    "box",
    "yield",
    "macro",
    "try",
    "gen",
    "abstract",
    "become",
    "do",
    "final",
    "override",
    "priv",
    "typeof",
    "unsized",
    "virtual",
    "delete",
    "new",
    "class",
    "function",
    "var",
    "void",
    "instanceof",
    "this",
    "null",
    "undefined",
    "default",
    "export",
    "import",
    "package",
    "interface",
    "private",
    "protected",
    "public",
    "with",
    "switch",
    "case",
    "debugger",
    "throw",
    "catch",
    "finally",
    "extends",
    "implements",
    "constructor",
    "__proto__",
    "toString",
    "valueOf",
    "hasOwnProperty",
    "kind",
    "ctx",
    "args",
    "handler",
    "value",
    "method",
    "error",
    "conn",
    "options",
    "connection",
    "host",
    "listener",
    "target",
    "all",
    "to",
    "withOptions",
    "result",
    "channelName",
    "registerOn",
    "prototype",
    "name",
    "length",
    "call",
    "apply",
    "bind",
    "arguments",
    "eval",
    "Result",
    "Option",
    "Some",
    "None",
    "Ok",
    "Err",
    "std",
    "core",
    "alloc",
    "serde",
    "ipcc_runtime",
    "_",
    "_0",
    "__",
    "stream",
    "items",
    "input",
    "output",
    "id",
    "data",
    "then",
    "Promise",
    "Map",
    "Array",
    "Uint8Array",
    "Error",
    "Object",
    "Symbol",
    "String",
    "Vec",
    "Box",
    "HashMap",
    "request",
    "response",
    "signal",
    "abort",
    "next",
    "done",
    "return_",
    "from",
    "a__b",
    "trailing_",
    "_leading",
    "__dunder__",
    "HTTPServer",
    "getV2Data",
    "x1",
];

/// Package names of the imported file: crate and module names generated code refers to.
const DEP_PACKAGES: &[&str] = &[
    "std",
    "core",
    "alloc",
    "serde",
    "ipcc_runtime",
    "serde_json",
    "futures",
    "tokio",
    "super.types",
    "self.deps",
    "crate.common",
    "async.await",
    "Result.Option",
    "acme.people",
    "fn.match.loop",
    "rt",
    "std.collections",
];

/// Package names of the root file (`None`: no package).
const ROOT_PACKAGES: &[Option<&str>] = &[
    None,
    Some("app"),
    Some("acme"),
    Some("std.app"),
    Some("Self"),
    Some("dyn.impl"),
    Some("ipcc_runtime.codegen"),
];

/// Doc lines that are awkward in rustdoc, TSDoc or a template.
const DOC_LINES: &[&str] = &[
    "Plain words.",
    "Ends a block comment */ and opens one /*",
    "Backticks `code`, <b>html</b> & entities &amp;",
    "Handlebars {{name}} and {{{raw}}} and {{> partial}}",
    "Quotes \" ' and a backslash \\ and \\n",
    "Unicode: é, ß, 日本語, 😀",
    "@deprecated in a doc line, @param x, @returns y",
    "#[doc = \"not an attribute\"]",
    "```rust\nfn not_compiled() {}\n```",
    "${template} and `${literal}`",
    "",
];

/// Strings for string consts (as IDL literals) and for sample values (as text).
const STRINGS: &[&str] = &[
    "",
    "plain",
    "tab:\t",
    "quote\"",
    "back\\slash",
    "new\nline",
    "é😀",
    "*/",
    "${x}",
    "{{x}}",
    "\u{0}nul",
    "\r\n",
];

// ---------------------------------------------------------------------------------------------
// The model the generator builds before printing it

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Prim {
    Bool,
    Boolean,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F32,
    F64,
    Number,
    Str,
    Bytes,
}

const PRIMS: &[Prim] = &[
    Prim::Bool,
    Prim::Boolean,
    Prim::I8,
    Prim::I16,
    Prim::I32,
    Prim::I64,
    Prim::U8,
    Prim::U16,
    Prim::U32,
    Prim::U64,
    Prim::F32,
    Prim::F64,
    Prim::Number,
    Prim::Str,
    Prim::Bytes,
];

const KEY_PRIMS: &[Prim] = &[
    Prim::Str,
    Prim::I8,
    Prim::I16,
    Prim::I32,
    Prim::I64,
    Prim::U8,
    Prim::U16,
    Prim::U32,
    Prim::U64,
];

impl Prim {
    fn idl(self) -> &'static str {
        match self {
            Prim::Bool => "bool",
            Prim::Boolean => "boolean",
            Prim::I8 => "i8",
            Prim::I16 => "i16",
            Prim::I32 => "i32",
            Prim::I64 => "i64",
            Prim::U8 => "u8",
            Prim::U16 => "u16",
            Prim::U32 => "u32",
            Prim::U64 => "u64",
            Prim::F32 => "f32",
            Prim::F64 => "f64",
            Prim::Number => "number",
            Prim::Str => "string",
            Prim::Bytes => "bytes",
        }
    }
}

/// A type use.
#[derive(Clone, Debug)]
enum Ty {
    Prim(Prim),
    /// A declared type: file (0 root, 1 imported) and index in that file's types.
    Named(usize, usize),
    Array(Box<Ty>),
    Optional(Box<Ty>),
    Map(Prim, Box<Ty>),
}

#[derive(Clone, Default)]
struct Meta {
    docs: Vec<String>,
    deprecated: Option<Option<String>>,
    since: Option<String>,
}

struct Field {
    name: String,
    meta: Meta,
    /// `name?: T`.
    optional: bool,
    ty: Ty,
}

struct Variant {
    name: String,
    meta: Meta,
    /// `None`: a unit variant.
    fields: Option<Vec<Field>>,
}

enum TypeKind {
    Struct(Vec<Field>),
    Enum(Vec<(String, Meta)>),
    Union(Vec<Variant>),
    Alias(Ty),
}

struct TypeDecl {
    name: String,
    meta: Meta,
    kind: TypeKind,
}

struct Param {
    name: String,
    optional: bool,
    stream: bool,
    ty: Ty,
}

enum MethodResult {
    Void,
    Value(Ty),
    Stream(Ty),
}

struct Method {
    name: String,
    meta: Meta,
    params: Vec<Param>,
    result: MethodResult,
    throws: Option<(usize, usize)>,
}

enum Channel {
    Literal(String),
    /// A string const: file and name.
    Const(usize, String),
}

struct ChannelBlock {
    name: String,
    meta: Meta,
    channel: Channel,
    /// Interface methods, or events (no result, no streams) of a notifications block.
    members: Vec<Method>,
    notifications: bool,
}

struct ConstDecl {
    name: String,
    meta: Meta,
    /// The literal as written in IDL.
    literal: String,
    is_string: bool,
}

struct File {
    package: Option<String>,
    consts: Vec<ConstDecl>,
    types: Vec<TypeDecl>,
    blocks: Vec<ChannelBlock>,
    /// Declaration names taken in this file's package (by [`name_key`]).
    taken: BTreeSet<String>,
}

/// Two names that differ only in case or underscores may collide once cased for Rust or
/// TypeScript (E0117, E0118); the generator never writes two with one key.
fn name_key(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

struct Generator {
    rng: StdRng,
    index: usize,
    files: Vec<File>,
    channels: usize,
}

/// Generates schema `index` from `seed`.
pub fn generate(index: usize, seed: u64) -> Schema {
    let mut g = Generator {
        rng: StdRng::seed_from_u64(seed),
        index,
        files: Vec::new(),
        channels: 0,
    };
    let root_package = *ROOT_PACKAGES.choose(&mut g.rng).expect("non-empty");
    let dep_package = loop {
        let candidate = *DEP_PACKAGES.choose(&mut g.rng).expect("non-empty");
        let same_module = root_package.is_some_and(|root| {
            ipcc::ident::rust_module_path(root) == ipcc::ident::rust_module_path(candidate)
        });
        if !same_module {
            break candidate;
        }
    };
    // The imported file first: the root's declarations refer to its types.
    g.files.push(File::new(Some(dep_package.to_string())));
    g.files.push(File::new(root_package.map(str::to_string)));
    g.fill_file(1, false);
    g.fill_file(0, true);
    // Index 0 is the root in `Ty::Named`; the imported file was filled as file 0 before the
    // root existed, so swap to the documented order (root 0, imported 1).
    g.files.swap(0, 1);
    g.swap_file_indices();

    let name = format!("schema_{index:02}");
    let mut samples = Vec::new();
    for file in [0, 1] {
        for t in 0..g.files[file].types.len() {
            // An alias is a Rust `type` alias: its wire adapters are applied where it is used
            // (fields, arguments), not by the target type's own serde; so it is sampled there.
            if matches!(g.files[file].types[t].kind, TypeKind::Alias(_)) {
                continue;
            }
            let mut rng = StdRng::seed_from_u64(seed ^ ((file as u64) << 32) ^ t as u64);
            let value = g.sample(&Ty::Named(file, t), 0, &mut rng);
            samples.push(Sample {
                idl_name: g.type_ref(&Ty::Named(file, t), 0),
                rust_path: g.rust_path(file, t),
                json: serde_json::to_string(&value).expect("a JSON value prints"),
            });
        }
    }
    Schema {
        name,
        seed,
        files: vec![
            (ROOT_FILE.to_string(), g.print_file(0)),
            (DEP_FILE.to_string(), g.print_file(1)),
        ],
        samples,
    }
}

impl File {
    fn new(package: Option<String>) -> File {
        File {
            package,
            consts: Vec::new(),
            types: Vec::new(),
            blocks: Vec::new(),
            taken: BTreeSet::new(),
        }
    }
}

impl Generator {
    fn chance(&mut self, percent: u32) -> bool {
        self.rng.gen_range(0..100) < percent
    }

    /// A fresh declaration name in file `file`'s package.
    fn decl_name(&mut self, file: usize, prefer: Option<String>) -> String {
        if let Some(name) = prefer {
            let key = name_key(&name);
            if !self.files[file].taken.contains(&key) {
                self.files[file].taken.insert(key);
                return name;
            }
        }
        loop {
            let name = if self.chance(70) {
                TYPE_NAMES
                    .choose(&mut self.rng)
                    .expect("non-empty")
                    .to_string()
            } else {
                format!("T{}", self.rng.gen_range(0..10_000))
            };
            let key = name_key(&name);
            if self.files[file].taken.insert(key) {
                return name;
            }
        }
    }

    /// `count` member names, distinct by [`name_key`], none in `forbidden`.
    fn member_names(&mut self, count: usize, forbidden: &[&str]) -> Vec<String> {
        let mut keys = BTreeSet::new();
        let mut names = Vec::new();
        while names.len() < count {
            let name = if self.chance(60) {
                MEMBER_NAMES
                    .choose(&mut self.rng)
                    .expect("non-empty")
                    .to_string()
            } else {
                format!("m{}", self.rng.gen_range(0..100_000))
            };
            if forbidden.contains(&name.as_str()) {
                continue;
            }
            if keys.insert(name_key(&name)) {
                names.push(name);
            }
        }
        names
    }

    fn meta(&mut self, since_allowed: bool) -> Meta {
        let mut meta = Meta::default();
        if self.chance(30) {
            let lines = self.rng.gen_range(1..4);
            for _ in 0..lines {
                let line = DOC_LINES.choose(&mut self.rng).expect("non-empty");
                meta.docs.extend(line.split('\n').map(str::to_string));
            }
        }
        if self.chance(10) {
            meta.deprecated = Some(if self.chance(50) {
                Some(
                    ["use another", "gone */ soon", "quote \\\" and {{x}}"]
                        .choose(&mut self.rng)
                        .expect("non-empty")
                        .to_string(),
                )
            } else {
                None
            });
        }
        if since_allowed && self.chance(10) {
            meta.since = Some(format!("1.{}", self.rng.gen_range(0..20)));
        }
        meta
    }

    /// Whether a type use is optional once aliases are followed (`T?` of `T?` is an error).
    fn is_optional(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Optional(_) => true,
            Ty::Named(file, index) => match &self.files[*file].types[*index].kind {
                TypeKind::Alias(target) => self.is_optional(target),
                _ => false,
            },
            _ => false,
        }
    }

    /// A value type for a new declaration in `file`: built from primitives and the types
    /// declared before it (so every type is finite), nested at most `depth` more levels.
    fn value_type(&mut self, file: usize, depth: u32) -> Ty {
        let roll = self.rng.gen_range(0..100);
        if depth == 0 || roll < 35 {
            return self.leaf_type(file);
        }
        let inner = self.value_type(file, depth - 1);
        match roll {
            35..=59 => Ty::Array(Box::new(inner)),
            60..=79 => {
                if self.is_optional(&inner) {
                    Ty::Array(Box::new(inner))
                } else {
                    Ty::Optional(Box::new(inner))
                }
            }
            _ => {
                let key = *KEY_PRIMS.choose(&mut self.rng).expect("non-empty");
                Ty::Map(key, Box::new(inner))
            }
        }
    }

    /// A primitive, or a type declared before (in this file, or in the imported one).
    fn leaf_type(&mut self, file: usize) -> Ty {
        let mut candidates: Vec<(usize, usize)> = (0..self.files[file].types.len())
            .map(|t| (file, t))
            .collect();
        if file == 1 {
            // The root (built second, as file 1) also reaches the imported file's types.
            candidates.extend((0..self.files[0].types.len()).map(|t| (0, t)));
        }
        if !candidates.is_empty() && self.chance(55) {
            let (f, t) = *candidates.choose(&mut self.rng).expect("non-empty");
            Ty::Named(f, t)
        } else {
            Ty::Prim(*PRIMS.choose(&mut self.rng).expect("non-empty"))
        }
    }

    fn fields(&mut self, file: usize, count: usize, forbidden: &[&str], depth: u32) -> Vec<Field> {
        let names = self.member_names(count, forbidden);
        names
            .into_iter()
            .map(|name| {
                let ty = self.value_type(file, depth);
                let optional = !self.is_optional(&ty) && self.chance(20);
                Field {
                    name,
                    meta: self.meta(true),
                    optional,
                    ty,
                }
            })
            .collect()
    }

    fn fill_file(&mut self, file: usize, is_root: bool) {
        let is_root_schema0 = is_root && self.index == 0;
        // Consts, some of which name channels.
        for _ in 0..self.rng.gen_range(1..5) {
            let name = self.decl_name(file, None);
            let (literal, is_string) = self.const_literal();
            let meta = self.meta(true);
            self.files[file].consts.push(ConstDecl {
                name,
                meta,
                literal,
                is_string,
            });
        }
        // A chain of structs each holding the previous one by value, kept below W0102's depth
        // (each link costs two levels: the struct and the optional).
        let chain = self.rng.gen_range(2..if is_root { 24 } else { 12 });
        for link in 0..chain {
            let name = self.decl_name(file, Some(format!("Link{link}")));
            let count = self.rng.gen_range(0..3);
            let mut fields = self.fields(file, count, &[], 1);
            if link > 0 {
                let prev = self.files[file].types.len() - 1;
                let prev_name = "prev".to_string();
                fields.retain(|f| name_key(&f.name) != name_key(&prev_name));
                fields.push(Field {
                    name: prev_name,
                    meta: Meta::default(),
                    optional: self.chance(50),
                    ty: Ty::Named(file, prev),
                });
            }
            self.push_type(file, name, TypeKind::Struct(fields));
        }
        for _ in 0..self.rng.gen_range(4..10) {
            let name = self.decl_name(file, None);
            let kind = match self.rng.gen_range(0..100) {
                0..=39 => {
                    let wide = if is_root_schema0 && self.files[file].types.len() == chain {
                        1000
                    } else if self.chance(5) {
                        self.rng.gen_range(20..60)
                    } else {
                        self.rng.gen_range(0..7)
                    };
                    TypeKind::Struct(self.fields(file, wide, &[], 4))
                }
                40..=59 => {
                    let count = if self.chance(5) {
                        self.rng.gen_range(50..150)
                    } else {
                        self.rng.gen_range(1..8)
                    };
                    let names = self.member_names(count, &[]);
                    TypeKind::Enum(
                        names
                            .into_iter()
                            .map(|n| {
                                let meta = self.meta(false);
                                (n, meta)
                            })
                            .collect(),
                    )
                }
                60..=84 => {
                    let count = if self.chance(5) {
                        self.rng.gen_range(20..60)
                    } else {
                        self.rng.gen_range(1..7)
                    };
                    let names = self.member_names(count, &[]);
                    let variants = names
                        .into_iter()
                        .map(|n| {
                            let fields = if self.chance(40) {
                                None
                            } else {
                                let count = self.rng.gen_range(0..4);
                                Some(self.fields(file, count, &["kind"], 3))
                            };
                            Variant {
                                name: n,
                                meta: self.meta(false),
                                fields,
                            }
                        })
                        .collect();
                    TypeKind::Union(variants)
                }
                _ => TypeKind::Alias(self.value_type(file, 3)),
            };
            self.push_type(file, name, kind);
        }
        self.recursive_types(file);
        // Interfaces and notifications blocks.
        for _ in 0..self.rng.gen_range(1..4) {
            let block = self.channel_block(file, false);
            self.files[file].blocks.push(block);
        }
        for _ in 0..self.rng.gen_range(0..3) {
            let block = self.channel_block(file, true);
            self.files[file].blocks.push(block);
        }
        // Declarations named like what the generators derive from a channel block's name.
        let blocks: Vec<(String, bool)> = self.files[file]
            .blocks
            .iter()
            .map(|b| (b.name.clone(), b.notifications))
            .collect();
        for (block, notifications) in blocks {
            if !self.chance(60) {
                continue;
            }
            let upper = ipcc::ident::pascal_case(&block);
            let lower = ipcc::ident::camel_case(&block);
            let shouty = ipcc::ident::shouty_snake_case(&block);
            let type_suffixes: &[&str] = if notifications {
                &["Sender", "Listener", "Codec", "Descriptor"]
            } else {
                &["Client", "Dispatch", "Handler", "Impl", "Descriptor"]
            };
            let suffix = type_suffixes.choose(&mut self.rng).expect("non-empty");
            let name = self.decl_name(file, Some(format!("{upper}{suffix}")));
            if name.ends_with(suffix) {
                self.push_type(file, name, TypeKind::Struct(Vec::new()));
            }
            let const_names = [
                format!("{shouty}_CHANNEL"),
                format!("{shouty}_SPEC"),
                format!("{shouty}_SCHEMA_HASH"),
                format!("{lower}Channel"),
                format!("{lower}Descriptor"),
                format!("{lower}Client"),
                format!("register{upper}"),
                format!("call{upper}"),
                format!("listen{upper}"),
                "IPCC_WIRE_SCHEMAS".to_string(),
            ];
            let preferred = const_names
                .choose(&mut self.rng)
                .expect("non-empty")
                .clone();
            let name = self.decl_name(file, Some(preferred.clone()));
            if name == preferred {
                let (literal, is_string) = self.const_literal();
                self.files[file].consts.push(ConstDecl {
                    name,
                    meta: Meta::default(),
                    literal,
                    is_string,
                });
            }
        }
    }

    fn push_type(&mut self, file: usize, name: String, kind: TypeKind) {
        let meta = self.meta(true);
        self.files[file].types.push(TypeDecl { name, meta, kind });
    }

    /// Types that refer to themselves through an optional, an array, a map, or a union
    /// variant (with a first variant that does not), and a pair that refer to each other.
    fn recursive_types(&mut self, file: usize) {
        let here = self.files[file].types.len();
        let name = self.decl_name(file, None);
        let leaf = self.value_type(file, 1);
        let [a, b, c] = <[String; 3]>::try_from(self.member_names(3, &[])).expect("three names");
        let fields = vec![
            Field {
                name: a,
                meta: Meta::default(),
                optional: false,
                ty: leaf,
            },
            Field {
                name: b,
                meta: Meta::default(),
                optional: false,
                ty: Ty::Array(Box::new(Ty::Named(file, here))),
            },
            Field {
                name: c,
                meta: Meta::default(),
                optional: false,
                ty: if self.chance(50) {
                    Ty::Optional(Box::new(Ty::Named(file, here)))
                } else {
                    Ty::Map(Prim::Str, Box::new(Ty::Named(file, here)))
                },
            },
        ];
        self.push_type(file, name, TypeKind::Struct(fields));

        // union Expr { lit { v: i64; } add { l: Expr; r: Expr; } neg { e: Expr; } }
        let here = self.files[file].types.len();
        let name = self.decl_name(file, None);
        let names = self.member_names(3, &[]);
        let field_names = self.member_names(3, &["kind"]);
        let variants = vec![
            Variant {
                name: names[0].clone(),
                meta: Meta::default(),
                fields: Some(vec![Field {
                    name: field_names[0].clone(),
                    meta: Meta::default(),
                    optional: false,
                    ty: Ty::Prim(Prim::I64),
                }]),
            },
            Variant {
                name: names[1].clone(),
                meta: Meta::default(),
                fields: Some(vec![
                    Field {
                        name: field_names[1].clone(),
                        meta: Meta::default(),
                        optional: false,
                        ty: Ty::Named(file, here),
                    },
                    Field {
                        name: field_names[2].clone(),
                        meta: Meta::default(),
                        optional: false,
                        ty: Ty::Named(file, here),
                    },
                ]),
            },
            Variant {
                name: names[2].clone(),
                meta: Meta::default(),
                fields: None,
            },
        ];
        self.push_type(file, name, TypeKind::Union(variants));

        // struct A { b?: B; } struct B { a: A; }
        let first = self.files[file].types.len();
        let a_name = self.decl_name(file, None);
        let b_name = self.decl_name(file, None);
        let names = self.member_names(2, &[]);
        self.push_type(
            file,
            a_name,
            TypeKind::Struct(vec![Field {
                name: names[0].clone(),
                meta: Meta::default(),
                optional: true,
                ty: Ty::Named(file, first + 1),
            }]),
        );
        self.push_type(
            file,
            b_name,
            TypeKind::Struct(vec![Field {
                name: names[1].clone(),
                meta: Meta::default(),
                optional: false,
                ty: Ty::Named(file, first),
            }]),
        );
    }

    fn const_literal(&mut self) -> (String, bool) {
        match self.rng.gen_range(0..4) {
            0 => {
                let text = STRINGS.choose(&mut self.rng).expect("non-empty");
                (idl_string(text), true)
            }
            1 => {
                let value = *[
                    "0",
                    "42",
                    "-7",
                    "9223372036854775807",
                    "-9223372036854775808",
                    "4294967296",
                ]
                .choose(&mut self.rng)
                .expect("non-empty");
                (value.to_string(), false)
            }
            2 => {
                let value = *["0.5", "-1.25", "1e-3", "6.02E23", "1.7976931348623157e308"]
                    .choose(&mut self.rng)
                    .expect("non-empty");
                (value.to_string(), false)
            }
            _ => (
                (if self.chance(50) { "true" } else { "false" }).to_string(),
                false,
            ),
        }
    }

    /// Declared types usable after `throws`: structs, enums, unions of either file.
    fn throwable(&mut self, file: usize) -> Option<(usize, usize)> {
        let mut candidates = Vec::new();
        let files: &[usize] = if file == 1 { &[0, 1] } else { &[0] };
        for &f in files {
            for (t, decl) in self.files[f].types.iter().enumerate() {
                if !matches!(decl.kind, TypeKind::Alias(_)) {
                    candidates.push((f, t));
                }
            }
        }
        candidates.choose(&mut self.rng).copied()
    }

    fn channel_block(&mut self, file: usize, notifications: bool) -> ChannelBlock {
        let name = self.decl_name(file, None);
        self.channels += 1;
        let channel_name = format!("random-{}-{}-v1", self.index, self.channels);
        // A channel named by a string const (of this file, or of the imported one) or a literal.
        let channel = if self.chance(40) {
            let const_name = self.decl_name(file, None);
            self.files[file].consts.push(ConstDecl {
                name: const_name.clone(),
                meta: Meta::default(),
                literal: idl_string(&channel_name),
                is_string: true,
            });
            Channel::Const(file, const_name)
        } else if file == 1 && self.chance(30) {
            // A channel const declared in the imported file, named qualified from the root.
            let const_name = self.decl_name(0, None);
            self.files[0].consts.push(ConstDecl {
                name: const_name.clone(),
                meta: Meta::default(),
                literal: idl_string(&channel_name),
                is_string: true,
            });
            Channel::Const(0, const_name)
        } else {
            Channel::Literal(channel_name)
        };
        let count = if self.chance(5) {
            self.rng.gen_range(10..25)
        } else {
            self.rng.gen_range(0..7)
        };
        let forbidden: &[&str] = if notifications { &[] } else { &["then"] };
        let names = self.member_names(count, forbidden);
        let members = names
            .into_iter()
            .map(|name| self.method(file, name, notifications))
            .collect();
        let meta = self.meta(true);
        ChannelBlock {
            name,
            meta,
            channel,
            members,
            notifications,
        }
    }

    fn method(&mut self, file: usize, name: String, notification: bool) -> Method {
        let count = if self.chance(10) {
            self.rng.gen_range(8..12)
        } else {
            self.rng.gen_range(0..5)
        };
        let names = self.member_names(count, &[]);
        let stream_at =
            (!notification && count > 0 && self.chance(25)).then(|| self.rng.gen_range(0..count));
        let first_optional = if self.chance(40) {
            self.rng.gen_range(0..=count)
        } else {
            count
        };
        let params = names
            .into_iter()
            .enumerate()
            .map(|(i, name)| {
                let stream = stream_at == Some(i);
                let ty = self.value_type(file, 3);
                // Optional parameters come last; a stream is never optional, and a `T?` is
                // not made optional twice.
                let optional = !stream && i >= first_optional && stream_at.is_none_or(|s| s < i);
                let optional = optional && !self.is_optional(&ty);
                Param {
                    name,
                    optional,
                    stream,
                    ty,
                }
            })
            .collect::<Vec<_>>();
        let mut params = params;
        // Optional parameters come last: none before the last required (or streaming) one.
        let last_required = params.iter().rposition(|p| !p.optional);
        if let Some(last) = last_required {
            for p in &mut params[..last] {
                p.optional = false;
            }
        }
        let (result, throws) = if notification {
            (MethodResult::Void, None)
        } else {
            let result = match self.rng.gen_range(0..10) {
                0..=2 => MethodResult::Void,
                3..=7 => MethodResult::Value(self.value_type(file, 3)),
                _ => MethodResult::Stream(self.value_type(file, 2)),
            };
            let throws = if self.chance(35) {
                self.throwable(file)
            } else {
                None
            };
            (result, throws)
        };
        Method {
            name,
            meta: self.meta(true),
            params,
            result,
            throws,
        }
    }

    /// After the imported file was built as file 0 and the root as file 1, `files` is
    /// swapped; this renumbers every `Ty::Named` and const reference to match.
    fn swap_file_indices(&mut self) {
        fn swap_ty(ty: &mut Ty) {
            match ty {
                Ty::Named(file, _) => *file = 1 - *file,
                Ty::Array(inner) | Ty::Optional(inner) | Ty::Map(_, inner) => swap_ty(inner),
                Ty::Prim(_) => {}
            }
        }
        fn swap_fields(fields: &mut [Field]) {
            for f in fields {
                swap_ty(&mut f.ty);
            }
        }
        for file in &mut self.files {
            for t in &mut file.types {
                match &mut t.kind {
                    TypeKind::Struct(fields) => swap_fields(fields),
                    TypeKind::Enum(_) => {}
                    TypeKind::Union(variants) => {
                        for v in variants {
                            if let Some(fields) = &mut v.fields {
                                swap_fields(fields);
                            }
                        }
                    }
                    TypeKind::Alias(ty) => swap_ty(ty),
                }
            }
            for b in &mut file.blocks {
                if let Channel::Const(f, _) = &mut b.channel {
                    *f = 1 - *f;
                }
                for m in &mut b.members {
                    for p in &mut m.params {
                        swap_ty(&mut p.ty);
                    }
                    match &mut m.result {
                        MethodResult::Value(ty) | MethodResult::Stream(ty) => swap_ty(ty),
                        MethodResult::Void => {}
                    }
                    if let Some((f, _)) = &mut m.throws {
                        *f = 1 - *f;
                    }
                }
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Printing

    /// A reference to a type from file `from`: qualified when it is declared in the other
    /// file (which has a package), sometimes qualified within the file's own package too.
    fn type_ref(&self, ty: &Ty, from: usize) -> String {
        match ty {
            Ty::Prim(p) => p.idl().to_string(),
            Ty::Named(file, index) => {
                let decl = &self.files[*file].types[*index];
                match &self.files[*file].package {
                    Some(package) if *file != from || decl.name.starts_with(['L', 'E']) => {
                        format!("{package}.{}", decl.name)
                    }
                    _ => decl.name.clone(),
                }
            }
            Ty::Array(inner) => format!("{}[]", self.type_ref(inner, from)),
            Ty::Optional(inner) => format!("{}?", self.type_ref(inner, from)),
            Ty::Map(key, value) => format!("map<{}, {}>", key.idl(), self.type_ref(value, from)),
        }
    }

    fn print_meta(out: &mut String, meta: &Meta, indent: &str) {
        for line in &meta.docs {
            if line.is_empty() {
                let _ = writeln!(out, "{indent}///");
            } else {
                let _ = writeln!(out, "{indent}/// {line}");
            }
        }
        match &meta.deprecated {
            Some(Some(note)) => {
                let _ = writeln!(out, "{indent}@deprecated(\"{note}\")");
            }
            Some(None) => {
                let _ = writeln!(out, "{indent}@deprecated");
            }
            None => {}
        }
        if let Some(since) = &meta.since {
            let _ = writeln!(out, "{indent}@since(\"{since}\")");
        }
    }

    fn print_fields(&self, out: &mut String, fields: &[Field], from: usize, indent: &str) {
        for f in fields {
            Self::print_meta(out, &f.meta, indent);
            let _ = writeln!(
                out,
                "{indent}{}{}: {};",
                f.name,
                if f.optional { "?" } else { "" },
                self.type_ref(&f.ty, from)
            );
        }
    }

    fn print_file(&self, file: usize) -> String {
        let f = &self.files[file];
        let mut out = String::new();
        let _ = writeln!(
            out,
            "// Generated by ipcc-random-schemas (seeded; see tests/random-schemas). Valid by construction."
        );
        if let Some(package) = &f.package {
            let _ = writeln!(out, "package {package};");
        }
        if file == 0 {
            let _ = writeln!(out, "import \"./{DEP_FILE}\";");
        }
        out.push('\n');
        for c in &f.consts {
            Self::print_meta(&mut out, &c.meta, "");
            let _ = writeln!(out, "const {} = {};", c.name, c.literal);
        }
        debug_assert!(f
            .consts
            .iter()
            .all(|c| c.is_string || !c.literal.starts_with('"')));
        for t in &f.types {
            out.push('\n');
            Self::print_meta(&mut out, &t.meta, "");
            match &t.kind {
                TypeKind::Struct(fields) => {
                    let _ = writeln!(out, "struct {} {{", t.name);
                    self.print_fields(&mut out, fields, file, "  ");
                    out.push_str("}\n");
                }
                TypeKind::Enum(variants) => {
                    let _ = writeln!(out, "enum {} {{", t.name);
                    for (name, meta) in variants {
                        Self::print_meta(&mut out, meta, "  ");
                        let _ = writeln!(out, "  {name},");
                    }
                    out.push_str("}\n");
                }
                TypeKind::Union(variants) => {
                    let _ = writeln!(out, "union {} {{", t.name);
                    for v in variants {
                        Self::print_meta(&mut out, &v.meta, "  ");
                        match &v.fields {
                            None => {
                                let _ = writeln!(out, "  {}", v.name);
                            }
                            Some(fields) => {
                                let _ = writeln!(out, "  {} {{", v.name);
                                self.print_fields(&mut out, fields, file, "    ");
                                out.push_str("  }\n");
                            }
                        }
                    }
                    out.push_str("}\n");
                }
                TypeKind::Alias(target) => {
                    let _ = writeln!(out, "type {} = {};", t.name, self.type_ref(target, file));
                }
            }
        }
        for b in &f.blocks {
            out.push('\n');
            Self::print_meta(&mut out, &b.meta, "");
            let channel = match &b.channel {
                Channel::Literal(name) => idl_string(name),
                Channel::Const(cf, name) if *cf == file => name.clone(),
                Channel::Const(cf, name) => format!(
                    "{}.{name}",
                    self.files[*cf]
                        .package
                        .as_deref()
                        .expect("the imported file has a package")
                ),
            };
            let _ = writeln!(out, "@channel({channel})");
            let keyword = if b.notifications {
                "notifications"
            } else {
                "interface"
            };
            let _ = writeln!(out, "{keyword} {} {{", b.name);
            for m in &b.members {
                Self::print_meta(&mut out, &m.meta, "  ");
                let params: Vec<String> = m
                    .params
                    .iter()
                    .map(|p| {
                        let ty = self.type_ref(&p.ty, file);
                        let ty = if p.stream {
                            format!("AsyncIterable<{ty}>")
                        } else {
                            ty
                        };
                        format!("{}{}: {ty}", p.name, if p.optional { "?" } else { "" })
                    })
                    .collect();
                let _ = write!(out, "  {}({})", m.name, params.join(", "));
                if !b.notifications {
                    match &m.result {
                        MethodResult::Void => out.push_str(": Promise<void>"),
                        MethodResult::Value(ty) => {
                            let _ = write!(out, ": Promise<{}>", self.type_ref(ty, file));
                        }
                        MethodResult::Stream(ty) => {
                            let _ = write!(out, ": AsyncIterable<{}>", self.type_ref(ty, file));
                        }
                    }
                    if let Some((tf, t)) = m.throws {
                        let _ = write!(out, " throws {}", self.type_ref(&Ty::Named(tf, t), file));
                    }
                }
                out.push_str(";\n");
            }
            out.push_str("}\n");
        }
        out
    }

    /// The path of a type in the root's generated Rust file.
    fn rust_path(&self, file: usize, index: usize) -> String {
        let name = ipcc::ident::rust_ident(&ipcc::ident::pascal_case(
            &self.files[file].types[index].name,
        ));
        let root_package = self.files[0].package.as_deref();
        match self.files[file].package.as_deref() {
            Some(package) if Some(package) != root_package => {
                let mut path = ipcc::ident::rust_module_path(package);
                path.push(name);
                path.join("::")
            }
            _ => name,
        }
    }

    // -----------------------------------------------------------------------------------------
    // Sample values

    /// A wire value of `ty` (docs/language.md, "Type mapping"); past a small depth, the
    /// smallest value (empty, absent, the first union variant, which never recurses).
    fn sample(&self, ty: &Ty, depth: u32, rng: &mut StdRng) -> serde_json::Value {
        use serde_json::Value;
        let small = depth >= 4;
        match ty {
            Ty::Prim(p) => sample_prim(*p, rng),
            Ty::Array(inner) => {
                let n = if small { 0 } else { rng.gen_range(0..3) };
                Value::Array((0..n).map(|_| self.sample(inner, depth + 1, rng)).collect())
            }
            Ty::Optional(inner) => {
                if small || rng.gen_range(0..3) == 0 {
                    Value::Null
                } else {
                    self.sample(inner, depth + 1, rng)
                }
            }
            Ty::Map(key, value) => {
                let n = if small { 0 } else { rng.gen_range(0..3) };
                let mut map = serde_json::Map::new();
                for _ in 0..n {
                    let key = match sample_prim(*key, rng) {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    map.insert(key, self.sample(value, depth + 1, rng));
                }
                Value::Object(map)
            }
            Ty::Named(file, index) => match &self.files[*file].types[*index].kind {
                TypeKind::Struct(fields) => Value::Object(self.sample_fields(fields, depth, rng)),
                TypeKind::Enum(variants) => {
                    Value::String(variants[rng.gen_range(0..variants.len())].0.clone())
                }
                TypeKind::Union(variants) => {
                    let v = if small {
                        &variants[0]
                    } else {
                        &variants[rng.gen_range(0..variants.len())]
                    };
                    let mut map = match &v.fields {
                        Some(fields) => self.sample_fields(fields, depth, rng),
                        None => serde_json::Map::new(),
                    };
                    map.insert("kind".to_string(), Value::String(v.name.clone()));
                    Value::Object(map)
                }
                TypeKind::Alias(target) => self.sample(target, depth, rng),
            },
        }
    }

    /// A struct's or variant's fields: an empty optional field is absent.
    fn sample_fields(
        &self,
        fields: &[Field],
        depth: u32,
        rng: &mut StdRng,
    ) -> serde_json::Map<String, serde_json::Value> {
        let mut map = serde_json::Map::new();
        for f in fields {
            let value = if f.optional && (depth >= 4 || rng.gen_range(0..3) == 0) {
                serde_json::Value::Null
            } else {
                self.sample(&f.ty, depth + 1, rng)
            };
            if !(value.is_null() && (f.optional || self.is_optional(&f.ty))) {
                map.insert(f.name.clone(), value);
            }
        }
        map
    }
}

fn sample_prim(p: Prim, rng: &mut StdRng) -> serde_json::Value {
    use serde_json::Value;
    match p {
        Prim::Bool | Prim::Boolean => Value::Bool(rng.gen()),
        Prim::I8 => Value::from(rng.gen::<i8>()),
        Prim::I16 => Value::from(rng.gen::<i16>()),
        Prim::I32 => Value::from(rng.gen::<i32>()),
        Prim::U8 => Value::from(rng.gen::<u8>()),
        Prim::U16 => Value::from(rng.gen::<u16>()),
        Prim::U32 => Value::from(rng.gen::<u32>()),
        // 64-bit integers travel as decimal strings.
        Prim::I64 => Value::String(
            [i64::MIN, -1, 0, 1, i64::MAX, rng.gen()][rng.gen_range(0..6)].to_string(),
        ),
        Prim::U64 => Value::String([0, 1, u64::MAX, rng.gen()][rng.gen_range(0..4)].to_string()),
        Prim::F32 | Prim::F64 | Prim::Number => {
            // Exact in f32 too; the non-finite values and negative zero travel as strings.
            match rng.gen_range(0..8) {
                0 => Value::String("NaN".into()),
                1 => Value::String("Infinity".into()),
                2 => Value::String("-Infinity".into()),
                3 => Value::String("-0".into()),
                4 => Value::from(0.5),
                5 => Value::from(-1.25),
                6 => Value::from(1024.75),
                _ => Value::from(0.0),
            }
        }
        Prim::Str => Value::String(STRINGS[rng.gen_range(0..STRINGS.len())].to_string()),
        Prim::Bytes => {
            let len = rng.gen_range(0..6);
            let bytes: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
            Value::String(base64(&bytes))
        }
    }
}

/// Standard base64 with padding (RFC 4648 §4), the wire form of `bytes` in JSON.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// An IDL string literal of `text`.
fn idl_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if c.is_ascii() => out.push(c),
            c => {
                let _ = write!(out, "\\u{{{:X}}}", c as u32);
            }
        }
    }
    out.push('"');
    out
}
