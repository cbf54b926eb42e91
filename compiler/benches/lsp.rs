//! Language-server benchmark: one keystroke in a document the size of the front-end
//! benchmark's large schema (about 1.3 MB), from the editor's change notification to the
//! diagnostics the server publishes: applying the incremental change, checking the document
//! (reusing the declarations the change did not touch, without the analysis index, which only
//! requests build), converting and comparing the diagnostics.
//!
//! Run with `cargo bench -p ipcc --bench lsp`. Target (docs/benchmarks.md): under 100 ms per
//! change. The server is driven in-process through `ipcc::lsp::Server`, the state machine the
//! stdio transport feeds, so the figure has no pipe in it.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use ipcc::lsp::Server;
use lsp_server::{Message, Notification, Request, RequestId};
use serde_json::json;

mod schema;

use schema::schema;

/// The allocator the `ipcc` binary runs with (see src/main.rs).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const URI: &str = "file:///bench/large.ipc";

fn notification(method: &str, params: serde_json::Value) -> Message {
    Message::Notification(Notification::new(method.to_string(), params))
}

fn lsp(c: &mut Criterion) {
    let text = schema(1);
    // A field name in the middle of the file: the keystrokes type `x` after its first letter
    // and delete it again, so every other change makes a new (valid) name.
    let middle = text.len() / 2;
    let field = middle + text[middle..].find("\n  name: string;").expect("a field") + 4;
    let line = text[..field].matches('\n').count() as u32;
    let character = (field - text[..field].rfind('\n').map_or(0, |i| i + 1)) as u32;

    let mut server = Server::new();
    let mut out = Vec::new();
    server.handle(
        Message::Request(Request::new(
            RequestId::from(1),
            "initialize".to_string(),
            json!({"capabilities": {}}),
        )),
        &mut out,
    );
    server.handle(notification("initialized", json!({})), &mut out);
    server.handle(
        notification(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": URI, "languageId": "ipc", "version": 1, "text": text}}),
        ),
        &mut out,
    );
    server.flush(&mut out);
    let published = out
        .iter()
        .filter(|m| matches!(m, Message::Notification(n) if n.method == "textDocument/publishDiagnostics"))
        .count();
    assert_eq!(published, 1, "the schema's diagnostics were published");
    println!("document: {:.2} MB", text.len() as f64 / 1e6);

    let mut group = c.benchmark_group("lsp");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(8));
    let mut version = 1;
    group.bench_function("keystroke_large", |b| {
        b.iter(|| {
            version += 1;
            let (range, new_text) = if version % 2 == 0 {
                (
                    json!({"start": {"line": line, "character": character}, "end": {"line": line, "character": character}}),
                    "x",
                )
            } else {
                (
                    json!({"start": {"line": line, "character": character}, "end": {"line": line, "character": character + 1}}),
                    "",
                )
            };
            out.clear();
            server.handle(
                notification(
                    "textDocument/didChange",
                    json!({
                        "textDocument": {"uri": URI, "version": version},
                        "contentChanges": [{"range": range, "text": new_text}],
                    }),
                ),
                &mut out,
            );
            server.flush(&mut out);
            black_box(&out);
        })
    });
    group.finish();
}

criterion_group!(benches, lsp);
criterion_main!(benches);
