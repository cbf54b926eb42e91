#!/usr/bin/env bash
# Installs the npm package `ipcc-runtime` as a user outside this repository does, into fresh npm
# projects: a tarball from `npm pack`, and the folder of a clean checkout (tracked files only:
# no node_modules, no dist). In each, `ipcc gen --ts` writes the client and host code for
# idl-examples/my-interface.ipc, `tsc --strict` type-checks a small app, and the app runs
# through both entry points (`ipcc-runtime`, `ipcc-runtime/node`): a TS host on a WebSocket port
# and a client calling it, then the Rust reference backend started by `spawnWebSocketBackend`.
#
#   bash tests/npm-install/run.sh      (needs the npm registry, like `npm ci`)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/tests/npm-install"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The same TypeScript and Node types as the repository's packages.
typescript=$(node -p "require('$root/runtime-ts/package.json').devDependencies.typescript")
node_types=$(node -p "require('$root/runtime-ts/package.json').devDependencies['@types/node']")

ipcc=(cargo run -q -p ipcc --manifest-path "$root/Cargo.toml" --)
# The Rust reference backend the app starts with spawnWebSocketBackend.
cargo build -q -p my-interface-backend --manifest-path "$root/Cargo.toml"
export MY_INTERFACE_BACKEND="${CARGO_TARGET_DIR:-$root/target}/debug/my-interface-backend"

checkout() { # a copy of runtime-ts as git tracks it, in $1
  mkdir -p "$1"
  git -C "$root" ls-files -z runtime-ts | (cd "$root" && xargs -0 tar -cf -) | tar -xf - -C "$1"
}

app() { # a fresh npm project in $1 that depends on ipcc-runtime as $2
  local dir=$1 dependency=$2
  mkdir -p "$dir/src"
  cp "$here/app/package.json" "$here/app/tsconfig.json" "$dir/"
  cp "$here/app/main.ts" "$dir/src/"
  (cd "$dir" && npm install --no-audit --no-fund --save-exact \
    "$dependency" "typescript@$typescript" "@types/node@$node_types")
  "${ipcc[@]}" gen --ts "$dir/src/generated" "$root/idl-examples/my-interface.ipc"
  (cd "$dir" && npx tsc -p tsconfig.json && node build/main.js)
}

echo "== npm pack of a clean checkout, installed as a tarball"
checkout "$work/pack"
# `prepare` builds dist/ (installing the package's devDependencies first) before packing.
(cd "$work/pack/runtime-ts" && npm pack --silent --pack-destination "$work" > "$work/pack.out")
tarball=$(tail -n 1 "$work/pack.out")
tar -tzf "$work/$tarball" > "$work/tarball.txt"
for file in dist/common/index.js dist/common/index.d.ts dist/node/index.js dist/browser/index.js; do
  grep -qx "package/$file" "$work/tarball.txt" || { echo "the tarball has no $file" >&2; exit 1; }
done
app "$work/from-tarball" "$work/$tarball"

echo "== npm install of a clean checkout's folder"
checkout "$work/folder"
app "$work/from-folder" "$work/folder/runtime-ts"

echo "npm-install: both ways install, type-check and run"
