use std::path::PathBuf;

use super::*;
use crate::MemoryLoader;

const PEOPLE: &str = "package acme.people;\n\n/// A person.\nstruct Person {\n  /// Their name.\n  name: string;\n  age?: u32;\n}\nconst channelName = \"people-v1\";\n";
const APP: &str = "import \"./people.ipc\";\n\n@channel(acme.people.channelName)\ninterface Staff {\n  find(id: i64): Promise<acme.people.Person?> throws Missing;\n}\nunion Missing { gone }\n";

fn analysis() -> Analysis {
    let mut loader = MemoryLoader::default()
        .with("d/people.ipc", PEOPLE)
        .with("d/app.ipc", APP);
    crate::analyze(&[PathBuf::from("d/app.ipc")], &mut loader)
}

fn offset(text: &str, needle: &str) -> u32 {
    text.find(needle).expect(needle) as u32
}

#[test]
fn indexes_declarations_members_and_references() {
    let analysis = analysis();
    assert!(
        !analysis.checked.has_errors(),
        "{:?}",
        analysis.checked.diagnostics
    );
    let app = analysis.source_of("d/app.ipc").unwrap();
    let people = analysis.source_of("d/people.ipc").unwrap();
    let people_index = analysis.file(people).unwrap();
    let names: Vec<(&str, SymbolKind)> = people_index
        .symbols
        .iter()
        .map(|s| (s.name.as_str(), s.kind))
        .collect();
    assert_eq!(
        names,
        [
            ("Person", SymbolKind::Struct),
            ("name", SymbolKind::Field),
            ("age", SymbolKind::Field),
            ("channelName", SymbolKind::Const)
        ]
    );
    assert_eq!(people_index.symbols[0].docs, ["A person."]);
    assert_eq!(people_index.declarations, [0, 3]);

    // The qualified type in the method's result resolves to `Person` in the other file.
    let at = offset(APP, "Person?") + 2;
    let hit = analysis.hit(app, at).unwrap();
    let target = analysis.symbol_at(app, hit).unwrap();
    assert_eq!(
        target,
        SymbolRef {
            source: people,
            symbol: 0
        }
    );
    assert_eq!(analysis.qualified_name(target), "acme.people.Person");
    // On the package part it is no symbol.
    let hit = analysis
        .hit(app, offset(APP, "acme.people.Person") + 1)
        .unwrap();
    assert!(matches!(
        hit,
        Hit::Reference {
            in_qualifier: true,
            ..
        }
    ));
    // The channel const, and `throws`.
    let hit = analysis.hit(app, offset(APP, "channelName)")).unwrap();
    assert_eq!(
        analysis.symbol_at(app, hit),
        Some(SymbolRef {
            source: people,
            symbol: 3
        })
    );
    let refs = analysis.references_to(SymbolRef {
        source: people,
        symbol: 0,
    });
    assert_eq!(refs.len(), 1);
    assert_eq!(analysis.text(refs[0]), "Person");
    let missing = analysis
        .file(app)
        .unwrap()
        .symbols
        .iter()
        .position(|s| s.name == "Missing")
        .unwrap();
    let refs = analysis.references_to(SymbolRef {
        source: app,
        symbol: missing,
    });
    assert_eq!(refs.len(), 1);
    // Primitives are references without a target.
    let hit = analysis.hit(app, offset(APP, "i64")).unwrap();
    let Hit::Reference { index, .. } = hit else {
        panic!("{hit:?}")
    };
    assert_eq!(
        analysis.file(app).unwrap().references[index].kind,
        RefKind::Primitive
    );
    // The import string leads to the file.
    let hit = analysis.hit(app, offset(APP, "people.ipc")).unwrap();
    assert_eq!(hit, Hit::Import(0));
    assert_eq!(analysis.file(app).unwrap().imports[0].target, Some(people));
    // Scopes: the package is qualified-only.
    let app_index = analysis.file(app).unwrap();
    assert_eq!(app_index.scope, [app]);
    assert_eq!(
        app_index.packages,
        [("acme.people".to_string(), vec![people])]
    );
}

#[test]
fn indexes_what_parsed_despite_errors() {
    let text = "struct A { b: Bogus; }\nstruct B { broken }\nstruct C { a: A; }\n";
    let mut loader = MemoryLoader::default().with("x.ipc", text);
    let analysis = crate::analyze(&[PathBuf::from("x.ipc")], &mut loader);
    assert!(analysis.checked.has_errors());
    let file = analysis.file(SourceId(0)).unwrap();
    let names: Vec<&str> = file.symbols.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["A", "b", "C", "a"]);
    let resolved: Vec<bool> = file.references.iter().map(|r| r.target.is_some()).collect();
    assert_eq!(resolved, [false, true]);
}

#[test]
fn check_and_analyze_report_the_same() {
    let mut loader = MemoryLoader::default()
        .with("d/people.ipc", PEOPLE)
        .with("d/app.ipc", APP.replace("Missing;", "Mising;"));
    let checked = crate::check_with(&[PathBuf::from("d/app.ipc")], &mut loader.clone());
    let analysis = crate::analyze(&[PathBuf::from("d/app.ipc")], &mut loader);
    assert_eq!(checked.diagnostics, analysis.checked.diagnostics);
    assert!(checked.has_errors());
}
