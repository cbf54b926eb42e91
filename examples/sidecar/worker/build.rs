//! Compiles the sidecar's interface from the shared `common/` folder into `OUT_DIR`.

// guide:start worker-build-rs
fn main() {
    // The worker is a backend: no client or listener code (the Node main process is the frontend).
    ipcc::Builder::new()
        .build_client(false)
        .compile(&["../common/sidecar.ipc"]);
}
// guide:end worker-build-rs
