//! `ipcc check` and `ipcc ir`: the front end only.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use crate::inputs::Inputs;
use crate::{Output, UsageError};

/// Checks `roots` and prints their diagnostics; the model when there was no error.
pub fn check_roots(roots: &[PathBuf], output: Output) -> Option<ipcc::ir::Ir> {
    check_summarized(roots, output, &mut CheckSummary::default())
}

/// What one check read and found, besides the model: `ipcc watch` watches the files and counts
/// the errors.
#[derive(Debug, Default)]
pub struct CheckSummary {
    /// Every file the front end read or tried to read (roots and imports), also when there
    /// were errors.
    pub read: Vec<PathBuf>,
    pub errors: usize,
    pub warnings: usize,
    /// A root path could not be read or was a directory without `.ipc` files.
    pub unreadable_roots: bool,
}

/// As [`check_roots`], filling `summary`.
pub fn check_summarized(
    roots: &[PathBuf],
    output: Output,
    summary: &mut CheckSummary,
) -> Option<ipcc::ir::Ir> {
    let checked = ipcc::check(roots);
    if !checked.diagnostics.is_empty() {
        eprint!(
            "{}",
            ipcc::diagnostics::render(&checked.diagnostics, &checked.sources, output.color)
        );
    }
    let errors = checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == ipcc::Severity::Error)
        .count();
    *summary = CheckSummary {
        read: checked.inputs,
        errors,
        warnings: checked.diagnostics.len() - errors,
        unreadable_roots: checked.diagnostics.iter().any(|d| {
            [
                ipcc::ir::codes::UNREADABLE_ROOT,
                ipcc::ir::codes::EMPTY_ROOT_DIR,
            ]
            .contains(&d.code)
        }),
    };
    if errors > 0 {
        return None;
    }
    checked.ir
}

pub fn run_check(inputs: &Inputs, output: Output) -> Result<ExitCode, UsageError> {
    let started = Instant::now();
    let (roots, _) = inputs.resolve()?;
    let mut summary = CheckSummary::default();
    let Some(ir) = check_summarized(&roots, output, &mut summary) else {
        return Ok(ExitCode::from(1));
    };
    if !output.quiet {
        let declarations =
            ir.types.len() + ir.consts.len() + ir.interfaces.len() + ir.notifications.len();
        eprintln!(
            "checked {} in {}: {}, {}",
            plural(ir.files.len(), "file"),
            elapsed(started),
            plural(declarations, "declaration"),
            plural(summary.warnings, "warning"),
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_ir(inputs: &Inputs, output: Output) -> Result<ExitCode, UsageError> {
    let (roots, _) = inputs.resolve()?;
    let Some(ir) = check_roots(&roots, output) else {
        return Ok(ExitCode::from(1));
    };
    let json = serde_json::to_string_pretty(&ir)
        .map_err(|e| UsageError::new(format!("cannot serialize the model: {e}")))?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{json}")
        .and_then(|()| stdout.flush())
        .map_err(|e| UsageError::new(format!("cannot write to stdout: {e}")))?;
    Ok(ExitCode::SUCCESS)
}

/// `1 file`, `3 files`.
pub fn plural(count: usize, word: &str) -> String {
    format!("{count} {word}{}", if count == 1 { "" } else { "s" })
}

/// Time since `started` as a status line shows it: `42 ms`, `1.25 s`.
pub fn elapsed(started: Instant) -> String {
    let elapsed = started.elapsed();
    if elapsed.as_millis() < 1000 {
        format!("{} ms", elapsed.as_millis())
    } else {
        format!("{:.2} s", elapsed.as_secs_f64())
    }
}
