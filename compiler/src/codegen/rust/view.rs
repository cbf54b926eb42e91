//! The view model the Rust emitter (`emit.rs`) writes out: every name cased and escaped, every
//! type spelt out, every line whose layout depends on a name's length laid out.

use super::layout;
use crate::ident::{pascal_case, rust_ident, rust_module_path, shouty_snake_case, snake_case};
use crate::ir::wire_schema;
use crate::ir::{
    ConstValue, DeclMeta, Event, Field, FileId, Interface, Ir, Method, Notifications, Param,
    Primitive, TypeDefKind, TypeId, TypeRef,
};
use std::collections::HashSet;

// The emitter reads the views' private fields, so it is a child of this module.
#[path = "emit.rs"]
pub(super) mod emit;

/// clippy's `too_many_arguments` fires above this many inputs (`self` included).
const CLIPPY_MAX_ARGS: usize = 7;

/// Client methods may not take these names: the client's own constructors use them.
const CLIENT_RESERVED: &[&str] = &["new", "with_options", "connection", "options"];
/// Sender methods may not take these names: the sender's own constructors use them.
const SENDER_RESERVED: &[&str] = &["all", "to", "target"];

/// One root's file: the declarations of the root's package and of files without a package,
/// then a tree of `pub mod`s holding every other package it reaches (`acme.people` in
/// `pub mod acme { pub mod people { ... } }`; packages that share a prefix share its modules).
pub(super) struct FileView {
    pub(super) root: ModuleView,
    pub(super) modules: Vec<PackageModule>,
}

/// One segment of the module tree: `pub mod <name>` with the declarations of the package it
/// stands for, if one does, and the modules of longer package names below it.
pub(super) struct PackageModule {
    name: String,
    /// The runtime alias the module's items use (a `use` of it opens the module).
    rt: String,
    /// Neither declarations nor modules: written `pub mod name {}`.
    empty: bool,
    /// The package declared in this module; `None` for a module that only holds other
    /// modules (`acme` when only `acme.people` and `acme.jobs` are packages).
    package: Option<String>,
    /// The dotted package name up to this module (`acme`), for its docs.
    prefix: String,
    /// The `//!` docs of the package's files, each line with the space `///` takes, a blank
    /// line between files.
    docs: Vec<String>,
    pub(super) body: ModuleView,
    /// Modules below this one, in the order their packages first appear.
    pub(super) children: Vec<PackageModule>,
}

impl PackageModule {
    /// Whether the module holds neither declarations nor modules (`pub mod name {}`).
    pub(super) fn is_empty(&self) -> bool {
        self.body.is_empty() && self.children.is_empty()
    }

    /// Calls `f` on this module's declarations and on those of every module below it.
    fn for_each_body(&mut self, f: &mut impl FnMut(&mut ModuleView)) {
        f(&mut self.body);
        for child in &mut self.children {
            child.for_each_body(f);
        }
    }
}

#[derive(Default)]
pub(super) struct ModuleView {
    pub(super) consts: Vec<ConstView>,
    pub(super) types: Vec<TypeView>,
    pub(super) interfaces: Vec<InterfaceView>,
    pub(super) notifications: Vec<NotificationsView>,
    /// The wire schemas of the module's channels (`IPCC_WIRE_SCHEMAS`), rendered after the
    /// user's consts.
    pub(super) wire_schemas: Option<ConstView>,
    /// The channels declared here, as indices into `ir.interfaces` (`false`) or
    /// `ir.notifications` (`true`), for the module's wire schemas.
    channels: Vec<(bool, usize)>,
}

impl ModuleView {
    /// Whether the module declares nothing.
    pub(super) fn is_empty(&self) -> bool {
        self.consts.is_empty()
            && self.types.is_empty()
            && self.interfaces.is_empty()
            && self.notifications.is_empty()
    }
}

/// Doc lines and lint attributes shared by every item.
struct Attrs {
    docs: Vec<String>,
    deprecated: bool,
    /// The note as a Rust string literal (quotes included); `None` for a bare `@deprecated`.
    deprecated_note: Option<String>,
    /// The item refers to something deprecated; silence that inside generated code only.
    allow_deprecated: bool,
    /// The item writes a type past clippy's `type_complexity` threshold (the IDL's nesting).
    allow_complex: bool,
    /// A union whose largest variant may be past clippy's `large_enum_variant` threshold.
    allow_large_variant: bool,
    /// An interface whose declared errors may make `CallError<E>` past clippy's
    /// `result_large_err` threshold.
    allow_large_err: bool,
}

impl Attrs {
    /// Attributes of a generated item that has only docs.
    fn docs(docs: Vec<String>) -> Attrs {
        Attrs {
            // As `ViewBuilder::attrs` writes them: the template puts `///` right before.
            docs: docs.iter().map(|line| doc_line(line)).collect(),
            deprecated: false,
            deprecated_note: None,
            allow_deprecated: false,
            allow_complex: false,
            allow_large_variant: false,
            allow_large_err: false,
        }
    }
}

pub(super) struct ConstView {
    attrs: Attrs,
    name: String,
    ty: String,
    value: String,
    /// `pub const NAME: T = value;`, laid out.
    line: String,
}

pub(super) struct TypeView {
    attrs: Attrs,
    /// Attributes the build script asked for (`Builder::type_attribute`), each a line.
    extra_attrs: Vec<String>,
    name: String,
    is_struct: bool,
    is_enum: bool,
    is_union: bool,
    is_alias: bool,
    /// A struct or union with no float in it also derives `Eq` and `Hash`.
    hashable: bool,
    /// A struct whose fields are all optional also derives `Default` (every field `None`).
    default: bool,
    /// Some field needs a `serde_as` adapter, so the container needs `#[serde_as]`.
    serde_as: bool,
    /// A method `throws` it and the backend side is generated: `From<Self>` for `Raised<Self>`.
    thrown: bool,
    fields: Vec<FieldView>,
    variants: Vec<VariantView>,
    /// Alias target type.
    target: String,
    rt: String,
    /// The `#[derive(...)]` line(s).
    derive: String,
    /// `pub type Name = Target;`, laid out.
    alias_line: String,
}

struct FieldView {
    attrs: Attrs,
    name: String,
    /// The IDL spelling as a string literal, when it differs from the Rust name.
    rename: Option<String>,
    ty: String,
    optional: bool,
    /// `serde_as` adapter type, when the field needs one.
    adapter: Option<String>,
    /// `pub name: Type,` (or `name: Type,` in a variant), laid out with its indentation.
    field_line: String,
    /// `#[serde_as(as = "...")]`, laid out, when the field has an adapter.
    adapter_line: String,
}

struct VariantView {
    attrs: Attrs,
    name: String,
    rename: Option<String>,
    unit: bool,
    fields: Vec<FieldView>,
    /// `Name { a: T, b: U },` when rustfmt keeps the variant on one line.
    one_line: Option<String>,
}

pub(super) struct InterfaceView {
    attrs: Attrs,
    /// Emit the backend side (trait, dispatch, `register_*`) and the frontend side (client).
    server: bool,
    client: bool,
    idl_name: String,
    trait_name: String,
    dispatch_name: String,
    client_name: String,
    /// Some method's declared error may make results past clippy's `result_large_err` size.
    allow_large_err: bool,
    /// The generic parameter of the dispatch and `register_*` (`IpccHandler`, or with a `_`
    /// when a type of the module has that name).
    type_param: String,
    register_fn: String,
    channel_const: String,
    /// False when a user const of the same name already holds this channel.
    emit_channel_const: bool,
    /// What the channel const is set to: the user's const that holds the channel, if the
    /// module has one (`MY_INTERFACE_CHANNEL = MY_CHANNEL`), else the string.
    channel_value: String,
    hash_const: String,
    /// The module's `IPCC_WIRE_SCHEMAS` (renamed if a user const has the name).
    wire_schemas_const: String,
    spec_const: String,
    channel: String,
    schema_hash: String,
    /// The generated glue refers to something deprecated; silence that inside it only.
    allow_deprecated: bool,
    /// Some method's parameter or result is past clippy's `type_complexity` threshold.
    allow_complex: bool,
    has_methods: bool,
    /// Some method goes through `dispatch` (every method whose result is not a stream).
    has_dispatch_methods: bool,
    /// Some method streams: the dispatch table implements `streams()`.
    has_streams: bool,
    /// Some method's result streams: the dispatch table implements `dispatch_stream()`.
    has_output_streams: bool,
    methods: Vec<MethodView>,
    rt: String,
    channel_const_line: String,
    hash_const_line: String,
    dispatch_impl_line: String,
    register_sig: String,
    register_call: String,
}

struct MethodView {
    attrs: Attrs,
    trait_name: String,
    client_name: String,
    wire_name: String,
    /// Name of the trait method's call-context parameter (`ctx` unless a parameter has it).
    ctx: String,
    params: Vec<ParamView>,
    has_params: bool,
    /// The result's type; the item type when the result streams.
    result_ty: String,
    result_adapter: String,
    /// The declared error type, if the method `throws`.
    throws: Option<String>,
    /// The result is `AsyncIterable<T>` (`result_ty` is `T`).
    result_stream: bool,
    /// A parameter is `AsyncIterable<T>`: its name and its items' adapter.
    input_stream: bool,
    input_name: String,
    input_adapter: String,
    /// The `rt::Streams` constant naming the method's streams (`NONE`, `INPUT`, ...).
    streams: &'static str,
    /// What the trait method returns: a future of the result, or a stream of items.
    trait_return: String,
    /// What the client method returns: a result, or a stream of item results.
    client_return: String,
    trait_many_args: bool,
    client_many_args: bool,
    /// The name makes clippy expect another kind of `self` (see [`odd_self`]).
    trait_odd_self: bool,
    client_odd_self: bool,
    trait_sig: String,
    client_sig: String,
    client_body: String,
    /// `let future = <H as Trait>::method(&handler, ctx, ...);` (`items` for a stream).
    dispatch_call: String,
    /// `let forwarded = sink.forward::<...>(items, ipcc_rt::failure);` of a result stream.
    forward_line: String,
    /// `ipcc_rt::reply::<_, A, _>(future.await)`, laid out.
    reply_line: String,
}

struct ParamView {
    /// The parameter's name in signatures.
    name: String,
    /// The local a dispatcher decodes it into (`arg_` + snake case, see `param_local`: cannot
    /// clash with the dispatcher's own locals, none of which is `arg_…` or `arg<digits>…`).
    local: String,
    /// The IDL spelling, as a string literal (for error messages).
    wire_name: String,
    /// The type the handler receives (`rt::ItemStream<T>` for a stream).
    ty: String,
    /// The type the client method takes (`impl rt::Stream<Item = T> + ...` for a stream,
    /// `impl Into<T>` for a `string` or `bytes`, see `ViewBuilder::takes_into`).
    client_ty: String,
    /// The expression the client method encodes: the parameter, or its conversion into `T`
    /// (set by `params_view` once the name is final).
    client_value: String,
    /// `T` of a parameter the client takes as `impl Into<T>`.
    into_ty: Option<String>,
    /// The adapter of the value, or of each item of a stream.
    adapter: String,
    /// `AsyncIterable<T>`: decoded with `next_stream`, its slot on the wire is `null`.
    stream: bool,
    /// `name?: T`: decoded with `next_optional` through `inner_adapter`.
    optional: bool,
    inner_adapter: String,
    /// `let arg_x = args.next::<_, A>("x")?;`, laid out at indentation zero of its block.
    decode_line: String,
}

pub(super) struct NotificationsView {
    attrs: Attrs,
    /// Emit the backend side (sender) and the frontend side (listener trait, `listen_*`).
    server: bool,
    client: bool,
    idl_name: String,
    sender_name: String,
    listener_name: String,
    /// The generic parameter of `listen_*` (`IpccListener`, or with a `_` when a type of the
    /// module has that name).
    type_param: String,
    listen_fn: String,
    channel_const: String,
    /// False when a user const of the same name already holds this channel.
    emit_channel_const: bool,
    /// What the channel const is set to: the user's const that holds the channel, if the
    /// module has one (`MY_INTERFACE_CHANNEL = MY_CHANNEL`), else the string.
    channel_value: String,
    hash_const: String,
    /// The module's `IPCC_WIRE_SCHEMAS` (renamed if a user const has the name).
    wire_schemas_const: String,
    spec_const: String,
    channel: String,
    schema_hash: String,
    allow_deprecated: bool,
    /// Some notification's parameter is past clippy's `type_complexity` threshold.
    allow_complex: bool,
    has_events: bool,
    events: Vec<EventView>,
    rt: String,
    channel_const_line: String,
    hash_const_line: String,
    declare_line: String,
    to_sig: String,
    listen_sig: String,
    add_listener_line: String,
}

struct EventView {
    attrs: Attrs,
    listener_name: String,
    sender_name: String,
    wire_name: String,
    params: Vec<ParamView>,
    has_params: bool,
    many_args: bool,
    /// The sender's or listener's method name makes clippy expect another kind of `self`.
    odd_self: bool,
    sender_sig: String,
    sender_body: String,
    listener_sig: String,
    /// The default listener method's `let _ = ...;` of its parameters.
    ignore_line: String,
    /// `<L as Listener>::event(&listener, ...);`
    listener_call: String,
}

/// A doc line as the template writes it after `///`: a space before the text, and nothing
/// for a blank line (rustfmt trims trailing whitespace).
fn doc_line(line: &str) -> String {
    let line = line.trim_end();
    if line.is_empty() {
        String::new()
    } else {
        format!(" {line}")
    }
}

/// The alias generated code names the runtime's `codegen` module by (`use ... as ipcc_rt;` at
/// the top of the file and of each package module): `ipcc_rt`, unless a package module has that
/// name, in which case underscores are added until no module has it.
pub(super) fn rt_alias(ir: &Ir) -> String {
    let mut alias = "ipcc_rt".to_string();
    let taken = |alias: &str| {
        ir.files.iter().any(|f| {
            f.package
                .as_deref()
                .is_some_and(|p| rust_module_path(p).iter().any(|m| m == alias))
        })
    };
    while taken(&alias) {
        alias.push('_');
    }
    alias
}

/// The view of the file generated for root `root`.
pub(super) fn file_view(ir: &Ir, root: FileId, options: &super::RustOptions) -> FileView {
    let builder = ViewBuilder {
        ir,
        options,
        hashable: hashable_types(ir),
        thrown: thrown_types(ir),
        root_package: ir.file(root).package.clone(),
        sizes: std::cell::RefCell::new(vec![None; ir.types.len()]),
        rt: rt_alias(ir),
        absolute: false,
    };
    let reachable = reachable_files(ir, root);
    let mut view = FileView {
        root: ModuleView::default(),
        modules: Vec::new(),
    };
    // IR files are in dependency order; walking them in that order keeps output stable.
    for (index, _) in ir.files.iter().enumerate() {
        let file = FileId(index as u32);
        if !reachable[index] {
            continue;
        }
        let module = match builder.module_of(file) {
            None => &mut view.root,
            Some(package) => match package_module(&mut view.modules, &package) {
                Some(module) => {
                    let docs = crate::codegen::trimmed_docs(&ir.file(file).docs);
                    if !docs.is_empty() && !module.docs.is_empty() {
                        module.docs.push(String::new());
                    }
                    module
                        .docs
                        .extend(docs.iter().map(|line| format!(" {line}")));
                    &mut module.body
                }
                None => &mut view.root,
            },
        };
        builder.fill_module(module, file);
    }
    add_wire_schemas(ir, &mut view.root);
    for module in &mut view.modules {
        module.for_each_body(&mut |body| add_wire_schemas(ir, body));
    }
    dedupe_channel_consts(&mut view.root);
    dedupe_generated_types(&mut view.root);
    dedupe_in_modules(&mut view.modules);
    let rt = builder.rt.clone();
    lay_out_module(&mut view.root, &rt, 0);
    for module in &mut view.modules {
        lay_out_package(module, &rt, 0);
    }
    view
}

/// The name of the const that holds a module's wire schemas.
const WIRE_SCHEMAS_CONST: &str = "IPCC_WIRE_SCHEMAS";

/// Adds the const holding the wire schemas of the module's channels, over one table of types
/// (so that a type many channels reach is written once).
fn add_wire_schemas(ir: &Ir, module: &mut ModuleView) {
    if module.channels.is_empty() {
        return;
    }
    let channels = module.channels.iter().map(|&(notifications, index)| {
        if notifications {
            wire_schema::ChannelRef::Notifications(&ir.notifications[index])
        } else {
            wire_schema::ChannelRef::Interface(&ir.interfaces[index])
        }
    });
    let set = wire_schema::schema_set(ir, channels);
    module.wire_schemas = Some(ConstView {
        attrs: Attrs::docs(vec![
            "Wire schemas of this module's channels, over one table of types: the handshake".into(),
            "sends each channel's, so that a backend can tell which members of a frontend built"
                .into(),
            "from another version still work (docs/protocol.md, \"Compatible changes\").".into(),
        ]),
        name: WIRE_SCHEMAS_CONST.to_string(),
        ty: "&str".to_string(),
        value: json_literal(&set.to_json()),
        line: String::new(),
    });
}

/// The module of `package` in the tree `modules`, created (with the modules above it)
/// when it is not there yet; `None` only for a package name without segments, which the
/// grammar does not produce. Validation guarantees that two packages never share a module
/// path (E0121), so a module found at the path is this package's.
fn package_module<'m>(
    modules: &'m mut Vec<PackageModule>,
    package: &str,
) -> Option<&'m mut PackageModule> {
    let path = rust_module_path(package);
    let last = path.len().checked_sub(1)?;
    let mut level = modules;
    let mut prefix = String::new();
    for (index, (name, segment)) in path.iter().zip(package.split('.')).enumerate() {
        if index > 0 {
            prefix.push('.');
        }
        prefix.push_str(segment);
        let position = match level.iter().position(|m| &m.name == name) {
            Some(position) => position,
            None => {
                level.push(PackageModule {
                    name: name.clone(),
                    rt: String::new(),
                    empty: false,
                    package: None,
                    prefix: prefix.clone(),
                    docs: Vec::new(),
                    body: ModuleView::default(),
                    children: Vec::new(),
                });
                level.len() - 1
            }
        };
        let module = &mut level[position];
        if index == last {
            module.package = Some(package.to_string());
            return Some(module);
        }
        level = &mut module.children;
    }
    None
}

fn dedupe_in_modules(modules: &mut [PackageModule]) {
    for module in modules {
        dedupe_channel_consts(&mut module.body);
        dedupe_generated_types(&mut module.body);
        dedupe_in_modules(&mut module.children);
    }
}

/// A user const may already hold the name of a generated channel const (`const greeterChannel`
/// beside `interface Greeter` gives `GREETER_CHANNEL` twice). The same string under the same
/// name is kept once, the user's; anything else moves the generated const aside with a `_`.
fn dedupe_channel_consts(module: &mut ModuleView) {
    let user: Vec<(String, String)> = module
        .consts
        .iter()
        .map(|c| (c.name.clone(), c.value.clone()))
        .collect();
    // A set, not a list: a module of a thousand channels claims thousands of names.
    let mut taken: HashSet<String> = user.iter().map(|(name, _)| name.clone()).collect();
    // A user const of the wire schemas' name moves them aside like any generated name.
    let mut wire_schemas = WIRE_SCHEMAS_CONST.to_string();
    if let Some(schemas) = &mut module.wire_schemas {
        wire_schemas = unique_name_in(WIRE_SCHEMAS_CONST, &taken);
        taken.insert(wire_schemas.clone());
        schemas.name = wire_schemas.clone();
    }
    // The user's const that holds a channel, for the generated const to alias (not a
    // deprecated one: naming it would warn in the user's build).
    let holders: Vec<(String, String)> = module
        .consts
        .iter()
        .filter(|c| !c.attrs.deprecated)
        .map(|c| (c.name.clone(), c.value.clone()))
        .collect();
    let holder = |channel: &str| {
        holders
            .iter()
            .find(|(_, value)| value == channel)
            .map(|(name, _)| name.clone())
    };
    let mut claim = |name: &mut String, value: Option<&str>, emit: &mut bool| {
        if let Some((_, existing)) = user.iter().find(|(n, _)| n == name) {
            if Some(existing.as_str()) == value {
                *emit = false;
                return;
            }
        }
        *name = unique_name_in(name, &taken);
        taken.insert(name.clone());
    };
    for i in &mut module.interfaces {
        i.wire_schemas_const = wire_schemas.clone();
        claim(
            &mut i.channel_const,
            Some(&i.channel),
            &mut i.emit_channel_const,
        );
        i.channel_value = holder(&i.channel).unwrap_or_else(|| i.channel.clone());
        let mut always = true;
        claim(&mut i.hash_const, None, &mut always);
        claim(&mut i.spec_const, None, &mut always);
    }
    for n in &mut module.notifications {
        n.wire_schemas_const = wire_schemas.clone();
        claim(
            &mut n.channel_const,
            Some(&n.channel),
            &mut n.emit_channel_const,
        );
        n.channel_value = holder(&n.channel).unwrap_or_else(|| n.channel.clone());
        let mut always = true;
        claim(&mut n.hash_const, None, &mut always);
        claim(&mut n.spec_const, None, &mut always);
    }
}

/// A user type may already hold the name of a type generated for a channel (`struct
/// GreeterClient` beside `interface Greeter`, `union EventsSender` beside `notifications
/// Events`): the user's type keeps its name, and the generated client, dispatch, sender or
/// listener moves aside with a `_` (`GreeterClient_`), like a generated const. The generic
/// parameters of generated functions and impls (`IpccHandler`, `IpccListener`) avoid every type
/// name of the module, since a parameter would shadow a type of the signature it is named in.
fn dedupe_generated_types(module: &mut ModuleView) {
    let mut taken: HashSet<String> = module.types.iter().map(|t| t.name.clone()).collect();
    taken.extend(module.interfaces.iter().map(|i| i.trait_name.clone()));
    let mut claim = |name: &mut String| {
        *name = unique_name_in(name, &taken);
        taken.insert(name.clone());
    };
    for i in &mut module.interfaces {
        claim(&mut i.dispatch_name);
        claim(&mut i.client_name);
    }
    for n in &mut module.notifications {
        claim(&mut n.sender_name);
        claim(&mut n.listener_name);
    }
    let handler = unique_name_in(HANDLER_TYPE_PARAM, &taken);
    for i in &mut module.interfaces {
        i.type_param = handler.clone();
    }
    let listener = unique_name_in(LISTENER_TYPE_PARAM, &taken);
    for n in &mut module.notifications {
        n.type_param = listener.clone();
    }
}

/// The generic parameter of an interface's dispatch and `register_*`, unless a type takes it.
const HANDLER_TYPE_PARAM: &str = "IpccHandler";
/// The generic parameter of a notifications block's `listen_*`, unless a type takes it.
const LISTENER_TYPE_PARAM: &str = "IpccListener";

/// Files reachable from `root` through imports (root included), indexed like `ir.files`.
fn reachable_files(ir: &Ir, root: FileId) -> Vec<bool> {
    let mut seen = vec![false; ir.files.len()];
    let mut stack = vec![root];
    while let Some(file) = stack.pop() {
        let index = file.0 as usize;
        if index >= seen.len() || seen[index] {
            continue;
        }
        seen[index] = true;
        stack.extend(ir.file(file).imports.iter().copied());
    }
    seen
}

/// The path of item `name` of module `to` seen from module `from` (both from the file's top).
fn relative_path(from: &[String], to: &[String], name: &str) -> String {
    let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
    let mut path = "super::".repeat(from.len() - common);
    for segment in &to[common..] {
        path.push_str(segment);
        path.push_str("::");
    }
    path.push_str(name);
    path
}

/// A string as a Rust string literal. `{:?}` escapes quotes, backslashes and control
/// characters in a form Rust's lexer accepts.
fn literal(text: &str) -> String {
    format!("{text:?}")
}

/// A JSON text as a raw string literal (`r#"{"a":1}"#`), readable where an escaped one would
/// not be; an escaped literal should the text ever hold `"#`.
fn json_literal(json: &str) -> String {
    if json.contains("\"#") {
        literal(json)
    } else {
        format!("r#\"{json}\"#")
    }
}

/// `r#type` → `type`: serde names a field by its unescaped identifier.
fn unraw(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

/// clippy's `large_enum_variant` fires when a union's largest variant is this many bytes larger
/// than the next; a union with a variant whose size bound reaches it allows the lint.
const CLIPPY_LARGE_VARIANT_THRESHOLD: u64 = 200;

/// clippy's `result_large_err` fires when a `Result`'s error is this many bytes or more.
const CLIPPY_LARGE_ERR_THRESHOLD: u64 = 128;

/// clippy's default `type-complexity-threshold`.
const CLIPPY_TYPE_COMPLEXITY_THRESHOLD: u64 = 250;

/// clippy's `type_complexity` score of a type use written `nest` levels deep: every type path
/// costs ten times its depth, and a generic argument is one level deeper (a named type or an
/// alias is written by its name, so it costs one path whatever it stands for).
fn clippy_type_score(ty: &TypeRef, nest: u64) -> u64 {
    let own = 10 * nest;
    match ty {
        TypeRef::Primitive { .. } | TypeRef::Named { .. } => own,
        TypeRef::Array { element } => own + clippy_type_score(element, nest + 1),
        TypeRef::Optional { inner } => own + clippy_type_score(inner, nest + 1),
        TypeRef::Map { key, value } => {
            own + clippy_type_score(key, nest + 1) + clippy_type_score(value, nest + 1)
        }
    }
}

fn rename_if_needed(rust_name: &str, wire_name: &str) -> Option<String> {
    (unraw(rust_name) != wire_name).then(|| literal(wire_name))
}

/// Picks `base`, or `base_`, `base__`... until it is not in `taken`.
fn unique_name(base: &str, taken: &[String]) -> String {
    let mut name = base.to_string();
    while taken.iter().any(|t| t == &name) {
        name.push('_');
    }
    name
}

/// [`unique_name`] against a set, for the module-wide names.
fn unique_name_in(base: &str, taken: &HashSet<String>) -> String {
    let mut name = base.to_string();
    while taken.contains(&name) {
        name.push('_');
    }
    name
}

/// A method/event name that must avoid names the generated type defines itself.
fn avoid_reserved(name: String, reserved: &[&str]) -> String {
    if reserved.contains(&unraw(&name)) {
        format!("{}_", unraw(&name))
    } else {
        name
    }
}

/// The local a dispatcher or listener decodes parameter `index` into: `arg_` and its snake-case
/// name (`arg_user_id`), which never clashes with the generated code's own locals. A name that
/// would make that local one rustc's `non_snake_case` lint rejects (a leading `_` or a run of
/// `_` inside: `_0`, `__proto__`, `a__b`) gives `arg<index>_` and its words instead
/// (`arg2_proto`), unique by the index.
fn param_local(name: &str, index: usize) -> String {
    let snake = snake_case(name);
    if !snake.starts_with('_') && !snake.contains("__") {
        return format!("arg_{snake}");
    }
    let words: Vec<&str> = snake.split('_').filter(|w| !w.is_empty()).collect();
    if words.is_empty() {
        format!("arg{index}")
    } else {
        format!("arg{index}_{}", words.join("_"))
    }
}

/// A channel's name after `register_` or `listen_`: its snake-case words, without the leading or
/// trailing underscores that would put `__` inside the function's name (`__proto__` →
/// `register_proto`); two names with the same words already collide as types (E0117).
fn fn_suffix(name: &str) -> String {
    snake_case(name)
        .split('_')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// A const's Rust name, SHOUTY_SNAKE_CASE. A name without a letter (`_0`, `_`) takes a
/// `CONST` prefix (`CONST_0`): as `_0` it would be what every pattern binding `_0` means (a
/// parameter, a union variant's field in derived code), which rustc refuses (E0530).
fn const_ident(name: &str) -> String {
    let shouty = rust_ident(&shouty_snake_case(name));
    if shouty.chars().any(|c| c.is_ascii_alphabetic()) {
        shouty
    } else {
        let words: Vec<&str> = shouty.split('_').filter(|w| !w.is_empty()).collect();
        if words.is_empty() {
            "CONST".to_string()
        } else {
            format!("CONST_{}", words.join("_"))
        }
    }
}

fn member_ident(name: &str) -> String {
    rust_ident(&snake_case(name))
}

fn type_ident(name: &str) -> String {
    rust_ident(&pascal_case(name))
}

struct ViewBuilder<'a> {
    ir: &'a Ir,
    options: &'a super::RustOptions,
    /// By `TypeId`: whether the type can derive `Eq` and `Hash` (no float anywhere in it).
    hashable: Vec<bool>,
    /// By `TypeId`: whether some method of the IR `throws` the type.
    thrown: Vec<bool>,
    root_package: Option<String>,
    /// `size_bound` of each named type, computed once (by `TypeId`).
    sizes: std::cell::RefCell<Vec<Option<u64>>>,
    /// How the runtime's `codegen` module is named: the file's alias, or its absolute path.
    rt: String,
    /// Std types by absolute path (`::std::string::String`) rather than through `rt`, for user
    /// templates, which have no alias in scope.
    absolute: bool,
}

impl ViewBuilder<'_> {
    /// The package module a file's declarations go into; `None` for the file's top level.
    fn module_of(&self, file: FileId) -> Option<String> {
        match &self.ir.file(file).package {
            Some(package) if Some(package) != self.root_package.as_ref() => Some(package.clone()),
            _ => None,
        }
    }

    fn fill_module(&self, module: &mut ModuleView, file: FileId) {
        let here = self.module_of(file);
        let here = here.as_deref();
        for def in self.ir.consts.iter().filter(|c| c.meta.file == file) {
            module.consts.push(ConstView {
                attrs: self.attrs(&def.meta.docs, &def.meta.deprecated, &def.meta.since, false),
                name: const_ident(&def.meta.name),
                ty: match &def.value {
                    ConstValue::String(_) => "&str",
                    ConstValue::Integer(_) => "i64",
                    ConstValue::Float(_) => "f64",
                    ConstValue::Bool(_) => "bool",
                }
                .to_string(),
                value: match &def.value {
                    ConstValue::String(s) => literal(s),
                    ConstValue::Integer(i) => i.to_string(),
                    ConstValue::Float(f) if f.is_nan() => "::core::f64::NAN".to_string(),
                    ConstValue::Float(f) if *f == f64::INFINITY => {
                        "::core::f64::INFINITY".to_string()
                    }
                    ConstValue::Float(f) if *f == f64::NEG_INFINITY => {
                        "::core::f64::NEG_INFINITY".to_string()
                    }
                    ConstValue::Float(f) => format!("{f:?}"),
                    ConstValue::Bool(b) => b.to_string(),
                },
                line: String::new(),
            });
        }
        for (index, def) in self.ir.types.iter().enumerate() {
            if def.meta.file == file {
                module
                    .types
                    .push(self.type_view(TypeId(index as u32), here));
            }
        }
        for (index, def) in self.ir.interfaces.iter().enumerate() {
            if def.meta.file == file {
                module.interfaces.push(self.interface_view(def, here));
                module.channels.push((false, index));
            }
        }
        for (index, def) in self.ir.notifications.iter().enumerate() {
            if def.meta.file == file {
                module
                    .notifications
                    .push(self.notifications_view(def, here));
                module.channels.push((true, index));
            }
        }
    }

    fn attrs(
        &self,
        docs: &[String],
        deprecated: &Option<String>,
        since: &Option<String>,
        allow_deprecated: bool,
    ) -> Attrs {
        // Blank lines before and after the text say nothing, and docs of blank lines only
        // would be an empty doc comment (clippy's `empty_docs`).
        let first = docs.iter().position(|line| !line.trim().is_empty());
        let last = docs.iter().rposition(|line| !line.trim().is_empty());
        let mut docs = match (first, last) {
            (Some(first), Some(last)) => docs[first..=last].to_vec(),
            _ => Vec::new(),
        };
        if let Some(version) = since {
            if !docs.is_empty() {
                docs.push(String::new());
            }
            docs.push(format!("Since {version}."));
        }
        Attrs {
            docs: docs.iter().map(|line| doc_line(line)).collect(),
            deprecated: deprecated.is_some(),
            deprecated_note: deprecated
                .as_deref()
                .filter(|note| !note.is_empty())
                .map(literal),
            allow_deprecated,
            allow_complex: false,
            allow_large_variant: false,
            allow_large_err: false,
        }
    }

    fn meta_attrs(&self, meta: &DeclMeta, allow_deprecated: bool) -> Attrs {
        self.attrs(&meta.docs, &meta.deprecated, &meta.since, allow_deprecated)
    }

    // ----- types -----

    /// Rust spelling of a type use, as seen from module `here`.
    fn rust_type(&self, ty: &TypeRef, here: Option<&str>) -> String {
        match ty {
            TypeRef::Primitive { primitive } => self.primitive_type(*primitive),
            TypeRef::Named { id } => self.type_path(*id, here),
            TypeRef::Array { element } => {
                format!("{}<{}>", self.std("Vec"), self.rust_type(element, here))
            }
            TypeRef::Map { key, value } => format!(
                "{}<{}, {}>",
                self.std("BTreeMap"),
                self.rust_type(key, here),
                self.rust_type(value, here)
            ),
            TypeRef::Optional { inner } => {
                format!("{}<{}>", self.std("Option"), self.rust_type(inner, here))
            }
        }
    }

    /// A std type's path: through the runtime's alias, or absolute for user templates.
    fn std(&self, name: &str) -> String {
        if self.absolute {
            match name {
                "Vec" => "::std::vec::Vec",
                "BTreeMap" => "::std::collections::BTreeMap",
                "Option" => "::std::option::Option",
                "String" => "::std::string::String",
                _ => "::std::boxed::Box",
            }
            .to_string()
        } else {
            format!("{}::{name}", self.rt)
        }
    }

    fn primitive_type(&self, primitive: Primitive) -> String {
        match primitive {
            Primitive::String => self.std("String"),
            Primitive::Bytes => format!("{}<u8>", self.std("Vec")),
            // Every other primitive is spelt in Rust as in the IDL (`bool`, `i64`, `f32`, ...).
            scalar => scalar.idl_name().to_string(),
        }
    }

    fn same(&self) -> String {
        format!("{}::serde_with::Same", self.rt)
    }

    /// Path of a named type from the module of package `here` (`None`: the file's top level):
    /// relative, so the file works wherever it is `include!`d. Up with `super::` to the module
    /// both share, then down: `Person`, `people::Person`, `super::Person`,
    /// `super::people::Person`, `super::super::acme::jobs::Job`.
    fn type_path(&self, id: TypeId, here: Option<&str>) -> String {
        let def = self.ir.ty(id);
        let name = type_ident(&def.meta.name);
        let there = self.module_of(def.meta.file);
        if here == there.as_deref() {
            return name;
        }
        let from = here.map(rust_module_path).unwrap_or_default();
        let to = there.as_deref().map(rust_module_path).unwrap_or_default();
        relative_path(&from, &to, &name)
    }

    /// The `serde_as` adapter for a type use, or `None` when serde's own mapping is the wire's.
    fn adapter(&self, ty: &TypeRef) -> Option<String> {
        let rt = &self.rt;
        match ty {
            TypeRef::Primitive { primitive } => match primitive {
                Primitive::I64 | Primitive::U64 => Some(format!("{rt}::wire::Int")),
                Primitive::F32 | Primitive::F64 => Some(format!("{rt}::wire::Float")),
                Primitive::Bytes => Some(format!("{rt}::wire::Base64")),
                _ => None,
            },
            // serde's derive also reads a struct or union from an array and an enum from
            // `{"member": null}`; the adapter keeps each to its one wire shape.
            TypeRef::Named { id } => match &self.ir.ty(*id).kind {
                TypeDefKind::Alias { target } => self.adapter(target),
                TypeDefKind::Struct { .. }
                | TypeDefKind::Union { .. }
                | TypeDefKind::Enum { .. } => Some(format!("{rt}::wire::Named")),
            },
            TypeRef::Array { element } => self
                .adapter(element)
                .map(|a| format!("{}<{a}>", self.std("Vec"))),
            TypeRef::Map { key, value } => {
                // Integer keys travel as strict decimal strings. serde_json converts keys itself
                // only at the top level, not once a value has been buffered (inside a tagged
                // union), and it accepts `+1` and `01`; `IntKey` does neither.
                let key_adapter = match self.ir.resolve_alias(key) {
                    TypeRef::Primitive {
                        primitive: Primitive::String,
                    } => None,
                    _ => Some(format!("{rt}::wire::IntKey")),
                };
                let value_adapter = self.adapter(value);
                if key_adapter.is_none() && value_adapter.is_none() {
                    return None;
                }
                Some(format!(
                    "{}<{}, {}>",
                    self.std("BTreeMap"),
                    key_adapter.unwrap_or_else(|| self.same()),
                    value_adapter.unwrap_or_else(|| self.same())
                ))
            }
            TypeRef::Optional { inner } => self
                .adapter(inner)
                .map(|a| format!("{}<{a}>", self.std("Option"))),
        }
    }

    fn adapter_or_same(&self, ty: &TypeRef) -> String {
        self.adapter(ty).unwrap_or_else(|| self.same())
    }

    /// Whether a type use, written as a field or an alias, passes clippy's `type_complexity`
    /// threshold (a score over 250).
    fn complex(&self, ty: &TypeRef) -> bool {
        clippy_type_score(ty, 1) > CLIPPY_TYPE_COMPLEXITY_THRESHOLD
    }

    /// Whether a parameter or result type may pass clippy's threshold inside the generated
    /// signatures' own wrappers (`Result<..>`, `ItemStream<..>`, a future's output): scored
    /// two levels deeper, plus those wrappers' own cost.
    fn complex_in_signature(&self, ty: &TypeRef) -> bool {
        const WRAPPERS: u64 = 40;
        clippy_type_score(ty, 3) + WRAPPERS > CLIPPY_TYPE_COMPLEXITY_THRESHOLD
    }

    /// Whether a type use mentions a deprecated named type.
    fn mentions_deprecated(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::Primitive { .. } => false,
            TypeRef::Named { id } => self.ir.ty(*id).meta.deprecated.is_some(),
            TypeRef::Array { element } => self.mentions_deprecated(element),
            TypeRef::Map { key, value } => {
                self.mentions_deprecated(key) || self.mentions_deprecated(value)
            }
            TypeRef::Optional { inner } => self.mentions_deprecated(inner),
        }
    }

    fn field_view(&self, field: &Field, here: Option<&str>) -> FieldView {
        let name = member_ident(&field.name);
        let optional = matches!(field.ty, TypeRef::Optional { .. });
        let (ty, adapter) = match (&field.ty, field.boxed) {
            (TypeRef::Optional { inner }, true) => (
                format!(
                    "{}<{}<{}>>",
                    self.std("Option"),
                    self.std("Box"),
                    self.rust_type(inner, here)
                ),
                self.adapter(inner)
                    .map(|a| format!("{}<{}<{a}>>", self.std("Option"), self.std("Box"))),
            ),
            (ty, true) => (
                format!("{}<{}>", self.std("Box"), self.rust_type(ty, here)),
                self.adapter(ty)
                    .map(|a| format!("{}<{a}>", self.std("Box"))),
            ),
            (ty, false) => (self.rust_type(ty, here), self.adapter(ty)),
        };
        FieldView {
            attrs: self.attrs(&field.docs, &field.deprecated, &field.since, false),
            rename: rename_if_needed(&name, &field.name),
            name,
            ty,
            optional,
            adapter,
            field_line: String::new(),
            adapter_line: String::new(),
        }
    }

    fn type_view(&self, id: TypeId, here: Option<&str>) -> TypeView {
        let def = self.ir.ty(id);
        let mut view = TypeView {
            attrs: self.meta_attrs(&def.meta, false),
            extra_attrs: self.options.attributes_of(&def.meta.qualified_name),
            name: type_ident(&def.meta.name),
            is_struct: false,
            is_enum: false,
            is_union: false,
            is_alias: false,
            hashable: self.hashable[id.0 as usize],
            default: false,
            serde_as: false,
            thrown: self.options.server && self.thrown[id.0 as usize],
            fields: Vec::new(),
            variants: Vec::new(),
            target: String::new(),
            rt: self.rt.clone(),
            derive: String::new(),
            alias_line: String::new(),
        };
        match &def.kind {
            TypeDefKind::Struct { fields } => {
                view.is_struct = true;
                view.default = !fields.is_empty()
                    && fields
                        .iter()
                        .all(|f| matches!(f.ty, TypeRef::Optional { .. }));
                view.fields = fields.iter().map(|f| self.field_view(f, here)).collect();
                view.serde_as = view.fields.iter().any(|f| f.adapter.is_some());
                view.attrs.allow_deprecated =
                    fields.iter().any(|f| self.mentions_deprecated(&f.ty));
                view.attrs.allow_complex = fields.iter().any(|f| self.complex(&f.ty));
            }
            TypeDefKind::Enum { variants } => {
                view.is_enum = true;
                view.variants = variants
                    .iter()
                    .map(|v| {
                        let name = type_ident(&v.name);
                        VariantView {
                            attrs: self.attrs(&v.docs, &v.deprecated, &None, false),
                            rename: rename_if_needed(&name, &v.name),
                            name,
                            unit: true,
                            fields: Vec::new(),
                            one_line: None,
                        }
                    })
                    .collect();
            }
            TypeDefKind::Union { variants } => {
                view.is_union = true;
                view.variants = variants
                    .iter()
                    .map(|v| {
                        let name = type_ident(&v.name);
                        VariantView {
                            attrs: self.attrs(&v.docs, &v.deprecated, &None, false),
                            rename: rename_if_needed(&name, &v.name),
                            name,
                            unit: v.unit,
                            fields: v.fields.iter().map(|f| self.field_view(f, here)).collect(),
                            one_line: None,
                        }
                    })
                    .collect();
                view.serde_as = view
                    .variants
                    .iter()
                    .any(|v| v.fields.iter().any(|f| f.adapter.is_some()));
                view.attrs.allow_deprecated = variants
                    .iter()
                    .any(|v| v.fields.iter().any(|f| self.mentions_deprecated(&f.ty)));
                view.attrs.allow_complex = variants
                    .iter()
                    .any(|v| v.fields.iter().any(|f| self.complex(&f.ty)));
                view.attrs.allow_large_variant = variants.iter().any(|v| {
                    v.fields
                        .iter()
                        .map(|f| self.field_size(f))
                        .fold(0, u64::saturating_add)
                        >= CLIPPY_LARGE_VARIANT_THRESHOLD
                });
            }
            TypeDefKind::Alias { target } => {
                view.is_alias = true;
                view.target = self.rust_type(target, here);
                view.attrs.allow_deprecated = self.mentions_deprecated(target);
                view.attrs.allow_complex = self.complex(target);
            }
        }
        view
    }

    /// An upper bound of the size in bytes of a type use in the generated Rust: every scalar and
    /// C-like enum 8 (its size with padding, at most), `String`, `Vec` and `BTreeMap` 24, an
    /// `Option` 8 more than its value, a union 8 more than its largest variant, a boxed field 8.
    fn size_bound(&self, ty: &TypeRef) -> u64 {
        match ty {
            TypeRef::Primitive { primitive } => match primitive {
                Primitive::String | Primitive::Bytes => 24,
                _ => 8,
            },
            TypeRef::Array { .. } | TypeRef::Map { .. } => 24,
            TypeRef::Optional { inner } => 8u64.saturating_add(self.size_bound(inner)),
            TypeRef::Named { id } => self.named_size_bound(*id),
        }
    }

    fn field_size(&self, field: &Field) -> u64 {
        if field.boxed {
            8
        } else {
            self.size_bound(&field.ty)
        }
    }

    fn named_size_bound(&self, id: TypeId) -> u64 {
        let index = id.0 as usize;
        let cached = self.sizes.borrow().get(index).copied().flatten();
        if let Some(size) = cached {
            return size;
        }
        // A type reaches itself only through a box, an array or a map, none of which this
        // follows; the placeholder only guards against a model that breaks that invariant.
        self.sizes.borrow_mut()[index] = Some(8);
        let sum = |fields: &[Field]| {
            fields
                .iter()
                .map(|f| self.field_size(f))
                .fold(0, u64::saturating_add)
        };
        let size = match &self.ir.ty(id).kind {
            TypeDefKind::Struct { fields } => sum(fields),
            TypeDefKind::Enum { .. } => 8,
            TypeDefKind::Union { variants } => {
                8u64.saturating_add(variants.iter().map(|v| sum(&v.fields)).max().unwrap_or(0))
            }
            TypeDefKind::Alias { target } => self.size_bound(target),
        };
        self.sizes.borrow_mut()[index] = Some(size);
        size
    }

    // ----- interfaces and notifications -----

    fn param_view(&self, index: usize, param: &Param, here: Option<&str>) -> ParamView {
        let rt = &self.rt;
        let inner = match (&param.ty, param.optional) {
            (TypeRef::Optional { inner }, true) => inner.as_ref(),
            (ty, _) => ty,
        };
        let ty = self.rust_type(&param.ty, here);
        let (ty, client_ty, into_ty) = if param.stream {
            (
                format!("{rt}::ItemStream<{ty}>"),
                format!("impl {rt}::Stream<Item = {ty}> + {rt}::Send + 'static"),
                None,
            )
        } else if self.takes_into(&param.ty) {
            (ty.clone(), format!("impl {rt}::Into<{ty}>"), Some(ty))
        } else {
            (ty.clone(), ty, None)
        };
        ParamView {
            name: member_ident(&param.name),
            local: param_local(&param.name, index),
            wire_name: literal(&param.name),
            ty,
            client_ty,
            client_value: String::new(),
            into_ty,
            adapter: self.adapter_or_same(&param.ty),
            stream: param.stream,
            optional: param.optional,
            inner_adapter: self.adapter_or_same(inner),
            decode_line: String::new(),
        }
    }

    /// A client parameter of type `string` or `bytes` (or an alias of one) takes
    /// `impl Into<String>` / `impl Into<Vec<u8>>`: `&str`, `&[u8]` and arrays convert with the
    /// copy the caller had to make before, and an owned `String` or `Vec<u8>` moves in as it
    /// did. Optional ones keep `Option<T>`, where `None` would leave `impl Into` uninferable.
    fn takes_into(&self, ty: &TypeRef) -> bool {
        matches!(
            self.ir.resolve_alias(ty),
            TypeRef::Primitive {
                primitive: Primitive::String | Primitive::Bytes
            }
        )
    }

    /// The parameters of a method or event. A name without a letter (`_`, `_0`) would be read
    /// as a user const of that name in a parameter pattern (`const _0` is `_0` in Rust too), so
    /// it takes a `p` (`p_0`); parameter names are not part of a Rust function's API.
    fn params_view(&self, params: &[Param], here: Option<&str>) -> Vec<ParamView> {
        let mut views: Vec<ParamView> = params
            .iter()
            .enumerate()
            .map(|(index, p)| self.param_view(index, p, here))
            .collect();
        let mut taken: Vec<String> = views.iter().map(|p| p.name.clone()).collect();
        for view in &mut views {
            if !view.name.chars().any(|c| c.is_ascii_alphabetic()) {
                view.name = unique_name(&format!("p{}", view.name), &taken);
                taken.push(view.name.clone());
            }
            view.client_value = match &view.into_ty {
                Some(ty) => format!("{}::Into::<{ty}>::into({})", self.rt, view.name),
                None => view.name.clone(),
            };
        }
        views
    }

    fn method_view(&self, method: &Method, here: Option<&str>) -> MethodView {
        let rt = &self.rt;
        let params = self.params_view(&method.params, here);
        let taken: Vec<String> = params.iter().map(|p| p.name.clone()).collect();
        let trait_name = member_ident(&method.name);
        let client_name = avoid_reserved(trait_name.clone(), CLIENT_RESERVED);
        let result_ty = match &method.result {
            Some(ty) => self.rust_type(ty, here),
            None => "()".to_string(),
        };
        let throws = method.throws.map(|id| self.type_path(id, here));
        let handler_error = match &throws {
            Some(error) => format!("{rt}::Raised<{error}>"),
            None => format!("{rt}::HandlerError"),
        };
        let client_error = match &throws {
            Some(error) => format!("{rt}::CallError<{error}>"),
            None => format!("{rt}::IpcError"),
        };
        let input = params.iter().find(|p| p.stream);
        let input_stream = input.is_some();
        let (input_name, input_adapter) = input
            .map(|p| (p.name.clone(), p.adapter.clone()))
            .unwrap_or_default();
        let (trait_return, client_return) = if method.result_stream {
            (
                format!("impl {rt}::HandledItems<{result_ty}, {handler_error}>"),
                format!("impl {rt}::CallItems<{result_ty}, {client_error}>"),
            )
        } else if input_stream {
            (
                format!("impl {rt}::Handled<{result_ty}, {handler_error}>"),
                format!("{rt}::Result<{result_ty}, {client_error}>"),
            )
        } else {
            (
                format!("impl {rt}::Handled<{result_ty}, {handler_error}>"),
                format!("impl {rt}::Called<{result_ty}, {client_error}>"),
            )
        };
        MethodView {
            attrs: self.attrs(&method.docs, &method.deprecated, &method.since, false),
            trait_odd_self: odd_self(&trait_name),
            client_odd_self: odd_self(&client_name),
            client_name,
            trait_name,
            wire_name: literal(&method.name),
            ctx: unique_name("ctx", &taken),
            has_params: !params.is_empty(),
            trait_many_args: params.len() + 2 > CLIPPY_MAX_ARGS,
            client_many_args: params.len() + 1 > CLIPPY_MAX_ARGS,
            params,
            result_ty,
            result_adapter: match &method.result {
                Some(ty) => self.adapter_or_same(ty),
                None => self.same(),
            },
            throws,
            result_stream: method.result_stream,
            input_stream,
            input_name,
            input_adapter,
            streams: match (input_stream, method.result_stream) {
                (false, false) => "NONE",
                (true, false) => "INPUT",
                (false, true) => "OUTPUT",
                (true, true) => "BOTH",
            },
            trait_return,
            client_return,
            trait_sig: String::new(),
            client_sig: String::new(),
            client_body: String::new(),
            dispatch_call: String::new(),
            forward_line: String::new(),
            reply_line: String::new(),
        }
    }

    fn method_mentions_deprecated(&self, method: &Method) -> bool {
        method.deprecated.is_some()
            || method
                .params
                .iter()
                .any(|p| self.mentions_deprecated(&p.ty))
            || method
                .result
                .as_ref()
                .is_some_and(|r| self.mentions_deprecated(r))
            || method
                .throws
                .is_some_and(|id| self.ir.ty(id).meta.deprecated.is_some())
    }

    fn interface_view(&self, def: &Interface, here: Option<&str>) -> InterfaceView {
        let base = pascal_case(&def.meta.name);
        let shouty = shouty_snake_case(&def.meta.name);
        let allow_deprecated = def.meta.deprecated.is_some()
            || def
                .methods
                .iter()
                .any(|m| self.method_mentions_deprecated(m));
        let allow_complex = def.methods.iter().any(|m| {
            m.params.iter().any(|p| self.complex_in_signature(&p.ty))
                || m.result
                    .as_ref()
                    .is_some_and(|r| self.complex_in_signature(r))
        });
        // clippy's `result_large_err` fires at 128 bytes; `CallError<E>` holds `E` and a tag.
        let allow_large_err = def.methods.iter().any(|m| {
            m.throws
                .is_some_and(|id| self.named_size_bound(id) >= CLIPPY_LARGE_ERR_THRESHOLD - 8)
        });
        let mut attrs = self.meta_attrs(&def.meta, allow_deprecated);
        attrs.allow_complex = allow_complex;
        attrs.allow_large_err = allow_large_err;
        InterfaceView {
            allow_large_err,
            attrs,
            server: self.options.server,
            client: self.options.client,
            idl_name: def.meta.name.clone(),
            trait_name: type_ident(&def.meta.name),
            dispatch_name: format!("{base}Dispatch"),
            client_name: format!("{base}Client"),
            type_param: HANDLER_TYPE_PARAM.to_string(),
            register_fn: format!("register_{}", fn_suffix(&def.meta.name)),
            channel_const: format!("{shouty}_CHANNEL"),
            emit_channel_const: true,
            channel_value: String::new(),
            hash_const: format!("{shouty}_SCHEMA_HASH"),
            wire_schemas_const: WIRE_SCHEMAS_CONST.to_string(),
            spec_const: format!("{shouty}_SPEC"),
            channel: literal(&def.channel),
            schema_hash: literal(&def.schema_hash),
            allow_deprecated,
            allow_complex,
            has_methods: !def.methods.is_empty(),
            has_dispatch_methods: def.methods.iter().any(|m| !m.result_stream),
            has_streams: def
                .methods
                .iter()
                .any(|m| m.result_stream || m.params.iter().any(|p| p.stream)),
            has_output_streams: def.methods.iter().any(|m| m.result_stream),
            methods: def
                .methods
                .iter()
                .map(|m| self.method_view(m, here))
                .collect(),
            rt: self.rt.clone(),
            channel_const_line: String::new(),
            hash_const_line: String::new(),
            dispatch_impl_line: String::new(),
            register_sig: String::new(),
            register_call: String::new(),
        }
    }

    fn event_view(&self, event: &Event, here: Option<&str>) -> EventView {
        let params = self.params_view(&event.params, here);
        let name = member_ident(&event.name);
        let sender_name = avoid_reserved(name.clone(), SENDER_RESERVED);
        EventView {
            attrs: self.attrs(&event.docs, &event.deprecated, &event.since, false),
            odd_self: odd_self(&sender_name) || odd_self(&name),
            sender_name,
            listener_name: name,
            wire_name: literal(&event.name),
            has_params: !params.is_empty(),
            many_args: params.len() + 1 > CLIPPY_MAX_ARGS,
            params,
            sender_sig: String::new(),
            sender_body: String::new(),
            listener_sig: String::new(),
            ignore_line: String::new(),
            listener_call: String::new(),
        }
    }

    fn notifications_view(&self, def: &Notifications, here: Option<&str>) -> NotificationsView {
        let base = pascal_case(&def.meta.name);
        let shouty = shouty_snake_case(&def.meta.name);
        let allow_deprecated = def.meta.deprecated.is_some()
            || def.events.iter().any(|e| {
                e.deprecated.is_some() || e.params.iter().any(|p| self.mentions_deprecated(&p.ty))
            });
        let allow_complex = def
            .events
            .iter()
            .any(|e| e.params.iter().any(|p| self.complex_in_signature(&p.ty)));
        let mut attrs = self.meta_attrs(&def.meta, allow_deprecated);
        attrs.allow_complex = allow_complex;
        NotificationsView {
            attrs,
            server: self.options.server,
            client: self.options.client,
            idl_name: def.meta.name.clone(),
            sender_name: format!("{base}Sender"),
            listener_name: format!("{base}Listener"),
            type_param: LISTENER_TYPE_PARAM.to_string(),
            listen_fn: format!("listen_{}", fn_suffix(&def.meta.name)),
            channel_const: format!("{shouty}_CHANNEL"),
            emit_channel_const: true,
            channel_value: String::new(),
            hash_const: format!("{shouty}_SCHEMA_HASH"),
            wire_schemas_const: WIRE_SCHEMAS_CONST.to_string(),
            spec_const: format!("{shouty}_SPEC"),
            channel: literal(&def.channel),
            schema_hash: literal(&def.schema_hash),
            allow_deprecated,
            allow_complex,
            has_events: !def.events.is_empty(),
            events: def
                .events
                .iter()
                .map(|e| self.event_view(e, here))
                .collect(),
            rt: self.rt.clone(),
            channel_const_line: String::new(),
            hash_const_line: String::new(),
            declare_line: String::new(),
            to_sig: String::new(),
            listen_sig: String::new(),
            add_listener_line: String::new(),
        }
    }
}

/// By `TypeId`, whether some method `throws` the type, directly or through aliases (which
/// name the same Rust type). Each output file defines every type it reaches once, so
/// `From<E> for Raised<E>` goes beside the definition: one impl per type however many methods
/// throw it, under whichever names.
fn thrown_types(ir: &Ir) -> Vec<bool> {
    let mut thrown = vec![false; ir.types.len()];
    for method in ir.interfaces.iter().flat_map(|i| &i.methods) {
        if let Some(id) = method.throws {
            // Validation guarantees an alias thrown resolves to a struct, enum or union.
            if let TypeRef::Named { id } = ir.resolve_alias(&TypeRef::Named { id }) {
                thrown[id.0 as usize] = true;
            }
        }
    }
    thrown
}

/// By `TypeId`, whether each type can derive `Eq` and `Hash`: not when a float (`f32`, `f64`,
/// which have neither) is anywhere in it, through fields, variants, containers, aliases and
/// other named types. A type with a float is marked, then everything that refers to it, and so
/// on (one pass over the references, so a long chain of types costs no more than a wide one).
pub(super) fn hashable_types(ir: &Ir) -> Vec<bool> {
    fn visit(ty: &TypeRef, float: &mut bool, refs: &mut Vec<usize>) {
        match ty {
            TypeRef::Primitive { primitive } => {
                *float |= matches!(primitive, Primitive::F32 | Primitive::F64)
            }
            TypeRef::Named { id } => refs.push(id.0 as usize),
            TypeRef::Array { element } => visit(element, float, refs),
            TypeRef::Optional { inner } => visit(inner, float, refs),
            TypeRef::Map { key, value } => {
                visit(key, float, refs);
                visit(value, float, refs);
            }
        }
    }
    let mut hashable = vec![true; ir.types.len()];
    let mut users: Vec<Vec<usize>> = vec![Vec::new(); ir.types.len()];
    let mut unhashable = Vec::new();
    for (index, def) in ir.types.iter().enumerate() {
        let (mut float, mut refs) = (false, Vec::new());
        match &def.kind {
            TypeDefKind::Struct { fields } => fields
                .iter()
                .for_each(|f| visit(&f.ty, &mut float, &mut refs)),
            TypeDefKind::Union { variants } => variants
                .iter()
                .flat_map(|v| &v.fields)
                .for_each(|f| visit(&f.ty, &mut float, &mut refs)),
            TypeDefKind::Alias { target } => visit(target, &mut float, &mut refs),
            TypeDefKind::Enum { .. } => {}
        }
        for used in refs {
            users[used].push(index);
        }
        if float {
            unhashable.push(index);
        }
    }
    while let Some(index) = unhashable.pop() {
        if std::mem::replace(&mut hashable[index], false) {
            unhashable.extend(&users[index]);
        }
    }
    hashable
}

/// A type use as the file generated for root `from` spells it at its top level (`Person`,
/// `people::Person`, `::std::vec::Vec<i64>`); with no root, as the file of a root without a
/// package would. For user templates (`rust_type`); every id in `ty` must exist.
pub(crate) fn type_spelling(ir: &Ir, ty: &TypeRef, from: Option<FileId>) -> String {
    let builder = ViewBuilder {
        ir,
        options: &super::RustOptions::default(),
        hashable: Vec::new(),
        thrown: Vec::new(),
        root_package: from.and_then(|file| ir.file(file).package.clone()),
        sizes: std::cell::RefCell::new(vec![None; ir.types.len()]),
        rt: "::ipcc_runtime::codegen".to_string(),
        absolute: true,
    };
    builder.rust_type(ty, None)
}

/// Whether clippy's `wrong_self_convention` expects a method of this name not to take `&self`
/// (`new`, `from_*`, `into_*`, `to_*_mut`); generated methods always take `&self`.
fn odd_self(name: &str) -> bool {
    let name = unraw(name);
    name == "new"
        || name.starts_with("from_")
        || name.starts_with("into_")
        || (name.starts_with("to_") && name.ends_with("_mut"))
}

/// Lays out a package module's items and those of the modules below it (`depth` modules deep).
fn lay_out_package(module: &mut PackageModule, rt: &str, depth: usize) {
    module.rt = rt.to_string();
    module.empty = module.is_empty();
    lay_out_module(&mut module.body, rt, depth + 1);
    for child in &mut module.children {
        lay_out_package(child, rt, depth + 1);
    }
}

/// Fills the laid-out lines of a module's items: the templates write each at indentation zero
/// and the generator indents it by the module's depth, so the width left is narrower.
fn lay_out_module(module: &mut ModuleView, rt: &str, depth: usize) {
    let width = layout::MAX_WIDTH.saturating_sub(4 * depth);
    for c in module.consts.iter_mut().chain(module.wire_schemas.as_mut()) {
        let prefix = format!("pub const {}: {} = ", c.name, c.ty);
        c.line = layout::field(0, &prefix, &c.value, ";", width);
    }
    // Items are laid out independently, so a large module's are spread over the cores (as its
    // items are formatted, `super::format_items`).
    enum Piece<'a> {
        Type(&'a mut TypeView),
        Interface(&'a mut InterfaceView),
        Notifications(&'a mut NotificationsView),
    }
    let pieces: Vec<Piece<'_>> = (module.types.iter_mut().map(Piece::Type))
        .chain(module.interfaces.iter_mut().map(Piece::Interface))
        .chain(module.notifications.iter_mut().map(Piece::Notifications))
        .collect();
    let threads = super::worker_count(pieces.len());
    crate::parallel::map_in_order(pieces, threads, |piece| match piece {
        Piece::Type(t) => lay_out_type(t, rt, width),
        Piece::Interface(i) => lay_out_interface(i, rt, width),
        Piece::Notifications(n) => lay_out_notifications(n, rt, width),
    });
}

fn lay_out_type(t: &mut TypeView, rt: &str, width: usize) {
    let mut derives: Vec<String> = if t.is_enum {
        [
            "Debug",
            "Clone",
            "Copy",
            "PartialEq",
            "Eq",
            "Hash",
            "PartialOrd",
            "Ord",
        ]
        .map(String::from)
        .to_vec()
    } else {
        let mut d: Vec<String> = ["Debug", "Clone", "PartialEq"].map(String::from).to_vec();
        if t.hashable {
            d.extend(["Eq".to_string(), "Hash".to_string()]);
        }
        if t.default {
            d.push("Default".to_string());
        }
        d
    };
    derives.push(format!("{rt}::Serialize"));
    derives.push(format!("{rt}::Deserialize"));
    t.derive = layout::derive(0, &derives, width);
    for f in &mut t.fields {
        f.field_line = layout::field(4, &format!("pub {}: ", f.name), &f.ty, ",", width);
        if let Some(adapter) = &f.adapter {
            let inner = format!("as = \"{adapter}\"");
            f.adapter_line = layout::attribute(4, "serde_as", &inner, width);
        }
    }
    for v in &mut t.variants {
        for f in &mut v.fields {
            f.field_line = layout::field(8, &format!("{}: ", f.name), &f.ty, ",", width);
            if let Some(adapter) = &f.adapter {
                let inner = format!("as = \"{adapter}\"");
                f.adapter_line = layout::attribute(8, "serde_as", &inner, width);
            }
        }
        // rustfmt's `struct_variant_width`: fields without attributes that fit in it share the
        // variant's line.
        let bare = v.fields.iter().all(|f| {
            f.attrs.docs.is_empty()
                && !f.attrs.deprecated
                && f.rename.is_none()
                && !f.optional
                && f.adapter.is_none()
        });
        let fields: Vec<String> = v
            .fields
            .iter()
            .map(|f| format!("{}: {}", f.name, f.ty))
            .collect();
        let inner = fields.join(", ");
        let line = format!("    {} {{ {inner} }},", v.name);
        if !v.fields.is_empty() && bare && inner.len() <= 35 && line.len() <= width {
            v.one_line = Some(line);
        }
    }
    if t.is_alias {
        let prefix = format!("pub type {} = ", t.name);
        t.alias_line = layout::field(0, &prefix, &t.target, ";", width);
    }
}

fn lay_out_interface(i: &mut InterfaceView, rt: &str, width: usize) {
    let channel = format!("pub const {}: &str = ", i.channel_const);
    i.channel_const_line = layout::field(0, &channel, &i.channel_value, ";", width);
    let hash = format!("pub const {}: &str = ", i.hash_const);
    i.hash_const_line = layout::field(0, &hash, &i.schema_hash, ";", width);
    let (tp, tr) = (&i.type_param, &i.trait_name);
    let head = format!("impl<{tp}: {tr}> {rt}::Dispatch");
    let target = format!("for {}<{tp}>", i.dispatch_name);
    i.dispatch_impl_line = if head.len() + target.len() + 3 <= width {
        format!("{head} {target} {{")
    } else {
        format!("{head}\n    {target}\n{{")
    };
    i.register_sig = layout::signature(
        0,
        &format!("pub fn {}<{tp}: {tr}>", i.register_fn),
        &[format!("host: &{rt}::IpcHost"), format!("handler: {tp}")],
        &format!("{rt}::Registration"),
        " {",
        width,
    );
    let register = format!("{rt}::IpcHost::register");
    let args = [
        "host".to_string(),
        i.spec_const.clone(),
        format!("{rt}::Arc::new(dispatch)"),
    ];
    i.register_call = layout::call(4, "", &register, &args, "", width);
    for m in &mut i.methods {
        let mut params = vec!["&self".to_string(), format!("{}: {rt}::CallContext", m.ctx)];
        params.extend(m.params.iter().map(|p| format!("{}: {}", p.name, p.ty)));
        let head = format!("fn {}", m.trait_name);
        m.trait_sig = layout::signature(4, &head, &params, &m.trait_return, ";", width);
        let mut params = vec!["&self".to_string()];
        params.extend(
            m.params
                .iter()
                .map(|p| format!("{}: {}", p.name, p.client_ty)),
        );
        let head = if m.input_stream && !m.result_stream {
            format!("pub async fn {}", m.client_name)
        } else {
            format!("pub fn {}", m.client_name)
        };
        m.client_sig = layout::signature(4, &head, &params, &m.client_return, " {", width);
        let mut args = vec!["&handler".to_string(), "ctx".to_string()];
        args.extend(m.params.iter().map(|p| p.local.clone()));
        let local = if m.result_stream { "items" } else { "future" };
        let callee = format!("<{tp} as {tr}>::{}", m.trait_name);
        m.dispatch_call = layout::call(20, &format!("let {local} = "), &callee, &args, ";", width);
        m.client_body = client_body(m, rt, &i.channel_const, width);
        let forward = format!("sink.forward::<_, {}, _, _>", m.result_adapter);
        let args = ["items".to_string(), format!("{rt}::failure")];
        m.forward_line = layout::call(20, "let forwarded = ", &forward, &args, ";", width);
        let reply = format!("{rt}::reply::<_, {}, _>(future.await)", m.result_adapter);
        m.reply_line = layout::statement(20, "", &reply, "", width);
        lay_out_decoding(&mut m.params, 20, width);
    }
}

/// The body of a client method: encode the arguments, call, decode the result. Each argument
/// is encoded into a local of its own, so that every statement is a short one whose layout
/// does not depend on the others.
fn client_body(m: &MethodView, rt: &str, channel: &str, width: usize) -> String {
    let mut taken: Vec<String> = m.params.iter().map(|p| p.name.clone()).collect();
    let mut local = |base: &str| {
        let name = unique_name(base, &taken);
        taken.push(name.clone());
        name
    };
    let [args, input, call, value] = ["args", "input", "call", "value"].map(&mut local);
    let mut lines = Vec::new();
    // Every method but one with an input stream and no result stream returns a future or a
    // stream the runtime builds (`call`, `call_declared`, `call_stream`): its arguments are
    // passed encoded, each a `Result`, instead of `?` in an `async fn` of its own.
    let stream = m.result_stream || !m.input_stream;
    let mut elements = Vec::new();
    for (index, p) in m.params.iter().enumerate() {
        if p.stream {
            elements.push(if stream {
                format!("{rt}::Ok({rt}::stream_slot())")
            } else {
                format!("{rt}::stream_slot()")
            });
            continue;
        }
        let encoded = local(&format!("encoded_arg_{index}"));
        if let Some(ty) = &p.into_ty {
            let prefix = format!("let {}: {ty} = ", p.name);
            let expr = format!("{rt}::Into::into({})", p.name);
            lines.push(layout::statement(8, &prefix, &expr, ";", width));
        }
        let expr = format!("{rt}::encode_arg::<_, {}>({})", p.adapter, p.name);
        let suffix = if stream { ";" } else { "?;" };
        let prefix = format!("let {encoded} = ");
        lines.push(layout::statement(8, &prefix, &expr, suffix, width));
        elements.push(encoded);
    }
    if elements.is_empty() {
        let item = if stream {
            format!("{rt}::Result<{rt}::Payload, {rt}::IpcError>")
        } else {
            format!("{rt}::Payload")
        };
        lines.push(format!("        let {args}: [{item}; 0] = [];"));
    } else {
        lines.push(layout::array(
            8,
            &format!("let {args} = "),
            &elements,
            ";",
            width,
        ));
    }
    if m.input_stream {
        let encode = format!(
            "{rt}::encode_items::<_, {}, _>({})",
            m.input_adapter, m.input_name
        );
        let prefix = format!("let {input} = ");
        lines.push(layout::statement(8, &prefix, &encode, ";", width));
    }
    let (conn, options) = ("&self.conn".to_string(), "&self.options".to_string());
    let target = [conn, channel.to_string(), m.wire_name.clone(), args];
    let prefix = format!("let {call} = ");
    if !m.result_stream && !m.input_stream {
        let all = [&target[..], &[options]].concat();
        let (path, mut generics) = match &m.throws {
            Some(error) => (format!("{rt}::call_declared"), vec![error.clone()]),
            None => (format!("{rt}::call"), vec![]),
        };
        generics.splice(0..0, [m.result_ty.clone(), m.result_adapter.clone()]);
        let callee = format!("{path}::<{}>", generics.join(", "));
        // rustfmt lets the head run three columns past the width (`layout.rs`).
        let head = format!("        {callee}(");
        if head.len() <= width + 3 {
            lines.push(layout::call(8, "", &callee, &all, "", width));
        } else {
            // As rustfmt breaks a turbofish too long for its line: one type a line, then the
            // arguments after the closing `>`.
            let mut text = format!("        {path}::<\n");
            for generic in &generics {
                text.push_str(&format!("            {generic},\n"));
            }
            text.push_str(&layout::call(8, ">", "", &all, "", width));
            lines.push(text);
        }
    } else if stream {
        let input = if m.input_stream {
            format!("{rt}::Some({input})")
        } else {
            format!("{rt}::None")
        };
        let all = [&target[..], &[input, options]].concat();
        let callee = format!("{rt}::call_stream");
        lines.push(layout::call(8, &prefix, &callee, &all, ";", width));
        let decode = format!("{rt}::decode_items::<_, {}>({call})", m.result_adapter);
        match &m.throws {
            Some(error) => {
                let prefix = format!("let {value} = ");
                lines.push(layout::statement(8, &prefix, &decode, ";", width));
                let map = format!("{rt}::StreamExt::map");
                let args = [value, format!("{rt}::declared_item::<_, {error}>")];
                lines.push(layout::call(8, "", &map, &args, "", width));
            }
            None => lines.push(layout::statement(8, "", &decode, "", width)),
        }
    } else {
        let (callee, all) = if m.input_stream {
            let all = [&target[..], &[input, options]].concat();
            (format!("{rt}::IpcConnection::call_with_input"), all)
        } else {
            let all = [&target[..], &[options]].concat();
            (format!("{rt}::IpcConnection::call"), all)
        };
        lines.push(layout::call(8, &prefix, &callee, &all, ";", width));
        let decode = format!("{rt}::decode_result::<_, {}>", m.result_adapter);
        if m.throws.is_some() {
            lines.push(format!(
                "        let {value} = {call}.await.map_err({rt}::CallError::from_ipc)?;"
            ));
            // `?` turns the decode failure's `IpcError` into `CallError::Ipc`. A unit result is
            // only checked: a `let` of `()` is clippy's `let_unit_value`.
            if m.result_ty == "()" {
                let decode = format!("{rt}::decode_result::<(), {}>", m.result_adapter);
                let expr = format!("{decode}({value})");
                lines.push(layout::statement(8, "", &expr, "?;", width));
                lines.push(format!("        {rt}::Ok(())"));
            } else {
                let expr = format!("{decode}({value})");
                let prefix = format!("let {value} = ");
                lines.push(layout::statement(8, &prefix, &expr, "?;", width));
                lines.push(format!("        {rt}::Ok({value})"));
            }
        } else {
            let expr = format!("{decode}({call}.await?)");
            lines.push(layout::statement(8, "", &expr, "", width));
        }
    }
    lines.join("\n")
}

fn lay_out_notifications(n: &mut NotificationsView, rt: &str, width: usize) {
    let channel = format!("pub const {}: &str = ", n.channel_const);
    n.channel_const_line = layout::field(0, &channel, &n.channel_value, ";", width);
    let hash = format!("pub const {}: &str = ", n.hash_const);
    n.hash_const_line = layout::field(0, &hash, &n.schema_hash, ";", width);
    let declare = format!("{rt}::IpcHost::declare_notifications");
    let spec = ["host".to_string(), n.spec_const.clone()];
    n.declare_line = layout::call(8, "", &declare, &spec, ";", width);
    n.to_sig = layout::signature(
        4,
        "pub fn to",
        &[
            format!("host: &{rt}::IpcHost"),
            format!("connection: {rt}::ConnectionId"),
        ],
        "Self",
        " {",
        width,
    );
    let (tp, listener) = (&n.type_param, &n.listener_name);
    n.listen_sig = layout::signature(
        0,
        &format!("pub fn {}<{tp}: {listener}>", n.listen_fn),
        &[
            format!("conn: &{rt}::IpcConnection"),
            format!("listener: {tp}"),
        ],
        &format!("{rt}::ListenerHandle"),
        " {",
        width,
    );
    let add = format!("{rt}::IpcConnection::add_listener");
    let args = [
        "conn".to_string(),
        n.channel_const.clone(),
        "listen".to_string(),
    ];
    n.add_listener_line = layout::call(4, "", &add, &args, "", width);
    for e in &mut n.events {
        let mut params = vec!["&self".to_string()];
        params.extend(e.params.iter().map(|p| format!("{}: {}", p.name, p.ty)));
        let result = format!("{rt}::Result<(), {rt}::IpcError>");
        let head = format!("pub fn {}", e.sender_name);
        e.sender_sig = layout::signature(4, &head, &params, &result, " {", width);
        let mut body = if e.params.is_empty() {
            format!("        let args: [{rt}::Payload; 0] = [];")
        } else {
            let elements: Vec<String> = e
                .params
                .iter()
                .map(|p| format!("{rt}::encode_arg::<_, {}>({})?", p.adapter, p.name))
                .collect();
            layout::array(8, "let args = ", &elements, ";", width)
        };
        let notify = format!("{rt}::NotifyTarget::notify");
        let args = [
            "&self.target".to_string(),
            n.channel_const.clone(),
            e.wire_name.clone(),
            "args".to_string(),
        ];
        body.push('\n');
        body.push_str(&layout::call(8, "", &notify, &args, "", width));
        e.sender_body = body;
        let head = format!("fn {}", e.listener_name);
        e.listener_sig = layout::signature(4, &head, &params, "", " {", width);
        let names: Vec<String> = e.params.iter().map(|p| p.name.clone()).collect();
        e.ignore_line = match names.as_slice() {
            [one] => format!("        let _ = {one};"),
            _ => layout::call(8, "let _ = ", "", &names, ";", width),
        };
        let mut args = vec!["&listener".to_string()];
        args.extend(e.params.iter().map(|p| p.local.clone()));
        let callee = format!("<{tp} as {listener}>::{}", e.listener_name);
        e.listener_call = layout::call(12, "", &callee, &args, ";", width);
        lay_out_decoding(&mut e.params, 12, width);
    }
}

/// Lays out the decoding of each parameter, inside a block `indent` deep.
fn lay_out_decoding(params: &mut [ParamView], indent: usize, width: usize) {
    for p in params {
        let expr = if p.stream {
            format!("args.next_stream::<_, {}>({})?", p.adapter, p.wire_name)
        } else if p.optional {
            format!(
                "args.next_optional::<_, {}>({})?",
                p.inner_adapter, p.wire_name
            )
        } else {
            format!("args.next::<_, {}>({})?", p.adapter, p.wire_name)
        };
        let prefix = format!("let {} = ", p.local);
        p.decode_line = layout::statement(indent, &prefix, &expr, ";", width);
    }
}
