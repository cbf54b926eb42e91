//! Compiles the app's interface (and the reference interface it imports) into `OUT_DIR`.

fn main() {
    // The backend half only: the browser page is the frontend.
    ipcc::Builder::new()
        .build_client(false)
        .compile(&["../common/web-app.ipc"]);
}
