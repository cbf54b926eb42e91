//! Rust generator.
use crate::{ir::Ir, GeneratedFile};
pub fn generate(_ir: &Ir) -> Vec<GeneratedFile> {
    todo!("rust generator")
}
