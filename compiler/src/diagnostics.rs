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

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}
