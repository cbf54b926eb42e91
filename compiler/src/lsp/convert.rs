//! Between the compiler's byte offsets and the protocol's positions (lines and UTF-16 code
//! units, as LSP requires), and from compiler diagnostics to protocol diagnostics.

use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Position, Range,
    Url,
};

use crate::analysis::Analysis;
use crate::diagnostics::{Diagnostic, Severity, SourceId, Span};

/// The start of every line of a text, for converting offsets and positions.
pub(crate) struct LineIndex<'t> {
    text: &'t str,
    /// Byte offset of each line's first byte.
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    pub fn new(text: &'t str) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        // `match_indices` of one byte searches with memchr: a keystroke in a large document
        // builds this index for its diagnostics.
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// The position of a byte offset; an offset past the end, or inside a character, moves
    /// back to the nearest character boundary.
    pub fn position(&self, offset: u32) -> Position {
        let mut offset = (offset as usize).min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let character: usize = self.text[self.starts[line]..offset]
            .chars()
            .map(char::len_utf16)
            .sum();
        Position::new(line as u32, character as u32)
    }

    /// The byte offset of a position; a line past the end means the end of the text, a
    /// character past the end of its line the end of that line (before its line break).
    pub fn offset(&self, position: Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return self.text.len();
        };
        let end = self
            .starts
            .get(position.line as usize + 1)
            .map_or(self.text.len(), |next| next - 1);
        let line = &self.text[start..end];
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut units = 0usize;
        for (index, c) in line.char_indices() {
            if units >= position.character as usize {
                return start + index;
            }
            units += c.len_utf16();
        }
        start + line.len()
    }

    pub fn range(&self, span: Span) -> Range {
        Range::new(
            self.position(span.start),
            self.position(span.end.max(span.start)),
        )
    }

    /// The whole text.
    pub fn full_range(&self) -> Range {
        Range::new(Position::new(0, 0), self.position(self.text.len() as u32))
    }
}

/// Line indexes of an analysis's sources, built when first needed.
pub(crate) struct Lines<'a> {
    analysis: &'a Analysis,
    built: Vec<Option<LineIndex<'a>>>,
}

impl<'a> Lines<'a> {
    pub fn new(analysis: &'a Analysis) -> Self {
        Lines {
            analysis,
            built: (0..analysis.checked.sources.len()).map(|_| None).collect(),
        }
    }

    pub fn range(&mut self, span: Span) -> Option<Range> {
        let slot = self.built.get_mut(span.source.0 as usize)?;
        let index = slot
            .get_or_insert_with(|| LineIndex::new(self.analysis.checked.sources.text(span.source)));
        Some(index.range(span))
    }

    /// The location of a span, in the file it belongs to.
    pub fn location(&mut self, span: Span) -> Option<Location> {
        let uri = file_url(self.analysis.checked.sources.path(span.source))?;
        Some(Location::new(uri, self.range(span)?))
    }
}

/// The URL of a path as the loader was given it (always absolute in the server).
pub(crate) fn file_url(path: &str) -> Option<Url> {
    Url::from_file_path(path).ok()
}

/// A compiler diagnostic as the protocol has it: the code, the primary span as the range,
/// secondary labels as related information, notes and help as lines of the message.
pub(crate) fn diagnostic(
    diagnostic: &Diagnostic,
    lines: &mut Lines<'_>,
) -> Option<(SourceId, lsp_types::Diagnostic)> {
    let span = diagnostic.span?;
    let range = lines.range(span)?;
    let mut message = diagnostic.message.clone();
    if let Some(label) = &diagnostic.label {
        message.push_str(&format!(" ({label})"));
    }
    for note in &diagnostic.notes {
        message.push_str(&format!("\nnote: {note}"));
    }
    if let Some(help) = &diagnostic.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let related: Vec<DiagnosticRelatedInformation> = diagnostic
        .secondary
        .iter()
        .filter_map(|(span, label)| {
            Some(DiagnosticRelatedInformation {
                location: lines.location(*span)?,
                message: label.clone(),
            })
        })
        .collect();
    Some((
        span.source,
        lsp_types::Diagnostic {
            range,
            severity: Some(match diagnostic.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
            }),
            code: Some(NumberOrString::String(diagnostic.code.to_string())),
            source: Some("ipcc".to_string()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            ..Default::default()
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_code_units() {
        let text = "// é 😀\nab😀c\r\nx";
        let index = LineIndex::new(text);
        let c = text.find('c').unwrap() as u32;
        // `a`, `b`, then 😀 is two UTF-16 units.
        assert_eq!(index.position(c), Position::new(1, 4));
        assert_eq!(index.offset(Position::new(1, 4)), c as usize);
        // Past the end of a line: before its `\r\n`.
        assert_eq!(index.offset(Position::new(1, 99)), text.find('\r').unwrap());
        assert_eq!(index.offset(Position::new(9, 0)), text.len());
        // Inside a character: moved back to its start.
        let emoji = text.find('😀').unwrap() as u32;
        assert_eq!(index.position(emoji + 1), index.position(emoji));
        assert_eq!(index.position(emoji), Position::new(0, 5));
        assert_eq!(index.full_range().end, Position::new(2, 1));
    }
}
