//! `ipcc fmt`: the one canonical layout of a `.ipc` file, keeping every comment where it was.
//!
//! [`format_source`] is the entry that the CLI and editors share. It works in three steps:
//!
//! 1. **Validate** with the real parser ([`crate::syntax::parse`]). A file with a syntax error
//!    is never formatted: its diagnostics are returned instead. Formatting is purely
//!    syntactic, so semantic errors (unknown names, missing channels) do not stop it, and the
//!    file's imports are not read.
//! 2. **Lay out** (`layout.rs`) by walking the grammar's own pairs, the concrete syntax tree
//!    that pest builds before the AST folds keywords and punctuation away: one function per
//!    construct hands each token, in source order, to the printer (`printer.rs`) with the
//!    separator the canonical layout wants before it. Trivia is not in the tree (the grammar's
//!    `WHITESPACE` is silent), but it is exactly the text between two consecutive tokens, so
//!    the printer reads each such gap with the lexer's trivia scanner and writes its comments
//!    before the next token: a comment that followed a token on its line stays at the end of
//!    that line; one on a line of its own stays on a line of its own, re-indented.
//!
//!    The alternatives were worse: a trivia-preserving token stream with a layout of its own
//!    would be a second parser of the language's structure, bound to drift from the grammar;
//!    attaching comments to AST nodes by span loses those between tokens the AST does not keep
//!    (`map</* k */ string, V>`). Walking pest's pairs uses the grammar itself as the structure,
//!    and needs no change to the parser or the AST.
//! 3. **Verify** (`verify.rs`): the output must parse to the same syntax tree (spans aside)
//!    and hold the same comments in the same order, or [`format_source`] returns an internal
//!    error ([`INTERNAL_ERROR`]) and the caller writes nothing.
//!
//! The rules of the layout, with examples, are in docs/formatting.md.

mod layout;
mod printer;
mod verify;

use std::borrow::Cow;

use crate::diagnostics::{Diagnostic, Severity, SourceId, Span};
use crate::syntax::{self, lexer::CommentKind};

/// The stable code of the formatter's internal error: its output would not mean what the input
/// means (a bug in the formatter; the file is left alone). Listed in docs/language.md.
pub const INTERNAL_ERROR: &str = "E0701";

/// The source id that the diagnostics of [`format_source`] refer to: render them with a
/// [`crate::SourceMap`] whose first (and only) source is the text.
pub const SOURCE: SourceId = SourceId(0);

/// Formats one file's text into the canonical layout (docs/formatting.md).
///
/// Returns the formatted text, which is `text` itself when it is already formatted; or the
/// syntax errors of `text` (spans in [`SOURCE`]), or an [`INTERNAL_ERROR`] when the formatter
/// could not lay the file out without changing its meaning. Never panics.
///
/// ```
/// let formatted = ipcc::format::format_source("struct Point{x:f64;// across\ny : f64;}").unwrap();
/// assert_eq!(formatted, "struct Point {\n  x: f64; // across\n  y: f64;\n}\n");
/// assert!(ipcc::format::format_source("struct Point { x: f64 }").is_err());
/// ```
pub fn format_source(text: &str) -> Result<String, Vec<Diagnostic>> {
    let (tree, diagnostics) = syntax::parse(SOURCE, text);
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        return Err(diagnostics);
    }
    let Some(tree) = tree else {
        return Err(vec![internal_error("the file has no syntax tree")]);
    };
    let Some(formatted) = layout::format(text) else {
        return Err(vec![internal_error(
            "the layout lost its place in the file",
        )]);
    };
    verify::check(text, tree, &formatted).map_err(|reason| vec![internal_error(&reason)])?;
    Ok(formatted)
}

fn internal_error(reason: &str) -> Diagnostic {
    Diagnostic::error(
        INTERNAL_ERROR,
        "internal error: the formatter would change this file's meaning",
        Span::new(SOURCE, 0, 0),
    )
    .with_label(reason.to_string())
    .with_help("this is a bug in `ipcc fmt`; the file was left as it is")
}

/// A comment as the formatter writes it: a `//` comment without trailing spaces and tabs, a
/// `/* */` comment with `\n` line breaks, a `///` or `//!` doc comment as written (its text is
/// documentation, carried into generated code; to the lexer `//!` is a `//` comment).
pub(crate) fn normalize_comment(kind: CommentKind, text: &str) -> Cow<'_, str> {
    match kind {
        CommentKind::Line if text.starts_with("//!") => Cow::Borrowed(text),
        CommentKind::Line => Cow::Borrowed(text.trim_end_matches([' ', '\t'])),
        CommentKind::Block if text.contains('\r') => {
            Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
        }
        CommentKind::Block | CommentKind::Doc => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests;
