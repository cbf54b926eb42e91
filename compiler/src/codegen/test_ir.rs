//! Builders of hand-made IR for the generators' unit tests.

use crate::ir::*;

pub(crate) fn meta(name: &str, file: u32) -> DeclMeta {
    DeclMeta {
        name: name.to_string(),
        qualified_name: name.to_string(),
        file: FileId(file),
        docs: Vec::new(),
        deprecated: None,
        since: None,
    }
}

pub(crate) fn prim(primitive: Primitive) -> TypeRef {
    TypeRef::Primitive { primitive }
}

pub(crate) fn named(id: u32) -> TypeRef {
    TypeRef::Named { id: TypeId(id) }
}

pub(crate) fn optional(inner: TypeRef) -> TypeRef {
    TypeRef::Optional {
        inner: Box::new(inner),
    }
}

pub(crate) fn array(element: TypeRef) -> TypeRef {
    TypeRef::Array {
        element: Box::new(element),
    }
}

pub(crate) fn map(key: TypeRef, value: TypeRef) -> TypeRef {
    TypeRef::Map {
        key: Box::new(key),
        value: Box::new(value),
    }
}

pub(crate) fn field(name: &str, ty: TypeRef) -> Field {
    Field {
        name: name.to_string(),
        docs: Vec::new(),
        deprecated: None,
        since: None,
        ty,
        boxed: false,
    }
}

pub(crate) fn param(name: &str, ty: TypeRef) -> Param {
    Param {
        name: name.to_string(),
        optional: false,
        stream: false,
        ty,
    }
}
