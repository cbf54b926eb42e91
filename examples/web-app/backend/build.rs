//! Compiles the app's interface (and the reference interface it imports) into `OUT_DIR`.

fn main() {
    ipcc::Builder::new().compile(&["../common/web-app.ipc"]);
}
