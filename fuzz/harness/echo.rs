//! The vectors' `Echo` backend (tests/vectors/README.md) on the code `ipcc` generates for
//! tests/vectors/vectors.ipc (`super::vectors`), bounded for fuzzing: `big` and `notifyMe` are
//! capped (a fuzzer asks for four billion of each), and `fail("panic")` does not panic
//! (libFuzzer counts a caught panic as a crash; the host's panic path has its own tests).

use ipcc_runtime::{CallContext, HandlerError, Raised};

use super::vectors::{Echo, EchoError, EchoEventsSender, Person};

/// The most `big` returns and `notifyMe` sends.
const CAP: u32 = 4096;

/// Implements `Echo` as the vectors' README specifies, within [`CAP`].
pub struct FuzzEcho;

impl Echo for FuzzEcho {
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
            _ => Ok(()),
        }
    }

    async fn wait(&self, ctx: CallContext) -> Result<(), HandlerError> {
        ctx.cancelled().await;
        Ok(())
    }

    async fn notify_me(&self, ctx: CallContext, count: u32) -> Result<(), HandlerError> {
        let events = EchoEventsSender::to(ctx.host(), ctx.connection());
        for n in 1..=count.min(CAP) {
            events
                .tick(n)
                .map_err(|e| HandlerError::new(e.to_string()))?;
        }
        Ok(())
    }

    async fn big(&self, _ctx: CallContext, size: u32) -> Result<String, HandlerError> {
        Ok("x".repeat(size.min(CAP) as usize))
    }
}
