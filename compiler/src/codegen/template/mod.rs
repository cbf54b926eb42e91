//! User templates: a folder of handlebars files rendered against the JSON IR (`ipcc gen
//! --template DIR`), with the built-in generators' casing and type spelling as helpers.
//!
//! The folder convention (docs/templates.md):
//! - every `*.hbs` file outside `partials/` renders to the same relative path without `.hbs`;
//! - a path containing `{{` is rendered itself, once per root file, with that file in the
//!   context (`{{stem}}.md.hbs` → `greeter.md`); any other template renders once;
//! - `partials/**/*.hbs` are partials, named by their path below `partials/` without `.hbs`;
//! - names starting with `.` are skipped, and so is every file not ending in `.hbs`.
//!
//! Templates see only the IR: its JSON is the context (plus `file` and `stem` for per-file
//! templates, and `ipcc.version`), and every helper computes from the IR alone. Rendering runs
//! in strict mode without HTML escaping, as the built-in generators do; every problem is a
//! located [`Diagnostic`], never a panic.

mod helpers;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use handlebars::{
    Context, Handlebars, RenderError, RenderErrorReason, TemplateError, TemplateErrorReason,
};
use serde_json::Value;

use crate::diagnostics::{Diagnostic, SourceId, SourceMap, Span};
use crate::ir::loader::display_path;
use crate::ir::{FileId, Ir};
use crate::GeneratedFile;

/// A template that does not parse or fails to render (a missing field in strict mode, a helper
/// given the wrong value, an unknown partial).
pub const TEMPLATE_ERROR: &str = "E0801";
/// A template whose output path is not a plain relative path inside the output directory, or
/// two renderings that would write the same file.
pub const TEMPLATE_OUTPUT_ERROR: &str = "E0802";

/// The folder holding the partials.
pub const PARTIALS_DIR: &str = "partials";
/// The extension of a template file.
const EXTENSION: &str = ".hbs";

/// A template folder, read: its templates and partials with their text.
#[derive(Debug, Clone)]
pub struct TemplateDir {
    /// The folder as given, `/` separators; diagnostics name files below it.
    dir: String,
    /// Output templates by path relative to the folder (`{{stem}}.md.hbs`), sorted.
    templates: Vec<TemplateSource>,
    /// Partials by path relative to the folder (`partials/method.hbs`), sorted.
    partials: Vec<TemplateSource>,
}

/// One `.hbs` file of a template folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSource {
    /// Path relative to the template folder, `/` separators.
    pub path: String,
    pub text: String,
}

/// Why a template folder could not be read.
#[derive(Debug)]
pub enum TemplateReadError {
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The folder holds no template outside `partials/`.
    Empty { dir: PathBuf },
}

impl fmt::Display for TemplateReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateReadError::Io { path, error } => {
                write!(f, "cannot read `{}`: {error}", display_path(path))
            }
            TemplateReadError::Empty { dir } => write!(
                f,
                "no template in `{}`: templates are the `*{EXTENSION}` files outside `{PARTIALS_DIR}/`",
                display_path(dir)
            ),
        }
    }
}

impl std::error::Error for TemplateReadError {}

/// Everything wrong with a template folder's rendering, with the template texts to show it.
#[derive(Debug, Clone)]
pub struct TemplateErrors {
    pub diagnostics: Vec<Diagnostic>,
    pub sources: SourceMap,
}

impl TemplateErrors {
    /// The errors as the CLI prints them (rustc-style, pointing into the template).
    pub fn render(&self, color: bool) -> String {
        crate::diagnostics::render_each(&self.diagnostics, &self.sources, color)
    }
}

impl fmt::Display for TemplateErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.render(false).trim_end())
    }
}

impl std::error::Error for TemplateErrors {}

impl TemplateDir {
    /// Reads every template and partial below `dir` (sorted by path). Directories are walked
    /// without following symbolic links to directories, so a link cycle cannot make this loop.
    pub fn read(dir: &Path) -> Result<TemplateDir, TemplateReadError> {
        let mut found = Vec::new();
        let mut pending = vec![dir.to_path_buf()];
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |error| TemplateReadError::Io { path, error }
        };
        while let Some(current) = pending.pop() {
            for entry in std::fs::read_dir(&current).map_err(io(&current))? {
                let entry = entry.map_err(io(&current))?;
                let path = entry.path();
                if entry.file_name().to_string_lossy().starts_with('.') {
                    continue;
                }
                let file_type = entry.file_type().map_err(io(&path))?;
                if file_type.is_dir() {
                    pending.push(path);
                } else if path.to_string_lossy().ends_with(EXTENSION) && path.is_file() {
                    let text = std::fs::read_to_string(&path).map_err(io(&path))?;
                    let relative = path.strip_prefix(dir).unwrap_or(&path);
                    found.push((display_path(relative), text));
                }
            }
        }
        let read = TemplateDir::from_sources(display_path(dir), found);
        if read.templates.is_empty() {
            return Err(TemplateReadError::Empty {
                dir: dir.to_path_buf(),
            });
        }
        Ok(read)
    }

    /// A template folder from memory: `dir` as diagnostics name it, and `(path, text)` pairs
    /// with paths relative to it (`/` separators). Paths not ending in `.hbs` are ignored.
    pub fn from_sources(
        dir: impl Into<String>,
        files: impl IntoIterator<Item = (String, String)>,
    ) -> TemplateDir {
        let mut templates = Vec::new();
        let mut partials = Vec::new();
        for (path, text) in files {
            if !path.ends_with(EXTENSION) {
                continue;
            }
            let source = TemplateSource { path, text };
            if source.path.starts_with(&format!("{PARTIALS_DIR}/")) {
                partials.push(source);
            } else {
                templates.push(source);
            }
        }
        templates.sort_by(|a, b| a.path.cmp(&b.path));
        partials.sort_by(|a, b| a.path.cmp(&b.path));
        TemplateDir {
            dir: dir.into(),
            templates,
            partials,
        }
    }

    /// The output templates, sorted by path.
    pub fn templates(&self) -> &[TemplateSource] {
        &self.templates
    }

    /// The partials, sorted by path.
    pub fn partials(&self) -> &[TemplateSource] {
        &self.partials
    }

    /// Renders every template against `ir`: the files to write below the output folder,
    /// sorted by path, or every problem found (syntax errors of all files; the first rendering
    /// error of each template; paths that leave the output folder or collide).
    pub fn render(&self, ir: &Ir) -> Result<Vec<GeneratedFile>, TemplateErrors> {
        let mut run = Run::new(self, ir);
        run.register();
        if !run.errors.is_empty() {
            return Err(run.into_errors());
        }
        let files = run.render_all();
        if !run.errors.is_empty() {
            return Err(run.into_errors());
        }
        Ok(files)
    }

    /// The display path of a file of this folder.
    fn file_path(&self, relative: &str) -> String {
        if self.dir.is_empty() || self.dir == "." {
            relative.to_string()
        } else {
            format!("{}/{relative}", self.dir.trim_end_matches('/'))
        }
    }
}

/// A partial's name: its path below `partials/` without `.hbs`.
fn partial_name(path: &str) -> &str {
    let name = path.strip_prefix(PARTIALS_DIR).unwrap_or(path);
    let name = name.strip_prefix('/').unwrap_or(name);
    name.strip_suffix(EXTENSION).unwrap_or(name)
}

/// The name a template is registered under: its path after a `/`, which no partial name
/// (a path below `partials/`) can start with, so the two never replace each other.
fn registry_name(path: &str) -> String {
    format!("/{path}")
}

/// Whether a template renders once per root file: its path holds an expression.
fn is_per_file(path: &str) -> bool {
    path.contains("{{")
}

/// One rendering of a folder: the registry, and the diagnostics found so far.
struct Run<'a> {
    dir: &'a TemplateDir,
    ir: &'a Ir,
    registry: Handlebars<'a>,
    sources: SourceMap,
    /// Registered template name → its source in `sources`.
    source_of: BTreeMap<String, SourceId>,
    errors: Vec<Diagnostic>,
}

impl<'a> Run<'a> {
    fn new(dir: &'a TemplateDir, ir: &'a Ir) -> Self {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        registry.register_escape_fn(handlebars::no_escape);
        helpers::register(&mut registry, ir);
        Run {
            dir,
            ir,
            registry,
            sources: SourceMap::default(),
            source_of: BTreeMap::new(),
            errors: Vec::new(),
        }
    }

    /// Registers every partial (by partial name) and template (by [`registry_name`]); a file
    /// that does not parse is an error, and the others are still checked.
    fn register(&mut self) {
        let partials = (self.dir.partials.iter()).map(|s| (partial_name(&s.path).to_string(), s));
        let templates = (self.dir.templates.iter()).map(|s| (registry_name(&s.path), s));
        for (name, source) in partials.chain(templates).collect::<Vec<_>>() {
            let id = self
                .sources
                .add(self.dir.file_path(&source.path), source.text.clone());
            self.source_of.insert(name.clone(), id);
            if let Err(error) = self.registry.register_template_string(&name, &source.text) {
                let diagnostic = self.syntax_error(id, &error);
                self.errors.push(diagnostic);
            }
        }
    }

    fn render_all(&mut self) -> Vec<GeneratedFile> {
        // Which template wrote each output path (and for which file), to report collisions.
        let mut written: BTreeMap<String, (String, Option<FileId>)> = BTreeMap::new();
        let mut files = Vec::new();
        let mut context = match Context::wraps(self.ir) {
            Ok(context) => context,
            Err(error) => {
                self.errors.push(no_span_error(
                    TEMPLATE_ERROR,
                    format!("the model does not convert to JSON: {error}"),
                ));
                return files;
            }
        };
        if let Value::Object(map) = context.data_mut() {
            map.insert(
                "ipcc".to_string(),
                serde_json::json!({ "version": env!("CARGO_PKG_VERSION") }),
            );
        }
        let roots: Vec<FileId> = (0..self.ir.files.len())
            .filter(|&index| self.ir.files[index].is_root)
            .map(|index| FileId(index as u32))
            .collect();
        for template in &self.dir.templates {
            let per_file: Vec<Option<FileId>> = if is_per_file(&template.path) {
                roots.iter().copied().map(Some).collect()
            } else {
                vec![None]
            };
            for file in per_file {
                set_file(&mut context, self.ir, file);
                let Some(rendered) = self.render_one(template, &context) else {
                    // One error per template: the same mistake for every file says no more.
                    break;
                };
                let (path, contents) = rendered;
                if let Some((other, other_file)) = written.get(&path) {
                    let message = self.collision(&path, template, file, other, *other_file);
                    self.errors.push(message);
                    break;
                }
                written.insert(path.clone(), (template.path.clone(), file));
                files.push(GeneratedFile { path, contents });
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }

    /// Renders one template's path and contents; `None` after recording an error.
    fn render_one(
        &mut self,
        template: &TemplateSource,
        context: &Context,
    ) -> Option<(String, String)> {
        let unrendered = template
            .path
            .strip_suffix(EXTENSION)
            .unwrap_or(&template.path);
        let path = if is_per_file(unrendered) {
            match self
                .registry
                .render_template_with_context(unrendered, context)
            {
                Ok(path) => path,
                Err(error) => {
                    // The path is shown as a source of its own, so the caret points into it.
                    let id = self.sources.add(
                        format!("{} (file name)", self.dir.file_path(&template.path)),
                        unrendered,
                    );
                    let diagnostic = self.render_error(Some(id), &error);
                    self.errors.push(diagnostic);
                    return None;
                }
            }
        } else {
            unrendered.to_string()
        };
        if let Err(why) = check_output_path(&path) {
            self.errors.push(
                no_span_error(
                    TEMPLATE_OUTPUT_ERROR,
                    format!(
                        "template `{}` would write `{path}`: {why}",
                        self.dir.file_path(&template.path)
                    ),
                )
                .with_help(
                    "a template's path must render to a relative path inside the output directory, without `..`",
                ),
            );
            return None;
        }
        match (self.registry).render_with_context(&registry_name(&template.path), context) {
            Ok(contents) => Some((path, contents)),
            Err(error) => {
                let diagnostic = self.render_error(None, &error);
                self.errors.push(diagnostic);
                None
            }
        }
    }

    fn collision(
        &self,
        path: &str,
        template: &TemplateSource,
        file: Option<FileId>,
        other: &str,
        other_file: Option<FileId>,
    ) -> Diagnostic {
        let describe = |template: &str, file: Option<FileId>| match file {
            Some(file) => format!(
                "`{}` for `{}`",
                self.dir.file_path(template),
                self.ir.file(file).path
            ),
            None => format!("`{}`", self.dir.file_path(template)),
        };
        no_span_error(
            TEMPLATE_OUTPUT_ERROR,
            format!(
                "{} and {} both write `{path}`",
                describe(other, other_file),
                describe(&template.path, file)
            ),
        )
        .with_help(
            "root files with the same stem need a path that tells them apart, such as `{{file.path}}.md.hbs`",
        )
    }

    fn syntax_error(&self, source: SourceId, error: &TemplateError) -> Diagnostic {
        let text = self.sources.text(source);
        let offset = error
            .pos()
            .map_or(0, |(line, column)| offset_of(text, line, column));
        let message = syntax_message(error, text, offset);
        self.located(source, error.pos(), message, "does not parse".to_string())
    }

    /// A rendering error, located in the template (or partial) it happened in; `path_source`
    /// when it happened while rendering a template's path.
    fn render_error(&self, path_source: Option<SourceId>, error: &RenderError) -> Diagnostic {
        let source = path_source.or_else(|| {
            error
                .template_name
                .as_ref()
                .and_then(|name| self.source_of.get(name).copied())
        });
        let position = error.line_no.zip(error.column_no);
        let (message, label, help) = match (error.reason(), source) {
            // A path is compiled as it is rendered, so its syntax errors come this way.
            (RenderErrorReason::TemplateError(inner), Some(source)) => {
                return self.syntax_error(source, inner);
            }
            _ => render_message(error),
        };
        let diagnostic = match source {
            Some(source) => self.located(source, position, message, label),
            None => no_span_error(TEMPLATE_ERROR, message),
        };
        match help {
            Some(help) => diagnostic.with_help(help),
            None => diagnostic,
        }
    }

    /// An error at a 1-based line and column of a source (its start when unknown), spanning
    /// the `{{ ... }}` expression that starts there.
    fn located(
        &self,
        source: SourceId,
        position: Option<(usize, usize)>,
        message: String,
        label: String,
    ) -> Diagnostic {
        let text = self.sources.text(source);
        let start = position.map_or(0, |(line, column)| offset_of(text, line, column));
        let end = match text[start..].strip_prefix("{{") {
            Some(rest) => {
                let line_end = rest.find('\n').unwrap_or(rest.len());
                match rest[..line_end].find("}}") {
                    Some(close) => start + 2 + close + 2,
                    None => start,
                }
            }
            None => start,
        };
        Diagnostic::error(TEMPLATE_ERROR, message, Span::new(source, start, end)).with_label(label)
    }

    fn into_errors(self) -> TemplateErrors {
        TemplateErrors {
            diagnostics: self.errors,
            sources: self.sources,
        }
    }
}

/// Puts a root file into the context as `file` (its `SourceFile` plus `id`) and `stem`, or
/// takes them out for a template rendered once.
fn set_file(context: &mut Context, ir: &Ir, file: Option<FileId>) {
    let Value::Object(map) = context.data_mut() else {
        return;
    };
    match file {
        Some(id) => {
            let source = ir.file(id);
            let mut value = serde_json::to_value(source).unwrap_or(Value::Null);
            if let Value::Object(fields) = &mut value {
                fields.insert("id".to_string(), Value::from(id.0));
            }
            map.insert("file".to_string(), value);
            map.insert("stem".to_string(), Value::from(source.stem.clone()));
        }
        None => {
            map.remove("file");
            map.remove("stem");
        }
    }
}

/// Checks a rendered output path: relative, `/`-separated, every segment a plain name.
fn check_output_path(path: &str) -> Result<(), String> {
    if path.trim().is_empty() {
        return Err("the path is empty".to_string());
    }
    if path.starts_with('/') || Path::new(path).has_root() {
        return Err("the path starts with `/` (it would be absolute)".to_string());
    }
    for segment in path.split('/') {
        match segment {
            "" => return Err("the path has an empty segment".to_string()),
            "." | ".." => return Err(format!("the path has a `{segment}` segment")),
            _ if segment.contains('\\') => {
                return Err("the path has a `\\` (separators are `/`)".to_string())
            }
            _ if segment.contains('\0') => return Err("the path has a NUL".to_string()),
            _ => {}
        }
    }
    let plain = Path::new(path)
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !plain {
        return Err("the path is not a plain relative path".to_string());
    }
    Ok(())
}

/// The byte offset of a 1-based line and character column, clamped to the text.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for _ in 1..line.max(1) {
        match text[offset..].find('\n') {
            Some(newline) => offset += newline + 1,
            None => return text.len(),
        }
    }
    let rest = &text[offset..];
    let line_len = rest.find('\n').unwrap_or(rest.len());
    let within = rest[..line_len]
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line_len, |(i, _)| i);
    offset + within
}

fn no_span_error(code: &'static str, message: String) -> Diagnostic {
    Diagnostic {
        span: None,
        ..Diagnostic::error(code, message, Span::new(SourceId(0), 0, 0))
    }
}

/// A parse error's message, in the words of handlebars' syntax rather than its grammar's rule
/// names (which the diagnostic never shows).
fn syntax_message(error: &TemplateError, text: &str, offset: usize) -> String {
    match error.reason() {
        TemplateErrorReason::MismatchingClosedHelper(open, close)
        | TemplateErrorReason::MismatchingClosedDecorator(open, close) => {
            format!("`{{{{#{open}}}}}` is closed by `{{{{/{close}}}}}`")
        }
        TemplateErrorReason::InvalidSyntax(detail) => {
            if text[offset..].trim().is_empty() {
                return "the template ends inside a block: a `{{#...}}` has no `{{/...}}`"
                    .to_string();
            }
            // pest's text: `expected rule_a, rule_b, or rule_c`.
            let expected = detail
                .lines()
                .rev()
                .find_map(|line| {
                    let line = line.trim();
                    line.strip_prefix("= ")
                        .unwrap_or(line)
                        .strip_prefix("expected ")
                })
                .and_then(expected_tokens);
            match expected {
                Some(expected) => format!("invalid handlebars syntax: expected {expected}"),
                None => "invalid handlebars syntax".to_string(),
            }
        }
        other => lowercase_first(&other.to_string()),
    }
}

/// `identifier, helper_parameter, or trailing_tilde_to_omit_whitespace` → `a name, a value, or
/// `}}``; `None` when a rule has no plain name.
fn expected_tokens(rules: &str) -> Option<String> {
    let mut tokens: Vec<&str> = Vec::new();
    for rule in rules.split(", ").flat_map(|rule| rule.split(" or ")) {
        let rule = rule.trim().trim_start_matches("or ").trim();
        let token = match rule {
            "leading_tilde_to_omit_whitespace" => continue,
            "trailing_tilde_to_omit_whitespace" => "`}}`",
            "identifier" => "a name",
            "partial_identifier" => "a partial name",
            "path_inline" => "a path",
            "helper_parameter" | "param" | "literal" => "a value",
            "subexpression" => "`(`",
            "hash" => "`key=value`",
            "string_literal" => "a string",
            "number_literal" => "a number",
            _ => return None,
        };
        if !tokens.contains(&token) {
            tokens.push(token);
        }
    }
    match tokens.as_slice() {
        [] => None,
        [one] => Some(one.to_string()),
        [rest @ .., last] => Some(format!("{}, or {last}", rest.join(", "))),
    }
}

const MISSING_ARGUMENT_HELP: &str =
    "in strict mode, a name that does not exist counts as a missing argument";

/// A rendering error's message, label and help.
fn render_message(error: &RenderError) -> (String, String, Option<String>) {
    match error.reason() {
        RenderErrorReason::MissingVariable(path) => {
            let what = path.as_deref().unwrap_or("a value");
            (
                format!("`{what}` does not exist here"),
                "not in the context".to_string(),
                Some(
                    "templates render in strict mode: every name must exist in the context (the JSON of `ipcc ir`, see docs/templates.md); test optional values with `{{#if}}`"
                        .to_string(),
                ),
            )
        }
        RenderErrorReason::PartialNotFound(name) => (
            format!("no partial `{name}`"),
            "unknown partial".to_string(),
            Some(format!(
                "partials are the `*{EXTENSION}` files below `{PARTIALS_DIR}/`, named by their path there without `{EXTENSION}`"
            )),
        ),
        RenderErrorReason::HelperNotFound(name) => (
            format!("no helper `{name}`"),
            "unknown helper".to_string(),
            Some("docs/templates.md lists the helpers".to_string()),
        ),
        RenderErrorReason::ParamNotFoundForIndex(helper, index) => (
            format!("`{helper}` is missing argument {}", index + 1),
            "missing argument".to_string(),
            Some(MISSING_ARGUMENT_HELP.to_string()),
        ),
        RenderErrorReason::ParamNotFoundForName(helper, _) => (
            format!("`{helper}` is missing its argument"),
            "missing argument".to_string(),
            Some(MISSING_ARGUMENT_HELP.to_string()),
        ),
        other => (
            lowercase_first(&other.to_string()),
            "while rendering this".to_string(),
            None,
        ),
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests;
