//! The protocol layer: what both ends share above the bytes — messages, wire values, errors, argument encoding, channel specs, the stream bookkeeping and the write queue.

pub(crate) mod args;
pub(crate) mod binary;
pub(crate) mod call_scan;
pub(crate) mod channel;
pub(crate) mod compat;
pub(crate) mod error;
pub(crate) mod items;
pub(crate) mod message;
pub(crate) mod outbox;
pub(crate) mod stream;
pub mod wire;

use std::sync::{Mutex, MutexGuard};

/// Locks a mutex, ignoring poisoning: every critical section here leaves the data consistent.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
