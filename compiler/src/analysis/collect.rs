//! Collection: one file's syntax tree into its symbols (declarations and members, with spans
//! and docs) and its references (written names), before lowering consumes the tree. Names are
//! resolved afterwards, by resolution's own lookup (`ir::resolution::resolve_index`).

use crate::analysis::{FileIndex, ImportLink, RefKind, Reference, Symbol, SymbolKind};
use crate::diagnostics::{SourceId, Span};
use crate::ir::lowering::primitive_named;
use crate::syntax::ast;

/// The symbols and (unresolved) references of one parsed file.
pub(crate) fn collect(source: SourceId, file: &ast::File<'_>) -> FileIndex {
    let mut collector = Collector {
        symbols: Vec::new(),
        references: Vec::new(),
        declarations: Vec::with_capacity(file.items.len()),
    };
    for item in &file.items {
        collector.item(item);
    }
    let mut references = collector.references;
    // Attributes are collected before the declaration they sit on, members after it: already
    // in source order but for a stable sort's worth of care.
    references.sort_by_key(|r| r.span.start);
    FileIndex {
        source,
        docs: file.docs.iter().map(|line| line.to_string()).collect(),
        package: file.package.map(|p| p.span),
        imports: file
            .imports
            .iter()
            .map(|import| ImportLink {
                span: import.path_span,
                path: import.path.clone(),
                target: None,
            })
            .collect(),
        symbols: collector.symbols,
        declarations: collector.declarations,
        references,
        scope: Vec::new(),
        packages: Vec::new(),
    }
}

struct Collector {
    symbols: Vec<Symbol>,
    references: Vec<Reference>,
    declarations: Vec<usize>,
}

impl Collector {
    fn push(
        &mut self,
        kind: SymbolKind,
        name: &ast::Ident<'_>,
        span: Span,
        parent: Option<usize>,
        leading: Option<&ast::Leading<'_>>,
        ty: Option<Span>,
    ) -> usize {
        let (docs, deprecated) = match leading {
            Some(leading) => {
                self.attributes(leading);
                let deprecated = leading
                    .attributes
                    .iter()
                    .find(|a| a.name.name == "deprecated")
                    .map(|a| match &a.arg {
                        Some(ast::AttributeArg::String(message, _)) => message.clone(),
                        _ => String::new(),
                    });
                (
                    leading.docs.iter().map(|d| d.to_string()).collect(),
                    deprecated,
                )
            }
            None => (Vec::new(), None),
        };
        self.symbols.push(Symbol {
            kind,
            name: name.name.to_string(),
            name_span: name.span,
            span,
            parent,
            docs,
            deprecated,
            ty,
        });
        self.symbols.len() - 1
    }

    /// `@channel(path)` names a const.
    fn attributes(&mut self, leading: &ast::Leading<'_>) {
        for attribute in &leading.attributes {
            if let Some(ast::AttributeArg::Path(path)) = &attribute.arg {
                if attribute.name.name == "channel" && !path.text.is_empty() {
                    self.references.push(Reference {
                        span: path.span,
                        kind: RefKind::Const,
                        target: None,
                    });
                }
            }
        }
    }

    fn item(&mut self, item: &ast::Item<'_>) {
        let leading = Some(&item.leading);
        let span = item.span;
        let id = match &item.kind {
            ast::ItemKind::Const(c) => {
                self.push(SymbolKind::Const, &c.name, span, None, leading, None)
            }
            ast::ItemKind::Struct(s) => {
                let id = self.push(SymbolKind::Struct, &s.name, span, None, leading, None);
                self.declarations.push(id);
                self.fields(id, &s.fields);
                return;
            }
            ast::ItemKind::Enum(e) => {
                let id = self.push(SymbolKind::Enum, &e.name, span, None, leading, None);
                self.declarations.push(id);
                for variant in &e.variants {
                    let whole = variant.name.span;
                    self.push(
                        SymbolKind::EnumVariant,
                        &variant.name,
                        whole,
                        Some(id),
                        Some(&variant.leading),
                        None,
                    );
                }
                return;
            }
            ast::ItemKind::Union(u) => {
                let id = self.push(SymbolKind::Union, &u.name, span, None, leading, None);
                self.declarations.push(id);
                for variant in &u.variants {
                    let variant_id = self.push(
                        SymbolKind::UnionVariant,
                        &variant.name,
                        variant.span,
                        Some(id),
                        Some(&variant.leading),
                        None,
                    );
                    if let Some(fields) = &variant.fields {
                        self.fields(variant_id, fields);
                    }
                }
                return;
            }
            ast::ItemKind::Alias(a) => {
                let id = self.push(
                    SymbolKind::Alias,
                    &a.name,
                    span,
                    None,
                    leading,
                    Some(a.target.span),
                );
                self.declarations.push(id);
                self.ty(&a.target);
                return;
            }
            ast::ItemKind::Interface(i) => {
                let id = self.push(SymbolKind::Interface, &i.name, span, None, leading, None);
                self.declarations.push(id);
                for method in &i.methods {
                    let method_id = self.push(
                        SymbolKind::Method,
                        &method.name,
                        method.span,
                        Some(id),
                        Some(&method.leading),
                        method.returns.as_ref().map(|t| t.span),
                    );
                    self.params(method_id, &method.params);
                    if let Some(returns) = &method.returns {
                        self.ty(returns);
                    }
                    if let Some(throws) = &method.throws {
                        self.ty(throws);
                    }
                }
                return;
            }
            ast::ItemKind::Notifications(n) => {
                let id = self.push(
                    SymbolKind::Notifications,
                    &n.name,
                    span,
                    None,
                    leading,
                    None,
                );
                self.declarations.push(id);
                for event in &n.events {
                    let event_id = self.push(
                        SymbolKind::Event,
                        &event.name,
                        event.span,
                        Some(id),
                        Some(&event.leading),
                        None,
                    );
                    self.params(event_id, &event.params);
                    if let Some(returns) = &event.returns {
                        self.ty(returns);
                    }
                }
                return;
            }
        };
        self.declarations.push(id);
    }

    fn fields(&mut self, parent: usize, fields: &[ast::Field<'_>]) {
        for field in fields {
            self.push(
                SymbolKind::Field,
                &field.name,
                field.span,
                Some(parent),
                Some(&field.leading),
                Some(field.ty.span),
            );
            self.ty(&field.ty);
        }
    }

    fn params(&mut self, parent: usize, params: &[ast::Param<'_>]) {
        for param in params {
            self.push(
                SymbolKind::Param,
                &param.name,
                param.span,
                Some(parent),
                None,
                Some(param.ty.span),
            );
            self.ty(&param.ty);
        }
    }

    /// Every name a written type mentions. The parser bounds how deeply types nest, so the
    /// recursion is bounded too (lowering recurses the same way).
    fn ty(&mut self, ty: &ast::Type<'_>) {
        match &ty.kind {
            ast::TypeKind::Named(path) => self.named(path),
            ast::TypeKind::Array(inner) | ast::TypeKind::Optional(inner) => self.ty(inner),
            ast::TypeKind::Map(key, value) => {
                self.ty(key);
                self.ty(value);
            }
            ast::TypeKind::Generic(path, args) => {
                if path.text == "Promise" || path.text == crate::ir::lowering::STREAM {
                    self.references.push(Reference {
                        span: path.span,
                        kind: RefKind::Primitive,
                        target: None,
                    });
                }
                for arg in args {
                    self.ty(arg);
                }
            }
        }
    }

    fn named(&mut self, path: &ast::Path<'_>) {
        if path.text.is_empty() {
            return;
        }
        let kind = match path.single() {
            // A bare `AsyncIterable` (an error, but still the built-in, for hover).
            Some(name)
                if primitive_named(name.name).is_some()
                    || name.name == "void"
                    || name.name == crate::ir::lowering::STREAM =>
            {
                RefKind::Primitive
            }
            _ => RefKind::Type,
        };
        self.references.push(Reference {
            span: path.span,
            kind,
            target: None,
        });
    }
}
