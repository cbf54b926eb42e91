//! The stdio transport's two forms (runtime-rs `transport::stdio`): the Unix one makes its
//! descriptors non-blocking, a flag of the open file description that the process which started
//! the backend shares, so it must be as it was once the backend is done (or a shell that launched
//! it sees EAGAIN on its own stdin); the portable one (the transport on other platforms) serves
//! calls here too.

#[path = "../src/bin/ipcc-echo-backend/vectors_ipc.rs"]
#[allow(dead_code)]
#[rustfmt::skip]
mod vectors_ipc;

use ipcc_runtime::{ConnectOptions, IpcConnection};

/// The other platforms' stdio transport, exercised on this one: the echo backend in
/// `--portable-stdio` mode answers calls of every size, many in flight, in order of their ids.
#[tokio::test]
async fn the_portable_transport_serves_calls() {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_ipcc-echo-backend"));
    command.arg("--portable-stdio");
    let connection = IpcConnection::spawn_stdio(
        command,
        ConnectOptions::new().channel(vectors_ipc::ECHO_SPEC),
    )
    .await
    .unwrap();
    let echo = vectors_ipc::EchoClient::new(&connection);
    assert_eq!(echo.add(2, 3).await.unwrap(), 5);
    let large: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
    assert_eq!(echo.echo_bytes(large.clone()).await.unwrap(), large);
    let sums = futures_util::future::join_all((0..50).map(|i| echo.add(i, i))).await;
    for (i, sum) in (0..50).zip(sums) {
        assert_eq!(sum.unwrap(), 2 * i);
    }
}

#[cfg(unix)]
use std::io::{BufRead, BufReader, Write};
#[cfg(unix)]
use std::os::fd::AsRawFd;
#[cfg(unix)]
use std::process::{Command, Stdio};

#[cfg(unix)]
fn nonblocking(fd: &impl AsRawFd) -> bool {
    // SAFETY: F_GETFL on a descriptor this test owns.
    let flags = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) };
    assert!(flags >= 0, "fcntl: {}", std::io::Error::last_os_error());
    flags & libc::O_NONBLOCK != 0
}

#[cfg(unix)]
#[test]
fn the_shared_stdin_is_blocking_again_after_the_backend_ends() {
    let (reader, mut writer) = std::io::pipe().unwrap();
    assert!(!nonblocking(&reader));
    // The child's stdin is a duplicate of `reader`: the same open file description, as a
    // terminal is shared between a shell and the programs it runs.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ipcc-echo-backend"))
        .arg("--stdio")
        .stdin(reader.try_clone().unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    // Once the welcome is back, the backend has taken over its stdio.
    writer
        .write_all(b"{\"type\":\"hello\",\"protocol\":1,\"channels\":{}}\n")
        .unwrap();
    let mut welcome = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut welcome)
        .unwrap();
    assert!(welcome.contains("\"welcome\""), "{welcome}");
    assert!(
        nonblocking(&reader),
        "the backend's stdin is not the shared description this test watches"
    );
    // End of input: the backend's host returns, its socket is dropped, the process exits.
    drop(writer);
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
    assert!(
        !nonblocking(&reader),
        "O_NONBLOCK left set on the description the backend shared"
    );
}
