//! In-memory pairs: a frontend connection to a host in the same process.

use crate::session::connection::{ConnectOptions, IpcConnection};
use crate::session::host::IpcHost;
use crate::transport::memory;

impl IpcHost {
    /// Opens an in-memory connection to this host (frontend side), with default options.
    /// Must be called inside a tokio runtime.
    pub fn connect_in_memory(&self) -> IpcConnection {
        self.connect_in_memory_with(ConnectOptions::default())
    }

    /// Opens an in-memory connection to this host with these options.
    pub fn connect_in_memory_with(&self, options: ConnectOptions) -> IpcConnection {
        let (frontend, backend) = memory::pair();
        let host = self.clone();
        tokio::spawn(async move { host.serve(backend).await });
        IpcConnection::open(frontend, options)
    }
}
