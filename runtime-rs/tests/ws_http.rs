//! The HTTP side of the WebSocket servers, over real loopback connections: the upgrade's
//! refusals (`400`, `403`) on `WsServer` and on the axum route alike (one implementation), and
//! `WsServer`'s own HTTP: its page from `static_dir` (tower-http's `ServeDir`: index, content
//! types, missing files, paths that leave the folder, methods) and its request head limit.

mod support;

use std::net::SocketAddr;
use std::path::PathBuf;

use ipcc_runtime::{HostConfig, WsServer, WsServerConfig};
use support::{guarded, serve_ws, WsServerKind, WS_SERVERS};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One HTTP answer as read off the socket.
#[derive(Debug)]
struct Answer {
    status: u16,
    /// Header names lower-cased.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `head` (a request head without its final blank line) and reads the answer's head and
/// its `content-length` bytes of body (none for `101` or a `HEAD`), without waiting for the
/// server to close: the axum route keeps HTTP connections alive.
async fn exchange(addr: SocketAddr, head: &str, head_only: bool) -> Answer {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(format!("{head}\r\nHost: {addr}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut received = Vec::new();
    let mut chunk = [0u8; 4096];
    let end = loop {
        if let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(
            n > 0,
            "the server closed before a whole answer head: {received:?}"
        );
        received.extend_from_slice(&chunk[..n]);
    };
    let text = String::from_utf8(received[..end].to_vec()).unwrap();
    let mut lines = text.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = received[end + 4..].to_vec();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map_or(0, |(_, v)| v.parse().unwrap());
    if status != 101 && !head_only {
        while body.len() < length {
            let n = stream.read(&mut chunk).await.unwrap();
            assert!(n > 0, "the server closed before the whole body");
            body.extend_from_slice(&chunk[..n]);
        }
    }
    Answer {
        status,
        headers,
        body,
    }
}

/// A WebSocket upgrade request head for `path`, with `extra` header lines.
fn upgrade(path: &str, extra: &[&str]) -> String {
    let mut head = format!(
        "GET {path} HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="
    );
    for line in extra {
        head.push_str("\r\n");
        head.push_str(line);
    }
    head
}

#[tokio::test]
async fn both_servers_refuse_the_same_upgrades_with_the_same_status() {
    for kind in WS_SERVERS {
        let host = support::echo_host(HostConfig::new());
        let served = serve_ws(&host, kind, &["http://app.example"]).await;
        let addr = served.addr;
        let path = match kind {
            WsServerKind::Standalone => "/",
            WsServerKind::AxumRoute => "/ipc",
        };
        let status = |head: String| async move {
            guarded("answer", exchange(addr, &head, false)).await.status
        };
        let own = format!("Origin: http://127.0.0.1:{}", addr.port());
        let cases = [
            ("no Origin (not a browser)", upgrade(path, &[]), 101),
            (
                "an allowed origin",
                upgrade(path, &["Origin: http://app.example"]),
                101,
            ),
            ("the server's own origin", upgrade(path, &[&own]), 101),
            (
                "another origin",
                upgrade(path, &["Origin: http://evil.example"]),
                403,
            ),
            (
                "another port of loopback",
                upgrade(path, &["Origin: http://127.0.0.1:1"]),
                403,
            ),
            (
                "no Sec-WebSocket-Key",
                format!(
                    "GET {path} HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
                     Sec-WebSocket-Version: 13"
                ),
                400,
            ),
            (
                "an old protocol version",
                upgrade(path, &[]).replace("Version: 13", "Version: 8"),
                400,
            ),
            (
                "no Connection: Upgrade",
                upgrade(path, &[]).replace("Connection: Upgrade", "Connection: keep-alive"),
                400,
            ),
        ];
        for (what, head, expected) in cases {
            assert_eq!(status(head).await, expected, "{kind:?}: {what}");
        }
    }
}

/// A fresh folder below the system's temporary folder: `www/` (the page) beside `secret.txt`,
/// which no request may reach.
fn page_folder() -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let base = std::env::temp_dir().join(format!("ipcc-ws-http-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(base.join("www/sub")).unwrap();
    std::fs::write(base.join("secret.txt"), "secret").unwrap();
    std::fs::write(base.join("www/index.html"), "<h1>app</h1>").unwrap();
    std::fs::write(base.join("www/app.js"), "console.log(1);").unwrap();
    std::fs::write(base.join("www/style.css"), "h1 {}").unwrap();
    std::fs::write(base.join("www/sub/index.html"), "<h1>sub</h1>").unwrap();
    base
}

#[tokio::test]
async fn ws_server_serves_its_static_dir_and_nothing_outside_it() {
    let base = page_folder();
    let host = support::echo_host(HostConfig::new());
    let server = WsServer::bind(&host, WsServerConfig::new().static_dir(base.join("www")))
        .await
        .unwrap();
    let addr = server.local_addr();
    let _running = server.spawn();
    let get = |path: &str| {
        let head = format!("GET {path} HTTP/1.1");
        async move { guarded("GET", exchange(addr, &head, false)).await }
    };

    let index = get("/").await;
    assert_eq!(index.status, 200);
    assert_eq!(index.body, b"<h1>app</h1>");
    assert_eq!(
        index.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(index.header("cache-control"), Some("no-store"));
    assert_eq!(get("/?token=abc").await.body, b"<h1>app</h1>");
    assert_eq!(get("/index.html").await.body, b"<h1>app</h1>");

    let script = get("/app.js").await;
    assert_eq!(script.status, 200);
    assert_eq!(
        script.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(
        get("/style.css").await.header("content-type"),
        Some("text/css; charset=utf-8")
    );

    // A folder is its index.html, reached with the trailing slash.
    let folder = get("/sub").await;
    assert!(matches!(folder.status, 307 | 308), "{folder:?}");
    assert_eq!(folder.header("location"), Some("/sub/"));
    assert_eq!(get("/sub/").await.body, b"<h1>sub</h1>");

    for path in [
        "/nope.html",
        "/../secret.txt",
        "/sub/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/sub/%2e%2e/%2e%2e/secret.txt",
    ] {
        let refused = get(path).await;
        assert_eq!(refused.status, 404, "{path}: {refused:?}");
        assert_ne!(refused.body, b"secret", "{path}");
    }

    let head = guarded("HEAD", exchange(addr, "HEAD /app.js HTTP/1.1", true)).await;
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), Some("15"));
    let post = guarded(
        "POST",
        exchange(addr, "POST / HTTP/1.1\r\nContent-Length: 0", false),
    )
    .await;
    assert_eq!(post.status, 405);

    // The same port still upgrades to the host's WebSocket.
    assert_eq!(
        guarded("upgrade", exchange(addr, &upgrade("/", &[]), false))
            .await
            .status,
        101
    );
    let _ = std::fs::remove_dir_all(&base);
}

#[tokio::test]
async fn ws_server_without_a_page_says_what_it_is() {
    let host = support::echo_host(HostConfig::new());
    let server = WsServer::bind(&host, WsServerConfig::new()).await.unwrap();
    let addr = server.local_addr();
    let _running = server.spawn();
    let answer = guarded("GET", exchange(addr, "GET / HTTP/1.1", false)).await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.body, b"this is an ipcc WebSocket endpoint");
}

#[tokio::test]
async fn ws_server_refuses_a_request_head_over_16_kib() {
    let host = support::echo_host(HostConfig::new());
    let server = WsServer::bind(&host, WsServerConfig::new()).await.unwrap();
    let addr = server.local_addr();
    let _running = server.spawn();
    let big = format!("GET / HTTP/1.1\r\nX-Padding: {}", "a".repeat(20 * 1024));
    let answer = guarded("GET", exchange(addr, &big, false)).await;
    assert_eq!(answer.status, 431);
    let small = format!("GET / HTTP/1.1\r\nX-Padding: {}", "a".repeat(8 * 1024));
    assert_eq!(
        guarded("GET", exchange(addr, &small, false)).await.status,
        404
    );
}
