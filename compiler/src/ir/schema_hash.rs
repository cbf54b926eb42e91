//! Schema hashes: a fingerprint of everything on a channel that affects the wire.
//!
//! The hash is SHA-256 over a canonical text, cut to 16 lowercase hex digits. The text holds:
//! the channel name; each method (or notification) by name, members sorted by name since the
//! wire addresses them by name; each parameter's type and optional-ness, in order, since
//! arguments are positional (parameter *names* are not on the wire); the result and `throws`
//! types; and the full structure of every type reached: struct and union field names,
//! optional-ness and types, enum and union variant names. Type *names* and aliases are not on
//! the wire, so types are written structurally and numbered in first-visit order (`#0`, `#1`,
//! ...), which also ends recursion. Docs, comments, formatting, attribute order,
//! `@deprecated` and `@since` never reach the text.

use std::collections::HashMap;
use std::fmt::Write;

use sha2::{Digest, Sha256};

use crate::ir::model::*;

/// Fills in `schema_hash` of every interface and notifications block.
pub(crate) fn fill(ir: &mut Ir) {
    let interface_hashes: Vec<String> = ir
        .interfaces
        .iter()
        .map(|i| hash_text(&interface_text(ir, i)))
        .collect();
    let notification_hashes: Vec<String> = ir
        .notifications
        .iter()
        .map(|n| hash_text(&notifications_text(ir, n)))
        .collect();
    for (interface, hash) in ir.interfaces.iter_mut().zip(interface_hashes) {
        interface.schema_hash = hash;
    }
    for (block, hash) in ir.notifications.iter_mut().zip(notification_hashes) {
        block.schema_hash = hash;
    }
}

fn hash_text(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut hex = String::with_capacity(16);
    for byte in &digest[..8] {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// The canonical text of an interface (public in the crate for tests and debugging).
pub(crate) fn interface_text(ir: &Ir, interface: &Interface) -> String {
    let mut canon = Canonical::new(ir);
    canon.out.push_str("ipcc-schema 1\ninterface\n");
    canon.string(&interface.channel);
    let mut methods: Vec<&Method> = interface.methods.iter().collect();
    methods.sort_by(|a, b| a.name.cmp(&b.name));
    for method in methods {
        canon.out.push_str("\nmethod ");
        canon.out.push_str(&method.name);
        canon.params(&method.params);
        canon.out.push_str(" -> ");
        match &method.result {
            Some(result) => canon.ty(result),
            None => canon.out.push_str("void"),
        }
        if let Some(id) = method.throws {
            canon.out.push_str(" throws ");
            canon.ty(&TypeRef::Named { id });
        }
    }
    canon.out
}

/// The canonical text of a notifications block.
pub(crate) fn notifications_text(ir: &Ir, block: &Notifications) -> String {
    let mut canon = Canonical::new(ir);
    canon.out.push_str("ipcc-schema 1\nnotifications\n");
    canon.string(&block.channel);
    let mut events: Vec<&Event> = block.events.iter().collect();
    events.sort_by(|a, b| a.name.cmp(&b.name));
    for event in events {
        canon.out.push_str("\nevent ");
        canon.out.push_str(&event.name);
        canon.params(&event.params);
    }
    canon.out
}

struct Canonical<'a> {
    ir: &'a Ir,
    /// Types already written, by first-visit number.
    numbers: HashMap<TypeId, usize>,
    out: String,
}

impl<'a> Canonical<'a> {
    fn new(ir: &'a Ir) -> Self {
        Canonical {
            ir,
            numbers: HashMap::new(),
            out: String::new(),
        }
    }

    /// Length-prefixed, so no channel name can imitate the text around it.
    fn string(&mut self, value: &str) {
        let _ = write!(self.out, "channel {}:{value}", value.len());
    }

    fn params(&mut self, params: &[Param]) {
        self.out.push('(');
        for (index, param) in params.iter().enumerate() {
            if index > 0 {
                self.out.push(',');
            }
            if param.optional {
                self.out.push_str("omittable ");
            }
            self.ty(&param.ty);
        }
        self.out.push(')');
    }

    fn ty(&mut self, ty: &TypeRef) {
        let ir = self.ir;
        match ir.resolve_alias(ty) {
            TypeRef::Primitive { primitive } => self.out.push_str(primitive_name(*primitive)),
            TypeRef::Array { element } => {
                self.out.push('[');
                self.ty(element);
                self.out.push(']');
            }
            TypeRef::Map { key, value } => {
                self.out.push_str("map<");
                self.ty(key);
                self.out.push(',');
                self.ty(value);
                self.out.push('>');
            }
            TypeRef::Optional { inner } => {
                self.out.push_str("opt<");
                self.ty(inner);
                self.out.push('>');
            }
            TypeRef::Named { id } => {
                if let Some(number) = self.numbers.get(id) {
                    let _ = write!(self.out, "#{number}");
                    return;
                }
                let number = self.numbers.len();
                self.numbers.insert(*id, number);
                let _ = write!(self.out, "#{number}=");
                match &ir.ty(*id).kind {
                    TypeDefKind::Struct { fields } => {
                        self.out.push_str("struct{");
                        self.fields(fields);
                        self.out.push('}');
                    }
                    TypeDefKind::Enum { variants } => {
                        let mut names: Vec<&str> =
                            variants.iter().map(|v| v.name.as_str()).collect();
                        names.sort_unstable();
                        self.out.push_str("enum{");
                        self.out.push_str(&names.join(","));
                        self.out.push('}');
                    }
                    TypeDefKind::Union { variants } => {
                        let mut sorted: Vec<&UnionVariant> = variants.iter().collect();
                        sorted.sort_by(|a, b| a.name.cmp(&b.name));
                        self.out.push_str("union{");
                        for variant in sorted {
                            self.out.push_str(&variant.name);
                            if !variant.unit {
                                self.out.push('{');
                                self.fields(&variant.fields);
                                self.out.push('}');
                            }
                            self.out.push(';');
                        }
                        self.out.push('}');
                    }
                    // `resolve_alias` never stops at an alias.
                    TypeDefKind::Alias { target } => self.ty(target),
                }
            }
        }
    }

    fn fields(&mut self, fields: &[Field]) {
        let mut sorted: Vec<&Field> = fields.iter().collect();
        sorted.sort_by(|a, b| a.name.cmp(&b.name));
        for field in sorted {
            self.out.push_str(&field.name);
            self.out.push(':');
            self.ty(&field.ty);
            self.out.push(';');
        }
    }
}

fn primitive_name(primitive: Primitive) -> &'static str {
    match primitive {
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
