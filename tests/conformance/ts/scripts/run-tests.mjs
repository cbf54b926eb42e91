#!/usr/bin/env node
// The conformance suite's TypeScript side in one command (`npm test` in tests/conformance/ts):
//  1. build runtime-ts if its dist/ is missing (this package links it as `file:../../../runtime-ts`);
//  2. build `ipcc` and the Rust host `conformance-backend` (cargo; CARGO_TARGET_DIR respected);
//  3. generate TypeScript for idl-examples/conformance.ipc and its streaming methods
//     (../streams.ipc) into generated/ (git-ignored), and for tests/vectors/streams.ipc (the
//     `streams-test-v1` channel the TS host serves as the Rust echo backend does) into
//     generated/vectors/;
//  4. tsc (strict) over generated/ and src/ into build/ — build/src/backend.js is the TS host,
//     which the Rust-client tests (`cargo test -p ipcc-conformance`) spawn, so run this first;
//  5. node --test over build/src/tests/*.test.js: TS client → Rust host and TS client → TS host,
//     over WebSocket and stdio, with the property tests and the generated streams (every direction,
//     cancellation both ways, flow control, a host dying); and the TS client's raw streams against
//     the Rust echo backend's `streams-test-v1` channel.
// Pass `--build-only` to stop after step 4.

import { writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  cargoBinary, cargoBuild, compileTs, ensureRuntimeTs, generateTs, installIfMissing, repoDir,
  runNodeTests, step,
} from "../../../../scripts/node/build-steps.mjs";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const generatedDir = join(packageDir, "generated");
const buildOnly = process.argv.includes("--build-only");

step("runtime-ts");
ensureRuntimeTs();
installIfMissing(packageDir, join("node_modules", "typescript"));

step("build ipcc, conformance-backend and ipcc-echo-backend (its --streams channel)");
cargoBuild(["ipcc", "ipcc-conformance", "ipcc-runtime"], { bins: true });

step(`generate TypeScript into ${generatedDir}`);
generateTs(generatedDir, [join(repoDir, "idl-examples", "conformance.ipc"), join(packageDir, "..", "streams.ipc")]);
// The Rust echo backend's `streams-test-v1`, served by the TS host too (src/streams-backend.ts).
generateTs(join(generatedDir, "vectors"), [join(repoDir, "tests", "vectors", "streams.ipc")]);

step("tsc (strict)");
compileTs(packageDir);
// The compiled files are ES modules (the package says so, but build/ may be copied alone).
writeFileSync(join(packageDir, "build", "package.json"), '{ "type": "module" }\n');
if (buildOnly) process.exit(0);

step("node --test");
runNodeTests(packageDir, join(packageDir, "build", "src", "tests"), {
  serial: true,
  env: { CONFORMANCE_RUST_BACKEND: cargoBinary("conformance-backend"), ECHO_RUST_BACKEND: cargoBinary("ipcc-echo-backend") },
});
