//! Generates Rust for both versions of the interface: v2 (what the backend serves) into
//! `OUT_DIR/v2/app.rs`, and v1 (what an older frontend was built from) into `OUT_DIR/v1/app.rs`.
//! Both roots are named `app.ipc`, so each version gets its own directory.

use std::path::PathBuf;

fn main() {
    let Some(out_dir) = std::env::var_os("OUT_DIR").map(PathBuf::from) else {
        eprintln!("OUT_DIR is not set: run this through cargo");
        std::process::exit(1);
    };
    // guide:start skew-build-rs
    ipcc::Builder::new()
        .out_dir(out_dir.join("v2"))
        .compile(&["v2/app.ipc"]);
    ipcc::Builder::new()
        .out_dir(out_dir.join("v1"))
        .compile(&["v1/app.ipc"]);
    // guide:end skew-build-rs
}
