//! Grammar tests: single rules of `grammar.pest` on accepted and rejected input, and `parse` on
//! whole files (AST shape, spans, and the code and position of each syntax error).

use ipcc::diagnostics::{Diagnostic, SourceId};
use ipcc::syntax::ast::{AttributeArg, ItemKind, Literal, TypeKind};
use ipcc::syntax::{parse, IpcParser, Rule};
use pest::{consumes_to, fails_with, parses_to, Parser};

/// True when `rule` matches the whole of `text`.
fn accepts(rule: Rule, text: &str) -> bool {
    match IpcParser::parse(rule, text) {
        Ok(mut pairs) => pairs
            .next()
            .is_some_and(|p| p.as_span().end() == text.len()),
        Err(_) => false,
    }
}

fn diagnostics(text: &str) -> Vec<Diagnostic> {
    parse(SourceId(0), text).1
}

/// `(code, byte offset of the primary span)` of every diagnostic.
fn codes(text: &str) -> Vec<(&'static str, u32)> {
    diagnostics(text)
        .iter()
        .map(|d| (d.code, d.span.map_or(u32::MAX, |s| s.start)))
        .collect()
}

fn messages(text: &str) -> Vec<String> {
    diagnostics(text).into_iter().map(|d| d.message).collect()
}

#[test]
fn every_example_parses_without_diagnostics() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../idl-examples");
    let mut stack = vec![std::path::PathBuf::from(root)];
    let mut count = 0;
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else if path.extension().is_some_and(|e| e == "ipc") {
            let text = std::fs::read_to_string(&path).unwrap();
            let (file, diagnostics) = parse(SourceId(0), &text);
            assert!(
                diagnostics.is_empty(),
                "{}: {diagnostics:#?}",
                path.display()
            );
            assert!(!file.unwrap().items.is_empty(), "{}", path.display());
            count += 1;
        }
    }
    assert!(count >= 5);
}

#[test]
fn identifiers_and_keywords() {
    assert!(accepts(Rule::ident, "Person"));
    assert!(accepts(Rule::ident, "_private9"));
    assert!(!accepts(Rule::ident, "9lives"));
    assert!(!accepts(Rule::ident, "naïve"));
    // Keywords are reserved as declaration names only.
    assert!(accepts(Rule::decl_name, "types"));
    assert!(!accepts(Rule::decl_name, "type"));
    assert!(!accepts(Rule::decl_name, "interface"));
    assert!(accepts(Rule::member_name, "type"));
    assert!(accepts(Rule::member_name, "interface"));
    assert!(accepts(Rule::kw_struct, "struct"));
    assert!(!accepts(Rule::kw_struct, "structs"));
}

#[test]
fn literals() {
    for ok in [r#""""#, r#""a \" \\ \n \t \u{1F600}""#, r#""é""#] {
        assert!(accepts(Rule::string, ok), "{ok}");
    }
    for bad in ["\"no end", "\"line\nbreak\"", "'single'"] {
        assert!(!accepts(Rule::string, bad), "{bad}");
    }
    for ok in ["0", "-12", "1.5", "-1e-3", "2.5E+10"] {
        assert!(accepts(Rule::number, ok), "{ok}");
        assert!(accepts(Rule::literal, ok), "{ok}");
    }
    assert!(!accepts(Rule::number, "-x"));
    assert!(!accepts(Rule::number, ".5"));
    assert!(accepts(Rule::boolean, "true"));
    assert!(accepts(Rule::boolean, "false"));
    assert!(!accepts(Rule::boolean, "truthy"));
}

#[test]
fn types() {
    for ok in [
        "string",
        "people.Person",
        "i64[]",
        "u32?",
        "string[]?",
        "Person?[]",
        "map<string, f64>",
        "map<u64, Person[]>",
        "map < string , bytes , >",
        "Promise<void>",
        "Promise<map<string, Shape?>>",
        "Result<A, B>",
        "map",
        "a.b.c",
        "acme.people.Person[]?",
        "a.b.c.d.e.F",
        "Promise<acme.people.Person>",
    ] {
        assert!(accepts(Rule::type_expr, ok), "{ok}");
    }
    for bad in [
        "",
        "[]",
        "map<string>",
        "Promise<>",
        "a .b",
        "a. b",
        "a..b",
        "a.",
        ".a",
        "i32[",
        "Promise<string",
    ] {
        assert!(!accepts(Rule::type_expr, bad), "{bad}");
    }
}

#[test]
fn attributes_and_docs() {
    assert!(accepts(Rule::attribute, "@deprecated"));
    assert!(accepts(Rule::attribute, r#"@deprecated("use find")"#));
    assert!(accepts(Rule::attribute, r#"@channel ( "x" )"#));
    assert!(accepts(Rule::attribute, "@channel(myChannel)"));
    assert!(accepts(Rule::attribute, "@channel(people.channel)"));
    assert!(accepts(Rule::attribute, "@channel(acme.consts.myChannel)"));
    assert!(!accepts(Rule::attribute, "@channel(acme..myChannel)"));
    assert!(!accepts(Rule::attribute, "@ channel"));
    assert!(!accepts(Rule::attribute, "@(\"x\")"));
    assert!(!accepts(Rule::attribute, "@channel(1)"));
    assert!(accepts(Rule::doc_comment, "/// text"));
    // Docs and attributes mix in any order before a member.
    assert!(accepts(
        Rule::field,
        "/// a\n@since(\"1.0\")\n/// b\nx: i32;"
    ));
}

#[test]
fn declarations() {
    for ok in [
        "package greeter;",
        "package a.b;",
        "package com.example.people;",
        // Keywords are read here and rejected when the tree is built (E0013).
        "package acme.type;",
        r#"import "./people.ipc";"#,
        "const answer = -42;",
        r#"const name = "x";"#,
        "const on = true;",
        "struct Empty {}",
        "struct P { a: i32; b?: string[]; }",
        "enum E { a }",
        "enum E { a, b, }",
        "enum E {}",
        "union U { a b { x: i32; } c, d {} }",
        "type Id = i64;",
        "interface I { m(): Promise<void>; }",
        "interface I { m(a: i32, b?: string,): Promise<i32> throws E; }",
        "interface I { m(); }",
        "notifications N { e(a: i32); f(); }",
        "/// doc\n@channel(\"c\") interface I {}",
    ] {
        assert!(accepts(Rule::declaration, ok), "{ok}");
    }
    for bad in [
        "package a..b;",
        "package a.;",
        "package .a;",
        "package a .b;",
        "package a. b;",
        "package a.2b;",
        "import people;",
        "const x;",
        "struct {}",
        "struct P { a: i32 }",
        "enum E { a b }",
        "enum E { , }",
        "type Id i64;",
        "interface I { m: Promise<void>; }",
        "interface I { m(,): Promise<void>; }",
        "notifications N { e(a: i32) }",
    ] {
        // `declaration` may match a prefix; a rejected input must not be matched whole.
        assert!(!accepts(Rule::declaration, bad), "{bad}");
    }
}

#[test]
fn comments_and_docs_are_told_apart() {
    let text = "// plain\n//// also plain\n/* block\n/// not a doc */\n/// Doc one.\n///Doc two.\nstruct A {\n  /// Field doc.\n  a: i32; // trailing\n}\n";
    let (file, diagnostics) = parse(SourceId(0), text);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let item = &file.unwrap().items[0];
    assert_eq!(item.leading.docs, vec!["Doc one.", "Doc two."]);
    let ItemKind::Struct(s) = &item.kind else {
        panic!("a struct")
    };
    assert_eq!(s.fields[0].leading.docs, vec!["Field doc."]);
}

#[test]
fn builds_the_ast_with_spans() {
    let text = "package greeter;\nimport \"./p.ipc\";\nconst c = \"a\\u{e9}\";\n@channel(c)\ninterface I {\n  m(a: map<string, i64[]>, b?: people.Person?): Promise<void> throws E;\n}\n";
    let (file, diagnostics) = parse(SourceId(3), text);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let file = file.unwrap();
    assert_eq!(file.package.unwrap().text, "greeter");
    assert_eq!(file.imports[0].path, "./p.ipc");
    let span = file.imports[0].path_span;
    assert_eq!(&text[span.start as usize..span.end as usize], "\"./p.ipc\"");
    let ItemKind::Const(c) = &file.items[0].kind else {
        panic!("a const")
    };
    assert!(matches!(&c.value, Literal::String(s, _) if s == "aé"));
    let item = &file.items[1];
    assert!(
        matches!(&item.leading.attributes[0].arg, Some(AttributeArg::Path(p)) if p.text == "c")
    );
    assert_eq!(
        &text[item.span.start as usize..item.span.start as usize + 9],
        "interface"
    );
    assert!(text[..item.span.end as usize].ends_with('}'));
    let ItemKind::Interface(i) = &item.kind else {
        panic!("an interface")
    };
    let m = &i.methods[0];
    assert_eq!(m.params.len(), 2);
    assert!(
        matches!(&m.params[0].ty.kind, TypeKind::Map(_, v) if matches!(v.kind, TypeKind::Array(_)))
    );
    assert!(m.params[1].optional.is_some());
    assert!(
        matches!(&m.params[1].ty.kind, TypeKind::Optional(t) if matches!(&t.kind, TypeKind::Named(p) if p.segment_count() == 2))
    );
    assert!(
        matches!(&m.returns.as_ref().unwrap().kind, TypeKind::Generic(p, args) if p.text == "Promise" && args.len() == 1)
    );
    assert!(m.throws.is_some());
    let ty = &m.params[0].ty;
    assert_eq!(
        &text[ty.span.start as usize..ty.span.end as usize],
        "map<string, i64[]>"
    );
}

#[test]
fn dotted_paths_split_into_segments_with_spans() {
    let text = "package acme.people;\n@channel(acme.consts.main)\ninterface I { m(): Promise<acme.jobs.Job>; }\n";
    let (file, diagnostics) = parse(SourceId(1), text);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let file = file.unwrap();
    let at = |span: ipcc::diagnostics::Span| &text[span.start as usize..span.end as usize];
    let package = file.package.unwrap();
    assert_eq!(package.text, "acme.people");
    assert_eq!(at(package.span), "acme.people");
    let segments: Vec<_> = package.segments().map(|s| (s.name, at(s.span))).collect();
    assert_eq!(segments, vec![("acme", "acme"), ("people", "people")]);
    let item = &file.items[0];
    let Some(AttributeArg::Path(channel)) = &item.leading.attributes[0].arg else {
        panic!("a path argument")
    };
    assert_eq!(channel.segment_count(), 3);
    assert_eq!(channel.name().name, "main");
    assert_eq!(at(channel.name().span), "main");
    let qualifier = channel.qualifier().unwrap();
    assert_eq!(
        (qualifier.text, at(qualifier.span)),
        ("acme.consts", "acme.consts")
    );
    let ItemKind::Interface(i) = &item.kind else {
        panic!("an interface")
    };
    let TypeKind::Generic(_, args) = &i.methods[0].returns.as_ref().unwrap().kind else {
        panic!("Promise<...>")
    };
    let TypeKind::Named(job) = &args[0].kind else {
        panic!("a name")
    };
    assert_eq!(
        job.segments().map(|s| s.name).collect::<Vec<_>>(),
        ["acme", "jobs", "Job"]
    );
    assert_eq!(at(job.qualifier().unwrap().span), "acme.jobs");
    assert!(job.single().is_none());
    // A plain name has one segment and no qualifier; the placeholder has none.
    let plain = ipcc::syntax::ast::Path {
        text: "Person",
        span: job.span,
    };
    assert_eq!(plain.single().map(|s| s.name), Some("Person"));
    assert!(plain.qualifier().is_none());
    let empty = ipcc::syntax::ast::Path::empty(job.span);
    assert_eq!((empty.segment_count(), empty.segments().count()), (0, 0));
}

#[test]
fn bad_package_names_have_their_own_code() {
    // A keyword segment: the segment is marked.
    assert_eq!(codes("package acme.type;"), vec![("E0013", 13)]);
    assert_eq!(
        messages("package struct;"),
        vec!["`struct` is a keyword and cannot be part of a package name"]
    );
    // Every keyword segment is reported.
    assert_eq!(
        codes("package enum.acme.type;"),
        vec![("E0013", 8), ("E0013", 18)]
    );
    // Not an identifier after a dot.
    assert_eq!(codes("package acme.2d;"), vec![("E0013", 13)]);
    assert_eq!(
        messages("package acme.;"),
        vec!["expected an identifier after `.` in a package name, found `;`"]
    );
    assert_eq!(codes("package acme..people;"), vec![("E0013", 13)]);
    // At the end of a line, the missing segment is marked there.
    assert_eq!(codes("package acme.\nstruct A {}"), vec![("E0013", 13)]);
    // Spaces around a dot.
    assert_eq!(codes("package acme .people;"), vec![("E0013", 12)]);
    assert_eq!(
        messages("package acme .people;"),
        vec!["space before `.` in a package name"]
    );
    assert_eq!(codes("package acme. people;"), vec![("E0013", 13)]);
    assert_eq!(
        messages("package acme. people;"),
        vec!["space after `.` in a package name"]
    );
    // At most 32 segments: each becomes a nested Rust module.
    let name = |n: usize| {
        (0..n)
            .map(|i| format!("s{i}"))
            .collect::<Vec<_>>()
            .join(".")
    };
    assert!(codes(&format!("package {};", name(32))).is_empty());
    assert_eq!(codes(&format!("package {};", name(33))), vec![("E0013", 8)]);
    // A missing `;` stays an E0001, and the rest of the file is still parsed.
    assert_eq!(
        codes("package acme.people\nstruct A {}\nstruct B { }"),
        vec![("E0001", 19)]
    );
    assert_eq!(
        messages("package ;"),
        vec!["expected identifier, found `;`"]
    );
    // In a type, a space after a dot gets a help line.
    let help: Vec<_> = diagnostics("struct A { b: acme. people.X; }")
        .into_iter()
        .map(|d| (d.code, d.help))
        .collect();
    assert_eq!(
        help,
        vec![(
            "E0001",
            Some("a qualified name has no spaces around `.`".to_string())
        )]
    );
}

#[test]
fn bom_and_crlf_are_accepted() {
    let text = "\u{feff}/// Doc.\r\nstruct A {\r\n  a: i32;\r\n}\r\n";
    let (file, diagnostics) = parse(SourceId(0), text);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    assert_eq!(file.unwrap().items[0].leading.docs, vec!["Doc."]);
}

#[test]
fn syntax_errors_have_codes_and_positions() {
    assert_eq!(codes("struct A { a: i32 }"), vec![("E0001", 18)]);
    // A missing `;` at a line end is reported at the line end.
    assert_eq!(
        codes("struct A {\n  a: i32\n  b: i32;\n}"),
        vec![("E0001", 19)]
    );
    assert_eq!(codes("struct A {\n  a: i32;\n"), vec![("E0002", 9)]);
    assert_eq!(codes("const c = \"abc;\n"), vec![("E0003", 10)]);
    assert_eq!(codes("struct A {}\n/* x"), vec![("E0004", 12)]);
    assert_eq!(codes("struct A { # }"), vec![("E0005", 11)]);
    assert_eq!(codes("strcut A {}"), vec![("E0006", 0)]);
    assert_eq!(codes("const c = \"\\q\";"), vec![("E0007", 11)]);
    assert_eq!(codes("const c = 1_000;"), vec![("E0008", 10)]);
    assert_eq!(codes("struct A {}\npackage p;"), vec![("E0010", 12)]);
    assert_eq!(codes("struct A { /// x\n}"), vec![("E0011", 11)]);
    assert_eq!(
        messages("interfcae I {}"),
        vec!["unknown keyword `interfcae`"]
    );
    assert_eq!(
        messages("struct A { a: ; }"),
        vec!["expected a type after `:`, found `;`"]
    );
    assert_eq!(
        messages("interface I { m(a: i32: Promise<void>; }"),
        vec!["expected `,` or `)`, found `:`"]
    );
    assert_eq!(
        messages("interface I { m(): Promise<void; }"),
        vec!["expected `,` or `>`, found `;`"]
    );
    assert_eq!(
        messages("@(\"x\") struct A {}"),
        vec!["expected attribute name, found `(`"]
    );
}

#[test]
fn messages_never_name_grammar_rules() {
    let rules = [
        "decl_name",
        "package_name",
        "member_name",
        "type_expr",
        "named_type",
        "semi",
        "lbrace",
        "rbrace",
        "attr_",
        "kw_",
        "EOI",
        "_decl",
        "variant_fields",
        "return_type",
        "throws_clause",
    ];
    let inputs = [
        "struct",
        "struct A",
        "struct A {",
        "struct A { a",
        "struct A { a:",
        "enum E { a b }",
        "union U { a { b } }",
        "type T = ;",
        "interface I { m(",
        "interface I { m(a",
        "interface I { m(a:",
        "interface I { m(): ",
        "interface I { m() throws ;",
        "notifications N { e() }",
        "@",
        "@c(",
        "@c(1)",
        "import",
        "import \"x\"",
        "package",
        "const c = ",
        "const c = -",
        "}",
        ")",
        "map<",
        "struct A { a: map<string i32>; }",
        "struct A { a: a.b.; }",
        "struct A { a: a..c; }",
        "package a.;",
        "package a .b;",
        "package a.type;",
        "\u{0}",
        "\u{feff}\u{feff}",
    ];
    for input in inputs {
        for d in diagnostics(input) {
            let text = format!("{} {:?} {:?} {:?}", d.message, d.label, d.help, d.secondary);
            for rule in rules {
                assert!(!text.contains(rule), "{input:?}: {text}");
            }
            assert!(d.span.is_some(), "{input:?}");
        }
        assert!(
            !diagnostics(input).is_empty(),
            "{input:?} should be rejected"
        );
    }
}

#[test]
fn one_error_does_not_hide_the_next() {
    let text = "struct A { a: i32 }\nenum E { a b }\ninterface I { m(: Promise<void>; }\nstruct Ok { x: i32; }\nunion U { a { b } }\n";
    let (file, diagnostics) = parse(SourceId(0), text);
    assert_eq!(diagnostics.len(), 4, "{diagnostics:#?}");
    let file = file.unwrap();
    assert_eq!(file.items.len(), 1);
    assert!(matches!(&file.items[0].kind, ItemKind::Struct(s) if s.name.name == "Ok"));
    // The declaration after an unclosed `{` is parsed.
    let text = "interface I {\n  m(): Promise<void>;\n\nstruct Ok { x: i32; }\n";
    let (file, diagnostics) = parse(SourceId(0), text);
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0].code, "E0002");
    assert_eq!(file.unwrap().items.len(), 1);
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    for depth in [33, 1_000, 10_000] {
        let maps = format!(
            "struct A {{ a: {}i32{}; }}",
            "map<string, ".repeat(depth),
            ">".repeat(depth)
        );
        assert_eq!(codes(&maps).first().map(|c| c.0), Some("E0009"), "{depth}");
        let generics = format!(
            "struct A {{ a: {}i32{}; }}",
            "Promise<".repeat(depth),
            ">".repeat(depth)
        );
        assert_eq!(
            codes(&generics).first().map(|c| c.0),
            Some("E0009"),
            "{depth}"
        );
        let arrays = format!("struct A {{ a: i32{}; }}", "[]".repeat(depth));
        assert_eq!(
            codes(&arrays).first().map(|c| c.0),
            Some("E0009"),
            "{depth}"
        );
        let unclosed = format!("struct A {{ a: {}", "map<".repeat(depth));
        assert!(!codes(&unclosed).is_empty());
        let brackets = "[".repeat(depth);
        assert!(!codes(&brackets).is_empty());
        let braces = "{".repeat(depth);
        assert!(!codes(&braces).is_empty());
    }
    // Within the limit, deep types are fine.
    let ok = format!(
        "struct A {{ a: {}i32{}; }}",
        "map<string, ".repeat(30),
        ">".repeat(30)
    );
    assert!(codes(&ok).is_empty());
}

#[test]
fn errors_are_bounded_on_garbage() {
    let garbage = "} ".repeat(100_000);
    let found = diagnostics(&garbage);
    assert!(found.len() <= 101);
    assert_eq!(found.last().map(|d| d.code), Some("E0012"));
}

/// A small deterministic generator, so this test needs no extra dependency and always runs the
/// same inputs.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn never_panics_on_random_input_or_mutations() {
    let alphabet: Vec<char> = "{}()<>[];:,.?=@/*\"\\ \n\tabcmapPromise0123456789-e#é\u{0}\r"
        .chars()
        .collect();
    let mut rng = Lcg(7);
    for _ in 0..2_000 {
        let len = (rng.next() % 80) as usize;
        let text: String = (0..len)
            .map(|_| alphabet[(rng.next() as usize) % alphabet.len()])
            .collect();
        let (file, _) = parse(SourceId(0), &text);
        assert!(file.is_some());
    }
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../idl-examples/keywords.ipc"
    ))
    .unwrap();
    let chars: Vec<char> = example.chars().collect();
    for _ in 0..500 {
        let mut mutated = chars.clone();
        for _ in 0..=(rng.next() % 4) {
            let at = (rng.next() as usize) % mutated.len();
            match rng.next() % 3 {
                0 => {
                    mutated.remove(at);
                }
                1 => mutated.insert(at, alphabet[(rng.next() as usize) % alphabet.len()]),
                _ => mutated[at] = alphabet[(rng.next() as usize) % alphabet.len()],
            }
        }
        let text: String = mutated.into_iter().collect();
        let (_, diagnostics) = parse(SourceId(0), &text);
        for d in diagnostics {
            let span = d.span.unwrap();
            assert!(
                span.start <= span.end && span.end as usize <= text.len(),
                "{d:?}"
            );
        }
    }
}

#[test]
fn a_large_file_parses() {
    let mut text = String::new();
    for i in 0..2_000 {
        text.push_str(&format!(
            "/// Struct {i}.\nstruct S{i} {{\n  id: i64;\n  name?: string;\n  tags: map<string, u32[]>;\n}}\n\n@channel(\"c{i}\")\ninterface I{i} {{\n  get(id: i64, filter?: string): Promise<S{i}?> throws E;\n  put(value: S{i}): Promise<void>;\n}}\n\n"
        ));
    }
    let (file, diagnostics) = parse(SourceId(0), &text);
    assert!(diagnostics.is_empty());
    assert_eq!(file.unwrap().items.len(), 4_000);
}

#[test]
fn parse_trees_of_a_field_and_a_type() {
    parses_to! {
        parser: IpcParser,
        input: "/// Doc.\nname?: string[];",
        rule: Rule::field,
        tokens: [
            field(0, 25, [
                doc_comment(0, 8),
                member_name(9, 13),
                question(13, 14),
                colon(14, 15),
                type_expr(16, 24, [
                    named_type(16, 22, [path(16, 22, [ident(16, 22)])]),
                    array_suffix(22, 24, [lbracket(22, 23), rbracket(23, 24)])
                ]),
                semi(24, 25)
            ])
        ]
    };
    parses_to! {
        parser: IpcParser,
        input: "map<string, p.T?>",
        rule: Rule::type_expr,
        tokens: [
            type_expr(0, 17, [
                map_type(0, 17, [
                    kw_map(0, 3),
                    langle(3, 4),
                    type_expr(4, 10, [named_type(4, 10, [path(4, 10, [ident(4, 10)])])]),
                    comma(10, 11),
                    type_expr(12, 16, [
                        named_type(12, 15, [path(12, 15, [ident(12, 13), dot(13, 14), ident(14, 15)])]),
                        question(15, 16)
                    ]),
                    rangle(16, 17)
                ])
            ])
        ]
    };
}

#[test]
fn rule_errors_name_the_expected_rules() {
    fails_with! {
        parser: IpcParser,
        input: "struct A { a: i32 }",
        rule: Rule::struct_decl,
        positives: vec![Rule::semi, Rule::question, Rule::langle, Rule::lbracket],
        negatives: vec![],
        pos: 18
    };
}

#[test]
fn every_broken_member_of_a_body_is_reported() {
    let text = "struct A {\n  a: i32\n  b: i32;\n  c i32;\n  d: i32;\n  e: ;\n}\ninterface I {\n  m(a: i32): Promise<void>;\n  n(a i32): Promise<void>;\n  o(): Promise<void> throw E;\n}\nstruct Ok { x: i32; }\n";
    let found = codes(text);
    let lines: Vec<usize> = found
        .iter()
        .map(|(_, at)| text[..*at as usize].matches('\n').count() + 1)
        .collect();
    assert_eq!(lines, vec![2, 4, 6, 10, 11], "{found:?}");
    let (file, _) = parse(SourceId(0), text);
    let file = file.unwrap();
    assert_eq!(file.items.len(), 1);
    assert!(matches!(&file.items[0].kind, ItemKind::Struct(s) if s.name.name == "Ok"));
}

#[test]
fn a_lone_carriage_return_ends_a_comment() {
    // The grammar ends comments at `\r` too; error reporting must agree on where tokens are.
    let text = "/// doc\rstruct A { a: i32 }\r// c\rstruct B { b: i32; }";
    assert_eq!(codes(text), vec![("E0001", 26)]);
    assert_eq!(parse(SourceId(0), text).0.unwrap().items.len(), 1);
}

#[test]
fn file_doc_comments_document_the_file() {
    let text = "\u{feff}// a plain comment\r\n//! The shop.\r\n//!\r\n/* between */\n//!  Indented.\npackage shop;\n/// An order.\nstruct Order { id: i64; }\n";
    let (file, diagnostics) = parse(SourceId(0), text);
    assert_eq!(diagnostics, Vec::new());
    let file = file.unwrap();
    assert_eq!(file.docs, vec!["The shop.", "", " Indented."]);
    // `///` still documents the declaration after it.
    assert_eq!(file.items[0].leading.docs, vec!["An order."]);

    // `///` first: the file has no docs, and a `//!` after it is misplaced.
    let (file, _) = parse(SourceId(0), "/// Doc.\n//! Late.\nstruct A {}\n");
    assert!(file.unwrap().docs.is_empty());
    // `////!` is a plain comment, `///!` a `///` doc, and `//!` in a string is text.
    assert_eq!(codes("////! x\n///! y\nconst s = \"//!\";\n"), vec![]);
    let (file, _) = parse(SourceId(0), "struct A {}\n");
    assert!(file.unwrap().docs.is_empty());
}

#[test]
fn a_file_doc_comment_after_a_declaration_is_e0014() {
    let text = "package shop;\n//! Late.\nstruct A {\n  a: i32;\n  //! Inside.\n}\n/// Doc.\n//! Before a doc.\nstruct B {}\n";
    let late = text.find("//! Late").unwrap() as u32;
    let inside = text.find("//! Inside").unwrap() as u32;
    let before = text.find("//! Before").unwrap() as u32;
    assert_eq!(
        codes(text),
        vec![("E0014", late), ("E0014", inside), ("E0014", before)]
    );
    let diagnostic = &diagnostics(text)[0];
    assert_eq!(
        diagnostic.span.map(|s| s.end - s.start),
        Some("//! Late.".len() as u32)
    );
    // In source order among other syntax errors.
    let text = "struct A { a i32; }\n//! Late.\nstruct B { b i32; }\n";
    let found: Vec<&str> = codes(text).iter().map(|(code, _)| *code).collect();
    assert_eq!(found, vec!["E0001", "E0014", "E0001"]);
}
