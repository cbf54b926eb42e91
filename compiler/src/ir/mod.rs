//! The IR stage: load files and imports, lower the AST, resolve names, validate every rule of the language.
//!
//! Phases, each collecting all of its diagnostics before the next runs only on error-free input:
//! [`loading`] (read and parse every file) → [`lowering`] (per-file rules) together with
//! [`resolution`] (namespaces and names) → [`validation`] (rules over resolved types) →
//! [`schema_hash`].

pub mod codes;
mod fast_hash;
#[cfg(test)]
mod json_schema;
pub mod loader;
mod loading;
pub(crate) mod lowering;
pub mod model;
mod nesting;
mod resolution;
mod reuse;
mod schema_hash;
mod validation;
pub mod wire_schema;

pub use loading::{expand_roots, unreadable_root};
pub use model::*;
pub use reuse::ReuseCache;

use crate::analysis::{Analysis, FileIndex};
use crate::diagnostics::{Diagnostic, Severity, SourceMap};
use crate::{Checked, SourceLoader};
use std::path::PathBuf;

/// Front end entry: see [`crate::check_with`].
pub fn check(roots: &[PathBuf], loader: &mut dyn SourceLoader) -> Checked {
    check_phases(roots, loader, None, None)
}

/// Front end entry reusing the last check's declarations, without schema hashes: see
/// [`crate::check_reusing`].
pub fn check_reusing(
    roots: &[PathBuf],
    loader: &mut dyn SourceLoader,
    reuse: &mut ReuseCache,
) -> Checked {
    let checked = check_phases(roots, loader, None, Some(&mut *reuse));
    reuse.keep_only(&checked.inputs);
    checked
}

/// Front end entry with the analysis index: see [`crate::analyze`].
pub fn analyze(roots: &[PathBuf], loader: &mut dyn SourceLoader) -> Analysis {
    let mut index = Vec::new();
    let checked = check_phases(roots, loader, Some(&mut index), None);
    Analysis {
        checked,
        files: index,
    }
}

/// The front end; when `index` is given, it is filled with one [`FileIndex`] per source read;
/// with `reuse`, unchanged declarations are taken from the last check.
fn check_phases(
    roots: &[PathBuf],
    loader: &mut dyn SourceLoader,
    index: Option<&mut Vec<FileIndex>>,
    reuse: Option<&mut ReuseCache>,
) -> Checked {
    let mut diagnostics = Vec::new();
    let mut sources = SourceMap::default();
    let mut inputs = Vec::new();
    let ir = run_phases(
        roots,
        loader,
        &mut sources,
        &mut diagnostics,
        &mut inputs,
        index,
        reuse,
    );
    // Source order per file; the sort is stable, so a phase's order holds for equal positions.
    diagnostics.sort_by_key(|d| d.span.map(|s| (s.source, s.start)));
    Checked {
        ir,
        diagnostics,
        sources,
        inputs,
    }
}

fn run_phases(
    roots: &[PathBuf],
    loader: &mut dyn SourceLoader,
    sources: &mut SourceMap,
    diagnostics: &mut Vec<Diagnostic>,
    inputs: &mut Vec<PathBuf>,
    index: Option<&mut Vec<FileIndex>>,
    reuse: Option<&mut ReuseCache>,
) -> Option<Ir> {
    let mut lowering_diagnostics = Vec::new();
    let mut collected = index.is_some().then(Vec::new);
    let reusing = reuse.is_some();
    let files = loading::load(
        roots,
        loader,
        sources,
        diagnostics,
        &mut lowering_diagnostics,
        inputs,
        collected.as_mut(),
        reuse,
    );
    // The index is complete before any phase can stop the run: editors want it most while a
    // file has errors.
    if let (Some(index), Some(collected)) = (index, collected) {
        *index = resolution::resolve_index(&files, sources, collected);
    }
    // Follow-on errors of a file that did not parse would only confuse.
    if has_errors(diagnostics) {
        return None;
    }
    // Lowering and resolution form one phase: lowering leaves placeholders where it reported
    // an error, so resolution can still report every unknown name of the same run.
    diagnostics.append(&mut lowering_diagnostics);
    validation::check_reserved_member_names(&files, diagnostics);
    let mut resolved = resolution::resolve(&files, diagnostics);
    if has_errors(diagnostics) {
        return None;
    }
    validation::validate(&mut resolved, &files, diagnostics);
    if has_errors(diagnostics) {
        return None;
    }
    let mut ir = resolved.ir;
    // An editor's re-check publishes diagnostics only, and hashes report none: a fifth of a
    // keystroke's work in a large file (see `ReuseCache`).
    if reusing {
        return Some(ir);
    }
    let declarations: usize = files.iter().map(|f| f.lowered.decls.len()).sum();
    if declarations < PARALLEL_DROP_MIN_DECLS || crate::parallel::available_threads() < 2 {
        schema_hash::fill(&mut ir);
        return Some(ir);
    }
    // The lowered files are no longer needed; freeing thousands of declarations is work of its
    // own, done on another thread while the hashes are computed. Should that thread not start,
    // the closure, and the files with it, are dropped right here instead.
    std::thread::scope(|scope| {
        let _freeing = std::thread::Builder::new().spawn_scoped(scope, move || drop(files));
        schema_hash::fill(&mut ir);
    });
    Some(ir)
}

/// Lowered files holding fewer declarations than this are freed on the calling thread (see
/// `run_phases`).
const PARALLEL_DROP_MIN_DECLS: usize = 2_048;

fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity == Severity::Error)
}

#[cfg(test)]
mod tests;
