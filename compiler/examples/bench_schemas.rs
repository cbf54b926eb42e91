//! Writes the benchmark schemas and their `.proto` twins to a folder, for `bench/codegen` and `bench/build-cost`.
//!
//! `cargo run --release -p ipcc --example bench_schemas -- DIR` writes `large`, `extra-large`
//! and `build-cost`, each as `NAME.ipc` and `NAME.proto`, and prints one line per schema with
//! its size and its declarations on each side.

use std::path::PathBuf;
use std::process::ExitCode;

#[path = "../benches/schema/mod.rs"]
mod schema;

use schema::{proto_of, schema_of, Shape};

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(dir), None) = (args.next(), args.next()) else {
        eprintln!("usage: bench_schemas DIR");
        return ExitCode::from(2);
    };
    let dir = PathBuf::from(dir);
    if let Err(error) = std::fs::create_dir_all(&dir) {
        eprintln!("bench_schemas: cannot create `{}`: {error}", dir.display());
        return ExitCode::FAILURE;
    }
    for (name, shape) in [
        ("large", Shape::scaled(1)),
        ("extra-large", Shape::scaled(2)),
        ("build-cost", Shape::BUILD_COST),
    ] {
        let ipc = schema_of(shape);
        let proto = proto_of(shape);
        for (ext, text) in [("ipc", &ipc), ("proto", &proto)] {
            let path = dir.join(format!("{name}.{ext}"));
            if let Err(error) = std::fs::write(&path, text) {
                eprintln!("bench_schemas: cannot write `{}`: {error}", path.display());
                return ExitCode::FAILURE;
            }
        }
        println!(
            "{name}: {:.2} MB of .ipc ({}), {:.2} MB of .proto ({})",
            ipc.len() as f64 / 1e6,
            census(
                &ipc,
                &["struct ", "enum ", "union ", "interface ", "notifications "]
            ),
            proto.len() as f64 / 1e6,
            census(&proto, &["message ", "enum ", "service ", "  rpc "]),
        );
    }
    ExitCode::SUCCESS
}

/// How many lines start with each keyword, as `keyword N, ...`.
fn census(text: &str, keywords: &[&str]) -> String {
    keywords
        .iter()
        .map(|k| {
            let n = text.lines().filter(|l| l.starts_with(k)).count();
            format!("{} {n}", k.trim())
        })
        .collect::<Vec<_>>()
        .join(", ")
}
