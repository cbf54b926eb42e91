//! Where source text comes from: the file system, or memory (tests, fuzzing).

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

/// Reads `.ipc` sources for the front end.
pub trait SourceLoader {
    fn load(&mut self, path: &Path) -> io::Result<String>;
}

/// Reads from disk.
#[derive(Debug, Default, Clone, Copy)]
pub struct FsLoader;

impl SourceLoader for FsLoader {
    fn load(&mut self, path: &Path) -> io::Result<String> {
        std::fs::read_to_string(path)
    }
}

/// Serves files from a map (paths compared after lexical normalisation of `.` and `..`).
#[derive(Debug, Default, Clone)]
pub struct MemoryLoader {
    pub files: HashMap<PathBuf, String>,
}

impl MemoryLoader {
    pub fn with(mut self, path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        self.files.insert(path.into(), text.into());
        self
    }
}

impl SourceLoader for MemoryLoader {
    fn load(&mut self, path: &Path) -> io::Result<String> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such file"))
    }
}
