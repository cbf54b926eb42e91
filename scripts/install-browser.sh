#!/usr/bin/env bash
# Installs Debian's Chromium at /usr/bin/chromium for the browser tests (examples/web-app).
# Idempotent: does nothing when the browser is already there. Needs root (CI runs as root with
# no standard input, hence the non-interactive front end).
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "install-browser: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) already installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-browser: /usr/bin/chromium is missing and installing it needs root" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends chromium
echo "install-browser: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
