//! `ipcc gen --template` end to end: the folder convention (per-file and whole-model
//! templates, partials), the helpers, located errors with exit 1, paths that would leave the
//! output folder, writing only what changed, `[[templates]]` of `ipcc.toml`, and the bundled
//! Markdown example (snapshotted).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate sits in the workspace")
        .to_path_buf()
}

/// Runs `ipcc` with `dir` as its working directory.
fn ipcc_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ipcc"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("ipcc runs")
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited normally")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fresh directory holding the greeter example (`api/greeter.ipc`, `api/people.ipc`) and
/// the given template files below `tpl/`.
fn project(name: &str, templates: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ipcc-templates-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("api")).unwrap();
    for file in ["greeter.ipc", "people.ipc"] {
        std::fs::copy(
            workspace_dir().join("idl-examples/greeter").join(file),
            dir.join("api").join(file),
        )
        .unwrap();
    }
    for (path, text) in templates {
        let path = dir.join("tpl").join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// Sets `path`'s modification time far in the past, so that any later write shows; returns it.
fn age(path: &Path) -> std::time::SystemTime {
    let old = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(old).unwrap();
    old
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file below `dir`, relative, sorted.
fn files_below(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let relative = path.strip_prefix(base).unwrap();
                out.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    if dir.is_dir() {
        walk(dir, dir, &mut out);
    }
    out.sort();
    out
}

const GEN: &[&str] = &[
    "gen",
    "--color",
    "never",
    "--template",
    "tpl",
    "--out",
    "out",
    "api",
];

#[test]
fn templates_render_per_root_file_and_once_with_partials_and_helpers() {
    let dir = project(
        "render",
        &[
            (
                "{{stem}}.md.hbs",
                "# {{file.path}}\n{{#each (of_file interfaces)}}{{#each methods}}{{> method}}{{/each}}{{/each}}",
            ),
            (
                "partials/method.hbs",
                "- {{snake_case name}}: {{#if result}}{{rust_type result}} / {{ts_type result}} / {{idl_type result}}{{else}}void{{/if}}\n",
            ),
            (
                "rust/{{snake_case stem}}_ids.rs.hbs",
                "{{#each (of_file types)}}pub const {{shouty_snake_case name}}: &str = {{json qualified_name}};\n{{/each}}",
            ),
            ("channels.txt.hbs", "{{#each interfaces}}{{channel}}\n{{/each}}"),
            ("README.txt", "not a template: ignored"),
            (".hidden.hbs", "skipped"),
        ],
    );
    let output = ipcc_in(&dir, GEN);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let out = dir.join("out");
    assert_eq!(
        files_below(&out),
        [
            "channels.txt",
            "greeter.md",
            "people.md",
            "rust/greeter_ids.rs",
            "rust/people_ids.rs"
        ]
    );
    assert_eq!(read(&out.join("channels.txt")), "greeter-v1\n");
    assert_eq!(
        read(&out.join("greeter.md")),
        "# api/greeter.ipc\n\
         - greet: ::std::string::String / string / string\n\
         - find_person: people::Person / $people.Person / people.Person\n\
         - list: ::std::vec::Vec<people::Person> / $people.Person[] / people.Person[]\n\
         - set_mood: void\n"
    );
    assert_eq!(read(&out.join("people.md")), "# api/people.ipc\n");
    assert_eq!(
        read(&out.join("rust/people_ids.rs")),
        "pub const PERSON_ID: &str = \"people.PersonId\";\n\
         pub const PERSON: &str = \"people.Person\";\n\
         pub const MOOD: &str = \"people.Mood\";\n\
         pub const LOOKUP_ERROR: &str = \"people.LookupError\";\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unchanged_files_are_not_rewritten_and_check_mode_lists_stale_ones() {
    let dir = project(
        "unchanged",
        &[
            ("{{stem}}.txt.hbs", "{{file.stem}}\n"),
            ("all.txt.hbs", "all\n"),
        ],
    );
    let first = ipcc_in(&dir, GEN);
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    assert!(
        stderr(&first).ends_with(": 3 written, 0 unchanged\n"),
        "{}",
        stderr(&first)
    );
    // Dated far in the past, so that a rewrite shows in its modification time however coarse
    // the file system's clock and however fast the next run.
    let people = dir.join("out/people.txt");
    let stamp = age(&people);
    std::fs::write(dir.join("out/all.txt"), "edited\n").unwrap();
    let check = ipcc_in(&dir, &[&["gen", "--check"], &GEN[1..]].concat());
    assert_eq!(code(&check), 1);
    assert!(
        stderr(&check).contains("out of date: out/all.txt"),
        "{}",
        stderr(&check)
    );
    assert_eq!(read(&dir.join("out/all.txt")), "edited\n");
    let again = ipcc_in(&dir, GEN);
    assert!(
        stderr(&again).ends_with(": 1 written, 2 unchanged\n"),
        "{}",
        stderr(&again)
    );
    assert_eq!(read(&dir.join("out/all.txt")), "all\n");
    assert_eq!(
        std::fs::metadata(&people).unwrap().modified().unwrap(),
        stamp
    );
    // With the generators: all counted in one status line.
    let both = ipcc_in(&dir, &[GEN, &["--ts", "ts"]].concat());
    assert_eq!(code(&both), 0, "{}", stderr(&both));
    assert!(
        stderr(&both).ends_with(": 2 written, 3 unchanged\n"),
        "{}",
        stderr(&both)
    );
    assert!(dir.join("ts/greeter.ts").is_file());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_template_syntax_error_is_located_and_exits_1_writing_nothing() {
    let dir = project(
        "syntax",
        &[
            ("ok.txt.hbs", "fine"),
            (
                "{{stem}}.md.hbs",
                "# {{file.path}}\n{{#each types}}\n- {{name}\n{{/each}}\n",
            ),
        ],
    );
    let output = ipcc_in(&dir, GEN);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let text = stderr(&output);
    assert!(
        text.contains("error[E0801]: invalid handlebars syntax: expected a name, a value, or `}}`"),
        "{text}"
    );
    assert!(text.contains("--> tpl/{{stem}}.md.hbs:3:9"), "{text}");
    assert!(text.contains("3 | - {{name}"), "{text}");
    assert!(!text.contains("panicked"), "{text}");
    assert!(files_below(&dir.join("out")).is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_field_is_a_located_strict_mode_error_and_exits_1() {
    let dir = project(
        "strict",
        &[
            ("{{stem}}.md.hbs", "# {{file.path}}\n{{> type}}"),
            (
                "partials/type.hbs",
                "{{#each types}}\n  - {{name}} {{qualifiedName}}\n{{/each}}",
            ),
        ],
    );
    let output = ipcc_in(&dir, GEN);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let text = stderr(&output);
    assert!(
        text.contains("error[E0801]: `qualifiedName` does not exist here"),
        "{text}"
    );
    assert!(text.contains("--> tpl/partials/type.hbs:2:14"), "{text}");
    assert!(
        text.contains("help: templates render in strict mode"),
        "{text}"
    );
    // One error for the template, not one per root file.
    assert_eq!(text.matches("error[").count(), 1, "{text}");
    assert!(files_below(&dir.join("out")).is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_template_that_would_write_outside_the_output_folder_is_refused() {
    // A folder name rendered per root file, and a root whose stem is `..`.
    for (name, template, input) in [
        ("escape-if", "{{#if stem}}..{{/if}}/x.txt.hbs", "api"),
        ("escape-stem", "{{stem}}/x.txt.hbs", "api/...ipc"),
    ] {
        let dir = project(name, &[(template, "x")]);
        std::fs::write(dir.join("api/...ipc"), "struct Dots { x: i32; }\n").unwrap();
        let args = [
            "gen",
            "--color",
            "never",
            "--template",
            "tpl",
            "--out",
            "out/inner",
            input,
        ];
        let output = ipcc_in(&dir, &args);
        assert_eq!(code(&output), 1, "{}", stderr(&output));
        let text = stderr(&output);
        assert!(text.contains("error[E0802]: template `tpl/"), "{text}");
        assert!(
            text.contains("would write `../x.txt`: the path has a `..` segment"),
            "{text}"
        );
        assert!(files_below(&dir.join("out")).is_empty(), "{name}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn unusable_template_folders_are_usage_errors() {
    let dir = project("usage", &[("partials/only.hbs", "x")]);
    let output = ipcc_in(&dir, GEN);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("error: no template in `tpl`"),
        "{}",
        stderr(&output)
    );
    let missing = ["gen", "--template", "nowhere", "--out", "out", "api"];
    let output = ipcc_in(&dir, &missing);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("error: cannot read `nowhere`"),
        "{}",
        stderr(&output)
    );
    // `--template` needs `--out`.
    assert_eq!(
        code(&ipcc_in(&dir, &["gen", "--template", "tpl", "api"])),
        2
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ipcc_toml_templates_are_rendered_by_gen_with_no_arguments() {
    let dir = project("project", &[("{{stem}}.txt.hbs", "{{file.path}}\n")]);
    std::fs::write(
        dir.join("ipcc.toml"),
        "inputs = [\"api\"]\n[ts]\nout = \"gen/ts\"\n\n[[templates]]\ndir = \"tpl\"\nout = \"gen/docs\"\n",
    )
    .unwrap();
    let below = dir.join("api");
    let output = ipcc_in(&below, &["gen"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(
        stderr(&output).contains(": 4 written, 0 unchanged"),
        "{}",
        stderr(&output)
    );
    // Run from `api/`, the inputs are `../api`: paths start from the roots' folder.
    assert_eq!(read(&dir.join("gen/docs/greeter.txt")), "greeter.ipc\n");
    assert!(dir.join("gen/ts/greeter.ts").is_file());
    assert_eq!(code(&ipcc_in(&below, &["gen", "--check"])), 0);
    std::fs::write(dir.join("gen/docs/people.txt"), "edited").unwrap();
    let check = ipcc_in(&below, &["gen", "--check"]);
    assert_eq!(code(&check), 1);
    assert!(stderr(&check).contains("people.txt"), "{}", stderr(&check));
    // An output on the command line replaces all of the file's, templates included.
    let only_ts = ipcc_in(&below, &["gen", "--ts", "elsewhere"]);
    assert_eq!(code(&only_ts), 0, "{}", stderr(&only_ts));
    assert!(
        stderr(&only_ts).contains(": 2 written, 0 unchanged"),
        "{}",
        stderr(&only_ts)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The bundled example: Markdown API docs of `my-interface.ipc`, the greeter and the
/// deprecation example, one page per root file and an index of channels.
#[test]
fn the_markdown_docs_example_renders_the_examples() {
    let out = std::env::temp_dir().join(format!("ipcc-templates-{}-markdown", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let args = [
        "gen",
        "--template",
        "examples/templates/markdown-docs",
        "--out",
        out.to_str().unwrap(),
        "idl-examples/my-interface.ipc",
        "idl-examples/greeter",
        "idl-examples/docs-and-deprecation.ipc",
    ];
    let output = ipcc_in(&workspace_dir(), &args);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let files = files_below(&out);
    assert_eq!(
        files,
        [
            "docs-and-deprecation.md",
            "greeter.md",
            "index.md",
            "my-interface.md",
            "people.md"
        ]
    );
    for file in files {
        insta::assert_snapshot!(
            format!("markdown_docs__{file}"),
            without_schema_hashes(&read(&out.join(&file)))
        );
    }
    let _ = std::fs::remove_dir_all(&out);
}

/// The text with each schema hash replaced by `<schema hash>`: the hashes are the front end's
/// (tested by its own snapshots) and would churn these on every change to the hashing.
fn without_schema_hashes(text: &str) -> String {
    const MARK: &str = "schema hash `";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        let (head, tail) = rest.split_at(at + MARK.len());
        out.push_str(head);
        let hash_len = tail.find('`').unwrap_or(0);
        out.push_str(if hash_len == 16 {
            "<schema hash>"
        } else {
            &tail[..hash_len]
        });
        rest = &tail[hash_len..];
    }
    out.push_str(rest);
    out
}
