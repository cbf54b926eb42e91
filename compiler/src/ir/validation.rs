//! Validation of the resolved IR: reserved member names, alias cycles, map keys, optionals
//! through aliases, `throws` types, finite types; and the `boxed` flags the Rust generator needs.

use std::collections::VecDeque;

use crate::diagnostics::Diagnostic;
use crate::ir::codes;
use crate::ir::fast_hash::FastHashMap;
use crate::ir::loading::LoadedFile;
use crate::ir::lowering::{Decl, DeclKind, FieldDecl, ParamDecl, TypeExpr, TypeExprKind};
use crate::ir::model::*;
use crate::ir::resolution::{DeclRef, Resolved};

/// Checks every rule that needs resolved types, and fills in `Field::boxed`.
pub(crate) fn validate(resolved: &mut Resolved, files: &[LoadedFile], diags: &mut Vec<Diagnostic>) {
    let decl_of = |at: DeclRef| -> &Decl { &files[at.file].lowered.decls[at.decl] };

    // Alias cycles first: every later check follows aliases and relies on them ending.
    if !check_alias_cycles(resolved, files, diags) {
        return;
    }
    let ir = &resolved.ir;

    // Map keys and optionals, at every place a type is written.
    for (index, def) in ir.types.iter().enumerate() {
        let decl = decl_of(resolved.type_decls[index]);
        match (&def.kind, &decl.kind) {
            (TypeDefKind::Struct { fields }, DeclKind::Struct(written)) => {
                check_fields(ir, fields, written, diags)
            }
            (TypeDefKind::Union { variants }, DeclKind::Union(written)) => {
                for (variant, written) in variants.iter().zip(written) {
                    if let Some(written) = &written.fields {
                        check_fields(ir, &variant.fields, written, diags);
                    }
                }
            }
            (TypeDefKind::Alias { target }, DeclKind::Alias(written)) => {
                check_type(ir, written, target, diags)
            }
            _ => {}
        }
    }
    for (index, interface) in ir.interfaces.iter().enumerate() {
        let DeclKind::Interface { methods, .. } = &decl_of(resolved.interface_decls[index]).kind
        else {
            continue;
        };
        for (method, written) in interface.methods.iter().zip(methods) {
            check_params(ir, &method.params, &written.params, diags);
            if let (Some(result), Some(written)) = (&method.result, &written.result) {
                check_type(ir, written, result, diags);
            }
            if let (Some(id), Some(written)) = (method.throws, &written.throws) {
                let resolved_kind = &ir.resolve_alias(&TypeRef::Named { id }).clone();
                let ok = matches!(resolved_kind, TypeRef::Named { id } if !matches!(ir.ty(*id).kind, TypeDefKind::Alias { .. }));
                if !ok {
                    diags.push(
                        Diagnostic::error(
                            codes::BAD_THROWS,
                            "`throws` must name a struct, enum or union",
                            written.span,
                        )
                        .with_label(format!("`{}` is not one", ir.ty(id).meta.name))
                        .with_help("declare the error as a type, e.g. `union MyError { notFound, denied }`"),
                    );
                }
            }
        }
    }
    for (index, block) in ir.notifications.iter().enumerate() {
        let DeclKind::Notifications { events, .. } =
            &decl_of(resolved.notification_decls[index]).kind
        else {
            continue;
        };
        for (event, written) in block.events.iter().zip(events) {
            check_params(ir, &event.params, &written.params, diags);
        }
    }

    check_finite(resolved, files, diags);
    crate::ir::nesting::check_rust_nesting(resolved, files, diags);
    normalize_throws(&mut resolved.ir);
    mark_boxed(&mut resolved.ir);
}

/// Member names that the wire format or the generated TypeScript already use:
/// a union variant field `kind` (the union's tag) and an interface method `then` (a client
/// with a `then` method is thenable, so `await client` would call the remote method).
/// Notification events may be called `then`: their handler objects are never awaited.
///
/// Independent of types, so it runs with lowering and resolution (see `ir::run_phases`), and
/// these errors are reported together with unknown names and the like.
pub(crate) fn check_reserved_member_names(files: &[LoadedFile], diags: &mut Vec<Diagnostic>) {
    for decl in files.iter().flat_map(|file| &file.lowered.decls) {
        match &decl.kind {
            DeclKind::Union(variants) => {
                for variant in variants {
                    let fields = variant.fields.iter().flatten();
                    for field in fields.filter(|field| field.meta.name.text == "kind") {
                        let variant_name = &variant.meta.name.text;
                        diags.push(
                            Diagnostic::error(
                                codes::UNION_FIELD_KIND,
                                format!(
                                    "field `kind` of union variant `{variant_name}` clashes with the union's `kind` tag"
                                ),
                                field.meta.name.span,
                            )
                            .with_label("the wire form already uses `kind` for the variant name")
                            .with_help(format!(
                                "rename the field, e.g. `{variant_name}Kind`"
                            )),
                        );
                    }
                }
            }
            DeclKind::Interface { methods, .. } => {
                for method in methods.iter().filter(|m| m.meta.name.text == "then") {
                    diags.push(
                        Diagnostic::error(
                            codes::THEN_METHOD,
                            format!(
                                "method `then` of interface `{}` would make its TypeScript clients thenable",
                                decl.meta.name.text
                            ),
                            method.meta.name.span,
                        )
                        .with_label("`await client` would call this method")
                        .with_help("rename it, e.g. `thenDo`"),
                    );
                }
            }
            _ => {}
        }
    }
}

fn check_fields(ir: &Ir, fields: &[Field], written: &[FieldDecl], diags: &mut Vec<Diagnostic>) {
    for (field, written) in fields.iter().zip(written) {
        check_type(ir, &written.ty, &field.ty, diags);
    }
}

fn check_params(ir: &Ir, params: &[Param], written: &[ParamDecl], diags: &mut Vec<Diagnostic>) {
    for (param, written) in params.iter().zip(written) {
        check_type(ir, &written.ty, &param.ty, diags);
    }
}

/// Walks a written type and its resolution side by side (they have the same shape).
fn check_type(ir: &Ir, written: &TypeExpr, ty: &TypeRef, diags: &mut Vec<Diagnostic>) {
    match (&written.kind, ty) {
        (TypeExprKind::Array(w), TypeRef::Array { element }) => check_type(ir, w, element, diags),
        (TypeExprKind::Map(wk, wv), TypeRef::Map { key, value }) => {
            let key_ok = matches!(
                ir.resolve_alias(key),
                TypeRef::Primitive {
                    primitive: Primitive::String
                        | Primitive::I8
                        | Primitive::I16
                        | Primitive::I32
                        | Primitive::I64
                        | Primitive::U8
                        | Primitive::U16
                        | Primitive::U32
                        | Primitive::U64
                }
            );
            if !key_ok {
                diags.push(
                    Diagnostic::error(
                        codes::BAD_MAP_KEY,
                        "map keys must be `string` or an integer type",
                        wk.span,
                    )
                    .with_label("not a valid key type")
                    .with_help("use `string` keys, or an array of key-value structs"),
                );
            }
            check_type(ir, wk, key, diags);
            check_type(ir, wv, value, diags);
        }
        (TypeExprKind::Optional(w), TypeRef::Optional { inner }) => {
            // A direct `T??` was caught when lowering; this catches one hidden behind an alias.
            if matches!(ir.resolve_alias(inner), TypeRef::Optional { .. }) {
                diags.push(
                    Diagnostic::error(
                        codes::REDUNDANT_OPTIONAL,
                        "a type can be optional only once",
                        written.span,
                    )
                    .with_label("optional of a type alias that is already optional")
                    .with_help("remove the `?`"),
                );
            }
            check_type(ir, w, inner, diags);
        }
        _ => {}
    }
}

/// Named types a type use reaches directly: not under an array or a map, and (when
/// `through_optional` is false) not under an optional either.
fn direct_refs(ty: &TypeRef, through_optional: bool, out: &mut Vec<usize>) {
    match ty {
        TypeRef::Named { id } => out.push(id.0 as usize),
        TypeRef::Optional { inner } if through_optional => direct_refs(inner, true, out),
        _ => {}
    }
}

/// Every named type a type use mentions, at any depth.
pub(crate) fn all_refs(ty: &TypeRef, out: &mut Vec<usize>) {
    match ty {
        TypeRef::Named { id } => out.push(id.0 as usize),
        TypeRef::Array { element } => all_refs(element, out),
        TypeRef::Map { key, value } => {
            all_refs(key, out);
            all_refs(value, out);
        }
        TypeRef::Optional { inner } => all_refs(inner, out),
        TypeRef::Primitive { .. } => {}
    }
}

pub(crate) fn field_types(def: &TypeDef) -> Vec<&TypeRef> {
    match &def.kind {
        TypeDefKind::Struct { fields } => fields.iter().map(|f| &f.ty).collect(),
        TypeDefKind::Union { variants } => variants
            .iter()
            .flat_map(|v| v.fields.iter().map(|f| &f.ty))
            .collect(),
        TypeDefKind::Alias { target } => vec![target],
        TypeDefKind::Enum { .. } => Vec::new(),
    }
}

/// Reports aliases that refer to themselves; returns whether there were none.
fn check_alias_cycles(
    resolved: &Resolved,
    files: &[LoadedFile],
    diags: &mut Vec<Diagnostic>,
) -> bool {
    let ir = &resolved.ir;
    let is_alias = |id: usize| matches!(ir.types[id].kind, TypeDefKind::Alias { .. });
    let edges: Vec<Vec<usize>> = ir
        .types
        .iter()
        .map(|def| match &def.kind {
            TypeDefKind::Alias { target } => {
                let mut refs = Vec::new();
                all_refs(target, &mut refs);
                refs.retain(|&r| is_alias(r));
                refs
            }
            _ => Vec::new(),
        })
        .collect();
    let mut ok = true;
    for cycle in cycles(&edges, |_| true) {
        ok = false;
        let first = cycle[0];
        let name = &files[resolved.type_decls[first].file].lowered.decls
            [resolved.type_decls[first].decl]
            .meta
            .name;
        diags.push(
            Diagnostic::error(
                codes::ALIAS_CYCLE,
                format!("type alias `{}` refers to itself: {}", name.text, path_text(ir, &cycle)),
                name.span,
            )
            .with_label("recursive alias")
            .with_help("an alias cannot contain itself, even through `[]`, `?` or `map`; use a struct or union for a recursive type"),
        );
    }
    ok
}

/// `A` → `B` → `A`, shortened in the middle when long.
fn path_text(ir: &Ir, cycle: &[usize]) -> String {
    let mut names: Vec<String> = cycle
        .iter()
        .map(|&id| format!("`{}`", ir.types[id].meta.name))
        .collect();
    names.push(format!("`{}`", ir.types[cycle[0]].meta.name));
    shorten_cycle(names)
}

/// Joins a cycle's names with arrows, keeping at most a few at each end.
pub(crate) fn shorten_cycle(mut names: Vec<String>) -> String {
    const KEEP: usize = 4;
    if names.len() > 2 * KEEP + 1 {
        let hidden = names.len() - 2 * KEEP;
        let tail = names.split_off(names.len() - KEEP);
        names.truncate(KEEP);
        names.push(format!("({hidden} more)"));
        names.extend(tail);
    }
    names.join(" → ")
}

/// Reports types that admit no finite value (`struct A { a: A; }`), once per cycle.
fn check_finite(resolved: &Resolved, files: &[LoadedFile], diags: &mut Vec<Diagnostic>) {
    let ir = &resolved.ir;
    let count = ir.types.len();
    let deps: Vec<Vec<usize>> = ir
        .types
        .iter()
        .map(|def| {
            let mut refs = Vec::new();
            for ty in field_types(def) {
                direct_refs(ty, false, &mut refs);
            }
            refs
        })
        .collect();
    let mut referrers: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (from, refs) in deps.iter().enumerate() {
        for &to in refs {
            referrers[to].push(from);
        }
    }
    // Least fixpoint: a type is finite once its definition can be built from finite parts.
    // Each type is re-evaluated only when one of its dependencies turns finite.
    let mut finite = vec![false; count];
    let mut queue: VecDeque<usize> = (0..count).collect();
    while let Some(id) = queue.pop_front() {
        if finite[id] || !is_finite(&ir.types[id], &finite) {
            continue;
        }
        finite[id] = true;
        for &referrer in &referrers[id] {
            if !finite[referrer] {
                queue.push_back(referrer);
            }
        }
    }
    if finite.iter().all(|&f| f) {
        return;
    }
    let infinite_edges: Vec<Vec<usize>> = deps
        .iter()
        .enumerate()
        .map(|(from, refs)| {
            if finite[from] {
                Vec::new()
            } else {
                refs.iter().copied().filter(|&to| !finite[to]).collect()
            }
        })
        .collect();
    for cycle in cycles(&infinite_edges, |id| !finite[id]) {
        let first = cycle[0];
        let at = resolved.type_decls[first];
        let name = &files[at.file].lowered.decls[at.decl].meta.name;
        let help = if matches!(ir.types[first].kind, TypeDefKind::Union { .. }) {
            "give the union a variant that does not contain it, or make a field optional (`name?: T`), an array or a map"
        } else {
            "make a field optional (`name?: T`), an array (`T[]`) or a map to break the cycle"
        };
        diags.push(
            Diagnostic::error(
                codes::INFINITE_TYPE,
                format!(
                    "recursive type `{}` has no finite value: {}",
                    name.text,
                    path_text(ir, &cycle)
                ),
                name.span,
            )
            .with_label("contains itself without an optional, array or map in between")
            .with_help(help),
        );
    }
}

fn is_finite(def: &TypeDef, finite: &[bool]) -> bool {
    let use_finite = |ty: &TypeRef| match ty {
        TypeRef::Named { id } => finite[id.0 as usize],
        _ => true,
    };
    match &def.kind {
        TypeDefKind::Struct { fields } => fields.iter().all(|f| use_finite(&f.ty)),
        TypeDefKind::Union { variants } => variants
            .iter()
            .any(|v| v.fields.iter().all(|f| use_finite(&f.ty))),
        TypeDefKind::Enum { variants } => !variants.is_empty(),
        TypeDefKind::Alias { target } => use_finite(target),
    }
}

/// A `throws` through an alias names the aliased type, so generators see a struct, enum or union.
fn normalize_throws(ir: &mut Ir) {
    let mut resolved_ids: FastHashMap<TypeId, TypeId> = FastHashMap::default();
    for interface in &ir.interfaces {
        for method in &interface.methods {
            if let Some(id) = method.throws {
                if let TypeRef::Named { id: target } = ir.resolve_alias(&TypeRef::Named { id }) {
                    resolved_ids.insert(id, *target);
                }
            }
        }
    }
    for interface in &mut ir.interfaces {
        for method in &mut interface.methods {
            if let Some(id) = method.throws {
                method.throws = resolved_ids.get(&id).copied().or(Some(id));
            }
        }
    }
}

/// Sets `Field::boxed` for fields whose type reaches the containing type again without an
/// array or a map in between (Rust needs a `Box` there to give the type a finite size).
fn mark_boxed(ir: &mut Ir) {
    let edges: Vec<Vec<usize>> = ir
        .types
        .iter()
        .map(|def| {
            let mut refs = Vec::new();
            for ty in field_types(def) {
                direct_refs(ty, true, &mut refs);
            }
            refs
        })
        .collect();
    let component = strongly_connected(&edges);
    for (id, def) in ir.types.iter_mut().enumerate() {
        let mark = |fields: &mut Vec<Field>| {
            for field in fields {
                let mut refs = Vec::new();
                direct_refs(&field.ty, true, &mut refs);
                field.boxed = refs.iter().any(|&r| component[r] == component[id]);
            }
        };
        match &mut def.kind {
            TypeDefKind::Struct { fields } => mark(fields),
            TypeDefKind::Union { variants } => {
                for variant in variants {
                    mark(&mut variant.fields);
                }
            }
            _ => {}
        }
    }
}

/// Component index of every node (Tarjan's algorithm, iterative: type chains can be long).
pub(crate) fn strongly_connected(edges: &[Vec<usize>]) -> Vec<usize> {
    const UNVISITED: usize = usize::MAX;
    let count = edges.len();
    let mut index = vec![UNVISITED; count];
    let mut low = vec![0; count];
    let mut on_stack = vec![false; count];
    let mut component = vec![UNVISITED; count];
    let mut stack: Vec<usize> = Vec::new();
    let mut next_index = 0;
    let mut next_component = 0;
    // (node, position in its edge list)
    let mut work: Vec<(usize, usize)> = Vec::new();
    for start in 0..count {
        if index[start] != UNVISITED {
            continue;
        }
        work.push((start, 0));
        while let Some(&mut (node, ref mut position)) = work.last_mut() {
            if *position == 0 && index[node] == UNVISITED {
                index[node] = next_index;
                low[node] = next_index;
                next_index += 1;
                stack.push(node);
                on_stack[node] = true;
            }
            if let Some(&next) = edges[node].get(*position) {
                *position += 1;
                if index[next] == UNVISITED {
                    work.push((next, 0));
                } else if on_stack[next] {
                    low[node] = low[node].min(index[next]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == index[node] {
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component[member] = next_component;
                    if member == node {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    component
}

/// One cycle per strongly connected component that has one, among nodes `include` accepts;
/// each cycle starts at the component's lowest node, in edge order.
fn cycles(edges: &[Vec<usize>], include: impl Fn(usize) -> bool) -> Vec<Vec<usize>> {
    let component = strongly_connected(edges);
    let mut reported = vec![false; edges.len()];
    let mut found = Vec::new();
    for start in 0..edges.len() {
        let c = component[start];
        if !include(start) || reported[c] {
            continue;
        }
        // Breadth-first from `start` inside its component, back to `start`.
        let mut parent: FastHashMap<usize, usize> = FastHashMap::default();
        let mut queue = VecDeque::from([start]);
        let mut closing = None;
        'search: while let Some(node) = queue.pop_front() {
            for &next in &edges[node] {
                if component[next] != c {
                    continue;
                }
                if next == start {
                    closing = Some(node);
                    break 'search;
                }
                if let std::collections::hash_map::Entry::Vacant(entry) = parent.entry(next) {
                    entry.insert(node);
                    queue.push_back(next);
                }
            }
        }
        let Some(mut node) = closing else { continue };
        reported[c] = true;
        let mut cycle = vec![node];
        while node != start {
            node = parent[&node];
            cycle.push(node);
        }
        cycle.reverse();
        found.push(cycle);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_and_cycles() {
        // 0 → 1 → 2 → 0, 3 → 3, 4 → 0
        let edges = vec![vec![1], vec![2], vec![0], vec![3], vec![0]];
        let component = strongly_connected(&edges);
        assert_eq!(component[0], component[1]);
        assert_eq!(component[1], component[2]);
        assert_ne!(component[3], component[0]);
        assert_ne!(component[4], component[0]);
        assert_eq!(cycles(&edges, |_| true), vec![vec![0, 1, 2], vec![3]]);
    }

    #[test]
    fn long_chains_do_not_overflow_the_stack() {
        let edges: Vec<Vec<usize>> = (0..200_000).map(|i| vec![(i + 1) % 200_000]).collect();
        let component = strongly_connected(&edges);
        assert!(component.iter().all(|&c| c == component[0]));
    }
}
