//! `Builder`: the `build.rs` entry (compile `.ipc` files into `OUT_DIR`, rerun-if-changed, diagnostics to stderr).

/// Configures and runs the compiler from a build script.
#[derive(Debug, Default, Clone)]
pub struct Builder {}

impl Builder {
    pub fn new() -> Self {
        Builder {}
    }
}
