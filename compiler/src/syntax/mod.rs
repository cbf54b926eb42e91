//! Syntax: the pest grammar and the parser that turns one file's text into the private AST.
//!
//! [`parse`] runs the grammar's `declaration` rule once per top-level declaration. When one
//! fails, the error is translated into a [`Diagnostic`] (`recovery.rs`) and parsing resumes at
//! the next declaration, so one slip does not hide the next. Every syntax code is `E00xx`
//! (see [`codes`] and docs/language.md).

pub mod ast;
pub(crate) mod lexer;
mod recovery;
mod tree;

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use pest::error::{ErrorVariant, InputLocation};
use pest::Parser;

use crate::diagnostics::{Diagnostic, SourceId, Span};
use tree::{Declaration, TreeBuilder};

/// The pest parser generated from `grammar.pest`. Public so that grammar tests can run single
/// rules; the rest of the compiler calls [`parse`].
#[derive(pest_derive::Parser)]
#[grammar = "syntax/grammar.pest"]
pub struct IpcParser;

/// The stable codes of syntax diagnostics, each documented in docs/language.md.
pub mod codes {
    /// A token other than the expected ones (`expected `;`, found `}``).
    pub const EXPECTED: &str = "E0001";
    /// A `{`, `(`, `<` or `[` that is never closed.
    pub const UNCLOSED_DELIMITER: &str = "E0002";
    /// A string literal without its closing `"` on the same line.
    pub const UNTERMINATED_STRING: &str = "E0003";
    /// A `/*` without `*/`.
    pub const UNTERMINATED_COMMENT: &str = "E0004";
    /// A character that cannot start any token (`#`, `'`, `$`, ...).
    pub const UNEXPECTED_CHARACTER: &str = "E0005";
    /// A misspelt keyword (`interfcae`), with a did-you-mean.
    pub const UNKNOWN_KEYWORD: &str = "E0006";
    /// A bad escape in a string (`\q`, `\u{D800}`).
    pub const BAD_ESCAPE: &str = "E0007";
    /// A malformed number (`01`, `1.`, `1_000`, `0x10`) or a float out of range.
    pub const BAD_NUMBER: &str = "E0008";
    /// A type nested more deeply than the parser follows.
    pub const TOO_DEEP: &str = "E0009";
    /// `package` after other declarations, or twice.
    pub const MISPLACED_PACKAGE: &str = "E0010";
    /// A `///` doc comment with nothing after it to document.
    pub const DANGLING_DOC: &str = "E0011";
    /// More syntax errors than are worth reading in one file; the rest of it is skipped.
    pub const TOO_MANY_ERRORS: &str = "E0012";
    /// A package name with a keyword, a segment that is not an identifier, or a space around
    /// a dot (`package acme.type;`, `package acme.2d;`, `package acme .people;`).
    pub const BAD_PACKAGE_NAME: &str = "E0013";
    /// A `//!` file doc comment after the file's first declaration (or doc comment).
    pub const MISPLACED_FILE_DOC: &str = "E0014";
}

/// Syntax errors reported per file before the rest of the file is skipped.
const MAX_ERRORS: usize = 100;

/// The outcome of running one grammar rule at one position.
enum Attempt<'a> {
    /// The rule matched; the pairs are relative to `start`.
    Parsed(pest::iterators::Pairs<'a, Rule>),
    /// The rule failed at `position` (absolute), expecting `positives`.
    Failed {
        position: usize,
        positives: Vec<Rule>,
    },
    /// The input was cut before an over-deep `<` at `position`, and the rule ran into it.
    TooDeep { position: usize },
}

/// The state of parsing one file: where over-deep nesting starts, and the errors so far.
struct FileParser<'a> {
    source: SourceId,
    text: &'a str,
    /// Where parsing stops: the end of `text`, or the end of one chunk of it (see
    /// [`parse_in_parallel`]).
    end: usize,
    /// Positions of `<` nested too deeply (sorted), see [`recovery::deep_nesting_positions`].
    deep: Vec<usize>,
    diagnostics: Vec<Diagnostic>,
    errors: usize,
    /// Stop at the first syntax error: set when parsing one chunk of a file in parallel, whose
    /// result is thrown away on any error (recovery could also run past the chunk's end).
    stop_at_error: bool,
}

impl<'a> FileParser<'a> {
    /// Runs `rule` on the text from `start`, cut before the next over-deep `<` so that pest
    /// never recurses past it.
    fn attempt(&self, rule: Rule, start: usize) -> Attempt<'a> {
        let next = self.deep.partition_point(|&d| d < start);
        let limit = self.deep.get(next).copied().unwrap_or(self.end);
        match IpcParser::parse(rule, &self.text[start..limit]) {
            Ok(pairs) => Attempt::Parsed(pairs),
            Err(error) => {
                let relative = match error.location {
                    InputLocation::Pos(p) => p,
                    InputLocation::Span((p, _)) => p,
                };
                let position = start + relative;
                if limit < self.end && position >= limit {
                    return Attempt::TooDeep { position: limit };
                }
                let positives = match error.variant {
                    ErrorVariant::ParsingError { positives, .. } => positives,
                    ErrorVariant::CustomError { .. } => Vec::new(),
                };
                Attempt::Failed {
                    position,
                    positives,
                }
            }
        }
    }

    /// Records an error; false once the error budget is spent (and says so, at `at`).
    fn report(&mut self, diagnostic: Diagnostic, at: usize) -> bool {
        self.diagnostics.push(diagnostic);
        self.errors += 1;
        if self.stop_at_error {
            return false;
        }
        if self.errors < MAX_ERRORS {
            return true;
        }
        self.diagnostics.push(Diagnostic::error(
            codes::TOO_MANY_ERRORS,
            "too many syntax errors; the rest of the file is not checked",
            Span::new(self.source, at, at),
        ));
        false
    }

    /// After an error inside the body of a struct, interface or notifications block, checks the
    /// body's remaining members one by one, so that every broken member is reported, not only
    /// the first. Returns where to resume top-level parsing (after the body's `}`), or `None`
    /// when the error was not inside such a body or recovery has to stop; `Err(())` when the
    /// error budget is spent.
    fn recover_members(&mut self, item_start: usize, position: usize) -> Result<Option<usize>, ()> {
        let Some(member) = recovery::body_member_rule(self.text, item_start, position) else {
            return Ok(None);
        };
        let mut end = recovery::end_of_member(self.text, position);
        loop {
            let start = match end {
                recovery::MemberEnd::Next(start) => start,
                recovery::MemberEnd::BodyClosed(after) => return Ok(Some(after)),
                recovery::MemberEnd::Stop => return Ok(None),
            };
            let token = lexer::next_token(self.text, start);
            match token.kind {
                lexer::TokenKind::Punct('}') => return Ok(Some(token.end)),
                lexer::TokenKind::Eof | lexer::TokenKind::UnterminatedComment => return Ok(None),
                lexer::TokenKind::Ident if recovery::starts_declaration(self.text, &token) => {
                    return Ok(None)
                }
                _ => {}
            }
            match self.attempt(member, token.start) {
                Attempt::Parsed(pairs) => {
                    let consumed = pairs.peek().map_or(0, |p| p.as_span().end());
                    if consumed == 0 {
                        return Ok(None);
                    }
                    end = recovery::MemberEnd::Next(token.start + consumed);
                }
                Attempt::Failed {
                    position,
                    positives,
                } => {
                    let failure = recovery::Failure {
                        item_start: token.start,
                        position,
                        positives: &positives,
                    };
                    let (diagnostic, _) = recovery::syntax_error(self.source, self.text, &failure);
                    if !self.report(diagnostic, position) {
                        return Err(());
                    }
                    end = recovery::end_of_member(self.text, position);
                }
                Attempt::TooDeep { .. } => return Ok(None),
            }
        }
    }
}

/// Parses one file.
///
/// Returns the AST and every syntax error. The AST is always present (`Some`): declarations that
/// had a syntax error are left out of it and the rest are parsed, so callers that want to avoid
/// follow-on errors should skip semantic checks of a file whose diagnostics contain an error.
/// A leading byte-order mark is ignored; CRLF line endings are accepted everywhere. Spans are
/// byte offsets into `text`.
pub fn parse(source: SourceId, text: &str) -> (Option<ast::File<'_>>, Vec<Diagnostic>) {
    let start = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let deep = recovery::deep_nesting_positions(text);
    if deep.is_empty() {
        if let Some(mut file) = parse_in_parallel(source, text, start) {
            let mut diagnostics = Vec::new();
            add_file_docs(source, text, start, &mut file, &mut diagnostics);
            return (Some(file), diagnostics);
        }
    }
    let (mut file, mut diagnostics) =
        parse_range(source, text, (start, text.len()), deep, false, None);
    add_file_docs(source, text, start, &mut file, &mut diagnostics);
    (Some(file), diagnostics)
}

/// Reads the file's `//!` doc comment into `file` and reports every `//!` after it (E0014).
///
/// The grammar reads `//!` as a plain comment, so it never changes how declarations parse (nor
/// where the parallel and reusing parsers may cut): the file's documentation is the `//!` lines
/// among the comments before its first token, and any other `//!` is found by a scan for the
/// text `//!` that runs the lexer only when the text occurs at all.
fn add_file_docs<'a>(
    source: SourceId,
    text: &'a str,
    start: usize,
    file: &mut ast::File<'a>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut pos = start;
    while let Ok(Some((kind, end))) = lexer::trivia_at(text, pos) {
        if kind == lexer::TriviaKind::LineComment {
            if let Some(line) = text[pos..end].strip_prefix("//!") {
                file.docs.push(line.strip_prefix(' ').unwrap_or(line));
            }
        }
        pos = end;
    }
    if !text[pos..].contains("//!") {
        return;
    }
    for (kind, comment) in lexer::comments(&text[pos..]) {
        if kind != lexer::CommentKind::Line || !comment.starts_with("//!") {
            continue;
        }
        let at = pos + (comment.as_ptr() as usize - text[pos..].as_ptr() as usize);
        let diagnostic = Diagnostic::error(
            codes::MISPLACED_FILE_DOC,
            "a `//!` file doc comment must come before the file's first declaration",
            Span::new(source, at, at + comment.len()),
        )
        .with_label("after a declaration")
        .with_help(
            "move it to the top of the file; to document the declaration that follows, write `///`",
        );
        // In source order among the parser's own diagnostics.
        let index =
            diagnostics.partition_point(|d| d.span.is_none_or(|s| (s.start as usize) <= at));
        diagnostics.insert(index, diagnostic);
    }
}

/// What [`parse_reusing`] skipped, and what it parsed that a later parse may skip.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Reuse {
    /// Top-level declarations left out because the caller holds their result:
    /// `(how many items of the file come before it, its range)`.
    pub skipped: Vec<(usize, Range<usize>)>,
    /// Items that filled one top-level declaration exactly and parsed without a diagnostic:
    /// `(index in the file's items, the declaration's range)`. Whatever a later stage made of
    /// such an item depends on the declaration's text alone.
    pub reusable: Vec<(usize, Range<usize>)>,
}

/// Parses one file like [`parse`], skipping each top-level declaration whose text `known`
/// accepts: an editor's re-check after a keystroke parses only what changed.
///
/// The result is exactly [`parse`]'s with the skipped items left out (see [`Reuse`] for where
/// they stand), because a declaration is skipped only where the sequential parser would start
/// one, and only when the caller vouches that this text parsed there before as one item without
/// a diagnostic: an item ends at its `}` or `;` and the grammar looks no further, so the same
/// text parses the same wherever it stands. Parsing is sequential: the work is what changed.
pub(crate) fn parse_reusing<'a>(
    source: SourceId,
    text: &'a str,
    known: &dyn Fn(&str) -> bool,
) -> (ast::File<'a>, Vec<Diagnostic>, Reuse) {
    let start = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let deep = recovery::deep_nesting_positions(text);
    // Without declaration ends (an unclosed string or comment) nothing is skipped or kept.
    let mut bounds = declaration_ends(text, start).unwrap_or_default();
    bounds.insert(0, start);
    let mut reusing = Reusing {
        bounds,
        known,
        reuse: Reuse::default(),
    };
    let (mut file, mut diagnostics) = parse_range(
        source,
        text,
        (start, text.len()),
        deep,
        false,
        Some(&mut reusing),
    );
    add_file_docs(source, text, start, &mut file, &mut diagnostics);
    (file, diagnostics, reusing.reuse)
}

/// Parses one file exactly like [`parse`] (on several threads when it is large), and lists the
/// items a later [`parse_reusing`] may skip; nothing is listed when the file has a diagnostic.
/// The first check of a document in an editor runs this: nothing is known yet.
pub(crate) fn parse_keeping(
    source: SourceId,
    text: &str,
) -> (ast::File<'_>, Vec<Diagnostic>, Reuse) {
    let (file, diagnostics) = parse(source, text);
    let file = file.unwrap_or(ast::File {
        docs: Vec::new(),
        package: None,
        imports: Vec::new(),
        items: Vec::new(),
    });
    let mut reuse = Reuse::default();
    if !diagnostics.is_empty() {
        return (file, diagnostics, reuse);
    }
    // Without a diagnostic, the sequential parser took the declarations one after the other,
    // each starting where the one before ended (at its `}` or `;`): an item's declaration runs
    // from the previous import's or item's end to its own. The item right after a `package`
    // is left out (the file keeps no end for the package declaration).
    let start = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let mut import_ends = file.imports.iter().map(|i| i.span.end as usize).peekable();
    let mut previous_end = file.package.is_none().then_some(start);
    for (index, item) in file.items.iter().enumerate() {
        let item_start = item.span.start as usize;
        while let Some(end) = import_ends.next_if(|&end| end <= item_start) {
            previous_end = Some(end);
        }
        let end = item.span.end as usize;
        if let Some(from) = previous_end {
            reuse.reusable.push((index, from..end));
        }
        previous_end = Some(end);
    }
    (file, diagnostics, reuse)
}

/// The state of [`parse_reusing`] inside [`parse_range`].
struct Reusing<'k> {
    /// `start` and every declaration end after it, ascending: each adjacent pair is one
    /// top-level declaration as the scan sees it.
    bounds: Vec<usize>,
    known: &'k dyn Fn(&str) -> bool,
    reuse: Reuse,
}

impl Reusing<'_> {
    /// The declaration starting at `pos`, if the scan found one there.
    fn declaration_at(&self, pos: usize) -> Option<Range<usize>> {
        let i = self.bounds.binary_search(&pos).ok()?;
        let end = *self.bounds.get(i + 1)?;
        Some(pos..end)
    }
}

/// Whether none of `deep` (sorted) lies in `range`: the parser cuts its input before each.
fn no_cut_in(deep: &[usize], range: &Range<usize>) -> bool {
    let next = deep.partition_point(|&d| d < range.start);
    deep.get(next).is_none_or(|&d| d >= range.end)
}

/// The grammar's pair of each top-level declaration of `text`, with the offset of the text its
/// spans count from; `None` when a declaration does not parse.
///
/// For the formatter, which needs every token that [`parse`] folds away (keywords, punctuation),
/// and calls this only after [`parse`] reported no error: the same `declaration` rule on the same
/// positions, without recovery, deep-nesting cuts (a file without errors has no over-deep
/// type) or threads.
pub(crate) fn declaration_pairs(
    text: &str,
) -> Option<Vec<(usize, pest::iterators::Pair<'_, Rule>)>> {
    let mut pos = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let mut declarations = Vec::new();
    loop {
        let pair = IpcParser::parse(Rule::declaration, &text[pos..])
            .ok()?
            .next()?;
        let is_end = pair
            .clone()
            .into_inner()
            .next()
            .is_none_or(|inner| inner.as_rule() == Rule::EOI);
        if is_end {
            return Some(declarations);
        }
        let end = pair.as_span().end();
        if end == 0 {
            return None;
        }
        declarations.push((pos, pair));
        pos += end;
    }
}

/// Inputs smaller than this are parsed on the calling thread only: starting threads costs more
/// than it saves below a few thousand declarations.
const PARALLEL_MIN_BYTES: usize = 64 * 1024;

/// How many chunks a large file is cut into per thread (see [`parse_in_parallel`]).
const CHUNKS_PER_THREAD: usize = 4;

/// Stack size of the parsing threads: that of a process's main thread on Linux.
const WORKER_STACK_BYTES: usize = 8 << 20;

/// Parses a large file in chunks on several threads, or returns `None` when it cannot vouch for
/// the outcome being exactly the sequential one; the caller then parses sequentially.
///
/// The chunks are cut where a top-level declaration ends (see [`declaration_ends`]). The
/// sequential parser starts each declaration where the previous one ended, so parsing a chunk
/// from its first byte gives the same declarations as the sequential pass does there. Any
/// diagnostic in any chunk (a syntax error, a bad escape, a `package` after the first chunk)
/// abandons the parallel result, so every message, its order and the error budget stay those
/// of the sequential pass; a chunk boundary that the scan misplaced (which would make some
/// chunk fail) costs time, never a different result.
fn parse_in_parallel<'a>(source: SourceId, text: &'a str, start: usize) -> Option<ast::File<'a>> {
    if text.len() < PARALLEL_MIN_BYTES {
        return None;
    }
    let threads = crate::parallel::available_threads();
    if threads < 2 {
        return None;
    }
    // Several chunks per thread, taken in turn: declarations differ in cost (an interface costs
    // more per byte than a struct), so equal byte ranges would leave one thread waiting.
    let bounds = chunk_bounds(text, start, threads * CHUNKS_PER_THREAD)?;
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let work = || {
        let mut parsed = Vec::new();
        while !failed.load(Ordering::Relaxed) {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(&range) = bounds.get(index) else {
                break;
            };
            let (file, diagnostics) = parse_range(source, text, range, Vec::new(), true, None);
            if !diagnostics.is_empty() {
                failed.store(true, Ordering::Relaxed);
                break;
            }
            parsed.push((index, file));
        }
        parsed
    };
    let mut chunks: Vec<Option<ast::File<'a>>> =
        std::iter::repeat_with(|| None).take(bounds.len()).collect();
    std::thread::scope(|scope| {
        // The main thread's stack size, so a chunk may nest as deeply as a sequential parse.
        let handles: Vec<_> = (1..threads)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .stack_size(WORKER_STACK_BYTES)
                    .spawn_scoped(scope, work)
                    .ok()
            })
            .collect();
        let mut parsed = work();
        for handle in handles {
            // A thread that panicked leaves its chunks empty: the sequential pass then runs.
            parsed.extend(handle.join().unwrap_or_default());
        }
        for (index, file) in parsed {
            chunks[index] = Some(file);
        }
    });
    if failed.into_inner() {
        return None;
    }
    let mut chunks = chunks.into_iter();
    let mut file = chunks.next()??;
    for chunk in chunks {
        let chunk = chunk?;
        // In the sequential pass a `package` after the first declaration is an error.
        if chunk.package.is_some() {
            return None;
        }
        file.imports.extend(chunk.imports);
        file.items.extend(chunk.items);
    }
    Some(file)
}

/// Splits `text[start..]` into at most `parts` ranges of similar size that each begin where a
/// top-level declaration ends; `None` when the text does not split (few declarations, or a
/// string or comment the scan cannot close).
fn chunk_bounds(text: &str, start: usize, parts: usize) -> Option<Vec<(usize, usize)>> {
    let ends = declaration_ends(text, start)?;
    let mut bounds = Vec::with_capacity(parts);
    let mut chunk_start = start;
    for part in 1..parts {
        let target = start + (text.len() - start) * part / parts;
        // The first declaration end at or after the target.
        let i = ends.partition_point(|&e| e < target);
        let Some(&cut) = ends.get(i) else { break };
        if cut > chunk_start && cut < text.len() {
            bounds.push((chunk_start, cut));
            chunk_start = cut;
        }
    }
    if bounds.is_empty() {
        return None;
    }
    bounds.push((chunk_start, text.len()));
    Some(bounds)
}

/// Where top-level declarations end in `text[start..]`: the positions just after each `;` or `}`
/// outside braces, strings and comments, as the grammar reads them (a string runs to an
/// unescaped `"` on the same line; `//` and `///` run to the end of the line; `/* */` does not
/// nest). `None` when a string or block comment is not closed or a `}` has no `{`: such text
/// has errors, which the sequential pass reports.
fn declaration_ends(text: &str, start: usize) -> Option<Vec<usize>> {
    let bytes = text.as_bytes();
    let mut ends = Vec::new();
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                loop {
                    match bytes.get(i)? {
                        b'"' => break,
                        b'\\' => i += 2,
                        b'\n' | b'\r' => return None,
                        _ => i += 1,
                    }
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let close = text.get(i + 2..)?.find("*/")?;
                i += 2 + close + 2;
                continue;
            }
            b'{' => depth += 1,
            b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    ends.push(i + 1);
                }
            }
            b';' if depth == 0 => ends.push(i + 1),
            _ => {}
        }
        i += 1;
    }
    Some(ends)
}

/// Parses the declarations in `text[start..end]` one by one; `end` is either the end of `text`
/// or where a top-level declaration ends. `deep` is [`recovery::deep_nesting_positions`] of
/// `text`; `stop_at_error` ends parsing at the first syntax error instead of recovering.
fn parse_range<'a>(
    source: SourceId,
    text: &'a str,
    (start, end): (usize, usize),
    deep: Vec<usize>,
    stop_at_error: bool,
    mut reusing: Option<&mut Reusing<'_>>,
) -> (ast::File<'a>, Vec<Diagnostic>) {
    let mut parser = FileParser {
        source,
        text,
        end,
        deep,
        diagnostics: Vec::new(),
        errors: 0,
        stop_at_error,
    };
    let mut file = ast::File {
        docs: Vec::new(),
        package: None,
        imports: Vec::new(),
        items: Vec::new(),
    };
    let mut package_span: Option<Span> = None;
    let mut seen_declaration = false;
    let mut pos = start;

    while pos <= end {
        // The declaration the scan found here, if it may be skipped or kept (see `Reusing`).
        let declaration = reusing.as_deref().and_then(|r| {
            r.declaration_at(pos)
                .filter(|range| range.end <= end && no_cut_in(&parser.deep, range))
        });
        if let (Some(r), Some(range)) = (reusing.as_deref_mut(), &declaration) {
            if (r.known)(&text[range.clone()]) {
                r.reuse.skipped.push((file.items.len(), range.clone()));
                seen_declaration = true;
                pos = range.end;
                continue;
            }
        }
        let diagnostics_before = parser.diagnostics.len();
        match parser.attempt(Rule::declaration, pos) {
            Attempt::Parsed(mut pairs) => {
                let Some(pair) = pairs.next() else { break };
                let end = pos + pair.as_span().end();
                let mut builder = TreeBuilder {
                    source,
                    base: pos,
                    diagnostics: &mut parser.diagnostics,
                };
                match builder.build_declaration(pair) {
                    Declaration::End => {
                        // The end of the input, or of a slice cut before an over-deep `<`.
                        let next = parser.deep.partition_point(|&d| d < pos);
                        let Some(&cut) = parser.deep.get(next) else {
                            break;
                        };
                        if !parser.report(recovery::too_deep(source, cut), cut) {
                            break;
                        }
                        pos = recovery::resume_point(text, pos, cut);
                        continue;
                    }
                    Declaration::Package(name, span) => {
                        if let Some(first) = package_span {
                            parser.diagnostics.push(
                                Diagnostic::error(
                                    codes::MISPLACED_PACKAGE,
                                    "a file has at most one `package` declaration",
                                    span,
                                )
                                .with_secondary(first, "the package is declared here"),
                            );
                        } else if seen_declaration {
                            parser.diagnostics.push(
                                Diagnostic::error(
                                    codes::MISPLACED_PACKAGE,
                                    "`package` must come before every other declaration",
                                    span,
                                )
                                .with_help("move this line to the top of the file"),
                            );
                        } else {
                            file.package = Some(name);
                        }
                        package_span.get_or_insert(span);
                    }
                    Declaration::Import(import) => {
                        seen_declaration = true;
                        file.imports.push(import);
                    }
                    Declaration::Item(item) => {
                        seen_declaration = true;
                        if let (Some(r), Some(range)) = (reusing.as_deref_mut(), declaration) {
                            if range.end == end && parser.diagnostics.len() == diagnostics_before {
                                r.reuse.reusable.push((file.items.len(), range));
                            }
                        }
                        file.items.push(item);
                    }
                }
                if end <= pos {
                    break;
                }
                pos = end;
            }
            Attempt::TooDeep { position } => {
                seen_declaration = true;
                if !parser.report(recovery::too_deep(source, position), position) {
                    break;
                }
                pos = recovery::resume_point(text, pos, position);
            }
            Attempt::Failed {
                position,
                positives,
            } => {
                seen_declaration = true;
                let failure = recovery::Failure {
                    item_start: pos,
                    position,
                    positives: &positives,
                };
                let (diagnostic, resume) = recovery::syntax_error(source, text, &failure);
                if !parser.report(diagnostic, position) {
                    break;
                }
                let resume = match resume.filter(|&r| r > pos) {
                    Some(resume) => Some(resume),
                    None => match parser.recover_members(pos, position) {
                        Ok(resume) => resume.filter(|&r| r > pos),
                        Err(()) => break,
                    },
                };
                pos = resume.unwrap_or_else(|| recovery::resume_point(text, pos, position));
            }
        }
    }
    (file, parser.diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file well above [`PARALLEL_MIN_BYTES`] whose text puts `}`, `;` and quotes in strings,
    /// escapes and comments of every kind, so a chunk boundary placed inside one would show.
    fn large_file(tail: &str) -> String {
        let mut text = String::from("\u{feff}package big;\nimport \"./other.ipc\";\n");
        for i in 0..2_000 {
            text.push_str(&format!(
                "/// Doc with }} and ; and \" {i}.\n\
                 // comment }} ; \" {{\n\
                 /* block }} ; \" {{ */ const c{i} = \"a \\\" }} ; {i}\";\n\
                 @channel(\"s-{i}\\\\\") interface S{i} {{\n  /// m }};\n  m(x: i32): Promise<map<string, T{i}[]>?>;\n}}\n\
                 struct T{i} {{ a: string; /* }} */ b?: u8; }}\n\
                 enum E{i} {{ a, b, }}\nunion U{i} {{ a b {{ c: bool; }} }}\ntype A{i} = T{i}[];\n"
            ));
        }
        text.push_str(tail);
        text
    }

    fn sequential(text: &str) -> (ast::File<'_>, Vec<Diagnostic>) {
        let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let deep = recovery::deep_nesting_positions(text);
        parse_range(SourceId(0), text, (start, text.len()), deep, false, None)
    }

    #[test]
    fn parallel_parse_matches_sequential() {
        let text = large_file("");
        assert!(text.len() > 2 * PARALLEL_MIN_BYTES);
        let bounds = chunk_bounds(&text, 3, 4).expect("the file splits");
        assert_eq!(bounds.len(), 4);
        let parallel = parse_in_parallel(SourceId(0), &text, 3).expect("parsed in parallel");
        let (expected, diagnostics) = sequential(&text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(expected.items.len(), 2_000 * 6);
        assert_eq!(parallel, expected);
        assert_eq!(parse(SourceId(0), &text).0, Some(expected));
    }

    #[test]
    fn errors_in_a_large_file_are_those_of_the_sequential_parse() {
        for tail in [
            "struct Broken { a: i32 }\n",
            "package late;\n",
            "const s = \"\\q\";\n",
            "struct Open {\n",
            "const s = \"unterminated;\n",
            "/* open\n",
            "}\n",
        ] {
            let text = large_file(tail);
            assert!(parse_in_parallel(SourceId(0), &text, 3).is_none(), "{tail}");
            let (file, diagnostics) = parse(SourceId(0), &text);
            let (expected, expected_diagnostics) = sequential(&text);
            assert!(!diagnostics.is_empty(), "{tail}");
            assert_eq!(file, Some(expected));
            assert_eq!(
                format!("{diagnostics:?}"),
                format!("{expected_diagnostics:?}")
            );
        }
    }

    #[test]
    fn a_reusing_parse_skips_exactly_the_known_declarations() {
        let text = "package p;\n/// S.\nstruct S { a: i32; }\nconst c = 1;\nstruct T { b: S; }\n";
        let (full, diagnostics) = parse(SourceId(0), text);
        assert!(diagnostics.is_empty());
        let full = full.expect("a file");

        let (file, diagnostics, reuse) = parse_reusing(SourceId(0), text, &|_| false);
        assert!(diagnostics.is_empty());
        assert_eq!(file, full);
        let s = text.find('\n').unwrap();
        let c = text.find("\nconst").unwrap();
        let t = text.find("\nstruct T").unwrap();
        let end = text.len() - 1;
        assert_eq!(reuse.reusable, vec![(0, s..c), (1, c..t), (2, t..end)]);
        assert!(reuse.skipped.is_empty());

        let known = |declaration: &str| declaration.contains("const c");
        let (file, diagnostics, reuse) = parse_reusing(SourceId(0), text, &known);
        assert!(diagnostics.is_empty());
        assert_eq!(
            file.items,
            vec![full.items[0].clone(), full.items[2].clone()]
        );
        assert_eq!(file.package, full.package);
        assert_eq!(reuse.skipped, vec![(1, c..t)]);
        assert_eq!(reuse.reusable, vec![(0, s..c), (1, t..end)]);

        // A declaration with a syntax error is never kept; the others still are.
        let broken = text.replacen("b: S;", "b S;", 1);
        let (_, diagnostics, reuse) = parse_reusing(SourceId(0), &broken, &|_| false);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(reuse.reusable, vec![(0, s..c), (1, c..t)]);
    }

    #[test]
    fn the_first_parse_keeps_what_a_reusing_parse_would() {
        // Large enough to be parsed on several threads.
        let text = large_file("");
        let (file, diagnostics, kept) = parse_keeping(SourceId(0), &text);
        let (expected, expected_diagnostics, reuse) = parse_reusing(SourceId(0), &text, &|_| false);
        assert!(diagnostics.is_empty() && expected_diagnostics.is_empty());
        assert_eq!(file, expected);
        assert_eq!(kept.reusable.len(), 2_000 * 6);
        assert_eq!(kept, reuse);
        // A syntax error: nothing is kept.
        let (_, diagnostics, kept) =
            parse_keeping(SourceId(0), "struct S { a i32; }\nconst c = 1;\n");
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(kept, Reuse::default());
    }

    #[test]
    fn declaration_ends_follow_the_grammar_reading() {
        let text = "const a = \"}\\\";\"; // ; }\n/* ; } */ struct S { a: i32; }\n/// x;\n";
        assert_eq!(
            declaration_ends(text, 0),
            Some(vec![17, text.find("}\n/// x").unwrap() + 1])
        );
        assert_eq!(declaration_ends("const a = \"x;\n", 0), None);
        assert_eq!(declaration_ends("/* x", 0), None);
        assert_eq!(declaration_ends("}", 0), None);
    }
}
