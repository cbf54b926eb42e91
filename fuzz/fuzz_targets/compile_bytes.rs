//! Any bytes, read as UTF-8 (lossily), as one `.ipc` file: check, generate Rust and
//! TypeScript when it checks, format (`fuzz/harness/compile.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ipcc_fuzz::compile::compile_text(&String::from_utf8_lossy(data));
});
