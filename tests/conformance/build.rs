//! Compiles the conformance interface through the real `ipcc::Builder` into `OUT_DIR`.

fn main() {
    ipcc::Builder::new().compile(&["../../idl-examples/conformance.ipc"]);
}
