//! The conformance suite's Rust side: the generated code of `idl-examples/conformance.ipc`, the
//! Rust backend, the fixed values both backends agree on, seeded value generators, exact
//! comparison, and the scenarios a Rust client runs against either backend.

pub mod arbitrary;
pub mod backend;
pub mod exact;
pub mod fixtures;
pub mod peers;
pub mod prng;
pub mod scenario;

/// The code `ipcc::Builder` generated from `idl-examples/conformance.ipc`.
pub mod generated {
    include!(concat!(env!("OUT_DIR"), "/conformance.rs"));
}
