//! The `Echo` backend of the conformance vectors (behaviour: tests/vectors/README.md).

use ipcc_runtime::{CallContext, HandlerError, Raised};

use super::vectors_ipc::{Echo, EchoError, EchoEventsSender, Person};

/// Implements `Echo` as the vectors' README specifies.
pub struct EchoBackend;

impl Echo for EchoBackend {
    async fn echo_string(&self, _ctx: CallContext, value: String) -> Result<String, HandlerError> {
        Ok(value)
    }

    async fn echo_i64(&self, _ctx: CallContext, value: i64) -> Result<i64, HandlerError> {
        Ok(value)
    }

    async fn echo_f64(&self, _ctx: CallContext, value: f64) -> Result<f64, HandlerError> {
        Ok(value)
    }

    async fn echo_bytes(&self, _ctx: CallContext, value: Vec<u8>) -> Result<Vec<u8>, HandlerError> {
        Ok(value)
    }

    async fn echo_person(&self, _ctx: CallContext, value: Person) -> Result<Person, HandlerError> {
        Ok(value)
    }

    async fn echo_optional(
        &self,
        _ctx: CallContext,
        value: Option<String>,
    ) -> Result<Option<String>, HandlerError> {
        Ok(value)
    }

    async fn add(&self, _ctx: CallContext, a: i32, b: i32) -> Result<i32, HandlerError> {
        a.checked_add(b)
            .ok_or_else(|| HandlerError::new(format!("{a} + {b} overflows i32")))
    }

    async fn fail(&self, _ctx: CallContext, how: String) -> Result<(), Raised<EchoError>> {
        match how.as_str() {
            "declared" => Err(EchoError::Failed {
                reason: "asked".to_owned(),
            }
            .into()),
            "denied" => Err(EchoError::Denied.into()),
            "panic" => panic!("asked to panic"),
            _ => Ok(()),
        }
    }

    async fn wait(&self, ctx: CallContext) -> Result<(), HandlerError> {
        ctx.cancelled().await;
        Ok(())
    }

    async fn notify_me(&self, ctx: CallContext, count: u32) -> Result<(), HandlerError> {
        let events = EchoEventsSender::to(ctx.host(), ctx.connection());
        for n in 1..=count {
            events
                .tick(n)
                .map_err(|e| HandlerError::new(e.to_string()))?;
            // Sending only queues: on the current-thread runtime the connection's writer runs
            // when this handler yields, so without this the first of 100,000 notifications
            // left after the last was made (docs/benchmarks.md, issue 13's pushes).
            if n % 256 == 0 {
                tokio::task::yield_now().await;
            }
        }
        Ok(())
    }

    async fn big(&self, _ctx: CallContext, size: u32) -> Result<String, HandlerError> {
        Ok("x".repeat(size as usize))
    }
}
