//! Compiles the reference interface from the shared examples folder into `OUT_DIR`.

fn main() {
    ipcc::Builder::new().compile(&["../../idl-examples/my-interface.ipc"]);
}
