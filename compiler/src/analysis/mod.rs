//! The analysis index, for editors (`ipcc lsp`): every declaration and member of the files a
//! check read, with spans and docs, and every written name (type paths, `throws`, `@channel`
//! consts, `import` strings) with the declaration it resolves to.
//!
//! The IR has no spans by design; this index is built beside it, from the same syntax trees and
//! by resolution's own lookup, and only when asked for ([`crate::analyze`]): [`crate::check`]
//! pays nothing for it. It is built even when the check reports errors: what parsed is indexed,
//! and a name that does not resolve has no target.

pub(crate) mod collect;

use crate::diagnostics::{SourceId, Span};
use crate::Checked;

/// A check's result together with its index.
#[derive(Debug)]
pub struct Analysis {
    /// The front end's result: diagnostics, the sources read, the IR when there is no error.
    pub checked: Checked,
    /// One entry per source read, indexed by [`SourceId`] (`files[id.0]`).
    pub files: Vec<FileIndex>,
}

/// What one file declares and mentions.
#[derive(Debug, Clone)]
pub struct FileIndex {
    pub source: SourceId,
    /// The file's `//!` documentation, one entry per line.
    pub docs: Vec<String>,
    /// The span of the package name of `package acme.people;`.
    pub package: Option<Span>,
    pub imports: Vec<ImportLink>,
    /// Declarations, each followed by its members (a member's `parent` is the index of the
    /// symbol it belongs to: a declaration, a union variant, a method or a notification). In
    /// source order, so the names' starts increase.
    pub symbols: Vec<Symbol>,
    /// The symbol index of each top-level declaration, in declaration order.
    pub declarations: Vec<usize>,
    /// In source order.
    pub references: Vec<Reference>,
    /// The files whose declarations a plain name in this file can denote, in lookup order
    /// (this file first).
    pub scope: Vec<SourceId>,
    /// The packages this file can qualify a name with, and the files that declare each.
    pub packages: Vec<(String, Vec<SourceId>)>,
}

/// `import "./people.ipc";`
#[derive(Debug, Clone)]
pub struct ImportLink {
    /// The string literal, quotes included.
    pub span: Span,
    /// The string's contents.
    pub path: String,
    /// The file it names, when it could be read.
    pub target: Option<SourceId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    Const,
    Struct,
    Enum,
    Union,
    Alias,
    Interface,
    Notifications,
    Field,
    EnumVariant,
    UnionVariant,
    Method,
    /// One notification of a notifications block.
    Event,
    Param,
}

impl SymbolKind {
    /// A top-level declaration (as opposed to a member).
    pub fn is_declaration(self) -> bool {
        matches!(
            self,
            SymbolKind::Const
                | SymbolKind::Struct
                | SymbolKind::Enum
                | SymbolKind::Union
                | SymbolKind::Alias
                | SymbolKind::Interface
                | SymbolKind::Notifications
        )
    }

    /// A declaration a type position can name.
    pub fn is_type(self) -> bool {
        matches!(
            self,
            SymbolKind::Struct | SymbolKind::Enum | SymbolKind::Union | SymbolKind::Alias
        )
    }

    /// Whether the name travels on the wire, so that renaming it breaks peers built from the
    /// old name (docs/evolution.md): fields, enum values, union variants, methods and
    /// notifications. Types, interfaces, consts and parameters (arguments are positional) are
    /// source names only.
    pub fn is_wire_name(self) -> bool {
        matches!(
            self,
            SymbolKind::Field
                | SymbolKind::EnumVariant
                | SymbolKind::UnionVariant
                | SymbolKind::Method
                | SymbolKind::Event
        )
    }

    /// How messages name this kind of symbol.
    pub fn describe(self) -> &'static str {
        match self {
            SymbolKind::Const => "const",
            SymbolKind::Struct => "struct",
            SymbolKind::Enum => "enum",
            SymbolKind::Union => "union",
            SymbolKind::Alias => "type alias",
            SymbolKind::Interface => "interface",
            SymbolKind::Notifications => "notifications block",
            SymbolKind::Field => "field",
            SymbolKind::EnumVariant => "enum value",
            SymbolKind::UnionVariant => "union variant",
            SymbolKind::Method => "method",
            SymbolKind::Event => "notification",
            SymbolKind::Param => "parameter",
        }
    }
}

/// A declaration or a member.
#[derive(Debug, Clone)]
pub struct Symbol {
    pub kind: SymbolKind,
    pub name: String,
    pub name_span: Span,
    /// The whole declaration or member (without its docs and attributes).
    pub span: Span,
    pub parent: Option<usize>,
    /// `///` lines.
    pub docs: Vec<String>,
    /// The message of `@deprecated` (empty when it has none).
    pub deprecated: Option<String>,
    /// The written type: of a field, parameter or alias; a method's result type.
    pub ty: Option<Span>,
}

/// What a written name is expected to denote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// A type position: a declared type, possibly qualified.
    Type,
    /// The argument of `@channel(...)`.
    Const,
    /// A built-in type (`i64`, `string`, `void`, `Promise`); never has a target.
    Primitive,
}

/// A name written in a type, a `throws` or an attribute.
#[derive(Debug, Clone)]
pub struct Reference {
    /// The whole path (`acme.people.Person`).
    pub span: Span,
    pub kind: RefKind,
    /// The declaration it denotes, when it resolves (whatever that declaration's kind: a
    /// wrong kind is reported by the check and still leads somewhere).
    pub target: Option<SymbolRef>,
}

/// One symbol of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SymbolRef {
    pub source: SourceId,
    pub symbol: usize,
}

/// What is at a position of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    /// The name of a declaration or member.
    Symbol(SymbolRef),
    /// A written name (`index` into the file's references); `in_qualifier` when the position is
    /// on the package part of a qualified name.
    Reference { index: usize, in_qualifier: bool },
    /// An import string (`index` into the file's imports).
    Import(usize),
    /// The name of `package ...;`.
    Package,
}

impl FileIndex {
    /// The index of a file with nothing in it.
    pub fn empty(source: SourceId) -> Self {
        FileIndex {
            source,
            docs: Vec::new(),
            package: None,
            imports: Vec::new(),
            symbols: Vec::new(),
            declarations: Vec::new(),
            references: Vec::new(),
            scope: Vec::new(),
            packages: Vec::new(),
        }
    }
}

impl Analysis {
    pub fn file(&self, source: SourceId) -> Option<&FileIndex> {
        self.files.get(source.0 as usize)
    }

    pub fn symbol(&self, at: SymbolRef) -> Option<&Symbol> {
        self.file(at.source)?.symbols.get(at.symbol)
    }

    /// The source text of a span ("" when it is out of range).
    pub fn text(&self, span: Span) -> &str {
        if (span.source.0 as usize) >= self.checked.sources.len() {
            return "";
        }
        self.checked
            .sources
            .text(span.source)
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    /// The source a path was read from (as the loader was given it), if it was read.
    pub fn source_of(&self, path: &str) -> Option<SourceId> {
        (0..self.checked.sources.len() as u32)
            .map(SourceId)
            .find(|&id| self.checked.sources.path(id) == path)
    }

    /// What is at byte `offset` of `source`: a name, a reference, an import string or the
    /// package name. An offset just after a name counts (an editor's cursor sits there).
    pub fn hit(&self, source: SourceId, offset: u32) -> Option<Hit> {
        let file = self.file(source)?;
        let within = |span: Span| span.start <= offset && offset <= span.end;
        let after = file.references.partition_point(|r| r.span.start <= offset);
        if let Some(index) = after.checked_sub(1) {
            let reference = &file.references[index];
            if within(reference.span) {
                let text = self.text(reference.span);
                let in_qualifier = text
                    .rfind('.')
                    .is_some_and(|dot| offset < reference.span.start + dot as u32);
                return Some(Hit::Reference {
                    index,
                    in_qualifier,
                });
            }
        }
        let after = file
            .symbols
            .partition_point(|s| s.name_span.start <= offset);
        if let Some(index) = after.checked_sub(1) {
            if within(file.symbols[index].name_span) {
                return Some(Hit::Symbol(SymbolRef {
                    source,
                    symbol: index,
                }));
            }
        }
        if let Some(index) = file.imports.iter().position(|i| within(i.span)) {
            return Some(Hit::Import(index));
        }
        if file.package.is_some_and(within) {
            return Some(Hit::Package);
        }
        None
    }

    /// The declaration of the name at a hit, when it is a symbol or a resolved reference.
    pub fn symbol_at(&self, source: SourceId, hit: Hit) -> Option<SymbolRef> {
        match hit {
            Hit::Symbol(at) => Some(at),
            Hit::Reference {
                index,
                in_qualifier: false,
            } => self.file(source)?.references.get(index)?.target,
            _ => None,
        }
    }

    /// The span of the last segment of a reference (`Person` of `people.Person`).
    pub fn reference_name_span(&self, reference: &Reference) -> Span {
        let text = self.text(reference.span);
        match text.rfind('.') {
            Some(dot) => Span {
                start: reference.span.start + dot as u32 + 1,
                ..reference.span
            },
            None => reference.span,
        }
    }

    /// Every reference to `target`, in any file, as the span of its last segment.
    pub fn references_to(&self, target: SymbolRef) -> Vec<Span> {
        self.files
            .iter()
            .flat_map(|file| file.references.iter())
            .filter(|r| r.target == Some(target))
            .map(|r| self.reference_name_span(r))
            .collect()
    }

    /// `acme.people.Person` for a declaration of package `acme.people`; a member's is its
    /// declaration's followed by its own name (`acme.people.Person.name`).
    pub fn qualified_name(&self, at: SymbolRef) -> String {
        let Some(file) = self.file(at.source) else {
            return String::new();
        };
        let mut parts = Vec::new();
        let mut current = Some(at.symbol);
        while let Some(index) = current {
            let Some(symbol) = file.symbols.get(index) else {
                break;
            };
            parts.push(symbol.name.as_str());
            current = symbol.parent;
        }
        if let Some(package) = file.package {
            parts.push(self.text(package));
        }
        parts.reverse();
        parts.join(".")
    }

    /// The source text of a symbol as written, from its keyword or name to its end; long
    /// declarations are cut after `max_lines` lines (and marked with `…`).
    pub fn signature(&self, at: SymbolRef, max_lines: usize) -> String {
        let Some(symbol) = self.symbol(at) else {
            return String::new();
        };
        let text = self.text(symbol.span);
        let mut lines: Vec<&str> = text.lines().collect();
        if lines.len() > max_lines {
            lines.truncate(max_lines);
            lines.push("  …");
        }
        lines.join("\n")
    }
}

#[cfg(test)]
mod tests;
