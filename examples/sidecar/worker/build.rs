//! Compiles the sidecar's interface from the shared `common/` folder into `OUT_DIR`.

// guide:start worker-build-rs
fn main() {
    ipcc::Builder::new().compile(&["../common/sidecar.ipc"]);
}
// guide:end worker-build-rs
