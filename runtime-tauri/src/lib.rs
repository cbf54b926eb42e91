//! ipcc inside a Tauri v2 app: a plugin that serves an [`IpcHost`] to each webview over Tauri's
//! own IPC, with no socket, no port and no token (docs/tauri.md).
//!
//! The page opens a connection with the `connect` command, handing it a `tauri::ipc::Channel`
//! for what the host sends (results, notifications, stream items); each protocol message it
//! sends is one `send` invoke whose body is the message's raw bytes (`InvokeBody::Raw`: text as
//! UTF-8, binary `bytes` messages as they are). A `send` answers with what the host wrote while
//! it handled the message (a call's result when the handler finished at once), saving that
//! message the channel's trip; the page merges the two ways back in order. Each webview has its
//! own connections; when its window is destroyed or its page navigates, they close and their
//! calls are cancelled.
//!
//! The commands are reached only through Tauri's ACL: the app grants the plugin's permission
//! (`ipcc:default`, declared by the app's `tauri-build` with [`COMMANDS`]) to chosen windows in
//! a capability; a window without it gets Tauri's "not allowed" and no connection.
//!
//! ```no_run
//! # fn run(context: tauri::Context<tauri::Wry>) {
//! let host = ipcc_runtime::IpcHost::new();
//! // let _registration = register_my_interface(&host, MyBackend);   // generated
//! tauri::Builder::default()
//!     .plugin(ipcc_tauri::init(host))
//!     .run(context)
//!     .expect("the app runs");
//! # }
//! ```

mod transport;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use ipcc_runtime::IpcHost;
use tauri::ipc::{Channel, Invoke, InvokeBody, InvokeError, InvokeResponseBody};
use tauri::plugin::{Builder, TauriPlugin};
use tauri::{Manager, RunEvent, Runtime, Webview, WindowEvent};

pub use transport::{
    Delivered, Frame, Inbox, Replies, SendError, TauriSocket, MAX_REPLY_MESSAGES, REORDER_WINDOW,
};

/// The plugin's name: its commands are `plugin:ipcc|connect`, `…|send` and `…|close`.
pub const PLUGIN_NAME: &str = "ipcc";

/// The plugin's commands, for the app's `tauri-build` (`InlinedPlugin::commands`).
pub const COMMANDS: &[&str] = &["connect", "send", "close"];

/// How many `send` invokes the page keeps unanswered at most (runtime-ts's Tauri transport
/// uses the same number); below [`REORDER_WINDOW`].
pub const MAX_UNANSWERED_SENDS: u64 = 64;

/// Header of a `send` or `close`: the connection id `connect` returned.
pub const CONNECTION_HEADER: &str = "ipcc-connection";
/// Header of a `send`: the message's sequence number on its connection, from 0.
pub const SEQUENCE_HEADER: &str = "ipcc-seq";
/// Header of a `send`: `text` (a JSON message in UTF-8), `binary` (a binary message), or
/// `attachment` (the body is a binary message's one attachment, its JSON text in
/// [`JSON_HEADER`]: the page need not join the two into a new buffer).
pub const KIND_HEADER: &str = "ipcc-kind";
/// Header of an `attachment` send: the message's JSON text, percent-encoded UTF-8
/// (`encodeURIComponent`).
pub const JSON_HEADER: &str = "ipcc-json";

/// One open connection and the webview it belongs to.
struct Entry {
    webview: String,
    window: String,
    inbox: Inbox,
}

/// The plugin's state: the open connections by id.
#[derive(Default)]
struct Connections {
    next_id: AtomicU64,
    open: Mutex<HashMap<u64, Entry>>,
}

impl Connections {
    /// The inbox of connection `id` if the webview `label` opened it: a page reaches only its
    /// own connections.
    fn inbox(&self, id: u64, label: &str) -> Option<Inbox> {
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.get(&id)
            .filter(|entry| entry.webview == label)
            .map(|entry| entry.inbox.clone())
    }

    fn remove(&self, id: u64) -> Option<Entry> {
        self.open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id)
    }

    /// Closes every connection `matches` selects.
    fn close_where(&self, matches: impl Fn(&Entry) -> bool) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.retain(|_, entry| {
            if matches(entry) {
                entry.inbox.close_now();
                false
            } else {
                true
            }
        });
    }

    /// How many connections are open (for tests and diagnostics).
    fn len(&self) -> usize {
        self.open.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// The plugin serving `host` to every webview that the app's capabilities allow.
pub fn init<R: Runtime>(host: IpcHost) -> TauriPlugin<R> {
    let connections = Arc::new(Connections::default());
    let for_events = connections.clone();
    let for_pages = connections.clone();
    Builder::new(PLUGIN_NAME)
        .setup(move |app, _api| {
            app.manage(State {
                host,
                connections: connections.clone(),
            });
            Ok(())
        })
        .invoke_handler(|invoke| handle(invoke))
        .on_page_load(move |webview, payload| {
            // A page that navigates or reloads is a new frontend: its old connections end.
            if matches!(payload.event(), tauri::webview::PageLoadEvent::Started) {
                let label = webview.label().to_owned();
                for_pages.close_where(|entry| entry.webview == label);
            }
        })
        .on_event(move |_app, event| {
            if let RunEvent::WindowEvent {
                label,
                event: WindowEvent::Destroyed,
                ..
            } = event
            {
                for_events.close_where(|entry| &entry.window == label);
            }
        })
        .build()
}

/// How many ipcc connections are open in `app` (all webviews).
pub fn open_connections<R: Runtime, M: Manager<R>>(app: &M) -> usize {
    app.try_state::<State>()
        .map(|state| state.connections.len())
        .unwrap_or(0)
}

/// What the plugin's commands share.
struct State {
    host: IpcHost,
    connections: Arc<Connections>,
}

fn handle<R: Runtime>(invoke: Invoke<R>) -> bool {
    let Some(state) = invoke.message.webview_ref().try_state::<State>() else {
        invoke.resolver.reject("ipcc: the plugin is not set up");
        return true;
    };
    let host = state.host.clone();
    let connections = state.connections.clone();
    match invoke.message.command() {
        "connect" => connect(invoke, host, connections),
        "send" => send(invoke, connections),
        "close" => close(invoke, connections),
        _ => return false,
    }
    true
}

/// `connect({ channel })`: opens a connection for the calling webview; answers its id.
fn connect<R: Runtime>(invoke: Invoke<R>, host: IpcHost, connections: Arc<Connections>) {
    let webview: Webview<R> = invoke.message.webview();
    let channel = match channel_arg(invoke.message.payload(), &webview) {
        Ok(channel) => channel,
        Err(message) => return invoke.resolver.reject(message),
    };
    let id = connections.next_id.fetch_add(1, Ordering::Relaxed);
    let forget = connections.clone();
    let (socket, inbox) = transport::socket(channel, move || {
        forget.remove(id);
    });
    connections
        .open
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(
            id,
            Entry {
                webview: webview.label().to_owned(),
                window: webview.window().label().to_owned(),
                inbox,
            },
        );
    tauri::async_runtime::spawn(async move { host.serve(socket).await });
    invoke.resolver.resolve(id);
}

/// The `channel` argument of `connect`: `"__CHANNEL__:<id>"`, as `@tauri-apps/api`'s `Channel`
/// serializes itself and runtime-ts's transport writes it.
fn channel_arg<R: Runtime>(
    payload: &InvokeBody,
    webview: &Webview<R>,
) -> Result<Channel<InvokeResponseBody>, String> {
    let InvokeBody::Json(args) = payload else {
        return Err("ipcc: connect takes { channel }".into());
    };
    let value = args
        .get("channel")
        .and_then(|v| v.as_str())
        .ok_or("ipcc: connect takes { channel }")?;
    let id: tauri::ipc::JavaScriptChannelId =
        value.parse().map_err(|e| format!("ipcc: connect: {e}"))?;
    Ok(id.channel_on(webview.clone()))
}

fn header_u64<R: Runtime>(invoke: &Invoke<R>, name: &str) -> Result<u64, String> {
    invoke
        .message
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("ipcc: missing or bad `{name}` header"))
}

/// `send(body, headers)`: one protocol message of a connection. Answers once the message (and
/// every earlier one) is in the host's queue, so the page's unanswered sends are its backlog;
/// and, when this send collected them, with the messages the host wrote meanwhile (its answer
/// to a call that finished at once): `null`, or `{"index", "seq", "messages"}` (docs/tauri.md).
fn send<R: Runtime>(invoke: Invoke<R>, connections: Arc<Connections>) {
    let (id, seq) = match (
        header_u64(&invoke, CONNECTION_HEADER),
        header_u64(&invoke, SEQUENCE_HEADER),
    ) {
        (Ok(id), Ok(seq)) => (id, seq),
        (Err(message), _) | (_, Err(message)) => return invoke.resolver.reject(message),
    };
    let headers = invoke.message.headers();
    let kind = match headers.get(KIND_HEADER).and_then(|v| v.to_str().ok()) {
        Some("text") => Kind::Text,
        Some("binary") => Kind::Binary,
        Some("attachment") => match headers
            .get(JSON_HEADER)
            .and_then(|v| percent_decode(v.as_bytes()))
        {
            Some(json) => Kind::Attachment(json),
            None => {
                return invoke
                    .resolver
                    .reject("ipcc: missing or bad `ipcc-json` header")
            }
        },
        _ => {
            return invoke
                .resolver
                .reject("ipcc: missing or bad `ipcc-kind` header")
        }
    };
    let label = invoke.message.webview_ref().label().to_owned();
    let Some(inbox) = connections.inbox(id, &label) else {
        return invoke.resolver.reject("ipcc: no such connection");
    };
    let Invoke {
        message, resolver, ..
    } = invoke;
    resolver.respond_async_serialized(async move {
        // The body is copied out of the request here, on the async runtime: Tauri lends it
        // (`InvokeMessage` gives no way to take it) and the host reads owned messages. This is
        // the one copy; made on the thread that called the plugin (the event loop's), 16 MiB
        // held every window's events and IPC for its whole length.
        let frame = match (kind, message.payload()) {
            (Kind::Text, InvokeBody::Raw(bytes)) => Frame::Text(bytes.clone()),
            (Kind::Binary, InvokeBody::Raw(bytes)) => Frame::Binary(bytes.clone()),
            (Kind::Attachment(json), InvokeBody::Raw(bytes)) => match join_binary(&json, bytes) {
                Some(message) => Frame::Binary(message),
                None => return Err(InvokeError::from("ipcc: attachment too large")),
            },
            // The page sends raw bodies; a JSON body (a page that passed something else) is
            // refused rather than re-serialized.
            (_, InvokeBody::Json(_)) => {
                return Err(InvokeError::from("ipcc: send takes a raw body"))
            }
        };
        // The request's own buffer is freed after the answer leaves, as a bare command's is,
        // not before: freeing 16 MiB is not free.
        let request = (frame.len() >= LARGE_BODY).then_some(message);
        let answer = match inbox.deliver_and_collect(seq, frame).await {
            Ok(None) => Ok(InvokeResponseBody::Json("null".to_owned())),
            Ok(Some(replies)) => Ok(InvokeResponseBody::Json(replies.to_json())),
            Err(SendError::Closed) => Err(InvokeError::from("ipcc: connection closed")),
            Err(SendError::BadSequence) => {
                connections.remove(id);
                Err(InvokeError::from(
                    "ipcc: message out of sequence; connection closed",
                ))
            }
        };
        if let Some(request) = request {
            tauri::async_runtime::spawn(async move { drop(request) });
        }
        answer
    });
}

/// A body from which on the request is freed on its own task, after the answer.
const LARGE_BODY: usize = 1 << 20;

/// What a `send`'s body is.
enum Kind {
    Text,
    Binary,
    /// A binary message's one attachment, with the message's JSON text.
    Attachment(Vec<u8>),
}

/// A binary message from its JSON text and its one attachment (docs/protocol.md, "Layout"),
/// in one allocation; `None` when a length does not fit its u32.
fn join_binary(json: &[u8], attachment: &[u8]) -> Option<Vec<u8>> {
    let json_length = u32::try_from(json.len()).ok()?;
    let attachment_length = u32::try_from(attachment.len()).ok()?;
    let mut message = Vec::with_capacity(8 + json.len() + attachment.len());
    message.extend_from_slice(&json_length.to_be_bytes());
    message.extend_from_slice(json);
    message.extend_from_slice(&attachment_length.to_be_bytes());
    message.extend_from_slice(attachment);
    Some(message)
}

/// Decodes `%XX` escapes (what `encodeURIComponent` writes); `None` on a broken escape. The
/// bytes are checked as UTF-8 by the host, as any text message is.
fn percent_decode(encoded: &[u8]) -> Option<Vec<u8>> {
    let mut decoded = Vec::with_capacity(encoded.len());
    let mut bytes = encoded.iter();
    while let Some(&byte) = bytes.next() {
        if byte != b'%' {
            decoded.push(byte);
            continue;
        }
        let hex = |b: Option<&u8>| (*b? as char).to_digit(16);
        let (high, low) = (hex(bytes.next())?, hex(bytes.next())?);
        decoded.push((high * 16 + low) as u8);
    }
    Some(decoded)
}

/// `close(headers)`: the page closes a connection; its calls are cancelled.
fn close<R: Runtime>(invoke: Invoke<R>, connections: Arc<Connections>) {
    let id = match header_u64(&invoke, CONNECTION_HEADER) {
        Ok(id) => id,
        Err(message) => return invoke.resolver.reject(message),
    };
    let label = invoke.message.webview_ref().label().to_owned();
    if connections.inbox(id, &label).is_some() {
        if let Some(entry) = connections.remove(id) {
            entry.inbox.close_now();
        }
    }
    invoke.resolver.resolve(());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attachment_send_is_joined_as_the_binary_layout() {
        let json =
            percent_decode(b"%7B%22type%22%3A%22call%22%2C%22s%22%3A%22%C3%A9%22%7D").unwrap();
        assert_eq!(json, r#"{"type":"call","s":"é"}"#.as_bytes());
        let message = join_binary(&json, &[1, 2, 3]).unwrap();
        assert_eq!(&message[..4], &(json.len() as u32).to_be_bytes());
        assert_eq!(&message[4..4 + json.len()], &json[..]);
        assert_eq!(&message[4 + json.len()..], &[0, 0, 0, 3, 1, 2, 3]);
        for bad in [&b"%"[..], b"%4", b"%zz", b"ab%4g"] {
            assert_eq!(percent_decode(bad), None, "{bad:?}");
        }
    }
}
