//! The private syntax tree of one `.ipc` file: what was written, with a span on every node.
//!
//! The parser builds it; `ir::lower` turns it into the resolved IR. Nothing outside the
//! compiler sees it. Names borrow the source text.

use crate::diagnostics::Span;

/// One parsed file.
#[derive(Debug, Clone, PartialEq)]
pub struct File<'a> {
    pub package: Option<Ident<'a>>,
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
    /// A const name (possibly qualified, `pkg.name`).
    Path(Path<'a>),
}

/// A possibly qualified name: `Person` or `people.Person`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Path<'a> {
    /// One or two segments (none only in the placeholder for a type that could not be parsed).
    pub segments: Segments<'a>,
    pub span: Span,
}

impl<'a> Path<'a> {
    /// A path with no segments yet (also the placeholder for a path that could not be parsed).
    pub fn empty(span: Span) -> Self {
        Path {
            segments: Segments::new(span),
            span,
        }
    }
}

/// The segments of a [`Path`], stored inline and read as a slice of [`Ident`]s.
///
/// The grammar allows at most two, and a schema has one path per type reference, so a heap
/// allocation for each was a visible share of parse time.
#[derive(Clone, Copy)]
pub struct Segments<'a> {
    /// The first `len` entries are the segments; the rest repeat a placeholder.
    stored: [Ident<'a>; 2],
    len: u8,
}

impl<'a> Segments<'a> {
    fn new(span: Span) -> Self {
        let placeholder = Ident { name: "", span };
        Segments {
            stored: [placeholder; 2],
            len: 0,
        }
    }

    /// Appends a segment. The grammar never produces more than two; a further one is ignored
    /// rather than allowed to panic.
    pub fn push(&mut self, segment: Ident<'a>) {
        if let Some(slot) = self.stored.get_mut(usize::from(self.len)) {
            *slot = segment;
            self.len += 1;
        }
    }

    /// The segments as written, `[name]` or `[package, name]`.
    pub fn as_slice(&self) -> &[Ident<'a>] {
        &self.stored[..usize::from(self.len)]
    }
}

impl<'a> std::ops::Deref for Segments<'a> {
    type Target = [Ident<'a>];

    fn deref(&self) -> &Self::Target {
        self.as_slice()
    }
}

impl PartialEq for Segments<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

/// Prints as the list of segments, as a `Vec` would.
impl std::fmt::Debug for Segments<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
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
    /// A name: a primitive (`string`, `number`, `void`, ...), a declared type, or `people.Person`.
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
