//! The `ipcc` command line: argument parsing, file discovery and output; the work is done by the
//! library (`ipcc::check`, `ipcc::generate`, ...). One module per command.
//!
//! Exit codes: 0 success (warnings may be printed), 1 diagnostics (or `gen --check` found stale
//! files), 2 usage or I/O errors. `watch` exits 0 when stopped (Ctrl-C, SIGTERM, the end of a
//! piped stdin), whatever its runs found.

mod check;
mod compat;
mod format;
mod generate;
mod inputs;
mod lsp;
mod watch;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// The front end allocates many small nodes on several threads at once; glibc's allocator
/// spends a fifth of a large check in locks, page faults and trimming (docs/benchmarks.md).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// ipcc: typed IPC between TypeScript frontends and Rust backends, from `.ipc` interface files.
///
/// Inside a project (a directory with an `ipcc.toml`, or below one) every command takes its
/// inputs and outputs from that file when they are not given.
#[derive(Debug, Parser)]
#[command(name = "ipcc", version, about, propagate_version = true)]
struct Cli {
    /// When to colour diagnostics: `auto` colours when stderr is a terminal and NO_COLOR is unset.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    color: ColorChoice,

    /// Print diagnostics only: no status line on success.
    #[arg(short, long, global = true)]
    quiet: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check `.ipc` files and report every error and warning.
    Check(inputs::Inputs),
    /// Rewrite `.ipc` files in the canonical layout, keeping every comment (docs/formatting.md).
    Fmt(format::FmtArgs),
    /// Print the resolved model of `.ipc` files as JSON (a versioned schema) on stdout.
    Ir(inputs::Inputs),
    /// Generate Rust and/or TypeScript code from `.ipc` files, and render your own templates.
    Gen(generate::GenArgs),
    /// Generate, then generate again on every change of an input, an import or `ipcc.toml`.
    ///
    /// One status line per run on stderr (`[watch] generated ...`, or `[watch] 2 errors; waiting
    /// for changes` after the diagnostics). Stops with status 0 on Ctrl-C or SIGTERM, and at the
    /// end of stdin when stdin is a pipe (the process that started it closed it or died).
    Watch(watch::WatchArgs),
    /// Compare two versions of a contract: every change, per channel and per direction, as
    /// wire-breaking, source-breaking or compatible (docs/evolution.md).
    ///
    /// `ipcc compat OLD NEW` compares two files or directories; `ipcc compat --against REV`
    /// compares the working tree with a git revision. Exit 1 when a channel that kept its name
    /// changed in a way that breaks the wire.
    Compat(compat::CompatArgs),
    /// Run the language server on stdin and stdout, for editors (docs/editors.md).
    ///
    /// Speaks the Language Server Protocol: diagnostics as you type, hover, go to definition,
    /// references, rename, symbols, completion and formatting. Logs go to stderr.
    Lsp(lsp::LspArgs),
}

/// What every command needs besides its own arguments.
#[derive(Debug, Clone, Copy)]
struct Output {
    /// Colour diagnostics.
    color: bool,
    /// No status line on success.
    quiet: bool,
}

/// A failure that is not a diagnostic of the input: bad arguments, unreadable paths, a bad
/// project file. Exits with status 2.
enum UsageError {
    /// Printed after `error: `.
    Message(String),
    /// The project file could not be used (an invalid one is shown rustc-style).
    Project(ipcc::project::ProjectError),
}

impl UsageError {
    fn new(message: impl Into<String>) -> Self {
        UsageError::Message(message.into())
    }

    /// Prints the error on stderr as every command shows it.
    fn print(&self, color: bool) {
        match self {
            UsageError::Message(message) => {
                let (style, reset) = if color {
                    ("\x1b[1;31m", "\x1b[0m")
                } else {
                    ("", "")
                };
                eprintln!("{style}error{reset}: {message}");
            }
            UsageError::Project(error) => eprint!("{}", error.render(color)),
        }
    }
}

impl From<ipcc::project::ProjectError> for UsageError {
    fn from(error: ipcc::project::ProjectError) -> Self {
        UsageError::Project(error)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let output = Output {
        color,
        quiet: cli.quiet,
    };
    let result = match &cli.command {
        Command::Check(inputs) => check::run_check(inputs, output),
        Command::Fmt(args) => format::run_fmt(args, output),
        Command::Ir(inputs) => check::run_ir(inputs, output),
        Command::Gen(args) => generate::run_gen(args, output),
        Command::Watch(args) => watch::run_watch(args, output),
        Command::Compat(args) => compat::run_compat(args, output),
        Command::Lsp(args) => lsp::run_lsp(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            error.print(color);
            ExitCode::from(2)
        }
    }
}
