//! The `ipcc` command line: argument parsing, file discovery and output; the work is done by the
//! library (`ipcc::check`, `ipcc::generate`).
//!
//! Exit codes: 0 success (warnings may be printed), 1 diagnostics (or `gen --check` found stale
//! files), 2 usage or I/O errors.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The front end allocates many small nodes on several threads at once; glibc's allocator
/// spends a fifth of a large check in locks, page faults and trimming (docs/benchmarks.md).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// ipcc: typed IPC between TypeScript frontends and Rust backends, from `.ipc` interface files.
#[derive(Debug, Parser)]
#[command(name = "ipcc", version, about, propagate_version = true)]
struct Cli {
    /// When to colour diagnostics: `auto` colours when stderr is a terminal and NO_COLOR is unset.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    color: ColorChoice,

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
    Check(Inputs),
    /// Print the resolved model of `.ipc` files as JSON (a versioned schema) on stdout.
    Ir(Inputs),
    /// Generate Rust and/or TypeScript code from `.ipc` files.
    Gen(GenArgs),
}

#[derive(Debug, Args)]
struct Inputs {
    /// `.ipc` files, or directories (every `*.ipc` file below them, in sorted order).
    #[arg(required = true, value_name = "FILES|DIRS")]
    paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
struct GenArgs {
    /// Write the generated Rust into this directory.
    #[arg(long, value_name = "DIR")]
    rust: Option<PathBuf>,
    /// Write the generated TypeScript into this directory.
    #[arg(long, value_name = "DIR")]
    ts: Option<PathBuf>,
    /// Write nothing; exit 1 and list the files that are missing or out of date (for CI).
    #[arg(long)]
    check: bool,
    #[command(flatten)]
    inputs: Inputs,
}

/// A failure that is not a diagnostic of the input: bad arguments, unreadable paths.
struct UsageError(String);

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
    let result = match &cli.command {
        Command::Check(inputs) => run_check(inputs, color),
        Command::Ir(inputs) => run_ir(inputs, color),
        Command::Gen(args) => run_gen(args, color),
    };
    match result {
        Ok(code) => code,
        Err(UsageError(message)) => {
            let (style, reset) = if color {
                ("\x1b[1;31m", "\x1b[0m")
            } else {
                ("", "")
            };
            eprintln!("{style}error{reset}: {message}");
            ExitCode::from(2)
        }
    }
}

/// Checks the inputs and prints their diagnostics; `Some(model)` when there was no error.
fn check_inputs(inputs: &Inputs, color: bool) -> Result<Option<ipcc::ir::Ir>, UsageError> {
    let roots = collect_inputs(&inputs.paths)?;
    let checked = ipcc::check(&roots);
    if !checked.diagnostics.is_empty() {
        eprint!(
            "{}",
            ipcc::diagnostics::render(&checked.diagnostics, &checked.sources, color)
        );
    }
    Ok(if checked.has_errors() {
        None
    } else {
        checked.ir
    })
}

fn run_check(inputs: &Inputs, color: bool) -> Result<ExitCode, UsageError> {
    Ok(match check_inputs(inputs, color)? {
        Some(_) => ExitCode::SUCCESS,
        None => ExitCode::from(1),
    })
}

fn run_ir(inputs: &Inputs, color: bool) -> Result<ExitCode, UsageError> {
    let Some(ir) = check_inputs(inputs, color)? else {
        return Ok(ExitCode::from(1));
    };
    let json = serde_json::to_string_pretty(&ir)
        .map_err(|e| UsageError(format!("cannot serialize the model: {e}")))?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{json}")
        .and_then(|()| stdout.flush())
        .map_err(|e| UsageError(format!("cannot write to stdout: {e}")))?;
    Ok(ExitCode::SUCCESS)
}

fn run_gen(args: &GenArgs, color: bool) -> Result<ExitCode, UsageError> {
    if args.rust.is_none() && args.ts.is_none() {
        return Err(UsageError(
            "nothing to generate: pass `--rust DIR` and/or `--ts DIR`".to_string(),
        ));
    }
    let Some(ir) = check_inputs(&args.inputs, color)? else {
        return Ok(ExitCode::from(1));
    };
    let options = ipcc::GenOptions {
        rust: args.rust.is_some(),
        ts: args.ts.is_some(),
    };
    let generated = ipcc::generate(&ir, &options);
    let targets = [
        (args.rust.as_deref(), &generated.rust),
        (args.ts.as_deref(), &generated.ts),
    ];
    let mut stale = Vec::new();
    for (dir, files) in targets {
        let Some(dir) = dir else { continue };
        for file in files {
            let path = dir.join(&file.path);
            let current = std::fs::read(&path).ok();
            if current.as_deref() == Some(file.contents.as_bytes()) {
                continue;
            }
            if args.check {
                stale.push(path);
            } else {
                write_file(&path, &file.contents)?;
            }
        }
    }
    if stale.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    for path in &stale {
        eprintln!("out of date: {}", path.display());
    }
    eprintln!(
        "error: {} generated file{} out of date; run `ipcc gen` without `--check` to update",
        stale.len(),
        if stale.len() == 1 { " is" } else { "s are" }
    );
    Ok(ExitCode::from(1))
}

fn write_file(path: &Path, contents: &str) -> Result<(), UsageError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| {
            UsageError(format!(
                "cannot create directory `{}`: {e}",
                parent.display()
            ))
        })?;
    }
    std::fs::write(path, contents)
        .map_err(|e| UsageError(format!("cannot write `{}`: {e}", path.display())))
}

/// Expands the command line's paths: a file as given, a directory as every `*.ipc` file below
/// it (sorted). Each path is checked to be readable, so a typo is a usage error, not a
/// diagnostic.
fn collect_inputs(paths: &[PathBuf]) -> Result<Vec<PathBuf>, UsageError> {
    let mut roots = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|e| cannot_read(path, &e))?;
        if metadata.is_dir() {
            let mut found = Vec::new();
            collect_dir(path, &mut found)?;
            if found.is_empty() {
                return Err(UsageError(format!(
                    "no `.ipc` files found in `{}`",
                    path.display()
                )));
            }
            found.sort();
            roots.extend(found);
        } else {
            std::fs::File::open(path).map_err(|e| cannot_read(path, &e))?;
            roots.push(path.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    roots.retain(|p| seen.insert(p.clone()));
    Ok(roots)
}

/// Every `*.ipc` file below `dir`. Symbolic links to directories are not followed, so a link
/// cycle cannot make this loop.
fn collect_dir(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), UsageError> {
    let entries = std::fs::read_dir(dir).map_err(|e| cannot_read(dir, &e))?;
    for entry in entries {
        let entry = entry.map_err(|e| cannot_read(dir, &e))?;
        let path = entry.path();
        let file_type = entry.file_type().map_err(|e| cannot_read(&path, &e))?;
        if file_type.is_dir() {
            collect_dir(&path, found)?;
        } else if path.extension().is_some_and(|e| e == "ipc") && path.is_file() {
            found.push(path);
        }
    }
    Ok(())
}

fn cannot_read(path: &Path, error: &std::io::Error) -> UsageError {
    UsageError(format!("cannot read `{}`: {error}", path.display()))
}
