//! The server's state and its dispatch: messages in, messages out, no I/O of its own (the
//! transport, or a test, or a benchmark feeds it).
//!
//! What is checked together ("units"): the project's inputs when an `ipcc.toml` is found from
//! the workspace root (exactly what `ipcc check` without arguments checks), and each open
//! document that the project does not read, with its imports. A change re-checks only the
//! units that read the changed file; changes that arrive together are applied first and
//! checked once ([`Server::flush`] runs when the queue is empty).

use std::collections::{HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response, ResponseError};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{notification, request, InitializeParams, PublishDiagnosticsParams, Url};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::analysis::Analysis;
use crate::ir::loader::{display_path, normalize};
use crate::ir::ReuseCache;
use crate::lsp::convert::{self, Lines};
use crate::lsp::documents::Documents;
use crate::lsp::features;
use crate::project::Project;

/// The custom request that makes a handler panic, honoured only when the environment variable
/// [`TEST_PANIC_VARIABLE`] is set: the tests' proof that a panic becomes an error response.
pub const TEST_PANIC_REQUEST: &str = "ipcc/testPanic";
/// See [`TEST_PANIC_REQUEST`].
pub const TEST_PANIC_VARIABLE: &str = "IPCC_LSP_TEST_PANIC";

/// One set of roots checked together.
pub(crate) struct Unit {
    pub roots: Vec<PathBuf>,
    /// The open document this unit exists for; `None` for the project's unit.
    pub document: Option<PathBuf>,
    /// The last check; its index (`files`) is empty unless `indexed`.
    pub analysis: Option<Analysis>,
    /// Whether `analysis` carries the index. A keystroke's check leaves it out, so that the
    /// diagnostics go out after one pass of the front end; the first request that needs the
    /// index builds it (see [`Server::refresh_indexed`]).
    pub indexed: bool,
    /// Every file the last check read or tried to read (normalised).
    pub files: HashSet<PathBuf>,
    pub dirty: bool,
    /// The last check's diagnostics, per file, as published.
    pub diagnostics: HashMap<PathBuf, Vec<lsp_types::Diagnostic>>,
    /// What a keystroke's check reuses: the declarations it did not change.
    reuse: ReuseCache,
}

impl Unit {
    fn new(roots: Vec<PathBuf>, document: Option<PathBuf>) -> Self {
        Unit {
            roots,
            document,
            analysis: None,
            indexed: false,
            files: HashSet::new(),
            dirty: true,
            diagnostics: HashMap::new(),
            reuse: ReuseCache::default(),
        }
    }

    fn reads(&self, path: &Path) -> bool {
        self.files.contains(path) || self.roots.iter().any(|r| r == path)
    }
}

/// The language server.
pub struct Server {
    initialized: bool,
    shutdown_requested: bool,
    pub(crate) documents: Documents,
    pub(crate) project: Option<Project>,
    pub(crate) units: Vec<Unit>,
    /// What was last published per file (so that an unchanged list is not sent again, and a
    /// file whose problems are gone gets an empty list).
    published: HashMap<PathBuf, Vec<lsp_types::Diagnostic>>,
    diagnostics_changed: bool,
    test_panics: bool,
}

impl Default for Server {
    fn default() -> Self {
        Self::new()
    }
}

/// What a request handler returns: a result to serialise, or an error response.
pub(crate) type Answer = Result<Value, ResponseError>;

pub(crate) fn error(code: ErrorCode, message: impl Into<String>) -> ResponseError {
    ResponseError {
        code: code as i32,
        message: message.into(),
        data: None,
    }
}

impl Server {
    pub fn new() -> Self {
        Server {
            initialized: false,
            shutdown_requested: false,
            documents: Documents::default(),
            project: None,
            units: Vec::new(),
            published: HashMap::new(),
            diagnostics_changed: false,
            test_panics: std::env::var_os(TEST_PANIC_VARIABLE).is_some(),
        }
    }

    /// Handles one message, appending what to send to `out`. Returns the process's exit code
    /// once the client sent `exit` (0 after `shutdown`, 1 without).
    pub fn handle(&mut self, message: Message, out: &mut Vec<Message>) -> Option<i32> {
        match message {
            Message::Request(request) => {
                let response = self.request(request, out);
                out.push(Message::Response(response));
                None
            }
            Message::Notification(notification) => {
                if notification.method == notification::Exit::METHOD {
                    return Some(if self.shutdown_requested { 0 } else { 1 });
                }
                let method = notification.method.clone();
                let outcome =
                    catch_unwind(AssertUnwindSafe(|| self.notification(notification, out)));
                if let Err(panic) = outcome {
                    log(&format!(
                        "internal error handling `{method}`: {}",
                        panic_message(&panic)
                    ));
                    // Whatever state the panic left, check everything again.
                    self.mark_all_dirty();
                }
                None
            }
            // The server sends no requests, so expects no responses.
            Message::Response(_) => None,
        }
    }

    /// Brings every check up to date and publishes the diagnostics that changed; the main loop
    /// calls it when no message is waiting, so a burst of changes is checked once.
    pub fn flush(&mut self, out: &mut Vec<Message>) {
        if catch_unwind(AssertUnwindSafe(|| self.refresh())).is_err() {
            log("internal error while checking; the files will be checked again");
            self.mark_all_dirty();
            return;
        }
        if !self.diagnostics_changed {
            return;
        }
        self.diagnostics_changed = false;
        let mut merged: HashMap<PathBuf, Vec<lsp_types::Diagnostic>> = HashMap::new();
        for unit in &self.units {
            for (path, diagnostics) in &unit.diagnostics {
                let list = merged.entry(path.clone()).or_default();
                for diagnostic in diagnostics {
                    if !list.contains(diagnostic) {
                        list.push(diagnostic.clone());
                    }
                }
            }
        }
        // Files with nothing to report any more get an empty list.
        let gone: Vec<PathBuf> = self
            .published
            .keys()
            .filter(|path| !merged.contains_key(*path))
            .cloned()
            .collect();
        for path in gone {
            self.published.remove(&path);
            self.publish(&path, Vec::new(), out);
        }
        let mut paths: Vec<&PathBuf> = merged.keys().collect();
        paths.sort();
        for path in paths {
            let diagnostics = &merged[path];
            if self.published.get(path) == Some(diagnostics) {
                continue;
            }
            if diagnostics.is_empty() {
                self.published.remove(path);
            } else {
                self.published.insert(path.clone(), diagnostics.clone());
            }
            self.publish(path, diagnostics.clone(), out);
        }
    }

    fn publish(
        &self,
        path: &Path,
        diagnostics: Vec<lsp_types::Diagnostic>,
        out: &mut Vec<Message>,
    ) {
        let Some(uri) = self.url_of(path) else {
            return;
        };
        let version = self.documents.get(path).map(|d| d.version);
        out.push(Message::Notification(Notification::new(
            notification::PublishDiagnostics::METHOD.to_string(),
            PublishDiagnosticsParams {
                uri,
                diagnostics,
                version,
            },
        )));
    }

    pub(crate) fn url_of(&self, path: &Path) -> Option<Url> {
        match self.documents.get(path) {
            Some(document) => Some(document.uri.clone()),
            None => Url::from_file_path(path).ok(),
        }
    }

    fn request(&mut self, request: Request, out: &mut Vec<Message>) -> Response {
        let Request { id, method, params } = request;
        if method == request::Initialize::METHOD {
            return match serde_json::from_value::<InitializeParams>(params) {
                Ok(params) => {
                    self.initialize(&params);
                    Response::new_ok(id, features::initialize_result())
                }
                Err(e) => invalid_params(id, &method, e),
            };
        }
        if !self.initialized {
            return response(
                id,
                Err(error(
                    ErrorCode::ServerNotInitialized,
                    "the server is not initialized yet",
                )),
            );
        }
        if self.shutdown_requested {
            return response(
                id,
                Err(error(
                    ErrorCode::InvalidRequest,
                    "the server is shutting down",
                )),
            );
        }
        if method == request::Shutdown::METHOD {
            self.shutdown_requested = true;
            return Response::new_ok(id, ());
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| self.dispatch(&method, params, out)));
        match outcome {
            Ok(answer) => response(id, answer),
            Err(panic) => {
                let message = format!(
                    "internal error in `ipcc lsp` while handling `{method}`: {}",
                    panic_message(&panic)
                );
                log(&message);
                self.mark_all_dirty();
                response(id, Err(error(ErrorCode::InternalError, message)))
            }
        }
    }

    fn dispatch(&mut self, method: &str, params: Value, out: &mut Vec<Message>) -> Answer {
        if method == TEST_PANIC_REQUEST && self.test_panics {
            panic!("panic requested by the test trigger");
        }
        self.refresh_indexed();
        match method {
            request::HoverRequest::METHOD => features::hover(self, parse(method, params)?),
            request::GotoDefinition::METHOD => features::definition(self, parse(method, params)?),
            request::References::METHOD => features::references(self, parse(method, params)?),
            request::PrepareRenameRequest::METHOD => {
                features::prepare_rename(self, parse(method, params)?)
            }
            request::Rename::METHOD => features::rename(self, parse(method, params)?, out),
            request::DocumentSymbolRequest::METHOD => {
                features::document_symbols(self, parse(method, params)?)
            }
            request::WorkspaceSymbolRequest::METHOD => {
                features::workspace_symbols(self, parse(method, params)?)
            }
            request::Completion::METHOD => features::completion(self, parse(method, params)?),
            request::Formatting::METHOD => features::formatting(self, parse(method, params)?),
            _ => Err(error(
                ErrorCode::MethodNotFound,
                format!("`ipcc lsp` does not handle `{method}`"),
            )),
        }
    }

    fn notification(&mut self, notification: Notification, _out: &mut Vec<Message>) {
        let Notification { method, params } = notification;
        match method.as_str() {
            notification::Initialized::METHOD => {}
            notification::DidOpenTextDocument::METHOD => {
                let Some(params) =
                    parse_notification::<lsp_types::DidOpenTextDocumentParams>(&method, params)
                else {
                    return;
                };
                let document = params.text_document;
                let Some(path) = path_of(&document.uri) else {
                    log(&format!("ignored `{}`: not a file", document.uri));
                    return;
                };
                self.documents
                    .open(path.clone(), document.uri, document.version, document.text);
                self.file_changed(&path);
                self.arrange_units();
            }
            notification::DidChangeTextDocument::METHOD => {
                let Some(params) =
                    parse_notification::<lsp_types::DidChangeTextDocumentParams>(&method, params)
                else {
                    return;
                };
                let Some(path) = path_of(&params.text_document.uri) else {
                    return;
                };
                if self.documents.change(
                    &path,
                    params.text_document.version,
                    params.content_changes,
                ) {
                    self.file_changed(&path);
                }
            }
            notification::DidCloseTextDocument::METHOD => {
                let Some(params) =
                    parse_notification::<lsp_types::DidCloseTextDocumentParams>(&method, params)
                else {
                    return;
                };
                let Some(path) = path_of(&params.text_document.uri) else {
                    return;
                };
                if self.documents.close(&path).is_some() {
                    // The file is read from disk again by whoever imports it.
                    self.file_changed(&path);
                    self.arrange_units();
                }
            }
            notification::DidSaveTextDocument::METHOD => {}
            notification::DidChangeWatchedFiles::METHOD => {
                let Some(params) =
                    parse_notification::<lsp_types::DidChangeWatchedFilesParams>(&method, params)
                else {
                    return;
                };
                for change in params.changes {
                    if let Some(path) = path_of(&change.uri) {
                        self.file_changed(&path);
                    }
                }
            }
            _ => {}
        }
    }

    fn initialize(&mut self, params: &InitializeParams) {
        self.initialized = true;
        #[allow(deprecated)]
        let root = params
            .workspace_folders
            .as_ref()
            .and_then(|folders| folders.first())
            .and_then(|folder| folder.uri.to_file_path().ok())
            .or_else(|| {
                params
                    .root_uri
                    .as_ref()
                    .and_then(|uri| uri.to_file_path().ok())
            })
            .or_else(|| params.root_path.as_ref().map(PathBuf::from));
        let Some(root) = root else {
            log("no workspace folder: checking open documents only");
            return;
        };
        match Project::find(&root) {
            Ok(Some(project)) => {
                log(&format!("project file `{}`", project.file.display()));
                let roots = project.inputs.iter().map(|p| normalize(p)).collect();
                self.units.push(Unit::new(roots, None));
                self.project = Some(project);
            }
            Ok(None) => log(&format!(
                "no `ipcc.toml` at or above `{}`: checking open documents only",
                root.display()
            )),
            Err(e) => log(&format!(
                "the project file cannot be used:\n{}",
                e.render(false)
            )),
        }
    }

    /// Marks every unit that reads `path` for a new check.
    fn file_changed(&mut self, path: &Path) {
        for unit in &mut self.units {
            if unit.reads(path) {
                unit.dirty = true;
            }
        }
    }

    fn mark_all_dirty(&mut self) {
        for unit in &mut self.units {
            unit.dirty = true;
        }
    }

    /// One unit per open document that the project's unit does not read; none for closed ones.
    fn arrange_units(&mut self) {
        self.refresh_project();
        let project_files: HashSet<PathBuf> = self
            .units
            .iter()
            .filter(|u| u.document.is_none())
            .flat_map(|u| u.files.iter().cloned())
            .collect();
        let open: HashSet<PathBuf> = self.documents.paths().cloned().collect();
        let before = self.units.len();
        self.units.retain(|unit| match &unit.document {
            None => true,
            Some(path) => open.contains(path) && !project_files.contains(path),
        });
        if self.units.len() != before {
            self.diagnostics_changed = true;
        }
        let mut missing: Vec<&PathBuf> = open
            .iter()
            .filter(|path| {
                !project_files.contains(*path)
                    && !self
                        .units
                        .iter()
                        .any(|u| u.document.as_ref() == Some(*path))
            })
            .collect();
        missing.sort();
        for path in missing {
            self.units
                .push(Unit::new(vec![path.clone()], Some(path.clone())));
        }
    }

    fn refresh_project(&mut self) {
        let documents = &self.documents;
        for unit in self
            .units
            .iter_mut()
            .filter(|u| u.document.is_none() && u.dirty)
        {
            check_unit(unit, documents, Index::Skip);
            self.diagnostics_changed = true;
        }
    }

    /// Checks every unit marked for it (without the index: publishing diagnostics needs none).
    pub(crate) fn refresh(&mut self) {
        let documents = &self.documents;
        for unit in self.units.iter_mut().filter(|u| u.dirty) {
            check_unit(unit, documents, Index::Skip);
            self.diagnostics_changed = true;
        }
    }

    /// Brings every unit up to date with its index, for a request: a dirty unit is checked
    /// once, with the index; a clean one without it is checked again with it.
    pub(crate) fn refresh_indexed(&mut self) {
        let documents = &self.documents;
        for unit in self.units.iter_mut().filter(|u| u.dirty || !u.indexed) {
            check_unit(unit, documents, Index::Build);
            self.diagnostics_changed = true;
        }
    }

    /// Every analysis that read `path`, the source it has there, and the analysis's unit.
    pub(crate) fn analyses_of(
        &self,
        path: &Path,
    ) -> Vec<(&Analysis, crate::diagnostics::SourceId)> {
        let shown = display_path(path);
        // The document's own unit first: it is the one kept most up to date.
        let mut units: Vec<&Unit> = self.units.iter().collect();
        units.sort_by_key(|u| u.document.as_deref() != Some(path));
        units
            .into_iter()
            .filter_map(|unit| {
                let analysis = unit.analysis.as_ref()?;
                Some((analysis, analysis.source_of(&shown)?))
            })
            .collect()
    }

    /// Every analysis there is.
    pub(crate) fn analyses(&self) -> impl Iterator<Item = &Analysis> {
        self.units.iter().filter_map(|u| u.analysis.as_ref())
    }
}

/// Whether a check builds the analysis index too.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Index {
    Build,
    Skip,
}

/// Runs the check of one unit through the open documents, and converts its diagnostics.
fn check_unit(unit: &mut Unit, documents: &Documents, index: Index) {
    let analysis = match index {
        Index::Build => crate::analyze(&unit.roots, &mut documents.loader()),
        Index::Skip => Analysis {
            checked: crate::check_reusing(&unit.roots, &mut documents.loader(), &mut unit.reuse),
            files: Vec::new(),
        },
    };
    unit.indexed = index == Index::Build;
    unit.files = analysis
        .checked
        .inputs
        .iter()
        .map(|p| normalize(p))
        .collect();
    unit.files.extend(unit.roots.iter().cloned());
    unit.diagnostics = diagnostics_by_file(&analysis);
    let previous = unit.analysis.replace(analysis);
    unit.dirty = false;
    // Freeing a large file's model and index is work of its own; another thread does it while
    // the diagnostics go out (should that thread not start, they are dropped right here).
    if let Some(previous) = previous {
        let _ = std::thread::Builder::new()
            .name("ipcc-lsp-free".into())
            .spawn(move || drop(previous));
    }
}

/// The diagnostics of a check per file; every file read is present (maybe with none), so that
/// fixed files are cleared.
pub(crate) fn diagnostics_by_file(
    analysis: &Analysis,
) -> HashMap<PathBuf, Vec<lsp_types::Diagnostic>> {
    let sources = &analysis.checked.sources;
    let mut by_file: HashMap<PathBuf, Vec<lsp_types::Diagnostic>> = (0..sources.len() as u32)
        .map(|id| {
            (
                PathBuf::from(sources.path(crate::diagnostics::SourceId(id))),
                Vec::new(),
            )
        })
        .collect();
    let mut lines = Lines::new(analysis);
    for diagnostic in &analysis.checked.diagnostics {
        match convert::diagnostic(diagnostic, &mut lines) {
            Some((source, converted)) => by_file
                .entry(PathBuf::from(sources.path(source)))
                .or_default()
                .push(converted),
            // About no file at all (a root that cannot be read): only the log can say it.
            None => log(&format!(
                "error[{}]: {}",
                diagnostic.code, diagnostic.message
            )),
        }
    }
    by_file
}

fn response(id: RequestId, answer: Answer) -> Response {
    match answer {
        Ok(result) => Response {
            id,
            result: Some(result),
            error: None,
        },
        Err(error) => Response {
            id,
            result: None,
            error: Some(error),
        },
    }
}

fn invalid_params(id: RequestId, method: &str, e: serde_json::Error) -> Response {
    response(
        id,
        Err(error(
            ErrorCode::InvalidParams,
            format!("invalid parameters for `{method}`: {e}"),
        )),
    )
}

fn parse<P: DeserializeOwned>(method: &str, params: Value) -> Result<P, ResponseError> {
    serde_json::from_value(params).map_err(|e| {
        error(
            ErrorCode::InvalidParams,
            format!("invalid parameters for `{method}`: {e}"),
        )
    })
}

fn parse_notification<P: DeserializeOwned>(method: &str, params: Value) -> Option<P> {
    match serde_json::from_value(params) {
        Ok(params) => Some(params),
        Err(e) => {
            log(&format!("ignored `{method}`: invalid parameters: {e}"));
            None
        }
    }
}

/// The normalised path of a `file:` URL.
pub(crate) fn path_of(uri: &Url) -> Option<PathBuf> {
    uri.to_file_path().ok().map(|p| normalize(&p))
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic".to_string()
    }
}

/// A line on stderr, where the server's log goes (stdout carries the protocol).
pub(crate) fn log(message: &str) {
    eprintln!("[ipcc lsp] {message}");
}
