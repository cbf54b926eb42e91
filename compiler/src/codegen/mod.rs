//! Code generators: one module per target language, each reading only the IR, and user
//! templates rendered against the IR's JSON.

pub mod rust;
pub mod template;
pub mod ts;

#[cfg(test)]
mod test_ir;
