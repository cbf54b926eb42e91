//! Generator unit tests on hand-built IR (independent of the front end).

use super::*;
use crate::codegen::test_ir::*;
use crate::ir::*;

/// Two files: `people.ipc` (package `people`) imported by `main.ipc` (no package), covering
/// every kind of declaration, adapters through containers, boxing, keywords and deprecation.
fn fixture() -> Ir {
    let mut person = meta("Person", 0);
    person.qualified_name = "people.Person".into();
    person.docs = vec!["Someone.".into()];
    let mut old = meta("Old", 1);
    old.deprecated = Some("use `Person`".into());
    let mut boxed_next = field("next", optional(named(4)));
    boxed_next.boxed = true;
    let mut login = field("login", optional(prim(Primitive::String)));
    login.deprecated = Some(String::new());
    Ir {
        version: IR_VERSION,
        files: vec![
            SourceFile {
                path: "common/people.ipc".into(),
                stem: "people".into(),
                package: Some("people".into()),
                docs: Vec::new(),
                imports: vec![],
                is_root: false,
            },
            SourceFile {
                path: "common/main.ipc".into(),
                stem: "main".into(),
                package: None,
                docs: Vec::new(),
                imports: vec![FileId(0)],
                is_root: true,
            },
        ],
        types: vec![
            // 0
            TypeDef {
                meta: person,
                kind: TypeDefKind::Struct {
                    fields: vec![
                        field("id", prim(Primitive::I64)),
                        field("name", prim(Primitive::String)),
                        field("age", optional(prim(Primitive::U32))),
                        field("avatar", prim(Primitive::Bytes)),
                        field("scores", map(prim(Primitive::U32), prim(Primitive::F64))),
                        field("type", array(optional(prim(Primitive::I64)))),
                        login,
                    ],
                },
            },
            // 1
            TypeDef {
                meta: meta("Mood", 0),
                kind: TypeDefKind::Enum {
                    variants: vec![
                        EnumVariant {
                            name: "happy".into(),
                            docs: vec![],
                            deprecated: None,
                        },
                        EnumVariant {
                            name: "self".into(),
                            docs: vec![],
                            deprecated: Some("gone".into()),
                        },
                    ],
                },
            },
            // 2
            TypeDef {
                meta: meta("LookupError", 1),
                kind: TypeDefKind::Union {
                    variants: vec![
                        UnionVariant {
                            name: "notFound".into(),
                            docs: vec![],
                            deprecated: None,
                            fields: vec![field("id", named(3))],
                            unit: false,
                        },
                        UnionVariant {
                            name: "forbidden".into(),
                            docs: vec![],
                            deprecated: None,
                            fields: vec![],
                            unit: true,
                        },
                    ],
                },
            },
            // 3
            TypeDef {
                meta: meta("PersonId", 1),
                kind: TypeDefKind::Alias {
                    target: prim(Primitive::I64),
                },
            },
            // 4
            TypeDef {
                meta: meta("Result", 1),
                kind: TypeDefKind::Struct {
                    fields: vec![
                        field("value", named(0)),
                        boxed_next,
                        field("byId", map(named(3), named(1))),
                    ],
                },
            },
            // 5
            TypeDef {
                meta: old,
                kind: TypeDefKind::Struct { fields: vec![] },
            },
        ],
        consts: vec![ConstDef {
            meta: meta("myChannel", 1),
            value: ConstValue::String("my-\"interface\"-v1.2".into()),
        }],
        interfaces: vec![Interface {
            meta: meta("MyInterface", 1),
            channel: "my-\"interface\"-v1.2".into(),
            schema_hash: "0123456789abcdef".into(),
            methods: vec![
                Method {
                    name: "sayHello".into(),
                    docs: vec!["Says hello.".into()],
                    deprecated: None,
                    since: None,
                    params: vec![
                        param("arg1", prim(Primitive::String)),
                        param("arg2", prim(Primitive::F64)),
                        param("ctx", prim(Primitive::Bool)),
                    ],
                    result: Some(prim(Primitive::String)),
                    result_stream: false,
                    throws: None,
                },
                Method {
                    name: "findPerson".into(),
                    docs: vec![],
                    deprecated: None,
                    since: None,
                    params: vec![
                        param("id", named(3)),
                        Param {
                            name: "hint".into(),
                            optional: true,
                            stream: false,
                            ty: optional(prim(Primitive::U64)),
                        },
                    ],
                    result: Some(optional(named(0))),
                    result_stream: false,
                    throws: Some(TypeId(2)),
                },
                Method {
                    name: "new".into(),
                    docs: vec![],
                    deprecated: Some("old".into()),
                    since: None,
                    params: vec![param("old", named(5))],
                    result: None,
                    result_stream: false,
                    throws: None,
                },
            ],
        }],
        notifications: vec![Notifications {
            meta: meta("Events", 1),
            channel: "events-v1".into(),
            schema_hash: "fedcba9876543210".into(),
            events: vec![
                Event {
                    name: "all".into(),
                    docs: vec![],
                    deprecated: None,
                    since: None,
                    params: vec![param("percent", prim(Primitive::F32))],
                },
                Event {
                    name: "moodChanged".into(),
                    docs: vec![],
                    deprecated: None,
                    since: None,
                    params: vec![],
                },
            ],
        }],
    }
}

fn generated() -> String {
    let files = try_generate(&fixture()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].path, "main.rs");
    files[0].contents.clone()
}

/// The text without whitespace, so assertions do not depend on line breaks.
fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Asserts that the generated text contains `needle`, ignoring whitespace.
#[track_caller]
fn assert_has(text: &str, needle: &str) {
    assert!(
        squash(text).contains(&squash(needle)),
        "`{needle}` not found in:\n{text}"
    );
}

#[test]
fn header_names_the_source_file_only() {
    let text = generated();
    assert!(text.starts_with(&format!(
        "// @generated by ipcc {} from main.ipc. DO NOT EDIT.\n",
        env!("CARGO_PKG_VERSION")
    )));
}

#[test]
fn output_is_deterministic() {
    assert_eq!(generated(), generated());
}

#[test]
fn imported_package_goes_into_a_module_with_paths_across() {
    let text = generated();
    assert_has(&text, "pub mod people {");
    assert_has(&text, "pub value: people::Person,");
    assert_has(&text, "pub enum LookupError");
}

#[test]
fn wire_adapters_compose_through_containers_and_aliases() {
    let text = generated();
    assert_has(&text, "#[serde_as(as = \"ipcc_rt::wire::Int\")]");
    assert_has(
        &text,
        "#[serde_as(as = \"ipcc_rt::Vec<ipcc_rt::Option<ipcc_rt::wire::Int>>\")]",
    );
    assert_has(&text, "ipcc_rt::wire::Base64");
    assert_has(
        &text,
        "ipcc_rt::BTreeMap<ipcc_rt::wire::IntKey, ipcc_rt::wire::Float>",
    );
    // `PersonId` is an alias of i64: the adapter follows it.
    assert_has(
        &text,
        "let arg_id = args.next::<_, ipcc_rt::wire::Int>(\"id\")",
    );
}

#[test]
fn names_are_cased_escaped_and_renamed_back() {
    let text = generated();
    assert_has(&text, "pub r#type: ipcc_rt::Vec<");
    assert_has(&text, "#[serde(rename = \"self\")] Self_,");
    assert_has(&text, "#[serde(rename = \"notFound\")]");
    assert_has(
        &text,
        "pub const MY_CHANNEL: &str = \"my-\\\"interface\\\"-v1.2\";",
    );
    // A parameter called `ctx` pushes the context parameter aside.
    assert_has(&text, "ctx_: ipcc_rt::CallContext");
    // Client and sender constructors keep their names; the colliding members move.
    assert_has(&text, "pub fn new_(");
    assert_has(&text, "pub fn all_(");
}

#[test]
fn boxing_and_optionals() {
    let text = generated();
    assert_has(&text, "pub next: ipcc_rt::Option<ipcc_rt::Box<Result>>,");
    assert_has(&text, "skip_serializing_if = \"ipcc_rt::Option::is_none\"");
    assert_has(
        &text,
        "let arg_hint = args.next_optional::<_, ipcc_rt::wire::Int>",
    );
}

#[test]
fn deprecation_is_carried_and_silenced_inside_generated_code() {
    let text = generated();
    assert_has(&text, "#[deprecated(note = \"use `Person`\")]");
    assert_has(
        &text,
        "#[deprecated] #[serde(default, skip_serializing_if = \"ipcc_rt::Option::is_none\")] pub login",
    );
    assert_has(&text, "#[allow(deprecated)] struct MyInterfaceDispatch");
}

#[test]
fn std_names_are_never_used_unqualified() {
    let text = generated();
    for bare in [
        " Option<", " Result<", " Vec<", " String,", " Box<", "(Ok(", "(Err(",
    ] {
        assert!(!text.contains(bare), "found `{bare}` in:\n{text}");
    }
}

#[test]
fn no_inner_attributes() {
    assert!(!generated().contains("#!["));
}

#[test]
fn duplicate_root_stems_are_an_error_not_an_overwrite() {
    let mut ir = fixture();
    ir.files[0].is_root = true;
    ir.files[0].stem = "main".into();
    assert_eq!(
        try_generate(&ir),
        Err(RustGenError::DuplicateOutput {
            file: "main.rs".into()
        })
    );
}

#[test]
fn unparsable_output_is_reported_with_its_text() {
    let error = format_rust("x.rs", "pub struct {").unwrap_err();
    match error {
        RustGenError::Syntax { file, text, .. } => {
            assert_eq!(file, "x.rs");
            assert_eq!(text, "pub struct {");
        }
        other => panic!("unexpected {other:?}"),
    }
}

/// The fixture's file as the items it is formatted from.
fn fixture_items_formatted(ir: &Ir, copies: usize, threads: usize) -> Vec<String> {
    let model = view::file_view(ir, FileId(1), &Default::default());
    let items: Vec<Job<'_>> = (0..copies).flat_map(|_| file_items(&model)).collect();
    format_items("main.rs", &items, threads).unwrap_or_else(|e| panic!("{e}"))
}

/// The rendered items of a file joined as they are, without indentation or blank lines: the
/// text the generator lays out.
fn rendered_whole(model: &view::FileView) -> String {
    let mut whole = String::new();
    for job in file_items(model) {
        let text = match job.item {
            Item::PackageClose => "}".to_string(),
            item => emit_item(&item),
        };
        whole.push_str(&text);
        whole.push('\n');
    }
    whole
}

#[test]
fn items_lay_out_to_the_tree_they_render() {
    // The items laid out one by one and indented for their modules parse to the same syntax
    // tree as the rendered text joined whole (compared through prettyplease's print of each).
    let ir = fixture();
    let model = view::file_view(&ir, FileId(1), &Default::default());
    let whole = rendered_whole(&model);
    assert!(whole.contains("pub mod people {"), "{whole}");
    let expected = format_rust("main.rs", &whole).unwrap_or_else(|e| panic!("{e}"));
    let laid_out = format_rust("main.rs", &generated()).unwrap_or_else(|e| panic!("{e}"));
    let header_end = laid_out.find("pub const").unwrap_or(0);
    assert_eq!(
        laid_out[header_end..],
        expected[expected.find("pub const").unwrap_or(0)..]
    );
}

/// Packages with dotted names: a package that is a prefix of others (`acme`), packages that
/// share a prefix, an empty one, Rust keywords and std names as segments, and a file without a
/// package. Root: `main.ipc` (package `acme.main`), file 6.
fn dotted_fixture() -> Ir {
    let file = |path: &str, package: Option<&str>, imports: Vec<u32>| SourceFile {
        path: format!("a/{path}.ipc"),
        stem: path.to_string(),
        package: package.map(str::to_string),
        docs: Vec::new(),
        imports: imports.into_iter().map(FileId).collect(),
        is_root: path == "main",
    };
    let strukt = |name: &str, file: u32, fields: Vec<Field>| TypeDef {
        meta: meta(name, file),
        kind: TypeDefKind::Struct { fields },
    };
    Ir {
        version: IR_VERSION,
        files: vec![
            file("people", Some("acme.people"), vec![]),
            file("acme", Some("acme"), vec![0]),
            file("jobs", Some("acme.jobs"), vec![0, 1, 3]),
            file("plain", None, vec![]),
            file("kw", Some("fn.self.async.core"), vec![2]),
            file("empty", Some("acme.empty"), vec![]),
            file("main", Some("acme.main"), vec![0, 1, 2, 3, 4, 5]),
        ],
        types: vec![
            strukt("Person", 0, vec![field("name", prim(Primitive::String))]),
            strukt("Company", 1, vec![field("people", array(named(0)))]),
            strukt(
                "Job",
                2,
                vec![
                    field("person", named(0)),
                    field("company", named(1)),
                    field("local", named(3)),
                ],
            ),
            strukt("Local", 3, vec![]),
            strukt("Kw", 4, vec![field("job", optional(named(2)))]),
            strukt(
                "Main",
                6,
                vec![
                    field("person", named(0)),
                    field("company", named(1)),
                    field("job", named(2)),
                    field("local", named(3)),
                    field("kw", named(4)),
                ],
            ),
        ],
        consts: vec![],
        interfaces: vec![],
        notifications: vec![],
    }
}

fn dotted_generated() -> String {
    let files = try_generate(&dotted_fixture()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(files.len(), 1);
    files[0].contents.clone()
}

#[test]
fn dotted_packages_become_one_tree_of_nested_modules() {
    let text = dotted_generated();
    // One `acme` module holds the package `acme` and, after its declarations, the modules of
    // `acme.people`, `acme.jobs` and the empty `acme.empty`, in the order they first appear.
    assert_has(&text, "/// Declarations of package `acme`. pub mod acme {");
    let acme = text.find("pub mod acme {").unwrap();
    let company = text.find("pub struct Company").unwrap();
    let people = text.find("pub mod people {").unwrap();
    let jobs = text.find("pub mod jobs {").unwrap();
    assert!(
        acme < company && company < people && people < jobs,
        "{text}"
    );
    assert_has(
        &text,
        "/// Declarations of package `acme.empty`. pub mod empty {} }",
    );
    assert_eq!(text.matches("pub mod acme").count(), 1, "{text}");
    // Keywords are escaped per segment; a module that only holds modules says so.
    assert_has(
        &text,
        "/// Packages whose names start with `fn.`. pub mod r#fn { #[allow(unused_imports)] use ::ipcc_runtime::codegen as ipcc_rt; /// Packages whose names start with `fn.self.`. pub mod self_ {",
    );
    assert_has(
        &text,
        "pub mod r#async { #[allow(unused_imports)] use ::ipcc_runtime::codegen as ipcc_rt; /// Declarations of package `fn.self.async.core`. pub mod core {",
    );
    // The root's own package is the top level.
    assert!(!text.contains("pub mod main"), "{text}");
}

#[test]
fn dotted_references_are_relative_paths() {
    let text = dotted_generated();
    // From the top level, down.
    assert_has(&text, "pub person: acme::people::Person,");
    assert_has(&text, "pub company: acme::Company,");
    assert_has(&text, "pub kw: r#fn::self_::r#async::core::Kw,");
    assert_has(&text, "pub local: Local,");
    // Between siblings, through the shared parent; up to a parent; up to the top.
    assert_has(&text, "pub person: super::people::Person,");
    assert_has(&text, "pub company: super::Company,");
    assert_has(&text, "pub local: super::super::Local,");
    assert_has(&text, "pub people: ipcc_rt::Vec<people::Person>,");
    assert_has(
        &text,
        "pub job: ipcc_rt::Option<super::super::super::super::acme::jobs::Job",
    );
}

#[test]
fn nested_items_lay_out_to_the_tree_they_render() {
    // As `items_lay_out_to_the_tree_they_render`, through modules four levels deep.
    let ir = dotted_fixture();
    let model = view::file_view(&ir, FileId(6), &Default::default());
    let whole = rendered_whole(&model);
    let expected = format_rust("main.rs", &whole).unwrap_or_else(|e| panic!("{e}"));
    let items = file_items(&model);
    let laid_out = format_items("main.rs", &items, 1).unwrap_or_else(|e| panic!("{e}"));
    let laid_out = format_rust("main.rs", &laid_out.concat()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(laid_out, expected);
}

#[test]
fn an_item_with_a_line_over_the_width_goes_through_the_fallback() {
    // A name far longer than a line: no layout brings it under rustfmt's width, so the item is
    // printed by prettyplease, and still parses.
    let mut ir = fixture();
    let long =
        "averyveryveryveryveryveryveryveryveryveryveryveryveryveryveryveryveryveryveryverylongname";
    for interface in &mut ir.interfaces {
        for method in &mut interface.methods {
            method.name = format!("{}{long}", method.name);
        }
    }
    let text = try_generate(&ir).unwrap_or_else(|e| panic!("{e}"))[0]
        .contents
        .clone();
    syn::parse_file(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert!(text.contains(long));
}

#[test]
fn a_nested_item_that_renders_nothing_prints_nothing() {
    for depth in 0..4 {
        assert_eq!(format_nested("x.rs", "", depth), Ok(String::new()));
    }
    assert_eq!(
        format_nested("x.rs", "struct A;", 2),
        Ok("        struct A;\n".to_string())
    );
}

#[test]
fn threads_change_nothing_but_speed() {
    let ir = fixture();
    let one = fixture_items_formatted(&ir, 50, 1);
    let three = fixture_items_formatted(&ir, 50, 3);
    assert!(one.len() > 3 * 50);
    assert_eq!(one, three);
}

/// The Rust generated from `tests/idl/generated-names.ipc`, through the real front end.
fn generated_names() -> String {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/idl/generated-names.ipc");
    let checked = crate::check(&[path]);
    assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
    let files = try_generate(checked.ir.as_ref().expect("an IR")).unwrap_or_else(|e| panic!("{e}"));
    files[0].contents.clone()
}

#[test]
fn generated_channel_types_move_aside_for_user_types() {
    let text = generated_names();
    // The user's types keep their names ...
    assert_has(&text, "pub struct GreeterClient {");
    assert_has(&text, "pub enum GreeterDispatch {");
    assert_has(&text, "pub struct EventsSender {}");
    assert_has(&text, "pub type EventsListener = ipcc_rt::String;");
    // ... and the generated ones take a `_`.
    assert_has(&text, "pub struct GreeterClient_ {");
    assert_has(&text, "struct GreeterDispatch_<IpccHandler_>(");
    assert_has(&text, "pub struct EventsSender_ {");
    assert_has(&text, "pub trait EventsListener_:");
}

#[test]
fn generic_parameters_avoid_the_modules_type_names() {
    let text = generated_names();
    assert_has(&text, "impl<IpccHandler_: Greeter> ipcc_rt::Dispatch");
    assert_has(&text, "<IpccHandler_ as Greeter>::greet(");
    assert_has(&text, "pub fn register_greeter<IpccHandler_: Greeter>(");
    assert_has(
        &text,
        "pub fn listen_events<IpccListener_: EventsListener_>(",
    );
    assert_has(&text, "<IpccListener_ as EventsListener_>::sent(");
    assert_has(&text, "handler: IpccHandler,");
    assert_has(&text, "let arg_handler = args.next");
}

#[test]
fn underscore_names_stay_identifiers_and_snake_case() {
    let text = generated_names();
    assert_has(&text, "pub struct __ {}");
    assert_has(&text, "pub struct _9 {");
    assert_has(
        &text,
        "#[serde(rename = \"_\")] __, _1, #[serde(rename = \"a\")] A,",
    );
    assert_has(&text, "#[serde(rename = \"a__b\")] pub a_b: i32,");
    assert_has(&text, "pub __dunder__: ipcc_rt::String,");
    // Parameter locals that would break `non_snake_case` are numbered instead.
    assert_has(&text, "let arg0_0 = args.next");
    assert_has(&text, "let arg1_proto = args.next");
    assert_has(&text, "let arg2 = args.next");
    // A const without a letter would be what a pattern `_0` means: it takes a prefix.
    assert_has(&text, "pub const CONST_0: bool = true;");
    // A parameter without a letter would be read as that const in a pattern.
    assert_has(
        &text,
        "p_0: i32, __proto__: ipcc_rt::String, p__: ipcc_rt::Option<_9>,",
    );
    assert_has(&text, "fn a_b(");
}

#[test]
fn clippy_lints_of_user_shapes_are_allowed_or_avoided() {
    let text = generated_names();
    assert_has(
        &text,
        "#[allow(clippy::large_enum_variant)] #[derive(Debug, Clone, PartialEq,",
    );
    assert_eq!(
        text.matches("clippy::large_enum_variant").count(),
        1,
        "only on `Sizes`"
    );
    // Doc comments of blank lines only are no doc comment (clippy's `empty_docs`).
    assert_has(
        &text,
        "#[serde(crate = \"ipcc_rt::serde\")] pub struct BlankDocs {}",
    );
    assert!(!text.contains("///\npub struct BlankDocs"), "{text}");
}

#[test]
fn large_declared_errors_and_underscored_channel_names() {
    let text = generated_names();
    assert_has(&text, "pub fn register_proto<IpccHandler_: Proto>(");
    assert_has(&text, "#[allow(clippy::result_large_err)] pub trait Proto:");
    assert_has(
        &text,
        "#[allow(clippy::result_large_err)] // A frontend picks the constructor and the methods it calls; the rest is not dead code of its // own. #[allow(dead_code)] impl ProtoClient {",
    );
    // `Greeter` declares no error: no allowance there.
    assert!(!squash(&text).contains("result_large_err)]#[allow(dead_code)]implGreeterClient_"));
}

fn generated_with(options: &RustOptions) -> String {
    let files = try_generate_with(&fixture(), options).unwrap_or_else(|e| panic!("{e}"));
    files[0].contents.clone()
}

#[test]
fn each_side_can_be_left_out() {
    let server = generated_with(&RustOptions {
        client: false,
        ..RustOptions::default()
    });
    let client = generated_with(&RustOptions {
        server: false,
        ..RustOptions::default()
    });
    let both = generated();
    let backend = [
        "pub trait MyInterface",
        "pub fn register_my_interface",
        "pub struct EventsSender",
    ];
    let frontend = [
        "pub struct MyInterfaceClient",
        "pub trait EventsListener",
        "pub fn listen_events",
    ];
    for item in backend {
        assert_has(&both, item);
        assert_has(&server, item);
        assert!(
            !squash(&client).contains(&squash(item)),
            "{item} in the client side"
        );
    }
    for item in frontend {
        assert_has(&both, item);
        assert_has(&client, item);
        assert!(
            !squash(&server).contains(&squash(item)),
            "{item} in the server side"
        );
    }
    // What both sides use stays in both.
    for text in [&server, &client] {
        assert_has(text, "pub const MY_INTERFACE_SPEC");
        assert_has(text, "pub struct Person");
    }
}

#[test]
fn type_attributes_go_on_the_types_their_path_names() {
    let text = generated_with(&RustOptions {
        type_attributes: vec![
            ("people.Person".into(), "#[derive(Hash)]".into()),
            ("people".into(), "#[doc(alias = \"in_people\")]".into()),
            (".".into(), "#[doc(alias = \"everywhere\")]".into()),
            ("Person".into(), "#[doc(alias = \"unqualified\")]".into()),
        ],
        ..RustOptions::default()
    });
    // In the order given, after `serde_as` and before the generated derive.
    assert_has(
        &text,
        "#[derive(Hash)] #[doc(alias = \"in_people\")] #[doc(alias = \"everywhere\")] #[derive(Debug, Clone, PartialEq",
    );
    assert_eq!(text.matches("#[derive(Hash)]").count(), 1, "{text}");
    // `people` names the one type of that package here (`people.Person`); `.` every type but
    // the alias; `Person` none, since it is not a qualified name.
    assert_eq!(text.matches("in_people").count(), 1, "{text}");
    let aliases = (fixture().types.iter())
        .filter(|t| matches!(t.kind, TypeDefKind::Alias { .. }))
        .count();
    assert!(aliases > 0);
    assert_eq!(
        text.matches("everywhere").count(),
        fixture().types.len() - aliases,
        "{text}"
    );
    assert!(!text.contains("unqualified"));
}

#[test]
fn a_malformed_type_attribute_is_the_callers_error() {
    let error = try_generate_with(
        &fixture(),
        &RustOptions {
            type_attributes: vec![("Person".into(), "derive(Hash)".into())],
            ..RustOptions::default()
        },
    )
    .unwrap_err();
    assert!(matches!(&error, RustGenError::Attribute { path, .. } if path == "Person"));
    assert!(!error.to_string().contains("ipcc bug"), "{error}");
}

#[test]
fn the_channel_const_aliases_the_users_const_holding_the_channel() {
    assert_has(
        &generated(),
        "pub const MY_INTERFACE_CHANNEL: &str = MY_CHANNEL;",
    );
    assert_has(
        &generated(),
        "pub const EVENTS_CHANNEL: &str = \"events-v1\";",
    );
}

/// `Eq` and `Hash` for every type without a float anywhere below it, through named types,
/// containers, aliases and recursion; `Default` for a struct of only optional fields.
#[test]
fn eq_and_hash_unless_a_float_is_below() {
    let strukt = |name: &str, fields: Vec<Field>| TypeDef {
        meta: meta(name, 0),
        kind: TypeDefKind::Struct { fields },
    };
    let ir = Ir {
        version: IR_VERSION,
        files: vec![SourceFile {
            path: "main.ipc".into(),
            stem: "main".into(),
            package: None,
            docs: Vec::new(),
            imports: vec![],
            is_root: true,
        }],
        types: vec![
            // 0..=3: a chain down to a float, through an array, a map value and an alias.
            strukt("Top", vec![field("middle", array(named(1)))]),
            strukt(
                "Middle",
                vec![field("by_id", map(prim(Primitive::U32), named(2)))],
            ),
            TypeDef {
                meta: meta("Score", 0),
                kind: TypeDefKind::Alias { target: named(3) },
            },
            strukt(
                "Bottom",
                vec![field("value", optional(prim(Primitive::F32)))],
            ),
            // 4: recursive, no float; all fields optional.
            strukt("Tree", vec![field("next", optional(named(4)))]),
            // 5: recursive through a union whose variant holds a float.
            strukt("Loop", vec![field("shape", named(6))]),
            TypeDef {
                meta: meta("Shape", 0),
                kind: TypeDefKind::Union {
                    variants: vec![UnionVariant {
                        name: "circle".into(),
                        docs: vec![],
                        deprecated: None,
                        unit: false,
                        fields: vec![
                            field("r", prim(Primitive::F64)),
                            field("next", optional(named(5))),
                        ],
                    }],
                },
            },
        ],
        consts: vec![],
        interfaces: vec![],
        notifications: vec![],
    };
    assert_eq!(
        view::hashable_types(&ir),
        [false, false, false, false, true, false, false]
    );
    let text = try_generate(&ir).unwrap().remove(0).contents;
    let derives = |name: &str| {
        let at = text
            .find(&format!("pub struct {name} "))
            .or_else(|| text.find(&format!("pub enum {name} ")))
            .unwrap();
        let start = text[..at].rfind("#[derive(").unwrap();
        squash(&text[start..at])
    };
    assert!(
        derives("Tree").contains("PartialEq,Eq,Hash,Default,"),
        "{text}"
    );
    for name in ["Top", "Middle", "Bottom", "Loop", "Shape"] {
        assert!(!derives(name).contains("Hash"), "{name}: {text}");
    }
    // Only optional fields: `Default`, float or not; a required field or a union: none.
    assert!(derives("Bottom").contains("Default"), "{text}");
    for name in ["Top", "Middle", "Loop", "Shape"] {
        assert!(!derives(name).contains("Default"), "{name}: {text}");
    }
}
