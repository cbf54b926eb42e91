//! A type expression of tests/vectors/values.json, a newline and wire text: decoded through
//! the generated codecs of tests/vectors/vectors.ipc, and round-tripped when it decodes
//! (`fuzz/harness/wire.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ipcc_fuzz::wire::decode_values(data);
});
