//! The stable codes of every diagnostic the IR stage reports (listed in docs/language.md).
//!
//! Ranges: E01xx files and names, E02xx types, E03xx interfaces, notifications and attributes,
//! E04xx consts, W01xx warnings. The syntax stage uses E00xx; `ipcc compat` E05xx, the project
//! file E06xx (`project.rs`), the formatter E07xx, user templates E08xx (`codegen/template`),
//! the generators E09xx (`codegen`).

/// A root file or directory cannot be read.
pub const UNREADABLE_ROOT: &str = "E0101";
/// An imported file does not exist or cannot be read.
pub const UNREADABLE_IMPORT: &str = "E0102";
/// Files import each other in a cycle.
pub const IMPORT_CYCLE: &str = "E0103";
/// A root directory contains no `.ipc` file.
pub const EMPTY_ROOT_DIR: &str = "E0104";
/// Two declarations with one name in one package (or in the global namespace).
pub const DUPLICATE_DECL: &str = "E0110";
/// Two members (fields, variants, methods, notifications, parameters) with one name.
pub const DUPLICATE_MEMBER: &str = "E0111";
/// A name that resolves to nothing.
pub const UNKNOWN_NAME: &str = "E0112";
/// A qualifier that names no imported package.
pub const UNKNOWN_PACKAGE: &str = "E0113";
/// A declaration of another package used without its package qualifier.
pub const UNQUALIFIED_NAME: &str = "E0114";
/// A declaration of a file that the referring file does not import.
pub const NOT_IMPORTED: &str = "E0115";
/// A name of the wrong kind: a const where a type is expected, or the reverse.
pub const WRONG_KIND: &str = "E0116";
/// Two declarations whose names collide once converted for Rust.
pub const DECL_CASE_COLLISION: &str = "E0117";
/// Two members whose names collide once converted for Rust or TypeScript.
pub const MEMBER_CASE_COLLISION: &str = "E0118";
/// A declaration named like a built-in type.
pub const BUILTIN_NAME: &str = "E0119";
/// A qualified name whose package exists but does not declare it.
pub const NOT_IN_PACKAGE: &str = "E0120";
/// Two packages whose names become the same Rust module path.
pub const PACKAGE_MODULE_COLLISION: &str = "E0121";
/// A declaration of a root's package and one without a package that become the same Rust
/// name at the top level of the root's generated file.
pub const TOP_LEVEL_COLLISION: &str = "E0122";
/// `void` anywhere but `Promise<void>`.
pub const MISPLACED_VOID: &str = "E0201";
/// `Promise<T>` anywhere but a method's result.
pub const MISPLACED_PROMISE: &str = "E0202";
/// A generic type other than `Promise` and `map`.
pub const UNKNOWN_GENERIC: &str = "E0203";
/// Wrong number of type arguments.
pub const TYPE_ARGUMENTS: &str = "E0204";
/// A map key that is not `string` or an integer.
pub const BAD_MAP_KEY: &str = "E0205";
/// An optional of an optional (`T??`, `name?: T?`).
pub const REDUNDANT_OPTIONAL: &str = "E0206";
/// A type that admits no finite value (`struct A { a: A; }`).
pub const INFINITE_TYPE: &str = "E0207";
/// Type aliases that refer to themselves.
pub const ALIAS_CYCLE: &str = "E0208";
/// An enum without variants.
pub const EMPTY_ENUM: &str = "E0209";
/// A union without variants.
pub const EMPTY_UNION: &str = "E0210";
/// `throws` names something other than a struct, enum or union.
pub const BAD_THROWS: &str = "E0211";
/// A field of a union variant named `kind`, which the union's tag already uses on the wire.
pub const UNION_FIELD_KIND: &str = "E0212";
/// `AsyncIterable<T>` where a value is expected: a field, an array element, a map key or
/// value, an alias, `throws`, or the items of another stream.
pub const MISPLACED_STREAM: &str = "E0213";
/// An optional stream: `AsyncIterable<T>?` or `name?: AsyncIterable<T>`.
pub const OPTIONAL_STREAM: &str = "E0214";
/// `AsyncIterable<void>`: a stream without values.
pub const VOID_STREAM: &str = "E0215";
/// `Promise<AsyncIterable<T>>`: a streaming result is written without `Promise`.
pub const PROMISED_STREAM: &str = "E0216";
/// A method whose result is not `Promise<T>`.
pub const NOT_A_PROMISE: &str = "E0301";
/// A required parameter after an optional one.
pub const OPTIONAL_PARAM_ORDER: &str = "E0302";
/// A notification with a result type.
pub const NOTIFICATION_RESULT: &str = "E0303";
/// An interface or notifications block without `@channel`.
pub const MISSING_CHANNEL: &str = "E0304";
/// A channel name used twice.
pub const DUPLICATE_CHANNEL: &str = "E0305";
/// A `@channel` argument that is missing, empty, or not a string.
pub const BAD_CHANNEL: &str = "E0306";
/// An attribute where it is not allowed (`@channel` on a struct, `@since` on a variant).
pub const MISPLACED_ATTRIBUTE: &str = "E0307";
/// The same attribute twice on one item.
pub const DUPLICATE_ATTRIBUTE: &str = "E0308";
/// `@deprecated` or `@since` with an argument of the wrong form.
pub const BAD_ATTRIBUTE_ARGUMENT: &str = "E0309";
/// An interface method named `then`, which would make TypeScript clients thenable.
pub const THEN_METHOD: &str = "E0310";
/// A method with more than one `AsyncIterable<T>` parameter.
pub const SECOND_STREAM_PARAM: &str = "E0311";
/// An `AsyncIterable<T>` parameter of a notification.
pub const NOTIFICATION_STREAM: &str = "E0312";
/// An integer const outside i64, or a float const outside f64.
pub const CONST_OUT_OF_RANGE: &str = "E0401";
/// An attribute the compiler does not know (ignored).
pub const UNKNOWN_ATTRIBUTE: &str = "W0101";
/// Types nested (by value) deeper than rustc follows by default: the generated Rust needs a
/// `#![recursion_limit]`.
pub const DEEP_RUST_NESTING: &str = "W0102";
