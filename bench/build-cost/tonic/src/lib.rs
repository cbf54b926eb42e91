//! The generated code of the build-cost schema's `.proto` twin and nothing else: what a tonic + prost crate's build pays for its services.

// Nothing here uses the generated items; the bench measures compiling them.
#[allow(dead_code)]
mod bench {
    tonic::include_proto!("bench");
}
