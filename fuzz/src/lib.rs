//! The fuzz targets' shared code. The harness modules live in `harness/` so that the main
//! workspace's regression tests include the very same files (`#[path]`): the compile harness
//! from `compiler/tests/fuzz_regressions.rs`, the wire harness from
//! `tests/tests/fuzz_regressions.rs`.

/// The Rust `ipcc` generates for tests/vectors/vectors.ipc.
#[allow(dead_code, clippy::all)]
pub mod vectors {
    include!(concat!(env!("OUT_DIR"), "/vectors.rs"));
}

#[path = "../harness/compile.rs"]
pub mod compile;

#[path = "../harness/echo.rs"]
pub mod echo;

#[path = "../harness/wire.rs"]
pub mod wire;

pub mod mutate;
