//! Compiles the reference interface from the shared examples folder into `OUT_DIR`.

fn main() {
    let out_dir =
        std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    // The backend: the frontend half (the client) is not generated, so the crate uses all of it.
    ipcc::Builder::new()
        .build_client(false)
        .compile(&["../../idl-examples/my-interface.ipc"]);
    // Its tests drive it as a frontend does: the client half alone, into a folder of its own.
    ipcc::Builder::new()
        .build_server(false)
        .out_dir(out_dir.join("client"))
        .compile(&["../../idl-examples/my-interface.ipc"]);
}
