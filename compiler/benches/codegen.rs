//! Code-generation benchmark: Rust and TypeScript generation for the front-end benchmark's large
//! schema (1,000 interfaces, 10,000 methods, 5,000 structs, about 1.3 MB of IDL), from a
//! checked IR held in memory.
//!
//! Run with `cargo bench -p ipcc --bench codegen`. DESIGN §9 wants parse, check and generation
//! of both languages for this schema well under a second.

use std::fmt::Write;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ipcc::{check_with, MemoryLoader};

// The same generator as `benches/front_end.rs`, copied so the two benchmarks stay independent
// files; both must describe the same schema for their numbers to add up.
/// A schema with `1,000 × scale` interfaces of 10 methods each and `5,000 × scale` structs.
///
/// A realistic mix: docs on every declaration, structs of 5-6 fields (primitives, optionals,
/// arrays, references to other types), an enum and a union every 50 structs, methods with 1-2
/// parameters of every kind (maps included), `throws` on some, a notifications block every 10
/// interfaces.
fn schema(scale: usize) -> String {
    let structs = 5_000 * scale;
    let interfaces = 1_000 * scale;
    let mut out = String::with_capacity(1_400_000 * scale);
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
        let group = i / 50 * 50;
        let _ = writeln!(out, "/// Record {i}.");
        let _ = writeln!(out, "struct Record{i} {{");
        out.push_str("  id: i64;\n  name: string;\n  tags: string[];\n");
        let _ = writeln!(out, "  status: Status{group};");
        if i > 0 {
            let _ = writeln!(out, "  previous?: Record{};", i - 1);
        }
        out.push_str("}\n\n");
    }
    for i in 0..interfaces {
        let _ = writeln!(out, "/// Service number {i}.");
        let _ = writeln!(out, "@channel(\"service-{i}-v1\")");
        let _ = writeln!(out, "interface Service{i} {{");
        for m in 0..10 {
            let record = (i * 5 + m) % structs;
            let group = record / 50 * 50;
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
            let record = (i * 5) % structs;
            let _ = writeln!(
                out,
                "@channel(\"events-{i}-v1\")\nnotifications Events{i} {{\n  changed(id: i64, value: Record{record});\n  progress(percent: f64);\n}}\n"
            );
        }
    }
    out
}

fn codegen(c: &mut Criterion) {
    let text = schema(1);
    let mut loader = MemoryLoader::default().with("bench.ipc", text.clone());
    let checked = check_with(&[PathBuf::from("bench.ipc")], &mut loader);
    let ir = checked.ir.unwrap_or_else(|| {
        panic!(
            "benchmark schema does not compile: {:?}",
            checked.diagnostics.first()
        )
    });
    let rust_bytes: usize = ipcc::codegen::rust::generate(&ir)
        .iter()
        .map(|f| f.contents.len())
        .sum();
    let ts_bytes: usize = ipcc::codegen::ts::generate(&ir)
        .iter()
        .map(|f| f.contents.len())
        .sum();
    println!(
        "large: {:.2} MB of IDL -> {:.1} MB of Rust, {:.1} MB of TypeScript",
        text.len() as f64 / 1e6,
        rust_bytes as f64 / 1e6,
        ts_bytes as f64 / 1e6
    );

    let mut group = c.benchmark_group("codegen");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("rust_large", |b| {
        b.iter(|| black_box(ipcc::codegen::rust::generate(&ir)))
    });
    group.bench_function("ts_large", |b| {
        b.iter(|| black_box(ipcc::codegen::ts::generate(&ir)))
    });
    group.finish();
}

criterion_group!(benches, codegen);
criterion_main!(benches);
