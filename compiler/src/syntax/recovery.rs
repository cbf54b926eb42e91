//! Syntax errors: turning pest's "expected one of these rules" into a user's message, and
//! finding where to resume parsing so that later errors are reported too.
//!
//! A user never sees a grammar rule's name: every rule maps to a token in backticks ("`;`") or
//! to a word ("identifier", "type"), and some situations get their own message and code
//! (unclosed `{`, unterminated string, misspelt keyword, ...).

use super::codes;
use super::lexer::{
    self, describe, is_first_on_line, next_token, Token, TokenKind, DECLARATION_KEYWORDS, KEYWORDS,
};
use super::tree::MAX_TYPE_DEPTH;
use super::Rule;
use crate::diagnostics::{Diagnostic, SourceId, Span};

/// Where one failed parse attempt stopped.
pub(crate) struct Failure<'r> {
    /// Where the failed declaration began (the parse attempt's start).
    pub item_start: usize,
    /// The furthest position pest reached.
    pub position: usize,
    /// The rules pest expected there.
    pub positives: &'r [Rule],
}

/// What the rules pest expected mean for a user.
#[derive(Default)]
struct Expected {
    /// Descriptions in grammar order, without duplicates: "`;`", "identifier", "type".
    items: Vec<&'static str>,
    /// A top-level declaration could start here.
    declaration: bool,
    /// Keywords that were expected (for did-you-mean).
    keywords: Vec<&'static str>,
}

impl Expected {
    fn from_rules(rules: &[Rule]) -> Expected {
        let mut expected = Expected::default();
        for &rule in rules {
            if let Some(keyword) = keyword_of(rule) {
                expected.keywords.push(keyword);
            }
            let Some(text) = describe_rule(rule) else {
                continue;
            };
            if text == "declaration" {
                expected.declaration = true;
            }
            if !expected.items.contains(&text) {
                expected.items.push(text);
            }
        }
        if expected.declaration {
            expected.keywords = DECLARATION_KEYWORDS.to_vec();
        }
        // Read the list in the order the tokens would appear in the source.
        expected.items.sort_by_key(|item| {
            READING_ORDER
                .iter()
                .position(|known| known == item)
                .unwrap_or(READING_ORDER.len())
        });
        // Type suffixes are possible after almost every type; listing them next to the token that
        // really is missing only blurs the message.
        let closes = ["`;`", "`,`", "`)`", "`}`", "`>`", "`=`", "`{`", "`:`"];
        if expected.items.iter().any(|t| closes.contains(t)) {
            expected
                .items
                .retain(|t| !matches!(*t, "`[`" | "`?`" | "`<`" | "`(`" | "`.`"));
        }
        expected
    }

    fn list(&self) -> String {
        match self.items.as_slice() {
            [] => "something else".to_string(),
            [one] => (*one).to_string(),
            [init @ .., last] => format!("{} or {last}", init.join(", ")),
        }
    }
}

/// Expected things are listed in this order, roughly the order they are written in.
const READING_ORDER: &[&str] = &[
    "declaration",
    "attribute name",
    "package name",
    "identifier",
    "field",
    "variant",
    "method",
    "notification",
    "parameter",
    "type",
    "value",
    "string",
    "number",
    "`true` or `false`",
    "string or constant name",
    "`.`",
    "`?`",
    "`:`",
    "`=`",
    "`(`",
    "`<`",
    "`[`",
    "`{`",
    "`,`",
    "`throws`",
    "`)`",
    "`>`",
    "`]`",
    "`}`",
    "`;`",
];

/// The keyword a keyword rule stands for.
fn keyword_of(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::kw_throws | Rule::throws_clause => "throws",
        _ => return None,
    })
}

/// How a rule that pest expected is named to a user; `None` for rules that would only add noise.
fn describe_rule(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI
        | Rule::declaration
        | Rule::item
        | Rule::package_decl
        | Rule::import_decl
        | Rule::const_decl
        | Rule::struct_decl
        | Rule::enum_decl
        | Rule::union_decl
        | Rule::alias_decl
        | Rule::interface_decl
        | Rule::notifications_decl
        | Rule::kw_package
        | Rule::kw_import
        | Rule::kw_const
        | Rule::kw_struct
        | Rule::kw_enum
        | Rule::kw_union
        | Rule::kw_type
        | Rule::kw_interface
        | Rule::kw_notifications => "declaration",
        Rule::attr_name => "attribute name",
        Rule::attr_args => "`(`",
        Rule::attr_arg => "string or constant name",
        Rule::field => "field",
        Rule::enum_variant | Rule::union_variant => "variant",
        Rule::variant_fields => "`{`",
        Rule::method => "method",
        Rule::event => "notification",
        Rule::return_type => "`:`",
        Rule::throws_clause | Rule::kw_throws => "`throws`",
        Rule::params | Rule::param => "parameter",
        Rule::type_expr | Rule::named_type | Rule::map_type | Rule::path | Rule::kw_map => "type",
        Rule::package_name => "package name",
        Rule::type_args => "`<`",
        Rule::array_suffix => "`[`",
        Rule::ident | Rule::decl_name | Rule::member_name => "identifier",
        Rule::literal => "value",
        Rule::string => "string",
        Rule::number => "number",
        Rule::boolean => "`true` or `false`",
        Rule::semi => "`;`",
        Rule::colon => "`:`",
        Rule::comma => "`,`",
        Rule::eq => "`=`",
        Rule::dot => "`.`",
        Rule::question => "`?`",
        Rule::lbrace => "`{`",
        Rule::rbrace => "`}`",
        Rule::lparen => "`(`",
        Rule::rparen => "`)`",
        Rule::langle => "`<`",
        Rule::rangle => "`>`",
        Rule::lbracket => "`[`",
        Rule::rbracket => "`]`",
        _ => return None,
    })
}

/// What the tokens between a declaration's start and the error position tell.
struct Region {
    /// The last token before the error position.
    previous: Option<Token>,
    /// Opening delimiters not yet closed at the error position, innermost last.
    open: Vec<Token>,
    /// How many `{` are not yet closed at the error position.
    braces: usize,
}

/// Most open delimiters remembered; deeper ones are only counted, so garbage input costs no
/// memory (the innermost few are all a message needs).
const MAX_REMEMBERED_OPEN: usize = 64;

fn scan_region(text: &str, start: usize, end: usize) -> Region {
    let mut region = Region {
        previous: None,
        open: Vec::new(),
        braces: 0,
    };
    let mut forgotten = 0usize;
    let mut pos = start;
    loop {
        let token = next_token(text, pos);
        // A token reaching past `end` means the scanner and the grammar split the text
        // differently there (say, inside a malformed number); stop before it.
        if token.start >= end || token.end > end || matches!(token.kind, TokenKind::Eof) {
            return region;
        }
        match token.kind {
            TokenKind::Punct(c @ ('{' | '(' | '<' | '[')) => {
                if c == '{' {
                    region.braces += 1;
                }
                if region.open.len() < MAX_REMEMBERED_OPEN {
                    region.open.push(token);
                } else {
                    forgotten += 1;
                }
            }
            TokenKind::Punct(c @ ('}' | ')' | '>' | ']')) => {
                if c == '}' {
                    region.braces = region.braces.saturating_sub(1);
                }
                if forgotten > 0 {
                    forgotten -= 1;
                } else if let Some(top) = region.open.last() {
                    if top.kind == TokenKind::Punct(opener_of(c)) {
                        region.open.pop();
                    }
                }
            }
            _ => {}
        }
        region.previous = Some(token);
        pos = token.end;
    }
}

fn opener_of(close: char) -> char {
    match close {
        '}' => '{',
        ')' => '(',
        '>' => '<',
        _ => '[',
    }
}

fn closer_of(open: char) -> char {
    match open {
        '{' => '}',
        '(' => ')',
        '<' => '>',
        _ => ']',
    }
}

/// The diagnostic for a failed parse attempt, and where to resume parsing when the error itself
/// tells (otherwise [`resume_point`] decides).
pub(crate) fn syntax_error(
    source: SourceId,
    text: &str,
    failure: &Failure<'_>,
) -> (Diagnostic, Option<usize>) {
    let mut resume = None;
    let diagnostic = diagnose(source, text, failure, &mut resume);
    (diagnostic, resume)
}

fn diagnose(
    source: SourceId,
    text: &str,
    failure: &Failure<'_>,
    resume: &mut Option<usize>,
) -> Diagnostic {
    let span = |start: usize, end: usize| Span::new(source, start, end);
    let found = next_token(text, failure.position);
    let found_span = span(
        found.start,
        found
            .end
            .min(lexer::line_end(text, found.start).max(found.start + 1))
            .min(text.len()),
    );

    match found.kind {
        TokenKind::UnterminatedComment => {
            return Diagnostic::error(
                codes::UNTERMINATED_COMMENT,
                "unterminated block comment",
                span(found.start, found.start + 2),
            )
            .with_label("this `/*` is never closed")
            .with_help("close the comment with `*/` (block comments do not nest)");
        }
        TokenKind::String { terminated: false } => {
            return Diagnostic::error(
                codes::UNTERMINATED_STRING,
                "unterminated string",
                span(found.start, found.end),
            )
            .with_label("this string has no closing `\"`")
            .with_help("a string ends on the line where it starts; write a line break as `\\n`");
        }
        TokenKind::Unknown(c) => {
            let diagnostic = Diagnostic::error(
                codes::UNEXPECTED_CHARACTER,
                format!("unexpected character `{}`", lexer::show_char(c)),
                span(found.start, found.end),
            );
            return match c {
                '#' => diagnostic.with_help("comments start with `//`"),
                '\'' | '`' => {
                    diagnostic.with_help("strings are written in double quotes: \"text\"")
                }
                _ => diagnostic,
            };
        }
        _ => {}
    }

    let expected = Expected::from_rules(failure.positives);
    let region = scan_region(text, failure.item_start, found.start);
    let found_text = describe(text, &found);

    // A `///` with nothing after it to document.
    if let Some(previous) = region.previous {
        if previous.kind == TokenKind::DocComment
            && matches!(found.kind, TokenKind::Eof | TokenKind::Punct('}'))
        {
            return Diagnostic::error(
                codes::DANGLING_DOC,
                "doc comment is not followed by anything to document",
                span(previous.start, previous.end),
            )
            .with_label("this doc comment documents nothing")
            .with_help("a `///` comment documents the declaration or member after it; use `//` for a plain comment");
        }
    }

    // An opening delimiter still open at the end of the file, or at a line that clearly starts
    // the next declaration (the keyword may already have been read as a member's name, as in
    // `struct Person {` read as a method called `struct`).
    if let Some(&Token {
        kind: TokenKind::Punct(c),
        start: open_start,
        end: open_end,
    }) = region.open.last()
    {
        let next_declaration = if found.kind == TokenKind::Ident && starts_declaration(text, &found)
        {
            Some(found)
        } else {
            region
                .previous
                .filter(|p| p.kind == TokenKind::Ident && p.start > open_start)
                .filter(|p| starts_declaration(text, p))
        };
        let brace_before_declaration = c == '{' && next_declaration.is_some();
        if found.kind == TokenKind::Eof || brace_before_declaration {
            let mut diagnostic = Diagnostic::error(
                codes::UNCLOSED_DELIMITER,
                format!("unclosed `{c}`"),
                span(open_start, open_end),
            )
            .with_label(format!("this `{c}` is never closed"));
            if let (true, Some(keyword)) = (brace_before_declaration, next_declaration) {
                diagnostic = diagnostic.with_secondary(
                    span(keyword.start, keyword.end),
                    format!("expected `{}` before this declaration", closer_of(c)),
                );
                *resume = Some(leading_block_start(text, keyword.start).max(open_end));
            }
            return diagnostic;
        }
    }

    // A misspelt keyword: an unknown word where a keyword could stand.
    if found.kind == TokenKind::Ident {
        let word = &text[found.start..found.end];
        if !KEYWORDS.contains(&word) {
            if let Some(keyword) = closest(word, &expected.keywords) {
                return Diagnostic::error(
                    codes::UNKNOWN_KEYWORD,
                    format!("unknown keyword `{word}`"),
                    found_span,
                )
                .with_help(format!("did you mean `{keyword}`?"));
            }
        }
    }

    if expected.declaration {
        let mut diagnostic = Diagnostic::error(
            codes::EXPECTED,
            format!("expected a declaration, found {found_text}"),
            found_span,
        );
        diagnostic = match found.kind {
            TokenKind::Punct('}') => diagnostic
                .with_label("no `{` is open here")
                .with_help("remove this `}`, or look for a missing `{` above"),
            _ => diagnostic.with_help(
                "a declaration starts with `struct`, `enum`, `union`, `type`, `const`, `interface`, `notifications`, `import` or `package`",
            ),
        };
        return diagnostic;
    }

    let first = next_token(text, failure.item_start);
    if &text[first.start..first.end] == "package" {
        if let Some(diagnostic) = package_name_error(source, text, &region, &found, &found_text) {
            return diagnostic;
        }
    }

    let mut message = format!("expected {}, found {found_text}", expected.list());
    if expected.items == ["type"] {
        if let Some(Token {
            kind: TokenKind::Punct(':'),
            ..
        }) = region.previous
        {
            message = format!("expected a type after `:`, found {found_text}");
        }
    }
    // A missing token at the end of a line is reported where it is missing, not at the start of
    // the next line.
    let mut primary = found_span;
    if let Some(previous) = region.previous {
        if previous.end < found.start && text[previous.end..found.start].contains('\n') {
            primary = span(previous.end, previous.end);
        }
    }
    let mut diagnostic = Diagnostic::error(codes::EXPECTED, message, primary)
        .with_label(format!("expected {}", expected.list()));
    if primary != found_span && found.kind != TokenKind::Eof {
        diagnostic = diagnostic.with_secondary(found_span, "unexpected token");
    }
    let spaced_after_dot = region.previous.is_some_and(|p| {
        p.kind == TokenKind::Punct('.') && p.end < found.start && found.kind == TokenKind::Ident
    });
    if expected.items == ["value"] && found.kind == TokenKind::Ident {
        // `const x = AsyncIterable<T>;`, `const x = string;`: a type where a literal belongs.
        diagnostic = diagnostic.with_help(
            "a const holds a literal: a string, an integer, a float or `true`/`false`; types, streams among them, belong in declarations and methods",
        );
    } else if spaced_after_dot && expected.items.contains(&"identifier") {
        diagnostic = diagnostic.with_help("a qualified name has no spaces around `.`");
    } else if found.kind == TokenKind::Ident
        && expected.items.contains(&"identifier")
        && KEYWORDS.contains(&&text[found.start..found.end])
    {
        diagnostic = diagnostic.with_help(format!(
            "`{}` is a keyword and cannot name a declaration; choose another name",
            &text[found.start..found.end]
        ));
    } else if let Some(open) = region.open.last() {
        // Point at the delimiter the expected closer belongs to.
        if let TokenKind::Punct(c @ ('(' | '<')) = open.kind {
            let closer = format!("`{}`", closer_of(c));
            if expected.items.contains(&closer.as_str()) && open.start < found.start {
                diagnostic = diagnostic
                    .with_secondary(span(open.start, open.end), format!("`{c}` opened here"));
            }
        }
    }
    diagnostic
}

/// A malformed package name (E0013): a segment that is not an identifier after a `.`, or a
/// space on either side of a `.`. `None` when the error is something else (a missing `;`).
fn package_name_error(
    source: SourceId,
    text: &str,
    region: &Region,
    found: &Token,
    found_text: &str,
) -> Option<Diagnostic> {
    let previous = region.previous?;
    let span = |start: usize, end: usize| Span::new(source, start, end);
    let between = &text[previous.end..found.start];
    // Only blanks on one line read as a stray space; across a line break, something is missing.
    let spaced = !between.is_empty() && !between.contains(['\n', '\r']);
    let example = "a package name is identifiers separated by dots, as in `acme.people`";
    if previous.kind == TokenKind::Punct('.') {
        if spaced && found.kind == TokenKind::Ident {
            return Some(
                Diagnostic::error(
                    codes::BAD_PACKAGE_NAME,
                    "space after `.` in a package name",
                    span(previous.end, found.start),
                )
                .with_label("remove this space")
                .with_help(example),
            );
        }
        let primary = if between.contains(['\n', '\r']) || found.kind == TokenKind::Eof {
            span(previous.end, previous.end)
        } else {
            span(
                found.start,
                found.end.min(lexer::line_end(text, found.start)),
            )
        };
        return Some(
            Diagnostic::error(
                codes::BAD_PACKAGE_NAME,
                format!("expected an identifier after `.` in a package name, found {found_text}"),
                primary,
            )
            .with_label("expected an identifier")
            .with_help(
                "each segment of a package name is an identifier (a letter or `_`, then letters, digits and `_`), as in `acme.people`",
            ),
        );
    }
    if found.kind == TokenKind::Punct('.') && spaced && previous.kind == TokenKind::Ident {
        return Some(
            Diagnostic::error(
                codes::BAD_PACKAGE_NAME,
                "space before `.` in a package name",
                span(previous.end, found.start),
            )
            .with_label("remove this space")
            .with_help(example),
        );
    }
    None
}

/// The diagnostic for input cut off at a `<` nested too deeply for the parser to follow.
pub(crate) fn too_deep(source: SourceId, position: usize) -> Diagnostic {
    Diagnostic::error(
        codes::TOO_DEEP,
        "type is nested too deeply",
        Span::new(source, position, position + 1),
    )
    .with_label(format!("more than {MAX_TYPE_DEPTH} levels of `<...>`"))
    .with_help("name the inner types with `type` aliases")
}

/// True when `token` is a declaration keyword that starts its line and is followed by a name
/// (or, for `import`, a string): the start of the next declaration, whatever came before.
pub(crate) fn starts_declaration(text: &str, token: &Token) -> bool {
    let word = &text[token.start..token.end];
    if !DECLARATION_KEYWORDS.contains(&word) || !is_first_on_line(text, token.start) {
        return false;
    }
    let next = next_token(text, token.end);
    match word {
        "import" => matches!(next.kind, TokenKind::String { .. }),
        _ => next.kind == TokenKind::Ident,
    }
}

/// Where to resume parsing after an error at `position` in a declaration that began at
/// `item_start`: after the `}` that closes the broken declaration, or at the next line that
/// starts a declaration (with the docs and attributes just above it), whichever comes first.
/// Always greater than `item_start`, so the parser makes progress.
pub(crate) fn resume_point(text: &str, item_start: usize, position: usize) -> usize {
    // The braces already open at the error must all be closed; a `}` with none open ends the
    // broken declaration too (it is stray, and skipping it is the best guess).
    let mut depth = scan_region(text, item_start, position).braces;
    let mut pos = position;
    loop {
        let token = next_token(text, pos);
        match token.kind {
            TokenKind::Eof | TokenKind::UnterminatedComment => return text.len(),
            TokenKind::Punct('{') => depth += 1,
            TokenKind::Punct('}') => {
                if depth <= 1 {
                    return token.end;
                }
                depth -= 1;
            }
            TokenKind::Ident if token.start > item_start && starts_declaration(text, &token) => {
                let lead = leading_block_start(text, token.start);
                return if lead > position { lead } else { token.start };
            }
            _ => {}
        }
        pos = token.end;
    }
}

/// The grammar rule of one member of the body an error is in, when the error is inside the
/// body of a struct (`field`), interface (`method`) or notifications block (`event`), where
/// members end with `;` and can be checked one by one. `None` elsewhere (headers, enums,
/// unions, nested braces).
pub(crate) fn body_member_rule(text: &str, item_start: usize, position: usize) -> Option<Rule> {
    if scan_region(text, item_start, position).braces != 1 {
        return None;
    }
    let mut pos = item_start;
    loop {
        let token = next_token(text, pos);
        if token.start >= position {
            return None;
        }
        match token.kind {
            TokenKind::Punct('{') | TokenKind::Eof | TokenKind::UnterminatedComment => return None,
            TokenKind::Ident => match &text[token.start..token.end] {
                "struct" => return Some(Rule::field),
                "interface" => return Some(Rule::method),
                "notifications" => return Some(Rule::event),
                word if DECLARATION_KEYWORDS.contains(&word) => return None,
                _ => {}
            },
            _ => {}
        }
        pos = token.end;
    }
}

/// Where a broken member of a body ends.
pub(crate) enum MemberEnd {
    /// After its `;`: the next member (or the closing `}`) starts here.
    Next(usize),
    /// The body's `}` came first; parsing goes on after it.
    BodyClosed(usize),
    /// The end of the file, or a line that starts the next declaration: stop checking members.
    Stop,
}

/// Skips the rest of a broken member from `position`: to its `;`, or to the `}` that closes
/// the body.
pub(crate) fn end_of_member(text: &str, position: usize) -> MemberEnd {
    let mut depth = 0usize;
    let mut pos = position;
    loop {
        let token = next_token(text, pos);
        match token.kind {
            TokenKind::Eof | TokenKind::UnterminatedComment => return MemberEnd::Stop,
            TokenKind::Punct(';') if depth == 0 => return MemberEnd::Next(token.end),
            TokenKind::Punct('{') => depth += 1,
            TokenKind::Punct('}') => {
                if depth == 0 {
                    return MemberEnd::BodyClosed(token.end);
                }
                depth -= 1;
            }
            TokenKind::Ident if starts_declaration(text, &token) => return MemberEnd::Stop,
            _ => {}
        }
        pos = token.end;
    }
}

/// The start of the `///` and `@attribute` lines directly above the line at `pos`.
fn leading_block_start(text: &str, pos: usize) -> usize {
    let mut start = lexer::line_start(text, pos);
    while start > 0 {
        let previous = lexer::line_start(text, start - 1);
        let line = text[previous..start].trim();
        if line.starts_with("///") || line.starts_with('@') {
            start = previous;
        } else {
            break;
        }
    }
    // Skip the indentation of the first line, so the resumed parse starts on a token.
    start + text[start..].len() - text[start..].trim_start_matches([' ', '\t']).len()
}

/// Positions of `<` that open more than [`MAX_TYPE_DEPTH`] nested levels. The parser stops
/// before each one, so pest's recursion stays shallow whatever the input. Depth resets at `;`,
/// `{` and `}` (a type never spans them); strings and comments are skipped.
pub(crate) fn deep_nesting_positions(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut depth = 0usize;
    let mut reported = false;
    let mut pos = 0;
    while pos < bytes.len() {
        match bytes[pos] {
            b'<' => {
                depth += 1;
                if depth > MAX_TYPE_DEPTH && !reported {
                    found.push(pos);
                    reported = true;
                }
            }
            b'>' => depth = depth.saturating_sub(1),
            b';' | b'{' | b'}' => {
                depth = 0;
                reported = false;
            }
            b'"' => {
                let token = lexer::token_at(text, pos);
                pos = token.end;
                continue;
            }
            b'/' if matches!(bytes.get(pos + 1), Some(b'/' | b'*')) => {
                match lexer::skip_trivia(text, pos) {
                    Ok(next) if next > pos => pos = next,
                    Ok(_) => pos = lexer::line_end(text, pos),
                    Err(_) => return found,
                }
                continue;
            }
            _ => {}
        }
        pos += 1;
    }
    found
}

/// The candidate closest to `word` when it is close enough to be a likely misspelling.
pub(crate) fn closest<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    if word.len() > 32 {
        return None;
    }
    let limit = (word.len() / 3).max(1);
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
/// neighbouring characters (the usual typo, `interfcae`) each cost one.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous2 = vec![0usize; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0usize; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(previous2[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut previous2, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_swaps_as_one() {
        assert_eq!(edit_distance("interfcae", "interface"), 1);
        assert_eq!(edit_distance("strcut", "struct"), 1);
        assert_eq!(edit_distance("enum", "enum"), 0);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(closest("interfce", DECLARATION_KEYWORDS), Some("interface"));
        assert_eq!(closest("banana", DECLARATION_KEYWORDS), None);
    }

    #[test]
    fn finds_deep_nesting_outside_strings_and_comments() {
        let deep = "<".repeat(MAX_TYPE_DEPTH + 1);
        assert_eq!(deep_nesting_positions(&deep), vec![MAX_TYPE_DEPTH]);
        assert!(deep_nesting_positions(&format!("\"{deep}\" // {deep}\n/* {deep} */")).is_empty());
        assert_eq!(deep_nesting_positions(&format!("{deep};{deep}")).len(), 2);
    }
}
