//! `ipcc lsp`: the language server on stdin and stdout (the work is in `ipcc::lsp`).

use std::process::ExitCode;

use clap::Args;

use crate::UsageError;

/// `ipcc lsp` takes no arguments of its own: the client says everything in `initialize`.
#[derive(Debug, Args)]
pub struct LspArgs {
    /// Accepted for editors that start servers with `--stdio` (stdio is the only transport).
    #[arg(long)]
    stdio: bool,
}

pub fn run_lsp(args: &LspArgs) -> Result<ExitCode, UsageError> {
    let _ = args.stdio;
    Ok(ExitCode::from(ipcc::lsp::run_stdio().clamp(0, 255) as u8))
}
