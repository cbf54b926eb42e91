//! Syntax: the pest grammar and the parser that turns one file's text into the private AST.
//!
//! [`parse`] runs the grammar's `declaration` rule once per top-level declaration. When one
//! fails, the error is translated into a [`Diagnostic`] (`recovery.rs`) and parsing resumes at
//! the next declaration, so one slip does not hide the next. Every syntax code is `E00xx`
//! (see [`codes`] and docs/language.md).

pub mod ast;
mod lexer;
mod recovery;
mod tree;

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
}

/// Syntax errors reported per file before the rest of the file is skipped.
const MAX_ERRORS: usize = 100;

/// Parses one file.
///
/// Returns the AST and every syntax error. The AST is always present (`Some`): declarations that
/// had a syntax error are left out of it and the rest are parsed, so callers that want to avoid
/// follow-on errors should skip semantic checks of a file whose diagnostics contain an error.
/// A leading byte-order mark is ignored; CRLF line endings are accepted everywhere. Spans are
/// byte offsets into `text`.
pub fn parse(source: SourceId, text: &str) -> (Option<ast::File<'_>>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut file = ast::File {
        package: None,
        imports: Vec::new(),
        items: Vec::new(),
    };
    let mut package_span: Option<Span> = None;
    let mut seen_declaration = false;
    let mut errors = 0usize;

    let deep = recovery::deep_nesting_positions(text);
    let mut next_deep = 0usize;
    let mut pos = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };

    while pos <= text.len() {
        while deep.get(next_deep).is_some_and(|&d| d < pos) {
            next_deep += 1;
        }
        // Parse only up to the next over-deep `<`, so pest never recurses past it.
        let limit = deep.get(next_deep).copied().unwrap_or(text.len());
        let result = IpcParser::parse(Rule::declaration, &text[pos..limit]);
        match result {
            Ok(mut pairs) => {
                let Some(pair) = pairs.next() else { break };
                let end = pos + pair.as_span().end();
                let mut builder = TreeBuilder {
                    source,
                    base: pos,
                    diagnostics: &mut diagnostics,
                };
                match builder.build_declaration(pair) {
                    Declaration::End => {
                        if limit == text.len() {
                            break;
                        }
                        // Only trivia before an over-deep `<`: report it and move past.
                        diagnostics.push(recovery::too_deep(source, limit));
                        errors += 1;
                        pos = recovery::resume_point(text, pos, limit);
                        continue;
                    }
                    Declaration::Package(name, span) => {
                        if let Some(first) = package_span {
                            diagnostics.push(
                                Diagnostic::error(
                                    codes::MISPLACED_PACKAGE,
                                    "a file has at most one `package` declaration",
                                    span,
                                )
                                .with_secondary(first, "the package is declared here"),
                            );
                        } else if seen_declaration {
                            diagnostics.push(
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
                        file.items.push(item);
                    }
                }
                if end <= pos {
                    break;
                }
                pos = end;
            }
            Err(error) => {
                seen_declaration = true;
                let relative = match error.location {
                    InputLocation::Pos(p) => p,
                    InputLocation::Span((p, _)) => p,
                };
                let position = pos + relative;
                let positives: &[Rule] = match &error.variant {
                    ErrorVariant::ParsingError { positives, .. } => positives,
                    ErrorVariant::CustomError { .. } => &[],
                };
                let mut resume_at = None;
                let stopped_at = if limit < text.len() && position >= limit {
                    diagnostics.push(recovery::too_deep(source, limit));
                    limit
                } else {
                    let failure = recovery::Failure {
                        item_start: pos,
                        position,
                        positives,
                    };
                    let (diagnostic, resume) = recovery::syntax_error(source, text, &failure);
                    diagnostics.push(diagnostic);
                    resume_at = resume.filter(|&r| r > pos);
                    position
                };
                errors += 1;
                if errors >= MAX_ERRORS {
                    diagnostics.push(Diagnostic::error(
                        codes::TOO_MANY_ERRORS,
                        "too many syntax errors; the rest of the file is not checked",
                        Span::new(source, stopped_at, stopped_at),
                    ));
                    break;
                }
                pos = resume_at.unwrap_or_else(|| recovery::resume_point(text, pos, stopped_at));
            }
        }
    }
    (Some(file), diagnostics)
}
