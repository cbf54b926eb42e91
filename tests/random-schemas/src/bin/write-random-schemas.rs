//! `write-random-schemas DIR`: writes every schema of the corpus as `DIR/<name>/*.ipc` (the root
//! is `main.ipc`), for tests/ts to compile to TypeScript. Fails if any is not accepted cleanly.

use ipcc_random_schemas::random_schema;
use std::path::PathBuf;

fn main() {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: write-random-schemas DIR");
        std::process::exit(2);
    };
    for schema in random_schema::corpus() {
        if let Err(message) = random_schema::check(&schema) {
            eprintln!("{message}");
            std::process::exit(1);
        }
        let schema_dir = dir.join(&schema.name);
        std::fs::create_dir_all(&schema_dir).expect("create the schema's directory");
        for (file, text) in &schema.files {
            std::fs::write(schema_dir.join(file), text).expect("write a schema file");
        }
    }
}
