//! Random bytes and random mutations of valid messages thrown at a host: it must answer or
//! ignore each one, never panic or hang, and keep serving afterwards.

mod support;

use ipcc_runtime::transport::lines::LineSocket;
use ipcc_runtime::transport::{memory, Incoming, IpcSocket, MessageReader, MessageWriter};
use ipcc_runtime::HostConfig;

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SEEDS: &[&str] = &[
    r#"{"type":"call","id":1,"channel":"ipcc-vectors-echo-v1","method":"echoPerson","args":[{"id":"1","name":"Ann","age":3,"tags":["a"],"avatar":"aGk="}]}"#,
    r#"{"type":"call","id":2,"channel":"ipcc-vectors-echo-v1","method":"add","args":[1,2]}"#,
    r#"{"type":"call","id":3,"channel":"ipcc-vectors-echo-v1","method":"echoF64","args":["NaN"]}"#,
    r#"{"type":"cancel","id":3}"#,
    r#"{"type":"hello","protocol":1,"channels":{"a":"b"}}"#,
];

const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    "null",
    "-0",
    "1e999",
    "\"\\ud800\"",
    "9007199254740993",
    "\"id\"",
    "\"type\"",
    "\"call\"",
    "\u{0}",
    "é",
    "😀",
    "true",
];

fn mutate(rng: &mut Rng, seed: &str) -> Vec<u8> {
    let mut bytes = seed.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(4) {
            0 if !bytes.is_empty() => {
                let end = (at + rng.below(8)).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            1 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                bytes.splice(at..at, token.bytes());
            }
            2 if at < bytes.len() => bytes[at] = rng.next() as u8,
            _ => bytes.splice(at..at, [rng.next() as u8]).for_each(drop),
        }
    }
    bytes
}

/// Random byte lines (invalid UTF-8 included) into a stdio-framed host over an in-process
/// pipe; a valid call afterwards must still work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_survives_random_and_mutated_lines() {
    use tokio::io::AsyncWriteExt;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let host = support::echo_host(HostConfig::new().max_message_bytes(4096));
    for round in 0..40 {
        let (near, far) = tokio::io::duplex(1 << 16);
        let (far_read, far_write) = tokio::io::split(far);
        let served = tokio::spawn({
            let host = host.clone();
            async move { host.serve(LineSocket::new(far_read, far_write)).await }
        });
        let (near_read, mut near_write) = tokio::io::split(near);
        let (mut reader, _unused_writer) =
            LineSocket::new(near_read, tokio::io::sink()).into_split();
        let mut input = b"{\"type\":\"hello\",\"protocol\":1}\n".to_vec();
        let mut sent = Vec::new();
        for _ in 0..50 {
            let line: Vec<u8> = if rng.below(5) == 0 {
                (0..rng.below(64)).map(|_| rng.next() as u8).collect()
            } else {
                {
                    let seed = SEEDS[rng.below(SEEDS.len())];
                    mutate(&mut rng, seed)
                }
            };
            let line: Vec<u8> = line.into_iter().filter(|b| *b != b'\n').collect();
            sent.push(String::from_utf8_lossy(&line).into_owned());
            input.extend_from_slice(&line);
            input.push(b'\n');
        }
        input.extend_from_slice(
            b"{\"type\":\"call\",\"id\":424242,\"channel\":\"ipcc-vectors-echo-v1\",\"method\":\"add\",\"args\":[40,2]}\n",
        );
        let writing = tokio::spawn(async move {
            near_write.write_all(&input).await.unwrap();
            near_write
        });
        // Everything before is answered or ignored; the final call's result must arrive.
        loop {
            match support::guarded("final result", reader.read(usize::MAX)).await {
                Incoming::Text(text) if text.contains(r#""id":424242"#) => {
                    assert!(
                        text.contains(r#""value":42"#),
                        "round {round}: {text}\nsent: {sent:#?}"
                    );
                    break;
                }
                Incoming::Text(_) => {}
                other => panic!("round {round}: connection ended: {other:?}\nsent: {sent:#?}"),
            }
        }
        // Both halves of our end dropped: the host reads end of stream and finishes.
        drop(support::guarded("writer", writing).await.unwrap());
        drop(reader);
        support::guarded("host ends", served).await.unwrap();
    }
}

/// Every random message in memory gets at most one answer, one that is not JSON gets exactly
/// one `badRequest` with `id: null`, and the connection survives.
///
/// Each message is followed by a sentinel call; the host answers a message it cannot read
/// while reading it, so that answer arrives before the sentinel's result. Answers of calls
/// (run as tasks) may come later, so those are counted over the whole run.
#[tokio::test]
async fn in_memory_host_answers_random_text_at_most_once() {
    let mut rng = Rng(42);
    let host = support::echo_host(HostConfig::new());
    let (frontend, backend) = memory::pair();
    tokio::spawn(async move { host.serve(backend).await });
    let (mut reader, mut writer) = frontend.into_split();
    writer
        .write(r#"{"type":"hello","protocol":1}"#.to_owned())
        .await
        .unwrap();
    assert!(matches!(reader.read(usize::MAX).await, Incoming::Text(_)));
    const MESSAGES: usize = 2000;
    let mut answers = 0;
    let mut not_json = 0;
    for round in 0..MESSAGES {
        let text = {
            let seed = SEEDS[rng.below(SEEDS.len())];
            String::from_utf8_lossy(&mutate(&mut rng, seed)).into_owned()
        };
        writer.write(text.clone()).await.unwrap();
        let sentinel = 1_000_000 + round;
        writer
            .write(format!(
                r#"{{"type":"call","id":{sentinel},"channel":"ipcc-vectors-echo-v1","method":"add","args":[1,1]}}"#
            ))
            .await
            .unwrap();
        let mut before_sentinel = Vec::new();
        loop {
            match support::guarded("sentinel", reader.read(usize::MAX)).await {
                Incoming::Text(answer) => {
                    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
                    if answer["id"] == sentinel {
                        assert_eq!(answer["value"], 2, "{answer}");
                        break;
                    }
                    before_sentinel.push(answer);
                }
                other => panic!("connection ended after {text:?}: {other:?}"),
            }
        }
        answers += before_sentinel.len();
        if serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&text).is_err() {
            not_json += 1;
            let refusals = before_sentinel
                .iter()
                .filter(|a| a["code"] == "badRequest" && a["id"].is_null())
                .count();
            assert_eq!(refusals, 1, "{text:?} got {before_sentinel:?}");
        }
    }
    assert!(
        answers <= MESSAGES,
        "{answers} answers to {MESSAGES} messages"
    );
    assert!(
        not_json > MESSAGES / 10,
        "the mutations rarely broke the JSON: {not_json}"
    );
}

/// A connection that never says hello is refused after the handshake timeout (virtual time).
#[tokio::test(start_paused = true)]
async fn silent_connections_are_closed_after_the_handshake_timeout() {
    let host = support::echo_host(HostConfig::new());
    let (frontend, backend) = memory::pair();
    tokio::spawn(async move { host.serve(backend).await });
    let (mut reader, _writer) = frontend.into_split();
    match reader.read(usize::MAX).await {
        Incoming::Text(text) => {
            assert!(text.contains(r#""code":"badRequest""#), "{text}");
            assert!(text.contains("no hello"), "{text}");
        }
        other => panic!("expected the refusal, got {other:?}"),
    }
    assert!(matches!(reader.read(usize::MAX).await, Incoming::Closed));
}

/// Returns once no task can run: every task waits on something no task will do. Only for tests
/// whose clock is paused (`start_paused`): tokio then moves the clock only when the runtime is
/// idle, so this virtual-time sleep ends at the first moment every task is blocked (and no
/// earlier timer is due), however slow the machine: a wait for quiescence, not for time.
async fn until_every_task_waits() {
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
}

/// A stdio-framed peer of `host` over an 8 KiB pipe that says hello and then sends `calls`
/// calls of `big(1000)` without reading: the read half of its end, and the task writing (done
/// once everything was written; it hands the write half back).
fn silent_peer(
    host: &ipcc_runtime::IpcHost,
    calls: usize,
) -> (
    tokio::io::ReadHalf<tokio::io::DuplexStream>,
    tokio::task::JoinHandle<tokio::io::WriteHalf<tokio::io::DuplexStream>>,
) {
    use tokio::io::AsyncWriteExt;
    let (near, far) = tokio::io::duplex(8 * 1024);
    let (far_read, far_write) = tokio::io::split(far);
    let serving = host.clone();
    tokio::spawn(async move { serving.serve(LineSocket::new(far_read, far_write)).await });
    let (near_read, mut near_write) = tokio::io::split(near);
    let writing = tokio::spawn(async move {
        near_write
            .write_all(b"{\"type\":\"hello\",\"protocol\":1}\n")
            .await
            .unwrap();
        for id in 1..=calls {
            let call = format!(
                "{{\"type\":\"call\",\"id\":{id},\"channel\":\"ipcc-vectors-echo-v1\",\"method\":\"big\",\"args\":[1000]}}\n"
            );
            near_write.write_all(call.as_bytes()).await.unwrap();
        }
        near_write
    });
    (near_read, writing)
}

/// A peer that sends calls but never reads the answers: once the host's outgoing queue is full
/// it stops reading that peer (backpressure), instead of growing; reading again drains it all.
#[tokio::test(start_paused = true)]
async fn a_peer_that_does_not_read_is_not_read_from() {
    const CALLS: usize = 2000;
    let host = support::echo_host(HostConfig::new().max_queued_bytes(16 * 1024));
    let (near_read, writing) = silent_peer(&host, CALLS);
    // Every task blocked: the writer on a full pipe, the host on its full queue. Unbounded, the
    // writer would have finished first.
    until_every_task_waits().await;
    assert!(
        !writing.is_finished(),
        "the host kept reading a peer that does not read (about 2 MB of answers queued)"
    );
    let (mut reader, _sink) = LineSocket::new(near_read, tokio::io::sink()).into_split();
    let mut results = 0;
    while results < CALLS {
        match reader.read(usize::MAX).await {
            Incoming::Text(text) if text.contains(r#""type":"result""#) => results += 1,
            Incoming::Text(_) => {}
            other => panic!("connection ended after {results} results: {other:?}"),
        }
    }
    let _keep_open = writing.await.unwrap();
}

/// Many peers that never read: each queue stays within its own limit, and all of them together
/// within the host's total (about one message per connection past it); once they read, every
/// answer arrives.
#[tokio::test(start_paused = true)]
async fn peers_that_do_not_read_are_bounded_together() {
    const PEERS: usize = 8;
    const CALLS: usize = 400;
    const PER_CONNECTION: usize = 64 * 1024;
    const TOTAL: usize = 128 * 1024;
    let host = support::echo_host(
        HostConfig::new()
            .max_queued_bytes(PER_CONNECTION)
            .max_queued_bytes_total(TOTAL),
    );
    let peers: Vec<_> = (0..PEERS).map(|_| silent_peer(&host, CALLS)).collect();
    // Every task blocked: the writers on full pipes, the host on full queues. Each peer alone
    // could queue PER_CONNECTION; together they may not pass TOTAL by more than about one
    // answer each.
    until_every_task_waits().await;
    let queued = host.queued_bytes();
    assert!(
        queued <= TOTAL + PEERS * 2048,
        "{queued} bytes queued for {PEERS} peers that do not read (total limit {TOTAL})"
    );
    assert!(queued > TOTAL / 2, "the peers filled the queues: {queued}");
    for (near_read, writing) in peers {
        let (mut reader, _sink) = LineSocket::new(near_read, tokio::io::sink()).into_split();
        let mut results = 0;
        while results < CALLS {
            match reader.read(usize::MAX).await {
                Incoming::Text(text) if text.contains(r#""type":"result""#) => results += 1,
                Incoming::Text(_) => {}
                other => panic!("connection ended after {results} results: {other:?}"),
            }
        }
        drop(writing.await.unwrap());
    }
    assert_eq!(host.queued_bytes(), 0);
}
