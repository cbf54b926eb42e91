//! The app without a window (`tauri::test`'s mock runtime, with the app's real context and
//! capabilities): the ipcc plugin's commands through Tauri's invoke path and ACL, its channel
//! messages captured by a channel interceptor and merged with those its `send` answers carry,
//! as the page's transport does, and the bare commands.

use std::collections::BTreeMap;
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

/// A `send`'s answer: `null`, or the messages the host wrote meanwhile.
type Answer = serde_json::Value;

fn send(
    window: &WebviewWindow<MockRuntime>,
    connection: u64,
    seq: u64,
    text: &str,
) -> Result<Answer, serde_json::Value> {
    let headers = [
        ("ipcc-connection", connection.to_string()),
        ("ipcc-seq", seq.to_string()),
        ("ipcc-kind", "text".to_string()),
    ];
    let body = InvokeBody::Raw(text.as_bytes().to_vec());
    get_ipc_response(window, request("plugin:ipcc|send", body, &headers))
        .map(|b| b.deserialize::<Answer>().expect("a send answers JSON"))
}

/// The page's side of one connection: the host's messages from the channel and from `send`
/// answers, merged in the host's order as runtime-ts's Tauri transport merges them
/// (docs/tauri.md, "How it travels").
struct Page {
    rx: mpsc::Receiver<Sent>,
    /// Channel messages by index: a message's text, or a marker's count.
    channel: BTreeMap<usize, Result<String, u64>>,
    next_index: usize,
    /// Answer-carried messages by number, with the channel index they come before.
    replies: BTreeMap<u64, (usize, String)>,
    next_reply: u64,
    required: u64,
    /// How many messages came in answers, and on the channel.
    carried: usize,
    on_channel: usize,
}

impl Page {
    fn new(rx: mpsc::Receiver<Sent>) -> Page {
        Page {
            rx,
            channel: BTreeMap::new(),
            next_index: 0,
            replies: BTreeMap::new(),
            next_reply: 0,
            required: 0,
            carried: 0,
            on_channel: 0,
        }
    }

    /// Takes a `send`'s answer.
    fn answer(&mut self, answer: Answer) {
        if answer.is_null() {
            return;
        }
        let index = answer["index"].as_u64().expect("an answer's index") as usize;
        let seq = answer["seq"].as_u64().expect("an answer's seq");
        for (i, message) in answer["messages"].as_array().unwrap().iter().enumerate() {
            let text = message.as_str().expect("a message's text").to_owned();
            assert!(self.replies.insert(seq + i as u64, (index, text)).is_none());
        }
    }

    /// Sends message `seq` of `connection` and takes its answer.
    fn send(&mut self, window: &WebviewWindow<MockRuntime>, connection: u64, seq: u64, text: &str) {
        let answer = send(window, connection, seq, text).expect("the send is taken");
        self.answer(answer);
    }

    /// The host's next message, whichever way it came.
    fn next(&mut self) -> serde_json::Value {
        loop {
            if let Some((index, _)) = self.replies.get(&self.next_reply) {
                if *index <= self.next_index {
                    let (_, text) = self.replies.remove(&self.next_reply).unwrap();
                    self.next_reply += 1;
                    self.carried += 1;
                    return serde_json::from_str(&text).expect("the message is JSON");
                }
            }
            match self.channel.get(&self.next_index) {
                Some(Err(marker)) => {
                    self.required = self.required.max(*marker);
                    self.channel.remove(&self.next_index);
                    self.next_index += 1;
                    continue;
                }
                Some(Ok(_)) if self.required <= self.next_reply => {
                    let Some(Ok(text)) = self.channel.remove(&self.next_index) else {
                        unreachable!()
                    };
                    self.next_index += 1;
                    self.on_channel += 1;
                    return serde_json::from_str(&text).expect("the message is JSON");
                }
                _ => {}
            }
            let (index, body) = self
                .rx
                .recv_timeout(Duration::from_secs(30))
                .expect("the plugin sent a message");
            let InvokeResponseBody::Json(literal) = body else {
                panic!("a text message travels as a JSON string literal");
            };
            // A JSON string literal holding the message's text, or a marker's count.
            let entry = match serde_json::from_str::<serde_json::Value>(&literal).unwrap() {
                serde_json::Value::String(text) => Ok(text),
                serde_json::Value::Number(n) => Err(n.as_u64().expect("a marker's count")),
                other => panic!("a channel message is text or a marker, not {other}"),
            };
            self.channel.insert(index, entry);
        }
    }
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
    let mut page = Page::new(rx);
    page.send(&main, id, 2, add);
    page.send(&main, id, 1, call);
    page.send(
        &main,
        id,
        0,
        r#"{"type":"hello","protocol":1,"channels":{}}"#,
    );

    let welcome = page.next();
    assert_eq!(welcome["type"].as_str(), Some("welcome"));
    let mut answers = [page.next(), page.next()];
    answers.sort_by_key(|m| m["id"].as_u64());
    assert_eq!(answers[0]["value"], "hello: abc 10 true");
    // u64 above 2^53 is exact on the wire (a decimal string).
    assert_eq!(answers[1]["value"], "9007199254740994");

    // In order: the answers to calls that finish at once come in their send's answer, the
    // rest on the channel (here the ticks past what one answer carries), and the page merges
    // the two in the host's order.
    let notify = r#"{"type":"call","id":3,"channel":"tauri-app-v1","method":"ticks","args":[100]}"#;
    let mut next_seq = 3;
    page.send(&main, id, next_seq, notify);
    next_seq += 1;
    let mut ticks = Vec::new();
    let mut result = false;
    while ticks.len() < 100 || !result {
        let message = page.next();
        match message["type"].as_str() {
            Some("notify") => {
                assert!(!result, "every tick comes before the call's result");
                ticks.push(message["args"][0].as_u64().unwrap());
            }
            Some("result") => result = true,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(ticks, (1..=100).collect::<Vec<_>>());
    assert!(
        page.on_channel > 0,
        "ticks past one answer's worth went on the channel"
    );
    // A send waits a couple of milliseconds at most for its answer, so on a loaded machine one
    // send may miss it; at least 20 calls, and more until one answer rode with its send.
    let mut i = 0u64;
    while i < 20 || (page.carried == 0 && i < 1_000) {
        let call = format!(
            r#"{{"type":"call","id":{},"channel":"my-interface-v1.2","method":"sayHello","args":["x",{i},true]}}"#,
            10 + i
        );
        page.send(&main, id, next_seq, &call);
        next_seq += 1;
        let answer = page.next();
        assert_eq!(answer["id"], 10 + i);
        assert_eq!(answer["value"], format!("hello: x {i} true"));
        i += 1;
    }
    assert!(page.carried > 0, "some answers came with their sends");

    // A repeated sequence number closes the connection; later sends find none.
    let error = send(&main, id, 1, call).unwrap_err();
    assert!(error.to_string().contains("out of sequence"), "{error}");
    assert!(send(&main, id, next_seq, call).is_err());
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
    let mut page = Page::new(rx);
    page.send(
        &main,
        id,
        0,
        r#"{"type":"hello","protocol":1,"channels":{}}"#,
    );
    assert_eq!(page.next()["type"], "welcome");
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
