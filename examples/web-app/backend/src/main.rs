//! The web app example's backend: one loopback port serves the bundled page (the frontend's
//! `dist` folder) and the WebSocket endpoint the page calls (`/ipc`), guarded by a token; with
//! `WsServer`, or with `--axum` on an axum `Router` (the ipcc route and tower-http's `ServeDir`).
//!
//! ```text
//! cargo run -p web-app-backend -- [--port 0] [--token T] [--static DIR] [--allow-origin O]... [--axum]
//! ```
//!
//! The first line on stdout is `open http://127.0.0.1:PORT/?token=TOKEN`; everything else goes
//! to stderr.

mod handlers;
mod jobs;
mod timestamp;

// The backend half only (`build_client(false)` in build.rs), all of it used here.
mod web_app {
    include!(concat!(env!("OUT_DIR"), "/web-app.rs"));
}

use std::future::Future;
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::ExitCode;

use ipcc_runtime::{HostConfig, IpcHost, WsServer, WsServerConfig};
use rand::RngCore;

use handlers::{Greeter, ItemList};
use jobs::JobRunner;
use web_app::{register_items, register_jobs, register_my_interface, AppEventsSender};

const USAGE: &str = "usage: web-app-backend [--port PORT] [--token TOKEN] [--static DIR] \
                     [--allow-origin ORIGIN]... [--axum]\n\
  --port PORT           loopback port to listen on (default 0: any free port)\n\
  --token TOKEN         the token pages must present (default: a random one)\n\
  --static DIR          the bundled frontend (default: examples/web-app/frontend/dist)\n\
  --allow-origin ORIGIN also accept pages of ORIGIN, e.g. http://127.0.0.1:5173 for a dev server\n\
  --axum                serve on an axum Router (the ipcc route at /ipc) instead of WsServer";

/// The command line, parsed.
struct Options {
    port: u16,
    token: Option<String>,
    static_dir: PathBuf,
    allowed_origins: Vec<String>,
    axum: bool,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        port: 0,
        token: None,
        static_dir: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../frontend/dist")),
        allowed_origins: Vec::new(),
        axum: false,
    };
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--port" => {
                let port = value("--port")?;
                options.port = port
                    .parse()
                    .map_err(|_| format!("--port: {port:?} is not a port number (0-65535)"))?;
            }
            "--token" => {
                let token = value("--token")?;
                if token.is_empty() {
                    return Err("--token: the token must not be empty".into());
                }
                options.token = Some(token);
            }
            "--static" => options.static_dir = PathBuf::from(value("--static")?),
            "--allow-origin" => options.allowed_origins.push(value("--allow-origin")?),
            "--axum" => options.axum = true,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(options)
}

/// 128 random bits from the OS's generator, as 32 hex digits.
fn random_token() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Percent-encodes `value` for a URL's query (everything but RFC 3986's unreserved characters).
fn query_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let static_dir = match std::fs::canonicalize(&options.static_dir) {
        Ok(dir) if dir.join("index.html").is_file() => dir,
        _ => {
            eprintln!(
                "web-app-backend: no index.html in {}: build the frontend first \
                 (`npm ci && npm run build` in examples/web-app) or pass --static DIR",
                options.static_dir.display()
            );
            return ExitCode::from(2);
        }
    };
    let token = options.token.unwrap_or_else(random_token);

    let host = IpcHost::with_config(HostConfig::new().token(token.clone()));
    let _greeter = register_my_interface(&host, Greeter);
    let _items = register_items(&host, ItemList::new(AppEventsSender::all(&host)));
    let _jobs = register_jobs(&host, JobRunner::default());

    // Loopback only; pages of this server's own origin are always allowed, others only if named.
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, options.port));
    let bound = if options.axum {
        bind_axum(&host, addr, &static_dir, &options.allowed_origins).await
    } else {
        bind_ws_server(&host, addr, &static_dir, &options.allowed_origins).await
    };
    let (port, serving) = match bound {
        Ok(bound) => bound,
        Err(error) => {
            eprintln!(
                "web-app-backend: cannot listen on 127.0.0.1:{}: {error}",
                options.port
            );
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout().lock();
    // Whoever started the backend reads this line to find the page, so it must go out now.
    if writeln!(
        stdout,
        "open http://127.0.0.1:{port}/?token={}",
        query_escape(&token)
    )
    .and_then(|()| stdout.flush())
    .is_err()
    {
        eprintln!("web-app-backend: cannot write the URL to stdout");
        return ExitCode::FAILURE;
    }
    drop(stdout);
    eprintln!(
        "web-app-backend: serving {} and the WebSocket endpoint on 127.0.0.1:{port}{}",
        static_dir.display(),
        if options.axum { " (axum)" } else { "" }
    );
    tokio::select! {
        served = serving => {
            if let Err(error) = served {
                eprintln!("web-app-backend: {error}");
                return ExitCode::FAILURE;
            }
        }
        _ = tokio::signal::ctrl_c() => eprintln!("web-app-backend: interrupted, stopping"),
    }
    ExitCode::SUCCESS
}

/// The port served on, and the future that serves it.
type Bound = (
    u16,
    Pin<Box<dyn Future<Output = std::io::Result<()>> + Send>>,
);

/// The page and the WebSocket on `WsServer`, which upgrades on every path (`/ipc` too) and
/// serves `static_dir` for the rest.
async fn bind_ws_server(
    host: &IpcHost,
    addr: SocketAddr,
    static_dir: &Path,
    allowed_origins: &[String],
) -> std::io::Result<Bound> {
    let mut config = WsServerConfig::new().addr(addr).static_dir(static_dir);
    for origin in allowed_origins {
        config = config.allow_origin(origin.clone());
    }
    let server = WsServer::bind(host, config).await?;
    let port = server.local_addr().port();
    Ok((
        port,
        Box::pin(async move {
            server.run().await;
            Ok(())
        }),
    ))
}

// guide:start web-app-axum-rs
/// The page and the WebSocket on an axum `Router`: the host at `/ipc`, the page's files (tower-http's
/// `ServeDir`) on every other path.
async fn bind_axum(
    host: &IpcHost,
    addr: SocketAddr,
    static_dir: &Path,
    allowed_origins: &[String],
) -> std::io::Result<Bound> {
    use axum::serve::ListenerExt;
    use ipcc_runtime::axum::{ipc_route, WsRouteConfig};

    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    // Pages this server serves itself, and those named on the command line.
    let mut ipc = WsRouteConfig::new().allow_own_origins(local);
    for origin in allowed_origins {
        ipc = ipc.allow_origin(origin.clone());
    }
    let app = axum::Router::new()
        .route("/ipc", ipc_route(host, ipc))
        .fallback_service(tower_http::services::ServeDir::new(static_dir));
    // Small messages go out at once instead of waiting for Nagle's algorithm.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    Ok((
        local.port(),
        Box::pin(async move { axum::serve(listener, app).await }),
    ))
}
// guide:end web-app-axum-rs

#[cfg(test)]
mod tests {
    use super::{parse_args, query_escape, random_token};

    fn args(list: &[&str]) -> impl Iterator<Item = String> {
        list.iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn parses_every_option() {
        let options = parse_args(args(&[
            "--port",
            "8080",
            "--token",
            "t",
            "--static",
            "/x",
            "--allow-origin",
            "http://a",
            "--allow-origin",
            "http://b",
            "--axum",
        ]))
        .unwrap();
        assert!(options.axum);
        assert_eq!(options.port, 8080);
        assert_eq!(options.token.as_deref(), Some("t"));
        assert_eq!(options.static_dir, std::path::Path::new("/x"));
        assert_eq!(options.allowed_origins, ["http://a", "http://b"]);
    }

    #[test]
    fn refuses_bad_arguments() {
        assert!(parse_args(args(&["--port", "70000"])).is_err());
        assert!(parse_args(args(&["--port"])).is_err());
        assert!(parse_args(args(&["--token", ""])).is_err());
        assert!(parse_args(args(&["--bogus"])).is_err());
    }

    #[test]
    fn tokens_are_random_hex() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn query_values_are_escaped() {
        assert_eq!(query_escape("abc-_.~09"), "abc-_.~09");
        assert_eq!(query_escape("a b&c=é"), "a%20b%26c%3D%C3%A9");
    }
}
