//! Bytes a frontend sends into a Rust host over stdio framing: decode, handshake, dispatch
//! through the code `ipcc` generates for tests/vectors/vectors.ipc, encode the answers
//! (`fuzz/harness/wire.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ipcc_fuzz::wire::serve_bytes(data);
});
