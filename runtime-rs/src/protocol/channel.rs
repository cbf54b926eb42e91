//! A channel as generated code declares it: its name, schema hash and wire schema.

use std::sync::Arc;

use crate::protocol::compat;

/// A channel, and the schema hash and wire schema the compiler emitted for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChannelSpec {
    /// The channel name, e.g. `"my-interface-v1.2"`.
    pub channel: &'static str,
    /// The schema hash of the interface or notifications block.
    pub schema_hash: &'static str,
    /// The channel's wire schema (JSON, docs/protocol.md "Wire schemas"), with which a backend
    /// tells which members of a frontend of another version still work. Empty when unknown:
    /// then any difference of hashes mismatches the whole channel.
    pub wire_schema: &'static str,
}

impl ChannelSpec {
    /// The channel's wire schema as a frontend announces it in its `hello` (only the types the
    /// channel reaches), or `None` when the spec has none this runtime can read.
    pub fn hello_schema(&self) -> Option<Arc<str>> {
        compat::hello_schema(self)
    }
}
