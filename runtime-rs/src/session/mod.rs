//! The session layer: one connection's conversation, seen from either end — the frontend connection and the host with its dispatch.

pub(crate) mod connection;
pub(crate) mod host;
pub(crate) mod items;
