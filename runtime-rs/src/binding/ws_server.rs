//! The standalone WebSocket server: hyper's HTTP/1 on a port of its own, an axum router that
//! hands WebSocket upgrades to [`accept_upgrade`] (shared with the axum route) and everything
//! else to the page's files (tower-http's `ServeDir`) or a handler.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Response, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::handshake::server::create_response_with_body;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::WebSocketStream;
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::protocol::message::HELLO_MAX_BYTES;
use crate::session::host::IpcHost;
use crate::transport::websocket::{ws_config, WsSocket, DEFAULT_READ_BUFFER};

/// The largest HTTP request head accepted before the upgrade (hyper's read buffer, which also
/// bounds the head: past it hyper answers `431`).
const MAX_HTTP_HEAD: usize = 16 * 1024;

/// How long a client may take to send its HTTP request head.
const HTTP_HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// Which pages may open a WebSocket, and how its connection is read: the settings of one
/// upgrade, the same for [`WsServer`] and the axum route.
#[derive(Clone, Debug)]
pub(crate) struct Upgrades {
    pub(crate) allowed_origins: Vec<String>,
    pub(crate) any_origin: bool,
    pub(crate) read_buffer_size: usize,
}

impl Default for Upgrades {
    fn default() -> Self {
        Upgrades {
            allowed_origins: Vec::new(),
            any_origin: false,
            read_buffer_size: DEFAULT_READ_BUFFER,
        }
    }
}

impl Upgrades {
    fn origin_allowed(&self, origin: &str) -> bool {
        self.any_origin || self.allowed_origins.iter().any(|o| o == origin)
    }
}

/// The origins of the pages a server listening on `local` serves itself. Named by address, not
/// taken from the request's `Host`, which a DNS-rebinding page controls.
pub(crate) fn own_origins(local: SocketAddr) -> Vec<String> {
    let port = local.port();
    vec![
        format!("http://{local}"),
        format!("http://localhost:{port}"),
        format!("http://127.0.0.1:{port}"),
        format!("http://[::1]:{port}"),
    ]
}

/// Whether `request` asks for a WebSocket (an `Upgrade: websocket` header); anything else is
/// plain HTTP for the server's page.
fn wants_websocket(request: &Request) -> bool {
    request
        .headers()
        .get_all(header::UPGRADE)
        .iter()
        .any(|value| value.as_bytes().eq_ignore_ascii_case(b"websocket"))
}

/// Checks a WebSocket upgrade request and, when it passes, answers `101 Switching Protocols` and
/// serves `host` on the upgraded connection. Refusals: `400` for a request that is not a valid
/// upgrade (tungstenite's own check), `403` for an `Origin` that is not allowed (a request
/// without one is a non-browser client, stopped by the token instead).
pub(crate) fn accept_upgrade(
    host: &IpcHost,
    upgrades: &Upgrades,
    mut request: Request,
) -> Response<Body> {
    let response = match create_response_with_body(&request, Body::empty) {
        Ok(response) => response,
        Err(error) => {
            return plain(
                StatusCode::BAD_REQUEST,
                format!("not a WebSocket upgrade: {error}"),
            )
        }
    };
    match request
        .headers()
        .get(header::ORIGIN)
        .map(HeaderValue::to_str)
    {
        None => {}
        Some(Ok(origin)) if upgrades.origin_allowed(origin) => {}
        Some(_) => return plain(StatusCode::FORBIDDEN, "origin not allowed".to_owned()),
    }
    let Some(on_upgrade) = request
        .extensions_mut()
        .remove::<hyper::upgrade::OnUpgrade>()
    else {
        // Not a hyper HTTP/1 connection with upgrades enabled (HTTP/2, or a router called
        // directly): nothing to take the WebSocket over.
        return plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            "this connection cannot be upgraded".to_owned(),
        );
    };
    // The hello may be larger than later messages (its wire schemas); the host holds every
    // message after it to its own limit.
    let config = ws_config(
        host.config().max_message_bytes.max(HELLO_MAX_BYTES),
        upgrades.read_buffer_size,
    );
    let host = host.clone();
    tokio::spawn(async move {
        // Resolves once hyper has written the 101; fails when the client left before.
        let Ok(upgraded) = on_upgrade.await else {
            return;
        };
        let stream =
            WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(config))
                .await;
        host.serve(WsSocket::new(stream)).await;
    });
    response
}

fn plain(status: StatusCode, text: String) -> Response<Body> {
    (status, text).into_response()
}

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

/// What answers the requests that are not WebSocket upgrades.
#[derive(Clone)]
enum HttpFallback {
    Handler(HttpHandler),
    Dir(ServeDir),
}

/// Configuration of a [`WsServer`].
#[derive(Clone)]
pub struct WsServerConfig {
    addr: SocketAddr,
    upgrades: Upgrades,
    http: Option<HttpFallback>,
}

impl Default for WsServerConfig {
    fn default() -> Self {
        WsServerConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            upgrades: Upgrades::default(),
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
    /// served by this server itself (`http://127.0.0.1:PORT`, `http://localhost:PORT`,
    /// `http://[::1]:PORT`).
    pub fn allow_origin(mut self, origin: impl Into<String>) -> Self {
        self.upgrades.allowed_origins.push(origin.into());
        self
    }

    /// Accept upgrades from any origin (disables the check; rely on the token).
    pub fn allow_any_origin(mut self) -> Self {
        self.upgrades.any_origin = true;
        self
    }

    /// The read buffer per connection (default 8 KiB).
    pub fn read_buffer_size(mut self, bytes: usize) -> Self {
        self.upgrades.read_buffer_size = bytes;
        self
    }

    /// Answer plain HTTP requests (anything but a WebSocket upgrade) with `handler`.
    pub fn http_handler(
        mut self,
        handler: impl Fn(&HttpRequest) -> HttpResponse + Send + Sync + 'static,
    ) -> Self {
        self.http = Some(HttpFallback::Handler(Arc::new(handler)));
        self
    }

    /// Serve the files below `dir` on `GET` and `HEAD`, with tower-http's `ServeDir`: a
    /// directory's `index.html` for the directory (`/` is `dir/index.html`; `/sub` redirects to
    /// `/sub/`), `404` for a missing file or a path that leaves `dir` (`..`), `405` for other
    /// methods, the content type from the extension.
    pub fn static_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.http = Some(HttpFallback::Dir(ServeDir::new(dir.into())));
        self
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

/// A WebSocket server serving an [`IpcHost`]: every path upgrades to the host's WebSocket, and
/// other requests get the configured page.
pub struct WsServer {
    listener: TcpListener,
    local_addr: SocketAddr,
    router: Router,
}

impl WsServer {
    /// Binds the configured address (loopback by default).
    pub async fn bind(host: &IpcHost, config: WsServerConfig) -> io::Result<WsServer> {
        let listener = TcpListener::bind(config.addr).await?;
        let local_addr = listener.local_addr()?;
        let mut upgrades = config.upgrades;
        upgrades.allowed_origins.extend(own_origins(local_addr));
        let server = Arc::new(Answer {
            host: host.clone(),
            upgrades,
            http: config.http,
        });
        let router = Router::new().fallback(move |request: Request| async move {
            let mut response = server.answer(request).await;
            // What the page gets must not outlive this backend in a cache: the next run has
            // another port and token.
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        });
        Ok(WsServer {
            listener,
            local_addr,
            router,
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
            tokio::spawn(serve_connection(stream, self.router.clone()));
        }
    }

    /// Runs the server on a task; dropping or aborting the handle stops accepting.
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(self.run())
    }
}

/// One TCP connection: one HTTP/1 request (no keep-alive, so an idle connection is not kept
/// open past its answer), its head bounded in size and time, then maybe the WebSocket.
async fn serve_connection(stream: TcpStream, router: Router) {
    if stream.set_nodelay(true).is_err() {
        return;
    }
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HTTP_HEAD_TIMEOUT)
        .max_buf_size(MAX_HTTP_HEAD)
        .keep_alive(false)
        .serve_connection(TokioIo::new(stream), TowerToHyperService::new(router))
        .with_upgrades();
    // A client that breaks off is its own business; the server goes on.
    let _ = connection.await;
}

/// What a [`WsServer`] answers with.
struct Answer {
    host: IpcHost,
    upgrades: Upgrades,
    http: Option<HttpFallback>,
}

impl Answer {
    async fn answer(&self, request: Request) -> Response<Body> {
        if wants_websocket(&request) {
            return accept_upgrade(&self.host, &self.upgrades, request);
        }
        match &self.http {
            None => plain(
                StatusCode::NOT_FOUND,
                "this is an ipcc WebSocket endpoint".to_owned(),
            ),
            Some(HttpFallback::Handler(handler)) => {
                let answer = handler(&http_request(&request));
                let status = StatusCode::from_u16(answer.status)
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let mut response = (status, answer.body).into_response();
                if let Ok(content_type) = HeaderValue::try_from(answer.content_type) {
                    response
                        .headers_mut()
                        .insert(header::CONTENT_TYPE, content_type);
                }
                response
            }
            Some(HttpFallback::Dir(dir)) => {
                let Ok(response) = dir.clone().oneshot(request).await;
                with_utf8_charset(response.into_response())
            }
        }
    }
}

/// The handler's view of a request.
fn http_request(request: &Request) -> HttpRequest {
    HttpRequest {
        method: request.method().as_str().to_owned(),
        path: request
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned(),
        headers: request
            .headers()
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).trim().to_owned();
                (name.as_str().to_owned(), value)
            })
            .collect(),
    }
}

/// `ServeDir` names text types without a charset (`text/html`); the page's bundles are UTF-8,
/// and a browser must not guess.
fn with_utf8_charset(mut response: Response<Body>) -> Response<Body> {
    let Some(content_type) = response.headers().get(header::CONTENT_TYPE) else {
        return response;
    };
    let Ok(text) = content_type.to_str() else {
        return response;
    };
    if text.starts_with("text/") && !text.contains("charset") {
        if let Ok(value) = HeaderValue::try_from(format!("{text}; charset=utf-8")) {
            response.headers_mut().insert(header::CONTENT_TYPE, value);
        }
    }
    response
}
