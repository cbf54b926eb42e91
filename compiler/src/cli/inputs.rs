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
    /// The paths to compile, as given (directories are expanded by the library, which reports
    /// a path it cannot read as `E0101` and a directory without `.ipc` files as `E0104`), and
    /// the project they came from when no path was given.
    pub fn resolve(&self) -> Result<(Vec<PathBuf>, Option<Project>), UsageError> {
        if !self.paths.is_empty() {
            return Ok((self.paths.clone(), None));
        }
        let Some(project) = find_project()? else {
            return Err(no_inputs());
        };
        Ok((project.inputs.clone(), Some(project)))
    }
}

/// The error of a command given no paths outside a project.
pub fn no_inputs() -> UsageError {
    UsageError::new(format!(
        "no inputs: pass `.ipc` files or directories, or run inside a project (a directory with an `{}`, or below one)",
        ipcc::project::FILE_NAME
    ))
}

/// The files `paths` name, directories expanded as the library expands them, or `None` when
/// one of them cannot be listed or holds no `.ipc` file.
pub fn expanded(paths: &[PathBuf]) -> Option<Vec<PathBuf>> {
    let mut diagnostics = Vec::new();
    let files = ipcc::expand_roots(paths, &mut ipcc::FsLoader, &mut diagnostics);
    diagnostics.is_empty().then_some(files)
}
