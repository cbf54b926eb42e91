//! The canonical layout, one function per grammar construct, over the grammar's own pairs.
//!
//! Each function hands the construct's tokens to the [`Printer`] in source order with the
//! separator the layout wants before each; the printer keeps the comments between them.

use pest::iterators::{Pair, Pairs};

use super::printer::{Blank, Printer, Sep};
use crate::syntax::{self, Rule};

/// Lines longer than this (in characters) get their parameter list wrapped, one parameter per
/// line.
pub(super) const MAX_WIDTH: usize = 100;

/// The canonical layout of `text`, which must parse without errors; `None` when the walk and
/// the text disagree (which [`super::format_source`] reports as an internal error).
pub(super) fn format(text: &str) -> Option<String> {
    let declarations = syntax::declaration_pairs(text)?;
    let bom = if text.starts_with('\u{feff}') {
        "\u{feff}"
    } else {
        ""
    };
    let mut layout = Layout {
        printer: Printer::new(text, bom.len()),
        base: 0,
    };
    let mut previous_has_body = None;
    for (base, declaration) in declarations {
        layout.base = base;
        let Some(inner) = declaration.into_inner().next() else {
            continue;
        };
        let has_body = has_body(&inner);
        // A declaration with a body is always set off by a blank line; one-line declarations
        // (imports, consts, aliases) may stay grouped as written.
        let blank = match previous_has_body {
            Some(previous) if previous || has_body => Blank::Ensure,
            _ => Blank::Keep,
        };
        layout.declaration(inner, Sep::Line(blank));
        previous_has_body = Some(has_body);
    }
    layout.printer.finish(bom)
}

/// Whether a top-level declaration pair (`package_decl`, `import_decl` or `item`) has a body in
/// braces.
fn has_body(declaration: &Pair<'_, Rule>) -> bool {
    declaration.as_rule() == Rule::item
        && declaration.clone().into_inner().last().is_some_and(|decl| {
            matches!(
                decl.as_rule(),
                Rule::struct_decl
                    | Rule::enum_decl
                    | Rule::union_decl
                    | Rule::interface_decl
                    | Rule::notifications_decl
            )
        })
}

/// What kind of members a `{ ... }` body holds, for what separates them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Body {
    /// Members that end in `;` (fields, methods, events) or separate themselves (union
    /// variants, whose optional commas are left out).
    Terminated,
    /// Enum variants, each followed by a comma (the last one too).
    Enum,
}

struct Layout<'a> {
    printer: Printer<'a>,
    /// Offset in the text of the declaration being laid out: its pairs' spans count from there.
    base: usize,
}

impl<'a> Layout<'a> {
    fn span(&self, pair: &Pair<'a, Rule>) -> (usize, usize) {
        let span = pair.as_span();
        (self.base + span.start(), self.base + span.end())
    }

    fn token(&mut self, pair: &Pair<'a, Rule>, sep: Sep) {
        let (start, end) = self.span(pair);
        self.printer.token(start, end, sep);
    }

    fn skip(&mut self, pair: &Pair<'a, Rule>) {
        let (start, end) = self.span(pair);
        self.printer.skip(start, end);
    }

    /// A `package_decl`, `import_decl` or `item`, its first token placed with `sep`.
    fn declaration(&mut self, pair: Pair<'a, Rule>, sep: Sep) {
        match pair.as_rule() {
            Rule::item => {
                let mut parts = pair.into_inner().peekable();
                let sep = self.leading(&mut parts, sep);
                for decl in parts {
                    self.item(decl, sep);
                }
            }
            _ => self.statement(pair.into_inner(), sep),
        }
    }

    /// Doc comments and attributes before a declaration or member, one per line; returns the
    /// separator of the token after them.
    fn leading(&mut self, parts: &mut std::iter::Peekable<Pairs<'a, Rule>>, sep: Sep) -> Sep {
        let mut sep = sep;
        while let Some(part) =
            parts.next_if(|p| matches!(p.as_rule(), Rule::doc_comment | Rule::attribute))
        {
            if part.as_rule() == Rule::doc_comment {
                let (start, end) = self.span(&part);
                self.printer.doc_comment(start, end, sep);
            } else {
                self.attribute(part, sep);
            }
            sep = Sep::Line(Blank::Keep);
        }
        sep
    }

    /// `@name` or `@name(arg)`, without spaces.
    fn attribute(&mut self, pair: Pair<'a, Rule>, sep: Sep) {
        let (start, _) = self.span(&pair);
        for part in pair.into_inner() {
            match part.as_rule() {
                // `@` and the name are one token: the grammar allows nothing between them.
                Rule::attr_name => {
                    let (_, end) = self.span(&part);
                    self.printer.token(start, end, sep);
                }
                Rule::attr_args => {
                    for arg in part.into_inner() {
                        self.token(&arg, Sep::Tight);
                    }
                }
                _ => self.token(&part, Sep::Tight),
            }
        }
    }

    /// A declaration after its docs and attributes.
    fn item(&mut self, decl: Pair<'a, Rule>, sep: Sep) {
        let body = match decl.as_rule() {
            Rule::const_decl | Rule::alias_decl => return self.statement(decl.into_inner(), sep),
            Rule::enum_decl => Body::Enum,
            _ => Body::Terminated,
        };
        let mut parts = decl.into_inner();
        // `keyword Name {`
        for (part, sep) in parts.by_ref().take(2).zip([sep, Sep::Space]) {
            self.token(&part, sep);
        }
        self.body(parts, body);
    }

    /// `package x;`, `import "p";`, `const x = 1;`, `type T = U;`: one line, words separated by
    /// one space.
    fn statement(&mut self, parts: Pairs<'a, Rule>, sep: Sep) {
        let mut sep = sep;
        for part in parts {
            match part.as_rule() {
                Rule::semi => self.token(&part, Sep::Tight),
                Rule::type_expr => self.type_expr(part, sep),
                _ => self.token(&part, sep),
            }
            sep = Sep::Space;
        }
    }

    /// `{`, then each member on its own line one level in, then `}` on its own line (`{}` when
    /// there are no members).
    fn body(&mut self, parts: Pairs<'a, Rule>, body: Body) {
        let mut empty = true;
        // An enum variant not yet followed by its comma.
        let mut open_variant = false;
        for part in parts {
            match part.as_rule() {
                Rule::lbrace => {
                    self.token(&part, Sep::Space);
                    self.printer.open_block();
                }
                Rule::rbrace => {
                    if open_variant {
                        self.printer.insert(",");
                    }
                    let (start, end) = self.span(&part);
                    let sep = if empty {
                        Sep::Tight
                    } else {
                        Sep::Line(Blank::Drop)
                    };
                    self.printer.close_block(start, end, Blank::Keep, sep);
                }
                Rule::comma if body == Body::Enum => {
                    self.token(&part, Sep::Tight);
                    open_variant = false;
                }
                Rule::comma => self.skip(&part),
                Rule::field => {
                    empty = false;
                    self.field(part);
                }
                Rule::method | Rule::event => {
                    empty = false;
                    self.signature(part);
                }
                Rule::enum_variant => {
                    empty = false;
                    open_variant = true;
                    let mut parts = part.into_inner().peekable();
                    let sep = self.leading(&mut parts, Sep::Line(Blank::Keep));
                    for name in parts {
                        self.token(&name, sep);
                    }
                }
                Rule::union_variant => {
                    empty = false;
                    let mut parts = part.into_inner().peekable();
                    let sep = self.leading(&mut parts, Sep::Line(Blank::Keep));
                    for part in parts {
                        match part.as_rule() {
                            Rule::variant_fields => self.body(part.into_inner(), Body::Terminated),
                            _ => self.token(&part, sep),
                        }
                    }
                }
                _ => self.token(&part, Sep::Space),
            }
        }
    }

    /// `name?: T;`
    fn field(&mut self, pair: Pair<'a, Rule>) {
        let mut parts = pair.into_inner().peekable();
        let sep = self.leading(&mut parts, Sep::Line(Blank::Keep));
        self.name_and_type(parts, sep);
    }

    /// `name`, `?`, `:`, the type and `;` (of a field or parameter).
    fn name_and_type(&mut self, parts: impl Iterator<Item = Pair<'a, Rule>>, sep: Sep) {
        for part in parts {
            match part.as_rule() {
                Rule::member_name => self.token(&part, sep),
                Rule::type_expr => self.type_expr(part, Sep::Space),
                _ => self.token(&part, Sep::Tight),
            }
        }
    }

    /// A method or event: `name(a: T, b: U): R throws E;` on one line, or with one parameter
    /// per line when that line would be longer than [`MAX_WIDTH`] or a comment inside the
    /// parentheses ends a line.
    fn signature(&mut self, pair: Pair<'a, Rule>) {
        let mut parts = pair.into_inner().peekable();
        let sep = self.leading(&mut parts, Sep::Line(Blank::Keep));
        let parts: Vec<Pair<'a, Rule>> = parts.collect();
        let has_params = parts.iter().any(|p| p.as_rule() == Rule::params);
        let mark = self.printer.mark();
        let flat = self.signature_parts(&parts, sep, false);
        let output = self.printer.output();
        let broken_inside = output
            .get(flat.inside.0..flat.inside.1)
            .is_some_and(|inside| inside.contains('\n'));
        let too_wide = output
            .get(flat.line_start..)
            .is_some_and(|lines| lines.split('\n').any(|l| l.chars().count() > MAX_WIDTH));
        if broken_inside || (has_params && too_wide) {
            self.printer.rewind(mark);
            self.signature_parts(&parts, sep, true);
        }
    }

    /// Lays out a signature flat or wrapped; returns where it went in the output.
    fn signature_parts(&mut self, parts: &[Pair<'a, Rule>], sep: Sep, wrap: bool) -> Placed {
        let mut placed = Placed {
            line_start: self.printer.output().len(),
            inside: (0, 0),
        };
        for part in parts {
            match part.as_rule() {
                Rule::member_name => {
                    self.token(part, sep);
                    let output = self.printer.output();
                    placed.line_start = output.rfind('\n').map_or(0, |i| i + 1);
                }
                Rule::lparen => {
                    self.token(part, Sep::Tight);
                    placed.inside.0 = self.printer.output().len();
                    if wrap {
                        self.printer.open_block();
                    }
                }
                Rule::params => self.params(part.clone(), wrap),
                Rule::rparen => {
                    if wrap {
                        let (start, end) = self.span(part);
                        self.printer
                            .close_block(start, end, Blank::Drop, Sep::Line(Blank::Drop));
                    } else {
                        self.token(part, Sep::Tight);
                    }
                    // Up to, not including, the `)`.
                    placed.inside.1 = self.printer.output().len().saturating_sub(1);
                }
                // `: T` and `throws T`
                Rule::return_type | Rule::throws_clause => {
                    for piece in part.clone().into_inner() {
                        match piece.as_rule() {
                            Rule::colon => self.token(&piece, Sep::Tight),
                            Rule::type_expr => self.type_expr(piece, Sep::Space),
                            _ => self.token(&piece, Sep::Space),
                        }
                    }
                }
                _ => self.token(part, Sep::Tight),
            }
        }
        placed
    }

    /// `a: T, b: U` on the line, or each parameter on a line of its own with a comma after
    /// it (the last one too).
    fn params(&mut self, pair: Pair<'a, Rule>, wrap: bool) {
        let mut parts = pair.into_inner().peekable();
        let mut first = true;
        // A parameter not yet followed by its comma.
        let mut open_param = false;
        while let Some(part) = parts.next() {
            if part.as_rule() == Rule::comma {
                let trailing = parts.peek().is_none();
                if trailing && !wrap {
                    self.skip(&part);
                } else {
                    self.token(&part, Sep::Tight);
                }
                open_param = false;
                continue;
            }
            let sep = if wrap {
                Sep::Line(Blank::Drop)
            } else if first {
                Sep::Tight
            } else {
                Sep::Space
            };
            self.name_and_type(part.into_inner(), sep);
            first = false;
            open_param = true;
        }
        if wrap && open_param {
            self.printer.insert(",");
        }
    }

    /// A type: `T`, `pkg.T`, `T[]`, `T?`, `map<K, V>`, `Promise<T>`, without spaces except
    /// after the commas.
    fn type_expr(&mut self, pair: Pair<'a, Rule>, sep: Sep) {
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::named_type | Rule::map_type => self.type_arguments(part.into_inner(), sep),
                Rule::array_suffix => {
                    for bracket in part.into_inner() {
                        self.token(&bracket, Sep::Tight);
                    }
                }
                _ => self.token(&part, Sep::Tight),
            }
        }
    }

    /// The path or `map` keyword placed with `sep`, then `<A, B>` (a trailing comma left out).
    fn type_arguments(&mut self, parts: Pairs<'a, Rule>, sep: Sep) {
        let mut parts = parts.peekable();
        let mut next_sep = sep;
        while let Some(part) = parts.next() {
            match part.as_rule() {
                Rule::type_args => self.type_arguments(part.into_inner(), Sep::Tight),
                Rule::type_expr => {
                    self.type_expr(part, next_sep);
                }
                Rule::comma => {
                    if parts.peek().is_some_and(|p| p.as_rule() == Rule::rangle) {
                        self.skip(&part);
                    } else {
                        self.token(&part, Sep::Tight);
                        next_sep = Sep::Space;
                    }
                }
                Rule::langle => {
                    self.token(&part, Sep::Tight);
                    next_sep = Sep::Tight;
                }
                Rule::rangle => self.token(&part, Sep::Tight),
                // The path or `map`.
                _ => self.token(&part, sep),
            }
        }
    }
}

/// Where a signature went in the output, to decide whether to wrap it.
struct Placed {
    /// Start of the line the signature's name is on.
    line_start: usize,
    /// Output range between `(` and `)`.
    inside: (usize, usize),
}
