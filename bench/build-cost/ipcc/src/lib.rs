//! The generated code of the build-cost schema and nothing else: what an ipcc backend's build pays for its interfaces.

// Nothing here uses the generated items; the bench measures compiling them.
#[allow(dead_code)]
mod bench {
    include!(concat!(env!("OUT_DIR"), "/bench.rs"));
}
