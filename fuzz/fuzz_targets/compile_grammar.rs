//! The compile target with a grammar-aware mutator (`src/mutate.rs`): seeded with the
//! repository's `.ipc` files, its inputs stay near-valid schemas, so most of them get past the
//! parser into resolution, validation, both generators and the formatter.
#![no_main]

use ipcc_fuzz::mutate::{mutate_text, Rng};
use libfuzzer_sys::{fuzz_mutator, fuzz_target};

fuzz_target!(|data: &[u8]| {
    ipcc_fuzz::compile::compile_text(&String::from_utf8_lossy(data));
});

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    let mut rng = Rng::new(u64::from(seed));
    if rng.below(4) == 0 {
        return libfuzzer_sys::fuzzer_mutate(data, size, max_size);
    }
    let mut text = String::from_utf8_lossy(&data[..size]).into_owned();
    for _ in 0..1 + rng.below(3) {
        text = mutate_text(&text, &mut rng);
    }
    let bytes = text.as_bytes();
    if bytes.len() > max_size {
        return libfuzzer_sys::fuzzer_mutate(data, size, max_size);
    }
    data[..bytes.len()].copy_from_slice(bytes);
    bytes.len()
});
