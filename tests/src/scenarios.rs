//! Round-trip scenarios over one connection to a host serving [`crate::backends`]. Each transport
//! test file runs all of them through [`crate::round_trip_tests!`].

use crate::backends::{ada, alice, sample_drawing};
use crate::dotted::acme::jobs::{Assignment, HireError, Job, Level as JobLevel};
use crate::dotted::acme::people::Person as StaffMember;
use crate::dotted::{listen_staffing_events, Roster, StaffingClient, StaffingEventsListener};
use crate::errors::{AuthError, BankClient, TransferError, ValidationError};
use crate::greeter::people::{LookupError, Mood, Person};
use crate::greeter::{listen_greeter_events, GreeterClient, GreeterEventsListener};
use crate::keywords as kw;
use crate::my_interface::MyInterfaceClient;
use crate::notifications::{listen_job_events, JobEventsListener, JobsClient, Level, LogLine};
use crate::primitives_and_containers::{Containers, EchoClient, Primitives};
use crate::unions::{CanvasClient, Shape};
use ipcc_runtime::codegen::RawValue;
use ipcc_runtime::{CallError, CallOptions, ErrorCode, IpcConnection, IpcError};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::mpsc;

/// Compares through `Debug`, which tells NaN from NaN-free values and -0.0 from 0.0 (what the
/// wire must preserve), where `PartialEq` cannot.
#[track_caller]
fn assert_same<T: std::fmt::Debug>(got: &T, expected: &T) {
    assert_eq!(format!("{got:?}"), format!("{expected:?}"));
}

fn raw(json: &str) -> Box<RawValue> {
    // A raw value goes into the message verbatim, and on stdio a message is one line: the
    // hand-written JSON here must not carry line breaks (generated code never does).
    RawValue::from_string(json.replace('\n', " ")).expect("valid JSON")
}

/// Calls with hand-written JSON arguments, as a peer that is not generated code might.
pub async fn raw_call(
    conn: &IpcConnection,
    channel: &str,
    method: &str,
    args: &[&str],
) -> Result<String, IpcError> {
    let args: Vec<Box<RawValue>> = args.iter().map(|a| raw(a)).collect();
    conn.call(channel, method, args, &CallOptions::new())
        .await
        .map(|value| value.get().to_string())
}

/// The reference article's call, exactly.
pub async fn reference_say_hello(conn: &IpcConnection) {
    let client = MyInterfaceClient::new(conn);
    let s = client.say_hello("abc", 10.0, true).await.unwrap();
    assert_eq!(s, "hello: abc 10 true");
    let s = client.say_hello(String::new(), -0.5, false).await.unwrap();
    assert_eq!(s, "hello:  -0.5 false");
}

fn primitives_min() -> Primitives {
    Primitives {
        flag: false,
        flag2: true,
        tiny: i8::MIN,
        small: i16::MIN,
        medium: i32::MIN,
        large: i64::MIN,
        utiny: 0,
        usmall: 0,
        umedium: 0,
        ularge: 0,
        single: f32::MIN,
        double: f64::MIN,
        num: -0.0,
        text: String::new(),
        data: Vec::new(),
    }
}

fn primitives_max() -> Primitives {
    Primitives {
        flag: true,
        flag2: false,
        tiny: i8::MAX,
        small: i16::MAX,
        medium: i32::MAX,
        large: i64::MAX,
        utiny: u8::MAX,
        usmall: u16::MAX,
        umedium: u32::MAX,
        ularge: u64::MAX,
        single: f32::MAX,
        double: f64::MAX,
        num: f64::MIN_POSITIVE,
        text: "non-ASCII: ünïcödé, 中文, emoji 🎉, astral 𝄞, quote \" backslash \\ nul \u{0}"
            .into(),
        data: (0..=255).collect(),
    }
}

fn primitives_non_finite() -> Primitives {
    Primitives {
        single: f32::NAN,
        double: f64::INFINITY,
        num: f64::NEG_INFINITY,
        large: 9_007_199_254_740_993, // 2^53 + 1: not representable as a JSON double
        ularge: 18_446_744_073_709_551_615,
        ..primitives_max()
    }
}

/// Every primitive at its edges: integer extremes, ±0, NaN, ±Infinity, empty and astral text,
/// empty, all-byte-values and 1 MiB bytes.
pub async fn primitives_edge_values(conn: &IpcConnection) {
    let client = EchoClient::new(conn);
    let large = Primitives {
        data: (0..1024 * 1024).map(|i| (i % 251) as u8).collect(),
        text: "𝄞".repeat(64 * 1024),
        ..primitives_min()
    };
    for value in [
        primitives_min(),
        primitives_max(),
        primitives_non_finite(),
        large,
    ] {
        let back = client.echo_primitives(value.clone()).await.unwrap();
        assert_same(&back, &value);
    }
}

fn containers_full() -> Containers {
    let mut by_name = BTreeMap::new();
    by_name.insert("min".to_string(), i64::MIN);
    by_name.insert("".to_string(), i64::MAX);
    let mut by_id = BTreeMap::new();
    by_id.insert(0, "zero".to_string());
    by_id.insert(u32::MAX, "max".to_string());
    let mut map_of_lists = BTreeMap::new();
    map_of_lists.insert("both".to_string(), vec![primitives_min(), primitives_max()]);
    map_of_lists.insert("none".to_string(), vec![]);
    let mut inner = BTreeMap::new();
    inner.insert(u8::MAX, vec![Some("x".to_string()), None]);
    inner.insert(0, vec![]);
    let mut nested = BTreeMap::new();
    nested.insert("n".to_string(), inner);
    let mut signed_keys = BTreeMap::new();
    signed_keys.insert(i64::MIN, true);
    signed_keys.insert(-1, false);
    Containers {
        list: vec!["a".into(), "".into()],
        grid: vec![vec![], vec![1.0, f64::NAN, -0.0]],
        by_name,
        by_id,
        maybe: Some(String::new()),
        maybe_too: Some("too".into()),
        list_of_maybes: vec![None, Some(i32::MIN), None],
        maybe_list: Some(vec![vec![], vec![0, 255]]),
        map_of_lists,
        list_of_maps: vec![signed_keys, BTreeMap::new()],
        nested,
    }
}

fn containers_empty() -> Containers {
    Containers {
        list: vec![],
        grid: vec![],
        by_name: BTreeMap::new(),
        by_id: BTreeMap::new(),
        maybe: None,
        maybe_too: None,
        list_of_maybes: vec![],
        maybe_list: None,
        map_of_lists: BTreeMap::new(),
        list_of_maps: vec![],
        nested: BTreeMap::new(),
    }
}

/// Arrays, maps with string and integer keys, optionals present, absent and null, nested.
pub async fn containers_round_trip(conn: &IpcConnection) {
    let client = EchoClient::new(conn);
    for value in [containers_full(), containers_empty()] {
        let back = client.echo_containers(value.clone()).await.unwrap();
        assert_same(&back, &value);
    }
}

/// Optional trailing parameters, omitted or given; i64 beyond 2^53; a handler error.
pub async fn optional_params_and_big_integers(conn: &IpcConnection) {
    let client = EchoClient::new(conn);
    assert_eq!(client.sum(vec![1, 2, 3], None).await.unwrap(), 6);
    assert_eq!(
        client
            .sum(vec![9_007_199_254_740_993], Some(-2))
            .await
            .unwrap(),
        9_007_199_254_740_991
    );
    assert_eq!(client.sum(vec![], Some(i64::MIN)).await.unwrap(), i64::MIN);
    let error = client.sum(vec![i64::MAX, 1], None).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Internal, "{error:?}");
    assert!(error.message.contains("overflows"), "{error:?}");
}

/// Unit and struct-like union variants, optional results, maps of unions, recursion.
pub async fn unions_round_trip(conn: &IpcConnection) {
    let client = CanvasClient::new(conn);
    assert_eq!(
        client.area(Shape::Rect { w: 2.0, h: 3.5 }).await.unwrap(),
        7.0
    );
    assert_eq!(client.area(Shape::Empty).await.unwrap(), 0.0);
    let mut shapes = BTreeMap::new();
    shapes.insert("small".to_string(), Shape::Circle { radius: 0.1 });
    shapes.insert("big".to_string(), Shape::Rect { w: 10.0, h: 10.0 });
    shapes.insert("none".to_string(), Shape::Empty);
    assert_eq!(
        client.largest(shapes).await.unwrap(),
        Some(Shape::Rect { w: 10.0, h: 10.0 })
    );
    assert_eq!(client.largest(BTreeMap::new()).await.unwrap(), None);
    client.draw(sample_drawing()).await.unwrap();
    let error = client
        .draw(crate::unions::Drawing::Group { children: vec![] })
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::Internal);
}

/// Declared errors of each kind (union, enum through an alias, struct) arrive typed.
pub async fn declared_errors(conn: &IpcConnection) {
    let bank = BankClient::new(conn);
    bank.transfer("alice", "bob", 100).await.unwrap();
    assert_eq!(
        bank.transfer("alice", "bob", u64::MAX).await,
        Err(CallError::Declared(TransferError::InsufficientFunds {
            needed: u64::MAX,
            available: 100
        }))
    );
    assert_eq!(
        bank.transfer("ghost", "bob", 1).await,
        Err(CallError::Declared(TransferError::AccountNotFound {
            account: "ghost".into()
        }))
    );
    assert_eq!(
        bank.transfer("ice", "bob", 1).await,
        Err(CallError::Declared(TransferError::Frozen))
    );
    assert_eq!(bank.login("alice", "pw").await.unwrap(), "token-alice");
    assert_eq!(
        bank.login("alice", "old").await,
        Err(CallError::Declared(AuthError::Expired))
    );
    assert_eq!(
        bank.login("bob", "pw").await,
        Err(CallError::Declared(AuthError::UnknownUser))
    );
    assert_eq!(
        bank.open_account("", None).await,
        Err(CallError::Declared(ValidationError {
            field: "owner".into(),
            reason: "must not be empty".into()
        }))
    );
    assert_eq!(
        bank.open_account("carol", Some(u64::MAX)).await.unwrap(),
        "carol:Some(18446744073709551615)"
    );
    assert_eq!(bank.open_account("dan", None).await.unwrap(), "dan:None");
}

/// A scratch file of `contents` for a ledger account, unique to this process and call, removed
/// on drop.
struct LedgerFile(std::path::PathBuf);

impl LedgerFile {
    fn new(contents: &str) -> LedgerFile {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("ipcc-ledger-{}-{n}", std::process::id()));
        std::fs::write(&path, contents).unwrap();
        LedgerFile(path)
    }

    /// The `from` account of a transfer out of this file.
    fn account(&self) -> String {
        format!("ledger:{}", self.0.display())
    }
}

impl Drop for LedgerFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// One handler (`transfer` from a ledger file) fails with its declared error in one branch and
/// through `?` on an `io::Error` and on a `ParseIntError` in others: the caller gets the typed
/// error for the first, `internal` with the error's message for the others.
pub async fn declared_and_internal_from_one_handler(conn: &IpcConnection) {
    let bank = BankClient::new(conn);
    let ledger = LedgerFile::new("50\n");
    bank.transfer(ledger.account(), "bob", 50).await.unwrap();
    assert_eq!(
        bank.transfer(ledger.account(), "bob", 51).await,
        Err(CallError::Declared(TransferError::InsufficientFunds {
            needed: 51,
            available: 50
        }))
    );

    let garbled = LedgerFile::new("fifty");
    let Err(CallError::Ipc(error)) = bank.transfer(garbled.account(), "bob", 1).await else {
        panic!("a ledger that does not parse must fail the call with `internal`");
    };
    assert_eq!(error.code, ErrorCode::Internal, "{error:?}");
    let parse_error = "fifty".parse::<u64>().unwrap_err();
    assert_eq!(error.message, parse_error.to_string(), "{error:?}");
    assert_eq!(error.data, None, "{error:?}");

    let missing = LedgerFile::new("");
    std::fs::remove_file(&missing.0).unwrap();
    let Err(CallError::Ipc(error)) = bank.transfer(missing.account(), "bob", 1).await else {
        panic!("a ledger that cannot be read must fail the call with `internal`");
    };
    assert_eq!(error.code, ErrorCode::Internal, "{error:?}");
    let io_error = std::fs::read_to_string(&missing.0).unwrap_err();
    assert_eq!(error.message, io_error.to_string(), "{error:?}");

    // The host keeps serving, the declared errors of other branches included.
    assert_eq!(
        bank.transfer("ice", "bob", 1).await,
        Err(CallError::Declared(TransferError::Frozen))
    );
}

/// A failing and a panicking handler both become `internal`; the host keeps serving.
pub async fn internal_errors_and_panics(conn: &IpcConnection) {
    let bank = BankClient::new(conn);
    let error = bank.balance("fail").await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Internal);
    assert!(error.message.contains("no such account"), "{error:?}");
    let error = bank.balance("panic").await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Internal, "{error:?}");
    assert_eq!(bank.balance("anyone").await.unwrap(), u64::MAX);
    assert_eq!(
        MyInterfaceClient::new(conn)
            .say_hello("still", 1.0, true)
            .await
            .unwrap(),
        "hello: still 1 true"
    );
}

/// Collects notifications as text, in arrival order.
struct Recorder(mpsc::UnboundedSender<String>);

impl JobEventsListener for Recorder {
    fn started(&self, job_id: String) {
        let _ = self.0.send(format!("started {job_id}"));
    }
    fn progress(&self, job_id: String, percent: f64, note: Option<String>) {
        let _ = self.0.send(format!("progress {job_id} {percent} {note:?}"));
    }
    fn log(&self, line: LogLine) {
        let _ = self.0.send(format!("log {line:?}"));
    }
    // `finished` keeps the generated default (ignore), so it is never recorded.
}

impl GreeterEventsListener for Recorder {
    fn person_added(&self, person: Person) {
        let _ = self.0.send(format!("added {}", person.name));
    }
    fn progress(&self, percent: f64, message: String) {
        let _ = self.0.send(format!("greeter progress {percent} {message}"));
    }
}

impl StaffingEventsListener for Recorder {
    fn hired(&self, assignment: Assignment) {
        let _ = self.0.send(format!(
            "hired {} as {}",
            assignment.person.name, assignment.job.title
        ));
    }
}

async fn next_event(rx: &mut mpsc::UnboundedReceiver<String>) -> String {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("a notification within 10 s")
        .expect("listener alive")
}

/// Notifications sent to the calling connection arrive in order, typed; a dropped listener
/// handle stops delivery.
pub async fn notifications_in_order(conn: &IpcConnection) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let handle = listen_job_events(conn, Recorder(tx));
    let jobs = JobsClient::new(conn);
    assert_eq!(jobs.start("a").await.unwrap(), "job-a");
    assert_eq!(next_event(&mut rx).await, "started job-a");
    assert_eq!(
        next_event(&mut rx).await,
        "progress job-a 50 Some(\"half way\")"
    );
    let expected_log = LogLine {
        level: Level::Warning,
        message: "ünïcode ✓ 𝄞".into(),
        timestamp: i64::MIN,
    };
    assert_eq!(next_event(&mut rx).await, format!("log {expected_log:?}"));
    assert_eq!(next_event(&mut rx).await, "progress job-a 100 None");
    assert!(jobs.cancel("job-a").await.unwrap());
    drop(handle);
    jobs.start("b").await.unwrap();
    // The call's result follows its notifications on the wire, and a frontend hands each
    // notification to its listeners before it reads the next message: any delivery would
    // already be here.
    assert!(
        rx.try_recv().is_err(),
        "no events after the handle is dropped"
    );
}

/// The two-file package example: types from `people` through `greeter`, declared errors from
/// another module, optional parameters, notifications to one connection and to all.
pub async fn greeter_multi_file(conn: &IpcConnection) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _handle = listen_greeter_events(conn, Recorder(tx));
    let greeter = GreeterClient::new(conn);
    assert_eq!(greeter.greet("Bob").await.unwrap(), "Hello, Bob!");
    assert_eq!(next_event(&mut rx).await, "added Bob");
    assert_eq!(greeter.find_person(1).await.unwrap(), alice());
    assert_eq!(
        greeter.find_person(403).await,
        Err(CallError::Declared(LookupError::Forbidden))
    );
    assert_eq!(
        greeter.find_person(i64::MAX).await,
        Err(CallError::Declared(LookupError::NotFound { id: i64::MAX }))
    );
    assert_eq!(greeter.list(None).await.unwrap(), vec![alice()]);
    assert_eq!(greeter.list(Some("B".into())).await.unwrap(), vec![]);
    greeter.set_mood(7, Mood::Sad).await.unwrap();
    assert_eq!(
        next_event(&mut rx).await,
        "greeter progress 100 7 is now Sad"
    );
}

/// Dotted packages: values whose types live in `acme.people` and `acme.jobs` (nested Rust
/// modules) as arguments, results, declared errors and notifications, and on the wire exactly
/// as types of a package-less file would be.
pub async fn dotted_packages(conn: &IpcConnection) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _handle = listen_staffing_events(conn, Recorder(tx));
    let staffing = StaffingClient::new(conn);
    let grace = StaffMember {
        id: i64::MAX,
        name: "Grace".into(),
        skills: vec![],
    };
    let job = Job {
        id: 42,
        title: "admiral".into(),
        level: JobLevel::Lead,
    };
    let assignment = staffing.hire(grace.clone(), job.clone()).await.unwrap();
    assert_eq!(
        assignment,
        Assignment {
            person: grace.clone(),
            job: job.clone(),
            previous: Some(Job {
                id: 41,
                title: "apprentice".into(),
                level: JobLevel::Junior,
            }),
        }
    );
    assert_eq!(next_event(&mut rx).await, "hired Grace as admiral");
    assert_eq!(
        staffing.hire(ada(), job.clone()).await,
        Err(CallError::Declared(HireError::AlreadyStaffed {
            by: ada().id
        }))
    );
    let unknown = Job { id: 0, ..job };
    assert_eq!(
        staffing.hire(grace, unknown).await,
        Err(CallError::Declared(HireError::UnknownJob { id: 0 }))
    );
    assert_eq!(
        staffing.roster(JobLevel::Lead).await.unwrap(),
        Roster {
            level: JobLevel::Lead,
            people: vec![ada()],
        }
    );
    // Package names are not on the wire: the value is the plain object.
    let result = raw_call(
        conn,
        crate::dotted::STAFFING_CHANNEL,
        "roster",
        &[r#""lead""#],
    )
    .await
    .unwrap();
    let back: serde_json::Value = serde_json::from_str(&result).unwrap();
    assert_eq!(
        back,
        serde_json::json!({
            "level": "lead",
            "people": [{"id": "-9223372036854775808", "name": "Ada", "skills": ["engines", "notes"]}],
        })
    );
}

fn keywords_value() -> kw::Keywords {
    // Built from JSON with every field named as in the IDL: proves the serde renames.
    let mut object = serde_json::Map::new();
    for name in [
        "type",
        "let",
        "mod",
        "match",
        "move",
        "ref",
        "use",
        "where",
        "gen",
        "try",
        "yield",
        "delete",
        "default",
        "new",
        "function",
        "class",
        "interface",
        "package",
        "null",
        "undefined",
        "this",
        "typeof",
        "instanceof",
        "constructor",
        "prototype",
        "toString",
        "then",
    ] {
        object.insert(name.into(), serde_json::Value::String(format!("<{name}>")));
    }
    object.insert("fn".into(), serde_json::json!(7));
    for name in ["self", "super", "crate", "async", "await"] {
        object.insert(name.into(), serde_json::json!(true));
    }
    serde_json::from_value(serde_json::Value::Object(object)).expect("Keywords from JSON")
}

/// Names that are keywords or shadow std types, through every generated layer.
pub async fn keywords_round_trip(conn: &IpcConnection) {
    let client = kw::KeywordyClient::new(conn);
    let map = client
        .r#type(
            kw::Result {
                ok: true,
                value: None,
            },
            Some(kw::Option::None),
            None,
        )
        .await
        .unwrap();
    assert_eq!(map.entries["fn"], "Some(None)");
    assert_eq!(map.entries["async"], "None");
    let bytes = client
        .r#match(
            kw::String { text: "x".into() },
            kw::Vec { items: vec![1, 2] },
            kw::Vec { items: vec![255] },
        )
        .await
        .unwrap();
    assert_eq!(bytes.data, vec![1, 2, 255]);
    assert_eq!(
        client
            .r#match(
                kw::String {
                    text: "error".into()
                },
                kw::Vec { items: vec![] },
                kw::Vec { items: vec![] },
            )
            .await,
        Err(CallError::Declared(kw::Error {
            message: "where is error".into()
        }))
    );
    let object = client
        .delete(kw::Keyword::Type { name: "n".into() }, keywords_value())
        .await
        .unwrap();
    assert_eq!(object.key, "Type { name: \"n\" }/<type>/true/<prototype>");
    assert_eq!(
        client.constructor(kw::Date::Today).await.unwrap(),
        kw::Symbol::Minus
    );
    let tree = kw::Array {
        items: vec![
            kw::Array { items: vec![] },
            kw::Array {
                items: vec![kw::Array { items: vec![] }],
            },
        ],
    };
    assert_eq!(client.to_string(tree).await.unwrap(), "4");
}

/// The wire shapes of §4 as seen by a peer that writes JSON by hand: i64 as decimal strings,
/// absent and null optionals, unknown fields ignored, integer map keys as strings.
pub async fn wire_shapes(conn: &IpcConnection) {
    let channel = crate::primitives_and_containers::ECHO_CHANNEL;
    let result = raw_call(conn, channel, "sum", &[r#"["9007199254740993"]"#])
        .await
        .unwrap();
    assert_eq!(result, r#""9007199254740993""#);
    // Optional argument given as null.
    let result = raw_call(conn, channel, "sum", &[r#"["1"]"#, "null"])
        .await
        .unwrap();
    assert_eq!(result, r#""1""#);
    let containers = r#"{"list":[],"grid":[],"byName":{},"byId":{"7":"seven"},"maybe":null,
        "listOfMaybes":[null,1],"mapOfLists":{},"listOfMaps":[{"-5":true}],"nested":{},
        "unknownField":"ignored"}"#;
    let result = raw_call(conn, channel, "echoContainers", &[containers])
        .await
        .unwrap();
    let back: serde_json::Value = serde_json::from_str(&result).unwrap();
    // Absent and null optionals both decode to None and are sent back absent.
    assert!(back.get("maybe").is_none(), "{back}");
    assert!(back.get("maybeToo").is_none(), "{back}");
    assert!(back.get("unknownField").is_none(), "{back}");
    assert_eq!(back["byId"]["7"], "seven");
    assert_eq!(back["listOfMaps"][0]["-5"], true);
    assert_eq!(back["listOfMaybes"], serde_json::json!([null, 1]));
    // A union on the wire: an object with "kind".
    let result = raw_call(
        conn,
        crate::unions::CANVAS_CHANNEL,
        "largest",
        &[r#"{"a":{"kind":"rect","w":"Infinity","h":1}}"#],
    )
    .await
    .unwrap();
    let back: serde_json::Value = serde_json::from_str(&result).unwrap();
    assert_eq!(
        back,
        serde_json::json!({"kind": "rect", "w": "Infinity", "h": 1.0})
    );
}

/// Each call-level error a peer can provoke: unknown channel and method, undecodable,
/// missing and surplus arguments.
pub async fn request_errors(conn: &IpcConnection) {
    let channel = crate::my_interface::MY_INTERFACE_CHANNEL;
    let error = raw_call(conn, channel, "sayGoodbye", &[])
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::UnknownMethod, "{error:?}");
    // Names outside the closed table, such as Object.prototype's, are unknown too.
    let error = raw_call(conn, channel, "constructor", &[])
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::UnknownMethod, "{error:?}");
    let error = raw_call(conn, "no-such-channel", "sayHello", &[])
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::UnknownChannel, "{error:?}");
    let error = raw_call(conn, channel, "sayHello", &["1", "2", "3"])
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::BadRequest, "{error:?}");
    let error = raw_call(conn, channel, "sayHello", &[r#""abc""#, "10"])
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::BadRequest, "{error:?}");
    let error = raw_call(conn, channel, "sayHello", &[r#""a""#, "1", "true", "4"])
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::BadRequest, "{error:?}");
    // Out of range for the declared integer type.
    let error = raw_call(
        conn,
        crate::errors::BANK_CHANNEL,
        "transfer",
        &[r#""a""#, r#""b""#, r#""18446744073709551616""#],
    )
    .await
    .unwrap_err();
    assert_eq!(error.code, ErrorCode::BadRequest, "{error:?}");
    // Integer map keys have one spelling: no sign, no leading zeros.
    for key in ["+7", "07", "-0", "4294967296"] {
        let containers = format!(
            r#"{{"list":[],"grid":[],"byName":{{}},"byId":{{"{key}":"x"}},"listOfMaybes":[],"mapOfLists":{{}},"listOfMaps":[],"nested":{{}}}}"#
        );
        let error = raw_call(
            conn,
            crate::primitives_and_containers::ECHO_CHANNEL,
            "echoContainers",
            &[&containers],
        )
        .await
        .unwrap_err();
        assert_eq!(error.code, ErrorCode::BadRequest, "key {key}: {error:?}");
    }
    // The connection still works.
    raw_call(conn, channel, "sayHello", &[r#""a""#, "1", "true"])
        .await
        .unwrap();
}

/// A call abandoned by the caller is cancelled on the backend: its handler's future is dropped.
pub async fn cancel_drops_the_handler(conn: &IpcConnection) {
    let bank = BankClient::new(conn);
    let before = bank.balance("dropped").await.unwrap();
    // Sent, then dropped: the frontend sends `cancel` behind the call.
    drop(crate::sent(bank.balance("slow")).await);
    // The backend answers `dropped>N` when the count of dropped slow handlers passes N: once
    // the cancel has reached the handler (the guard only turns a hang into a failure).
    let after = tokio::time::timeout(
        Duration::from_secs(10),
        bank.balance(format!("dropped>{before}")),
    )
    .await
    .expect("the handler of the abandoned call was never dropped")
    .unwrap();
    assert!(after > before, "{after} dropped, {before} before");
}

/// A per-call timeout fails the call with `timeout` and cancels it on the backend.
pub async fn timeout(conn: &IpcConnection) {
    let bank =
        BankClient::new(conn).with_options(CallOptions::new().timeout(Duration::from_millis(100)));
    let error = bank.balance("slow").await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Timeout, "{error:?}");
    assert_eq!(bank.balance("x").await.unwrap(), u64::MAX);
}

fn chain(values: &[i64]) -> Option<crate::edge_cases::Chain> {
    values.iter().rev().fold(None, |next, &value| {
        Some(crate::edge_cases::Chain {
            value,
            next: next.map(Box::new),
        })
    })
}

/// The generator's corner cases: parameters named like generated locals, eight parameters,
/// methods named like the client's constructors, recursion through a boxed optional, integer
/// alias map keys in a struct, an empty struct, a deprecated type.
pub async fn edge_cases_round_trip(conn: &IpcConnection) {
    use crate::edge_cases::{EdgyClient, Empty};
    let client = EdgyClient::new(conn);
    let joined = client.locals("c", "a", "h", "v", "m", "e").await.unwrap();
    assert_eq!(joined, "c,a,h,v,m,e");
    let total = client
        .many(
            i8::MIN,
            i16::MIN,
            i32::MIN,
            i64::MIN,
            u8::MAX,
            u16::MAX,
            u32::MAX,
            u64::MAX,
        )
        .await
        .unwrap();
    let signed =
        (i64::from(i8::MIN) + i64::from(i16::MIN) + i64::from(i32::MIN)).wrapping_add(i64::MIN);
    let unsigned = u64::from(u8::MAX) + u64::from(u16::MAX) + u64::from(u32::MAX);
    assert_eq!(
        total,
        u64::MAX.wrapping_add(unsigned).wrapping_add(signed as u64)
    );
    client.new_().await.unwrap();
    assert_eq!(client.with_options_(Empty {}).await.unwrap(), Empty {});
    let mut keyed = BTreeMap::new();
    keyed.insert(u16::MAX, chain(&[5]).unwrap());
    keyed.insert(0, chain(&[3, 4]).unwrap());
    let joined = client
        .chain(chain(&[1, 2]).unwrap(), keyed, chain(&[i64::MAX]))
        .await
        .unwrap();
    assert_eq!(joined, chain(&[1, 2, 3, 4, 5, i64::MAX]));
    #[allow(deprecated)] // exercising the deprecated type on purpose
    {
        let legacy = crate::edge_cases::Legacy {
            chain: chain(&[7]).unwrap(),
        };
        assert_eq!(client.old(legacy.clone()).await.unwrap(), legacy);
    }
}

/// Runs every scenario of this module as a `#[tokio::test]`, each on a fresh connection from
/// `$connect` (an async fn returning a [`crate::Fixture`]).
#[macro_export]
macro_rules! round_trip_tests {
    ($connect:path) => {
        $crate::round_trip_tests!(@each $connect;
            reference_say_hello,
            primitives_edge_values,
            containers_round_trip,
            optional_params_and_big_integers,
            unions_round_trip,
            declared_errors,
            internal_errors_and_panics,
            declared_and_internal_from_one_handler,
            notifications_in_order,
            greeter_multi_file,
            dotted_packages,
            keywords_round_trip,
            edge_cases_round_trip,
            wire_shapes,
            request_errors,
            cancel_drops_the_handler,
            timeout
        );
    };
    (@each $connect:path; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let fixture = $connect().await;
                $crate::scenarios::$name(&fixture.conn).await;
            }
        )*
    };
}
