//! Code-generation benchmark: Rust and TypeScript generation for the front-end benchmark's large
//! schema (1,000 interfaces, 10,000 methods, 5,000 structs, about 1.3 MB of IDL), from a
//! checked IR held in memory.
//!
//! Run with `cargo bench -p ipcc --bench codegen`. DESIGN §9 wants parse, check and generation
//! of both languages for this schema well under a second.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ipcc::{check_with, MemoryLoader};

mod schema;

use schema::schema;

/// The allocator the `ipcc` binary runs with (see src/main.rs), so that the figures are the
/// command line's. `--no-default-features` measures the system allocator, which a program
/// embedding the library (a build script) keeps.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
