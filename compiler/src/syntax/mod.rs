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
    /// Positions of `<` nested too deeply (sorted), see [`recovery::deep_nesting_positions`].
    deep: Vec<usize>,
    diagnostics: Vec<Diagnostic>,
    errors: usize,
}

impl<'a> FileParser<'a> {
    /// Runs `rule` on the text from `start`, cut before the next over-deep `<` so that pest
    /// never recurses past it.
    fn attempt(&self, rule: Rule, start: usize) -> Attempt<'a> {
        let next = self.deep.partition_point(|&d| d < start);
        let limit = self.deep.get(next).copied().unwrap_or(self.text.len());
        match IpcParser::parse(rule, &self.text[start..limit]) {
            Ok(pairs) => Attempt::Parsed(pairs),
            Err(error) => {
                let relative = match error.location {
                    InputLocation::Pos(p) => p,
                    InputLocation::Span((p, _)) => p,
                };
                let position = start + relative;
                if limit < self.text.len() && position >= limit {
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
    let mut parser = FileParser {
        source,
        text,
        deep: recovery::deep_nesting_positions(text),
        diagnostics: Vec::new(),
        errors: 0,
    };
    let mut file = ast::File {
        package: None,
        imports: Vec::new(),
        items: Vec::new(),
    };
    let mut package_span: Option<Span> = None;
    let mut seen_declaration = false;
    let mut pos = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };

    while pos <= text.len() {
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
    (Some(file), parser.diagnostics)
}
