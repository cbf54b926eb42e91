//! Where declarations and their members are written: spans for `ipcc compat`'s labels, found
//! by parsing the sources of a checked run again (the IR has no spans, by design).

use std::collections::HashMap;

use crate::diagnostics::{SourceId, SourceMap, Span};
use crate::syntax::ast::{self, ItemKind};

/// The spans of one declaration, by what `compat` needs to point at.
#[derive(Debug, Default)]
pub(crate) struct DeclSpans {
    /// The declaration's name.
    pub name: Option<Span>,
    /// Fields, methods, events, enum values and union variants by name.
    pub members: HashMap<String, Span>,
    /// Parameters of methods and events, by member and position.
    pub params: HashMap<(String, usize), Span>,
    /// A method's written result and `throws` types.
    pub results: HashMap<String, Span>,
    pub throws: HashMap<String, Span>,
    /// Fields of union variants, by variant and field.
    pub variant_fields: HashMap<(String, String), Span>,
}

/// Every declaration of a run, by qualified name (`people.Person`).
#[derive(Debug, Default)]
pub(crate) struct Locations {
    decls: HashMap<String, DeclSpans>,
}

impl Locations {
    /// Parses every source of `sources` whose id is at least `first` (one run's sources in a
    /// map that may hold another run's too).
    pub fn of(sources: &SourceMap, first: u32) -> Locations {
        let mut locations = Locations::default();
        for index in first..sources.len() as u32 {
            let id = SourceId(index);
            let (Some(file), _) = crate::syntax::parse(id, sources.text(id)) else {
                continue;
            };
            let package = file.package.map(|p| p.text.to_owned());
            for item in &file.items {
                let (name, spans) = item_spans(item);
                let qualified = match &package {
                    Some(package) => format!("{package}.{name}"),
                    None => name.to_owned(),
                };
                locations.decls.entry(qualified).or_insert(spans);
            }
        }
        locations
    }

    pub fn decl(&self, qualified_name: &str) -> Option<&DeclSpans> {
        self.decls.get(qualified_name)
    }
}

fn item_spans<'a>(item: &ast::Item<'a>) -> (&'a str, DeclSpans) {
    let mut spans = DeclSpans::default();
    let name = match &item.kind {
        ItemKind::Const(c) => c.name,
        ItemKind::Alias(a) => a.name,
        ItemKind::Struct(s) => {
            for field in &s.fields {
                spans
                    .members
                    .insert(field.name.name.to_owned(), field.name.span);
            }
            s.name
        }
        ItemKind::Enum(e) => {
            for variant in &e.variants {
                spans
                    .members
                    .insert(variant.name.name.to_owned(), variant.name.span);
            }
            e.name
        }
        ItemKind::Union(u) => {
            for variant in &u.variants {
                spans
                    .members
                    .insert(variant.name.name.to_owned(), variant.name.span);
                for field in variant.fields.iter().flatten() {
                    spans.variant_fields.insert(
                        (variant.name.name.to_owned(), field.name.name.to_owned()),
                        field.name.span,
                    );
                }
            }
            u.name
        }
        ItemKind::Interface(i) => {
            for method in &i.methods {
                let member = method.name.name.to_owned();
                spans.members.insert(member.clone(), method.name.span);
                params(&mut spans, &member, &method.params);
                if let Some(returns) = &method.returns {
                    spans.results.insert(member.clone(), returns.span);
                }
                if let Some(throws) = &method.throws {
                    spans.throws.insert(member, throws.span);
                }
            }
            i.name
        }
        ItemKind::Notifications(n) => {
            for event in &n.events {
                let member = event.name.name.to_owned();
                spans.members.insert(member.clone(), event.name.span);
                params(&mut spans, &member, &event.params);
            }
            n.name
        }
    };
    spans.name = Some(name.span);
    (name.name, spans)
}

fn params(spans: &mut DeclSpans, member: &str, params: &[ast::Param<'_>]) {
    for (index, param) in params.iter().enumerate() {
        spans.params.insert(
            (member.to_owned(), index),
            param.name.span.to(param.ty.span),
        );
    }
}
