//! The change corpus of `ipcc compat` (`tests/compat/NN-name/`, and `tests/compat-streams/`
//! for streaming methods): pairs of versions, each with
//! its expected classification in the first line of the new version
//! (`// expect: W/S (why)`: old frontend → new backend, then new frontend → old backend; `W`
//! wire-breaking, `S` source-breaking, `C` compatible).
//!
//! For every pair: the classification holds; comparing the pair the other way round gives the
//! same wire verdicts with the directions swapped (the same two builds meet); the real binary's
//! output both ways is snapshotted. The judge's verdicts on every pair become the vectors both
//! runtimes replay (`tests/vectors/compat.json`; `IPCC_BLESS=1` rewrites it).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use ipcc::ir::wire_schema::{interface_schema, notifications_schema};
use ipcc_wire_compat::{judge, ChannelSchema, DEFAULT_BUDGET};
use serde_json::{json, Value};

/// Every pair: `tests/compat/`, then `tests/compat-streams/` (pairs with streaming methods,
/// kept apart because the runtime-level corpora, tests/compat-runtime and
/// tests/compat-agreement, generate code from every pair of `tests/compat/`, and the generators
/// refuse streams until the runtimes support them; they move into `tests/compat/` then).
fn corpus() -> Vec<PathBuf> {
    let mut cases = Vec::new();
    for folder in ["tests/compat", "tests/compat-streams"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
        let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        found.sort();
        cases.extend(found);
    }
    cases
}

/// `old.ipc` or the `old/` folder of a case (likewise `new`).
fn version(case: &Path, which: &str) -> PathBuf {
    let file = case.join(format!("{which}.ipc"));
    if file.is_file() {
        file
    } else {
        case.join(which)
    }
}

/// The case's expectation: the class letters of both directions.
fn expectation(case: &Path) -> (char, char) {
    let new = version(case, "new");
    let file = if new.is_dir() {
        new.join("main.ipc")
    } else {
        new
    };
    let text = std::fs::read_to_string(&file).unwrap();
    let line = text.lines().next().unwrap_or_default();
    let spec = line
        .strip_prefix("// expect: ")
        .unwrap_or_else(|| panic!("{}: no `// expect:` line", file.display()));
    let mut letters = spec.chars();
    let (a, slash, b) = (letters.next(), letters.next(), letters.next());
    assert_eq!(slash, Some('/'), "{spec}");
    (a.unwrap(), b.unwrap())
}

fn letter(class: &str) -> char {
    match class {
        "wire-breaking" => 'W',
        "source-breaking" => 'S',
        "compatible" => 'C',
        other => panic!("unknown class {other}"),
    }
}

/// `ipcc compat ARGS` run in the case's folder: exit code, stdout, stderr.
fn compat(case: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_ipcc"))
        .arg("compat")
        .args(args)
        .current_dir(case)
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// Changes that are asymmetric by nature: adding a member cannot break what worked before, but
/// removing it can, although the same two builds meet either way.
const ADDED_OR_REMOVED: [&str; 6] = [
    "methodAdded",
    "methodRemoved",
    "notificationAdded",
    "notificationRemoved",
    "channelAdded",
    "channelRemoved",
];

/// The worst class of every change, per direction.
fn classes(report: &Value) -> (char, char) {
    classes_without(report, &[])
}

/// The worst class of every change but those of the kinds in `skip`, per direction.
fn classes_without(report: &Value, skip: &[&str]) -> (char, char) {
    let mut worst = ['C', 'C'];
    let rank = |c: char| "CSW".find(c).unwrap();
    for channel in report["channels"].as_array().unwrap() {
        let changes = channel["changes"].as_array().unwrap();
        for change in changes
            .iter()
            .filter(|c| !skip.iter().any(|k| c["kind"] == *k))
        {
            for (slot, key) in ["oldFrontendNewBackend", "newFrontendOldBackend"]
                .iter()
                .enumerate()
            {
                let class = letter(change[key].as_str().unwrap());
                if rank(class) > rank(worst[slot]) {
                    worst[slot] = class;
                }
            }
        }
    }
    (worst[0], worst[1])
}

fn names(case: &Path) -> (String, String) {
    let name = |which: &str| {
        version(case, which)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned()
    };
    (name("old"), name("new"))
}

#[test]
fn every_pair_is_classified_as_expected_and_the_same_both_ways() {
    let cases = corpus();
    assert!(cases.len() >= 50, "{} pairs", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let label = case.file_name().unwrap().to_string_lossy().into_owned();
        let (old, new) = names(case);
        let expected = expectation(case);
        let (code, stdout, stderr) = compat(case, &["--format", "json", &old, &new]);
        assert!(code == 0 || code == 1, "{label}: exit {code}: {stderr}");
        let forward: Value = serde_json::from_str(&stdout).unwrap();
        let got = classes(&forward);
        if got != expected {
            failures.push(format!("{label}: expected {expected:?}, got {got:?}"));
        }
        // An error exactly when a channel that kept its name breaks the wire.
        let wire_breaking_on_kept_name = forward["channels"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["status"] == "changed")
            .flat_map(|c| c["changes"].as_array().unwrap())
            .any(|c| {
                c["oldFrontendNewBackend"] == "wire-breaking"
                    || c["newFrontendOldBackend"] == "wire-breaking"
            });
        assert_eq!(
            code == 1,
            wire_breaking_on_kept_name,
            "{label}: exit {code}"
        );

        // The other way round the same two builds meet, with the roles of old and new swapped:
        // the wire verdicts swap directions (but for additions, which are removals that way).
        let (_, stdout, _) = compat(case, &["--format", "json", &new, &old]);
        let backward: Value = serde_json::from_str(&stdout).unwrap();
        let (there, back) = (
            classes_without(&forward, &ADDED_OR_REMOVED),
            classes_without(&backward, &ADDED_OR_REMOVED),
        );
        let wire = |c: char| c == 'W';
        if (wire(there.0), wire(there.1)) != (wire(back.1), wire(back.0)) {
            failures.push(format!("{label}: {there:?} one way but {back:?} the other"));
        }
        let kinds = |report: &Value| -> Vec<String> {
            let mut kinds: Vec<String> = report["channels"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|c| c["changes"].as_array().unwrap())
                .map(|c| c["kind"].as_str().unwrap().to_owned())
                .filter(|k| ADDED_OR_REMOVED.contains(&k.as_str()))
                .collect();
            kinds.sort();
            kinds
        };
        let mirrored: Vec<String> = {
            let mut mirrored: Vec<String> = kinds(&backward)
                .iter()
                .map(|k| match k.strip_suffix("Added") {
                    Some(base) => format!("{base}Removed"),
                    None => k.replace("Removed", "Added"),
                })
                .collect();
            mirrored.sort();
            mirrored
        };
        assert_eq!(
            kinds(&forward),
            mirrored,
            "{label}: additions are removals the other way"
        );
        for channel in forward["channels"].as_array().unwrap() {
            let Some(verdicts) = channel["verdicts"].as_object() else {
                continue;
            };
            let other = backward["channels"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["newChannel"] == channel["newChannel"])
                .unwrap_or_else(|| panic!("{label}: channel missing the other way"));
            assert_eq!(
                verdicts["oldFrontendNewBackend"], other["verdicts"]["newFrontendOldBackend"],
                "{label}"
            );
            assert_eq!(
                verdicts["newFrontendOldBackend"], other["verdicts"]["oldFrontendNewBackend"],
                "{label}"
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_pair_renders_as_snapshotted() {
    for case in corpus() {
        let label = case.file_name().unwrap().to_string_lossy().into_owned();
        let (old, new) = names(&case);
        let mut shown = String::new();
        for (from, to) in [(&old, &new), (&new, &old)] {
            let (code, stdout, stderr) = compat(&case, &["--color", "never", from, to]);
            shown.push_str(&format!(
                "$ ipcc compat {from} {to}   # exit {code}\n{stdout}{stderr}\n"
            ));
        }
        insta::with_settings!({ snapshot_suffix => label.clone(), prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("compat", shown);
        });
    }
}

/// The judge's verdicts on every pair and direction, for the runtimes to replay.
fn vectors() -> Value {
    let mut cases = Vec::new();
    for case in corpus() {
        let label = case.file_name().unwrap().to_string_lossy().into_owned();
        let check = |which| {
            let checked = ipcc::check(&[version(&case, which)]);
            checked
                .ir
                .unwrap_or_else(|| panic!("{label}: {which} has errors"))
        };
        let (old, new) = (check("old"), check("new"));
        let schemas = |ir: &ipcc::ir::Ir| -> BTreeMap<String, ChannelSchema> {
            let interfaces = ir
                .interfaces
                .iter()
                .map(|i| (i.channel.clone(), interface_schema(ir, i).schema));
            let blocks = ir
                .notifications
                .iter()
                .map(|n| (n.channel.clone(), notifications_schema(ir, n).schema));
            interfaces.chain(blocks).collect()
        };
        let (old_schemas, new_schemas) = (schemas(&old), schemas(&new));
        for (channel, old_schema) in &old_schemas {
            let Some(new_schema) = new_schemas.get(channel) else {
                continue;
            };
            for (direction, frontend, backend) in [
                ("oldFrontendNewBackend", old_schema, new_schema),
                ("newFrontendOldBackend", new_schema, old_schema),
            ] {
                let judgement = judge(frontend, backend, DEFAULT_BUDGET).unwrap();
                let unusable: BTreeMap<&String, &String> = judgement
                    .members
                    .iter()
                    .filter_map(|(m, v)| Some((m, v.unusable.as_ref()?)))
                    .collect();
                cases.push(json!({
                    "name": format!("{label}/{channel}/{direction}"),
                    "frontend": serde_json::to_value(frontend).unwrap(),
                    "backend": serde_json::to_value(backend).unwrap(),
                    "unusable": unusable,
                    "backendOnly": judgement.backend_only,
                }));
            }
        }
    }
    json!({
        "description": "The handshake's verdicts (docs/protocol.md, \"Compatible changes\"): for each pair of the `ipcc compat` corpus (compiler/tests/compat), each channel and each direction, the frontend's and the backend's wire schemas, the frontend's members that do not work with the reason, and the members only the backend has. Generated by compiler/tests/compat.rs from the Rust judge; both runtimes must give exactly these.",
        "cases": cases,
    })
}

#[test]
fn the_runtime_vectors_are_those_of_the_corpus() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/compat.json");
    let expected = serde_json::to_string_pretty(&vectors()).unwrap() + "\n";
    if std::env::var_os("IPCC_BLESS").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == expected,
        "{} is out of date: run `IPCC_BLESS=1 cargo test -p ipcc --test compat`",
        path.display()
    );
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ipcc-compat-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

const V1: &str = "struct Person {\n  name: string;\n  age?: u32;\n}\n\n@channel(\"people-v1.2\")\ninterface People {\n  add(person: Person): Promise<void>;\n}\n";

#[test]
fn against_a_git_revision_reads_the_old_files_from_git() {
    let dir = scratch("git");
    std::fs::create_dir_all(dir.join("common")).unwrap();
    std::fs::create_dir_all(dir.join("app")).unwrap();
    std::fs::write(dir.join("common/people.ipc"), V1).unwrap();
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "v1"]);
    std::fs::write(
        dir.join("common/people.ipc"),
        V1.replace("age?: u32", "age: u32"),
    )
    .unwrap();

    // From a folder below the repository's top, paths relative to it.
    let (code, stdout, stderr) = compat(
        &dir.join("app"),
        &["--color", "never", "--against", "HEAD", "../common"],
    );
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stderr.contains(
            "error[E0501]: field `age` of `Person` became required on channel `people-v1.2`"
        ),
        "{stderr}"
    );
    assert!(stderr.contains(" --> ../common/people.ipc:3:3"), "{stderr}");
    assert!(
        stderr.contains(" ::: HEAD:../common/people.ipc:3:3"),
        "{stderr}"
    );
    assert!(stderr.contains("help: if the change is intended, give the channel a new name (`people-v1.2` → `people-v1.3`)"), "{stderr}");

    // The project file names the inputs and the revision.
    std::fs::write(
        dir.join("ipcc.toml"),
        "inputs = [\"common\"]\n[compat]\nagainst = \"HEAD\"\n",
    )
    .unwrap();
    let (code, _, stderr) = compat(&dir.join("app"), &["--color", "never"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("::: HEAD:../common/people.ipc:3:3"),
        "{stderr}"
    );

    // The working tree equal to the revision: nothing to report.
    git(&dir, &["stash", "-q"]);
    let (code, stdout, stderr) = compat(&dir, &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(stdout, "people-v1.2: unchanged\n");

    // A revision that does not exist is a usage error.
    let (code, _, stderr) = compat(&dir, &["--against", "no-such-rev"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("cannot read revision `no-such-rev`"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn deploy_order_decides_which_directions_are_errors() {
    // A new enum value in an argument breaks only a new frontend against an old backend.
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/compat");
    let case = std::fs::read_dir(&case)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.ends_with("40-enum-value-added-argument"))
        .expect("the corpus has the case");
    let (code, _, stderr) = compat(&case, &["--color", "never", "old.ipc", "new.ipc"]);
    assert_eq!(code, 1, "{stderr}");
    let (code, _, stderr) = compat(
        &case,
        &[
            "--color",
            "never",
            "--deploy",
            "backend-first",
            "old.ipc",
            "new.ipc",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("warning[W0502]: value `meh` added to enum `Mood` breaks new frontend → old backend only, which `--deploy` rules out"),
        "{stderr}"
    );
    let (code, _, _) = compat(&case, &["--deploy", "frontend-first", "old.ipc", "new.ipc"]);
    assert_eq!(code, 1);
}

#[test]
fn versions_with_errors_and_bad_arguments() {
    let dir = scratch("errors");
    std::fs::write(dir.join("old.ipc"), V1).unwrap();
    std::fs::write(
        dir.join("new.ipc"),
        V1.replace("name: string;", "name: strin;"),
    )
    .unwrap();
    let (code, _, stderr) = compat(&dir, &["--color", "never", "old.ipc", "new.ipc"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("error[E0112]"), "{stderr}");
    assert!(
        stderr.contains("the new version has errors; fix them to compare"),
        "{stderr}"
    );
    let (code, _, stderr) = compat(&dir, &["old.ipc"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("pass `OLD NEW`"), "{stderr}");
    // A version that cannot be read is a version with errors (E0101), as for `ipcc check`.
    let (code, _, stderr) = compat(&dir, &["old.ipc", "missing.ipc"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("error[E0101]: cannot read `missing.ipc`")
            && stderr.contains("the new version has errors"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
