//! The handlebars helpers of user templates: the built-in generators' casing and type spelling,
//! lookups in the IR, and a few formatting aids. Each is listed with an example in
//! docs/templates.md; `eq`, `ne`, `and`, `or`, `not`, `len`, `lookup` come with handlebars.

use std::sync::{Arc, OnceLock};

use handlebars::{
    Context, Handlebars, Helper, HelperDef, RenderContext, RenderError, RenderErrorReason,
    ScopedJson,
};
use serde_json::Value;

use crate::codegen::{rust, ts};
use crate::ident;
use crate::ir::{FileId, Ir, TypeId, TypeRef};

/// Registers every helper on `registry`; the type helpers read `ir`.
pub(super) fn register<'a>(registry: &mut Handlebars<'a>, ir: &'a Ir) {
    let shared = Arc::new(Shared {
        ir,
        ts: OnceLock::new(),
    });
    for kind in [
        Kind::SnakeCase,
        Kind::CamelCase,
        Kind::PascalCase,
        Kind::ShoutySnakeCase,
        Kind::KebabCase,
        Kind::IdlType,
        Kind::RustType,
        Kind::TsType,
        Kind::TypeDef,
        Kind::ResolveAlias,
        Kind::OfFile,
        Kind::Json,
        Kind::Docs,
    ] {
        registry.register_helper(
            kind.name(),
            Box::new(IrHelper {
                kind,
                shared: Arc::clone(&shared),
            }),
        );
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    SnakeCase,
    CamelCase,
    PascalCase,
    ShoutySnakeCase,
    KebabCase,
    IdlType,
    RustType,
    TsType,
    TypeDef,
    ResolveAlias,
    OfFile,
    Json,
    Docs,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::SnakeCase => "snake_case",
            Kind::CamelCase => "camel_case",
            Kind::PascalCase => "pascal_case",
            Kind::ShoutySnakeCase => "shouty_snake_case",
            Kind::KebabCase => "kebab_case",
            Kind::IdlType => "idl_type",
            Kind::RustType => "rust_type",
            Kind::TsType => "ts_type",
            Kind::TypeDef => "type_def",
            Kind::ResolveAlias => "resolve_alias",
            Kind::OfFile => "of_file",
            Kind::Json => "json",
            Kind::Docs => "docs",
        }
    }
}

/// What the helpers of one rendering share.
struct Shared<'a> {
    ir: &'a Ir,
    /// The TypeScript generator's names, built on first use of `ts_type`.
    ts: OnceLock<ts::TypeSpeller<'a>>,
}

struct IrHelper<'a> {
    kind: Kind,
    shared: Arc<Shared<'a>>,
}

impl HelperDef for IrHelper<'_> {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let name = self.kind.name();
        let ir = self.shared.ir;
        let value = argument(h, name)?;
        let result = match self.kind {
            Kind::SnakeCase => Value::from(ident::snake_case(string(value, name)?)),
            Kind::CamelCase => Value::from(ident::camel_case(string(value, name)?)),
            Kind::PascalCase => Value::from(ident::pascal_case(string(value, name)?)),
            Kind::ShoutySnakeCase => Value::from(ident::shouty_snake_case(string(value, name)?)),
            Kind::KebabCase => Value::from(ident::kebab_case(string(value, name)?)),
            Kind::IdlType => {
                let ty = type_ref(ir, value, name)?;
                let from = perspective(ir, h, ctx, name)?;
                let package = from.and_then(|file| ir.file(file).package.as_deref());
                Value::from(idl_type(ir, &ty, package))
            }
            Kind::RustType => {
                let ty = type_ref(ir, value, name)?;
                let from = perspective(ir, h, ctx, name)?;
                Value::from(rust::type_spelling(ir, &ty, from))
            }
            Kind::TsType => {
                let ty = type_ref(ir, value, name)?;
                let from = perspective(ir, h, ctx, name)?;
                let speller = self.shared.ts.get_or_init(|| ts::TypeSpeller::new(ir));
                Value::from(speller.spell(&ty, from))
            }
            Kind::TypeDef => {
                let id = match type_ref(ir, value, name)? {
                    TypeRef::Named { id } => id,
                    _ => {
                        return Err(fail(format!(
                            "`{name}` expects a type id or a named type, got {}",
                            describe(value)
                        )))
                    }
                };
                to_json(ir.ty(id))?
            }
            Kind::ResolveAlias => {
                let ty = type_ref(ir, value, name)?;
                to_json(ir.resolve_alias(&ty))?
            }
            Kind::OfFile => {
                let items = value.as_array().ok_or_else(|| {
                    fail(format!(
                        "`{name}` expects a list of declarations, got {}",
                        describe(value)
                    ))
                })?;
                let Some(file) = perspective(ir, h, ctx, name)? else {
                    return Err(fail(format!(
                        "`{name}` needs a file: use it in a per-file template or pass `file=`"
                    )));
                };
                let mut declared = Vec::new();
                for item in items {
                    match item.get("file").and_then(Value::as_u64) {
                        Some(id) if id == u64::from(file.0) => declared.push(item.clone()),
                        Some(_) => {}
                        None => {
                            return Err(fail(format!(
                                "`{name}`: {} is not a declaration (it has no `file`)",
                                describe(item)
                            )))
                        }
                    }
                }
                Value::Array(declared)
            }
            Kind::Json => {
                let pretty = match h.hash_get("pretty") {
                    None => false,
                    Some(pretty) => pretty.value().as_bool().ok_or_else(|| {
                        fail(format!("`{name}`: `pretty` must be `true` or `false`"))
                    })?,
                };
                let text = if pretty {
                    serde_json::to_string_pretty(value)
                } else {
                    serde_json::to_string(value)
                };
                Value::from(text.map_err(|e| fail(format!("`{name}`: {e}")))?)
            }
            Kind::Docs => {
                let prefix = match h.hash_get("prefix") {
                    None => "",
                    Some(prefix) => prefix
                        .value()
                        .as_str()
                        .ok_or_else(|| fail(format!("`{name}`: `prefix` must be a string")))?,
                };
                let lines = value.as_array().ok_or_else(|| {
                    fail(format!(
                        "`{name}` expects a list of doc lines, got {}",
                        describe(value)
                    ))
                })?;
                let mut text = Vec::with_capacity(lines.len());
                for line in lines {
                    let line = line.as_str().ok_or_else(|| {
                        fail(format!("`{name}`: a doc line is {}", describe(line)))
                    })?;
                    text.push(format!("{prefix}{line}").trim_end().to_string());
                }
                Value::from(text.join("\n"))
            }
        };
        Ok(ScopedJson::Derived(result))
    }
}

/// The helper's first argument; in strict mode a name that does not exist is an error naming it.
fn argument<'h>(h: &'h Helper<'_>, name: &'static str) -> Result<&'h Value, RenderError> {
    let Some(param) = h.param(0) else {
        return Err(RenderErrorReason::ParamNotFoundForIndex(name, 0).into());
    };
    if param.is_value_missing() {
        return Err(RenderErrorReason::MissingVariable(param.relative_path().cloned()).into());
    }
    Ok(param.value())
}

fn fail(message: String) -> RenderError {
    RenderErrorReason::Other(message).into()
}

fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<Value, RenderError> {
    serde_json::to_value(value).map_err(|e| fail(format!("cannot convert to JSON: {e}")))
}

/// What kind of JSON value this is, for error messages.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => format!("the boolean `{b}`"),
        Value::Number(n) => format!("the number `{n}`"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "a list".to_string(),
        Value::Object(_) => "an object".to_string(),
    }
}

fn string<'v>(value: &'v Value, name: &str) -> Result<&'v str, RenderError> {
    value.as_str().ok_or_else(|| {
        fail(format!(
            "`{name}` expects a string, got {}",
            describe(value)
        ))
    })
}

/// A type use given as a `TypeRef` object or as a `TypeId` (a named type), every id in it
/// checked against the model.
fn type_ref(ir: &Ir, value: &Value, name: &str) -> Result<TypeRef, RenderError> {
    let ty = match value {
        Value::Number(number) => {
            let id = number
                .as_u64()
                .and_then(|id| u32::try_from(id).ok())
                .ok_or_else(|| fail(format!("`{name}`: `{number}` is not a type id")))?;
            TypeRef::Named { id: TypeId(id) }
        }
        _ => serde_json::from_value(value.clone()).map_err(|e| {
            fail(format!(
                "`{name}` expects a type (a `TypeRef` object or a type id), got {}: {e}",
                describe(value)
            ))
        })?,
    };
    check_ids(ir, &ty, name)?;
    Ok(ty)
}

fn check_ids(ir: &Ir, ty: &TypeRef, name: &str) -> Result<(), RenderError> {
    match ty {
        TypeRef::Primitive { .. } => Ok(()),
        TypeRef::Named { id } if (id.0 as usize) < ir.types.len() => Ok(()),
        TypeRef::Named { id } => Err(fail(format!(
            "`{name}`: type id {} does not exist (the model has {} types)",
            id.0,
            ir.types.len()
        ))),
        TypeRef::Array { element } => check_ids(ir, element, name),
        TypeRef::Map { key, value } => {
            check_ids(ir, key, name)?;
            check_ids(ir, value, name)
        }
        TypeRef::Optional { inner } => check_ids(ir, inner, name),
    }
}

/// The file whose generated code a type is spelt for: the `file` argument (a `FileId`), else
/// the per-file template's `file`, else none.
fn perspective(
    ir: &Ir,
    h: &Helper<'_>,
    ctx: &Context,
    name: &str,
) -> Result<Option<FileId>, RenderError> {
    let given = match h.hash_get("file") {
        Some(file) => Some(file.value()),
        None => ctx.data().get("file").and_then(|file| file.get("id")),
    };
    let Some(given) = given else {
        return Ok(None);
    };
    match given.as_u64().and_then(|id| u32::try_from(id).ok()) {
        Some(id) if (id as usize) < ir.files.len() => Ok(Some(FileId(id))),
        _ => Err(fail(format!(
            "`{name}`: `file` must be a file id below {}, got {}",
            ir.files.len(),
            describe(given)
        ))),
    }
}

/// A type use as the IDL writes it: `Person` for a type of `package` (the file's own),
/// `people.Person` for one of another package, `i64[]`, `map<string, f64>`, `Person?`.
fn idl_type(ir: &Ir, ty: &TypeRef, package: Option<&str>) -> String {
    match ty {
        TypeRef::Primitive { primitive } => primitive.idl_name().to_string(),
        TypeRef::Named { id } => {
            let def = ir.ty(*id);
            if ir.file(def.meta.file).package.as_deref() == package {
                def.meta.name.clone()
            } else {
                def.meta.qualified_name.clone()
            }
        }
        TypeRef::Array { element } => format!("{}[]", idl_type(ir, element, package)),
        TypeRef::Map { key, value } => format!(
            "map<{}, {}>",
            idl_type(ir, key, package),
            idl_type(ir, value, package)
        ),
        TypeRef::Optional { inner } => format!("{}?", idl_type(ir, inner, package)),
    }
}
