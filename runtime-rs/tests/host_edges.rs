//! Edges of the protocol that only a raw peer can reach exactly: an oversize notification, a
//! notification flood to a frontend that does not read, and a `cancel` read before or after its
//! call ended.

mod support;

use ipcc_runtime::transport::{memory, Incoming, IpcSocket, MessageReader, MessageWriter};
use ipcc_runtime::{ErrorCode, HostConfig};
use serde_json::{json, Value};
use support::guarded;
use support::vectors_ipc::{ECHO_CHANNEL, ECHO_EVENTS_CHANNEL};

/// Reads the next message as JSON.
async fn next(reader: &mut memory::MemoryReader) -> Value {
    match guarded("message", reader.read(usize::MAX)).await {
        Incoming::Text(text) => serde_json::from_str(&text).unwrap(),
        other => panic!("expected a message, got {other:?}"),
    }
}

/// A raw frontend welcomed by `host`.
async fn raw_frontend(
    host: &ipcc_runtime::IpcHost,
) -> (memory::MemoryReader, memory::MemoryWriter) {
    let (frontend, backend) = memory::pair();
    let host = host.clone();
    tokio::spawn(async move { host.serve(backend).await });
    let (mut reader, mut writer) = frontend.into_split();
    writer
        .write(r#"{"type":"hello","protocol":1}"#.to_owned())
        .await
        .unwrap();
    writer.flush().await.unwrap();
    assert_eq!(next(&mut reader).await["type"], "welcome");
    (reader, writer)
}

/// A notification larger than the host's `maxMessageBytes` is not sent: `notify` returns
/// `tooLarge`, and the frontend's next message is the notification after it.
#[tokio::test]
async fn an_oversize_notification_is_refused_and_not_sent() {
    let host = support::echo_host(HostConfig::new().max_message_bytes(200));
    let (mut reader, _writer) = raw_frontend(&host).await;
    let big = serde_json::value::to_raw_value(&"x".repeat(300)).unwrap();
    let error = host
        .notify(None, ECHO_EVENTS_CHANNEL, "tick", [big])
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::TooLarge);
    let small = serde_json::value::to_raw_value(&5).unwrap();
    host.notify(None, ECHO_EVENTS_CHANNEL, "tick", [small])
        .unwrap();
    let message = next(&mut reader).await;
    assert_eq!(message["args"], json!([5]), "{message}");
}

/// A notification flood to a frontend that stopped reading: the host queues up to its
/// `max_queued_bytes` for that connection (plus what the transport itself holds), then a send to
/// it fails `tooLarge` and a broadcast skips it, so the flood cannot grow the host without bound;
/// once the frontend reads, every notification queued arrives, in order, and sends work again.
#[tokio::test]
async fn a_notification_flood_to_a_frontend_that_does_not_read_stays_bounded() {
    const LIMIT: usize = 64 * 1024;
    let host = support::echo_host(HostConfig::new().max_queued_bytes(LIMIT));
    let (mut reader, _writer) = raw_frontend(&host).await;
    let connection = host.connections()[0];
    let tick = |n: u32| serde_json::value::to_raw_value(&n).unwrap();
    let mut sent = 0u32;
    let refused = loop {
        match host.notify(Some(connection), ECHO_EVENTS_CHANNEL, "tick", [tick(sent)]) {
            Ok(()) => sent += 1,
            Err(error) => break error,
        }
        assert!(
            sent < 1_000_000,
            "a million notifications queued, none refused"
        );
        // Let the host's writer move what it can into the transport, as it would in a real
        // run; the frontend still reads nothing.
        tokio::task::yield_now().await;
    };
    assert_eq!(refused.code, ErrorCode::TooLarge, "{refused:?}");
    assert!(
        host.queued_bytes() <= LIMIT,
        "{} bytes queued",
        host.queued_bytes()
    );
    // A broadcast skips the full connection instead of failing or queueing past the bound.
    host.notify(None, ECHO_EVENTS_CHANNEL, "tick", [tick(u32::MAX)])
        .unwrap();
    assert!(
        host.queued_bytes() <= LIMIT,
        "{} bytes queued",
        host.queued_bytes()
    );
    // Everything queued arrives, in order, and nothing after it: neither the refused tick nor
    // the skipped broadcast (the next message read is the tick sent after draining).
    for n in 0..sent {
        let message = next(&mut reader).await;
        assert_eq!(message["args"], json!([n]), "{message}");
    }
    host.notify(Some(connection), ECHO_EVENTS_CHANNEL, "tick", [tick(7)])
        .expect("room again once the frontend read");
    let message = next(&mut reader).await;
    assert_eq!(message["args"], json!([7]), "{message}");
}

/// A `cancel` written right behind its call, many times over: each call gets exactly one
/// answer, its result or `cancelled`, whichever side of the race the host saw, never both
/// and never none. Every third call is `wait` (never finishes: the cancel always wins); the
/// others are `big` of varying sizes, which finish as the cancel is read or before it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_before_or_after_its_call_ends_leaves_exactly_one_answer() {
    const CALLS: usize = 300;
    let host = support::echo_host(HostConfig::new());
    let (mut reader, mut writer) = raw_frontend(&host).await;
    for id in 1..=CALLS {
        let size = (id * 7919) % 200_000;
        let (method, args) = if id % 3 == 0 {
            ("wait", String::new())
        } else {
            ("big", size.to_string())
        };
        writer
            .write(format!(
                r#"{{"type":"call","id":{id},"channel":"{ECHO_CHANNEL}","method":"{method}","args":[{args}]}}"#
            ))
            .await
            .unwrap();
        writer
            .write(format!(r#"{{"type":"cancel","id":{id}}}"#))
            .await
            .unwrap();
        writer.flush().await.unwrap();
    }
    let mut answered = vec![0u32; CALLS + 1];
    let mut cancelled = 0;
    let mut record = |message: &Value| {
        let id = message["id"].as_u64().expect("every answer names its call") as usize;
        answered[id] += 1;
        match (message["type"].as_str(), message["code"].as_str()) {
            (Some("result"), _) => {}
            (Some("error"), Some("cancelled")) => cancelled += 1,
            _ => panic!("unexpected answer {message}"),
        }
        answered[1..].iter().all(|&n| n > 0)
    };
    while !record(&next(&mut reader).await) {}
    // One more call: a second answer to any of them would come before its result.
    let probe = CALLS + 1;
    writer
        .write(format!(
            r#"{{"type":"call","id":{probe},"channel":"{ECHO_CHANNEL}","method":"add","args":[2,2]}}"#
        ))
        .await
        .unwrap();
    writer.flush().await.unwrap();
    loop {
        let message = next(&mut reader).await;
        if message["id"] == probe {
            break;
        }
        record(&message);
    }
    assert!(
        answered[1..].iter().all(|&n| n == 1),
        "every call answered exactly once: {answered:?}"
    );
    // At least the `wait` calls, which cannot finish, were cancelled.
    assert!(cancelled >= CALLS / 3, "{cancelled} of {CALLS} cancelled");
    println!("{cancelled} of {CALLS} calls were cancelled");
}

/// Records each write a host's stdio framing makes, so a test sees where it flushed.
struct RecordedWrites(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl tokio::io::AsyncWrite for RecordedWrites {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        bytes: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let text = String::from_utf8_lossy(bytes).into_owned();
        self.0.lock().unwrap().push(text);
        std::task::Poll::Ready(Ok(bytes.len()))
    }
    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

/// Over stdio's framing, calls that arrive together (one read) are answered in flushes after
/// the 1st, 2nd, 4th and 8th call, not in one write at the end: the peer gets the first answers
/// while the host handles the rest. (A current-thread runtime, as a stdio backend runs.)
#[tokio::test]
async fn a_batch_over_stdio_is_answered_in_growing_flushes() {
    use tokio::io::AsyncWriteExt;

    let host = support::echo_host(HostConfig::new());
    let (mut near, far) = tokio::io::duplex(64 * 1024);
    let mut input = String::from("{\"type\":\"hello\",\"protocol\":1}\n");
    for id in 1..=8 {
        input.push_str(&format!(
            "{{\"type\":\"call\",\"id\":{id},\"channel\":\"{ECHO_CHANNEL}\",\"method\":\"add\",\"args\":[{id},1]}}\n"
        ));
    }
    // All of it before the host starts, so that its first read takes the whole batch.
    near.write_all(input.as_bytes()).await.unwrap();
    let writes = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let socket =
        ipcc_runtime::transport::lines::LineSocket::new(far, RecordedWrites(writes.clone()));
    tokio::spawn(async move { host.serve(socket).await });
    let answers = |write: &String| write.matches("\"type\":\"result\"").count();
    guarded("eight answers", async {
        while writes.lock().unwrap().iter().map(answers).sum::<usize>() < 8 {
            tokio::task::yield_now().await;
        }
    })
    .await;
    let writes = writes.lock().unwrap();
    assert!(writes[0].contains("\"welcome\""), "{writes:?}");
    let per_write: Vec<usize> = writes.iter().map(answers).collect();
    assert_eq!(per_write, [1, 1, 2, 4], "{writes:?}");
    drop(near);
}
