//! Unix: fds 0 and 1 made non-blocking and driven by the tokio reactor (`AsyncFd`), since
//! tokio's own `stdin()`/`stdout()` go through a blocking thread per operation, which is slow.
//! The protocol keeps private duplicates of fds 0 and 1, and fd 1 is pointed at stderr (fd 0 at
//! `/dev/null`), so a stray `println!` anywhere in the process can never corrupt the protocol.
//!
//! `O_NONBLOCK` is a flag of the open file description, which the process that started this one
//! (a shell, a terminal) shares: each descriptor's flags are put back as they were when its
//! stream is dropped, and at `exit` for a process that ends without dropping it.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::unix::AsyncFd;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use std::sync::Mutex;

use crate::transport::lines::LineSocket;

/// A non-blocking pipe, socket or terminal descriptor driven by the tokio reactor, or a
/// regular file (which epoll cannot watch, and which never blocks for long) used directly.
pub struct FdStream {
    fd: FdKind,
    /// The descriptor's file status flags before it was made non-blocking.
    original_flags: libc::c_int,
}

enum FdKind {
    Reactor(AsyncFd<OwnedFd>),
    File(OwnedFd),
}

impl FdStream {
    /// Takes ownership of `fd`, makes it non-blocking and registers it with the reactor.
    /// Its flags are restored when the stream is dropped.
    pub fn new(fd: OwnedFd) -> io::Result<FdStream> {
        let original_flags = set_nonblocking(fd.as_raw_fd())?;
        let restore_on_error = |cause: io::Error, raw: RawFd| {
            restore_flags(raw, original_flags);
            forget_at_exit(raw);
            cause
        };
        let raw = fd.as_raw_fd();
        restore_at_exit_of(raw, original_flags);
        // SAFETY: an `OwnedFd` keeps its descriptor open and unchanged until it is dropped,
        // which happens only when the `AsyncFd` is dropped.
        match unsafe { AsyncFd::register(fd) } {
            Ok(fd) => Ok(FdStream {
                fd: FdKind::Reactor(fd),
                original_flags,
            }),
            Err(refused) => match refused.into_parts() {
                // A regular file (e.g. `backend --stdio < requests.jsonl > out.jsonl`).
                (fd, cause) if cause.raw_os_error() == Some(libc::EPERM) => Ok(FdStream {
                    fd: FdKind::File(fd),
                    original_flags,
                }),
                (_, cause) => Err(restore_on_error(cause, raw)),
            },
        }
    }

    fn raw_fd(&self) -> RawFd {
        match &self.fd {
            FdKind::Reactor(fd) => fd.get_ref().as_raw_fd(),
            FdKind::File(fd) => fd.as_raw_fd(),
        }
    }
}

impl Drop for FdStream {
    fn drop(&mut self) {
        let fd = self.raw_fd();
        restore_flags(fd, self.original_flags);
        forget_at_exit(fd);
    }
}

/// `read(2)` into the unfilled part of `buf`, which it marks filled.
///
/// The unfilled part is not zeroed first (`ReadBuf::initialize_unfilled` would be): `read(2)`
/// only writes to it, and a reader that reserved room for a 16 MiB message would otherwise
/// zero all of that room on every 64 KiB read.
fn read_fd(fd: RawFd, buf: &mut ReadBuf<'_>) -> io::Result<()> {
    // SAFETY: `read(2)` writes at most `unfilled.len()` bytes into the unfilled memory and
    // never reads it; exactly the `n` bytes it reports written are then marked initialized.
    unsafe {
        let unfilled = buf.unfilled_mut();
        let n = libc::read(fd, unfilled.as_mut_ptr().cast(), unfilled.len());
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        buf.assume_init(n as usize);
        buf.advance(n as usize);
    }
    Ok(())
}

/// `write(2)` from `data`.
fn write_fd(fd: RawFd, data: &[u8]) -> io::Result<usize> {
    // SAFETY: writing from a valid buffer of the given length.
    let n = unsafe { libc::write(fd, data.as_ptr().cast(), data.len()) };
    if n < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}

/// Makes `fd` non-blocking; returns its flags from before.
fn set_nonblocking(fd: RawFd) -> io::Result<libc::c_int> {
    // SAFETY: fcntl on a descriptor we own; F_GETFL/F_SETFL take and return plain ints.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags < 0 {
            return Err(io::Error::last_os_error());
        }
        if libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(flags)
    }
}

/// Puts `fd`'s `O_NONBLOCK` back as it was in `original` (the other flags may have changed
/// since, and are kept). Best effort: there is nobody to tell of a failure.
fn restore_flags(fd: RawFd, original: libc::c_int) {
    // SAFETY: fcntl F_GETFL/F_SETFL on a descriptor the caller keeps open (a live stream's);
    // on a closed one it fails with EBADF and changes nothing.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags >= 0 {
            let wanted = (flags & !libc::O_NONBLOCK) | (original & libc::O_NONBLOCK);
            if wanted != flags {
                libc::fcntl(fd, libc::F_SETFL, wanted);
            }
        }
    }
}

/// The descriptors of live `FdStream`s and their flags from before, which `exit` puts back
/// for a process that ends without dropping its streams.
static LIVE: Mutex<Vec<(RawFd, libc::c_int)>> = Mutex::new(Vec::new());

extern "C" fn restore_at_exit() {
    // `try_lock`: exit may run while another thread holds it; skipping then beats a deadlock.
    if let Ok(live) = LIVE.try_lock() {
        for &(fd, flags) in live.iter() {
            restore_flags(fd, flags);
        }
    }
}

fn live() -> std::sync::MutexGuard<'static, Vec<(RawFd, libc::c_int)>> {
    LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Has `exit` restore `fd`'s flags to `flags` until [`forget_at_exit`].
fn restore_at_exit_of(fd: RawFd, flags: libc::c_int) {
    static REGISTER: std::sync::Once = std::sync::Once::new();
    // SAFETY: registers a plain `extern "C"` function with no arguments.
    REGISTER.call_once(|| unsafe {
        libc::atexit(restore_at_exit);
    });
    live().push((fd, flags));
}

fn forget_at_exit(fd: RawFd) {
    live().retain(|&(live_fd, _)| live_fd != fd);
}

/// `dup(fd)` as an owned descriptor (close-on-exec).
fn duplicate(fd: RawFd) -> io::Result<OwnedFd> {
    // SAFETY: F_DUPFD_CLOEXEC returns a new descriptor that we then own exclusively.
    let new = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 3) };
    if new < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `new` is a fresh, valid descriptor owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(new) })
}

/// Points `target` at what `source` refers to (`dup2`).
fn redirect(source: RawFd, target: RawFd) -> io::Result<()> {
    // SAFETY: dup2 on valid descriptors; `target` stays open (now another file).
    if unsafe { libc::dup2(source, target) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

impl AsyncRead for FdStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let fd = match &self.fd {
            FdKind::Reactor(fd) => fd,
            FdKind::File(fd) => {
                read_fd(fd.as_raw_fd(), buf)?;
                return Poll::Ready(Ok(()));
            }
        };
        loop {
            let mut guard = ready!(fd.poll_read_ready(cx))?;
            match guard.try_io(|inner| read_fd(inner.as_raw_fd(), buf)) {
                Ok(Ok(())) => return Poll::Ready(Ok(())),
                Ok(Err(error)) => return Poll::Ready(Err(error)),
                Err(_would_block) => continue,
            }
        }
    }
}

impl AsyncWrite for FdStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let fd = match &self.fd {
            FdKind::Reactor(fd) => fd,
            FdKind::File(fd) => return Poll::Ready(write_fd(fd.as_raw_fd(), data)),
        };
        loop {
            let mut guard = ready!(fd.poll_write_ready(cx))?;
            match guard.try_io(|inner| write_fd(inner.as_raw_fd(), data)) {
                Ok(outcome) => return Poll::Ready(outcome),
                Err(_would_block) => continue,
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// The stdio transport of a backend child process on Unix.
pub type StdioSocket = LineSocket<FdStream, FdStream>;

/// Takes over this process's stdin and stdout for the protocol (see the module docs).
pub fn process_stdio() -> io::Result<StdioSocket> {
    let input = duplicate(libc::STDIN_FILENO)?;
    let output = duplicate(libc::STDOUT_FILENO)?;
    redirect(libc::STDERR_FILENO, libc::STDOUT_FILENO)?;
    let null = std::fs::File::open("/dev/null")?;
    redirect(null.as_raw_fd(), libc::STDIN_FILENO)?;
    Ok(LineSocket::new(
        FdStream::new(input)?,
        FdStream::new(output)?,
    ))
}
