//! Writes every schema of the corpus into `OUT_DIR/ipc/<name>/`, checks it with the front end
//! (a schema the compiler rejects, or warns about, fails the build: the generator or the
//! compiler has a bug), compiles it through the real `ipcc::Builder` into
//! `OUT_DIR/rust/<name>/main.rs`, and writes `corpus.rs`: one module per schema, and a table of
//! sample values of each schema's types that `src/lib.rs` round-trips.

#[path = "src/random_schema.rs"]
mod random_schema;

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=src/random_schema.rs");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let schemas = random_schema::corpus();
    let mut index = String::new();
    let mut table = String::new();
    for schema in &schemas {
        if let Err(message) = random_schema::check(schema) {
            eprintln!("{message}");
            for (file, text) in &schema.files {
                eprintln!("--- {file}\n{text}");
            }
            std::process::exit(1);
        }
        let ipc_dir = out_dir.join("ipc").join(&schema.name);
        std::fs::create_dir_all(&ipc_dir).expect("create the schema's directory");
        for (file, text) in &schema.files {
            write_if_changed(&ipc_dir.join(file), text);
        }
        let rust_dir = out_dir.join("rust").join(&schema.name);
        ipcc::Builder::new()
            .out_dir(&rust_dir)
            .cargo_directives(false)
            .compile(&[ipc_dir.join(random_schema::ROOT_FILE)]);
        let stem = random_schema::ROOT_FILE.trim_end_matches(".ipc");
        let _ = writeln!(
            index,
            "/// Schema {} (seed {:#x}).\npub mod {} {{\n    include!(concat!(env!(\"OUT_DIR\"), \"/rust/{}/{stem}.rs\"));\n}}",
            schema.name, schema.seed, schema.name, schema.name
        );
        for sample in &schema.samples {
            let _ = writeln!(
                table,
                "    Sample {{ schema: {:?}, idl_name: {:?}, json: {:?}, round_trip: round_trip::<{}::{}> }},",
                schema.name, sample.idl_name, sample.json, schema.name, sample.rust_path
            );
        }
    }
    let _ = writeln!(
        index,
        "/// Every sample value of the corpus, with its generated type.\npub static SAMPLES: &[Sample] = &[\n{table}];"
    );
    write_if_changed(&out_dir.join("corpus.rs"), &index);
}

fn write_if_changed(path: &std::path::Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }
}
