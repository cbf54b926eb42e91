//! The backend's handlers: the reference `MyInterface` and the app's `Items`, which pushes
//! `AppEvents` to the pages.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use ipcc_runtime::{CallContext, ConnectionId, HandlerError, Raised};

use crate::timestamp::now_rfc3339;
use crate::web_app::{AddItemError, AppEventsSender, Item, Items, MyInterface, Priority};

/// The longest item text accepted, in characters.
pub const MAX_TEXT_CHARS: u32 = 200;
/// The most items the list holds, so a page cannot grow the backend's memory without bound.
pub const MAX_ITEMS: u32 = 100;
/// The tick interval's bounds in milliseconds; a requested interval is clamped to them.
pub const TICK_INTERVAL_MS: std::ops::RangeInclusive<u32> = 100..=60_000;

/// Locks `mutex`, carrying on if a panicking thread poisoned it (the data stays consistent:
/// every critical section here is a single push, insert or remove).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The reference article's greeting.
pub struct Greeter;

impl MyInterface for Greeter {
    async fn say_hello(
        &self,
        _ctx: CallContext,
        arg1: String,
        arg2: f64,
        arg3: bool,
    ) -> Result<String, HandlerError> {
        Ok(format!("hello: {arg1} {} {arg3}", js_number(arg2)))
    }
}

/// Formats a number as JavaScript's template literals do (`10`, `0.5`, `Infinity`), so the
/// greeting reads the same as the reference article's TypeScript backend.
fn js_number(n: f64) -> String {
    match n {
        n if n.is_nan() => "NaN".into(),
        f64::INFINITY => "Infinity".into(),
        f64::NEG_INFINITY => "-Infinity".into(),
        0.0 => "0".into(), // -0 too
        n => n.to_string(),
    }
}

/// A running tick clock of one connection.
struct Ticker {
    /// Tells this clock from a later one of the same connection, so an ending task removes
    /// only its own entry.
    generation: u64,
    task: tokio::task::AbortHandle,
}

/// The item list and the per-page tick clocks.
pub struct ItemList {
    items: Mutex<Vec<Item>>,
    /// `itemAdded` goes to every page.
    everyone: AppEventsSender,
    tickers: Arc<Mutex<HashMap<ConnectionId, Ticker>>>,
    generations: AtomicU64,
}

impl ItemList {
    /// An empty list announcing new items through `everyone`.
    pub fn new(everyone: AppEventsSender) -> ItemList {
        ItemList {
            items: Mutex::new(Vec::new()),
            everyone,
            tickers: Arc::new(Mutex::new(HashMap::new())),
            generations: AtomicU64::new(0),
        }
    }

    /// Stops the clock of `connection`; whether one was running.
    fn stop_ticks(&self, connection: ConnectionId) -> bool {
        match lock(&self.tickers).remove(&connection) {
            Some(ticker) => {
                ticker.task.abort();
                true
            }
            None => false,
        }
    }
}

impl Items for ItemList {
    async fn add_item(
        &self,
        _ctx: CallContext,
        text: String,
        priority: Priority,
    ) -> Result<Item, Raised<AddItemError>> {
        let text = text.trim();
        if text.is_empty() {
            return Err(AddItemError::EmptyText.into());
        }
        if text.chars().count() > MAX_TEXT_CHARS as usize {
            return Err(AddItemError::TooLong {
                max: MAX_TEXT_CHARS,
            }
            .into());
        }
        let item = {
            let mut items = lock(&self.items);
            if items.len() >= MAX_ITEMS as usize {
                return Err(AddItemError::ListFull { max: MAX_ITEMS }.into());
            }
            let item = Item {
                id: items.len() as u32 + 1,
                text: text.to_owned(),
                priority,
                added_at: now_rfc3339(),
            };
            items.push(item.clone());
            item
        };
        // Failing only for an oversize message, which a 200-character item cannot make.
        if let Err(error) = self.everyone.item_added(item.clone()) {
            eprintln!("web-app-backend: itemAdded not sent: {error}");
        }
        Ok(item)
    }

    async fn list_items(&self, _ctx: CallContext) -> Result<Vec<Item>, HandlerError> {
        Ok(lock(&self.items).clone())
    }

    async fn subscribe_ticks(
        &self,
        ctx: CallContext,
        interval_ms: u32,
    ) -> Result<(), HandlerError> {
        let connection = ctx.connection();
        let interval_ms = interval_ms.clamp(*TICK_INTERVAL_MS.start(), *TICK_INTERVAL_MS.end());
        let sender = AppEventsSender::to(ctx.host(), connection);
        let generation = self.generations.fetch_add(1, Ordering::Relaxed);
        let tickers = Arc::clone(&self.tickers);
        // Held across the spawn so the task cannot look for its entry before it is inserted.
        let mut running = lock(&self.tickers);
        let task = tokio::spawn(async move {
            let period = Duration::from_millis(u64::from(interval_ms));
            let mut clock = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
            let mut n: u32 = 0;
            loop {
                clock.tick().await;
                n = n.wrapping_add(1);
                // Fails once the page has gone (`disconnected`): the clock ends with it.
                if sender.tick(n, now_rfc3339()).is_err() {
                    break;
                }
            }
            let mut running = lock(&tickers);
            if running
                .get(&connection)
                .is_some_and(|t| t.generation == generation)
            {
                running.remove(&connection);
            }
        });
        let replaced = running.insert(
            connection,
            Ticker {
                generation,
                task: task.abort_handle(),
            },
        );
        if let Some(previous) = replaced {
            previous.task.abort();
        }
        Ok(())
    }

    async fn unsubscribe_ticks(&self, ctx: CallContext) -> Result<bool, HandlerError> {
        Ok(self.stop_ticks(ctx.connection()))
    }
}

#[cfg(test)]
mod tests {
    use super::js_number;

    #[test]
    fn numbers_read_as_in_javascript() {
        assert_eq!(js_number(10.0), "10");
        assert_eq!(js_number(-0.0), "0");
        assert_eq!(js_number(0.5), "0.5");
        assert_eq!(js_number(f64::INFINITY), "Infinity");
        assert_eq!(js_number(f64::NAN), "NaN");
    }
}
