//! Unit tests of the TypeScript generator on hand-built IR (the front end has its own tests).

use super::*;
use crate::codegen::test_ir::*;
use crate::ir::model::*;
use crate::ir::wire_schema::{interface_schema, notifications_schema};

fn method(name: &str, params: Vec<Param>, result: Option<TypeRef>) -> Method {
    Method {
        name: name.to_string(),
        docs: Vec::new(),
        deprecated: None,
        since: None,
        params,
        result,
        result_stream: false,
        throws: None,
    }
}

fn file(path: &str, stem: &str, imports: Vec<u32>) -> SourceFile {
    SourceFile {
        path: path.to_string(),
        stem: stem.to_string(),
        package: None,
        docs: Vec::new(),
        imports: imports.into_iter().map(FileId).collect(),
        is_root: true,
    }
}

/// The reference article's example.
fn my_interface() -> Ir {
    let mut say_hello = method(
        "sayHello",
        vec![
            param("arg1", prim(Primitive::String)),
            param("arg2", prim(Primitive::F64)),
            param("arg3", prim(Primitive::Bool)),
        ],
        Some(prim(Primitive::String)),
    );
    say_hello.docs = vec!["Returns `hello: <arg1> <arg2> <arg3>`.".to_string()];
    let mut interface_meta = meta("MyInterface", 0);
    interface_meta.docs = vec!["A backend that greets.".to_string()];
    Ir {
        version: IR_VERSION,
        files: vec![file(
            "idl-examples/my-interface.ipc",
            "my-interface",
            vec![],
        )],
        types: Vec::new(),
        consts: vec![ConstDef {
            meta: meta("myChannel", 0),
            value: ConstValue::String("my-interface-v1.2".to_string()),
        }],
        interfaces: vec![Interface {
            meta: interface_meta,
            channel: "my-interface-v1.2".to_string(),
            schema_hash: "0123456789abcdef".to_string(),
            methods: vec![say_hello],
        }],
        notifications: Vec::new(),
    }
}

/// Two files: `people.ipc` with types (one recursive, one declared after its user), and
/// `greeter.ipc` using them across the module boundary, with errors and notifications.
fn two_files() -> Ir {
    let people_meta = |name: &str| {
        let mut m = meta(name, 0);
        m.qualified_name = format!("people.{name}");
        m
    };
    let types = vec![
        // 0: struct Person { id: i64; age?: u32; tags: string[]; mood: Mood; friends: Person[]; }
        TypeDef {
            meta: people_meta("Person"),
            kind: TypeDefKind::Struct {
                fields: vec![
                    field("id", prim(Primitive::I64)),
                    field("age", optional(prim(Primitive::U32))),
                    field(
                        "tags",
                        TypeRef::Array {
                            element: Box::new(prim(Primitive::String)),
                        },
                    ),
                    field("mood", named(1)),
                    field(
                        "friends",
                        TypeRef::Array {
                            element: Box::new(named(0)),
                        },
                    ),
                    field(
                        "scores",
                        TypeRef::Map {
                            key: Box::new(prim(Primitive::U32)),
                            value: Box::new(optional(prim(Primitive::Bytes))),
                        },
                    ),
                ],
            },
        },
        // 1: enum Mood { happy, sad }
        TypeDef {
            meta: people_meta("Mood"),
            kind: TypeDefKind::Enum {
                variants: ["happy", "sad"]
                    .iter()
                    .map(|n| EnumVariant {
                        name: n.to_string(),
                        docs: Vec::new(),
                        deprecated: None,
                    })
                    .collect(),
            },
        },
        // 2: union LookupError { notFound { id: i64; } forbidden }
        TypeDef {
            meta: people_meta("LookupError"),
            kind: TypeDefKind::Union {
                variants: vec![
                    UnionVariant {
                        name: "notFound".to_string(),
                        docs: Vec::new(),
                        deprecated: None,
                        fields: vec![field("id", prim(Primitive::I64))],
                        unit: false,
                    },
                    UnionVariant {
                        name: "forbidden".to_string(),
                        docs: Vec::new(),
                        deprecated: None,
                        fields: Vec::new(),
                        unit: true,
                    },
                ],
            },
        },
        // 3: a user type named `Map` in greeter.ipc, which shadows the global.
        TypeDef {
            meta: meta("Map", 1),
            kind: TypeDefKind::Alias {
                target: TypeRef::Map {
                    key: Box::new(prim(Primitive::String)),
                    value: Box::new(named(0)),
                },
            },
        },
    ];
    let mut find = method(
        "findPerson",
        vec![param("id", prim(Primitive::I64))],
        Some(optional(named(0))),
    );
    find.throws = Some(TypeId(2));
    find.deprecated = Some("use `find`".to_string());
    let mut rename = method(
        "rename",
        vec![
            param("id", prim(Primitive::I64)),
            Param {
                name: "new".to_string(),
                optional: true,
                stream: false,
                ty: optional(prim(Primitive::String)),
            },
        ],
        None,
    );
    rename.docs = vec![
        "Renames.".to_string(),
        "".to_string(),
        "Keeps */ in docs.".to_string(),
    ];
    let mut files = vec![
        file("common/people.ipc", "people", vec![]),
        file("common/greeter.ipc", "greeter", vec![0]),
    ];
    files[0].package = Some("people".to_string());
    files[0].is_root = false;
    Ir {
        version: IR_VERSION,
        files,
        types,
        consts: vec![ConstDef {
            meta: meta("greeterChannel", 1),
            value: ConstValue::String("greeter-v1".to_string()),
        }],
        interfaces: vec![Interface {
            meta: meta("Greeter", 1),
            channel: "greeter-v1".to_string(),
            schema_hash: "fedcba9876543210".to_string(),
            methods: vec![find, rename, method("all", vec![], Some(named(3)))],
        }],
        notifications: vec![Notifications {
            meta: meta("GreeterEvents", 1),
            channel: "greeter-events-v1".to_string(),
            schema_hash: "00112233aabbccdd".to_string(),
            events: vec![Event {
                name: "personAdded".to_string(),
                docs: vec!["Someone new.".to_string()],
                deprecated: None,
                since: None,
                params: vec![param("person", named(0))],
            }],
        }],
    }
}

fn module<'a>(files: &'a [GeneratedFile], path: &str) -> &'a str {
    &files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| {
            panic!(
                "no {path} among {:?}",
                files.iter().map(|f| &f.path).collect::<Vec<_>>()
            )
        })
        .contents
}

#[test]
fn reference_example_has_the_article_names() {
    let files = generate(&my_interface());
    assert_eq!(files.len(), 1);
    let ts = module(&files, "my-interface.ts");
    assert!(ts.starts_with("// @generated by ipcc "), "{ts}");
    assert!(ts.contains(" from my-interface.ipc. DO NOT EDIT.\n"));
    assert!(ts.contains("\nexport const myChannel = \"my-interface-v1.2\";\n"));
    assert!(
        ts.contains("  sayHello(arg1: string, arg2: number, arg3: boolean): Promise<string>;\n")
    );
    assert!(ts.contains(
        "export function callMyInterface<T extends $rt.AsyncMethodsOf<MyInterface>>(\n  methodName: T,\n  ...args: Parameters<MyInterface[T]>\n): Promise<$rt.PromiseReturnType<MyInterface[T]>> {"
    ));
    assert!(ts.contains("  /** Returns `hello: <arg1> <arg2> <arg3>`. */\n  sayHello("));
    assert!(ts.contains("export const myInterfaceSchemaHash = \"0123456789abcdef\";"));
}

#[test]
fn modules_import_each_other_and_qualify_globals() {
    let files = generate(&two_files());
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["greeter.ts", "people.ts"]);
    let people = module(&files, "people.ts");
    let greeter = module(&files, "greeter.ts");
    assert!(greeter.contains("import * as $people from \"./people.js\";"));
    assert!(!people.contains("import * as $greeter"));
    // Recursion and a forward reference go through `lazy`; nothing else does.
    assert!(
        people.contains("friends: $rt.c.array($rt.c.lazy(() => personCodec)),"),
        "{people}"
    );
    assert!(people.contains("mood: $rt.c.lazy(() => moodCodec),"));
    assert!(greeter.contains("$people.personCodec"));
    // greeter.ipc declares `Map`: the global is written through globalThis there, not in people.
    assert!(
        greeter.contains("export type Map = globalThis.Map<string, $people.Person>;"),
        "{greeter}"
    );
    assert!(
        people.contains("scores: Map<number, Uint8Array | undefined>;"),
        "{people}"
    );
    // Optional params, reserved words, doc escaping, deprecation, declared errors.
    assert!(greeter.contains("rename(id: bigint, new_?: string): Promise<void>;"));
    assert!(greeter.contains(" * Keeps *\\/ in docs."));
    assert!(greeter.contains("@deprecated use `find`"));
    assert!(greeter.contains("export function isLookupError(error: unknown): error is $rt.DeclaredError<$people.LookupError> {"));
    assert!(greeter.contains("export function addGreeterEventsListener("));
    // The file's own `const greeterChannel` holding the channel is reused, not duplicated.
    assert!(
        greeter.contains("  channel: greeterChannel,\n"),
        "{greeter}"
    );
    assert_eq!(greeter.matches("export const greeterChannel").count(), 1);
}

#[test]
fn derived_names_yield_to_declared_ones() {
    let mut ir = my_interface();
    ir.consts.push(ConstDef {
        meta: meta("callMyInterface", 0),
        value: ConstValue::Integer(1 << 60),
    });
    let files = generate(&ir);
    let ts = module(&files, "my-interface.ts");
    assert!(
        ts.contains("export const callMyInterface = 1152921504606846976n;"),
        "{ts}"
    );
    assert!(ts.contains("export function callMyInterface_<T extends"));
}

#[test]
fn output_is_deterministic() {
    assert_eq!(generate(&two_files()), generate(&two_files()));
}

#[test]
fn consts_only_module_does_not_import_the_runtime() {
    let mut ir = my_interface();
    ir.interfaces.clear();
    let files = generate(&ir);
    let ts = module(&files, "my-interface.ts");
    assert!(!ts.contains("import"), "{ts}");
}

#[test]
fn float_consts_need_no_globals() {
    let mut ir = my_interface();
    for (name, value) in [
        ("nan", f64::NAN),
        ("inf", f64::INFINITY),
        ("ninf", f64::NEG_INFINITY),
        ("half", 0.5),
    ] {
        ir.consts.push(ConstDef {
            meta: meta(name, 0),
            value: ConstValue::Float(value),
        });
    }
    let files = generate(&ir);
    let ts = module(&files, "my-interface.ts");
    for line in [
        "export const nan = 0 / 0;",
        "export const inf = 1 / 0;",
        "export const ninf = -1 / 0;",
        "export const half = 0.5;",
    ] {
        assert!(ts.contains(line), "{line} in {ts}");
    }
}

#[test]
fn files_with_the_same_stem_get_distinct_modules_and_imports() {
    let mut ir = two_files();
    // Two `people.ipc` in different directories: the second is written `people-2.ts`.
    ir.files[1].path = "other/people.ipc".to_string();
    ir.files[1].stem = "people".to_string();
    let files = generate(&ir);
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["people-2.ts", "people.ts"]);
    let importer = module(&files, "people-2.ts");
    assert!(
        importer.contains("import * as $people from \"./people.js\";"),
        "{importer}"
    );
}

#[test]
fn tidy_collapses_blank_runs_and_trailing_space() {
    assert_eq!(tidy("\n\na  \n\n\n\nb\n\n\n"), "a\n\nb\n");
}

#[test]
fn descriptors_carry_the_wire_schemas_of_their_module() {
    let ir = two_files();
    let files = generate(&ir);
    let greeter = module(&files, "greeter.ts");
    // One set per module, over one table of types: exactly its JSON text, as a string literal.
    let set = schema_set(
        &ir,
        [
            ChannelRef::Interface(&ir.interfaces[0]),
            ChannelRef::Notifications(&ir.notifications[0]),
        ],
    );
    let line = format!(
        "const $$wireSchemas = {};\n",
        string_literal(&set.to_json())
    );
    assert!(greeter.contains(&line), "{line} in {greeter}");
    for descriptor in ["greeterDescriptor", "greeterEventsDescriptor"] {
        let at = greeter
            .find(&format!("export const {descriptor}: "))
            .unwrap_or_else(|| panic!("no {descriptor} in {greeter}"));
        let end = at + greeter[at..].find("\n};\n").expect("end of the descriptor");
        assert!(
            greeter[at..end].contains("  wireSchema: $$wireSchemas,\n"),
            "{greeter}"
        );
    }
    // Each channel taken out of the set is the channel's own schema.
    assert_eq!(
        set.channel(&ir.interfaces[0].channel).unwrap().to_json(),
        interface_schema(&ir, &ir.interfaces[0]).schema.to_json()
    );
    assert_eq!(
        set.channel(&ir.notifications[0].channel).unwrap().to_json(),
        notifications_schema(&ir, &ir.notifications[0])
            .schema
            .to_json()
    );
    // The text names the types the channels reach, by their qualified IDL names.
    assert!(
        greeter.contains(r#"\"name\":\"people.Person\""#),
        "{greeter}"
    );
}

/// The IR of `text` as the front end builds it (streams need the real lowering's flags).
fn checked_ir(text: &str) -> Ir {
    let checked = crate::check_with(
        &[std::path::PathBuf::from("files.ipc")],
        &mut crate::MemoryLoader::default().with("files.ipc", text),
    );
    checked.ir.expect("checks")
}

/// The names streams add (`stream<Name>`, `<Name>Impl`) yield to declared ones, and the globals
/// they use are qualified when the module declares a type of that name.
#[test]
fn stream_names_yield_and_globals_are_qualified() {
    let ir = checked_ir(
        "@channel(\"files-v1\")\ninterface Files {\n  tail(path: string): AsyncIterable<AsyncIterableIterator>;\n  upload(chunks: AsyncIterable<bytes>): Promise<u64>;\n}\nstruct FilesImpl {}\nstruct AsyncIterableIterator {}\nconst streamFiles = 1;\n",
    );
    let files = try_generate(&ir).expect("generated");
    let ts = module(&files, "files.ts");
    assert!(ts.contains("export interface FilesImpl_ {"), "{ts}");
    assert!(
        ts.contains("export function registerFiles(host: $rt.IpcHost, impl: FilesImpl_)"),
        "{ts}"
    );
    assert!(
        ts.contains("export function streamFiles_<T extends"),
        "{ts}"
    );
    assert!(
        ts.contains("): globalThis.AsyncIterableIterator<$rt.StreamItemType<Files[T]>> {"),
        "{ts}"
    );
    assert!(
        ts.contains("tail(path: string): AsyncIterable<AsyncIterableIterator>;"),
        "{ts}"
    );
    assert!(
        ts.contains("upload(chunks: $rt.StreamSource<Uint8Array>): Promise<bigint>;"),
        "{ts}"
    );
    assert!(
        ts.contains("upload(chunks: AsyncIterable<Uint8Array>): Promise<bigint>;"),
        "{ts}"
    );
}

/// Without streams nothing changes: no `stream…` helper, no `…Impl` type.
#[test]
fn interfaces_without_streams_get_no_stream_items() {
    let ts = &generate(&my_interface())[0].contents;
    assert!(
        !ts.contains("StreamMethodsOf") && !ts.contains("Impl"),
        "{ts}"
    );
    assert!(
        !ts.contains("inputStream") && !ts.contains("outputStream"),
        "{ts}"
    );
}
