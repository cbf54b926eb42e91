//! Serves every example interface (and `tests/idl/streams.ipc`) over this process's stdin/stdout (the stdio round trips run
//! it as a child process). Nothing but protocol goes to stdout.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // The binary `bytes` tests run it with `IPCC_TEST_MAX_MESSAGE_BYTES` and
    // `IPCC_TEST_BINARY=0` to show which form the values travelled in.
    let mut config = ipcc_runtime::HostConfig::new();
    if let Some(limit) = std::env::var("IPCC_TEST_MAX_MESSAGE_BYTES")
        .ok()
        .and_then(|limit| limit.parse().ok())
    {
        config = config.max_message_bytes(limit);
    }
    if std::env::var("IPCC_TEST_BINARY").is_ok_and(|value| value == "0") {
        config = config.binary(false);
    }
    let host = ipcc_runtime::IpcHost::with_config(config);
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
