//! Stdio at both ends: a frontend spawning its backend as a child process, and a backend
//! serving its own stdin/stdout.

use std::process::Stdio;

use tokio::process::Command;

use crate::protocol::error::{ErrorCode, IpcError};
use crate::session::connection::{ConnectOptions, IpcConnection};
use crate::session::host::IpcHost;
use crate::transport::lines::LineSocket;
use crate::transport::stdio::process_stdio;

impl IpcConnection {
    /// Spawns `command` as the backend, speaking over its stdin/stdout, and waits for the
    /// welcome. Its stderr is left as configured on `command` (inherited by default). When the
    /// child exits, the connection is disconnected; when the connection closes, the child is
    /// killed.
    pub async fn spawn_stdio(
        mut command: Command,
        options: ConnectOptions,
    ) -> Result<IpcConnection, IpcError> {
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn().map_err(|e| {
            IpcError::new(
                ErrorCode::Disconnected,
                format!("cannot start the backend: {e}"),
            )
        })?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(IpcError::new(
                ErrorCode::Disconnected,
                "the backend has no pipes",
            ));
        };
        let connection = IpcConnection::open(LineSocket::new(stdout, stdin), options);
        connection.own_child(child);
        connection.ready().await?;
        Ok(connection)
    }
}

impl IpcHost {
    /// Serves this process's stdin/stdout (the process is the child of its frontend) until the
    /// frontend disconnects. On Unix, fd 1 then writes to stderr, so stray prints cannot corrupt
    /// the protocol; elsewhere log to stderr (see [`crate::transport::stdio`]).
    pub async fn serve_stdio(&self) -> std::io::Result<()> {
        let socket = process_stdio()?;
        self.serve(socket).await;
        Ok(())
    }
}
