//! Open documents: their text as the editor has it (unsaved edits included), and the loader
//! that serves them before the disk.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use lsp_types::{TextDocumentContentChangeEvent, Url};

use crate::ir::loader::normalize;
use crate::lsp::convert::LineIndex;
use crate::{FsLoader, SourceLoader};

/// One open document.
pub(crate) struct Document {
    pub uri: Url,
    pub version: i32,
    pub text: String,
}

/// Every open document, by normalised absolute path.
#[derive(Default)]
pub(crate) struct Documents {
    open: HashMap<PathBuf, Document>,
}

impl Documents {
    pub fn open(&mut self, path: PathBuf, uri: Url, version: i32, text: String) {
        self.open.insert(path, Document { uri, version, text });
    }

    pub fn close(&mut self, path: &Path) -> Option<Document> {
        self.open.remove(path)
    }

    pub fn get(&self, path: &Path) -> Option<&Document> {
        self.open.get(path)
    }

    pub fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        self.open.keys()
    }

    /// Applies an editor's changes in order: a change with a range replaces that range (in
    /// UTF-16 positions of the text as the previous change left it), one without replaces the
    /// whole text. False when the document is not open.
    pub fn change(
        &mut self,
        path: &Path,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) -> bool {
        let Some(document) = self.open.get_mut(path) else {
            return false;
        };
        for change in changes {
            match change.range {
                None => document.text = change.text,
                Some(range) => {
                    let index = LineIndex::new(&document.text);
                    let start = index.offset(range.start);
                    let end = index.offset(range.end).max(start);
                    document.text.replace_range(start..end, &change.text);
                }
            }
        }
        document.version = version;
        true
    }

    /// A loader that reads open documents from here and every other file from disk.
    pub fn loader(&self) -> DocumentLoader<'_> {
        DocumentLoader {
            documents: self,
            overrides: None,
        }
    }
}

/// Serves open documents first, then (optionally) texts that replace files for one run (a
/// rename's trial), then the disk.
pub(crate) struct DocumentLoader<'d> {
    documents: &'d Documents,
    pub overrides: Option<&'d HashMap<PathBuf, String>>,
}

impl SourceLoader for DocumentLoader<'_> {
    fn load(&mut self, path: &Path) -> io::Result<String> {
        let key = normalize(path);
        if let Some(text) = self.overrides.and_then(|o| o.get(&key)) {
            return Ok(text.clone());
        }
        if let Some(document) = self.documents.open.get(&key) {
            return Ok(document.text.clone());
        }
        FsLoader.load(path)
    }

    fn list_dir(&mut self, path: &Path) -> io::Result<Option<Vec<PathBuf>>> {
        if self.documents.open.contains_key(&normalize(path)) {
            return Ok(None);
        }
        FsLoader.list_dir(path)
    }
}
