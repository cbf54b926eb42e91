//! Compiles the reference interface from the shared examples folder into `OUT_DIR`.

fn main() {
    // A backend: the frontend half (the client) is not generated, so the crate uses all of it.
    ipcc::Builder::new()
        .build_client(false)
        .compile(&["../../idl-examples/my-interface.ipc"]);
}
