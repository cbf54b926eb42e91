//! The handshake's verdicts through generated code: a frontend built from another version of a
//! channel keeps what still works (docs/protocol.md, "Compatible changes"). The "other version"
//! is the generated spec with its wire schema edited the way an older `.ipc` would have it.

use ipcc_runtime::transport::{memory, Incoming, IpcSocket, MessageReader, MessageWriter};
use ipcc_runtime::{ChannelSpec, ConnectOptions, ErrorCode, IpcHost};
use ipcc_tests::backends;
use ipcc_tests::edge_cases::EDGY_CHANNEL;
use ipcc_tests::notifications::{
    listen_job_events, JobEventsListener, JobsClient, LogLine, JOBS_CHANNEL, JOBS_SCHEMA_HASH,
    JOBS_SPEC, JOB_EVENTS_SPEC,
};
use std::time::Duration;
use tokio::sync::mpsc;

/// `text` with `from` replaced by `to`, which must occur in it.
fn edited(text: &str, from: &str, to: &str) -> &'static str {
    assert!(text.contains(from), "{from} is not in {text}");
    Box::leak(text.replace(from, to).into_boxed_str())
}

/// `Jobs` as a frontend built when `cancel` took a numeric id saw it.
fn older_jobs() -> ChannelSpec {
    ChannelSpec {
        schema_hash: "older-jobs",
        wire_schema: edited(
            &JOBS_SPEC.hello_schema().unwrap(),
            r#""cancel":{"params":[{"name":"jobId","type":"string"}]"#,
            r#""cancel":{"params":[{"name":"jobId","type":"i32"}]"#,
        ),
        ..JOBS_SPEC
    }
}

/// `JobEvents` as a frontend built before `Level` had `error` saw it.
fn older_job_events() -> ChannelSpec {
    ChannelSpec {
        schema_hash: "older-job-events",
        wire_schema: edited(
            &JOB_EVENTS_SPEC.hello_schema().unwrap(),
            r#""values":["debug","info","warning","error"]"#,
            r#""values":["debug","info","warning"]"#,
        ),
        ..JOB_EVENTS_SPEC
    }
}

fn served() -> (IpcHost, Vec<ipcc_runtime::Registration>) {
    let host = IpcHost::new();
    let registrations = backends::register_all(&host);
    (host, registrations)
}

#[tokio::test]
async fn a_judged_channel_fails_only_the_methods_that_changed_incompatibly() {
    let (host, _registrations) = served();
    let conn = host.connect_in_memory_with(ConnectOptions::new().channel(older_jobs()));
    let jobs = JobsClient::new(&conn);
    // `start` did not change: it works although the channel's hashes differ.
    assert_eq!(jobs.start("a").await.unwrap(), "job-a");
    let error = jobs.cancel("job-a").await.unwrap_err();
    assert_eq!(error.code, ErrorCode::VersionMismatch, "{error:?}");
    let reason =
        "the frontend sends argument #1 `jobId` of `cancel` as `i32`; the backend expects `string`";
    assert_eq!(
        error.message,
        format!("method \"cancel\" of channel \"{JOBS_CHANNEL}\" does not work with this backend: {reason}")
    );
    assert_eq!(
        error.data.unwrap(),
        serde_json::json!({
            "channel": JOBS_CHANNEL,
            "method": "cancel",
            "frontendHash": "older-jobs",
            "backendHash": JOBS_SCHEMA_HASH,
            "reason": reason,
        })
    );
}

/// Records which notifications arrive.
struct Names(mpsc::UnboundedSender<&'static str>);

impl JobEventsListener for Names {
    fn started(&self, _job_id: String) {
        let _ = self.0.send("started");
    }
    fn progress(&self, _job_id: String, _percent: f64, _note: Option<String>) {
        let _ = self.0.send("progress");
    }
    fn log(&self, _line: LogLine) {
        let _ = self.0.send("log");
    }
    fn finished(&self, _job_id: String, _ok: bool) {
        let _ = self.0.send("finished");
    }
}

#[tokio::test]
async fn notifications_a_frontend_could_not_decode_are_not_sent_to_it() {
    let (host, _registrations) = served();
    for (events, expected) in [
        (
            JOB_EVENTS_SPEC,
            vec!["started", "progress", "log", "progress", "finished"],
        ),
        // The backend may send a `Level` the older frontend does not know: no `log` for it.
        (
            older_job_events(),
            vec!["started", "progress", "progress", "finished"],
        ),
    ] {
        let conn =
            host.connect_in_memory_with(ConnectOptions::new().channel(JOBS_SPEC).channel(events));
        let (tx, mut rx) = mpsc::unbounded_channel();
        let _listener = listen_job_events(&conn, Names(tx));
        // The notifications precede the result on the connection, so they are all in by now.
        JobsClient::new(&conn).start("n").await.unwrap();
        conn.close();
        let mut arrived = Vec::new();
        while let Some(name) = rx.recv().await {
            arrived.push(name);
            if rx.is_empty() {
                break;
            }
        }
        assert_eq!(arrived, expected, "{}", events.schema_hash);
    }
}

/// Sends `hello` on a raw in-memory connection to `host`; returns the first answer.
async fn raw_hello(host: &IpcHost, hello: String) -> serde_json::Value {
    let (frontend, backend) = memory::pair();
    let served = host.clone();
    tokio::spawn(async move { served.serve(backend).await });
    let (mut reader, mut writer) = frontend.into_split();
    writer.write(hello).await.unwrap();
    writer.flush().await.unwrap();
    match tokio::time::timeout(Duration::from_secs(10), reader.read(1 << 24)).await {
        Ok(Incoming::Text(text)) => serde_json::from_str(&text).unwrap(),
        other => panic!("no answer: {:?}", other.is_ok()),
    }
}

#[tokio::test]
async fn schemas_that_are_not_schemas_refuse_the_hello() {
    let (host, _registrations) = served();
    for schemas in [
        r#"[]"#.to_owned(),
        r#"{"jobs-v1":5}"#.to_owned(),
        r#"{"jobs-v1":{"format":1,"kind":"interface","members":{"m":{"params":[{"name":"a","type":{"ref":9}}]}}}}"#.to_owned(),
        format!(r#"{{"jobs-v1":{}}}"#, JOBS_SPEC.hello_schema().unwrap().replace("\"params\"", "\"parameters\"")),
    ] {
        let answer = raw_hello(
            &host,
            format!(r#"{{"type":"hello","protocol":1,"channels":{{"jobs-v1":"x"}},"schemas":{schemas}}}"#),
        )
        .await;
        assert_eq!(answer["type"], "error", "{schemas}: {answer}");
        assert_eq!(answer["code"], "badRequest", "{schemas}: {answer}");
    }
    // Another format is not an error: the channel is simply not judged. (Format 2, streams, is
    // read now: a format-2 text of this shape would be invalid.)
    let answer = raw_hello(
        &host,
        format!(
            r#"{{"type":"hello","protocol":1,"channels":{{"{JOBS_CHANNEL}":"x"}},"schemas":{{"{JOBS_CHANNEL}":{{"format":3,"anything":true}}}}}}"#
        ),
    )
    .await;
    assert_eq!(answer["type"], "welcome", "{answer}");
    assert!(answer.get("compat").is_none(), "{answer}");
    // A schema of a channel whose hash matches is not judged either (nothing to judge).
    let jobs_schema = JOBS_SPEC.hello_schema().unwrap();
    let answer = raw_hello(
        &host,
        format!(
            r#"{{"type":"hello","protocol":1,"channels":{{"{JOBS_CHANNEL}":"{JOBS_SCHEMA_HASH}"}},"schemas":{{"{JOBS_CHANNEL}":{jobs_schema}}}}}"#
        ),
    )
    .await;
    assert!(answer.get("compat").is_none(), "{answer}");
}

#[tokio::test]
async fn a_schema_too_large_to_judge_leaves_the_channel_to_the_hash() {
    let (host, _registrations) = served();
    // `Edgy.chain` takes the recursive `Chain { value: i64; next?: Chain; }`. This frontend's
    // `Chain` is a chain of distinct structs, each to be compared with the backend's one `Chain`:
    // more pairs than the judge's budget allows.
    let depth = 200_000;
    let mut types = String::with_capacity(depth * 100);
    for i in 0..depth {
        if i > 0 {
            types.push(',');
        }
        let next = if i + 1 < depth {
            format!(
                r#",{{"name":"next","type":{{"optional":{{"ref":{}}}}}}}"#,
                i + 1
            )
        } else {
            String::new()
        };
        types.push_str(&format!(
            r#"{{"kind":"struct","name":"S{i}","fields":[{{"name":"value","type":"i64"}}{next}]}}"#
        ));
    }
    let schema = format!(
        r#"{{"format":1,"kind":"interface","members":{{"chain":{{"params":[{{"name":"chain","type":{{"ref":0}}}}],"result":{{"optional":{{"ref":0}}}}}}}},"types":[{types}]}}"#
    );
    let hello = format!(
        r#"{{"type":"hello","protocol":1,"channels":{{"{EDGY_CHANNEL}":"x"}},"schemas":{{"{EDGY_CHANNEL}":{schema}}}}}"#
    );
    let answer = raw_hello(&host, hello).await;
    assert_eq!(answer["type"], "welcome", "{answer}");
    assert!(answer.get("compat").is_none(), "not judged: {answer}");

    // The same shape, short: judged (and found lacking `chain`'s other arguments).
    let short = schema.replace(r#",{"name":"next","type":{"optional":{"ref":1}}}"#, "");
    let short = short[..short.find(r#",{"kind":"struct","name":"S1""#).unwrap()].to_owned() + "]}";
    let answer = raw_hello(
        &host,
        format!(
            r#"{{"type":"hello","protocol":1,"channels":{{"{EDGY_CHANNEL}":"x"}},"schemas":{{"{EDGY_CHANNEL}":{short}}}}}"#
        ),
    )
    .await;
    assert_eq!(
        answer["compat"][EDGY_CHANNEL]["unusable"]["chain"],
        "the backend requires argument #2 `keyed` of `chain`, which the frontend does not send",
        "{answer}"
    );
}
