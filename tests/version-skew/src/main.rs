//! The version-skew backend (built from `v2/app.ipc`), served over stdio or WebSocket:
//!
//! ```text
//! cargo run -p version-skew-backend -- --stdio
//! cargo run -p version-skew-backend -- --ws 127.0.0.1:0
//! ```
//!
//! With `--ws`, the first line on stdout is `listening on ws://ADDR/`.

use ipcc_runtime::{IpcHost, WsServer, WsServerConfig};

const USAGE: &str = "usage: version-skew-backend (--stdio | --ws ADDR)";

#[ipcc_runtime::tokio::main(crate = "ipcc_runtime::tokio")]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let host = IpcHost::new();
    let _registrations = version_skew_backend::register_v2(&host);
    let served = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["--stdio"] => host.serve_stdio().await,
        ["--ws", addr] => {
            let addr = match addr.parse() {
                Ok(addr) => addr,
                Err(e) => {
                    eprintln!("bad address {addr:?}: {e}\n{USAGE}");
                    return std::process::ExitCode::from(2);
                }
            };
            match WsServer::bind(&host, WsServerConfig::new().addr(addr)).await {
                Ok(server) => {
                    println!("listening on {}", server.url());
                    server.run().await;
                    Ok(())
                }
                Err(error) => Err(error),
            }
        }
        _ => {
            eprintln!("{USAGE}");
            return std::process::ExitCode::from(2);
        }
    };
    match served {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("version-skew-backend: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
