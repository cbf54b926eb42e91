//! Code generators: one module per target language, each reading only the IR, and user
//! templates rendered against the IR's JSON.

pub mod rust;
pub mod template;
pub mod ts;

#[cfg(test)]
mod test_ir;

/// `docs` without the blank lines before and after the text, which say nothing (and docs of
/// blank lines only would be an empty doc comment, clippy's `empty_docs`).
pub(crate) fn trimmed_docs(docs: &[String]) -> &[String] {
    let first = docs.iter().position(|line| !line.trim().is_empty());
    let last = docs.iter().rposition(|line| !line.trim().is_empty());
    match (first, last) {
        (Some(first), Some(last)) => &docs[first..=last],
        _ => &[],
    }
}
