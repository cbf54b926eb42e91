//! Unit tests of the layout rules (docs/formatting.md), about one rule each. Whole files and
//! random inputs are in `tests/format.rs`.

use super::{format_source, verify, INTERNAL_ERROR, SOURCE};
use crate::syntax;

/// Formats `text` and checks that formatting again changes nothing.
fn fmt(text: &str) -> String {
    let formatted = match format_source(text) {
        Ok(formatted) => formatted,
        Err(diagnostics) => panic!("{text:?} does not format: {diagnostics:#?}"),
    };
    assert_eq!(
        format_source(&formatted).as_deref(),
        Ok(formatted.as_str()),
        "not idempotent"
    );
    formatted
}

#[test]
fn spacing_inside_a_line_is_normalised() {
    assert_eq!(
        fmt("struct S{a:i32;b ? :map < string , u8 [ ] ? , > ;c : pkg.T<i32,>;}"),
        "struct S {\n  a: i32;\n  b?: map<string, u8[]?>;\n  c: pkg.T<i32>;\n}\n"
    );
    assert_eq!(
        fmt("@channel ( \"c\" )interface I{m ( a : i32 , b ? : string , ) : Promise < void > throws E ;}"),
        "@channel(\"c\")\ninterface I {\n  m(a: i32, b?: string): Promise<void> throws E;\n}\n"
    );
    assert_eq!(
        fmt("const  x=-1.50e+3 ;type   T=A[ ]?;"),
        "const x = -1.50e+3;\ntype T = A[]?;\n"
    );
}

#[test]
fn every_member_gets_its_own_line() {
    assert_eq!(
        fmt("enum E { a, b }"),
        "enum E {\n  a,\n  b,\n}\n",
        "enum variants, each with a comma"
    );
    assert_eq!(
        fmt("union U { a, b { x: i32; y: i32; }, c {} }"),
        "union U {\n  a\n  b {\n    x: i32;\n    y: i32;\n  }\n  c {}\n}\n",
        "union variants, without commas"
    );
    assert_eq!(
        fmt("@channel(\"n\") notifications N { a(x: i32); b(); }"),
        "@channel(\"n\")\nnotifications N {\n  a(x: i32);\n  b();\n}\n"
    );
    assert_eq!(fmt("struct S {\n\n}"), "struct S {}\n");
}

#[test]
fn docs_and_attributes_go_on_lines_of_their_own_in_their_order() {
    assert_eq!(
        fmt("/// A.\n@deprecated @since(\"1\") /// B.\nstruct S { /// F.\n@deprecated(\"x\") f: i32; }"),
        "/// A.\n@deprecated\n@since(\"1\")\n/// B.\nstruct S {\n  /// F.\n  @deprecated(\"x\")\n  f: i32;\n}\n"
    );
}

#[test]
fn blank_lines_are_kept_collapsed_but_not_after_an_opening_or_before_a_closing_brace() {
    assert_eq!(
        fmt("struct S {\n\n\n  a: i32;\n\n\n\n  b: i32;\n\n}"),
        "struct S {\n  a: i32;\n\n  b: i32;\n}\n"
    );
    assert_eq!(
        fmt("\n\n// head\n\n\n\nconst a = 1;\n\n\n"),
        "// head\n\nconst a = 1;\n"
    );
}

#[test]
fn declarations_with_a_body_are_set_off_by_a_blank_line() {
    assert_eq!(
        fmt("import \"a.ipc\";\nconst a = 1;\nstruct S {}\n// about T\ntype T = S;\ntype U = S;"),
        "import \"a.ipc\";\nconst a = 1;\n\nstruct S {}\n\n// about T\ntype T = S;\ntype U = S;\n"
    );
    // A blank line the source has anywhere in the gap is enough.
    assert_eq!(
        fmt("struct S {}\n// floating\n\nstruct T {}"),
        "struct S {}\n// floating\n\nstruct T {}\n"
    );
}

#[test]
fn long_parameter_lists_wrap_one_per_line() {
    let name = "m".repeat(59);
    let fits = format!("interface I {{\n  {name}(a: string, bb: string): Promise<void>;\n}}\n");
    assert_eq!(fits.lines().nth(1).map(str::len), Some(100));
    assert_eq!(fmt(&fits), fits);
    let long = fits.replace("bb", "bbb");
    assert_eq!(
        fmt(&long),
        format!("interface I {{\n  {name}(\n    a: string,\n    bbb: string,\n  ): Promise<void>;\n}}\n")
    );
    // A comment that ends a line inside the list wraps it too.
    assert_eq!(
        fmt("interface I { m(a: i32, // why\nb: i32): Promise<void>; }"),
        "interface I {\n  m(\n    a: i32, // why\n    b: i32,\n  ): Promise<void>;\n}\n"
    );
}

#[test]
fn comments_stay_where_they_are() {
    assert_eq!(
        fmt("struct S { // after brace\n      // own line\n a: i32; /* after */ b: i32; // end\n}"),
        "struct S { // after brace\n  // own line\n  a: i32; /* after */\n  b: i32; // end\n}\n"
    );
    assert_eq!(
        fmt("struct S { a: // odd\ni32; }"),
        "struct S {\n  a: // odd\n    i32;\n}\n",
        "a break a comment forces is a continuation line"
    );
    assert_eq!(fmt("/* x */ const a = 1;"), "/* x */ const a = 1;\n");
}

#[test]
fn comment_text_is_kept_but_trailing_blanks_and_carriage_returns_are_not() {
    assert_eq!(
        fmt("// note \t\r\nconst a = 1; /* a\r\n  b */\r\n/// doc  \r\nconst b = 2;"),
        "// note\nconst a = 1; /* a\n  b */\n/// doc  \nconst b = 2;\n"
    );
}

#[test]
fn file_doc_comments_are_kept_as_written_and_refused_after_a_declaration() {
    let text = "//! The shop.  \r\n//!\n// a plain comment\n\n\n//! Orders.\npackage   shop;\n/// An order.\nstruct Order{id:i64;}\n";
    let formatted = fmt(text);
    assert_eq!(
        formatted,
        "//! The shop.  \n//!\n// a plain comment\n\n//! Orders.\npackage shop;\n\n/// An order.\nstruct Order {\n  id: i64;\n}\n"
    );
    assert_eq!(fmt(&formatted), formatted, "idempotent");
    let (file, _) = syntax::parse(SOURCE, &formatted);
    assert_eq!(file.unwrap().docs, vec!["The shop.  ", "", "Orders."]);
    let diagnostics = format_source("struct A {}\n//! Late.\n").unwrap_err();
    assert_eq!(diagnostics[0].code, syntax::codes::MISPLACED_FILE_DOC);
}

#[test]
fn line_endings_tabs_and_the_end_of_the_file() {
    assert_eq!(
        fmt("struct S {\r\n\ta: i32;\r\n}\r\n\r\n\r\n"),
        "struct S {\n  a: i32;\n}\n"
    );
    assert_eq!(fmt(""), "");
    assert_eq!(fmt(" \n\t\n"), "");
    assert_eq!(fmt("// only\n\n"), "// only\n");
    assert_eq!(fmt("const a = 1;"), "const a = 1;\n");
    assert_eq!(
        fmt("\u{feff}const a = 1;"),
        "\u{feff}const a = 1;\n",
        "a byte-order mark is kept"
    );
}

#[test]
fn literals_and_names_are_verbatim() {
    assert_eq!(
        fmt("const s = \"\\u{41} \\\" // x\"; const f = 6.02E23; const b = true;"),
        "const s = \"\\u{41} \\\" // x\";\nconst f = 6.02E23;\nconst b = true;\n"
    );
}

#[test]
fn syntax_errors_are_refused_and_semantic_ones_are_not() {
    let diagnostics = format_source("struct S { a: i32 }").unwrap_err();
    assert_eq!(diagnostics[0].code, syntax::codes::EXPECTED);
    assert!(format_source("const s = \"\\q\";").is_err());
    // Unknown names, a missing channel, a method without a Promise: formatting is syntactic.
    assert_eq!(
        fmt("interface I { m(): Nope; }"),
        "interface I {\n  m(): Nope;\n}\n"
    );
}

#[test]
fn the_safety_net_refuses_output_that_means_something_else() {
    let text = "// c\nstruct S { a: i32; }\n";
    let tree = || syntax::parse(SOURCE, text).0.expect("a tree");
    assert!(verify::check(text, tree(), "// c\nstruct S {\n  a: i32;\n}\n").is_ok());
    for (wrong, reason) in [
        ("// c\nstruct S { a: i64; }\n", "declarations"),
        ("// d\nstruct S { a: i32; }\n", "comment 1"),
        ("struct S { a: i32; }\n", "comments"),
        ("// c\nstruct S { a: i32 }\n", "does not parse"),
    ] {
        let error = verify::check(text, tree(), wrong).unwrap_err();
        assert!(error.contains(reason), "{error}");
    }
    assert_eq!(super::internal_error("x").code, INTERNAL_ERROR);
}
