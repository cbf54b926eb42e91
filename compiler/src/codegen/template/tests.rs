use super::*;
use crate::MemoryLoader;

const PEOPLE: &str = r#"package people;

/// A person.
/// Second line.
struct Person {
  id: i64;
  name?: string;
  tags: string[];
}
"#;

const GREETER: &str = r#"package greeter;
import "./people.ipc";

enum Map { a, b }

type Scores = map<string, f64>;

@channel("greeter-v1")
interface Greeter {
  @deprecated
  find(id: i64, scores: Scores?): Promise<people.Person[]>;
}
"#;

fn ir() -> Ir {
    let mut loader = MemoryLoader::default()
        .with("api/people.ipc", PEOPLE)
        .with("api/greeter.ipc", GREETER);
    let checked = crate::check_with(&[PathBuf::from("api/greeter.ipc")], &mut loader);
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
    checked.ir.expect("a model")
}

fn dir(files: &[(&str, &str)]) -> TemplateDir {
    TemplateDir::from_sources(
        "tpl",
        files
            .iter()
            .map(|(path, text)| (path.to_string(), text.to_string())),
    )
}

fn render(files: &[(&str, &str)]) -> Result<Vec<GeneratedFile>, TemplateErrors> {
    dir(files).render(&ir())
}

fn rendered(files: &[(&str, &str)]) -> Vec<(String, String)> {
    match render(files) {
        Ok(files) => files.into_iter().map(|f| (f.path, f.contents)).collect(),
        Err(errors) => panic!("{}", errors.render(false)),
    }
}

fn errors(files: &[(&str, &str)]) -> String {
    match render(files) {
        Ok(files) => panic!("rendered: {files:?}"),
        Err(errors) => errors.render(false),
    }
}

#[test]
fn per_file_templates_render_once_per_root_and_others_once() {
    let out = rendered(&[
        ("{{stem}}.txt.hbs", "{{file.path}} {{file.id}} {{stem}}"),
        ("all/index.txt.hbs", "{{#each files}}{{stem}};{{/each}}"),
        ("notes.md", "not a template"),
    ]);
    assert_eq!(
        out,
        [
            ("all/index.txt".to_string(), "people;greeter;".to_string()),
            (
                "greeter.txt".to_string(),
                "api/greeter.ipc 1 greeter".to_string()
            ),
        ]
    );
}

#[test]
fn partials_are_named_by_their_path_below_partials() {
    let out = rendered(&[
        ("x.hbs", "{{#each types}}{{> kind/line}}{{/each}}"),
        ("partials/kind/line.hbs", "{{name}}={{kind.kind}}\n"),
    ]);
    assert_eq!(out[0].1, "Person=struct\nMap=enum\nScores=alias\n");
}

#[test]
fn a_partial_never_replaces_a_template_of_the_same_name() {
    let out = rendered(&[
        ("x.hbs", "template {{> x.hbs}}"),
        ("partials/x.hbs.hbs", "partial"),
    ]);
    assert_eq!(out, [("x".to_string(), "template partial".to_string())]);
}

#[test]
fn type_helpers_spell_types_as_the_generators_do() {
    let template = "{{#each interfaces}}{{#each methods}}\
        {{#each params}}{{name}}: {{idl_type ty}} | {{rust_type ty}} | {{ts_type ty}}\n{{/each}}\
        result: {{idl_type result}} | {{rust_type result}} | {{ts_type result}}\n\
        {{/each}}{{/each}}";
    let out = rendered(&[("{{stem}}.hbs", template), ("all.hbs", template)]);
    let per_file = &out.iter().find(|f| f.0 == "greeter").unwrap().1;
    assert_eq!(
        per_file,
        "id: i64 | i64 | bigint\n\
         scores: Scores? | ::std::option::Option<Scores> | Scores | undefined\n\
         result: people.Person[] | ::std::vec::Vec<people::Person> | $people.Person[]\n"
    );
    // With no file in the context: as seen from outside every package and module.
    let whole = &out.iter().find(|f| f.0 == "all").unwrap().1;
    assert!(
        whole.contains("scores: greeter.Scores? | ::std::option::Option<greeter::Scores> | Scores | undefined\n"),
        "{whole}"
    );
    assert!(whole.contains("| Person[]\n"), "{whole}");
}

#[test]
fn ts_type_writes_shadowed_globals_as_the_module_does() {
    let out = rendered(&[(
        "{{stem}}.hbs",
        "{{#each types}}{{#if (eq kind.kind \"alias\")}}{{ts_type kind.target}}{{/if}}{{/each}}",
    )]);
    // greeter declares `Map`, so its module writes the global as `globalThis.Map`.
    assert_eq!(out[0].1, "globalThis.Map<string, number>");
}

#[test]
fn lookup_helpers_read_the_model() {
    let out = rendered(&[(
        "x.hbs",
        "{{#with (type_def 2)}}{{name}}{{/with}} {{json (resolve_alias 2)}} {{json (resolve_alias 0)}}\n\
         {{#each interfaces}}{{#each methods}}{{#with (type_def result.element)}}{{qualified_name}}{{/with}}\
         {{#if (ne deprecated null)}} deprecated{{/if}}{{/each}}{{/each}}",
    )]);
    assert_eq!(
        out[0].1,
        "Scores {\"key\":{\"kind\":\"primitive\",\"primitive\":\"string\"},\"kind\":\"map\",\"value\":{\"kind\":\"primitive\",\"primitive\":\"f64\"}} {\"id\":0,\"kind\":\"named\"}\n\
         people.Person deprecated"
    );
}

#[test]
fn of_file_keeps_the_declarations_of_a_file() {
    let out = rendered(&[
        (
            "{{stem}}.hbs",
            "{{#each (of_file types)}}{{name}} {{/each}}|{{#if (of_file consts)}}consts{{else}}no consts{{/if}}",
        ),
        ("all.hbs", "{{#each (of_file types file=0)}}{{name}}{{/each}}"),
    ]);
    assert_eq!(out[0], ("all".to_string(), "Person".to_string()));
    assert_eq!(
        out[1],
        ("greeter".to_string(), "Map Scores |no consts".to_string())
    );
    let text = errors(&[("x.hbs", "{{of_file types}}")]);
    assert!(text.contains("`of_file` needs a file"), "{text}");
    let text = errors(&[("{{stem}}.hbs", "{{of_file files}}")]);
    assert!(text.contains("is not a declaration"), "{text}");
}

#[test]
fn case_json_and_docs_helpers() {
    let out = rendered(&[(
        "x.hbs",
        "{{snake_case \"sayHello\"}} {{camel_case \"say_hello\"}} {{pascal_case \"sayHello\"}} \
         {{shouty_snake_case \"myChannel\"}} {{kebab_case \"HTTPServer\"}}\n\
         {{#with (type_def 0)}}{{docs docs prefix=\"/// \"}}\n{{json docs}}{{/with}}\n\
         {{json (type_def 1) pretty=true}}",
    )]);
    assert_eq!(
        out[0].1,
        "say_hello sayHello SayHello MY_CHANNEL http-server\n\
         /// A person.\n/// Second line.\n[\"A person.\",\"Second line.\"]\n\
         {\n  \"deprecated\": null,\n  \"docs\": [],\n  \"file\": 1,\n  \"kind\": {\n    \"kind\": \"enum\",\n    \"variants\": [\n      {\n        \"deprecated\": null,\n        \"docs\": [],\n        \"name\": \"a\"\n      },\n      {\n        \"deprecated\": null,\n        \"docs\": [],\n        \"name\": \"b\"\n      }\n    ]\n  },\n  \"name\": \"Map\",\n  \"qualified_name\": \"greeter.Map\",\n  \"since\": null\n}"
    );
}

#[test]
fn a_syntax_error_is_located_in_its_file_and_other_files_are_still_checked() {
    let text = errors(&[
        ("a.hbs", "ok\n{{#each types}}\n{{name}\n{{/each}}"),
        ("partials/p.hbs", "{{/if}}"),
    ]);
    assert!(
        text.contains("error[E0801]: invalid handlebars syntax: expected a name, a value, or `}}`\n --> tpl/a.hbs:3:7"),
        "{text}"
    );
    assert!(text.contains("--> tpl/partials/p.hbs:1:3"), "{text}");
    // Grammar rule names never show.
    assert!(!text.contains("_tilde_"), "{text}");
    let text = errors(&[
        ("x.hbs", "{{#each types}}\n{{/if}}"),
        ("y.hbs", "{{#if x}}"),
    ]);
    assert!(
        text.contains("`{{#each}}` is closed by `{{/if}}`\n --> tpl/x.hbs:2:1"),
        "{text}"
    );
    assert!(
        text.contains(
            "the template ends inside a block: a `{{#...}}` has no `{{/...}}`\n --> tpl/y.hbs:1:10"
        ),
        "{text}"
    );
}

#[test]
fn a_missing_field_is_a_located_error_in_strict_mode() {
    let text = errors(&[(
        "{{stem}}.md.hbs",
        "# {{file.stem}}\n\n{{#each types}}\n- {{nmae}}\n{{/each}}\n",
    )]);
    assert!(
        text.contains("error[E0801]: `nmae` does not exist here"),
        "{text}"
    );
    assert!(text.contains("--> tpl/{{stem}}.md.hbs:4:3"), "{text}");
    assert!(text.contains("4 | - {{nmae}}"), "{text}");
    assert!(text.contains("^^^^^^^^"), "{text}");
    // Once per template, not once per root file.
    assert_eq!(text.matches("error[").count(), 1, "{text}");
    // In a partial: located in the partial.
    let text = errors(&[
        ("x.hbs", "{{> p}}"),
        ("partials/p.hbs", "\n  {{nope.deeper}}"),
    ]);
    assert!(text.contains("--> tpl/partials/p.hbs:2:3"), "{text}");
    // In the file name.
    let text = errors(&[("{{stm}}.hbs", "")]);
    assert!(
        text.contains("--> tpl/{{stm}}.hbs (file name):1:1"),
        "{text}"
    );
}

#[test]
fn helper_misuse_and_unknown_names_are_errors_not_panics() {
    for (template, expected) in [
        ("{{type_def 99}}", "type id 99 does not exist"),
        ("{{rust_type 1 file=7}}", "`file` must be a file id below 2"),
        ("{{ts_type \"x\"}}", "`ts_type` expects a type"),
        (
            "{{snake_case 5}}",
            "`snake_case` expects a string, got the number `5`",
        ),
        ("{{docs 5}}", "`docs` expects a list of doc lines"),
        ("{{json}}", "`json` is missing argument 1"),
        ("{{frobnicate 1}}", "no helper `frobnicate`"),
        ("{{> nope}}", "no partial `nope`"),
        ("{{idl_type (lookup types 0)}}", "`idl_type` expects a type"),
    ] {
        let text = errors(&[("x.hbs", template)]);
        assert!(text.contains(expected), "{template}: {text}");
        assert!(text.contains("--> tpl/x.hbs:1:1"), "{template}: {text}");
    }
}

#[test]
fn output_paths_must_stay_inside_the_output_directory() {
    for (name, why) in [
        ("{{file.path}}/../../x.hbs", "a `..` segment"),
        ("{{#if stem}}/etc/passwd{{/if}}.hbs", "absolute"),
        ("{{#if stem}}{{/if}}.hbs", "empty"),
        ("a{{#if stem}}//{{/if}}b.hbs", "an empty segment"),
    ] {
        let text = errors(&[(name, "x")]);
        assert!(text.contains("error[E0802]"), "{name}: {text}");
        assert!(text.contains(why), "{name}: {text}");
    }
    // A path with a separator from the model makes folders, inside the output directory.
    let out = rendered(&[("{{file.path}}.md.hbs", "x")]);
    assert_eq!(out[0].0, "api/greeter.ipc.md");
}

#[test]
fn two_renderings_of_one_path_collide() {
    let mut loader = MemoryLoader::default()
        .with("a/x.ipc", "struct A { a: i32; }\n")
        .with("b/x.ipc", "struct B { b: i32; }\n");
    let checked = crate::check_with(
        &[PathBuf::from("a/x.ipc"), PathBuf::from("b/x.ipc")],
        &mut loader,
    );
    let ir = checked.ir.expect("a model");
    let errors = dir(&[("{{stem}}.md.hbs", "")]).render(&ir).unwrap_err();
    let text = errors.render(false);
    assert!(
        text.contains("`tpl/{{stem}}.md.hbs` for `a/x.ipc` and `tpl/{{stem}}.md.hbs` for `b/x.ipc` both write `x.md`"),
        "{text}"
    );
}

#[test]
fn output_is_not_escaped() {
    let out = rendered(&[("x.hbs", "{{#with (type_def 1)}}{{ts_type 2}} <&>{{/with}}")]);
    assert_eq!(out[0].1, "Scores <&>");
}
