//! `Builder`: the `build.rs` entry (compile `.ipc` files into `OUT_DIR`, rerun-if-changed, diagnostics to stderr).

use crate::diagnostics::Severity;
use crate::{Checked, GenOptions, GeneratedFile};
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Configures and runs the compiler from a build script.
///
/// ```no_run
/// # #![allow(clippy::needless_doctest_main)] // build.rs is all `main`: the example shows it whole.
/// // build.rs
/// fn main() {
///     ipcc::Builder::new().compile(&["../common/greeter.ipc"]);
/// }
/// ```
/// and in the crate: `include!(concat!(env!("OUT_DIR"), "/greeter.rs"));`
#[derive(Debug, Clone)]
pub struct Builder {
    out_dir: Option<PathBuf>,
    rust: bool,
    rust_options: crate::codegen::rust::RustOptions,
    ts_out: Option<PathBuf>,
    cargo_directives: bool,
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

/// What a successful [`Builder::try_compile`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Compiled {
    /// Every `.ipc` file read: the roots and all they import.
    pub inputs: Vec<PathBuf>,
    /// Generated files whose contents changed (or that did not exist) and were written.
    pub written: Vec<PathBuf>,
    /// Generated files already up to date on disk, left untouched (so their mtime is kept).
    pub unchanged: Vec<PathBuf>,
    /// Rendered warnings, if any (plain text, one diagnostic after another).
    pub warnings: String,
}

/// Why [`Builder::try_compile`] failed.
#[derive(Debug)]
pub enum BuildError {
    /// The `.ipc` files have errors; `rendered` shows them as the `ipcc` binary would.
    Diagnostics {
        rendered: String,
        /// Files read before the errors were found, and any that could not be read (still
        /// worth watching for changes).
        inputs: Vec<PathBuf>,
    },
    /// No output directory: `out_dir` was not set and `OUT_DIR` is not in the environment.
    NoOutDir,
    /// A generated file could not be written.
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The Rust generator failed (a bug in ipcc; the message says what to report).
    Codegen(crate::codegen::rust::RustGenError),
    /// The project file given to [`Builder::try_compile_project`] is missing or invalid.
    Project(crate::project::ProjectError),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Diagnostics { rendered, .. } => f.write_str(rendered.trim_end()),
            BuildError::NoOutDir => f.write_str(
                "ipcc: no output directory: `OUT_DIR` is not set (outside a build script, call `Builder::out_dir`)",
            ),
            BuildError::Io { path, error } => {
                write!(f, "ipcc: cannot write `{}`: {error}", path.display())
            }
            BuildError::Codegen(error) => write!(f, "{error}"),
            BuildError::Project(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for BuildError {}

impl Builder {
    /// Rust output into `OUT_DIR`, no TypeScript, `cargo:` directives printed.
    pub fn new() -> Self {
        Builder {
            out_dir: None,
            rust: true,
            rust_options: crate::codegen::rust::RustOptions::default(),
            ts_out: None,
            cargo_directives: true,
        }
    }

    /// Where the Rust files go (default: the `OUT_DIR` cargo gives build scripts).
    ///
    /// ```no_run
    /// ipcc::Builder::new().out_dir("src/generated").compile(&["common/api.ipc"]);
    /// ```
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Whether to generate Rust (default `true`; turn off to produce only TypeScript).
    ///
    /// ```no_run
    /// ipcc::Builder::new().rust(false).ts_out("../web/src/generated").compile(&["common/api.ipc"]);
    /// ```
    pub fn rust(mut self, enabled: bool) -> Self {
        self.rust = enabled;
        self
    }

    /// Whether the Rust has the backend side (default `true`): handler traits, dispatch,
    /// `register_*`, notification senders. A frontend-only crate turns it off, and then needs
    /// no `#[allow(dead_code)]` around the `include!`.
    ///
    /// ```no_run
    /// ipcc::Builder::new().build_server(false).compile(&["common/api.ipc"]);
    /// ```
    pub fn build_server(mut self, enabled: bool) -> Self {
        self.rust_options.server = enabled;
        self
    }

    /// Whether the Rust has the frontend side (default `true`): clients, notification
    /// listener traits, `listen_*`. A backend-only crate turns it off.
    ///
    /// ```no_run
    /// ipcc::Builder::new().build_client(false).compile(&["common/api.ipc"]);
    /// ```
    pub fn build_client(mut self, enabled: bool) -> Self {
        self.rust_options.client = enabled;
        self
    }

    /// Puts `attribute` on the generated Rust of every struct, enum and union `path` names: a
    /// type's qualified name (`Task`, or `todo.Task` in package `todo`), a package (`todo`: its
    /// types and those of packages below it), or `.` for every type. Aliases are left out (a
    /// Rust `type` alias takes no derives). Several calls add up, in order. The attribute comes
    /// right before the generated `#[derive(...)]`; a derive a type cannot have (`Hash` on a
    /// struct with an `f64`) or already has (an enum's `Copy, Eq, Hash, Ord`) fails the build as
    /// it would by hand. A path that names no type is not an error. A string that is not an
    /// outer attribute fails the build with a message naming the call.
    ///
    /// ```no_run
    /// ipcc::Builder::new()
    ///     .type_attribute("Task", "#[derive(Hash, Eq)]")
    ///     .type_attribute(".", "#[non_exhaustive]")
    ///     .compile(&["common/api.ipc"]);
    /// ```
    pub fn type_attribute(mut self, path: impl Into<String>, attribute: impl Into<String>) -> Self {
        self.rust_options
            .type_attributes
            .push((path.into(), attribute.into()));
        self
    }

    /// Also generate TypeScript into `dir` (created if missing).
    ///
    /// ```no_run
    /// ipcc::Builder::new().ts_out("../web/src/generated").compile(&["common/api.ipc"]);
    /// ```
    pub fn ts_out(mut self, dir: impl Into<PathBuf>) -> Self {
        self.ts_out = Some(dir.into());
        self
    }

    /// Whether to print `cargo:rerun-if-changed` / `cargo:warning` lines on stdout (default
    /// `true`; turn off when calling the builder outside a build script).
    ///
    /// ```no_run
    /// let compiled = ipcc::Builder::new()
    ///     .out_dir("/tmp/out")
    ///     .cargo_directives(false)
    ///     .try_compile(&["common/api.ipc"]);
    /// ```
    pub fn cargo_directives(mut self, enabled: bool) -> Self {
        self.cargo_directives = enabled;
        self
    }

    /// Compiles `roots` (and everything they import); on any error prints the diagnostics to
    /// stderr and exits the process with status 1 — the way a build script reports failure
    /// without a panic's backtrace.
    ///
    /// ```no_run
    /// ipcc::Builder::new().compile(&["../common/greeter.ipc", "../common/jobs.ipc"]);
    /// ```
    pub fn compile<P: AsRef<Path>>(&self, roots: &[P]) -> Compiled {
        self.exit_on_error(self.try_compile(roots))
    }

    /// The build script's way to fail: the error on stderr, exit status 1, no backtrace.
    fn exit_on_error(&self, result: Result<Compiled, BuildError>) -> Compiled {
        match result {
            Ok(compiled) => compiled,
            Err(error) => {
                let mut stderr = std::io::stderr().lock();
                // Nothing better to do if stderr itself is gone; the exit status still tells.
                let _ = writeln!(stderr, "{error}");
                let _ = stderr.flush();
                std::process::exit(1);
            }
        }
    }

    /// Compiles the `inputs` of a project file (`ipcc.toml`, see [`crate::project`]), and
    /// writes TypeScript into its `[ts] out` unless [`Builder::ts_out`] was called. Rust still
    /// goes to `OUT_DIR` (or [`Builder::out_dir`]): `[rust] out` is where `ipcc gen` writes, and
    /// a build script's output belongs to cargo. On any error, prints it and exits with status 1.
    ///
    /// ```no_run
    /// // build.rs of a crate below the project's root
    /// ipcc::Builder::new().compile_project("../ipcc.toml");
    /// ```
    pub fn compile_project(&self, project_file: impl AsRef<Path>) -> Compiled {
        self.exit_on_error(self.try_compile_project(project_file))
    }

    /// Like [`Builder::compile_project`], but returns the failure instead of exiting.
    pub fn try_compile_project(
        &self,
        project_file: impl AsRef<Path>,
    ) -> Result<Compiled, BuildError> {
        let project_file = project_file.as_ref();
        if self.cargo_directives {
            println!("cargo:rerun-if-changed={}", project_file.display());
        }
        let project = crate::Project::load(project_file).map_err(BuildError::Project)?;
        let mut builder = self.clone();
        if builder.ts_out.is_none() {
            builder.ts_out = project.ts_out.clone();
        }
        builder.try_compile(&project.inputs)
    }

    /// Like [`Builder::compile`], but returns the failure instead of exiting.
    ///
    /// ```no_run
    /// match ipcc::Builder::new().out_dir("/tmp/out").try_compile(&["api.ipc"]) {
    ///     Ok(compiled) => println!("wrote {:?}", compiled.written),
    ///     Err(error) => eprintln!("{error}"),
    /// }
    /// ```
    pub fn try_compile<P: AsRef<Path>>(&self, roots: &[P]) -> Result<Compiled, BuildError> {
        let roots: Vec<PathBuf> = roots.iter().map(|r| r.as_ref().to_path_buf()).collect();
        let out_dir = if self.rust {
            match self.out_dir.clone() {
                Some(dir) => Some(dir),
                None => Some(
                    std::env::var_os("OUT_DIR")
                        .map(PathBuf::from)
                        .ok_or(BuildError::NoOutDir)?,
                ),
            }
        } else {
            None
        };

        let checked = crate::check(&roots);
        if self.cargo_directives {
            // Printed before looking at errors: fixing any of these files must rerun the build.
            for input in &checked.inputs {
                println!("cargo:rerun-if-changed={}", input.display());
            }
        }
        let warnings = render(&checked, Severity::Warning);
        if self.cargo_directives {
            for line in warnings.lines() {
                println!("cargo:warning={line}");
            }
        }
        let ir = match (&checked.ir, checked.has_errors()) {
            (Some(ir), false) => ir,
            _ => {
                return Err(BuildError::Diagnostics {
                    rendered: render(&checked, Severity::Error),
                    inputs: checked.inputs.clone(),
                })
            }
        };

        let mut compiled = Compiled {
            inputs: checked.inputs.clone(),
            warnings,
            ..Compiled::default()
        };
        if let Some(dir) = &out_dir {
            let files = crate::codegen::rust::try_generate_with(ir, &self.rust_options)
                .map_err(BuildError::Codegen)?;
            write_files(dir, &files, &mut compiled)?;
        }
        if let Some(dir) = &self.ts_out {
            let generated = crate::generate(
                ir,
                &GenOptions {
                    rust: false,
                    ts: true,
                },
            );
            write_files(dir, &generated.ts, &mut compiled)?;
        }
        Ok(compiled)
    }
}

/// The diagnostics of one severity, rendered without colour (build output is not a terminal).
fn render(checked: &Checked, severity: Severity) -> String {
    let selected: Vec<crate::Diagnostic> = checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == severity)
        .cloned()
        .collect();
    if selected.is_empty() {
        return String::new();
    }
    crate::diagnostics::render(&selected, &checked.sources, false)
}

/// Writes each file under `dir` unless it already has exactly these contents, so cargo and
/// bundlers do not see a change (and rebuild) when nothing changed.
fn write_files(
    dir: &Path,
    files: &[GeneratedFile],
    compiled: &mut Compiled,
) -> Result<(), BuildError> {
    for file in files {
        let path = dir.join(&file.path);
        let io_error = |error| BuildError::Io {
            path: path.clone(),
            error,
        };
        if std::fs::read(&path).is_ok_and(|old| old == file.contents.as_bytes()) {
            compiled.unchanged.push(path);
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io_error)?;
        }
        std::fs::write(&path, &file.contents).map_err(io_error)?;
        compiled.written.push(path);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
