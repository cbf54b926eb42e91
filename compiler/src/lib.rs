//! ipcc: compiles `.ipc` interface files into Rust and TypeScript IPC code.
//!
//! One pipeline, several front doors: the `ipcc` binary, [`Builder`] for `build.rs`, and the
//! tests all call [`check`] (front end: parse → lower → validate) and [`generate`] (codegen).
//!
//! Stages: [`syntax`] (pest grammar → private AST with spans) → [`ir`] (lowering, resolution,
//! validation → the public [`ir::Ir`]) → [`codegen`] (one module per target language).
//! Each stage collects every diagnostic it can; the next stage runs only on error-free input.
//!
//! # build.rs
//!
//! A crate that serves or calls an interface compiles its `.ipc` files from its build script
//! and includes the result. `Cargo.toml`:
//!
//! ```toml
//! [dependencies]
//! ipcc-runtime = "0.1"
//!
//! [build-dependencies]
//! # The default feature only sets the `ipcc` binary's allocator; a build script needs none.
//! ipcc = { version = "0.1", default-features = false }
//! ```
//!
//! `build.rs`:
//!
//! ```no_run
//! # #![allow(clippy::needless_doctest_main)] // build.rs is all `main`: the example shows it whole.
//! fn main() {
//!     // Paths are relative to the crate's directory. Writes `greeter.rs` into `OUT_DIR`,
//!     // prints `cargo:rerun-if-changed` for the file and everything it imports, and on an
//!     // error prints the diagnostics and exits with status 1.
//!     ipcc::Builder::new()
//!         // Optional: TypeScript for the frontend too.
//!         .ts_out("../web/src/generated")
//!         .compile(&["../common/greeter.ipc"]);
//! }
//! ```
//!
//! `src/main.rs` (or any module):
//!
//! ```ignore
//! mod greeter {
//!     include!(concat!(env!("OUT_DIR"), "/greeter.rs"));
//! }
//! ```
//!
//! One `<stem>.rs` is written per root file given to [`Builder::compile`]; it holds the root's
//! declarations and everything they import (other packages as nested `pub mod`s, `acme::people`).
//! [`Builder::try_compile`] returns the failure instead of exiting.

pub mod analysis;
pub mod codegen;
pub mod compat;
pub mod diagnostics;
pub mod format;
pub mod ident;
pub mod ir;
#[cfg(feature = "lsp")]
pub mod lsp;
mod parallel;
pub mod project;
pub mod syntax;

use std::path::PathBuf;

pub use diagnostics::{Diagnostic, Severity, SourceMap};
pub use ir::expand_roots;
pub use ir::loader::{FsLoader, MemoryLoader, SourceLoader};
pub use ir::ReuseCache;
pub use project::Project;

/// What the front end produced for a set of root files.
#[derive(Debug)]
pub struct Checked {
    /// The resolved model; `None` when any error was reported.
    pub ir: Option<ir::Ir>,
    /// Every error and warning, in source order per file.
    pub diagnostics: Vec<Diagnostic>,
    /// All sources read (roots and imports), for rendering the diagnostics.
    pub sources: SourceMap,
    /// Every file read, roots and imports (for `cargo:rerun-if-changed`), and every one that
    /// could not be read (a missing import), since creating it must rerun the check.
    pub inputs: Vec<PathBuf>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// Runs the front end over `roots`, reading them and their imports through `loader`.
pub fn check_with(roots: &[PathBuf], loader: &mut dyn SourceLoader) -> Checked {
    ir::check(roots, loader)
}

/// Runs the front end over `roots` like [`check_with`], parsing and lowering again only the
/// top-level declarations whose text changed since the last check that used `reuse`: what an
/// editor runs on every keystroke. The diagnostics, sources and inputs are exactly
/// [`check_with`]'s, and so is the model except that its schema hashes are left empty (they
/// report nothing, and cost a fifth of a keystroke's check in a large file).
pub fn check_reusing(
    roots: &[PathBuf],
    loader: &mut dyn SourceLoader,
    reuse: &mut ReuseCache,
) -> Checked {
    ir::check_reusing(roots, loader, reuse)
}

/// Runs the front end over `roots` like [`check_with`], and also builds the analysis index
/// (declarations, members and references with spans) that editors need.
pub fn analyze(roots: &[PathBuf], loader: &mut dyn SourceLoader) -> analysis::Analysis {
    ir::analyze(roots, loader)
}

/// Runs the front end over files on disk.
pub fn check(roots: &[PathBuf]) -> Checked {
    check_with(roots, &mut FsLoader)
}

/// Which targets to generate.
#[derive(Debug, Clone, Default)]
pub struct GenOptions {
    pub rust: bool,
    pub ts: bool,
}

/// One generated file: a path relative to the target's output directory, and its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: String,
}

/// Generated files per target, each list sorted by path.
#[derive(Debug, Clone, Default)]
pub struct Generated {
    pub rust: Vec<GeneratedFile>,
    pub ts: Vec<GeneratedFile>,
}

/// Runs the generators over a checked model; both at once, on two threads, when both are
/// asked for and the process has a second core (the output is the same either way).
pub fn generate(ir: &ir::Ir, options: &GenOptions) -> Generated {
    let rust = || {
        if options.rust {
            codegen::rust::generate(ir)
        } else {
            Vec::new()
        }
    };
    let ts = || {
        if options.ts {
            codegen::ts::generate(ir)
        } else {
            Vec::new()
        }
    };
    let (rust, ts) = if options.rust && options.ts {
        parallel::join(rust, ts)
    } else {
        (rust(), ts())
    };
    Generated { rust, ts }
}

pub mod builder;
pub use builder::Builder;
