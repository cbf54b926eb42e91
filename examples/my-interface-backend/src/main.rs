//! The reference article's `MyInterface` backend, served over stdio or WebSocket:
//!
//! ```text
//! cargo run -p my-interface-backend -- --stdio
//! cargo run -p my-interface-backend -- --ws 127.0.0.1:0 [--token T]
//! ```
//!
//! With `--ws`, the first line on stdout is `listening on ws://ADDR/`. With `--stdio`, stdout
//! carries only the protocol; messages go to stderr.

// guide:start reference-include
// Only the backend half is generated (`build_client(false)` in build.rs), all of it used here.
mod my_interface {
    include!(concat!(env!("OUT_DIR"), "/my-interface.rs"));
}
// guide:end reference-include

// guide:start reference-backend
use ipcc_runtime::{CallContext, HandlerError};
use my_interface::MyInterface;
// guide:end reference-backend
// guide:start reference-serve
use ipcc_runtime::{HostConfig, IpcHost, WsServer, WsServerConfig};
use my_interface::register_my_interface;
// guide:end reference-serve

// guide:start reference-backend
struct Backend;

impl MyInterface for Backend {
    async fn say_hello(
        &self,
        _ctx: CallContext,
        arg1: String,
        arg2: f64,
        arg3: bool,
    ) -> Result<String, HandlerError> {
        Ok(format!("hello: {arg1} {} {arg3}", js_number(arg2)))
    }
}
// guide:end reference-backend

/// Formats a number as JavaScript's template literals do (`10`, `0.5`, `Infinity`), so the
/// greeting reads the same as the reference article's TypeScript backend.
fn js_number(n: f64) -> String {
    match n {
        n if n.is_nan() => "NaN".into(),
        f64::INFINITY => "Infinity".into(),
        f64::NEG_INFINITY => "-Infinity".into(),
        0.0 => "0".into(), // -0 too
        n => n.to_string(),
    }
}

const USAGE: &str = "usage: my-interface-backend (--stdio | --ws ADDR) [--token TOKEN]";

enum Mode {
    Stdio,
    Ws(std::net::SocketAddr),
}

fn parse_args() -> Result<(Mode, Option<String>), String> {
    let mut args = std::env::args().skip(1);
    let (mut mode, mut token) = (None, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--stdio" => mode = Some(Mode::Stdio),
            "--ws" => {
                let addr = args
                    .next()
                    .ok_or("--ws needs an address, e.g. 127.0.0.1:0")?;
                let addr = addr
                    .parse()
                    .map_err(|e| format!("bad address {addr:?}: {e}"))?;
                mode = Some(Mode::Ws(addr));
            }
            "--token" => token = Some(args.next().ok_or("--token needs a value")?),
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok((mode.ok_or(USAGE)?, token))
}

#[ipcc_runtime::tokio::main(crate = "ipcc_runtime::tokio")]
async fn main() -> std::process::ExitCode {
    let (mode, token) = match parse_args() {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("{message}");
            return std::process::ExitCode::from(2);
        }
    };
    // guide:start reference-serve
    let mut config = HostConfig::new();
    if let Some(token) = token {
        config = config.token(token);
    }
    let host = IpcHost::with_config(config);
    let _registration = register_my_interface(&host, Backend);
    let served = match mode {
        Mode::Stdio => host.serve_stdio().await,
        Mode::Ws(addr) => match WsServer::bind(&host, WsServerConfig::new().addr(addr)).await {
            Ok(server) => {
                println!("listening on {}", server.url());
                eprintln!("my-interface-backend: listening on {}", server.url());
                server.run().await;
                Ok(())
            }
            Err(error) => Err(error),
        },
    };
    // guide:end reference-serve
    match served {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("my-interface-backend: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::js_number;

    #[test]
    fn numbers_read_as_in_javascript() {
        assert_eq!(js_number(10.0), "10");
        assert_eq!(js_number(-0.0), "0");
        assert_eq!(js_number(0.5), "0.5");
        assert_eq!(js_number(f64::INFINITY), "Infinity");
        assert_eq!(js_number(f64::NAN), "NaN");
    }
}
