//! `ipcc fmt`: rewrite `.ipc` files in the canonical layout, check that they are, or format
//! stdin to stdout (for editors).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use ipcc::SourceMap;

use crate::check::{elapsed, plural};
use crate::inputs::Inputs;
use crate::{Output, UsageError};

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Write nothing; exit 1 and list the files that are not formatted (for CI).
    #[arg(long)]
    check: bool,
    /// Read the text from stdin and write it formatted to stdout (also: a path `-`).
    #[arg(long)]
    stdin: bool,
    #[command(flatten)]
    inputs: Inputs,
}

/// What happened to the files of one run.
#[derive(Debug, Default)]
struct FmtReport {
    /// Rewritten (or, with `--check`, would be).
    changed: Vec<PathBuf>,
    /// Already formatted, left untouched.
    unchanged: usize,
    /// Not formatted because of syntax errors (already printed).
    failed: usize,
}

pub fn run_fmt(args: &FmtArgs, output: Output) -> Result<ExitCode, UsageError> {
    let dash = Path::new("-");
    if args.stdin || args.inputs.paths.iter().any(|p| p == dash) {
        if args.inputs.paths.iter().any(|p| p != dash) {
            return Err(UsageError::new(
                "`ipcc fmt --stdin` (or `-`) formats stdin only; pass no other paths",
            ));
        }
        return format_stdin(args.check, output);
    }
    let started = Instant::now();
    let (paths, _) = args.inputs.resolve()?;
    let mut report = FmtReport::default();
    // Directories expand as for every other command; a path that cannot be read is the same
    // `E0101` (or `E0104`) diagnostic `ipcc check` reports.
    let mut unreadable = Vec::new();
    let files = ipcc::expand_roots(&paths, &mut ipcc::FsLoader, &mut unreadable);
    let mut read = Vec::new();
    for path in files {
        match std::fs::read(&path) {
            Ok(bytes) => read.push((path, bytes)),
            Err(error) => unreadable.push(ipcc::ir::unreadable_root(&path, &error)),
        }
    }
    if !unreadable.is_empty() {
        eprint!(
            "{}",
            ipcc::diagnostics::render_each(&unreadable, &SourceMap::default(), output.color)
        );
        return Ok(ExitCode::from(1));
    }
    for (path, bytes) in read {
        let path = &path;
        let text = String::from_utf8(bytes).map_err(|_| not_utf8(path))?;
        match ipcc::format::format_source(&text) {
            Ok(formatted) if formatted == text => report.unchanged += 1,
            Ok(formatted) => {
                if !args.check {
                    write_replacing(path, &formatted)?;
                }
                report.changed.push(path.clone());
            }
            Err(diagnostics) => {
                print_diagnostics(path, text, &diagnostics, output);
                report.failed += 1;
            }
        }
    }
    if args.check {
        for path in &report.changed {
            eprintln!("would reformat: {}", path.display());
        }
    }
    if !output.quiet {
        eprintln!("{}", report.status(args.check, started));
    }
    if !report.changed.is_empty() && args.check {
        eprintln!(
            "error: {} not formatted; run `ipcc fmt` without `--check` to format {}",
            if report.changed.len() == 1 {
                "1 file is".to_string()
            } else {
                format!("{} files are", report.changed.len())
            },
            if report.changed.len() == 1 {
                "it"
            } else {
                "them"
            }
        );
        return Ok(ExitCode::from(1));
    }
    Ok(if report.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

impl FmtReport {
    /// `formatted 9 files in 12 ms: 2 changed, 7 unchanged`, or with `--check`
    /// `checked 9 files in 3 ms: 2 not formatted, 7 formatted`; files with syntax errors are
    /// counted at the end.
    fn status(&self, check: bool, started: Instant) -> String {
        let total = self.changed.len() + self.unchanged + self.failed;
        let mut line = if check {
            format!(
                "checked {} in {}: {} not formatted, {} formatted",
                plural(total, "file"),
                elapsed(started),
                self.changed.len(),
                self.unchanged
            )
        } else {
            format!(
                "formatted {} in {}: {} changed, {} unchanged",
                plural(total, "file"),
                elapsed(started),
                self.changed.len(),
                self.unchanged
            )
        };
        if self.failed > 0 {
            line.push_str(&format!(", {} with syntax errors", self.failed));
        }
        line
    }
}

/// `--stdin`: the formatted text on stdout, diagnostics on stderr and nothing on stdout when
/// the text has syntax errors. With `--check`, nothing on stdout and exit 1 when the text is
/// not formatted.
fn format_stdin(check: bool, output: Output) -> Result<ExitCode, UsageError> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|e| UsageError::new(format!("cannot read stdin: {e}")))?;
    let name = Path::new("<stdin>");
    let text = String::from_utf8(bytes).map_err(|_| not_utf8(name))?;
    let formatted = match ipcc::format::format_source(&text) {
        Ok(formatted) => formatted,
        Err(diagnostics) => {
            print_diagnostics(name, text, &diagnostics, output);
            return Ok(ExitCode::from(1));
        }
    };
    if check {
        if formatted == text {
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!("would reformat: <stdin>");
        return Ok(ExitCode::from(1));
    }
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(formatted.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| UsageError::new(format!("cannot write to stdout: {e}")))?;
    Ok(ExitCode::SUCCESS)
}

/// The diagnostics that stopped `path` from being formatted, and a closing line that says so.
fn print_diagnostics(path: &Path, text: String, diagnostics: &[ipcc::Diagnostic], output: Output) {
    let mut sources = SourceMap::default();
    sources.add(path.display().to_string(), text);
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == ipcc::Severity::Error)
        .count();
    let (style, reset) = if output.color {
        ("\x1b[1;31m", "\x1b[0m")
    } else {
        ("", "")
    };
    eprintln!(
        "{}{style}error{reset}: could not format `{}` due to {}",
        ipcc::diagnostics::render_each(diagnostics, &sources, output.color),
        path.display(),
        plural(errors, "previous error"),
    );
}

fn not_utf8(path: &Path) -> UsageError {
    UsageError::new(format!("cannot read `{}`: not UTF-8", path.display()))
}

/// Replaces the file at `path` (through symbolic links) with `contents`: written beside it
/// first and renamed over it, so that a failure half-way (a full disk) leaves the original
/// whole. The original's permissions are kept.
fn write_replacing(path: &Path, contents: &str) -> Result<(), UsageError> {
    let cannot_write =
        |e: std::io::Error| UsageError::new(format!("cannot write `{}`: {e}", path.display()));
    let target = std::fs::canonicalize(path).map_err(cannot_write)?;
    let permissions = std::fs::metadata(&target)
        .map_err(cannot_write)?
        .permissions();
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = target.with_file_name(format!(".{name}.ipcc-fmt-{}", std::process::id()));
    let written = std::fs::write(&temporary, contents)
        .and_then(|()| std::fs::set_permissions(&temporary, permissions))
        .and_then(|()| std::fs::rename(&temporary, &target));
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(cannot_write(error));
    }
    Ok(())
}
