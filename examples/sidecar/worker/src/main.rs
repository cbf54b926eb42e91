//! The sidecar's Rust worker: a child process that serves `common/sidecar.ipc` on its
//! stdin/stdout, started by the Node app (`examples/sidecar/src/sidecar-app.ts`).
//!
//! stdout carries only the protocol; messages go to stderr. When the app closes the pipe (its
//! shutdown), the worker sees end of file on stdin and exits with code 0.

// guide:start worker-include
// The backend half only (`build_client(false)` in build.rs), all of it used here.
mod sidecar {
    include!(concat!(env!("OUT_DIR"), "/sidecar.rs"));
}
// guide:end worker-include

// guide:start worker-impl
use ipcc_runtime::tokio::io::AsyncReadExt;
use ipcc_runtime::{tokio, CallContext, HandlerError, Raised};
use sha2::{Digest, Sha256};
use sidecar::{FileDigest, FileError, Sidecar, SidecarEventsSender};
use std::time::Duration;
// guide:end worker-impl
// guide:start worker-main
use ipcc_runtime::IpcHost;
// guide:end worker-main

/// The largest `n` of `compute`: the sum of squares up to it fits a `u64` with room to spare,
/// and a call cannot keep the worker busy for unbounded time at `stepMs = 0`.
const MAX_COMPUTE_STEPS: u32 = 1_000_000;

/// How many progress notifications one `compute` sends at most (one per step for small `n`).
const MAX_PROGRESS_REPORTS: u32 = 100;

struct Worker;

// guide:start worker-impl
impl Sidecar for Worker {
    async fn hash_file(
        &self,
        _ctx: CallContext,
        path: String,
    ) -> Result<FileDigest, Raised<FileError>> {
        let unreadable = |e: std::io::Error| FileError::Unreadable {
            path: path.clone(),
            reason: e.to_string(),
        };
        let mut file = match tokio::fs::File::open(&path).await {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(FileError::NotFound { path }.into());
            }
            Err(e) => return Err(unreadable(e).into()),
        };
        // Read in chunks, so a large file costs a 64 KiB buffer, not its size in memory.
        let (mut hasher, mut buffer, mut size) = (Sha256::new(), vec![0u8; 64 * 1024], 0u64);
        loop {
            let read = file.read(&mut buffer).await.map_err(unreadable)?;
            if read == 0 {
                break;
            }
            hasher.update(&buffer[..read]);
            size += read as u64;
        }
        let sha256 = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(FileDigest { path, size, sha256 })
    }

    async fn compute(
        &self,
        ctx: CallContext,
        n: u32,
        step_ms: Option<u32>,
    ) -> Result<u64, HandlerError> {
        if n > MAX_COMPUTE_STEPS {
            return Err(format!("n must be at most {MAX_COMPUTE_STEPS}, got {n}").into());
        }
        // Progress goes to the caller's connection only.
        let events = SidecarEventsSender::to(ctx.host(), ctx.connection());
        let step = Duration::from_millis(step_ms.unwrap_or(0).into());
        let report_every = n.div_ceil(MAX_PROGRESS_REPORTS).max(1);
        let mut sum = 0u64;
        for i in 1..=n {
            sum += u64::from(i) * u64::from(i);
            if !step.is_zero() {
                tokio::time::sleep(step).await;
            }
            if i % report_every == 0 || i == n {
                events.progress("compute".into(), i, n)?;
            }
        }
        Ok(sum)
    }

    async fn crash(&self, _ctx: CallContext) -> Result<(), HandlerError> {
        eprintln!("sidecar-worker: crashing on request (exit code 3)");
        std::process::exit(3);
    }
}
// guide:end worker-impl

// guide:start worker-main
#[ipcc_runtime::tokio::main(crate = "ipcc_runtime::tokio")]
async fn main() -> std::process::ExitCode {
    let host = IpcHost::new();
    let _registration = sidecar::register_sidecar(&host, Worker);
    // Announce the notifications channel in the handshake, so the app checks its schema hash.
    host.declare_notifications(sidecar::SIDECAR_EVENTS_SPEC);
    match host.serve_stdio().await {
        Ok(()) => {
            eprintln!("sidecar-worker: the app closed stdin, exiting");
            std::process::ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("sidecar-worker: cannot serve stdio: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
// guide:end worker-main
