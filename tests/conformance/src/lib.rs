//! The conformance suite's Rust side: the generated code of `idl-examples/conformance.ipc` and
//! of its streaming methods (`streams.ipc`), the Rust backend of both, the fixed values both
//! backends agree on, seeded value generators, exact comparison, and the scenarios (faults
//! included) a Rust client runs against either backend.

pub mod arbitrary;
pub mod backend;
pub mod exact;
pub mod faults;
pub mod fixtures;
pub mod load;
pub mod peers;
pub mod prng;
pub mod scenario;
pub mod streams_backend;
pub mod streams_scenario;

/// The code `ipcc::Builder` generated from `streams.ipc`: its package holds
/// `idl-examples/conformance.ipc` too (imported), so this is the code of both.
pub mod generated {
    include!(concat!(env!("OUT_DIR"), "/streams.rs"));
}
