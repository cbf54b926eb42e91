#!/usr/bin/env bash
# Every test of the project: Rust (compiler, runtime, generated code, clippy on generated code),
# TypeScript (runtime, generated code type checks), the VS Code extension, and end to end (all
# language pairings, version skew, a stdio sidecar, a web app in headless Chromium). Installs what
# it needs.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step line carries the seconds the previous step took, so a CI log shows where the time goes.
step_started=$SECONDS
step() {
  printf '\n==> %s   [previous step %ss, total %ss]\n' "$*" "$((SECONDS - step_started))" "$SECONDS"
  step_started=$SECONDS
}

# A CI run builds once from a fresh clone: incremental caches (gigabytes for this workspace)
# would only take disk there.
if [ "${CI:-}" = "true" ]; then export CARGO_INCREMENTAL=0; fi

step "rust: format"
cargo fmt --all -- --check

step "typescript: runtime-ts (build and tests, including the message, stream and binary vectors of tests/vectors)"
(cd runtime-ts && npm ci --no-audit --no-fund && npm test)

step "editor: VS Code extension (grammar scope snapshots of every example, language configuration, client, .vsix)"
(cd editors/vscode && npm ci --no-audit --no-fund && npm test)

step "end to end: TS clients against the Rust and TS conformance hosts, unary and generated streams (also builds the TS host the Rust clients use)"
(cd tests/conformance/ts && npm ci --no-audit --no-fund && npm test)

step "rust: tests (compiler, runtime-rs with the message, stream and binary vectors, generated code, Rust clients against both hosts, unary and generated streams)"
cargo test --workspace --all-targets

step "rust: clippy -D warnings (includes the generated code compiled by the test crates)"
cargo clippy --workspace --all-targets -- -D warnings

step "typescript: generated code under tsc --strict, negative type tests, TS against the Rust backend"
(cd tests/ts && npm ci --no-audit --no-fund && npm test)

step "npm: ipcc-runtime installed outside the repository (npm pack tarball, clean-checkout folder), type-checked and run"
bash tests/npm-install/run.sh

step "end to end: version skew (TS frontend from an older .ipc against a newer Rust backend)"
(cd tests/version-skew && npm ci --no-audit --no-fund && npm test)

step "end to end: ipcc compat and the runtime agree on every pair of the change corpus (TS frontend and host from the two versions)"
(cd tests/compat-agreement && npm ci --no-audit --no-fund && npm test)

step "end to end: desktop-style sidecar (Node spawns the Rust worker over stdio) and the guide's samples"
(cd examples/sidecar && npm ci --no-audit --no-fund && npm test)

step "end to end: web app in headless Chromium (installs Debian's chromium if missing)"
bash scripts/install-browser.sh
(cd examples/web-app && npm ci --no-audit --no-fund && npm test)

step "browser: runtime-ts's MessagePort transport in headless Chromium (a TS host in a Web Worker, the page as its client)"
(cd tests/browser-worker && npm ci --no-audit --no-fund && npm test)

step "end to end: the Tauri example (its own workspace; installs WebKitGTK, Xvfb, WebKitWebDriver and tauri-driver if missing): windowless tauri::test tests, then the real app under Xvfb over WebDriver"
bash scripts/install-tauri.sh
(cd examples/tauri-app && npm ci --no-audit --no-fund && npm test)

step "all test suites passed"
