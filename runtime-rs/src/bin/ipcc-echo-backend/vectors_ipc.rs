// The Rust an ipcc generator emits for tests/vectors/vectors.ipc, written out by hand in the
// exact shape of docs/generated-code.md. Shared by the echo backend and this crate's tests
// (`#[path]`), so the runtime is exercised through the same surface generated code uses.
// The schema hashes are the fixed test values of tests/vectors/messages.json.

pub const ECHO_CHANNEL: &str = "ipcc-vectors-echo-v1";
pub const ECHO_SCHEMA_HASH: &str = "echo-hash-1";
pub const ECHO_SPEC: ::ipcc_runtime::codegen::ChannelSpec = ::ipcc_runtime::codegen::ChannelSpec {
    channel: ECHO_CHANNEL,
    schema_hash: ECHO_SCHEMA_HASH,
    wire_schema: "",
};
pub const ECHO_EVENTS_CHANNEL: &str = "ipcc-vectors-events-v1";
pub const ECHO_EVENTS_SCHEMA_HASH: &str = "events-hash-1";
pub const ECHO_EVENTS_SPEC: ::ipcc_runtime::codegen::ChannelSpec =
    ::ipcc_runtime::codegen::ChannelSpec {
        channel: ECHO_EVENTS_CHANNEL,
        schema_hash: ECHO_EVENTS_SCHEMA_HASH,
        wire_schema: "",
    };

/// A struct with every kind of field: an i64 string, an optional, an array and bytes.
#[::ipcc_runtime::codegen::serde_as(crate = "::ipcc_runtime::codegen::serde_with")]
#[derive(
    Debug,
    Clone,
    PartialEq,
    ::ipcc_runtime::codegen::Serialize,
    ::ipcc_runtime::codegen::Deserialize,
)]
#[serde(crate = "::ipcc_runtime::codegen::serde")]
pub struct Person {
    #[serde_as(as = "::ipcc_runtime::codegen::wire::Int")]
    pub id: i64,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<u32>,
    pub tags: Vec<String>,
    #[serde_as(as = "::ipcc_runtime::codegen::wire::Base64")]
    pub avatar: Vec<u8>,
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    ::ipcc_runtime::codegen::Serialize,
    ::ipcc_runtime::codegen::Deserialize,
)]
#[serde(crate = "::ipcc_runtime::codegen::serde")]
pub enum Mood {
    #[serde(rename = "happy")]
    Happy,
    #[serde(rename = "sad")]
    Sad,
}

#[::ipcc_runtime::codegen::serde_as(crate = "::ipcc_runtime::codegen::serde_with")]
#[derive(
    Debug,
    Clone,
    PartialEq,
    ::ipcc_runtime::codegen::Serialize,
    ::ipcc_runtime::codegen::Deserialize,
)]
#[serde(crate = "::ipcc_runtime::codegen::serde", tag = "kind")]
pub enum Shape {
    #[serde(rename = "circle")]
    Circle {
        #[serde_as(as = "::ipcc_runtime::codegen::wire::Float")]
        radius: f64,
    },
    #[serde(rename = "rect")]
    Rect {
        #[serde_as(as = "::ipcc_runtime::codegen::wire::Float")]
        w: f64,
        #[serde_as(as = "::ipcc_runtime::codegen::wire::Float")]
        h: f64,
    },
    #[serde(rename = "empty")]
    Empty,
}

/// A recursive union: nesting goes through an array and an optional union.
#[::ipcc_runtime::codegen::serde_as(crate = "::ipcc_runtime::codegen::serde_with")]
#[derive(
    Debug,
    Clone,
    PartialEq,
    ::ipcc_runtime::codegen::Serialize,
    ::ipcc_runtime::codegen::Deserialize,
)]
#[serde(crate = "::ipcc_runtime::codegen::serde", tag = "kind")]
pub enum Tree {
    #[serde(rename = "leaf")]
    Leaf {
        #[serde_as(as = "::ipcc_runtime::codegen::wire::Int")]
        value: i64,
    },
    #[serde(rename = "node")]
    Node {
        #[serde_as(as = "Vec<::ipcc_runtime::codegen::wire::Named>")]
        children: Vec<Tree>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[serde_as(as = "Option<::ipcc_runtime::codegen::wire::Named>")]
        shape: Option<Shape>,
    },
}

/// Unions, enums and maps as struct fields.
#[::ipcc_runtime::codegen::serde_as(crate = "::ipcc_runtime::codegen::serde_with")]
#[derive(
    Debug,
    Clone,
    PartialEq,
    ::ipcc_runtime::codegen::Serialize,
    ::ipcc_runtime::codegen::Deserialize,
)]
#[serde(crate = "::ipcc_runtime::codegen::serde")]
pub struct Holder {
    #[serde_as(as = "::ipcc_runtime::codegen::wire::Named")]
    pub shape: Shape,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde_as(as = "Option<::ipcc_runtime::codegen::wire::Named>")]
    pub maybe: Option<Shape>,
    #[serde_as(
        as = "::std::collections::BTreeMap<::ipcc_runtime::codegen::serde_with::Same, ::ipcc_runtime::codegen::wire::Named>"
    )]
    pub moods: ::std::collections::BTreeMap<String, Mood>,
    #[serde_as(
        as = "::std::collections::BTreeMap<::ipcc_runtime::codegen::wire::IntKey, Option<::ipcc_runtime::codegen::wire::Float>>"
    )]
    pub weights: ::std::collections::BTreeMap<i64, Option<f64>>,
}

#[::ipcc_runtime::codegen::serde_as(crate = "::ipcc_runtime::codegen::serde_with")]
#[derive(
    Debug,
    Clone,
    PartialEq,
    ::ipcc_runtime::codegen::Serialize,
    ::ipcc_runtime::codegen::Deserialize,
)]
#[serde(crate = "::ipcc_runtime::codegen::serde", tag = "kind")]
pub enum EchoError {
    #[serde(rename = "failed")]
    Failed { reason: String },
    #[serde(rename = "denied")]
    Denied,
}

/// The interface the message vectors talk to.
pub trait Echo: Send + Sync + 'static {
    fn echo_string(
        &self,
        ctx: ::ipcc_runtime::codegen::CallContext,
        value: String,
    ) -> impl ::std::future::Future<Output = Result<String, ::ipcc_runtime::codegen::HandlerError>> + Send;
    fn echo_i64(
        &self,
        ctx: ::ipcc_runtime::codegen::CallContext,
        value: i64,
    ) -> impl ::std::future::Future<Output = Result<i64, ::ipcc_runtime::codegen::HandlerError>> + Send;
    fn echo_f64(
        &self,
        ctx: ::ipcc_runtime::codegen::CallContext,
        value: f64,
    ) -> impl ::std::future::Future<Output = Result<f64, ::ipcc_runtime::codegen::HandlerError>> + Send;
    fn echo_bytes(
        &self,
        ctx: ::ipcc_runtime::codegen::CallContext,
        value: Vec<u8>,
    ) -> impl ::std::future::Future<Output = Result<Vec<u8>, ::ipcc_runtime::codegen::HandlerError>> + Send;
    fn echo_person(
        &self,
        ctx: ::ipcc_runtime::codegen::CallContext,
        value: Person,
    ) -> impl ::std::future::Future<Output = Result<Person, ::ipcc_runtime::codegen::HandlerError>> + Send;
    fn echo_optional(
        &self,
        ctx: ::ipcc_runtime::codegen::CallContext,
        value: Option<String>,
    ) -> impl ::std::future::Future<
        Output = Result<Option<String>, ::ipcc_runtime::codegen::HandlerError>,
    > + Send;
    fn add(
        &self,
        ctx: ::ipcc_runtime::codegen::CallContext,
        a: i32,
        b: i32,
    ) -> impl ::std::future::Future<Output = Result<i32, ::ipcc_runtime::codegen::HandlerError>> + Send;
    fn fail(
        &self,
        ctx: ::ipcc_runtime::codegen::CallContext,
        how: String,
    ) -> impl ::std::future::Future<Output = Result<(), EchoError>> + Send;
    fn wait(
        &self,
        ctx: ::ipcc_runtime::codegen::CallContext,
    ) -> impl ::std::future::Future<Output = Result<(), ::ipcc_runtime::codegen::HandlerError>> + Send;
    fn notify_me(
        &self,
        ctx: ::ipcc_runtime::codegen::CallContext,
        count: u32,
    ) -> impl ::std::future::Future<Output = Result<(), ::ipcc_runtime::codegen::HandlerError>> + Send;
    fn big(
        &self,
        ctx: ::ipcc_runtime::codegen::CallContext,
        size: u32,
    ) -> impl ::std::future::Future<Output = Result<String, ::ipcc_runtime::codegen::HandlerError>> + Send;
}

pub fn register_echo<H: Echo>(
    host: &::ipcc_runtime::codegen::IpcHost,
    handler: H,
) -> ::ipcc_runtime::codegen::Registration {
    host.register(
        ECHO_SPEC,
        ::std::sync::Arc::new(EchoDispatch(::std::sync::Arc::new(handler))),
    )
}

struct EchoDispatch<H>(::std::sync::Arc<H>);

impl<H: Echo> ::ipcc_runtime::codegen::Dispatch for EchoDispatch<H> {
    fn dispatch(
        &self,
        ctx: ::ipcc_runtime::codegen::CallContext,
        method: &str,
        args: ::ipcc_runtime::codegen::Args,
    ) -> ::ipcc_runtime::codegen::BoxFuture<::ipcc_runtime::codegen::Reply> {
        let handler = self.0.clone();
        match method {
            "echoString" => Box::pin(async move {
                let mut args = args;
                let value: String =
                    args.next::<String, ::ipcc_runtime::codegen::serde_with::Same>("value")?;
                args.finish()?;
                match handler.echo_string(ctx, value).await {
                    Ok(value) => ::ipcc_runtime::codegen::encode_result::<
                        String,
                        ::ipcc_runtime::codegen::serde_with::Same,
                    >(value),
                    Err(error) => Err(error.into_ipc_error()),
                }
            }),
            "echoI64" => Box::pin(async move {
                let mut args = args;
                let value: i64 = args.next::<i64, ::ipcc_runtime::codegen::wire::Int>("value")?;
                args.finish()?;
                match handler.echo_i64(ctx, value).await {
                    Ok(value) => ::ipcc_runtime::codegen::encode_result::<
                        i64,
                        ::ipcc_runtime::codegen::wire::Int,
                    >(value),
                    Err(error) => Err(error.into_ipc_error()),
                }
            }),
            "echoF64" => Box::pin(async move {
                let mut args = args;
                let value: f64 = args.next::<f64, ::ipcc_runtime::codegen::wire::Float>("value")?;
                args.finish()?;
                match handler.echo_f64(ctx, value).await {
                    Ok(value) => ::ipcc_runtime::codegen::encode_result::<
                        f64,
                        ::ipcc_runtime::codegen::wire::Float,
                    >(value),
                    Err(error) => Err(error.into_ipc_error()),
                }
            }),
            "echoBytes" => Box::pin(async move {
                let mut args = args;
                let value: Vec<u8> =
                    args.next::<Vec<u8>, ::ipcc_runtime::codegen::wire::Base64>("value")?;
                args.finish()?;
                match handler.echo_bytes(ctx, value).await {
                    Ok(value) => ::ipcc_runtime::codegen::encode_result::<
                        Vec<u8>,
                        ::ipcc_runtime::codegen::wire::Base64,
                    >(value),
                    Err(error) => Err(error.into_ipc_error()),
                }
            }),
            "echoPerson" => Box::pin(async move {
                let mut args = args;
                let value: Person =
                    args.next::<Person, ::ipcc_runtime::codegen::wire::Named>("value")?;
                args.finish()?;
                match handler.echo_person(ctx, value).await {
                    Ok(value) => ::ipcc_runtime::codegen::encode_result::<
                        Person,
                        ::ipcc_runtime::codegen::wire::Named,
                    >(value),
                    Err(error) => Err(error.into_ipc_error()),
                }
            }),
            "echoOptional" => Box::pin(async move {
                let mut args = args;
                let value: Option<String> = args
                    .next_optional::<String, ::ipcc_runtime::codegen::serde_with::Same>("value")?;
                args.finish()?;
                match handler.echo_optional(ctx, value).await {
                    Ok(value) => ::ipcc_runtime::codegen::encode_result::<
                        Option<String>,
                        Option<::ipcc_runtime::codegen::serde_with::Same>,
                    >(value),
                    Err(error) => Err(error.into_ipc_error()),
                }
            }),
            "add" => Box::pin(async move {
                let mut args = args;
                let a: i32 = args.next::<i32, ::ipcc_runtime::codegen::serde_with::Same>("a")?;
                let b: i32 = args.next::<i32, ::ipcc_runtime::codegen::serde_with::Same>("b")?;
                args.finish()?;
                match handler.add(ctx, a, b).await {
                    Ok(value) => ::ipcc_runtime::codegen::encode_result::<
                        i32,
                        ::ipcc_runtime::codegen::serde_with::Same,
                    >(value),
                    Err(error) => Err(error.into_ipc_error()),
                }
            }),
            "fail" => Box::pin(async move {
                let mut args = args;
                let how: String =
                    args.next::<String, ::ipcc_runtime::codegen::serde_with::Same>("how")?;
                args.finish()?;
                match handler.fail(ctx, how).await {
                    Ok(value) => ::ipcc_runtime::codegen::encode_result::<
                        (),
                        ::ipcc_runtime::codegen::serde_with::Same,
                    >(value),
                    Err(error) => Err(::ipcc_runtime::codegen::declared_error(&error)),
                }
            }),
            "wait" => Box::pin(async move {
                let args = args;
                args.finish()?;
                match handler.wait(ctx).await {
                    Ok(value) => ::ipcc_runtime::codegen::encode_result::<
                        (),
                        ::ipcc_runtime::codegen::serde_with::Same,
                    >(value),
                    Err(error) => Err(error.into_ipc_error()),
                }
            }),
            "notifyMe" => Box::pin(async move {
                let mut args = args;
                let count: u32 =
                    args.next::<u32, ::ipcc_runtime::codegen::serde_with::Same>("count")?;
                args.finish()?;
                match handler.notify_me(ctx, count).await {
                    Ok(value) => ::ipcc_runtime::codegen::encode_result::<
                        (),
                        ::ipcc_runtime::codegen::serde_with::Same,
                    >(value),
                    Err(error) => Err(error.into_ipc_error()),
                }
            }),
            "big" => Box::pin(async move {
                let mut args = args;
                let size: u32 =
                    args.next::<u32, ::ipcc_runtime::codegen::serde_with::Same>("size")?;
                args.finish()?;
                match handler.big(ctx, size).await {
                    Ok(value) => ::ipcc_runtime::codegen::encode_result::<
                        String,
                        ::ipcc_runtime::codegen::serde_with::Same,
                    >(value),
                    Err(error) => Err(error.into_ipc_error()),
                }
            }),
            _ => ::ipcc_runtime::codegen::unknown_method(method),
        }
    }
}

/// Sends `EchoEvents` to every connection, or to one.
#[derive(Clone)]
pub struct EchoEventsSender {
    target: ::ipcc_runtime::codegen::NotifyTarget,
}

impl EchoEventsSender {
    /// To every connection of `host`.
    pub fn all(host: &::ipcc_runtime::codegen::IpcHost) -> Self {
        host.declare_notifications(ECHO_EVENTS_SPEC);
        Self {
            target: ::ipcc_runtime::codegen::NotifyTarget::all(host),
        }
    }

    /// To one connection (e.g. `ctx.connection()`).
    pub fn to(
        host: &::ipcc_runtime::codegen::IpcHost,
        connection: ::ipcc_runtime::codegen::ConnectionId,
    ) -> Self {
        host.declare_notifications(ECHO_EVENTS_SPEC);
        Self {
            target: ::ipcc_runtime::codegen::NotifyTarget::connection(host, connection),
        }
    }

    pub fn tick(&self, n: u32) -> Result<(), ::ipcc_runtime::codegen::IpcError> {
        self.target.notify(
            ECHO_EVENTS_CHANNEL,
            "tick",
            vec![::ipcc_runtime::codegen::encode_arg::<
                u32,
                ::ipcc_runtime::codegen::serde_with::Same,
            >(n)?],
        )
    }
}

/// Calls `Echo` on a connection.
#[derive(Clone)]
pub struct EchoClient {
    conn: ::ipcc_runtime::codegen::IpcConnection,
    options: ::ipcc_runtime::codegen::CallOptions,
}

impl EchoClient {
    pub fn new(conn: &::ipcc_runtime::codegen::IpcConnection) -> Self {
        Self {
            conn: conn.clone(),
            options: ::ipcc_runtime::codegen::CallOptions::default(),
        }
    }

    /// Per-call options (timeout) for calls made through the returned client.
    pub fn with_options(&self, options: ::ipcc_runtime::codegen::CallOptions) -> Self {
        Self {
            conn: self.conn.clone(),
            options,
        }
    }

    pub async fn echo_string(
        &self,
        value: String,
    ) -> Result<String, ::ipcc_runtime::codegen::IpcError> {
        let args = vec![::ipcc_runtime::codegen::encode_arg::<
            String,
            ::ipcc_runtime::codegen::serde_with::Same,
        >(value)?];
        let value = self
            .conn
            .call(ECHO_CHANNEL, "echoString", args, &self.options)
            .await?;
        ::ipcc_runtime::codegen::decode_result::<String, ::ipcc_runtime::codegen::serde_with::Same>(
            value,
        )
    }

    pub async fn echo_i64(&self, value: i64) -> Result<i64, ::ipcc_runtime::codegen::IpcError> {
        let args = vec![::ipcc_runtime::codegen::encode_arg::<
            i64,
            ::ipcc_runtime::codegen::wire::Int,
        >(value)?];
        let value = self
            .conn
            .call(ECHO_CHANNEL, "echoI64", args, &self.options)
            .await?;
        ::ipcc_runtime::codegen::decode_result::<i64, ::ipcc_runtime::codegen::wire::Int>(value)
    }

    pub async fn echo_f64(&self, value: f64) -> Result<f64, ::ipcc_runtime::codegen::IpcError> {
        let args = vec![::ipcc_runtime::codegen::encode_arg::<
            f64,
            ::ipcc_runtime::codegen::wire::Float,
        >(value)?];
        let value = self
            .conn
            .call(ECHO_CHANNEL, "echoF64", args, &self.options)
            .await?;
        ::ipcc_runtime::codegen::decode_result::<f64, ::ipcc_runtime::codegen::wire::Float>(value)
    }

    pub async fn echo_bytes(
        &self,
        value: Vec<u8>,
    ) -> Result<Vec<u8>, ::ipcc_runtime::codegen::IpcError> {
        let args = vec![::ipcc_runtime::codegen::encode_arg::<
            Vec<u8>,
            ::ipcc_runtime::codegen::wire::Base64,
        >(value)?];
        let value = self
            .conn
            .call(ECHO_CHANNEL, "echoBytes", args, &self.options)
            .await?;
        ::ipcc_runtime::codegen::decode_result::<Vec<u8>, ::ipcc_runtime::codegen::wire::Base64>(
            value,
        )
    }

    pub async fn echo_person(
        &self,
        value: Person,
    ) -> Result<Person, ::ipcc_runtime::codegen::IpcError> {
        let args = vec![::ipcc_runtime::codegen::encode_arg::<
            Person,
            ::ipcc_runtime::codegen::wire::Named,
        >(value)?];
        let value = self
            .conn
            .call(ECHO_CHANNEL, "echoPerson", args, &self.options)
            .await?;
        ::ipcc_runtime::codegen::decode_result::<Person, ::ipcc_runtime::codegen::wire::Named>(
            value,
        )
    }

    pub async fn echo_optional(
        &self,
        value: Option<String>,
    ) -> Result<Option<String>, ::ipcc_runtime::codegen::IpcError> {
        let mut args = Vec::new();
        if let Some(value) = value {
            args.push(::ipcc_runtime::codegen::encode_arg::<
                String,
                ::ipcc_runtime::codegen::serde_with::Same,
            >(value)?);
        }
        let value = self
            .conn
            .call(ECHO_CHANNEL, "echoOptional", args, &self.options)
            .await?;
        ::ipcc_runtime::codegen::decode_result::<
            Option<String>,
            Option<::ipcc_runtime::codegen::serde_with::Same>,
        >(value)
    }

    pub async fn add(&self, a: i32, b: i32) -> Result<i32, ::ipcc_runtime::codegen::IpcError> {
        let args = vec![
            ::ipcc_runtime::codegen::encode_arg::<i32, ::ipcc_runtime::codegen::serde_with::Same>(
                a,
            )?,
            ::ipcc_runtime::codegen::encode_arg::<i32, ::ipcc_runtime::codegen::serde_with::Same>(
                b,
            )?,
        ];
        let value = self
            .conn
            .call(ECHO_CHANNEL, "add", args, &self.options)
            .await?;
        ::ipcc_runtime::codegen::decode_result::<i32, ::ipcc_runtime::codegen::serde_with::Same>(
            value,
        )
    }

    pub async fn fail(
        &self,
        how: String,
    ) -> Result<(), ::ipcc_runtime::codegen::CallError<EchoError>> {
        let args = vec![::ipcc_runtime::codegen::encode_arg::<
            String,
            ::ipcc_runtime::codegen::serde_with::Same,
        >(how)?];
        let value = self
            .conn
            .call(ECHO_CHANNEL, "fail", args, &self.options)
            .await
            .map_err(::ipcc_runtime::codegen::CallError::from_ipc)?;
        Ok(::ipcc_runtime::codegen::decode_result::<
            (),
            ::ipcc_runtime::codegen::serde_with::Same,
        >(value)?)
    }

    pub async fn wait(&self) -> Result<(), ::ipcc_runtime::codegen::IpcError> {
        let args: Vec<::ipcc_runtime::codegen::Payload> = Vec::new();
        let value = self
            .conn
            .call(ECHO_CHANNEL, "wait", args, &self.options)
            .await?;
        ::ipcc_runtime::codegen::decode_result::<(), ::ipcc_runtime::codegen::serde_with::Same>(
            value,
        )
    }

    pub async fn notify_me(&self, count: u32) -> Result<(), ::ipcc_runtime::codegen::IpcError> {
        let args = vec![::ipcc_runtime::codegen::encode_arg::<
            u32,
            ::ipcc_runtime::codegen::serde_with::Same,
        >(count)?];
        let value = self
            .conn
            .call(ECHO_CHANNEL, "notifyMe", args, &self.options)
            .await?;
        ::ipcc_runtime::codegen::decode_result::<(), ::ipcc_runtime::codegen::serde_with::Same>(
            value,
        )
    }

    pub async fn big(&self, size: u32) -> Result<String, ::ipcc_runtime::codegen::IpcError> {
        let args = vec![::ipcc_runtime::codegen::encode_arg::<
            u32,
            ::ipcc_runtime::codegen::serde_with::Same,
        >(size)?];
        let value = self
            .conn
            .call(ECHO_CHANNEL, "big", args, &self.options)
            .await?;
        ::ipcc_runtime::codegen::decode_result::<String, ::ipcc_runtime::codegen::serde_with::Same>(
            value,
        )
    }
}

/// Receives `EchoEvents`; every method has an empty default.
pub trait EchoEventsListener: Send + Sync + 'static {
    fn tick(&self, n: u32) {
        let _ = n;
    }
}

pub fn listen_echo_events<L: EchoEventsListener>(
    conn: &::ipcc_runtime::codegen::IpcConnection,
    listener: L,
) -> ::ipcc_runtime::codegen::ListenerHandle {
    conn.add_listener(ECHO_EVENTS_CHANNEL, move |method, args| match method {
        "tick" => {
            let mut args = args;
            let n: u32 = args.next::<u32, ::ipcc_runtime::codegen::serde_with::Same>("n")?;
            args.finish()?;
            listener.tick(n);
            Ok(())
        }
        _ => Err(::ipcc_runtime::codegen::unknown_notification(method)),
    })
}
