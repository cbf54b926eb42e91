//! Reading a contract as it was at a git revision, for `ipcc compat --against REV`: a
//! [`SourceLoader`] over `git show REV:path`, so the front end reads old files and their imports
//! exactly as it reads files on disk. Uses the `git` binary (the one the user already runs).

use std::io;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use crate::SourceLoader;

/// Serves files as they are at one revision of the git repository around the working directory.
#[derive(Debug, Clone)]
pub struct GitLoader {
    revision: String,
    /// The working directory relative to the repository's top (`git rev-parse --show-prefix`).
    prefix: PathBuf,
}

impl GitLoader {
    /// A loader for `revision` (anything `git rev-parse` accepts: `main`, `HEAD~1`, a tag).
    /// Fails when the working directory is not in a repository or the revision is unknown.
    pub fn new(revision: &str) -> io::Result<GitLoader> {
        if revision.starts_with('-') {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("`{revision}` is not a revision"),
            ));
        }
        let prefix = git(&["rev-parse", "--show-prefix"])?;
        git(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{revision}^{{commit}}"),
        ])
        .map_err(|_| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("`{revision}` is not a commit of this repository"),
            )
        })?;
        Ok(GitLoader {
            revision: revision.to_owned(),
            prefix: PathBuf::from(prefix.trim_end_matches(['\n', '\r'])),
        })
    }

    pub fn revision(&self) -> &str {
        &self.revision
    }

    /// `path` (relative to the working directory) as a path from the repository's top, with
    /// `/` separators; `None` when it leaves the repository or is absolute.
    fn in_repository(&self, path: &Path) -> Option<String> {
        let mut parts: Vec<String> = self
            .prefix
            .components()
            .filter_map(|c| match c {
                Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        for component in path.components() {
            match component {
                Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
                Component::CurDir => {}
                Component::ParentDir => {
                    parts.pop()?;
                }
                Component::RootDir | Component::Prefix(_) => return None,
            }
        }
        Some(parts.join("/"))
    }
}

impl SourceLoader for GitLoader {
    fn load(&mut self, path: &Path) -> io::Result<String> {
        let Some(spec) = self.in_repository(path) else {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "not inside the repository",
            ));
        };
        git(&["show", &format!("{}:{spec}", self.revision)]).map_err(|_| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("not in revision `{}`", self.revision),
            )
        })
    }

    fn list_dir(&mut self, path: &Path) -> io::Result<Option<Vec<PathBuf>>> {
        let Some(spec) = self.in_repository(path) else {
            return Ok(None);
        };
        let kind = git(&["cat-file", "-t", &format!("{}:{spec}", self.revision)]);
        if !kind.is_ok_and(|kind| kind.trim() == "tree") {
            return Ok(None);
        }
        let tree = if spec.is_empty() {
            self.revision.clone()
        } else {
            format!("{}:{spec}", self.revision)
        };
        // Without `--full-tree`, ls-tree run below the top lists only what is under the working
        // directory, even for a tree named by path.
        let listing = git(&["ls-tree", "--full-tree", "-r", "--name-only", "-z", &tree])?;
        let mut found: Vec<PathBuf> = listing
            .split('\0')
            .filter(|name| name.ends_with(".ipc"))
            .map(|name| path.join(name))
            .collect();
        found.sort();
        Ok(Some(found))
    }
}

/// Runs `git ARGS` in the working directory; its stdout, or an error with its stderr.
fn git(args: &[&str]) -> io::Result<String> {
    let output = Command::new("git")
        .args(args)
        .output()
        .map_err(|error| io::Error::new(error.kind(), format!("cannot run `git`: {error}")))?;
    if !output.status.success() {
        return Err(io::Error::other(
            String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        ));
    }
    String::from_utf8(output.stdout)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8"))
}
