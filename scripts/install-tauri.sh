#!/usr/bin/env bash
# Installs what the Tauri example's tests need (examples/tauri-app): WebKitGTK and its headers to
# build a Tauri v2 app, Xvfb to run its window without a display, WebKitWebDriver to drive the
# webview, and `tauri-driver` (crates.io) to bridge WebDriver to the app. Idempotent: installs
# only what is missing. Needs root for apt (CI runs as root with no standard input, hence the
# non-interactive front end).
set -euo pipefail

PKGS=(libwebkit2gtk-4.1-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev librsvg2-dev
      xvfb xauth webkit2gtk-driver pkg-config)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-tauri: missing ${missing[*]} and installing them needs root" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
  echo "install-tauri: installed ${missing[*]}"
else
  echo "install-tauri: system packages already installed"
fi

if command -v tauri-driver >/dev/null 2>&1 || [ -x "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver" ]; then
  echo "install-tauri: tauri-driver already installed"
else
  cargo install tauri-driver --locked
fi
