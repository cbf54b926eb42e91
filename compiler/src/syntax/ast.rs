//! The private syntax tree of one `.ipc` file: what was written, with a span on every node.
//!
//! The parser builds it; `ir::lower` turns it into the resolved IR. Nothing outside the
//! compiler sees it. Names borrow the source text.

use crate::diagnostics::Span;

/// One parsed file.
#[derive(Debug, Clone, PartialEq)]
pub struct File<'a> {
    /// The file's own documentation: the `//!` lines before its first declaration, each
    /// without the `//!` and one space.
    pub docs: Vec<&'a str>,
    /// The name of `package acme.people;`, if the file declares one.
    pub package: Option<Path<'a>>,
    pub imports: Vec<Import>,
    pub items: Vec<Item<'a>>,
}

/// An identifier and where it was written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ident<'a> {
    pub name: &'a str,
    pub span: Span,
}

/// `import "./people.ipc";` — `path` is the unescaped string contents.
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    pub path: String,
    /// Span of the string literal (quotes included).
    pub path_span: Span,
    pub span: Span,
}

/// `///` lines and attributes that precede a declaration or member.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Leading<'a> {
    /// Doc lines, `///` and one following space removed.
    pub docs: Vec<&'a str>,
    pub attributes: Vec<Attribute<'a>>,
}

/// `@name` or `@name(arg)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute<'a> {
    pub name: Ident<'a>,
    pub arg: Option<AttributeArg<'a>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AttributeArg<'a> {
    /// A string literal, unescaped; span includes the quotes.
    String(String, Span),
    /// A const name (possibly qualified, `acme.consts.name`).
    Path(Path<'a>),
}

/// A possibly qualified name as written: `Person`, `people.Person`, `acme.people.Person`; also
/// the name in `package acme.people;`.
///
/// Only the text and its span are stored; segments are split off on demand. The grammar allows
/// no space around a dot, so a segment's span follows from its offset in the text. A schema has
/// one path per type reference: a `Vec` of segments per path was a visible share of parse time,
/// and inline storage would limit how many segments a path may have.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Path<'a> {
    /// The path as written, segments separated by single dots; empty only in the placeholder
    /// for a type that could not be parsed.
    pub text: &'a str,
    pub span: Span,
}

impl<'a> Path<'a> {
    /// The placeholder for a path that could not be parsed: no segments.
    pub fn empty(span: Span) -> Self {
        Path { text: "", span }
    }

    /// The part of the path from byte `start` to byte `end` of its text.
    fn slice(&self, start: usize, end: usize) -> Path<'a> {
        let offset = self.span.start as usize;
        Path {
            text: &self.text[start..end],
            span: Span::new(self.span.source, offset + start, offset + end),
        }
    }

    /// The segments, first to last: `acme`, `people`, `Person` (none for the placeholder).
    pub fn segments(&self) -> impl Iterator<Item = Ident<'a>> + 'a {
        let this = *self;
        let mut start = 0;
        this.text
            .split('.')
            .filter(move |_| !this.text.is_empty())
            .map(move |segment| {
                let part = this.slice(start, start + segment.len());
                start += segment.len() + 1;
                Ident {
                    name: part.text,
                    span: part.span,
                }
            })
    }

    /// How many segments the path has (0 for the placeholder).
    pub fn segment_count(&self) -> usize {
        if self.text.is_empty() {
            0
        } else {
            self.text.bytes().filter(|&b| b == b'.').count() + 1
        }
    }

    /// The last segment: the name a qualified path refers to (`Person` of `acme.people.Person`).
    pub fn name(&self) -> Ident<'a> {
        let start = self.text.rfind('.').map_or(0, |dot| dot + 1);
        let last = self.slice(start, self.text.len());
        Ident {
            name: last.text,
            span: last.span,
        }
    }

    /// Everything before the last dot: the package a qualified path names (`acme.people` of
    /// `acme.people.Person`); `None` for a plain name.
    pub fn qualifier(&self) -> Option<Path<'a>> {
        let dot = self.text.rfind('.')?;
        Some(self.slice(0, dot))
    }

    /// The name itself when the path has exactly one segment.
    pub fn single(&self) -> Option<Ident<'a>> {
        (!self.text.is_empty() && !self.text.contains('.')).then(|| self.name())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Item<'a> {
    pub leading: Leading<'a>,
    pub kind: ItemKind<'a>,
    /// Whole declaration, from the keyword to the closing `}` or `;`.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ItemKind<'a> {
    Const(Const<'a>),
    Struct(Struct<'a>),
    Enum(Enum<'a>),
    Union(Union<'a>),
    Alias(Alias<'a>),
    Interface(Interface<'a>),
    Notifications(Notifications<'a>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Const<'a> {
    pub name: Ident<'a>,
    pub value: Literal,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// Unescaped contents.
    String(String, Span),
    /// Integers are kept as written (sign included) so range errors can be reported.
    Integer(String, Span),
    Float(f64, Span),
    Bool(bool, Span),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Struct<'a> {
    pub name: Ident<'a>,
    pub fields: Vec<Field<'a>>,
}

/// `name: T;` or `name?: T;` with its docs and attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct Field<'a> {
    pub leading: Leading<'a>,
    pub name: Ident<'a>,
    /// Span of the `?` after the name, when written.
    pub optional: Option<Span>,
    pub ty: Type<'a>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Enum<'a> {
    pub name: Ident<'a>,
    pub variants: Vec<EnumVariant<'a>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumVariant<'a> {
    pub leading: Leading<'a>,
    pub name: Ident<'a>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Union<'a> {
    pub name: Ident<'a>,
    pub variants: Vec<UnionVariant<'a>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariant<'a> {
    pub leading: Leading<'a>,
    pub name: Ident<'a>,
    /// `None` for a unit variant, `Some(fields)` for `name { ... }` (possibly empty braces).
    pub fields: Option<Vec<Field<'a>>>,
    pub span: Span,
}

/// `type Name = T;`
#[derive(Debug, Clone, PartialEq)]
pub struct Alias<'a> {
    pub name: Ident<'a>,
    pub target: Type<'a>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Interface<'a> {
    pub name: Ident<'a>,
    pub methods: Vec<Method<'a>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Method<'a> {
    pub leading: Leading<'a>,
    pub name: Ident<'a>,
    pub params: Vec<Param<'a>>,
    /// The written return type (expected to be `Promise<T>`; validation reports otherwise).
    /// `None` when no `: Type` was written at all.
    pub returns: Option<Type<'a>>,
    pub throws: Option<Type<'a>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param<'a> {
    pub name: Ident<'a>,
    pub optional: Option<Span>,
    pub ty: Type<'a>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Notifications<'a> {
    pub name: Ident<'a>,
    pub events: Vec<Event<'a>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event<'a> {
    pub leading: Leading<'a>,
    pub name: Ident<'a>,
    pub params: Vec<Param<'a>>,
    /// A return type written on a notification (an error: notifications return nothing).
    pub returns: Option<Type<'a>>,
    pub span: Span,
}

/// A written type.
#[derive(Debug, Clone, PartialEq)]
pub struct Type<'a> {
    pub kind: TypeKind<'a>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind<'a> {
    /// A name: a primitive (`string`, `number`, `void`, ...), a declared type, or a qualified
    /// one (`people.Person`, `acme.people.Person`).
    /// Resolution decides which.
    Named(Path<'a>),
    /// `T[]`
    Array(Box<Type<'a>>),
    /// `T?`
    Optional(Box<Type<'a>>),
    /// `map<K, V>`
    Map(Box<Type<'a>>, Box<Type<'a>>),
    /// `Name<T, ...>` for any other generic name (`Promise<T>`; anything else is an error in
    /// validation, with a help line).
    Generic(Path<'a>, Vec<Type<'a>>),
}
