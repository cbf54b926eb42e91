//! Where source text comes from: the file system, or memory (tests, fuzzing).

use std::collections::HashMap;
use std::io;
use std::path::{Component, Path, PathBuf};

/// Reads `.ipc` sources for the front end.
pub trait SourceLoader {
    /// Reads one file.
    fn load(&mut self, path: &Path) -> io::Result<String>;

    /// When `path` is a directory, every `*.ipc` file below it (recursively), sorted; `None`
    /// when it is not a directory. The default knows no directories.
    fn list_dir(&mut self, path: &Path) -> io::Result<Option<Vec<PathBuf>>> {
        let _ = path;
        Ok(None)
    }
}

/// Reads from disk.
#[derive(Debug, Default, Clone, Copy)]
pub struct FsLoader;

impl SourceLoader for FsLoader {
    fn load(&mut self, path: &Path) -> io::Result<String> {
        std::fs::read_to_string(path)
    }

    fn list_dir(&mut self, path: &Path) -> io::Result<Option<Vec<PathBuf>>> {
        if !path.is_dir() {
            return Ok(None);
        }
        let mut found = Vec::new();
        // Explicit stack rather than recursion: directory depth is not ours to bound.
        let mut pending = vec![path.to_path_buf()];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir)? {
                let entry = entry?;
                let entry_path = entry.path();
                let file_type = entry.file_type()?;
                if file_type.is_dir() {
                    pending.push(entry_path);
                } else if entry_path.extension().is_some_and(|e| e == "ipc") {
                    found.push(entry_path);
                }
            }
        }
        found.sort();
        Ok(Some(found))
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
        if let Some(text) = self.files.get(path) {
            return Ok(text.clone());
        }
        let wanted = normalize(path);
        self.files
            .iter()
            .find(|(p, _)| normalize(p) == wanted)
            .map(|(_, text)| text.clone())
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such file"))
    }

    fn list_dir(&mut self, path: &Path) -> io::Result<Option<Vec<PathBuf>>> {
        let dir = normalize(path);
        if self.files.keys().any(|p| normalize(p) == dir) {
            return Ok(None);
        }
        let mut found: Vec<PathBuf> = self
            .files
            .keys()
            .map(|p| normalize(p))
            .filter(|p| p.starts_with(&dir) && p.extension().is_some_and(|e| e == "ipc"))
            .collect();
        if found.is_empty() {
            return Ok(None);
        }
        found.sort();
        Ok(Some(found))
    }
}

/// Removes `.` components and folds `name/..` pairs, without touching the file system
/// (symlinks are not resolved; a leading `..` is kept). `a/./b/../c` → `a/c`.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                // `/..` is `/`.
                Some(Component::RootDir) | Some(Component::Prefix(_)) => {}
                _ => out.push(component),
            },
            other => out.push(other),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

/// A path as shown to users and stored in the IR: `/` separators on every platform.
pub fn display_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        text.into_owned()
    } else {
        text.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_folds_dots() {
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(normalize(Path::new("./x.ipc")), PathBuf::from("x.ipc"));
        assert_eq!(normalize(Path::new("../x.ipc")), PathBuf::from("../x.ipc"));
        assert_eq!(normalize(Path::new("a/../../x")), PathBuf::from("../x"));
        assert_eq!(normalize(Path::new("/../x")), PathBuf::from("/x"));
    }

    #[test]
    fn memory_loader_lists_directories() {
        let mut loader = MemoryLoader::default()
            .with("d/b.ipc", "")
            .with("d/a.ipc", "")
            .with("d/sub/c.ipc", "")
            .with("d/notes.txt", "")
            .with("e.ipc", "");
        let listed = loader.list_dir(Path::new("d")).unwrap().unwrap();
        assert_eq!(
            listed,
            vec![
                PathBuf::from("d/a.ipc"),
                PathBuf::from("d/b.ipc"),
                PathBuf::from("d/sub/c.ipc")
            ]
        );
        assert_eq!(loader.list_dir(Path::new("e.ipc")).unwrap(), None);
        assert_eq!(loader.load(Path::new("d/./sub/../a.ipc")).unwrap(), "");
    }
}
