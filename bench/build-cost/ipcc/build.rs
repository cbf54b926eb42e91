//! Generates the Rust of `schema/bench.ipc` (written there by bench/build-cost/run) into `OUT_DIR`.

fn main() {
    // Both halves, as a crate that serves and calls the interfaces would have: the build
    // cost of everything `ipcc::Builder` generates by default.
    ipcc::Builder::new().compile(&["schema/bench.ipc"]);
}
