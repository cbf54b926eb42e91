//! Compiles the conformance interface through the real `ipcc::Builder` into `OUT_DIR`: `streams.ipc`
//! imports `idl-examples/conformance.ipc` into the same package, so its output holds both.

fn main() {
    ipcc::Builder::new().compile(&["streams.ipc"]);
}
