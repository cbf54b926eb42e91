//! What `ipcc gen` and `Builder` refuse before generating Rust or TypeScript: streaming
//! methods (E0901) for a target whose generator does not produce them yet, reported where they
//! are written.

use crate::codegen::streams::streaming_methods;
use crate::compat::locate::Locations;
use crate::diagnostics::{Diagnostic, SourceId, Span};
use crate::{Checked, GenOptions};

/// The code of a streaming method given to the Rust or TypeScript generator.
pub const STREAMS_NOT_GENERATED: &str = "E0901";

/// The targets `options` asks for whose generator cannot produce streaming methods yet. The
/// TypeScript generator can; user templates read the IR's stream flags themselves.
fn targets_without_streams(options: &GenOptions) -> Vec<&'static str> {
    let mut targets = Vec::new();
    if options.rust {
        targets.push("Rust");
    }
    targets
}

/// One error per streaming method of an error-free `checked`, when `options` asks for a target
/// whose generator does not produce streams yet (Rust). Empty when there is nothing to refuse.
pub fn unsupported_by_generators(checked: &Checked, options: &GenOptions) -> Vec<Diagnostic> {
    let targets = targets_without_streams(options);
    if targets.is_empty() {
        return Vec::new();
    }
    let target = targets.join(" and ");
    let Some(ir) = &checked.ir else {
        return Vec::new();
    };
    let streaming = streaming_methods(ir);
    if streaming.is_empty() {
        return Vec::new();
    }
    // The IR has no spans: find them by parsing the sources again, as `ipcc compat` does.
    let locations = Locations::of(&checked.sources, 0);
    streaming
        .iter()
        .map(|found| {
            let method = &found.interface.methods[found.method];
            let spans = locations.decl(&found.interface.meta.qualified_name);
            let param_span = found.param.and_then(|index| {
                spans.and_then(|s| s.params.get(&(method.name.clone(), index)).copied())
            });
            let result_span = spans.and_then(|s| s.results.get(&method.name).copied());
            let member_span = spans.and_then(|s| s.members.get(&method.name).copied());
            let param_name = |index: usize| method.params[index].name.as_str();
            let (primary, label) = match (found.result, found.param) {
                (true, _) => (result_span, format!("`{}` returns a stream", method.name)),
                (false, Some(index)) => (
                    param_span,
                    format!("parameter `{}` is a stream", param_name(index)),
                ),
                (false, None) => (member_span, String::new()),
            };
            let mut diagnostic = Diagnostic {
                // Every method of a checked run is in its sources; should one not be found,
                // the error is still reported, without a place.
                span: primary.or(member_span),
                ..Diagnostic::error(
                    STREAMS_NOT_GENERATED,
                    format!("streaming methods cannot be generated yet for {target}"),
                    Span::new(SourceId(0), 0, 0),
                )
            }
            .with_label(label)
            .with_help(
                format!("the {target} generator does not support streams yet; `ipcc check`, `ipcc ir` and `ipcc gen --ts` accept this file"),
            );
            if let (true, Some(index), Some(span)) = (found.result, found.param, param_span) {
                diagnostic = diagnostic
                    .with_secondary(span, format!("parameter `{}` is a stream", param_name(index)));
            }
            diagnostic
        })
        .collect()
}
