//! What the compile fuzz targets run on one input, and the regression tests run on every kept
//! input: the front end, both generators and the formatter, with what each promises about any
//! text. Shared by `fuzz/src/lib.rs` and `compiler/tests/fuzz_regressions.rs` (`#[path]`).

use std::path::PathBuf;

/// The text as one file, `fuzz.ipc`: checked (with its diagnostics rendered), and when it
/// checks, generated to Rust and TypeScript; formatted, and when it formats, formatted again.
///
/// Panics when a promise breaks: a panic inside the compiler, a span outside its source, an IR
/// beside an error, a generator error on a checked model (`ipcc bug: ...`), a formatter that
/// refuses text for anything but syntax errors or is not at a fixed point after one run, or a
/// formatted file whose IR differs from the original's.
pub fn compile_text(text: &str) {
    let ir = check(text);
    if let Some(ir) = &ir {
        if let Err(error) = ipcc::codegen::rust::try_generate(ir) {
            panic!("the Rust generator failed on a checked model: {error}");
        }
        if let Err(error) = ipcc::codegen::ts::try_generate(ir) {
            panic!("the TypeScript generator failed on a checked model: {error}");
        }
    }
    match ipcc::format::format_source(text) {
        Ok(formatted) => {
            match ipcc::format::format_source(&formatted) {
                Ok(again) => assert!(
                    again == formatted,
                    "formatting twice differs from once:\n--- once\n{formatted}\n--- twice\n{again}"
                ),
                Err(diagnostics) => {
                    panic!("the formatter refuses its own output: {diagnostics:?}\n{formatted}")
                }
            }
            // Formatting changes the layout only: the model is the same (or both fail).
            let formatted_ir = check(&formatted);
            assert_eq!(
                ir.as_ref().map(json),
                formatted_ir.as_ref().map(json),
                "formatting changed the model; formatted text:\n{formatted}"
            );
        }
        Err(diagnostics) => {
            assert!(!diagnostics.is_empty(), "refused without a diagnostic");
            assert!(
                diagnostics.iter().all(|d| d.code.starts_with("E00")),
                "the formatter refused a file for something other than its syntax: {diagnostics:?}"
            );
        }
    }
}

/// Runs the front end on `text` as `fuzz.ipc` and checks its diagnostics; the IR when there
/// is no error.
fn check(text: &str) -> Option<ipcc::ir::Ir> {
    let path = PathBuf::from("fuzz.ipc");
    let mut loader = ipcc::MemoryLoader::default().with(path.clone(), text);
    let checked = ipcc::check_with(&[path], &mut loader);
    let _ = ipcc::diagnostics::render(&checked.diagnostics, &checked.sources, false);
    for diagnostic in &checked.diagnostics {
        let spans = diagnostic
            .span
            .iter()
            .chain(diagnostic.secondary.iter().map(|(span, _)| span));
        for span in spans {
            let source = checked.sources.text(span.source);
            assert!(
                span.start <= span.end
                    && span.end as usize <= source.len()
                    && source.is_char_boundary(span.start as usize)
                    && source.is_char_boundary(span.end as usize),
                "span {span:?} of {:?} is not inside its source ({} bytes)",
                diagnostic.message,
                source.len()
            );
        }
    }
    assert_eq!(
        checked.ir.is_none(),
        checked.has_errors(),
        "an IR must exist exactly when there is no error: {:?}",
        checked.diagnostics
    );
    checked.ir
}

fn json(ir: &ipcc::ir::Ir) -> String {
    serde_json::to_string(ir).expect("the IR serializes")
}
