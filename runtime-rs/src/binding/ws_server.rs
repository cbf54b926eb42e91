//! The standalone WebSocket server: serves an `IpcHost` on a TCP port, with an HTTP fallback
//! for the app's page.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode};

use crate::session::host::IpcHost;
use crate::transport::websocket::{ws_config, WsSocket};

/// The read buffer of one WebSocket connection. tungstenite's default (128 KiB, allocated
/// eagerly) would make an idle connection cost hundreds of kilobytes.
const DEFAULT_READ_BUFFER: usize = 8 * 1024;

/// The largest HTTP request head accepted before the upgrade.
const MAX_HTTP_HEAD: usize = 16 * 1024;

/// How long a client may take to send its HTTP request head.
const HTTP_HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// An HTTP request that is not a WebSocket upgrade, for the server's fallback handler.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    /// `GET`, `HEAD`, ...
    pub method: String,
    /// The request target, e.g. `/index.html?x=1`.
    pub path: String,
    /// Header names lower-cased, in order.
    pub headers: Vec<(String, String)>,
}

/// The fallback handler's answer.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// `Content-Type` header.
    pub content_type: String,
    /// Body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A `200 OK` with this body.
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> HttpResponse {
        HttpResponse {
            status: 200,
            content_type: content_type.to_owned(),
            body: body.into(),
        }
    }

    /// A plain-text error response.
    pub fn status(status: u16, text: &str) -> HttpResponse {
        HttpResponse {
            status,
            content_type: "text/plain; charset=utf-8".to_owned(),
            body: text.as_bytes().to_vec(),
        }
    }
}

/// Answers plain HTTP requests on the WebSocket port (e.g. to serve the app's page).
pub type HttpHandler = Arc<dyn Fn(&HttpRequest) -> HttpResponse + Send + Sync>;

/// Configuration of a [`WsServer`].
#[derive(Clone)]
pub struct WsServerConfig {
    addr: SocketAddr,
    allowed_origins: Vec<String>,
    any_origin: bool,
    read_buffer_size: usize,
    http: Option<HttpHandler>,
}

impl Default for WsServerConfig {
    fn default() -> Self {
        WsServerConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            allowed_origins: Vec::new(),
            any_origin: false,
            read_buffer_size: DEFAULT_READ_BUFFER,
            http: None,
        }
    }
}

impl WsServerConfig {
    /// Loopback, an OS-chosen port, same-origin pages and non-browser clients only.
    pub fn new() -> Self {
        Self::default()
    }

    /// The address to bind (default `127.0.0.1:0`). Binding a non-loopback address exposes the
    /// backend to the network: set a token on the host.
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Also accept upgrades from a page of this origin (e.g. `"http://localhost:5173"`).
    ///
    /// Always accepted: requests without an `Origin` header (non-browser clients) and pages
    /// served by this server itself (`http://127.0.0.1:PORT`, `http://localhost:PORT`).
    pub fn allow_origin(mut self, origin: impl Into<String>) -> Self {
        self.allowed_origins.push(origin.into());
        self
    }

    /// Accept upgrades from any origin (disables the check; rely on the token).
    pub fn allow_any_origin(mut self) -> Self {
        self.any_origin = true;
        self
    }

    /// The read buffer per connection (default 8 KiB).
    pub fn read_buffer_size(mut self, bytes: usize) -> Self {
        self.read_buffer_size = bytes;
        self
    }

    /// Answer plain HTTP requests (anything but a WebSocket upgrade) with `handler`.
    pub fn http_handler(
        mut self,
        handler: impl Fn(&HttpRequest) -> HttpResponse + Send + Sync + 'static,
    ) -> Self {
        self.http = Some(Arc::new(handler));
        self
    }

    /// Serve the files below `dir` on `GET` (`/` is `index.html`).
    pub fn static_dir(self, dir: impl Into<PathBuf>) -> Self {
        let dir: PathBuf = dir.into();
        self.http_handler(move |request| serve_file(&dir, request))
    }

    /// Serve in-memory files on `GET`: path (`"/"`, `"/app.js"`) → (content type, body).
    pub fn static_files(self, files: HashMap<String, (String, Vec<u8>)>) -> Self {
        self.http_handler(move |request| {
            let path = request.path.split('?').next().unwrap_or("/");
            match files.get(path) {
                Some((content_type, body)) => HttpResponse::ok(content_type, body.clone()),
                None => HttpResponse::status(404, "not found"),
            }
        })
    }
}

/// Guesses a content type from a file extension.
fn content_type_for(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "wasm" => "application/wasm",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Serves one file below `dir`; paths leaving `dir` are refused.
fn serve_file(dir: &Path, request: &HttpRequest) -> HttpResponse {
    if request.method != "GET" && request.method != "HEAD" {
        return HttpResponse::status(405, "method not allowed");
    }
    let path = request.path.split(['?', '#']).next().unwrap_or("/");
    let relative = path.trim_start_matches('/');
    let relative = if relative.is_empty() {
        "index.html"
    } else {
        relative
    };
    let relative = Path::new(relative);
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return HttpResponse::status(404, "not found");
    }
    let full = dir.join(relative);
    match std::fs::read(&full) {
        Ok(body) => HttpResponse::ok(content_type_for(&full), body),
        Err(_) => HttpResponse::status(404, "not found"),
    }
}

/// A WebSocket server serving an [`IpcHost`].
pub struct WsServer {
    listener: TcpListener,
    local_addr: SocketAddr,
    config: Arc<WsServerConfig>,
    host: IpcHost,
}

impl WsServer {
    /// Binds the configured address (loopback by default).
    pub async fn bind(host: &IpcHost, config: WsServerConfig) -> io::Result<WsServer> {
        let listener = TcpListener::bind(config.addr).await?;
        let local_addr = listener.local_addr()?;
        Ok(WsServer {
            listener,
            local_addr,
            config: Arc::new(config),
            host: host.clone(),
        })
    }

    /// The bound address (with the actual port).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `ws://ADDR/`.
    pub fn url(&self) -> String {
        format!("ws://{}/", self.local_addr)
    }

    /// Accepts connections until the task is dropped or aborted.
    pub async fn run(self) {
        loop {
            let (stream, _peer) = match self.listener.accept().await {
                Ok(accepted) => accepted,
                // Out of descriptors and the like: wait a little rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let config = self.config.clone();
            let host = self.host.clone();
            let local = self.local_addr;
            tokio::spawn(async move {
                let _ = handle_tcp(stream, local, config, host).await;
            });
        }
    }

    /// Runs the server on a task; dropping or aborting the handle stops accepting.
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(self.run())
    }
}

/// A TCP stream with already-read bytes put back in front.
struct Rewound {
    prefix: Vec<u8>,
    pos: usize,
    inner: TcpStream,
}

impl AsyncRead for Rewound {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.pos < self.prefix.len() {
            let n = (self.prefix.len() - self.pos).min(buf.remaining());
            let start = self.pos;
            buf.put_slice(&self.prefix[start..start + n]);
            self.pos += n;
            if self.pos == self.prefix.len() {
                self.prefix = Vec::new();
                self.pos = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Rewound {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Reads bytes until the end of an HTTP request head (`\r\n\r\n`), bounded.
async fn read_http_head(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        head.extend_from_slice(&chunk[..n]);
        if head.windows(4).any(|w| w == b"\r\n\r\n") {
            return Ok(head);
        }
        if head.len() > MAX_HTTP_HEAD {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "request head too large",
            ));
        }
    }
}

/// Parses the request line and headers of an HTTP request head.
fn parse_http_head(head: &[u8]) -> Option<HttpRequest> {
    let end = head.windows(4).position(|w| w == b"\r\n\r\n")?;
    let text = std::str::from_utf8(&head[..end]).ok()?;
    let mut lines = text.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let path = request_line.next()?.to_owned();
    let headers = lines
        .filter_map(|line| {
            let (name, value) = line.split_once(':')?;
            Some((name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        })
        .collect();
    Some(HttpRequest {
        method,
        path,
        headers,
    })
}

/// Whether a page of `origin` may open a WebSocket to this server.
fn origin_allowed(config: &WsServerConfig, local: SocketAddr, origin: &str) -> bool {
    if config.any_origin || config.allowed_origins.iter().any(|o| o == origin) {
        return true;
    }
    let port = local.port();
    let own = [
        format!("http://{local}"),
        format!("http://localhost:{port}"),
        format!("http://127.0.0.1:{port}"),
        format!("http://[::1]:{port}"),
    ];
    own.iter().any(|o| o == origin)
}

async fn handle_tcp(
    mut stream: TcpStream,
    local: SocketAddr,
    config: Arc<WsServerConfig>,
    host: IpcHost,
) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let head = tokio::time::timeout(HTTP_HEAD_TIMEOUT, read_http_head(&mut stream))
        .await
        .map_err(|_| io::Error::from(io::ErrorKind::TimedOut))??;
    let Some(request) = parse_http_head(&head) else {
        return write_http(
            &mut stream,
            &HttpResponse::status(400, "bad request"),
            false,
        )
        .await;
    };
    let is_upgrade = request
        .headers
        .iter()
        .any(|(name, value)| name == "upgrade" && value.eq_ignore_ascii_case("websocket"));
    if !is_upgrade {
        let response = match &config.http {
            Some(handler) => handler(&request),
            None => HttpResponse::status(404, "this is an ipcc WebSocket endpoint"),
        };
        return write_http(&mut stream, &response, request.method == "HEAD").await;
    }
    // The error type is tungstenite's; its size is not ours to choose.
    #[allow(clippy::result_large_err)]
    let check_origin = |req: &Request, response: Response| -> Result<Response, ErrorResponse> {
        match req.headers().get("origin").map(HeaderValue::to_str) {
            None => Ok(response),
            Some(Ok(origin)) if origin_allowed(&config, local, origin) => Ok(response),
            Some(_) => {
                let mut refused = ErrorResponse::new(Some("origin not allowed".to_owned()));
                *refused.status_mut() = StatusCode::FORBIDDEN;
                Err(refused)
            }
        }
    };
    let rewound = Rewound {
        prefix: head,
        pos: 0,
        inner: stream,
    };
    let ws_cfg = ws_config(
        host.config()
            .max_message_bytes
            .max(crate::protocol::message::HELLO_MAX_BYTES),
        config.read_buffer_size,
    );
    let ws = tokio_tungstenite::accept_hdr_async_with_config(rewound, check_origin, Some(ws_cfg))
        .await
        .map_err(io::Error::other)?;
    host.serve(WsSocket::new(ws)).await;
    Ok(())
}

async fn write_http(
    stream: &mut TcpStream,
    response: &HttpResponse,
    head_only: bool,
) -> io::Result<()> {
    let reason = StatusCode::from_u16(response.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let header = format!(
        "HTTP/1.1 {} {reason}\r\ncontent-type: {}\r\ncontent-length: {}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n",
        response.status,
        response.content_type,
        response.body.len()
    );
    stream.write_all(header.as_bytes()).await?;
    if !head_only {
        stream.write_all(&response.body).await?;
    }
    stream.shutdown().await
}
