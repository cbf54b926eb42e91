//! The methods that stream (`AsyncIterable<T>`), which the Rust generator cannot produce yet
//! (code that drops a stream would be wrong); the TypeScript generator can.

use crate::ir::model::{Interface, Ir};

/// A method with a streaming parameter or a streaming result.
#[derive(Debug, Clone, Copy)]
pub struct StreamingMethod<'a> {
    pub interface: &'a Interface,
    /// Index into the interface's `methods`.
    pub method: usize,
    /// Index of the streaming parameter, if the method has one.
    pub param: Option<usize>,
    /// Whether the result is a stream.
    pub result: bool,
}

/// Every streaming method of `ir`, in declaration order.
pub fn streaming_methods(ir: &Ir) -> Vec<StreamingMethod<'_>> {
    let mut found = Vec::new();
    for interface in &ir.interfaces {
        for (index, method) in interface.methods.iter().enumerate() {
            let param = method.params.iter().position(|p| p.stream);
            if param.is_some() || method.result_stream {
                found.push(StreamingMethod {
                    interface,
                    method: index,
                    param,
                    result: method.result_stream,
                });
            }
        }
    }
    found
}

/// What a generator says when it is given a streaming method (`target`: "Rust", "TypeScript").
pub fn refusal(method: &StreamingMethod<'_>, target: &str) -> String {
    format!(
        "method `{}` of interface `{}` streams (`AsyncIterable`), which cannot be generated yet for {target}",
        method.interface.methods[method.method].name, method.interface.meta.qualified_name
    )
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use crate::MemoryLoader;

    fn ir(text: &str) -> crate::ir::Ir {
        let checked = crate::check_with(
            &[PathBuf::from("a.ipc")],
            &mut MemoryLoader::default().with("a.ipc", text),
        );
        checked.ir.expect("checks")
    }

    const FILES: &str = "@channel(\"files-v1\")\ninterface Files {\n  stat(path: string): Promise<u64>;\n  upload(name: string, chunks: AsyncIterable<bytes>): Promise<u64>;\n}\n";

    #[test]
    fn streaming_methods_are_found_with_their_streams() {
        let ir = ir(FILES);
        let found = super::streaming_methods(&ir);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].method, found[0].param, found[0].result),
            (1, Some(1), false)
        );
        assert!(super::streaming_methods(&self::ir(
            &FILES.replace("AsyncIterable<bytes>", "bytes")
        ))
        .is_empty());
    }

    /// A caller that skips the front end's E0901 still gets no wrong code: an error value, or
    /// files that fail to compile with the reason.
    #[test]
    fn the_rust_generator_refuses_streams() {
        let ir = ir(FILES);
        let message = "method `upload` of interface `Files` streams (`AsyncIterable`), which cannot be generated yet for";
        let rust = crate::codegen::rust::try_generate(&ir).expect_err("refused");
        assert_eq!(rust.to_string(), format!("error[E0901]: {message} Rust"));
        let files = crate::codegen::rust::generate(&ir);
        assert!(
            files[0].contents.starts_with("::core::compile_error!("),
            "{}",
            files[0].contents
        );
    }

    /// The TypeScript generator produces streaming methods (its output is in
    /// `compiler/tests/snapshots/ts_codegen__fixture-streams__streams.snap`).
    #[test]
    fn the_typescript_generator_marks_the_streams() {
        let ir = ir(FILES);
        let files = crate::codegen::ts::try_generate(&ir).expect("generated");
        let text = &files[0].contents;
        assert!(text.contains("inputStream: 1,"), "{text}");
        assert!(
            text.contains(
                "upload(name: string, chunks: $rt.StreamSource<Uint8Array>): Promise<bigint>;"
            ),
            "{text}"
        );
    }
}
