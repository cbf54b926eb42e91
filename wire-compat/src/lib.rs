//! Wire compatibility of ipcc channels: what a channel looks like on the wire
//! ([`ChannelSchema`]), and whether a frontend built from one version of it can talk to a
//! backend built from another ([`judge`]).
//!
//! One implementation of the rules serves two users, so that they cannot disagree: the Rust
//! runtime's host judges every frontend in the handshake (docs/protocol.md, "Compatible
//! changes"), and `ipcc compat` classifies the changes between two versions of a contract
//! (docs/evolution.md). The TypeScript runtime carries a port of [`judge`] that replays the same
//! vectors (`tests/vectors/compat.json`).

mod judge;
mod read;
mod schema;

pub use judge::{
    judge, Finding, FindingKind, Judgement, Loc, MemberVerdict, Role, Side, TooComplex, Words,
    DEFAULT_BUDGET,
};
pub use schema::{
    format_of, ChannelEntry, ChannelKind, ChannelSchema, FieldSchema, MemberSchema, ParamSchema,
    Primitive, SchemaError, SchemaSet, TypeSchema, TypeShape, VariantSchema, WireType,
    SCHEMA_FORMAT, STREAMS_SCHEMA_FORMAT,
};
