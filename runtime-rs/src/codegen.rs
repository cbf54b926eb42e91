//! Everything generated Rust code names, and nothing else: `::ipcc_runtime::codegen::*`.
//!
//! Generated code uses absolute paths into this module only, so a backend depends on
//! `ipcc-runtime` alone (serde and serde_with are re-exported). The contract is
//! `docs/generated-code.md`. It defines nothing: every item lives in the layer it belongs to
//! (ARCHITECTURE.md, "Runtime layers").

pub use serde;
pub use serde::{Deserialize, Serialize};
pub use serde_json;
pub use serde_json::value::RawValue;
pub use serde_with;
pub use serde_with::serde_as;

pub use futures_util::stream::{Stream, StreamExt};

// Std items under short names: generated code reaches them as `ipcc_rt::String` and so on
// through one module-level alias, which user types called `String` or `Result` cannot shadow.
pub use std::boxed::Box;
pub use std::clone::Clone;
pub use std::collections::BTreeMap;
pub use std::convert::{From, Into};
pub use std::default::Default;
pub use std::future::Future;
pub use std::iter::Iterator;
pub use std::marker::{Send, Sync, Unpin};
pub use std::option::Option::{self, None, Some};
pub use std::result::Result::{self, Err, Ok};
pub use std::string::String;
pub use std::sync::Arc;
pub use std::vec::Vec;

pub use crate::binding::generated_support::{
    call, call_declared, call_stream, declared_item, failure, reply, CallItems, Called, Handled,
    HandledItems, HandlerFailure,
};

pub use crate::protocol::args::{
    declared_error, decode_result, decode_value, encode_arg, encode_result, encode_value,
    stream_slot, unknown_method, unknown_notification, Args, BoxFuture, Reply,
};
pub use crate::protocol::binary::Payload;
pub use crate::protocol::channel::ChannelSpec;
pub use crate::protocol::error::{CallError, ErrorCode, HandlerError, IpcError, Raised};
pub use crate::protocol::items::{encode_items, item_stream, ItemSink, ItemStream};
pub use crate::protocol::stream::{InputStream, ItemSource, Streams};
pub use crate::protocol::wire;
pub use crate::session::connection::{
    CallOptions, CallStream, ConnectOptions, IpcConnection, ListenerHandle,
};
pub use crate::session::host::{
    CallContext, ConnectionId, Dispatch, IpcHost, NotifyTarget, Registration,
};
pub use crate::session::items::{decode_items, DecodedItems};
