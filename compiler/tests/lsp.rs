//! `ipcc lsp` through a real client: the `ipcc` binary as a child process, spoken to over its
//! stdin and stdout with `Content-Length` framed JSON-RPC, messages built from `lsp-types`.
//!
//! Every wait is for a message of the server's; the timeout only turns a hang into a failure.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use lsp_types::*;
use serde_json::{json, Value};

const TIMEOUT: Duration = Duration::from_secs(30);

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: mpsc::Receiver<Value>,
    /// Messages read while waiting for something else.
    queued: VecDeque<Value>,
    next_id: i64,
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Client {
    /// Starts `ipcc lsp` and initializes it with `root` as the workspace folder.
    fn start(root: &Path) -> Client {
        Self::start_with(root, &[])
    }

    fn start_with(root: &Path, env: &[(&str, &str)]) -> Client {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ipcc"));
        command
            .arg("lsp")
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(if std::env::var_os("IPCC_LSP_TEST_LOG").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            });
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("start ipcc lsp");
        let stdout = child.stdout.take().unwrap();
        let (sender, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        let mut client = Client {
            child,
            stdin,
            incoming,
            queued: VecDeque::new(),
            next_id: 0,
        };
        let root_uri = Url::from_file_path(root).unwrap();
        #[allow(deprecated)]
        let params = InitializeParams {
            root_uri: Some(root_uri.clone()),
            workspace_folders: Some(vec![WorkspaceFolder {
                uri: root_uri,
                name: "test".into(),
            }]),
            ..Default::default()
        };
        let result = client.request_ok("initialize", json!(params));
        let capabilities = &result["capabilities"];
        assert_eq!(capabilities["positionEncoding"], "utf-16");
        assert_eq!(capabilities["renameProvider"]["prepareProvider"], true);
        client.notify("initialized", json!({}));
        client
    }

    fn send(&mut self, message: Value) {
        let text = message.to_string();
        self.send_raw(&text);
    }

    fn send_raw(&mut self, body: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns the whole response (`result` or `error`).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait_for(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none())
    }

    fn request_ok(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(
            response.get("error").is_none(),
            "{method} failed: {response}"
        );
        response["result"].clone()
    }

    /// The first message (queued or new) that `wanted` accepts; the others stay queued.
    fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(index) = self.queued.iter().position(&wanted) {
            return self.queued.remove(index).unwrap();
        }
        loop {
            let message = match self.incoming.recv_timeout(TIMEOUT) {
                Ok(message) => message,
                Err(e) => panic!(
                    "no answer from the server ({e}); unclaimed: {:?}",
                    self.queued
                ),
            };
            if wanted(&message) {
                return message;
            }
            self.queued.push_back(message);
        }
    }

    /// The diagnostics published for `uri` at document version `version` (`None`: a file that
    /// is not open).
    fn diagnostics(&mut self, uri: &Url, version: Option<i32>) -> Vec<Diagnostic> {
        let uri = uri.to_string();
        let message = self.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && m["params"]["version"].as_i64() == version.map(i64::from)
        });
        serde_json::from_value(message["params"]["diagnostics"].clone()).unwrap()
    }

    fn open(&mut self, uri: &Url, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "ipc", "version": 1, "text": text}}),
        );
    }

    fn change(&mut self, uri: &Url, version: i32, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        );
    }

    fn position(&mut self, method: &str, uri: &Url, position: Position, extra: Value) -> Value {
        let mut params = json!({"textDocument": {"uri": uri}, "position": position});
        if let (Some(params), Some(extra)) = (params.as_object_mut(), extra.as_object()) {
            params.extend(extra.clone());
        }
        self.request(method, params)
    }

    /// `shutdown` then `exit`; the exit status.
    fn stop(mut self) -> i32 {
        let result = self.request_ok("shutdown", Value::Null);
        assert_eq!(result, Value::Null);
        self.notify("exit", Value::Null);
        self.stdin = None;
        self.child.wait().unwrap().code().unwrap_or(-1)
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh directory for one test's files.
fn workspace(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ipcc-lsp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.canonicalize().unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> Url {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    Url::from_file_path(path).unwrap()
}

/// The position of the `nth` occurrence of `needle` in `text` (plus `shift` characters), in
/// UTF-16 code units as the protocol counts.
fn pos(text: &str, needle: &str, shift: u32) -> Position {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} in text"));
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let character = before[line_start..].encode_utf16().count() as u32;
    Position::new(line, character + shift)
}

const PEOPLE: &str = "package acme.people;\n\n/// Someone on the staff.\nstruct Person {\n  /// Their full name.\n  name: string;\n  id: i64;\n}\n";

const CONSTS: &str = "package acme.consts;\n\nconst myChannel = \"staff-v1\";\n";

const STAFF: &str = "package acme.staff;\nimport \"./people.ipc\";\nimport \"./consts.ipc\";\n\n@channel(acme.consts.myChannel)\ninterface Staff {\n  find(id: i64): Promise<acme.people.Person?>;\n  all(): Promise<acme.people.Person[]>;\n}\n";

#[test]
fn diagnostics_follow_edits_with_utf16_ranges() {
    let dir = workspace("diagnostics");
    let text = "// é 😀 comment\nconst s = \"😀 é\"; struct A { b: string; }\n";
    let uri = write(&dir, "a.ipc", text);
    let mut client = Client::start(&dir);
    client.open(&uri, text);
    assert_eq!(client.diagnostics(&uri, Some(1)), []);

    // An unknown type after non-ASCII text on the same line and the line before.
    let at = pos(text, "string", 0);
    client.change(
        &uri,
        2,
        json!([{"range": Range::new(at, Position::new(at.line, at.character + 6)), "text": "Strin"}]),
    );
    let diagnostics = client.diagnostics(&uri, Some(2));
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let d = &diagnostics[0];
    assert_eq!(d.code, Some(NumberOrString::String("E0112".into())));
    assert_eq!(d.source.as_deref(), Some("ipcc"));
    assert_eq!(d.severity, Some(DiagnosticSeverity::ERROR));
    // `const s = "😀 é"; struct A { b: ` is 31 characters, 32 UTF-16 units (😀 counts two).
    assert_eq!(at, Position::new(1, 32));
    assert_eq!(d.range, Range::new(at, Position::new(1, 37)));
    assert!(d.message.contains("unknown type `Strin`"), "{}", d.message);
    assert!(
        d.message.contains("help: did you mean `string`?"),
        "{}",
        d.message
    );

    // A duplicate field: the first definition is related information.
    client.change(
        &uri,
        3,
        json!([{"text": "struct A {\n  b: string;\n  b: i32;\n}\n"}]),
    );
    let diagnostics = client.diagnostics(&uri, Some(3));
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let related = diagnostics[0].related_information.clone().unwrap();
    assert_eq!(related[0].location.uri, uri);
    assert_eq!(related[0].location.range.start, Position::new(1, 2));
    assert_eq!(related[0].message, "first defined here");

    // Fixed: cleared.
    client.change(&uri, 4, json!([{"text": "struct A {\n  b: string;\n}\n"}]));
    assert_eq!(client.diagnostics(&uri, Some(4)), []);
    assert_eq!(client.stop(), 0);
}

#[test]
fn errors_of_an_imported_file_are_reported_on_it_and_open_buffers_win() {
    let dir = workspace("imported");
    let broken = "package acme.people;\nstruct Person { name: Strng; }\n";
    let people = write(&dir, "people.ipc", broken);
    let app_text = "import \"./people.ipc\";\nstruct Team { lead: acme.people.Person; }\n";
    let app = write(&dir, "app.ipc", app_text);
    let mut client = Client::start(&dir);
    client.open(&app, app_text);
    let on_import = client.diagnostics(&people, None);
    assert_eq!(on_import.len(), 1, "{on_import:?}");
    assert_eq!(on_import[0].range.start, Position::new(1, 22));

    // The editor's unsaved text of the imported file wins over the disk.
    client.open(&people, &broken.replace("Strng", "string"));
    assert_eq!(client.diagnostics(&people, Some(1)), []);
    // Closing it reads the disk again.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": people}}),
    );
    assert_eq!(client.diagnostics(&people, None).len(), 1);
    assert_eq!(client.stop(), 0);
}

#[test]
fn hover_shows_signatures_docs_and_primitive_mappings() {
    let dir = workspace("hover");
    write(&dir, "people.ipc", PEOPLE);
    write(&dir, "consts.ipc", CONSTS);
    let staff = write(&dir, "staff.ipc", STAFF);
    let mut client = Client::start(&dir);
    client.open(&staff, STAFF);
    client.diagnostics(&staff, Some(1));

    let hover = |client: &mut Client, uri: &Url, position: Position| -> String {
        let result = client.position("textDocument/hover", uri, position, json!({}));
        assert!(result.get("error").is_none(), "{result}");
        result["result"]["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    // A type, through its qualified name in another file.
    let text = hover(&mut client, &staff, pos(STAFF, "Person?", 1));
    assert!(text.contains("struct Person {"), "{text}");
    assert!(text.contains("struct `acme.people.Person`"), "{text}");
    assert!(text.contains("Someone on the staff."), "{text}");
    // A primitive: its Rust and TypeScript types.
    let text = hover(&mut client, &staff, pos(STAFF, "i64", 0));
    assert!(text.contains("| `i64` | `bigint` |"), "{text}");
    // A member: its type, in the other file.
    let people = Url::from_file_path(dir.join("people.ipc")).unwrap();
    client.open(&people, PEOPLE);
    let text = hover(&mut client, &people, pos(PEOPLE, "name:", 0));
    assert!(
        text.contains("field `acme.people.Person.name` of struct `Person`, type `string`"),
        "{text}"
    );
    assert!(text.contains("Their full name."), "{text}");
    // A method and a parameter.
    let text = hover(&mut client, &staff, pos(STAFF, "find", 0));
    assert!(
        text.contains("find(id: i64): Promise<acme.people.Person?>;"),
        "{text}"
    );
    let text = hover(&mut client, &staff, pos(STAFF, "id: i64", 0));
    assert!(
        text.contains("parameter `acme.staff.Staff.find.id` of method `find`, type `i64`"),
        "{text}"
    );
    assert_eq!(client.stop(), 0);
}

#[test]
fn hover_on_an_import_or_a_package_shows_the_file_docs() {
    let dir = workspace("hover-file-docs");
    let shared = "//! Types every team shares.\n//!\n//! Owned by the platform team.\npackage acme.shared;\n\nstruct Id { value: i64; }\n";
    let team =
        "package acme.team;\nimport \"./shared.ipc\";\n\nstruct Team { id: acme.shared.Id; }\n";
    write(&dir, "shared.ipc", shared);
    let team_uri = write(&dir, "team.ipc", team);
    let mut client = Client::start(&dir);
    client.open(&team_uri, team);
    client.diagnostics(&team_uri, Some(1));
    let hover = |client: &mut Client, uri: &Url, position: Position| -> String {
        let result = client.position("textDocument/hover", uri, position, json!({}));
        result["result"]["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let text = hover(&mut client, &team_uri, pos(team, "./shared.ipc", 0));
    assert!(text.starts_with("import of `"), "{text}");
    assert!(
        text.ends_with("\n\nTypes every team shares.\n\nOwned by the platform team."),
        "{text}"
    );
    // A file without `//!` docs: the first line alone.
    let text = hover(&mut client, &team_uri, pos(team, "acme.team", 0));
    assert_eq!(text, "package `acme.team`");
    let shared_uri = Url::from_file_path(dir.join("shared.ipc")).unwrap();
    client.open(&shared_uri, shared);
    let text = hover(&mut client, &shared_uri, pos(shared, "acme.shared", 0));
    assert_eq!(
        text,
        "package `acme.shared`\n\nTypes every team shares.\n\nOwned by the platform team."
    );
    assert_eq!(client.stop(), 0);
}

#[test]
fn definition_and_references_across_files_and_qualified_names() {
    let dir = workspace("navigation");
    let people = write(&dir, "people.ipc", PEOPLE);
    let consts = write(&dir, "consts.ipc", CONSTS);
    let staff = write(&dir, "staff.ipc", STAFF);
    let mut client = Client::start(&dir);
    client.open(&staff, STAFF);
    client.diagnostics(&staff, Some(1));

    let definition = client.position(
        "textDocument/definition",
        &staff,
        pos(STAFF, "Person[]", 2),
        json!({}),
    );
    let location: Location = serde_json::from_value(definition["result"].clone()).unwrap();
    assert_eq!(location.uri, people);
    assert_eq!(
        location.range,
        Range::new(pos(PEOPLE, "Person {", 0), pos(PEOPLE, "Person {", 6))
    );
    // The package part of a qualified name leads to the `package` line.
    let definition = client.position(
        "textDocument/definition",
        &staff,
        pos(STAFF, "people.Person?", 1),
        json!({}),
    );
    let location: Location = serde_json::from_value(definition["result"].clone()).unwrap();
    assert_eq!(location.range.start, pos(PEOPLE, "acme.people", 0));
    // A `@channel` const.
    let definition = client.position(
        "textDocument/definition",
        &staff,
        pos(STAFF, "myChannel", 3),
        json!({}),
    );
    let location: Location = serde_json::from_value(definition["result"].clone()).unwrap();
    assert_eq!(location.uri, consts);
    assert_eq!(location.range.start, pos(CONSTS, "myChannel", 0));
    // An import string opens the file.
    let definition = client.position(
        "textDocument/definition",
        &staff,
        pos(STAFF, "people.ipc", 0),
        json!({}),
    );
    assert_eq!(definition["result"]["uri"], people.as_str());

    // References from the declaration, in a file that is not open: both uses in staff.ipc.
    client.open(&people, PEOPLE);
    let refs = client.position(
        "textDocument/references",
        &people,
        pos(PEOPLE, "Person {", 0),
        json!({"context": {"includeDeclaration": true}}),
    );
    let mut locations: Vec<Location> = serde_json::from_value(refs["result"].clone()).unwrap();
    locations.sort_by_key(|l| (l.uri.to_string(), l.range.start.line));
    assert_eq!(locations.len(), 3, "{locations:?}");
    assert_eq!(locations[0].uri, people);
    assert_eq!(
        locations[1].range,
        Range::new(pos(STAFF, "Person?", 0), pos(STAFF, "Person?", 6))
    );
    assert_eq!(locations[2].range.start, pos(STAFF, "Person[]", 0));
    let refs = client.position(
        "textDocument/references",
        &people,
        pos(PEOPLE, "Person {", 0),
        json!({"context": {"includeDeclaration": false}}),
    );
    assert_eq!(refs["result"].as_array().unwrap().len(), 2);
    assert_eq!(client.stop(), 0);
}

#[test]
fn rename_across_files_with_refusals_and_wire_warnings() {
    let dir = workspace("rename");
    let people = write(&dir, "people.ipc", PEOPLE);
    write(&dir, "consts.ipc", CONSTS);
    let staff = write(&dir, "staff.ipc", STAFF);
    let mut client = Client::start(&dir);
    client.open(&staff, STAFF);
    client.diagnostics(&staff, Some(1));
    client.open(&people, PEOPLE);
    client.diagnostics(&people, Some(1));

    let at = pos(STAFF, "Person?", 2);
    let prepared = client.position("textDocument/prepareRename", &staff, at, json!({}));
    assert_eq!(prepared["result"]["placeholder"], "Person");
    assert_eq!(
        prepared["result"]["range"],
        json!(Range::new(
            pos(STAFF, "Person?", 0),
            pos(STAFF, "Person?", 6)
        ))
    );
    // Not on a primitive.
    let prepared = client.position(
        "textDocument/prepareRename",
        &staff,
        pos(STAFF, "i64", 0),
        json!({}),
    );
    assert!(
        prepared["error"]["message"]
            .as_str()
            .unwrap()
            .contains("built-in"),
        "{prepared}"
    );

    // A type: every use in both files, and a note that only the source changes.
    let renamed = client.position(
        "textDocument/rename",
        &staff,
        at,
        json!({"newName": "Employee"}),
    );
    let edit: WorkspaceEdit = serde_json::from_value(renamed["result"].clone()).unwrap();
    let changes = edit.changes.unwrap();
    assert_eq!(changes[&people].len(), 1);
    assert_eq!(changes[&people][0].range.start, pos(PEOPLE, "Person {", 0));
    assert_eq!(changes[&staff].len(), 2);
    assert!(changes[&staff].iter().all(|e| e.new_text == "Employee"));
    let message = client.wait_for(|m| m["method"] == "window/showMessage");
    assert_eq!(message["params"]["type"], 3, "{message}");
    assert!(message["params"]["message"]
        .as_str()
        .unwrap()
        .contains("source-breaking"));

    // A field: its name travels on the wire, which the server warns about.
    let renamed = client.position(
        "textDocument/rename",
        &people,
        pos(PEOPLE, "name:", 0),
        json!({"newName": "fullName"}),
    );
    assert!(renamed.get("error").is_none(), "{renamed}");
    let message = client.wait_for(|m| m["method"] == "window/showMessage");
    assert_eq!(message["params"]["type"], 2, "{message}");
    assert!(
        message["params"]["message"]
            .as_str()
            .unwrap()
            .contains("wire"),
        "{message}"
    );

    // Refused: a keyword, not an identifier, a name taken in the scope.
    for (new_name, expected) in [
        ("struct", "keyword"),
        ("2x", "not an identifier"),
        ("string", "built-in"),
    ] {
        let refused = client.position(
            "textDocument/rename",
            &staff,
            at,
            json!({"newName": new_name}),
        );
        let message = refused["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(expected), "{new_name}: {refused}");
    }
    let refused = client.position(
        "textDocument/rename",
        &people,
        pos(PEOPLE, "name:", 0),
        json!({"newName": "id"}),
    );
    let message = refused["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("duplicate field `id`"), "{refused}");
    // Two types of one package.
    let with_team = format!("{PEOPLE}struct Team {{ lead: Person; }}\n");
    client.change(&people, 2, json!([{"text": with_team}]));
    client.diagnostics(&people, Some(2));
    let refused = client.position(
        "textDocument/rename",
        &people,
        pos(&with_team, "Team", 0),
        json!({"newName": "Person"}),
    );
    let message = refused["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("declared twice"), "{refused}");
    assert_eq!(client.stop(), 0);
}

#[test]
fn document_and_workspace_symbols() {
    let dir = workspace("symbols");
    write(&dir, "ipcc.toml", "inputs = [\"common\"]\n");
    write(&dir, "common/people.ipc", PEOPLE);
    write(&dir, "common/consts.ipc", CONSTS);
    let staff = write(&dir, "common/staff.ipc", STAFF);
    // A file outside the project's inputs, known only once opened.
    let extra_text = "struct Extra { a: u8; }\n";
    let extra = write(&dir, "scratch/extra.ipc", extra_text);
    let mut client = Client::start(&dir);
    client.open(&staff, STAFF);
    client.diagnostics(&staff, Some(1));

    let symbols = client.request_ok(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": staff}}),
    );
    let symbols: Vec<DocumentSymbol> = serde_json::from_value(symbols).unwrap();
    assert_eq!(symbols.len(), 1);
    assert_eq!(symbols[0].name, "Staff");
    assert_eq!(symbols[0].kind, SymbolKind::INTERFACE);
    let methods = symbols[0].children.as_ref().unwrap();
    assert_eq!(
        methods.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
        ["find", "all"]
    );
    assert_eq!(methods[0].children.as_ref().unwrap()[0].name, "id");
    assert_eq!(
        methods[0].children.as_ref().unwrap()[0].detail.as_deref(),
        Some("i64")
    );

    // The project's files, opened or not; then the extra file once opened.
    let found = client.request_ok("workspace/symbol", json!({"query": ""}));
    let names: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Person", "Staff", "myChannel"]);
    let found = client.request_ok("workspace/symbol", json!({"query": "pers"}));
    assert_eq!(found[0]["containerName"], "acme.people");
    client.open(&extra, extra_text);
    client.diagnostics(&extra, Some(1));
    let found = client.request_ok("workspace/symbol", json!({"query": "ext"}));
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["location"]["uri"], extra.as_str());
    assert_eq!(client.stop(), 0);
}

#[test]
fn completion_offers_names_in_scope_keywords_and_attributes() {
    let dir = workspace("completion");
    write(&dir, "people.ipc", PEOPLE);
    write(&dir, "consts.ipc", CONSTS);
    let staff = write(&dir, "staff.ipc", STAFF);
    let mut client = Client::start(&dir);
    client.open(&staff, STAFF);
    client.diagnostics(&staff, Some(1));

    // Typing a new field's type: a syntax error until it is finished.
    let text = format!("{STAFF}struct Local {{}}\nstruct Team {{\n  lead: ac");
    client.change(&staff, 2, json!([{"text": text}]));
    let end = pos(&text, "lead: ac", 8);
    let items = client.position("textDocument/completion", &staff, end, json!({}));
    let labels: Vec<&str> = items["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"acme.people.Person"), "{labels:?}");
    assert!(labels.contains(&"Local"), "{labels:?}");
    assert!(labels.contains(&"i64"), "{labels:?}");
    assert!(!labels.contains(&"acme.consts.myChannel"), "{labels:?}");
    // The edit replaces the whole partial name, dots included.
    let item = items["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "acme.people.Person")
        .unwrap();
    assert_eq!(
        item["textEdit"]["range"]["start"],
        json!(Position::new(end.line, end.character - 2))
    );

    // Attributes after `@`, keywords at the top level, consts in `@channel(`.
    let text = format!("{STAFF}@");
    client.change(&staff, 3, json!([{"text": text}]));
    let at = Position::new(text.matches('\n').count() as u32, 1);
    let items = client.position("textDocument/completion", &staff, at, json!({}));
    let labels: Vec<&str> = items["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["channel", "deprecated", "since"]);
    let text = format!("{STAFF}@channel(");
    client.change(&staff, 4, json!([{"text": text}]));
    let at = Position::new(text.matches('\n').count() as u32, 9);
    let items = client.position("textDocument/completion", &staff, at, json!({}));
    let labels: Vec<&str> = items["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["acme.consts.myChannel"]);
    let text = format!("{STAFF}str");
    client.change(&staff, 5, json!([{"text": text}]));
    let at = Position::new(text.matches('\n').count() as u32, 3);
    let items = client.position("textDocument/completion", &staff, at, json!({}));
    let labels: Vec<&str> = items["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"struct") && labels.contains(&"interface"),
        "{labels:?}"
    );
    assert_eq!(client.stop(), 0);
}

#[test]
fn formatting_rewrites_valid_files_only() {
    let dir = workspace("formatting");
    let text = "struct Point{x:f64;// across\ny : f64;}";
    let uri = write(&dir, "point.ipc", text);
    let mut client = Client::start(&dir);
    client.open(&uri, text);
    client.diagnostics(&uri, Some(1));
    let options = json!({"tabSize": 2, "insertSpaces": true});
    let edits = client.request_ok(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": options}),
    );
    let edits: Vec<TextEdit> = serde_json::from_value(edits).unwrap();
    assert_eq!(edits.len(), 1);
    assert_eq!(
        edits[0].new_text,
        "struct Point {\n  x: f64; // across\n  y: f64;\n}\n"
    );
    assert_eq!(
        edits[0].range,
        Range::new(Position::new(0, 0), Position::new(1, 9))
    );
    // A syntax error: no edits.
    client.change(&uri, 2, json!([{"text": "struct Point { x: f64 }"}]));
    let edits = client.request_ok(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": options}),
    );
    assert_eq!(edits, json!([]));
    assert_eq!(client.stop(), 0);
}

#[test]
fn the_server_stays_up_on_panics_and_malformed_messages() {
    let dir = workspace("robustness");
    let text = "struct A { b: i64; }\n";
    let uri = write(&dir, "a.ipc", text);
    let mut client = Client::start_with(&dir, &[("IPCC_LSP_TEST_PANIC", "1")]);
    client.open(&uri, text);
    client.diagnostics(&uri, Some(1));
    let alive = |client: &mut Client| {
        let hover = client.position("textDocument/hover", &uri, pos(text, "i64", 0), json!({}));
        assert!(
            hover["result"]["contents"]["value"]
                .as_str()
                .unwrap()
                .contains("bigint"),
            "{hover}"
        );
    };

    // A handler that panics: an internal error response.
    let response = client.request("ipcc/testPanic", json!({}));
    assert_eq!(response["error"]["code"], -32603, "{response}");
    assert!(response["error"]["message"]
        .as_str()
        .unwrap()
        .contains("panic requested"));
    alive(&mut client);

    // Malformed parameters: invalid params, whatever the shape.
    for params in [
        json!(null),
        json!(42),
        json!({"textDocument": 1}),
        json!({"position": {"line": -1}}),
    ] {
        for method in [
            "textDocument/hover",
            "textDocument/definition",
            "textDocument/rename",
            "textDocument/completion",
            "workspace/symbol",
        ] {
            let response = client.request(method, params.clone());
            assert_eq!(
                response["error"]["code"], -32602,
                "{method} {params}: {response}"
            );
        }
    }
    // Positions and documents that do not exist.
    let far = client.position(
        "textDocument/hover",
        &uri,
        Position::new(9999, 9999),
        json!({}),
    );
    assert!(far.get("error").is_none(), "{far}");
    let unknown = Url::from_file_path(dir.join("nowhere.ipc")).unwrap();
    let none = client.position(
        "textDocument/definition",
        &unknown,
        Position::new(0, 0),
        json!({}),
    );
    assert_eq!(none["result"], Value::Null);
    // An unknown method, a body that is not JSON, a message that is not JSON-RPC.
    let response = client.request("textDocument/frobnicate", json!({}));
    assert_eq!(response["error"]["code"], -32601);
    client.send_raw("{not json");
    let response = client.wait_for(|m| m["error"]["code"] == -32700);
    assert_eq!(response["id"], Value::Null);
    client.send_raw(r#"{"jsonrpc":"2.0","id":99,"method":17}"#);
    let response = client.wait_for(|m| m["id"] == 99);
    assert_eq!(response["error"]["code"], -32600);
    // Bad notifications are ignored.
    client.notify("textDocument/didChange", json!({"textDocument": 5}));
    client.notify("textDocument/didOpen", json!(null));
    alive(&mut client);
    assert_eq!(client.stop(), 0);
}

#[test]
fn exit_without_shutdown_is_status_1_and_requests_before_initialize_fail() {
    let dir = workspace("lifecycle");
    let mut command = Command::new(env!("CARGO_BIN_EXE_ipcc"));
    let mut child = command
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(if std::env::var_os("IPCC_LSP_TEST_LOG").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        })
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "textDocument/hover", "params": {}})
        .to_string();
    write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    stdin.flush().unwrap();
    let response = read_message(&mut stdout).unwrap();
    assert_eq!(response["error"]["code"], -32002);
    let body = json!({"jsonrpc": "2.0", "method": "exit"}).to_string();
    write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    drop(stdin);
    assert_eq!(child.wait().unwrap().code(), Some(1));

    // After `shutdown`, requests fail and `exit` is status 0.
    let mut client = Client::start(&dir);
    let result = client.request_ok("shutdown", Value::Null);
    assert_eq!(result, Value::Null);
    let response = client.request("workspace/symbol", json!({"query": ""}));
    assert_eq!(response["error"]["code"], -32600);
    client.notify("exit", Value::Null);
    client.stdin = None;
    assert_eq!(client.child.wait().unwrap().code(), Some(0));
}

#[test]
fn streams_check_clean_and_are_offered_and_explained() {
    let dir = workspace("streams");
    let text = "@channel(\"files-v1\")\ninterface Files {\n  tail(path: string): AsyncIterable<Line>;\n  upload(chunks: AsyncIterable<bytes>): Promise<u64>;\n}\nstruct Line { text: string; }\n";
    let files = write(&dir, "files.ipc", text);
    let mut client = Client::start(&dir);
    client.open(&files, text);
    // `ipcc check` accepts streams: no diagnostics (generation is what refuses them).
    assert_eq!(client.diagnostics(&files, Some(1)), []);
    let hover = client.position(
        "textDocument/hover",
        &files,
        pos(text, "AsyncIterable<bytes>", 2),
        json!({}),
    );
    let shown = hover["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(
        shown.contains("`AsyncIterable<T>`: a stream of `T`"),
        "{hover}"
    );
    // Offered where a type is written.
    let typing = format!("{text}struct Feed {{\n  lines: Async");
    client.change(&files, 2, json!([{"text": typing}]));
    let end = pos(&typing, "lines: Async", 12);
    let items = client.position("textDocument/completion", &files, end, json!({}));
    let labels: Vec<&str> = items["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"AsyncIterable"), "{labels:?}");
    assert_eq!(client.stop(), 0);
}
