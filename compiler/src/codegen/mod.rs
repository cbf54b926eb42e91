//! Code generators: one module per target language, each reading only the IR.

pub mod rust;
pub mod ts;

#[cfg(test)]
mod test_ir;
