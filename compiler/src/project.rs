//! `ipcc.toml`: a project's inputs, output folders and options, so that every command (and
//! [`crate::Builder::project`]) runs without arguments inside a project.
//!
//! ```toml
//! # ipcc.toml, at the project's root; every path is relative to this file.
//! inputs = ["common"]               # .ipc files or directories
//!
//! [rust]
//! out = "generated/rust"            # `ipcc gen` writes Rust here
//!
//! [ts]
//! out = "web/src/generated"         # and TypeScript here
//!
//! [compat]
//! against = "origin/main"           # the git revision `ipcc compat` compares with by default
//! deploy = "backend-first"          # which side deployments update first (default: any)
//!
//! [[templates]]
//! dir = "templates/api-docs"        # `ipcc gen` also renders these templates
//! out = "docs/api"
//! ```
//!
//! Commands find the file by walking up from the working directory; command-line arguments
//! win over it, piece by piece. A bad file is a located diagnostic (code `E0601`).

use std::path::{Component, Path, PathBuf};

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, SourceMap, Span};

/// The project file's name.
pub const FILE_NAME: &str = "ipcc.toml";

/// Stable code of every project-file error.
pub const PROJECT_FILE_ERROR: &str = "E0601";

/// A project file, read and checked, with every path resolved against the file's directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// The `ipcc.toml` itself.
    pub file: PathBuf,
    /// The directory holding it; the paths below start with it.
    pub root: PathBuf,
    /// `.ipc` files and directories to compile, in the order written.
    pub inputs: Vec<PathBuf>,
    /// Where `ipcc gen` writes Rust (`[rust] out`).
    pub rust_out: Option<PathBuf>,
    /// Where `ipcc gen` writes TypeScript (`[ts] out`).
    pub ts_out: Option<PathBuf>,
    /// The git revision `ipcc compat` compares with when none is given (`[compat] against`).
    pub compat_against: Option<String>,
    /// Which side deployments update first, for `ipcc compat` (`[compat] deploy`: `any`,
    /// `backend-first`, `frontend-first`).
    pub compat_deploy: Option<String>,
    /// User templates `ipcc gen` renders (`[[templates]]`).
    pub templates: Vec<TemplateTarget>,
}

/// One `[[templates]]` entry: a folder of handlebars templates and where their output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateTarget {
    pub dir: PathBuf,
    pub out: PathBuf,
}

/// Why a project file could not be used.
#[derive(Debug)]
pub enum ProjectError {
    /// The file could not be read.
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The file is not a valid project file; `sources` holds its text for rendering.
    Invalid {
        diagnostic: Box<Diagnostic>,
        sources: SourceMap,
    },
}

impl ProjectError {
    /// The error as the CLI prints it (rustc-style for an invalid file).
    pub fn render(&self, color: bool) -> String {
        match self {
            ProjectError::Io { path, error } => {
                let (style, reset) = if color {
                    ("\x1b[1;31m", "\x1b[0m")
                } else {
                    ("", "")
                };
                format!(
                    "{style}error{reset}: cannot read `{}`: {error}\n",
                    path.display()
                )
            }
            ProjectError::Invalid {
                diagnostic,
                sources,
            } => crate::diagnostics::render_each(std::slice::from_ref(diagnostic), sources, color),
        }
    }
}

impl std::fmt::Display for ProjectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.render(false).trim_end())
    }
}

impl std::error::Error for ProjectError {}

/// The file as written. Unknown keys are errors, so a typo (`input = ...`) is not ignored.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProject {
    inputs: Vec<String>,
    rust: Option<RawOut>,
    ts: Option<RawOut>,
    compat: Option<RawCompat>,
    #[serde(default)]
    templates: Vec<RawTemplate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOut {
    out: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCompat {
    against: Option<String>,
    deploy: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTemplate {
    dir: String,
    out: String,
}

impl Project {
    /// The nearest `ipcc.toml` in `start` or a directory above it, read and checked.
    /// `Ok(None)` when there is none up to the file system's root.
    ///
    /// The paths of the result are relative when `start` is (`../ipcc.toml` when found one
    /// level up from `.`), so that diagnostics show short paths.
    pub fn find(start: &Path) -> Result<Option<Project>, ProjectError> {
        let absolute = std::path::absolute(start).map_err(|error| ProjectError::Io {
            path: start.to_path_buf(),
            error,
        })?;
        let mut relative = start.to_path_buf();
        for dir in absolute.ancestors() {
            if dir.join(FILE_NAME).is_file() {
                return Project::load(&clean(&relative.join(FILE_NAME))).map(Some);
            }
            relative.push("..");
        }
        Ok(None)
    }

    /// Reads and checks the project file at `path`.
    pub fn load(path: &Path) -> Result<Project, ProjectError> {
        let text = std::fs::read_to_string(path).map_err(|error| ProjectError::Io {
            path: path.to_path_buf(),
            error,
        })?;
        Project::parse(path, &text)
    }

    /// Checks the text of a project file that lives at `path` (read from nowhere else).
    pub fn parse(path: &Path, text: &str) -> Result<Project, ProjectError> {
        let invalid = |message: String, range: Option<std::ops::Range<usize>>| {
            let mut sources = SourceMap::default();
            let source = sources.add(display(path), text);
            let range = range.unwrap_or(0..0);
            let diagnostic = Diagnostic::error(
                PROJECT_FILE_ERROR,
                message,
                Span::new(source, range.start, range.end),
            );
            ProjectError::Invalid {
                diagnostic: Box::new(diagnostic),
                sources,
            }
        };
        let raw: RawProject = toml::from_str(text).map_err(|error| {
            // toml's message starts with a capital and ends with a line break; ours do neither.
            let message = error.message().trim_end();
            let mut chars = message.chars();
            let message = match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => String::from("invalid project file"),
            };
            invalid(message, error.span())
        })?;
        let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let resolve = |relative: &str| join(&root, relative);
        if raw.inputs.is_empty() {
            let at = text
                .find("inputs")
                .map(|start| start..start + "inputs".len());
            return Err(invalid(
                "`inputs` is empty: name at least one `.ipc` file or directory".into(),
                at,
            ));
        }
        Ok(Project {
            file: path.to_path_buf(),
            inputs: raw.inputs.iter().map(|input| resolve(input)).collect(),
            rust_out: raw.rust.map(|rust| resolve(&rust.out)),
            ts_out: raw.ts.map(|ts| resolve(&ts.out)),
            compat_against: raw.compat.as_ref().and_then(|c| c.against.clone()),
            compat_deploy: raw.compat.and_then(|c| c.deploy),
            templates: raw
                .templates
                .iter()
                .map(|t| TemplateTarget {
                    dir: resolve(&t.dir),
                    out: resolve(&t.out),
                })
                .collect(),
            root,
        })
    }
}

/// `root/relative`, without `.` components, so `./ipcc.toml`'s inputs read `common`, not
/// `./common`. An absolute `relative` stays as it is.
fn join(root: &Path, relative: &str) -> PathBuf {
    clean(&root.join(relative))
}

/// `path` without `.` components (`.` itself when nothing else is left).
fn clean(path: &Path) -> PathBuf {
    let mut clean = PathBuf::new();
    for component in path.components() {
        if component != Component::CurDir {
            clean.push(component);
        }
    }
    if clean.as_os_str().is_empty() {
        clean.push(".");
    }
    clean
}

/// A path as diagnostics show it: `/` separators.
fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_to_the_file() {
        let project = Project::parse(
            Path::new("app/ipcc.toml"),
            "inputs = [\"common\", \"extra/x.ipc\"]\n[rust]\nout = \"gen/rs\"\n[ts]\nout = \"./web/gen\"\n\n[compat]\nagainst = \"main\"\n",
        )
        .unwrap();
        assert_eq!(
            project.inputs,
            [
                PathBuf::from("app/common"),
                PathBuf::from("app/extra/x.ipc")
            ]
        );
        assert_eq!(project.rust_out, Some(PathBuf::from("app/gen/rs")));
        assert_eq!(project.ts_out, Some(PathBuf::from("app/web/gen")));
        assert_eq!(project.compat_against.as_deref(), Some("main"));
        assert_eq!(project.root, PathBuf::from("app"));
    }

    #[test]
    fn a_file_in_the_working_directory_gives_plain_paths() {
        let project = Project::parse(Path::new("ipcc.toml"), "inputs = [\"common\"]").unwrap();
        assert_eq!(project.inputs, [PathBuf::from("common")]);
    }

    #[test]
    fn an_unknown_key_is_a_located_error() {
        let text = "inputs = [\"common\"]\n[rust]\nout = \"x\"\nderive = true\n";
        let error = Project::parse(Path::new("ipcc.toml"), text).unwrap_err();
        let rendered = error.render(false);
        assert!(
            rendered.contains("error[E0601]: unknown field `derive`"),
            "{rendered}"
        );
        assert!(rendered.contains("--> ipcc.toml:4:1"), "{rendered}");
    }

    #[test]
    fn a_wrong_type_and_missing_inputs_are_errors() {
        let wrong = Project::parse(Path::new("ipcc.toml"), "inputs = \"common\"\n").unwrap_err();
        assert!(
            wrong.render(false).contains("--> ipcc.toml:1:10"),
            "{}",
            wrong.render(false)
        );
        let missing = Project::parse(Path::new("ipcc.toml"), "[rust]\nout = \"x\"\n").unwrap_err();
        assert!(
            missing.render(false).contains("missing field `inputs`"),
            "{}",
            missing.render(false)
        );
        let empty = Project::parse(Path::new("ipcc.toml"), "inputs = []\n").unwrap_err();
        assert!(
            empty.render(false).contains("`inputs` is empty"),
            "{}",
            empty.render(false)
        );
    }
}
