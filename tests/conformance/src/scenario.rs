//! What a Rust client checks against a host of either language: every method with edge values,
//! optional parameters sent as `null` and omitted, the void method, the declared error, a lone
//! surrogate refused, notifications in order; and the property tests (`properties`), which send
//! at least 1,000 generated values of every type and compare what comes back exactly.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use ipcc_runtime::codegen::RawValue;
use ipcc_runtime::{CallError, CallOptions, ErrorCode, IpcConnection};

use crate::arbitrary as gen;
use crate::exact::{assert_same, assert_same_f32s, assert_same_f64s, same_f32, same_f64};
use crate::fixtures;
use crate::generated::*;
use crate::prng::Prng;

fn raw(json: &str) -> Box<RawValue> {
    RawValue::from_string(json.to_string()).expect("valid JSON")
}

/// Every echo method once or more, with the edge values of its type.
pub async fn echo_every_method(client: &ConformanceClient) {
    for v in [true, false] {
        assert_eq!(client.echo_bool(v).await.unwrap(), v);
        assert_eq!(client.echo_boolean(v).await.unwrap(), v);
    }
    for v in [i8::MIN, -1, 0, i8::MAX] {
        assert_eq!(client.echo_i8(v).await.unwrap(), v);
    }
    for v in [i16::MIN, 0, i16::MAX] {
        assert_eq!(client.echo_i16(v).await.unwrap(), v);
    }
    for v in [i32::MIN, 0, i32::MAX] {
        assert_eq!(client.echo_i32(v).await.unwrap(), v);
    }
    for v in gen::edges_i64() {
        assert_eq!(client.echo_i64(v).await.unwrap(), v);
    }
    for v in [0, u8::MAX] {
        assert_eq!(client.echo_u8(v).await.unwrap(), v);
    }
    for v in [0, u16::MAX] {
        assert_eq!(client.echo_u16(v).await.unwrap(), v);
    }
    for v in [0, u32::MAX] {
        assert_eq!(client.echo_u32(v).await.unwrap(), v);
    }
    for v in gen::edges_u64() {
        assert_eq!(client.echo_u64(v).await.unwrap(), v);
        assert_eq!(client.echo_id(v).await.unwrap(), v);
    }
    for v in gen::edges_f32() {
        let back = client.echo_f32(v).await.unwrap();
        assert!(same_f32(v, back), "echoF32({v:?}) returned {back:?}");
    }
    for v in gen::edges_f64() {
        let back = client.echo_f64(v).await.unwrap();
        assert!(same_f64(v, back), "echoF64({v:?}) returned {back:?}");
        let back = client.echo_number(v).await.unwrap();
        assert!(same_f64(v, back), "echoNumber({v:?}) returned {back:?}");
    }
    for v in gen::edges_string() {
        assert_eq!(client.echo_string(v.clone()).await.unwrap(), v);
    }
    for v in gen::edges_bytes().into_iter().chain([gen::mib_bytes(7)]) {
        assert_eq!(client.echo_bytes(v.clone()).await.unwrap(), v);
        assert_eq!(client.echo_blob(v.clone()).await.unwrap(), v);
    }
    for v in [Color::Red, Color::Green, Color::Blue] {
        assert_eq!(client.echo_color(v).await.unwrap(), v);
    }
    for v in [vec![], vec![String::new(), "😀".into()]] {
        assert_eq!(client.echo_tags(v.clone()).await.unwrap(), v);
    }
    for v in [None, Some(String::new()), Some("x".into())] {
        assert_eq!(client.echo_maybe_string(v.clone()).await.unwrap(), v);
    }
    for v in [None, Some(Shape::Empty), Some(fixtures::emitted_shape())] {
        let back = client.echo_maybe_shape(v.clone()).await.unwrap();
        assert_same("echoMaybeShape", &v, &back);
    }
    let string_map = BTreeMap::from([(String::new(), i64::MIN), ("k".into(), i64::MAX)]);
    assert_eq!(
        client.echo_string_map(string_map.clone()).await.unwrap(),
        string_map
    );
    let int_map = BTreeMap::from([(0, String::new()), (u32::MAX, "max".into())]);
    assert_eq!(client.echo_int_map(int_map.clone()).await.unwrap(), int_map);
    let bytes_map = BTreeMap::from([(String::new(), vec![]), ("big".into(), gen::mib_bytes(3))]);
    assert_eq!(
        client.echo_bytes_map(bytes_map.clone()).await.unwrap(),
        bytes_map
    );
    let matrix = vec![vec![], vec![i32::MIN, 0, i32::MAX]];
    assert_eq!(client.echo_matrix(matrix.clone()).await.unwrap(), matrix);

    let sample = fixtures::emitted_sample();
    let scalars = sample
        .maybe_scalars
        .clone()
        .expect("the sample has scalars");
    assert_same(
        "echoScalars",
        &scalars,
        &client.echo_scalars(scalars.clone()).await.unwrap(),
    );
    let point = Point {
        x: -0.0,
        y: f64::NAN,
    };
    assert_same(
        "echoPoint",
        &point,
        &client.echo_point(point.clone()).await.unwrap(),
    );
    let mut rng = Prng::new(1);
    for variant in 0..4 {
        let shape = gen::shape_variant(&mut rng, variant);
        assert_same(
            "echoShape",
            &shape,
            &client.echo_shape(shape.clone()).await.unwrap(),
        );
    }
    assert_same(
        "echoTree",
        &sample.tree,
        &client.echo_tree(sample.tree.clone()).await.unwrap(),
    );
    for variant in 0..5 {
        let expr = gen::expr_variant(&mut rng, variant, 3);
        assert_same(
            "echoExpr",
            &expr,
            &client.echo_expr(expr.clone()).await.unwrap(),
        );
    }
    for index in 0..3 {
        let optionals = gen::optionals_value(&mut rng, index);
        assert_same(
            "echoOptionals",
            &optionals,
            &client.echo_optionals(optionals.clone()).await.unwrap(),
        );
    }
    assert_same(
        "echoNested",
        &sample,
        &client.echo_nested(sample.clone()).await.unwrap(),
    );
    let many = client
        .echo_many(true, u64::MAX, -0.0, "many", Color::Green, Shape::Empty)
        .await
        .unwrap();
    let expected = ManyArgs {
        flag: true,
        count: u64::MAX,
        ratio: -0.0,
        name: "many".into(),
        color: Color::Green,
        shape: Shape::Empty,
    };
    assert_same("echoMany", &expected, &many);
}

/// Optional trailing parameters: `None` (sent as `null`), given, and left off the wire.
pub async fn optional_params(client: &ConformanceClient, conn: &IpcConnection) {
    let seen = client.optional_args(7, None, None).await.unwrap();
    assert_eq!(
        seen,
        ArgsSeen {
            required: 7,
            text: None,
            shape: None
        }
    );
    let seen = client
        .optional_args(-1, Some("t".into()), Some(Shape::Empty))
        .await
        .unwrap();
    assert_eq!(
        seen,
        ArgsSeen {
            required: -1,
            text: Some("t".into()),
            shape: Some(Shape::Empty)
        }
    );
    // Omitted entirely, as a TS client does: the wire args are only the required one.
    let value = conn
        .call(
            CONFORMANCE_CHANNEL,
            "optionalArgs",
            vec![raw("\"5\"")],
            &CallOptions::new(),
        )
        .await
        .unwrap();
    let seen: serde_json::Value = serde_json::from_str(value.get()).unwrap();
    assert_eq!(
        seen,
        serde_json::json!({ "required": "5" }),
        "absent optionals stay absent in the result"
    );
    let value = conn
        .call(
            CONFORMANCE_CHANNEL,
            "optionalArgs",
            vec![raw("\"5\""), raw("\"t\"")],
            &CallOptions::new(),
        )
        .await
        .unwrap();
    let seen: serde_json::Value = serde_json::from_str(value.get()).unwrap();
    assert_eq!(seen, serde_json::json!({ "required": "5", "text": "t" }));
}

/// The void method and the declared error.
pub async fn void_and_declared_error(client: &ConformanceClient) {
    client.record("first").await.unwrap();
    let () = client.record("second 😀").await.unwrap();
    assert_eq!(
        client.recorded().await.unwrap(),
        vec!["first".to_string(), "second 😀".to_string()]
    );

    assert_eq!(client.divide(-7, 2).await.unwrap(), -3);
    match client.divide(1, 0).await {
        Err(CallError::Declared(MathError::DivideByZero)) => {}
        other => panic!("divide by zero: expected the declared divideByZero, got {other:?}"),
    }
    match client.divide(i64::MIN, -1).await {
        Err(CallError::Declared(MathError::Overflow { dividend, divisor })) => {
            assert_eq!((dividend, divisor), (i64::MIN, -1));
        }
        other => panic!("i64::MIN / -1: expected the declared overflow, got {other:?}"),
    }
}

/// A lone surrogate cannot be a Rust `String`; sent raw, the host refuses it with `badRequest`.
pub async fn lone_surrogate_refused(conn: &IpcConnection) {
    let error = conn
        .call(
            CONFORMANCE_CHANNEL,
            "echoString",
            vec![raw("\"\\ud800\"")],
            &CallOptions::new(),
        )
        .await
        .expect_err("a lone surrogate must not be echoed");
    assert_eq!(error.code, ErrorCode::BadRequest, "{error:?}");
    // The host keeps serving.
    assert_eq!(
        ConformanceClient::new(conn)
            .echo_string("ok")
            .await
            .unwrap(),
        "ok"
    );
}

/// One notification as received, for checking order.
#[derive(Debug, Clone)]
enum Event {
    Tick(u32, String),
    Shape(Shape, Option<String>),
    Sample(Box<Nested>),
    Done(u32),
}

struct Recorder(Arc<Mutex<Vec<Event>>>);

impl ConformanceEventsListener for Recorder {
    fn tick(&self, index: u32, label: String) {
        self.0.lock().unwrap().push(Event::Tick(index, label));
    }
    fn shape(&self, value: Shape, note: Option<String>) {
        self.0.lock().unwrap().push(Event::Shape(value, note));
    }
    fn sample(&self, value: Nested) {
        self.0.lock().unwrap().push(Event::Sample(Box::new(value)));
    }
    fn done(&self, total: u32) {
        self.0.lock().unwrap().push(Event::Done(total));
    }
}

/// `emit` pushes its notifications in order, with exact values, before answering.
pub async fn notifications_in_order(client: &ConformanceClient, conn: &IpcConnection) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let _listening = listen_conformance_events(conn, Recorder(events.clone()));
    let count = 50;
    assert_eq!(client.emit(count, "run 😀").await.unwrap(), count);
    // Notifications precede the result on the wire, and a frontend hands each notification to
    // its listeners before it reads the next message: all of them are here once the result is.
    let events = events.lock().unwrap().clone();
    assert_eq!(events.len(), count as usize + 4, "{events:?}");
    for (index, event) in events.iter().take(count as usize).enumerate() {
        match event {
            Event::Tick(i, label) => {
                assert_eq!((*i as usize, label.as_str()), (index, "run 😀"));
            }
            other => panic!("event {index}: expected tick, got {other:?}"),
        }
    }
    match &events[count as usize..] {
        [Event::Shape(first, Some(note)), Event::Shape(Shape::Empty, None), Event::Sample(sample), Event::Done(total)] =>
        {
            assert_same("shape notification", &fixtures::emitted_shape(), first);
            assert_eq!(note, "run 😀");
            assert_same(
                "sample notification",
                &fixtures::emitted_sample(),
                sample.as_ref(),
            );
            assert_eq!(*total, count);
        }
        other => panic!("after the ticks: {other:?}"),
    }
}

/// The whole scenario over one connection.
pub async fn run_all(conn: &IpcConnection) {
    let client = ConformanceClient::new(conn);
    echo_every_method(&client).await;
    optional_params(&client, conn).await;
    void_and_declared_error(&client).await;
    lone_surrogate_refused(conn).await;
    notifications_in_order(&client, conn).await;
}

/// Values per `echoBatch` call and calls per type: 1,000 values of every type.
pub const PER_CALL: usize = CONFORMANCE_BATCH_SIZE as usize;
pub const CALLS_PER_TYPE: usize = 10;

fn empty_batch() -> Batch {
    Batch {
        bools: vec![],
        booleans: vec![],
        i8s: vec![],
        i16s: vec![],
        i32s: vec![],
        i64s: vec![],
        u8s: vec![],
        u16s: vec![],
        u32s: vec![],
        u64s: vec![],
        f32s: vec![],
        f64s: vec![],
        numbers: vec![],
        strings: vec![],
        blobs: vec![],
        colors: vec![],
        ids: vec![],
        maybe_strings: vec![],
        string_maps: vec![],
        int_maps: vec![],
        scalars: vec![],
        shapes: vec![],
        trees: vec![],
        exprs: vec![],
        optionals: vec![],
        nested: vec![],
    }
}

/// `count` values: the edges first (on the first call), then generated ones.
fn values<T: Clone>(
    call: usize,
    edges: Vec<T>,
    rng: &mut Prng,
    mut make: impl FnMut(&mut Prng, u64) -> T,
) -> Vec<T> {
    let mut out = if call == 0 { edges } else { Vec::new() };
    let mut index = out.len() as u64;
    while out.len() < PER_CALL {
        out.push(make(rng, index));
        index += 1;
    }
    out
}

/// The field names of `Batch`, one per type the property tests cover.
pub const BATCH_FIELDS: &[&str] = &[
    "bools",
    "booleans",
    "i8s",
    "i16s",
    "i32s",
    "i64s",
    "u8s",
    "u16s",
    "u32s",
    "u64s",
    "f32s",
    "f64s",
    "numbers",
    "strings",
    "blobs",
    "colors",
    "ids",
    "maybeStrings",
    "stringMaps",
    "intMaps",
    "scalars",
    "shapes",
    "trees",
    "exprs",
    "optionals",
    "nested",
];

/// A batch with only `field` filled: `PER_CALL` values (more on the first call: the edges).
pub fn batch_for(field: &str, call: usize, rng: &mut Prng) -> Batch {
    let mut b = empty_batch();
    match field {
        "bools" => b.bools = values(call, vec![true, false], rng, |r, _| gen::bool_value(r)),
        "booleans" => b.booleans = values(call, vec![false, true], rng, |r, _| gen::bool_value(r)),
        "i8s" => {
            b.i8s = values(call, vec![i8::MIN, i8::MAX, 0, -1], rng, |r, _| {
                gen::i8_value(r)
            })
        }
        "i16s" => {
            b.i16s = values(call, vec![i16::MIN, i16::MAX], rng, |r, _| {
                gen::i16_value(r)
            })
        }
        "i32s" => {
            b.i32s = values(call, vec![i32::MIN, i32::MAX], rng, |r, _| {
                gen::i32_value(r)
            })
        }
        "i64s" => b.i64s = values(call, gen::edges_i64(), rng, |r, _| gen::i64_value(r)),
        "u8s" => b.u8s = values(call, vec![0, u8::MAX], rng, |r, _| gen::u8_value(r)),
        "u16s" => b.u16s = values(call, vec![0, u16::MAX], rng, |r, _| gen::u16_value(r)),
        "u32s" => b.u32s = values(call, vec![0, u32::MAX], rng, |r, _| gen::u32_value(r)),
        "u64s" => b.u64s = values(call, gen::edges_u64(), rng, |r, _| gen::u64_value(r)),
        "f32s" => b.f32s = values(call, gen::edges_f32(), rng, |r, _| gen::f32_value(r)),
        "f64s" => b.f64s = values(call, gen::edges_f64(), rng, |r, _| gen::f64_value(r)),
        "numbers" => b.numbers = values(call, gen::edges_f64(), rng, |r, _| gen::f64_value(r)),
        "strings" => {
            b.strings = values(call, gen::edges_string(), rng, |r, _| gen::string_value(r))
        }
        "blobs" => {
            // One 1 MiB value, on the first call only.
            let mut edges = gen::edges_bytes();
            edges.push(gen::mib_bytes(1));
            b.blobs = values(call, edges, rng, |r, _| gen::bytes_value(r));
        }
        "colors" => {
            b.colors = values(
                call,
                vec![Color::Red, Color::Green, Color::Blue],
                rng,
                |r, _| gen::color_value(r),
            )
        }
        "ids" => b.ids = values(call, gen::edges_u64(), rng, |r, _| gen::u64_value(r)),
        "maybeStrings" => {
            b.maybe_strings = values(call, vec![None, Some(String::new())], rng, |r, _| {
                gen::maybe_string_value(r)
            })
        }
        "stringMaps" => {
            b.string_maps = values(call, vec![BTreeMap::new()], rng, |r, _| {
                gen::string_map_value(r)
            })
        }
        "intMaps" => {
            let edge = BTreeMap::from([(0, String::new()), (u32::MAX, "😀".into())]);
            b.int_maps = values(call, vec![BTreeMap::new(), edge], rng, |r, _| {
                gen::int_map_value(r)
            })
        }
        "scalars" => b.scalars = values(call, vec![], rng, |r, _| gen::scalars_value(r)),
        "shapes" => b.shapes = values(call, vec![], rng, gen::shape_variant),
        "trees" => b.trees = values(call, vec![], rng, |r, _| gen::tree_value(r, 3)),
        "exprs" => b.exprs = values(call, vec![], rng, |r, i| gen::expr_variant(r, i, 4)),
        "optionals" => b.optionals = values(call, vec![], rng, gen::optionals_value),
        "nested" => {
            let mut edges = vec![fixtures::emitted_sample()];
            if call == 0 {
                // A map of bytes holding 1 MiB, once.
                let mut big = fixtures::emitted_sample();
                big.blobs.insert("mib".into(), gen::mib_bytes(2));
                edges.push(big);
            }
            b.nested = values(call, edges, rng, gen::nested_value)
        }
        other => panic!("no generator for Batch field {other:?}"),
    }
    b
}

/// Sends 1,000+ generated values of every type through `echoBatch` and compares exactly.
/// The seed is printed on failure (rerun with `CONFORMANCE_SEED=<seed>`).
pub async fn properties(conn: &IpcConnection, seed: u64) {
    let client = ConformanceClient::new(conn);
    for (n, field) in BATCH_FIELDS.iter().enumerate() {
        let mut rng = Prng::new(seed ^ (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let mut sent_values = 0;
        for call in 0..CALLS_PER_TYPE {
            let batch = batch_for(field, call, &mut rng);
            let what = format!("echoBatch.{field} call {call} (CONFORMANCE_SEED={seed})");
            let back = client
                .echo_batch(batch.clone())
                .await
                .unwrap_or_else(|e| panic!("{what}: {e:?}"));
            assert_same_f32s(&what, &batch.f32s, &back.f32s);
            assert_same_f64s(&what, &batch.f64s, &back.f64s);
            assert_same_f64s(&what, &batch.numbers, &back.numbers);
            assert_same(&what, &batch, &back);
            sent_values += crate::exact::wire(&batch)[field]
                .as_array()
                .map_or(0, |a| a.len());
        }
        assert!(
            sent_values >= 1000,
            "{field}: only {sent_values} values sent"
        );
    }
}
