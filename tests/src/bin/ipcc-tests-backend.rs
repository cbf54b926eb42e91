//! Serves every example interface (and `tests/idl/streams.ipc`) over this process's stdin/stdout (the stdio round trips run
//! it as a child process). Nothing but protocol goes to stdout.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let host = ipcc_runtime::IpcHost::new();
    let _registrations = ipcc_tests::backends::register_all(&host);
    let _streams = ipcc_tests::streaming::register(&host);
    match host.serve_stdio().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("ipcc-tests-backend: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
