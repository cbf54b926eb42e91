//! Every pair of the compat corpus, both directions, over the in-memory transport: each
//! frontend member does what `ipcc compat`'s verdict says, nothing unusable is sent, and what
//! the verdicts refuse really breaks when sent anyway (see `support`).

mod support;

use ipcc::compat::Direction;
use ipcc_compat_runtime::Case;

async fn meet(case: &Case, direction: Direction) {
    let report = support::report(case);
    let found = support::meet_in_memory(case, &report, direction).await;
    support::assert_agrees(case, direction, &found);
}

/// Two tests per pair, one per direction, in a module named after the pair.
macro_rules! pair_tests {
    ($module:ident, $name:literal) => {
        mod $module {
            use super::*;

            #[tokio::test]
            async fn old_frontend_new_backend() {
                meet(
                    ipcc_compat_runtime::case($name),
                    Direction::OldFrontendNewBackend,
                )
                .await;
            }

            #[tokio::test]
            async fn new_frontend_old_backend() {
                meet(
                    ipcc_compat_runtime::case($name),
                    Direction::NewFrontendOldBackend,
                )
                .await;
            }
        }
    };
}

include!(concat!(env!("OUT_DIR"), "/pair_tests.rs"));

#[test]
fn every_pair_of_the_corpus_is_here() {
    let corpus =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../compiler/tests/compat");
    let mut folders: Vec<String> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let cases: Vec<&str> = ipcc_compat_runtime::CASES.iter().map(|c| c.name).collect();
    assert_eq!(cases, folders);
    assert!(cases.len() >= 72, "{} pairs", cases.len());
}
