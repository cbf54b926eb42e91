//! The formatter's safety net: the formatted text must parse to the same declarations and carry
//! the same comments as the input, or it is not used.

use super::normalize_comment;
use crate::diagnostics::{SourceId, Span};
use crate::syntax::ast::*;
use crate::syntax::{self, lexer};

/// Why `formatted` cannot stand in for `original` (whose syntax tree is `tree`), or `Ok`.
///
/// The syntax trees are compared with every span erased. That is stricter than comparing the
/// IR (it also sees attribute order, unused attributes and the spelling of types) and needs no
/// imports and no semantic checks, so a file with unknown names can be formatted and checked.
pub(super) fn check(original: &str, tree: File<'_>, formatted: &str) -> Result<(), String> {
    let (reparsed, diagnostics) = syntax::parse(SourceId(0), formatted);
    if let Some(first) = diagnostics.first() {
        return Err(format!(
            "the formatted text does not parse ({}: {})",
            first.code, first.message
        ));
    }
    let Some(reparsed) = reparsed else {
        return Err("the formatted text does not parse".to_string());
    };
    if erase_file(tree) != erase_file(reparsed) {
        return Err("the declarations would change".to_string());
    }
    let before = lexer::comments(original);
    let after = lexer::comments(formatted);
    if before.len() != after.len() {
        return Err(format!(
            "the file has {} comments, the formatted text {}",
            before.len(),
            after.len()
        ));
    }
    for (index, ((kind, text), (kind_after, text_after))) in before.iter().zip(&after).enumerate() {
        if kind != kind_after
            || normalize_comment(*kind, text) != normalize_comment(*kind, text_after)
        {
            return Err(format!("comment {} would change", index + 1));
        }
    }
    Ok(())
}

/// The span every erased node gets.
const NOWHERE: Span = Span {
    source: SourceId(0),
    start: 0,
    end: 0,
};

fn erase_file(mut file: File<'_>) -> File<'_> {
    if let Some(package) = &mut file.package {
        package.span = NOWHERE;
    }
    for import in &mut file.imports {
        import.path_span = NOWHERE;
        import.span = NOWHERE;
    }
    for item in &mut file.items {
        erase_item(item);
    }
    file
}

fn erase_item(item: &mut Item<'_>) {
    erase_leading(&mut item.leading);
    item.span = NOWHERE;
    match &mut item.kind {
        ItemKind::Const(c) => {
            c.name.span = NOWHERE;
            match &mut c.value {
                Literal::String(_, span)
                | Literal::Integer(_, span)
                | Literal::Float(_, span)
                | Literal::Bool(_, span) => *span = NOWHERE,
            }
        }
        ItemKind::Struct(s) => {
            s.name.span = NOWHERE;
            s.fields.iter_mut().for_each(erase_field);
        }
        ItemKind::Enum(e) => {
            e.name.span = NOWHERE;
            for variant in &mut e.variants {
                erase_leading(&mut variant.leading);
                variant.name.span = NOWHERE;
            }
        }
        ItemKind::Union(u) => {
            u.name.span = NOWHERE;
            for variant in &mut u.variants {
                erase_leading(&mut variant.leading);
                variant.name.span = NOWHERE;
                variant.span = NOWHERE;
                if let Some(fields) = &mut variant.fields {
                    fields.iter_mut().for_each(erase_field);
                }
            }
        }
        ItemKind::Alias(a) => {
            a.name.span = NOWHERE;
            erase_type(&mut a.target);
        }
        ItemKind::Interface(i) => {
            i.name.span = NOWHERE;
            for method in &mut i.methods {
                erase_leading(&mut method.leading);
                method.name.span = NOWHERE;
                method.span = NOWHERE;
                method.params.iter_mut().for_each(erase_param);
                method.returns.iter_mut().for_each(erase_type);
                method.throws.iter_mut().for_each(erase_type);
            }
        }
        ItemKind::Notifications(n) => {
            n.name.span = NOWHERE;
            for event in &mut n.events {
                erase_leading(&mut event.leading);
                event.name.span = NOWHERE;
                event.span = NOWHERE;
                event.params.iter_mut().for_each(erase_param);
                event.returns.iter_mut().for_each(erase_type);
            }
        }
    }
}

fn erase_leading(leading: &mut Leading<'_>) {
    for attribute in &mut leading.attributes {
        attribute.name.span = NOWHERE;
        attribute.span = NOWHERE;
        match &mut attribute.arg {
            Some(AttributeArg::String(_, span)) => *span = NOWHERE,
            Some(AttributeArg::Path(path)) => erase_path(path),
            None => {}
        }
    }
}

fn erase_field(field: &mut Field<'_>) {
    erase_leading(&mut field.leading);
    field.name.span = NOWHERE;
    if let Some(optional) = &mut field.optional {
        *optional = NOWHERE;
    }
    erase_type(&mut field.ty);
    field.span = NOWHERE;
}

fn erase_param(param: &mut Param<'_>) {
    param.name.span = NOWHERE;
    if let Some(optional) = &mut param.optional {
        *optional = NOWHERE;
    }
    erase_type(&mut param.ty);
    param.span = NOWHERE;
}

/// Recursion is bounded: the parser rejects types nested more than 32 deep.
fn erase_type(ty: &mut Type<'_>) {
    ty.span = NOWHERE;
    match &mut ty.kind {
        TypeKind::Named(path) => erase_path(path),
        TypeKind::Array(inner) | TypeKind::Optional(inner) => erase_type(inner),
        TypeKind::Map(key, value) => {
            erase_type(key);
            erase_type(value);
        }
        TypeKind::Generic(path, args) => {
            erase_path(path);
            args.iter_mut().for_each(erase_type);
        }
    }
}

fn erase_path(path: &mut Path<'_>) {
    path.span = NOWHERE;
}
