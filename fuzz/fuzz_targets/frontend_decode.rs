//! Bytes a backend sends into a Rust `IpcConnection` over stdio framing, with calls pending
//! through the code `ipcc` generates for tests/vectors/vectors.ipc (`fuzz/harness/wire.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ipcc_fuzz::wire::serve_frontend(data);
});
