#!/usr/bin/env bash
# Every test of the project: Rust (compiler, runtime, generated code, clippy on generated code),
# TypeScript (runtime, generated code type checks), and end to end. Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "rust: format"
cargo fmt --all -- --check

step "rust: tests (compiler, runtime-rs, generated code)"
cargo test --workspace --all-targets

step "rust: clippy -D warnings (includes the generated code compiled by the tests crate)"
cargo clippy --workspace --all-targets -- -D warnings

step "typescript: runtime-ts"
(cd runtime-ts && npm ci --no-audit --no-fund && npm test)

step "typescript: generated code and cross-language tests"
(cd tests/ts && npm ci --no-audit --no-fund && npm test)

step "end to end: version skew (TS frontend from an older .ipc against a newer Rust backend)"
(cd tests/version-skew && npm ci --no-audit --no-fund && npm test)

step "end to end: desktop-style sidecar (Node spawns the Rust worker over stdio) and the guide's samples"
(cd examples/sidecar && npm ci --no-audit --no-fund && npm test)

step "end to end: web app in headless Chromium (installs Debian's chromium if missing)"
bash scripts/install-browser.sh
(cd examples/web-app && npm ci --no-audit --no-fund && npm test)
