#!/usr/bin/env bash
# The full load run (docs/reliability.md): 100 connections x 100 concurrent calls, random
# payloads up to 16 KiB and one call in ten cancelled, against the Rust and the TS host over
# WebSocket, release build. Prints each host's figures. Needs the TS conformance host built
# (`cd tests/conformance/ts && npm ci && npm test` does it).
set -euo pipefail
cd "$(dirname "$0")/.."
export IPCC_LOAD_CONNECTIONS="${IPCC_LOAD_CONNECTIONS:-100}"
export IPCC_LOAD_CALLS="${IPCC_LOAD_CALLS:-100}"
export IPCC_LOAD_ROUNDS="${IPCC_LOAD_ROUNDS:-20}"
export IPCC_LOAD_MAX_PAYLOAD="${IPCC_LOAD_MAX_PAYLOAD:-16384}"
cargo test --release -p ipcc-conformance --test load -- --nocapture --test-threads 1
