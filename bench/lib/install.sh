#!/usr/bin/env bash
# Installs what the bench suites need and the machine may lack: hyperfine and protoc (Debian
# packages) and the npm peers of bench/node (vscode-jsonrpc, ws). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
command -v protoc >/dev/null || missing+=(protobuf-compiler)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bench: ${missing[*]} missing and installing them needs root" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ -f bench/node/package-lock.json ]; then
  (cd bench/node && npm ci --no-audit --no-fund --silent)
fi
