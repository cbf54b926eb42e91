//! The handlers of the app's channels.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{self, Stream, StreamExt};
use ipcc_runtime::{CallContext, HandlerError, Raised};

use crate::tauri_app::{
    AppEventsSender, CounterError, JobError, JobProgress, MyInterface, TauriApp,
};

/// The most steps a job may have.
pub const MAX_JOB_STEPS: u32 = 10_000;

/// The reference article's greeting.
pub struct Greeter;

/// `hello: <arg1> <arg2> <arg3>`, the number written as JavaScript writes it.
pub fn greeting(arg1: &str, arg2: f64, arg3: bool) -> String {
    let number = if arg2.fract() == 0.0 && arg2.abs() < 1e15 {
        format!("{}", arg2 as i64)
    } else {
        arg2.to_string()
    };
    format!("hello: {arg1} {number} {arg3}")
}

impl MyInterface for Greeter {
    async fn say_hello(
        &self,
        _ctx: CallContext,
        arg1: String,
        arg2: f64,
        arg3: bool,
    ) -> Result<String, HandlerError> {
        Ok(greeting(&arg1, arg2, arg3))
    }
}

/// The app's own channel.
#[derive(Default)]
pub struct Backend {
    cancelled_waits: Arc<AtomicU32>,
    /// Steps made by the latest job.
    produced: Arc<AtomicU32>,
}

/// Counts a wait as cancelled when dropped before it finished (the host drops a cancelled
/// call's future).
struct WaitGuard {
    finished: bool,
    cancelled: Arc<AtomicU32>,
}

impl Drop for WaitGuard {
    fn drop(&mut self) {
        if !self.finished {
            self.cancelled.fetch_add(1, Ordering::SeqCst);
        }
    }
}

impl TauriApp for Backend {
    async fn add(&self, _ctx: CallContext, a: u64, b: u64) -> Result<u64, Raised<CounterError>> {
        a.checked_add(b)
            .ok_or_else(|| CounterError::Overflow { a, b }.into())
    }

    async fn wait(&self, ctx: CallContext, ms: u32) -> Result<bool, HandlerError> {
        let mut guard = WaitGuard {
            finished: false,
            cancelled: self.cancelled_waits.clone(),
        };
        tokio_sleep_or_cancel(&ctx, ms).await;
        guard.finished = !ctx.is_cancelled();
        Ok(guard.finished)
    }

    async fn cancelled_waits(&self, _ctx: CallContext) -> Result<u32, HandlerError> {
        Ok(self.cancelled_waits.load(Ordering::SeqCst))
    }

    async fn ticks(&self, ctx: CallContext, count: u32) -> Result<(), HandlerError> {
        let window = AppEventsSender::to(ctx.host(), ctx.connection());
        for n in 1..=count {
            window
                .tick(n)
                .map_err(|e| HandlerError::new(format!("tick {n} not sent: {e}")))?;
        }
        Ok(())
    }

    async fn byte_length(&self, _ctx: CallContext, data: Vec<u8>) -> Result<u64, HandlerError> {
        Ok(data.len() as u64)
    }

    async fn echo_bytes(&self, _ctx: CallContext, data: Vec<u8>) -> Result<Vec<u8>, HandlerError> {
        Ok(data)
    }

    fn run_job(
        &self,
        _ctx: CallContext,
        steps: u32,
    ) -> impl Stream<Item = Result<JobProgress, Raised<JobError>>> + Send {
        if !(1..=MAX_JOB_STEPS).contains(&steps) {
            let refused = Err(JobError::BadSteps { max: MAX_JOB_STEPS }.into());
            return stream::iter([refused]).left_stream();
        }
        let produced = self.produced.clone();
        produced.store(0, Ordering::SeqCst);
        // One step each time the host polls for an item, which it does only within the page's
        // credit: a page that reads slowly holds the job back.
        stream::unfold(0u32, move |done| {
            let produced = produced.clone();
            async move {
                if done == steps {
                    return None;
                }
                let done = done + 1;
                produced.store(done, Ordering::SeqCst);
                Some((Ok(JobProgress { done, steps }), done))
            }
        })
        .right_stream()
    }

    async fn job_produced(&self, _ctx: CallContext) -> Result<u32, HandlerError> {
        Ok(self.produced.load(Ordering::SeqCst))
    }
}

/// Sleeps `ms` milliseconds or until the call is cancelled.
async fn tokio_sleep_or_cancel(ctx: &CallContext, ms: u32) {
    let sleep = ipcc_runtime::tokio::time::sleep(Duration::from_millis(u64::from(ms)));
    ipcc_runtime::tokio::select! {
        _ = sleep => {}
        _ = ctx.cancelled() => {}
    }
}
