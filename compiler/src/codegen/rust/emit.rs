//! Writes the view model's items as Rust text: the layout of each item, one function per kind.
//!
//! These functions were handlebars templates (`*.rs.hbs`) until rendering them (building a
//! `serde_json::Value` of every view, walking it, allocating each piece) took most of what was
//! left of generation. They still hold layout only, in the templates' order: every name, type
//! and laid-out line comes from the view (`view.rs`, `layout.rs`); a function here decides
//! nothing but which lines are written, and writes them into one `String`.
//!
//! Writing to a `String` cannot fail, so the `fmt::Result`s of `write!` are dropped (`w!`).

use super::{
    Attrs, ConstView, EventView, FieldView, InterfaceView, MethodView, NotificationsView,
    PackageModule, TypeView, VariantView,
};
use std::fmt::Write;

/// `write!` into a `String`, which cannot fail.
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

/// `text` and a line break.
fn line(out: &mut String, text: &str) {
    out.push_str(text);
    out.push('\n');
}

/// An `Option<String>` as a handlebars `{{#if}}` sees it: absent or empty is false.
fn some(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|text| !text.is_empty())
}

/// An item's doc lines (`///` and the line, which holds its leading space).
fn docs(out: &mut String, indent: &str, attrs: &Attrs) {
    for doc in &attrs.docs {
        out.push_str(indent);
        out.push_str("///");
        line(out, doc);
    }
}

/// An item's `#[deprecated]` and the lints it silences.
fn lints(out: &mut String, indent: &str, attrs: &Attrs) {
    if attrs.deprecated {
        out.push_str(indent);
        match some(&attrs.deprecated_note) {
            Some(note) => w!(out, "#[deprecated(note = {note})]\n"),
            None => out.push_str("#[deprecated]\n"),
        }
    }
    let allows = [
        (attrs.allow_deprecated, "#[allow(deprecated)]\n"),
        (attrs.allow_complex, "#[allow(clippy::type_complexity)]\n"),
        (
            attrs.allow_large_variant,
            "#[allow(clippy::large_enum_variant)]\n",
        ),
        (
            attrs.allow_large_err,
            "#[allow(clippy::result_large_err)]\n",
        ),
    ];
    for (on, text) in allows {
        if on {
            out.push_str(indent);
            out.push_str(text);
        }
    }
}

/// Docs, then lints.
fn attrs(out: &mut String, indent: &str, attrs: &Attrs) {
    docs(out, indent, attrs);
    lints(out, indent, attrs);
}

/// The lints a piece of generated glue silences (not the item's own `#[deprecated]`).
fn glue_lints(out: &mut String, deprecated: bool, complex: bool, large_err: bool) {
    if deprecated {
        out.push_str("#[allow(deprecated)]\n");
    }
    if complex {
        out.push_str("#[allow(clippy::type_complexity)]\n");
    }
    if large_err {
        out.push_str("#[allow(clippy::result_large_err)]\n");
    }
}

/// A user's const, or a module's wire schemas.
pub(in crate::codegen::rust) fn constant(out: &mut String, c: &ConstView) {
    attrs(out, "", &c.attrs);
    line(out, &c.line);
}

/// `pub mod name {` with its docs and the runtime alias, or `pub mod name {}`.
pub(in crate::codegen::rust) fn package_open(out: &mut String, m: &PackageModule) {
    match &m.package {
        Some(package) => {
            w!(out, "/// Declarations of package `{package}`.\n");
            if !m.docs.is_empty() {
                out.push_str("///\n");
                for doc in &m.docs {
                    out.push_str("///");
                    line(out, doc);
                }
            }
        }
        None => w!(
            out,
            "/// Packages whose names start with `{}.`.\n",
            m.prefix
        ),
    }
    if m.empty {
        w!(out, "pub mod {} {{}}\n", m.name);
    } else {
        w!(
            out,
            "pub mod {} {{\n    #[allow(unused_imports)]\n    use ::ipcc_runtime::codegen as {};\n",
            m.name,
            m.rt
        );
    }
}

/// A struct, enum, union or alias, and `From<Self> for Raised<Self>` when it is thrown.
pub(in crate::codegen::rust) fn type_item(out: &mut String, t: &TypeView) {
    let rt = &t.rt;
    if t.is_struct {
        attrs(out, "", &t.attrs);
        serde_as(out, t);
        extra_attrs(out, t);
        line(out, &t.derive);
        w!(out, "#[serde(crate = \"{rt}::serde\")]\n");
        if t.fields.is_empty() {
            w!(out, "pub struct {} {{}}\n", t.name);
        } else {
            w!(out, "pub struct {} {{\n", t.name);
            for field in &t.fields {
                field_lines(out, "    ", rt, field);
            }
            out.push_str("}\n");
        }
    }
    if t.is_enum {
        attrs(out, "", &t.attrs);
        extra_attrs(out, t);
        line(out, &t.derive);
        w!(out, "#[serde(crate = \"{rt}::serde\")]\n");
        if t.variants.is_empty() {
            w!(out, "pub enum {} {{}}\n", t.name);
        } else {
            w!(out, "pub enum {} {{\n", t.name);
            for variant in &t.variants {
                attrs(out, "    ", &variant.attrs);
                rename(out, "    ", &variant.rename);
                w!(out, "    {},\n", variant.name);
            }
            out.push_str("}\n");
        }
    }
    if t.is_union {
        attrs(out, "", &t.attrs);
        serde_as(out, t);
        extra_attrs(out, t);
        line(out, &t.derive);
        w!(out, "#[serde(crate = \"{rt}::serde\", tag = \"kind\")]\n");
        w!(out, "pub enum {} {{\n", t.name);
        for variant in &t.variants {
            union_variant(out, rt, variant);
        }
        out.push_str("}\n");
    }
    if t.is_alias {
        attrs(out, "", &t.attrs);
        line(out, &t.alias_line);
    }
    if t.thrown {
        out.push('\n');
        if t.attrs.deprecated {
            out.push_str("#[allow(deprecated)]\n");
        }
        let name = &t.name;
        w!(
            out,
            "/// A handler's `?` or `.into()` on this declared error makes it the call's `declared` error.\n\
             impl {rt}::From<{name}> for {rt}::Raised<{name}> {{\n    \
             fn from(error: {name}) -> Self {{\n        \
             {rt}::Raised::Declared(error)\n    \
             }}\n\
             }}\n"
        );
    }
}

fn serde_as(out: &mut String, t: &TypeView) {
    if t.serde_as {
        w!(out, "#[{0}::serde_as(crate = \"{0}::serde_with\")]\n", t.rt);
    }
}

fn extra_attrs(out: &mut String, t: &TypeView) {
    for attr in &t.extra_attrs {
        line(out, attr);
    }
}

fn rename(out: &mut String, indent: &str, rename: &Option<String>) {
    if let Some(rename) = some(rename) {
        w!(out, "{indent}#[serde(rename = {rename})]\n");
    }
}

/// A field of a struct (`indent` four spaces) or of a union's variant (eight).
fn field_lines(out: &mut String, indent: &str, rt: &str, field: &FieldView) {
    attrs(out, indent, &field.attrs);
    rename(out, indent, &field.rename);
    if field.optional {
        w!(
            out,
            "{indent}#[serde(default, skip_serializing_if = \"{rt}::Option::is_none\")]\n"
        );
    }
    if some(&field.adapter).is_some() {
        line(out, &field.adapter_line);
    }
    line(out, &field.field_line);
}

fn union_variant(out: &mut String, rt: &str, variant: &VariantView) {
    attrs(out, "    ", &variant.attrs);
    rename(out, "    ", &variant.rename);
    if variant.unit {
        w!(out, "    {},\n", variant.name);
    } else if let Some(one_line) = some(&variant.one_line) {
        line(out, one_line);
    } else if !variant.fields.is_empty() {
        w!(out, "    {} {{\n", variant.name);
        for field in &variant.fields {
            field_lines(out, "        ", rt, field);
        }
        out.push_str("    },\n");
    } else {
        w!(out, "    {} {{}},\n", variant.name);
    }
}

/// The channel, hash and spec consts every channel starts with.
#[allow(clippy::too_many_arguments)]
fn channel_consts(
    out: &mut String,
    rt: &str,
    idl_name: &str,
    emit_channel_const: bool,
    channel_const_line: &str,
    hash_const_line: &str,
    spec_const: &str,
    channel_const: &str,
    hash_const: &str,
    wire_schemas_const: &str,
) {
    if emit_channel_const {
        w!(out, "/// Channel of `{idl_name}`.\n");
        line(out, channel_const_line);
    }
    w!(
        out,
        "/// Schema hash of `{idl_name}`, compared in the handshake to catch mismatched builds.\n"
    );
    line(out, hash_const_line);
    w!(
        out,
        "/// Channel, schema hash and wire schemas of `{idl_name}`, as announced in the handshake.\n\
         pub const {spec_const}: {rt}::ChannelSpec = {rt}::ChannelSpec {{\n    \
         channel: {channel_const},\n    \
         schema_hash: {hash_const},\n    \
         wire_schema: {wire_schemas_const},\n\
         }};\n"
    );
}

/// The lint silences of a generated method whose signature mirrors the IDL's.
fn method_allows(out: &mut String, what: &str, many_args: bool, odd_self: bool) {
    if many_args {
        w!(
            out,
            "    // The parameters mirror the IDL {what}'s; bundling them would hide that.\n    \
             #[allow(clippy::too_many_arguments)]\n"
        );
    }
    if odd_self {
        out.push_str(
            "    // The name comes from the IDL; clippy expects `new`/`from_*`/`into_*` not to borrow `self`.\n    \
             #[allow(clippy::wrong_self_convention)]\n",
        );
    }
}

/// An interface: its consts, then the backend side (handler trait, dispatch table,
/// `register_*`) and the frontend side (client), as asked.
pub(in crate::codegen::rust) fn interface(out: &mut String, i: &InterfaceView) {
    let rt = &i.rt;
    channel_consts(
        out,
        rt,
        &i.idl_name,
        i.emit_channel_const,
        &i.channel_const_line,
        &i.hash_const_line,
        &i.spec_const,
        &i.channel_const,
        &i.hash_const,
        &i.wire_schemas_const,
    );
    if i.server {
        interface_server(out, i);
    }
    if i.client {
        interface_client(out, i);
    }
}

fn interface_server(out: &mut String, i: &InterfaceView) {
    let rt = &i.rt;
    let glue = |out: &mut String| {
        glue_lints(out, i.allow_deprecated, i.allow_complex, i.allow_large_err);
    };
    out.push('\n');
    docs(out, "", &i.attrs);
    if !i.attrs.docs.is_empty() {
        out.push_str("///\n");
    }
    w!(
        out,
        "/// Implement it for a backend and mount it with [`{}`].\n",
        i.register_fn
    );
    lints(out, "", &i.attrs);
    if i.has_methods {
        w!(
            out,
            "pub trait {}: {rt}::Send + {rt}::Sync + 'static {{\n",
            i.trait_name
        );
        for m in &i.methods {
            attrs(out, "    ", &m.attrs);
            method_allows(out, "method", m.trait_many_args, m.trait_odd_self);
            line(out, &m.trait_sig);
        }
        out.push_str("}\n");
    } else {
        w!(
            out,
            "pub trait {}: {rt}::Send + {rt}::Sync + 'static {{}}\n",
            i.trait_name
        );
    }
    w!(
        out,
        "\n/// Routes calls on `{}`'s channel to an implementation of [`{}`]: a closed table\n\
         /// of its methods, nothing else is callable.\n",
        i.idl_name,
        i.trait_name
    );
    glue(out);
    w!(
        out,
        "struct {}<{tp}>({rt}::Arc<{tp}>);\n\n",
        i.dispatch_name,
        tp = i.type_param
    );
    glue(out);
    line(out, &i.dispatch_impl_line);
    if i.has_streams {
        w!(
            out,
            "    fn streams(&self, method: &str) -> {rt}::Option<{rt}::Streams> {{\n        \
             match method {{\n"
        );
        for m in &i.methods {
            w!(
                out,
                "            {} => {rt}::Some({rt}::Streams::{}),\n",
                m.wire_name,
                m.streams
            );
        }
        w!(
            out,
            "            _ => {rt}::None,\n        \
             }}\n    \
             }}\n\n"
        );
    }
    w!(
        out,
        "    fn dispatch(\n        \
         &self,\n        \
         ctx: {rt}::CallContext,\n        \
         method: &str,\n        \
         args: {rt}::Args,\n    \
         ) -> {rt}::BoxFuture<{rt}::Reply> {{\n"
    );
    if i.has_dispatch_methods {
        out.push_str("        match method {\n");
        for m in i.methods.iter().filter(|m| !m.result_stream) {
            w!(
                out,
                "            {} => {{\n                \
                 let handler = {rt}::Arc::clone(&self.0);\n                \
                 {rt}::Box::pin(async move {{\n",
                m.wire_name
            );
            dispatch_body(out, m);
            line(out, &m.reply_line);
            out.push_str("                })\n            }\n");
        }
        w!(
            out,
            "            _ => {rt}::unknown_method(method),\n        \
             }}\n"
        );
    } else {
        w!(
            out,
            "        let _ = (&self.0, ctx, args);\n        \
             {rt}::unknown_method(method)\n"
        );
    }
    out.push_str("    }\n");
    if i.has_output_streams {
        w!(
            out,
            "\n    fn dispatch_stream(\n        \
             &self,\n        \
             ctx: {rt}::CallContext,\n        \
             method: &str,\n        \
             args: {rt}::Args,\n    \
             ) -> {rt}::ItemSource {{\n        \
             match method {{\n"
        );
        for m in i.methods.iter().filter(|m| m.result_stream) {
            w!(
                out,
                "            {} => {{\n                \
                 let handler = {rt}::Arc::clone(&self.0);\n                \
                 {rt}::item_stream(move |mut sink| async move {{\n",
                m.wire_name
            );
            dispatch_body(out, m);
            line(out, &m.forward_line);
            out.push_str(
                "                    forwarded.await\n                })\n            }\n",
            );
        }
        w!(
            out,
            "            _ => {{\n                \
             let error = {rt}::IpcError::new(\n                    \
             {rt}::ErrorCode::UnknownMethod,\n                    \
             ::std::format!(\"unknown method `{{method}}`\"),\n                \
             );\n                \
             {rt}::item_stream(move |_| async move {{ {rt}::Err(error) }})\n            \
             }}\n        \
             }}\n    \
             }}\n"
        );
    }
    w!(
        out,
        "}}\n\n\
         /// Mounts `handler` on `host` as the backend of `{}`.\n\
         ///\n\
         /// The returned registration unregisters the handler when dropped or asked to.\n",
        i.idl_name
    );
    glue(out);
    line(out, &i.register_sig);
    w!(
        out,
        "    let dispatch = {}({rt}::Arc::new(handler));\n",
        i.dispatch_name
    );
    line(out, &i.register_call);
    out.push_str("}\n");
}

/// A dispatched method's arguments decoded, and the handler called.
fn dispatch_body(out: &mut String, m: &MethodView) {
    if m.has_params {
        out.push_str("                    let mut args = args;\n");
    }
    for param in &m.params {
        line(out, &param.decode_line);
    }
    out.push_str("                    args.finish()?;\n");
    line(out, &m.dispatch_call);
}

fn interface_client(out: &mut String, i: &InterfaceView) {
    let rt = &i.rt;
    let name = &i.client_name;
    w!(
        out,
        "\n/// Calls `{}` on a backend over a connection (Rust as the frontend).\n\
         #[derive(Clone)]\n\
         pub struct {name} {{\n    \
         conn: {rt}::IpcConnection,\n    \
         options: {rt}::CallOptions,\n\
         }}\n\n",
        i.idl_name
    );
    glue_lints(out, i.allow_deprecated, i.allow_complex, i.allow_large_err);
    w!(
        out,
        "// A frontend picks the constructor and the methods it calls; the rest is not dead code of its\n\
         // own.\n\
         #[allow(dead_code)]\n\
         impl {name} {{\n    \
         /// A client calling through `conn` with default call options.\n    \
         pub fn new(conn: &{rt}::IpcConnection) -> Self {{\n        \
         {name} {{\n            \
         conn: {rt}::Clone::clone(conn),\n            \
         options: {rt}::Default::default(),\n        \
         }}\n    \
         }}\n\n    \
         /// The same client with `options` (timeout, ...) applied to every call made through it.\n    \
         pub fn with_options(&self, options: {rt}::CallOptions) -> Self {{\n        \
         {name} {{\n            \
         conn: {rt}::Clone::clone(&self.conn),\n            \
         options,\n        \
         }}\n    \
         }}\n\n    \
         /// The connection this client calls through.\n    \
         pub fn connection(&self) -> &{rt}::IpcConnection {{\n        \
         &self.conn\n    \
         }}\n\n    \
         /// The options applied to every call of this client.\n    \
         pub fn options(&self) -> &{rt}::CallOptions {{\n        \
         &self.options\n    \
         }}\n"
    );
    for m in &i.methods {
        out.push('\n');
        attrs(out, "    ", &m.attrs);
        method_allows(out, "method", m.client_many_args, m.client_odd_self);
        line(out, &m.client_sig);
        line(out, &m.client_body);
        out.push_str("    }\n");
    }
    out.push_str("}\n");
}

/// A notifications block: its consts, then the backend side (sender) and the frontend side
/// (listener trait, `listen_*`), as asked.
pub(in crate::codegen::rust) fn notifications(out: &mut String, n: &NotificationsView) {
    let rt = &n.rt;
    channel_consts(
        out,
        rt,
        &n.idl_name,
        n.emit_channel_const,
        &n.channel_const_line,
        &n.hash_const_line,
        &n.spec_const,
        &n.channel_const,
        &n.hash_const,
        &n.wire_schemas_const,
    );
    if n.server {
        notifications_sender(out, n);
    }
    if n.client {
        notifications_listener(out, n);
    }
}

fn notifications_sender(out: &mut String, n: &NotificationsView) {
    let rt = &n.rt;
    let name = &n.sender_name;
    out.push('\n');
    docs(out, "", &n.attrs);
    if !n.attrs.docs.is_empty() {
        out.push_str("///\n");
    }
    out.push_str(
        "/// Sends these notifications from a backend to every connection of a host, or to one.\n",
    );
    lints(out, "", &n.attrs);
    w!(
        out,
        "#[derive(Clone)]\n\
         pub struct {name} {{\n    \
         target: {rt}::NotifyTarget,\n\
         }}\n\n"
    );
    glue_lints(out, n.allow_deprecated, n.allow_complex, false);
    w!(
        out,
        "// A backend picks the constructor and the notifications it sends; the rest is not dead code\n\
         // of its own.\n\
         #[allow(dead_code)]\n\
         impl {name} {{\n    \
         /// Sends to every connection of `host` (and declares the channel, so handshakes list it).\n    \
         pub fn all(host: &{rt}::IpcHost) -> Self {{\n"
    );
    line(out, &n.declare_line);
    w!(
        out,
        "        {name} {{\n            \
         target: {rt}::NotifyTarget::all(host),\n        \
         }}\n    \
         }}\n\n    \
         /// Sends to one connection of `host` (for example `ctx.connection()` of a call).\n"
    );
    line(out, &n.to_sig);
    line(out, &n.declare_line);
    w!(
        out,
        "        let target = {rt}::NotifyTarget::connection(host, connection);\n        \
         {name} {{ target }}\n    \
         }}\n\n    \
         /// Where this sender's notifications go.\n    \
         pub fn target(&self) -> &{rt}::NotifyTarget {{\n        \
         &self.target\n    \
         }}\n"
    );
    for e in &n.events {
        out.push('\n');
        event_attrs(out, e);
        line(out, &e.sender_sig);
        line(out, &e.sender_body);
        out.push_str("    }\n");
    }
    out.push_str("}\n");
}

fn event_attrs(out: &mut String, e: &EventView) {
    attrs(out, "    ", &e.attrs);
    method_allows(out, "notification", e.many_args, e.odd_self);
}

fn notifications_listener(out: &mut String, n: &NotificationsView) {
    let rt = &n.rt;
    out.push('\n');
    docs(out, "", &n.attrs);
    if !n.attrs.docs.is_empty() {
        out.push_str("///\n");
    }
    w!(
        out,
        "/// Receives these notifications on a frontend; every method does nothing unless overridden.\n\
         /// Attach one with [`{}`].\n",
        n.listen_fn
    );
    lints(out, "", &n.attrs);
    if n.has_events {
        w!(
            out,
            "pub trait {}: {rt}::Send + {rt}::Sync + 'static {{\n",
            n.listener_name
        );
        for e in &n.events {
            event_attrs(out, e);
            line(out, &e.listener_sig);
            if e.has_params {
                line(out, &e.ignore_line);
            }
            out.push_str("    }\n");
        }
        out.push_str("}\n");
    } else {
        w!(
            out,
            "pub trait {}: {rt}::Send + {rt}::Sync + 'static {{}}\n",
            n.listener_name
        );
    }
    w!(
        out,
        "\n/// Calls `listener` for every `{}` notification arriving on `conn`, in order, until\n\
         /// the returned handle is dropped. A notification that does not decode is reported through\n\
         /// the connection's error hook and skipped.\n",
        n.idl_name
    );
    glue_lints(out, n.allow_deprecated, n.allow_complex, false);
    line(out, &n.listen_sig);
    if n.has_events {
        w!(
            out,
            "    let listen = move |method: &str, args: {rt}::Args| match method {{\n"
        );
        for e in &n.events {
            w!(out, "        {} => {{\n", e.wire_name);
            if e.has_params {
                out.push_str("            let mut args = args;\n");
            }
            for param in &e.params {
                line(out, &param.decode_line);
            }
            out.push_str("            args.finish()?;\n");
            line(out, &e.listener_call);
            w!(out, "            {rt}::Ok(())\n        }}\n");
        }
        w!(
            out,
            "        _ => {rt}::Err({rt}::unknown_notification(method)),\n    \
             }};\n"
        );
    } else {
        w!(
            out,
            "    let listen = move |method: &str, args: {rt}::Args| {{\n        \
             let _ = (&listener, args);\n        \
             {rt}::Err({rt}::unknown_notification(method))\n    \
             }};\n"
        );
    }
    line(out, &n.add_listener_line);
    out.push_str("}\n");
}
