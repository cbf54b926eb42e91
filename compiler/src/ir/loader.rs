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

    /// The directory relative paths start from; the model's file paths
    /// ([`crate::ir::SourceFile::path`]) are relative to it. The default knows none: relative
    /// paths are then taken as they are.
    fn working_dir(&self) -> Option<PathBuf> {
        None
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
                } else if entry_path.extension().is_some_and(|e| e == "ipc") && entry_path.is_file()
                {
                    found.push(entry_path);
                }
            }
        }
        found.sort();
        Ok(Some(found))
    }

    fn working_dir(&self) -> Option<PathBuf> {
        std::env::current_dir().ok()
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

/// The path the model records for each of `files` ([`crate::ir::SourceFile::path`]), never
/// absolute and the same on every machine. All of them start from one directory, so they stay
/// distinct:
///
/// - when every root file is at or below the working directory `cwd`: that directory
///   (`common/greeter.ipc`, however the file was given; an import outside it gets `..`);
/// - otherwise the deepest directory holding every root file (for one root, its directory):
///   `greeter.ipc` for `../common/greeter.ipc` or `/home/me/app/common/greeter.ipc`.
///
/// A file no relative path leads to (another drive) is recorded by its file name. `files` and
/// `roots` are [`normalize`]d; with no `cwd`, relative paths are taken as they are.
pub(crate) fn model_paths(files: &[PathBuf], roots: &[PathBuf], cwd: Option<&Path>) -> Vec<String> {
    let cwd = cwd.map(normalize);
    let resolve = |path: &Path| match &cwd {
        Some(cwd) if path.is_relative() => normalize(&cwd.join(path)),
        _ => normalize(path),
    };
    let below_cwd = |path: &Path| match &cwd {
        Some(cwd) => resolve(path).starts_with(cwd),
        None => {
            path.is_relative() && !matches!(path.components().next(), Some(Component::ParentDir))
        }
    };
    let relative_path = |file: &Path| -> Option<PathBuf> {
        if roots.iter().all(|root| below_cwd(root)) {
            return match &cwd {
                Some(cwd) => relative_to(cwd, &resolve(file)),
                None => file.is_relative().then(|| file.to_path_buf()),
            };
        }
        let anchor = roots
            .iter()
            .map(|root| {
                resolve(root)
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default()
            })
            .reduce(|a, b| {
                a.components()
                    .zip(b.components())
                    .take_while(|(x, y)| x == y)
                    .map(|(x, _)| x)
                    .collect()
            })?;
        relative_to(&anchor, &resolve(file))
    };
    files
        .iter()
        .map(|file| match relative_path(file) {
            Some(relative) => display_path(&relative),
            None => file
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default(),
        })
        .collect()
}

/// The path that leads from directory `from` to `to`, both normalised and both absolute or
/// both relative to one directory; `None` when there is none to write (different drives, or a
/// `..` in `from` beyond what the two share).
fn relative_to(from: &Path, to: &Path) -> Option<PathBuf> {
    if from.has_root() != to.has_root() {
        return None;
    }
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common == 0
        && from
            .first()
            .is_some_and(|c| matches!(c, Component::Prefix(_) | Component::RootDir))
    {
        return None;
    }
    let mut relative = PathBuf::new();
    for component in &from[common..] {
        match component {
            Component::Normal(_) => relative.push(".."),
            _ => return None,
        }
    }
    relative.extend(&to[common..]);
    (!relative.as_os_str().is_empty()).then_some(relative)
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

    fn paths(files: &[&str], roots: &[&str], cwd: Option<&str>) -> Vec<String> {
        let files: Vec<PathBuf> = files.iter().map(|f| normalize(Path::new(f))).collect();
        let roots: Vec<PathBuf> = roots.iter().map(|f| normalize(Path::new(f))).collect();
        model_paths(&files, &roots, cwd.map(Path::new))
    }

    #[test]
    fn model_paths_below_the_working_directory_are_relative_to_it() {
        let expected = ["common/people.ipc", "common/greeter.ipc"];
        let relative = ["common/people.ipc", "common/greeter.ipc"];
        let absolute = [
            "/home/me/app/common/people.ipc",
            "/home/me/app/common/greeter.ipc",
        ];
        assert_eq!(
            paths(&relative, &relative[1..], Some("/home/me/app")),
            expected
        );
        assert_eq!(
            paths(&absolute, &absolute[1..], Some("/home/me/app")),
            expected
        );
        assert_eq!(paths(&relative, &relative[1..], None), expected);
    }

    #[test]
    fn model_paths_outside_it_are_relative_to_the_roots_directory() {
        // From `/home/me/app/web`, the same files given as `../common/...` or absolute.
        let cwd = Some("/home/me/app/web");
        let relative = ["../common/people.ipc", "../common/greeter.ipc"];
        let absolute = [
            "/home/me/app/common/people.ipc",
            "/home/me/app/common/greeter.ipc",
        ];
        let expected = ["people.ipc", "greeter.ipc"];
        assert_eq!(paths(&relative, &relative[1..], cwd), expected);
        assert_eq!(paths(&absolute, &absolute[1..], cwd), expected);
        assert_eq!(paths(&absolute, &absolute[1..], Some("/tmp")), expected);
        assert_eq!(paths(&absolute, &absolute[1..], None), expected);
        assert_eq!(paths(&relative, &relative[1..], None), expected);
        // Several roots: their common directory; an import beside it gets `..`.
        let files = [
            "/srv/shared/base.ipc",
            "/srv/api/a/x.ipc",
            "/srv/api/b/y.ipc",
        ];
        assert_eq!(
            paths(&files, &files[1..], Some("/tmp")),
            ["../shared/base.ipc", "a/x.ipc", "b/y.ipc"]
        );
        // A root inside the working directory importing a file outside it.
        assert_eq!(
            paths(
                &["../shared/base.ipc", "app.ipc"],
                &["app.ipc"],
                Some("/srv/api")
            ),
            ["../shared/base.ipc", "app.ipc"]
        );
    }

    #[test]
    fn relative_to_needs_a_shared_start() {
        assert_eq!(
            relative_to(Path::new("/a/b"), Path::new("/a/c/x")),
            Some(PathBuf::from("../c/x"))
        );
        assert_eq!(relative_to(Path::new("a"), Path::new("/a/x")), None);
        assert_eq!(
            relative_to(Path::new("../a"), Path::new("../../x")),
            Some(PathBuf::from("../../x"))
        );
        assert_eq!(relative_to(Path::new("../../a"), Path::new("../x")), None);
    }
}
