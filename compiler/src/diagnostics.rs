//! Diagnostics: the error and warning values every stage produces, and their rustc-style rendering.

use serde::Serialize;

/// Identifies one loaded source text in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SourceId(pub u32);

/// A byte range in one source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Span {
    pub source: SourceId,
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset one past the last byte (`start == end` for a point, e.g. end of file).
    pub end: u32,
}

impl Span {
    pub fn new(source: SourceId, start: usize, end: usize) -> Self {
        Span {
            source,
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both (same source assumed).
    pub fn to(self, other: Span) -> Span {
        Span {
            source: self.source,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// Every source text of a run, so diagnostics can show lines.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    sources: Vec<(String, String)>,
}

impl SourceMap {
    /// Adds a source (display path, text) and returns its id.
    pub fn add(&mut self, path: impl Into<String>, text: impl Into<String>) -> SourceId {
        self.sources.push((path.into(), text.into()));
        SourceId(self.sources.len() as u32 - 1)
    }

    pub fn path(&self, id: SourceId) -> &str {
        &self.sources[id.0 as usize].0
    }

    pub fn text(&self, id: SourceId) -> &str {
        &self.sources[id.0 as usize].1
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One error or warning. `code` is stable (`E0101`, `W0001`) and listed in docs/language.md.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: &'static str,
    /// Lowercase, names in backticks: "type `Persn` does not exist".
    pub message: String,
    /// Where the mistake is; the caret goes here. `None` only for errors about no file at all.
    pub span: Option<Span>,
    /// Text printed under the caret, if any.
    pub label: Option<String>,
    /// Further places that explain the error ("first defined here").
    pub secondary: Vec<(Span, String)>,
    /// `note:` lines: context that explains the error (rendered before the help).
    pub notes: Vec<String>,
    /// `help:` line: a fix or a did-you-mean.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>, span: Span) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span: Some(span),
            label: None,
            secondary: Vec::new(),
            notes: Vec::new(),
            help: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>, span: Span) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message, span)
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_secondary(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push((span, label.into()));
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl SourceMap {
    /// The number of sources added.
    pub fn len(&self) -> usize {
        self.sources.len()
    }

    /// Adds every source of `other` after this map's own; returns the offset to add to the
    /// `SourceId`s of `other`'s spans (so diagnostics of two runs can be rendered together).
    pub fn append(&mut self, other: &SourceMap) -> u32 {
        let offset = self.sources.len() as u32;
        self.sources.extend(other.sources.iter().cloned());
        offset
    }

    /// Puts `prefix` before every path (`main:` for the sources of a git revision), so that
    /// two versions of one file can be told apart in a diagnostic.
    pub fn prefix_paths(&mut self, prefix: &str) {
        for (path, _) in &mut self.sources {
            path.insert_str(0, prefix);
        }
    }

    /// True when no source was added.
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// 1-based line and column (in characters) of a byte offset; an offset past the end, or
    /// inside a character, is moved back to the nearest character boundary.
    pub fn line_col(&self, id: SourceId, offset: u32) -> (usize, usize) {
        let text = self.text(id);
        let offset = floor_char_boundary(text, offset as usize);
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line = text[..line_start].matches('\n').count() + 1;
        (line, text[line_start..offset].chars().count() + 1)
    }
}

/// The largest character boundary of `text` at or before `offset`.
fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Width a tab is expanded to when a source line is shown.
const TAB_WIDTH: usize = 4;

/// ANSI styles, or nothing when colour is off.
struct Palette {
    error: &'static str,
    warning: &'static str,
    accent: &'static str,
    bold: &'static str,
    reset: &'static str,
}

impl Palette {
    fn new(color: bool) -> Palette {
        if color {
            Palette {
                error: "\x1b[1;31m",
                warning: "\x1b[1;33m",
                accent: "\x1b[1;34m",
                bold: "\x1b[1m",
                reset: "\x1b[0m",
            }
        } else {
            Palette {
                error: "",
                warning: "",
                accent: "",
                bold: "",
                reset: "",
            }
        }
    }

    fn severity(&self, severity: Severity) -> &'static str {
        match severity {
            Severity::Error => self.error,
            Severity::Warning => self.warning,
        }
    }
}

/// One underlined place in a rendered diagnostic.
struct Annotation<'d> {
    /// 0-based line index.
    line: usize,
    /// Display columns (tabs expanded), 0-based, `end > start`.
    start: usize,
    end: usize,
    label: Option<&'d str>,
    primary: bool,
}

/// One source line prepared for display: tabs expanded, control characters made visible.
struct DisplayLine {
    text: String,
    /// Display column of each character boundary, indexed by character count.
    columns: Vec<usize>,
}

fn display_line(line: &str) -> DisplayLine {
    let mut text = String::with_capacity(line.len());
    let mut columns = Vec::with_capacity(line.len() + 1);
    let mut column = 0;
    for c in line.chars() {
        columns.push(column);
        match c {
            '\t' => {
                let width = TAB_WIDTH - column % TAB_WIDTH;
                text.extend(std::iter::repeat_n(' ', width));
                column += width;
            }
            // A control character would move the cursor or vanish; show a placeholder instead.
            c if c.is_control() => {
                text.push('\u{fffd}');
                column += 1;
            }
            c => {
                text.push(c);
                column += 1;
            }
        }
    }
    columns.push(column);
    DisplayLine { text, columns }
}

/// The lines of a source text, found once per render.
struct LineTable<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> LineTable<'t> {
    fn new(text: &'t str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineTable { text, starts }
    }

    /// 0-based line index and byte offset within the line, for a byte offset. The end of a file
    /// that ends with a line break is shown at the end of its last line, not on an empty line.
    fn locate(&self, offset: usize) -> (usize, usize) {
        let mut offset = floor_char_boundary(self.text, offset);
        if offset == self.text.len() && offset > 0 && self.text.ends_with('\n') {
            offset -= 1;
            if offset > 0 && self.text.as_bytes()[offset - 1] == b'\r' {
                offset -= 1;
            }
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        (line, offset - self.starts[line])
    }

    /// The text of a 0-based line, without its line break.
    fn line(&self, line: usize) -> &'t str {
        let start = self.starts[line];
        let end = self
            .starts
            .get(line + 1)
            .map_or(self.text.len(), |next| next - 1);
        let text = &self.text[start..end];
        text.strip_suffix('\r').unwrap_or(text)
    }
}

/// Renders diagnostics the way rustc does:
///
/// ```text
/// error[E0001]: expected `;`, found `}`
///  --> greeter.ipc:3:15
///   |
/// 3 |   name: string
///   |               ^ expected `;`
///   |
///   = help: ...
/// ```
///
/// followed by a summary line (`error: could not compile due to 2 previous errors`). Columns are
/// 1-based and count characters; tabs are expanded so carets line up. `color` adds ANSI colours.
/// Spans past the end of their source are shown at its end; nothing here panics on any span.
pub fn render(diags: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let palette = Palette::new(color);
    let mut out = render_each(diags, sources, color);
    if let Some(summary) = summary(diags) {
        let style = if diags.iter().any(|d| d.severity == Severity::Error) {
            palette.error
        } else {
            palette.warning
        };
        let (kind, rest) = summary.split_once(':').unwrap_or(("error", &summary));
        out.push_str(&format!(
            "{style}{kind}{reset}{bold}:{rest}{reset}\n",
            reset = palette.reset,
            bold = palette.bold
        ));
    }
    out
}

/// The diagnostics as [`render`] shows them, without the summary line (for a single problem
/// that is not a compilation's, such as a bad project file).
pub fn render_each(diags: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let palette = Palette::new(color);
    let mut tables: Vec<Option<LineTable<'_>>> = (0..sources.len()).map(|_| None).collect();
    let mut out = String::new();
    for diagnostic in diags {
        render_one(diagnostic, sources, &mut tables, &palette, &mut out);
        out.push('\n');
    }
    out
}

/// The closing line of a run: `error: could not compile due to 3 previous errors; 1 warning
/// emitted`, `warning: 2 warnings emitted`, or `None` when there is nothing to report.
pub fn summary(diags: &[Diagnostic]) -> Option<String> {
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => None,
        (0, w) => Some(format!("warning: {} emitted", plural(w, "warning"))),
        (e, 0) => Some(format!(
            "error: could not compile due to {}",
            plural(e, "previous error")
        )),
        (e, w) => Some(format!(
            "error: could not compile due to {}; {} emitted",
            plural(e, "previous error"),
            plural(w, "warning")
        )),
    }
}

fn render_one<'s>(
    diagnostic: &Diagnostic,
    sources: &'s SourceMap,
    tables: &mut [Option<LineTable<'s>>],
    palette: &Palette,
    out: &mut String,
) {
    let kind = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    out.push_str(&format!(
        "{style}{kind}[{code}]{reset}{bold}: {message}{reset}\n",
        style = palette.severity(diagnostic.severity),
        code = diagnostic.code,
        message = diagnostic.message,
        reset = palette.reset,
        bold = palette.bold,
    ));

    // Every span to show, primary first, grouped by source in order of first appearance.
    let mut spans: Vec<(Span, Option<&str>, bool)> = Vec::new();
    if let Some(span) = diagnostic.span {
        spans.push((span, diagnostic.label.as_deref(), true));
    }
    spans.extend(
        diagnostic
            .secondary
            .iter()
            .map(|(span, label)| (*span, Some(label.as_str()), false)),
    );
    spans.retain(|(span, _, _)| (span.source.0 as usize) < sources.len());
    let mut order: Vec<SourceId> = Vec::new();
    for (span, _, _) in &spans {
        if !order.contains(&span.source) {
            order.push(span.source);
        }
    }

    // Gutter width: the widest line number shown anywhere in this diagnostic.
    let mut max_line = 1;
    for (span, _, _) in &spans {
        let table = tables[span.source.0 as usize]
            .get_or_insert_with(|| LineTable::new(sources.text(span.source)));
        max_line = max_line.max(table.locate(span.start as usize).0 + 1);
    }
    let gutter = max_line.to_string().len();
    let pad = " ".repeat(gutter);
    let bar = format!("{}{pad} |{}", palette.accent, palette.reset);

    for (index, source) in order.iter().enumerate() {
        let Some(table) = tables[source.0 as usize].as_ref() else {
            continue;
        };
        let mut annotations: Vec<Annotation<'_>> = Vec::new();
        for (span, label, primary) in spans.iter().filter(|(s, _, _)| s.source == *source) {
            let (line, start_byte) = table.locate(span.start as usize);
            let line_text = table.line(line);
            let shown = display_line(line_text);
            let start_byte = start_byte.min(line_text.len());
            // The span's end on the same line (a span over several lines is underlined to the
            // end of its first line).
            let end_offset =
                floor_char_boundary(table.text, (span.end as usize).max(span.start as usize));
            let end_byte =
                (end_offset.saturating_sub(table.starts[line])).clamp(start_byte, line_text.len());
            let start_char = line_text[..start_byte].chars().count();
            let end_char = start_char + line_text[start_byte..end_byte].chars().count();
            let start = shown.columns[start_char];
            let end = shown.columns[end_char].max(start + 1);
            annotations.push(Annotation {
                line,
                start,
                end,
                label: *label,
                primary: *primary,
            });
        }
        if annotations.is_empty() {
            continue;
        }
        let (line, column) = {
            let span = spans
                .iter()
                .find(|(s, _, _)| s.source == *source)
                .map(|(s, _, _)| *s)
                .unwrap_or_else(|| Span::new(*source, 0, 0));
            let (line, byte) = table.locate(span.start as usize);
            let line_text = table.line(line);
            (
                line + 1,
                line_text[..byte.min(line_text.len())].chars().count() + 1,
            )
        };
        let arrow = if index == 0 { "-->" } else { ":::" };
        out.push_str(&format!(
            "{pad}{accent}{arrow}{reset} {path}:{line}:{column}\n",
            accent = palette.accent,
            reset = palette.reset,
            path = sources.path(*source),
        ));
        out.push_str(&bar);
        out.push('\n');

        let mut lines: Vec<usize> = annotations.iter().map(|a| a.line).collect();
        lines.sort_unstable();
        lines.dedup();
        let mut previous_line: Option<usize> = None;
        for line in lines {
            if previous_line.is_some_and(|p| line > p + 1) {
                out.push_str(&format!("{}...{}\n", palette.accent, palette.reset));
            }
            previous_line = Some(line);
            let shown = display_line(table.line(line));
            out.push_str(&format!(
                "{accent}{number:>gutter$} |{reset} {text}\n",
                accent = palette.accent,
                reset = palette.reset,
                number = line + 1,
                text = shown.text,
            ));
            let mut on_line: Vec<&Annotation<'_>> =
                annotations.iter().filter(|a| a.line == line).collect();
            on_line.sort_by_key(|a| (!a.primary, a.start));
            for annotation in on_line {
                let (mark, style) = if annotation.primary {
                    ('^', palette.severity(diagnostic.severity))
                } else {
                    ('-', palette.accent)
                };
                let underline: String =
                    std::iter::repeat_n(mark, annotation.end - annotation.start).collect();
                let label = annotation
                    .label
                    .map(|l| format!(" {l}"))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "{bar} {indent}{style}{underline}{label}{reset}\n",
                    indent = " ".repeat(annotation.start),
                    reset = palette.reset,
                ));
            }
        }
    }

    let trailers = diagnostic
        .notes
        .iter()
        .map(|note| ("note", note))
        .chain(diagnostic.help.iter().map(|help| ("help", help)));
    for (index, (kind, text)) in trailers.enumerate() {
        if index == 0 && !spans.is_empty() {
            out.push_str(&bar);
            out.push('\n');
        }
        out.push_str(&format!(
            "{pad} {accent}={reset} {bold}{kind}{reset}: {text}\n",
            accent = palette.accent,
            bold = palette.bold,
            reset = palette.reset,
        ));
    }
}

#[cfg(test)]
mod render_tests {
    use super::*;

    fn one(text: &str, diagnostic: Diagnostic) -> String {
        let mut sources = SourceMap::default();
        sources.add("a.ipc", text);
        render(&[diagnostic], &sources, false)
    }

    #[test]
    fn renders_a_caret_under_the_span_with_label_and_help() {
        let rendered = one(
            "struct A {\n  name: string\n}\n",
            Diagnostic::error(
                "E0001",
                "expected `;`, found `}`",
                Span::new(SourceId(0), 25, 25),
            )
            .with_label("expected `;`")
            .with_help("add `;`"),
        );
        assert_eq!(
            rendered,
            "error[E0001]: expected `;`, found `}`\n --> a.ipc:2:15\n  |\n2 |   name: string\n  |               ^ expected `;`\n  |\n  = help: add `;`\n\nerror: could not compile due to 1 previous error\n"
        );
    }

    #[test]
    fn survives_spans_at_and_past_the_end_tabs_and_non_ascii() {
        for (text, start, end) in [
            ("", 0, 0),
            ("abc", 3, 3),
            ("abc\n", 4, 9),
            ("a\r\nb\r\n", 7, 7),
            ("\té€x", 1, 7),
            ("é", 1, 1),
            ("\0\0", 0, 2),
        ] {
            let rendered = one(
                text,
                Diagnostic::error("E0001", "m", Span::new(SourceId(0), start, end))
                    .with_secondary(Span::new(SourceId(0), end, start), "s"),
            );
            assert!(rendered.contains("^"), "{text:?}: {rendered}");
        }
        let rendered = one(
            "\tx é y",
            Diagnostic::error("E0001", "m", Span::new(SourceId(0), 6, 7)),
        );
        // Tab expanded to 4 columns, `é` one column: the caret sits under `y`.
        assert!(
            rendered.contains("1 |     x é y\n  |         ^\n"),
            "{rendered}"
        );
        assert!(rendered.contains("a.ipc:1:6"), "{rendered}");
    }

    #[test]
    fn colour_only_when_asked() {
        let mut sources = SourceMap::default();
        sources.add("a.ipc", "x");
        let d = [Diagnostic::warning(
            "W0001",
            "w",
            Span::new(SourceId(0), 0, 1),
        )];
        assert!(!render(&d, &sources, false).contains('\x1b'));
        assert!(render(&d, &sources, true).contains("\x1b[1;33m"));
        assert!(render(&d, &sources, false).starts_with("warning[W0001]: w\n"));
    }
}
