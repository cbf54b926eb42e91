//! The benchmark schema generator shared by the `front_end`, `codegen` and `lsp` benches (so all measure the same input), and its `.proto` twin for the protoc and tonic comparisons.

// Each bench uses only some of these functions (the `.proto` twin is for
// `examples/bench_schemas.rs`); every bench compiles this module on its own.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::fmt::Write;

/// How big a benchmark schema is: interfaces of 10 methods each, and structs.
///
/// Whatever the size, there are an enum and a union every 50 structs and a notifications block
/// every 10 interfaces.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    pub interfaces: usize,
    pub structs: usize,
    /// Each struct but every `chain`-th holds the one before it (`previous?: RecordN`).
    pub chain: usize,
}

impl Shape {
    /// The front end's and code generation's "large" schema times `scale`: 1,000 × `scale`
    /// interfaces (10,000 × `scale` methods), 5,000 × `scale` structs.
    pub fn scaled(scale: usize) -> Shape {
        Shape {
            interfaces: 1_000 * scale,
            structs: 5_000 * scale,
            chain: usize::MAX,
        }
    }

    /// The build-cost schema (`bench/build-cost`): 100 interfaces, 1,000 methods, 500 structs.
    ///
    /// Its chains of structs holding the one before are 50 long, not the whole schema: proving
    /// a 500-deep chain `Send` or droppable overflows rustc's default recursion limit (128) in
    /// the generated code of both ipcc and tonic + prost, and real schemas do not nest so deep.
    pub const BUILD_COST: Shape = Shape {
        interfaces: 100,
        structs: 500,
        chain: 50,
    };

    /// The record method `m` of interface `i` takes or returns.
    fn record(&self, interface: usize, method: usize) -> usize {
        (interface * 5 + method) % self.structs
    }
}

/// The group (enum and union) a record belongs to: every 50 records share one.
fn group(record: usize) -> usize {
    record / 50 * 50
}

/// A schema with `1,000 × scale` interfaces of 10 methods each and `5,000 × scale` structs.
///
/// A realistic mix: docs on every declaration, structs of 5-6 fields (primitives, optionals,
/// arrays, references to other types), an enum and a union every 50 structs, methods with 1-2
/// parameters of every kind (maps included), `throws` on some, a notifications block every 10
/// interfaces.
pub fn schema(scale: usize) -> String {
    schema_of(Shape::scaled(scale))
}

/// The schema of [`schema`] in any [`Shape`].
pub fn schema_of(shape: Shape) -> String {
    let Shape {
        interfaces,
        structs,
        chain,
    } = shape;
    let mut out = String::with_capacity(1_400 * interfaces);
    out.push_str("// Generated benchmark schema.\n\nconst version = \"v1\";\n\n");
    for i in 0..structs {
        if i % 50 == 0 {
            let _ = writeln!(
                out,
                "/// Status of group {i}.\nenum Status{i} {{ active, paused, stopped, unknown }}\n"
            );
            let _ = writeln!(
                out,
                "/// Failure of group {i}.\nunion Failure{i} {{\n  notFound {{ id: i64; }}\n  denied {{ reason: string; }}\n  busy\n}}\n"
            );
        }
        let group = group(i);
        let _ = writeln!(out, "/// Record {i}.");
        let _ = writeln!(out, "struct Record{i} {{");
        out.push_str("  id: i64;\n  name: string;\n  tags: string[];\n");
        let _ = writeln!(out, "  status: Status{group};");
        if i % chain != 0 {
            let _ = writeln!(out, "  previous?: Record{};", i - 1);
        }
        out.push_str("}\n\n");
    }
    for i in 0..interfaces {
        let _ = writeln!(out, "/// Service number {i}.");
        let _ = writeln!(out, "@channel(\"service-{i}-v1\")");
        let _ = writeln!(out, "interface Service{i} {{");
        for m in 0..10 {
            let record = shape.record(i, m);
            let group = group(record);
            match m % 4 {
                0 => {
                    let _ = writeln!(
                        out,
                        "  get{m}(id: i64): Promise<Record{record}?> throws Failure{group};"
                    );
                }
                1 => {
                    let _ = writeln!(
                        out,
                        "  list{m}(offset: u32, limit?: u32): Promise<Record{record}[]>;"
                    );
                }
                2 => {
                    let _ = writeln!(
                        out,
                        "  put{m}(value: Record{record}, overwrite: bool): Promise<void>;"
                    );
                }
                _ => {
                    let _ = writeln!(
                        out,
                        "  count{m}(filter: map<string, string>): Promise<u64>;"
                    );
                }
            }
        }
        out.push_str("}\n\n");
        if i % 10 == 0 {
            let record = shape.record(i, 0);
            let _ = writeln!(
                out,
                "@channel(\"events-{i}-v1\")\nnotifications Events{i} {{\n  changed(id: i64, value: Record{record});\n  progress(percent: f64);\n}}\n"
            );
        }
    }
    out
}

/// The `.proto` (proto3) twin of [`schema_of`]: the same declarations, one for one where
/// protobuf has the construct, for `protoc` and tonic + prost to compile.
///
/// - a struct is a message with the same fields (`T[]` a `repeated` field, `T?` an `optional`
///   one, a map a `map<,>`), an enum an enum (values prefixed with the enum's name, as proto3
///   scopes them to the package), a union a message with one `oneof` whose fields are the
///   variants' (so each is still one declaration);
/// - an interface is a service with one rpc per method; a notifications block a service with a
///   server-streaming rpc per notification;
/// - an rpc takes and returns exactly one message, so a parameter list or result that is not
///   already a message becomes one: those of the same types are shared (`GetRequest`,
///   `ListRequest`, `CountRequest`, `CountReply`, `Empty`, `ProgressEvent`), the others are one
///   per record they carry (`PutRecordN`, `RecordNList`, `ChangedN`). gRPC has no typed errors,
///   so `throws` has no counterpart.
pub fn proto_of(shape: Shape) -> String {
    let Shape {
        interfaces,
        structs,
        chain,
    } = shape;
    let mut out = String::with_capacity(1_700 * interfaces);
    out.push_str("// Generated benchmark schema: the protobuf twin of the .ipc one.\n\n");
    out.push_str("syntax = \"proto3\";\n\npackage bench;\n\n");
    out.push_str(concat!(
        "// Shared requests and replies.\n",
        "message Empty {}\n\n",
        "message GetRequest {\n  int64 id = 1;\n}\n\n",
        "message ListRequest {\n  uint32 offset = 1;\n  optional uint32 limit = 2;\n}\n\n",
        "message CountRequest {\n  map<string, string> filter = 1;\n}\n\n",
        "message CountReply {\n  uint64 count = 1;\n}\n\n",
        "message ProgressEvent {\n  double percent = 1;\n}\n\n",
    ));
    for i in 0..structs {
        if i % 50 == 0 {
            let _ = writeln!(
                out,
                "// Status of group {i}.\nenum Status{i} {{\n  STATUS{i}_ACTIVE = 0;\n  STATUS{i}_PAUSED = 1;\n  STATUS{i}_STOPPED = 2;\n  STATUS{i}_UNKNOWN = 3;\n}}\n"
            );
            let _ = writeln!(
                out,
                "// Failure of group {i}.\nmessage Failure{i} {{\n  oneof kind {{\n    int64 not_found_id = 1;\n    string denied_reason = 2;\n    bool busy = 3;\n  }}\n}}\n"
            );
        }
        let group = group(i);
        let _ = writeln!(out, "// Record {i}.");
        let _ = writeln!(out, "message Record{i} {{");
        out.push_str("  int64 id = 1;\n  string name = 2;\n  repeated string tags = 3;\n");
        let _ = writeln!(out, "  Status{group} status = 4;");
        if i % chain != 0 {
            let _ = writeln!(out, "  optional Record{} previous = 5;", i - 1);
        }
        out.push_str("}\n\n");
    }
    let (mut lists, mut puts) = (BTreeSet::new(), BTreeSet::new());
    for i in 0..interfaces {
        let _ = writeln!(out, "// Service number {i}.");
        let _ = writeln!(out, "service Service{i} {{");
        for m in 0..10 {
            let record = shape.record(i, m);
            let _ = match m % 4 {
                0 => writeln!(out, "  rpc Get{m}(GetRequest) returns (Record{record});"),
                1 => {
                    lists.insert(record);
                    writeln!(
                        out,
                        "  rpc List{m}(ListRequest) returns (Record{record}List);"
                    )
                }
                2 => {
                    puts.insert(record);
                    writeln!(out, "  rpc Put{m}(PutRecord{record}) returns (Empty);")
                }
                _ => writeln!(out, "  rpc Count{m}(CountRequest) returns (CountReply);"),
            };
        }
        out.push_str("}\n\n");
        if i % 10 == 0 {
            let record = shape.record(i, 0);
            let _ = writeln!(
                out,
                "message Changed{i} {{\n  int64 id = 1;\n  Record{record} value = 2;\n}}\n\nservice Events{i} {{\n  rpc Changed(Empty) returns (stream Changed{i});\n  rpc Progress(Empty) returns (stream ProgressEvent);\n}}\n"
            );
        }
    }
    for record in lists {
        let _ = writeln!(
            out,
            "message Record{record}List {{\n  repeated Record{record} items = 1;\n}}\n"
        );
    }
    for record in puts {
        let _ = writeln!(
            out,
            "message PutRecord{record} {{\n  Record{record} value = 1;\n  bool overwrite = 2;\n}}\n"
        );
    }
    out
}
