//! Unit tests of the IR stage through the whole front end (in-memory sources).

use std::path::PathBuf;

use crate::ir::model::*;
use crate::{check_with, Checked, MemoryLoader};

fn check_one(text: &str) -> Checked {
    let mut loader = MemoryLoader::default().with("main.ipc", text);
    check_with(&[PathBuf::from("main.ipc")], &mut loader)
}

fn ir_of(text: &str) -> Ir {
    let checked = check_one(text);
    match checked.ir {
        Some(ir) => ir,
        None => panic!("unexpected diagnostics: {:#?}", checked.diagnostics),
    }
}

fn codes_of(text: &str) -> Vec<&'static str> {
    check_one(text).diagnostics.iter().map(|d| d.code).collect()
}

const BASE: &str = r#"
/// Docs.
@channel("c-v1")
interface Api {
  get(id: i64, name?: string): Promise<Item> throws Failure;
  put(item: Item): Promise<void>;
}
struct Item { id: i64; tags: string[]; mood: Mood; }
enum Mood { happy, sad }
union Failure { notFound { id: i64; } denied }
"#;

fn hash_of(text: &str) -> String {
    ir_of(text).interfaces[0].schema_hash.clone()
}

#[test]
fn schema_hash_ignores_formatting_comments_docs_and_type_names() {
    let base = hash_of(BASE);
    assert_eq!(base.len(), 16);
    assert!(base
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    let reformatted = r#"
// a comment
@channel("c-v1") interface Api {
  /// New docs.
  @deprecated("old") put(item: Item): Promise<void>;
  get(id: i64, name?: string): Promise<Item>   throws Failure;
}
/* moved and renamed */
union Failure { denied notFound { id: i64; } }
enum Mood { sad, happy }
struct Item { mood: Mood; tags: string[]; id: i64; }
"#;
    assert_eq!(hash_of(reformatted), base);
    let renamed_types = BASE
        .replace("Item", "Thing")
        .replace("Mood", "Feeling")
        .replace("Failure", "Oops");
    assert_eq!(hash_of(&renamed_types), base);
    let through_alias = BASE.replace("get(id: i64", "get(id: Id") + "type Id = i64;";
    assert_eq!(hash_of(&through_alias), base);
}

/// Hash of the first interface of a run over several in-memory files (the first is the root).
fn hash_of_files(files: &[(&str, &str)]) -> String {
    let mut loader = MemoryLoader::default();
    for (path, text) in files {
        loader = loader.with(*path, *text);
    }
    let checked = check_with(&[PathBuf::from(files[0].0)], &mut loader);
    match checked.ir {
        Some(ir) => ir.interfaces[0].schema_hash.clone(),
        None => panic!("unexpected diagnostics: {:#?}", checked.diagnostics),
    }
}

#[test]
fn schema_hash_ignores_packages() {
    // Package names are not on the wire: the same types in one file, in a package, in a dotted
    // package, or split over two packages give the channel the same hash.
    let base = hash_of(BASE);
    let api = |prefix: &str| {
        format!(
            "import \"./types.ipc\";\n@channel(\"c-v1\")\ninterface Api {{\n  get(id: i64, name?: string): Promise<{prefix}Item> throws {prefix}Failure;\n  put(item: {prefix}Item): Promise<void>;\n}}\n"
        )
    };
    let types = |package: &str, prefix: &str| {
        let import = if prefix.is_empty() {
            ""
        } else {
            "import \"./mood.ipc\";\n"
        };
        format!(
            "package {package};\n{import}struct Item {{ id: i64; tags: string[]; mood: {prefix}Mood; }}\nunion Failure {{ notFound {{ id: i64; }} denied }}\nenum Mood {{ happy, sad }}\n"
        )
    };
    for package in ["people", "acme.people", "com.acme.people.v1"] {
        let prefix = format!("{package}.");
        let main = api(&prefix);
        let types = types(package, "");
        assert_eq!(
            hash_of_files(&[("main.ipc", &main), ("types.ipc", &types)]),
            base,
            "{package}"
        );
    }
    // `Mood` moved to a package of its own.
    let main = api("acme.people.");
    let types = types("acme.people", "acme.moods.");
    let mood = "package acme.moods;\nenum Mood { happy, sad }\n";
    assert_eq!(
        hash_of_files(&[
            ("main.ipc", &main),
            ("types.ipc", &types),
            ("mood.ipc", mood)
        ]),
        base
    );
}

#[test]
fn schema_hash_changes_with_the_wire() {
    let base = hash_of(BASE);
    let changes = [
        BASE.replace("tags: string[]", "tags: i32[]"),
        BASE.replace("tags: string[]", "labels: string[]"),
        BASE.replace("tags: string[]", "tags?: string[]"),
        BASE.replace("happy, sad", "happy, glad"),
        BASE.replace("denied }", "denied gone }"),
        BASE.replace(
            "put(item: Item): Promise<void>;",
            "put(item: Item): Promise<void>;\n  del(id: i64): Promise<void>;",
        ),
        BASE.replace("name?: string", "name: string"),
        BASE.replace("Promise<void>", "Promise<bool>"),
        BASE.replace(" throws Failure", ""),
        BASE.replace("c-v1", "c-v2"),
        BASE.replace("get(", "fetch("),
        BASE.replace(
            "get(id: i64, name?: string)",
            "get(name?: i64, id?: string)",
        ),
        // Names are in the hash: swapping two parameters of one type changes a call's meaning.
        BASE.replace(
            "get(id: i64, name?: string)",
            "get(key: i64, name?: string)",
        ),
    ];
    for changed in changes {
        assert_ne!(hash_of(&changed), base, "unchanged hash for:\n{changed}");
    }
}

#[test]
fn recursive_types_are_boxed_where_rust_needs_it() {
    let ir = ir_of(
        r#"
struct Node { value: i32; next: Node?; children: Node[]; byName: map<string, Node>; }
struct A { b: B?; }
struct B { a: A?; leaf: Leaf; }
struct Leaf { x: i32; }
union Tree { leaf { v: i32; } pair { left: Tree; right: Tree; } }
"#,
    );
    let boxed = |type_name: &str| -> Vec<(String, bool)> {
        let def = ir.types.iter().find(|t| t.meta.name == type_name).unwrap();
        match &def.kind {
            TypeDefKind::Struct { fields } => {
                fields.iter().map(|f| (f.name.clone(), f.boxed)).collect()
            }
            TypeDefKind::Union { variants } => variants
                .iter()
                .flat_map(|v| v.fields.iter().map(|f| (f.name.clone(), f.boxed)))
                .collect(),
            _ => Vec::new(),
        }
    };
    let flags = |list: &[(&str, bool)]| -> Vec<(String, bool)> {
        list.iter().map(|(n, b)| (n.to_string(), *b)).collect()
    };
    assert_eq!(
        boxed("Node"),
        flags(&[
            ("value", false),
            ("next", true),
            ("children", false),
            ("byName", false)
        ])
    );
    assert_eq!(boxed("A"), flags(&[("b", true)]));
    assert_eq!(boxed("B"), flags(&[("a", true), ("leaf", false)]));
    assert_eq!(
        boxed("Tree"),
        flags(&[("v", false), ("left", true), ("right", true)])
    );
}

#[test]
fn reference_example_lowers_as_documented() {
    let ir = ir_of(
        r#"const myChannel = "my-interface-v1.2";
@channel(myChannel)
interface MyInterface {
  sayHello(arg1: string, arg2: number, arg3: boolean): Promise<string>;
}"#,
    );
    let interface = &ir.interfaces[0];
    assert_eq!(interface.channel, "my-interface-v1.2");
    let method = &interface.methods[0];
    assert_eq!(method.name, "sayHello");
    let prims: Vec<TypeRef> = method.params.iter().map(|p| p.ty.clone()).collect();
    let prim = |primitive| TypeRef::Primitive { primitive };
    assert_eq!(
        prims,
        vec![
            prim(Primitive::String),
            prim(Primitive::F64),
            prim(Primitive::Bool)
        ]
    );
    assert_eq!(method.result, Some(prim(Primitive::String)));
}

#[test]
fn throws_through_an_alias_names_the_target() {
    let ir = ir_of(
        r#"enum E { a }
type F = E;
@channel("x") interface I { m(): Promise<void> throws F; }"#,
    );
    let id = ir.interfaces[0].methods[0].throws.unwrap();
    assert_eq!(ir.ty(id).meta.name, "E");
}

#[test]
fn errors_of_one_phase_are_all_reported() {
    let codes = codes_of(
        r#"struct A { x: Persn; y: Mood2; }
@channel("x") interface I { m(): Promise<Nope>; }"#,
    );
    assert_eq!(codes, vec!["E0112", "E0112", "E0112"]);
}

#[test]
fn reserved_member_names_are_reported_with_unknown_names() {
    // A union field `kind` and a method `then` need no resolved types, so they are reported
    // in the same run as an unknown type, not only once it is fixed.
    let codes = codes_of(
        r#"union U { a { kind: string; } }
struct S { x: Nope; }
@channel("x") interface I { then(): Promise<void>; }"#,
    );
    assert_eq!(codes, vec!["E0212", "E0112", "E0310"]);
}

#[test]
fn infinite_types_are_reported_once_per_cycle() {
    let codes = codes_of(
        "struct A { b: B; }\nstruct B { a: A; }\nstruct C { a: A; }\nstruct D { d: D; }\nunion U { x { u: U; } }",
    );
    assert_eq!(codes, vec!["E0207", "E0207", "E0207"]);
}

#[test]
fn deep_type_chains_are_linear() {
    // 20,000 structs each holding the next: no stack overflow, no quadratic fixpoint.
    let mut text = String::new();
    for i in 0..20_000 {
        text.push_str(&format!("struct S{i} {{ next: S{}; }}\n", i + 1));
    }
    text.push_str("struct S20000 { end: i32; }\n");
    let ir = ir_of(&text);
    assert_eq!(ir.types.len(), 20_001);
}

const STREAMS: &str = r#"
@channel("files-v1")
interface Files {
  tail(path: string): AsyncIterable<Line> throws Failure;
  upload(name: string, chunks: AsyncIterable<bytes>): Promise<u64>;
  chat(inbox: AsyncIterable<Line>): AsyncIterable<Line?>;
}
struct Line { text: string; }
union Failure { notFound denied }
"#;

#[test]
fn streams_are_flags_with_the_item_type() {
    let ir = ir_of(STREAMS);
    let methods = &ir.interfaces[0].methods;
    let line = TypeRef::Named { id: TypeId(0) };
    assert!(methods[0].result_stream);
    assert_eq!(methods[0].result, Some(line.clone()));
    assert!(methods[0].params.iter().all(|p| !p.stream));
    assert!(!methods[1].result_stream);
    assert!(!methods[1].params[0].stream);
    assert!(methods[1].params[1].stream);
    assert!(!methods[1].params[1].optional);
    assert_eq!(
        methods[1].params[1].ty,
        TypeRef::Primitive {
            primitive: Primitive::Bytes
        }
    );
    assert!(methods[2].result_stream && methods[2].params[0].stream);
    assert_eq!(
        methods[2].result,
        Some(TypeRef::Optional {
            inner: Box::new(line)
        })
    );
}

#[test]
fn schema_hash_tells_a_stream_from_a_value() {
    let base = hash_of(BASE);
    let changes = [
        // A result, then a parameter, becomes a stream of the same type.
        BASE.replace("Promise<Item> throws", "AsyncIterable<Item> throws"),
        BASE.replace("put(item: Item)", "put(item: AsyncIterable<Item>)"),
        BASE.replace("get(id: i64,", "get(id: AsyncIterable<i64>,"),
    ];
    for changed in &changes {
        assert_ne!(hash_of(changed), base, "unchanged hash for:\n{changed}");
    }
    // A streaming result and a streaming parameter of one type are different channels.
    assert_ne!(hash_of(&changes[0]), hash_of(&changes[1]));
    // The item type is in the hash.
    let items = changes[1].replace("AsyncIterable<Item>", "AsyncIterable<Mood>");
    assert_ne!(hash_of(&items), hash_of(&changes[1]));
    // Whether a result streams, not only its type: `T[]` versus a stream of `T`.
    let listed = BASE.replace(
        "put(item: Item): Promise<void>",
        "put(item: Item): Promise<Item[]>",
    );
    let streamed = BASE.replace(
        "put(item: Item): Promise<void>",
        "put(item: Item): AsyncIterable<Item>",
    );
    assert_ne!(hash_of(&listed), hash_of(&streamed));
}

#[test]
fn schema_hash_of_a_channel_without_streams_is_unchanged() {
    // Pinned (the value before streams existed; the IR snapshots of every example pin theirs
    // too): adding streams must not change any existing channel's hash
    // (a deployed frontend and backend would suddenly be judged as different versions).
    assert_eq!(hash_of(BASE), "ceff00dff098e5ce");
}

#[test]
fn every_misuse_of_a_stream_has_its_code() {
    let method = |signature: &str| {
        format!("@channel(\"c-v1\")\ninterface Api {{\n  {signature};\n}}\nunion E {{ a }}\n")
    };
    let cases = [
        ("struct S { a: AsyncIterable<i32>; }".to_string(), "E0213"),
        (
            "union U { v { a: AsyncIterable<i32>; } }".to_string(),
            "E0213",
        ),
        ("struct S { a: AsyncIterable<i32>[]; }".to_string(), "E0213"),
        (
            "struct S { a: map<string, AsyncIterable<i32>>; }".to_string(),
            "E0213",
        ),
        ("struct S { a?: AsyncIterable<i32>; }".to_string(), "E0213"),
        ("type X = AsyncIterable<i32>;".to_string(), "E0213"),
        (method("m(): AsyncIterable<AsyncIterable<i32>>"), "E0213"),
        (
            method("m(): Promise<void> throws AsyncIterable<E>"),
            "E0213",
        ),
        (method("m(): AsyncIterable<i32>?"), "E0214"),
        (method("m(a?: AsyncIterable<i32>): Promise<void>"), "E0214"),
        (method("m(a: AsyncIterable<i32>?): Promise<void>"), "E0214"),
        (method("m(): AsyncIterable<void>"), "E0215"),
        (method("m(a: AsyncIterable<void>): Promise<void>"), "E0215"),
        (method("m(): Promise<AsyncIterable<i32>>"), "E0216"),
        (
            method("m(a: AsyncIterable<i32>, b: AsyncIterable<i32>): Promise<void>"),
            "E0311",
        ),
        (
            "@channel(\"n-v1\")\nnotifications N { n(a: AsyncIterable<i32>); }".to_string(),
            "E0312",
        ),
        (method("m(): AsyncIterable"), "E0204"),
        (
            method("m(a: AsyncIterable<i32, i32>): Promise<void>"),
            "E0204",
        ),
        ("struct AsyncIterable { a: i32; }".to_string(), "E0119"),
        ("const c = AsyncIterable<i32>;".to_string(), "E0001"),
    ];
    for (text, code) in cases {
        assert_eq!(codes_of(&text), [code], "{text}");
    }
}
