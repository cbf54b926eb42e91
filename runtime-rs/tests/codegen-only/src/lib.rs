//! Generated code, included as build scripts include it, in a crate whose only dependency is
//! ipcc-runtime.
#![deny(warnings)]

include!("vectors_ipc.rs");
