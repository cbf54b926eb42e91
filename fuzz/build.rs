//! Generates the Rust of tests/vectors/vectors.ipc through the real `ipcc::Builder`: the wire
//! targets decode and dispatch through it.

fn main() {
    ipcc::Builder::new().compile(&["../tests/vectors/vectors.ipc"]);
}
