//! Grammar tests: single rules of `grammar.pest` on accepted and rejected input, and `parse` on
//! whole files (the AST shape, spans, and the diagnostics of syntax errors).

use ipcc::diagnostics::{Diagnostic, SourceId};
use ipcc::syntax::{parse, IpcParser, Rule};
use pest::Parser;

/// Parses `text` as exactly one `rule` (the whole input must match).
fn accepts(rule: Rule, text: &str) -> bool {
    match IpcParser::parse(rule, text) {
        Ok(mut pairs) => pairs
            .next()
            .is_some_and(|p| p.as_span().end() == text.len()),
        Err(_) => false,
    }
}

fn errors(text: &str) -> Vec<Diagnostic> {
    parse(SourceId(0), text).1
}

#[test]
fn every_example_parses_without_diagnostics() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../idl-examples");
    let mut stack = vec![std::path::PathBuf::from(root)];
    let mut count = 0;
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else if path.extension().is_some_and(|e| e == "ipc") {
            let text = std::fs::read_to_string(&path).unwrap();
            let (file, diagnostics) = parse(SourceId(0), &text);
            assert!(
                diagnostics.is_empty(),
                "{}: {diagnostics:#?}",
                path.display()
            );
            assert!(!file.unwrap().items.is_empty(), "{}", path.display());
            count += 1;
        }
    }
    assert!(count >= 5);
}
