//! Lowering: one file's borrowed AST into owned, still unresolved declarations, checking every
//! rule that needs only that file (attributes, results, optional parameters, members, consts).

use std::borrow::Cow;
use std::sync::{Mutex, PoisonError};

use crate::diagnostics::{Diagnostic, SourceId, Span};
use crate::ident;
use crate::ir::codes;
use crate::ir::fast_hash::FastHashMap;
use crate::ir::model::{ConstValue, Primitive};
use crate::parallel;
use crate::syntax::ast;

/// A name as written, owned.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Name {
    pub text: String,
    pub span: Span,
}

impl Name {
    fn from_ident(ident: &ast::Ident<'_>) -> Self {
        Name {
            text: ident.name.to_string(),
            span: ident.span,
        }
    }
}

/// A possibly qualified name (`Person`, `people.Person`, `acme.people.Person`), owned.
///
/// Kept as the written text and its span, like the syntax tree's path: one allocation per type
/// reference whatever the number of segments; the package and the name are split off on demand.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PathRef {
    /// As written: segments separated by single dots.
    text: String,
    pub span: Span,
}

/// A borrowed part of a [`PathRef`]: its last segment, or the package before it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PathPart<'p> {
    pub text: &'p str,
    pub span: Span,
}

impl PathRef {
    /// The same path written at `span` (the editor's re-check moves kept declarations).
    pub(crate) fn moved_to(&self, span: Span) -> Self {
        PathRef {
            text: self.text.clone(),
            span,
        }
    }

    fn from_ast(path: &ast::Path<'_>) -> Self {
        PathRef {
            text: path.text.to_string(),
            span: path.span,
        }
    }

    /// The part of the text from byte `start` to byte `end`, with its span.
    fn part(&self, start: usize, end: usize) -> PathPart<'_> {
        let offset = self.span.start as usize;
        PathPart {
            text: &self.text[start..end],
            span: Span::new(self.span.source, offset + start, offset + end),
        }
    }

    /// The declaration's name: the last segment.
    pub fn name(&self) -> PathPart<'_> {
        let start = self.text.rfind('.').map_or(0, |dot| dot + 1);
        self.part(start, self.text.len())
    }

    /// The package, everything before the last dot (`acme.people` of `acme.people.Person`);
    /// `None` for a plain name.
    pub fn qualifier(&self) -> Option<PathPart<'_>> {
        let dot = self.text.rfind('.')?;
        Some(self.part(0, dot))
    }

    /// The path as written.
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// Docs and the attributes every declaration or member may carry.
#[derive(Debug)]
pub(crate) struct Meta {
    pub name: Name,
    /// Taken (not copied) by resolution when it builds the IR: the IR owns the doc lines,
    /// and nothing reads them from the lowered declarations afterwards. A mutex, not a cell,
    /// because resolution runs on several threads (each declaration is taken by one).
    pub docs: Mutex<Vec<String>>,
    pub deprecated: Option<String>,
    pub since: Option<String>,
}

impl Meta {
    /// Moves the doc lines out (see `docs`).
    pub fn take_docs(&self) -> Vec<String> {
        std::mem::take(&mut *self.docs.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// One file after lowering.
#[derive(Debug)]
pub(crate) struct LoweredFile {
    pub source: SourceId,
    /// The file's `//!` documentation, one entry per line.
    pub docs: Vec<String>,
    pub package: Option<Name>,
    pub imports: Vec<ast::Import>,
    pub decls: Vec<Decl>,
}

#[derive(Debug)]
pub(crate) struct Decl {
    pub meta: Meta,
    pub kind: DeclKind,
}

#[derive(Debug)]
pub(crate) enum DeclKind {
    /// `None` when the literal was invalid (already reported).
    Const(Option<ConstValue>),
    Struct(Vec<FieldDecl>),
    Enum(Vec<Meta>),
    Union(Vec<UnionVariantDecl>),
    Alias(TypeExpr),
    Interface {
        channel: Option<ChannelExpr>,
        methods: Vec<MethodDecl>,
    },
    Notifications {
        channel: Option<ChannelExpr>,
        events: Vec<EventDecl>,
    },
}

impl DeclKind {
    /// How messages name this kind of declaration.
    pub fn describe(&self) -> &'static str {
        match self {
            DeclKind::Const(_) => "const",
            DeclKind::Struct(_) => "struct",
            DeclKind::Enum(_) => "enum",
            DeclKind::Union(_) => "union",
            DeclKind::Alias(_) => "type alias",
            DeclKind::Interface { .. } => "interface",
            DeclKind::Notifications { .. } => "notifications block",
        }
    }

    /// Whether the declaration names a type (as opposed to a const or a channel block).
    pub fn is_type(&self) -> bool {
        matches!(
            self,
            DeclKind::Struct(_) | DeclKind::Enum(_) | DeclKind::Union(_) | DeclKind::Alias(_)
        )
    }
}

#[derive(Debug)]
pub(crate) struct FieldDecl {
    pub meta: Meta,
    /// The type as it will be stored: `name?: T` is already wrapped in `Optional`.
    pub ty: TypeExpr,
}

#[derive(Debug)]
pub(crate) struct UnionVariantDecl {
    pub meta: Meta,
    /// `None` for a unit variant.
    pub fields: Option<Vec<FieldDecl>>,
}

#[derive(Debug)]
pub(crate) struct MethodDecl {
    pub meta: Meta,
    pub params: Vec<ParamDecl>,
    /// `T` of `Promise<T>` or of `AsyncIterable<T>`; `None` for `Promise<void>` (or when the
    /// result was invalid).
    pub result: Option<TypeExpr>,
    /// True when the result is `AsyncIterable<T>`: `result` is then the item type.
    pub result_stream: bool,
    pub throws: Option<TypeExpr>,
}

#[derive(Debug)]
pub(crate) struct EventDecl {
    pub meta: Meta,
    pub params: Vec<ParamDecl>,
}

#[derive(Debug)]
pub(crate) struct ParamDecl {
    pub name: Name,
    pub optional: bool,
    /// True for `name: AsyncIterable<T>`: `ty` is then the item type `T`.
    pub stream: bool,
    /// Wrapped in `Optional` when `optional`.
    pub ty: TypeExpr,
}

/// The argument of `@channel(...)`.
#[derive(Debug, Clone)]
pub(crate) enum ChannelExpr {
    Literal(String, Span),
    Const(PathRef),
}

/// A written type with primitives recognised and names still unresolved.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TypeExpr {
    pub kind: TypeExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TypeExprKind {
    Primitive(Primitive),
    Named(PathRef),
    Array(Box<TypeExpr>),
    Map(Box<TypeExpr>, Box<TypeExpr>),
    Optional(Box<TypeExpr>),
    /// Already reported; resolution skips it.
    Invalid,
}

/// Names that always mean a built-in type and cannot be declared.
pub(crate) const BUILTIN_TYPE_NAMES: &[&str] = &[
    "bool", "boolean", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64",
    "number", "string", "bytes", "void", "Promise", "map", STREAM,
];

/// The generic that makes a method's result or one of its parameters a stream.
pub(crate) const STREAM: &str = "AsyncIterable";

/// Where a type is written, for the messages about a stream written where it cannot be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Site {
    /// A field of a struct or of a union variant.
    Field,
    Alias,
    Throws,
    ArrayElement,
    MapKey,
    MapValue,
    /// The items of a stream (`AsyncIterable<AsyncIterable<T>>`).
    StreamItem,
    /// The `T` of a method's `Promise<T>`.
    PromiseResult,
    NotificationParam,
    /// A method's parameter or result, where a stream is allowed but was made optional on the
    /// way (`AsyncIterable<T>?`); a stream written there directly never reaches `lower_type_at`.
    MethodParamOrResult,
}

/// Who a parameter list belongs to: only methods may have streaming parameters.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ParamOwner {
    Method,
    Notification,
}

/// The type arguments of `AsyncIterable<...>` (none for a bare `AsyncIterable`), when `ty` is
/// written as a stream itself.
fn stream_args<'t, 'a>(ty: &'t ast::Type<'a>) -> Option<&'t [ast::Type<'a>]> {
    match &ty.kind {
        ast::TypeKind::Generic(path, args) if is_single(path, STREAM) => Some(args),
        ast::TypeKind::Named(path) if is_single(path, STREAM) => Some(&[]),
        _ => None,
    }
}

/// The primitive a single-segment name denotes, if any (`number` → `f64`, `boolean` → `bool`).
pub(crate) fn primitive_named(name: &str) -> Option<Primitive> {
    Some(match name {
        "bool" | "boolean" => Primitive::Bool,
        "i8" => Primitive::I8,
        "i16" => Primitive::I16,
        "i32" => Primitive::I32,
        "i64" => Primitive::I64,
        "u8" => Primitive::U8,
        "u16" => Primitive::U16,
        "u32" => Primitive::U32,
        "u64" => Primitive::U64,
        "f32" => Primitive::F32,
        "f64" | "number" => Primitive::F64,
        "string" => Primitive::String,
        "bytes" => Primitive::Bytes,
        _ => return None,
    })
}

/// Where an attribute list sits; decides which attributes are allowed.
#[derive(Clone, Copy, PartialEq)]
enum AttrSite {
    /// An interface or notifications block: `@channel` allowed (and required).
    ChannelBlock,
    /// Any other declaration, or a field, method or event.
    Other,
    /// An enum or union variant: no `@since` (variants carry no version in the IR).
    Variant,
}

struct Attrs {
    channel: Option<ChannelExpr>,
    deprecated: Option<String>,
    since: Option<String>,
}

const KNOWN_ATTRIBUTES: &[&str] = &["channel", "deprecated", "since"];

/// Lowers one parsed file, appending its diagnostics to `diags`.
pub(crate) fn lower_file(
    source: SourceId,
    text: &str,
    file: ast::File<'_>,
    diags: &mut Vec<Diagnostic>,
) -> LoweredFile {
    LoweredFile {
        source,
        docs: file.docs.iter().map(|line| line.to_string()).collect(),
        package: file.package.as_ref().map(|package| Name {
            text: package.text.to_string(),
            span: package.span,
        }),
        imports: file.imports,
        decls: lower_items(text, file.items, diags),
    }
}

/// Files with fewer items than this are lowered on the calling thread only: starting threads
/// costs more than it saves below a few thousand declarations.
const PARALLEL_MIN_ITEMS: usize = 2_048;

/// Lowers every item, in order, and drops the syntax tree. Each item is lowered on its own
/// (nothing carries over from one to the next but the diagnostics), so a large file is lowered
/// in contiguous runs of items on several threads, each dropping its run's syntax tree too, and
/// the results are joined in item order: the same declarations and the same diagnostics in the
/// same order as one pass.
fn lower_items(
    text: &str,
    mut items: Vec<ast::Item<'_>>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Decl> {
    let threads = parallel::available_threads();
    if items.len() < PARALLEL_MIN_ITEMS || threads < 2 {
        let mut lowerer = Lowerer { text, diags };
        return items.iter().map(|item| lowerer.lower_item(item)).collect();
    }
    // One contiguous run per thread, split from the back so that each `split_off` moves only
    // its own run. Each run's syntax trees are freed on the thread that lowered them.
    let total = items.len();
    let run = total.div_ceil(threads);
    let mut runs = Vec::with_capacity(threads);
    while items.len() > run {
        runs.push(items.split_off(items.len() - run));
    }
    runs.push(items);
    runs.reverse();
    let lowered = parallel::map_in_order(runs, threads, |run: Vec<ast::Item<'_>>| {
        let mut run_diags = Vec::new();
        let mut lowerer = Lowerer {
            text,
            diags: &mut run_diags,
        };
        let decls: Vec<Decl> = run.iter().map(|item| lowerer.lower_item(item)).collect();
        (decls, run_diags)
    });
    let mut decls = Vec::with_capacity(total);
    for (mut more, mut more_diags) in lowered {
        decls.append(&mut more);
        diags.append(&mut more_diags);
    }
    decls
}

/// Lowers every item like [`lower_items`], keeping each item's diagnostics with it (for the
/// editor's re-check, which keeps both per declaration: see `ir::reuse`).
pub(crate) fn lower_items_each(
    text: &str,
    items: Vec<ast::Item<'_>>,
) -> Vec<(Decl, Vec<Diagnostic>)> {
    let lower = |item: ast::Item<'_>| {
        let mut item_diags = Vec::new();
        let decl = Lowerer {
            text,
            diags: &mut item_diags,
        }
        .lower_item(&item);
        (decl, item_diags)
    };
    let threads = parallel::available_threads();
    if items.len() < PARALLEL_MIN_ITEMS || threads < 2 {
        return items.into_iter().map(lower).collect();
    }
    let run = items.len().div_ceil(threads);
    let mut runs = Vec::with_capacity(threads);
    let mut items = items.into_iter();
    loop {
        let next: Vec<ast::Item<'_>> = items.by_ref().take(run).collect();
        if next.is_empty() {
            break;
        }
        runs.push(next);
    }
    parallel::map_in_order(runs, threads, |run: Vec<ast::Item<'_>>| {
        run.into_iter().map(lower).collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect()
}

struct Lowerer<'t, 'd> {
    text: &'t str,
    diags: &'d mut Vec<Diagnostic>,
}

impl Lowerer<'_, '_> {
    fn source_text(&self, span: Span) -> &str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("T")
    }

    fn lower_item(&mut self, item: &ast::Item<'_>) -> Decl {
        let (name, site) = match &item.kind {
            ast::ItemKind::Const(c) => (c.name, AttrSite::Other),
            ast::ItemKind::Struct(s) => (s.name, AttrSite::Other),
            ast::ItemKind::Enum(e) => (e.name, AttrSite::Other),
            ast::ItemKind::Union(u) => (u.name, AttrSite::Other),
            ast::ItemKind::Alias(a) => (a.name, AttrSite::Other),
            ast::ItemKind::Interface(i) => (i.name, AttrSite::ChannelBlock),
            ast::ItemKind::Notifications(n) => (n.name, AttrSite::ChannelBlock),
        };
        let attrs = self.lower_attributes(&item.leading, site);
        let meta = Meta {
            name: Name::from_ident(&name),
            docs: Mutex::new(docs(&item.leading)),
            deprecated: attrs.deprecated,
            since: attrs.since,
        };
        if BUILTIN_TYPE_NAMES.contains(&name.name) {
            self.diags.push(
                Diagnostic::error(
                    codes::BUILTIN_NAME,
                    format!("`{}` is a built-in type and cannot be declared", name.name),
                    name.span,
                )
                .with_label("built-in name")
                .with_help("choose another name"),
            );
        }
        let kind = match &item.kind {
            ast::ItemKind::Const(c) => DeclKind::Const(self.lower_literal(&c.value)),
            ast::ItemKind::Struct(s) => {
                let fields = self.lower_fields(&s.fields, AttrSite::Other);
                self.check_fields(&fields, &format!("struct `{}`", name.name));
                DeclKind::Struct(fields)
            }
            ast::ItemKind::Enum(e) => {
                let variants: Vec<Meta> = e
                    .variants
                    .iter()
                    .map(|v| {
                        let attrs = self.lower_attributes(&v.leading, AttrSite::Variant);
                        Meta {
                            name: Name::from_ident(&v.name),
                            docs: Mutex::new(docs(&v.leading)),
                            deprecated: attrs.deprecated,
                            since: None,
                        }
                    })
                    .collect();
                if variants.is_empty() {
                    self.diags.push(
                        Diagnostic::error(
                            codes::EMPTY_ENUM,
                            format!("enum `{}` has no variants", name.name),
                            name.span,
                        )
                        .with_label("an enum without variants has no value")
                        .with_help("add a variant, or remove the enum"),
                    );
                }
                check_members(
                    self.diags,
                    "variant",
                    &format!("enum `{}`", name.name),
                    variants.iter().map(|v| &v.name),
                    &[("Rust", rust_variant_key)],
                );
                DeclKind::Enum(variants)
            }
            ast::ItemKind::Union(u) => {
                let variants: Vec<UnionVariantDecl> = u
                    .variants
                    .iter()
                    .map(|v| {
                        let attrs = self.lower_attributes(&v.leading, AttrSite::Variant);
                        let fields = v.fields.as_ref().map(|fields| {
                            let fields = self.lower_fields(fields, AttrSite::Other);
                            self.check_fields(
                                &fields,
                                &format!("variant `{}` of union `{}`", v.name.name, name.name),
                            );
                            fields
                        });
                        UnionVariantDecl {
                            meta: Meta {
                                name: Name::from_ident(&v.name),
                                docs: Mutex::new(docs(&v.leading)),
                                deprecated: attrs.deprecated,
                                since: None,
                            },
                            fields,
                        }
                    })
                    .collect();
                if variants.is_empty() {
                    self.diags.push(
                        Diagnostic::error(
                            codes::EMPTY_UNION,
                            format!("union `{}` has no variants", name.name),
                            name.span,
                        )
                        .with_label("a union without variants has no value")
                        .with_help("add a variant, or remove the union"),
                    );
                }
                check_members(
                    self.diags,
                    "variant",
                    &format!("union `{}`", name.name),
                    variants.iter().map(|v| &v.meta.name),
                    &[("Rust", rust_variant_key)],
                );
                DeclKind::Union(variants)
            }
            ast::ItemKind::Alias(a) => DeclKind::Alias(self.lower_type_at(&a.target, Site::Alias)),
            ast::ItemKind::Interface(i) => {
                let methods: Vec<MethodDecl> =
                    i.methods.iter().map(|m| self.lower_method(m)).collect();
                check_members(
                    self.diags,
                    "method",
                    &format!("interface `{}`", name.name),
                    methods.iter().map(|m| &m.meta.name),
                    &[("Rust", rust_member_key)],
                );
                let channel = self.require_channel(attrs.channel, &name, "interface");
                DeclKind::Interface { channel, methods }
            }
            ast::ItemKind::Notifications(n) => {
                let events: Vec<EventDecl> = n.events.iter().map(|e| self.lower_event(e)).collect();
                check_members(
                    self.diags,
                    "notification",
                    &format!("notifications `{}`", name.name),
                    events.iter().map(|e| &e.meta.name),
                    &[("Rust", rust_member_key)],
                );
                let channel = self.require_channel(attrs.channel, &name, "notifications block");
                DeclKind::Notifications { channel, events }
            }
        };
        Decl { meta, kind }
    }

    fn require_channel(
        &mut self,
        channel: Option<ChannelExpr>,
        name: &ast::Ident<'_>,
        what: &str,
    ) -> Option<ChannelExpr> {
        if channel.is_none() {
            let suggestion = format!("{}-v1", ident::snake_case(name.name).replace('_', "-"));
            self.diags.push(
                Diagnostic::error(
                    codes::MISSING_CHANNEL,
                    format!("{what} `{}` has no `@channel`", name.name),
                    name.span,
                )
                .with_label("every interface and notifications block needs a channel name")
                .with_help(format!("add `@channel(\"{suggestion}\")` above it")),
            );
        }
        channel
    }

    fn lower_attributes(&mut self, leading: &ast::Leading<'_>, site: AttrSite) -> Attrs {
        let mut attrs = Attrs {
            channel: None,
            deprecated: None,
            since: None,
        };
        let mut seen: FastHashMap<&str, Span> = FastHashMap::default();
        for attr in &leading.attributes {
            let name = attr.name.name;
            if !KNOWN_ATTRIBUTES.contains(&name) {
                let mut warning = Diagnostic::warning(
                    codes::UNKNOWN_ATTRIBUTE,
                    format!("unknown attribute `@{name}`"),
                    attr.name.span,
                )
                .with_label("ignored");
                warning = match closest(name, KNOWN_ATTRIBUTES.iter().copied()) {
                    Some(known) => warning.with_help(format!("did you mean `@{known}`?")),
                    None => warning.with_help(
                        "the known attributes are `@channel`, `@deprecated` and `@since`",
                    ),
                };
                self.diags.push(warning);
                continue;
            }
            if let Some(first) = seen.get(name) {
                self.diags.push(
                    Diagnostic::error(
                        codes::DUPLICATE_ATTRIBUTE,
                        format!("attribute `@{name}` is given twice"),
                        attr.span,
                    )
                    .with_label("repeated here")
                    .with_secondary(*first, "first given here"),
                );
                continue;
            }
            seen.insert(name, attr.span);
            match name {
                "channel" => {
                    if site != AttrSite::ChannelBlock {
                        self.diags.push(
                            Diagnostic::error(
                                codes::MISPLACED_ATTRIBUTE,
                                "`@channel` can only be put on an interface or a notifications block",
                                attr.span,
                            )
                            .with_label("not allowed here")
                            .with_help("remove it"),
                        );
                        continue;
                    }
                    attrs.channel = match &attr.arg {
                        Some(ast::AttributeArg::String(value, span)) => {
                            if value.is_empty() {
                                self.diags.push(
                                    Diagnostic::error(
                                        codes::BAD_CHANNEL,
                                        "a channel name cannot be empty",
                                        *span,
                                    )
                                    .with_help(
                                        "write a name with a version, e.g. `\"my-interface-v1\"`",
                                    ),
                                );
                            }
                            Some(ChannelExpr::Literal(value.clone(), *span))
                        }
                        Some(ast::AttributeArg::Path(path)) => {
                            Some(ChannelExpr::Const(PathRef::from_ast(path)))
                        }
                        None => {
                            self.diags.push(
                                Diagnostic::error(
                                    codes::BAD_CHANNEL,
                                    "`@channel` needs a channel name",
                                    attr.span,
                                )
                                .with_help(
                                    "write `@channel(\"my-interface-v1\")` or `@channel(myChannel)` with a string const",
                                ),
                            );
                            // Counted as given: the missing-channel error would repeat this one.
                            Some(ChannelExpr::Literal(String::new(), attr.span))
                        }
                    };
                }
                "deprecated" => match &attr.arg {
                    None => attrs.deprecated = Some(String::new()),
                    Some(ast::AttributeArg::String(message, _)) => {
                        attrs.deprecated = Some(message.clone())
                    }
                    Some(ast::AttributeArg::Path(path)) => self.diags.push(
                        Diagnostic::error(
                            codes::BAD_ATTRIBUTE_ARGUMENT,
                            "`@deprecated` takes a string message",
                            path.span,
                        )
                        .with_label("not a string")
                        .with_help("write `@deprecated(\"message\")`, or `@deprecated` alone"),
                    ),
                },
                "since" => {
                    if site == AttrSite::Variant {
                        self.diags.push(
                            Diagnostic::error(
                                codes::MISPLACED_ATTRIBUTE,
                                "`@since` cannot be put on an enum or union variant",
                                attr.span,
                            )
                            .with_label("not allowed here")
                            .with_help("mention the version in the variant's `///` docs instead"),
                        );
                        continue;
                    }
                    match &attr.arg {
                        Some(ast::AttributeArg::String(version, _)) => {
                            attrs.since = Some(version.clone())
                        }
                        _ => self.diags.push(
                            Diagnostic::error(
                                codes::BAD_ATTRIBUTE_ARGUMENT,
                                "`@since` takes a version string",
                                attr.span,
                            )
                            .with_help("write e.g. `@since(\"1.2\")`"),
                        ),
                    }
                }
                _ => {}
            }
        }
        attrs
    }

    fn lower_fields(&mut self, fields: &[ast::Field<'_>], site: AttrSite) -> Vec<FieldDecl> {
        fields
            .iter()
            .map(|field| {
                let attrs = self.lower_attributes(&field.leading, site);
                let ty = self.lower_optional(
                    field.optional,
                    &field.ty,
                    "field",
                    &field.name,
                    field.span,
                    Site::Field,
                );
                FieldDecl {
                    meta: Meta {
                        name: Name::from_ident(&field.name),
                        docs: Mutex::new(docs(&field.leading)),
                        deprecated: attrs.deprecated,
                        since: attrs.since,
                    },
                    ty,
                }
            })
            .collect()
    }

    fn check_fields(&mut self, fields: &[FieldDecl], container: &str) {
        check_members(
            self.diags,
            "field",
            container,
            fields.iter().map(|f| &f.meta.name),
            &[("Rust", rust_member_key)],
        );
    }

    /// `name?: T` → `Optional(T)`; `name?: T?` is redundant.
    fn lower_optional(
        &mut self,
        optional: Option<Span>,
        ty: &ast::Type<'_>,
        what: &str,
        name: &ast::Ident<'_>,
        whole: Span,
        site: Site,
    ) -> TypeExpr {
        let lowered = self.lower_type_at(ty, site);
        match optional {
            None => lowered,
            Some(mark) => {
                if matches!(lowered.kind, TypeExprKind::Optional(_)) {
                    self.diags.push(
                        Diagnostic::error(
                            codes::REDUNDANT_OPTIONAL,
                            format!("{what} `{}` is marked optional twice", name.name),
                            ty.span,
                        )
                        .with_label("already optional because of the `?` after the name")
                        .with_secondary(mark, "optional here")
                        .with_help("remove one of the two `?`"),
                    );
                }
                TypeExpr {
                    kind: TypeExprKind::Optional(Box::new(lowered)),
                    span: whole,
                }
            }
        }
    }

    fn lower_params(&mut self, params: &[ast::Param<'_>], owner: ParamOwner) -> Vec<ParamDecl> {
        let mut first_optional: Option<&ast::Param<'_>> = None;
        let mut first_stream: Option<&ast::Param<'_>> = None;
        let mut lowered = Vec::with_capacity(params.len());
        for param in params {
            let stream = match stream_args(&param.ty) {
                Some(args) if owner == ParamOwner::Method => Some(args),
                _ => None,
            };
            let ty = match stream {
                Some(args) => {
                    if let Some(mark) = param.optional {
                        self.diags.push(
                            Diagnostic::error(
                                codes::OPTIONAL_STREAM,
                                format!("streaming parameter `{}` cannot be optional", param.name.name),
                                param.ty.span,
                            )
                            .with_label("a stream is always passed")
                            .with_secondary(mark, "optional here")
                            .with_help("remove the `?`: a caller with nothing to send passes an empty stream"),
                        );
                    }
                    match first_stream {
                        None => first_stream = Some(param),
                        Some(first) => self.diags.push(
                            Diagnostic::error(
                                codes::SECOND_STREAM_PARAM,
                                format!(
                                    "parameter `{}` is a second stream; `{}` already is one",
                                    param.name.name, first.name.name
                                ),
                                param.ty.span,
                            )
                            .with_label("second streaming parameter")
                            .with_secondary(first.ty.span, "first streaming parameter")
                            .with_help("a method has at most one streaming parameter; stream one struct or union that carries both kinds of items"),
                        ),
                    }
                    self.lower_stream_item(&param.ty, args)
                }
                None => {
                    let site = match owner {
                        ParamOwner::Method => Site::MethodParamOrResult,
                        ParamOwner::Notification => Site::NotificationParam,
                    };
                    self.lower_optional(
                        param.optional,
                        &param.ty,
                        "parameter",
                        &param.name,
                        param.span,
                        site,
                    )
                }
            };
            // A streaming parameter was reported above when optional; it does not also count
            // as an optional one for the order of parameters.
            let optional = param.optional.is_some() && stream.is_none();
            match (optional, first_optional) {
                (true, None) => first_optional = Some(param),
                (false, Some(optional)) => self.diags.push(
                    Diagnostic::error(
                        codes::OPTIONAL_PARAM_ORDER,
                        format!(
                            "required parameter `{}` follows optional parameter `{}`",
                            param.name.name, optional.name.name
                        ),
                        param.span,
                    )
                    .with_label("required parameter")
                    .with_secondary(optional.span, "optional parameter")
                    .with_help("optional parameters (`name?: T`) must come last"),
                ),
                _ => {}
            }
            lowered.push(ParamDecl {
                name: Name::from_ident(&param.name),
                optional,
                stream: stream.is_some(),
                ty,
            });
        }
        lowered
    }

    /// The item type of `AsyncIterable<...>` written as a method's result or parameter;
    /// reports a wrong number of type arguments and `AsyncIterable<void>`.
    fn lower_stream_item(&mut self, whole: &ast::Type<'_>, args: &[ast::Type<'_>]) -> TypeExpr {
        let invalid = TypeExpr {
            kind: TypeExprKind::Invalid,
            span: whole.span,
        };
        let [item] = args else {
            self.diags.push(
                Diagnostic::error(
                    codes::TYPE_ARGUMENTS,
                    format!("`{STREAM}` takes one type argument, found {}", args.len()),
                    whole.span,
                )
                .with_help(format!(
                    "write `{STREAM}<T>`, where `T` is the type of the items"
                )),
            );
            return invalid;
        };
        if let ast::TypeKind::Named(inner) = &item.kind {
            if is_single(inner, "void") {
                self.diags.push(
                    Diagnostic::error(
                        codes::VOID_STREAM,
                        format!("`{STREAM}<void>` is a stream without values"),
                        whole.span,
                    )
                    .with_label("items must be values")
                    .with_help("for a method without a result write `Promise<void>`; for a stream of signals, stream a value such as `u32` or an enum"),
                );
                return invalid;
            }
        }
        self.lower_type_at(item, Site::StreamItem)
    }

    fn check_params(&mut self, params: &[ParamDecl], container: &str) {
        check_members(
            self.diags,
            "parameter",
            container,
            params.iter().map(|p| &p.name),
            &[("Rust", rust_member_key), ("TypeScript", ts_binding_key)],
        );
    }

    fn lower_method(&mut self, method: &ast::Method<'_>) -> MethodDecl {
        let attrs = self.lower_attributes(&method.leading, AttrSite::Other);
        let params = self.lower_params(&method.params, ParamOwner::Method);
        self.check_params(&params, &format!("method `{}`", method.name.name));
        let (result, result_stream) = match &method.returns {
            None => {
                self.diags.push(
                    Diagnostic::error(
                        codes::NOT_A_PROMISE,
                        "IPC methods must return a Promise",
                        method.name.span,
                    )
                    .with_label(format!("`{}` has no result type", method.name.name))
                    .with_help("write `: Promise<void>` after the parameters"),
                );
                (None, false)
            }
            Some(returns) => self.lower_result(returns),
        };
        let throws = method
            .throws
            .as_ref()
            .map(|t| self.lower_type_at(t, Site::Throws));
        MethodDecl {
            meta: Meta {
                name: Name::from_ident(&method.name),
                docs: Mutex::new(docs(&method.leading)),
                deprecated: attrs.deprecated,
                since: attrs.since,
            },
            params,
            result,
            result_stream,
            throws,
        }
    }

    /// The `T` of a method's `Promise<T>`, or of `AsyncIterable<T>` (then with `true`: the
    /// result is a stream); reports anything else.
    fn lower_result(&mut self, returns: &ast::Type<'_>) -> (Option<TypeExpr>, bool) {
        if let Some(args) = stream_args(returns) {
            let item = self.lower_stream_item(returns, args);
            return (Some(item), true);
        }
        if let ast::TypeKind::Optional(inner) = &returns.kind {
            if stream_args(inner).is_some() {
                // Reported by `lower_type_at` as an optional stream, like a parameter's.
                self.lower_type_at(returns, Site::MethodParamOrResult);
                return (None, false);
            }
        }
        (self.lower_promise(returns), false)
    }

    /// The `T` of a method's `Promise<T>`; reports anything else.
    fn lower_promise(&mut self, returns: &ast::Type<'_>) -> Option<TypeExpr> {
        if let ast::TypeKind::Generic(path, args) = &returns.kind {
            if is_single(path, "Promise") {
                if args.len() != 1 {
                    self.diags.push(
                        Diagnostic::error(
                            codes::TYPE_ARGUMENTS,
                            format!("`Promise` takes one type argument, found {}", args.len()),
                            returns.span,
                        )
                        .with_help("write `Promise<T>`, or `Promise<void>` for no result"),
                    );
                    return None;
                }
                if let ast::TypeKind::Named(inner) = &args[0].kind {
                    if is_single(inner, "void") {
                        return None;
                    }
                }
                return Some(self.lower_type_at(&args[0], Site::PromiseResult));
            }
        }
        let written = self.source_text(returns.span).to_string();
        self.diags.push(
            Diagnostic::error(
                codes::NOT_A_PROMISE,
                "IPC methods must return a Promise",
                returns.span,
            )
            .with_label(format!("`{written}` is not a `Promise`"))
            .with_help(format!("write `Promise<{written}>`")),
        );
        None
    }

    fn lower_event(&mut self, event: &ast::Event<'_>) -> EventDecl {
        let attrs = self.lower_attributes(&event.leading, AttrSite::Other);
        let params = self.lower_params(&event.params, ParamOwner::Notification);
        self.check_params(&params, &format!("notification `{}`", event.name.name));
        if let Some(returns) = &event.returns {
            self.diags.push(
                Diagnostic::error(
                    codes::NOTIFICATION_RESULT,
                    format!("notification `{}` cannot return a value", event.name.name),
                    returns.span,
                )
                .with_label("result type not allowed")
                .with_help("notifications are one-way messages; remove the result type"),
            );
        }
        EventDecl {
            meta: Meta {
                name: Name::from_ident(&event.name),
                docs: Mutex::new(docs(&event.leading)),
                deprecated: attrs.deprecated,
                since: attrs.since,
            },
            params,
        }
    }

    /// Lowers a type written at `site`: any position other than a method's result or a
    /// streaming parameter, whose `AsyncIterable` the callers take off first.
    fn lower_type_at(&mut self, ty: &ast::Type<'_>, site: Site) -> TypeExpr {
        if stream_args(ty).is_some() {
            self.report_misplaced_stream(ty, site);
            return TypeExpr {
                kind: TypeExprKind::Invalid,
                span: ty.span,
            };
        }
        let kind = match &ty.kind {
            ast::TypeKind::Named(path) => self.lower_named(path),
            ast::TypeKind::Array(element) => {
                TypeExprKind::Array(Box::new(self.lower_type_at(element, Site::ArrayElement)))
            }
            ast::TypeKind::Optional(inner) => {
                // `T?` is still written at the same place: a field's `AsyncIterable<T>?` is a
                // stream in a field first.
                let inner = self.lower_type_at(inner, site);
                if matches!(inner.kind, TypeExprKind::Optional(_)) {
                    self.diags.push(
                        Diagnostic::error(
                            codes::REDUNDANT_OPTIONAL,
                            "a type can be optional only once",
                            ty.span,
                        )
                        .with_label("optional of an optional")
                        .with_help("remove the extra `?`"),
                    );
                    return inner;
                }
                TypeExprKind::Optional(Box::new(inner))
            }
            ast::TypeKind::Map(key, value) => TypeExprKind::Map(
                Box::new(self.lower_type_at(key, Site::MapKey)),
                Box::new(self.lower_type_at(value, Site::MapValue)),
            ),
            ast::TypeKind::Generic(path, args) => {
                self.report_generic(path, args, ty.span);
                TypeExprKind::Invalid
            }
        };
        TypeExpr {
            kind,
            span: ty.span,
        }
    }

    fn lower_named(&mut self, path: &ast::Path<'_>) -> TypeExprKind {
        if let Some(segment) = path.single() {
            if let Some(primitive) = primitive_named(segment.name) {
                return TypeExprKind::Primitive(primitive);
            }
            match segment.name {
                "void" => {
                    self.diags.push(
                        Diagnostic::error(
                            codes::MISPLACED_VOID,
                            "`void` can only be the result of a method, as `Promise<void>`",
                            path.span,
                        )
                        .with_label("`void` not allowed here")
                        .with_help("for a value that may be absent, write an optional type `T?`"),
                    );
                    return TypeExprKind::Invalid;
                }
                "Promise" => {
                    self.report_misplaced_promise(path.span, None);
                    return TypeExprKind::Invalid;
                }
                "map" => {
                    self.diags.push(
                        Diagnostic::error(
                            codes::TYPE_ARGUMENTS,
                            "`map` needs a key and a value type",
                            path.span,
                        )
                        .with_help("write `map<string, V>`"),
                    );
                    return TypeExprKind::Invalid;
                }
                _ => {}
            }
        }
        TypeExprKind::Named(PathRef::from_ast(path))
    }

    /// `AsyncIterable<...>` written at `site`, where no stream can be.
    fn report_misplaced_stream(&mut self, ty: &ast::Type<'_>, site: Site) {
        let written = self.source_text(ty.span).to_string();
        let item = match stream_args(ty) {
            Some([item]) => self.source_text(item.span).to_string(),
            _ => "T".to_string(),
        };
        let stream = format!("{STREAM}<{item}>");
        let misplaced = |label: &str, help: String| {
            Diagnostic::error(
                codes::MISPLACED_STREAM,
                format!(
                    "`{STREAM}` can only be a method's result or the type of one of its parameters"
                ),
                ty.span,
            )
            .with_label(label.to_string())
            .with_help(help)
        };
        let list = format!(
            "a stream is a method's result or parameter; for a list of values write `{item}[]`"
        );
        let diagnostic = match site {
            Site::Field => misplaced("a field cannot be a stream", list),
            Site::ArrayElement => misplaced("an array cannot hold streams", list),
            Site::MapKey | Site::MapValue => misplaced(
                "a map cannot hold streams",
                format!("a stream is a method's result or parameter; a map holds values, such as `{item}`"),
            ),
            Site::Alias => misplaced(
                "an alias cannot name a stream",
                format!("write `{stream}` at each method that streams; an alias may name the item type (`type X = {item};`)"),
            ),
            Site::Throws => misplaced(
                "an error cannot be a stream",
                "`throws` names a struct, enum or union; it ends a streaming call as a whole".to_string(),
            ),
            Site::StreamItem => misplaced(
                "the items of a stream cannot be streams",
                format!("stream the items themselves: `{stream}`"),
            ),
            Site::PromiseResult => Diagnostic::error(
                codes::PROMISED_STREAM,
                format!("`Promise` cannot wrap `{STREAM}`: a streaming result is not awaited as a whole"),
                ty.span,
            )
            .with_label("a stream inside `Promise`")
            .with_help(format!("write the result as `{written}`, without `Promise<...>`")),
            Site::NotificationParam => Diagnostic::error(
                codes::NOTIFICATION_STREAM,
                "a notification cannot have a streaming parameter",
                ty.span,
            )
            .with_label("notifications are single messages")
            .with_help(format!("send each item as its own notification, or declare a method that returns `{stream}`")),
            Site::MethodParamOrResult => Diagnostic::error(
                codes::OPTIONAL_STREAM,
                "a stream cannot be optional",
                ty.span,
            )
            .with_label("made optional by the `?` after it")
            .with_help("remove the `?`: a stream with nothing to send ends without items"),
        };
        self.diags.push(diagnostic);
    }

    fn report_misplaced_promise(&mut self, span: Span, inner: Option<&str>) {
        let help = match inner {
            Some(inner) => format!("write the type `{inner}` itself"),
            None => "write the type itself, without `Promise`".to_string(),
        };
        self.diags.push(
            Diagnostic::error(
                codes::MISPLACED_PROMISE,
                "`Promise` can only be the result type of an interface method",
                span,
            )
            .with_label("`Promise` not allowed here")
            .with_help(help),
        );
    }

    fn report_generic(&mut self, path: &ast::Path<'_>, args: &[ast::Type<'_>], span: Span) {
        let name = path.text;
        let arg_text: Vec<String> = args
            .iter()
            .map(|a| self.source_text(a.span).to_string())
            .collect();
        if name == "Promise" {
            let inner = (args.len() == 1).then(|| arg_text[0].clone());
            self.report_misplaced_promise(span, inner.as_deref());
            return;
        }
        if name == "map" {
            self.diags.push(
                Diagnostic::error(
                    codes::TYPE_ARGUMENTS,
                    format!("`map` takes two type arguments, found {}", args.len()),
                    span,
                )
                .with_help("write `map<K, V>`"),
            );
            return;
        }
        if path.segment_count() == 1 && primitive_named(name).is_some() {
            self.diags.push(
                Diagnostic::error(
                    codes::TYPE_ARGUMENTS,
                    format!("`{name}` takes no type arguments"),
                    span,
                )
                .with_help(format!("write `{name}`")),
            );
            return;
        }
        let help = match (name, arg_text.as_slice()) {
            ("Array" | "List" | "Vec" | "ReadonlyArray" | "Set", [element]) => {
                format!("write an array as `{element}[]`")
            }
            ("Map" | "Record" | "HashMap" | "BTreeMap" | "Dictionary", [key, value]) => {
                format!("write a map as `map<{key}, {value}>`")
            }
            ("Option" | "Optional" | "Maybe" | "Nullable", [inner]) => {
                format!("write an optional as `{inner}?`")
            }
            _ => "the only generic types are `map<K, V>`, `Promise<T>` (a method's result) and `AsyncIterable<T>` (a method's result or parameter); arrays are `T[]`, optionals `T?`".to_string(),
        };
        self.diags.push(
            Diagnostic::error(
                codes::UNKNOWN_GENERIC,
                format!("unknown generic type `{name}`"),
                span,
            )
            .with_label("generic types cannot be declared")
            .with_help(help),
        );
    }

    fn lower_literal(&mut self, literal: &ast::Literal) -> Option<ConstValue> {
        match literal {
            ast::Literal::String(value, _) => Some(ConstValue::String(value.clone())),
            ast::Literal::Bool(value, _) => Some(ConstValue::Bool(*value)),
            ast::Literal::Float(value, span) => {
                if value.is_finite() {
                    Some(ConstValue::Float(*value))
                } else {
                    self.diags.push(
                        Diagnostic::error(
                            codes::CONST_OUT_OF_RANGE,
                            "float constant is out of range",
                            *span,
                        )
                        .with_label("does not fit in an f64")
                        .with_help("floats go up to about 1.8e308"),
                    );
                    None
                }
            }
            ast::Literal::Integer(written, span) => {
                match parse_integer(written) {
                    Some(value) => Some(ConstValue::Integer(value)),
                    None => {
                        self.diags.push(
                        Diagnostic::error(
                            codes::CONST_OUT_OF_RANGE,
                            format!("integer constant `{written}` is out of range"),
                            *span,
                        )
                        .with_label("does not fit in an i64")
                        .with_help("integer constants go from -9223372036854775808 to 9223372036854775807"),
                    );
                        None
                    }
                }
            }
        }
    }
}

fn is_single(path: &ast::Path<'_>, name: &str) -> bool {
    path.single().is_some_and(|segment| segment.name == name)
}

fn docs(leading: &ast::Leading<'_>) -> Vec<String> {
    leading.docs.iter().map(|line| line.to_string()).collect()
}

/// Parses an integer literal as written: optional sign, decimal or `0x`/`0o`/`0b`, `_` allowed.
fn parse_integer(written: &str) -> Option<i64> {
    let cleaned: String = written.chars().filter(|c| *c != '_').collect();
    let (negative, digits) = match cleaned.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, cleaned.strip_prefix('+').unwrap_or(&cleaned)),
    };
    let (radix, digits) = match digits.get(..2) {
        Some("0x") | Some("0X") => (16, &digits[2..]),
        Some("0o") | Some("0O") => (8, &digits[2..]),
        Some("0b") | Some("0B") => (2, &digits[2..]),
        _ => (10, digits),
    };
    if digits.is_empty() {
        return None;
    }
    // Parsed as a magnitude in i128 so that i64::MIN (whose magnitude exceeds i64::MAX) fits.
    let magnitude = i128::from_str_radix(digits, radix).ok()?;
    let value = if negative { -magnitude } else { magnitude };
    i64::try_from(value).ok()
}

/// The Rust identifier a field, method, event or parameter becomes.
pub(crate) fn rust_member_key(name: &str) -> Cow<'_, str> {
    // Most names are already lowercase words: no conversion, no allocation.
    if is_plain_lowercase(name) && !ident::RUST_KEYWORDS.contains(&name) {
        return Cow::Borrowed(name);
    }
    Cow::Owned(ident::rust_ident(&ident::snake_case(name)))
}

/// The Rust identifier an enum or union variant becomes.
pub(crate) fn rust_variant_key(name: &str) -> Cow<'_, str> {
    Cow::Owned(ident::rust_ident(&ident::pascal_case(&ident::snake_case(
        name,
    ))))
}

/// The TypeScript binding a parameter becomes.
pub(crate) fn ts_binding_key(name: &str) -> Cow<'_, str> {
    if ident::TS_RESERVED.contains(&name) {
        Cow::Owned(ident::ts_ident(name))
    } else {
        Cow::Borrowed(name)
    }
}

fn is_plain_lowercase(name: &str) -> bool {
    name.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// A conversion of a member name into a target language's identifier.
pub(crate) type KeyFn = for<'n> fn(&'n str) -> Cow<'n, str>;

/// Reports duplicate member names and names that collide once converted for a target language.
pub(crate) fn check_members<'n>(
    diags: &mut Vec<Diagnostic>,
    what: &str,
    container: &str,
    names: impl Iterator<Item = &'n Name>,
    conversions: &[(&str, KeyFn)],
) {
    let names: Vec<&Name> = names.collect();
    if names.len() < 2 {
        return;
    }
    // Members are usually few: comparing pairs beats hashing then. Large member lists get
    // maps, so that no input makes this quadratic.
    let large = names.len() > 32;
    let mut kept: Vec<&Name> = Vec::with_capacity(names.len());
    let mut keys: Vec<Vec<Cow<'_, str>>> = vec![Vec::with_capacity(names.len()); conversions.len()];
    let mut exact_index: FastHashMap<&str, usize> = FastHashMap::default();
    let mut key_index: Vec<FastHashMap<Cow<'_, str>, usize>> =
        vec![FastHashMap::default(); conversions.len()];
    'names: for name in names {
        let first_same = if large {
            exact_index.get(name.text.as_str()).map(|&i| kept[i])
        } else {
            kept.iter().find(|k| k.text == name.text).copied()
        };
        if let Some(first) = first_same {
            diags.push(
                Diagnostic::error(
                    codes::DUPLICATE_MEMBER,
                    format!("duplicate {what} `{}` in {container}", name.text),
                    name.span,
                )
                .with_label("defined again here")
                .with_secondary(first.span, "first defined here")
                .with_help(format!("rename or remove one of the two {what}s")),
            );
            continue;
        }
        let converted: Vec<Cow<'_, str>> = conversions
            .iter()
            .map(|(_, convert)| convert(&name.text))
            .collect();
        for (conversion, ((language, _), key)) in conversions.iter().zip(&converted).enumerate() {
            let clash = if large {
                key_index[conversion].get(key).copied()
            } else {
                keys[conversion].iter().position(|k| k == key)
            };
            if let Some(index) = clash {
                let first = kept[index];
                diags.push(
                    Diagnostic::error(
                        codes::MEMBER_CASE_COLLISION,
                        format!(
                            "{what}s `{}` and `{}` of {container} both become `{key}` in {language}",
                            first.text, name.text
                        ),
                        name.span,
                    )
                    .with_label(format!("becomes `{key}`"))
                    .with_secondary(first.span, format!("`{}` defined here", first.text))
                    .with_help("rename one of them"),
                );
                continue 'names;
            }
        }
        if large {
            exact_index.insert(&name.text, kept.len());
            for (index, key) in key_index.iter_mut().zip(&converted) {
                index.insert(key.clone(), kept.len());
            }
        }
        kept.push(name);
        for (seen, key) in keys.iter_mut().zip(converted) {
            seen.push(key);
        }
    }
}

/// The candidate closest to `name` by edit distance, if close enough to be a likely typo.
/// Case is ignored when measuring (`Strin` is one edit from `string`); ties go to the
/// candidate closest with case counted, then to the first in alphabetical order.
pub(crate) fn closest<'c>(
    name: &str,
    candidates: impl Iterator<Item = &'c str>,
) -> Option<&'c str> {
    let length = name.chars().count();
    let limit = (length / 3).max(1);
    let lower = name.to_lowercase();
    let mut best: Option<((usize, usize), &str)> = None;
    for candidate in candidates {
        // Cheap filter first: the length difference bounds the distance from below.
        if candidate == name || candidate.len().abs_diff(length) > limit * 4 {
            continue;
        }
        if candidate.chars().count().abs_diff(length) > limit {
            continue;
        }
        let folded = edit_distance(&lower, &candidate.to_lowercase());
        if folded > limit {
            continue;
        }
        let score = (folded, edit_distance(name, candidate));
        if best.is_none_or(|(s, c)| (score, candidate) < (s, c)) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Levenshtein distance over chars, with one reused row (O(len) memory).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_parse_within_i64() {
        assert_eq!(parse_integer("42"), Some(42));
        assert_eq!(parse_integer("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_integer("9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_integer("9223372036854775808"), None);
        assert_eq!(parse_integer("0xff"), Some(255));
        assert_eq!(parse_integer("1_000"), Some(1000));
        assert_eq!(parse_integer("-"), None);
        assert_eq!(
            parse_integer("99999999999999999999999999999999999999999"),
            None
        );
    }

    #[test]
    fn closest_finds_typos() {
        let names = ["Person", "Mood", "Shape"];
        assert_eq!(closest("Persn", names.iter().copied()), Some("Person"));
        assert_eq!(closest("person", names.iter().copied()), Some("Person"));
        assert_eq!(closest("Banana", names.iter().copied()), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
