//! How deeply types contain one another by value, against what rustc compiles by default.
//!
//! rustc computes a type's drop-check rules by following its fields, and gives up past its
//! `recursion_limit` (128 by default) with E0320 "overflow while adding drop-check rules": a
//! valid schema with a long chain of nested structs (`struct Msg70 { prev?: Msg69; }` down to
//! `Msg0`) would generate Rust that does not build. The chain cannot be broken in generated code
//! (a `Box` or a `Vec` is followed just the same), so the compiler warns, at the outermost type,
//! with the `#![recursion_limit]` that makes it build.
//!
//! The depth counts what rustc follows, measured on generated code: one level per struct or
//! union, one per `Option`, two per map (the map and its value); an array or a `Box` is free.
//! Types that contain each other recursively count once (rustc meets each type once).

use crate::diagnostics::Diagnostic;
use crate::ir::codes;
use crate::ir::loading::LoadedFile;
use crate::ir::model::{Ir, TypeDefKind, TypeRef};
use crate::ir::resolution::Resolved;
use crate::ir::validation::field_types;

/// rustc's default `recursion_limit`.
const RUSTC_RECURSION_LIMIT: usize = 128;

/// Outermost types reported at most, so a schema with many long chains stays readable.
const MAX_REPORTED: usize = 10;

/// Warns about every outermost struct or union that nests deeper than rustc follows by default.
pub(crate) fn check_rust_nesting(
    resolved: &Resolved,
    files: &[LoadedFile],
    diags: &mut Vec<Diagnostic>,
) {
    let ir = &resolved.ir;
    let edges: Vec<Vec<(usize, usize)>> = ir
        .types
        .iter()
        .map(|def| {
            let mut out = Vec::new();
            if !matches!(def.kind, TypeDefKind::Alias { .. }) {
                for ty in field_types(def) {
                    contained(ir, ty, 0, &mut out);
                }
            }
            out
        })
        .collect();
    let depth = depths(ir, &edges);
    let too_deep = |id: usize| depth[id] > RUSTC_RECURSION_LIMIT;
    // Outermost: no other too-deep type contains it.
    let mut contained_in_deep = vec![false; ir.types.len()];
    for (from, targets) in edges.iter().enumerate() {
        if too_deep(from) {
            for &(to, _) in targets {
                if to != from {
                    contained_in_deep[to] = true;
                }
            }
        }
    }
    let outermost = (0..ir.types.len()).filter(|&id| too_deep(id) && !contained_in_deep[id]);
    for id in outermost.take(MAX_REPORTED) {
        let at = resolved.type_decls[id];
        let name = &files[at.file].lowered.decls[at.decl].meta.name;
        let limit = (depth[id] + depth[id] / 4).next_power_of_two();
        diags.push(
            Diagnostic::warning(
                codes::DEEP_RUST_NESTING,
                format!(
                    "`{}` nests types {} levels deep, past rustc's default recursion limit ({RUSTC_RECURSION_LIMIT}): the generated Rust fails to build with E0320",
                    name.text, depth[id]
                ),
                name.span,
            )
            .with_label("the outermost type of the chain")
            .with_help(format!(
                "add `#![recursion_limit = \"{limit}\"]` at the root of the Rust crate that includes the generated code, or nest fewer types inside one another"
            )),
        );
    }
}

/// The structs and unions a type use holds by value, each with the levels rustc follows on
/// the way to it.
fn contained(ir: &Ir, ty: &TypeRef, levels: usize, out: &mut Vec<(usize, usize)>) {
    match ty {
        TypeRef::Primitive { .. } => {}
        TypeRef::Named { id } => match &ir.ty(*id).kind {
            TypeDefKind::Alias { target } => contained(ir, target, levels, out),
            TypeDefKind::Struct { .. } | TypeDefKind::Union { .. } => {
                out.push((id.0 as usize, levels))
            }
            TypeDefKind::Enum { .. } => {}
        },
        TypeRef::Optional { inner } => contained(ir, inner, levels + 1, out),
        TypeRef::Array { element } => contained(ir, element, levels, out),
        TypeRef::Map { value, .. } => contained(ir, value, levels + 2, out),
    }
}

/// The depth of every type: one for itself plus its deepest contained type's, where a type
/// met again on the way (recursion) counts nothing. Iterative, so a chain of any length is
/// followed without deep native recursion.
fn depths(ir: &Ir, edges: &[Vec<(usize, usize)>]) -> Vec<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum Visit {
        New,
        Open,
        Done,
    }
    let count = ir.types.len();
    let mut depth = vec![0; count];
    let mut visit = vec![Visit::New; count];
    for start in 0..count {
        if visit[start] != Visit::New {
            continue;
        }
        visit[start] = Visit::Open;
        let mut stack = vec![(start, 0usize)];
        while let Some((node, next)) = stack.last_mut() {
            let node = *node;
            if let Some(&(to, _)) = edges[node].get(*next) {
                *next += 1;
                if visit[to] == Visit::New {
                    visit[to] = Visit::Open;
                    stack.push((to, 0));
                }
                continue;
            }
            let deepest = edges[node]
                .iter()
                .filter(|&&(to, _)| visit[to] == Visit::Done)
                .map(|&(to, levels)| levels + depth[to])
                .max()
                .unwrap_or(0);
            depth[node] = match ir.types[node].kind {
                TypeDefKind::Struct { .. } | TypeDefKind::Union { .. } => 1 + deepest,
                _ => 0,
            };
            visit[node] = Visit::Done;
            stack.pop();
        }
    }
    depth
}
