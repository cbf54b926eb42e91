//! TypeScript generator: one ES module per source file, built from a view model and written out
//! by `emit.rs`.
//!
//! The view model ([`ModuleView`] and friends) holds everything already decided: identifiers
//! escaped and de-duplicated, TS type strings, codec expressions, TSDoc lines. The emitter only
//! lays it out: the head of a module (imports, consts), then one function per kind of
//! declaration, all into one `String`.
//!
//! Name safety, in one place:
//! - the runtime is imported as the namespace `$rt` and sibling modules as `$<stem>`; `$` cannot
//!   appear in an `.ipc` identifier, so no user name can shadow them;
//! - a global the generated code names (`Map`, `Promise`, `Uint8Array`, `Parameters`, …) is
//!   written `globalThis.X` in a module that declares a type of the same name;
//! - names the generator derives (`personCodec`, `callMyInterface`, …) never take a name the
//!   file declares: on a clash they get a `_` suffix, deterministically;
//! - bindings (parameters, declared names) go through [`crate::ident::ts_ident`]; property
//!   names are written as they are, except `__proto__`, which object literals only create as a
//!   computed key.
//!
//! Mapping decisions (DESIGN §4): maps are `Map<K, V>` (a `Record` cannot hold integer or bigint
//! keys exactly); `i64`/`u64` are `bigint`; a field or parameter written `name?: T` is an
//! optional property / parameter `name?: T`, one written `name: T?` is `name: T | undefined`
//! (as a field it is optional too, since the wire omits it); enums are a string-literal union
//! plus a same-named `as const` object; unions are discriminated on `kind`. Codecs of types
//! declared later in the same module, and recursive ones, go through `c.lazy`, because module
//! constants initialise in order. A `throws` type gets one `is<Type>` guard per module.
//!
//! Output compiles with no edits under `tsc --strict` plus `exactOptionalPropertyTypes`,
//! `noUncheckedIndexedAccess`, `noImplicitOverride`, `noUnusedLocals`, `noUnusedParameters`,
//! `verbatimModuleSyntax` and `isolatedModules` (`tests/ts/tsconfig.json` checks exactly that),
//! so it drops into any project's configuration.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use crate::ident::ts_ident;
use crate::ir::model::{
    ConstValue, Field, FileId, Interface, Ir, Notifications, Param, Primitive, TypeDefKind, TypeId,
    TypeRef, UnionVariant,
};
use crate::ir::wire_schema::{schema_set, ChannelRef};
use crate::GeneratedFile;

mod emit;

/// How generated code refers to the runtime package.
const RT: &str = "$rt";

/// Globals the generated code names; a module that declares one of these names refers to the
/// global through `globalThis.`.
const GLOBALS_USED: &[&str] = &[
    "Map",
    "Uint8Array",
    "Promise",
    "Parameters",
    "Partial",
    "AsyncIterable",
    "AsyncIterableIterator",
];

/// Why the TypeScript generator could not produce its files: a bug in the generator (the IR it
/// was given passed validation), reported with enough text to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TsGenError {
    /// A template failed to register or render. Not produced since the generator writes its
    /// text directly (`emit.rs`); kept so that callers' matches still compile.
    Template { message: String },
}

impl fmt::Display for TsGenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TsGenError::Template { message } => {
                write!(f, "ipcc bug: TypeScript template failed: {message}")
            }
        }
    }
}

impl std::error::Error for TsGenError {}

/// Generates one `.ts` module per source file of `ir`, sorted by path.
///
/// Should the generator fail (a bug), each module instead declares
/// `export const ipccGeneratorFailed: never = "<message>"`, which `tsc` rejects with the message,
/// so the failure shows in the build that uses it rather than as a panic. Callers that want the
/// error as a value use [`try_generate`].
pub fn generate(ir: &Ir) -> Vec<GeneratedFile> {
    match try_generate(ir) {
        Ok(files) => files,
        Err(error) => {
            let names = NameTables::build(ir);
            let mut files: Vec<GeneratedFile> = names
                .module_file
                .iter()
                .map(|path| GeneratedFile {
                    path: path.clone(),
                    contents: format!(
                        "// {error}\nexport const ipccGeneratorFailed: never = {};\n",
                        string_literal(&error.to_string())
                    ),
                })
                .collect();
            files.sort_by(|a, b| a.path.cmp(&b.path));
            files
        }
    }
}

/// Generates one `.ts` module per source file of `ir`, sorted by path, or the first error.
pub fn try_generate(ir: &Ir) -> Result<Vec<GeneratedFile>, TsGenError> {
    let names = NameTables::build(ir);
    let mut files = Vec::with_capacity(ir.files.len());
    let mut contents = String::new();
    for index in 0..ir.files.len() {
        let view = ModuleView::build(ir, &names, FileId(index as u32));
        contents.clear();
        emit::module_head(&mut contents, &view);
        let shared = SharedNames {
            rt: view.rt,
            partial: &view.partial,
            parameters: &view.parameters,
        };
        // Each declaration is followed by a blank line ([`tidy`] collapses any extra).
        for item in &view.types {
            emit::type_item(&mut contents, &shared, item);
            contents.push_str("\n\n");
        }
        for item in &view.interfaces {
            emit::interface(&mut contents, &shared, item);
            contents.push_str("\n\n");
        }
        for item in &view.notifications {
            emit::notifications(&mut contents, &shared, item);
            contents.push_str("\n\n");
        }
        for item in &view.guards {
            emit::guard(&mut contents, &shared, item);
            contents.push_str("\n\n");
        }
        files.push(GeneratedFile {
            path: names.module_file[index].clone(),
            contents: tidy(&contents),
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Collapses runs of blank lines left by skipped sections and trims trailing spaces, so the
/// emitter can write each section whole without tracking what came before it.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 1 || out.is_empty() {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

/// Every name the generated modules declare or refer to across modules, decided up front so a
/// module can name what a sibling module exports.
struct NameTables {
    /// Per file: the output file name (`<stem>.ts`, de-duplicated).
    module_file: Vec<String>,
    /// Per file: the namespace alias other modules import it as (`$people`).
    module_alias: Vec<String>,
    /// Per type: its TS name in its own module.
    type_name: Vec<String>,
    /// Per type: the name of its codec constant in its own module.
    codec_name: Vec<String>,
    /// Per file: derived names of interfaces, notifications and error guards.
    derived: Vec<DerivedNames>,
    /// Per file: globals shadowed by a declaration of the file.
    shadowed: Vec<BTreeSet<&'static str>>,
}

#[derive(Default)]
struct DerivedNames {
    /// Keyed by interface index in `Ir::interfaces`.
    interfaces: HashMap<usize, InterfaceNames>,
    /// Keyed by index in `Ir::notifications`.
    notifications: HashMap<usize, NotificationNames>,
    /// Error guards `is<Error>`, keyed by the thrown type.
    guards: BTreeMap<TypeId, String>,
}

struct InterfaceNames {
    name: String,
    channel: String,
    /// False when the file already declares a const of that name holding the channel.
    channel_const: bool,
    /// What the channel constant is set to: the file's const holding the channel, or the string.
    channel_value: String,
    schema_hash: String,
    descriptor: String,
    call: String,
    client: String,
    register: String,
    handler: String,
    /// `stream<Name>`, the `call…` of stream-returning methods; only for an interface that has
    /// one.
    stream_call: Option<String>,
    /// `<Name>Impl`, what serves the interface on a host when a parameter streams (it arrives
    /// there as an `AsyncIterable`, where a caller may pass any `StreamSource`); only then.
    host_impl: Option<String>,
}

struct NotificationNames {
    name: String,
    channel: String,
    channel_const: bool,
    channel_value: String,
    schema_hash: String,
    descriptor: String,
    add_listener: String,
    sender: String,
}

/// Allocates names in one module: declared names first (as written, escaped), then derived
/// names, each of which yields to anything taken before it.
#[derive(Default)]
struct ModuleScope {
    taken: BTreeSet<String>,
}

impl ModuleScope {
    fn declare(&mut self, name: &str) -> String {
        let name = ts_ident(name);
        self.taken.insert(name.clone());
        name
    }

    fn derive(&mut self, wanted: String) -> String {
        let mut name = ts_ident(&wanted);
        while self.taken.contains(&name) {
            name.push('_');
        }
        self.taken.insert(name.clone());
        name
    }
}

/// `Person` → `person`, `HTTPServer` → `hTTPServer`: the first letter lowered, the rest kept,
/// so the derived name still shows the IDL spelling.
fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `myEvents` → `MyEvents`, for names built by prefixing (`addMyEventsListener`).
fn upper_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A JS identifier made from a file stem (`my-interface` → `my_interface`).
fn stem_identifier(stem: &str) -> String {
    let mut out: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

impl NameTables {
    fn build(ir: &Ir) -> Self {
        let file_count = ir.files.len();

        // Output file names and import aliases: the stem, with a numeric suffix for a second
        // file of the same stem (files come in a fixed order, so the suffix is stable).
        let mut module_file = Vec::with_capacity(file_count);
        let mut module_alias = Vec::with_capacity(file_count);
        let mut used_files = BTreeSet::new();
        let mut used_aliases = BTreeSet::new();
        for file in &ir.files {
            let mut stem = file.stem.clone();
            let mut n = 2;
            while !used_files.insert(format!("{stem}.ts")) {
                stem = format!("{}-{n}", file.stem);
                n += 1;
            }
            module_file.push(format!("{stem}.ts"));
            let base = format!("${}", stem_identifier(&file.stem));
            let mut alias = base.clone();
            let mut n = 2;
            while !used_aliases.insert(alias.clone()) {
                alias = format!("{base}_{n}");
                n += 1;
            }
            module_alias.push(alias);
        }

        let mut scopes: Vec<ModuleScope> =
            (0..file_count).map(|_| ModuleScope::default()).collect();
        let mut shadowed: Vec<BTreeSet<&'static str>> = vec![BTreeSet::new(); file_count];
        let mut note_shadow = |file: FileId, name: &str| {
            if let Some(global) = GLOBALS_USED.iter().find(|g| **g == name) {
                shadowed[file.0 as usize].insert(*global);
            }
        };

        // Declared names, as written.
        let mut type_name = Vec::with_capacity(ir.types.len());
        for def in &ir.types {
            let scope = &mut scopes[def.meta.file.0 as usize];
            note_shadow(def.meta.file, &def.meta.name);
            type_name.push(scope.declare(&def.meta.name));
        }
        for def in &ir.consts {
            note_shadow(def.meta.file, &def.meta.name);
            scopes[def.meta.file.0 as usize].declare(&def.meta.name);
        }
        let mut interface_names = Vec::with_capacity(ir.interfaces.len());
        for def in &ir.interfaces {
            note_shadow(def.meta.file, &def.meta.name);
            interface_names.push(scopes[def.meta.file.0 as usize].declare(&def.meta.name));
        }
        let mut notification_names = Vec::with_capacity(ir.notifications.len());
        for def in &ir.notifications {
            note_shadow(def.meta.file, &def.meta.name);
            notification_names.push(scopes[def.meta.file.0 as usize].declare(&def.meta.name));
        }

        // `const greeterChannel = "greeter-v1"; @channel(greeterChannel) interface Greeter` already
        // declares the channel constant the generator would derive: reuse it.
        let declared_channel = |file: FileId, wanted: &str, channel: &str| {
            ir.consts.iter().any(|c| {
                c.meta.file == file
                    && c.meta.name == wanted
                    && c.value == ConstValue::String(channel.to_string())
            })
        };
        // The const of the file that holds a channel (not a deprecated one), which the derived
        // channel constant is set to: `export const myInterfaceChannel = myChannel;`.
        let channel_holder = |file: FileId, channel: &str| {
            ir.consts
                .iter()
                .find(|c| {
                    c.meta.file == file
                        && c.meta.deprecated.is_none()
                        && c.value == ConstValue::String(channel.to_string())
                })
                .map_or_else(|| string_literal(channel), |c| ts_ident(&c.meta.name))
        };
        let channel_name = |scope: &mut ModuleScope, file: FileId, raw: &str, channel: &str| {
            let wanted = format!("{}Channel", lower_first(raw));
            if declared_channel(file, &wanted, channel) {
                (ts_ident(&wanted), false)
            } else {
                (scope.derive(wanted), true)
            }
        };

        // Derived names, in declaration order.
        let codec_name = ir
            .types
            .iter()
            .map(|def| {
                scopes[def.meta.file.0 as usize]
                    .derive(format!("{}Codec", lower_first(&def.meta.name)))
            })
            .collect();
        let mut derived: Vec<DerivedNames> =
            (0..file_count).map(|_| DerivedNames::default()).collect();
        for (index, def) in ir.interfaces.iter().enumerate() {
            let file = def.meta.file.0 as usize;
            let scope = &mut scopes[file];
            let raw = &def.meta.name;
            let lower = lower_first(raw);
            let upper = upper_first(raw);
            let (channel, channel_const) = channel_name(scope, def.meta.file, raw, &def.channel);
            let names = InterfaceNames {
                name: interface_names[index].clone(),
                channel,
                channel_const,
                channel_value: channel_holder(def.meta.file, &def.channel),
                schema_hash: scope.derive(format!("{lower}SchemaHash")),
                descriptor: scope.derive(format!("{lower}Descriptor")),
                call: scope.derive(format!("call{upper}")),
                client: scope.derive(format!("{lower}Client")),
                register: scope.derive(format!("register{upper}")),
                handler: scope.derive(format!("{upper}Handler")),
                stream_call: (def.methods.iter().any(|m| m.result_stream))
                    .then(|| scope.derive(format!("stream{upper}"))),
                host_impl: (def
                    .methods
                    .iter()
                    .any(|m| m.params.iter().any(|p| p.stream)))
                .then(|| scope.derive(format!("{upper}Impl"))),
            };
            derived[file].interfaces.insert(index, names);
            for method in &def.methods {
                if let Some(error) = method.throws {
                    if let std::collections::btree_map::Entry::Vacant(slot) =
                        derived[file].guards.entry(error)
                    {
                        let wanted = format!("is{}", upper_first(&ir.ty(error).meta.name));
                        slot.insert(scope.derive(wanted));
                    }
                }
            }
        }
        for (index, def) in ir.notifications.iter().enumerate() {
            let file = def.meta.file.0 as usize;
            let scope = &mut scopes[file];
            let raw = &def.meta.name;
            let lower = lower_first(raw);
            let upper = upper_first(raw);
            let (channel, channel_const) = channel_name(scope, def.meta.file, raw, &def.channel);
            let names = NotificationNames {
                name: notification_names[index].clone(),
                channel,
                channel_const,
                channel_value: channel_holder(def.meta.file, &def.channel),
                schema_hash: scope.derive(format!("{lower}SchemaHash")),
                descriptor: scope.derive(format!("{lower}Descriptor")),
                add_listener: scope.derive(format!("add{upper}Listener")),
                sender: scope.derive(format!("{lower}Sender")),
            };
            derived[file].notifications.insert(index, names);
        }

        NameTables {
            module_file,
            module_alias,
            type_name,
            codec_name,
            derived,
            shadowed,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Type strings and codec expressions
// ---------------------------------------------------------------------------------------------

/// Type uses spelt as the generated modules spell them, for user templates (`ts_type`).
pub(crate) struct TypeSpeller<'a> {
    ir: &'a Ir,
    names: NameTables,
}

impl<'a> TypeSpeller<'a> {
    pub(crate) fn new(ir: &'a Ir) -> Self {
        TypeSpeller {
            ir,
            names: NameTables::build(ir),
        }
    }

    /// `ty` as the module generated for `from` writes it (`Person`, `$people.Person` for a
    /// type of another module, `globalThis.Map` where a declaration shadows `Map`); with no
    /// module, every named type by the name its own module exports. Every id in `ty` must
    /// exist.
    pub(crate) fn spell(&self, ty: &TypeRef, from: Option<FileId>) -> String {
        TypeWriter::new(self.ir, &self.names, from.unwrap_or(OUTSIDE)).ts_type(ty)
    }
}

/// The module of a [`TypeWriter`] that writes for no module: every name bare.
const OUTSIDE: FileId = FileId(u32::MAX);

/// Renders type uses and codec expressions from inside one module.
struct TypeWriter<'a> {
    ir: &'a Ir,
    names: &'a NameTables,
    file: FileId,
    /// Sibling modules this module refers to.
    imports: BTreeSet<FileId>,
}

impl<'a> TypeWriter<'a> {
    fn new(ir: &'a Ir, names: &'a NameTables, file: FileId) -> Self {
        TypeWriter {
            ir,
            names,
            file,
            imports: BTreeSet::new(),
        }
    }

    /// A global's name as this module must write it.
    fn global(&self, name: &'static str) -> String {
        let shadowed = self.names.shadowed.get(self.file.0 as usize);
        if shadowed.is_some_and(|shadowed| shadowed.contains(name)) {
            format!("globalThis.{name}")
        } else {
            name.to_string()
        }
    }

    /// `Promise<T>` as this module must write it.
    fn promise(&self, inner: &str) -> String {
        format!("{}<{inner}>", self.global("Promise"))
    }

    /// How this module refers to a name exported by the module of `owner`.
    fn qualified(&mut self, owner: FileId, name: &str) -> String {
        if owner == self.file || self.file == OUTSIDE {
            name.to_string()
        } else {
            self.imports.insert(owner);
            format!("{}.{name}", self.names.module_alias[owner.0 as usize])
        }
    }

    fn ts_type(&mut self, ty: &TypeRef) -> String {
        match ty {
            TypeRef::Primitive { primitive } => match primitive {
                Primitive::Bool => "boolean".to_string(),
                Primitive::I8
                | Primitive::I16
                | Primitive::I32
                | Primitive::U8
                | Primitive::U16
                | Primitive::U32
                | Primitive::F32
                | Primitive::F64 => "number".to_string(),
                Primitive::I64 | Primitive::U64 => "bigint".to_string(),
                Primitive::String => "string".to_string(),
                Primitive::Bytes => self.global("Uint8Array"),
            },
            TypeRef::Named { id } => {
                let owner = self.ir.ty(*id).meta.file;
                let name = self.names.type_name[id.0 as usize].clone();
                self.qualified(owner, &name)
            }
            TypeRef::Array { element } => {
                let inner = self.ts_type(element);
                if matches!(**element, TypeRef::Optional { .. }) {
                    format!("({inner})[]")
                } else {
                    format!("{inner}[]")
                }
            }
            TypeRef::Map { key, value } => {
                let key = self.ts_type(key);
                let value = self.ts_type(value);
                format!("{}<{key}, {value}>", self.global("Map"))
            }
            TypeRef::Optional { inner } => format!("{} | undefined", self.ts_type(inner)),
        }
    }

    /// The type of a field or parameter written `name?: T`, whose IR type is `Optional(T)`:
    /// `T` alone, the `?` carries the optionality.
    fn ts_type_without_optional(&mut self, ty: &TypeRef) -> String {
        match ty {
            TypeRef::Optional { inner } => self.ts_type(inner),
            other => self.ts_type(other),
        }
    }

    /// The codec expression for `ty`, used inside the declaration of type `current` (if any):
    /// a reference to a codec of this module declared at or after `current` goes through
    /// `c.lazy`, because module constants are initialised in order (and recursion needs it).
    fn codec(&mut self, ty: &TypeRef, current: Option<TypeId>) -> String {
        match ty {
            TypeRef::Primitive { primitive } => format!("{RT}.c.{}", primitive.idl_name()),
            TypeRef::Named { id } => {
                let owner = self.ir.ty(*id).meta.file;
                let name = self.names.codec_name[id.0 as usize].clone();
                let reference = self.qualified(owner, &name);
                let later_here = owner == self.file && current.is_some_and(|cur| id.0 >= cur.0);
                if !later_here {
                    reference
                } else if matches!(self.ir.resolve_alias(ty), TypeRef::Optional { .. }) {
                    // `lazy` hides the `optional` mark that lets a struct field be absent.
                    format!("{RT}.c.optional({RT}.c.lazy(() => {reference}))")
                } else {
                    format!("{RT}.c.lazy(() => {reference})")
                }
            }
            TypeRef::Array { element } => format!("{RT}.c.array({})", self.codec(element, current)),
            TypeRef::Map { key, value } => {
                // Keys are strings or integers, possibly through aliases. The key codec must be
                // the primitive's itself: only those carry the key conversions, and `lazy` would
                // hide them.
                let key = match self.ir.resolve_alias(key) {
                    TypeRef::Primitive { primitive } => {
                        format!("{RT}.c.{}", primitive.idl_name())
                    }
                    other => self.codec(&other.clone(), current),
                };
                let value = self.codec(value, current);
                format!("{RT}.c.map({key}, {value})")
            }
            TypeRef::Optional { inner } => {
                format!("{RT}.c.optional({})", self.codec(inner, current))
            }
        }
    }
}

/// A property key in an object literal. `__proto__: x` would set the prototype instead of
/// creating a property, so that one name is written as a computed key.
fn object_key(name: &str) -> String {
    if name == "__proto__" {
        format!("[\"{name}\"]")
    } else {
        name.to_string()
    }
}

/// A method's name where an interface declares it: `new(): T` there would be a construct
/// signature, so that one is quoted (`"new"(): T` is the method).
fn signature_key(name: &str) -> String {
    if name == "new" {
        string_literal(name)
    } else {
        name.to_string()
    }
}

/// A TS string literal (JSON's escaping is valid TS).
fn string_literal(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

// ---------------------------------------------------------------------------------------------
// Docs
// ---------------------------------------------------------------------------------------------

/// A TSDoc comment as its lines (`/** text */`, or `/**`, ` * text`, ` */`), without
/// indentation; empty when there is nothing to say. Written line by line by the emitter.
type DocView = Vec<String>;

fn doc_view(docs: &[String], deprecated: &Option<String>, since: &Option<String>) -> DocView {
    doc_view_with(docs, Vec::new(), deprecated, since)
}

/// A doc comment with `tag` (the lines of a tag such as `@throws …`) after the text and before
/// `@since` and `@deprecated`; a blank line separates the text from its tags.
fn doc_view_with(
    docs: &[String],
    tag: Vec<String>,
    deprecated: &Option<String>,
    since: &Option<String>,
) -> DocView {
    // `*/` inside a doc line would end the comment early.
    let escape = |line: &str| line.replace("*/", "*\\/");
    let mut lines: Vec<String> = docs.iter().map(|l| escape(l)).collect();
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let mut tags = tag;
    if let Some(version) = since {
        tags.push(format!("@since {}", escape(version)));
    }
    if let Some(message) = deprecated {
        let message = escape(message);
        tags.push(if message.is_empty() {
            "@deprecated".to_string()
        } else {
            format!("@deprecated {message}")
        });
    }
    if !lines.is_empty() && !tags.is_empty() {
        lines.push(String::new());
    }
    lines.extend(tags);
    match lines.len() {
        0 => Vec::new(),
        1 => vec![format!("/** {} */", lines[0])],
        _ => {
            let mut out = Vec::with_capacity(lines.len() + 2);
            out.push("/**".to_string());
            out.extend(lines.iter().map(|line| {
                if line.is_empty() {
                    " *".to_string()
                } else {
                    format!(" * {line}")
                }
            }));
            out.push(" */".to_string());
            out
        }
    }
}

/// The `@deprecated` line for items derived from a deprecated declaration.
fn deprecated_tag(deprecated: &Option<String>) -> Option<String> {
    deprecated.as_ref().map(|message| {
        let message = message.replace("*/", "*\\/");
        if message.is_empty() {
            "@deprecated".to_string()
        } else {
            format!("@deprecated {message}")
        }
    })
}

// ---------------------------------------------------------------------------------------------
// View model
// ---------------------------------------------------------------------------------------------

struct ModuleView {
    version: &'static str,
    source: String,
    /// The file's `//!` docs as a TSDoc comment tagged `@packageDocumentation` (the first
    /// `/** */` of the module, so that documentation tools take it for the module's own).
    doc: DocView,
    rt: &'static str,
    /// False for a module of consts only, which must not import the runtime it does not use.
    uses_runtime: bool,
    imports: Vec<ImportView>,
    consts: Vec<ConstView>,
    /// The wire schemas of the module's channels over one table of types, as a string literal
    /// of their JSON (`ipcc::ir::wire_schema::schema_set`); `None` without channels.
    wire_schemas: Option<String>,
    // The declarations, each written on its own by `emit.rs`.
    types: Vec<TypeView>,
    interfaces: Vec<InterfaceView>,
    notifications: Vec<NotificationsView>,
    guards: Vec<GuardView>,
    /// `Partial` as this module writes it.
    partial: String,
    /// `Parameters` as this module writes it.
    parameters: String,
}

/// Module-wide spellings every declaration writes.
struct SharedNames<'a> {
    rt: &'static str,
    partial: &'a str,
    parameters: &'a str,
}

struct ImportView {
    alias: String,
    /// The module specifier as a string literal (`"./people.js"`).
    path: String,
}

struct ConstView {
    doc: DocView,
    name: String,
    literal: String,
}

struct TypeView {
    doc: DocView,
    name: String,
    /// The qualified IDL name as a string literal (codec name in messages).
    idl_name: String,
    codec_name: String,
    /// The codec's TS type (`$rt.Codec<Person>`).
    codec_type: String,
    /// Exactly one of these is true.
    is_struct: bool,
    is_enum: bool,
    is_union: bool,
    is_alias: bool,
    /// Struct fields.
    fields: Vec<FieldView>,
    /// Enum or union variants.
    variants: Vec<VariantView>,
    /// The whole enum or union type on one line, when it fits.
    inline_type: Option<String>,
    /// Enum variant literals, comma-separated.
    variant_list: String,
    /// Whether the enum's codec declaration fits on one line.
    codec_inline: bool,
    /// Alias target.
    target_type: String,
    target_codec: String,
}

struct FieldView {
    doc: DocView,
    /// Property name in type declarations.
    name: String,
    /// Property key in object literals.
    key: String,
    /// `?` for an optional field, else empty.
    optional_mark: &'static str,
    ts_type: String,
    codec: String,
}

struct VariantView {
    doc: DocView,
    key: String,
    literal: String,
    unit: bool,
    fields: Vec<FieldView>,
    /// The variant's object type on one line, when no field has docs.
    inline: Option<String>,
    /// The variant's field codecs on one line, when they fit.
    inline_codec: Option<String>,
}

struct ThrowsView {
    codec: String,
    idl_name: String,
}

struct MethodView {
    doc: DocView,
    /// The property key in object literals.
    key: String,
    /// The name in an interface's method signature.
    signature: String,
    /// The member name in a class body.
    member: String,
    /// `a: string, b?: number`; a streaming parameter as `$rt.StreamSource<T>` (what a caller
    /// may pass).
    param_list: String,
    /// As `param_list`, but a streaming parameter as `AsyncIterable<T>` (what a host hands the
    /// handler).
    host_param_list: String,
    /// `[$rt.c.string, $rt.c.f64]`; a streaming parameter's is its item's codec.
    param_codecs: String,
    required: usize,
    /// `Promise<T>`, or `AsyncIterable<T>` for a streaming result, as this module writes it.
    result_type: String,
    /// The result's codec; a streaming result's is its item's codec.
    result_codec: String,
    /// The position of the streaming parameter, if one streams.
    input_stream: Option<usize>,
    /// Whether the result is a stream.
    output_stream: bool,
    throws: Option<ThrowsView>,
}

struct GuardView {
    name: String,
    idl_name: String,
    error_type: String,
    error_codec: String,
}

struct InterfaceView {
    doc: DocView,
    /// `@throws` lines of the `call…` function's docs, a tag per declared error.
    call_throws: Vec<String>,
    /// `@throws` lines of the `stream…` function's docs.
    stream_call_throws: Vec<String>,
    /// `@deprecated …` for the items derived from a deprecated interface.
    deprecated: Option<String>,
    /// Some method `throws`: the host-side docs say how a handler fails with a declared error.
    has_throws: bool,
    name: String,
    idl_name: String,
    channel_name: String,
    channel_const: bool,
    channel: String,
    schema_hash_name: String,
    schema_hash: String,
    descriptor: String,
    call: String,
    client: String,
    register: String,
    handler: String,
    /// `Promise` as this module writes it.
    promise: String,
    /// A method name for the usage example in the docs of the `call…` function (one that
    /// returns a Promise), or empty.
    example_method: String,
    /// `stream<Name>`, for the stream-returning methods, when the interface has one.
    stream_call: Option<String>,
    /// A stream-returning method for the usage example in the docs of `stream…`.
    example_stream_method: String,
    /// `AsyncIterableIterator` as this module writes it.
    async_iterable_iterator: String,
    /// What `register…` and the handler class take: the interface itself, or `<Name>Impl`
    /// when a parameter streams.
    host_type: String,
    /// `<Name>Impl`, declared when a parameter streams.
    host_impl: Option<String>,
    /// The type parameter of the `call…` function: `T`, unless the interface itself is `T`.
    type_param: &'static str,
    /// False when a method would collide with a member of `IpcHandler` (`channelName`,
    /// `registerOn`): such an interface gets no handler base class, only `register…`.
    handler_class: bool,
    methods: Vec<MethodView>,
}

struct EventView {
    doc: DocView,
    key: String,
    /// The name in the listener interface's method signature.
    signature: String,
    param_list: String,
    param_codecs: String,
    required: usize,
}

struct NotificationsView {
    doc: DocView,
    deprecated: Option<String>,
    name: String,
    idl_name: String,
    channel_name: String,
    channel_const: bool,
    channel: String,
    schema_hash_name: String,
    schema_hash: String,
    descriptor: String,
    add_listener: String,
    sender: String,
    events: Vec<EventView>,
}

impl ModuleView {
    fn build(ir: &Ir, names: &NameTables, file: FileId) -> Self {
        let mut writer = TypeWriter::new(ir, names, file);
        let source_file = ir.file(file);
        let source = source_file
            .path
            .rsplit('/')
            .next()
            .unwrap_or(&source_file.path)
            .to_string();

        let consts = ir
            .consts
            .iter()
            .filter(|def| def.meta.file == file)
            .map(|def| ConstView {
                doc: doc_view(&def.meta.docs, &def.meta.deprecated, &def.meta.since),
                name: ts_ident(&def.meta.name),
                literal: const_literal(&def.value),
            })
            .collect();

        let types: Vec<TypeView> = ir
            .types
            .iter()
            .enumerate()
            .filter(|(_, def)| def.meta.file == file)
            .map(|(index, _)| type_view(&mut writer, TypeId(index as u32)))
            .collect();

        let derived = &names.derived[file.0 as usize];
        let interfaces: Vec<InterfaceView> = ir
            .interfaces
            .iter()
            .enumerate()
            .filter(|(_, def)| def.meta.file == file)
            .map(|(index, def)| {
                interface_view(
                    &mut writer,
                    def,
                    &derived.interfaces[&index],
                    &derived.guards,
                )
            })
            .collect();
        let notifications: Vec<NotificationsView> = ir
            .notifications
            .iter()
            .enumerate()
            .filter(|(_, def)| def.meta.file == file)
            .map(|(index, def)| {
                notifications_view(&mut writer, def, &derived.notifications[&index])
            })
            .collect();
        let channels = (ir.interfaces.iter())
            .filter(|def| def.meta.file == file)
            .map(ChannelRef::Interface)
            .chain(
                (ir.notifications.iter())
                    .filter(|def| def.meta.file == file)
                    .map(ChannelRef::Notifications),
            );
        let wire_schemas = (!interfaces.is_empty() || !notifications.is_empty())
            .then(|| string_literal(&schema_set(ir, channels).to_json()));
        let guards = derived
            .guards
            .iter()
            .map(|(error, name)| {
                let ty = TypeRef::Named { id: *error };
                GuardView {
                    name: name.clone(),
                    idl_name: ir.ty(*error).meta.qualified_name.clone(),
                    error_type: writer.ts_type(&ty),
                    error_codec: writer.codec(&ty, None),
                }
            })
            .collect();

        let imports = writer
            .imports
            .iter()
            .map(|owner| {
                let module = &names.module_file[owner.0 as usize];
                ImportView {
                    alias: names.module_alias[owner.0 as usize].clone(),
                    path: string_literal(&format!("./{}.js", module.trim_end_matches(".ts"))),
                }
            })
            .collect();

        let doc = match crate::codegen::trimmed_docs(&source_file.docs) {
            [] => Vec::new(),
            docs => doc_view_with(docs, vec!["@packageDocumentation".into()], &None, &None),
        };
        ModuleView {
            version: env!("CARGO_PKG_VERSION"),
            source,
            doc,
            rt: RT,
            uses_runtime: !(types.is_empty() && interfaces.is_empty() && notifications.is_empty()),
            imports,
            consts,
            wire_schemas,
            types,
            interfaces,
            notifications,
            guards,
            partial: writer.global("Partial"),
            parameters: writer.global("Parameters"),
        }
    }
}

fn const_literal(value: &ConstValue) -> String {
    /// Integers beyond this are not exact as JS numbers; they become bigint literals.
    const MAX_SAFE: i64 = (1 << 53) - 1;
    match value {
        ConstValue::String(text) => string_literal(text),
        ConstValue::Integer(n) if (-MAX_SAFE..=MAX_SAFE).contains(n) => n.to_string(),
        ConstValue::Integer(n) => format!("{n}n"),
        // Arithmetic rather than `NaN` or `Number.NaN`: a user declaration may shadow those.
        ConstValue::Float(x) if x.is_nan() => "0 / 0".to_string(),
        ConstValue::Float(x) if x.is_infinite() && *x > 0.0 => "1 / 0".to_string(),
        ConstValue::Float(x) if x.is_infinite() => "-1 / 0".to_string(),
        // Debug keeps a decimal point or an exponent (`1.0`, `1e300`), both valid TS.
        ConstValue::Float(x) => format!("{x:?}"),
        ConstValue::Bool(b) => b.to_string(),
    }
}

fn field_view(writer: &mut TypeWriter, field: &Field, current: TypeId) -> FieldView {
    // An alias of an optional type (`type Next = Node?;`) makes the field optional on the wire
    // too (absent when undefined), so it is an optional property like `name?: T`.
    let optional = matches!(writer.ir.resolve_alias(&field.ty), TypeRef::Optional { .. });
    FieldView {
        doc: doc_view(&field.docs, &field.deprecated, &field.since),
        name: field.name.clone(),
        key: object_key(&field.name),
        optional_mark: if optional { "?" } else { "" },
        ts_type: writer.ts_type_without_optional(&field.ty),
        codec: writer.codec(&field.ty, Some(current)),
    }
}

/// Widest line the templates aim for; longer enum and union types are split one member a line.
const LINE_WIDTH: usize = 100;

fn type_view(writer: &mut TypeWriter, id: TypeId) -> TypeView {
    let ir = writer.ir;
    let def = ir.ty(id);
    let name = writer.names.type_name[id.0 as usize].clone();
    let mut view = TypeView {
        doc: doc_view(&def.meta.docs, &def.meta.deprecated, &def.meta.since),
        idl_name: string_literal(&def.meta.qualified_name),
        codec_name: writer.names.codec_name[id.0 as usize].clone(),
        codec_type: format!("{RT}.Codec<{name}>"),
        is_struct: false,
        is_enum: false,
        is_union: false,
        is_alias: false,
        fields: Vec::new(),
        variants: Vec::new(),
        inline_type: None,
        variant_list: String::new(),
        codec_inline: true,
        target_type: String::new(),
        target_codec: String::new(),
        name,
    };
    // `export type Name = ` plus the members and `;`.
    let prefix_width = "export type  = ;".len() + view.name.len();
    match &def.kind {
        TypeDefKind::Struct { fields } => {
            view.is_struct = true;
            view.fields = fields.iter().map(|f| field_view(writer, f, id)).collect();
        }
        TypeDefKind::Enum { variants } => {
            view.is_enum = true;
            view.variants = variants
                .iter()
                .map(|v| VariantView {
                    doc: doc_view(&v.docs, &v.deprecated, &None),
                    key: object_key(&v.name),
                    literal: string_literal(&v.name),
                    unit: true,
                    fields: Vec::new(),
                    inline: None,
                    inline_codec: None,
                })
                .collect();
            let literals: Vec<&str> = view.variants.iter().map(|v| v.literal.as_str()).collect();
            view.variant_list = literals.join(", ");
            // `export const <codec>: <type> = $rt.c.enumeration<Name>([...], "Name");`
            let codec_line = format!(
                "export const {}: {} = {RT}.c.enumeration<{}>([{}], {});",
                view.codec_name, view.codec_type, view.name, view.variant_list, view.idl_name
            );
            view.codec_inline = codec_line.len() <= LINE_WIDTH;
            let joined = literals.join(" | ");
            if literals.is_empty() {
                view.inline_type = Some("never".to_string());
            } else if prefix_width + joined.len() <= LINE_WIDTH {
                view.inline_type = Some(joined);
            }
        }
        TypeDefKind::Union { variants } => {
            view.is_union = true;
            view.variants = variants
                .iter()
                .map(|v| variant_view(writer, v, id))
                .collect();
            let all_inline: Option<Vec<&str>> = view
                .variants
                .iter()
                .map(|v| {
                    if v.doc.is_empty() {
                        v.inline.as_deref()
                    } else {
                        None
                    }
                })
                .collect();
            if view.variants.is_empty() {
                view.inline_type = Some("never".to_string());
            } else if let Some(members) = all_inline {
                let joined = members.join(" | ");
                if prefix_width + joined.len() <= LINE_WIDTH {
                    view.inline_type = Some(joined);
                }
            }
        }
        TypeDefKind::Alias { target } => {
            view.is_alias = true;
            view.target_type = writer.ts_type(target);
            view.target_codec = writer.codec(target, Some(id));
        }
    }
    view
}

fn variant_view(writer: &mut TypeWriter, variant: &UnionVariant, current: TypeId) -> VariantView {
    let literal = string_literal(&variant.name);
    let key = object_key(&variant.name);
    let fields: Vec<FieldView> = variant
        .fields
        .iter()
        .map(|f| field_view(writer, f, current))
        .collect();
    let inline = fields.iter().all(|f| f.doc.is_empty()).then(|| {
        let mut members = vec![format!("kind: {literal}")];
        members.extend(
            fields
                .iter()
                .map(|f| format!("{}{}: {}", f.name, f.optional_mark, f.ts_type)),
        );
        format!("{{ {} }}", members.join("; "))
    });
    let codecs: Vec<String> = fields
        .iter()
        .map(|f| format!("{}: {}", f.key, f.codec))
        .collect();
    let inline_codec = format!("{{ {} }}", codecs.join(", "));
    // Four spaces of indent, the key, `: ` and `,`.
    let inline_codec =
        (4 + key.len() + 3 + inline_codec.len() <= LINE_WIDTH).then_some(inline_codec);
    VariantView {
        doc: doc_view(&variant.docs, &variant.deprecated, &None),
        key,
        literal,
        unit: variant.fields.is_empty(),
        fields,
        inline,
        inline_codec,
    }
}

/// Parameter declarations as a caller writes them (`a: string, b?: number`, a streaming
/// parameter as `$rt.StreamSource<T>`), as a host's handler receives them (a streaming parameter
/// as `AsyncIterable<T>`), and codecs (`[$rt.c.string, ...]`, an item's for a stream).
struct ParamLists {
    caller: String,
    host: String,
    codecs: String,
}

fn param_lists(writer: &mut TypeWriter, params: &[Param]) -> ParamLists {
    let mut caller = Vec::with_capacity(params.len());
    let mut host = Vec::with_capacity(params.len());
    let mut codecs = Vec::with_capacity(params.len());
    for p in params {
        let name = ts_ident(&p.name);
        if p.stream {
            // A stream is never optional (E0214); `ty` is its item type.
            let item = writer.ts_type(&p.ty);
            caller.push(format!("{name}: {RT}.StreamSource<{item}>"));
            host.push(format!(
                "{name}: {}<{item}>",
                writer.global("AsyncIterable")
            ));
        } else {
            let declaration = if p.optional {
                format!("{name}?: {}", writer.ts_type_without_optional(&p.ty))
            } else {
                format!("{name}: {}", writer.ts_type(&p.ty))
            };
            caller.push(declaration.clone());
            host.push(declaration);
        }
        codecs.push(writer.codec(&p.ty, None));
    }
    ParamLists {
        caller: caller.join(", "),
        host: host.join(", "),
        codecs: format!("[{}]", codecs.join(", ")),
    }
}

/// Instance members of the runtime's `IpcHandler` base class.
const IPC_HANDLER_MEMBERS: &[&str] = &["channelName", "registerOn"];

/// Members every class inherits from `Object`; a handler method of the same name overrides
/// one, which `noImplicitOverride` wants said.
const OBJECT_MEMBERS: &[&str] = &[
    "constructor",
    "toString",
    "toLocaleString",
    "valueOf",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
];

/// The `@throws` line of a method whose declared error is `error`: the type it rejects with
/// and the guard that narrows it.
fn throws_tag(
    writer: &mut TypeWriter,
    error: TypeId,
    guards: &BTreeMap<TypeId, String>,
) -> Vec<String> {
    let error_type = writer.ts_type(&TypeRef::Named { id: error });
    let guard = &guards[&error];
    wrap_doc(&format!(
        "@throws {{@link {error_type}}} as a {{@link {RT}.DeclaredError | DeclaredError}}, when \
         the backend fails with its declared error (narrow it with {{@link {guard}}})."
    ))
}

/// Breaks a doc paragraph into lines of at most about 90 characters, between words and never
/// inside an inline tag (`{@link …}`).
fn wrap_doc(text: &str) -> Vec<String> {
    const WIDTH: usize = 90;
    let mut words: Vec<String> = Vec::new();
    let mut depth = 0usize;
    for word in text.split(' ') {
        match words.last_mut() {
            Some(last) if depth > 0 => {
                last.push(' ');
                last.push_str(word);
            }
            _ => words.push(word.to_string()),
        }
        depth += word.matches('{').count();
        depth = depth.saturating_sub(word.matches('}').count());
    }
    let mut lines: Vec<String> = Vec::new();
    for word in words {
        match lines.last_mut() {
            Some(line) if line.len() + 1 + word.len() <= WIDTH => {
                line.push(' ');
                line.push_str(&word);
            }
            _ => lines.push(word),
        }
    }
    lines
}

/// The `@throws` lines of the `call…` function (`streaming` false) or the `stream…` one: for
/// each declared error of the methods it calls, which methods and the guard.
fn declared_errors(
    writer: &mut TypeWriter,
    def: &Interface,
    streaming: bool,
    guards: &BTreeMap<TypeId, String>,
) -> Vec<String> {
    let mut methods_by_error: Vec<(TypeId, Vec<String>)> = Vec::new();
    for method in def.methods.iter().filter(|m| m.result_stream == streaming) {
        let Some(error) = method.throws else { continue };
        let name = format!("`{}`", method.name);
        match methods_by_error.iter_mut().find(|(e, _)| *e == error) {
            Some((_, names)) => names.push(name),
            None => methods_by_error.push((error, vec![name])),
        }
    }
    methods_by_error
        .into_iter()
        .flat_map(|(error, methods)| {
            let error_type = writer.ts_type(&TypeRef::Named { id: error });
            wrap_doc(&format!(
                "@throws {{@link {error_type}}} as a {{@link {RT}.DeclaredError | DeclaredError}} \
                 from {} (narrow it with {{@link {}}}).",
                methods.join(", "),
                guards[&error]
            ))
        })
        .collect()
}

/// A method's name as a class member, with `override` where it overrides an `Object` member.
/// `constructor` would declare the constructor, so that one is written as a computed key.
fn class_member(name: &str) -> String {
    let key = if name == "constructor" {
        format!("[\"{name}\"]")
    } else {
        object_key(name)
    };
    if OBJECT_MEMBERS.contains(&name) {
        format!("override {key}")
    } else {
        key
    }
}

fn interface_view(
    writer: &mut TypeWriter,
    def: &Interface,
    names: &InterfaceNames,
    guards: &BTreeMap<TypeId, String>,
) -> InterfaceView {
    let methods = def
        .methods
        .iter()
        .map(|m| {
            let params = param_lists(writer, &m.params);
            let result_type = match &m.result {
                Some(ty) => writer.ts_type(ty),
                None => "void".to_string(),
            };
            // A streaming result's `result` is its item type (never `void`).
            let result_type = if m.result_stream {
                format!("{}<{result_type}>", writer.global("AsyncIterable"))
            } else {
                writer.promise(&result_type)
            };
            let result_codec = match &m.result {
                Some(ty) => writer.codec(ty, None),
                None => format!("{RT}.c.void"),
            };
            let throws_tag = m.throws.map(|error| throws_tag(writer, error, guards));
            let throws = m.throws.map(|error| ThrowsView {
                codec: writer.codec(&TypeRef::Named { id: error }, None),
                idl_name: string_literal(&writer.ir.ty(error).meta.qualified_name),
            });
            MethodView {
                doc: doc_view_with(
                    &m.docs,
                    throws_tag.unwrap_or_default(),
                    &m.deprecated,
                    &m.since,
                ),
                key: object_key(&m.name),
                signature: signature_key(&m.name),
                member: class_member(&m.name),
                required: m.params.iter().filter(|p| !p.optional).count(),
                param_list: params.caller,
                host_param_list: params.host,
                param_codecs: params.codecs,
                result_type,
                result_codec,
                input_stream: m.params.iter().position(|p| p.stream),
                output_stream: m.result_stream,
                throws,
            }
        })
        .collect();
    InterfaceView {
        doc: doc_view(&def.meta.docs, &def.meta.deprecated, &def.meta.since),
        call_throws: declared_errors(writer, def, false, guards),
        stream_call_throws: declared_errors(writer, def, true, guards),
        deprecated: deprecated_tag(&def.meta.deprecated),
        has_throws: def.methods.iter().any(|m| m.throws.is_some()),
        name: names.name.clone(),
        idl_name: string_literal(&def.meta.qualified_name),
        channel_name: names.channel.clone(),
        channel_const: names.channel_const,
        channel: names.channel_value.clone(),
        schema_hash_name: names.schema_hash.clone(),
        schema_hash: string_literal(&def.schema_hash),
        descriptor: names.descriptor.clone(),
        call: names.call.clone(),
        client: names.client.clone(),
        register: names.register.clone(),
        handler: names.handler.clone(),
        promise: writer.global("Promise"),
        example_method: (def.methods.iter())
            .find(|m| !m.result_stream)
            .map(|m| m.name.clone())
            .unwrap_or_default(),
        stream_call: names.stream_call.clone(),
        example_stream_method: (def.methods.iter())
            .find(|m| m.result_stream)
            .map(|m| m.name.clone())
            .unwrap_or_default(),
        async_iterable_iterator: writer.global("AsyncIterableIterator"),
        host_type: names
            .host_impl
            .clone()
            .unwrap_or_else(|| names.name.clone()),
        host_impl: names.host_impl.clone(),
        type_param: if names.name == "T" { "M" } else { "T" },
        handler_class: !def
            .methods
            .iter()
            .any(|m| IPC_HANDLER_MEMBERS.contains(&m.name.as_str())),
        methods,
    }
}

fn notifications_view(
    writer: &mut TypeWriter,
    def: &Notifications,
    names: &NotificationNames,
) -> NotificationsView {
    let events = def
        .events
        .iter()
        .map(|e| {
            // No event parameter streams (E0312).
            let params = param_lists(writer, &e.params);
            EventView {
                doc: doc_view(&e.docs, &e.deprecated, &e.since),
                key: object_key(&e.name),
                signature: signature_key(&e.name),
                required: e.params.iter().filter(|p| !p.optional).count(),
                param_list: params.caller,
                param_codecs: params.codecs,
            }
        })
        .collect();
    NotificationsView {
        doc: doc_view(&def.meta.docs, &def.meta.deprecated, &def.meta.since),
        deprecated: deprecated_tag(&def.meta.deprecated),
        name: names.name.clone(),
        idl_name: string_literal(&def.meta.qualified_name),
        channel_name: names.channel.clone(),
        channel_const: names.channel_const,
        channel: names.channel_value.clone(),
        schema_hash_name: names.schema_hash.clone(),
        schema_hash: string_literal(&def.schema_hash),
        descriptor: names.descriptor.clone(),
        add_listener: names.add_listener.clone(),
        sender: names.sender.clone(),
        events,
    }
}

#[cfg(test)]
mod tests;
