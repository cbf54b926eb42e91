//! Loading: expand roots, read and parse each file once, follow imports (relative to the
//! importing file), report missing imports and cycles, and order files imports-first.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::analysis::{collect, FileIndex};
use crate::diagnostics::{Diagnostic, SourceId, SourceMap, Span};
use crate::ir::codes;
use crate::ir::loader::{display_path, model_paths, normalize, SourceLoader};
use crate::ir::lowering::{lower_file, LoweredFile};
use crate::ir::reuse::ReuseCache;
use crate::ir::validation::shorten_cycle;
use crate::syntax;

/// One file read, parsed and lowered; its index in the loading result is its `FileId`.
#[derive(Debug)]
pub(crate) struct LoadedFile {
    /// Normalised path with `/` separators, as given (diagnostics show it).
    pub path: String,
    /// The path the model records: never absolute, the same on every machine
    /// (see [`model_paths`]).
    pub model_path: String,
    /// File name without directory and extension.
    pub stem: String,
    pub is_root: bool,
    /// Indices (future `FileId`s) of the files this one imports, in `import` order, once each.
    pub imports: Vec<usize>,
    pub lowered: LoweredFile,
}

enum Visit {
    /// On the DFS stack at this depth.
    InProgress(usize),
    Done(usize),
    /// Could not be read; already reported.
    Failed,
}

struct Frame {
    key: PathBuf,
    lowered: LoweredFile,
    next_import: usize,
    imports: Vec<usize>,
}

/// Reads every root and everything it imports. Files come back in dependency order.
///
/// Reading and syntax errors go to `diags`; the per-file rules checked while lowering go to
/// `lowering_diags`, since they do not stop name resolution from running.
#[allow(clippy::too_many_arguments)]
pub(crate) fn load(
    roots: &[PathBuf],
    loader: &mut dyn SourceLoader,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
    lowering_diags: &mut Vec<Diagnostic>,
    inputs: &mut Vec<PathBuf>,
    mut index: Option<&mut Vec<FileIndex>>,
    mut reuse: Option<&mut ReuseCache>,
) -> Vec<LoadedFile> {
    let root_files = expand_roots(roots, loader, diags);

    let mut state: HashMap<PathBuf, Visit> = HashMap::new();
    let mut files: Vec<LoadedFile> = Vec::new();
    let mut keys: Vec<PathBuf> = Vec::new();
    let mut root_keys: Vec<PathBuf> = Vec::new();
    for root in &root_files {
        let key = normalize(root);
        root_keys.push(key.clone());
        if state.contains_key(&key) {
            continue;
        }
        let Some(frame) = open(
            &key,
            None,
            loader,
            sources,
            diags,
            lowering_diags,
            inputs,
            index.as_deref_mut(),
            reuse.as_deref_mut(),
        ) else {
            state.insert(key, Visit::Failed);
            continue;
        };
        state.insert(key, Visit::InProgress(0));
        let mut stack = vec![frame];
        while let Some(top) = stack.last_mut() {
            if let Some(import) = top.lowered.imports.get(top.next_import) {
                top.next_import += 1;
                let base = top.key.parent().unwrap_or(Path::new(""));
                let target = normalize(&base.join(&import.path));
                let span = import.path_span;
                match state.get(&target) {
                    Some(Visit::Done(id)) => push_once(&mut top.imports, *id),
                    Some(Visit::Failed) => {}
                    Some(Visit::InProgress(depth)) => {
                        let mut cycle: Vec<String> = stack[*depth..]
                            .iter()
                            .map(|f| format!("`{}`", display_path(&f.key)))
                            .collect();
                        cycle.push(format!("`{}`", display_path(&target)));
                        diags.push(
                            Diagnostic::error(
                                codes::IMPORT_CYCLE,
                                format!("import cycle: {}", shorten_cycle(cycle)),
                                span,
                            )
                            .with_label("this import closes the cycle")
                            .with_help("move the declarations both files need into a third file that both import"),
                        );
                    }
                    None => match open(
                        &target,
                        Some(span),
                        loader,
                        sources,
                        diags,
                        lowering_diags,
                        inputs,
                        index.as_deref_mut(),
                        reuse.as_deref_mut(),
                    ) {
                        Some(frame) => {
                            state.insert(target, Visit::InProgress(stack.len()));
                            stack.push(frame);
                        }
                        None => {
                            state.insert(target, Visit::Failed);
                        }
                    },
                }
                continue;
            }
            // All imports handled: the file gets the next id, after everything it imports.
            let Some(done) = stack.pop() else { break };
            let id = files.len();
            state.insert(done.key.clone(), Visit::Done(id));
            if let Some(parent) = stack.last_mut() {
                push_once(&mut parent.imports, id);
            }
            keys.push(done.key.clone());
            files.push(LoadedFile {
                path: display_path(&done.key),
                model_path: String::new(),
                stem: stem_of(&done.key),
                is_root: false,
                imports: done.imports,
                lowered: done.lowered,
            });
        }
    }
    for key in &root_keys {
        if let Some(Visit::Done(id)) = state.get(key) {
            files[*id].is_root = true;
        }
    }
    let model_paths = model_paths(&keys, &root_keys, loader.working_dir().as_deref());
    for (file, model_path) in files.iter_mut().zip(model_paths) {
        file.model_path = model_path;
    }
    files
}

/// The root files that `roots` name: a file as given, a directory as every `*.ipc` file
/// below it (sorted, through [`SourceLoader::list_dir`]). A directory that cannot be listed is
/// `E0101`, one without `.ipc` files `E0104`; a file is not read here, so one that cannot be
/// read is `E0101` when it is opened. Every front door (the CLI, `Builder`, the language server,
/// `ipcc fmt`) expands its paths here, so a directory means the same files everywhere.
pub fn expand_roots(
    roots: &[PathBuf],
    loader: &mut dyn SourceLoader,
    diags: &mut Vec<Diagnostic>,
) -> Vec<PathBuf> {
    let mut root_files: Vec<PathBuf> = Vec::new();
    for root in roots {
        match loader.list_dir(root) {
            Ok(Some(listed)) if listed.is_empty() => diags.push(no_file_error(
                codes::EMPTY_ROOT_DIR,
                format!("no `.ipc` file in directory `{}`", display_path(root)),
            )),
            Ok(Some(listed)) => root_files.extend(listed),
            Ok(None) => root_files.push(root.clone()),
            Err(error) => diags.push(no_file_error(
                codes::UNREADABLE_ROOT,
                format!("cannot read directory `{}`: {error}", display_path(root)),
            )),
        }
    }
    let mut seen = std::collections::HashSet::new();
    root_files.retain(|p| seen.insert(normalize(p)));
    root_files
}

/// `E0101` for a root file that cannot be read (no source position).
pub fn unreadable_root(path: &Path, error: &std::io::Error) -> Diagnostic {
    no_file_error(
        codes::UNREADABLE_ROOT,
        format!("cannot read `{}`: {error}", display_path(path)),
    )
}

/// Reads, parses and lowers one file; `via` is the import string that named it, if any. With
/// `index`, the file's symbols and references are collected from its syntax tree first; with
/// `reuse` (and no index), declarations unchanged since the last check are not parsed again.
#[allow(clippy::too_many_arguments)]
fn open(
    key: &Path,
    via: Option<Span>,
    loader: &mut dyn SourceLoader,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
    lowering_diags: &mut Vec<Diagnostic>,
    inputs: &mut Vec<PathBuf>,
    index: Option<&mut Vec<FileIndex>>,
    reuse: Option<&mut ReuseCache>,
) -> Option<Frame> {
    // Listed even when it cannot be read: creating it must rerun a build script, and
    // `ipcc watch` watches for it.
    inputs.push(key.to_path_buf());
    let text = match loader.load(key) {
        Ok(text) => text,
        Err(error) => {
            let shown = display_path(key);
            diags.push(match via {
                Some(span) => Diagnostic::error(
                    codes::UNREADABLE_IMPORT,
                    format!("cannot read imported file `{shown}`: {error}"),
                    span,
                )
                .with_label("imported here")
                .with_help("import paths are relative to the importing file's directory"),
                None => unreadable_root(key, &error),
            });
            return None;
        }
    };
    let source: SourceId = sources.add(display_path(key), text);
    let text = sources.text(source);
    if let (Some(reuse), None) = (reuse, &index) {
        let lowered = reuse.parse_and_lower(key, source, text, diags, lowering_diags);
        return Some(Frame {
            key: key.to_path_buf(),
            lowered,
            next_import: 0,
            imports: Vec::new(),
        });
    }
    let (ast, parse_diags) = syntax::parse(source, text);
    diags.extend(parse_diags);
    if let (Some(index), Some(ast)) = (index, &ast) {
        // Indexed by source id: sources are added in the order files are opened.
        while index.len() < source.0 as usize {
            index.push(FileIndex::empty(SourceId(index.len() as u32)));
        }
        index.push(collect::collect(source, ast));
    }
    let lowered = match ast {
        Some(ast) => lower_file(source, text, ast, lowering_diags),
        None => LoweredFile {
            source,
            docs: Vec::new(),
            package: None,
            imports: Vec::new(),
            decls: Vec::new(),
        },
    };
    Some(Frame {
        key: key.to_path_buf(),
        lowered,
        next_import: 0,
        imports: Vec::new(),
    })
}

fn push_once(list: &mut Vec<usize>, id: usize) {
    if !list.contains(&id) {
        list.push(id);
    }
}

fn stem_of(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn no_file_error(code: &'static str, message: String) -> Diagnostic {
    Diagnostic {
        span: None,
        ..Diagnostic::error(code, message, Span::new(SourceId(0), 0, 0))
    }
}
