//! A small hand-written token scanner used around syntax errors (to name the token that was
//! found, to find unclosed delimiters, and to find where to resume parsing) and by the formatter
//! (to read the comments between tokens, which the grammar skips).
//!
//! The grammar stays the authority on what is valid; this scanner only has to agree with it on
//! where tokens start and end. It never fails: anything it does not know is a one-character
//! [`TokenKind::Unknown`].

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    Ident,
    Number,
    /// A string literal; `terminated` is false when the line or file ends before the closing `"`.
    String {
        terminated: bool,
    },
    DocComment,
    /// One of `{}()<>[];:,.?=@`.
    Punct(char),
    /// A character that cannot start any token.
    Unknown(char),
    /// `/*` without a matching `*/`: runs to the end of the input.
    UnterminatedComment,
    Eof,
}

/// A token and its byte range in the scanned text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

/// The words reserved as declaration keywords (see docs/language.md, "Keywords").
pub(crate) const KEYWORDS: &[&str] = &[
    "package",
    "import",
    "const",
    "struct",
    "enum",
    "union",
    "type",
    "interface",
    "notifications",
    "throws",
];

/// The keywords that start a top-level declaration.
pub(crate) const DECLARATION_KEYWORDS: &[&str] = &[
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

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// What a piece of trivia (the grammar's `WHITESPACE`) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TriviaKind {
    /// A space, tab, vertical tab or form feed.
    Space,
    /// `\n`, `\r\n` or a lone `\r` (which also ends a `//` comment, as in the grammar).
    LineBreak,
    /// `// ...` up to (not including) the line break.
    LineComment,
    /// `/* ... */`, closed.
    BlockComment,
}

/// The piece of trivia starting at `pos` and where it ends; `Ok(None)` when a token (a doc
/// comment included) or the end of the text starts there, `Err(pos)` for a block comment that
/// is never closed.
pub(crate) fn trivia_at(text: &str, pos: usize) -> Result<Option<(TriviaKind, usize)>, usize> {
    let bytes = text.as_bytes();
    let piece = match bytes.get(pos) {
        // The grammar's `WHITESPACE`: space and `\t` to `\r` (tab, LF, VT, FF, CR).
        Some(b'\r') if bytes.get(pos + 1) == Some(&b'\n') => (TriviaKind::LineBreak, pos + 2),
        Some(b'\n' | b'\r') => (TriviaKind::LineBreak, pos + 1),
        Some(b' ' | b'\t'..=b'\r') => (TriviaKind::Space, pos + 1),
        Some(b'/') if bytes.get(pos + 1) == Some(&b'/') => {
            // `///` (but not `////`) is a doc comment, i.e. a token.
            if bytes.get(pos + 2) == Some(&b'/') && bytes.get(pos + 3) != Some(&b'/') {
                return Ok(None);
            }
            (TriviaKind::LineComment, line_end(text, pos))
        }
        Some(b'/') if bytes.get(pos + 1) == Some(&b'*') => match text[pos + 2..].find("*/") {
            Some(offset) => (TriviaKind::BlockComment, pos + 2 + offset + 2),
            None => return Err(pos),
        },
        _ => return Ok(None),
    };
    Ok(Some(piece))
}

/// Skips whitespace and comments (not doc comments) from `pos`. Returns the position of the next
/// token, or `Err(start)` with the start of a block comment that is never closed.
pub(crate) fn skip_trivia(text: &str, mut pos: usize) -> Result<usize, usize> {
    while let Some((_, end)) = trivia_at(text, pos)? {
        pos = end;
    }
    Ok(pos)
}

/// What kind of comment [`comments`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CommentKind {
    /// `// ...`
    Line,
    /// `/* ... */`
    Block,
    /// `/// ...`
    Doc,
}

/// Every comment and doc comment of `text`, in order, as written (a `//` or `///` comment
/// without its line break). Meant for text that parses: it scans tokens the way the grammar
/// does, and stops at a block comment that is never closed.
pub(crate) fn comments(text: &str) -> Vec<(CommentKind, &str)> {
    let mut found = Vec::new();
    let mut pos = 0;
    loop {
        match trivia_at(text, pos) {
            Ok(Some((kind, end))) => {
                match kind {
                    TriviaKind::LineComment => found.push((CommentKind::Line, &text[pos..end])),
                    TriviaKind::BlockComment => found.push((CommentKind::Block, &text[pos..end])),
                    TriviaKind::Space | TriviaKind::LineBreak => {}
                }
                pos = end;
            }
            Ok(None) => {
                let token = token_at(text, pos);
                match token.kind {
                    TokenKind::Eof | TokenKind::UnterminatedComment => return found,
                    TokenKind::DocComment => {
                        found.push((CommentKind::Doc, &text[token.start..token.end]));
                    }
                    _ => {}
                }
                pos = token.end;
            }
            Err(_) => return found,
        }
    }
}

/// The byte offset of the end of the line containing `pos`: the first `\n` or `\r` (as in the
/// grammar, a lone `\r` ends a comment too).
pub(crate) fn line_end(text: &str, pos: usize) -> usize {
    text.as_bytes()[pos..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map_or(text.len(), |offset| pos + offset)
}

/// The byte offset of the start of the line containing `pos`.
pub(crate) fn line_start(text: &str, pos: usize) -> usize {
    text[..pos].rfind('\n').map_or(0, |offset| offset + 1)
}

/// True when only spaces and tabs (or a byte-order mark) precede `pos` on its line.
pub(crate) fn is_first_on_line(text: &str, pos: usize) -> bool {
    text[line_start(text, pos)..pos]
        .chars()
        .all(|c| c == ' ' || c == '\t' || c == '\u{feff}')
}

/// The token starting at `pos`, which must already be past trivia.
pub(crate) fn token_at(text: &str, pos: usize) -> Token {
    let bytes = text.as_bytes();
    let token = |kind, end| Token {
        kind,
        start: pos,
        end,
    };
    let Some(&first) = bytes.get(pos) else {
        return token(TokenKind::Eof, text.len());
    };
    if first == b'/' && bytes.get(pos + 1) == Some(&b'/') {
        return token(TokenKind::DocComment, line_end(text, pos));
    }
    if first == b'/' && bytes.get(pos + 1) == Some(&b'*') {
        return token(TokenKind::UnterminatedComment, text.len());
    }
    if is_ident_start(first) {
        let len = bytes[pos..]
            .iter()
            .take_while(|b| is_ident_char(**b))
            .count();
        return token(TokenKind::Ident, pos + len);
    }
    if first.is_ascii_digit()
        || (first == b'-' && bytes.get(pos + 1).is_some_and(u8::is_ascii_digit))
    {
        // The same generous shape as the grammar's `number` rule.
        let mut end = pos + 1;
        while let Some(&b) = bytes.get(end) {
            if (b == b'e' || b == b'E') && matches!(bytes.get(end + 1), Some(b'+' | b'-')) {
                end += 2;
            } else if is_ident_char(b) || b == b'.' {
                end += 1;
            } else {
                break;
            }
        }
        return token(TokenKind::Number, end);
    }
    if first == b'"' {
        let mut end = pos + 1;
        loop {
            match bytes.get(end) {
                None | Some(b'\n' | b'\r') => {
                    return token(TokenKind::String { terminated: false }, end);
                }
                Some(b'"') => return token(TokenKind::String { terminated: true }, end + 1),
                Some(b'\\') if !matches!(bytes.get(end + 1), None | Some(b'\n' | b'\r')) => {
                    // Skip the escaped character (whole, if it is not ASCII).
                    let escaped = text[end + 1..].chars().next().map_or(1, char::len_utf8);
                    end += 1 + escaped;
                }
                Some(_) => end += 1,
            }
        }
    }
    if b"{}()<>[];:,.?=@".contains(&first) {
        return token(TokenKind::Punct(first as char), pos + 1);
    }
    let c = text[pos..].chars().next().unwrap_or('\u{fffd}');
    token(TokenKind::Unknown(c), pos + c.len_utf8())
}

/// The next token at or after `pos`, skipping trivia.
pub(crate) fn next_token(text: &str, pos: usize) -> Token {
    match skip_trivia(text, pos) {
        Ok(start) => token_at(text, start),
        Err(start) => Token {
            kind: TokenKind::UnterminatedComment,
            start,
            end: text.len(),
        },
    }
}

/// How a token is named in a message: "`;`", "keyword `struct`", "end of file".
pub(crate) fn describe(text: &str, token: &Token) -> String {
    match token.kind {
        TokenKind::Ident => {
            let word = &text[token.start..token.end];
            if KEYWORDS.contains(&word) {
                format!("keyword `{word}`")
            } else {
                format!("`{word}`")
            }
        }
        TokenKind::Number => format!("number `{}`", &text[token.start..token.end]),
        TokenKind::String { .. } => "a string".to_string(),
        TokenKind::DocComment => "a doc comment".to_string(),
        TokenKind::Punct(c) => format!("`{c}`"),
        TokenKind::Unknown(c) => format!("`{}`", show_char(c)),
        TokenKind::UnterminatedComment => "an unterminated comment".to_string(),
        TokenKind::Eof => "end of file".to_string(),
    }
}

/// A character as a message shows it: itself when visible, else its escape (`\u{0}`).
pub(crate) fn show_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() || c == '\u{feff}' {
        c.escape_unicode().to_string()
    } else {
        c.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<TokenKind> {
        let mut pos = 0;
        let mut out = Vec::new();
        loop {
            let token = next_token(text, pos);
            out.push(token.kind);
            if matches!(token.kind, TokenKind::Eof | TokenKind::UnterminatedComment) {
                return out;
            }
            pos = token.end;
        }
    }

    #[test]
    fn scans_the_token_shapes_of_the_grammar() {
        use TokenKind::*;
        assert_eq!(
            kinds("a // c\n/// d\n//// e\n\"s\\\"\" -1.5e+3 ; # /* x */"),
            vec![
                Ident,
                DocComment,
                String { terminated: true },
                Number,
                Punct(';'),
                Unknown('#'),
                Eof
            ]
        );
        assert_eq!(
            kinds("\"abc\nx"),
            vec![String { terminated: false }, Ident, Eof]
        );
        assert_eq!(kinds("a /* b"), vec![Ident, UnterminatedComment]);
        assert_eq!(kinds("é"), vec![Unknown('é'), Eof]);
        // A lone `\r` ends a comment, as in the grammar.
        assert_eq!(
            kinds("// c\rx /// d\ry"),
            vec![Ident, DocComment, Ident, Eof]
        );
    }

    #[test]
    fn trivia_pieces_and_comments_follow_the_grammar() {
        let text = "a /* b\r\n */\t// c\r\n/// d\n//// e\rf";
        let mut pieces = Vec::new();
        let mut pos = 1;
        while let Ok(Some((kind, end))) = trivia_at(text, pos) {
            pieces.push((kind, &text[pos..end]));
            pos = end;
        }
        use TriviaKind::*;
        assert_eq!(
            pieces,
            vec![
                (Space, " "),
                (BlockComment, "/* b\r\n */"),
                (Space, "\t"),
                (LineComment, "// c"),
                (LineBreak, "\r\n"),
            ]
        );
        assert_eq!(&text[pos..pos + 3], "///");
        assert_eq!(trivia_at("/* x", 0), Err(0));
        assert_eq!(
            comments(text),
            vec![
                (CommentKind::Block, "/* b\r\n */"),
                (CommentKind::Line, "// c"),
                (CommentKind::Doc, "/// d"),
                (CommentKind::Line, "//// e"),
            ]
        );
        // Comment markers inside strings are not comments.
        assert_eq!(comments("const s = \"// /* x */\";"), vec![]);
    }
}
