//! Which `.ipc` files a command reads: the paths on the command line, or else the inputs of the
//! project file (`ipcc.toml`) found from the working directory.

use std::path::{Path, PathBuf};

use clap::Args;
use ipcc::Project;

use crate::UsageError;

#[derive(Debug, Args)]
pub struct Inputs {
    /// `.ipc` files, or directories (every `*.ipc` file below them, in sorted order). Default:
    /// the `inputs` of the project's `ipcc.toml`.
    #[arg(value_name = "FILES|DIRS")]
    pub paths: Vec<PathBuf>,
}

/// The project file found from the working directory, if any.
pub fn find_project() -> Result<Option<Project>, UsageError> {
    Ok(Project::find(Path::new("."))?)
}

impl Inputs {
    /// The root files to compile, directories expanded, and the project they came from when no
    /// path was given.
    pub fn resolve(&self) -> Result<(Vec<PathBuf>, Option<Project>), UsageError> {
        if !self.paths.is_empty() {
            return Ok((collect_inputs(&self.paths)?, None));
        }
        let Some(project) = find_project()? else {
            return Err(no_inputs());
        };
        Ok((collect_inputs(&project.inputs)?, Some(project)))
    }
}

/// The error of a command given no paths outside a project.
pub fn no_inputs() -> UsageError {
    UsageError::new(format!(
        "no inputs: pass `.ipc` files or directories, or run inside a project (a directory with an `{}`, or below one)",
        ipcc::project::FILE_NAME
    ))
}

/// Expands the command line's paths: a file as given, a directory as every `*.ipc` file below
/// it (sorted). Each path is checked to be readable, so a typo is a usage error, not a
/// diagnostic.
pub fn collect_inputs(paths: &[PathBuf]) -> Result<Vec<PathBuf>, UsageError> {
    let mut roots = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|e| cannot_read(path, &e))?;
        if metadata.is_dir() {
            let mut found = Vec::new();
            collect_dir(path, &mut found)?;
            if found.is_empty() {
                return Err(UsageError::new(format!(
                    "no `.ipc` files found in `{}`",
                    path.display()
                )));
            }
            found.sort();
            roots.extend(found);
        } else {
            std::fs::File::open(path).map_err(|e| cannot_read(path, &e))?;
            roots.push(path.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    roots.retain(|p| seen.insert(p.clone()));
    Ok(roots)
}

/// Every `*.ipc` file below `dir`. Symbolic links to directories are not followed, so a link
/// cycle cannot make this loop.
fn collect_dir(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), UsageError> {
    let entries = std::fs::read_dir(dir).map_err(|e| cannot_read(dir, &e))?;
    for entry in entries {
        let entry = entry.map_err(|e| cannot_read(dir, &e))?;
        let path = entry.path();
        let file_type = entry.file_type().map_err(|e| cannot_read(&path, &e))?;
        if file_type.is_dir() {
            collect_dir(&path, found)?;
        } else if path.extension().is_some_and(|e| e == "ipc") && path.is_file() {
            found.push(path);
        }
    }
    Ok(())
}

pub fn cannot_read(path: &Path, error: &std::io::Error) -> UsageError {
    UsageError::new(format!("cannot read `{}`: {error}", path.display()))
}
