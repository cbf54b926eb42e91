//! Front-end benchmark: parse + check of a generated large schema (1,000 interfaces, 10,000
//! methods, 5,000 structs, about 1.3 MB) and of one twice as large, from memory.
//!
//! Run with `cargo bench -p ipcc --bench front_end`. The front end should take at most 100 ms
//! on the large schema and grow linearly (extra-large within 2.3× of large).

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

fn front_end(c: &mut Criterion) {
    let mut group = c.benchmark_group("front_end");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    for (label, scale) in [("large", 1), ("extra_large", 2)] {
        let text = schema(scale);
        // Sanity: the generated schema compiles, so the whole pipeline is measured.
        let mut loader = MemoryLoader::default().with("bench.ipc", text.clone());
        let checked = check_with(&[PathBuf::from("bench.ipc")], &mut loader);
        let ir = checked.ir.unwrap_or_else(|| {
            panic!(
                "benchmark schema does not compile: {:?}",
                checked.diagnostics.first()
            )
        });
        let methods: usize = ir.interfaces.iter().map(|i| i.methods.len()).sum();
        let structs = ir
            .types
            .iter()
            .filter(|t| matches!(t.kind, ipcc::ir::TypeDefKind::Struct { .. }))
            .count();
        println!(
            "{label}: {:.2} MB of IDL, {} interfaces, {methods} methods, {structs} structs",
            text.len() as f64 / 1e6,
            ir.interfaces.len()
        );
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(label, |b| {
            // The checked model is the product: freeing it afterwards is not part of parse +
            // check (a compiler hands it on to the generators), so its drop is left out.
            b.iter_with_large_drop(|| {
                let mut loader = MemoryLoader::default().with("bench.ipc", text.clone());
                black_box(check_with(&[PathBuf::from("bench.ipc")], &mut loader))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, front_end);
criterion_main!(benches);
