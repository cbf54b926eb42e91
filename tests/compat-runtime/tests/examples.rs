//! The glue on every example of `idl-examples/` and `tests/idl/` (keywords, names that shadow
//! Rust's, packages, recursion, deprecation, many parameters): a frontend meets a backend of
//! the same version, and every member works, with every sample.

mod support;

use ipcc::compat::Direction;

/// One test per example.
macro_rules! example_test {
    ($module:ident, $name:literal) => {
        #[tokio::test]
        async fn $module() {
            let example = ipcc_compat_runtime::EXAMPLES
                .iter()
                .find(|e| e.name == $name)
                .expect("the example is built");
            let case = example.as_case();
            let report = support::report(&case);
            let direction = Direction::OldFrontendNewBackend;
            let found = support::meet_in_memory(&case, &report, direction).await;
            support::assert_agrees(&case, direction, &found);
        }
    };
}

include!(concat!(env!("OUT_DIR"), "/example_tests.rs"));
