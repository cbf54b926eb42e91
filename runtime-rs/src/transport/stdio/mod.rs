//! The stdio transport, backend side: this process is the child and speaks on its stdin/stdout.
//!
//! On Unix, [`process_stdio`] drives the descriptors on the reactor and keeps the protocol safe
//! from stray prints ([`fd`]). Elsewhere (Windows) it is [`portable_stdio`]: tokio's
//! `stdin()`/`stdout()`, which work everywhere, through a blocking thread per read or write; there
//! a `println!` in the backend would write into the protocol, so log to stderr
//! (`eprintln!`, or a logger writing there).

use std::io;

use super::lines::LineSocket;

#[cfg(unix)]
mod fd;
#[cfg(unix)]
pub use fd::FdStream;

/// The stdio transport of a backend child process.
#[cfg(unix)]
pub type StdioSocket = fd::StdioSocket;
/// The stdio transport of a backend child process.
#[cfg(not(unix))]
pub type StdioSocket = PortableStdioSocket;

/// The stdio transport over tokio's own stdin and stdout.
pub type PortableStdioSocket = LineSocket<tokio::io::Stdin, tokio::io::Stdout>;

/// Takes over this process's stdin and stdout for the protocol. Call it once, inside a tokio
/// runtime.
///
/// On Unix, fd 1 then writes to stderr and fd 0 reads `/dev/null`, and the protocol owns
/// private, non-blocking duplicates of the original descriptors; their flags are restored when
/// the socket is dropped or the process exits. Elsewhere it is [`portable_stdio`].
pub fn process_stdio() -> io::Result<StdioSocket> {
    #[cfg(unix)]
    return fd::process_stdio();
    #[cfg(not(unix))]
    return Ok(portable_stdio());
}

/// The protocol on tokio's `stdin()` and `stdout()`: portable, but each read and write goes
/// through a blocking thread, and nothing stops other output to stdout from mixing in. The
/// default on platforms other than Unix; on Unix it can be chosen explicitly.
pub fn portable_stdio() -> PortableStdioSocket {
    LineSocket::new(tokio::io::stdin(), tokio::io::stdout())
}
