//! The stdio transport: `Content-Length` framed JSON-RPC on stdin and stdout, logs on stderr.
//!
//! lsp-server's own stdio transport ends the connection on the first message that is not
//! valid JSON-RPC; this one answers such a message with a JSON-RPC error (`-32700` parse
//! error, `-32600` invalid request) and reads on. Only a broken frame (a header without a
//! length, a body cut short) ends it, since nothing after it can be trusted to start a message.

use std::io::{self, BufRead, Write};
use std::sync::{Arc, Mutex, PoisonError};

use lsp_server::{Connection, Message};
use serde_json::{json, Value};

use crate::lsp::server::{log, Server};

/// Serves the protocol on stdin and stdout until `exit` or the end of stdin; returns the exit
/// code the protocol asks for (0 after `shutdown` then `exit`, 1 otherwise).
pub fn run_stdio() -> i32 {
    let (server_end, client_end) = Connection::memory();
    let stdout = Arc::new(Mutex::new(io::stdout()));

    let writer_out = Arc::clone(&stdout);
    let to_client = client_end.receiver;
    let writer = std::thread::Builder::new()
        .name("ipcc-lsp-writer".into())
        .spawn(move || {
            for message in to_client {
                let mut out = writer_out.lock().unwrap_or_else(PoisonError::into_inner);
                if message.write(&mut *out).is_err() {
                    break;
                }
            }
        });
    let writer = match writer {
        Ok(writer) => writer,
        Err(e) => {
            log(&format!("cannot start the writer thread: {e}"));
            return 1;
        }
    };

    let from_client = client_end.sender;
    let reader_out = Arc::clone(&stdout);
    let reader = std::thread::Builder::new()
        .name("ipcc-lsp-reader".into())
        .spawn(move || {
            let stdin = io::stdin();
            let mut input = stdin.lock();
            loop {
                let body = match read_frame(&mut input) {
                    Ok(Some(body)) => body,
                    Ok(None) => break,
                    Err(e) => {
                        log(&format!("the input stream is broken, stopping: {e}"));
                        break;
                    }
                };
                match decode(&body) {
                    Ok(message) => {
                        let is_exit =
                            matches!(&message, Message::Notification(n) if n.method == "exit");
                        if from_client.send(message).is_err() || is_exit {
                            break;
                        }
                    }
                    Err(reply) => {
                        let text = reply.to_string();
                        let mut out = reader_out.lock().unwrap_or_else(PoisonError::into_inner);
                        let _ = write!(out, "Content-Length: {}\r\n\r\n{text}", text.len());
                        let _ = out.flush();
                    }
                }
            }
        });
    if let Err(e) = reader {
        log(&format!("cannot start the reader thread: {e}"));
        return 1;
    }

    let code = main_loop(&server_end);
    // Dropping the server's end closes the writer's channel once everything queued is written.
    drop(server_end);
    let _ = writer.join();
    code
}

/// Receives, handles, sends; checks when nothing is waiting (see [`Server::flush`]).
pub(crate) fn main_loop(connection: &Connection) -> i32 {
    let mut server = Server::new();
    let mut out = Vec::new();
    log(&format!(
        "ipcc {} language server started",
        env!("CARGO_PKG_VERSION")
    ));
    while let Ok(message) = connection.receiver.recv() {
        let exit = server.handle(message, &mut out);
        if connection.receiver.is_empty() || exit.is_some() {
            server.flush(&mut out);
        }
        for message in out.drain(..) {
            if connection.sender.send(message).is_err() {
                return 1;
            }
        }
        if let Some(code) = exit {
            return code;
        }
    }
    // The client went away without `exit`.
    1
}

/// One message's body; `None` at the end of the input.
fn read_frame(input: &mut impl BufRead) -> io::Result<Option<String>> {
    let mut length: Option<usize> = None;
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let header = line.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            if length.is_some() {
                break;
            }
            // Blank lines between messages are tolerated.
            continue;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = Some(value.trim().parse().map_err(|_| {
                    io::Error::new(io::ErrorKind::InvalidData, format!("bad header `{header}`"))
                })?);
            }
        } else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("bad header `{header}`"),
            ));
        }
    }
    let length = length.unwrap_or(0);
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    Ok(Some(String::from_utf8_lossy(&body).into_owned()))
}

/// A body as a message, or the error reply it deserves.
fn decode(body: &str) -> Result<Message, Value> {
    let value: Value = serde_json::from_str(body).map_err(|e| {
        json!({
            "jsonrpc": "2.0",
            "id": null,
            "error": { "code": -32700, "message": format!("parse error: {e}") }
        })
    })?;
    let id = value.get("id").cloned().unwrap_or(Value::Null);
    let invalid = |reason: String| {
        json!({
            "jsonrpc": "2.0",
            "id": if id.is_string() || id.is_number() { id.clone() } else { Value::Null },
            "error": { "code": -32600, "message": format!("invalid request: {reason}") }
        })
    };
    // lsp-server's message type is untagged: anything with an `id` would pass for a response.
    match value.get("method") {
        Some(Value::String(_)) => {}
        Some(_) => return Err(invalid("`method` is not a string".into())),
        None if value.get("result").is_none() && value.get("error").is_none() => {
            return Err(invalid(
                "neither a request, a notification nor a response".into(),
            ))
        }
        None => {}
    }
    serde_json::from_value::<Message>(value).map_err(|e| invalid(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_and_errors() {
        let mut input = io::Cursor::new(
            "Content-Length: 2\r\n\r\n{}\r\ncontent-length: 3\r\n\r\nabc".as_bytes(),
        );
        assert_eq!(read_frame(&mut input).unwrap().as_deref(), Some("{}"));
        assert_eq!(read_frame(&mut input).unwrap().as_deref(), Some("abc"));
        assert_eq!(read_frame(&mut input).unwrap(), None);
        let reply = decode("abc").unwrap_err();
        assert_eq!(reply["error"]["code"], -32700);
        let reply = decode(r#"{"jsonrpc":"2.0","id":7,"method":5}"#).unwrap_err();
        assert_eq!(reply["error"]["code"], -32600);
        assert_eq!(reply["id"], 7);
        assert!(decode(r#"{"jsonrpc":"2.0","id":1,"method":"x","params":{}}"#).is_ok());
    }
}
