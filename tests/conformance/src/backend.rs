//! The Rust host of `Conformance`: echoes every value, records `record` entries, divides with a
//! declared error, and pushes `ConformanceEvents` on `emit` (the behaviour `ts/src/backend.ts`
//! has too).

use std::collections::BTreeMap;
use std::sync::Mutex;

use ipcc_runtime::{CallContext, HandlerError, Raised};

use crate::fixtures;
use crate::generated::*;

/// Serves `Conformance`; one per host, shared by its connections.
#[derive(Default)]
pub struct ConformanceBackend {
    recorded: Mutex<Vec<String>>,
}

type Answer<T> = Result<T, HandlerError>;

impl Conformance for ConformanceBackend {
    async fn echo_bool(&self, _: CallContext, value: bool) -> Answer<bool> {
        Ok(value)
    }
    async fn echo_boolean(&self, _: CallContext, value: bool) -> Answer<bool> {
        Ok(value)
    }
    async fn echo_i8(&self, _: CallContext, value: i8) -> Answer<i8> {
        Ok(value)
    }
    async fn echo_i16(&self, _: CallContext, value: i16) -> Answer<i16> {
        Ok(value)
    }
    async fn echo_i32(&self, _: CallContext, value: i32) -> Answer<i32> {
        Ok(value)
    }
    async fn echo_i64(&self, _: CallContext, value: i64) -> Answer<i64> {
        Ok(value)
    }
    async fn echo_u8(&self, _: CallContext, value: u8) -> Answer<u8> {
        Ok(value)
    }
    async fn echo_u16(&self, _: CallContext, value: u16) -> Answer<u16> {
        Ok(value)
    }
    async fn echo_u32(&self, _: CallContext, value: u32) -> Answer<u32> {
        Ok(value)
    }
    async fn echo_u64(&self, _: CallContext, value: u64) -> Answer<u64> {
        Ok(value)
    }
    async fn echo_f32(&self, _: CallContext, value: f32) -> Answer<f32> {
        Ok(value)
    }
    async fn echo_f64(&self, _: CallContext, value: f64) -> Answer<f64> {
        Ok(value)
    }
    async fn echo_number(&self, _: CallContext, value: f64) -> Answer<f64> {
        Ok(value)
    }
    async fn echo_string(&self, _: CallContext, value: String) -> Answer<String> {
        Ok(value)
    }
    async fn echo_bytes(&self, _: CallContext, value: Vec<u8>) -> Answer<Vec<u8>> {
        Ok(value)
    }
    async fn echo_color(&self, _: CallContext, value: Color) -> Answer<Color> {
        Ok(value)
    }
    async fn echo_id(&self, _: CallContext, value: Id) -> Answer<Id> {
        Ok(value)
    }
    async fn echo_tags(&self, _: CallContext, value: Tags) -> Answer<Tags> {
        Ok(value)
    }
    async fn echo_blob(&self, _: CallContext, value: Blob) -> Answer<Blob> {
        Ok(value)
    }
    async fn echo_maybe_string(
        &self,
        _: CallContext,
        value: Option<String>,
    ) -> Answer<Option<String>> {
        Ok(value)
    }
    async fn echo_maybe_shape(
        &self,
        _: CallContext,
        value: Option<Shape>,
    ) -> Answer<Option<Shape>> {
        Ok(value)
    }
    async fn echo_string_map(
        &self,
        _: CallContext,
        value: BTreeMap<String, i64>,
    ) -> Answer<BTreeMap<String, i64>> {
        Ok(value)
    }
    async fn echo_int_map(
        &self,
        _: CallContext,
        value: BTreeMap<u32, String>,
    ) -> Answer<BTreeMap<u32, String>> {
        Ok(value)
    }
    async fn echo_bytes_map(
        &self,
        _: CallContext,
        value: BTreeMap<String, Vec<u8>>,
    ) -> Answer<BTreeMap<String, Vec<u8>>> {
        Ok(value)
    }
    async fn echo_matrix(&self, _: CallContext, value: Vec<Vec<i32>>) -> Answer<Vec<Vec<i32>>> {
        Ok(value)
    }
    async fn echo_scalars(&self, _: CallContext, value: Scalars) -> Answer<Scalars> {
        Ok(value)
    }
    async fn echo_point(&self, _: CallContext, value: Point) -> Answer<Point> {
        Ok(value)
    }
    async fn echo_shape(&self, _: CallContext, value: Shape) -> Answer<Shape> {
        Ok(value)
    }
    async fn echo_tree(&self, _: CallContext, value: Tree) -> Answer<Tree> {
        Ok(value)
    }
    async fn echo_expr(&self, _: CallContext, value: Expr) -> Answer<Expr> {
        Ok(value)
    }
    async fn echo_optionals(&self, _: CallContext, value: Optionals) -> Answer<Optionals> {
        Ok(value)
    }
    async fn echo_nested(&self, _: CallContext, value: Nested) -> Answer<Nested> {
        Ok(value)
    }
    async fn echo_batch(&self, _: CallContext, batch: Batch) -> Answer<Batch> {
        Ok(batch)
    }
    #[allow(clippy::too_many_arguments)]
    async fn echo_many(
        &self,
        _: CallContext,
        flag: bool,
        count: u64,
        ratio: f64,
        name: String,
        color: Color,
        shape: Shape,
    ) -> Answer<ManyArgs> {
        Ok(ManyArgs {
            flag,
            count,
            ratio,
            name,
            color,
            shape,
        })
    }
    async fn optional_args(
        &self,
        _: CallContext,
        required: i64,
        text: Option<String>,
        shape: Option<Shape>,
    ) -> Answer<ArgsSeen> {
        Ok(ArgsSeen {
            required,
            text,
            shape,
        })
    }
    async fn record(&self, _: CallContext, entry: String) -> Answer<()> {
        self.recorded
            .lock()
            .map_err(|_| "the record list is poisoned")?
            .push(entry);
        Ok(())
    }
    async fn recorded(&self, _: CallContext) -> Answer<Vec<String>> {
        Ok(self
            .recorded
            .lock()
            .map_err(|_| "the record list is poisoned")?
            .clone())
    }
    async fn divide(
        &self,
        _: CallContext,
        dividend: i64,
        divisor: i64,
    ) -> Result<i64, Raised<MathError>> {
        if divisor == 0 {
            return Err(MathError::DivideByZero.into());
        }
        Ok(dividend
            .checked_div(divisor)
            .ok_or(MathError::Overflow { dividend, divisor })?)
    }
    async fn emit(&self, ctx: CallContext, count: u32, label: String) -> Answer<u32> {
        // To the caller only; all sent before the result, so the caller sees them first.
        let events = ConformanceEventsSender::to(ctx.host(), ctx.connection());
        for index in 0..count {
            events.tick(index, label.clone())?;
        }
        events.shape(fixtures::emitted_shape(), Some(label))?;
        events.shape(Shape::Empty, None)?;
        events.sample(fixtures::emitted_sample())?;
        events.done(count)?;
        Ok(count)
    }
}
