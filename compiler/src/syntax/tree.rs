//! Builds the AST from pest's pairs, one `build_<construct>` function per grammar construct, in
//! one pass. Also checks what the grammar scans generously (string escapes, number shapes,
//! nesting depth) and reports those mistakes with their own codes.

use pest::iterators::Pair;

use super::ast::*;
use super::codes;
use super::lexer::KEYWORDS;
use super::Rule;
use crate::diagnostics::{Diagnostic, SourceId, Span};

/// How deeply type constructors (`[]`, `?`, `map<..>`, `Name<..>`) may nest: far beyond any real
/// schema, and low enough that every later recursive pass over a type stays shallow.
pub(crate) const MAX_TYPE_DEPTH: usize = 32;

/// How many segments a package name may have: far beyond any real one (`com.example.app.v1`),
/// and few enough that the Rust modules they nest into stay shallow for every later stage.
pub(crate) const MAX_PACKAGE_SEGMENTS: usize = 32;

/// Turns pairs into AST nodes. Spans are shifted by `base`, the offset of the parsed slice.
pub(crate) struct TreeBuilder<'d> {
    pub source: SourceId,
    pub base: usize,
    pub diagnostics: &'d mut Vec<Diagnostic>,
}

/// What one `declaration` pair turned out to be.
pub(crate) enum Declaration<'a> {
    Package(Path<'a>, Span),
    Import(Import),
    Item(Item<'a>),
    End,
}

impl TreeBuilder<'_> {
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let span = pair.as_span();
        Span::new(
            self.source,
            self.base + span.start(),
            self.base + span.end(),
        )
    }

    fn ident<'a>(&self, pair: &Pair<'a, Rule>) -> Ident<'a> {
        Ident {
            name: pair.as_str(),
            span: self.span(pair),
        }
    }

    /// `declaration`: a package, an import, an item, or the end of the input.
    pub fn build_declaration<'a>(&mut self, pair: Pair<'a, Rule>) -> Declaration<'a> {
        let Some(inner) = pair.into_inner().next() else {
            return Declaration::End;
        };
        match inner.as_rule() {
            Rule::package_decl => {
                let span = self.span(&inner);
                let name = inner
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::package_name)
                    .map(|p| self.build_path(p));
                match name {
                    Some(name) => {
                        self.check_package_name(&name);
                        Declaration::Package(name, span)
                    }
                    None => Declaration::End,
                }
            }
            Rule::import_decl => {
                let span = self.span(&inner);
                let string = inner.into_inner().find(|p| p.as_rule() == Rule::string);
                match string {
                    Some(string) => Declaration::Import(Import {
                        path: self.build_string(&string),
                        path_span: self.span(&string),
                        span,
                    }),
                    None => Declaration::End,
                }
            }
            Rule::item => match self.build_item(inner) {
                Some(item) => Declaration::Item(item),
                None => Declaration::End,
            },
            _ => Declaration::End,
        }
    }

    fn build_item<'a>(&mut self, pair: Pair<'a, Rule>) -> Option<Item<'a>> {
        let mut leading = Leading::default();
        let mut inner = pair.into_inner();
        // Docs and attributes come first; the grammar guarantees an `item` holds a declaration.
        let decl = loop {
            let p = inner.next()?;
            match p.as_rule() {
                Rule::doc_comment | Rule::attribute => self.add_leading(&mut leading, p),
                _ => break p,
            }
        };
        let span = self.span(&decl);
        let rule = decl.as_rule();
        let inner = decl.into_inner();
        // Members are most of the pairs; reserving once avoids regrowing vectors of big nodes.
        let capacity = inner.len();
        let mut parts = inner.filter(|p| !is_punctuation(p.as_rule()));
        // Every declaration is `keyword name ...`.
        let _keyword = parts.next();
        let name = match parts.next() {
            Some(p) => self.ident(&p),
            None => Ident { name: "", span },
        };
        let kind = match rule {
            Rule::const_decl => ItemKind::Const(Const {
                name,
                value: match parts.next() {
                    Some(p) => self.build_literal(p),
                    None => Literal::Bool(false, span),
                },
            }),
            Rule::struct_decl => ItemKind::Struct(Struct {
                name,
                fields: collect_with_capacity(capacity, parts.map(|p| self.build_field(p))),
            }),
            Rule::enum_decl => ItemKind::Enum(Enum {
                name,
                variants: collect_with_capacity(
                    capacity,
                    parts.map(|p| self.build_enum_variant(p)),
                ),
            }),
            Rule::union_decl => ItemKind::Union(Union {
                name,
                variants: collect_with_capacity(
                    capacity,
                    parts.map(|p| self.build_union_variant(p)),
                ),
            }),
            Rule::alias_decl => ItemKind::Alias(Alias {
                name,
                target: match parts.next() {
                    Some(p) => self.build_type(p, 0),
                    None => missing_type(span),
                },
            }),
            Rule::interface_decl => ItemKind::Interface(Interface {
                name,
                methods: collect_with_capacity(capacity, parts.map(|p| self.build_method(p))),
            }),
            _ => ItemKind::Notifications(Notifications {
                name,
                events: collect_with_capacity(capacity, parts.map(|p| self.build_event(p))),
            }),
        };
        Some(Item {
            leading,
            kind,
            span,
        })
    }

    /// Adds one `doc_comment` or `attribute` pair (the grammar's silent `leading`) to `leading`.
    fn add_leading<'a>(&mut self, leading: &mut Leading<'a>, pair: Pair<'a, Rule>) {
        if pair.as_rule() == Rule::attribute {
            leading.attributes.push(self.build_attribute(pair));
            return;
        }
        // `/// text`: drop the `///` and the one space that conventionally follows it.
        let text = pair.as_str().strip_prefix("///").unwrap_or_default();
        leading.docs.push(text.strip_prefix(' ').unwrap_or(text));
    }

    fn build_attribute<'a>(&mut self, pair: Pair<'a, Rule>) -> Attribute<'a> {
        let span = self.span(&pair);
        let mut name = Ident { name: "", span };
        let mut arg = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::attr_name => name = self.ident(&p),
                Rule::attr_args => {
                    let value = p
                        .into_inner()
                        .find(|a| a.as_rule() == Rule::attr_arg)
                        .and_then(|a| a.into_inner().next());
                    arg = value.map(|v| match v.as_rule() {
                        Rule::string => AttributeArg::String(self.build_string(&v), self.span(&v)),
                        _ => AttributeArg::Path(self.build_path(v)),
                    });
                }
                _ => {}
            }
        }
        Attribute { name, arg, span }
    }

    fn build_field<'a>(&mut self, pair: Pair<'a, Rule>) -> Field<'a> {
        let mut leading = Leading::default();
        let mut name = None;
        let mut optional = None;
        let mut ty = None;
        let mut start = None;
        let mut end = self.span(&pair);
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::doc_comment | Rule::attribute => self.add_leading(&mut leading, p),
                Rule::member_name => {
                    let ident = self.ident(&p);
                    start = Some(ident.span);
                    name = Some(ident);
                }
                Rule::question => optional = Some(self.span(&p)),
                Rule::type_expr => ty = Some(self.build_type(p, 0)),
                Rule::semi => end = self.span(&p),
                _ => {}
            }
        }
        let name = name.unwrap_or(Ident {
            name: "",
            span: end,
        });
        Field {
            leading,
            name,
            optional,
            ty: ty.unwrap_or_else(|| missing_type(end)),
            span: start.unwrap_or(end).to(end),
        }
    }

    fn build_enum_variant<'a>(&mut self, pair: Pair<'a, Rule>) -> EnumVariant<'a> {
        let span = self.span(&pair);
        let mut leading = Leading::default();
        let mut name = Ident { name: "", span };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::doc_comment | Rule::attribute => self.add_leading(&mut leading, p),
                Rule::member_name => name = self.ident(&p),
                _ => {}
            }
        }
        EnumVariant { leading, name }
    }

    fn build_union_variant<'a>(&mut self, pair: Pair<'a, Rule>) -> UnionVariant<'a> {
        let whole = self.span(&pair);
        let mut leading = Leading::default();
        let mut name = Ident {
            name: "",
            span: whole,
        };
        let mut fields = None;
        let mut end = whole;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::doc_comment | Rule::attribute => self.add_leading(&mut leading, p),
                Rule::member_name => {
                    name = self.ident(&p);
                    end = name.span;
                }
                Rule::variant_fields => {
                    end = self.span(&p);
                    fields = Some(
                        p.into_inner()
                            .filter(|f| f.as_rule() == Rule::field)
                            .map(|f| self.build_field(f))
                            .collect(),
                    );
                }
                _ => {}
            }
        }
        UnionVariant {
            leading,
            name,
            fields,
            span: name.span.to(end),
        }
    }

    fn build_method<'a>(&mut self, pair: Pair<'a, Rule>) -> Method<'a> {
        let whole = self.span(&pair);
        let mut leading = Leading::default();
        let mut name = Ident {
            name: "",
            span: whole,
        };
        let mut params = Vec::new();
        let mut returns = None;
        let mut throws = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::doc_comment | Rule::attribute => self.add_leading(&mut leading, p),
                Rule::member_name => name = self.ident(&p),
                Rule::params => params = self.build_params(p),
                Rule::return_type => returns = self.build_wrapped_type(p),
                Rule::throws_clause => throws = self.build_wrapped_type(p),
                _ => {}
            }
        }
        Method {
            leading,
            name,
            params,
            returns,
            throws,
            span: name.span.to(whole),
        }
    }

    fn build_event<'a>(&mut self, pair: Pair<'a, Rule>) -> Event<'a> {
        let whole = self.span(&pair);
        let mut leading = Leading::default();
        let mut name = Ident {
            name: "",
            span: whole,
        };
        let mut params = Vec::new();
        let mut returns = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::doc_comment | Rule::attribute => self.add_leading(&mut leading, p),
                Rule::member_name => name = self.ident(&p),
                Rule::params => params = self.build_params(p),
                Rule::return_type => returns = self.build_wrapped_type(p),
                _ => {}
            }
        }
        Event {
            leading,
            name,
            params,
            returns,
            span: name.span.to(whole),
        }
    }

    /// The type inside `return_type` (`: T`) or `throws_clause` (`throws T`).
    fn build_wrapped_type<'a>(&mut self, pair: Pair<'a, Rule>) -> Option<Type<'a>> {
        pair.into_inner()
            .find(|p| p.as_rule() == Rule::type_expr)
            .map(|p| self.build_type(p, 0))
    }

    fn build_params<'a>(&mut self, pair: Pair<'a, Rule>) -> Vec<Param<'a>> {
        let inner = pair.into_inner();
        let capacity = inner.len();
        collect_with_capacity(
            capacity,
            inner
                .filter(|p| p.as_rule() == Rule::param)
                .map(|p| self.build_param(p)),
        )
    }

    fn build_param<'a>(&mut self, pair: Pair<'a, Rule>) -> Param<'a> {
        let span = self.span(&pair);
        let mut name = Ident { name: "", span };
        let mut optional = None;
        let mut ty = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::member_name => name = self.ident(&p),
                Rule::question => optional = Some(self.span(&p)),
                Rule::type_expr => ty = Some(self.build_type(p, 0)),
                _ => {}
            }
        }
        Param {
            name,
            optional,
            ty: ty.unwrap_or_else(|| missing_type(span)),
            span,
        }
    }

    /// `type_expr`: a primary type wrapped by its suffixes, left to right (`T[]?` is an optional
    /// array). `depth` counts the type constructors around this one.
    fn build_type<'a>(&mut self, pair: Pair<'a, Rule>, depth: usize) -> Type<'a> {
        let whole = self.span(&pair);
        let mut inner = pair.into_inner();
        let Some(primary) = inner.next() else {
            return missing_type(whole);
        };
        // Counting walks the pairs without allocating (a `Pairs` clone shares its queue).
        let depth_inside = depth + inner.clone().count();
        if depth_inside > MAX_TYPE_DEPTH {
            self.too_deep(whole);
            return missing_type(whole);
        }
        let mut ty = self.build_primary_type(primary, depth_inside);
        for suffix in inner {
            let span = ty.span.to(self.span(&suffix));
            let kind = match suffix.as_rule() {
                Rule::array_suffix => TypeKind::Array(Box::new(ty)),
                _ => TypeKind::Optional(Box::new(ty)),
            };
            ty = Type { kind, span };
        }
        ty
    }

    fn build_primary_type<'a>(&mut self, pair: Pair<'a, Rule>, depth: usize) -> Type<'a> {
        let span = self.span(&pair);
        if depth + 1 > MAX_TYPE_DEPTH && pair.as_rule() == Rule::map_type {
            self.too_deep(span);
            return missing_type(span);
        }
        match pair.as_rule() {
            Rule::map_type => {
                let mut args = pair
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::type_expr)
                    .map(|p| self.build_type(p, depth + 1));
                let key = args.next().unwrap_or_else(|| missing_type(span));
                let value = args.next().unwrap_or_else(|| missing_type(span));
                Type {
                    kind: TypeKind::Map(Box::new(key), Box::new(value)),
                    span,
                }
            }
            _ => {
                let mut inner = pair.into_inner();
                let path = match inner.next() {
                    Some(p) => self.build_path(p),
                    None => Path::empty(span),
                };
                match inner.next() {
                    None => Type {
                        kind: TypeKind::Named(path),
                        span,
                    },
                    Some(args) => {
                        if depth + 1 > MAX_TYPE_DEPTH {
                            self.too_deep(span);
                            return missing_type(span);
                        }
                        let args = args
                            .into_inner()
                            .filter(|p| p.as_rule() == Rule::type_expr)
                            .map(|p| self.build_type(p, depth + 1))
                            .collect();
                        Type {
                            kind: TypeKind::Generic(path, args),
                            span,
                        }
                    }
                }
            }
        }
    }

    fn too_deep(&mut self, span: Span) {
        self.diagnostics.push(
            Diagnostic::error(codes::TOO_DEEP, "type is nested too deeply", span)
                .with_label(format!(
                    "more than {MAX_TYPE_DEPTH} levels of `[]`, `?` and `<...>`"
                ))
                .with_help("name the inner types with `type` aliases"),
        );
    }

    /// A `path` or `package_name`: its text and span (segments are split off on demand).
    fn build_path<'a>(&mut self, pair: Pair<'a, Rule>) -> Path<'a> {
        Path {
            text: pair.as_str(),
            span: self.span(&pair),
        }
    }

    /// The grammar reads any identifier as a package segment; a keyword is reported here, where
    /// the message can name the segment.
    fn check_package_name(&mut self, name: &Path<'_>) {
        if name.segment_count() > MAX_PACKAGE_SEGMENTS {
            self.diagnostics.push(
                Diagnostic::error(
                    codes::BAD_PACKAGE_NAME,
                    format!("a package name has at most {MAX_PACKAGE_SEGMENTS} segments"),
                    name.span,
                )
                .with_label(format!("{} segments", name.segment_count()))
                .with_help("use a shorter name; each segment becomes a nested Rust module"),
            );
            return;
        }
        for segment in name.segments() {
            if KEYWORDS.contains(&segment.name) {
                self.diagnostics.push(
                    Diagnostic::error(
                        codes::BAD_PACKAGE_NAME,
                        format!(
                            "`{}` is a keyword and cannot be part of a package name",
                            segment.name
                        ),
                        segment.span,
                    )
                    .with_label("keyword")
                    .with_help(format!(
                        "choose another name for this segment, e.g. `{}s`",
                        segment.name
                    )),
                );
            }
        }
    }

    fn build_literal(&mut self, pair: Pair<'_, Rule>) -> Literal {
        let span = self.span(&pair);
        let Some(value) = pair.into_inner().next() else {
            return Literal::Bool(false, span);
        };
        let span = self.span(&value);
        match value.as_rule() {
            Rule::string => Literal::String(self.build_string(&value), span),
            Rule::boolean => Literal::Bool(value.as_str() == "true", span),
            _ => self.build_number(value.as_str(), span),
        }
    }

    /// Checks a number's shape: `-?(0|[1-9][0-9]*)` is an integer; a float adds a fraction
    /// (`.5`) and/or an exponent (`e-3`) and must be finite.
    fn build_number(&mut self, text: &str, span: Span) -> Literal {
        match classify_number(text) {
            Ok(NumberShape::Integer) => Literal::Integer(text.to_string(), span),
            Ok(NumberShape::Float) => match text.parse::<f64>() {
                Ok(value) if value.is_finite() => Literal::Float(value, span),
                _ => {
                    self.diagnostics.push(
                        Diagnostic::error(
                            codes::BAD_NUMBER,
                            format!("float literal `{text}` is out of range"),
                            span,
                        )
                        .with_label("does not fit in an `f64`"),
                    );
                    Literal::Float(0.0, span)
                }
            },
            Err(help) => {
                self.diagnostics.push(
                    Diagnostic::error(
                        codes::BAD_NUMBER,
                        format!("invalid number literal `{text}`"),
                        span,
                    )
                    .with_help(help),
                );
                Literal::Integer("0".to_string(), span)
            }
        }
    }

    /// The contents of a string literal with escapes replaced. A bad escape is reported and
    /// replaced by U+FFFD so the rest of the file is still checked.
    pub(crate) fn build_string(&mut self, pair: &Pair<'_, Rule>) -> String {
        let raw = pair.as_str();
        let start = self.base + pair.as_span().start();
        let inner = raw
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or(raw);
        if !inner.contains('\\') {
            return inner.to_string();
        }
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.char_indices();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            let escape_start = start + 1 + i;
            let Some((_, e)) = chars.next() else { break };
            let simple = match e {
                '"' => Some('"'),
                '\\' => Some('\\'),
                'n' => Some('\n'),
                't' => Some('\t'),
                'r' => Some('\r'),
                '0' => Some('\0'),
                _ => None,
            };
            if let Some(c) = simple {
                out.push(c);
                continue;
            }
            if e == 'u' {
                // `\u{1F600}`: 1 to 6 hex digits naming a Unicode scalar value.
                let rest = &inner[i + 2..];
                let digits_end = rest.find('}');
                let decoded = rest
                    .strip_prefix('{')
                    .zip(digits_end)
                    .map(|(_, end)| &rest[1..end])
                    .filter(|hex| {
                        !hex.is_empty()
                            && hex.len() <= 6
                            && hex.bytes().all(|b| b.is_ascii_hexdigit())
                    });
                if let Some(hex) = decoded {
                    let len = hex.len() + 2;
                    // Consume `{hex}`.
                    for _ in 0..len {
                        chars.next();
                    }
                    let escape_span = Span::new(self.source, escape_start, escape_start + 2 + len);
                    match u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                        Some(c) => out.push(c),
                        None => {
                            self.diagnostics.push(
                                Diagnostic::error(
                                    codes::BAD_ESCAPE,
                                    format!("invalid unicode escape `\\u{{{hex}}}`"),
                                    escape_span,
                                )
                                .with_label("not a Unicode scalar value")
                                .with_help("surrogates (D800 to DFFF) and values above 10FFFF are not characters"),
                            );
                            out.push('\u{fffd}');
                        }
                    }
                    continue;
                }
                self.diagnostics.push(
                    Diagnostic::error(
                        codes::BAD_ESCAPE,
                        "malformed unicode escape",
                        Span::new(self.source, escape_start, escape_start + 2),
                    )
                    .with_help("write a character as `\\u{1F600}`: 1 to 6 hex digits in braces"),
                );
                out.push('\u{fffd}');
                continue;
            }
            self.diagnostics.push(
                Diagnostic::error(
                    codes::BAD_ESCAPE,
                    format!("unknown escape `\\{}`", e.escape_debug()),
                    Span::new(self.source, escape_start, escape_start + 1 + e.len_utf8()),
                )
                .with_help(
                    "the escapes are `\\\"`, `\\\\`, `\\n`, `\\t`, `\\r`, `\\0` and `\\u{...}`",
                ),
            );
            out.push('\u{fffd}');
        }
        out
    }
}

/// Whether a scanned number is an integer or a float.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum NumberShape {
    Integer,
    Float,
}

/// Checks a number token; on error returns a help line.
pub(crate) fn classify_number(text: &str) -> Result<NumberShape, &'static str> {
    let bytes = text.as_bytes();
    let mut i = usize::from(bytes.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while bytes.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let int_start = i;
    let int_len = digits(&mut i);
    if int_len == 0 {
        return Err("a number starts with a digit");
    }
    if int_len > 1 && bytes[int_start] == b'0' {
        return Err("numbers are decimal and have no leading zeros: write `10`, not `010`");
    }
    let mut shape = NumberShape::Integer;
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return Err("write at least one digit after the `.`, as in `1.0`");
        }
        shape = NumberShape::Float;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return Err("an exponent needs digits, as in `1e-3`");
        }
        shape = NumberShape::Float;
    }
    if i != bytes.len() {
        return Err(
            "a number is decimal digits with an optional fraction and exponent, as in `-12`, `0.5` or `1e-3`; no `_`, hex or suffixes",
        );
    }
    Ok(shape)
}

/// Collects into a vector reserved for `capacity` items (an upper bound).
fn collect_with_capacity<T>(capacity: usize, items: impl Iterator<Item = T>) -> Vec<T> {
    let mut out = Vec::with_capacity(capacity);
    out.extend(items);
    out
}

/// Punctuation pairs carry no information once the shape of a construct is known.
fn is_punctuation(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::semi
            | Rule::colon
            | Rule::comma
            | Rule::eq
            | Rule::dot
            | Rule::lbrace
            | Rule::rbrace
            | Rule::lparen
            | Rule::rparen
            | Rule::langle
            | Rule::rangle
            | Rule::lbracket
            | Rule::rbracket
    )
}

/// A placeholder for a type that could not be built (its error is already reported).
fn missing_type<'a>(span: Span) -> Type<'a> {
    Type {
        kind: TypeKind::Named(Path::empty(span)),
        span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_numbers() {
        assert_eq!(classify_number("0"), Ok(NumberShape::Integer));
        assert_eq!(classify_number("-12"), Ok(NumberShape::Integer));
        assert_eq!(classify_number("1.5"), Ok(NumberShape::Float));
        assert_eq!(classify_number("-1e-3"), Ok(NumberShape::Float));
        assert_eq!(classify_number("2.5E+10"), Ok(NumberShape::Float));
        for bad in ["01", "1.", "1e", "1_000", "0x10", "1.2.3", "12abc", "-"] {
            assert!(classify_number(bad).is_err(), "{bad}");
        }
    }
}
