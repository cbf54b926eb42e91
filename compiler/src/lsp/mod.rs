//! `ipcc lsp`: a Language Server over stdio, on rust-analyzer's `lsp-server` scaffold and the
//! `lsp-types` protocol types (docs/editors.md).
//!
//! It shares the compiler's front end: every answer comes from [`crate::analyze`] (the check
//! and its analysis index) over the open documents' texts, so there is no second parser.
//! [`Server`] is a state machine (messages in, messages out); [`run_stdio`] is the transport.

mod convert;
mod documents;
mod features;
mod server;
mod transport;

pub use server::{Server, TEST_PANIC_REQUEST, TEST_PANIC_VARIABLE};
pub use transport::run_stdio;
