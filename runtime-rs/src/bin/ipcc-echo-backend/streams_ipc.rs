// The Rust `ipcc` emits for this streaming interface, written out by hand on
// the runtime's stream API (docs/generated-code.md, "Streams"); shared by the echo backend and
// this crate's tests (`#[path]`). The schema hash is a fixed test value.
//
// ```ipc
// @channel("streams-test-v1")
// interface StreamsTest {
//   count(n: u32): AsyncIterable<u32>;
//   sum(values: AsyncIterable<u32>): Promise<f64>;
//   echo(items: AsyncIterable<string>): AsyncIterable<string>;
//   failAfter(n: u32): AsyncIterable<u32> throws StreamsTestError;
//   hang(): AsyncIterable<u32>;
//   take(n: u32, items: AsyncIterable<u32>): Promise<u32>;
//   hold(n: u32, items: AsyncIterable<u32>): Promise<u32>;
// }
// union StreamsTestError { failed { after: u32; } }
// ```

pub const STREAMS_CHANNEL: &str = "streams-test-v1";
pub const STREAMS_SCHEMA_HASH: &str = "streams-hash-1";
pub const STREAMS_SPEC: ::ipcc_runtime::codegen::ChannelSpec =
    ::ipcc_runtime::codegen::ChannelSpec {
        channel: STREAMS_CHANNEL,
        schema_hash: STREAMS_SCHEMA_HASH,
        wire_schema: "",
    };

#[derive(
    Debug,
    Clone,
    PartialEq,
    ::ipcc_runtime::codegen::Serialize,
    ::ipcc_runtime::codegen::Deserialize,
)]
#[serde(crate = "::ipcc_runtime::codegen::serde", tag = "kind")]
pub enum StreamsTestError {
    #[serde(rename = "failed")]
    Failed { after: u32 },
}

type Same = ::ipcc_runtime::codegen::serde_with::Same;

/// The streaming test interface.
pub trait StreamsTest: Send + Sync + 'static {
    fn count(
        &self,
        ctx: ::ipcc_runtime::codegen::CallContext,
        n: u32,
    ) -> impl ::ipcc_runtime::codegen::Stream<
        Item = Result<u32, ::ipcc_runtime::codegen::HandlerError>,
    > + Send;
    fn sum(
        &self,
        ctx: ::ipcc_runtime::codegen::CallContext,
        values: ::ipcc_runtime::codegen::ItemStream<u32>,
    ) -> impl ::std::future::Future<Output = Result<f64, ::ipcc_runtime::codegen::HandlerError>> + Send;
    fn echo(
        &self,
        ctx: ::ipcc_runtime::codegen::CallContext,
        items: ::ipcc_runtime::codegen::ItemStream<String>,
    ) -> impl ::ipcc_runtime::codegen::Stream<
        Item = Result<String, ::ipcc_runtime::codegen::HandlerError>,
    > + Send;
    fn fail_after(
        &self,
        ctx: ::ipcc_runtime::codegen::CallContext,
        n: u32,
    ) -> impl ::ipcc_runtime::codegen::Stream<Item = Result<u32, StreamsTestError>> + Send;
    fn hang(
        &self,
        ctx: ::ipcc_runtime::codegen::CallContext,
    ) -> impl ::ipcc_runtime::codegen::Stream<
        Item = Result<u32, ::ipcc_runtime::codegen::HandlerError>,
    > + Send;
    fn take(
        &self,
        ctx: ::ipcc_runtime::codegen::CallContext,
        n: u32,
        items: ::ipcc_runtime::codegen::ItemStream<u32>,
    ) -> impl ::std::future::Future<Output = Result<u32, ::ipcc_runtime::codegen::HandlerError>> + Send;
    fn hold(
        &self,
        ctx: ::ipcc_runtime::codegen::CallContext,
        n: u32,
        items: ::ipcc_runtime::codegen::ItemStream<u32>,
    ) -> impl ::std::future::Future<Output = Result<u32, ::ipcc_runtime::codegen::HandlerError>> + Send;
}

pub fn register_streams_test<H: StreamsTest>(
    host: &::ipcc_runtime::codegen::IpcHost,
    handler: H,
) -> ::ipcc_runtime::codegen::Registration {
    host.register(
        STREAMS_SPEC,
        ::std::sync::Arc::new(StreamsTestDispatch(::std::sync::Arc::new(handler))),
    )
}

struct StreamsTestDispatch<H>(::std::sync::Arc<H>);

impl<H: StreamsTest> ::ipcc_runtime::codegen::Dispatch for StreamsTestDispatch<H> {
    fn streams(&self, method: &str) -> Option<::ipcc_runtime::codegen::Streams> {
        use ::ipcc_runtime::codegen::Streams;
        match method {
            "count" | "failAfter" | "hang" => Some(Streams::OUTPUT),
            "sum" | "take" | "hold" => Some(Streams::INPUT),
            "echo" => Some(Streams::BOTH),
            _ => None,
        }
    }

    fn dispatch(
        &self,
        ctx: ::ipcc_runtime::codegen::CallContext,
        method: &str,
        args: ::ipcc_runtime::codegen::Args,
    ) -> ::ipcc_runtime::codegen::BoxFuture<::ipcc_runtime::codegen::Reply> {
        let handler = self.0.clone();
        match method {
            "sum" => Box::pin(async move {
                let mut args = args;
                let values = args.next_stream::<u32, Same>("values")?;
                args.finish()?;
                match handler.sum(ctx, values).await {
                    Ok(value) => ::ipcc_runtime::codegen::encode_result::<
                        f64,
                        ::ipcc_runtime::codegen::wire::Float,
                    >(value),
                    Err(error) => Err(error.into_ipc_error()),
                }
            }),
            "take" | "hold" => {
                let hold = method == "hold";
                Box::pin(async move {
                    let mut args = args;
                    let n = args.next::<u32, Same>("n")?;
                    let items = args.next_stream::<u32, Same>("items")?;
                    args.finish()?;
                    let outcome = if hold {
                        handler.hold(ctx, n, items).await
                    } else {
                        handler.take(ctx, n, items).await
                    };
                    match outcome {
                        Ok(value) => ::ipcc_runtime::codegen::encode_result::<u32, Same>(value),
                        Err(error) => Err(error.into_ipc_error()),
                    }
                })
            }
            _ => ::ipcc_runtime::codegen::unknown_method(method),
        }
    }

    fn dispatch_stream(
        &self,
        ctx: ::ipcc_runtime::codegen::CallContext,
        method: &str,
        args: ::ipcc_runtime::codegen::Args,
    ) -> ::ipcc_runtime::codegen::ItemSource {
        let handler = self.0.clone();
        match method {
            "count" => ::ipcc_runtime::codegen::item_stream(move |mut sink| async move {
                let mut args = args;
                let n = args.next::<u32, Same>("n")?;
                args.finish()?;
                sink.forward::<u32, Same, _, _>(
                    handler.count(ctx, n),
                    |e: ::ipcc_runtime::codegen::HandlerError| e.into_ipc_error(),
                )
                .await
            }),
            "echo" => ::ipcc_runtime::codegen::item_stream(move |mut sink| async move {
                let mut args = args;
                let items = args.next_stream::<String, Same>("items")?;
                args.finish()?;
                sink.forward::<String, Same, _, _>(
                    handler.echo(ctx, items),
                    |e: ::ipcc_runtime::codegen::HandlerError| e.into_ipc_error(),
                )
                .await
            }),
            "failAfter" => ::ipcc_runtime::codegen::item_stream(move |mut sink| async move {
                let mut args = args;
                let n = args.next::<u32, Same>("n")?;
                args.finish()?;
                sink.forward::<u32, Same, _, _>(handler.fail_after(ctx, n), |e| {
                    ::ipcc_runtime::codegen::declared_error(&e)
                })
                .await
            }),
            "hang" => ::ipcc_runtime::codegen::item_stream(move |mut sink| async move {
                let args = args;
                args.finish()?;
                sink.forward::<u32, Same, _, _>(
                    handler.hang(ctx),
                    |e: ::ipcc_runtime::codegen::HandlerError| e.into_ipc_error(),
                )
                .await
            }),
            _ => ::ipcc_runtime::codegen::item_stream(move |_sink| {
                let error = ::ipcc_runtime::codegen::IpcError::new(
                    ::ipcc_runtime::codegen::ErrorCode::UnknownMethod,
                    format!("unknown method `{method}`"),
                );
                async move { Err(error) }
            }),
        }
    }
}

/// Calls `StreamsTest` on a connection.
#[derive(Clone)]
pub struct StreamsTestClient {
    conn: ::ipcc_runtime::codegen::IpcConnection,
    options: ::ipcc_runtime::codegen::CallOptions,
}

impl StreamsTestClient {
    pub fn new(conn: &::ipcc_runtime::codegen::IpcConnection) -> Self {
        Self {
            conn: conn.clone(),
            options: ::ipcc_runtime::codegen::CallOptions::default(),
        }
    }

    pub fn with_options(&self, options: ::ipcc_runtime::codegen::CallOptions) -> Self {
        Self {
            conn: self.conn.clone(),
            options,
        }
    }

    fn output<T>(
        &self,
        method: &str,
        args: Result<Vec<::ipcc_runtime::codegen::Payload>, ::ipcc_runtime::codegen::IpcError>,
        input: Option<::ipcc_runtime::codegen::ItemSource>,
    ) -> ::ipcc_runtime::codegen::CallStream {
        let _ = ::std::marker::PhantomData::<T>;
        match args {
            Ok(args) => self
                .conn
                .call_stream(STREAMS_CHANNEL, method, args, input, &self.options),
            Err(error) => ::ipcc_runtime::codegen::CallStream::failed(error),
        }
    }

    pub fn count(&self, n: u32) -> ::ipcc_runtime::codegen::DecodedItems<u32> {
        let args = ::ipcc_runtime::codegen::encode_arg::<u32, Same>(n).map(|n| vec![n]);
        ::ipcc_runtime::codegen::decode_items::<u32, Same>(self.output::<u32>("count", args, None))
    }

    pub async fn sum(
        &self,
        values: impl ::ipcc_runtime::codegen::Stream<Item = u32> + Send + 'static,
    ) -> Result<f64, ::ipcc_runtime::codegen::IpcError> {
        let args = vec![::ipcc_runtime::codegen::stream_slot()];
        let input = ::ipcc_runtime::codegen::encode_items::<u32, Same, _>(values);
        let value = self
            .conn
            .call_with_input(STREAMS_CHANNEL, "sum", args, input, &self.options)
            .await?;
        ::ipcc_runtime::codegen::decode_result::<f64, ::ipcc_runtime::codegen::wire::Float>(value)
    }

    pub fn echo(
        &self,
        items: impl ::ipcc_runtime::codegen::Stream<Item = String> + Send + 'static,
    ) -> ::ipcc_runtime::codegen::DecodedItems<String> {
        let args = Ok(vec![::ipcc_runtime::codegen::stream_slot()]);
        let input = ::ipcc_runtime::codegen::encode_items::<String, Same, _>(items);
        ::ipcc_runtime::codegen::decode_items::<String, Same>(self.output::<String>(
            "echo",
            args,
            Some(input),
        ))
    }

    pub fn fail_after(&self, n: u32) -> ::ipcc_runtime::codegen::DecodedItems<u32> {
        let args = ::ipcc_runtime::codegen::encode_arg::<u32, Same>(n).map(|n| vec![n]);
        ::ipcc_runtime::codegen::decode_items::<u32, Same>(self.output::<u32>(
            "failAfter",
            args,
            None,
        ))
    }

    pub fn hang(&self) -> ::ipcc_runtime::codegen::DecodedItems<u32> {
        ::ipcc_runtime::codegen::decode_items::<u32, Same>(self.output::<u32>(
            "hang",
            Ok(Vec::new()),
            None,
        ))
    }

    pub async fn take(
        &self,
        n: u32,
        items: impl ::ipcc_runtime::codegen::Stream<Item = u32> + Send + 'static,
    ) -> Result<u32, ::ipcc_runtime::codegen::IpcError> {
        self.input_call("take", n, items).await
    }

    pub async fn hold(
        &self,
        n: u32,
        items: impl ::ipcc_runtime::codegen::Stream<Item = u32> + Send + 'static,
    ) -> Result<u32, ::ipcc_runtime::codegen::IpcError> {
        self.input_call("hold", n, items).await
    }

    async fn input_call(
        &self,
        method: &str,
        n: u32,
        items: impl ::ipcc_runtime::codegen::Stream<Item = u32> + Send + 'static,
    ) -> Result<u32, ::ipcc_runtime::codegen::IpcError> {
        let args = vec![
            ::ipcc_runtime::codegen::encode_arg::<u32, Same>(n)?,
            ::ipcc_runtime::codegen::stream_slot(),
        ];
        let input = ::ipcc_runtime::codegen::encode_items::<u32, Same, _>(items);
        let value = self
            .conn
            .call_with_input(STREAMS_CHANNEL, method, args, input, &self.options)
            .await?;
        ::ipcc_runtime::codegen::decode_result::<u32, Same>(value)
    }
}
