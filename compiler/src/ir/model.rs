//! The resolved IR: the owned, serializable model every generator reads (no name lookups needed).
//!
//! Invariants (established by lowering and validation, relied on by every generator):
//! - every [`TypeRef::Named`] points at an existing entry of [`Ir::types`];
//! - names are unique in their scope and valid identifiers of the `.ipc` language;
//! - channel names are unique across [`Ir::interfaces`] and [`Ir::notifications`];
//! - every type admits a finite value; fields that need indirection in Rust have `boxed = true`;
//! - `void` never appears inside a type, only as a method result (`result: None`);
//! - streams (`AsyncIterable<T>`) appear only as flags: [`Method::result_stream`] and
//!   [`Param::stream`], with the item type in `result` / `ty`; at most one parameter of a
//!   method streams, no event parameter does, and no type holds a stream;
//! - an `Optional` never directly wraps another `Optional`;
//! - declarations are listed in source order, file by file, files in dependency order (a file's
//!   imports come before it).

use serde::{Deserialize, Serialize};

/// Version of the IR JSON that `ipcc ir` prints and user templates render against. Its JSON
/// Schema, `docs/ir.schema.json` (`$id` `urn:ipcc:ir:v<IR_VERSION>`), is derived from the
/// types below, and a test fails while the committed file differs. Bump on any incompatible
/// change (a field removed, renamed or retyped, a meaning changed); a new field is compatible:
/// readers ignore fields they do not know.
pub const IR_VERSION: u32 = 1;

/// Everything compiled together: the root files and all that they import.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ir {
    /// Always [`IR_VERSION`].
    pub version: u32,
    /// Source files, imports before importers. Indexed by [`FileId`].
    pub files: Vec<SourceFile>,
    /// Named types (structs, enums, unions, aliases). Indexed by [`TypeId`].
    pub types: Vec<TypeDef>,
    /// Constants, in source order.
    pub consts: Vec<ConstDef>,
    /// Interfaces (request/response channels), in source order.
    pub interfaces: Vec<Interface>,
    /// Notification blocks (backend-to-frontend channels), in source order.
    pub notifications: Vec<Notifications>,
}

/// Index into [`Ir::files`].
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FileId(pub u32);

/// Index into [`Ir::types`].
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TypeId(pub u32);

/// One `.ipc` file.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceFile {
    /// Where the file is, the same on every machine: never absolute, `/` separators, no `.`
    /// segments, distinct for distinct files. Relative to the working directory when every
    /// root file is at or below it (`common/greeter.ipc`, whether given absolute or relative;
    /// an import outside it reads `../shared/types.ipc`); otherwise relative to the deepest
    /// directory holding every root file (`greeter.ipc` for `ipcc ir ../common/greeter.ipc`).
    /// Diagnostics show paths as they were given instead.
    pub path: String,
    /// File name without directory and `.ipc` extension (`greeter` for `common/greeter.ipc`);
    /// generators name their output after it.
    pub stem: String,
    /// `package` declared by the file, if any, as written: identifiers joined by dots
    /// (`people`, `acme.people`). Not on the wire: it only namespaces names and decides the Rust
    /// module of the file's declarations.
    pub package: Option<String>,
    /// The file's own documentation (`//!` before its first declaration), one entry per line,
    /// the leading `//!` and one space removed. Empty when the file has none.
    #[serde(default)]
    pub docs: Vec<String>,
    /// Files this file imports directly, in the order of its `import` lines.
    pub imports: Vec<FileId>,
    /// Whether the file was given on the command line / to the builder (as opposed to only
    /// reached through an import).
    pub is_root: bool,
}

/// Data shared by every declaration.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeclMeta {
    /// Name as written in the IDL (PascalCase for types, camelCase for consts by convention).
    pub name: String,
    /// `package.Name` when the file has a package (`acme.people.Person`), else `Name`.
    pub qualified_name: String,
    /// The file that declares it.
    pub file: FileId,
    /// `///` documentation, one entry per line, the leading `///` and one space removed.
    pub docs: Vec<String>,
    /// Message of `@deprecated("...")`, if present (empty string for a bare `@deprecated`).
    pub deprecated: Option<String>,
    /// Version of `@since("...")`, if present.
    pub since: Option<String>,
}

/// A named type.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypeDef {
    #[serde(flatten)]
    pub meta: DeclMeta,
    /// What the type is, with its members.
    pub kind: TypeDefKind,
}

#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
/// What a named type is; `kind` names the variant.
pub enum TypeDefKind {
    /// On the wire an object with one property per field.
    Struct {
        /// In declaration order; names are unique in the struct.
        fields: Vec<Field>,
    },
    /// Variants travel as their names (strings).
    Enum {
        /// In declaration order, at least one; names are unique in the enum.
        variants: Vec<EnumVariant>,
    },
    /// Tagged union: on the wire an object whose `"kind"` is the variant name.
    Union {
        /// In declaration order, at least one; names are unique in the union.
        variants: Vec<UnionVariant>,
    },
    /// `type Name = T;` — generators emit an alias and treat it as `T` on the wire.
    Alias {
        /// The aliased type (`Optional` too: `type MaybeName = string?;`).
        target: TypeRef,
    },
}

/// A struct field, or a field of a struct-like union variant.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// As written (camelCase); also the wire name.
    pub name: String,
    /// `///` documentation, one entry per line (as for declarations).
    pub docs: Vec<String>,
    /// Message of `@deprecated("...")`, if present (empty string for a bare `@deprecated`).
    pub deprecated: Option<String>,
    /// Version of `@since("...")`, if present.
    pub since: Option<String>,
    /// The field's type. A field written `name?: T` or `name: T?` has `ty = Optional(T)`.
    pub ty: TypeRef,
    /// True when the value must be boxed in Rust to give the containing type a finite size
    /// (the field's type reaches the containing type again without passing through an array
    /// or a map). Optional wrapping does not count as indirection.
    pub boxed: bool,
}

#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// A variant of an `enum`.
pub struct EnumVariant {
    /// As written; also the wire string.
    pub name: String,
    /// `///` documentation, one entry per line (as for declarations).
    pub docs: Vec<String>,
    /// Message of `@deprecated("...")`, if present (empty string for a bare `@deprecated`).
    pub deprecated: Option<String>,
}

#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnionVariant {
    /// As written; also the wire value of `"kind"`.
    pub name: String,
    /// `///` documentation, one entry per line (as for declarations).
    pub docs: Vec<String>,
    /// Message of `@deprecated("...")`, if present (empty string for a bare `@deprecated`).
    pub deprecated: Option<String>,
    /// Empty for a unit variant (`empty`); fields for a struct-like one (`circle { r: f64; }`).
    pub fields: Vec<Field>,
    /// True for a variant written without braces.
    pub unit: bool,
}

/// A use of a type.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum TypeRef {
    Primitive {
        primitive: Primitive,
    },
    Named {
        id: TypeId,
    },
    Array {
        element: Box<TypeRef>,
    },
    /// Key is a `string` or integer primitive (possibly through an alias).
    Map {
        key: Box<TypeRef>,
        value: Box<TypeRef>,
    },
    Optional {
        inner: Box<TypeRef>,
    },
}

/// Built-in scalar types. `number` lowers to `F64`, `boolean` to `Bool`.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Primitive {
    Bool,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F32,
    F64,
    String,
    Bytes,
}

impl Primitive {
    /// The canonical IDL spelling (`number` and `boolean` are written `f64` and `bool`); also the
    /// name of the runtime-ts codec (`c.i64`) and what the schema hash spells.
    pub fn idl_name(self) -> &'static str {
        match self {
            Primitive::Bool => "bool",
            Primitive::I8 => "i8",
            Primitive::I16 => "i16",
            Primitive::I32 => "i32",
            Primitive::I64 => "i64",
            Primitive::U8 => "u8",
            Primitive::U16 => "u16",
            Primitive::U32 => "u32",
            Primitive::U64 => "u64",
            Primitive::F32 => "f32",
            Primitive::F64 => "f64",
            Primitive::String => "string",
            Primitive::Bytes => "bytes",
        }
    }
}

#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// A `const`.
pub struct ConstDef {
    #[serde(flatten)]
    pub meta: DeclMeta,
    /// The value, of the type the literal has.
    pub value: ConstValue,
}

#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "camelCase")]
/// A const's value: `kind` says which of the four literal kinds `value` is.
pub enum ConstValue {
    String(String),
    /// Within `i64`.
    Integer(i64),
    /// Finite.
    Float(f64),
    Bool(bool),
}

/// An `interface`: methods the frontend calls and the backend handles, on one channel.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interface {
    #[serde(flatten)]
    pub meta: DeclMeta,
    /// The channel name (const references already resolved to their string).
    pub channel: String,
    /// Hash of everything on this channel that affects the wire (see `ir::schema_hash`):
    /// 16 lowercase hex digits. Stable across formatting, comments, docs and type renames.
    pub schema_hash: String,
    /// In declaration order; names are unique in the interface.
    pub methods: Vec<Method>,
}

#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// A method of an interface: `name(params): Promise<result> throws E;`, or with a streaming
/// result `name(params): AsyncIterable<result> throws E;`.
pub struct Method {
    /// As written (camelCase); also the wire method name.
    pub name: String,
    /// `///` documentation, one entry per line (as for declarations).
    pub docs: Vec<String>,
    /// Message of `@deprecated("...")`, if present (empty string for a bare `@deprecated`).
    pub deprecated: Option<String>,
    /// Version of `@since("...")`, if present.
    pub since: Option<String>,
    /// In declaration order (also the wire order of the call's arguments); optional params
    /// come last.
    pub params: Vec<Param>,
    /// `T` of `Promise<T>`; `None` for `Promise<void>`. When `result_stream` is true, the item
    /// type `T` of `AsyncIterable<T>` (never `None` then: there is no stream of `void`).
    pub result: Option<TypeRef>,
    /// True when the result is a stream, `AsyncIterable<T>`: the backend sends any number of
    /// items of type `result`, then the call ends (docs/protocol.md, "Version 2: streams").
    pub result_stream: bool,
    /// The declared error type (a struct, enum or union), if `throws` is given. For a
    /// streaming method it ends the whole call, streams included.
    pub throws: Option<TypeId>,
}

#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// A parameter of a method or notification.
pub struct Param {
    /// As written (camelCase).
    pub name: String,
    /// True for `name?: T`: callers may omit it (only trailing params). The type is then
    /// `Optional(T)`. A param written `name: T?` has `optional = false` and type `Optional(T)`:
    /// it must be passed, possibly as null/undefined.
    pub optional: bool,
    /// True for `name: AsyncIterable<T>`: the frontend sends any number of items of type `ty`
    /// (its slot in the call's arguments is `null`). Only method parameters stream, at most one
    /// per method, and a streaming parameter is never `optional`.
    pub stream: bool,
    /// The parameter's type; `Optional(T)` when `optional` is true; the item type when
    /// `stream` is true.
    pub ty: TypeRef,
}

/// A `notifications` block: messages the backend pushes to the frontend, on one channel.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notifications {
    #[serde(flatten)]
    pub meta: DeclMeta,
    /// The channel name (const references already resolved to their string).
    pub channel: String,
    /// As for [`Interface::schema_hash`].
    pub schema_hash: String,
    /// In declaration order; names are unique in the block.
    pub events: Vec<Event>,
}

/// One notification: `name(params);`.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// As written (camelCase); also the wire method name of the `notify` message.
    pub name: String,
    /// `///` documentation, one entry per line (as for declarations).
    pub docs: Vec<String>,
    /// Message of `@deprecated("...")`, if present (empty string for a bare `@deprecated`).
    pub deprecated: Option<String>,
    /// Version of `@since("...")`, if present.
    pub since: Option<String>,
    /// In declaration order (also the wire order of the arguments); optional params come last.
    pub params: Vec<Param>,
}

impl Ir {
    /// The type a [`TypeId`] names.
    pub fn ty(&self, id: TypeId) -> &TypeDef {
        &self.types[id.0 as usize]
    }

    /// The file a [`FileId`] names.
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// Follows aliases until a non-alias type use is reached.
    pub fn resolve_alias<'a>(&'a self, mut ty: &'a TypeRef) -> &'a TypeRef {
        while let TypeRef::Named { id } = ty {
            match &self.ty(*id).kind {
                TypeDefKind::Alias { target } => ty = target,
                _ => break,
            }
        }
        ty
    }
}
