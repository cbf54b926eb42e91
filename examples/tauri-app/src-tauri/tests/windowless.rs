//! The app without a window (`tauri::test`'s mock runtime, with the app's real context and
//! capabilities): the ipcc plugin's commands through Tauri's invoke path and ACL, its channel
//! messages captured by a channel interceptor, and the bare commands.

use std::sync::mpsc;
use std::time::Duration;

use tauri::http::{HeaderMap, HeaderValue};
use tauri::ipc::{CallbackFn, InvokeBody, InvokeResponseBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, Manager, WebviewWindow, WebviewWindowBuilder};

/// What the plugin sent on a channel: its index and body.
type Sent = (usize, InvokeResponseBody);

fn app() -> (App<MockRuntime>, mpsc::Receiver<Sent>) {
    let (tx, rx) = mpsc::channel();
    let app = tauri_app::builder(mock_builder())
        .channel_interceptor(move |_webview, _callback, index, body| {
            let _ = tx.send((index, body.clone()));
            true
        })
        .build(tauri_app::context())
        .expect("the app builds on the mock runtime");
    (app, rx)
}

fn window(app: &App<MockRuntime>, label: &str) -> WebviewWindow<MockRuntime> {
    match app.get_webview_window(label) {
        Some(window) => window,
        None => WebviewWindowBuilder::new(app, label, Default::default())
            .build()
            .expect("a mock window"),
    }
}

fn request(cmd: &str, body: InvokeBody, headers: &[(&'static str, String)]) -> InvokeRequest {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.insert(*name, HeaderValue::from_str(value).unwrap());
    }
    InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        // The app's own pages (a local URL): capabilities without `remote` apply to them only.
        url: "tauri://localhost".parse().unwrap(),
        body,
        headers: map,
        invoke_key: INVOKE_KEY.to_string(),
    }
}

fn connect(window: &WebviewWindow<MockRuntime>) -> Result<u64, serde_json::Value> {
    let body = InvokeBody::Json(serde_json::json!({ "channel": "__CHANNEL__:4242" }));
    get_ipc_response(window, request("plugin:ipcc|connect", body, &[]))
        .map(|b| b.deserialize::<u64>().expect("a connection id"))
}

fn send(
    window: &WebviewWindow<MockRuntime>,
    connection: u64,
    seq: u64,
    text: &str,
) -> Result<(), serde_json::Value> {
    let headers = [
        ("ipcc-connection", connection.to_string()),
        ("ipcc-seq", seq.to_string()),
        ("ipcc-kind", "text".to_string()),
    ];
    let body = InvokeBody::Raw(text.as_bytes().to_vec());
    get_ipc_response(window, request("plugin:ipcc|send", body, &headers)).map(|_| ())
}

/// The next message the plugin sent to the page, as the page's transport reads it: a JSON string
/// literal holding the message's text.
fn next_text(rx: &mpsc::Receiver<Sent>) -> (usize, serde_json::Value) {
    let (index, body) = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the plugin sent a message");
    let InvokeResponseBody::Json(literal) = body else {
        panic!("a text message travels as a JSON string literal");
    };
    let text: String = serde_json::from_str(&literal).expect("a JSON string literal");
    (
        index,
        serde_json::from_str(&text).expect("the message is JSON"),
    )
}

#[test]
fn plugin_commands_match() {
    // build.rs declares the plugin's commands to tauri-build without depending on the crate.
    assert_eq!(ipcc_tauri::COMMANDS, ["connect", "send", "close"]);
}

#[test]
fn a_window_with_the_capability_talks_to_the_host_through_the_plugin() {
    let (app, rx) = app();
    let main = window(&app, "main");
    let id = connect(&main).expect("main has the capability");

    // Sent out of order: the plugin hands them to the host in sequence order.
    let call = r#"{"type":"call","id":1,"channel":"my-interface-v1.2","method":"sayHello","args":["abc",10,true]}"#;
    let add = r#"{"type":"call","id":2,"channel":"tauri-app-v1","method":"add","args":["9007199254740993","1"]}"#;
    send(&main, id, 2, add).unwrap();
    send(&main, id, 1, call).unwrap();
    send(
        &main,
        id,
        0,
        r#"{"type":"hello","protocol":1,"channels":{}}"#,
    )
    .unwrap();

    let (index, welcome) = next_text(&rx);
    assert_eq!((index, welcome["type"].as_str()), (0, Some("welcome")));
    let mut answers = [next_text(&rx).1, next_text(&rx).1];
    answers.sort_by_key(|m| m["id"].as_u64());
    assert_eq!(answers[0]["value"], "hello: abc 10 true");
    // u64 above 2^53 is exact on the wire (a decimal string).
    assert_eq!(answers[1]["value"], "9007199254740994");

    // A repeated sequence number closes the connection; later sends find none.
    let error = send(&main, id, 1, call).unwrap_err();
    assert!(error.to_string().contains("out of sequence"), "{error}");
    assert!(send(&main, id, 3, call).is_err());
}

#[test]
fn a_page_reaches_only_its_own_connections() {
    let (app, _rx) = app();
    let main = window(&app, "main");
    let second = window(&app, "second");
    let id = connect(&main).unwrap();
    let error = send(
        &second,
        id,
        0,
        r#"{"type":"hello","protocol":1,"channels":{}}"#,
    )
    .unwrap_err();
    assert!(error.to_string().contains("no such connection"), "{error}");
    assert!(send(
        &main,
        id,
        0,
        r#"{"type":"hello","protocol":1,"channels":{}}"#
    )
    .is_ok());
}

#[test]
fn a_window_without_the_capability_gets_nothing() {
    let (app, _rx) = app();
    let untrusted = window(&app, "untrusted");
    let error = connect(&untrusted).unwrap_err();
    assert!(error.to_string().contains("not allowed"), "{error}");
    let headers = [
        ("ipcc-connection", "0".to_string()),
        ("ipcc-seq", "0".to_string()),
        ("ipcc-kind", "text".to_string()),
    ];
    let error = get_ipc_response(
        &untrusted,
        request(
            "plugin:ipcc|send",
            InvokeBody::Raw(b"{}".to_vec()),
            &headers,
        ),
    )
    .unwrap_err();
    assert!(error.to_string().contains("not allowed"), "{error}");
    let error = get_ipc_response(
        &untrusted,
        request(
            "bare_say_hello",
            InvokeBody::Json(serde_json::json!({"arg1": "a", "arg2": 1, "arg3": true})),
            &[],
        ),
    )
    .unwrap_err();
    assert!(error.to_string().contains("not allowed"), "{error}");
    assert_eq!(ipcc_tauri::open_connections(&app), 0);
}

#[test]
fn bad_sends_are_refused_with_a_reason() {
    let (app, _rx) = app();
    let main = window(&app, "main");
    let id = connect(&main).unwrap();
    let missing = get_ipc_response(
        &main,
        request("plugin:ipcc|send", InvokeBody::Raw(b"{}".to_vec()), &[]),
    )
    .unwrap_err();
    assert!(missing.to_string().contains("ipcc-connection"), "{missing}");
    let headers = [
        ("ipcc-connection", id.to_string()),
        ("ipcc-seq", "0".to_string()),
        ("ipcc-kind", "text".to_string()),
    ];
    let json = get_ipc_response(
        &main,
        request(
            "plugin:ipcc|send",
            InvokeBody::Json(serde_json::json!({})),
            &headers,
        ),
    )
    .unwrap_err();
    assert!(json.to_string().contains("raw body"), "{json}");
    let bad_channel = get_ipc_response(
        &main,
        request(
            "plugin:ipcc|connect",
            InvokeBody::Json(serde_json::json!({"channel": 5})),
            &[],
        ),
    )
    .unwrap_err();
    assert!(
        bad_channel.to_string().contains("connect takes"),
        "{bad_channel}"
    );
}

#[test]
fn closing_a_connection_ends_it_and_the_host_forgets_it() {
    let (app, rx) = app();
    let main = window(&app, "main");
    let id = connect(&main).unwrap();
    send(
        &main,
        id,
        0,
        r#"{"type":"hello","protocol":1,"channels":{}}"#,
    )
    .unwrap();
    assert_eq!(next_text(&rx).1["type"], "welcome");
    assert_eq!(ipcc_tauri::open_connections(&app), 1);
    let headers = [("ipcc-connection", id.to_string())];
    get_ipc_response(
        &main,
        request(
            "plugin:ipcc|close",
            InvokeBody::Json(serde_json::json!({})),
            &headers,
        ),
    )
    .unwrap();
    assert_eq!(ipcc_tauri::open_connections(&app), 0);
    assert!(send(&main, id, 1, "{}").is_err());
}

#[test]
fn the_bare_commands_answer() {
    let (app, _rx) = app();
    let main = window(&app, "main");
    let hello = get_ipc_response(
        &main,
        request(
            "bare_say_hello",
            InvokeBody::Json(serde_json::json!({"arg1": "abc", "arg2": 10, "arg3": true})),
            &[],
        ),
    )
    .unwrap();
    assert_eq!(hello.deserialize::<String>().unwrap(), "hello: abc 10 true");
    let length = get_ipc_response(
        &main,
        request("bare_byte_length", InvokeBody::Raw(vec![7; 1000]), &[]),
    )
    .unwrap();
    assert_eq!(length.deserialize::<u64>().unwrap(), 1000);
}
