//! The IR stage: load files and imports, lower the AST, resolve names, validate every rule of the language.

pub mod loader;
pub mod model;

pub use model::*;

use crate::{Checked, SourceLoader};
use std::path::PathBuf;

/// Front end entry: see [`crate::check_with`].
pub fn check(_roots: &[PathBuf], _loader: &mut dyn SourceLoader) -> Checked {
    todo!("front end")
}
