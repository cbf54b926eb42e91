//! What the server answers: hover, definition, references, rename, symbols, completion and
//! formatting, each from the analysis index of the checks that read the file.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use lsp_server::{ErrorCode, Message, Notification};
use lsp_types::notification::Notification as _;
use lsp_types::*;
use serde_json::Value;

use crate::analysis::{Analysis, FileIndex, Hit, RefKind, SymbolKind as Kind, SymbolRef};
use crate::diagnostics::{Severity, SourceId, Span};
use crate::ir::loader::display_path;
use crate::lsp::convert::{LineIndex, Lines};
use crate::lsp::server::{error, log, path_of, Answer, Server};

/// What the server can do.
pub(crate) fn initialize_result() -> InitializeResult {
    InitializeResult {
        capabilities: ServerCapabilities {
            position_encoding: Some(PositionEncodingKind::UTF16),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    ..Default::default()
                },
            )),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            definition_provider: Some(OneOf::Left(true)),
            references_provider: Some(OneOf::Left(true)),
            rename_provider: Some(OneOf::Right(RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: Default::default(),
            })),
            document_symbol_provider: Some(OneOf::Left(true)),
            workspace_symbol_provider: Some(OneOf::Left(true)),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(vec![".".into(), "@".into(), ":".into(), "<".into()]),
                ..Default::default()
            }),
            document_formatting_provider: Some(OneOf::Left(true)),
            ..Default::default()
        },
        server_info: Some(ServerInfo {
            name: "ipcc".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    }
}

fn to_value<T: serde::Serialize>(value: T) -> Answer {
    serde_json::to_value(value).map_err(|e| error(ErrorCode::InternalError, e.to_string()))
}

/// The analysis of a document position: which analysis, which source, which byte offset.
struct At<'s> {
    analysis: &'s Analysis,
    source: SourceId,
    offset: u32,
}

fn at<'s>(server: &'s Server, position: &TextDocumentPositionParams) -> Option<At<'s>> {
    let path = path_of(&position.text_document.uri)?;
    let (analysis, source) = server.analyses_of(&path).into_iter().next()?;
    let index = LineIndex::new(analysis.checked.sources.text(source));
    let offset = index.offset(position.position) as u32;
    Some(At {
        analysis,
        source,
        offset,
    })
}

/// A symbol identified across checks: its file and where its name starts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct SymbolKey {
    path: String,
    start: u32,
}

fn key_of(analysis: &Analysis, at: SymbolRef) -> Option<SymbolKey> {
    let symbol = analysis.symbol(at)?;
    Some(SymbolKey {
        path: analysis.checked.sources.path(at.source).to_string(),
        start: symbol.name_span.start,
    })
}

fn find_key(analysis: &Analysis, key: &SymbolKey) -> Option<SymbolRef> {
    let source = analysis.source_of(&key.path)?;
    let file = analysis.file(source)?;
    let symbol = file
        .symbols
        .iter()
        .position(|s| s.name_span.start == key.start)?;
    Some(SymbolRef { source, symbol })
}

// ---------------------------------------------------------------------------------------------
// Hover
// ---------------------------------------------------------------------------------------------

pub(crate) fn hover(server: &mut Server, params: HoverParams) -> Answer {
    let Some(at) = at(server, &params.text_document_position_params) else {
        return Ok(Value::Null);
    };
    let analysis = at.analysis;
    let Some(hit) = analysis.hit(at.source, at.offset) else {
        return Ok(Value::Null);
    };
    let file = analysis.file(at.source).expect("hit in an indexed file");
    let (markdown, span) = match hit {
        Hit::Reference {
            index,
            in_qualifier,
        } => {
            let reference = &file.references[index];
            if reference.kind == RefKind::Primitive {
                let name = analysis.text(reference.span);
                (primitive_hover(name), reference.span)
            } else if in_qualifier {
                let text = analysis.text(reference.span);
                let package = text.rsplit_once('.').map_or(text, |(p, _)| p);
                (format!("package `{package}`"), reference.span)
            } else {
                match reference.target {
                    Some(target) => (symbol_hover(analysis, target), reference.span),
                    None => return Ok(Value::Null),
                }
            }
        }
        Hit::Symbol(symbol) => {
            let span = analysis
                .symbol(symbol)
                .map(|s| s.name_span)
                .unwrap_or_default_span(at.source);
            (symbol_hover(analysis, symbol), span)
        }
        Hit::Import(index) => {
            let import = &file.imports[index];
            let shown = match import.target {
                Some(target) => format!("`{}`", analysis.checked.sources.path(target)),
                None => "a file that cannot be read".to_string(),
            };
            let docs = import.target.and_then(|target| analysis.file(target));
            (
                with_file_docs(format!("import of {shown}"), docs),
                import.span,
            )
        }
        Hit::Package => {
            let span = file.package.unwrap_or_default_span(at.source);
            (
                with_file_docs(format!("package `{}`", analysis.text(span)), Some(file)),
                span,
            )
        }
    };
    let range = Lines::new(analysis).range(span);
    to_value(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown,
        }),
        range,
    })
}

/// A hover's first line, then the `//!` docs of `file` (the file an import names, or the one
/// whose package name is hovered), when it has any.
fn with_file_docs(mut markdown: String, file: Option<&FileIndex>) -> String {
    if let Some(file) = file.filter(|f| !f.docs.is_empty()) {
        markdown.push_str("\n\n");
        markdown.push_str(&file.docs.join("\n"));
    }
    markdown
}

trait OrDefaultSpan {
    fn unwrap_or_default_span(self, source: SourceId) -> Span;
}

impl OrDefaultSpan for Option<Span> {
    fn unwrap_or_default_span(self, source: SourceId) -> Span {
        self.unwrap_or(Span::new(source, 0, 0))
    }
}

/// A declaration's or member's hover: its text as written, what it is, its docs.
fn symbol_hover(analysis: &Analysis, at: SymbolRef) -> String {
    let Some(symbol) = analysis.symbol(at) else {
        return String::new();
    };
    let file = analysis.file(at.source).expect("symbol of an indexed file");
    let mut out = String::new();
    let signature = match symbol.kind {
        // A parameter's span is `name: T`; a member's is its whole text.
        _ if symbol.kind.is_declaration() => analysis.signature(at, 12),
        _ => analysis.signature(at, 6),
    };
    out.push_str("```ipc\n");
    out.push_str(&signature);
    out.push_str("\n```\n");
    let qualified = analysis.qualified_name(at);
    let owner = symbol
        .parent
        .and_then(|p| file.symbols.get(p))
        .map(|p| format!(" of {} `{}`", p.kind.describe(), p.name))
        .unwrap_or_default();
    out.push_str(&format!(
        "\n{} `{qualified}`{owner}",
        symbol.kind.describe()
    ));
    if let Some(ty) = symbol.ty {
        if matches!(symbol.kind, Kind::Field | Kind::Param) {
            out.push_str(&format!(", type `{}`", analysis.text(ty)));
        }
    }
    out.push('\n');
    if let Some(message) = &symbol.deprecated {
        if message.is_empty() {
            out.push_str("\n*deprecated*\n");
        } else {
            out.push_str(&format!("\n*deprecated*: {message}\n"));
        }
    }
    if !symbol.docs.is_empty() {
        out.push('\n');
        out.push_str(&symbol.docs.join("\n"));
        out.push('\n');
    }
    out
}

/// A built-in type: what it is in Rust, in TypeScript and on the wire (DESIGN §4,
/// docs/language.md).
fn primitive_hover(name: &str) -> String {
    let (rust, ts, wire) = match name {
        "bool" | "boolean" => ("bool", "boolean", "`true` / `false`"),
        "i8" | "i16" | "i32" | "u8" | "u16" | "u32" => {
            (name, "number", "a number; out of range is a decode error")
        }
        "i64" | "u64" => (
            name,
            "bigint",
            "a decimal string (exact: JSON numbers lose precision past 2^53)",
        ),
        "f32" => ("f32", "number", "a number; NaN and ±Infinity as strings"),
        "f64" | "number" => ("f64", "number", "a number; NaN and ±Infinity as strings"),
        "string" => ("String", "string", "a string"),
        "bytes" => ("Vec<u8>", "Uint8Array", "a base64 string"),
        "void" => ("()", "void", "`null`"),
        "Promise" => {
            return "`Promise<T>`: the result of an interface method; the Rust handler returns \
                    `T` from a future, the TypeScript client a `Promise<T>`"
                .to_string()
        }
        "AsyncIterable" => {
            return "`AsyncIterable<T>`: a stream of `T`, as a method's result (the backend sends \
                    items) or as one of its parameters (the frontend sends items); \
                    `ipcc gen` cannot generate streaming methods yet"
                .to_string()
        }
        _ => return format!("built-in type `{name}`"),
    };
    let alias = match name {
        "boolean" => " (the same as `bool`)",
        "number" => " (the same as `f64`)",
        _ => "",
    };
    format!(
        "```ipc\n{name}\n```\nbuilt-in type{alias}\n\n| Rust | TypeScript | wire (JSON) |\n| --- | --- | --- |\n| `{rust}` | `{ts}` | {wire} |\n"
    )
}

// ---------------------------------------------------------------------------------------------
// Definition and references
// ---------------------------------------------------------------------------------------------

pub(crate) fn definition(server: &mut Server, params: GotoDefinitionParams) -> Answer {
    let Some(at) = at(server, &params.text_document_position_params) else {
        return Ok(Value::Null);
    };
    let analysis = at.analysis;
    let Some(hit) = analysis.hit(at.source, at.offset) else {
        return Ok(Value::Null);
    };
    let file = analysis.file(at.source).expect("hit in an indexed file");
    let span = match hit {
        Hit::Symbol(symbol) => analysis.symbol(symbol).map(|s| s.name_span),
        Hit::Reference {
            index,
            in_qualifier,
        } => {
            let target = file.references[index].target;
            match (target, in_qualifier) {
                (Some(target), false) => analysis.symbol(target).map(|s| s.name_span),
                // The package part: the target file's `package` line.
                (Some(target), true) => analysis.file(target.source).and_then(|f| f.package),
                (None, _) => None,
            }
        }
        Hit::Import(index) => file.imports[index]
            .target
            .map(|target| Span::new(target, 0, 0)),
        Hit::Package => file.package,
    };
    let Some(location) = span.and_then(|span| Lines::new(analysis).location(span)) else {
        return Ok(Value::Null);
    };
    to_value(GotoDefinitionResponse::Scalar(location))
}

/// Every place that names the symbol at a position, in every check that read its file: the
/// declaration (when asked) and every reference, each once.
fn occurrences(
    server: &Server,
    at: &At<'_>,
    include_declaration: bool,
) -> Option<(SymbolKey, Vec<Location>)> {
    let hit = at.analysis.hit(at.source, at.offset)?;
    let symbol = at.analysis.symbol_at(at.source, hit)?;
    let key = key_of(at.analysis, symbol)?;
    let mut seen: HashSet<(String, u32)> = HashSet::new();
    let mut locations = Vec::new();
    for analysis in server.analyses() {
        let Some(target) = find_key(analysis, &key) else {
            continue;
        };
        let mut lines = Lines::new(analysis);
        let mut spans = Vec::new();
        if include_declaration {
            spans.extend(analysis.symbol(target).map(|s| s.name_span));
        }
        spans.extend(analysis.references_to(target));
        for span in spans {
            let path = analysis.checked.sources.path(span.source).to_string();
            if seen.insert((path, span.start)) {
                locations.extend(lines.location(span));
            }
        }
    }
    Some((key, locations))
}

pub(crate) fn references(server: &mut Server, params: ReferenceParams) -> Answer {
    let Some(at) = at(server, &params.text_document_position) else {
        return Ok(Value::Null);
    };
    match occurrences(server, &at, params.context.include_declaration) {
        Some((_, locations)) => to_value(locations),
        None => Ok(Value::Null),
    }
}

// ---------------------------------------------------------------------------------------------
// Rename
// ---------------------------------------------------------------------------------------------

pub(crate) fn prepare_rename(server: &mut Server, params: TextDocumentPositionParams) -> Answer {
    let Some(at) = at(server, &params) else {
        return Ok(Value::Null);
    };
    let analysis = at.analysis;
    let Some(hit) = analysis.hit(at.source, at.offset) else {
        return Err(error(
            ErrorCode::RequestFailed,
            "there is no name to rename here",
        ));
    };
    let file = analysis.file(at.source).expect("hit in an indexed file");
    let span = match hit {
        Hit::Symbol(symbol) => analysis.symbol(symbol).map(|s| s.name_span),
        Hit::Reference {
            index,
            in_qualifier: false,
        } => {
            let reference = &file.references[index];
            match (reference.kind, reference.target) {
                (RefKind::Primitive, _) => {
                    return Err(error(
                        ErrorCode::RequestFailed,
                        format!(
                            "`{}` is a built-in type and cannot be renamed",
                            analysis.text(reference.span)
                        ),
                    ))
                }
                (_, Some(_)) => Some(analysis.reference_name_span(reference)),
                (_, None) => {
                    return Err(error(
                        ErrorCode::RequestFailed,
                        format!(
                            "`{}` does not name a declaration",
                            analysis.text(reference.span)
                        ),
                    ))
                }
            }
        }
        _ => {
            return Err(error(
                ErrorCode::RequestFailed,
                "only declarations and members can be renamed (not packages or imports)",
            ))
        }
    };
    let Some(span) = span else {
        return Ok(Value::Null);
    };
    let Some(range) = Lines::new(analysis).range(span) else {
        return Ok(Value::Null);
    };
    to_value(PrepareRenameResponse::RangeWithPlaceholder {
        range,
        placeholder: analysis.text(span).to_string(),
    })
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

pub(crate) fn rename(server: &mut Server, params: RenameParams, out: &mut Vec<Message>) -> Answer {
    let Some(at) = at(server, &params.text_document_position) else {
        return Ok(Value::Null);
    };
    let new_name = params.new_name.as_str();
    let Some(hit) = at.analysis.hit(at.source, at.offset) else {
        return Err(error(
            ErrorCode::RequestFailed,
            "there is no name to rename here",
        ));
    };
    let Some(symbol_ref) = at.analysis.symbol_at(at.source, hit) else {
        return Err(error(
            ErrorCode::RequestFailed,
            "only declarations and members can be renamed (not built-in types, packages or imports)",
        ));
    };
    let symbol = at
        .analysis
        .symbol(symbol_ref)
        .expect("symbol of a hit")
        .clone();
    if !is_identifier(new_name) {
        return Err(error(
            ErrorCode::InvalidParams,
            format!(
                "`{new_name}` is not an identifier (a letter or `_`, then letters, digits or `_`)"
            ),
        ));
    }
    if symbol.kind.is_declaration() {
        if crate::syntax::lexer::KEYWORDS.contains(&new_name) {
            return Err(error(
                ErrorCode::InvalidParams,
                format!(
                    "`{new_name}` is a keyword and cannot name a {}",
                    symbol.kind.describe()
                ),
            ));
        }
        if crate::ir::lowering::BUILTIN_TYPE_NAMES.contains(&new_name) {
            return Err(error(
                ErrorCode::InvalidParams,
                format!(
                    "`{new_name}` is a built-in type and cannot name a {}",
                    symbol.kind.describe()
                ),
            ));
        }
    }
    if new_name == symbol.name {
        return to_value(WorkspaceEdit::default());
    }
    let Some((_, locations)) = occurrences(server, &at, true) else {
        return Ok(Value::Null);
    };
    let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
    for location in &locations {
        changes
            .entry(location.uri.clone())
            .or_default()
            .push(TextEdit {
                range: location.range,
                new_text: new_name.to_string(),
            });
    }
    if let Some(refusal) = trial(server, &changes) {
        return Err(error(
            ErrorCode::RequestFailed,
            format!("cannot rename `{}` to `{new_name}`: {refusal}", symbol.name),
        ));
    }
    let what = symbol.kind.describe();
    let advice = if symbol.kind.is_wire_name() {
        Some((
            MessageType::WARNING,
            format!(
                "Renaming {what} `{}` to `{new_name}` changes a name that travels on the wire: peers built from the old contract break (`ipcc compat` reports it as wire-breaking; give the channel a new version).",
                symbol.name
            ),
        ))
    } else if matches!(symbol.kind, Kind::Param) {
        None
    } else {
        Some((
            MessageType::INFO,
            format!(
                "Renaming {what} `{}` to `{new_name}` changes the generated code's names (source-breaking), not the wire.",
                symbol.name
            ),
        ))
    };
    if let Some((typ, message)) = advice {
        out.push(Message::Notification(Notification::new(
            notification::ShowMessage::METHOD.to_string(),
            ShowMessageParams { typ, message },
        )));
    }
    to_value(WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    })
}

/// Applies the edits to copies of the files and checks every unit that reads one of them
/// again; the first error the rename would add (a name taken in its scope, two names that
/// become one in Rust, ...) refuses it. The compiler's own rules decide, so no collision rule
/// is written twice.
fn trial(server: &Server, changes: &HashMap<Url, Vec<TextEdit>>) -> Option<String> {
    let mut overrides: HashMap<PathBuf, String> = HashMap::new();
    for (uri, edits) in changes {
        let path = path_of(uri)?;
        let text = match server.documents.get(&path) {
            Some(document) => document.text.clone(),
            None => std::fs::read_to_string(&path).ok()?,
        };
        let index = LineIndex::new(&text);
        let mut ranges: Vec<(usize, usize, &str)> = edits
            .iter()
            .map(|e| {
                (
                    index.offset(e.range.start),
                    index.offset(e.range.end),
                    e.new_text.as_str(),
                )
            })
            .collect();
        ranges.sort_by_key(|r| std::cmp::Reverse(r.0));
        let mut edited = text.clone();
        for (start, end, new_text) in ranges {
            edited.replace_range(start..end.max(start), new_text);
        }
        overrides.insert(path, edited);
    }
    for unit in &server.units {
        let Some(before) = &unit.analysis else {
            continue;
        };
        if !overrides.keys().any(|path| unit.files.contains(path)) {
            continue;
        }
        let mut loader = server.documents.loader();
        loader.overrides = Some(&overrides);
        let after = crate::check_with(&unit.roots, &mut loader);
        let errors_before: Vec<(&str, Option<u32>)> = before
            .checked
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| (d.code, d.span.map(|s| s.source.0)))
            .collect();
        let mut remaining = errors_before.clone();
        for diagnostic in after
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
        {
            let key = (diagnostic.code, diagnostic.span.map(|s| s.source.0));
            match remaining.iter().position(|k| *k == key) {
                Some(i) => {
                    remaining.remove(i);
                }
                None => {
                    let location = diagnostic
                        .span
                        .map(|s| {
                            let (line, column) = after.sources.line_col(s.source, s.start);
                            format!(" ({}:{line}:{column})", after.sources.path(s.source))
                        })
                        .unwrap_or_default();
                    return Some(format!(
                        "error[{}]: {}{location}",
                        diagnostic.code, diagnostic.message
                    ));
                }
            }
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Symbols
// ---------------------------------------------------------------------------------------------

fn lsp_kind(kind: Kind) -> lsp_types::SymbolKind {
    use lsp_types::SymbolKind as K;
    match kind {
        Kind::Const => K::CONSTANT,
        Kind::Struct => K::STRUCT,
        Kind::Enum => K::ENUM,
        Kind::Union => K::ENUM,
        Kind::Alias => K::TYPE_PARAMETER,
        Kind::Interface => K::INTERFACE,
        Kind::Notifications => K::INTERFACE,
        Kind::Field => K::FIELD,
        Kind::EnumVariant => K::ENUM_MEMBER,
        Kind::UnionVariant => K::ENUM_MEMBER,
        Kind::Method => K::METHOD,
        Kind::Event => K::EVENT,
        Kind::Param => K::VARIABLE,
    }
}

pub(crate) fn document_symbols(server: &mut Server, params: DocumentSymbolParams) -> Answer {
    let Some(path) = path_of(&params.text_document.uri) else {
        return Ok(Value::Null);
    };
    let Some((analysis, source)) = server.analyses_of(&path).into_iter().next() else {
        return Ok(Value::Null);
    };
    let file = analysis.file(source).expect("source of an analysis");
    let index = LineIndex::new(analysis.checked.sources.text(source));
    // Built bottom-up: members come after their parent, so walking backwards finishes every
    // child before its parent takes it.
    let mut built: Vec<Option<DocumentSymbol>> = Vec::with_capacity(file.symbols.len());
    for symbol in &file.symbols {
        let selection_range = index.range(symbol.name_span);
        let mut range = index.range(symbol.span);
        if range.start > selection_range.start || range.end < selection_range.end {
            range = selection_range;
        }
        #[allow(deprecated)]
        built.push(Some(DocumentSymbol {
            name: symbol.name.clone(),
            detail: symbol.ty.map(|ty| analysis.text(ty).to_string()),
            kind: lsp_kind(symbol.kind),
            tags: symbol
                .deprecated
                .is_some()
                .then(|| vec![SymbolTag::DEPRECATED]),
            deprecated: None,
            range,
            selection_range,
            children: None,
        }));
    }
    let mut roots = Vec::new();
    for index in (0..file.symbols.len()).rev() {
        let Some(symbol) = built[index].take() else {
            continue;
        };
        match file.symbols[index].parent {
            Some(parent) if parent < index => {
                if let Some(Some(parent)) = built.get_mut(parent) {
                    parent
                        .children
                        .get_or_insert_with(Vec::new)
                        .insert(0, symbol);
                }
            }
            _ => roots.push(symbol),
        }
    }
    roots.reverse();
    to_value(DocumentSymbolResponse::Nested(roots))
}

/// How many symbols a workspace search answers at most.
const WORKSPACE_SYMBOL_LIMIT: usize = 1_000;

pub(crate) fn workspace_symbols(server: &mut Server, params: WorkspaceSymbolParams) -> Answer {
    let query = params.query.to_lowercase();
    let mut seen: HashSet<SymbolKey> = HashSet::new();
    let mut found: Vec<SymbolInformation> = Vec::new();
    for analysis in server.analyses() {
        let mut lines = Lines::new(analysis);
        for file in &analysis.files {
            for &index in &file.declarations {
                let at = SymbolRef {
                    source: file.source,
                    symbol: index,
                };
                let Some(symbol) = analysis.symbol(at) else {
                    continue;
                };
                if !matches_query(&symbol.name.to_lowercase(), &query) {
                    continue;
                }
                let Some(key) = key_of(analysis, at) else {
                    continue;
                };
                if !seen.insert(key) {
                    continue;
                }
                let Some(location) = lines.location(symbol.name_span) else {
                    continue;
                };
                let qualified = analysis.qualified_name(at);
                let container = qualified
                    .rsplit_once('.')
                    .map(|(package, _)| package.to_string());
                #[allow(deprecated)]
                found.push(SymbolInformation {
                    name: symbol.name.clone(),
                    kind: lsp_kind(symbol.kind),
                    tags: None,
                    deprecated: None,
                    location,
                    container_name: container,
                });
                if found.len() >= WORKSPACE_SYMBOL_LIMIT {
                    return to_value(WorkspaceSymbolResponse::Flat(found));
                }
            }
        }
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    to_value(WorkspaceSymbolResponse::Flat(found))
}

/// The query's characters in order (as editors' fuzzy pickers match); empty matches all.
fn matches_query(name: &str, query: &str) -> bool {
    let mut chars = name.chars();
    query.chars().all(|q| chars.any(|c| c == q))
}

// ---------------------------------------------------------------------------------------------
// Completion
// ---------------------------------------------------------------------------------------------

const PRIMITIVES: &[&str] = &[
    "bool", "boolean", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64",
    "number", "string", "bytes",
];

const DECLARATION_KEYWORDS: &[&str] = &[
    "package",
    "import",
    "const",
    "struct",
    "enum",
    "union",
    "type",
    "interface",
    "notifications",
];

const ATTRIBUTES: &[(&str, &str)] = &[
    (
        "channel",
        "the channel name of an interface or notifications block",
    ),
    (
        "deprecated",
        "marks a declaration or member deprecated, with an optional message",
    ),
    ("since", "the version that added a declaration or member"),
];

/// Where the cursor is, as far as completion cares.
#[derive(Debug, PartialEq)]
enum Context {
    /// After `@`.
    Attribute,
    /// In `@channel(...)`.
    ChannelConst,
    /// Where a type is written (after `:`, `<`, `throws`, `= ` of an alias, ...).
    Type,
    /// At the start of a top-level line.
    Declaration,
    None,
}

/// The context from the text before the cursor; `prefix` is the partial name being typed
/// (dots included).
fn context(text: &str, offset: usize) -> (Context, &str) {
    let before = &text[..offset];
    let prefix_start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .map_or(0, |i| i + 1);
    let prefix = &before[prefix_start..];
    let head = &before[..prefix_start];
    if head.ends_with('@') {
        return (Context::Attribute, prefix);
    }
    let line_start = head.rfind('\n').map_or(0, |i| i + 1);
    let line = &head[line_start..];
    if line.trim_end().ends_with("@channel(") {
        return (Context::ChannelConst, prefix);
    }
    let trimmed = line.trim_end();
    if trimmed.ends_with(':') || trimmed.ends_with('<') || trimmed.ends_with("throws") {
        return (Context::Type, prefix);
    }
    if trimmed.ends_with('=') && line.trim_start().starts_with("type ") {
        return (Context::Type, prefix);
    }
    // `map<K, ` and `Promise<...` : a comma inside an open `<`.
    if trimmed.ends_with(',') {
        let opens = trimmed.matches('<').count();
        let closes = trimmed.matches('>').count();
        let parens = trimmed
            .rfind('(')
            .is_some_and(|p| trimmed.rfind('<').is_some_and(|a| a > p));
        if opens > closes && (parens || !trimmed.contains('(')) {
            return (Context::Type, prefix);
        }
    }
    if line.trim().is_empty() && brace_depth(head) == 0 {
        return (Context::Declaration, prefix);
    }
    (Context::None, prefix)
}

/// How many `{` are open at the end of `text`, ignoring comments and strings (roughly: enough
/// to tell the top level from a body).
fn brace_depth(text: &str) -> usize {
    let mut depth = 0usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut star = false;
                for c in chars.by_ref() {
                    if star && c == '/' {
                        break;
                    }
                    star = c == '*';
                }
            }
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    if c == '\n' || (c == '"' && !escaped) {
                        break;
                    }
                    escaped = c == '\\' && !escaped;
                }
            }
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    depth
}

pub(crate) fn completion(server: &mut Server, params: CompletionParams) -> Answer {
    let position = &params.text_document_position;
    let Some(path) = path_of(&position.text_document.uri) else {
        return Ok(Value::Null);
    };
    // The document as the editor has it now; the index of the last check for the names.
    let text = match server.documents.get(&path) {
        Some(document) => document.text.clone(),
        None => return Ok(Value::Null),
    };
    let index = LineIndex::new(&text);
    let offset = index.offset(position.position);
    let (context, prefix) = context(&text, offset);
    let prefix_range = Range::new(
        index.position((offset - prefix.len()) as u32),
        position.position,
    );
    let item = |label: String, kind: CompletionItemKind, detail: Option<String>| CompletionItem {
        text_edit: Some(CompletionTextEdit::Edit(TextEdit {
            range: prefix_range,
            new_text: label.clone(),
        })),
        filter_text: Some(label.clone()),
        label,
        kind: Some(kind),
        detail,
        ..Default::default()
    };
    let mut items: Vec<CompletionItem> = Vec::new();
    match context {
        Context::Attribute => {
            for (name, detail) in ATTRIBUTES {
                items.push(item(
                    name.to_string(),
                    CompletionItemKind::PROPERTY,
                    Some(detail.to_string()),
                ));
            }
        }
        Context::Declaration => {
            for keyword in DECLARATION_KEYWORDS {
                items.push(item(keyword.to_string(), CompletionItemKind::KEYWORD, None));
            }
        }
        Context::Type | Context::ChannelConst => {
            let want_types = context == Context::Type;
            if want_types {
                for primitive in PRIMITIVES {
                    items.push(item(
                        primitive.to_string(),
                        CompletionItemKind::KEYWORD,
                        Some("built-in type".into()),
                    ));
                }
                items.push(item(
                    "map".into(),
                    CompletionItemKind::KEYWORD,
                    Some("map<K, V>".into()),
                ));
                items.push(item(
                    "Promise".into(),
                    CompletionItemKind::KEYWORD,
                    Some("a method's result, Promise<T>".into()),
                ));
                items.push(item(
                    "AsyncIterable".into(),
                    CompletionItemKind::KEYWORD,
                    Some("a stream, as a method's result or parameter: AsyncIterable<T>".into()),
                ));
            }
            if let Some((analysis, source)) = server.analyses_of(&path).into_iter().next() {
                names_in_scope(analysis, source, want_types, &mut |name, kind, detail| {
                    items.push(item(name, kind, Some(detail)));
                });
            }
        }
        Context::None => {}
    }
    let mut seen = HashSet::new();
    items.retain(|i| seen.insert(i.label.clone()));
    to_value(CompletionResponse::Array(items))
}

/// The declared names a file can write in a type position (or, without `types`, as a
/// `@channel` const): plain for its scope, qualified for the packages it can name.
fn names_in_scope(
    analysis: &Analysis,
    source: SourceId,
    types: bool,
    add: &mut dyn FnMut(String, CompletionItemKind, String),
) {
    let Some(file) = analysis.file(source) else {
        return;
    };
    let wanted = |kind: Kind| {
        if types {
            kind.is_type()
        } else {
            kind == Kind::Const
        }
    };
    let mut emit = |files: &[SourceId], package: Option<&str>| {
        for &other in files {
            let Some(other_file) = analysis.file(other) else {
                continue;
            };
            for &index in &other_file.declarations {
                let symbol = &other_file.symbols[index];
                if !wanted(symbol.kind) {
                    continue;
                }
                let label = match package {
                    Some(package) => format!("{package}.{}", symbol.name),
                    None => symbol.name.clone(),
                };
                let kind = match symbol.kind {
                    Kind::Struct => CompletionItemKind::STRUCT,
                    Kind::Enum | Kind::Union => CompletionItemKind::ENUM,
                    Kind::Const => CompletionItemKind::CONSTANT,
                    _ => CompletionItemKind::CLASS,
                };
                let detail = format!(
                    "{} in {}",
                    symbol.kind.describe(),
                    display_path(Path::new(analysis.checked.sources.path(other)))
                );
                add(label, kind, detail);
            }
        }
    };
    emit(&file.scope, None);
    for (package, files) in &file.packages {
        emit(files, Some(package));
    }
}

// ---------------------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------------------

pub(crate) fn formatting(server: &mut Server, params: DocumentFormattingParams) -> Answer {
    let Some(path) = path_of(&params.text_document.uri) else {
        return Ok(Value::Null);
    };
    let Some(document) = server.documents.get(&path) else {
        return Ok(Value::Null);
    };
    let text = &document.text;
    match crate::format::format_source(text) {
        Ok(formatted) if formatted == *text => to_value(Vec::<TextEdit>::new()),
        Ok(formatted) => to_value(vec![TextEdit {
            range: LineIndex::new(text).full_range(),
            new_text: formatted,
        }]),
        Err(diagnostics) => {
            // A file with syntax errors is never rewritten; its errors are on screen already.
            if let Some(d) = diagnostics.first() {
                log(&format!(
                    "not formatting `{}`: error[{}]: {}",
                    path.display(),
                    d.code,
                    d.message
                ));
            }
            to_value(Vec::<TextEdit>::new())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_contexts() {
        let cases = [
            ("struct A {\n  b: Pe", Context::Type, "Pe"),
            ("struct A {\n  b: people.", Context::Type, "people."),
            ("struct A {\n  b: map<string, ", Context::Type, ""),
            ("struct A {\n  b: u32;\n  ", Context::None, ""),
            ("interface I {\n  m(a: i32, ", Context::None, ""),
            ("interface I {\n  m(a: map<string, ", Context::Type, ""),
            (
                "interface I {\n  m(): Promise<void> throws ",
                Context::Type,
                "",
            ),
            ("@ch", Context::Attribute, "ch"),
            ("@channel(my", Context::ChannelConst, "my"),
            ("struct A {}\nst", Context::Declaration, "st"),
            ("type X = ", Context::Type, ""),
            ("// {\nstr", Context::Declaration, "str"),
        ];
        for (text, expected, prefix) in cases {
            assert_eq!(context(text, text.len()), (expected, prefix), "{text:?}");
        }
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("Person_2"));
        assert!(!is_identifier("2x"));
        assert!(!is_identifier("a-b"));
        assert!(!is_identifier(""));
        assert!(!is_identifier("é"));
    }
}
