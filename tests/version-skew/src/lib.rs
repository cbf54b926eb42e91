//! Both versions of the version-skew interface, and the backend built from the newer one.
//!
//! `v2` is what the backend serves (`src/main.rs`); `v1` is what an older frontend was generated
//! from, used by the tests as the stale client.

/// Generated from `v2/app.ipc`: the backend's version.
#[allow(dead_code)]
pub mod v2 {
    include!(concat!(env!("OUT_DIR"), "/v2/app.rs"));
}

/// Generated from `v1/app.ipc`: the older frontend's version.
#[allow(dead_code)]
pub mod v1 {
    include!(concat!(env!("OUT_DIR"), "/v1/app.rs"));
}

use ipcc_runtime::{CallContext, HandlerError, IpcHost, Registration};

/// Serves `v2`'s `Orders`: every id names an order of one item.
pub struct OrdersBackend;

impl v2::Orders for OrdersBackend {
    async fn get_order(&self, _ctx: CallContext, id: String) -> Result<v2::Order, HandlerError> {
        Ok(v2::Order {
            item: format!("item of order {id}"),
            id,
            quantity: 1,
        })
    }
}

/// Serves `Clock`, the channel that did not change.
pub struct ClockBackend;

impl v2::Clock for ClockBackend {
    async fn echo(&self, _ctx: CallContext, text: String) -> Result<String, HandlerError> {
        Ok(text)
    }

    async fn add(&self, _ctx: CallContext, a: i32, b: i32) -> Result<i32, HandlerError> {
        a.checked_add(b)
            .ok_or_else(|| HandlerError::new(format!("{a} + {b} overflows i32")))
    }
}

/// Mounts both channels of `v2` on `host`; they stay registered while the registrations live.
pub fn register_v2(host: &IpcHost) -> Vec<Registration> {
    vec![
        v2::register_orders(host, OrdersBackend),
        v2::register_clock(host, ClockBackend),
    ]
}
