//! The output side of the formatter: lines, indentation, blank lines, and the comments found
//! between two tokens, placed before the second one.

use super::normalize_comment;
use crate::syntax::lexer::{self, CommentKind, TriviaKind};

/// One level of indentation.
const INDENT: &str = "  ";

/// How a token is separated from what precedes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sep {
    /// Directly after it: `name?`, `f(`, `T[]`, `;`.
    Tight,
    /// After one space: `struct S`, `a: T`.
    Space,
    /// At the start of a line of its own, at the current indentation.
    Line(Blank),
}

/// Whether a blank line may come before a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Blank {
    /// Never (inside a wrapped parameter list, before a closing `}`).
    Drop,
    /// When the source had at least one there; several collapse into one.
    Keep,
    /// Always: when the source had none, one is inserted (between top-level declarations
    /// that have a body).
    Ensure,
}

/// A line break or comment between two tokens, read but not yet written.
#[derive(Debug, Clone, Copy)]
enum Piece<'a> {
    Break,
    Comment(CommentKind, &'a str),
}

/// How the comments before a token ended, for placing the token.
struct GapEnd {
    /// Line breaks in the source between the last comment (or the previous token) and the token.
    breaks: usize,
    /// The last comment was on a line of its own in the source.
    own_line_comment_last: bool,
    /// A blank line is still owed (see [`Blank::Ensure`]).
    owe_blank: bool,
}

/// The mutable state of a [`Printer`] except its output, to try one layout and return to
/// where it started (see [`Printer::mark`]).
#[derive(Debug, Clone)]
pub(super) struct Mark<'a> {
    len: usize,
    state: State<'a>,
}

#[derive(Debug, Clone)]
struct State<'a> {
    /// Source offset up to which the text has been read.
    cursor: usize,
    /// Indentation depth, in [`INDENT`]s, of the lines of the current block.
    indent: usize,
    /// Line breaks and comments read from the source and not yet written.
    pending: Vec<Piece<'a>>,
    /// The current line ends with a `//` or `///` comment: nothing more may go on it.
    closed: bool,
    /// The last line ends with an opening `{` or `(` (and perhaps comments): no blank line
    /// may follow it.
    after_open: bool,
    /// The last thing written is a comment: a token on the same line gets a space before it.
    after_comment: bool,
}

/// Writes tokens in the canonical layout and the comments of the source between them.
///
/// The layout walk hands it every token of the source in order (or skips or adds punctuation
/// explicitly); the text between two consecutive tokens is the grammar's `WHITESPACE`, which it
/// reads for comments and line breaks. Anything else there means the walk lost its place, and
/// [`Printer::finish`] then returns `None`.
pub(super) struct Printer<'a> {
    text: &'a str,
    out: String,
    state: State<'a>,
    /// A gap held something other than whitespace and comments, or tokens came out of order.
    lost: bool,
}

impl<'a> Printer<'a> {
    /// A printer for `text`, reading from `start` (past a byte-order mark).
    pub fn new(text: &'a str, start: usize) -> Self {
        Printer {
            text,
            out: String::with_capacity(text.len() + text.len() / 8),
            state: State {
                cursor: start,
                indent: 0,
                pending: Vec::new(),
                closed: false,
                after_open: false,
                after_comment: false,
            },
            lost: false,
        }
    }

    /// Writes the token `text[start..end]`, after the comments that precede it.
    pub fn token(&mut self, start: usize, end: usize, sep: Sep) {
        let indent = match sep {
            Sep::Line(_) => self.state.indent,
            // A token that must go on a new line mid-construct (after a `//` comment) is a
            // continuation: one level deeper.
            Sep::Tight | Sep::Space => self.state.indent + 1,
        };
        let comment_blank = match sep {
            Sep::Line(blank) => blank,
            Sep::Tight | Sep::Space => Blank::Drop,
        };
        let gap = self.comments_before(start, comment_blank, indent);
        self.place(start, end, sep, indent, gap);
    }

    /// Writes a `///` doc comment token: the line ends after it.
    pub fn doc_comment(&mut self, start: usize, end: usize, sep: Sep) {
        self.token(start, end, sep);
        self.state.closed = true;
    }

    /// After an opening `{` or `(` whose contents go on lines of their own: one level deeper.
    pub fn open_block(&mut self) {
        self.state.indent += 1;
        self.state.after_open = true;
    }

    /// Writes the closing token `text[start..end]` of a block opened with [`Self::open_block`]:
    /// the comments before it are inside the block (indented, blank lines as `comment_blank`
    /// says), the token itself one level out, and never after a blank line.
    pub fn close_block(&mut self, start: usize, end: usize, comment_blank: Blank, sep: Sep) {
        let inner = self.state.indent;
        let gap = self.comments_before(start, comment_blank, inner);
        self.state.indent = inner.saturating_sub(1);
        let sep = match sep {
            Sep::Line(_) => Sep::Line(Blank::Drop),
            other => other,
        };
        self.place(start, end, sep, self.state.indent, gap);
    }

    /// Leaves out the token at `start..end` (a separator the canonical layout does without);
    /// the comments around it are written before the next token.
    pub fn skip(&mut self, start: usize, end: usize) {
        self.read_gap(start);
        self.state.cursor = end;
    }

    /// Writes punctuation that the source left out (a trailing comma), right after the last
    /// token; the comments after that token follow it.
    pub fn insert(&mut self, text: &str) {
        self.out.push_str(text);
    }

    /// Writes the comments after the last token and returns the text, ending in one line
    /// break (or empty when there is nothing at all); `None` when the walk lost its place.
    pub fn finish(mut self, bom: &str) -> Option<String> {
        self.comments_before(self.text.len(), Blank::Keep, 0);
        if self.lost || !self.state.pending.is_empty() {
            return None;
        }
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        if !bom.is_empty() {
            self.out.insert_str(0, bom);
        }
        Some(self.out)
    }

    /// The output so far.
    pub fn output(&self) -> &str {
        &self.out
    }

    /// Where the printer is, to come back to with [`Self::rewind`].
    pub fn mark(&self) -> Mark<'a> {
        Mark {
            len: self.out.len(),
            state: self.state.clone(),
        }
    }

    /// Forgets everything written since `mark` was taken.
    pub fn rewind(&mut self, mark: Mark<'a>) {
        self.out.truncate(mark.len);
        self.state = mark.state;
    }

    /// Reads the trivia between the cursor and `upto` into the pending pieces.
    fn read_gap(&mut self, upto: usize) {
        let mut pos = self.state.cursor;
        if upto < pos {
            self.lost = true;
            return;
        }
        while pos < upto {
            match lexer::trivia_at(self.text, pos) {
                Ok(Some((kind, end))) if end <= upto => {
                    let piece = match kind {
                        TriviaKind::Space => None,
                        TriviaKind::LineBreak => Some(Piece::Break),
                        TriviaKind::LineComment => {
                            Some(Piece::Comment(CommentKind::Line, &self.text[pos..end]))
                        }
                        TriviaKind::BlockComment => {
                            Some(Piece::Comment(CommentKind::Block, &self.text[pos..end]))
                        }
                    };
                    self.state.pending.extend(piece);
                    pos = end;
                }
                _ => {
                    self.lost = true;
                    break;
                }
            }
        }
        self.state.cursor = upto;
    }

    /// Writes the comments between the cursor and `start`: one that followed a token on its
    /// line stays at the end of that line; one on a line of its own in the source goes on a
    /// line of its own, at `indent`, after a blank line where the source had one and
    /// `blank` allows it.
    fn comments_before(&mut self, start: usize, blank: Blank, indent: usize) -> GapEnd {
        self.read_gap(start);
        let pieces = std::mem::take(&mut self.state.pending);
        let mut owe_blank = blank == Blank::Ensure && !has_blank_line(&pieces);
        let mut breaks = 0;
        let mut own_line_comment_last = false;
        for piece in pieces {
            let (kind, text) = match piece {
                Piece::Break => {
                    breaks += 1;
                    continue;
                }
                Piece::Comment(kind, text) => (kind, text),
            };
            let text = normalize_comment(kind, text);
            if breaks == 0 && !self.at_line_start() {
                // `map</* key */ string, V>`, but `a: T; // note`.
                if kind != CommentKind::Block || !self.out.ends_with(['(', '<', '[']) {
                    self.out.push(' ');
                }
                own_line_comment_last = false;
            } else {
                let blank_line =
                    owe_blank || (breaks >= 2 && blank != Blank::Drop && !self.state.after_open);
                self.new_line(blank_line, indent);
                owe_blank = false;
                self.state.after_open = false;
                self.state.closed = false;
                own_line_comment_last = true;
            }
            self.out.push_str(&text);
            self.state.after_comment = true;
            if kind != CommentKind::Block {
                self.state.closed = true;
            }
            breaks = 0;
        }
        GapEnd {
            breaks,
            own_line_comment_last,
            owe_blank,
        }
    }

    /// Writes `text[start..end]` after the comments before it (`gap`).
    fn place(&mut self, start: usize, end: usize, sep: Sep, indent: usize, gap: GapEnd) {
        let keeps_blank = matches!(sep, Sep::Line(Blank::Keep | Blank::Ensure));
        // `/* note */ struct S {`: a block comment at the start of the token's line stays there.
        let after_own_line_comment = gap.own_line_comment_last && gap.breaks == 0 && keeps_blank;
        let new_line = (matches!(sep, Sep::Line(_)) && !after_own_line_comment)
            || self.state.closed
            || (gap.own_line_comment_last && gap.breaks > 0);
        if new_line {
            let blank_line =
                gap.owe_blank || (gap.breaks >= 2 && keeps_blank && !self.state.after_open);
            self.new_line(blank_line, indent);
        } else if sep == Sep::Space || self.state.after_comment {
            self.out.push(' ');
        }
        match self.text.get(start..end) {
            Some(token) => self.out.push_str(token),
            None => self.lost = true,
        }
        self.state.cursor = end;
        self.state.closed = false;
        self.state.after_open = false;
        self.state.after_comment = false;
    }

    /// True when nothing has been written on the current line (or at all).
    fn at_line_start(&self) -> bool {
        self.out.is_empty() || self.out.ends_with('\n')
    }

    /// Ends the current line (unless nothing was written yet), adds a blank line if asked,
    /// and indents the new one.
    fn new_line(&mut self, blank_line: bool, indent: usize) {
        if !self.out.is_empty() {
            self.out.push('\n');
            if blank_line {
                self.out.push('\n');
            }
        }
        for _ in 0..indent {
            self.out.push_str(INDENT);
        }
    }
}

/// True when some line of the gap `pieces` (a comment on a line of its own, or the token after
/// them) follows a blank line.
fn has_blank_line(pieces: &[Piece<'_>]) -> bool {
    let mut breaks = 0;
    for piece in pieces {
        match piece {
            Piece::Break => breaks += 1,
            Piece::Comment(..) => {
                if breaks >= 2 {
                    return true;
                }
                breaks = 0;
            }
        }
    }
    breaks >= 2
}
